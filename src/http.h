/* SPDX-License-Identifier: MIT */
/* lynccheck - libcurl's multi socket interface driven by the one event loop.
 *
 * libcurl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when
 * to call it back (CURLMOPT_TIMERFUNCTION); the loop does the waiting, and
 * curl_multi_socket_action() does the work. No threads, no curl_multi_wait(). */
#ifndef LC_HTTP_H
#define LC_HTTP_H

#include <curl/curl.h>
#include <stdint.h>

struct lc_loop;
struct lc_http;

/* Called once per transfer when libcurl reports it done (result is the
 * CURLcode of the transfer). The easy handle is already removed from the
 * multi handle; the callback owns it again (clean it up or reuse it). */
typedef void (*lc_http_done_cb)(CURL *easy, CURLcode result, void *arg);

int lc_http_new(struct lc_http **out, struct lc_loop *loop);
/* Aborts the transfers still running, without calling their callbacks; each
 * easy handle still attached is cleaned up. */
void lc_http_free(struct lc_http *http);

/* Start a configured easy handle. CURLOPT_PRIVATE belongs to http.c: callers
 * must not set it. Never call lc_http_add/cancel/free from libcurl's own
 * callbacks (write, header); done callbacks may call all three. */
/* Start a configured easy handle. Returns 0, or -1 (the handle is then not
 * attached and still the caller's). */
int lc_http_add(struct lc_http *http, CURL *easy, lc_http_done_cb done, void *arg);
/* Abort one transfer without calling its callback; the easy handle is
 * cleaned up. Use when the check that owns it timed out. */
void lc_http_cancel(struct lc_http *http, CURL *easy);

/* A new easy handle for `url`, whose host and port are `host` and `port`,
 * that connects to `addr` (an address lynccheck resolved) whatever
 * libcurl's own resolver would say: every address of a name gets walked,
 * and --dns-server decides. http and https only, no proxy, no signals,
 * `timeout_ms` for the connect and for the whole transfer, lynccheck's
 * User-Agent, errors into `errbuf` (CURL_ERROR_SIZE bytes). *connect_to
 * is the CONNECT_TO list, which libcurl only points to: free it
 * (curl_slist_free_all) after the handle. NULL: out of memory. */
CURL *lc_http_easy_pinned(const char *url, const char *host, unsigned port, const char *addr,
                          long timeout_ms, char *errbuf, struct curl_slist **connect_to);

/* Certificate verification on (peer and host) against the run's trust
 * store, the system's plus ca_file (may be NULL; it must outlive the
 * handle): libcurl's TLS context gets it through CURLOPT_SSL_CTX_FUNCTION
 * (lc_tls_ctx_use_store) instead of reading the CA file again for every
 * connection. 0, or -1 (out of memory). */
int lc_http_easy_trust(CURL *e, const char *ca_file);

/* A request to a Lync web service, as the web and sign-in probes make it. */
struct lc_http_service_req {
    const char *url, *host, *addr; /* url's host, and the address to connect to */
    unsigned port;                 /* url's port */
    uint64_t check_timeout_us;     /* the check's time */
    const char *ca_file;           /* --ca-file, or NULL */
    curl_write_callback on_body, on_header;
    void *arg; /* for both callbacks */
};

/* Its easy handle (not started): lc_http_easy_pinned, HTTP/1.1 (what Lync
 * clients speak), the response body and headers to the callbacks,
 * certificates verified against the run's store (lc_http_easy_trust), and
 * four fifths of the check's time (at least 0.5 s): a request that never
 * ends is the check's finding, with time left to report it, not the
 * check's timeout. NULL: out of memory (*connect_to then NULL too). */
CURL *lc_http_easy_service(const struct lc_http_service_req *q, char *errbuf,
                           struct curl_slist **connect_to);

/* Append n bytes of a response body to *body (*len bytes so far, kept
 * NUL-terminated), at most max in all: 0, 1 when it would pass max
 * (nothing appended: stop the transfer), -1 out of memory. With cleanse,
 * the old copy is wiped before it is freed (a body that may hold a
 * secret), so it is never realloc'ed. For CURLOPT_WRITEFUNCTION. */
int lc_http_body_append(char **body, size_t *len, size_t max, const char *data, size_t n,
                        int cleanse);
/* A header line's value (after the colon) into dst: spaces and the line
 * end trimmed, cut to dlen - 1 bytes. */
void lc_http_header_value(char *dst, size_t dlen, const char *v, size_t n);

/* Let go of a transfer's easy handle: attached to http (*attached), it is
 * cancelled there; never attached, cleaned up here; attached with http
 * already gone (NULL), lc_http_free cleaned it up. Resets both. */
void lc_http_easy_drop(struct lc_http *http, CURL **easy, int *attached);

/* Transfers currently attached (for tests). */
unsigned lc_http_running(const struct lc_http *http);

#endif
