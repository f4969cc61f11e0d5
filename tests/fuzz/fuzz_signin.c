/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: what the signin probe reads from the network
 * (src/signin.c). The first byte chooses: 'R' the rest is an IssueToken
 * answer (lc_signin_rstr_parse, then the ticket kept, lc_signin_rstr_token),
 * 'C' a GetAndPublishCert answer (lc_signin_certprov_parse), 'M' a mex
 * document (lc_signin_mex_negotiate_url), 'X' a document canonicalized
 * (lc_signin_exc_c14n of its Timestamp); anything else a WWW-Authenticate
 * value (lc_signin_ntlm_type, lc_signin_leg_challenge). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An exact-size heap copy without a NUL: ASan sees a read past the end. */
static char *lc_fuzz_copy(const uint8_t *data, size_t size)
{
    char *p = malloc(size > 0 ? size : 1);

    if (p != NULL && size > 0)
        memcpy(p, data, size);
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lc_signin_ticket t;
    struct lc_signin_certprov c;
    struct lc_signin_leg leg;
    char why[200], out[LC_SIGNIN_TOKEN_MAX], url[1024];
    size_t n = 0;
    char *p, *x;
    int k;

    if (size == 0)
        return 0;
    p = lc_fuzz_copy(data + 1, size - 1);
    if (p == NULL)
        return 0;
    switch (data[0]) {
    case 'R':
        if (lc_signin_rstr_parse(p, size - 1, &t, why, sizeof(why)) == 0 &&
            (memchr(t.token_kind, '\0', sizeof(t.token_kind)) == NULL ||
             memchr(t.fingerprint, '\0', sizeof(t.fingerprint)) == NULL ||
             memchr(t.fault_text, '\0', sizeof(t.fault_text)) == NULL))
            __builtin_trap();
        if (lc_signin_rstr_token(p, size - 1, out, sizeof(out), &n) == 0 &&
            (n >= sizeof(out) || out[n] != '\0'))
            __builtin_trap();
        break;
    case 'C':
        if (lc_signin_certprov_parse(p, size - 1, &c, why, sizeof(why)) == 0 &&
            ((c.der == NULL) != (c.der_len == 0) ||
             memchr(c.fault_text, '\0', sizeof(c.fault_text)) == NULL))
            __builtin_trap();
        lc_signin_certprov_clear(&c);
        break;
    case 'M':
        k = lc_signin_mex_negotiate_url(p, size - 1, url, sizeof(url), why, sizeof(why));
        if (k == 1 && memchr(url, '\0', sizeof(url)) == NULL)
            __builtin_trap();
        break;
    case 'X':
        x = lc_signin_exc_c14n(p, size - 1, "Timestamp", &n);
        if (x != NULL && strlen(x) != n)
            __builtin_trap();
        free(x);
        break;
    default:
        k = lc_signin_ntlm_type((const char *)data, size);
        if (k < 0 || k > 3)
            __builtin_trap();
        memset(&leg, 0, sizeof(leg));
        (void)lc_signin_leg_challenge(&leg, (const char *)data, size);
        break;
    }
    free(p);
    return 0;
}
