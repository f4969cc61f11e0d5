/* SPDX-License-Identifier: MIT */
/* lynccheck - sockets to numeric addresses (net.h). */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

int lc_sockaddr_from(const char *addr, unsigned port, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof(*ss));
    if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        *len = sizeof(*sin);
        return 0;
    }
    if (inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        *len = sizeof(*sin6);
        return 0;
    }
    return -1;
}

/* socket() and connect(); a TCP connect may still be in progress. */
static int lc_net_connect(const char *addr, unsigned port, int type, int proto)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd;

    if (lc_sockaddr_from(addr, port, &ss, &len) < 0) {
        errno = EINVAL;
        return -1;
    }
    fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int lc_tcp_connect_start(const char *addr, unsigned port)
{
    return lc_net_connect(addr, port, SOCK_STREAM, IPPROTO_TCP);
}

int lc_tcp_disconnect(int fd)
{
    struct sockaddr none;

    /* Linux connect(2): "Some protocol sockets (e.g., TCP sockets ...) may
     * dissolve the association by connecting to an address with the
     * sa_family member of sockaddr set to AF_UNSPEC; thereafter, the socket
     * can be connected to another address." The kernel's tcp_disconnect
     * resets an established connection and releases the local port. */
    memset(&none, 0, sizeof(none));
    none.sa_family = AF_UNSPEC;
    return connect(fd, &none, sizeof(none));
}

int lc_tcp_connect_again(int fd, const char *addr, unsigned port)
{
    struct sockaddr_storage ss;
    socklen_t len;

    if (lc_sockaddr_from(addr, port, &ss, &len) < 0) {
        errno = EINVAL;
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS)
        return -1;
    return 0;
}

int lc_udp_connect(const char *addr, unsigned port)
{
    return lc_net_connect(addr, port, SOCK_DGRAM, IPPROTO_UDP);
}

void lc_sigpipe_ignore(struct lc_sigpipe *s)
{
    struct sigaction ign;

    memset(&ign, 0, sizeof(ign));
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    s->saved = sigaction(SIGPIPE, &ign, &s->old) == 0;
}

void lc_sigpipe_restore(struct lc_sigpipe *s)
{
    int e = errno; /* what the I/O call said must survive */

    if (s->saved)
        (void)sigaction(SIGPIPE, &s->old, NULL);
    errno = e;
}
