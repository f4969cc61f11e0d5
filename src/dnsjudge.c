/* lynccheck - the DNS probe's verdicts (see dnsjudge.h).
 *
 * Sources, public Microsoft documentation (learn.microsoft.com, Skype for
 * Business Server 2015 planning, which also covers Lync Server 2013):
 *   "Edge Server environmental requirements in Skype for Business Server"
 *   (the external A records, and the Edge names a public CA certifies);
 *   "Advanced Edge Server DNS planning for Skype for Business Server"
 *   (the SRV records, the target's domain rule, the order in which clients
 *   look names up: lyncdiscoverinternal, lyncdiscover, _sipinternaltls._tcp,
 *   _sip._tls, sipinternal, sip, sipexternal).
 * Address ranges: RFC 1918, RFC 6598, RFC 3927, RFC 4193, RFC 4291. */
#include "dnsjudge.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* ---- addresses ---- */

static const char *lc_addr_v4_range(const unsigned char *b)
{
    if (b[0] == 10)
        return "RFC 1918 private 10.0.0.0/8";
    if (b[0] == 172 && (b[1] & 0xf0) == 16)
        return "RFC 1918 private 172.16.0.0/12";
    if (b[0] == 192 && b[1] == 168)
        return "RFC 1918 private 192.168.0.0/16";
    if (b[0] == 100 && (b[1] & 0xc0) == 64)
        return "RFC 6598 shared address space 100.64.0.0/10";
    if (b[0] == 169 && b[1] == 254)
        return "RFC 3927 link-local 169.254.0.0/16";
    return NULL;
}

const char *lc_addr_private_range(const char *text)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    unsigned char b[16];

    if (text == NULL)
        return NULL;
    if (inet_pton(AF_INET, text, b) == 1)
        return lc_addr_v4_range(b);
    if (inet_pton(AF_INET6, text, b) != 1)
        return NULL;
    /* ::ffff:10.1.2.3 reaches 10.1.2.3 (RFC 4291 section 2.5.5.2). */
    if (memcmp(b, mapped, sizeof(mapped)) == 0)
        return lc_addr_v4_range(b + 12);
    if ((b[0] & 0xfe) == 0xfc)
        return "RFC 4193 unique local fc00::/7";
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        return "RFC 4291 link-local fe80::/10";
    return NULL;
}

int lc_addr_is_private(const char *text)
{
    return lc_addr_private_range(text) != NULL;
}

int lc_dns_role_is_external(const char *role)
{
    /* The internal interfaces and servers of the edge-internal and internal
     * profiles (Front End to Edge internal interface, internal servers). */
    static const char *const internal[] = {"edge-internal", "front-end", "director", "mediation",
                                           NULL};
    size_t i;

    if (role == NULL)
        return 1;
    for (i = 0; internal[i] != NULL; i++)
        if (strcmp(role, internal[i]) == 0)
            return 0;
    return 1;
}

int lc_dns_name_has(const struct lc_dns_name *set, const char *text)
{
    size_t i;

    for (i = 0; set != NULL && i < set->n_addrs; i++)
        if (strcmp(set->addrs[i].text, text) == 0)
            return 1;
    return 0;
}

/* Append "sep text" to buf at *used; stops quietly when full. */
static void lc_append(char *buf, size_t len, size_t *used, const char *sep, const char *text,
                      const char *extra)
{
    int n;

    if (*used >= len)
        return;
    n = snprintf(buf + *used, len - *used, "%s%s%s", *used > 0 ? sep : "", text,
                 extra != NULL ? extra : "");
    if (n < 0)
        return;
    if ((size_t)n >= len - *used) {
        /* Truncated: keep the NUL at the end; later appends stop. */
        *used = len;
        return;
    }
    *used += (size_t)n;
}

