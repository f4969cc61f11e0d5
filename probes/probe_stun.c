/* SPDX-License-Identifier: MIT */
/* lynccheck - the STUN probe: the A/V edge's MS-TURN listeners, from outside.
 *
 *   stun.turn:<av-edge>:3478 - on every address of the name, over UDP, an
 *     [MS-TURN] Allocate (MAGIC-COOKIE first, MS-VERSION) and an RFC 5389
 *     Binding request, retransmitted per RFC 5389 7.2.1. A Lync A/V edge
 *     answers the Allocate with 401 + REALM and, usually, ALTERNATE-SERVER =
 *     its public address ([MS-TURN] 2.2.2, 3.1.10); a standard STUN server
 *     answers the Binding. Either well-formed answer passes, and says which.
 *   stun.pseudo-tls:<av-edge>:443 - on every address, a TLS handshake, and
 *     how TCP 443 answered: a normal TLS server, MS-TURN pseudo-TLS
 *     ([MS-TURN] 2.1: ServerHello + ServerHelloDone, no certificate; the
 *     verdict on it is inferred), or nothing.
 * Ports: the A/V edge's external UDP 3478 and TCP 443 (Microsoft Learn,
 * "Edge Server environmental requirements in Skype for Business Server",
 * port and firewall tables). An Allocate answered with success although it
 * carried no credentials is an open relay and fails (RFC 5766 4; [MS-TURN]
 * 3.2.5.1). The verdicts are src/stun.c's lc_turn_judge and lc_ptls_judge. */
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cert.h"
#include "dns.h"
#include "fanout.h"
#include "loop.h"
#include "net.h"
#include "probes.h"
#include "refs.h"
#include "run.h"
#include "site.h"
#include "stun.h"
#include "tls.h"

#define REF_TURN                                                                                   \
    "A/V edge UDP 3478 (MS-TURN) answers from the internet: an unauthenticated Allocate with "     \
    "MAGIC-COOKIE first gets 401 with REALM and usually ALTERNATE-SERVER = the edge's public "     \
    "address ([MS-TURN] 2.2.2, 3.1.10, 3.2.5.1), never a success (an open relay; RFC 5766 4); "    \
    "standard STUN servers answer an RFC 5389 Binding. Ports: " LC_DOC_EDGE_ENV
#define REF_PTLS                                                                                   \
    "A/V edge TCP 443 (MS-TURN over pseudo-TLS, [MS-TURN] 2.1) answers from the internet; a "      \
    "normal TLS handshake fails there by design (inferred). Ports: " LC_DOC_EDGE_ENV

/* RFC 5389 7.2.1: RTO 500 ms doubling, Rc = 7 transmissions, then Rm = 16
 * RTOs of waiting; all of it within 4/5 of the check's timeout, leaving the
 * rest to report. */
#define LC_RTO_US 500000u
#define LC_RC 7u
#define LC_RM 16u
/* After a first answer, how long the other transaction may still answer:
 * 4 round trips, 250 ms at least. An MS-TURN answer to the Allocate needs
 * less: such a server drops any message whose first attribute is not
 * MAGIC-COOKIE ([MS-TURN] 3.1.10), so its Binding answer never comes, and
 * the wait is only for an odd server answering both at once: 4 round
 * trips, 20 ms at least (it was 250 ms off every healthy run's wall). */
#define LC_GRACE_MIN_US 250000u
#define LC_GRACE_MS_TURN_MIN_US 20000u
/* Evidence of a malformed answer: this many bytes, in hex. */
#define LC_HEX_MAX 128

static const char *const lc_stun_words[] = {"turn", "pseudo-tls", NULL};
static const char *const lc_stun_targets[] = {"av-edge", "edge-internal", NULL};

static const struct lc_option_decl lc_stun_options[] = {
    {"checks", LC_OPT_LIST, "turn, pseudo-tls",
     "A/V edge checks: turn (MS-TURN Allocate and STUN Binding over UDP), pseudo-tls (what "
     "answers a TLS handshake on TCP)",
     lc_stun_words, 0, 0, NULL},
    {"turn-port", LC_OPT_INT, "3478", "A/V edge UDP port for MS-TURN and STUN", NULL, 1, 65535,
     NULL},
    {"tls-port", LC_OPT_INT, "443", "A/V edge TCP port for MS-TURN over pseudo-TLS", NULL, 1, 65535,
     NULL},
    {"target", LC_OPT_STRING, "av-edge",
     "whose MS-TURN to probe: the A/V edge from outside, or the edge internal interface from a "
     "Front End (STUN/MSTURN UDP 3478 and TCP 443 on both: Edge Server environmental "
     "requirements)",
     lc_stun_targets, 0, 0, NULL},
    {"alternate-server", LC_OPT_BOOL, "yes",
     "warn when the ALTERNATE-SERVER the edge advertises is none of the A/V edge's DNS "
     "addresses (NAT misconfiguration)",
     NULL, 0, 0, NULL},
    {NULL, LC_OPT_BOOL, NULL, NULL, NULL, 0, 0, NULL},
};

/* ======== stun.turn: MS-TURN Allocate and STUN Binding over UDP ======== */

enum { LC_REQ_ALLOCATE = 0, LC_REQ_BINDING = 1, LC_REQ_N = 2 };

