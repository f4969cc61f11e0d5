/* SPDX-License-Identifier: MIT */
/* lynccheck - the SIP probe: does the Access Edge speak SIP over TLS, and
 * does a REGISTER without credentials reach something that challenges it
 * the way Lync / Skype for Business does?
 *
 * On 443 (clients) and 5061 (federation, MTLS) of every address of the
 * access edge name: a TLS handshake with SNI = the access edge FQDN, then one
 * request on the connection, one response read with a bounded parser
 * (src/sip.c). REGISTER and OPTIONS are separate checks, each on its own
 * connection. Sources: [MS-SIPAE] 3.1, 3.3.5.1 and 4.1 (the 401 challenge),
 * RFC 3261 (SIP), Microsoft Learn "User and client authentication for Skype
 * for Business Server" (external users authenticate with NTLM, or TLS-DSK
 * certificates; Kerberos needs the domain controller).
 *
 * Verdicts per address (the check takes the worst, FAIL > WARN > PASS);
 * the response verdicts are src/sip.c's lc_sip_judge_register / _options:
 *   REGISTER  301/302 with a Contact (a Director's "301 Redirect request to
 *             Home Server"): PASS, reported as the home pool;
 *             401/407 offering NTLM or TLS-DSK: PASS; 401/407 offering only
 *             Kerberos, Digest or other schemes: FAIL (external clients
 *             cannot authenticate); 401/407 without a challenge: FAIL; 2xx:
 *             FAIL (registered without credentials: the Edge registers
 *             anyone); any other code: FAIL with code, reason and
 *             ms-diagnostics.
 *   OPTIONS   2xx, 401, 407: PASS; any other final response: WARN (the
 *             service speaks SIP; what a Lync edge answers to OPTIONS is
 *             undocumented, so a refusal is worth a look but is not an
 *             outage: the REGISTER check judges that).
 *   both      not SIP, malformed, closed, silent until 4/5 of the check's
 *             time: FAIL; TLS failure: FAIL, except that a server asking for
 *             a client certificate on 5061 (MTLS federation) is a WARN. */
#include "config.h"
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns.h"
#include "fanout.h"
#include "loop.h"
#include "net.h"
#include "probes.h"
#include "refs.h"
#include "run.h"
#include "sip.h"
#include "site.h"
#include "tls.h"

#define REF_SIP_REGISTER                                                                           \
    "Access Edge SIP over TLS (443 clients, 5061 MTLS federation): a REGISTER without "            \
    "credentials is answered 401 with WWW-Authenticate NTLM / Kerberos / TLS-DSK "                 \
    "realm=\"SIP Communications Service\", targetname, version ([MS-SIPAE] 3.3.5.1, 4.1; "         \
    "RFC 3261 10.2, 22.2), NTLM or TLS-DSK among them for external users ([MS-SIPAE] 3.1); "       \
    "errors carry ms-diagnostics. Source: " LC_DOC_USER_AUTH
#define REF_SIP_OPTIONS                                                                            \
    "Access Edge SIP over TLS answers OPTIONS in SIP (RFC 3261 11); Lync's OPTIONS behaviour is "  \
    "undocumented, so only silence, a non-SIP answer or a TLS failure fails"

/* Evidence caps: what a report can hold without drowning. */
#define LC_SIP_EV_HEADERS 4096
#define LC_SIP_EV_FIRST 256

enum lc_sip_method { LC_SIP_REGISTER, LC_SIP_OPTIONS };
enum lc_sip_stage { LC_ST_HANDSHAKE, LC_ST_WRITE, LC_ST_READ };

struct lc_sip_arg;

/* One address of the access edge, one connection (fanout.h). */
struct lc_sip_conn {
    struct lc_fanout_slot slot; /* first */
    struct lc_sip_arg *owner;
    enum lc_sip_stage stage;
    struct lc_tls_hs *hs;
    SSL *ssl;
    int fd;
    int client_cert_requested;
    char request[2048];
    size_t req_len, req_off;
    char *buf; /* what the server sent, at most LC_SIP_MAX_MESSAGE */
    size_t len;
    size_t next; /* where the next message starts (after 1xx responses) */
    size_t n_provisional;
};

