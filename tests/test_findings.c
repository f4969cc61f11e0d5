/* SPDX-License-Identifier: MIT */
/* lynccheck - unit tests for findings.c (checks grouped by cause) and
 * baseline.c (what changed since an earlier run).
 *
 * Each case is a table of hand-made results, written as the probes record
 * them (messages worded by the judges, evidence as in the JSON report), and
 * the findings they must give. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "findings.h"
#include "fixes.h"
#include "result.h"
#include "suites.h"

#define LC_T_MAXR 8

/* One hand-made result: id "<probe>.<what>:<target>", status letter
 * (P W F E S), message, evidence as JSON text, dependencies (ids, "|"-
 * separated). */
struct lc_t_row {
    const char *id;
    char status;
    const char *message;
    const char *evidence;
    const char *deps;
};

struct lc_t_fcase {
    const char *name;
    struct lc_t_row rows[LC_T_MAXR];
    size_t n_findings;   /* findings expected */
    size_t first_checks; /* checks in the first (worst, largest) finding */
    const char *first_key;
    const char *cause_has;  /* substring of the first finding's cause */
    const char *fix_has;    /* substring of its fix */
    const char *impact_has; /* substring of its impact */
};

#define LC_T_502                                                                                   \
    " answers 502: the reverse proxy could not get an answer from the backend (backend down, "     \
    "wrong port bridging 443 -> 4443 / 80 -> 8080, or the backend certificate is not trusted by "  \
    "the proxy)"
#define LC_T_TR(host, st)                                                                          \
    "{\"host\":\"" host "\",\"addresses\":{\"192.0.2.30\":{\"transcript\":[{\"request\":\"GET\","  \
    "\"url\":\"https://" host "/\",\"address\":\"192.0.2.30\",\"status\":" st "}]}}}"
#define LC_T_SHA "ea53989719f043810a1b681c43d7ef62802dd5f260e10951d95a048848eefc6d"
#define LC_T_CERT                                                                                  \
    "\"certificate\":{\"subject\":\"CN=webext.contoso.com\",\"not_after\":\"2027-12-07T03:17:"     \
    "37Z\","                                                                                       \
    "\"days_left\":364,\"sans\":[\"webext.contoso.com\",\"meet.contoso.com\"],\"sha256\":"         \
    "\"" LC_T_SHA "\"}"

