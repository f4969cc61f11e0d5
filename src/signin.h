/* SPDX-License-Identifier: MIT */
/* lynccheck - signing in like a Lync client from outside: the web ticket.
 *
 * Pure functions for web.signin-webticket: the WS-Trust RequestSecurityToken
 * a client POSTs to the Web Ticket Service ([MS-OCAUTHWS] 3.2.4.1.1.1,
 * IssueToken, SOAP 1.2 with WS-Addressing), the RequestSecurityTokenResponse
 * it expects ([MS-OCAUTHWS] 3.2.4.1.1.2), and the verdict on the whole
 * exchange: the anonymous POST answered 401 offering NTLM, the NTLM
 * NEGOTIATE answered 401 with the CHALLENGE, the AUTHENTICATE answered 200
 * with a web ticket (Integrated Windows authentication per [RFC4559] and
 * [MS-NLMP]; the IIS log of a Lync client's sign-in shows 401, 401, 200).
 * No I/O: probes/probe_web.c does the requests (libcurl's NTLM), tests/test_signin.c
 * feeds these directly. Network input is untrusted: lengths are bounded,
 * XML is read without DTD or network. Nothing here ever sees the password. */
#ifndef LC_SIGNIN_H
#define LC_SIGNIN_H

#include <stddef.h>

#include "result.h"
#include "web.h"

#define LC_SIGNIN_MAX_LEGS 8
#define LC_SIGNIN_RST_MAX 4096

/* What the client's request carried (from libcurl's outgoing headers). */
enum lc_signin_sent {
    LC_SIGNIN_SENT_NONE = 0,         /* no Authorization: the anonymous POST */
    LC_SIGNIN_SENT_NEGOTIATE = 1,    /* NTLM NEGOTIATE_MESSAGE ([MS-NLMP] 2.2.1.1) */
    LC_SIGNIN_SENT_AUTHENTICATE = 3, /* NTLM AUTHENTICATE_MESSAGE ([MS-NLMP] 2.2.1.3) */
    LC_SIGNIN_SENT_OTHER = 9         /* some other Authorization */
};

/* One request/response round trip of the IssueToken exchange. */
struct lc_signin_leg {
    enum lc_signin_sent sent;
    long status;                 /* 0: no response to this request */
    struct lc_web_challenges ch; /* its WWW-Authenticate fields */
    int ntlm_challenge;          /* "NTLM <token>": a CHALLENGE_MESSAGE came back */
    int proxy_auth;              /* a Proxy-Authenticate field */
    struct lc_web_diag diag;     /* X-Ms-diagnostics */
};

/* Record one WWW-Authenticate field value of the leg (also notes an NTLM
 * challenge token). Returns 0, or -1 when malformed. */
int lc_signin_leg_challenge(struct lc_signin_leg *leg, const char *value, size_t len);

/* The NTLM message type in an outgoing "Authorization: NTLM <base64>"
 * header value (the part after the colon): 1, 2, 3, or 0 when not NTLM or
 * unreadable. Only the first 12 decoded bytes are looked at. */
int lc_signin_ntlm_type(const char *value, size_t len);

/* The SOAP 1.2 envelope of an IssueToken RequestSecurityToken for the
 * service at `to` (the WebTicketService.svc URL), applies-to `applies_to`,
 * WS-Addressing MessageID `msg_id` (urn:uuid:...). XML-escaped. Returns the
 * length written, or -1 when it does not fit. */
int lc_signin_rst_build(const char *to, const char *applies_to, const char *msg_id, char *out,
                        size_t len);
/* The Content-Type for it: SOAP 1.2 carries the action as a parameter
 * (RFC 3902; the WSDL's wsaw:Action of IssueToken). */
extern const char lc_signin_rst_content_type[];

/* The Windows-authentication endpoint a client POSTs its RST to: the
 * location of the address of the mex document's port whose name ends in
 * "WinNegotiate" (WebTicketServiceWinNegotiate), into out. Returns 1 when
 * found, 0 when the document has none, -1 with why when unreadable. */
int lc_signin_mex_negotiate_url(const char *body, size_t len, char *out, size_t olen, char *why,
                                size_t wlen);

/* What the 200's body says. */
struct lc_signin_ticket {
    int found;            /* a RequestedSecurityToken with an element inside */
    char token_kind[64];  /* the token element's local name (Assertion, ...) */
    char fingerprint[20]; /* first 16 hex of SHA-256 over the token's serialized XML */
    size_t token_bytes;   /* its serialized size */
    char expires[40];     /* Lifetime/Expires, "" if none */
    int fault;            /* a SOAP Fault instead */
    char fault_text[200]; /* its Reason/Text or faultstring */
};

