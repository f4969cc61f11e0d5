/* lynccheck - the TLS probe: the certificate on every external listener and
 * every address, judged against the names that listener must serve.
 *
 * Listeners (ODS/LS2013 certificate-requirements-for-external-user-access.md,
 * request-and-configure-a-certificate-for-your-reverse-http-proxy.md,
 * wildcard-certificate-support.md; ../shared/reference/lync-external-access.md):
 *   reverse proxy 443: FE and Director external web FQDNs, meet, dialin,
 *     Office Web Apps, lyncdiscover.<d>; a wildcard may cover meet, dialin and
 *     lyncdiscover only;
 *   access edge 443 and 5061: the access edge FQDN, the webconf FQDN,
 *     sip.<d> (and xmpp.<d> with XMPP); never a wildcard;
 *   webconf edge 443: the webconf FQDN.
 * Network checks (tls.handshake, tls.no-sni) record what each address
 * presented; the others judge it without I/O (cert.c). */
#include "probe.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cert.h"
#include "dns.h"
#include "names.h"
#include "probes.h"
#include "run.h"
#include "site.h"
#include "tls.h"

#define REF_EDGE_CERT                                                                              \
    "Edge external certificate: public CA, subject = access edge FQDN (no wildcard), SAN = "       \
    "access "                                                                                      \
    "edge, webconf and sip.<domain> for every SIP domain (+ xmpp.<domain>), same certificate on "  \
    "443 and 5061 (LS2013:certificate-requirements-for-external-user-access.md, "                  \
    "plan-for-edge-server-certificates.md)"
#define REF_RP_CERT                                                                                \
    "Reverse proxy certificate: public CA, subject = Front End external web FQDN, SAN = "          \
    "Director external web, meet, dialin, Office Web Apps, lyncdiscover.<domain>; *.<domain> may " \
    "cover simple URLs and lyncdiscover only (LS2013:request-and-configure-a-certificate-for-"     \
    "your-reverse-http-proxy.md, wildcard-certificate-support.md)"
#define REF_GENERAL                                                                                \
    "Certificate infrastructure: CRL distribution point, SHA-1 or SHA-2 (RSASSA-PSS "              \
    "unsupported), "                                                                               \
    "RSA 2048+, serverAuth EKU, expiry warned ahead "                                              \
    "(LS2013:certificate-infrastructure-requirements.md)"

/* One listener: shared by the checks planned for it (reference counted). */
struct lc_listener {
    int refs;
    unsigned port;
    struct lc_listener_names names;
    SSL_CTX *ctx;
};

static void lc_listener_unref(struct lc_listener *l)
{
    if (l == NULL || --l->refs > 0)
        return;
    lc_listener_names_clear(&l->names);
    SSL_CTX_free(l->ctx);
    free(l);
}

static const char *lc_listener_label(const struct lc_listener *l)
{
    switch (l->names.kind) {
    case LC_L_RP:
        return "reverse proxy";
    case LC_L_EDGE:
        return "access edge";
    case LC_L_EDGE_FED:
        return "access edge (federation)";
    case LC_L_WEBCONF:
    default:
        return "webconf edge";
    }
}

/* ---- tls.handshake:<name>:<port> ---- */

struct lc_hs_arg;

struct lc_hs_addr {
    struct lc_hs_arg *owner;
    char addr[46];
    struct lc_tls_hs *main_hs, *t12_hs;
    int main_done, t12_done;
    int ok, tls12_ok, client_cert_requested;
    char error[256], tls12_error[256];
    char version[16], cipher[64];
    STACK_OF(X509) * chain;
};

struct lc_hs_arg {
    struct lc_listener *l;
    char *name;
    int wildcard_ok;
    int no_sni; /* the tls.no-sni variant: no SNI, no TLS 1.2 probe */
    struct lc_check *check;
    struct lc_hs_addr *a;
    size_t n, pending;
};

static void lc_hs_cancel(struct lc_check *check, void *arg)
{
    struct lc_hs_arg *h = arg;
    size_t i;

    (void)check;
    for (i = 0; i < h->n; i++) {
        lc_tls_handshake_cancel(h->a[i].main_hs);
        lc_tls_handshake_cancel(h->a[i].t12_hs);
        h->a[i].main_hs = h->a[i].t12_hs = NULL;
    }
}

static void lc_hs_arg_free(void *p)
{
    struct lc_hs_arg *h = p;
    size_t i;

    lc_hs_cancel(NULL, h);
    for (i = 0; i < h->n; i++)
        if (h->a[i].chain != NULL)
            sk_X509_pop_free(h->a[i].chain, X509_free);
    free(h->a);
    free(h->name);
    lc_listener_unref(h->l);
    free(h);
}

