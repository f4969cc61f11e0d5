/* SPDX-License-Identifier: MIT */
/* lynccheck - signin.register: sign in to SIP through the Access Edge with
 * NTLM ([MS-SIPAE]) on the event loop, verify the server's signature, then
 * unREGISTER. The exchange and the verdict are src/sipae.c's; this file
 * holds the one TLS connection (a second one for a "301 Redirect request to
 * Home Server") and the transaction.
 *
 * Sources: [MS-SIPAE] 3.2.5 and 4.1 (the exchange), [MS-NLMP] (connectionless
 * NTLM), RFC 3261 10.2.2 (removing a binding: Expires: 0) and 21.3.2 (301),
 * Microsoft Learn "User and client authentication for Skype for Business
 * Server" (external users sign in with NTLM through the Access Edge).
 *
 * Evidence: the legs (request, status, reason, ms-diagnostics, elapsed),
 * the challenge's realm, targetname and version, the NTLM CHALLENGE's
 * flags and domain names, the home pool, whether the server's signature
 * verified. The password, the NTLM messages and the session keys never go
 * into evidence, a message or a log. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "fixes.h"
#include "loop.h"
#include "net.h"
#include "probes.h"
#include "refs.h"
#include "run.h"
#include "sip.h"
#include "sipae.h"
#include "site.h"
#include "tls.h"

#define REF_SIGNIN_REGISTER                                                                        \
    "With --user and the password, sign in to SIP through the Access Edge as a Lync client does "  \
    "from outside: REGISTER over TLS with NTLM in [MS-SIPAE]'s connectionless exchange (401 with " \
    "realm, targetname, version; gssapi-data with the NTLM CHALLENGE and opaque; the "             \
    "AUTHENTICATE with crand, cnum and the signature), 200 OK signed by the server "               \
    "(Authentication-Info rspauth, verified), a 301 to the home pool followed, then an "           \
    "unREGISTER (Expires: 0) ([MS-SIPAE] 3.2.5, 4.1; [MS-NLMP] 3.1.5.2, 3.4.4; RFC 3261 10.2.2); " \
    "a user not enabled for remote access gets 403 with ms-diagnostics; " LC_DOC_USER_AUTH

#define LC_SIPAE_REQ_MAX 16384
#define LC_SIPAE_MAX_REDIRECTS 1
#define LC_SIPAE_MAX_LEGS 12

struct lc_sipae_arg {
    SSL_CTX *ctx;
    char *edge, *domain, *user, *password;
    unsigned port;
    struct lc_check *check;
    struct lc_timer *timer;
    uint64_t started_us, leg_us, timeout_us;
    /* the connection */
    char addr[64];
    char target[300]; /* edge or home pool, for messages */
    unsigned cport;
    struct lc_tls_hs *hs;
    SSL *ssl;
    int fd;
    char *out;
    size_t out_len, out_off;
    int writing;
    char *buf;
    size_t len;
    /* the SIP dialog of the sign-in */
    enum lc_sipae_leg leg;
    char call_id[40], from_tag[20], epid[12], instance[40];
    char via_host[64];
    unsigned via_port, cseq, cnum;
    struct lc_sipae_auth ch; /* realm, targetname, version, opaque */
    int version;
    struct lc_ntlm_keys keys;
    int have_keys;
    /* what the verdict needs */
    int status;
    char reason[160], schemes[200], home_pool[300], redirect_why[300], why[300];
    struct lc_sip_diag diag[LC_SIP_DIAG_MAX];
    size_t n_diag;
    int ntlm_offered, got_challenge, sig_present, sig_ok, redirects, redirect_followed;
    int unreg_status;
    int proxy; /* the edge challenged with 407 / Proxy-Authenticate */
    const char *transport_why, *local_why, *ntlm_why;
    json_t *legs;
};

/* ---- releasing ---- */

static void lc_sipae_close(struct lc_sipae_arg *a)
{
    struct lc_loop *loop = lc_check_loop(a->check);

    if (a->hs != NULL) {
        lc_tls_handshake_cancel(a->hs);
        a->hs = NULL;
    }
    if (a->fd >= 0) {
        (void)lc_loop_io_set(loop, a->fd, 0, NULL, NULL);
        if (a->ssl != NULL) {
            struct lc_sigpipe sp;
            lc_sigpipe_ignore(&sp);
            ERR_clear_error();
            (void)SSL_shutdown(a->ssl);
            ERR_clear_error();
            lc_sigpipe_restore(&sp);
        }
        close(a->fd);
        a->fd = -1;
    }
    if (a->ssl != NULL) {
        SSL_free(a->ssl);
        a->ssl = NULL;
    }
    a->len = 0;
}

static void lc_sipae_release(struct lc_sipae_arg *a)
{
    if (a->check == NULL)
        return;
    if (a->timer != NULL) {
        lc_loop_timer_cancel(lc_check_loop(a->check), a->timer);
        a->timer = NULL;
    }
    lc_sipae_close(a);
    OPENSSL_cleanse(&a->keys, sizeof(a->keys));
    a->have_keys = 0;
}

