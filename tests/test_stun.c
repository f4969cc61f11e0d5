/* SPDX-License-Identifier: MIT */
/* Unit tests of STUN / MS-TURN: the RFC 5769 test vectors, an MS-TURN 401
 * as a Lync A/V edge sends it, malformed and hostile input (every input is
 * copied to a heap buffer of its exact size, so ASan sees any overread),
 * and the stun probe against small servers on loopback driven by the run's
 * own loop: an MS-TURN edge, a STUN-only server, garbage, silence, a closed
 * port, and a pseudo-TLS listener. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns.h"
#include "loop.h"
#include "probe.h"
#include "run.h"
#include "site.h"
#include "stun.h"
#include "suites.h"

/* ---- RFC 5769 test vectors ---- */

/* 2.1 Sample Request (FINGERPRINT; PRIORITY, ICE-CONTROLLED, USERNAME). */
static const uint8_t lc_v_request[] = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73,
    0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09,
    0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76, 0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14,
    0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
    0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf};

/* 2.2 Sample IPv4 Response: XOR-MAPPED-ADDRESS 192.0.2.1:32853. */
static const uint8_t lc_v_resp4[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
    0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96};

/* 2.3 Sample IPv6 Response: XOR-MAPPED-ADDRESS
 * [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
static const uint8_t lc_v_resp6[] = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
    0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14,
    0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75,
    0xbf, 0xe3, 0xed, 0x41, 0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c};

/* Parse a copy of exactly len bytes on the heap. */
static int lc_parse_copy(const uint8_t *in, size_t len, const uint8_t *tid, struct lc_stun_msg *m,
                         char *err, size_t errlen)
{
    uint8_t *copy = malloc(len > 0 ? len : 1);
    int rc;

    ck_assert_ptr_nonnull(copy);
    if (len > 0)
        memcpy(copy, in, len);
    rc = lc_stun_parse(copy, len, tid, m, err, errlen);
    free(copy);
    return rc;
}

/* ---- a small message builder (tests and fake servers) ---- */

struct lc_mb {
    uint8_t b[1024];
    size_t n;
    int pad;
};

static void lc_mb_put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void lc_mb_header(struct lc_mb *m, unsigned type, const uint8_t *tid, int pad)
{
    memset(m, 0, sizeof(*m));
    m->pad = pad;
    lc_mb_put16(m->b, type);
    memcpy(m->b + 4, tid, LC_STUN_TID_LEN);
    m->n = LC_STUN_HEADER_LEN;
}

static void lc_mb_attr(struct lc_mb *m, unsigned type, const void *v, size_t len)
{
    size_t span = m->pad ? (len + 3) & ~(size_t)3 : len;

    ck_assert_uint_le(m->n + 4 + span, sizeof(m->b));
    lc_mb_put16(m->b + m->n, type);
    lc_mb_put16(m->b + m->n + 2, (unsigned)len);
    if (len > 0)
        memcpy(m->b + m->n + 4, v, len);
    m->n += 4 + span;
}

static void lc_mb_u32(struct lc_mb *m, unsigned type, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    lc_mb_attr(m, type, b, 4);
}

static void lc_mb_addr4(struct lc_mb *m, unsigned type, const char *ip, unsigned port, int xor)
{
    uint8_t v[8] = {0, 0x01};
    struct in_addr a;
    size_t i;

    ck_assert_int_eq(inet_pton(AF_INET, ip, &a), 1);
    memcpy(v + 4, &a, 4);
    lc_mb_put16(v + 2, port);
    if (xor) /* RFC 5389 15.2: port with the cookie's top half, address with the cookie */
        for (i = 0; i < 6; i++)
            v[2 + i] ^= m->b[4 + (i < 2 ? i : i - 2)];
    lc_mb_attr(m, type, v, 8);
}

static void lc_mb_error(struct lc_mb *m, unsigned code, const char *reason)
{
    uint8_t v[128] = {0, 0, (uint8_t)(code / 100), (uint8_t)(code % 100)};
    size_t n = strlen(reason);

    memcpy(v + 4, reason, n);
    lc_mb_attr(m, 0x0009, v, 4 + n);
}

static size_t lc_mb_done(struct lc_mb *m)
{
    lc_mb_put16(m->b + 2, (unsigned)(m->n - LC_STUN_HEADER_LEN));
    return m->n;
}

/* What a Lync A/V edge answers an unauthenticated Allocate: MAGIC-COOKIE
 * first, ERROR-CODE 401, REALM (0x0015 in MS-TURN), NONCE (0x0014),
 * MS-VERSION, ALTERNATE-SERVER (0x000E); attributes not padded. */
static size_t lc_msturn_401(struct lc_mb *m, const uint8_t *tid, int pad, const char *alt)
{
    static const char realm[] = "SIP Communications Service";
    static const char nonce[] = "f7a1c0de5e1f2a3b4c5d6e";

    lc_mb_header(m, 0x0113, tid, pad);
    lc_mb_u32(m, 0x000F, LC_MSTURN_COOKIE);
    lc_mb_error(m, 401, "Unauthorized");
    lc_mb_attr(m, 0x0015, realm, strlen(realm));
    lc_mb_attr(m, 0x0014, nonce, strlen(nonce));
    lc_mb_u32(m, 0x8008, 2);
    lc_mb_addr4(m, 0x000E, alt, 3478, 0);
    return lc_mb_done(m);
}

static const uint8_t lc_tid[LC_STUN_TID_LEN] = {0x21, 0x12, 0xa4, 0x42, 1, 2,  3,  4,
                                                5,    6,    7,    8,    9, 10, 11, 12};

/* ---- parser ---- */

START_TEST(test_rfc5769_ipv4_response)
{
    struct lc_stun_msg m;
    char err[256];

    ck_assert_int_eq(
        lc_parse_copy(lc_v_resp4, sizeof(lc_v_resp4), lc_v_resp4 + 4, &m, err, sizeof(err)),
        LC_STUN_OK);
    ck_assert_uint_eq(m.type, 0x0101);
    ck_assert_uint_eq(lc_stun_method(m.type), LC_STUN_BINDING);
    ck_assert_int_eq(lc_stun_class_of(m.type), LC_STUN_SUCCESS);
    ck_assert(!m.ms_turn);
    ck_assert(m.padded);
    ck_assert(m.xor_mapped.present);
    ck_assert_int_eq(m.xor_mapped.family, AF_INET);
    ck_assert_str_eq(m.xor_mapped.text, "192.0.2.1");
    ck_assert_uint_eq(m.xor_mapped.port, 32853);
    ck_assert(m.has_software);
    ck_assert_str_eq(m.software, "test vector");
    ck_assert(m.has_fingerprint); /* RFC 5769's CRC verified */
    ck_assert_uint_eq(m.n_unknown, 0);
    ck_assert_int_eq(m.error_code, 0);
    /* Without an expected transaction id too. */
    ck_assert_int_eq(lc_parse_copy(lc_v_resp4, sizeof(lc_v_resp4), NULL, &m, err, sizeof(err)),
                     LC_STUN_OK);
}
END_TEST

START_TEST(test_rfc5769_ipv6_response)
{
    struct lc_stun_msg m;
    char err[256];

    ck_assert_int_eq(
        lc_parse_copy(lc_v_resp6, sizeof(lc_v_resp6), lc_v_resp6 + 4, &m, err, sizeof(err)),
        LC_STUN_OK);
    ck_assert(m.xor_mapped.present);
    ck_assert_int_eq(m.xor_mapped.family, AF_INET6);
    ck_assert_str_eq(m.xor_mapped.text, "2001:db8:1234:5678:11:2233:4455:6677");
    ck_assert_uint_eq(m.xor_mapped.port, 32853);
    ck_assert(m.has_fingerprint);
}
END_TEST

