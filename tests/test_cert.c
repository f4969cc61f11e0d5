/* SPDX-License-Identifier: MIT */
/* Unit tests of the certificate rules (src/cert.c): RFC 6125 name matching
 * as Lync applies it, the facts read from certificates built here with
 * OpenSSL 3, and chain verification against a private root.
 *
 * One RSA 2048 key, made once by an unchecked fixture, signs and is carried
 * by every certificate (key generation is the slow part); only the key-type
 * test makes an EC P-256 key of its own. No AKID/SKID extensions, so the
 * shared key does not confuse chain building: issuers are found by name. */
#include <check.h>
#include <jansson.h>
#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "certjudge.h"
#include "names.h"
#include "result.h"
#include "site.h"

Suite *lc_suite_cert(void);

/* A string literal and its length in bytes, embedded NULs included. */
#define TC_LIT(s) s, sizeof(s) - 1
#define TC_DAY 86400L

/* ---- name matching ------------------------------------------------------ */

static const struct tc_match {
    const char *pattern;
    size_t len;
    const char *host;
    int wildcard;
    int want;
} tc_matches[] = {
    /* Exact names, case-insensitive, one trailing dot on either side. */
    {TC_LIT("meet.contoso.com"), "meet.contoso.com", 0, 1},
    {TC_LIT("MEET.Contoso.COM"), "meet.contoso.com", 0, 1},
    {TC_LIT("meet.contoso.com"), "Meet.CONTOSO.com", 1, 1},
    {TC_LIT("meet.contoso.com."), "meet.contoso.com", 0, 1},
    {TC_LIT("meet.contoso.com"), "meet.contoso.com.", 0, 1},
    {TC_LIT("meet.contoso.com."), "MEET.contoso.com.", 0, 1},
    {TC_LIT("meet.contoso.com"), "dialin.contoso.com", 0, 0},
    {TC_LIT("meet.contoso.com"), "meet.contoso.co", 0, 0},
    {TC_LIT("meet.contoso.co"), "meet.contoso.com", 0, 0},
    {TC_LIT("contoso.com"), "meet.contoso.com", 1, 0},
    {TC_LIT("meet.contoso.com"), "contoso.com", 1, 0},
    {TC_LIT(""), "meet.contoso.com", 0, 0},
    {TC_LIT("."), ".", 0, 0},
    {TC_LIT("meet.contoso.com"), "", 0, 0},
    /* len is honoured: the pattern need not be NUL-terminated. */
    {"meet.contoso.com.evil.com", 16, "meet.contoso.com", 0, 1},
    {"*.contoso.com*", 13, "meet.contoso.com", 1, 1},
    /* Wildcards: only when allowed, exactly one whole left-most label. */
    {TC_LIT("*.contoso.com"), "meet.contoso.com", 1, 1},
    {TC_LIT("*.contoso.com"), "meet.contoso.com", 0, 0},
    {TC_LIT("*.contoso.com"), "MEET.Contoso.Com.", 1, 1},
    {TC_LIT("*.CONTOSO.COM."), "meet.contoso.com", 1, 1},
    {TC_LIT("*.contoso.com"), "a.b.contoso.com", 1, 0},
    {TC_LIT("*.contoso.com"), "contoso.com", 1, 0},
    {TC_LIT("*.contoso.com"), ".contoso.com", 1, 0},
    {TC_LIT("*.contoso.com"), "meet.fabrikam.com", 1, 0},
    {TC_LIT("*.contoso.com"), "meet.notcontoso.com", 1, 0},
    {TC_LIT("*.contoso.com"), "meet.contoso.com.evil.net", 1, 0},
    {TC_LIT("*.contoso.com"), "meetcontoso.com", 1, 0},
    /* Partial-label wildcards never match. */
    {TC_LIT("w*.contoso.com"), "www.contoso.com", 1, 0},
    {TC_LIT("*w.contoso.com"), "www.contoso.com", 1, 0},
    {TC_LIT("*w.contoso.com"), "w.contoso.com", 1, 0},
    {TC_LIT("m*t.contoso.com"), "meet.contoso.com", 1, 0},
    {TC_LIT("**.contoso.com"), "meet.contoso.com", 1, 0},
    {TC_LIT("*-contoso.com"), "www.contoso.com", 1, 0},
    /* Too few labels after the wildcard. */
    {TC_LIT("*.com"), "contoso.com", 1, 0},
    {TC_LIT("*.com."), "contoso.com", 1, 0},
    {TC_LIT("*"), "contoso", 1, 0},
    {TC_LIT("*"), "meet.contoso.com", 1, 0},
    {TC_LIT("*."), "com.", 1, 0},
    /* A second '*' never matches. */
    {TC_LIT("*.*.contoso.com"), "a.b.contoso.com", 1, 0},
    {TC_LIT("*.contoso.*"), "meet.contoso.com", 1, 0},
    {TC_LIT("*.con*oso.com"), "meet.contoso.com", 1, 0},
    {TC_LIT("*.*.contoso.com"), "a.*.contoso.com", 1, 0},
    /* Embedded NUL: "www.bank.com\0.evil.com". */
    {TC_LIT("meet.contoso.com\0.evil.com"), "meet.contoso.com", 0, 0},
    {TC_LIT("meet.contoso.com\0.evil.com"), "meet.contoso.com", 1, 0},
    {TC_LIT("*.contoso.com\0.evil.com"), "meet.contoso.com", 1, 0},
    {TC_LIT("meet.contoso.com\0"), "meet.contoso.com", 0, 0},
    /* Non-ASCII and control bytes never match, not even themselves. */
    {TC_LIT("m\xc3\xa9"
            "et.contoso.com"),
     "m\xc3\xa9"
     "et.contoso.com",
     0, 0},
    {TC_LIT("meet.contoso.com\x7f"), "meet.contoso.com\x7f", 0, 0},
    {TC_LIT("meet contoso.com"), "meet contoso.com", 0, 0},
    {TC_LIT("meet.contoso.com\t"), "meet.contoso.com\t", 0, 0},
    /* IDNs: A-labels are plain ASCII names; U-labels never match. */
    {TC_LIT("xn--bcher-kva.example"), "XN--BCHER-KVA.example.", 0, 1},
    {TC_LIT("XN--BCHER-KVA.EXAMPLE."), "xn--bcher-kva.example", 0, 1},
    {TC_LIT("*.xn--bcher-kva.example"), "www.XN--bcher-kva.example", 1, 1},
    {TC_LIT("b\xc3\xbc"
            "cher.example"),
     "xn--bcher-kva.example", 0, 0},
    {TC_LIT("b\xc3\xbc"
            "cher.example"),
     "b\xc3\xbc"
     "cher.example",
     0, 0},
};

START_TEST(test_name_match)
{
    const struct tc_match *m = &tc_matches[_i];

    ck_assert_msg(lc_cert_name_match(m->pattern, m->len, m->host, m->wildcard) == m->want,
                  "case %d: pattern \"%s\" (%zu bytes) vs host \"%s\", wildcard %d: want %d", _i,
                  m->pattern, m->len, m->host, m->wildcard, m->want);
}
END_TEST

/* ---- certificate builders ----------------------------------------------- */

static EVP_PKEY *tc_rsa;
static long tc_serial = 0x1000;

static void tc_setup(void)
{
    if (tc_rsa == NULL)
        tc_rsa = EVP_RSA_gen(2048);
}

static void tc_teardown(void)
{
    EVP_PKEY_free(tc_rsa);
    tc_rsa = NULL;
}

/* "O=Lynccheck Tests" then "CN=<cn>" when cn is not NULL. */
static void tc_set_name(X509_NAME *name, const char *cn)
{
    ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                                (const unsigned char *)"Lynccheck Tests", -1, -1,
                                                0),
                     1);
    if (cn != NULL)
        ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                                    (const unsigned char *)cn, -1, -1, 0),
                         1);
}

/* An unsigned v3 certificate carrying tc_rsa, valid from now + not_before
 * to now + not_after (seconds); issuer_cn NULL means self-issued. */
static X509 *tc_cert(const char *cn, const char *issuer_cn, long not_before, long not_after)
{
    X509 *x = X509_new();

    ck_assert_ptr_nonnull(tc_rsa);
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(X509_set_version(x, X509_VERSION_3), 1);
    ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), tc_serial++), 1);
    tc_set_name(X509_get_subject_name(x), cn);
    tc_set_name(X509_get_issuer_name(x), issuer_cn != NULL ? issuer_cn : cn);
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), not_before));
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), not_after));
    ck_assert_int_eq(X509_set_pubkey(x, tc_rsa), 1);
    return x;
}

/* An extension in openssl.cnf syntax ("critical,CA:TRUE", "serverAuth"). */
static void tc_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    ck_assert_msg(ext != NULL, "extension %s = %s", OBJ_nid2sn(nid), value);
    ck_assert_int_eq(X509_add_ext(x, ext, -1), 1);
    X509_EXTENSION_free(ext);
}

/* A subjectAltName built by hand, so a dNSName can hold any bytes. */
struct tc_gen {
    int type; /* GEN_DNS, GEN_URI, GEN_IPADD */
    const char *data;
    size_t len;
};

static void tc_sans(X509 *x, const struct tc_gen *g, size_t n)
{
    GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
    size_t i;

    ck_assert_ptr_nonnull(gens);
    for (i = 0; i < n; i++) {
        GENERAL_NAME *gn = GENERAL_NAME_new();
        ASN1_STRING *s = g[i].type == GEN_IPADD ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();

        ck_assert_ptr_nonnull(gn);
        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(ASN1_STRING_set(s, g[i].data, (int)g[i].len), 1);
        GENERAL_NAME_set0_value(gn, g[i].type, s);
        ck_assert_int_gt(sk_GENERAL_NAME_push(gens, gn), 0);
    }
    ck_assert_int_eq(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_REPLACE), 1);
    GENERAL_NAMES_free(gens);
}

