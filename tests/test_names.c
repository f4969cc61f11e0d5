/* SPDX-License-Identifier: MIT */
/* Unit tests of the names each TLS listener serves and must carry. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "site.h"
#include "suites.h"

static struct lc_site lc_site_two;

static void lc_names_setup(void)
{
    memset(&lc_site_two, 0, sizeof(lc_site_two));
    ck_assert_int_eq(lc_strv_push(&lc_site_two.sip_domains, "contoso.com"), 0);
    ck_assert_int_eq(lc_strv_push(&lc_site_two.sip_domains, "fabrikam.com"), 0);
    lc_site_two.access_edge = strdup("access.contoso.com");
    lc_site_two.webconf_edge = strdup("webconf.contoso.com");
    ck_assert_int_eq(lc_strv_push(&lc_site_two.web_external, "webext.contoso.com"), 0);
    ck_assert_int_eq(lc_strv_push(&lc_site_two.director_web_external, "webdirext.contoso.com"), 0);
    lc_site_two.owa = strdup("owa.contoso.com");
    ck_assert_int_eq(lc_site_apply_defaults(&lc_site_two), 0);
}

static void lc_names_teardown(void)
{
    lc_site_clear(&lc_site_two);
}

/* One row: does the listener know `name`, and with which flags. */
struct names_row {
    enum lc_listener_kind kind;
    const char *name;
    int present, wildcard_ok, served, required;
};

static const struct names_row names_rows[] = {
    /* Reverse proxy: explicit web names, wildcard-able simple URLs and
     * lyncdiscover for every domain; OWA served but not required. */
    {LC_L_RP, "webext.contoso.com", 1, 0, 1, 1},
    {LC_L_RP, "webdirext.contoso.com", 1, 0, 1, 1},
    {LC_L_RP, "lyncdiscover.contoso.com", 1, 1, 1, 1},
    {LC_L_RP, "lyncdiscover.fabrikam.com", 1, 1, 1, 1},
    {LC_L_RP, "meet.contoso.com", 1, 1, 1, 1},
    {LC_L_RP, "meet.fabrikam.com", 1, 1, 1, 1},
    {LC_L_RP, "dialin.contoso.com", 1, 1, 1, 1},
    {LC_L_RP, "owa.contoso.com", 1, 0, 1, 0},
    {LC_L_RP, "sip.contoso.com", 0, 0, 0, 0},
    {LC_L_RP, "dialin.fabrikam.com", 0, 0, 0, 0},
    /* Access edge: never a wildcard; webconf required but not served. */
    {LC_L_EDGE, "access.contoso.com", 1, 0, 1, 1},
    {LC_L_EDGE, "webconf.contoso.com", 1, 0, 0, 1},
    {LC_L_EDGE, "sip.contoso.com", 1, 0, 1, 1},
    {LC_L_EDGE, "sip.fabrikam.com", 1, 0, 1, 1},
    {LC_L_EDGE, "xmpp.contoso.com", 0, 0, 0, 0},
    {LC_L_EDGE, "lyncdiscover.contoso.com", 0, 0, 0, 0},
    {LC_L_EDGE_FED, "sip.fabrikam.com", 1, 0, 1, 1},
    {LC_L_WEBCONF, "webconf.contoso.com", 1, 0, 1, 1},
    {LC_L_WEBCONF, "access.contoso.com", 0, 0, 0, 0},
};

START_TEST(test_names_table)
{
    const struct names_row *row = &names_rows[_i];
    struct lc_listener_names ln;
    const struct lc_cert_name *cn;

    ck_assert_int_eq(lc_listener_names_build(&lc_site_two, row->kind, &ln), 0);
    cn = lc_listener_names_find(&ln, row->name);
    ck_assert_msg((cn != NULL) == row->present, "row %d: %s present %d", _i, row->name, cn != NULL);
    if (cn != NULL) {
        ck_assert_msg(cn->wildcard_ok == row->wildcard_ok, "row %d: %s wildcard", _i, row->name);
        ck_assert_msg(cn->served == row->served, "row %d: %s served", _i, row->name);
        ck_assert_msg(cn->required == row->required, "row %d: %s required", _i, row->name);
    }
    lc_listener_names_clear(&ln);
}
END_TEST

START_TEST(test_names_primary_and_subject)
{
    struct lc_listener_names ln;

    ck_assert_int_eq(lc_listener_names_build(&lc_site_two, LC_L_RP, &ln), 0);
    ck_assert_str_eq(ln.primary, "webext.contoso.com");
    ck_assert_str_eq(ln.expect_cn, "webext.contoso.com");
    lc_listener_names_clear(&ln);
    ck_assert_int_eq(lc_listener_names_build(&lc_site_two, LC_L_EDGE_FED, &ln), 0);
    ck_assert_str_eq(ln.primary, "access.contoso.com");
    ck_assert_str_eq(ln.expect_cn, "access.contoso.com");
    lc_listener_names_clear(&ln);
    /* The webconf edge shares the edge certificate: its subject is the
     * access edge FQDN. */
    ck_assert_int_eq(lc_listener_names_build(&lc_site_two, LC_L_WEBCONF, &ln), 0);
    ck_assert_str_eq(ln.primary, "webconf.contoso.com");
    ck_assert_str_eq(ln.expect_cn, "access.contoso.com");
    lc_listener_names_clear(&ln);
}
END_TEST