struct lc_turn_req {
    uint8_t tid[LC_STUN_TID_LEN];
    uint8_t buf[LC_STUN_REQUEST_MAX];
    size_t len;
    int answered;
    struct lc_stun_msg msg;
};

struct lc_turn_arg;

/* One address of the A/V edge (fanout.h). */
struct lc_turn_addr {
    struct lc_fanout_slot slot; /* first */
    struct lc_turn_arg *owner;
    int fd;
    struct lc_timer *timer;
    uint64_t started_us, end_us, answered_us;
    unsigned transmissions;
    unsigned ignored; /* datagrams for other transaction ids */
    struct lc_turn_req req[LC_REQ_N];
    enum lc_turn_outcome state;
    char error[256];
    char hex[2 * LC_HEX_MAX + 4];
    size_t bad_len;
};

struct lc_turn_arg {
    char *name;
    unsigned port;
    int check_alternate;
    struct lc_check *check;
    struct lc_loop *loop;
    struct lc_fanout fan;
};

static struct lc_turn_addr *lc_turn_addr_of(struct lc_fanout_slot *s)
{
    return (struct lc_turn_addr *)(void *)s;
}

static void lc_turn_addr_release(struct lc_fanout_slot *s)
{
    struct lc_turn_addr *a = lc_turn_addr_of(s);
    struct lc_loop *loop = a->owner->loop;

    if (a->timer != NULL) {
        lc_loop_timer_cancel(loop, a->timer);
        a->timer = NULL;
    }
    if (a->fd >= 0) {
        (void)lc_loop_io_set(loop, a->fd, 0, NULL, NULL);
        close(a->fd);
        a->fd = -1;
    }
}

static void lc_turn_cancel(struct lc_check *check, void *arg)
{
    struct lc_turn_arg *t = arg;

    (void)check;
    lc_fanout_release(&t->fan);
}

static void lc_turn_arg_free(void *p)
{
    struct lc_turn_arg *t = p;

    lc_fanout_clear(&t->fan);
    free(t->name);
    free(t);
}

static json_t *lc_stun_addr_json(const struct lc_stun_addr *a)
{
    char buf[64];

    if (!a->present)
        return NULL;
    lc_stun_addr_port(a, buf, sizeof(buf));
    return json_string(buf);
}

static json_t *lc_code_list_json(const uint16_t *v, size_t n)
{
    json_t *arr = json_array();
    char buf[8];
    size_t i;

    for (i = 0; arr != NULL && i < n && i < LC_STUN_LIST_MAX; i++) {
        snprintf(buf, sizeof(buf), "0x%04x", v[i]);
        json_array_append_new(arr, json_string(buf));
    }
    return arr;
}

static json_t *lc_stun_msg_json(const struct lc_stun_msg *m)
{
    json_t *o = json_object();
    char buf[64];

    if (o == NULL)
        return NULL;
    snprintf(buf, sizeof(buf), "0x%04x", m->type);
    json_object_set_new(o, "type", json_string(buf));
    json_object_set_new(o, "name", json_string(lc_stun_type_name(m->type, buf, sizeof(buf))));
    json_object_set_new(o, "dialect", json_string(m->ms_turn ? "MS-TURN" : "RFC 5389"));
    json_object_set_new(o, "padded", json_boolean(m->padded));
    if (m->error_code != 0) {
        json_object_set_new(o, "error_code", json_integer(m->error_code));
        json_object_set_new(o, "reason", json_string(m->reason));
    }
    if (m->has_realm)
        json_object_set_new(o, "realm", json_string(m->realm));
    if (m->has_nonce)
        json_object_set_new(o, "nonce", json_string(m->nonce));
    if (m->has_software)
        json_object_set_new(o, "software", json_string(m->software));
    if (m->has_ms_version)
        json_object_set_new(o, "ms_version", json_integer((json_int_t)m->ms_version));
    if (m->xor_mapped.present)
        json_object_set_new(o, "xor_mapped_address", lc_stun_addr_json(&m->xor_mapped));
    if (m->mapped.present)
        json_object_set_new(o, "mapped_address", lc_stun_addr_json(&m->mapped));
    if (m->alternate.present)
        json_object_set_new(o, "alternate_server", lc_stun_addr_json(&m->alternate));
    if (m->n_unknown > 0)
        json_object_set_new(o, "unknown_comprehension_required",
                            lc_code_list_json(m->unknown, m->n_unknown));
    if (m->n_server_unknown > 0)
        json_object_set_new(o, "unknown_attributes",
                            lc_code_list_json(m->server_unknown, m->n_server_unknown));
    json_object_set_new(o, "fingerprint", json_boolean(m->has_fingerprint));
    return o;
}

/* Is the parsed answer one our request can get? (RFC 5389 7.3: a response
 * of the request's method; an error response carries ERROR-CODE, 15.6; a
 * Binding success carries (XOR-)MAPPED-ADDRESS, 7.3.3 and 15.2.) */
