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
 * shared by every context of the run; security level 0; the chain neither
 * enforced nor verified during the handshake (cert.c judges it against the
 * store, once per distinct certificate). */
SSL_CTX *lc_tls_ctx_new(const char *ca_file, char *err, size_t errlen);
/* Give another context (libcurl's, from CURLOPT_SSL_CTX_FUNCTION) the run's
 * trust store, the one lc_tls_ctx_new() shares: no CA file read per
 * connection. 0, or -1 with a message. */
int lc_tls_ctx_use_store(SSL_CTX *ctx, const char *ca_file, char *err, size_t errlen);

/* Connect to addr:port (addr numeric, v4 or v6) and handshake. Returns 0,
 * or -1 when nothing could even start (bad address, out of memory): the
 * callback is then not called. */
int lc_tls_handshake(struct lc_loop *loop, SSL_CTX *ctx, const char *addr, unsigned port,
                     const struct lc_tls_opts *opts, lc_tls_cb cb, void *arg,
                     struct lc_tls_hs **out);
/* Abandon a handshake in progress: no callback, everything released. */
void lc_tls_handshake_cancel(struct lc_tls_hs *hs);

#endif
