/* SPDX-License-Identifier: MIT */
/* lynccheck - libcurl's multi socket interface driven by the one event loop.
 *
 * This is libcurl's "multi_socket" recipe (curl_multi_socket_action(3), the
 * hiperfifo.c example): libcurl announces the sockets it wants watched through
 * CURLMOPT_SOCKETFUNCTION and a single timeout through CURLMOPT_TIMERFUNCTION;
 * the loop does the waiting; when a socket is ready or the timer fires we call
 * curl_multi_socket_action() and then collect finished transfers with
 * curl_multi_info_read().
 *
 * curl_global_init() is not called here: it must run once, before any other
 * libcurl call and while the process has a single thread (curl_global_init(3)),
 * so main() owns it (and curl_global_cleanup() at exit).
 *
 * CURLOPT_PRIVATE of an attached easy handle belongs to this file: it points at
 * our per-transfer record, so callers must not set CURLOPT_PRIVATE themselves.
 *
 * Reentrancy. libcurl forbids calling it back from inside its own callbacks
 * (socket, timer, write, header, progress...; see "WARNING" in
 * CURLMOPT_TIMERFUNCTION(3) and curl_multi_remove_handle(3)), so
 * lc_http_add/cancel/free must never be called from a libcurl callback. Done
 * callbacks are different: they run after curl_multi_socket_action() has
 * returned, and may add transfers, cancel others and even free the lc_http. */
#include "http.h"
#include "config.h"

#include "loop.h"
#include "tls.h"

#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lc_http_xfer {
    struct lc_http *http;
    CURL *easy;
    lc_http_done_cb done;
    void *arg;
    struct lc_http_xfer *prev, *next;
};

struct lc_http {
    struct lc_loop *loop;
    CURLM *multi;
    /* The one libcurl timeout (CURLMOPT_TIMERFUNCTION(3): "a single
     * non-repeating timer"), or NULL. */
    struct lc_timer *timer;
    struct lc_http_xfer *xfers; /* attached transfers */
    unsigned running;
    /* Descriptors we watch on libcurl's behalf. Kept so that we only ever
     * unwatch our own descriptors, and so lc_http_free() can leave the loop
     * clean even if libcurl does not send CURL_POLL_REMOVE for everything. */
    int *fds;
    size_t nfds, fds_cap;
    unsigned depth; /* > 0 while we are inside a loop callback */
    int dying;      /* lc_http_free() was called from a done callback */
};

static void lc_http_on_io(struct lc_loop *loop, int fd, unsigned events, void *arg);
static void lc_http_on_timer(struct lc_loop *loop, void *arg);

static int lc_http_fd_index(const struct lc_http *http, int fd, size_t *index)
{
    size_t i;

    /* Linear: a checker has tens of connections in flight, not thousands. */
    for (i = 0; i < http->nfds; i++) {
        if (http->fds[i] == fd) {
            *index = i;
            return 1;
        }
    }
    return 0;
}

/* Returns 1 when fd was added, 0 when already known, -1 when out of memory. */
static int lc_http_fd_track(struct lc_http *http, int fd)
{
    size_t i;

    if (lc_http_fd_index(http, fd, &i))
        return 0;
    if (http->nfds == http->fds_cap) {
        size_t cap = http->fds_cap ? http->fds_cap * 2 : 16;
        int *fds = realloc(http->fds, cap * sizeof(*fds));

        if (fds == NULL)
            return -1;
        http->fds = fds;
        http->fds_cap = cap;
    }
    http->fds[http->nfds++] = fd;
    return 1;
}

/* Returns 1 when fd was ours (and is now forgotten). */
static int lc_http_fd_untrack(struct lc_http *http, int fd)
{
    size_t i;

    if (!lc_http_fd_index(http, fd, &i))
        return 0;
    http->fds[i] = http->fds[--http->nfds];
    return 1;
}

