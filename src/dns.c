/* SPDX-License-Identifier: MIT */
/* lynccheck - c-ares 1.18 on the one event loop.
 *
 * c-ares tells us which sockets it wants watched (ARES_OPT_SOCK_STATE_CB);
 * we call ares_process_fd() when one is ready and when ares_timeout() says
 * a retry or a timeout is due. Answers are parsed by c-ares' own parsers
 * (ares_parse_a_reply & co.), never by hand. */
#include "dns.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "loop.h"

/* A --resolve pin, and a query it answers (pending until the loop runs it). */
struct lc_dns_pin {
    char *name; /* lower case, no trailing dot */
    struct lc_dns_name addrs;
};

struct lc_dns_pinned_query {
    struct lc_dns_pinned_query *prev, *next;
    struct lc_dns *dns;
    struct lc_timer *timer;
    struct lc_dns_query *q;
};

struct lc_dns {
    struct lc_loop *loop;
    ares_channel channel;
    struct lc_timer *timer;
    int initialized;
    int submitting; /* inside ares_query(): callbacks must be deferred */
    int in_process; /* inside ares_process_fd(): re-arming waits until after */
    struct lc_dns_pin *pins;
    size_t n_pins;
    struct lc_dns_pinned_query *pending_pins; /* answered on the loop's next turn */
};

struct lc_dns_query {
    struct lc_dns *dns;
    lc_dns_cb cb;
    void *arg;
    struct lc_dns_answer answer;
};

static void lc_dns_rearm(struct lc_dns *dns);

static char *lc_dns_lower_dup(const char *name)
{
    size_t len = strlen(name), i;
    char *s;

    if (len > 0 && name[len - 1] == '.')
        len--;
    s = malloc(len + 1);
    if (s == NULL)
        return NULL;
    for (i = 0; i < len; i++)
        s[i] = (char)tolower((unsigned char)name[i]);
    s[len] = '\0';
    return s;
}

static void lc_dns_answer_clear(struct lc_dns_answer *a)
{
    size_t i;

    free(a->qname);
    free(a->canonical);
    for (i = 0; i < a->n_cnames; i++)
        free(a->cnames[i]);
    free(a->cnames);
    free(a->addrs);
    for (i = 0; i < a->n_srvs; i++)
        free(a->srvs[i].target);
    free(a->srvs);
    memset(a, 0, sizeof(*a));
}

void lc_dns_name_free(void *p)
{
    struct lc_dns_name *d = p;

    if (d == NULL)
        return;
    free(d->addrs);
    free(d->canonical);
    free(d);
}

const char *lc_dns_status_name(int status)
{
    switch (status) {
    case ARES_SUCCESS:
        return "NOERROR";
    case ARES_ENODATA:
        return "NODATA";
    case ARES_ENOTFOUND:
        return "NXDOMAIN";
    case ARES_ESERVFAIL:
        return "SERVFAIL";
    case ARES_EREFUSED:
        return "REFUSED";
    case ARES_EFORMERR:
        return "FORMERR";
    case ARES_ENOTIMP:
        return "NOTIMP";
    case ARES_ETIMEOUT:
        return "timeout (no answer from the DNS server)";
    case ARES_ECONNREFUSED:
        return "connection refused by the DNS server";
    case ARES_EBADRESP:
        return "malformed response";
    case ARES_EBADNAME:
        return "invalid name";
    case ARES_ENOMEM:
        return "out of memory";
    case ARES_EDESTRUCTION:
    case ARES_ECANCELLED:
        return "cancelled";
    default:
        return ares_strerror(status);
    }
}

/* Keep the aliases c-ares reports (the owners of each CNAME in the chain)
 * and the canonical name, when the chain is not empty. */
