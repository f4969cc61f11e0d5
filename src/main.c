/* SPDX-License-Identifier: MIT */
/* lynccheck - command-line entry point: a thin layer over the internal
 * library (the curl tool habit), so the tests link the code the binary runs. */
#include "config.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "cli.h"
#include "findings.h"
#include "probe.h"
#include "probes.h"
#include "report.h"
#include "result.h"
#include "run.h"
#include "site.h"
#include "tls.h"

#ifndef LC_PROFILE_DIR
#define LC_PROFILE_DIR "/usr/local/share/lynccheck/profiles"
#endif

#define LC_EXIT_UNKNOWN 3

/* Write to a temporary file beside the target and rename it into place, so
 * a nightly job never reads half a report. */
static int lc_report_write_file(const struct lc_report *report, const struct lc_reporter *format,
                                const char *path, int verbose, char *err, size_t errlen)
{
    const struct lc_report_opts opts = {0, verbose};
    char tmp[PATH_MAX];
    FILE *out = NULL;
    int fd, rc = -1;

    if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
        snprintf(err, errlen, "%s: path too long", path);
        return -1;
    }
    fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        return -1;
    }
    out = fdopen(fd, "w");
    if (out == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        goto done;
    }
    if (lc_report_write(format, report, out, &opts) < 0 || fflush(out) != 0 ||
        fsync(fileno(out)) != 0) {
        snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
        goto done;
    }
    if (fclose(out) != 0) {
        out = NULL;
        snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
        goto done;
    }
    out = NULL;
    /* mkstemp makes the file 0600; a report is not secret. */
    (void)chmod(tmp, 0644);
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot rename into place: %s", path, strerror(errno));
        goto done;
    }
    rc = 0;
done:
    if (out != NULL)
        fclose(out);
    if (rc < 0)
        unlink(tmp);
    return rc;
}

/* An output file we could not write would be found out only after the
 * whole run; find it out before probing starts. */
static int lc_output_check(const char *path, char *err, size_t errlen)
{
    char copy[PATH_MAX];
    const char *dir;
    struct stat st;

    if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy)) {
        snprintf(err, errlen, "%s: path too long", path);
        return -1;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: is a directory", path);
        return -1;
    }
    dir = dirname(copy);
    if (access(dir, W_OK | X_OK) != 0) {
        snprintf(err, errlen, "%s: cannot write in %s: %s", path, dir, strerror(errno));
        return -1;
    }
    return 0;
}

static void lc_list_profiles(FILE *out)
{
    const char *dirs[2] = {getenv("LYNCCHECK_PROFILE_DIR"), LC_PROFILE_DIR};
    size_t i, d;

    for (i = 0; lc_builtin_profiles[i].name != NULL; i++) {
        struct lc_profile *p = NULL;
        char err[512];
        if (lc_profile_load(lc_builtin_profiles[i].name, &p, err, sizeof(err)) < 0) {
            fprintf(out, "%-16s (invalid: %s)\n", lc_builtin_profiles[i].name, err);
            continue;
        }
        fprintf(out, "%-16s %s\n", lc_builtin_profiles[i].name, lc_profile_description(p));
        lc_profile_free(p);
    }
    /* Profiles an administrator added beside the installed ones. */
    for (d = 0; d < 2; d++) {
        DIR *dir;
        struct dirent *e;
        if (dirs[d] == NULL || (dir = opendir(dirs[d])) == NULL)
            continue;
        while ((e = readdir(dir)) != NULL) {
            size_t len = strlen(e->d_name);
            char name[256];
            int builtin = 0;
            if (len <= 8 || strcmp(e->d_name + len - 8, ".profile") != 0 || len - 8 >= sizeof(name))
                continue;
            memcpy(name, e->d_name, len - 8);
            name[len - 8] = '\0';
            for (i = 0; lc_builtin_profiles[i].name != NULL; i++)
                builtin |= strcmp(lc_builtin_profiles[i].name, name) == 0;
            if (!builtin)
                fprintf(out, "%-16s (%s/%s)\n", name, dirs[d], e->d_name);
        }
        closedir(dir);
    }
}