static void lc_sipae_cancel(struct lc_check *check, void *arg)
{
    (void)check;
    lc_sipae_release(arg);
}

static void lc_sipae_arg_free(void *p)
{
    struct lc_sipae_arg *a = p;

    if (a == NULL)
        return;
    lc_sipae_release(a);
    SSL_CTX_free(a->ctx);
    free(a->edge);
    free(a->domain);
    free(a->user);
    if (a->password != NULL) {
        OPENSSL_cleanse(a->password, strlen(a->password));
        free(a->password);
    }
    free(a->out);
    free(a->buf);
    json_decref(a->legs);
    OPENSSL_cleanse(a, sizeof(*a));
    free(a);
}

/* ---- the verdict ---- */

static void lc_sipae_finish(struct lc_sipae_arg *a)
{
    struct lc_sipae_facts f;
    json_t *ev = lc_check_evidence(a->check);
    const char *diagnosis = NULL;
    char msg[900];
    enum lc_status st;

    if (lc_check_is_done(a->check))
        return;
    memset(&f, 0, sizeof(f));
    f.user = a->user;
    f.edge = a->edge;
    f.port = a->port;
    f.leg = a->leg;
    f.transport_why = a->transport_why != NULL ? a->why : NULL;
    f.local_why = a->local_why != NULL ? a->why : NULL;
    f.ntlm_why = a->ntlm_why != NULL ? a->why : NULL;
    f.status = a->status;
    f.reason = a->reason;
    f.schemes = a->schemes;
    f.ntlm_offered = a->ntlm_offered;
    f.got_challenge = a->got_challenge;
    f.diag = a->diag;
    f.n_diag = a->n_diag;
    f.home_pool = a->home_pool[0] != '\0' ? a->home_pool : NULL;
    f.redirect_followed = a->redirect_followed;
    f.redirect_why = a->redirect_why[0] != '\0' ? a->redirect_why : NULL;
    f.sig_present = a->sig_present;
    f.sig_ok = a->sig_ok;
    f.unreg_status = a->unreg_status;
    f.elapsed_ms = (long)((lc_now_us() - a->started_us) / 1000);
    st = lc_sipae_judge(&f, msg, sizeof(msg), &diagnosis);
    lc_sipae_release(a);
    json_object_set(ev, "legs", a->legs);
    json_object_set_new(ev, "elapsed_ms", json_integer(f.elapsed_ms));
    json_object_set_new(ev, "signature_verified", json_boolean(a->sig_present && a->sig_ok));
    if (f.home_pool != NULL)
        json_object_set_new(ev, "home_pool", json_string(a->home_pool));
    if (diagnosis != NULL) {
        json_object_set_new(ev, "diagnosis", json_string(diagnosis));
        if (lc_fix_for_diagnosis(diagnosis) != NULL)
            json_object_set_new(ev, "fix", json_string(lc_fix_for_diagnosis(diagnosis)));
    }
    lc_check_finish(a->check, st, "%s", msg);
}

/* The leg ends without an answer. */
static void lc_sipae_broken(struct lc_sipae_arg *a, const char *why)
{
    snprintf(a->why, sizeof(a->why), "%s", why);
    a->transport_why = a->why;
    a->status = 0;
    lc_sipae_finish(a);
}

static void lc_sipae_local(struct lc_sipae_arg *a, const char *why)
{
    snprintf(a->why, sizeof(a->why), "%s", why);
    a->local_why = a->why;
    lc_sipae_finish(a);
}

/* ---- I/O ---- */

static void lc_sipae_on_io(struct lc_loop *loop, int fd, unsigned events, void *arg);

static void lc_sipae_watch(struct lc_sipae_arg *a, int err)
{
    unsigned want = err == SSL_ERROR_WANT_WRITE ? LC_IO_WRITE : LC_IO_READ;

    if (lc_loop_io_set(lc_check_loop(a->check), a->fd, want, lc_sipae_on_io, a) < 0)
        lc_sipae_local(a, "cannot watch the socket");
}

static const char *lc_sipae_ssl_why(SSL *ssl, int ret, char *buf, size_t len)
{
    int e = SSL_get_error(ssl, ret);
    unsigned long q = ERR_peek_last_error();

    if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && q == 0 && errno == 0))
        snprintf(buf, len, "the server closed the connection");
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
    else if (q != 0 && ERR_GET_REASON(q) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        snprintf(buf, len, "the server closed the connection");
#endif
    else if (q != 0)
        ERR_error_string_n(q, buf, len);
    else if (errno != 0)
        snprintf(buf, len, "%s", strerror(errno));
    else
        snprintf(buf, len, "the connection broke");
    ERR_clear_error();
    return buf;
}

