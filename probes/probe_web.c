/* SPDX-License-Identifier: MIT */
/* lynccheck - the web probe: walk the URL sequence a Lync client walks
 * through the reverse proxy, and say which proxy rule is wrong.
 *
 * Per SIP domain: autodiscover on https://lyncdiscover.<d>/ (JSON and XML)
 * and http://lyncdiscover.<d>/, every host its links name (resolves from
 * outside, certificate covers it), the anonymous user link (401 MsRtcOAuth
 * + Bearer), and with --user a password grant and the user document. Per
 * Director and Front End external web FQDN: the virtual directories a
 * client uses (WebTicket, CertProv and their mex metadata, ABS, group
 * expansion, RGS, ucdevice, Mcx, UCWA, XFrame, oauthtoken), and that the
 * internal-only directories are not published; the simple URLs (meet,
 * dialin) and the scheduler. Every request goes to every address of the
 * name (CURLOPT_CONNECT_TO with the addresses lynccheck's own resolver
 * found, so --dns-server is honoured by the web walk too), on libcurl's
 * multi interface driven by the one loop (src/http.c). Redirects are
 * followed by the probe itself (at most LC_WEB_MAX_HOPS, loops detected,
 * each new host resolved by lynccheck's resolver). Evidence: a bounded
 * transcript per address. What a response means is src/web.c's.
 * Autodiscover documents are read in any of the three dialects and their
 * redirect links followed ([MS-OCDISCWS] 3.1.5.2, at most
 * LC_WEB_MAX_DOC_HOPS); a SIP domain homed in Skype for Business Online
 * is reported as hosted.
 * Sources: [MS-OCDISCWS]; [MS-OCAUTHWS]; Microsoft Learn, "Technical
 * requirements for mobility in Lync Server 2013", "Verify access through
 * your reverse proxy in Lync Server 2013", "Configuration requirements for
 * reverse proxy in Lync Server 2013"; UCWA "Create an application"
 * (addresses in probes/refs.h). */
#include "config.h"
#include "probe.h"

#include <ares.h>
#include <arpa/nameser.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cert.h"
#include "dns.h"
#include "fanout.h"
#include "http.h"
#include "loop.h"
#include "probes.h"
#include "refs.h"
#include "run.h"
#include "sip.h"
#include "site.h"
#include "web.h"

#define REF_WEB_DISCOVER                                                                           \
    "Autodiscover: GET https://lyncdiscover.<domain>/ answers 200 with _links self, user and "     \
    "xframe (UCWA JSON), Root Links (native JSON) or an AutodiscoverResponse (XML), or a "         \
    "redirect link for Online / hybrid users, followed ([MS-OCDISCWS] 3.1.5.2). "                  \
    "Source: " LC_DOC_MOBILITY
#define REF_WEB_DISCOVER_HTTP                                                                      \
    "The reverse proxy publishes lyncdiscover on HTTP 80 too (bridged to 8080); required where "   \
    "lyncdiscover is a CNAME into another domain, since mobile clients cannot use HTTPS there. "   \
    "Sources: " LC_DOC_MOBILITY "; " LC_DOC_RP_CONFIG
#define REF_WEB_LINKS                                                                              \
    "Every host the autodiscover links name resolves from outside and is covered by the reverse "  \
    "proxy certificate. Source: " LC_DOC_RP_CERT
#define REF_WEB_USER                                                                               \
    "An anonymous GET of the autodiscover user link answers 401 with WWW-Authenticate Bearer and " \
    "MsRtcOAuth href=\".../WebTicket/oauthtoken\" ([MS-OCDISCWS]). Source: " LC_DOC_UCWA_CREATE
#define REF_WEB_WINAUTH                                                                            \
    "Published through the reverse proxy with pass-through authentication: an anonymous request "  \
    "answers 401 with Negotiate and/or NTLM challenges ([MS-OCAUTHWS]). Source: " LC_DOC_RP_VERIFY
#define REF_WEB_MEX                                                                                \
    "WCF metadata (mex) answers 200 and its endpoint addresses use the external name the client "  \
    "asked for: the reverse proxy must pass the original Host header (inferred from WCF "          \
    "behaviour). Source: " LC_DOC_RP_CONFIG
#define REF_WEB_OAUTH                                                                              \
    "UCWA answers an anonymous request 401 with an MsRtcOAuth challenge naming "                   \
    "/WebTicket/oauthtoken. Source: " LC_DOC_UCWA_CREATE
#define REF_WEB_PAGE                                                                               \
    "The XFrame page answers 200 anonymously through the reverse proxy. "                          \
    "Sources: " LC_DOC_RP_VERIFY "; " LC_DOC_UCWA_CREATE
#define REF_WEB_LYNC_PAGE                                                                          \
    "The simple URLs and the scheduler answer 200 anonymously through the reverse proxy with "     \
    "Lync's own page (the Lync / Skype for Business Web App join page, Dial-in Conferencing "      \
    "Settings, the Web Scheduler), not the proxy's default site. Sources: " LC_DOC_RP_VERIFY       \
    "; " LC_DOC_SIMPLE_URLS
#define REF_WEB_TOKEN                                                                              \
    "The OAuth token endpoint is published anonymously: a bogus grant answers 400 with a JSON "    \
    "error, not 404 or 5xx. Source: " LC_DOC_UCWA_CREATE
#define REF_WEB_INTERNAL                                                                           \
    "Internal-only directories (/cscp, /OcsPowerShell) are not published to the internet: "        \
    "publish the external web site (4443) only. Source: " LC_DOC_RP_CONFIG
#define REF_WEB_AUTH                                                                               \
    "With credentials: a password grant on /WebTicket/oauthtoken gives a token, and the user "     \
    "document it opens is an autodiscover document whose links are absolute URLs. "                \
    "Source: " LC_DOC_UCWA_CREATE

#define LC_WEB_MAX_HOPS 5
#define LC_WEB_MAX_BODY (256 * 1024)   /* a response larger than this is refused */
#define LC_WEB_MAX_HEADERS (64 * 1024) /* response headers larger than this are refused */
#define LC_WEB_EV_BODY 512             /* body bytes kept in the transcript */
#define LC_WEB_EV_ENTRIES 8            /* transcript entries per address */
#define LC_WEB_URL_MAX 1024
#define LC_WEB_ACCEPT_JSON "application/json"
#define LC_WEB_ACCEPT_XML "application/vnd.microsoft.rtc.autodiscover+xml;v=1"

enum lc_web_kind {
    LC_WK_DISCOVER,      /* https://lyncdiscover.<d>/ JSON */
    LC_WK_DISCOVER_XML,  /* the same, XML */
    LC_WK_DISCOVER_HTTP, /* http://lyncdiscover.<d>/ JSON */
    LC_WK_LINKS,         /* the link hosts */
    LC_WK_USER,          /* the user link, anonymous */
    LC_WK_PATH,          /* a virtual directory of an external web FQDN */
    LC_WK_AUTH           /* the authenticated walk */
};

/* The virtual directories of an external web site (Director and Front End). */
struct lc_web_spec {
    const char *what;
    const char *path;
    const char *path2; /* a second path judged the same way, or NULL */
    enum lc_web_expect expect;
    int post;
    const char *ref;
};

static const struct lc_web_spec lc_web_specs[] = {
    {"webticket", "/WebTicket/WebTicketService.svc", NULL, LC_WEB_EXPECT_WINAUTH, 0,
     REF_WEB_WINAUTH},
    {"webticket-mex", "/WebTicket/WebTicketService.svc/mex", NULL, LC_WEB_EXPECT_METADATA, 0,
     REF_WEB_MEX},
    {"certprov", "/CertProv/CertProvisioningService.svc", NULL, LC_WEB_EXPECT_WINAUTH, 0,
     REF_WEB_WINAUTH},
    {"certprov-mex", "/CertProv/CertProvisioningService.svc/mex", NULL, LC_WEB_EXPECT_METADATA, 0,
     REF_WEB_MEX},
    {"abs", "/abs/handler/", NULL, LC_WEB_EXPECT_WINAUTH, 0, REF_WEB_WINAUTH},
    {"groupexpansion", "/groupexpansion/service.svc", NULL, LC_WEB_EXPECT_WINAUTH, 0,
     REF_WEB_WINAUTH},
    {"rgs", "/RgsClients/AgentService.svc", NULL, LC_WEB_EXPECT_WINAUTH, 0, REF_WEB_WINAUTH},
    {"ucdevice", "/RequestHandlerExt/ucdevice.upx", NULL, LC_WEB_EXPECT_WINAUTH, 0,
     REF_WEB_WINAUTH},
    {"mcx", "/mcx/mcxservice.svc", NULL, LC_WEB_EXPECT_WINAUTH, 0, REF_WEB_WINAUTH},
    {"ucwa", "/ucwa/oauth/v1/applications", NULL, LC_WEB_EXPECT_OAUTH, 0, REF_WEB_OAUTH},
    {"xframe", "/Autodiscover/XFrame/XFrame.html", NULL, LC_WEB_EXPECT_PAGE, 0, REF_WEB_PAGE},
    {"oauthtoken", "/WebTicket/oauthtoken", NULL, LC_WEB_EXPECT_JSON_ERROR, 1, REF_WEB_TOKEN},
    {"internal-dirs", "/cscp/", "/OcsPowerShell/", LC_WEB_EXPECT_NOT_PUBLIC, 0, REF_WEB_INTERNAL},
};
static const struct lc_web_spec lc_web_scheduler = {
    "scheduler", "/scheduler/", NULL, LC_WEB_EXPECT_SCHEDULER, 0, REF_WEB_LYNC_PAGE};
