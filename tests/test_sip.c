/* SPDX-License-Identifier: MIT */
/* Unit tests of the bounded SIP response parser and request builder:
 * responses as a Lync edge writes them, and the ways a hostile or broken
 * peer can bend the grammar. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip.h"
#include "suites.h"

/* A Lync / Skype for Business 401 to a REGISTER without credentials, in the
 * shape of [MS-SIPAE] 4.1 with version 4 and TLS-DSK (Lync 2010 and later). */
static const char lc_lync_401[] =
    "SIP/2.0 401 Unauthorized\r\n"
    "Date: Tue, 05 Mar 2024 10:00:00 GMT\r\n"
    "WWW-Authenticate: NTLM realm=\"SIP Communications Service\", "
    "targetname=\"lyncfe01.contoso.com\", version=4\r\n"
    "WWW-Authenticate: Kerberos realm=\"SIP Communications Service\", "
    "targetname=\"sip/lyncfe01.contoso.com\", version=4\r\n"
    "WWW-Authenticate: TLS-DSK realm=\"SIP Communications Service\", "
    "targetname=\"lyncfe01.contoso.com\", version=4, "
    "sts-uri=\"https://lyncweb.contoso.com:443/CertProv/CertProvisioningService.svc\"\r\n"
    "From: <sip:lynccheck@contoso.com>;tag=5d1f2e3a4b\r\n"
    "To: <sip:lynccheck@contoso.com>;tag=7D0D6B1A8F0B2E8D3E1C9A0F4B6D2C11\r\n"
    "Call-ID: 0f1e2d3c4b5a69788796a5b4c3d2e1f0\r\n"
    "CSeq: 1 REGISTER\r\n"
    "Via: SIP/2.0/TLS 192.0.2.10:50123;branch=z9hG4bKabcdef;rport=50123;"
    "received=198.51.100.7;ms-received-port=50123;ms-received-cid=1A2B00\r\n"
    "Server: RTC/6.0\r\n"
    "ms-diagnostics: 1000;reason=\"Final handshake failed\";source=\"sip.contoso.com\"\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static enum lc_sip_parse_status lc_parse_str(const char *s, struct lc_sip_response *r)
{
    return lc_sip_response_parse(s, strlen(s), r);
}

START_TEST(test_lync_401)
{
    struct lc_sip_response r;
    struct lc_sip_challenge k;
    static const char *const schemes[] = {"NTLM", "Kerberos", "TLS-DSK"};
    size_t i;

    ck_assert_int_eq(lc_parse_str(lc_lync_401, &r), LC_SIP_COMPLETE);
    ck_assert_str_eq(r.version, "SIP/2.0");
    ck_assert_int_eq(r.status, 401);
    ck_assert_str_eq(r.reason, "Unauthorized");
    ck_assert_uint_eq(r.n_headers, 12);
    ck_assert_uint_eq(lc_sip_header_count(&r, "WWW-Authenticate"), 3);
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(lc_sip_challenge_parse(lc_sip_header_get(&r, "WWW-Authenticate", i), &k),
                         0);
        ck_assert_str_eq(k.scheme, schemes[i]);
        ck_assert_str_eq(k.realm, "SIP Communications Service");
        ck_assert_str_eq(k.version, "4");
        ck_assert_int_eq(k.lync, 1);
    }
    ck_assert_str_eq(k.targetname, "lyncfe01.contoso.com");
    ck_assert_str_eq(lc_sip_header_get(&r, "Server", 0), "RTC/6.0");
    ck_assert_str_eq(lc_sip_header_get(&r, "MS-Diagnostics", 0),
                     "1000;reason=\"Final handshake failed\";source=\"sip.contoso.com\"");
    ck_assert_ptr_null(lc_sip_header_get(&r, "WWW-Authenticate", 3));
    ck_assert_int_eq(r.has_content_length, 1);
    ck_assert_uint_eq(r.content_length, 0);
    ck_assert_uint_eq(r.header_len, strlen(lc_lync_401));
    ck_assert_uint_eq(r.message_len, strlen(lc_lync_401));
    lc_sip_response_clear(&r);
    lc_sip_response_clear(&r); /* harmless twice */
}
END_TEST

START_TEST(test_every_prefix_needs_more)
{
    size_t n = strlen(lc_lync_401), i;
    struct lc_sip_response r;

    /* Truncated anywhere before the blank line: wait, never guess. */
    for (i = 0; i < n; i++) {
        enum lc_sip_parse_status st = lc_sip_response_parse(lc_lync_401, i, &r);
        ck_assert_msg(st == LC_SIP_NEED_MORE, "prefix %zu gave %d (%s)", i, st, r.error);
    }
    ck_assert_int_eq(lc_sip_response_parse(lc_lync_401, n, &r), LC_SIP_COMPLETE);
    lc_sip_response_clear(&r);
}
END_TEST

START_TEST(test_folding)
{
    /* RFC 3261 7.3.1's own example, and a folded challenge. */
    static const char msg[] = "SIP/2.0 401 Unauthorized\r\n"
                              "Subject: I know you're there,\r\n"
                              "               pick up the phone   \r\n"
                              "\tand talk to me!\r\n"
                              "WWW-Authenticate: NTLM\r\n"
                              "  realm=\"SIP Communications Service\",\r\n"
                              "  targetname=\"fe.contoso.com\", version=4\r\n"
                              "Content-Length: 0\r\n"
                              "\r\n";
    struct lc_sip_response r;
    struct lc_sip_challenge k;

    ck_assert_int_eq(lc_parse_str(msg, &r), LC_SIP_COMPLETE);
    ck_assert_uint_eq(r.n_headers, 3);
    ck_assert_str_eq(lc_sip_header_get(&r, "subject", 0),
                     "I know you're there, pick up the phone    and talk to me!");
    ck_assert_int_eq(lc_sip_challenge_parse(lc_sip_header_get(&r, "WWW-Authenticate", 0), &k), 0);
    ck_assert_str_eq(k.scheme, "NTLM");
    ck_assert_str_eq(k.realm, "SIP Communications Service");
    ck_assert_str_eq(k.targetname, "fe.contoso.com");
    ck_assert_str_eq(k.version, "4");
    lc_sip_response_clear(&r);

    /* A continuation line with nothing to continue is broken. */
    ck_assert_int_eq(lc_parse_str("SIP/2.0 200 OK\r\n folded: x\r\n\r\n", &r), LC_SIP_MALFORMED);
}
END_TEST

