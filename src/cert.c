/* SPDX-License-Identifier: MIT */
/* lynccheck - certificate facts and Lync's name-matching rules. */
#include "cert.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static size_t lc_trim_dot(const char *s, size_t len)
{
    return (len > 0 && s[len - 1] == '.') ? len - 1 : len;
}

static int lc_label_count(const char *s, size_t len)
{
    int n = len > 0 ? 1 : 0;
    size_t i;

    for (i = 0; i < len; i++)
        n += s[i] == '.';
    return n;
}

int lc_cert_name_match(const char *pattern, size_t len, const char *host, int allow_wildcard)
{
    size_t hlen = lc_trim_dot(host, strlen(host)), i;
    const char *dot;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)pattern[i];
        /* A NUL inside a name is the classic "www.bank.com\0.evil.com"
         * trick; non-ASCII is not a valid dNSName (IA5, A-labels only). */
        if (c == 0 || c > 0x7e || c < 0x21)
            return 0;
    }
    len = lc_trim_dot(pattern, len);
    if (len == 0 || hlen == 0)
        return 0;
    if (memchr(pattern, '*', len) == NULL)
        return len == hlen && strncasecmp(pattern, host, len) == 0;
    /* RFC 6125 6.4.3 as Lync applies it: only "*." as the whole left-most
     * label; nothing partial ("w*.", "*w."), one label only, and at least
     * two labels after it. */
    if (!allow_wildcard || len < 3 || pattern[0] != '*' || pattern[1] != '.')
        return 0;
    if (memchr(pattern + 1, '*', len - 1) != NULL)
        return 0;
    if (lc_label_count(pattern + 2, len - 2) < 2)
        return 0;
    dot = memchr(host, '.', hlen);
    if (dot == NULL || dot == host)
        return 0;
    return (size_t)(host + hlen - (dot + 1)) == len - 2 &&
           strncasecmp(dot + 1, pattern + 2, len - 2) == 0;
}

static void lc_strv_push_printable(struct lc_strv *sv, const unsigned char *p, size_t len)
{
    char buf[300];
    size_t i, o = 0;

    for (i = 0; i < len && o + 5 < sizeof(buf); i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f) {
            buf[o++] = (char)p[i];
        } else {
            int n = snprintf(buf + o, sizeof(buf) - o, "\\x%02x", p[i]);
            if (n < 0 || (size_t)n >= sizeof(buf) - o)
                break;
            o += (size_t)n;
        }
    }
    buf[o] = '\0';
    (void)lc_strv_push(sv, buf);
}

size_t lc_cert_dns_sans(X509 *x, struct lc_strv *names, struct lc_strv *rejected)
{
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    size_t count = 0;
    int i;

    if (gens == NULL)
        return 0;
    for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        const unsigned char *p;
        size_t len, j;
        int clean = 1;

        if (g->type != GEN_DNS)
            continue;
        count++;
        p = ASN1_STRING_get0_data(g->d.dNSName);
        len = (size_t)ASN1_STRING_length(g->d.dNSName);
        for (j = 0; j < len; j++)
            if (p[j] == 0 || p[j] > 0x7e || p[j] < 0x21)
                clean = 0;
        if (!clean || len == 0 || len > 253) {
            if (rejected != NULL)
                lc_strv_push_printable(rejected, p, len);
            continue;
        }
        if (names != NULL) {
            char *s = strndup((const char *)p, len);
            if (s != NULL) {
                (void)lc_strv_push(names, s);
                free(s);
            }
        }
    }
    GENERAL_NAMES_free(gens);
    return count;
}

char *lc_cert_subject_cn(X509 *x)
{
    X509_NAME *subject = X509_get_subject_name(x);
    int idx = subject ? X509_NAME_get_index_by_NID(subject, NID_commonName, -1) : -1;
    const ASN1_STRING *data;
    unsigned char *utf8 = NULL;
    char *cn;
    int len;

    if (idx < 0)
        return NULL;
    data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
    len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len < 0)
        return NULL;
    /* Keep the raw length: a NUL inside must make the name unusable, so
     * replace it with a character no host name can contain. */
    cn = malloc((size_t)len + 1);
    if (cn != NULL) {
        int i;
        for (i = 0; i < len; i++)
            cn[i] = utf8[i] == 0 ? '\x01' : (char)utf8[i];
        cn[len] = '\0';
    }
    OPENSSL_free(utf8);
    return cn;
}