/* One check: sip.<method>:<edge>:<port>. */
struct lc_sip_arg {
    enum lc_sip_method method;
    SSL_CTX *ctx; /* a reference of the plan's context */
    char *edge;
    char *domain;
    unsigned port;
    struct lc_check *check;
    struct lc_fanout fan;
};

static struct lc_sip_conn *lc_sip_conn_of(struct lc_fanout_slot *s)
{
    return (struct lc_sip_conn *)(void *)s;
}

static const char *lc_sip_method_name(enum lc_sip_method m)
{
    return m == LC_SIP_REGISTER ? "REGISTER" : "OPTIONS";
}

/* ---- releasing ---- */

static void lc_sip_conn_release(struct lc_fanout_slot *s)
{
    struct lc_sip_conn *c = lc_sip_conn_of(s);

    if (c->hs != NULL) {
        lc_tls_handshake_cancel(c->hs);
        c->hs = NULL;
    }
    if (c->fd >= 0) {
        (void)lc_loop_io_set(lc_check_loop(c->owner->check), c->fd, 0, NULL, NULL);
        if (c->ssl != NULL) {
            struct lc_sigpipe sp;
            /* One close_notify, not waited for (RFC 8446 6.1). */
            lc_sigpipe_ignore(&sp);
            ERR_clear_error();
            (void)SSL_shutdown(c->ssl);
            ERR_clear_error();
            lc_sigpipe_restore(&sp);
        }
        close(c->fd);
        c->fd = -1;
    }
    if (c->ssl != NULL) {
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    free(c->buf);
    c->buf = NULL;
}

static void lc_sip_cancel(struct lc_check *check, void *arg)
{
    struct lc_sip_arg *a = arg;

    (void)check;
    lc_fanout_release(&a->fan);
}

static void lc_sip_arg_free(void *p)
{
    struct lc_sip_arg *a = p;

    if (a == NULL)
        return;
    lc_fanout_clear(&a->fan);
    SSL_CTX_free(a->ctx);
    free(a->edge);
    free(a->domain);
    free(a);
}

/* ---- evidence ---- */

static json_t *lc_sip_ev(struct lc_sip_conn *c)
{
    return lc_fanout_ev(&c->slot);
}

static json_t *lc_sip_json_escaped(const char *s, size_t n, size_t cap)
{
    char *out = malloc(cap);
    json_t *j;

    if (out == NULL)
        return NULL;
    lc_sip_escape(s, n, out, cap);
    j = json_string(out);
    free(out);
    return j;
}

static json_t *lc_sip_json_str(const char *s)
{
    return lc_sip_json_escaped(s, strlen(s), 1024);
}

/* Every value of one header, escaped, as an array. */
static json_t *lc_sip_json_all(const struct lc_sip_response *r, const char *name)
{
    json_t *arr = json_array();
    const char *v;
    size_t i;

    for (i = 0; arr != NULL && (v = lc_sip_header_get(r, name, i)) != NULL; i++)
        json_array_append_new(arr, lc_sip_json_str(v));
    return arr;
}

static void lc_sip_record_response(struct lc_sip_conn *c, const struct lc_sip_response *r)
{
    json_t *ev = lc_sip_ev(c);
    json_t *ch = json_array();
    const char *server = lc_sip_header_get(r, "Server", 0);
    char line[256];
    size_t i;

    snprintf(line, sizeof(line), "%s %03d %s", r->version, r->status, r->reason);
    json_object_set_new(ev, "status_line", lc_sip_json_str(line));
    json_object_set_new(ev, "status_code", json_integer(r->status));
    if (server != NULL)
        json_object_set_new(ev, "server", lc_sip_json_str(server));
    json_object_set_new(ev, "www_authenticate", lc_sip_json_all(r, "WWW-Authenticate"));
    if (lc_sip_header_count(r, "Proxy-Authenticate") > 0)
        json_object_set_new(ev, "proxy_authenticate", lc_sip_json_all(r, "Proxy-Authenticate"));
    for (i = 0; ch != NULL && i < r->n_headers; i++) {
        struct lc_sip_challenge k;
        if (strcasecmp(r->headers[i].name, "WWW-Authenticate") != 0 &&
            strcasecmp(r->headers[i].name, "Proxy-Authenticate") != 0)
            continue;
        if (lc_sip_challenge_parse(r->headers[i].value, &k) < 0)
            continue;
        json_array_append_new(
            ch, json_pack("{s:o, s:o, s:o, s:o, s:b}", "scheme", lc_sip_json_str(k.scheme), "realm",
                          lc_sip_json_str(k.realm), "targetname", lc_sip_json_str(k.targetname),
                          "version", lc_sip_json_str(k.version), "lync", k.lync));
    }
    json_object_set_new(ev, "challenges", ch);
    json_object_set_new(ev, "ms_diagnostics", lc_sip_json_all(r, "ms-diagnostics"));
    {
        /* Each entry parsed: code, reason, source (Microsoft Learn,
         * "Ms-Diagnostics Header"), ms-diagnostics-public ones marked. */
        struct lc_sip_diag dg[LC_SIP_DIAG_MAX];
        size_t nd = lc_sip_diag_list(r, dg, LC_SIP_DIAG_MAX);
        json_t *arr = json_array();
        for (i = 0; arr != NULL && i < nd; i++)
            json_array_append_new(
                arr, json_pack("{s:o, s:o, s:o, s:b}", "code", lc_sip_json_str(dg[i].code),
                               "reason", lc_sip_json_str(dg[i].reason), "source",
                               lc_sip_json_str(dg[i].source), "public", dg[i].public_));
        json_object_set_new(ev, "ms_diagnostics_entries", arr);
    }
    if (r->status >= 300 && r->status < 400)
        /* A Director's "301 Redirect request to Home Server": the home pool. */
        json_object_set_new(ev, "contact", lc_sip_json_all(r, "Contact"));
    if (c->owner->method == LC_SIP_OPTIONS) {
        json_object_set_new(ev, "allow", lc_sip_json_all(r, "Allow"));
        json_object_set_new(ev, "supported", lc_sip_json_all(r, "Supported"));
    }
    if (r->has_content_length && r->message_len == 0)
        json_object_set_new(ev, "content_length_over_cap", json_true());
    json_object_set_new(
        ev, "response_headers",
        lc_sip_json_escaped(c->buf + c->next, r->header_len - c->next, LC_SIP_EV_HEADERS));
}

/* ---- judging one address ---- */

/* The verdict on the final response is src/sip.c's (lc_sip_judge_register,
 * lc_sip_judge_options: pure, table-tested); this only records it. */
static void lc_sip_judge(struct lc_sip_conn *c, const struct lc_sip_response *r)
{
    char msg[sizeof(c->slot.message)];
    enum lc_status st = c->owner->method == LC_SIP_REGISTER
                            ? lc_sip_judge_register(r, msg, sizeof(msg))
                            : lc_sip_judge_options(r, msg, sizeof(msg));

    lc_fanout_end(&c->slot, st, "%s", msg);
}

/* The first bytes the server sent, escaped, into the evidence and buf. */
static void lc_sip_first_bytes(struct lc_sip_conn *c, size_t from, char *buf, size_t len)
{
    size_t n = c->len - from;

    lc_sip_escape(c->buf + from, n < 64 ? n : 64, buf, len);
    json_object_set_new(lc_sip_ev(c), "first_bytes",
                        lc_sip_json_escaped(c->buf + from, n, LC_SIP_EV_FIRST));
}

/* Look at what has arrived; 1 when the connection has its verdict. */
static int lc_sip_examine(struct lc_sip_conn *c)
{
    struct lc_sip_response r;
    char first[300];

    for (;;) {
        enum lc_sip_parse_status st;

        if (c->next >= c->len)
            return 0;
        st = lc_sip_response_parse(c->buf + c->next, c->len - c->next, &r);
        switch (st) {
        case LC_SIP_NEED_MORE:
            return 0;
        case LC_SIP_NOT_SIP:
            lc_sip_first_bytes(c, c->next, first, sizeof(first));
            lc_fanout_end(&c->slot, LC_FAIL, "not a SIP response: \"%s\"", first);
            return 1;
        case LC_SIP_MALFORMED:
            lc_sip_first_bytes(c, c->next, first, sizeof(first));
            lc_fanout_end(&c->slot, LC_FAIL, "malformed SIP response (%s): \"%s\"", r.error, first);
            return 1;
        case LC_SIP_COMPLETE:
        default:
            break;
        }
        if (r.status >= 200) {
            /* Header offsets in r are relative to c->next. */
            r.header_len += c->next;
            lc_sip_record_response(c, &r);
            if (r.has_content_length && r.message_len == 0) {
                /* Over TLS the message ends only where Content-Length says
                 * (RFC 3261 18.3): one that claims more than we accept
                 * never completes, so its headers earn no verdict. */
                int code = r.status;
                lc_sip_response_clear(&r);
                lc_fanout_end(&c->slot, LC_FAIL,
                              "%03d response with a Content-Length beyond %d bytes: the message "
                              "cannot complete (RFC 3261 18.3)",
                              code, LC_SIP_MAX_MESSAGE);
                return 1;
            }
            lc_sip_judge(c, &r);
            lc_sip_response_clear(&r);
            return 1;
        }
        /* A provisional response (100 Trying): note it, read on for the
         * final one (RFC 3261 8.1.3.2). */
        {
            json_t *prov = json_object_get(lc_sip_ev(c), "provisional");
            char line[160];
            if (prov == NULL) {
                prov = json_array();
                json_object_set_new(lc_sip_ev(c), "provisional", prov);
            }
            snprintf(line, sizeof(line), "%03d %s", r.status, r.reason);
            json_array_append_new(prov, lc_sip_json_str(line));
        }
        c->n_provisional++;
        if (r.message_len == 0) {
            lc_sip_response_clear(&r);
            lc_fanout_end(&c->slot, LC_FAIL,
                          "provisional response with a Content-Length beyond %d bytes",
                          LC_SIP_MAX_MESSAGE);
            return 1;
        }
        c->next += r.message_len;
        lc_sip_response_clear(&r);
    }
}

/* ---- I/O on the loop ---- */

static void lc_sip_on_io(struct lc_loop *loop, int fd, unsigned events, void *arg);

static const char *lc_sip_ssl_error(SSL *ssl, int ret, char *buf, size_t len)
{
    int e = SSL_get_error(ssl, ret);
    unsigned long q = ERR_peek_last_error();

#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
    /* OpenSSL 3 reports a close without close_notify this way. */
    if (q != 0 && ERR_GET_REASON(q) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        snprintf(buf, len, "the server closed the connection");
    else
#endif
        if (q != 0)
        ERR_error_string_n(q, buf, len);
    else if (e == SSL_ERROR_SYSCALL && errno != 0)
        snprintf(buf, len, "%s", strerror(errno));
    else
        snprintf(buf, len, "the server closed the connection");
    ERR_clear_error();
    return buf;
}

static int lc_sip_watch(struct lc_sip_conn *c, int err)
{
    unsigned want = err == SSL_ERROR_WANT_WRITE ? LC_IO_WRITE : LC_IO_READ;

    if (lc_loop_io_set(lc_check_loop(c->owner->check), c->fd, want, lc_sip_on_io, c) < 0) {
        lc_fanout_end(&c->slot, LC_ERROR, "cannot watch the socket");
        return -1;
    }
    return 0;
}

/* The connection broke before a final response: an MTLS listener that
 * wanted our (absent) client certificate ends it here under TLS 1.3, where
 * the server judges the certificate after the handshake. */
static void lc_sip_conn_broken(struct lc_sip_conn *c, const char *why)
{
    struct lc_sip_arg *a = c->owner;
    char first[300];

    if (c->client_cert_requested && c->len == c->next) {
        if (a->port == 5061)
            lc_fanout_end(&c->slot, LC_WARN,
                          "requires MTLS client certificate: the server asked for one and ended "
                          "the connection (%s); federation partners present theirs",
                          why);
        else
            lc_fanout_end(&c->slot, LC_FAIL,
                          "port %u demands a client certificate (%s): clients cannot connect",
                          a->port, why);
        return;
    }
    if (c->len == c->next) {
        lc_fanout_end(&c->slot, LC_FAIL, "no SIP response to %s: %s", lc_sip_method_name(a->method),
                      why);
        return;
    }
    lc_sip_first_bytes(c, c->next, first, sizeof(first));
    lc_fanout_end(&c->slot, LC_FAIL, "incomplete SIP response (%zu bytes) then %s: \"%s\"",
                  c->len - c->next, why, first);
}

static void lc_sip_step(struct lc_sip_conn *c)
{
    struct lc_sigpipe sp;
    char why[200];
    int ret, e;

    while (c->stage == LC_ST_WRITE) {
        lc_sigpipe_ignore(&sp);
        ERR_clear_error();
        errno = 0;
        ret = SSL_write(c->ssl, c->request + c->req_off, (int)(c->req_len - c->req_off));
        lc_sigpipe_restore(&sp);
        if (ret > 0) {
            c->req_off += (size_t)ret;
            if (c->req_off == c->req_len)
                c->stage = LC_ST_READ;
            continue;
        }
        e = SSL_get_error(c->ssl, ret);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            (void)lc_sip_watch(c, e);
            return;
        }
        lc_sip_conn_broken(c, lc_sip_ssl_error(c->ssl, ret, why, sizeof(why)));
        return;
    }
    while (c->stage == LC_ST_READ) {
        if (c->len >= LC_SIP_MAX_MESSAGE) {
            /* The parser has seen the cap and judged it; this is a backstop. */
            lc_fanout_end(&c->slot, LC_FAIL, "response larger than %d bytes", LC_SIP_MAX_MESSAGE);
            return;
        }
        if (c->buf == NULL && (c->buf = malloc(LC_SIP_MAX_MESSAGE)) == NULL) {
            lc_fanout_end(&c->slot, LC_ERROR, "out of memory");
            return;
        }
        /* SSL_read may write too (a TLS 1.3 KeyUpdate answer). */
        lc_sigpipe_ignore(&sp);
        ERR_clear_error();
        errno = 0;
        ret = SSL_read(c->ssl, c->buf + c->len, (int)(LC_SIP_MAX_MESSAGE - c->len));
        lc_sigpipe_restore(&sp);
        if (ret > 0) {
            c->len += (size_t)ret;
            if (lc_sip_examine(c))
                return;
            continue;
        }
        e = SSL_get_error(c->ssl, ret);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            (void)lc_sip_watch(c, e);
            return;
        }
        if (e == SSL_ERROR_ZERO_RETURN ||
            (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0)) {
            ERR_clear_error();
            lc_sip_conn_broken(c, "the server closed the connection");
            return;
        }
        lc_sip_conn_broken(c, lc_sip_ssl_error(c->ssl, ret, why, sizeof(why)));
        return;
    }
}

