/* SPDX-License-Identifier: MIT */
/* Planning smoke tests: every built-in profile planned for several sites
 * (planning does no I/O). Each plan must succeed, keep check ids unique,
 * share the checks two roles plan on one name instead of aborting, and give
 * every check kind it plans a fix of its own (src/fixes.c). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fixes.h"
#include "probe.h"
#include "run.h"
#include "site.h"
#include "suites.h"

struct lc_t_site {
    const char *label;
    const char *argv[24];
};

static const struct lc_t_site lc_t_sites[] = {
    {"every role named",
     {"--sip-domain",
      "contoso.test",
      "--sip-domain",
      "fabrikam.test",
      "--access-edge",
      "access.contoso.test",
      "--webconf-edge",
      "webconf.contoso.test",
      "--av-edge",
      "av.contoso.test",
      "--web-external",
      "webext.contoso.test",
      "--director-web-external",
      "webdirext.contoso.test",
      "--owa",
      "owa.contoso.test",
      "--xmpp",
      "yes",
      "--edge-internal",
      "edge-int.contoso.test",
      "--front-end",
      "fe.contoso.test",
      NULL}},
    /* Topology Builder's "single FQDN and IP address" Edge. */
    {"single-FQDN edge",
     {"--sip-domain", "contoso.test", "--access-edge", "edge.contoso.test", "--webconf-edge",
      "edge.contoso.test", "--av-edge", "edge.contoso.test", "--web-external",
      "webext.contoso.test", NULL}},
    /* One name given for two roles. */
    {"one web name for two roles",
     {"--sip-domain", "contoso.test", "--web-external", "web.contoso.test",
      "--director-web-external", "web.contoso.test", "--owa", "web.contoso.test", NULL}},
    {"only the SIP domain", {"--sip-domain", "contoso.test", NULL}},
};

static const char *const lc_t_profiles[] = {"external", "federation", "edge-internal", "internal"};

/* Plan `profile` for the site; returns the run (the caller frees it). */
static struct lc_run *lc_t_plan(const char *profile_name, const struct lc_t_site *s,
                                struct lc_cli *cli)
{
    char *argv[32];
    char store[32][64];
    int argc = 0;
    struct lc_profile *profile = NULL;
    struct lc_run *run = NULL;
    struct lc_run_config cfg;
    char err[512];
    size_t i;

    /* getopt may permute argv: give it writable copies. */
    snprintf(store[0], sizeof(store[0]), "lynccheck");
    argv[argc++] = store[0];
    for (i = 0; s->argv[i] != NULL; i++) {
        snprintf(store[argc], sizeof(store[argc]), "%s", s->argv[i]);
        argv[argc] = store[argc];
        argc++;
    }
    argv[argc] = NULL;
    ck_assert_msg(lc_cli_parse(cli, argc, argv, err, sizeof(err)) == 0, "%s: %s", s->label, err);
    ck_assert_int_eq(lc_site_apply_defaults(&cli->site), 0);
    ck_assert_int_eq(lc_site_default_edge(&cli->site), 0);
    ck_assert_msg(lc_profile_load(profile_name, &profile, err, sizeof(err)) == 0, "%s", err);
    memset(&cfg, 0, sizeof(cfg));
    cfg.parallel = 8;
    cfg.timeout_us = 1000000;
    cfg.dns_servers = "127.0.0.1";
    cfg.cert_warn_days = 30;
    ck_assert_msg(lc_run_new(&run, &cfg, &cli->site, err, sizeof(err)) == 0, "%s", err);
    for (i = 0; i < lc_profile_count(profile); i++) {
        const struct lc_profile_entry *e = lc_profile_entry(profile, i);
        ck_assert_msg(e->probe->plan(run, &cli->site, e->opts) == 0,
                      "profile %s, site '%s': planning the %s probe failed", profile_name, s->label,
                      e->probe->name);
    }
    lc_profile_free(profile);
    return run;
}

START_TEST(test_plan_every_profile_and_site)
{
    size_t p, i, k;

    for (p = 0; p < sizeof(lc_t_profiles) / sizeof(lc_t_profiles[0]); p++) {
        for (k = 0; k < sizeof(lc_t_sites) / sizeof(lc_t_sites[0]); k++) {
            struct lc_cli cli;
            struct lc_run *run = lc_t_plan(lc_t_profiles[p], &lc_t_sites[k], &cli);
            size_t n = lc_run_count(run);

            ck_assert_msg(n > 0, "%s / %s planned nothing", lc_t_profiles[p], lc_t_sites[k].label);
            for (i = 0; i < n; i++) {
                const struct lc_result *r = lc_run_result(run, i);
                const char *fix = lc_fix_for(r->probe, r->what);
                const char *general = lc_fix_for(r->probe, "no-such-kind");
                /* Ids are unique: the id finds this very check. */
                ck_assert_ptr_eq(lc_check_result(lc_run_find(run, r->id)), r);
                ck_assert_msg(r->reference != NULL && r->reference[0] != '\0',
                              "%s has no reference", r->id);
                /* Every kind a probe plans has advice of its own. */
                ck_assert_msg(fix != NULL && fix != general, "%s: no fix for %s.%s", r->id,
                              r->probe, r->what);
            }
            lc_run_free(run);
            lc_cli_clear(&cli);
        }
    }
}
END_TEST

START_TEST(test_plan_single_fqdn_edge_shares_checks)
{
    struct lc_cli cli;
    struct lc_run *run = lc_t_plan("external", &lc_t_sites[1], &cli);
    static const char *const shared[] = {
        "tls.handshake:edge.contoso.test:443",
        "tls.san:edge.contoso.test:443",
        "port.tcp:edge.contoso.test:443",
    };
    size_t i;

    for (i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
        struct lc_check *c = lc_run_find(run, shared[i]);
        const json_t *roles;
        ck_assert_msg(c != NULL, "%s not planned", shared[i]);
        roles = json_object_get(lc_check_result(c)->evidence, "shared_by_roles");
        ck_assert_msg(json_array_size(roles) >= 2, "%s: not marked as shared", shared[i]);
    }
    /* One name, one lookup, every role on it. */
    ck_assert_ptr_nonnull(lc_run_find(run, "dns.a:edge.contoso.test"));
    lc_run_free(run);
    lc_cli_clear(&cli);
}
END_TEST

Suite *lc_suite_plan(void)
{
    Suite *s = suite_create("plan");
    TCase *tc = tcase_create("plan");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_plan_every_profile_and_site);
    tcase_add_test(tc, test_plan_single_fqdn_edge_shares_checks);
    suite_add_tcase(s, tc);
    return s;
}