static const struct lc_web_spec lc_web_meet = {"meet", "/meet/",         NULL, LC_WEB_EXPECT_MEET,
                                               0,      REF_WEB_LYNC_PAGE};
static const struct lc_web_spec lc_web_dialin = {
    "dialin", "/dialin/", NULL, LC_WEB_EXPECT_DIALIN, 0, REF_WEB_LYNC_PAGE};

struct lc_web_job;

/* One request chain (with its redirects) to one address (fanout.h). */
struct lc_web_req {
    struct lc_fanout_slot slot; /* first; its address follows redirects */
    struct lc_web_job *job;
    CURL *easy;
    int attached; /* easy is in the multi handle (http.c) */
    struct curl_slist *headers;
    struct curl_slist *connect_to;
    char url[LC_WEB_URL_MAX];
    char host[256]; /* the URL's host (what the certificate must cover) */
    unsigned port;
    const char *path; /* the label for messages: the first path asked */
    /* The URLs of the chain so far (loop detection), each allocated:
     * inline they were 6 KB of every request for the whole run. */
    char *visited[LC_WEB_MAX_HOPS + 1];
    unsigned hops;
    unsigned doc_hops;  /* autodiscover redirect links followed (of hops) */
    int resolving;      /* waiting for a redirect target's addresses */
    unsigned dns_left;  /* A and AAAA answers still to come */
    char next_addr[46]; /* the redirect target's first address */
    /* the response being read */
    long status;
    struct lc_web_challenges ch;
    char ctype[128], location[LC_WEB_URL_MAX], server[128], fqdn[256];
    struct lc_web_diag diag; /* X-Ms-diagnostics */
    char *body;
    size_t body_len;
    int too_big;
    size_t header_bytes; /* the response headers so far, capped */
    int headers_too_big;
    X509 *peer;
    char errbuf[CURL_ERROR_SIZE];
    CURLcode result;
    uint64_t started_us;
    json_t *transcript;   /* borrowed from the evidence */
    int transport_failed; /* no HTTP answer at all (refused, timeout, TLS) */
};

/* One check. */
struct lc_web_job {
    enum lc_web_kind kind;
    const struct lc_web_spec *spec;
    struct lc_check *check;
    char *host;     /* the name whose addresses are walked */
    char *domain;   /* SIP domain (autodiscover checks) */
    char *user;     /* --user (auth only) */
    char *password; /* (auth only), cleansed on free */
    const char *ca_file;
    struct lc_fanout fan; /* the requests: one per address (and path) */
    /* links: the hosts to check, each with its lookups */
    struct lc_strv link_hosts;
    struct lc_strv link_urls;
    size_t dns_pending;
    struct lc_strv unresolved;
    struct lc_web_addr_list {
        char addr[46];
        size_t host; /* index in link_hosts */
    } * link_addrs;
    size_t n_link_addrs;
    /* auth: the stage of the walk */
    int auth_stage;
    char token[2048];
};

/* What web.discover leaves for web.links, web.user and web.auth. */
struct lc_web_discover_data {
    struct lc_web_discover doc;
};

/* What web.user leaves for web.auth: the token endpoint. */
struct lc_web_user_data {
    char href[512];
    char user_url[LC_WEB_URL_MAX];
};

/* ---------------------------------------------------------------- small helpers */

static json_t *lc_web_json_esc(const char *s, size_t n, size_t cap)
{
    char *out = malloc(cap);
    json_t *j;

    if (out == NULL)
        return NULL;
    lc_sip_escape(s != NULL ? s : "", s != NULL ? n : 0, out, cap);
    j = json_string(out);
    free(out);
    return j;
}

static json_t *lc_web_json_str(const char *s)
{
    return lc_web_json_esc(s, s != NULL ? strlen(s) : 0, 600);
}

static void lc_web_req_reset(struct lc_web_req *r)
{
    r->status = 0;
    memset(&r->ch, 0, sizeof(r->ch));
    memset(&r->diag, 0, sizeof(r->diag));
    r->ctype[0] = r->location[0] = r->server[0] = r->fqdn[0] = '\0';
    free(r->body);
    r->body = NULL;
    r->body_len = 0;
    r->too_big = 0;
    r->header_bytes = 0;
    r->headers_too_big = 0;
    if (r->peer != NULL) {
        X509_free(r->peer);
        r->peer = NULL;
    }
    r->errbuf[0] = '\0';
    r->result = CURLE_OK;
}

/* visited[i] = url; -1 when out of memory. */
static int lc_web_visit(struct lc_web_req *r, unsigned i, const char *url)
{
    char *v = strdup(url);

    if (v == NULL)
        return -1;
    free(r->visited[i]);
    r->visited[i] = v;
    return 0;
}

static void lc_web_req_release(struct lc_web_req *r, struct lc_http *http)
{
    lc_http_easy_drop(http, &r->easy, &r->attached);
    curl_slist_free_all(r->headers);
    r->headers = NULL;
    curl_slist_free_all(r->connect_to);
    r->connect_to = NULL;
}

static struct lc_web_req *lc_web_req_at(const struct lc_web_job *j, size_t i)
{
    return (struct lc_web_req *)(void *)lc_fanout_at(&j->fan, i);
}

/* The request's buffers: body, peer certificate, visited URLs. */
static void lc_web_req_forget(struct lc_web_req *r)
{
    unsigned i;

    lc_web_req_reset(r);
    for (i = 0; i <= LC_WEB_MAX_HOPS; i++) {
        free(r->visited[i]);
        r->visited[i] = NULL;
    }
}

static void lc_web_req_release_slot(struct lc_fanout_slot *s)
{
    struct lc_web_req *r = (struct lc_web_req *)(void *)s;

    lc_web_req_release(r, lc_check_http(r->job->check));
    /* With its verdict in (s->done), the transfer is gone (above: no
     * libcurl callback can come) and only the slot's status and message
     * are read from here on (lc_web_job_check_done, lc_fanout_judge): the
     * buffers go now rather than at the end of the run. A cancelled slot
     * without a verdict keeps them until lc_web_job_free. */
    if (s->done)
        lc_web_req_forget(r);
}

static void lc_web_cancel(struct lc_check *check, void *arg)
{
    struct lc_web_job *j = arg;

    (void)check;
    lc_fanout_release(&j->fan);
}

static void lc_web_job_free(void *p)
{
    struct lc_web_job *j = p;
    size_t i;

    if (j == NULL)
        return;
    /* libcurl's multi handle is gone by now: easy handles are cleaned up
     * here, not cancelled through it. */
    for (i = 0; i < j->fan.n; i++) {
        lc_web_req_release(lc_web_req_at(j, i), NULL);
        lc_web_req_forget(lc_web_req_at(j, i));
    }
    lc_fanout_clear(&j->fan);
    free(j->host);
    free(j->domain);
    free(j->user);
    if (j->password != NULL) {
        OPENSSL_cleanse(j->password, strlen(j->password));
        free(j->password);
    }
    OPENSSL_cleanse(j->token, sizeof(j->token));
    lc_strv_clear(&j->link_hosts);
    lc_strv_clear(&j->link_urls);
    lc_strv_clear(&j->unresolved);
    free(j->link_addrs);
    free(j);
}

static void lc_web_discover_data_free(void *p)
{
    struct lc_web_discover_data *d = p;

    if (d == NULL)
        return;
    lc_web_discover_clear(&d->doc);
    free(d);
}

/* ---------------------------------------------------------------- libcurl callbacks */

static size_t lc_web_on_body(char *data, size_t size, size_t n, void *arg)
{
    struct lc_web_req *r = arg;
    int rc = lc_http_body_append(&r->body, &r->body_len, LC_WEB_MAX_BODY, data, size * n, 0);

    r->too_big = rc > 0;
    return rc == 0 ? size * n : 0; /* else CURLE_WRITE_ERROR: the transfer stops here */
}

/* Keep the peer certificate while the connection is alive: web.links
 * judges it with Lync's rules (no wildcard for external web FQDNs). */
