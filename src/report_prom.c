/* SPDX-License-Identifier: MIT */
/* lynccheck - Prometheus text exposition format, for node_exporter's
 * textfile collector (a nightly run writes the file with --report
 * prometheus:FILE, which main() writes to a temporary file and renames, so
 * the collector never reads half of it).
 *
 * Exposition format 0.0.4: "# HELP" and "# TYPE" before each family, one
 * sample per line, label values in double quotes with backslash, double
 * quote and line feed escaped as \\, \" and \n; values are Go floats, so
 * they are built from integers here (printf("%f") prints a comma under a
 * German LC_NUMERIC). A repeated series makes the collector drop the whole
 * file, so a check id seen twice is written once.
 *
 * lynccheck_check_status is 1 when the check passed or was skipped (not
 * applicable, or excluded) and 0 when it warned, failed or could not run:
 * alert on == 0. The status label says which. lynccheck_run_status is the
 * same for the run as a whole, so a run in which no check ran (every one
 * skipped: a mistyped --only) also gives a 0 to alert on. */
#include "baseline.h"
#include "cert.h"
#include "findings.h"
#include "out.h"
#include "report.h"
#include "result.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* A label value: \ " and LF escaped; other controls and bytes outside a
 * valid UTF-8 sequence (the format requires UTF-8) become U+FFFD. */
static const char *lc_prom_map(uint32_t cp)
{
    switch (cp) {
    case '\\':
        return "\\\\";
    case '"':
        return "\\\"";
    case '\n':
        return "\\n";
    default:
        return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ? "\xEF\xBF\xBD" : NULL;
    }
}

static const struct lc_utf8_rules lc_prom_rules = {
    .invalid = "\xEF\xBF\xBD",
    .map = lc_prom_map,
};

static void lc_prom_label_value(struct lc_out *o, const char *s)
{
    (void)lc_utf8_filter(o, s, 0, &lc_prom_rules, NULL);
}

/* name{profile="..",k1="v1",...}: labels given as key, value pairs, NULL
 * ended; the profile label is on every sample, so runs of several profiles
 * can share one collector directory. */
static void lc_prom_series(struct lc_out *o, const char *name, const char *profile, ...)
{
    va_list ap;
    const char *key;

    lc_out_puts(o, name);
    lc_out_puts(o, "{profile=\"");
    lc_prom_label_value(o, profile != NULL ? profile : "");
    lc_out_puts(o, "\"");
    va_start(ap, profile);
    while ((key = va_arg(ap, const char *)) != NULL) {
        lc_out_puts(o, ",");
        lc_out_puts(o, key);
        lc_out_puts(o, "=\"");
        lc_prom_label_value(o, va_arg(ap, const char *));
        lc_out_puts(o, "\"");
    }
    va_end(ap);
    lc_out_puts(o, "} ");
}

static void lc_prom_family(struct lc_out *o, const char *name, const char *help)
{
    lc_out_puts(o, "# HELP ");
    lc_out_puts(o, name);
    lc_out_puts(o, " ");
    lc_out_puts(o, help);
    lc_out_puts(o, "\n# TYPE ");
    lc_out_puts(o, name);
    lc_out_puts(o, " gauge\n");
}

static void lc_prom_seconds(struct lc_out *o, uint64_t us)
{
    lc_out_seconds(o, us, 6);
    lc_out_puts(o, "\n");
}

/* ---- certificates ---- */

struct lc_prom_cert {
    char host[256];
    char port[8];
    long long not_after;
};

struct lc_prom_certs {
    struct lc_prom_cert *v;
    size_t n, cap;
    int oom;
};

/* "YYYY-MM-DDTHH:MM:SSZ" (cert.c's lc_time_json) to seconds since the
 * epoch; -1 when it is not that form. */
static int lc_prom_parse_time(const char *s, long long *out)
{
    static const int widths[6] = {4, 2, 2, 2, 2, 2};
    static const char seps[6] = {'-', '-', 'T', ':', ':', 'Z'};
    int f[6];
    struct tm tm;
    time_t t;

    for (int k = 0; k < 6; k++) {
        f[k] = 0;
        for (int d = 0; d < widths[k]; d++, s++) {
            if (*s < '0' || *s > '9')
                return -1;
            f[k] = f[k] * 10 + (*s - '0');
        }
        if (*s++ != seps[k])
            return -1;
    }
    if (*s != '\0' || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 ||
        f[5] > 60)
        return -1;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = f[0] - 1900;
    tm.tm_mon = f[1] - 1;
    tm.tm_mday = f[2];
    tm.tm_hour = f[3];
    tm.tm_min = f[4];
    tm.tm_sec = f[5];
    t = timegm(&tm);
    if (t == (time_t)-1 && !(f[0] == 1969 && f[1] == 12 && f[2] == 31))
        return -1;
    *out = (long long)t;
    return 0;
}

