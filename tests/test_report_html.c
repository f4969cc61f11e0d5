/* SPDX-License-Identifier: MIT */
/* lynccheck - unit tests for the HTML, Nagios and Prometheus reporters, the
 * HTML escaping layer (html.c) and the fix table (fixes.c).
 *
 * Reports are built by hand, as in test_report.c, with what a hostile
 * server can put into a message, an id or the evidence: markup that would
 * run script if it reached the page, the plugin output's '|' separator,
 * label-breaking quotes and newlines, invalid UTF-8 and control bytes. */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fixes.h"
#include "html.h"
#include "result.h"
#include "suites.h"
#include "utf8.h"

#define LC_H_STARTED ((time_t)1795319294) /* 2026-11-22T03:48:14Z */
#define LC_H_FFFD "\xEF\xBF\xBD"
#define LC_H_XSS "<script>alert(1)</script>\"><img src=x onerror=alert(2)>'"
#define LC_H_NOT_AFTER "2027-01-01T00:00:00Z"
#define LC_H_NOT_AFTER_EPOCH "1798761600"

enum { LC_H_N = 9 };

static struct lc_result lc_h_res[LC_H_N];
static const struct lc_result *lc_h_ptrs[LC_H_N];
static json_t *lc_h_ev[LC_H_N];
static json_t *lc_h_site;
static char *lc_h_big;
static const char *const lc_h_domains[] = {"contoso.com", "fabrikam.com"};
static struct lc_report lc_h_report;

static json_t *lc_h_cert(const char *sha, const char *subject, int days)
{
    json_t *c = json_pack("{s:s, s:s, s:s, s:[ss], s:s, s:i}", "sha256", sha, "subject", subject,
                          "issuer", "CN=Contoso CA", "sans", "sip.contoso.com",
                          "webconf.contoso.com", "not_after", LC_H_NOT_AFTER, "days_left", days);
    ck_assert_ptr_nonnull(c);
    return c;
}

static void lc_h_setup(void)
{
    static const struct {
        const char *id, *probe, *what, *target, *message, *reference;
        enum lc_status status;
        uint64_t us;
    } rows[LC_H_N] = {
        {"dns.srv:_sipfederationtls._tcp.contoso.com", "dns", "srv",
         "_sipfederationtls._tcp.contoso.com", "1 SRV answer", "federation SRV", LC_PASS, 1234},
        {"tls.san:sip.contoso.com:443", "tls", "san", "sip.contoso.com:443",
         "access edge certificate lacks 1 required name: sip.fabrikam.com", "Edge SAN", LC_FAIL,
         2000},
        {"tls.handshake:sip.contoso.com:5061", "tls", "handshake", "sip.contoso.com:5061",
         "handshake ok", "TLS", LC_PASS, 50000},
        {"web.user:lyncweb.contoso.com|x", "web", "user", "lyncweb.contoso.com",
         LC_H_XSS " \x01\x1b[31m | pipe\nsecond line \xff\xfe", "user link 401", LC_WARN, 800},
        {"web.webticket:dirweb.contoso.com", "web", "webticket", "dirweb.contoso.com",
         "401 with Negotiate, NTLM", "WebTicket", LC_PASS, 900},
        {"port.tcp:sip.contoso.com:5061", "port", "tcp", "sip.contoso.com:5061", "filtered",
         "ports", LC_ERROR, 5000000},
        {"xmpp.stream:contoso.com", "xmpp", "stream", "contoso.com", "XMPP federation not in use",
         NULL, LC_SKIP, 0},
        {"custom.thing:\"quoted\\back\nslash", "custom", "thing", "elsewhere", "odd id", "",
         LC_PASS, 10},
        /* The same id twice: Prometheus must not get a duplicate series. */
        {"dns.srv:_sipfederationtls._tcp.contoso.com", "dns", "srv",
         "_sipfederationtls._tcp.contoso.com", "1 SRV answer", "federation SRV", LC_PASS, 1234},
    };
    json_t *certs;

    for (size_t i = 0; i < LC_H_N; i++) {
        lc_h_ev[i] = json_object();
        ck_assert_ptr_nonnull(lc_h_ev[i]);
        lc_h_res[i] = (struct lc_result){
            .id = rows[i].id,
            .probe = rows[i].probe,
            .what = rows[i].what,
            .target = rows[i].target,
            .status = rows[i].status,
            .message = rows[i].message,
            .reference = rows[i].reference,
            .duration_us = rows[i].us,
            .evidence = lc_h_ev[i],
        };
        lc_h_ptrs[i] = &lc_h_res[i];
    }
    /* tls.san: one certificate, one required name missing. */
    certs = json_object();
    ck_assert_int_eq(
        json_object_set_new(certs, "aa11",
                            json_pack("{s:[s], s:o, s:[sss], s:[s], s:s}", "addresses", "192.0.2.1",
                                      "certificate", lc_h_cert("aa11", "CN=sip.contoso.com", 12),
                                      "required", "sip.contoso.com", "webconf.contoso.com",
                                      "sip.fabrikam.com", "missing", "sip.fabrikam.com", "status",
                                      "fail")),
        0);
    ck_assert_int_eq(json_object_set_new(lc_h_ev[1], "certificates", certs), 0);
    /* tls.handshake: per address, a hostile subject. */
    ck_assert_int_eq(
        json_object_set_new(lc_h_ev[2], "addresses",
                            json_pack("{s:{s:b, s:o}}", "192.0.2.1", "handshake", 1, "certificate",
                                      lc_h_cert("bb22", "CN=<script>x</script>", 40))),
        0);
    /* web.user: a transcript, a hostile header, and a megabyte of body. */
    lc_h_big = malloc(1 << 20);
    ck_assert_ptr_nonnull(lc_h_big);
    memset(lc_h_big, 'A', (1 << 20) - 1);
    lc_h_big[(1 << 20) - 1] = '\0';
    ck_assert_int_eq(
        json_object_set_new(lc_h_ev[3], "addresses",
                            json_pack("{s:{s:[{s:s, s:i, s:s, s:s}]}}", "192.0.2.7", "transcript",
                                      "request", "GET /Autodiscover/ HTTP/1.1", "status", 401,
                                      "header", "WWW-Authenticate: <iframe src=//evil>", "body",
                                      lc_h_big)),
        0);
    lc_h_site = json_pack("{s:[ss], s:{s:s, s:s}, s:n, s:n, s:[s], s:[s], s:n, s:[], s:n, s:b}",
                          "sip_domains", "contoso.com", "fabrikam.com", "access_edge", "fqdn",
                          "sip.contoso.com", "source", "given", "webconf_edge", "av_edge",
                          "web_external", "lyncweb.contoso.com", "director_web_external",
                          "dirweb.contoso.com", "owa", "meet", "dialin", "xmpp", 0);
    ck_assert_ptr_nonnull(lc_h_site);
    lc_h_report = (struct lc_report){
        .profile = "external\"><b>",
        .sip_domains = lc_h_domains,
        .n_sip_domains = 2,
        .version = "0.1.0",
        .hostname = "ci<runner>",
        .started = LC_H_STARTED,
        .duration_us = 420499,
        .site = lc_h_site,
        .results = lc_h_ptrs,
        .n_results = LC_H_N,
    };
}