START_TEST(test_compact_and_case)
{
    static const char msg[] = "SIP/2.0 200 OK\r\n"
                              "v: SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bK1\r\n"
                              "f: <sip:lynccheck@contoso.com>;tag=1\r\n"
                              "t: <sip:contoso.com>;tag=2\r\n"
                              "i: abc@lynccheck.invalid\r\n"
                              "k: gruu-10\r\n"
                              "SUPPORTED: ms-dialog-route-set-update\r\n"
                              "m: <sip:edge.contoso.com:5061;transport=tls>\r\n"
                              "allow : INVITE, OPTIONS, BYE\r\n"
                              "www-authenticate: Digest realm=\"x\"\r\n"
                              "l:   0  \r\n"
                              "\r\n";
    struct lc_sip_response r;

    ck_assert_int_eq(lc_parse_str(msg, &r), LC_SIP_COMPLETE);
    ck_assert_str_eq(lc_sip_header_get(&r, "Via", 0),
                     "SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bK1");
    ck_assert_str_eq(lc_sip_header_get(&r, "call-id", 0), "abc@lynccheck.invalid");
    ck_assert_str_eq(lc_sip_header_get(&r, "i", 0), "abc@lynccheck.invalid");
    ck_assert_str_eq(lc_sip_header_get(&r, "To", 0), "<sip:contoso.com>;tag=2");
    ck_assert_uint_eq(lc_sip_header_count(&r, "Supported"), 2);
    ck_assert_uint_eq(lc_sip_header_count(&r, "k"), 2);
    ck_assert_str_eq(lc_sip_header_get(&r, "Contact", 0),
                     "<sip:edge.contoso.com:5061;transport=tls>");
    /* White space before the colon is allowed (HCOLON). */
    ck_assert_str_eq(lc_sip_header_get(&r, "Allow", 0), "INVITE, OPTIONS, BYE");
    ck_assert_str_eq(lc_sip_header_get(&r, "WWW-AUTHENTICATE", 0), "Digest realm=\"x\"");
    ck_assert_int_eq(r.has_content_length, 1);
    ck_assert_uint_eq(r.content_length, 0);
    lc_sip_response_clear(&r);
}
END_TEST

START_TEST(test_bare_lf_and_keepalives)
{
    static const char lf[] = "\r\n\r\nSIP/2.0 407 Proxy Authentication Required\n"
                             "Proxy-Authenticate: Kerberos realm=\"SIP Communications Service\"\n"
                             "Content-Length: 0\r\n"
                             "\n";
    struct lc_sip_response r;

    ck_assert_int_eq(lc_parse_str(lf, &r), LC_SIP_COMPLETE);
    ck_assert_int_eq(r.status, 407);
    ck_assert_str_eq(r.reason, "Proxy Authentication Required");
    ck_assert_uint_eq(lc_sip_header_count(&r, "Proxy-Authenticate"), 1);
    ck_assert_uint_eq(r.message_len, strlen(lf));
    lc_sip_response_clear(&r);
    /* Keep-alive CRLFs alone are not an answer yet. */
    ck_assert_int_eq(lc_parse_str("\r\n\r\n", &r), LC_SIP_NEED_MORE);
}
END_TEST

START_TEST(test_missing_reason)
{
    struct lc_sip_response r;

    ck_assert_int_eq(lc_parse_str("SIP/2.0 200\r\nContent-Length: 0\r\n\r\n", &r), LC_SIP_COMPLETE);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.reason, "");
    lc_sip_response_clear(&r);
    ck_assert_int_eq(lc_parse_str("SIP/2.0 403 \r\n\r\n", &r), LC_SIP_COMPLETE);
    ck_assert_int_eq(r.status, 403);
    ck_assert_str_eq(r.reason, "");
    ck_assert_int_eq(r.has_content_length, 0);
    lc_sip_response_clear(&r);
}
END_TEST

START_TEST(test_huge_content_length)
{
    static const char huge[] = "SIP/2.0 200 OK\r\n"
                               "Content-Length: 99999999999999999999999999999999\r\n"
                               "\r\n"
                               "v=0\r\n";
    static const char big[] = "SIP/2.0 200 OK\r\nl: 70000\r\n\r\n";
    static const char small[] = "SIP/2.0 200 OK\r\nl: 12\r\n\r\n";
    struct lc_sip_response r;

    /* Recorded (saturated), never trusted: the headers are all we need. */
    ck_assert_int_eq(lc_parse_str(huge, &r), LC_SIP_COMPLETE);
    ck_assert_int_eq(r.has_content_length, 1);
    ck_assert(r.content_length == ~0ULL);
    ck_assert_uint_eq(r.message_len, 0);
    lc_sip_response_clear(&r);
    ck_assert_int_eq(lc_parse_str(big, &r), LC_SIP_COMPLETE);
    ck_assert_uint_eq(r.content_length, 70000);
    ck_assert_uint_eq(r.message_len, 0);
    lc_sip_response_clear(&r);
    ck_assert_int_eq(lc_parse_str(small, &r), LC_SIP_COMPLETE);
    ck_assert_uint_eq(r.message_len, strlen(small) + 12);
    lc_sip_response_clear(&r);
    ck_assert_int_eq(lc_parse_str("SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n", &r),
                     LC_SIP_MALFORMED);
    ck_assert_int_eq(lc_parse_str("SIP/2.0 200 OK\r\nContent-Length: 1e9\r\n\r\n", &r),
                     LC_SIP_MALFORMED);
}
END_TEST

START_TEST(test_not_sip)
{
    static const char tls_alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    struct lc_sip_response r;

    ck_assert_int_eq(lc_parse_str("HTTP/1.1 400 Bad Request\r\n\r\n", &r), LC_SIP_NOT_SIP);
    ck_assert_str_eq(r.error, "does not start with SIP/");
    ck_assert_int_eq(lc_sip_response_parse(tls_alert, sizeof(tls_alert), &r), LC_SIP_NOT_SIP);
    ck_assert_int_eq(lc_parse_str("<?xml version='1.0'?>", &r), LC_SIP_NOT_SIP);
    /* Judged from the first byte that differs; a prefix of "SIP/" waits. */
    ck_assert_int_eq(lc_parse_str("H", &r), LC_SIP_NOT_SIP);
    ck_assert_int_eq(lc_parse_str("SI", &r), LC_SIP_NEED_MORE);
    ck_assert_int_eq(lc_parse_str("SIX", &r), LC_SIP_NOT_SIP);
    /* A request where a response belongs. */
    ck_assert_int_eq(lc_parse_str("OPTIONS sip:x SIP/2.0\r\n\r\n", &r), LC_SIP_NOT_SIP);
    /* Case-insensitive version (RFC 3261 7.1). */
    ck_assert_int_eq(lc_parse_str("sip/2.0 200 OK\r\n\r\n", &r), LC_SIP_COMPLETE);
    lc_sip_response_clear(&r);
    ck_assert_int_eq(lc_parse_str("SIP/x.0 200 OK\r\n\r\n", &r), LC_SIP_MALFORMED);
    ck_assert_int_eq(lc_parse_str("SIP/2.0200 OK\r\n\r\n", &r), LC_SIP_MALFORMED);
}
END_TEST

