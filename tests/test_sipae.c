/* SPDX-License-Identifier: MIT */
/* Unit tests of the [MS-SIPAE] NTLM sign-in's pure parts: the NTLM
 * computations against the [MS-NLMP] 4.2.4 (NTLMv2) test vectors, the
 * header values, the signature strings of [MS-SIPAE] 3.2.5, the request,
 * and the verdict from a table of cases. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip.h"
#include "sipae.h"
#include "suites.h"

static void lc_t_unhex(const char *hex, uint8_t *out, size_t n)
{
    size_t i;

    ck_assert_uint_eq(strlen(hex), 2 * n);
    for (i = 0; i < n; i++) {
        unsigned v = 0;
        int k;
        for (k = 0; k < 2; k++) {
            char c = hex[2 * i + (size_t)k];
            v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        out[i] = (uint8_t)v;
    }
}

static void lc_t_eq_hex(const uint8_t *got, const char *hex, size_t n)
{
    uint8_t want[64];

    lc_t_unhex(hex, want, n);
    ck_assert_msg(memcmp(got, want, n) == 0, "bytes differ from %s", hex);
}

/* [MS-NLMP] 4.2.1 common values and 4.2.4 NTLMv2: User "User", domain
 * "Domain", password "Password", ServerChallenge 0123456789abcdef,
 * ClientChallenge aa x 8, RandomSessionKey 55 x 16, Time 0, flags
 * 0xe2888235, TargetInfo MsvAvNbDomainName "Domain", MsvAvNbComputerName
 * "Server". */
static void lc_t_nlmp_challenge(struct lc_ntlm_challenge *ch)
{
    static const char dom[] = "Domain", srv[] = "Server";
    size_t i, o = 0;

    memset(ch, 0, sizeof(*ch));
    ch->flags = 0xe2888235u;
    lc_t_unhex("0123456789abcdef", ch->server_challenge, 8);
    ch->target_info[o++] = 2;
    ch->target_info[o++] = 0;
    ch->target_info[o++] = 12;
    ch->target_info[o++] = 0;
    for (i = 0; i < 6; i++) {
        ch->target_info[o++] = (uint8_t)dom[i];
        ch->target_info[o++] = 0;
    }
    ch->target_info[o++] = 1;
    ch->target_info[o++] = 0;
    ch->target_info[o++] = 12;
    ch->target_info[o++] = 0;
    for (i = 0; i < 6; i++) {
        ch->target_info[o++] = (uint8_t)srv[i];
        ch->target_info[o++] = 0;
    }
    o += 4; /* MsvAvEOL */
    ch->target_info_len = o;
}

START_TEST(test_nlmp_ntowfv2)
{
    uint8_t k[16];

    ck_assert_int_eq(lc_ntlm_ntowfv2("Password", "User", "Domain", k), 0);
    lc_t_eq_hex(k, "0c868a403bfd7a93a3001ef22ef02e3f", 16); /* [MS-NLMP] 4.2.4.1.1 */
}
END_TEST

START_TEST(test_nlmp_authenticate)
{
    struct lc_ntlm_challenge ch;
    struct lc_ntlm_auth_in in;
    struct lc_ntlm_keys keys;
    uint8_t cc[8], sk[16], msg[2048];
    size_t n = 0;
    char why[200];
    unsigned lm_off, nt_off, key_off;

    lc_t_nlmp_challenge(&ch);
    memset(cc, 0xaa, sizeof(cc));
    memset(sk, 0x55, sizeof(sk));
    memset(&in, 0, sizeof(in));
    in.user = "User";
    in.domain = "Domain";
    in.password = "Password";
    in.workstation = "COMPUTER";
    in.client_challenge = cc;
    in.session_key = sk;
    in.timestamp = 0;
    ck_assert_int_eq(
        lc_ntlm_authenticate_build(&ch, &in, msg, sizeof(msg), &n, &keys, why, sizeof(why)), 0);
    ck_assert_uint_gt(n, 72);
    ck_assert(memcmp(msg, "NTLMSSP\0\3\0\0\0", 12) == 0);
    lm_off = msg[16] | (unsigned)msg[17] << 8;
    nt_off = msg[24] | (unsigned)msg[25] << 8;
    key_off = msg[56] | (unsigned)msg[57] << 8;
    ck_assert_uint_eq(msg[12], 24);
    /* 4.2.4.2.1 LMv2 response, 4.2.4.2.2 NTProofStr (the NTLMv2 response's
     * first 16 bytes), 4.2.4.2.3 the encrypted session key. */
    lc_t_eq_hex(msg + lm_off, "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa", 24);
    lc_t_eq_hex(msg + nt_off, "68cd0ab851e51c96aabc927bebef6a1c", 16);
    ck_assert_uint_eq(msg[52], 16);
    lc_t_eq_hex(msg + key_off, "c5dad2544fc9799094ce1ce90bc9d03e", 16);
    /* 4.2.4.4: the client's keys. */
    lc_t_eq_hex(keys.client_sign, "4788dc861b4782f35d43fd98fe1a2d39", 16);
    lc_t_eq_hex(keys.client_seal, "59f600973cc4960a25480a7c196e4c58", 16);
    ck_assert_uint_eq(keys.flags & LC_NTLM_KEY_EXCH, LC_NTLM_KEY_EXCH);
}
END_TEST

