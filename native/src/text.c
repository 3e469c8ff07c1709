/*
 * Growable buffers and the string conversions behind the A and W variants:
 *  - A: the system code page. Windows: CP_ACP through MultiByteToWideChar/WideCharToMultiByte
 *    (GBK, code page 936, on Chinese Windows). Elsewhere the "ANSI" code page is UTF-8:
 *    the bytes are checked and passed through.
 *  - W: wchar_t. UTF-16 on Windows (surrogate pairs), UTF-32 elsewhere.
 * Everything inside the library is UTF-8, which is what the agent's JSON carries.
 */
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#if defined(_WIN32)
#  define WIN32_LEAN_AND_MEAN
#  include <windows.h>
#endif

void sb_init(sbuf *b) { memset(b, 0, sizeof *b); }
void sb_free(sbuf *b) { free(b->p); sb_init(b); }

void sb_put(sbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) { b->oom = 1; return; }
        b->p = p;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}
void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }
void sb_putc(sbuf *b, char c) { sb_put(b, &c, 1); }

const char *sb_cstr(sbuf *b) {
    if (b->oom) return NULL;
    if (!b->p) sb_put(b, "", 0);
    return b->oom ? NULL : b->p;
}

char *sb_take(sbuf *b) {
    if (!sb_cstr(b)) { sb_free(b); return NULL; }
    char *p = b->p;
    sb_init(b);
    return p;
}

/* ---- UTF-8 ---- */
/* decodes one code point; returns its length, 0 on an invalid sequence */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp) {
    if (n == 0) return 0;
    unsigned c = s[0];
    if (c < 0x80) { *cp = c; return 1; }
    size_t len;
    unsigned min;
    if ((c & 0xE0) == 0xC0) { len = 2; c &= 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { len = 3; c &= 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { len = 4; c &= 0x07; min = 0x10000; }
    else return 0;
    if (n < len) return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0; /* overlong, too big, surrogate */
    *cp = c;
    return len;
}

int utf8_valid(const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    unsigned cp;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_decode(u + i, n - i, &cp);
        if (!l) return 0;
        i += l;
    }
    return 1;
}

/* wchar_t <-> UTF-8 by hand (UTF-16 when wchar_t is 2 bytes, UTF-32 otherwise) */
static char *wide_to_utf8_portable(const wchar_t *w) {
    sbuf b;
    sb_init(&b);
    for (size_t i = 0; w[i]; i++) {
        unsigned long cp = (unsigned long)w[i];
        if (sizeof(wchar_t) == 2) {
            cp &= 0xFFFF;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned long lo = (unsigned long)w[i + 1] & 0xFFFF;
                if (lo < 0xDC00 || lo > 0xDFFF) goto bad;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i++;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) goto bad;
        } else if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) goto bad;
        char t[4];
        if (cp < 0x80) { t[0] = (char)cp; sb_put(&b, t, 1); }
        else if (cp < 0x800) { t[0] = (char)(0xC0 | (cp >> 6)); t[1] = (char)(0x80 | (cp & 0x3F)); sb_put(&b, t, 2); }
        else if (cp < 0x10000) { t[0] = (char)(0xE0 | (cp >> 12)); t[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); t[2] = (char)(0x80 | (cp & 0x3F)); sb_put(&b, t, 3); }
        else { t[0] = (char)(0xF0 | (cp >> 18)); t[1] = (char)(0x80 | ((cp >> 12) & 0x3F)); t[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); t[3] = (char)(0x80 | (cp & 0x3F)); sb_put(&b, t, 4); }
    }
    return sb_take(&b);
bad:
    sb_free(&b);
    return NULL;
}

static wchar_t *utf8_to_wide_portable(const char *s) {
    size_t n = strlen(s), k = 0;
    wchar_t *w = malloc((n + 1) * sizeof *w); /* never more units than bytes */
    if (!w) return NULL;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t l = utf8_decode(u + i, n - i, &cp);
        if (!l) { cp = 0xFFFD; l = 1; }
        i += l;
        if (sizeof(wchar_t) == 2 && cp >= 0x10000) {
            cp -= 0x10000;
            w[k++] = (wchar_t)(0xD800 + (cp >> 10));
            w[k++] = (wchar_t)(0xDC00 + (cp & 0x3FF));
        } else w[k++] = (wchar_t)cp;
    }
    w[k] = 0;
    return w;
}

#if defined(_WIN32)
static wchar_t *cp_to_wide(UINT cp, const char *s) {
    int n = MultiByteToWideChar(cp, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    if (n <= 0) return NULL;
    wchar_t *w = malloc((size_t)n * sizeof *w);
    if (w && MultiByteToWideChar(cp, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) { free(w); return NULL; }
    return w;
}
static char *wide_to_cp(UINT cp, const wchar_t *w) {
    int n = WideCharToMultiByte(cp, 0, w, -1, NULL, 0, NULL, NULL);
    if (n <= 0) return NULL;
    char *s = malloc((size_t)n);
    if (s && WideCharToMultiByte(cp, 0, w, -1, s, n, NULL, NULL) != n) { free(s); return NULL; }
    return s;
}
char *acp_to_utf8(const char *s) {
    wchar_t *w = cp_to_wide(CP_ACP, s);
    if (!w) return NULL;
    char *u = wide_to_utf8_portable(w);
    free(w);
    return u;
}
char *utf8_to_acp(const char *s) {
    wchar_t *w = utf8_to_wide_portable(s);
    if (!w) return NULL;
    char *a = wide_to_cp(CP_ACP, w);
    free(w);
    return a;
}
#else
static char *dup_n(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) { memcpy(d, s, n); d[n] = 0; }
    return d;
}

char *acp_to_utf8(const char *s) {
    size_t n = strlen(s);
    return utf8_valid(s, n) ? dup_n(s, n) : NULL;
}
char *utf8_to_acp(const char *s) { return dup_n(s, strlen(s)); }
#endif

char *wide_to_utf8(const wchar_t *s) { return wide_to_utf8_portable(s); }
wchar_t *utf8_to_wide(const char *s) { return utf8_to_wide_portable(s); }
