/* SPDX-License-Identifier: MIT */
/* Unit tests of the DNS layer: Lync's domain-matching rules, FQDN
 * validation, the DNS probe's verdicts (src/dnsjudge.c) from case tables,
 * and a resolver that never answers ending within the timeout. */
#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <check.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns.h"
#include "dnsjudge.h"
#include "loop.h"
#include "site.h"
#include "suites.h"

START_TEST(test_name_within)
{
    ck_assert(lc_dns_name_within("sip.contoso.com", "contoso.com"));
    ck_assert(lc_dns_name_within("SIP.Contoso.COM.", "contoso.com"));
    ck_assert(lc_dns_name_within("a.b.contoso.com", "contoso.com"));
    ck_assert(lc_dns_name_within("contoso.com", "contoso.com"));
    /* Suffix of a label is not the domain. */
    ck_assert(!lc_dns_name_within("sip.notcontoso.com", "contoso.com"));
    ck_assert(!lc_dns_name_within("sip.contoso.com.evil.net", "contoso.com"));
    ck_assert(!lc_dns_name_within("com", "contoso.com"));
    ck_assert(!lc_dns_name_within("sip.contoso.com", ""));
}
END_TEST

START_TEST(test_name_parent_is_federation_rule)
{
    /* Federation: the SRV target's domain must equal the SIP domain. */
    ck_assert(lc_dns_name_parent_is("sip.contoso.com", "contoso.com"));
    ck_assert(lc_dns_name_parent_is("access.contoso.com.", "CONTOSO.com"));
    ck_assert(!lc_dns_name_parent_is("sip.eu.contoso.com", "contoso.com"));
    ck_assert(!lc_dns_name_parent_is("sip.fabrikam.com", "contoso.com"));
    ck_assert(!lc_dns_name_parent_is("contoso.com", "contoso.com"));
    ck_assert(!lc_dns_name_parent_is(".contoso.com", "contoso.com"));
}
END_TEST

START_TEST(test_fqdn_normalize)
{
    const char *why;
    char *s;

    s = lc_fqdn_normalize("Sip.Contoso.COM.", &why);
    ck_assert_str_eq(s, "sip.contoso.com");
    free(s);
    ck_assert_ptr_null(lc_fqdn_normalize("", &why));
    ck_assert_ptr_null(lc_fqdn_normalize("a..b", &why));
    ck_assert_str_eq(why, "empty label");
    ck_assert_ptr_null(lc_fqdn_normalize("-a.b", &why));
    ck_assert_ptr_null(lc_fqdn_normalize("a-.b", &why));
    ck_assert_ptr_null(lc_fqdn_normalize("a b.c", &why));
    ck_assert_ptr_null(lc_fqdn_normalize("a.b\n", &why));
    {
        char label[80];
        memset(label, 'a', 64);
        label[64] = '\0';
        ck_assert_ptr_null(lc_fqdn_normalize(label, &why));
        ck_assert_str_eq(why, "label longer than 63 characters");
    }
}
END_TEST

START_TEST(test_site_defaults)
{
    struct lc_site site;

    memset(&site, 0, sizeof(site));
    ck_assert_int_eq(lc_strv_push(&site.sip_domains, "contoso.com"), 0);
    ck_assert_int_eq(lc_strv_push(&site.sip_domains, "fabrikam.com"), 0);
    ck_assert_int_eq(lc_site_apply_defaults(&site), 0);
    ck_assert_uint_eq(site.meet.n, 2);
    ck_assert_str_eq(site.meet.v[0], "meet.contoso.com");
    ck_assert_str_eq(site.meet.v[1], "meet.fabrikam.com");
    ck_assert_str_eq(site.dialin, "dialin.contoso.com");
    ck_assert_int_eq(site.dialin_src, LC_SRC_DEFAULT);
    ck_assert_ptr_null(site.access_edge);
    ck_assert_int_eq(lc_site_default_edge(&site), 0);
    ck_assert_str_eq(site.access_edge, "sip.contoso.com");
    ck_assert_int_eq(site.access_edge_src, LC_SRC_DEFAULT);
    lc_site_clear(&site);
}
END_TEST

/* ---- the DNS probe's verdicts (src/dnsjudge.c) ---- */

#define LC_T_N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct lc_t_private_case {
    const char *addr;
    int private_;
} lc_t_private_cases[] = {
    /* RFC 1918 */
    {"10.0.0.0", 1},
    {"10.11.12.13", 1},
    {"10.255.255.255", 1},
    {"9.255.255.255", 0},
    {"11.0.0.0", 0},
    {"172.16.0.0", 1},
    {"172.31.255.255", 1},
    {"172.15.255.255", 0},
    {"172.32.0.0", 0},
    {"192.168.0.1", 1},
    {"192.168.255.255", 1},
    {"192.167.255.255", 0},
    {"192.169.0.0", 0},
    /* RFC 6598 shared address space 100.64.0.0/10 */
    {"100.64.0.0", 1},
    {"100.127.255.255", 1},
    {"100.63.255.255", 0},
    {"100.128.0.0", 0},
    /* RFC 3927 link-local */
    {"169.254.1.1", 1},
    {"169.253.255.255", 0},
    /* Loopback is left alone (the lab lives there). */
    {"127.0.0.1", 0},
    {"127.72.1.10", 0},
    {"::1", 0},
    /* Public, documentation and the like */
    {"8.8.8.8", 0},
    {"192.0.2.10", 0},
    {"203.0.113.5", 0},
    {"2001:db8::1", 0},
    {"2a01:111:f400::1", 0},
    /* fc00::/7 */
    {"fc00::1", 1},
    {"fd12:3456:789a::1", 1},
    {"fbff:ffff::1", 0},
    {"fe00::1", 0},
    /* fe80::/10 */
    {"fe80::1", 1},
    {"febf:ffff::1", 1},
    {"fec0::1", 0},
    /* IPv4-mapped IPv6 (RFC 4291 2.5.5.2) */
    {"::ffff:10.1.2.3", 1},
    {"::ffff:192.168.1.1", 1},
    {"::ffff:100.64.0.1", 1},
    {"::ffff:8.8.8.8", 0},
    {"::ffff:127.0.0.1", 0},
    /* Not addresses */
    {"sip.contoso.com", 0},
    {"", 0},
    {"10.0.0", 0},
    {"fe80::1%eth0", 0},
};

START_TEST(test_addr_private)
{
    const struct lc_t_private_case *t = &lc_t_private_cases[_i];

    ck_assert_msg(lc_addr_is_private(t->addr) == t->private_, "%s: want %d", t->addr, t->private_);
    ck_assert_msg((lc_addr_private_range(t->addr) != NULL) == t->private_, "%s", t->addr);
}
END_TEST

START_TEST(test_addr_private_range_words)
{
    ck_assert_ptr_nonnull(strstr(lc_addr_private_range("172.20.1.1"), "RFC 1918"));
    ck_assert_ptr_nonnull(strstr(lc_addr_private_range("100.100.1.1"), "RFC 6598"));
    ck_assert_ptr_nonnull(strstr(lc_addr_private_range("fd00::5"), "fc00::/7"));
    ck_assert_ptr_nonnull(strstr(lc_addr_private_range("fe80::5"), "fe80::/10"));
    ck_assert_ptr_nonnull(strstr(lc_addr_private_range("::ffff:10.0.0.1"), "10.0.0.0/8"));
    ck_assert_ptr_null(lc_addr_private_range(NULL));
}
END_TEST