START_TEST(test_nul_bytes)
{
    static const char in_reason[] = "SIP/2.0 401 Unauth\0orized\r\nContent-Length: 0\r\n\r\n";
    static const char in_header[] = "SIP/2.0 401 Unauthorized\r\nServer: RTC\0/6.0\r\n\r\n";
    static const char in_body[] = "SIP/2.0 200 OK\r\nContent-Length: 3\r\n\r\na\0b";
    static const char first[] = "\0SIP/2.0 200 OK\r\n\r\n";
    struct lc_sip_response r;

    ck_assert_int_eq(lc_sip_response_parse(in_reason, sizeof(in_reason) - 1, &r), LC_SIP_MALFORMED);
    ck_assert_int_eq(lc_sip_response_parse(in_header, sizeof(in_header) - 1, &r), LC_SIP_MALFORMED);
    ck_assert_int_eq(lc_sip_response_parse(first, sizeof(first) - 1, &r), LC_SIP_NOT_SIP);
    /* A NUL in a body is the body's business. */
    ck_assert_int_eq(lc_sip_response_parse(in_body, sizeof(in_body) - 1, &r), LC_SIP_COMPLETE);
    ck_assert_uint_eq(r.message_len, sizeof(in_body) - 1);
    lc_sip_response_clear(&r);
}
END_TEST

START_TEST(test_status_range)
{
    struct lc_sip_response r;

    ck_assert_int_eq(lc_parse_str("SIP/2.0 099 Odd\r\n\r\n", &r), LC_SIP_MALFORMED);
    ck_assert_str_eq(r.error, "status code 099 out of range 100-699");
    ck_assert_int_eq(lc_parse_str("SIP/2.0 700 Odd\r\n\r\n", &r), LC_SIP_MALFORMED);
    ck_assert_int_eq(lc_parse_str("SIP/2.0 4011 Odd\r\n\r\n", &r), LC_SIP_MALFORMED);
    ck_assert_int_eq(lc_parse_str("SIP/2.0 40 Odd\r\n\r\n", &r), LC_SIP_MALFORMED);
    ck_assert_int_eq(lc_parse_str("SIP/2.0 -01 Odd\r\n\r\n", &r), LC_SIP_MALFORMED);
    /* Judged as soon as the status line is complete, headers or not. */
    ck_assert_int_eq(lc_parse_str("SIP/2.0 999 Odd\r\nVia: x\r\n", &r), LC_SIP_MALFORMED);
    ck_assert_int_eq(lc_parse_str("SIP/2.0 699 Last\r\n\r\n", &r), LC_SIP_COMPLETE);
    lc_sip_response_clear(&r);
    ck_assert_int_eq(lc_parse_str("SIP/2.0 100 Trying\r\n\r\n", &r), LC_SIP_COMPLETE);
    lc_sip_response_clear(&r);
}
END_TEST

START_TEST(test_long_lines_and_cap)
{
    size_t cap = LC_SIP_MAX_MESSAGE + 4096, n = 0, i;
    char *buf = malloc(cap);
    struct lc_sip_response r;

    ck_assert_ptr_nonnull(buf);
    /* One over-long header line: refused before it even ends. */
    n = (size_t)snprintf(buf, cap, "SIP/2.0 200 OK\r\nX-Long: ");
    memset(buf + n, 'a', 9000);
    n += 9000;
    ck_assert_int_eq(lc_sip_response_parse(buf, n, &r), LC_SIP_MALFORMED);
    ck_assert_str_eq(r.error, "line longer than 8192 bytes");
    /* A long status line too. */
    n = (size_t)snprintf(buf, cap, "SIP/2.0 200 ");
    memset(buf + n, 'b', 9000);
    ck_assert_int_eq(lc_sip_response_parse(buf, n + 9000, &r), LC_SIP_MALFORMED);
    /* Folding cannot assemble a field past the bound either. */
    n = (size_t)snprintf(buf, cap, "SIP/2.0 200 OK\r\nX-Folded: a");
    for (i = 0; i < 20; i++) {
        buf[n++] = '\r';
        buf[n++] = '\n';
        buf[n++] = ' ';
        memset(buf + n, 'c', 500);
        n += 500;
    }
    memcpy(buf + n, "\r\n\r\n", 4);
    ck_assert_int_eq(lc_sip_response_parse(buf, n + 4, &r), LC_SIP_MALFORMED);
    ck_assert_str_eq(r.error, "header field longer than 8192 bytes");
    /* Headers that never end within 64 KiB. */
    n = (size_t)snprintf(buf, cap, "SIP/2.0 200 OK\r\n");
    while (n + 800 < cap) {
        memcpy(buf + n, "X-Pad: ", 7);
        memset(buf + n + 7, 'p', 790);
        memcpy(buf + n + 797, "\r\n", 2);
        n += 799;
    }
    ck_assert_int_eq(lc_sip_response_parse(buf, n, &r), LC_SIP_MALFORMED);
    ck_assert_str_eq(r.error, "headers longer than 64 KiB");
    free(buf);
}
END_TEST

START_TEST(test_too_many_headers)
{
    size_t cap = 8192, n, i;
    char *buf = malloc(cap);
    struct lc_sip_response r;

    ck_assert_ptr_nonnull(buf);
    n = (size_t)snprintf(buf, cap, "SIP/2.0 200 OK\r\n");
    for (i = 0; i < LC_SIP_MAX_HEADERS; i++)
        n += (size_t)snprintf(buf + n, cap - n, "X-H: %zu\r\n", i);
    n += (size_t)snprintf(buf + n, cap - n, "\r\n");
    ck_assert_int_eq(lc_sip_response_parse(buf, n, &r), LC_SIP_COMPLETE);
    ck_assert_uint_eq(r.n_headers, LC_SIP_MAX_HEADERS);
    lc_sip_response_clear(&r);
    n -= 2;
    n += (size_t)snprintf(buf + n, cap - n, "X-H: one too many\r\n\r\n");
    ck_assert_int_eq(lc_sip_response_parse(buf, n, &r), LC_SIP_MALFORMED);
    ck_assert_str_eq(r.error, "more than 128 header fields");
    free(buf);
}
END_TEST

START_TEST(test_bad_header_lines)
{
    struct lc_sip_response r;

    ck_assert_int_eq(lc_parse_str("SIP/2.0 200 OK\r\nno colon here\r\n\r\n", &r), LC_SIP_MALFORMED);
    ck_assert_int_eq(lc_parse_str("SIP/2.0 200 OK\r\n: empty name\r\n\r\n", &r), LC_SIP_MALFORMED);
    ck_assert_int_eq(lc_parse_str("SIP/2.0 200 OK\r\nBad<Name>: x\r\n\r\n", &r), LC_SIP_MALFORMED);
    ck_assert_int_eq(lc_parse_str("SIP/2.0 200 OK\r\nEmpty:\r\n\r\n", &r), LC_SIP_COMPLETE);
    ck_assert_str_eq(lc_sip_header_get(&r, "empty", 0), "");
    lc_sip_response_clear(&r);
}
END_TEST