START_TEST(test_rfc5769_request)
{
    struct lc_stun_msg m;
    char err[256];

    ck_assert_int_eq(lc_parse_copy(lc_v_request, sizeof(lc_v_request), NULL, &m, err, sizeof(err)),
                     LC_STUN_OK);
    ck_assert_int_eq(lc_stun_class_of(m.type), LC_STUN_REQUEST);
    ck_assert_str_eq(m.software, "STUN test client");
    ck_assert(m.has_fingerprint);
    ck_assert_uint_eq(m.n_unknown, 0); /* PRIORITY is ICE's, known */
}
END_TEST

START_TEST(test_fingerprint_mismatch)
{
    uint8_t v[sizeof(lc_v_resp4)];
    struct lc_stun_msg m;
    char err[256];

    memcpy(v, lc_v_resp4, sizeof(v));
    v[sizeof(v) - 1] ^= 0x01;
    ck_assert_int_eq(lc_parse_copy(v, sizeof(v), NULL, &m, err, sizeof(err)), LC_STUN_MALFORMED);
    ck_assert_ptr_nonnull(strstr(err, "FINGERPRINT"));
    /* The SOFTWARE bytes are covered by the CRC too. */
    memcpy(v, lc_v_resp4, sizeof(v));
    v[24] = 'T';
    ck_assert_int_eq(lc_parse_copy(v, sizeof(v), NULL, &m, err, sizeof(err)), LC_STUN_MALFORMED);
}
END_TEST

START_TEST(test_msturn_401)
{
    struct lc_mb mb;
    struct lc_stun_msg m;
    char err[256];
    int pad;

    /* Unpadded as [MS-TURN] sends it, and padded as an RFC 5389-minded
     * edge might: the same reading either way. */
    for (pad = 0; pad <= 1; pad++) {
        size_t n = lc_msturn_401(&mb, lc_tid, pad, "203.0.113.10");
        ck_assert_int_eq(lc_parse_copy(mb.b, n, lc_tid, &m, err, sizeof(err)), LC_STUN_OK);
        ck_assert(m.ms_turn);
        ck_assert_int_eq(m.padded, pad);
        ck_assert_uint_eq(m.type, 0x0113);
        ck_assert_uint_eq(lc_stun_method(m.type), LC_STUN_ALLOCATE);
        ck_assert_int_eq(lc_stun_class_of(m.type), LC_STUN_ERROR);
        ck_assert_int_eq(m.error_code, 401);
        ck_assert_str_eq(m.reason, "Unauthorized");
        ck_assert(m.has_realm);
        ck_assert_str_eq(m.realm, "SIP Communications Service"); /* 0x0015 in MS-TURN */
        ck_assert(m.has_nonce);
        ck_assert_str_eq(m.nonce, "f7a1c0de5e1f2a3b4c5d6e");
        ck_assert(m.has_ms_version);
        ck_assert_uint_eq(m.ms_version, 2);
        ck_assert(m.alternate.present);
        ck_assert_str_eq(m.alternate.text, "203.0.113.10");
        ck_assert_uint_eq(m.alternate.port, 3478);
        ck_assert_uint_eq(m.n_unknown, 0);
    }
}
END_TEST

START_TEST(test_rfc5389_401_realm_numbering)
{
    /* The same numbers in an RFC 5389 message mean the other way round. */
    struct lc_mb mb;
    struct lc_stun_msg m;
    char err[256];
    size_t n;

    lc_mb_header(&mb, 0x0113, lc_tid, 1);
    lc_mb_error(&mb, 401, "Unauthorized");
    lc_mb_attr(&mb, 0x0014, "example.org", 11);
    lc_mb_attr(&mb, 0x0015, "abcd", 4);
    lc_mb_addr4(&mb, 0x8023, "198.51.100.1", 3479, 0);
    n = lc_mb_done(&mb);
    ck_assert_int_eq(lc_parse_copy(mb.b, n, lc_tid, &m, err, sizeof(err)), LC_STUN_OK);
    ck_assert(!m.ms_turn);
    ck_assert_str_eq(m.realm, "example.org");
    ck_assert_str_eq(m.nonce, "abcd");
    ck_assert_str_eq(m.alternate.text, "198.51.100.1");
    ck_assert_uint_eq(m.alternate.port, 3479);
}
END_TEST

START_TEST(test_requests)
{
    uint8_t a[LC_STUN_REQUEST_MAX], b[LC_STUN_REQUEST_MAX];
    uint8_t ta[LC_STUN_TID_LEN], tb[LC_STUN_TID_LEN];
    struct lc_stun_msg m;
    char err[256];
    int n;

    n = lc_msturn_allocate_request(a, sizeof(a), ta);
    ck_assert_int_eq(n, 36);
    ck_assert_uint_eq(a[0] << 8 | a[1], 0x0003);
    ck_assert_uint_eq(a[2] << 8 | a[3], 16);
    ck_assert_mem_eq(a + 4, "\x21\x12\xa4\x42", 4);
    ck_assert_mem_eq(a + 4, ta, LC_STUN_TID_LEN);
    /* MAGIC-COOKIE is the first attribute, MS-VERSION follows. */
    ck_assert_mem_eq(a + 20, "\x00\x0f\x00\x04\x72\xc6\x4b\xc6", 8);
    ck_assert_mem_eq(a + 28, "\x80\x08\x00\x04\x00\x00\x00\x02", 8);
    ck_assert_int_eq(lc_parse_copy(a, (size_t)n, ta, &m, err, sizeof(err)), LC_STUN_OK);
    ck_assert(m.ms_turn);
    ck_assert_uint_eq(m.ms_version, LC_MSTURN_VERSION);

    n = lc_stun_binding_request(b, sizeof(b), tb);
    ck_assert_int_gt(n, 20);
    ck_assert_int_eq(n % 4, 0);
    ck_assert_uint_eq(b[0] << 8 | b[1], 0x0001);
    ck_assert_int_eq(lc_parse_copy(b, (size_t)n, tb, &m, err, sizeof(err)), LC_STUN_OK);
    ck_assert(m.has_software);
    ck_assert_ptr_nonnull(strstr(m.software, "lynccheck"));
    /* Random transaction ids. */
    ck_assert(memcmp(ta + 4, tb + 4, 12) != 0);
    ck_assert_int_eq(lc_stun_binding_request(b, 10, tb), -1);
    ck_assert_int_eq(lc_msturn_allocate_request(a, 35, ta), -1);
}
END_TEST

static void lc_expect_malformed(const uint8_t *b, size_t n, const uint8_t *tid, const char *want)
{
    struct lc_stun_msg m;
    char err[256] = "";

    ck_assert_int_eq(lc_parse_copy(b, n, tid, &m, err, sizeof(err)), LC_STUN_MALFORMED);
    ck_assert_msg(strstr(err, want) != NULL, "error '%s' lacks '%s'", err, want);
}

