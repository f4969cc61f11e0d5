/* SPDX-License-Identifier: MIT */
/* lynccheck - a bounded SIP response parser and request builder.
 *
 * Enough SIP (RFC 3261) to ask an edge for a REGISTER challenge or an
 * OPTIONS answer over TLS and judge what comes back. The input is untrusted:
 * every buffer is bounded, Content-Length is recorded but never trusted for
 * an allocation, and anything that is not a SIP response says so. */
#ifndef LC_SIP_H
#define LC_SIP_H

#include <stddef.h>

#include "result.h"

/* The most of one response we read (headers and body together). */
#define LC_SIP_MAX_MESSAGE (64 * 1024)
/* One header field after unfolding, or the status line. */
#define LC_SIP_MAX_LINE 8192
#define LC_SIP_MAX_HEADERS 128

enum lc_sip_parse_status {
    LC_SIP_COMPLETE = 0, /* status line and every header parsed */
    LC_SIP_NEED_MORE,    /* a SIP response so far, not all of its headers yet */
    LC_SIP_NOT_SIP,      /* does not start like a SIP response */
    LC_SIP_MALFORMED,    /* starts like one but breaks the grammar or a bound */
};

struct lc_sip_header {
    const char *name;  /* the long form (RFC 3261 7.3.3), as received otherwise */
    const char *value; /* unfolded, surrounding white space removed */
};

struct lc_sip_response {
    char version[16]; /* "SIP/2.0" */
    int status;       /* 100..699 */
    const char *reason;
    struct lc_sip_header *headers;
    size_t n_headers;
    size_t header_len; /* bytes of start line and headers, blank line included */
    /* Content-Length as declared; never used to size anything. */
    unsigned long long content_length;
    int has_content_length;
    /* header_len + content_length when that fits the cap, else 0: where the
     * next message on the connection starts. */
    size_t message_len;
    char error[128]; /* why NOT_SIP or MALFORMED */
    char *store;     /* owns the strings above */
};

/* Parse the response at the start of buf[0..len). Empty lines before the
 * status line are skipped (RFC 3261 7.5 keep-alive CRLFs). On COMPLETE the
 * response must be released with lc_sip_response_clear; on every other
 * result it holds nothing to release (clearing is still harmless). */
enum lc_sip_parse_status lc_sip_response_parse(const char *buf, size_t len,
                                               struct lc_sip_response *out);
void lc_sip_response_clear(struct lc_sip_response *r);

/* The nth (0-based) header named `name` (case-insensitive; a compact form
 * such as "l" finds "Content-Length"), or NULL. */
const char *lc_sip_header_get(const struct lc_sip_response *r, const char *name, size_t nth);
size_t lc_sip_header_count(const struct lc_sip_response *r, const char *name);

/* A WWW-Authenticate / Proxy-Authenticate challenge, as far as a Lync edge
 * fills it ([MS-SIPAE] 3.3.5.1: scheme, realm, targetname, version). */
struct lc_sip_challenge {
    char scheme[32];
    char realm[128];
    char targetname[256];
    char version[16];
    int lync; /* NTLM, Kerberos or TLS-DSK: the [MS-SIPAE] schemes */
};
/* Returns 0, or -1 when the value has no scheme token. */
int lc_sip_challenge_parse(const char *value, struct lc_sip_challenge *out);

/* One ms-diagnostics entry. Microsoft Learn, "Ms-Diagnostics Header"
 * (Office Communications Server 2007): ErrorId[.SubErrorCode]
 * ;source="<address>";reason="<token>"[;<attribute>="<value>"]*. Servers
 * put the parameters in any order, with or without spaces around ";" and
 * "=" (seen as `1009; reason ="..."; domain =" x ";source="..."`), and a
 * response may carry several headers (ms-diagnostics, then
 * ms-diagnostics-public). Strings are kept as received (the judge escapes
 * them), values trimmed of surrounding spaces, cut to fit. */
struct lc_sip_diag {
    char code[16]; /* "1009", "1034.2"; "" when the entry has no numeric code */
    char reason[160];
    char source[128];
    int public_; /* from ms-diagnostics-public */
};
#define LC_SIP_DIAG_MAX 8
/* Parse one header value: entries separated by a comma outside quotes.
 * Returns how many were written to out[0..max). */
