/* SPDX-License-Identifier: MIT */
/* lynccheck - profiles: which probes run, with which options.
 *
 * A profile is an INI file parsed by libinih. [profile] names the probes
 * to run; one [<probe>] section per probe sets that probe's options. Every
 * entry is validated against the probe's declaration (probe.h) before
 * anything runs, and errors carry "file:line: message". */
#include "config.h"

#include "probe.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "msg.h"
#include "site.h"

#ifndef LC_PROFILE_DIR
#define LC_PROFILE_DIR "/usr/local/share/lynccheck/profiles"
#endif

/* libinih's line buffer (INI_MAX_LINE, 200 in Debian's build). */
#define LC_INI_MAX_LINE 200

/* A profile larger than this is not a profile. */
#define LC_PROFILE_MAX (1024 * 1024)

struct lc_opt_value {
    const struct lc_option_decl *decl;
    int set;
    int b;
    long num;
    char *str;
    struct lc_strv list;
};

struct lc_opts {
    const struct lc_probe *probe;
    size_t n;
    struct lc_opt_value *v;
};

struct lc_profile {
    char *name;
    char *description;
    struct lc_profile_entry *entries;
    size_t n_entries;
};

const struct lc_probe *lc_probe_find(const char *name)
{
    size_t i;

    for (i = 0; lc_probes[i] != NULL; i++)
        if (strcmp(lc_probes[i]->name, name) == 0)
            return lc_probes[i];
    return NULL;
}

static void lc_opts_free(struct lc_opts *opts)
{
    size_t i;

    if (opts == NULL)
        return;
    for (i = 0; i < opts->n; i++) {
        free(opts->v[i].str);
        lc_strv_clear(&opts->v[i].list);
    }
    free(opts->v);
    free(opts);
}

static struct lc_opts *lc_opts_new(const struct lc_probe *probe)
{
    struct lc_opts *opts = calloc(1, sizeof(*opts));
    size_t n = 0, i;

    if (opts == NULL)
        return NULL;
    opts->probe = probe;
    while (probe->options != NULL && probe->options[n].name != NULL)
        n++;
    opts->v = calloc(n ? n : 1, sizeof(*opts->v));
    if (opts->v == NULL) {
        free(opts);
        return NULL;
    }
    opts->n = n;
    for (i = 0; i < n; i++)
        opts->v[i].decl = &probe->options[i];
    return opts;
}

static struct lc_opt_value *lc_opts_slot(const struct lc_opts *opts, const char *name)
{
    size_t i;

    for (i = 0; i < opts->n; i++)
        if (strcmp(opts->v[i].decl->name, name) == 0)
            return &opts->v[i];
    return NULL;
}

static int lc_word_in(const char *const *choices, const char *word)
{
    size_t i;

    if (choices == NULL)
        return 1;
    for (i = 0; choices[i] != NULL; i++)
        if (strcmp(choices[i], word) == 0)
            return 1;
    return 0;
}

static void lc_choices_text(const char *const *choices, char *buf, size_t len)
{
    size_t i, used = 0;

    buf[0] = '\0';
    for (i = 0; choices != NULL && choices[i] != NULL; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", choices[i]);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
}

int lc_parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1", NULL};
    static const char *const no[] = {"no", "false", "off", "0", NULL};
    size_t i;

    for (i = 0; yes[i] != NULL; i++)
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
    for (i = 0; no[i] != NULL; i++)
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    return -1;
}

int lc_parse_long(const char *s, long min, long max, long *out)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Set one option from its text; on error writes why. */
static int lc_opt_assign(struct lc_opt_value *slot, const char *value, int append, char *why,
                         size_t len)
{
    const struct lc_option_decl *d = slot->decl;
    char choices[512];

    lc_choices_text(d->choices, choices, sizeof(choices));
    switch (d->type) {
    case LC_OPT_BOOL:
        if (lc_parse_bool(value, &slot->b) < 0) {
            snprintf(why, len, "option '%s' wants yes or no, not '%s'", d->name, value);
            return -1;
        }
        break;
    case LC_OPT_INT:
        if (lc_parse_long(value, d->min, d->max, &slot->num) < 0) {
            snprintf(why, len, "option '%s' wants a whole number from %ld to %ld, not '%s'",
                     d->name, d->min, d->max, value);
            return -1;
        }
        break;
    case LC_OPT_STRING:
        if (!lc_word_in(d->choices, value)) {
            snprintf(why, len, "option '%s' wants one of: %s; not '%s'", d->name, choices, value);
            return -1;
        }
        free(slot->str);
        slot->str = strdup(value);
        if (slot->str == NULL)
            goto oom;
        break;
    case LC_OPT_LIST: {
        char *copy = strdup(value), *save = NULL, *tok;
        if (copy == NULL)
            goto oom;
        if (!append)
            lc_strv_clear(&slot->list);
        for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
             tok = strtok_r(NULL, ", \t", &save)) {
            if (d->validate != NULL && d->validate(tok, choices, sizeof(choices)) < 0) {
                snprintf(why, len, "option '%s': item '%s': %s", d->name, tok, choices);
                free(copy);
                return -1;
            }
            if (!lc_word_in(d->choices, tok)) {
                snprintf(why, len, "option '%s': unknown item '%s' (known: %s)", d->name, tok,
                         choices);
                free(copy);
                return -1;
            }
            if (lc_strv_push(&slot->list, tok) < 0) {
                free(copy);
                goto oom;
            }
        }
        free(copy);
        break;
    }
    }
    slot->set = 1;
    return 0;
