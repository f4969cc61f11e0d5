/* SPDX-License-Identifier: MIT */
/* lynccheck - tests for http.c with real HTTP/1.1 traffic over loopback.
 *
 * No mocks: each test serves a tiny HTTP server from a listening socket on
 * 127.0.0.1 (port 0, so the kernel picks a free one) watched by the SAME
 * lc_loop that drives libcurl, which is how lynccheck itself runs. The
 * listener keeps the loop alive, so tests stop it once the callbacks they
 * expect have run; a watchdog timer fails any test that takes more than 5 s. */
#include "http.h"
#include "loop.h"
#include "suites.h"

#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define T_GUARD_US 5000000u /* hard limit for one lc_loop_run() */
#define T_TICK_US 20000u    /* watchdog period */

enum t_mode {
    T_ANSWER, /* answer every request with 200 and the request path as body */
    T_SILENT, /* accept and read, never answer */
};

struct t_server;

struct t_conn {
    struct t_server *srv;
    int fd;
    int got_request;
    int answering;
    char in[2048];
    size_t in_len;
    char out[512];
    size_t out_len, out_off;
    struct t_conn *next;
};

struct t_server {
    struct lc_loop *loop;
    int fd;
    unsigned port;
    enum t_mode mode;
    unsigned requests; /* complete request heads seen */
    void (*on_request)(struct t_server *srv);
    struct t_conn *conns;
};

struct t_req {
    char url[64];
    long timeout_ms;
    CURL *easy; /* NULL once done or cancelled */
    char body[256];
    size_t body_len;
    unsigned done_calls;
    CURLcode result;
    long status;
    uint64_t started_us, done_us;
    /* What the done callback does besides recording. */
    struct t_req *cancel_on_done;
    struct t_req *chain;
    int free_http;
};

static struct {
    struct lc_loop *loop;
    struct lc_http *http;
    struct t_server answer, silent;
    struct lc_timer *guard, *stopper;
    uint64_t guard_start_us;
    int guard_fired;
    unsigned done_total, done_expected, cancelled;
    struct t_req *cancel_on_request;
} T;

/* ---- the loopback server ---------------------------------------------- */

static void t_conn_on_io(struct lc_loop *loop, int fd, unsigned events, void *arg);

static void t_conn_close(struct t_conn *c)
{
    struct t_conn **pp = &c->srv->conns;

    while (*pp != c)
        pp = &(*pp)->next;
    *pp = c->next;
    (void)lc_loop_io_set(c->srv->loop, c->fd, 0, NULL, NULL);
    (void)close(c->fd);
    free(c);
}

/* Each step below returns 1 when the connection is finished (answered,
 * closed by the peer, or failed) and 0 when it waits for the loop; only
 * t_conn_on_io() closes. */

/* Sends what is left of the answer. */
static int t_conn_send(struct t_conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

        if (n >= 0)
            c->out_off += (size_t)n;
        else if (errno == EAGAIN || errno == EWOULDBLOCK)
            return lc_loop_io_set(c->srv->loop, c->fd, LC_IO_WRITE, t_conn_on_io, c) < 0;
        else if (errno != EINTR)
            return 1;
    }
    /* The whole request head was read, so closing sends FIN, not RST. */
    return 1;
}

/* Appends len bytes to buf (holding *used of cap), keeping it a string. */
static int t_append(char *buf, size_t cap, size_t *used, const char *data, size_t len)
{
    if (len >= cap - *used)
        return -1;
    memcpy(buf + *used, data, len);
    *used += len;
    buf[*used] = '\0';
    return 0;
}

static int t_conn_answer(struct t_conn *c)
{
    const char *path = c->in + 4;
    const char *end;
    size_t len;
    int n;

    if (c->in_len < 4 || memcmp(c->in, "GET ", 4) != 0 ||
        (end = memchr(path, ' ', c->in_len - 4)) == NULL)
        return 1;
    len = (size_t)(end - path);
    n = snprintf(c->out, sizeof(c->out),
                 "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                 "Connection: close\r\n\r\n",
                 len);
    c->out_len = n > 0 ? (size_t)n : sizeof(c->out);
    /* The body is the request path, so each client can tell its answer. */
    if (c->out_len >= sizeof(c->out) ||
        t_append(c->out, sizeof(c->out), &c->out_len, path, len) < 0)
        return 1;
    c->answering = 1;
    return t_conn_send(c);
}

