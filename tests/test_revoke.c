/* SPDX-License-Identifier: MIT */
/* Unit tests of revocation judged (src/revoke.c): CRLs and OCSP responses
 * built here with OpenSSL (X509_CRL_sign, OCSP_basic_sign) from case tables,
 * and revocation URLs classified as reachable from outside or not.
 *
 * EC P-256 keys, made once by an unchecked fixture: an issuing CA, another
 * CA (wrong issuer, bad signature), a delegated OCSP responder with
 * id-kp-OCSPSigning (RFC 6960 4.2.2.2) and one without it. Every input is
 * copied to a heap buffer of exactly its length so the sanitizer build
 * catches a read past the end. */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "revoke.h"
#include "suites.h"

#define TR_DAY 86400L
#define TR_SERIAL 0x1001L
#define TR_NONE 0x7fffffffL /* no nextUpdate */
#define TR_W (3 * TR_DAY)   /* the CRL warning window */

static EVP_PKEY *tr_ca_key, *tr_other_key, *tr_resp_key;
static X509 *tr_ca, *tr_other, *tr_leaf, *tr_resp, *tr_resp_noeku;

/* ---------------------------------------------------------------- fixture */

static void tr_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
}

static X509 *tr_cert(const char *cn, long serial, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
                     int ca, const char *eku)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();

    ck_assert_ptr_nonnull(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name);
    X509_NAME_free(name);
    X509_gmtime_adj(X509_getm_notBefore(x), -TR_DAY);
    X509_gmtime_adj(X509_getm_notAfter(x), 365 * TR_DAY);
    X509_set_pubkey(x, key);
    if (ca) {
        tr_ext(x, issuer != NULL ? issuer : x, NID_basic_constraints, "critical,CA:TRUE");
        tr_ext(x, issuer != NULL ? issuer : x, NID_key_usage, "critical,keyCertSign,cRLSign");
    }
    if (eku != NULL)
        tr_ext(x, issuer != NULL ? issuer : x, NID_ext_key_usage, eku);
    ck_assert_int_gt(X509_sign(x, ikey, EVP_sha256()), 0);
    return x;
}

static void tr_setup(void)
{
    EVP_PKEY *leaf_key = EVP_EC_gen("P-256");

    tr_ca_key = EVP_EC_gen("P-256");
    tr_other_key = EVP_EC_gen("P-256");
    tr_resp_key = EVP_EC_gen("P-256");
    ck_assert_ptr_nonnull(leaf_key);
    tr_ca = tr_cert("Contoso Issuing CA", 1, tr_ca_key, NULL, tr_ca_key, 1, NULL);
    tr_other = tr_cert("Fabrikam CA", 2, tr_other_key, NULL, tr_other_key, 1, NULL);
    tr_leaf = tr_cert("sip.contoso.com", TR_SERIAL, leaf_key, tr_ca, tr_ca_key, 0, "serverAuth");
    tr_resp = tr_cert("Contoso OCSP", 0x2001, tr_resp_key, tr_ca, tr_ca_key, 0, "OCSPSigning");
    tr_resp_noeku =
        tr_cert("Contoso not a responder", 0x2002, tr_resp_key, tr_ca, tr_ca_key, 0, "serverAuth");
    EVP_PKEY_free(leaf_key);
}

static void tr_teardown(void)
{
    X509_free(tr_ca);
    X509_free(tr_other);
    X509_free(tr_leaf);
    X509_free(tr_resp);
    X509_free(tr_resp_noeku);
    EVP_PKEY_free(tr_ca_key);
    EVP_PKEY_free(tr_other_key);
    EVP_PKEY_free(tr_resp_key);
}

/* An exact-size heap copy. */
static unsigned char *tr_dup(const unsigned char *p, size_t n)
{
    unsigned char *q = malloc(n > 0 ? n : 1);

    ck_assert_ptr_nonnull(q);
    if (n > 0)
        memcpy(q, p, n);
    return q;
}

/* ---------------------------------------------------------------- CRLs */

