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
 * No I/O: probes/web.c does the requests (libcurl's NTLM), tests/test_signin.c
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
    const char *transport_why;             /* set when the last request got no HTTP answer */
    long connects;                         /* connections libcurl opened for the exchange */
    const struct lc_signin_ticket *ticket; /* parsed final 200 (or 5xx) body, or NULL */
    const char *body_why;                  /* why the final body was unreadable, or NULL */
    long elapsed_ms;                       /* the IssueToken exchange */
};

/* The verdict: PASS "user X obtained a web ticket in N ms", else FAIL
 * naming the cause; `diagnosis` gets a findings word (lc_fix_for_diagnosis)
 * or NULL. */
enum lc_status lc_signin_judge(const struct lc_signin_facts *f, char *msg, size_t len,
                               const char **diagnosis);

#endif
