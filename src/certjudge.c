/* SPDX-License-Identifier: MIT */
/* lynccheck - the TLS probe's verdicts (see certjudge.h for the rules). */
#include "certjudge.h"

#include <openssl/objects.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cert.h"
#include "site.h"

const char *lc_cj_kind_name(enum lc_cj_kind kind)
{
    static const char *const names[LC_CJ_COUNT] = {
        "san", "chain", "validity", "intermediates", "key", "signature", "eku", "crl", "subject",
    };

    return (unsigned)kind < LC_CJ_COUNT ? names[kind] : "unknown";
}

/* Append ", name" (or "name" first) to a bounded list. */
static void lc_cj_list_add(char *list, size_t size, size_t *used, const char *name)
{
    int w;

    if (*used >= size)
        return;
    w = snprintf(list + *used, size - *used, "%s%s", *used ? ", " : "", name);
    if (w > 0 && (size_t)w < size - *used)
        *used += (size_t)w;
}

static void lc_cj_date_text(const ASN1_TIME *t, char *buf, size_t len)
{
    struct tm tm;

    if (ASN1_TIME_to_tm(t, &tm) != 1 || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
        snprintf(buf, len, "an unreadable date");
}

static enum lc_status lc_cj_dates(X509 *x, const char *what, int warn_days, char *msg, size_t len)
{
    int days = 0, nyv = 0;
    char date[32];
    char *cn = lc_cert_subject_cn(x);
    const char *c = cn != NULL ? cn : "none";
    enum lc_status st;

    if (lc_cert_days_left(x, &days, &nyv) < 0) {
        snprintf(msg, len, "%s (CN=%s): validity dates cannot be read", what, c);
        st = LC_FAIL;
    } else if (nyv) {
        lc_cj_date_text(X509_get0_notBefore(x), date, sizeof(date));
        snprintf(msg, len, "%s (CN=%s) is not yet valid: valid from %s", what, c, date);
        st = LC_FAIL;
    } else if (days < 0) {
        lc_cj_date_text(X509_get0_notAfter(x), date, sizeof(date));
        snprintf(msg, len, "%s (CN=%s) expired on %s, %d day%s ago", what, c, date, -days,
                 days == -1 ? "" : "s");
        st = LC_FAIL;
    } else if (days < warn_days) {
        lc_cj_date_text(X509_get0_notAfter(x), date, sizeof(date));
        snprintf(msg, len, "%s (CN=%s) expires in %d days, on %s: renew it now", what, c, days,
                 date);
        st = LC_WARN;
    } else {
        lc_cj_date_text(X509_get0_notAfter(x), date, sizeof(date));
        snprintf(msg, len, "%s (CN=%s) valid until %s (%d days)", what, c, date, days);
        st = LC_PASS;
    }
    free(cn);
    return st;
}

/* The certificate served for the primary name must carry every name the
 * listener requires; one served only for other names (an Office Web Apps
 * server's own, a proxy's per-SNI one) must cover those names. */
static enum lc_status lc_cj_san(const struct lc_cj_ctx *ctx, const struct lc_cj_cert *c, json_t *ev,
                                char *msg, size_t len)
{
    const struct lc_listener_names *ln = ctx->ln;
    json_t *missing = json_array(), *required = json_array();
    char list[600] = "";
    size_t used = 0, k, n_missing = 0, n_required = 0;

    for (k = 0; k < (c->for_primary ? ln->n : c->n_names); k++) {
        const struct lc_cert_name *e =
            c->for_primary ? &ln->v[k] : lc_listener_names_find(ln, c->names[k]);
        const char *name = c->for_primary ? ln->v[k].name : c->names[k];
        int wildcard_ok = e != NULL && e->wildcard_ok;

        if (c->for_primary ? !e->required : (e != NULL ? e->literal : lc_is_ip_literal(name)))
            continue;
        n_required++;
        json_array_append_new(required, json_string(name));
        if (lc_cert_covers(c->leaf, name, wildcard_ok, NULL, 0))
            continue;
        n_missing++;
        json_array_append_new(missing, json_string(name));
        lc_cj_list_add(list, sizeof(list), &used, name);
    }
    json_object_set_new(ev, "required", required);
    json_object_set_new(ev, "missing", missing);
    if (n_missing > 0 && c->for_primary) {
        snprintf(msg, len, "%s certificate lacks %zu required name%s: %s",
                 lc_listener_kind_label(ln->kind), n_missing, n_missing == 1 ? "" : "s", list);
        return LC_FAIL;
    }
    if (n_missing > 0) {
        char *cn = lc_cert_subject_cn(c->leaf);
        snprintf(msg, len, "the certificate (CN=%s) does not cover %zu name%s it is served for: %s",
                 cn != NULL ? cn : "none", n_missing, n_missing == 1 ? "" : "s", list);
        free(cn);
        return LC_FAIL;
    }
    if (n_required == 0) {
        /* Nothing judged is no pass: every name is an address. */
        snprintf(msg, len, "no name to judge: the listener is known by address only");
        return LC_SKIP;
    }
    if (c->for_primary)
        snprintf(msg, len, "covers all %zu required names", n_required);
    else
        snprintf(msg, len, "covers the %zu name%s it is served for", n_required,
                 n_required == 1 ? "" : "s");
    return LC_PASS;
}

static enum lc_status lc_cj_chain(const struct lc_cj_ctx *ctx, const struct lc_cj_cert *c,
                                  json_t *ev, char *msg, size_t len)
{
    STACK_OF(X509) *alone = NULL, *chain = c->chain;
    enum lc_chain_kind k;

    if (chain == NULL) {
        alone = sk_X509_new_null();
        if (alone == NULL || sk_X509_push(alone, c->leaf) <= 0) {
            sk_X509_free(alone);
            snprintf(msg, len, "cannot verify: out of memory");
            return LC_ERROR;
        }
        chain = alone;
    }
    k = lc_cert_verify_chain(ctx->store, chain, msg, len);
    json_object_set_new(ev, "chain_sent", lc_cert_chain_to_json(chain));
    sk_X509_free(alone);
    return k == LC_CHAIN_OK ? LC_PASS : LC_FAIL;
}

static enum lc_status lc_cj_intermediates(const struct lc_cj_ctx *ctx, const struct lc_cj_cert *c,
                                          char *msg, size_t len)
{
    enum lc_status worst = LC_PASS;
    char one[400];
    int n = c->chain != NULL ? sk_X509_num(c->chain) : 0, i;

    if (n <= 1) {
        snprintf(msg, len, "no intermediate sent (see tls.chain)");
        return LC_PASS;
    }
    snprintf(msg, len, "%d intermediate%s valid", n - 1, n == 2 ? "" : "s");
    for (i = 1; i < n; i++) {
        enum lc_status st = lc_cj_dates(sk_X509_value(c->chain, i), "intermediate", ctx->warn_days,
                                        one, sizeof(one));
        if (lc_status_rank(st) > lc_status_rank(worst)) {
            worst = st;
            snprintf(msg, len, "%s", one);
        }
    }
    return worst;
}

static enum lc_status lc_cj_key(X509 *x, json_t *ev, char *msg, size_t len)
{
    const char *ktype;
    int bits = 0, rsa;

    lc_cert_key(x, &ktype, &bits);
    json_object_set_new(ev, "key", json_pack("{s:s, s:i}", "type", ktype, "bits", bits));
    rsa = strcmp(ktype, "RSA") == 0 || strcmp(ktype, "RSA-PSS") == 0;
    if ((rsa || strcmp(ktype, "DSA") == 0) && bits < 1024) {
        snprintf(msg, len, "%s %d-bit key: far too weak", ktype, bits);
        return LC_FAIL;
    }
    if (rsa && bits < 2048) {
        snprintf(msg, len, "RSA %d-bit key: 2048 bits or more recommended", bits);
        return LC_WARN;
    }
    snprintf(msg, len, "%s %d-bit key", ktype, bits);
    return LC_PASS;
}

static enum lc_status lc_cj_signature(X509 *x, char *msg, size_t len)
{
    /* certificate-infrastructure-requirements: SHA-1 or SHA-2 digests;
     * RSASSA-PSS is not supported by Lync Server 2013. */
    if (lc_cert_sig_is_pss(x)) {
        snprintf(msg, len, "signed with RSASSA-PSS, which Lync does not support");
        return LC_FAIL;
    }
    if (lc_cert_sig_is_md5(x)) {
        snprintf(msg, len, "signed with %s: broken", lc_cert_sig_name(x));
        return LC_FAIL;
    }
    if (lc_cert_sig_is_sha1(x)) {
        snprintf(msg, len, "signed with SHA-1 (%s): replace with SHA-2", lc_cert_sig_name(x));
        return LC_WARN;
    }
    snprintf(msg, len, "signed with %s", lc_cert_sig_name(x));
    return LC_PASS;
}

static enum lc_status lc_cj_eku(const struct lc_cj_ctx *ctx, X509 *x, char *msg, size_t len)
{
    int no_eku = 0;
    int server = lc_cert_has_eku(x, NID_server_auth, &no_eku);
    int client = lc_cert_has_eku(x, NID_client_auth, &no_eku);

    if (no_eku) {
        /* RFC 5280 4.2.1.12: no extension, no restriction. */
        snprintf(msg, len, "no extended key usage extension: any use allowed");
        return LC_PASS;
    }
    if (!server) {
        snprintf(msg, len, "the certificate has no serverAuth extended key usage");
        return LC_FAIL;
    }
    if (ctx->ln->kind == LC_L_EDGE_FED && !client) {
        /* Public CAs stopped issuing clientAuth in 2025-2026: a warning. */
        snprintf(msg, len,
                 "serverAuth present, clientAuth missing: MTLS federation partners that "
                 "require it will reject this edge");
        return LC_WARN;
    }
    snprintf(msg, len, "serverAuth%s present", client ? " and clientAuth" : "");
    return LC_PASS;
}

static enum lc_status lc_cj_crl(X509 *x, json_t *ev, char *msg, size_t len)
{
    struct lc_strv crl = {NULL, 0}, ocsp = {NULL, 0}, cai = {NULL, 0};
    enum lc_status st;

    lc_cert_uris(x, &crl, &ocsp, &cai);
    json_object_set_new(ev, "crl_count", json_integer((json_int_t)crl.n));
    json_object_set_new(ev, "ocsp_count", json_integer((json_int_t)ocsp.n));
    json_object_set_new(ev, "ca_issuers_count", json_integer((json_int_t)cai.n));
    if (crl.n == 0) {
        snprintf(msg, len, "no CRL distribution point: clients cannot check revocation%s",
                 ocsp.n > 0 ? " by CRL (OCSP present)" : "");
        st = LC_WARN;
    } else {
        snprintf(msg, len, "CRL distribution point present%s: %s", ocsp.n > 0 ? ", OCSP too" : "",
                 crl.v[0]);
        st = LC_PASS;
    }
    lc_strv_clear(&crl);
    lc_strv_clear(&ocsp);
    lc_strv_clear(&cai);
    return st;
}

static enum lc_status lc_cj_subject(const struct lc_cj_ctx *ctx, const struct lc_cj_cert *c,
                                    json_t *ev, char *msg, size_t len)
{
    char *cn = lc_cert_subject_cn(c->leaf);
    const char *expect = c->for_primary ? ctx->ln->expect_cn : NULL;
    enum lc_status st = LC_PASS;

    json_object_set_new(ev, "cn", cn != NULL ? json_string(cn) : json_null());
    if (cn != NULL && strchr(cn, '*') != NULL) {
        snprintf(msg, len, "wildcard subject CN=%s: Lync never supports a wildcard subject", cn);
        st = LC_FAIL;
    } else if (expect != NULL && (cn == NULL || strcasecmp(cn, expect) != 0)) {
        snprintf(msg, len, "subject CN=%s, expected %s", cn != NULL ? cn : "(none)", expect);
        st = LC_WARN;
    } else {
        snprintf(msg, len, "subject CN=%s", cn != NULL ? cn : "(none)");
    }
    free(cn);
    return st;
}

enum lc_status lc_cj_judge(enum lc_cj_kind kind, const struct lc_cj_ctx *ctx,
                           const struct lc_cj_cert *c, json_t *ev, char *msg, size_t len)
{
    if (c == NULL || c->leaf == NULL) {
        snprintf(msg, len, "no certificate to judge");
        return LC_ERROR;
    }
    switch (kind) {
    case LC_CJ_SAN:
        return lc_cj_san(ctx, c, ev, msg, len);
    case LC_CJ_CHAIN:
        return lc_cj_chain(ctx, c, ev, msg, len);
    case LC_CJ_VALIDITY:
        return lc_cj_dates(c->leaf, "the certificate", ctx->warn_days, msg, len);
    case LC_CJ_INTERMEDIATES:
        return lc_cj_intermediates(ctx, c, msg, len);
    case LC_CJ_KEY:
        return lc_cj_key(c->leaf, ev, msg, len);
    case LC_CJ_SIGNATURE:
        return lc_cj_signature(c->leaf, msg, len);
    case LC_CJ_EKU:
        return lc_cj_eku(ctx, c->leaf, msg, len);
    case LC_CJ_CRL:
        return lc_cj_crl(c->leaf, ev, msg, len);
    case LC_CJ_SUBJECT:
        return lc_cj_subject(ctx, c, ev, msg, len);
    case LC_CJ_COUNT:
    default:
        break;
    }
    snprintf(msg, len, "internal: no judge");
    return LC_ERROR;
}

enum lc_status lc_cj_name(X509 *x, const char *name, int wildcard_ok, json_t *ev, char *msg,
                          size_t len)
{
    char matched[256];

    if (lc_is_ip_literal(name)) {
        snprintf(msg, len,
                 "given as an address: the certificate is judged against the names the role "
                 "must carry, see tls.san");
        return LC_SKIP;
    }
    if (x == NULL) {
        snprintf(msg, len, "no certificate to judge");
        return LC_ERROR;
    }
    if (lc_cert_covers(x, name, wildcard_ok, matched, sizeof(matched))) {
        json_object_set_new(ev, "matched", json_string(matched));
        snprintf(msg, len, "the certificate covers %s (as %s)", name, matched);
        return LC_PASS;
    }
    snprintf(msg, len, "the certificate presented for %s does not cover it%s", name,
             wildcard_ok ? "" : " (no wildcard allowed for this name)");
    return LC_FAIL;
}

enum lc_status lc_cj_handshake(const char *name, unsigned port, int no_sni, int wildcard_ok,
                               const struct lc_cj_hs *a, size_t n, char *msg, size_t len)
{
    size_t i, bad = 0, no12 = 0;
    const struct lc_cj_hs *first_bad = NULL, *first_no12 = NULL;

    if (n == 0) {
        snprintf(msg, len, "no address of %s to connect to", name);
        return LC_ERROR;
    }
    if (no_sni) {
        /* Older clients and some devices send no SNI: the default
         * certificate must still serve the listener's name. */
        for (i = 0; i < n; i++) {
            char *cn;
            if (!a[i].ok) {
                snprintf(msg, len, "without SNI, %s:%u refuses the handshake: %s", a[i].addr, port,
                         a[i].error != NULL ? a[i].error : "");
                return LC_WARN;
            }
            if (a[i].leaf != NULL && lc_cert_covers(a[i].leaf, name, wildcard_ok, NULL, 0))
                continue;
            cn = a[i].leaf != NULL ? lc_cert_subject_cn(a[i].leaf) : NULL;
            snprintf(msg, len,
                     "without SNI, %s:%u presents a certificate (CN=%s) that does not cover %s: "
                     "clients that send no SNI fail",
                     a[i].addr, port, cn != NULL ? cn : "none", name);
            free(cn);
            return LC_WARN;
        }
        snprintf(msg, len, "without SNI, every address presents a certificate for %s", name);
        return LC_PASS;
    }
    for (i = 0; i < n; i++) {
        if (!a[i].ok) {
            if (bad++ == 0)
                first_bad = &a[i];
            continue;
        }
        if (!a[i].tls12_ok && no12++ == 0)
            first_no12 = &a[i];
    }
    if (first_bad != NULL) {
        snprintf(msg, len, "TLS handshake with %s (%s:%u) failed%s: %s", name, first_bad->addr,
                 port, bad > 1 ? " on several addresses" : "",
                 first_bad->error != NULL ? first_bad->error : "");
        return LC_FAIL;
    }
    if (first_no12 != NULL) {
        /* Lync clients and partners negotiate TLS 1.2 (Lync Server 2013
         * with TLS 1.0/1.1 disabled: TLS 1.2 must be offered). */
        snprintf(msg, len, "%s:%u does not offer TLS 1.2: %s", first_no12->addr, port,
                 first_no12->tls12_error != NULL ? first_no12->tls12_error : "");
        return LC_FAIL;
    }
    snprintf(msg, len, "%s on %zu address%s, TLS 1.2 offered",
             a[0].version != NULL ? a[0].version : "TLS", n, n == 1 ? "" : "es");
    return LC_PASS;
}

enum lc_status lc_cj_consistency(const char *name, unsigned port, const struct lc_cj_seen *a,
                                 size_t n, const struct lc_cj_seen *other, size_t n_other,
                                 unsigned other_port, char *msg, size_t len)
{
    const char *fp0 = NULL;
    size_t i, seen = 0;

    for (i = 0; i < n; i++) {
        if (a[i].fp == NULL || a[i].fp[0] == '\0')
            continue;
        seen++;
        if (fp0 == NULL) {
            fp0 = a[i].fp;
        } else if (strcmp(a[i].fp, fp0) != 0) {
            snprintf(msg, len,
                     "%s:%u presents a different certificate from the other addresses of %s: "
                     "every pool member must present the same certificate",
                     a[i].addr, port, name);
            return LC_WARN;
        }
    }
    if (fp0 == NULL) {
        snprintf(msg, len, "no certificate was presented");
        return LC_SKIP;
    }
    /* plan-for-edge-server-certificates: one external certificate for the
     * access edge, on 443 and 5061. */
    for (i = 0; other != NULL && i < n_other; i++) {
        if (other[i].fp == NULL || other[i].fp[0] == '\0' || strcmp(other[i].fp, fp0) == 0)
            continue;
        snprintf(msg, len,
                 "%s presents different certificates on ports %u and %u: the edge must use the "
                 "same certificate on both",
                 name, port, other_port);
        return LC_WARN;
    }
    snprintf(msg, len, "%zu address%s present the same certificate%s", seen, seen == 1 ? "" : "es",
             other != NULL ? " on both ports" : "");
    return LC_PASS;
}