START_TEST(test_malformed)
{
    uint8_t v[sizeof(lc_v_resp4)];
    struct lc_mb mb;
    size_t n;

    lc_expect_malformed(lc_v_resp4, 0, NULL, "empty");
    lc_expect_malformed(lc_v_resp4, 10, NULL, "truncated header");
    lc_expect_malformed(lc_v_resp4, 19, lc_v_resp4 + 4, "truncated header");
    /* The header's length and the datagram disagree, either way. */
    lc_expect_malformed(lc_v_resp4, sizeof(lc_v_resp4) - 4, NULL, "does not match");
    memcpy(v, lc_v_resp4, sizeof(v));
    v[3] = 0x40;
    lc_expect_malformed(v, sizeof(v), NULL, "does not match");
    /* Wrong magic cookie: not STUN, whatever we expected. */
    memcpy(v, lc_v_resp4, sizeof(v));
    v[4] = 0x22;
    lc_expect_malformed(v, sizeof(v), lc_v_resp4 + 4, "magic cookie");
    /* First two bits set (RTP, TLS ...). */
    memcpy(v, lc_v_resp4, sizeof(v));
    v[0] = 0x81;
    lc_expect_malformed(v, sizeof(v), NULL, "first two bits");
    /* An attribute running past the end. */
    lc_mb_header(&mb, 0x0101, lc_tid, 1);
    lc_mb_addr4(&mb, 0x0020, "192.0.2.1", 1000, 1);
    lc_mb_put16(mb.b + 22, 0x0100);
    n = lc_mb_done(&mb);
    lc_expect_malformed(mb.b, n, lc_tid, "runs past the end");
    /* Length not a multiple of 4 (RFC 5389 dialect). */
    lc_mb_header(&mb, 0x0101, lc_tid, 0);
    lc_mb_attr(&mb, 0x8022, "abc", 3);
    n = lc_mb_done(&mb);
    lc_expect_malformed(mb.b, n, lc_tid, "multiple of 4");
    /* MS-TURN dialect: two stray bytes after the last attribute. */
    lc_mb_header(&mb, 0x0113, lc_tid, 0);
    lc_mb_u32(&mb, 0x000F, LC_MSTURN_COOKIE);
    mb.n += 2;
    n = lc_mb_done(&mb);
    lc_expect_malformed(mb.b, n, lc_tid, "stray bytes");
    /* MAGIC-COOKIE first but with another value. */
    lc_mb_header(&mb, 0x0113, lc_tid, 0);
    lc_mb_u32(&mb, 0x000F, 0x72C64BC7u);
    n = lc_mb_done(&mb);
    lc_expect_malformed(mb.b, n, lc_tid, "MAGIC-COOKIE");
    /* An IPv4 XOR-MAPPED-ADDRESS of 12 bytes. */
    lc_mb_header(&mb, 0x0101, lc_tid, 1);
    lc_mb_attr(&mb, 0x0020, "\x00\x01\x00\x01\x01\x02\x03\x04\x05\x06\x07\x08", 12);
    n = lc_mb_done(&mb);
    lc_expect_malformed(mb.b, n, lc_tid, "IPv4");
    /* ERROR-CODE class out of range. */
    lc_mb_header(&mb, 0x0111, lc_tid, 1);
    lc_mb_attr(&mb, 0x0009, "\x00\x00\x07\x01", 4);
    n = lc_mb_done(&mb);
    lc_expect_malformed(mb.b, n, lc_tid, "ERROR-CODE");
    /* Something after FINGERPRINT. */
    lc_mb_header(&mb, 0x0101, lc_tid, 1);
    lc_mb_u32(&mb, 0x8028, 0);
    lc_mb_attr(&mb, 0x8022, "x", 1);
    n = lc_mb_done(&mb);
    lc_expect_malformed(mb.b, n, lc_tid, "FINGERPRINT");
}
END_TEST

START_TEST(test_unknown_required_and_tid)
{
    struct lc_mb mb;
    struct lc_stun_msg m;
    uint8_t other[LC_STUN_TID_LEN];
    char err[256];
    size_t n;

    lc_mb_header(&mb, 0x0101, lc_tid, 1);
    lc_mb_attr(&mb, 0x7777, "zz", 2);   /* comprehension-required, unknown */
    lc_mb_attr(&mb, 0xC001, "zzzz", 4); /* optional, ignored */
    lc_mb_attr(&mb, 0x0031, NULL, 0);   /* required, unknown, empty */
    lc_mb_addr4(&mb, 0x0020, "192.0.2.77", 4242, 1);
    n = lc_mb_done(&mb);
    ck_assert_int_eq(lc_parse_copy(mb.b, n, lc_tid, &m, err, sizeof(err)), LC_STUN_OK);
    ck_assert_uint_eq(m.n_unknown, 2);
    ck_assert_uint_eq(m.unknown[0], 0x7777);
    ck_assert_uint_eq(m.unknown[1], 0x0031);
    ck_assert_str_eq(m.xor_mapped.text, "192.0.2.77");
    ck_assert_uint_eq(m.xor_mapped.port, 4242);
    /* Another transaction's answer is not ours, not malformed. */
    memcpy(other, lc_tid, sizeof(other));
    other[15] ^= 0x80;
    ck_assert_int_eq(lc_parse_copy(mb.b, n, other, &m, err, sizeof(err)), LC_STUN_NOT_OURS);
    /* UNKNOWN-ATTRIBUTES in a 420. */
    lc_mb_header(&mb, 0x0113, lc_tid, 1);
    lc_mb_error(&mb, 420, "Unknown Attribute");
    lc_mb_attr(&mb, 0x000A, "\x00\x0f", 2);
    n = lc_mb_done(&mb);
    ck_assert_int_eq(lc_parse_copy(mb.b, n, lc_tid, &m, err, sizeof(err)), LC_STUN_OK);
    ck_assert_int_eq(m.error_code, 420);
    ck_assert_uint_eq(m.n_server_unknown, 1);
    ck_assert_uint_eq(m.server_unknown[0], 0x000F);
}
END_TEST

START_TEST(test_hostile_text)
{
    struct lc_mb mb;
    struct lc_stun_msg m;
    uint8_t big[700];
    char err[256];
    size_t n;

    memset(big, 0xff, sizeof(big));
    big[0] = 'o';
    big[1] = 'k';
    lc_mb_header(&mb, 0x0113, lc_tid, 1);
    lc_mb_error(&mb, 401, "bad\x01\"\\");
    lc_mb_attr(&mb, 0x0014, big, sizeof(big));
    n = lc_mb_done(&mb);
    ck_assert_int_eq(lc_parse_copy(mb.b, n, lc_tid, &m, err, sizeof(err)), LC_STUN_OK);
    ck_assert_str_eq(m.reason, "bad\\x01\"\\x5c");
    ck_assert_uint_lt(strlen(m.realm), LC_STUN_TEXT_MAX);
    ck_assert_ptr_nonnull(strstr(m.realm, "ok\\xff"));
    ck_assert_ptr_nonnull(strstr(m.realm, "..."));
}
END_TEST

/* Every truncation and every single-byte corruption of the vectors and of
 * an MS-TURN 401 (header length kept consistent, so the attribute walk is
 * what gets exercised): no crash, no overread (ASan), a verdict each. */
START_TEST(test_truncations_and_corruptions)
{
    struct lc_mb mb;
    const uint8_t *inputs[4];
    size_t lens[4], i, cut, pos;
    uint8_t buf[1024];
    struct lc_stun_msg m;
    char err[256];
    int rc;

    lens[0] = lc_msturn_401(&mb, lc_tid, 0, "203.0.113.10");
    inputs[0] = mb.b;
    inputs[1] = lc_v_resp4;
    lens[1] = sizeof(lc_v_resp4);
    inputs[2] = lc_v_resp6;
    lens[2] = sizeof(lc_v_resp6);
    inputs[3] = lc_v_request;
    lens[3] = sizeof(lc_v_request);
    for (i = 0; i < 4; i++) {
        for (cut = 0; cut <= lens[i]; cut++) {
            memcpy(buf, inputs[i], cut);
            if (cut >= 4)
                lc_mb_put16(buf + 2, (unsigned)(cut >= 20 ? cut - 20 : 0));
            rc = lc_parse_copy(buf, cut, NULL, &m, err, sizeof(err));
            ck_assert(rc == LC_STUN_OK || rc == LC_STUN_MALFORMED);
            if (rc == LC_STUN_MALFORMED)
                ck_assert_uint_gt(strlen(err), 0);
        }
        for (pos = 0; pos < lens[i]; pos++) {
            unsigned x;
            for (x = 1; x < 256; x <<= 1) {
                memcpy(buf, inputs[i], lens[i]);
                buf[pos] ^= (uint8_t)x;
                rc = lc_parse_copy(buf, lens[i], NULL, &m, err, sizeof(err));
                ck_assert(rc == LC_STUN_OK || rc == LC_STUN_MALFORMED);
            }
        }
    }
}
END_TEST

