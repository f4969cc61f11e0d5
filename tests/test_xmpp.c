/* SPDX-License-Identifier: MIT */
/* Unit tests of the XMPP stream-features parser: what prosody and ejabberd
 * send to a server-to-server stream header, stream errors, junk, and the
 * XML tricks a hostile listener could try (RFC 6120 11.1). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "xmpp.h"

/* What prosody 0.12 answers on 5269: its header, then dialback and
 * STARTTLS required. */
static const char lc_prosody[] =
    "<?xml version='1.0'?>"
    "<stream:stream xmlns:db='jabber:server:dialback' "
    "xmlns:stream='http://etherx.jabber.org/streams' version='1.0' from='contoso.com' "
    "id='8e4cd3b9-3a3b-4d1e-9f0a-6a1c2b3d4e5f' xml:lang='en' xmlns='jabber:server'>"
    "<stream:features>"
    "<dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>"
    "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
    "</stream:features>";

static struct lc_xmpp_parser *lc_new_parser(void)
{
    struct lc_xmpp_parser *p = NULL;

    ck_assert_int_eq(lc_xmpp_parser_new(&p), 0);
    ck_assert_ptr_nonnull(p);
    return p;
}

static enum lc_xmpp_status lc_feed_str(struct lc_xmpp_parser *p, const char *s)
{
    return lc_xmpp_parser_feed(p, s, strlen(s));
}

static void lc_assert_prosody(const struct lc_xmpp_result *r)
{
    ck_assert_int_eq(r->status, LC_XMPP_FEATURES);
    ck_assert_int_eq(r->stream_open, 1);
    ck_assert_str_eq(r->from, "contoso.com");
    ck_assert_str_eq(r->id, "8e4cd3b9-3a3b-4d1e-9f0a-6a1c2b3d4e5f");
    ck_assert_str_eq(r->version, "1.0");
    ck_assert_str_eq(r->default_ns, "jabber:server");
    ck_assert_int_eq(r->db_namespace, 1);
    ck_assert_int_eq(r->dialback, 1);
    ck_assert_int_eq(r->starttls, 1);
    ck_assert_int_eq(r->starttls_required, 1);
    ck_assert_int_eq(r->sasl, 0);
    ck_assert_uint_eq(r->n_mechanisms, 0);
    ck_assert_uint_eq(r->n_other, 0);
}

START_TEST(test_prosody_features)
{
    struct lc_xmpp_parser *p = lc_new_parser();

    ck_assert_int_eq(lc_feed_str(p, lc_prosody), LC_XMPP_FEATURES);
    lc_assert_prosody(lc_xmpp_parser_result(p));
    /* Once decided, more input changes nothing. */
    ck_assert_int_eq(lc_feed_str(p, "<stream:error/>garbage"), LC_XMPP_FEATURES);
    lc_xmpp_parser_free(p);
}
END_TEST

START_TEST(test_tiny_chunks)
{
    size_t n = strlen(lc_prosody), i, step;

    /* One byte at a time, then other splits: the answer never depends on
     * how TCP cut the stream. */
    for (step = 1; step <= 7; step += 2) {
        struct lc_xmpp_parser *p = lc_new_parser();
        enum lc_xmpp_status st = LC_XMPP_NEED_MORE;
        for (i = 0; i < n; i += step) {
            size_t k = n - i < step ? n - i : step;
            ck_assert_msg(st == LC_XMPP_NEED_MORE, "decided early at %zu (step %zu)", i, step);
            st = lc_xmpp_parser_feed(p, lc_prosody + i, k);
        }
        ck_assert_int_eq(st, LC_XMPP_FEATURES);
        lc_assert_prosody(lc_xmpp_parser_result(p));
        lc_xmpp_parser_free(p);
    }
}
END_TEST

