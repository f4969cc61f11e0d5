/* lynccheck - status names, tallies and the process exit status.
 *
 * Everything here is shared by all reporters, so the JSON, text and JUnit
 * outputs and the exit code can never disagree about what a run found. */
#include "result.h"

#include <strings.h>

static const char *const lc_status_names[LC_STATUS_COUNT] = {
    [LC_PASS] = "pass",   [LC_WARN] = "warn", [LC_FAIL] = "fail",
    [LC_ERROR] = "error", [LC_SKIP] = "skip",
};

const char *lc_status_name(enum lc_status status)
{
    /* Callers print the result unconditionally; a NULL would crash them on a
     * corrupted status, a visible placeholder is safer. */
    if ((unsigned)status >= LC_STATUS_COUNT)
        return "unknown";
    return lc_status_names[status];
}

int lc_status_parse(const char *name, enum lc_status *out)
{
    int rc = -1;

    if (name == NULL || out == NULL)
        goto done;
    for (unsigned i = 0; i < LC_STATUS_COUNT; i++) {
        /* Case-insensitive: the names come from command lines and config
         * files, where "WARN" (as printed by the text report) is natural. */
        if (strcasecmp(name, lc_status_names[i]) == 0) {
            *out = (enum lc_status)i;
            rc = 0;
            goto done;
        }
    }
done:
    return rc;
}

void lc_report_tally(const struct lc_report *report, size_t counts[LC_STATUS_COUNT])
{
    for (unsigned i = 0; i < LC_STATUS_COUNT; i++)
        counts[i] = 0;
    if (report == NULL || report->results == NULL)
        return;
    for (size_t i = 0; i < report->n_results; i++) {
        const struct lc_result *r = report->results[i];
        if (r == NULL)
            continue;
        /* A status we cannot interpret means we do not know the outcome:
         * count it as an error (Nagios UNKNOWN) rather than drop it, so a
         * corrupted result can never turn a run green. The reporters apply
         * the same rule. */
        if ((unsigned)r->status >= LC_STATUS_COUNT)
            counts[LC_ERROR]++;
        else
            counts[r->status]++;
    }
}

int lc_exit_status(const struct lc_report *report)
{
    size_t counts[LC_STATUS_COUNT];

    lc_report_tally(report, counts);
    /* A failed check is a proven problem and outranks a check that could
     * not run (issue 2); skips never affect the outcome. */
    if (counts[LC_FAIL] > 0)
        return 2;
    if (counts[LC_ERROR] > 0)
        return 3;
    if (counts[LC_WARN] > 0)
        return 1;
    return 0;
}

int lc_status_rank(enum lc_status s)
{
    switch (s) {
    case LC_FAIL:
        return 4;
    case LC_ERROR:
        return 3;
    case LC_WARN:
        return 2;
    case LC_SKIP:
        return 1;
    case LC_PASS:
    default:
        return 0;
    }
}
