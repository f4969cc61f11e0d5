/* SPDX-License-Identifier: MIT */
/* lynccheck - the JUnit XML report for CI dashboards.
 *
 * Written to satisfy the strict windyroad JUnit.xsd (tests/JUnit.xsd), since
 * what it accepts every JUnit consumer accepts. Notably that schema allows
 * no attributes on <testsuites>, requires package and id on each nested
 * <testsuite>, requires <properties>, <system-out> and <system-err> in every
 * suite and allows nothing but <skipped>, <error> or <failure> inside a
 * <testcase>; warnings therefore go to the suite's <system-out>.
 *
 * libxml2's writer escapes <>&" but does not filter characters that XML 1.0
 * forbids outright, so every string passes through lc_junit_rules
 * (lc_utf8_filter). */
#include "baseline.h"
#include "findings.h"
#include "out.h"
#include "report.h"
#include "result.h"
#include "utf8.h"

#include <errno.h>
#include <inttypes.h>
#include <libxml/xmlwriter.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* libxml2's BAD_CAST casts to non-const xmlChar * and trips -Wcast-qual on
 * string literals; the writer API takes const xmlChar * anyway. */
#define LC_XC(s) ((const xmlChar *)(s))

/* XML 1.0 Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD]
 * | [#x10000-#x10FFFF]. Anything else is illegal even as &#...; */
static int lc_junit_xml_char(uint32_t c)
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* Legal XML 1.0 text in UTF-8: ANSI CSI sequences (colours from a remote
 * banner) are dropped, every other illegal code point and every byte
 * outside a valid UTF-8 sequence becomes U+FFFD. */
static const char *lc_junit_map(uint32_t cp)
{
    return lc_junit_xml_char(cp) ? NULL : "\xEF\xBF\xBD";
}

static const struct lc_utf8_rules lc_junit_rules = {
    .invalid = "\xEF\xBF\xBD",
    .map = lc_junit_map,
    .drop_csi = 1,
};

/* True when s has something other than XML whitespace. */
static int lc_junit_has_token(const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 1;
    }
    return 0;
}

/* Every write below returns 0, or -1 when libxml2 failed; writing to a
 * memory buffer, that only happens when out of memory. */

/* Writes the text (from a result: cleaned by lc_junit_rules) as attribute
 * `name`, or as the element's text when name is NULL. When fallback is not
 * NULL and the cleaned value is blank (the schema's minLength on xs:token
 * counts after whitespace collapsing, and cleaning may have removed escape
 * sequences), writes fallback instead. */
static int lc_junit_put(xmlTextWriterPtr w, const char *name, struct lc_out *text,
                        const char *fallback)
{
    const char *v = text->mem.s != NULL ? text->mem.s : "";
    int rc = -1;

    if (text->err == 0 && fallback != NULL && !lc_junit_has_token(v))
        v = fallback;
    if (text->err == 0 && name != NULL)
        rc = xmlTextWriterWriteAttribute(w, LC_XC(name), LC_XC(v));
    else if (text->err == 0)
        rc = xmlTextWriterWriteString(w, LC_XC(v));
    free(text->mem.s);
    return rc < 0 ? -1 : 0;
}

static int lc_junit_attr_or(xmlTextWriterPtr w, const char *name, const char *value,
                            const char *fallback)
{
    struct lc_out text = {.f = NULL};

    (void)lc_utf8_filter(&text, value, 0, &lc_junit_rules, NULL);
    return lc_junit_put(w, name, &text, fallback);
}

static int lc_junit_attr(xmlTextWriterPtr w, const char *name, const char *value)
{
    return lc_junit_attr_or(w, name, value, NULL);
}

static int lc_junit_text(xmlTextWriterPtr w, const char *value)
{
    return lc_junit_attr_or(w, NULL, value, NULL);
}

/* Attribute "lynccheck.a[.b]" (classname, package), each part cleaned on
 * its own. */