static const struct lc_t_fcase lc_t_fcases[] = {
    {"healthy: no finding",
     {{"web.discover:lyncdiscover.contoso.com", 'P', "/ answers 200", "{}", NULL},
      {"tls.san:webext.contoso.com:443", 'P', "ok", "{}", NULL},
      {"dns.srv:_sip._tls.contoso.com", 'S', "not applicable", "{}", NULL}},
     0,
     0,
     NULL,
     NULL,
     NULL,
     NULL},
    {"Director web site down: one finding, the backend-down fix",
     {{"web.discover:lyncdiscover.contoso.com", 'F', "/" LC_T_502,
       LC_T_TR("lyncdiscover.contoso.com", "502"), NULL},
      {"web.discover-xml:lyncdiscover.contoso.com", 'F', "/" LC_T_502,
       LC_T_TR("lyncdiscover.contoso.com", "502"), NULL},
      {"web.webticket:webdirext.contoso.com", 'F', "/WebTicket/WebTicketService.svc" LC_T_502,
       LC_T_TR("webdirext.contoso.com", "502"), NULL},
      {"web.abs:webdirext.contoso.com", 'F', "/abs/handler/" LC_T_502,
       LC_T_TR("webdirext.contoso.com", "504"), NULL},
      {"web.webticket:webext.contoso.com", 'P', "/WebTicket/ answers 401 with NTLM", "{}", NULL}},
     1,
     4,
     "backend:webdirext.contoso.com",
     "Director pool's external web site",
     "4443",
     "address book"},
    {"the Front End and the Director down: two findings",
     {{"web.webticket:webdirext.contoso.com", 'F', "/WebTicket/WebTicketService.svc" LC_T_502,
       LC_T_TR("webdirext.contoso.com", "502"), NULL},
      {"web.abs:webdirext.contoso.com", 'F', "/abs/handler/" LC_T_502,
       LC_T_TR("webdirext.contoso.com", "502"), NULL},
      {"web.webticket:webext.contoso.com", 'F', "/WebTicket/WebTicketService.svc" LC_T_502,
       LC_T_TR("webext.contoso.com", "503"), NULL}},
     2,
     2,
     "backend:webdirext.contoso.com",
     "502",
     "Lync Server External Web Site",
     "external sign-in"},
    {"the same X-MS-Server-Fqdn behind two simple URLs: one backend",
     {{"web.meet:meet.contoso.com", 'F', "/meet/" LC_T_502,
       "{\"host\":\"meet.contoso.com\",\"addresses\":{\"192.0.2.30\":{\"transcript\":[{"
       "\"url\":\"https://meet.contoso.com/meet/\",\"address\":\"192.0.2.30\",\"status\":503,"
       "\"headers\":{\"x_ms_server_fqdn\":\"fe01.contoso.local\"}}]}}}",
       NULL},
      {"web.dialin:dialin.contoso.com", 'F', "/dialin/" LC_T_502,
       "{\"host\":\"dialin.contoso.com\",\"addresses\":{\"192.0.2.30\":{\"transcript\":[{"
       "\"url\":\"https://dialin.contoso.com/dialin/\",\"address\":\"192.0.2.30\",\"status\":503,"
       "\"headers\":{\"x_ms_server_fqdn\":\"fe01.contoso.local\"}}]}}}",
       NULL},
      {"web.scheduler:webext.contoso.com", 'F', "/scheduler/" LC_T_502,
       "{\"host\":\"webext.contoso.com\",\"upstream\":\"fe01.contoso.local\"}", NULL}},
     1,
     3,
     "backend:fe01.contoso.local",
     "backend web site (fe01.contoso.local, HTTPS 4443): it answers 503, 502 for "
     "meet.contoso.com, dialin.contoso.com, webext.contoso.com",
     "4443",
     "meetings, dial-in conferencing"},
    {"one certificate missing a name: tls.san, tls.name and the web check",
     {{"tls.san:webext.contoso.com:443", 'F',
       "reverse proxy certificate lacks 1 required name: lyncdiscover.contoso.com",
       "{\"certificates\":{\"" LC_T_SHA "\":{" LC_T_CERT ",\"missing\":[\"lyncdiscover.contoso."
       "com\"],\"status\":\"fail\"}}}",
       NULL},
      {"tls.name:lyncdiscover.contoso.com:443", 'F',
       "the certificate presented for lyncdiscover.contoso.com does not cover it",
       "{\"certificates\":{\"" LC_T_SHA "\":{" LC_T_CERT ",\"status\":\"fail\"}}}", NULL},
      {"web.discover:lyncdiscover.contoso.com", 'F',
       "/: TLS with lyncdiscover.contoso.com failed: SSL: no alternative certificate subject name "
       "matches target host name 'lyncdiscover.contoso.com' (the tls.* checks say more)",
       "{\"host\":\"lyncdiscover.contoso.com\"}", NULL},
      {"tls.name:meet.contoso.com:443", 'P', "covered",
       "{\"certificates\":{\"" LC_T_SHA "\":{" LC_T_CERT ",\"status\":\"pass\"}}}", NULL}},
     1,
     3,
     "cert:" LC_T_SHA,
     "lacks the name lyncdiscover.contoso.com",
     "Subject Alternative",
     "mobile clients"},
    {"one port filtered: port, handshake and SIP checks",
     {{"port.tcp:access.contoso.com:5061", 'F',
       "access.contoso.com port 5061 not open: 192.0.2.10:5061 filtered",
       "{\"offending\":[{\"address\":\"192.0.2.10\",\"port\":5061,\"state\":\"filtered\"}]}", NULL},
      {"tls.handshake:access.contoso.com:5061", 'F',
       "TLS handshake with access.contoso.com (192.0.2.10:5061) failed: TCP connect timed out",
       "{\"port\":5061,\"addresses\":{\"192.0.2.10\":{\"error\":\"TCP connect timed out (no "
       "answer: filtered?)\"}}}",
       NULL},
      {"sip.options:access.contoso.com:5061", 'F', "TCP connect timed out (no answer: filtered?)",
       "{\"port\":5061,\"addresses\":{\"192.0.2.10\":{\"error\":\"TCP connect timed out (no "
       "answer: filtered?)\"}}}",
       NULL},
      {"port.tcp:access.contoso.com:443", 'P', "open", "{}", NULL}},
     1,
     3,
     "conn:192.0.2.10:5061",
     "192.0.2.10:5061",
     "firewall",
     "federation"},
    {"port 80 closed: the port check and the HTTP walk on it",
     {{"port.tcp:webext.contoso.com:80", 'F',
       "webext.contoso.com port 80 not open: 192.0.2.30:80 closed (closed = nothing listens; "
       "filtered = the firewall drops it)",
       "{\"offending\":[{\"address\":\"192.0.2.30\",\"port\":80,\"state\":\"closed\"}]}", NULL},
      {"web.discover-http:lyncdiscover.contoso.com", 'W',
       "/ on port 80: no connection to 192.0.2.30 port 80 (Failed to connect to 192.0.2.30 port "
       "80 after 87 ms: Couldn't connect to server)",
       "{\"host\":\"lyncdiscover.contoso.com\",\"port\":80,\"addresses\":{\"192.0.2.30\":{"
       "\"transcript\":[{\"url\":\"http://lyncdiscover.contoso.com/\",\"address\":\"192.0.2.30\","
       "\"error\":\"Failed to connect to 192.0.2.30 port 80 after 87 ms: Couldn't connect to "
       "server\"}]}}}",
       NULL}},
     1,
     2,
     "conn:192.0.2.30:80",
     "refused (nothing listens)",
     "Start the service",
     "mobile clients"},
    {"a failed dependency: the checks join the DNS finding",
     {{"dns.a:webconf.contoso.com", 'F', "webconf.contoso.com: NXDOMAIN",
       "{\"name\":\"webconf.contoso.com\"}", NULL},
      {"tls.handshake:webconf.contoso.com:443", 'E', "no address to connect to", "{}",
       "dns.a:webconf.contoso.com"},
      {"tls.san:webconf.contoso.com:443", 'E', "no address to connect to", "{}",
       "dns.a:webconf.contoso.com|tls.handshake:webconf.contoso.com:443"}},
     1,
     3,
     "dns:webconf.contoso.com",
     "NXDOMAIN",
     "A record",
     "meetings"},
    {"unrelated problems stay apart; worst first",
     {{"tls.validity:webext.contoso.com:443", 'W', "the certificate expires in 10 days", "{}",
       NULL},
      {"web.ucwa:webext.contoso.com", 'F',
       "/ucwa/oauth/v1/applications answers 401 with no challenge: the reverse proxy strips "
       "WWW-Authenticate",
       "{\"host\":\"webext.contoso.com\"}", NULL},
      {"web.mcx:webext.contoso.com", 'F',
       "/mcx/mcxservice.svc answers 401 with no challenge: the reverse proxy strips "
       "WWW-Authenticate",
       "{\"host\":\"webext.contoso.com\"}", NULL},
      {"xmpp.stream:access.contoso.com:5269", 'E', "resolver timed out", "{}", NULL}},
     3,
     2,
     "web:no-challenge:webext.contoso.com",
     "/ucwa/oauth/v1/applications",
     "WWW-Authenticate",
     "mobile clients"},
    {"a probe's own diagnosis word names the fix (signin.register, not the probe's general fix)",
     {{"signin.register:access.contoso.com:443", 'F',
       "the pool rejected the credentials of alice@contoso.com (401 after the AUTHENTICATE)",
       "{\"diagnosis\":\"sipae-credentials-rejected\"}", NULL}},
     1,
     1,
     "check:signin.register:access.contoso.com:443",
     "rejected the credentials",
     "not locked out",
     ""},
};

