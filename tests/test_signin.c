/* SPDX-License-Identifier: MIT */
/* Unit tests of the sign-in (src/signin.c): the NTLM message type in an
 * Authorization / WWW-Authenticate value, the RequestSecurityToken built,
 * the RSTR / fault read, the ticket kept, the WinNegotiate endpoint of the
 * mex, the CertProv request and answer, the address book file names, and
 * the verdicts (web ticket, certificate, the Front End's ticket, address
 * book, summary) from tables of cases, one per cause a reverse proxy or
 * server produces. Inputs are copied to heap buffers of
 * exactly their length, without a NUL, so the sanitizer build catches a read
 * past the end. */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixes.h"
#include "signin.h"
#include "suites.h"

#define LC_T_N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static char *lc_t_dup(const char *s, size_t n)
{
    char *p = malloc(n > 0 ? n : 1);

    ck_assert_ptr_nonnull(p);
    if (n > 0)
        memcpy(p, s, n);
    return p;
}

/* ---------------------------------------------------------------- NTLM type */

/* "NTLMSSP\0" + type 1 / 2 / 3, base64 (libcurl's 32-byte NEGOTIATE). */
#define LC_T_NEG "TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA="
#define LC_T_CHAL "TlRMTVNTUAACAAAABgAGADAAAAAGgokAASNFZ4mrze8AAAAAAAAAAAAAAAA2AAAATEFCAAAA"
#define LC_T_AUTH "TlRMTVNTUAADAAAAGAAYAEAAAAA="

static const struct {
    const char *value;
    int type;
} lc_t_type_cases[] = {
    {"NTLM " LC_T_NEG, 1},
    {" NTLM " LC_T_NEG, 1},
    {"ntlm " LC_T_CHAL, 2},
    {"NTLM " LC_T_AUTH, 3},
    {"NTLM", 0}, /* the bare offer */
    {"NTLM ", 0},
    {"Negotiate " LC_T_NEG, 0}, /* not the NTLM scheme */
    {"NTLMX " LC_T_NEG, 0},
    {"NTLM TlRMTVNTUAAEAAAA", 0}, /* type 4 */
    {"NTLM QUJDREVGR0gBAAAA", 0}, /* wrong signature */
    {"NTLM TlRMTVNT", 0},         /* too short */
    {"NTLM !!!!!!!!!!!!!!!!", 0},
    {"Basic dXNlcjpwYXNz", 0},
};

START_TEST(test_ntlm_type)
{
    const char *v = lc_t_type_cases[_i].value;
    char *p = lc_t_dup(v, strlen(v));

    ck_assert_msg(lc_signin_ntlm_type(p, strlen(v)) == lc_t_type_cases[_i].type, "case %d: %s", _i,
                  v);
    free(p);
}
END_TEST

START_TEST(test_leg_challenge)
{
    struct lc_signin_leg leg;
    const char *v1 = "Negotiate", *v2 = "NTLM", *v3 = "NTLM " LC_T_CHAL;
    char *p;

    memset(&leg, 0, sizeof(leg));
    p = lc_t_dup(v1, strlen(v1));
    ck_assert_int_eq(lc_signin_leg_challenge(&leg, p, strlen(v1)), 0);
    free(p);
    p = lc_t_dup(v2, strlen(v2));
    ck_assert_int_eq(lc_signin_leg_challenge(&leg, p, strlen(v2)), 0);
    free(p);
    ck_assert(leg.ch.schemes & LC_AUTH_NTLM);
    ck_assert(leg.ch.schemes & LC_AUTH_NEGOTIATE);
    ck_assert_int_eq(leg.ntlm_challenge, 0);
    p = lc_t_dup(v3, strlen(v3));
    ck_assert_int_eq(lc_signin_leg_challenge(&leg, p, strlen(v3)), 0);
    free(p);
    ck_assert_int_eq(leg.ntlm_challenge, 1);
}
END_TEST

/* ---------------------------------------------------------------- the RST */

START_TEST(test_rst_build)
{
    char out[LC_SIGNIN_RST_MAX];
    int n =
        lc_signin_rst_build("https://webdirext.contoso.test/WebTicket/WebTicketService.svc/Auth",
                            "https://webdirext.contoso.test/a?b=1&c=<2>",
                            "urn:uuid:00000000-0000-4000-8000-000000000000", out, sizeof(out));
    struct lc_signin_ticket t;
    char why[100];

    ck_assert_int_gt(n, 0);
    ck_assert_int_eq((int)strlen(out), n);
    ck_assert_ptr_nonnull(strstr(out, "http://www.w3.org/2003/05/soap-envelope"));
    ck_assert_ptr_nonnull(
        strstr(out, ">http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue<"));
    ck_assert_ptr_nonnull(strstr(out, "<trust:RequestSecurityToken "));
    ck_assert_ptr_nonnull(strstr(out, "a?b=1&amp;c=&lt;2&gt;"));
    ck_assert_ptr_nonnull(strstr(lc_signin_rst_content_type, "application/soap+xml"));
    ck_assert_ptr_nonnull(strstr(lc_signin_rst_content_type, "RST/Issue"));
    /* Well-formed: it parses (no token, no fault). */
    ck_assert_int_eq(lc_signin_rstr_parse(out, (size_t)n, &t, why, sizeof(why)), 0);
    ck_assert_int_eq(t.found, 0);
    ck_assert_int_eq(t.fault, 0);
    /* Too small a buffer, control characters: refused. */
    ck_assert_int_eq(lc_signin_rst_build("https://x/", "https://x/", "urn:uuid:1", out, 100), -1);
    ck_assert_int_eq(
        lc_signin_rst_build("https://x/\n", "https://x/", "urn:uuid:1", out, sizeof(out)), -1);
    ck_assert_int_eq(lc_signin_rst_build(NULL, "https://x/", "urn:uuid:1", out, sizeof(out)), -1);
}
END_TEST

/* ---------------------------------------------------------------- RSTR */

#define LC_T_RSTR_HEAD                                                                             \
    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>"                     \
    "<trust:RequestSecurityTokenResponseCollection "                                               \
    "xmlns:trust=\"http://docs.oasis-open.org/ws-sx/ws-trust/200512\">"                            \
    "<trust:RequestSecurityTokenResponse>"
#define LC_T_RSTR_TAIL                                                                             \
    "</trust:RequestSecurityTokenResponse></trust:RequestSecurityTokenResponseCollection>"         \
    "</s:Body></s:Envelope>"

