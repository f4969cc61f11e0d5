/* SPDX-License-Identifier: MIT */
/* lynccheck - the TLS probe: every certificate each external listener
 * presents, per name (SNI) and per address, judged against the names that
 * listener must serve.
 *
 * Listeners (Lync Server 2013 on Microsoft Learn: "Certificate requirements
 * for external user access", "Request and configure a certificate for your
 * reverse HTTP proxy", "Wildcard certificate support"; addresses in
 * probes/refs.h):
 *   reverse proxy 443: FE and Director external web FQDNs, meet, dialin,
 *     Office Web Apps, lyncdiscover.<d>; a wildcard may cover meet, dialin and
 *     lyncdiscover only;
 *   access edge 443 and 5061: the access edge FQDN, the webconf FQDN,
 *     sip.<d> (and xmpp.<d> with XMPP); never a wildcard;
 *   webconf edge 443: the webconf FQDN.
 * Network checks (tls.handshake, tls.no-sni) record what each address
 * presented for each name; tls.name and tls.consistency judge one name; the
 * certificate checks of a listener (tls.san, tls.chain, tls.validity ...,
 * named after its primary name) depend on every handshake of the listener
 * and judge each distinct certificate once, by fingerprint: an Office Web
 * Apps server's own certificate, or another one a proxy picks by SNI, is
 * judged like the main one. The verdicts are certjudge.c's. */
#include "probe.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cert.h"
#include "certjudge.h"
#include "dns.h"
#include "fanout.h"
#include "loop.h"
#include "names.h"
#include "probes.h"
#include "refs.h"
#include "run.h"
#include "site.h"
#include "tls.h"

#define REF_EDGE_CERT                                                                              \
    "Edge external certificate: public CA, subject = access edge FQDN (no wildcard), SAN = "       \
    "access edge, webconf and sip.<domain> for every SIP domain (+ xmpp.<domain>), same "          \
    "certificate on 443 and 5061. Sources: " LC_DOC_EDGE_CERT "; " LC_DOC_EDGE_CERT_PLAN
#define REF_RP_CERT                                                                                \
    "Reverse proxy certificate: public CA, subject = Front End external web FQDN, SAN = "          \
    "Director external web, meet, dialin, Office Web Apps, lyncdiscover.<domain>; *.<domain> may " \
    "cover simple URLs and lyncdiscover only. Sources: " LC_DOC_RP_CERT "; " LC_DOC_WILDCARD
#define REF_GENERAL                                                                                \
    "Certificate infrastructure: CRL distribution point, SHA-1 or SHA-2 (RSASSA-PSS "              \
    "unsupported), RSA 2048+, serverAuth EKU, expiry warned ahead. Source: " LC_DOC_CERT_INFRA

struct lc_hs_addr;

/* "TLS 1.2 must be offered" is a property of a listener's address and port,
 * not of a name: one TLS 1.2-only handshake per address:port answers every
 * name served there (with 1,000 SIP domains, thousands of names share a
 * handful of addresses). The first name to get there sends its SNI. */
struct lc_t12 {
    struct lc_t12 *next;
    struct lc_t12_set *set;
    char addr[46];
    unsigned port;
    char *sni; /* as sent; NULL for none */
    struct lc_tls_hs *hs;
    int done, ok;
    int connected; /* the TCP connection was made */
    char error[256];
    struct lc_hs_addr **waiters;
    size_t n_waiters, cap_waiters;
};

/* One certificate as presented, whichever handshakes presented it: the
 * same server certificate comes back for every name a listener serves (a
 * thousand SIP domains on one edge), so each handshake's copy is swapped for
 * the first one and its JSON is made once and shared by reference (the
 * evidence trees only read it). */
struct lc_cert_seen {
    struct lc_cert_seen *next;
    unsigned char sha1[EVP_MAX_MD_SIZE];
    X509 *x;
    json_t *json;       /* lc_cert_to_json(x), made on first use */
    json_t *chain_json; /* lc_cert_chain_to_json() of the chain below */
    X509 **chain;       /* the chain x headed when chain_json was made */
    int n_chain;
};

#define LC_CERT_BUCKETS 256

/* What the plan's listeners share: every address:port's TLS 1.2 probe and
 * every certificate seen. */
struct lc_t12_set {
    int refs;
    struct lc_t12 *head;
    struct lc_cert_seen *certs[LC_CERT_BUCKETS];
};

static void lc_t12_set_unref(struct lc_t12_set *set)
{
    struct lc_t12 *t, *next;
    struct lc_cert_seen *c, *cn;
    size_t b;

    if (set == NULL || --set->refs > 0)
        return;
    for (t = set->head; t != NULL; t = next) {
        next = t->next;
        lc_tls_handshake_cancel(t->hs);
        free(t->sni);
        free(t->waiters);
        free(t);
    }
    for (b = 0; b < LC_CERT_BUCKETS; b++) {
        for (c = set->certs[b]; c != NULL; c = cn) {
            cn = c->next;
            X509_free(c->x);
            json_decref(c->json);
            json_decref(c->chain_json);
            free(c->chain);
            free(c);
        }
    }
    free(set);
}

