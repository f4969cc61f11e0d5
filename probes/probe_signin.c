/* SPDX-License-Identifier: MIT */
/* lynccheck - the signin probe: sign in from outside as a Lync desktop
 * client does, step by step, each step a check of its own.
 *
 * With --user and the password (never without): on the Director's external
 * web FQDN (the Front End's when there is no Director)
 *   signin.webticket  the WebTicket metadata, then IssueToken with
 *                     Integrated Windows authentication (HTTP NTLM by
 *                     libcurl): 401, 401 with the challenge, 200 and a web
 *                     ticket ([MS-OCAUTHWS] 3.2.4.1);
 *   signin.certprov   the CertProv metadata, then GetAndPublishCert with
 *                     the ticket and a PKCS#10 request for a key made in
 *                     memory; the certificate judged ([MS-OCAUTHWS] 3.1);
 * on the Front End's external web FQDN
 *   signin.fe-ticket  IssueToken on /cert with that certificate (signed
 *                     WS-Security X.509 token and TLS client certificate,
 *                     [MS-OCAUTHWS] 3.2);
 *   signin.abs        the address book files with that ticket ([MS-ABS]);
 * and signin.summary, the client's experience in one line (with
 * signin.register, src/sipae_conn.c, when it is planned). Each step
 * depends on the one before and uses what it left. Every step runs on
 * the first address of its name (a client signs in through one), on
 * libcurl's multi interface driven by the one loop (src/http.c), with a
 * connection of its own. What the answers mean is src/signin.c's (pure,
 * table-tested). Secrets: the password goes to libcurl's options only;
 * tickets are shown by SHA-256 fingerprint; nothing of a request body that
 * carries a ticket reaches the evidence.
 * Sources: [MS-OCAUTHWS]; [MS-NLMP]; RFC 4559; Microsoft Learn,
 * "Configuration requirements for reverse proxy in Lync Server 2013"
 * (address in probes/refs.h). */
#include "config.h"
#include "probe.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "http.h"
#include "loop.h"
#include "probes.h"
#include "refs.h"
#include "run.h"
#include "signin.h"
#include "sip.h"
#include "sipae.h"
#include "site.h"
#include "tls.h"
#include "web.h"

#define REF_SIGNIN_WEBTICKET                                                                       \
    "Sign in like a Lync client from outside: the WebTicket metadata, then IssueToken (WS-Trust "  \
    "RequestSecurityToken, SOAP 1.2) with Integrated Windows authentication through the reverse "  \
    "proxy: 401, 401 with the NTLM challenge, 200 with a web ticket ([MS-OCAUTHWS] 3.2.4.1; "      \
    "[MS-NLMP]; RFC 4559); the proxy passes NTLM through, with no pre-authentication and the "     \
    "original Host header. Source: " LC_DOC_RP_CONFIG

#define LC_SI_MAX_BODY (256 * 1024)   /* a response larger than this is refused */
#define LC_SI_MAX_HEADERS (64 * 1024) /* response headers larger than this are refused */
#define LC_SI_URL_MAX 1024

enum lc_si_kind {
    LC_SI_WEBTICKET, /* the mex, then IssueToken with NTLM */
    LC_SI_CERTPROV,  /* the CertProv mex, then GetAndPublishCert with the ticket */
    LC_SI_FETICKET,  /* IssueToken with the certificate on the Front End */
    LC_SI_ABS,       /* the address book files with the Front End's ticket */
    LC_SI_SUMMARY    /* the client's experience in one line */
};

struct lc_si_job;

/* The one request of a step in flight (steps run their requests in turn). */
struct lc_si_req {
    struct lc_si_job *job;
    CURL *easy;
    int attached; /* easy is in the multi handle (http.c) */
    struct curl_slist *headers;
    struct curl_slist *connect_to;
    char addr[46];
    char url[LC_SI_URL_MAX];
    char host[256];
    unsigned port;
    long status;
    struct lc_web_challenges ch;
    struct lc_web_diag diag;
    char ctype[128];
    char *body;
    size_t body_len;
    int too_big;
    size_t header_bytes;
    int headers_too_big;
    char errbuf[CURL_ERROR_SIZE];
    CURLcode result;
    /* the legs of an exchange with authentication (IssueToken) */
    int track_legs;
    struct lc_signin_leg legs[LC_SIGNIN_MAX_LEGS];
    size_t n_legs;
    long connects;      /* connections libcurl opened for the transfer */
    long ntlm_connects; /* of them, opened after the NTLM NEGOTIATE went out */
};

/* One check. No secret but the password, which goes to libcurl only. */
struct lc_si_job {
    enum lc_si_kind kind;
    struct lc_check *check;
    char *host;
    char *user;
    char *password; /* cleansed on free */
    const char *ca_file;
    int stage;
    struct lc_si_req r;
    uint64_t t0_us;
    /* webticket */
    long mex_status;
    char mex_why[700];
    char mex_other[LC_SI_URL_MAX];
    char issue_url[LC_SI_URL_MAX];
    char rst[LC_SIGNIN_RST_MAX];
    /* certprov, fe-ticket, abs */
    char *post;    /* the request body (holds the ticket), cleansed on free */
    EVP_PKEY *key; /* certprov: the key generated, in memory only */
    const struct lc_si_cert_data *client; /* fe-ticket: the TLS client certificate */
    struct lc_signin_abs_facts abs;
};

/* ---------------------------------------------------------------- small helpers */

static json_t *lc_si_json_str(const char *s)
{
    char out[600];

    lc_sip_escape(s != NULL ? s : "", s != NULL ? strlen(s) : 0, out, sizeof(out));
    return json_string(out);
}

static void lc_si_req_reset(struct lc_si_req *r)
{
    r->status = 0;
    memset(&r->ch, 0, sizeof(r->ch));
    memset(&r->diag, 0, sizeof(r->diag));
    r->ctype[0] = '\0';
    if (r->body != NULL) {
        OPENSSL_cleanse(r->body, r->body_len);
        free(r->body);
    }
    r->body = NULL;
    r->body_len = 0;
    r->too_big = 0;
    r->header_bytes = 0;
    r->headers_too_big = 0;
    r->errbuf[0] = '\0';
    r->result = CURLE_OK;
    r->n_legs = 0;
    r->connects = 0;
    r->ntlm_connects = 0;
}

static void lc_si_req_release(struct lc_si_req *r, struct lc_http *http)
{
    lc_http_easy_drop(http, &r->easy, &r->attached);
    /* A header may carry the web ticket: cleansed before it is freed. */
    for (struct curl_slist *h = r->headers; h != NULL; h = h->next)
        OPENSSL_cleanse(h->data, strlen(h->data));
    curl_slist_free_all(r->headers);
    r->headers = NULL;
    curl_slist_free_all(r->connect_to);
    r->connect_to = NULL;
}

static void lc_si_cancel(struct lc_check *check, void *arg)
{
    struct lc_si_job *j = arg;

    lc_si_req_release(&j->r, lc_check_http(check));
}

static void lc_si_job_free(void *p)
{
    struct lc_si_job *j = p;

    if (j == NULL)
        return;
    lc_si_req_release(&j->r, NULL);
    lc_si_req_reset(&j->r);
    free(j->host);
    free(j->user);
    if (j->password != NULL) {
        OPENSSL_cleanse(j->password, strlen(j->password));
        free(j->password);
    }
    OPENSSL_cleanse(j->rst, sizeof(j->rst));
    if (j->post != NULL) {
        OPENSSL_cleanse(j->post, strlen(j->post));
        free(j->post);
    }
    EVP_PKEY_free(j->key);
    free(j);
}

/* ---------------------------------------------------------------- libcurl callbacks */

static size_t lc_si_on_body(char *data, size_t size, size_t n, void *arg)
{
    struct lc_si_req *r = arg;
    size_t len = size * n;
    /* Cleansed, never realloc'ed: the old copy may hold a ticket. */
    int rc = lc_http_body_append(&r->body, &r->body_len, LC_SI_MAX_BODY, data, len, 1);

    if (rc == 1)
        r->too_big = 1;
    return rc == 0 ? len : 0; /* 0: CURLE_WRITE_ERROR, the transfer stops here */
}

static struct lc_signin_leg *lc_si_leg(struct lc_si_req *r)
{
    return r->track_legs && r->n_legs > 0 ? &r->legs[r->n_legs - 1] : NULL;
}

