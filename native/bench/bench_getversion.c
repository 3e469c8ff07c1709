/*
 * bench_getversion <port> <calls> <rounds>: the cost of SOF_GetVersion through libmedsign
 * against the same call as raw HTTP from C (one kept-alive socket, a fixed request with the
 * headers the library sends, the reply read by Content-Length, no JSON parsing).
 * Rounds alternate raw / library, so drift on the machine hits both. One line per round:
 *   round <i> raw_us <per call> lib_us <per call>
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "medsign.h"

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int raw_connect(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* one request, the whole reply read; 0 on a 200 with a body */
static int raw_call(int fd, const char *req, size_t reqLen) {
    char buf[8192];
    size_t have = 0;
    long body = -1;
    size_t head = 0;
    if (send(fd, req, reqLen, MSG_NOSIGNAL) != (ssize_t)reqLen) return -1;
    for (;;) {
        ssize_t n = recv(fd, buf + have, sizeof buf - 1 - have, 0);
        if (n <= 0) return -1;
        have += (size_t)n;
        buf[have] = 0;
        if (body < 0) {
            char *end = strstr(buf, "\r\n\r\n");
            if (!end) continue;
            head = (size_t)(end - buf) + 4;
            char *cl = strcasestr(buf, "content-length:");
            if (!cl || strncmp(buf, "HTTP/1.1 200", 12) != 0) return -1;
            body = strtol(cl + 15, NULL, 10);
        }
        if (have >= head + (size_t)body) return 0;
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bench_getversion <port> <calls> <rounds>\n");
        return 2;
    }
    int port = atoi(argv[1]), calls = atoi(argv[2]), rounds = atoi(argv[3]);
    char req[512], out[256];
    int reqLen = snprintf(req, sizeof req,
                          "POST /v1/getVersion HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\nAccept: application/json\r\n"
                          "Content-Length: 2\r\nConnection: keep-alive\r\nX-MedSign-App: bench_getversion\r\nUser-Agent: raw-c\r\n\r\n{}",
                          port);
    MS_SetAgentPort(port);
    int fd = raw_connect(port);
    if (fd < 0) {
        fprintf(stderr, "cannot connect to 127.0.0.1:%d\n", port);
        return 1;
    }
    /* warm-up: both paths, connections open */
    for (int i = 0; i < 200; i++) {
        long len = sizeof out;
        if (raw_call(fd, req, (size_t)reqLen) != 0 || SOF_GetVersion(out, &len) != SOR_OK) {
            fprintf(stderr, "warm-up call failed (raw or SOF_GetVersion 0x%08lx)\n", SOF_GetLastError());
            return 1;
        }
    }
    for (int r = 0; r < rounds; r++) {
        double t0 = now_us();
        for (int i = 0; i < calls; i++)
            if (raw_call(fd, req, (size_t)reqLen) != 0) {
                fprintf(stderr, "raw call failed\n");
                return 1;
            }
        double t1 = now_us();
        for (int i = 0; i < calls; i++) {
            long len = sizeof out;
            if (SOF_GetVersion(out, &len) != SOR_OK) {
                fprintf(stderr, "SOF_GetVersion failed: 0x%08lx\n", SOF_GetLastError());
                return 1;
            }
        }
        double t2 = now_us();
        printf("round %d raw_us %.2f lib_us %.2f\n", r + 1, (t1 - t0) / calls, (t2 - t1) / calls);
        fflush(stdout);
    }
    close(fd);
    return 0;
}
