/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: a profile's text (lc_profile_parse; libinih plus the
 * option declarations of every probe), then every option read back the way
 * the probes read it. Profiles are local files, but --profile takes any
 * path and a profile may come from someone else. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lc_fuzz_read_opts(const struct lc_profile_entry *e)
{
    const struct lc_option_decl *d;

    for (d = e->probe->options; d != NULL && d->name != NULL; d++) {
        size_t i, n;

        switch (d->type) {
        case LC_OPT_BOOL:
            (void)lc_opts_bool(e->opts, d->name);
            break;
        case LC_OPT_INT: {
            long v = lc_opts_int(e->opts, d->name);
            if (v < d->min || v > d->max)
                __builtin_trap(); /* the parser enforces the bounds */
            break;
        }
        case LC_OPT_STRING:
            (void)lc_opts_string(e->opts, d->name);
            break;
        case LC_OPT_LIST:
            n = lc_opts_list_count(e->opts, d->name);
            for (i = 0; i < n; i++) {
                const char *item = lc_opts_list_item(e->opts, d->name, i);
                if (item == NULL)
                    __builtin_trap();
                (void)lc_opts_list_has(e->opts, d->name, item);
            }
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lc_profile *p = NULL;
    char err[512];
    char *text;

    /* The text entry point wants a C string: what lc_text_file_read returns. */
    text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (lc_profile_parse(text, "fuzz.profile", &p, err, sizeof(err)) == 0) {
        size_t i, n = lc_profile_count(p);

        (void)lc_profile_name(p);
        (void)lc_profile_description(p);
        for (i = 0; i < n; i++)
            lc_fuzz_read_opts(lc_profile_entry(p, i));
        lc_profile_free(p);
    } else if (memchr(err, '\0', sizeof(err)) == NULL) {
        __builtin_trap();
    }
    free(text);
    return 0;
}
