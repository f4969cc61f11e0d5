/* SPDX-License-Identifier: MIT */
/* lynccheck - unit tests for result.c and the text, JSON and JUnit reporters.
 *
 * The fixture carries what a hostile or broken server can put into a
 * message: control characters, ANSI escapes, invalid UTF-8 and XML
 * metacharacters, next to legitimate non-ASCII text that must survive. */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "findings.h"
#include "html.h"
#include "out.h"
#include "report.h"
#include "result.h"
#include "run.h"
#include "site.h"
#include "suites.h"
#include "utf8.h"

#define LC_XC(s) ((const xmlChar *)(s))

#define LC_T_STARTED ((time_t)1795319294) /* 2026-11-22T03:48:14Z */
#define LC_T_FFFD "\xEF\xBF\xBD"
#define LC_T_NONASCII "\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC" /* "é 日本" */
#define LC_T_HOSTILE "certificate CN \x01 mismatch \x1b[31mred\x1b[0m " LC_T_NONASCII " <&\">"
#define LC_T_BADUTF8 "TTL 30 \xff\xfe low"

enum { LC_T_N = 6 };

static struct lc_result lc_t_res[LC_T_N];
static const struct lc_result *lc_t_ptrs[LC_T_N];
static const char *const lc_t_domains[] = {"contoso.com", "fabrikam.com"};
static struct lc_report lc_t_report;
static json_t *lc_t_evidence[LC_T_N];
static json_t *lc_t_site;

static void lc_t_setup(void)
{
    static const struct {
        const char *id, *probe, *what, *target, *message, *reference;
        enum lc_status status;
        uint64_t us;
    } rows[LC_T_N] = {
        {"dns.srv:_sipfederationtls._tcp.contoso.com", "dns", "srv",
         "_sipfederationtls._tcp.contoso.com", "1 SRV answer", "federation SRV", LC_PASS, 1234},
        {"tls.cert_name:sip.contoso.com:5061", "tls", "cert_name", "sip.contoso.com:5061",
         LC_T_HOSTILE, "SAN must hold the pool FQDN", LC_FAIL, 123456},
        {"dns.ttl:_sipfederationtls._tcp.contoso.com", "dns", "ttl",
         "_sipfederationtls._tcp.contoso.com", LC_T_BADUTF8, "TTL advice", LC_WARN, 1500},
        {"port.tcp:sip.contoso.com:443", "port", "tcp", "sip.contoso.com:443", "connect timeout",
         "", LC_ERROR, 5000000},
        {"sip.options:sip.contoso.com:5061", "sip", "options", "sip.contoso.com:5061",
         "not applicable", NULL, LC_SKIP, 0},
        {"tls.version:sip.contoso.com:5061", "tls", "version", "sip.contoso.com:5061", "TLS 1.2",
         "TLS 1.2 required", LC_PASS, 499},
    };

    for (size_t i = 0; i < LC_T_N; i++) {
        lc_t_evidence[i] = json_object();
        ck_assert_ptr_nonnull(lc_t_evidence[i]);
        lc_t_res[i] = (struct lc_result){
            .id = rows[i].id,
            .probe = rows[i].probe,
            .what = rows[i].what,
            .target = rows[i].target,
            .status = rows[i].status,
            .message = rows[i].message,
            .reference = rows[i].reference,
            .duration_us = rows[i].us,
            .evidence = lc_t_evidence[i],
        };
        lc_t_ptrs[i] = &lc_t_res[i];
    }
    ck_assert_int_eq(json_object_set_new(lc_t_evidence[1], "cn", json_string("sip.contoso.com")),
                     0);
    ck_assert_int_eq(json_object_set_new(lc_t_evidence[1], "sans", json_pack("[ss]", "a", "b")), 0);
    /* DEL and U+009B (8-bit CSI) are valid UTF-8 that jansson leaves raw. */
    ck_assert_int_eq(json_object_set_new(lc_t_evidence[2], "ttl", json_integer(30)), 0);
    ck_assert_int_eq(json_object_set_new(lc_t_evidence[2], "note",
                                         json_string("a\x7f"
                                                     "b\xC2\x9B"
                                                     "c")),
                     0);
    lc_t_site = json_pack("{s{ss}}", "edge", "fqdn", "sip.contoso.com");
    ck_assert_ptr_nonnull(lc_t_site);

    lc_t_report = (struct lc_report){
        .profile = "edge",
        .sip_domains = lc_t_domains,
        .n_sip_domains = 2,
        .version = "0.1.0",
        .hostname = "ci-runner-1",
        .started = LC_T_STARTED,
        .duration_us = 420499,
        .site = lc_t_site,
        .results = lc_t_ptrs,
        .n_results = LC_T_N,
    };
}

static void lc_t_teardown(void)
{
    for (size_t i = 0; i < LC_T_N; i++)
        json_decref(lc_t_evidence[i]);
    json_decref(lc_t_site);
}

/* Renders into memory; the reporter must succeed. Caller frees. */
static char *lc_t_render(int kind, const struct lc_report *report, int color, int verbose,
                         size_t *len_out)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int rc;

    ck_assert_ptr_nonnull(f);
    if (kind == 'j')
        rc = lc_report_json(report, f);
    else if (kind == 'x')
        rc = lc_report_junit(report, f);
    else if (kind == 'n')
        rc = lc_report_nagios(report, f);
    else if (kind == 'p')
        rc = lc_report_prometheus(report, f);
    else if (kind == 'h')
        rc = lc_report_html(report, f);
    else
        rc = lc_report_text(report, f, color, verbose);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_ptr_nonnull(buf);
    if (len_out != NULL)
        *len_out = len;
    return buf;
}

/* ---- result.c ---------------------------------------------------------- */

START_TEST(test_status_names)
{
    static const char *const names[] = {"pass", "warn", "fail", "error", "skip"};
    enum lc_status st;

    for (int i = 0; i < LC_STATUS_COUNT; i++) {
        ck_assert_str_eq(lc_status_name((enum lc_status)i), names[i]);
        st = LC_STATUS_COUNT;
        ck_assert_int_eq(lc_status_parse(names[i], &st), 0);
        ck_assert_int_eq(st, i);
    }
    ck_assert_int_eq(lc_status_parse("WARN", &st), 0);
    ck_assert_int_eq(st, LC_WARN);
    ck_assert_int_eq(lc_status_parse("warning", &st), -1);
    ck_assert_int_eq(lc_status_parse("", &st), -1);
    ck_assert_int_eq(lc_status_parse(NULL, &st), -1);
    ck_assert_int_eq(lc_status_parse("pass", NULL), -1);
    ck_assert_str_eq(lc_status_name(LC_STATUS_COUNT), "unknown");
}
END_TEST

START_TEST(test_tally)
{
    size_t c[LC_STATUS_COUNT];
    struct lc_result bad = lc_t_res[0];
    const struct lc_result *with_bad[LC_T_N + 1];
    struct lc_report r = lc_t_report;

    lc_report_tally(&lc_t_report, c);
    ck_assert_uint_eq(c[LC_PASS], 2);
    ck_assert_uint_eq(c[LC_WARN], 1);
    ck_assert_uint_eq(c[LC_FAIL], 1);
    ck_assert_uint_eq(c[LC_ERROR], 1);
    ck_assert_uint_eq(c[LC_SKIP], 1);

    /* An unknown status is counted as an error, never dropped. */
    bad.status = (enum lc_status)42;
    memcpy(with_bad, lc_t_ptrs, sizeof(lc_t_ptrs));
    with_bad[LC_T_N] = &bad;
    r.results = with_bad;
    r.n_results = LC_T_N + 1;
    lc_report_tally(&r, c);
    ck_assert_uint_eq(c[LC_ERROR], 2);

    r.results = NULL;
    r.n_results = 0;
    lc_report_tally(&r, c);
    for (int i = 0; i < LC_STATUS_COUNT; i++)
        ck_assert_uint_eq(c[i], 0);
}
END_TEST

static int lc_t_exit(const char *statuses)
{
    struct lc_result res[8];
    const struct lc_result *ptrs[8];
    struct lc_report r = {.profile = "edge"};
    size_t n = 0;

    for (const char *p = statuses; *p != '\0' && n < 8; p++, n++) {
        res[n] = lc_t_res[0];
        res[n].status = *p == 'P'   ? LC_PASS
                        : *p == 'W' ? LC_WARN
                        : *p == 'F' ? LC_FAIL
                        : *p == 'E' ? LC_ERROR
                                    : LC_SKIP;
        ptrs[n] = &res[n];
    }
    r.results = ptrs;
    r.n_results = n;
    return lc_exit_status(&r);
}

START_TEST(test_exit_status)
{
    /* No check ran: nothing was proven, UNKNOWN (issue 12). */
    ck_assert_int_eq(lc_t_exit(""), 3);
    ck_assert_int_eq(lc_t_exit("S"), 3);
    ck_assert_int_eq(lc_t_exit("SS"), 3);
    ck_assert_int_eq(lc_t_exit("P"), 0);
    ck_assert_int_eq(lc_t_exit("PS"), 0);
    ck_assert_int_eq(lc_t_exit("PW"), 1);
    ck_assert_int_eq(lc_t_exit("SW"), 1);
    ck_assert_int_eq(lc_t_exit("E"), 3);
    ck_assert_int_eq(lc_t_exit("PWE"), 3); /* error beats warn */
    ck_assert_int_eq(lc_t_exit("EW"), 3);
    ck_assert_int_eq(lc_t_exit("F"), 2);
    ck_assert_int_eq(lc_t_exit("PWF"), 2); /* fail beats warn */
    ck_assert_int_eq(lc_t_exit("EF"), 2);  /* fail beats error */
    ck_assert_int_eq(lc_t_exit("FE"), 2);
    ck_assert_int_eq(lc_t_exit("PWFES"), 2);
    ck_assert_int_eq(lc_t_exit("SSW"), 1);
    ck_assert_int_eq(lc_t_exit("SSE"), 3);
    ck_assert_int_eq(lc_t_exit("SSF"), 2);
    ck_assert_int_eq(lc_exit_status(&lc_t_report), 2);
    ck_assert_str_eq(lc_report_state_name(0), "ok");
    ck_assert_str_eq(lc_report_state_name(1), "warning");
    ck_assert_str_eq(lc_report_state_name(2), "critical");
    ck_assert_str_eq(lc_report_state_name(3), "unknown");
    ck_assert_str_eq(lc_report_state_name(-1), "unknown");
    ck_assert_str_eq(lc_report_state_name(4), "unknown");
}
END_TEST

