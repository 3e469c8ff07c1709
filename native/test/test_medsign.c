/*
 * test_medsign: libmedsign against a live agent (+ cloud + phone), TAP output.
 *
 *   test_medsign <agentPort> <certId> <expectedName> <deadPort>
 * (or MEDSIGN_TEST_PORT, MEDSIGN_TEST_CERTID, MEDSIGN_TEST_NAME, MEDSIGN_TEST_DEAD_PORT).
 * The certId must be a logged-in RSA certificate (PKCS#1 v1.5 is deterministic, so the A and
 * W variants must give the same signature) whose phone approves automatically.
 * Uses only the public header. Prints "# key value" lines for the driving test: the text
 * signed (hex of its UTF-8 bytes), a signature, the verification code seen, and how many
 * phone approvals the run asked for. Exit code 0 only when every check passed.
 *
 * Also built for Windows (mingw-w64, `make win-tests`, run under wine by windows.test.ts): there
 * the A strings are in the system code page (CP_ACP). The name may be given as `hex:<UTF-8 hex>`
 * (wine's conversion of a Unix argv depends on the locale). When the code page cannot hold the
 * Chinese test text, the A calls sign an ASCII text and the Chinese text goes through W only
 * ("# acp <n>" and "# a-text ascii|chinese" say which).
 */
#if !defined(_WIN32)
#  define _POSIX_C_SOURCE 200809L
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include "medsign.h"
#if defined(_WIN32)
#  define WIN32_LEAN_AND_MEAN
#  include <winsock2.h>
#  include <windows.h>
typedef HANDLE thread_t;
typedef SOCKET sock_t;
#  define sock_close closesocket
static void sleep_ms(long ms) { Sleep((DWORD)ms); }
static double now_ms(void) { return (double)GetTickCount64(); }
static DWORD WINAPI thread_tramp(LPVOID a) { void **f = a; ((void *(*)(void *))f[0])(f[1]); free(f); return 0; }
static void thread_run(thread_t *t, void *(*fn)(void *), void *arg) {
    void **f = malloc(2 * sizeof *f);
    f[0] = (void *)fn; f[1] = arg;
    *t = CreateThread(NULL, 0, thread_tramp, f, 0, NULL);
}
static void thread_join(thread_t t) { WaitForSingleObject(t, INFINITE); CloseHandle(t); }
#else
#  include <arpa/inet.h>
#  include <netinet/in.h>
#  include <pthread.h>
#  include <sys/socket.h>
#  include <unistd.h>
typedef pthread_t thread_t;
typedef int sock_t;
#  define sock_close close
static void sleep_ms(long ms) { struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L }; nanosleep(&ts, NULL); }
static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}
static void thread_run(thread_t *t, void *(*fn)(void *), void *arg) { pthread_create(t, NULL, fn, arg); }
static void thread_join(thread_t t) { pthread_join(t, NULL); }
#endif

static int n_test, n_fail, phone_sessions;
static char cert_id[64], name[256];

static void ok(int cond, const char *what) {
    n_test++;
    if (!cond) n_fail++;
    printf("%s %d - %s\n", cond ? "ok" : "not ok", n_test, what);
    if (!cond) {
        char msg[1024];
        long len = sizeof msg;
        if (SOF_GetLastErrMsg(msg, &len) == SOR_OK) printf("#   last error 0x%08lX: %s\n", SOF_GetLastError(), msg);
    }
    fflush(stdout);
}

/* UTF-8 -> wchar_t (UTF-32 on Linux; on Windows through MultiByteToWideChar) */
static void utf8_to_w(const char *s, wchar_t *w, size_t cap) {
#if defined(_WIN32)
    if (MultiByteToWideChar(CP_UTF8, 0, s, -1, w, (int)cap) <= 0) w[0] = 0;
    return;
#endif
    size_t k = 0;
    const unsigned char *u = (const unsigned char *)s;
    while (*u && k + 1 < cap) {
        unsigned cp;
        if (*u < 0x80) cp = *u++;
        else if ((*u & 0xE0) == 0xC0) { cp = (unsigned)(*u++ & 0x1F) << 6; cp |= *u++ & 0x3F; }
        else if ((*u & 0xF0) == 0xE0) { cp = (unsigned)(*u++ & 0x0F) << 12; cp |= (unsigned)(*u++ & 0x3F) << 6; cp |= *u++ & 0x3F; }
        else { cp = (unsigned)(*u++ & 0x07) << 18; cp |= (unsigned)(*u++ & 0x3F) << 12; cp |= (unsigned)(*u++ & 0x3F) << 6; cp |= *u++ & 0x3F; }
        w[k++] = (wchar_t)cp;
    }
    w[k] = 0;
}

