/* SPDX-License-Identifier: MIT */
/* lynccheck - check results as every reporter sees them.
 *
 * A result is what one check saw and concluded. Reporters only read these;
 * probes fill them through the check API (check.h). */
#ifndef LC_RESULT_H
#define LC_RESULT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* Order matters only for lc_status_name(); severity is decided by
 * lc_exit_status(), which follows the Nagios convention. */
enum lc_status { LC_PASS = 0, LC_WARN, LC_FAIL, LC_ERROR, LC_SKIP, LC_STATUS_COUNT };

struct lc_result {
    const char *id;     /* stable: "<probe>.<what>:<target>" */
    const char *probe;  /* "dns" */
    const char *what;   /* "srv" */
    const char *target; /* "_sipfederationtls._tcp.contoso.com" */
    enum lc_status status;
    const char *message;   /* one line; may hold hostile bytes from the network */
    const char *reference; /* the requirement enforced and its source */
    uint64_t duration_us;
    const json_t *evidence; /* JSON object, never NULL */
    int excluded;           /* skipped because --only/--skip left it out */
    /* The ids of the checks this one waited for (lc_check_depend), for
     * grouping by cause (findings.h); may be NULL. */
    const char *const *deps;
    size_t n_deps;
};

struct lc_findings; /* findings.h */
struct lc_changes;  /* baseline.h */

/* What one run was, for the reporters. */
struct lc_report {
    const char *profile;
    const char *const *sip_domains;
    size_t n_sip_domains;
    const char *version;
    const char *hostname;
    int cert_warn_days;   /* --cert-warn-days (0: the default, 30) */
    time_t started;       /* wall clock, only for display */
    uint64_t duration_us; /* measured on the monotonic clock */
    const json_t *site;   /* the topology as lynccheck used it (object), may be NULL;
                           * its "resolve" object lists the names pinned with --resolve */
    const struct lc_result *const *results;
    size_t n_results;
    /* --only / --skip globs that matched no planned check (lc_run_unmatched):
     * every reporter names them. NULL when none. */
    const char *const *unmatched_only;
    size_t n_unmatched_only;
    const char *const *unmatched_skip;
    size_t n_unmatched_skip;
    /* The checks grouped by cause (findings.h); NULL: each reporter builds
     * them from the results. */
    const struct lc_findings *findings;
    /* What changed since --baseline (baseline.h); NULL without one. */
    const struct lc_changes *changes;
};

const char *lc_status_name(enum lc_status status);          /* "pass", "warn", ... */
int lc_status_parse(const char *name, enum lc_status *out); /* 0 or -1 */
/* Severity for "the worst wins" within one check (fail > error > warn >
 * skip > pass); the exit status has its own order (lc_exit_status). */
int lc_status_rank(enum lc_status status);

/* The result's status, an out-of-range one read as LC_ERROR (the rule
 * every reporter and lc_report_tally() apply, so no corrupted result can
 * turn a run green). */
enum lc_status lc_result_status(const struct lc_result *r);

/* counts[LC_STATUS_COUNT] is filled with how many results have each status. */
void lc_report_tally(const struct lc_report *report, size_t counts[LC_STATUS_COUNT]);

/* Nagios plugin convention: 2 if any check failed; else 3 if any could
 * not run; else 1 if any warned; else 3 if no check ran at all (none, or
 * every one skipped: a run that checked nothing proves nothing); else 0. */
int lc_exit_status(const struct lc_report *report);
/* The run's state for an exit status: "ok", "warning", "critical",
 * "unknown" (anything out of range is "unknown"). */
const char *lc_report_state_name(int exit_status);
/* Results that are not SKIP: the checks that ran or tried to. */
size_t lc_report_n_ran(const struct lc_report *report);

/* The texts every reporter shows. Each sets *text to a malloc'ed string or
 * to NULL when there is nothing to say, and returns 0, or -1 out of memory.
 * They are built from the operator's own words (globs, --resolve names) but
 * carry no cleaning: each reporter escapes them its own way. */
/* Why the run is UNKNOWN though no check erred, when no check ran:
 * "no check ran: every check was skipped (--only 'x' matched no check)". */
int lc_report_no_run_reason(const struct lc_report *report, char **text);
/* "--only 'a', 'b' matched no check; --skip 'c' matched no check": a
 * warning when some check ran (else the reason above already says it). */
int lc_report_unmatched_text(const struct lc_report *report, char **text);
/* The names pinned with --resolve, "name -> addr, addr; name2 -> addr",
 * from report->site's "resolve" object ({"name": ["addr", ...]}). */
int lc_report_pins_text(const struct lc_report *report, char **text);
/* report->site's "resolve" object when it names at least one pin, else
 * NULL: for reporters that list the pins one by one, each worded by
 * lc_report_pin_text ("name -> addr, addr"). */
const json_t *lc_report_pins(const struct lc_report *report);
int lc_report_pin_text(const char *name, const json_t *addrs, char **text);

/* Which SIP domain a result belongs to: the (most specific) SIP domain its
 * target's name is within, or NULL for a name outside every SIP domain —
 * infrastructure the domains share (one edge, one reverse proxy for all),
 * probed once and counted for every domain. */
struct lc_domain_index;
int lc_domain_index_new(const struct lc_report *report, struct lc_domain_index **out);
const char *lc_domain_index_of(const struct lc_domain_index *ix, const struct lc_result *r);
/* The same as an index into report->sip_domains, or -1 (shared). */
long lc_domain_index_pos(const struct lc_domain_index *ix, const struct lc_result *r);
void lc_domain_index_free(struct lc_domain_index *ix);

/* Reporters. Each returns 0, or -1 with errno set when writing failed. */
int lc_report_text(const struct lc_report *report, FILE *out, int color, int verbose);
int lc_report_json(const struct lc_report *report, FILE *out);
int lc_report_junit(const struct lc_report *report, FILE *out);
/* One self-contained HTML page (report_html.c): summary, topology, every
 * check with its fix (fixes.h), certificate details, web walk transcript. */
int lc_report_html(const struct lc_report *report, FILE *out);
/* Nagios / Icinga plugin output: "LYNCCHECK <STATE> - summary | perfdata",
 * then one line per check that did not pass. */
int lc_report_nagios(const struct lc_report *report, FILE *out);
/* Prometheus text exposition format for node_exporter's textfile collector. */
int lc_report_prometheus(const struct lc_report *report, FILE *out);

#endif
