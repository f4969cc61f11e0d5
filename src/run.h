/* SPDX-License-Identifier: MIT */
/* lynccheck - checks, the run that schedules them, and what probes see.
 *
 * A probe module plans checks for a site (probe.h); the run starts them on
 * the one loop, at most --parallel at once, each bounded by --timeout, the
 * whole bounded by --deadline. A check ends exactly once, through
 * lc_check_finish(); anything that arrives for it afterwards is ignored. */
#ifndef LC_RUN_H
#define LC_RUN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

struct lc_loop;
struct lc_dns;
struct lc_http;
struct lc_run;
struct lc_check;
struct lc_site;
struct lc_opts;

/* Start the check's work. It may finish at once or later from loop
 * callbacks; returning without finishing and without anything pending ends
 * as an ERROR when the timeout comes, which is a bug in the probe. */
typedef void (*lc_check_start_fn)(struct lc_check *check, void *arg);
/* The check ended by timeout or deadline: release sockets, timers and
 * transfers now. Callbacks already queued must still find `arg` alive: the
 * run frees check arguments only after the loop, c-ares and libcurl are gone. */
typedef void (*lc_check_cancel_fn)(struct lc_check *check, void *arg);

/* How media port ranges are probed (--port-ranges). */
enum lc_ranges { LC_RANGES_FULL = 0, LC_RANGES_SAMPLE, LC_RANGES_NONE };

struct lc_run_config {
    unsigned parallel;       /* checks running at once */
    uint64_t timeout_us;     /* per check */
    uint64_t deadline_us;    /* whole run; 0 = none */
    const char *dns_servers; /* NULL: system resolver */
    const char *ca_file;
    int cert_warn_days; /* warn when a certificate expires within this many days */
    enum lc_ranges port_ranges;
};

/* ---- planning (probe.h's plan functions call these) ---- */

/* Add a check with id "<probe>.<what>:<target>". When the id exists already
 * (two roles on one name plan the same check) the existing check is
 * returned and `arg` is freed with arg_free: one check per (probe, what,
 * target), and every role that needs it depends on it. A non-NULL return
 * always owns `arg`; NULL means out of memory, and the caller keeps it. */
struct lc_check *lc_run_add(struct lc_run *run, const char *probe, const char *what,
                            const char *target, const char *reference, lc_check_start_fn start,
                            void *arg, void (*arg_free)(void *));
void lc_check_set_cancel(struct lc_check *check, lc_check_cancel_fn cancel);
/* Record that `role` (access-edge, webconf-edge, reverse-proxy...) needs this
 * check. A check needed by several roles says so: evidence.shared_by_roles
 * and " [shared by roles a, b]" after its message. 0, or -1 out of memory. */
int lc_check_add_role(struct lc_check *check, const char *role);
size_t lc_check_n_roles(const struct lc_check *check);
/* check starts only after dep has ended (whatever its status). */
int lc_check_depend(struct lc_check *check, struct lc_check *dep);
/* Mark as SKIP before it runs (a name the site does not know, a feature off). */
void lc_check_skip(struct lc_check *check, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
struct lc_check *lc_run_find(struct lc_run *run, const char *id);
/* The argument given to lc_run_add (for a probe extending its own plan). */
void *lc_check_start_arg(const struct lc_check *check);

/* ---- while running ---- */
struct lc_loop *lc_check_loop(const struct lc_check *check);
struct lc_dns *lc_check_dns(const struct lc_check *check);
struct lc_http *lc_check_http(const struct lc_check *check);
const struct lc_site *lc_check_site(const struct lc_check *check);
const struct lc_run_config *lc_check_config(const struct lc_check *check);
/* The evidence object; add what was actually seen, as it is seen, so a
 * timeout still reports it. */
json_t *lc_check_evidence(struct lc_check *check);
/* evidence.addresses.<addr>, created on first use: where probes that work
 * on every address of a name record what each address said. */
json_t *lc_check_evidence_addr(struct lc_check *check, const char *addr);
/* End the check. Status and message are final; later calls are ignored. */
void lc_check_finish(struct lc_check *check, enum lc_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int lc_check_is_done(const struct lc_check *check);
/* A dependency left nothing to work on (`what` says what is missing). If it
 * could not run (timeout, resolver failure), neither can this check: ERROR,
 * so nothing hides an outage behind a skip. If it ran and found nothing
 * (a missing record, already a failure of its own), this check does not
 * apply: SKIP. */
void lc_check_finish_no_input(struct lc_check *check, const struct lc_check *dep, const char *what);

/* Typed facts a check leaves for the checks that depend on it (a name's
 * addresses, an SRV record's targets). Owned by the check from then on. */
void lc_check_set_data(struct lc_check *check, void *data, void (*data_free)(void *));
void *lc_check_data(const struct lc_check *check);
size_t lc_check_n_deps(const struct lc_check *check);
struct lc_check *lc_check_dep(const struct lc_check *check, size_t i);
const struct lc_result *lc_check_result(const struct lc_check *check);

/* ---- the run ---- */
/* Creates the loop, the resolver and the HTTP multi handle; returns -1 with
 * a message when one of them cannot be set up (a bad --dns-server). */
int lc_run_new(struct lc_run **out, const struct lc_run_config *config, const struct lc_site *site,
               char *err, size_t errlen);
void lc_run_free(struct lc_run *run);
/* After lc_run_execute, before reporting: shut the resolver and transfers
 * down and free every check's argument and data (sockets, handshakes'
 * certificates, request buffers), which only the probes read. Results,
 * evidence and dependencies stay for the reporters until lc_run_free. */
void lc_run_release(struct lc_run *run);
/* Checks whose id matches none of `only` (when n_only > 0) or any of `skip`
 * (fnmatch globs) are skipped with the reason, unless a selected check
 * depends on them. Call after planning, before lc_run_execute. Globs that
 * match no planned check at all are kept for lc_run_unmatched. Returns 0,
 * or -1 out of memory. */
int lc_run_select(struct lc_run *run, const char *const *only, size_t n_only,
                  const char *const *skip, size_t n_skip);
/* The --only (skip 0) or --skip (skip 1) globs of the last lc_run_select
 * that matched no planned check's id, in the order given; *globs stays
 * valid until the next lc_run_select or lc_run_free. Returns the count. */
size_t lc_run_unmatched(const struct lc_run *run, int skip, const char *const **globs);
/* Progress, for a terminal: called as each check ends. */
void lc_run_on_progress(struct lc_run *run,
                        void (*cb)(size_t done, size_t total, const struct lc_result *r, void *arg),
                        void *arg);
/* Run until every check has ended or the deadline passed. Returns 0, or -1
 * with a message when the loop itself failed. */
int lc_run_execute(struct lc_run *run, char *err, size_t errlen);
struct lc_dns *lc_run_dns(struct lc_run *run);
size_t lc_run_count(const struct lc_run *run);
const struct lc_result *lc_run_result(const struct lc_run *run, size_t i);
struct lc_loop *lc_run_loop(struct lc_run *run);
const struct lc_run_config *lc_run_get_config(const struct lc_run *run);
uint64_t lc_run_duration_us(const struct lc_run *run);

#endif