static void lc_sip_on_io(struct lc_loop *loop, int fd, unsigned events, void *arg)
{
    struct lc_sip_conn *c = arg;

    (void)loop;
    (void)fd;
    (void)events;
    if (c->slot.done || lc_check_is_done(c->owner->check))
        return;
    lc_sip_step(c);
}

/* The local address and port, for Via and Contact (RFC 3261 18.1.1). */
static void lc_sip_local(int fd, char *host, size_t len, unsigned *port)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);

    snprintf(host, len, "lynccheck.invalid");
    *port = 5061;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
        return;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
        if (inet_ntop(AF_INET, &sin->sin_addr, host, (socklen_t)len) != NULL)
            *port = ntohs(sin->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;
        if (inet_ntop(AF_INET6, &sin6->sin6_addr, host, (socklen_t)len) != NULL)
            *port = ntohs(sin6->sin6_port);
    }
}

static int lc_sip_build(struct lc_sip_conn *c)
{
    struct lc_sip_arg *a = c->owner;
    struct lc_sip_request q;
    char host[64], branch[33], tag[17], callid[64];
    char *eol;
    int n;

    memset(&q, 0, sizeof(q));
    lc_sip_local(c->fd, host, sizeof(host), &q.via_port);
    if (lc_sip_token(branch, sizeof(branch), 24) < 0 || lc_sip_token(tag, sizeof(tag), 12) < 0 ||
        lc_sip_token(callid, sizeof(callid), 32) < 0)
        return -1;
    q.method = lc_sip_method_name(a->method);
    q.domain = a->domain;
    q.via_host = host;
    q.branch = branch;
    q.tag = tag;
    q.call_id = callid;
    q.cseq = 1;
    q.user_agent = "lynccheck/" PACKAGE_VERSION;
    n = lc_sip_request_build(c->request, sizeof(c->request), &q);
    if (n < 0)
        return -1;
    c->req_len = (size_t)n;
    eol = strstr(c->request, "\r\n");
    json_object_set_new(
        lc_sip_ev(c), "request",
        lc_sip_json_escaped(c->request, eol ? (size_t)(eol - c->request) : c->req_len, 512));
    return 0;
}