/* The set's copy of x (a new reference), x itself the first time; NULL out
 * of memory. Identical means the same DER (X509_cmp), not only the same
 * SHA-1, which merely picks the bucket. */
static struct lc_cert_seen *lc_cert_seen_get(struct lc_t12_set *set, X509 *x)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    struct lc_cert_seen *c;
    size_t b;

    /* OpenSSL keeps the SHA-1 of a decoded certificate: no hashing here. */
    if (X509_digest(x, EVP_sha1(), md, &len) != 1 || len < 2)
        return NULL;
    b = ((size_t)md[0] << 8 | md[1]) % LC_CERT_BUCKETS;
    for (c = set->certs[b]; c != NULL; c = c->next)
        if (memcmp(c->sha1, md, len) == 0 && X509_cmp(c->x, x) == 0)
            return c;
    c = calloc(1, sizeof(*c));
    if (c == NULL || X509_up_ref(x) != 1) {
        free(c);
        return NULL;
    }
    memcpy(c->sha1, md, len);
    c->x = x;
    c->next = set->certs[b];
    set->certs[b] = c;
    return c;
}

/* Swap each certificate of chain for the set's copy (the handshake's own
 * copies are freed): one decoded certificate per distinct one in the run. */
static void lc_cert_seen_chain(struct lc_t12_set *set, STACK_OF(X509) * chain)
{
    int i;

    for (i = 0; chain != NULL && i < sk_X509_num(chain); i++) {
        X509 *x = sk_X509_value(chain, i);
        struct lc_cert_seen *c = lc_cert_seen_get(set, x);
        if (c == NULL || c->x == x || X509_up_ref(c->x) != 1)
            continue;
        (void)sk_X509_set(chain, i, c->x);
        X509_free(x);
    }
}

/* The evidence's "certificate" and "chain_sent" for a chain (leaf first)
 * whose certificates are the set's: made once, shared. */
static json_t *lc_cert_seen_json(struct lc_t12_set *set, X509 *leaf)
{
    struct lc_cert_seen *c = lc_cert_seen_get(set, leaf);

    if (c == NULL)
        return lc_cert_to_json(leaf);
    if (c->json == NULL)
        c->json = lc_cert_to_json(leaf);
    return c->json != NULL ? json_incref(c->json) : NULL;
}

static json_t *lc_cert_seen_chain_json(struct lc_t12_set *set, STACK_OF(X509) * chain)
{
    X509 *leaf = chain != NULL && sk_X509_num(chain) > 0 ? sk_X509_value(chain, 0) : NULL;
    struct lc_cert_seen *c = leaf != NULL ? lc_cert_seen_get(set, leaf) : NULL;
    int i, n = chain != NULL ? sk_X509_num(chain) : 0, same;

    if (c == NULL)
        return lc_cert_chain_to_json(chain);
    same = c->chain_json != NULL && c->n_chain == n;
    for (i = 0; same && i < n; i++)
        same = c->chain[i] == sk_X509_value(chain, i);
    if (same)
        return json_incref(c->chain_json);
    /* Another chain under the same leaf: made for this one only. */
    if (c->chain_json != NULL)
        return lc_cert_chain_to_json(chain);
    c->chain = calloc((size_t)n, sizeof(*c->chain));
    if (c->chain == NULL)
        return lc_cert_chain_to_json(chain);
    for (i = 0; i < n; i++)
        c->chain[i] = sk_X509_value(chain, i); /* held by the set's entries */
    c->n_chain = n;
    c->chain_json = lc_cert_chain_to_json(chain);
    return c->chain_json != NULL ? json_incref(c->chain_json) : NULL;
}

/* One listener: shared by the checks planned for it (reference counted). */
struct lc_listener {
    int refs;
    unsigned port;
    struct lc_listener_names names;
    SSL_CTX *ctx;
    struct lc_t12_set *t12;
};

static void lc_listener_unref(struct lc_listener *l)
{
    if (l == NULL || --l->refs > 0)
        return;
    lc_listener_names_clear(&l->names);
    SSL_CTX_free(l->ctx);
    lc_t12_set_unref(l->t12);
    free(l);
}

/* ---- tls.handshake:<name>:<port> ---- */

struct lc_hs_arg;

/* One address of a handshake check (src/fanout.c's slot first): its
 * handshake and its TLS 1.2 answer, each outstanding one counted in
 * `waiting`; the slot is over when both are in. */
struct lc_hs_addr {
    struct lc_fanout_slot slot;
    struct lc_hs_arg *owner;
    struct lc_tls_hs *main_hs;
    struct lc_t12 *t12;       /* the shared TLS 1.2 probe, while waiting for it */
    struct lc_tls_hs *t12_hs; /* this name's own, when the shared one failed */
    int waiting;
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
    struct lc_fanout fan; /* one struct lc_hs_addr per address */
    uint64_t t0_us;       /* when the check started: a name's own TLS 1.2 ask fits its time */
};

static struct lc_hs_addr *lc_hs_at(const struct lc_hs_arg *h, size_t i)
{
    return (struct lc_hs_addr *)(void *)lc_fanout_at(&h->fan, i);
}

/* Stop waiting for the shared TLS 1.2 probe; the probe itself goes on for
 * the other names on that address. */