static const struct {
    const char *body;
    int ret, found, fault;
    const char *kind, *expires, *fault_text;
} lc_t_rstr_cases[] = {
    {LC_T_RSTR_HEAD "<trust:Lifetime><wsu:Expires xmlns:wsu=\"u\"> 2026-12-07T12:00:00Z "
                    "</wsu:Expires></trust:Lifetime><trust:RequestedSecurityToken>"
                    "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:1.0:assertion\" "
                    "AssertionID=\"x\"/></trust:RequestedSecurityToken>" LC_T_RSTR_TAIL,
     0, 1, 0, "Assertion", "2026-12-07T12:00:00Z", ""},
    /* An RSTR alone (WS-Trust 1.3 without the collection), no lifetime. */
    {"<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>"
     "<t:RequestSecurityTokenResponse xmlns:t=\"http://docs.oasis-open.org/ws-sx/ws-trust/200512\">"
     "<t:RequestedSecurityToken>\n  <EncryptedData/></t:RequestedSecurityToken>"
     "</t:RequestSecurityTokenResponse></s:Body></s:Envelope>",
     0, 1, 0, "EncryptedData", "", ""},
    /* An empty RequestedSecurityToken: no ticket. */
    {LC_T_RSTR_HEAD "<trust:RequestedSecurityToken> </trust:RequestedSecurityToken>" LC_T_RSTR_TAIL,
     0, 0, 0, "", "", ""},
    /* SOAP 1.2 fault, SOAP 1.1 fault. */
    {"<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><s:Fault><s:Code>"
     "<s:Value>s:Sender</s:Value></s:Code><s:Reason><s:Text xml:lang=\"en\"> No valid security "
     "token.\r\n</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>",
     0, 0, 1, "", "", "No valid security token."},
    {"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
     "<soap:Fault><faultcode>a:b</faultcode><faultstring>denied\there</faultstring></soap:Fault>"
     "</soap:Body></soap:Envelope>",
     0, 0, 1, "", "", "denied?here"},
    /* A login page, a DTD, nothing. */
    {"<!DOCTYPE html><html><body><form><input type=password></form></body></html>", -1, 0, 0, "",
     "", ""},
    {"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"v\">]><x>&e;</x>", -1, 0, 0, "", "", ""},
    {"", -1, 0, 0, "", "", ""},
};

START_TEST(test_rstr)
{
    const char *b = lc_t_rstr_cases[_i].body;
    size_t n = strlen(b);
    char *p = lc_t_dup(b, n), why[200] = "";
    struct lc_signin_ticket t;
    int r = lc_signin_rstr_parse(p, n, &t, why, sizeof(why));

    free(p);
    ck_assert_msg(r == lc_t_rstr_cases[_i].ret, "case %d: ret %d (%s)", _i, r, why);
    if (r < 0) {
        ck_assert_msg(why[0] != '\0', "case %d: no why", _i);
        return;
    }
    ck_assert_int_eq(t.found, lc_t_rstr_cases[_i].found);
    ck_assert_int_eq(t.fault, lc_t_rstr_cases[_i].fault);
    ck_assert_str_eq(t.expires, lc_t_rstr_cases[_i].expires);
    ck_assert_str_eq(t.fault_text, lc_t_rstr_cases[_i].fault_text);
    if (t.found) {
        ck_assert_str_eq(t.token_kind, lc_t_rstr_cases[_i].kind);
        ck_assert_int_eq((int)strlen(t.fingerprint), 16);
        ck_assert_int_gt((int)t.token_bytes, 0);
    }
}
END_TEST

START_TEST(test_rstr_limits)
{
    size_t n = 300u * 1024u;
    char *big = malloc(n), why[100];
    struct lc_signin_ticket t;

    ck_assert_ptr_nonnull(big);
    memset(big, ' ', n);
    memcpy(big, "<a>", 3);
    memcpy(big + n - 4, "</a>", 4);
    ck_assert_int_eq(lc_signin_rstr_parse(big, n, &t, why, sizeof(why)), -1);
    ck_assert_str_eq(why, "document too large");
    free(big);
}
END_TEST

/* ---------------------------------------------------------------- mex */

START_TEST(test_mex_negotiate)
{
    static const char doc[] =
        "<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\" "
        "xmlns:soap12=\"http://schemas.xmlsoap.org/wsdl/soap12/\"><wsdl:service>"
        "<wsdl:port name=\"WebTicketServiceCert\"><soap12:address "
        "location=\"https://w.test/WebTicket/WebTicketService.svc/cert\"/></wsdl:port>"
        "<wsdl:port name=\"WebTicketServiceWinNegotiate\"><soap12:address "
        "location=\"https://w.test/WebTicket/WebTicketService.svc/Auth\"/></wsdl:port>"
        "</wsdl:service></wsdl:definitions>";
    static const char none[] =
        "<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\"/>";
    char out[300], why[100];
    char *p = lc_t_dup(doc, sizeof(doc) - 1);

    ck_assert_int_eq(
        lc_signin_mex_negotiate_url(p, sizeof(doc) - 1, out, sizeof(out), why, sizeof(why)), 1);
    ck_assert_str_eq(out, "https://w.test/WebTicket/WebTicketService.svc/Auth");
    /* Too small an output: not found, not truncated. */
    ck_assert_int_eq(lc_signin_mex_negotiate_url(p, sizeof(doc) - 1, out, 10, why, sizeof(why)), 0);
    free(p);
    p = lc_t_dup(none, sizeof(none) - 1);
    ck_assert_int_eq(
        lc_signin_mex_negotiate_url(p, sizeof(none) - 1, out, sizeof(out), why, sizeof(why)), 0);
    free(p);
    p = lc_t_dup("nope", 4);
    ck_assert_int_eq(lc_signin_mex_negotiate_url(p, 4, out, sizeof(out), why, sizeof(why)), -1);
    free(p);
}
END_TEST

/* ---------------------------------------------------------------- the verdict */

enum { T_ANON, T_NEG, T_AUTH };

/* A leg: what was sent, the status, the offers (bits: 1 Negotiate, 2 NTLM,
 * 4 Basic realm, 8 NTLM challenge token), an X-Ms-diagnostics code. */
struct lc_t_leg {
    int sent;
    long status;
    unsigned offers;
    unsigned diag;
};

#define L_NEGO 1u
#define L_NTLM 2u
#define L_BASIC 4u
#define L_CHAL 8u

enum { TK_NONE, TK_TICKET, TK_EMPTY, TK_FAULT, TK_UNREADABLE };

