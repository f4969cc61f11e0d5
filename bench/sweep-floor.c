/* SPDX-License-Identifier: MIT */
/* bench/sweep-floor - what a TCP port sweep costs with nothing else around
 * it: one non-blocking connect per port of FIRST-LAST on ADDR, one after
 * the other, each answer read with getsockopt(SO_ERROR) once the socket is
 * writable (poll). The floor under lynccheck's port.tcp-range check, whose
 * own loop, timers and evidence come on top (doc/performance.md).
 *
 *   sweep-floor MODE ADDR FIRST LAST
 *     MODE new    a socket per port: socket, connect, poll, getsockopt, close
 *     MODE reuse  one socket for every port, dissolved between ports with
 *                 connect(AF_UNSPEC) (Linux connect(2)), as lynccheck does
 *
 * Prints "MODE: N ports, open O, closed C, other X, cpu S s" (CPU: user +
 * system of this process, getrusage). Exit 0, or 2 on a usage error. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static double sf_cpu(void)
{
    struct rusage r;

    getrusage(RUSAGE_SELF, &r);
    return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
           (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

static long sf_port(const char *s)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && v > 0 && v < 65536 ? v : -1;
}

static int sf_so_error(int fd)
{
    socklen_t len = sizeof(int);
    int err = 0;

    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
    return err;
}

/* The answer for the connect in progress on fd: 0 (open) or the error. On
 * loopback it is in before connect returns (the peer's kernel answered in
 * our system call): one getsockopt; elsewhere poll for it first. */
static int sf_wait(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    struct sockaddr_in peer;
    socklen_t plen = sizeof(peer);
    int err = sf_so_error(fd);

    if (err != 0 || getpeername(fd, (struct sockaddr *)&peer, &plen) == 0)
        return err;
    if (poll(&pfd, 1, 2000) != 1)
        return ETIMEDOUT;
    return sf_so_error(fd);
}

int main(int argc, char **argv)
{
    struct sockaddr_in sin;
    struct sockaddr none;
    long first, last, p;
    unsigned long open = 0, closed = 0, other = 0;
    int reuse, fd = -1;
    double c0;

    if (argc != 5 || (strcmp(argv[1], "new") != 0 && strcmp(argv[1], "reuse") != 0) ||
        (first = sf_port(argv[3])) < 0 || (last = sf_port(argv[4])) < first) {
        fprintf(stderr, "usage: sweep-floor new|reuse IPV4 FIRST LAST\n");
        return 2;
    }
    reuse = strcmp(argv[1], "reuse") == 0;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    if (inet_pton(AF_INET, argv[2], &sin.sin_addr) != 1) {
        fprintf(stderr, "sweep-floor: %s: not an IPv4 address\n", argv[2]);
        return 2;
    }
    memset(&none, 0, sizeof(none));
    none.sa_family = AF_UNSPEC;
    c0 = sf_cpu();
    for (p = first; p <= last; p++) {
        int err;

        if (fd < 0)
            fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            perror("sweep-floor: socket");
            return 1;
        }
        sin.sin_port = htons((unsigned short)p);
        err = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 && errno != EINPROGRESS
                  ? errno
                  : sf_wait(fd);
        if (err == 0)
            open++;
        else if (err == ECONNREFUSED)
            closed++;
        else
            other++;
        if (reuse && connect(fd, &none, sizeof(none)) == 0)
            continue;
        close(fd);
        fd = -1;
    }
    if (fd >= 0)
        close(fd);
    printf("%s: %ld ports, open %lu, closed %lu, other %lu, cpu %.3f s\n", argv[1],
           last - first + 1, open, closed, other, sf_cpu() - c0);
    return 0;
}
