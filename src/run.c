/* SPDX-License-Identifier: MIT */
/* lynccheck - the scheduler: checks, their dependencies, the concurrency
 * cap, per-check timeouts and the run deadline, all on the one loop. */
#include "run.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "http.h"
#include "loop.h"
#include "site.h"

enum lc_check_state { LC_CHECK_PENDING, LC_CHECK_RUNNING, LC_CHECK_DONE };

struct lc_check {
    struct lc_run *run;
    size_t index;
    struct lc_result res;
    char *id, *probe, *what, *target, *reference, *message;
    json_t *evidence;
    enum lc_check_state state;
    lc_check_start_fn start;
    lc_check_cancel_fn cancel;
    void *arg;
    void (*arg_free)(void *);
    void *data;
    void (*data_free)(void *);
    struct lc_check **deps;
    size_t n_deps;
    struct lc_check **dependents;
    size_t n_dependents;
    size_t deps_left;
    struct lc_timer *timer;
    uint64_t started_us;
    int wanted;           /* selected by --only/--skip, or needed by a selected check */
    struct lc_strv roles; /* the roles that planned this check (lc_check_add_role) */
};

struct lc_run {
    struct lc_run_config cfg;
    char *dns_servers, *ca_file;
    const struct lc_site *site;
    struct lc_loop *loop;
    struct lc_dns *dns;
    struct lc_http *http;
    struct lc_check **checks;
    size_t n_checks, cap_checks;
    /* id -> check, open addressing; ids are unique. */
    struct lc_check **table;
    size_t table_cap;
    /* One copy of each probe name, kind and reference text: thousands of
     * checks share a few dozen (open addressing, like the id table). */
    char **words;
    size_t n_words, words_cap;
    /* FIFO of checks whose dependencies have all ended. */
    struct lc_check **ready;
    size_t ready_head, ready_tail;
    size_t running, done;
    int pumping, executing, deadline_hit;
    struct lc_timer *deadline_timer;
    uint64_t started_us, ended_us;
    void (*progress)(size_t, size_t, const struct lc_result *, void *);
    void *progress_arg;
    /* --only / --skip globs that matched no planned check (lc_run_select),
     * copies in the order given: a mistyped glob must be named, never
     * silently turn a run into one that checked nothing. */
    struct lc_strv unmatched[2];
};

static void lc_run_pump(struct lc_run *run);

/* FNV-1a: ids are short ASCII strings. */
static size_t lc_hash(const char *s)
{
    size_t h = 14695981039346656037u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211u;
    }
    return h;
}

static int lc_table_grow(struct lc_run *run)
{
    size_t cap = run->table_cap ? run->table_cap * 2 : 256;
    struct lc_check **table = calloc(cap, sizeof(*table));
    size_t i;

    if (table == NULL)
        return -1;
    for (i = 0; i < run->n_checks; i++) {
        size_t h = lc_hash(run->checks[i]->id) & (cap - 1);
        while (table[h] != NULL)
            h = (h + 1) & (cap - 1);
        table[h] = run->checks[i];
    }
    free(run->table);
    run->table = table;
    run->table_cap = cap;
    return 0;
}

struct lc_check *lc_run_find(struct lc_run *run, const char *id)
{
    size_t h;

    if (run->table_cap == 0)
        return NULL;
    h = lc_hash(id) & (run->table_cap - 1);
    while (run->table[h] != NULL) {
        if (strcmp(run->table[h]->id, id) == 0)
            return run->table[h];
        h = (h + 1) & (run->table_cap - 1);
    }
    return NULL;
}

/* The run's one copy of s (NULL is ""), or NULL out of memory. */
static char *lc_run_word(struct lc_run *run, const char *s)
{
    size_t h, i;

    if (s == NULL)
        s = "";
    if ((run->n_words + 1) * 2 > run->words_cap) {
        size_t cap = run->words_cap ? run->words_cap * 2 : 64;
        char **v = calloc(cap, sizeof(*v));
        if (v == NULL)
            return NULL;
        for (i = 0; i < run->words_cap; i++) {
            if (run->words[i] == NULL)
                continue;
            h = lc_hash(run->words[i]) & (cap - 1);
            while (v[h] != NULL)
                h = (h + 1) & (cap - 1);
            v[h] = run->words[i];
        }
        free(run->words);
        run->words = v;
        run->words_cap = cap;
    }
    h = lc_hash(s) & (run->words_cap - 1);
    while (run->words[h] != NULL) {
        if (strcmp(run->words[h], s) == 0)
            return run->words[h];
        h = (h + 1) & (run->words_cap - 1);
    }
    run->words[h] = strdup(s);
    if (run->words[h] != NULL)
        run->n_words++;
    return run->words[h];
}