START_TEST(test_hex)
{
    char out[2 * 4 + 4];

    lc_stun_hex((const uint8_t *)"\x01\xab\xff\x00\x10", 5, 4, out, sizeof(out));
    ck_assert_str_eq(out, "01abff00...");
    lc_stun_hex((const uint8_t *)"\x01\xab", 2, 4, out, sizeof(out));
    ck_assert_str_eq(out, "01ab");
}
END_TEST

/* ---- the probe, against servers on loopback ---- */

static char lc_av_name[] = "av.test";
static struct lc_dns_addr lc_fake_addrs[2];
static size_t lc_fake_n;

/* Stands in for dns.a:av.test: the name's addresses, as the DNS probe
 * would leave them. */
static void lc_fake_dns_start(struct lc_check *check, void *arg)
{
    struct lc_dns_name *d = calloc(1, sizeof(*d));

    (void)arg;
    ck_assert_ptr_nonnull(d);
    d->addrs = calloc(lc_fake_n, sizeof(*d->addrs));
    ck_assert_ptr_nonnull(d->addrs);
    memcpy(d->addrs, lc_fake_addrs, lc_fake_n * sizeof(*d->addrs));
    d->n_addrs = lc_fake_n;
    lc_check_set_data(check, d, lc_dns_name_free);
    lc_check_finish(check, LC_PASS, "fake");
}

static void lc_fake_addr(size_t i, const char *ip)
{
    memset(&lc_fake_addrs[i], 0, sizeof(lc_fake_addrs[i]));
    lc_fake_addrs[i].family = AF_INET;
    snprintf(lc_fake_addrs[i].text, sizeof(lc_fake_addrs[i].text), "%s", ip);
    lc_fake_n = i + 1;
}

static struct lc_site lc_stun_site;
static struct lc_profile *lc_stun_profile;

static struct lc_run *lc_stun_run(const char *checks, unsigned turn_port, unsigned tls_port,
                                  int know_av, uint64_t timeout_us)
{
    struct lc_run_config cfg;
    struct lc_run *run = NULL;
    const struct lc_profile_entry *e;
    char text[256], err[256];

    memset(&lc_stun_site, 0, sizeof(lc_stun_site));
    lc_stun_site.av_edge = know_av ? lc_av_name : NULL;
    memset(&cfg, 0, sizeof(cfg));
    cfg.parallel = 8;
    cfg.timeout_us = timeout_us;
    cfg.dns_servers = "127.0.0.1:9"; /* never asked: dns.a is the fake */
    ck_assert_msg(lc_run_new(&run, &cfg, &lc_stun_site, err, sizeof(err)) == 0, "%s", err);
    ck_assert_ptr_nonnull(
        lc_run_add(run, "dns", "a", lc_av_name, "fake", lc_fake_dns_start, NULL, NULL));
    snprintf(text, sizeof(text),
             "[profile]\nprobes = stun\n[stun]\nchecks = %s\nturn-port = %u\ntls-port = %u\n",
             checks, turn_port, tls_port);
    ck_assert_msg(lc_profile_parse(text, "t.profile", &lc_stun_profile, err, sizeof(err)) == 0,
                  "%s", err);
    e = lc_profile_entry(lc_stun_profile, 0);
    ck_assert_int_eq(e->probe->plan(run, &lc_stun_site, e->opts), 0);
    return run;
}

static void lc_stun_run_end(struct lc_run *run)
{
    lc_run_free(run);
    lc_profile_free(lc_stun_profile);
    lc_stun_profile = NULL;
}

static const struct lc_result *lc_stun_result(struct lc_run *run, const char *what, unsigned port)
{
    char id[128];
    struct lc_check *c;

    snprintf(id, sizeof(id), "stun.%s:%s:%u", what, lc_av_name, port);
    c = lc_run_find(run, id);
    ck_assert_msg(c != NULL, "no check %s", id);
    return lc_check_result(c);
}

static const char *lc_addr_result(const struct lc_result *r, const char *addr)
{
    json_t *a = json_object_get(json_object_get(r->evidence, "addresses"), addr);
    return json_string_value(json_object_get(a, "result"));
}

static int lc_udp_bound(unsigned *port)
{
    return lc_t_loopback_socket(SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, port);
}

enum lc_fake_mode { LC_FAKE_MSTURN, LC_FAKE_STUN_ONLY, LC_FAKE_GARBAGE, LC_FAKE_OTHER_TID };

struct lc_fake {
    int fd;
    enum lc_fake_mode mode;
    const char *alt;
    unsigned requests;
};