static X509 *lc_hs_leaf(const struct lc_hs_addr *a)
{
    return a->chain != NULL && sk_X509_num(a->chain) > 0 ? sk_X509_value(a->chain, 0) : NULL;
}

static json_t *lc_chain_json(STACK_OF(X509) * chain)
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

static void lc_hs_evaluate(struct lc_hs_arg *h)
{
    struct lc_check *check = h->check;
    size_t i, bad = 0, no12 = 0;
    const struct lc_hs_addr *first_bad = NULL, *first_no12 = NULL;

    for (i = 0; i < h->n; i++) {
        const struct lc_hs_addr *a = &h->a[i];
        if (!a->ok) {
            if (bad++ == 0)
                first_bad = a;
            continue;
        }
        if (!h->no_sni && !a->tls12_ok && no12++ == 0)
            first_no12 = a;
    }
    if (h->no_sni) {
        /* Older clients and some devices send no SNI: the default
         * certificate must still serve the listener's name. */
        for (i = 0; i < h->n; i++) {
            const struct lc_hs_addr *a = &h->a[i];
            X509 *x = lc_hs_leaf(a);
            if (!a->ok) {
                lc_check_finish(check, LC_WARN, "without SNI, %s:%u refuses the handshake: %s",
                                a->addr, h->l->port, a->error);
                return;
            }
            if (x == NULL || !lc_cert_covers(x, h->name, h->wildcard_ok, NULL, 0)) {
                char *cn = x != NULL ? lc_cert_subject_cn(x) : NULL;
                lc_check_finish(check, LC_WARN,
                                "without SNI, %s:%u presents a certificate (CN=%s) that does not "
                                "cover %s: clients that send no SNI fail",
                                a->addr, h->l->port, cn != NULL ? cn : "none", h->name);
                free(cn);
                return;
            }
        }
        lc_check_finish(check, LC_PASS, "without SNI, every address presents a certificate for %s",
                        h->name);
        return;
    }
    if (bad > 0) {
        lc_check_finish(check, LC_FAIL, "TLS handshake with %s (%s:%u) failed%s: %s", h->name,
                        first_bad->addr, h->l->port, bad > 1 ? " on several addresses" : "",
                        first_bad->error);
        return;
    }
    if (no12 > 0) {
        lc_check_finish(check, LC_FAIL, "%s:%u does not offer TLS 1.2: %s", first_no12->addr,
                        h->l->port, first_no12->tls12_error);
        return;
    }
    lc_check_finish(check, LC_PASS, "%s on %zu address%s, TLS 1.2 offered", h->a[0].version, h->n,
                    h->n == 1 ? "" : "es");
}

static json_t *lc_hs_addr_evidence(struct lc_hs_arg *h, struct lc_hs_addr *a)
{
    return lc_check_evidence_addr(h->check, a->addr);
}

static void lc_hs_one_done(struct lc_hs_arg *h)
{
    if (--h->pending == 0)
        lc_hs_evaluate(h);
}

static void lc_hs_on_main(struct lc_tls_result *res, void *arg)
{
    struct lc_hs_addr *a = arg;
    struct lc_hs_arg *h = a->owner;
    json_t *ev;
    X509 *leaf;

    a->main_hs = NULL;
    a->main_done = 1;
    if (lc_check_is_done(h->check))
        return;
    ev = lc_hs_addr_evidence(h, a);
    a->ok = res->handshake_ok;
    a->client_cert_requested = res->client_cert_requested;
    snprintf(a->error, sizeof(a->error), "%s", res->error);
    snprintf(a->version, sizeof(a->version), "%s", res->version);
    snprintf(a->cipher, sizeof(a->cipher), "%s", res->cipher);
    a->chain = res->chain;
    res->chain = NULL; /* ours now */
    json_object_set_new(ev, "handshake", json_boolean(a->ok));
    json_object_set_new(ev, "elapsed_ms", json_integer((json_int_t)(res->elapsed_us / 1000)));
    if (!a->ok) {
        json_object_set_new(ev, "error", json_string(a->error));
    } else {
        json_object_set_new(ev, "version", json_string(a->version));
        json_object_set_new(ev, "cipher", json_string(a->cipher));
        json_object_set_new(ev, "client_cert_requested", json_boolean(a->client_cert_requested));
        leaf = lc_hs_leaf(a);
        if (leaf != NULL)
            json_object_set_new(ev, "certificate", lc_cert_to_json(leaf));
        json_object_set_new(ev, "chain_sent", lc_chain_json(a->chain));
    }
    lc_hs_one_done(h);
}

