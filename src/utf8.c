/* SPDX-License-Identifier: MIT */
/* lynccheck - strict UTF-8 decoding (RFC 3629). */
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

#include "out.h"

size_t lc_utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t c;
    size_t len, i;

    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] < 0xC2) /* continuation byte or overlong 2-byte lead */
        return 0;
    if (s[0] < 0xE0) {
        len = 2;
        c = s[0] & 0x1Fu;
    } else if (s[0] < 0xF0) {
        len = 3;
        c = s[0] & 0x0Fu;
    } else if (s[0] < 0xF5) {
        len = 4;
        c = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0u) != 0x80u)
            return 0;
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* Length of the ANSI CSI sequence (ESC '[' parameters intermediates final)
 * at s, or 0 when s does not start one (ECMA-48 5.4). An unterminated
 * sequence runs to the first byte that cannot belong to it; that byte is
 * kept. */
static size_t lc_utf8_csi_len(const unsigned char *s, size_t n)
{
    size_t i = 2;

    if (n < 2 || s[0] != 0x1B || s[1] != '[')
        return 0;
    while (i < n && s[i] >= 0x20 && s[i] <= 0x3F) /* parameter, intermediate */
        i++;
    if (i < n && s[i] >= 0x40 && s[i] <= 0x7E) /* final byte */
        i++;
    return i;
}

size_t lc_utf8_filter(struct lc_out *o, const char *s, size_t max,
                      const struct lc_utf8_rules *rules, int *cut)
{
    const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
    size_t n = strlen((const char *)p);
    size_t limit = max > 0 && max < n ? max : n;
    size_t run = 0; /* start of the pending run of bytes written as they are */
    size_t units = 0, i = 0;

    while (i < n) {
        uint32_t cp = 0;
        size_t csi = rules->drop_csi ? lc_utf8_csi_len(p + i, n - i) : 0;
        size_t len = csi > 0 ? 0 : lc_utf8_len(p + i, n - i, &cp);
        size_t step = csi > 0 ? csi : len != 0 ? len : 1;
        const char *rep = NULL;

        /* Decoded against the whole string, so the limit never splits a
         * valid sequence into replacement characters. */
        if (i + step > limit)
            break;
        if (csi > 0)
            rep = "";
        else if (len == 0)
            rep = rules->invalid;
        else if (rules->map != NULL)
            rep = rules->map(cp);
        if (rep != NULL) {
            lc_out_write(o, (const char *)p + run, i - run);
            lc_out_puts(o, rep);
            run = i + step;
        }
        i += step;
        units++;
    }
    lc_out_write(o, (const char *)p + run, i - run);
    if (i < n)
        lc_out_puts(o, rules->ellipsis);
    if (cut != NULL)
        *cut = i < n;
    return units;
}

char *lc_utf8_filter_dup(const char *s, size_t max, const struct lc_utf8_rules *rules)
{
    struct lc_out o = {NULL, 0, {NULL, 0, 0, 0}};

    (void)lc_utf8_filter(&o, s, max, rules, NULL);
    if (o.err != 0) {
        free(o.mem.s);
        return NULL;
    }
    if (o.mem.s == NULL) { /* nothing was written: an empty string */
        o.mem.s = malloc(1);
        if (o.mem.s != NULL)
            o.mem.s[0] = '\0';
    }
    return o.mem.s;
}