/* ---- JSON ------------------------------------------------------------- */

START_TEST(test_json_fields)
{
    static const char *const top[] = {
        "schema",   "tool", "version", "profile", "sip_domains", "started",   "duration_ms",
        "hostname", "site", "status",  "summary", "findings",    "by_domain", "checks"};
    static const char *const per_check[] = {"id",       "probe",    "what",    "target",
                                            "domain",   "status",   "message", "duration_ms",
                                            "evidence", "reference"};
    static const char *const status[LC_T_N] = {"pass", "fail", "warn", "error", "skip", "pass"};
    static const json_int_t ms[LC_T_N] = {1, 123, 2, 5000, 0, 0};
    size_t len;
    char *out = lc_t_render('j', &lc_t_report, 0, 0, &len);
    json_error_t err;
    json_t *doc = json_loads(out, 0, &err);
    json_t *checks, *c;
    void *it;
    size_t k = 0;

    ck_assert_msg(doc != NULL, "JSON does not parse: %s\n%s", err.text, out);
    /* Pretty-printed, trailing newline, keys in the documented order. */
    ck_assert_ptr_nonnull(strstr(out, "{\n  \"schema\": 1,\n  \"tool\": \"lynccheck\""));
    ck_assert(len >= 2 && out[len - 1] == '\n' && out[len - 2] == '}');
    for (it = json_object_iter(doc); it != NULL; it = json_object_iter_next(doc, it), k++) {
        ck_assert_uint_lt(k, sizeof(top) / sizeof(top[0]));
        ck_assert_str_eq(json_object_iter_key(it), top[k]);
    }
    ck_assert_uint_eq(k, sizeof(top) / sizeof(top[0]));

    ck_assert_int_eq(json_integer_value(json_object_get(doc, "schema")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "tool")), "lynccheck");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "version")), "0.1.0");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "profile")), "edge");
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "sip_domains")), 2);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "sip_domains"), 1)),
                     "fabrikam.com");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "started")), "2026-11-22T03:48:14Z");
    ck_assert(json_is_integer(json_object_get(doc, "duration_ms")));
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "duration_ms")), 420);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "hostname")), "ci-runner-1");
    ck_assert(json_equal(json_object_get(doc, "site"), lc_t_site));
    /* The run's state is the exit status's; checks ran, so no reason. */
    ck_assert_str_eq(json_string_value(json_object_get(doc, "status")), "critical");
    ck_assert_ptr_null(json_object_get(doc, "reason"));
    ck_assert_ptr_null(json_object_get(doc, "unmatched_globs"));
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(doc, "summary"), "pass")),
                     2);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(doc, "summary"), "skip")),
                     1);

    /* Three problems with nothing in common: three findings, worst first. */
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "findings")), 3);
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(doc, "findings"), 0), "severity")),
                     "fail");
    checks = json_object_get(doc, "checks");
    ck_assert_uint_eq(json_array_size(checks), LC_T_N);
    for (size_t i = 0; i < LC_T_N; i++) {
        c = json_array_get(checks, i);
        k = 0;
        for (it = json_object_iter(c); it != NULL && k < sizeof(per_check) / sizeof(per_check[0]);
             it = json_object_iter_next(c, it), k++)
            ck_assert_str_eq(json_object_iter_key(it), per_check[k]);
        ck_assert_uint_eq(k, sizeof(per_check) / sizeof(per_check[0]));
        /* A check that did not pass names its finding last; others none. */
        if (it != NULL) {
            ck_assert_str_eq(json_object_iter_key(it), "finding");
            ck_assert(strncmp(json_string_value(json_object_iter_value(it)), "f-", 2) == 0);
            ck_assert(strcmp(status[i], "pass") != 0 && strcmp(status[i], "skip") != 0);
            ck_assert_ptr_null(json_object_iter_next(c, it));
        } else {
            ck_assert(strcmp(status[i], "pass") == 0 || strcmp(status[i], "skip") == 0);
        }
        ck_assert_str_eq(json_string_value(json_object_get(c, "id")), lc_t_res[i].id);
        ck_assert_str_eq(json_string_value(json_object_get(c, "status")), status[i]);
        ck_assert_int_eq(json_integer_value(json_object_get(c, "duration_ms")), ms[i]);
        ck_assert(json_equal(json_object_get(c, "evidence"), lc_t_evidence[i]));
    }
    /* Control characters survive (JSON escapes them), bad bytes become U+FFFD. */
    c = json_array_get(checks, 1);
    ck_assert_str_eq(json_string_value(json_object_get(c, "message")), LC_T_HOSTILE);
    ck_assert_ptr_nonnull(strstr(out, "\\u0001"));
    ck_assert_ptr_nonnull(strcasestr(out, "\\u001b[31m"));
    c = json_array_get(checks, 2);
    ck_assert_str_eq(json_string_value(json_object_get(c, "message")),
                     "TTL 30 " LC_T_FFFD LC_T_FFFD " low");
    /* A NULL reference is an empty string, not a missing key. */
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(checks, 4), "reference")),
                     "");

    json_decref(doc);
    free(out);
}
END_TEST

START_TEST(test_json_bad_utf8_everywhere)
{
    /* Overlong '/', a UTF-16 surrogate, a truncated sequence at the end. */
    static const char *const domains[] = {"a\xC0\xAF/b", "\xED\xA0\x80", "x\xE6\x97"};
    struct lc_report r = lc_t_report;
    char *out;
    json_t *doc;
    json_error_t err;

    r.profile = "\xff";
    r.hostname = NULL;
    r.version = "1\x80";
    r.site = NULL;
    r.sip_domains = domains;
    r.n_sip_domains = 3;
    lc_t_res[0].id = "dns.srv:\xfe";
    lc_t_res[0].status = (enum lc_status)42;
    out = lc_t_render('j', &r, 0, 0, NULL);
    doc = json_loads(out, 0, &err);
    ck_assert_msg(doc != NULL, "JSON does not parse: %s\n%s", err.text, out);
    ck_assert_ptr_null(json_object_get(doc, "site"));
    ck_assert_str_eq(json_string_value(json_object_get(doc, "profile")), LC_T_FFFD);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "hostname")), "");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "version")), "1" LC_T_FFFD);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "sip_domains"), 0)),
                     "a" LC_T_FFFD LC_T_FFFD "/b");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "sip_domains"), 1)),
                     LC_T_FFFD LC_T_FFFD LC_T_FFFD);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "sip_domains"), 2)),
                     "x" LC_T_FFFD LC_T_FFFD);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_array_get(json_object_get(doc, "checks"), 0), "id")),
        "dns.srv:" LC_T_FFFD);
    /* An unknown status is reported as "error", consistently with the tally. */
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(doc, "checks"), 0), "status")),
                     "error");
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(doc, "summary"), "error")),
                     2);
    json_decref(doc);
    free(out);
}
END_TEST

/* ---- JUnit ------------------------------------------------------------ */

/* Validates against the strict XSD; a missing XSD is a test failure, never
 * a silent pass. */
static void lc_t_validate(const char *xml, size_t len)
{
    const char *path = getenv("LC_JUNIT_XSD");
    xmlSchemaParserCtxtPtr pctx;
    xmlSchemaPtr schema;
    xmlSchemaValidCtxtPtr vctx;
    xmlDocPtr doc;
    int rc;

    if (path == NULL || path[0] == '\0')
        path = "tests/JUnit.xsd";
    pctx = xmlSchemaNewParserCtxt(path);
    ck_assert_msg(pctx != NULL, "out of memory creating the XSD parser");
    schema = xmlSchemaParse(pctx);
    xmlSchemaFreeParserCtxt(pctx);
    if (schema == NULL)
        ck_abort_msg("cannot load the JUnit XSD from \"%s\": set LC_JUNIT_XSD to its path "
                     "(default tests/JUnit.xsd relative to the current directory)",
                     path);
    doc = xmlReadMemory(xml, (int)len, "junit.xml", NULL, XML_PARSE_NONET);
    ck_assert_msg(doc != NULL, "JUnit output is not well-formed XML:\n%s", xml);
    vctx = xmlSchemaNewValidCtxt(schema);
    ck_assert_ptr_nonnull(vctx);
    rc = xmlSchemaValidateDoc(vctx, doc);
    ck_assert_msg(rc == 0, "JUnit output does not validate against %s (rc %d):\n%s", path, rc, xml);
    xmlSchemaFreeValidCtxt(vctx);
    xmlSchemaFree(schema);
    xmlFreeDoc(doc);
}

/* The index-th element child of node called name, or NULL. */
static xmlNodePtr lc_t_child(xmlNodePtr node, const char *name, int index)
{
    for (xmlNodePtr c = node != NULL ? node->children : NULL; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, LC_XC(name)) == 0 && index-- == 0)
            return c;
    }
    return NULL;
}

