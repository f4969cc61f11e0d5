/* SPDX-License-Identifier: MIT */
/* lynccheck - non-blocking TLS handshakes driven by the loop. */
#include "tls.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "net.h"

struct lc_tls_hs {
    struct lc_loop *loop;
    SSL *ssl;
    int fd;
    int connecting;
    uint64_t started_us;
    struct lc_timer *timer;
    lc_tls_cb cb;
    void *arg;
    struct lc_tls_result res;
    int keep;
};

/* Where SSL's ex_data keeps the handshake, for the client-cert callback. */
static int lc_tls_ex_index = -1;

static int lc_tls_on_client_cert(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
    struct lc_tls_hs *hs = SSL_get_ex_data(ssl, lc_tls_ex_index);

    (void)x509;
    (void)pkey;
    /* The server asked for a client certificate (MTLS, as an edge's 5061
     * does for federation). We have none to give; say so and go on. */
    if (hs != NULL)
        hs->res.client_cert_requested = 1;
    return 0;
}

static int lc_tls_on_verify(X509_STORE_CTX *x, void *arg)
{
    (void)x;
    (void)arg;
    return 1;
}

/* One trust store (the system's plus --ca-file) for every context of the
 * run: parsing the system CA bundle costs tens of milliseconds and most of
 * a megabyte, and the tls, sip and stun probes each make a context
 * (doc/performance.md). Contexts share it by reference; single-threaded. */
static X509_STORE *lc_tls_store;
static char *lc_tls_store_ca;

/* Whether one of the certificate directories (SSL_CERT_DIR, a colon-
 * separated list, else OpenSSL's default) holds hashed names ("9d6523ce.0",
 * as c_rehash and update-ca-certificates make them). */
static int lc_tls_dir_hashed(void)
{
    const char *env = getenv(X509_get_default_cert_dir_env());
    const char *dirs = env != NULL ? env : X509_get_default_cert_dir();
    char dir[4096];
    int found = 0;

    while (!found && dirs != NULL && *dirs != '\0') {
        const char *end = strchr(dirs, ':');
        size_t len = end != NULL ? (size_t)(end - dirs) : strlen(dirs);
        DIR *d;
        struct dirent *e;

        if (len > 0 && len < sizeof(dir)) {
            memcpy(dir, dirs, len);
            dir[len] = '\0';
            d = opendir(dir);
            while (d != NULL && !found && (e = readdir(d)) != NULL)
                found = strlen(e->d_name) == 10 && strspn(e->d_name, "0123456789abcdef") == 8 &&
                        strcmp(e->d_name + 8, ".0") == 0;
            if (d != NULL)
                closedir(d);
        }
        dirs = end != NULL ? end + 1 : NULL;
    }
    return found;
}

/* Whether the CA file (SSL_CERT_FILE, else OpenSSL's default) is the
 * system's default bundle, the one update-ca-certificates also writes out
 * as the hashed directory. */
static int lc_tls_file_is_default(void)
{
    const char *env = getenv(X509_get_default_cert_file_env());
    char a[PATH_MAX], b[PATH_MAX];

    if (env == NULL)
        return 1;
    return realpath(env, a) != NULL && realpath(X509_get_default_cert_file(), b) != NULL &&
           strcmp(a, b) == 0;
}

/* The system trust store with what X509_STORE_set_default_paths() puts in
 * it (SSL_CERT_FILE and SSL_CERT_DIR honoured), read lazily: where the
 * certificate directory is hashed, an issuer is read from it when a chain
 * asks for it, instead of parsing the whole CA bundle up front (about 150
 * certificates: a quarter of a healthy run's CPU under OpenSSL 3.0). The
 * bundle is read only where the directory is not hashed. OpenSSL 3's extra
 * OSSL_STORE lookup of the same directory is left out: it reads every entry
 * of the directory each time an issuer is not found (a private CA's). Missing
 * files are no error, as for OpenSSL's own defaults. 0, or -1. */
static int lc_tls_store_system(X509_STORE *st)
{
    X509_LOOKUP *lk;

    if (!lc_tls_file_is_default() || !lc_tls_dir_hashed()) {
        lk = X509_STORE_add_lookup(st, X509_LOOKUP_file());
        if (lk == NULL)
            return -1;
        (void)X509_LOOKUP_load_file(lk, NULL, X509_FILETYPE_DEFAULT);
    }
    lk = X509_STORE_add_lookup(st, X509_LOOKUP_hash_dir());
    if (lk == NULL)
        return -1;
    (void)X509_LOOKUP_add_dir(lk, NULL, X509_FILETYPE_DEFAULT);
    ERR_clear_error();
    return 0;
}