/* an A string (the code page: UTF-8 on Linux, CP_ACP on Windows) -> wchar_t, to compare W outputs with A ones */
static void to_wide(const char *s, wchar_t *w, size_t cap) {
#if defined(_WIN32)
    if (MultiByteToWideChar(CP_ACP, 0, s, -1, w, (int)cap) <= 0) w[0] = 0;
#else
    utf8_to_w(s, w, cap);
#endif
}

/* UTF-8 -> an A string; returns 0 when the code page lacks a character (then '?' stands for it,
 * as the library does) */
static int utf8_to_a(const char *s, char *a, size_t cap) {
#if defined(_WIN32)
    static wchar_t w[65536];
    BOOL lossy = FALSE;
    utf8_to_w(s, w, sizeof w / sizeof *w);
    UINT acp = GetACP();
    int n = WideCharToMultiByte(CP_ACP, 0, w, -1, a, (int)cap, NULL, acp == CP_UTF8 ? NULL : &lossy);
    if (n <= 0) { a[0] = 0; return 0; }
    return !lossy;
#else
    snprintf(a, cap, "%s", s);
    return 1;
#endif
}

/* strtok_r is not in every C library */
static char *split_next(char **cur, char sep) {
    char *t = *cur;
    if (!t || !*t) return NULL;
    char *e = strchr(t, sep);
    if (e) { *e = 0; *cur = e + 1; } else *cur = t + strlen(t);
    return t;
}

static void print_hex(const char *label, const char *s) {
    printf("# %s ", label);
    for (const unsigned char *u = (const unsigned char *)s; *u; u++) printf("%02x", *u);
    printf("\n");
}

/* ---- a signing thread, while the main thread reads the verification code ---- */
struct signer { unsigned long rc, err_after; char sig[4096]; };
static void *sign_thread(void *arg) {
    struct signer *s = arg;
    long len = sizeof s->sig;
    s->rc = SOF_SignData(cert_id, "thread signing", s->sig, &len);
    s->err_after = SOF_GetLastError();
    return NULL;
}
static void *fresh_thread(void *arg) {
    *(unsigned long *)arg = SOF_GetLastError();
    return NULL;
}

/* --fake <port>: the HTTP client against a scripted server (native.test.ts): Content-Length,
 * chunked, a kept-alive connection the server closed meanwhile, an error reply, a non-JSON reply */