START_TEST(test_sasl_and_others)
{
    struct lc_xmpp_parser *p = lc_new_parser();
    const struct lc_xmpp_result *r;

    ck_assert_int_eq(lc_feed_str(p, "<stream:stream xmlns='jabber:server' "
                                    "xmlns:stream='http://etherx.jabber.org/streams' id=\"s2s-1\" "
                                    "from=\"jabber.fabrikam.com\" version=\"1.0\">\n"
                                    "  <stream:features>\n"
                                    "    <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\n"
                                    "    <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\n"
                                    "      <mechanism> EXTERNAL </mechanism>\n"
                                    "      <mechanism>SCRAM-SHA-1</mechanism>\n"
                                    "    </mechanisms>\n"
                                    "    <bidi xmlns='urn:xmpp:features:bidi'/>\n"
                                    "  </stream:features>"),
                     LC_XMPP_FEATURES);
    r = lc_xmpp_parser_result(p);
    ck_assert_int_eq(r->starttls, 1);
    ck_assert_int_eq(r->starttls_required, 0);
    ck_assert_int_eq(r->dialback, 0);
    ck_assert_int_eq(r->db_namespace, 0);
    ck_assert_int_eq(r->sasl, 1);
    ck_assert_uint_eq(r->n_mechanisms, 2);
    ck_assert_str_eq(r->mechanisms[0], "EXTERNAL");
    ck_assert_str_eq(r->mechanisms[1], "SCRAM-SHA-1");
    ck_assert_uint_eq(r->n_other, 1);
    ck_assert_str_eq(r->other[0], "{urn:xmpp:features:bidi}bidi");
    ck_assert_str_eq(r->from, "jabber.fabrikam.com");
    lc_xmpp_parser_free(p);

    /* An empty features element is still the features. */
    p = lc_new_parser();
    ck_assert_int_eq(lc_feed_str(p, "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'"
                                    " version='1.0'><stream:features/>"),
                     LC_XMPP_FEATURES);
    ck_assert_int_eq(lc_xmpp_parser_result(p)->starttls, 0);
    lc_xmpp_parser_free(p);
}
END_TEST

START_TEST(test_stream_error)
{
    struct lc_xmpp_parser *p = lc_new_parser();
    const struct lc_xmpp_result *r;

    ck_assert_int_eq(
        lc_feed_str(p, "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
                       "xmlns:stream='http://etherx.jabber.org/streams' version='1.0' "
                       "id='x1'>"
                       "<stream:error><host-unknown "
                       "xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                       "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>This server does "
                       "not serve contoso.com</text></stream:error></stream:stream>"),
        LC_XMPP_STREAM_ERROR);
    r = lc_xmpp_parser_result(p);
    ck_assert_str_eq(r->error_condition, "host-unknown");
    ck_assert_str_eq(r->error_text, "This server does not serve contoso.com");
    lc_xmpp_parser_free(p);

    /* The stream closed with nothing in it. */
    p = lc_new_parser();
    ck_assert_int_eq(lc_feed_str(p, "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'"
                                    " version='1.0'></stream:stream>"),
                     LC_XMPP_CLOSED);
    lc_xmpp_parser_free(p);
}
END_TEST

START_TEST(test_junk)
{
    static const char tls[] = {0x16, 0x03, 0x01, 0x00, 0x2a, 0x02, 0x00};
    static const char *const junk[] = {
        "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
        "SIP/2.0 400 Bad Request\r\n\r\n",
        "<html><body>It works!</body></html>",
        "<stream:stream xmlns:stream='urn:wrong'><stream:features/>",
        "<stream:stream><stream:features/>", /* unbound prefix */
        "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><a></b>",
    };
    size_t i;

    for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        struct lc_xmpp_parser *p = lc_new_parser();
        enum lc_xmpp_status st = lc_feed_str(p, junk[i]);
        ck_assert_msg(st == LC_XMPP_BAD, "junk %zu gave %d", i, st);
        ck_assert_str_ne(lc_xmpp_parser_result(p)->error, "");
        lc_xmpp_parser_free(p);
    }
    {
        struct lc_xmpp_parser *p = lc_new_parser();
        ck_assert_int_eq(lc_xmpp_parser_feed(p, tls, sizeof(tls)), LC_XMPP_BAD);
        lc_xmpp_parser_free(p);
    }
    {
        struct lc_xmpp_parser *p = lc_new_parser();
        ck_assert_int_eq(lc_feed_str(p, "<html>"), LC_XMPP_BAD);
        ck_assert_ptr_nonnull(strstr(lc_xmpp_parser_result(p)->error, "not an XMPP stream"));
        lc_xmpp_parser_free(p);
    }
}
END_TEST