static void lc_sipae_leg_record(struct lc_sipae_arg *a, const char *what)
{
    json_t *leg = json_object();

    if (leg == NULL)
        return;
    json_object_set_new(leg, "request", json_string(what));
    json_object_set_new(leg, "to", json_string(a->target));
    json_object_set_new(leg, "address", json_string(a->addr));
    json_object_set_new(leg, "cseq", json_integer(a->cseq));
    json_array_append_new(a->legs, leg);
}

static json_t *lc_sipae_leg_last(struct lc_sipae_arg *a)
{
    size_t n = json_array_size(a->legs);

    return n > 0 ? json_array_get(a->legs, n - 1) : NULL;
}

static void lc_sipae_hex(const uint8_t *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Sign the request about to go out ([MS-SIPAE] 3.2.5.1.2) into crand, cnum
 * and response. */
static int lc_sipae_sign(struct lc_sipae_arg *a, int expires, char crand[16], char cnum[16],
                         char response[40])
{
    struct lc_sipae_sig_fields f;
    char uri[300], exp[16] = "", num[16], sig[4096];
    uint8_t mac[16];
    int n;

    if (lc_sip_token(crand, 16, 8) < 0)
        return -1;
    snprintf(cnum, 16, "%u", ++a->cnum);
    snprintf(uri, sizeof(uri), "sip:%s", a->user);
    snprintf(num, sizeof(num), "%u", a->cseq);
    if (expires >= 0)
        snprintf(exp, sizeof(exp), "%d", expires);
    memset(&f, 0, sizeof(f));
    f.scheme = "NTLM";
    f.rand = crand;
    f.num = cnum;
    f.realm = a->ch.realm;
    f.targetname = a->ch.targetname;
    f.call_id = a->call_id;
    f.cseq_num = num;
    f.method = "REGISTER";
    f.from_uri = uri;
    f.from_tag = a->from_tag;
    f.to_uri = uri;
    f.to_tag = "";
    f.expires = exp;
    f.version = a->version;
    n = lc_sipae_sig_string(&f, sig, sizeof(sig));
    if (n < 0 || lc_ntlm_mac(a->keys.flags, a->keys.client_sign, a->keys.client_seal,
                             LC_SIPAE_NTLM_SEQNUM, sig, (size_t)n, mac) < 0)
        return -1;
    lc_sipae_hex(mac, 16, response);
    return 0;
}

/* Build and start writing the REGISTER of leg `leg`; gssapi is the NTLM
 * token for the AUTH leg (base64), NULL otherwise. */
static void lc_sipae_send(struct lc_sipae_arg *a, enum lc_sipae_leg leg, const char *gssapi)
{
    static const char *const what[] = {
        "", "REGISTER (no credentials)", "REGISTER NTLM gssapi-data=\"\" (negotiate)",
        "REGISTER NTLM AUTHENTICATE (signed)", "REGISTER Expires: 0 (unREGISTER, signed)"};
    struct lc_sipae_req q;
    struct lc_sipae_authz z;
    char branch[33], authz[8192], crand[16], cnum[16], response[40];
    int n, expires = leg == LC_SIPAE_LEG_UNREGISTER ? 0 : -1;

    a->leg = leg;
    a->status = 0;
    a->reason[0] = '\0';
    a->n_diag = 0;
    a->cseq++;
    memset(&z, 0, sizeof(z));
    z.realm = a->ch.realm;
    z.targetname = a->ch.targetname;
    if (leg == LC_SIPAE_LEG_NEGOTIATE) {
        z.gssapi = ""; /* connectionless: no NEGOTIATE_MESSAGE ([MS-NLMP] 3.1.5.2) */
        z.version = a->version;
    } else if (leg == LC_SIPAE_LEG_AUTH) {
        z.opaque = a->ch.opaque[0] != '\0' ? a->ch.opaque : NULL;
        z.gssapi = gssapi;
        z.version = a->version;
    } else if (leg == LC_SIPAE_LEG_UNREGISTER) {
        z.opaque = a->ch.opaque[0] != '\0' ? a->ch.opaque : NULL;
    }
    /* Version 4 signs the AUTHENTICATE leg too; every later message is
     * signed ([MS-SIPAE] 3.2.5.1.2). */
    if ((leg == LC_SIPAE_LEG_AUTH && a->version >= 4) || leg == LC_SIPAE_LEG_UNREGISTER) {
        if (lc_sipae_sign(a, expires, crand, cnum, response) < 0) {
            lc_sipae_local(a, "cannot sign the request (NTLM MAC: OpenSSL's RC4 or MD5)");
            return;
        }
        z.crand = crand;
        z.cnum = cnum;
        z.response = response;
    }
    if (lc_sip_token(branch, sizeof(branch), 24) < 0) {
        lc_sipae_local(a, "no randomness for the Via branch");
        return;
    }
    memset(&q, 0, sizeof(q));
    q.domain = a->domain;
    q.user = a->user;
    q.via_host = a->via_host;
    q.via_port = a->via_port;
    q.branch = branch;
    q.from_tag = a->from_tag;
    q.epid = a->epid;
    q.call_id = a->call_id;
    q.instance = a->instance;
    q.cseq = a->cseq;
    q.expires = expires;
    q.user_agent = "lynccheck/" PACKAGE_VERSION;
    q.authorization = NULL;
    q.proxy = a->proxy;
    if (leg != LC_SIPAE_LEG_PROBE) {
        if (lc_sipae_authz_build(authz, sizeof(authz), &z) < 0) {
            lc_sipae_local(a, "the Authorization header does not fit (realm or targetname)");
            return;
        }
        q.authorization = authz;
    }
    n = lc_sipae_request_build(a->out, LC_SIPAE_REQ_MAX, &q);
    OPENSSL_cleanse(authz, sizeof(authz));
    if (n < 0) {
        lc_sipae_local(a, "the REGISTER does not fit");
        return;
    }
    a->out_len = (size_t)n;
    a->out_off = 0;
    a->writing = 1;
    a->leg_us = lc_now_us();
    lc_sipae_leg_record(a, what[leg]);
}

static int lc_sipae_b64decode(const char *in, uint8_t *out, size_t olen, size_t *n)
{
    size_t len = strlen(in), pad = 0;
    int k;

    if (len == 0 || len % 4 != 0 || len / 4 * 3 > olen)
        return -1;
    if (in[len - 1] == '=')
        pad++;
    if (len > 1 && in[len - 2] == '=')
        pad++;
    k = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
    if (k < 0 || (size_t)k < pad)
        return -1;
    *n = (size_t)k - pad;
    return 0;
}

/* The FILETIME of now, for a CHALLENGE without MsvAvTimestamp (NTLMv2's
 * temp carries the client's wall-clock time, [MS-NLMP] 3.1.5.2). */
static uint64_t lc_sipae_filetime(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
        return 0;
    return ((uint64_t)ts.tv_sec + 11644473600ULL) * 10000000ULL + (uint64_t)ts.tv_nsec / 100;
}

/* The NEGOTIATE leg's 401 carried a CHALLENGE: answer it. */
static void lc_sipae_authenticate(struct lc_sipae_arg *a, const struct lc_sipae_auth *au)
{
    struct lc_ntlm_challenge ch;
    struct lc_ntlm_auth_in in;
    uint8_t raw[4096], msg[4096], cc[8], sk[16];
    char b64[6000], why[200];
    size_t n = 0, m = 0;
    json_t *ntlm;

    if (lc_sipae_b64decode(au->gssapi_data, raw, sizeof(raw), &n) < 0) {
        snprintf(a->why, sizeof(a->why), "gssapi-data is not base64");
        a->ntlm_why = a->why;
        lc_sipae_finish(a);
        return;
    }
    if (lc_ntlm_challenge_parse(raw, n, &ch, why, sizeof(why)) < 0) {
        snprintf(a->why, sizeof(a->why), "%s", why);
        a->ntlm_why = a->why;
        lc_sipae_finish(a);
        return;
    }
    ntlm = json_object();
    if (ntlm != NULL) {
        char flags[16];
        snprintf(flags, sizeof(flags), "0x%08x", (unsigned)ch.flags);
        json_object_set_new(ntlm, "challenge_flags", json_string(flags));
        json_object_set_new(ntlm, "nb_domain", json_string(ch.nb_domain));
        json_object_set_new(ntlm, "dns_computer", json_string(ch.dns_computer));
        json_object_set_new(ntlm, "datagram", json_boolean(ch.flags & LC_NTLM_DATAGRAM));
        json_object_set_new(lc_check_evidence(a->check), "ntlm", ntlm);
    }
    if (RAND_bytes(cc, sizeof(cc)) != 1 || RAND_bytes(sk, sizeof(sk)) != 1) {
        lc_sipae_local(a, "no randomness for the NTLM client challenge");
        return;
    }
    memset(&in, 0, sizeof(in));
    in.user = a->user;
    in.domain = "";
    in.password = a->password;
    in.workstation = "LYNCCHECK";
    in.client_challenge = cc;
    in.session_key = sk;
    in.timestamp = lc_sipae_filetime();
    if (lc_ntlm_authenticate_build(&ch, &in, msg, sizeof(msg), &m, &a->keys, why, sizeof(why)) <
        0) {
        snprintf(a->why, sizeof(a->why), "%s", why);
        if (ch.flags & LC_NTLM_ESS)
            a->local_why = a->why;
        else
            a->ntlm_why = a->why;
        OPENSSL_cleanse(sk, sizeof(sk));
        lc_sipae_finish(a);
        return;
    }
    OPENSSL_cleanse(sk, sizeof(sk));
    a->have_keys = 1;
    if (EVP_EncodeBlock((unsigned char *)b64, msg, (int)m) <= 0) {
        lc_sipae_local(a, "cannot encode the AUTHENTICATE_MESSAGE");
        return;
    }
    snprintf(a->ch.opaque, sizeof(a->ch.opaque), "%s", au->opaque);
    lc_sipae_send(a, LC_SIPAE_LEG_AUTH, b64);
    /* The NTLMv2 response is offline-guessable material: no copy lingers. */
    OPENSSL_cleanse(msg, sizeof(msg));
    OPENSSL_cleanse(b64, sizeof(b64));
}

/* Verify the Authentication-Info of a 2xx / 3xx to the AUTH leg. */
static void lc_sipae_verify(struct lc_sipae_arg *a, const struct lc_sip_response *r)
{
    struct lc_sipae_auth ai;
    char sig[4096], hex[40];
    uint8_t mac[16];
    int n;

    a->sig_present = 0;
    a->sig_ok = 0;
    if ((lc_sipae_find_ntlm(r, "Authentication-Info", &ai) != 1 &&
         lc_sipae_find_ntlm(r, "Proxy-Authentication-Info", &ai) != 1) ||
        ai.rspauth[0] == '\0')
        return;
    a->sig_present = 1;
    n = lc_sipae_response_sig_string(r, &ai, a->version, sig, sizeof(sig));
    if (n < 0 || !a->have_keys ||
        lc_ntlm_mac(a->keys.flags, a->keys.server_sign, a->keys.server_seal, LC_SIPAE_NTLM_SEQNUM,
                    sig, (size_t)n, mac) < 0)
        return;
    lc_sipae_hex(mac, 16, hex);
    a->sig_ok = strcasecmp(hex, ai.rspauth) == 0;
}

/* Connect (again) to addr:port, then the PROBE leg. */
static void lc_sipae_connect(struct lc_sipae_arg *a);

/* A 3xx to the AUTH leg: the home pool ([MS-SIPAE] 4.1's client re-registers
 * there; RFC 3261 21.3.2). Followed to an address only: lynccheck does not
 * look names up for it, and an internal (RFC 1918, ULA, link-local) address
 * is not reachable from outside. */
static void lc_sipae_redirect(struct lc_sipae_arg *a, const struct lc_sip_response *r)
{
    const char *contact = lc_sip_header_get(r, "Contact", 0);
    char host[256];
    unsigned port = 0;
    struct in_addr v4;
    struct in6_addr v6;

    if (contact == NULL) {
        a->home_pool[0] = '\0';
        lc_sipae_finish(a);
        return;
    }
    lc_sip_escape(contact, strlen(contact), a->home_pool, sizeof(a->home_pool));
    json_object_set_new(lc_check_evidence(a->check), "redirect_contact", json_string(a->home_pool));
    if (lc_sipae_contact_target(contact, host, sizeof(host), &port) < 0) {
        snprintf(a->redirect_why, sizeof(a->redirect_why), "the Contact is not a sip: URI");
    } else if (a->redirects >= LC_SIPAE_MAX_REDIRECTS) {
        snprintf(a->redirect_why, sizeof(a->redirect_why), "a second redirect");
    } else if (inet_pton(AF_INET, host, &v4) == 1) {
        uint32_t h = ntohl(v4.s_addr);
        if ((h >> 24) == 10 || (h >> 20) == 0xAC1 || (h >> 16) == 0xC0A8 || (h >> 16) == 0xA9FE)
            snprintf(a->redirect_why, sizeof(a->redirect_why),
                     "%.200s is an internal address, unreachable from outside", host);
    } else if (inet_pton(AF_INET6, host, &v6) == 1) {
        if ((v6.s6_addr[0] & 0xFE) == 0xFC ||
            (v6.s6_addr[0] == 0xFE && (v6.s6_addr[1] & 0xC0) == 0x80))
            snprintf(a->redirect_why, sizeof(a->redirect_why),
                     "%.200s is an internal address, unreachable from outside", host);
    } else {
        snprintf(
            a->redirect_why, sizeof(a->redirect_why),
            "the home pool is named (%.200s), not an address: lynccheck follows addresses only",
            host);
    }
    if (a->redirect_why[0] != '\0') {
        lc_sipae_finish(a);
        return;
    }
    a->redirects++;
    a->redirect_followed = 1;
    lc_sipae_close(a);
    OPENSSL_cleanse(&a->keys, sizeof(a->keys));
    a->have_keys = 0;
    a->sig_present = a->sig_ok = 0;
    a->cnum = 0;
    snprintf(a->addr, sizeof(a->addr), "%.63s", host);
    snprintf(a->target, sizeof(a->target), "home pool %s", host);
    a->cport = port;
    lc_sipae_connect(a);
}

/* A final response to the current leg. */
static void lc_sipae_answer(struct lc_sipae_arg *a, const struct lc_sip_response *r)
{
    json_t *leg = lc_sipae_leg_last(a);
    struct lc_sipae_auth au;
    int found;

    a->status = r->status;
    lc_sip_escape(r->reason, strlen(r->reason), a->reason, sizeof(a->reason));
    a->n_diag = lc_sip_diag_list(r, a->diag, LC_SIP_DIAG_MAX);
    if (leg != NULL) {
        json_t *dg = json_array();
        size_t i;
        json_object_set_new(leg, "status", json_integer(r->status));
        json_object_set_new(leg, "reason", json_string(a->reason));
        json_object_set_new(leg, "elapsed_ms",
                            json_integer((json_int_t)((lc_now_us() - a->leg_us) / 1000)));
        for (i = 0; dg != NULL && i < a->n_diag; i++)
            json_array_append_new(dg,
                                  json_pack("{s:s, s:s, s:s}", "code", a->diag[i].code, "reason",
                                            a->diag[i].reason, "source", a->diag[i].source));
        json_object_set_new(leg, "ms_diagnostics", dg);
    }
    switch (a->leg) {
    case LC_SIPAE_LEG_PROBE: {
        /* Which schemes the 401 offers, for the message. */
        const char *hdr = r->status == 407 ? "Proxy-Authenticate" : "WWW-Authenticate";
        const char *v;
        size_t i, o = 0;
        for (i = 0; (v = lc_sip_header_get(r, hdr, i)) != NULL && o + 40 < sizeof(a->schemes);
             i++) {
            struct lc_sip_challenge k;
            if (lc_sip_challenge_parse(v, &k) == 0)
                o += (size_t)snprintf(a->schemes + o, sizeof(a->schemes) - o, "%s%s",
                                      o > 0 ? ", " : "", k.scheme);
        }
        if (r->status != 401 && r->status != 407) {
            lc_sipae_finish(a);
            return;
        }
        found = lc_sipae_find_ntlm(r, hdr, &au);
        a->ntlm_offered = found == 1;
        if (found != 1 || au.realm[0] == '\0' || au.targetname[0] == '\0') {
            if (found == 1)
                a->ntlm_offered = 0;
            lc_sipae_finish(a);
            return;
        }
        a->ch = au;
        a->proxy = r->status == 407;
        a->version = au.version[0] >= '0' && au.version[0] <= '9' ? au.version[0] - '0' : 0;
        json_object_set_new(lc_check_evidence(a->check), "challenge",
                            json_pack("{s:s, s:s, s:i}", "realm", au.realm, "targetname",
                                      au.targetname, "version", a->version));
        lc_sipae_send(a, LC_SIPAE_LEG_NEGOTIATE, NULL);
        return;
    }
    case LC_SIPAE_LEG_NEGOTIATE:
        if (r->status == 401 || r->status == 407) {
            found = lc_sipae_find_ntlm(
                r, r->status == 407 ? "Proxy-Authenticate" : "WWW-Authenticate", &au);
            if (found == 1 && au.has_gssapi && au.gssapi_data[0] != '\0') {
                a->got_challenge = 1;
                lc_sipae_authenticate(a, &au);
                return;
            }
        }
        lc_sipae_finish(a);
        return;
    case LC_SIPAE_LEG_AUTH:
        if (r->status >= 200 && r->status < 400)
            lc_sipae_verify(a, r);
        if (leg != NULL && r->status >= 200 && r->status < 400)
            json_object_set_new(leg, "signature_verified", json_boolean(a->sig_ok));
        if (r->status >= 300 && r->status < 400) {
            lc_sipae_redirect(a, r);
            return;
        }
        if (r->status >= 200 && r->status < 300) {
            /* Registered: always take the binding away again. */
            lc_sipae_send(a, LC_SIPAE_LEG_UNREGISTER, NULL);
            return;
        }
        lc_sipae_finish(a);
        return;
    case LC_SIPAE_LEG_UNREGISTER:
    default:
        a->unreg_status = r->status;
        /* The verdict reads the AUTH leg's answer as the sign-in's. */
        a->status = 200;
        lc_sipae_finish(a);
        return;
    }
}

/* Parse what arrived; 1 when the leg got its final answer (or broke). */
static int lc_sipae_examine(struct lc_sipae_arg *a)
{
    for (;;) {
        struct lc_sip_response r;
        enum lc_sip_parse_status st;
        char first[200];

        if (a->len == 0)
            return 0;
        st = lc_sip_response_parse(a->buf, a->len, &r);
        if (st == LC_SIP_NEED_MORE)
            return 0;
        if (st != LC_SIP_COMPLETE) {
            char why[300];
            lc_sip_escape(a->buf, a->len < 60 ? a->len : 60, first, sizeof(first));
            snprintf(why, sizeof(why), "%s: \"%s\"",
                     st == LC_SIP_NOT_SIP ? "not a SIP response" : "malformed SIP response", first);
            lc_sipae_broken(a, why);
            return 1;
        }
        if (r.message_len == 0 || r.message_len > a->len) {
            int more = r.message_len > a->len;
            lc_sip_response_clear(&r);
            if (more)
                return 0; /* the body is on its way */
            lc_sipae_broken(a, "a response with a Content-Length beyond the cap");
            return 1;
        }
        {
            /* The message leaves the buffer first: r owns its strings, and
             * the answer may send the next leg or close the connection. */
            size_t k = r.message_len;
            int provisional = r.status < 200;
            memmove(a->buf, a->buf + k, a->len - k);
            a->len -= k;
            if (!provisional)
                lc_sipae_answer(a, &r);
            lc_sip_response_clear(&r);
            if (!provisional)
                return 1;
            /* Provisional (100 Trying): read on for the final answer. */
        }
    }
}

static void lc_sipae_step(struct lc_sipae_arg *a)
{
    struct lc_sigpipe sp;
    char why[200];
    int ret, e;

    while (!lc_check_is_done(a->check) && a->fd >= 0) {
        if (!a->writing && a->len >= LC_SIP_MAX_MESSAGE) {
            lc_sipae_broken(a, "a response larger than the cap");
            return;
        }
        /* SSL_read may write too (a TLS 1.3 KeyUpdate answer). */
        lc_sigpipe_ignore(&sp);
        ERR_clear_error();
        errno = 0;
        ret = a->writing ? SSL_write(a->ssl, a->out + a->out_off, (int)(a->out_len - a->out_off))
                         : SSL_read(a->ssl, a->buf + a->len, (int)(LC_SIP_MAX_MESSAGE - a->len));
        lc_sigpipe_restore(&sp);
        if (ret > 0 && a->writing) {
            a->out_off += (size_t)ret;
            if (a->out_off == a->out_len) {
                a->writing = 0;
                OPENSSL_cleanse(a->out, a->out_len);
            }
            continue;
        }
        if (ret > 0) {
            a->len += (size_t)ret;
            (void)lc_sipae_examine(a);
            continue;
        }
        e = SSL_get_error(a->ssl, ret);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            lc_sipae_watch(a, e);
            return;
        }
        lc_sipae_broken(a, lc_sipae_ssl_why(a->ssl, ret, why, sizeof(why)));
        return;
    }
}