static int lc_junit_attr_dotted(xmlTextWriterPtr w, const char *name, const char *a, const char *b)
{
    struct lc_out text = {.f = NULL};

    lc_out_puts(&text, "lynccheck.");
    (void)lc_utf8_filter(&text, a, 0, &lc_junit_rules, NULL);
    if (b != NULL) {
        lc_out_puts(&text, ".");
        (void)lc_utf8_filter(&text, b, 0, &lc_junit_rules, NULL);
    }
    return lc_junit_put(w, name, &text, NULL);
}

static int lc_junit_attr_count(xmlTextWriterPtr w, const char *name, size_t value)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%zu", value);

    if (n < 0 || (size_t)n >= sizeof(buf))
        return -1;
    return xmlTextWriterWriteAttribute(w, LC_XC(name), LC_XC(buf)) < 0 ? -1 : 0;
}

/* Seconds with three decimals: the schema wants an xs:decimal. */
static int lc_junit_attr_seconds(xmlTextWriterPtr w, const char *name, uint64_t us)
{
    char buf[32];

    if (lc_seconds_fmt(buf, sizeof(buf), us, 3) != 0)
        return -1;
    return xmlTextWriterWriteAttribute(w, LC_XC(name), LC_XC(buf)) < 0 ? -1 : 0;
}

static int lc_junit_property(xmlTextWriterPtr w, const char *name, const char *value)
{
    if (xmlTextWriterStartElement(w, LC_XC("property")) < 0 ||
        xmlTextWriterWriteAttribute(w, LC_XC("name"), LC_XC(name)) < 0 ||
        lc_junit_attr(w, "value", value) != 0 || xmlTextWriterEndElement(w) < 0)
        return -1;
    return 0;
}

/* The evidence as indented JSON, the body of <failure> and <error>: CI
 * shows it like a stack trace. NULL when it cannot be made. */
static char *lc_junit_evidence(const json_t *evidence)
{
    char *buf = NULL;

    if (evidence == NULL)
        return strdup("{}");
    (void)lc_report_json_dump(evidence, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY,
                              &buf);
    return buf;
}

static int lc_junit_testcase(xmlTextWriterPtr w, const struct lc_report *report,
                             const struct lc_result *r)
{
    enum lc_status st = lc_result_status(r);
    char *body = NULL, *msg = NULL;
    int rc = -1;

    if (xmlTextWriterStartElement(w, LC_XC("testcase")) < 0 ||
        lc_junit_attr_dotted(w, "classname", report->profile != NULL ? report->profile : "",
                             r->probe != NULL ? r->probe : "") != 0 ||
        lc_junit_attr(w, "name", r->id) != 0 ||
        lc_junit_attr_seconds(w, "time", r->duration_us) != 0)
        goto done;
    if (st == LC_FAIL || st == LC_ERROR) {
        /* The message names the problem (findings.h) the check belongs
         * to, and the body starts with its cause and fix: CI shows one
         * cause under twenty red testcases. */
        const struct lc_finding *f = lc_findings_of(report->findings, r);
        char *ev = lc_junit_evidence(r->evidence);
        size_t len = ev != NULL ? strlen(ev) + 1 : 0;
        if (ev != NULL && f != NULL) {
            len += strlen(f->id) + strlen(f->cause) + strlen(f->fix) + 32;
            body = malloc(len);
            if (body != NULL)
                snprintf(body, len, "problem %s: %s\nfix: %s\n\n%s", f->id, f->cause, f->fix, ev);
            free(ev);
            len = strlen(r->message != NULL ? r->message : "") + strlen(f->id) + 16;
            msg = malloc(len);
            if (msg != NULL)
                snprintf(msg, len, "%s [problem %s]", r->message != NULL ? r->message : "", f->id);
        } else {
            body = ev;
        }
        if (body == NULL || (f != NULL && msg == NULL) ||
            xmlTextWriterStartElement(w, LC_XC(st == LC_FAIL ? "failure" : "error")) < 0 ||
            lc_junit_attr(w, "message", msg != NULL ? msg : r->message) != 0 ||
            xmlTextWriterWriteAttribute(w, LC_XC("type"), LC_XC(lc_status_name(st))) < 0 ||
            lc_junit_text(w, body) != 0 || xmlTextWriterEndElement(w) < 0)
            goto done;
    } else if (st == LC_SKIP) {
        if (xmlTextWriterStartElement(w, LC_XC("skipped")) < 0 ||
            lc_junit_attr(w, "message", r->message) != 0 || xmlTextWriterEndElement(w) < 0)
            goto done;
    }
    if (xmlTextWriterEndElement(w) < 0)
        goto done;
    rc = 0;
done:
    free(body);
    free(msg);
    return rc;
}