static void lc_t_prop_eq(xmlNodePtr node, const char *name, const char *want)
{
    xmlChar *v;

    ck_assert_ptr_nonnull(node);
    v = xmlGetProp(node, LC_XC(name));
    ck_assert_msg(v != NULL, "<%s> has no attribute %s", (const char *)node->name, name);
    ck_assert_msg(strcmp((const char *)v, want) == 0, "<%s %s=\"%s\">, want \"%s\"",
                  (const char *)node->name, name, (const char *)v, want);
    xmlFree(v);
}

static void lc_t_content_has(xmlNodePtr node, const char *want)
{
    xmlChar *v;

    ck_assert_ptr_nonnull(node);
    v = xmlNodeGetContent(node);
    ck_assert_ptr_nonnull(v);
    ck_assert_msg(strstr((const char *)v, want) != NULL, "<%s> holds \"%s\", want \"%s\" in it",
                  (const char *)node->name, (const char *)v, want);
    xmlFree(v);
}

START_TEST(test_junit_valid)
{
    size_t len;
    /* One SIP domain: one suite per probe (several: see test_junit_domains). */
    struct lc_report one = lc_t_report;
    char *out;

    one.n_sip_domains = 1;
    out = lc_t_render('x', &one, 0, 0, &len);
    xmlDocPtr doc;
    xmlNodePtr root, dns, tls, port, sip, tc;

    lc_t_validate(out, len);
    /* Hostile bytes never reach the file, not even as character references. */
    ck_assert_ptr_null(memchr(out, 0x01, len));
    ck_assert_ptr_null(memchr(out, 0x1b, len));
    ck_assert_ptr_null(strstr(out, "[31m"));
    ck_assert_ptr_null(strstr(out, "&#1;"));
    ck_assert_ptr_null(strstr(out, "&#x1;"));

    doc = xmlReadMemory(out, (int)len, "junit.xml", NULL, XML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    root = xmlDocGetRootElement(doc);
    ck_assert_str_eq((const char *)root->name, "testsuites");
    /* Suites in first-appearance order of their probe. */
    dns = lc_t_child(root, "testsuite", 0);
    tls = lc_t_child(root, "testsuite", 1);
    port = lc_t_child(root, "testsuite", 2);
    sip = lc_t_child(root, "testsuite", 3);
    ck_assert_ptr_null(lc_t_child(root, "testsuite", 4));
    lc_t_prop_eq(dns, "name", "dns");
    lc_t_prop_eq(dns, "id", "0");
    lc_t_prop_eq(dns, "tests", "2");
    lc_t_prop_eq(dns, "failures", "0");
    lc_t_prop_eq(dns, "time", "0.003"); /* 1234 + 1500 us */
    lc_t_prop_eq(dns, "timestamp", "2026-11-22T03:48:14");
    lc_t_prop_eq(dns, "hostname", "ci-runner-1");
    lc_t_prop_eq(dns, "package", "lynccheck.edge");
    lc_t_prop_eq(tls, "name", "tls");
    lc_t_prop_eq(tls, "id", "1");
    lc_t_prop_eq(tls, "failures", "1");
    lc_t_prop_eq(port, "errors", "1");
    lc_t_prop_eq(sip, "skipped", "1");
    lc_t_prop_eq(sip, "id", "3");

    /* Properties first: profile, one per SIP domain, version. */
    tc = lc_t_child(lc_t_child(dns, "properties", 0), "property", 1);
    lc_t_prop_eq(tc, "name", "sip_domain");
    lc_t_prop_eq(tc, "value", "contoso.com");
    tc = lc_t_child(lc_t_child(dns, "properties", 0), "property", 2);
    lc_t_prop_eq(tc, "value", "0.1.0");

    tc = lc_t_child(tls, "testcase", 0);
    lc_t_prop_eq(tc, "classname", "lynccheck.edge.tls");
    lc_t_prop_eq(tc, "name", "tls.cert_name:sip.contoso.com:5061");
    lc_t_prop_eq(tc, "time", "0.123");
    lc_t_prop_eq(lc_t_child(tc, "failure", 0), "type", "fail");
    /* ANSI escapes stripped, other controls U+FFFD, metacharacters intact. */
    /* ... and the problem it belongs to named (findings.h). */
    {
        struct lc_findings *f = NULL;
        char want[256];
        ck_assert_int_eq(lc_findings_build(&lc_t_report, &f), 0);
        snprintf(want, sizeof(want),
                 "certificate CN " LC_T_FFFD " mismatch red " LC_T_NONASCII " <&\"> [problem %s]",
                 lc_findings_of(f, &lc_t_res[1])->id);
        lc_t_prop_eq(lc_t_child(tc, "failure", 0), "message", want);
        snprintf(want, sizeof(want), "connect timeout [problem %s]",
                 lc_findings_of(f, &lc_t_res[3])->id);
        lc_t_prop_eq(lc_t_child(lc_t_child(port, "testcase", 0), "error", 0), "message", want);
        lc_findings_free(f);
    }
    lc_t_content_has(lc_t_child(tc, "failure", 0), "\"cn\": \"sip.contoso.com\"");
    lc_t_content_has(lc_t_child(tc, "failure", 0), "problem f-");
    ck_assert_ptr_null(lc_t_child(lc_t_child(tls, "testcase", 1), "failure", 0));

    tc = lc_t_child(port, "testcase", 0);
    lc_t_prop_eq(tc, "time", "5.000");
    lc_t_prop_eq(lc_t_child(tc, "error", 0), "type", "error");
    lc_t_prop_eq(lc_t_child(lc_t_child(sip, "testcase", 0), "skipped", 0), "message",
                 "not applicable");

    /* The warning passes but is visible in the suite's output. */
    ck_assert_ptr_null(lc_t_child(lc_t_child(dns, "testcase", 1), "failure", 0));
    lc_t_content_has(lc_t_child(dns, "system-out", 0),
                     "WARN: dns.ttl:_sipfederationtls._tcp.contoso.com: TTL 30 " LC_T_FFFD LC_T_FFFD
                     " low\n");
    xmlFreeDoc(doc);
    free(out);
}
END_TEST

/* Several SIP domains: one suite per domain with the checks on its names,
 * then "shared" for names outside every SIP domain; in JSON, each check's
 * domain and the per-domain summary with the shared checks counted in. */
/* How many properties of a suite are called name; the first one's value
 * into first (when not NULL, len bytes). */
static int lc_t_props_named(xmlNodePtr suite, const char *name, char *first, size_t len)
{
    xmlNodePtr props = lc_t_child(suite, "properties", 0), prop;
    int n = 0;

    for (int i = 0; (prop = lc_t_child(props, "property", i)) != NULL; i++) {
        xmlChar *pname = xmlGetProp(prop, LC_XC("name"));
        if (xmlStrcmp(pname, LC_XC(name)) == 0 && n++ == 0 && first != NULL) {
            xmlChar *v = xmlGetProp(prop, LC_XC("value"));
            snprintf(first, len, "%s", v != NULL ? (const char *)v : "");
            xmlFree(v);
        }
        xmlFree(pname);
    }
    return n;
}

START_TEST(test_junit_domains)
{
    static const char *const domains[] = {"contoso.com", "fabrikam.com", "sub.contoso.com"};
    struct lc_report r = lc_t_report;
    xmlDocPtr doc;
    xmlNodePtr root;
    json_t *j, *by;
    json_error_t err;
    size_t len;
    char *out;

    r.sip_domains = domains;
    r.n_sip_domains = 3;
    lc_t_res[2].target = "_sip._tls.fabrikam.com"; /* fabrikam's own */
    lc_t_res[3].target = "edge.hoster.net:443";    /* shared infrastructure */
    lc_t_res[4].target = "x.sub.contoso.com:5061"; /* the most specific domain wins */
    lc_t_res[5].target = "director-web-external";  /* a role without a name: shared */
    out = lc_t_render('x', &r, 0, 0, &len);
    lc_t_validate(out, len);
    doc = xmlReadMemory(out, (int)len, "junit.xml", NULL, XML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    root = xmlDocGetRootElement(doc);
    lc_t_prop_eq(lc_t_child(root, "testsuite", 0), "name", "contoso.com");
    lc_t_prop_eq(lc_t_child(root, "testsuite", 0), "tests", "2");
    lc_t_prop_eq(lc_t_child(root, "testsuite", 1), "name", "fabrikam.com");
    lc_t_prop_eq(lc_t_child(root, "testsuite", 1), "tests", "1");
    lc_t_prop_eq(lc_t_child(root, "testsuite", 2), "name", "sub.contoso.com");
    lc_t_prop_eq(lc_t_child(root, "testsuite", 3), "name", "shared");
    lc_t_prop_eq(lc_t_child(root, "testsuite", 3), "tests", "2");
    ck_assert_ptr_null(lc_t_child(root, "testsuite", 4));
    /* Each domain's suite names its own domain and the problems of its own
     * checks (the fail for contoso.com, the warn for fabrikam.com, none for
     * sub.contoso.com); the shared suite every domain and the error. Every
     * domain and problem in each suite made a 1,000-domain report 250 MB. */
    {
        static const struct {
            int suite, domains, problems;
            const char *domain, *count, *problem;
        } want[] = {
            {0, 1, 1, "contoso.com", "1", "fail"},
            {1, 1, 1, "fabrikam.com", "1", "warn"},
            {2, 1, 0, "sub.contoso.com", "0", NULL},
            {3, 3, 1, "contoso.com", "1", "error"},
        };
        char v[512];
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
            xmlNodePtr suite = lc_t_child(root, "testsuite", want[i].suite);
            ck_assert_int_eq(lc_t_props_named(suite, "sip_domain", v, sizeof(v)), want[i].domains);
            ck_assert_str_eq(v, want[i].domain);
            ck_assert_int_eq(lc_t_props_named(suite, "lynccheck.problems", v, sizeof(v)), 1);
            ck_assert_str_eq(v, want[i].count);
            ck_assert_int_eq(lc_t_props_named(suite, "lynccheck.problem", v, sizeof(v)),
                             want[i].problems);
            if (want[i].problem != NULL)
                ck_assert_msg(strstr(v, want[i].problem) != NULL, "suite %d: %s", want[i].suite, v);
            /* The run's own facts stay in every suite. */
            ck_assert_int_eq(lc_t_props_named(suite, "lynccheck.status", NULL, 0), 1);
        }
    }
    /* classname keeps the probe: Jenkins and GitLab group by it. */
    lc_t_prop_eq(lc_t_child(lc_t_child(root, "testsuite", 1), "testcase", 0), "classname",
                 "lynccheck.edge.dns");
    xmlFreeDoc(doc);
    free(out);

    out = lc_t_render('j', &r, 0, 0, &len);
    j = json_loads(out, 0, &err);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(j, "checks"), 2), "domain")),
                     "fabrikam.com");
    ck_assert(
        json_is_null(json_object_get(json_array_get(json_object_get(j, "checks"), 3), "domain")));
    by = json_object_get(j, "by_domain");
    ck_assert_uint_eq(json_array_size(by), 3);
    /* fabrikam: its warn plus the shared error and pass. */
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(by, 1), "domain")),
                     "fabrikam.com");
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(by, 1), "own_checks")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(by, 1), "shared_checks")),
                     2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(by, 1), "worst")), "error");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(by, 0), "worst")), "fail");
    json_decref(j);
    free(out);
}
END_TEST

