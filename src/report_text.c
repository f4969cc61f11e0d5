/* SPDX-License-Identifier: MIT */
/* lynccheck - the human-readable report for a terminal or a log.
 *
 * Messages, targets and evidence carry text that came off the network, so
 * every string goes through lc_text_put_clean(): nothing a remote server
 * says may move the cursor, retitle the window or recolour the screen. */
#include "baseline.h"
#include "findings.h"
#include "out.h"
#include "report.h"
#include "result.h"
#include "utf8.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Wider ids are printed whole but no longer pad the column, so one absurd
 * target cannot push every message off the screen. */
#define LC_TEXT_ID_WIDTH_MAX 60
/* "  " + status padded to 5 + "  ": verbose lines start under the id. */
#define LC_TEXT_DETAIL_INDENT 9

static const char *const lc_text_colors[LC_STATUS_COUNT] = {
    [LC_PASS] = "\033[32m",  /* green */
    [LC_WARN] = "\033[33m",  /* yellow */
    [LC_FAIL] = "\033[31m",  /* red */
    [LC_ERROR] = "\033[35m", /* magenta: distinct from a proven failure */
    [LC_SKIP] = "\033[2m",   /* dim */
};

#define LC_TEXT_BOLD "\033[1m"
#define LC_TEXT_RESET "\033[0m"

/* Writes s (NULL is ""), replacing with '?' every byte that could drive the
 * terminal: C0 controls, DEL, C1 controls (U+0080..U+009F, honoured by some
 * terminals as 8-bit CSI) and bytes that are not valid UTF-8. With o NULL it
 * only measures. Returns the columns used, one per code point: wide CJK
 * characters make the alignment a little off, which is harmless. */
static const char *lc_text_map(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ? "?" : NULL;
}

static const struct lc_utf8_rules lc_text_rules = {
    .invalid = "?",
    .map = lc_text_map,
};

static size_t lc_text_put_clean(struct lc_out *o, const char *s)
{
    return lc_utf8_filter(o, s, 0, &lc_text_rules, NULL);
}

/* The status word, in its colour when colour is on. */
static void lc_text_status(struct lc_out *o, enum lc_status st, int color)
{
    if (color)
        lc_out_puts(o, lc_text_colors[st]);
    lc_out_puts(o, lc_status_label(st));
    if (color)
        lc_out_puts(o, LC_TEXT_RESET);
}

static int lc_text_same_probe(const struct lc_result *a, const struct lc_result *b)
{
    return strcmp(a->probe != NULL ? a->probe : "", b->probe != NULL ? b->probe : "") == 0;
}

/* Prints the evidence on one line; a dump that cannot be made (out of
 * memory) is an error rather than a silently shorter report. */
static int lc_text_evidence(struct lc_out *o, const json_t *evidence)
{
    /* ENCODE_ANY: a probe that breaks the object contract still shows. */
    char *buf = NULL;
    int rc;

    if (evidence == NULL)
        return 0;
    rc = lc_report_json_dump(evidence, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY, &buf);
    if (rc != 0) {
        errno = ENOMEM;
        return -1;
    }
    lc_out_pad(o, LC_TEXT_DETAIL_INDENT);
    lc_out_puts(o, "evidence: ");
    /* jansson escapes C0 controls but not DEL or C1 controls. */
    lc_text_put_clean(o, buf);
    lc_out_puts(o, "\n");
    free(buf);
    return 0;
}

static int lc_text_row(struct lc_out *o, const struct lc_result *r, size_t id_width, int color,
                       int verbose)
{
    enum lc_status st = lc_result_status(r);
    const char *label = lc_status_label(st);
    size_t used;
    int rc = -1;

    lc_out_puts(o, "  ");
    lc_text_status(o, st, color);
    /* Padding goes outside the colour so reset never lands mid-column. */
    lc_out_pad(o, 5 - strlen(label) + 2);
    used = lc_text_put_clean(o, r->id);
    if (r->message != NULL && r->message[0] != '\0') {
        lc_out_pad(o, used < id_width ? id_width - used + 2 : 2);
        lc_text_put_clean(o, r->message);
    }
    lc_out_puts(o, "\n");
    if (verbose) {
        if (lc_text_evidence(o, r->evidence) != 0)
            goto done;
        if (r->reference != NULL && r->reference[0] != '\0') {
            lc_out_pad(o, LC_TEXT_DETAIL_INDENT);
            lc_out_puts(o, "reference: ");
            lc_text_put_clean(o, r->reference);
            lc_out_puts(o, "\n");
        }
    }
    rc = 0;
done:
    return rc;
}