static void lc_hs_on_t12(struct lc_tls_result *res, void *arg)
{
    struct lc_hs_addr *a = arg;
    struct lc_hs_arg *h = a->owner;

    a->t12_hs = NULL;
    a->t12_done = 1;
    if (lc_check_is_done(h->check))
        return;
    a->tls12_ok = res->handshake_ok;
    snprintf(a->tls12_error, sizeof(a->tls12_error), "%s", res->error);
    json_object_set_new(lc_hs_addr_evidence(h, a), "tls12_offered", json_boolean(a->tls12_ok));
    lc_hs_one_done(h);
}

static void lc_hs_start(struct lc_check *check, void *arg)
{
    struct lc_hs_arg *h = arg;
    const struct lc_dns_name *d;
    const struct lc_run_config *cfg = lc_check_config(check);
    struct lc_tls_opts opts;
    size_t i;

    h->check = check;
    if (h->no_sni) {
        struct lc_check *with_sni = lc_check_dep(check, 1);
        enum lc_status st = with_sni != NULL ? lc_check_result(with_sni)->status : LC_PASS;
        if (st != LC_PASS) {
            lc_check_finish_no_input(check, with_sni, "the handshake with SNI did not succeed");
            return;
        }
    }
    d = lc_dns_dep_addrs(check, 0, h->name);
    if (d == NULL)
        return;
    h->a = calloc(d->n_addrs, sizeof(*h->a));
    if (h->a == NULL) {
        lc_check_finish(check, LC_ERROR, "out of memory");
        return;
    }
    json_object_set_new(lc_check_evidence(check), "sni",
                        h->no_sni ? json_null() : json_string(h->name));
    json_object_set_new(lc_check_evidence(check), "port", json_integer(h->l->port));
    json_object_set_new(lc_check_evidence(check), "addresses", json_object());
    h->n = d->n_addrs;
    memset(&opts, 0, sizeof(opts));
    /* Leave a little of the check's time to report which address hung. */
    opts.timeout_us = cfg->timeout_us * 4 / 5;
    for (i = 0; i < h->n; i++) {
        struct lc_hs_addr *a = &h->a[i];
        a->owner = h;
        snprintf(a->addr, sizeof(a->addr), "%s", d->addrs[i].text);
        opts.sni = h->no_sni ? NULL : h->name;
        opts.min_version = opts.max_version = 0;
        h->pending++;
        if (lc_tls_handshake(lc_check_loop(check), h->l->ctx, a->addr, h->l->port, &opts,
                             lc_hs_on_main, a, &a->main_hs) < 0) {
            h->pending--;
            a->main_done = 1;
            snprintf(a->error, sizeof(a->error), "cannot start a connection to %s", a->addr);
        }
        if (h->no_sni)
            continue;
        /* "TLS 1.2 must be offered": a second handshake that allows only it. */
        opts.min_version = opts.max_version = TLS1_2_VERSION;
        h->pending++;
        if (lc_tls_handshake(lc_check_loop(check), h->l->ctx, a->addr, h->l->port, &opts,
                             lc_hs_on_t12, a, &a->t12_hs) < 0) {
            h->pending--;
            snprintf(a->tls12_error, sizeof(a->tls12_error), "cannot start a connection");
        }
    }
    if (h->pending == 0)
        lc_hs_evaluate(h);
}

/* ---- judging what the handshakes saw ---- */

enum lc_judge_kind {
    LC_J_NAME,
    LC_J_CONSISTENCY,
    LC_J_SAN,
    LC_J_CHAIN,
    LC_J_VALIDITY,
    LC_J_INTERMEDIATES,
    LC_J_KEY,
    LC_J_SIGNATURE,
    LC_J_EKU,
    LC_J_CRL,
    LC_J_SUBJECT
};

struct lc_judge_arg {
    enum lc_judge_kind kind;
    struct lc_listener *l;
    char *name;
    int wildcard_ok;
};

static void lc_judge_arg_free(void *p)
{
    struct lc_judge_arg *j = p;

    lc_listener_unref(j->l);
    free(j->name);
    free(j);
}

