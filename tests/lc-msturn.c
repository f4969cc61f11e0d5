/* SPDX-License-Identifier: MIT */
/* lc-msturn - an A/V Edge's external MS-TURN listeners, for lynccheck's lab.
 *
 *   lc-msturn SPEC...
 *     udp:ADDR:PORT:edge[:REALM]  MS-TURN over UDP, answering like a Lync /
 *                                 Skype for Business A/V Edge (below)
 *     udp:ADDR:PORT:open[:REALM]  the same, but an Allocate without
 *                                 credentials succeeds (an open relay: the
 *                                 fault of the lab's proto-turnopen scenario)
 *     tcp:ADDR:PORT               MS-TURN pseudo-TLS on TCP (below)
 *
 * Binds every listener (IPv4 or IPv6 literals), prints "ready" on stdout
 * once all are bound, then serves until SIGTERM / SIGINT. Exits 2 on a
 * usage or socket error. A test fixture: one process, poll(), bounded
 * buffers, no state kept per client but TCP connections.
 *
 * What an A/V Edge does, and where it is written down:
 * - It ignores any message whose first attribute is not MAGIC-COOKIE
 *   (0x000F = 0x72C64BC6): [MS-TURN] 2.2.2.8 and 3.1.10. So a plain RFC 5389
 *   STUN Binding is never answered (not a fault: a real edge does that).
 * - The header is draft-ietf-behave-rfc3489bis-02's: type, length, then a
 *   128-bit transaction id, echoed untouched ([MS-TURN] 2.2.2).
 * - An Allocate (0x0003) without credentials gets the Allocate error
 *   response (0x0113) with ERROR-CODE 401 Unauthorized and the digest
 *   challenge: REALM (0x0015) and NONCE (0x0014), swapped against RFC 5389
 *   ([MS-TURN] 2.2.2), ALTERNATE-SERVER (0x000E) = the edge's public
 *   address ([MS-TURN] 2.2.2.6: in a 401 it SHOULD be the public transport
 *   address the response came from) and MS-VERSION (0x8008, [MS-TURN]
 *   2.2.2.17); MAGIC-COOKIE first again. Attributes are not padded
 *   (draft-02 TLVs). REALM "SHOULD be the domain name of the provider of
 *   the TURN server" ([MS-TURN] 2.2.2): the given one, else
 *   "SIP Communications Service".
 * - "open" answers the Allocate with a success response (0x0103) carrying
 *   MAPPED-ADDRESS (the relayed address, [MS-TURN] 2.2.2.1) and
 *   XOR-MAPPED-ADDRESS (0x8020, [MS-TURN] 2.2.2.16, XORed with the top of
 *   the transaction id) though it carried no USERNAME or MESSAGE-INTEGRITY:
 *   no real edge does that ([MS-TURN] 3.1.12, 3.2.5.1).
 * - TCP 443 speaks pseudo-TLS ([MS-TURN] 2.1): to a ClientHello the
 *   server answers ServerHello followed by ServerHelloDone, both in one TLS
 *   record, and no Certificate: an ordinary TLS client's handshake fails
 *   right after it. Then the connection is held (MS-TURN over TCP would
 *   follow) until the client closes it or 10 s pass. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTENERS 64
#define MAX_CONNS 64
#define CONN_HOLD_MS 10000
#define MSTURN_COOKIE 0x72C64BC6u
#define HDR 20

enum kind { K_UDP_EDGE, K_UDP_OPEN, K_TCP };

struct listener {
    enum kind kind;
    int fd;
    struct sockaddr_storage addr; /* the bound (public) address */
    socklen_t addr_len;
    char realm[128];
};

