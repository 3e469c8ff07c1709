/* Internal declarations of libmedsign: platform macros, growable buffers, JSON, HTTP, text. */
#ifndef MEDSIGN_INTERNAL_H
#define MEDSIGN_INTERNAL_H

#include <stddef.h>
#include <wchar.h>

#if defined(_MSC_VER)
#  define MS_THREAD_LOCAL __declspec(thread)
#else /* gcc/clang, mingw-w64 included (emulated TLS there, from the static libgcc) */
#  define MS_THREAD_LOCAL _Thread_local
#endif

/* ---- growable byte buffer (always NUL-terminated when len > 0 or after sb_cstr) ---- */
typedef struct {
    char *p;
    size_t len, cap;
    int oom; /* a failed allocation happened: the content is incomplete */
} sbuf;

void sb_init(sbuf *b);
void sb_free(sbuf *b);
void sb_put(sbuf *b, const char *s, size_t n);
void sb_puts(sbuf *b, const char *s);
void sb_putc(sbuf *b, char c);
const char *sb_cstr(sbuf *b); /* "" when empty; NULL on out-of-memory */
char *sb_take(sbuf *b);       /* the malloc'd string (caller frees); NULL on out-of-memory */

/* ---- JSON ---- */
typedef enum { JNULL, JBOOL, JNUM, JSTR, JARR, JOBJ } jtype;
typedef struct jval {
    jtype type;
    int b;
    double num;
    char *str;        /* JSTR: unescaped UTF-8, NUL-terminated */
    size_t slen;
    char *key;        /* member name when inside an object */
    struct jval *kids; /* JARR/JOBJ: array of n children */
    size_t n;
} jval;

jval *json_parse(const char *text, size_t len); /* NULL when not valid JSON */
void json_free(jval *v);
const jval *json_get(const jval *obj, const char *key); /* NULL unless obj is an object with key */
const char *json_str(const jval *obj, const char *key); /* the string member, or NULL */
int json_num(const jval *obj, const char *key, double *out); /* 1 when a number member */
int json_bool(const jval *obj, const char *key, int *out);   /* 1 when a boolean member */

/* writer: appends to an sbuf */
void jw_str(sbuf *b, const char *utf8); /* a quoted, escaped string */
void jw_key_str(sbuf *b, int *first, const char *key, const char *utf8);
void jw_key_num(sbuf *b, int *first, const char *key, long long n);
void jw_key_bool(sbuf *b, int *first, const char *key, int v);
void jw_key_raw(sbuf *b, int *first, const char *key, const char *raw);

/* ---- HTTP to the agent ---- */
typedef struct {
    int status;        /* HTTP status, 0 when no reply */
    sbuf body;
} http_reply;

/* SOR_OK, SOR_NotInitializeErr (cannot connect), SOR_TimeoutErr, SOR_UnknownErr (broken reply),
 * SOR_MemoryErr; *detail gets a static English description on failure. */
unsigned long http_post(int port, long timeout_ms, const char *path, const char *body, size_t body_len, http_reply *reply, const char **detail);
void http_reply_free(http_reply *r);
void http_close_thread_connection(void);
#if defined(_WIN32)
void http_unload(void); /* at FreeLibrary: gives the per-thread connection slot (FLS) up */
#endif

/* ---- text: the code page / wchar_t <-> UTF-8 ---- */
int utf8_valid(const char *s, size_t n);
char *acp_to_utf8(const char *s);        /* malloc'd; NULL when not convertible */
char *utf8_to_acp(const char *s);        /* malloc'd; unconvertible characters become '?' */
char *wide_to_utf8(const wchar_t *s);    /* malloc'd; NULL on an invalid sequence */
wchar_t *utf8_to_wide(const char *s);    /* malloc'd */

#endif
