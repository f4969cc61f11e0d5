/* SPDX-License-Identifier: MIT */
/* lynccheck - signing in to SIP through the Access Edge with NTLM, as a Lync
 * client does from outside ([MS-SIPAE]).
 *
 * The exchange on one TLS connection ([MS-SIPAE] 3.2.5.1, 4.1; the NTLM of
 * [MS-NLMP] in connectionless mode, 1.3.1.2 and 3.1.5.2):
 *   REGISTER                       -> 401, WWW-Authenticate: NTLM realm,
 *                                     targetname, version
 *   REGISTER + NTLM gssapi-data="" -> 401 with gssapi-data (the NTLM
 *                                     CHALLENGE_MESSAGE) and opaque
 *   REGISTER + AUTHENTICATE_MESSAGE, crand, cnum, response (signature)
 *                                  -> 200 OK with Authentication-Info
 *                                     rspauth, srand, snum (the server's
 *                                     signature, verified here)
 *   REGISTER Expires: 0, signed    -> 200 OK (unREGISTER)
 * A "301 Redirect request to Home Server" names the home pool in Contact
 * (RFC 3261 21.3.2); the client signs in there the same way.
 *
 * Here are the pure parts: the NTLM computations ([MS-NLMP] 3.3.2 NTLMv2,
 * 3.4.4.2 MAC with extended session security, 3.4.5 SIGNKEY / SEALKEY, the
 * per-message sealing key of connectionless mode 3.4.3), built on OpenSSL's
 * primitives (HMAC-MD5, MD5; MD4 and RC4 from the legacy provider), the
 * header values, the request, the signature string ([MS-SIPAE] 3.2.5.1.2,
 * 3.2.5.2) and the verdict. src/sipae_conn.c does the I/O. The password
 * and the session keys never reach a message or evidence. */
#ifndef LC_SIPAE_H
#define LC_SIPAE_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"
#include "sip.h"

/* ---- NTLM ([MS-NLMP]) ---- */

/* NEGOTIATE flags, [MS-NLMP] 2.2.2.5. */
#define LC_NTLM_UNICODE 0x00000001u
#define LC_NTLM_REQUEST_TARGET 0x00000004u
#define LC_NTLM_SIGN 0x00000010u
#define LC_NTLM_DATAGRAM 0x00000040u
#define LC_NTLM_NTLM 0x00000200u
#define LC_NTLM_ALWAYS_SIGN 0x00008000u
#define LC_NTLM_ESS 0x00080000u /* NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY */
#define LC_NTLM_IDENTIFY 0x00100000u
#define LC_NTLM_TARGET_INFO 0x00800000u
#define LC_NTLM_VERSION 0x02000000u
#define LC_NTLM_128 0x20000000u
#define LC_NTLM_KEY_EXCH 0x40000000u
#define LC_NTLM_56 0x80000000u

#define LC_NTLM_MAX_TARGET_INFO 1024

/* A CHALLENGE_MESSAGE ([MS-NLMP] 2.2.1.2), as far as NTLMv2 needs it. */
struct lc_ntlm_challenge {
    uint32_t flags;
    uint8_t server_challenge[8];
    uint8_t target_info[LC_NTLM_MAX_TARGET_INFO];
    size_t target_info_len;
    uint64_t timestamp; /* MsvAvTimestamp (FILETIME), when has_timestamp */
    int has_timestamp;
    char nb_domain[64]; /* MsvAvNbDomainName, ASCII, '?' for the rest */
    char dns_computer[128];
};

/* Parse a CHALLENGE_MESSAGE. 0, or -1 with why (not NTLM, not type 2, an
 * offset or length outside the message, target info over the cap). */
int lc_ntlm_challenge_parse(const uint8_t *msg, size_t len, struct lc_ntlm_challenge *out,
                            char *why, size_t wlen);

/* The session's signing and sealing keys ([MS-NLMP] 3.4.5.2, 3.4.5.3). */
struct lc_ntlm_keys {
    uint32_t flags; /* as negotiated: the AUTHENTICATE_MESSAGE's */
    uint8_t client_sign[16], client_seal[16];
    uint8_t server_sign[16], server_seal[16];
};

/* What the client brings. client_challenge (8 bytes) and session_key (16,
 * the ExportedSessionKey of KEY_EXCH) are random in use, fixed in tests. */
struct lc_ntlm_auth_in {
    const char *user;   /* UPN, or the user part of DOMAIN\user */
    const char *domain; /* "" with a UPN */
    const char *password;
    const char *workstation;
    const uint8_t *client_challenge;
    const uint8_t *session_key;
    uint64_t timestamp; /* FILETIME, used when the CHALLENGE has none */
};

