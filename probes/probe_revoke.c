/* SPDX-License-Identifier: MIT */
/* lynccheck - the revocation probe: can a client on the internet check that
 * the certificates the external listeners serve are not revoked?
 *
 * Federation partners' Edges, mobile and Windows clients check revocation
 * of the certificates they are shown (Lync Server 2013 on Microsoft Learn:
 * "Certificate infrastructure requirements" asks for a CRL distribution
 * point reachable by clients; RFC 5280 4.2.1.13 and 4.2.2.1, RFC 6960).
 * Per listener (reverse proxy 443, access edge 443 and 5061, webconf edge
 * 443), over every distinct certificate its tls.handshake checks saw (the
 * leaf and the intermediates sent):
 *   revocation.crl:<name>:<port>   every HTTP CRL distribution point fetched
 *     and judged (src/revoke.c: issuer, signature, nextUpdate, the serial);
 *   revocation.ocsp:<name>:<port>  the AIA OCSP responder asked (HTTP POST,
 *     RFC 6960 A.1) and its answer judged (signer, freshness, status).
 * A certificate's issuer is the one sent in the chain, else the AIA
 * caIssuers certificate, fetched. Every URL is fetched once per run (one
 * cache shared by the probe's checks), through lynccheck's own resolver
 * (CURLOPT_CONNECT_TO, so --dns-server and --resolve apply) and libcurl on
 * the loop, bounded (CRL 16 MiB, OCSP 64 KiB, certificate 64 KiB) and within
 * --timeout. Not reachable from outside (ldap:// or file:// only, a name
 * that does not resolve, private addresses only, no answer, not 200) fails
 * for the access edge, whose certificate federation partners check, and
 * warns for the other listeners. A certificate without CRL or OCSP URLs is
 * left to tls.crl. */
#include "config.h"
#include "probe.h"

#include <ares.h>
#include <arpa/nameser.h>
#include <curl/curl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cert.h"
#include "dns.h"
#include "http.h"
#include "loop.h"
#include "names.h"
#include "probes.h"
#include "refs.h"
#include "revoke.h"
#include "run.h"
#include "sip.h"
#include "site.h"
#include "web.h"

#define REF_REVOKE_CRL                                                                             \
    "Revocation from outside: every HTTP CRL distribution point of the certificates served "       \
    "answers 200 with a CRL signed by the issuer, not expired, not listing the certificate "       \
    "(RFC 5280 4.2.1.13, 5, 6.3); the CRL distribution points must be reachable by clients. "      \
    "Source: " LC_DOC_CERT_INFRA
#define REF_REVOKE_OCSP                                                                            \
    "Revocation from outside: the OCSP responder the certificate's AIA names answers "             \
    "\"good\", signed by the issuer or its delegated responder, current (RFC 6960 2.2, 4.2.2, "    \
    "A.1; RFC 5280 4.2.2.1)"

#define LC_RV_CERT_MAX (64u * 1024u) /* an AIA caIssuers certificate */
#define LC_RV_MAX_SUBJECTS 16        /* certificates judged per listener */
#define LC_RV_MAX_URLS 4             /* URLs per certificate */
/* A CRL lives days, not months (AD CS: one week, published again with an
 * overlap before nextUpdate; "Configure CRL publication" on Microsoft
 * Learn): --cert-warn-days ahead would warn on every healthy CA. Less than
 * 12 hours left on the newest CRL served means the CA stopped publishing;
 * --cert-warn-days 0 turns the warning off. */
#define LC_RV_CRL_WARN_SECS (12L * 3600L)

/* ---------------------------------------------------------------- fetches */

enum lc_rv_fkind { LC_RV_CRL, LC_RV_CERT, LC_RV_OCSP };

struct lc_rv_waiter {
    struct lc_check *check;
    void (*cb)(void *arg);
    void *arg;
};

/* One URL fetched once per run (OCSP: once per URL and certificate). */
struct lc_rv_fetch {
    char *key, *url;
    enum lc_rv_fkind kind;
    int state; /* 0 new, 1 running, 2 done */
    /* outcome */
    int reachable; /* answered 200 */
    int oversize;
    char why[400]; /* not reachable: why */
    char addr[46];
    long http_status;
    unsigned char *body;
    size_t len, cap, max;
    /* in flight */
    unsigned char *req;
    size_t req_len;
    char host[256];
    unsigned port;
    int dns_left;
    struct lc_strv addrs;
    struct lc_check *starter;
    uint64_t deadline_us; /* the starting check's: its fetches end before it does */
    struct curl_slist *connect_to, *headers;
    char errbuf[CURL_ERROR_SIZE];
    struct lc_rv_waiter *w;
    size_t n_w;
};