START_TEST(test_role_external)
{
    static const char *const external[] = {"access-edge", "webconf-edge",  "av-edge",
                                           "sip",         "lyncdiscover",  "meet",
                                           "dialin",      "web-external",  "director-web-external",
                                           "owa",         "reverse-proxy", "something-new"};
    static const char *const internal[] = {"edge-internal", "front-end", "director", "mediation"};
    size_t i;

    for (i = 0; i < sizeof(external) / sizeof(external[0]); i++)
        ck_assert_msg(lc_dns_role_is_external(external[i]), "%s", external[i]);
    for (i = 0; i < sizeof(internal) / sizeof(internal[0]); i++)
        ck_assert_msg(!lc_dns_role_is_external(internal[i]), "%s", internal[i]);
    ck_assert(lc_dns_role_is_external(NULL));
}
END_TEST

/* A name's addresses from "a,b,c" (at most 4), for the tables. */
struct lc_t_name {
    struct lc_dns_addr a[4];
    struct lc_dns_name n;
};

static const struct lc_dns_name *lc_t_name(struct lc_t_name *t, const char *csv,
                                           const char *canonical)
{
    const char *p = csv;

    memset(t, 0, sizeof(*t));
    t->n.addrs = t->a;
    t->n.canonical = (char *)(uintptr_t)canonical;
    if (csv == NULL)
        return &t->n;
    while (*p != '\0' && t->n.n_addrs < 4) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        struct lc_dns_addr *a = &t->a[t->n.n_addrs++];
        ck_assert_uint_lt(len, sizeof(a->text));
        memcpy(a->text, p, len);
        a->text[len] = '\0';
        a->family = strchr(a->text, ':') != NULL ? AF_INET6 : AF_INET;
        a->ttl = 3600;
        p = comma != NULL ? comma + 1 : p + len;
    }
    return &t->n;
}

static const struct lc_t_outcome_case {
    const char *addrs;
    int loop, st_a, st_aaaa;
    int want;
    const char *why; /* substring of lc_dns_lookup_failure, or NULL */
} lc_t_outcome_cases[] = {
    {"192.0.2.1", 0, ARES_SUCCESS, ARES_ENODATA, 1, NULL},
    {"2001:db8::1", 0, ARES_ENODATA, ARES_SUCCESS, 1, NULL},
    {NULL, 0, ARES_ENOTFOUND, ARES_ENOTFOUND, 0, "NXDOMAIN"},
    {NULL, 0, ARES_ENOTFOUND, ARES_ETIMEOUT, 0, "A: NXDOMAIN; AAAA: "},
    {NULL, 0, ARES_ETIMEOUT, ARES_ENOTFOUND, 0, "AAAA: NXDOMAIN"},
    {NULL, 0, ARES_ENODATA, ARES_ENODATA, 0, "NODATA"},
    {NULL, 0, ARES_ENODATA, ARES_ETIMEOUT, -1, "A: NODATA; AAAA: "},
    {NULL, 0, ARES_ESERVFAIL, ARES_ESERVFAIL, -1, NULL},
    {NULL, 0, ARES_EREFUSED, ARES_ENODATA, -1, NULL},
    {NULL, 0, ARES_ETIMEOUT, ARES_ETIMEOUT, -1, NULL},
    {NULL, 1, ARES_SUCCESS, ARES_SUCCESS, 0, "CNAME loop"},
    /* Addresses win over a loop seen on one side. */
    {"192.0.2.1", 1, ARES_SUCCESS, ARES_SUCCESS, 1, NULL},
};

START_TEST(test_lookup_outcome)
{
    const struct lc_t_outcome_case *t = &lc_t_outcome_cases[_i];
    struct lc_t_name n;
    struct lc_dns_lookup l = {"x.contoso.com", t->st_a, t->st_aaaa, t->loop, NULL, NULL};
    char why[128];

    l.found = lc_t_name(&n, t->addrs, NULL);
    ck_assert_msg(lc_dns_lookup_outcome(&l) == t->want, "case %d: %d", _i,
                  lc_dns_lookup_outcome(&l));
    lc_dns_lookup_failure(&l, why, sizeof(why));
    if (t->why != NULL)
        ck_assert_msg(strstr(why, t->why) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->why,
                      why);
    /* NULL found counts as no address. */
    l.found = NULL;
    if (t->addrs == NULL)
        ck_assert_int_eq(lc_dns_lookup_outcome(&l), t->want);
}
END_TEST

static const struct lc_t_a_case {
    const char *addrs;
    const char *canonical;
    int st_a, st_aaaa, external;
    enum lc_status want;
    const char *msg;
} lc_t_a_cases[] = {
    {"192.0.2.10,192.0.2.20", NULL, 0, ARES_ENODATA, 1, LC_PASS,
     "resolves to 192.0.2.10, 192.0.2.20"},
    {"127.72.1.10", NULL, 0, ARES_ENODATA, 1, LC_PASS, "127.72.1.10"},
    {"::1", NULL, ARES_ENODATA, 0, 1, LC_PASS, "::1"},
    {"192.0.2.10", "edge.hoster.net", 0, ARES_ENODATA, 1, LC_PASS, "(CNAME to edge.hoster.net)"},
    {NULL, NULL, ARES_ENOTFOUND, ARES_ENOTFOUND, 1, LC_FAIL, "has no A/AAAA record (NXDOMAIN)"},
    {NULL, NULL, ARES_ETIMEOUT, ARES_ETIMEOUT, 1, LC_ERROR, "lookup of x.contoso.com failed"},
    /* Private addresses of a name reached from the internet fail, naming the record. */
    {"10.11.12.13", NULL, 0, ARES_ENODATA, 1, LC_FAIL, "A 10.11.12.13 (RFC 1918"},
    {"192.0.2.10,172.16.0.5", NULL, 0, ARES_ENODATA, 1, LC_FAIL, "A 172.16.0.5"},
    {"100.64.1.1", NULL, 0, ARES_ENODATA, 1, LC_FAIL, "RFC 6598"},
    {"fd00::10", NULL, ARES_ENODATA, 0, 1, LC_FAIL, "AAAA fd00::10"},
    {"fe80::10", NULL, ARES_ENODATA, 0, 1, LC_FAIL, "link-local"},
    {"::ffff:192.168.1.1", NULL, ARES_ENODATA, 0, 1, LC_FAIL, "AAAA ::ffff:192.168.1.1"},
    {"10.1.1.1", "edge.corp.contoso.com", 0, ARES_ENODATA, 1, LC_FAIL,
     "(CNAME to edge.corp.contoso.com) has a private address"},
    {"10.1.1.1,10.1.1.2", NULL, 0, ARES_ENODATA, 1, LC_FAIL, "nothing connects to them"},
    /* Internal roles (edge-internal, internal profiles): private is normal. */
    {"10.11.12.13", NULL, 0, ARES_ENODATA, 0, LC_PASS, "resolves to 10.11.12.13"},
    {"fd00::10", NULL, ARES_ENODATA, 0, 0, LC_PASS, "fd00::10"},
    /* Hosted: a CNAME to one of Microsoft's names. The lab's DNS (and any
     * resolver that cannot reach Microsoft's zone) refuses the target: no
     * error, nothing judged. */
    {NULL, "sipdir.online.lync.com", ARES_EREFUSED, ARES_EREFUSED, 1, LC_SKIP,
     "hosted: x.contoso.com leads to sipdir.online.lync.com, Microsoft's client sign-in"},
    {NULL, "webdir.online.lync.com", ARES_ETIMEOUT, ARES_ETIMEOUT, 1, LC_SKIP,
     "Microsoft's autodiscover (lyncdiscover CNAME) name for Skype for Business Online"},
    {NULL, "webdir.online.gov.skypeforbusiness.us", ARES_ESERVFAIL, ARES_ESERVFAIL, 1, LC_SKIP,
     "Microsoft 365 GCC High"},
    {"192.0.2.10", "sipdir.online.lync.com", 0, ARES_ENODATA, 1, LC_PASS,
     "hosted: sipdir.online.lync.com is Microsoft's client sign-in"},
    /* Authoritatively nothing still fails; private addresses still fail. */
    {NULL, "sipdir.online.lync.com", ARES_ENOTFOUND, ARES_ENOTFOUND, 1, LC_FAIL,
     "it leads to sipdir.online.lync.com"},
    {"10.1.1.1", "sipdir.online.lync.com", 0, ARES_ENODATA, 1, LC_FAIL, "private address"},
    /* A look-alike is not Microsoft's: a refused lookup stays an error. */
    {NULL, "sipdir.online.lync.com.evil.net", ARES_EREFUSED, ARES_EREFUSED, 1, LC_ERROR,
     "lookup of x.contoso.com failed"},
};