/* Reads until the socket is drained; a silent server keeps reading (and
 * discarding) until the client gives up and closes. */
static int t_conn_read(struct t_conn *c)
{
    char scratch[512];

    for (;;) {
        char *dst = c->got_request ? scratch : c->in + c->in_len;
        size_t room = c->got_request ? sizeof(scratch) : sizeof(c->in) - 1 - c->in_len;
        ssize_t n;

        if (room == 0)
            return 1; /* request head too long */
        n = recv(c->fd, dst, room, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno != EAGAIN && errno != EWOULDBLOCK;
        if (n == 0)
            return 1;
        if (c->got_request)
            continue;
        c->in_len += (size_t)n;
        c->in[c->in_len] = '\0';
        if (memmem(c->in, c->in_len, "\r\n\r\n", 4) == NULL)
            continue;
        c->got_request = 1;
        c->srv->requests++;
        if (c->srv->mode == T_ANSWER)
            return t_conn_answer(c);
        if (c->srv->on_request != NULL)
            c->srv->on_request(c->srv);
    }
}

static void t_conn_on_io(struct lc_loop *loop, int fd, unsigned events, void *arg)
{
    struct t_conn *c = arg;
    int finished;

    (void)loop;
    (void)fd;
    (void)events;
    finished = c->answering ? t_conn_send(c) : t_conn_read(c);
    if (finished)
        t_conn_close(c);
}

static void t_server_on_accept(struct lc_loop *loop, int fd, unsigned events, void *arg)
{
    struct t_server *srv = arg;

    (void)events;
    for (;;) {
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct t_conn *c;

        if (cfd < 0 && (errno == EINTR || errno == ECONNABORTED))
            continue;
        if (cfd < 0)
            return; /* EAGAIN: all accepted */
        c = calloc(1, sizeof(*c));
        if (c == NULL) {
            (void)close(cfd);
            continue;
        }
        c->srv = srv;
        c->fd = cfd;
        c->next = srv->conns;
        srv->conns = c;
        if (lc_loop_io_set(loop, cfd, LC_IO_READ, t_conn_on_io, c) < 0)
            t_conn_close(c);
    }
}

static void t_server_start(struct t_server *srv, enum t_mode mode)
{
    srv->loop = T.loop;
    srv->mode = mode;
    srv->fd = lc_t_loopback_socket(SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 128, &srv->port);
    ck_assert_int_eq(lc_loop_io_set(T.loop, srv->fd, LC_IO_READ, t_server_on_accept, srv), 0);
}

static void t_server_close_listener(struct t_server *srv)
{
    if (srv->fd < 0)
        return;
    (void)lc_loop_io_set(srv->loop, srv->fd, 0, NULL, NULL);
    (void)close(srv->fd);
    srv->fd = -1;
}

static void t_server_stop(struct t_server *srv)
{
    while (srv->conns != NULL)
        t_conn_close(srv->conns);
    t_server_close_listener(srv);
}

/* A loopback port nobody listens on: bind one, note it, close it. */
static unsigned t_closed_port(void)
{
    unsigned port;

    (void)close(lc_t_loopback_socket(SOCK_STREAM | SOCK_CLOEXEC, 0, &port));
    return port;
}

/* ---- running the loop --------------------------------------------------- */

/* Fails the run after T_GUARD_US. When nothing but itself is left in the
 * loop it does not re-arm, so lc_loop_run() returns by itself: that is how
 * the tests observe that a loop "ends". */
static void t_on_guard(struct lc_loop *loop, void *arg)
{
    (void)arg;
    T.guard = NULL;
    if (lc_now_us() - T.guard_start_us > T_GUARD_US) {
        T.guard_fired = 1;
        lc_loop_stop(loop);
        return;
    }
    if (lc_loop_io_count(loop) == 0 && lc_loop_timer_count(loop) == 0)
        return;
    T.guard = lc_loop_timer_add(loop, T_TICK_US, t_on_guard, NULL);
}

static void t_on_stopper(struct lc_loop *loop, void *arg)
{
    (void)arg;
    T.stopper = NULL;
    lc_loop_stop(loop);
}

/* Run until stopped (or idle, or the guard fires); afterwards only the
 * test's own timers are gone, so timer counts can be checked exactly. */
static void t_run(void)
{
    T.guard_start_us = lc_now_us();
    T.guard = lc_loop_timer_add(T.loop, T_TICK_US, t_on_guard, NULL);
    ck_assert_ptr_nonnull(T.guard);
    ck_assert_int_eq(lc_loop_run(T.loop), 0);
    lc_loop_timer_cancel(T.loop, T.guard);
    T.guard = NULL;
    lc_loop_timer_cancel(T.loop, T.stopper);
    T.stopper = NULL;
    ck_assert_msg(!T.guard_fired, "loop still busy after %u s", T_GUARD_US / 1000000u);
}

/* Run for a while longer, to give wrong extra callbacks a chance to show. */
static void t_run_for(unsigned ms)
{
    T.stopper = lc_loop_timer_add(T.loop, (uint64_t)ms * 1000u, t_on_stopper, NULL);
    ck_assert_ptr_nonnull(T.stopper);
    t_run();
}

/* ---- the client side ---------------------------------------------------- */

static size_t t_on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct t_req *req = arg;
    size_t n = size * nmemb;

    if (n > sizeof(req->body) - 1 - req->body_len)
        return 0; /* CURLE_WRITE_ERROR */
    memcpy(req->body + req->body_len, data, n);
    req->body_len += n;
    req->body[req->body_len] = '\0';
    return n;
}