/* CURLMOPT_SOCKETFUNCTION: libcurl tells what to wait for on socket s. */
static int lc_http_on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    struct lc_http *http = userp;
    unsigned events = 0;
    int added = 0;
    int rc = -1;

    (void)easy;
    (void)socketp;
    switch (what) {
    case CURL_POLL_IN:
        events = LC_IO_READ;
        break;
    case CURL_POLL_OUT:
        events = LC_IO_WRITE;
        break;
    case CURL_POLL_INOUT:
        events = LC_IO_READ | LC_IO_WRITE;
        break;
    default:
        /* CURL_POLL_REMOVE, and CURL_POLL_NONE ("nothing to wait for"). */
        break;
    }
    if (events == 0) {
        /* libcurl may already have closed s; the loop copes with that. */
        if (lc_http_fd_untrack(http, s))
            (void)lc_loop_io_set(http->loop, s, 0, NULL, NULL);
        rc = 0;
        goto done;
    }
    added = lc_http_fd_track(http, s);
    if (added < 0) {
        added = 0;
        goto done;
    }
    if (lc_loop_io_set(http->loop, s, events, lc_http_on_io, http) < 0)
        goto done;
    added = 0; /* watched: keep it */
    rc = 0;
done:
    if (added)
        (void)lc_http_fd_untrack(http, s);
    /* CURLMOPT_SOCKETFUNCTION(3): -1 makes libcurl fail the transfers rather
     * than leave them waiting on a socket nobody watches. */
    return rc;
}

/* CURLMOPT_TIMERFUNCTION: replace our one timer. libcurl must not be called
 * from here, so even timeout_ms == 0 only arms a zero-delay loop timer; the
 * loop fires it on its next turn, outside this callback. */
static int lc_http_on_timeout(CURLM *multi, long timeout_ms, void *userp)
{
    struct lc_http *http = userp;

    (void)multi;
    lc_loop_timer_cancel(http->loop, http->timer);
    http->timer = NULL;
    if (timeout_ms < 0)
        return 0;
    http->timer =
        lc_loop_timer_add(http->loop, (uint64_t)timeout_ms * 1000u, lc_http_on_timer, http);
    /* CURLMOPT_TIMERFUNCTION(3): -1 reports the error; transfers then fail. */
    return http->timer != NULL ? 0 : -1;
}

static struct lc_http_xfer *lc_http_xfer_of(CURL *easy)
{
    char *priv = NULL;

    /* CURLINFO_PRIVATE(3) hands back a char * whatever was stored. */
    if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv) != CURLE_OK)
        return NULL;
    return (struct lc_http_xfer *)(void *)priv;
}

/* Take a transfer out of the multi handle and forget it; the easy handle is
 * left alive for whoever owns it next. */
static void lc_http_detach(struct lc_http *http, struct lc_http_xfer *xfer)
{
    CURL *easy = xfer->easy;

    /* May call our socket and timer callbacks (to drop this transfer's
     * sockets); neither touches the transfer list. It also drops a DONE
     * message still queued for this handle (curl_multi_remove_handle). */
    (void)curl_multi_remove_handle(http->multi, easy);
    (void)curl_easy_setopt(easy, CURLOPT_PRIVATE, (void *)NULL);
    if (xfer->prev != NULL)
        xfer->prev->next = xfer->next;
    else
        http->xfers = xfer->next;
    if (xfer->next != NULL)
        xfer->next->prev = xfer->prev;
    http->running--;
    free(xfer);
}

static void lc_http_abort_all(struct lc_http *http)
{
    while (http->xfers != NULL) {
        CURL *easy = http->xfers->easy;

        lc_http_detach(http, http->xfers);
        curl_easy_cleanup(easy);
    }
}

static void lc_http_destroy(struct lc_http *http)
{
    lc_http_abort_all(http);
    if (http->multi != NULL)
        (void)curl_multi_cleanup(http->multi);
    /* Whatever libcurl did not take back itself must not stay in the loop:
     * a stale watch would call into freed memory. */
    while (http->nfds > 0)
        (void)lc_loop_io_set(http->loop, http->fds[--http->nfds], 0, NULL, NULL);
    lc_loop_timer_cancel(http->loop, http->timer);
    free(http->fds);
    free(http);
}

