/* SPDX-License-Identifier: MIT */
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
 * Domains homed at Microsoft (the "hosted" verdicts), Microsoft Learn:
 *   "External Domain Name System records for Office 365" (Microsoft 365
 *   Enterprise): _sip._tls -> sipdir.online.lync.com:443,
 *   _sipfederationtls._tcp -> sipfed.online.lync.com:5061, CNAME sip ->
 *   sipdir.online.lync.com, CNAME lyncdiscover -> webdir.online.lync.com;
 *   in hybrid (split domain) the SRV records point at the on-premises Edge
 *   instead, for a Teams-only domain at Microsoft's online edge;
 *   "DNS records for Office 365 GCC High" and "DNS records for Office 365
 *   DoD" (the same records under online.gov. / online.dod.
 *   skypeforbusiness.us); the Office 365 operated by 21Vianet DNS-host
 *   pages ("Create DNS records ... for Office 365", the SRV and CNAME
 *   values under online.partner.lync.cn);
 *   "Configuring federation support for a Skype for Business Online
 *   customer in Skype for Business Server": an on-premises Edge federates
 *   with an Online domain through a hosting provider entry whose ProxyFqdn
 *   is sipfed.online.lync.com (New-CsHostingProvider), which is why such a
 *   target outside the SIP domain is not the ms-diagnostics 1009 fault.
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

/* The access edge was given as an address (--access-edge 192.0.2.10) and d
 * shares at least one address with it: d names a DNS load-balanced pool of
 * which the address given is one member, and lynccheck cannot know whether
 * the others are Edge servers too (testing one pool member at a time is what
 * an address is given for). */
static int lc_dns_pool_member_given(const char *edge_name, const struct lc_dns_name *d,
                                    const struct lc_dns_name *edge)
{
    unsigned char buf[sizeof(struct in6_addr)];
    size_t i;

    if (edge_name == NULL ||
        (inet_pton(AF_INET, edge_name, buf) != 1 && inet_pton(AF_INET6, edge_name, buf) != 1))
        return 0;
    for (i = 0; d != NULL && i < d->n_addrs; i++)
        if (lc_dns_name_has(edge, d->addrs[i].text))
            return 1;
    return 0;
}

/* ---- SIP domains homed at Microsoft ---- */

/* Microsoft's well-known targets, per cloud (sources in the header
 * comment). Only names Microsoft documents as the value of a customer's
 * record are here: a name is matched exactly, never by suffix, so an
 * on-premises host under a look-alike domain stays an on-premises host. */
static const struct lc_hosted_target lc_hosted_targets[] = {
    /* "External Domain Name System records for Office 365" */
    {"sipdir.online.lync.com", "Skype for Business Online / Microsoft 365", LC_HOSTED_SIPDIR},
    {"sipfed.online.lync.com", "Skype for Business Online / Microsoft 365", LC_HOSTED_SIPFED},
    {"webdir.online.lync.com", "Skype for Business Online / Microsoft 365", LC_HOSTED_WEBDIR},
    /* "DNS records for Office 365 GCC High" */
    {"sipdir.online.gov.skypeforbusiness.us", "Microsoft 365 GCC High", LC_HOSTED_SIPDIR},
    {"sipfed.online.gov.skypeforbusiness.us", "Microsoft 365 GCC High", LC_HOSTED_SIPFED},
    {"webdir.online.gov.skypeforbusiness.us", "Microsoft 365 GCC High", LC_HOSTED_WEBDIR},
    /* "DNS records for Office 365 DoD" */
    {"sipdir.online.dod.skypeforbusiness.us", "Microsoft 365 DoD", LC_HOSTED_SIPDIR},
    {"sipfed.online.dod.skypeforbusiness.us", "Microsoft 365 DoD", LC_HOSTED_SIPFED},
    {"webdir.online.dod.skypeforbusiness.us", "Microsoft 365 DoD", LC_HOSTED_WEBDIR},
    /* Office 365 operated by 21Vianet, "Create DNS records ... for Office 365" */
    {"sipdir.online.partner.lync.cn", "Microsoft 365 operated by 21Vianet", LC_HOSTED_SIPDIR},
    {"sipfed.online.partner.lync.cn", "Microsoft 365 operated by 21Vianet", LC_HOSTED_SIPFED},
    {"webdir.online.partner.lync.cn", "Microsoft 365 operated by 21Vianet", LC_HOSTED_WEBDIR},
};

#define LC_HOSTED_N (sizeof(lc_hosted_targets) / sizeof(lc_hosted_targets[0]))

const struct lc_hosted_target *lc_dns_hosted_target(const char *name)
{
    size_t i, len;

    if (name == NULL)
        return NULL;
    len = strlen(name);
    if (len > 0 && name[len - 1] == '.')
        len--;
    for (i = 0; i < LC_HOSTED_N; i++) {
        const char *f = lc_hosted_targets[i].fqdn;
        if (strlen(f) == len && strncasecmp(name, f, len) == 0)
            return &lc_hosted_targets[i];
    }
    return NULL;
}