static void lc_sip_on_tls(struct lc_tls_result *res, void *arg)
{
    struct lc_sip_conn *c = arg;
    struct lc_sip_arg *a = c->owner;
    json_t *ev;

    c->hs = NULL; /* tls.c frees it after this returns */
    if (lc_check_is_done(a->check) || c->slot.done)
        return;
    ev = lc_sip_ev(c);
    c->client_cert_requested = res->client_cert_requested;
    json_object_set_new(ev, "handshake", json_boolean(res->handshake_ok));
    json_object_set_new(ev, "client_cert_requested", json_boolean(res->client_cert_requested));
    if (!res->handshake_ok) {
        json_object_set_new(ev, "error", lc_sip_json_str(res->error));
        if (res->client_cert_requested && a->port == 5061)
            lc_fanout_end(&c->slot, LC_WARN, "requires MTLS client certificate (%s)", res->error);
        else if (res->client_cert_requested)
            lc_fanout_end(&c->slot, LC_FAIL,
                          "port %u demands a client certificate: clients cannot connect (%s)",
                          a->port, res->error);
        else
            lc_fanout_end(&c->slot, LC_FAIL, "%s", res->error);
        return;
    }
    json_object_set_new(ev, "tls_version", json_string(res->version));
    json_object_set_new(ev, "cipher", json_string(res->cipher));
    /* Ours from now on (tls.h: keep). */
    c->ssl = res->ssl;
    c->fd = res->fd;
    res->ssl = NULL;
    res->fd = -1;
    if (lc_sip_build(c) < 0) {
        lc_fanout_end(&c->slot, LC_ERROR, "cannot build the %s request",
                      lc_sip_method_name(a->method));
        return;
    }
    c->stage = LC_ST_WRITE;
    lc_sip_step(c);
}