/* Report finished transfers. Messages are read one at a time, never
 * collected first: a done callback may cancel a transfer whose DONE message is
 * still queued, and curl_multi_remove_handle() then drops that message, so it
 * is simply never read here. A callback may also add transfers; they cannot
 * finish before the next curl_multi_socket_action(), so this ends. */
static void lc_http_dispatch(struct lc_http *http)
{
    CURLMsg *msg;
    int left;

    while (!http->dying && (msg = curl_multi_info_read(http->multi, &left)) != NULL) {
        struct lc_http_xfer *xfer;
        lc_http_done_cb done;
        void *arg;
        CURL *easy;
        CURLcode result;

        if (msg->msg != CURLMSG_DONE)
            continue;
        /* msg dies with curl_multi_remove_handle() (curl_multi_info_read(3)):
         * copy what we need first. */
        easy = msg->easy_handle;
        result = msg->data.result;
        xfer = lc_http_xfer_of(easy);
        if (xfer == NULL || xfer->http != http) {
            /* Not attached through lc_http_add(): nobody to tell. */
            (void)curl_multi_remove_handle(http->multi, easy);
            continue;
        }
        done = xfer->done;
        arg = xfer->arg;
        lc_http_detach(http, xfer);
        if (done != NULL)
            done(easy, result, arg);
    }
}

static void lc_http_action(struct lc_http *http, curl_socket_t s, int ev_bitmask)
{
    int still_running;

    http->depth++;
    /* The return value only reports misuse or out of memory; failed
     * transfers are reported per transfer by curl_multi_info_read(). */
    (void)curl_multi_socket_action(http->multi, s, ev_bitmask, &still_running);
    lc_http_dispatch(http);
    http->depth--;
    if (http->depth == 0 && http->dying)
        lc_http_destroy(http);
}

static void lc_http_on_io(struct lc_loop *loop, int fd, unsigned events, void *arg)
{
    int mask = 0;

    (void)loop;
    /* The loop folds errors and hang-ups into READ|WRITE, so CURL_CSELECT_ERR
     * is never passed; libcurl finds the error on its next recv/send. */
    if (events & LC_IO_READ)
        mask |= CURL_CSELECT_IN;
    if (events & LC_IO_WRITE)
        mask |= CURL_CSELECT_OUT;
    lc_http_action(arg, fd, mask);
}

static void lc_http_on_timer(struct lc_loop *loop, void *arg)
{
    struct lc_http *http = arg;

    (void)loop;
    http->timer = NULL; /* fired: the loop has freed it */
    lc_http_action(http, CURL_SOCKET_TIMEOUT, 0);
}

int lc_http_new(struct lc_http **out, struct lc_loop *loop)
{
    struct lc_http *http;
    int rc = -1;

    *out = NULL;
    http = calloc(1, sizeof(*http));
    if (http == NULL)
        goto done;
    http->loop = loop;
    http->multi = curl_multi_init();
    if (http->multi == NULL)
        goto done;
    if (curl_multi_setopt(http->multi, CURLMOPT_SOCKETFUNCTION, lc_http_on_socket) != CURLM_OK ||
        curl_multi_setopt(http->multi, CURLMOPT_SOCKETDATA, http) != CURLM_OK ||
        curl_multi_setopt(http->multi, CURLMOPT_TIMERFUNCTION, lc_http_on_timeout) != CURLM_OK ||
        curl_multi_setopt(http->multi, CURLMOPT_TIMERDATA, http) != CURLM_OK)
        goto done;
    *out = http;
    http = NULL;
    rc = 0;
done:
    if (http != NULL) {
        if (http->multi != NULL)
            (void)curl_multi_cleanup(http->multi);
        free(http);
    }
    return rc;
}