static int fake_mode(long port) {
    char buf[256];
    long len;
    unsigned long rc;
    printf("TAP version 13\n");
    MS_SetAgentPort(port);
    len = sizeof buf;
    rc = SOF_GetVersion(buf, &len);
    ok(rc == SOR_OK && strcmp(buf, "fake-1") == 0, "Content-Length reply");
    len = sizeof buf;
    rc = SOF_GetVersion(buf, &len);
    ok(rc == SOR_OK && strcmp(buf, "fake-2 \xE5\x88\x86\xE5\x9D\x97 \xF0\x9D\x84\x9E") == 0, "chunked reply, \\uXXXX and a surrogate pair unescaped to UTF-8");
    sleep_ms(100); /* the server closes the idle connection meanwhile */
    len = sizeof buf;
    rc = SOF_GetVersion(buf, &len);
    ok(rc == SOR_OK && strcmp(buf, "fake-3") == 0, "the server had closed the kept-alive connection: reconnected once, request sent again");
    len = sizeof buf;
    rc = SOF_GetVersion(buf, &len);
    ok(rc == SOR_SignDataErr && SOF_GetLastError() == SOR_SignDataErr, "HTTP 409 {sor}: the agent's SOR code");
    len = sizeof buf;
    rc = SOF_GetVersion(buf, &len);
    ok(rc == SOR_UnknownErr, "a reply that is not JSON: SOR_UnknownErr");
    printf("1..%d\n", n_test);
    return n_fail ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc > 2 && strcmp(argv[1], "--fake") == 0) return fake_mode(atol(argv[2]));
    const char *port_s = argc > 1 ? argv[1] : getenv("MEDSIGN_TEST_PORT");
    const char *cert_s = argc > 2 ? argv[2] : getenv("MEDSIGN_TEST_CERTID");
    const char *name_s = argc > 3 ? argv[3] : getenv("MEDSIGN_TEST_NAME");
    const char *dead_s = argc > 4 ? argv[4] : getenv("MEDSIGN_TEST_DEAD_PORT");
    if (!port_s || !cert_s || !name_s || !dead_s) {
        fprintf(stderr, "usage: test_medsign <agentPort> <certId> <expectedName> <deadPort>\n");
        return 2;
    }
    long port = atol(port_s), dead = atol(dead_s);
    snprintf(cert_id, sizeof cert_id, "%s", cert_s);
    static char name_utf8[256];
    if (strncmp(name_s, "hex:", 4) == 0) {
        size_t k = 0;
        for (const char *h = name_s + 4; h[0] && h[1] && k + 1 < sizeof name_utf8; h += 2) {
            unsigned v;
            if (sscanf(h, "%2x", &v) != 1) break;
            name_utf8[k++] = (char)v;
        }
        name_utf8[k] = 0;
    } else {
        snprintf(name_utf8, sizeof name_utf8, "%s", name_s); /* Linux: UTF-8; Windows: ASCII expected */
    }
    utf8_to_a(name_utf8, name, sizeof name);
    static char buf[65536], buf2[65536], msg[65536];
    static wchar_t wbuf[65536];
    long len;
    unsigned long rc;

    printf("TAP version 13\n");
#if defined(_WIN32)
    printf("# acp %u\n", GetACP());
