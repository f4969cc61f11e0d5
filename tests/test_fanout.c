/* SPDX-License-Identifier: MIT */
/* Unit tests of the per-address fan-out (src/fanout.c): the worst-of
 * verdict and its wording from a case table, and one check on a real run
 * whose addresses end at once, later from the shared timer, or never
 * (cancelled by the check's timeout). */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns.h"
#include "fanout.h"
#include "run.h"
#include "site.h"
#include "suites.h"

#define END ((enum lc_status)99)

static const struct lc_t_fan_case {
    unsigned port;
    enum lc_status st[4]; /* one per address, END-terminated */
    enum lc_status want;
    const char *msg; /* the whole message */
} lc_t_fan_cases[] = {
    /* One address: its own words. */
    {443, {LC_PASS, END}, LC_PASS, "m0"},
    {443, {LC_FAIL, END}, LC_FAIL, "m0"},
    /* Every address passes: the first one's words, with the count. */
    {443, {LC_PASS, LC_PASS, LC_PASS, END}, LC_PASS, "m0 (all 3 addresses)"},
    /* The worst decides, named with its address and port. */
    {5061, {LC_PASS, LC_WARN, END}, LC_WARN, "on 192.0.2.1:5061: m1"},
    {5061, {LC_WARN, LC_FAIL, LC_WARN, END}, LC_FAIL, "on 192.0.2.1:5061: m1"},
    /* Others as bad: said, the first of them named. */
    {5269, {LC_FAIL, LC_PASS, LC_FAIL, END}, LC_FAIL, "on 192.0.2.0:5269 and others: m0"},
    /* A pass never hides an error; a failure outranks one (lc_status_rank). */
    {443, {LC_PASS, LC_ERROR, END}, LC_ERROR, "on 192.0.2.1:443: m1"},
    {443, {LC_ERROR, LC_FAIL, END}, LC_FAIL, "on 192.0.2.1:443: m1"},
    /* No port: the address alone. */
    {0, {LC_PASS, LC_FAIL, END}, LC_FAIL, "on 192.0.2.1: m1"},
    /* Nothing probed is never a pass. */
    {443, {END}, LC_ERROR, "no address to probe"},
};

START_TEST(test_fanout_judge)
{
    const struct lc_t_fan_case *t = &lc_t_fan_cases[_i];
    struct lc_fanout_slot slots[4];
    struct lc_fanout f;
    char msg[800];
    size_t n = 0;

    memset(&f, 0, sizeof(f));
    memset(slots, 0, sizeof(slots));
    while (n < 4 && t->st[n] != END) {
        snprintf(slots[n].addr, sizeof(slots[n].addr), "192.0.2.%zu", n);
        snprintf(slots[n].message, sizeof(slots[n].message), "m%zu", n);
        slots[n].status = t->st[n];
        slots[n].done = 1;
        n++;
    }
    f.slots = slots;
    f.size = sizeof(slots[0]);
    f.n = n;
    f.port = t->port;
    ck_assert_int_eq(lc_fanout_judge(&f, msg, sizeof(msg)), t->want);
    ck_assert_str_eq(msg, t->msg);
}
END_TEST

/* ---- on a run: three addresses, one per way of ending ---- */

struct lc_t_conn {
    struct lc_fanout_slot slot; /* first */
    int released;
};

struct lc_t_arg {
    struct lc_fanout fan;
    int expire_at; /* the slot the timer ends; -1 none (the check times out) */
    int released, expired;
};

static struct lc_dns_addr lc_t_addrs[3] = {
    {AF_INET, "192.0.2.10", 60}, {AF_INET6, "2001:db8::1", 60}, {AF_INET, "192.0.2.12", 60}};
static const struct lc_dns_name lc_t_name = {lc_t_addrs, 3, NULL};

static void lc_t_release(struct lc_fanout_slot *s)
{
    struct lc_t_conn *c = (struct lc_t_conn *)(void *)s;
    struct lc_t_arg *a =
        (struct lc_t_arg *)(void *)((char *)s->fan - offsetof(struct lc_t_arg, fan));

    if (!c->released)
        a->released++;
    c->released = 1;
}