/* Read an RSTR (or RSTRC) or a SOAP Fault. Returns 0 (t filled: found or
 * fault or neither), or -1 with why (not XML, DTD, too large). */
int lc_signin_rstr_parse(const char *body, size_t len, struct lc_signin_ticket *t, char *why,
                         size_t wlen);

/* The largest web ticket kept for the next steps (a SAML assertion is a
 * few kilobytes). */
#define LC_SIGNIN_TOKEN_MAX 16384

/* The token element of an RSTR, serialized with the namespace declarations
 * it uses (it goes into the WS-Security header of the next requests,
 * [MS-OCAUTHWS] 3.1.4.1 and [WSS] SAML token profile), into out. The
 * caller cleanses out. Returns 0 with *olen set, or -1 (no token, too
 * large, unreadable). */
int lc_signin_rstr_token(const char *body, size_t len, char *out, size_t olen, size_t *outlen);

/* Everything web.signin-webticket saw. */
struct lc_signin_facts {
    const char *user; /* --user (shown, escaped) */
    const char *host; /* the web FQDN asked */
    /* the mex fetch */
    long mex_status;                     /* 0: no answer */
    const struct lc_signin_leg *mex_leg; /* its challenges and X-Ms-diagnostics, or NULL */
    const char *mex_why;                 /* transport error / unreadable metadata, or NULL */
    const char *mex_other_host;          /* an endpoint address naming another host, or NULL */
    /* the IssueToken exchange */
    struct lc_signin_leg legs[LC_SIGNIN_MAX_LEGS];
    size_t n_legs;
    const char *transport_why; /* set when the last request got no HTTP answer */
    long connects; /* connections the NTLM handshake took, NEGOTIATE to AUTHENTICATE (1) */
    const struct lc_signin_ticket *ticket; /* parsed final 200 (or 5xx) body, or NULL */
    const char *body_why;                  /* why the final body was unreadable, or NULL */
    long elapsed_ms;                       /* the IssueToken exchange */
};

/* The verdict: PASS "user X obtained a web ticket in N ms", else FAIL
 * naming the cause; `diagnosis` gets a findings word (lc_fix_for_diagnosis)
 * or NULL. */
enum lc_status lc_signin_judge(const struct lc_signin_facts *f, char *msg, size_t len,
                               const char **diagnosis);

/* ---- signin.certprov: the user certificate ([MS-OCAUTHWS] 3.1) ---- */

/* The Content-Type of the CertProv request (SOAP 1.2 with its action). */
extern const char lc_signin_certprov_content_type[];

/* The SOAP 1.2 envelope a client POSTs to the Certificate Provisioning
 * Service's WebTicket_Proof_SHA1 endpoint `to`: WS-Addressing Action
 * GetAndPublishCert, a WS-Security header with a Timestamp (`created`,
 * `expires`, xs:dateTime) and the web ticket (`ticket`, a serialized SAML
 * assertion, put in as it is), and the GetAndPublishCert body for `user`
 * (the Entity) with the device id and request id (GUIDs) and the PKCS#10
 * request (`csr_b64`, base64 DER). Returns the length, or -1 when it does
 * not fit or an argument is unusable. */
int lc_signin_certprov_build(const char *to, const char *msg_id, const char *ticket,
                             const char *created, const char *expires, const char *user,
                             const char *device_id, const char *request_id, const char *csr_b64,
                             char *out, size_t len);

/* What the GetAndPublishCert answer says: a certificate (base64 DER of an
 * X.509 certificate or of a PKCS#7 certs-only bundle, in
 * GetAndPublishCertResponse / RequestSecurityTokenResponse /
 * RequestedSecurityToken / BinarySecurityToken), or a SOAP fault. */
struct lc_signin_certprov {
    int fault;
    char fault_text[200];
    unsigned char *der; /* the BinarySecurityToken decoded (malloc'd), or NULL */
    size_t der_len;
};
int lc_signin_certprov_parse(const char *body, size_t len, struct lc_signin_certprov *c, char *why,
                             size_t wlen);
void lc_signin_certprov_clear(struct lc_signin_certprov *c);