/* The probe's state of a check: its argument and the data it left. */
static void lc_check_release(struct lc_check *c)
{
    if (c->arg_free != NULL && c->arg != NULL)
        c->arg_free(c->arg);
    c->arg = NULL;
    if (c->data_free != NULL && c->data != NULL)
        c->data_free(c->data);
    c->data = NULL;
}

static void lc_check_free(struct lc_check *c)
{
    if (c == NULL)
        return;
    lc_check_release(c);
    free(c->id);
    free(c->target);
    free(c->message);
    json_decref(c->evidence);
    lc_strv_clear(&c->roles);
    free(c->deps);
    free(c->dependents);
    free(c);
}

static void lc_check_sync_result(struct lc_check *c)
{
    c->res.id = c->id;
    c->res.probe = c->probe;
    c->res.what = c->what;
    c->res.target = c->target;
    c->res.reference = c->reference;
    c->res.message = c->message != NULL ? c->message : "";
    c->res.evidence = c->evidence;
}

struct lc_check *lc_run_add(struct lc_run *run, const char *probe, const char *what,
                            const char *target, const char *reference, lc_check_start_fn start,
                            void *arg, void (*arg_free)(void *))
{
    struct lc_check *c = NULL, *existing;
    size_t idlen = strlen(probe) + strlen(what) + strlen(target) + 3;
    size_t h;

    c = calloc(1, sizeof(*c));
    if (c == NULL)
        goto fail;
    c->run = run;
    c->arg = arg;
    c->arg_free = arg_free;
    c->start = start;
    c->wanted = 1;
    c->id = malloc(idlen);
    c->probe = lc_run_word(run, probe);
    c->what = lc_run_word(run, what);
    c->target = strdup(target);
    c->reference = lc_run_word(run, reference);
    c->evidence = json_object();
    if (c->id == NULL || c->probe == NULL || c->what == NULL || c->target == NULL ||
        c->reference == NULL || c->evidence == NULL)
        goto fail;
    if (snprintf(c->id, idlen, "%s.%s:%s", probe, what, target) >= (int)idlen)
        goto fail;
    existing = lc_run_find(run, c->id);
    if (existing != NULL) {
        /* Two roles on one name (a single-FQDN Edge, one name given for two
         * roles) plan the same check: it runs once, and every role that
         * needs it depends on it. The caller's arg is not needed. */
        c->arg_free = NULL;
        lc_check_free(c);
        if (arg_free != NULL && arg != NULL)
            arg_free(arg);
        return existing;
    }
    if (run->n_checks == run->cap_checks) {
        size_t cap = run->cap_checks ? run->cap_checks * 2 : 64;
        struct lc_check **v = realloc(run->checks, cap * sizeof(*v));
        if (v == NULL)
            goto fail;
        run->checks = v;
        run->cap_checks = cap;
    }
    /* Keep the table at most half full. */
    if ((run->n_checks + 1) * 2 > run->table_cap && lc_table_grow(run) < 0)
        goto fail;
    c->index = run->n_checks;
    run->checks[run->n_checks++] = c;
    h = lc_hash(c->id) & (run->table_cap - 1);
    while (run->table[h] != NULL)
        h = (h + 1) & (run->table_cap - 1);
    run->table[h] = c;
    lc_check_sync_result(c);
    return c;

fail:
    if (c != NULL) {
        c->arg_free = NULL; /* the caller keeps arg when we fail */
        lc_check_free(c);
    }
    return NULL;
}

int lc_check_add_role(struct lc_check *check, const char *role)
{
    json_t *arr;
    size_t i;

    if (role == NULL || lc_strv_contains(&check->roles, role))
        return 0;
    if (lc_strv_push(&check->roles, role) < 0)
        return -1;
    if (check->roles.n < 2)
        return 0;
    /* Shared: say so in the evidence, every reporter shows it. */
    arr = json_array();
    for (i = 0; arr != NULL && i < check->roles.n; i++)
        json_array_append_new(arr, json_string(check->roles.v[i]));
    if (arr == NULL || json_object_set_new(check->evidence, "shared_by_roles", arr) < 0)
        return -1;
    return 0;
}

size_t lc_check_n_roles(const struct lc_check *check)
{
    return check->roles.n;
}