#endif
    ok(MS_SetAgentPort(port) == SOR_OK, "MS_SetAgentPort");
    ok(MS_SetAgentPort(0) == SOR_IndataErr && SOF_GetLastError() == SOR_IndataErr, "MS_SetAgentPort(0) is SOR_IndataErr");

    /* version */
    len = sizeof buf;
    rc = SOF_GetVersion(buf, &len);
    ok(rc == SOR_OK && len > 0 && (long)strlen(buf) == len && SOF_GetLastError() == SOR_OK, "SOF_GetVersion");
    printf("# version %s\n", buf);
    len = sizeof wbuf / sizeof *wbuf;
    rc = SOF_GetVersionW(wbuf, &len);
    to_wide(buf, (wchar_t *)buf2, sizeof buf2 / sizeof(wchar_t));
    ok(rc == SOR_OK && wcscmp(wbuf, (wchar_t *)buf2) == 0 && len == (long)wcslen(wbuf), "SOF_GetVersionW gives the same as A");

    /* too-small buffers: the documented code and the needed length, NUL included */
    long need = 0;
    rc = SOF_GetVersion(NULL, &need);
    ok(rc == MS_BUFFER_TOO_SMALL && need == (long)strlen(buf) + 1 && SOF_GetLastError() == MS_BUFFER_TOO_SMALL, "SOF_GetVersion(NULL) returns MS_BUFFER_TOO_SMALL and the size");
    len = 1;
    rc = SOF_GetVersionW(wbuf, &len);
    ok(rc == MS_BUFFER_TOO_SMALL && len == (long)strlen(buf) + 1, "SOF_GetVersionW with 1 unit: MS_BUFFER_TOO_SMALL and the size in wchar_t");

    /* user list */
    len = sizeof buf;
    rc = SOF_GetUserList(buf, &len);
    char expect[512];
    snprintf(expect, sizeof expect, "%s||%s&&&", name, cert_id);
    ok(rc == SOR_OK && strstr(buf, expect) != NULL, "SOF_GetUserList has name||certId&&&");
    {
        /* the format: every entry name||certId, every entry ended by &&& */
        int good = len >= 3 && strcmp(buf + len - 3, "&&&") == 0;
        for (char *e = buf; good && *e;) {
            char *end = strstr(e, "&&&");
            char *bar = strstr(e, "||");
            good = end && bar && bar < end && bar > e;
            if (good) e = end + 3;
        }
        ok(good, "SOF_GetUserList format: (name||certId&&&)+");
    }
    printf("# userlist %s\n", buf);
    len = sizeof wbuf / sizeof *wbuf;
    rc = SOF_GetUserListW(wbuf, &len);
    {
        /* W has the real name whatever the code page; W == A when the code page holds the names */
        static char eu[512];
        static wchar_t we[512];
        snprintf(eu, sizeof eu, "%s||%s&&&", name_utf8, cert_id);
        utf8_to_w(eu, we, 512);
        static char a2[512];
        int lossless = utf8_to_a(name_utf8, a2, sizeof a2);
        to_wide(buf, (wchar_t *)buf2, sizeof buf2 / sizeof(wchar_t));
        ok(rc == SOR_OK && wcsstr(wbuf, we) != NULL && (!lossless || wcscmp(wbuf, (wchar_t *)buf2) == 0), "SOF_GetUserListW has the name in wchar_t and gives the same as A when the code page holds it (Chinese names)");
    }

    /* certificate */
    len = sizeof buf;
    rc = SOF_ExportUserCert(cert_id, buf, &len);
    ok(rc == SOR_OK && strncmp(buf, "MII", 3) == 0, "SOF_ExportUserCert: base64 DER");
    len = sizeof buf2;
    rc = SOF_GetCertInfo(cert_id, 0x31, buf2, &len);
    ok(rc == SOR_OK && strcmp(buf2, name) == 0, "SOF_GetCertInfo(certId, SGD_CERT_SUBJECT_CN) is the doctor's name");
    len = sizeof buf2;
    rc = SOF_GetCertInfo(buf, 0x31, buf2, &len);
    ok(rc == SOR_OK && strcmp(buf2, name) == 0, "SOF_GetCertInfo(cert by value, SUBJECT_CN)");
    long vres = 99;
    rc = SOF_ValidateCert(buf, &vres);
    ok(rc == SOR_OK && vres == 0, "SOF_ValidateCert: 0 (valid)");

    /* sign method */
    long m = 0;
    ok(SOF_SetSignMethod(SGD_SHA256_RSA) == SOR_OK && SOF_GetSignMethod(&m) == SOR_OK && m == SGD_SHA256_RSA, "SOF_SetSignMethod / SOF_GetSignMethod SGD_SHA256_RSA");
    ok(SOF_SetSignMethod(12345) == SOR_ParameterNotSupportErr, "SOF_SetSignMethod(unknown) is SOR_ParameterNotSupportErr");

    /* random */
    len = sizeof buf2;
    rc = SOF_GenRandom(16, buf2, &len);
    ok(rc == SOR_OK && len == 24, "SOF_GenRandom(16): 24 base64 characters");

    /* login (SOF_Login by certId: a push to the phone, which approves) */
    rc = SOF_Login(cert_id, "");
    phone_sessions++;
    ok(rc == SOR_OK, "SOF_Login(certId) after the phone approved");

    /* SOF_SignData through A and W: the same UTF-8 bytes, the same RSA PKCS#1 v1.5 signature */
    const char *text_utf8 = "病程记录：患者今日查房，生命体征平稳。Ünïcödé 𝄞 \"q\" \\ tab\tend";
    const wchar_t *wtext_full = L"病程记录：患者今日查房，生命体征平稳。Ünïcödé 𝄞 \"q\" \\ tab\tend";
    /* GB 2312 / GBK lacks 𝄞 and some Latin letters: the Chinese text a GBK code page holds */
    const char *text_gbk_utf8 = "病程记录：患者今日查房，生命体征平稳。 \"q\" \\ tab\tend";
    const char *text_ascii = "Progress note: patient stable. \"q\" \\ tab\tend";
    static char text_a[4096];
    static wchar_t wtext_buf[4096];
    const char *a_kind = "chinese";
    if (!utf8_to_a(text_utf8, text_a, sizeof text_a)) {
        if (utf8_to_a(text_gbk_utf8, text_a, sizeof text_a)) { text_utf8 = text_gbk_utf8; a_kind = "chinese-gbk"; }
        else { text_utf8 = text_ascii; utf8_to_a(text_ascii, text_a, sizeof text_a); a_kind = "ascii"; }
    }
    printf("# a-text %s\n", a_kind);
    utf8_to_w(text_utf8, wtext_buf, sizeof wtext_buf / sizeof *wtext_buf);
    const char *text = text_a;
    const wchar_t *wtext = wtext_buf;
    static char sig_a[4096];
    /* what the phone shows for the next signing call: in the code page, like the text */
    static char summary_a[512];
    const char *summary_utf8 = "医嘱 #1024 张三：阿司匹林 100 mg 口服";
    if (!utf8_to_a(summary_utf8, summary_a, sizeof summary_a)) { summary_utf8 = "order #1024: aspirin 100 mg"; utf8_to_a(summary_utf8, summary_a, sizeof summary_a); }
    {
        static char too_long[1024];
        memset(too_long, 'x', 201);
        too_long[201] = 0;
        ok(MS_SetSignSummary(too_long) == SOR_IndataLenErr, "MS_SetSignSummary: more than 200 characters is SOR_IndataLenErr");
    }
    ok(MS_SetSignSummary(summary_a) == SOR_OK, "MS_SetSignSummary (A)");
    print_hex("summary-hex", summary_utf8);
    len = sizeof sig_a;
    rc = SOF_SignData(cert_id, text, sig_a, &len);
    phone_sessions++;
    ok(rc == SOR_OK && len == 344, "SOF_SignData (A): a 2048-bit signature, 344 base64 characters");
    print_hex("text-hex", text_utf8);
    printf("# signature %s\n", sig_a);
    wchar_t wcert[64];
    to_wide(cert_id, wcert, 64);
    len = sizeof wbuf / sizeof *wbuf;
    rc = SOF_SignDataW(wcert, wtext, wbuf, &len);
    phone_sessions++;
    to_wide(sig_a, (wchar_t *)buf2, sizeof buf2 / sizeof(wchar_t));
    ok(rc == SOR_OK && wcscmp(wbuf, (wchar_t *)buf2) == 0, "SOF_SignDataW: the same signature as A for the same text");

    if (wcscmp(wtext, wtext_full) != 0) {
        /* the code page cannot hold the full text: sign it through W only (openssl checks it too) */
        static wchar_t wsig[4096];
        long wl = sizeof wsig / sizeof *wsig;
        rc = SOF_SignDataW(wcert, wtext_full, wsig, &wl);
        phone_sessions++;
        ok(rc == SOR_OK && wl == 344 && SOF_VerifySignedDataW(wcert, wtext_full, wsig) == SOR_OK, "SOF_SignDataW with the full Unicode text (the code page lacks some of it)");
        printf("# w-signature ");
        for (long i = 0; i < wl; i++) putchar((char)wsig[i]);
        printf("\n");
    }
    ok(SOF_VerifySignedData(cert_id, text, sig_a) == SOR_OK, "SOF_VerifySignedData: valid");
    ok(SOF_VerifySignedDataW(wcert, wtext, wbuf) == SOR_OK, "SOF_VerifySignedDataW: valid");
    {
        static char changed[256];
        utf8_to_a("病程记录：被改过", changed, sizeof changed);
        rc = SOF_VerifySignedData(cert_id, changed, sig_a);
    }
    ok(rc == SOR_VerifySignDataErr && SOF_GetLastError() == SOR_VerifySignDataErr, "SOF_VerifySignedData: changed text is SOR_VerifySignDataErr");

    /* a too-small buffer on a signing call: the code, the size, and the retry does not ask the phone again */
    len = 10;
    rc = SOF_SignData(cert_id, "buffer", buf, &len);
    phone_sessions++;
    ok(rc == MS_BUFFER_TOO_SMALL && len == 345 && SOF_GetLastError() == MS_BUFFER_TOO_SMALL, "SOF_SignData, 10-byte buffer: MS_BUFFER_TOO_SMALL, needs 345");
    {
        char m2[512];
        long l2 = sizeof m2;
        ok(SOF_GetLastErrMsg(m2, &l2) == SOR_OK && strstr(m2, "345") != NULL, "SOF_GetLastErrMsg explains the size");
    }
    double t0 = now_ms();
    len = sizeof buf;
    rc = SOF_SignData(cert_id, "buffer", buf, &len);
    ok(rc == SOR_OK && len == 344 && SOF_VerifySignedData(cert_id, "buffer", buf) == SOR_OK, "the retry with a big buffer returns the kept signature");
    printf("# retry-ms %.1f\n", now_ms() - t0);

    /* PKCS#7 */
    static char p7[65536];
    len = sizeof p7;
    rc = SOF_SignMessage(MS_SIGN_ATTACHED, cert_id, text, p7, &len);
    phone_sessions++;
    ok(rc == SOR_OK && len > 1000, "SOF_SignMessage attached");
    printf("# signed-message %s\n", p7);
    ok(SOF_VerifySignedMessage(p7, NULL) == SOR_OK, "SOF_VerifySignedMessage attached: valid");
    len = sizeof buf;
    rc = SOF_GetInfoFromSignedMessage(p7, 1, buf, &len);
    ok(rc == SOR_OK && len > 0, "SOF_GetInfoFromSignedMessage type 1 (content, base64)");
    len = sizeof wbuf / sizeof *wbuf;
    rc = SOF_SignMessageW(MS_SIGN_DETACHED, wcert, wtext, wbuf, &len);
    phone_sessions++;
    ok(rc == SOR_OK, "SOF_SignMessageW detached");
    ok(SOF_VerifySignedMessageW(wbuf, wtext) == SOR_OK, "SOF_VerifySignedMessageW detached with the text: valid");
    ok(SOF_VerifySignedMessageW(wbuf, L"\x522b\x7684\x6587\x672c") == SOR_VerifySignDataErr, "SOF_VerifySignedMessageW detached with other text: SOR_VerifySignDataErr");
    ok(SOF_SignMessage(7, cert_id, text, p7, &len) == SOR_ParameterNotSupportErr, "SOF_SignMessage flag 7 is SOR_ParameterNotSupportErr");

    /* batch */
    len = sizeof buf;
    static char items[3][64], joined[256];
    utf8_to_a("第一条", items[0], 64);
    utf8_to_a("second", items[1], 64);
    utf8_to_a("第三条", items[2], 64);
    snprintf(joined, sizeof joined, "%s|%s|%s|", items[0], items[1], items[2]);
    rc = MS_SignBatch(cert_id, joined, "|", buf, &len);
    phone_sessions++;
    {
        int good = rc == SOR_OK;
        char *cur = buf, *tok = good ? split_next(&cur, '|') : NULL;
        int k = 0;
        for (; good && tok; tok = split_next(&cur, '|'), k++) good = k < 3 && strlen(tok) == 344 && SOF_VerifySignedData(cert_id, items[k], tok) == SOR_OK;
        ok(good && k == 3, "MS_SignBatch: 3 items, one approval, 3 signatures joined by the separator, each valid");
    }
    ok(MS_SignBatch(cert_id, "a", "AB", buf, &len) == SOR_IndataErr, "MS_SignBatch refuses a separator made of base64 characters");

    /* errors from the agent keep its SOR code and message */
    len = sizeof buf;
    rc = SOF_SignData("ABCDEF0123", "x", buf, &len);
    {
        long l2 = sizeof msg;
        SOF_GetLastErrMsg(msg, &l2);
        ok(rc == SOR_CertNotFountErr && SOF_GetLastError() == SOR_CertNotFountErr && strstr(msg, "CERT_NOT_FOUND"), "unknown certId: SOR_CertNotFountErr with the agent's message");
        printf("# message %s\n", msg);
    }
    ok(SOF_SignData(NULL, "x", buf, &len) == SOR_IndataErr, "NULL certId: SOR_IndataErr");
