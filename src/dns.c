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

struct lc_dns {
    struct lc_loop *loop;
    ares_channel channel;
    struct lc_timer *timer;
    int initialized;
    int submitting; /* inside ares_query(): callbacks must be deferred */
    int in_process; /* inside ares_process_fd(): re-arming waits until after */
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

static int lc_dns_parse_a(struct lc_dns_answer *a, const unsigned char *abuf, int alen)
{
    struct ares_addrttl ttls[64];
    int n = 64, i, rc;
    struct hostent *host = NULL;

    rc = ares_parse_a_reply(abuf, alen, &host, ttls, &n);
    if (rc != ARES_SUCCESS)
        return rc;
    if (lc_dns_take_host(a, host) < 0 ||
        (n > 0 && (a->addrs = calloc((size_t)n, sizeof(*a->addrs))) == NULL)) {
        rc = ARES_ENOMEM;
        goto done;
    }
    for (i = 0; i < n; i++) {
        struct lc_dns_addr *d = &a->addrs[a->n_addrs++];
        d->family = AF_INET;
        d->ttl = ttls[i].ttl;
        if (inet_ntop(AF_INET, &ttls[i].ipaddr, d->text, sizeof(d->text)) == NULL)
            a->n_addrs--;
    }
    rc = a->n_addrs > 0 ? ARES_SUCCESS : ARES_ENODATA;
done:
    if (host != NULL)
        ares_free_hostent(host);
    return rc;
}

static int lc_dns_parse_aaaa(struct lc_dns_answer *a, const unsigned char *abuf, int alen)
{
    struct ares_addr6ttl ttls[64];
    int n = 64, i, rc;
    struct hostent *host = NULL;

    rc = ares_parse_aaaa_reply(abuf, alen, &host, ttls, &n);
    if (rc != ARES_SUCCESS)
        return rc;
    if (lc_dns_take_host(a, host) < 0 ||
        (n > 0 && (a->addrs = calloc((size_t)n, sizeof(*a->addrs))) == NULL)) {
        rc = ARES_ENOMEM;
        goto done;
    }
    for (i = 0; i < n; i++) {
        struct lc_dns_addr *d = &a->addrs[a->n_addrs++];
        d->family = AF_INET6;
        d->ttl = ttls[i].ttl;
        if (inet_ntop(AF_INET6, &ttls[i].ip6addr, d->text, sizeof(d->text)) == NULL)
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
            status = lc_dns_parse_a(&q->answer, abuf, alen);
            break;
        case ns_t_aaaa:
            status = lc_dns_parse_aaaa(&q->answer, abuf, alen);
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
    if (dns == NULL)
        return;
    if (dns->channel != NULL)
        ares_destroy(dns->channel); /* runs pending callbacks with ARES_EDESTRUCTION */
    if (dns->timer != NULL)
        lc_loop_timer_cancel(dns->loop, dns->timer);
    if (dns->initialized)
        ares_library_cleanup();
    free(dns);
}

int lc_dns_query(struct lc_dns *dns, const char *name, int type, lc_dns_cb cb, void *arg)
{
    struct lc_dns_query *q = calloc(1, sizeof(*q));

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