static char *lc_join_csv(const struct lc_strv *sv)
{
    size_t len = 1, i, used = 0;
    char *s;

    if (sv->n == 0)
        return NULL;
    for (i = 0; i < sv->n; i++)
        len += strlen(sv->v[i]) + 1;
    s = malloc(len);
    if (s == NULL)
        return NULL;
    s[0] = '\0';
    for (i = 0; i < sv->n; i++) {
        int n = snprintf(s + used, len - used, "%s%s", i ? "," : "", sv->v[i]);
        if (n > 0)
            used += (size_t)n;
    }
    return s;
}

/* On stderr, for whoever typed the command (the reports say it too). The
 * glob is the operator's own text, printed with controls neutralised. */
static void lc_warn_unmatched(const char *option, const char *const *globs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(stderr, "lynccheck: warning: %s '", option);
        for (const unsigned char *p = (const unsigned char *)globs[i]; *p != '\0'; p++)
            fputc(*p < 0x20 || *p == 0x7F ? '?' : *p, stderr);
        fputs("' matches no check (--list-checks lists them)\n", stderr);
    }
}

static void lc_on_progress(size_t done, size_t total, const struct lc_result *r, void *arg)
{
    (void)arg;
    fprintf(stderr, "\r\033[K[%zu/%zu] %s %s", done, total, lc_status_name(r->status), r->id);
    if (done == total)
        fputs("\r\033[K", stderr);
    fflush(stderr);
}

/* The results as the reporters see them, each with the ids of the checks
 * it depended on (findings.h groups a check with a failed dependency). The
 * copies point into the run's strings: free them before the run. */
