/*
 * A small HTTP/1.1 client for one job: POST a JSON body to the agent on 127.0.0.1:<port>.
 *  - one keep-alive connection per thread, reused; closed after 50 s idle (the agent keeps idle
 *    sockets 65 s), when the port changes, after a timeout, or when the reply says close;
 *  - a reused connection that fails before any byte of the reply arrived (the agent closed it
 *    meanwhile) is reconnected and the request sent once more: the agent never saw it;
 *  - replies with Content-Length, chunked, or read to the close;
 *  - one deadline for the whole call (connect, send, wait, read), enforced with poll on a
 *    non-blocking socket. No signals: MSG_NOSIGNAL (a closed socket is an error, not SIGPIPE).
 */
#if !defined(_WIN32)
#  define _POSIX_C_SOURCE 200809L
#elif !defined(_WIN32_WINNT) || _WIN32_WINNT < 0x0600
#  undef _WIN32_WINNT
#  define _WIN32_WINNT 0x0600 /* Vista: WSAPoll, InitOnceExecuteOnce, FlsAlloc, GetTickCount64 */
#endif
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "../include/medsign.h"

#if defined(_WIN32)
#  define WIN32_LEAN_AND_MEAN
#  include <winsock2.h>
#  include <ws2tcpip.h>
#  include <windows.h>
typedef SOCKET sock_t;
#  define BAD_SOCK INVALID_SOCKET
#  define sock_close closesocket
#  define sock_poll WSAPoll
#  define SEND_FLAGS 0
static int sock_err(void) { return WSAGetLastError(); }
#  define ERR_WOULDBLOCK(e) ((e) == WSAEWOULDBLOCK || (e) == WSAEINPROGRESS)
#  define ERR_INTR(e) ((e) == WSAEINTR)
static unsigned long long now_ms(void) { return GetTickCount64(); }
static int set_nonblocking(sock_t s) { u_long on = 1; return ioctlsocket(s, FIONBIO, &on) == 0; }
static INIT_ONCE wsa_once = INIT_ONCE_STATIC_INIT;
static BOOL CALLBACK wsa_init(PINIT_ONCE o, PVOID p, PVOID *c) {
    WSADATA d;
    (void)o; (void)p; (void)c;
    return WSAStartup(MAKEWORD(2, 2), &d) == 0;
}
static int net_init(void) { return InitOnceExecuteOnce(&wsa_once, wsa_init, NULL, NULL) != 0; }
#else
#  include <errno.h>
#  include <fcntl.h>
#  include <netinet/in.h>
#  include <netinet/tcp.h>
#  include <arpa/inet.h>
#  include <poll.h>
#  include <pthread.h>
#  include <sys/socket.h>
#  include <time.h>
#  include <unistd.h>
typedef int sock_t;
#  define BAD_SOCK (-1)
#  define sock_close close
#  define sock_poll poll
#  define SEND_FLAGS MSG_NOSIGNAL
static int sock_err(void) { return errno; }
#  define ERR_WOULDBLOCK(e) ((e) == EAGAIN || (e) == EWOULDBLOCK || (e) == EINPROGRESS)
#  define ERR_INTR(e) ((e) == EINTR)
static unsigned long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (unsigned long long)t.tv_sec * 1000ULL + (unsigned long long)t.tv_nsec / 1000000ULL;
}
static int set_nonblocking(sock_t s) {
    int f = fcntl(s, F_GETFL, 0);
    return f >= 0 && fcntl(s, F_SETFL, f | O_NONBLOCK) == 0;
}
static int net_init(void) { return 1; }
#endif

#define IDLE_REUSE_MS 50000ULL
#define MAX_HEADER 65536
#define MAX_BODY (512u * 1024u * 1024u)

/* ---- the per-thread connection, closed when the thread ends ---- */
typedef struct {
    sock_t fd;
    int port;
    unsigned long long last_used;
} conn_t;

static void conn_drop(conn_t *c) {
    if (c->fd != BAD_SOCK) sock_close(c->fd);
    c->fd = BAD_SOCK;
}