void lc_dns_addr_list(const struct lc_dns_name *d, char *buf, size_t len)
{
    size_t i, used = 0;

    buf[0] = '\0';
    for (i = 0; d != NULL && i < d->n_addrs; i++)
        lc_append(buf, len, &used, ", ", d->addrs[i].text, NULL);
}

size_t lc_dns_private_list(const struct lc_dns_name *d, char *buf, size_t len)
{
    size_t i, n = 0, used = 0;
    char item[128];

    buf[0] = '\0';
    for (i = 0; d != NULL && i < d->n_addrs; i++) {
        const char *range = lc_addr_private_range(d->addrs[i].text);
        if (range == NULL)
            continue;
        n++;
        snprintf(item, sizeof(item), "%s %s (%s)", d->addrs[i].family == AF_INET6 ? "AAAA" : "A",
                 d->addrs[i].text, range);
        lc_append(buf, len, &used, ", ", item, NULL);
    }
    return n;
}

size_t lc_dns_addr_not_in(const struct lc_dns_name *d, const struct lc_dns_name *set, char *buf,
                          size_t len)
{
    size_t i, n = 0, used = 0;

    buf[0] = '\0';
    for (i = 0; d != NULL && i < d->n_addrs; i++) {
        if (lc_dns_name_has(set, d->addrs[i].text))
            continue;
        n++;
        lc_append(buf, len, &used, ", ", d->addrs[i].text, NULL);
    }
    return n;
}

/* ---- one A + AAAA lookup ---- */

static int lc_status_is_nodata(int st)
{
    return st == ARES_ENODATA || st == ARES_ENOTFOUND;
}

int lc_dns_lookup_outcome(const struct lc_dns_lookup *l)
{
    if (l->found != NULL && l->found->n_addrs > 0)
        return 1;
    if (l->cname_loop)
        return 0;
    if (l->status_a == ARES_ENOTFOUND || l->status_aaaa == ARES_ENOTFOUND)
        return 0; /* NXDOMAIN is authoritative for every type */
    if (lc_status_is_nodata(l->status_a) && lc_status_is_nodata(l->status_aaaa))
        return 0;
    return -1;
}

const char *lc_dns_lookup_failure(const struct lc_dns_lookup *l, char *buf, size_t len)
{
    if (l->cname_loop)
        snprintf(buf, len, "CNAME loop or chain longer than %d", LC_CNAME_MAX);
    else if (l->status_a == l->status_aaaa)
        snprintf(buf, len, "%s", lc_dns_status_name(l->status_a));
    else
        snprintf(buf, len, "A: %s; AAAA: %s", lc_dns_status_name(l->status_a),
                 lc_dns_status_name(l->status_aaaa));
    return buf;
}

enum lc_status lc_dns_judge_a(const struct lc_dns_lookup *l, int external, char *msg, size_t len)
{
    char addrs[512], priv[512], why[128];
    const char *canon = l->found != NULL ? l->found->canonical : NULL;
    int outcome = lc_dns_lookup_outcome(l);
    size_t n_priv;

    if (outcome == 0) {
        snprintf(msg, len, "%s has no A/AAAA record (%s)", l->name,
                 lc_dns_lookup_failure(l, why, sizeof(why)));
        return LC_FAIL;
    }
    if (outcome < 0) {
        snprintf(msg, len, "lookup of %s failed: %s", l->name,
                 lc_dns_lookup_failure(l, why, sizeof(why)));
        return LC_ERROR;
    }
    lc_dns_addr_list(l->found, addrs, sizeof(addrs));
    n_priv = external ? lc_dns_private_list(l->found, priv, sizeof(priv)) : 0;
    if (n_priv > 0) {
        /* A name clients reach from the internet must resolve to the public
         * address: the external A records of the Edge and reverse proxy
         * ("Edge Server environmental requirements", DNS). An internal
         * address here is split-brain DNS leaking, or a NAT address
         * published by mistake. */
        snprintf(msg, len,
                 "%s%s%s%s has a private address in external DNS: %s; clients on the internet "
                 "cannot reach it (publish the public address; nothing connects to %s)",
                 l->name, canon != NULL ? " (CNAME to " : "", canon != NULL ? canon : "",
                 canon != NULL ? ")" : "", priv, n_priv == 1 ? "it" : "them");
        return LC_FAIL;
    }
    if (canon != NULL)
        snprintf(msg, len, "%s resolves to %s (CNAME to %s)", l->name, addrs, canon);
    else
        snprintf(msg, len, "%s resolves to %s", l->name, addrs);
    return LC_PASS;
}

