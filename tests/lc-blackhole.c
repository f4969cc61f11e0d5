/* SPDX-License-Identifier: MIT */
/* lc-blackhole - a server that never answers, for lynccheck's timeout tests.
 *
 *   lc-blackhole ADDR PORT SECONDS
 *
 * Binds UDP and TCP on ADDR:PORT (IPv4 or IPv6 literal), prints "ready" on
 * stdout once both are bound, then reads and discards every datagram, accepts
 * every TCP connection and reads and discards what arrives on it without ever
 * writing a byte. Exits 0 after SECONDS, 2 on a usage or socket error. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* Connections held open at once; past that, new ones wait in the backlog
 * (still unanswered). */
#define MAX_CONNS 256

static int parse_long(const char *text, long min, long max, long *out)
{
    char *end = NULL;
    long value;

    errno = 0;
    value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max)
        return -1;
    *out = value;
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A socket of `type` bound to addr:port (and listening, for TCP), or -1. */
static int bind_socket(const char *addr, const char *port, int type)
{
    struct addrinfo hints, *res = NULL;
    int fd = -1, one = 1, rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = type;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    rc = getaddrinfo(addr, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "lc-blackhole: %s: %s\n", addr, gai_strerror(rc));
        return -1;
    }
    fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        goto fail;
    if (bind(fd, res->ai_addr, res->ai_addrlen) < 0)
        goto fail;
    if (type == SOCK_STREAM && listen(fd, 64) < 0)
        goto fail;
    freeaddrinfo(res);
    return fd;
fail:
    fprintf(stderr, "lc-blackhole: %s %s:%s: %s\n", type == SOCK_STREAM ? "tcp" : "udp", addr, port,
            strerror(errno));
    if (fd >= 0)
        close(fd);
    freeaddrinfo(res);
    return -1;
}

/* Read and throw away what is pending on fd; returns 0 at end of stream. */
static ssize_t drain(int fd)
{
    char buf[4096];
    ssize_t n;

    do
        n = recv(fd, buf, sizeof buf, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 1;
    return n;
}

int main(int argc, char **argv)
{
    struct pollfd fds[2 + MAX_CONNS];
    size_t nconns = 0, i;
    long port, seconds;
    int64_t deadline;
    int udp, tcp;

    if (argc != 4 || parse_long(argv[2], 1, 65535, &port) < 0 ||
        parse_long(argv[3], 1, 86400, &seconds) < 0) {
        fprintf(stderr, "usage: lc-blackhole ADDR PORT(1-65535) SECONDS(1-86400)\n");
        return 2;
    }
    udp = bind_socket(argv[1], argv[2], SOCK_DGRAM);
    if (udp < 0)
        return 2;
    tcp = bind_socket(argv[1], argv[2], SOCK_STREAM);
    if (tcp < 0)
        return 2;
    deadline = now_ms() + (int64_t)seconds * 1000;
    if (printf("ready\n") < 0 || fflush(stdout) != 0)
        return 2;

    fds[0].fd = udp;
    fds[1].fd = tcp;
    for (;;) {
        int64_t left = deadline - now_ms();
        int n;

        if (left <= 0)
            break;
        fds[0].events = POLLIN;
        /* A full table leaves new connections waiting in the backlog. */
        fds[1].events = nconns < MAX_CONNS ? POLLIN : 0;
        for (i = 0; i < nconns; i++)
            fds[2 + i].events = POLLIN;
        n = poll(fds, 2 + nconns, (int)(left > 1000 ? 1000 : left));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("lc-blackhole: poll");
            return 2;
        }
        if (fds[0].revents & POLLIN)
            drain(udp);
        if (fds[1].revents & POLLIN) {
            int conn = accept4(tcp, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

            if (conn >= 0) {
                fds[2 + nconns].fd = conn;
                fds[2 + nconns].revents = 0;
                nconns++;
            }
        }
        /* Close connections the peer closed; keep the rest open, silent. */
        for (i = 0; i < nconns;) {
            struct pollfd *p = &fds[2 + i];

            if (p->revents != 0 &&
                (p->revents & (POLLERR | POLLHUP | POLLNVAL) || drain(p->fd) <= 0)) {
                close(p->fd);
                *p = fds[2 + --nconns];
                continue;
            }
            i++;
        }
    }
    return 0;
}