static void lc_date_text(const ASN1_TIME *t, char *buf, size_t len)
{
    struct tm tm;

    if (ASN1_TIME_to_tm(t, &tm) != 1 || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
        snprintf(buf, len, "an unreadable date");
}

static enum lc_status lc_judge_dates(X509 *x, const char *what, int warn_days, char *msg,
                                     size_t len)
{
    int days = 0, nyv = 0;
    char date[32];
    char *cn = lc_cert_subject_cn(x);
    enum lc_status st;

    if (lc_cert_days_left(x, &days, &nyv) < 0) {
        snprintf(msg, len, "%s (CN=%s): validity dates cannot be read", what, cn ? cn : "none");
        free(cn);
        return LC_FAIL;
    }
    if (nyv) {
        lc_date_text(X509_get0_notBefore(x), date, sizeof(date));
        snprintf(msg, len, "%s (CN=%s) is not yet valid: valid from %s", what, cn ? cn : "none",
                 date);
        st = LC_FAIL;
    } else if (days < 0) {
        lc_date_text(X509_get0_notAfter(x), date, sizeof(date));
        snprintf(msg, len, "%s (CN=%s) expired on %s, %d day%s ago", what, cn ? cn : "none", date,
                 -days, days == -1 ? "" : "s");
        st = LC_FAIL;
    } else if (days < warn_days) {
        lc_date_text(X509_get0_notAfter(x), date, sizeof(date));
        snprintf(msg, len, "%s (CN=%s) expires in %d days, on %s: renew it now", what,
                 cn ? cn : "none", days, date);
        st = LC_WARN;
    } else {
        lc_date_text(X509_get0_notAfter(x), date, sizeof(date));
        snprintf(msg, len, "%s (CN=%s) valid until %s (%d days)", what, cn ? cn : "none", date,
                 days);
        st = LC_PASS;
    }
    free(cn);
    return st;
}

/* Judge one distinct certificate (and the chain it came with). */
static enum lc_status lc_judge_one(struct lc_check *check, const struct lc_judge_arg *j, X509 *x,
                                   STACK_OF(X509) * chain, char *msg, size_t len, json_t *ev)
{
    const struct lc_listener *l = j->l;
    int no_eku = 0, bits = 0, i;
    const char *ktype;

    switch (j->kind) {
    case LC_J_NAME: {
        char matched[256];
        if (lc_cert_covers(x, j->name, j->wildcard_ok, matched, sizeof(matched))) {
            json_object_set_new(ev, "matched", json_string(matched));
            snprintf(msg, len, "the certificate covers %s (as %s)", j->name, matched);
            return LC_PASS;
        }
        snprintf(msg, len, "the certificate presented for %s does not cover it%s", j->name,
                 j->wildcard_ok ? "" : " (no wildcard allowed for this name)");
        return LC_FAIL;
    }
    case LC_J_SAN: {
        json_t *missing = json_array(), *required = json_array();
        char list[600] = "";
        size_t used = 0, k, n_missing = 0;
        size_t n_required = 0;
        for (k = 0; k < l->names.n; k++) {
            const struct lc_cert_name *cn = &l->names.v[k];
            if (!cn->required)
                continue;
            n_required++;
            json_array_append_new(required, json_string(cn->name));
            if (lc_cert_covers(x, cn->name, cn->wildcard_ok, NULL, 0))
                continue;
            n_missing++;
            json_array_append_new(missing, json_string(cn->name));
            if (used < sizeof(list)) {
                int w =
                    snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "", cn->name);
                if (w > 0 && (size_t)w < sizeof(list) - used)
                    used += (size_t)w;
            }
        }
        json_object_set_new(ev, "required", required);
        json_object_set_new(ev, "missing", missing);
        if (n_missing > 0) {
            snprintf(msg, len, "%s certificate lacks %zu required name%s: %s", lc_listener_label(l),
                     n_missing, n_missing == 1 ? "" : "s", list);
            return LC_FAIL;
        }
        snprintf(msg, len, "covers all %zu required names", n_required);
        return LC_PASS;
    }
    case LC_J_CHAIN: {
        X509_STORE *store = SSL_CTX_get_cert_store(l->ctx);
        enum lc_chain_kind k = lc_cert_verify_chain(store, chain, msg, len);
        json_object_set_new(ev, "chain_sent", lc_chain_json(chain));
        return k == LC_CHAIN_OK ? LC_PASS : LC_FAIL;
    }
    case LC_J_VALIDITY:
        return lc_judge_dates(x, "the certificate", lc_check_config(check)->cert_warn_days, msg,
                              len);
    case LC_J_INTERMEDIATES: {
        enum lc_status worst = LC_PASS;
        char one[400];
        int n = chain != NULL ? sk_X509_num(chain) : 0;
        if (n <= 1) {
            snprintf(msg, len, "no intermediate sent (see tls.chain)");
            return LC_PASS;
        }
        snprintf(msg, len, "%d intermediate%s valid", n - 1, n == 2 ? "" : "s");
        for (i = 1; i < n; i++) {
            enum lc_status st =
                lc_judge_dates(sk_X509_value(chain, i), "intermediate",
                               lc_check_config(check)->cert_warn_days, one, sizeof(one));
            if (lc_status_rank(st) > lc_status_rank(worst)) {
                worst = st;
                snprintf(msg, len, "%s", one);
            }
        }
        return worst;
    }
    case LC_J_KEY:
        lc_cert_key(x, &ktype, &bits);
        if ((strcmp(ktype, "RSA") == 0 || strcmp(ktype, "RSA-PSS") == 0 ||
             strcmp(ktype, "DSA") == 0) &&
            bits < 1024) {
            snprintf(msg, len, "%s %d-bit key: far too weak", ktype, bits);
            return LC_FAIL;
        }
        if ((strcmp(ktype, "RSA") == 0 || strcmp(ktype, "RSA-PSS") == 0) && bits < 2048) {
            snprintf(msg, len, "RSA %d-bit key: 2048 bits or more recommended", bits);
            return LC_WARN;
        }
        snprintf(msg, len, "%s %d-bit key", ktype, bits);
        return LC_PASS;
    case LC_J_SIGNATURE:
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
    case LC_J_EKU: {
        int server = lc_cert_has_eku(x, NID_server_auth, &no_eku);
        int client = lc_cert_has_eku(x, NID_client_auth, &no_eku);
        if (no_eku) {
            snprintf(msg, len, "no extended key usage extension: any use allowed");
            return LC_PASS;
        }
        if (!server) {
            snprintf(msg, len, "the certificate has no serverAuth extended key usage");
            return LC_FAIL;
        }
        if (l->names.kind == LC_L_EDGE_FED && !client) {
            /* Public CAs stopped issuing clientAuth in 2025-2026: a warning. */
            snprintf(msg, len,
                     "serverAuth present, clientAuth missing: MTLS federation partners that "
                     "require it will reject this edge");
            return LC_WARN;
        }
        snprintf(msg, len, "serverAuth%s present", client ? " and clientAuth" : "");
        return LC_PASS;
    }
    case LC_J_CRL: {
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
            snprintf(msg, len, "CRL distribution point present%s: %s",
                     ocsp.n > 0 ? ", OCSP too" : "", crl.v[0]);
            st = LC_PASS;
        }
        lc_strv_clear(&crl);
        lc_strv_clear(&ocsp);
        lc_strv_clear(&cai);
        return st;
    }
    case LC_J_SUBJECT: {
        char *cn = lc_cert_subject_cn(x);
        enum lc_status st = LC_PASS;
        json_object_set_new(ev, "cn", cn ? json_string(cn) : json_null());
        if (cn != NULL && strchr(cn, '*') != NULL) {
            snprintf(msg, len, "wildcard subject CN=%s: Lync never supports a wildcard subject",
                     cn);
            st = LC_FAIL;
        } else if (l->names.expect_cn != NULL &&
                   (cn == NULL || strcasecmp(cn, l->names.expect_cn) != 0)) {
            snprintf(msg, len, "subject CN=%s, expected %s", cn ? cn : "(none)",
                     l->names.expect_cn);
            st = LC_WARN;
        } else {
            snprintf(msg, len, "subject CN=%s", cn ? cn : "(none)");
        }
        free(cn);
        return st;
    }
    case LC_J_CONSISTENCY:
    default:
        snprintf(msg, len, "internal: no judge");
        return LC_ERROR;
    }
}