enum lc_status lc_dns_judge_leak(const struct lc_dns_lookup *l, char *msg, size_t len)
{
    char addrs[512], why[128];
    int outcome = lc_dns_lookup_outcome(l);

    if (l->cname_loop) {
        /* A CNAME is a record: the name is published, just broken. */
        snprintf(msg, len,
                 "%s is published externally as a CNAME that resolves nowhere (%s): remove it "
                 "from the external zone",
                 l->name, lc_dns_lookup_failure(l, why, sizeof(why)));
        return LC_WARN;
    }
    if (outcome == 0) {
        snprintf(msg, len, "%s is not published externally (%s)", l->name,
                 lc_dns_lookup_failure(l, why, sizeof(why)));
        return LC_PASS;
    }
    if (outcome < 0) {
        snprintf(msg, len, "lookup of %s failed: %s", l->name,
                 lc_dns_lookup_failure(l, why, sizeof(why)));
        return LC_ERROR;
    }
    lc_dns_addr_list(l->found, addrs, sizeof(addrs));
    snprintf(msg, len,
             "%s resolves from outside (%s): it belongs to internal DNS only; external clients "
             "try it first",
             l->name, addrs);
    return LC_WARN;
}

enum lc_status lc_dns_judge_cname(const char *name, const char *canonical, const char *domain,
                                  char *msg, size_t len)
{
    if (canonical == NULL) {
        snprintf(msg, len, "%s is an A/AAAA record, no CNAME", name);
        return LC_PASS;
    }
    if (lc_dns_name_within(canonical, domain)) {
        snprintf(msg, len, "%s is a CNAME to %s, within %s", name, canonical, domain);
        return LC_PASS;
    }
    snprintf(msg, len,
             "%s is a CNAME to %s in another domain: mobile clients fail over HTTPS; publish the "
             "HTTP (port 80) rule for lyncdiscover",
             name, canonical);
    return LC_WARN;
}

/* ---- SRV records ---- */