enum tr_crl_kind {
    TR_CRL_DER,
    TR_CRL_PEM,
    TR_CRL_OTHER_KEY,    /* the CA's name, another key: bad signature */
    TR_CRL_OTHER_ISSUER, /* another CA's CRL */
    TR_CRL_GARBAGE,
    TR_CRL_TRUNCATED,
    TR_CRL_TRAILING, /* DER followed by junk */
    TR_CRL_OVERSIZE,
    TR_CRL_EMPTY
};

static const struct tr_crl_case {
    enum tr_crl_kind kind;
    long this_off, next_off; /* seconds from now; next TR_NONE: absent */
    long revoked;            /* serial listed, 0 for none */
    int reason;              /* CRL reason code, -1 none */
    long warn_secs;
    int no_issuer;
    enum lc_status want;
    const char *msg;
} tr_crl_cases[] = {
    {TR_CRL_DER, -TR_DAY, 7 * TR_DAY, 0, -1, TR_W, 0, LC_PASS, "serial not listed"},
    {TR_CRL_PEM, -TR_DAY, 7 * TR_DAY, 0, -1, TR_W, 0, LC_PASS, "valid until"},
    {TR_CRL_DER, -TR_DAY, 7 * TR_DAY, 0x9999, 1, TR_W, 0, LC_PASS, "1 entries"},
    /* Revoked, keyCompromise (RFC 5280 5.3.1 code 1), with its date. */
    {TR_CRL_DER, -TR_DAY, 7 * TR_DAY, TR_SERIAL, 1, TR_W, 0, LC_FAIL, "keyCompromise"},
    {TR_CRL_DER, -TR_DAY, 7 * TR_DAY, TR_SERIAL, -1, TR_W, 0, LC_FAIL, "REVOKED"},
    {TR_CRL_PEM, -TR_DAY, 7 * TR_DAY, TR_SERIAL, 4, TR_W, 0, LC_FAIL, "superseded"},
    /* Expired and expiring. */
    {TR_CRL_DER, -8 * TR_DAY, -TR_DAY, 0, -1, TR_W, 0, LC_FAIL, "expired"},
    {TR_CRL_DER, -8 * TR_DAY, -60, 0, -1, TR_W, 0, LC_FAIL, "expired"},
    {TR_CRL_DER, -TR_DAY, TR_DAY, 0, -1, TR_W, 0, LC_WARN, "hours away"},
    {TR_CRL_DER, -TR_DAY, TR_DAY, 0, -1, 0, 0, LC_PASS, "valid until"},
    {TR_CRL_DER, -TR_DAY, TR_NONE, 0, -1, TR_W, 0, LC_WARN, "no nextUpdate"},
    {TR_CRL_DER, 2 * TR_DAY, 9 * TR_DAY, 0, -1, TR_W, 0, LC_FAIL, "in the future"},
    /* Signature and issuer. */
    {TR_CRL_OTHER_KEY, -TR_DAY, 7 * TR_DAY, 0, -1, TR_W, 0, LC_FAIL, "signature"},
    {TR_CRL_OTHER_KEY, -TR_DAY, 7 * TR_DAY, TR_SERIAL, 1, TR_W, 0, LC_FAIL, "signature"},
    {TR_CRL_OTHER_ISSUER, -TR_DAY, 7 * TR_DAY, 0, -1, TR_W, 0, LC_FAIL, "not issued"},
    {TR_CRL_DER, -TR_DAY, 7 * TR_DAY, 0, -1, TR_W, 1, LC_ERROR, "issuing certificate is unknown"},
    /* Malformed and oversize. */
    {TR_CRL_GARBAGE, 0, 0, 0, -1, TR_W, 0, LC_FAIL, "not a CRL"},
    {TR_CRL_TRUNCATED, -TR_DAY, 7 * TR_DAY, 0, -1, TR_W, 0, LC_FAIL, "not a CRL"},
    {TR_CRL_TRAILING, -TR_DAY, 7 * TR_DAY, 0, -1, TR_W, 0, LC_FAIL, "not a CRL"},
    {TR_CRL_EMPTY, 0, 0, 0, -1, TR_W, 0, LC_FAIL, "not a CRL"},
    {TR_CRL_OVERSIZE, 0, 0, 0, -1, TR_W, 0, LC_ERROR, "exceeds"},
};