/* A suite's <properties>: profile, the SIP domains, version, the run's
 * state, a warning naming the --only/--skip globs that matched no check,
 * the problems, the changes since a baseline and one "resolve" per name
 * pinned with --resolve ("name -> addr, addr"). The run's facts are the
 * same in every suite; the SIP domains and the problems are the suite's
 * own: its domain when the suites are per domain (own_domain), and the
 * problems its checks belong to (results k with group[k] == g; group
 * NULL: the whole run). Every domain and every problem in each of 1,001
 * suites made a 1,000-domain report 250 MB, 220 MB of it properties. */
static int lc_junit_properties(xmlTextWriterPtr w, const struct lc_report *report,
                               const long *group, long g, const char *own_domain)
{
    const json_t *pins = lc_report_pins(report);
    const struct lc_findings *fs = report->findings;
    unsigned char *mine = NULL;
    char *unmatched = NULL;
    const char *name;
    const json_t *addrs;
    int rc = -1;

    if (xmlTextWriterStartElement(w, LC_XC("properties")) < 0 ||
        lc_junit_property(w, "profile", report->profile) != 0)
        goto done;
    if (own_domain != NULL) {
        if (lc_junit_property(w, "sip_domain", own_domain) != 0)
            goto done;
    }
    for (size_t i = 0;
         own_domain == NULL && report->sip_domains != NULL && i < report->n_sip_domains; i++) {
        if (lc_junit_property(w, "sip_domain", report->sip_domains[i]) != 0)
            goto done;
    }
    if (lc_junit_property(w, "lynccheck.version", report->version) != 0 ||
        lc_junit_property(w, "lynccheck.status", lc_report_state_name(lc_exit_status(report))) !=
            0 ||
        lc_report_unmatched_text(report, &unmatched) != 0)
        goto done;
    if (unmatched != NULL && lc_junit_property(w, "lynccheck.warning", unmatched) != 0)
        goto done;
    if (fs != NULL) {
        char num[32];
        size_t count = 0;
        mine = calloc(fs->n > 0 ? fs->n : 1, 1);
        if (mine == NULL)
            goto done;
        for (size_t k = 0; report->results != NULL && k < report->n_results; k++) {
            const struct lc_finding *f;
            if (report->results[k] == NULL || (group != NULL && group[k] != g))
                continue;
            f = lc_findings_of(fs, report->results[k]);
            if (f != NULL && !mine[f - fs->v]) {
                mine[f - fs->v] = 1;
                count++;
            }
        }
        snprintf(num, sizeof(num), "%zu", count);
        if (lc_junit_property(w, "lynccheck.problems", num) != 0)
            goto done;
        for (size_t i = 0; i < fs->n; i++) {
            const struct lc_finding *f = &fs->v[i];
            size_t len = strlen(f->id) + strlen(f->cause) + 16;
            char *text;
            int bad;
            if (!mine[i])
                continue;
            text = malloc(len);
            bad = text == NULL;
            if (!bad) {
                snprintf(text, len, "%s %s: %s", f->id, lc_status_name(f->severity), f->cause);
                bad = lc_junit_property(w, "lynccheck.problem", text) != 0;
            }
            free(text);
            if (bad)
                goto done;
        }
    }
    if (report->changes != NULL) {
        char line[512];
        const json_t *e;
        size_t k;
        if (lc_changes_summary(report->changes, line, sizeof(line)) == 0 &&
            lc_junit_property(w, "lynccheck.since_baseline", line) != 0)
            goto done;
        json_array_foreach(lc_changes_facts(report->changes), k, e)
        {
            if (lc_junit_property(w, "lynccheck.changed",
                                  json_string_value(json_object_get(e, "text"))) != 0)
                goto done;
        }
    }
    if (pins != NULL) {
        json_object_foreach(lc_json_mut(pins), name, addrs)
        {
            char *text = NULL;
            int bad = lc_report_pin_text(name, addrs, &text) != 0 ||
                      lc_junit_property(w, "resolve", text) != 0;
            free(text);
            if (bad)
                goto done;
        }
    }
    if (xmlTextWriterEndElement(w) < 0)
        goto done;
    rc = 0;
done:
    free(mine);
    free(unmatched);
    return rc;
}