int lc_cert_covers(X509 *x, const char *host, int allow_wildcard, char *matched, size_t mlen)
{
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    int dns_sans = 0, hit = 0, i;

    if (matched != NULL && mlen > 0)
        matched[0] = '\0';
    for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens) && !hit; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        const char *p;
        size_t len;
        if (g->type != GEN_DNS)
            continue;
        dns_sans++;
        p = (const char *)ASN1_STRING_get0_data(g->d.dNSName);
        len = (size_t)ASN1_STRING_length(g->d.dNSName);
        if (lc_cert_name_match(p, len, host, allow_wildcard)) {
            hit = 1;
            if (matched != NULL && len < mlen) {
                memcpy(matched, p, len);
                matched[len] = '\0';
            }
        }
    }
    GENERAL_NAMES_free(gens);
    if (!hit && dns_sans == 0) {
        char *cn = lc_cert_subject_cn(x);
        if (cn != NULL && lc_cert_name_match(cn, strlen(cn), host, allow_wildcard)) {
            hit = 1;
            if (matched != NULL && strlen(cn) < mlen)
                memcpy(matched, cn, strlen(cn) + 1);
        }
        free(cn);
    }
    return hit;
}

void lc_cert_fingerprint(X509 *x, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0, i;
    static const char hex[] = "0123456789abcdef";

    out[0] = '\0';
    if (X509_digest(x, EVP_sha256(), md, &n) != 1 || n != 32)
        return;
    for (i = 0; i < n; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

int lc_cert_days_left(X509 *x, int *days, int *not_yet_valid)
{
    int d = 0, secs = 0;

    if (ASN1_TIME_diff(&d, &secs, NULL, X509_get0_notAfter(x)) != 1)
        return -1;
    /* Whole days, except that a certificate expired less than a day ago
     * must not read as "0 days left": it has -1. */
    if (d == 0 && secs < 0)
        d = -1;
    *days = d;
    if (not_yet_valid != NULL) {
        if (ASN1_TIME_diff(&d, &secs, NULL, X509_get0_notBefore(x)) != 1)
            return -1;
        *not_yet_valid = d > 0 || (d == 0 && secs > 0);
    }
    return 0;
}

void lc_cert_key(X509 *x, const char **type, int *bits)
{
    EVP_PKEY *key = X509_get0_pubkey(x);

    *type = "unknown";
    *bits = 0;
    if (key == NULL)
        return;
    *bits = EVP_PKEY_get_bits(key);
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
        *type = "RSA";
        break;
    case EVP_PKEY_RSA_PSS:
        *type = "RSA-PSS";
        break;
    case EVP_PKEY_EC:
        *type = "EC";
        break;
    case EVP_PKEY_ED25519:
        *type = "Ed25519";
        break;
    case EVP_PKEY_ED448:
        *type = "Ed448";
        break;
    case EVP_PKEY_DSA:
        *type = "DSA";
        break;
    default:
        break;
    }
}

const char *lc_cert_sig_name(X509 *x)
{
    const char *name = OBJ_nid2ln(X509_get_signature_nid(x));
    return name != NULL ? name : "unknown";
}

int lc_cert_sig_is_pss(X509 *x)
{
    return X509_get_signature_nid(x) == NID_rsassaPss;
}

static int lc_cert_sig_md(X509 *x)
{
    int md = NID_undef, pk = NID_undef;

    if (OBJ_find_sigid_algs(X509_get_signature_nid(x), &md, &pk) != 1)
        return NID_undef;
    return md;
}

int lc_cert_sig_is_sha1(X509 *x)
{
    return lc_cert_sig_md(x) == NID_sha1;
}
int lc_cert_sig_is_md5(X509 *x)
{
    int md = lc_cert_sig_md(x);
    return md == NID_md5 || md == NID_md2 || md == NID_md4;
}

int lc_cert_has_eku(X509 *x, int nid, int *no_eku)
{
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
    int i, found = 0;

    *no_eku = eku == NULL;
    for (i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku); i++)
        if (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) == nid)
            found = 1;
    EXTENDED_KEY_USAGE_free(eku);
    return found;
}