START_TEST(test_provisional_then_final)
{
    static const char two[] = "SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\n"
                              "SIP/2.0 401 Unauthorized\r\n"
                              "WWW-Authenticate: Digest realm=\"lab\", nonce=\"abc\"\r\n"
                              "Content-Length: 0\r\n\r\n";
    struct lc_sip_response r;
    struct lc_sip_challenge k;
    size_t next;

    ck_assert_int_eq(lc_parse_str(two, &r), LC_SIP_COMPLETE);
    ck_assert_int_eq(r.status, 100);
    next = r.message_len;
    lc_sip_response_clear(&r);
    ck_assert_int_eq(lc_sip_response_parse(two + next, strlen(two) - next, &r), LC_SIP_COMPLETE);
    ck_assert_int_eq(r.status, 401);
    ck_assert_int_eq(lc_sip_challenge_parse(lc_sip_header_get(&r, "WWW-Authenticate", 0), &k), 0);
    ck_assert_str_eq(k.scheme, "Digest");
    ck_assert_str_eq(k.realm, "lab");
    ck_assert_int_eq(k.lync, 0);
    lc_sip_response_clear(&r);
}
END_TEST

START_TEST(test_challenge_parse)
{
    struct lc_sip_challenge k;

    ck_assert_int_eq(lc_sip_challenge_parse("  TLS-DSK realm=\"A \\\"quoted\\\" realm\",  "
                                            "targetname=fe.contoso.com,version=4",
                                            &k),
                     0);
    ck_assert_str_eq(k.scheme, "TLS-DSK");
    ck_assert_str_eq(k.realm, "A \"quoted\" realm");
    ck_assert_str_eq(k.targetname, "fe.contoso.com");
    ck_assert_str_eq(k.version, "4");
    ck_assert_int_eq(k.lync, 1);
    ck_assert_int_eq(lc_sip_challenge_parse("", &k), -1);
    ck_assert_int_eq(lc_sip_challenge_parse("\"quoted\"", &k), -1);
    /* Unterminated quotes and junk end without running off. */
    ck_assert_int_eq(lc_sip_challenge_parse("ntlm realm=\"open, =,,= x", &k), 0);
    ck_assert_int_eq(k.lync, 1);
    ck_assert_str_eq(k.realm, "open, =,,= x");
}
END_TEST

/* ms-diagnostics entries (Microsoft Learn, "Ms-Diagnostics Header"):
 * ErrorId[.SubErrorCode];source="...";reason="..." in any order and spacing. */
START_TEST(test_diag_parse)
{
    struct lc_sip_diag d[LC_SIP_DIAG_MAX];
    char buf[512];

    ck_assert_uint_eq(lc_sip_diag_parse("1000;reason=\"Final handshake failed\";"
                                        "source=\"sip.contoso.com\"",
                                        d, LC_SIP_DIAG_MAX),
                      1);
    ck_assert_str_eq(d[0].code, "1000");
    ck_assert_str_eq(d[0].reason, "Final handshake failed");
    ck_assert_str_eq(d[0].source, "sip.contoso.com");
    /* Source first, sub-code, spaces around everything, padded values. */
    ck_assert_uint_eq(lc_sip_diag_parse("  2.1 ; source = \" edge.contoso.com \" ; REASON = "
                                        "\"a; b, c\" ;x=y",
                                        d, LC_SIP_DIAG_MAX),
                      1);
    ck_assert_str_eq(d[0].code, "2.1");
    ck_assert_str_eq(d[0].source, "edge.contoso.com");
    ck_assert_str_eq(d[0].reason, "a; b, c"); /* ; and , inside quotes stay */
    /* Two entries in one header, separated by a comma. */
    ck_assert_uint_eq(
        lc_sip_diag_parse("1034;reason=\"x\", 10003;reason=\"y\";source=z", d, LC_SIP_DIAG_MAX), 2);
    ck_assert_str_eq(d[1].code, "10003");
    ck_assert_str_eq(d[1].reason, "y");
    ck_assert_str_eq(d[1].source, "z");
    lc_sip_diag_format(d, 2, buf, sizeof(buf));
    ck_assert_str_eq(buf, "1034 \"x\"; 10003 \"y\" (source z)");
    /* No code, an unterminated quote, junk: bounded, no overrun. */
    ck_assert_uint_eq(lc_sip_diag_parse(";reason=\"open", d, LC_SIP_DIAG_MAX), 1);
    ck_assert_str_eq(d[0].code, "");
    ck_assert_str_eq(d[0].reason, "open");
    lc_sip_diag_format(d, 1, buf, sizeof(buf));
    ck_assert_str_eq(buf, "(no code) \"open\"");
    ck_assert_uint_eq(lc_sip_diag_parse("", d, LC_SIP_DIAG_MAX), 0);
    ck_assert_uint_eq(lc_sip_diag_parse("1,2,3,4,5,6,7,8,9,10", d, 3), 3);
    ck_assert_uint_eq(lc_sip_diag_parse("\"=;=\\\";,;", d, LC_SIP_DIAG_MAX), 1);
    lc_sip_diag_format(d, 1, buf, 4);
    ck_assert_uint_lt(strlen(buf), 4);
}
END_TEST

START_TEST(test_request_build)
{
    struct lc_sip_request q;
    char buf[2048], small[64];
    int n;

    memset(&q, 0, sizeof(q));
    q.method = "REGISTER";
    q.domain = "contoso.com";
    q.via_host = "192.0.2.10";
    q.via_port = 50123;
    q.branch = "0123456789abcdef01234567";
    q.tag = "a1b2c3";
    q.call_id = "c0ffee";
    q.cseq = 1;
    q.user_agent = "lynccheck/0.1.0";
    n = lc_sip_request_build(buf, sizeof(buf), &q);
    ck_assert_int_gt(n, 0);
    ck_assert_uint_eq(strlen(buf), (size_t)n);
    ck_assert_ptr_eq(strstr(buf, "REGISTER sip:contoso.com SIP/2.0\r\n"), buf);
    ck_assert_ptr_nonnull(strstr(
        buf, "\r\nVia: SIP/2.0/TLS 192.0.2.10:50123;branch=z9hG4bK0123456789abcdef01234567"));
    ck_assert_ptr_nonnull(strstr(buf, "\r\nFrom: <sip:lynccheck@contoso.com>;tag=a1b2c3\r\n"));
    ck_assert_ptr_nonnull(strstr(buf, "\r\nTo: <sip:lynccheck@contoso.com>\r\n"));
    ck_assert_ptr_nonnull(strstr(buf, "\r\nMax-Forwards: 70\r\n"));
    ck_assert_ptr_nonnull(strstr(buf, "\r\nCSeq: 1 REGISTER\r\n"));
    ck_assert_ptr_nonnull(strstr(buf, "\r\nCall-ID: c0ffee\r\n"));
    ck_assert_ptr_nonnull(strstr(buf, "\r\nUser-Agent: lynccheck/0.1.0\r\n"));
    ck_assert_ptr_nonnull(
        strstr(buf, "\r\nContact: <sip:lynccheck@192.0.2.10:50123;transport=tls>"));
    ck_assert_str_eq(buf + n - 21, "Content-Length: 0\r\n\r\n");
    q.method = "OPTIONS";
    q.via_host = "2001:db8::1";
    n = lc_sip_request_build(buf, sizeof(buf), &q);
    ck_assert_int_gt(n, 0);
    ck_assert_ptr_eq(strstr(buf, "OPTIONS sip:contoso.com SIP/2.0\r\n"), buf);
    ck_assert_ptr_nonnull(strstr(buf, "Via: SIP/2.0/TLS [2001:db8::1]:50123;"));
    ck_assert_ptr_nonnull(strstr(buf, "\r\nTo: <sip:contoso.com>\r\n"));
    ck_assert_ptr_nonnull(strstr(buf, "\r\nCSeq: 1 OPTIONS\r\n"));
    /* No header injection, no overflow. */
    ck_assert_int_eq(lc_sip_request_build(small, sizeof(small), &q), -1);
    q.domain = "contoso.com\r\nX-Evil: 1";
    ck_assert_int_eq(lc_sip_request_build(buf, sizeof(buf), &q), -1);
    q.domain = NULL;
    ck_assert_int_eq(lc_sip_request_build(buf, sizeof(buf), &q), -1);
}
END_TEST