/* A run in which no check ran is no success: one suite "lynccheck" with
 * one testcase "lynccheck.run" in error, carrying the reason, so CI shows
 * red where it would otherwise count only skips. */
static int lc_junit_no_run_suite(xmlTextWriterPtr w, const struct lc_report *report,
                                 const char *reason, size_t id, const char *timestamp)
{
    if (xmlTextWriterStartElement(w, LC_XC("testsuite")) < 0 ||
        xmlTextWriterWriteAttribute(w, LC_XC("name"), LC_XC("lynccheck")) < 0 ||
        lc_junit_attr_count(w, "tests", 1) != 0 || lc_junit_attr_count(w, "failures", 0) != 0 ||
        lc_junit_attr_count(w, "errors", 1) != 0 || lc_junit_attr_count(w, "skipped", 0) != 0 ||
        lc_junit_attr_seconds(w, "time", report->duration_us) != 0 ||
        xmlTextWriterWriteAttribute(w, LC_XC("timestamp"), LC_XC(timestamp)) < 0 ||
        lc_junit_attr_or(w, "hostname", report->hostname, "localhost") != 0 ||
        lc_junit_attr_count(w, "id", id) != 0 ||
        lc_junit_attr_dotted(w, "package", report->profile != NULL ? report->profile : "", NULL) !=
            0 ||
        lc_junit_properties(w, report, NULL, 0, NULL) != 0)
        return -1;
    if (xmlTextWriterStartElement(w, LC_XC("testcase")) < 0 ||
        lc_junit_attr_dotted(w, "classname", report->profile != NULL ? report->profile : "",
                             "run") != 0 ||
        xmlTextWriterWriteAttribute(w, LC_XC("name"), LC_XC("lynccheck.run")) < 0 ||
        lc_junit_attr_seconds(w, "time", report->duration_us) != 0 ||
        xmlTextWriterStartElement(w, LC_XC("error")) < 0 ||
        lc_junit_attr(w, "message", reason) != 0 ||
        xmlTextWriterWriteAttribute(w, LC_XC("type"), LC_XC("unknown")) < 0 ||
        lc_junit_text(w, reason) != 0 || xmlTextWriterEndElement(w) < 0 ||
        xmlTextWriterEndElement(w) < 0)
        return -1;
    if (xmlTextWriterStartElement(w, LC_XC("system-out")) < 0 || xmlTextWriterEndElement(w) < 0 ||
        xmlTextWriterStartElement(w, LC_XC("system-err")) < 0 || xmlTextWriterEndElement(w) < 0 ||
        xmlTextWriterEndElement(w) < 0)
        return -1;
    return 0;
}