struct lc_t_built {
    struct lc_result res[LC_T_MAXR];
    const struct lc_result *ptrs[LC_T_MAXR];
    json_t *ev[LC_T_MAXR];
    char idbuf[LC_T_MAXR][200];
    char *deps[LC_T_MAXR][4];
    char depbuf[LC_T_MAXR][400];
    struct lc_report report;
    json_t *site;
};

static enum lc_status lc_t_status(char c)
{
    return c == 'P'   ? LC_PASS
           : c == 'W' ? LC_WARN
           : c == 'F' ? LC_FAIL
           : c == 'E' ? LC_ERROR
                      : LC_SKIP;
}

static void lc_t_build(const struct lc_t_row *rows, struct lc_t_built *b)
{
    static const char *const domains[] = {"contoso.com"};
    json_error_t jerr;
    size_t n = 0;

    memset(b, 0, sizeof(*b));
    b->site = json_loads("{\"sip_domains\":[\"contoso.com\"],\"access_edge\":{\"fqdn\":\"access."
                         "contoso.com\"},\"webconf_edge\":{\"fqdn\":\"webconf.contoso.com\"},"
                         "\"web_external\":[\"webext.contoso.com\"],\"director_web_external\":"
                         "[\"webdirext.contoso.com\"],\"meet\":[\"meet.contoso.com\"]}",
                         0, &jerr);
    ck_assert_ptr_nonnull(b->site);
    for (; n < LC_T_MAXR && rows[n].id != NULL; n++) {
        struct lc_result *r = &b->res[n];
        char *dot, *colon;
        snprintf(b->idbuf[n], sizeof(b->idbuf[n]), "%s", rows[n].id);
        b->ev[n] = json_loads(rows[n].evidence, 0, &jerr);
        ck_assert_msg(b->ev[n] != NULL, "row %zu evidence: %s", n, jerr.text);
        r->id = rows[n].id;
        /* probe, what and target from the id, as lc_run_add makes it */
        dot = strchr(b->idbuf[n], '.');
        colon = strchr(b->idbuf[n], ':');
        ck_assert(dot != NULL && colon != NULL && dot < colon);
        *dot = '\0';
        *colon = '\0';
        r->probe = b->idbuf[n];
        r->what = dot + 1;
        r->target = colon + 1;
        r->status = lc_t_status(rows[n].status);
        r->message = rows[n].message;
        r->reference = "";
        r->evidence = b->ev[n];
        if (rows[n].deps != NULL) {
            size_t k = 0;
            char *save = NULL, *tok;
            snprintf(b->depbuf[n], sizeof(b->depbuf[n]), "%s", rows[n].deps);
            for (tok = strtok_r(b->depbuf[n], "|", &save); tok != NULL && k < 4;
                 tok = strtok_r(NULL, "|", &save))
                b->deps[n][k++] = tok;
            r->deps = (const char *const *)b->deps[n];
            r->n_deps = k;
        }
        b->ptrs[n] = r;
    }
    b->report.profile = "external";
    b->report.sip_domains = domains;
    b->report.n_sip_domains = 1;
    b->report.site = b->site;
    b->report.results = b->ptrs;
    b->report.n_results = n;
}