static int lc_turn_answer_ok(const struct lc_stun_msg *m, unsigned method, char *err, size_t len)
{
    enum lc_stun_class cls = lc_stun_class_of(m->type);
    char name[64];

    if (lc_stun_method(m->type) != method || (cls != LC_STUN_SUCCESS && cls != LC_STUN_ERROR)) {
        snprintf(err, len, "answered our %s request with a %s (0x%04x)",
                 method == LC_STUN_ALLOCATE ? "Allocate" : "Binding",
                 lc_stun_type_name(m->type, name, sizeof(name)), m->type);
        return 0;
    }
    if (cls == LC_STUN_ERROR && m->error_code == 0) {
        snprintf(err, len, "%s without ERROR-CODE", lc_stun_type_name(m->type, name, sizeof(name)));
        return 0;
    }
    if (cls == LC_STUN_SUCCESS && method == LC_STUN_BINDING && !m->xor_mapped.present &&
        !m->mapped.present) {
        snprintf(err, len,
                 "Binding success response without XOR-MAPPED-ADDRESS or "
                 "MAPPED-ADDRESS");
        return 0;
    }
    return 1;
}

/* The address's evidence as it stands: written as things are seen, so a
 * check ended by its timeout or the run's deadline still shows them. */
static void lc_turn_note(struct lc_turn_addr *a)
{
    struct lc_turn_arg *t = a->owner;
    json_t *ev;

    if (lc_check_is_done(t->check))
        return;
    ev = lc_fanout_ev(&a->slot);
    json_object_set_new(ev, "result", json_string(lc_turn_outcome_name(a->state)));
    json_object_set_new(ev, "transmissions", json_integer(a->transmissions));
    if (a->answered_us != 0)
        json_object_set_new(ev, "first_answer_ms",
                            json_integer((json_int_t)((a->answered_us - a->started_us) / 1000)));
    if (a->req[LC_REQ_ALLOCATE].answered)
        json_object_set_new(ev, "ms_turn_allocate", lc_stun_msg_json(&a->req[LC_REQ_ALLOCATE].msg));
    if (a->req[LC_REQ_BINDING].answered)
        json_object_set_new(ev, "stun_binding", lc_stun_msg_json(&a->req[LC_REQ_BINDING].msg));
    if (a->ignored > 0)
        json_object_set_new(ev, "ignored_datagrams", json_integer(a->ignored));
    if (a->state == LC_TURN_MALFORMED)
        json_object_set_new(ev, "malformed",
                            json_pack("{s:s, s:I, s:s}", "error", a->error, "length",
                                      (json_int_t)a->bad_len, "bytes", a->hex));
    else if (a->error[0] != '\0')
        json_object_set_new(ev, "error", json_string(a->error));
}

/* The address is over; the check's verdict weighs them all at the end
 * (lc_turn_evaluate). */
static void lc_turn_addr_done(struct lc_turn_addr *a, enum lc_turn_outcome state)
{
    if (a->slot.done)
        return;
    if (a->state == LC_TURN_WAITING || state == LC_TURN_MALFORMED)
        a->state = state;
    lc_turn_note(a);
    lc_fanout_done(&a->slot);
}

/* Send every request still unanswered; 0, or -1 when the address is done. */
static int lc_turn_transmit(struct lc_turn_addr *a)
{
    int i, e;

    a->transmissions++;
    for (i = 0; i < LC_REQ_N; i++) {
        if (a->req[i].answered)
            continue;
        if (send(a->fd, a->req[i].buf, a->req[i].len, MSG_NOSIGNAL) >= 0)
            continue;
        e = errno;
        if (e == EAGAIN || e == EWOULDBLOCK || e == EINTR)
            continue; /* the next retransmission tries again */
        if (e == ECONNREFUSED) {
            /* A connected UDP socket reports an earlier ICMP port
             * unreachable here or on the next receive. */
            snprintf(a->error, sizeof(a->error), "ICMP port unreachable");
            lc_turn_addr_done(a, a->state == LC_TURN_ANSWERED ? LC_TURN_ANSWERED : LC_TURN_CLOSED);
        } else {
            snprintf(a->error, sizeof(a->error), "cannot send: %s", strerror(e));
            lc_turn_addr_done(a, a->state == LC_TURN_ANSWERED ? LC_TURN_ANSWERED : LC_TURN_ERROR);
        }
        return -1;
    }
    return 0;
}

static void lc_turn_on_timer(struct lc_loop *loop, void *arg);

static void lc_turn_schedule(struct lc_turn_addr *a)
{
    uint64_t now = lc_now_us(), wait;

    if (now >= a->end_us) {
        lc_turn_addr_done(a, a->state == LC_TURN_ANSWERED ? LC_TURN_ANSWERED : LC_TURN_SILENT);
        return;
    }
    /* After transmission k (1-based) wait RTO * 2^(k-1); after the last,
     * Rm * RTO (RFC 5389 7.2.1). */
    if (a->transmissions < LC_RC)
        wait = (uint64_t)LC_RTO_US << (a->transmissions - 1);
    else
        wait = (uint64_t)LC_RM * LC_RTO_US;
    if (now + wait > a->end_us)
        wait = a->end_us - now;
    a->timer = lc_loop_timer_add(a->owner->loop, wait, lc_turn_on_timer, a);
    if (a->timer == NULL) {
        snprintf(a->error, sizeof(a->error), "out of memory");
        lc_turn_addr_done(a, LC_TURN_ERROR);
    }
}