/* The AUTHENTICATE_MESSAGE (NTLMv2, [MS-NLMP] 2.2.1.3, 3.1.5.2 connectionless:
 * the flags are the CHALLENGE's that the client supports) into out; the keys
 * for signing. 0, or -1 with why (the server offers no extended session
 * security or no NTLMv2 target info, the message does not fit, the crypto
 * is not available). */
int lc_ntlm_authenticate_build(const struct lc_ntlm_challenge *ch, const struct lc_ntlm_auth_in *in,
                               uint8_t *out, size_t olen, size_t *written,
                               struct lc_ntlm_keys *keys, char *why, size_t wlen);

/* The primitives, exposed for the known-answer tests ([MS-NLMP] 4.2.4).
 * Each returns 0, or -1 when OpenSSL cannot do it (MD4 and RC4 need the
 * legacy provider under OpenSSL 3). */
int lc_ntlm_ntowfv2(const char *password, const char *user, const char *domain, uint8_t out[16]);
int lc_ntlm_hmac_md5(const uint8_t *key, size_t klen, const uint8_t *data, size_t len,
                     uint8_t out[16]);
int lc_ntlm_rc4(const uint8_t *key, size_t klen, const uint8_t *in, size_t len, uint8_t *out);
int lc_ntlm_signkey(const uint8_t session_key[16], int client, uint8_t out[16]);
int lc_ntlm_sealkey(uint32_t flags, const uint8_t session_key[16], int client, uint8_t out[16]);
/* The NTLMSSP_MESSAGE_SIGNATURE of msg with extended session security
 * ([MS-NLMP] 3.4.4.2): version 1, the HMAC-MD5 checksum (RC4-sealed with
 * KEY_EXCH; in connectionless mode with the per-message sealing key
 * MD5(SealingKey, SeqNum) of 3.4.3), SeqNum. */
int lc_ntlm_mac(uint32_t flags, const uint8_t sign_key[16], const uint8_t seal_key[16],
                uint32_t seqnum, const void *msg, size_t len, uint8_t out[16]);

/* The sequence number a Lync client and server sign SIP messages with:
 * connectionless NTLM lets the application choose it ([MS-NLMP] 3.4.4),
 * and Office Communications Server / Lync use 100 (0x64 in the SeqNum of
 * their signatures). */
#define LC_SIPAE_NTLM_SEQNUM 100u

/* ---- [MS-SIPAE] header values ---- */

/* One WWW-Authenticate, Authorization or Authentication-Info value
 * ([MS-SIPAE] 2.2.1-2.2.3): a scheme, then comma-separated parameters,
 * quoted or tokens, in any order. Unknown parameters are skipped. */
struct lc_sipae_auth {
    char scheme[16];
    char realm[128];
    char targetname[256];
    char opaque[64];
    char version[8];
    char gssapi_data[4096];
    int has_gssapi;
    char rspauth[64];
    char srand[32];
    char snum[16];
    char qop[16];
};
/* 0, or -1 when the value has no scheme or a parameter breaks the syntax
 * or a bound. */
int lc_sipae_auth_parse(const char *value, struct lc_sipae_auth *out);
/* The first value of header `name` in r whose scheme is NTLM, parsed: 1,
 * 0 when there is none, -1 when one is malformed. */
int lc_sipae_find_ntlm(const struct lc_sip_response *r, const char *name,
                       struct lc_sipae_auth *out);

/* The Authorization value the client sends ([MS-SIPAE] 2.2.2): NTLM
 * qop="auth", [opaque,] realm, targetname, [gssapi-data,] [version,]
 * [crand, cnum, response]. NULL fields are left out; gssapi "" is sent
 * as gssapi-data="" (the first connectionless leg). -1 when it does not
 * fit or a value holds a quote, CR or LF. */
struct lc_sipae_authz {
    const char *realm, *targetname, *opaque, *gssapi;
    int version; /* 0: left out */
    const char *crand, *cnum, *response;
};
int lc_sipae_authz_build(char *out, size_t len, const struct lc_sipae_authz *a);

/* The fields a signature covers ([MS-SIPAE] 3.2.5.1.2 for the client's,
 * 3.2.5.2 for the server's), each as it appears in the message. */
struct lc_sipae_sig_fields {
    const char *scheme; /* "NTLM" */
    const char *rand;   /* crand / srand */
    const char *num;    /* cnum / snum */
    const char *realm, *targetname;
    const char *call_id, *cseq_num, *method;
    const char *from_uri, *from_tag, *to_uri, *to_tag;
    const char *pai_sip, *pai_tel; /* P-Asserted-Identity (version 3 and later) */
    const char *expires;           /* "" when the message has none */
    int code;                      /* responses: the status code; requests 0 */
    int version;                   /* the challenge's version; < 3 the older list */
};
/* "<NTLM><rand><num><realm>...": each field in angle brackets, absent ones
 * empty. Returns the length, or -1 when it does not fit. */