/* 4/5 of the check's time has gone: whoever has not answered is silent. */
static void lc_sip_expire(struct lc_fanout_slot *s, unsigned long long ms)
{
    struct lc_sip_conn *c = lc_sip_conn_of(s);
    struct lc_sip_arg *a = c->owner;
    char first[300];

    switch (c->stage) {
    case LC_ST_HANDSHAKE:
        lc_fanout_end(&c->slot, LC_FAIL, "TCP connect or TLS handshake not done within %llu ms",
                      ms);
        break;
    case LC_ST_WRITE:
        lc_fanout_end(&c->slot, LC_FAIL, "could not send the %s request within %llu ms",
                      lc_sip_method_name(a->method), ms);
        break;
    case LC_ST_READ:
    default:
        if (c->len == c->next && c->client_cert_requested && a->port == 5061) {
            lc_fanout_end(&c->slot, LC_WARN,
                          "no answer within %llu ms after the server asked for a client "
                          "certificate: requires MTLS client certificate",
                          ms);
        } else if (c->len == c->next) {
            lc_fanout_end(&c->slot, LC_FAIL, "no SIP response to %s within %llu ms%s",
                          lc_sip_method_name(a->method), ms,
                          c->n_provisional > 0 ? " (only provisional responses)" : "");
        } else {
            lc_sip_first_bytes(c, c->next, first, sizeof(first));
            lc_fanout_end(&c->slot, LC_FAIL,
                          "incomplete SIP response after %llu ms (%zu bytes): \"%s\"", ms,
                          c->len - c->next, first);
        }
        break;
    }
}