static void lc_turn_on_timer(struct lc_loop *loop, void *arg)
{
    struct lc_turn_addr *a = arg;
    uint64_t now = lc_now_us();

    (void)loop;
    a->timer = NULL;
    if (a->slot.done || lc_check_is_done(a->owner->check))
        return;
    /* Out of time, or Rm RTOs passed since the last of Rc transmissions. */
    if (now >= a->end_us || a->transmissions >= LC_RC) {
        lc_turn_addr_done(a, a->state == LC_TURN_ANSWERED ? LC_TURN_ANSWERED : LC_TURN_SILENT);
        return;
    }
    if (lc_turn_transmit(a) < 0)
        return;
    lc_turn_note(a);
    lc_turn_schedule(a);
}

static void lc_turn_malformed(struct lc_turn_addr *a, const uint8_t *buf, size_t len,
                              const char *why)
{
    snprintf(a->error, sizeof(a->error), "%s", why);
    lc_stun_hex(buf, len, LC_HEX_MAX, a->hex, sizeof(a->hex));
    a->bad_len = len;
    lc_turn_addr_done(a, LC_TURN_MALFORMED);
}

/* One datagram from the address (the socket is connected to it). */
static void lc_turn_datagram(struct lc_turn_addr *a, const uint8_t *buf, size_t len,
                             size_t real_len)
{
    static const unsigned methods[LC_REQ_N] = {LC_STUN_ALLOCATE, LC_STUN_BINDING};
    struct lc_stun_msg msg;
    char err[256];
    int i, rc, which = -1;

    if (real_len > len) {
        snprintf(err, sizeof(err), "a datagram of %zu bytes, more than any answer to us", real_len);
        lc_turn_malformed(a, buf, len, err);
        return;
    }
    for (i = 0; i < LC_REQ_N && len >= LC_STUN_HEADER_LEN; i++)
        if (memcmp(buf + 4, a->req[i].tid, LC_STUN_TID_LEN) == 0)
            which = i;
    rc = lc_stun_parse(buf, len, which >= 0 ? a->req[which].tid : a->req[0].tid, &msg, err,
                       sizeof(err));
    if (rc == LC_STUN_NOT_OURS) {
        a->ignored++; /* RFC 5389 7.3.3: another transaction's, not an answer */
        return;
    }
    if (rc == LC_STUN_MALFORMED) {
        lc_turn_malformed(a, buf, len, err);
        return;
    }
    if (a->req[which].answered)
        return; /* a retransmission's answer: the first one counts */
    if (!lc_turn_answer_ok(&msg, methods[which], err, sizeof(err))) {
        lc_turn_malformed(a, buf, len, err);
        return;
    }
    a->req[which].msg = msg;
    a->req[which].answered = 1;
    lc_turn_note(a);
    if (a->state == LC_TURN_WAITING) {
        uint64_t now = lc_now_us(), grace = 4 * (now - a->started_us);
        uint64_t least =
            which == LC_REQ_ALLOCATE && msg.ms_turn ? LC_GRACE_MS_TURN_MIN_US : LC_GRACE_MIN_US;
        a->state = LC_TURN_ANSWERED;
        a->answered_us = now;
        if (grace < least)
            grace = least;
        if (now + grace < a->end_us)
            a->end_us = now + grace;
        if (a->timer != NULL) {
            lc_loop_timer_cancel(a->owner->loop, a->timer);
            a->timer = NULL;
        }
        lc_turn_schedule(a);
    }
    if (a->req[LC_REQ_ALLOCATE].answered && a->req[LC_REQ_BINDING].answered)
        lc_turn_addr_done(a, LC_TURN_ANSWERED);
}

static void lc_turn_on_io(struct lc_loop *loop, int fd, unsigned events, void *arg)
{
    struct lc_turn_addr *a = arg;
    uint8_t buf[2048];
    ssize_t n;
    int rounds;

    (void)loop;
    (void)events;
    if (a->slot.done || fd != a->fd || lc_check_is_done(a->owner->check))
        return;
    for (rounds = 0; rounds < 64 && !a->slot.done; rounds++) {
        /* MSG_TRUNC: learn a datagram's real size, to call an oversized
         * one what it is rather than parse half of it. */
        n = recv(fd, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);
        if (n < 0) {
            int e = errno;
            if (e == EAGAIN || e == EWOULDBLOCK || e == EINTR)
                return;
            if (e == ECONNREFUSED) {
                snprintf(a->error, sizeof(a->error), "ICMP port unreachable");
                lc_turn_addr_done(a,
                                  a->state == LC_TURN_ANSWERED ? LC_TURN_ANSWERED : LC_TURN_CLOSED);
            } else {
                snprintf(a->error, sizeof(a->error), "receive failed: %s", strerror(e));
                lc_turn_addr_done(a,
                                  a->state == LC_TURN_ANSWERED ? LC_TURN_ANSWERED : LC_TURN_ERROR);
            }
            return;
        }
        lc_turn_datagram(a, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf), (size_t)n);
    }
}