static void lc_web_grab_peer(struct lc_web_req *r)
{
    struct curl_tlssessioninfo *ti = NULL;

    if (r->peer != NULL)
        return;
    if (curl_easy_getinfo(r->easy, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK || ti == NULL ||
        ti->backend != CURLSSLBACKEND_OPENSSL || ti->internals == NULL)
        return;
    r->peer = SSL_get1_peer_certificate((SSL *)ti->internals);
}

static size_t lc_web_on_header(char *data, size_t size, size_t n, void *arg)
{
    struct lc_web_req *r = arg;
    size_t len = size * n, nlen;
    const char *colon;

    lc_web_grab_peer(r);
    /* libcurl bounds one header line, not how many: an endless stream of
     * header lines would run until the timeout. */
    r->header_bytes += len;
    if (r->header_bytes > LC_WEB_MAX_HEADERS) {
        r->headers_too_big = 1;
        return 0; /* CURLE_WRITE_ERROR */
    }
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        /* A new response (after a 100 Continue): forget the last one's headers. */
        memset(&r->ch, 0, sizeof(r->ch));
        memset(&r->diag, 0, sizeof(r->diag));
        r->ctype[0] = r->location[0] = r->server[0] = r->fqdn[0] = '\0';
        return len;
    }
    colon = memchr(data, ':', len);
    if (colon == NULL)
        return len;
    nlen = (size_t)(colon - data);
    colon++;
#define LC_IS(h) (nlen == sizeof(h) - 1 && strncasecmp(data, h, nlen) == 0)
    if (LC_IS("WWW-Authenticate")) {
        size_t vlen = len - (size_t)(colon - data);
        while (vlen > 0 && (colon[vlen - 1] == '\r' || colon[vlen - 1] == '\n'))
            vlen--;
        (void)lc_web_challenges_add(&r->ch, colon, vlen);
    } else if (LC_IS("Content-Type")) {
        lc_http_header_value(r->ctype, sizeof(r->ctype), colon, len - (size_t)(colon - data));
    } else if (LC_IS("Location")) {
        lc_http_header_value(r->location, sizeof(r->location), colon, len - (size_t)(colon - data));
    } else if (LC_IS("Server")) {
        lc_http_header_value(r->server, sizeof(r->server), colon, len - (size_t)(colon - data));
    } else if (LC_IS("X-MS-Server-Fqdn")) {
        lc_http_header_value(r->fqdn, sizeof(r->fqdn), colon, len - (size_t)(colon - data));
    } else if (LC_IS("X-Ms-diagnostics") && !r->diag.present) {
        /* The web ticket / OAuth token service's reason for an error
         * (UCWA "Authentication in UCWA"; header names in any case). */
        char v[512];
        lc_http_header_value(v, sizeof(v), colon, len - (size_t)(colon - data));
        (void)lc_web_diag_parse(v, strlen(v), &r->diag);
    }
#undef LC_IS
    return len;
}

/* ---------------------------------------------------------------- requests */

static void lc_web_req_done(CURL *easy, CURLcode result, void *arg);
static void lc_web_req_finish(struct lc_web_req *r);

/* Make the easy handle for r->url on r->slot.addr (not started yet). */
static int lc_web_req_prepare(struct lc_web_req *r)
{
    struct lc_web_job *j = r->job;
    struct lc_http_service_req q = {.url = r->url,
                                    .host = r->host,
                                    .addr = r->slot.addr,
                                    .check_timeout_us = lc_check_config(j->check)->timeout_us,
                                    .ca_file = j->ca_file,
                                    .on_body = lc_web_on_body,
                                    .on_header = lc_web_on_header,
                                    .arg = r};

    lc_web_req_release(r, lc_check_http(j->check));
    lc_web_req_reset(r);
    if (lc_web_url_host(r->url, r->host, sizeof(r->host), &r->port) < 0)
        return -1;
    /* Certificates are always verified; --ca-file adds trust anchors to
     * the system's. The CONNECT_TO list is freed with the request. */
    q.port = r->port;
    r->easy = lc_http_easy_service(&q, r->errbuf, &r->connect_to);
    if (r->easy == NULL)
        return -1;
    r->started_us = lc_now_us();
    return 0;
}

static struct curl_slist *lc_web_add_header(struct lc_web_req *r, const char *h)
{
    struct curl_slist *l = curl_slist_append(r->headers, h);

    if (l != NULL)
        r->headers = l;
    return l;
}

/* ---------------------------------------------------------------- transcript */

static void lc_web_transcript_add(struct lc_web_req *r, const char *method, const char *extra)
{
    json_t *e, *h;
    char ch[96];
    uint64_t ms = (lc_now_us() - r->started_us) / 1000;

    if (r->transcript == NULL || json_array_size(r->transcript) >= LC_WEB_EV_ENTRIES)
        return;
    e = json_object();
    h = json_object();
    if (e == NULL || h == NULL) {
        json_decref(e);
        json_decref(h);
        return;
    }
    json_object_set_new(e, "request", lc_web_json_str(method));
    json_object_set_new(e, "url", lc_web_json_str(r->url));
    json_object_set_new(e, "address", json_string(r->slot.addr));
    if (extra != NULL)
        json_object_set_new(e, "note", lc_web_json_str(extra));
    json_object_set_new(e, "elapsed_ms", json_integer((json_int_t)ms));
    if (r->status != 0) {
        json_object_set_new(e, "status", json_integer((json_int_t)r->status));
        if (r->ch.n_headers > 0) {
            json_object_set_new(h, "www_authenticate",
                                lc_web_json_str(lc_web_challenges_text(&r->ch, ch, sizeof(ch))));
            if (r->ch.msrtc_href[0] != '\0')
                json_object_set_new(h, "msrtcoauth_href", lc_web_json_str(r->ch.msrtc_href));
            if (r->ch.realm[0] != '\0')
                json_object_set_new(h, "realm", lc_web_json_str(r->ch.realm));
            if (r->ch.malformed)
                json_object_set_new(h, "www_authenticate_malformed", json_true());
        }
        if (r->ctype[0] != '\0')
            json_object_set_new(h, "content_type", lc_web_json_str(r->ctype));
        if (r->location[0] != '\0')
            json_object_set_new(h, "location", lc_web_json_str(r->location));
        if (r->server[0] != '\0')
            json_object_set_new(h, "server", lc_web_json_str(r->server));
        if (r->fqdn[0] != '\0')
            json_object_set_new(h, "x_ms_server_fqdn", lc_web_json_str(r->fqdn));
        if (r->diag.present) {
            json_t *d = json_object();
            if (d != NULL) {
                json_object_set_new(d, "code", json_integer((json_int_t)r->diag.code));
                if (r->diag.reason[0] != '\0')
                    json_object_set_new(d, "reason", lc_web_json_str(r->diag.reason));
                if (r->diag.source[0] != '\0')
                    json_object_set_new(d, "source", lc_web_json_str(r->diag.source));
                json_object_set_new(h, "x_ms_diagnostics", d);
            }
        }
        json_object_set_new(e, "headers", h);
        h = NULL;
        json_object_set_new(e, "body_bytes", json_integer((json_int_t)r->body_len));
        if (r->body_len > 0)
            json_object_set_new(e, "body", lc_web_json_esc(r->body, r->body_len, LC_WEB_EV_BODY));
    } else {
        json_object_set_new(
            e, "error",
            lc_web_json_str(r->errbuf[0] != '\0' ? r->errbuf : curl_easy_strerror(r->result)));
    }
    if (r->too_big)
        json_object_set_new(e, "body_over_cap", json_integer(LC_WEB_MAX_BODY));
    json_decref(h);
    json_array_append_new(r->transcript, e);
}

/* ---------------------------------------------------------------- judging */

/* Why the transfer produced no HTTP answer, in words. */
static const char *lc_web_transport_why(const struct lc_web_req *r, char *buf, size_t len)
{
    char e[300];

    if (r->too_big) {
        snprintf(buf, len, "the response is larger than %d KiB (refused)", LC_WEB_MAX_BODY / 1024);
        return buf;
    }
    if (r->headers_too_big) {
        snprintf(buf, len, "the response headers are larger than %d KiB (refused)",
                 LC_WEB_MAX_HEADERS / 1024);
        return buf;
    }
    if (r->result == CURLE_OUT_OF_MEMORY) {
        /* libcurl's own limit on one header line (100 KiB) reads so. */
        snprintf(buf, len, "the response has a header line over libcurl's limit (refused)");
        return buf;
    }
    lc_sip_escape_str(r->errbuf[0] != '\0' ? r->errbuf : curl_easy_strerror(r->result), e,
                      sizeof(e));
    switch (r->result) {
    case CURLE_COULDNT_CONNECT:
        snprintf(buf, len, "no connection to %s port %u (%s)", r->slot.addr, r->port, e);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        snprintf(buf, len, "no complete HTTP response from %s port %u in time (%s)", r->slot.addr,
                 r->port, e);
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
        snprintf(buf, len, "TLS with %s failed: %s (the tls.* checks say more)", r->host, e);
        break;
    default:
        snprintf(buf, len, "%s", e);
        break;
    }
    return buf;
}

static void lc_web_req_judge(struct lc_web_req *r);
static int lc_web_req_begin(struct lc_web_req *r);

/* A redirect target resolved (or not): go on with the chain. */
static void lc_web_on_redirect_dns(const struct lc_dns_answer *a, void *arg)
{
    struct lc_web_req *r = arg;

    if (r->slot.done || lc_check_is_done(r->job->check))
        return;
    if (a->status == ARES_SUCCESS && a->n_addrs > 0 && r->next_addr[0] == '\0')
        snprintf(r->next_addr, sizeof(r->next_addr), "%s", a->addrs[0].text);
    if (--r->dns_left > 0)
        return;
    r->resolving = 0;
    if (r->next_addr[0] == '\0') {
        char h[300];
        lc_fanout_end(&r->slot, LC_FAIL,
                      "%s redirects to %s, a name that does not resolve from outside "
                      "(an internal name in the redirect?)",
                      r->path, lc_sip_escape_str(r->host, h, sizeof(h)));
        return;
    }
    lc_fanout_set_addr(&r->slot, r->next_addr);
    if (lc_web_req_begin(r) < 0)
        lc_fanout_end(&r->slot, LC_ERROR, "cannot start the request to %s", r->slot.addr);
}

