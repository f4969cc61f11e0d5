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

/* A TCP socket's association dissolved, so that it may connect again to
 * an address of the same family (Linux: connect(2) to AF_UNSPEC); an
 * established connection is reset. 0, or -1 with errno. A port sweep saves
 * a socket() and a close() per port this way. */
int lc_tcp_disconnect(int fd);

/* A new TCP connection attempt on a socket lc_tcp_disconnect freed (in
 * progress when this returns): 0, or -1 with errno, as connect(2) says it
 * (EINVAL: not a numeric address). The kernel clears the error the old
 * association left when the new one starts (tcp_connect_init), so
 * SO_ERROR speaks of the new attempt only. */
int lc_tcp_connect_again(int fd, const char *addr, unsigned port);

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