static void lc_turn_addr_start(struct lc_turn_addr *a, uint64_t budget_us)
{
    struct lc_turn_arg *t = a->owner;
    int n;

    a->started_us = lc_now_us();
    a->end_us = a->started_us + budget_us;
    /* Connected, so an ICMP port unreachable comes back as ECONNREFUSED
     * and only the edge's own datagrams reach us. */
    a->fd = lc_udp_connect(a->slot.addr, t->port);
    if (a->fd < 0) {
        if (errno == EINVAL)
            snprintf(a->error, sizeof(a->error), "not a numeric address: %s", a->slot.addr);
        else
            snprintf(a->error, sizeof(a->error), "cannot reach %s: %s", a->slot.addr,
                     strerror(errno));
        lc_turn_addr_done(a, LC_TURN_ERROR);
        return;
    }
    n = lc_msturn_allocate_request(a->req[LC_REQ_ALLOCATE].buf, sizeof(a->req[LC_REQ_ALLOCATE].buf),
                                   a->req[LC_REQ_ALLOCATE].tid);
    a->req[LC_REQ_ALLOCATE].len = n > 0 ? (size_t)n : 0;
    n = lc_stun_binding_request(a->req[LC_REQ_BINDING].buf, sizeof(a->req[LC_REQ_BINDING].buf),
                                a->req[LC_REQ_BINDING].tid);
    a->req[LC_REQ_BINDING].len = n > 0 ? (size_t)n : 0;
    if (a->req[LC_REQ_ALLOCATE].len == 0 || a->req[LC_REQ_BINDING].len == 0) {
        snprintf(a->error, sizeof(a->error), "cannot build the requests (random generator?)");
        lc_turn_addr_done(a, LC_TURN_ERROR);
        return;
    }
    if (lc_loop_io_set(t->loop, a->fd, LC_IO_READ, lc_turn_on_io, a) < 0) {
        snprintf(a->error, sizeof(a->error), "cannot watch the socket");
        lc_turn_addr_done(a, LC_TURN_ERROR);
        return;
    }
    if (lc_turn_transmit(a) < 0)
        return;
    lc_turn_note(a);
    lc_turn_schedule(a);
}

static void lc_turn_observe(const struct lc_fanout_slot *s, void *o)
{
    const struct lc_turn_addr *a = (const struct lc_turn_addr *)(const void *)s;
    struct lc_turn_obs *obs = o;

    obs->addr = a->slot.addr;
    obs->outcome = a->state;
    obs->error = a->error;
    obs->allocate = a->req[LC_REQ_ALLOCATE].answered ? &a->req[LC_REQ_ALLOCATE].msg : NULL;
    obs->binding = a->req[LC_REQ_BINDING].answered ? &a->req[LC_REQ_BINDING].msg : NULL;
}

/* The verdict is src/stun.c's lc_turn_judge (pure, table-tested): here
 * only the facts are gathered, with the A/V edge's DNS addresses (what
 * ALTERNATE-SERVER should be). */
static void lc_turn_evaluate(struct lc_fanout *f)
{
    struct lc_turn_arg *t = lc_turn_addr_of(lc_fanout_at(f, 0))->owner;
    const struct lc_dns_name *d = lc_check_data(lc_check_dep(t->check, 0));
    const char **dns = calloc(d != NULL && d->n_addrs > 0 ? d->n_addrs : 1, sizeof(*dns));
    struct lc_turn_obs *obs = lc_fanout_observe(f, sizeof(*obs), lc_turn_observe);
    size_t i, n_dns = 0;
    char msg[1024];

    if (obs != NULL && dns == NULL)
        lc_check_finish(t->check, LC_ERROR, "out of memory");
    if (obs != NULL && dns != NULL) {
        for (i = 0; d != NULL && i < d->n_addrs; i++)
            dns[n_dns++] = d->addrs[i].text;
        lc_check_finish(t->check,
                        lc_turn_judge(obs, f->n, t->name, t->port, dns, n_dns, t->check_alternate,
                                      msg, sizeof(msg)),
                        "%s", msg);
    }
    free(obs);
    free(dns);
}

static const struct lc_fanout_ops lc_turn_fanout = {lc_turn_addr_release, NULL, NULL,
                                                    lc_turn_evaluate};

static void lc_turn_start(struct lc_check *check, void *arg)
{
    struct lc_turn_arg *t = arg;
    const struct lc_dns_name *d;
    const struct lc_run_config *cfg = lc_check_config(check);
    size_t i;

    t->check = check;
    t->loop = lc_check_loop(check);
    d = lc_dns_dep_addrs(check, 0, t->name);
    if (d == NULL)
        return;
    json_object_set_new(lc_check_evidence(check), "port", json_integer(t->port));
    if (lc_fanout_init_name(&t->fan, check, &lc_turn_fanout, d, sizeof(struct lc_turn_addr)) < 0)
        return;
    for (i = 0; i < t->fan.n; i++) {
        struct lc_turn_addr *a = lc_turn_addr_of(lc_fanout_at(&t->fan, i));
        a->owner = t;
        a->fd = -1;
    }
    for (i = 0; i < t->fan.n && !lc_check_is_done(check); i++)
        lc_turn_addr_start(lc_turn_addr_of(lc_fanout_at(&t->fan, i)), cfg->timeout_us * 4 / 5);
}

/* ======== stun.pseudo-tls: what answers a TLS handshake on TCP ======== */

struct lc_ptls_arg;

/* One address of the A/V edge (fanout.h). */
struct lc_ptls_addr {
    struct lc_fanout_slot slot; /* first */
    struct lc_ptls_arg *owner;
    struct lc_tls_hs *hs;
    enum lc_ptls_kind kind;
    char note[768];
    /* What the server sent, from OpenSSL's message callback. */
    int saw_server_hello, saw_certificate, saw_hello_done, saw_alert;
    unsigned hello_version;
    char sent[128]; /* handshake messages in order */
};

