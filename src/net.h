/* SPDX-License-Identifier: MIT */
/* lynccheck - sockets to numeric addresses, for the probes that speak a
 * protocol of their own (TLS, XMPP, the port matrix, MS-TURN): every
 * socket is non-blocking and close-on-exec. */
#ifndef LC_NET_H
#define LC_NET_H

#include <netinet/in.h>
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

#endif