struct conn {
    int fd;
    int answered;
    int64_t opened_ms;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "udp:127.0.0.1:3478:edge", "tcp:[::1]:443" -> a bound listener. */
static int listener_open(const char *spec, struct listener *l)
{
    char buf[128], *addr, *port, *mode = NULL, *p;
    struct addrinfo hints, *res = NULL;
    int one = 1, rc, type;

    if (strlen(spec) >= sizeof(buf))
        return -1;
    memcpy(buf, spec, strlen(spec) + 1);
    if (strncmp(buf, "udp:", 4) == 0)
        type = SOCK_DGRAM;
    else if (strncmp(buf, "tcp:", 4) == 0)
        type = SOCK_STREAM;
    else
        return -1;
    addr = buf + 4;
    if (*addr == '[') {
        p = strchr(++addr, ']');
        if (p == NULL || p[1] != ':')
            return -1;
        *p = '\0';
        port = p + 2;
    } else {
        p = strchr(addr, ':');
        if (p == NULL)
            return -1;
        *p = '\0';
        port = p + 1;
    }
    p = strchr(port, ':');
    if (p != NULL) {
        *p = '\0';
        mode = p + 1;
    }
    snprintf(l->realm, sizeof l->realm, "SIP Communications Service");
    if (mode != NULL && (p = strchr(mode, ':')) != NULL) {
        *p = '\0';
        if (p[1] == '\0' || strlen(p + 1) >= sizeof l->realm)
            return -1;
        snprintf(l->realm, sizeof l->realm, "%s", p + 1);
    }
    if (type == SOCK_STREAM) {
        if (mode != NULL)
            return -1;
        l->kind = K_TCP;
    } else if (mode != NULL && strcmp(mode, "edge") == 0) {
        l->kind = K_UDP_EDGE;
    } else if (mode != NULL && strcmp(mode, "open") == 0) {
        l->kind = K_UDP_OPEN;
    } else {
        return -1;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = type;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    rc = getaddrinfo(addr, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "lc-msturn: %s: %s\n", spec, gai_strerror(rc));
        return -2;
    }
    l->fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (l->fd < 0 || setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(l->fd, res->ai_addr, res->ai_addrlen) < 0 ||
        (type == SOCK_STREAM && listen(l->fd, 64) < 0)) {
        fprintf(stderr, "lc-msturn: %s: %s\n", spec, strerror(errno));
        if (l->fd >= 0)
            close(l->fd);
        freeaddrinfo(res);
        return -2;
    }
    memcpy(&l->addr, res->ai_addr, res->ai_addrlen);
    l->addr_len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static unsigned get16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An attribute, unpadded ([MS-TURN] 2.2.2: draft-02 TLVs); 0 or -1 when
 * it does not fit. */
static int attr(uint8_t *m, size_t cap, size_t *n, unsigned type, const void *v, size_t len)
{
    if (*n + 4 + len > cap)
        return -1;
    put16(m + *n, type);
    put16(m + *n + 2, (unsigned)len);
    if (len > 0)
        memcpy(m + *n + 4, v, len);
    *n += 4 + len;
    return 0;
}

static int attr32(uint8_t *m, size_t cap, size_t *n, unsigned type, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

    return attr(m, cap, n, type, b, sizeof b);
}

/* MAPPED-ADDRESS / ALTERNATE-SERVER / XOR-MAPPED-ADDRESS of sa; xor with
 * the transaction id's first bytes ([MS-TURN] 2.2.2.16). */
static int attr_addr(uint8_t *m, size_t cap, size_t *n, unsigned type,
                     const struct sockaddr_storage *sa, const uint8_t *tid, int xor)
{
    uint8_t b[20];
    size_t len, i;
    unsigned port;

    memset(b, 0, sizeof b);
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        b[1] = 0x01;
        port = ntohs(s4->sin_port);
        memcpy(b + 4, &s4->sin_addr, 4);
        len = 8;
    } else {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        b[1] = 0x02;
        port = ntohs(s6->sin6_port);
        memcpy(b + 4, &s6->sin6_addr, 16);
        len = 20;
    }
    if (xor) {
        port ^= get16(tid);
        for (i = 4; i < len; i++)
            b[i] ^= tid[i - 4];
    }
    put16(b + 2, port);
    return attr(m, cap, n, type, b, len);
}

/* One datagram to an edge listener: answer an Allocate whose first
 * attribute is MAGIC-COOKIE, ignore everything else. */
static void udp_serve(const struct listener *l)
{
    uint8_t in[2048], out[512];
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    ssize_t got;
    size_t n = HDR, off;
    uint32_t version = 2;
    char nonce[40];

    got = recvfrom(l->fd, in, sizeof in, 0, (struct sockaddr *)&from, &flen);
    if (got < HDR + 8)
        return;
    /* First two bits zero, the length within the datagram. */
    if ((in[0] & 0xC0) != 0 || (size_t)get16(in + 2) + HDR > (size_t)got)
        return;
    /* [MS-TURN] 3.1.10: MAGIC-COOKIE first, else ignored (a plain STUN
     * Binding ends here). */
    if (get16(in + HDR) != 0x000F || get16(in + HDR + 2) != 4 ||
        get32(in + HDR + 4) != MSTURN_COOKIE)
        return;
    if (get16(in) != 0x0003) /* only Allocate requests are answered */
        return;
    /* The requested MS-VERSION, echoed (at most 6). */
    for (off = HDR; off + 4 <= HDR + (size_t)get16(in + 2);) {
        unsigned t = get16(in + off), len = get16(in + off + 2);
        if (off + 4 + len > HDR + (size_t)get16(in + 2))
            break;
        if (t == 0x8008 && len == 4)
            version = get32(in + off + 4) > 6 ? 6 : get32(in + off + 4);
        off += 4 + len;
    }
    memcpy(out + 4, in + 4, 16); /* the 128-bit transaction id, echoed */
    if (attr32(out, sizeof out, &n, 0x000F, MSTURN_COOKIE) < 0)
        return;
    if (l->kind == K_UDP_OPEN) {
        put16(out, 0x0103); /* Allocate success */
        if (attr_addr(out, sizeof out, &n, 0x0001, &l->addr, out + 4, 0) < 0 ||
            attr_addr(out, sizeof out, &n, 0x8020, &from, out + 4, 1) < 0 ||
            attr32(out, sizeof out, &n, 0x8008, version) < 0)
            return;
    } else {
        static const uint8_t err401[] = {0,   0,   4,   1,   'U', 'n', 'a', 'u',
                                         't', 'h', 'o', 'r', 'i', 'z', 'e', 'd'};
        int w = snprintf(nonce, sizeof nonce, "%08lx%08lx", (unsigned long)now_ms(),
                         (unsigned long)get32(in + 8));
        put16(out, 0x0113); /* Allocate error */
        if (w < 0 || attr(out, sizeof out, &n, 0x0009, err401, sizeof err401) < 0 ||
            attr(out, sizeof out, &n, 0x0015, l->realm, strlen(l->realm)) < 0 ||
            attr(out, sizeof out, &n, 0x0014, nonce, strlen(nonce)) < 0 ||
            attr_addr(out, sizeof out, &n, 0x000E, &l->addr, out + 4, 0) < 0 ||
            attr32(out, sizeof out, &n, 0x8008, version) < 0)
            return;
    }
    put16(out + 2, (unsigned)(n - HDR));
    (void)sendto(l->fd, out, n, 0, (struct sockaddr *)&from, flen);
}

/* [MS-TURN] 2.1: ServerHello + ServerHelloDone in one handshake record,
 * TLS 1.0, no Certificate. */
static const uint8_t pseudo_hello[] = {
    0x16, 0x03, 0x01, 0x00, 0x2e,       /* handshake record, TLS 1.0, 46 bytes */
    0x02, 0x00, 0x00, 0x26, 0x03, 0x01, /* ServerHello, 38 bytes, TLS 1.0 */
    0x4c, 0x43, 0x4d, 0x53, 0x54, 0x55, 0x52, 0x4e, 0x4c, 0x43, 0x4d,
    0x53, 0x54, 0x55, 0x52, 0x4e, 0x4c, 0x43, 0x4d, 0x53, 0x54, 0x55,
    0x52, 0x4e, 0x4c, 0x43, 0x4d, 0x53, 0x54, 0x55, 0x52, 0x4e, /* random (32 bytes) */
    0x00,                                                       /* no session id */
    0x00, 0x2f,                                                 /* TLS_RSA_WITH_AES_128_CBC_SHA */
    0x00,                                                       /* no compression */
    0x0e, 0x00, 0x00, 0x00                                      /* ServerHelloDone */
};

/* Read what the client sent; answer the first ClientHello record. 0 to
 * keep the connection, -1 to close it. */
static int conn_serve(struct conn *c)
{
    uint8_t in[4096];
    ssize_t n = recv(c->fd, in, sizeof in, 0);

    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    if (n == 0)
        return -1;
    if (!c->answered) {
        /* A handshake record holding a ClientHello (RFC 2246 6.2.1, 7.4). */
        if (n < 6 || in[0] != 0x16 || in[1] != 0x03 || in[5] != 0x01)
            return -1;
        c->answered = 1;
        if (send(c->fd, pseudo_hello, sizeof pseudo_hello, MSG_NOSIGNAL) < 0)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct listener ls[MAX_LISTENERS];
    struct conn cs[MAX_CONNS];
    struct pollfd fds[MAX_LISTENERS + MAX_CONNS];
    size_t nl = 0, nc = 0, i;
    struct sigaction sa;
    int rc = 0;

    if (argc < 2 || argc - 1 > MAX_LISTENERS) {
        fprintf(stderr, "usage: lc-msturn udp:ADDR:PORT:edge|open | tcp:ADDR:PORT ...\n");
        return 2;
    }
    for (i = 1; i < (size_t)argc; i++) {
        int r = listener_open(argv[i], &ls[nl]);
        if (r == -1)
            fprintf(stderr, "lc-msturn: bad listener '%s'\n", argv[i]);
        if (r < 0) {
            rc = 2;
            goto done;
        }
        nl++;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (printf("ready\n") < 0 || fflush(stdout) != 0) {
        rc = 2;
        goto done;
    }
    while (!stop) {
        int64_t now = now_ms();
        int n;

        for (i = 0; i < nl; i++) {
            fds[i].fd = ls[i].fd;
            fds[i].events = ls[i].kind != K_TCP || nc < MAX_CONNS ? POLLIN : 0;
        }
        for (i = 0; i < nc; i++) {
            fds[nl + i].fd = cs[i].fd;
            fds[nl + i].events = POLLIN;
        }
        n = poll(fds, nl + nc, 500);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("lc-msturn: poll");
            rc = 2;
            break;
        }
        /* Connections first (their slots move when one closes). */
        for (i = nc; i-- > 0;) {
            int drop = now - cs[i].opened_ms > CONN_HOLD_MS;
            if (!drop && (fds[nl + i].revents & (POLLIN | POLLHUP | POLLERR)))
                drop = conn_serve(&cs[i]) < 0;
            if (drop) {
                close(cs[i].fd);
                cs[i] = cs[--nc];
            }
        }
        for (i = 0; i < nl; i++) {
            if (!(fds[i].revents & POLLIN))
                continue;
            if (ls[i].kind != K_TCP) {
                udp_serve(&ls[i]);
            } else if (nc < MAX_CONNS) {
                int c = accept4(ls[i].fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (c >= 0) {
                    cs[nc].fd = c;
                    cs[nc].answered = 0;
                    cs[nc].opened_ms = now;
                    nc++;
                }
            }
        }
    }
done:
    for (i = 0; i < nc; i++)
        close(cs[i].fd);
    for (i = 0; i < nl; i++)
        close(ls[i].fd);
    return rc;
}