struct lc_ptls_arg {
    char *name;
    unsigned port;
    SSL_CTX *ctx;
    struct lc_check *check;
    struct lc_fanout fan;
};

static struct lc_ptls_addr *lc_ptls_addr_of(struct lc_fanout_slot *s)
{
    return (struct lc_ptls_addr *)(void *)s;
}

static void lc_ptls_addr_release(struct lc_fanout_slot *s)
{
    struct lc_ptls_addr *a = lc_ptls_addr_of(s);

    lc_tls_handshake_cancel(a->hs);
    a->hs = NULL;
}

static void lc_ptls_cancel(struct lc_check *check, void *arg)
{
    struct lc_ptls_arg *p = arg;

    (void)check;
    lc_fanout_release(&p->fan);
}

static void lc_ptls_arg_free(void *v)
{
    struct lc_ptls_arg *p = v;

    lc_fanout_clear(&p->fan);
    free(p->name);
    SSL_CTX_free(p->ctx);
    free(p);
}

static void lc_ptls_sent(struct lc_ptls_addr *a, const char *what)
{
    size_t o = strlen(a->sent);

    if (o + strlen(what) + 2 < sizeof(a->sent))
        snprintf(a->sent + o, sizeof(a->sent) - o, "%s%s", o > 0 ? "," : "", what);
}

/* OpenSSL's message callback: every handshake message and alert the
 * server sends, as it is read (before it is processed, so a ServerHello
 * OpenSSL then rejects is still seen). */
static void lc_ptls_on_msg(int write_p, int version, int content_type, const void *buf, size_t len,
                           SSL *ssl, void *arg)
{
    struct lc_ptls_addr *a = arg;
    const uint8_t *b = buf;

    (void)version;
    (void)ssl;
    if (write_p || a == NULL || len < 1)
        return;
    if (content_type == SSL3_RT_ALERT) {
        a->saw_alert = 1;
        lc_ptls_sent(a, "Alert");
        return;
    }
    if (content_type != SSL3_RT_HANDSHAKE)
        return;
    switch (b[0]) {
    case SSL3_MT_SERVER_HELLO:
        a->saw_server_hello = 1;
        if (len >= 6)
            a->hello_version = (unsigned)b[4] << 8 | b[5];
        lc_ptls_sent(a, "ServerHello");
        break;
    case SSL3_MT_CERTIFICATE:
        a->saw_certificate = 1;
        lc_ptls_sent(a, "Certificate");
        break;
    case SSL3_MT_SERVER_DONE:
        a->saw_hello_done = 1;
        lc_ptls_sent(a, "ServerHelloDone");
        break;
    case SSL3_MT_SERVER_KEY_EXCHANGE:
        lc_ptls_sent(a, "ServerKeyExchange");
        break;
    case SSL3_MT_CERTIFICATE_REQUEST:
        lc_ptls_sent(a, "CertificateRequest");
        break;
    case SSL3_MT_ENCRYPTED_EXTENSIONS:
        lc_ptls_sent(a, "EncryptedExtensions");
        break;
    default:
        break;
    }
}

static void lc_ptls_observe(const struct lc_fanout_slot *s, void *o)
{
    const struct lc_ptls_addr *a = (const struct lc_ptls_addr *)(const void *)s;
    struct lc_ptls_obs *obs = o;

    obs->addr = a->slot.addr;
    obs->kind = a->kind;
    obs->note = a->note;
}

/* The verdict is src/stun.c's lc_ptls_judge (pure, table-tested). */
static void lc_ptls_evaluate(struct lc_fanout *f)
{
    struct lc_ptls_arg *p = lc_ptls_addr_of(lc_fanout_at(f, 0))->owner;
    struct lc_ptls_obs *obs = lc_fanout_observe(f, sizeof(*obs), lc_ptls_observe);
    char msg[1024];

    if (obs == NULL)
        return;
    lc_check_finish(p->check, lc_ptls_judge(obs, f->n, p->port, msg, sizeof(msg)), "%s", msg);
    free(obs);
}

/* Sort out how the listener answered; the pseudo-TLS verdict is a
 * heuristic, marked "(inferred)": [MS-TURN] 2.1 has the server answer a
 * ClientHello with ServerHello + ServerHelloDone in one record and no
 * Certificate, so an ordinary TLS client fails right after the ServerHello
 * ("unexpected message", "wrong cipher returned", "unsupported protocol"
 * ...), having seen no certificate. A TLS server that sends an alert, or
 * fails after its certificate, is a TLS server that refused us. */