static void lc_fake_on_io(struct lc_loop *loop, int fd, unsigned events, void *arg)
{
    struct lc_fake *f = arg;
    uint8_t in[1500];
    struct sockaddr_in from;
    socklen_t flen;
    struct lc_mb mb;
    ssize_t n;
    size_t out;

    (void)loop;
    (void)events;
    for (;;) {
        flen = sizeof(from);
        n = recvfrom(fd, in, sizeof(in), MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
        if (n < LC_STUN_HEADER_LEN)
            return;
        f->requests++;
        out = 0;
        if (f->mode == LC_FAKE_MSTURN && in[1] == 0x03 && n >= 28 && in[20] == 0x00 &&
            in[21] == 0x0F) {
            out = lc_msturn_401(&mb, in + 4, 0, f->alt); /* the edge ignores the rest */
        } else if ((f->mode == LC_FAKE_STUN_ONLY || f->mode == LC_FAKE_OTHER_TID) &&
                   in[1] == 0x01) {
            if (f->mode == LC_FAKE_OTHER_TID)
                in[19] ^= 0x55;
            lc_mb_header(&mb, 0x0101, in + 4, 1);
            lc_mb_addr4(&mb, 0x0020, "127.0.0.1", ntohs(from.sin_port), 1);
            lc_mb_attr(&mb, 0x8022, "fake stun", 9);
            out = lc_mb_done(&mb);
        } else if (f->mode == LC_FAKE_GARBAGE) {
            memcpy(mb.b, "HTTP/1.1 400 Bad Request\r\n\r\n", 28);
            out = 28;
        }
        if (out > 0)
            (void)sendto(fd, mb.b, out, 0, (struct sockaddr *)&from, flen);
    }
}

static const struct lc_result *lc_turn_against(struct lc_run **runp, enum lc_fake_mode mode,
                                               const char *alt, struct lc_fake *f)
{
    unsigned port;
    struct lc_run *run;
    char err[256];

    f->fd = lc_udp_bound(&port);
    f->mode = mode;
    f->alt = alt;
    f->requests = 0;
    run = lc_stun_run("turn", port, 443, 1, 1500000);
    ck_assert_int_eq(lc_loop_io_set(lc_run_loop(run), f->fd, LC_IO_READ, lc_fake_on_io, f), 0);
    ck_assert_int_eq(lc_run_execute(run, err, sizeof(err)), 0);
    (void)lc_loop_io_set(lc_run_loop(run), f->fd, 0, NULL, NULL);
    close(f->fd);
    *runp = run;
    return lc_stun_result(run, "turn", port);
}

START_TEST(test_probe_msturn_edge)
{
    struct lc_fake f;
    struct lc_run *run;
    const struct lc_result *r;
    json_t *al;

    lc_fake_addr(0, "127.0.0.1");
    r = lc_turn_against(&run, LC_FAKE_MSTURN, "127.0.0.1", &f);
    ck_assert_msg(r->status == LC_PASS, "%s", r->message);
    ck_assert_ptr_nonnull(strstr(r->message, "MS-TURN 401"));
    ck_assert_ptr_nonnull(strstr(r->message, "REALM \"SIP Communications Service\""));
    ck_assert_ptr_nonnull(strstr(r->message, "ALTERNATE-SERVER 127.0.0.1:3478"));
    /* The digest challenge and version are shown; the Binding the edge
     * ignored ([MS-TURN] 3.1.10) is said to be normal, and no stun_binding
     * evidence is invented. */
    ck_assert_ptr_nonnull(strstr(r->message, ", NONCE, MS-VERSION 2,"));
    ck_assert_ptr_nonnull(
        strstr(r->message, "the plain STUN Binding is ignored, as an A/V Edge does"));
    ck_assert_ptr_null(json_object_get(
        json_object_get(json_object_get(r->evidence, "addresses"), "127.0.0.1"), "stun_binding"));
    ck_assert_str_eq(lc_addr_result(r, "127.0.0.1"), "answered");
    al = json_object_get(json_object_get(json_object_get(r->evidence, "addresses"), "127.0.0.1"),
                         "ms_turn_allocate");
    ck_assert_str_eq(json_string_value(json_object_get(al, "dialect")), "MS-TURN");
    ck_assert_int_eq(json_integer_value(json_object_get(al, "error_code")), 401);
    lc_stun_run_end(run);

    /* ALTERNATE-SERVER not among the A/V edge's addresses: NAT trouble. */
    r = lc_turn_against(&run, LC_FAKE_MSTURN, "198.51.100.20", &f);
    ck_assert_msg(r->status == LC_WARN, "%s", r->message);
    ck_assert_ptr_nonnull(strstr(r->message, "198.51.100.20:3478"));
    lc_stun_run_end(run);
}
END_TEST

START_TEST(test_probe_stun_only)
{
    struct lc_fake f;
    struct lc_run *run;
    const struct lc_result *r;

    lc_fake_addr(0, "127.0.0.1");
    r = lc_turn_against(&run, LC_FAKE_STUN_ONLY, NULL, &f);
    ck_assert_msg(r->status == LC_PASS, "%s", r->message);
    ck_assert_ptr_nonnull(
        strstr(r->message, "STUN Binding success, XOR-MAPPED-ADDRESS 127.0.0.1:"));
    ck_assert_uint_ge(f.requests, 2);
    lc_stun_run_end(run);
}
END_TEST

START_TEST(test_probe_garbage)
{
    struct lc_fake f;
    struct lc_run *run;
    const struct lc_result *r;
    json_t *mal;

    lc_fake_addr(0, "127.0.0.1");
    r = lc_turn_against(&run, LC_FAKE_GARBAGE, NULL, &f);
    ck_assert_msg(r->status == LC_FAIL, "%s", r->message);
    ck_assert_ptr_nonnull(strstr(r->message, "malformed answer"));
    mal = json_object_get(json_object_get(json_object_get(r->evidence, "addresses"), "127.0.0.1"),
                          "malformed");
    ck_assert_str_eq(json_string_value(json_object_get(mal, "bytes")),
                     "485454502f312e31203430302042616420526571756573740d0a0d0a");
    lc_stun_run_end(run);
}
END_TEST

START_TEST(test_probe_other_tid_and_silence)
{
    struct lc_fake f;
    struct lc_run *run;
    const struct lc_result *r;
    json_t *a;
    uint64_t t0 = lc_now_us();

    /* Answers for another transaction are no answers: silence. */
    lc_fake_addr(0, "127.0.0.1");
    r = lc_turn_against(&run, LC_FAKE_OTHER_TID, NULL, &f);
    ck_assert_msg(r->status == LC_FAIL, "%s", r->message);
    ck_assert_ptr_nonnull(strstr(r->message, "no answer to STUN or MS-TURN on UDP"));
    ck_assert_ptr_nonnull(strstr(r->message, "filtered or not listening"));
    a = json_object_get(json_object_get(r->evidence, "addresses"), "127.0.0.1");
    ck_assert_str_eq(json_string_value(json_object_get(a, "result")), "silent");
    ck_assert_int_ge(json_integer_value(json_object_get(a, "ignored_datagrams")), 1);
    /* RFC 5389 7.2.1 within 4/5 of 1.5 s: sent at 0 and 0.5 s, given up at 1.2 s. */
    ck_assert_int_eq(json_integer_value(json_object_get(a, "transmissions")), 2);
    ck_assert_uint_ge(lc_now_us() - t0, 1150000);
    ck_assert_uint_lt(lc_now_us() - t0, 1500000);
    lc_stun_run_end(run);
}
END_TEST

START_TEST(test_probe_closed)
{
    struct lc_run *run;
    const struct lc_result *r;
    unsigned port;
    char err[256];
    int fd = lc_udp_bound(&port);

    close(fd); /* nothing listens there now: ICMP port unreachable */
    lc_fake_addr(0, "127.0.0.1");
    run = lc_stun_run("turn", port, 443, 1, 1500000);
    ck_assert_int_eq(lc_run_execute(run, err, sizeof(err)), 0);
    r = lc_stun_result(run, "turn", port);
    ck_assert_msg(r->status == LC_FAIL, "%s", r->message);
    ck_assert_ptr_nonnull(strstr(r->message, "closed"));
    ck_assert_str_eq(lc_addr_result(r, "127.0.0.1"), "closed");
    ck_assert_uint_eq(lc_loop_io_count(lc_run_loop(run)), 0);
    lc_stun_run_end(run);
}
END_TEST

START_TEST(test_probe_two_addresses)
{
    /* One address answers as an edge, nothing listens on the other (ICMP
     * port unreachable on loopback): FAIL names that one. */
    struct lc_fake f;
    struct lc_run *run;
    const struct lc_result *r;

    lc_fake_addr(0, "127.0.0.1");
    lc_fake_addr(1, "127.0.0.2");
    r = lc_turn_against(&run, LC_FAKE_MSTURN, "127.0.0.1", &f);
    ck_assert_msg(r->status == LC_FAIL, "%s", r->message);
    ck_assert_ptr_nonnull(strstr(r->message, "127.0.0.2"));
    ck_assert_str_eq(lc_addr_result(r, "127.0.0.1"), "answered");
    ck_assert_str_eq(lc_addr_result(r, "127.0.0.2"), "closed");
    lc_stun_run_end(run);
}
END_TEST

START_TEST(test_probe_unknown_av_edge)
{
    struct lc_run *run = lc_stun_run("turn, pseudo-tls", 3478, 443, 0, 1000000);
    struct lc_check *c;
    char err[256];

    ck_assert_int_eq(lc_run_execute(run, err, sizeof(err)), 0);
    c = lc_run_find(run, "stun.turn:av-edge:3478");
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(lc_check_result(c)->status, LC_SKIP);
    ck_assert_ptr_nonnull(strstr(lc_check_result(c)->message, "--av-edge"));
    c = lc_run_find(run, "stun.pseudo-tls:av-edge:443");
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(lc_check_result(c)->status, LC_SKIP);
    lc_stun_run_end(run);
}
END_TEST

/* A TCP listener on the loop: answers a ClientHello with what [MS-TURN]
 * 2.1 describes (ServerHello + ServerHelloDone in one record, no
 * Certificate), or closes at once. */
struct lc_ptls_fake {
    struct lc_loop *loop;
    int lfd, cfd;
    int close_at_once;
};

static void lc_ptls_fake_conn(struct lc_loop *loop, int fd, unsigned events, void *arg)
{
    static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0x2e, /* handshake record, TLS 1.0 */
                                    0x02, 0x00, 0x00, 0x26, 0x03, 0x01, /* ServerHello, TLS 1.0 */
                                    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, /* random */
                                    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x00, /* no session id */
                                    0x00, 0x2f, /* TLS_RSA_WITH_AES_128_CBC_SHA */
                                    0x00,       /* no compression */
                                    0x0e, 0x00, 0x00, 0x00 /* ServerHelloDone */};
    struct lc_ptls_fake *f = arg;
    uint8_t in[4096];
    ssize_t n;

    (void)events;
    n = recv(fd, in, sizeof(in), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n > 0)
        (void)send(fd, hello, sizeof(hello), MSG_NOSIGNAL);
    if (n <= 0) {
        (void)lc_loop_io_set(loop, fd, 0, NULL, NULL);
        close(fd);
        f->cfd = -1;
    }
}