static void lc_prom_cert_add(struct lc_prom_certs *cs, const char *host, const char *port,
                             long long not_after)
{
    size_t i;

    for (i = 0; i < cs->n; i++) {
        if (strcmp(cs->v[i].host, host) == 0 && strcmp(cs->v[i].port, port) == 0) {
            /* Pool members may differ: the first to expire is the one to
             * alert on. */
            if (not_after < cs->v[i].not_after)
                cs->v[i].not_after = not_after;
            return;
        }
    }
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 16;
        struct lc_prom_cert *v = realloc(cs->v, cap * sizeof(*v));
        if (v == NULL) {
            cs->oom = 1;
            return;
        }
        cs->v = v;
        cs->cap = cap;
    }
    snprintf(cs->v[cs->n].host, sizeof(cs->v[cs->n].host), "%s", host);
    snprintf(cs->v[cs->n].port, sizeof(cs->v[cs->n].port), "%s", port);
    cs->v[cs->n].not_after = not_after;
    cs->n++;
}

/* One listener's certificates, with their not_after. */
struct lc_prom_walk {
    struct lc_prom_certs *cs;
    const char *host, *port;
};

static void lc_prom_on_cert(const json_t *cert, void *arg)
{
    const struct lc_prom_walk *w = arg;
    const char *na = json_string_value(json_object_get(cert, "not_after"));
    long long t;

    if (na != NULL && lc_prom_parse_time(na, &t) == 0)
        lc_prom_cert_add(w->cs, w->host, w->port, t);
}

/* host and port of a tls target "name:port"; -1 when it has no numeric
 * port (a role word of a skipped check). */
static int lc_prom_host_port(const char *target, char *host, size_t hlen, char *port, size_t plen)
{
    const char *colon = target != NULL ? strrchr(target, ':') : NULL;
    size_t hl, pl;

    if (colon == NULL || colon == target)
        return -1;
    pl = strlen(colon + 1);
    hl = (size_t)(colon - target);
    if (pl == 0 || pl >= plen || hl >= hlen || strspn(colon + 1, "0123456789") != pl)
        return -1;
    memcpy(host, target, hl);
    host[hl] = '\0';
    memcpy(port, colon + 1, pl + 1);
    return 0;
}

static int lc_prom_certs(struct lc_out *o, const struct lc_report *report)
{
    struct lc_prom_certs cs = {NULL, 0, 0, 0};
    int rc = -1;

    for (size_t i = 0; i < report->n_results; i++) {
        const struct lc_result *r = report->results[i];
        char host[256], port[8];
        struct lc_prom_walk w = {&cs, host, port};

        if (r == NULL || r->probe == NULL || strcmp(r->probe, "tls") != 0 ||
            lc_prom_host_port(r->target, host, sizeof(host), port, sizeof(port)) != 0)
            continue;
        lc_cert_evidence_foreach(r->evidence, lc_prom_on_cert, &w);
    }
    if (cs.oom) {
        errno = ENOMEM;
        goto done;
    }
    lc_prom_family(o, "lynccheck_cert_not_after_timestamp_seconds",
                   "Expiry of the first certificate to expire among those a TLS listener "
                   "presented, in seconds since the epoch.");
    for (size_t i = 0; i < cs.n; i++) {
        lc_prom_series(o, "lynccheck_cert_not_after_timestamp_seconds", report->profile, "host",
                       cs.v[i].host, "port", cs.v[i].port, (const char *)NULL);
        lc_out_fmt(o, "%lld\n", cs.v[i].not_after);
    }
    rc = 0;
done:
    free(cs.v);
    return rc;
}

/* ---- the report ---- */

static int lc_prom_seen_before(const struct lc_report *report, size_t i)
{
    const char *id = report->results[i]->id != NULL ? report->results[i]->id : "";

    for (size_t k = 0; k < i; k++) {
        const struct lc_result *r = report->results[k];
        if (r != NULL && strcmp(r->id != NULL ? r->id : "", id) == 0)
            return 1;
    }
    return 0;
}

/* A repeated series makes the collector drop the file: a glob given twice
 * or an address listed twice is written once. */
