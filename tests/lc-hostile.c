/* SPDX-License-Identifier: MIT */
/* lc-hostile - hostile peers for lynccheck's robustness tests (lab-hostile.test).
 *
 *   lc-hostile MODE ADDR PORTS [--cert PEM --key PEM] [--arg TEXT] [--life SECONDS]
 *
 * PORTS is a port, a list (443,5061) or ranges (50000-59999), at most
 * MAX_PORTS in all. Binds every port on ADDR (TCP, UDP or both, by mode),
 * prints "ready" on stdout once all are bound, and serves until SECONDS
 * (default 300) have passed. With --cert and --key every TCP connection is
 * TLS (OpenSSL) before the mode's behaviour starts. Each TCP connection but a
 * plain tarpit's is served by its own child process (blocking I/O), which
 * dies with the parent (PR_SET_PDEATHSIG) and after SECONDS at the latest.
 * Exit 0 after SECONDS, 2 on a usage or socket error.
 *
 * Modes (TCP unless noted):
 *   tarpit          accept, read and discard, never write (TCP and UDP);
 *                   with --cert the TLS handshake completes first
 *   drip            one byte a second of a response that never ends;
 *                   --arg http (default), sip or xmpp
 *   endless-header  HTTP 200 then header lines forever (--arg line: one
 *                   header line that never ends)
 *   endless-body    HTTP 200 with a chunked body that never ends (--arg close:
 *                   no length, raw bytes until the client leaves)
 *   big-json        HTTP 200 with a JSON document of 10 MB (--arg BYTES)
 *   sip-biglen      SIP/2.0 401 echoing the request's Via, From, To, Call-ID
 *                   and CSeq, Content-Length: 999999999, then a body trickle
 *                   (--arg fast: as fast as the client reads)
 *   xmpp-open       an XMPP stream start tag that never closes: attributes
 *                   forever, one every 100 ms (--arg fast: no pause)
 *   tls-garbage     answers a ClientHello with a TLS record and ServerHello
 *                   header followed by garbage (--arg forever: garbage until
 *                   the client leaves)
 *   redirect-loop   HTTP 302 to /loop-a, /loop-b, /loop-a... (--arg self:
 *                   to the URL requested; --arg grow: /hop/1, /hop/2, ...)
 *   redirect-other  HTTP 302 to https://HOST/<path> (--arg HOST, default
 *                   evil.example.net)
 *   stun-lie        UDP: answers every STUN request with a message whose
 *                   attribute lengths lie (--arg msglen: the header's message
 *                   length lies instead)
 *   dns-servfail    UDP: SERVFAIL to every query
 *   dns-tc          UDP: empty answers with TC set; TCP: with --arg IPV4,
 *                   A queries get that address (others NOERROR, no data),
 *                   without it TCP connections are accepted and never answered
 *   dns-cnameloop   UDP: every name is a CNAME to loop-b.<name> and back
 *   dns-drop        UDP and TCP: read and discard (the tarpit) */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS 20000
#define MAX_HELD 4096    /* tarpit connections the parent holds at once */
#define MAX_CHILDREN 256 /* connections served by children at once */
#define REQ_MAX 16384    /* request head read before answering */

enum mode {
    M_TARPIT,
    M_DRIP,
    M_ENDLESS_HEADER,
    M_ENDLESS_BODY,
    M_BIG_JSON,
    M_SIP_BIGLEN,
    M_XMPP_OPEN,
    M_TLS_GARBAGE,
    M_REDIRECT_LOOP,
    M_REDIRECT_OTHER,
    M_STUN_LIE,
    M_DNS_SERVFAIL,
    M_DNS_TC,
    M_DNS_CNAMELOOP,
    M_DNS_DROP,
};

static const char *const mode_names[] = {
    "tarpit",     "drip",         "endless-header", "endless-body",  "big-json",
    "sip-biglen", "xmpp-open",    "tls-garbage",    "redirect-loop", "redirect-other",
    "stun-lie",   "dns-servfail", "dns-tc",         "dns-cnameloop", "dns-drop",
};

struct io {
    int fd;
    SSL *ssl;
};

static enum mode mode;
static const char *arg = "";
static uint32_t rnd_state = 2463534242u;

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

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