static int lc_tls_store_attach(SSL_CTX *ctx, const char *ca_file, char *err, size_t errlen)
{
    X509_STORE *st;

    if (lc_tls_store != NULL &&
        ((ca_file == NULL && lc_tls_store_ca == NULL) ||
         (ca_file != NULL && lc_tls_store_ca != NULL && strcmp(ca_file, lc_tls_store_ca) == 0))) {
        SSL_CTX_set1_cert_store(ctx, lc_tls_store);
        return 0;
    }
    st = X509_STORE_new();
    if (st == NULL || lc_tls_store_system(st) < 0) {
        snprintf(err, errlen, "OpenSSL: cannot load the system trust store");
        X509_STORE_free(st);
        return -1;
    }
    if (ca_file != NULL && X509_STORE_load_file(st, ca_file) != 1) {
        unsigned long e = ERR_get_error();
        snprintf(err, errlen, "--ca-file %s: %s", ca_file,
                 e ? ERR_reason_error_string(e) : "cannot load");
        ERR_clear_error();
        X509_STORE_free(st);
        return -1;
    }
    SSL_CTX_set1_cert_store(ctx, st);
    /* Keep it for the next context (a different --ca-file replaces it). */
    X509_STORE_free(lc_tls_store);
    free(lc_tls_store_ca);
    lc_tls_store = st;
    lc_tls_store_ca = ca_file != NULL ? strdup(ca_file) : NULL;
    if (ca_file != NULL && lc_tls_store_ca == NULL) {
        X509_STORE_free(lc_tls_store);
        lc_tls_store = NULL;
    }
    return 0;
}

int lc_tls_ctx_use_store(SSL_CTX *ctx, const char *ca_file, char *err, size_t errlen)
{
    /* SSL_MODE_RELEASE_BUFFERS, for ours and libcurl's contexts alike: a
     * connection waiting for its peer holds no read and write buffers
     * (about 34 KB each); dozens wait at once in a run, thousands at scale. */
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    return lc_tls_store_attach(ctx, ca_file, err, errlen);
}

SSL_CTX *lc_tls_ctx_new(const char *ca_file, char *err, size_t errlen)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (ctx == NULL) {
        snprintf(err, errlen, "OpenSSL: cannot create a TLS context");
        return NULL;
    }
    if (lc_tls_ex_index < 0)
        lc_tls_ex_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    /* Level 0: we must see weak certificates to report them. */
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    /* Even with SSL_VERIFY_NONE, OpenSSL builds and verifies the chain on
     * every handshake; nothing reads that result (the certificate checks
     * judge each distinct chain once, cert.c), so skip it. */
    SSL_CTX_set_cert_verify_callback(ctx, lc_tls_on_verify, NULL);
    SSL_CTX_set_client_cert_cb(ctx, lc_tls_on_client_cert);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (lc_tls_ctx_use_store(ctx, ca_file, err, errlen) < 0) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static void lc_tls_release(struct lc_tls_hs *hs)
{
    if (hs->timer != NULL)
        lc_loop_timer_cancel(hs->loop, hs->timer);
    if (hs->fd >= 0)
        (void)lc_loop_io_set(hs->loop, hs->fd, 0, NULL, NULL);
    if (hs->ssl != NULL)
        SSL_free(hs->ssl);
    if (hs->fd >= 0)
        close(hs->fd);
    if (hs->res.chain != NULL)
        sk_X509_pop_free(hs->res.chain, X509_free);
    free(hs);
}

static void lc_tls_complete(struct lc_tls_hs *hs)
{
    hs->res.elapsed_us = lc_now_us() - hs->started_us;
    if (hs->timer != NULL) {
        lc_loop_timer_cancel(hs->loop, hs->timer);
        hs->timer = NULL;
    }
    if (hs->fd >= 0)
        (void)lc_loop_io_set(hs->loop, hs->fd, 0, NULL, NULL);
    if (hs->keep && hs->res.handshake_ok) {
        hs->res.ssl = hs->ssl;
        hs->res.fd = hs->fd;
    }
    hs->cb(&hs->res, hs->arg);
    /* Whatever the callback did not take is ours to release. */
    if (hs->res.ssl == NULL && hs->keep && hs->res.handshake_ok) {
        hs->ssl = NULL;
        hs->fd = -1;
    } else if (hs->res.ssl != NULL && hs->res.ssl == hs->ssl) {
        hs->res.ssl = NULL;
    }
    if (hs->res.fd == -1 && hs->keep && hs->res.handshake_ok)
        hs->fd = -1;
    lc_tls_release(hs);
}

static void lc_tls_fail(struct lc_tls_hs *hs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void lc_tls_fail(struct lc_tls_hs *hs, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(hs->res.error, sizeof(hs->res.error), fmt, ap);
    va_end(ap);
    lc_tls_complete(hs);
}

/* The most useful words OpenSSL has about why a handshake failed. */
static const char *lc_tls_error_text(struct lc_tls_hs *hs, int ret, char *buf, size_t len)
{
    int e = SSL_get_error(hs->ssl, ret);
    unsigned long q = ERR_peek_last_error();

    if (q != 0) {
        ERR_error_string_n(q, buf, len);
    } else if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN) {
        snprintf(buf, len, "%s",
                 errno != 0 && ret < 0 ? strerror(errno) : "the server closed the connection");
    } else {
        snprintf(buf, len, "SSL error %d", e);
    }
    ERR_clear_error();
    return buf;
}