/* A CRL as the table says, DER or PEM, in a malloc'd buffer. */
static unsigned char *tr_crl_make(const struct tr_crl_case *t, time_t now, size_t *len)
{
    X509_CRL *crl = X509_CRL_new();
    X509 *iss = t->kind == TR_CRL_OTHER_ISSUER ? tr_other : tr_ca;
    EVP_PKEY *key =
        t->kind == TR_CRL_OTHER_ISSUER || t->kind == TR_CRL_OTHER_KEY ? tr_other_key : tr_ca_key;
    ASN1_TIME *tm = NULL;
    unsigned char *der = NULL, *out = NULL;
    int n;

    ck_assert_ptr_nonnull(crl);
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(iss));
    tm = ASN1_TIME_adj(NULL, now, 0, t->this_off);
    X509_CRL_set1_lastUpdate(crl, tm);
    ASN1_TIME_free(tm);
    if (t->next_off != TR_NONE) {
        tm = ASN1_TIME_adj(NULL, now, 0, t->next_off);
        X509_CRL_set1_nextUpdate(crl, tm);
        ASN1_TIME_free(tm);
    }
    if (t->revoked != 0) {
        X509_REVOKED *r = X509_REVOKED_new();
        ASN1_INTEGER *sn = ASN1_INTEGER_new();

        ASN1_INTEGER_set(sn, t->revoked);
        X509_REVOKED_set_serialNumber(r, sn);
        ASN1_INTEGER_free(sn);
        tm = ASN1_TIME_adj(NULL, now, -2, 0);
        X509_REVOKED_set_revocationDate(r, tm);
        ASN1_TIME_free(tm);
        if (t->reason >= 0) {
            ASN1_ENUMERATED *e = ASN1_ENUMERATED_new();

            ASN1_ENUMERATED_set(e, t->reason);
            X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, e, 0, 0);
            ASN1_ENUMERATED_free(e);
        }
        X509_CRL_add0_revoked(crl, r);
    }
    X509_CRL_sort(crl);
    ck_assert_int_gt(X509_CRL_sign(crl, key, EVP_sha256()), 0);
    if (t->kind == TR_CRL_PEM) {
        BIO *b = BIO_new(BIO_s_mem());
        char *p;
        long m;

        ck_assert_int_eq(PEM_write_bio_X509_CRL(b, crl), 1);
        m = BIO_get_mem_data(b, &p);
        out = tr_dup((const unsigned char *)p, (size_t)m);
        *len = (size_t)m;
        BIO_free(b);
    } else {
        n = i2d_X509_CRL(crl, &der);
        ck_assert_int_gt(n, 0);
        *len = (size_t)n;
        if (t->kind == TR_CRL_TRUNCATED)
            *len = (size_t)n - 10;
        if (t->kind == TR_CRL_TRAILING) {
            out = malloc((size_t)n + 4);
            ck_assert_ptr_nonnull(out);
            memcpy(out, der, (size_t)n);
            memcpy(out + n, "junk", 4);
            *len = (size_t)n + 4;
        } else {
            out = tr_dup(der, *len);
        }
        OPENSSL_free(der);
    }
    X509_CRL_free(crl);
    return out;
}