static void lc_sipae_on_io(struct lc_loop *loop, int fd, unsigned events, void *arg)
{
    struct lc_sipae_arg *a = arg;

    (void)loop;
    (void)fd;
    (void)events;
    if (lc_check_is_done(a->check))
        return;
    lc_sipae_step(a);
}

static void lc_sipae_local_addr(struct lc_sipae_arg *a)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);

    snprintf(a->via_host, sizeof(a->via_host), "lynccheck.invalid");
    a->via_port = 5061;
    if (getsockname(a->fd, (struct sockaddr *)&ss, &sl) < 0)
        return;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
        if (inet_ntop(AF_INET, &s4->sin_addr, a->via_host, sizeof(a->via_host)) != NULL)
            a->via_port = ntohs(s4->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
        if (inet_ntop(AF_INET6, &s6->sin6_addr, a->via_host, sizeof(a->via_host)) != NULL)
            a->via_port = ntohs(s6->sin6_port);
    }
}

static void lc_sipae_on_tls(struct lc_tls_result *res, void *arg)
{
    struct lc_sipae_arg *a = arg;
    json_t *conn;

    a->hs = NULL;
    if (lc_check_is_done(a->check))
        return;
    conn = json_pack("{s:s, s:s, s:i, s:b}", "to", a->target, "address", a->addr, "port",
                     (int)a->cport, "handshake", res->handshake_ok);
    if (conn != NULL && res->handshake_ok)
        json_object_set_new(conn, "tls_version", json_string(res->version));
    json_array_append_new(a->legs, conn);
    if (!res->handshake_ok) {
        a->leg = LC_SIPAE_LEG_CONNECT;
        lc_sipae_broken(a, res->error);
        return;
    }
    a->ssl = res->ssl;
    a->fd = res->fd;
    res->ssl = NULL;
    res->fd = -1;
    lc_sipae_local_addr(a);
    lc_sipae_send(a, LC_SIPAE_LEG_PROBE, NULL);
    if (!lc_check_is_done(a->check))
        lc_sipae_step(a);
}