static int lc_prom_glob_seen_before(const char *const *globs, size_t i)
{
    for (size_t k = 0; k < i; k++) {
        if (strcmp(globs[k] != NULL ? globs[k] : "", globs[i] != NULL ? globs[i] : "") == 0)
            return 1;
    }
    return 0;
}

static int lc_prom_addr_seen_before(const json_t *addrs, size_t i)
{
    const char *a = json_string_value(json_array_get(addrs, i));

    for (size_t k = 0; k < i; k++) {
        const char *b = json_string_value(json_array_get(addrs, k));
        if (b != NULL && strcmp(a, b) == 0)
            return 1;
    }
    return 0;
}

static void lc_prom_checks(struct lc_out *o, const struct lc_report *report, int duration)
{
    for (size_t i = 0; i < report->n_results; i++) {
        const struct lc_result *r = report->results[i];
        enum lc_status st;

        if (r == NULL || lc_prom_seen_before(report, i))
            continue;
        st = lc_result_status(r);
        lc_prom_series(o, duration ? "lynccheck_check_duration_seconds" : "lynccheck_check_status",
                       report->profile, "probe", r->probe != NULL ? r->probe : "", "check",
                       r->id != NULL ? r->id : "", "status", lc_status_name(st),
                       (const char *)NULL);
        if (duration)
            lc_prom_seconds(o, r->duration_us);
        else
            lc_out_puts(o, st == LC_PASS || st == LC_SKIP ? "1\n" : "0\n");
    }
}

/* What the run as a whole was: lynccheck_run_status (1 only when the run
 * is OK, so a run that checked nothing fires the same "== 0" alert as a
 * failed check, with the reason in a label), lynccheck_checks_run, the
 * globs that matched no check and the names pinned with --resolve. */
static int lc_prom_run(struct lc_out *o, const struct lc_report *report)
{
    const char *const *globs[2] = {report->unmatched_only, report->unmatched_skip};
    const size_t n_globs[2] = {report->n_unmatched_only, report->n_unmatched_skip};
    const json_t *pins = lc_report_pins(report);
    int state = lc_exit_status(report);
    char *reason = NULL;
    const char *name;
    const json_t *addrs;
    int rc = -1;

    if (lc_report_no_run_reason(report, &reason) != 0) {
        errno = ENOMEM;
        goto done;
    }
    lc_prom_family(o, "lynccheck_run_status",
                   "1 when the last run is OK, 0 when it warned, failed, could not run a check "
                   "or ran no check at all (the state and reason labels say which).");
    if (reason != NULL)
        lc_prom_series(o, "lynccheck_run_status", report->profile, "state",
                       lc_report_state_name(state), "reason", reason, (const char *)NULL);
    else
        lc_prom_series(o, "lynccheck_run_status", report->profile, "state",
                       lc_report_state_name(state), (const char *)NULL);
    lc_out_puts(o, state == 0 ? "1\n" : "0\n");
    lc_prom_family(o, "lynccheck_checks_run",
                   "Checks of the last run that ran (not skipped); 0 means it checked nothing.");
    lc_prom_series(o, "lynccheck_checks_run", report->profile, (const char *)NULL);
    lc_out_fmt(o, "%zu\n", lc_report_n_ran(report));
    lc_prom_family(o, "lynccheck_unmatched_glob",
                   "An --only or --skip glob of the last run that matched no check.");
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; globs[k] != NULL && i < n_globs[k]; i++) {
            if (lc_prom_glob_seen_before(globs[k], i))
                continue;
            lc_prom_series(o, "lynccheck_unmatched_glob", report->profile, "option",
                           k == 0 ? "only" : "skip", "glob", globs[k][i], (const char *)NULL);
            lc_out_puts(o, "1\n");
        }
    }
    lc_prom_family(o, "lynccheck_resolve_pin",
                   "A name the last run pinned to an address with --resolve instead of asking "
                   "DNS.");
    if (pins != NULL) {
        json_object_foreach(lc_json_mut(pins), name, addrs)
        {
            const json_t *a;
            size_t i;
            if (json_is_string(addrs)) {
                lc_prom_series(o, "lynccheck_resolve_pin", report->profile, "name", name, "address",
                               json_string_value(addrs), (const char *)NULL);
                lc_out_puts(o, "1\n");
            }
            json_array_foreach(addrs, i, a)
            {
                if (!json_is_string(a) || lc_prom_addr_seen_before(addrs, i))
                    continue;
                lc_prom_series(o, "lynccheck_resolve_pin", report->profile, "name", name, "address",
                               json_string_value(a), (const char *)NULL);
                lc_out_puts(o, "1\n");
            }
        }
    }
    rc = 0;
