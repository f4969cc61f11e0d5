/* lynccheck - status names, tallies and the process exit status.
 *
 * Everything here is shared by all reporters, so the JSON, text and JUnit
 * outputs and the exit code can never disagree about what a run found. */
#include "result.h"

#include <stdlib.h>
#include <string.h>
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

enum lc_status lc_result_status(const struct lc_result *r)
{
    /* An unknown status means we do not know the outcome: an error. */
    if ((unsigned)r->status >= LC_STATUS_COUNT)
        return LC_ERROR;
    return r->status;
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

/* ---- results by SIP domain ---- */

struct lc_domain_entry {
    const char *name;
    size_t pos; /* in report->sip_domains */
};

struct lc_domain_index {
    struct lc_domain_entry *sorted; /* for bsearch */
    const char *const *names;       /* report->sip_domains */
    size_t n;
};

static int lc_domain_cmp(const void *a, const void *b)
{
    return strcasecmp(((const struct lc_domain_entry *)a)->name,
                      ((const struct lc_domain_entry *)b)->name);
}

int lc_domain_index_new(const struct lc_report *report, struct lc_domain_index **out)
{
    struct lc_domain_index *ix = calloc(1, sizeof(*ix));
    size_t n = report != NULL && report->sip_domains != NULL ? report->n_sip_domains : 0;

    *out = NULL;
    if (ix == NULL)
        return -1;
    if (n > 0) {
        ix->sorted = calloc(n, sizeof(*ix->sorted));
        if (ix->sorted == NULL) {
            free(ix);
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            ix->sorted[i].name = report->sip_domains[i] != NULL ? report->sip_domains[i] : "";
            ix->sorted[i].pos = i;
        }
        qsort(ix->sorted, n, sizeof(*ix->sorted), lc_domain_cmp);
    }
    ix->n = n;
    ix->names = report != NULL ? report->sip_domains : NULL;
    *out = ix;
    return 0;
}

void lc_domain_index_free(struct lc_domain_index *ix)
{
    if (ix == NULL)
        return;
    free(ix->sorted);
    free(ix);
}

/* The host part of a target ("webext.contoso.com:443" -> webext.contoso.com),
 * then each of its suffixes at a label boundary, longest first: the first
 * that is a SIP domain wins, so nested domains go to the most specific one.
 * O(labels x log domains), which keeps 1,000-domain reports linear. */
long lc_domain_index_pos(const struct lc_domain_index *ix, const struct lc_result *r)
{
    char host[256];
    const char *t = r != NULL ? r->target : NULL, *p;
    size_t len;

    if (ix == NULL || ix->n == 0 || t == NULL)
        return -1;
    len = strcspn(t, ":");
    if (len == 0 || len >= sizeof(host))
        return -1;
    memcpy(host, t, len);
    host[len] = '\0';
    if (len > 1 && host[len - 1] == '.')
        host[len - 1] = '\0';
    for (p = host; p != NULL && *p != '\0';) {
        struct lc_domain_entry key = {p, 0};
        const struct lc_domain_entry *hit =
            bsearch(&key, ix->sorted, ix->n, sizeof(*ix->sorted), lc_domain_cmp);
        const char *dot;

        if (hit != NULL)
            return (long)hit->pos;
        dot = strchr(p, '.');
        p = dot != NULL ? dot + 1 : NULL;
    }
    return -1;
}

const char *lc_domain_index_of(const struct lc_domain_index *ix, const struct lc_result *r)
{
    long pos = lc_domain_index_pos(ix, r);

    return pos < 0 ? NULL : ix->names[pos];
}
