/* SPDX-License-Identifier: MIT */
/* Unit tests of the scheduler: concurrency cap, dependencies, per-check
 * timeout, run deadline, selection. The checks here are small real units
 * of work on the real loop (timers), not mocks of any network peer. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "run.h"
#include "site.h"
#include "suites.h"

static struct lc_site lc_empty_site;

static struct lc_run *lc_test_run(unsigned parallel, uint64_t timeout_us, uint64_t deadline_us)
{
    struct lc_run_config cfg;
    struct lc_run *run = NULL;
    char err[256];

    memset(&cfg, 0, sizeof(cfg));
    cfg.parallel = parallel;
    cfg.timeout_us = timeout_us;
    cfg.deadline_us = deadline_us;
    /* A server is named so c-ares never reads the host's configuration;
     * nothing here sends a query. */
    cfg.dns_servers = "127.0.0.1:9";
    ck_assert_msg(lc_run_new(&run, &cfg, &lc_empty_site, err, sizeof(err)) == 0, "%s", err);
    return run;
}

static const struct lc_result *lc_find_result(struct lc_run *run, const char *id)
{
    struct lc_check *c = lc_run_find(run, id);
    ck_assert_msg(c != NULL, "no check %s", id);
    return lc_check_result(c);
}

/* A check that passes at once. */
static void lc_start_pass(struct lc_check *check, void *arg)
{
    (void)arg;
    json_object_set_new(lc_check_evidence(check), "seen", json_true());
    lc_check_finish(check, LC_PASS, "fine");
}

/* A check that starts and never ends by itself. */
static int lc_cancelled;
static void lc_start_hang(struct lc_check *check, void *arg)
{
    (void)arg;
    json_object_set_new(lc_check_evidence(check), "partial", json_string("half-seen"));
}
static void lc_cancel_hang(struct lc_check *check, void *arg)
{
    (void)check;
    (void)arg;
    lc_cancelled++;
}

START_TEST(test_sync_pass_and_timeout)
{
    struct lc_run *run = lc_test_run(4, 200000, 0);
    struct lc_check *hang;
    const struct lc_result *r;
    char err[256];
    uint64_t t0;

    lc_cancelled = 0;
    ck_assert_ptr_nonnull(lc_run_add(run, "t", "pass", "a", "ref", lc_start_pass, NULL, NULL));
    hang = lc_run_add(run, "t", "hang", "b", "ref", lc_start_hang, NULL, NULL);
    ck_assert_ptr_nonnull(hang);
    lc_check_set_cancel(hang, lc_cancel_hang);
    t0 = lc_now_us();
    ck_assert_int_eq(lc_run_execute(run, err, sizeof(err)), 0);
    /* Ended by the 0.2 s timeout, not by anything slower. */
    ck_assert_uint_lt(lc_now_us() - t0, 1000000);
    ck_assert_uint_ge(lc_now_us() - t0, 190000);
    r = lc_find_result(run, "t.pass:a");
    ck_assert_int_eq(r->status, LC_PASS);
    ck_assert_str_eq(r->message, "fine");
    r = lc_find_result(run, "t.hang:b");
    ck_assert_int_eq(r->status, LC_ERROR);
    ck_assert_ptr_nonnull(strstr(r->message, "timed out"));
    /* What it saw before the timeout is kept. */
    ck_assert_str_eq(json_string_value(json_object_get(r->evidence, "partial")), "half-seen");
    ck_assert_int_eq(lc_cancelled, 1);
    lc_run_free(run);
}
END_TEST

