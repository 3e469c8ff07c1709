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
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include "medsign.h"
#if !defined(_WIN32)
#  include <arpa/inet.h>
#  include <netinet/in.h>
#  include <sys/socket.h>
#  include <unistd.h>
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

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

/* UTF-8 -> wchar_t, for comparing the W outputs with the A ones (UTF-8 on Linux) */
static void to_wide(const char *s, wchar_t *w, size_t cap) {
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
    s->rc = SOF_SignData(cert_id, "线程签名 thread signing", s->sig, &len);
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
    struct timespec ts = { 0, 100 * 1000000L };
    nanosleep(&ts, NULL); /* the server closes the idle connection meanwhile */
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
    snprintf(name, sizeof name, "%s", name_s);
    static char buf[65536], buf2[65536], msg[65536];
    static wchar_t wbuf[65536];
    long len;
    unsigned long rc;

    printf("TAP version 13\n");
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
    to_wide(buf, (wchar_t *)buf2, sizeof buf2 / sizeof(wchar_t));
    ok(rc == SOR_OK && wcscmp(wbuf, (wchar_t *)buf2) == 0, "SOF_GetUserListW gives the same as A (Chinese names)");

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
    const char *text = "病程记录：患者今日查房，生命体征平稳。Ünïcödé 𝄞 \"q\" \\ tab\tend";
    const wchar_t *wtext = L"病程记录：患者今日查房，生命体征平稳。Ünïcödé 𝄞 \"q\" \\ tab\tend";
    static char sig_a[4096];
    len = sizeof sig_a;
    rc = SOF_SignData(cert_id, text, sig_a, &len);
    phone_sessions++;
    ok(rc == SOR_OK && len == 344, "SOF_SignData (A): a 2048-bit signature, 344 base64 characters");
    print_hex("text-hex", text);
    printf("# signature %s\n", sig_a);
    wchar_t wcert[64];
    to_wide(cert_id, wcert, 64);
    len = sizeof wbuf / sizeof *wbuf;
    rc = SOF_SignDataW(wcert, wtext, wbuf, &len);
    phone_sessions++;
    to_wide(sig_a, (wchar_t *)buf2, sizeof buf2 / sizeof(wchar_t));
    ok(rc == SOR_OK && wcscmp(wbuf, (wchar_t *)buf2) == 0, "SOF_SignDataW: the same signature as A for the same text");

    ok(SOF_VerifySignedData(cert_id, text, sig_a) == SOR_OK, "SOF_VerifySignedData: valid");
    ok(SOF_VerifySignedDataW(wcert, wtext, wbuf) == SOR_OK, "SOF_VerifySignedDataW: valid");
    rc = SOF_VerifySignedData(cert_id, "病程记录：被改过", sig_a);
    ok(rc == SOR_VerifySignDataErr && SOF_GetLastError() == SOR_VerifySignDataErr, "SOF_VerifySignedData: changed text is SOR_VerifySignDataErr");

    /* a too-small buffer on a signing call: the code, the size, and the retry does not ask the phone again */
    len = 10;
    rc = SOF_SignData(cert_id, "补签 buffer", buf, &len);
    phone_sessions++;
    ok(rc == MS_BUFFER_TOO_SMALL && len == 345 && SOF_GetLastError() == MS_BUFFER_TOO_SMALL, "SOF_SignData, 10-byte buffer: MS_BUFFER_TOO_SMALL, needs 345");
    {
        char m2[512];
        long l2 = sizeof m2;
        ok(SOF_GetLastErrMsg(m2, &l2) == SOR_OK && strstr(m2, "345") != NULL, "SOF_GetLastErrMsg explains the size");
    }
    double t0 = now_ms();
    len = sizeof buf;
    rc = SOF_SignData(cert_id, "补签 buffer", buf, &len);
    ok(rc == SOR_OK && len == 344 && SOF_VerifySignedData(cert_id, "补签 buffer", buf) == SOR_OK, "the retry with a big buffer returns the kept signature");
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
    ok(SOF_VerifySignedMessageW(wbuf, L"别的文本") == SOR_VerifySignDataErr, "SOF_VerifySignedMessageW detached with other text: SOR_VerifySignDataErr");
    ok(SOF_SignMessage(7, cert_id, text, p7, &len) == SOR_ParameterNotSupportErr, "SOF_SignMessage flag 7 is SOR_ParameterNotSupportErr");

    /* batch */
    len = sizeof buf;
    rc = MS_SignBatch(cert_id, "第一条|second|第三条|", "|", buf, &len);
    phone_sessions++;
    {
        int good = rc == SOR_OK;
        const char *items[3] = { "第一条", "second", "第三条" };
        char *save = NULL, *tok = good ? strtok_r(buf, "|", &save) : NULL;
        int k = 0;
        for (; good && tok; tok = strtok_r(NULL, "|", &save), k++) good = k < 3 && strlen(tok) == 344 && SOF_VerifySignedData(cert_id, items[k], tok) == SOR_OK;
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
    ok(SOF_SignData(cert_id, "bad \xC3\x28 utf-8", buf, &len) == SOR_IndataErr, "invalid text in the code page (UTF-8 here): SOR_IndataErr");

    /* per-thread last error, and the verification code while another thread waits */
    {
        unsigned long fresh = 1234;
        pthread_t th;
        ok(SOF_GetLastError() == SOR_IndataErr, "main thread keeps its last error");
        pthread_create(&th, NULL, fresh_thread, &fresh);
        pthread_join(th, NULL);
        ok(fresh == SOR_OK && SOF_GetLastError() == SOR_IndataErr, "SOF_GetLastError is per thread");

        struct signer s;
        memset(&s, 0, sizeof s);
        char code[64] = "";
        pthread_create(&th, NULL, sign_thread, &s);
        phone_sessions++;
        double end = now_ms() + 15000;
        while (!code[0] && now_ms() < end) {
            long cl = sizeof code;
            if (MS_GetVerificationCode(code, &cl) != SOR_OK) break;
            if (!code[0]) {
                struct timespec ts = { 0, 5 * 1000000L };
                nanosleep(&ts, NULL);
            }
        }
        pthread_join(th, NULL);
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

#if !defined(_WIN32)
    /* a server that accepts connections and never answers: SOR_TimeoutErr after MS_SetTimeout */
    {
        int ls = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(0x7F000001);
        socklen_t al = sizeof a;
        int good = ls >= 0 && bind(ls, (struct sockaddr *)&a, sizeof a) == 0 && listen(ls, 4) == 0 && getsockname(ls, (struct sockaddr *)&a, &al) == 0;
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
        if (ls >= 0) close(ls);
    }
#endif

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
