/*
 * The exports: GM/T 0020 SOF_* (C style) and the MS_* extras, each a call to the agent.
 *
 * Every export goes through run_a (A: system code page) or run_w (W: wchar_t). Both convert
 * the string arguments to UTF-8, call one "core" function (UTF-8 in, UTF-8 out), and convert
 * the result back into the caller's buffer. The core functions build the JSON params, POST
 * them to the agent and pick the result field.
 *
 * Per thread: the last SOR code and message (SOF_GetLastError / SOF_GetLastErrMsg), the
 * keep-alive connection (http.c), and the one result that did not fit the caller's buffer
 * (kept so that the retry with a bigger buffer does not ask the doctor's phone again).
 */
#if !defined(_WIN32)
#  define _POSIX_C_SOURCE 200809L
#endif
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "internal.h"
#include "../include/medsign.h"

#define STASH_SECONDS 60

static atomic_long g_port = MS_DEFAULT_PORT;
static atomic_long g_timeout = MS_DEFAULT_TIMEOUT_MS;

static MS_THREAD_LOCAL unsigned long t_err;
static MS_THREAD_LOCAL char t_msg[1024];
static MS_THREAD_LOCAL char *t_stash_key;  /* function + arguments of the result that did not fit */
static MS_THREAD_LOCAL char *t_stash_out;  /* that result, UTF-8 */
static MS_THREAD_LOCAL time_t t_stash_at;
/* MS_SetSignSummary: what the phone shows for this thread's next signing call (UTF-8, ≤ 200 characters) */
#define SUMMARY_CHARS 200
static MS_THREAD_LOCAL char t_summary[SUMMARY_CHARS * 4 + 1];

/* ---- last error ---- */
static void set_err(unsigned long code, const char *msg) {
    t_err = code;
    size_t n = strlen(msg);
    if (n >= sizeof t_msg) {
        n = sizeof t_msg - 1;
        while (n > 0 && ((unsigned char)msg[n] & 0xC0) == 0x80) n--; /* cut at a UTF-8 boundary */
    }
    memcpy(t_msg, msg, n);
    t_msg[n] = 0;
}
static void set_ok(void) { set_err(SOR_OK, ""); }
static unsigned long fail(unsigned long code, const char *msg) { set_err(code, msg); return code; }

static void stash_clear(void) {
    free(t_stash_key);
    free(t_stash_out);
    t_stash_key = t_stash_out = NULL;
}

/* ---- one call to the agent ---- */
static unsigned long agent_call(const char *method, sbuf *params, jval **result) {
    char path[96];
    const char *detail = "";
    http_reply reply;
    *result = NULL;
    const char *body = params ? sb_cstr(params) : "{}";
    if (!body) return fail(SOR_MemoryErr, "内存不足 (out of memory)");
    long port = atomic_load(&g_port);
    snprintf(path, sizeof path, "/v1/%s", method);
    unsigned long rc = http_post((int)port, atomic_load(&g_timeout), path, body, strlen(body), &reply, &detail);
    if (rc != SOR_OK) {
        char m[512];
        if (rc == SOR_NotInitializeErr)
            snprintf(m, sizeof m, "无法连接医签助手，请确认它已启动 (cannot reach the MedSign agent on 127.0.0.1:%ld: %s)", port, detail);
        else if (rc == SOR_TimeoutErr)
            snprintf(m, sizeof m, "等待医签助手超时 (%s, %ld ms)", detail, atomic_load(&g_timeout));
        else
            snprintf(m, sizeof m, "与医签助手通信失败 (talking to the agent on 127.0.0.1:%ld failed: %s)", port, detail);
        http_reply_free(&reply);
        return fail(rc, m);
    }
    const char *text = sb_cstr(&reply.body);
    jval *j = text ? json_parse(text, reply.body.len) : NULL;
    if (reply.status >= 200 && reply.status < 300 && j && j->type == JOBJ) {
        http_reply_free(&reply);
        *result = j;
        return SOR_OK;
    }
    char m[1024];
    double sor = 0;
    const char *msg = j ? json_str(j, "message") : NULL;
    if (j && json_num(j, "sor", &sor) && sor > 0) {
        const char *code = json_str(j, "code");
        snprintf(m, sizeof m, "%s [%s]", msg ? msg : "error", code ? code : "?");
        rc = (unsigned long)sor;
    } else {
        snprintf(m, sizeof m, "医签助手返回了无法识别的应答 (unexpected reply from 127.0.0.1:%ld, HTTP %d)", port, reply.status);
        rc = SOR_UnknownErr;
    }
    json_free(j);
    http_reply_free(&reply);
    return fail(rc, m);
}

