/* SPDX-License-Identifier: MIT */
/* lynccheck - the DNS probe's verdicts as pure functions: the facts a lookup
 * produced in, a status and a one-line message out. probes/probe_dns.c does the
 * lookups and feeds these; tests/test_dns.c tests them from case tables.
 *
 * Every function writes a NUL-terminated message of at most len - 1 bytes
 * (len >= 1) and never returns LC_PASS unless it judged what the check's
 * id names. */
#ifndef LC_DNSJUDGE_H
#define LC_DNSJUDGE_H

#include <stddef.h>

#include "dns.h"
#include "result.h"
#include "site.h"

/* Longest CNAME chain followed; resolvers give up around here too. */
#define LC_CNAME_MAX 8

/* ---- addresses ---- */

/* The address range a text address belongs to when the internet cannot
 * route to it, as words for a message ("RFC 1918 private 10.0.0.0/8"):
 * RFC 1918 (10/8, 172.16/12, 192.168/16), RFC 6598 shared address space
 * (100.64/10), RFC 3927 IPv4 link-local (169.254/16), RFC 4193 unique local
 * (fc00::/7), RFC 4291 link-local (fe80::/10), and IPv4-mapped IPv6
 * addresses (::ffff:a.b.c.d, RFC 4291 section 2.5.5.2) of those. NULL for
 * every other address and for text that is not an address. Loopback
 * (127/8, ::1) is not private here: the test lab lives there. */
const char *lc_addr_private_range(const char *text);
/* 1 when lc_addr_private_range(text) is not NULL, else 0. */
int lc_addr_is_private(const char *text);

/* 1 when a name planned for this role is reached from the internet: every
 * role but the internal ones the edge-internal and internal profiles probe
 * (edge-internal, front-end, director, mediation), where private addresses
 * are normal. NULL counts as external. */
int lc_dns_role_is_external(const char *role);

/* 1 when set holds the address text (exact text, as the resolver gave it). */
int lc_dns_name_has(const struct lc_dns_name *set, const char *text);

/* The addresses of d, ", "-separated, truncated to len. */
void lc_dns_addr_list(const struct lc_dns_name *d, char *buf, size_t len);

/* The private addresses of d as "A 10.1.2.3 (RFC 1918 private 10.0.0.0/8),
 * ...", truncated to len; returns how many there are (0: buf is ""). */
size_t lc_dns_private_list(const struct lc_dns_name *d, char *buf, size_t len);

/* The addresses of d that set lacks, ", "-separated; returns how many. */
size_t lc_dns_addr_not_in(const struct lc_dns_name *d, const struct lc_dns_name *set, char *buf,
                          size_t len);

/* ---- one A + AAAA lookup ---- */

struct lc_dns_lookup {
    const char *name;
    int status_a, status_aaaa;       /* ARES_* codes of the two queries */
    int cname_loop;                  /* a CNAME loop or a chain over LC_CNAME_MAX */
    const struct lc_dns_name *found; /* the addresses and canonical name; NULL: none */
    const struct lc_strv *chain;     /* the names of the CNAME chain seen; NULL: none */
};

/* ---- SIP domains homed at Microsoft (Skype for Business Online / Teams) ---- */

/* What a provider's well-known name is for. */
enum lc_hosted_role {
    LC_HOSTED_SIPDIR, /* client sign-in: _sip._tls -> :443, sip.<d> CNAME */
    LC_HOSTED_SIPFED, /* federation: _sipfederationtls._tcp -> :5061 */
    LC_HOSTED_WEBDIR  /* autodiscover: lyncdiscover.<d> CNAME */
};

/* One name Microsoft publishes for the DNS records of a domain homed in its
 * cloud (table in dnsjudge.c, each row citing its page). */
struct lc_hosted_target {
    const char *fqdn;  /* "sipfed.online.lync.com" */
    const char *cloud; /* "Skype for Business Online / Microsoft 365" */
    enum lc_hosted_role role;
};

/* The table row whose fqdn is name (case-insensitive, a trailing dot
 * ignored), or NULL: name is none of the provider's well-known targets. */
const struct lc_hosted_target *lc_dns_hosted_target(const char *name);

/* The well-known target that record kind must name ("sipfed.online.lync.com"
 * for a federation record), in the cloud of h. NULL when the kind has none
 * (XMPP: Microsoft's cloud never offered XMPP federation). */
const char *lc_dns_hosted_expected(const struct lc_hosted_target *h, enum lc_hosted_role role);

/* Did a lookup reach a provider target: the name itself, a name in its
 * CNAME chain, or its canonical name? The first match, or NULL. Needs no
 * address: the lab's DNS (and a resolver that cannot reach Microsoft's
 * zone) never resolves the target, and the verdict must not depend on it. */
const struct lc_hosted_target *lc_dns_hosted_lookup(const struct lc_dns_lookup *l);

/* Did the name resolve (1), authoritatively not exist (0: NXDOMAIN, NODATA
 * for both types, a CNAME loop), or fail to answer (-1: timeout, SERVFAIL,
 * REFUSED ...)? */