/* The request headers libcurl sends (CURLINFO_HEADER_OUT): a new leg, and
 * which NTLM message its Authorization carries. Nothing is kept of the
 * header itself. */
static int lc_si_debug(CURL *easy, curl_infotype type, char *data, size_t size, void *arg)
{
    struct lc_si_req *r = arg;
    struct lc_signin_leg *leg;
    size_t i = 0;

    (void)easy;
    if (type != CURLINFO_HEADER_OUT || !r->track_legs || r->n_legs >= LC_SIGNIN_MAX_LEGS)
        return 0;
    leg = &r->legs[r->n_legs++];
    memset(leg, 0, sizeof(*leg));
    leg->sent = LC_SIGNIN_SENT_NONE;
    while (i < size) {
        const char *line = data + i, *eol = memchr(line, '\n', size - i);
        size_t ll = eol != NULL ? (size_t)(eol - line) : size - i;
        static const char auth[] = "Authorization:";

        if (ll >= sizeof(auth) - 1 && strncasecmp(line, auth, sizeof(auth) - 1) == 0) {
            int t = lc_signin_ntlm_type(line + sizeof(auth) - 1, ll - (sizeof(auth) - 1));
            leg->sent = t == 1   ? LC_SIGNIN_SENT_NEGOTIATE
                        : t == 3 ? LC_SIGNIN_SENT_AUTHENTICATE
                                 : LC_SIGNIN_SENT_OTHER;
        }
        i += ll + 1;
    }
    return 0;
}

static size_t lc_si_on_header(char *data, size_t size, size_t n, void *arg)
{
    struct lc_si_req *r = arg;
    struct lc_signin_leg *leg = lc_si_leg(r);
    size_t len = size * n, nlen, vlen;
    const char *colon;

    /* libcurl bounds one header line, not how many. */
    r->header_bytes += len;
    if (r->header_bytes > LC_SI_MAX_HEADERS) {
        r->headers_too_big = 1;
        return 0; /* CURLE_WRITE_ERROR */
    }
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        const char *sp = memchr(data, ' ', len);
        long code = 0;
        size_t k;

        for (k = sp != NULL ? (size_t)(sp - data) + 1 : len;
             k < len && data[k] >= '0' && data[k] <= '9' && code < 1000; k++)
            code = code * 10 + (data[k] - '0');
        /* A new response: forget the last one's headers; only the last
         * response's body is judged. */
        memset(&r->ch, 0, sizeof(r->ch));
        memset(&r->diag, 0, sizeof(r->diag));
        r->ctype[0] = '\0';
        if (code >= 200) {
            if (leg != NULL)
                leg->status = code;
            if (r->body != NULL) {
                OPENSSL_cleanse(r->body, r->body_len);
                free(r->body);
            }
            r->body = NULL;
            r->body_len = 0;
        }
        return len;
    }
    colon = memchr(data, ':', len);
    if (colon == NULL)
        return len;
    nlen = (size_t)(colon - data);
    colon++;
    vlen = len - (size_t)(colon - data);
    while (vlen > 0 && (colon[vlen - 1] == '\r' || colon[vlen - 1] == '\n'))
        vlen--;
#define LC_IS(h) (nlen == sizeof(h) - 1 && strncasecmp(data, h, nlen) == 0)
    if (LC_IS("WWW-Authenticate")) {
        (void)lc_web_challenges_add(&r->ch, colon, vlen);
        if (leg != NULL)
            (void)lc_signin_leg_challenge(leg, colon, vlen);
    } else if (LC_IS("Proxy-Authenticate")) {
        if (leg != NULL)
            leg->proxy_auth = 1;
    } else if (LC_IS("Content-Type")) {
        lc_http_header_value(r->ctype, sizeof(r->ctype), colon, vlen);
    } else if (LC_IS("X-Ms-diagnostics") && !r->diag.present) {
        /* The service's reason for an error ([MS-OCAUTHWS] 3.2.4.1). */
        char v[512];
        lc_http_header_value(v, sizeof(v), colon, vlen);
        (void)lc_web_diag_parse(v, strlen(v), &r->diag);
        if (leg != NULL)
            leg->diag = r->diag;
    }
#undef LC_IS
    return len;
}

/* ---------------------------------------------------------------- requests */

/* A new socket for the transfer: one opened once the NEGOTIATE went out
 * carries the AUTHENTICATE on another connection than the CHALLENGE came
 * on (libcurl may close the anonymous request's connection; that one does
 * not count: NTLM authenticates from the NEGOTIATE on). */
static int lc_si_on_socket(void *arg, curl_socket_t fd, curlsocktype purpose)
{
    struct lc_si_req *r = arg;
    size_t i;

    (void)fd;
    if (purpose != CURLSOCKTYPE_IPCXN || !r->track_legs)
        return CURL_SOCKOPT_OK;
    for (i = 0; i < r->n_legs; i++)
        if (r->legs[i].sent == LC_SIGNIN_SENT_NEGOTIATE) {
            r->ntlm_connects++;
            break;
        }
    return CURL_SOCKOPT_OK;
}

static void lc_si_req_done(CURL *easy, CURLcode result, void *arg);

/* Make the easy handle for r->url on r->addr: certificates verified
 * (--ca-file added to the system's trust), a connection of its own closed
 * after (no request inherits an authenticated connection), no proxy. */
static int lc_si_req_prepare(struct lc_si_req *r)
{
    struct lc_si_job *j = r->job;
    struct lc_http_service_req q = {.url = r->url,
                                    .host = r->host,
                                    .addr = r->addr,
                                    .check_timeout_us = lc_check_config(j->check)->timeout_us,
                                    .ca_file = j->ca_file,
                                    .on_body = lc_si_on_body,
                                    .on_header = lc_si_on_header,
                                    .arg = r};
    CURL *e;

    lc_si_req_release(r, lc_check_http(j->check));
    lc_si_req_reset(r);
    if (lc_web_url_host(r->url, r->host, sizeof(r->host), &r->port) < 0)
        return -1;
    /* The address lynccheck's resolver found, whatever libcurl's would say;
     * no proxy, lynccheck's User-Agent, the run's trust store (src/http.c). */
    q.port = r->port;
    e = lc_http_easy_service(&q, r->errbuf, &r->connect_to);
    if (e == NULL)
        return -1;
    r->easy = e;
    if (curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https") != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L) != CURLE_OK ||
        /* The debug callback sees the request headers (which NTLM message
         * went out); with it set, libcurl writes nothing to stderr. */
        curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, lc_si_debug) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_DEBUGDATA, r) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, lc_si_on_socket) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_SOCKOPTDATA, r) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_VERBOSE, 1L) != CURLE_OK)
        return -1;
    return 0;
}

static int lc_si_add_header(struct lc_si_req *r, const char *h)
{
    struct curl_slist *l = curl_slist_append(r->headers, h);

    if (l == NULL)
        return -1;
    r->headers = l;
    return 0;
}

/* Start a GET (post == NULL) or a POST of `post` with `ctype`. libcurl
 * reads `post` in place (no copy of its own, which it would free without
 * cleansing: the body may carry a web ticket): it lives in the job until
 * the job is freed, cleansed. `extra` is one more header line, or NULL. */
static int lc_si_req_start(struct lc_si_req *r, const char *url, const char *post,
                           const char *ctype, const char *extra)
{
    char h[300];

    snprintf(r->url, sizeof(r->url), "%s", url);
    if (lc_si_req_prepare(r) < 0 || lc_si_add_header(r, "Accept: */*") < 0 ||
        (extra != NULL && lc_si_add_header(r, extra) < 0))
        return -1;
    if (post != NULL) {
        snprintf(h, sizeof(h), "Content-Type: %s", ctype);
        /* No 100-continue round trip: the legs are the client's. */
        if (lc_si_add_header(r, h) < 0 || lc_si_add_header(r, "Expect:") < 0 ||
            curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(post)) !=
                CURLE_OK ||
            curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, post) != CURLE_OK)
            return -1;
    }
    if (curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->headers) != CURLE_OK)
        return -1;
    if (lc_http_add(lc_check_http(r->job->check), r->easy, lc_si_req_done, r) < 0)
        return -1;
    r->attached = 1;
    return 0;
}