/* 4.2.4.4 GSS_WrapEx: RC4 with the client's sealing key over "Plaintext"
 * (Unicode), then over the HMAC checksum of SeqNum 0 || message, on one
 * stream: the sealed data and the signature's checksum. */
START_TEST(test_nlmp_seal_stream)
{
    static const uint8_t pt[] = {'P', 0,   'l', 0,   'a', 0,   'i', 0,   'n',
                                 0,   't', 0,   'e', 0,   'x', 0,   't', 0};
    uint8_t sign[16], seal[16], buf[4 + sizeof(pt)], hmac[16], in[sizeof(pt) + 8], out[sizeof(in)];
    uint8_t rsk[16];

    memset(rsk, 0x55, sizeof(rsk));
    ck_assert_int_eq(lc_ntlm_signkey(rsk, 1, sign), 0);
    ck_assert_int_eq(lc_ntlm_sealkey(0xe2888235u, rsk, 1, seal), 0);
    memset(buf, 0, 4);
    memcpy(buf + 4, pt, sizeof(pt));
    ck_assert_int_eq(lc_ntlm_hmac_md5(sign, 16, buf, sizeof(buf), hmac), 0);
    memcpy(in, pt, sizeof(pt));
    memcpy(in + sizeof(pt), hmac, 8);
    ck_assert_int_eq(lc_ntlm_rc4(seal, 16, in, sizeof(in), out), 0);
    lc_t_eq_hex(out, "54e50165bf1936dc996020c1811b0f06fb5f", sizeof(pt));
    lc_t_eq_hex(out + sizeof(pt), "7fb38ec5c55d4976", 8);
}
END_TEST

/* The MAC of a SIP signature string with the 4.2.4 keys, SeqNum 100: the
 * connection-oriented value agrees with impacket's ntlm.MAC; the
 * connectionless one uses MD5(SealingKey, SeqNum) as the RC4 key
 * ([MS-NLMP] 3.4.3). */
START_TEST(test_mac_seqnum_100)
{
    static const char m[] = "<NTLM><1a2b3c4d><1><SIP Communications Service>"
                            "<fe01.corp.contoso.test>";
    uint8_t rsk[16], sign[16], seal[16], sig[16];

    memset(rsk, 0x55, sizeof(rsk));
    ck_assert_int_eq(lc_ntlm_signkey(rsk, 1, sign), 0);
    ck_assert_int_eq(lc_ntlm_sealkey(0xe2888235u, rsk, 1, seal), 0);
    ck_assert_int_eq(lc_ntlm_mac(0xe2888235u, sign, seal, LC_SIPAE_NTLM_SEQNUM, m, strlen(m), sig),
                     0);
    lc_t_eq_hex(sig, "0100000058cb60ea71afdddc64000000", 16);
    ck_assert_int_eq(lc_ntlm_mac(0xe2888235u | LC_NTLM_DATAGRAM, sign, seal, LC_SIPAE_NTLM_SEQNUM,
                                 m, strlen(m), sig),
                     0);
    lc_t_eq_hex(sig, "010000001b47fd3efaf8edd264000000", 16);
    /* Without extended session security: refused, not guessed. */
    ck_assert_int_eq(lc_ntlm_mac(LC_NTLM_KEY_EXCH, sign, seal, 100, m, strlen(m), sig), -1);
}
END_TEST