struct lc_rv_cache {
    int refs;
    struct lc_rv_fetch **v;
    size_t n;
};

static void lc_rv_fetch_free(struct lc_rv_fetch *f)
{
    free(f->key);
    free(f->url);
    free(f->body);
    free(f->req);
    lc_strv_clear(&f->addrs);
    curl_slist_free_all(f->connect_to);
    curl_slist_free_all(f->headers);
    free(f->w);
    free(f);
}

static void lc_rv_cache_unref(struct lc_rv_cache *c)
{
    size_t i;

    if (c == NULL || --c->refs > 0)
        return;
    for (i = 0; i < c->n; i++)
        lc_rv_fetch_free(c->v[i]);
    free(c->v);
    free(c);
}

/* Done: tell every waiter whose check still runs. */
static void lc_rv_fetch_done(struct lc_rv_fetch *f)
{
    size_t i, n = f->n_w;

    f->state = 2;
    f->n_w = 0;
    for (i = 0; i < n; i++)
        if (!lc_check_is_done(f->w[i].check))
            f->w[i].cb(f->w[i].arg);
}

static int lc_rv_any_waiting(const struct lc_rv_fetch *f)
{
    size_t i;

    for (i = 0; i < f->n_w; i++)
        if (!lc_check_is_done(f->w[i].check))
            return 1;
    return 0;
}

static size_t lc_rv_on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct lc_rv_fetch *f = arg;
    size_t n = size * nmemb;

    if (n > f->max - f->len) {
        f->oversize = 1;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    if (f->len + n > f->cap) {
        size_t cap = f->cap > 0 ? f->cap : 16384;
        unsigned char *p;
        while (cap < f->len + n)
            cap *= 2;
        if (cap > f->max)
            cap = f->max;
        p = realloc(f->body, cap);
        if (p == NULL)
            return 0;
        f->body = p;
        f->cap = cap;
    }
    memcpy(f->body + f->len, data, n);
    f->len += n;
    return n;
}

static void lc_rv_on_http(CURL *easy, CURLcode result, void *arg)
{
    struct lc_rv_fetch *f = arg;
    char e[300];

    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &f->http_status);
    curl_easy_cleanup(easy);
    /* A Content-Length over the bound stops libcurl before the body. */
    if (result == CURLE_FILESIZE_EXCEEDED)
        f->oversize = 1;
    if (f->http_status != 0 && f->http_status != 200) {
        snprintf(f->why, sizeof(f->why), "%s answered HTTP %ld, not 200", f->addr, f->http_status);
    } else if (f->oversize) {
        f->reachable = 1; /* it answered; the size is the fault */
    } else if (result != CURLE_OK) {
        snprintf(f->why, sizeof(f->why), "no answer from %s: %s", f->addr,
                 lc_sip_escape_str(f->errbuf[0] != '\0' ? f->errbuf : curl_easy_strerror(result), e,
                                   sizeof(e)));
    } else if (f->http_status != 200) {
        snprintf(f->why, sizeof(f->why), "%s answered HTTP %ld, not 200", f->addr, f->http_status);
    } else {
        f->reachable = 1;
    }
    lc_rv_fetch_done(f);
}

static void lc_rv_fetch_http(struct lc_rv_fetch *f)
{
    uint64_t now = lc_now_us();
    /* What is left of the check's time: an answer that never comes is
     * "not reachable" (the URL named), not a check timed out. */
    long ms = f->deadline_us > now ? (long)((f->deadline_us - now) / 1000) : 0;
    CURL *e;

    if (ms < 200)
        ms = 200;
    e = lc_http_easy_pinned(f->url, f->host, f->port, f->addr, ms, f->errbuf, &f->connect_to);
    if (e == NULL ||
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, lc_rv_on_body) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_WRITEDATA, f) != CURLE_OK)
        goto fail;
    if (f->kind == LC_RV_OCSP) {
        /* RFC 6960 A.1.1: POST, Content-Type application/ocsp-request. */
        f->headers = curl_slist_append(NULL, "Content-Type: application/ocsp-request");
        if (f->headers == NULL || curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->headers) != CURLE_OK ||
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, (const char *)f->req) != CURLE_OK ||
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)f->req_len) != CURLE_OK)
            goto fail;
    }
    if (lc_http_add(lc_check_http(f->starter), e, lc_rv_on_http, f) < 0)
        goto fail;
    return;
