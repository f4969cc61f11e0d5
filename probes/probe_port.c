/* SPDX-License-Identifier: MIT */
/* lynccheck - the port probe: the firewall port matrix, TCP.
 *
 * Each port of the matrix on every address of the role's name is classified
 * open (handshake), closed (RST: the firewall let us through, nothing
 * listens) or filtered (no answer after one retry). A service port must be
 * open; for a media range, open and closed both mean "the firewall passes
 * it" and filtered fails. Thousands of non-blocking connects are in flight
 * at once, so a fully filtered 10,000-port range costs about one timeout;
 * a socket whose port answered moves on to the next port of its check
 * (lc_attempt_detach), so a range that answers costs few sockets.
 * The matrix itself is data, in the profiles (the port tables of Microsoft
 * Learn, "Edge Server environmental requirements in Skype for Business
 * Server" and "Ports and protocols for internal servers in Lync Server
 * 2013"; addresses in probes/refs.h). */
#include "probe.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns.h"
#include "loop.h"
#include "net.h"
#include "port_judge.h"
#include "probes.h"
#include "refs.h"
#include "run.h"
#include "site.h"

#define REF_PORTS                                                                                  \
    "Port tables for the Edge external and internal interfaces, the internal servers and the "     \
    "reverse proxy (443 -> 4443, 80 -> 8080). Sources: " LC_DOC_EDGE_ENV                           \
    "; " LC_DOC_INTERNAL_PORTS "; " LC_DOC_RP_CONFIG
#define REF_RANGE                                                                                  \
    "A/V media ports 50000-59999, TCP and UDP, must pass the firewall: a closed port (RST, ICMP "  \
    "port unreachable) passes, a filtered one does not. Source: " LC_DOC_EDGE_ENV

/* Sockets kept back for everything else the run does. */
#define LC_FD_RESERVE 256
/* Ports probed in sample mode: the ends and an even spread between. */
#define LC_SAMPLE 32
/* Connects started per turn of the loop (lc_port_launch). */
#define LC_LAUNCH_TURN 256

/* Sockets in flight across every port check of the run; bounded by the
 * descriptor limit (raised at start-up by lc_port_raise_nofile). */
static size_t lc_port_inflight, lc_port_budget;

static size_t lc_port_budget_get(void)
{
    struct rlimit rl;

    if (lc_port_budget == 0) {
        lc_port_budget = 512;
        /* Under a small limit (a hard limit of 512 or less), half of it:
         * the budget must stay under the limit, or the sockets beyond it
         * fail (lc_port_short). */
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
            lc_port_budget = rl.rlim_cur > LC_FD_RESERVE * 2 ? (size_t)rl.rlim_cur - LC_FD_RESERVE
                                                             : (size_t)rl.rlim_cur / 2;
        if (lc_port_budget > 20000)
            lc_port_budget = 20000;
        if (lc_port_budget == 0)
            lc_port_budget = 1;
    }
    return lc_port_budget;
}

/* socket() failed for want of a descriptor or of memory: the machine's
 * shortage, not the port's state (counting it "unreachable" would fail a
 * range the firewall passes). The budget shrinks to what is in flight, so
 * launches wait for sockets to come back. 1 when err is such a shortage. */
static int lc_port_short(int err)
{
    if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM)
        return 0;
    lc_port_budget = lc_port_inflight > 0 ? lc_port_inflight : 1;
    return 1;
}

struct lc_port_arg;

/* One port on one address while it is probed. A slot, moved from port to
 * port and kept for the next when its port is done: a sweep that answers
 * has a few hundred in flight, not 10,000 (half a megabyte); what each
 * port showed is a byte of owner->state. */
struct lc_attempt {
    struct lc_port_arg *owner;
    struct lc_attempt *prev, *next; /* owner->live, or owner->spare (next only) */
    size_t idx;                     /* which port: lc_at_addr, lc_at_port */
    int fd;
    int tries;
    struct lc_timer *timer;
};