/* calls the agent and copies one string field of the result into *res */
static unsigned long call_for_string(const char *method, sbuf *params, const char *field, char **res) {
    jval *j;
    unsigned long rc = agent_call(method, params, &j);
    if (rc != SOR_OK) return rc;
    const char *v = json_str(j, field);
    if (!v) { json_free(j); return fail(SOR_UnknownErr, "医签助手的应答缺少字段 (the agent's reply lacks the expected field)"); }
    *res = malloc(strlen(v) + 1);
    if (*res) strcpy(*res, v);
    json_free(j);
    return *res ? SOR_OK : fail(SOR_MemoryErr, "内存不足 (out of memory)");
}

/* calls the agent and reads a boolean `valid` */
static unsigned long call_for_valid(const char *method, sbuf *params, unsigned long invalid_code) {
    jval *j;
    int valid = 0;
    unsigned long rc = agent_call(method, params, &j);
    if (rc != SOR_OK) return rc;
    int have = json_bool(j, "valid", &valid);
    const char *failure = json_str(j, "failure");
    char m[512];
    snprintf(m, sizeof m, "验证未通过 (verification failed%s%s)", failure ? ": " : "", failure ? failure : "");
    json_free(j);
    if (!have) return fail(SOR_UnknownErr, "医签助手的应答缺少 valid (the agent's reply lacks `valid`)");
    return valid ? SOR_OK : fail(invalid_code, m);
}

static int is_cert_id(const char *s) {
    size_t n = strlen(s);
    if (n < 1 || n > 40) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return 0;
    }
    return 1;
}
/* a certificate argument: a certId (1-40 hex digits) or the certificate itself (base64 DER / PEM) */
static void put_cert(sbuf *b, int *first, const char *v) { jw_key_str(b, first, is_cert_id(v) ? "certId" : "cert", v); }

/* ---- the core functions: UTF-8 strings in, a malloc'd UTF-8 result out ---- */
typedef unsigned long (*core_fn)(const char *const *s, long n, char **res, long *lout);
#define CORE(name) static unsigned long name(const char *const *s, long n, char **res, long *lout)
#define UNUSED_ARGS (void)s; (void)n; (void)res; (void)lout
#define PARAMS sbuf p; int first = 1; sb_init(&p)
#define END_PARAMS() do { if (first) sb_putc(&p, '{'); sb_putc(&p, '}'); } while (0)
#define RETURN(expr) do { unsigned long rc_ = (expr); sb_free(&p); return rc_; } while (0)