fail:
    curl_easy_cleanup(e);
    snprintf(f->why, sizeof(f->why), "cannot start the request (out of memory?)");
    lc_rv_fetch_done(f);
}

static void lc_rv_on_dns(const struct lc_dns_answer *a, void *arg)
{
    struct lc_rv_fetch *f = arg;
    size_t i;

    for (i = 0; a->status == ARES_SUCCESS && i < a->n_addrs; i++)
        (void)lc_strv_push(&f->addrs, a->addrs[i].text);
    if (a->status != ARES_SUCCESS && a->status != ARES_ENODATA && f->why[0] == '\0')
        snprintf(f->why, sizeof(f->why), "%s does not resolve (%s)", f->host,
                 lc_dns_status_name(a->status));
    if (--f->dns_left > 0)
        return;
    /* The run is ending (resolver destroyed, every check done): stop. */
    if (a->status == ARES_EDESTRUCTION || !lc_rv_any_waiting(f)) {
        snprintf(f->why, sizeof(f->why), "cancelled");
        lc_rv_fetch_done(f);
        return;
    }
    if (f->addrs.n == 0) {
        if (f->why[0] == '\0')
            snprintf(f->why, sizeof(f->why), "%s has no address", f->host);
        lc_rv_fetch_done(f);
        return;
    }
    f->why[0] = '\0';
    /* A public client cannot reach a private address (RFC 1918, RFC 4193);
     * loopback is what a lab or --resolve pin gives, and is followed. */
    for (i = 0; i < f->addrs.n; i++)
        if (lc_revoke_addr_private(f->addrs.v[i]) != 1)
            break;
    if (i == f->addrs.n) {
        snprintf(f->why, sizeof(f->why), "%s resolves only to private addresses (%s)", f->host,
                 f->addrs.v[0]);
        lc_rv_fetch_done(f);
        return;
    }
    snprintf(f->addr, sizeof(f->addr), "%s", f->addrs.v[i]);
    lc_rv_fetch_http(f);
}

static void lc_rv_fetch_start(struct lc_rv_fetch *f)
{
    struct lc_dns *dns = lc_check_dns(f->starter);
    char why[300];

    f->state = 1;
    if (lc_revoke_url_outside(f->url, why, sizeof(why)) != 1) {
        snprintf(f->why, sizeof(f->why), "%s", why);
        lc_rv_fetch_done(f);
        return;
    }
    if (lc_web_url_host(f->url, f->host, sizeof(f->host), &f->port) < 0) {
        snprintf(f->why, sizeof(f->why), "URL does not parse");
        lc_rv_fetch_done(f);
        return;
    }
    if (lc_is_ip_literal(f->host)) {
        snprintf(f->addr, sizeof(f->addr), "%.45s", f->host);
        lc_rv_fetch_http(f);
        return;
    }
    f->dns_left = 2;
    if (lc_dns_query(dns, f->host, ns_t_a, lc_rv_on_dns, f) < 0) {
        snprintf(f->why, sizeof(f->why), "out of memory");
        lc_rv_fetch_done(f);
        return;
    }
    if (lc_dns_query(dns, f->host, ns_t_aaaa, lc_rv_on_dns, f) < 0)
        f->dns_left--; /* the A answer still comes */
}

/* The fetch of `url` (with `fp` for OCSP, whose request is per
 * certificate): 1 when it is done already (no callback), 0 when cb(arg)
 * will be called once it is (never from inside this call's return path
 * before the caller counted it: callers count first), -1 out of memory. */
static int lc_rv_fetch_get(struct lc_rv_cache *c, struct lc_check *check, enum lc_rv_fkind kind,
                           const char *url, const char *fp, unsigned char *req, size_t req_len,
                           uint64_t deadline_us, void (*cb)(void *), void *arg,
                           struct lc_rv_fetch **out)
{
    size_t klen = strlen(url) + (fp != NULL ? strlen(fp) : 0) + 8, i;
    char *key = malloc(klen);
    struct lc_rv_fetch *f = NULL, **v;
    struct lc_rv_waiter *w;