static void lc_t12_leave(struct lc_hs_addr *a)
{
    struct lc_t12 *t = a->t12;
    size_t i;

    a->t12 = NULL;
    for (i = 0; t != NULL && i < t->n_waiters; i++) {
        if (t->waiters[i] == a) {
            t->waiters[i] = t->waiters[--t->n_waiters];
            break;
        }
    }
}

/* The fan-out's release: what the address still waits for is dropped
 * (its chain stays: the certificate checks read it later). */
static void lc_hs_release(struct lc_fanout_slot *s)
{
    struct lc_hs_addr *a = (struct lc_hs_addr *)(void *)s;

    lc_tls_handshake_cancel(a->main_hs);
    lc_tls_handshake_cancel(a->t12_hs);
    a->main_hs = a->t12_hs = NULL;
    lc_t12_leave(a);
}

static void lc_hs_cancel(struct lc_check *check, void *arg)
{
    struct lc_hs_arg *h = arg;

    (void)check;
    lc_fanout_release(&h->fan);
}

static void lc_hs_arg_free(void *p)
{
    struct lc_hs_arg *h = p;
    size_t i;

    for (i = 0; h->fan.slots != NULL && i < h->fan.n; i++)
        if (lc_hs_at(h, i)->chain != NULL)
            sk_X509_pop_free(lc_hs_at(h, i)->chain, X509_free);
    lc_fanout_clear(&h->fan); /* releases what is still waiting, then the slots */
    free(h->name);
    lc_listener_unref(h->l);
    free(h);
}

static X509 *lc_hs_leaf(const struct lc_hs_addr *a)
{
    return a->chain != NULL && sk_X509_num(a->chain) > 0 ? sk_X509_value(a->chain, 0) : NULL;
}

static void lc_hs_evaluate(struct lc_hs_arg *h)
{
    struct lc_cj_hs *v = calloc(h->fan.n > 0 ? h->fan.n : 1, sizeof(*v));
    char msg[700];
    enum lc_status st;
    size_t i;

    if (v == NULL) {
        lc_check_finish(h->check, LC_ERROR, "out of memory");
        return;
    }
    for (i = 0; i < h->fan.n; i++) {
        const struct lc_hs_addr *a = lc_hs_at(h, i);
        v[i].addr = a->slot.addr;
        v[i].ok = a->ok;
        v[i].tls12_ok = a->tls12_ok;
        v[i].error = a->error;
        v[i].tls12_error = a->tls12_error;
        v[i].version = a->version;
        v[i].leaf = lc_hs_leaf(a);
    }
    st = lc_cj_handshake(h->name, h->l->port, h->no_sni, h->wildcard_ok, v, h->fan.n, msg,
                         sizeof(msg));
    free(v);
    lc_check_finish(h->check, st, "%s", msg);
}

/* Every address has its handshake and TLS 1.2 answers: one verdict over
 * them all (lc_cj_handshake). */
static void lc_hs_all_done(struct lc_fanout *f)
{
    /* Called with every slot over, so there is a first one. */
    lc_hs_evaluate(((struct lc_hs_addr *)(void *)lc_fanout_at(f, 0))->owner);
}

/* One of a's outstanding answers is in. */
static void lc_hs_one_done(struct lc_hs_addr *a)
{
    if (--a->waiting == 0)
        lc_fanout_done(&a->slot);
}

static void lc_hs_on_main(struct lc_tls_result *res, void *arg)
{
    struct lc_hs_addr *a = arg;
    struct lc_hs_arg *h = a->owner;
    json_t *ev;
    X509 *leaf;

    a->main_hs = NULL;
    if (lc_check_is_done(h->check))
        return;
    ev = lc_fanout_ev(&a->slot);
    a->ok = res->handshake_ok;
    a->client_cert_requested = res->client_cert_requested;
    snprintf(a->error, sizeof(a->error), "%s", res->error);
    snprintf(a->version, sizeof(a->version), "%s", res->version);
    snprintf(a->cipher, sizeof(a->cipher), "%s", res->cipher);
    a->chain = res->chain;
    res->chain = NULL; /* ours now */
    lc_cert_seen_chain(h->l->t12, a->chain);
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
            json_object_set_new(ev, "certificate", lc_cert_seen_json(h->l->t12, leaf));
        json_object_set_new(ev, "chain_sent", lc_cert_seen_chain_json(h->l->t12, a->chain));
    }
    lc_hs_one_done(a);
}

/* The shared probe's answer, for one address of one handshake check. The
 * evidence names the SNI it was asked with when that was another name's. */
static void lc_hs_t12_apply(struct lc_hs_addr *a, const struct lc_t12 *t)
{
    struct lc_hs_arg *h = a->owner;
    json_t *ev = lc_fanout_ev(&a->slot);
    const char *own = lc_is_ip_literal(h->name) ? NULL : h->name;

    a->tls12_ok = t->ok;
    snprintf(a->tls12_error, sizeof(a->tls12_error), "%s", t->error);
    json_object_set_new(ev, "tls12_offered", json_boolean(a->tls12_ok));
    if ((t->sni == NULL) != (own == NULL) || (own != NULL && strcasecmp(t->sni, own) != 0))
        json_object_set_new(ev, "tls12_sni", t->sni != NULL ? json_string(t->sni) : json_null());
}

