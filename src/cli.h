/* SPDX-License-Identifier: MIT */
/* lynccheck - command line and site file (the same option names in both). */
#ifndef LC_CLI_H
#define LC_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "site.h"

struct lc_reporter; /* report.h: a report format */

struct lc_report_target {
    const struct lc_reporter *format;
    char *path; /* NULL: standard output */
};

struct lc_cli {
    struct lc_site site;
    char *profile;
    struct lc_strv dns_servers;
    char *ca_file;
    struct lc_strv only, skip;
    const struct lc_reporter *format; /* --format (default: lc_reporters[0], text) */
    char *output;
    char *baseline; /* --baseline: an earlier JSON report */
    struct lc_report_target *reports;
    size_t n_reports;
    uint64_t timeout_us, deadline_us;
    unsigned parallel;
    int cert_warn_days;
    int port_ranges; /* enum lc_ranges (run.h) */
    int list_profiles, list_checks, verbose, version, help;
    char *config;
    char *password_file;
};

/* Defaults, then the site file named by --config (if any), then the
 * command line, which overrides the file (a list option given on the
 * command line replaces the file's list). Returns 0, or -1 with a one-line
 * message ("file:line: ..." for the site file). */
int lc_cli_parse(struct lc_cli *cli, int argc, char **argv, char *err, size_t errlen);
/* Apply a site file's text (for tests; lc_cli_parse calls it). */
int lc_cli_parse_site(struct lc_cli *cli, const char *text, const char *origin, char *err,
                      size_t errlen);
void lc_cli_clear(struct lc_cli *cli);
void lc_cli_usage(FILE *out);
/* "1.5" -> 1500000; whole and up to six decimal places, no sign. */
int lc_parse_seconds(const char *s, uint64_t min_us, uint64_t max_us, uint64_t *out);

#endif