START_TEST(test_crl)
{
    const struct tr_crl_case *t = &tr_crl_cases[_i];
    struct lc_revoke_facts f;
    unsigned char *buf = NULL;
    size_t len = 0;
    char msg[512] = "";
    time_t now = time(NULL);
    enum lc_status st;

    switch (t->kind) {
    case TR_CRL_GARBAGE: {
        static const char garbage[] = "\x30\x82\x7f\xffthis is not a CRL at all, no.";

        len = sizeof(garbage) - 1;
        buf = tr_dup((const unsigned char *)garbage, len);
    } break;
    case TR_CRL_EMPTY:
        buf = tr_dup((const unsigned char *)"", 0);
        break;
    case TR_CRL_OVERSIZE:
        len = LC_REVOKE_CRL_MAX + 1;
        buf = calloc(1, len);
        ck_assert_ptr_nonnull(buf);
        break;
    default:
        buf = tr_crl_make(t, now, &len);
    }
    st = lc_revoke_crl_judge(buf, len, tr_leaf, t->no_issuer ? NULL : tr_ca, t->warn_secs, now, &f,
                             msg, sizeof(msg));
    ck_assert_msg(st == t->want, "case %d: status %d, want %d: %s", _i, (int)st, (int)t->want, msg);
    ck_assert_msg(strstr(msg, t->msg) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg, msg);
    if (t->want == LC_FAIL && t->revoked == TR_SERIAL && t->kind != TR_CRL_OTHER_KEY) {
        ck_assert_msg(f.revoked_at[0] != '\0', "case %d: no revocation date", _i);
        ck_assert_msg(strstr(msg, f.revoked_at) != NULL, "case %d: date not in message", _i);
    }
    if (t->kind == TR_CRL_DER && t->next_off != TR_NONE && t->no_issuer == 0)
        ck_assert_msg(f.next_update[0] != '\0' && f.this_update[0] != '\0',
                      "case %d: times not read", _i);
    free(buf);
}
END_TEST

/* The message is bounded by its buffer. */
START_TEST(test_crl_small_msg)
{
    static const struct tr_crl_case t = {TR_CRL_DER, -TR_DAY, 7 * TR_DAY, TR_SERIAL, 1,
                                         3,          0,       LC_FAIL,    ""};
    struct lc_revoke_facts f;
    size_t len;
    unsigned char *buf = tr_crl_make(&t, time(NULL), &len);
    char msg[12];

    memset(msg, 'x', sizeof(msg));
    ck_assert_int_eq(
        lc_revoke_crl_judge(buf, len, tr_leaf, tr_ca, 3 * TR_DAY, time(NULL), &f, msg, 8), LC_FAIL);
    ck_assert_int_eq(msg[7], '\0');
    ck_assert_int_eq(msg[8], 'x');
    free(buf);
}
END_TEST

/* ---------------------------------------------------------------- OCSP */

enum tr_ocsp_signer { TR_BY_CA, TR_BY_DELEGATE, TR_BY_NOEKU, TR_BY_OTHER };
enum tr_ocsp_kind {
    TR_OCSP_OK,
    TR_OCSP_TRYLATER,
    TR_OCSP_UNAUTHORIZED,
    TR_OCSP_OTHER_SERIAL,
    TR_OCSP_GARBAGE,
    TR_OCSP_TRUNCATED,
    TR_OCSP_OVERSIZE
};