/* Why the transfer produced no HTTP answer, in words (empty when it did). */
static const char *lc_si_transport_why(const struct lc_si_req *r, char *buf, size_t len)
{
    char e[300];

    buf[0] = '\0';
    if (r->too_big) {
        snprintf(buf, len, "the response is larger than %d KiB (refused)", LC_SI_MAX_BODY / 1024);
    } else if (r->headers_too_big) {
        snprintf(buf, len, "the response headers are larger than %d KiB (refused)",
                 LC_SI_MAX_HEADERS / 1024);
    } else if (r->result != CURLE_OK || r->status == 0) {
        lc_sip_escape_str(r->errbuf[0] != '\0' ? r->errbuf : curl_easy_strerror(r->result), e,
                          sizeof(e));
        switch (r->result) {
        case CURLE_COULDNT_CONNECT:
            snprintf(buf, len, "no connection to %s port %u (%s)", r->addr, r->port, e);
            break;
        case CURLE_OPERATION_TIMEDOUT:
            snprintf(buf, len, "no complete HTTP response from %s port %u in time (%s)", r->addr,
                     r->port, e);
            break;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
            snprintf(buf, len, "TLS with %s failed: %s (the tls.* checks say more)", r->host, e);
            break;
        default:
            snprintf(buf, len, "%s", e[0] != '\0' ? e : "no HTTP answer");
            break;
        }
    }
    return buf;
}

/* A random WS-Addressing MessageID (an RFC 4122 version 4 UUID). */
static int lc_si_uuid(char *out, size_t len, const char *prefix)
{
    unsigned char b[16];

    if (RAND_bytes(b, sizeof(b)) != 1)
        return -1;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, len, "%s%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             prefix, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
             b[12], b[13], b[14], b[15]);
    return 0;
}

static int lc_si_first_addr(struct lc_si_job *j);

/* ---------------------------------------------------------------- signin.webticket */

/* What signin.webticket leaves for the steps after it: the ticket itself
 * (in memory only, cleansed on free) and what the summary says. */
struct lc_si_ticket_data {
    char xml[LC_SIGNIN_TOKEN_MAX]; /* the token element, serialized */
    size_t xml_len;
    char fingerprint[20];
    long ms;
    char addr[46];
};

static void lc_si_ticket_data_free(void *p)
{
    if (p == NULL)
        return;
    OPENSSL_cleanse(p, sizeof(struct lc_si_ticket_data));
    free(p);
}

static const char *lc_si_sent_name(enum lc_signin_sent s)
{
    switch (s) {
    case LC_SIGNIN_SENT_NONE:
        return "anonymous";
    case LC_SIGNIN_SENT_NEGOTIATE:
        return "NTLM NEGOTIATE";
    case LC_SIGNIN_SENT_AUTHENTICATE:
        return "NTLM AUTHENTICATE";
    case LC_SIGNIN_SENT_OTHER:
        break;
    }
    return "other Authorization";
}

/* The legs, the ticket's fingerprint and the diagnosis, into the evidence
 * (no body: the RSTR holds the ticket). */
static void lc_si_legs_evidence(struct lc_check *check, const struct lc_signin_leg *legs,
                                size_t n_legs, long connects, long ntlm, long ms)
{
    json_t *ev = lc_check_evidence(check), *arr = json_array();
    char ch[96];
    size_t i;

    for (i = 0; arr != NULL && i < n_legs; i++) {
        const struct lc_signin_leg *l = &legs[i];
        json_t *e = json_object();
        if (e == NULL)
            break;
        json_object_set_new(e, "sent", json_string(lc_si_sent_name(l->sent)));
        json_object_set_new(e, "status", json_integer((json_int_t)l->status));
        if (l->ch.n_headers > 0)
            json_object_set_new(e, "www_authenticate",
                                lc_si_json_str(lc_web_challenges_text(&l->ch, ch, sizeof(ch))));
        if (l->ntlm_challenge)
            json_object_set_new(e, "ntlm_challenge", json_true());
        if (l->proxy_auth)
            json_object_set_new(e, "proxy_authenticate", json_true());
        if (l->diag.present)
            json_object_set_new(e, "x_ms_diagnostics",
                                lc_si_json_str(lc_web_diag_text(&l->diag, ch, sizeof(ch))));
        json_array_append_new(arr, e);
    }
    if (arr != NULL)
        json_object_set_new(ev, "legs", arr);
    json_object_set_new(ev, "new_connections", json_integer((json_int_t)connects));
    json_object_set_new(ev, "ntlm_handshake_connections", json_integer((json_int_t)ntlm));
    json_object_set_new(ev, "elapsed_ms", json_integer((json_int_t)ms));
}

static void lc_si_ticket_evidence(struct lc_check *check, const char *key,
                                  const struct lc_signin_ticket *t)
{
    json_t *o = json_object();

    if (o == NULL)
        return;
    json_object_set_new(o, "kind", lc_si_json_str(t->token_kind));
    json_object_set_new(o, "sha256_prefix", json_string(t->fingerprint));
    json_object_set_new(o, "bytes", json_integer((json_int_t)t->token_bytes));
    if (t->expires[0] != '\0')
        json_object_set_new(o, "expires", lc_si_json_str(t->expires));
    json_object_set_new(lc_check_evidence(check), key, o);
}

static void lc_si_finish(struct lc_si_job *j, enum lc_status st, const char *diagnosis,
                         const char *msg)
{
    if (diagnosis != NULL)
        json_object_set_new(lc_check_evidence(j->check), "diagnosis", json_string(diagnosis));
    lc_si_req_release(&j->r, lc_check_http(j->check));
    lc_check_finish(j->check, st, "%s", msg);
}

/* The verdict from what is known so far (the mex alone, or the whole
 * exchange); on PASS the ticket goes to the checks that depend on this one. */
static void lc_si_webticket_judge(struct lc_si_job *j, const char *transport_why)
{
    struct lc_si_req *r = &j->r;
    struct lc_signin_facts f;
    struct lc_signin_ticket t;
    struct lc_signin_leg mex;
    struct lc_si_ticket_data *d = NULL;
    char msg[900], why[200] = "";
    const char *diagnosis = NULL;
    enum lc_status st;

    memset(&f, 0, sizeof(f));
    memset(&t, 0, sizeof(t));
    memset(&mex, 0, sizeof(mex));
    f.user = j->user;
    f.host = r->host;
    f.mex_status = j->mex_status;
    f.mex_why = j->mex_why[0] != '\0' ? j->mex_why : NULL;
    f.mex_other_host = j->mex_other[0] != '\0' ? j->mex_other : NULL;
    if (j->stage == 0) {
        /* The metadata's own answer: its challenges say whose 401 it is. */
        mex.status = r->status;
        mex.ch = r->ch;
        mex.diag = r->diag;
        f.mex_leg = &mex;
    } else {
        memcpy(f.legs, r->legs, sizeof(f.legs));
        f.n_legs = r->n_legs;
        f.connects = 1 + r->ntlm_connects;
        f.elapsed_ms = (long)((lc_now_us() - j->t0_us) / 1000);
        f.transport_why = transport_why;
        if (r->body_len > 0) {
            if (lc_signin_rstr_parse(r->body, r->body_len, &t, why, sizeof(why)) < 0)
                f.body_why = why;
            else
                f.ticket = &t;
        }
        json_object_set_new(lc_check_evidence(j->check), "issue_url", lc_si_json_str(j->issue_url));
        lc_si_legs_evidence(j->check, r->legs, r->n_legs, r->connects, f.connects, f.elapsed_ms);
        if (t.found)
            lc_si_ticket_evidence(j->check, "ticket", &t);
    }
    st = lc_signin_judge(&f, msg, sizeof(msg), &diagnosis);
    if (st == LC_PASS) {
        d = calloc(1, sizeof(*d));
        if (d == NULL ||
            lc_signin_rstr_token(r->body, r->body_len, d->xml, sizeof(d->xml), &d->xml_len) < 0) {
            lc_si_ticket_data_free(d);
            st = LC_ERROR;
            snprintf(msg, sizeof(msg), "the web ticket cannot be kept for the next steps (%s)",
                     d == NULL ? "out of memory" : "too large or unreadable");
        } else {
            snprintf(d->fingerprint, sizeof(d->fingerprint), "%s", t.fingerprint);
            d->ms = f.elapsed_ms;
            snprintf(d->addr, sizeof(d->addr), "%s", r->addr);
            lc_check_set_data(j->check, d, lc_si_ticket_data_free);
        }
    }
    OPENSSL_cleanse(&t, sizeof(t));
    lc_si_finish(j, st, diagnosis, msg);
}