void lc_check_set_cancel(struct lc_check *check, lc_check_cancel_fn cancel)
{
    check->cancel = cancel;
}

static int lc_ptrv_push(struct lc_check ***v, size_t *n, struct lc_check *c)
{
    struct lc_check **nv = realloc(*v, (*n + 1) * sizeof(**v));
    if (nv == NULL)
        return -1;
    nv[(*n)++] = c;
    *v = nv;
    return 0;
}

int lc_check_depend(struct lc_check *check, struct lc_check *dep)
{
    size_t i;

    /* A dependency must have been planned before its dependent: this keeps
     * the graph acyclic by construction and lets selection work in one pass. */
    if (dep == NULL || dep->run != check->run || dep->index >= check->index)
        return -1;
    for (i = 0; i < check->n_deps; i++)
        if (check->deps[i] == dep)
            return 0;
    if (lc_ptrv_push(&check->deps, &check->n_deps, dep) < 0)
        return -1;
    if (lc_ptrv_push(&dep->dependents, &dep->n_dependents, check) < 0) {
        check->n_deps--;
        return -1;
    }
    return 0;
}

static void lc_check_vset_message(struct lc_check *c, const char *fmt, va_list ap)
{
    char buf[1024];
    char *m;
    size_t used, i;

    /* Truncation is fine: a message is one line, evidence carries detail. */
    (void)vsnprintf(buf, sizeof(buf), fmt, ap);
    /* One check serving several roles says which, in every format. */
    if (c->roles.n > 1 && (used = strlen(buf)) < sizeof(buf) - 1) {
        int w = snprintf(buf + used, sizeof(buf) - used, " [shared by roles ");
        for (i = 0; w > 0 && (size_t)w < sizeof(buf) - used && i < c->roles.n; i++) {
            used += (size_t)w;
            w = snprintf(buf + used, sizeof(buf) - used, "%s%s", c->roles.v[i],
                         i + 1 < c->roles.n ? ", " : "]");
        }
    }
    m = strdup(buf);
    if (m == NULL)
        return; /* keep the previous message; the status still tells */
    free(c->message);
    c->message = m;
    lc_check_sync_result(c);
}

void lc_check_skip(struct lc_check *check, const char *fmt, ...)
{
    va_list ap;

    if (check->state != LC_CHECK_PENDING)
        return;
    va_start(ap, fmt);
    lc_check_vset_message(check, fmt, ap);
    va_end(ap);
    check->res.status = LC_SKIP;
    check->state = LC_CHECK_DONE;
}

struct lc_loop *lc_check_loop(const struct lc_check *check)
{
    return check->run->loop;
}
struct lc_dns *lc_check_dns(const struct lc_check *check)
{
    return check->run->dns;
}
struct lc_http *lc_check_http(const struct lc_check *check)
{
    return check->run->http;
}
const struct lc_site *lc_check_site(const struct lc_check *check)
{
    return check->run->site;
}
const struct lc_run_config *lc_check_config(const struct lc_check *check)
{
    return &check->run->cfg;
}
json_t *lc_check_evidence(struct lc_check *check)
{
    return check->evidence;
}
json_t *lc_check_evidence_addr(struct lc_check *check, const char *addr)
{
    json_t *addrs = json_object_get(check->evidence, "addresses");
    json_t *o;

    if (addrs == NULL) {
        addrs = json_object();
        if (json_object_set_new(check->evidence, "addresses", addrs) < 0)
            return NULL;
    }
    o = json_object_get(addrs, addr);
    if (o == NULL) {
        o = json_object();
        if (json_object_set_new(addrs, addr, o) < 0)
            return NULL;
    }
    return o;
}

int lc_check_is_done(const struct lc_check *check)
{
    return check->state == LC_CHECK_DONE;
}
void *lc_check_data(const struct lc_check *check)
{
    return check->data;
}
void *lc_check_start_arg(const struct lc_check *check)
{
    return check->arg;
}
size_t lc_check_n_deps(const struct lc_check *check)
{
    return check->n_deps;
}
struct lc_check *lc_check_dep(const struct lc_check *check, size_t i)
{
    return i < check->n_deps ? check->deps[i] : NULL;
}
const struct lc_result *lc_check_result(const struct lc_check *check)
{
    return &check->res;
}

void lc_check_set_data(struct lc_check *check, void *data, void (*data_free)(void *))
{
    if (check->data_free != NULL && check->data != NULL)
        check->data_free(check->data);
    check->data = data;
    check->data_free = data_free;
}