START_TEST(test_deadline_ends_running_and_pending)
{
    struct lc_run *run = lc_test_run(1, 10000000, 300000);
    char err[256];
    uint64_t t0;
    int i;

    lc_cancelled = 0;
    for (i = 0; i < 3; i++) {
        char target[8];
        struct lc_check *c;
        snprintf(target, sizeof(target), "%d", i);
        c = lc_run_add(run, "t", "hang", target, "", lc_start_hang, NULL, NULL);
        ck_assert_ptr_nonnull(c);
        lc_check_set_cancel(c, lc_cancel_hang);
    }
    t0 = lc_now_us();
    ck_assert_int_eq(lc_run_execute(run, err, sizeof(err)), 0);
    ck_assert_uint_lt(lc_now_us() - t0, 2000000);
    ck_assert_int_eq(lc_find_result(run, "t.hang:0")->status, LC_ERROR);
    ck_assert_ptr_nonnull(strstr(lc_find_result(run, "t.hang:0")->message, "deadline"));
    ck_assert_ptr_nonnull(strstr(lc_find_result(run, "t.hang:1")->message, "not started"));
    ck_assert_int_eq(lc_find_result(run, "t.hang:2")->status, LC_ERROR);
    ck_assert_int_eq(lc_cancelled, 1); /* only the running one had anything to cancel */
    lc_run_free(run);
}
END_TEST

/* Checks that end after a short timer, counting how many run at once. */
static unsigned lc_now_running, lc_max_running;

static void lc_delayed_finish(struct lc_loop *loop, void *arg)
{
    (void)loop;
    lc_now_running--;
    lc_check_finish(arg, LC_PASS, "done later");
}

static void lc_start_delayed(struct lc_check *check, void *arg)
{
    (void)arg;
    lc_now_running++;
    if (lc_now_running > lc_max_running)
        lc_max_running = lc_now_running;
    ck_assert_ptr_nonnull(lc_loop_timer_add(lc_check_loop(check), 20000, lc_delayed_finish, check));
}

START_TEST(test_parallel_cap)
{
    struct lc_run *run = lc_test_run(3, 5000000, 0);
    char err[256];
    uint64_t t0;
    int i;

    lc_now_running = lc_max_running = 0;
    for (i = 0; i < 12; i++) {
        char target[8];
        snprintf(target, sizeof(target), "%d", i);
        ck_assert_ptr_nonnull(lc_run_add(run, "t", "d", target, "", lc_start_delayed, NULL, NULL));
    }
    t0 = lc_now_us();
    ck_assert_int_eq(lc_run_execute(run, err, sizeof(err)), 0);
    ck_assert_uint_eq(lc_max_running, 3);
    /* 12 checks, 3 at a time, 20 ms each: about 80 ms, far from 240. */
    ck_assert_uint_lt(lc_now_us() - t0, 200000);
    for (i = 0; i < 12; i++)
        ck_assert_int_eq(lc_run_result(run, (size_t)i)->status, LC_PASS);
    lc_run_free(run);
}
END_TEST

static void lc_start_reads_dep(struct lc_check *check, void *arg)
{
    struct lc_check *dep = lc_check_dep(check, 0);
    (void)arg;
    ck_assert(lc_check_is_done(dep));
    lc_check_finish(check, LC_PASS, "dep said %s", (const char *)lc_check_data(dep));
}

static void lc_start_sets_data(struct lc_check *check, void *arg)
{
    (void)arg;
    lc_check_set_data(check, strdup("42"), free);
    lc_check_finish(check, LC_PASS, "ok");
}