static void conn_destroy(void *p) {
    if (!p) return;
    conn_drop((conn_t *)p);
    free(p);
}

#if defined(_WIN32)
static DWORD fls_key = FLS_OUT_OF_INDEXES;
static INIT_ONCE fls_once = INIT_ONCE_STATIC_INIT;
static VOID WINAPI fls_cb(PVOID p) { conn_destroy(p); }
static BOOL CALLBACK fls_init(PINIT_ONCE o, PVOID p, PVOID *c) {
    (void)o; (void)p; (void)c;
    fls_key = FlsAlloc(fls_cb);
    return fls_key != FLS_OUT_OF_INDEXES;
}
static conn_t *thread_conn(int create) {
    if (!InitOnceExecuteOnce(&fls_once, fls_init, NULL, NULL)) return NULL;
    conn_t *c = FlsGetValue(fls_key);
    if (!c && create) {
        c = malloc(sizeof *c);
        if (!c) return NULL;
        c->fd = BAD_SOCK; c->port = 0; c->last_used = 0;
        if (!FlsSetValue(fls_key, c)) { free(c); return NULL; }
    }
    return c;
}
/* Give the FLS index up when the DLL is unloaded (FreeLibrary, CoFreeUnusedLibraries): its
   callback would otherwise run in unmapped code when a thread ends. FlsFree runs the callback
   for every fiber that still has a connection, closing it. */
void http_unload(void) {
    if (fls_key != FLS_OUT_OF_INDEXES) {
        FlsFree(fls_key);
        fls_key = FLS_OUT_OF_INDEXES;
    }
}
#  if !defined(MEDSIGN_STATIC) /* medsign.dll; the COM server's DllMain calls http_unload itself */
BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved);
BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved) {
    (void)inst;
    if (reason == DLL_PROCESS_DETACH && reserved == NULL) http_unload(); /* NULL: FreeLibrary, not process exit */
    return TRUE;
}
#  endif
#else
static pthread_key_t conn_key;
static int conn_key_ok;
static pthread_once_t conn_once = PTHREAD_ONCE_INIT;
static void conn_key_init(void) { conn_key_ok = pthread_key_create(&conn_key, conn_destroy) == 0; }
static conn_t *thread_conn(int create) {
    pthread_once(&conn_once, conn_key_init);
    if (!conn_key_ok) return NULL;
    conn_t *c = pthread_getspecific(conn_key);
    if (!c && create) {
        c = malloc(sizeof *c);
        if (!c) return NULL;
        c->fd = BAD_SOCK; c->port = 0; c->last_used = 0;
        if (pthread_setspecific(conn_key, c) != 0) { free(c); return NULL; }
    }
    return c;
}
/* dlclose: the key's destructor would point into unmapped code; give the key up first. */
__attribute__((destructor)) static void conn_key_fini(void) {
    if (conn_key_ok) {
        conn_destroy(pthread_getspecific(conn_key));
        pthread_key_delete(conn_key);
        conn_key_ok = 0;
    }
}
#endif

void http_close_thread_connection(void) {
    conn_t *c = thread_conn(0);
    if (c) conn_drop(c);
}

static int remaining(unsigned long long deadline) {
    unsigned long long t = now_ms();
    if (t >= deadline) return 0;
    unsigned long long r = deadline - t;
    return r > INT_MAX ? INT_MAX : (int)r;
}

/* 1 ready, 0 timed out, -1 error */
static int wait_fd(sock_t fd, short events, unsigned long long deadline) {
    for (;;) {
        int ms = remaining(deadline);
        if (ms == 0) return 0;
        struct pollfd p;
        p.fd = fd;
        p.events = events;
        p.revents = 0;
        int r = sock_poll(&p, 1, ms);
        if (r > 0) return 1;
        if (r == 0) continue; /* re-check the deadline */
        if (!ERR_INTR(sock_err())) return -1;
    }
}

