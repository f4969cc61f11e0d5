/* SPDX-License-Identifier: MIT */
/* lynccheck - Nagios / Icinga plugin output.
 *
 * Monitoring-plugins development guidelines, "Plugin Output": the first
 * line is `LYNCCHECK <STATE> - <summary> | <perfdata>`, further lines are
 * details; the exit status (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) is
 * lc_exit_status()'s, which main() already returns. Perfdata is
 * 'label'=value[UOM];[warn];[crit];[min];[max] with threshold ranges in
 * the guidelines' syntax ("30:" alerts below 30). A '|' anywhere in the
 * text would start perfdata early, so text from results has every '|'
 * replaced and is forced onto one line. Numbers are built from integers:
 * printf("%f") would print a comma under a German LC_NUMERIC. */
#include "baseline.h"
#include "cert.h"
#include "findings.h"
#include "out.h"
#include "report.h"
#include "result.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* Bytes of one message on a detail line: Nagios keeps 8 KiB of output in
 * all (MAX_PLUGIN_OUTPUT_LENGTH in 3.x and 4.x). */
#define LC_NAGIOS_MESSAGE_MAX 300
/* Bytes of the reason, the unmatched globs and the --resolve pins: the
 * operator's own words, but a long list must not crowd out the rest. */
#define LC_NAGIOS_LINE_MAX 1000
/* Days left at which cert_days_min warns: lynccheck's --cert-warn-days
 * default (the reporter does not know the run's value). */
#define LC_NAGIOS_CERT_WARN_DAYS 30

static const char *const lc_nagios_states[4] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

/* Text from a result on one line: controls (CR and LF included), DEL, C1
 * controls and invalid UTF-8 become '?', '|' becomes '/'. At most max bytes
 * (0: no limit), cut at a code point boundary with "..." appended. */
static const char *lc_nagios_map(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
        return "?";
    return cp == '|' ? "/" : NULL;
}

static const struct lc_utf8_rules lc_nagios_rules = {
    .invalid = "?",
    .map = lc_nagios_map,
    .ellipsis = "...",
};

static void lc_nagios_clean(struct lc_out *o, const char *s, size_t max)
{
    (void)lc_utf8_filter(o, s, max, &lc_nagios_rules, NULL);
}

/* The smallest days_left of the certificates in a tls check's evidence. */
struct lc_nagios_days {
    int seen;
    json_int_t min;
};

static void lc_nagios_on_cert(const json_t *cert, void *arg)
{
    struct lc_nagios_days *d = arg;
    const json_t *v = json_object_get(cert, "days_left");

    if (json_is_integer(v) && (!d->seen || json_integer_value(v) < d->min)) {
        d->min = json_integer_value(v);
        d->seen = 1;
    }
}

/* "2 problems (15 fail, 0 error, 6 warn of 149 checks): <the worst
 * problem's cause> [f-xxxxxxxx]; and 1 more problem": a status view shows
 * causes to fix, not a count of symptoms (findings.h). */
static void lc_nagios_summary(struct lc_out *o, const struct lc_report *report,
                              const struct lc_findings *f, const size_t c[LC_STATUS_COUNT],
                              size_t total)
{
    size_t problems = c[LC_FAIL] + c[LC_ERROR] + c[LC_WARN];

    if (problems == 0 || f == NULL || f->n == 0) {
        lc_out_fmt(o, "%zu of %zu checks passed, %zu skipped", c[LC_PASS], total, c[LC_SKIP]);
        return;
    }
    (void)report;
    lc_out_fmt(o, "%zu problem%s (%zu fail, %zu error, %zu warn of %zu checks): ", f->n,
               f->n == 1 ? "" : "s", c[LC_FAIL], c[LC_ERROR], c[LC_WARN], total);
    lc_nagios_clean(o, f->v[0].cause, LC_NAGIOS_MESSAGE_MAX);
    lc_out_fmt(o, " [%s]", f->v[0].id);
    if (f->n > 1)
        lc_out_fmt(o, "; and %zu more problem%s", f->n - 1, f->n == 2 ? "" : "s");
}

/* One line per problem: its id, the checks it breaks, the cause and the
 * fix; the checks' own lines follow. */
static void lc_nagios_findings(struct lc_out *o, const struct lc_findings *f)
{
    for (size_t i = 0; f != NULL && i < f->n; i++) {
        const struct lc_finding *x = &f->v[i];
        lc_out_fmt(o, "PROBLEM %s %s (%zu check%s): ", x->id, lc_status_label(x->severity),
                   x->n_checks, x->n_checks == 1 ? "" : "s");
        lc_nagios_clean(o, x->cause, LC_NAGIOS_MESSAGE_MAX);
        lc_out_puts(o, " -- fix: ");
        lc_nagios_clean(o, x->fix, LC_NAGIOS_MESSAGE_MAX);
        lc_out_puts(o, "\n");
    }
}