    *out = NULL;
    if (key == NULL)
        goto oom;
    snprintf(key, klen, "%d %s %s", (int)kind, url, fp != NULL ? fp : "");
    for (i = 0; i < c->n && f == NULL; i++)
        if (strcmp(c->v[i]->key, key) == 0)
            f = c->v[i];
    if (f != NULL) {
        free(key);
        key = NULL;
        free(req);
        req = NULL;
        *out = f;
        if (f->state == 2)
            return 1;
    } else {
        f = calloc(1, sizeof(*f));
        v = realloc(c->v, (c->n + 1) * sizeof(*v));
        if (f == NULL || v == NULL || (f->url = strdup(url)) == NULL) {
            free(f);
            if (v != NULL)
                c->v = v;
            goto oom;
        }
        c->v = v;
        c->v[c->n++] = f;
        f->key = key;
        key = NULL;
        f->kind = kind;
        f->req = req;
        f->req_len = req_len;
        req = NULL;
        f->max = kind == LC_RV_CRL    ? LC_REVOKE_CRL_MAX
                 : kind == LC_RV_OCSP ? LC_REVOKE_OCSP_MAX
                                      : LC_RV_CERT_MAX;
        *out = f;
    }
    w = realloc(f->w, (f->n_w + 1) * sizeof(*w));
    if (w == NULL)
        goto oom;
    f->w = w;
    w[f->n_w].check = check;
    w[f->n_w].cb = cb;
    w[f->n_w].arg = arg;
    f->n_w++;
    if (f->state == 0) {
        f->starter = check;
        f->deadline_us = deadline_us;
        lc_rv_fetch_start(f);
    }
    return 0;
oom:
    free(key);
    free(req);
    return -1;
}

/* ---------------------------------------------------------------- checks */

/* One certificate judged (a leaf, or an intermediate the server sent). */
struct lc_rv_subj {
    X509 *cert, *issuer;    /* references of our own */
    STACK_OF(X509) * chain; /* the handshake check's, which outlives the run */
    char fp[65];
    int is_leaf;
    const char *issuer_from; /* "sent", "caIssuers" or NULL */
    struct lc_strv urls, names;
    struct lc_rv_fetch *aia;
    struct lc_rv_fetch *f[LC_RV_MAX_URLS];
    size_t n_f;
};

struct lc_rv_arg {
    int ocsp; /* the revocation.ocsp check, else revocation.crl */
    enum lc_listener_kind kind;
    struct lc_rv_cache *cache;
    struct lc_check *check;
    struct lc_rv_subj *s;
    size_t n;
    size_t pending;
    int phase;                      /* 0 issuers (caIssuers), 1 revocation fetches */
    uint64_t start_us, deadline_us; /* fetches the check starts end by the deadline */
};

static void lc_rv_arg_free(void *p)
{
    struct lc_rv_arg *r = p;
    size_t i;

    for (i = 0; i < r->n; i++) {
        X509_free(r->s[i].cert);
        X509_free(r->s[i].issuer);
        lc_strv_clear(&r->s[i].urls);
        lc_strv_clear(&r->s[i].names);
    }
    free(r->s);
    lc_rv_cache_unref(r->cache);
    free(r);
}

static X509 *lc_rv_find_issuer(X509 *x, STACK_OF(X509) * chain)
{
    int i;

    for (i = 0; chain != NULL && i < sk_X509_num(chain); i++) {
        X509 *c = sk_X509_value(chain, i);
        if (c != x && X509_check_issued(c, x) == X509_V_OK)
            return c;
    }
    return NULL;
}

/* Add the chain's certificates (but self-signed roots) to the subjects. */
static int lc_rv_add_chain(struct lc_rv_arg *r, STACK_OF(X509) * chain, const char *name)
{
    int i;

    for (i = 0; chain != NULL && i < sk_X509_num(chain); i++) {
        X509 *x = sk_X509_value(chain, i);
        struct lc_rv_subj *s = NULL, *v;
        char fp[65];
        size_t k;

        /* A root, or any self-issued certificate (subject = issuer, a
         * self-signed leaf too): no CA above it publishes its status;
         * trust in it is tls.chain's business. */
        if (X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0)
            continue;
        lc_cert_fingerprint(x, fp);
        for (k = 0; k < r->n && s == NULL; k++)
            if (strcmp(r->s[k].fp, fp) == 0)
                s = &r->s[k];
        if (s == NULL) {
            if (r->n >= LC_RV_MAX_SUBJECTS)
                continue;
            v = realloc(r->s, (r->n + 1) * sizeof(*v));
            if (v == NULL)
                return -1;
            r->s = v;
            s = &v[r->n++];
            memset(s, 0, sizeof(*s));
            memcpy(s->fp, fp, sizeof(fp));
            X509_up_ref(x);
            s->cert = x;
            s->chain = chain;
            s->is_leaf = i == 0;
            s->issuer = lc_rv_find_issuer(x, chain);
            if (s->issuer != NULL) {
                X509_up_ref(s->issuer);
                s->issuer_from = "sent";
            }
        }
        s->is_leaf |= i == 0;
        if (i == 0 && !lc_strv_contains(&s->names, name) && lc_strv_push(&s->names, name) < 0)
            return -1;
    }
    return 0;
}