static void lc_ptls_fake_accept(struct lc_loop *loop, int fd, unsigned events, void *arg)
{
    struct lc_ptls_fake *f = arg;
    int c;

    (void)events;
    c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0)
        return;
    if (f->close_at_once || f->cfd >= 0) {
        close(c);
        return;
    }
    f->cfd = c;
    ck_assert_int_eq(lc_loop_io_set(loop, c, LC_IO_READ, lc_ptls_fake_conn, f), 0);
}

static int lc_tcp_listener(unsigned *port)
{
    return lc_t_loopback_socket(SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 8, port);
}

static const struct lc_result *lc_ptls_against(struct lc_run **runp, int close_at_once,
                                               struct lc_ptls_fake *f)
{
    unsigned port;
    struct lc_run *run;
    char err[256];

    f->lfd = lc_tcp_listener(&port);
    f->cfd = -1;
    f->close_at_once = close_at_once;
    lc_fake_addr(0, "127.0.0.1");
    run = lc_stun_run("pseudo-tls", 3478, port, 1, 1500000);
    f->loop = lc_run_loop(run);
    ck_assert_int_eq(lc_loop_io_set(f->loop, f->lfd, LC_IO_READ, lc_ptls_fake_accept, f), 0);
    ck_assert_int_eq(lc_run_execute(run, err, sizeof(err)), 0);
    (void)lc_loop_io_set(f->loop, f->lfd, 0, NULL, NULL);
    close(f->lfd);
    if (f->cfd >= 0) {
        (void)lc_loop_io_set(f->loop, f->cfd, 0, NULL, NULL);
        close(f->cfd);
    }
    *runp = run;
    return lc_stun_result(run, "pseudo-tls", port);
}

START_TEST(test_probe_pseudo_tls)
{
    struct lc_ptls_fake f;
    struct lc_run *run;
    const struct lc_result *r;
    json_t *a;

    r = lc_ptls_against(&run, 0, &f);
    ck_assert_msg(r->status == LC_PASS, "%s", r->message);
    ck_assert_msg(strstr(r->message, "MS-TURN pseudo-TLS (inferred)") != NULL, "%s", r->message);
    a = json_object_get(json_object_get(r->evidence, "addresses"), "127.0.0.1");
    ck_assert_str_eq(json_string_value(json_object_get(a, "result")), "pseudo-tls");
    ck_assert_str_eq(json_string_value(json_object_get(a, "server_hello_version")), "0x0301");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(a, "server_sent"), 0)),
                     "ServerHello");
    lc_stun_run_end(run);

    r = lc_ptls_against(&run, 1, &f);
    ck_assert_msg(r->status == LC_PASS, "%s", r->message);
    ck_assert_msg(strstr(r->message, "TCP open, no TLS answer") != NULL, "%s", r->message);
    lc_stun_run_end(run);
}
END_TEST

START_TEST(test_probe_pseudo_tls_closed)
{
    struct lc_run *run;
    const struct lc_result *r;
    unsigned port;
    char err[256];
    int fd = lc_tcp_listener(&port);

    close(fd);
    lc_fake_addr(0, "127.0.0.1");
    run = lc_stun_run("pseudo-tls", 3478, port, 1, 1500000);
    ck_assert_int_eq(lc_run_execute(run, err, sizeof(err)), 0);
    r = lc_stun_result(run, "pseudo-tls", port);
    ck_assert_msg(r->status == LC_FAIL, "%s", r->message);
    ck_assert_msg(strstr(r->message, "closed") != NULL, "%s", r->message);
    lc_stun_run_end(run);
}
END_TEST

/* A peer that resets a connection makes the next write raise SIGPIPE:
 * the probe must see EPIPE instead (lynccheck itself must ignore it too). */
/* ---- the verdicts (lc_turn_judge, lc_ptls_judge), from case tables ---- */

enum lc_t_m {
    M_NONE = 0,
    M_401,        /* MS-TURN 401, REALM, ALTERNATE-SERVER = the edge's own address */
    M_401_NATALT, /* ... ALTERNATE-SERVER = an address that is not the name's */
    M_401_EDGE,   /* a real A/V Edge's whole 401: REALM, NONCE, ALTERNATE-SERVER, MS-VERSION 4 */
    M_401_RFC,    /* an RFC 5389 TURN 401 with REALM (coturn) */
    M_420,        /* 420 with UNKNOWN-ATTRIBUTES */
    M_ALLOC_OK,   /* MS-TURN Allocate success: granted without credentials */
    M_ALLOC_RFC,  /* RFC 5389 Allocate success */
    M_BIND_OK,    /* Binding success, XOR-MAPPED-ADDRESS */
    M_BIND_ERR,   /* Binding error 400 */
    M_BIND_UNK    /* Binding success with an unknown comprehension-required attribute */
};

static void lc_t_msg(struct lc_stun_msg *m, enum lc_t_m k, int ms_turn_alt6)
{
    memset(m, 0, sizeof(*m));
    switch (k) {
    case M_401:
    case M_401_NATALT:
    case M_401_EDGE:
        m->type = 0x0113;
        m->ms_turn = 1;
        m->error_code = 401;
        snprintf(m->reason, sizeof(m->reason), "Unauthorized");
        m->has_realm = 1;
        snprintf(m->realm, sizeof(m->realm), "SIP Communications Service");
        m->alternate.present = 1;
        m->alternate.family = ms_turn_alt6 ? AF_INET6 : AF_INET;
        m->alternate.port = 3478;
        snprintf(m->alternate.text, sizeof(m->alternate.text), "%s",
                 k == M_401_NATALT ? "198.51.100.20"
                 : ms_turn_alt6    ? "2001:db8:0::12"
                                   : "192.0.2.12");
        if (k == M_401_EDGE) {
            /* [MS-TURN] 3.1.12's digest challenge and the edge's version
             * (2.2.2.17; 4 for Lync Server 2013 and later). */
            m->has_nonce = 1;
            snprintf(m->nonce, sizeof(m->nonce), "5f1e9a0c3b7d2e48");
            m->has_ms_version = 1;
            m->ms_version = 4;
        }
        break;
    case M_401_RFC:
        m->type = 0x0113;
        m->error_code = 401;
        snprintf(m->reason, sizeof(m->reason), "Unauthorized");
        m->has_realm = 1;
        snprintf(m->realm, sizeof(m->realm), "contoso.test");
        break;
    case M_420:
        m->type = 0x0113;
        m->ms_turn = 1;
        m->error_code = 420;
        snprintf(m->reason, sizeof(m->reason), "Unknown Attribute");
        m->server_unknown[0] = 0x8008;
        m->n_server_unknown = 1;
        break;
    case M_ALLOC_OK:
    case M_ALLOC_RFC:
        m->type = 0x0103;
        m->ms_turn = k == M_ALLOC_OK;
        m->xor_mapped.present = 1;
        m->xor_mapped.family = AF_INET;
        m->xor_mapped.port = 40000;
        snprintf(m->xor_mapped.text, sizeof(m->xor_mapped.text), "203.0.113.5");
        break;
    case M_BIND_OK:
    case M_BIND_UNK:
        m->type = 0x0101;
        m->xor_mapped.present = 1;
        m->xor_mapped.family = AF_INET;
        m->xor_mapped.port = 50123;
        snprintf(m->xor_mapped.text, sizeof(m->xor_mapped.text), "203.0.113.5");
        if (k == M_BIND_UNK) {
            m->unknown[0] = 0x7abc;
            m->n_unknown = 1;
        }
        break;
    case M_BIND_ERR:
        m->type = 0x0111;
        m->error_code = 400;
        snprintf(m->reason, sizeof(m->reason), "Bad Request");
        break;
    case M_NONE:
    default:
        break;
    }
}