START_TEST(test_token_and_escape)
{
    char a[33], b[33], out[32];
    static const char raw[] = "a\r\n\t\\\x01\xff\"z";

    ck_assert_int_eq(lc_sip_token(a, sizeof(a), 32), 0);
    ck_assert_int_eq(lc_sip_token(b, sizeof(b), 32), 0);
    ck_assert_uint_eq(strlen(a), 32);
    ck_assert_uint_eq(strspn(a, "0123456789abcdef"), 32);
    ck_assert_str_ne(a, b);
    ck_assert_int_eq(lc_sip_token(a, sizeof(a), 33), -1);

    lc_sip_escape(raw, sizeof(raw) - 1, out, sizeof(out));
    ck_assert_str_eq(out, "a\\r\\n\\t\\\\\\x01\\xff\"z");
    /* Truncated at a whole sequence, marked. */
    lc_sip_escape(raw, sizeof(raw) - 1, out, 12);
    ck_assert_str_eq(out, "a\\r\\n\\t...");
    lc_sip_escape("abc", 3, out, 2);
    ck_assert_str_eq(out, "");
}
END_TEST

/* ---- the verdicts (lc_sip_judge_register, lc_sip_judge_options) ---- */

#define LC_T_TAIL                                                                                  \
    "From: <sip:lynccheck@contoso.com>;tag=5d1f2e3a4b\r\n"                                         \
    "To: <sip:lynccheck@contoso.com>;tag=7D0D6B1A\r\n"                                             \
    "Call-ID: 0f1e2d3c4b5a6978\r\n"                                                                \
    "CSeq: 1 REGISTER\r\n"                                                                         \
    "Via: SIP/2.0/TLS 192.0.2.10:50123;branch=z9hG4bKabcdef\r\n"                                   \
    "Server: RTC/6.0\r\n"                                                                          \
    "Content-Length: 0\r\n"                                                                        \
    "\r\n"
#define LC_T_NTLM                                                                                  \
    "NTLM realm=\"SIP Communications Service\", targetname=\"edge01.contoso.com\", version=4"
#define LC_T_KERB                                                                                  \
    "Kerberos realm=\"SIP Communications Service\", targetname=\"sip/edge01.contoso.com\", "       \
    "version=4"
#define LC_T_DSK                                                                                   \
    "TLS-DSK realm=\"SIP Communications Service\", targetname=\"edge01.contoso.com\", version=4, " \
    "sts-uri=\"https://webext.contoso.com:443/CertProv/CertProvisioningService.svc\""

enum lc_t_sip_method { LC_T_REG, LC_T_OPT };

