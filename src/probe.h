/* SPDX-License-Identifier: MIT */
/* lynccheck - probe modules and the options they declare.
 *
 * A probe module is one file in probes/ plus one line in probes/registry.c.
 * It declares the options it accepts; the core fills defaults and rejects
 * unknown or ill-typed entries (with file:line) before any probe runs, so
 * probes never parse configuration (the libsigrok sr_output_new() habit). */
#ifndef LC_PROBE_H
#define LC_PROBE_H

#include <stddef.h>

struct lc_run;
struct lc_site;

enum lc_opt_type { LC_OPT_BOOL, LC_OPT_INT, LC_OPT_STRING, LC_OPT_LIST };

struct lc_option_decl {
    const char *name;
    enum lc_opt_type type;
    const char *def; /* default, in the file syntax ("yes", "5", "a, b") */
    const char *help;
    /* LC_OPT_STRING and LC_OPT_LIST: allowed words (NULL-terminated), or NULL
     * for any; LC_OPT_INT: inclusive bounds. */
    const char *const *choices;
    long min, max;
    /* LC_OPT_LIST: a check of each item's syntax, or NULL. Returns 0, or -1
     * with the reason written to why. */
    int (*validate)(const char *item, char *why, size_t len);
};

/* Parsed option values of one probe section, validated. */
struct lc_opts;
int lc_opts_bool(const struct lc_opts *opts, const char *name);
long lc_opts_int(const struct lc_opts *opts, const char *name);
const char *lc_opts_string(const struct lc_opts *opts, const char *name);
/* Is word one of the list option's items? */
int lc_opts_list_has(const struct lc_opts *opts, const char *name, const char *word);
/* The list option's items, in order (NULL when not a list). */
size_t lc_opts_list_count(const struct lc_opts *opts, const char *name);
const char *lc_opts_list_item(const struct lc_opts *opts, const char *name, size_t i);

struct lc_probe {
    const char *name;                     /* section name in profiles, first part of check ids */
    const char *summary;                  /* one line for --list-profiles / docs */
    const struct lc_option_decl *options; /* terminated by { NULL } */
    /* Plan this probe's checks for the site. Returns 0, or -1 when out of
     * memory. Must not do I/O. */
    int (*plan)(struct lc_run *run, const struct lc_site *site, const struct lc_opts *opts);
};

/* probes/registry.c: NULL-terminated. */
extern const struct lc_probe *const lc_probes[];
const struct lc_probe *lc_probe_find(const char *name);

/* A profile: which probes run, with which options. */
struct lc_profile;
struct lc_profile_entry {
    const struct lc_probe *probe;
    struct lc_opts *opts;
};

/* Parse a profile (INI: one [probe] section per probe, `option = value`).
 * `origin` names the file in messages. On error returns -1 and writes
 * "origin:line: message". */
int lc_profile_parse(const char *text, const char *origin, struct lc_profile **out, char *err,
                     size_t errlen);
/* Find NAME (a path when it has a '/', else $LYNCCHECK_PROFILE_DIR,
 * the installed profiles directory, then the profiles built in) and parse it. */
int lc_profile_load(const char *name_or_path, struct lc_profile **out, char *err, size_t errlen);
void lc_profile_free(struct lc_profile *profile);
const char *lc_profile_name(const struct lc_profile *profile);
const char *lc_profile_description(const struct lc_profile *profile);
size_t lc_profile_count(const struct lc_profile *profile);
const struct lc_profile_entry *lc_profile_entry(const struct lc_profile *profile, size_t i);
/* Print the names and descriptions of every profile found (--list-profiles). */
struct lc_profile_info {
    const char *name;
    const char *text;
};
/* Built-in profiles (generated from profiles/ at build time), NULL-terminated. */
extern const struct lc_profile_info lc_builtin_profiles[];

/* Shared parsers for option values (profile.c): 0 or -1. */
int lc_parse_bool(const char *s, int *out);
int lc_parse_long(const char *s, long min, long max, long *out);
/* Refuse lines too long for libinih ("origin:line: ..."): 0 or -1. */
int lc_text_check_lines(const char *text, const char *origin, char *err, size_t errlen);
/* Read a text file of at most 1 MiB; NULL with a message on error. */
char *lc_text_file_read(const char *path, char *err, size_t errlen);

#endif