/* Go on to another URL: the same address when the host is the same, else
 * the first address lynccheck's resolver gives for the new host. */
static void lc_web_goto(struct lc_web_req *r, const char *next)
{
    char host[256], e[300];

    if (strlen(next) >= sizeof(r->url) || lc_web_url_host(next, host, sizeof(host), NULL) < 0) {
        lc_fanout_end(&r->slot, LC_FAIL, "%s: unusable URL %s", r->path,
                      lc_sip_escape_str(next, e, sizeof(e)));
        return;
    }
    lc_web_req_release(r, lc_check_http(r->job->check));
    snprintf(r->url, sizeof(r->url), "%s", next);
    if (strcasecmp(host, r->host) != 0) {
        r->resolving = 1;
        r->dns_left = 2;
        r->next_addr[0] = '\0';
        snprintf(r->host, sizeof(r->host), "%s", host);
        if (lc_dns_query(lc_check_dns(r->job->check), host, ns_t_a, lc_web_on_redirect_dns, r) < 0)
            lc_fanout_end(&r->slot, LC_ERROR, "out of memory");
        else if (lc_dns_query(lc_check_dns(r->job->check), host, ns_t_aaaa, lc_web_on_redirect_dns,
                              r) < 0)
            lc_fanout_end(&r->slot, LC_ERROR, "out of memory");
        return;
    }
    if (lc_web_req_begin(r) < 0)
        lc_fanout_end(&r->slot, LC_ERROR, "cannot start the request to %s", r->slot.addr);
}

/* Follow a redirect ourselves: our resolver for a new host, our loop
 * detection. Returns 1 when the chain goes on, 0 when the response stands. */
static int lc_web_follow(struct lc_web_req *r)
{
    CURLU *u = NULL;
    char *next = NULL, host[256], h1[300], h2[300];
    unsigned port = 0, i;
    int ret = 0;

    if (r->status < 300 || r->status >= 400 || r->status == 304 || r->location[0] == '\0')
        return 0;
    u = curl_url();
    if (u == NULL || curl_url_set(u, CURLUPART_URL, r->url, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_URL, r->location, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &next, 0) != CURLUE_OK || strlen(next) >= LC_WEB_URL_MAX ||
        lc_web_url_host(next, host, sizeof(host), &port) < 0) {
        lc_fanout_end(&r->slot, LC_FAIL, "%s redirects to an unusable Location: %s", r->path,
                      lc_sip_escape_str(r->location, h1, sizeof(h1)));
        ret = 1;
        goto done;
    }
    for (i = 0; i <= r->hops && i <= LC_WEB_MAX_HOPS; i++) {
        /* Host names in any case (Online's webdir1A / webdir1a); IIS
         * paths are case-insensitive too. */
        if (r->visited[i] != NULL && strcasecmp(r->visited[i], next) == 0) {
            lc_fanout_end(&r->slot, LC_FAIL, "%s: redirect loop (%s -> %s), after %u redirects",
                          r->path, lc_sip_escape_str(r->url, h1, sizeof(h1)),
                          lc_sip_escape_str(next, h2, sizeof(h2)), r->hops + 1);
            ret = 1;
            goto done;
        }
    }
    if (r->hops >= LC_WEB_MAX_HOPS) {
        lc_fanout_end(&r->slot, LC_FAIL, "%s: more than %d redirects (redirect loop?), last to %s",
                      r->path, LC_WEB_MAX_HOPS, lc_sip_escape_str(next, h1, sizeof(h1)));
        ret = 1;
        goto done;
    }
    r->hops++;
    ret = 1;
    if (lc_web_visit(r, r->hops, next) < 0) {
        lc_fanout_end(&r->slot, LC_ERROR, "out of memory");
        goto done;
    }
    lc_web_goto(r, next);
done:
    curl_free(next);
    curl_url_cleanup(u);
    return ret;
}

static void lc_web_req_done(CURL *easy, CURLcode result, void *arg)
{
    struct lc_web_req *r = arg;
    const char *method = "GET";

    /* http.c gives the handle back: ours to clean up. */
    r->easy = NULL;
    r->attached = 0;
    r->result = result;
    if (result == CURLE_OK)
        (void)curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r->status);
    else
        r->status = 0;
    if (r->job->kind == LC_WK_PATH && r->job->spec->post)
        method = "POST";
    else if (r->job->kind == LC_WK_AUTH && r->job->auth_stage == 0)
        method = "POST";
    curl_easy_cleanup(easy);
    if (r->slot.done || lc_check_is_done(r->job->check))
        return;
    lc_web_transcript_add(r, method, r->hops > 0 ? "after a redirect" : NULL);
    if (result != CURLE_OK || r->status == 0) {
        r->transport_failed = 1;
        lc_web_req_finish(r);
        return;
    }
    /* An internal-only directory that redirects (to a sign-in page, even
     * to an internal host) serves nothing from outside: judged as it is. */
    if (!(r->job->kind == LC_WK_PATH && r->job->spec->expect == LC_WEB_EXPECT_NOT_PUBLIC) &&
        lc_web_follow(r))
        return;
    lc_web_req_judge(r);
}

/* The end of lyncdiscover.<d>'s CNAME chain (the dns.a dependency), or NULL. */
static const char *lc_web_canonical(const struct lc_web_job *j)
{
    const struct lc_check *dep = lc_check_n_deps(j->check) > 0 ? lc_check_dep(j->check, 0) : NULL;
    const struct lc_dns_name *d = dep != NULL ? lc_check_data(dep) : NULL;

    return d != NULL ? d->canonical : NULL;
}

/* No HTTP answer: the verdict depends on the kind (port 80 only warns). */
static void lc_web_req_finish(struct lc_web_req *r)
{
    char why[700];

    lc_web_transport_why(r, why, sizeof(why));
    if (r->job->kind == LC_WK_DISCOVER_HTTP || r->job->kind == LC_WK_DISCOVER ||
        r->job->kind == LC_WK_DISCOVER_XML) {
        char msg[900];
        enum lc_status st = lc_web_judge_discover_unanswered(
            r->job->kind == LC_WK_DISCOVER_HTTP, r->job->domain, lc_web_canonical(r->job), r->path,
            why, msg, sizeof(msg));
        lc_fanout_end(&r->slot, st, "%s", msg);
        return;
    }
    lc_fanout_end(&r->slot, LC_FAIL, "%s: %s", r->path, why);
}

static void lc_web_response_of(const struct lc_web_req *r, struct lc_web_response *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->status = r->status;
    resp->ch = r->ch.n_headers > 0 ? &r->ch : NULL;
    resp->content_type = r->ctype[0] != '\0' ? r->ctype : NULL;
    resp->location = r->location[0] != '\0' ? r->location : NULL;
    resp->server = r->server[0] != '\0' ? r->server : NULL;
    resp->server_fqdn = r->fqdn[0] != '\0' ? r->fqdn : NULL;
    resp->diag = r->diag.present ? &r->diag : NULL;
    resp->body = r->body;
    resp->body_len = r->body_len;
}

/* The mex document's endpoint addresses must name the host asked for. */
static void lc_web_judge_mex(struct lc_web_req *r, const char *msg)
{
    struct lc_strv urls = {NULL, 0};
    char why[200], host[256], h1[300], h2[300];
    int n = lc_web_mex_addresses(r->body, r->body_len, &urls, why, sizeof(why));
    size_t i;

    if (n < 0) {
        lc_fanout_end(&r->slot, LC_FAIL, "%s answers 200 but the metadata is unreadable: %s",
                      r->path, why);
        goto done;
    }
    if (n == 0) {
        lc_fanout_end(&r->slot, LC_WARN, "%s: the metadata names no endpoint address", r->path);
        goto done;
    }
    for (i = 0; i < urls.n; i++) {
        if (lc_web_url_host(urls.v[i], host, sizeof(host), NULL) < 0 ||
            strcasecmp(host, r->host) != 0) {
            lc_fanout_end(&r->slot, LC_FAIL,
                          "%s: the metadata names %s, not %s: the reverse proxy rewrote the Host "
                          "header (pass the original Host header to the Lync site)",
                          r->path, lc_sip_escape_str(urls.v[i], h1, sizeof(h1)),
                          lc_sip_escape_str(r->host, h2, sizeof(h2)));
            goto done;
        }
    }
    lc_fanout_end(&r->slot, LC_PASS, "%s; its %zu endpoint address%s use%s %s", msg, urls.n,
                  urls.n == 1 ? "" : "es", urls.n == 1 ? "s" : "", r->host);
done:
    lc_strv_clear(&urls);
}

/* Judge the autodiscover document (any dialect: the answer's, not the one
 * asked for); follow its redirect link, if that is all it has. */