void lc_http_free(struct lc_http *http)
{
    if (http == NULL)
        return;
    if (http->depth > 0) {
        /* Called from a done callback: abort now (we are outside libcurl, so
         * that is allowed), but the multi handle is still being read by
         * lc_http_dispatch(); the rest waits until it returns. */
        lc_http_abort_all(http);
        http->dying = 1;
        return;
    }
    lc_http_destroy(http);
}

int lc_http_add(struct lc_http *http, CURL *easy, lc_http_done_cb done, void *arg)
{
    struct lc_http_xfer *xfer = NULL;
    int rc = -1;

    if (http == NULL || easy == NULL || http->dying)
        goto done;
    /* A private pointer means the handle is attached already (we clear it on
     * detach); adding it twice would lose the first record. */
    if (lc_http_xfer_of(easy) != NULL)
        goto done;
    xfer = calloc(1, sizeof(*xfer));
    if (xfer == NULL)
        goto done;
    xfer->http = http;
    xfer->easy = easy;
    xfer->done = done;
    xfer->arg = arg;
    if (curl_easy_setopt(easy, CURLOPT_PRIVATE, (void *)xfer) != CURLE_OK)
        goto done;
    /* Arms the timer with 0 (CURLMOPT_TIMERFUNCTION) so the transfer starts
     * on the next loop turn; it cannot complete from in here. */
    if (curl_multi_add_handle(http->multi, easy) != CURLM_OK) {
        (void)curl_easy_setopt(easy, CURLOPT_PRIVATE, (void *)NULL);
        goto done;
    }
    xfer->next = http->xfers;
    if (http->xfers != NULL)
        http->xfers->prev = xfer;
    http->xfers = xfer;
    http->running++;
    xfer = NULL;
    rc = 0;
done:
    free(xfer);
    return rc;
}

void lc_http_cancel(struct lc_http *http, CURL *easy)
{
    struct lc_http_xfer *xfer;

    if (http == NULL || easy == NULL)
        return;
    /* Walk our own list rather than trust CURLINFO_PRIVATE: a handle that is
     * not attached here (finished, or never added) is not ours to clean up. */
    for (xfer = http->xfers; xfer != NULL; xfer = xfer->next) {
        if (xfer->easy == easy)
            break;
    }
    if (xfer == NULL)
        return;
    lc_http_detach(http, xfer);
    curl_easy_cleanup(easy);
}

void lc_http_easy_drop(struct lc_http *http, CURL **easy, int *attached)
{
    if (*easy != NULL) {
        if (*attached && http != NULL)
            lc_http_cancel(http, *easy);
        else if (!*attached)
            curl_easy_cleanup(*easy);
    }
    *easy = NULL;
    *attached = 0;
}

unsigned lc_http_running(const struct lc_http *http)
{
    return http != NULL ? http->running : 0;
}

CURL *lc_http_easy_pinned(const char *url, const char *host, unsigned port, const char *addr,
                          long timeout_ms, char *errbuf, struct curl_slist **connect_to)
{
    int v6 = strchr(addr, ':') != NULL, hv6 = strchr(host, ':') != NULL;
    char ct[400], agent[64];
    CURL *e = curl_easy_init();

    *connect_to = NULL;
    if (e == NULL)
        return NULL;
    /* CONNECT_TO "HOST:PORT:ADDR:PORT", IPv6 literals in brackets. */
    snprintf(ct, sizeof(ct), "%s%s%s:%u:%s%s%s:%u", hv6 ? "[" : "", host, hv6 ? "]" : "", port,
             v6 ? "[" : "", addr, v6 ? "]" : "", port);
    snprintf(agent, sizeof(agent), "lynccheck/%s", PACKAGE_VERSION);
    *connect_to = curl_slist_append(NULL, ct);
    if (*connect_to == NULL || curl_easy_setopt(e, CURLOPT_URL, url) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_CONNECT_TO, *connect_to) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_PROXY, "") != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_USERAGENT, agent) != CURLE_OK ||
        /* Our request bodies are a few KB: the smallest upload buffer
         * libcurl allows (16 KB, CURLOPT_UPLOAD_BUFFERSIZE(3)) instead of
         * 64 KB per transfer, 1.3 MB of a healthy run's 7.6 MB heap peak. */
        curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, 16384L) != CURLE_OK ||
        /* Likewise the receive buffer (16 KB by default, allocated per
         * transfer): the answers are a few KB, the largest (mex WSDL,
         * web pages) tens, read 4 KB at a time: 0.4 MB of the healthy
         * run's heap peak (CURLOPT_BUFFERSIZE(3)). */
        curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 4096L) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK) {
        curl_easy_cleanup(e);
        curl_slist_free_all(*connect_to);
        *connect_to = NULL;
        return NULL;
    }
    return e;
}