static void lc_h_teardown(void)
{
    for (size_t i = 0; i < LC_H_N; i++)
        json_decref(lc_h_ev[i]);
    json_decref(lc_h_site);
    free(lc_h_big);
}

/* Renders into memory; the reporter must succeed. Caller frees. */
static char *lc_h_render(char kind, const struct lc_report *report)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int rc;

    ck_assert_ptr_nonnull(f);
    rc = kind == 'h'   ? lc_report_html(report, f)
         : kind == 'n' ? lc_report_nagios(report, f)
                       : lc_report_prometheus(report, f);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(strlen(buf), len);
    return buf;
}

/* The whole output is valid UTF-8 without controls other than LF (and tab
 * and CR where allow_tab_cr). */
static void lc_h_assert_clean(const char *s, int allow_tab_cr)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;

    while (i < n) {
        uint32_t cp = 0;
        size_t len = lc_utf8_len(p + i, n - i, &cp);
        ck_assert_msg(len > 0, "invalid UTF-8 at byte %zu", i);
        ck_assert_msg(cp >= 0x20 || cp == '\n' || (allow_tab_cr && (cp == '\t' || cp == '\r')),
                      "control U+%04X at byte %zu", (unsigned)cp, i);
        ck_assert_msg(cp < 0x7F || cp > 0x9F, "DEL or C1 control U+%04X at byte %zu", (unsigned)cp,
                      i);
        i += len;
    }
}

/* ---- html.c ---- */