static void lc_t_unbuild(struct lc_t_built *b)
{
    for (size_t i = 0; i < LC_T_MAXR; i++)
        json_decref(b->ev[i]);
    json_decref(b->site);
}

START_TEST(test_findings_table)
{
    const struct lc_t_fcase *tc = &lc_t_fcases[_i];
    struct lc_t_built *b = calloc(1, sizeof(*b));
    struct lc_findings *f = NULL, *again = NULL;

    ck_assert_ptr_nonnull(b);
    lc_t_build(tc->rows, b);
    ck_assert_int_eq(lc_findings_build(&b->report, &f), 0);
    ck_assert_msg(f->n == tc->n_findings, "%s: %zu findings, want %zu", tc->name, f->n,
                  tc->n_findings);
    if (tc->n_findings > 0) {
        const struct lc_finding *x = &f->v[0];
        ck_assert_msg(x->n_checks == tc->first_checks, "%s: first finding has %zu checks, want %zu",
                      tc->name, x->n_checks, tc->first_checks);
        ck_assert_msg(strcmp(x->key, tc->first_key) == 0, "%s: key %s, want %s", tc->name, x->key,
                      tc->first_key);
        ck_assert_msg(strstr(x->cause, tc->cause_has) != NULL, "%s: cause \"%s\" lacks \"%s\"",
                      tc->name, x->cause, tc->cause_has);
        ck_assert_msg(strstr(x->fix, tc->fix_has) != NULL, "%s: fix \"%s\" lacks \"%s\"", tc->name,
                      x->fix, tc->fix_has);
        ck_assert_msg(strstr(x->impact, tc->impact_has) != NULL, "%s: impact \"%s\" lacks \"%s\"",
                      tc->name, x->impact, tc->impact_has);
        ck_assert(strncmp(x->id, "f-", 2) == 0 && strlen(x->id) == 10);
        /* The worst first. */
        for (size_t i = 1; i < f->n; i++)
            ck_assert_int_ge(lc_status_rank(f->v[i - 1].severity),
                             lc_status_rank(f->v[i].severity));
        /* Every problem is in exactly one finding; a pass in none. */
        for (size_t i = 0; i < b->report.n_results; i++) {
            const struct lc_result *r = b->ptrs[i];
            int problem = r->status == LC_FAIL || r->status == LC_WARN || r->status == LC_ERROR;
            ck_assert_msg((lc_findings_of(f, r) != NULL) == problem, "%s: %s", tc->name, r->id);
        }
    }
    /* Stable: the same results give the same ids. */
    ck_assert_int_eq(lc_findings_build(&b->report, &again), 0);
    ck_assert_uint_eq(again->n, f->n);
    for (size_t i = 0; i < f->n; i++)
        ck_assert_str_eq(again->v[i].id, f->v[i].id);
    lc_findings_free(f);
    lc_findings_free(again);
    lc_t_unbuild(b);
    free(b);
}
END_TEST

