/* SPDX-License-Identifier: MIT */
/* lynccheck - what the Lync web services say, read and judged.
 *
 * Pure functions over bytes a web server sent: the WWW-Authenticate
 * challenges (RFC 7235 section 4.1), the autodiscover document in JSON and
 * XML ([MS-OCDISCWS]; UCWA "CreateAnApplication"), the endpoint addresses of
 * a WCF metadata (mex/WSDL) document, and the verdict on one response with
 * the reverse proxy rule it points at. No I/O: probes/probe_web.c fetches,
 * tests/test_web.c and the fuzzers feed these directly. Network input is
 * untrusted: every function takes a length, bounds what it keeps, and turns
 * malformed input into an error, never a crash.
 * Sources: [MS-OCDISCWS] (Lync Autodiscover Web Service Protocol), [MS-OCAUTHWS];
 * Microsoft Learn, "Verify access through your reverse proxy in Lync Server
 * 2013", "Understanding Autodiscover in Lync Server 2013"; the UCWA
 * documentation ("Create an application", "Authentication in UCWA"). */
#ifndef LC_WEB_H
#define LC_WEB_H

#include <stddef.h>

#include "result.h"
#include "site.h"

/* The next node in document order after n within root, without recursion
 * (deep untrusted documents cannot exhaust the stack). libxml2's
 * xmlNodePtr, spelled so this header needs no libxml2 include. */
struct _xmlNode *lc_web_xml_next(struct _xmlNode *n, struct _xmlNode *root);

/* ---- challenges (WWW-Authenticate) ---- */

enum {
    LC_AUTH_NEGOTIATE = 1u << 0,
    LC_AUTH_NTLM = 1u << 1,
    LC_AUTH_BEARER = 1u << 2,
    LC_AUTH_MSRTCOAUTH = 1u << 3,
    LC_AUTH_BASIC = 1u << 4,
    LC_AUTH_OTHER = 1u << 5 /* a well-formed scheme we do not know (Digest, a proxy's own) */
};

struct lc_web_challenges {
    unsigned schemes;      /* LC_AUTH_* seen */
    unsigned n_headers;    /* WWW-Authenticate header fields added */
    int malformed;         /* some field did not follow RFC 7235's grammar */
    char msrtc_href[512];  /* MsRtcOAuth href parameter (truncated to fit), "" if none */
    char msrtc_grant[256]; /* MsRtcOAuth grant_type parameter, "" if none */
    char realm[128];       /* the first realm parameter seen (Basic/Digest: a proxy's login) */
    char other[64];        /* the first unknown scheme's name */
};

/* Add one WWW-Authenticate field value of `len` bytes (it may hold several
 * comma-separated challenges, each with auth-params or a token68). Scheme
 * names are case-insensitive; quoted-string escapes are honoured. Returns
 * 0, or -1 when the value is malformed (what was understood before the
 * fault is kept and `malformed` is set). */
int lc_web_challenges_add(struct lc_web_challenges *c, const char *value, size_t len);
/* The schemes as text ("Negotiate, NTLM"), or "none", into buf. */
const char *lc_web_challenges_text(const struct lc_web_challenges *c, char *buf, size_t len);

/* ---- autodiscover ---- */

/* The three dialects a Lync autodiscover service speaks, chosen by the
 * Accept header: UCWA's `_links` JSON (application/json), the native JSON
 * form of [MS-OCDISCWS] 2.2.4 ({"AccessLocation":..,"Root":{"Links":[..]}},
 * application/vnd.microsoft.rtc.autodiscover+json, and what a browser is
 * given) and the XML AutodiscoverResponse
 * (application/vnd.microsoft.rtc.autodiscover+xml). */
enum { LC_WEB_DIALECT_NONE = 0, LC_WEB_DIALECT_UCWA, LC_WEB_DIALECT_NATIVE, LC_WEB_DIALECT_XML };