static void lc_sipae_connect(struct lc_sipae_arg *a)
{
    struct lc_tls_opts opts;

    memset(&opts, 0, sizeof(opts));
    opts.sni = a->redirect_followed ? NULL : a->edge;
    opts.timeout_us = a->timeout_us * 3 / 4;
    opts.keep = 1;
    a->leg = LC_SIPAE_LEG_CONNECT;
    if (lc_tls_handshake(lc_check_loop(a->check), a->ctx, a->addr, a->cport, &opts, lc_sipae_on_tls,
                         a, &a->hs) < 0)
        lc_sipae_local(a, "cannot start a connection");
}

/* The check's time is almost up: the leg in flight got no answer. */
static void lc_sipae_on_timer(struct lc_loop *loop, void *arg)
{
    struct lc_sipae_arg *a = arg;
    char why[120];

    (void)loop;
    a->timer = NULL;
    if (lc_check_is_done(a->check))
        return;
    snprintf(why, sizeof(why), "nothing within %llu ms",
             (unsigned long long)(a->timeout_us * 9 / 10 / 1000));
    lc_sipae_broken(a, why);
}

static void lc_sipae_start(struct lc_check *check, void *arg)
{
    struct lc_sipae_arg *a = arg;
    const struct lc_dns_name *d;
    json_t *ev = lc_check_evidence(check);

    a->check = check;
    a->fd = -1;
    a->started_us = lc_now_us();
    a->timeout_us = lc_check_config(check)->timeout_us;
    d = lc_dns_dep_addrs(check, 0, a->edge);
    if (d == NULL)
        return;
    a->legs = json_array();
    a->out = malloc(LC_SIPAE_REQ_MAX);
    a->buf = malloc(LC_SIP_MAX_MESSAGE);
    if (a->legs == NULL || a->out == NULL || a->buf == NULL ||
        lc_sip_token(a->call_id, sizeof(a->call_id), 32) < 0 ||
        lc_sip_token(a->from_tag, sizeof(a->from_tag), 16) < 0 ||
        lc_sip_token(a->epid, sizeof(a->epid), 10) < 0 ||
        lc_sip_token(a->instance, sizeof(a->instance), 32) < 0) {
        lc_check_finish(check, LC_ERROR, "out of memory or no randomness");
        return;
    }
    /* +sip.instance is a UUID (RFC 5626 4.1): 8-4-4-4-12 of the 32 digits. */
    {
        char u[40];
        snprintf(u, sizeof(u), "%.8s-%.4s-%.4s-%.4s-%.12s", a->instance, a->instance + 8,
                 a->instance + 12, a->instance + 16, a->instance + 20);
        snprintf(a->instance, sizeof(a->instance), "%s", u);
    }
    /* One address: a sign-in is one client's, not one per Edge. */
    snprintf(a->addr, sizeof(a->addr), "%s", d->addrs[0].text);
    snprintf(a->target, sizeof(a->target), "%s", a->edge);
    a->cport = a->port;
    json_object_set_new(ev, "user", json_string(a->user));
    json_object_set_new(ev, "edge", json_string(a->edge));
    json_object_set_new(ev, "address", json_string(a->addr));
    json_object_set_new(ev, "port", json_integer(a->port));
    a->timer =
        lc_loop_timer_add(lc_check_loop(check), a->timeout_us * 9 / 10, lc_sipae_on_timer, a);
    if (a->timer == NULL) {
        lc_check_finish(check, LC_ERROR, "out of memory");
        return;
    }
    lc_sipae_connect(a);
}