/* A CHALLENGE_MESSAGE as bytes: flags, challenge, a target info with a
 * timestamp. */
static size_t lc_t_challenge_bytes(uint8_t *b, uint32_t flags, int with_ti)
{
    static const char dom[] = "LAB";
    size_t o = 56, i, ti;

    memset(b, 0, 200);
    memcpy(b, "NTLMSSP\0", 8);
    b[8] = 2;
    b[20] = (uint8_t)flags;
    b[21] = (uint8_t)(flags >> 8);
    b[22] = (uint8_t)(flags >> 16);
    b[23] = (uint8_t)(flags >> 24);
    memset(b + 24, 0x11, 8);
    if (!with_ti)
        return 48;
    ti = o;
    b[o] = 2;
    b[o + 2] = 6;
    o += 4;
    for (i = 0; i < 3; i++) {
        b[o++] = (uint8_t)dom[i];
        b[o++] = 0;
    }
    b[o] = 7;
    b[o + 2] = 8;
    o += 4;
    b[o + 5] = 0x01; /* some FILETIME */
    o += 8;
    o += 4; /* EOL */
    b[40] = (uint8_t)(o - ti);
    b[42] = (uint8_t)(o - ti);
    b[44] = (uint8_t)ti;
    return o;
}

START_TEST(test_challenge_parse)
{
    uint8_t b[200];
    struct lc_ntlm_challenge ch;
    char why[200];
    size_t n = lc_t_challenge_bytes(b, 0xe29882f3u, 1);

    ck_assert_int_eq(lc_ntlm_challenge_parse(b, n, &ch, why, sizeof(why)), 0);
    ck_assert_uint_eq(ch.flags, 0xe29882f3u);
    ck_assert_str_eq(ch.nb_domain, "LAB");
    ck_assert_int_eq(ch.has_timestamp, 1);
    ck_assert_uint_eq(ch.timestamp, (uint64_t)1 << 40);
    /* Hostile or broken ones: a verdict, never a read past the end. */
    ck_assert_int_eq(lc_ntlm_challenge_parse(b, 40, &ch, why, sizeof(why)), -1);
    b[8] = 3;
    ck_assert_int_eq(lc_ntlm_challenge_parse(b, n, &ch, why, sizeof(why)), -1);
    ck_assert(strstr(why, "type 3") != NULL);
    b[8] = 2;
    b[44] = 250; /* target info offset past the end */
    ck_assert_int_eq(lc_ntlm_challenge_parse(b, n, &ch, why, sizeof(why)), -1);
    b[44] = 56;
    b[58] = 200; /* an AV_PAIR longer than the list */
    ck_assert_int_eq(lc_ntlm_challenge_parse(b, n, &ch, why, sizeof(why)), -1);
    b[58] = 6;
    memcpy(b, "NTLMSSX\0", 8);
    ck_assert_int_eq(lc_ntlm_challenge_parse(b, n, &ch, why, sizeof(why)), -1);
}
END_TEST

/* A server without extended session security, or without target info,
 * gets no AUTHENTICATE: lynccheck signs only the way Lync does. */
START_TEST(test_authenticate_refusals)
{
    uint8_t b[200], msg[2048], cc[8] = {0}, sk[16] = {0};
    struct lc_ntlm_challenge ch;
    struct lc_ntlm_auth_in in;
    struct lc_ntlm_keys keys;
    char why[200];
    size_t n;

    memset(&in, 0, sizeof(in));
    in.user = "lab.user@signin.test";
    in.domain = "";
    in.password = "x";
    in.workstation = "W";
    in.client_challenge = cc;
    in.session_key = sk;
    n = lc_t_challenge_bytes(b, 0xe29882f3u & ~LC_NTLM_ESS, 1);
    ck_assert_int_eq(lc_ntlm_challenge_parse(b, n, &ch, why, sizeof(why)), 0);
    ck_assert_int_eq(
        lc_ntlm_authenticate_build(&ch, &in, msg, sizeof(msg), &n, &keys, why, sizeof(why)), -1);
    ck_assert(strstr(why, "extended session security") != NULL);
    n = lc_t_challenge_bytes(b, 0xe29882f3u, 0);
    ck_assert_int_eq(lc_ntlm_challenge_parse(b, n, &ch, why, sizeof(why)), 0);
    ck_assert_int_eq(
        lc_ntlm_authenticate_build(&ch, &in, msg, sizeof(msg), &n, &keys, why, sizeof(why)), -1);
    n = lc_t_challenge_bytes(b, 0xe29882f3u, 1);
    ck_assert_int_eq(lc_ntlm_challenge_parse(b, n, &ch, why, sizeof(why)), 0);
    ck_assert_int_eq(lc_ntlm_authenticate_build(&ch, &in, msg, 80, &n, &keys, why, sizeof(why)),
                     -1);
    ck_assert_int_eq(
        lc_ntlm_authenticate_build(&ch, &in, msg, sizeof(msg), &n, &keys, why, sizeof(why)), 0);
    /* The flags answered: the server's that lynccheck speaks. */
    ck_assert_uint_eq(keys.flags & LC_NTLM_DATAGRAM, LC_NTLM_DATAGRAM);
    ck_assert_uint_eq(keys.flags & 0x20u, 0); /* SEAL: never asked for */
}
END_TEST

