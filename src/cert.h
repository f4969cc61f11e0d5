/* SPDX-License-Identifier: MIT */
/* lynccheck - what a certificate says, judged by Lync's rules.
 *
 * Pure functions over OpenSSL's X509 objects: no I/O, so every rule is unit
 * tested (tests/test_cert.c). Sources: Lync Server 2013 on Microsoft Learn,
 * "Certificate requirements for external user access", "Plan for Edge
 * Server certificates", "Wildcard certificate support", "Certificate
 * infrastructure requirements"; RFC 6125 section 6.4.3. */
#ifndef LC_CERT_H
#define LC_CERT_H

#include <jansson.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <time.h>

#include "site.h"

/* Does the certificate name `pattern` (a SAN dNSName or a subject CN, of
 * `len` bytes, not necessarily NUL-terminated) match `host`? Case-
 * insensitive, trailing dots ignored. A wildcard counts only when allowed,
 * only as the whole left-most label ("*.contoso.com"), matches exactly one
 * label, and never with fewer than two labels after it ("*.com"). Names
 * with NUL bytes or non-ASCII bytes never match (IDNs must be A-labels,
 * "xn--..."). */
int lc_cert_name_match(const char *pattern, size_t len, const char *host, int allow_wildcard);

/* The DNS names of the subjectAltName extension. Entries that are not
 * clean ASCII host names (embedded NUL, non-ASCII) go to `rejected`, as
 * printable text, never to `names`. Returns the number of DNS SANs. */
size_t lc_cert_dns_sans(X509 *x, struct lc_strv *names, struct lc_strv *rejected);

/* The subject's commonName, or NULL. Caller frees. */
char *lc_cert_subject_cn(X509 *x);

/* Does the certificate serve `host`? SAN dNSNames decide when present;
 * the subject CN counts only when the certificate has no DNS SAN (RFC 6125
 * 6.4.4). matched (may be NULL) receives the certificate name that matched. */
int lc_cert_covers(X509 *x, const char *host, int allow_wildcard, char *matched, size_t mlen);

/* SHA-256 fingerprint as 64 lower-case hex digits. */
void lc_cert_fingerprint(X509 *x, char out[65]);

/* Whole days from now to notAfter (negative when expired); and whether
 * notBefore is still in the future. Returns 0, or -1 on unparsable times. */
int lc_cert_days_left(X509 *x, int *days, int *not_yet_valid);

/* Key type ("RSA", "EC", "Ed25519" ...) and size in bits. */
void lc_cert_key(X509 *x, const char **type, int *bits);

/* Signature algorithm as OpenSSL names it ("sha256WithRSAEncryption",
 * "rsassaPss", "sha1WithRSAEncryption"), as `openssl x509 -text` prints it. */
const char *lc_cert_sig_name(X509 *x);
int lc_cert_sig_is_sha1(X509 *x);
int lc_cert_sig_is_md5(X509 *x);
int lc_cert_sig_is_pss(X509 *x);

/* Extended key usage: 1 present, 0 absent; an absent EKU extension means
 * any use (RFC 5280 4.2.1.12), reported through *no_eku. */
int lc_cert_has_eku(X509 *x, int nid, int *no_eku);

/* URIs of the CRL distribution points, and of AIA OCSP / caIssuers. */
void lc_cert_uris(X509 *x, struct lc_strv *crl, struct lc_strv *ocsp, struct lc_strv *ca_issuers);

/* Everything above as evidence: subject, issuer, sans, serial, not_before,
 * not_after, days_left, key, signature, eku, sha256, crl, ocsp, ca_issuers. */
json_t *lc_cert_to_json(X509 *x);

/* A chain as evidence: [{cn, sha256}, ...] in the order given. */
json_t *lc_cert_chain_to_json(STACK_OF(X509) * chain);

/* Every certificate a check's evidence holds: each object under a
 * "certificate" key (lc_cert_to_json()), at whatever depth the probe put it
 * (per address in tls.handshake, per fingerprint in the judging checks;
 * at most 8 levels down), in document order. The one place the reporters
 * (HTML inventory, Nagios cert_days_min, Prometheus expiry) find
 * certificates: the evidence contract is in doc/json-schema.md. */
typedef void lc_cert_ev_fn(const json_t *cert, void *arg);
void lc_cert_evidence_foreach(const json_t *evidence, lc_cert_ev_fn *fn, void *arg);

enum lc_chain_kind {
    LC_CHAIN_OK = 0,
    LC_CHAIN_INCOMPLETE, /* the server did not send the intermediate (even when the
                            local trust store has it) */
    LC_CHAIN_SELF_SIGNED,
    LC_CHAIN_UNTRUSTED, /* the chain ends in a root we do not trust */
    LC_CHAIN_OTHER,
    LC_CHAIN_NONE /* no certificate at all */
};

/* Verify the chain as the server sent it (leaf first) against `store`,
 * ignoring validity dates (they have their own check). Writes a one-line
 * explanation. Only the trust anchor may come from the store: a chain that
 * verifies because the store (--ca-file, the system's) holds an
 * intermediate the server does not send is LC_CHAIN_INCOMPLETE, since
 * clients and partners on the internet do not have it. */
enum lc_chain_kind lc_cert_verify_chain(X509_STORE *store, STACK_OF(X509) * sent, char *msg,
                                        size_t len);

#endif