static const struct lc_fanout_ops lc_sip_fanout = {lc_sip_conn_release, NULL, lc_sip_expire, NULL};

static void lc_sip_start(struct lc_check *check, void *arg)
{
    struct lc_sip_arg *a = arg;
    const struct lc_dns_name *d;
    const struct lc_run_config *cfg = lc_check_config(check);
    /* Leave a fifth of the check's time to report who was silent. */
    uint64_t read_timeout_us = cfg->timeout_us * 4 / 5;
    struct lc_tls_opts opts;
    json_t *ev = lc_check_evidence(check);
    size_t i;

    a->check = check;
    d = lc_dns_dep_addrs(check, 0, a->edge);
    if (d == NULL)
        return;
    json_object_set_new(ev, "sni", json_string(a->edge));
    json_object_set_new(ev, "port", json_integer(a->port));
    json_object_set_new(ev, "domain", json_string(a->domain));
    json_object_set_new(ev, "method", json_string(lc_sip_method_name(a->method)));
    json_object_set_new(ev, "read_timeout_ms", json_integer((json_int_t)(read_timeout_us / 1000)));
    if (lc_fanout_init_name(&a->fan, check, &lc_sip_fanout, d, sizeof(struct lc_sip_conn)) < 0)
        return;
    a->fan.port = a->port;
    for (i = 0; i < a->fan.n; i++) {
        struct lc_sip_conn *c = lc_sip_conn_of(lc_fanout_at(&a->fan, i));
        c->owner = a;
        c->fd = -1;
        c->stage = LC_ST_HANDSHAKE;
    }
    if (lc_fanout_arm(&a->fan, read_timeout_us) < 0)
        return;
    memset(&opts, 0, sizeof(opts));
    opts.sni = a->edge;
    /* The handshake gets its own, earlier limit so that tls.c can say
     * whether TCP or TLS hung before our read timer speaks for everyone. */
    opts.timeout_us = cfg->timeout_us * 3 / 4;
    opts.keep = 1;
    for (i = 0; i < a->fan.n && !lc_check_is_done(check); i++) {
        struct lc_sip_conn *c = lc_sip_conn_of(lc_fanout_at(&a->fan, i));
        c->slot.started_us = lc_now_us();
        if (lc_tls_handshake(lc_check_loop(check), a->ctx, c->slot.addr, a->port, &opts,
                             lc_sip_on_tls, c, &c->hs) < 0)
            lc_fanout_end(&c->slot, LC_ERROR, "cannot start a connection to %s", c->slot.addr);
    }
}