static void lc_hs_on_t12(struct lc_tls_result *res, void *arg)
{
    struct lc_hs_addr *a = arg;
    struct lc_hs_arg *h = a->owner;

    a->t12_hs = NULL;
    if (lc_check_is_done(h->check))
        return;
    a->tls12_ok = res->handshake_ok;
    snprintf(a->tls12_error, sizeof(a->tls12_error), "%s", res->error);
    json_object_set_new(lc_fanout_ev(&a->slot), "tls12_offered", json_boolean(a->tls12_ok));
    lc_hs_one_done(a);
}

/* Whether a's name must ask again: the shared probe connected but its
 * handshake failed, and with another name's SNI. A slow handshake, or a
 * proxy that routes that name to a backend of its own, then fails no other
 * name: each failing name is judged on its own handshake, as if nothing
 * were shared. No TCP connection at all (a filtered or closed port) is the
 * address's answer whatever the SNI: asking again would only spend the
 * check's time (and end it with no verdict). */
static int lc_t12_ask_again(const struct lc_hs_addr *a, const struct lc_t12 *t)
{
    const char *own = lc_is_ip_literal(a->owner->name) ? NULL : a->owner->name;

    if (t->ok || !t->connected)
        return 0;
    return (t->sni == NULL) != (own == NULL) || (own != NULL && strcasecmp(t->sni, own) != 0);
}

/* This name's own TLS 1.2-only handshake: 1 when started, 0 when it
 * could not start (said in tls12_error). It gets 4/5 of what is left of
 * the check's time, so the check still ends with a verdict; with less than
 * a fifth of it left the shared answer stands. */
static int lc_hs_t12_own(struct lc_hs_addr *a, const struct lc_t12 *t)
{
    struct lc_hs_arg *h = a->owner;
    struct lc_tls_opts opts;
    uint64_t limit = lc_check_config(h->check)->timeout_us, used = lc_now_us() - h->t0_us;

    if (used + limit / 5 >= limit) {
        lc_hs_t12_apply(a, t);
        return 0;
    }
    memset(&opts, 0, sizeof(opts));
    opts.sni = lc_is_ip_literal(h->name) ? NULL : h->name;
    opts.min_version = opts.max_version = TLS1_2_VERSION;
    opts.timeout_us = (limit - used) * 4 / 5;
    if (lc_tls_handshake(lc_check_loop(h->check), h->l->ctx, a->slot.addr, h->l->port, &opts,
                         lc_hs_on_t12, a, &a->t12_hs) == 0)
        return 1;
    snprintf(a->tls12_error, sizeof(a->tls12_error), "cannot start a connection");
    return 0;
}

/* a's TLS 1.2 answer from the shared probe t, which is done: 1 when a
 * asks again with its own SNI (lc_t12_ask_again; its answer comes later),
 * 0 when it has its answer now. */
static int lc_hs_t12_answer(struct lc_hs_addr *a, const struct lc_t12 *t)
{
    if (lc_t12_ask_again(a, t))
        return lc_hs_t12_own(a, t);
    lc_hs_t12_apply(a, t);
    return 0;
}

static void lc_t12_on_done(struct lc_tls_result *res, void *arg)
{
    struct lc_t12 *t = arg;

    t->hs = NULL;
    t->done = 1;
    t->ok = res->handshake_ok;
    t->connected = res->connected;
    snprintf(t->error, sizeof(t->error), "%s", res->error);
    /* A waiter's check may finish (and leave) from lc_hs_one_done: take
     * them from the end, one at a time. */
    while (t->n_waiters > 0) {
        struct lc_hs_addr *a = t->waiters[--t->n_waiters];
        a->t12 = NULL;
        if (lc_check_is_done(a->owner->check))
            continue;
        if (lc_hs_t12_answer(a, t))
            continue; /* still pending: its own answer will come */
        lc_hs_one_done(a);
    }
}

/* Join (or start) the TLS 1.2 probe of a's address on the listener's port:
 * 1 when a waits for it (or for its own, lc_t12_ask_again), 0 when the
 * answer is known already (applied), -1 when it cannot start. */