START_TEST(test_junit_hostile_everywhere)
{
    static const char *const domains[] = {"con\x01toso.com", "\x1b]0;pwned\x07", "\xff"};
    struct lc_report r = lc_t_report;
    const char *unknown;
    size_t len;
    char *out;

    r.profile = "ed\x1b[1mge\x7f";      /* DEL is legal XML and kept */
    r.hostname = " \x1b[0m\t";          /* nothing left after cleaning: localhost */
    r.version = "\xC0\xAF\xEF\xBF\xBE"; /* overlong, then U+FFFE: not XML */
    r.sip_domains = domains;
    r.n_sip_domains = 1; /* per-probe suites: the probe names are the hostile part here */
    lc_t_res[0].probe = "";
    lc_t_res[2].probe = NULL;          /* same group as "" */
    lc_t_res[1].probe = "\x1b[1m \n";  /* blank once cleaned */
    lc_t_res[3].id = "port.tcp:\x1b["; /* unterminated CSI */
    lc_t_res[3].message = "]]> <![CDATA[ &amp; \r\n\t";
    lc_t_res[4].status = (enum lc_status)42;
    out = lc_t_render('x', &r, 0, 0, &len);
    lc_t_validate(out, len);
    ck_assert_ptr_null(memchr(out, 0x1b, len));
    ck_assert_ptr_null(memchr(out, 0x07, len));
    ck_assert_ptr_nonnull(strstr(out, "hostname=\"localhost\""));
    /* Both the empty probe and the one left blank by cleaning. */
    unknown = strstr(out, "<testsuite name=\"unknown\"");
    ck_assert_ptr_nonnull(unknown);
    ck_assert_ptr_nonnull(strstr(unknown + 1, "<testsuite name=\"unknown\""));
    free(out);

    /* No results at all is still a valid document. */
    r.n_results = 0;
    out = lc_t_render('x', &r, 0, 0, &len);
    lc_t_validate(out, len);
    free(out);
}
END_TEST

START_TEST(test_timestamps)
{
    struct lc_report r = lc_t_report;
    char *out;
    size_t len;

    r.started = 0;
    out = lc_t_render('x', &r, 0, 0, &len);
    ck_assert_ptr_nonnull(strstr(out, "timestamp=\"1970-01-01T00:00:00\""));
    lc_t_validate(out, len);
    free(out);
    out = lc_t_render('j', &r, 0, 0, NULL);
    ck_assert_ptr_nonnull(strstr(out, "\"started\": \"1970-01-01T00:00:00Z\""));
    free(out);

    r.started = (time_t)1709164800 + 86399; /* 2024-02-29T23:59:59Z, leap day */
    out = lc_t_render('x', &r, 0, 0, &len);
    ck_assert_ptr_nonnull(strstr(out, "timestamp=\"2024-02-29T23:59:59\""));
    lc_t_validate(out, len);
    free(out);
    out = lc_t_render('j', &r, 0, 0, NULL);
    ck_assert_ptr_nonnull(strstr(out, "\"started\": \"2024-02-29T23:59:59Z\""));
    free(out);

    /* A year past 9999 cannot be written in either format. */
    r.started = (time_t)400000000000LL;
    out = lc_t_render('x', &r, 0, 0, &len);
    ck_assert_ptr_nonnull(strstr(out, "timestamp=\"1970-01-01T00:00:00\""));
    lc_t_validate(out, len);
    free(out);
}
END_TEST

START_TEST(test_numeric_locale)
{
    char probe[16];
    char *out;
    size_t len;

    if (setlocale(LC_NUMERIC, "de_DE.UTF-8") == NULL) {
        fprintf(stderr, "test_numeric_locale: de_DE.UTF-8 not installed, part skipped\n");
        return;
    }
    /* Prove the locale bites, or this test would prove nothing. */
    snprintf(probe, sizeof(probe), "%.1f", 1.5);
    ck_assert_str_eq(probe, "1,5");

    out = lc_t_render('x', &lc_t_report, 0, 0, &len);
    ck_assert_ptr_nonnull(strstr(out, "time=\"0.123\""));
    ck_assert_ptr_null(strstr(out, "0,123"));
    lc_t_validate(out, len);
    free(out);
    out = lc_t_render('t', &lc_t_report, 0, 0, NULL);
    ck_assert_ptr_nonnull(strstr(out, " in 0.42 s\n"));
    free(out);
    setlocale(LC_NUMERIC, "C");
}
END_TEST

/* ---- text ------------------------------------------------------------- */

START_TEST(test_text_plain)
{
    static const char header[] =
        "lynccheck 0.1.0: profile edge, SIP domains: contoso.com, fabrikam.com\n";
    char *out = lc_t_render('t', &lc_t_report, 0, 1, NULL);
    const char *dns = strstr(out, "\ndns\n");
    const char *ttl = dns != NULL ? strstr(dns, "dns.ttl:") : NULL;
    const char *tls = strstr(out, "\ntls\n");

    ck_assert_msg(strncmp(out, header, sizeof(header) - 1) == 0, "header: %s", out);
    /* Rows grouped by probe: both dns rows come before the tls group. */
    ck_assert(dns != NULL && ttl != NULL && tls != NULL && dns < ttl && ttl < tls);
    ck_assert_ptr_nonnull(strstr(out, "  FAIL   tls.cert_name:sip.contoso.com:5061"));
    /* Hostile bytes shown as '?', legitimate UTF-8 kept. */
    ck_assert_ptr_null(strchr(out, '\x1b'));
    ck_assert_ptr_null(strchr(out, '\x01'));
    ck_assert_ptr_null(strchr(out, '\x7f'));
    ck_assert_ptr_null(strstr(out, "\xC2\x9B"));
    ck_assert_ptr_nonnull(
        strstr(out, "certificate CN ? mismatch ?[31mred?[0m " LC_T_NONASCII " <&\">\n"));
    ck_assert_ptr_nonnull(strstr(out, "TTL 30 ?? low\n"));
    /* Verbose: evidence as compact JSON and the reference, under the id. */
    ck_assert_ptr_nonnull(strstr(out, "\n         evidence: {\"ttl\":30,\"note\":\"a?b?c\"}\n"));
    ck_assert_ptr_nonnull(strstr(out, "\n         reference: SAN must hold the pool FQDN\n"));
    ck_assert_msg(strstr(out, "\nlynccheck: 6 checks: 2 pass, 1 warn, 1 fail, 1 error, 1 skip in "
                              "0.42 s\n") != NULL,
                  "summary: %s", out);
    free(out);

    out = lc_t_render('t', &lc_t_report, 0, 0, NULL);
    ck_assert_ptr_null(strstr(out, "evidence:"));
    ck_assert_ptr_null(strstr(out, "reference:"));
    free(out);
}
END_TEST

START_TEST(test_text_color)
{
    char *out = lc_t_render('t', &lc_t_report, 1, 0, NULL);
    size_t escapes = 0;

    ck_assert_ptr_nonnull(strstr(out, "\033[31mFAIL\033[0m"));
    ck_assert_ptr_nonnull(strstr(out, "\033[32mPASS\033[0m"));
    /* The server's own colour codes are neutralised even in colour mode. */
    ck_assert_ptr_nonnull(strstr(out, "?[31mred?[0m"));
    /* 6 rows, 4 group headings, the 2 per-domain lines and the 3 findings
     * (the fail, the warn and the error have nothing in common), each one
     * colour and one reset. */
    for (const char *p = out; (p = strchr(p, '\033')) != NULL; p++)
        escapes++;
    ck_assert_uint_eq(escapes, 2 * (LC_T_N + 4 + 2 + 3));
    ck_assert_ptr_nonnull(strstr(out, "3 problems (3 checks):\n"));
    /* The per-domain summary: contoso.com has every check, fabrikam none. */
    ck_assert_ptr_nonnull(strstr(out, "by SIP domain"));
    ck_assert_ptr_nonnull(strstr(out, "\033[31mFAIL \033[0m contoso.com: 6 + 0 checks"));
    ck_assert_ptr_nonnull(strstr(out, "\033[32mPASS \033[0m fabrikam.com: 0 + 0 checks"));
    free(out);
}
END_TEST