/* One <testsuite> named `name`, made of every result k with group[k] == g. */
static int lc_junit_suite(xmlTextWriterPtr w, const struct lc_report *report, const long *group,
                          long g, const char *name, const char *own_domain, size_t id,
                          const char *timestamp)
{
    const struct lc_result *const *res = report->results;
    size_t first = 0;
    size_t counts[LC_STATUS_COUNT] = {0};
    size_t tests = 0;
    uint64_t time_us = 0;
    int rc = -1;

    for (size_t k = first; k < report->n_results; k++) {
        if (res[k] == NULL || group[k] != g)
            continue;
        counts[lc_result_status(res[k])]++;
        tests++;
        /* Checks run concurrently; like every JUnit producer we report
         * the sum. Saturate rather than wrap. */
        time_us =
            UINT64_MAX - time_us < res[k]->duration_us ? UINT64_MAX : time_us + res[k]->duration_us;
    }

    if (xmlTextWriterStartElement(w, LC_XC("testsuite")) < 0 ||
        lc_junit_attr_or(w, "name", name, "unknown") != 0 ||
        lc_junit_attr_count(w, "tests", tests) != 0 ||
        lc_junit_attr_count(w, "failures", counts[LC_FAIL]) != 0 ||
        lc_junit_attr_count(w, "errors", counts[LC_ERROR]) != 0 ||
        lc_junit_attr_count(w, "skipped", counts[LC_SKIP]) != 0 ||
        lc_junit_attr_seconds(w, "time", time_us) != 0 ||
        xmlTextWriterWriteAttribute(w, LC_XC("timestamp"), LC_XC(timestamp)) < 0 ||
        lc_junit_attr_or(w, "hostname", report->hostname, "localhost") != 0 ||
        lc_junit_attr_count(w, "id", id) != 0 ||
        lc_junit_attr_dotted(w, "package", report->profile != NULL ? report->profile : "", NULL) !=
            0)
        goto done;

    if (lc_junit_properties(w, report, group, g, own_domain) != 0)
        goto done;

    for (size_t k = first; k < report->n_results; k++) {
        if (res[k] == NULL || group[k] != g)
            continue;
        if (lc_junit_testcase(w, report, res[k]) != 0)
            goto done;
    }

    /* A JUnit warning does not exist: the check passes, and the warning
     * is kept where a reader of the suite's output will find it. */
    if (xmlTextWriterStartElement(w, LC_XC("system-out")) < 0)
        goto done;
    for (size_t k = first; k < report->n_results; k++) {
        if (res[k] == NULL || group[k] != g || lc_result_status(res[k]) != LC_WARN)
            continue;
        if (xmlTextWriterWriteString(w, LC_XC("WARN: ")) < 0 || lc_junit_text(w, res[k]->id) != 0 ||
            xmlTextWriterWriteString(w, LC_XC(": ")) < 0 ||
            lc_junit_text(w, res[k]->message) != 0 || xmlTextWriterWriteString(w, LC_XC("\n")) < 0)
            goto done;
    }
    if (xmlTextWriterEndElement(w) < 0 || xmlTextWriterStartElement(w, LC_XC("system-err")) < 0 ||
        xmlTextWriterEndElement(w) < 0 || xmlTextWriterEndElement(w) < 0)
        goto done;
    rc = 0;
done:
    return rc;
}

/* The document being written: the suite each result goes to, and the
 * next suite's id. */
struct lc_junit_doc {
    xmlTextWriterPtr w;
    const struct lc_report *report;
    long *group;
    size_t id;
    char timestamp[32];
};

/* Several SIP domains: one suite per domain with the checks on its names,
 * then one "shared" suite for the names outside every SIP domain (one
 * edge, one reverse proxy for all), probed once. */
static int lc_junit_by_domain(struct lc_junit_doc *d)
{
    const struct lc_report *report = d->report;
    size_t n = report->n_sip_domains;
    struct lc_domain_index *ix = NULL;

    if (lc_domain_index_new(report, &ix) < 0)
        return -1;
    for (size_t i = 0; i < report->n_results; i++) {
        long pos = lc_domain_index_pos(ix, report->results[i]);
        d->group[i] = pos < 0 ? (long)n : pos;
    }
    lc_domain_index_free(ix);
    for (size_t g = 0; g <= n; g++) {
        int any = 0;
        for (size_t i = 0; i < report->n_results && !any; i++)
            any = report->results[i] != NULL && d->group[i] == (long)g;
        if (any && lc_junit_suite(
                       d->w, report, d->group, (long)g, g < n ? report->sip_domains[g] : "shared",
                       g < n ? report->sip_domains[g] : NULL, d->id++, d->timestamp) != 0)
            return -1;
    }
    return 0;
}