struct lc_web_discover {
    char *self;            /* _links.self.href (XML: Link token="Self"), or NULL */
    char *user;            /* _links.user.href (native / XML: token="User") */
    char *xframe;          /* _links.xframe.href (XML: token="Xframe") */
    char *redirect;        /* _links.redirect.href (XML: token="Redirect"): hybrid / online */
    char *oauth;           /* native / XML: token="OAuth" (the OAuth user resource) */
    char *domain;          /* native / XML: token="Domain" */
    char *access_location; /* XML / native JSON: AccessLocation */
    int dialect;           /* LC_WEB_DIALECT_* */
    struct lc_strv hrefs;  /* every href in the document, at most LC_WEB_MAX_LINKS */
};
#define LC_WEB_MAX_LINKS 64
#define LC_WEB_MAX_DOC (1024 * 1024) /* documents larger than this are refused */
#define LC_WEB_MAX_DOC_HOPS 3        /* redirect links followed before giving up */

/* Parse the JSON document, either JSON dialect (jansson; `\/` escapes are
 * JSON's own) / the XML document (libxml2, no network, no entities, no
 * DTD). Link tokens and hrefs are trimmed; tokens match in any case.
 * Returns 0, or -1 with the reason in why (not JSON, no _links nor
 * Root.Links, a link that is not an object with a string href, too large).
 * On -1, whatever was filled is still freed by lc_web_discover_clear. */
int lc_web_discover_json(const char *body, size_t len, struct lc_web_discover *out, char *why,
                         size_t wlen);
int lc_web_discover_xml(const char *body, size_t len, struct lc_web_discover *out, char *why,
                        size_t wlen);
/* Either, by the first byte that is not white space (after a UTF-8 BOM):
 * the answer's dialect need not be the one asked for. */
int lc_web_discover_parse(const char *body, size_t len, struct lc_web_discover *out, char *why,
                          size_t wlen);
void lc_web_discover_clear(struct lc_web_discover *d);
/* The user link a client opens next: UCWA's user; in the native dialects
 * OAuth, else User. NULL when none. */
const char *lc_web_discover_user(const struct lc_web_discover *d);

/* What the verdict on one autodiscover document needs besides the document. */
struct lc_web_discover_ctx {
    const char *path;        /* the label for the message */
    const char *url;         /* the URL that answered (a redirect to itself is a loop) */
    const char *canonical;   /* the end of lyncdiscover.<d>'s CNAME chain, or NULL */
    const char *server_fqdn; /* X-MS-Server-Fqdn: evidence only, never judged */
    unsigned hops;           /* redirect links followed before this document */
};

/* The verdict on one document ([MS-OCDISCWS] 3.1.5.2): a document with a
 * user link passes (AccessLocation other than External warns); a
 * redirect-only document sets *follow to its redirect link and returns
 * LC_PASS (the caller fetches it and judges that document; more than
 * LC_WEB_MAX_DOC_HOPS redirect links, a link to itself or an unusable URL
 * fail); a document with neither fails. A domain homed in Skype for
 * Business Online (a canonical name, the URL or the user link under
 * online.lync.com / infra.lync.com) passes with a message saying so. */
enum lc_status lc_web_discover_judge(const struct lc_web_discover *d,
                                     const struct lc_web_discover_ctx *ctx, const char **follow,
                                     char *msg, size_t len);

/* A host of Skype for Business Online (under online.lync.com,
 * infra.lync.com, or the GCC High / DoD / 21Vianet equivalents; any case,
 * a trailing dot allowed)? */
int lc_web_host_is_online(const char *host);

/* No HTTP answer from lyncdiscover.<domain> (why: the transport's reason):
 * a CNAME into Skype for Business Online is hosted (LC_SKIP, saying so);
 * else on https LC_FAIL; on port 80 LC_FAIL when the CNAME leaves the
 * domain (mobile clients need port 80 there), else LC_WARN. */
enum lc_status lc_web_judge_discover_unanswered(int port80, const char *domain,
                                                const char *canonical, const char *path,
                                                const char *why, char *msg, size_t len);

/* ---- X-Ms-diagnostics (web ticket / OAuth token service errors) ---- */

struct lc_web_diag {
    int present;      /* a code was read */
    unsigned code;    /* e.g. 28020 "No valid security token." */
    char reason[200]; /* reason="..." (truncated), "" if none */
    char source[128]; /* source="..." (the internal server), "" if none */
};
/* Parse `CODE;source="...";reason="..."` (parameters in any order, spaced
 * or not, quoted or not). Returns 0, or -1 when malformed (a code read
 * before the fault is kept). */