static const struct lc_t_sip_case {
    enum lc_t_sip_method method;
    const char *response;
    enum lc_status want;
    const char *msg;  /* a substring of the message */
    const char *msg2; /* another, or NULL */
} lc_t_sip_cases[] = {
    /* REGISTER: what a Lync / SfB edge sends ([MS-SIPAE] 4.1, version 4). */
    {LC_T_REG,
     "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: " LC_T_NTLM "\r\nWWW-Authenticate: " LC_T_KERB
     "\r\nWWW-Authenticate: " LC_T_DSK "\r\n" LC_T_TAIL,
     LC_PASS, "401 Unauthorized with NTLM, Kerberos, TLS-DSK challenges",
     "(Lync-like, realm \"SIP Communications Service\", version 4, targetname "
     "edge01.contoso.com); Server: RTC/6.0"},
    /* The second leg of an NTLM handshake: NTLM alone, with gssapi-data. */
    {LC_T_REG,
     "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: NTLM opaque=\"78D29AC8\", "
     "gssapi-data=\"TlRMTVNTUAACAAAA\", targetname=\"edge01.contoso.com\", "
     "realm=\"SIP Communications Service\", version=4\r\n" LC_T_TAIL,
     LC_PASS, "with NTLM challenge (Lync-like", NULL},
    /* TLS-DSK alone serves external users with a certificate. */
    {LC_T_REG, "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: " LC_T_DSK "\r\n" LC_T_TAIL, LC_PASS,
     "with TLS-DSK challenge", NULL},
    {LC_T_REG,
     "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: " LC_T_KERB "\r\nWWW-Authenticate: " LC_T_DSK
     "\r\n" LC_T_TAIL,
     LC_PASS, "Kerberos, TLS-DSK", NULL},
    /* Header names and scheme tokens in any case (RFC 3261 7.3.1, 22.4). */
    {LC_T_REG,
     "SIP/2.0 401 Unauthorized\r\nwww-authenticate: ntlm realm=\"SIP Communications Service\", "
     "targetname=\"e\", version=4\r\nwww-authenticate: kerberos realm=\"SIP Communications "
     "Service\", targetname=\"sip/e\", version=4\r\n" LC_T_TAIL,
     LC_PASS, "with ntlm, kerberos challenges", NULL},
    {LC_T_REG,
     "SIP/2.0 401 Unauthorized\r\nWWW-AUTHENTICATE: Tls-Dsk realm=\"SIP Communications Service\", "
     "targetname=\"e\", version=4\r\n" LC_T_TAIL,
     LC_PASS, "Tls-Dsk", NULL},
    /* A realm of one's own (New-CsSipProxyCustom) is still Lync. */
    {LC_T_REG,
     "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: NTLM realm=\"Contoso SIP\", "
     "targetname=\"e\", version=4\r\n" LC_T_TAIL,
     LC_PASS, "custom realm \"Contoso SIP\"", NULL},
    /* 407 with Proxy-Authenticate counts the same. */
    {LC_T_REG,
     "SIP/2.0 407 Proxy Authentication Required\r\nProxy-Authenticate: " LC_T_NTLM "\r\n" LC_T_TAIL,
     LC_PASS, "407 Proxy Authentication Required with NTLM", NULL},
    {LC_T_REG,
     "SIP/2.0 407 Proxy Authentication Required\r\nproxy-authenticate: " LC_T_KERB "\r\n" LC_T_TAIL,
     LC_FAIL, "the Edge offers only Kerberos", NULL},
    /* Kerberos only: external clients cannot reach a KDC. */
    {LC_T_REG, "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: " LC_T_KERB "\r\n" LC_T_TAIL, LC_FAIL,
     "external clients cannot authenticate: the Edge offers only Kerberos (external users need "
     "NTLM or TLS-DSK)",
     "realm \"SIP Communications Service\"; Server: RTC/6.0"},
    {LC_T_REG,
     "SIP/2.0 401 Unauthorized\r\nwww-authenticate: KERBEROS realm=\"SIP Communications "
     "Service\"\r\n" LC_T_TAIL,
     LC_FAIL, "offers only KERBEROS", NULL},
    /* Digest, Basic, other schemes: not what Lync clients answer. */
    {LC_T_REG,
     "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"asterisk\", "
     "nonce=\"3f8a9c\", algorithm=MD5\r\n" LC_T_TAIL,
     LC_FAIL, "external clients cannot authenticate: the Edge offers only Digest",
     "realm \"asterisk\""},
    {LC_T_REG, "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n" LC_T_TAIL,
     LC_FAIL, "only Basic", NULL},
    {LC_T_REG,
     "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: " LC_T_KERB
     "\r\nWWW-Authenticate: Digest realm=\"x\", nonce=\"1\"\r\n" LC_T_TAIL,
     LC_FAIL, "offers only Kerberos, Digest", NULL},
    /* No challenge at all. */
    {LC_T_REG, "SIP/2.0 401 Unauthorized\r\n" LC_T_TAIL, LC_FAIL,
     "401 Unauthorized without a WWW-Authenticate challenge: clients cannot authenticate", NULL},
    {LC_T_REG, "SIP/2.0 407 Proxy Authentication Required\r\n" LC_T_TAIL, LC_FAIL,
     "without a Proxy-Authenticate challenge", NULL},
    {LC_T_REG, "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: \r\n" LC_T_TAIL, LC_FAIL,
     "without a WWW-Authenticate challenge", NULL},
    /* 2xx to a REGISTER without credentials: the Edge registers anyone. */
    {LC_T_REG,
     "SIP/2.0 200 OK\r\nContact: <sip:lynccheck@192.0.2.10:50123;transport=tls>;expires=300\r\n"
     "Expires: 300\r\n" LC_T_TAIL,
     LC_FAIL, "200 OK to a REGISTER without credentials: registered without credentials",
     "; Server: RTC/6.0"},
    {LC_T_REG, "SIP/2.0 202 Accepted\r\n" LC_T_TAIL, LC_FAIL, "registered without credentials",
     NULL},
    {LC_T_REG, "SIP/2.0 200\r\n" LC_T_TAIL, LC_FAIL, "200 to a REGISTER", NULL},
    /* Everything else fails with what the edge said. */
    {LC_T_REG, "SIP/2.0 403 Forbidden\r\n" LC_T_TAIL, LC_FAIL, "REGISTER answered 403 Forbidden",
     NULL},
    {LC_T_REG,
     "SIP/2.0 504 Server time-out\r\nms-diagnostics: 1009;reason=\"Failed to "
     "resolve\"\r\n" LC_T_TAIL,
     LC_FAIL, "REGISTER answered 504 Server time-out; Server: RTC/6.0; ms-diagnostics: 1009", NULL},
    /* ms-diagnostics as a list, with the spacing variants servers and
     * pages show: spaces after ";" and before "=", values padded inside
     * the quotes, source last or first, and ms-diagnostics-public. */
    {LC_T_REG,
     "SIP/2.0 504 Server time-out\r\n"
     "ms-diagnostics: 1009; reason =\"No match for domain in DNS SRV results\"; domain =\" "
     "partner.test \"; fqdn1 =\" sip.sub.partner.test "
     ":5061\";source=\"sip.contoso.com\"\r\n" LC_T_TAIL,
     LC_FAIL,
     "ms-diagnostics: 1009 \"No match for domain in DNS SRV results\" (source sip.contoso.com)",
     NULL},
    {LC_T_REG,
     "SIP/2.0 404 Not Found\r\n"
     "ms-diagnostics: 1034;reason=\"Previous hop federated peer did not report diagnostic "
     "information\";Domain=\"partner.test\";PeerServer=\"fed.partner.test\";"
     "source=\"sip.contoso.com\"\r\n"
     "ms-diagnostics: 10003;source=\"med01.contoso.com\";reason=\"Gateway returned a SIP failure "
     "code\";component=\"MediationServer\";SipResponseCode=\"404\"\r\n"
     "ms-diagnostics-public: 10003;reason=\"Gateway returned a SIP failure code\"\r\n"
     "X-Remote-Reason: 1409\r\n" LC_T_TAIL,
     LC_FAIL,
     "REGISTER answered 404 Not Found; Server: RTC/6.0; ms-diagnostics: 1034 \"Previous hop "
     "federated peer did not report diagnostic information\" (source sip.contoso.com); 10003 "
     "\"Gateway returned a SIP failure code\" (source med01.contoso.com); 10003 \"Gateway "
     "returned a SIP failure code\" [public]",
     NULL},
    /* A bare 504 as a federated peer sees it: no ms-diagnostics at all. */
    {LC_T_REG, "SIP/2.0 504 Server time-out\r\n" LC_T_TAIL, LC_FAIL,
     "REGISTER answered 504 Server time-out; Server: RTC/6.0", NULL},
    /* A Director (or a pool that is not the user's home) redirects to the
     * home pool: "301 Redirect request to Home Server", Contact = the pool
     * (RFC 3261 21.3.2; Expires 2592000 as the redirect carries it). */
    {LC_T_REG,
     "SIP/2.0 301 Redirect request to Home Server\r\n"
     "Contact: <sip:pool01.corp.contoso.com:5061;transport=tls>\r\nExpires: 2592000\r\n" LC_T_TAIL,
     LC_PASS,
     "301 Redirect request to Home Server: redirected to home pool "
     "<sip:pool01.corp.contoso.com:5061;transport=tls>",
     "; Server: RTC/6.0"},
    /* ... the Contact as an address, compact form "m:" (RFC 3261 7.3.3). */
    {LC_T_REG,
     "SIP/2.0 301 Redirect request to Home Server\r\nm: <sip:192.0.2.50:5061;transport=tls>\r\n"
     "Expires: 2592000\r\n" LC_T_TAIL,
     LC_PASS, "redirected to home pool <sip:192.0.2.50:5061;transport=tls>", NULL},
    {LC_T_REG, "SIP/2.0 301 Moved Permanently\r\nContact: <sip:pool.contoso.com>\r\n" LC_T_TAIL,
     LC_PASS, "301 Moved Permanently: redirected to home pool <sip:pool.contoso.com>", NULL},
    {LC_T_REG,
     "SIP/2.0 302 Moved Temporarily\r\ncontact: <sip:fe02.corp.contoso.com>\r\n" LC_T_TAIL, LC_PASS,
     "redirected to home pool <sip:fe02.corp.contoso.com>", NULL},
    /* A redirect to nowhere. */
    {LC_T_REG, "SIP/2.0 301 Redirect request to Home Server\r\n" LC_T_TAIL, LC_FAIL,
     "REGISTER answered 301 Redirect request to Home Server without a Contact", NULL},
    {LC_T_REG, "SIP/2.0 302 Moved Temporarily\r\nContact: \r\n" LC_T_TAIL, LC_FAIL,
     "without a Contact", NULL},
    /* A Lync Server 2013 Front End's 401 as captured by a SIP gateway
     * registering to it ([MS-SIPAE] 3.3.5.1): Date first, the internal FQDN
     * as targetname (never judged), an explicit :443 in sts-uri, Via with
     * ms-received-port / ms-received-cid, no Allow nor Supported. */
    {LC_T_REG,
     "SIP/2.0 401 Unauthorized\r\n"
     "Date: Thu, 01 Dec 2016 10:00:00 GMT\r\n"
     "WWW-Authenticate: NTLM realm=\"SIP Communications Service\", "
     "targetname=\"FE01.corp.contoso.local\", version=4\r\n"
     "WWW-Authenticate: Kerberos realm=\"SIP Communications Service\", "
     "targetname=\"sip/FE01.corp.contoso.local\", version=4\r\n"
     "WWW-Authenticate: TLS-DSK realm=\"SIP Communications Service\", "
     "targetname=\"FE01.corp.contoso.local\", version=4, "
     "sts-uri=\"https://FE01.corp.contoso.local:443/CertProv/CertProvisioningService.svc\"\r\n"
     "From: <sip:lynccheck@contoso.com>;tag=5d1f2e3a4b\r\n"
     "To: <sip:lynccheck@contoso.com>;tag=0123456789ABCDEF0123456789ABCDEF\r\n"
     "Call-ID: 0f1e2d3c4b5a6978\r\nCSeq: 1 REGISTER\r\n"
     "Via: SIP/2.0/TLS 192.0.2.10:50123;branch=z9hG4bKabcdef;ms-received-port=50123;"
     "ms-received-cid=1A2B00\r\n"
     "Server: RTC/5.0\r\nContent-Length: 0\r\n\r\n",
     LC_PASS, "with NTLM, Kerberos, TLS-DSK challenges (Lync-like, realm",
     "version 4, targetname FE01.corp.contoso.local); Server: RTC/5.0"},
    /* The second NTLM leg's parameter order: opaque, gssapi-data,
     * targetname, realm, version ([MS-SIPAE] 3.3.5.1: order is free). */
    {LC_T_REG,
     "SIP/2.0 401 Unauthorized\r\nDate: Thu, 08 Dec 2016 10:00:00 GMT\r\n"
     "WWW-Authenticate: NTLM opaque=\"0A1B2C3D\", gssapi-data=\"TlRMTVNTUAACAAAA\", "
     "targetname=\"fe01.corp.contoso.test\", realm=\"SIP Communications Service\", "
     "version=4\r\n" LC_T_TAIL,
     LC_PASS, "realm \"SIP Communications Service\", version 4, targetname fe01.corp.contoso.test",
     NULL},
    /* version=3: the Office Communications Server 2007 protocol ([MS-SIPAE]
     * 4.1's example), reported, not failed. */
    {LC_T_REG,
     "SIP/2.0 401 Unauthorized\r\nDate: Thu, 31 Jan 2008 00:01:56 GMT\r\n"
     "WWW-Authenticate: NTLM realm=\"SIP Communications Service\", "
     "targetname=\"server.contoso.com\", version=3\r\n"
     "WWW-Authenticate: Kerberos realm=\"SIP Communications Service\", "
     "targetname=\"sip/server.contoso.com\", version=3\r\n" LC_T_TAIL,
     LC_PASS,
     "version 3 (the Office Communications Server 2007 protocol), targetname server.contoso.com",
     NULL},
    /* Upper-case header names (an OCS 2007 R2 pool relaying a mobile
     * client sent FROM:, CSEQ:, CALL-ID:, SERVER:) and a lower-case Via
     * transport: matched case-insensitively (RFC 3261 7.3.1). */
    {LC_T_REG,
     "SIP/2.0 401 Unauthorized\r\nDATE: Thu, 31 Jan 2008 00:01:56 GMT\r\n"
     "WWW-AUTHENTICATE: NTLM realm=\"SIP Communications Service\", "
     "targetname=\"fe01.corp.contoso.test\", version=4\r\n"
     "FROM: <sip:lynccheck@contoso.com>;tag=5d1f2e3a4b\r\nTO: "
     "<sip:lynccheck@contoso.com>;tag=7D\r\n"
     "CALL-ID: 0f1e2d3c\r\nCSEQ: 1 REGISTER\r\nVIA: SIP/2.0/tls "
     "192.0.2.10:50123;branch=z9hG4bKa\r\n"
     "SERVER: RTCC/3.5.0.0\r\nMS-DIAGNOSTICS: 4005;REASON=\"Upper\";SOURCE=\"edge.contoso.com\"\r\n"
     "CONTENT-LENGTH: 0\r\n\r\n",
     LC_PASS, "with NTLM challenge (Lync-like",
     "; Server: RTCC/3.5.0.0; ms-diagnostics: 4005 \"Upper\" (source edge.contoso.com)"},
    /* Compact forms: v: f: t: i: l: k: m: (RFC 3261 7.3.3). */
    {LC_T_REG,
     "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: " LC_T_NTLM "\r\n"
     "v: SIP/2.0/TLS 192.0.2.10:50123;branch=z9hG4bKa\r\nf: <sip:lynccheck@contoso.com>;tag=1\r\n"
     "t: <sip:lynccheck@contoso.com>;tag=2\r\ni: abc\r\nk: gruu-10\r\nServer: RTC/6.0\r\n"
     "l: 0\r\n\r\n",
     LC_PASS, "with NTLM challenge (Lync-like", "; Server: RTC/6.0"},
    {LC_T_REG, "SIP/2.0 503 Service Unavailable\r\n" LC_T_TAIL, LC_FAIL, "503", NULL},
    /* OPTIONS: unchanged; only a refusal or a server error warns. */
    {LC_T_OPT, "SIP/2.0 200 OK\r\nAllow: INVITE, OPTIONS\r\n" LC_T_TAIL, LC_PASS,
     "OPTIONS answered 200 OK; Allow: INVITE, OPTIONS; Server: RTC/6.0", NULL},
    {LC_T_OPT, "SIP/2.0 200 OK\r\nallow: INVITE\r\n" LC_T_TAIL, LC_PASS, "; Allow: INVITE", NULL},
    {LC_T_OPT, "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: " LC_T_KERB "\r\n" LC_T_TAIL, LC_PASS,
     "asks for credentials", NULL},
    {LC_T_OPT, "SIP/2.0 407 Proxy Authentication Required\r\n" LC_T_TAIL, LC_PASS,
     "asks for credentials", NULL},
    {LC_T_OPT, "SIP/2.0 403 Forbidden\r\n" LC_T_TAIL, LC_WARN, "refuses OPTIONS", NULL},
    {LC_T_OPT, "SIP/2.0 405 Method Not Allowed\r\n" LC_T_TAIL, LC_WARN, "405", NULL},
    {LC_T_OPT, "SIP/2.0 500 Server Internal Error\r\n" LC_T_TAIL, LC_WARN, "server error", NULL},
    {LC_T_OPT, "SIP/2.0 603 Decline\r\n" LC_T_TAIL, LC_WARN, "server error", NULL},
};