/* tls.consistency: every address presents the same certificate (and, for
 * the access edge's 5061, the same as on 443). */
static void lc_judge_consistency(struct lc_check *check, struct lc_hs_arg *h,
                                 struct lc_hs_arg *other)
{
    char fp0[65] = "", fp[65];
    const char *odd = NULL;
    size_t i, n = 0;

    for (i = 0; i < h->n; i++) {
        X509 *x = lc_hs_leaf(&h->a[i]);
        if (x == NULL)
            continue;
        lc_cert_fingerprint(x, fp);
        n++;
        if (fp0[0] == '\0')
            snprintf(fp0, sizeof(fp0), "%s", fp);
        else if (strcmp(fp, fp0) != 0 && odd == NULL)
            odd = h->a[i].addr;
    }
    if (odd != NULL) {
        lc_check_finish(check, LC_WARN,
                        "%s:%u presents a different certificate from the other addresses of %s: "
                        "every pool member must present the same certificate",
                        odd, h->l->port, h->name);
        return;
    }
    if (other != NULL && fp0[0] != '\0') {
        for (i = 0; i < other->n; i++) {
            X509 *x = lc_hs_leaf(&other->a[i]);
            if (x == NULL)
                continue;
            lc_cert_fingerprint(x, fp);
            if (strcmp(fp, fp0) != 0) {
                lc_check_finish(check, LC_WARN,
                                "%s presents different certificates on ports %u and %u: the edge "
                                "must use the same certificate on both",
                                h->name, h->l->port, other->l->port);
                return;
            }
        }
    }
    if (n == 0) {
        lc_check_finish(check, LC_SKIP, "no certificate was presented (see %s)",
                        lc_check_result(lc_check_dep(check, 0))->id);
        return;
    }
    lc_check_finish(check, LC_PASS, "%zu address%s present the same certificate%s", n,
                    n == 1 ? "" : "es", other != NULL ? " on both ports" : "");
}