static void lc_si_webticket_step(struct lc_si_job *j)
{
    struct lc_si_req *r = &j->r;
    char why[700], url[LC_SI_URL_MAX], host[256], msgid[64];
    struct lc_strv urls = {NULL, 0};
    size_t i;
    int n;

    lc_si_transport_why(r, why, sizeof(why));
    if (j->stage == 1) {
        lc_si_webticket_judge(j, why[0] != '\0' ? why : NULL);
        return;
    }
    /* Stage 0: the metadata, as the client reads it first. */
    j->mex_status = r->status;
    if (why[0] != '\0') {
        snprintf(j->mex_why, sizeof(j->mex_why), "%s", why);
        lc_si_webticket_judge(j, NULL);
        return;
    }
    if (r->status != 200) {
        lc_si_webticket_judge(j, NULL);
        return;
    }
    n = lc_web_mex_addresses(r->body, r->body_len, &urls, why, sizeof(why));
    if (n < 0) {
        snprintf(j->mex_why, sizeof(j->mex_why), "%s", why);
        goto judge;
    }
    for (i = 0; i < urls.n; i++) {
        if (lc_web_url_host(urls.v[i], host, sizeof(host), NULL) < 0 ||
            strcasecmp(host, r->host) != 0) {
            snprintf(j->mex_other, sizeof(j->mex_other), "%s", urls.v[i]);
            goto judge;
        }
    }
    /* The Windows authentication endpoint the metadata names (its
     * WebTicketServiceWinNegotiate port), else the service itself. */
    if (lc_signin_mex_negotiate_url(r->body, r->body_len, url, sizeof(url), why, sizeof(why)) !=
            1 ||
        !lc_web_url_is_https(url))
        snprintf(url, sizeof(url), "https://%s/WebTicket/WebTicketService.svc", r->host);
    lc_strv_clear(&urls);
    snprintf(j->issue_url, sizeof(j->issue_url), "%s", url);
    if (lc_si_uuid(msgid, sizeof(msgid), "urn:uuid:") < 0 ||
        lc_signin_rst_build(url, url, msgid, j->rst, sizeof(j->rst)) < 0) {
        lc_si_finish(j, LC_ERROR, NULL, "cannot build the RequestSecurityToken");
        return;
    }
    j->stage = 1;
    /* HTTP NTLM by libcurl (CURLAUTH_NTLM | CURLAUTH_ONLY: first without
     * credentials, as a Lync client does, then NTLM when the 401 offers
     * it). The user name and the password go to libcurl's own options,
     * never into a header list, the evidence or a message. */
    r->track_legs = 1;
    j->t0_us = lc_now_us();
    if (lc_si_req_start(r, url, j->rst, lc_signin_rst_content_type, NULL) < 0 ||
        curl_easy_setopt(r->easy, CURLOPT_HTTPAUTH, (long)(CURLAUTH_NTLM | CURLAUTH_ONLY)) !=
            CURLE_OK ||
        curl_easy_setopt(r->easy, CURLOPT_USERNAME, j->user) != CURLE_OK ||
        curl_easy_setopt(r->easy, CURLOPT_PASSWORD, j->password) != CURLE_OK)
        lc_si_finish(j, LC_ERROR, NULL, "cannot start the IssueToken request");
    return;
judge:
    lc_strv_clear(&urls);
    lc_si_webticket_judge(j, NULL);
}

/* ---------------------------------------------------------------- signin.certprov */

#define REF_SIGNIN_CERTPROV                                                                        \
    "With the web ticket, the client asks the pool's Certificate Provisioning Service for a user " \
    "certificate: the CertProv metadata, then GetAndPublishCert on "                               \
    "/CertProv/CertProvisioningService.svc/WebTicket_Proof_SHA1 with a PKCS#10 request; the "      \
    "certificate returned names sip:<user>, is valid and chains to the pool's CA ([MS-OCAUTHWS] "  \
    "1.3.2, 3.1). Source: " LC_DOC_RP_CONFIG

/* What signin.certprov leaves for the Front End's step: the certificate
 * and its key, in memory only. */
struct lc_si_cert_data {
    X509 *cert;
    STACK_OF(X509) * chain; /* the other certificates returned */
    EVP_PKEY *key;
    long ms;
};

static void lc_si_cert_data_free(void *p)
{
    struct lc_si_cert_data *d = p;

    if (d == NULL)
        return;
    X509_free(d->cert);
    sk_X509_pop_free(d->chain, X509_free);
    EVP_PKEY_free(d->key); /* OpenSSL cleanses the key material */
    free(d);
}

/* The dependency `what` of this check (by its what), or NULL. */
static const struct lc_check *lc_si_dep(struct lc_check *check, const char *what)
{
    size_t i;

    for (i = 0; i < lc_check_n_deps(check); i++) {
        const struct lc_check *dep = lc_check_dep(check, i);
        if (strcmp(lc_check_result(dep)->probe, "signin") == 0 &&
            strcmp(lc_check_result(dep)->what, what) == 0)
            return dep;
    }
    return NULL;
}

/* The data a passed step left, or NULL with this check finished (a failed
 * step before it: SKIP; one that could not run: ERROR). */
static void *lc_si_dep_data(struct lc_check *check, const char *what, const char *missing)
{
    const struct lc_check *dep = lc_si_dep(check, what);
    void *d = dep != NULL && lc_check_result(dep)->status == LC_PASS ? lc_check_data(dep) : NULL;

    if (d == NULL)
        lc_check_finish_no_input(check, dep, missing);
    return d;
}

/* A new 2048-bit RSA key and a PKCS#10 request for CN=<user>, signed with
 * SHA-256, as base64 DER into b64. The key stays in memory. */
static int lc_si_csr(const char *user, EVP_PKEY **key, char *b64, size_t blen)
{
    EVP_PKEY *k = EVP_RSA_gen(2048);
    X509_REQ *req = X509_REQ_new();
    X509_NAME *nm = X509_NAME_new();
    unsigned char *der = NULL;
    int n, ret = -1;

    if (k == NULL || req == NULL || nm == NULL ||
        X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_UTF8, (const unsigned char *)user, -1, -1,
                                   0) != 1 ||
        X509_REQ_set_version(req, 0) != 1 || X509_REQ_set_subject_name(req, nm) != 1 ||
        X509_REQ_set_pubkey(req, k) != 1 || X509_REQ_sign(req, k, EVP_sha256()) <= 0)
        goto done;
    n = i2d_X509_REQ(req, &der);
    if (n <= 0 || (size_t)(n + 2) / 3 * 4 + 1 > blen)
        goto done;
    EVP_EncodeBlock((unsigned char *)b64, der, n);
    *key = k;
    k = NULL;
    ret = 0;
done:
    OPENSSL_free(der);
    X509_NAME_free(nm);
    X509_REQ_free(req);
    EVP_PKEY_free(k);
    return ret;
}

/* xs:dateTime of now + offset seconds (UTC). */
static void lc_si_xs_time(long offset, char *out, size_t len)
{
    time_t t = time(NULL) + offset;
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, len, "1970-01-01T00:00:00Z");
}

/* The certificates of the answer: one DER certificate or a PKCS#7 bundle. */
static STACK_OF(X509) * lc_si_certs_of(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    STACK_OF(X509) *out = sk_X509_new_null();
    X509 *x;
    PKCS7 *p7;
    int i;

    if (out == NULL || len > 0x7fffffff)
        goto fail;
    x = d2i_X509(NULL, &p, (long)len);
    if (x != NULL && p == der + len) {
        if (sk_X509_push(out, x) <= 0) {
            X509_free(x);
            goto fail;
        }
        return out;
    }
    X509_free(x);
    p = der;
    p7 = d2i_PKCS7(NULL, &p, (long)len);
    if (p7 != NULL && PKCS7_type_is_signed(p7) && p7->d.sign != NULL && p7->d.sign->cert != NULL)
        for (i = 0; i < sk_X509_num(p7->d.sign->cert); i++) {
            x = sk_X509_value(p7->d.sign->cert, i);
            if (X509_up_ref(x) != 1 || sk_X509_push(out, x) <= 0) {
                PKCS7_free(p7);
                goto fail;
            }
        }
    PKCS7_free(p7);
    if (sk_X509_num(out) > 0)
        return out;
fail:
    sk_X509_pop_free(out, X509_free);
    return NULL;
}