enum lc_status lc_dns_judge_srv(const struct lc_srv_rule *rule, int status,
                                const struct lc_dns_srv *srvs, size_t n, char *msg, size_t len)
{
    size_t i;

    if (status == ARES_ENODATA || status == ARES_ENOTFOUND || (status == ARES_SUCCESS && n == 0)) {
        const char *word = status == ARES_SUCCESS ? "no answer" : lc_dns_status_name(status);
        if (rule->kind == LC_SRV_FEDERATION)
            snprintf(msg, len,
                     "no %s SRV record (%s): federation partners cannot find this domain's edge, "
                     "and push notifications stop",
                     rule->record, word);
        else
            snprintf(msg, len, "no %s SRV record (%s)", rule->record, word);
        return LC_FAIL;
    }
    if (status != ARES_SUCCESS) {
        snprintf(msg, len, "lookup of %s SRV failed: %s", rule->record, lc_dns_status_name(status));
        return LC_ERROR;
    }
    for (i = 0; i < n; i++) {
        const char *t = srvs[i].target;
        /* RFC 2782: a target of "." means the service is not offered. */
        if (t[0] == '\0') {
            snprintf(msg, len, "%s: target '.' says the service is not available", rule->record);
            return LC_FAIL;
        }
        if (srvs[i].port != rule->port) {
            snprintf(msg, len, "%s: %s points to port %u, expected %u", rule->record, t,
                     srvs[i].port, rule->port);
            return LC_FAIL;
        }
        /* "Advanced Edge Server DNS planning": the federation SRV target's
         * domain must be the SIP domain itself, else partners answer 504
         * ms-diagnostics 1009. */
        if (rule->kind == LC_SRV_FEDERATION && !lc_dns_name_parent_is(t, rule->domain)) {
            snprintf(msg, len,
                     "%s: target %s is not a host directly in %s: federation partners reject it "
                     "with ms-diagnostics 1009 \"No match for domain in DNS SRV results\"",
                     rule->record, t, rule->domain);
            return LC_FAIL;
        }
        /* Automatic sign-in accepts an SRV target only within the SIP
         * domain (same page). */
        if (rule->kind != LC_SRV_FEDERATION && !lc_dns_name_within(t, rule->domain)) {
            snprintf(msg, len,
                     "%s: target %s is outside %s: Lync clients and partners require the SRV "
                     "target in the SIP domain",
                     rule->record, t, rule->domain);
            return LC_FAIL;
        }
    }
    if (n == 1)
        snprintf(msg, len, "%s -> %s:%u", rule->record, srvs[0].target, srvs[0].port);
    else
        snprintf(msg, len, "%s: %zu records, all port %u within %s", rule->record, n, rule->port,
                 rule->domain);
    return LC_PASS;
}

/* ---- SRV targets and sip.<d> against the access edge ---- */

/* Which convention the name follows: "sip.<d>" (2), a name in a SIP domain
 * (1), none (0); *domain is the SIP domain matched. */
static int lc_dns_edge_convention(const char *name, const struct lc_strv *sip_domains,
                                  const char **domain)
{
    size_t i;

    *domain = NULL;
    for (i = 0; sip_domains != NULL && i < sip_domains->n; i++) {
        const char *d = sip_domains->v[i];
        if (strncasecmp(name, "sip.", 4) == 0 && lc_dns_name_within(name + 4, d) &&
            lc_dns_name_within(d, name + 4)) {
            *domain = d;
            return 2;
        }
    }
    for (i = 0; sip_domains != NULL && i < sip_domains->n; i++) {
        if (lc_dns_name_within(name, sip_domains->v[i])) {
            *domain = sip_domains->v[i];
            return 1;
        }
    }
    return 0;
}

#define LC_DERIVED_NOTE                                                                            \
    "the access edge name was derived from this record, so it is judged against the conventions"