static void t_req_init(struct t_req *req, unsigned port, const char *path)
{
    size_t len;
    int n;

    memset(req, 0, sizeof(*req));
    n = snprintf(req->url, sizeof(req->url), "http://127.0.0.1:%u", port);
    ck_assert(n > 0 && (size_t)n < sizeof(req->url));
    len = (size_t)n;
    ck_assert_int_eq(t_append(req->url, sizeof(req->url), &len, path, strlen(path)), 0);
}

static void t_start(struct t_req *req);

static void t_on_done(CURL *easy, CURLcode result, void *arg)
{
    struct t_req *req = arg;

    req->done_calls++;
    req->result = result;
    req->done_us = lc_now_us();
    (void)curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &req->status);
    curl_easy_cleanup(easy);
    req->easy = NULL;
    if (req->cancel_on_done != NULL && req->cancel_on_done->easy != NULL) {
        lc_http_cancel(T.http, req->cancel_on_done->easy);
        req->cancel_on_done->easy = NULL;
        T.cancelled++;
    }
    if (req->chain != NULL)
        t_start(req->chain);
    if (req->free_http) {
        lc_http_free(T.http);
        T.http = NULL;
    }
    if (++T.done_total == T.done_expected)
        lc_loop_stop(T.loop);
}

static void t_start(struct t_req *req)
{
    CURL *easy = curl_easy_init();

    ck_assert_ptr_nonnull(easy);
    ck_assert_int_eq(curl_easy_setopt(easy, CURLOPT_URL, req->url), CURLE_OK);
    /* Never leave loopback, whatever *_proxy says in the environment. */
    ck_assert_int_eq(curl_easy_setopt(easy, CURLOPT_PROXY, ""), CURLE_OK);
    ck_assert_int_eq(curl_easy_setopt(easy, CURLOPT_NOPROXY, "*"), CURLE_OK);
    ck_assert_int_eq(curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L), CURLE_OK);
    ck_assert_int_eq(curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, t_on_body), CURLE_OK);
    ck_assert_int_eq(curl_easy_setopt(easy, CURLOPT_WRITEDATA, req), CURLE_OK);
    if (req->timeout_ms > 0)
        ck_assert_int_eq(curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, req->timeout_ms), CURLE_OK);
    req->easy = easy;
    req->started_us = lc_now_us();
    ck_assert_int_eq(lc_http_add(T.http, easy, t_on_done, req), 0);
}

static void t_assert_ok(const struct t_req *req, const char *path)
{
    ck_assert_uint_eq(req->done_calls, 1);
    ck_assert_int_eq(req->result, CURLE_OK);
    ck_assert_int_eq(req->status, 200);
    ck_assert_str_eq(req->body, path);
}

/* lc_http_free() must hand the loop back with nothing of libcurl's in it. */
static void t_free_http(unsigned listeners)
{
    lc_http_free(T.http);
    T.http = NULL;
    ck_assert_uint_eq(lc_loop_io_count(T.loop), listeners);
    ck_assert_uint_eq(lc_loop_timer_count(T.loop), 0);
}

/* ---- fixture ------------------------------------------------------------ */

static void t_global_setup(void)
{
    /* main()'s job in lynccheck; reference counted, so harmless here. */
    ck_assert_int_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
}

static void t_global_teardown(void)
{
    curl_global_cleanup();
}