int lc_sipae_sig_string(const struct lc_sipae_sig_fields *f, char *out, size_t len);
/* The signature string of a response to verify: the fields from r and from
 * its Authentication-Info ai. Returns the length, or -1 (a field missing
 * or too long). */
int lc_sipae_response_sig_string(const struct lc_sip_response *r, const struct lc_sipae_auth *ai,
                                 int version, char *out, size_t len);

/* A REGISTER of the sign-in ([MS-SIPAE] 4.1; RFC 3261 10.2): Request-URI
 * sip:<domain>, From and To sip:<user>, the From tag and epid, Contact with
 * +sip.instance, Expires when expires >= 0, the Authorization when given. */
struct lc_sipae_req {
    const char *domain, *user;
    const char *via_host;
    unsigned via_port;
    const char *branch, *from_tag, *epid, *call_id, *instance;
    unsigned cseq;
    int expires; /* -1: no Expires header */
    const char *authorization;
    int proxy; /* send it as Proxy-Authorization (the challenge came in a 407) */
    const char *user_agent;
};
int lc_sipae_request_build(char *buf, size_t len, const struct lc_sipae_req *q);

/* "<sip:10.0.0.5:5061;transport=tls>" -> host "10.0.0.5", port 5061 (5061
 * when absent: TLS, RFC 3263). 0, or -1 when it is not a sip: URI. */
int lc_sipae_contact_target(const char *contact, char *host, size_t hlen, unsigned *port);

/* 1 when an ms-diagnostics reason says the user may not connect from
 * outside (external access policy: remote user access not enabled). */
int lc_sipae_diag_remote_refused(const struct lc_sip_diag *d, size_t n);

/* ---- the verdict ---- */

/* How far the sign-in got: the leg whose answer (or lack of one) ended it. */
enum lc_sipae_leg {
    LC_SIPAE_LEG_CONNECT = 0, /* TCP and TLS to the edge (or the home pool) */
    LC_SIPAE_LEG_PROBE,       /* REGISTER without credentials */
    LC_SIPAE_LEG_NEGOTIATE,   /* REGISTER with gssapi-data="" */
    LC_SIPAE_LEG_AUTH,        /* REGISTER with the AUTHENTICATE_MESSAGE */
    LC_SIPAE_LEG_UNREGISTER,  /* REGISTER Expires: 0 */
};

struct lc_sipae_facts {
    const char *user, *edge;
    unsigned port;
    enum lc_sipae_leg leg;
    const char *transport_why; /* the leg got no answer: why (timeout, reset) */
    const char *local_why;     /* lynccheck itself could not go on (crypto) */
    const char *ntlm_why;      /* the server's NTLM data was unusable */
    int status;                /* the answer to the leg, 0 none */
    const char *reason;        /* its reason phrase (escaped) */
    const char *schemes;       /* the schemes the first 401 offered (escaped) */
    int ntlm_offered;
    int got_challenge; /* the NEGOTIATE leg's 401 carried a CHALLENGE_MESSAGE */
    const struct lc_sip_diag *diag;
    size_t n_diag;
    const char *home_pool; /* a 301's Contact (escaped), NULL when none */
    int redirect_followed;
    const char *redirect_why; /* why a redirect was not followed */
    int sig_present, sig_ok;  /* the final 2xx's Authentication-Info rspauth */
    int unreg_status;         /* 0: no answer to the unREGISTER */
    const char *unreg_why;
    long elapsed_ms;
};

/* PASS "user X registered through E:443 (home pool P) in N ms: server
 * signature verified, unregistered"; WARN when registered and verified but
 * the unREGISTER was not confirmed or a redirect could not be followed;
 * FAIL naming the cause; ERROR when lynccheck could not judge. diagnosis
 * gets a findings word (lc_fix_for_diagnosis) or NULL. */
enum lc_status lc_sipae_judge(const struct lc_sipae_facts *f, char *msg, size_t len,
                              const char **diagnosis);

/* ---- the check (src/sipae_conn.c) ---- */

struct lc_run;
struct lc_site;
/* Plan signin.register:<access edge>:<port> when the site has --user and a
 * password (nothing without them): depends on the access edge's DNS check.
 * 0, or -1 out of memory. */
int lc_signin_register_plan(struct lc_run *run, const struct lc_site *site, unsigned port);

#endif
