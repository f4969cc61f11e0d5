/* SPDX-License-Identifier: MIT */
/* lynccheck - strict UTF-8 decoding (RFC 3629). */
#include "utf8.h"

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
