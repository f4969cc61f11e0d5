/* SPDX-License-Identifier: MIT */
/* lynccheck - revocation judged: CRLs (RFC 5280 section 5), OCSP (RFC 6960)
 * and whether a revocation URL is reachable from the internet. Pure
 * functions over OpenSSL's parsers; see revoke.h. */
#include "revoke.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Clock skew tolerated on thisUpdate/nextUpdate (OpenSSL's own default for
 * `openssl ocsp -validity_period` checks is 5 minutes). */
#define LC_REVOKE_SKEW_SECS 300L

static void lc_revoke_time(const ASN1_TIME *t, char *out, size_t len)
{
    struct tm tm;

    out[0] = '\0';
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1 ||
        strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        out[0] = '\0';
}

static void lc_revoke_facts_init(struct lc_revoke_facts *f)
{
    memset(f, 0, sizeof(*f));
    f->entries = -1;
}

/* Seconds from `now` to `t` (negative when t is past); 0 or -1. */
static int lc_revoke_secs_until(const ASN1_TIME *t, time_t now, long long *secs)
{
    ASN1_TIME *from = ASN1_TIME_set(NULL, now);
    int days = 0, s = 0, ret = -1;

    if (from == NULL)
        goto done;
    if (ASN1_TIME_diff(&days, &s, from, t) != 1)
        goto done;
    *secs = (long long)days * 86400LL + s;
    ret = 0;
done:
    ASN1_TIME_free(from);
    return ret;
}

/* The RFC 5280 5.3.1 reason code of a CRL entry, or -1 when none is given. */
static long lc_revoke_entry_reason(const X509_REVOKED *rev)
{
    ASN1_ENUMERATED *e = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, NULL, NULL);
    long r = -1;

    if (e != NULL) {
        r = ASN1_ENUMERATED_get(e);
        ASN1_ENUMERATED_free(e);
    }
    return r;
}

/* Reason name as RFC 5280 spells it (OpenSSL's OCSP_crl_reason_str says
 * "(UNKNOWN)" for codes it does not know). */
static void lc_revoke_reason_name(long code, char *out, size_t len)
{
    if (code < 0)
        out[0] = '\0';
    else
        snprintf(out, len, "%s", OCSP_crl_reason_str(code));
}

/* DER first, then PEM: a CDP should serve DER (RFC 5280 4.2.1.13), but
 * Windows and OpenSSL clients accept either. */
static X509_CRL *lc_revoke_crl_parse(const unsigned char *buf, size_t len)
{
    const unsigned char *p = buf;
    X509_CRL *crl = NULL;
    BIO *bio = NULL;

    if (len > (size_t)INT32_MAX)
        return NULL;
    crl = d2i_X509_CRL(NULL, &p, (long)len);
    if (crl != NULL && p != buf + len) {
        /* Trailing bytes after the DER: not a CRL file as published. */
        X509_CRL_free(crl);
        crl = NULL;
    }
    if (crl == NULL) {
        bio = BIO_new_mem_buf(buf, (int)len);
        if (bio != NULL)
            crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
        BIO_free(bio);
    }
    ERR_clear_error();
    return crl;
}

