/* Unit tests of the DNS layer: Lync's domain-matching rules, FQDN
 * validation, and a resolver that never answers ending within the timeout. */
#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns.h"
#include "loop.h"
#include "site.h"
#include "suites.h"

START_TEST(test_name_within)
{
    ck_assert(lc_dns_name_within("sip.contoso.com", "contoso.com"));
    ck_assert(lc_dns_name_within("SIP.Contoso.COM.", "contoso.com"));
    ck_assert(lc_dns_name_within("a.b.contoso.com", "contoso.com"));
    ck_assert(lc_dns_name_within("contoso.com", "contoso.com"));
    /* Suffix of a label is not the domain. */
    ck_assert(!lc_dns_name_within("sip.notcontoso.com", "contoso.com"));
    ck_assert(!lc_dns_name_within("sip.contoso.com.evil.net", "contoso.com"));
    ck_assert(!lc_dns_name_within("com", "contoso.com"));
    ck_assert(!lc_dns_name_within("sip.contoso.com", ""));
}
END_TEST

START_TEST(test_name_parent_is_federation_rule)
{
    /* Federation: the SRV target's domain must equal the SIP domain. */
    ck_assert(lc_dns_name_parent_is("sip.contoso.com", "contoso.com"));
    ck_assert(lc_dns_name_parent_is("access.contoso.com.", "CONTOSO.com"));
    ck_assert(!lc_dns_name_parent_is("sip.eu.contoso.com", "contoso.com"));
    ck_assert(!lc_dns_name_parent_is("sip.fabrikam.com", "contoso.com"));
    ck_assert(!lc_dns_name_parent_is("contoso.com", "contoso.com"));
    ck_assert(!lc_dns_name_parent_is(".contoso.com", "contoso.com"));
}
END_TEST

START_TEST(test_fqdn_normalize)
{
    const char *why;
    char *s;

    s = lc_fqdn_normalize("Sip.Contoso.COM.", &why);
    ck_assert_str_eq(s, "sip.contoso.com");
    free(s);
    ck_assert_ptr_null(lc_fqdn_normalize("", &why));
    ck_assert_ptr_null(lc_fqdn_normalize("a..b", &why));
    ck_assert_str_eq(why, "empty label");
    ck_assert_ptr_null(lc_fqdn_normalize("-a.b", &why));
    ck_assert_ptr_null(lc_fqdn_normalize("a-.b", &why));
    ck_assert_ptr_null(lc_fqdn_normalize("a b.c", &why));
    ck_assert_ptr_null(lc_fqdn_normalize("a.b\n", &why));
    {
        char label[80];
        memset(label, 'a', 64);
        label[64] = '\0';
        ck_assert_ptr_null(lc_fqdn_normalize(label, &why));
        ck_assert_str_eq(why, "label longer than 63 characters");
    }
}
END_TEST

START_TEST(test_site_defaults)
{
    struct lc_site site;

    memset(&site, 0, sizeof(site));
    ck_assert_int_eq(lc_strv_push(&site.sip_domains, "contoso.com"), 0);
    ck_assert_int_eq(lc_strv_push(&site.sip_domains, "fabrikam.com"), 0);
    ck_assert_int_eq(lc_site_apply_defaults(&site), 0);
    ck_assert_uint_eq(site.meet.n, 2);
    ck_assert_str_eq(site.meet.v[0], "meet.contoso.com");
    ck_assert_str_eq(site.meet.v[1], "meet.fabrikam.com");
    ck_assert_str_eq(site.dialin, "dialin.contoso.com");
    ck_assert_int_eq(site.dialin_src, LC_SRC_DEFAULT);
    ck_assert_ptr_null(site.access_edge);
    ck_assert_int_eq(lc_site_default_edge(&site), 0);
    ck_assert_str_eq(site.access_edge, "sip.contoso.com");
    ck_assert_int_eq(site.access_edge_src, LC_SRC_DEFAULT);
    lc_site_clear(&site);
}
END_TEST

struct lc_dns_wait {
    struct lc_loop *loop;
    int called;
    int status;
    uint64_t at;
};

static void lc_on_answer(const struct lc_dns_answer *a, void *arg)
{
    struct lc_dns_wait *w = arg;
    w->called++;
    w->status = a->status;
    w->at = lc_now_us();
    lc_loop_stop(w->loop);
}

static void lc_guard(struct lc_loop *loop, void *arg)
{
    (void)arg;
    lc_loop_stop(loop);
}

/* A UDP socket that is bound and never read: a server that never answers. */
static int lc_blackhole(int *port)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    ck_assert_int_ge(fd, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

START_TEST(test_silent_server_times_out)
{
    struct lc_loop *loop;
    struct lc_dns *dns;
    struct lc_dns_wait w = {NULL, 0, 0, 0};
    struct lc_timer *guard;
    char servers[64], err[256];
    int port, fd = lc_blackhole(&port);
    uint64_t t0;

    snprintf(servers, sizeof(servers), "127.0.0.1:%d", port);
    ck_assert_int_eq(lc_loop_new(&loop), 0);
    w.loop = loop;
    ck_assert_msg(lc_dns_new(&dns, loop, servers, 600000, err, sizeof(err)) == 0, "%s", err);
    t0 = lc_now_us();
    ck_assert_int_eq(lc_dns_query(dns, "sip.contoso.test", ns_t_a, lc_on_answer, &w), 0);
    ck_assert_int_eq(w.called, 0); /* never from inside the call */
    /* The guard stops the loop if the resolver never calls back. */
    guard = lc_loop_timer_add(loop, 5000000, lc_guard, NULL);
    ck_assert_int_eq(lc_loop_run(loop), 0);
    ck_assert_msg(w.called == 1, "the resolver never called back");
    ck_assert_int_eq(w.status, ARES_ETIMEOUT);
    /* Two tries of timeout/3 then 2*timeout/3: about the timeout, not c-ares' 5 s default. */
    ck_assert_uint_lt(w.at - t0, 1500000);
    lc_loop_timer_cancel(loop, guard);
    lc_dns_free(dns);
    ck_assert_uint_eq(lc_loop_io_count(loop), 0);
    lc_loop_free(loop);
    close(fd);
}
END_TEST

START_TEST(test_bad_server_list)
{
    struct lc_loop *loop;
    struct lc_dns *dns = NULL;
    char err[256] = "";

    ck_assert_int_eq(lc_loop_new(&loop), 0);
    ck_assert_int_ne(lc_dns_new(&dns, loop, "not-an-ip:53", 1000000, err, sizeof(err)), 0);
    ck_assert_ptr_null(dns);
    ck_assert_ptr_nonnull(strstr(err, "not-an-ip"));
    lc_loop_free(loop);
}
END_TEST

Suite *lc_suite_dns(void)
{
    Suite *s = suite_create("dns");
    TCase *rules = tcase_create("rules");
    TCase *resolver = tcase_create("resolver");

    tcase_add_test(rules, test_name_within);
    tcase_add_test(rules, test_name_parent_is_federation_rule);
    tcase_add_test(rules, test_fqdn_normalize);
    tcase_add_test(rules, test_site_defaults);
    tcase_set_timeout(resolver, 20);
    tcase_add_test(resolver, test_silent_server_times_out);
    tcase_add_test(resolver, test_bad_server_list);
    suite_add_tcase(s, rules);
    suite_add_tcase(s, resolver);
    return s;
}
