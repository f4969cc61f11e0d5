/* SPDX-License-Identifier: MIT */
/* lynccheck - sockets to numeric addresses, for the probes that speak a
 * protocol of their own (TLS, XMPP, the port matrix, MS-TURN): every
 * socket is non-blocking and close-on-exec. */
#ifndef LC_NET_H
#define LC_NET_H

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

/* A numeric IPv4 or IPv6 address and a port as a socket address: 0, or -1
 * when addr is not numeric. */
int lc_sockaddr_from(const char *addr, unsigned port, struct sockaddr_storage *ss, socklen_t *len);

/* A TCP connection attempt to a numeric address (in progress when this
 * returns): the socket, or -1 with errno (EINVAL: not a numeric address). */
int lc_tcp_connect_start(const char *addr, unsigned port);

/* A connected UDP socket: an ICMP port unreachable comes back as
 * ECONNREFUSED, and only the peer's datagrams reach it. The socket, or -1
 * with errno (EINVAL: not a numeric address). */
int lc_udp_connect(const char *addr, unsigned port);

/* Around SSL_write, SSL_read and SSL_shutdown, which write to a socket the
 * peer may have reset and cannot be told MSG_NOSIGNAL: SIGPIPE ignored for
 * the call, then put back, errno kept, so the library raises no signal in
 * a program that did not ask for it. */
struct lc_sigpipe {
    struct sigaction old;
    int saved;
};
void lc_sigpipe_ignore(struct lc_sigpipe *s);
void lc_sigpipe_restore(struct lc_sigpipe *s);

#endif