enum lc_status lc_revoke_crl_judge(const unsigned char *buf, size_t len, X509 *cert, X509 *issuer,
                                   long warn_secs, time_t now, struct lc_revoke_facts *facts,
                                   char *msg, size_t mlen)
{
    enum lc_status st = LC_FAIL;
    X509_CRL *crl = NULL;
    X509_REVOKED *rev = NULL;
    EVP_PKEY *key;
    const ASN1_TIME *next, *this_upd;
    long long secs = 0;
    int found;

    lc_revoke_facts_init(facts);
    if (len > LC_REVOKE_CRL_MAX) {
        st = LC_ERROR; /* could not judge */
        snprintf(msg, mlen, "CRL of %zu bytes exceeds the %u MiB bound: not judged", len,
                 LC_REVOKE_CRL_MAX / (1024u * 1024u));
        goto done;
    }
    if (buf == NULL || len == 0 || (crl = lc_revoke_crl_parse(buf, len)) == NULL) {
        snprintf(msg, mlen, "not a CRL (%zu bytes parse neither as DER nor as PEM)", len);
        goto done;
    }
    if (X509_CRL_get0_lastUpdate(crl) != NULL)
        lc_revoke_time(X509_CRL_get0_lastUpdate(crl), facts->this_update,
                       sizeof(facts->this_update));
    lc_revoke_time(X509_CRL_get0_nextUpdate(crl), facts->next_update, sizeof(facts->next_update));
    /* An empty CRL has no revokedCertificates at all: OpenSSL says -1. */
    facts->entries = (long)sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl));
    if (facts->entries < 0)
        facts->entries = 0;
    if (cert == NULL || issuer == NULL) {
        st = LC_ERROR;
        snprintf(msg, mlen,
                 "CRL fetched, but the issuing certificate is unknown: cannot verify it");
        goto done;
    }
    /* RFC 5280 6.3.3 (b)(1)/(f): the CRL must come from the certificate's
     * issuer (no indirect CRLs here) and verify with its key. */
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0) {
        snprintf(msg, mlen, "CRL is not issued by the certificate's issuer");
        goto done;
    }
    key = X509_get0_pubkey(issuer);
    if (key == NULL || X509_CRL_verify(crl, key) != 1) {
        ERR_clear_error();
        snprintf(msg, mlen, "CRL signature does not verify with the issuer's key");
        goto done;
    }
    /* RFC 5280 5.1.2.6: the serial on the list means revoked, unless the
     * entry says removeFromCRL (only in delta CRLs; OpenSSL returns 2). */
    found = X509_CRL_get0_by_serial(crl, &rev, X509_get0_serialNumber(cert));
    if (found == 1 && rev != NULL) {
        lc_revoke_time(X509_REVOKED_get0_revocationDate(rev), facts->revoked_at,
                       sizeof(facts->revoked_at));
        lc_revoke_reason_name(lc_revoke_entry_reason(rev), facts->reason, sizeof(facts->reason));
        snprintf(msg, mlen, "certificate REVOKED: serial listed in the CRL since %s, reason %s",
                 facts->revoked_at[0] != '\0' ? facts->revoked_at : "(unreadable date)",
                 facts->reason[0] != '\0' ? facts->reason : "not given");
        goto done;
    }
    this_upd = X509_CRL_get0_lastUpdate(crl);
    if (this_upd != NULL && lc_revoke_secs_until(this_upd, now, &secs) == 0 &&
        secs > LC_REVOKE_SKEW_SECS) {
        snprintf(msg, mlen, "CRL thisUpdate %s is in the future: clients reject it",
                 facts->this_update);
        goto done;
    }
    next = X509_CRL_get0_nextUpdate(crl);
    if (next == NULL) {
        /* RFC 5280 5.1.2.5: conforming CAs MUST include nextUpdate. */
        st = LC_WARN;
        snprintf(msg, mlen,
                 "CRL has no nextUpdate (RFC 5280 5.1.2.5 requires one); serial not listed");
        goto done;
    }
    if (lc_revoke_secs_until(next, now, &secs) != 0) {
        snprintf(msg, mlen, "CRL nextUpdate unreadable");
        goto done;
    }
    if (secs < 0) {
        snprintf(msg, mlen,
                 "CRL expired: nextUpdate %s has passed (%lld days ago); clients treat the "
                 "certificate's revocation status as unknown",
                 facts->next_update, (-secs) / 86400LL);
        goto done;
    }
    if (warn_secs > 0 && secs < (long long)warn_secs) {
        st = LC_WARN;
        snprintf(msg, mlen,
                 "CRL nextUpdate %s is only %lld hours away (not republished?); serial not listed",
                 facts->next_update, secs / 3600LL);
        goto done;
    }
    st = LC_PASS;
    snprintf(msg, mlen, "CRL valid until %s, signed by the issuer, %ld entries; serial not listed",
             facts->next_update, facts->entries);
done:
    X509_CRL_free(crl);
    return st;
}