size_t lc_sip_diag_parse(const char *value, struct lc_sip_diag *out, size_t max);
/* Every entry of every ms-diagnostics and ms-diagnostics-public header, in
 * header order; at most max. */
size_t lc_sip_diag_list(const struct lc_sip_response *r, struct lc_sip_diag *out, size_t max);
/* "1009 \"No match ...\" (source sip.example.com); 10003 ..." escaped, cut to len. */
void lc_sip_diag_format(const struct lc_sip_diag *d, size_t n, char *buf, size_t len);

/* A request without credentials for `domain`: Request-URI sip:<domain>,
 * From sip:lynccheck@<domain>, Via SIP/2.0/TLS <via_host>, the given
 * branch, tag and Call-ID, Max-Forwards 70, Content-Length 0 (RFC 3261 8.1.1). */
struct lc_sip_request {
    const char *method; /* "REGISTER" or "OPTIONS" */
    const char *domain;
    const char *via_host; /* the local address (IPv6 without brackets) */
    unsigned via_port;
    const char *branch; /* without the z9hG4bK prefix */
    const char *tag;
    const char *call_id;
    unsigned cseq;
    const char *user_agent; /* "lynccheck/0.1.0" */
};
/* Writes the request into buf (NUL-terminated). Returns its length, or -1
 * when it does not fit or a field holds a CR, LF or NUL. */
int lc_sip_request_build(char *buf, size_t len, const struct lc_sip_request *req);

/* A random token of `hex` hexadecimal digits (hex < len) for branch, tag and
 * Call-ID values; 0, or -1 when no randomness was available. */
int lc_sip_token(char *buf, size_t len, size_t hex);

/* Printable ASCII kept, CR LF TAB as \r \n \t, anything else as \xHH;
 * truncated with "..." to fit `len`. For evidence and messages. */
void lc_sip_escape(const char *in, size_t n, char *out, size_t len);
/* lc_sip_escape of a NUL-terminated string (NULL: empty) into buf; returns
 * buf, for a message's %s. */
const char *lc_sip_escape_str(const char *s, char *buf, size_t len);

/* ---- the verdicts, pure: facts in, status and message out ----
 *
 * Both judge one final response (status >= 200) to a request sent without
 * credentials, and write a one-line message into msg (NUL-terminated,
 * truncated to len; msg may be NULL when len is 0). Every string taken from
 * the response is escaped (lc_sip_escape) before it goes into the message.
 * Header names are matched case-insensitively (RFC 3261 7.3.1).
 *
 * REGISTER:
 *   301/302 with a Contact                           PASS, "redirected to home
 *           pool <contact>": a Director (or a pool that is not the user's)
 *           answers "301 Redirect request to Home Server" with the home pool
 *           in Contact (RFC 3261 8.1.3.4, 21.3.2); SIP answers and points on
 *   3xx without a Contact                            FAIL (nowhere to go)
 *   401/407 offering NTLM or TLS-DSK                 PASS (external clients
 *           can authenticate: [MS-SIPAE] 3.1; Microsoft Learn, "User and
 *           client authentication for Skype for Business Server"); the
 *           message names the realm, the version (3 is Office Communications
 *           Server 2007 / 2007 R2, 4 is Lync Server 2010 and later: reported,
 *           never failed) and the targetname, which is the internal
 *           registrar's FQDN and is shown, never judged against public names
 *   401/407 with challenges, none NTLM or TLS-DSK    FAIL (only Kerberos,
 *           which needs the domain controller, or Digest / other schemes:
 *           external clients cannot authenticate)
 *   401/407 without a challenge                      FAIL
 *   2xx                                              FAIL (registered without
 *           credentials: the Edge registers anyone)
 *   anything else                                    FAIL with code, reason,
 *           Server and ms-diagnostics
 * OPTIONS (Lync's answer is undocumented):
 *   2xx, 401, 407: PASS; any other final response: WARN. */
enum lc_status lc_sip_judge_register(const struct lc_sip_response *r, char *msg, size_t len);
enum lc_status lc_sip_judge_options(const struct lc_sip_response *r, char *msg, size_t len);

#endif