static const struct lc_t_case {
    const char *name;
    long mex_status;
    const char *mex_why, *mex_other;
    struct lc_t_leg legs[4];
    size_t n_legs;
    long connects;
    int ticket;
    enum lc_status st;
    const char *diagnosis; /* NULL: none */
    const char *text;      /* in the message */
} lc_t_cases[] = {
    {"healthy: 401, 401 challenge, 200 ticket",
     200,
     NULL,
     NULL,
     {{T_ANON, 401, L_NEGO | L_NTLM, 0}, {T_NEG, 401, L_CHAL, 0}, {T_AUTH, 200, 0, 0}},
     3,
     1,
     TK_TICKET,
     LC_PASS,
     NULL,
     "user lab.user@contoso.test obtained a web ticket in 42 ms"},
    {"mex unanswered",
     0,
     "connection refused",
     NULL,
     {{0}},
     0,
     0,
     TK_NONE,
     LC_FAIL,
     NULL,
     "metadata (/WebTicket/WebTicketService.svc/mex) got no answer: connection refused"},
    {"mex 404",
     404,
     NULL,
     NULL,
     {{0}},
     0,
     0,
     TK_NONE,
     LC_FAIL,
     "unpublished",
     "metadata answers 404: /WebTicket is not published"},
    {"mex 502",
     502,
     NULL,
     NULL,
     {{0}},
     0,
     0,
     TK_NONE,
     LC_FAIL,
     "backend-down",
     "metadata answers 502: the reverse proxy reaches no Lync web site"},
    {"mex 401 from the proxy's pre-authentication",
     401,
     NULL,
     NULL,
     {{0}},
     0,
     0,
     TK_NONE,
     LC_FAIL,
     "preauth",
     "metadata answers 401 with the reverse proxy's own challenge (WWW-Authenticate Basic"},
    {"mex 403",
     403,
     NULL,
     NULL,
     {{0}},
     0,
     0,
     TK_NONE,
     LC_FAIL,
     NULL,
     "metadata answers 403, not 200 (it is anonymous"},
    {"mex unreadable",
     200,
     "not XML",
     NULL,
     {{0}},
     0,
     0,
     TK_NONE,
     LC_FAIL,
     NULL,
     "unreadable: not XML"},
    {"host header rewritten (mex names the internal name)",
     200,
     NULL,
     "https://dir01.corp.contoso.test/WebTicket/WebTicketService.svc/Auth",
     {{0}},
     0,
     0,
     TK_NONE,
     LC_FAIL,
     "host-rewritten",
     "rewrote the Host header"},
    {"no answer to the POST",
     200,
     NULL,
     NULL,
     {{T_ANON, 0, 0, 0}},
     1,
     1,
     TK_NONE,
     LC_FAIL,
     NULL,
     "no HTTP answer: timeout"},
    {"NTLM stripped: 401 without challenges",
     200,
     NULL,
     NULL,
     {{T_ANON, 401, 0, 0}},
     1,
     1,
     TK_NONE,
     LC_FAIL,
     "no-challenge",
     "strips NTLM"},
    {"NTLM stripped: only Negotiate left",
     200,
     NULL,
     NULL,
     {{T_ANON, 401, L_NEGO, 0}},
     1,
     1,
     TK_NONE,
     LC_FAIL,
     "no-challenge",
     "401 with WWW-Authenticate Negotiate, no NTLM"},
    {"pre-authentication on POST: the proxy's Basic",
     200,
     NULL,
     NULL,
     {{T_ANON, 401, L_BASIC, 0}},
     1,
     1,
     TK_NONE,
     LC_FAIL,
     "preauth",
     "reverse proxy's own challenge (WWW-Authenticate Basic realm=\"Contoso Remote Access\")"},
    {"pre-authentication: a redirect to a form",
     200,
     NULL,
     NULL,
     {{T_ANON, 302, 0, 0}},
     1,
     1,
     TK_NONE,
     LC_FAIL,
     "preauth",
     "answers 302, a redirect"},
    {"anonymous 200",
     200,
     NULL,
     NULL,
     {{T_ANON, 200, 0, 0}},
     1,
     1,
     TK_TICKET,
     LC_FAIL,
     NULL,
     "did not ask for Windows authentication"},
    {"not published",
     200,
     NULL,
     NULL,
     {{T_ANON, 404, 0, 0}},
     1,
     1,
     TK_NONE,
     LC_FAIL,
     "unpublished",
     "404"},
    {"backend down",
     200,
     NULL,
     NULL,
     {{T_ANON, 502, 0, 0}},
     1,
     1,
     TK_NONE,
     LC_FAIL,
     "backend-down",
     "answers 502"},
    {"NEGOTIATE unanswered by a CHALLENGE (Authorization stripped)",
     200,
     NULL,
     NULL,
     {{T_ANON, 401, L_NEGO | L_NTLM, 0}, {T_NEG, 401, L_NEGO | L_NTLM, 0}},
     2,
     1,
     TK_NONE,
     LC_FAIL,
     "no-challenge",
     "401 without a CHALLENGE"},
    {"credentials rejected",
     200,
     NULL,
     NULL,
     {{T_ANON, 401, L_NEGO | L_NTLM, 0},
      {T_NEG, 401, L_CHAL, 0},
      {T_AUTH, 401, L_NEGO | L_NTLM, 0}},
     3,
     1,
     TK_NONE,
     LC_FAIL,
     "credentials-rejected",
     "user lab.user@contoso.test: credentials rejected (401 after the NTLM AUTHENTICATE)"},
    {"credentials rejected, with X-Ms-diagnostics",
     200,
     NULL,
     NULL,
     {{T_ANON, 401, L_NEGO | L_NTLM, 0},
      {T_NEG, 401, L_CHAL, 0},
      {T_AUTH, 401, L_NEGO | L_NTLM, 28020}},
     3,
     1,
     TK_NONE,
     LC_FAIL,
     "credentials-rejected",
     "X-Ms-diagnostics 28020"},
    {"connection not kept: 401 after AUTHENTICATE on a new connection",
     200,
     NULL,
     NULL,
     {{T_ANON, 401, L_NEGO | L_NTLM, 0},
      {T_NEG, 401, L_CHAL, 0},
      {T_AUTH, 401, L_NEGO | L_NTLM, 0}},
     3,
     2,
     TK_NONE,
     LC_FAIL,
     "no-challenge",
     "connection-bound"},
    {"server error with a fault and X-Ms-diagnostics",
     200,
     NULL,
     NULL,
     {{T_ANON, 401, L_NEGO | L_NTLM, 0}, {T_NEG, 401, L_CHAL, 0}, {T_AUTH, 500, 0, 28032}},
     3,
     1,
     TK_FAULT,
     LC_FAIL,
     NULL,
     "answers 500 with a SOAP fault: No valid security token."},
    {"server error, no body",
     200,
     NULL,
     NULL,
     {{T_ANON, 401, L_NEGO | L_NTLM, 0}, {T_NEG, 401, L_CHAL, 0}, {T_AUTH, 500, 0, 28032}},
     3,
     1,
     TK_NONE,
     LC_FAIL,
     NULL,
     "server error) (X-Ms-diagnostics 28032"},
    {"200 without a ticket",
     200,
     NULL,
     NULL,
     {{T_ANON, 401, L_NEGO | L_NTLM, 0}, {T_NEG, 401, L_CHAL, 0}, {T_AUTH, 200, 0, 0}},
     3,
     1,
     TK_EMPTY,
     LC_FAIL,
     NULL,
     "carries no web ticket"},
    {"200 with a login page",
     200,
     NULL,
     NULL,
     {{T_ANON, 401, L_NEGO | L_NTLM, 0}, {T_NEG, 401, L_CHAL, 0}, {T_AUTH, 200, 0, 0}},
     3,
     1,
     TK_UNREADABLE,
     LC_FAIL,
     NULL,
     "not a RequestSecurityTokenResponse: not XML"},
    {"AUTHENTICATE unanswered",
     200,
     NULL,
     NULL,
     {{T_ANON, 401, L_NEGO | L_NTLM, 0}, {T_NEG, 401, L_CHAL, 0}, {T_AUTH, 0, 0, 0}},
     3,
     1,
     TK_NONE,
     LC_FAIL,
     NULL,
     "AUTHENTICATE got no HTTP answer"},
    {"NTLM offered but no NEGOTIATE sent",
     200,
     NULL,
     NULL,
     {{T_ANON, 401, L_NTLM, 0}},
     1,
     1,
     TK_NONE,
     LC_ERROR,
     NULL,
     "no NEGOTIATE"},
};