int lc_revoke_ocsp_request(X509 *cert, X509 *issuer, unsigned char **der, size_t *len)
{
    OCSP_REQUEST *req = NULL;
    OCSP_CERTID *id = NULL;
    unsigned char *out = NULL;
    int n, ret = -1;

    *der = NULL;
    *len = 0;
    if (cert == NULL || issuer == NULL)
        goto done;
    req = OCSP_REQUEST_new();
    id = OCSP_cert_to_id(EVP_sha1(), cert, issuer);
    if (req == NULL || id == NULL)
        goto done;
    if (OCSP_request_add0_id(req, id) == NULL)
        goto done;
    id = NULL; /* owned by req now */
    n = i2d_OCSP_REQUEST(req, &out);
    if (n <= 0)
        goto done;
    /* A malloc'd copy: the caller frees with free(), whatever allocator
     * OpenSSL was built with. */
    if ((*der = malloc((size_t)n)) == NULL)
        goto done;
    memcpy(*der, out, (size_t)n);
    *len = (size_t)n;
    ret = 0;
done:
    OPENSSL_free(out);
    OCSP_CERTID_free(id);
    OCSP_REQUEST_free(req);
    ERR_clear_error();
    return ret;
}

enum lc_status lc_revoke_ocsp_judge(const unsigned char *buf, size_t len, X509 *cert, X509 *issuer,
                                    STACK_OF(X509) * chain, struct lc_revoke_facts *facts,
                                    char *msg, size_t mlen)
{
    enum lc_status st = LC_FAIL;
    const unsigned char *p = buf;
    OCSP_RESPONSE *resp = NULL;
    OCSP_BASICRESP *bs = NULL;
    OCSP_CERTID *id = NULL;
    X509_STORE *store = NULL;
    ASN1_GENERALIZEDTIME *rev_at = NULL, *this_upd = NULL, *next_upd = NULL;
    int rstatus, cstatus = -1, reason = -1;

    lc_revoke_facts_init(facts);
    if (len > LC_REVOKE_OCSP_MAX) {
        st = LC_ERROR; /* could not judge */
        snprintf(msg, mlen, "OCSP response of %zu bytes exceeds the %u KiB bound: not judged", len,
                 LC_REVOKE_OCSP_MAX / 1024u);
        goto done;
    }
    if (buf == NULL || len == 0 || (resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len)) == NULL ||
        p != buf + len) {
        snprintf(msg, mlen, "not an OCSP response (%zu bytes)", len);
        goto done;
    }
    rstatus = OCSP_response_status(resp);
    if (rstatus != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        /* RFC 6960 4.2.1: malformedRequest, internalError, tryLater,
         * sigRequired, unauthorized. */
        snprintf(msg, mlen, "OCSP responder answered %s", OCSP_response_status_str(rstatus));
        goto done;
    }
    if ((bs = OCSP_response_get1_basic(resp)) == NULL) {
        snprintf(msg, mlen, "OCSP response is not a basic response (RFC 6960 4.2.1)");
        goto done;
    }
    if (cert == NULL || issuer == NULL) {
        st = LC_ERROR;
        snprintf(msg, mlen,
                 "OCSP answered, but the issuing certificate is unknown: cannot verify it");
        goto done;
    }
    /* RFC 6960 4.2.2.2: the signer is the issuing CA or a responder whose
     * certificate the CA issued with id-kp-OCSPSigning. The issuer is the
     * trust anchor here (partial chain): whether the root is trusted is the
     * chain check's business, not revocation's. */
    store = X509_STORE_new();
    if (store == NULL || X509_STORE_add_cert(store, issuer) != 1 ||
        X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN) != 1) {
        st = LC_ERROR;
        snprintf(msg, mlen, "out of memory verifying the OCSP response");
        goto done;
    }
    if (OCSP_basic_verify(bs, chain, store, 0) != 1) {
        unsigned long e = ERR_peek_last_error();

        snprintf(msg, mlen,
                 "OCSP response signature does not verify (signer not the issuer or its delegated "
                 "responder: %s)",
                 e != 0 ? ERR_reason_error_string(e) : "unknown");
        goto done;
    }
    id = OCSP_cert_to_id(EVP_sha1(), cert, issuer);
    if (id == NULL ||
        OCSP_resp_find_status(bs, id, &cstatus, &reason, &rev_at, &this_upd, &next_upd) != 1) {
        snprintf(msg, mlen, "OCSP response does not name the certificate");
        goto done;
    }
    lc_revoke_time(this_upd, facts->this_update, sizeof(facts->this_update));
    lc_revoke_time(next_upd, facts->next_update, sizeof(facts->next_update));
    if (cstatus == V_OCSP_CERTSTATUS_REVOKED) {
        snprintf(facts->cert_status, sizeof(facts->cert_status), "revoked");
        lc_revoke_time(rev_at, facts->revoked_at, sizeof(facts->revoked_at));
        lc_revoke_reason_name(reason, facts->reason, sizeof(facts->reason));
        snprintf(msg, mlen, "certificate REVOKED: OCSP says revoked since %s, reason %s",
                 facts->revoked_at[0] != '\0' ? facts->revoked_at : "(unreadable date)",
                 facts->reason[0] != '\0' ? facts->reason : "not given");
        goto done;
    }
    /* RFC 6960 4.2.2.1 / 3.2 (5): thisUpdate sufficiently recent, and
     * nextUpdate, when present, not passed. */
    if (OCSP_check_validity(this_upd, next_upd, LC_REVOKE_SKEW_SECS, -1) != 1) {
        ERR_clear_error();
        snprintf(msg, mlen,
                 "OCSP response is stale or not yet valid (thisUpdate %s, nextUpdate %s)",
                 facts->this_update[0] != '\0' ? facts->this_update : "-",
                 facts->next_update[0] != '\0' ? facts->next_update : "-");
        goto done;
    }
    if (cstatus == V_OCSP_CERTSTATUS_UNKNOWN) {
        snprintf(facts->cert_status, sizeof(facts->cert_status), "unknown");
        snprintf(msg, mlen,
                 "OCSP responder does not know the certificate (status unknown, RFC 6960 2.2)");
        goto done;
    }
    if (cstatus != V_OCSP_CERTSTATUS_GOOD) {
        snprintf(msg, mlen, "OCSP certificate status %d not understood", cstatus);
        goto done;
    }
    snprintf(facts->cert_status, sizeof(facts->cert_status), "good");
    st = LC_PASS;
    snprintf(msg, mlen, "OCSP says good, signed by the issuer's responder, valid until %s",
             facts->next_update[0] != '\0' ? facts->next_update : "(no nextUpdate)");