START_TEST(test_unclosed_start_tag_is_bounded)
{
    struct lc_xmpp_parser *p = lc_new_parser();
    char chunk[4096];
    size_t fed = 0;
    enum lc_xmpp_status st;

    st = lc_feed_str(p, "<?xml version='1.0'?><stream:stream "
                        "xmlns:stream='http://etherx.jabber.org/streams' from='");
    ck_assert_int_eq(st, LC_XMPP_NEED_MORE);
    memset(chunk, 'x', sizeof(chunk));
    /* A start tag that never ends: refused at the cap, not after memory runs out. */
    while (st == LC_XMPP_NEED_MORE && fed < 4 * LC_XMPP_MAX_BYTES) {
        st = lc_xmpp_parser_feed(p, chunk, sizeof(chunk));
        fed += sizeof(chunk);
    }
    ck_assert_int_eq(st, LC_XMPP_BAD);
    ck_assert_uint_eq(lc_xmpp_parser_result(p)->bytes, LC_XMPP_MAX_BYTES);
    ck_assert_str_eq(lc_xmpp_parser_result(p)->error, "no stream features within 65536 bytes");
    lc_xmpp_parser_free(p);
}
END_TEST

START_TEST(test_billion_laughs)
{
    static const char lol[] =
        "<?xml version='1.0'?>"
        "<!DOCTYPE stream:stream ["
        "<!ENTITY lol 'lol'>"
        "<!ENTITY lol1 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>"
        "<!ENTITY lol2 '&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;'>"
        "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>"
        "<!ENTITY lol4 '&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;'>"
        "<!ENTITY lol5 '&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;'>"
        "<!ENTITY lol6 '&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;'>"
        "<!ENTITY lol7 '&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;'>"
        "<!ENTITY lol8 '&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;'>"
        "<!ENTITY lol9 '&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;'>"
        "]>"
        "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' version='1.0' "
        "from='&lol9;'><stream:features><mechanisms "
        "xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>&lol9;</mechanism></mechanisms>"
        "</stream:features>";
    static const char xxe[] = "<?xml version='1.0'?><!DOCTYPE s SYSTEM 'file:///etc/passwd'>"
                              "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>"
                              "<stream:features/>";
    static const char undeclared[] =
        "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
        "<stream:features>&xxe;</stream:features>";
    struct lc_xmpp_parser *p = lc_new_parser();
    size_t i;

    ck_assert_int_eq(lc_feed_str(p, lol), LC_XMPP_BAD);
    ck_assert_ptr_nonnull(strstr(lc_xmpp_parser_result(p)->error, "DTD"));
    ck_assert_int_eq(lc_xmpp_parser_result(p)->stream_open, 0);
    lc_xmpp_parser_free(p);
    /* Split in tiny pieces it is refused the same way. */
    p = lc_new_parser();
    for (i = 0; i < sizeof(lol) - 1; i += 3)
        if (lc_xmpp_parser_feed(p, lol + i, sizeof(lol) - 1 - i < 3 ? sizeof(lol) - 1 - i : 3) !=
            LC_XMPP_NEED_MORE)
            break;
    ck_assert_int_eq(lc_xmpp_parser_result(p)->status, LC_XMPP_BAD);
    lc_xmpp_parser_free(p);

    p = lc_new_parser();
    ck_assert_int_eq(lc_feed_str(p, xxe), LC_XMPP_BAD);
    lc_xmpp_parser_free(p);
    p = lc_new_parser();
    ck_assert_int_eq(lc_feed_str(p, undeclared), LC_XMPP_BAD);
    lc_xmpp_parser_free(p);
    /* The predefined entities are fine (RFC 6120 11.1). */
    p = lc_new_parser();
    ck_assert_int_eq(lc_feed_str(p, "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'"
                                    " from='a&amp;b&lt;&#38;' id='&apos;&quot;&gt;' version='1.0'>"
                                    "<stream:features/>"),
                     LC_XMPP_FEATURES);
    ck_assert_str_eq(lc_xmpp_parser_result(p)->from, "a&b<&");
    ck_assert_str_eq(lc_xmpp_parser_result(p)->id, "'\">");
    lc_xmpp_parser_free(p);
}
END_TEST

START_TEST(test_forbidden_and_deep)
{
    static const char *const bad[] = {
        "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><!-- hi -->",
        "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><?pi x?>",
    };
    struct lc_xmpp_parser *p;
    char deep[1024];
    size_t i, n;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        p = lc_new_parser();
        ck_assert_int_eq(lc_feed_str(p, bad[i]), LC_XMPP_BAD);
        ck_assert_ptr_nonnull(strstr(lc_xmpp_parser_result(p)->error, "RFC 6120 11.1"));
        lc_xmpp_parser_free(p);
    }
    n = (size_t)snprintf(deep, sizeof(deep),
                         "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>"
                         "<stream:features>");
    for (i = 0; i < LC_XMPP_MAX_DEPTH; i++)
        n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<a>");
    p = lc_new_parser();
    ck_assert_int_eq(lc_xmpp_parser_feed(p, deep, n), LC_XMPP_BAD);
    ck_assert_ptr_nonnull(strstr(lc_xmpp_parser_result(p)->error, "deeper"));
    lc_xmpp_parser_free(p);
}
END_TEST