START_TEST(test_judge)
{
    const struct lc_t_case *c = &lc_t_cases[_i];
    struct lc_signin_facts f;
    struct lc_signin_ticket t;
    struct lc_signin_leg mex;
    const char *diagnosis = "unset";
    char msg[800];
    enum lc_status st;
    size_t i;

    memset(&f, 0, sizeof(f));
    memset(&t, 0, sizeof(t));
    f.user = "lab.user@contoso.test";
    f.host = "webdirext.contoso.test";
    f.mex_status = c->mex_status;
    f.mex_why = c->mex_why;
    f.mex_other_host = c->mex_other;
    /* A 401 on the metadata carries the proxy's Basic challenge here. */
    memset(&mex, 0, sizeof(mex));
    if (c->mex_status == 401)
        ck_assert_int_eq(lc_signin_leg_challenge(&mex, "Basic realm=\"Contoso Remote Access\"", 35),
                         0);
    f.mex_leg = &mex;
    f.n_legs = c->n_legs;
    f.connects = c->connects;
    f.elapsed_ms = 42;
    f.transport_why = "timeout";
    for (i = 0; i < c->n_legs; i++) {
        struct lc_signin_leg *l = &f.legs[i];
        l->sent = c->legs[i].sent == T_ANON  ? LC_SIGNIN_SENT_NONE
                  : c->legs[i].sent == T_NEG ? LC_SIGNIN_SENT_NEGOTIATE
                                             : LC_SIGNIN_SENT_AUTHENTICATE;
        l->status = c->legs[i].status;
        if (c->legs[i].offers & L_NEGO)
            ck_assert_int_eq(lc_signin_leg_challenge(l, "Negotiate", 9), 0);
        if (c->legs[i].offers & L_NTLM)
            ck_assert_int_eq(lc_signin_leg_challenge(l, "NTLM", 4), 0);
        if (c->legs[i].offers & L_BASIC)
            ck_assert_int_eq(
                lc_signin_leg_challenge(l, "Basic realm=\"Contoso Remote Access\"", 35), 0);
        if (c->legs[i].offers & L_CHAL)
            ck_assert_int_eq(
                lc_signin_leg_challenge(l, "NTLM " LC_T_CHAL, strlen("NTLM " LC_T_CHAL)), 0);
        if (c->legs[i].diag != 0) {
            char d[64];
            snprintf(d, sizeof(d), "%u;source=\"fe01.corp.contoso.test\"", c->legs[i].diag);
            ck_assert_int_eq(lc_web_diag_parse(d, strlen(d), &l->diag), 0);
        }
    }
    switch (c->ticket) {
    case TK_TICKET:
        t.found = 1;
        snprintf(t.token_kind, sizeof(t.token_kind), "Assertion");
        snprintf(t.fingerprint, sizeof(t.fingerprint), "0123456789abcdef");
        f.ticket = &t;
        break;
    case TK_EMPTY:
        f.ticket = &t;
        break;
    case TK_FAULT:
        t.fault = 1;
        snprintf(t.fault_text, sizeof(t.fault_text), "No valid security token.");
        f.ticket = &t;
        break;
    case TK_UNREADABLE:
        f.body_why = "not XML";
        break;
    default:
        break;
    }
    st = lc_signin_judge(&f, msg, sizeof(msg), &diagnosis);
    ck_assert_msg(st == c->st, "%s: status %s, message: %s", c->name, lc_status_name(st), msg);
    ck_assert_msg(strstr(msg, c->text) != NULL, "%s: message lacks \"%s\": %s", c->name, c->text,
                  msg);
    if (c->diagnosis == NULL)
        ck_assert_msg(diagnosis == NULL, "%s: diagnosis %s", c->name, diagnosis);
    else
        ck_assert_msg(diagnosis != NULL && strcmp(diagnosis, c->diagnosis) == 0,
                      "%s: diagnosis %s, want %s", c->name, diagnosis ? diagnosis : "(none)",
                      c->diagnosis);
}
END_TEST

/* The user name is shown escaped; the message never holds a control byte. */
START_TEST(test_judge_escapes_user)
{
    struct lc_signin_facts f;
    struct lc_signin_ticket t;
    const char *diagnosis;
    char msg[800];

    memset(&f, 0, sizeof(f));
    memset(&t, 0, sizeof(t));
    f.user = "evil\r\nX-Injected: 1";
    f.host = "w.test";
    f.mex_status = 200;
    f.n_legs = 3;
    f.connects = 1;
    f.legs[0].status = 401;
    ck_assert_int_eq(lc_signin_leg_challenge(&f.legs[0], "NTLM", 4), 0);
    f.legs[1].sent = LC_SIGNIN_SENT_NEGOTIATE;
    f.legs[1].status = 401;
    f.legs[1].ntlm_challenge = 1;
    f.legs[2].sent = LC_SIGNIN_SENT_AUTHENTICATE;
    f.legs[2].status = 200;
    t.found = 1;
    f.ticket = &t;
    ck_assert_int_eq(lc_signin_judge(&f, msg, sizeof(msg), &diagnosis), LC_PASS);
    ck_assert_ptr_null(strchr(msg, '\r'));
    ck_assert_ptr_null(strchr(msg, '\n'));
}
END_TEST

/* ---------------------------------------------------------------- the ticket kept */

