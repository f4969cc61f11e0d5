/* SPDX-License-Identifier: MIT */
/* lynccheck - the TLS probe's verdicts as pure functions.
 *
 * Facts in (certificates as OpenSSL objects, what each handshake saw, the
 * names a listener serves and must carry), a status and a one-line message
 * out. No I/O: the probe (probes/probe_tls.c) gathers the facts, these judge them,
 * and tests/test_cert.c runs them from case tables on generated
 * certificates. Rules and sources: Lync Server 2013 on Microsoft Learn,
 * "Certificate requirements for external user access", "Plan for Edge
 * Server certificates", "Request and configure a certificate for your
 * reverse HTTP proxy", "Wildcard certificate support", "Certificate
 * infrastructure requirements" (addresses in probes/refs.h); RFC 5280,
 * RFC 6125. */
#ifndef LC_CERTJUDGE_H
#define LC_CERTJUDGE_H

#include <jansson.h>
#include <openssl/x509.h>
#include <stddef.h>

#include "names.h"
#include "result.h"

/* The judges of one distinct certificate; each is a check kind
 * ("tls.<what>:<listener's primary name>:<port>"). */
enum lc_cj_kind {
    LC_CJ_SAN = 0,
    LC_CJ_CHAIN,
    LC_CJ_VALIDITY,
    LC_CJ_INTERMEDIATES,
    LC_CJ_KEY,
    LC_CJ_SIGNATURE,
    LC_CJ_EKU,
    LC_CJ_CRL,
    LC_CJ_SUBJECT,
    LC_CJ_COUNT
};

/* The check's `what`: "san", "chain", ... */
const char *lc_cj_kind_name(enum lc_cj_kind kind);

/* One distinct certificate a listener presented, and for what. */
struct lc_cj_cert {
    X509 *leaf;
    STACK_OF(X509) * chain;   /* as the server sent it, leaf first; NULL: the leaf alone */
    const char *const *names; /* the names it was served for (SNI, or an address literal) */
    size_t n_names;
    int for_primary; /* served for the listener's primary name */
};

/* The listener it was judged for. */
struct lc_cj_ctx {
    const struct lc_listener_names *ln;
    X509_STORE *store; /* trust anchors, for LC_CJ_CHAIN */
    int warn_days;     /* expiry warned this many days ahead */
};

/* Judge one certificate. Evidence of the judgement (required and missing
 * names, the chain sent, key size...) goes into ev, which may be NULL.
 *   san: the certificate served for the primary name carries every name the
 *     listener requires; another one covers the names it was served for;
 *   chain: verifies against the store as sent (cert.h lc_cert_verify_chain);
 *   validity: not yet valid or expired FAIL, within warn_days WARN;
 *   intermediates: the dates of every intermediate sent, likewise;
 *   key: RSA/DSA under 1024 bits FAIL, RSA under 2048 WARN;
 *   signature: RSASSA-PSS and MD5/MD2/MD4 FAIL, SHA-1 WARN;
 *   eku: serverAuth required (no EKU extension: any use); the federation
 *     edge without clientAuth WARN;
 *   crl: no CRL distribution point WARN;
 *   subject: a wildcard CN FAIL; for the primary's certificate another CN
 *     than the expected one WARN. */
enum lc_status lc_cj_judge(enum lc_cj_kind kind, const struct lc_cj_ctx *ctx,
                           const struct lc_cj_cert *c, json_t *ev, char *msg, size_t len);

/* tls.name: does x (presented for name) cover it? A name that is an IP
 * literal SKIPs: a role given as an address is judged against the names
 * it must carry (tls.san). */
enum lc_status lc_cj_name(X509 *x, const char *name, int wildcard_ok, json_t *ev, char *msg,
                          size_t len);

/* What one handshake with one address saw. */
struct lc_cj_hs {
    const char *addr;
    int ok;       /* the handshake completed */
    int tls12_ok; /* a TLS 1.2-only handshake completed */
    const char *error, *tls12_error, *version;
    X509 *leaf; /* NULL when none */
};

/* tls.handshake (no_sni 0): every address completes the handshake and
 * offers TLS 1.2 (FAIL otherwise); tls.no-sni (no_sni 1): every address
 * answers without SNI with a certificate covering name (WARN otherwise). */
enum lc_status lc_cj_handshake(const char *name, unsigned port, int no_sni, int wildcard_ok,
                               const struct lc_cj_hs *a, size_t n, char *msg, size_t len);

/* One address and the SHA-256 fingerprint of what it presented ("" none). */
struct lc_cj_seen {
    const char *addr;
    const char *fp;
};

/* tls.consistency: every address of name presents the same certificate
 * (WARN otherwise), and the same as `other` (what the access edge's other
 * port, other_port, presented; NULL when there is no pair). SKIP when no
 * address presented one. */
enum lc_status lc_cj_consistency(const char *name, unsigned port, const struct lc_cj_seen *a,
                                 size_t n, const struct lc_cj_seen *other, size_t n_other,
                                 unsigned other_port, char *msg, size_t len);

#endif
