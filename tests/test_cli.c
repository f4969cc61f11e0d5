/* Unit tests of option, site file and profile parsing, and their errors. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "probe.h"
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
    ck_assert_int_eq(cli.format, LC_FMT_TEXT);
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

Suite *lc_suite_cli(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("options");
    TCase *prof = tcase_create("profiles");

    tcase_add_test(tc, test_defaults_and_lists);
    tcase_add_test(tc, test_bad_values);
    tcase_add_test(tc, test_seconds);
    tcase_add_test(tc, test_site_file_and_override);
    tcase_add_test(tc, test_site_file_errors);
    tcase_add_test(tc, test_missing_site_file);
    tcase_add_test(tc, test_password_sources);
    tcase_add_test(prof, test_profile_parse);
    tcase_add_test(prof, test_profile_errors);
    tcase_add_test(prof, test_builtin_profiles_valid);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, prof);
    return s;
}