/* ---- header values ---- */

START_TEST(test_auth_parse)
{
    struct lc_sipae_auth a;

    ck_assert_int_eq(
        lc_sipae_auth_parse("NTLM opaque=\"1A2B3C4D\", gssapi-data=\"TlRMTVNTUAACAAAA\","
                            " targetname=\"fe01.corp.contoso.test\", "
                            "realm=\"SIP Communications Service\", version=4",
                            &a),
        0);
    ck_assert_str_eq(a.scheme, "NTLM");
    ck_assert_str_eq(a.opaque, "1A2B3C4D");
    ck_assert_str_eq(a.gssapi_data, "TlRMTVNTUAACAAAA");
    ck_assert_int_eq(a.has_gssapi, 1);
    ck_assert_str_eq(a.targetname, "fe01.corp.contoso.test");
    ck_assert_str_eq(a.realm, "SIP Communications Service");
    ck_assert_str_eq(a.version, "4");
    ck_assert_int_eq(
        lc_sipae_auth_parse("NTLM qop=\"auth\", opaque=\"0999F355\", srand=\"AE4D44F8\","
                            "snum=\"1\",rspauth=\"0100000000000000aabbccdd00112233\","
                            " targetname=\"x\", realm=\"r\", version=4",
                            &a),
        0);
    ck_assert_str_eq(a.srand, "AE4D44F8");
    ck_assert_str_eq(a.snum, "1");
    ck_assert_str_eq(a.rspauth, "0100000000000000aabbccdd00112233");
    ck_assert_int_eq(a.has_gssapi, 0);
    ck_assert_int_eq(lc_sipae_auth_parse("NTLM gssapi-data=\"\", realm=\"r\"", &a), 0);
    ck_assert_int_eq(a.has_gssapi, 1);
    ck_assert_str_eq(a.gssapi_data, "");
    /* Broken: an unterminated quote, a parameter without '=', nothing. */
    ck_assert_int_eq(lc_sipae_auth_parse("NTLM realm=\"abc", &a), -1);
    ck_assert_int_eq(lc_sipae_auth_parse("NTLM realm", &a), -1);
    ck_assert_int_eq(lc_sipae_auth_parse("", &a), -1);
}
END_TEST

START_TEST(test_authz_build)
{
    struct lc_sipae_authz z;
    char out[1024];

    memset(&z, 0, sizeof(z));
    z.realm = "SIP Communications Service";
    z.targetname = "fe01.corp.contoso.test";
    z.gssapi = "";
    z.version = 4;
    ck_assert_int_gt(lc_sipae_authz_build(out, sizeof(out), &z), 0);
    ck_assert_str_eq(out, "NTLM qop=\"auth\", realm=\"SIP Communications Service\", "
                          "targetname=\"fe01.corp.contoso.test\", gssapi-data=\"\", version=4");
    z.opaque = "1A2B";
    z.gssapi = "TlRM";
    z.crand = "0a1b2c3d";
    z.cnum = "1";
    z.response = "01000000";
    ck_assert_int_gt(lc_sipae_authz_build(out, sizeof(out), &z), 0);
    ck_assert_str_eq(out, "NTLM qop=\"auth\", opaque=\"1A2B\", realm=\"SIP Communications "
                          "Service\", targetname=\"fe01.corp.contoso.test\", gssapi-data=\"TlRM\", "
                          "version=4, crand=\"0a1b2c3d\", cnum=\"1\", response=\"01000000\"");
    z.realm = "evil\"realm";
    ck_assert_int_eq(lc_sipae_authz_build(out, sizeof(out), &z), -1);
    z.realm = "r";
    ck_assert_int_eq(lc_sipae_authz_build(out, 20, &z), -1);
}
END_TEST

