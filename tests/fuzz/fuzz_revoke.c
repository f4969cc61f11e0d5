/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: what a CRL distribution point or an OCSP responder
 * sends back, judged (src/revoke.c), and a revocation URL classified.
 * Byte 0 picks: 0 a CRL (lc_revoke_crl_judge), 1 an OCSP response
 * (lc_revoke_ocsp_judge), 2 a URL (lc_revoke_url_outside) and an address
 * (lc_revoke_addr_private); the rest is the input. The certificate and its
 * issuer are made once (EC P-256), so the parse, issuer and signature paths
 * are reached; a verdict is always a status in range with a NUL-terminated
 * message, and the facts' strings are NUL-terminated. */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "result.h"
#include "revoke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static X509 *lc_fuzz_ca, *lc_fuzz_leaf;

static X509 *lc_fuzz_cert(const char *cn, long serial, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();

    if (x == NULL || name == NULL)
        __builtin_trap();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name);
    X509_NAME_free(name);
    X509_gmtime_adj(X509_getm_notBefore(x), -86400L);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
    X509_set_pubkey(x, key);
    if (X509_sign(x, ikey, EVP_sha256()) <= 0)
        __builtin_trap();
    return x;
}

static void lc_fuzz_init(void)
{
    EVP_PKEY *ca_key, *leaf_key;

    if (lc_fuzz_ca != NULL)
        return;
    ca_key = EVP_EC_gen("P-256");
    leaf_key = EVP_EC_gen("P-256");
    if (ca_key == NULL || leaf_key == NULL)
        __builtin_trap();
    lc_fuzz_ca = lc_fuzz_cert("lynccheck Lab Issuing CA", 1, ca_key, NULL, ca_key);
    lc_fuzz_leaf = lc_fuzz_cert("access.contoso.test", 0x1001, leaf_key, lc_fuzz_ca, ca_key);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(leaf_key);
}

static void lc_fuzz_check_facts(const struct lc_revoke_facts *f, enum lc_status st, const char *msg,
                                size_t mlen)
{
    if ((int)st < 0 || st >= LC_STATUS_COUNT || memchr(msg, '\0', mlen) == NULL ||
        memchr(f->this_update, '\0', sizeof(f->this_update)) == NULL ||
        memchr(f->next_update, '\0', sizeof(f->next_update)) == NULL ||
        memchr(f->revoked_at, '\0', sizeof(f->revoked_at)) == NULL ||
        memchr(f->reason, '\0', sizeof(f->reason)) == NULL ||
        memchr(f->cert_status, '\0', sizeof(f->cert_status)) == NULL)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lc_revoke_facts f;
    unsigned char *p;
    char msg[512], text[2100];
    enum lc_status st;
    size_t n;

    if (size < 1)
        return 0;
    lc_fuzz_init();
    n = size - 1;
    p = malloc(n > 0 ? n : 1); /* exact size, no NUL: ASan sees an overread */
    if (p == NULL)
        return 0;
    if (n > 0)
        memcpy(p, data + 1, n);
    switch (data[0] % 3) {
    case 0:
        st = lc_revoke_crl_judge(p, n, lc_fuzz_leaf, lc_fuzz_ca, 43200L, time(NULL), &f, msg,
                                 sizeof(msg));
        lc_fuzz_check_facts(&f, st, msg, sizeof(msg));
        break;
    case 1:
        st = lc_revoke_ocsp_judge(p, n, lc_fuzz_leaf, lc_fuzz_ca, NULL, &f, msg, sizeof(msg));
        lc_fuzz_check_facts(&f, st, msg, sizeof(msg));
        break;
    default:
        if (n < sizeof(text)) {
            int r;
            memcpy(text, p, n);
            text[n] = '\0';
            r = lc_revoke_url_outside(text, msg, sizeof(msg));
            if (r < -1 || r > 1 || memchr(msg, '\0', sizeof(msg)) == NULL)
                __builtin_trap();
            r = lc_revoke_addr_private(text);
            if (r < -1 || r > 2)
                __builtin_trap();
        }
        break;
    }
    free(p);
    return 0;
}