static void lc_h_assert_escape(const char *in, size_t max, const char *want)
{
    char *got = lc_html_escape(in, max);

    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(test_html_escape)
{
    lc_h_assert_escape("<script>alert(1)</script>", 0, "&lt;script&gt;alert(1)&lt;/script&gt;");
    lc_h_assert_escape("\"><img src=x onerror=alert(1)>", 0,
                       "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    lc_h_assert_escape("it's &amp;", 0, "it&#39;s &amp;amp;");
    lc_h_assert_escape(NULL, 0, "");
    lc_h_assert_escape("", 0, "");
    /* Invalid UTF-8: stray continuation, overlong '/', a surrogate, a
     * truncated sequence at the end; each bad byte becomes U+FFFD. */
    lc_h_assert_escape("a\xff\xfe"
                       "b",
                       0, "a" LC_H_FFFD LC_H_FFFD "b");
    lc_h_assert_escape("\xc0\xaf", 0, LC_H_FFFD LC_H_FFFD);
    lc_h_assert_escape("\xed\xa0\x80", 0, LC_H_FFFD LC_H_FFFD LC_H_FFFD);
    lc_h_assert_escape("x\xe6\x97", 0, "x" LC_H_FFFD LC_H_FFFD);
    /* Controls: C0 (ESC of an ANSI colour), DEL, C1 (U+009B), a bidi
     * override; tab, LF and CR are kept. */
    lc_h_assert_escape("\x01\x1b[31mred\x7f\xc2\x9b", 0,
                       LC_H_FFFD LC_H_FFFD "[31mred" LC_H_FFFD LC_H_FFFD);
    lc_h_assert_escape("evil\xe2\x80\xae"
                       "moc.nip",
                       0, "evil" LC_H_FFFD "moc.nip");
    lc_h_assert_escape("a\tb\nc\rd", 0, "a\tb\nc\rd");
    /* Noncharacters. */
    lc_h_assert_escape("\xef\xbf\xbe\xef\xb7\x90", 0, LC_H_FFFD LC_H_FFFD);
    /* Legitimate non-ASCII survives. */
    lc_h_assert_escape("\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x92", 0,
                       "\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x92");
}
END_TEST

START_TEST(test_html_escape_limit)
{
    char *big = malloc(100001), *got;

    ck_assert_ptr_nonnull(big);
    memset(big, '<', 100000);
    big[100000] = '\0';
    got = lc_html_escape(big, 10);
    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, "&lt;&lt;&lt;&lt;&lt;&lt;&lt;&lt;&lt;&lt;\xe2\x80\xa6");
    free(got);
    got = lc_html_escape(big, 0);
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(strlen(got), 400000);
    free(got);
    free(big);
    /* The limit never splits a character into replacement characters. */
    lc_h_assert_escape("\xc3\xa9\xc3\xa9\xc3\xa9", 3, "\xc3\xa9\xe2\x80\xa6");
    lc_h_assert_escape("\xc3\xa9\xc3\xa9", 4, "\xc3\xa9\xc3\xa9");
    lc_h_assert_escape("abc", 3, "abc");
    lc_h_assert_escape("abcd", 3, "abc\xe2\x80\xa6");
    lc_h_assert_escape("ab\xff", 2, "ab\xe2\x80\xa6");
}
END_TEST

/* ---- fixes.c ---- */

START_TEST(test_fixes_cover_every_kind)
{
    /* Every lc_run_add(run, "<probe>", "<what>", ...) in probes/, and the
     * web walk's steps. */
    static const char *const kinds[][2] = {
        {"dns", "a"},
        {"dns", "srv"},
        {"dns", "srv-target"},
        {"dns", "edge-address"},
        {"dns", "internal-leak"},
        {"dns", "lyncdiscover-cname"},
        {"port", "tcp"},
        {"port", "tcp-range"},
        {"port", "udp-range"},
        {"sip", "register"},
        {"sip", "options"},
        {"stun", "turn"},
        {"stun", "pseudo-tls"},
        {"tls", "handshake"},
        {"tls", "no-sni"},
        {"tls", "name"},
        {"tls", "consistency"},
        {"tls", "san"},
        {"tls", "chain"},
        {"tls", "validity"},
        {"tls", "intermediates"},
        {"tls", "key"},
        {"tls", "signature"},
        {"tls", "eku"},
        {"tls", "crl"},
        {"tls", "subject"},
        {"xmpp", "stream"},
        {"web", "discover"},
        {"web", "discover-xml"},
        {"web", "discover-http"},
        {"web", "links"},
        {"web", "user"},
        {"web", "webticket"},
        {"web", "webticket-mex"},
        {"web", "certprov"},
        {"web", "certprov-mex"},
        {"web", "abs"},
        {"web", "groupexpansion"},
        {"web", "rgs"},
        {"web", "ucdevice"},
        {"web", "mcx"},
        {"web", "ucwa"},
        {"web", "xframe"},
        {"web", "oauthtoken"},
        {"web", "internal-dirs"},
        {"web", "scheduler"},
        {"web", "meet"},
        {"web", "dialin"},
        {"signin", "webticket"},
        {"signin", "certprov"},
        {"signin", "fe-ticket"},
        {"signin", "abs"},
        {"web", "vdirs"},
        {"revocation", "crl"},
        {"revocation", "ocsp"},
    };
    const char *probe, *what;
    size_t i;

    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        const char *fix = lc_fix_for(kinds[i][0], kinds[i][1]);
        const char *general = lc_fix_for(kinds[i][0], "no-such-kind");
        ck_assert_msg(fix != NULL, "no fix for %s.%s", kinds[i][0], kinds[i][1]);
        ck_assert_msg(general != NULL && fix != general, "%s.%s has only the general advice",
                      kinds[i][0], kinds[i][1]);
        ck_assert_msg(strlen(fix) > 30 && strlen(fix) < 400, "%s.%s: fix of odd length",
                      kinds[i][0], kinds[i][1]);
    }
    /* And the table knows nothing this list does not name. */
    for (i = 0; lc_fix_kind(i, &probe, &what) == 0; i++)
        ;
    ck_assert_uint_eq(i, sizeof(kinds) / sizeof(kinds[0]));
    ck_assert_ptr_null(lc_fix_for("no-such-probe", "a"));
    ck_assert_ptr_null(lc_fix_for(NULL, "a"));
    ck_assert_ptr_nonnull(lc_fix_for("dns", NULL));
    ck_assert_ptr_nonnull(strstr(lc_fix_for("dns", "srv"), "_sip._tls.<domain> 0 0 443"));
}
END_TEST