/* ---- planning ---- */

static const char *const lc_sip_port_words[] = {"443", "5061", NULL};
static const char *const lc_sip_method_words[] = {"register", "options", NULL};

static const struct lc_option_decl lc_sip_options[] = {
    {"ports", LC_OPT_LIST, "443, 5061",
     "access edge ports: 443 (clients, SIP/TLS) and 5061 (federation, SIP/MTLS)", lc_sip_port_words,
     0, 0, NULL},
    {"methods", LC_OPT_LIST, "register, options",
     "requests to send, each on its own connection: REGISTER (expects a 401 challenge), OPTIONS",
     lc_sip_method_words, 0, 0, NULL},
    {NULL, LC_OPT_BOOL, NULL, NULL, NULL, 0, 0, NULL},
};

static int lc_sip_plan_one(struct lc_run *run, const struct lc_site *site, SSL_CTX *ctx,
                           struct lc_check *dns, enum lc_sip_method m, unsigned port)
{
    struct lc_sip_arg *a = calloc(1, sizeof(*a));
    struct lc_check *c;
    char target[300];

    if (a == NULL)
        return -1;
    a->method = m;
    a->port = port;
    a->edge = strdup(site->access_edge);
    a->domain = strdup(site->sip_domains.v[0]);
    if (a->edge == NULL || a->domain == NULL || SSL_CTX_up_ref(ctx) != 1) {
        lc_sip_arg_free(a);
        return -1;
    }
    a->ctx = ctx;
    snprintf(target, sizeof(target), "%s:%u", site->access_edge, port);
    c = lc_run_add(run, "sip", m == LC_SIP_REGISTER ? "register" : "options", target,
                   m == LC_SIP_REGISTER ? REF_SIP_REGISTER : REF_SIP_OPTIONS, lc_sip_start, a,
                   lc_sip_arg_free);
    if (c == NULL) {
        lc_sip_arg_free(a);
        return -1;
    }
    lc_check_set_cancel(c, lc_sip_cancel);
    return lc_check_depend(c, dns);
}