static void lc_rv_next(void *arg);

/* Count one fetch in flight for the phase. */
static int lc_rv_want(struct lc_rv_arg *r, enum lc_rv_fkind kind, const char *url, const char *fp,
                      unsigned char *req, size_t req_len, struct lc_rv_fetch **out)
{
    int rc;

    r->pending++;
    rc = lc_rv_fetch_get(r->cache, r->check, kind, url, fp, req, req_len, r->deadline_us,
                         lc_rv_next, r, out);
    if (rc != 0)
        r->pending--;
    return rc < 0 ? -1 : 0;
}

/* The issuer from a caIssuers answer: one DER (RFC 5280 4.2.2.1) or PEM
 * certificate that issued the subject. */
static X509 *lc_rv_issuer_from(const struct lc_rv_fetch *f, X509 *x)
{
    const unsigned char *p = f->body;
    X509 *c = NULL;

    if (f == NULL || !f->reachable || f->oversize || f->len == 0)
        return NULL;
    c = d2i_X509(NULL, &p, (long)f->len);
    if (c == NULL) {
        BIO *b = BIO_new_mem_buf(f->body, (int)f->len);
        if (b != NULL)
            c = PEM_read_bio_X509(b, NULL, NULL, NULL);
        BIO_free(b);
    }
    if (c != NULL && X509_check_issued(c, x) != X509_V_OK) {
        X509_free(c);
        c = NULL;
    }
    return c;
}

static void lc_rv_judge(struct lc_rv_arg *r);

static void lc_rv_phase_fetch(struct lc_rv_arg *r)
{
    size_t i, k;

    r->phase = 1;
    r->pending = 1; /* held until every fetch is asked for */
    for (i = 0; i < r->n; i++) {
        struct lc_rv_subj *s = &r->s[i];
        struct lc_strv crl = {0}, ocsp = {0}, cai = {0};

        if (s->issuer == NULL && s->aia != NULL &&
            (s->issuer = lc_rv_issuer_from(s->aia, s->cert)) != NULL)
            s->issuer_from = "caIssuers";
        lc_cert_uris(s->cert, &crl, &ocsp, &cai);
        for (k = 0; k < (r->ocsp ? ocsp.n : crl.n) && s->urls.n < LC_RV_MAX_URLS; k++)
            (void)lc_strv_push(&s->urls, r->ocsp ? ocsp.v[k] : crl.v[k]);
        lc_strv_clear(&crl);
        lc_strv_clear(&ocsp);
        lc_strv_clear(&cai);
        /* OCSP asks about one certificate of one issuer: nothing to ask
         * without the issuer (judged ERROR below). */
        if (r->ocsp && s->issuer == NULL)
            continue;
        for (k = 0; k < s->urls.n; k++) {
            unsigned char *req = NULL;
            size_t len = 0;
            if (r->ocsp && lc_revoke_ocsp_request(s->cert, s->issuer, &req, &len) < 0)
                continue;
            if (lc_rv_want(r, r->ocsp ? LC_RV_OCSP : LC_RV_CRL, s->urls.v[k],
                           r->ocsp ? s->fp : NULL, req, len, &s->f[s->n_f]) < 0) {
                lc_check_finish(r->check, LC_ERROR, "out of memory");
                return;
            }
            s->n_f++;
        }
    }
    if (--r->pending == 0)
        lc_rv_judge(r);
}

static void lc_rv_next(void *arg)
{
    struct lc_rv_arg *r = arg;

    if (lc_check_is_done(r->check) || --r->pending > 0)
        return;
    if (r->phase == 0)
        lc_rv_phase_fetch(r);
    else
        lc_rv_judge(r);
}

static int lc_rv_is_access_edge(const struct lc_rv_arg *r)
{
    return r->kind == LC_L_EDGE || r->kind == LC_L_EDGE_FED;
}

