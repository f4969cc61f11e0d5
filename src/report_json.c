/* SPDX-License-Identifier: MIT */
/* lynccheck - the JSON report (schema 1, documented in doc/json-schema.md).
 *
 * Scripts consume this, so it must always be produced and always parse:
 * strings from the network are forced to valid UTF-8 before jansson sees
 * them, because json_string() refuses invalid UTF-8 and one bad byte in one
 * banner would otherwise lose the whole report. */
#include "baseline.h"
#include "findings.h"
#include "out.h"
#include "report.h"
#include "result.h"
#include "utf8.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LC_JSON_SCHEMA 1

#if JSON_INTEGER_IS_LONG_LONG
#define LC_JSON_INT_MAX LLONG_MAX
#else
#define LC_JSON_INT_MAX LONG_MAX
#endif

/* A JSON string for s (NULL is ""), each byte outside a valid UTF-8 sequence
 * replaced by U+FFFD. Control characters are kept: JSON escapes them
 * losslessly and a consumer may want the exact bytes. NULL when out of
 * memory. */
static json_t *lc_json_str(const char *s)
{
    static const struct lc_utf8_rules rules = {.invalid = "\xEF\xBF\xBD"};
    char *clean = lc_utf8_filter_dup(s, 0, &rules);
    json_t *ret = clean != NULL ? json_string(clean) : NULL;

    free(clean);
    return ret;
}

/* Evidence and site are documented as objects. A caller that breaks that
 * contract still gets its data out, wrapped as {"value": ...}, and consumers
 * keep their guarantee. NULL when out of memory. */
static json_t *lc_json_object_copy(const json_t *v)
{
    json_t *copy = v != NULL ? json_deep_copy(v) : json_object();
    json_t *wrap;

    if (copy == NULL || json_is_object(copy))
        return copy;
    wrap = json_object();
    if (wrap == NULL) {
        json_decref(copy);
        return NULL;
    }
    /* json_object_set_new() takes the reference even when it fails. */
    if (json_object_set_new(wrap, "value", copy) != 0) {
        json_decref(wrap);
        return NULL;
    }
    return wrap;
}

/* Whole milliseconds, rounded: sub-millisecond precision is noise for a
 * network check, and integers are what every consumer parses exactly. */
static json_t *lc_json_ms(uint64_t us)
{
    uint64_t ms = lc_round_div(us, 1000);

    if (ms > (uint64_t)LC_JSON_INT_MAX)
        ms = (uint64_t)LC_JSON_INT_MAX;
    return json_integer((json_int_t)ms);
}

/* The evidence as the report holds it: the check's own object, shared by
 * reference (the report is written from it and let go, never changed), or a
 * wrapped copy of anything else. NULL when out of memory. */
static json_t *lc_json_evidence(const json_t *v)
{
    if (json_is_object(v))
        return json_incref((json_t *)(uintptr_t)v);
    return lc_json_object_copy(v);
}

static json_t *lc_json_check(const struct lc_result *r, const char *domain)
{
    json_t *obj = json_object();
    json_t *ret = NULL;

    if (obj == NULL)
        goto done;
    /* Keys are inserted in the documented order; jansson keeps it. */
    if (json_object_set_new(obj, "id", lc_json_str(r->id)) != 0 ||
        json_object_set_new(obj, "probe", lc_json_str(r->probe)) != 0 ||
        json_object_set_new(obj, "what", lc_json_str(r->what)) != 0 ||
        json_object_set_new(obj, "target", lc_json_str(r->target)) != 0 ||
        json_object_set_new(obj, "domain", domain != NULL ? lc_json_str(domain) : json_null()) !=
            0 ||
        json_object_set_new(obj, "status", json_string(lc_status_name(lc_result_status(r)))) != 0 ||
        json_object_set_new(obj, "message", lc_json_str(r->message)) != 0 ||
        json_object_set_new(obj, "duration_ms", lc_json_ms(r->duration_us)) != 0 ||
        json_object_set_new(obj, "evidence", lc_json_evidence(r->evidence)) != 0 ||
        json_object_set_new(obj, "reference", lc_json_str(r->reference)) != 0)
        goto done;
    ret = obj;
    obj = NULL;
done:
    json_decref(obj);
    return ret;
}

