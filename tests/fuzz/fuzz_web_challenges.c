/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: WWW-Authenticate field values as a reverse proxy or a
 * Lync web service sends them (lc_web_challenges_add, RFC 7235 4.1). The
 * input is split at LF into the fields of one response, as libcurl hands
 * them over one header at a time. Each field is also read as an
 * X-Ms-diagnostics value (lc_web_diag_parse), the token service's other
 * header. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lc_fuzz_check(const struct lc_web_challenges *c)
{
    if (memchr(c->msrtc_href, '\0', sizeof(c->msrtc_href)) == NULL ||
        memchr(c->msrtc_grant, '\0', sizeof(c->msrtc_grant)) == NULL ||
        memchr(c->realm, '\0', sizeof(c->realm)) == NULL ||
        memchr(c->other, '\0', sizeof(c->other)) == NULL)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lc_web_challenges c;
    const char *s = (const char *)data;
    char text[128], tiny[4];
    size_t off = 0;

    memset(&c, 0, sizeof(c));
    while (off < size) {
        const char *lf = memchr(s + off, '\n', size - off);
        size_t n = lf != NULL ? (size_t)(lf - (s + off)) : size - off;
        /* An exact-size copy without a NUL: the API takes a length, and
         * ASan sees any read past it. */
        char *field = malloc(n > 0 ? n : 1);

        if (field == NULL)
            break;
        memcpy(field, s + off, n);
        (void)lc_web_challenges_add(&c, field, n);
        {
            struct lc_web_diag d;
            char dt[64];

            (void)lc_web_diag_parse(field, n, &d);
            if (memchr(d.reason, '\0', sizeof(d.reason)) == NULL ||
                memchr(d.source, '\0', sizeof(d.source)) == NULL ||
                memchr(lc_web_diag_text(&d, dt, sizeof(dt)), '\0', sizeof(dt)) == NULL)
                __builtin_trap();
        }
        free(field);
        lc_fuzz_check(&c);
        off += n + 1;
    }
    if (lc_web_challenges_text(&c, text, sizeof(text)) == NULL ||
        memchr(text, '\0', sizeof(text)) == NULL)
        __builtin_trap();
    (void)lc_web_challenges_text(&c, tiny, sizeof(tiny));
    return 0;
}