static long lc_rv_crl_warn_secs(const struct lc_rv_arg *r)
{
    long days = lc_check_config(r->check)->cert_warn_days;

    if (days <= 0)
        return 0;
    return days * 86400L < LC_RV_CRL_WARN_SECS ? days * 86400L : LC_RV_CRL_WARN_SECS;
}

/* One certificate's verdict over its URLs (lc_revoke_combine); evidence in ev. */
static enum lc_status lc_rv_judge_subj(struct lc_rv_arg *r, struct lc_rv_subj *s, json_t *ev,
                                       char *msg, size_t mlen)
{
    struct lc_revoke_outcome out[LC_RV_MAX_URLS];
    char urls[LC_RV_MAX_URLS][300], msgs[LC_RV_MAX_URLS][600];
    json_t *uv = json_array();
    size_t k;

    json_object_set_new(ev, "urls", uv);
    /* No OCSP request without the issuer (its name and key hash name the
     * certificate, RFC 6960 4.1.1); a CRL is fetched anyway and its judge
     * says it cannot be verified. */
    if (r->ocsp && s->urls.n > 0 && s->issuer == NULL) {
        snprintf(msg, mlen,
                 "the issuer was not sent and no caIssuers certificate could be "
                 "fetched: cannot ask the OCSP responder");
        return LC_ERROR;
    }
    memset(out, 0, sizeof(out));
    for (k = 0; k < s->n_f && k < LC_RV_MAX_URLS; k++) {
        const struct lc_rv_fetch *f = s->f[k];
        struct lc_revoke_facts facts;
        json_t *u = json_object();
        enum lc_status st;

        memset(&facts, 0, sizeof(facts));
        json_array_append_new(uv, u);
        out[k].url = lc_sip_escape_str(f->url, urls[k], sizeof(urls[k]));
        json_object_set_new(u, "url", json_string(out[k].url));
        if (f->addr[0] != '\0')
            json_object_set_new(u, "address", json_string(f->addr));
        if (f->http_status != 0)
            json_object_set_new(u, "http_status", json_integer(f->http_status));
        json_object_set_new(u, "size", json_integer((json_int_t)f->len));
        json_object_set_new(u, "reachable", json_boolean(f->reachable));
        out[k].done = f->state == 2;
        out[k].reachable = f->reachable;
        out[k].why = f->why;
        if (!out[k].done) {
            json_object_set_new(u, "why", json_string("unfinished"));
            continue;
        }
        if (!f->reachable) {
            json_object_set_new(u, "why", json_string(f->why));
            continue;
        }
        if (f->oversize) {
            /* The bound stopped the transfer: not judged. */
            st = LC_ERROR;
            snprintf(msgs[k], sizeof(msgs[k]), "the answer exceeds the %s bound: not judged",
                     r->ocsp ? "64 KiB OCSP" : "16 MiB CRL");
        } else if (r->ocsp)
            st = lc_revoke_ocsp_judge(f->body, f->len, s->cert, s->issuer, s->chain, &facts,
                                      msgs[k], sizeof(msgs[k]));
        else
            st = lc_revoke_crl_judge(f->body, f->len, s->cert, s->issuer, lc_rv_crl_warn_secs(r),
                                     time(NULL), &facts, msgs[k], sizeof(msgs[k]));
        out[k].st = st;
        out[k].msg = msgs[k];
        json_object_set_new(u, "status", json_string(lc_status_name(st)));
        json_object_set_new(u, "message", json_string(msgs[k]));
        if (facts.this_update[0] != '\0')
            json_object_set_new(u, "this_update", json_string(facts.this_update));
        if (facts.next_update[0] != '\0')
            json_object_set_new(u, "next_update", json_string(facts.next_update));
        if (facts.revoked_at[0] != '\0')
            json_object_set_new(u, "revoked_at", json_string(facts.revoked_at));
        if (facts.reason[0] != '\0')
            json_object_set_new(u, "reason", json_string(facts.reason));
        if (facts.cert_status[0] != '\0')
            json_object_set_new(u, "cert_status", json_string(facts.cert_status));
    }
    return lc_revoke_combine(out, s->n_f, r->ocsp, lc_rv_is_access_edge(r), msg, mlen);
}