START_TEST(test_rstr_token)
{
    static const char doc[] =
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
        "xmlns:saml=\"urn:oasis:names:tc:SAML:1.0:assertion\"><s:Body>"
        "<t:RequestSecurityTokenResponse xmlns:t=\"http://docs.oasis-open.org/ws-sx/ws-trust/"
        "200512\"><t:RequestedSecurityToken><saml:Assertion AssertionID=\"A1\">"
        "<saml:Subject>lab.user</saml:Subject></saml:Assertion></t:RequestedSecurityToken>"
        "</t:RequestSecurityTokenResponse></s:Body></s:Envelope>";
    char out[512], small[40];
    size_t n = 0;
    char *p = lc_t_dup(doc, sizeof(doc) - 1);

    ck_assert_int_eq(lc_signin_rstr_token(p, sizeof(doc) - 1, out, sizeof(out), &n), 0);
    ck_assert_uint_eq(n, strlen(out));
    /* The namespace declared on an ancestor travels with the token. */
    ck_assert_ptr_nonnull(strstr(out, "<saml:Assertion"));
    ck_assert_ptr_nonnull(strstr(out, "xmlns:saml=\"urn:oasis:names:tc:SAML:1.0:assertion\""));
    ck_assert_ptr_null(strstr(out, "Envelope"));
    ck_assert_int_eq(lc_signin_rstr_token(p, sizeof(doc) - 1, small, sizeof(small), &n), -1);
    ck_assert_int_eq(lc_signin_rstr_token(p, 10, out, sizeof(out), &n), -1);
    free(p);
}
END_TEST

/* ---------------------------------------------------------------- CertProv */

START_TEST(test_certprov_build)
{
    char out[4096];
    int n = lc_signin_certprov_build(
        "https://webdirext.contoso.test/CertProv/CertProvisioningService.svc/WebTicket_Proof_SHA1",
        "urn:uuid:1", "<saml:Assertion xmlns:saml=\"urn:x\"/>", "2026-12-07T05:00:00Z",
        "2026-12-07T05:05:00Z", "a&b@contoso.test", "dev", "req", "TUlJQw==", out, sizeof(out));

    ck_assert_int_gt(n, 0);
    ck_assert_uint_eq((size_t)n, strlen(out));
    ck_assert_ptr_nonnull(strstr(out, "GetAndPublishCert</a:Action>"));
    ck_assert_ptr_nonnull(strstr(out, "<wsse:Security s:mustUnderstand=\"1\"><wsu:Timestamp"));
    ck_assert_ptr_nonnull(strstr(out, "</wsu:Timestamp><saml:Assertion"));
    ck_assert_ptr_nonnull(strstr(out, "Entity=\"a&amp;b@contoso.test\""));
    ck_assert_ptr_nonnull(strstr(out, "DeviceId=\"{dev}\""));
    ck_assert_ptr_nonnull(strstr(out, "#PKCS10\""));
    ck_assert_ptr_nonnull(strstr(out, ">TUlJQw==</wsse:BinarySecurityToken>"));
    /* Too small, a ticket that is not an element, missing arguments. */
    ck_assert_int_eq(lc_signin_certprov_build("https://x/", "urn:uuid:1", "<a/>", "t", "t", "u",
                                              "d", "r", "Q", out, 200),
                     -1);
    ck_assert_int_eq(lc_signin_certprov_build("https://x/", "urn:uuid:1", "x</wsse:Security>", "t",
                                              "t", "u", "d", "r", "Q", out, sizeof(out)),
                     -1);
    ck_assert_int_eq(lc_signin_certprov_build("https://x/", "urn:uuid:1", "<a/>", "t", "t", NULL,
                                              "d", "r", "Q", out, sizeof(out)),
                     -1);
    ck_assert_ptr_nonnull(strstr(lc_signin_certprov_content_type, "GetAndPublishCert"));
}
END_TEST

static const struct {
    const char *doc;
    int ret;
    int fault;
    size_t der_len; /* 0: none */
} lc_t_certprov_cases[] = {
    /* A PKCS#7 or certificate in the response ("MIIC" decodes to 3 bytes). */
    {"<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>"
     "<GetAndPublishCertResponse xmlns=\"http://schemas.microsoft.com/OCS/AuthWebServices/\">"
     "<RequestSecurityTokenResponse><RequestedSecurityToken><BinarySecurityToken>\n MIIC\n"
     "</BinarySecurityToken></RequestedSecurityToken></RequestSecurityTokenResponse>"
     "</GetAndPublishCertResponse></s:Body></s:Envelope>",
     0, 0, 3},
    /* A SOAP 1.2 fault. */
    {"<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><s:Fault>"
     "<s:Reason><s:Text>Certificate provisioning is disabled.</s:Text></s:Reason></s:Fault>"
     "</s:Body></s:Envelope>",
     0, 1, 0},
    /* No certificate, not base64, not XML, a DTD. */
    {"<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body/></s:Envelope>", -1,
     0, 0},
    {"<GetAndPublishCertResponse><RequestedSecurityToken><BinarySecurityToken>!!"
     "</BinarySecurityToken></RequestedSecurityToken></GetAndPublishCertResponse>",
     -1, 0, 0},
    {"<GetAndPublishCertResponse><RequestedSecurityToken><BinarySecurityToken>QQ==QQ=="
     "</BinarySecurityToken></RequestedSecurityToken></GetAndPublishCertResponse>",
     -1, 0, 0},
    {"HTTP/1.1 500", -1, 0, 0},
    {"<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>", -1, 0, 0},
};

START_TEST(test_certprov_parse)
{
    struct lc_signin_certprov c;
    char why[200] = "";
    size_t n = strlen(lc_t_certprov_cases[_i].doc);
    char *p = lc_t_dup(lc_t_certprov_cases[_i].doc, n);

    ck_assert_int_eq(lc_signin_certprov_parse(p, n, &c, why, sizeof(why)),
                     lc_t_certprov_cases[_i].ret);
    ck_assert_int_eq(c.fault, lc_t_certprov_cases[_i].fault);
    ck_assert_uint_eq(c.der_len, lc_t_certprov_cases[_i].der_len);
    if (c.fault)
        ck_assert_str_eq(c.fault_text, "Certificate provisioning is disabled.");
    if (lc_t_certprov_cases[_i].ret < 0)
        ck_assert_str_ne(why, "");
    lc_signin_certprov_clear(&c);
    free(p);
}
END_TEST