static void t_setup(void)
{
    memset(&T, 0, sizeof(T));
    T.answer.fd = -1;
    T.silent.fd = -1;
    ck_assert_int_eq(lc_loop_new(&T.loop), 0);
    ck_assert_int_eq(lc_http_new(&T.http, T.loop), 0);
}

static void t_teardown(void)
{
    lc_loop_timer_cancel(T.loop, T.guard);
    lc_loop_timer_cancel(T.loop, T.stopper);
    lc_http_free(T.http);
    t_server_stop(&T.answer);
    t_server_stop(&T.silent);
    lc_loop_free(T.loop);
    memset(&T, 0, sizeof(T));
}

/* ---- tests -------------------------------------------------------------- */

START_TEST(test_http_get)
{
    struct t_req req;

    t_server_start(&T.answer, T_ANSWER);
    t_req_init(&req, T.answer.port, "/hello");
    t_start(&req);
    ck_assert_uint_eq(lc_http_running(T.http), 1);
    T.done_expected = 1;
    t_run();
    t_assert_ok(&req, "/hello");
    ck_assert_uint_eq(lc_http_running(T.http), 0);
    /* libcurl let go of its socket and its timer; only the listener is left. */
    ck_assert_uint_eq(lc_loop_io_count(T.loop), 1);
    ck_assert_uint_eq(lc_loop_timer_count(T.loop), 0);
    t_run_for(50);
    ck_assert_uint_eq(req.done_calls, 1);
    ck_assert_uint_eq(T.answer.requests, 1);
    t_free_http(1);
}
END_TEST

START_TEST(test_http_concurrent)
{
    enum { N = 20 };
    static struct t_req reqs[N];
    char path[16];
    unsigned i;

    t_server_start(&T.answer, T_ANSWER);
    for (i = 0; i < N; i++) {
        (void)snprintf(path, sizeof(path), "/r%u", i);
        t_req_init(&reqs[i], T.answer.port, path);
        t_start(&reqs[i]);
    }
    ck_assert_uint_eq(lc_http_running(T.http), N);
    T.done_expected = N;
    t_run();
    for (i = 0; i < N; i++) {
        (void)snprintf(path, sizeof(path), "/r%u", i);
        t_assert_ok(&reqs[i], path);
    }
    ck_assert_uint_eq(T.answer.requests, N);
    ck_assert_uint_eq(lc_http_running(T.http), 0);
    ck_assert_uint_eq(lc_loop_io_count(T.loop), 1);
    t_free_http(1);
}
END_TEST

START_TEST(test_http_timeout)
{
    struct t_req req;
    uint64_t took_ms;

    t_server_start(&T.silent, T_SILENT);
    t_req_init(&req, T.silent.port, "/never");
    req.timeout_ms = 300;
    t_start(&req);
    T.done_expected = 1;
    t_run();
    ck_assert_uint_eq(req.done_calls, 1);
    ck_assert_int_eq(req.result, CURLE_OPERATION_TIMEDOUT);
    ck_assert_uint_eq(T.silent.requests, 1);
    /* Only our timer can end this transfer; it must fire on time. */
    took_ms = (req.done_us - req.started_us) / 1000u;
    ck_assert_uint_ge(took_ms, 250);
    ck_assert_uint_lt(took_ms, 1000);
    ck_assert_uint_eq(lc_http_running(T.http), 0);
    /* libcurl closed its end: the server sees EOF and lets go too. */
    t_run_for(100);
    ck_assert_ptr_null(T.silent.conns);
    t_free_http(1);
}
END_TEST

static void t_cancel_on_request(struct t_server *srv)
{
    lc_http_cancel(T.http, T.cancel_on_request->easy);
    T.cancel_on_request->easy = NULL;
    T.cancelled++;
    /* Let the loop run dry: nothing should keep it alive now. */
    t_server_close_listener(srv);
}

START_TEST(test_http_cancel_in_flight)
{
    struct t_req req;

    t_server_start(&T.silent, T_SILENT);
    T.silent.on_request = t_cancel_on_request;
    t_req_init(&req, T.silent.port, "/cancel");
    T.cancel_on_request = &req;
    t_start(&req);
    /* Stopped by nobody: returns once the loop is empty (the guard fails
     * the test if libcurl leaves a socket or a timer behind). */
    t_run();
    ck_assert_uint_eq(T.cancelled, 1);
    ck_assert_uint_eq(req.done_calls, 0);
    ck_assert_uint_eq(lc_http_running(T.http), 0);
    ck_assert_uint_eq(lc_loop_io_count(T.loop), 0);
    ck_assert_uint_eq(lc_loop_timer_count(T.loop), 0);
    t_free_http(0);
}
END_TEST