START_TEST(test_stream_open)
{
    char buf[512];
    int n = lc_xmpp_stream_open(buf, sizeof(buf), "contoso.com", "lynccheck.invalid");
    struct lc_xmpp_parser *p;

    ck_assert_int_gt(n, 0);
    ck_assert_uint_eq(strlen(buf), (size_t)n);
    ck_assert_str_eq(buf, "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
                          "xmlns:stream='http://etherx.jabber.org/streams' "
                          "xmlns:db='jabber:server:dialback' to='contoso.com' "
                          "from='lynccheck.invalid' version='1.0'>");
    /* Our own header parses as a stream that has opened. */
    p = lc_new_parser();
    ck_assert_int_eq(lc_xmpp_parser_feed(p, buf, (size_t)n), LC_XMPP_NEED_MORE);
    ck_assert_int_eq(lc_xmpp_parser_result(p)->stream_open, 1);
    ck_assert_int_eq(lc_xmpp_parser_result(p)->db_namespace, 1);
    lc_xmpp_parser_free(p);
    ck_assert_int_eq(lc_xmpp_stream_open(buf, sizeof(buf), "a'b", "x"), -1);
    ck_assert_int_eq(lc_xmpp_stream_open(buf, sizeof(buf), "a<b", "x"), -1);
    ck_assert_int_eq(lc_xmpp_stream_open(buf, sizeof(buf), "", "x"), -1);
    ck_assert_int_eq(lc_xmpp_stream_open(buf, 40, "contoso.com", "x"), -1);
}
END_TEST

/* ---- the verdict (lc_xmpp_judge), from a case table ---- */

enum lc_t_x {
    X_PROSODY,
    X_REQUIRED,
    X_NOTLS,
    X_NOTLS_DBNS,
    X_ERROR,
    X_ERROR_BARE,
    X_CLOSED,
    X_BAD,
    X_MORE
};

static void lc_t_xresult(struct lc_xmpp_result *r, enum lc_t_x k)
{
    memset(r, 0, sizeof(*r));
    r->stream_open = 1;
    snprintf(r->from, sizeof(r->from), "contoso.com");
    snprintf(r->id, sizeof(r->id), "a1b2c3");
    snprintf(r->version, sizeof(r->version), "1.0");
    snprintf(r->default_ns, sizeof(r->default_ns), "jabber:server");
    r->db_namespace = 1;
    switch (k) {
    case X_PROSODY:
        r->status = LC_XMPP_FEATURES;
        r->starttls = 1;
        r->dialback = 1;
        break;
    case X_REQUIRED:
        r->status = LC_XMPP_FEATURES;
        r->starttls = r->starttls_required = 1;
        r->sasl = 1;
        snprintf(r->mechanisms[0], sizeof(r->mechanisms[0]), "EXTERNAL");
        snprintf(r->mechanisms[1], sizeof(r->mechanisms[1]), "X-\x01");
        r->n_mechanisms = 2;
        break;
    case X_NOTLS:
        r->status = LC_XMPP_FEATURES;
        r->db_namespace = 0;
        r->from[0] = r->id[0] = '\0';
        break;
    case X_NOTLS_DBNS:
        r->status = LC_XMPP_FEATURES;
        break;
    case X_ERROR:
        r->status = LC_XMPP_STREAM_ERROR;
        snprintf(r->error_condition, sizeof(r->error_condition), "host-unknown");
        snprintf(r->error_text, sizeof(r->error_text), "no such \"domain\"");
        break;
    case X_ERROR_BARE:
        r->status = LC_XMPP_STREAM_ERROR;
        r->from[0] = '\0';
        break;
    case X_CLOSED:
        r->status = LC_XMPP_CLOSED;
        break;
    case X_BAD:
        r->status = LC_XMPP_BAD;
        r->stream_open = 0;
        snprintf(r->error, sizeof(r->error), "Start tag expected, '<' not found");
        break;
    case X_MORE:
    default:
        r->status = LC_XMPP_NEED_MORE;
        break;
    }
}