CORE(core_version) { UNUSED_ARGS; return call_for_string("getVersion", NULL, "version", res); }
CORE(core_user_list) { UNUSED_ARGS; return call_for_string("getUserList", NULL, "userList", res); }
CORE(core_export_cert) {
    UNUSED_ARGS; PARAMS;
    jw_key_str(&p, &first, "certId", s[0]);
    END_PARAMS();
    RETURN(call_for_string("exportUserCert", &p, "certificate", res));
}
CORE(core_login) {
    UNUSED_ARGS; PARAMS; /* s[1], the PIN, is not used: the doctor enters it on the phone */
    jw_key_str(&p, &first, "certId", s[0]);
    END_PARAMS();
    RETURN(call_for_string("login", &p, "certId", res));
}
CORE(core_login_employee) {
    UNUSED_ARGS; PARAMS;
    jw_key_str(&p, &first, "employeeNo", s[0]);
    END_PARAMS();
    RETURN(call_for_string("login", &p, "certId", res));
}
CORE(core_logout) {
    UNUSED_ARGS; PARAMS;
    jw_key_str(&p, &first, "certId", s[0]);
    END_PARAMS();
    jval *j;
    unsigned long rc = agent_call("logout", &p, &j);
    json_free(j);
    RETURN(rc);
}
CORE(core_cert_info) {
    UNUSED_ARGS; PARAMS;
    put_cert(&p, &first, s[0]);
    jw_key_num(&p, &first, "type", n);
    END_PARAMS();
    RETURN(call_for_string("getCertInfo", &p, "info", res));
}
CORE(core_cert_info_oid) {
    UNUSED_ARGS; PARAMS;
    put_cert(&p, &first, s[0]);
    jw_key_str(&p, &first, "oid", s[1]);
    END_PARAMS();
    RETURN(call_for_string("getCertInfoByOid", &p, "info", res));
}
CORE(core_validate_cert) {
    UNUSED_ARGS; PARAMS;
    put_cert(&p, &first, s[0]);
    END_PARAMS();
    jval *j;
    double code = 0;
    unsigned long rc = agent_call("validateCert", &p, &j);
    if (rc == SOR_OK) {
        if (json_num(j, "code", &code)) *lout = (long)code;
        else rc = fail(SOR_UnknownErr, "医签助手的应答缺少 code (the agent's reply lacks `code`)");
    }
    json_free(j);
    RETURN(rc);
}
/* the summary set by MS_SetSignSummary, used once: a later call never shows a stale one */
static void put_summary(sbuf *p, int *first) {
    if (!t_summary[0]) return;
    jw_key_str(p, first, "summary", t_summary);
    t_summary[0] = 0;
}
CORE(core_sign_data) {
    UNUSED_ARGS; PARAMS;
    jw_key_str(&p, &first, "certId", s[0]);
    jw_key_str(&p, &first, "text", s[1]);
    jw_key_bool(&p, &first, "deferred", 0); /* a signature or an error, never a 补签 ticket */
    put_summary(&p, &first);
    END_PARAMS();
    RETURN(call_for_string("signData", &p, "signature", res));
}
CORE(core_verify_data) {
    UNUSED_ARGS; PARAMS;
    put_cert(&p, &first, s[0]);
    jw_key_str(&p, &first, "text", s[1]);
    jw_key_str(&p, &first, "signature", s[2]);
    END_PARAMS();
    RETURN(call_for_valid("verifySignedData", &p, SOR_VerifySignDataErr));
}
CORE(core_sign_message) {
    UNUSED_ARGS;
    if (n != MS_SIGN_ATTACHED && n != MS_SIGN_DETACHED) return fail(SOR_ParameterNotSupportErr, "flag 应为 0（含原文）或 1（不含原文） (flag must be 0 attached or 1 detached)");
    PARAMS;
    jw_key_str(&p, &first, "certId", s[0]);
    jw_key_str(&p, &first, "text", s[1]);
    jw_key_bool(&p, &first, "detached", n == MS_SIGN_DETACHED);
    jw_key_bool(&p, &first, "deferred", 0);
    put_summary(&p, &first);
    END_PARAMS();
    RETURN(call_for_string("signMessage", &p, "signedMessage", res));
}
CORE(core_verify_message) {
    UNUSED_ARGS; PARAMS;
    jw_key_str(&p, &first, "signedMessage", s[0]);
    if (s[1] && s[1][0]) jw_key_str(&p, &first, "text", s[1]); /* detached: the signed text */
    END_PARAMS();
    RETURN(call_for_valid("verifySignedMessage", &p, SOR_VerifySignDataErr));
}
CORE(core_message_info) {
    UNUSED_ARGS; PARAMS;
    jw_key_str(&p, &first, "signedMessage", s[0]);
    jw_key_num(&p, &first, "type", n);
    END_PARAMS();
    RETURN(call_for_string("getInfoFromSignedMessage", &p, "info", res));
}
CORE(core_ts_request) {
    UNUSED_ARGS; PARAMS;
    jw_key_str(&p, &first, "text", s[0]);
    END_PARAMS();
    RETURN(call_for_string("createTimeStampRequest", &p, "request", res));
}
CORE(core_ts_response) {
    UNUSED_ARGS; PARAMS;
    jw_key_str(&p, &first, "request", s[0]);
    END_PARAMS();
    RETURN(call_for_string("createTimeStampResponse", &p, "response", res));
}
CORE(core_ts_verify) {
    UNUSED_ARGS; PARAMS;
    jw_key_str(&p, &first, "response", s[1]);
    if (s[0] && s[0][0]) jw_key_str(&p, &first, "text", s[0]);
    END_PARAMS();
    RETURN(call_for_valid("verifyTimeStamp", &p, SOR_VerifySignDataErr));
}
CORE(core_ts_info) {
    UNUSED_ARGS; PARAMS;
    jw_key_str(&p, &first, "response", s[0]);
    jw_key_num(&p, &first, "type", n);
    END_PARAMS();
    RETURN(call_for_string("getTimeStampInfo", &p, "info", res));
}
CORE(core_gen_random) {
    UNUSED_ARGS;
    if (n < 1 || n > 4096) return fail(SOR_IndataLenErr, "长度应为 1–4096 (len must be 1..4096)");
    PARAMS;
    jw_key_num(&p, &first, "length", n);
    END_PARAMS();
    RETURN(call_for_string("genRandom", &p, "random", res));
}