/* ---- HTML report ---- */

/* No element that runs or fetches anything, no event handler attribute:
 * what the browser will see, as libxml2's HTML parser builds it. */
static void lc_h_walk_dom(xmlNode *n, size_t *elements)
{
    static const char *const banned[] = {"script", "img",  "iframe", "object", "embed", "link",
                                         "base",   "form", "frame",  "audio",  "video", "source"};
    for (; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            (*elements)++;
            for (size_t k = 0; k < sizeof(banned) / sizeof(banned[0]); k++)
                ck_assert_msg(strcasecmp((const char *)n->name, banned[k]) != 0,
                              "<%s> element in the page", n->name);
            for (xmlAttr *a = n->properties; a != NULL; a = a->next) {
                ck_assert_msg(strncasecmp((const char *)a->name, "on", 2) != 0,
                              "event handler attribute %s", a->name);
                if (strcasecmp((const char *)a->name, "href") == 0 && a->children != NULL &&
                    a->children->content != NULL)
                    ck_assert_msg(a->children->content[0] == '#', "external link %s",
                                  a->children->content);
            }
        }
        lc_h_walk_dom(n->children, elements);
    }
}

START_TEST(test_html_report_hostile)
{
    char *html = lc_h_render('h', &lc_h_report);
    htmlDocPtr doc;
    size_t elements = 0;

    lc_h_assert_clean(html, 1);
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_null(strstr(html, "<img"));
    ck_assert_ptr_null(strstr(html, "<iframe"));
    ck_assert_ptr_null(strstr(html, "external\"><b>"));
    ck_assert_ptr_null(strstr(html, "<runner>"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img"));
    ck_assert_ptr_nonnull(strstr(html, "CN=&lt;script&gt;x&lt;/script&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;iframe src=//evil&gt;"));
    ck_assert_ptr_nonnull(strstr(html, LC_H_FFFD "[31m"));
    /* Self-contained, and the browser is told to refuse anything else. */
    ck_assert_ptr_nonnull(strstr(html, "Content-Security-Policy\" content=\"default-src 'none'"));
    ck_assert_ptr_null(strstr(html, "http://"));
    ck_assert_ptr_null(strstr(html, "https://"));
    ck_assert_ptr_null(strstr(html, "<script"));
    /* A megabyte of evidence is bounded. */
    ck_assert_uint_lt(strlen(html), 300000);
    ck_assert_ptr_nonnull(strstr(html, "the JSON report holds the rest"));

    doc = htmlReadMemory(html, (int)strlen(html), "report.html", "UTF-8",
                         HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    ck_assert_ptr_nonnull(doc);
    lc_h_walk_dom(xmlDocGetRootElement(doc), &elements);
    ck_assert_uint_gt(elements, 100);
    xmlFreeDoc(doc);
    free(html);
}
END_TEST

START_TEST(test_html_report_content)
{
    char *html = lc_h_render('h', &lc_h_report);
    char *fix;

    ck_assert_ptr_nonnull(strstr(html, "<title>Lync external access audit: contoso.com, "
                                       "fabrikam.com</title>"));
    ck_assert_ptr_nonnull(strstr(html, "Executive summary"));
    ck_assert_ptr_nonnull(strstr(html, "Not ready for go-live: 1 check failed, 1 could not run; 3 "
                                       "problems to fix."));
    ck_assert_ptr_nonnull(strstr(html, "2026-11-22 03:48:14 UTC"));
    ck_assert_ptr_nonnull(strstr(html, "ci&lt;runner&gt;"));
    /* The problems first (findings.h), the failure first, with the fix
     * for its cause (a certificate missing a name) and its check folded
     * under it. */
    ck_assert_ptr_nonnull(strstr(html, "<h3>3 problems (3 checks), most severe first</h3>"));
    ck_assert_ptr_nonnull(strstr(html, "<ol class=\"problems\">\n<li class=\"finding\" id=\"f-"));
    ck_assert_ptr_nonnull(strstr(html, "<span class=\"badge st-fail\">FAIL</span> The certificate "
                                       "CN=sip.contoso.com"));
    ck_assert_ptr_nonnull(strstr(html, "<details><summary>1 check</summary><ul><li><span "
                                       "class=\"badge st-fail\">FAIL</span> <a "
                                       "href=\"#c1\"><code>tls.san:sip.contoso.com:443</code>"));
    fix = lc_html_escape(lc_fix_for_diagnosis("cert-names"), 0);
    ck_assert_ptr_nonnull(fix);
    ck_assert_ptr_nonnull(strstr(html, fix));
    free(fix);
    ck_assert(strstr(html, "href=\"#c1\"") < strstr(html, "href=\"#c5\""));
    /* Topology: the roles coloured by their checks. */
    ck_assert_ptr_nonnull(strstr(html, "<g class=\"box b-fail\"><title>Access Edge: "
                                       "sip.contoso.com</title>"));
    ck_assert_ptr_nonnull(strstr(html, "<g class=\"box b-pass\"><title>External DNS"));
    ck_assert_ptr_nonnull(strstr(html, "<g class=\"box b-warn\"><title>Front End pool: "
                                       "lyncweb.contoso.com</title>"));
    ck_assert_ptr_nonnull(strstr(html, "<g class=\"box b-pass\"><title>Director pool: "
                                       "dirweb.contoso.com</title>"));
    ck_assert_ptr_nonnull(strstr(html, "<g class=\"box b-none\"><title>A/V Edge</title>"));
    /* Sections and certificate details. */
    ck_assert_ptr_nonnull(strstr(html, "id=\"area-dns\""));
    ck_assert_ptr_nonnull(strstr(html, "id=\"area-certificates\""));
    ck_assert_ptr_nonnull(strstr(html, "id=\"area-protocols\""));
    ck_assert_ptr_nonnull(strstr(html, "id=\"area-other\""));
    ck_assert_ptr_nonnull(strstr(html, "SAN coverage"));
    ck_assert_ptr_nonnull(strstr(html, "<tr><td><code>sip.fabrikam.com</code></td><td "
                                       "class=\"miss\">"));
    ck_assert_ptr_nonnull(strstr(html, "<tr><td><code>webconf.contoso.com</code></td><td "
                                       "class=\"cov\">"));
    ck_assert_ptr_nonnull(strstr(html, LC_H_NOT_AFTER "<br>(12 days)"));
    /* The appendix shows the web transcript. */
    ck_assert_ptr_nonnull(strstr(html, "Appendix: web services walk transcript"));
    ck_assert_ptr_nonnull(strstr(html, "GET /Autodiscover/ HTTP/1.1"));
    free(html);
}
END_TEST

START_TEST(test_html_empty_report)
{
    struct lc_report r = {.profile = NULL, .started = LC_H_STARTED};
    char *html = lc_h_render('h', &r);

    /* Nothing was checked: no verdict, never "ready" (issue 12). */
    ck_assert_ptr_null(strstr(html, "Ready for go-live"));
    ck_assert_ptr_nonnull(strstr(html, "<p class=\"verdict unknown\">No verdict: no check ran: "
                                       "the profile planned no check.</p>"));
    ck_assert_ptr_nonnull(strstr(html, "(no SIP domain)"));
    ck_assert_ptr_nonnull(strstr(html, "</html>\n"));
    free(html);
}
END_TEST

/* The certificate inventory's revocation column: what revocation.crl and
 * revocation.ocsp said of each certificate, by fingerprint (issue 13). */
START_TEST(test_html_revocation_column)
{
    static const char fp[] = "aa11bb22cc33dd44ee55ff6677889900aa11bb22cc33dd44ee55ff6677889900";
    json_t *tls_ev =
        json_pack("{s:{s:{s:{s:s, s:s, s:s}}}}", "certificates", fp, "certificate", "sha256", fp,
                  "subject", "CN=access.contoso.com", "issuer", "CN=Contoso Issuing CA");
    json_t *crl_ev = json_pack("{s:{s:{s:s, s:s}}}", "certificates", fp, "status", "fail",
                               "message", "REVOKED <keyCompromise> on 2026-11-01");
    json_t *ocsp_ev = json_pack("{s:{}}", "certificates");
    const struct lc_result r[3] = {
        {.id = "tls.validity:access.contoso.com:443",
         .probe = "tls",
         .what = "validity",
         .target = "access.contoso.com:443",
         .status = LC_PASS,
         .message = "valid",
         .reference = "",
         .evidence = tls_ev},
        {.id = "revocation.crl:access.contoso.com:443",
         .probe = "revocation",
         .what = "crl",
         .target = "access.contoso.com:443",
         .status = LC_FAIL,
         .message = "revoked",
         .reference = "",
         .evidence = crl_ev},
        {.id = "revocation.ocsp:access.contoso.com:443",
         .probe = "revocation",
         .what = "ocsp",
         .target = "access.contoso.com:443",
         .status = LC_PASS,
         .message = "good",
         .reference = "",
         .evidence = ocsp_ev},
    };
    const struct lc_result *ptrs[3] = {&r[0], &r[1], &r[2]};
    struct lc_report rep = {
        .profile = "external", .started = LC_H_STARTED, .results = ptrs, .n_results = 3};
    char *html;

    ck_assert_ptr_nonnull(tls_ev);
    ck_assert_ptr_nonnull(crl_ev);
    html = lc_h_render('h', &rep);
    ck_assert_ptr_nonnull(strstr(html, "<th>Revocation</th>"));
    /* The CRL's verdict for this certificate, escaped; the OCSP check did
     * not judge it and says nothing. */
    ck_assert_ptr_nonnull(strstr(html, "<b>CRL</b> fail: <span class=\"note\">REVOKED "
                                       "&lt;keyCompromise&gt; on 2026-11-01</span>"));
    ck_assert_ptr_null(strstr(html, "<b>OCSP</b>"));
    free(html);
    /* Without revocation checks the column says so. */
    rep.n_results = 1;
    html = lc_h_render('h', &rep);
    ck_assert_ptr_nonnull(strstr(html, "<span class=\"note\">not checked</span>"));
    free(html);
    json_decref(tls_ev);
    json_decref(crl_ev);
    json_decref(ocsp_ev);
}
END_TEST

/* ---- Nagios ---- */

START_TEST(test_nagios_hostile)
{
    char *out = lc_h_render('n', &lc_h_report);
    char *nl = strchr(out, '\n');
    char *pipe;
    size_t lines = 0;

    ck_assert_ptr_nonnull(nl);
    /* The worst problem's cause first (findings.h), then how many more. */
    static const char head[] = "LYNCCHECK CRITICAL - 3 problems (1 fail, 1 error, 1 warn of 9 "
                               "checks): The certificate CN=sip.contoso.com (SHA-256 aa11...) "
                               "lacks the name sip.fabrikam.com (presented on "
                               "sip.contoso.com:443) [f-";

    ck_assert_msg(strncmp(out, head, sizeof(head) - 1) == 0, "%s", out);
    /* Exactly one '|' in the plugin output: the perfdata separator. */
    pipe = strchr(out, '|');
    ck_assert_ptr_nonnull(pipe);
    ck_assert_ptr_null(strchr(pipe + 1, '|'));
    *nl = '\0';
    ck_assert_str_eq(pipe,
                     "| 'checks'=9;;;0 'pass'=5;;;0 'warn'=1;;;0 'fail'=1;;;0 "
                     "'error'=1;;;0 'skip'=1;;;0 'problems'=3;;;0 'cert_days_min'=12;30:;0:;; "
                     "'duration'=0.420s;;;0");
    *nl = '\n';
    lc_h_assert_clean(out, 0);
    for (const char *p = out; *p != '\0'; p++)
        lines += *p == '\n';
    /* Summary, one line per problem, then fail, error, warn and skip. */
    ck_assert_uint_eq(lines, 8);
    ck_assert_ptr_nonnull(strstr(out, "\nPROBLEM f-"));
    ck_assert_ptr_nonnull(strstr(out, " FAIL (1 check): The certificate CN=sip.contoso.com"));
    ck_assert_ptr_nonnull(strstr(out, "\nFAIL tls.san:sip.contoso.com:443: access edge"));
    ck_assert_ptr_nonnull(strstr(out, "\nERROR port.tcp:sip.contoso.com:5061: filtered\n"));
    ck_assert_ptr_nonnull(strstr(out, "\nWARN web.user:lyncweb.contoso.com/x: <script>"));
    ck_assert_ptr_nonnull(strstr(out, " ??[31m / pipe?second line ??\n"));
    ck_assert_ptr_nonnull(strstr(out, "\nSKIP xmpp.stream:contoso.com: XMPP federation"));
    free(out);
}
END_TEST

START_TEST(test_nagios_ok_and_more)
{
    struct lc_result res[8];
    const struct lc_result *ptrs[8];
    struct lc_report r = lc_h_report;
    char *out;

    for (int i = 0; i < 8; i++) {
        res[i] = lc_h_res[6]; /* xmpp skip: no certificates */
        res[i].status = LC_PASS;
        ptrs[i] = &res[i];
    }
    r.results = ptrs;
    r.n_results = 8;
    r.duration_us = 1999500;
    out = lc_h_render('n', &r);
    ck_assert_str_eq(out, "LYNCCHECK OK - 8 of 8 checks passed, 0 skipped | 'checks'=8;;;0 "
                          "'pass'=8;;;0 'warn'=0;;;0 'fail'=0;;;0 'error'=0;;;0 'skip'=0;;;0 "
                          "'problems'=0;;;0 'duration'=2.000s;;;0\n");
    free(out);
    for (int i = 0; i < 6; i++)
        res[i].status = LC_WARN;
    out = lc_h_render('n', &r);
    /* One check id six times: one problem. */
    ck_assert_msg(strncmp(out,
                          "LYNCCHECK WARNING - 1 problem (0 fail, 0 error, 6 warn of 8 checks): "
                          "XMPP federation not in use [f-",
                          87) == 0,
                  "%s", out);
    free(out);
    res[0].status = LC_ERROR;
    out = lc_h_render('n', &r);
    ck_assert_uint_eq(strncmp(out, "LYNCCHECK UNKNOWN - ", 20), 0);
    free(out);
}
END_TEST

/* Under a locale with a decimal comma the numbers keep their dot. */
START_TEST(test_formats_numeric_locale)
{
    char *out;

    if (setlocale(LC_NUMERIC, "de_DE.UTF-8") == NULL) {
        fprintf(stderr, "test_formats_numeric_locale: no de_DE.UTF-8 locale, skipped\n");
        return;
    }
    out = lc_h_render('n', &lc_h_report);
    ck_assert_ptr_nonnull(strstr(out, "'duration'=0.420s;;;0"));
    free(out);
    out = lc_h_render('p', &lc_h_report);
    ck_assert_ptr_nonnull(strstr(out, "lynccheck_run_duration_seconds{profile=\"external\\\"><b>\"}"
                                      " 0.420499\n"));
    free(out);
    out = lc_h_render('h', &lc_h_report);
    ck_assert_ptr_nonnull(strstr(out, "<td>0.4 s</td>"));
    free(out);
    setlocale(LC_NUMERIC, "C");
}
END_TEST

/* ---- Prometheus ---- */

/* One sample line of the exposition format: name{label="value",...} value,
 * values escaped only as \\, \" and \n. Returns the label set's end. */
static void lc_h_assert_sample(const char *line)
{
    const char *p = line;

    ck_assert_msg(*p >= 'a' && *p <= 'z', "bad metric name in: %s", line);
    while ((*p >= 'a' && *p <= 'z') || *p == '_')
        p++;
    ck_assert_msg(*p == '{', "no labels in: %s", line);
    p++;
    for (;;) {
        while ((*p >= 'a' && *p <= 'z') || *p == '_')
            p++;
        ck_assert_msg(p[0] == '=' && p[1] == '"', "bad label in: %s", line);
        p += 2;
        while (*p != '"') {
            ck_assert_msg(*p != '\0' && *p != '\n', "unterminated value in: %s", line);
            if (*p == '\\') {
                ck_assert_msg(p[1] == '\\' || p[1] == '"' || p[1] == 'n', "bad escape in: %s",
                              line);
                p++;
            }
            p++;
        }
        p++;
        if (*p == '}')
            break;
        ck_assert_msg(*p == ',', "bad separator in: %s", line);
        p++;
    }
    p++;
    ck_assert_msg(*p == ' ', "no value in: %s", line);
    p++;
    ck_assert_msg(strspn(p, "0123456789.") == strlen(p) && *p != '\0', "bad value in: %s", line);
}

START_TEST(test_prometheus)
{
    char *out = lc_h_render('p', &lc_h_report);
    char *save = NULL, *line, *copy;
    size_t samples = 0, status_lines = 0;

    lc_h_assert_clean(out, 0);
    copy = strdup(out);
    ck_assert_ptr_nonnull(copy);
    for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#') {
            ck_assert(strncmp(line, "# HELP lynccheck_", 17) == 0 ||
                      strncmp(line, "# TYPE lynccheck_", 17) == 0);
            continue;
        }
        lc_h_assert_sample(line);
        samples++;
        status_lines += strncmp(line, "lynccheck_check_status{", 23) == 0;
    }
    free(copy);
    /* The duplicated id is written once. */
    ck_assert_uint_eq(status_lines, LC_H_N - 1);
    /* Per check twice, per status, two certificates, exit status, run
     * status, checks run, last run, run duration; findings per severity
     * and the checks of each of the three findings. */
    ck_assert_uint_eq(samples, 2 * (LC_H_N - 1) + LC_STATUS_COUNT + 2 + 5 + 3 + 3);
    ck_assert_ptr_nonnull(
        strstr(out, "lynccheck_findings{profile=\"external\\\"><b>\",severity=\"fail\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(out, "lynccheck_run_status{profile=\"external\\\"><b>\","
                                      "state=\"critical\"} 0\n"));
    ck_assert_ptr_nonnull(strstr(out, "lynccheck_checks_run{profile=\"external\\\"><b>\"} 8\n"));
    /* Families with nothing to say are announced, with no sample. */
    ck_assert_ptr_nonnull(strstr(out, "# TYPE lynccheck_unmatched_glob gauge\n"));
    ck_assert_ptr_null(strstr(out, "lynccheck_unmatched_glob{"));
    ck_assert_ptr_null(strstr(out, "lynccheck_resolve_pin{"));
    ck_assert_ptr_nonnull(strstr(out, "# TYPE lynccheck_check_status gauge\n"));
    ck_assert_ptr_nonnull(strstr(out, "lynccheck_check_status{profile=\"external\\\"><b>\","
                                      "probe=\"dns\",check=\"dns.srv:_sipfederationtls._tcp."
                                      "contoso.com\",status=\"pass\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(out, "probe=\"tls\",check=\"tls.san:sip.contoso.com:443\","
                                      "status=\"fail\"} 0\n"));
    ck_assert_ptr_nonnull(strstr(out, "check=\"xmpp.stream:contoso.com\",status=\"skip\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(out, "check=\"web.user:lyncweb.contoso.com|x\",status=\"warn\"} "
                                      "0\n"));
    ck_assert_ptr_nonnull(strstr(out, "check=\"custom.thing:\\\"quoted\\\\back\\nslash\""));
    ck_assert_ptr_nonnull(strstr(out, "lynccheck_check_duration_seconds{profile=\"external\\\">"
                                      "<b>\",probe=\"port\",check=\"port.tcp:sip.contoso.com:"
                                      "5061\",status=\"error\"} 5.000000\n"));
    ck_assert_ptr_nonnull(strstr(out, "lynccheck_checks{profile=\"external\\\"><b>\","
                                      "status=\"pass\"} 5\n"));
    /* Both certificates were seen on sip.contoso.com, one on each port. */
    ck_assert_ptr_nonnull(strstr(out, "lynccheck_cert_not_after_timestamp_seconds{profile="
                                      "\"external\\\"><b>\",host=\"sip.contoso.com\",port=\"443\"} "
                                      "" LC_H_NOT_AFTER_EPOCH "\n"));
    ck_assert_ptr_nonnull(
        strstr(out, "host=\"sip.contoso.com\",port=\"5061\"} " LC_H_NOT_AFTER_EPOCH "\n"));
    ck_assert_ptr_nonnull(strstr(out, "lynccheck_exit_status{profile=\"external\\\"><b>\"} 2\n"));
    ck_assert_ptr_nonnull(strstr(out, "lynccheck_last_run_timestamp_seconds{profile=\"external"
                                      "\\\"><b>\"} 1795319294\n"));
    ck_assert_ptr_nonnull(strstr(out, "lynccheck_run_duration_seconds{profile=\"external\\\"><b>"
                                      "\"} 0.420499\n"));
    free(out);
}
END_TEST

START_TEST(test_prometheus_bad_utf8_label)
{
    struct lc_result r = lc_h_res[0];
    const struct lc_result *ptrs[1] = {&r};
    struct lc_report rep = {.profile = "p\xff", .results = ptrs, .n_results = 1};
    char *out;

    r.id = "dns.a:\xc0\xaf\x01x";
    out = lc_h_render('p', &rep);
    lc_h_assert_clean(out, 0);
    ck_assert_ptr_nonnull(strstr(out, "profile=\"p" LC_H_FFFD "\""));
    ck_assert_ptr_nonnull(strstr(out, "check=\"dns.a:" LC_H_FFFD LC_H_FFFD LC_H_FFFD "x\""));
    /* No certificate seen: the family is announced with no sample. */
    ck_assert_ptr_null(strstr(out, "lynccheck_cert_not_after_timestamp_seconds{"));
    free(out);
}
END_TEST

START_TEST(test_formats_write_errors)
{
    int (*const reporters[])(const struct lc_report *, FILE *) = {lc_report_html, lc_report_nagios,
                                                                  lc_report_prometheus};

    for (size_t i = 0; i < sizeof(reporters) / sizeof(reporters[0]); i++) {
        FILE *f = fopen("/dev/full", "w");
        if (f == NULL) {
            fprintf(stderr, "test_formats_write_errors: no /dev/full, skipped\n");
            return;
        }
        errno = 0;
        ck_assert_int_eq(reporters[i](&lc_h_report, f), -1);
        ck_assert_int_eq(errno, ENOSPC);
        fclose(f);
        errno = 0;
        ck_assert_int_eq(reporters[i](NULL, stdout), -1);
        ck_assert_int_eq(errno, EINVAL);
    }
}
END_TEST

Suite *lc_suite_report_html(void)
{
    Suite *s = suite_create("report_html");
    TCase *tc = tcase_create("html");

    tcase_add_test(tc, test_html_escape);
    tcase_add_test(tc, test_html_escape_limit);
    tcase_add_test(tc, test_fixes_cover_every_kind);
    suite_add_tcase(s, tc);

    tc = tcase_create("reports");
    tcase_add_checked_fixture(tc, lc_h_setup, lc_h_teardown);
    tcase_add_test(tc, test_html_report_hostile);
    tcase_add_test(tc, test_html_report_content);
    tcase_add_test(tc, test_html_empty_report);
    tcase_add_test(tc, test_nagios_hostile);
    tcase_add_test(tc, test_nagios_ok_and_more);
    tcase_add_test(tc, test_formats_numeric_locale);
    tcase_add_test(tc, test_prometheus);
    tcase_add_test(tc, test_prometheus_bad_utf8_label);
    tcase_add_test(tc, test_formats_write_errors);
    tcase_add_test(tc, test_html_revocation_column);
    suite_add_tcase(s, tc);
    return s;
}