static int lc_sip_plan(struct lc_run *run, const struct lc_site *site, const struct lc_opts *opts)
{
    static const unsigned ports[] = {443, 5061};
    static const enum lc_sip_method methods[] = {LC_SIP_REGISTER, LC_SIP_OPTIONS};
    struct lc_check *dns = NULL;
    SSL_CTX *ctx = NULL;
    char err[256], word[8];
    size_t i, k;
    int rc = -1;

    if (site->access_edge == NULL || site->sip_domains.n == 0) {
        for (i = 0; i < 2; i++) {
            snprintf(word, sizeof(word), "%u", ports[i]);
            if (!lc_opts_list_has(opts, "ports", word))
                continue;
            for (k = 0; k < 2; k++) {
                const char *w = lc_sip_method_words[k];
                char target[32];
                struct lc_check *c;
                if (!lc_opts_list_has(opts, "methods", w))
                    continue;
                snprintf(target, sizeof(target), "access-edge:%u", ports[i]);
                c = lc_run_add(run, "sip", w, target, k == 0 ? REF_SIP_REGISTER : REF_SIP_OPTIONS,
                               NULL, NULL, NULL);
                if (c == NULL)
                    return -1;
                lc_check_skip(c, "%s",
                              site->access_edge == NULL
                                  ? "no access edge name known: give --access-edge"
                                  : "no SIP domain known: give --sip-domain");
            }
        }
        return 0;
    }
    ctx = lc_tls_ctx_new(lc_run_get_config(run)->ca_file, err, sizeof(err));
    if (ctx == NULL)
        return -1;
    dns = lc_dns_plan_name(run, site->access_edge, "access-edge", 1);
    if (dns == NULL)
        goto done;
    for (i = 0; i < 2; i++) {
        snprintf(word, sizeof(word), "%u", ports[i]);
        if (!lc_opts_list_has(opts, "ports", word))
            continue;
        for (k = 0; k < 2; k++) {
            if (lc_opts_list_has(opts, "methods", lc_sip_method_words[k]) &&
                lc_sip_plan_one(run, site, ctx, dns, methods[k], ports[i]) < 0)
                goto done;
        }
    }
    rc = 0;
done:
    SSL_CTX_free(ctx);
    return rc;
}

const struct lc_probe lc_probe_sip = {
    "sip",
    "SIP over TLS on the access edge (443, 5061), every address: a REGISTER without credentials "
    "must meet a 401 challenge external clients can answer (NTLM or TLS-DSK); OPTIONS must be "
    "answered in SIP",
    lc_sip_options,
    lc_sip_plan,
};