#define A LC_TURN_ANSWERED
static const struct lc_t_turn_case {
    size_t n;
    enum lc_turn_outcome out[2];
    const char *error[2];
    enum lc_t_m alloc[2], bind[2];
    int check_alt;
    enum lc_status want;
    const char *msg;
    const char *msg2;
} lc_t_turn_cases[] = {
    /* A Lync A/V edge: 401 with REALM and its own public address. */
    {1,
     {A},
     {""},
     {M_401},
     {M_NONE},
     1,
     LC_PASS,
     "MS-TURN 401 Unauthorized with REALM \"SIP Communications Service\", ALTERNATE-SERVER "
     "192.0.2.12:3478 (the expected answer to an Allocate without credentials); the plain STUN "
     "Binding is ignored, as an A/V Edge does (1 address)",
     NULL},
    /* A real A/V Edge's Allocate error (0x0113) with REALM, NONCE,
     * ALTERNATE-SERVER and MS-VERSION, the Binding never answered because
     * its first attribute is not MAGIC-COOKIE ([MS-TURN] 3.1.10): PASS. */
    {1,
     {A},
     {""},
     {M_401_EDGE},
     {M_NONE},
     1,
     LC_PASS,
     "MS-TURN 401 Unauthorized with REALM \"SIP Communications Service\", NONCE, MS-VERSION 4, "
     "ALTERNATE-SERVER 192.0.2.12:3478 (the expected answer",
     "the plain STUN Binding is ignored, as an A/V Edge does"},
    {2,
     {A, A},
     {"", ""},
     {M_401_EDGE, M_401_EDGE},
     {M_NONE, M_NONE},
     1,
     LC_PASS,
     "(2 addresses)",
     NULL},
    {2, {A, A}, {"", ""}, {M_401, M_401}, {M_NONE, M_NONE}, 1, LC_PASS, "(2 addresses)", NULL},
    /* coturn with long-term credentials: 401 with REALM, Binding too. */
    {1,
     {A},
     {""},
     {M_401_RFC},
     {M_BIND_OK},
     1,
     LC_PASS,
     "TURN (RFC 5389, no MS-TURN MAGIC-COOKIE) 401 Unauthorized with REALM \"contoso.test\"",
     "STUN Binding answered too"},
    /* A STUN-only server. */
    {1,
     {A},
     {""},
     {M_NONE},
     {M_BIND_OK},
     1,
     LC_PASS,
     "STUN Binding success, XOR-MAPPED-ADDRESS 203.0.113.5:50123",
     NULL},
    {1, {A}, {""}, {M_NONE}, {M_BIND_ERR}, 1, LC_PASS, "STUN Binding error 400", NULL},
    {1, {A}, {""}, {M_420}, {M_NONE}, 1, LC_PASS, "UNKNOWN-ATTRIBUTES 0x8008", NULL},
    /* An open relay: the Allocate succeeded without credentials. */
    {1,
     {A},
     {""},
     {M_ALLOC_OK},
     {M_NONE},
     1,
     LC_FAIL,
     "192.0.2.12:3478: open relay: the Allocate succeeded without credentials",
     "MS-TURN Allocate success without credentials, mapped address 203.0.113.5:40000"},
    {1,
     {A},
     {""},
     {M_ALLOC_RFC},
     {M_BIND_OK},
     1,
     LC_FAIL,
     "open relay",
     "TURN (RFC 5389, no MS-TURN MAGIC-COOKIE) Allocate success"},
    {2,
     {A, A},
     {"", ""},
     {M_401, M_ALLOC_OK},
     {M_NONE, M_NONE},
     1,
     LC_FAIL,
     "192.0.2.13:3478: open relay",
     NULL},
    {2,
     {A, A},
     {"", ""},
     {M_ALLOC_OK, M_ALLOC_OK},
     {M_NONE, M_NONE},
     0,
     LC_FAIL,
     "192.0.2.12:3478 and other addresses: open relay",
     NULL},
    /* ... worse than any other finding on another address. */
    {2,
     {LC_TURN_SILENT, A},
     {"", ""},
     {M_NONE, M_ALLOC_OK},
     {M_NONE, M_NONE},
     1,
     LC_FAIL,
     "open relay",
     NULL},
    /* The failures that were already failures. */
    {1,
     {LC_TURN_MALFORMED},
     {"header too short"},
     {M_NONE},
     {M_NONE},
     1,
     LC_FAIL,
     "malformed answer from 192.0.2.12:3478: header too short",
     NULL},
    {2,
     {A, LC_TURN_MALFORMED},
     {"", "bad"},
     {M_401, M_NONE},
     {M_NONE, M_NONE},
     1,
     LC_FAIL,
     "malformed answer from 192.0.2.13:3478",
     NULL},
    {1,
     {LC_TURN_CLOSED},
     {"ICMP port unreachable"},
     {M_NONE},
     {M_NONE},
     1,
     LC_FAIL,
     "UDP 3478 closed on 192.0.2.12 (ICMP port unreachable)",
     NULL},
    {2,
     {LC_TURN_CLOSED, LC_TURN_CLOSED},
     {"x", "x"},
     {M_NONE, M_NONE},
     {M_NONE, M_NONE},
     1,
     LC_FAIL,
     "closed on 192.0.2.12 (ICMP port unreachable) and other addresses",
     NULL},
    {1,
     {LC_TURN_ERROR},
     {"cannot send: Network is unreachable"},
     {M_NONE},
     {M_NONE},
     1,
     LC_FAIL,
     "cannot probe 192.0.2.12:3478: cannot send",
     NULL},
    {1,
     {LC_TURN_SILENT},
     {""},
     {M_NONE},
     {M_NONE},
     1,
     LC_FAIL,
     "no answer to STUN or MS-TURN on UDP 3478 from 192.0.2.12: filtered or not listening",
     NULL},
    {2,
     {A, LC_TURN_SILENT},
     {"", ""},
     {M_401, M_NONE},
     {M_NONE, M_NONE},
     1,
     LC_FAIL,
     "from 192.0.2.13: filtered",
     NULL},
    /* Not judged: never a pass. */
    {1, {LC_TURN_WAITING}, {""}, {M_NONE}, {M_NONE}, 1, LC_ERROR, "no verdict", NULL},
    {0, {A}, {""}, {M_NONE}, {M_NONE}, 1, LC_ERROR, "no address", NULL},
    /* ALTERNATE-SERVER that is not the name's: NAT misconfigured. */
    {1,
     {A},
     {""},
     {M_401_NATALT},
     {M_NONE},
     1,
     LC_WARN,
     "192.0.2.12:3478 advertises ALTERNATE-SERVER 198.51.100.20:3478, which is not an address of "
     "av.example.test",
     NULL},
    {1,
     {A},
     {""},
     {M_401_NATALT},
     {M_NONE},
     0,
     LC_PASS,
     "ALTERNATE-SERVER 198.51.100.20:3478",
     NULL},
    /* A success RFC 5389 clients discard. */
    {1,
     {A},
     {""},
     {M_NONE},
     {M_BIND_UNK},
     1,
     LC_WARN,
     "unknown comprehension-required attribute 0x7abc",
     NULL},
};
#undef A

static const char *const lc_t_turn_addrs[] = {"192.0.2.12", "192.0.2.13"};
static const char *const lc_t_turn_dns[] = {"192.0.2.13", "192.0.2.12", "2001:db8::12"};

static enum lc_status lc_t_turn_run(const struct lc_t_turn_case *t, char *msg, size_t len)
{
    struct lc_stun_msg al[2], bi[2];
    struct lc_turn_obs obs[2];
    size_t i;

    memset(obs, 0, sizeof(obs));
    for (i = 0; i < 2; i++) {
        lc_t_msg(&al[i], t->alloc[i], 0);
        lc_t_msg(&bi[i], t->bind[i], 0);
        obs[i].addr = lc_t_turn_addrs[i];
        obs[i].outcome = t->out[i];
        obs[i].error = t->error[i];
        obs[i].allocate = t->alloc[i] != M_NONE ? &al[i] : NULL;
        obs[i].binding = t->bind[i] != M_NONE ? &bi[i] : NULL;
    }
    return lc_turn_judge(obs, t->n, "av.example.test", 3478, lc_t_turn_dns, 3, t->check_alt, msg,
                         len);
}

