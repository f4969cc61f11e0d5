/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: a site file's text (lc_cli_parse_site: libinih plus
 * the option table shared with the command line), then what the run does
 * with the site: the naming-convention defaults, the default access edge
 * and the JSON report of the site. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "site.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lc_cli cli;
    char err[512];
    char *text;

    text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&cli, 0, sizeof(cli));
    if (lc_cli_parse_site(&cli, text, "fuzz.site", err, sizeof(err)) == 0) {
        json_t *j;

        if (lc_site_apply_defaults(&cli.site) == 0)
            (void)lc_site_default_edge(&cli.site);
        j = lc_site_to_json(&cli.site);
        if (j != NULL) {
            char *s = json_dumps(j, JSON_COMPACT);
            free(s);
            json_decref(j);
        }
    } else if (memchr(err, '\0', sizeof(err)) == NULL) {
        __builtin_trap();
    }
    lc_cli_clear(&cli);
    free(text);
    return 0;
}