static void lc_push_uri(struct lc_strv *sv, const GENERAL_NAME *g)
{
    if (sv == NULL || g == NULL || g->type != GEN_URI)
        return;
    lc_strv_push_printable(sv, ASN1_STRING_get0_data(g->d.uniformResourceIdentifier),
                           (size_t)ASN1_STRING_length(g->d.uniformResourceIdentifier));
}

void lc_cert_uris(X509 *x, struct lc_strv *crl, struct lc_strv *ocsp, struct lc_strv *ca_issuers)
{
    STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
    AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
    int i, j;

    for (i = 0; dps != NULL && i < sk_DIST_POINT_num(dps); i++) {
        DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
        if (dp->distpoint == NULL || dp->distpoint->type != 0)
            continue;
        for (j = 0; j < sk_GENERAL_NAME_num(dp->distpoint->name.fullname); j++)
            lc_push_uri(crl, sk_GENERAL_NAME_value(dp->distpoint->name.fullname, j));
    }
    for (i = 0; aia != NULL && i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
        ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
        int nid = OBJ_obj2nid(ad->method);
        if (nid == NID_ad_OCSP)
            lc_push_uri(ocsp, ad->location);
        else if (nid == NID_ad_ca_issuers)
            lc_push_uri(ca_issuers, ad->location);
    }
    CRL_DIST_POINTS_free(dps);
    AUTHORITY_INFO_ACCESS_free(aia);
}

static json_t *lc_name_json(const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long len;
    json_t *s;

    if (bio == NULL)
        return json_null();
    /* RFC 2253 order and escaping, UTF-8 kept. */
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    len = BIO_get_mem_data(bio, &data);
    s = json_stringn_nocheck(data != NULL ? data : "", len > 0 ? (size_t)len : 0);
    BIO_free(bio);
    return s != NULL ? s : json_null();
}

static json_t *lc_time_json(const ASN1_TIME *t)
{
    struct tm tm;
    char buf[32];

    if (ASN1_TIME_to_tm(t, &tm) != 1 || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return json_null();
    return json_string(buf);
}

/* At most LC_CERT_EV_NAMES names: a hostile certificate with thousands of
 * SANs must not make every report that shows it megabytes long. The
 * counts say how many there were (lc_cert_to_json). */
#define LC_CERT_EV_NAMES 100

static json_t *lc_strv_json(const struct lc_strv *sv)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; a != NULL && i < sv->n && i < LC_CERT_EV_NAMES; i++)
        json_array_append_new(a, json_string(sv->v[i]));
    return a;
}

json_t *lc_cert_to_json(X509 *x)
{
    struct lc_strv sans = {NULL, 0}, rejected = {NULL, 0}, crl = {NULL, 0}, ocsp = {NULL, 0},
                   cai = {NULL, 0};
    json_t *o = json_object(), *eku = json_array();
    char fp[65], *serial_hex = NULL;
    const char *ktype;
    int bits, days = 0, nyv = 0, no_eku = 0;
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);

    if (o == NULL || eku == NULL) {
        json_decref(o);
        json_decref(eku);
        BN_free(bn);
        return NULL;
    }
    lc_cert_dns_sans(x, &sans, &rejected);
    lc_cert_uris(x, &crl, &ocsp, &cai);
    lc_cert_fingerprint(x, fp);
    lc_cert_key(x, &ktype, &bits);
    if (bn != NULL)
        serial_hex = BN_bn2hex(bn);
    json_object_set_new(o, "subject", lc_name_json(X509_get_subject_name(x)));
    json_object_set_new(o, "issuer", lc_name_json(X509_get_issuer_name(x)));
    json_object_set_new(o, "sans", lc_strv_json(&sans));
    if (sans.n > LC_CERT_EV_NAMES) {
        json_object_set_new(o, "sans_count", json_integer((json_int_t)sans.n));
        json_object_set_new(o, "sans_truncated", json_true());
    }
    if (rejected.n > 0)
        json_object_set_new(o, "sans_rejected", lc_strv_json(&rejected));
    if (rejected.n > LC_CERT_EV_NAMES)
        json_object_set_new(o, "sans_rejected_count", json_integer((json_int_t)rejected.n));
    json_object_set_new(o, "serial", serial_hex ? json_string(serial_hex) : json_null());
    json_object_set_new(o, "not_before", lc_time_json(X509_get0_notBefore(x)));
    json_object_set_new(o, "not_after", lc_time_json(X509_get0_notAfter(x)));
    if (lc_cert_days_left(x, &days, &nyv) == 0)
        json_object_set_new(o, "days_left", json_integer(days));
    json_object_set_new(o, "key", json_pack("{s:s, s:i}", "type", ktype, "bits", bits));
    json_object_set_new(o, "signature", json_string(lc_cert_sig_name(x)));
    if (lc_cert_has_eku(x, NID_server_auth, &no_eku))
        json_array_append_new(eku, json_string("serverAuth"));
    if (lc_cert_has_eku(x, NID_client_auth, &no_eku))
        json_array_append_new(eku, json_string("clientAuth"));
    json_object_set_new(o, "eku", no_eku ? json_null() : eku);
    if (no_eku)
        json_decref(eku);
    json_object_set_new(o, "sha256", json_string(fp));
    json_object_set_new(o, "crl", lc_strv_json(&crl));
    json_object_set_new(o, "ocsp", lc_strv_json(&ocsp));
    json_object_set_new(o, "ca_issuers", lc_strv_json(&cai));
    OPENSSL_free(serial_hex);
    BN_free(bn);
    lc_strv_clear(&sans);
    lc_strv_clear(&rejected);
    lc_strv_clear(&crl);
    lc_strv_clear(&ocsp);
    lc_strv_clear(&cai);
    return o;
}