/* ---- errors ----------------------------------------------------------- */

START_TEST(test_write_errors)
{
    FILE *f = fopen("/dev/full", "w");

    if (f == NULL) {
        fprintf(stderr, "test_write_errors: no /dev/full, skipped\n");
        return;
    }
    errno = 0;
    ck_assert_int_eq(lc_report_json(&lc_t_report, f), -1);
    ck_assert_int_eq(errno, ENOSPC);
    clearerr(f);
    errno = 0;
    ck_assert_int_eq(lc_report_junit(&lc_t_report, f), -1);
    ck_assert_int_eq(errno, ENOSPC);
    clearerr(f);
    errno = 0;
    ck_assert_int_eq(lc_report_text(&lc_t_report, f, 0, 1), -1);
    ck_assert_int_eq(errno, ENOSPC);
    fclose(f);

    errno = 0;
    ck_assert_int_eq(lc_report_json(NULL, stdout), -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(lc_report_junit(&lc_t_report, NULL), -1);
    ck_assert_int_eq(lc_report_text(NULL, stdout, 0, 0), -1);
}
END_TEST

/* ---- a run that checked nothing, globs that matched nothing ------------ */

/* One row per run shape. statuses: P W F E S as in lc_t_exit, X a check
 * --only/--skip excluded. reason: what every format must say when no check
 * ran (NULL: some check ran); warning: the unmatched globs named while
 * other checks ran. */
static const struct lc_t_run_case {
    const char *name;
    const char *statuses;
    const char *only[2];
    size_t n_only;
    const char *skip[1];
    size_t n_skip;
    int exit;
    const char *reason;
    const char *warning;
} lc_t_run_cases[] = {
    {"nothing planned",
     "",
     {NULL},
     0,
     {NULL},
     0,
     3,
     "no check ran: the profile planned no check",
     NULL},
    {"every check not applicable",
     "SS",
     {NULL},
     0,
     {NULL},
     0,
     3,
     "no check ran: every check was skipped (2 not applicable)",
     NULL},
    {"every check excluded or not applicable",
     "XXS",
     {NULL},
     0,
     {NULL},
     0,
     3,
     "no check ran: every check was skipped (2 excluded by --only/--skip, 1 not applicable)",
     NULL},
    {"mistyped --only (review 5.1b)",
     "XXS",
     {"dns.srv:_sip._tsl*"},
     1,
     {NULL},
     0,
     3,
     "no check ran: every check was skipped (--only 'dns.srv:_sip._tsl*' matched no check)",
     NULL},
    {"mistyped --only twice and --skip",
     "XX",
     {"a*", "b*"},
     2,
     {"c|d"},
     1,
     3,
     "no check ran: every check was skipped (--only 'a*', 'b*' matched no check; --skip 'c|d' "
     "matched no check)",
     NULL},
    {"one --only glob of two matched nothing",
     "PX",
     {"tls.x*"},
     1,
     {NULL},
     0,
     0,
     NULL,
     "--only 'tls.x*' matched no check"},
    {"a --skip glob matched nothing, a warning",
     "PWS",
     {NULL},
     0,
     {"dsn.*"},
     1,
     1,
     NULL,
     "--skip 'dsn.*' matched no check"},
    {"an error is a check that ran", "ESX", {NULL}, 0, {NULL}, 0, 3, NULL, NULL},
    {"a failure among exclusions", "FXX", {NULL}, 0, {NULL}, 0, 2, NULL, NULL},
    {"passed", "PS", {NULL}, 0, {NULL}, 0, 0, NULL, NULL},
};

static void lc_t_run_report(const struct lc_t_run_case *tc, struct lc_result res[8],
                            const struct lc_result *ptrs[8], struct lc_report *r)
{
    size_t n = 0;

    *r = lc_t_report;
    r->n_sip_domains = 1;
    for (const char *p = tc->statuses; *p != '\0' && n < 8; p++, n++) {
        res[n] = lc_t_res[n % LC_T_N];
        res[n].status = *p == 'P'   ? LC_PASS
                        : *p == 'W' ? LC_WARN
                        : *p == 'F' ? LC_FAIL
                        : *p == 'E' ? LC_ERROR
                                    : LC_SKIP;
        res[n].excluded = *p == 'X';
        ptrs[n] = &res[n];
    }
    r->results = ptrs;
    r->n_results = n;
    r->unmatched_only = tc->n_only > 0 ? tc->only : NULL;
    r->n_unmatched_only = tc->n_only;
    r->unmatched_skip = tc->n_skip > 0 ? tc->skip : NULL;
    r->n_unmatched_skip = tc->n_skip;
}

static void lc_t_has(const char *out, const char *want, const char *name, const char *fmt)
{
    ck_assert_msg(strstr(out, want) != NULL, "%s, %s: want \"%s\" in:\n%s", name, fmt, want, out);
}

static void lc_t_hasnt(const char *out, const char *unwanted, const char *name, const char *fmt)
{
    ck_assert_msg(strstr(out, unwanted) == NULL, "%s, %s: \"%s\" should not be in:\n%s", name, fmt,
                  unwanted, out);
}

START_TEST(test_no_run_every_format)
{
    static const char *const states[4] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
    const struct lc_t_run_case *tc = &lc_t_run_cases[_i];
    struct lc_result res[8];
    const struct lc_result *ptrs[8];
    struct lc_report r;
    char want[1024], *out, *text = NULL, *esc;
    size_t len;
    json_t *doc, *globs;
    json_error_t err;
    xmlDocPtr xdoc;
    xmlNodePtr suite, prop;
    int warned = 0;

    lc_t_run_report(tc, res, ptrs, &r);

    /* result.c */
    ck_assert_msg(lc_exit_status(&r) == tc->exit, "%s: exit %d, want %d", tc->name,
                  lc_exit_status(&r), tc->exit);
    ck_assert_int_eq(lc_report_no_run_reason(&r, &text), 0);
    if (tc->reason == NULL)
        ck_assert_msg(text == NULL, "%s: unexpected reason %s", tc->name, text);
    else
        ck_assert_msg(text != NULL && strcmp(text, tc->reason) == 0, "%s: reason \"%s\"", tc->name,
                      text != NULL ? text : "(none)");
    free(text);
    ck_assert_int_eq(lc_report_unmatched_text(&r, &text), 0);
    if (tc->warning == NULL)
        ck_assert_msg(text == NULL, "%s: unexpected warning %s", tc->name, text);
    else
        ck_assert_msg(text != NULL && strcmp(text, tc->warning) == 0, "%s: warning \"%s\"",
                      tc->name, text != NULL ? text : "(none)");
    free(text);

    /* text: the summary line says UNKNOWN and why, or warns. */
    out = lc_t_render('t', &r, 0, 0, NULL);
    if (tc->reason != NULL) {
        snprintf(want, sizeof(want), "\nlynccheck: UNKNOWN: %s\n", tc->reason);
        lc_t_has(out, want, tc->name, "text");
    } else {
        lc_t_hasnt(out, "UNKNOWN", tc->name, "text");
    }
    if (tc->warning != NULL) {
        snprintf(want, sizeof(want), "\nlynccheck: warning: %s\n", tc->warning);
        lc_t_has(out, want, tc->name, "text");
    } else {
        lc_t_hasnt(out, "warning:", tc->name, "text");
    }
    free(out);
    /* In colour the word UNKNOWN has the ERROR colour. */
    out = lc_t_render('t', &r, 1, 0, NULL);
    if (tc->reason != NULL)
        lc_t_has(out, "lynccheck: \033[35mUNKNOWN\033[0m: no check ran: ", tc->name, "text colour");
    free(out);

    /* JSON: status, reason, unmatched_globs. */
    out = lc_t_render('j', &r, 0, 0, NULL);
    doc = json_loads(out, 0, &err);
    ck_assert_msg(doc != NULL, "%s: JSON does not parse: %s", tc->name, err.text);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "status")),
                     lc_report_state_name(tc->exit));
    if (tc->reason != NULL)
        ck_assert_str_eq(json_string_value(json_object_get(doc, "reason")), tc->reason);
    else
        ck_assert_ptr_null(json_object_get(doc, "reason"));
    globs = json_object_get(doc, "unmatched_globs");
    if (tc->n_only + tc->n_skip == 0) {
        ck_assert_ptr_null(globs);
    } else {
        ck_assert_uint_eq(json_array_size(json_object_get(globs, "only")), tc->n_only);
        ck_assert_uint_eq(json_array_size(json_object_get(globs, "skip")), tc->n_skip);
        for (size_t i = 0; i < tc->n_only; i++)
            ck_assert_str_eq(json_string_value(json_array_get(json_object_get(globs, "only"), i)),
                             tc->only[i]);
    }
    json_decref(doc);
    free(out);

    /* JUnit: a suite "lynccheck" with one error testcase goes first; every
     * suite carries the state and the warning as properties. */
    out = lc_t_render('x', &r, 0, 0, &len);
    lc_t_validate(out, len);
    xdoc = xmlReadMemory(out, (int)len, "junit.xml", NULL, XML_PARSE_NONET);
    ck_assert_ptr_nonnull(xdoc);
    suite = lc_t_child(xmlDocGetRootElement(xdoc), "testsuite", 0);
    if (tc->reason != NULL) {
        xmlNodePtr error;
        lc_t_prop_eq(suite, "name", "lynccheck");
        lc_t_prop_eq(suite, "errors", "1");
        lc_t_prop_eq(lc_t_child(suite, "testcase", 0), "name", "lynccheck.run");
        error = lc_t_child(lc_t_child(suite, "testcase", 0), "error", 0);
        lc_t_prop_eq(error, "message", tc->reason);
        lc_t_prop_eq(error, "type", "unknown");
    } else if (suite != NULL) {
        xmlChar *name = xmlGetProp(suite, LC_XC("name"));
        ck_assert_str_ne((const char *)name, "lynccheck");
        xmlFree(name);
    }
    for (int k = 0; (suite = lc_t_child(xmlDocGetRootElement(xdoc), "testsuite", k)) != NULL; k++) {
        xmlNodePtr props = lc_t_child(suite, "properties", 0);
        int seen_state = 0, seen_warning = 0;
        for (int i = 0; (prop = lc_t_child(props, "property", i)) != NULL; i++) {
            xmlChar *name = xmlGetProp(prop, LC_XC("name"));
            if (xmlStrcmp(name, LC_XC("lynccheck.status")) == 0) {
                lc_t_prop_eq(prop, "value", lc_report_state_name(tc->exit));
                seen_state = 1;
            } else if (xmlStrcmp(name, LC_XC("lynccheck.warning")) == 0) {
                ck_assert_ptr_nonnull(tc->warning);
                lc_t_prop_eq(prop, "value", tc->warning);
                seen_warning = 1;
            }
            xmlFree(name);
        }
        ck_assert(seen_state);
        ck_assert_int_eq(seen_warning, tc->warning != NULL);
        warned |= seen_warning;
    }
    xmlFreeDoc(xdoc);
    free(out);

    /* Nagios: the first line's state is the exit status's, with the
     * reason as its summary or the warning after it. */
    out = lc_t_render('n', &r, 0, 0, NULL);
    snprintf(want, sizeof(want), "LYNCCHECK %s - ", states[tc->exit]);
    ck_assert_msg(strncmp(out, want, strlen(want)) == 0, "%s: nagios: %s", tc->name, out);
    if (tc->reason != NULL) {
        /* '|' would start the perfdata: the glob's becomes '/'. */
        char clean[512];
        size_t k;
        for (k = 0; tc->reason[k] != '\0' && k + 1 < sizeof(clean); k++)
            clean[k] = tc->reason[k] == '|' ? '/' : tc->reason[k];
        clean[k] = '\0';
        snprintf(want, sizeof(want), "LYNCCHECK UNKNOWN - %s | 'checks'=", clean);
        ck_assert_msg(strncmp(out, want, strlen(want)) == 0, "%s: nagios: %s", tc->name, out);
    }
    if (tc->warning != NULL) {
        snprintf(want, sizeof(want), "; %s | 'checks'=", tc->warning);
        lc_t_has(out, want, tc->name, "nagios");
    }
    ck_assert_ptr_null(strchr(strchr(out, '|') + 1, '|'));
    free(out);

    /* Prometheus: lynccheck_run_status is 1 only for an OK run, with the
     * reason as a label; lynccheck_checks_run; one series per glob. */
    out = lc_t_render('p', &r, 0, 0, NULL);
    if (tc->reason != NULL) {
        snprintf(want, sizeof(want),
                 "lynccheck_run_status{profile=\"edge\",state=\"unknown\",reason=\"%s\"} 0\n",
                 tc->reason);
        lc_t_has(out, want, tc->name, "prometheus");
        lc_t_has(out, "lynccheck_checks_run{profile=\"edge\"} 0\n", tc->name, "prometheus");
    } else {
        snprintf(want, sizeof(want), "lynccheck_run_status{profile=\"edge\",state=\"%s\"} %d\n",
                 lc_report_state_name(tc->exit), tc->exit == 0);
        lc_t_has(out, want, tc->name, "prometheus");
        lc_t_hasnt(out, "lynccheck_checks_run{profile=\"edge\"} 0\n", tc->name, "prometheus");
    }
    for (size_t i = 0; i < tc->n_only; i++) {
        snprintf(want, sizeof(want),
                 "lynccheck_unmatched_glob{profile=\"edge\",option=\"only\",glob=\"%s\"} 1\n",
                 tc->only[i]);
        lc_t_has(out, want, tc->name, "prometheus");
    }
    for (size_t i = 0; i < tc->n_skip; i++) {
        snprintf(want, sizeof(want),
                 "lynccheck_unmatched_glob{profile=\"edge\",option=\"skip\",glob=\"%s\"} 1\n",
                 tc->skip[i]);
        lc_t_has(out, want, tc->name, "prometheus");
    }
    if (tc->n_only + tc->n_skip == 0)
        lc_t_hasnt(out, "lynccheck_unmatched_glob{", tc->name, "prometheus");
    free(out);

    /* HTML: never "ready for go-live" when nothing was checked. */
    out = lc_t_render('h', &r, 0, 0, NULL);
    if (tc->reason != NULL) {
        esc = lc_html_escape(tc->reason, 0);
        ck_assert_ptr_nonnull(esc);
        snprintf(want, sizeof(want), "<p class=\"verdict unknown\">No verdict: %s.</p>", esc);
        free(esc);
        lc_t_has(out, want, tc->name, "html");
        lc_t_hasnt(out, "Ready for go-live", tc->name, "html");
    } else {
        lc_t_hasnt(out, "verdict unknown", tc->name, "html");
    }
    if (tc->warning != NULL) {
        esc = lc_html_escape(tc->warning, 0);
        ck_assert_ptr_nonnull(esc);
        snprintf(want, sizeof(want), "<p class=\"selection\"><b>Selection:</b> %s:", esc);
        free(esc);
        lc_t_has(out, want, tc->name, "html");
    } else {
        lc_t_hasnt(out, "class=\"selection\"", tc->name, "html");
    }
    free(out);
    ck_assert_int_eq(warned, tc->warning != NULL);
}
END_TEST