static unsigned long do_connect(conn_t *c, int port, unsigned long long deadline, const char **detail) {
    if (!net_init()) { *detail = "socket library unavailable"; return SOR_NotInitializeErr; }
    sock_t fd = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (fd == BAD_SOCK) { *detail = "cannot create a socket"; return SOR_NotInitializeErr; }
    if (!set_nonblocking(fd)) { sock_close(fd); *detail = "cannot configure the socket"; return SOR_NotInitializeErr; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(0x7F000001); /* 127.0.0.1 */
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        int e = sock_err();
        if (!ERR_WOULDBLOCK(e)) { sock_close(fd); *detail = "connection refused: the agent is not running on this port"; return SOR_NotInitializeErr; }
        int w = wait_fd(fd, POLLOUT, deadline);
        if (w == 0) { sock_close(fd); *detail = "timed out connecting to the agent"; return SOR_TimeoutErr; }
        int err = 0;
        socklen_t len = sizeof err;
        if (w < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, (char *)&err, &len) != 0 || err != 0) {
            sock_close(fd);
            *detail = "connection refused: the agent is not running on this port";
            return SOR_NotInitializeErr;
        }
    }
    c->fd = fd;
    c->port = port;
    return SOR_OK;
}

/* 0 ok, 1 timeout, -1 error */
static int send_all(sock_t fd, const char *p, size_t n, unsigned long long deadline) {
    while (n > 0) {
        int chunk = n > 1u << 20 ? 1 << 20 : (int)n;
        long w = (long)send(fd, p, chunk, SEND_FLAGS);
        if (w > 0) { p += w; n -= (size_t)w; continue; }
        int e = sock_err();
        if (w < 0 && ERR_INTR(e)) continue;
        if (w < 0 && ERR_WOULDBLOCK(e)) {
            int r = wait_fd(fd, POLLOUT, deadline);
            if (r == 0) return 1;
            if (r < 0) return -1;
            continue;
        }
        return -1;
    }
    return 0;
}

static int ieq_prefix(const char *line, size_t n, const char *name) {
    size_t l = strlen(name);
    if (n < l) return 0;
    for (size_t k = 0; k < l; k++) {
        char c = line[k];
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        if (c != name[k]) return 0;
    }
    return 1;
}

static int icontains(const char *s, size_t n, const char *word) {
    size_t l = strlen(word);
    for (size_t i = 0; i + l <= n; i++)
        if (ieq_prefix(s + i, n - i, word)) return 1;
    return 0;
}

/* incremental chunked decoding: 1 complete, 0 need more, -1 malformed */
static int dechunk(const char *d, size_t n, size_t *pos, sbuf *out) {
    for (;;) {
        size_t i = *pos;
        const char *eol = NULL;
        for (size_t k = i; k + 1 < n; k++)
            if (d[k] == '\r' && d[k + 1] == '\n') { eol = d + k; break; }
        if (!eol) return n - i > 1024 ? -1 : 0;
        size_t size = 0;
        int digits = 0;
        for (const char *q = d + i; q < eol; q++) {
            char c = *q;
            int v;
            if (c >= '0' && c <= '9') v = c - '0';
            else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
            else if (c == ';' || c == ' ' || c == '\t') break;
            else return -1;
            if (size > MAX_BODY) return -1;
            size = size * 16 + (size_t)v;
            digits++;
        }
        if (!digits) return -1;
        size_t start = (size_t)(eol - d) + 2;
        if (size == 0) { /* trailer lines, then an empty line */
            for (;;) {
                const char *e2 = NULL;
                for (size_t k = start; k + 1 < n; k++)
                    if (d[k] == '\r' && d[k + 1] == '\n') { e2 = d + k; break; }
                if (!e2) return 0;
                if ((size_t)(e2 - d) == start) { *pos = start + 2; return 1; }
                start = (size_t)(e2 - d) + 2;
            }
        }
        if (out->len + size > MAX_BODY) return -1;
        if (n - start < size + 2) return 0;
        if (d[start + size] != '\r' || d[start + size + 1] != '\n') return -1;
        sb_put(out, d + start, size);
        *pos = start + size + 2;
    }
}