done:
    ERR_clear_error();
    OCSP_CERTID_free(id);
    X509_STORE_free(store);
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(resp);
    return st;
}

enum lc_status lc_revoke_combine(const struct lc_revoke_outcome *v, size_t n, int ocsp,
                                 int access_edge, char *msg, size_t mlen)
{
    enum lc_status worst = LC_PASS;
    char best[640] = "", unreach[520] = "";
    size_t k, used = 0;
    int fetched = 0, w;

    if (n == 0) {
        snprintf(msg, mlen, "names no %s", ocsp ? "OCSP responder" : "CRL distribution point");
        return LC_SKIP;
    }
    for (k = 0; k < n; k++) {
        if (!v[k].done)
            continue;
        if (!v[k].reachable) {
            w = snprintf(unreach + used, sizeof(unreach) - used, "%s%.200s (%.250s)",
                         used ? "; " : "", v[k].url, v[k].why != NULL ? v[k].why : "no answer");
            if (w > 0 && (size_t)w < sizeof(unreach) - used)
                used += (size_t)w;
            continue;
        }
        if (!fetched || lc_status_rank(v[k].st) > lc_status_rank(worst)) {
            worst = v[k].st;
            snprintf(best, sizeof(best), "%.250s: %.380s", v[k].url,
                     v[k].msg != NULL ? v[k].msg : "");
        }
        fetched = 1;
    }
    if (!fetched) {
        if (unreach[0] == '\0') {
            snprintf(msg, mlen, "no %s answered in time",
                     ocsp ? "OCSP responder" : "CRL distribution point");
            return LC_ERROR;
        }
        snprintf(msg, mlen, "%s not reachable from outside: %s",
                 ocsp ? "OCSP responder" : "CRL distribution point", unreach);
        return access_edge ? LC_FAIL : LC_WARN;
    }
    if (unreach[0] != '\0' && worst == LC_PASS)
        snprintf(msg, mlen, "%s (also named, not reachable from outside: %s)", best, unreach);
    else
        snprintf(msg, mlen, "%s", best);
    return worst;
}

