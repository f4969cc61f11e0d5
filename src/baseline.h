/* SPDX-License-Identifier: MIT */
/* lynccheck - what changed since an earlier run (--baseline FILE).
 *
 * The baseline is an earlier JSON report (doc/json-schema.md) of the same
 * SIP domains and profile. Compared with this run by check id and finding
 * id: what is new, fixed and still failing; and by the facts the checks
 * recorded: a listener's certificate replaced (fingerprint, expiry, names
 * added or missing), an SRV record's targets or ports, a name's addresses.
 * A renewed certificate is a change, not a failure. Pure except for
 * lc_baseline_load, which reads the file. */
#ifndef LC_BASELINE_H
#define LC_BASELINE_H

#include <jansson.h>
#include <stddef.h>

#include "result.h"

/* A baseline larger than this is refused, not read: a nightly report of a
 * large deployment is a few MiB. */
#define LC_BASELINE_MAX_BYTES ((size_t)64 * 1024 * 1024)

struct lc_findings;

/* Read and parse an earlier JSON report: a regular file of at most
 * LC_BASELINE_MAX_BYTES holding a lynccheck report of schema 1 with a
 * checks array. 0 and *out (a new reference), or -1 with a one-line
 * message ("FILE: why"). */
int lc_baseline_load(const char *path, json_t **out, char *err, size_t errlen);
/* Parse a baseline already in memory (for tests and lc_baseline_load). */
int lc_baseline_parse(const char *text, size_t len, const char *origin, json_t **out, char *err,
                      size_t errlen);

/* Is the baseline a report of the same site (the same set of SIP domains,
 * case-insensitive) and profile? 0, or -1 with the reason. */
int lc_baseline_match(const json_t *baseline, const char *const *sip_domains, size_t n_domains,
                      const char *profile, char *err, size_t errlen);

struct lc_changes {
    /* {"baseline": {"started", "version"},
     *  "new": {"findings": [{id, severity, cause}], "checks": [id]},
     *  "fixed": {...}, "still": {...},
     *  "changed": [{"kind", "subject", "before", "after", "text"}]} */
    json_t *json;
};

/* Compares this run (its results and findings) with the baseline. 0, or -1
 * out of memory. */
int lc_changes_build(const json_t *baseline, const struct lc_report *report,
                     const struct lc_findings *findings, struct lc_changes **out);
void lc_changes_free(struct lc_changes *c);

/* Helpers for reporters: the "findings" or "checks" array of one of "new",
 * "fixed", "still" (NULL when absent: json_array_size and json_array_foreach take
 * it), and the
 * "changed" array. */
const json_t *lc_changes_list(const struct lc_changes *c, const char *which, const char *what);
const json_t *lc_changes_facts(const struct lc_changes *c);
/* "since the last run (2026-12-06T03:00:00Z): 2 new, 1 fixed, 3 still failing, 1 changed" */
int lc_changes_summary(const struct lc_changes *c, char *buf, size_t len);

#endif