static void lc_web_judge_discover(struct lc_web_req *r)
{
    struct lc_web_discover doc;
    struct lc_web_discover_ctx ctx;
    const char *follow = NULL;
    char why[200], msg[900];
    enum lc_status st;

    memset(&doc, 0, sizeof(doc));
    memset(&ctx, 0, sizeof(ctx));
    if (lc_web_discover_parse(r->body, r->body_len, &doc, why, sizeof(why)) < 0) {
        lc_web_discover_clear(&doc);
        lc_fanout_end(&r->slot, LC_FAIL, "%s answers 200 but not an autodiscover document: %s",
                      r->path, why);
        return;
    }
    ctx.path = r->path;
    ctx.url = r->url;
    ctx.canonical = lc_web_canonical(r->job);
    ctx.server_fqdn = r->fqdn;
    ctx.hops = r->doc_hops;
    st = lc_web_discover_judge(&doc, &ctx, &follow, msg, sizeof(msg));
    if (follow != NULL) {
        char next[LC_WEB_URL_MAX], e[300];
        unsigned i;

        snprintf(next, sizeof(next), "%s", follow);
        lc_web_discover_clear(&doc);
        for (i = 0; i <= r->hops && i <= LC_WEB_MAX_HOPS; i++) {
            if (r->visited[i] != NULL && strcasecmp(r->visited[i], next) == 0) {
                lc_fanout_end(&r->slot, LC_FAIL, "%s: redirect loop (a redirect link back to %s)",
                              r->path, lc_sip_escape_str(next, e, sizeof(e)));
                return;
            }
        }
        if (r->hops >= LC_WEB_MAX_HOPS) {
            lc_fanout_end(&r->slot, LC_FAIL, "%s: more than %d redirects, last to %s", r->path,
                          LC_WEB_MAX_HOPS, lc_sip_escape_str(next, e, sizeof(e)));
            return;
        }
        r->hops++;
        r->doc_hops++;
        if (lc_web_visit(r, r->hops, next) < 0) {
            lc_fanout_end(&r->slot, LC_ERROR, "out of memory");
            return;
        }
        lc_web_goto(r, next);
        return;
    }
    /* The first good document goes to the checks that follow the links,
     * before the verdict: ending the last request ends the check, and the
     * checks that depend on it start from there. */
    if (st != LC_FAIL && r->job->kind == LC_WK_DISCOVER && lc_check_data(r->job->check) == NULL) {
        struct lc_web_discover_data *d = calloc(1, sizeof(*d));
        if (d != NULL) {
            d->doc = doc;
            memset(&doc, 0, sizeof(doc));
            lc_check_set_data(r->job->check, d, lc_web_discover_data_free);
        }
    }
    lc_web_discover_clear(&doc);
    lc_fanout_end(&r->slot, st, "%s", msg);
}

static void lc_web_auth_step(struct lc_web_req *r);

static void lc_web_req_judge(struct lc_web_req *r)
{
    struct lc_web_job *j = r->job;
    struct lc_web_response resp;
    char msg[600];
    enum lc_status st;

    lc_web_response_of(r, &resp);
    switch (j->kind) {
    case LC_WK_DISCOVER:
    case LC_WK_DISCOVER_XML:
    case LC_WK_DISCOVER_HTTP:
        st = lc_web_judge(LC_WEB_EXPECT_DISCOVER, &resp, r->path, msg, sizeof(msg));
        if (st != LC_PASS) {
            lc_fanout_end(&r->slot, st, "%s", msg);
            return;
        }
        lc_web_judge_discover(r);
        return;
    case LC_WK_LINKS:
        /* Any HTTP answer will do here: the certificate is what counts. */
        if (r->peer == NULL && lc_web_url_is_https(r->url)) {
            lc_fanout_end(&r->slot, LC_ERROR, "%s: no certificate seen", r->host);
            return;
        }
        if (r->peer != NULL) {
            char matched[256];
            if (!lc_cert_covers(r->peer, r->host, 0, matched, sizeof(matched))) {
                int wild = lc_cert_covers(r->peer, r->host, 1, matched, sizeof(matched));
                lc_fanout_end(&r->slot, LC_FAIL,
                              "the certificate on %s for %s %s (a link host needs its own name "
                              "in the reverse proxy certificate)",
                              r->slot.addr, r->host,
                              wild ? "covers it only by a wildcard" : "does not cover it");
                return;
            }
        }
        lc_fanout_end(&r->slot, LC_PASS, "%s answers %ld; its certificate covers %s", r->host,
                      r->status, r->host);
        return;
    case LC_WK_USER:
        st = lc_web_judge(LC_WEB_EXPECT_OAUTH, &resp, r->path, msg, sizeof(msg));
        if (st == LC_PASS && lc_check_data(j->check) == NULL) {
            struct lc_web_user_data *u = calloc(1, sizeof(*u));
            if (u != NULL) {
                snprintf(u->href, sizeof(u->href), "%s", r->ch.msrtc_href);
                snprintf(u->user_url, sizeof(u->user_url), "%s",
                         r->visited[0] != NULL ? r->visited[0] : r->url);
                lc_check_set_data(j->check, u, free);
            }
        }
        lc_fanout_end(&r->slot, st, "%s", msg);
        return;
    case LC_WK_AUTH:
        lc_web_auth_step(r);
        return;
    case LC_WK_PATH:
        st = lc_web_judge(j->spec->expect, &resp, r->path, msg, sizeof(msg));
        if (st == LC_PASS && j->spec->expect == LC_WEB_EXPECT_METADATA) {
            lc_web_judge_mex(r, msg);
            return;
        }
        lc_fanout_end(&r->slot, st, "%s", msg);
        return;
    }
    lc_fanout_end(&r->slot, LC_ERROR, "internal: unknown kind");
}

/* ---------------------------------------------------------------- the authenticated walk */

/* Stage 0: POST grant_type=password to the token URL; stage 1: GET the
 * user link with the token; then the hosts of the user document resolve.
 * The password and the token never go into evidence or messages: the
 * transcript records the request line only, and the token response's body
 * is replaced by its size. */
static int lc_web_auth_post(struct lc_web_req *r)
{
    struct lc_web_job *j = r->job;
    char *u = NULL, *p = NULL, *body = NULL;
    size_t n;
    int ret = -1;

    u = curl_easy_escape(NULL, j->user, 0);
    p = curl_easy_escape(NULL, j->password, 0);
    if (u == NULL || p == NULL)
        goto done;
    n = strlen(u) + strlen(p) + 64;
    body = malloc(n);
    if (body == NULL)
        goto done;
    snprintf(body, n, "grant_type=password&username=%s&password=%s", u, p);
    /* COPYPOSTFIELDS: libcurl keeps its own copy (which it frees without
     * cleansing); ours is cleansed below. */
    if (curl_easy_setopt(r->easy, CURLOPT_COPYPOSTFIELDS, body) != CURLE_OK)
        goto done;
    ret = 0;
done:
    if (p != NULL) {
        OPENSSL_cleanse(p, strlen(p));
        curl_free(p);
    }
    curl_free(u);
    if (body != NULL) {
        OPENSSL_cleanse(body, strlen(body));
        free(body);
    }
    return ret;
}

static void lc_web_auth_step(struct lc_web_req *r)
{
    struct lc_web_job *j = r->job;
    json_t *root = NULL, *tok;
    json_error_t jerr;
    char e[300];

    if (j->auth_stage == 0) {
        /* The body holds the token: keep only its size in the transcript. */
        if (r->transcript != NULL && json_array_size(r->transcript) > 0) {
            json_t *last = json_array_get(r->transcript, json_array_size(r->transcript) - 1);
            json_object_set_new(last, "body", json_string("(token response, not shown)"));
        }
        if (r->status != 200) {
            char diag[300] = "";
            if (r->diag.present) {
                char t[260];
                snprintf(diag, sizeof(diag), " (X-Ms-diagnostics %s)",
                         lc_web_diag_text(&r->diag, t, sizeof(t)));
            }
            lc_fanout_end(&r->slot, LC_FAIL,
                          "the password grant on %s answers %ld, not 200 with a token (wrong "
                          "credentials, or the token endpoint is not published)%s",
                          lc_sip_escape_str(r->url, e, sizeof(e)), r->status, diag);
            return;
        }
        root = json_loadb(r->body != NULL ? r->body : "", r->body_len, 0, &jerr);
        tok = json_is_object(root) ? json_object_get(root, "access_token") : NULL;
        if (!json_is_string(tok) || json_string_length(tok) == 0 ||
            json_string_length(tok) >= sizeof(j->token)) {
            json_decref(root);
            lc_fanout_end(&r->slot, LC_FAIL,
                          "the password grant answers 200 without a usable token");
            return;
        }
        snprintf(j->token, sizeof(j->token), "%s", json_string_value(tok));
        json_decref(root);
        j->auth_stage = 1;
        {
            const struct lc_web_discover_data *d = NULL;
            size_t i;
            for (i = 0; i < lc_check_n_deps(j->check); i++) {
                const struct lc_check *dep = lc_check_dep(j->check, i);
                if (strcmp(lc_check_result(dep)->what, "discover") == 0)
                    d = lc_check_data(dep);
            }
            if (d == NULL || lc_web_discover_user(&d->doc) == NULL) {
                lc_fanout_end(&r->slot, LC_ERROR, "no user link to open");
                return;
            }
            r->hops = 0;
            r->doc_hops = 0;
            if (lc_web_visit(r, 0, lc_web_discover_user(&d->doc)) < 0) {
                lc_fanout_end(&r->slot, LC_ERROR, "out of memory");
                return;
            }
            r->path = "the user link";
            lc_web_goto(r, lc_web_discover_user(&d->doc));
        }
        return;
    }
    /* Stage 1: the user document. */
    if (r->status != 200) {
        lc_fanout_end(&r->slot, LC_FAIL, "with the token, the user link answers %ld, not 200",
                      r->status);
        return;
    }
    {
        struct lc_web_discover doc;
        char why[200], host[256];
        size_t i, bad = 0;
        memset(&doc, 0, sizeof(doc));
        if (lc_web_discover_parse(r->body, r->body_len, &doc, why, sizeof(why)) < 0) {
            lc_fanout_end(&r->slot, LC_FAIL, "the user document is unreadable: %s", why);
            lc_web_discover_clear(&doc);
            return;
        }
        for (i = 0; i < doc.hrefs.n; i++) {
            if (lc_web_url_host(doc.hrefs.v[i], host, sizeof(host), NULL) < 0)
                bad++;
        }
        if (bad > 0)
            lc_fanout_end(&r->slot, LC_FAIL, "the user document has %zu unusable links", bad);
        else
            lc_fanout_end(&r->slot, LC_PASS,
                          "signed in as %s with a password grant; the user document has %zu "
                          "links",
                          lc_sip_escape_str(j->user, e, sizeof(e)), doc.hrefs.n);
        lc_web_discover_clear(&doc);
    }
}