static void lc_ready_push(struct lc_run *run, struct lc_check *c)
{
    /* The queue holds each check at most once over the run, so a buffer of
     * n_checks never overflows. */
    run->ready[run->ready_tail++] = c;
}

/* Bookkeeping common to every way a check ends. */
static void lc_check_ended(struct lc_check *c, int was_running)
{
    struct lc_run *run = c->run;
    size_t i;

    if (was_running) {
        run->running--;
        c->res.duration_us = lc_now_us() - c->started_us;
    }
    run->done++;
    for (i = 0; i < c->n_dependents; i++) {
        struct lc_check *d = c->dependents[i];
        if (d->deps_left > 0 && --d->deps_left == 0 && d->state == LC_CHECK_PENDING)
            lc_ready_push(run, d);
    }
    if (run->progress != NULL)
        run->progress(run->done, run->n_checks, &c->res, run->progress_arg);
    if (run->done == run->n_checks)
        lc_loop_stop(run->loop);
    else
        lc_run_pump(run);
}

void lc_check_finish(struct lc_check *check, enum lc_status status, const char *fmt, ...)
{
    va_list ap;
    int was_running;

    if (check->state == LC_CHECK_DONE)
        return;
    va_start(ap, fmt);
    lc_check_vset_message(check, fmt, ap);
    va_end(ap);
    check->res.status = status;
    was_running = check->state == LC_CHECK_RUNNING;
    check->state = LC_CHECK_DONE;
    if (check->timer != NULL) {
        lc_loop_timer_cancel(check->run->loop, check->timer);
        check->timer = NULL;
    }
    if (check->run->executing)
        lc_check_ended(check, was_running);
}

static void lc_check_on_timeout(struct lc_loop *loop, void *arg)
{
    struct lc_check *c = arg;
    const struct lc_run_config *cfg = &c->run->cfg;

    (void)loop;
    c->timer = NULL;
    json_object_set_new(c->evidence, "timeout_ms",
                        json_integer((json_int_t)(cfg->timeout_us / 1000)));
    lc_check_finish(c, LC_ERROR, "timed out after %llu.%01llu s with no verdict",
                    (unsigned long long)(cfg->timeout_us / 1000000),
                    (unsigned long long)(cfg->timeout_us % 1000000 / 100000));
    if (c->cancel != NULL)
        c->cancel(c, c->arg);
}

static void lc_check_begin(struct lc_check *c)
{
    struct lc_run *run = c->run;

    c->state = LC_CHECK_RUNNING;
    c->started_us = lc_now_us();
    run->running++;
    c->timer = lc_loop_timer_add(run->loop, run->cfg.timeout_us, lc_check_on_timeout, c);
    if (c->timer == NULL) {
        lc_check_finish(c, LC_ERROR, "out of memory");
        return;
    }
    if (c->start == NULL) {
        lc_check_finish(c, LC_ERROR, "internal: check has no start function");
        return;
    }
    c->start(c, c->arg);
}

static void lc_run_pump(struct lc_run *run)
{
    if (run->pumping || run->deadline_hit)
        return;
    run->pumping = 1;
    while (run->running < run->cfg.parallel && run->ready_head < run->ready_tail &&
           !run->deadline_hit) {
        struct lc_check *c = run->ready[run->ready_head++];
        if (c->state == LC_CHECK_PENDING)
            lc_check_begin(c);
    }
    run->pumping = 0;
}

static void lc_run_on_deadline(struct lc_loop *loop, void *arg)
{
    struct lc_run *run = arg;
    size_t i;

    run->deadline_timer = NULL;
    run->deadline_hit = 1;
    for (i = 0; i < run->n_checks; i++) {
        struct lc_check *c = run->checks[i];
        unsigned long long s = (unsigned long long)(run->cfg.deadline_us / 1000000);

        if (c->state == LC_CHECK_RUNNING) {
            lc_check_finish(c, LC_ERROR, "run deadline (%llu s) reached before the check ended", s);
            if (c->cancel != NULL)
                c->cancel(c, c->arg);
        } else if (c->state == LC_CHECK_PENDING) {
            lc_check_finish(c, LC_ERROR, "not started: run deadline (%llu s) reached", s);
        }
    }
    lc_loop_stop(loop);
}