static void lc_t_expire(struct lc_fanout_slot *s, unsigned long long ms)
{
    struct lc_t_arg *a =
        (struct lc_t_arg *)(void *)((char *)s->fan - offsetof(struct lc_t_arg, fan));

    a->expired++;
    if (a->expire_at >= 0 && s == lc_fanout_at(s->fan, (size_t)a->expire_at))
        lc_fanout_end(s, LC_FAIL, "silent for %llu ms", ms);
}

static const struct lc_fanout_ops lc_t_ops = {lc_t_release, NULL, lc_t_expire, NULL};

static void lc_t_start(struct lc_check *check, void *arg)
{
    struct lc_t_arg *a = arg;

    ck_assert_int_eq(
        lc_fanout_init_name(&a->fan, check, &lc_t_ops, &lc_t_name, sizeof(struct lc_t_conn)), 0);
    a->fan.port = 5061;
    ck_assert_int_eq(lc_fanout_arm(&a->fan, 20000), 0);
    lc_fanout_at(&a->fan, 0)->started_us = 1; /* elapsed_ms recorded */
    lc_fanout_end(lc_fanout_at(&a->fan, 0), LC_PASS, "answered");
    lc_fanout_end(lc_fanout_at(&a->fan, 0), LC_FAIL, "ignored: the verdict is final");
    lc_fanout_end(lc_fanout_at(&a->fan, 2), LC_WARN, "odd");
}

static void lc_t_cancel(struct lc_check *check, void *arg)
{
    struct lc_t_arg *a = arg;

    (void)check;
    lc_fanout_release(&a->fan);
}

static void lc_t_free(void *p)
{
    struct lc_t_arg *a = p;

    lc_fanout_clear(&a->fan);
}

START_TEST(test_fanout_run)
{
    struct lc_run_config cfg;
    static struct lc_site site;
    struct lc_run *run = NULL;
    struct lc_t_arg arg;
    struct lc_check *c;
    const struct lc_result *r;
    const json_t *addrs;
    char err[256];

    memset(&cfg, 0, sizeof(cfg));
    memset(&arg, 0, sizeof(arg));
    cfg.parallel = 1;
    cfg.timeout_us = _i == 0 ? 2000000 : 200000;
    cfg.dns_servers = "127.0.0.1:9"; /* never asked */
    arg.expire_at = _i == 0 ? 1 : -1;
    ck_assert_msg(lc_run_new(&run, &cfg, &site, err, sizeof(err)) == 0, "%s", err);
    c = lc_run_add(run, "t", "fan", "x", "", lc_t_start, &arg, NULL);
    ck_assert_ptr_nonnull(c);
    lc_check_set_cancel(c, lc_t_cancel);
    ck_assert_int_eq(lc_run_execute(run, err, sizeof(err)), 0);
    r = lc_check_result(c);
    addrs = json_object_get(r->evidence, "addresses");
    /* The silent one has evidence only once it ends. */
    ck_assert_int_eq((int)json_object_size(addrs), _i == 0 ? 3 : 2);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_object_get(addrs, "192.0.2.12"), "status")), "warn");
    ck_assert_ptr_nonnull(json_object_get(json_object_get(addrs, "192.0.2.10"), "elapsed_ms"));
    ck_assert_ptr_null(json_object_get(json_object_get(addrs, "192.0.2.12"), "elapsed_ms"));
    ck_assert_int_eq(arg.expired, 1);
    if (_i == 0) {
        /* The timer ended the silent one: the worst names it. */
        ck_assert_int_eq(r->status, LC_FAIL);
        ck_assert_str_eq(r->message, "on 2001:db8::1:5061: silent for 20 ms");
        ck_assert_int_eq(arg.released, 3);
    } else {
        /* Still silent when the check timed out: cancelled, released. */
        ck_assert_int_eq(r->status, LC_ERROR);
        ck_assert_int_eq(arg.released, 3);
    }
    lc_t_free(&arg);
    lc_run_free(run);
}
END_TEST

Suite *lc_suite_fanout(void)
{
    Suite *s = suite_create("fanout");
    TCase *tc = tcase_create("fanout");

    tcase_add_loop_test(tc, test_fanout_judge, 0,
                        (int)(sizeof(lc_t_fan_cases) / sizeof(lc_t_fan_cases[0])));
    tcase_add_loop_test(tc, test_fanout_run, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