/* "by_domain": per SIP domain, its own checks (names within it) and the
 * shared ones (names outside every SIP domain: one edge or reverse proxy
 * for all), counted together: what a domain's owner needs to know. */
static int lc_json_by_domain(json_t *root, const struct lc_report *report,
                             const struct lc_domain_index *ix)
{
    size_t n = report->sip_domains != NULL ? report->n_sip_domains : 0;
    size_t(*own)[LC_STATUS_COUNT] = NULL;
    size_t shared[LC_STATUS_COUNT] = {0}, n_shared = 0;
    json_t *arr = json_array();
    int rc = -1;

    if (json_object_set_new(root, "by_domain", arr) != 0)
        goto done;
    if (n == 0) {
        rc = 0;
        goto done;
    }
    own = calloc(n, sizeof(*own));
    if (own == NULL)
        goto done;
    for (size_t i = 0; report->results != NULL && i < report->n_results; i++) {
        const struct lc_result *r = report->results[i];
        long pos;

        if (r == NULL)
            continue;
        pos = lc_domain_index_pos(ix, r);
        if (pos < 0) {
            shared[lc_result_status(r)]++;
            n_shared++;
        } else {
            own[pos][lc_result_status(r)]++;
        }
    }
    for (size_t d = 0; d < n; d++) {
        json_t *o = json_object(), *sum = json_object();
        size_t n_own = 0, worst = LC_PASS;

        if (json_array_append_new(arr, o) != 0 || json_object_set_new(o, "summary", sum) != 0)
            goto done;
        for (unsigned k = 0; k < LC_STATUS_COUNT; k++) {
            size_t c = own[d][k] + shared[k];
            n_own += own[d][k];
            if (c > 0 && lc_status_rank((enum lc_status)k) > lc_status_rank((enum lc_status)worst))
                worst = k;
            if (json_object_set_new(sum, lc_status_name((enum lc_status)k),
                                    json_integer((json_int_t)c)) != 0)
                goto done;
        }
        if (json_object_set_new(o, "domain", lc_json_str(report->sip_domains[d])) != 0 ||
            json_object_set_new(o, "own_checks", json_integer((json_int_t)n_own)) != 0 ||
            json_object_set_new(o, "shared_checks", json_integer((json_int_t)n_shared)) != 0 ||
            json_object_set_new(o, "worst", json_string(lc_status_name((enum lc_status)worst))) !=
                0)
            goto done;
    }
    rc = 0;
done:
    free(own);
    return rc;
}

static int lc_json_globs(json_t *obj, const char *key, const char *const *globs, size_t n)
{
    json_t *arr = json_array();

    if (json_object_set_new(obj, key, arr) != 0)
        return -1;
    for (size_t i = 0; globs != NULL && i < n; i++) {
        if (json_array_append_new(arr, lc_json_str(globs[i])) != 0)
            return -1;
    }
    return 0;
}

/* "status": the run's state, as the exit status says it; "reason" when no
 * check ran (the state is "unknown" though no check erred);
 * "unmatched_globs" when an --only or --skip glob matched no check. */
static int lc_json_run_status(json_t *root, const struct lc_report *report)
{
    char *reason = NULL;
    json_t *globs;
    int rc = -1;

    if (json_object_set_new(root, "status",
                            json_string(lc_report_state_name(lc_exit_status(report)))) != 0 ||
        lc_report_no_run_reason(report, &reason) != 0)
        goto done;
    if (reason != NULL && json_object_set_new(root, "reason", lc_json_str(reason)) != 0)
        goto done;
    if ((report->unmatched_only != NULL && report->n_unmatched_only > 0) ||
        (report->unmatched_skip != NULL && report->n_unmatched_skip > 0)) {
        globs = json_object();
        if (json_object_set_new(root, "unmatched_globs", globs) != 0 ||
            lc_json_globs(globs, "only", report->unmatched_only, report->n_unmatched_only) != 0 ||
            lc_json_globs(globs, "skip", report->unmatched_skip, report->n_unmatched_skip) != 0)
            goto done;
    }
    rc = 0;
done:
    free(reason);
    return rc;
}

