/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: a certificate as a server sends it (DER, d2i_X509),
 * through every fact lynccheck takes from it: the DNS SANs, the subject
 * CN, Lync's name matching (lc_cert_covers) against fixed names and against
 * names the certificate itself carries, and the JSON evidence. DER
 * certificates that follow the first are the rest of the chain the server
 * sent (lc_cert_verify_chain; the last one is trusted when there are two
 * or more, so every verdict is reachable). */
#include <jansson.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "site.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const lc_fuzz_hosts[] = {
    "sip.contoso.com",       "contoso.com", "a.b.contoso.com", "access.contoso.com.", "com", "",
    "xn--bcher-kva.example",
};

static void lc_fuzz_covers(X509 *x, const char *host)
{
    char matched[300];
    int w;

    for (w = 0; w < 2; w++) {
        int hit = lc_cert_covers(x, host, w, matched, sizeof(matched));
        if (memchr(matched, '\0', sizeof(matched)) == NULL || (!hit && matched[0] != '\0'))
            __builtin_trap();
        (void)lc_cert_covers(x, host, w, matched, 4); /* a name too long for the buffer */
        (void)lc_cert_covers(x, host, w, NULL, 0);
    }
}

/* A host a wildcard name would cover: "*.contoso.com" -> "x.contoso.com". */
static void lc_fuzz_covers_own(X509 *x, const char *name)
{
    char host[300];
    size_t n = strlen(name);

    if (n + 1 > sizeof(host))
        return;
    memcpy(host, name, n + 1);
    if (host[0] == '*')
        host[0] = 'x';
    lc_fuzz_covers(x, host);
}

static void lc_fuzz_chain(X509 *leaf, const unsigned char *p, size_t left)
{
    STACK_OF(X509) *sent = sk_X509_new_null();
    X509_STORE *store = X509_STORE_new();
    char msg[512];
    int i;

    if (sent == NULL || store == NULL || X509_up_ref(leaf) != 1)
        goto done;
    if (!sk_X509_push(sent, leaf)) {
        X509_free(leaf);
        goto done;
    }
    for (i = 0; i < 3 && left > 0; i++) {
        const unsigned char *start = p;
        X509 *c = d2i_X509(NULL, &p, (long)left);

        if (c == NULL)
            break;
        left -= (size_t)(p - start);
        if (!sk_X509_push(sent, c)) {
            X509_free(c);
            break;
        }
    }
    if (sk_X509_num(sent) >= 2)
        (void)X509_STORE_add_cert(store, sk_X509_value(sent, sk_X509_num(sent) - 1));
    (void)lc_cert_verify_chain(store, sent, msg, sizeof(msg));
    if (memchr(msg, '\0', sizeof(msg)) == NULL)
        __builtin_trap();
done:
    X509_STORE_free(store);
    sk_X509_pop_free(sent, X509_free);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const unsigned char *p = data;
    X509 *x = d2i_X509(NULL, &p, (long)size);
    struct lc_strv names = {0}, rejected = {0};
    size_t i, n;
    char *cn;
    json_t *j;

    if (x == NULL)
        return 0;
    n = lc_cert_dns_sans(x, &names, &rejected);
    if (names.n + rejected.n > n)
        __builtin_trap();
    for (i = 0; i < sizeof(lc_fuzz_hosts) / sizeof(lc_fuzz_hosts[0]); i++)
        lc_fuzz_covers(x, lc_fuzz_hosts[i]);
    for (i = 0; i < names.n; i++) {
        /* A clean SAN is a host name: no byte outside printable ASCII. */
        const char *s;
        for (s = names.v[i]; *s != '\0'; s++)
            if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
                __builtin_trap();
        lc_fuzz_covers_own(x, names.v[i]);
    }
    cn = lc_cert_subject_cn(x);
    if (cn != NULL) {
        lc_fuzz_covers_own(x, cn);
        free(cn);
    }
    j = lc_cert_to_json(x);
    if (j != NULL) {
        char *text = json_dumps(j, JSON_COMPACT);
        free(text);
        json_decref(j);
    }
    lc_fuzz_chain(x, p, size - (size_t)(p - data));
    lc_strv_clear(&names);
    lc_strv_clear(&rejected);
    X509_free(x);
    return 0;
}