static void lc_name_oneline(const X509_NAME *name, char *buf, size_t len)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n;

    buf[0] = '\0';
    if (bio == NULL)
        return;
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
    n = BIO_get_mem_data(bio, &data);
    if (n > 0 && data != NULL)
        snprintf(buf, len, "%.*s", (int)(n > 200 ? 200 : n), data);
    BIO_free(bio);
}

json_t *lc_cert_chain_to_json(STACK_OF(X509) * chain)
{
    json_t *arr = json_array();
    int i;

    for (i = 0; chain != NULL && arr != NULL && i < sk_X509_num(chain); i++) {
        X509 *x = sk_X509_value(chain, i);
        char *cn = lc_cert_subject_cn(x);
        char fp[65];
        lc_cert_fingerprint(x, fp);
        json_array_append_new(arr, json_pack("{s:s?, s:s}", "cn", cn, "sha256", fp));
        free(cn);
    }
    return arr;
}

/* jansson's iteration macros take a non-const object; reading is safe. */
static void lc_cert_ev_walk(const json_t *v, int depth, lc_cert_ev_fn *fn, void *arg)
{
    json_t *m = (json_t *)(uintptr_t)v;
    const char *key;
    json_t *e;
    size_t i;

    if (depth > 8)
        return;
    if (json_is_array(m)) {
        json_array_foreach(m, i, e) lc_cert_ev_walk(e, depth + 1, fn, arg);
        return;
    }
    json_object_foreach(m, key, e)
    {
        if (strcmp(key, "certificate") == 0 && json_is_object(e))
            fn(e, arg);
        else if (json_is_object(e) || json_is_array(e))
            lc_cert_ev_walk(e, depth + 1, fn, arg);
    }
}

void lc_cert_evidence_foreach(const json_t *evidence, lc_cert_ev_fn *fn, void *arg)
{
    lc_cert_ev_walk(evidence, 0, fn, arg);
}

/* Did the server send `x`, or the same CA (same subject and key: a
 * re-issued copy of an intermediate the store happens to prefer)? */
static int lc_chain_was_sent(X509 *x, STACK_OF(X509) * sent)
{
    int i;

    for (i = 0; i < sk_X509_num(sent); i++) {
        X509 *s = sk_X509_value(sent, i);
        EVP_PKEY *ks = X509_get0_pubkey(s), *kx = X509_get0_pubkey(x);
        if (X509_cmp(s, x) == 0)
            return 1;
        /* EVP_PKEY_eq(NULL, NULL) is 1: an unreadable key matches nothing. */
        if (ks != NULL && kx != NULL &&
            X509_NAME_cmp(X509_get_subject_name(s), X509_get_subject_name(x)) == 0 &&
            EVP_PKEY_eq(ks, kx) == 1)
            return 1;
    }
    return 0;
}

/* The first certificate of the verified chain, below its trust anchor, that
 * the server did not send, or NULL. The anchor is the chain's last
 * certificate, a self-signed root (OpenSSL's default, no partial chains),
 * which clients have in their own stores. */