static int all_base64(const char *s) {
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '+' || *s == '/' || *s == '=')) return 0;
    return 1;
}

/* MS_SignBatch: items split on the separator (one trailing separator ignored), results joined by it */
CORE(core_sign_batch) {
    UNUSED_ARGS;
    const char *items = s[1], *sep = s[2];
    size_t seplen = strlen(sep);
    if (seplen == 0 || all_base64(sep))
        return fail(SOR_IndataErr, "分隔符不能为空，且须含 base64 以外的字符，如 \"|\" (the separator must be non-empty and contain a character outside base64, e.g. \"|\")");
    PARAMS;
    jw_key_str(&p, &first, "certId", s[0]);
    jw_key_str(&p, &first, "format", "raw");
    jw_key_raw(&p, &first, "items", "[");
    size_t count = 0, total = strlen(items);
    const char *end = items + total;
    if (total >= seplen && memcmp(end - seplen, sep, seplen) == 0) end -= seplen; /* "a|b|" = two items */
    for (const char *q = items;;) {
        const char *hit = NULL;
        for (const char *k = q; k + seplen <= end; k++)
            if (memcmp(k, sep, seplen) == 0) { hit = k; break; }
        const char *stop = hit ? hit : end;
        char *one = malloc((size_t)(stop - q) + 1);
        if (!one) { sb_free(&p); return fail(SOR_MemoryErr, "内存不足 (out of memory)"); }
        memcpy(one, q, (size_t)(stop - q));
        one[stop - q] = 0;
        sb_puts(&p, count ? ",{\"text\":" : "{\"text\":");
        jw_str(&p, one);
        if (t_summary[0]) { sb_puts(&p, ",\"summary\":"); jw_str(&p, t_summary); } /* every item: one approval */
        sb_putc(&p, '}');
        free(one);
        count++;
        if (!hit) break;
        q = hit + seplen;
    }
    sb_putc(&p, ']');
    t_summary[0] = 0;
    END_PARAMS();
    jval *j;
    unsigned long rc = agent_call("signBatch", &p, &j);
    sb_free(&p);
    if (rc != SOR_OK) return rc;
    const jval *results = json_get(j, "results");
    if (!results || results->type != JARR || results->n != count) {
        json_free(j);
        return fail(SOR_UnknownErr, "医签助手的批量应答条数不符 (the agent's batch reply has the wrong number of results)");
    }
    sbuf out;
    sb_init(&out);
    for (size_t k = 0; k < results->n; k++) {
        const char *sig = json_str(&results->kids[k], "signature");
        if (!sig) { json_free(j); sb_free(&out); return fail(SOR_UnknownErr, "批量应答缺少 signature (a batch result lacks `signature`)"); }
        if (k) sb_puts(&out, sep);
        sb_puts(&out, sig);
    }
    json_free(j);
    *res = sb_take(&out);
    return *res ? SOR_OK : fail(SOR_MemoryErr, "内存不足 (out of memory)");
}

/* MS_GetVerificationCode: the newest pending operation of the native clients that has a code; "" when none */
CORE(core_verification_code) {
    UNUSED_ARGS;
    jval *j;
    unsigned long rc = agent_call("getStatus", NULL, &j);
    if (rc != SOR_OK) return rc;
    const jval *pending = json_get(j, "pending");
    const char *best = "", *best_at = "";
    if (pending && pending->type == JARR)
        for (size_t k = 0; k < pending->n; k++) {
            const jval *op = &pending->kids[k];
            const char *code = json_str(op, "verificationCode"), *status = json_str(op, "status"), *at = json_str(op, "createdAt");
            if (!code || !status || strcmp(status, "PENDING") != 0) continue;
            if (!at) at = "";
            if (strcmp(at, best_at) >= 0) { best = code; best_at = at; }
        }
    *res = malloc(strlen(best) + 1);
    if (*res) strcpy(*res, best);
    json_free(j);
    return *res ? SOR_OK : fail(SOR_MemoryErr, "内存不足 (out of memory)");
}

/* ---- A / W plumbing ---- */
#define MAX_ARGS 4

/* key of a call for the too-small-buffer stash: name, then each argument length-prefixed, then n */
static char *call_key(const char *name, int ns, char *const *u, long n) {
    sbuf k;
    char t[48];
    sb_init(&k);
    sb_puts(&k, name);
    for (int i = 0; i < ns; i++) {
        if (!u[i]) { sb_puts(&k, "|-"); continue; }
        snprintf(t, sizeof t, "|%lu:", (unsigned long)strlen(u[i]));
        sb_puts(&k, t);
        sb_puts(&k, u[i]);
    }
    snprintf(t, sizeof t, "|%ld", n);
    sb_puts(&k, t);
    return sb_take(&k);
}