static const struct tr_ocsp_case {
    enum tr_ocsp_kind kind;
    enum tr_ocsp_signer signer;
    int status; /* V_OCSP_CERTSTATUS_* */
    int reason;
    long this_off, next_off; /* next TR_NONE: absent */
    int no_issuer;
    enum lc_status want;
    const char *msg;
} tr_ocsp_cases[] = {
    {TR_OCSP_OK, TR_BY_CA, V_OCSP_CERTSTATUS_GOOD, -1, -60, 7 * TR_DAY, 0, LC_PASS, "good"},
    {TR_OCSP_OK, TR_BY_DELEGATE, V_OCSP_CERTSTATUS_GOOD, -1, -60, 7 * TR_DAY, 0, LC_PASS, "good"},
    {TR_OCSP_OK, TR_BY_CA, V_OCSP_CERTSTATUS_GOOD, -1, -60, TR_NONE, 0, LC_PASS, "no nextUpdate"},
    {TR_OCSP_OK, TR_BY_CA, V_OCSP_CERTSTATUS_REVOKED, OCSP_REVOKED_STATUS_KEYCOMPROMISE, -60,
     7 * TR_DAY, 0, LC_FAIL, "keyCompromise"},
    {TR_OCSP_OK, TR_BY_DELEGATE, V_OCSP_CERTSTATUS_REVOKED, -1, -60, 7 * TR_DAY, 0, LC_FAIL,
     "REVOKED"},
    {TR_OCSP_OK, TR_BY_CA, V_OCSP_CERTSTATUS_UNKNOWN, -1, -60, 7 * TR_DAY, 0, LC_FAIL, "unknown"},
    /* Stale: nextUpdate passed; and not yet valid. */
    {TR_OCSP_OK, TR_BY_CA, V_OCSP_CERTSTATUS_GOOD, -1, -8 * TR_DAY, -TR_DAY, 0, LC_FAIL, "stale"},
    {TR_OCSP_OK, TR_BY_CA, V_OCSP_CERTSTATUS_GOOD, -1, TR_DAY, 2 * TR_DAY, 0, LC_FAIL,
     "not yet valid"},
    /* Signer: another CA; the issuer's certificate without OCSPSigning. */
    {TR_OCSP_OK, TR_BY_OTHER, V_OCSP_CERTSTATUS_GOOD, -1, -60, 7 * TR_DAY, 0, LC_FAIL, "signature"},
    {TR_OCSP_OK, TR_BY_NOEKU, V_OCSP_CERTSTATUS_GOOD, -1, -60, 7 * TR_DAY, 0, LC_FAIL, "signature"},
    {TR_OCSP_OTHER_SERIAL, TR_BY_CA, V_OCSP_CERTSTATUS_GOOD, -1, -60, 7 * TR_DAY, 0, LC_FAIL,
     "does not name"},
    {TR_OCSP_OK, TR_BY_CA, V_OCSP_CERTSTATUS_GOOD, -1, -60, 7 * TR_DAY, 1, LC_ERROR,
     "issuing certificate is unknown"},
    /* Responder errors (RFC 6960 4.2.1), malformed, oversize. */
    {TR_OCSP_TRYLATER, TR_BY_CA, 0, -1, 0, 0, 0, LC_FAIL, "trylater"},
    {TR_OCSP_UNAUTHORIZED, TR_BY_CA, 0, -1, 0, 0, 0, LC_FAIL, "unauthorized"},
    {TR_OCSP_GARBAGE, TR_BY_CA, 0, -1, 0, 0, 0, LC_FAIL, "not an OCSP response"},
    {TR_OCSP_TRUNCATED, TR_BY_CA, V_OCSP_CERTSTATUS_GOOD, -1, -60, 7 * TR_DAY, 0, LC_FAIL,
     "not an OCSP response"},
    {TR_OCSP_OVERSIZE, TR_BY_CA, 0, -1, 0, 0, 0, LC_ERROR, "exceeds"},
};

static unsigned char *tr_ocsp_make(const struct tr_ocsp_case *t, size_t *len)
{
    OCSP_RESPONSE *resp = NULL;
    OCSP_BASICRESP *bs = NULL;
    OCSP_CERTID *id = NULL;
    ASN1_TIME *rev = NULL, *thisu = NULL, *nextu = NULL;
    X509 *signer = tr_ca, *leaf = tr_leaf;
    EVP_PKEY *key = tr_ca_key;
    unsigned char *der = NULL, *out;
    int n;

    if (t->kind == TR_OCSP_TRYLATER || t->kind == TR_OCSP_UNAUTHORIZED) {
        resp = OCSP_response_create(t->kind == TR_OCSP_TRYLATER ? OCSP_RESPONSE_STATUS_TRYLATER
                                                                : OCSP_RESPONSE_STATUS_UNAUTHORIZED,
                                    NULL);
    } else {
        if (t->signer == TR_BY_DELEGATE || t->signer == TR_BY_NOEKU) {
            signer = t->signer == TR_BY_DELEGATE ? tr_resp : tr_resp_noeku;
            key = tr_resp_key;
        } else if (t->signer == TR_BY_OTHER) {
            signer = tr_other;
            key = tr_other_key;
        }
        if (t->kind == TR_OCSP_OTHER_SERIAL)
            leaf = tr_resp; /* same issuer, another serial */
        bs = OCSP_BASICRESP_new();
        id = OCSP_cert_to_id(EVP_sha1(), leaf, tr_ca);
        ck_assert_ptr_nonnull(id);
        thisu = X509_gmtime_adj(NULL, t->this_off);
        if (t->next_off != TR_NONE)
            nextu = X509_gmtime_adj(NULL, t->next_off);
        if (t->status == V_OCSP_CERTSTATUS_REVOKED)
            rev = X509_gmtime_adj(NULL, -3 * TR_DAY);
        ck_assert_ptr_nonnull(
            OCSP_basic_add1_status(bs, id, t->status, t->reason, rev, thisu, nextu));
        ck_assert_int_eq(OCSP_basic_sign(bs, signer, key, EVP_sha256(), NULL, 0), 1);
        resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
    }
    ck_assert_ptr_nonnull(resp);
    n = i2d_OCSP_RESPONSE(resp, &der);
    ck_assert_int_gt(n, 0);
    *len = t->kind == TR_OCSP_TRUNCATED ? (size_t)n / 2 : (size_t)n;
    out = tr_dup(der, *len);
    OPENSSL_free(der);
    ASN1_TIME_free(rev);
    ASN1_TIME_free(thisu);
    ASN1_TIME_free(nextu);
    OCSP_CERTID_free(id);
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(resp);
    return out;
}