START_TEST(test_names_xmpp_and_unknown)
{
    struct lc_listener_names ln;
    struct lc_site bare;

    lc_site_two.xmpp = 1;
    ck_assert_int_eq(lc_listener_names_build(&lc_site_two, LC_L_EDGE, &ln), 0);
    ck_assert_ptr_nonnull(lc_listener_names_find(&ln, "xmpp.contoso.com"));
    ck_assert_ptr_nonnull(lc_listener_names_find(&ln, "XMPP.Fabrikam.com"));
    ck_assert_int_eq(lc_listener_names_find(&ln, "xmpp.fabrikam.com")->served, 0);
    lc_listener_names_clear(&ln);
    /* Only a SIP domain: no edge name, no proxy web name; the proxy still
     * serves the conventional lyncdiscover and simple URLs. */
    memset(&bare, 0, sizeof(bare));
    ck_assert_int_eq(lc_strv_push(&bare.sip_domains, "contoso.com"), 0);
    ck_assert_int_eq(lc_site_apply_defaults(&bare), 0);
    ck_assert_int_eq(lc_listener_names_build(&bare, LC_L_EDGE, &ln), 0);
    ck_assert_uint_eq(ln.n, 0);
    ck_assert_ptr_null(ln.primary);
    lc_listener_names_clear(&ln);
    ck_assert_int_eq(lc_listener_names_build(&bare, LC_L_RP, &ln), 0);
    ck_assert_uint_eq(ln.n, 3); /* lyncdiscover, meet, dialin */
    ck_assert_str_eq(ln.primary, "lyncdiscover.contoso.com");
    ck_assert_ptr_null(ln.expect_cn);
    lc_listener_names_clear(&ln);
    ck_assert_int_eq(lc_listener_names_build(&bare, LC_L_WEBCONF, &ln), 0);
    ck_assert_uint_eq(ln.n, 0);
    lc_listener_names_clear(&ln);
    lc_site_clear(&bare);
}
END_TEST

START_TEST(test_names_merge_roles)
{
    struct lc_listener_names ln;

    /* The same name as web external and as a simple URL: one entry, and
     * no wildcard since one of its roles forbids it. */
    ck_assert_int_eq(lc_strv_push(&lc_site_two.meet, "webext.contoso.com"), 0);
    ck_assert_int_eq(lc_listener_names_build(&lc_site_two, LC_L_RP, &ln), 0);
    ck_assert_int_eq(lc_listener_names_find(&ln, "webext.contoso.com")->wildcard_ok, 0);
    {
        size_t i, count = 0;
        for (i = 0; i < ln.n; i++)
            count += strcmp(ln.v[i].name, "webext.contoso.com") == 0;
        ck_assert_uint_eq(count, 1);
    }
    lc_listener_names_clear(&ln);
}
END_TEST

START_TEST(test_names_ip_literal)
{
    struct lc_listener_names ln;
    const struct lc_cert_name *cn;

    /* Roles given as addresses: reached (served), never required in the
     * certificate nor expected as its subject. */
    free(lc_site_two.access_edge);
    lc_site_two.access_edge = strdup("192.0.2.10");
    free(lc_site_two.webconf_edge);
    lc_site_two.webconf_edge = strdup("2001:db8::11");
    ck_assert_int_eq(lc_listener_names_build(&lc_site_two, LC_L_EDGE, &ln), 0);
    ck_assert_str_eq(ln.primary, "192.0.2.10");
    ck_assert_ptr_null(ln.expect_cn);
    cn = lc_listener_names_find(&ln, "192.0.2.10");
    ck_assert_ptr_nonnull(cn);
    ck_assert_int_eq(cn->literal, 1);
    ck_assert_int_eq(cn->served, 1);
    ck_assert_int_eq(cn->required, 0);
    cn = lc_listener_names_find(&ln, "2001:db8::11");
    ck_assert_ptr_nonnull(cn);
    ck_assert_int_eq(cn->literal, 1);
    ck_assert_int_eq(cn->required, 0);
    cn = lc_listener_names_find(&ln, "sip.contoso.com");
    ck_assert_int_eq(cn->literal, 0);
    ck_assert_int_eq(cn->required, 1);
    lc_listener_names_clear(&ln);
    ck_assert_int_eq(lc_listener_names_build(&lc_site_two, LC_L_WEBCONF, &ln), 0);
    ck_assert_str_eq(ln.primary, "2001:db8::11");
    ck_assert_ptr_null(ln.expect_cn);
    lc_listener_names_clear(&ln);
    ck_assert_str_eq(lc_listener_kind_label(LC_L_EDGE_FED), "access edge (federation)");
    ck_assert_str_eq(lc_listener_kind_label(LC_L_RP), "reverse proxy");
}
END_TEST

Suite *lc_suite_names(void)
{
    Suite *s = suite_create("names");
    TCase *tc = tcase_create("listeners");

    tcase_add_checked_fixture(tc, lc_names_setup, lc_names_teardown);
    tcase_add_loop_test(tc, test_names_table, 0, (int)(sizeof(names_rows) / sizeof(names_rows[0])));
    tcase_add_test(tc, test_names_primary_and_subject);
    tcase_add_test(tc, test_names_xmpp_and_unknown);
    tcase_add_test(tc, test_names_merge_roles);
    tcase_add_test(tc, test_names_ip_literal);
    suite_add_tcase(s, tc);
    return s;
}