/* ---------------------------------------------------------------- starting */

/* Start r->url on r->slot.addr with the headers and body the job's kind needs. */
static int lc_web_req_begin(struct lc_web_req *r)
{
    struct lc_web_job *j = r->job;
    const char *accept = LC_WEB_ACCEPT_JSON;

    if (r->visited[0] == NULL || lc_web_req_prepare(r) < 0)
        return -1;
    if (j->kind == LC_WK_DISCOVER_XML)
        accept = LC_WEB_ACCEPT_XML;
    else if (j->kind == LC_WK_PATH)
        accept = "*/*";
    {
        char h[64 + sizeof(LC_WEB_ACCEPT_XML)];
        snprintf(h, sizeof(h), "Accept: %s", accept);
        if (lc_web_add_header(r, h) == NULL)
            return -1;
    }
    if (j->kind == LC_WK_AUTH && j->auth_stage == 1) {
        /* CURLOPT_XOAUTH2_BEARER keeps the token out of our header list. */
        if (curl_easy_setopt(r->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER) != CURLE_OK ||
            curl_easy_setopt(r->easy, CURLOPT_XOAUTH2_BEARER, j->token) != CURLE_OK)
            return -1;
    }
    if (curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->headers) != CURLE_OK)
        return -1;
    if (j->kind == LC_WK_PATH && j->spec->post) {
        /* A bogus grant: what a client sends, with nothing that could sign in. */
        if (curl_easy_setopt(r->easy, CURLOPT_COPYPOSTFIELDS,
                             "grant_type=urn%3Alynccheck%3Abogus&username=lynccheck") != CURLE_OK)
            return -1;
    }
    if (j->kind == LC_WK_AUTH && j->auth_stage == 0 && lc_web_auth_post(r) < 0)
        return -1;
    if (lc_http_add(lc_check_http(j->check), r->easy, lc_web_req_done, r) < 0)
        return -1;
    r->attached = 1;
    return 0;
}

/* The link hosts that do not resolve decide web.links alone. */
static void lc_web_links_unresolved(struct lc_web_job *j)
{
    char h[300];

    lc_check_finish(j->check, LC_FAIL,
                    "link host %s%s does not resolve from outside: an internal name in the "
                    "autodiscover links (set the external web services FQDN)",
                    lc_sip_escape_str(j->unresolved.v[0], h, sizeof(h)),
                    j->unresolved.n > 1 ? " (and others)" : "");
}

/* Every request has its verdict: the worst (lc_fanout_finish_worst), but
 * web.links counts hosts, and a page asked on two paths passes as one. */
static void lc_web_job_check_done(struct lc_fanout *f)
{
    struct lc_web_job *j = ((struct lc_web_req *)(void *)lc_fanout_at(f, 0))->job;
    size_t n_worst;
    int pass_all;
    const struct lc_fanout_slot *worst = lc_fanout_worst(f, &n_worst, &pass_all);

    if (j->kind == LC_WK_LINKS && j->unresolved.n > 0)
        lc_web_links_unresolved(j);
    else if (j->kind == LC_WK_LINKS && pass_all)
        lc_check_finish(j->check, LC_PASS,
                        "every link host resolves and is covered by its certificate (%zu "
                        "host%s, %zu address%s)",
                        j->link_hosts.n, j->link_hosts.n == 1 ? "" : "s", f->n,
                        f->n == 1 ? "" : "es");
    else if (j->kind == LC_WK_LINKS ||
             (pass_all && j->kind == LC_WK_PATH && j->spec->path2 != NULL))
        lc_check_finish(j->check, worst->status, "%s", worst->message);
    else
        lc_fanout_finish_worst(f);
}

static const struct lc_fanout_ops lc_web_fanout = {lc_web_req_release_slot, NULL, NULL,
                                                   lc_web_job_check_done};

/* Make the job's requests: one per address and path. 0, or -1 with the
 * check finished (out of memory). */
static int lc_web_job_alloc(struct lc_web_job *j, size_t n)
{
    size_t i;

    if (lc_fanout_init(&j->fan, j->check, &lc_web_fanout, n, sizeof(struct lc_web_req)) < 0)
        return -1;
    for (i = 0; i < n; i++)
        lc_web_req_at(j, i)->job = j;
    return 0;
}

static void lc_web_req_setup(struct lc_web_req *r, const char *addr, const char *url,
                             const char *path)
{
    struct lc_web_job *j = r->job;
    json_t *ev = lc_check_evidence_addr(j->check, addr);

    lc_fanout_set_addr(&r->slot, addr);
    snprintf(r->url, sizeof(r->url), "%s", url);
    (void)lc_web_visit(r, 0, url); /* NULL: lc_web_req_begin refuses to start */
    r->path = path;
    if (ev != NULL) {
        r->transcript = json_object_get(ev, "transcript");
        if (r->transcript == NULL) {
            json_object_set_new(ev, "transcript", json_array());
            r->transcript = json_object_get(ev, "transcript");
        }
    }
}

static void lc_web_job_go(struct lc_web_job *j)
{
    size_t i;

    if (j->fan.n == 0) {
        lc_check_finish(j->check, LC_ERROR, "nothing to probe");
        return;
    }
    for (i = 0; i < j->fan.n && !lc_check_is_done(j->check); i++) {
        struct lc_web_req *r = lc_web_req_at(j, i);
        if (lc_web_req_begin(r) < 0)
            lc_fanout_end(&r->slot, LC_ERROR, "cannot start the request to %s", r->slot.addr);
    }
}

/* Checks on a name with a planned dns.a dependency (dependency 0). */
static void lc_web_start_host(struct lc_check *check, void *arg)
{
    struct lc_web_job *j = arg;
    const struct lc_dns_name *d;
    char url[LC_WEB_URL_MAX];
    const char *paths[2];
    size_t np = 1, i, k;
    json_t *ev = lc_check_evidence(check);

    j->check = check;
    if (j->kind == LC_WK_DISCOVER || j->kind == LC_WK_DISCOVER_XML ||
        j->kind == LC_WK_DISCOVER_HTTP) {
        /* lyncdiscover.<d> a CNAME into Skype for Business Online: the
         * autodiscover service is Microsoft's, not this deployment's, and
         * its names are not probed (the dns probe says the same). */
        const struct lc_check *dep = lc_check_dep(check, 0);
        const struct lc_dns_name *dn = dep != NULL ? lc_check_data(dep) : NULL;

        if (dn != NULL && dn->n_addrs == 0 && dn->canonical != NULL &&
            lc_web_host_is_online(dn->canonical)) {
            lc_check_finish(check, LC_SKIP,
                            "the SIP domain is homed in Skype for Business Online: %s is a CNAME "
                            "to %s, Microsoft's autodiscover service, which this deployment's "
                            "reverse proxy does not publish (not probed; see dns.a:%s)",
                            j->host, dn->canonical, j->host);
            return;
        }
    }
    d = lc_dns_dep_addrs(check, 0, j->host);
    if (d == NULL)
        return;
    if (j->kind == LC_WK_PATH) {
        paths[0] = j->spec->path;
        if (j->spec->path2 != NULL)
            paths[np++] = j->spec->path2;
    } else {
        paths[0] = "/";
    }
    json_object_set_new(ev, "host", json_string(j->host));
    if (lc_web_job_alloc(j, d->n_addrs * np) < 0)
        return;
    for (i = 0; i < d->n_addrs && i * np < j->fan.n; i++) {
        for (k = 0; k < np; k++) {
            /* A host given as an IPv6 address goes in brackets (RFC 3986 3.2.2). */
            int br = strchr(j->host, ':') != NULL;
            snprintf(url, sizeof(url), "%s://%s%s%s%s",
                     j->kind == LC_WK_DISCOVER_HTTP ? "http" : "https", br ? "[" : "", j->host,
                     br ? "]" : "", paths[k]);
            lc_web_req_setup(lc_web_req_at(j, i * np + k), d->addrs[i].text, url, paths[k]);
        }
    }
    if (j->kind == LC_WK_DISCOVER_HTTP)
        json_object_set_new(ev, "port", json_integer(80));
    lc_web_job_go(j);
}