static int lc_dns_take_host(struct lc_dns_answer *a, const struct hostent *host)
{
    size_t n = 0, i;

    if (host == NULL)
        return 0;
    while (host->h_aliases != NULL && host->h_aliases[n] != NULL)
        n++;
    if (host->h_name != NULL && a->qname != NULL && strcasecmp(host->h_name, a->qname) != 0) {
        a->canonical = lc_dns_lower_dup(host->h_name);
        if (a->canonical == NULL)
            return -1;
    }
    if (n == 0)
        return 0;
    a->cnames = calloc(n, sizeof(*a->cnames));
    if (a->cnames == NULL)
        return -1;
    for (i = 0; i < n; i++) {
        a->cnames[i] = lc_dns_lower_dup(host->h_aliases[i]);
        if (a->cnames[i] == NULL)
            return -1;
        a->n_cnames++;
    }
    return 0;
}

/* A or AAAA (family AF_INET / AF_INET6): c-ares parses, we keep the text
 * form and the TTL of each address. */
static int lc_dns_parse_addrs(struct lc_dns_answer *a, const unsigned char *abuf, int alen,
                              int family)
{
    union {
        struct ares_addrttl v4[64];
        struct ares_addr6ttl v6[64];
    } ttls;
    int n = 64, i, rc;
    struct hostent *host = NULL;

    rc = family == AF_INET ? ares_parse_a_reply(abuf, alen, &host, ttls.v4, &n)
                           : ares_parse_aaaa_reply(abuf, alen, &host, ttls.v6, &n);
    if (rc != ARES_SUCCESS)
        return rc;
    if (lc_dns_take_host(a, host) < 0 ||
        (n > 0 && (a->addrs = calloc((size_t)n, sizeof(*a->addrs))) == NULL)) {
        rc = ARES_ENOMEM;
        goto done;
    }
    for (i = 0; i < n; i++) {
        struct lc_dns_addr *d = &a->addrs[a->n_addrs++];
        const void *ip = family == AF_INET ? (const void *)&ttls.v4[i].ipaddr
                                           : (const void *)&ttls.v6[i].ip6addr;
        d->family = family;
        d->ttl = family == AF_INET ? ttls.v4[i].ttl : ttls.v6[i].ttl;
        if (inet_ntop(family, ip, d->text, sizeof(d->text)) == NULL)
            a->n_addrs--;
    }
    rc = a->n_addrs > 0 ? ARES_SUCCESS : ARES_ENODATA;
done:
    if (host != NULL)
        ares_free_hostent(host);
    return rc;
}

static int lc_dns_parse_srv(struct lc_dns_answer *a, const unsigned char *abuf, int alen)
{
    struct ares_srv_reply *head = NULL, *r;
    size_t n = 0;
    int rc;

    rc = ares_parse_srv_reply(abuf, alen, &head);
    if (rc != ARES_SUCCESS)
        return rc;
    for (r = head; r != NULL; r = r->next)
        n++;
    if (n == 0) {
        rc = ARES_ENODATA;
        goto done;
    }
    a->srvs = calloc(n, sizeof(*a->srvs));
    if (a->srvs == NULL) {
        rc = ARES_ENOMEM;
        goto done;
    }
    for (r = head; r != NULL; r = r->next) {
        struct lc_dns_srv *s = &a->srvs[a->n_srvs];
        s->target = lc_dns_lower_dup(r->host != NULL ? r->host : "");
        if (s->target == NULL) {
            rc = ARES_ENOMEM;
            goto done;
        }
        s->priority = r->priority;
        s->weight = r->weight;
        s->port = r->port;
        a->n_srvs++;
    }
done:
    ares_free_data(head);
    return rc;
}

static void lc_dns_deliver(struct lc_dns_query *q)
{
    q->cb(&q->answer, q->arg);
    lc_dns_answer_clear(&q->answer);
    free(q);
}

static void lc_dns_on_deferred(struct lc_loop *loop, void *arg)
{
    (void)loop;
    lc_dns_deliver(arg);
}

