/* SPDX-License-Identifier: MIT */
/* lynccheck - the XMPP probe: does the Access Edge's XMPP federation
 * listener (TCP 5269, Skype for Business Server 2015 with XMPP federation;
 * Microsoft Learn, "Edge Server environmental requirements in Skype for
 * Business Server") open a server-to-server stream
 * for each SIP domain and offer its features?
 *
 * On every address of the access edge name: TCP to 5269, our stream header
 * (RFC 6120 4.7, to = the SIP domain), the answer fed to a bounded libxml2
 * push parser (src/xmpp.c), then </stream:stream> and close.
 *
 * Verdicts per address (the check takes the worst):
 *   <stream:features> closed, STARTTLS offered: PASS, reporting STARTTLS
 *     offered / required, dialback (the XEP-0220 feature or the db
 *     namespace), SASL mechanisms, and the stream's from and id;
 *   features without STARTTLS: WARN (RFC 6120 5.1: STARTTLS support is
 *     REQUIRED; partners that insist on TLS will not federate);
 *   <stream:error>: FAIL with the condition (RFC 6120 4.9.3);
 *   not XML, not a stream, forbidden XML, over 64 KiB, the stream closed,
 *     the connection refused, reset or closed, or no features within 4/5
 *     of the check's time: FAIL. The answer's verdict is src/xmpp.c's lc_xmpp_judge. */
#include "probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns.h"
#include "fanout.h"
#include "loop.h"
#include "net.h"
#include "probes.h"
#include "refs.h"
#include "run.h"
#include "sip.h"
#include "site.h"
#include "xmpp.h"

#define REF_XMPP                                                                                   \
    "XMPP federation on the Access Edge, TCP 5269 (Skype for Business Server 2015): a stream "     \
    "header to the SIP domain is answered with <stream:features> (RFC 6120 4.3.2), STARTTLS "      \
    "offered (RFC 6120 5.1), dialback (XEP-0220). Sources: " LC_DOC_EDGE_ENV "; " LC_DOC_FED_XMPP

#define LC_XMPP_PORT 5269
#define LC_XMPP_FROM "lynccheck.invalid"

enum lc_xmpp_stage { LC_XS_CONNECT, LC_XS_WRITE, LC_XS_READ };

struct lc_xmpp_arg;

/* One address of the access edge, one connection (fanout.h). */
struct lc_xmpp_conn {
    struct lc_fanout_slot slot; /* first */
    struct lc_xmpp_arg *owner;
    enum lc_xmpp_stage stage;
    int fd;
    size_t out_off;
    struct lc_xmpp_parser *parser;
    char first[128]; /* the first bytes received, for the report */
    size_t n_first;
};

struct lc_xmpp_arg {
    char *edge;
    char *domain;
    char header[768];
    size_t header_len;
    struct lc_check *check;
    struct lc_fanout fan;
};

static struct lc_xmpp_conn *lc_xmpp_conn_of(struct lc_fanout_slot *s)
{
    return (struct lc_xmpp_conn *)(void *)s;
}

/* ---- releasing ---- */

static void lc_xmpp_conn_release(struct lc_fanout_slot *s)
{
    struct lc_xmpp_conn *c = lc_xmpp_conn_of(s);

    if (c->fd >= 0) {
        (void)lc_loop_io_set(lc_check_loop(c->owner->check), c->fd, 0, NULL, NULL);
        close(c->fd);
        c->fd = -1;
    }
    lc_xmpp_parser_free(c->parser);
    c->parser = NULL;
}

static void lc_xmpp_cancel(struct lc_check *check, void *arg)
{
    struct lc_xmpp_arg *a = arg;

    (void)check;
    lc_fanout_release(&a->fan);
}

static void lc_xmpp_arg_free(void *p)
{
    struct lc_xmpp_arg *a = p;

    if (a == NULL)
        return;
    lc_fanout_clear(&a->fan);
    free(a->edge);
    free(a->domain);
    free(a);
}

/* ---- evidence ---- */

static json_t *lc_xmpp_ev(struct lc_xmpp_conn *c)
{
    return lc_fanout_ev(&c->slot);
}

/* Server strings are escaped before they reach JSON or a message: a
 * truncated multi-byte character must not make json_string() refuse them. */
static json_t *lc_xmpp_json_str(const char *s)
{
    char esc[600];

    lc_sip_escape(s, strlen(s), esc, sizeof(esc));
    return json_string(esc);
}

