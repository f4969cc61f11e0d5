/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: Lync's certificate name rule alone
 * (lc_cert_name_match): a certificate name of any bytes (embedded NULs,
 * wildcards, non-ASCII) against a host name. Input: the first byte picks
 * whether wildcards are allowed and where the pattern ends; the rest of
 * the input is the host. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t plen, hlen;
    char *pattern, *host;
    int wild, hit, hit_wild;

    if (size < 1)
        return 0;
    wild = data[0] & 1;
    plen = (size_t)(data[0] >> 1);
    data++;
    size--;
    if (plen > size)
        plen = size;
    hlen = size - plen;
    /* Exact-size copies, so ASan sees any read past the pattern. */
    pattern = malloc(plen > 0 ? plen : 1);
    host = malloc(hlen + 1);
    if (pattern == NULL || host == NULL)
        goto done;
    memcpy(pattern, data, plen);
    memcpy(host, data + plen, hlen);
    host[hlen] = '\0';
    hit = lc_cert_name_match(pattern, plen, host, wild);
    hit_wild = lc_cert_name_match(pattern, plen, host, 1);
    /* Allowing wildcards never takes a match away. */
    if (hit && !hit_wild)
        __builtin_trap();
    /* A name without '*' matches only itself, ignoring case and one trailing dot. */
    if (hit && memchr(pattern, '*', plen) == NULL) {
        size_t p = plen, h = strlen(host);
        if (p > 0 && pattern[p - 1] == '.')
            p--;
        if (h > 0 && host[h - 1] == '.')
            h--;
        if (p != h || strncasecmp(pattern, host, p) != 0)
            __builtin_trap();
    }
done:
    free(pattern);
    free(host);
    return 0;
}