/* The certificate verdict: one case per way the step breaks. */
enum {
    C_OK,
    C_MEX404,
    C_MEX401,
    C_MEXNONE,
    C_NOANSWER,
    C_404,
    C_401,
    C_FAULT,
    C_500,
    C_502,
    C_NOCERT,
    C_OTHERKEY,
    C_OTHERURI,
    C_EXPIRED,
    C_NOTYET,
    C_NOCHAIN
};
static const struct {
    int kind;
    enum lc_status st;
    const char *diagnosis;
    const char *words;
} lc_t_cert_cases[] = {
    {C_OK, LC_PASS, NULL, "certificate issued for sip:lab.user@contoso.test in 42 ms"},
    {C_MEX404, LC_FAIL, "certprov-unpublished", "not published"},
    {C_MEX401, LC_FAIL, NULL, "the CertProv metadata answers 401, not 200"},
    {C_MEXNONE, LC_FAIL, NULL, "the CertProv metadata got no answer: timeout"},
    {C_NOANSWER, LC_FAIL, NULL, "no HTTP answer: timeout"},
    {C_404, LC_FAIL, "certprov-unpublished", "WebTicket_Proof_SHA1 is not published"},
    {C_401, LC_FAIL, "certprov-ticket-refused", "refused the web ticket"},
    {C_FAULT, LC_FAIL, "certprov-disabled", "SOAP fault: Certificate provisioning is disabled"},
    {C_500, LC_FAIL, "certprov-disabled", "disabled or failing"},
    {C_502, LC_FAIL, "backend-down", "reaches no pool"},
    {C_NOCERT, LC_FAIL, NULL, "without a usable certificate"},
    {C_OTHERKEY, LC_FAIL, NULL, "not for the key lynccheck generated"},
    {C_OTHERURI, LC_FAIL, NULL, "names sip:someone@contoso.test, not sip:lab.user"},
    {C_EXPIRED, LC_FAIL, NULL, "expired"},
    {C_NOTYET, LC_FAIL, NULL, "not yet valid"},
    {C_NOCHAIN, LC_FAIL, NULL, "does not chain to the pool's CA: unable to get local issuer"},
};

START_TEST(test_cert_judge)
{
    struct lc_signin_cert_facts f;
    const char *diagnosis = "unset";
    char msg[900];
    enum lc_status st;
    int k = lc_t_cert_cases[_i].kind;

    memset(&f, 0, sizeof(f));
    f.user = "lab.user@contoso.test";
    f.mex_status = 200;
    f.status = 200;
    f.have_cert = 1;
    f.key_matches = 1;
    f.sip_uri_matches = 1;
    f.chain_ok = 1;
    f.elapsed_ms = 42;
    f.now = 1000000;
    f.not_before = f.now - 60;
    f.not_after = f.now + 180 * 86400;
    snprintf(f.subject, sizeof(f.subject), "/CN=lab.user@contoso.test");
    snprintf(f.issuer, sizeof(f.issuer), "/O=lynccheck Lab/CN=lynccheck Lab Issuing CA");
    snprintf(f.sip_uri, sizeof(f.sip_uri), "sip:lab.user@contoso.test");
    switch (k) {
    case C_MEX404:
        f.mex_status = 404;
        break;
    case C_MEX401:
        f.mex_status = 401;
        break;
    case C_MEXNONE:
        f.mex_status = 0;
        f.transport_why = "timeout";
        break;
    case C_NOANSWER:
        f.transport_why = "timeout";
        f.status = 0;
        break;
    case C_404:
        f.status = 404;
        break;
    case C_401:
        f.status = 401;
        break;
    case C_FAULT:
        f.status = 500;
        f.fault = 1;
        f.fault_text = "Certificate provisioning is disabled for this pool.";
        f.have_cert = 0;
        break;
    case C_500:
        f.status = 500;
        break;
    case C_502:
        f.status = 502;
        break;
    case C_NOCERT:
        f.have_cert = 0;
        f.body_why = "no GetAndPublishCertResponse with a BinarySecurityToken";
        break;
    case C_OTHERKEY:
        f.key_matches = 0;
        break;
    case C_OTHERURI:
        f.sip_uri_matches = 0;
        snprintf(f.sip_uri, sizeof(f.sip_uri), "sip:someone@contoso.test");
        break;
    case C_EXPIRED:
        f.not_after = f.now - 1;
        break;
    case C_NOTYET:
        f.not_before = f.now + 3600;
        break;
    case C_NOCHAIN:
        f.chain_ok = 0;
        f.chain_why = "unable to get local issuer certificate";
        break;
    default:
        break;
    }
    st = lc_signin_cert_judge(&f, msg, sizeof(msg), &diagnosis);
    ck_assert_msg(st == lc_t_cert_cases[_i].st, "case %d: %s", _i, msg);
    ck_assert_msg(strstr(msg, lc_t_cert_cases[_i].words) != NULL, "case %d: %s", _i, msg);
    if (lc_t_cert_cases[_i].diagnosis == NULL)
        ck_assert_ptr_null(diagnosis);
    else
        ck_assert_str_eq(diagnosis, lc_t_cert_cases[_i].diagnosis);
}
END_TEST

/* ---------------------------------------------------------------- the Front End's ticket */

static const struct {
    long status;
    int ticket; /* 0 none, 1 found, 2 fault, 3 empty */
    int transport;
    enum lc_status st;
    const char *diagnosis;
    const char *words;
} lc_t_fe_cases[] = {
    {200, 1, 0, LC_PASS, NULL,
     "issued user lab.user@contoso.test a web ticket for the certificate"},
    {401, 0, 0, LC_FAIL, "fe-ticket-refused", "ticket refused by the Front End"},
    {403, 0, 0, LC_FAIL, "fe-ticket-refused", "ticket refused by the Front End"},
    {500, 2, 0, LC_FAIL, "fe-ticket-refused", "SOAP fault: No valid security token."},
    {404, 0, 0, LC_FAIL, "unpublished", "/WebTicket/WebTicketService.svc/cert is not published"},
    {503, 0, 0, LC_FAIL, "backend-down", "reaches no pool"},
    {200, 3, 0, LC_FAIL, NULL, "without a ticket"},
    {200, 0, 0, LC_FAIL, NULL, "without a ticket"},
    {302, 0, 0, LC_FAIL, NULL, "answers 302, not 200"},
    {0, 0, 1, LC_FAIL, NULL, "no HTTP answer: TLS"},
};

START_TEST(test_fe_judge)
{
    struct lc_signin_fe_facts f;
    struct lc_signin_ticket t;
    struct lc_web_diag d;
    const char *diagnosis = "unset";
    char msg[900];
    enum lc_status st;

    memset(&f, 0, sizeof(f));
    memset(&t, 0, sizeof(t));
    memset(&d, 0, sizeof(d));
    f.user = "lab.user@contoso.test";
    f.host = "webext.contoso.test";
    f.status = lc_t_fe_cases[_i].status;
    f.diag = &d;
    f.elapsed_ms = 7;
    if (lc_t_fe_cases[_i].transport)
        f.transport_why = "TLS with webext.contoso.test failed";
    if (lc_t_fe_cases[_i].ticket == 1) {
        t.found = 1;
        snprintf(t.token_kind, sizeof(t.token_kind), "Assertion");
        snprintf(t.fingerprint, sizeof(t.fingerprint), "0123456789abcdef");
    } else if (lc_t_fe_cases[_i].ticket == 2) {
        t.fault = 1;
        snprintf(t.fault_text, sizeof(t.fault_text), "No valid security token.");
    }
    if (lc_t_fe_cases[_i].ticket != 0)
        f.ticket = &t;
    st = lc_signin_fe_judge(&f, msg, sizeof(msg), &diagnosis);
    ck_assert_msg(st == lc_t_fe_cases[_i].st, "case %d: %s", _i, msg);
    ck_assert_msg(strstr(msg, lc_t_fe_cases[_i].words) != NULL, "case %d: %s", _i, msg);
    if (lc_t_fe_cases[_i].diagnosis == NULL)
        ck_assert_ptr_null(diagnosis);
    else
        ck_assert_str_eq(diagnosis, lc_t_fe_cases[_i].diagnosis);
}
END_TEST