/* argument check, key, stash, core. `res` gets the UTF-8 result (or NULL for no output). */
static unsigned long invoke(const char *name, core_fn f, int ns, char *const *u, unsigned required, long n, char **res, long *lout, int has_out) {
    for (int i = 0; i < ns; i++)
        if (!u[i] && (required & (1u << i))) {
            char m[160];
            snprintf(m, sizeof m, "第 %d 个参数为空 (argument %d is NULL)", i + 1, i + 1);
            return fail(SOR_IndataErr, m);
        }
    char *key = has_out ? call_key(name, ns, u, n) : NULL;
    if (key && t_stash_key && t_stash_out && strcmp(key, t_stash_key) == 0 && time(NULL) - t_stash_at <= STASH_SECONDS) {
        *res = t_stash_out; /* the retry after MS_BUFFER_TOO_SMALL: the kept result */
        t_stash_out = NULL;
        stash_clear();
        free(key);
        set_ok();
        return SOR_OK;
    }
    stash_clear();
    set_ok();
    unsigned long rc = f((const char *const *)u, n, res, lout);
    if (rc == SOR_OK) set_ok();
    if (rc == SOR_OK && has_out && !*res) rc = fail(SOR_UnknownErr, "no result");
    if (rc == SOR_OK && key) { t_stash_key = key; key = NULL; } /* kept until the result is delivered */
    free(key);
    return rc;
}

/* the result did not fit: keep it (its key is already in t_stash_key) */
static unsigned long too_small(char *utf8_res, long *outLen, long need) {
    t_stash_out = utf8_res;
    t_stash_at = time(NULL);
    *outLen = need;
    char m[200];
    snprintf(m, sizeof m, "输出缓冲区太小，需要 %ld（含结尾 0） (the output buffer is too small: %ld needed, NUL included)", need, need);
    return fail(MS_BUFFER_TOO_SMALL, m);
}

static unsigned long run_a(const char *name, core_fn f, int ns, const char *const *a, unsigned required, long n, char *out, long *outLen, long *lout) {
    char *u[MAX_ARGS] = { 0 };
    char *res = NULL;
    unsigned long rc = SOR_OK;
    int has_out = outLen != NULL || out != NULL;
    if (out && !outLen) return fail(SOR_IndataErr, "outLen 为空 (outLen is NULL)");
    for (int i = 0; i < ns; i++)
        if (a[i] && !(u[i] = acp_to_utf8(a[i]))) { rc = fail(SOR_IndataErr, "参数不是系统代码页的有效文本 (an argument is not valid text in the system code page)"); goto out; }
    rc = invoke(name, f, ns, u, required, n, &res, lout, has_out);
    if (rc != SOR_OK || !has_out) goto out;
    char *conv = utf8_to_acp(res);
    if (!conv) { rc = fail(SOR_MemoryErr, "内存不足 (out of memory)"); goto out; }
    long need = (long)strlen(conv) + 1;
    free(conv);
    if (!out || *outLen < need) { rc = too_small(res, outLen, need); res = NULL; goto out; }
    conv = utf8_to_acp(res);
    if (!conv) { rc = fail(SOR_MemoryErr, "内存不足 (out of memory)"); goto out; }
    memcpy(out, conv, (size_t)need);
    *outLen = need - 1;
    free(conv);
    stash_clear();
out:
    for (int i = 0; i < ns; i++) free(u[i]);
    free(res);
    return rc;
}

static unsigned long run_w(const char *name, core_fn f, int ns, const wchar_t *const *w, unsigned required, long n, wchar_t *out, long *outLen, long *lout) {
    char *u[MAX_ARGS] = { 0 };
    char *res = NULL;
    unsigned long rc = SOR_OK;
    int has_out = outLen != NULL || out != NULL;
    if (out && !outLen) return fail(SOR_IndataErr, "outLen 为空 (outLen is NULL)");
    for (int i = 0; i < ns; i++)
        if (w[i] && !(u[i] = wide_to_utf8(w[i]))) { rc = fail(SOR_IndataErr, "参数不是有效的 Unicode 文本 (an argument is not valid UTF-16/UTF-32 text)"); goto out; }
    rc = invoke(name, f, ns, u, required, n, &res, lout, has_out);
    if (rc != SOR_OK || !has_out) goto out;
    wchar_t *conv = utf8_to_wide(res);
    if (!conv) { rc = fail(SOR_MemoryErr, "内存不足 (out of memory)"); goto out; }
    long need = (long)wcslen(conv) + 1;
    if (!out || *outLen < need) { free(conv); rc = too_small(res, outLen, need); res = NULL; goto out; }
    memcpy(out, conv, (size_t)need * sizeof *out);
    *outLen = need - 1;
    free(conv);
    stash_clear();
out:
    for (int i = 0; i < ns; i++) free(u[i]);
    free(res);
    return rc;
}

