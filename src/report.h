/* SPDX-License-Identifier: MIT */
/* lynccheck - the report formats: one table of reporters (the habit of
 * lc_probes[] in probes/registry.c) and the one driver that runs any of
 * them. --format, --report, --help and their error messages are all made
 * from the table, so adding a format is one file (src/report_<name>.c with
 * its struct lc_reporter) and one line in lc_reporters[] (src/report.c);
 * DEVELOPERS.md "Adding a reporter" says the rest. */
#ifndef LC_REPORT_H
#define LC_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "out.h"
#include "result.h"

/* How the user asked for the report, beyond the report itself. */
struct lc_report_opts {
    int color;   /* colour the status words (a terminal that wants it) */
    int verbose; /* -v: more detail (evidence and references) */
};

struct lc_reporter {
    const char *name; /* --format NAME, --report NAME:FILE */
    /* Writes the whole report through o (out.h: its errors are sticky).
     * report->findings is set. 0, or -1 with errno for a failure that is
     * not a write (out of memory). */
    int (*write)(struct lc_out *o, const struct lc_report *report,
                 const struct lc_report_opts *opts);
    int terminal; /* may colour its output when that is a terminal */
};

/* Every format, the default (text) first, NULL-terminated. */
extern const struct lc_reporter *const lc_reporters[];

/* The reporter called name, or NULL. */
const struct lc_reporter *lc_reporter_find(const char *name);
/* The names of every format, separated by sep, the last two by last
 * ("text, json, junit, html, nagios or prometheus"); the first followed by
 * first_note (may be NULL: " (default)"). Only the names that fit buf. */
void lc_reporter_names(char *buf, size_t len, const char *first_note, const char *sep,
                       const char *last);

/* Runs one reporter on a stream: the arguments checked (EINVAL), the
 * findings built when the report has none, the report written and the
 * stream flushed. 0, or -1 with errno set. opts may be NULL (no colour,
 * not verbose). */
int lc_report_write(const struct lc_reporter *rep, const struct lc_report *report, FILE *out,
                    const struct lc_report_opts *opts);

/* The reporters, each in its own file. */
extern const struct lc_reporter lc_reporter_text, lc_reporter_json, lc_reporter_junit,
    lc_reporter_html, lc_reporter_nagios, lc_reporter_prometheus;

struct lc_utf8_rules;

/* The SIP domains, ", " between them, each through the reporter's rules
 * (utf8.h); `none` when there are none. */
void lc_report_domains(struct lc_out *o, const struct lc_report *report, const char *none,
                       const struct lc_utf8_rules *rules);

/* The status in capitals ("PASS", "WARN", ...), as the text, HTML and
 * Nagios reports label it; an out-of-range one is "ERROR". */
const char *lc_status_label(enum lc_status st);

/* The JSON value dumped with jansson's flags into *out, a malloc'ed string
 * (our allocator, not jansson's). 0; 1 when jansson cannot serialise it (a
 * string a probe stored unchecked that is not UTF-8; v NULL), *out NULL;
 * -1 out of memory (errno ENOMEM). */
int lc_report_json_dump(const json_t *v, size_t flags, char **out);

#endif