/* ---------------------------------------------------------------- the address book */

START_TEST(test_abs_name)
{
    char out[40];
    /* [MS-ABS] 1.3's example: F-0A8C.lsabs is Saturday, May 24, 2008. */
    const long long may24 = 1211587200LL + 3600; /* 2008-05-24 01:00 UTC */

    ck_assert_int_eq(lc_signin_abs_name('F', may24, 0, out, sizeof(out)), 0);
    ck_assert_str_eq(out, "F-0A8C.lsabs");
    ck_assert_int_eq(lc_signin_abs_name('F', may24, 1, out, sizeof(out)), 0);
    ck_assert_str_eq(out, "F-0A8B.lsabs");
    ck_assert_int_eq(lc_signin_abs_name('D', may24, 0, out, sizeof(out)), 0);
    ck_assert_str_eq(out, "D-0A8B-0A8C.lsabs");
    ck_assert_int_eq(lc_signin_abs_name('X', may24, 0, out, sizeof(out)), -1);
    ck_assert_int_eq(lc_signin_abs_name('F', 0, 0, out, sizeof(out)), -1);
    ck_assert_int_eq(lc_signin_abs_name('F', may24, -1, out, sizeof(out)), -1);
    ck_assert_int_eq(lc_signin_abs_name('D', may24, 0, out, 10), -1);
}
END_TEST

static const struct {
    long status[3];
    size_t n;
    int transport;
    enum lc_status st;
    size_t fetched;
    const char *diagnosis;
    const char *words;
} lc_t_abs_cases[] = {
    {{200, 200, 0}, 2, 0, LC_PASS, 2, NULL, "address book: 2 files"},
    {{404, 200, 200}, 3, 0, LC_PASS, 2, NULL, "full file F-0A8B.lsabs"},
    {{200, 404, 0}, 2, 0, LC_PASS, 1, NULL, "address book: 1 file from"},
    {{401, 401, 0}, 2, 0, LC_FAIL, 0, "fe-ticket-refused", "the Front End refused the ticket"},
    {{404, 404, 0}, 2, 0, LC_FAIL, 0, "unpublished", "no full file"},
    {{0, 0, 0}, 1, 1, LC_FAIL, 0, NULL, "no HTTP answer"},
    {{0, 0, 0}, 0, 0, LC_FAIL, 0, NULL, "no HTTP answer"},
};

START_TEST(test_abs_judge)
{
    struct lc_signin_abs_facts f;
    const char *diagnosis = "unset";
    const long long may24 = 1211587200LL + 3600;
    char msg[900];
    size_t fetched = 99, i;
    enum lc_status st;

    memset(&f, 0, sizeof(f));
    f.host = "webext.contoso.test";
    f.n_files = lc_t_abs_cases[_i].n;
    if (lc_t_abs_cases[_i].transport)
        f.transport_why = "timeout";
    for (i = 0; i < f.n_files; i++) {
        f.files[i].status = lc_t_abs_cases[_i].status[i];
        f.files[i].bytes = 64;
    }
    /* The walk's names: today's full file, else yesterday's, then the delta. */
    ck_assert_int_eq(lc_signin_abs_name('F', may24, 0, f.files[0].name, sizeof(f.files[0].name)),
                     0);
    if (f.files[0].status == 200)
        ck_assert_int_eq(lc_signin_abs_name('D', may24, 0, f.files[1].name, 40), 0);
    else
        ck_assert_int_eq(lc_signin_abs_name('F', may24, 1, f.files[1].name, 40), 0);
    ck_assert_int_eq(lc_signin_abs_name('D', may24, 1, f.files[2].name, 40), 0);
    st = lc_signin_abs_judge(&f, &fetched, msg, sizeof(msg), &diagnosis);
    ck_assert_msg(st == lc_t_abs_cases[_i].st, "case %d: %s", _i, msg);
    ck_assert_uint_eq(fetched, lc_t_abs_cases[_i].fetched);
    ck_assert_msg(strstr(msg, lc_t_abs_cases[_i].words) != NULL, "case %d: %s", _i, msg);
    if (lc_t_abs_cases[_i].diagnosis == NULL)
        ck_assert_ptr_null(diagnosis);
    else
        ck_assert_str_eq(diagnosis, lc_t_abs_cases[_i].diagnosis);
}
END_TEST

START_TEST(test_summary)
{
    struct lc_signin_summary_facts f = {"lab.user@contoso.test", 120, 1, 2, NULL};
    char msg[400];

    lc_signin_summary(&f, msg, sizeof(msg));
    ck_assert_str_eq(msg, "user lab.user@contoso.test signed in from outside: web ticket 120 ms, "
                          "certificate issued, address book 2 files");
    f.abs_files = 1;
    f.registered = "via access.contoso.test (home pool pool01.contoso.test)";
    lc_signin_summary(&f, msg, sizeof(msg));
    ck_assert_str_eq(msg, "user lab.user@contoso.test signed in from outside: web ticket 120 ms, "
                          "certificate issued, address book 1 file, registered via "
                          "access.contoso.test (home pool pool01.contoso.test)");
    /* Hostile bytes in the user name never reach the line raw. */
    f.user = "x\n\x1b[31my";
    lc_signin_summary(&f, msg, sizeof(msg));
    ck_assert_ptr_null(strchr(msg, '\n'));
    ck_assert_ptr_null(strchr(msg, '\x1b'));
}
END_TEST

/* Every diagnosis the sign-in judges give has its fix in the findings. */
START_TEST(test_diagnoses_have_fixes)
{
    static const char *const words[] = {
        "unpublished",          "backend-down",         "preauth",
        "no-challenge",         "credentials-rejected", "host-rewritten",
        "certprov-unpublished", "certprov-disabled",    "certprov-ticket-refused",
        "fe-ticket-refused",
    };
    size_t i;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        ck_assert_msg(lc_fix_for_diagnosis(words[i]) != NULL, "no fix for %s", words[i]);
}
END_TEST

/* ---------------------------------------------------------------- WS-Security signature */

#define LC_T_WSU                                                                                   \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"