static int lc_results_with_deps(struct lc_run *run, size_t n, struct lc_result **copies,
                                const char ***depids, const struct lc_result **results)
{
    size_t i, total = 0, used = 0;

    for (i = 0; i < n; i++) {
        const struct lc_check *c = lc_run_find(run, lc_run_result(run, i)->id);
        total += c != NULL ? lc_check_n_deps(c) : 0;
    }
    *copies = calloc(n ? n : 1, sizeof(**copies));
    *depids = calloc(total ? total : 1, sizeof(**depids));
    if (*copies == NULL || *depids == NULL)
        return -1;
    for (i = 0; i < n; i++) {
        const struct lc_check *c = lc_run_find(run, lc_run_result(run, i)->id);
        size_t k, nd = c != NULL ? lc_check_n_deps(c) : 0;
        (*copies)[i] = *lc_run_result(run, i);
        (*copies)[i].deps = *depids + used;
        for (k = 0; k < nd; k++)
            (*depids)[used++] = lc_check_result(lc_check_dep(c, k))->id;
        (*copies)[i].n_deps = nd;
        results[i] = &(*copies)[i];
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct lc_cli cli;
    struct lc_profile *profile = NULL;
    struct lc_run *run = NULL;
    struct lc_run_config cfg;
    struct lc_report report;
    const struct lc_result **results = NULL;
    struct lc_result *copies = NULL;
    const char **depids = NULL;
    json_t *baseline = NULL;
    struct lc_findings *findings = NULL;
    struct lc_changes *changes = NULL;
    const char *const *unmatched_only = NULL, *const *unmatched_skip = NULL;
    size_t n_unmatched_only = 0, n_unmatched_skip = 0;
    json_t *site_json = NULL;
    char err[1024], hostname[256];
    char *dns_csv = NULL;
    int rc = LC_EXIT_UNKNOWN, curl_ready = 0;
    size_t i, n;
    time_t started;

    if (lc_cli_parse(&cli, argc, argv, err, sizeof(err)) < 0) {
        fprintf(stderr, "lynccheck: %s\n", err);
        goto done;
    }
    if (cli.site.web_password != NULL) {
        /* The password is in this process's memory from now on: no core
         * dump, and no ptrace by other processes of the same user. */
        struct rlimit none = {0, 0};
        (void)setrlimit(RLIMIT_CORE, &none);
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    if (cli.help) {
        lc_cli_usage(stdout);
        rc = 0;
        goto done;
    }
    if (cli.version) {
        printf("lynccheck %s\n", PACKAGE_VERSION);
        rc = 0;
        goto done;
    }
    if (cli.list_profiles) {
        lc_list_profiles(stdout);
        rc = 0;
        goto done;
    }
    if (cli.site.sip_domains.n == 0) {
        fprintf(stderr, "lynccheck: at least one --sip-domain is required (see --help)\n");
        goto done;
    }
    if (lc_profile_load(cli.profile != NULL ? cli.profile : "external", &profile, err,
                        sizeof(err)) < 0) {
        fprintf(stderr, "lynccheck: %s\n", err);
        goto done;
    }
    if (cli.baseline != NULL) {
        /* A nightly job that lost last night's report must say so, not
         * silently report without a comparison: exit 3 before probing. */
        if (lc_baseline_load(cli.baseline, &baseline, err, sizeof(err)) < 0) {
            fprintf(stderr, "lynccheck: --baseline %s\n", err);
            goto done;
        }
        if (lc_baseline_match(baseline, (const char *const *)cli.site.sip_domains.v,
                              cli.site.sip_domains.n, lc_profile_name(profile), err,
                              sizeof(err)) < 0) {
            fprintf(stderr, "lynccheck: --baseline %s refused: %s\n", cli.baseline, err);
            goto done;
        }
    }
    if (cli.ca_file != NULL) {
        /* A bad trust anchor file is a usage error, found before probing. */
        SSL_CTX *ctx = lc_tls_ctx_new(cli.ca_file, err, sizeof(err));
        if (ctx == NULL) {
            fprintf(stderr, "lynccheck: %s\n", err);
            goto done;
        }
        SSL_CTX_free(ctx);
    }
    if (cli.output != NULL && lc_output_check(cli.output, err, sizeof(err)) < 0) {
        fprintf(stderr, "lynccheck: --output %s\n", err);
        goto done;
    }
    for (i = 0; i < cli.n_reports; i++) {
        if (lc_output_check(cli.reports[i].path, err, sizeof(err)) < 0) {
            fprintf(stderr, "lynccheck: --report %s\n", err);
            goto done;
        }
    }
    if (lc_site_apply_defaults(&cli.site) < 0) {
        fprintf(stderr, "lynccheck: out of memory\n");
        goto done;
    }
    /* A peer that closes while we write must give EPIPE, not kill us. */
    signal(SIGPIPE, SIG_IGN);
    lc_port_raise_nofile();
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "lynccheck: libcurl initialisation failed\n");
        goto done;
    }
    curl_ready = 1;
    dns_csv = lc_join_csv(&cli.dns_servers);
    memset(&cfg, 0, sizeof(cfg));
    cfg.parallel = cli.parallel;
    cfg.timeout_us = cli.timeout_us;
    cfg.deadline_us = cli.deadline_us;
    cfg.dns_servers = dns_csv;
    cfg.ca_file = cli.ca_file;
    cfg.cert_warn_days = cli.cert_warn_days;
    cfg.port_ranges = (enum lc_ranges)cli.port_ranges;
    if (lc_run_new(&run, &cfg, &cli.site, err, sizeof(err)) < 0) {
        fprintf(stderr, "lynccheck: %s\n", err);
        goto done;
    }
    started = time(NULL);
    /* --list-checks does no I/O: it shows the conventional access edge. */
    if (cli.list_checks
            ? lc_site_default_edge(&cli.site)
            : lc_site_discover(&cli.site, lc_run_loop(run), lc_run_dns(run), cli.timeout_us)) {
        fprintf(stderr, "lynccheck: out of memory\n");
        goto done;
    }
    for (i = 0; i < lc_profile_count(profile); i++) {
        const struct lc_profile_entry *e = lc_profile_entry(profile, i);
        if (e->probe->plan(run, &cli.site, e->opts) < 0) {
            fprintf(stderr, "lynccheck: planning the %s probe failed (out of memory?)\n",
                    e->probe->name);
            goto done;
        }
    }
    if (lc_run_select(run, (const char *const *)cli.only.v, cli.only.n,
                      (const char *const *)cli.skip.v, cli.skip.n) < 0) {
        fprintf(stderr, "lynccheck: out of memory\n");
        goto done;
    }
    n_unmatched_only = lc_run_unmatched(run, 0, &unmatched_only);
    n_unmatched_skip = lc_run_unmatched(run, 1, &unmatched_skip);
    /* A glob that matches no check is most likely a typo. Not a usage
     * error that stops here: a monitoring system reads its state from the
     * report, so the run goes on and every report names the glob; when
     * nothing is left to check, lc_exit_status makes the run UNKNOWN. */
    lc_warn_unmatched("--only", unmatched_only, n_unmatched_only);
    lc_warn_unmatched("--skip", unmatched_skip, n_unmatched_skip);
    n = lc_run_count(run);
    if (cli.list_checks) {
        for (i = 0; i < n; i++) {
            const struct lc_result *r = lc_run_result(run, i);
            if (r->status == LC_SKIP)
                printf("%-60s skip: %s\n", r->id, r->message);
            else
                printf("%s\n", r->id);
        }
        rc = 0;
        goto done;
    }
    if (isatty(STDERR_FILENO))
        lc_run_on_progress(run, lc_on_progress, NULL);
    if (lc_run_execute(run, err, sizeof(err)) < 0) {
        fprintf(stderr, "lynccheck: %s\n", err);
        goto done;
    }
    /* The probes' working state (request buffers, certificates, sockets)
     * goes before the reports are built, which reuse that memory: the peak
     * is the run's, not the run's plus the reports' (10 MB less at 1,000
     * SIP domains). */
    lc_run_release(run);
    results = calloc(n ? n : 1, sizeof(*results));
    site_json = lc_site_to_json(&cli.site);
    if (results == NULL) {
        fprintf(stderr, "lynccheck: out of memory\n");
        goto done;
    }
    if (lc_results_with_deps(run, n, &copies, &depids, results) < 0) {
        fprintf(stderr, "lynccheck: out of memory\n");
        goto done;
    }
    if (gethostname(hostname, sizeof(hostname)) != 0)
        snprintf(hostname, sizeof(hostname), "localhost");
    hostname[sizeof(hostname) - 1] = '\0';
    memset(&report, 0, sizeof(report));
    report.profile = lc_profile_name(profile);
    report.sip_domains = (const char *const *)cli.site.sip_domains.v;
    report.n_sip_domains = cli.site.sip_domains.n;
    report.version = PACKAGE_VERSION;
    report.hostname = hostname;
    report.cert_warn_days = cli.cert_warn_days;
    report.started = started;
    report.duration_us = lc_run_duration_us(run);
    report.site = site_json;
    report.results = results;
    report.n_results = n;
    report.unmatched_only = unmatched_only;
    report.n_unmatched_only = n_unmatched_only;
    report.unmatched_skip = unmatched_skip;
    report.n_unmatched_skip = n_unmatched_skip;
    if (lc_findings_build(&report, &findings) < 0 ||
        (baseline != NULL && lc_changes_build(baseline, &report, findings, &changes) < 0)) {
        fprintf(stderr, "lynccheck: out of memory\n");
        goto done;
    }
    report.findings = findings;
    report.changes = changes;
    rc = lc_exit_status(&report);
    if (cli.output != NULL) {
        if (lc_report_write_file(&report, cli.format, cli.output, cli.verbose, err, sizeof(err)) <
            0) {
            fprintf(stderr, "lynccheck: %s\n", err);
            rc = LC_EXIT_UNKNOWN;
        }
    } else {
        const struct lc_report_opts opts = {cli.format->terminal && isatty(STDOUT_FILENO) &&
                                                getenv("NO_COLOR") == NULL,
                                            cli.verbose};
        if (lc_report_write(cli.format, &report, stdout, &opts) < 0 || fflush(stdout) != 0) {
            fprintf(stderr, "lynccheck: writing the report failed: %s\n", strerror(errno));
            rc = LC_EXIT_UNKNOWN;
        }
    }
    for (i = 0; i < cli.n_reports; i++) {
        if (lc_report_write_file(&report, cli.reports[i].format, cli.reports[i].path, cli.verbose,
                                 err, sizeof(err)) < 0) {
            fprintf(stderr, "lynccheck: %s\n", err);
            rc = LC_EXIT_UNKNOWN;
        }
    }
done:
    lc_changes_free(changes);
    lc_findings_free(findings);
    json_decref(baseline);
    free(results);
    free(copies);
    free(depids);
    json_decref(site_json);
    lc_run_free(run);
    lc_profile_free(profile);
    free(dns_csv);
    lc_cli_clear(&cli);
    if (curl_ready)
        curl_global_cleanup();
    return rc;
}