START_TEST(test_ocsp)
{
    const struct tr_ocsp_case *t = &tr_ocsp_cases[_i];
    struct lc_revoke_facts f;
    unsigned char *buf;
    size_t len = 0;
    char msg[512] = "";
    enum lc_status st;

    if (t->kind == TR_OCSP_GARBAGE) {
        static const char garbage[] = "\x30\x03\x0a\x01\x00garb";

        len = sizeof(garbage) - 1;
        buf = tr_dup((const unsigned char *)garbage, len);
    } else if (t->kind == TR_OCSP_OVERSIZE) {
        len = LC_REVOKE_OCSP_MAX + 1;
        buf = calloc(1, len);
        ck_assert_ptr_nonnull(buf);
    } else {
        buf = tr_ocsp_make(t, &len);
    }
    st = lc_revoke_ocsp_judge(buf, len, tr_leaf, t->no_issuer ? NULL : tr_ca, NULL, &f, msg,
                              sizeof(msg));
    ck_assert_msg(st == t->want, "case %d: status %d, want %d: %s", _i, (int)st, (int)t->want, msg);
    ck_assert_msg(strcasestr(msg, t->msg) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg,
                  msg);
    if (t->status == V_OCSP_CERTSTATUS_REVOKED && t->signer != TR_BY_OTHER)
        ck_assert_str_eq(f.cert_status, "revoked");
    free(buf);
}
END_TEST

/* The request is DER an OpenSSL responder reads back, naming the leaf. */
START_TEST(test_ocsp_request)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    size_t len = 0;
    OCSP_REQUEST *req;
    OCSP_CERTID *want = OCSP_cert_to_id(EVP_sha1(), tr_leaf, tr_ca);

    ck_assert_int_eq(lc_revoke_ocsp_request(tr_leaf, tr_ca, &der, &len), 0);
    ck_assert_uint_gt(len, 0);
    p = der;
    req = d2i_OCSP_REQUEST(NULL, &p, (long)len);
    ck_assert_ptr_nonnull(req);
    ck_assert_int_eq(OCSP_request_onereq_count(req), 1);
    ck_assert_int_eq(OCSP_id_cmp(OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, 0)), want), 0);
    OCSP_REQUEST_free(req);
    OCSP_CERTID_free(want);
    free(der);
    ck_assert_int_eq(lc_revoke_ocsp_request(tr_leaf, NULL, &der, &len), -1);
    ck_assert_ptr_null(der);
}
END_TEST

/* ---------------------------------------------------------------- verdicts */

enum tr_out { TR_O_GOOD, TR_O_REVOKED, TR_O_WARN, TR_O_LDAP, TR_O_NXDOMAIN, TR_O_PENDING };

static const struct lc_revoke_outcome tr_outs[] = {
    [TR_O_GOOD] = {"http://pki.contoso.com/a.crl", 1, 1, NULL, LC_PASS, "CRL valid until x"},
    [TR_O_REVOKED] = {"http://pki.contoso.com/b.crl", 1, 1, NULL, LC_FAIL,
                      "certificate REVOKED: reason keyCompromise"},
    [TR_O_WARN] = {"http://pki.contoso.com/c.crl", 1, 1, NULL, LC_WARN, "nextUpdate soon"},
    [TR_O_LDAP] = {"ldap:///CN=ca", 1, 0, "LDAP URL: only machines inside", LC_PASS, NULL},
    [TR_O_NXDOMAIN] = {"http://ca01.corp.contoso.com/d.crl", 1, 0,
                       "ca01.corp.contoso.com does not resolve (NXDOMAIN)", LC_PASS, NULL},
    [TR_O_PENDING] = {"http://slow.contoso.com/e.crl", 0, 0, NULL, LC_PASS, NULL},
};