START_TEST(test_http_cancel_before_run)
{
    struct t_req req;

    /* Port 9 is never contacted: the transfer is gone before it starts. */
    t_req_init(&req, 9, "/never");
    t_start(&req);
    ck_assert_uint_eq(lc_http_running(T.http), 1);
    lc_http_cancel(T.http, req.easy);
    req.easy = NULL;
    ck_assert_uint_eq(lc_http_running(T.http), 0);
    /* Cancelling again, or a handle that is not attached, is a no-op. */
    lc_http_cancel(T.http, NULL);
    t_run();
    ck_assert_uint_eq(req.done_calls, 0);
    ck_assert_uint_eq(lc_loop_io_count(T.loop), 0);
    ck_assert_uint_eq(lc_loop_timer_count(T.loop), 0);
    t_free_http(0);
}
END_TEST

/* lc_http_easy_drop: an attached handle is cancelled in the multi handle,
 * a detached one cleaned up (ASan and valgrind see either leak), and both
 * come back reset; dropping nothing is a no-op. */
START_TEST(test_http_easy_drop)
{
    struct t_req req;
    CURL *loose = curl_easy_init(), *none = NULL;
    int attached = 1, loose_attached = 0, none_attached = 1;

    t_req_init(&req, 9, "/never");
    t_start(&req);
    ck_assert_uint_eq(lc_http_running(T.http), 1);
    lc_http_easy_drop(T.http, &req.easy, &attached);
    ck_assert_ptr_null(req.easy);
    ck_assert_int_eq(attached, 0);
    ck_assert_uint_eq(lc_http_running(T.http), 0);
    ck_assert_ptr_nonnull(loose);
    lc_http_easy_drop(T.http, &loose, &loose_attached);
    ck_assert_ptr_null(loose);
    lc_http_easy_drop(T.http, &none, &none_attached);
    ck_assert_int_eq(none_attached, 0);
    t_run();
    ck_assert_uint_eq(req.done_calls, 0);
    t_free_http(0);
}
END_TEST

START_TEST(test_http_chained)
{
    struct t_req first, second;

    t_server_start(&T.answer, T_ANSWER);
    t_req_init(&first, T.answer.port, "/first");
    t_req_init(&second, T.answer.port, "/second");
    first.chain = &second;
    t_start(&first);
    T.done_expected = 2;
    t_run();
    t_assert_ok(&first, "/first");
    t_assert_ok(&second, "/second");
    ck_assert_uint_ge(second.started_us, first.done_us);
    ck_assert_uint_eq(T.answer.requests, 2);
    ck_assert_uint_eq(lc_http_running(T.http), 0);
    t_free_http(1);
}
END_TEST

START_TEST(test_http_refused)
{
    struct t_req req;

    t_req_init(&req, t_closed_port(), "/");
    t_start(&req);
    T.done_expected = 1;
    t_run();
    ck_assert_uint_eq(req.done_calls, 1);
    ck_assert_int_eq(req.result, CURLE_COULDNT_CONNECT);
    ck_assert_uint_eq(lc_http_running(T.http), 0);
    ck_assert_uint_eq(lc_loop_io_count(T.loop), 0);
    t_free_http(0);
}
END_TEST

/* Two transfers that time out together: both DONE messages are likely queued
 * by the same action, and the first callback cancels the second. */
START_TEST(test_http_cancel_from_done)
{
    struct t_req a, b;

    t_server_start(&T.silent, T_SILENT);
    t_req_init(&a, T.silent.port, "/a");
    t_req_init(&b, T.silent.port, "/b");
    a.timeout_ms = b.timeout_ms = 200;
    a.cancel_on_done = &b;
    b.cancel_on_done = &a;
    t_start(&a);
    t_start(&b);
    T.done_expected = 1;
    t_run();
    t_run_for(100);
    ck_assert_uint_eq(a.done_calls + b.done_calls, 1);
    ck_assert_int_eq(a.done_calls ? a.result : b.result, CURLE_OPERATION_TIMEDOUT);
    ck_assert_uint_eq(T.cancelled, 1);
    ck_assert_uint_eq(lc_http_running(T.http), 0);
    t_free_http(1);
}
END_TEST