oom:
    snprintf(why, len, "out of memory");
    return -1;
}

int lc_opts_bool(const struct lc_opts *opts, const char *name)
{
    const struct lc_opt_value *v = lc_opts_slot(opts, name);
    return v != NULL && v->decl->type == LC_OPT_BOOL ? v->b : 0;
}

long lc_opts_int(const struct lc_opts *opts, const char *name)
{
    const struct lc_opt_value *v = lc_opts_slot(opts, name);
    return v != NULL && v->decl->type == LC_OPT_INT ? v->num : 0;
}

const char *lc_opts_string(const struct lc_opts *opts, const char *name)
{
    const struct lc_opt_value *v = lc_opts_slot(opts, name);
    return v != NULL && v->decl->type == LC_OPT_STRING ? v->str : NULL;
}

int lc_opts_list_has(const struct lc_opts *opts, const char *name, const char *word)
{
    const struct lc_opt_value *v = lc_opts_slot(opts, name);
    size_t i;

    if (v == NULL || v->decl->type != LC_OPT_LIST)
        return 0;
    for (i = 0; i < v->list.n; i++)
        if (strcmp(v->list.v[i], word) == 0)
            return 1;
    return 0;
}

size_t lc_opts_list_count(const struct lc_opts *opts, const char *name)
{
    const struct lc_opt_value *v = lc_opts_slot(opts, name);
    return v != NULL && v->decl->type == LC_OPT_LIST ? v->list.n : 0;
}

const char *lc_opts_list_item(const struct lc_opts *opts, const char *name, size_t i)
{
    const struct lc_opt_value *v = lc_opts_slot(opts, name);
    return v != NULL && v->decl->type == LC_OPT_LIST && i < v->list.n ? v->list.v[i] : NULL;
}

/* ---- the INI handler ---- */

struct lc_parse {
    struct lc_profile *p;
    struct lc_strv sections_seen;
    char last_section[64];
    char err[512];
    int have_probes;
};

static struct lc_profile_entry *lc_profile_entry_for(struct lc_profile *p, const char *name)
{
    size_t i;

    for (i = 0; i < p->n_entries; i++)
        if (strcmp(p->entries[i].probe->name, name) == 0)
            return &p->entries[i];
    return NULL;
}

/* inih reports the line of the first error; keep that one's text (msg.h). */
#define lc_parse_fail(st, ...) lc_msgf_first((st)->err, sizeof((st)->err), __VA_ARGS__)

static int lc_profile_on_profile_key(struct lc_parse *st, const char *name, const char *value)
{
    struct lc_profile *p = st->p;

    if (strcmp(name, "description") == 0) {
        free(p->description);
        p->description = strdup(value);
        return p->description != NULL ? 1 : lc_parse_fail(st, "out of memory");
    }
    if (strcmp(name, "probes") == 0) {
        char *copy, *save = NULL, *tok;
        if (st->have_probes)
            return lc_parse_fail(st, "'probes' given twice");
        st->have_probes = 1;
        copy = strdup(value);
        if (copy == NULL)
            return lc_parse_fail(st, "out of memory");
        for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
             tok = strtok_r(NULL, ", \t", &save)) {
            const struct lc_probe *probe = lc_probe_find(tok);
            struct lc_profile_entry *e;
            if (probe == NULL) {
                lc_parse_fail(st, "unknown probe '%s'", tok);
                free(copy);
                return 0;
            }
            if (lc_profile_entry_for(p, tok) != NULL) {
                lc_parse_fail(st, "probe '%s' listed twice", tok);
                free(copy);
                return 0;
            }
            e = realloc(p->entries, (p->n_entries + 1) * sizeof(*e));
            if (e == NULL) {
                free(copy);
                return lc_parse_fail(st, "out of memory");
            }
            p->entries = e;
            e = &p->entries[p->n_entries];
            e->probe = probe;
            e->opts = lc_opts_new(probe);
            if (e->opts == NULL) {
                free(copy);
                return lc_parse_fail(st, "out of memory");
            }
            p->n_entries++;
        }
        free(copy);
        return 1;
    }
    return lc_parse_fail(st, "unknown key '%s' in [profile] (known: description, probes)", name);
}