/* The header: version, profile, SIP domains, and the names pinned with
 * --resolve (what was probed was not what DNS says for those). Returns 0,
 * or -1 out of memory. */
static int lc_text_header(struct lc_out *o, const struct lc_report *report)
{
    char *pins = NULL;

    lc_out_puts(o, "lynccheck");
    if (report->version != NULL && report->version[0] != '\0') {
        lc_out_puts(o, " ");
        lc_text_put_clean(o, report->version);
    }
    lc_out_puts(o, ": profile ");
    lc_text_put_clean(o, report->profile != NULL ? report->profile : "(none)");
    lc_out_puts(o, ", SIP domains: ");
    lc_report_domains(o, report, "(none)", &lc_text_rules);
    lc_out_puts(o, "\n");
    if (lc_report_pins_text(report, &pins) != 0) {
        errno = ENOMEM;
        return -1;
    }
    if (pins != NULL) {
        lc_out_puts(o, "pinned (--resolve): ");
        lc_text_put_clean(o, pins);
        lc_out_puts(o, "\n");
    }
    free(pins);
    return 0;
}

/* "a, b, c" of a JSON array of strings (or of objects' "id"). */
static void lc_text_json_list(struct lc_out *o, const json_t *arr, size_t max)
{
    const json_t *e;
    size_t i;

    json_array_foreach(arr, i, e)
    {
        const char *s =
            json_is_string(e) ? json_string_value(e) : json_string_value(json_object_get(e, "id"));
        if (i == max) {
            lc_out_fmt(o, " and %zu more", json_array_size(arr) - max);
            break;
        }
        if (i > 0)
            lc_out_puts(o, ", ");
        lc_text_put_clean(o, s != NULL ? s : "?");
    }
}

/* What changed since --baseline: the summary's first lines. */
static void lc_text_changes(struct lc_out *o, const struct lc_report *report)
{
    static const char *const which[] = {"new", "fixed", "still"};
    static const char *const label[] = {"  new: ", "  fixed: ", "  still failing: "};
    const json_t *facts = lc_changes_facts(report->changes), *e;
    char line[512];
    size_t i;

    if (report->changes == NULL)
        return;
    if (lc_changes_summary(report->changes, line, sizeof(line)) == 0) {
        lc_text_put_clean(o, line);
        lc_out_puts(o, "\n");
    }
    for (i = 0; i < 3; i++) {
        const json_t *f = lc_changes_list(report->changes, which[i], "findings");
        const json_t *c = lc_changes_list(report->changes, which[i], "checks");
        size_t k;
        if (json_array_size(f) == 0 && json_array_size(c) == 0)
            continue;
        lc_out_puts(o, label[i]);
        json_array_foreach(f, k, e)
        {
            if (k > 0)
                lc_out_puts(o, "; ");
            lc_text_put_clean(o, json_string_value(json_object_get(e, "id")));
            lc_out_puts(o, " ");
            lc_text_put_clean(o, json_string_value(json_object_get(e, "cause")));
        }
        if (json_array_size(c) > 0) {
            lc_out_puts(o, json_array_size(f) > 0 ? " (checks: " : "checks: ");
            lc_text_json_list(o, c, 12);
            if (json_array_size(f) > 0)
                lc_out_puts(o, ")");
        }
        lc_out_puts(o, "\n");
    }
    json_array_foreach(facts, i, e)
    {
        lc_out_puts(o, "  changed: ");
        lc_text_put_clean(o, json_string_value(json_object_get(e, "text")));
        lc_out_puts(o, "\n");
    }
}

/* The problems first: "N problems (M checks)", then one block per
 * finding (findings.h), each with its fix and who is affected. */