int lc_signin_register_plan(struct lc_run *run, const struct lc_site *site, unsigned port)
{
    struct lc_sipae_arg *a;
    struct lc_check *c, *dns;
    char target[300], err[256];
    SSL_CTX *ctx;

    if (site->web_user == NULL || site->web_password == NULL)
        return 0;
    if (site->access_edge == NULL || site->sip_domains.n == 0) {
        c = lc_run_add(run, "signin", "register", "access-edge", REF_SIGNIN_REGISTER, NULL, NULL,
                       NULL);
        if (c == NULL)
            return -1;
        lc_check_skip(c, "%s",
                      site->access_edge == NULL ? "no access edge name known: give --access-edge"
                                                : "no SIP domain known: give --sip-domain");
        return 0;
    }
    ctx = lc_tls_ctx_new(lc_run_get_config(run)->ca_file, err, sizeof(err));
    if (ctx == NULL)
        return -1;
    a = calloc(1, sizeof(*a));
    if (a == NULL) {
        SSL_CTX_free(ctx);
        return -1;
    }
    a->ctx = ctx;
    a->fd = -1;
    a->port = port;
    a->edge = strdup(site->access_edge);
    a->domain = strdup(site->sip_domains.v[0]);
    a->user = strdup(site->web_user);
    a->password = strdup(site->web_password);
    if (a->edge == NULL || a->domain == NULL || a->user == NULL || a->password == NULL) {
        lc_sipae_arg_free(a);
        return -1;
    }
    dns = lc_dns_plan_name(run, site->access_edge, "access-edge", 1);
    if (dns == NULL) {
        lc_sipae_arg_free(a);
        return -1;
    }
    snprintf(target, sizeof(target), "%s:%u", site->access_edge, port);
    c = lc_run_add(run, "signin", "register", target, REF_SIGNIN_REGISTER, lc_sipae_start, a,
                   lc_sipae_arg_free);
    if (c == NULL) {
        lc_sipae_arg_free(a);
        return -1;
    }
    lc_check_set_cancel(c, lc_sipae_cancel);
    if (lc_check_add_role(c, "access-edge") < 0)
        return -1;
    return lc_check_depend(c, dns);
}