/* The document but its "checks" (lc_json_write_checks), or NULL when out of
 * memory; with it the domain index and the findings the checks are written
 * with (*owned_out: to free). Containers are attached to their parent before
 * they are filled, so one decref frees everything. */
static json_t *lc_json_build(const struct lc_report *report, struct lc_domain_index **ix_out,
                             const struct lc_findings **findings_out,
                             struct lc_findings **owned_out)
{
    json_t *root = json_object();
    json_t *ret = NULL;
    json_t *domains;
    json_t *summary;
    size_t counts[LC_STATUS_COUNT];
    char started[32];
    struct lc_domain_index *ix = NULL;
    struct lc_findings *owned = NULL;
    const struct lc_findings *findings = lc_report_findings(report, &owned);

    if (root == NULL)
        goto done;
    lc_time_rfc3339(report->started, started, sizeof(started));
    if (json_object_set_new(root, "schema", json_integer(LC_JSON_SCHEMA)) != 0 ||
        json_object_set_new(root, "tool", json_string("lynccheck")) != 0 ||
        json_object_set_new(root, "version", lc_json_str(report->version)) != 0 ||
        json_object_set_new(root, "profile", lc_json_str(report->profile)) != 0)
        goto done;

    domains = json_array();
    if (json_object_set_new(root, "sip_domains", domains) != 0)
        goto done;
    for (size_t i = 0; report->sip_domains != NULL && i < report->n_sip_domains; i++) {
        if (json_array_append_new(domains, lc_json_str(report->sip_domains[i])) != 0)
            goto done;
    }

    if (json_object_set_new(root, "started", json_string(started)) != 0 ||
        json_object_set_new(root, "duration_ms", lc_json_ms(report->duration_us)) != 0 ||
        json_object_set_new(root, "hostname", lc_json_str(report->hostname)) != 0)
        goto done;
    if (report->site != NULL &&
        json_object_set_new(root, "site", lc_json_object_copy(report->site)) != 0)
        goto done;
    if (lc_json_run_status(root, report) != 0)
        goto done;

    lc_report_tally(report, counts);
    summary = json_object();
    if (json_object_set_new(root, "summary", summary) != 0)
        goto done;
    for (unsigned i = 0; i < LC_STATUS_COUNT; i++) {
        if (json_object_set_new(summary, lc_status_name((enum lc_status)i),
                                json_integer((json_int_t)counts[i])) != 0)
            goto done;
    }

    /* The problems by cause (findings.h) and, with --baseline, what
     * changed since then: both additive to schema 1 (doc/json-schema.md). */
    if (findings == NULL ||
        json_object_set_new(root, "findings", lc_findings_to_json(findings)) != 0)
        goto done;
    if (report->changes != NULL &&
        json_object_set_new(root, "changes", json_deep_copy(report->changes->json)) != 0)
        goto done;

    if (lc_domain_index_new(report, &ix) < 0)
        goto done;
    if (lc_json_by_domain(root, report, ix) != 0)
        goto done;

    ret = root;
    root = NULL;
    *ix_out = ix;
    ix = NULL;
    *findings_out = findings;
    *owned_out = owned;
    owned = NULL;
done:
    lc_findings_free(owned);
    lc_domain_index_free(ix);
    json_decref(root);
    return ret;
}

/* Output as json_dump_callback() hands it over, each line but the first
 * indented by `indent` more spaces: a check dumped on its own reads exactly
 * as it would at its depth inside the document (JSON strings never hold a
 * raw newline, so every newline is jansson's own). */
struct lc_json_sink {
    FILE *out;
    const char *indent;
};