/* [MS-SIPAE] 3.2.5.1.2: the client's signature string, version 4 (with To
 * URI and P-Asserted-Identity) and version 2 (the older list). */
START_TEST(test_sig_string)
{
    struct lc_sipae_sig_fields f;
    char out[1024];

    memset(&f, 0, sizeof(f));
    f.scheme = "NTLM";
    f.rand = "0a1b2c3d";
    f.num = "2";
    f.realm = "SIP Communications Service";
    f.targetname = "fe01.corp.contoso.test";
    f.call_id = "c4ll";
    f.cseq_num = "4";
    f.method = "REGISTER";
    f.from_uri = "sip:alice@contoso.test";
    f.from_tag = "t1";
    f.to_uri = "sip:alice@contoso.test";
    f.to_tag = "";
    f.expires = "0";
    f.version = 4;
    ck_assert_int_gt(lc_sipae_sig_string(&f, out, sizeof(out)), 0);
    ck_assert_str_eq(out, "<NTLM><0a1b2c3d><2><SIP Communications Service><fe01.corp.contoso.test>"
                          "<c4ll><4><REGISTER><sip:alice@contoso.test><t1><sip:alice@contoso.test>"
                          "<><><><0>");
    f.version = 2;
    f.code = 200;
    f.expires = "";
    ck_assert_int_gt(lc_sipae_sig_string(&f, out, sizeof(out)), 0);
    ck_assert_str_eq(out, "<NTLM><0a1b2c3d><2><SIP Communications Service><fe01.corp.contoso.test>"
                          "<c4ll><4><REGISTER><sip:alice@contoso.test><t1><><><200>");
    ck_assert_int_eq(lc_sipae_sig_string(&f, out, 30), -1);
}
END_TEST

static const char lc_t_200[] =
    "SIP/2.0 200 OK\r\n"
    "Authentication-Info: NTLM qop=\"auth\", opaque=\"0999F355\", srand=\"AE4D44F8\", snum=\"1\", "
    "rspauth=\"RSPAUTH\", targetname=\"fe01.corp.contoso.test\", "
    "realm=\"SIP Communications Service\", version=4\r\n"
    "From: \"Alice\"<sip:alice@contoso.test>;tag=7DFF5C53;epid=451e9252b6\r\n"
    "To: <sip:alice@contoso.test>;tag=C5FE2F33\r\n"
    "Call-ID: 501ED1D3\r\n"
    "CSeq: 3 REGISTER\r\n"
    "Via: SIP/2.0/TLS 192.0.2.1:17925;branch=z9hG4bK86;ms-received-port=17925\r\n"
    "Contact: <sip:alice@192.0.2.1:17925;transport=tls>;expires=300\r\n"
    "Expires: 300\r\n"
    "P-Asserted-Identity: \"Alice\"<sip:alice@contoso.test>, <tel:+15550100>\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

/* [MS-SIPAE] 3.2.5.2: the server's signature string from a 200 OK, and a
 * signature made with the server's keys verifies against it. */
START_TEST(test_response_sig)
{
    struct lc_sip_response r;
    struct lc_sipae_auth ai;
    char s[2048];
    uint8_t rsk[16], sign[16], seal[16], mac[16];
    int n;

    ck_assert_int_eq(lc_sip_response_parse(lc_t_200, strlen(lc_t_200), &r), LC_SIP_COMPLETE);
    ck_assert_int_eq(lc_sipae_find_ntlm(&r, "Authentication-Info", &ai), 1);
    n = lc_sipae_response_sig_string(&r, &ai, 4, s, sizeof(s));
    ck_assert_int_gt(n, 0);
    ck_assert_str_eq(s, "<NTLM><AE4D44F8><1><SIP Communications Service><fe01.corp.contoso.test>"
                        "<501ED1D3><3><REGISTER><sip:alice@contoso.test><7DFF5C53>"
                        "<sip:alice@contoso.test><C5FE2F33><sip:alice@contoso.test><tel:+15550100>"
                        "<300><200>");
    memset(rsk, 0x55, sizeof(rsk));
    ck_assert_int_eq(lc_ntlm_signkey(rsk, 0, sign), 0);
    ck_assert_int_eq(lc_ntlm_sealkey(0xe29882f3u, rsk, 0, seal), 0);
    ck_assert_int_eq(lc_ntlm_mac(0xe29882f3u, sign, seal, 100, s, (size_t)n, mac), 0);
    ck_assert_uint_eq(mac[12], 100);
    lc_sip_response_clear(&r);
}
END_TEST