START_TEST(test_dependencies_and_order)
{
    struct lc_run *run = lc_test_run(8, 5000000, 0);
    struct lc_check *a, *b, *c;
    char err[256];

    a = lc_run_add(run, "t", "a", "x", "", lc_start_sets_data, NULL, NULL);
    b = lc_run_add(run, "t", "b", "x", "", lc_start_reads_dep, NULL, NULL);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(lc_check_depend(b, a), 0);
    /* A dependency on a later check would allow cycles: refused. */
    ck_assert_int_ne(lc_check_depend(a, b), 0);
    /* A duplicate id is one check shared by two roles: the existing check
     * comes back (and the second caller's argument is freed), never a
     * second check and never NULL (which means out of memory). */
    {
        char *dup_arg = strdup("freed by lc_run_add");
        ck_assert_ptr_nonnull(dup_arg);
        ck_assert_int_eq(lc_check_add_role(a, "access-edge"), 0);
        ck_assert_ptr_eq(lc_run_add(run, "t", "a", "x", "", lc_start_pass, dup_arg, free), a);
        ck_assert_int_eq(lc_check_add_role(a, "webconf-edge"), 0);
        ck_assert_int_eq(lc_check_add_role(a, "access-edge"), 0);
        ck_assert_uint_eq(lc_check_n_roles(a), 2);
        ck_assert_uint_eq(lc_run_count(run), 2);
    }
    c = lc_run_add(run, "t", "c", "x", "", lc_start_pass, NULL, NULL);
    ck_assert_ptr_nonnull(c);
    lc_check_skip(c, "not applicable: %s", "because");
    ck_assert_int_eq(lc_run_execute(run, err, sizeof(err)), 0);
    ck_assert_str_eq(lc_find_result(run, "t.b:x")->message, "dep said 42");
    /* The shared check says which roles share it, in its message and evidence. */
    ck_assert_ptr_nonnull(strstr(lc_find_result(run, "t.a:x")->message,
                                 "[shared by roles access-edge, webconf-edge]"));
    ck_assert_int_eq(
        json_array_size(json_object_get(lc_find_result(run, "t.a:x")->evidence, "shared_by_roles")),
        2);
    ck_assert_int_eq(lc_find_result(run, "t.c:x")->status, LC_SKIP);
    ck_assert_str_eq(lc_find_result(run, "t.c:x")->message, "not applicable: because");
    lc_run_free(run);
}
END_TEST

START_TEST(test_select_pulls_dependencies)
{
    struct lc_run *run = lc_test_run(8, 5000000, 0);
    struct lc_check *a, *b;
    const char *only[] = {"t.b:*"};
    const char *skip[] = {"t.c:*"};
    char err[256];

    a = lc_run_add(run, "t", "a", "x", "", lc_start_sets_data, NULL, NULL);
    b = lc_run_add(run, "t", "b", "x", "", lc_start_reads_dep, NULL, NULL);
    ck_assert_ptr_nonnull(lc_run_add(run, "t", "c", "x", "", lc_start_pass, NULL, NULL));
    ck_assert_ptr_nonnull(lc_run_add(run, "t", "d", "x", "", lc_start_pass, NULL, NULL));
    ck_assert_int_eq(lc_check_depend(b, a), 0);
    lc_run_select(run, only, 1, skip, 1);
    ck_assert_int_eq(lc_run_execute(run, err, sizeof(err)), 0);
    ck_assert_int_eq(lc_find_result(run, "t.a:x")->status, LC_PASS); /* needed by b */
    ck_assert_int_eq(lc_find_result(run, "t.b:x")->status, LC_PASS);
    ck_assert_int_eq(lc_find_result(run, "t.c:x")->status, LC_SKIP);
    ck_assert_int_eq(lc_find_result(run, "t.d:x")->status, LC_SKIP);
    ck_assert_ptr_nonnull(strstr(lc_find_result(run, "t.d:x")->message, "excluded"));
    lc_run_free(run);
}
END_TEST

START_TEST(test_finish_is_final)
{
    struct lc_run *run = lc_test_run(1, 5000000, 0);
    struct lc_check *c = lc_run_add(run, "t", "p", "x", "", lc_start_pass, NULL, NULL);
    char err[256];

    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(lc_run_execute(run, err, sizeof(err)), 0);
    lc_check_finish(c, LC_FAIL, "too late");
    ck_assert_int_eq(lc_check_result(c)->status, LC_PASS);
    ck_assert_str_eq(lc_check_result(c)->message, "fine");
    lc_run_free(run);
}
END_TEST

Suite *lc_suite_run(void)
{
    Suite *s = suite_create("run");
    TCase *tc = tcase_create("scheduler");

    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_sync_pass_and_timeout);
    tcase_add_test(tc, test_deadline_ends_running_and_pending);
    tcase_add_test(tc, test_parallel_cap);
    tcase_add_test(tc, test_dependencies_and_order);
    tcase_add_test(tc, test_select_pulls_dependencies);
    tcase_add_test(tc, test_finish_is_final);
    suite_add_tcase(s, tc);
    return s;
}