static void lc_judge_start(struct lc_check *check, void *arg)
{
    struct lc_judge_arg *j = arg;
    struct lc_check *dep = lc_check_dep(check, 0);
    struct lc_hs_arg *h = lc_check_start_arg(dep);
    const struct lc_result *dr = lc_check_result(dep);
    json_t *certs = json_object();
    enum lc_status worst = LC_PASS;
    char worst_msg[600] = "", msg[600], fp[65], seen[16][65];
    const char *worst_addr = NULL;
    size_t i, n_seen = 0, n_distinct = 0;

    if (h == NULL || h->a == NULL || (dr->status != LC_PASS && dr->status != LC_FAIL)) {
        lc_check_finish_no_input(check, dep, "no handshake to judge");
        json_decref(certs);
        return;
    }
    if (j->kind == LC_J_CONSISTENCY) {
        struct lc_check *dep2 = lc_check_dep(check, 1);
        json_decref(certs);
        lc_judge_consistency(check, h, dep2 != NULL ? lc_check_start_arg(dep2) : NULL);
        return;
    }
    json_object_set_new(lc_check_evidence(check), "certificates", certs);
    /* Judge each distinct certificate once, remembering where it was seen:
     * pool members may present different ones. */
    for (i = 0; i < h->n; i++) {
        X509 *x = lc_hs_leaf(&h->a[i]);
        json_t *ev, *where;
        size_t k;
        enum lc_status st;

        if (x == NULL)
            continue;
        lc_cert_fingerprint(x, fp);
        where = json_object_get(certs, fp);
        if (where != NULL) {
            json_array_append_new(json_object_get(where, "addresses"), json_string(h->a[i].addr));
            continue;
        }
        for (k = 0; k < n_seen && strcmp(seen[k], fp) != 0; k++)
            ;
        if (n_seen < 16)
            snprintf(seen[n_seen++], 65, "%s", fp);
        ev = json_object();
        json_object_set_new(ev, "addresses", json_pack("[s]", h->a[i].addr));
        json_object_set_new(ev, "certificate", lc_cert_to_json(x));
        json_object_set_new(certs, fp, ev);
        n_distinct++;
        st = lc_judge_one(check, j, x, h->a[i].chain, msg, sizeof(msg), ev);
        json_object_set_new(ev, "status", json_string(lc_status_name(st)));
        json_object_set_new(ev, "message", json_string(msg));
        if (worst_msg[0] == '\0' || lc_status_rank(st) > lc_status_rank(worst)) {
            worst = st;
            snprintf(worst_msg, sizeof(worst_msg), "%s", msg);
            worst_addr = h->a[i].addr;
        }
    }
    if (n_distinct == 0) {
        lc_check_finish_no_input(check, dep, "no certificate was presented");
        return;
    }
    if (n_distinct > 1 && worst != LC_PASS)
        lc_check_finish(check, worst, "on %s:%u: %s", worst_addr, h->l->port, worst_msg);
    else
        lc_check_finish(check, worst, "%s", worst_msg);
}

/* ---- planning ---- */

static const char *const lc_listener_words[] = {"reverse-proxy", "access-edge",
                                                "access-edge-federation", "webconf-edge", NULL};

static const struct lc_option_decl lc_tls_options[] = {
    {"listeners", LC_OPT_LIST, "reverse-proxy, access-edge, access-edge-federation, webconf-edge",
     "external TLS listeners to check", lc_listener_words, 0, 0, NULL},
    {"no-sni", LC_OPT_BOOL, "yes", "also handshake without SNI on each listener's primary name",
     NULL, 0, 0, NULL},
    {NULL, LC_OPT_BOOL, NULL, NULL, NULL, 0, 0, NULL},
};