/* ---- names pinned with --resolve ---------------------------------------- */

START_TEST(test_pins_every_format)
{
    static const char want_text[] =
        "pinned (--resolve): sip.contoso.com -> 127.0.0.1, ::1; lyncdiscover.contoso.com -> "
        "127.0.0.2; ev?[31mil|x?y.test -> 127.0.0.3\n";
    static const char want_nagios[] =
        "pinned (--resolve): sip.contoso.com -> 127.0.0.1, ::1; lyncdiscover.contoso.com -> "
        "127.0.0.2; ev?[31mil/x?y.test -> 127.0.0.3\n";
    struct lc_report r = lc_t_report;
    json_t *site = json_deep_copy(lc_t_site);
    json_t *doc;
    json_error_t err;
    xmlDocPtr xdoc;
    xmlNodePtr suite;
    char *out, *nl, *text = NULL;
    size_t len;
    int suites = 0;

    ck_assert_ptr_nonnull(site);
    ck_assert_int_eq(
        json_object_set_new(site, "resolve",
                            json_pack("{s[ss]s[s]s[s]}", "sip.contoso.com", "127.0.0.1", "::1",
                                      "lyncdiscover.contoso.com", "127.0.0.2",
                                      "ev\x1b[31mil|x\ny.test", "127.0.0.3")),
        0);
    r.site = site;
    r.n_sip_domains = 1;
    ck_assert_int_eq(lc_report_pins_text(&r, &text), 0);
    ck_assert_str_eq(text, "sip.contoso.com -> 127.0.0.1, ::1; lyncdiscover.contoso.com -> "
                           "127.0.0.2; ev\x1b[31mil|x\ny.test -> 127.0.0.3");
    free(text);

    /* text: one header line, controls neutralised. */
    out = lc_t_render('t', &r, 0, 0, NULL);
    nl = strchr(out, '\n');
    ck_assert_ptr_nonnull(nl);
    ck_assert_msg(strncmp(nl + 1, want_text, strlen(want_text)) == 0, "text header: %s", out);
    free(out);

    /* JSON: already in "site". */
    out = lc_t_render('j', &r, 0, 0, NULL);
    doc = json_loads(out, 0, &err);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(json_string_value(json_array_get(
                         json_object_get(json_object_get(json_object_get(doc, "site"), "resolve"),
                                         "sip.contoso.com"),
                         1)),
                     "::1");
    json_decref(doc);
    free(out);

    /* JUnit: one "resolve" property per name in every suite. */
    out = lc_t_render('x', &r, 0, 0, &len);
    lc_t_validate(out, len);
    ck_assert_ptr_null(memchr(out, 0x1b, len));
    xdoc = xmlReadMemory(out, (int)len, "junit.xml", NULL, XML_PARSE_NONET);
    ck_assert_ptr_nonnull(xdoc);
    for (int k = 0; (suite = lc_t_child(xmlDocGetRootElement(xdoc), "testsuite", k)) != NULL; k++) {
        xmlNodePtr props = lc_t_child(suite, "properties", 0), prop;
        int pins = 0;
        for (int i = 0; (prop = lc_t_child(props, "property", i)) != NULL; i++) {
            xmlChar *name = xmlGetProp(prop, LC_XC("name"));
            if (xmlStrcmp(name, LC_XC("resolve")) == 0) {
                if (pins == 0)
                    lc_t_prop_eq(prop, "value", "sip.contoso.com -> 127.0.0.1, ::1");
                if (pins == 2)
                    lc_t_prop_eq(prop, "value", "evil|x\ny.test -> 127.0.0.3");
                pins++;
            }
            xmlFree(name);
        }
        ck_assert_int_eq(pins, 3);
        suites++;
    }
    ck_assert_int_gt(suites, 0);
    xmlFreeDoc(xdoc);
    free(out);

    /* Nagios: the line after the first, '|' and controls replaced. */
    out = lc_t_render('n', &r, 0, 0, NULL);
    nl = strchr(out, '\n');
    ck_assert_ptr_nonnull(nl);
    ck_assert_msg(strncmp(nl + 1, want_nagios, strlen(want_nagios)) == 0, "nagios: %s", out);
    free(out);

    /* Prometheus: one lynccheck_resolve_pin series per name and address. */
    out = lc_t_render('p', &r, 0, 0, NULL);
    ck_assert_ptr_nonnull(strstr(out, "lynccheck_resolve_pin{profile=\"edge\",name=\"sip.contoso."
                                      "com\",address=\"::1\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(out, "lynccheck_resolve_pin{profile=\"edge\",name=\"lyncdiscover."
                                      "contoso.com\",address=\"127.0.0.2\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(out, "name=\"ev" LC_T_FFFD "[31mil|x\\ny.test\",address=\"127.0."
                                      "0.3\"} 1\n"));
    free(out);

    /* HTML: a header row. */
    out = lc_t_render('h', &r, 0, 0, NULL);
    ck_assert_ptr_nonnull(strstr(out, "<tr class=\"pins\"><th>Pinned (--resolve)</th><td><code>"
                                      "sip.contoso.com -&gt; 127.0.0.1, ::1</code><br><code>"));
    ck_assert_ptr_null(strchr(out, '\x1b'));
    free(out);

    /* An empty "resolve" object pins nothing: no line anywhere. */
    json_object_set_new(site, "resolve", json_object());
    ck_assert_ptr_null(lc_report_pins(&r));
    for (const char *k = "tnxph"; *k != '\0'; k++) {
        out = lc_t_render(*k, &r, 0, 0, NULL);
        ck_assert_msg(strstr(out, "resolve") == NULL || *k == 'p', "%c: %s", *k, out);
        ck_assert_ptr_null(strstr(out, "lynccheck_resolve_pin{"));
        free(out);
    }
    json_decref(site);
}
END_TEST

/* ---- lc_run_select's bookkeeping, through to the report ----------------- */

static void lc_t_start_pass(struct lc_check *check, void *arg)
{
    (void)arg;
    lc_check_finish(check, LC_PASS, "fine");
}

/* The globs that matched no check, from lc_run_select to what the report
 * says; a mistyped --only leaves every check skipped and the run UNKNOWN. */
START_TEST(test_select_unmatched)
{
    static struct lc_site site;
    struct lc_run_config cfg;
    struct lc_run *run = NULL;
    const char *only_typo[] = {"dns.srv:_sip._tsl*"};
    const char *only_mixed[] = {"dns.srv:*", "tls.nope*", "dns.srv:*"};
    const char *skip[] = {"port.*", "dns.srv:_sip._tls.*"};
    const char *const *globs = NULL;
    const struct lc_result *ptrs[3];
    struct lc_report r = lc_t_report;
    char err[256], *text = NULL;

    memset(&cfg, 0, sizeof(cfg));
    cfg.parallel = 4;
    cfg.timeout_us = 5000000;
    cfg.dns_servers = "127.0.0.1:9"; /* never asked: no check resolves */
    ck_assert_msg(lc_run_new(&run, &cfg, &site, err, sizeof(err)) == 0, "%s", err);
    ck_assert_ptr_nonnull(
        lc_run_add(run, "dns", "srv", "_sip._tls.contoso.com", "", lc_t_start_pass, NULL, NULL));
    ck_assert_ptr_nonnull(lc_run_add(run, "dns", "srv", "_sipfederationtls._tcp.contoso.com", "",
                                     lc_t_start_pass, NULL, NULL));
    ck_assert_ptr_nonnull(
        lc_run_add(run, "tls", "san", "sip.contoso.com:443", "", lc_t_start_pass, NULL, NULL));

    /* Nothing selected: nothing unmatched. */
    ck_assert_int_eq(lc_run_select(run, NULL, 0, NULL, 0), 0);
    ck_assert_uint_eq(lc_run_unmatched(run, 0, &globs), 0);
    ck_assert_uint_eq(lc_run_unmatched(run, 1, &globs), 0);

    /* One glob of three matched nothing (given twice, named twice); one
     * --skip glob matched nothing. A later call replaces the lists. */
    ck_assert_int_eq(lc_run_select(run, only_mixed, 3, skip, 2), 0);
    ck_assert_uint_eq(lc_run_unmatched(run, 0, &globs), 1);
    ck_assert_str_eq(globs[0], "tls.nope*");
    ck_assert_uint_eq(lc_run_unmatched(run, 1, &globs), 1);
    ck_assert_str_eq(globs[0], "port.*");

    ck_assert_int_eq(lc_run_select(run, only_typo, 1, NULL, 0), 0);
    ck_assert_uint_eq(lc_run_unmatched(run, 1, &globs), 0);
    ck_assert_uint_eq(lc_run_unmatched(run, 0, &globs), 1);
    ck_assert_str_eq(globs[0], "dns.srv:_sip._tsl*");
    ck_assert_int_eq(lc_run_execute(run, err, sizeof(err)), 0);
    ck_assert_uint_eq(lc_run_count(run), 3);
    for (size_t i = 0; i < 3; i++) {
        ptrs[i] = lc_run_result(run, i);
        ck_assert_int_eq(ptrs[i]->status, LC_SKIP);
        ck_assert(ptrs[i]->excluded);
    }
    r.results = ptrs;
    r.n_results = 3;
    r.unmatched_only = globs;
    r.n_unmatched_only = lc_run_unmatched(run, 0, &globs);
    ck_assert_int_eq(lc_exit_status(&r), 3);
    ck_assert_int_eq(lc_report_no_run_reason(&r, &text), 0);
    ck_assert_str_eq(text, "no check ran: every check was skipped (--only 'dns.srv:_sip._tsl*' "
                           "matched no check)");
    free(text);
    lc_run_free(run);
}
END_TEST

/* Within a check the worst address wins: fail > error > warn > skip > pass. */
START_TEST(test_status_rank)
{
    ck_assert_int_gt(lc_status_rank(LC_FAIL), lc_status_rank(LC_ERROR));
    ck_assert_int_gt(lc_status_rank(LC_ERROR), lc_status_rank(LC_WARN));
    ck_assert_int_gt(lc_status_rank(LC_WARN), lc_status_rank(LC_SKIP));
    ck_assert_int_gt(lc_status_rank(LC_SKIP), lc_status_rank(LC_PASS));
}
END_TEST

/* ---- the shared writer, filter, walker and reporter table ---- */

static const char *lc_t_map_q(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
        return "?";
    return cp == '|' ? "/" : NULL;
}

static const struct lc_utf8_rules lc_t_rules_keep = {.invalid = LC_T_FFFD};
static const struct lc_utf8_rules lc_t_rules_q = {
    .invalid = "?", .map = lc_t_map_q, .ellipsis = "..."};
static const struct lc_utf8_rules lc_t_rules_csi = {.invalid = LC_T_FFFD, .drop_csi = 1};

/* One row: the rules, the input, the byte limit, what is written, whether
 * it was cut and how many code points (an invalid byte counts one) were
 * read. */
static const struct {
    const struct lc_utf8_rules *rules;
    const char *in;
    size_t max;
    const char *out;
    int cut;
    size_t units;
} lc_t_filter_cases[] = {
    {&lc_t_rules_keep, "plain", 0, "plain", 0, 5},
    {&lc_t_rules_keep, NULL, 0, "", 0, 0},
    {&lc_t_rules_keep,
     "a\xff"
     "b",
     0, "a" LC_T_FFFD "b", 0, 3},
    /* Overlong, surrogate, past U+10FFFF, a truncated sequence. */
    {&lc_t_rules_keep, "\xc0\x80", 0, LC_T_FFFD LC_T_FFFD, 0, 2},
    {&lc_t_rules_keep, "\xed\xa0\x80", 0, LC_T_FFFD LC_T_FFFD LC_T_FFFD, 0, 3},
    {&lc_t_rules_keep, "\xf4\x90\x80\x80", 0, LC_T_FFFD LC_T_FFFD LC_T_FFFD LC_T_FFFD, 0, 4},
    {&lc_t_rules_keep, "x\xe2\x82", 0, "x" LC_T_FFFD LC_T_FFFD, 0, 3},
    /* Controls kept when the rules keep every code point. */
    {&lc_t_rules_keep, "a\x01\n", 0, "a\x01\n", 0, 3},
    {&lc_t_rules_q, "a\x01|b\x7f\xc2\x85" LC_T_NONASCII, 0, "a?/b??" LC_T_NONASCII, 0, 10},
    /* Cut at a code point boundary, never inside a sequence. */
    {&lc_t_rules_q,
     "ab\xc3\xa9"
     "cd",
     3, "ab...", 1, 2},
    {&lc_t_rules_q,
     "ab\xc3\xa9"
     "cd",
     4, "ab\xc3\xa9...", 1, 3},
    {&lc_t_rules_q, "abc", 3, "abc", 0, 3},
    {&lc_t_rules_q, "abcd", 3, "abc...", 1, 3},
    {&lc_t_rules_q, "ab\xff", 2, "ab...", 1, 2},
    /* CSI sequences dropped whole; a lone ESC is only a control. */
    {&lc_t_rules_csi, "\x1b[31mred\x1b[0m!", 0, "red!", 0, 6},
    {&lc_t_rules_csi, "\x1b[1;2", 0, "", 0, 1},
    {&lc_t_rules_csi, "\x1b]0;t\x07", 0, "\x1b]0;t\x07", 0, 6},
};

START_TEST(test_utf8_filter)
{
    struct lc_out o = {.f = NULL};
    int cut = -1;
    size_t units = lc_utf8_filter(&o, lc_t_filter_cases[_i].in, lc_t_filter_cases[_i].max,
                                  lc_t_filter_cases[_i].rules, &cut);
    char *dup;

    ck_assert_int_eq(o.err, 0);
    ck_assert_str_eq(o.mem.s != NULL ? o.mem.s : "", lc_t_filter_cases[_i].out);
    ck_assert_int_eq(cut, lc_t_filter_cases[_i].cut);
    ck_assert_uint_eq(units, lc_t_filter_cases[_i].units);
    /* Measuring writes nothing and counts the same. */
    ck_assert_uint_eq(lc_utf8_filter(NULL, lc_t_filter_cases[_i].in, lc_t_filter_cases[_i].max,
                                     lc_t_filter_cases[_i].rules, NULL),
                      units);
    dup = lc_utf8_filter_dup(lc_t_filter_cases[_i].in, lc_t_filter_cases[_i].max,
                             lc_t_filter_cases[_i].rules);
    ck_assert_str_eq(dup, lc_t_filter_cases[_i].out);
    free(dup);
    free(o.mem.s);
}
END_TEST

static void lc_t_on_cert(const json_t *cert, void *arg)
{
    json_t *seen = arg;

    json_array_append_new(seen, json_copy(json_object_get(cert, "sha256")));
}

/* Every "certificate" object at any depth (to 8 levels), in document
 * order, and nothing else. */
START_TEST(test_cert_evidence_walk)
{
    json_t *ev =
        json_loads("{\"certificate\": {\"sha256\": \"top\"},"
                   " \"addresses\": {\"192.0.2.1\": {\"certificate\": {\"sha256\": \"addr\"}},"
                   "  \"list\": [{\"certificate\": {\"sha256\": \"in-array\"}}, 7,"
                   "            {\"certificate\": {\"sha256\": \"second\"}}]},"
                   " \"names\": {\"certificate\": \"a string, not a certificate\"},"
                   " \"a\": {\"b\": {\"c\": {\"d\": {\"e\": {\"f\": {\"g\": {\"h\": {\"i\":"
                   "  {\"certificate\": {\"sha256\": \"too deep\"}}}}}}}}}}}",
                   0, NULL);
    json_t *seen = json_array();

    ck_assert_ptr_nonnull(ev);
    lc_cert_evidence_foreach(ev, lc_t_on_cert, seen);
    ck_assert_uint_eq(json_array_size(seen), 4);
    ck_assert_str_eq(json_string_value(json_array_get(seen, 0)), "top");
    ck_assert_str_eq(json_string_value(json_array_get(seen, 1)), "addr");
    ck_assert_str_eq(json_string_value(json_array_get(seen, 2)), "in-array");
    ck_assert_str_eq(json_string_value(json_array_get(seen, 3)), "second");
    lc_cert_evidence_foreach(NULL, lc_t_on_cert, seen);
    ck_assert_uint_eq(json_array_size(seen), 4);
    json_decref(seen);
    json_decref(ev);
}
END_TEST

/* The numbers every format writes the same way. */
START_TEST(test_out_numbers)
{
    char buf[32];
    struct lc_out o = {.f = NULL};

    ck_assert_uint_eq(lc_round_div(1499, 1000), 1);
    ck_assert_uint_eq(lc_round_div(1500, 1000), 2);
    ck_assert_uint_eq(lc_round_div(7, 1), 7);
    ck_assert_int_eq(lc_seconds_fmt(buf, sizeof(buf), 420499, 3), 0);
    ck_assert_str_eq(buf, "0.420");
    ck_assert_int_eq(lc_seconds_fmt(buf, sizeof(buf), 1234567, 2), 0);
    ck_assert_str_eq(buf, "1.23");
    ck_assert_int_eq(lc_seconds_fmt(buf, sizeof(buf), 1950000, 1), 0);
    ck_assert_str_eq(buf, "2.0");
    ck_assert_int_eq(lc_seconds_fmt(buf, sizeof(buf), 1000001, 6), 0);
    ck_assert_str_eq(buf, "1.000001");
    ck_assert_int_eq(lc_seconds_fmt(buf, sizeof(buf), 2500000, 0), 0);
    ck_assert_str_eq(buf, "3");
    ck_assert_int_eq(lc_seconds_fmt(buf, 4, 1234567, 3), -1);
    lc_time_rfc3339(LC_T_STARTED, buf, sizeof(buf));
    ck_assert_str_eq(buf, "2026-11-22T03:48:14Z");
    /* A year past 9999 (a broken clock) is shown as the epoch. */
    lc_time_rfc3339((time_t)253402300800LL, buf, sizeof(buf));
    ck_assert_str_eq(buf, "1970-01-01T00:00:00Z");
    /* Our own text of any length. */
    lc_out_fmt(&o, "%0300d|", 7);
    lc_out_pad(&o, 40);
    ck_assert_int_eq(o.err, 0);
    ck_assert_uint_eq(o.mem.len, 341);
    ck_assert_int_eq(o.mem.s[299], '7');
    free(o.mem.s);
}
END_TEST

/* The table of formats and the driver every format runs through. */
START_TEST(test_reporter_table)
{
    static const char *const names[] = {"text", "json", "junit", "html", "nagios", "prometheus"};
    char list[128];
    FILE *f = tmpfile();
    size_t i;

    for (i = 0; lc_reporters[i] != NULL; i++) {
        ck_assert_uint_lt(i, sizeof(names) / sizeof(names[0]));
        ck_assert_str_eq(lc_reporters[i]->name, names[i]);
        ck_assert_ptr_eq(lc_reporter_find(names[i]), lc_reporters[i]);
        /* Only the text report colours a terminal. */
        ck_assert_int_eq(lc_reporters[i]->terminal, i == 0);
    }
    ck_assert_uint_eq(i, sizeof(names) / sizeof(names[0]));
    ck_assert_ptr_null(lc_reporter_find("xml"));
    ck_assert_ptr_null(lc_reporter_find(NULL));
    lc_reporter_names(list, sizeof(list), " (default)", ", ", " or ");
    ck_assert_str_eq(list, "text (default), json, junit, html, nagios or prometheus");
    lc_reporter_names(list, 12, NULL, ", ", ", ");
    ck_assert_str_eq(list, "text, json");
    ck_assert_str_eq(lc_status_label(LC_WARN), "WARN");
    ck_assert_str_eq(lc_status_label((enum lc_status)99), "ERROR");
    ck_assert_ptr_nonnull(f);
    for (i = 0; lc_reporters[i] != NULL; i++) {
        struct lc_report bad = lc_t_report;
        errno = 0;
        ck_assert_int_eq(lc_report_write(lc_reporters[i], NULL, f, NULL), -1);
        ck_assert_int_eq(errno, EINVAL);
        errno = 0;
        ck_assert_int_eq(lc_report_write(lc_reporters[i], &lc_t_report, NULL, NULL), -1);
        ck_assert_int_eq(errno, EINVAL);
        bad.results = NULL;
        errno = 0;
        ck_assert_int_eq(lc_report_write(lc_reporters[i], &bad, f, NULL), -1);
        ck_assert_int_eq(errno, EINVAL);
        ck_assert_int_eq(lc_report_write(lc_reporters[i], &lc_t_report, f, NULL), 0);
    }
    ck_assert_int_eq(lc_report_write(NULL, &lc_t_report, f, NULL), -1);
    fclose(f);
}
END_TEST

Suite *lc_suite_report(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("result");

    tcase_add_checked_fixture(tc, lc_t_setup, lc_t_teardown);
    tcase_add_test(tc, test_status_names);
    tcase_add_test(tc, test_status_rank);
    tcase_add_test(tc, test_tally);
    tcase_add_test(tc, test_exit_status);
    suite_add_tcase(s, tc);

    tc = tcase_create("json");
    tcase_add_checked_fixture(tc, lc_t_setup, lc_t_teardown);
    tcase_add_test(tc, test_json_fields);
    tcase_add_test(tc, test_json_bad_utf8_everywhere);
    suite_add_tcase(s, tc);

    tc = tcase_create("junit");
    tcase_add_checked_fixture(tc, lc_t_setup, lc_t_teardown);
    tcase_add_test(tc, test_junit_valid);
    tcase_add_test(tc, test_junit_domains);
    tcase_add_test(tc, test_junit_hostile_everywhere);
    tcase_add_test(tc, test_timestamps);
    tcase_add_test(tc, test_numeric_locale);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_add_checked_fixture(tc, lc_t_setup, lc_t_teardown);
    tcase_add_test(tc, test_text_plain);
    tcase_add_test(tc, test_text_color);
    tcase_add_test(tc, test_write_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("no_run");
    tcase_add_checked_fixture(tc, lc_t_setup, lc_t_teardown);
    tcase_add_loop_test(tc, test_no_run_every_format, 0,
                        (int)(sizeof(lc_t_run_cases) / sizeof(lc_t_run_cases[0])));
    tcase_add_test(tc, test_pins_every_format);
    tcase_add_test(tc, test_select_unmatched);
    suite_add_tcase(s, tc);

    tc = tcase_create("shared");
    tcase_add_checked_fixture(tc, lc_t_setup, lc_t_teardown);
    tcase_add_loop_test(tc, test_utf8_filter, 0,
                        (int)(sizeof(lc_t_filter_cases) / sizeof(lc_t_filter_cases[0])));
    tcase_add_test(tc, test_cert_evidence_walk);
    tcase_add_test(tc, test_out_numbers);
    tcase_add_test(tc, test_reporter_table);
    suite_add_tcase(s, tc);
    return s;
}