static const struct lc_t_xmpp_case {
    enum lc_t_x kind;
    const char *first; /* the first bytes the server sent */
    enum lc_status want;
    const char *msg;
    const char *msg2;
} lc_t_xmpp_cases[] = {
    {X_PROSODY, "<?xml", LC_PASS,
     "stream features: STARTTLS offered, dialback offered, SASL none; from=contoso.com id=a1b2c3",
     NULL},
    {X_REQUIRED, "<?xml", LC_PASS, "STARTTLS required", "SASL EXTERNAL X-\\x01"},
    {X_NOTLS, "<?xml", LC_WARN, "STARTTLS not offered, dialback not offered",
     "RFC 6120 5.1 requires STARTTLS support"},
    {X_NOTLS, "<?xml", LC_WARN, "from=(none) id=(none)", NULL},
    {X_NOTLS_DBNS, "<?xml", LC_WARN, "dialback namespace declared", NULL},
    {X_ERROR, "<?xml", LC_FAIL,
     "stream error <host-unknown/>: \"no such \"domain\"\" (from=contoso.com)", NULL},
    {X_ERROR_BARE, "<?xml", LC_FAIL, "stream error <no condition/> (from=(none))", NULL},
    {X_CLOSED, "<?xml", LC_FAIL, "the server closed the stream without sending features", NULL},
    {X_BAD, "HTTP/1.1 400 Bad Request\r\n", LC_FAIL,
     "not an XMPP stream: Start tag expected, '<' not found; first bytes \"HTTP/1.1 400 Bad "
     "Request\\r\\n\"",
     NULL},
    {X_BAD, NULL, LC_FAIL, "first bytes \"\"", NULL},
    {X_MORE, "<?xml", LC_ERROR, "no verdict", NULL},
};

START_TEST(test_judge)
{
    const struct lc_t_xmpp_case *t = &lc_t_xmpp_cases[_i];
    struct lc_xmpp_result r;
    char msg[1024] = "", small[12];
    size_t n_first = t->first != NULL ? strlen(t->first) : 0;
    enum lc_status st;

    lc_t_xresult(&r, t->kind);
    st = lc_xmpp_judge(&r, t->first, n_first, msg, sizeof(msg));
    ck_assert_msg(st == t->want, "case %d: status %d, want %d: %s", _i, (int)st, (int)t->want, msg);
    ck_assert_msg(strstr(msg, t->msg) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg, msg);
    if (t->msg2 != NULL)
        ck_assert_msg(strstr(msg, t->msg2) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg2,
                      msg);
    memset(small, 'Z', sizeof(small));
    ck_assert_int_eq(lc_xmpp_judge(&r, t->first, n_first, small, 8), t->want);
    ck_assert_uint_lt(strlen(small), 8);
    ck_assert_int_eq(small[8], 'Z');
    ck_assert_int_eq(lc_xmpp_judge(&r, t->first, n_first, NULL, 0), t->want);
}
END_TEST

/* A hostile peer's strings are escaped, and unterminated fields are read
 * no further than their arrays. */
START_TEST(test_judge_hostile)
{
    struct lc_xmpp_result r;
    char msg[2048];
    size_t i;

    lc_t_xresult(&r, X_PROSODY);
    memset(r.from, 'f', sizeof(r.from)); /* no NUL */
    memset(r.id, '\x1b', sizeof(r.id));  /* no NUL, escapes */
    ck_assert_int_eq(lc_xmpp_judge(&r, NULL, 0, msg, sizeof(msg)), LC_PASS);
    ck_assert_ptr_nonnull(strstr(msg, "\\x1b\\x1b"));
    for (i = 0; msg[i] != '\0'; i++)
        ck_assert((unsigned char)msg[i] >= 0x20 && (unsigned char)msg[i] < 0x7f);
}
END_TEST

Suite *lc_suite_xmpp(void)
{
    Suite *s = suite_create("xmpp");
    TCase *tc = tcase_create("features");
    TCase *judge = tcase_create("judge");

    tcase_add_test(tc, test_prosody_features);
    tcase_add_test(tc, test_tiny_chunks);
    tcase_add_test(tc, test_sasl_and_others);
    tcase_add_test(tc, test_stream_error);
    tcase_add_test(tc, test_junk);
    tcase_add_test(tc, test_unclosed_start_tag_is_bounded);
    tcase_add_test(tc, test_billion_laughs);
    tcase_add_test(tc, test_forbidden_and_deep);
    tcase_add_test(tc, test_stream_open);
    tcase_add_loop_test(judge, test_judge, 0,
                        (int)(sizeof(lc_t_xmpp_cases) / sizeof(lc_t_xmpp_cases[0])));
    tcase_add_test(judge, test_judge_hostile);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, judge);
    return s;
}
