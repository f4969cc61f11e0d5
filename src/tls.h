/* SPDX-License-Identifier: MIT */
/* lynccheck - TLS handshakes on the one event loop (OpenSSL 3, non-blocking).
 *
 * lynccheck is an inspector, not a client: it completes the handshake
 * whatever the certificate (verification mode NONE, security level 0, so a
 * SHA-1 or 1024-bit certificate can still be seen and judged), records what
 * was presented, and leaves the verdicts to the analysis (cert.c). */
#ifndef LC_TLS_H
#define LC_TLS_H

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <sys/socket.h>

struct lc_loop;
struct lc_tls_hs;

struct lc_tls_result {
    int connected;    /* TCP connection made */
    int handshake_ok; /* TLS handshake completed */
    char error[256];  /* what went wrong, when something did */
    char version[16]; /* "TLSv1.3" */
    char cipher[64];
    int client_cert_requested; /* the server asked for a client certificate (MTLS) */
    STACK_OF(X509) * chain;    /* as the server sent it, leaf first; NULL when none */
    uint64_t elapsed_us;
    SSL *ssl; /* the live connection, for protocol probes; NULL unless keep was asked */
    int fd;   /* its socket, -1 when not kept */
};

/* Called exactly once, from the loop. The callback owns nothing in res:
 * take references (X509_up_ref, or steal res->chain by setting it NULL)
 * before returning. With keep, the callback must take res->ssl and res->fd
 * (set them to NULL / -1) or they are closed after it returns. */
typedef void (*lc_tls_cb)(struct lc_tls_result *res, void *arg);

struct lc_tls_opts {
    const char *sni;     /* server name to send, NULL for none */
    int min_version;     /* 0 for the library's, else TLS1_VERSION ... */
    int max_version;     /* 0 for the library's, else TLS1_2_VERSION ... */
    uint64_t timeout_us; /* connect + handshake; 0 for none (the check's own limit) */
    int keep;            /* hand the connection to the callback */
};

/* A context for inspecting: system trust store plus ca_file (may be NULL),
 * security level 0, verification recorded but never enforced. */
SSL_CTX *lc_tls_ctx_new(const char *ca_file, char *err, size_t errlen);

/* Connect to addr:port (addr numeric, v4 or v6) and handshake. Returns 0,
 * or -1 when nothing could even start (bad address, out of memory): the
 * callback is then not called. */
int lc_tls_handshake(struct lc_loop *loop, SSL_CTX *ctx, const char *addr, unsigned port,
                     const struct lc_tls_opts *opts, lc_tls_cb cb, void *arg,
                     struct lc_tls_hs **out);
/* Abandon a handshake in progress: no callback, everything released. */
void lc_tls_handshake_cancel(struct lc_tls_hs *hs);

/* A numeric IPv4 or IPv6 address and a port as a socket address: 0, or -1
 * when addr is not numeric. */
int lc_sockaddr_from(const char *addr, unsigned port, struct sockaddr_storage *ss, socklen_t *len);

/* Make a non-blocking TCP connection attempt to a numeric address; returns the
 * socket or -1 with errno. Shared with the port and protocol probes. */
int lc_tcp_connect_start(const char *addr, unsigned port);

#endif