static int lc_profile_on_entry(void *user, const char *section, const char *name, const char *value)
{
    struct lc_parse *st = user;
    struct lc_profile_entry *e;
    struct lc_opt_value *slot;
    char why[512];

    if (section[0] == '\0')
        return lc_parse_fail(st, "'%s' outside any section", name);
    /* inih merges a section given twice; catch it by the change of name. */
    if (strcmp(section, st->last_section) != 0) {
        if (lc_strv_contains(&st->sections_seen, section))
            return lc_parse_fail(st, "duplicate section [%s]", section);
        if (lc_strv_push(&st->sections_seen, section) < 0)
            return lc_parse_fail(st, "out of memory");
        snprintf(st->last_section, sizeof(st->last_section), "%s", section);
    }
    if (strcmp(section, "profile") == 0)
        return lc_profile_on_profile_key(st, name, value);
    if (lc_probe_find(section) == NULL)
        return lc_parse_fail(st, "unknown section [%s]: not a probe", section);
    e = lc_profile_entry_for(st->p, section);
    if (e == NULL)
        return lc_parse_fail(st, "section [%s]: probe '%s' is not in [profile] probes", section,
                             section);
    slot = lc_opts_slot(e->opts, name);
    if (slot == NULL)
        return lc_parse_fail(st, "[%s]: unknown option '%s'", section, name);
    if (slot->set && slot->decl->type != LC_OPT_LIST)
        return lc_parse_fail(st, "[%s]: option '%s' given twice", section, name);
    /* A list may go on over several lines (repeated key, or inih's
     * indented continuation lines): each line adds its items. */
    if (lc_opt_assign(slot, value, slot->set, why, sizeof(why)) < 0)
        return lc_parse_fail(st, "[%s]: %s", section, why);
    return 1;
}

void lc_profile_free(struct lc_profile *profile)
{
    size_t i;

    if (profile == NULL)
        return;
    for (i = 0; i < profile->n_entries; i++)
        lc_opts_free(profile->entries[i].opts);
    free(profile->entries);
    free(profile->name);
    free(profile->description);
    free(profile);
}

/* The name a profile goes by: its file name without directory and suffix. */
static char *lc_profile_name_from(const char *origin)
{
    const char *base = strrchr(origin, '/');
    size_t len;
    char *name;

    base = base != NULL ? base + 1 : origin;
    len = strlen(base);
    if (len > 8 && strcmp(base + len - 8, ".profile") == 0)
        len -= 8;
    name = malloc(len + 1);
    if (name != NULL) {
        memcpy(name, base, len);
        name[len] = '\0';
    }
    return name;
}

int lc_text_check_lines(const char *text, const char *origin, char *err, size_t errlen)
{
    const char *p = text;
    int line = 1;

    /* libinih cuts lines at INI_MAX_LINE and reads the rest as a new line:
     * refuse them rather than parse half an entry. */
    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
        if (len >= LC_INI_MAX_LINE) {
            snprintf(err, errlen,
                     "%s:%d: line longer than %d characters: split the list over several lines "
                     "(repeat the key)",
                     origin, line, LC_INI_MAX_LINE - 1);
            return -1;
        }
        if (nl == NULL)
            break;
        p = nl + 1;
        line++;
    }
    return 0;
}