static void lc_xmpp_record(struct lc_xmpp_conn *c, const struct lc_xmpp_result *r)
{
    json_t *ev = lc_xmpp_ev(c);
    json_t *mechs = json_array(), *other = json_array();
    size_t i;

    json_object_set_new(ev, "bytes", json_integer((json_int_t)r->bytes));
    if (r->stream_open)
        json_object_set_new(
            ev, "stream",
            json_pack("{s:o, s:o, s:o, s:o, s:b}", "from", lc_xmpp_json_str(r->from), "id",
                      lc_xmpp_json_str(r->id), "version", lc_xmpp_json_str(r->version), "namespace",
                      lc_xmpp_json_str(r->default_ns), "dialback_namespace", r->db_namespace));
    if (r->status == LC_XMPP_FEATURES) {
        for (i = 0; mechs != NULL && i < r->n_mechanisms; i++)
            json_array_append_new(mechs, lc_xmpp_json_str(r->mechanisms[i]));
        for (i = 0; other != NULL && i < r->n_other; i++)
            json_array_append_new(other, lc_xmpp_json_str(r->other[i]));
        json_object_set_new(ev, "features",
                            json_pack("{s:b, s:b, s:b, s:O, s:O}", "starttls", r->starttls,
                                      "starttls_required", r->starttls_required, "dialback",
                                      r->dialback, "sasl_mechanisms", mechs, "other", other));
    }
    json_decref(mechs);
    json_decref(other);
    if (r->status == LC_XMPP_STREAM_ERROR)
        json_object_set_new(ev, "stream_error",
                            json_pack("{s:o, s:o}", "condition",
                                      lc_xmpp_json_str(r->error_condition), "text",
                                      lc_xmpp_json_str(r->error_text)));
    if (c->n_first > 0) {
        char esc[600];
        lc_sip_escape(c->first, c->n_first, esc, sizeof(esc));
        json_object_set_new(ev, "first_bytes", json_string(esc));
    }
}

/* ---- one address ---- */

/* The connection has its verdict (lc_fanout_end): close our side of the
 * stream as RFC 6120 4.4 asks, without waiting for theirs (best effort on
 * a non-blocking socket), and record what the parser saw. */
static void lc_xmpp_conn_ended(struct lc_fanout_slot *s)
{
    struct lc_xmpp_conn *c = lc_xmpp_conn_of(s);

    if (c->fd >= 0 && c->stage == LC_XS_READ)
        (void)send(c->fd, "</stream:stream>", 16, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (c->parser != NULL)
        lc_xmpp_record(c, lc_xmpp_parser_result(c->parser));
}

static void lc_xmpp_first(struct lc_xmpp_conn *c, char *buf, size_t len)
{
    lc_sip_escape(c->first, c->n_first < 64 ? c->n_first : 64, buf, len);
}

/* The verdict is src/xmpp.c's lc_xmpp_judge (pure, table-tested). */
static void lc_xmpp_judge_conn(struct lc_xmpp_conn *c, const struct lc_xmpp_result *r)
{
    char msg[sizeof(c->slot.message)];
    enum lc_status st = lc_xmpp_judge(r, c->first, c->n_first, msg, sizeof(msg));

    lc_fanout_end(&c->slot, st, "%s", msg);
}

static void lc_xmpp_on_io(struct lc_loop *loop, int fd, unsigned events, void *arg);

static void lc_xmpp_closed(struct lc_xmpp_conn *c, const char *why)
{
    const struct lc_xmpp_result *r = lc_xmpp_parser_result(c->parser);
    char first[300];

    if (r->bytes == 0) {
        lc_fanout_end(&c->slot, LC_FAIL, "%s without answering the stream header", why);
        return;
    }
    lc_xmpp_first(c, first, sizeof(first));
    lc_fanout_end(&c->slot, LC_FAIL, "%s %s; first bytes \"%s\"", why,
                  r->stream_open ? "after its stream header, before any features"
                                 : "before a complete stream header",
                  first);
}

static void lc_xmpp_read(struct lc_xmpp_conn *c)
{
    char buf[4096];

    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
        enum lc_xmpp_status st;

        if (n == 0) {
            lc_xmpp_closed(c, "the server closed the connection");
            return;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            lc_xmpp_closed(c, strerror(errno));
            return;
        }
        if (c->n_first < sizeof(c->first)) {
            size_t k = sizeof(c->first) - c->n_first;
            if (k > (size_t)n)
                k = (size_t)n;
            memcpy(c->first + c->n_first, buf, k);
            c->n_first += k;
        }
        st = lc_xmpp_parser_feed(c->parser, buf, (size_t)n);
        if (st != LC_XMPP_NEED_MORE) {
            lc_xmpp_judge_conn(c, lc_xmpp_parser_result(c->parser));
            return;
        }
    }
}