struct lc_port_arg {
    char *role;
    char *host;
    unsigned lo, hi;
    int range;
    int udp; /* a UDP range: empty datagrams, ICMP port unreachable = closed */
    struct lc_check *check;
    char (*addrs)[46];
    size_t n_addrs;
    uint16_t *ports; /* the ports probed on every address */
    size_t n_ports;
    unsigned char *state;     /* enum lc_port_state of each (address, port), n_at of them */
    struct lc_attempt *live;  /* in flight */
    struct lc_attempt *spare; /* slots to reuse */
    size_t n_at, next, inflight, done;
    uint64_t attempt_us;
    size_t turn;             /* attempts started on reused sockets since the last launch */
    struct lc_timer *wait;   /* waiting for socket budget */
    struct lc_timer *cutoff; /* the check's time nearly spent: judge what was seen */
    int launching;           /* inside lc_port_launch */
};

/* Port idx is ports[idx % n_ports] on addrs[idx / n_ports]. */
static const char *lc_at_addr(const struct lc_port_arg *p, size_t idx)
{
    return p->addrs[idx / p->n_ports];
}

static unsigned lc_at_port(const struct lc_port_arg *p, size_t idx)
{
    return p->ports[idx % p->n_ports];
}

/* A slot for the next port, on the live list; NULL when out of memory. */
static struct lc_attempt *lc_slot_take(struct lc_port_arg *p)
{
    struct lc_attempt *a = p->spare;

    if (a != NULL)
        p->spare = a->next;
    else if ((a = malloc(sizeof(*a))) == NULL)
        return NULL;
    memset(a, 0, sizeof(*a));
    a->owner = p;
    a->fd = -1;
    a->next = p->live;
    if (p->live != NULL)
        p->live->prev = a;
    p->live = a;
    return a;
}

/* Off the live list (its socket and timer already gone), for reuse. */
static void lc_slot_put(struct lc_attempt *a)
{
    struct lc_port_arg *p = a->owner;

    if (a->prev != NULL)
        a->prev->next = a->next;
    else
        p->live = a->next;
    if (a->next != NULL)
        a->next->prev = a->prev;
    a->prev = NULL;
    a->next = p->spare;
    p->spare = a;
}

static void lc_attempt_cancel_timer(struct lc_attempt *a)
{
    if (a->timer != NULL) {
        lc_loop_timer_cancel(lc_check_loop(a->owner->check), a->timer);
        a->timer = NULL;
    }
}