int lc_profile_parse(const char *text, const char *origin, struct lc_profile **out, char *err,
                     size_t errlen)
{
    struct lc_parse st;
    int line, rc = -1;
    size_t i, j;

    *out = NULL;
    if (lc_text_check_lines(text, origin, err, errlen) < 0)
        return -1;
    memset(&st, 0, sizeof(st));
    st.p = calloc(1, sizeof(*st.p));
    if (st.p == NULL || (st.p->name = lc_profile_name_from(origin)) == NULL) {
        snprintf(err, errlen, "%s: out of memory", origin);
        goto done;
    }
    line = ini_parse_string(text, lc_profile_on_entry, &st);
    if (line != 0) {
        snprintf(err, errlen, "%s:%d: %s", origin, line,
                 st.err[0] ? st.err : "syntax error (expected [section] or key = value)");
        goto done;
    }
    if (!st.have_probes || st.p->n_entries == 0) {
        snprintf(err, errlen, "%s: no probes: add a [profile] section with 'probes = ...'", origin);
        goto done;
    }
    /* Defaults for what the profile left unset, through the same validator. */
    for (i = 0; i < st.p->n_entries; i++) {
        struct lc_opts *opts = st.p->entries[i].opts;
        for (j = 0; j < opts->n; j++) {
            char why[512];
            if (opts->v[j].set || opts->v[j].decl->def == NULL)
                continue;
            if (lc_opt_assign(&opts->v[j], opts->v[j].decl->def, 0, why, sizeof(why)) < 0) {
                snprintf(err, errlen, "%s: probe '%s': bad built-in default: %s", origin,
                         opts->probe->name, why);
                goto done;
            }
        }
    }
    *out = st.p;
    st.p = NULL;
    rc = 0;
done:
    lc_profile_free(st.p);
    lc_strv_clear(&st.sections_seen);
    return rc;
}

/* Read a whole (small) file; NUL bytes make it not a text file. */
static char *lc_file_slurp(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, n;

    if (f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    buf = malloc(LC_PROFILE_MAX + 1);
    if (buf == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    while ((n = fread(buf + len, 1, LC_PROFILE_MAX + 1 - len, f)) > 0) {
        len += n;
        if (len > LC_PROFILE_MAX) {
            snprintf(err, errlen, "%s: larger than %d bytes", path, LC_PROFILE_MAX);
            goto fail;
        }
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        goto fail;
    }
    if (memchr(buf, '\0', len) != NULL) {
        snprintf(err, errlen, "%s: not a text file (NUL byte)", path);
        goto fail;
    }
    buf[len] = '\0';
    fclose(f);
    return buf;
fail:
    free(buf);
    fclose(f);
    return NULL;
}

char *lc_text_file_read(const char *path, char *err, size_t errlen)
{
    return lc_file_slurp(path, err, errlen);
}

static int lc_profile_name_ok(const char *name)
{
    const char *s;

    if (name[0] == '\0' || strlen(name) > 64)
        return 0;
    for (s = name; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return 0;
    return 1;
}

static int lc_profile_load_file(const char *path, struct lc_profile **out, char *err, size_t errlen)
{
    char *text = lc_file_slurp(path, err, errlen);
    int rc;

    if (text == NULL)
        return -1;
    rc = lc_profile_parse(text, path, out, err, errlen);
    free(text);
    return rc;
}

int lc_profile_load(const char *name, struct lc_profile **out, char *err, size_t errlen)
{
    const char *dirs[2];
    char path[4096];
    size_t i;

    *out = NULL;
    if (strchr(name, '/') != NULL)
        return lc_profile_load_file(name, out, err, errlen);
    if (!lc_profile_name_ok(name)) {
        snprintf(err, errlen, "invalid profile name '%s' (letters, digits, '-', '_'; or a path)",
                 name);
        return -1;
    }
    dirs[0] = getenv("LYNCCHECK_PROFILE_DIR");
    dirs[1] = LC_PROFILE_DIR;
    for (i = 0; i < 2; i++) {
        FILE *f;
        if (dirs[i] == NULL || dirs[i][0] == '\0')
            continue;
        if (snprintf(path, sizeof(path), "%s/%s.profile", dirs[i], name) >= (int)sizeof(path))
            continue;
        f = fopen(path, "rb");
        if (f == NULL)
            continue;
        fclose(f);
        return lc_profile_load_file(path, out, err, errlen);
    }
    for (i = 0; lc_builtin_profiles[i].name != NULL; i++) {
        if (strcmp(lc_builtin_profiles[i].name, name) == 0) {
            snprintf(path, sizeof(path), "<built-in>/%s.profile", name);
            return lc_profile_parse(lc_builtin_profiles[i].text, path, out, err, errlen);
        }
    }
    snprintf(err, errlen, "unknown profile '%s' (see --list-profiles)", name);
    return -1;
}

const char *lc_profile_name(const struct lc_profile *profile)
{
    return profile->name;
}
const char *lc_profile_description(const struct lc_profile *profile)
{
    return profile->description != NULL ? profile->description : "";
}
size_t lc_profile_count(const struct lc_profile *profile)
{
    return profile->n_entries;
}
const struct lc_profile_entry *lc_profile_entry(const struct lc_profile *profile, size_t i)
{
    return i < profile->n_entries ? &profile->entries[i] : NULL;
}