int lc_dns_lookup_outcome(const struct lc_dns_lookup *l);
/* Why the lookup found no address: "NXDOMAIN", "A: NODATA; AAAA: timeout",
 * "CNAME loop ...". Returns buf. */
const char *lc_dns_lookup_failure(const struct lc_dns_lookup *l, char *buf, size_t len);

/* dns.a:<name>. external: a role that needs the name is reached from the
 * internet (lc_dns_role_is_external): then a private address is FAIL,
 * naming the record; the caller must not hand those addresses to the
 * checks that connect. A name that is or leads to one of Microsoft's
 * well-known names (lc_dns_hosted_lookup) says "hosted": PASS when it
 * resolved, SKIP when the provider's name could not be looked up (nothing
 * judged, and no error: that zone is Microsoft's), FAIL on NXDOMAIN. */
enum lc_status lc_dns_judge_a(const struct lc_dns_lookup *l, int external, char *msg, size_t len);

/* dns.internal-leak:lyncdiscoverinternal.<d>: PASS only when the name does
 * not resolve from outside (NXDOMAIN / NODATA), WARN when it does or is a
 * CNAME, ERROR when the lookup failed. */
enum lc_status lc_dns_judge_leak(const struct lc_dns_lookup *l, char *msg, size_t len);

/* dns.lyncdiscover-cname:<name>: canonical NULL (an A/AAAA record) or a
 * CNAME within domain passes; a CNAME into another domain warns; a CNAME
 * to Microsoft's autodiscover (webdir.online.lync.com ...) passes as
 * "hosted", to another of Microsoft's names fails. */
enum lc_status lc_dns_judge_cname(const char *name, const char *canonical, const char *domain,
                                  char *msg, size_t len);

/* ---- SRV records ---- */

enum lc_srv_kind { LC_SRV_SIP_TLS, LC_SRV_FEDERATION, LC_SRV_XMPP };

struct lc_srv_rule {
    const char *record; /* "_sip._tls.contoso.com" */
    const char *domain; /* the SIP domain */
    enum lc_srv_kind kind;
    unsigned port; /* the port every record must give */
};

/* dns.srv:<record>: the answer (status an ARES_* code) against the rules:
 * the record exists (NXDOMAIN/NODATA/no record: FAIL), no "." target (RFC
 * 2782: service not offered), every record on rule->port, targets in the
 * SIP domain, federation targets directly in it (ms-diagnostics 1009).
 * Microsoft's well-known target for the record (_sip._tls -> sipdir,
 * _sipfederationtls._tcp -> sipfed) on the right port is a domain homed in
 * Microsoft's cloud: PASS, saying "hosted"; Microsoft's name of another
 * role, or on XMPP, fails; Microsoft's and this deployment's targets mixed
 * in one record warn. */
enum lc_status lc_dns_judge_srv(const struct lc_srv_rule *rule, int status,
                                const struct lc_dns_srv *srvs, size_t n, char *msg, size_t len);

/* ---- SRV targets and sip.<d> against the access edge ---- */

struct lc_dns_targets {
    const char *record;                  /* the SRV record */
    const struct lc_dns_lookup *targets; /* one lookup per distinct target */
    size_t n;
    const char *edge_name;             /* the access edge FQDN */
    const struct lc_dns_name *edge;    /* its usable addresses; NULL or none: no input */
    int derived;                       /* the access edge name was taken from this record */
    const struct lc_strv *sip_domains; /* for the conventions when derived */
};

/* dns.srv-target:<record>. Every target must resolve, to no private
 * address, and only to access edge addresses. Microsoft's well-known
 * targets are left out (they need no lookup); when every target is one,
 * the verdict is LC_SKIP "hosted" with *which < n (the first of them): the
 * comparison with this deployment's edge does not apply. When the access edge name was
 * derived from this very record the address comparison proves nothing, so
 * each target is judged against the naming conventions instead: sip.<d> or
 * a name in one of the SIP domains passes (saying the edge was derived),
 * anything else warns. LC_SKIP with *which == n means "no input": the
 * edge left no usable address, msg says so, and the caller ends the check
 * with lc_check_finish_no_input (LC_SKIP with *which < n is "hosted",
 * above). *which is the index of the target the verdict names, or n. */
enum lc_status lc_dns_judge_targets(const struct lc_dns_targets *f, size_t *which, char *msg,
                                    size_t len);

/* dns.edge-address:sip.<d>: every address of name must be an access edge
 * address. derived_from: the record the edge name was taken from, or NULL.
 * Either name without addresses is ERROR (the caller handles no input).
 * d->canonical Microsoft's sign-in name (sip CNAME sipdir.online.lync.com)
 * is SKIP "hosted" without any address; another of Microsoft's names
 * fails. */
enum lc_status lc_dns_judge_edge_addr(const char *name, const struct lc_dns_name *d,
                                      const char *edge_name, const struct lc_dns_name *edge,
                                      const char *derived_from, char *msg, size_t len);

#endif