START_TEST(test_request_build)
{
    struct lc_sipae_req q;
    char buf[4096];

    memset(&q, 0, sizeof(q));
    q.domain = "contoso.test";
    q.user = "alice@contoso.test";
    q.via_host = "::1";
    q.via_port = 50000;
    q.branch = "b1";
    q.from_tag = "t1";
    q.epid = "e1";
    q.call_id = "c1";
    q.instance = "00000000-0000-0000-0000-000000000000";
    q.cseq = 4;
    q.expires = 0;
    q.authorization = "NTLM qop=\"auth\"";
    q.user_agent = "lynccheck/test";
    ck_assert_int_gt(lc_sipae_request_build(buf, sizeof(buf), &q), 0);
    ck_assert(strncmp(buf, "REGISTER sip:contoso.test SIP/2.0\r\n", 35) == 0);
    ck_assert(strstr(buf, "Via: SIP/2.0/TLS [::1]:50000;branch=z9hG4bKb1\r\n") != NULL);
    ck_assert(strstr(buf, "From: <sip:alice@contoso.test>;tag=t1;epid=e1\r\n") != NULL);
    ck_assert(strstr(buf, "To: <sip:alice@contoso.test>\r\n") != NULL);
    ck_assert(strstr(buf, "CSeq: 4 REGISTER\r\n") != NULL);
    ck_assert(strstr(buf, "Expires: 0\r\n") != NULL);
    ck_assert(strstr(buf, "Authorization: NTLM qop=\"auth\"\r\n") != NULL);
    ck_assert(strstr(buf, "\r\n\r\n") == buf + strlen(buf) - 4);
    q.proxy = 1; /* a 407's challenge: Proxy-Authorization (RFC 3261 22.3) */
    ck_assert_int_gt(lc_sipae_request_build(buf, sizeof(buf), &q), 0);
    ck_assert(strstr(buf, "\r\nProxy-Authorization: NTLM qop=\"auth\"\r\n") != NULL);
    q.proxy = 0;
    q.expires = -1;
    q.authorization = NULL;
    ck_assert_int_gt(lc_sipae_request_build(buf, sizeof(buf), &q), 0);
    ck_assert(strstr(buf, "Expires:") == NULL);
    ck_assert(strstr(buf, "Authorization:") == NULL);
    q.user = "alice\r\nX: y";
    ck_assert_int_eq(lc_sipae_request_build(buf, sizeof(buf), &q), -1);
}
END_TEST

START_TEST(test_contact_target)
{
    static const struct {
        const char *contact;
        int rc;
        const char *host;
        unsigned port;
    } cases[] = {
        {"<sip:192.0.2.5:5061;transport=tls>", 0, "192.0.2.5", 5061},
        {"<sip:pool01.corp.contoso.test;transport=tls>", 0, "pool01.corp.contoso.test", 5061},
        {"\"Pool\" <sips:user@[2001:db8::5]:5062>", 0, "2001:db8::5", 5062},
        {"sip:127.0.0.1:443", 0, "127.0.0.1", 443},
        {"<http://x/>", -1, NULL, 0},
        {"<sip:host:99999>", -1, NULL, 0},
        {"<sip::5061>", -1, NULL, 0},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char host[256];
        unsigned port = 0;
        int rc = lc_sipae_contact_target(cases[i].contact, host, sizeof(host), &port);
        ck_assert_msg(rc == cases[i].rc, "case %zu: %d", i, rc);
        if (rc == 0) {
            ck_assert_str_eq(host, cases[i].host);
            ck_assert_uint_eq(port, cases[i].port);
        }
    }
}
END_TEST

/* ---- the verdict ---- */

static const struct lc_sip_diag lc_t_remote[] = {
    {"1000", "Remote access is not allowed for this user", "access.contoso.test", 0}};