/* ---- the exports ---- */
#define EXP MS_API unsigned long MS_CALL
#define ALL 0xFu

/* (out) */
#define OUT0(NAME, CORE_FN)                                                                                  \
    EXP NAME##A(char *out, long *outLen) { return run_a(#NAME, CORE_FN, 0, NULL, 0, 0, out, outLen, NULL); } \
    EXP NAME##W(wchar_t *out, long *outLen) { return run_w(#NAME, CORE_FN, 0, NULL, 0, 0, out, outLen, NULL); }            \
    EXP NAME(char *out, long *outLen) { return NAME##A(out, outLen); }
/* (s, out) */
#define OUT1(NAME, CORE_FN)                                                                                                              \
    EXP NAME##A(const char *a, char *out, long *outLen) { const char *s[1] = { a }; return run_a(#NAME, CORE_FN, 1, s, ALL, 0, out, outLen, NULL); } \
    EXP NAME##W(const wchar_t *a, wchar_t *out, long *outLen) { const wchar_t *s[1] = { a }; return run_w(#NAME, CORE_FN, 1, s, ALL, 0, out, outLen, NULL); } \
    EXP NAME(const char *a, char *out, long *outLen) { return NAME##A(a, out, outLen); }
/* (s, long, out) */
#define OUT1N(NAME, CORE_FN)                                                                                                                     \
    EXP NAME##A(const char *a, long t, char *out, long *outLen) { const char *s[1] = { a }; return run_a(#NAME, CORE_FN, 1, s, ALL, t, out, outLen, NULL); } \
    EXP NAME##W(const wchar_t *a, long t, wchar_t *out, long *outLen) { const wchar_t *s[1] = { a }; return run_w(#NAME, CORE_FN, 1, s, ALL, t, out, outLen, NULL); } \
    EXP NAME(const char *a, long t, char *out, long *outLen) { return NAME##A(a, t, out, outLen); }
/* (s, s, out) */
#define OUT2(NAME, CORE_FN)                                                                                                                                  \
    EXP NAME##A(const char *a, const char *b, char *out, long *outLen) { const char *s[2] = { a, b }; return run_a(#NAME, CORE_FN, 2, s, ALL, 0, out, outLen, NULL); } \
    EXP NAME##W(const wchar_t *a, const wchar_t *b, wchar_t *out, long *outLen) { const wchar_t *s[2] = { a, b }; return run_w(#NAME, CORE_FN, 2, s, ALL, 0, out, outLen, NULL); } \
    EXP NAME(const char *a, const char *b, char *out, long *outLen) { return NAME##A(a, b, out, outLen); }
/* (s, s) with `required` mask, no output */
#define NOOUT2(NAME, CORE_FN, REQ)                                                                                                              \
    EXP NAME##A(const char *a, const char *b) { const char *s[2] = { a, b }; return run_a(#NAME, CORE_FN, 2, s, REQ, 0, NULL, NULL, NULL); } \
    EXP NAME##W(const wchar_t *a, const wchar_t *b) { const wchar_t *s[2] = { a, b }; return run_w(#NAME, CORE_FN, 2, s, REQ, 0, NULL, NULL, NULL); } \
    EXP NAME(const char *a, const char *b) { return NAME##A(a, b); }

OUT0(SOF_GetVersion, core_version)
OUT0(SOF_GetUserList, core_user_list)
OUT0(MS_GetVerificationCode, core_verification_code)
OUT1(SOF_ExportUserCert, core_export_cert)
OUT1(SOF_CreateTimeStampRequest, core_ts_request)
OUT1(SOF_CreateTimeStampResponse, core_ts_response)
OUT1(MS_LoginByEmployeeNo, core_login_employee)
OUT1N(SOF_GetCertInfo, core_cert_info)
OUT1N(SOF_GetInfoFromSignedMessage, core_message_info)
OUT1N(SOF_GetTimeStampInfo, core_ts_info)
OUT2(SOF_GetCertInfoByOid, core_cert_info_oid)
OUT2(SOF_SignData, core_sign_data)
NOOUT2(SOF_Login, core_login, 1u)              /* the PIN may be NULL: it is entered on the phone */
NOOUT2(SOF_VerifySignedMessage, core_verify_message, 1u) /* inData NULL or "": attached content */
NOOUT2(SOF_VerifyTimeStamp, core_ts_verify, 2u)          /* inData NULL or "": token only */

EXP SOF_LogoutA(const char *certId) { const char *s[1] = { certId }; return run_a("SOF_Logout", core_logout, 1, s, ALL, 0, NULL, NULL, NULL); }
EXP SOF_LogoutW(const wchar_t *certId) { const wchar_t *s[1] = { certId }; return run_w("SOF_Logout", core_logout, 1, s, ALL, 0, NULL, NULL, NULL); }
EXP SOF_Logout(const char *certId) { return SOF_LogoutA(certId); }

EXP SOF_ValidateCertA(const char *cert, long *result) {
    if (!result) return fail(SOR_IndataErr, "result 为空 (result is NULL)");
    const char *s[1] = { cert };
    return run_a("SOF_ValidateCert", core_validate_cert, 1, s, ALL, 0, NULL, NULL, result);
}
EXP SOF_ValidateCertW(const wchar_t *cert, long *result) {
    if (!result) return fail(SOR_IndataErr, "result 为空 (result is NULL)");
    const wchar_t *s[1] = { cert };
    return run_w("SOF_ValidateCert", core_validate_cert, 1, s, ALL, 0, NULL, NULL, result);
}
EXP SOF_ValidateCert(const char *cert, long *result) { return SOF_ValidateCertA(cert, result); }

EXP SOF_VerifySignedDataA(const char *cert, const char *inData, const char *signValue) {
    const char *s[3] = { cert, inData, signValue };
    return run_a("SOF_VerifySignedData", core_verify_data, 3, s, ALL, 0, NULL, NULL, NULL);
}
EXP SOF_VerifySignedDataW(const wchar_t *cert, const wchar_t *inData, const wchar_t *signValue) {
    const wchar_t *s[3] = { cert, inData, signValue };
    return run_w("SOF_VerifySignedData", core_verify_data, 3, s, ALL, 0, NULL, NULL, NULL);
}
EXP SOF_VerifySignedData(const char *cert, const char *inData, const char *signValue) { return SOF_VerifySignedDataA(cert, inData, signValue); }

EXP SOF_SignMessageA(long flag, const char *certId, const char *inData, char *out, long *outLen) {
    const char *s[2] = { certId, inData };
    return run_a("SOF_SignMessage", core_sign_message, 2, s, ALL, flag, out, outLen, NULL);
}
EXP SOF_SignMessageW(long flag, const wchar_t *certId, const wchar_t *inData, wchar_t *out, long *outLen) {
    const wchar_t *s[2] = { certId, inData };
    return run_w("SOF_SignMessage", core_sign_message, 2, s, ALL, flag, out, outLen, NULL);
}
EXP SOF_SignMessage(long flag, const char *certId, const char *inData, char *out, long *outLen) { return SOF_SignMessageA(flag, certId, inData, out, outLen); }

EXP SOF_GenRandomA(long len, char *out, long *outLen) { return run_a("SOF_GenRandom", core_gen_random, 0, NULL, 0, len, out, outLen, NULL); }
EXP SOF_GenRandomW(long len, wchar_t *out, long *outLen) { return run_w("SOF_GenRandom", core_gen_random, 0, NULL, 0, len, out, outLen, NULL); }
EXP SOF_GenRandom(long len, char *out, long *outLen) { return SOF_GenRandomA(len, out, outLen); }

EXP MS_SignBatchA(const char *certId, const char *itemsJoined, const char *separator, char *out, long *outLen) {
    const char *s[3] = { certId, itemsJoined, separator };
    return run_a("MS_SignBatch", core_sign_batch, 3, s, ALL, 0, out, outLen, NULL);
}
EXP MS_SignBatchW(const wchar_t *certId, const wchar_t *itemsJoined, const wchar_t *separator, wchar_t *out, long *outLen) {
    const wchar_t *s[3] = { certId, itemsJoined, separator };
    return run_w("MS_SignBatch", core_sign_batch, 3, s, ALL, 0, out, outLen, NULL);
}
EXP MS_SignBatch(const char *certId, const char *itemsJoined, const char *separator, char *out, long *outLen) { return MS_SignBatchA(certId, itemsJoined, separator, out, outLen); }

EXP SOF_SetSignMethod(long method) {
    if (method != SGD_SM3_RSA && method != SGD_SHA1_RSA && method != SGD_SHA256_RSA && method != SGD_SM3_SM2)
        return fail(SOR_ParameterNotSupportErr, "不支持的签名算法 (unsupported sign method: use SGD_SM3_SM2, SGD_SM3_RSA, SGD_SHA1_RSA or SGD_SHA256_RSA)");
    stash_clear();
    sbuf p;
    int first = 1;
    sb_init(&p);
    jw_key_num(&p, &first, "method", method);
    sb_putc(&p, '}');
    jval *j;
    unsigned long rc = agent_call("setSignMethod", &p, &j);
    sb_free(&p);
    json_free(j);
    if (rc == SOR_OK) set_ok();
    return rc;
}

EXP SOF_GetSignMethod(long *method) {
    if (!method) return fail(SOR_IndataErr, "method 为空 (method is NULL)");
    stash_clear();
    jval *j;
    double m = 0;
    unsigned long rc = agent_call("getSignMethod", NULL, &j);
    if (rc == SOR_OK) {
        if (json_num(j, "method", &m)) { *method = (long)m; set_ok(); }
        else rc = fail(SOR_UnknownErr, "医签助手的应答缺少 method (the agent's reply lacks `method`)");
    }
    json_free(j);
    return rc;
}

EXP SOF_GetLastError(void) { return t_err; }

/* does not change the last error */
EXP SOF_GetLastErrMsgA(char *out, long *outLen) {
    if (!outLen) return SOR_IndataErr;
    char *conv = utf8_to_acp(t_msg);
    if (!conv) return SOR_MemoryErr;
    long need = (long)strlen(conv) + 1;
    unsigned long rc = SOR_OK;
    if (!out || *outLen < need) { *outLen = need; rc = MS_BUFFER_TOO_SMALL; }
    else { memcpy(out, conv, (size_t)need); *outLen = need - 1; }
    free(conv);
    return rc;
}
EXP SOF_GetLastErrMsgW(wchar_t *out, long *outLen) {
    if (!outLen) return SOR_IndataErr;
    wchar_t *conv = utf8_to_wide(t_msg);
    if (!conv) return SOR_MemoryErr;
    long need = (long)wcslen(conv) + 1;
    unsigned long rc = SOR_OK;
    if (!out || *outLen < need) { *outLen = need; rc = MS_BUFFER_TOO_SMALL; }
    else { memcpy(out, conv, (size_t)need * sizeof *out); *outLen = need - 1; }
    free(conv);
    return rc;
}
EXP SOF_GetLastErrMsg(char *out, long *outLen) { return SOF_GetLastErrMsgA(out, outLen); }

/* the summary for this thread's next signing call; NULL or "" clears it */
static unsigned long set_summary(char *utf8) {
    if (!utf8) return fail(SOR_IndataErr, "摘要不是有效的文本 (the summary is not valid text)");
    size_t chars = 0;
    for (const char *c = utf8; *c; c++) chars += ((unsigned char)*c & 0xC0) != 0x80;
    if (chars > SUMMARY_CHARS) {
        free(utf8);
        return fail(SOR_IndataLenErr, "摘要最长 200 个字符 (the summary has at most 200 characters)");
    }
    for (char *c = utf8; *c; c++)
        if ((unsigned char)*c < 0x20) *c = ' '; /* one line on the phone */
    memcpy(t_summary, utf8, strlen(utf8) + 1);
    free(utf8);
    set_ok();
    return SOR_OK;
}
EXP MS_SetSignSummaryA(const char *summary) {
    if (!summary || !*summary) { t_summary[0] = 0; set_ok(); return SOR_OK; }
    return set_summary(acp_to_utf8(summary));
}
EXP MS_SetSignSummaryW(const wchar_t *summary) {
    if (!summary || !*summary) { t_summary[0] = 0; set_ok(); return SOR_OK; }
    return set_summary(wide_to_utf8(summary));
}
EXP MS_SetSignSummary(const char *summary) { return MS_SetSignSummaryA(summary); }

EXP MS_SetAgentPort(long port) {
    if (port < 1 || port > 65535) return fail(SOR_IndataErr, "端口应为 1–65535 (port must be 1..65535)");
    atomic_store(&g_port, port);
    set_ok();
    return SOR_OK;
}

EXP MS_SetTimeout(long ms) {
    atomic_store(&g_timeout, ms > 0 ? ms : MS_DEFAULT_TIMEOUT_MS);
    set_ok();
    return SOR_OK;
}