static void lc_nagios_perfdata(struct lc_out *o, const struct lc_report *report,
                               const size_t c[LC_STATUS_COUNT], size_t total, size_t n_problems)
{
    struct lc_nagios_days days = {0, 0};

    lc_out_fmt(o,
               "'checks'=%zu;;;0 'pass'=%zu;;;0 'warn'=%zu;;;0 'fail'=%zu;;;0 'error'=%zu;;;0 "
               "'skip'=%zu;;;0 'problems'=%zu;;;0",
               total, c[LC_PASS], c[LC_WARN], c[LC_FAIL], c[LC_ERROR], c[LC_SKIP], n_problems);
    for (size_t i = 0; i < report->n_results; i++) {
        const struct lc_result *r = report->results[i];
        if (r != NULL && r->probe != NULL && strcmp(r->probe, "tls") == 0)
            lc_cert_evidence_foreach(r->evidence, lc_nagios_on_cert, &days);
    }
    /* Warn below the warning window, critical once expired. */
    if (days.seen)
        lc_out_fmt(o, " 'cert_days_min'=%" JSON_INTEGER_FORMAT ";%d:;0:;;", days.min,
                   report->cert_warn_days > 0 ? report->cert_warn_days : LC_NAGIOS_CERT_WARN_DAYS);
    lc_out_puts(o, " 'duration'=");
    lc_out_seconds(o, report->duration_us, 3);
    lc_out_puts(o, "s;;;0");
}

/* Detail lines: problems most severe first, then what was skipped (not
 * what --only/--skip left out: the user asked for that). */
static void lc_nagios_details(struct lc_out *o, const struct lc_report *report)
{
    static const enum lc_status order[] = {LC_FAIL, LC_ERROR, LC_WARN, LC_SKIP};

    for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
        for (size_t i = 0; i < report->n_results; i++) {
            const struct lc_result *r = report->results[i];
            if (r == NULL || lc_result_status(r) != order[k] || r->excluded)
                continue;
            lc_out_puts(o, lc_status_label(order[k]));
            lc_out_puts(o, " ");
            lc_nagios_clean(o, r->id, 0);
            lc_out_puts(o, ": ");
            lc_nagios_clean(o, r->message, LC_NAGIOS_MESSAGE_MAX);
            lc_out_puts(o, "\n");
        }
    }
}

/* With --baseline: the summary, then one line per new and fixed problem
 * and per changed fact. */
static void lc_nagios_changes(struct lc_out *o, const struct lc_changes *changes)
{
    static const char *const which[2] = {"new", "fixed"};
    static const char *const label[2] = {"NEW ", "FIXED "};
    char line[512];
    const json_t *e;
    size_t k;

    if (changes == NULL)
        return;
    if (lc_changes_summary(changes, line, sizeof(line)) == 0) {
        lc_nagios_clean(o, line, LC_NAGIOS_LINE_MAX);
        lc_out_puts(o, "\n");
    }
    for (size_t w = 0; w < 2; w++) {
        json_array_foreach(lc_changes_list(changes, which[w], "findings"), k, e)
        {
            lc_out_puts(o, label[w]);
            lc_nagios_clean(o, json_string_value(json_object_get(e, "id")), 0);
            lc_out_puts(o, ": ");
            lc_nagios_clean(o, json_string_value(json_object_get(e, "cause")),
                            LC_NAGIOS_MESSAGE_MAX);
            lc_out_puts(o, "\n");
        }
    }
    json_array_foreach(lc_changes_facts(changes), k, e)
    {
        lc_out_puts(o, "CHANGED ");
        lc_nagios_clean(o, json_string_value(json_object_get(e, "text")), LC_NAGIOS_LINE_MAX);
        lc_out_puts(o, "\n");
    }
}

static int lc_nagios_write(struct lc_out *o, const struct lc_report *report,
                           const struct lc_report_opts *opts)
{
    const struct lc_findings *f = report->findings;
    size_t c[LC_STATUS_COUNT], total = 0;
    char *reason = NULL, *unmatched = NULL, *pins = NULL;
    int state, rc = -1;

    (void)opts;
    lc_report_tally(report, c);
    for (unsigned i = 0; i < LC_STATUS_COUNT; i++)
        total += c[i];
    state = lc_exit_status(report);
    if (state < 0 || state > 3)
        state = 3;
    if (lc_report_no_run_reason(report, &reason) != 0 ||
        lc_report_unmatched_text(report, &unmatched) != 0 ||
        lc_report_pins_text(report, &pins) != 0) {
        errno = ENOMEM;
        goto done;
    }
    lc_out_puts(o, "LYNCCHECK ");
    lc_out_puts(o, lc_nagios_states[state]);
    lc_out_puts(o, " - ");
    /* The first line is all a status view shows: a run that checked
     * nothing says why there, and a glob that matched nothing is named
     * there even when the rest of the selection ran. */
    if (reason != NULL) {
        lc_nagios_clean(o, reason, LC_NAGIOS_LINE_MAX);
    } else {
        lc_nagios_summary(o, report, f, c, total);
        if (unmatched != NULL) {
            lc_out_puts(o, "; ");
            lc_nagios_clean(o, unmatched, LC_NAGIOS_LINE_MAX);
        }
    }
    lc_out_puts(o, " | ");
    lc_nagios_perfdata(o, report, c, total, f->n);
    lc_out_puts(o, "\n");
    if (pins != NULL) {
        lc_out_puts(o, "pinned (--resolve): ");
        lc_nagios_clean(o, pins, LC_NAGIOS_LINE_MAX);
        lc_out_puts(o, "\n");
    }
    lc_nagios_changes(o, report->changes);
    lc_nagios_findings(o, f);
    lc_nagios_details(o, report);
    rc = 0;
done:
    free(reason);
    free(unmatched);
    free(pins);
    return rc;
}

const struct lc_reporter lc_reporter_nagios = {"nagios", lc_nagios_write, 0};

int lc_report_nagios(const struct lc_report *report, FILE *out)
{
    return lc_report_write(&lc_reporter_nagios, report, out, NULL);
}
