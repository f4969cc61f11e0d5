/* SPDX-License-Identifier: MIT */
/* lynccheck - the table of report formats and the driver (see report.h). */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"
#include "utf8.h"

const struct lc_reporter *const lc_reporters[] = {
    &lc_reporter_text,
    &lc_reporter_json,
    &lc_reporter_junit,
    &lc_reporter_html,
    &lc_reporter_nagios,
    &lc_reporter_prometheus,
    NULL,
};

const struct lc_reporter *lc_reporter_find(const char *name)
{
    for (size_t i = 0; name != NULL && lc_reporters[i] != NULL; i++)
        if (strcmp(lc_reporters[i]->name, name) == 0)
            return lc_reporters[i];
    return NULL;
}

void lc_reporter_names(char *buf, size_t len, const char *first_note, const char *sep,
                       const char *last)
{
    size_t used = 0;

    if (len == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; lc_reporters[i] != NULL; i++) {
        const char *before = i == 0 ? "" : lc_reporters[i + 1] == NULL ? last : sep;
        int n = snprintf(buf + used, len - used, "%s%s%s", before, lc_reporters[i]->name,
                         i == 0 && first_note != NULL ? first_note : "");
        if (n < 0 || (size_t)n >= len - used) {
            buf[used] = '\0'; /* whole names only */
            return;
        }
        used += (size_t)n;
    }
}

int lc_report_write(const struct lc_reporter *rep, const struct lc_report *report, FILE *out,
                    const struct lc_report_opts *opts)
{
    static const struct lc_report_opts plain = {0, 0};
    struct lc_out o = {.f = out};
    struct lc_report with;
    struct lc_findings *owned = NULL;

    if (rep == NULL || report == NULL || out == NULL ||
        (report->results == NULL && report->n_results > 0)) {
        errno = EINVAL;
        return -1;
    }
    /* The findings once, for every part of the report that names them. */
    with = *report;
    with.findings = lc_report_findings(report, &owned);
    if (with.findings == NULL) {
        errno = ENOMEM;
        return -1;
    }
    errno = 0;
    if (rep->write(&o, &with, opts != NULL ? opts : &plain) != 0 && o.err == 0)
        o.err = errno != 0 ? errno : ENOMEM;
    lc_out_flush(&o);
    lc_findings_free(owned);
    if (o.err != 0) {
        errno = o.err;
        return -1;
    }
    return 0;
}

void lc_report_domains(struct lc_out *o, const struct lc_report *report, const char *none,
                       const struct lc_utf8_rules *rules)
{
    if (report->sip_domains == NULL || report->n_sip_domains == 0)
        lc_out_puts(o, none);
    for (size_t i = 0; report->sip_domains != NULL && i < report->n_sip_domains; i++) {
        if (i > 0)
            lc_out_puts(o, ", ");
        (void)lc_utf8_filter(o, report->sip_domains[i], 0, rules, NULL);
    }
}

const char *lc_status_label(enum lc_status st)
{
    static const char *const labels[LC_STATUS_COUNT] = {
        [LC_PASS] = "PASS",   [LC_WARN] = "WARN", [LC_FAIL] = "FAIL",
        [LC_ERROR] = "ERROR", [LC_SKIP] = "SKIP",
    };

    return (unsigned)st < LC_STATUS_COUNT ? labels[st] : "ERROR";
}

int lc_report_json_dump(const json_t *v, size_t flags, char **out)
{
    char *buf;
    size_t need;

    *out = NULL;
    /* json_dumpb() into our own buffer rather than json_dumps(): the latter
     * returns memory from jansson's allocator, which the core may replace. */
    need = v != NULL ? json_dumpb(v, NULL, 0, flags) : 0;
    if (need == 0)
        return 1;
    buf = malloc(need + 1);
    if (buf == NULL)
        return -1;
    if (json_dumpb(v, buf, need, flags) != need) {
        free(buf);
        errno = ENOMEM;
        return -1;
    }
    buf[need] = '\0';
    *out = buf;
    return 0;
}