int lc_run_new(struct lc_run **out, const struct lc_run_config *config, const struct lc_site *site,
               char *err, size_t errlen)
{
    struct lc_run *run = calloc(1, sizeof(*run));
    int rc = -1;

    *out = NULL;
    /* What a failure says, unless its step says more. */
    snprintf(err, errlen, "out of memory");
    if (run == NULL)
        goto done;
    run->cfg = *config;
    if (run->cfg.parallel == 0)
        run->cfg.parallel = 1;
    if (config->dns_servers != NULL && (run->dns_servers = strdup(config->dns_servers)) == NULL)
        goto done;
    if (config->ca_file != NULL && (run->ca_file = strdup(config->ca_file)) == NULL)
        goto done;
    run->cfg.dns_servers = run->dns_servers;
    run->cfg.ca_file = run->ca_file;
    run->site = site;
    if (lc_loop_new(&run->loop) < 0)
        goto done;
    if (lc_dns_new(&run->dns, run->loop, run->cfg.dns_servers, run->cfg.timeout_us, err, errlen) <
        0)
        goto done;
    /* --resolve: every lookup of a pinned name (dns.a, the probes, the web
     * walk's redirects) answers the pinned addresses. */
    if (lc_site_pin_dns(site, run->dns) < 0)
        goto done;
    if (lc_http_new(&run->http, run->loop) < 0) {
        snprintf(err, errlen, "cannot set up libcurl's multi interface");
        goto done;
    }
    *out = run;
    run = NULL;
    rc = 0;
done:
    lc_run_free(run);
    return rc;
}

/* Resolver and transfers first: their last callbacks still see every
 * check (and its argument) alive, and find it done. Then no callback can
 * come any more. */
static void lc_run_stop_io(struct lc_run *run)
{
    size_t i;

    lc_dns_free(run->dns);
    run->dns = NULL;
    lc_http_free(run->http);
    run->http = NULL;
    if (run->deadline_timer != NULL)
        lc_loop_timer_cancel(run->loop, run->deadline_timer);
    run->deadline_timer = NULL;
    for (i = 0; i < run->n_checks; i++) {
        if (run->checks[i]->timer != NULL)
            lc_loop_timer_cancel(run->loop, run->checks[i]->timer);
        run->checks[i]->timer = NULL;
    }
}

void lc_run_release(struct lc_run *run)
{
    size_t i;

    if (run == NULL || run->executing)
        return;
    lc_run_stop_io(run);
    for (i = 0; i < run->n_checks; i++)
        lc_check_release(run->checks[i]);
}

void lc_run_free(struct lc_run *run)
{
    size_t i;

    if (run == NULL)
        return;
    lc_run_stop_io(run);
    for (i = 0; i < run->n_checks; i++)
        lc_check_free(run->checks[i]);
    lc_loop_free(run->loop);
    free(run->checks);
    free(run->table);
    for (i = 0; i < run->words_cap; i++)
        free(run->words[i]);
    free(run->words);
    free(run->ready);
    free(run->dns_servers);
    free(run->ca_file);
    lc_strv_clear(&run->unmatched[0]);
    lc_strv_clear(&run->unmatched[1]);
    free(run);
}

/* Whether any planned check's id matches the glob. */
static int lc_run_glob_matches(const struct lc_run *run, const char *glob)
{
    for (size_t i = 0; i < run->n_checks; i++) {
        if (fnmatch(glob, run->checks[i]->id, 0) == 0)
            return 1;
    }
    return 0;
}

int lc_run_select(struct lc_run *run, const char *const *only, size_t n_only,
                  const char *const *skip, size_t n_skip)
{
    size_t i, j;
    int rc = -1;

    lc_strv_clear(&run->unmatched[0]);
    lc_strv_clear(&run->unmatched[1]);
    /* A glob that matches no check at all is a typo or a stale name: the
     * reporters name it, and a run left with nothing to check ends UNKNOWN
     * (lc_exit_status) instead of green. */
    for (j = 0; j < n_only; j++) {
        if (!lc_run_glob_matches(run, only[j]) && lc_strv_push(&run->unmatched[0], only[j]) < 0)
            goto done;
    }
    for (j = 0; j < n_skip; j++) {
        if (!lc_run_glob_matches(run, skip[j]) && lc_strv_push(&run->unmatched[1], skip[j]) < 0)
            goto done;
    }
    rc = 0;
    if (n_only == 0 && n_skip == 0)
        goto done;
    for (i = 0; i < run->n_checks; i++) {
        struct lc_check *c = run->checks[i];
        int wanted = n_only == 0;

        for (j = 0; j < n_only && !wanted; j++)
            wanted = fnmatch(only[j], c->id, 0) == 0;
        for (j = 0; j < n_skip && wanted; j++)
            wanted = fnmatch(skip[j], c->id, 0) != 0;
        c->wanted = wanted;
    }
    /* Dependencies always come earlier (lc_check_depend), so one backward
     * pass pulls in everything a selected check needs. */
    for (i = run->n_checks; i-- > 0;) {
        struct lc_check *c = run->checks[i];
        if (!c->wanted)
            continue;
        for (j = 0; j < c->n_deps; j++)
            c->deps[j]->wanted = 1;
    }
    for (i = 0; i < run->n_checks; i++) {
        struct lc_check *c = run->checks[i];
        if (!c->wanted) {
            lc_check_skip(c, "excluded by %s", n_only > 0 ? "--only/--skip" : "--skip");
            c->res.excluded = 1;
        }
    }
done:
    return rc;
}

