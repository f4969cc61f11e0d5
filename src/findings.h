/* SPDX-License-Identifier: MIT */
/* lynccheck - findings: the checks that did not pass, grouped by cause.
 *
 * Twenty failed checks are often one problem: the reverse proxy cannot
 * reach the Director's external web site, one certificate lacks a name, a
 * firewall drops one port. A finding is one such cause: the checks it
 * breaks, the cause in one sentence, the fix for that cause (fixes.h) and
 * who is affected. Pure: built from the results and their evidence only,
 * so the same results always give the same findings with the same ids. */
#ifndef LC_FINDINGS_H
#define LC_FINDINGS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

/* jansson's iteration macros take a non-const object; reading one we were
 * given as const (a result's evidence, a baseline) through them is safe. */
static inline json_t *lc_json_mut(const json_t *j)
{
    return (json_t *)(uintptr_t)j;
}

struct lc_finding {
    char id[16];                     /* "f-" and 8 hex digits of a hash of key: stable run to run */
    char *key;                       /* the cause: "backend:webdirext.contoso.com", "cert:<sha256>",
                                      * "conn:192.0.2.10:5061", "dns:<record>", "check:<id>" */
    enum lc_status severity;         /* the worst of its checks: LC_FAIL, LC_ERROR or LC_WARN */
    char *cause;                     /* one sentence; may carry bytes from the network */
    char *fix;                       /* what to do about that cause */
    char *impact;                    /* "external sign-in, mobile clients" */
    json_t *evidence;                /* object: the facts the cause rests on */
    const struct lc_result **checks; /* the checks it breaks, in report order */
    size_t n_checks;
};

/* Check ids to numbers (findings.c): open addressing, at most half full;
 * the first number put for an id stays. */
struct lc_fidmap {
    const char **ids;
    size_t *vals;
    size_t cap;
};

struct lc_findings {
    struct lc_finding *v; /* worst first, then most checks, then report order */
    size_t n;
    size_t n_checks; /* checks in all findings */
    /* lc_findings_of's index (lc_findings_build makes it): check id -> the
     * first finding (index in v) listing it. */
    struct lc_fidmap ix;
};

/* Groups the report's failing, erring and warning checks (not skipped, not
 * excluded). A check whose dependency is in a finding joins that finding
 * (report->results[i]->deps). 0, or -1 out of memory. */
int lc_findings_build(const struct lc_report *report, struct lc_findings **out);
void lc_findings_free(struct lc_findings *f);
/* The finding that holds the check, or NULL. */
const struct lc_finding *lc_findings_of(const struct lc_findings *f, const struct lc_result *r);
/* report->findings, or built now into *owned (free with lc_findings_free):
 * every reporter calls this, so a report built without findings (tests,
 * tools) still leads with them. NULL only out of memory. */
const struct lc_findings *lc_report_findings(const struct lc_report *report,
                                             struct lc_findings **owned);
/* JSON array of {id, severity, cause, fix, impact, checks, evidence}. */
json_t *lc_findings_to_json(const struct lc_findings *f);

/* Who is affected when this check does not pass ("federation", "mobile
 * clients", ...), from its kind and the role of its target in the site.
 * A static string. */
const char *lc_finding_impact_of(const struct lc_report *report, const struct lc_result *r);

#endif