struct lc_tls_plan {
    struct lc_run *run;
    const struct lc_site *site;
    const struct lc_opts *opts;
    SSL_CTX *ctx;
};

static struct lc_listener *lc_listener_new(struct lc_tls_plan *p, enum lc_listener_kind kind,
                                           unsigned port)
{
    struct lc_listener *l = calloc(1, sizeof(*l));

    if (l == NULL)
        return NULL;
    l->refs = 1;
    l->port = port;
    if (lc_listener_names_build(p->site, kind, &l->names) < 0 || SSL_CTX_up_ref(p->ctx) != 1) {
        lc_listener_names_clear(&l->names);
        free(l);
        return NULL;
    }
    l->ctx = p->ctx;
    return l;
}

static char *lc_fmt_target(const char *name, unsigned port)
{
    size_t n = strlen(name) + 8;
    char *s = malloc(n);

    if (s != NULL)
        snprintf(s, n, "%s:%u", name, port);
    return s;
}

static struct lc_check *lc_plan_handshake(struct lc_tls_plan *p, struct lc_listener *l,
                                          const char *name, int wildcard_ok, int no_sni,
                                          const char *role, const char *ref)
{
    struct lc_check *dns = lc_dns_plan_name(p->run, name, role, l->names.kind != LC_L_RP);
    struct lc_hs_arg *h;
    struct lc_check *c;
    char *target = lc_fmt_target(name, l->port);

    if (dns == NULL || target == NULL) {
        free(target);
        return NULL;
    }
    h = calloc(1, sizeof(*h));
    if (h == NULL || (h->name = strdup(name)) == NULL) {
        free(h);
        free(target);
        return NULL;
    }
    h->l = l;
    l->refs++;
    h->wildcard_ok = wildcard_ok;
    h->no_sni = no_sni;
    c = lc_run_add(p->run, "tls", no_sni ? "no-sni" : "handshake", target, ref, lc_hs_start, h,
                   lc_hs_arg_free);
    free(target);
    if (c == NULL) {
        lc_hs_arg_free(h);
        return NULL;
    }
    lc_check_set_cancel(c, lc_hs_cancel);
    if (lc_check_depend(c, dns) < 0 || lc_check_add_role(c, role) < 0)
        return NULL;
    return c;
}

static struct lc_check *lc_plan_judge(struct lc_tls_plan *p, struct lc_listener *l,
                                      enum lc_judge_kind kind, const char *what, const char *name,
                                      int wildcard_ok, struct lc_check *hs, const char *ref,
                                      const char *role)
{
    struct lc_judge_arg *j = calloc(1, sizeof(*j));
    struct lc_check *c;
    char *target = lc_fmt_target(name, l->port);

    if (j == NULL || target == NULL || (j->name = strdup(name)) == NULL) {
        free(j);
        free(target);
        return NULL;
    }
    j->kind = kind;
    j->l = l;
    l->refs++;
    j->wildcard_ok = wildcard_ok;
    c = lc_run_add(p->run, "tls", what, target, ref, lc_judge_start, j, lc_judge_arg_free);
    free(target);
    if (c == NULL) {
        lc_judge_arg_free(j);
        return NULL;
    }
    if (lc_check_depend(c, hs) < 0 || lc_check_add_role(c, role) < 0)
        return NULL;
    return c;
}

/* Plan every check of one listener: per name clients connect to, the
 * handshake, name and consistency checks; on the primary name, the rest. */
static int lc_plan_listener(struct lc_tls_plan *p, struct lc_listener *l, const char *role,
                            struct lc_check *pair_hs, struct lc_check **primary_hs)
{
    static const struct {
        enum lc_judge_kind kind;
        const char *what;
    } judges[] = {
        {LC_J_SAN, "san"},           {LC_J_CHAIN, "chain"},
        {LC_J_VALIDITY, "validity"}, {LC_J_INTERMEDIATES, "intermediates"},
        {LC_J_KEY, "key"},           {LC_J_SIGNATURE, "signature"},
        {LC_J_EKU, "eku"},           {LC_J_CRL, "crl"},
        {LC_J_SUBJECT, "subject"},
    };
    const char *ref = l->names.kind == LC_L_RP ? REF_RP_CERT : REF_EDGE_CERT;
    const struct lc_cert_name *served;
    size_t i;

