/* SPDX-License-Identifier: MIT */
/* Unit tests of option, site file and profile parsing, and their errors. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ares.h>
#include <arpa/nameser.h>

#include "cli.h"
#include "dns.h"
#include "loop.h"
#include "probe.h"
#include "probes.h"
#include "report.h"
#include "run.h"
#include "suites.h"

static int lc_parse_argv(struct lc_cli *cli, char *err, size_t len, int argc, ...)
{
    static char prog[] = "lynccheck";
    char *argv[32];
    va_list ap;
    int i;

    va_start(ap, argc);
    argv[0] = prog;
    for (i = 1; i < argc && i < 31; i++)
        argv[i] = va_arg(ap, char *);
    argv[argc] = NULL;
    va_end(ap);
    return lc_cli_parse(cli, argc, argv, err, len);
}

START_TEST(test_defaults_and_lists)
{
    struct lc_cli cli;
    char err[512] = "";

    ck_assert_int_eq(lc_parse_argv(&cli, err, sizeof(err), 8, "--sip-domain", "Contoso.com.",
                                   "--sip-domain", "fabrikam.com", "--meet", "meet.contoso.com",
                                   "-v"),
                     0);
    ck_assert_uint_eq(cli.site.sip_domains.n, 2);
    ck_assert_str_eq(cli.site.sip_domains.v[0], "contoso.com");
    ck_assert_uint_eq(cli.timeout_us, 5000000);
    ck_assert_uint_eq(cli.deadline_us, 120000000);
    ck_assert_uint_eq(cli.parallel, 64);
    ck_assert_ptr_eq(cli.format, &lc_reporter_text);
    ck_assert_int_eq(cli.verbose, 1);
    ck_assert_int_eq(cli.site.xmpp, 0);
    lc_cli_clear(&cli);
}
END_TEST

START_TEST(test_bad_values)
{
    struct lc_cli cli;
    char err[512];

    ck_assert_int_ne(lc_parse_argv(&cli, err, sizeof(err), 3, "--sip-domain", "bad domain"), 0);
    ck_assert_ptr_nonnull(strstr(err, "not a valid FQDN"));
    lc_cli_clear(&cli);
    ck_assert_int_ne(lc_parse_argv(&cli, err, sizeof(err), 3, "--timeout", "abc"), 0);
    ck_assert_ptr_nonnull(strstr(err, "--timeout"));
    lc_cli_clear(&cli);
    ck_assert_int_ne(lc_parse_argv(&cli, err, sizeof(err), 3, "--dns-server", "1.2.3.4:99999"), 0);
    lc_cli_clear(&cli);
    ck_assert_int_ne(lc_parse_argv(&cli, err, sizeof(err), 3, "--report", "html"), 0);
    lc_cli_clear(&cli);
    ck_assert_int_ne(lc_parse_argv(&cli, err, sizeof(err), 2, "--bogus"), 0);
    ck_assert_ptr_nonnull(strstr(err, "--bogus"));
    lc_cli_clear(&cli);
    ck_assert_int_ne(lc_parse_argv(&cli, err, sizeof(err), 3, "--sip-domain", "contoso"), 0);
    ck_assert_ptr_nonnull(strstr(err, "not fully qualified"));
    lc_cli_clear(&cli);
    ck_assert_int_ne(lc_parse_argv(&cli, err, sizeof(err), 3, "--xmpp", "maybe"), 0);
    lc_cli_clear(&cli);
    ck_assert_int_eq(lc_parse_argv(&cli, err, sizeof(err), 5, "--dns-server", "[::1]:5353",
                                   "--dns-server", "127.0.0.1"),
                     0);
    ck_assert_uint_eq(cli.dns_servers.n, 2);
    lc_cli_clear(&cli);
}
END_TEST

START_TEST(test_seconds)
{
    uint64_t us;

    ck_assert_int_eq(lc_parse_seconds("5", 0, 10000000, &us), 0);
    ck_assert_uint_eq(us, 5000000);
    ck_assert_int_eq(lc_parse_seconds("0.25", 0, 10000000, &us), 0);
    ck_assert_uint_eq(us, 250000);
    ck_assert_int_eq(lc_parse_seconds("1.", 0, 10000000, &us), 0);
    ck_assert_uint_eq(us, 1000000);
    ck_assert_int_ne(lc_parse_seconds("", 0, 10000000, &us), 0);
    ck_assert_int_ne(lc_parse_seconds("-1", 0, 10000000, &us), 0);
    ck_assert_int_ne(lc_parse_seconds("1e3", 0, 10000000, &us), 0);
    ck_assert_int_ne(lc_parse_seconds("11", 0, 10000000, &us), 0);
    ck_assert_int_ne(lc_parse_seconds("0.05", 100000, 10000000, &us), 0);
}
END_TEST

static const char *lc_write_tmp(const char *text)
{
    static char path[64];
    FILE *f;
    int fd;

    snprintf(path, sizeof(path), "/tmp/lc-test-XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

START_TEST(test_site_file_and_override)
{
    struct lc_cli cli;
    char err[512] = "";
    const char *path = lc_write_tmp("# nightly site\n"
                                    "sip-domain = contoso.com\n"
                                    "sip-domain = fabrikam.com\n"
                                    "access-edge = access.contoso.com\n"
                                    "timeout = 2.5\n"
                                    "xmpp = yes\n"
                                    "meet = meet.contoso.com\n");

    ck_assert_msg(lc_parse_argv(&cli, err, sizeof(err), 5, "--config", path, "--sip-domain",
                                "tailspin.com") == 0,
                  "%s", err);
    /* A list on the command line replaces the file's list. */
    ck_assert_uint_eq(cli.site.sip_domains.n, 1);
    ck_assert_str_eq(cli.site.sip_domains.v[0], "tailspin.com");
    ck_assert_str_eq(cli.site.access_edge, "access.contoso.com");
    ck_assert_uint_eq(cli.timeout_us, 2500000);
    ck_assert_int_eq(cli.site.xmpp, 1);
    ck_assert_uint_eq(cli.site.meet.n, 1);
    lc_cli_clear(&cli);
    /* A scalar on the command line wins over the file. */
    ck_assert_int_eq(lc_parse_argv(&cli, err, sizeof(err), 5, "--config", path, "--timeout", "1"),
                     0);
    ck_assert_uint_eq(cli.timeout_us, 1000000);
    ck_assert_uint_eq(cli.site.sip_domains.n, 2);
    lc_cli_clear(&cli);
    unlink(path);
}
END_TEST