/* reads one reply. SOR_OK; SOR_TimeoutErr; SOR_UnknownErr (closed/broken) with *got_any set if any byte came */
static unsigned long read_reply(sock_t fd, unsigned long long deadline, http_reply *reply, int *keep_alive, int *got_any, const char **detail) {
    sbuf raw;
    sb_init(&raw);
    size_t header_end = 0, chunk_pos = 0;
    long long content_length = -1;
    int chunked = 0, closed = 0, http10 = 0;
    unsigned long rc = SOR_UnknownErr;
    char tmp[65536];
    *got_any = 0;
    *keep_alive = 1;
    for (;;) {
        /* try to finish with what we have */
        if (header_end) {
            const char *b = raw.p + header_end;
            size_t have = raw.len - header_end;
            if (chunked) {
                int r = dechunk(b, have, &chunk_pos, &reply->body);
                if (r < 0) { *detail = "malformed chunked reply"; goto out; }
                if (r > 0) { rc = SOR_OK; goto out; }
            } else if (content_length >= 0) {
                if ((long long)have >= content_length) {
                    sb_put(&reply->body, b, (size_t)content_length);
                    rc = SOR_OK;
                    goto out;
                }
            } else if (closed) {
                sb_put(&reply->body, b, have);
                *keep_alive = 0;
                rc = SOR_OK;
                goto out;
            }
        }
        if (closed) { *detail = *got_any ? "the agent closed the connection mid-reply" : "the agent closed the connection"; goto out; }
        int w = wait_fd(fd, POLLIN, deadline);
        if (w == 0) { rc = SOR_TimeoutErr; *detail = "timed out waiting for the agent (MS_SetTimeout)"; goto out; }
        if (w < 0) { *detail = "socket error"; goto out; }
        long r = (long)recv(fd, tmp, sizeof tmp, 0);
        if (r < 0) {
            int e = sock_err();
            if (ERR_INTR(e) || ERR_WOULDBLOCK(e)) continue;
            closed = 1; /* reset: treat as closed */
            if (!*got_any) { *detail = "the agent reset the connection"; goto out; }
            continue;
        }
        if (r == 0) { closed = 1; continue; }
        *got_any = 1;
        sb_put(&raw, tmp, (size_t)r);
        if (raw.oom) { rc = SOR_MemoryErr; *detail = "out of memory"; goto out; }
        if (!header_end) {
            const char *e = NULL;
            for (size_t k = 3; k < raw.len; k++)
                if (raw.p[k - 3] == '\r' && raw.p[k - 2] == '\n' && raw.p[k - 1] == '\r' && raw.p[k] == '\n') { e = raw.p + k + 1; break; }
            if (!e) {
                if (raw.len > MAX_HEADER) { *detail = "reply header too large"; goto out; }
                continue;
            }
            header_end = (size_t)(e - raw.p);
            /* status line */
            if (raw.len < 12 || memcmp(raw.p, "HTTP/1.", 7) != 0) { *detail = "not an HTTP reply"; goto out; }
            http10 = raw.p[7] == '0';
            reply->status = atoi(raw.p + 9);
            if (http10) *keep_alive = 0;
            /* headers */
            const char *line = strstr(raw.p, "\r\n") + 2;
            while (line < raw.p + header_end - 2) {
                const char *le = strstr(line, "\r\n");
                size_t ln = (size_t)(le - line);
                if (ieq_prefix(line, ln, "content-length:")) {
                    content_length = 0;
                    for (const char *q = line + 15; q < le; q++)
                        if (*q >= '0' && *q <= '9') {
                            content_length = content_length * 10 + (*q - '0');
                            if (content_length > (long long)MAX_BODY) { *detail = "reply too large"; goto out; }
                        }
                } else if (ieq_prefix(line, ln, "transfer-encoding:") && icontains(line, ln, "chunked")) chunked = 1;
                else if (ieq_prefix(line, ln, "connection:")) {
                    if (icontains(line, ln, "close")) *keep_alive = 0;
                    else if (icontains(line, ln, "keep-alive")) *keep_alive = 1;
                }
                line = le + 2;
            }
            if (chunked) content_length = -1;
            if (content_length < 0 && !chunked) *keep_alive = 0; /* body runs to the close */
        }
    }
out:
    sb_free(&raw);
    if (reply->body.oom) { rc = SOR_MemoryErr; *detail = "out of memory"; }
    return rc;
}