static void lc_dns_on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    struct lc_dns_query *q = arg;

    (void)timeouts;
    if (status == ARES_SUCCESS) {
        switch (q->answer.type) {
        case ns_t_a:
            status = lc_dns_parse_addrs(&q->answer, abuf, alen, AF_INET);
            break;
        case ns_t_aaaa:
            status = lc_dns_parse_addrs(&q->answer, abuf, alen, AF_INET6);
            break;
        case ns_t_srv:
            status = lc_dns_parse_srv(&q->answer, abuf, alen);
            break;
        default:
            break;
        }
    }
    q->answer.status = status;
    /* c-ares may answer from inside ares_query() (a bad name, no server):
     * the contract is "always from the loop", so defer that case. */
    if (q->dns->submitting && status != ARES_EDESTRUCTION) {
        if (lc_loop_timer_add(q->dns->loop, 0, lc_dns_on_deferred, q) != NULL)
            return;
    }
    lc_dns_deliver(q);
}

static void lc_dns_on_timer(struct lc_loop *loop, void *arg)
{
    struct lc_dns *dns = arg;

    (void)loop;
    dns->timer = NULL;
    /* Processing with no descriptor is how c-ares 1.18 handles timeouts and
     * retries; without it, a server that never answers hangs the query. */
    dns->in_process = 1;
    ares_process_fd(dns->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    dns->in_process = 0;
    lc_dns_rearm(dns);
}

static void lc_dns_rearm(struct lc_dns *dns)
{
    struct timeval tv, *tvp;
    uint64_t us;

    if (dns->timer != NULL) {
        lc_loop_timer_cancel(dns->loop, dns->timer);
        dns->timer = NULL;
    }
    tvp = ares_timeout(dns->channel, NULL, &tv);
    if (tvp == NULL)
        return; /* nothing pending */
    us = (uint64_t)tvp->tv_sec * 1000000u + (uint64_t)tvp->tv_usec;
    dns->timer = lc_loop_timer_add(dns->loop, us, lc_dns_on_timer, dns);
}

static void lc_dns_on_io(struct lc_loop *loop, int fd, unsigned events, void *arg)
{
    struct lc_dns *dns = arg;

    (void)loop;
    dns->in_process = 1;
    ares_process_fd(dns->channel, (events & LC_IO_READ) ? fd : ARES_SOCKET_BAD,
                    (events & LC_IO_WRITE) ? fd : ARES_SOCKET_BAD);
    dns->in_process = 0;
    lc_dns_rearm(dns);
}

static void lc_dns_on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
    struct lc_dns *dns = data;
    unsigned events = (readable ? LC_IO_READ : 0u) | (writable ? LC_IO_WRITE : 0u);

    /* A failure to watch leaves the query to its timeout, which still ends it. */
    (void)lc_loop_io_set(dns->loop, fd, events, lc_dns_on_io, dns);
}

int lc_dns_new(struct lc_dns **out, struct lc_loop *loop, const char *servers, uint64_t timeout_us,
               char *err, size_t errlen)
{
    struct ares_options opts;
    struct lc_dns *dns = NULL;
    int rc, ret = -1;
    uint64_t per_try_ms;

    *out = NULL;
    dns = calloc(1, sizeof(*dns));
    if (dns == NULL) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    dns->loop = loop;
    rc = ares_library_init(ARES_LIB_INIT_ALL);
    if (rc != ARES_SUCCESS) {
        snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
        goto done;
    }
    dns->initialized = 1;
    /* Two tries; c-ares 1.18 doubles the timeout on the second round, so
     * t + 2t = 3t must fit the check's own timeout. */
    per_try_ms = timeout_us / 3000u;
    if (per_try_ms < 100)
        per_try_ms = 100;
    memset(&opts, 0, sizeof(opts));
    opts.sock_state_cb = lc_dns_on_sock_state;
    opts.sock_state_cb_data = dns;
    opts.timeout = (int)(per_try_ms > 60000 ? 60000 : per_try_ms);
    opts.tries = 2;
    /* NOCHECKRESP: report SERVFAIL and REFUSED as they are instead of
     * quietly trying the next server; that is evidence we want.
     * NOSEARCH/NOALIASES: look up exactly the names we are asked. */
    opts.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
    rc = ares_init_options(&dns->channel, &opts,
                           ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
                               ARES_OPT_FLAGS);
    if (rc != ARES_SUCCESS) {
        dns->channel = NULL;
        snprintf(err, errlen, "c-ares: cannot initialise the resolver: %s", ares_strerror(rc));
        goto done;
    }
    if (servers != NULL && servers[0] != '\0') {
        rc = ares_set_servers_ports_csv(dns->channel, servers);
        if (rc != ARES_SUCCESS) {
            snprintf(err, errlen, "invalid --dns-server list '%s': %s", servers, ares_strerror(rc));
            goto done;
        }
    }
    *out = dns;
    dns = NULL;
    ret = 0;
done:
    lc_dns_free(dns);
    return ret;
}