static void lc_rv_judge(struct lc_rv_arg *r)
{
    json_t *certs = json_object();
    enum lc_status worst = LC_SKIP;
    char worst_msg[1200] = "", msg[1000], cn_buf[200];
    size_t i, judged = 0;

    if (lc_check_is_done(r->check))
        return;
    json_object_set_new(lc_check_evidence(r->check), "certificates", certs);
    for (i = 0; i < r->n; i++) {
        struct lc_rv_subj *s = &r->s[i];
        json_t *ev = json_object(), *nv = json_array();
        char *cn = lc_cert_subject_cn(s->cert);
        enum lc_status st;
        size_t k;

        for (k = 0; k < s->names.n; k++)
            json_array_append_new(nv, json_string(s->names.v[k]));
        json_object_set_new(ev, "subject_cn", cn != NULL ? json_string(cn) : json_null());
        json_object_set_new(ev, "role", json_string(s->is_leaf ? "leaf" : "intermediate"));
        json_object_set_new(ev, "names", nv);
        json_object_set_new(ev, "issuer_from",
                            s->issuer_from != NULL ? json_string(s->issuer_from) : json_null());
        json_object_set_new(certs, s->fp, ev);
        st = lc_rv_judge_subj(r, s, ev, msg, sizeof(msg));
        json_object_set_new(ev, "status", json_string(lc_status_name(st)));
        json_object_set_new(ev, "message", json_string(msg));
        if (st != LC_SKIP)
            judged++;
        if (i == 0 || lc_revoke_worse(worst, 0, st) != worst) {
            worst = lc_revoke_worse(worst, i == 0, st);
            snprintf(worst_msg, sizeof(worst_msg), "%s certificate %.150s: %.990s",
                     s->is_leaf ? "server" : "intermediate",
                     lc_sip_escape_str(cn != NULL ? cn : s->fp, cn_buf, sizeof(cn_buf)), msg);
        }
        free(cn);
    }
    if (judged == 0) {
        lc_check_finish(r->check, LC_SKIP, "no certificate served %s (see tls.crl)",
                        r->ocsp ? "names an OCSP responder" : "names a CRL distribution point");
        return;
    }
    if (worst == LC_PASS)
        lc_check_finish(r->check, LC_PASS, "%s%s", worst_msg,
                        judged > 1 ? "; the other certificates pass too" : "");
    else
        lc_check_finish(r->check, worst, "%s", worst_msg);
}

static void lc_rv_start(struct lc_check *check, void *arg)
{
    struct lc_rv_arg *r = arg;
    size_t d, i;
    int seen = 0;

    r->check = check;
    /* Every fetch ends by 4/5 of the check's time (one that starts late
     * gets at least 200 ms): what hangs is named before the check times out. */
    r->start_us = lc_now_us();
    r->deadline_us = r->start_us + lc_check_config(check)->timeout_us * 4 / 5;
    for (d = 0; d < lc_check_n_deps(check); d++) {
        struct lc_check *hs = lc_check_dep(check, d);
        const struct lc_result *hr = lc_check_result(hs);
        const char *addr = NULL;
        STACK_OF(X509) * chain;

        if (hr->status != LC_PASS && hr->status != LC_FAIL)
            continue;
        for (i = 0;; i++) {
            chain = lc_tls_hs_chain(hs, i, &addr);
            if (addr == NULL)
                break;
            seen |= chain != NULL && sk_X509_num(chain) > 0;
            if (chain != NULL && lc_rv_add_chain(r, chain, hr->target) < 0) {
                lc_check_finish(check, LC_ERROR, "out of memory");
                return;
            }
        }
    }
    if (r->n == 0 && seen) {
        lc_check_finish(check, LC_SKIP,
                        "every certificate served is self-issued: no CA publishes its revocation "
                        "(see tls.chain)");
        return;
    }
    if (r->n == 0) {
        lc_check_finish_no_input(check, lc_check_dep(check, 0), "no certificate was presented");
        return;
    }
    json_object_set_new(lc_check_evidence(check), "certificates", json_object());
    /* Phase 0: the issuers the server did not send, from caIssuers. */
    r->phase = 0;
    r->pending = 1;
    for (i = 0; i < r->n; i++) {
        struct lc_rv_subj *s = &r->s[i];
        struct lc_strv crl = {0}, ocsp = {0}, cai = {0};
        size_t k;

        if (s->issuer == NULL) {
            lc_cert_uris(s->cert, &crl, &ocsp, &cai);
            for (k = 0; k < cai.n; k++)
                if (lc_revoke_url_outside(cai.v[k], NULL, 0) == 1)
                    break;
            if (k < cai.n && lc_rv_want(r, LC_RV_CERT, cai.v[k], NULL, NULL, 0, &s->aia) < 0) {
                lc_check_finish(check, LC_ERROR, "out of memory");
                k = cai.n;
            }
            lc_strv_clear(&crl);
            lc_strv_clear(&ocsp);
            lc_strv_clear(&cai);
            if (lc_check_is_done(check))
                return;
        }
    }
    if (--r->pending == 0)
        lc_rv_phase_fetch(r);
}