/* Exclusive C14N known answer: the namespace the subtree uses is declared
 * on its apex, the ones it does not use are left out, empty elements get an
 * end tag, attributes are sorted. */
START_TEST(test_exc_c14n)
{
    static const char doc[] =
        "<e:Env xmlns:e=\"urn:e\" xmlns:unused=\"urn:u\" xmlns:wsu=\"" LC_T_WSU
        "\"><e:H><wsu:Timestamp b=\"2\" wsu:Id=\"_0\" a=\"1\">"
        "<wsu:Created>t1</wsu:Created><wsu:Expires/></wsu:Timestamp>"
        "</e:H></e:Env>";
    size_t n = 0;
    char *c = lc_signin_exc_c14n(doc, sizeof(doc) - 1, "Timestamp", &n);

    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(c, "<wsu:Timestamp xmlns:wsu=\"" LC_T_WSU "\" a=\"1\" b=\"2\" wsu:Id=\"_0\">"
                        "<wsu:Created>t1</wsu:Created><wsu:Expires></wsu:Expires>"
                        "</wsu:Timestamp>");
    ck_assert_uint_eq(n, strlen(c));
    free(c);
    ck_assert_ptr_null(lc_signin_exc_c14n(doc, sizeof(doc) - 1, "Nothing", &n));
}
END_TEST

/* The signed envelope verifies: the Timestamp's digest is the Reference's,
 * the SignedInfo's signature checks with the key's public half. */
START_TEST(test_wss_sign)
{
    char rst[4096], *out, *ts, *si, *p, *q;
    size_t len = 0, tlen = 0, slen = 0, sl;
    static const unsigned char cert[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    unsigned char md[EVP_MAX_MD_SIZE], sig[1024];
    unsigned int mdlen = 0;
    char b64[64], sv[2048];
    EVP_PKEY *key = EVP_RSA_gen(2048);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int n;

    ck_assert_ptr_nonnull(key);
    n = lc_signin_rst_build("https://webext.contoso.test/WebTicket/WebTicketService.svc/cert",
                            "https://webext.contoso.test/WebTicket/WebTicketService.svc/cert",
                            "urn:uuid:1", rst, sizeof(rst));
    ck_assert_int_gt(n, 0);
    out = lc_signin_wss_sign(rst, cert, sizeof(cert), key, "2026-12-07T05:00:00Z",
                             "2026-12-07T05:05:00Z", &len);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(len, strlen(out));
    ck_assert_ptr_nonnull(strstr(out, ">MAMCAQE=</wsse:BinarySecurityToken>"));
    ck_assert_ptr_nonnull(strstr(out, "<ds:Reference URI=\"#_0\">"));
    ck_assert_ptr_nonnull(strstr(out, "RequestSecurityToken"));
    /* The digest. */
    ts = lc_signin_exc_c14n(out, len, "Timestamp", &tlen);
    ck_assert_ptr_nonnull(ts);
    ck_assert_str_eq(ts, "<wsu:Timestamp xmlns:wsu=\"" LC_T_WSU "\" wsu:Id=\"_0\">"
                         "<wsu:Created>2026-12-07T05:00:00Z</wsu:Created>"
                         "<wsu:Expires>2026-12-07T05:05:00Z</wsu:Expires></wsu:Timestamp>");
    ck_assert_int_eq(EVP_Digest(ts, tlen, md, &mdlen, EVP_sha1(), NULL), 1);
    EVP_EncodeBlock((unsigned char *)b64, md, (int)mdlen);
    p = strstr(out, "<ds:DigestValue>");
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(strncmp(p + strlen("<ds:DigestValue>"), b64, strlen(b64)), 0);
    /* The signature. */
    si = lc_signin_exc_c14n(out, len, "SignedInfo", &slen);
    ck_assert_ptr_nonnull(si);
    ck_assert_int_eq(
        strncmp(si, "<ds:SignedInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">", 60), 0);
    p = strstr(out, "<ds:SignatureValue>");
    ck_assert_ptr_nonnull(p);
    p += strlen("<ds:SignatureValue>");
    q = strchr(p, '<');
    ck_assert_ptr_nonnull(q);
    ck_assert_uint_lt((size_t)(q - p), sizeof(sv));
    memcpy(sv, p, (size_t)(q - p));
    sv[q - p] = '\0';
    n = EVP_DecodeBlock(sig, (const unsigned char *)sv, (int)strlen(sv));
    ck_assert_int_gt(n, 0);
    sl = (size_t)n - (sv[strlen(sv) - 1] == '=') - (sv[strlen(sv) - 2] == '=');
    ck_assert_int_eq(EVP_DigestVerifyInit(ctx, NULL, EVP_sha1(), NULL, key), 1);
    ck_assert_int_eq(EVP_DigestVerify(ctx, sig, sl, (const unsigned char *)si, slen), 1);
    /* Unusable input. */
    ck_assert_ptr_null(lc_signin_wss_sign("<x/>", cert, sizeof(cert), key, "a", "b", &len));
    ck_assert_ptr_null(lc_signin_wss_sign(rst, cert, sizeof(cert), key, "a<", "b", &len));
    free(si);
    free(ts);
    free(out);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
}
END_TEST

Suite *lc_suite_signin(void)
{
    Suite *s = suite_create("signin");
    TCase *wire = tcase_create("wire");
    TCase *judge = tcase_create("judge");

    tcase_add_loop_test(wire, test_ntlm_type, 0, LC_T_N(lc_t_type_cases));
    tcase_add_test(wire, test_leg_challenge);
    tcase_add_test(wire, test_rst_build);
    tcase_add_loop_test(wire, test_rstr, 0, LC_T_N(lc_t_rstr_cases));
    tcase_add_test(wire, test_rstr_limits);
    tcase_add_test(wire, test_mex_negotiate);
    tcase_add_loop_test(judge, test_judge, 0, LC_T_N(lc_t_cases));
    tcase_add_test(judge, test_judge_escapes_user);
    tcase_add_test(wire, test_rstr_token);
    tcase_add_test(wire, test_certprov_build);
    tcase_add_loop_test(wire, test_certprov_parse, 0, LC_T_N(lc_t_certprov_cases));
    tcase_add_test(wire, test_abs_name);
    tcase_add_test(wire, test_exc_c14n);
    tcase_add_test(wire, test_wss_sign);
    tcase_add_loop_test(judge, test_cert_judge, 0, LC_T_N(lc_t_cert_cases));
    tcase_add_loop_test(judge, test_fe_judge, 0, LC_T_N(lc_t_fe_cases));
    tcase_add_loop_test(judge, test_abs_judge, 0, LC_T_N(lc_t_abs_cases));
    tcase_add_test(judge, test_summary);
    tcase_add_test(judge, test_diagnoses_have_fixes);
    suite_add_tcase(s, wire);
    suite_add_tcase(s, judge);
    return s;
}