static void lc_ptls_classify(struct lc_ptls_addr *a, const struct lc_tls_result *res)
{
    const char *e = res->error;

    if (res->handshake_ok) {
        X509 *leaf =
            res->chain != NULL && sk_X509_num(res->chain) > 0 ? sk_X509_value(res->chain, 0) : NULL;
        char *cn = leaf != NULL ? lc_cert_subject_cn(leaf) : NULL;
        a->kind = LC_PTLS_TLS;
        if (leaf != NULL)
            snprintf(a->note, sizeof(a->note),
                     "a normal TLS server answers: %s, certificate CN=%s (not MS-TURN "
                     "pseudo-TLS)",
                     res->version, cn != NULL ? cn : "none");
        else
            snprintf(a->note, sizeof(a->note),
                     "a TLS handshake (%s) completed without a "
                     "certificate",
                     res->version);
        free(cn);
        return;
    }
    if (!res->connected) {
        if (strstr(e, "refused") != NULL) {
            a->kind = LC_PTLS_CLOSED;
            snprintf(a->note, sizeof(a->note), "TCP port closed (connection refused)");
        } else if (strstr(e, "timed out") != NULL) {
            a->kind = LC_PTLS_FILTERED;
            snprintf(a->note, sizeof(a->note), "no answer to the TCP connect: filtered");
        } else {
            a->kind = LC_PTLS_ERROR;
            snprintf(a->note, sizeof(a->note), "cannot connect: %s", e);
        }
        return;
    }
    if (!a->saw_certificate && !a->saw_alert &&
        (a->saw_server_hello || strstr(e, "unexpected message") != NULL)) {
        a->kind = LC_PTLS_PSEUDO;
        snprintf(a->note, sizeof(a->note),
                 "MS-TURN pseudo-TLS (inferred): the server answered the ClientHello with %s and "
                 "no certificate (%s)",
                 a->sent[0] != '\0' ? a->sent : "a handshake", e);
        return;
    }
    if (a->saw_alert || a->saw_certificate || strstr(e, "alert") != NULL) {
        a->kind = LC_PTLS_TLS_REFUSE;
        snprintf(a->note, sizeof(a->note), "a TLS server answers but refused our handshake (%s)",
                 e);
        return;
    }
    a->kind = LC_PTLS_OPEN;
    snprintf(a->note, sizeof(a->note), "TCP open, no TLS answer to a ClientHello (%s)", e);
}