static const struct lc_sip_diag lc_t_other[] = {{"4005", "Unable to route", "fe01", 0}};

static const struct lc_t_judge_case {
    const char *name;
    struct lc_sipae_facts f;
    enum lc_status want;
    const char *diagnosis;
    const char *text;
} lc_t_judge_cases[] = {
    {"good user",
     {.leg = LC_SIPAE_LEG_UNREGISTER,
      .status = 200,
      .sig_present = 1,
      .sig_ok = 1,
      .unreg_status = 200,
      .elapsed_ms = 42},
     LC_PASS,
     NULL,
     "registered through access.contoso.test:443 in 42 ms: server signature verified"},
    {"good user via home pool",
     {.leg = LC_SIPAE_LEG_UNREGISTER,
      .status = 200,
      .sig_present = 1,
      .sig_ok = 1,
      .unreg_status = 200,
      .home_pool = "&lt;sip:127.0.0.1:5061&gt;",
      .redirect_followed = 1},
     LC_PASS,
     NULL,
     "(home pool"},
    {"wrong password",
     {.leg = LC_SIPAE_LEG_AUTH, .status = 401, .ntlm_offered = 1, .got_challenge = 1},
     LC_FAIL,
     "sipae-credentials-rejected",
     "credentials rejected (401 after the NTLM AUTHENTICATE"},
    {"remote access off",
     {.leg = LC_SIPAE_LEG_AUTH,
      .status = 403,
      .reason = "Forbidden",
      .diag = lc_t_remote,
      .n_diag = 1},
     LC_FAIL,
     "sipae-remote-access-disabled",
     "not enabled for remote access"},
    {"403 for another reason",
     {.leg = LC_SIPAE_LEG_AUTH,
      .status = 403,
      .reason = "Forbidden",
      .diag = lc_t_other,
      .n_diag = 1},
     LC_FAIL,
     NULL,
     "answers 403 Forbidden"},
    {"NTLM not offered",
     {.leg = LC_SIPAE_LEG_PROBE, .status = 401, .schemes = "Kerberos"},
     LC_FAIL,
     "sipae-ntlm-not-offered",
     "offers no NTLM (challenges: Kerberos)"},
    {"open registrar",
     {.leg = LC_SIPAE_LEG_PROBE, .status = 200},
     LC_FAIL,
     NULL,
     "registers anyone"},
    {"no CHALLENGE",
     {.leg = LC_SIPAE_LEG_NEGOTIATE, .status = 401, .ntlm_offered = 1},
     LC_FAIL,
     "sipae-ntlm-broken",
     "without an NTLM CHALLENGE"},
    {"bad CHALLENGE",
     {.leg = LC_SIPAE_LEG_NEGOTIATE, .status = 401, .ntlm_why = "TargetInfo without MsvAvEOL"},
     LC_FAIL,
     "sipae-ntlm-broken",
     "MsvAvEOL"},
    {"signature wrong",
     {.leg = LC_SIPAE_LEG_UNREGISTER,
      .status = 200,
      .sig_present = 1,
      .sig_ok = 0,
      .unreg_status = 200},
     LC_FAIL,
     "sipae-signature-invalid",
     "does not verify"},
    {"signature missing",
     {.leg = LC_SIPAE_LEG_UNREGISTER, .status = 200, .sig_present = 0, .unreg_status = 200},
     LC_FAIL,
     "sipae-signature-invalid",
     "carries no signature"},
    {"unregister refused",
     {.leg = LC_SIPAE_LEG_UNREGISTER,
      .status = 200,
      .sig_present = 1,
      .sig_ok = 1,
      .unreg_status = 500},
     LC_WARN,
     NULL,
     "unREGISTER answered 500"},
    {"unregister silent",
     {.leg = LC_SIPAE_LEG_UNREGISTER,
      .status = 0,
      .sig_present = 1,
      .sig_ok = 1,
      .transport_why = "nothing within 4500 ms"},
     LC_WARN,
     NULL,
     "got no answer"},
    {"timeout at the AUTHENTICATE",
     {.leg = LC_SIPAE_LEG_AUTH, .transport_why = "nothing within 4500 ms"},
     LC_FAIL,
     NULL,
     "no answer to the NTLM AUTHENTICATE"},
    {"no connection",
     {.leg = LC_SIPAE_LEG_CONNECT, .transport_why = "Connection refused"},
     LC_FAIL,
     NULL,
     "Connection refused"},
    {"home pool unreachable",
     {.leg = LC_SIPAE_LEG_CONNECT,
      .transport_why = "Connection refused",
      .redirect_followed = 1,
      .home_pool = "&lt;sip:127.0.0.1:5061&gt;"},
     LC_FAIL,
     NULL,
     "after the redirect to the home pool &lt;sip:127.0.0.1:5061&gt;: Connection"},
    {"redirect not followed",
     {.leg = LC_SIPAE_LEG_AUTH,
      .status = 301,
      .home_pool = "&lt;sip:pool01.corp&gt;",
      .redirect_why = "the home pool is named"},
     LC_WARN,
     NULL,
     "redirected to the home pool"},
    {"local crypto",
     {.leg = LC_SIPAE_LEG_NEGOTIATE, .status = 401, .local_why = "no MD4"},
     LC_ERROR,
     NULL,
     "no MD4"},
    {"200 then nothing sent",
     {.leg = LC_SIPAE_LEG_AUTH, .status = 200, .sig_present = 1, .sig_ok = 1},
     LC_ERROR,
     NULL,
     "no unREGISTER"},
};

