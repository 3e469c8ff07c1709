/*
 * sm2_ec: SM2 point multiplication through the OpenSSL that Node itself is linked with.
 *
 * node:crypto exposes variable-base multiplication only as ECDH.computeSecret, which
 * also re-checks the ECDH object's own key pair (two more scalar multiplications), so
 * x(k·P) costs four multiplications there. This addon calls EC_POINT_mul directly.
 *
 * Every multiplication with a secret scalar is a single-term EC_POINT_mul, which OpenSSL 3
 * runs on its constant-time Montgomery ladder (ec_scalar_mul_ladder). The two-term form
 * EC_POINT_mul(g, r, a, P, b) would be faster but uses variable-time wNAF, so it is not used.
 *
 * No OpenSSL headers are needed: the few functions below take opaque pointers and are
 * resolved at load time against the symbols the node binary exports.
 */
#include <node_api.h>
#include <stddef.h>
#include <string.h>

typedef struct ec_group_st EC_GROUP;
typedef struct ec_point_st EC_POINT;
typedef struct bignum_st BIGNUM;
typedef struct bignum_ctx BN_CTX;

EC_GROUP *EC_GROUP_new_by_curve_name(int nid);
EC_POINT *EC_POINT_new(const EC_GROUP *group);
void EC_POINT_clear_free(EC_POINT *point);
int EC_POINT_mul(const EC_GROUP *group, EC_POINT *r, const BIGNUM *n, const EC_POINT *q, const BIGNUM *m, BN_CTX *ctx);
int EC_POINT_add(const EC_GROUP *group, EC_POINT *r, const EC_POINT *a, const EC_POINT *b, BN_CTX *ctx);
int EC_POINT_is_at_infinity(const EC_GROUP *group, const EC_POINT *p);
int EC_POINT_oct2point(const EC_GROUP *group, EC_POINT *p, const unsigned char *buf, size_t len, BN_CTX *ctx);
size_t EC_POINT_point2oct(const EC_GROUP *group, const EC_POINT *p, int form, unsigned char *buf, size_t len, BN_CTX *ctx);
BIGNUM *BN_bin2bn(const unsigned char *s, int len, BIGNUM *ret);
void BN_set_flags(BIGNUM *b, int n);
void BN_clear_free(BIGNUM *a);
BN_CTX *BN_CTX_secure_new(void);
void BN_CTX_free(BN_CTX *c);

#define NID_SM2 1172
#define BN_FLG_CONSTTIME 0x04
#define POINT_CONVERSION_UNCOMPRESSED 4

static EC_GROUP *sm2_group = NULL;

static napi_value throw_error(napi_env env, const char *code, const char *message) {
  napi_throw_error(env, code, message);
  return NULL;
}

/* Read argument i as a Uint8Array of exactly `len` bytes. */
static int get_bytes(napi_env env, napi_value v, size_t len, const unsigned char **out) {
  bool is_typed = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed) return 0;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != napi_ok) return 0;
  if (type != napi_uint8_array || length != len) return 0;
  *out = (const unsigned char *)data;
  return 1;
}

static BIGNUM *secret_scalar(const unsigned char *bytes) {
  BIGNUM *k = BN_bin2bn(bytes, 32, NULL);
  if (k) BN_set_flags(k, BN_FLG_CONSTTIME);
  return k;
}

static napi_value point_to_js(napi_env env, const EC_POINT *p, BN_CTX *ctx, int x_only) {
  unsigned char buf[65];
  napi_value ab, out;
  void *data;
  if (EC_POINT_point2oct(sm2_group, p, POINT_CONVERSION_UNCOMPRESSED, buf, sizeof buf, ctx) != 65) return NULL;
  size_t n = x_only ? 32 : 65;
  if (napi_create_arraybuffer(env, n, &data, &ab) != napi_ok) return NULL;
  memcpy(data, x_only ? buf + 1 : buf, n);
  memset(buf, 0, sizeof buf);
  if (napi_create_typedarray(env, napi_uint8_array, n, ab, 0, &out) != napi_ok) return NULL;
  return out;
}