static void lc_xmpp_step(struct lc_xmpp_conn *c)
{
    struct lc_xmpp_arg *a = c->owner;
    struct lc_loop *loop = lc_check_loop(a->check);

    if (c->stage == LC_XS_CONNECT) {
        int err = 0;
        socklen_t len = sizeof(err);
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            err = errno;
        if (err == EINPROGRESS || err == EALREADY)
            return;
        if (err != 0) {
            lc_fanout_end(&c->slot, LC_FAIL, "TCP connect to port %d failed: %s", LC_XMPP_PORT,
                          strerror(err));
            return;
        }
        json_object_set_new(lc_xmpp_ev(c), "connected", json_true());
        c->stage = LC_XS_WRITE;
    }
    while (c->stage == LC_XS_WRITE) {
        ssize_t n = send(c->fd, a->header + c->out_off, a->header_len - c->out_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                if (lc_loop_io_set(loop, c->fd, LC_IO_WRITE, lc_xmpp_on_io, c) < 0)
                    lc_fanout_end(&c->slot, LC_ERROR, "cannot watch the socket");
                return;
            }
            lc_fanout_end(&c->slot, LC_FAIL, "sending the stream header failed: %s",
                          strerror(errno));
            return;
        }
        c->out_off += (size_t)n;
        if (c->out_off == a->header_len) {
            c->stage = LC_XS_READ;
            if (lc_loop_io_set(loop, c->fd, LC_IO_READ, lc_xmpp_on_io, c) < 0) {
                lc_fanout_end(&c->slot, LC_ERROR, "cannot watch the socket");
                return;
            }
        }
    }
    if (c->stage == LC_XS_READ)
        lc_xmpp_read(c);
}

static void lc_xmpp_on_io(struct lc_loop *loop, int fd, unsigned events, void *arg)
{
    struct lc_xmpp_conn *c = arg;

    (void)loop;
    (void)fd;
    (void)events;
    if (c->slot.done || lc_check_is_done(c->owner->check))
        return;
    lc_xmpp_step(c);
}

/* 4/5 of the check's time has gone: whoever has not answered is silent. */
static void lc_xmpp_expire(struct lc_fanout_slot *s, unsigned long long ms)
{
    struct lc_xmpp_conn *c = lc_xmpp_conn_of(s);
    const struct lc_xmpp_result *r;
    char first[300];

    switch (c->stage) {
    case LC_XS_CONNECT:
        lc_fanout_end(&c->slot, LC_FAIL,
                      "TCP connect to port %d not answered within %llu ms (filtered?)",
                      LC_XMPP_PORT, ms);
        break;
    case LC_XS_WRITE:
        lc_fanout_end(&c->slot, LC_FAIL, "could not send the stream header within %llu ms", ms);
        break;
    case LC_XS_READ:
    default:
        r = lc_xmpp_parser_result(c->parser);
        lc_xmpp_first(c, first, sizeof(first));
        if (r->bytes == 0)
            lc_fanout_end(&c->slot, LC_FAIL, "no answer to the stream header within %llu ms", ms);
        else if (!r->stream_open)
            lc_fanout_end(&c->slot, LC_FAIL,
                          "no complete stream header within %llu ms; first bytes \"%s\"", ms,
                          first);
        else
            lc_fanout_end(
                &c->slot, LC_FAIL, "stream opened but no <stream:features> within %llu ms%s", ms,
                r->version[0] == '\0' ? " (no version='1.0' in its header: a pre-XMPP 1.0 "
                                        "server sends no features)"
                                      : "");
        break;
    }
}

static const struct lc_fanout_ops lc_xmpp_fanout = {lc_xmpp_conn_release, lc_xmpp_conn_ended,
                                                    lc_xmpp_expire, NULL};