static void lc_expect_site_error(const char *text, const char *want)
{
    struct lc_cli cli;
    char err[512] = "";

    memset(&cli, 0, sizeof(cli));
    ck_assert_int_ne(lc_cli_parse_site(&cli, text, "site.conf", err, sizeof(err)), 0);
    ck_assert_msg(strstr(err, want) != NULL, "error '%s' lacks '%s'", err, want);
    lc_cli_clear(&cli);
}

START_TEST(test_site_file_errors)
{
    lc_expect_site_error("sip-domain = contoso.com\n\nbogus = 1\n",
                         "site.conf:3: unknown key 'bogus'");
    lc_expect_site_error("[site]\nsip-domain = contoso.com\n", "site.conf:2: sections");
    lc_expect_site_error("config = other.conf\n", "site.conf:1: 'config' belongs on the command");
    lc_expect_site_error("timeout = soon\n", "site.conf:1: --timeout");
    lc_expect_site_error("sip-domain = contoso.com\nsip-domain = contoso.com\n",
                         "site.conf:2: --sip-domain: 'contoso.com' given twice");
    lc_expect_site_error("access-edge = bad_name!.com\n", "site.conf:1:");
    lc_expect_site_error("this line has no equals sign\n", "site.conf:1:");
    lc_expect_site_error("access-edge = a.contoso.com\n# merged\naccess-edge = b.contoso.com\n",
                         "site.conf:3: 'access-edge' given twice");
    lc_expect_site_error("sip-domains-file = /nonexistent/lynccheck-domains\n",
                         "site.conf:1: --sip-domains-file:");
}
END_TEST

START_TEST(test_missing_site_file)
{
    struct lc_cli cli;
    char err[512] = "";

    ck_assert_int_ne(
        lc_parse_argv(&cli, err, sizeof(err), 3, "--config", "/nonexistent/lynccheck.site"), 0);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/lynccheck.site"));
    lc_cli_clear(&cli);
}
END_TEST

static void lc_expect_profile_error(const char *text, const char *want)
{
    struct lc_profile *p = NULL;
    char err[512] = "";

    ck_assert_int_ne(lc_profile_parse(text, "t.profile", &p, err, sizeof(err)), 0);
    ck_assert_ptr_null(p);
    ck_assert_msg(strstr(err, want) != NULL, "error '%s' lacks '%s'", err, want);
}

START_TEST(test_profile_parse)
{
    struct lc_profile *p = NULL;
    const struct lc_profile_entry *e;
    char err[512] = "";

    ck_assert_msg(lc_profile_parse("[profile]\ndescription = test\nprobes = dns\n"
                                   "[dns]\nsrv = sip-tls\ninternal-leak = no\n"
                                   "a-records = sip\na-records = meet\n",
                                   "t.profile", &p, err, sizeof(err)) == 0,
                  "%s", err);
    ck_assert_str_eq(lc_profile_name(p), "t");
    ck_assert_str_eq(lc_profile_description(p), "test");
    ck_assert_uint_eq(lc_profile_count(p), 1);
    e = lc_profile_entry(p, 0);
    ck_assert_str_eq(e->probe->name, "dns");
    ck_assert(lc_opts_list_has(e->opts, "srv", "sip-tls"));
    ck_assert(!lc_opts_list_has(e->opts, "srv", "federation"));
    ck_assert_int_eq(lc_opts_bool(e->opts, "internal-leak"), 0);
    /* Unset options take the probe's declared default. */
    ck_assert_int_eq(lc_opts_bool(e->opts, "srv-targets"), 1);
    /* A list given on two lines holds both. */
    ck_assert(lc_opts_list_has(e->opts, "a-records", "sip"));
    ck_assert(lc_opts_list_has(e->opts, "a-records", "meet"));
    ck_assert(!lc_opts_list_has(e->opts, "a-records", "lyncdiscover"));
    lc_profile_free(p);
}
END_TEST