/* ---- web.links: resolve every link host, then one request per address */

static void lc_web_links_go(struct lc_web_job *j)
{
    size_t i;

    if (j->n_link_addrs == 0 && j->unresolved.n > 0) {
        lc_web_links_unresolved(j);
        return;
    }
    if (j->n_link_addrs == 0) {
        lc_check_finish(j->check, LC_FAIL, "the autodiscover document names no link host");
        return;
    }
    if (lc_web_job_alloc(j, j->n_link_addrs) < 0)
        return;
    for (i = 0; i < j->n_link_addrs; i++) {
        size_t h = j->link_addrs[i].host;
        lc_web_req_setup(lc_web_req_at(j, i), j->link_addrs[i].addr, j->link_urls.v[h],
                         j->link_hosts.v[h]);
    }
    lc_web_job_go(j);
}

struct lc_web_lookup {
    struct lc_web_job *job;
    size_t host;
};

static void lc_web_on_link_dns(const struct lc_dns_answer *a, void *arg)
{
    struct lc_web_lookup *l = arg;
    struct lc_web_job *j = l->job;
    json_t *hosts;
    size_t i;

    if (lc_check_is_done(j->check)) {
        free(l);
        return;
    }
    hosts = json_object_get(lc_check_evidence(j->check), "link_hosts");
    for (i = 0; a->status == ARES_SUCCESS && i < a->n_addrs; i++) {
        struct lc_web_addr_list *n =
            realloc(j->link_addrs, (j->n_link_addrs + 1) * sizeof(*j->link_addrs));
        if (n == NULL)
            break;
        j->link_addrs = n;
        snprintf(n[j->n_link_addrs].addr, sizeof(n[j->n_link_addrs].addr), "%s", a->addrs[i].text);
        n[j->n_link_addrs].host = l->host;
        j->n_link_addrs++;
        if (hosts != NULL) {
            json_t *arr = json_object_get(hosts, j->link_hosts.v[l->host]);
            if (arr != NULL)
                json_array_append_new(arr, json_string(a->addrs[i].text));
        }
    }
    free(l);
    if (--j->dns_pending > 0)
        return;
    /* Every lookup is in: a host with no address at all is unresolved. */
    for (i = 0; i < j->link_hosts.n; i++) {
        size_t k, found = 0;
        for (k = 0; k < j->n_link_addrs; k++)
            found += j->link_addrs[k].host == i;
        if (found == 0 && lc_strv_push(&j->unresolved, j->link_hosts.v[i]) < 0) {
            lc_check_finish(j->check, LC_ERROR, "out of memory");
            return;
        }
    }
    lc_web_links_go(j);
}

static const struct lc_check *lc_web_dep_named(struct lc_check *check, const char *what)
{
    size_t i;

    for (i = 0; i < lc_check_n_deps(check); i++) {
        const struct lc_check *dep = lc_check_dep(check, i);
        if (strcmp(lc_check_result(dep)->what, what) == 0)
            return dep;
    }
    return NULL;
}

/* The discover check's document, or NULL with the check finished. */
static const struct lc_web_discover_data *lc_web_dep_doc(struct lc_check *check)
{
    const struct lc_check *dep = lc_web_dep_named(check, "discover");
    const struct lc_web_discover_data *d = dep != NULL ? lc_check_data(dep) : NULL;

    if (d == NULL)
        lc_check_finish_no_input(check, dep, "no autodiscover document");
    return d;
}

static void lc_web_start_links(struct lc_check *check, void *arg)
{
    struct lc_web_job *j = arg;
    const struct lc_web_discover_data *d;
    json_t *hosts = json_object();
    char host[256];
    size_t i;

    j->check = check;
    d = lc_web_dep_doc(check);
    if (d == NULL) {
        json_decref(hosts);
        return;
    }
    for (i = 0; i < d->doc.hrefs.n; i++) {
        if (lc_web_url_host(d->doc.hrefs.v[i], host, sizeof(host), NULL) < 0)
            continue;
        if (!lc_web_url_is_https(d->doc.hrefs.v[i]) || lc_strv_contains(&j->link_hosts, host))
            continue;
        if (lc_strv_push(&j->link_hosts, host) < 0 ||
            lc_strv_push(&j->link_urls, d->doc.hrefs.v[i]) < 0) {
            json_decref(hosts);
            lc_check_finish(check, LC_ERROR, "out of memory");
            return;
        }
        json_object_set_new(hosts, host, json_array());
    }
    json_object_set_new(lc_check_evidence(check), "link_hosts", hosts);
    if (j->link_hosts.n == 0) {
        lc_check_finish(check, LC_FAIL, "the autodiscover document names no https link");
        return;
    }
    j->dns_pending = 2 * j->link_hosts.n;
    for (i = 0; i < j->link_hosts.n; i++) {
        int types[2] = {ns_t_a, ns_t_aaaa};
        for (int t = 0; t < 2; t++) {
            struct lc_web_lookup *l = calloc(1, sizeof(*l));
            if (l != NULL) {
                l->job = j;
                l->host = i;
            }
            if (l == NULL || lc_dns_query(lc_check_dns(check), j->link_hosts.v[i], types[t],
                                          lc_web_on_link_dns, l) < 0) {
                free(l);
                lc_check_finish(check, LC_ERROR, "out of memory");
                return;
            }
        }
    }
}

/* ---- web.user and web.auth: a URL from the discover document */

struct lc_web_url_lookup {
    struct lc_web_job *job;
    char url[LC_WEB_URL_MAX];
    char path[64];
    unsigned left;
    int oom; /* an address could not be kept */
    struct lc_strv addrs;
};

static void lc_web_on_url_dns(const struct lc_dns_answer *a, void *arg)
{
    struct lc_web_url_lookup *l = arg;
    struct lc_web_job *j = l->job;
    size_t i;

    if (lc_check_is_done(j->check)) {
        if (--l->left == 0) {
            lc_strv_clear(&l->addrs);
            free(l);
        }
        return;
    }
    for (i = 0; a->status == ARES_SUCCESS && i < a->n_addrs; i++) {
        if (lc_strv_push(&l->addrs, a->addrs[i].text) < 0)
            l->oom = 1;
    }
    if (--l->left > 0)
        return;
    if (l->oom) {
        lc_check_finish(j->check, LC_ERROR, "out of memory");
    } else if (l->addrs.n == 0) {
        char h[300];
        lc_check_finish(j->check, LC_FAIL,
                        "%s names a host that does not resolve from outside (an internal name?)",
                        lc_sip_escape_str(l->url, h, sizeof(h)));
    } else if (lc_web_job_alloc(j, j->kind == LC_WK_AUTH ? 1 : l->addrs.n) == 0) {
        for (i = 0; i < j->fan.n; i++) {
            lc_web_req_setup(lc_web_req_at(j, i), l->addrs.v[i], l->url,
                             j->kind == LC_WK_AUTH ? "/WebTicket/oauthtoken" : "the user link");
        }
        lc_web_job_go(j);
    }
    lc_strv_clear(&l->addrs);
    free(l);
}

static void lc_web_start_url(struct lc_web_job *j, const char *url)
{
    struct lc_web_url_lookup *l = calloc(1, sizeof(*l));
    char host[256];

    json_object_set_new(lc_check_evidence(j->check), "url", lc_web_json_str(url));
    if (l == NULL) {
        lc_check_finish(j->check, LC_ERROR, "out of memory");
        return;
    }
    if (strlen(url) >= sizeof(l->url) || lc_web_url_host(url, host, sizeof(host), NULL) < 0 ||
        !lc_web_url_is_https(url)) {
        char e[300];
        free(l);
        lc_check_finish(j->check, LC_FAIL, "not an https URL: %s",
                        lc_sip_escape_str(url, e, sizeof(e)));
        return;
    }
    l->job = j;
    snprintf(l->url, sizeof(l->url), "%s", url);
    l->left = 2;
    if (lc_dns_query(lc_check_dns(j->check), host, ns_t_a, lc_web_on_url_dns, l) < 0) {
        free(l);
        lc_check_finish(j->check, LC_ERROR, "out of memory");
        return;
    }
    if (lc_dns_query(lc_check_dns(j->check), host, ns_t_aaaa, lc_web_on_url_dns, l) < 0) {
        l->left--; /* the A answer still comes and frees l */
        lc_check_finish(j->check, LC_ERROR, "out of memory");
    }
}

static void lc_web_start_user(struct lc_check *check, void *arg)
{
    struct lc_web_job *j = arg;
    const struct lc_web_discover_data *d;

    j->check = check;
    d = lc_web_dep_doc(check);
    if (d == NULL)
        return;
    if (lc_web_discover_user(&d->doc) == NULL) {
        lc_check_finish(check, LC_SKIP, "the autodiscover answer has no user link (redirect)");
        return;
    }
    lc_web_start_url(j, lc_web_discover_user(&d->doc));
}