static void lc_xmpp_start(struct lc_check *check, void *arg)
{
    struct lc_xmpp_arg *a = arg;
    const struct lc_dns_name *d;
    const struct lc_run_config *cfg = lc_check_config(check);
    /* Leave a fifth of the check's time to report who was silent. */
    uint64_t read_timeout_us = cfg->timeout_us * 4 / 5;
    json_t *ev = lc_check_evidence(check);
    char esc[900];
    size_t i;
    int n;

    a->check = check;
    d = lc_dns_dep_addrs(check, 0, a->edge);
    if (d == NULL)
        return;
    n = lc_xmpp_stream_open(a->header, sizeof(a->header), a->domain, LC_XMPP_FROM);
    if (n < 0) {
        lc_check_finish(check, LC_ERROR, "cannot build a stream header to %s", a->domain);
        return;
    }
    a->header_len = (size_t)n;
    lc_sip_escape(a->header, a->header_len, esc, sizeof(esc));
    json_object_set_new(ev, "port", json_integer(LC_XMPP_PORT));
    json_object_set_new(ev, "sent", json_string(esc));
    json_object_set_new(ev, "read_timeout_ms", json_integer((json_int_t)(read_timeout_us / 1000)));
    if (lc_fanout_init_name(&a->fan, check, &lc_xmpp_fanout, d, sizeof(struct lc_xmpp_conn)) < 0)
        return;
    a->fan.port = LC_XMPP_PORT;
    for (i = 0; i < a->fan.n; i++) {
        struct lc_xmpp_conn *c = lc_xmpp_conn_of(lc_fanout_at(&a->fan, i));
        c->owner = a;
        c->fd = -1;
        c->stage = LC_XS_CONNECT;
    }
    if (lc_fanout_arm(&a->fan, read_timeout_us) < 0)
        return;
    for (i = 0; i < a->fan.n && !lc_check_is_done(check); i++) {
        struct lc_xmpp_conn *c = lc_xmpp_conn_of(lc_fanout_at(&a->fan, i));
        c->slot.started_us = lc_now_us();
        if (lc_xmpp_parser_new(&c->parser) < 0) {
            lc_fanout_end(&c->slot, LC_ERROR, "out of memory");
            continue;
        }
        c->fd = lc_tcp_connect_start(c->slot.addr, LC_XMPP_PORT);
        if (c->fd < 0) {
            lc_fanout_end(&c->slot, LC_FAIL, "TCP connect to port %d failed: %s", LC_XMPP_PORT,
                          strerror(errno));
            continue;
        }
        if (lc_loop_io_set(lc_check_loop(check), c->fd, LC_IO_WRITE, lc_xmpp_on_io, c) < 0)
            lc_fanout_end(&c->slot, LC_ERROR, "cannot watch the socket");
    }
}

/* ---- planning ---- */

static const struct lc_option_decl lc_xmpp_options[] = {
    {NULL, LC_OPT_BOOL, NULL, NULL, NULL, 0, 0, NULL},
};

static int lc_xmpp_plan(struct lc_run *run, const struct lc_site *site, const struct lc_opts *opts)
{
    struct lc_check *dns = NULL;
    size_t i;

    (void)opts;
    for (i = 0; i < site->sip_domains.n; i++) {
        const char *domain = site->sip_domains.v[i];
        struct lc_xmpp_arg *a;
        struct lc_check *c;

        if (!site->xmpp || site->access_edge == NULL) {
            c = lc_run_add(run, "xmpp", "stream", domain, REF_XMPP, NULL, NULL, NULL);
            if (c == NULL)
                return -1;
            lc_check_skip(c, "%s",
                          !site->xmpp ? "XMPP federation not in use (--xmpp no)"
                                      : "no access edge name known: give --access-edge");
            continue;
        }
        if (dns == NULL &&
            (dns = lc_dns_plan_name(run, site->access_edge, "access-edge", 1)) == NULL)
            return -1;
        a = calloc(1, sizeof(*a));
        if (a == NULL)
            return -1;
        a->edge = strdup(site->access_edge);
        a->domain = strdup(domain);
        if (a->edge == NULL || a->domain == NULL) {
            lc_xmpp_arg_free(a);
            return -1;
        }
        c = lc_run_add(run, "xmpp", "stream", domain, REF_XMPP, lc_xmpp_start, a, lc_xmpp_arg_free);
        if (c == NULL) {
            lc_xmpp_arg_free(a);
            return -1;
        }
        lc_check_set_cancel(c, lc_xmpp_cancel);
        if (lc_check_depend(c, dns) < 0)
            return -1;
    }
    return 0;
}

const struct lc_probe lc_probe_xmpp = {
    "xmpp",
    "XMPP federation on the access edge (5269), every address and SIP domain: a server-to-server "
    "stream must be opened and offer its features (STARTTLS, dialback)",
    lc_xmpp_options,
    lc_xmpp_plan,
};