/*
 * The calling program's name for X-MedSign-App: the agent keeps one sign method and one view of
 * pending verification codes per native application (letters, digits, '.', '_', '-'; ≤ 64).
 */
static void app_name(char *out, size_t n) {
    char raw[260] = "";
#ifdef _WIN32
    char path[MAX_PATH];
    DWORD len = GetModuleFileNameA(NULL, path, MAX_PATH);
    const char *base = path;
    for (DWORD i = 0; i < len && i < MAX_PATH; i++)
        if (path[i] == '\\' || path[i] == '/') base = path + i + 1;
    if (len > 0 && len < MAX_PATH) snprintf(raw, sizeof raw, "%s", base);
#else
    FILE *f = fopen("/proc/self/comm", "r");
    if (f) {
        if (!fgets(raw, sizeof raw, f)) raw[0] = 0;
        fclose(f);
    }
#endif
    size_t k = 0;
    for (size_t i = 0; raw[i] && k + 1 < n && k < 64; i++) {
        char ch = raw[i];
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-') out[k++] = ch;
    }
    out[k] = 0;
}

unsigned long http_post(int port, long timeout_ms, const char *path, const char *body, size_t body_len, http_reply *reply, const char **detail) {
    unsigned long long deadline = now_ms() + (unsigned long long)(timeout_ms > 0 ? timeout_ms : MS_DEFAULT_TIMEOUT_MS);
    conn_t *c = thread_conn(1);
    *detail = "";
    reply->status = 0;
    sb_init(&reply->body);
    if (!c) { *detail = "out of memory"; return SOR_MemoryErr; }

    sbuf req;
    sb_init(&req);
    char head[640], app[72], app_line[96] = "";
    app_name(app, sizeof app);
    if (app[0]) snprintf(app_line, sizeof app_line, "X-MedSign-App: %s\r\n", app);
    snprintf(head, sizeof head,
             "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\nAccept: application/json\r\n"
             "Content-Length: %lu\r\nConnection: keep-alive\r\n%sUser-Agent: libmedsign/" MEDSIGN_LIB_VERSION "\r\n\r\n",
             path, port, (unsigned long)body_len, app_line);
    sb_puts(&req, head);
    sb_put(&req, body, body_len);
    if (req.oom) { sb_free(&req); *detail = "out of memory"; return SOR_MemoryErr; }

    unsigned long rc = SOR_UnknownErr;
    for (int attempt = 0; attempt < 2; attempt++) {
        int reused = 0;
        if (c->fd != BAD_SOCK && (c->port != port || now_ms() - c->last_used > IDLE_REUSE_MS)) conn_drop(c);
        if (c->fd == BAD_SOCK) {
            rc = do_connect(c, port, deadline, detail);
            if (rc != SOR_OK) break;
        } else reused = 1;

        int s = send_all(c->fd, req.p, req.len, deadline);
        if (s != 0) {
            conn_drop(c);
            if (s > 0) { rc = SOR_TimeoutErr; *detail = "timed out sending to the agent"; break; }
            if (reused && attempt == 0) continue; /* the agent had closed the idle connection */
            rc = SOR_UnknownErr;
            *detail = "cannot send to the agent";
            break;
        }
        int keep = 1, got_any = 0;
        sb_free(&reply->body);
        reply->status = 0;
        rc = read_reply(c->fd, deadline, reply, &keep, &got_any, detail);
        if (rc == SOR_OK) {
            if (keep) c->last_used = now_ms();
            else conn_drop(c);
            break;
        }
        conn_drop(c); /* a timed-out or broken connection must not carry a late reply into the next call */
        if (rc == SOR_UnknownErr && reused && !got_any && attempt == 0) continue;
        break;
    }
    sb_free(&req);
    return rc;
}

void http_reply_free(http_reply *r) { sb_free(&r->body); }