done:
    free(reason);
    return rc;
}

/* Problems by cause (findings.h): how many per severity, the checks each
 * breaks, and with --baseline how many are new, fixed and still failing. */
static void lc_prom_findings(struct lc_out *o, const struct lc_report *report)
{
    static const enum lc_status sev[] = {LC_FAIL, LC_ERROR, LC_WARN};
    static const char *const which[] = {"new", "fixed", "still"};
    const struct lc_findings *f = report->findings;

    lc_prom_family(o, "lynccheck_findings",
                   "Problems of the last run by severity: failing checks grouped by cause.");
    for (size_t k = 0; k < sizeof(sev) / sizeof(sev[0]); k++) {
        size_t n = 0;
        for (size_t i = 0; i < f->n; i++)
            n += f->v[i].severity == sev[k];
        lc_prom_series(o, "lynccheck_findings", report->profile, "severity", lc_status_name(sev[k]),
                       (const char *)NULL);
        lc_out_fmt(o, "%zu\n", n);
    }
    lc_prom_family(o, "lynccheck_finding_checks",
                   "Checks one problem of the last run breaks (finding is its stable id).");
    for (size_t i = 0; i < f->n; i++) {
        lc_prom_series(o, "lynccheck_finding_checks", report->profile, "finding", f->v[i].id,
                       "severity", lc_status_name(f->v[i].severity), (const char *)NULL);
        lc_out_fmt(o, "%zu\n", f->v[i].n_checks);
    }
    if (report->changes != NULL) {
        lc_prom_family(o, "lynccheck_changes",
                       "Since --baseline: problems new, fixed and still failing, and facts "
                       "changed (certificates, SRV records, addresses).");
        for (size_t k = 0; k < 3; k++) {
            lc_prom_series(o, "lynccheck_changes", report->profile, "change", which[k],
                           (const char *)NULL);
            lc_out_fmt(o, "%zu\n",
                       json_array_size(lc_changes_list(report->changes, which[k], "findings")));
        }
        lc_prom_series(o, "lynccheck_changes", report->profile, "change", "changed",
                       (const char *)NULL);
        lc_out_fmt(o, "%zu\n", json_array_size(lc_changes_facts(report->changes)));
    }
}

static int lc_prom_write(struct lc_out *o, const struct lc_report *report,
                         const struct lc_report_opts *opts)
{
    size_t c[LC_STATUS_COUNT];

    (void)opts;
    lc_report_tally(report, c);
    lc_prom_family(o, "lynccheck_check_status",
                   "1 when the check passed or was skipped, 0 when it warned, failed or could "
                   "not run (the status label says which).");
    lc_prom_checks(o, report, 0);
    lc_prom_family(o, "lynccheck_check_duration_seconds", "How long the check took.");
    lc_prom_checks(o, report, 1);
    lc_prom_family(o, "lynccheck_checks", "Checks of the last run by status.");
    for (unsigned i = 0; i < LC_STATUS_COUNT; i++) {
        lc_prom_series(o, "lynccheck_checks", report->profile, "status",
                       lc_status_name((enum lc_status)i), (const char *)NULL);
        lc_out_fmt(o, "%zu\n", c[i]);
    }
    lc_prom_findings(o, report);
    if (lc_prom_certs(o, report) != 0)
        return -1;
    lc_prom_family(o, "lynccheck_exit_status",
                   "Exit status of the last run: 0 OK, 1 warning, 2 critical, 3 unknown.");
    lc_prom_series(o, "lynccheck_exit_status", report->profile, (const char *)NULL);
    lc_out_fmt(o, "%d\n", lc_exit_status(report));
    if (lc_prom_run(o, report) != 0)
        return -1;
    lc_prom_family(o, "lynccheck_last_run_timestamp_seconds",
                   "When the last run started, in seconds since the epoch.");
    lc_prom_series(o, "lynccheck_last_run_timestamp_seconds", report->profile, (const char *)NULL);
    lc_out_fmt(o, "%lld\n", (long long)report->started);
    lc_prom_family(o, "lynccheck_run_duration_seconds", "How long the last run took.");
    lc_prom_series(o, "lynccheck_run_duration_seconds", report->profile, (const char *)NULL);
    lc_prom_seconds(o, report->duration_us);
    return 0;
}

const struct lc_reporter lc_reporter_prometheus = {"prometheus", lc_prom_write, 0};

int lc_report_prometheus(const struct lc_report *report, FILE *out)
{
    return lc_report_write(&lc_reporter_prometheus, report, out, NULL);
}
