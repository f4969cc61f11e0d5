/* SPDX-License-Identifier: MIT */
/* lynccheck - c-ares driven by the one event loop.
 *
 * Debian 12 ships c-ares 1.18, which has no event thread: we register its
 * sockets through ARES_OPT_SOCK_STATE_CB, call ares_process_fd() when they are
 * ready, and also on ares_timeout() expiry, or lookups never time out. */
#ifndef LC_DNS_H
#define LC_DNS_H

#include <stddef.h>
#include <stdint.h>

struct lc_loop;
struct lc_dns;

/* One address of a name, as the resolver answered it. */
struct lc_dns_addr {
    int family;    /* AF_INET or AF_INET6 */
    char text[46]; /* INET6_ADDRSTRLEN */
    int ttl;
};

/* A parsed SRV record (RFC 2782). */
struct lc_dns_srv {
    char *target; /* lower case, no trailing dot */
    unsigned priority, weight, port;
};

/* What one query produced. status is an ARES_* code (ARES_SUCCESS,
 * ARES_ENOTFOUND for NXDOMAIN, ARES_ENODATA for no data, ARES_ETIMEOUT,
 * ARES_ESERVFAIL, ARES_EREFUSED, ARES_EBADRESP ...). */
struct lc_dns_answer {
    int status;
    int type;        /* the query type: ns_t_a, ns_t_aaaa, ns_t_srv */
    char *qname;     /* lower case, no trailing dot */
    char *canonical; /* end of the CNAME chain when it differs from qname, else NULL */
    char **cnames;   /* every owner name of a CNAME in the chain, in order */
    size_t n_cnames;
    struct lc_dns_addr *addrs;
    size_t n_addrs;
    struct lc_dns_srv *srvs;
    size_t n_srvs;
    int pinned; /* 1: answered from a --resolve pin, the DNS server was not asked */
};

/* Every address a name resolved to (A and AAAA, CNAMEs followed): what a
 * dns.a check leaves for the checks that depend on it (lc_check_data). */
struct lc_dns_name {
    struct lc_dns_addr *addrs;
    size_t n_addrs;
    char *canonical; /* end of the CNAME chain, or NULL */
};
void lc_dns_name_free(void *name);

typedef void (*lc_dns_cb)(const struct lc_dns_answer *answer, void *arg);

/* servers: NULL for the system resolver (/etc/resolv.conf), else a list of
 * "IP", "IP:PORT" or "[IPv6]:PORT" separated by commas. timeout_us bounds
 * one lookup including retries. On error returns -1 and writes a message. */
int lc_dns_new(struct lc_dns **out, struct lc_loop *loop, const char *servers, uint64_t timeout_us,
               char *err, size_t errlen);
/* Cancels what is pending: callbacks run with status ARES_EDESTRUCTION. */
void lc_dns_free(struct lc_dns *dns);

/* Query `name` for `type` (ns_t_a, ns_t_aaaa or ns_t_srv, class IN). The
 * callback always runs exactly once, from the loop (never from inside this
 * call). Returns 0, or -1 when out of memory. */
int lc_dns_query(struct lc_dns *dns, const char *name, int type, lc_dns_cb cb, void *arg);

/* Pin `name` to addresses for this run (--resolve NAME:ADDR[,ADDR...], like
 * curl's --resolve): an A or AAAA query of the name is answered with the
 * pinned addresses of that family (NODATA when it has none), in the same
 * callback shape (from the loop, never from inside lc_dns_query; TTL 0;
 * answer.pinned = 1), without asking the DNS server. SRV queries are not
 * affected. addrs are IPv4 or IPv6 literals. Pinning a name again replaces
 * its addresses. Returns 0, or -1 (not a literal, out of memory). */
int lc_dns_pin(struct lc_dns *dns, const char *name, const char *const *addrs, size_t n_addrs);
/* The addresses name is pinned to (case-insensitive, trailing dot
 * ignored), or NULL when it is not pinned. Valid until lc_dns_free. */
const struct lc_dns_name *lc_dns_pinned(const struct lc_dns *dns, const char *name);

/* ARES status as a short word: "NXDOMAIN", "NODATA", "SERVFAIL", "timeout" ... */
const char *lc_dns_status_name(int status);

/* Domain-matching rules, case-insensitive, trailing dots ignored. */
/* name is domain itself or a name below it. */
int lc_dns_name_within(const char *name, const char *domain);
/* name minus its first label equals domain (Lync federation SRV rule). */
int lc_dns_name_parent_is(const char *name, const char *domain);

#endif