enum lc_status lc_revoke_worse(enum lc_status so_far, int first, enum lc_status st)
{
    if (first)
        return st;
    if (st == LC_SKIP)
        return so_far;
    if (so_far == LC_SKIP || lc_status_rank(st) > lc_status_rank(so_far))
        return st;
    return so_far;
}

int lc_revoke_addr_private(const char *addr)
{
    unsigned char b[sizeof(struct in6_addr)];

    if (addr == NULL)
        return -1;
    if (inet_pton(AF_INET, addr, b) == 1) {
        if (b[0] == 127 || b[0] == 0)
            return 2;
        if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
            (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xc0) == 64))
            return 1;
        return 0;
    }
    if (inet_pton(AF_INET6, addr, b) == 1) {
        static const unsigned char zero[15] = {0};

        if (memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1))
            return 2; /* :: and ::1 */
        /* IPv4-mapped ::ffff:a.b.c.d: judge the IPv4 address. */
        if (memcmp(b, zero, 10) == 0 && b[10] == 0xff && b[11] == 0xff) {
            char v4[INET_ADDRSTRLEN];

            if (inet_ntop(AF_INET, b + 12, v4, sizeof(v4)) == NULL)
                return -1;
            return lc_revoke_addr_private(v4);
        }
        if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
            return 1; /* fc00::/7 unique local, fe80::/10 link-local */
        return 0;
    }
    return -1;
}

int lc_revoke_url_outside(const char *url, char *why, size_t wlen)
{
    CURLU *u = NULL;
    char *scheme = NULL, *host = NULL;
    size_t n;
    int ret = -1, priv;

    if (url == NULL || strlen(url) > 2048) {
        snprintf(why, wlen, "URL missing or too long");
        goto done;
    }
    if (strncasecmp(url, "ldap:", 5) == 0 || strncasecmp(url, "ldaps:", 6) == 0) {
        /* Active Directory CAs publish ldap:///CN=... first; only domain
         * members can read it (Microsoft Learn: "Configure CRL
         * distribution points for certificates"). */
        snprintf(why, wlen, "LDAP URL: only machines inside the directory can read it");
        ret = 0;
        goto done;
    }
    if (strncasecmp(url, "file:", 5) == 0) {
        snprintf(why, wlen, "file:// URL: a path on the CA's network");
        ret = 0;
        goto done;
    }
    u = curl_url();
    if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
        snprintf(why, wlen, "URL does not parse");
        goto done;
    }
    if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
        snprintf(why, wlen, "%.16s:// URL: clients fetch revocation over HTTP (RFC 5280 4.2.1.13)",
                 scheme);
        ret = 0;
        goto done;
    }
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0') {
        snprintf(why, wlen, "URL has no host");
        goto done;
    }
    n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        memmove(host, host + 1, n - 2);
        host[n - 2] = '\0';
        n -= 2;
    }
    if (n > 1 && host[n - 1] == '.')
        host[--n] = '\0';
    priv = lc_revoke_addr_private(host);
    if (priv > 0) {
        snprintf(why, wlen, "host %.64s is a %s address", host, priv == 2 ? "loopback" : "private");
        ret = 0;
        goto done;
    }
    if (priv == 0) {
        ret = 1;
        goto done;
    }
    if (strchr(host, '.') == NULL) {
        snprintf(why, wlen, "host %.64s is a single-label name: it resolves only inside", host);
        ret = 0;
        goto done;
    }
    if (n >= 6 && strcasecmp(host + n - 6, ".local") == 0) {
        /* RFC 6762: .local is multicast DNS, link-local only. */
        snprintf(why, wlen, "host %.64s is in .local (RFC 6762): link-local only", host);
        ret = 0;
        goto done;
    }
    ret = 1;
done:
    if (ret == 1 && wlen > 0)
        why[0] = '\0';
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ret;
}