START_TEST(test_judge_a)
{
    const struct lc_t_a_case *t = &lc_t_a_cases[_i];
    struct lc_t_name n;
    struct lc_dns_lookup l = {"x.contoso.com", t->st_a, t->st_aaaa, 0, NULL, NULL};
    char msg[1024];
    enum lc_status st;

    l.found = lc_t_name(&n, t->addrs, t->canonical);
    st = lc_dns_judge_a(&l, t->external, msg, sizeof(msg));
    ck_assert_msg(st == t->want, "case %d: status %d, want %d: %s", _i, (int)st, (int)t->want, msg);
    ck_assert_msg(strstr(msg, "x.contoso.com") != NULL, "case %d: no name in \"%s\"", _i, msg);
    ck_assert_msg(strstr(msg, t->msg) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg, msg);
}
END_TEST

START_TEST(test_private_list)
{
    struct lc_t_name n;
    char buf[256], tiny[12];

    ck_assert_uint_eq(
        lc_dns_private_list(lc_t_name(&n, "192.0.2.1,10.0.0.1,fd00::1", NULL), buf, sizeof(buf)),
        2);
    ck_assert_ptr_nonnull(strstr(buf, "A 10.0.0.1 (RFC 1918"));
    ck_assert_ptr_nonnull(strstr(buf, ", AAAA fd00::1 (RFC 4193"));
    ck_assert_ptr_null(strstr(buf, "192.0.2.1"));
    /* Bounded: counts them all, writes what fits. */
    ck_assert_uint_eq(lc_dns_private_list(&n.n, tiny, sizeof(tiny)), 2);
    ck_assert_uint_lt(strlen(tiny), sizeof(tiny));
    ck_assert_uint_eq(lc_dns_private_list(lc_t_name(&n, "192.0.2.1", NULL), buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, "");
    ck_assert_uint_eq(
        lc_dns_addr_not_in(lc_t_name(&n, "192.0.2.1,192.0.2.2", NULL), NULL, buf, sizeof(buf)), 2);
    ck_assert_str_eq(buf, "192.0.2.1, 192.0.2.2");
}
END_TEST

static const struct lc_t_leak_case {
    const char *addrs;
    int loop, st_a, st_aaaa;
    enum lc_status want;
    const char *msg;
} lc_t_leak_cases[] = {
    {NULL, 0, ARES_ENOTFOUND, ARES_ENOTFOUND, LC_PASS, "not published externally (NXDOMAIN)"},
    {NULL, 0, ARES_ENODATA, ARES_ENODATA, LC_PASS, "not published"},
    {"192.0.2.9", 0, 0, ARES_ENODATA, LC_WARN, "resolves from outside (192.0.2.9)"},
    {NULL, 1, 0, 0, LC_WARN, "CNAME that resolves nowhere"},
    {NULL, 0, ARES_ETIMEOUT, ARES_ETIMEOUT, LC_ERROR, "failed"},
    {NULL, 0, ARES_ENODATA, ARES_ESERVFAIL, LC_ERROR, "failed"},
};

START_TEST(test_judge_leak)
{
    const struct lc_t_leak_case *t = &lc_t_leak_cases[_i];
    struct lc_t_name n;
    struct lc_dns_lookup l = {
        "lyncdiscoverinternal.contoso.com", t->st_a, t->st_aaaa, t->loop, NULL, NULL};
    char msg[1024];
    enum lc_status st;

    l.found = lc_t_name(&n, t->addrs, NULL);
    st = lc_dns_judge_leak(&l, msg, sizeof(msg));
    ck_assert_msg(st == t->want, "case %d: status %d: %s", _i, (int)st, msg);
    ck_assert_msg(strstr(msg, t->msg) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg, msg);
}
END_TEST

START_TEST(test_judge_cname)
{
    char msg[512];

    ck_assert_int_eq(
        lc_dns_judge_cname("lyncdiscover.contoso.com", NULL, "contoso.com", msg, sizeof(msg)),
        LC_PASS);
    ck_assert_ptr_nonnull(strstr(msg, "no CNAME"));
    ck_assert_int_eq(lc_dns_judge_cname("lyncdiscover.contoso.com", "rp.eu.contoso.com",
                                        "contoso.com", msg, sizeof(msg)),
                     LC_PASS);
    ck_assert_int_eq(lc_dns_judge_cname("lyncdiscover.contoso.com", "lyncdiscover.hoster.net",
                                        "contoso.com", msg, sizeof(msg)),
                     LC_WARN);
    ck_assert_ptr_nonnull(strstr(msg, "port 80"));
    ck_assert_int_eq(lc_dns_judge_cname("lyncdiscover.contoso.com", "x.notcontoso.com",
                                        "contoso.com", msg, sizeof(msg)),
                     LC_WARN);
}
END_TEST

/* lyncdiscover into Microsoft's cloud: webdir is hosted, another of its
 * names is a mistake. */
static const struct lc_t_cname_case {
    const char *canonical;
    enum lc_status want;
    const char *msg;
} lc_t_cname_cases[] = {
    {"webdir.online.lync.com", LC_PASS,
     "hosted: lyncdiscover.contoso.com is a CNAME to webdir.online.lync.com, Microsoft's "
     "autodiscover for Skype for Business Online / Microsoft 365"},
    {"WebDir.Online.Lync.com.", LC_PASS, "hosted:"},
    {"webdir.online.gov.skypeforbusiness.us", LC_PASS, "Microsoft 365 GCC High"},
    {"webdir.online.dod.skypeforbusiness.us", LC_PASS, "Microsoft 365 DoD"},
    {"webdir.online.partner.lync.cn", LC_PASS, "21Vianet"},
    {"sipdir.online.lync.com", LC_FAIL, "publishes lyncdiscover CNAME webdir.online.lync.com"},
    {"sipfed.online.gov.skypeforbusiness.us", LC_FAIL,
     "lyncdiscover CNAME webdir.online.gov.skypeforbusiness.us"},
    /* Not Microsoft's: the foreign-CNAME warning as before. */
    {"webdir.online.lync.com.hoster.net", LC_WARN, "port 80"},
    {"lyncdiscover.online.lync.com", LC_WARN, "another domain"},
};

START_TEST(test_judge_cname_hosted)
{
    const struct lc_t_cname_case *t = &lc_t_cname_cases[_i];
    char msg[1024];
    enum lc_status st = lc_dns_judge_cname("lyncdiscover.contoso.com", t->canonical, "contoso.com",
                                           msg, sizeof(msg));

    ck_assert_msg(st == t->want, "case %d: status %d, want %d: %s", _i, (int)st, (int)t->want, msg);
    ck_assert_msg(strstr(msg, t->msg) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg, msg);
}
END_TEST

/* SRV records: up to 3 per case, "target:port" with priority 0. */
static const struct lc_t_srv_case {
    enum lc_srv_kind kind;
    int status;
    const char *srvs[3];
    enum lc_status want;
    const char *msg;
} lc_t_srv_cases[] = {
    {LC_SRV_SIP_TLS,
     0,
     {"sip.contoso.com:443"},
     LC_PASS,
     "_sip._tls.contoso.com -> sip.contoso.com:443"},
    {LC_SRV_SIP_TLS, 0, {"access.contoso.com:443"}, LC_PASS, "access.contoso.com:443"},
    {LC_SRV_SIP_TLS, 0, {"edge.eu.contoso.com:443"}, LC_PASS, "edge.eu.contoso.com"},
    {LC_SRV_SIP_TLS,
     0,
     {"a.contoso.com:443", "b.contoso.com:443"},
     LC_PASS,
     "2 records, all port 443 within contoso.com"},
    {LC_SRV_SIP_TLS, 0, {"sip.contoso.com:5061"}, LC_FAIL, "points to port 5061, expected 443"},
    {LC_SRV_SIP_TLS,
     0,
     {"a.contoso.com:443", "b.contoso.com:444"},
     LC_FAIL,
     "b.contoso.com points to port 444"},
    {LC_SRV_SIP_TLS,
     0,
     {"sip.fabrikam.com:443"},
     LC_FAIL,
     "sip.fabrikam.com is outside contoso.com"},
    {LC_SRV_SIP_TLS, 0, {"sip.notcontoso.com:443"}, LC_FAIL, "outside"},
    {LC_SRV_SIP_TLS, 0, {":443"}, LC_FAIL, "target '.'"},
    {LC_SRV_SIP_TLS,
     ARES_ENOTFOUND,
     {NULL},
     LC_FAIL,
     "no _sip._tls.contoso.com SRV record (NXDOMAIN)"},
    {LC_SRV_SIP_TLS, ARES_ENODATA, {NULL}, LC_FAIL, "(NODATA)"},
    /* A success without a record is no record, not "0 records, all fine". */
    {LC_SRV_SIP_TLS, 0, {NULL}, LC_FAIL, "no _sip._tls.contoso.com SRV record"},
    {LC_SRV_SIP_TLS, ARES_ETIMEOUT, {NULL}, LC_ERROR, "lookup of _sip._tls.contoso.com SRV failed"},
    {LC_SRV_SIP_TLS, ARES_ESERVFAIL, {NULL}, LC_ERROR, "failed"},
    {LC_SRV_FEDERATION, 0, {"sip.contoso.com:5061"}, LC_PASS, "sip.contoso.com:5061"},
    {LC_SRV_FEDERATION, 0, {"sip.eu.contoso.com:5061"}, LC_FAIL, "1009"},
    {LC_SRV_FEDERATION,
     0,
     {"sip.fabrikam.com:5061"},
     LC_FAIL,
     "not a host directly in contoso.com"},
    {LC_SRV_FEDERATION, 0, {"contoso.com:5061"}, LC_FAIL, "1009"},
    {LC_SRV_FEDERATION, 0, {"sip.contoso.com:443"}, LC_FAIL, "expected 5061"},
    {LC_SRV_FEDERATION, ARES_ENOTFOUND, {NULL}, LC_FAIL, "push notifications"},
    {LC_SRV_XMPP, 0, {"sip.contoso.com:5269"}, LC_PASS, "5269"},
    {LC_SRV_XMPP, 0, {"sip.contoso.com:5061"}, LC_FAIL, "expected 5269"},
    /* Hosted: a domain homed at Microsoft points its records at
     * Microsoft's edge, outside the domain, and that is not the 1009
     * fault ("External Domain Name System records for Office 365"). */
    {LC_SRV_FEDERATION,
     0,
     {"sipfed.online.lync.com:5061"},
     LC_PASS,
     "hosted: contoso.com is homed in Skype for Business Online / Microsoft 365 "
     "(_sipfederationtls._tcp.contoso.com -> sipfed.online.lync.com:5061): federation and external "
     "access are Microsoft's; this deployment's Edge does not serve it"},
    {LC_SRV_FEDERATION, 0, {"SipFed.Online.Lync.Com:5061"}, LC_PASS, "New-CsHostingProvider"},
    {LC_SRV_FEDERATION,
     0,
     {"sipfed.online.gov.skypeforbusiness.us:5061"},
     LC_PASS,
     "homed in Microsoft 365 GCC High"},
    {LC_SRV_FEDERATION,
     0,
     {"sipfed.online.dod.skypeforbusiness.us:5061"},
     LC_PASS,
     "homed in Microsoft 365 DoD"},
    {LC_SRV_FEDERATION,
     0,
     {"sipfed.online.partner.lync.cn:5061"},
     LC_PASS,
     "homed in Microsoft 365 operated by 21Vianet"},
    {LC_SRV_FEDERATION,
     0,
     {"sipfed.online.lync.com:5061", "sipfed.online.lync.com:5061"},
     LC_PASS,
     "hosted:"},
    {LC_SRV_SIP_TLS,
     0,
     {"sipdir.online.lync.com:443"},
     LC_PASS,
     "hosted: contoso.com is homed in Skype for Business Online / Microsoft 365 "
     "(_sip._tls.contoso.com -> sipdir.online.lync.com:443)"},
    /* A hosted record on a wrong port still fails. */
    {LC_SRV_FEDERATION, 0, {"sipfed.online.lync.com:443"}, LC_FAIL, "expected 5061"},
    {LC_SRV_SIP_TLS, 0, {"sipdir.online.lync.com:5061"}, LC_FAIL, "expected 443"},
    /* Microsoft's name of the other role. */
    {LC_SRV_FEDERATION,
     0,
     {"sipdir.online.lync.com:5061"},
     LC_FAIL,
     "publishes _sipfederationtls._tcp.contoso.com -> sipfed.online.lync.com:5061"},
    {LC_SRV_SIP_TLS,
     0,
     {"webdir.online.gov.skypeforbusiness.us:443"},
     LC_FAIL,
     "-> sipdir.online.gov.skypeforbusiness.us:443"},
    {LC_SRV_XMPP, 0, {"sipfed.online.lync.com:5269"}, LC_FAIL, "no XMPP federation"},
    /* Mixed: some reach Microsoft, some this deployment. */
    {LC_SRV_FEDERATION,
     0,
     {"sipfed.online.lync.com:5061", "sip.contoso.com:5061"},
     LC_WARN,
     "mixes Microsoft's sipfed.online.lync.com"},
    /* The on-premises rules still judge the other targets first. */
    {LC_SRV_FEDERATION,
     0,
     {"sipfed.online.lync.com:5061", "sip.eu.contoso.com:5061"},
     LC_FAIL,
     "1009"},
    /* Look-alikes are not Microsoft's. */
    {LC_SRV_FEDERATION, 0, {"sipfed.online.lync.com.evil.net:5061"}, LC_FAIL, "1009"},
    {LC_SRV_FEDERATION, 0, {"x.sipfed.online.lync.com:5061"}, LC_FAIL, "1009"},
    {LC_SRV_SIP_TLS, 0, {"sip.online.lync.com:443"}, LC_FAIL, "outside contoso.com"},
};

START_TEST(test_judge_srv)
{
    static const char *const prefix[] = {"_sip._tls.", "_sipfederationtls._tcp.",
                                         "_xmpp-server._tcp."};
    static const unsigned ports[] = {443, 5061, 5269};
    const struct lc_t_srv_case *t = &lc_t_srv_cases[_i];
    struct lc_dns_srv srvs[3];
    char targets[3][64], record[64], msg[1024];
    struct lc_srv_rule rule;
    size_t n = 0;
    enum lc_status st;

    snprintf(record, sizeof(record), "%scontoso.com", prefix[t->kind]);
    rule.record = record;
    rule.domain = "contoso.com";
    rule.kind = t->kind;
    rule.port = ports[t->kind];
    memset(srvs, 0, sizeof(srvs));
    while (n < 3 && t->srvs[n] != NULL) {
        const char *colon = strrchr(t->srvs[n], ':');
        size_t len = (size_t)(colon - t->srvs[n]);
        memcpy(targets[n], t->srvs[n], len);
        targets[n][len] = '\0';
        srvs[n].target = targets[n];
        srvs[n].port = (unsigned)strtoul(colon + 1, NULL, 10);
        n++;
    }
    st = lc_dns_judge_srv(&rule, t->status, srvs, n, msg, sizeof(msg));
    ck_assert_msg(st == t->want, "case %d: status %d, want %d: %s", _i, (int)st, (int)t->want, msg);
    ck_assert_msg(strstr(msg, record) != NULL, "case %d: no record in \"%s\"", _i, msg);
    ck_assert_msg(strstr(msg, t->msg) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg, msg);
}
END_TEST

/* SRV targets against the access edge. Targets "name=a,b" ("name=" with
 * no address: NXDOMAIN; "name=?": timeout); edge NULL: no usable address. */
static const struct lc_t_target_case {
    const char *targets[3];
    const char *edge;
    int derived;
    enum lc_status want;
    int which; /* index the verdict names, -1: none */
    const char *msg;
} lc_t_target_cases[] = {
    {{"access.contoso.com=192.0.2.10,192.0.2.20"},
     "192.0.2.10,192.0.2.20",
     0,
     LC_PASS,
     -1,
     "1 SRV target resolves to the access edge (access.contoso.com)"},
    {{"sip.contoso.com=192.0.2.10", "sip2.contoso.com=192.0.2.20"},
     "192.0.2.10,192.0.2.20",
     0,
     LC_PASS,
     -1,
     "2 SRV targets resolve"},
    {{"sip.contoso.com=192.0.2.10", "old.contoso.com=198.51.100.7"},
     "192.0.2.10",
     0,
     LC_FAIL,
     1,
     "old.contoso.com resolves to 198.51.100.7, not an address of the access edge"},
    {{"sip.contoso.com="}, "192.0.2.10", 0, LC_FAIL, 0, "does not resolve (NXDOMAIN)"},
    {{"sip.contoso.com=?"},
     "192.0.2.10",
     0,
     LC_ERROR,
     0,
     "lookup of SRV target sip.contoso.com failed"},
    {{"sip.contoso.com=10.11.12.13"},
     "192.0.2.10",
     0,
     LC_FAIL,
     0,
     "sip.contoso.com has a private address in external DNS: A 10.11.12.13"},
    /* A private target fails even when the edge left nothing to compare. */
    {{"sip.contoso.com=10.11.12.13"}, NULL, 1, LC_FAIL, 0, "RFC 1918"},
    {{"sip.contoso.com=192.0.2.10"},
     NULL,
     0,
     LC_SKIP,
     -1,
     "the access edge access.contoso.com left no address"},
    {{"sip.contoso.com=192.0.2.10"}, "", 0, LC_SKIP, -1, "did not"},
    /* Derived from this record: judged against the conventions. */
    {{"sip.contoso.com=192.0.2.10"},
     "192.0.2.10",
     1,
     LC_PASS,
     -1,
     "sip.contoso.com is sip.contoso.com, the conventional access edge name (the access edge name "
     "was derived from this record, so it is judged against the conventions)"},
    {{"sip.fabrikam.com=192.0.2.10"}, "192.0.2.10", 1, LC_PASS, -1, "is sip.fabrikam.com"},
    {{"SIP.Contoso.COM=192.0.2.10"}, "192.0.2.10", 1, LC_PASS, -1, "conventional"},
    {{"access.contoso.com=192.0.2.10"},
     "192.0.2.10",
     1,
     LC_PASS,
     -1,
     "a name in the SIP domain contoso.com (the access edge name was derived"},
    {{"edge.eu.fabrikam.com=192.0.2.10"}, "192.0.2.10", 1, LC_PASS, -1, "fabrikam.com"},
    {{"sip.contoso.com=192.0.2.10", "access.contoso.com=192.0.2.10"},
     "192.0.2.10",
     1,
     LC_PASS,
     -1,
     "2 SRV targets"},
    {{"old-edge.other.test=192.0.2.10"},
     "192.0.2.10",
     1,
     LC_WARN,
     0,
     "old-edge.other.test is neither sip.<domain> nor a name in a SIP domain"},
    {{"sip.contoso.com.evil.net=192.0.2.10"}, "192.0.2.10", 1, LC_WARN, 0, "derived"},
    {{"sip.contoso.com=192.0.2.10", "old-edge.other.test=192.0.2.10"},
     "192.0.2.10",
     1,
     LC_WARN,
     1,
     "old-edge.other.test"},
    /* The same odd name, given edge: the address comparison decides. */
    {{"old-edge.other.test=192.0.2.10"},
     "192.0.2.10",
     0,
     LC_PASS,
     -1,
     "resolves to the access edge"},
    /* Derived, but another target is not on the edge's addresses. */
    {{"sip.contoso.com=192.0.2.10", "sip2.contoso.com=192.0.2.99"},
     "192.0.2.10",
     1,
     LC_FAIL,
     1,
     "192.0.2.99"},
    /* Hosted: Microsoft's targets are judged by name, whatever their lookup
     * gave (the probe does not even look them up). */
    {{"sipdir.online.lync.com=?"},
     "192.0.2.10",
     0,
     LC_SKIP,
     0,
     "hosted: _sip._tls.contoso.com -> sipdir.online.lync.com, Microsoft's client sign-in"},
    {{"sipdir.online.lync.com="},
     NULL,
     1,
     LC_SKIP,
     0,
     "this deployment's Edge (access.contoso.com) does not serve it"},
    {{"sipdir.online.lync.com=192.0.2.99"}, "192.0.2.10", 0, LC_SKIP, 0, "not compared"},
    {{"sipfed.online.partner.lync.cn=?", "sipfed.online.lync.com=?"},
     "192.0.2.10",
     0,
     LC_SKIP,
     0,
     "21Vianet"},
    /* Mixed: the other targets are judged as before. */
    {{"sip.contoso.com=192.0.2.10", "sipdir.online.lync.com=?"},
     "192.0.2.10",
     0,
     LC_PASS,
     -1,
     "1 SRV target resolves to the access edge (access.contoso.com) (1 target at Microsoft not "
     "compared)"},
    {{"sipdir.online.lync.com=?", "sip.contoso.com=192.0.2.10"},
     "192.0.2.10",
     1,
     LC_PASS,
     -1,
     "1 SRV target resolves to the access edge (access.contoso.com), each sip.<domain>"},
    {{"sipdir.online.lync.com=?", "old.contoso.com=198.51.100.7"},
     "192.0.2.10",
     0,
     LC_FAIL,
     1,
     "old.contoso.com resolves to 198.51.100.7"},
    {{"sipdir.online.lync.com=?", "sip.contoso.com=?"},
     "192.0.2.10",
     0,
     LC_ERROR,
     1,
     "lookup of SRV target sip.contoso.com failed"},
    {{"sipdir.online.lync.com=?", "sip.contoso.com=192.0.2.10"},
     NULL,
     0,
     LC_SKIP,
     -1,
     "left no address"},
    /* A look-alike is looked up and compared like any name. */
    {{"sipdir.online.lync.com.evil.net=?"}, "192.0.2.10", 0, LC_ERROR, 0, "failed"},
};

START_TEST(test_judge_targets)
{
    const struct lc_t_target_case *t = &lc_t_target_cases[_i];
    struct lc_t_name names[3], edge;
    struct lc_dns_lookup l[3];
    char tnames[3][64], msg[1024];
    struct lc_strv domains = {NULL, 0};
    struct lc_dns_targets f;
    size_t n = 0, which;
    enum lc_status st;

    ck_assert_int_eq(lc_strv_push(&domains, "contoso.com"), 0);
    ck_assert_int_eq(lc_strv_push(&domains, "fabrikam.com"), 0);
    memset(l, 0, sizeof(l));
    while (n < 3 && t->targets[n] != NULL) {
        const char *eq = strchr(t->targets[n], '=');
        size_t len = (size_t)(eq - t->targets[n]);
        memcpy(tnames[n], t->targets[n], len);
        tnames[n][len] = '\0';
        l[n].name = tnames[n];
        if (strcmp(eq + 1, "?") == 0) {
            l[n].status_a = l[n].status_aaaa = ARES_ETIMEOUT;
            l[n].found = lc_t_name(&names[n], NULL, NULL);
        } else if (eq[1] == '\0') {
            l[n].status_a = l[n].status_aaaa = ARES_ENOTFOUND;
            l[n].found = lc_t_name(&names[n], NULL, NULL);
        } else {
            l[n].status_aaaa = ARES_ENODATA;
            l[n].found = lc_t_name(&names[n], eq + 1, NULL);
        }
        n++;
    }
    memset(&f, 0, sizeof(f));
    f.record = "_sip._tls.contoso.com";
    f.targets = l;
    f.n = n;
    f.edge_name = "access.contoso.com";
    f.edge = t->edge != NULL ? lc_t_name(&edge, t->edge, NULL) : NULL;
    f.derived = t->derived;
    f.sip_domains = &domains;
    st = lc_dns_judge_targets(&f, &which, msg, sizeof(msg));
    ck_assert_msg(st == t->want, "case %d: status %d, want %d: %s", _i, (int)st, (int)t->want, msg);
    ck_assert_msg(strstr(msg, t->msg) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg, msg);
    ck_assert_msg(which == (t->which < 0 ? n : (size_t)t->which), "case %d: which %zu", _i, which);
    /* Fail closed: nothing passes with the derived edge unless the note says so. */
    if (st == LC_PASS && t->derived)
        ck_assert_ptr_nonnull(strstr(msg, "derived from this record"));
    lc_strv_clear(&domains);
}
END_TEST

START_TEST(test_judge_targets_bounded)
{
    struct lc_t_name names[1], edge;
    struct lc_dns_lookup l[1];
    char longname[300], msg[24];
    struct lc_strv domains = {NULL, 0};
    struct lc_dns_targets f;
    size_t which;

    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    ck_assert_int_eq(lc_strv_push(&domains, "contoso.com"), 0);
    memset(l, 0, sizeof(l));
    l[0].name = longname;
    l[0].status_aaaa = ARES_ENODATA;
    l[0].found = lc_t_name(&names[0], "10.0.0.1,192.0.2.1", NULL);
    memset(&f, 0, sizeof(f));
    f.record = longname;
    f.targets = l;
    f.n = 1;
    f.edge_name = longname;
    f.edge = lc_t_name(&edge, "192.0.2.1", NULL);
    f.derived = 1;
    f.sip_domains = &domains;
    memset(msg, 'X', sizeof(msg));
    lc_dns_judge_targets(&f, &which, msg, sizeof(msg));
    ck_assert_uint_lt(strlen(msg), sizeof(msg));
    lc_strv_clear(&domains);
}
END_TEST

/* The access edge given as an address, one member of the pool an SRV target
 * resolves to: a warning naming the others, not a failure. */
START_TEST(test_judge_targets_pool_member_given)
{
    struct lc_t_name target, edge;
    struct lc_dns_lookup l;
    struct lc_dns_targets f;
    char msg[1024];
    size_t which;

    memset(&l, 0, sizeof(l));
    l.name = "sip.contoso.com";
    l.status_aaaa = ARES_ENODATA;
    l.found = lc_t_name(&target, "192.0.2.10,192.0.2.20", NULL);
    memset(&f, 0, sizeof(f));
    f.record = "_sip._tls.contoso.com";
    f.targets = &l;
    f.n = 1;
    f.edge_name = "192.0.2.10";
    f.edge = lc_t_name(&edge, "192.0.2.10", NULL);
    ck_assert_int_eq(lc_dns_judge_targets(&f, &which, msg, sizeof(msg)), LC_WARN);
    ck_assert_ptr_nonnull(strstr(msg, "also to 192.0.2.20: other pool members?"));
    /* A target that misses the address given altogether still fails. */
    l.found = lc_t_name(&target, "192.0.2.20", NULL);
    ck_assert_int_eq(lc_dns_judge_targets(&f, &which, msg, sizeof(msg)), LC_FAIL);
}
END_TEST

START_TEST(test_judge_edge_addr)
{
    struct lc_t_name d, e;
    char msg[1024];

    ck_assert_int_eq(lc_dns_judge_edge_addr(
                         "sip.contoso.com", lc_t_name(&d, "192.0.2.10", NULL), "access.contoso.com",
                         lc_t_name(&e, "192.0.2.10,192.0.2.20", NULL), NULL, msg, sizeof(msg)),
                     LC_PASS);
    ck_assert_ptr_nonnull(strstr(msg, "every address of sip.contoso.com"));
    ck_assert_int_eq(lc_dns_judge_edge_addr("sip.contoso.com",
                                            lc_t_name(&d, "192.0.2.10,198.51.100.1", NULL),
                                            "access.contoso.com", &e.n, NULL, msg, sizeof(msg)),
                     LC_FAIL);
    ck_assert_ptr_nonnull(strstr(msg, "resolves to 198.51.100.1, not an address"));
    ck_assert_ptr_null(strstr(msg, "derived"));
    ck_assert_int_eq(lc_dns_judge_edge_addr("sip.contoso.com", &d.n, "access.contoso.com", &e.n,
                                            "_sip._tls.contoso.com", msg, sizeof(msg)),
                     LC_FAIL);
    ck_assert_ptr_nonnull(strstr(msg, "derived from _sip._tls.contoso.com"));
    /* The access edge given as an address, one member of the pool the name
     * resolves to: the others may be Edge servers too, a warning. */
    ck_assert_int_eq(lc_dns_judge_edge_addr(
                         "sip.contoso.com", lc_t_name(&d, "192.0.2.10,192.0.2.20", NULL),
                         "192.0.2.10", lc_t_name(&e, "192.0.2.10", NULL), NULL, msg, sizeof(msg)),
                     LC_WARN);
    ck_assert_ptr_nonnull(strstr(msg, "also to 192.0.2.20: other pool members?"));
    /* ... but a name none of whose addresses is the one given still fails. */
    ck_assert_int_eq(lc_dns_judge_edge_addr("sip.contoso.com", lc_t_name(&d, "192.0.2.20", NULL),
                                            "192.0.2.10", &e.n, NULL, msg, sizeof(msg)),
                     LC_FAIL);
    lc_t_name(&e, "192.0.2.10,192.0.2.20", NULL);
    /* An empty set never passes as "every address". */
    ck_assert_int_eq(lc_dns_judge_edge_addr("sip.contoso.com", lc_t_name(&d, NULL, NULL),
                                            "access.contoso.com", &e.n, NULL, msg, sizeof(msg)),
                     LC_ERROR);
    ck_assert_int_eq(lc_dns_judge_edge_addr("sip.contoso.com", lc_t_name(&d, "192.0.2.10", NULL),
                                            "access.contoso.com", NULL, NULL, msg, sizeof(msg)),
                     LC_ERROR);
}
END_TEST

/* sip.<d> into Microsoft's cloud: the name decides, no address needed. */
static const struct lc_t_edge_hosted_case {
    const char *addrs, *canonical;
    int edge; /* 0: the edge left no address */
    enum lc_status want;
    const char *msg;
} lc_t_edge_hosted_cases[] = {
    {NULL, "sipdir.online.lync.com", 1, LC_SKIP,
     "hosted: sip.contoso.com is a CNAME to sipdir.online.lync.com, Microsoft's sign-in name for "
     "Skype for Business Online / Microsoft 365"},
    {NULL, "sipdir.online.lync.com", 0, LC_SKIP, "Edge (access.contoso.com) does not serve it"},
    {"192.0.2.99", "sipdir.online.lync.com", 1, LC_SKIP, "not compared"},
    {NULL, "sipdir.online.partner.lync.cn", 1, LC_SKIP, "21Vianet"},
    {NULL, "webdir.online.lync.com", 1, LC_FAIL, "publishes sip CNAME sipdir.online.lync.com"},
    {NULL, "sipfed.online.dod.skypeforbusiness.us", 1, LC_FAIL,
     "sip CNAME sipdir.online.dod.skypeforbusiness.us"},
    /* Not Microsoft's: compared as before. */
    {"192.0.2.99", "sipdir.online.lync.com.evil.net", 1, LC_FAIL, "not an address"},
    {NULL, "sipdir.online.lync.com.evil.net", 1, LC_ERROR, "no address"},
};

START_TEST(test_judge_edge_addr_hosted)
{
    const struct lc_t_edge_hosted_case *t = &lc_t_edge_hosted_cases[_i];
    struct lc_t_name d, e;
    char msg[1024];
    enum lc_status st;

    st = lc_dns_judge_edge_addr(
        "sip.contoso.com", lc_t_name(&d, t->addrs, t->canonical), "access.contoso.com",
        t->edge ? lc_t_name(&e, "192.0.2.10", NULL) : NULL, NULL, msg, sizeof(msg));
    ck_assert_msg(st == t->want, "case %d: status %d, want %d: %s", _i, (int)st, (int)t->want, msg);
    ck_assert_msg(strstr(msg, t->msg) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg, msg);
}
END_TEST

/* Only the SIP domain given, and its _sip._tls record is Microsoft's: the
 * access edge name derived from it is Microsoft's too. */
START_TEST(test_hosted_derived_edge)
{
    struct lc_t_name d;
    struct lc_dns_lookup l[1];
    struct lc_dns_targets f;
    char msg[1024];
    size_t which;

    ck_assert_int_eq(lc_dns_judge_edge_addr(
                         "sip.contoso.com", lc_t_name(&d, NULL, "sipdir.online.lync.com"),
                         "sipdir.online.lync.com", NULL, "_sip._tls.contoso.com", msg, sizeof(msg)),
                     LC_SKIP);
    ck_assert_ptr_nonnull(
        strstr(msg, "the access edge name sipdir.online.lync.com is Microsoft's too"));
    memset(l, 0, sizeof(l));
    l[0].name = "sipfed.online.lync.com";
    l[0].status_a = l[0].status_aaaa = ARES_EREFUSED;
    memset(&f, 0, sizeof(f));
    f.record = "_sipfederationtls._tcp.contoso.com";
    f.targets = l;
    f.n = 1;
    f.edge_name = "sipdir.online.lync.com";
    f.derived = 0;
    ck_assert_int_eq(lc_dns_judge_targets(&f, &which, msg, sizeof(msg)), LC_SKIP);
    ck_assert_uint_eq(which, 0);
    ck_assert_ptr_nonnull(strstr(msg, "hosted: _sipfederationtls._tcp.contoso.com -> "
                                      "sipfed.online.lync.com"));
    ck_assert_ptr_nonnull(strstr(msg, "no Edge of this deployment is known"));
}
END_TEST

/* Microsoft's well-known names: exact, case-insensitive, a trailing dot
 * ignored; never a suffix or prefix match. */
static const struct lc_t_hosted_case {
    const char *name;
    const char *fqdn; /* NULL: not Microsoft's */
    enum lc_hosted_role role;
    const char *cloud;
} lc_t_hosted_cases[] = {
    {"sipdir.online.lync.com", "sipdir.online.lync.com", LC_HOSTED_SIPDIR, "Microsoft 365"},
    {"sipfed.online.lync.com", "sipfed.online.lync.com", LC_HOSTED_SIPFED, "Microsoft 365"},
    {"webdir.online.lync.com", "webdir.online.lync.com", LC_HOSTED_WEBDIR, "Microsoft 365"},
    {"SIPFED.Online.Lync.COM.", "sipfed.online.lync.com", LC_HOSTED_SIPFED, "Skype for Business"},
    {"sipdir.online.gov.skypeforbusiness.us", "sipdir.online.gov.skypeforbusiness.us",
     LC_HOSTED_SIPDIR, "GCC High"},
    {"sipfed.online.gov.skypeforbusiness.us", "sipfed.online.gov.skypeforbusiness.us",
     LC_HOSTED_SIPFED, "GCC High"},
    {"webdir.online.gov.skypeforbusiness.us", "webdir.online.gov.skypeforbusiness.us",
     LC_HOSTED_WEBDIR, "GCC High"},
    {"sipdir.online.dod.skypeforbusiness.us", "sipdir.online.dod.skypeforbusiness.us",
     LC_HOSTED_SIPDIR, "DoD"},
    {"sipfed.online.dod.skypeforbusiness.us", "sipfed.online.dod.skypeforbusiness.us",
     LC_HOSTED_SIPFED, "DoD"},
    {"webdir.online.dod.skypeforbusiness.us", "webdir.online.dod.skypeforbusiness.us",
     LC_HOSTED_WEBDIR, "DoD"},
    {"sipdir.online.partner.lync.cn", "sipdir.online.partner.lync.cn", LC_HOSTED_SIPDIR,
     "21Vianet"},
    {"sipfed.online.partner.lync.cn", "sipfed.online.partner.lync.cn", LC_HOSTED_SIPFED,
     "21Vianet"},
    {"webdir.online.partner.lync.cn", "webdir.online.partner.lync.cn", LC_HOSTED_WEBDIR,
     "21Vianet"},
    {"sipfed.online.lync.com.evil.net", NULL, LC_HOSTED_SIPFED, NULL},
    {"x.sipfed.online.lync.com", NULL, LC_HOSTED_SIPFED, NULL},
    {"evilsipfed.online.lync.com", NULL, LC_HOSTED_SIPFED, NULL},
    {"sipfed.online.lync.co", NULL, LC_HOSTED_SIPFED, NULL},
    {"sipfed.online.lync.com..", NULL, LC_HOSTED_SIPFED, NULL},
    {"online.lync.com", NULL, LC_HOSTED_SIPFED, NULL},
    {"sip.online.lync.com", NULL, LC_HOSTED_SIPFED, NULL},
    {"sip.contoso.com", NULL, LC_HOSTED_SIPFED, NULL},
    {"", NULL, LC_HOSTED_SIPFED, NULL},
    {".", NULL, LC_HOSTED_SIPFED, NULL},
};

START_TEST(test_hosted_target)
{
    const struct lc_t_hosted_case *t = &lc_t_hosted_cases[_i];
    const struct lc_hosted_target *h = lc_dns_hosted_target(t->name);

    if (t->fqdn == NULL) {
        ck_assert_msg(h == NULL, "case %d: %s matched %s", _i, t->name, h->fqdn);
        return;
    }
    ck_assert_msg(h != NULL, "case %d: %s not recognised", _i, t->name);
    ck_assert_str_eq(h->fqdn, t->fqdn);
    ck_assert_int_eq(h->role, t->role);
    ck_assert_msg(strstr(h->cloud, t->cloud) != NULL, "case %d: cloud %s", _i, h->cloud);
    /* Every cloud names all three roles. */
    ck_assert_ptr_nonnull(lc_dns_hosted_expected(h, LC_HOSTED_SIPDIR));
    ck_assert_ptr_nonnull(lc_dns_hosted_expected(h, LC_HOSTED_SIPFED));
    ck_assert_ptr_nonnull(lc_dns_hosted_expected(h, LC_HOSTED_WEBDIR));
    ck_assert_ptr_eq(lc_dns_hosted_target(lc_dns_hosted_expected(h, h->role)), h);
}
END_TEST

START_TEST(test_hosted_lookup)
{
    struct lc_strv chain = {NULL, 0};
    struct lc_t_name n;
    struct lc_dns_lookup l = {"sip.contoso.com", ARES_EREFUSED, ARES_EREFUSED, 0, NULL, NULL};
    const struct lc_hosted_target *h;

    ck_assert_ptr_null(lc_dns_hosted_lookup(&l));
    /* The name itself (an access edge derived from a hosted record). */
    l.name = "sipdir.online.lync.com";
    h = lc_dns_hosted_lookup(&l);
    ck_assert_ptr_nonnull(h);
    ck_assert_str_eq(h->fqdn, "sipdir.online.lync.com");
    /* The canonical name (the lab: the chain stops at Microsoft's name). */
    l.name = "sip.contoso.com";
    l.found = lc_t_name(&n, NULL, "sipdir.online.lync.com");
    h = lc_dns_hosted_lookup(&l);
    ck_assert_ptr_nonnull(h);
    ck_assert_int_eq(h->role, LC_HOSTED_SIPDIR);
    /* Inside the chain (the internet: Microsoft's name is itself a CNAME
     * to its load balancer's). */
    l.found = lc_t_name(&n, "192.0.2.10", "sipdir-pool.trafficmanager.example");
    ck_assert_ptr_null(lc_dns_hosted_lookup(&l));
    ck_assert_int_eq(lc_strv_push(&chain, "sip.contoso.com"), 0);
    ck_assert_int_eq(lc_strv_push(&chain, "SIPDIR.online.lync.com"), 0);
    l.chain = &chain;
    h = lc_dns_hosted_lookup(&l);
    ck_assert_ptr_nonnull(h);
    ck_assert_str_eq(h->fqdn, "sipdir.online.lync.com");
    lc_strv_clear(&chain);
    ck_assert_ptr_null(lc_dns_hosted_expected(NULL, LC_HOSTED_SIPFED));
}
END_TEST

struct lc_dns_wait {
    struct lc_loop *loop;
    int called;
    int status;
    uint64_t at;
};

static void lc_on_answer(const struct lc_dns_answer *a, void *arg)
{
    struct lc_dns_wait *w = arg;
    w->called++;
    w->status = a->status;
    w->at = lc_now_us();
    lc_loop_stop(w->loop);
}

static void lc_guard(struct lc_loop *loop, void *arg)
{
    (void)arg;
    lc_loop_stop(loop);
}

/* A UDP socket that is bound and never read: a server that never answers. */
static int lc_blackhole(int *port)
{
    unsigned p;
    int fd = lc_t_loopback_socket(SOCK_DGRAM, 0, &p);

    *port = (int)p;
    return fd;
}

START_TEST(test_silent_server_times_out)
{
    struct lc_loop *loop;
    struct lc_dns *dns;
    struct lc_dns_wait w = {NULL, 0, 0, 0};
    struct lc_timer *guard;
    char servers[64], err[256];
    int port, fd = lc_blackhole(&port);
    uint64_t t0;

    snprintf(servers, sizeof(servers), "127.0.0.1:%d", port);
    ck_assert_int_eq(lc_loop_new(&loop), 0);
    w.loop = loop;
    ck_assert_msg(lc_dns_new(&dns, loop, servers, 600000, err, sizeof(err)) == 0, "%s", err);
    t0 = lc_now_us();
    ck_assert_int_eq(lc_dns_query(dns, "sip.contoso.test", ns_t_a, lc_on_answer, &w), 0);
    ck_assert_int_eq(w.called, 0); /* never from inside the call */
    /* The guard stops the loop if the resolver never calls back. */
    guard = lc_loop_timer_add(loop, 5000000, lc_guard, NULL);
    ck_assert_int_eq(lc_loop_run(loop), 0);
    ck_assert_msg(w.called == 1, "the resolver never called back");
    ck_assert_int_eq(w.status, ARES_ETIMEOUT);
    /* Two tries of timeout/3 then 2*timeout/3: about the timeout, not c-ares' 5 s default. */
    ck_assert_uint_lt(w.at - t0, 1500000);
    lc_loop_timer_cancel(loop, guard);
    lc_dns_free(dns);
    ck_assert_uint_eq(lc_loop_io_count(loop), 0);
    lc_loop_free(loop);
    close(fd);
}
END_TEST

START_TEST(test_bad_server_list)
{
    struct lc_loop *loop;
    struct lc_dns *dns = NULL;
    char err[256] = "";

    ck_assert_int_eq(lc_loop_new(&loop), 0);
    ck_assert_int_ne(lc_dns_new(&dns, loop, "not-an-ip:53", 1000000, err, sizeof(err)), 0);
    ck_assert_ptr_null(dns);
    ck_assert_ptr_nonnull(strstr(err, "not-an-ip"));
    lc_loop_free(loop);
}
END_TEST

Suite *lc_suite_dns(void)
{
    Suite *s = suite_create("dns");
    TCase *rules = tcase_create("rules");
    TCase *resolver = tcase_create("resolver");
    TCase *judge = tcase_create("judge");

    tcase_add_test(rules, test_name_within);
    tcase_add_test(rules, test_name_parent_is_federation_rule);
    tcase_add_test(rules, test_fqdn_normalize);
    tcase_add_test(rules, test_site_defaults);
    tcase_add_loop_test(judge, test_addr_private, 0, LC_T_N(lc_t_private_cases));
    tcase_add_test(judge, test_addr_private_range_words);
    tcase_add_test(judge, test_role_external);
    tcase_add_loop_test(judge, test_lookup_outcome, 0, LC_T_N(lc_t_outcome_cases));
    tcase_add_loop_test(judge, test_judge_a, 0, LC_T_N(lc_t_a_cases));
    tcase_add_test(judge, test_private_list);
    tcase_add_loop_test(judge, test_judge_leak, 0, LC_T_N(lc_t_leak_cases));
    tcase_add_test(judge, test_judge_cname);
    tcase_add_loop_test(judge, test_judge_cname_hosted, 0, LC_T_N(lc_t_cname_cases));
    tcase_add_loop_test(judge, test_judge_srv, 0, LC_T_N(lc_t_srv_cases));
    tcase_add_loop_test(judge, test_judge_targets, 0, LC_T_N(lc_t_target_cases));
    tcase_add_test(judge, test_judge_targets_bounded);
    tcase_add_test(judge, test_judge_edge_addr);
    tcase_add_test(judge, test_judge_targets_pool_member_given);
    tcase_add_loop_test(judge, test_judge_edge_addr_hosted, 0, LC_T_N(lc_t_edge_hosted_cases));
    tcase_add_loop_test(judge, test_hosted_target, 0, LC_T_N(lc_t_hosted_cases));
    tcase_add_test(judge, test_hosted_lookup);
    tcase_add_test(judge, test_hosted_derived_edge);
    tcase_set_timeout(resolver, 20);
    tcase_add_test(resolver, test_silent_server_times_out);
    tcase_add_test(resolver, test_bad_server_list);
    suite_add_tcase(s, rules);
    suite_add_tcase(s, judge);
    suite_add_tcase(s, resolver);
    return s;
}
