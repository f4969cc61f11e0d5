/* lynccheck - what the Lync web services say, read and judged.
 *
 * Pure functions over bytes a web server sent: the WWW-Authenticate
 * challenges (RFC 7235 section 4.1), the autodiscover document in JSON and
 * XML ([MS-OCDISCWS]; UCWA "CreateAnApplication"), the endpoint addresses of
 * a WCF metadata (mex/WSDL) document, and the verdict on one response with
 * the reverse proxy rule it points at. No I/O: probes/web.c fetches,
 * tests/test_web.c and the fuzzers feed these directly. Network input is
 * untrusted: every function takes a length, bounds what it keeps, and turns
 * malformed input into an error, never a crash.
 * Sources: ../shared/reference/lync-external-access.md, "Web services walk". */
#ifndef LC_WEB_H
#define LC_WEB_H

#include <stddef.h>

#include "result.h"
#include "site.h"

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

struct lc_web_discover {
    char *self;            /* _links.self.href (XML: Link token="Self"), or NULL */
    char *user;            /* _links.user.href (XML: token="User") */
    char *xframe;          /* _links.xframe.href (XML: token="Xframe") */
    char *redirect;        /* _links.redirect.href (XML: token="Redirect"): hybrid / online */
    char *access_location; /* XML: AutodiscoverResponse's AccessLocation */
    struct lc_strv hrefs;  /* every href in the document, at most LC_WEB_MAX_LINKS */
};
#define LC_WEB_MAX_LINKS 64
#define LC_WEB_MAX_DOC (1024 * 1024) /* documents larger than this are refused */

/* Parse the JSON document (jansson) / the XML document (libxml2, no network,
 * no entities, no DTD). Returns 0, or -1 with the reason in why (not JSON,
 * no _links, a link that is not an object with a string href, too large).
 * On -1, whatever was filled is still freed by lc_web_discover_clear. */
int lc_web_discover_json(const char *body, size_t len, struct lc_web_discover *out, char *why,
                         size_t wlen);
int lc_web_discover_xml(const char *body, size_t len, struct lc_web_discover *out, char *why,
                        size_t wlen);
void lc_web_discover_clear(struct lc_web_discover *d);

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