/* A 502 on the XML autodiscover gets the backend's fix, not the kind's
 * (forwarding the Accept header). */
START_TEST(test_findings_fix_by_diagnosis)
{
    static const struct lc_t_row rows[] = {{"web.discover-xml:lyncdiscover.contoso.com", 'F',
                                            "/" LC_T_502,
                                            LC_T_TR("lyncdiscover.contoso.com", "502"), NULL},
                                           {NULL, 0, NULL, NULL, NULL}};
    struct lc_t_built *b = calloc(1, sizeof(*b));
    struct lc_findings *f = NULL;

    ck_assert_ptr_nonnull(b);
    lc_t_build(rows, b);
    ck_assert_int_eq(lc_findings_build(&b->report, &f), 0);
    ck_assert_uint_eq(f->n, 1);
    ck_assert_str_eq(f->v[0].fix, lc_fix_for_diagnosis("backend-down"));
    ck_assert_ptr_null(strstr(f->v[0].fix, "Accept header"));
    ck_assert_ptr_nonnull(lc_fix_for_diagnosis("unpublished"));
    ck_assert_ptr_nonnull(lc_fix_for_diagnosis("port-filtered"));
    ck_assert_ptr_null(lc_fix_for_diagnosis("nonsense"));
    lc_findings_free(f);
    lc_t_unbuild(b);
    free(b);
}
END_TEST

/* A hostile message's invalid UTF-8 does not reach the cause raw. */
START_TEST(test_findings_hostile_message)
{
    static const struct lc_t_row rows[] = {
        {"sip.options:access.contoso.com:443", 'F', "bad \xff\xfe bytes", "{}", NULL},
        {NULL, 0, NULL, NULL, NULL}};
    struct lc_t_built *b = calloc(1, sizeof(*b));
    struct lc_findings *f = NULL;
    json_t *j;

    ck_assert_ptr_nonnull(b);
    lc_t_build(rows, b);
    ck_assert_int_eq(lc_findings_build(&b->report, &f), 0);
    ck_assert_uint_eq(f->n, 1);
    ck_assert_str_eq(f->v[0].cause, "bad ?? bytes");
    ck_assert_str_eq(f->v[0].key, "check:sip.options:access.contoso.com:443");
    j = lc_findings_to_json(f);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "cause")),
                     "bad ?? bytes");
    json_decref(j);
    lc_findings_free(f);
    lc_t_unbuild(b);
    free(b);
}
END_TEST