static int lc_text_findings(struct lc_out *o, const struct lc_report *report, int color)
{
    struct lc_findings *owned = NULL;
    const struct lc_findings *f = lc_report_findings(report, &owned);

    if (f == NULL) {
        errno = ENOMEM;
        return -1;
    }
    lc_text_changes(o, report);
    if (f->n == 0) {
        if (lc_report_n_ran(report) > 0)
            lc_out_puts(o, "no problems found\n");
        lc_findings_free(owned);
        return 0;
    }
    lc_out_fmt(o, "%zu problem%s (%zu check%s):\n", f->n, f->n == 1 ? "" : "s", f->n_checks,
               f->n_checks == 1 ? "" : "s");
    for (size_t i = 0; i < f->n; i++) {
        const struct lc_finding *x = &f->v[i];
        lc_out_puts(o, "\n");
        lc_text_status(o, x->severity, color);
        lc_out_fmt(o, " %s: ", x->id);
        lc_text_put_clean(o, x->cause);
        lc_out_puts(o, "\n  fix: ");
        lc_text_put_clean(o, x->fix);
        lc_out_puts(o, "\n  affects: ");
        lc_text_put_clean(o, x->impact);
        lc_out_fmt(o, "\n  %zu check%s: ", x->n_checks, x->n_checks == 1 ? "" : "s");
        for (size_t k = 0; k < x->n_checks && k < 12; k++) {
            if (k > 0)
                lc_out_puts(o, ", ");
            lc_text_put_clean(o, x->checks[k]->id);
        }
        if (x->n_checks > 12)
            lc_out_fmt(o, " and %zu more", x->n_checks - 12);
        lc_out_puts(o, "\n");
    }
    lc_findings_free(owned);
    return 0;
}

/* Several SIP domains: one line each, its own checks and the shared ones
 * (names outside every SIP domain) counted together, worst status first.
 * Hosting providers read this to see which customer domain is broken. */
static int lc_text_by_domain(struct lc_out *o, const struct lc_report *report, int color)
{
    size_t n = report->sip_domains != NULL ? report->n_sip_domains : 0;
    size_t(*own)[LC_STATUS_COUNT] = NULL;
    size_t shared[LC_STATUS_COUNT] = {0}, n_shared = 0;
    struct lc_domain_index *ix = NULL;
    int rc = -1;

    if (n < 2)
        return 0;
    own = calloc(n, sizeof(*own));
    if (own == NULL || lc_domain_index_new(report, &ix) < 0) {
        errno = ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < report->n_results; i++) {
        const struct lc_result *r = report->results[i];
        unsigned st;
        long pos;

        if (r == NULL)
            continue;
        st = (unsigned)r->status < LC_STATUS_COUNT ? (unsigned)r->status : LC_ERROR;
        pos = lc_domain_index_pos(ix, r);
        if (pos < 0) {
            shared[st]++;
            n_shared++;
        } else {
            own[pos][st]++;
        }
    }
    lc_out_puts(o, "by SIP domain (own checks + shared ones, on names outside every SIP domain)\n");
    for (size_t d = 0; d < n; d++) {
        size_t c[LC_STATUS_COUNT], n_own = 0;
        unsigned worst = LC_PASS;

        for (unsigned k = 0; k < LC_STATUS_COUNT; k++) {
            c[k] = own[d][k] + shared[k];
            n_own += own[d][k];
            if (c[k] > 0 &&
                lc_status_rank((enum lc_status)k) > lc_status_rank((enum lc_status)worst))
                worst = k;
        }
        lc_out_fmt(o, "  %s%-5s%s ", color ? lc_text_colors[worst] : "",
                   lc_status_label((enum lc_status)worst), color ? LC_TEXT_RESET : "");
        lc_text_put_clean(o, report->sip_domains[d]);
        lc_out_fmt(o, ": %zu + %zu checks: %zu pass, %zu warn, %zu fail, %zu error, %zu skip\n",
                   n_own, n_shared, c[LC_PASS], c[LC_WARN], c[LC_FAIL], c[LC_ERROR], c[LC_SKIP]);
    }
    lc_out_puts(o, "\n");
    rc = 0;
done:
    lc_domain_index_free(ix);
    free(own);
    return rc;
}

/* The summary line, then why a run that checked nothing is UNKNOWN, or
 * the --only/--skip globs that matched no check. */