void lc_dns_free(struct lc_dns *dns)
{
    size_t i;

    if (dns == NULL)
        return;
    /* Pinned answers not delivered yet end like c-ares' pending queries:
     * their callbacks run now with ARES_EDESTRUCTION. */
    while (dns->pending_pins != NULL) {
        struct lc_dns_pinned_query *pq = dns->pending_pins;
        dns->pending_pins = pq->next;
        if (pq->timer != NULL)
            lc_loop_timer_cancel(dns->loop, pq->timer);
        pq->q->answer.status = ARES_EDESTRUCTION;
        pq->q->answer.n_addrs = 0;
        lc_dns_deliver(pq->q);
        free(pq);
    }
    for (i = 0; i < dns->n_pins; i++) {
        free(dns->pins[i].name);
        free(dns->pins[i].addrs.addrs);
    }
    free(dns->pins);
    if (dns->channel != NULL)
        ares_destroy(dns->channel); /* runs pending callbacks with ARES_EDESTRUCTION */
    if (dns->timer != NULL)
        lc_loop_timer_cancel(dns->loop, dns->timer);
    if (dns->initialized)
        ares_library_cleanup();
    free(dns);
}

static struct lc_dns_pin *lc_dns_pin_find(const struct lc_dns *dns, const char *name)
{
    size_t i, n = strlen(name);

    if (n > 0 && name[n - 1] == '.')
        n--;
    for (i = 0; i < dns->n_pins; i++)
        if (strlen(dns->pins[i].name) == n && strncasecmp(dns->pins[i].name, name, n) == 0)
            return &dns->pins[i];
    return NULL;
}

const struct lc_dns_name *lc_dns_pinned(const struct lc_dns *dns, const char *name)
{
    const struct lc_dns_pin *pin = dns != NULL && name != NULL ? lc_dns_pin_find(dns, name) : NULL;

    return pin != NULL ? &pin->addrs : NULL;
}

int lc_dns_pin(struct lc_dns *dns, const char *name, const char *const *addrs, size_t n_addrs)
{
    struct lc_dns_addr *list = NULL;
    struct lc_dns_pin *pin, *grown;
    size_t i;
    char *lname = NULL;
    int rc = -1;

    if (n_addrs > 0 && (list = calloc(n_addrs, sizeof(*list))) == NULL)
        goto done;
    for (i = 0; i < n_addrs; i++) {
        unsigned char buf[sizeof(struct in6_addr)];
        int family = AF_INET;
        if (inet_pton(AF_INET, addrs[i], buf) != 1) {
            family = AF_INET6;
            if (inet_pton(AF_INET6, addrs[i], buf) != 1)
                goto done;
        }
        list[i].family = family;
        list[i].ttl = 0;
        if (inet_ntop(family, buf, list[i].text, sizeof(list[i].text)) == NULL)
            goto done;
    }
    pin = lc_dns_pin_find(dns, name);
    if (pin == NULL) {
        lname = lc_dns_lower_dup(name);
        grown = lname != NULL ? realloc(dns->pins, (dns->n_pins + 1) * sizeof(*grown)) : NULL;
        if (grown == NULL)
            goto done;
        dns->pins = grown;
        pin = &dns->pins[dns->n_pins++];
        memset(pin, 0, sizeof(*pin));
        pin->name = lname;
        lname = NULL;
    }
    free(pin->addrs.addrs);
    pin->addrs.addrs = list;
    pin->addrs.n_addrs = n_addrs;
    list = NULL;
    rc = 0;
done:
    free(lname);
    free(list);
    return rc;
}