/* The certificate's facts as the judge wants them; *leaf_at the index of
 * the certificate for our key. */
static void lc_si_cert_facts(struct lc_si_job *j, STACK_OF(X509) * certs, int *leaf_at,
                             struct lc_signin_cert_facts *f, char *chain_why, size_t wlen)
{
    const struct lc_run_config *cfg = lc_check_config(j->check);
    GENERAL_NAMES *gens;
    X509 *leaf = NULL;
    X509_STORE *st = NULL;
    X509_STORE_CTX *ctx = NULL;
    STACK_OF(X509) *untrusted = NULL;
    char want[300];
    int i, days = 0, secs = 0;

    *leaf_at = 0;
    for (i = 0; i < sk_X509_num(certs); i++)
        if (EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(certs, i)), j->key) == 1) {
            *leaf_at = i;
            f->key_matches = 1;
        }
    leaf = sk_X509_value(certs, *leaf_at);
    f->have_cert = 1;
    X509_NAME_oneline(X509_get_subject_name(leaf), f->subject, sizeof(f->subject));
    X509_NAME_oneline(X509_get_issuer_name(leaf), f->issuer, sizeof(f->issuer));
    snprintf(want, sizeof(want), "sip:%s", j->user);
    gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        const char *u;
        if (g->type != GEN_URI)
            continue;
        u = (const char *)ASN1_STRING_get0_data(g->d.uniformResourceIdentifier);
        if (strncasecmp(u, "sip:", 4) != 0)
            continue;
        snprintf(f->sip_uri, sizeof(f->sip_uri), "%.*s",
                 ASN1_STRING_length(g->d.uniformResourceIdentifier), u);
        if (strcasecmp(f->sip_uri, want) == 0)
            f->sip_uri_matches = 1;
    }
    GENERAL_NAMES_free(gens);
    f->now = (long long)time(NULL);
    if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notBefore(leaf)) == 1)
        f->not_before = f->now + (long long)days * 86400 + secs;
    if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(leaf)) == 1)
        f->not_after = f->now + (long long)days * 86400 + secs;
    /* The pool's CA: --ca-file (and the system's store), the other
     * certificates returned as intermediates. */
    st = X509_STORE_new();
    ctx = X509_STORE_CTX_new();
    untrusted = sk_X509_new_null();
    for (i = 0; untrusted != NULL && i < sk_X509_num(certs); i++)
        if (i != *leaf_at)
            (void)sk_X509_push(untrusted, sk_X509_value(certs, i));
    if (st == NULL || ctx == NULL || untrusted == NULL ||
        (cfg->ca_file != NULL && X509_STORE_load_file(st, cfg->ca_file) != 1) ||
        X509_STORE_set_default_paths(st) != 1 ||
        X509_STORE_CTX_init(ctx, st, leaf, untrusted) != 1) {
        snprintf(chain_why, wlen, "cannot set up the verification");
    } else if (X509_verify_cert(ctx) == 1) {
        f->chain_ok = 1;
    } else {
        snprintf(chain_why, wlen, "%s",
                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
    }
    f->chain_why = chain_why;
    sk_X509_free(untrusted);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(st);
}

static void lc_si_certprov_judge(struct lc_si_job *j, const char *transport_why)
{
    struct lc_si_req *r = &j->r;
    struct lc_signin_cert_facts f;
    struct lc_signin_certprov cp;
    STACK_OF(X509) *certs = NULL;
    char msg[900], why[200] = "", chain_why[200] = "";
    const char *diagnosis = NULL;
    json_t *ev = lc_check_evidence(j->check);
    enum lc_status st;
    int leaf_at = 0;

    memset(&f, 0, sizeof(f));
    memset(&cp, 0, sizeof(cp));
    f.user = j->user;
    f.transport_why = transport_why;
    f.status = r->status;
    f.diag = &r->diag;
    if (j->stage == 0) {
        f.mex_status = r->status; /* 0 with transport_why: no answer */
        f.status = 0;
    } else {
        f.mex_status = 200;
        f.elapsed_ms = (long)((lc_now_us() - j->t0_us) / 1000);
        json_object_set_new(ev, "status", json_integer((json_int_t)r->status));
        json_object_set_new(ev, "elapsed_ms", json_integer((json_int_t)f.elapsed_ms));
        if (r->body_len > 0 &&
            lc_signin_certprov_parse(r->body, r->body_len, &cp, why, sizeof(why)) < 0)
            f.body_why = why;
        f.fault = cp.fault;
        f.fault_text = cp.fault_text;
        if (cp.der != NULL) {
            certs = lc_si_certs_of(cp.der, cp.der_len);
            if (certs == NULL)
                f.body_why = "the BinarySecurityToken is neither a certificate nor a PKCS#7 bundle";
            else
                lc_si_cert_facts(j, certs, &leaf_at, &f, chain_why, sizeof(chain_why));
        }
        if (f.have_cert) {
            json_t *c = json_object();
            X509 *leaf = sk_X509_value(certs, leaf_at);
            unsigned char md[EVP_MAX_MD_SIZE];
            unsigned int mdlen = 0;
            char hex[2 * EVP_MAX_MD_SIZE + 1] = "";
            if (X509_digest(leaf, EVP_sha256(), md, &mdlen) == 1)
                for (unsigned int k = 0; k < mdlen; k++)
                    snprintf(hex + 2 * k, sizeof(hex) - 2 * k, "%02x", md[k]);
            json_object_set_new(c, "subject", lc_si_json_str(f.subject));
            json_object_set_new(c, "issuer", lc_si_json_str(f.issuer));
            json_object_set_new(c, "sip_uri", lc_si_json_str(f.sip_uri));
            json_object_set_new(c, "sha256", json_string(hex));
            json_object_set_new(c, "certificates_returned",
                                json_integer((json_int_t)sk_X509_num(certs)));
            json_object_set_new(c, "chains_to_ca", json_boolean(f.chain_ok));
            json_object_set_new(ev, "certificate", c);
        }
    }
    st = lc_signin_cert_judge(&f, msg, sizeof(msg), &diagnosis);
    if (st == LC_PASS) {
        struct lc_si_cert_data *d = calloc(1, sizeof(*d));
        if (d == NULL) {
            st = LC_ERROR;
            snprintf(msg, sizeof(msg), "out of memory");
        } else {
            d->cert = sk_X509_delete(certs, leaf_at);
            d->chain = certs;
            certs = NULL;
            d->key = j->key;
            j->key = NULL;
            d->ms = f.elapsed_ms;
            lc_check_set_data(j->check, d, lc_si_cert_data_free);
        }
    }
    sk_X509_pop_free(certs, X509_free);
    lc_signin_certprov_clear(&cp);
    lc_si_finish(j, st, diagnosis, msg);
}

static void lc_si_certprov_step(struct lc_si_job *j)
{
    struct lc_si_req *r = &j->r;
    const struct lc_si_ticket_data *t;
    char why[700], url[LC_SI_URL_MAX], msgid[64], dev[48], rid[48], created[32], expires[32];
    char csr[4096];
    size_t n;

    lc_si_transport_why(r, why, sizeof(why));
    json_object_set_new(lc_check_evidence(j->check), j->stage == 0 ? "metadata_status" : "status",
                        json_integer((json_int_t)r->status));
    if (j->stage == 1 || why[0] != '\0' || r->status != 200) {
        lc_si_certprov_judge(j, why[0] != '\0' ? why : NULL);
        return;
    }
    /* Stage 0 answered 200: GetAndPublishCert with the web ticket. */
    t = lc_check_data(lc_si_dep(j->check, "webticket"));
    snprintf(url, sizeof(url),
             "https://%s/CertProv/CertProvisioningService.svc/WebTicket_Proof_SHA1", j->host);
    lc_si_xs_time(0, created, sizeof(created));
    lc_si_xs_time(300, expires, sizeof(expires));
    n = LC_SIGNIN_TOKEN_MAX + 8192;
    j->post = malloc(n);
    if (t == NULL || j->post == NULL || lc_si_csr(j->user, &j->key, csr, sizeof(csr)) < 0 ||
        lc_si_uuid(msgid, sizeof(msgid), "urn:uuid:") < 0 || lc_si_uuid(dev, sizeof(dev), "") < 0 ||
        lc_si_uuid(rid, sizeof(rid), "") < 0 ||
        lc_signin_certprov_build(url, msgid, t->xml, created, expires, j->user, dev, rid, csr,
                                 j->post, n) < 0) {
        lc_si_finish(j, LC_ERROR, NULL, "cannot build the GetAndPublishCert request");
        return;
    }
    json_object_set_new(lc_check_evidence(j->check), "url", lc_si_json_str(url));
    json_object_set_new(lc_check_evidence(j->check), "ticket_sha256_prefix",
                        json_string(t->fingerprint));
    j->stage = 1;
    j->t0_us = lc_now_us();
    if (lc_si_req_start(r, url, j->post, lc_signin_certprov_content_type, NULL) < 0)
        lc_si_finish(j, LC_ERROR, NULL, "cannot start the GetAndPublishCert request");
}