/* ---- baseline ---- */

#define LC_T_BASE_HEAD                                                                             \
    "{\"schema\":1,\"tool\":\"lynccheck\",\"profile\":\"external\",\"started\":"                   \
    "\"2026-12-06T03:00:00Z\",\"sip_domains\":[\"contoso.com\"],"

START_TEST(test_baseline_parse_and_match)
{
    static const char *const one[] = {"contoso.com"}, *const two[] = {"fabrikam.com",
                                                                      "Contoso.com"};
    static const char *const bad[] = {
        "not json", "[]", "{\"tool\":\"other\",\"schema\":1,\"checks\":[],\"sip_domains\":[]}",
        "{\"tool\":\"lynccheck\",\"schema\":2,\"checks\":[],\"sip_domains\":[]}",
        "{\"tool\":\"lynccheck\",\"schema\":1,\"sip_domains\":[]}"};
    const char *good = LC_T_BASE_HEAD "\"checks\":[]}";
    char err[512];
    json_t *b = NULL;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(lc_baseline_parse(bad[i], strlen(bad[i]), "b.json", &b, err, sizeof(err)),
                         -1);
        ck_assert_ptr_null(b);
        ck_assert(strncmp(err, "b.json: ", 8) == 0);
    }
    ck_assert_int_eq(lc_baseline_parse(good, strlen(good), "b.json", &b, err, sizeof(err)), 0);
    ck_assert_int_eq(lc_baseline_match(b, one, 1, "external", err, sizeof(err)), 0);
    ck_assert_int_eq(lc_baseline_match(b, two, 2, "external", err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "another site (SIP domains contoso.com; this run checks "
                                      "Contoso.com, fabrikam.com)"));
    ck_assert_int_eq(lc_baseline_match(b, one, 1, "federation", err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "profile 'external', this run uses profile 'federation'"));
    json_decref(b);
    b = NULL;
    ck_assert_int_eq(lc_baseline_load("/nonexistent/lynccheck-baseline.json", &b, err, sizeof(err)),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot read"));
    ck_assert_int_eq(lc_baseline_load("/", &b, err, sizeof(err)), -1);
    json_decref(b);
}
END_TEST

/* A renewed certificate and a moved SRV target are changes; new, fixed
 * and still failing checks and findings by id. */