static void lc_dns_on_pinned(struct lc_loop *loop, void *arg)
{
    struct lc_dns_pinned_query *pq = arg;
    struct lc_dns *dns = pq->dns;

    (void)loop;
    if (pq->prev != NULL)
        pq->prev->next = pq->next;
    else
        dns->pending_pins = pq->next;
    if (pq->next != NULL)
        pq->next->prev = pq->prev;
    lc_dns_deliver(pq->q);
    free(pq);
}

/* Answer a query of a pinned name from the pin: the addresses of the
 * query's family, delivered from the loop like a server's answer. */
static int lc_dns_answer_pin(struct lc_dns *dns, struct lc_dns_query *q,
                             const struct lc_dns_pin *pin)
{
    struct lc_dns_pinned_query *pq = calloc(1, sizeof(*pq));
    int family = q->answer.type == ns_t_a ? AF_INET : AF_INET6;
    size_t i, n = 0;

    if (pq == NULL)
        return -1;
    for (i = 0; i < pin->addrs.n_addrs; i++)
        n += pin->addrs.addrs[i].family == family;
    if (n > 0 && (q->answer.addrs = calloc(n, sizeof(*q->answer.addrs))) == NULL) {
        free(pq);
        return -1;
    }
    for (i = 0; i < pin->addrs.n_addrs; i++)
        if (pin->addrs.addrs[i].family == family)
            q->answer.addrs[q->answer.n_addrs++] = pin->addrs.addrs[i];
    q->answer.status = n > 0 ? ARES_SUCCESS : ARES_ENODATA;
    q->answer.pinned = 1;
    pq->dns = dns;
    pq->q = q;
    pq->timer = lc_loop_timer_add(dns->loop, 0, lc_dns_on_pinned, pq);
    if (pq->timer == NULL) {
        free(q->answer.addrs);
        q->answer.addrs = NULL;
        q->answer.n_addrs = 0;
        free(pq);
        return -1;
    }
    pq->next = dns->pending_pins;
    if (pq->next != NULL)
        pq->next->prev = pq;
    dns->pending_pins = pq;
    return 0;
}

int lc_dns_query(struct lc_dns *dns, const char *name, int type, lc_dns_cb cb, void *arg)
{
    struct lc_dns_query *q = calloc(1, sizeof(*q));
    const struct lc_dns_pin *pin;

    if (q == NULL)
        return -1;
    q->dns = dns;
    q->cb = cb;
    q->arg = arg;
    q->answer.type = type;
    q->answer.qname = lc_dns_lower_dup(name);
    if (q->answer.qname == NULL) {
        free(q);
        return -1;
    }
    /* --resolve: a pinned name's addresses come from the pin, the server is
     * not asked (SRV records are not pinned). */
    pin = type == ns_t_a || type == ns_t_aaaa ? lc_dns_pin_find(dns, name) : NULL;
    if (pin != NULL) {
        if (lc_dns_answer_pin(dns, q, pin) < 0) {
            free(q->answer.qname);
            free(q);
            return -1;
        }
        return 0;
    }
    dns->submitting = 1;
    ares_query(dns->channel, name, ns_c_in, type, lc_dns_on_answer, q);
    dns->submitting = 0;
    if (!dns->in_process)
        lc_dns_rearm(dns);
    return 0;
}

static size_t lc_dns_trimmed_len(const char *s)
{
    size_t n = strlen(s);
    return (n > 0 && s[n - 1] == '.') ? n - 1 : n;
}

int lc_dns_name_within(const char *name, const char *domain)
{
    size_t n = lc_dns_trimmed_len(name), d = lc_dns_trimmed_len(domain);

    if (d == 0 || n < d)
        return 0;
    if (strncasecmp(name + (n - d), domain, d) != 0)
        return 0;
    return n == d || name[n - d - 1] == '.';
}

int lc_dns_name_parent_is(const char *name, const char *domain)
{
    const char *dot = strchr(name, '.');
    size_t rest, d = lc_dns_trimmed_len(domain);

    if (dot == NULL || dot == name)
        return 0;
    rest = lc_dns_trimmed_len(dot + 1);
    return rest == d && d > 0 && strncasecmp(dot + 1, domain, d) == 0;
}