const char *lc_dns_hosted_expected(const struct lc_hosted_target *h, enum lc_hosted_role role)
{
    size_t i;

    for (i = 0; h != NULL && i < LC_HOSTED_N; i++)
        if (lc_hosted_targets[i].role == role && strcmp(lc_hosted_targets[i].cloud, h->cloud) == 0)
            return lc_hosted_targets[i].fqdn;
    return NULL;
}

const struct lc_hosted_target *lc_dns_hosted_lookup(const struct lc_dns_lookup *l)
{
    const struct lc_hosted_target *h = lc_dns_hosted_target(l->name);
    size_t i;

    for (i = 0; h == NULL && l->chain != NULL && i < l->chain->n; i++)
        h = lc_dns_hosted_target(l->chain->v[i]);
    if (h == NULL && l->found != NULL)
        h = lc_dns_hosted_target(l->found->canonical);
    return h;
}

/* What Microsoft publishes a role's name for, for messages. */
static const char *lc_hosted_role_words(enum lc_hosted_role role)
{
    switch (role) {
    case LC_HOSTED_SIPDIR:
        return "client sign-in (sip CNAME, _sip._tls)";
    case LC_HOSTED_SIPFED:
        return "federation edge (_sipfederationtls._tcp)";
    case LC_HOSTED_WEBDIR:
        return "autodiscover (lyncdiscover CNAME)";
    }
    return "service";
}

/* Who does not serve a hosted domain, for messages: this deployment's
 * Edge, or, when the access edge name itself is Microsoft's (taken from a
 * hosted _sip._tls record), no Edge of this deployment at all. */