START_TEST(test_profile_errors)
{
    lc_expect_profile_error("[profile]\nprobes = dns, nosuch\n",
                            "t.profile:2: unknown probe 'nosuch'");
    lc_expect_profile_error("[profile]\nprobes = dns\n[dns]\n\nsrv-targets = perhaps\n",
                            "t.profile:5: [dns]: option 'srv-targets' wants yes or no");
    lc_expect_profile_error("[profile]\nprobes = dns\n[dns]\nbogus = 1\n",
                            "t.profile:4: [dns]: unknown option 'bogus'");
    lc_expect_profile_error("[profile]\nprobes = dns\n[dns]\nsrv = sip-tls, carrier-pigeon\n",
                            "unknown item 'carrier-pigeon'");
    lc_expect_profile_error("[profile]\nprobes = dns\n[dns]\nsrv = sip-tls\n[profile]\nx = 1\n",
                            "t.profile:6: duplicate section [profile]");
    lc_expect_profile_error("[profile]\ndescription = nothing\n", "no probes");
    lc_expect_profile_error("[profile]\nprobes = port\n[port]\ntcp = access-edge:443, bogus:1\n",
                            "t.profile:4: [port]: option 'tcp': item 'bogus:1': unknown role");
    lc_expect_profile_error("[profile]\nprobes = port\n[port]\ntcp-range = av-edge:60000-50000\n",
                            "first <= last");
    lc_expect_profile_error("[profile]\nprobes = port\n[port]\ntcp = access-edge:70000\n",
                            "from 1 to 65535");
    lc_expect_profile_error("[profile]\nprobes = port\n[port]\ntcp = access-edge:5269@sip\n",
                            "unknown condition");
    lc_expect_profile_error("[nosuch]\nx = 1\n", "t.profile:2: unknown section [nosuch]");
    lc_expect_profile_error("[profile]\nprobes = dns\n[tls]\nno-sni = no\n",
                            "t.profile:4: section [tls]: probe 'tls' is not in [profile] probes");
    lc_expect_profile_error("[profile]\nprobes = dns\n[dns]\nsrv-targets = yes\nsrv-targets = no\n",
                            "t.profile:5: [dns]: option 'srv-targets' given twice");
    {
        char longline[400];
        memset(longline, 'a', sizeof(longline) - 1);
        longline[sizeof(longline) - 1] = '\0';
        lc_expect_profile_error(longline, "t.profile:1: line longer than");
    }
}
END_TEST

START_TEST(test_builtin_profiles_valid)
{
    size_t i;

    ck_assert_ptr_nonnull(lc_builtin_profiles[0].name);
    for (i = 0; lc_builtin_profiles[i].name != NULL; i++) {
        struct lc_profile *p = NULL;
        char err[512] = "";
        ck_assert_msg(lc_profile_parse(lc_builtin_profiles[i].text, lc_builtin_profiles[i].name, &p,
                                       err, sizeof(err)) == 0,
                      "%s", err);
        lc_profile_free(p);
    }
}
END_TEST

/* The --user password: file mode enforced, environment as the fallback,
 * and never echoed in an error message. */
START_TEST(test_password_sources)
{
    struct lc_cli cli;
    char err[512] = "", path[] = "/tmp/lc-test-pw-XXXXXX";
    static const char secret[] = "S3cret-lynccheck-pw";
    int fd = mkstemp(path);
    FILE *f;

    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%s\nsecond line ignored\n", secret);
    fclose(f);
    ck_assert_int_eq(chmod(path, 0600), 0);
    unsetenv("LYNCCHECK_PASSWORD");

    ck_assert_int_eq(lc_parse_argv(&cli, err, sizeof(err), 5, "--user", "alice@contoso.com",
                                   "--password-file", path),
                     0);
    ck_assert_str_eq(cli.site.web_user, "alice@contoso.com");
    ck_assert_str_eq(cli.site.web_password, secret);
    lc_cli_clear(&cli);

    /* Group- or world-readable: refused, the path named, the secret not. */
    ck_assert_int_eq(chmod(path, 0644), 0);
    ck_assert_int_eq(lc_parse_argv(&cli, err, sizeof(err), 5, "--user", "alice@contoso.com",
                                   "--password-file", path),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
    ck_assert_ptr_null(strstr(err, secret));
    lc_cli_clear(&cli);

    /* No file, no environment: refused. */
    ck_assert_int_eq(lc_parse_argv(&cli, err, sizeof(err), 3, "--user", "alice@contoso.com"), -1);
    ck_assert_ptr_nonnull(strstr(err, "LYNCCHECK_PASSWORD"));
    lc_cli_clear(&cli);

    /* The environment. */
    ck_assert_int_eq(setenv("LYNCCHECK_PASSWORD", secret, 1), 0);
    ck_assert_int_eq(lc_parse_argv(&cli, err, sizeof(err), 3, "--user", "alice@contoso.com"), 0);
    ck_assert_str_eq(cli.site.web_password, secret);
    lc_cli_clear(&cli);
    unsetenv("LYNCCHECK_PASSWORD");

    /* A password file without --user, and a missing file. */
    ck_assert_int_eq(lc_parse_argv(&cli, err, sizeof(err), 3, "--password-file", path), -1);
    ck_assert_ptr_nonnull(strstr(err, "needs --user"));
    lc_cli_clear(&cli);
    unlink(path);
    ck_assert_int_eq(lc_parse_argv(&cli, err, sizeof(err), 5, "--user", "alice@contoso.com",
                                   "--password-file", path),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, path));
    lc_cli_clear(&cli);
}
END_TEST