static enum lc_status lc_t_sip_judge(const struct lc_t_sip_case *t, const struct lc_sip_response *r,
                                     char *msg, size_t len)
{
    return t->method == LC_T_REG ? lc_sip_judge_register(r, msg, len)
                                 : lc_sip_judge_options(r, msg, len);
}

START_TEST(test_judge)
{
    const struct lc_t_sip_case *t = &lc_t_sip_cases[_i];
    struct lc_sip_response r;
    char msg[1024] = "";
    enum lc_status st;

    ck_assert_msg(lc_parse_str(t->response, &r) == LC_SIP_COMPLETE, "case %d: %s", _i, r.error);
    st = lc_t_sip_judge(t, &r, msg, sizeof(msg));
    ck_assert_msg(st == t->want, "case %d: status %d, want %d: %s", _i, (int)st, (int)t->want, msg);
    ck_assert_msg(strstr(msg, t->msg) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg, msg);
    if (t->msg2 != NULL)
        ck_assert_msg(strstr(msg, t->msg2) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg2,
                      msg);
    lc_sip_response_clear(&r);
}
END_TEST

/* The message never exceeds its buffer; no buffer at all is fine. */
START_TEST(test_judge_bounded)
{
    const struct lc_t_sip_case *t = &lc_t_sip_cases[_i];
    struct lc_sip_response r;
    char buf[64];
    size_t k;

    ck_assert_int_eq(lc_parse_str(t->response, &r), LC_SIP_COMPLETE);
    memset(buf, 'Z', sizeof(buf));
    ck_assert_int_eq(lc_t_sip_judge(t, &r, buf, 16), t->want);
    ck_assert_uint_lt(strlen(buf), 16);
    for (k = 16; k < sizeof(buf); k++)
        ck_assert_int_eq(buf[k], 'Z');
    memset(buf, 'Z', sizeof(buf));
    ck_assert_int_eq(lc_t_sip_judge(t, &r, buf, 1), t->want);
    ck_assert_int_eq(buf[0], '\0');
    ck_assert_int_eq(buf[1], 'Z');
    ck_assert_int_eq(lc_t_sip_judge(t, &r, NULL, 0), t->want);
    lc_sip_response_clear(&r);
}
END_TEST