enum lc_status lc_dns_judge_targets(const struct lc_dns_targets *f, size_t *which, char *msg,
                                    size_t len)
{
    char buf[512], why[128];
    size_t i;

    *which = f->n;
    if (f->n == 0) {
        snprintf(msg, len, "%s: no SRV target to judge", f->record);
        return LC_ERROR;
    }
    for (i = 0; i < f->n; i++) {
        const struct lc_dns_lookup *t = &f->targets[i];
        int outcome = lc_dns_lookup_outcome(t);
        *which = i;
        if (outcome == 0) {
            snprintf(msg, len, "SRV target %s does not resolve (%s)", t->name,
                     lc_dns_lookup_failure(t, why, sizeof(why)));
            return LC_FAIL;
        }
        if (outcome < 0) {
            snprintf(msg, len, "lookup of SRV target %s failed: %s", t->name,
                     lc_dns_lookup_failure(t, why, sizeof(why)));
            return LC_ERROR;
        }
    }
    /* Partners and clients connect to the target: a private address is
     * unreachable from the internet whatever the edge's addresses are. */
    for (i = 0; i < f->n; i++) {
        if (lc_dns_private_list(f->targets[i].found, buf, sizeof(buf)) > 0) {
            *which = i;
            snprintf(msg, len,
                     "SRV target %s has a private address in external DNS: %s; clients on the "
                     "internet cannot reach it",
                     f->targets[i].name, buf);
            return LC_FAIL;
        }
    }
    *which = f->n;
    if (f->edge == NULL || f->edge->n_addrs == 0) {
        snprintf(msg, len,
                 "SRV targets resolve, but the access edge %s left no address to compare (it did "
                 "not resolve, or only to private addresses)",
                 f->edge_name);
        return LC_SKIP;
    }
    for (i = 0; i < f->n; i++) {
        if (lc_dns_addr_not_in(f->targets[i].found, f->edge, buf, sizeof(buf)) > 0) {
            *which = i;
            snprintf(msg, len, "SRV target %s resolves to %s, not an address of the access edge %s",
                     f->targets[i].name, buf, f->edge_name);
            return LC_FAIL;
        }
    }
    *which = f->n;
    if (f->derived) {
        /* The comparison above compared the edge with itself. What is left
         * to judge is the name: the Access Edge is conventionally sip.<d>
         * (the name clients fall back to), and a target must lie in the
         * SIP domain ("Advanced Edge Server DNS planning"). A target
         * elsewhere may be an old or foreign server that still answers. */
        const char *dom0 = NULL;
        int conv0 = 0;
        for (i = 0; i < f->n; i++) {
            const char *dom = NULL;
            int c = lc_dns_edge_convention(f->targets[i].name, f->sip_domains, &dom);
            if (c == 0) {
                *which = i;
                snprintf(msg, len,
                         "SRV target %s is neither sip.<domain> nor a name in a SIP domain: the "
                         "access edge name was derived from this record, so nothing independent "
                         "confirms %s is the current Access Edge (give --access-edge to compare)",
                         f->targets[i].name, f->targets[i].name);
                return LC_WARN;
            }
            if (i == 0) {
                conv0 = c;
                dom0 = dom;
            }
        }
        if (f->n == 1 && conv0 == 2)
            snprintf(msg, len, "SRV target %s is sip.%s, the conventional access edge name (%s)",
                     f->targets[0].name, dom0, LC_DERIVED_NOTE);
        else if (f->n == 1)
            snprintf(msg, len, "SRV target %s is a name in the SIP domain %s (%s)",
                     f->targets[0].name, dom0, LC_DERIVED_NOTE);
        else
            snprintf(msg, len,
                     "%zu SRV targets resolve to the access edge (%s), each sip.<domain> or a "
                     "name in a SIP domain (%s)",
                     f->n, f->edge_name, LC_DERIVED_NOTE);
        return LC_PASS;
    }
    snprintf(msg, len, "%zu SRV target%s resolve%s to the access edge (%s)", f->n,
             f->n == 1 ? "" : "s", f->n == 1 ? "s" : "", f->edge_name);
    return LC_PASS;
}

enum lc_status lc_dns_judge_edge_addr(const char *name, const struct lc_dns_name *d,
                                      const char *edge_name, const struct lc_dns_name *edge,
                                      const char *derived_from, char *msg, size_t len)
{
    char buf[512];

    if (d == NULL || d->n_addrs == 0 || edge == NULL || edge->n_addrs == 0) {
        snprintf(msg, len, "internal: %s or the access edge %s has no address to compare", name,
                 edge_name);
        return LC_ERROR;
    }
    if (lc_dns_addr_not_in(d, edge, buf, sizeof(buf)) > 0) {
        if (derived_from != NULL)
            snprintf(msg, len,
                     "%s resolves to %s, not an address of the access edge %s (that name was "
                     "derived from %s: one of the two records points at the wrong server)",
                     name, buf, edge_name, derived_from);
        else
            snprintf(msg, len, "%s resolves to %s, not an address of the access edge %s", name, buf,
                     edge_name);
        return LC_FAIL;
    }
    snprintf(msg, len, "every address of %s is an access edge (%s) address", name, edge_name);
    return LC_PASS;
}