#if defined(_WIN32)
    if (IsDBCSLeadByte(0xC3) || GetACP() == CP_UTF8)
#endif
    ok(SOF_SignData(cert_id, "bad \xC3\x28 utf-8", buf, &len) == SOR_IndataErr, "invalid text in the code page (UTF-8 or a DBCS like GBK): SOR_IndataErr");

    /* per-thread last error, and the verification code while another thread waits */
    {
        unsigned long fresh = 1234;
        thread_t th;
        ok(SOF_GetLastError() == SOR_IndataErr, "main thread keeps its last error");
        thread_run(&th, fresh_thread, &fresh);
        thread_join(th);
        ok(fresh == SOR_OK && SOF_GetLastError() == SOR_IndataErr, "SOF_GetLastError is per thread");

        struct signer s;
        memset(&s, 0, sizeof s);
        char code[64] = "";
        thread_run(&th, sign_thread, &s);
        phone_sessions++;
        double end = now_ms() + 15000;
        while (!code[0] && now_ms() < end) {
            long cl = sizeof code;
            if (MS_GetVerificationCode(code, &cl) != SOR_OK) break;
            if (!code[0]) sleep_ms(5);
        }
        thread_join(th);
        ok(strlen(code) == 4, "MS_GetVerificationCode: the 4-digit code while another thread waits in SOF_SignData");
        printf("# verification-code %s\n", code);
        ok(s.rc == SOR_OK && s.err_after == SOR_OK && strlen(s.sig) == 344, "the signing thread got its signature");
        long cl = sizeof code;
        ok(MS_GetVerificationCode(code, &cl) == SOR_OK && code[0] == 0, "MS_GetVerificationCode: empty when nothing waits");
    }

    /* keep-alive: many small calls on one connection */
    {
        double t = now_ms();
        int good = 1;
        for (int i = 0; i < 200 && good; i++) {
            len = sizeof buf;
            good = SOF_GetVersion(buf, &len) == SOR_OK;
        }
        double per = (now_ms() - t) / 200;
        ok(good, "200 x SOF_GetVersion");
        printf("# getversion-ms %.3f\n", per);
    }

    /* a server that accepts connections and never answers: SOR_TimeoutErr after MS_SetTimeout */
    {
#if defined(_WIN32)
        WSADATA wd;
        WSAStartup(MAKEWORD(2, 2), &wd);
        typedef int socklen_t;
        sock_t ls = socket(AF_INET, SOCK_STREAM, 0);
        int sock_ok = ls != INVALID_SOCKET;
#else
        sock_t ls = socket(AF_INET, SOCK_STREAM, 0);
        int sock_ok = ls >= 0;
#endif
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(0x7F000001);
        socklen_t al = sizeof a;
        int good = sock_ok && bind(ls, (struct sockaddr *)&a, sizeof a) == 0 && listen(ls, 4) == 0 && getsockname(ls, (struct sockaddr *)&a, &al) == 0;
        MS_SetTimeout(300);
        MS_SetAgentPort(ntohs(a.sin_port));
        double t = now_ms();
        len = sizeof buf;
        rc = SOF_GetVersion(buf, &len);
        double took = now_ms() - t;
        ok(good && rc == SOR_TimeoutErr && SOF_GetLastError() == SOR_TimeoutErr && took >= 250 && took < 3000, "a silent server: SOR_TimeoutErr after MS_SetTimeout(300)");
        printf("# timeout-ms %.0f\n", took);
        MS_SetTimeout(0);
        MS_SetAgentPort(port);
        if (sock_ok) sock_close(ls);
    }

    /* the agent down: a clear code, no crash */
    MS_SetAgentPort(dead);
    len = sizeof buf;
    rc = SOF_GetVersion(buf, &len);
    {
        long l2 = sizeof msg;
        SOF_GetLastErrMsg(msg, &l2);
        ok(rc == SOR_NotInitializeErr && SOF_GetLastError() == SOR_NotInitializeErr && strstr(msg, "not running") != NULL, "agent down: SOR_NotInitializeErr and a message");
        printf("# message %s\n", msg);
    }
    len = sizeof buf;
    ok(SOF_SignData(cert_id, "x", buf, &len) == SOR_NotInitializeErr, "agent down: SOF_SignData is SOR_NotInitializeErr too");
    MS_SetAgentPort(port);
    len = sizeof buf;
    ok(SOF_GetVersion(buf, &len) == SOR_OK, "agent back on the right port: SOF_GetVersion works again");

    printf("# phone-sessions %d\n", phone_sessions);
    printf("1..%d\n", n_test);
    printf("# %d failed\n", n_fail);
    return n_fail ? 1 : 0;
}