static void lc_ptls_on_done(struct lc_tls_result *res, void *arg)
{
    struct lc_ptls_addr *a = arg;
    struct lc_ptls_arg *p = a->owner;
    json_t *ev, *sent;
    X509 *leaf;

    a->hs = NULL;
    if (a->slot.done || lc_check_is_done(p->check))
        return;
    lc_ptls_classify(a, res);
    ev = lc_fanout_ev(&a->slot);
    json_object_set_new(ev, "result", json_string(lc_ptls_kind_name(a->kind)));
    json_object_set_new(ev, "connected", json_boolean(res->connected));
    json_object_set_new(ev, "handshake", json_boolean(res->handshake_ok));
    json_object_set_new(ev, "elapsed_ms", json_integer((json_int_t)(res->elapsed_us / 1000)));
    if (!res->handshake_ok)
        json_object_set_new(ev, "error", json_string(res->error));
    sent = json_array();
    if (sent != NULL && a->sent[0] != '\0') {
        char tmp[sizeof(a->sent)], *save = NULL, *tok;
        snprintf(tmp, sizeof(tmp), "%s", a->sent);
        for (tok = strtok_r(tmp, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
            json_array_append_new(sent, json_string(tok));
    }
    json_object_set_new(ev, "server_sent", sent);
    if (a->saw_server_hello) {
        char v[8];
        snprintf(v, sizeof(v), "0x%04x", a->hello_version);
        json_object_set_new(ev, "server_hello_version", json_string(v));
    }
    if (res->handshake_ok) {
        json_object_set_new(ev, "version", json_string(res->version));
        json_object_set_new(ev, "cipher", json_string(res->cipher));
        leaf =
            res->chain != NULL && sk_X509_num(res->chain) > 0 ? sk_X509_value(res->chain, 0) : NULL;
        if (leaf != NULL)
            json_object_set_new(ev, "certificate", lc_cert_to_json(leaf));
    }
    json_object_set_new(ev, "observation", json_string(a->note));
    lc_fanout_done(&a->slot);
}

static const struct lc_fanout_ops lc_ptls_fanout = {lc_ptls_addr_release, NULL, NULL,
                                                    lc_ptls_evaluate};

static void lc_ptls_start(struct lc_check *check, void *arg)
{
    struct lc_ptls_arg *p = arg;
    const struct lc_dns_name *d;
    const struct lc_run_config *cfg = lc_check_config(check);
    struct lc_tls_opts opts;
    size_t i;

    p->check = check;
    d = lc_dns_dep_addrs(check, 0, p->name);
    if (d == NULL)
        return;
    json_object_set_new(lc_check_evidence(check), "port", json_integer(p->port));
    json_object_set_new(lc_check_evidence(check), "sni", json_string(p->name));
    if (lc_fanout_init_name(&p->fan, check, &lc_ptls_fanout, d, sizeof(struct lc_ptls_addr)) < 0)
        return;
    memset(&opts, 0, sizeof(opts));
    opts.sni = p->name;
    /* A pseudo-TLS ServerHello is TLS 1.0 at most: offer that far down so
     * OpenSSL reads on and tells us more (the context is level 0). */
    opts.min_version = TLS1_VERSION;
    opts.timeout_us = cfg->timeout_us * 4 / 5;
    for (i = 0; i < p->fan.n; i++)
        lc_ptls_addr_of(lc_fanout_at(&p->fan, i))->owner = p;
    for (i = 0; i < p->fan.n; i++) {
        struct lc_ptls_addr *a = lc_ptls_addr_of(lc_fanout_at(&p->fan, i));
        int e;
        /* SSL_new() copies the context's callback argument: each
         * connection reports to its own address. */
        SSL_CTX_set_msg_callback_arg(p->ctx, a);
        errno = 0;
        if (lc_tls_handshake(lc_check_loop(check), p->ctx, a->slot.addr, p->port, &opts,
                             lc_ptls_on_done, a, &a->hs) == 0) {
            json_object_set_new(lc_fanout_ev(&a->slot), "result", json_string("connecting"));
            continue;
        }
        e = errno;
        a->kind = e == ECONNREFUSED ? LC_PTLS_CLOSED : LC_PTLS_ERROR;
        snprintf(a->note, sizeof(a->note), "%s",
                 e == ECONNREFUSED ? "TCP port closed (connection refused)"
                                   : "cannot start a connection");
        json_object_set_new(lc_fanout_ev(&a->slot), "result",
                            json_string(lc_ptls_kind_name(a->kind)));
        json_object_set_new(lc_fanout_ev(&a->slot), "observation", json_string(a->note));
        lc_fanout_done(&a->slot);
    }
    SSL_CTX_set_msg_callback_arg(p->ctx, NULL);
}

/* ======== planning ======== */

static int lc_stun_skip(struct lc_run *run, const char *role, const char *what, unsigned port,
                        const char *ref)
{
    char target[48];
    struct lc_check *c;

    snprintf(target, sizeof(target), "%s:%u", role, port);
    c = lc_run_add(run, "stun", what, target, ref, NULL, NULL, NULL);
    if (c == NULL)
        return -1;
    lc_check_skip(c, "no %s name known: give --%s", role, role);
    return 0;
}

static int lc_plan_turn(struct lc_run *run, const char *role, const char *name, unsigned port,
                        int alternate)
{
    struct lc_check *dns = lc_dns_plan_name(run, name, role, 1), *c;
    struct lc_turn_arg *t = calloc(1, sizeof(*t));
    char target[300];

    snprintf(target, sizeof(target), "%s:%u", name, port);
    if (dns == NULL || t == NULL || (t->name = strdup(name)) == NULL) {
        free(t);
        return -1;
    }
    t->port = port;
    t->check_alternate = alternate;
    c = lc_run_add(run, "stun", "turn", target, REF_TURN, lc_turn_start, t, lc_turn_arg_free);
    if (c == NULL) {
        lc_turn_arg_free(t);
        return -1;
    }
    lc_check_set_cancel(c, lc_turn_cancel);
    return lc_check_add_role(c, role) < 0 ? -1 : lc_check_depend(c, dns);
}

static int lc_plan_ptls(struct lc_run *run, const char *role, const char *name, unsigned port)
{
    struct lc_check *dns = lc_dns_plan_name(run, name, role, 1), *c;
    struct lc_ptls_arg *p = calloc(1, sizeof(*p));
    char target[300], err[256];

    snprintf(target, sizeof(target), "%s:%u", name, port);
    if (dns == NULL || p == NULL || (p->name = strdup(name)) == NULL) {
        free(p);
        return -1;
    }
    p->port = port;
    /* A context of its own: the message callback is set on it. */
    p->ctx = lc_tls_ctx_new(lc_run_get_config(run)->ca_file, err, sizeof(err));
    if (p->ctx == NULL) {
        lc_ptls_arg_free(p);
        return -1;
    }
    SSL_CTX_set_msg_callback(p->ctx, lc_ptls_on_msg);
    /* A pseudo-TLS ServerHello has no renegotiation_info (RFC 5746): let
     * OpenSSL read past it to the missing Certificate, the telling part.
     * Nothing is ever sent over these connections. */
    SSL_CTX_set_options(p->ctx, SSL_OP_LEGACY_SERVER_CONNECT);
    c = lc_run_add(run, "stun", "pseudo-tls", target, REF_PTLS, lc_ptls_start, p, lc_ptls_arg_free);
    if (c == NULL) {
        lc_ptls_arg_free(p);
        return -1;
    }
    lc_check_set_cancel(c, lc_ptls_cancel);
    return lc_check_add_role(c, role) < 0 ? -1 : lc_check_depend(c, dns);
}

static int lc_stun_plan(struct lc_run *run, const struct lc_site *site, const struct lc_opts *opts)
{
    unsigned turn_port = (unsigned)lc_opts_int(opts, "turn-port");
    unsigned tls_port = (unsigned)lc_opts_int(opts, "tls-port");
    const char *role = lc_opts_string(opts, "target");
    const char *name;

    if (role == NULL)
        role = "av-edge";
    name = strcmp(role, "edge-internal") == 0 ? site->edge_internal : site->av_edge;
    if (lc_opts_list_has(opts, "checks", "turn")) {
        if (name == NULL
                ? lc_stun_skip(run, role, "turn", turn_port, REF_TURN)
                : lc_plan_turn(run, role, name, turn_port, lc_opts_bool(opts, "alternate-server")))
            return -1;
    }
    if (lc_opts_list_has(opts, "checks", "pseudo-tls")) {
        if (name == NULL ? lc_stun_skip(run, role, "pseudo-tls", tls_port, REF_PTLS)
                         : lc_plan_ptls(run, role, name, tls_port))
            return -1;
    }
    return 0;
}

const struct lc_probe lc_probe_stun = {
    "stun",
    "A/V edge from outside: MS-TURN Allocate and STUN Binding on UDP 3478 (every address), and "
    "what answers a TLS handshake on TCP 443 (MS-TURN pseudo-TLS)",
    lc_stun_options,
    lc_stun_plan,
};