static const char *lc_hosted_edge_words(const char *edge_name, char *buf, size_t len)
{
    if (lc_dns_hosted_target(edge_name) != NULL)
        snprintf(buf, len,
                 "the access edge name %s is Microsoft's too: no Edge of this deployment "
                 "is known",
                 edge_name);
    else
        snprintf(buf, len, "this deployment's Edge (%s) does not serve it", edge_name);
    return buf;
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
    const struct lc_hosted_target *h = lc_dns_hosted_lookup(l);
    int outcome = lc_dns_lookup_outcome(l);
    size_t n_priv;

    if (outcome == 0) {
        /* Authoritatively nothing: clients find nothing either, even when
         * the name leads to one of Microsoft's. */
        snprintf(msg, len, "%s has no A/AAAA record (%s)%s%s%s", l->name,
                 lc_dns_lookup_failure(l, why, sizeof(why)), h != NULL ? "; it leads to " : "",
                 h != NULL ? h->fqdn : "", h != NULL ? ", Microsoft's name" : "");
        return LC_FAIL;
    }
    if (outcome < 0 && h != NULL) {
        /* The name is, or leads to, a name Microsoft publishes for domains
         * homed in its cloud. Whether Microsoft's own name resolves is not
         * this deployment's to judge, and a resolver that cannot reach that
         * zone (the lab's, a filtered one) must not turn it into an error:
         * nothing was judged, and nothing here probes Microsoft. */
        char what[320];
        if (strcasecmp(l->name, h->fqdn) == 0)
            snprintf(what, sizeof(what), "%s is", l->name);
        else
            snprintf(what, sizeof(what), "%s leads to %s,", l->name, h->fqdn);
        snprintf(msg, len,
                 "hosted: %s Microsoft's %s name for %s; its addresses are Microsoft's (lookup: "
                 "%s) and nothing here probes them",
                 what, lc_hosted_role_words(h->role), h->cloud,
                 lc_dns_lookup_failure(l, why, sizeof(why)));
        return LC_SKIP;
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
    if (h != NULL)
        snprintf(msg, len,
                 "%s resolves to %s%s%s%s; hosted: %s is Microsoft's %s name for %s, so nothing "
                 "here probes it",
                 l->name, addrs, canon != NULL ? " (CNAME to " : "", canon != NULL ? canon : "",
                 canon != NULL ? ")" : "", h->fqdn, lc_hosted_role_words(h->role), h->cloud);
    else if (canon != NULL)
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
    const struct lc_hosted_target *h = lc_dns_hosted_target(canonical);

    if (h != NULL && h->role == LC_HOSTED_WEBDIR) {
        /* "External Domain Name System records for Office 365": a domain
         * homed at Microsoft publishes lyncdiscover CNAME webdir.online.
         * lync.com (or its cloud's equivalent); Microsoft's autodiscover
         * answers for it. The foreign-CNAME caveat is about a reverse
         * proxy of this deployment, which does not serve this name. */
        snprintf(msg, len,
                 "hosted: %s is a CNAME to %s, Microsoft's autodiscover for %s, as Microsoft "
                 "documents for a SIP domain homed there: clients are sent to Microsoft; this "
                 "deployment's reverse proxy does not serve %s",
                 name, h->fqdn, h->cloud, domain);
        return LC_PASS;
    }
    if (h != NULL) {
        snprintf(msg, len,
                 "%s is a CNAME to %s, Microsoft's %s name, not its autodiscover: a domain homed "
                 "in %s publishes lyncdiscover CNAME %s",
                 name, h->fqdn, lc_hosted_role_words(h->role), h->cloud,
                 lc_dns_hosted_expected(h, LC_HOSTED_WEBDIR));
        return LC_FAIL;
    }
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
    const struct lc_hosted_target *hosted = NULL;
    size_t i, n_hosted = 0;

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
        const struct lc_hosted_target *h;
        /* RFC 2782: a target of "." means the service is not offered. */
        if (t[0] == '\0') {
            snprintf(msg, len, "%s: target '.' says the service is not available", rule->record);
            return LC_FAIL;
        }
        /* A hosted record on the wrong port fails like any other:
         * Microsoft documents 443 and 5061. */
        if (srvs[i].port != rule->port) {
            snprintf(msg, len, "%s: %s points to port %u, expected %u", rule->record, t,
                     srvs[i].port, rule->port);
            return LC_FAIL;
        }
        h = lc_dns_hosted_target(t);
        if (h != NULL) {
            enum lc_hosted_role want =
                rule->kind == LC_SRV_SIP_TLS ? LC_HOSTED_SIPDIR : LC_HOSTED_SIPFED;
            if (rule->kind == LC_SRV_XMPP) {
                snprintf(msg, len,
                         "%s: target %s is Microsoft's, which offers no XMPP federation for "
                         "domains homed in %s: remove the record or point it at this "
                         "deployment's Edge",
                         rule->record, t, h->cloud);
                return LC_FAIL;
            }
            if (h->role != want) {
                snprintf(msg, len,
                         "%s: target %s is Microsoft's %s name, not the one for this record: a "
                         "domain homed in %s publishes %s -> %s:%u",
                         rule->record, t, lc_hosted_role_words(h->role), h->cloud, rule->record,
                         lc_dns_hosted_expected(h, want), rule->port);
                return LC_FAIL;
            }
            if (hosted == NULL)
                hosted = h;
            n_hosted++;
            continue;
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
    if (n_hosted > 0 && n_hosted < n) {
        /* Clients and partners pick among the records by priority and
         * weight (RFC 2782), so some would reach Microsoft and some this
         * deployment. A split domain keeps the records on the on-premises
         * Edge; a domain homed at Microsoft points them all there
         * ("External Domain Name System records for Office 365"). */
        snprintf(msg, len,
                 "%s mixes Microsoft's %s (%s) with %zu target%s of this deployment: clients and "
                 "partners reach one or the other by priority and weight; a split domain points "
                 "every record at the on-premises Edge, a domain homed at Microsoft every record "
                 "at Microsoft",
                 rule->record, hosted->fqdn, hosted->cloud, n - n_hosted,
                 n - n_hosted == 1 ? "" : "s");
        return LC_WARN;
    }
    if (hosted != NULL) {
        if (rule->kind == LC_SRV_FEDERATION)
            snprintf(msg, len,
                     "hosted: %s is homed in %s (%s -> %s:%u): federation and external access "
                     "are Microsoft's; this deployment's Edge does not serve it. Partners on "
                     "Lync / Skype for Business Server federate with it through a hosting "
                     "provider entry for %s (New-CsHostingProvider), so the same-domain rule "
                     "(ms-diagnostics 1009) does not apply",
                     rule->domain, hosted->cloud, rule->record, hosted->fqdn, rule->port,
                     hosted->fqdn);
        else
            snprintf(msg, len,
                     "hosted: %s is homed in %s (%s -> %s:%u): federation and external access "
                     "are Microsoft's; this deployment's Edge does not serve it, and clients "
                     "sign in at Microsoft",
                     rule->domain, hosted->cloud, rule->record, hosted->fqdn, rule->port);
        return LC_PASS;
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
    char buf[512], why[128], note[96];
    size_t i, n_hosted = 0, first_hosted = f->n;

    *which = f->n;
    note[0] = '\0';
    if (f->n == 0) {
        snprintf(msg, len, "%s: no SRV target to judge", f->record);
        return LC_ERROR;
    }
    /* Microsoft's well-known targets are recognised by name: they need not
     * resolve, and their addresses are not this deployment's edge. */
    for (i = 0; i < f->n; i++) {
        if (lc_dns_hosted_target(f->targets[i].name) == NULL)
            continue;
        if (n_hosted++ == 0)
            first_hosted = i;
    }
    if (n_hosted == f->n) {
        const struct lc_hosted_target *h = lc_dns_hosted_target(f->targets[first_hosted].name);
        *which = first_hosted;
        snprintf(msg, len,
                 "hosted: %s -> %s, Microsoft's %s name for %s: federation and external access "
                 "are Microsoft's; %s, so the target is not compared with its addresses",
                 f->record, h->fqdn, lc_hosted_role_words(h->role), h->cloud,
                 lc_hosted_edge_words(f->edge_name, buf, sizeof(buf)));
        return LC_SKIP;
    }
    if (n_hosted > 0)
        snprintf(note, sizeof(note), "; %zu target%s at Microsoft not compared", n_hosted,
                 n_hosted == 1 ? "" : "s");
    for (i = 0; i < f->n; i++) {
        const struct lc_dns_lookup *t = &f->targets[i];
        int outcome = lc_dns_lookup_outcome(t);
        if (lc_dns_hosted_target(t->name) != NULL)
            continue;
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
        if (lc_dns_hosted_target(f->targets[i].name) != NULL)
            continue;
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
        if (lc_dns_hosted_target(f->targets[i].name) != NULL)
            continue;
        if (lc_dns_addr_not_in(f->targets[i].found, f->edge, buf, sizeof(buf)) > 0) {
            *which = i;
            if (lc_dns_pool_member_given(f->edge_name, f->targets[i].found, f->edge)) {
                snprintf(msg, len,
                         "SRV target %s resolves to the access edge address given (%s) and also "
                         "to %s: other pool members? Only the address given was probed",
                         f->targets[i].name, f->edge_name, buf);
                return LC_WARN;
            }
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
            int c;
            if (lc_dns_hosted_target(f->targets[i].name) != NULL)
                continue;
            c = lc_dns_edge_convention(f->targets[i].name, f->sip_domains, &dom);
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
                     "%zu SRV target%s resolve%s to the access edge (%s), each sip.<domain> or a "
                     "name in a SIP domain (%s%s)",
                     f->n - n_hosted, f->n - n_hosted == 1 ? "" : "s",
                     f->n - n_hosted == 1 ? "s" : "", f->edge_name, LC_DERIVED_NOTE, note);
        return LC_PASS;
    }
    snprintf(msg, len, "%zu SRV target%s resolve%s to the access edge (%s)%s%s%s", f->n - n_hosted,
             f->n - n_hosted == 1 ? "" : "s", f->n - n_hosted == 1 ? "s" : "", f->edge_name,
             n_hosted > 0 ? " (" : "", n_hosted > 0 ? note + 2 : "", n_hosted > 0 ? ")" : "");
    return LC_PASS;
}

enum lc_status lc_dns_judge_edge_addr(const char *name, const struct lc_dns_name *d,
                                      const char *edge_name, const struct lc_dns_name *edge,
                                      const char *derived_from, char *msg, size_t len)
{
    char buf[512];
    const struct lc_hosted_target *h = d != NULL ? lc_dns_hosted_target(d->canonical) : NULL;

    if (h != NULL && h->role == LC_HOSTED_SIPDIR) {
        /* sip.<d> CNAME sipdir.online.lync.com ("External Domain Name
         * System records for Office 365"): clients falling back to
         * sip.<domain> sign in at Microsoft. Comparing Microsoft's
         * addresses with this deployment's edge would prove nothing. */
        snprintf(msg, len,
                 "hosted: %s is a CNAME to %s, Microsoft's sign-in name for %s: clients that "
                 "fall back to it sign in at Microsoft; %s, so its addresses are not compared",
                 name, h->fqdn, h->cloud, lc_hosted_edge_words(edge_name, buf, sizeof(buf)));
        return LC_SKIP;
    }
    if (h != NULL) {
        snprintf(msg, len,
                 "%s is a CNAME to %s, Microsoft's %s name, not its sign-in name: a domain homed "
                 "in %s publishes sip CNAME %s",
                 name, h->fqdn, lc_hosted_role_words(h->role), h->cloud,
                 lc_dns_hosted_expected(h, LC_HOSTED_SIPDIR));
        return LC_FAIL;
    }
    if (d == NULL || d->n_addrs == 0 || edge == NULL || edge->n_addrs == 0) {
        snprintf(msg, len, "internal: %s or the access edge %s has no address to compare", name,
                 edge_name);
        return LC_ERROR;
    }
    if (lc_dns_addr_not_in(d, edge, buf, sizeof(buf)) > 0) {
        if (lc_dns_pool_member_given(edge_name, d, edge)) {
            snprintf(msg, len,
                     "%s resolves to the access edge address given (%s) and also to %s: other "
                     "pool members? Only the address given was probed",
                     name, edge_name, buf);
            return LC_WARN;
        }
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
