/*
 * A minimal JSON reader (a small DOM: objects, arrays, strings unescaped to UTF-8 with \uXXXX
 * and surrogate pairs, numbers, booleans, null) and writer (escaped strings, members).
 * Written for libmedsign; no third-party code. Numbers are parsed without strtod, so the
 * host application's locale (a decimal comma) cannot change them.
 */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define MAX_DEPTH 64

typedef struct {
    const char *s;
    size_t i, n;
    int depth;
} parser;

static void skip_ws(parser *p) {
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r')) p->i++;
}

static int hex4(parser *p, unsigned *out) {
    unsigned v = 0;
    if (p->i + 4 > p->n) return 0;
    for (int k = 0; k < 4; k++) {
        char c = p->s[p->i++];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

static void put_utf8(sbuf *b, unsigned cp) {
    char t[4];
    if (cp < 0x80) { t[0] = (char)cp; sb_put(b, t, 1); }
    else if (cp < 0x800) { t[0] = (char)(0xC0 | (cp >> 6)); t[1] = (char)(0x80 | (cp & 0x3F)); sb_put(b, t, 2); }
    else if (cp < 0x10000) { t[0] = (char)(0xE0 | (cp >> 12)); t[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); t[2] = (char)(0x80 | (cp & 0x3F)); sb_put(b, t, 3); }
    else { t[0] = (char)(0xF0 | (cp >> 18)); t[1] = (char)(0x80 | ((cp >> 12) & 0x3F)); t[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); t[3] = (char)(0x80 | (cp & 0x3F)); sb_put(b, t, 4); }
}

/* after the opening quote; fills *out (malloc'd) */
static int parse_string(parser *p, char **out, size_t *outlen) {
    sbuf b;
    sb_init(&b);
    while (p->i < p->n) {
        unsigned char c = (unsigned char)p->s[p->i++];
        if (c == '"') {
            *outlen = b.len;
            *out = sb_take(&b);
            return *out != NULL;
        }
        if (c < 0x20) break;
        if (c != '\\') { sb_put(&b, (const char *)&c, 1); continue; }
        if (p->i >= p->n) break;
        char e = p->s[p->i++];
        switch (e) {
        case '"': sb_putc(&b, '"'); break;
        case '\\': sb_putc(&b, '\\'); break;
        case '/': sb_putc(&b, '/'); break;
        case 'b': sb_putc(&b, '\b'); break;
        case 'f': sb_putc(&b, '\f'); break;
        case 'n': sb_putc(&b, '\n'); break;
        case 'r': sb_putc(&b, '\r'); break;
        case 't': sb_putc(&b, '\t'); break;
        case 'u': {
            unsigned cp, lo;
            if (!hex4(p, &cp)) goto fail;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                /* a high surrogate must be followed by \u + a low surrogate */
                if (p->i + 2 <= p->n && p->s[p->i] == '\\' && p->s[p->i + 1] == 'u') {
                    size_t save = p->i;
                    p->i += 2;
                    if (hex4(p, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    else { p->i = save; cp = 0xFFFD; }
                } else cp = 0xFFFD;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) cp = 0xFFFD; /* a lone low surrogate */
            put_utf8(&b, cp);
            break;
        }
        default: goto fail;
        }
    }
fail:
    sb_free(&b);
    return 0;
}

static int parse_value(parser *p, jval *v);

static int parse_number(parser *p, jval *v) {
    size_t i = p->i;
    int neg = 0, digits = 0;
    double num = 0, scale = 1;
    if (i < p->n && p->s[i] == '-') { neg = 1; i++; }
    while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9') { num = num * 10 + (p->s[i] - '0'); i++; digits++; }
    if (!digits) return 0;
    if (i < p->n && p->s[i] == '.') {
        i++;
        int fd = 0;
        while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9') { scale /= 10; num += (p->s[i] - '0') * scale; i++; fd++; }
        if (!fd) return 0;
    }
    if (i < p->n && (p->s[i] == 'e' || p->s[i] == 'E')) {
        i++;
        int eneg = 0, ex = 0, ed = 0;
        if (i < p->n && (p->s[i] == '+' || p->s[i] == '-')) { eneg = p->s[i] == '-'; i++; }
        while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9') { if (ex < 400) ex = ex * 10 + (p->s[i] - '0'); i++; ed++; }
        if (!ed) return 0;
        while (ex-- > 0) num = eneg ? num / 10 : num * 10;
    }
    p->i = i;
    v->type = JNUM;
    v->num = neg ? -num : num;
    return 1;
}

static int push_kid(jval *v, jval *kid) {
    jval *k = realloc(v->kids, (v->n + 1) * sizeof *k);
    if (!k) return 0;
    v->kids = k;
    v->kids[v->n++] = *kid;
    return 1;
}

static int parse_container(parser *p, jval *v, char close) {
    int is_obj = close == '}';
    v->type = is_obj ? JOBJ : JARR;
    if (++p->depth > MAX_DEPTH) return 0;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == close) { p->i++; p->depth--; return 1; }
    for (;;) {
        jval kid;
        memset(&kid, 0, sizeof kid);
        skip_ws(p);
        if (is_obj) {
            size_t kl;
            if (p->i >= p->n || p->s[p->i] != '"') return 0;
            p->i++;
            if (!parse_string(p, &kid.key, &kl)) return 0;
            skip_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':') { free(kid.key); return 0; }
            p->i++;
        }
        if (!parse_value(p, &kid) || !push_kid(v, &kid)) {
            /* kid's parts may be partly allocated: free them through a temporary holder */
            jval *tmp = malloc(sizeof *tmp);
            if (tmp) { *tmp = kid; json_free(tmp); }
            return 0;
        }
        skip_ws(p);
        if (p->i >= p->n) return 0;
        char c = p->s[p->i++];
        if (c == close) break;
        if (c != ',') return 0;
    }
    p->depth--;
    return 1;
}

static int parse_lit(parser *p, const char *lit) {
    size_t l = strlen(lit);
    if (p->i + l > p->n || memcmp(p->s + p->i, lit, l) != 0) return 0;
    p->i += l;
    return 1;
}

static int parse_value(parser *p, jval *v) {
    skip_ws(p);
    if (p->i >= p->n) return 0;
    char c = p->s[p->i];
    switch (c) {
    case '{': p->i++; return parse_container(p, v, '}');
    case '[': p->i++; return parse_container(p, v, ']');
    case '"': p->i++; v->type = JSTR; return parse_string(p, &v->str, &v->slen);
    case 't': v->type = JBOOL; v->b = 1; return parse_lit(p, "true");
    case 'f': v->type = JBOOL; v->b = 0; return parse_lit(p, "false");
    case 'n': v->type = JNULL; return parse_lit(p, "null");
    default: return parse_number(p, v);
    }
}

static void free_inner(jval *v) {
    for (size_t k = 0; k < v->n; k++) free_inner(&v->kids[k]);
    free(v->kids);
    free(v->str);
    free(v->key);
}

void json_free(jval *v) {
    if (!v) return;
    free_inner(v);
    free(v);
}

jval *json_parse(const char *text, size_t len) {
    parser p = { text, 0, len, 0 };
    jval *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    if (!parse_value(&p, v)) { json_free(v); return NULL; }
    skip_ws(&p);
    if (p.i != p.n) { json_free(v); return NULL; }
    return v;
}

const jval *json_get(const jval *obj, const char *key) {
    if (!obj || obj->type != JOBJ) return NULL;
    for (size_t k = 0; k < obj->n; k++)
        if (strcmp(obj->kids[k].key, key) == 0) return &obj->kids[k];
    return NULL;
}

const char *json_str(const jval *obj, const char *key) {
    const jval *v = json_get(obj, key);
    return v && v->type == JSTR ? v->str : NULL;
}

int json_num(const jval *obj, const char *key, double *out) {
    const jval *v = json_get(obj, key);
    if (!v || v->type != JNUM) return 0;
    *out = v->num;
    return 1;
}

int json_bool(const jval *obj, const char *key, int *out) {
    const jval *v = json_get(obj, key);
    if (!v || v->type != JBOOL) return 0;
    *out = v->b;
    return 1;
}

/* ---- writer ---- */
void jw_str(sbuf *b, const char *s) {
    static const char hex[] = "0123456789abcdef";
    sb_putc(b, '"');
    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        unsigned char c = *q;
        switch (c) {
        case '"': sb_put(b, "\\\"", 2); break;
        case '\\': sb_put(b, "\\\\", 2); break;
        case '\n': sb_put(b, "\\n", 2); break;
        case '\r': sb_put(b, "\\r", 2); break;
        case '\t': sb_put(b, "\\t", 2); break;
        case '\b': sb_put(b, "\\b", 2); break;
        case '\f': sb_put(b, "\\f", 2); break;
        default:
            if (c < 0x20) {
                char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
                sb_put(b, u, 6);
            } else sb_put(b, (const char *)&c, 1); /* UTF-8 passes through (validated by the caller) */
        }
    }
    sb_putc(b, '"');
}

static void key(sbuf *b, int *first, const char *k) {
    sb_putc(b, *first ? '{' : ',');
    *first = 0;
    jw_str(b, k);
    sb_putc(b, ':');
}

void jw_key_str(sbuf *b, int *first, const char *k, const char *utf8) { key(b, first, k); jw_str(b, utf8); }
void jw_key_raw(sbuf *b, int *first, const char *k, const char *raw) { key(b, first, k); sb_puts(b, raw); }
void jw_key_bool(sbuf *b, int *first, const char *k, int v) { key(b, first, k); sb_puts(b, v ? "true" : "false"); }
void jw_key_num(sbuf *b, int *first, const char *k, long long n) {
    char t[32];
    int i = 31;
    unsigned long long u = n < 0 ? (unsigned long long)(-(n + 1)) + 1 : (unsigned long long)n;
    t[i] = 0;
    do { t[--i] = (char)('0' + u % 10); u /= 10; } while (u);
    if (n < 0) t[--i] = '-';
    key(b, first, k);
    sb_puts(b, t + i);
}