static void lc_tls_on_io(struct lc_loop *loop, int fd, unsigned events, void *arg);

static void lc_tls_step(struct lc_tls_hs *hs)
{
    char buf[160];
    int ret, e;

    ERR_clear_error();
    errno = 0;
    ret = SSL_connect(hs->ssl);
    if (ret == 1) {
        STACK_OF(X509) *sent = SSL_get_peer_cert_chain(hs->ssl);
        int i;

        hs->res.handshake_ok = 1;
        snprintf(hs->res.version, sizeof(hs->res.version), "%s", SSL_get_version(hs->ssl));
        snprintf(hs->res.cipher, sizeof(hs->res.cipher), "%s",
                 SSL_CIPHER_get_name(SSL_get_current_cipher(hs->ssl)));
        if (sent != NULL && (hs->res.chain = sk_X509_new_null()) != NULL) {
            for (i = 0; i < sk_X509_num(sent); i++) {
                X509 *x = sk_X509_value(sent, i);
                if (X509_up_ref(x) == 1 && sk_X509_push(hs->res.chain, x) <= 0)
                    X509_free(x);
            }
        }
        lc_tls_complete(hs);
        return;
    }
    e = SSL_get_error(hs->ssl, ret);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        unsigned want = e == SSL_ERROR_WANT_READ ? LC_IO_READ : LC_IO_WRITE;
        if (lc_loop_io_set(hs->loop, hs->fd, want, lc_tls_on_io, hs) < 0)
            lc_tls_fail(hs, "%s", "cannot watch the socket");
        return;
    }
    lc_tls_fail(hs, "TLS handshake failed: %s", lc_tls_error_text(hs, ret, buf, sizeof(buf)));
}

static void lc_tls_on_io(struct lc_loop *loop, int fd, unsigned events, void *arg)
{
    struct lc_tls_hs *hs = arg;

    (void)loop;
    (void)events;
    if (hs->connecting) {
        int err = 0;
        socklen_t len = sizeof(err);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            err = errno;
        if (err == EINPROGRESS || err == EALREADY)
            return;
        if (err != 0) {
            lc_tls_fail(hs, "TCP connect failed: %s", strerror(err));
            return;
        }
        hs->connecting = 0;
        hs->res.connected = 1;
    }
    lc_tls_step(hs);
}

static void lc_tls_on_timeout(struct lc_loop *loop, void *arg)
{
    struct lc_tls_hs *hs = arg;

    (void)loop;
    hs->timer = NULL;
    lc_tls_fail(hs, "%s",
                hs->connecting
                    ? "TCP connect timed out (no answer: filtered?)"
                    : "TLS handshake timed out (the server accepted but did not answer)");
}

int lc_tls_handshake(struct lc_loop *loop, SSL_CTX *ctx, const char *addr, unsigned port,
                     const struct lc_tls_opts *opts, lc_tls_cb cb, void *arg,
                     struct lc_tls_hs **out)
{
    struct lc_tls_hs *hs = calloc(1, sizeof(*hs));

    if (out != NULL)
        *out = NULL;
    if (hs == NULL)
        return -1;
    hs->loop = loop;
    hs->fd = -1;
    hs->res.fd = -1;
    hs->cb = cb;
    hs->arg = arg;
    hs->keep = opts->keep;
    hs->started_us = lc_now_us();
    hs->ssl = SSL_new(ctx);
    if (hs->ssl == NULL)
        goto fail;
    SSL_set_ex_data(hs->ssl, lc_tls_ex_index, hs);
    if (opts->sni != NULL && SSL_set_tlsext_host_name(hs->ssl, opts->sni) != 1)
        goto fail;
    if (opts->min_version != 0 && SSL_set_min_proto_version(hs->ssl, opts->min_version) != 1)
        goto fail;
    if (opts->max_version != 0 && SSL_set_max_proto_version(hs->ssl, opts->max_version) != 1)
        goto fail;
    hs->fd = lc_tcp_connect_start(addr, port);
    if (hs->fd < 0)
        goto fail;
    if (SSL_set_fd(hs->ssl, hs->fd) != 1)
        goto fail;
    SSL_set_connect_state(hs->ssl);
    hs->connecting = 1;
    if (lc_loop_io_set(loop, hs->fd, LC_IO_WRITE, lc_tls_on_io, hs) < 0)
        goto fail;
    if (opts->timeout_us > 0) {
        hs->timer = lc_loop_timer_add(loop, opts->timeout_us, lc_tls_on_timeout, hs);
        if (hs->timer == NULL)
            goto fail;
    }
    if (out != NULL)
        *out = hs;
    return 0;
fail:
    ERR_clear_error();
    lc_tls_release(hs);
    return -1;
}

void lc_tls_handshake_cancel(struct lc_tls_hs *hs)
{
    if (hs != NULL)
        lc_tls_release(hs);
}
