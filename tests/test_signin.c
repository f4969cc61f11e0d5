/* SPDX-License-Identifier: MIT */
/* Unit tests of the web ticket sign-in (src/signin.c): the NTLM message
 * type in an Authorization / WWW-Authenticate value, the RequestSecurityToken
 * built, the RSTR / fault read, the WinNegotiate endpoint of the mex, and
 * the verdict on the whole exchange from a table of cases (one per cause a
 * reverse proxy or server produces). Inputs are copied to heap buffers of
 * exactly their length, without a NUL, so the sanitizer build catches a read
 * past the end. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    suite_add_tcase(s, wire);
    suite_add_tcase(s, judge);
    return s;
}