START_TEST(test_baseline_changes)
{
    static const struct lc_t_row rows[] = {
        {"tls.validity:webext.contoso.com:443", 'P', "valid for 364 days",
         "{\"certificates\":{\"" LC_T_SHA "\":{" LC_T_CERT ",\"status\":\"pass\"}}}", NULL},
        {"dns.srv:_sip._tls.contoso.com", 'P', "ok",
         "{\"records\":[{\"priority\":0,\"weight\":0,\"port\":443,\"target\":\"sip.contoso.com\"}]"
         "}",
         NULL},
        {"web.abs:webext.contoso.com", 'F', "/abs/handler/" LC_T_502,
         LC_T_TR("webext.contoso.com", "502"), NULL},
        {"web.mcx:webext.contoso.com", 'F', "/mcx/mcxservice.svc" LC_T_502,
         LC_T_TR("webext.contoso.com", "502"), NULL},
        {"port.tcp:access.contoso.com:443", 'P', "open", "{}", NULL},
        {NULL, 0, NULL, NULL, NULL}};
    const char *base = LC_T_BASE_HEAD
        "\"findings\":[{\"id\":\"f-00000001\",\"severity\":\"fail\",\"cause\":\"old\"}],"
        "\"checks\":[{\"id\":\"tls.validity:webext.contoso.com:443\",\"status\":\"warn\","
        "\"evidence\":{\"certificates\":{\"0cca2b37\":{\"certificate\":{\"not_after\":\"2026-12-"
        "20T00:00:00Z\",\"sans\":[\"webext.contoso.com\",\"meet.contoso.com\",\"old.contoso.com\"]"
        "}}}}},"
        "{\"id\":\"dns.srv:_sip._tls.contoso.com\",\"status\":\"pass\",\"evidence\":{\"records\":"
        "[{\"port\":443,\"target\":\"access.contoso.com\"}]}},"
        "{\"id\":\"web.abs:webext.contoso.com\",\"status\":\"fail\",\"evidence\":{}},"
        "{\"id\":\"port.tcp:access.contoso.com:443\",\"status\":\"fail\",\"evidence\":{}}]}";
    struct lc_t_built *b = calloc(1, sizeof(*b));
    struct lc_findings *f = NULL;
    struct lc_changes *ch = NULL;
    const json_t *facts, *e;
    json_t *bj = NULL;
    char err[256], sum[512];
    size_t i;
    int cert = 0, srv = 0;

    ck_assert_ptr_nonnull(b);
    lc_t_build(rows, b);
    ck_assert_int_eq(lc_baseline_parse(base, strlen(base), "b", &bj, err, sizeof(err)), 0);
    ck_assert_int_eq(lc_findings_build(&b->report, &f), 0);
    ck_assert_uint_eq(f->n, 1);
    ck_assert_int_eq(lc_changes_build(bj, &b->report, f, &ch), 0);
    ck_assert_uint_eq(json_array_size(lc_changes_list(ch, "new", "checks")), 1);
    ck_assert_str_eq(json_string_value(json_array_get(lc_changes_list(ch, "new", "checks"), 0)),
                     "web.mcx:webext.contoso.com");
    ck_assert_uint_eq(json_array_size(lc_changes_list(ch, "still", "checks")), 1);
    ck_assert_uint_eq(json_array_size(lc_changes_list(ch, "fixed", "checks")), 2);
    ck_assert_uint_eq(json_array_size(lc_changes_list(ch, "new", "findings")), 1);
    ck_assert_uint_eq(json_array_size(lc_changes_list(ch, "fixed", "findings")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(lc_changes_list(ch, "fixed", "findings"), 0), "id")),
                     "f-00000001");
    facts = lc_changes_facts(ch);
    json_array_foreach(facts, i, e)
    {
        const char *kind = json_string_value(json_object_get(e, "kind"));
        const char *text = json_string_value(json_object_get(e, "text"));
        if (strcmp(kind, "certificate") == 0) {
            cert = 1;
            ck_assert_str_eq(json_string_value(json_object_get(e, "subject")),
                             "webext.contoso.com:443");
            ck_assert_ptr_nonnull(strstr(text, "certificate renewed on webext.contoso.com:443: "
                                               "now SHA-256 ea53989719f04381... expires "
                                               "2027-12-07T03:17:37Z"));
            ck_assert_ptr_nonnull(strstr(text, "was SHA-256 0cca2b37... expires 2026-12-20"));
            ck_assert_ptr_nonnull(strstr(text, "names missing: old.contoso.com"));
        }
        if (strcmp(kind, "srv") == 0) {
            srv = 1;
            ck_assert_str_eq(text, "_sip._tls.contoso.com now points at sip.contoso.com:443 "
                                   "(was access.contoso.com:443)");
        }
    }
    ck_assert(cert && srv);
    ck_assert_int_eq(lc_changes_summary(ch, sum, sizeof(sum)), 0);
    ck_assert_ptr_nonnull(strstr(sum, "since the last run (2026-12-06T03:00:00Z): 1 new problem"));
    lc_changes_free(ch);
    lc_findings_free(f);
    json_decref(bj);
    lc_t_unbuild(b);
    free(b);
}
END_TEST

Suite *lc_suite_findings(void)
{
    Suite *s = suite_create("findings");
    TCase *tc = tcase_create("group");

    tcase_add_loop_test(tc, test_findings_table, 0,
                        (int)(sizeof(lc_t_fcases) / sizeof(lc_t_fcases[0])));
    tcase_add_test(tc, test_findings_fix_by_diagnosis);
    tcase_add_test(tc, test_findings_hostile_message);
    suite_add_tcase(s, tc);
    tc = tcase_create("baseline");
    tcase_add_test(tc, test_baseline_parse_and_match);
    tcase_add_test(tc, test_baseline_changes);
    suite_add_tcase(s, tc);
    return s;
}