static void tc_sign(X509 *x, const EVP_MD *md)
{
    ck_assert_int_gt(X509_sign(x, tc_rsa, md), 0);
}

static void tc_sign_pss(X509 *x)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;

    ck_assert_ptr_nonnull(mctx);
    ck_assert_int_eq(EVP_DigestSignInit(mctx, &pctx, EVP_sha256(), NULL, tc_rsa), 1);
    ck_assert_int_gt(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 0);
    ck_assert_int_gt(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 0);
    ck_assert_int_gt(X509_sign_ctx(x, mctx), 0);
    EVP_MD_CTX_free(mctx);
}

/* ---- facts -------------------------------------------------------------- */

START_TEST(test_dns_sans)
{
    static const struct tc_gen gens[] = {
        {GEN_DNS, TC_LIT("meet.contoso.com")},
        {GEN_IPADD, TC_LIT("\xc0\x00\x02\x01")},
        {GEN_DNS, TC_LIT("meet.contoso.com\0.evil.com")},
        {GEN_URI, TC_LIT("sip:meet@contoso.com")},
        {GEN_DNS, TC_LIT("b\xc3\xbc"
                         "cher.example")},
        {GEN_DNS, TC_LIT("dialin.contoso.com")},
    };
    struct lc_strv names = {NULL, 0}, rejected = {NULL, 0};
    X509 *x = tc_cert("meet.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);

    tc_sans(x, gens, sizeof(gens) / sizeof(gens[0]));
    tc_sign(x, EVP_sha256());
    /* Four DNS SANs; the IP and URI entries are not DNS names. */
    ck_assert_uint_eq(lc_cert_dns_sans(x, &names, &rejected), 4);
    ck_assert_uint_eq(names.n, 2);
    ck_assert_str_eq(names.v[0], "meet.contoso.com");
    ck_assert_str_eq(names.v[1], "dialin.contoso.com");
    ck_assert_uint_eq(rejected.n, 2);
    ck_assert_str_eq(rejected.v[0], "meet.contoso.com\\x00.evil.com");
    ck_assert_str_eq(rejected.v[1], "b\\xc3\\xbccher.example");
    ck_assert_uint_eq(lc_cert_dns_sans(x, NULL, NULL), 4);
    lc_strv_clear(&names);
    lc_strv_clear(&rejected);
    X509_free(x);

    /* No extension at all. */
    x = tc_cert("meet.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);
    tc_sign(x, EVP_sha256());
    ck_assert_uint_eq(lc_cert_dns_sans(x, &names, &rejected), 0);
    ck_assert_uint_eq(names.n, 0);
    ck_assert_uint_eq(rejected.n, 0);
    X509_free(x);
}
END_TEST

static const struct tc_cover {
    const char *host;
    int wildcard;
    int want;
    const char *matched;
} tc_cover_san[] = {
    /* CN=a.example, SAN b.example, *.contoso.com, sip.contoso.com. */
    {"b.example", 0, 1, "b.example"},
    {"B.EXAMPLE.", 0, 1, "b.example"},
    {"a.example", 1, 0, ""}, /* the CN does not count next to DNS SANs */
    {"sip.contoso.com", 0, 1, "sip.contoso.com"},
    {"meet.contoso.com", 0, 0, ""},
    {"meet.contoso.com", 1, 1, "*.contoso.com"},
    {"a.meet.contoso.com", 1, 0, ""},
};

START_TEST(test_covers_sans)
{
    static const struct tc_gen gens[] = {
        {GEN_DNS, TC_LIT("b.example")},
        {GEN_DNS, TC_LIT("*.contoso.com")},
        {GEN_DNS, TC_LIT("sip.contoso.com")},
    };
    X509 *x = tc_cert("a.example", "Issuing CA", -TC_DAY, 30 * TC_DAY);
    size_t i;

    tc_sans(x, gens, sizeof(gens) / sizeof(gens[0]));
    tc_sign(x, EVP_sha256());
    for (i = 0; i < sizeof(tc_cover_san) / sizeof(tc_cover_san[0]); i++) {
        const struct tc_cover *c = &tc_cover_san[i];
        char matched[64];

        memset(matched, 'X', sizeof(matched));
        ck_assert_msg(lc_cert_covers(x, c->host, c->wildcard, matched, sizeof(matched)) == c->want,
                      "host %s wildcard %d: want %d", c->host, c->wildcard, c->want);
        ck_assert_str_eq(matched, c->matched);
        ck_assert_int_eq(lc_cert_covers(x, c->host, c->wildcard, NULL, 0), c->want);
    }
    {
        /* A buffer too small for the name: still covered, still a string. */
        char small[4];
        ck_assert_int_eq(lc_cert_covers(x, "sip.contoso.com", 0, small, sizeof(small)), 1);
        ck_assert_uint_lt(strlen(small), sizeof(small));
    }
    X509_free(x);
}
END_TEST

START_TEST(test_covers_cn_fallback)
{
    static const struct tc_gen ip[] = {{GEN_IPADD, TC_LIT("\xc0\x00\x02\x01")}};
    char matched[64];
    X509 *x = tc_cert("a.example", "Issuing CA", -TC_DAY, 30 * TC_DAY);

    /* No subjectAltName: the CN decides. */
    tc_sign(x, EVP_sha256());
    ck_assert_int_eq(lc_cert_covers(x, "A.Example.", 0, matched, sizeof(matched)), 1);
    ck_assert_str_eq(matched, "a.example");
    ck_assert_int_eq(lc_cert_covers(x, "b.example", 1, matched, sizeof(matched)), 0);
    ck_assert_str_eq(matched, "");
    X509_free(x);

    /* A subjectAltName with no dNSName (an IP only): the CN still decides. */
    x = tc_cert("a.example", "Issuing CA", -TC_DAY, 30 * TC_DAY);
    tc_sans(x, ip, 1);
    tc_sign(x, EVP_sha256());
    ck_assert_int_eq(lc_cert_covers(x, "a.example", 0, matched, sizeof(matched)), 1);
    ck_assert_str_eq(matched, "a.example");
    X509_free(x);

    /* A wildcard CN, only when wildcards are allowed. */
    x = tc_cert("*.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);
    tc_sign(x, EVP_sha256());
    ck_assert_int_eq(lc_cert_covers(x, "meet.contoso.com", 1, matched, sizeof(matched)), 1);
    ck_assert_str_eq(matched, "*.contoso.com");
    ck_assert_int_eq(lc_cert_covers(x, "meet.contoso.com", 0, matched, sizeof(matched)), 0);
    ck_assert_int_eq(lc_cert_covers(x, "contoso.com", 1, NULL, 0), 0);
    X509_free(x);

    /* No CN, no SAN: nothing is covered. */
    x = tc_cert(NULL, "Issuing CA", -TC_DAY, 30 * TC_DAY);
    tc_sign(x, EVP_sha256());
    ck_assert_int_eq(lc_cert_covers(x, "meet.contoso.com", 1, matched, sizeof(matched)), 0);
    X509_free(x);
}
END_TEST

START_TEST(test_covers_nul)
{
    static const struct tc_gen nul[] = {{GEN_DNS, TC_LIT("meet.contoso.com\0.evil.com")}};
    static const char cn[] = "meet.contoso.com\0.evil.com";
    X509 *x = tc_cert("meet.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);

    /* The only DNS SAN is poisoned: the (good) CN must not rescue it. */
    tc_sans(x, nul, 1);
    tc_sign(x, EVP_sha256());
    ck_assert_int_eq(lc_cert_covers(x, "meet.contoso.com", 1, NULL, 0), 0);
    X509_free(x);

    /* A CN with a NUL inside covers nothing either. */
    x = tc_cert(NULL, "Issuing CA", -TC_DAY, 30 * TC_DAY);
    ck_assert_int_eq(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
                                                (const unsigned char *)cn, sizeof(cn) - 1, -1, 0),
                     1);
    tc_sign(x, EVP_sha256());
    ck_assert_int_eq(lc_cert_covers(x, "meet.contoso.com", 1, NULL, 0), 0);
    ck_assert_int_eq(lc_cert_covers(x, "evil.com", 1, NULL, 0), 0);
    X509_free(x);
}
END_TEST

START_TEST(test_subject_cn)
{
    static const char nul[] = "meet.contoso.com\0.evil.com";
    X509 *x = tc_cert("sip.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);
    char *cn;

    tc_sign(x, EVP_sha256());
    cn = lc_cert_subject_cn(x);
    ck_assert_str_eq(cn, "sip.contoso.com");
    free(cn);
    X509_free(x);

    /* UTF-8 kept as UTF-8. */
    x = tc_cert("b\xc3\xbc"
                "cher.example",
                "Issuing CA", -TC_DAY, 30 * TC_DAY);
    tc_sign(x, EVP_sha256());
    cn = lc_cert_subject_cn(x);
    ck_assert_str_eq(cn, "b\xc3\xbc"
                         "cher.example");
    free(cn);
    X509_free(x);

    /* No CN at all. */
    x = tc_cert(NULL, "Issuing CA", -TC_DAY, 30 * TC_DAY);
    tc_sign(x, EVP_sha256());
    ck_assert_ptr_null(lc_cert_subject_cn(x));
    X509_free(x);

    /* An embedded NUL is kept visible (as \x01), never a shorter name. */
    x = tc_cert(NULL, "Issuing CA", -TC_DAY, 30 * TC_DAY);
    ck_assert_int_eq(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
                                                (const unsigned char *)nul, sizeof(nul) - 1, -1, 0),
                     1);
    tc_sign(x, EVP_sha256());
    cn = lc_cert_subject_cn(x);
    ck_assert_str_eq(cn, "meet.contoso.com\x01.evil.com");
    free(cn);
    X509_free(x);
}
END_TEST

START_TEST(test_fingerprint)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0, i;
    char fp[65], want[65];
    X509 *x = tc_cert("sip.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);

    tc_sign(x, EVP_sha256());
    memset(fp, 'X', sizeof(fp));
    lc_cert_fingerprint(x, fp);
    ck_assert_uint_eq(strlen(fp), 64);
    ck_assert_uint_eq(strspn(fp, hex), 64);
    ck_assert_int_eq(X509_digest(x, EVP_sha256(), md, &n), 1);
    ck_assert_uint_eq(n, 32);
    for (i = 0; i < n; i++) {
        want[2 * i] = hex[md[i] >> 4];
        want[2 * i + 1] = hex[md[i] & 15];
    }
    want[64] = '\0';
    ck_assert_str_eq(fp, want);
    X509_free(x);
}
END_TEST

static const struct tc_days {
    long not_before, not_after; /* seconds from now */
    int min_days, max_days;     /* a second may pass while the test runs */
    int not_yet_valid;
} tc_days[] = {
    {-TC_DAY, 10 * TC_DAY, 9, 10, 0},
    {-30 * TC_DAY, -2 * TC_DAY, -2, -2, 0},            /* expired two days ago */
    {-30 * TC_DAY, -5 * TC_DAY - 6 * 3600, -5, -5, 0}, /* 5 days 6 hours ago: 5 days */
    {5 * TC_DAY, 30 * TC_DAY, 29, 30, 1},              /* not yet valid */
    {-TC_DAY, 3 * 3600, 0, 0, 0},                      /* expires in 3 hours: 0 days */
    {-TC_DAY, -3 * 3600, -1, -1, 0},                   /* expired 3 hours ago: -1 */
    {-400 * TC_DAY, 365 * TC_DAY, 364, 365, 0},
};

START_TEST(test_days_left)
{
    const struct tc_days *t = &tc_days[_i];
    X509 *x = tc_cert("sip.contoso.com", "Issuing CA", t->not_before, t->not_after);
    int days = 12345, nyv = -1;

    tc_sign(x, EVP_sha256());
    ck_assert_int_eq(lc_cert_days_left(x, &days, &nyv), 0);
    ck_assert_msg(days >= t->min_days && days <= t->max_days, "case %d: days %d, want %d..%d", _i,
                  days, t->min_days, t->max_days);
    ck_assert_int_eq(nyv, t->not_yet_valid);
    days = 12345;
    ck_assert_int_eq(lc_cert_days_left(x, &days, NULL), 0);
    ck_assert_int_ge(days, t->min_days);
    ck_assert_int_le(days, t->max_days);
    X509_free(x);
}
END_TEST

START_TEST(test_key)
{
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = tc_cert("sip.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);
    const char *type = NULL;
    int bits = 0;

    tc_sign(x, EVP_sha256());
    lc_cert_key(x, &type, &bits);
    ck_assert_str_eq(type, "RSA");
    ck_assert_int_eq(bits, 2048);
    X509_free(x);

    ck_assert_ptr_nonnull(ec);
    x = tc_cert("sip.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);
    ck_assert_int_eq(X509_set_pubkey(x, ec), 1);
    ck_assert_int_gt(X509_sign(x, ec, EVP_sha256()), 0);
    lc_cert_key(x, &type, &bits);
    ck_assert_str_eq(type, "EC");
    ck_assert_int_eq(bits, 256);
    /* ECDSA with SHA-256 is none of the bad signatures. */
    ck_assert_str_eq(lc_cert_sig_name(x), "ecdsa-with-SHA256");
    ck_assert(!lc_cert_sig_is_sha1(x));
    ck_assert(!lc_cert_sig_is_md5(x));
    ck_assert(!lc_cert_sig_is_pss(x));
    X509_free(x);
    EVP_PKEY_free(ec);
}
END_TEST

START_TEST(test_signature)
{
    X509 *x = tc_cert("sip.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);

    tc_sign(x, EVP_sha256());
    ck_assert_str_eq(lc_cert_sig_name(x), "sha256WithRSAEncryption");
    ck_assert(!lc_cert_sig_is_sha1(x));
    ck_assert(!lc_cert_sig_is_md5(x));
    ck_assert(!lc_cert_sig_is_pss(x));
    X509_free(x);

    x = tc_cert("sip.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);
    tc_sign(x, EVP_sha1());
    ck_assert_str_eq(lc_cert_sig_name(x), "sha1WithRSAEncryption");
    ck_assert(lc_cert_sig_is_sha1(x));
    ck_assert(!lc_cert_sig_is_md5(x));
    ck_assert(!lc_cert_sig_is_pss(x));
    X509_free(x);

    x = tc_cert("sip.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);
    tc_sign_pss(x);
    ck_assert(lc_cert_sig_is_pss(x));
    ck_assert(!lc_cert_sig_is_sha1(x));
    ck_assert(!lc_cert_sig_is_md5(x));
    ck_assert_str_ne(lc_cert_sig_name(x), "unknown");
    X509_free(x);
}
END_TEST

START_TEST(test_eku)
{
    X509 *x = tc_cert("sip.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);
    int no_eku = -1;

    tc_ext(x, NID_ext_key_usage, "serverAuth");
    tc_sign(x, EVP_sha256());
    ck_assert_int_eq(lc_cert_has_eku(x, NID_server_auth, &no_eku), 1);
    ck_assert_int_eq(no_eku, 0);
    ck_assert_int_eq(lc_cert_has_eku(x, NID_client_auth, &no_eku), 0);
    ck_assert_int_eq(no_eku, 0);
    X509_free(x);

    x = tc_cert("sip.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);
    tc_ext(x, NID_ext_key_usage, "serverAuth,clientAuth");
    tc_sign(x, EVP_sha256());
    no_eku = -1;
    ck_assert_int_eq(lc_cert_has_eku(x, NID_server_auth, &no_eku), 1);
    ck_assert_int_eq(no_eku, 0);
    ck_assert_int_eq(lc_cert_has_eku(x, NID_client_auth, &no_eku), 1);
    ck_assert_int_eq(lc_cert_has_eku(x, NID_code_sign, &no_eku), 0);
    X509_free(x);

    x = tc_cert("sip.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);
    tc_ext(x, NID_ext_key_usage, "clientAuth");
    tc_sign(x, EVP_sha256());
    no_eku = -1;
    ck_assert_int_eq(lc_cert_has_eku(x, NID_server_auth, &no_eku), 0);
    ck_assert_int_eq(no_eku, 0);
    X509_free(x);

    /* No extension: "any use", reported through no_eku. */
    x = tc_cert("sip.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);
    tc_sign(x, EVP_sha256());
    no_eku = -1;
    ck_assert_int_eq(lc_cert_has_eku(x, NID_server_auth, &no_eku), 0);
    ck_assert_int_eq(no_eku, 1);
    X509_free(x);
}
END_TEST

START_TEST(test_uris)
{
    struct lc_strv crl = {NULL, 0}, ocsp = {NULL, 0}, cai = {NULL, 0};
    X509 *x = tc_cert("sip.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);

    tc_ext(x, NID_crl_distribution_points, "URI:http://crl.contoso.com/issuing.crl");
    tc_ext(x, NID_info_access,
           "OCSP;URI:http://ocsp.contoso.com,caIssuers;URI:http://pki.contoso.com/issuing.crt");
    tc_sign(x, EVP_sha256());
    lc_cert_uris(x, &crl, &ocsp, &cai);
    ck_assert_uint_eq(crl.n, 1);
    ck_assert_str_eq(crl.v[0], "http://crl.contoso.com/issuing.crl");
    ck_assert_uint_eq(ocsp.n, 1);
    ck_assert_str_eq(ocsp.v[0], "http://ocsp.contoso.com");
    ck_assert_uint_eq(cai.n, 1);
    ck_assert_str_eq(cai.v[0], "http://pki.contoso.com/issuing.crt");
    lc_strv_clear(&crl);
    lc_strv_clear(&ocsp);
    lc_strv_clear(&cai);
    /* Sinks may be NULL. */
    lc_cert_uris(x, NULL, &ocsp, NULL);
    ck_assert_uint_eq(ocsp.n, 1);
    lc_strv_clear(&ocsp);
    X509_free(x);

    x = tc_cert("sip.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);
    tc_sign(x, EVP_sha256());
    lc_cert_uris(x, &crl, &ocsp, &cai);
    ck_assert_uint_eq(crl.n + ocsp.n + cai.n, 0);
    X509_free(x);
}
END_TEST

static const char *tc_jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);

    ck_assert_msg(json_is_string(v), "\"%s\" is not a string", key);
    return json_string_value(v);
}

static void tc_jarray(const json_t *o, const char *key, const char *const *want, size_t n)
{
    const json_t *a = json_object_get(o, key);
    size_t i;

    ck_assert_msg(json_is_array(a), "\"%s\" is not an array", key);
    ck_assert_uint_eq(json_array_size(a), n);
    for (i = 0; i < n; i++)
        ck_assert_str_eq(json_string_value(json_array_get(a, i)), want[i]);
}

START_TEST(test_to_json)
{
    static const struct tc_gen gens[] = {
        {GEN_DNS, TC_LIT("meet.contoso.com")},
        {GEN_DNS, TC_LIT("meet.contoso.com\0.evil.com")},
        {GEN_DNS, TC_LIT("dialin.contoso.com")},
    };
    static const char *const sans[] = {"meet.contoso.com", "dialin.contoso.com"};
    static const char *const rejected[] = {"meet.contoso.com\\x00.evil.com"};
    static const char *const eku[] = {"serverAuth", "clientAuth"};
    static const char *const crl[] = {"http://crl.contoso.com/issuing.crl"};
    static const char *const ocsp[] = {"http://ocsp.contoso.com"};
    static const char *const cai[] = {"http://pki.contoso.com/issuing.crt"};
    static const char *const none[] = {NULL};
    X509 *x = tc_cert("meet.contoso.com", "Contoso Issuing CA", 0, 0);
    json_t *j, *key;
    char fp[65], *dump;
    int days = 0;

    /* Fixed dates: a UTCTime and a GeneralizedTime (year 2050 and later). */
    ck_assert_int_eq(ASN1_TIME_set_string(X509_getm_notBefore(x), "200102030405Z"), 1);
    ck_assert_int_eq(ASN1_TIME_set_string(X509_getm_notAfter(x), "20510315083000Z"), 1);
    ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1234abcdL), 1);
    tc_sans(x, gens, sizeof(gens) / sizeof(gens[0]));
    tc_ext(x, NID_ext_key_usage, "serverAuth,clientAuth");
    tc_ext(x, NID_crl_distribution_points, "URI:http://crl.contoso.com/issuing.crl");
    tc_ext(x, NID_info_access,
           "OCSP;URI:http://ocsp.contoso.com,caIssuers;URI:http://pki.contoso.com/issuing.crt");
    tc_sign(x, EVP_sha256());
    j = lc_cert_to_json(x);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(tc_jstr(j, "subject"), "CN=meet.contoso.com,O=Lynccheck Tests");
    ck_assert_str_eq(tc_jstr(j, "issuer"), "CN=Contoso Issuing CA,O=Lynccheck Tests");
    tc_jarray(j, "sans", sans, 2);
    tc_jarray(j, "sans_rejected", rejected, 1);
    ck_assert_str_eq(tc_jstr(j, "serial"), "1234ABCD");
    ck_assert_str_eq(tc_jstr(j, "not_before"), "2020-01-02T03:04:05Z");
    ck_assert_str_eq(tc_jstr(j, "not_after"), "2051-03-15T08:30:00Z");
    ck_assert(json_is_integer(json_object_get(j, "days_left")));
    ck_assert_int_eq(lc_cert_days_left(x, &days, NULL), 0);
    ck_assert_int_gt(json_integer_value(json_object_get(j, "days_left")), 365);
    ck_assert_int_le(json_integer_value(json_object_get(j, "days_left")), days);
    ck_assert_int_ge(json_integer_value(json_object_get(j, "days_left")), days - 1);
    key = json_object_get(j, "key");
    ck_assert(json_is_object(key));
    ck_assert_str_eq(tc_jstr(key, "type"), "RSA");
    ck_assert_int_eq(json_integer_value(json_object_get(key, "bits")), 2048);
    ck_assert_str_eq(tc_jstr(j, "signature"), "sha256WithRSAEncryption");
    tc_jarray(j, "eku", eku, 2);
    lc_cert_fingerprint(x, fp);
    ck_assert_str_eq(tc_jstr(j, "sha256"), fp);
    tc_jarray(j, "crl", crl, 1);
    tc_jarray(j, "ocsp", ocsp, 1);
    tc_jarray(j, "ca_issuers", cai, 1);
    dump = json_dumps(j, JSON_COMPACT);
    ck_assert_ptr_nonnull(dump);
    free(dump);
    json_decref(j);
    X509_free(x);

    /* A bare certificate: empty arrays, a null EKU (any use), no
     * sans_rejected. */
    x = tc_cert("sip.contoso.com", NULL, -TC_DAY, 30 * TC_DAY);
    tc_sign(x, EVP_sha1());
    j = lc_cert_to_json(x);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(tc_jstr(j, "subject"), tc_jstr(j, "issuer"));
    tc_jarray(j, "sans", none, 0);
    ck_assert_ptr_null(json_object_get(j, "sans_rejected"));
    ck_assert(json_is_null(json_object_get(j, "eku")));
    ck_assert_str_eq(tc_jstr(j, "signature"), "sha1WithRSAEncryption");
    ck_assert_int_ge(json_integer_value(json_object_get(j, "days_left")), 29);
    ck_assert_int_le(json_integer_value(json_object_get(j, "days_left")), 30);
    tc_jarray(j, "crl", none, 0);
    tc_jarray(j, "ocsp", none, 0);
    tc_jarray(j, "ca_issuers", none, 0);
    json_decref(j);
    X509_free(x);

    /* An EKU without serverAuth or clientAuth is an empty array, not null. */
    x = tc_cert("sip.contoso.com", "Issuing CA", -TC_DAY, 30 * TC_DAY);
    tc_ext(x, NID_ext_key_usage, "codeSigning");
    tc_sign(x, EVP_sha256());
    j = lc_cert_to_json(x);
    ck_assert_ptr_nonnull(j);
    tc_jarray(j, "eku", none, 0);
    json_decref(j);
    X509_free(x);
}
END_TEST

/* ---- chains ------------------------------------------------------------- */

#define TC_ROOT "Lynccheck Test Root"
#define TC_INTER "Lynccheck Test Issuing CA"
#define TC_OTHER_ROOT "Other Root"
#define TC_OTHER_INTER "Other Issuing CA"

static X509 *tc_ca(const char *cn, const char *issuer_cn)
{
    X509 *x = tc_cert(cn, issuer_cn, -TC_DAY, 3650 * TC_DAY);

    tc_ext(x, NID_basic_constraints, "critical,CA:TRUE");
    tc_ext(x, NID_key_usage, "critical,keyCertSign,cRLSign");
    tc_sign(x, EVP_sha256());
    return x;
}

static X509 *tc_leaf(const char *issuer_cn, long not_before, long not_after)
{
    X509 *x = tc_cert("sip.contoso.com", issuer_cn, not_before, not_after);

    tc_ext(x, NID_basic_constraints, "critical,CA:FALSE");
    tc_ext(x, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    tc_ext(x, NID_ext_key_usage, "serverAuth");
    tc_ext(x, NID_subject_alt_name, "DNS:sip.contoso.com");
    tc_sign(x, EVP_sha256());
    return x;
}

/* The server's chain, leaf first, as a fresh stack (certs not owned). */
static enum lc_chain_kind tc_verify(X509_STORE *store, X509 *const *certs, int n, char *msg,
                                    size_t len)
{
    STACK_OF(X509) *sk = sk_X509_new_null();
    enum lc_chain_kind kind;
    int i;

    ck_assert_ptr_nonnull(sk);
    for (i = 0; i < n; i++)
        ck_assert_int_gt(sk_X509_push(sk, certs[i]), 0);
    msg[0] = '\0';
    kind = lc_cert_verify_chain(store, sk, msg, len);
    sk_X509_free(sk);
    return kind;
}

/* A trusted root (the only certificate in the store) and its issuing CA. */
struct tc_pki {
    X509 *root, *inter;
    X509_STORE *store;
};

static void tc_pki_init(struct tc_pki *p)
{
    p->root = tc_ca(TC_ROOT, NULL);
    p->inter = tc_ca(TC_INTER, TC_ROOT);
    p->store = X509_STORE_new();
    ck_assert_ptr_nonnull(p->store);
    ck_assert_int_eq(X509_STORE_add_cert(p->store, p->root), 1);
}

static void tc_pki_free(struct tc_pki *p)
{
    X509_STORE_free(p->store);
    X509_free(p->inter);
    X509_free(p->root);
}

START_TEST(test_chain_ok)
{
    struct tc_pki p;
    X509 *sent[2];
    char msg[512];

    tc_pki_init(&p);
    sent[0] = tc_leaf(TC_INTER, -TC_DAY, 90 * TC_DAY);
    sent[1] = p.inter;
    ck_assert_int_eq(tc_verify(p.store, sent, 2, msg, sizeof(msg)), LC_CHAIN_OK);
    ck_assert_msg(strstr(msg, "2 certificates sent") != NULL, "%s", msg);
    ck_assert_msg(strstr(msg, "3 in the verified chain") != NULL, "%s", msg);
    X509_free(sent[0]);
    tc_pki_free(&p);
}
END_TEST

START_TEST(test_chain_expired_leaf_ok)
{
    struct tc_pki p;
    X509 *sent[2];
    char msg[512];

    /* Dates have their own check; the chain itself is fine. */
    tc_pki_init(&p);
    sent[0] = tc_leaf(TC_INTER, -400 * TC_DAY, -2 * TC_DAY);
    sent[1] = p.inter;
    ck_assert_int_eq(tc_verify(p.store, sent, 2, msg, sizeof(msg)), LC_CHAIN_OK);
    X509_free(sent[0]);
    /* Not yet valid, likewise. */
    sent[0] = tc_leaf(TC_INTER, 2 * TC_DAY, 90 * TC_DAY);
    ck_assert_int_eq(tc_verify(p.store, sent, 2, msg, sizeof(msg)), LC_CHAIN_OK);
    X509_free(sent[0]);
    tc_pki_free(&p);
}
END_TEST

START_TEST(test_chain_incomplete)
{
    struct tc_pki p;
    X509 *leaf;
    char msg[512];

    tc_pki_init(&p);
    leaf = tc_leaf(TC_INTER, -TC_DAY, 90 * TC_DAY);
    ck_assert_int_eq(tc_verify(p.store, &leaf, 1, msg, sizeof(msg)), LC_CHAIN_INCOMPLETE);
    ck_assert_msg(strstr(msg, "incomplete chain") != NULL, "%s", msg);
    ck_assert_msg(strstr(msg, TC_INTER) != NULL, "%s", msg);
    X509_free(leaf);
    tc_pki_free(&p);
}
END_TEST

START_TEST(test_chain_wrong_intermediate)
{
    struct tc_pki p;
    X509 *sent[2];
    char msg[512];

    /* The server sends an intermediate, but not the one that issued its
     * certificate (typically the old one after a CA renewal): the issuer of
     * the leaf is missing, which is LC_CHAIN_INCOMPLETE ("the server did not
     * send the intermediate"), not an untrusted root. */
    tc_pki_init(&p);
    sent[0] = tc_leaf(TC_INTER, -TC_DAY, 90 * TC_DAY);
    sent[1] = tc_ca(TC_OTHER_INTER, TC_ROOT);
    ck_assert_int_eq(tc_verify(p.store, sent, 2, msg, sizeof(msg)), LC_CHAIN_INCOMPLETE);
    ck_assert_msg(strstr(msg, TC_INTER) != NULL, "%s", msg);
    ck_assert_msg(strstr(msg, "not a trusted root") == NULL, "%s", msg);
    X509_free(sent[0]);
    X509_free(sent[1]);
    tc_pki_free(&p);
}
END_TEST

START_TEST(test_chain_self_signed)
{
    struct tc_pki p;
    X509 *leaf;
    char msg[512];

    tc_pki_init(&p);
    leaf = tc_leaf(NULL, -TC_DAY, 90 * TC_DAY);
    ck_assert_int_eq(tc_verify(p.store, &leaf, 1, msg, sizeof(msg)), LC_CHAIN_SELF_SIGNED);
    ck_assert_msg(strstr(msg, "self-signed") != NULL, "%s", msg);
    X509_free(leaf);
    tc_pki_free(&p);
}
END_TEST

START_TEST(test_chain_untrusted)
{
    struct tc_pki p;
    X509 *other_root, *sent[3];
    char msg[512];

    tc_pki_init(&p);
    other_root = tc_ca(TC_OTHER_ROOT, NULL);
    sent[0] = tc_leaf(TC_OTHER_INTER, -TC_DAY, 90 * TC_DAY);
    sent[1] = tc_ca(TC_OTHER_INTER, TC_OTHER_ROOT);
    sent[2] = other_root;
    /* Leaf and intermediate of a hierarchy whose root is not trusted. */
    ck_assert_int_eq(tc_verify(p.store, sent, 2, msg, sizeof(msg)), LC_CHAIN_UNTRUSTED);
    ck_assert_msg(strstr(msg, TC_OTHER_ROOT) != NULL, "%s", msg);
    /* The same with the untrusted root sent too. */
    ck_assert_int_eq(tc_verify(p.store, sent, 3, msg, sizeof(msg)), LC_CHAIN_UNTRUSTED);
    ck_assert_msg(strstr(msg, TC_OTHER_ROOT) != NULL, "%s", msg);
    X509_free(sent[0]);
    X509_free(sent[1]);
    X509_free(other_root);
    tc_pki_free(&p);
}
END_TEST

START_TEST(test_chain_none)
{
    X509_STORE *store = X509_STORE_new();
    STACK_OF(X509) *empty = sk_X509_new_null();
    char msg[128];

    ck_assert_ptr_nonnull(store);
    ck_assert_ptr_nonnull(empty);
    msg[0] = '\0';
    ck_assert_int_eq(lc_cert_verify_chain(store, empty, msg, sizeof(msg)), LC_CHAIN_NONE);
    ck_assert_str_eq(msg, "the server sent no certificate");
    msg[0] = '\0';
    ck_assert_int_eq(lc_cert_verify_chain(store, NULL, msg, sizeof(msg)), LC_CHAIN_NONE);
    ck_assert_str_eq(msg, "the server sent no certificate");
    sk_X509_free(empty);
    X509_STORE_free(store);
}
END_TEST

/* ---- the TLS verdicts (certjudge.c) ------------------------------------- */

/* The deployment the judges are tried on: contoso.com, every role named. */
static struct lc_site tc_site;
static EVP_PKEY *tc_rsa1024, *tc_rsa1536, *tc_ec;

static void tc_judge_setup(void)
{
    tc_setup();
    if (tc_rsa1024 == NULL)
        tc_rsa1024 = EVP_RSA_gen(1024);
    if (tc_rsa1536 == NULL)
        tc_rsa1536 = EVP_RSA_gen(1536);
    if (tc_ec == NULL)
        tc_ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    memset(&tc_site, 0, sizeof(tc_site));
    (void)lc_strv_push(&tc_site.sip_domains, "contoso.com");
    tc_site.access_edge = strdup("access.contoso.com");
    tc_site.webconf_edge = strdup("webconf.contoso.com");
    (void)lc_strv_push(&tc_site.web_external, "webext.contoso.com");
    (void)lc_strv_push(&tc_site.director_web_external, "webdirext.contoso.com");
    tc_site.owa = strdup("owa.contoso.com");
    (void)lc_site_apply_defaults(&tc_site);
}

static void tc_judge_teardown(void)
{
    lc_site_clear(&tc_site);
    EVP_PKEY_free(tc_rsa1024);
    EVP_PKEY_free(tc_rsa1536);
    EVP_PKEY_free(tc_ec);
    tc_rsa1024 = tc_rsa1536 = tc_ec = NULL;
    tc_teardown();
}

#define TC_RP_SAN                                                                                  \
    "DNS:webext.contoso.com,DNS:webdirext.contoso.com,DNS:meet.contoso.com,"                       \
    "DNS:dialin.contoso.com,DNS:lyncdiscover.contoso.com"
#define TC_EDGE_SAN "DNS:access.contoso.com,DNS:webconf.contoso.com,DNS:sip.contoso.com"

enum tc_sig { TC_SHA256 = 0, TC_SHA1, TC_MD5, TC_PSS };
enum tc_chain {
    TC_FULL = 0,    /* leaf and issuing CA sent; the store has the root */
    TC_LEAF,        /* the leaf alone sent; the store has the root */
    TC_STORE,       /* the leaf alone sent; the store has the root and the issuing CA */
    TC_FULL_STORE,  /* leaf and issuing CA sent; the store has both too */
    TC_SELF,        /* a self-signed leaf */
    TC_REISSUED,    /* leaf and issuing CA sent; the store has a re-issued copy of that CA
                       (same subject and key, another serial), which OpenSSL prefers */
    TC_OLD_INTER,   /* leaf and an expired issuing CA sent */
    TC_ENDING_INTER /* leaf and an issuing CA expiring in 10 days sent */
};

/* One row: a certificate, how and for what it was served, the verdict. */
struct tc_jcase {
    const char *label;
    enum lc_cj_kind kind;
    enum lc_listener_kind listener;
    const char *cn;
    const char *san; /* openssl.cnf syntax, NULL: no subjectAltName */
    long from, to;   /* validity, days from now */
    enum tc_sig sig;
    int bits;        /* 0: the shared RSA 2048 key; 1024, 1536; -1: EC P-256 */
    const char *eku; /* NULL: no extension */
    int cdp;         /* a CRL distribution point */
    enum tc_chain chain;
    const char *served; /* NULL: served for the primary name; else the one name */
    enum lc_status want;
    const char *text; /* in the message */
};

#define TC_HEALTHY_RP "webext.contoso.com", TC_RP_SAN, -1, 365, TC_SHA256, 0, "serverAuth", 1
#define TC_HEALTHY_EDGE                                                                            \
    "access.contoso.com", TC_EDGE_SAN, -1, 365, TC_SHA256, 0, "serverAuth,clientAuth", 1

static const struct tc_jcase tc_jcases[] = {
    /* validity (warn 30 days ahead) */
    {"valid", LC_CJ_VALIDITY, LC_L_RP, TC_HEALTHY_RP, TC_FULL, NULL, LC_PASS, "valid until"},
    {"expired", LC_CJ_VALIDITY, LC_L_RP, "webext.contoso.com", TC_RP_SAN, -400, -5, TC_SHA256, 0,
     "serverAuth", 1, TC_FULL, NULL, LC_FAIL, "expired on"},
    {"not yet valid", LC_CJ_VALIDITY, LC_L_RP, "webext.contoso.com", TC_RP_SAN, 2, 367, TC_SHA256,
     0, "serverAuth", 1, TC_FULL, NULL, LC_FAIL, "is not yet valid"},
    {"expiring", LC_CJ_VALIDITY, LC_L_EDGE, "access.contoso.com", TC_EDGE_SAN, -1, 10, TC_SHA256, 0,
     "serverAuth", 1, TC_FULL, NULL, LC_WARN, "expires in"},
    {"owa's own, expired", LC_CJ_VALIDITY, LC_L_RP, "owa.contoso.com", "DNS:owa.contoso.com", -400,
     -5, TC_SHA256, 0, "serverAuth", 1, TC_FULL, "owa.contoso.com", LC_FAIL,
     "(CN=owa.contoso.com) expired"},
    /* intermediates sent */
    {"intermediate valid", LC_CJ_INTERMEDIATES, LC_L_RP, TC_HEALTHY_RP, TC_FULL, NULL, LC_PASS,
     "1 intermediate valid"},
    {"no intermediate", LC_CJ_INTERMEDIATES, LC_L_RP, TC_HEALTHY_RP, TC_LEAF, NULL, LC_PASS,
     "no intermediate sent"},
    {"intermediate expired", LC_CJ_INTERMEDIATES, LC_L_RP, TC_HEALTHY_RP, TC_OLD_INTER, NULL,
     LC_FAIL, "intermediate (CN=" TC_INTER ") expired"},
    {"intermediate expiring", LC_CJ_INTERMEDIATES, LC_L_RP, TC_HEALTHY_RP, TC_ENDING_INTER, NULL,
     LC_WARN, "expires in"},
    /* chain as sent */
    {"full chain", LC_CJ_CHAIN, LC_L_RP, TC_HEALTHY_RP, TC_FULL, NULL, LC_PASS, "chain verified"},
    {"full chain, store has it too", LC_CJ_CHAIN, LC_L_RP, TC_HEALTHY_RP, TC_FULL_STORE, NULL,
     LC_PASS, "chain verified"},
    {"leaf only", LC_CJ_CHAIN, LC_L_RP, TC_HEALTHY_RP, TC_LEAF, NULL, LC_FAIL, "incomplete chain"},
    {"completed from the store", LC_CJ_CHAIN, LC_L_RP, TC_HEALTHY_RP, TC_STORE, NULL, LC_FAIL,
     "does not send intermediate CN=" TC_INTER "; completed from the local trust store"},
    {"self-signed", LC_CJ_CHAIN, LC_L_RP, TC_HEALTHY_RP, TC_SELF, NULL, LC_FAIL, "self-signed"},
    {"the store's copy of the CA sent", LC_CJ_CHAIN, LC_L_RP, TC_HEALTHY_RP, TC_REISSUED, NULL,
     LC_PASS, "chain verified"},
    /* key */
    {"RSA 2048", LC_CJ_KEY, LC_L_RP, TC_HEALTHY_RP, TC_FULL, NULL, LC_PASS, "RSA 2048-bit key"},
    {"RSA 1536", LC_CJ_KEY, LC_L_EDGE, "access.contoso.com", TC_EDGE_SAN, -1, 365, TC_SHA256, 1536,
     "serverAuth", 1, TC_FULL, NULL, LC_WARN, "RSA 1536-bit key: 2048 bits or more"},
    {"RSA 1024", LC_CJ_KEY, LC_L_EDGE, "access.contoso.com", TC_EDGE_SAN, -1, 365, TC_SHA256, 1024,
     "serverAuth", 1, TC_FULL, NULL, LC_WARN, "RSA 1024-bit key"},
    {"EC P-256", LC_CJ_KEY, LC_L_EDGE, "access.contoso.com", TC_EDGE_SAN, -1, 365, TC_SHA256, -1,
     "serverAuth", 1, TC_FULL, NULL, LC_PASS, "EC 256-bit key"},
    /* signature */
    {"SHA-256", LC_CJ_SIGNATURE, LC_L_RP, TC_HEALTHY_RP, TC_FULL, NULL, LC_PASS,
     "signed with sha256WithRSAEncryption"},
    {"SHA-1", LC_CJ_SIGNATURE, LC_L_RP, "webext.contoso.com", TC_RP_SAN, -1, 365, TC_SHA1, 0,
     "serverAuth", 1, TC_FULL, NULL, LC_WARN, "SHA-1"},
    {"MD5", LC_CJ_SIGNATURE, LC_L_RP, "webext.contoso.com", TC_RP_SAN, -1, 365, TC_MD5, 0,
     "serverAuth", 1, TC_FULL, NULL, LC_FAIL, "md5WithRSAEncryption: broken"},
    {"PSS", LC_CJ_SIGNATURE, LC_L_RP, "webext.contoso.com", TC_RP_SAN, -1, 365, TC_PSS, 0,
     "serverAuth", 1, TC_FULL, NULL, LC_FAIL, "RSASSA-PSS"},
    /* extended key usage */
    {"serverAuth", LC_CJ_EKU, LC_L_RP, TC_HEALTHY_RP, TC_FULL, NULL, LC_PASS, "serverAuth present"},
    {"no EKU", LC_CJ_EKU, LC_L_RP, "webext.contoso.com", TC_RP_SAN, -1, 365, TC_SHA256, 0, NULL, 1,
     TC_FULL, NULL, LC_PASS, "any use allowed"},
    {"no serverAuth", LC_CJ_EKU, LC_L_WEBCONF, "access.contoso.com", TC_EDGE_SAN, -1, 365,
     TC_SHA256, 0, "clientAuth", 1, TC_FULL, NULL, LC_FAIL, "no serverAuth"},
    {"clientAuth only, federation", LC_CJ_EKU, LC_L_EDGE_FED, "access.contoso.com", TC_EDGE_SAN, -1,
     365, TC_SHA256, 0, "clientAuth", 1, TC_FULL, NULL, LC_FAIL, "no serverAuth"},
    {"no clientAuth, federation", LC_CJ_EKU, LC_L_EDGE_FED, "access.contoso.com", TC_EDGE_SAN, -1,
     365, TC_SHA256, 0, "serverAuth", 1, TC_FULL, NULL, LC_WARN, "clientAuth missing"},
    {"no clientAuth, clients' 443", LC_CJ_EKU, LC_L_EDGE, "access.contoso.com", TC_EDGE_SAN, -1,
     365, TC_SHA256, 0, "serverAuth", 1, TC_FULL, NULL, LC_PASS, "serverAuth present"},
    {"both, federation", LC_CJ_EKU, LC_L_EDGE_FED, TC_HEALTHY_EDGE, TC_FULL, NULL, LC_PASS,
     "serverAuth and clientAuth present"},
    /* revocation information */
    {"CDP", LC_CJ_CRL, LC_L_RP, TC_HEALTHY_RP, TC_FULL, NULL, LC_PASS,
     "CRL distribution point present: http://crl.contoso.com/issuing.crl"},
    {"no CDP", LC_CJ_CRL, LC_L_RP, "webext.contoso.com", TC_RP_SAN, -1, 365, TC_SHA256, 0,
     "serverAuth", 0, TC_FULL, NULL, LC_WARN, "no CRL distribution point"},
    /* subject */
    {"expected CN", LC_CJ_SUBJECT, LC_L_RP, TC_HEALTHY_RP, TC_FULL, NULL, LC_PASS,
     "subject CN=webext.contoso.com"},
    {"wildcard CN", LC_CJ_SUBJECT, LC_L_RP, "*.contoso.com", TC_RP_SAN, -1, 365, TC_SHA256, 0,
     "serverAuth", 1, TC_FULL, NULL, LC_FAIL, "wildcard subject CN=*.contoso.com"},
    {"other CN", LC_CJ_SUBJECT, LC_L_RP, "webdirext.contoso.com", TC_RP_SAN, -1, 365, TC_SHA256, 0,
     "serverAuth", 1, TC_FULL, NULL, LC_WARN, "expected webext.contoso.com"},
    {"owa's own CN", LC_CJ_SUBJECT, LC_L_RP, "owa.contoso.com", "DNS:owa.contoso.com", -1, 365,
     TC_SHA256, 0, "serverAuth", 1, TC_FULL, "owa.contoso.com", LC_PASS, "CN=owa.contoso.com"},
    {"wildcard CN by SNI", LC_CJ_SUBJECT, LC_L_RP, "*.contoso.com", "DNS:meet.contoso.com", -1, 365,
     TC_SHA256, 0, "serverAuth", 1, TC_FULL, "meet.contoso.com", LC_FAIL, "wildcard"},
    {"webconf: the edge's CN", LC_CJ_SUBJECT, LC_L_WEBCONF, TC_HEALTHY_EDGE, TC_FULL, NULL, LC_PASS,
     "subject CN=access.contoso.com"},
    /* names */
    {"every required name", LC_CJ_SAN, LC_L_RP, TC_HEALTHY_RP, TC_FULL, NULL, LC_PASS,
     "covers all 5 required names"},
    {"lyncdiscover missing", LC_CJ_SAN, LC_L_RP, "webext.contoso.com",
     "DNS:webext.contoso.com,DNS:webdirext.contoso.com,DNS:meet.contoso.com,DNS:dialin.contoso.com",
     -1, 365, TC_SHA256, 0, "serverAuth", 1, TC_FULL, NULL, LC_FAIL,
     "reverse proxy certificate lacks 1 required name: lyncdiscover.contoso.com"},
    {"no SAN at all", LC_CJ_SAN, LC_L_RP, "webext.contoso.com", NULL, -1, 365, TC_SHA256, 0,
     "serverAuth", 1, TC_FULL, NULL, LC_FAIL, "lacks 4 required names"},
    {"wildcard for simple URLs", LC_CJ_SAN, LC_L_RP, "webext.contoso.com",
     "DNS:webext.contoso.com,DNS:webdirext.contoso.com,DNS:*.contoso.com", -1, 365, TC_SHA256, 0,
     "serverAuth", 1, TC_FULL, NULL, LC_PASS, "covers all 5"},
    {"wildcard on the edge", LC_CJ_SAN, LC_L_EDGE, "access.contoso.com",
     "DNS:access.contoso.com,DNS:webconf.contoso.com,DNS:*.contoso.com", -1, 365, TC_SHA256, 0,
     "serverAuth", 1, TC_FULL, NULL, LC_FAIL, "access edge certificate lacks 1 required name: sip"},
    {"edge", LC_CJ_SAN, LC_L_EDGE_FED, TC_HEALTHY_EDGE, TC_FULL, NULL, LC_PASS,
     "covers all 3 required names"},
    {"owa's own", LC_CJ_SAN, LC_L_RP, "owa.contoso.com", "DNS:owa.contoso.com", -1, 365, TC_SHA256,
     0, "serverAuth", 1, TC_FULL, "owa.contoso.com", LC_PASS, "covers the 1 name it is served for"},
    {"by SNI, another name", LC_CJ_SAN, LC_L_RP, "meet.contoso.com", "DNS:dialin.contoso.com", -1,
     365, TC_SHA256, 0, "serverAuth", 1, TC_FULL, "meet.contoso.com", LC_FAIL,
     "does not cover 1 name it is served for: meet.contoso.com"},
    {"by SNI, a wildcard", LC_CJ_SAN, LC_L_RP, "meet.contoso.com", "DNS:*.contoso.com", -1, 365,
     TC_SHA256, 0, "serverAuth", 1, TC_FULL, "meet.contoso.com", LC_PASS, "covers the 1 name"},
    {"owa, no wildcard", LC_CJ_SAN, LC_L_RP, "owa.contoso.com", "DNS:*.contoso.com", -1, 365,
     TC_SHA256, 0, "serverAuth", 1, TC_FULL, "owa.contoso.com", LC_FAIL, "owa.contoso.com"},
};

/* The certificate of a row: subject and issuer, key, extensions, signature. */
static X509 *tc_jcert(const struct tc_jcase *c)
{
    X509 *x =
        tc_cert(c->cn, c->chain == TC_SELF ? NULL : TC_INTER, c->from * TC_DAY, c->to * TC_DAY);
    EVP_PKEY *key = c->bits == 1024   ? tc_rsa1024
                    : c->bits == 1536 ? tc_rsa1536
                    : c->bits < 0     ? tc_ec
                                      : NULL;

    if (key != NULL)
        ck_assert_int_eq(X509_set_pubkey(x, key), 1);
    tc_ext(x, NID_basic_constraints, "critical,CA:FALSE");
    if (c->eku != NULL)
        tc_ext(x, NID_ext_key_usage, c->eku);
    if (c->san != NULL)
        tc_ext(x, NID_subject_alt_name, c->san);
    if (c->cdp)
        tc_ext(x, NID_crl_distribution_points, "URI:http://crl.contoso.com/issuing.crl");
    switch (c->sig) {
    case TC_SHA1:
        tc_sign(x, EVP_sha1());
        break;
    case TC_MD5:
        tc_sign(x, EVP_md5());
        break;
    case TC_PSS:
        tc_sign_pss(x);
        break;
    case TC_SHA256:
    default:
        tc_sign(x, EVP_sha256());
        break;
    }
    return x;
}

START_TEST(test_judge_table)
{
    const struct tc_jcase *c = &tc_jcases[_i];
    struct lc_listener_names ln;
    X509 *root = tc_ca(TC_ROOT, NULL), *inter, *leaf;
    X509_STORE *store = X509_STORE_new();
    STACK_OF(X509) *chain = sk_X509_new_null();
    const char *served[1];
    struct lc_cj_cert cert;
    struct lc_cj_ctx ctx;
    json_t *ev = json_object();
    char msg[700] = "";
    enum lc_status st;

    switch (c->chain) {
    case TC_OLD_INTER:
        inter = tc_cert(TC_INTER, TC_ROOT, -800 * TC_DAY, -10 * TC_DAY);
        break;
    case TC_ENDING_INTER:
        inter = tc_cert(TC_INTER, TC_ROOT, -800 * TC_DAY, 10 * TC_DAY);
        break;
    default:
        inter = tc_cert(TC_INTER, TC_ROOT, -TC_DAY, 1825 * TC_DAY);
        break;
    }
    tc_ext(inter, NID_basic_constraints, "critical,CA:TRUE");
    tc_ext(inter, NID_key_usage, "critical,keyCertSign,cRLSign");
    tc_sign(inter, EVP_sha256());
    leaf = tc_jcert(c);
    ck_assert_ptr_nonnull(store);
    ck_assert_ptr_nonnull(chain);
    ck_assert_int_eq(X509_STORE_add_cert(store, root), 1);
    if (c->chain == TC_STORE || c->chain == TC_FULL_STORE)
        ck_assert_int_eq(X509_STORE_add_cert(store, inter), 1);
    if (c->chain == TC_REISSUED) {
        X509 *copy = tc_ca(TC_INTER, TC_ROOT);
        ck_assert_int_ne(X509_cmp(copy, inter), 0);
        ck_assert_int_eq(X509_STORE_add_cert(store, copy), 1);
        X509_free(copy);
    }
    ck_assert_int_gt(sk_X509_push(chain, leaf), 0);
    if (c->chain != TC_LEAF && c->chain != TC_STORE && c->chain != TC_SELF)
        ck_assert_int_gt(sk_X509_push(chain, inter), 0);
    ck_assert_int_eq(lc_listener_names_build(&tc_site, c->listener, &ln), 0);
    served[0] = c->served != NULL ? c->served : ln.primary;
    cert.leaf = leaf;
    cert.chain = chain;
    cert.names = served;
    cert.n_names = 1;
    cert.for_primary = c->served == NULL;
    ctx.ln = &ln;
    ctx.store = store;
    ctx.warn_days = 30;
    st = lc_cj_judge(c->kind, &ctx, &cert, ev, msg, sizeof(msg));
    ck_assert_msg(st == c->want && strstr(msg, c->text) != NULL,
                  "%s (%s): got %s \"%s\", want %s with \"%s\"", c->label, lc_cj_kind_name(c->kind),
                  lc_status_name(st), msg, lc_status_name(c->want), c->text);
    /* The same without evidence: ev may be NULL. */
    ck_assert_int_eq(lc_cj_judge(c->kind, &ctx, &cert, NULL, msg, sizeof(msg)), st);
    lc_listener_names_clear(&ln);
    json_decref(ev);
    sk_X509_free(chain);
    X509_STORE_free(store);
    X509_free(leaf);
    X509_free(inter);
    X509_free(root);
}
END_TEST

/* tls.san's evidence names what was required and what is missing. */
START_TEST(test_judge_san_evidence)
{
    struct lc_listener_names ln;
    X509 *x = tc_cert("webext.contoso.com", TC_INTER, -TC_DAY, 365 * TC_DAY);
    struct lc_cj_cert cert = {x, NULL, NULL, 0, 1};
    struct lc_cj_ctx ctx = {&ln, NULL, 30};
    json_t *ev = json_object();
    char msg[700];

    tc_ext(x, NID_subject_alt_name, "DNS:webext.contoso.com,DNS:meet.contoso.com");
    tc_sign(x, EVP_sha256());
    ck_assert_int_eq(lc_listener_names_build(&tc_site, LC_L_RP, &ln), 0);
    ck_assert_int_eq(lc_cj_judge(LC_CJ_SAN, &ctx, &cert, ev, msg, sizeof(msg)), LC_FAIL);
    ck_assert_uint_eq(json_array_size(json_object_get(ev, "required")), 5);
    ck_assert_uint_eq(json_array_size(json_object_get(ev, "missing")), 3);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(ev, "missing"), 0)),
                     "webdirext.contoso.com");
    /* No certificate is no verdict. */
    cert.leaf = NULL;
    ck_assert_int_eq(lc_cj_judge(LC_CJ_SAN, &ctx, &cert, NULL, msg, sizeof(msg)), LC_ERROR);
    ck_assert_int_eq(lc_cj_judge(LC_CJ_COUNT, &ctx, &cert, NULL, msg, sizeof(msg)), LC_ERROR);
    lc_listener_names_clear(&ln);
    json_decref(ev);
    X509_free(x);
}
END_TEST

/* A role given as an address: never required in the certificate, tls.name
 * SKIPs, tls.san judges the names the role must carry. */
START_TEST(test_judge_literal)
{
    struct lc_listener_names ln;
    X509 *x = tc_cert("access.contoso.com", TC_INTER, -TC_DAY, 365 * TC_DAY);
    const char *served[] = {"192.0.2.10"};
    struct lc_cj_cert cert = {x, NULL, served, 1, 1};
    struct lc_cj_ctx ctx = {&ln, NULL, 30};
    char msg[700];

    struct lc_site site;

    memset(&site, 0, sizeof(site));
    ck_assert_int_eq(lc_strv_push(&site.sip_domains, "contoso.com"), 0);
    site.access_edge = strdup("192.0.2.10");
    site.webconf_edge = strdup("webconf.contoso.com");
    tc_ext(x, NID_subject_alt_name, "DNS:webconf.contoso.com,DNS:sip.contoso.com");
    tc_sign(x, EVP_sha256());
    ck_assert_int_eq(lc_listener_names_build(&site, LC_L_EDGE, &ln), 0);
    ck_assert_str_eq(ln.primary, "192.0.2.10");
    ck_assert_ptr_null(ln.expect_cn);
    ck_assert_int_eq(lc_cj_judge(LC_CJ_SAN, &ctx, &cert, NULL, msg, sizeof(msg)), LC_PASS);
    ck_assert_msg(strstr(msg, "covers all 2 required names") != NULL, "%s", msg);
    ck_assert_int_eq(lc_cj_judge(LC_CJ_SUBJECT, &ctx, &cert, NULL, msg, sizeof(msg)), LC_PASS);
    ck_assert_int_eq(lc_cj_name(x, "192.0.2.10", 0, NULL, msg, sizeof(msg)), LC_SKIP);
    ck_assert_msg(strstr(msg, "given as an address") != NULL, "%s", msg);
    ck_assert_int_eq(lc_cj_name(NULL, "2001:db8::10", 0, NULL, msg, sizeof(msg)), LC_SKIP);
    lc_listener_names_clear(&ln);
    /* Every name an address: nothing judged, no pass. */
    free(site.webconf_edge);
    site.webconf_edge = strdup("192.0.2.11");
    ck_assert_int_eq(lc_listener_names_build(&site, LC_L_WEBCONF, &ln), 0);
    served[0] = "192.0.2.11";
    ck_assert_int_eq(lc_cj_judge(LC_CJ_SAN, &ctx, &cert, NULL, msg, sizeof(msg)), LC_SKIP);
    lc_listener_names_clear(&ln);
    lc_site_clear(&site);
    X509_free(x);
}
END_TEST

START_TEST(test_judge_name)
{
    X509 *x = tc_cert("webext.contoso.com", TC_INTER, -TC_DAY, 365 * TC_DAY);
    json_t *ev = json_object();
    char msg[400];

    tc_ext(x, NID_subject_alt_name, "DNS:webext.contoso.com,DNS:*.contoso.com");
    tc_sign(x, EVP_sha256());
    ck_assert_int_eq(lc_cj_name(x, "webext.contoso.com", 0, ev, msg, sizeof(msg)), LC_PASS);
    ck_assert_str_eq(json_string_value(json_object_get(ev, "matched")), "webext.contoso.com");
    ck_assert_int_eq(lc_cj_name(x, "meet.contoso.com", 1, ev, msg, sizeof(msg)), LC_PASS);
    ck_assert_msg(strstr(msg, "as *.contoso.com") != NULL, "%s", msg);
    ck_assert_int_eq(lc_cj_name(x, "sip.contoso.com", 0, NULL, msg, sizeof(msg)), LC_FAIL);
    ck_assert_msg(strstr(msg, "no wildcard allowed") != NULL, "%s", msg);
    ck_assert_int_eq(lc_cj_name(x, "meet.fabrikam.com", 1, NULL, msg, sizeof(msg)), LC_FAIL);
    ck_assert_int_eq(lc_cj_name(NULL, "meet.contoso.com", 1, NULL, msg, sizeof(msg)), LC_ERROR);
    json_decref(ev);
    X509_free(x);
}
END_TEST

/* tls.handshake and tls.no-sni: addresses in, verdict out. */
struct tc_hscase {
    const char *label;
    int no_sni;
    struct {
        int ok, tls12_ok, covered;
    } a[2];
    size_t n;
    enum lc_status want;
    const char *text;
};

static const struct tc_hscase tc_hscases[] = {
    {"both fine", 0, {{1, 1, 1}, {1, 1, 1}}, 2, LC_PASS, "TLSv1.3 on 2 addresses, TLS 1.2 offered"},
    {"one address", 0, {{1, 1, 1}}, 1, LC_PASS, "on 1 address,"},
    {"one refuses",
     0,
     {{1, 1, 1}, {0, 0, 0}},
     2,
     LC_FAIL,
     "TLS handshake with sip.contoso.com (192.0.2.2:443) failed: reset"},
    {"both refuse", 0, {{0, 0, 0}, {0, 0, 0}}, 2, LC_FAIL, "failed on several addresses: reset"},
    {"no TLS 1.2", 0, {{1, 1, 1}, {1, 0, 1}}, 2, LC_FAIL, "192.0.2.2:443 does not offer TLS 1.2"},
    {"no address", 0, {{0, 0, 0}}, 0, LC_ERROR, "no address"},
    {"no SNI, covered", 1, {{1, 0, 1}, {1, 0, 1}}, 2, LC_PASS, "without SNI, every address"},
    {"no SNI, refused",
     1,
     {{1, 0, 1}, {0, 0, 0}},
     2,
     LC_WARN,
     "without SNI, 192.0.2.2:443 refuses the handshake: reset"},
    {"no SNI, another certificate",
     1,
     {{1, 0, 0}, {1, 0, 1}},
     2,
     LC_WARN,
     "192.0.2.1:443 presents a certificate (CN=default.contoso.com) that does not cover"},
};

START_TEST(test_judge_handshake)
{
    const struct tc_hscase *c = &tc_hscases[_i];
    X509 *good = tc_cert("sip.contoso.com", TC_INTER, -TC_DAY, 365 * TC_DAY);
    X509 *other = tc_cert("default.contoso.com", TC_INTER, -TC_DAY, 365 * TC_DAY);
    struct lc_cj_hs a[2];
    char msg[700] = "";
    enum lc_status st;
    size_t i;

    tc_ext(good, NID_subject_alt_name, "DNS:sip.contoso.com");
    tc_sign(good, EVP_sha256());
    tc_ext(other, NID_subject_alt_name, "DNS:default.contoso.com");
    tc_sign(other, EVP_sha256());
    memset(a, 0, sizeof(a));
    for (i = 0; i < 2; i++) {
        a[i].addr = i == 0 ? "192.0.2.1" : "192.0.2.2";
        a[i].ok = c->a[i].ok;
        a[i].tls12_ok = c->a[i].tls12_ok;
        a[i].error = "reset";
        a[i].tls12_error = "protocol version";
        a[i].version = "TLSv1.3";
        a[i].leaf = c->a[i].ok ? (c->a[i].covered ? good : other) : NULL;
    }
    st = lc_cj_handshake("sip.contoso.com", 443, c->no_sni, 0, a, c->n, msg, sizeof(msg));
    ck_assert_msg(st == c->want && strstr(msg, c->text) != NULL,
                  "%s: got %s \"%s\", want %s with \"%s\"", c->label, lc_status_name(st), msg,
                  lc_status_name(c->want), c->text);
    X509_free(good);
    X509_free(other);
}
END_TEST

/* tls.consistency: fingerprints per address in, verdict out. */
struct tc_conscase {
    const char *label;
    const char *fp[3];
    size_t n;
    int pair; /* compare with the other port */
    const char *other_fp[2];
    size_t n_other;
    enum lc_status want;
    const char *text;
};

static const struct tc_conscase tc_conscases[] = {
    {"same", {"aa", "aa", "aa"}, 3, 0, {NULL}, 0, LC_PASS, "3 addresses present the same"},
    {"one", {"aa"}, 1, 0, {NULL}, 0, LC_PASS, "1 address present the same certificate"},
    {"odd one out",
     {"aa", "bb", "aa"},
     3,
     0,
     {NULL},
     0,
     LC_WARN,
     "192.0.2.2:5061 presents a different certificate from the other addresses of "
     "access.contoso.com"},
    {"one without", {"", "aa"}, 2, 0, {NULL}, 0, LC_PASS, "1 address present"},
    {"none", {"", ""}, 2, 0, {NULL}, 0, LC_SKIP, "no certificate was presented"},
    {"both ports", {"aa", "aa"}, 2, 1, {"aa", "aa"}, 2, LC_PASS, "on both ports"},
    {"other port differs",
     {"aa", "aa"},
     2,
     1,
     {"aa", "cc"},
     2,
     LC_WARN,
     "different certificates on ports 5061 and 443"},
    {"other port silent", {"aa"}, 1, 1, {""}, 1, LC_PASS, "on both ports"},
};

START_TEST(test_judge_consistency)
{
    static const char *const addrs[] = {"192.0.2.1", "192.0.2.2", "192.0.2.3"};
    const struct tc_conscase *c = &tc_conscases[_i];
    struct lc_cj_seen a[3], o[2];
    char msg[600] = "";
    enum lc_status st;
    size_t i;

    for (i = 0; i < c->n; i++) {
        a[i].addr = addrs[i];
        a[i].fp = c->fp[i];
    }
    for (i = 0; i < c->n_other; i++) {
        o[i].addr = addrs[i];
        o[i].fp = c->other_fp[i];
    }
    st = lc_cj_consistency("access.contoso.com", 5061, a, c->n, c->pair ? o : NULL, c->n_other, 443,
                           msg, sizeof(msg));
    ck_assert_msg(st == c->want && strstr(msg, c->text) != NULL,
                  "%s: got %s \"%s\", want %s with \"%s\"", c->label, lc_status_name(st), msg,
                  lc_status_name(c->want), c->text);
}
END_TEST

Suite *lc_suite_cert(void)
{
    Suite *s = suite_create("cert");
    TCase *names = tcase_create("names");
    TCase *x509 = tcase_create("x509");
    TCase *judge = tcase_create("judge");

    tcase_add_loop_test(names, test_name_match, 0,
                        (int)(sizeof(tc_matches) / sizeof(tc_matches[0])));
    /* One RSA key for every certificate: made once, before the forks. */
    tcase_add_unchecked_fixture(x509, tc_setup, tc_teardown);
    tcase_set_timeout(x509, 20);
    tcase_add_test(x509, test_dns_sans);
    tcase_add_test(x509, test_covers_sans);
    tcase_add_test(x509, test_covers_cn_fallback);
    tcase_add_test(x509, test_covers_nul);
    tcase_add_test(x509, test_subject_cn);
    tcase_add_test(x509, test_fingerprint);
    tcase_add_loop_test(x509, test_days_left, 0, (int)(sizeof(tc_days) / sizeof(tc_days[0])));
    tcase_add_test(x509, test_key);
    tcase_add_test(x509, test_signature);
    tcase_add_test(x509, test_eku);
    tcase_add_test(x509, test_uris);
    tcase_add_test(x509, test_to_json);
    tcase_add_test(x509, test_chain_ok);
    tcase_add_test(x509, test_chain_expired_leaf_ok);
    tcase_add_test(x509, test_chain_incomplete);
    tcase_add_test(x509, test_chain_wrong_intermediate);
    tcase_add_test(x509, test_chain_self_signed);
    tcase_add_test(x509, test_chain_untrusted);
    tcase_add_test(x509, test_chain_none);
    /* The verdicts: RSA 1024, 1536 and EC keys besides the shared one. */
    tcase_add_unchecked_fixture(judge, tc_judge_setup, tc_judge_teardown);
    tcase_set_timeout(judge, 20);
    tcase_add_loop_test(judge, test_judge_table, 0,
                        (int)(sizeof(tc_jcases) / sizeof(tc_jcases[0])));
    tcase_add_test(judge, test_judge_san_evidence);
    tcase_add_test(judge, test_judge_literal);
    tcase_add_test(judge, test_judge_name);
    tcase_add_loop_test(judge, test_judge_handshake, 0,
                        (int)(sizeof(tc_hscases) / sizeof(tc_hscases[0])));
    tcase_add_loop_test(judge, test_judge_consistency, 0,
                        (int)(sizeof(tc_conscases) / sizeof(tc_conscases[0])));
    suite_add_tcase(s, names);
    suite_add_tcase(s, x509);
    suite_add_tcase(s, judge);
    return s;
}