START_TEST(test_judge_case)
{
    const struct lc_t_judge_case *c = &lc_t_judge_cases[_i];
    struct lc_sipae_facts f = c->f;
    const char *diagnosis = "unset";
    char msg[1024];
    enum lc_status st;

    f.user = "lab.user@contoso.test";
    f.edge = "access.contoso.test";
    f.port = 443;
    st = lc_sipae_judge(&f, msg, sizeof(msg), &diagnosis);
    ck_assert_msg(st == c->want, "%s: status %d, want %d (%s)", c->name, st, c->want, msg);
    if (c->diagnosis == NULL)
        ck_assert_msg(diagnosis == NULL, "%s: diagnosis %s", c->name, diagnosis);
    else
        ck_assert_msg(diagnosis != NULL && strcmp(diagnosis, c->diagnosis) == 0, "%s: diagnosis %s",
                      c->name, diagnosis ? diagnosis : "(null)");
    ck_assert_msg(strstr(msg, c->text) != NULL, "%s: \"%s\" lacks \"%s\"", c->name, msg, c->text);
    ck_assert_msg(strstr(msg, "lab.user@contoso.test") != NULL || c->want == LC_ERROR,
                  "%s: no user in \"%s\"", c->name, msg);
}
END_TEST

START_TEST(test_remote_refused)
{
    static const struct lc_sip_diag other[] = {{"1", "Federation is not enabled", "x", 0}};

    ck_assert_int_eq(lc_sipae_diag_remote_refused(lc_t_remote, 1), 1);
    ck_assert_int_eq(lc_sipae_diag_remote_refused(other, 1), 0);
    ck_assert_int_eq(lc_sipae_diag_remote_refused(other, 0), 0);
}
END_TEST

Suite *lc_suite_sipae(void)
{
    Suite *s = suite_create("sipae");
    TCase *ntlm = tcase_create("ntlm");
    TCase *hdr = tcase_create("headers");
    TCase *judge = tcase_create("judge");
    int n = (int)(sizeof(lc_t_judge_cases) / sizeof(lc_t_judge_cases[0]));

    tcase_add_test(ntlm, test_nlmp_ntowfv2);
    tcase_add_test(ntlm, test_nlmp_authenticate);
    tcase_add_test(ntlm, test_nlmp_seal_stream);
    tcase_add_test(ntlm, test_mac_seqnum_100);
    tcase_add_test(ntlm, test_challenge_parse);
    tcase_add_test(ntlm, test_authenticate_refusals);
    tcase_add_test(hdr, test_auth_parse);
    tcase_add_test(hdr, test_authz_build);
    tcase_add_test(hdr, test_sig_string);
    tcase_add_test(hdr, test_response_sig);
    tcase_add_test(hdr, test_request_build);
    tcase_add_test(hdr, test_contact_target);
    tcase_add_loop_test(judge, test_judge_case, 0, n);
    tcase_add_test(judge, test_remote_refused);
    suite_add_tcase(s, ntlm);
    suite_add_tcase(s, hdr);
    suite_add_tcase(s, judge);
    return s;
}