static const struct tr_combine_case {
    size_t n;
    enum tr_out o[3];
    int ocsp, edge;
    enum lc_status want;
    const char *msg;
} tr_combine_cases[] = {
    {0, {0}, 0, 1, LC_SKIP, "names no CRL distribution point"},
    {0, {0}, 1, 0, LC_SKIP, "names no OCSP responder"},
    {1, {TR_O_GOOD}, 0, 1, LC_PASS, "http://pki.contoso.com/a.crl: CRL valid"},
    /* Not reachable from outside: the access edge fails, others warn. */
    {1, {TR_O_LDAP}, 0, 1, LC_FAIL, "CRL distribution point not reachable from outside: ldap://"},
    {1, {TR_O_LDAP}, 0, 0, LC_WARN, "LDAP URL"},
    {1, {TR_O_NXDOMAIN}, 1, 1, LC_FAIL, "OCSP responder not reachable from outside"},
    {2, {TR_O_LDAP, TR_O_NXDOMAIN}, 0, 0, LC_WARN, "NXDOMAIN"},
    /* A client uses the first URL that answers. */
    {2, {TR_O_LDAP, TR_O_GOOD}, 0, 1, LC_PASS, "also named, not reachable from outside: ldap://"},
    {2, {TR_O_LDAP, TR_O_REVOKED}, 0, 1, LC_FAIL, "keyCompromise"},
    {2, {TR_O_GOOD, TR_O_WARN}, 0, 1, LC_WARN, "nextUpdate soon"},
    {3, {TR_O_GOOD, TR_O_REVOKED, TR_O_WARN}, 0, 0, LC_FAIL, "b.crl: certificate REVOKED"},
    /* Nothing ended in time: could not judge. */
    {1, {TR_O_PENDING}, 0, 1, LC_ERROR, "in time"},
    {2, {TR_O_PENDING, TR_O_LDAP}, 0, 0, LC_WARN, "LDAP URL"},
};

START_TEST(test_combine)
{
    const struct tr_combine_case *t = &tr_combine_cases[_i];
    struct lc_revoke_outcome v[3];
    char msg[700] = "";
    enum lc_status st;
    size_t k;

    for (k = 0; k < t->n; k++)
        v[k] = tr_outs[t->o[k]];
    st = lc_revoke_combine(v, t->n, t->ocsp, t->edge, msg, sizeof(msg));
    ck_assert_msg(st == t->want, "case %d: status %d, want %d: %s", _i, (int)st, (int)t->want, msg);
    ck_assert_msg(strstr(msg, t->msg) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg, msg);
}
END_TEST

/* Across a listener's certificates: the worst, but a certificate naming
 * no URL of the kind (skip) never outweighs a judged one. */
START_TEST(test_worse)
{
    ck_assert_int_eq(lc_revoke_worse(LC_PASS, 1, LC_SKIP), LC_SKIP);
    ck_assert_int_eq(lc_revoke_worse(LC_SKIP, 0, LC_PASS), LC_PASS);
    ck_assert_int_eq(lc_revoke_worse(LC_PASS, 0, LC_SKIP), LC_PASS);
    ck_assert_int_eq(lc_revoke_worse(LC_SKIP, 0, LC_SKIP), LC_SKIP);
    ck_assert_int_eq(lc_revoke_worse(LC_PASS, 0, LC_WARN), LC_WARN);
    ck_assert_int_eq(lc_revoke_worse(LC_FAIL, 0, LC_WARN), LC_FAIL);
    ck_assert_int_eq(lc_revoke_worse(LC_WARN, 0, LC_ERROR), LC_ERROR);
    ck_assert_int_eq(lc_revoke_worse(LC_ERROR, 0, LC_FAIL), LC_FAIL);
    ck_assert_int_eq(lc_revoke_worse(LC_FAIL, 0, LC_SKIP), LC_FAIL);
}
END_TEST