size_t lc_run_unmatched(const struct lc_run *run, int skip, const char *const **globs)
{
    const struct lc_strv *sv = &run->unmatched[skip ? 1 : 0];

    *globs = (const char *const *)sv->v;
    return sv->n;
}

void lc_run_on_progress(struct lc_run *run,
                        void (*cb)(size_t, size_t, const struct lc_result *, void *), void *arg)
{
    run->progress = cb;
    run->progress_arg = arg;
}

int lc_run_execute(struct lc_run *run, char *err, size_t errlen)
{
    size_t i, j;
    int rc;

    run->ready = calloc(run->n_checks + 1, sizeof(*run->ready));
    if (run->ready == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    run->started_us = lc_now_us();
    run->executing = 1;
    for (i = 0; i < run->n_checks; i++) {
        struct lc_check *c = run->checks[i];
        c->deps_left = 0;
        for (j = 0; j < c->n_deps; j++)
            if (c->deps[j]->state != LC_CHECK_DONE)
                c->deps_left++;
        if (c->state == LC_CHECK_DONE)
            run->done++;
        else if (c->deps_left == 0)
            lc_ready_push(run, c);
    }
    if (run->done < run->n_checks) {
        if (run->cfg.deadline_us > 0) {
            run->deadline_timer =
                lc_loop_timer_add(run->loop, run->cfg.deadline_us, lc_run_on_deadline, run);
            if (run->deadline_timer == NULL) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
        }
        lc_run_pump(run);
        if (run->done < run->n_checks) {
            rc = lc_loop_run(run->loop);
            if (rc < 0) {
                snprintf(err, errlen, "event loop failed: %s", strerror(-rc));
                return -1;
            }
        }
    }
    /* The loop may also stop because nothing is left to wait for while a
     * check never finished (a probe bug): never report such a check as
     * anything but an error. */
    for (i = 0; i < run->n_checks; i++)
        if (run->checks[i]->state != LC_CHECK_DONE)
            lc_check_finish(run->checks[i], LC_ERROR,
                            "internal: the check ended with nothing left to wait for");
    if (run->deadline_timer != NULL) {
        lc_loop_timer_cancel(run->loop, run->deadline_timer);
        run->deadline_timer = NULL;
    }
    run->executing = 0;
    run->ended_us = lc_now_us();
    return 0;
}

size_t lc_run_count(const struct lc_run *run)
{
    return run->n_checks;
}
const struct lc_result *lc_run_result(const struct lc_run *run, size_t i)
{
    return &run->checks[i]->res;
}
struct lc_loop *lc_run_loop(struct lc_run *run)
{
    return run->loop;
}
const struct lc_run_config *lc_run_get_config(const struct lc_run *run)
{
    return &run->cfg;
}

void lc_check_finish_no_input(struct lc_check *check, const struct lc_check *dep, const char *what)
{
    const struct lc_result *r = lc_check_result(dep);

    /* Name the root cause once, not a chain of "could not run". */
    if (r->status == LC_ERROR && strncmp(r->message, "could not run: ", 15) == 0)
        lc_check_finish(check, LC_ERROR, "could not run: %s (see %s)", what, r->id);
    else if (r->status == LC_ERROR)
        lc_check_finish(check, LC_ERROR, "could not run: %s (see %s: %s)", what, r->id, r->message);
    else
        lc_check_finish(check, LC_SKIP, "%s (see %s)", what, r->id);
}
struct lc_dns *lc_run_dns(struct lc_run *run)
{
    return run->dns;
}
uint64_t lc_run_duration_us(const struct lc_run *run)
{
    return run->ended_us >= run->started_us ? run->ended_us - run->started_us : 0;
}