/* One suite per probe, in the order each probe first appears. */
static int lc_junit_by_probe(struct lc_junit_doc *d)
{
    const struct lc_report *report = d->report;
    const char *probes[64];
    size_t n_probes = 0;

    for (size_t i = 0; i < report->n_results; i++) {
        const struct lc_result *r = report->results[i];
        const char *probe = r != NULL && r->probe != NULL ? r->probe : "";
        size_t j;

        d->group[i] = -1;
        if (r == NULL)
            continue;
        for (j = 0; j < n_probes && strcmp(probes[j], probe) != 0; j++)
            ;
        if (j == n_probes && n_probes < sizeof(probes) / sizeof(probes[0]))
            probes[n_probes++] = probe;
        d->group[i] = j < n_probes ? (long)j : (long)n_probes - 1;
    }
    for (size_t j = 0; j < n_probes; j++)
        if (lc_junit_suite(d->w, report, d->group, (long)j, probes[j], NULL, d->id++,
                           d->timestamp) != 0)
            return -1;
    return 0;
}

static int lc_junit_document(xmlTextWriterPtr w, const struct lc_report *report)
{
    struct lc_junit_doc d = {w, report, NULL, 0, ""};
    char *reason = NULL;
    int multi, rc = -1;

    /* YYYY-MM-DDTHH:MM:SS in UTC, no zone, no fraction: the only form the
     * schema's ISO8601_DATETIME_PATTERN accepts (RFC 3339 without its Z). */
    lc_time_rfc3339(report->started, d.timestamp, sizeof(d.timestamp));
    d.timestamp[strcspn(d.timestamp, "Z")] = '\0';
    if (xmlTextWriterSetIndent(w, 1) < 0 || xmlTextWriterSetIndentString(w, LC_XC("  ")) < 0 ||
        xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
        xmlTextWriterStartElement(w, LC_XC("testsuites")) < 0 ||
        lc_report_no_run_reason(report, &reason) != 0)
        goto done;
    if (reason != NULL && lc_junit_no_run_suite(w, report, reason, d.id++, d.timestamp) != 0)
        goto done;
    d.group = calloc(report->n_results > 0 ? report->n_results : 1, sizeof(*d.group));
    if (d.group == NULL)
        goto done;
    multi = report->sip_domains != NULL && report->n_sip_domains > 1;
    if ((multi ? lc_junit_by_domain(&d) : lc_junit_by_probe(&d)) != 0)
        goto done;
    if (xmlTextWriterEndElement(w) >= 0 && xmlTextWriterEndDocument(w) >= 0)
        rc = 0;
done:
    free(d.group);
    free(reason);
    return rc;
}

/* libxml2's output callback: the document goes to the report's stream as
 * the writer produces it. */
static int lc_junit_sink(void *ctx, const char *buf, int len)
{
    struct lc_out *o = ctx;

    if (len < 0)
        return -1;
    lc_out_write(o, buf, (size_t)len);
    return o->err != 0 ? -1 : len;
}

static int lc_junit_write(struct lc_out *o, const struct lc_report *report,
                          const struct lc_report_opts *opts)
{
    xmlOutputBufferPtr ob;
    xmlTextWriterPtr w = NULL;
    int rc = -1;

    (void)opts;
    /* Streamed, as the other reporters write: built in memory first, the
     * 1,000-domain bench site's 250 MB document took 384 MB of peak RSS.
     * A report written to a file lands only whole (main.c renames it into
     * place on success); a failure of libxml2 alone is out of memory. */
    ob = xmlOutputBufferCreateIO(lc_junit_sink, NULL, o, NULL);
    w = ob != NULL ? xmlNewTextWriter(ob) : NULL; /* owns ob from here on */
    if (w == NULL) {
        if (ob != NULL)
            xmlOutputBufferClose(ob);
        errno = ENOMEM;
        goto done;
    }
    if (lc_junit_document(w, report) != 0 || xmlTextWriterFlush(w) < 0) {
        if (o->err == 0)
            errno = ENOMEM;
        goto done;
    }
    rc = 0;
done:
    if (w != NULL)
        xmlFreeTextWriter(w); /* flushes and closes ob */
    return o->err != 0 ? -1 : rc;
}

const struct lc_reporter lc_reporter_junit = {"junit", lc_junit_write, 0};

int lc_report_junit(const struct lc_report *report, FILE *out)
{
    return lc_report_write(&lc_reporter_junit, report, out, NULL);
}