/* ---------------------------------------------------------------- planning */

static const struct lc_option_decl lc_rv_options[] = {
    {NULL, LC_OPT_BOOL, NULL, NULL, NULL, 0, 0, NULL},
};

/* Plan revocation.crl and revocation.ocsp for one listener, over every
 * tls.handshake check the tls probe planned for its names; nothing when it
 * planned none (the tls probe, or this listener, not in the profile). */
static int lc_rv_plan_listener(struct lc_run *run, const struct lc_site *site,
                               struct lc_rv_cache *cache, enum lc_listener_kind kind, unsigned port,
                               const char *role)
{
    struct lc_listener_names ln;
    struct lc_check **hs = NULL;
    char id[400], target[300];
    int rc = -1, w;
    size_t i, k, n_hs = 0;

    memset(&ln, 0, sizeof(ln));
    if (lc_listener_names_build(site, kind, &ln) < 0)
        return -1;
    w = snprintf(target, sizeof(target), "%s:%u", ln.primary != NULL ? ln.primary : "", port);
    if (ln.n == 0 || ln.primary == NULL || w < 0 || (size_t)w >= sizeof(target)) {
        rc = 0;
        goto done;
    }
    if ((hs = calloc(ln.n, sizeof(*hs))) == NULL)
        goto done;
    for (i = 0; i < ln.n; i++) {
        if (!ln.v[i].served)
            continue;
        w = snprintf(id, sizeof(id), "tls.handshake:%s:%u", ln.v[i].name, port);
        if (w > 0 && (size_t)w < sizeof(id) && (hs[n_hs] = lc_run_find(run, id)) != NULL)
            n_hs++;
    }
    if (n_hs == 0) {
        rc = 0;
        goto done;
    }
    for (k = 0; k < 2; k++) {
        struct lc_rv_arg *r = calloc(1, sizeof(*r));
        struct lc_check *c;
        int fresh;

        if (r == NULL)
            goto done;
        r->ocsp = (int)k;
        r->kind = kind;
        r->cache = cache;
        cache->refs++;
        c = lc_run_add(run, "revocation", k ? "ocsp" : "crl", target,
                       k ? REF_REVOKE_OCSP : REF_REVOKE_CRL, lc_rv_start, r, lc_rv_arg_free);
        if (c == NULL) {
            lc_rv_arg_free(r);
            goto done;
        }
        if (lc_check_add_role(c, role) < 0)
            goto done;
        /* Planned already for another role on the same name: its
         * dependencies are there. */
        fresh = lc_check_n_deps(c) == 0;
        for (i = 0; fresh && i < n_hs; i++)
            if (lc_check_depend(c, hs[i]) < 0)
                goto done;
    }
    rc = 0;
done:
    free(hs);
    lc_listener_names_clear(&ln);
    return rc;
}

static int lc_rv_plan(struct lc_run *run, const struct lc_site *site, const struct lc_opts *opts)
{
    struct lc_rv_cache *cache = calloc(1, sizeof(*cache));
    int rc = -1;

    (void)opts;
    if (cache == NULL)
        return -1;
    cache->refs = 1;
    if (lc_rv_plan_listener(run, site, cache, LC_L_RP, 443, "reverse-proxy") < 0 ||
        lc_rv_plan_listener(run, site, cache, LC_L_EDGE, 443, "access-edge") < 0 ||
        lc_rv_plan_listener(run, site, cache, LC_L_EDGE_FED, 5061, "access-edge") < 0 ||
        (site->webconf_edge != NULL &&
         lc_rv_plan_listener(run, site, cache, LC_L_WEBCONF, 443, "webconf-edge") < 0))
        goto done;
    rc = 0;
done:
    lc_rv_cache_unref(cache);
    return rc;
}

const struct lc_probe lc_probe_revocation = {
    "revocation",
    "revocation from outside: CRL distribution points and OCSP responders of every certificate "
    "served reachable, valid, and not revoking it",
    lc_rv_options,
    lc_rv_plan,
};