static int lc_json_sink_write(const char *buf, size_t size, void *data)
{
    struct lc_json_sink *k = data;
    size_t start = 0;

    for (size_t i = 0; i < size; i++) {
        if (buf[i] != '\n')
            continue;
        if (fwrite(buf + start, 1, i + 1 - start, k->out) != i + 1 - start ||
            fputs(k->indent, k->out) == EOF)
            return -1;
        start = i + 1;
    }
    if (start < size && fwrite(buf + start, 1, size - start, k->out) != size - start)
        return -1;
    return 0;
}

/* "checks": one object at a time, written and let go, so the report never
 * holds a second copy of every check's evidence (1,000 SIP domains: 24,000
 * checks). The bytes are those jansson writes for the whole document with
 * JSON_INDENT(2): the array is the root's last member (depth 1), each check
 * one level deeper. */
static int lc_json_write_checks(const struct lc_report *report, const struct lc_domain_index *ix,
                                const struct lc_findings *findings, FILE *out)
{
    struct lc_json_sink sink = {out, "    "};
    size_t written = 0;
    int ret = -1;

    if (fputs(",\n  \"checks\": [", out) == EOF)
        goto done;
    for (size_t i = 0; report->results != NULL && i < report->n_results; i++) {
        const struct lc_result *r = report->results[i];
        const struct lc_finding *f;
        json_t *obj;
        int rc;

        if (r == NULL)
            continue;
        obj = lc_json_check(r, lc_domain_index_of(ix, r));
        if (obj == NULL)
            goto done;
        /* A result copied from the one findings grouped is found by id. */
        f = lc_findings_of(findings, r);
        if (f != NULL && json_object_set_new(obj, "finding", json_string(f->id)) != 0) {
            json_decref(obj);
            goto done;
        }
        rc = fputs(written++ > 0 ? ",\n    " : "\n    ", out) == EOF
                 ? -1
                 : json_dump_callback(obj, lc_json_sink_write, &sink,
                                      JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(obj);
        if (rc != 0)
            goto done;
    }
    ret = fputs(written > 0 ? "\n  ]" : "]", out) == EOF ? -1 : 0;
done:
    return ret;
}

int lc_report_json(const struct lc_report *report, FILE *out)
{
    json_t *root = NULL;
    struct lc_domain_index *ix = NULL;
    const struct lc_findings *findings = NULL;
    struct lc_findings *owned = NULL;
    char *head = NULL;
    size_t len;
    int saved;
    int rc = -1;

    if (report == NULL || out == NULL || (report->results == NULL && report->n_results > 0)) {
        errno = EINVAL;
        goto done;
    }
    root = lc_json_build(report, &ix, &findings, &owned);
    if (root == NULL) {
        errno = ENOMEM;
        goto done;
    }
    /* jansson writes reals with '.' whatever LC_NUMERIC says, so evidence
     * numbers survive a German locale. The head ends "\n}": the checks go
     * in before that brace. */
    head = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (head == NULL || (len = strlen(head)) < 2 || head[len - 1] != '}' || head[len - 2] != '\n') {
        errno = ENOMEM;
        goto done;
    }
    errno = 0;
    if (fwrite(head, 1, len - 2, out) != len - 2 ||
        lc_json_write_checks(report, ix, findings, out) != 0 || fputs("\n}\n", out) == EOF ||
        fflush(out) == EOF) {
        if (errno == 0)
            errno = EIO;
        goto done;
    }
    rc = 0;
done:
    saved = errno;
    free(head);
    lc_findings_free(owned);
    lc_domain_index_free(ix);
    json_decref(root);
    errno = saved;
    return rc;
}

/* The JSON report streams to the stream itself, check by check. */
static int lc_json_write(struct lc_out *o, const struct lc_report *report,
                         const struct lc_report_opts *opts)
{
    (void)opts;
    if (o->f == NULL) {
        errno = EINVAL;
        return -1;
    }
    return lc_report_json(report, o->f);
}

const struct lc_reporter lc_reporter_json = {"json", lc_json_write, 0};