START_TEST(test_turn_judge)
{
    const struct lc_t_turn_case *t = &lc_t_turn_cases[_i];
    char msg[1024] = "";
    enum lc_status st = lc_t_turn_run(t, msg, sizeof(msg));

    ck_assert_msg(st == t->want, "case %d: status %d, want %d: %s", _i, (int)st, (int)t->want, msg);
    ck_assert_msg(strstr(msg, t->msg) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg, msg);
    if (t->msg2 != NULL)
        ck_assert_msg(strstr(msg, t->msg2) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg2,
                      msg);
}
END_TEST

START_TEST(test_turn_judge_bounded)
{
    const struct lc_t_turn_case *t = &lc_t_turn_cases[_i];
    char buf[64];
    size_t k;

    memset(buf, 'Z', sizeof(buf));
    ck_assert_int_eq(lc_t_turn_run(t, buf, 16), t->want);
    ck_assert_uint_lt(strlen(buf), 16);
    for (k = 16; k < sizeof(buf); k++)
        ck_assert_int_eq(buf[k], 'Z');
    ck_assert_int_eq(lc_t_turn_run(t, NULL, 0), t->want);
}
END_TEST

/* ALTERNATE-SERVER is compared as an address, IPv6 spelled either way. */
START_TEST(test_turn_judge_alternate_v6)
{
    struct lc_stun_msg al;
    struct lc_turn_obs obs;
    char msg[512];

    lc_t_msg(&al, M_401, 1);
    memset(&obs, 0, sizeof(obs));
    obs.addr = "2001:db8::12";
    obs.outcome = LC_TURN_ANSWERED;
    obs.error = "";
    obs.allocate = &al;
    ck_assert_int_eq(
        lc_turn_judge(&obs, 1, "av.example.test", 3478, lc_t_turn_dns, 3, 1, msg, sizeof(msg)),
        LC_PASS);
    ck_assert_ptr_nonnull(strstr(msg, "ALTERNATE-SERVER [2001:db8:0::12]:3478"));
    /* No DNS addresses known: any ALTERNATE-SERVER is suspect. */
    ck_assert_int_eq(lc_turn_judge(&obs, 1, "av.example.test", 3478, NULL, 0, 1, msg, sizeof(msg)),
                     LC_WARN);
    ck_assert_str_eq(lc_turn_outcome_name(LC_TURN_SILENT), "silent");
    ck_assert_str_eq(lc_turn_outcome_name((enum lc_turn_outcome)77), "unknown");
}
END_TEST

static const struct lc_t_ptls_case {
    size_t n;
    enum lc_ptls_kind kind[2];
    enum lc_status want;
    const char *msg;
} lc_t_ptls_cases[] = {
    {1, {LC_PTLS_PSEUDO}, LC_PASS, "pseudo (1 address)"},
    {1, {LC_PTLS_TLS}, LC_PASS, "tls (1 address)"},
    {1, {LC_PTLS_TLS_REFUSE}, LC_PASS, "refuse"},
    {1, {LC_PTLS_OPEN}, LC_PASS, "open"},
    {2, {LC_PTLS_PSEUDO, LC_PTLS_PSEUDO}, LC_PASS, "pseudo (2 addresses)"},
    {2, {LC_PTLS_PSEUDO, LC_PTLS_TLS}, LC_PASS, "addresses answer differently"},
    {1, {LC_PTLS_CLOSED}, LC_FAIL, "192.0.2.12:443: closed"},
    {1, {LC_PTLS_FILTERED}, LC_FAIL, "192.0.2.12:443: filtered"},
    {1, {LC_PTLS_ERROR}, LC_FAIL, "192.0.2.12:443: error"},
    {2, {LC_PTLS_TLS, LC_PTLS_FILTERED}, LC_FAIL, "192.0.2.13:443: filtered"},
    {2, {LC_PTLS_CLOSED, LC_PTLS_FILTERED}, LC_FAIL, "closed (and other addresses)"},
    {1, {LC_PTLS_PENDING}, LC_ERROR, "no verdict"},
    {2, {LC_PTLS_PENDING, LC_PTLS_CLOSED}, LC_FAIL, "192.0.2.13:443: closed"},
    {0, {LC_PTLS_TLS}, LC_ERROR, "no address"},
};

START_TEST(test_ptls_judge)
{
    static const char *const notes[] = {"pending", "tls",    "pseudo",   "refuse",
                                        "open",    "closed", "filtered", "error"};
    const struct lc_t_ptls_case *t = &lc_t_ptls_cases[_i];
    struct lc_ptls_obs obs[2];
    char msg[512] = "", small[8];
    enum lc_status st;
    size_t i;

    for (i = 0; i < 2; i++) {
        obs[i].addr = lc_t_turn_addrs[i];
        obs[i].kind = t->kind[i];
        obs[i].note = notes[t->kind[i]];
    }
    st = lc_ptls_judge(obs, t->n, 443, msg, sizeof(msg));
    ck_assert_msg(st == t->want, "case %d: status %d, want %d: %s", _i, (int)st, (int)t->want, msg);
    ck_assert_msg(strstr(msg, t->msg) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg, msg);
    ck_assert_int_eq(lc_ptls_judge(obs, t->n, 443, small, sizeof(small)), t->want);
    ck_assert_uint_lt(strlen(small), sizeof(small));
    ck_assert_int_eq(lc_ptls_judge(obs, t->n, 443, NULL, 0), t->want);
    ck_assert_str_eq(lc_ptls_kind_name(LC_PTLS_PSEUDO), "pseudo-tls");
}
END_TEST

static void lc_stun_ignore_sigpipe(void)
{
    signal(SIGPIPE, SIG_IGN);
}

Suite *lc_suite_stun(void)
{
    Suite *s = suite_create("stun");
    TCase *parse = tcase_create("parse");
    TCase *probe = tcase_create("probe");
    TCase *judge = tcase_create("judge");

    tcase_add_test(parse, test_rfc5769_ipv4_response);
    tcase_add_test(parse, test_rfc5769_ipv6_response);
    tcase_add_test(parse, test_rfc5769_request);
    tcase_add_test(parse, test_fingerprint_mismatch);
    tcase_add_test(parse, test_msturn_401);
    tcase_add_test(parse, test_rfc5389_401_realm_numbering);
    tcase_add_test(parse, test_requests);
    tcase_add_test(parse, test_malformed);
    tcase_add_test(parse, test_unknown_required_and_tid);
    tcase_add_test(parse, test_hostile_text);
    tcase_add_test(parse, test_truncations_and_corruptions);
    tcase_add_test(parse, test_hex);
    tcase_set_timeout(probe, 20);
    tcase_add_checked_fixture(probe, lc_stun_ignore_sigpipe, NULL);
    tcase_add_test(probe, test_probe_msturn_edge);
    tcase_add_test(probe, test_probe_stun_only);
    tcase_add_test(probe, test_probe_garbage);
    tcase_add_test(probe, test_probe_other_tid_and_silence);
    tcase_add_test(probe, test_probe_closed);
    tcase_add_test(probe, test_probe_two_addresses);
    tcase_add_test(probe, test_probe_unknown_av_edge);
    tcase_add_test(probe, test_probe_pseudo_tls);
    tcase_add_test(probe, test_probe_pseudo_tls_closed);
    tcase_add_loop_test(judge, test_turn_judge, 0,
                        (int)(sizeof(lc_t_turn_cases) / sizeof(lc_t_turn_cases[0])));
    tcase_add_loop_test(judge, test_turn_judge_bounded, 0,
                        (int)(sizeof(lc_t_turn_cases) / sizeof(lc_t_turn_cases[0])));
    tcase_add_test(judge, test_turn_judge_alternate_v6);
    tcase_add_loop_test(judge, test_ptls_judge, 0,
                        (int)(sizeof(lc_t_ptls_cases) / sizeof(lc_t_ptls_cases[0])));
    suite_add_tcase(s, parse);
    suite_add_tcase(s, probe);
    suite_add_tcase(s, judge);
    return s;
}