static int lc_text_summary(struct lc_out *o, const struct lc_report *report, int color)
{
    size_t c[LC_STATUS_COUNT];
    size_t total = 0;
    char *reason = NULL, *unmatched = NULL;
    int rc = 0;

    lc_report_tally(report, c);
    for (unsigned i = 0; i < LC_STATUS_COUNT; i++)
        total += c[i];
    lc_out_fmt(o, "lynccheck: %zu check%s: %zu pass, %zu warn, %zu fail, %zu error, %zu skip in ",
               total, total == 1 ? "" : "s", c[LC_PASS], c[LC_WARN], c[LC_FAIL], c[LC_ERROR],
               c[LC_SKIP]);
    lc_out_seconds(o, report->duration_us, 2);
    lc_out_puts(o, " s\n");
    if (lc_report_no_run_reason(report, &reason) != 0 ||
        lc_report_unmatched_text(report, &unmatched) != 0) {
        errno = ENOMEM;
        rc = -1;
    } else if (reason != NULL || unmatched != NULL) {
        lc_out_puts(o, "lynccheck: ");
        if (reason != NULL)
            lc_out_fmt(o, "%sUNKNOWN%s: ", color ? lc_text_colors[LC_ERROR] : "",
                       color ? LC_TEXT_RESET : "");
        else
            lc_out_puts(o, "warning: ");
        lc_text_put_clean(o, reason != NULL ? reason : unmatched);
        lc_out_puts(o, "\n");
    }
    free(reason);
    free(unmatched);
    return rc;
}

static int lc_text_write(struct lc_out *o, const struct lc_report *report,
                         const struct lc_report_opts *opts)
{
    const int color = opts->color, verbose = opts->verbose;
    const struct lc_result *const *res = report->results;
    const struct lc_result **groups = NULL;
    size_t id_width = 0, n_groups = 0, cap_groups = 0, hidden = 0;
    int rc = -1;

    if (lc_text_header(o, report) != 0 || lc_text_findings(o, report, color) != 0)
        goto done;

    for (size_t i = 0; i < report->n_results; i++) {
        if (res[i] != NULL) {
            size_t w = lc_text_put_clean(NULL, res[i]->id);
            if (w <= LC_TEXT_ID_WIDTH_MAX && w > id_width)
                id_width = w;
        }
    }

    /* Groups in the order their probe first appears, rows in the given
     * order. There are few probes: one pass over the rows per probe. */
    for (size_t i = 0; i < report->n_results; i++) {
        int seen = 0;

        if (res[i] == NULL)
            continue;
        for (size_t j = 0; j < n_groups && !seen; j++)
            seen = lc_text_same_probe(groups[j], res[i]);
        if (seen)
            continue;
        if (n_groups == cap_groups) {
            size_t cap = cap_groups ? cap_groups * 2 : 16;
            const struct lc_result **g = realloc(groups, cap * sizeof(*g));
            if (g == NULL)
                goto done;
            groups = g;
            cap_groups = cap;
        }
        groups[n_groups++] = res[i];
    }
    for (size_t g = 0; g < n_groups; g++) {
        lc_out_puts(o, "\n");
        if (color)
            lc_out_puts(o, LC_TEXT_BOLD);
        lc_text_put_clean(o, groups[g]->probe != NULL && groups[g]->probe[0] != '\0'
                                 ? groups[g]->probe
                                 : "(no probe)");
        if (color)
            lc_out_puts(o, LC_TEXT_RESET);
        lc_out_puts(o, "\n");
        for (size_t k = 0; k < report->n_results; k++) {
            if (res[k] == NULL || !lc_text_same_probe(res[k], groups[g]))
                continue;
            /* Checks the user excluded are noise on a terminal; -v, JSON
             * and JUnit still show them. */
            if (res[k]->excluded && !verbose) {
                hidden++;
                continue;
            }
            if (lc_text_row(o, res[k], id_width, color, verbose) != 0)
                goto done;
        }
    }
    if (hidden > 0)
        lc_out_fmt(o, "\n(%zu check%s excluded by --only/--skip not shown; -v shows them)\n",
                   hidden, hidden == 1 ? "" : "s");

    lc_out_puts(o, "\n");
    if (lc_text_by_domain(o, report, color) != 0 || lc_text_summary(o, report, color) != 0)
        goto done;
    rc = 0;
done:
    free(groups);
    return rc;
}

const struct lc_reporter lc_reporter_text = {"text", lc_text_write, 1};

int lc_report_text(const struct lc_report *report, FILE *out, int color, int verbose)
{
    const struct lc_report_opts opts = {color, verbose};

    return lc_report_write(&lc_reporter_text, report, out, &opts);
}