static int lc_t12_join(struct lc_hs_addr *a, const char *sni, struct lc_tls_opts opts)
{
    struct lc_hs_arg *h = a->owner;
    struct lc_t12_set *set = h->l->t12;
    struct lc_t12 *t;

    for (t = set->head; t != NULL; t = t->next)
        if (t->port == h->l->port && strcmp(t->addr, a->slot.addr) == 0)
            break;
    if (t == NULL) {
        t = calloc(1, sizeof(*t));
        if (t == NULL || (sni != NULL && (t->sni = strdup(sni)) == NULL)) {
            free(t);
            return -1;
        }
        snprintf(t->addr, sizeof(t->addr), "%s", a->slot.addr);
        t->port = h->l->port;
        t->set = set;
        opts.sni = sni;
        opts.min_version = opts.max_version = TLS1_2_VERSION;
        opts.keep = 0;
        if (lc_tls_handshake(lc_check_loop(h->check), h->l->ctx, a->slot.addr, h->l->port, &opts,
                             lc_t12_on_done, t, &t->hs) < 0) {
            free(t->sni);
            free(t);
            return -1;
        }
        t->next = set->head;
        set->head = t;
    }
    if (t->done)
        return lc_hs_t12_answer(a, t);
    if (t->n_waiters == t->cap_waiters) {
        size_t cap = t->cap_waiters ? t->cap_waiters * 2 : 8;
        struct lc_hs_addr **v = realloc(t->waiters, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        t->waiters = v;
        t->cap_waiters = cap;
    }
    t->waiters[t->n_waiters++] = a;
    a->t12 = t;
    return 1;
}

static const struct lc_fanout_ops lc_hs_fan_ops = {lc_hs_release, NULL, NULL, lc_hs_all_done};

static void lc_hs_start(struct lc_check *check, void *arg)
{
    struct lc_hs_arg *h = arg;
    const struct lc_dns_name *d;
    const struct lc_run_config *cfg = lc_check_config(check);
    struct lc_tls_opts opts;
    const char *sni;
    size_t i;

    h->check = check;
    h->t0_us = lc_now_us();
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
    /* A role given as an address is reached as a client connecting by
     * address would: without SNI (RFC 6066 section 3: no literal addresses). */
    sni = h->no_sni || lc_is_ip_literal(h->name) ? NULL : h->name;
    json_object_set_new(lc_check_evidence(check), "sni",
                        sni == NULL ? json_null() : json_string(sni));
    json_object_set_new(lc_check_evidence(check), "port", json_integer(h->l->port));
    if (lc_fanout_init_name(&h->fan, check, &lc_hs_fan_ops, d, sizeof(struct lc_hs_addr)) < 0)
        return;
    memset(&opts, 0, sizeof(opts));
    /* Leave a little of the check's time to report which address hung. */
    opts.timeout_us = cfg->timeout_us * 4 / 5;
    for (i = 0; i < h->fan.n; i++) {
        struct lc_hs_addr *a = lc_hs_at(h, i);
        a->owner = h;
        opts.sni = sni;
        opts.min_version = opts.max_version = 0;
        a->waiting++;
        if (lc_tls_handshake(lc_check_loop(check), h->l->ctx, a->slot.addr, h->l->port, &opts,
                             lc_hs_on_main, a, &a->main_hs) < 0) {
            a->waiting--;
            snprintf(a->error, sizeof(a->error), "cannot start a connection to %s", a->slot.addr);
        }
        if (h->no_sni)
            continue;
        /* "TLS 1.2 must be offered": a handshake that allows only it, one
         * per address and port for every name served there. */
        switch (lc_t12_join(a, sni, opts)) {
        case 1:
            a->waiting++;
            break;
        case 0:
            break;
        default:
            snprintf(a->tls12_error, sizeof(a->tls12_error), "cannot start a connection");
        }
    }
    /* No answer comes for what could not start: those addresses are over
     * now (the last of them judges the check); no callback has run yet. */
    if (h->fan.n == 0)
        lc_hs_evaluate(h);
    for (i = 0; i < h->fan.n && !lc_check_is_done(check); i++)
        if (lc_hs_at(h, i)->waiting == 0)
            lc_fanout_done(&lc_hs_at(h, i)->slot);
}

/* ---- judging what the handshakes saw ---- */

enum lc_judge_kind {
    LC_J_NAME,        /* tls.name: one name's certificates */
    LC_J_CONSISTENCY, /* tls.consistency: one name's addresses (and the edge's other port) */
    LC_J_CERT         /* a certjudge.h judge over the listener's distinct certificates */
};

struct lc_judge_arg {
    enum lc_judge_kind kind;
    enum lc_cj_kind cj; /* LC_J_CERT */
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

/* One distinct certificate (by SHA-256 fingerprint) and where it was seen;
 * leaf and chain are the handshake checks', which outlive the run. */
struct lc_seen {
    char fp[65];
    X509 *leaf;
    STACK_OF(X509) * chain;
    struct lc_strv names, addrs;
    int for_primary;
};

struct lc_seen_set {
    struct lc_seen *v;
    size_t n;
    struct lc_strv unseen; /* names whose handshakes presented no certificate */
    int primary_unseen;
};

static void lc_seen_clear(struct lc_seen_set *set)
{
    size_t i;

    for (i = 0; i < set->n; i++) {
        lc_strv_clear(&set->v[i].names);
        lc_strv_clear(&set->v[i].addrs);
    }
    free(set->v);
    lc_strv_clear(&set->unseen);
    memset(set, 0, sizeof(*set));
}

static int lc_strv_add_once(struct lc_strv *sv, const char *s)
{
    return lc_strv_contains(sv, s) ? 0 : lc_strv_push(sv, s);
}

/* The handshake's certificates, added to set; 1 when it presented any. */
static int lc_seen_add_hs(struct lc_seen_set *set, const struct lc_hs_arg *h, int primary)
{
    size_t i, k;
    int any = 0;

    for (i = 0; i < h->fan.n; i++) {
        X509 *x = lc_hs_leaf(lc_hs_at(h, i));
        char fp[65];
        struct lc_seen *s = NULL;

        if (x == NULL)
            continue;
        lc_cert_fingerprint(x, fp);
        for (k = 0; k < set->n && s == NULL; k++)
            if (strcmp(set->v[k].fp, fp) == 0)
                s = &set->v[k];
        if (s == NULL) {
            struct lc_seen *v = realloc(set->v, (set->n + 1) * sizeof(*v));
            if (v == NULL)
                return -1;
            set->v = v;
            s = &v[set->n++];
            memset(s, 0, sizeof(*s));
            memcpy(s->fp, fp, sizeof(s->fp));
            s->leaf = x;
            s->chain = lc_hs_at(h, i)->chain;
        }
        any = 1;
        s->for_primary |= primary;
        if (lc_strv_add_once(&s->names, h->name) < 0 ||
            lc_strv_add_once(&s->addrs, lc_hs_at(h, i)->slot.addr) < 0)
            return -1;
    }
    return any;
}

/* Every certificate the check's handshake dependencies saw; dependency 0
 * is the handshake of the judged name (LC_J_NAME) or of the listener's
 * primary name. 0, or -1 out of memory. */
static int lc_seen_collect(struct lc_check *check, const struct lc_judge_arg *j,
                           struct lc_seen_set *set)
{
    size_t d, n = j->kind == LC_J_NAME ? 1 : lc_check_n_deps(check);

    for (d = 0; d < n; d++) {
        struct lc_check *dep = lc_check_dep(check, d);
        const struct lc_hs_arg *h = lc_check_start_arg(dep);
        enum lc_status st = lc_check_result(dep)->status;
        int primary, any = 0;

        if (h == NULL)
            continue;
        primary = j->l->names.primary != NULL && strcasecmp(h->name, j->l->names.primary) == 0;
        if (h->fan.slots != NULL && (st == LC_PASS || st == LC_FAIL)) {
            any = lc_seen_add_hs(set, h, primary);
            if (any < 0)
                return -1;
        }
        if (!any) {
            if (lc_strv_add_once(&set->unseen, h->name) < 0)
                return -1;
            set->primary_unseen |= d == 0;
        }
    }
    return 0;
}

/* "a, b, c and 2 more" from at most `max` entries. */
static void lc_list_text(const struct lc_strv *sv, size_t max, char *buf, size_t len)
{
    size_t i, used = 0;
    int w;

    buf[0] = '\0';
    for (i = 0; i < sv->n && i < max; i++) {
        w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", sv->v[i]);
        if (w < 0 || (size_t)w >= len - used)
            return;
        used += (size_t)w;
    }
    if (sv->n > max)
        snprintf(buf + used, len - used, " and %zu more", sv->n - max);
}

/* tls.consistency: every address presents the same certificate (and, for
 * the access edge's 5061, the same as on 443). */
static void lc_judge_consistency(struct lc_check *check, struct lc_hs_arg *h,
                                 struct lc_hs_arg *other)
{
    struct lc_cj_seen *a = calloc(h->fan.n + 1, sizeof(*a)), *o = NULL;
    char(*fp)[65] = calloc(h->fan.n + (other != NULL ? other->fan.n : 0) + 1, sizeof(*fp));
    char msg[600];
    enum lc_status st;
    size_t i;

    if (other != NULL && other->fan.slots != NULL)
        o = calloc(other->fan.n + 1, sizeof(*o));
    if (a == NULL || fp == NULL || (other != NULL && other->fan.slots != NULL && o == NULL)) {
        lc_check_finish(check, LC_ERROR, "out of memory");
        goto done;
    }
    for (i = 0; i < h->fan.n; i++) {
        X509 *x = lc_hs_leaf(lc_hs_at(h, i));
        if (x != NULL)
            lc_cert_fingerprint(x, fp[i]);
        a[i].addr = lc_hs_at(h, i)->slot.addr;
        a[i].fp = fp[i];
    }
    for (i = 0; o != NULL && i < other->fan.n; i++) {
        X509 *x = lc_hs_leaf(lc_hs_at(other, i));
        if (x != NULL)
            lc_cert_fingerprint(x, fp[h->fan.n + i]);
        o[i].addr = lc_hs_at(other, i)->slot.addr;
        o[i].fp = fp[h->fan.n + i];
    }
    st = lc_cj_consistency(h->name, h->l->port, a, h->fan.n, o, o != NULL ? other->fan.n : 0,
                           other != NULL ? other->l->port : 0, msg, sizeof(msg));
    if (st == LC_SKIP)
        lc_check_finish(check, st, "%s (see %s)", msg, lc_check_result(lc_check_dep(check, 0))->id);
    else
        lc_check_finish(check, st, "%s", msg);
done:
    free(a);
    free(o);
    free(fp);
}

/* Judge each distinct certificate once; the check takes the worst verdict,
 * naming the certificate, the names and the addresses it came from when
 * the listener presented several. */
static void lc_judge_certs(struct lc_check *check, const struct lc_judge_arg *j,
                           struct lc_seen_set *set)
{
    json_t *certs = json_object();
    struct lc_cj_ctx ctx;
    enum lc_status worst = LC_PASS;
    char worst_msg[700] = "", msg[700], names[300], addrs[200], unseen[300], tail[400] = "";
    const struct lc_seen *ws = NULL;
    size_t i;

    ctx.ln = &j->l->names;
    ctx.store = SSL_CTX_get_cert_store(j->l->ctx);
    ctx.warn_days = lc_check_config(check)->cert_warn_days;
    json_object_set_new(lc_check_evidence(check), "certificates", certs);
    for (i = 0; i < set->n; i++) {
        const struct lc_seen *s = &set->v[i];
        const struct lc_cj_cert c = {s->leaf, s->chain, (const char *const *)s->names.v, s->names.n,
                                     s->for_primary};
        json_t *ev = json_object(), *nv = json_array(), *av = json_array();
        enum lc_status st;
        size_t k;

        for (k = 0; k < s->names.n; k++)
            json_array_append_new(nv, json_string(s->names.v[k]));
        for (k = 0; k < s->addrs.n; k++)
            json_array_append_new(av, json_string(s->addrs.v[k]));
        json_object_set_new(ev, "names", nv);
        json_object_set_new(ev, "addresses", av);
        json_object_set_new(ev, "certificate", lc_cert_seen_json(j->l->t12, s->leaf));
        json_object_set_new(certs, s->fp, ev);
        if (j->kind == LC_J_NAME)
            st = lc_cj_name(s->leaf, j->name, j->wildcard_ok, ev, msg, sizeof(msg));
        else
            st = lc_cj_judge(j->cj, &ctx, &c, ev, msg, sizeof(msg));
        json_object_set_new(ev, "status", json_string(lc_status_name(st)));
        json_object_set_new(ev, "message", json_string(msg));
        if (ws == NULL || lc_status_rank(st) > lc_status_rank(worst)) {
            worst = st;
            ws = s;
            snprintf(worst_msg, sizeof(worst_msg), "%s", msg);
        }
    }
    if (set->unseen.n > 0) {
        json_t *u = json_array();
        for (i = 0; i < set->unseen.n; i++)
            json_array_append_new(u, json_string(set->unseen.v[i]));
        json_object_set_new(lc_check_evidence(check), "not_seen", u);
        lc_list_text(&set->unseen, 4, unseen, sizeof(unseen));
        snprintf(tail, sizeof(tail),
                 "; not judged: %s presented no certificate (see their tls.handshake checks)",
                 unseen);
    }
    /* Nothing judged for the name the check is named after: no pass. */
    if (set->primary_unseen && worst == LC_PASS) {
        lc_check_finish_no_input(check, lc_check_dep(check, 0), "no certificate was presented");
        return;
    }
    if (set->n > 1 && worst != LC_PASS) {
        lc_list_text(&ws->names, 4, names, sizeof(names));
        lc_list_text(&ws->addrs, 4, addrs, sizeof(addrs));
        lc_check_finish(check, worst, "%s (%s): %s%s", names, addrs, worst_msg, tail);
    } else if (set->n > 1) {
        lc_check_finish(check, worst, "%s; %zu other certificate%s served pass%s too%s", worst_msg,
                        set->n - 1, set->n == 2 ? "" : "s", set->n == 2 ? "es" : "", tail);
    } else {
        lc_check_finish(check, worst, "%s%s", worst_msg, tail);
    }
}

static void lc_judge_start(struct lc_check *check, void *arg)
{
    struct lc_judge_arg *j = arg;
    struct lc_check *dep = lc_check_dep(check, 0);
    struct lc_hs_arg *h = lc_check_start_arg(dep);
    const struct lc_result *dr = lc_check_result(dep);
    struct lc_seen_set set;
    char msg[300];
    int usable;

    memset(&set, 0, sizeof(set));
    if (j->kind == LC_J_NAME && lc_is_ip_literal(j->name)) {
        lc_check_finish(check, lc_cj_name(NULL, j->name, 0, NULL, msg, sizeof(msg)), "%s", msg);
        return;
    }
    usable = h != NULL && h->fan.slots != NULL && (dr->status == LC_PASS || dr->status == LC_FAIL);
    /* The listener's certificate checks judge what the other names saw
     * even when the primary name's handshake failed. */
    if (!usable && j->kind != LC_J_CERT) {
        lc_check_finish_no_input(check, dep, "no handshake to judge");
        return;
    }
    if (j->kind == LC_J_CONSISTENCY) {
        struct lc_check *dep2 = lc_check_dep(check, 1);
        lc_judge_consistency(check, h, dep2 != NULL ? lc_check_start_arg(dep2) : NULL);
        return;
    }
    if (lc_seen_collect(check, j, &set) < 0) {
        lc_check_finish(check, LC_ERROR, "out of memory");
    } else if (set.n == 0) {
        lc_check_finish_no_input(check, dep,
                                 usable ? "no certificate was presented" : "no handshake to judge");
    } else {
        lc_judge_certs(check, j, &set);
    }
    lc_seen_clear(&set);
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
    struct lc_t12_set *t12;
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
    l->t12 = p->t12;
    p->t12->refs++;
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
                                      enum lc_judge_kind kind, enum lc_cj_kind cj, const char *what,
                                      const char *name, int wildcard_ok, struct lc_check *hs,
                                      const char *ref, const char *role, int *fresh)
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
    j->cj = cj;
    j->l = l;
    l->refs++;
    j->wildcard_ok = wildcard_ok;
    c = lc_run_add(p->run, "tls", what, target, ref, lc_judge_start, j, lc_judge_arg_free);
    free(target);
    if (c == NULL) {
        lc_judge_arg_free(j);
        return NULL;
    }
    /* A check planned already (two roles on one name) keeps its own
     * dependencies: it was planned before this listener's handshakes. */
    if (fresh != NULL)
        *fresh = lc_check_n_deps(c) == 0;
    if (lc_check_depend(c, hs) < 0 || lc_check_add_role(c, role) < 0)
        return NULL;
    return c;
}

/* Plan every check of one listener: per name clients connect to, the
 * handshake, name and consistency checks; then the certificate checks of
 * the listener, named after its primary name, over every handshake. */
static int lc_plan_listener(struct lc_tls_plan *p, struct lc_listener *l, const char *role,
                            struct lc_check *pair_hs, struct lc_check **primary_hs)
{
    const char *ref = l->names.kind == LC_L_RP ? REF_RP_CERT : REF_EDGE_CERT;
    struct lc_check **hs_v = calloc(l->names.n + 1, sizeof(*hs_v)), *primary = NULL;
    size_t i, k, n_hs = 0;
    int rc = -1;

    if (hs_v == NULL)
        return -1;
    for (i = 0; i < l->names.n; i++) {
        const struct lc_cert_name *served = &l->names.v[i];
        struct lc_check *hs, *cons;
        if (!served->served)
            continue;
        hs = lc_plan_handshake(p, l, served->name, served->wildcard_ok, 0, role, ref);
        if (hs == NULL)
            goto done;
        hs_v[n_hs++] = hs;
        if (lc_plan_judge(p, l, LC_J_NAME, LC_CJ_COUNT, "name", served->name, served->wildcard_ok,
                          hs, ref, role, NULL) == NULL)
            goto done;
        cons = lc_plan_judge(p, l, LC_J_CONSISTENCY, LC_CJ_COUNT, "consistency", served->name, 0,
                             hs, ref, role, NULL);
        if (cons == NULL)
            goto done;
        if (strcasecmp(served->name, l->names.primary) != 0)
            continue;
        primary = hs;
        if (primary_hs != NULL)
            *primary_hs = hs;
        /* The same edge certificate on 443 and 5061 (plan-for-edge-server-certificates). */
        if (pair_hs != NULL && lc_check_depend(cons, pair_hs) < 0)
            goto done;
        /* Without SNI, an address literal is what the handshake did already. */
        if (lc_opts_bool(p->opts, "no-sni") && !served->literal) {
            struct lc_check *ns =
                lc_plan_handshake(p, l, l->names.primary, served->wildcard_ok, 1, role, ref);
            /* Only meaningful where the listener answers at all. */
            if (ns == NULL || lc_check_depend(ns, hs) < 0)
                goto done;
        }
    }
    if (primary == NULL) {
        rc = 0; /* cannot happen: the primary name is always served */
        goto done;
    }
    for (k = 0; k < LC_CJ_COUNT; k++) {
        const char *r =
            (k == LC_CJ_SAN || k == LC_CJ_SUBJECT || k == LC_CJ_EKU) ? ref : REF_GENERAL;
        int fresh = 0;
        struct lc_check *c =
            lc_plan_judge(p, l, LC_J_CERT, (enum lc_cj_kind)k, lc_cj_kind_name((enum lc_cj_kind)k),
                          l->names.primary, 0, primary, r, role, &fresh);
        if (c == NULL)
            goto done;
        /* Every distinct certificate of the listener, whichever name
         * (SNI) or address presented it: the primary's handshake first. */
        for (i = 0; fresh && i < n_hs; i++)
            if (lc_check_depend(c, hs_v[i]) < 0)
                goto done;
    }
    rc = 0;
done:
    free(hs_v);
    return rc;
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
    struct lc_tls_plan p = {run, site, opts, NULL, NULL};
    struct lc_check *edge443 = NULL;
    char err[256];
    int rc = -1;

    p.t12 = calloc(1, sizeof(*p.t12));
    if (p.t12 == NULL)
        return -1;
    p.t12->refs = 1;
    p.ctx = lc_tls_ctx_new(lc_run_get_config(run)->ca_file, err, sizeof(err));
    if (p.ctx == NULL) {
        lc_t12_set_unref(p.t12);
        return -1;
    }
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
    lc_t12_set_unref(p.t12);
    return rc;
}

const struct lc_probe lc_probe_tls = {
    "tls",
    "certificates on every external TLS listener and address: SAN coverage, chain, expiry, key, "
    "EKU, wildcard rules",
    lc_tls_options,
    lc_tls_plan,
};

/* For the revocation probe (probes/probe_revoke.c): the chain address i of a
 * tls.handshake check presented (leaf first, as sent; NULL when that
 * handshake failed) and the address; *addr is NULL past the last one. */
STACK_OF(X509) * lc_tls_hs_chain(const struct lc_check *hs, size_t i, const char **addr)
{
    const struct lc_hs_arg *h = hs != NULL ? lc_check_start_arg(hs) : NULL;

    *addr = NULL;
    if (h == NULL || h->fan.slots == NULL || i >= h->fan.n)
        return NULL;
    *addr = lc_hs_at(h, i)->slot.addr;
    return lc_hs_at(h, i)->chain;
}