    for (i = 0; i < l->names.n; i++) {
        struct lc_check *hs, *cons;
        served = &l->names.v[i];
        if (!served->served)
            continue;
        hs = lc_plan_handshake(p, l, served->name, served->wildcard_ok, 0, role, ref);
        if (hs == NULL)
            return -1;
        if (lc_plan_judge(p, l, LC_J_NAME, "name", served->name, served->wildcard_ok, hs, ref,
                          role) == NULL)
            return -1;
        cons = lc_plan_judge(p, l, LC_J_CONSISTENCY, "consistency", served->name, 0, hs, ref, role);
        if (cons == NULL)
            return -1;
        if (strcasecmp(served->name, l->names.primary) != 0)
            continue;
        if (primary_hs != NULL)
            *primary_hs = hs;
        /* The same edge certificate on 443 and 5061 (plan-for-edge-server-certificates.md). */
        if (pair_hs != NULL && lc_check_depend(cons, pair_hs) < 0)
            return -1;
        for (size_t k = 0; k < sizeof(judges) / sizeof(judges[0]); k++) {
            const char *r = (judges[k].kind == LC_J_SAN || judges[k].kind == LC_J_SUBJECT ||
                             judges[k].kind == LC_J_EKU)
                                ? ref
                                : REF_GENERAL;
            if (lc_plan_judge(p, l, judges[k].kind, judges[k].what, l->names.primary, 0, hs, r,
                              role) == NULL)
                return -1;
        }
        if (lc_opts_bool(p->opts, "no-sni")) {
            struct lc_check *ns =
                lc_plan_handshake(p, l, l->names.primary, served->wildcard_ok, 1, role, ref);
            /* Only meaningful where the listener answers at all. */
            if (ns == NULL || lc_check_depend(ns, hs) < 0)
                return -1;
        }
    }
    return 0;
}

/* Plan one listener kind; nothing when the site names nothing it serves. */
static int lc_plan_kind(struct lc_tls_plan *p, enum lc_listener_kind kind, unsigned port,
                        const char *role, struct lc_check *pair, struct lc_check **primary_hs)
{
    struct lc_listener *l = lc_listener_new(p, kind, port);
    int rc;

    if (l == NULL)
        return -1;
    rc = l->names.n == 0 ? 0 : lc_plan_listener(p, l, role, pair, primary_hs);
    lc_listener_unref(l);
    return rc;
}

static int lc_plan_skip(struct lc_tls_plan *p, const char *what, const char *target,
                        const char *why)
{
    struct lc_check *c = lc_run_add(p->run, "tls", what, target, REF_EDGE_CERT, NULL, NULL, NULL);

    if (c == NULL)
        return -1;
    lc_check_skip(c, "%s", why);
    return 0;
}

static int lc_tls_plan(struct lc_run *run, const struct lc_site *site, const struct lc_opts *opts)
{
    struct lc_tls_plan p = {run, site, opts, NULL};
    struct lc_check *edge443 = NULL;
    char err[256];
    int rc = -1;

    p.ctx = lc_tls_ctx_new(lc_run_get_config(run)->ca_file, err, sizeof(err));
    if (p.ctx == NULL)
        return -1;
    if (lc_opts_list_has(opts, "listeners", "reverse-proxy") &&
        lc_plan_kind(&p, LC_L_RP, 443, "reverse-proxy", NULL, NULL) < 0)
        goto done;
    if (lc_opts_list_has(opts, "listeners", "access-edge") &&
        lc_plan_kind(&p, LC_L_EDGE, 443, "access-edge", NULL, &edge443) < 0)
        goto done;
    if (lc_opts_list_has(opts, "listeners", "access-edge-federation") &&
        lc_plan_kind(&p, LC_L_EDGE_FED, 5061, "access-edge", edge443, NULL) < 0)
        goto done;
    if (lc_opts_list_has(opts, "listeners", "webconf-edge")) {
        if (site->webconf_edge == NULL) {
            if (lc_plan_skip(&p, "handshake", "webconf-edge:443",
                             "no webconf-edge name known: give --webconf-edge") < 0)
                goto done;
        } else if (lc_plan_kind(&p, LC_L_WEBCONF, 443, "webconf-edge", NULL, NULL) < 0) {
            goto done;
        }
    }
    rc = 0;
done:
    SSL_CTX_free(p.ctx);
    return rc;
}

const struct lc_probe lc_probe_tls = {
    "tls",
    "certificates on every external TLS listener and address: SAN coverage, chain, expiry, key, "
    "EKU, wildcard rules",
    lc_tls_options,
    lc_tls_plan,
};