static void lc_si_start_certprov(struct lc_check *check, void *arg)
{
    struct lc_si_job *j = arg;
    char url[LC_SI_URL_MAX];

    j->check = check;
    if (lc_si_dep_data(check, "webticket", "no web ticket") == NULL || lc_si_first_addr(j) < 0)
        return;
    snprintf(url, sizeof(url), "https://%s/CertProv/CertProvisioningService.svc/mex", j->host);
    if (lc_si_req_start(&j->r, url, NULL, NULL, NULL) < 0)
        lc_si_finish(j, LC_ERROR, NULL, "cannot start the request for the CertProv metadata");
}

/* ---------------------------------------------------------------- signin.fe-ticket */

#define REF_SIGNIN_FETICKET                                                                        \
    "On the Front End's external web site the client asks for a web ticket again, authenticated "  \
    "by the certificate the pool issued: IssueToken on /WebTicket/WebTicketService.svc/cert "      \
    "answers 200 with a ticket ([MS-OCAUTHWS] 3.2: certificate authentication with the "           \
    "certificate signed by the pool, SOAP Message Security 1.1 with an X.509 token)"

/* What signin.fe-ticket leaves for the address book. */
struct lc_si_fe_data {
    char xml[LC_SIGNIN_TOKEN_MAX];
    size_t xml_len;
    long ms;
};

static void lc_si_fe_data_free(void *p)
{
    if (p == NULL)
        return;
    OPENSSL_cleanse(p, sizeof(struct lc_si_fe_data));
    free(p);
}

/* libcurl's SSL_CTX for the Front End's request: the run's trust store, as
 * every other request has it (lc_http_easy_trust, which this callback
 * replaces), and the provisioned certificate and its key as the client's
 * (never written anywhere). */
static CURLcode lc_si_ssl_ctx(CURL *easy, void *sslctx, void *arg)
{
    const struct lc_si_job *j = arg;
    const struct lc_si_cert_data *d = j->client;
    SSL_CTX *ctx = sslctx;
    char err[256];
    int i;

    (void)easy;
    if (lc_tls_ctx_use_store(ctx, j->ca_file, err, sizeof(err)) < 0)
        return CURLE_SSL_CACERT_BADFILE;
    if (d == NULL)
        return CURLE_SSL_CERTPROBLEM;
    if (SSL_CTX_use_certificate(ctx, d->cert) != 1 || SSL_CTX_use_PrivateKey(ctx, d->key) != 1)
        return CURLE_SSL_CERTPROBLEM;
    for (i = 0; d->chain != NULL && i < sk_X509_num(d->chain); i++)
        (void)SSL_CTX_add1_chain_cert(ctx, sk_X509_value(d->chain, i));
    return CURLE_OK;
}

static void lc_si_feticket_step(struct lc_si_job *j)
{
    struct lc_si_req *r = &j->r;
    struct lc_signin_fe_facts f;
    struct lc_signin_ticket t;
    struct lc_si_fe_data *d = NULL;
    char why[700], bwhy[200], msg[900];
    const char *diagnosis = NULL;
    enum lc_status st;

    memset(&f, 0, sizeof(f));
    memset(&t, 0, sizeof(t));
    lc_si_transport_why(r, why, sizeof(why));
    f.user = j->user;
    f.host = j->host;
    f.transport_why = why[0] != '\0' ? why : NULL;
    f.status = r->status;
    f.diag = &r->diag;
    f.elapsed_ms = (long)((lc_now_us() - j->t0_us) / 1000);
    if (r->body_len > 0) {
        if (lc_signin_rstr_parse(r->body, r->body_len, &t, bwhy, sizeof(bwhy)) < 0)
            f.body_why = bwhy;
        else
            f.ticket = &t;
    }
    json_object_set_new(lc_check_evidence(j->check), "status", json_integer((json_int_t)r->status));
    json_object_set_new(lc_check_evidence(j->check), "elapsed_ms",
                        json_integer((json_int_t)f.elapsed_ms));
    if (r->diag.present) {
        char dt[300];
        json_object_set_new(lc_check_evidence(j->check), "x_ms_diagnostics",
                            lc_si_json_str(lc_web_diag_text(&r->diag, dt, sizeof(dt))));
    }
    if (t.found)
        lc_si_ticket_evidence(j->check, "ticket", &t);
    st = lc_signin_fe_judge(&f, msg, sizeof(msg), &diagnosis);
    if (st == LC_PASS) {
        d = calloc(1, sizeof(*d));
        if (d == NULL ||
            lc_signin_rstr_token(r->body, r->body_len, d->xml, sizeof(d->xml), &d->xml_len) < 0) {
            lc_si_fe_data_free(d);
            st = LC_ERROR;
            snprintf(msg, sizeof(msg), "the Front End's web ticket cannot be kept");
        } else {
            d->ms = f.elapsed_ms;
            lc_check_set_data(j->check, d, lc_si_fe_data_free);
        }
    }
    OPENSSL_cleanse(&t, sizeof(t));
    lc_si_finish(j, st, diagnosis, msg);
}

static void lc_si_start_feticket(struct lc_check *check, void *arg)
{
    struct lc_si_job *j = arg;
    struct lc_si_cert_data *d;
    char url[LC_SI_URL_MAX], msgid[64], created[32], expires[32];
    unsigned char *der = NULL;
    size_t len = 0;
    int n;

    j->check = check;
    d = lc_si_dep_data(check, "certprov", "no provisioned certificate");
    if (d == NULL || lc_si_first_addr(j) < 0)
        return;
    j->client = d;
    snprintf(url, sizeof(url), "https://%s/WebTicket/WebTicketService.svc/cert", j->host);
    json_object_set_new(lc_check_evidence(check), "url", lc_si_json_str(url));
    if (lc_si_uuid(msgid, sizeof(msgid), "urn:uuid:") < 0 ||
        lc_signin_rst_build(url, url, msgid, j->rst, sizeof(j->rst)) < 0) {
        lc_si_finish(j, LC_ERROR, NULL, "cannot build the RequestSecurityToken");
        return;
    }
    /* The certificate both ways: as the TLS client certificate, and in the
     * message, signed with its key ([MS-OCAUTHWS] 3.2, SOAP Message
     * Security with an X.509 token), which is what reaches the Front End
     * when a reverse proxy ends the client's TLS. */
    lc_si_xs_time(0, created, sizeof(created));
    lc_si_xs_time(300, expires, sizeof(expires));
    n = i2d_X509(d->cert, &der);
    j->post =
        n > 0 ? lc_signin_wss_sign(j->rst, der, (size_t)n, d->key, created, expires, &len) : NULL;
    OPENSSL_free(der);
    if (j->post == NULL) {
        lc_si_finish(j, LC_ERROR, NULL,
                     "cannot sign the RequestSecurityToken with the certificate");
        return;
    }
    j->t0_us = lc_now_us();
    if (lc_si_req_start(&j->r, url, j->post, lc_signin_rst_content_type, NULL) < 0 ||
        curl_easy_setopt(j->r.easy, CURLOPT_SSL_CTX_FUNCTION, lc_si_ssl_ctx) != CURLE_OK ||
        curl_easy_setopt(j->r.easy, CURLOPT_SSL_CTX_DATA, j) != CURLE_OK)
        lc_si_finish(j, LC_ERROR, NULL, "cannot start the IssueToken request");
}

/* ---------------------------------------------------------------- signin.abs */