/* "443", "443,5061", "50000-59999,80" into ports[]; count or -1. */
static int parse_ports(const char *spec, uint16_t *ports, int cap)
{
    int n = 0;
    const char *p = spec;

    while (*p != '\0') {
        char item[32], *dash;
        size_t len = strcspn(p, ",");
        long lo, hi, v;

        if (len == 0 || len >= sizeof item)
            return -1;
        memcpy(item, p, len);
        item[len] = '\0';
        dash = strchr(item, '-');
        if (dash != NULL)
            *dash = '\0';
        if (parse_long(item, 1, 65535, &lo) < 0)
            return -1;
        hi = lo;
        if (dash != NULL && (parse_long(dash + 1, lo, 65535, &hi) < 0))
            return -1;
        for (v = lo; v <= hi; v++) {
            if (n >= cap)
                return -1;
            ports[n++] = (uint16_t)v;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return n;
}

static int bind_socket(const char *addr, uint16_t port, int type)
{
    struct addrinfo hints, *res = NULL;
    char service[8];
    int fd = -1, one = 1, rc;

    snprintf(service, sizeof service, "%u", (unsigned)port);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = type;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    rc = getaddrinfo(addr, service, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "lc-hostile: %s: %s\n", addr, gai_strerror(rc));
        return -1;
    }
    fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        goto fail;
    /* The A/V range a tarpit binds (50000-54999) lies in the kernel's
     * ephemeral range (32768-60999 by default): another process's socket
     * of the moment (a kdig or a lynccheck of the other lab-hostile run)
     * can hold one of our ports. It lets go within a query's time: try
     * again for up to 3 s. */
    for (int tries = 0; bind(fd, res->ai_addr, res->ai_addrlen) < 0; tries++) {
        struct timespec pause = {0, 100 * 1000 * 1000};
        if (errno != EADDRINUSE || tries >= 30)
            goto fail;
        nanosleep(&pause, NULL);
    }
    if (type == SOCK_STREAM && listen(fd, 512) < 0)
        goto fail;
    freeaddrinfo(res);
    return fd;
fail:
    fprintf(stderr, "lc-hostile: %s %s:%u: %s\n", type == SOCK_STREAM ? "tcp" : "udp", addr,
            (unsigned)port, strerror(errno));
    if (fd >= 0)
        close(fd);
    freeaddrinfo(res);
    return -1;
}

/* ---------------------------------------------------------------- child I/O (blocking) */

static int io_write(struct io *io, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n;

        if (io->ssl != NULL) {
            int r = SSL_write(io->ssl, p, len > 16384 ? 16384 : (int)len);
            n = r > 0 ? r : -1;
        } else {
            n = send(io->fd, p, len, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
        }
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int io_puts(struct io *io, const char *s)
{
    return io_write(io, s, strlen(s));
}

static ssize_t io_read(struct io *io, void *buf, size_t len)
{
    ssize_t n;

    if (io->ssl != NULL) {
        int r = SSL_read(io->ssl, buf, len > 16384 ? 16384 : (int)len);
        return r > 0 ? r : -1;
    }
    do
        n = recv(io->fd, buf, len, 0);
    while (n < 0 && errno == EINTR);
    return n > 0 ? n : -1;
}

/* Read a request head (up to an empty line) into buf, NUL-terminated;
 * length read, or -1 when the client left first. Stops at cap. */
static ssize_t read_head(struct io *io, char *buf, size_t cap)
{
    size_t len = 0;

    while (len + 1 < cap) {
        ssize_t n = io_read(io, buf + len, cap - 1 - len);

        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = '\0';
        if (strstr(buf, "\r\n\r\n") != NULL || strstr(buf, "\n\n") != NULL)
            break;
    }
    buf[len] = '\0';
    return (ssize_t)len;
}

static void discard_until_eof(struct io *io)
{
    char buf[4096];

    while (io_read(io, buf, sizeof buf) > 0)
        ;
}

/* The path of "GET /path HTTP/1.1" into out ("/" when it has none). */
static void request_path(const char *head, char *out, size_t cap)
{
    const char *sp = strchr(head, ' '), *end;
    size_t n;

    out[0] = '/';
    out[1] = '\0';
    if (sp == NULL)
        return;
    sp++;
    end = sp + strcspn(sp, " \r\n");
    n = (size_t)(end - sp);
    if (n == 0 || n >= cap)
        return;
    memcpy(out, sp, n);
    out[n] = '\0';
}

/* The value of header `name` (case-insensitive, "Name:") into out, or "". */
static void request_header(const char *head, const char *name, char *out, size_t cap)
{
    const char *line = strchr(head, '\n');
    size_t nlen = strlen(name);

    out[0] = '\0';
    while (line != NULL && line[1] != '\0') {
        line++;
        if (strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
            const char *v = line + nlen + 1;
            size_t n;

            while (*v == ' ' || *v == '\t')
                v++;
            n = strcspn(v, "\r\n");
            if (n >= cap)
                n = cap - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return;
        }
        line = strchr(line, '\n');
    }
}

/* ---------------------------------------------------------------- TCP behaviours */

static void do_drip(struct io *io)
{
    static const char http[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Drip: ";
    static const char sip[] = "SIP/2.0 401 Unauthorized\r\nServer: RTC/6.0\r\nX-Drip: ";
    static const char xmpp[] = "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
                               "xmlns:stream='http://etherx.jabber.org/streams' version='1.0' "
                               "drip='";
    const char *text = http;
    char head[REQ_MAX];
    size_t i;

    if (strcmp(arg, "sip") == 0)
        text = sip;
    else if (strcmp(arg, "xmpp") == 0)
        text = xmpp;
    /* XMPP: the client's stream header has no empty line; its first bytes do. */
    if (text == xmpp ? io_read(io, head, sizeof head) <= 0 : read_head(io, head, sizeof head) < 0)
        return;
    /* The text, then an attribute or header value that never ends. */
    for (i = 0;; i++) {
        char c = text[i] != '\0' ? text[i] : 'a';

        if (text[i] == '\0')
            i--;
        if (io_write(io, &c, 1) < 0)
            return;
        sleep_ms(1000);
    }
}

static void do_endless_header(struct io *io)
{
    char head[REQ_MAX], line[160];
    unsigned long i;

    if (read_head(io, head, sizeof head) < 0)
        return;
    if (io_puts(io, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n") < 0)
        return;
    if (strcmp(arg, "line") == 0) {
        memset(line, 'a', sizeof line);
        if (io_puts(io, "X-Endless: ") < 0)
            return;
        while (io_write(io, line, sizeof line) == 0)
            ;
        return;
    }
    for (i = 0;; i++) {
        int n =
            snprintf(line, sizeof line,
                     "X-Endless-%lu: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
                     i);
        if (n <= 0 || io_write(io, line, (size_t)n) < 0)
            return;
    }
}

static void do_endless_body(struct io *io)
{
    char head[REQ_MAX], chunk[4096 + 16];
    int close_mode = strcmp(arg, "close") == 0;

    if (read_head(io, head, sizeof head) < 0)
        return;
    if (io_puts(io, close_mode ? "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 "Connection: close\r\n\r\n"
                               : "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 "Transfer-Encoding: chunked\r\n\r\n") < 0)
        return;
    if (close_mode) {
        memset(chunk, 'a', sizeof chunk);
        if (io_puts(io, "{\"_links\":{\"self\":{\"href\":\"") < 0)
            return;
        while (io_write(io, chunk, sizeof chunk) == 0)
            ;
        return;
    }
    if (io_puts(io, "1b\r\n{\"_links\":{\"self\":{\"href\":\"\r\n") < 0)
        return;
    memcpy(chunk, "1000\r\n", 6);
    memset(chunk + 6, 'a', 4096);
    memcpy(chunk + 6 + 4096, "\r\n", 2);
    while (io_write(io, chunk, 6 + 4096 + 2) == 0)
        ;
}

static void do_big_json(struct io *io)
{
    static const char pre[] = "{\"_links\":{\"self\":{\"href\":\"https://lyncdiscover.invalid/"
                              "Autodiscover/AutodiscoverService.svc/root\"}},\"pad\":\"";
    static const char post[] = "\"}";
    char head[REQ_MAX], hdr[256], pad[8192];
    long size = 10L * 1024 * 1024, left;
    int n;

    if (arg[0] != '\0' && parse_long(arg, 64, 1L << 30, &size) < 0)
        size = 10L * 1024 * 1024;
    if (read_head(io, head, sizeof head) < 0)
        return;
    n = snprintf(
        hdr, sizeof hdr,
        "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.microsoft.rtc.autodiscover+json; "
        "v=1\r\nContent-Length: %ld\r\n\r\n",
        size);
    if (n <= 0 || io_write(io, hdr, (size_t)n) < 0 || io_puts(io, pre) < 0)
        return;
    memset(pad, 'a', sizeof pad);
    for (left = size - (long)(sizeof pre - 1) - (long)(sizeof post - 1); left > 0;) {
        size_t k = left > (long)sizeof pad ? sizeof pad : (size_t)left;

        if (io_write(io, pad, k) < 0)
            return;
        left -= (long)k;
    }
    if (io_puts(io, post) < 0)
        return;
    discard_until_eof(io);
}

static void do_sip_biglen(struct io *io)
{
    static const char *const echo[] = {"Via", "v", "From", "f", "To", "t", "Call-ID", "i", "CSeq"};
    char head[REQ_MAX], value[1024], out[REQ_MAX + 512], body[64];
    size_t len = 0, i;
    int fast = strcmp(arg, "fast") == 0;

    if (read_head(io, head, sizeof head) < 0)
        return;
    len = (size_t)snprintf(out, sizeof out, "SIP/2.0 401 Unauthorized\r\n");
    for (i = 0; i < sizeof echo / sizeof echo[0]; i++) {
        int n;

        request_header(head, echo[i], value, sizeof value);
        if (value[0] == '\0')
            continue;
        n = snprintf(out + len, sizeof out - len, "%s: %s\r\n", echo[i], value);
        if (n < 0 || (size_t)n >= sizeof out - len)
            return;
        len += (size_t)n;
    }
    i = (size_t)snprintf(out + len, sizeof out - len,
                         "Server: RTC/6.0\r\nWWW-Authenticate: NTLM realm=\"SIP Communications "
                         "Service\", targetname=\"edge.hostile.test\", version=4\r\n"
                         "Content-Length: 999999999\r\n\r\n");
    if (i >= sizeof out - len || io_write(io, out, len + i) < 0)
        return;
    memset(body, 'x', sizeof body);
    while (io_write(io, body, sizeof body) == 0)
        if (!fast)
            sleep_ms(100);
}

static void do_xmpp_open(struct io *io)
{
    char buf[4096], attr[64];
    unsigned long i;
    int fast = strcmp(arg, "fast") == 0;

    /* The client speaks first (its stream header); answer after its first bytes. */
    if (io_read(io, buf, sizeof buf) <= 0)
        return;
    if (io_puts(io, "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
                    "xmlns:stream='http://etherx.jabber.org/streams' id='hostile' "
                    "version='1.0'") < 0)
        return;
    for (i = 0;; i++) {
        int n = snprintf(attr, sizeof attr, " a%lu='xxxxxxxxxxxxxxxx'", i);

        if (n <= 0 || io_write(io, attr, (size_t)n) < 0)
            return;
        if (!fast)
            sleep_ms(100);
    }
}

static void do_tls_garbage(struct io *io)
{
    /* Record: handshake, TLS 1.2, 64 bytes; ServerHello claiming 70 bytes
     * (more than the record holds), version 3.3, then no sane content. */
    static const unsigned char hello[] = {0x16, 0x03, 0x03, 0x00, 0x40, 0x02,
                                          0x00, 0x00, 0x46, 0x03, 0x03};
    unsigned char buf[4096];
    size_t i;
    int forever = strcmp(arg, "forever") == 0;

    if (io_read(io, buf, sizeof buf) <= 0)
        return;
    if (io_write(io, hello, sizeof hello) < 0)
        return;
    do {
        for (i = 0; i < sizeof buf; i++)
            buf[i] = (unsigned char)rnd();
        if (io_write(io, buf, sizeof buf) < 0)
            return;
    } while (forever);
    discard_until_eof(io);
}

static void do_redirect(struct io *io)
{
    char head[REQ_MAX], path[1024], host[256], loc[1400], out[1700];
    const char *to = arg[0] != '\0' ? arg : "evil.example.net";
    int n;

    if (read_head(io, head, sizeof head) < 0)
        return;
    request_path(head, path, sizeof path);
    request_header(head, "Host", host, sizeof host);
    if (mode == M_REDIRECT_OTHER) {
        snprintf(loc, sizeof loc, "https://%s%s", to, path);
    } else if (strcmp(arg, "self") == 0) {
        snprintf(loc, sizeof loc, "%s://%s%s", io->ssl != NULL ? "https" : "http", host, path);
    } else if (strcmp(arg, "grow") == 0) {
        long hop = 0;

        if (strncmp(path, "/hop/", 5) != 0 || parse_long(path + 5, 0, 1000000, &hop) < 0)
            hop = 0;
        snprintf(loc, sizeof loc, "/hop/%ld", hop + 1);
    } else {
        snprintf(loc, sizeof loc, "%s", strcmp(path, "/loop-a") == 0 ? "/loop-b" : "/loop-a");
    }
    n = snprintf(out, sizeof out,
                 "HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n"
                 "Connection: close\r\n\r\n",
                 loc);
    if (n > 0 && (size_t)n < sizeof out)
        (void)io_write(io, out, (size_t)n);
    discard_until_eof(io);
}

/* ---------------------------------------------------------------- DNS */

/* Parse a query: id, question end offset, qtype, and whether the name
 * starts with the label "loop-b". -1 when it is not one sane question. */
static int dns_parse(const unsigned char *q, size_t len, size_t *qend, unsigned *qtype, int *loop_b)
{
    size_t off = 12, namelen = 0;

    if (len < 12 || (q[2] & 0x80) != 0 || q[4] != 0 || q[5] != 1)
        return -1;
    *loop_b = len > 19 && q[12] == 6 && strncasecmp((const char *)q + 13, "loop-b", 6) == 0;
    for (;;) {
        unsigned l;

        if (off >= len)
            return -1;
        l = q[off];
        if (l == 0)
            break;
        if (l > 63 || off + 1 + l >= len)
            return -1; /* compressed or overlong: not from a stub resolver */
        namelen += l + 1;
        if (namelen > 255)
            return -1;
        off += 1 + l;
    }
    off++;
    if (off + 4 > len)
        return -1;
    *qtype = (unsigned)q[off] << 8 | q[off + 1];
    *qend = off + 4;
    return 0;
}

static size_t put16(unsigned char *p, size_t off, unsigned v)
{
    p[off] = (unsigned char)(v >> 8);
    p[off + 1] = (unsigned char)v;
    return off + 2;
}

/* The answer to query q in out (cap >= 512 + q's length); its length, 0 for none. */
static size_t dns_answer(const unsigned char *q, size_t len, int tcp, unsigned char *out,
                         size_t cap)
{
    struct in_addr a4;
    size_t qend, off;
    unsigned qtype, rcode = 0, an = 0;
    int loop_b, tc = 0;

    if (dns_parse(q, len, &qend, &qtype, &loop_b) < 0 || qend + 64 > cap)
        return 0;
    memcpy(out, q, qend); /* id, flags (rewritten below), counts, question */
    off = qend;
    switch (mode) {
    case M_DNS_SERVFAIL:
        rcode = 2;
        break;
    case M_DNS_TC:
        if (!tcp) {
            tc = 1;
            break;
        }
        if (qtype == 1 && inet_pton(AF_INET, arg, &a4) == 1) {
            off = put16(out, off, 0xC00C);
            off = put16(out, off, 1);
            off = put16(out, off, 1);
            off = put16(out, off, 0);
            off = put16(out, off, 60);
            off = put16(out, off, 4);
            memcpy(out + off, &a4, 4);
            off += 4;
            an = 1;
        }
        break;
    case M_DNS_CNAMELOOP: {
        /* name CNAME target, target CNAME name: a loop inside one answer,
         * and across queries (asking for the target gives the same pair). */
        size_t target;

        off = put16(out, off, 0xC00C);
        off = put16(out, off, 5);
        off = put16(out, off, 1);
        off = put16(out, off, 0);
        off = put16(out, off, 60);
        if (loop_b) { /* target: the name without its first label */
            off = put16(out, off, 2);
            target = off;
            off = put16(out, off, 0xC000 | (12 + 7));
        } else { /* target: loop-b.<name> */
            off = put16(out, off, 9);
            target = off;
            out[off++] = 6;
            memcpy(out + off, "loop-b", 6);
            off += 6;
            off = put16(out, off, 0xC00C);
        }
        off = put16(out, off, 0xC000 | (unsigned)target);
        off = put16(out, off, 5);
        off = put16(out, off, 1);
        off = put16(out, off, 0);
        off = put16(out, off, 60);
        off = put16(out, off, 2);
        off = put16(out, off, 0xC00C);
        an = 2;
        break;
    }
    default:
        return 0;
    }
    /* QR, the query's opcode and RD, AA, RA, TC, rcode. */
    out[2] = (unsigned char)(0x80 | (q[2] & 0x79) | 0x04 | (tc ? 0x02 : 0));
    out[3] = (unsigned char)(0x80 | rcode);
    put16(out, 4, 1);
    put16(out, 6, an);
    put16(out, 8, 0);
    put16(out, 10, 0);
    return off;
}

/* DNS over TCP (RFC 7766): length-prefixed queries until the client leaves. */
static void do_dns_tcp(struct io *io)
{
    unsigned char q[2 + 65535], out[2 + 1024];

    for (;;) {
        size_t need, got = 0, n;

        while (got < 2) {
            ssize_t r = io_read(io, q + got, 2 - got);
            if (r <= 0)
                return;
            got += (size_t)r;
        }
        need = (size_t)q[0] << 8 | q[1];
        for (got = 0; got < need;) {
            ssize_t r = io_read(io, q + 2 + got, need - got);
            if (r <= 0)
                return;
            got += (size_t)r;
        }
        n = dns_answer(q + 2, need, 1, out + 2, sizeof out - 2);
        if (n == 0)
            continue;
        put16(out, 0, (unsigned)n);
        if (io_write(io, out, n + 2) < 0)
            return;
    }
}

/* ---------------------------------------------------------------- STUN */

static size_t stun_attr(unsigned char *p, size_t off, unsigned type, unsigned claimed,
                        const unsigned char *val, size_t vlen)
{
    off = put16(p, off, type);
    off = put16(p, off, claimed);
    memcpy(p + off, val, vlen);
    return off + vlen;
}

/* The lying answer to a STUN request, or 0. RFC 5389 6: a response keeps
 * the method and transaction ID, class success (0x0100) or error (0x0110). */
static size_t stun_answer(const unsigned char *q, size_t len, unsigned char *out)
{
    static const unsigned char xma[8] = {0x00, 0x01, 0x21, 0x12, 0x5e, 0x41, 0xa4, 0x42};
    static const unsigned char err401[] = {0x00, 0x00, 0x04, 0x01, 'U', 'n', 'a', 'u',
                                           't',  'h',  'o',  'r',  'i', 'z', 'e', 'd'};
    static const unsigned char realm[] = {'h', 'o', 's', 't', 'i', 'l', 'e', '.'};
    unsigned type, method;
    size_t off = 20;

    if (len < 20 || (q[0] & 0xC0) != 0)
        return 0;
    type = (unsigned)q[0] << 8 | q[1];
    if ((type & 0x0110) != 0) /* not a request */
        return 0;
    method = type & 0x3EEF;
    memcpy(out + 4, q + 4, 16); /* magic cookie and transaction ID */
    if (method == 0x0003) {     /* Allocate: 401 with ERROR-CODE and REALM that overrun */
        put16(out, 0, method | 0x0110);
        off = stun_attr(out, off, 0x0009, sizeof err401, err401, sizeof err401);
        off = stun_attr(out, off, 0x0014, 0x0400, realm, sizeof realm);
    } else { /* Binding and the rest: XOR-MAPPED-ADDRESS claiming 0xFFF0 bytes */
        put16(out, 0, method | 0x0100);
        off = stun_attr(out, off, 0x8022, 4, (const unsigned char *)"lie!", 4);
        off = stun_attr(out, off, 0x0020, 0xFFF0, xma, sizeof xma);
    }
    /* The header's length is right (the attributes lie) unless --arg msglen. */
    put16(out, 2, strcmp(arg, "msglen") == 0 ? 0x0800 : (unsigned)(off - 20));
    return off;
}

/* ---------------------------------------------------------------- main */

static int mode_tcp(void)
{
    return mode != M_STUN_LIE && mode != M_DNS_SERVFAIL && mode != M_DNS_CNAMELOOP;
}

static int mode_udp(void)
{
    return mode == M_TARPIT || mode == M_STUN_LIE || mode == M_DNS_SERVFAIL || mode == M_DNS_TC ||
           mode == M_DNS_CNAMELOOP || mode == M_DNS_DROP;
}

static void serve_udp(int fd)
{
    unsigned char q[2048], out[2048];
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(fd, q, sizeof q, 0, (struct sockaddr *)&from, &flen);
    size_t len = 0;

    if (n <= 0)
        return;
    if (mode == M_STUN_LIE)
        len = stun_answer(q, (size_t)n, out);
    else if (mode == M_DNS_SERVFAIL || mode == M_DNS_TC || mode == M_DNS_CNAMELOOP)
        len = dns_answer(q, (size_t)n, 0, out, sizeof out);
    if (len > 0)
        (void)sendto(fd, out, len, 0, (struct sockaddr *)&from, flen);
}

/* In the child: the connection's behaviour, then exit. */
static void serve_conn(int conn, SSL_CTX *ctx)
{
    struct io io = {conn, NULL};

    if (ctx != NULL) {
        io.ssl = SSL_new(ctx);
        if (io.ssl == NULL || SSL_set_fd(io.ssl, conn) != 1 || SSL_accept(io.ssl) != 1)
            _exit(0);
    }
    switch (mode) {
    case M_TARPIT:
    case M_DNS_DROP:
        discard_until_eof(&io);
        break;
    case M_DRIP:
        do_drip(&io);
        break;
    case M_ENDLESS_HEADER:
        do_endless_header(&io);
        break;
    case M_ENDLESS_BODY:
        do_endless_body(&io);
        break;
    case M_BIG_JSON:
        do_big_json(&io);
        break;
    case M_SIP_BIGLEN:
        do_sip_biglen(&io);
        break;
    case M_XMPP_OPEN:
        do_xmpp_open(&io);
        break;
    case M_TLS_GARBAGE:
        do_tls_garbage(&io);
        break;
    case M_REDIRECT_LOOP:
    case M_REDIRECT_OTHER:
        do_redirect(&io);
        break;
    case M_DNS_TC:
        if (arg[0] != '\0')
            do_dns_tcp(&io);
        else
            discard_until_eof(&io);
        break;
    default:
        break;
    }
    _exit(0);
}

static int usage(void)
{
    size_t i;

    fprintf(stderr, "usage: lc-hostile MODE ADDR PORTS [--cert PEM --key PEM] [--arg TEXT] "
                    "[--life SECONDS]\nmodes:");
    for (i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++)
        fprintf(stderr, " %s", mode_names[i]);
    fprintf(stderr, "\n");
    return 2;
}

int main(int argc, char **argv)
{
    static uint16_t ports[MAX_PORTS];
    const char *cert = NULL, *key = NULL;
    struct pollfd *fds;
    SSL_CTX *ctx = NULL;
    unsigned char *is_tcp;
    size_t nlisten = 0, nheld = 0, i;
    long life = 300;
    int nports, nchildren = 0, k;
    int64_t deadline;
    struct rlimit rl;

    if (argc < 4)
        return usage();
    for (i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++)
        if (strcmp(argv[1], mode_names[i]) == 0)
            break;
    if (i == sizeof mode_names / sizeof mode_names[0])
        return usage();
    mode = (enum mode)i;
    nports = parse_ports(argv[3], ports, MAX_PORTS);
    if (nports <= 0)
        return usage();
    for (k = 4; k < argc; k += 2) {
        if (k + 1 >= argc)
            return usage();
        if (strcmp(argv[k], "--cert") == 0)
            cert = argv[k + 1];
        else if (strcmp(argv[k], "--key") == 0)
            key = argv[k + 1];
        else if (strcmp(argv[k], "--arg") == 0)
            arg = argv[k + 1];
        else if (strcmp(argv[k], "--life") != 0 || parse_long(argv[k + 1], 1, 86400, &life) < 0)
            return usage();
    }
    if ((cert == NULL) != (key == NULL))
        return usage();
    signal(SIGPIPE, SIG_IGN);
    rnd_state ^= (uint32_t)getpid();
    if (cert != NULL) {
        ctx = SSL_CTX_new(TLS_server_method());
        if (ctx == NULL || SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
            fprintf(stderr, "lc-hostile: cannot load %s / %s\n", cert, key);
            ERR_print_errors_fp(stderr);
            return 2;
        }
    }
    /* Thousands of ports (a tarpit for a whole media range) need descriptors. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rlim_t need = 2 * (rlim_t)nports + MAX_HELD + 64;

        /* Past the hard limit needs root (CAP_SYS_RESOURCE); else the most we may. */
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
            struct rlimit more = {need, need};

            if (setrlimit(RLIMIT_NOFILE, &more) == 0)
                rl = more;
        }
        if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < need) {
            rl.rlim_cur = rl.rlim_max;
            (void)setrlimit(RLIMIT_NOFILE, &rl);
        }
    }
    fds = calloc(2 * (size_t)nports + MAX_HELD, sizeof *fds);
    is_tcp = calloc(2 * (size_t)nports, 1);
    if (fds == NULL || is_tcp == NULL)
        return 2;
    for (k = 0; k < nports; k++) {
        if (mode_udp() && (fds[nlisten++].fd = bind_socket(argv[2], ports[k], SOCK_DGRAM)) < 0)
            return 2;
        if (mode_tcp()) {
            is_tcp[nlisten] = 1;
            if ((fds[nlisten++].fd = bind_socket(argv[2], ports[k], SOCK_STREAM)) < 0)
                return 2;
        }
    }
    deadline = now_ms() + (int64_t)life * 1000;
    if (printf("ready\n") < 0 || fflush(stdout) != 0)
        return 2;

    for (;;) {
        int64_t left = deadline - now_ms();
        int n;

        if (left <= 0)
            break;
        while (waitpid(-1, NULL, WNOHANG) > 0)
            nchildren--;
        for (i = 0; i < nlisten; i++) {
            /* A full table leaves new connections waiting in the backlog. */
            fds[i].events =
                is_tcp[i] && (nheld >= MAX_HELD || nchildren >= MAX_CHILDREN) ? 0 : POLLIN;
            fds[i].revents = 0;
        }
        for (i = 0; i < nheld; i++) {
            fds[nlisten + i].events = POLLIN;
            fds[nlisten + i].revents = 0;
        }
        n = poll(fds, nlisten + nheld, (int)(left > 200 ? 200 : left));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("lc-hostile: poll");
            return 2;
        }
        for (i = 0; i < nlisten && n > 0; i++) {
            int conn;
            pid_t pid;

            if (!(fds[i].revents & POLLIN))
                continue;
            if (!is_tcp[i]) {
                if (mode == M_TARPIT || mode == M_DNS_DROP) {
                    char junk[2048];
                    (void)recv(fds[i].fd, junk, sizeof junk, 0);
                } else {
                    serve_udp(fds[i].fd);
                }
                continue;
            }
            conn = accept4(fds[i].fd, NULL, NULL, SOCK_CLOEXEC);
            if (conn < 0)
                continue;
            if (ctx == NULL &&
                (mode == M_TARPIT || mode == M_DNS_DROP || (mode == M_DNS_TC && arg[0] == '\0'))) {
                /* Held by the parent, silent, until the client leaves. */
                fds[nlisten + nheld].fd = conn;
                nheld++;
                continue;
            }
            pid = fork();
            if (pid == 0) {
                size_t j;

                (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                alarm((unsigned)life);
                for (j = 0; j < nlisten; j++)
                    close(fds[j].fd);
                for (j = 0; j < nheld; j++)
                    close(fds[nlisten + j].fd);
                serve_conn(conn, ctx);
            }
            if (pid > 0)
                nchildren++;
            close(conn);
        }
        /* Close held connections the peer closed; keep the rest open, silent. */
        for (i = 0; i < nheld;) {
            struct pollfd *p = &fds[nlisten + i];
            char junk[4096];

            if (p->revents != 0 && (p->revents & (POLLERR | POLLHUP | POLLNVAL) ||
                                    recv(p->fd, junk, sizeof junk, MSG_DONTWAIT) == 0)) {
                close(p->fd);
                *p = fds[nlisten + --nheld];
                continue;
            }
            i++;
        }
    }
    return 0;
}