/* mulBase(k: Uint8Array(32)) -> Uint8Array(65): k·G, uncompressed. */
static napi_value mul_base(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  const unsigned char *kb;
  napi_value result = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || !get_bytes(env, argv[0], 32, &kb))
    return throw_error(env, "ERR_SM2_EC_ARGS", "mulBase(k: Uint8Array(32))");
  BN_CTX *ctx = BN_CTX_secure_new();
  BIGNUM *k = secret_scalar(kb);
  EC_POINT *r = EC_POINT_new(sm2_group);
  if (ctx && k && r && EC_POINT_mul(sm2_group, r, k, NULL, NULL, ctx) && !EC_POINT_is_at_infinity(sm2_group, r))
    result = point_to_js(env, r, ctx, 0);
  EC_POINT_clear_free(r);
  BN_clear_free(k);
  BN_CTX_free(ctx);
  return result ? result : throw_error(env, "ERR_SM2_EC_MUL", "k·G failed");
}

/* mulAddX(a, b: Uint8Array(32), P: Uint8Array(65)) -> Uint8Array(32) | null: x(a·G + b·P), null at infinity. */
static napi_value mul_add_x(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  const unsigned char *ab, *bb, *pb;
  napi_value result = NULL;
  int ok = 0, infinity = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3 || !get_bytes(env, argv[0], 32, &ab) ||
      !get_bytes(env, argv[1], 32, &bb) || !get_bytes(env, argv[2], 65, &pb))
    return throw_error(env, "ERR_SM2_EC_ARGS", "mulAddX(a: Uint8Array(32), b: Uint8Array(32), P: Uint8Array(65))");
  BN_CTX *ctx = BN_CTX_secure_new();
  BIGNUM *a = secret_scalar(ab), *b = secret_scalar(bb);
  EC_POINT *p = EC_POINT_new(sm2_group), *aG = EC_POINT_new(sm2_group), *bP = EC_POINT_new(sm2_group);
  /* oct2point checks that P is on the curve */
  if (ctx && a && b && p && aG && bP && EC_POINT_oct2point(sm2_group, p, pb, 65, ctx) && !EC_POINT_is_at_infinity(sm2_group, p) &&
      EC_POINT_mul(sm2_group, aG, a, NULL, NULL, ctx) && EC_POINT_mul(sm2_group, bP, NULL, p, b, ctx) &&
      EC_POINT_add(sm2_group, aG, aG, bP, ctx)) {
    ok = 1;
    infinity = EC_POINT_is_at_infinity(sm2_group, aG);
    if (!infinity) result = point_to_js(env, aG, ctx, 1);
  }
  EC_POINT_clear_free(p);
  EC_POINT_clear_free(aG);
  EC_POINT_clear_free(bP);
  BN_clear_free(a);
  BN_clear_free(b);
  BN_CTX_free(ctx);
  if (!ok) return throw_error(env, "ERR_SM2_EC_POINT", "invalid point or multiplication failed");
  if (infinity) {
    napi_get_null(env, &result);
  }
  return result ? result : throw_error(env, "ERR_SM2_EC_MUL", "encoding failed");
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (!sm2_group) sm2_group = EC_GROUP_new_by_curve_name(NID_SM2);
  if (!sm2_group) return throw_error(env, "ERR_SM2_EC_INIT", "OpenSSL has no SM2 curve");
  napi_create_function(env, "mulBase", NAPI_AUTO_LENGTH, mul_base, NULL, &fn);
  napi_set_named_property(env, exports, "mulBase", fn);
  napi_create_function(env, "mulAddX", NAPI_AUTO_LENGTH, mul_add_x, NULL, &fn);
  napi_set_named_property(env, exports, "mulAddX", fn);
  return exports;
}