#define REF_SIGNIN_ABS                                                                             \
    "With the Front End's web ticket the client downloads the address book files from "            \
    "/abs/handler/: the full file of the day (F-XXXX.lsabs, else the day before's) and the delta " \
    "from the day before ([MS-ABS] 1.3; [MS-OCAUTHWS] 1.3.1: the web ticket in an HTTP header)"

/* The next address book file: today's full file, else yesterday's; then
 * the delta to the full file found. 0 started, 1 nothing more to fetch. */
static int lc_si_abs_next(struct lc_si_job *j)
{
    const struct lc_si_fe_data *t = lc_check_data(lc_si_dep(j->check, "fe-ticket"));
    struct lc_signin_abs_file *a;
    char url[LC_SI_URL_MAX], hdr[LC_SIGNIN_TOKEN_MAX * 4 / 3 + 64];
    long long now = (long long)time(NULL);
    size_t i = j->abs.n_files;
    int back = 0, rc;

    if (i >= LC_SIGNIN_ABS_MAX || t == NULL)
        return 1;
    if (i == 1 && j->abs.files[0].status != 200) {
        rc = lc_signin_abs_name('F', now, 1, j->abs.files[i].name, sizeof(j->abs.files[i].name));
    } else if (i >= 1 && j->abs.files[i - 1].name[0] == 'F' && j->abs.files[i - 1].status == 200) {
        back = i == 2 ? 1 : 0;
        rc = lc_signin_abs_name('D', now, back, j->abs.files[i].name, sizeof(j->abs.files[i].name));
    } else if (i == 0) {
        rc = lc_signin_abs_name('F', now, 0, j->abs.files[i].name, sizeof(j->abs.files[i].name));
    } else {
        return 1;
    }
    if (rc < 0)
        return 1;
    a = &j->abs.files[i];
    j->abs.n_files++;
    snprintf(url, sizeof(url), "https://%s/abs/handler/%s", j->host, a->name);
    /* The web ticket in a header, base64 of the token's XML ([MS-OCAUTHWS]
     * 1.3.1; the header name X-Ms-WebTicket as clients send it is inferred
     * from the IIS logs' authenticated ABS requests). Cleansed with the
     * header list. */
    memcpy(hdr, "X-Ms-WebTicket: opaque=", 23);
    EVP_EncodeBlock((unsigned char *)hdr + 23, (const unsigned char *)t->xml, (int)t->xml_len);
    if (lc_si_req_start(&j->r, url, NULL, NULL, hdr) < 0)
        goto fail;
    OPENSSL_cleanse(hdr, sizeof(hdr));
    return 0;
fail:
    OPENSSL_cleanse(hdr, sizeof(hdr));
    return -1;
}

static void lc_si_abs_judge(struct lc_si_job *j, const char *transport_why)
{
    char msg[900];
    const char *diagnosis = NULL;
    size_t fetched = 0, i;
    enum lc_status st;
    json_t *arr = json_array();

    j->abs.host = j->host;
    j->abs.transport_why = transport_why;
    j->abs.elapsed_ms = (long)((lc_now_us() - j->t0_us) / 1000);
    for (i = 0; arr != NULL && i < j->abs.n_files; i++) {
        json_t *e = json_object();
        if (e == NULL)
            break;
        json_object_set_new(e, "file", json_string(j->abs.files[i].name));
        json_object_set_new(e, "status", json_integer((json_int_t)j->abs.files[i].status));
        json_object_set_new(e, "bytes", json_integer((json_int_t)j->abs.files[i].bytes));
        json_array_append_new(arr, e);
    }
    if (arr != NULL)
        json_object_set_new(lc_check_evidence(j->check), "files", arr);
    st = lc_signin_abs_judge(&j->abs, &fetched, msg, sizeof(msg), &diagnosis);
    json_object_set_new(lc_check_evidence(j->check), "files_fetched",
                        json_integer((json_int_t)fetched));
    if (st == LC_PASS) {
        size_t *n = malloc(sizeof(*n));
        if (n != NULL) {
            *n = fetched;
            lc_check_set_data(j->check, n, free);
        }
    }
    lc_si_finish(j, st, diagnosis, msg);
}

static void lc_si_abs_step(struct lc_si_job *j)
{
    struct lc_si_req *r = &j->r;
    struct lc_signin_abs_file *a = &j->abs.files[j->abs.n_files - 1];
    char why[700];
    int rc;

    lc_si_transport_why(r, why, sizeof(why));
    a->status = r->status;
    a->bytes = r->body_len;
    a->diag = r->diag;
    if (why[0] != '\0') {
        lc_si_abs_judge(j, why);
        return;
    }
    rc = lc_si_abs_next(j);
    if (rc == 1)
        lc_si_abs_judge(j, NULL);
    else if (rc < 0)
        lc_si_finish(j, LC_ERROR, NULL, "cannot start the address book request");
}

static void lc_si_start_abs(struct lc_check *check, void *arg)
{
    struct lc_si_job *j = arg;
    int rc;

    j->check = check;
    if (lc_si_dep_data(check, "fe-ticket", "no web ticket from the Front End") == NULL ||
        lc_si_first_addr(j) < 0)
        return;
    j->t0_us = lc_now_us();
    rc = lc_si_abs_next(j);
    if (rc != 0)
        lc_si_finish(j, LC_ERROR, NULL, "cannot start the address book request");
}

/* ---------------------------------------------------------------- signin.summary */

#define REF_SIGNIN_SUMMARY                                                                         \
    "The sign-in as the user experiences it from outside: every step passed (web ticket, user "    \
    "certificate, Front End ticket, address book; SIP registration through the Access Edge when "  \
    "planned)"

static void lc_si_start_summary(struct lc_check *check, void *arg)
{
    struct lc_si_job *j = arg;
    struct lc_signin_summary_facts f;
    const struct lc_si_ticket_data *t;
    const size_t *abs;
    char msg[900], reg[300];
    size_t i;

    j->check = check;
    memset(&f, 0, sizeof(f));
    f.user = j->user;
    /* Every step must have passed: the first that did not says why. */
    for (i = 0; i < lc_check_n_deps(check); i++) {
        const struct lc_check *dep = lc_check_dep(check, i);
        const struct lc_result *res = lc_check_result(dep);
        if (strcmp(res->probe, "signin") != 0)
            continue;
        /* No registration planned (no access edge known): the web sign-in
         * alone is summed up, without a word on SIP. */
        if (strcmp(res->what, "register") == 0 && res->status == LC_SKIP &&
            lc_check_n_deps(dep) == 0)
            continue;
        if (res->status != LC_PASS) {
            lc_check_finish_no_input(check, dep, "the sign-in did not complete");
            return;
        }
        if (strcmp(res->what, "register") == 0) {
            /* The home pool a 301 named, from signin.register's evidence. */
            const json_t *pool = json_object_get(res->evidence, "home_pool");
            if (json_is_string(pool))
                snprintf(reg, sizeof(reg), "via %s (home pool %.150s)", res->target,
                         json_string_value(pool));
            else
                snprintf(reg, sizeof(reg), "via %s", res->target);
            f.registered = reg;
        }
    }
    t = lc_check_data(lc_si_dep(check, "webticket"));
    abs = lc_check_data(lc_si_dep(check, "abs"));
    if (t == NULL || abs == NULL) {
        lc_check_finish(check, LC_ERROR, "internal: a passed step left no facts");
        return;
    }
    f.ticket_ms = t->ms;
    f.cert_issued = lc_check_data(lc_si_dep(check, "certprov")) != NULL;
    f.abs_files = *abs;
    lc_signin_summary(&f, msg, sizeof(msg));
    lc_check_finish(check, LC_PASS, "%s", msg);
}

/* ---------------------------------------------------------------- dispatch */

static void lc_si_req_done(CURL *easy, CURLcode result, void *arg)
{
    struct lc_si_req *r = arg;
    struct lc_si_job *j = r->job;

    /* http.c gives the handle back: ours to clean up. */
    r->easy = NULL;
    r->attached = 0;
    r->result = result;
    if (result == CURLE_OK)
        (void)curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r->status);
    else
        r->status = 0;
    (void)curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &r->connects);
    curl_easy_cleanup(easy);
    if (lc_check_is_done(j->check))
        return;
    switch (j->kind) {
    case LC_SI_WEBTICKET:
        lc_si_webticket_step(j);
        return;
    case LC_SI_CERTPROV:
        lc_si_certprov_step(j);
        return;
    case LC_SI_FETICKET:
        lc_si_feticket_step(j);
        return;
    case LC_SI_ABS:
        lc_si_abs_step(j);
        return;
    case LC_SI_SUMMARY:
        break;
    }
    lc_si_finish(j, LC_ERROR, NULL, "internal: unknown step");
}