/* ---- roles given as addresses, and --resolve (issue 12, items 4 and 5) ---- */

START_TEST(test_role_addresses)
{
    struct lc_cli cli;
    char err[512] = "";
    json_t *site;

    /* IPv4 and IPv6 literals are accepted for roles, in canonical form. */
    ck_assert_msg(lc_parse_argv(&cli, err, sizeof(err), 9, "--sip-domain", "contoso.com",
                                "--access-edge", "192.0.2.10", "--webconf-edge", "2001:DB8:0::11",
                                "--web-external", "198.51.100.7") == 0,
                  "%s", err);
    ck_assert_str_eq(cli.site.access_edge, "192.0.2.10");
    ck_assert_int_eq(cli.site.access_edge_src, LC_SRC_GIVEN);
    ck_assert_str_eq(cli.site.webconf_edge, "2001:db8::11");
    ck_assert_str_eq(cli.site.web_external.v[0], "198.51.100.7");
    /* Access edge discovery (SRV) and the default never override it. */
    ck_assert_int_eq(lc_site_discover(&cli.site, NULL, NULL, 1000000), 0);
    ck_assert_int_eq(lc_site_default_edge(&cli.site), 0);
    ck_assert_str_eq(cli.site.access_edge, "192.0.2.10");
    ck_assert_int_eq(cli.site.access_edge_src, LC_SRC_GIVEN);
    /* The report's site object says which roles were given as addresses. */
    site = lc_site_to_json(&cli.site);
    ck_assert(json_is_true(json_object_get(json_object_get(site, "access_edge"), "address")));
    ck_assert_ptr_null(json_object_get(json_object_get(site, "owa"), "address"));
    json_decref(site);
    lc_cli_clear(&cli);
    ck_assert_msg(lc_parse_argv(&cli, err, sizeof(err), 9, "--av-edge", "::1", "--owa", "10.0.0.1",
                                "--meet", "fe80::1", "--edge-internal", "172.16.0.5") == 0,
                  "%s", err);
    ck_assert_str_eq(cli.site.av_edge, "::1");
    ck_assert_str_eq(cli.site.meet.v[0], "fe80::1");
    lc_cli_clear(&cli);
    /* Not a literal and not a name: still refused. */
    ck_assert_int_ne(lc_parse_argv(&cli, err, sizeof(err), 3, "--access-edge", "2001:db8::zz"), 0);
    ck_assert_ptr_nonnull(strstr(err, "not a valid FQDN"));
    lc_cli_clear(&cli);
    ck_assert_int_ne(lc_parse_argv(&cli, err, sizeof(err), 3, "--front-end", "[2001:db8::1]"), 0);
    lc_cli_clear(&cli);
}
END_TEST