int lc_web_diag_parse(const char *value, size_t len, struct lc_web_diag *d);
/* `28020: "No valid security token."` (reason escaped), or "none". */
const char *lc_web_diag_text(const struct lc_web_diag *d, char *buf, size_t len);

/* ---- WCF metadata ---- */

/* Endpoint addresses of a mex / WSDL document: the location attribute of
 * every element named "address" (soap:address, soap12:address) and the
 * text of every WS-Addressing "Address" element, at most LC_WEB_MAX_LINKS.
 * Returns the number found (0 when none), or -1 with why (not XML). */
int lc_web_mex_addresses(const char *body, size_t len, struct lc_strv *urls, char *why,
                         size_t wlen);

/* ---- URLs ---- */

/* The host of an absolute http(s) URL, lower case, no brackets for IPv6,
 * and its port (default for the scheme). Returns 0, or -1 (relative, other
 * scheme, no host, too long). Uses libcurl's URL parser. */
int lc_web_url_host(const char *url, char *host, size_t hlen, unsigned *port);
/* Is the URL https://? */
int lc_web_url_is_https(const char *url);

/* ---- judging one response ---- */

/* What a virtual directory must answer anonymously from outside. */
enum lc_web_expect {
    LC_WEB_EXPECT_WINAUTH = 0, /* 401 with Negotiate and/or NTLM (WebTicket, CertProv, ABS ...) */
    LC_WEB_EXPECT_OAUTH,       /* 401 with MsRtcOAuth (UCWA, the autodiscover user link) */
    LC_WEB_EXPECT_PAGE,        /* 200 (XFrame) */
    LC_WEB_EXPECT_METADATA,    /* 200 XML metadata (mex) */
    LC_WEB_EXPECT_DISCOVER,    /* 200 autodiscover document */
    LC_WEB_EXPECT_JSON_ERROR,  /* 400 with a JSON error (oauthtoken with a bogus grant) */
    LC_WEB_EXPECT_NOT_PUBLIC,  /* anything but 2xx (internal-only directories) */
    /* 200 with Lync's own page, not a proxy's default or a parking page:
     * a marker of the page in the body, or the X-MS-Server-Fqdn header. */
    LC_WEB_EXPECT_MEET,     /* the meet simple URL: Lync Web App / Skype for Business Web App */
    LC_WEB_EXPECT_DIALIN,   /* the dialin simple URL: Dial-in Conferencing Settings */
    LC_WEB_EXPECT_SCHEDULER /* /scheduler/: Lync / Skype for Business Web Scheduler */
};
#define LC_WEB_EXPECT_COUNT ((int)LC_WEB_EXPECT_SCHEDULER + 1)

/* One HTTP response, as far as the verdict needs it. */
struct lc_web_response {
    long status;                        /* 0: no HTTP response at all */
    const struct lc_web_challenges *ch; /* may be NULL: no WWW-Authenticate */
    const char *content_type;           /* may be NULL */
    const char *location;               /* Location header, may be NULL */
    const char *server;                 /* Server header, may be NULL */
    const char *server_fqdn;            /* X-MS-Server-Fqdn header, may be NULL */
    const struct lc_web_diag *diag;     /* X-Ms-diagnostics, may be NULL: shown on 4xx/5xx */
    const char *body;                   /* first bytes kept, may be NULL */
    size_t body_len;
};

/* The verdict on a response against what the path must answer, with a
 * one-line message that names the reverse proxy rule at fault when there is
 * one: a 401 without challenges (authentication stripped, or Windows
 * authentication off), a 401 with the proxy's own Basic/form challenge or a
 * 200 login page (pre-authentication), 404 (path not published: everything under / must be
 * published), 502/503/504 (backend down, wrong port bridging, or backend
 * certificate not trusted by the proxy), a redirect (followed by the caller;
 * here: where to), a 200 from another site than Lync's for the meet, dialin
 * and scheduler pages (WARN, naming the title or first bytes served).
 * LC_PASS, LC_WARN or LC_FAIL. */
enum lc_status lc_web_judge(enum lc_web_expect expect, const struct lc_web_response *r,
                            const char *path, char *msg, size_t len);

/* Does the body look like a login page (an HTML form with a password
 * field)? Case-insensitive, bounded by len. */
int lc_web_is_login_page(const char *body, size_t len);

#endif