/* The first address of the name (dependency 0's lookup). */
static int lc_si_first_addr(struct lc_si_job *j)
{
    const struct lc_dns_name *d = lc_dns_dep_addrs(j->check, 0, j->host);

    if (d == NULL)
        return -1;
    snprintf(j->r.addr, sizeof(j->r.addr), "%s", d->addrs[0].text);
    json_object_set_new(lc_check_evidence(j->check), "host", json_string(j->host));
    json_object_set_new(lc_check_evidence(j->check), "address", json_string(j->r.addr));
    return 0;
}

static void lc_si_start_webticket(struct lc_check *check, void *arg)
{
    struct lc_si_job *j = arg;
    char url[LC_SI_URL_MAX];

    j->check = check;
    json_object_set_new(lc_check_evidence(check), "user", lc_si_json_str(j->user));
    if (lc_si_first_addr(j) < 0)
        return;
    snprintf(url, sizeof(url), "https://%s/WebTicket/WebTicketService.svc/mex", j->host);
    if (lc_si_req_start(&j->r, url, NULL, NULL, NULL) < 0)
        lc_si_finish(j, LC_ERROR, NULL, "cannot start the request for the WebTicket metadata");
}

/* ---------------------------------------------------------------- planning */

struct lc_si_plan {
    struct lc_run *run;
    const struct lc_site *site;
};

static struct lc_si_job *lc_si_job_new(const struct lc_si_plan *p, enum lc_si_kind kind,
                                       const char *host)
{
    struct lc_si_job *j = calloc(1, sizeof(*j));

    if (j == NULL)
        return NULL;
    j->kind = kind;
    j->r.job = j;
    j->ca_file = lc_run_get_config(p->run)->ca_file;
    j->host = strdup(host);
    j->user = strdup(p->site->web_user);
    j->password = strdup(p->site->web_password);
    if (j->host == NULL || j->user == NULL || j->password == NULL) {
        lc_si_job_free(j);
        return NULL;
    }
    return j;
}

/* Add a step on `host` (a role's external web FQDN), depending on the
 * name's lookup (dependency 0) and on `prev` (the step before), or NULL. */
static struct lc_check *lc_si_add(const struct lc_si_plan *p, enum lc_si_kind kind,
                                  const char *what, const char *host, const char *role,
                                  const char *ref, lc_check_start_fn start, struct lc_check *prev)
{
    struct lc_check *dns, *c;
    struct lc_si_job *j;

    dns = lc_dns_plan_name(p->run, host, role, 0);
    if (dns == NULL)
        return NULL;
    j = lc_si_job_new(p, kind, host);
    if (j == NULL)
        return NULL;
    c = lc_run_add(p->run, "signin", what, host, ref, start, j, lc_si_job_free);
    if (c == NULL) {
        lc_si_job_free(j);
        return NULL;
    }
    lc_check_set_cancel(c, lc_si_cancel);
    if (lc_check_add_role(c, role) < 0 || lc_check_depend(c, dns) < 0 ||
        (prev != NULL && lc_check_depend(c, prev) < 0))
        return NULL;
    /* The web services are published by name (Host header, certificate). */
    if (lc_is_ip_literal(host))
        lc_check_skip(c,
                      "%s given as an address: the web services are published by name; give the "
                      "FQDN, with --resolve FQDN:%s to reach this address",
                      host, host);
    return c;
}

/* With --user and the password, the sign-in a client does from outside,
 * as the Director's and the Front End's IIS logs of a client's sign-in
 * show it: on the Director (the Front End when there is none) the web
 * ticket and the certificate, on the Front End the ticket for the
 * certificate and the address book; each step depends on the one before.
 * Nothing is planned without --user. */
static int lc_si_plan(struct lc_run *run, const struct lc_site *site, const struct lc_opts *opts)
{
    struct lc_si_plan p = {run, site};
    const char *dir = NULL, *dir_role = NULL, *fe = NULL;
    struct lc_check *wt, *cp, *ft = NULL, *abs = NULL, *sum;
    struct lc_si_job *j;
    size_t i;

    (void)opts;
    if (site->web_user == NULL || site->web_password == NULL)
        return 0;
    if (site->director_web_external.n > 0) {
        dir = site->director_web_external.v[0];
        dir_role = "director-web-external";
    } else if (site->web_external.n > 0) {
        dir = site->web_external.v[0];
        dir_role = "web-external";
    }
    if (site->web_external.n > 0)
        fe = site->web_external.v[0];
    if (dir == NULL) {
        wt = lc_run_add(run, "signin", "webticket", "web-external", REF_SIGNIN_WEBTICKET, NULL,
                        NULL, NULL);
        if (wt == NULL)
            return -1;
        lc_check_skip(wt, "no external web FQDN known: give --director-web-external or "
                          "--web-external");
        return 0;
    }
    wt = lc_si_add(&p, LC_SI_WEBTICKET, "webticket", dir, dir_role, REF_SIGNIN_WEBTICKET,
                   lc_si_start_webticket, NULL);
    cp = wt != NULL ? lc_si_add(&p, LC_SI_CERTPROV, "certprov", dir, dir_role, REF_SIGNIN_CERTPROV,
                                lc_si_start_certprov, wt)
                    : NULL;
    if (cp == NULL)
        return -1;
    if (fe != NULL) {
        ft = lc_si_add(&p, LC_SI_FETICKET, "fe-ticket", fe, "web-external", REF_SIGNIN_FETICKET,
                       lc_si_start_feticket, cp);
        abs = ft != NULL ? lc_si_add(&p, LC_SI_ABS, "abs", fe, "web-external", REF_SIGNIN_ABS,
                                     lc_si_start_abs, ft)
                         : NULL;
        if (abs == NULL)
            return -1;
    } else {
        ft = lc_run_add(run, "signin", "fe-ticket", "web-external", REF_SIGNIN_FETICKET, NULL, NULL,
                        NULL);
        abs = lc_run_add(run, "signin", "abs", "web-external", REF_SIGNIN_ABS, NULL, NULL, NULL);
        if (ft == NULL || abs == NULL)
            return -1;
        lc_check_skip(ft, "no Front End external web FQDN known: give --web-external");
        lc_check_skip(abs, "no Front End external web FQDN known: give --web-external");
    }
    /* ---- HOOK for signin.register (src/sipae.h, another part of issue
     * 16): SIP REGISTER through the Access Edge with NTLM ([MS-SIPAE]),
     * planned here so that the summary depends on it. ---- */
    if (lc_signin_register_plan(run, site, 443) < 0)
        return -1;
    j = lc_si_job_new(&p, LC_SI_SUMMARY, site->web_user);
    if (j == NULL)
        return -1;
    sum = lc_run_add(run, "signin", "summary", site->web_user, REF_SIGNIN_SUMMARY,
                     lc_si_start_summary, j, lc_si_job_free);
    if (sum == NULL) {
        lc_si_job_free(j);
        return -1;
    }
    if (lc_check_depend(sum, wt) < 0 || lc_check_depend(sum, cp) < 0 ||
        lc_check_depend(sum, ft) < 0 || lc_check_depend(sum, abs) < 0)
        return -1;
    for (i = 0; i < lc_run_count(run); i++) {
        /* Every signin.register the hook planned (one per access edge). */
        char id[400];
        struct lc_check *reg;
        snprintf(id, sizeof(id), "signin.register:%s",
                 lc_run_result(run, i)->target != NULL ? lc_run_result(run, i)->target : "");
        if (strcmp(lc_run_result(run, i)->id, id) != 0)
            continue;
        reg = lc_run_find(run, id);
        if (reg != NULL && lc_check_depend(sum, reg) < 0)
            return -1;
    }
    return 0;
}

const struct lc_probe lc_probe_signin = {
    "signin",
    "with --user and the password, sign in from outside as a Lync client does: the web ticket "
    "with NTLM on the Director's external web site, a user certificate from CertProv, the web "
    "ticket for that certificate on the Front End, the address book files; then one line as "
    "the user experiences it",
    NULL,
    lc_si_plan,
};