static void lc_web_start_auth(struct lc_check *check, void *arg)
{
    struct lc_web_job *j = arg;
    const struct lc_check *dep = lc_web_dep_named(check, "user");
    const struct lc_web_user_data *u = dep != NULL ? lc_check_data(dep) : NULL;

    j->check = check;
    json_object_set_new(lc_check_evidence(check), "user", lc_web_json_str(j->user));
    if (u == NULL || u->href[0] == '\0') {
        lc_check_finish_no_input(check, dep, "no MsRtcOAuth token URL");
        return;
    }
    lc_web_start_url(j, u->href);
}

/* ---------------------------------------------------------------- planning */

static const char *const lc_web_check_words[] = {
    "discover",      "discover-xml", "discover-http", "links",  "user",           "webticket",
    "webticket-mex", "certprov",     "certprov-mex",  "abs",    "groupexpansion", "rgs",
    "ucdevice",      "mcx",          "ucwa",          "xframe", "oauthtoken",     "internal-dirs",
    "scheduler",     "meet",         "dialin",        NULL};

static const struct lc_option_decl lc_web_options[] = {
    {"checks", LC_OPT_LIST,
     "discover, discover-xml, discover-http, links, user, webticket, webticket-mex, certprov, "
     "certprov-mex, abs, groupexpansion, rgs, ucdevice, mcx, ucwa, xframe, oauthtoken, "
     "internal-dirs, scheduler, meet, dialin",
     "the steps of the walk to run (autodiscover per SIP domain; virtual directories per "
     "Director and Front End external web FQDN; simple URLs)",
     lc_web_check_words, 0, 0, NULL},
    {NULL, LC_OPT_BOOL, NULL, NULL, NULL, 0, 0, NULL},
};

struct lc_web_plan {
    struct lc_run *run;
    const struct lc_site *site;
    const struct lc_opts *opts;
};

static struct lc_web_job *lc_web_job_new(enum lc_web_kind kind, const char *host,
                                         const char *domain, const struct lc_web_plan *p)
{
    struct lc_web_job *j = calloc(1, sizeof(*j));

    if (j == NULL)
        return NULL;
    j->kind = kind;
    j->ca_file = lc_run_get_config(p->run)->ca_file;
    j->host = host != NULL ? strdup(host) : NULL;
    j->domain = domain != NULL ? strdup(domain) : NULL;
    if ((host != NULL && j->host == NULL) || (domain != NULL && j->domain == NULL)) {
        lc_web_job_free(j);
        return NULL;
    }
    return j;
}

static struct lc_check *lc_web_add(const struct lc_web_plan *p, struct lc_web_job *j,
                                   const char *what, const char *target, const char *ref,
                                   lc_check_start_fn start)
{
    struct lc_check *c = lc_run_add(p->run, "web", what, target, ref, start, j, lc_web_job_free);

    if (c == NULL) {
        lc_web_job_free(j);
        return NULL;
    }
    lc_check_set_cancel(c, lc_web_cancel);
    return c;
}

static int lc_web_plan_domain(const struct lc_web_plan *p, const char *d)
{
    static const struct {
        const char *what;
        enum lc_web_kind kind;
        const char *ref;
    } steps[] = {{"discover", LC_WK_DISCOVER, REF_WEB_DISCOVER},
                 {"discover-xml", LC_WK_DISCOVER_XML, REF_WEB_DISCOVER},
                 {"discover-http", LC_WK_DISCOVER_HTTP, REF_WEB_DISCOVER_HTTP}};
    char name[300];
    struct lc_check *dns, *disc = NULL, *user = NULL, *c;
    size_t i;

    snprintf(name, sizeof(name), "lyncdiscover.%s", d);
    dns = lc_dns_plan_name(p->run, name, "lyncdiscover", 0);
    if (dns == NULL)
        return -1;
    for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        struct lc_web_job *j;
        /* links, user and auth need the JSON document. */
        int needed =
            i == 0 && (lc_opts_list_has(p->opts, "checks", "links") ||
                       lc_opts_list_has(p->opts, "checks", "user") || p->site->web_user != NULL);
        if (!lc_opts_list_has(p->opts, "checks", steps[i].what) && !needed)
            continue;
        j = lc_web_job_new(steps[i].kind, name, d, p);
        if (j == NULL)
            return -1;
        c = lc_web_add(p, j, steps[i].what, name, steps[i].ref, lc_web_start_host);
        if (c == NULL || lc_check_depend(c, dns) < 0)
            return -1;
        if (i == 0)
            disc = c;
    }
    if (disc == NULL)
        return 0;
    if (lc_opts_list_has(p->opts, "checks", "links")) {
        struct lc_web_job *j = lc_web_job_new(LC_WK_LINKS, name, d, p);
        if (j == NULL)
            return -1;
        c = lc_web_add(p, j, "links", name, REF_WEB_LINKS, lc_web_start_links);
        if (c == NULL || lc_check_depend(c, disc) < 0)
            return -1;
    }
    if (lc_opts_list_has(p->opts, "checks", "user") || p->site->web_user != NULL) {
        struct lc_web_job *j = lc_web_job_new(LC_WK_USER, name, d, p);
        if (j == NULL)
            return -1;
        user = lc_web_add(p, j, "user", name, REF_WEB_USER, lc_web_start_user);
        if (user == NULL || lc_check_depend(user, disc) < 0)
            return -1;
    }
    if (p->site->web_user != NULL && p->site->web_password != NULL) {
        struct lc_web_job *j = lc_web_job_new(LC_WK_AUTH, name, d, p);
        if (j == NULL)
            return -1;
        j->user = strdup(p->site->web_user);
        j->password = strdup(p->site->web_password);
        if (j->user == NULL || j->password == NULL) {
            lc_web_job_free(j);
            return -1;
        }
        c = lc_web_add(p, j, "auth", name, REF_WEB_AUTH, lc_web_start_auth);
        if (c == NULL || lc_check_depend(c, user) < 0 || lc_check_depend(c, disc) < 0)
            return -1;
    }
    return 0;
}

static int lc_web_plan_spec(const struct lc_web_plan *p, const struct lc_web_spec *s,
                            const char *host, const char *role)
{
    struct lc_check *dns, *c;
    struct lc_web_job *j;

    if (!lc_opts_list_has(p->opts, "checks", s->what))
        return 0;
    dns = lc_dns_plan_name(p->run, host, role, 0);
    if (dns == NULL)
        return -1;
    j = lc_web_job_new(LC_WK_PATH, host, NULL, p);
    if (j == NULL)
        return -1;
    j->spec = s;
    c = lc_web_add(p, j, s->what, host, s->ref, lc_web_start_host);
    if (c == NULL || lc_check_add_role(c, role) < 0)
        return -1;
    /* A web role given as an address: the reverse proxy publishes by name
     * (Host header, certificate), so no client URL has an address in it. */
    if (lc_is_ip_literal(host))
        lc_check_skip(c,
                      "%s given as an address: the web services are published by name; give the "
                      "FQDN, with --resolve FQDN:%s to reach this address",
                      host, host);
    return lc_check_depend(c, dns);
}

static int lc_web_plan_site(const struct lc_web_plan *p, const struct lc_strv *names,
                            const char *role, int fe)
{
    size_t i, k;

    if (names->n == 0) {
        /* One line for the whole site, not one per virtual directory. */
        struct lc_check *c =
            lc_run_add(p->run, "web", "vdirs", role, REF_WEB_WINAUTH, NULL, NULL, NULL);
        if (c == NULL)
            return -1;
        lc_check_skip(c, "no %s name known: give --%s", role, role);
        return 0;
    }
    for (k = 0; k < sizeof(lc_web_specs) / sizeof(lc_web_specs[0]); k++) {
        for (i = 0; i < names->n; i++) {
            if (lc_web_plan_spec(p, &lc_web_specs[k], names->v[i], role) < 0)
                return -1;
        }
    }
    if (fe) {
        for (i = 0; i < names->n; i++) {
            if (lc_web_plan_spec(p, &lc_web_scheduler, names->v[i], role) < 0)
                return -1;
        }
    }
    return 0;
}

static int lc_web_plan(struct lc_run *run, const struct lc_site *site, const struct lc_opts *opts)
{
    struct lc_web_plan p = {run, site, opts};
    size_t i;

    for (i = 0; i < site->sip_domains.n; i++) {
        if (lc_web_plan_domain(&p, site->sip_domains.v[i]) < 0)
            return -1;
    }
    if (lc_web_plan_site(&p, &site->director_web_external, "director-web-external", 0) < 0 ||
        lc_web_plan_site(&p, &site->web_external, "web-external", 1) < 0)
        return -1;
    for (i = 0; i < site->meet.n; i++) {
        if (lc_web_plan_spec(&p, &lc_web_meet, site->meet.v[i], "meet") < 0)
            return -1;
    }
    if (site->dialin != NULL && lc_web_plan_spec(&p, &lc_web_dialin, site->dialin, "dialin") < 0)
        return -1;
    return 0;
}

const struct lc_probe lc_probe_web = {
    "web",
    "the Lync web services through the reverse proxy, every address: autodiscover (JSON, XML, "
    "HTTP 80), link hosts, the user link's OAuth challenge, WebTicket / CertProv / ABS / UCWA "
    "and the other virtual directories of the Director and Front End external web FQDNs, mex "
    "metadata (Host header), simple URLs; with --user, a password grant",
    lc_web_options,
    lc_web_plan,
};