START_TEST(test_resolve_parse)
{
    struct lc_cli cli;
    char err[512] = "";
    char many[600];
    size_t used = 0;
    int i;

    ck_assert_msg(lc_parse_argv(&cli, err, sizeof(err), 5, "--resolve",
                                "Access.Contoso.com.:192.0.2.10,2001:DB8::1,[2001:db8::2]",
                                "--resolve", "webext.contoso.com:198.51.100.7") == 0,
                  "%s", err);
    ck_assert_uint_eq(cli.site.n_resolve, 2);
    ck_assert_str_eq(cli.site.resolve[0].name, "access.contoso.com");
    ck_assert_uint_eq(cli.site.resolve[0].addrs.n, 3);
    ck_assert_str_eq(cli.site.resolve[0].addrs.v[0], "192.0.2.10");
    ck_assert_str_eq(cli.site.resolve[0].addrs.v[1], "2001:db8::1");
    ck_assert_str_eq(cli.site.resolve[0].addrs.v[2], "2001:db8::2");
    ck_assert_str_eq(cli.site.resolve[1].addrs.v[0], "198.51.100.7");
    ck_assert_ptr_nonnull(lc_site_find_pin(&cli.site, "ACCESS.contoso.com."));
    ck_assert_ptr_null(lc_site_find_pin(&cli.site, "sip.contoso.com"));
    lc_cli_clear(&cli);

    /* A port (curl's HOST:PORT:ADDR form) is not an address. */
    ck_assert_int_ne(
        lc_parse_argv(&cli, err, sizeof(err), 3, "--resolve", "access.contoso.com:443:192.0.2.1"),
        0);
    ck_assert_msg(strstr(err, "'443:192.0.2.1' (for access.contoso.com) is not an IPv4 or IPv6") !=
                      NULL,
                  "%s", err);
    lc_cli_clear(&cli);
    ck_assert_int_ne(
        lc_parse_argv(&cli, err, sizeof(err), 3, "--resolve", "access.contoso.com:192.0.2.1,"), 0);
    ck_assert_ptr_nonnull(strstr(err, "is not an IPv4 or IPv6 address"));
    lc_cli_clear(&cli);
    ck_assert_int_ne(
        lc_parse_argv(&cli, err, sizeof(err), 3, "--resolve", "bad_name!.com:192.0.2.1"), 0);
    ck_assert_msg(strstr(err, "--resolve: 'bad_name!.com' is not a valid FQDN") != NULL, "%s", err);
    lc_cli_clear(&cli);
    ck_assert_int_ne(lc_parse_argv(&cli, err, sizeof(err), 3, "--resolve", "contoso:192.0.2.1"), 0);
    ck_assert_ptr_nonnull(strstr(err, "not fully qualified"));
    lc_cli_clear(&cli);
    ck_assert_int_ne(lc_parse_argv(&cli, err, sizeof(err), 3, "--resolve", "192.0.2.9:192.0.2.1"),
                     0);
    ck_assert_ptr_nonnull(strstr(err, "is an address, not a name"));
    lc_cli_clear(&cli);
    ck_assert_int_ne(lc_parse_argv(&cli, err, sizeof(err), 3, "--resolve", "access.contoso.com"),
                     0);
    ck_assert_ptr_nonnull(strstr(err, "NAME:ADDR[,ADDR...]"));
    lc_cli_clear(&cli);
    ck_assert_int_ne(lc_parse_argv(&cli, err, sizeof(err), 3, "--resolve", "a.contoso.com:"), 0);
    lc_cli_clear(&cli);
    ck_assert_int_ne(lc_parse_argv(&cli, err, sizeof(err), 5, "--resolve",
                                   "a.contoso.com:192.0.2.1", "--resolve",
                                   "A.contoso.com:192.0.2.2"),
                     0);
    ck_assert_ptr_nonnull(strstr(err, "'a.contoso.com' pinned twice"));
    lc_cli_clear(&cli);
    ck_assert_int_ne(
        lc_parse_argv(&cli, err, sizeof(err), 3, "--resolve", "a.contoso.com:192.0.2.1,192.0.2.1"),
        0);
    ck_assert_ptr_nonnull(strstr(err, "192.0.2.1 given twice"));
    lc_cli_clear(&cli);
    /* At most LC_PIN_MAX_ADDRS addresses per name. */
    used = (size_t)snprintf(many, sizeof(many), "a.contoso.com:");
    for (i = 0; i <= LC_PIN_MAX_ADDRS; i++)
        used +=
            (size_t)snprintf(many + used, sizeof(many) - used, "%s192.0.2.%d", i ? "," : "", i + 1);
    ck_assert_uint_lt(used, sizeof(many));
    ck_assert_int_ne(lc_parse_argv(&cli, err, sizeof(err), 3, "--resolve", many), 0);
    ck_assert_ptr_nonnull(strstr(err, "more than 32 addresses"));
    lc_cli_clear(&cli);
}
END_TEST

START_TEST(test_resolve_site_file)
{
    struct lc_cli cli;
    char err[512] = "";
    json_t *site, *pins;
    const char *path = lc_write_tmp("sip-domain = contoso.com\n"
                                    "resolve = access.contoso.com:192.0.2.10,192.0.2.20\n"
                                    "resolve = webext.contoso.com:2001:db8::7\n");

    ck_assert_msg(lc_parse_argv(&cli, err, sizeof(err), 3, "--config", path) == 0, "%s", err);
    ck_assert_uint_eq(cli.site.n_resolve, 2);
    ck_assert_str_eq(cli.site.resolve[1].addrs.v[0], "2001:db8::7");
    /* The JSON report's site object shows the pins. */
    site = lc_site_to_json(&cli.site);
    ck_assert_ptr_nonnull(site);
    pins = json_object_get(site, "resolve");
    ck_assert(json_is_object(pins));
    ck_assert_uint_eq(json_array_size(json_object_get(pins, "access.contoso.com")), 2);
    ck_assert_str_eq(
        json_string_value(json_array_get(json_object_get(pins, "access.contoso.com"), 1)),
        "192.0.2.20");
    json_decref(site);
    lc_cli_clear(&cli);
    /* The command line's --resolve replaces the file's pins. */
    ck_assert_msg(lc_parse_argv(&cli, err, sizeof(err), 5, "--config", path, "--resolve",
                                "access.contoso.com:198.51.100.1") == 0,
                  "%s", err);
    ck_assert_uint_eq(cli.site.n_resolve, 1);
    ck_assert_str_eq(cli.site.resolve[0].addrs.v[0], "198.51.100.1");
    lc_cli_clear(&cli);
    unlink(path);
    /* No pins: an empty object, still present. */
    memset(&cli, 0, sizeof(cli));
    site = lc_site_to_json(&cli.site);
    ck_assert(json_is_object(json_object_get(site, "resolve")));
    ck_assert_uint_eq(json_object_size(json_object_get(site, "resolve")), 0);
    json_decref(site);

    lc_expect_site_error("sip-domain = contoso.com\nresolve = access.contoso.com:nowhere\n",
                         "site.conf:2: --resolve: 'nowhere' (for access.contoso.com) is not an");
    lc_expect_site_error("resolve = a.contoso.com:192.0.2.1\nresolve = a.contoso.com:192.0.2.2\n",
                         "site.conf:2: --resolve: 'a.contoso.com' pinned twice");
    lc_expect_site_error("resolve = -bad.contoso.com:192.0.2.1\n",
                         "site.conf:1: --resolve: '-bad.contoso.com' is not a valid FQDN");
}
END_TEST

/* The resolver answers a pinned name from the pin, from the loop, in the
 * same callback shape; the server is never asked. */
