/* SPDX-License-Identifier: MIT */
/* lynccheck - revocation as a client on the internet experiences it.
 *
 * Pure functions over bytes and OpenSSL objects, no I/O (tests/test_revoke.c):
 * a CRL judged for a certificate (RFC 5280 section 5: signature by the issuer,
 * thisUpdate/nextUpdate, the serial on the list with reason and date), an
 * OCSP request built and a response judged (RFC 6960: response status,
 * signature by the issuer or its delegated responder, certificate status,
 * freshness), and a revocation URL classified as reachable from outside or
 * not (ldap:// and file:// only, a private address, a single-label host).
 * Every parser is OpenSSL's; nothing here parses DER by hand. */
#ifndef LC_REVOKE_H
#define LC_REVOKE_H

#include <openssl/x509.h>
#include <stddef.h>
#include <time.h>

#include "result.h"

/* Bounds on what a revocation fetch may bring back (the limits: a
 * large CA's CRL is a few MiB; an OCSP response is a few KiB). */
#define LC_REVOKE_CRL_MAX (16u * 1024u * 1024u)
#define LC_REVOKE_OCSP_MAX (64u * 1024u)

/* What a CRL or an OCSP response said, for the evidence. Times are ISO
 * 8601 UTC ("2026-12-07T02:35:00Z"), "" when absent. */
struct lc_revoke_facts {
    char this_update[32];
    char next_update[32];
    char revoked_at[32];  /* when the certificate was revoked, "" if not */
    char reason[32];      /* RFC 5280 5.3.1 reason name, "" if none given */
    long entries;         /* CRL: revoked entries listed; -1 for OCSP */
    char cert_status[16]; /* OCSP: "good", "revoked", "unknown"; "" for a CRL */
};

/* Judge a CRL (DER or PEM, `len` bytes, not NUL-terminated) for `cert`,
 * issued by `issuer`, at time `now`: FAIL when it does not parse, is not issued by `issuer` or its
 * signature does not verify with the issuer's key, lists the certificate's serial (with reason and
 * date), or its nextUpdate has passed; WARN when nextUpdate is less than `warn_secs` seconds away,
 * or absent; ERROR when `issuer` is NULL (nothing to verify with) or it exceeds LC_REVOKE_CRL_MAX
 * (not judged); PASS otherwise. The message names what was judged. */
enum lc_status lc_revoke_crl_judge(const unsigned char *buf, size_t len, X509 *cert, X509 *issuer,
                                   long warn_secs, time_t now, struct lc_revoke_facts *facts,
                                   char *msg, size_t mlen);

/* The DER OCSP request (RFC 6960 4.1) for `cert` issued by `issuer`,
 * SHA-1 CertID as responders expect, no nonce (many responders, Windows'
 * included, answer pre-signed responses without one). Returns 0 with a
 * malloc'd *der (caller frees), or -1. */
int lc_revoke_ocsp_request(X509 *cert, X509 *issuer, unsigned char **der, size_t *len);

/* Judge a DER OCSP response for `cert` issued by `issuer`; `chain` (may be
 * NULL) holds the certificates the server sent, offered as untrusted
 * intermediates. The response must be "successful", signed by the issuer
 * or by a responder the issuer delegated to (RFC 6960 4.2.2.2), name the
 * certificate, be current (thisUpdate not in the future, nextUpdate not
 * passed, 5 minutes' skew) and say "good" for PASS. "revoked" and
 * "unknown" FAIL, as does anything malformed or unverifiable; ERROR when
 * `issuer` is NULL or it exceeds LC_REVOKE_OCSP_MAX (not judged). */
enum lc_status lc_revoke_ocsp_judge(const unsigned char *buf, size_t len, X509 *cert, X509 *issuer,
                                    STACK_OF(X509) * chain, struct lc_revoke_facts *facts,
                                    char *msg, size_t mlen);

/* What fetching one revocation URL of a certificate gave. */
struct lc_revoke_outcome {
    const char *url;   /* printable */
    int done;          /* the fetch ended (else it was still running) */
    int reachable;     /* it answered 200 */
    const char *why;   /* not reachable: why */
    enum lc_status st; /* reachable: the CRL's or OCSP answer's verdict */
    const char *msg;   /* and its message */
};

/* One certificate's verdict over its CRL distribution points (ocsp 0) or
 * OCSP responders (ocsp 1): SKIP when it names none; the worst verdict of
 * the URLs that answered (a client uses the first that answers; the
 * unreachable others are named in a passing message); when none answered,
 * FAIL for the access edge (federation partners check its certificate) or
 * WARN for other listeners, naming each URL and why; ERROR when nothing
 * ended in time. */
enum lc_status lc_revoke_combine(const struct lc_revoke_outcome *v, size_t n, int ocsp,
                                 int access_edge, char *msg, size_t mlen);

/* The check's verdict so far and one more certificate's: the worse, where
 * a certificate that names no URL of the kind (SKIP) never outweighs one
 * that was judged. */
enum lc_status lc_revoke_worse(enum lc_status so_far, int first, enum lc_status st);

/* Can a client on the internet reach this revocation URL, as far as the
 * URL alone says? 1 yes (http:// or https://, a host that is a dotted name
 * or a public address), 0 no with the reason in `why` (ldap://, file:// or
 * another scheme, a private/loopback/link-local address literal, a host
 * without a dot, ".local"), -1 unparsable (reason in `why`). */
int lc_revoke_url_outside(const char *url, char *why, size_t wlen);

/* Is the address literal one the internet cannot route to? 1 private
 * (RFC 1918, RFC 6598 shared, link-local, RFC 4193 unique local), 2 loopback
 * or unspecified, 0 public, -1 not an address. The caller decides what a
 * loopback answer means (the lab runs on 127/8). */
int lc_revoke_addr_private(const char *addr);

#endif