/* The returned certificate as judged. */
struct lc_signin_cert_facts {
    const char *user;          /* --user: the sip: URI must be sip:<user> */
    const char *transport_why; /* no HTTP answer to the POST, or NULL */
    long mex_status;           /* the CertProv metadata's answer, 0 when none */
    long status;               /* the POST's answer */
    const struct lc_web_diag *diag;
    int fault;
    const char *fault_text;
    const char *body_why; /* the 200's body unreadable, or NULL */
    int have_cert;        /* a certificate came back */
    char subject[256];    /* one line */
    char issuer[256];
    int sip_uri_matches;                  /* the SAN (or subject) has sip:<user> */
    char sip_uri[256];                    /* the sip: URI it has, "" if none */
    long long not_before, not_after, now; /* seconds since the epoch */
    int key_matches;                      /* the certificate's key is the one we generated */
    int chain_ok;                         /* verified to the pool's CA (--ca-file) */
    const char *chain_why;                /* why not */
    long elapsed_ms;
};
enum lc_status lc_signin_cert_judge(const struct lc_signin_cert_facts *f, char *msg, size_t len,
                                    const char **diagnosis);

/* ---- signin.fe-ticket: the web ticket again, on the Front End, with the
 * certificate ([MS-OCAUTHWS] 3.2: certificate authentication) ---- */
struct lc_signin_fe_facts {
    const char *user;
    const char *host;
    const char *transport_why;
    long status;
    const struct lc_web_diag *diag;
    const struct lc_signin_ticket *ticket; /* the 200's (or fault's) body read, or NULL */
    const char *body_why;
    long elapsed_ms;
};
/* The RequestSecurityToken envelope `rst` (lc_signin_rst_build) with a
 * WS-Security header for certificate authentication ([MS-OCAUTHWS] 3.2:
 * SOAP Message Security 1.1 with an X.509 token, [WSSX509TP]): a Timestamp
 * (`created`, `expires`), the certificate (`cert_der`, base64 DER of
 * `cert_len` bytes) as BinarySecurityToken, and an XML signature over the
 * Timestamp (exclusive C14N, RSA-SHA1 and SHA-1, WCF's default suite)
 * made with `key` referencing the token, as WCF's certificate-over-
 * transport binding sends it. Returns a malloc'd NUL-terminated document
 * (*outlen its length), or NULL. */
struct evp_pkey_st;
char *lc_signin_wss_sign(const char *rst, const unsigned char *cert_der, size_t cert_len,
                         struct evp_pkey_st *key, const char *created, const char *expires,
                         size_t *outlen);
/* The exclusive canonical form ([XML-EXC-C14N] 1.0, without comments) of
 * the first element named `local` in `doc`, malloc'd with *outlen; NULL
 * when not found. For tests and the signature. */
char *lc_signin_exc_c14n(const char *doc, size_t len, const char *local, size_t *outlen);

enum lc_status lc_signin_fe_judge(const struct lc_signin_fe_facts *f, char *msg, size_t len,
                                  const char **diagnosis);

/* ---- signin.abs: the address book files ([MS-ABS] 1.3) ---- */

/* The name of the address book file `kind` ('F' full, 'D' delta from the
 * day before) of the day `now` (seconds since the epoch) minus `back`
 * days: F-XXXX.lsabs / D-XXXX-YYYY.lsabs, XXXX the 0-based number of days
 * after 2001-01-01 00:00 UTC in 4 hex digits. -1 when out of range. */
int lc_signin_abs_name(char kind, long long now, int back, char *out, size_t len);

#define LC_SIGNIN_ABS_MAX 4
struct lc_signin_abs_file {
    char name[40];
    long status; /* 0: no answer */
    size_t bytes;
    struct lc_web_diag diag;
};
struct lc_signin_abs_facts {
    const char *host;
    const char *transport_why; /* the last request got no HTTP answer */
    struct lc_signin_abs_file files[LC_SIGNIN_ABS_MAX];
    size_t n_files;
    long elapsed_ms;
};
/* PASS when a full file (today's or yesterday's) came back 200; the count
 * of files fetched in *fetched. */
enum lc_status lc_signin_abs_judge(const struct lc_signin_abs_facts *f, size_t *fetched, char *msg,
                                   size_t len, const char **diagnosis);

/* ---- signin.summary ---- */
struct lc_signin_summary_facts {
    const char *user;
    long ticket_ms;
    int cert_issued;
    size_t abs_files;
    const char *registered; /* "via access.<domain> (home pool ...)", or NULL */
};
void lc_signin_summary(const struct lc_signin_summary_facts *f, char *msg, size_t len);

#endif