static void t_stop_after_three(struct t_server *srv)
{
    if (srv->requests == 3)
        lc_loop_stop(srv->loop);
}

START_TEST(test_http_free_in_flight)
{
    struct t_req reqs[3];
    unsigned i;

    t_server_start(&T.silent, T_SILENT);
    T.silent.on_request = t_stop_after_three;
    for (i = 0; i < 3; i++) {
        t_req_init(&reqs[i], T.silent.port, "/hang");
        t_start(&reqs[i]);
    }
    t_run();
    ck_assert_uint_eq(T.silent.requests, 3);
    ck_assert_uint_eq(lc_http_running(T.http), 3);
    lc_http_free(T.http);
    T.http = NULL;
    /* Nothing of libcurl's is left: only the listener and the server's ends
     * of the aborted connections, which close on EOF. */
    ck_assert_uint_eq(lc_loop_timer_count(T.loop), 0);
    t_run_for(100);
    ck_assert_ptr_null(T.silent.conns);
    ck_assert_uint_eq(lc_loop_io_count(T.loop), 1);
    ck_assert_uint_eq(lc_loop_timer_count(T.loop), 0);
    for (i = 0; i < 3; i++)
        ck_assert_uint_eq(reqs[i].done_calls, 0);
}
END_TEST

START_TEST(test_http_free_from_done)
{
    struct t_req a, b;

    t_server_start(&T.answer, T_ANSWER);
    t_server_start(&T.silent, T_SILENT);
    t_req_init(&a, T.answer.port, "/a");
    t_req_init(&b, T.silent.port, "/b");
    a.free_http = 1;
    t_start(&b);
    t_start(&a);
    T.done_expected = 1;
    t_run();
    ck_assert_ptr_null(T.http);
    t_assert_ok(&a, "/a");
    /* The silent server sees the aborted connection close. */
    t_run_for(100);
    ck_assert_uint_eq(b.done_calls, 0);
    ck_assert_ptr_null(T.silent.conns);
    ck_assert_uint_eq(lc_loop_io_count(T.loop), 2);
    ck_assert_uint_eq(lc_loop_timer_count(T.loop), 0);
}
END_TEST

/* The body kept whole up to its cap, NUL-terminated, with or without the
 * wiping copy; a header value trimmed and cut. */
START_TEST(test_http_body_and_header)
{
    char *body = NULL, v[8];
    size_t len = 0;
    int cleanse;

    for (cleanse = 0; cleanse < 2; cleanse++) {
        ck_assert_int_eq(lc_http_body_append(&body, &len, 8, "abc", 3, cleanse), 0);
        ck_assert_int_eq(lc_http_body_append(&body, &len, 8, "defgh", 5, cleanse), 0);
        ck_assert_str_eq(body, "abcdefgh");
        /* Past the cap: refused whole, what was kept stays. */
        ck_assert_int_eq(lc_http_body_append(&body, &len, 8, "i", 1, cleanse), 1);
        ck_assert_uint_eq(len, 8);
        ck_assert_str_eq(body, "abcdefgh");
        free(body);
        body = NULL;
        len = 0;
    }
    lc_http_header_value(v, sizeof(v), "  text/xml \r\n", 13);
    ck_assert_str_eq(v, "text/xm");
    lc_http_header_value(v, sizeof(v), " \r\n", 3);
    ck_assert_str_eq(v, "");
}
END_TEST

Suite *lc_suite_http(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("loopback");
    TCase *pure = tcase_create("pure");

    tcase_add_test(pure, test_http_body_and_header);
    suite_add_tcase(s, pure);

    tcase_add_unchecked_fixture(tc, t_global_setup, t_global_teardown);
    tcase_add_checked_fixture(tc, t_setup, t_teardown);
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, test_http_get);
    tcase_add_test(tc, test_http_concurrent);
    tcase_add_test(tc, test_http_timeout);
    tcase_add_test(tc, test_http_cancel_in_flight);
    tcase_add_test(tc, test_http_cancel_before_run);
    tcase_add_test(tc, test_http_easy_drop);
    tcase_add_test(tc, test_http_chained);
    tcase_add_test(tc, test_http_refused);
    tcase_add_test(tc, test_http_cancel_from_done);
    tcase_add_test(tc, test_http_free_in_flight);
    tcase_add_test(tc, test_http_free_from_done);
    suite_add_tcase(s, tc);
    return s;
}