static X509 *lc_chain_lent(STACK_OF(X509) * built, STACK_OF(X509) * sent)
{
    int i, n = built != NULL ? sk_X509_num(built) : 0;

    for (i = 1; i < n; i++) {
        X509 *x = sk_X509_value(built, i);
        if (i == n - 1 && X509_check_issued(x, x) == X509_V_OK)
            break;
        if (!lc_chain_was_sent(x, sent))
            return x;
    }
    return NULL;
}

enum lc_chain_kind lc_cert_verify_chain(X509_STORE *store, STACK_OF(X509) * sent, char *msg,
                                        size_t len)
{
    X509_STORE_CTX *ctx = NULL;
    X509 *leaf, *culprit;
    enum lc_chain_kind kind = LC_CHAIN_OTHER;
    char issuer[256];
    int err, depth, n;

    if (sent == NULL || sk_X509_num(sent) == 0) {
        snprintf(msg, len, "the server sent no certificate");
        return LC_CHAIN_NONE;
    }
    n = sk_X509_num(sent);
    leaf = sk_X509_value(sent, 0);
    ctx = X509_STORE_CTX_new();
    if (ctx == NULL || X509_STORE_CTX_init(ctx, store, leaf, sent) != 1) {
        snprintf(msg, len, "cannot verify: out of memory");
        goto done;
    }
    /* Dates are judged by their own checks; here only the chain counts. */
    X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), X509_V_FLAG_NO_CHECK_TIME);
    if (X509_verify_cert(ctx) == 1) {
        STACK_OF(X509) *built = X509_STORE_CTX_get0_chain(ctx);
        X509 *lent = lc_chain_lent(built, sent);
        if (lent != NULL) {
            char *cn = lc_cert_subject_cn(lent);
            kind = LC_CHAIN_INCOMPLETE;
            snprintf(msg, len,
                     "incomplete chain: the server does not send intermediate CN=%s; completed "
                     "from the local trust store, which clients and partners on the internet do "
                     "not have",
                     cn != NULL ? cn : "(none)");
            free(cn);
            goto done;
        }
        snprintf(msg, len, "chain verified: %d certificate%s sent, %d in the verified chain", n,
                 n == 1 ? "" : "s", sk_X509_num(built));
        kind = LC_CHAIN_OK;
        goto done;
    }
    err = X509_STORE_CTX_get_error(ctx);
    depth = X509_STORE_CTX_get_error_depth(ctx);
    culprit = X509_STORE_CTX_get_current_cert(ctx);
    lc_name_oneline(culprit != NULL ? X509_get_issuer_name(culprit) : X509_get_issuer_name(leaf),
                    issuer, sizeof(issuer));
    switch (err) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        kind = LC_CHAIN_SELF_SIGNED;
        snprintf(msg, len, "self-signed certificate: no client trusts it");
        break;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        kind = LC_CHAIN_UNTRUSTED;
        snprintf(msg, len, "untrusted root: the chain ends in %s, which is not a trusted root",
                 issuer);
        break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        /* The issuer of the last certificate sent is unknown. With only the
         * leaf sent, that is the missing intermediate; deeper, the root is
         * not trusted. */
        if (depth == 0) {
            /* The leaf's own issuer is missing: with only the leaf sent,
             * the intermediate was left out; with more sent, the wrong one
             * was (an old intermediate still served after a CA renewal). */
            kind = LC_CHAIN_INCOMPLETE;
            if (n == 1)
                snprintf(msg, len,
                         "incomplete chain: the server sends only its certificate, not the "
                         "intermediate that issued it (%s); mobile clients and partners fail",
                         issuer);
            else
                snprintf(msg, len,
                         "incomplete chain: the intermediate that issued the server's "
                         "certificate (%s) is not among the %d certificates sent (a stale "
                         "intermediate?)",
                         issuer, n);
        } else {
            kind = LC_CHAIN_UNTRUSTED;
            snprintf(msg, len, "untrusted: issuer %s is not a trusted root (depth %d)", issuer,
                     depth);
        }
        break;
    default:
        snprintf(msg, len, "chain does not verify at depth %d: %s", depth,
                 X509_verify_cert_error_string(err));
        break;
    }
done:
    X509_STORE_CTX_free(ctx);
    return kind;
}