/* What the edge says reaches the message escaped, and bounded however long. */
START_TEST(test_judge_escapes)
{
    static const char resp[] =
        "SIP/2.0 403 Forbidden \x01\x7f\r\nServer: RTC\x1b[31m\r\n"
        "WWW-Authenticate: Kerberos realm=\"r\xc3\xa9\"\r\nContent-Length: 0\r\n\r\n";
    static const char kerb[] = "SIP/2.0 401 Unauthorized\r\n"
                               "WWW-Authenticate: Kerberos realm=\"r\xc3\xa9\"\r\n"
                               "Content-Length: 0\r\n\r\n";
    struct lc_sip_response r;
    char msg[1024], big[8192], *p;
    size_t i;

    ck_assert_int_eq(lc_parse_str(resp, &r), LC_SIP_COMPLETE);
    ck_assert_int_eq(lc_sip_judge_register(&r, msg, sizeof(msg)), LC_FAIL);
    ck_assert_ptr_nonnull(strstr(msg, "\\x01\\x7f"));
    ck_assert_ptr_nonnull(strstr(msg, "RTC\\x1b[31m"));
    for (i = 0; msg[i] != '\0'; i++)
        ck_assert_msg((unsigned char)msg[i] >= 0x20 && (unsigned char)msg[i] < 0x7f, "%s", msg);
    lc_sip_response_clear(&r);

    ck_assert_int_eq(lc_parse_str(kerb, &r), LC_SIP_COMPLETE);
    ck_assert_int_eq(lc_sip_judge_register(&r, msg, sizeof(msg)), LC_FAIL);
    ck_assert_ptr_nonnull(strstr(msg, "realm \"r\\xc3\\xa9\""));
    lc_sip_response_clear(&r);

    /* 60 challenges of a long unknown scheme: the list is cut, the
     * verdict stands. */
    p = big;
    p += snprintf(p, sizeof(big), "SIP/2.0 401 Unauthorized\r\n");
    for (i = 0; i < 60 && (size_t)(p - big) + 100 < sizeof(big); i++)
        p += snprintf(p, sizeof(big) - (size_t)(p - big),
                      "WWW-Authenticate: Xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx%zu realm=\"x\"\r\n",
                      i);
    snprintf(p, sizeof(big) - (size_t)(p - big), "Content-Length: 0\r\n\r\n");
    ck_assert_int_eq(lc_parse_str(big, &r), LC_SIP_COMPLETE);
    ck_assert_int_eq(lc_sip_judge_register(&r, msg, sizeof(msg)), LC_FAIL);
    ck_assert_ptr_nonnull(strstr(msg, "external clients cannot authenticate"));
    lc_sip_response_clear(&r);
}
END_TEST

Suite *lc_suite_sip(void)
{
    Suite *s = suite_create("sip");
    TCase *parse = tcase_create("parse");
    TCase *build = tcase_create("build");
    TCase *judge = tcase_create("judge");
    int n = (int)(sizeof(lc_t_sip_cases) / sizeof(lc_t_sip_cases[0]));

    tcase_add_test(parse, test_lync_401);
    tcase_add_test(parse, test_every_prefix_needs_more);
    tcase_add_test(parse, test_folding);
    tcase_add_test(parse, test_compact_and_case);
    tcase_add_test(parse, test_bare_lf_and_keepalives);
    tcase_add_test(parse, test_missing_reason);
    tcase_add_test(parse, test_huge_content_length);
    tcase_add_test(parse, test_not_sip);
    tcase_add_test(parse, test_nul_bytes);
    tcase_add_test(parse, test_status_range);
    tcase_add_test(parse, test_long_lines_and_cap);
    tcase_add_test(parse, test_too_many_headers);
    tcase_add_test(parse, test_bad_header_lines);
    tcase_add_test(parse, test_provisional_then_final);
    tcase_add_test(parse, test_challenge_parse);
    tcase_add_test(parse, test_diag_parse);
    tcase_add_test(build, test_request_build);
    tcase_add_test(build, test_token_and_escape);
    suite_add_tcase(s, parse);
    tcase_add_loop_test(judge, test_judge, 0, n);
    tcase_add_loop_test(judge, test_judge_bounded, 0, n);
    tcase_add_test(judge, test_judge_escapes);
    suite_add_tcase(s, build);
    suite_add_tcase(s, judge);
    return s;
}