/* ---------------------------------------------------------------- URLs */

static const struct tr_url_case {
    const char *url;
    int want;
    const char *why;
} tr_url_cases[] = {
    {"http://pki.contoso.com/issuing.crl", 1, NULL},
    {"https://pki.contoso.com./issuing.crl", 1, NULL},
    {"http://PKI.Contoso.COM:8080/ocsp", 1, NULL},
    {"http://8.8.8.8/x.crl", 1, NULL},
    {"http://172.32.0.1/x.crl", 1, NULL},
    {"http://[2001:db8::1]/x.crl", 1, NULL},
    /* Active Directory CAs' first CDP (Microsoft Learn: "Configure CRL
     * distribution points for certificates"). */
    {"ldap:///CN=Contoso%20Issuing%20CA,CN=ca01,CN=CDP,CN=Public%20Key%20Services,"
     "CN=Services,CN=Configuration,DC=contoso,DC=local?certificateRevocationList?base",
     0, "LDAP"},
    {"LDAPS://dc01.contoso.local/CN=x", 0, "LDAP"},
    {"file://ca01/CertEnroll/issuing.crl", 0, "file://"},
    {"ftp://pki.contoso.com/x.crl", 0, "ftp://"},
    {"http://ca01/CertEnroll/issuing.crl", 0, "single-label"},
    {"http://ca01./CertEnroll/issuing.crl", 0, "single-label"},
    {"http://10.1.2.3/x.crl", 0, "private"},
    {"http://172.20.0.1/x.crl", 0, "private"},
    {"http://192.168.1.1/x.crl", 0, "private"},
    {"http://169.254.1.1/x.crl", 0, "private"},
    {"http://100.64.1.1/x.crl", 0, "private"},
    {"http://[fd00::1]/x.crl", 0, "private"},
    {"http://[fe80::1]/x.crl", 0, "private"},
    {"http://[::ffff:10.0.0.1]/x.crl", 0, "private"},
    {"http://127.0.0.1/x.crl", 0, "loopback"},
    {"http://[::1]/x.crl", 0, "loopback"},
    {"http://ca01.contoso.local/x.crl", 0, ".local"},
    {"not a url", -1, "parse"},
    {"http://", -1, NULL},
    {"", -1, NULL},
};

START_TEST(test_url)
{
    const struct tr_url_case *t = &tr_url_cases[_i];
    char why[200] = "?";
    int r = lc_revoke_url_outside(t->url, why, sizeof(why));

    ck_assert_msg(r == t->want, "case %d (%s): %d, want %d (%s)", _i, t->url, r, t->want, why);
    if (t->want == 1)
        ck_assert_str_eq(why, "");
    if (t->why != NULL)
        ck_assert_msg(strstr(why, t->why) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->why,
                      why);
}
END_TEST

Suite *lc_suite_revoke(void)
{
    Suite *s = suite_create("revoke");
    TCase *pki = tcase_create("pki");
    TCase *url = tcase_create("url");

    tcase_add_unchecked_fixture(pki, tr_setup, tr_teardown);
    tcase_set_timeout(pki, 30);
    tcase_add_loop_test(pki, test_crl, 0, (int)(sizeof(tr_crl_cases) / sizeof(tr_crl_cases[0])));
    tcase_add_test(pki, test_crl_small_msg);
    tcase_add_loop_test(pki, test_ocsp, 0, (int)(sizeof(tr_ocsp_cases) / sizeof(tr_ocsp_cases[0])));
    tcase_add_test(pki, test_ocsp_request);
    tcase_add_loop_test(url, test_url, 0, (int)(sizeof(tr_url_cases) / sizeof(tr_url_cases[0])));
    tcase_add_loop_test(url, test_combine, 0,
                        (int)(sizeof(tr_combine_cases) / sizeof(tr_combine_cases[0])));
    tcase_add_test(url, test_worse);
    suite_add_tcase(s, pki);
    suite_add_tcase(s, url);
    return s;
}