struct lc_t_pin_seen {
    int calls, status, pinned, type;
    size_t n_addrs;
    char first[46];
};

static void lc_t_on_pin_answer(const struct lc_dns_answer *a, void *arg)
{
    struct lc_t_pin_seen *s = arg;

    s->calls++;
    s->status = a->status;
    s->pinned = a->pinned;
    s->type = a->type;
    s->n_addrs = a->n_addrs;
    snprintf(s->first, sizeof(s->first), "%s", a->n_addrs > 0 ? a->addrs[0].text : "");
}

START_TEST(test_resolve_pin_dns)
{
    struct lc_loop *loop = NULL;
    struct lc_dns *dns = NULL;
    struct lc_t_pin_seen a4, a6, v4only, late;
    const char *addrs[] = {"192.0.2.10", "2001:DB8::1", "192.0.2.20"};
    const char *only4[] = {"198.51.100.1"};
    const struct lc_dns_name *pinned;
    char err[256];

    memset(&a4, 0, sizeof(a4));
    memset(&a6, 0, sizeof(a6));
    memset(&v4only, 0, sizeof(v4only));
    memset(&late, 0, sizeof(late));
    ck_assert_int_eq(lc_loop_new(&loop), 0);
    /* A server that is never asked: nothing listens on port 9 (discard). */
    ck_assert_msg(lc_dns_new(&dns, loop, "127.0.0.1:9", 1000000, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(lc_dns_pin(dns, "Access.Contoso.test.", addrs, 3), 0);
    ck_assert_int_eq(lc_dns_pin(dns, "v4.contoso.test", only4, 1), 0);
    ck_assert_int_ne(lc_dns_pin(dns, "bad.contoso.test", (const char *[]){"nope"}, 1), 0);
    pinned = lc_dns_pinned(dns, "access.contoso.test");
    ck_assert_ptr_nonnull(pinned);
    ck_assert_uint_eq(pinned->n_addrs, 3);
    ck_assert_str_eq(pinned->addrs[1].text, "2001:db8::1");
    ck_assert_ptr_null(lc_dns_pinned(dns, "sip.contoso.test"));
    ck_assert_ptr_null(lc_dns_pinned(dns, "bad.contoso.test"));

    ck_assert_int_eq(lc_dns_query(dns, "access.contoso.test", ns_t_a, lc_t_on_pin_answer, &a4), 0);
    ck_assert_int_eq(lc_dns_query(dns, "ACCESS.contoso.test", ns_t_aaaa, lc_t_on_pin_answer, &a6),
                     0);
    ck_assert_int_eq(lc_dns_query(dns, "v4.contoso.test", ns_t_aaaa, lc_t_on_pin_answer, &v4only),
                     0);
    /* Never from inside lc_dns_query. */
    ck_assert_int_eq(a4.calls + a6.calls + v4only.calls, 0);
    ck_assert_int_ge(lc_loop_run(loop), 0);
    ck_assert_int_eq(a4.calls, 1);
    ck_assert_int_eq(a4.status, ARES_SUCCESS);
    ck_assert_int_eq(a4.pinned, 1);
    ck_assert_uint_eq(a4.n_addrs, 2);
    ck_assert_str_eq(a4.first, "192.0.2.10");
    ck_assert_int_eq(a6.calls, 1);
    ck_assert_uint_eq(a6.n_addrs, 1);
    ck_assert_str_eq(a6.first, "2001:db8::1");
    /* Pinned to IPv4 only: AAAA says NODATA, as a server would. */
    ck_assert_int_eq(v4only.calls, 1);
    ck_assert_int_eq(v4only.status, ARES_ENODATA);
    ck_assert_int_eq(v4only.pinned, 1);
    /* Freed with an answer pending: the callback runs, cancelled. */
    ck_assert_int_eq(lc_dns_query(dns, "v4.contoso.test", ns_t_a, lc_t_on_pin_answer, &late), 0);
    lc_dns_free(dns);
    ck_assert_int_eq(late.calls, 1);
    ck_assert_int_eq(late.status, ARES_EDESTRUCTION);
    lc_loop_free(loop);
}
END_TEST

static char lc_t_name_lit[] = "192.0.2.10";
static char lc_t_name_pin[] = "access.contoso.test";

/* A check that depends on a name's addresses, as every probe does. */
static void lc_t_dep_start(struct lc_check *check, void *arg)
{
    const struct lc_dns_name *d = lc_dns_dep_addrs(check, 0, arg);

    if (d == NULL)
        return;
    lc_check_finish(check, LC_PASS, "probed %s (%zu)", d->addrs[0].text, d->n_addrs);
}

static const struct lc_result *lc_t_result(struct lc_run *run, const char *id)
{
    size_t i;

    for (i = 0; i < lc_run_count(run); i++)
        if (strcmp(lc_run_result(run, i)->id, id) == 0)
            return lc_run_result(run, i);
    return NULL;
}

START_TEST(test_plan_address_and_pin)
{
    struct lc_site site;
    struct lc_run_config cfg;
    struct lc_run *run = NULL;
    struct lc_check *addr, *again, *pinned, *dep1, *dep2;
    const struct lc_dns_name *d;
    const struct lc_result *r;
    char err[256], why[256];

    memset(&site, 0, sizeof(site));
    memset(&cfg, 0, sizeof(cfg));
    cfg.parallel = 4;
    cfg.timeout_us = 2000000;
    cfg.deadline_us = 5000000;
    cfg.dns_servers = "127.0.0.1:9"; /* never asked: every name here is pinned or a literal */
    ck_assert_int_eq(
        lc_site_add_pin(&site, "access.contoso.test:192.0.2.30,2001:db8::30", why, sizeof(why)), 0);
    ck_assert_msg(lc_run_new(&run, &cfg, &site, err, sizeof(err)) == 0, "%s", err);

    /* A literal plans dns.address:<literal>, a SKIP from the start that
     * holds the one address; two roles on it share the check. */
    addr = lc_dns_plan_name(run, "192.0.2.10", "access-edge", 1);
    ck_assert_ptr_nonnull(addr);
    again = lc_dns_plan_name(run, "192.0.2.10", "webconf-edge", 1);
    ck_assert_ptr_eq(addr, again);
    ck_assert_uint_eq(lc_check_n_roles(addr), 2);
    r = lc_check_result(addr);
    ck_assert_str_eq(r->id, "dns.address:192.0.2.10");
    ck_assert_int_eq(r->status, LC_SKIP);
    ck_assert_ptr_nonnull(
        strstr(r->message, "192.0.2.10 given as an address for access-edge: probed directly"));
    ck_assert_ptr_null(lc_t_result(run, "dns.a:192.0.2.10"));
    d = lc_check_data(addr);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->n_addrs, 1);
    ck_assert_str_eq(d->addrs[0].text, "192.0.2.10");

    pinned = lc_dns_plan_name(run, "access.contoso.test", "access-edge", 1);
    ck_assert_ptr_nonnull(pinned);
    dep1 = lc_run_add(run, "t", "probe", "192.0.2.10", "test", lc_t_dep_start, lc_t_name_lit, NULL);
    dep2 = lc_run_add(run, "t", "probe", "access.contoso.test", "test", lc_t_dep_start,
                      lc_t_name_pin, NULL);
    ck_assert_ptr_nonnull(dep1);
    ck_assert_ptr_nonnull(dep2);
    ck_assert_int_eq(lc_check_depend(dep1, addr), 0);
    ck_assert_int_eq(lc_check_depend(dep2, pinned), 0);
    ck_assert_msg(lc_run_execute(run, err, sizeof(err)) == 0, "%s", err);

    /* The scheduler starts the dependent of the skipped check; it sees the address. */
    r = lc_t_result(run, "t.probe:192.0.2.10");
    ck_assert_int_eq(r->status, LC_PASS);
    ck_assert_str_eq(r->message, "probed 192.0.2.10 (1)");
    /* dns.a of a pinned name passes through the pin and says so. */
    r = lc_t_result(run, "dns.a:access.contoso.test");
    ck_assert_int_eq(r->status, LC_PASS);
    ck_assert_msg(strstr(r->message, "access.contoso.test pinned by --resolve: 192.0.2.30, "
                                     "2001:db8::30 (DNS not asked)") != NULL,
                  "%s", r->message);
    ck_assert(json_is_true(json_object_get(r->evidence, "pinned")));
    r = lc_t_result(run, "t.probe:access.contoso.test");
    ck_assert_int_eq(r->status, LC_PASS);
    ck_assert_str_eq(r->message, "probed 192.0.2.30 (2)");
    lc_run_free(run);
    lc_site_clear(&site);
}
END_TEST

/* Every option's refusal, word for word: the messages are made from the
 * option table (lc_optdefs[]) and the reporter table, and must read as
 * they always did. */
static const struct {
    const char *opt, *value, *err;
} lc_t_opt_errors[] = {
    {"--timeout", "0.05", "--timeout wants seconds from 0.1 to 3600, not '0.05'"},
    {"--timeout", "3601", "--timeout wants seconds from 0.1 to 3600, not '3601'"},
    {"--deadline", "86401", "--deadline wants seconds from 0 to 86400, not '86401'"},
    {"--parallel", "0", "--parallel wants a number from 1 to 4096, not '0'"},
    {"--parallel", "4097", "--parallel wants a number from 1 to 4096, not '4097'"},
    {"--cert-warn-days", "-1", "--cert-warn-days wants a number from 0 to 3650, not '-1'"},
    {"--port-ranges", "some", "--port-ranges wants full, sample or none, not 'some'"},
    {"--xmpp", "maybe", "--xmpp wants yes or no, not 'maybe'"},
    {"--format", "xml", "--format wants text, json, junit, html, nagios or prometheus, not 'xml'"},
    {"--report", "xml:/tmp/x",
     "--report: unknown format 'xml' (text, json, junit, html, nagios, prometheus)"},
    {"--report", "json:", "--report wants FORMAT:FILE, not 'json:'"},
    {"--report", "averyveryverylongname:/tmp/x",
     "--report wants FORMAT:FILE, not 'averyveryverylongname:/tmp/x'"},
    {"--dns-server", "1.2.3", "--dns-server: '1.2.3' is not IP, IP:PORT or [IPv6]:PORT"},
    {"--user", "a b", "--user: 'a b' is not a user principal name"},
    {"--access-edge", "nodot", "--access-edge: 'nodot' is not fully qualified (no dot)"},
    {"--director-web-external", "a..b.com",
     "--director-web-external: 'a..b.com' is not a valid FQDN: empty label"},
    {"--meet", "x", "--meet: 'x' is not fully qualified (no dot)"},
    {"--sip-domain", "-x.com", "--sip-domain: '-x.com' is not a valid FQDN: label starts with '-'"},
    {"--sip-domains-file", "/nonexistent/domains",
     "--sip-domains-file: /nonexistent/domains: No such file or directory"},
};

START_TEST(test_option_errors)
{
    struct lc_cli cli;
    char err[512] = "";

    ck_assert_int_ne(lc_parse_argv(&cli, err, sizeof(err), 3, lc_t_opt_errors[_i].opt,
                                   lc_t_opt_errors[_i].value),
                     0);
    ck_assert_str_eq(err, lc_t_opt_errors[_i].err);
    lc_cli_clear(&cli);
}
END_TEST

/* What each kind of option stores (the generic apply of the table). */
START_TEST(test_option_values)
{
    struct lc_cli cli;
    char err[512] = "";
    const char *domains =
        lc_write_tmp("# customers\ncontoso.com\n\n  Fabrikam.COM.  # the second\n");

    ck_assert_msg(lc_parse_argv(&cli, err, sizeof(err), 28, "--port-ranges", "sample", "--xmpp",
                                "yes", "--format", "prometheus", "--report", "junit:/tmp/a.xml",
                                "--report", "html:/tmp/b.html", "--parallel", "7",
                                "--cert-warn-days", "0", "--deadline", "0", "--dialin",
                                "dialin.contoso.com", "--web-external", "web.contoso.com",
                                "--web-external", "WEB.contoso.com.", "--sip-domains-file", domains,
                                "--list-checks", "-v", "-v") == 0,
                  "%s", err);
    ck_assert_int_eq(cli.port_ranges, LC_RANGES_SAMPLE);
    ck_assert_int_eq(cli.site.xmpp, 1);
    ck_assert_ptr_eq(cli.format, &lc_reporter_prometheus);
    ck_assert_uint_eq(cli.n_reports, 2);
    ck_assert_ptr_eq(cli.reports[0].format, &lc_reporter_junit);
    ck_assert_str_eq(cli.reports[0].path, "/tmp/a.xml");
    ck_assert_ptr_eq(cli.reports[1].format, &lc_reporter_html);
    ck_assert_uint_eq(cli.parallel, 7);
    ck_assert_int_eq(cli.cert_warn_days, 0);
    ck_assert_uint_eq(cli.deadline_us, 0);
    ck_assert_str_eq(cli.site.dialin, "dialin.contoso.com");
    ck_assert_int_eq(cli.site.dialin_src, LC_SRC_GIVEN);
    /* One name once, however it was spelt. */
    ck_assert_uint_eq(cli.site.web_external.n, 1);
    /* --sip-domains-file: comments and blank lines skipped, names normalized. */
    ck_assert_uint_eq(cli.site.sip_domains.n, 2);
    ck_assert_str_eq(cli.site.sip_domains.v[1], "fabrikam.com");
    ck_assert_int_eq(cli.list_checks, 1);
    ck_assert_int_eq(cli.verbose, 2);
    lc_cli_clear(&cli);
    unlink(domains);
    for (size_t i = 0; lc_reporters[i] != NULL; i++) {
        ck_assert_int_eq(
            lc_parse_argv(&cli, err, sizeof(err), 3, "--format", lc_reporters[i]->name), 0);
        ck_assert_ptr_eq(cli.format, lc_reporters[i]);
        lc_cli_clear(&cli);
    }
}
END_TEST

/* --help lists the formats of the reporter table, the default first. */
START_TEST(test_usage_formats)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    ck_assert_ptr_nonnull(f);
    lc_cli_usage(f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "\n      --format FORMAT                    format of the "
                                       "report on --output: text (default), json, junit, html, "
                                       "nagios, prometheus\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n  -v, --verbose                          more detail"));
    free(text);
}
END_TEST

Suite *lc_suite_cli(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("options");
    TCase *prof = tcase_create("profiles");

    tcase_add_test(tc, test_defaults_and_lists);
    tcase_add_test(tc, test_bad_values);
    tcase_add_test(tc, test_seconds);
    tcase_add_loop_test(tc, test_option_errors, 0,
                        (int)(sizeof(lc_t_opt_errors) / sizeof(lc_t_opt_errors[0])));
    tcase_add_test(tc, test_option_values);
    tcase_add_test(tc, test_usage_formats);
    tcase_add_test(tc, test_site_file_and_override);
    tcase_add_test(tc, test_site_file_errors);
    tcase_add_test(tc, test_missing_site_file);
    tcase_add_test(tc, test_password_sources);
    tcase_add_test(tc, test_role_addresses);
    tcase_add_test(tc, test_resolve_parse);
    tcase_add_test(tc, test_resolve_site_file);
    tcase_add_test(tc, test_resolve_pin_dns);
    tcase_add_test(tc, test_plan_address_and_pin);
    tcase_add_test(prof, test_profile_parse);
    tcase_add_test(prof, test_profile_errors);
    tcase_add_test(prof, test_builtin_profiles_valid);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, prof);
    return s;
}