/* connected: the TCP connection was established (an open port). */
static void lc_attempt_close(struct lc_attempt *a, int connected)
{
    struct linger lg = {1, 0};

    lc_attempt_cancel_timer(a);
    if (a->fd >= 0) {
        /* RST on close: no TIME_WAIT flood after thousands of open ports.
         * Only an established connection needs it: a refused one (RST) or
         * one still in SYN-SENT ends with no TIME_WAIT (RFC 9293 3.3.2),
         * and a sweep of closed ports is 10,000 system calls fewer. */
        if (connected)
            (void)setsockopt(a->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        lc_loop_io_close(lc_check_loop(a->owner->check), a->fd);
        a->fd = -1;
        a->owner->inflight--;
        lc_port_inflight--;
    }
}

/* The attempt's TCP socket, dissolved (lc_tcp_disconnect) for the next
 * port: still watched, still counted in flight. An established connection
 * (an open port) is reset by the kernel, as SO_LINGER 0 would: no
 * TIME_WAIT. -1 (and the socket closed) when it cannot be reused. */
static int lc_attempt_detach(struct lc_attempt *a)
{
    int fd = a->fd;

    lc_attempt_cancel_timer(a);
    if (fd < 0)
        return -1;
    if (lc_tcp_disconnect(fd) == 0) {
        a->fd = -1;
        return fd;
    }
    lc_attempt_close(a, 1);
    return -1;
}

/* One address family for both ports (a socket connects within its own). */
static int lc_port_same_family(const struct lc_port_arg *p, size_t i, size_t j)
{
    return (strchr(lc_at_addr(p, i), ':') != NULL) == (strchr(lc_at_addr(p, j), ':') != NULL);
}

static void lc_port_cancel(struct lc_check *check, void *arg)
{
    struct lc_port_arg *p = arg;

    (void)check;
    if (p->check == NULL)
        return;
    while (p->live != NULL) {
        lc_attempt_close(p->live, 0);
        lc_slot_put(p->live);
    }
    if (p->wait != NULL) {
        lc_loop_timer_cancel(lc_check_loop(p->check), p->wait);
        p->wait = NULL;
    }
    if (p->cutoff != NULL) {
        lc_loop_timer_cancel(lc_check_loop(p->check), p->cutoff);
        p->cutoff = NULL;
    }
}

static void lc_port_arg_free(void *arg)
{
    struct lc_port_arg *p = arg;

    lc_port_cancel(NULL, p);
    while (p->spare != NULL) {
        struct lc_attempt *a = p->spare;
        p->spare = a->next;
        free(a);
    }
    free(p->ports);
    free(p->state);
    free(p->addrs);
    free(p->role);
    free(p->host);
    free(p);
}

static void lc_port_launch(struct lc_port_arg *p);
static void lc_attempt_start(struct lc_attempt *a, int fd);

/* Count what the probes saw into the evidence and the tally; the verdict
 * is src/port_judge.c's lc_port_judge (pure, table-tested). */
static void lc_port_evaluate(struct lc_port_arg *p)
{
    struct lc_check *check = p->check;
    json_t *ev = lc_check_evidence(check), *per = json_object(), *odd = json_array();
    struct lc_port_tally t;
    char msg[1024];
    enum lc_status st;
    size_t i;

    if (p->cutoff != NULL) {
        lc_loop_timer_cancel(lc_check_loop(check), p->cutoff);
        p->cutoff = NULL;
    }
    lc_port_tally_init(&t, p->range, p->udp);
    for (i = 0; i < p->n_at; i++) {
        const char *addr = lc_at_addr(p, i);
        enum lc_port_state ps = (enum lc_port_state)p->state[i];
        json_t *o;

        /* Cut off before its verdict (lc_port_on_cutoff): counted, not judged. */
        if (lc_port_tally_add(&t, addr, lc_at_port(p, i), ps) && t.bad <= LC_PORT_NAMED)
            json_array_append_new(odd, json_pack("{s:s, s:i, s:s}", "address", addr, "port",
                                                 (int)lc_at_port(p, i), "state",
                                                 lc_port_state_name(ps)));
        if (ps == LC_PS_PENDING)
            continue;
        o = json_object_get(per, addr);
        if (o == NULL) {
            o = json_pack("{s:i, s:i, s:i, s:i}", "open", 0, "closed", 0, "filtered", 0,
                          "unreachable", 0);
            json_object_set_new(per, addr, o);
        }
        json_object_set_new(
            o, lc_port_state_name(ps),
            json_integer(json_integer_value(json_object_get(o, lc_port_state_name(ps))) + 1));
    }
    json_object_set_new(ev, "addresses", per);
    json_object_set_new(ev, "offending", odd);
    json_object_set_new(ev, "probes", json_integer((json_int_t)p->n_at));
    if (t.counts[LC_PS_PENDING] > 0)
        json_object_set_new(ev, "unfinished", json_integer((json_int_t)t.counts[LC_PS_PENDING]));
    st = lc_port_judge(&t, p->host, p->lo, p->hi, p->n_addrs, msg, sizeof(msg));
    lc_check_finish(check, st, "%s", msg);
}

/* A TCP attempt's slot and socket go on to the next port of the check when
 * there is one (lc_attempt_detach): a sweep of answering ports runs on the
 * sockets of its first turn, a system call or two per port fewer. */
static void lc_attempt_done(struct lc_attempt *a, enum lc_port_state st)
{
    struct lc_port_arg *p = a->owner;
    int fd = -1;

    if (!p->udp && a->fd >= 0 && p->next < p->n_at && lc_port_same_family(p, a->idx, p->next))
        fd = lc_attempt_detach(a);
    else
        lc_attempt_close(a, st == LC_PS_OPEN && !p->udp);
    p->state[a->idx] = (unsigned char)st;
    p->done++;
    if (fd < 0) {
        lc_slot_put(a);
    } else {
        p->turn++;
        a->idx = p->next++;
        a->tries = 0;
        lc_attempt_start(a, fd);
        /* It may have ended at once, and with it the check. */
        if (lc_check_is_done(p->check))
            return;
    }
    if (p->done == p->n_at)
        lc_port_evaluate(p);
    else if (p->wait == NULL && !p->launching) /* else a launch is due or going on */
        lc_port_launch(p);
}

/* A connected UDP socket that has sent one empty datagram. */
static int lc_udp_probe_start(const char *addr, unsigned port)
{
    int fd = lc_udp_connect(addr, port), e;

    if (fd >= 0 && send(fd, "", 0, MSG_DONTWAIT) < 0) {
        e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static void lc_attempt_on_timeout(struct lc_loop *loop, void *arg)
{
    struct lc_attempt *a = arg;

    (void)loop;
    a->timer = NULL;
    if (lc_check_is_done(a->owner->check))
        return;
    if (a->tries < 2) {
        /* One retry: a lost SYN is not a firewall. */
        int fd = -1;

        if (a->owner->udp)
            lc_attempt_close(a, 0);
        else
            fd = lc_attempt_detach(a);
        lc_attempt_start(a, fd);
        return;
    }
    lc_attempt_done(a, LC_PS_FILTERED);
}

static enum lc_port_state lc_port_classify(int err)
{
    switch (err) {
    case 0:
        return LC_PS_OPEN;
    case ECONNREFUSED:
        return LC_PS_CLOSED;
    case ETIMEDOUT:
        return LC_PS_FILTERED;
    default:
        /* EHOSTUNREACH, ENETUNREACH, EACCES/EPERM (ICMP administratively
         * prohibited, a local REJECT): the port cannot be reached. */
        return LC_PS_UNREACH;
    }
}

static void lc_attempt_on_io(struct lc_loop *loop, int fd, unsigned events, void *arg)
{
    struct lc_attempt *a = arg;
    int err = 0;
    socklen_t len = sizeof(err);

    (void)loop;
    (void)events;
    if (lc_check_is_done(a->owner->check))
        return;
    if (a->owner->udp) {
        char byte;
        /* A connected UDP socket reports the ICMP port unreachable its
         * datagram drew as ECONNREFUSED on the next receive. */
        if (recv(fd, &byte, sizeof(byte), MSG_DONTWAIT) >= 0) {
            lc_attempt_done(a, LC_PS_OPEN);
            return;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        lc_attempt_done(a, lc_port_classify(errno));
        return;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
    if (err == EINPROGRESS || err == EALREADY)
        return;
    /* SO_ERROR is 0 for a connect still in progress too: open only when the
     * connection is there (readiness can be spurious, loop.h). One more
     * system call, for open ports only. */
    if (err == 0) {
        struct sockaddr_storage peer;
        socklen_t plen = sizeof(peer);

        if (getpeername(fd, (struct sockaddr *)&peer, &plen) < 0 && errno == ENOTCONN)
            return;
    }
    lc_attempt_done(a, lc_port_classify(err));
}

/* Start attempt a on a new socket, or on fd: a TCP socket of this check's
 * that lc_attempt_detach freed, still watched and counted in flight. */
static void lc_attempt_start(struct lc_attempt *a, int fd)
{
    struct lc_port_arg *p = a->owner;
    struct lc_loop *loop = lc_check_loop(p->check);
    int rc;

    a->tries++;
    if (fd >= 0) {
        a->fd = fd;
        if (lc_tcp_connect_again(fd, lc_at_addr(p, a->idx), lc_at_port(p, a->idx)) < 0) {
            /* What connect said of this port, as for a new socket below;
             * the socket goes (EINVAL: not a numeric address, never here). */
            int e = errno;

            lc_attempt_close(a, 0);
            lc_attempt_done(a, e == ECONNREFUSED ? LC_PS_CLOSED : lc_port_classify(e));
            return;
        }
    } else {
        const char *addr = lc_at_addr(p, a->idx);
        unsigned port = lc_at_port(p, a->idx);

        a->fd = p->udp ? lc_udp_probe_start(addr, port) : lc_tcp_connect_start(addr, port);
        if (a->fd < 0 && lc_port_short(errno)) {
            /* Try this port again shortly, as the same try; the check's
             * cutoff or timeout ends the wait (an unfinished port is never
             * a pass). */
            a->tries--;
            a->timer = lc_loop_timer_add(loop, 10000, lc_attempt_on_timeout, a);
            if (a->timer == NULL)
                lc_attempt_done(a, LC_PS_UNREACH);
            return;
        }
        if (a->fd < 0) {
            lc_attempt_done(a, errno == ECONNREFUSED ? LC_PS_CLOSED : lc_port_classify(errno));
            return;
        }
        p->inflight++;
        lc_port_inflight++;
    }
    a->timer = lc_loop_timer_add(loop, p->attempt_us, lc_attempt_on_timeout, a);
    rc = fd >= 0
             ? lc_loop_io_rearm(loop, fd, lc_attempt_on_io, a)
             : lc_loop_io_set(loop, a->fd, p->udp ? LC_IO_READ : LC_IO_WRITE, lc_attempt_on_io, a);
    if (a->timer == NULL || rc < 0)
        lc_attempt_done(a, LC_PS_UNREACH);
}

static void lc_port_on_wait(struct lc_loop *loop, void *arg)
{
    struct lc_port_arg *p = arg;

    (void)loop;
    p->wait = NULL;
    if (!lc_check_is_done(p->check))
        lc_port_launch(p);
}

/* The check's time is nearly spent (launching thousands of sockets on a
 * loaded machine can eat into it, and a loop held up that long fires the
 * retries late): rather than let the run's timeout end the check as an
 * ERROR with no verdict, judge what was seen. A probe whose first try
 * already went unanswered for a whole attempt and whose retry is still out
 * counts as filtered (TCP) or silent (UDP, which only ever warns), as it
 * would a moment later; one with less evidence stays unfinished and is
 * reported as such, never as a pass. */
static void lc_port_on_cutoff(struct lc_loop *loop, void *arg)
{
    struct lc_port_arg *p = arg;

    (void)loop;
    p->cutoff = NULL;
    if (lc_check_is_done(p->check))
        return;
    p->next = p->n_at; /* launch nothing more */
    while (p->live != NULL) {
        struct lc_attempt *a = p->live;

        lc_attempt_close(a, 0);
        if (a->tries >= 2)
            p->state[a->idx] = LC_PS_FILTERED;
        lc_slot_put(a);
    }
    lc_port_evaluate(p);
}

/* Start as many attempts as the socket budget allows, LC_LAUNCH_TURN per
 * turn of the loop: 10,000 connects at once held the loop for a tenth of a
 * second, and every other check's answers waited behind them. */
static void lc_port_launch(struct lc_port_arg *p)
{
    /* Attempts started on reused sockets count against the turn: a sweep
     * of answering ports opens few sockets, a silent one as many as it
     * needs to have every port in flight at once. */
    size_t turn = p->turn;
    struct lc_attempt *a;

    /* An attempt that fails at once (an unreachable network) ends inside
     * lc_attempt_start: its lc_attempt_done must not launch again from
     * here, or 10,000 such ports nest 10,000 calls deep. This loop goes on. */
    p->launching = 1;
    while (p->next < p->n_at && !lc_check_is_done(p->check)) {
        if (lc_port_inflight >= lc_port_budget_get()) { /* it may shrink (lc_port_short) */
            /* Another check holds the sockets: look again shortly. */
            if (p->inflight == 0 && p->wait == NULL)
                p->wait = lc_loop_timer_add(lc_check_loop(p->check), 10000, lc_port_on_wait, p);
            break;
        }
        if (turn++ >= LC_LAUNCH_TURN) {
            if (p->wait == NULL)
                p->wait = lc_loop_timer_add(lc_check_loop(p->check), 0, lc_port_on_wait, p);
            break;
        }
        a = lc_slot_take(p);
        if (a == NULL) {
            lc_check_finish(p->check, LC_ERROR, "out of memory");
            break;
        }
        a->idx = p->next++;
        lc_attempt_start(a, -1);
    }
    p->turn = 0;
    p->launching = 0;
}

static size_t lc_port_list(const struct lc_port_arg *p, enum lc_ranges mode, uint16_t *out,
                           size_t cap)
{
    size_t n = 0, i, span = (size_t)(p->hi - p->lo) + 1;

    /* UDP ranges are always sampled: closed ports answer with ICMP, which
     * hosts rate-limit, so probing thousands would only add silence. */
    if (!p->range || (mode == LC_RANGES_FULL && !p->udp) || span <= LC_SAMPLE) {
        for (i = 0; i < span && n < cap; i++)
            out[n++] = (uint16_t)(p->lo + i);
        return n;
    }
    /* Sample: both ends and an even spread between. */
    for (i = 0; i < LC_SAMPLE && n < cap; i++)
        out[n++] = (uint16_t)(p->lo + (span - 1) * i / (LC_SAMPLE - 1));
    return n;
}

static void lc_port_start(struct lc_check *check, void *arg)
{
    struct lc_port_arg *p = arg;
    const struct lc_dns_name *d;
    const struct lc_run_config *cfg = lc_check_config(check);
    size_t i, cap = (size_t)(p->hi - p->lo) + 1;

    p->check = check;
    d = lc_dns_dep_addrs(check, 0, p->host);
    if (d == NULL)
        return;
    p->ports = calloc(cap, sizeof(*p->ports));
    p->addrs = calloc(d->n_addrs, sizeof(*p->addrs));
    if (p->ports == NULL || p->addrs == NULL)
        goto oom;
    p->n_ports = lc_port_list(p, cfg->port_ranges, p->ports, cap);
    p->n_addrs = d->n_addrs;
    for (i = 0; i < d->n_addrs; i++)
        snprintf(p->addrs[i], sizeof(p->addrs[i]), "%s", d->addrs[i].text);
    p->n_at = p->n_ports * p->n_addrs;
    /* Every port pending (LC_PS_PENDING is 0) until its verdict. */
    p->state = calloc(p->n_at > 0 ? p->n_at : 1, 1);
    if (p->state == NULL)
        goto oom;
    /* Two tries must fit in the check's time with room to report. */
    p->attempt_us = cfg->timeout_us * 2 / 5;
    json_object_set_new(lc_check_evidence(check), "mode",
                        json_string(!p->range                            ? "port"
                                    : p->udp                             ? "sample"
                                    : cfg->port_ranges == LC_RANGES_FULL ? "full"
                                                                         : "sample"));
    json_object_set_new(lc_check_evidence(check), "attempt_timeout_ms",
                        json_integer((json_int_t)(p->attempt_us / 1000)));
    if (p->range)
        p->cutoff =
            lc_loop_timer_add(lc_check_loop(check), cfg->timeout_us * 9 / 10, lc_port_on_cutoff, p);
    lc_port_launch(p);
    return;
oom:
    lc_check_finish(check, LC_ERROR, "out of memory");
}

/* ---- the matrix: "role:port", "role:lo-hi", with "@xmpp" for ports only
 * XMPP federation needs ---- */

static const char *const lc_port_roles[] = {"access-edge",   "webconf-edge",  "av-edge",
                                            "reverse-proxy", "edge-internal", "front-end",
                                            "director",      "mediation",     NULL};

struct lc_port_spec {
    char role[32];
    unsigned lo, hi;
    int xmpp_only;
};

static int lc_port_spec_parse(const char *item, struct lc_port_spec *spec, char *why, size_t len)
{
    const char *colon = strchr(item, ':');
    char num[32], *dash, *at;
    long lo, hi;
    size_t rlen, i;
    int known = 0;

    memset(spec, 0, sizeof(*spec));
    if (colon == NULL || (rlen = (size_t)(colon - item)) == 0 || rlen >= sizeof(spec->role)) {
        snprintf(why, len, "expected role:port or role:first-last");
        return -1;
    }
    memcpy(spec->role, item, rlen);
    for (i = 0; lc_port_roles[i] != NULL; i++)
        known |= strcmp(lc_port_roles[i], spec->role) == 0;
    if (!known) {
        snprintf(why, len, "unknown role '%s'", spec->role);
        return -1;
    }
    if (snprintf(num, sizeof(num), "%s", colon + 1) >= (int)sizeof(num)) {
        snprintf(why, len, "port too long");
        return -1;
    }
    at = strchr(num, '@');
    if (at != NULL) {
        if (strcmp(at, "@xmpp") != 0) {
            snprintf(why, len, "unknown condition '%s' (only @xmpp)", at);
            return -1;
        }
        spec->xmpp_only = 1;
        *at = '\0';
    }
    dash = strchr(num, '-');
    if (dash != NULL)
        *dash = '\0';
    if (lc_parse_long(num, 1, 65535, &lo) < 0 ||
        (dash != NULL ? lc_parse_long(dash + 1, lo, 65535, &hi) : (hi = lo, 0)) < 0) {
        snprintf(why, len, "ports are numbers from 1 to 65535, first <= last");
        return -1;
    }
    spec->lo = (unsigned)lo;
    spec->hi = (unsigned)hi;
    return 0;
}

static int lc_port_validate(const char *item, char *why, size_t len)
{
    struct lc_port_spec spec;
    return lc_port_spec_parse(item, &spec, why, len);
}

static const struct lc_option_decl lc_port_options[] = {
    {"tcp", LC_OPT_LIST, "", "TCP service ports that must be open, as role:port[@xmpp]", NULL, 0, 0,
     lc_port_validate},
    {"udp-range", LC_OPT_LIST, "",
     "UDP port ranges the firewall must pass, as role:first-last; sampled (32 ports), and a "
     "silent port only warns (filtered and open look alike over UDP)",
     NULL, 0, 0, lc_port_validate},
    {"tcp-range", LC_OPT_LIST, "",
     "TCP port ranges the firewall must pass (open or closed), as role:first-last", NULL, 0, 0,
     lc_port_validate},
    {NULL, LC_OPT_BOOL, NULL, NULL, NULL, 0, 0, NULL},
};

/* The name a role is reached by, or NULL when the site has none. */
static const char *lc_port_role_host(const struct lc_site *s, const char *role)
{
    if (strcmp(role, "access-edge") == 0)
        return s->access_edge;
    if (strcmp(role, "webconf-edge") == 0)
        return s->webconf_edge;
    if (strcmp(role, "av-edge") == 0)
        return s->av_edge;
    if (strcmp(role, "edge-internal") == 0)
        return s->edge_internal;
    if (strcmp(role, "front-end") == 0)
        return s->front_end;
    if (strcmp(role, "director") == 0)
        return s->director;
    if (strcmp(role, "mediation") == 0)
        return s->mediation;
    if (strcmp(role, "reverse-proxy") == 0) {
        /* The proxy answers for the external web names: the first one. */
        if (s->web_external.n > 0)
            return s->web_external.v[0];
        if (s->director_web_external.n > 0)
            return s->director_web_external.v[0];
        return NULL;
    }
    return NULL;
}

static int lc_port_plan_one(struct lc_run *run, const struct lc_site *site, const char *item,
                            int kind)
{
    static const char *const whats[] = {"tcp", "tcp-range", "udp-range"};
    int range = kind > 0;
    struct lc_port_spec spec;
    struct lc_port_arg *p = NULL;
    struct lc_check *c, *dns;
    const char *host;
    char target[300], why[128];

    if (lc_port_spec_parse(item, &spec, why, sizeof(why)) < 0)
        return -1; /* validated when the profile was read */
    host = lc_port_role_host(site, spec.role);
    if (spec.lo == spec.hi)
        snprintf(target, sizeof(target), "%s:%u", host ? host : spec.role, spec.lo);
    else
        snprintf(target, sizeof(target), "%s:%u-%u", host ? host : spec.role, spec.lo, spec.hi);
    if (host == NULL || (spec.xmpp_only && !site->xmpp) ||
        (range && lc_run_get_config(run)->port_ranges == LC_RANGES_NONE)) {
        c = lc_run_add(run, "port", whats[kind], target, range ? REF_RANGE : REF_PORTS, NULL, NULL,
                       NULL);
        if (c == NULL)
            return -1;
        if (host == NULL)
            lc_check_skip(c, "no %s name known: give --%s", spec.role,
                          strcmp(spec.role, "reverse-proxy") == 0 ? "web-external" : spec.role);
        else if (spec.xmpp_only && !site->xmpp)
            lc_check_skip(c, "XMPP federation not in use (--xmpp no)");
        else
            lc_check_skip(c, "port ranges not probed (--port-ranges none)");
        return 0;
    }
    dns = lc_dns_plan_name(run, host, spec.role, strstr(spec.role, "edge") != NULL);
    p = calloc(1, sizeof(*p));
    if (dns == NULL || p == NULL || (p->host = strdup(host)) == NULL ||
        (p->role = strdup(spec.role)) == NULL)
        goto fail;
    p->lo = spec.lo;
    p->hi = spec.hi;
    p->range = range;
    p->udp = kind == 2;
    c = lc_run_add(run, "port", whats[kind], target, range ? REF_RANGE : REF_PORTS, lc_port_start,
                   p, lc_port_arg_free);
    if (c == NULL)
        goto fail;
    lc_check_set_cancel(c, lc_port_cancel);
    if (lc_check_add_role(c, spec.role) < 0)
        return -1;
    return lc_check_depend(c, dns);
fail:
    if (p != NULL)
        lc_port_arg_free(p);
    return -1;
}

static int lc_port_plan(struct lc_run *run, const struct lc_site *site, const struct lc_opts *opts)
{
    size_t i;

    for (i = 0; i < lc_opts_list_count(opts, "tcp"); i++)
        if (lc_port_plan_one(run, site, lc_opts_list_item(opts, "tcp", i), 0) < 0)
            return -1;
    for (i = 0; i < lc_opts_list_count(opts, "tcp-range"); i++)
        if (lc_port_plan_one(run, site, lc_opts_list_item(opts, "tcp-range", i), 1) < 0)
            return -1;
    for (i = 0; i < lc_opts_list_count(opts, "udp-range"); i++)
        if (lc_port_plan_one(run, site, lc_opts_list_item(opts, "udp-range", i), 2) < 0)
            return -1;
    return 0;
}

void lc_port_raise_nofile(void)
{
    struct rlimit rl;

    /* Many connects in flight need many descriptors: take what the hard
     * limit allows (up to 65536), never more. */
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536)
        rl.rlim_cur = rl.rlim_cur < 65536 ? 65536 : rl.rlim_cur;
    else
        rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
}

const struct lc_probe lc_probe_port = {
    "port",
    "firewall port matrix: TCP service ports open, media ranges passed (open/closed, not "
    "filtered)",
    lc_port_options,
    lc_port_plan,
};