/* CURLOPT_SSL_CTX_FUNCTION: libcurl's new context takes the run's trust
 * store (system and --ca-file, src/tls.c) instead of reading a CA file. */
static CURLcode lc_http_on_ssl_ctx(CURL *e, void *ssl_ctx, void *arg)
{
    char err[256];

    (void)e;
    if (lc_tls_ctx_use_store(ssl_ctx, arg, err, sizeof(err)) < 0)
        return CURLE_SSL_CACERT_BADFILE; /* no store: no transfer */
    return CURLE_OK;
}

int lc_http_easy_trust(CURL *e, const char *ca_file)
{
    if (curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK)
        return -1;
    if (curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, lc_http_on_ssl_ctx) == CURLE_OK) {
        /* No CA file or directory of libcurl's own (not even its built-in
         * default): the callback's store is the whole trust. */
        if (curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, (void *)(uintptr_t)ca_file) != CURLE_OK ||
            curl_easy_setopt(e, CURLOPT_CAINFO, NULL) != CURLE_OK ||
            curl_easy_setopt(e, CURLOPT_CAPATH, NULL) != CURLE_OK)
            return -1;
        return 0;
    }
    /* A TLS backend without the callback: the file and the system's
     * directory, read by libcurl on each connection. */
    if (ca_file != NULL &&
        (curl_easy_setopt(e, CURLOPT_CAINFO, ca_file) != CURLE_OK ||
         curl_easy_setopt(e, CURLOPT_CAPATH, X509_get_default_cert_dir()) != CURLE_OK))
        return -1;
    return 0;
}

CURL *lc_http_easy_service(const struct lc_http_service_req *q, char *errbuf,
                           struct curl_slist **connect_to)
{
    long ms = (long)(q->check_timeout_us / 1000) * 4 / 5;
    CURL *e;

    if (ms < 500)
        ms = 500;
    e = lc_http_easy_pinned(q->url, q->host, q->port, q->addr, ms, errbuf, connect_to);
    if (e == NULL)
        return NULL;
    if (curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, q->on_body) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_WRITEDATA, q->arg) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, q->on_header) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_HEADERDATA, q->arg) != CURLE_OK ||
        lc_http_easy_trust(e, q->ca_file) < 0) {
        curl_easy_cleanup(e);
        curl_slist_free_all(*connect_to);
        *connect_to = NULL;
        return NULL;
    }
    return e;
}

int lc_http_body_append(char **body, size_t *len, size_t max, const char *data, size_t n,
                        int cleanse)
{
    char *b;

    if (*len + n > max)
        return 1;
    b = cleanse ? malloc(*len + n + 1) : realloc(*body, *len + n + 1);
    if (b == NULL)
        return -1;
    if (cleanse && *body != NULL) {
        memcpy(b, *body, *len);
        OPENSSL_cleanse(*body, *len);
        free(*body);
    }
    memcpy(b + *len, data, n);
    *body = b;
    *len += n;
    b[*len] = '\0';
    return 0;
}

void lc_http_header_value(char *dst, size_t dlen, const char *v, size_t n)
{
    while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
        n--;
    while (n > 0 && (*v == ' ' || *v == '\t'))
        v++, n--;
    if (n >= dlen)
        n = dlen - 1;
    memcpy(dst, v, n);
    dst[n] = '\0';
}
