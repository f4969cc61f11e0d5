/* SPDX-License-Identifier: MIT */
/* lynccheck - [MS-SIPAE] NTLM sign-in: the pure parts (see sipae.h).
 *
 * The NTLM here is NTLMv2 with extended session security in connectionless
 * mode, what Office Communications Server and Lync servers offer SIP
 * clients (their CHALLENGE sets DATAGRAM, KEY_EXCH, 128, extended session
 * security and target info). Why not GSSAPI with gss-ntlmssp: its
 * gss_get_mic() signs a connectionless context with its own sequence number
 * (it stays 0: no GSSAPI call sets it), while Lync signs SIP with the
 * application's number 100 ([MS-NLMP] 3.4.4 lets the application choose
 * it); so the messages are built here from [MS-NLMP] with OpenSSL's
 * primitives, and tests/test_sipae.c checks them against the [MS-NLMP] 4.2.4
 * test vectors. */
#include "sipae.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/provider.h>
#endif
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "msg.h"
#include "utf8.h"

/* ---------------------------------------------------------------- crypto */

/* MD4 and RC4 live in OpenSSL 3's legacy provider: a library context of
 * our own loads it for the one call, so the rest of lynccheck keeps the
 * default provider alone. */
struct lc_legacy {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    OSSL_LIB_CTX *lib;
    OSSL_PROVIDER *legacy, *def;
#else
    int unused;
#endif
};

static int lc_legacy_open(struct lc_legacy *l)
{
    memset(l, 0, sizeof(*l));
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    l->lib = OSSL_LIB_CTX_new();
    if (l->lib == NULL)
        return -1;
    l->legacy = OSSL_PROVIDER_load(l->lib, "legacy");
    l->def = OSSL_PROVIDER_load(l->lib, "default");
    if (l->legacy == NULL || l->def == NULL) {
        ERR_clear_error();
        return -1;
    }
#endif
    return 0;
}

static void lc_legacy_close(struct lc_legacy *l)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    if (l->legacy != NULL)
        OSSL_PROVIDER_unload(l->legacy);
    if (l->def != NULL)
        OSSL_PROVIDER_unload(l->def);
    OSSL_LIB_CTX_free(l->lib);
#endif
    memset(l, 0, sizeof(*l));
}

static int lc_ntlm_md4(const uint8_t *in, size_t len, uint8_t out[16])
{
    struct lc_legacy l;
    EVP_MD *md = NULL;
    unsigned int n = 0;
    int rc = -1;

    if (lc_legacy_open(&l) < 0)
        goto done;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    md = EVP_MD_fetch(l.lib, "MD4", NULL);
    if (md == NULL)
        goto done;
    if (EVP_Digest(in, len, out, &n, md, NULL) == 1 && n == 16)
        rc = 0;
#else
    if (EVP_Digest(in, len, out, &n, EVP_md4(), NULL) == 1 && n == 16)
        rc = 0;
#endif
done:
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    EVP_MD_free(md);
#else
    (void)md;
#endif
    lc_legacy_close(&l);
    ERR_clear_error();
    return rc;
}

int lc_ntlm_rc4(const uint8_t *key, size_t klen, const uint8_t *in, size_t len, uint8_t *out)
{
    struct lc_legacy l;
    EVP_CIPHER_CTX *ctx = NULL;
    const EVP_CIPHER *c = NULL;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    EVP_CIPHER *fetched = NULL;
#endif
    int n = 0, rc = -1;

    if (klen == 0 || klen > 256 || len > (size_t)1 << 20)
        return -1;
    if (lc_legacy_open(&l) < 0)
        goto done;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    fetched = EVP_CIPHER_fetch(l.lib, "RC4", NULL);
    c = fetched;
#else
    c = EVP_rc4();
#endif
    ctx = EVP_CIPHER_CTX_new();
    if (c == NULL || ctx == NULL)
        goto done;
    if (EVP_EncryptInit_ex(ctx, c, NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_set_key_length(ctx, (int)klen) != 1 ||
        EVP_EncryptInit_ex(ctx, NULL, NULL, key, NULL) != 1)
        goto done;
    if (len > 0 && (EVP_EncryptUpdate(ctx, out, &n, in, (int)len) != 1 || (size_t)n != len))
        goto done;
    rc = 0;
done:
    EVP_CIPHER_CTX_free(ctx);
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    EVP_CIPHER_free(fetched);
#endif
    lc_legacy_close(&l);
    ERR_clear_error();
    return rc;
}

int lc_ntlm_hmac_md5(const uint8_t *key, size_t klen, const uint8_t *data, size_t len,
                     uint8_t out[16])
{
    unsigned int n = 0;

    if (klen > 1024 || HMAC(EVP_md5(), key, (int)klen, data, len, out, &n) == NULL || n != 16) {
        ERR_clear_error();
        return -1;
    }
    return 0;
}

static int lc_ntlm_md5(const uint8_t *data, size_t len, uint8_t out[16])
{
    unsigned int n = 0;

    if (EVP_Digest(data, len, out, &n, EVP_md5(), NULL) != 1 || n != 16) {
        ERR_clear_error();
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- bytes */

static void lc_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void lc_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint16_t lc_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t lc_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* UTF-8 to UTF-16LE ([MS-NLMP] 2.2: Unicode strings), optionally with the
 * ASCII letters upper-cased (NTOWFv2's Uppercase(User): the user names
 * lynccheck signs in with are UPNs). Returns the byte length, or -1 when
 * the input is not UTF-8 or does not fit. */
static long lc_utf16le(const char *s, int upper, uint8_t *out, size_t olen)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, o = 0;

    while (i < n) {
        uint32_t cp;
        size_t k = lc_utf8_len(p + i, n - i, &cp);
        if (k == 0)
            return -1;
        i += k;
        if (upper && cp >= 'a' && cp <= 'z')
            cp -= 'a' - 'A';
        if (cp >= 0x10000) {
            uint32_t v = cp - 0x10000;
            if (o + 4 > olen)
                return -1;
            lc_put16(out + o, (uint16_t)(0xD800 | (v >> 10)));
            lc_put16(out + o + 2, (uint16_t)(0xDC00 | (v & 0x3FF)));
            o += 4;
        } else {
            if (o + 2 > olen)
                return -1;
            lc_put16(out + o, (uint16_t)cp);
            o += 2;
        }
    }
    return (long)o;
}

/* ---------------------------------------------------------------- NTLM */

static const uint8_t lc_ntlm_sig[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};

/* The ASCII of a UTF-16LE AV value, '?' for the rest, for evidence. */
static void lc_ntlm_av_ascii(const uint8_t *v, size_t len, char *out, size_t olen)
{
    size_t i, o = 0;

    for (i = 0; i + 1 < len && o + 1 < olen; i += 2) {
        uint16_t c = lc_get16(v + i);
        out[o++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    out[o] = '\0';
}

int lc_ntlm_challenge_parse(const uint8_t *msg, size_t len, struct lc_ntlm_challenge *out,
                            char *why, size_t wlen)
{
    uint32_t ti_len, ti_off;
    size_t i;

    memset(out, 0, sizeof(*out));
    if (len < 48 || memcmp(msg, lc_ntlm_sig, 8) != 0) {
        snprintf(why, wlen, "not an NTLM message (%zu bytes)", len);
        return -1;
    }
    if (lc_get32(msg + 8) != 2) {
        snprintf(why, wlen, "NTLM message type %u, not a CHALLENGE_MESSAGE (2)",
                 (unsigned)lc_get32(msg + 8));
        return -1;
    }
    out->flags = lc_get32(msg + 20);
    memcpy(out->server_challenge, msg + 24, 8);
    ti_len = lc_get16(msg + 40);
    ti_off = lc_get32(msg + 44);
    if (ti_len == 0)
        return 0;
    if (ti_off > len || ti_len > len - ti_off) {
        snprintf(why, wlen, "TargetInfo (%u bytes at %u) outside the %zu-byte message",
                 (unsigned)ti_len, (unsigned)ti_off, len);
        return -1;
    }
    if (ti_len > sizeof(out->target_info)) {
        snprintf(why, wlen, "TargetInfo of %u bytes, over %zu", (unsigned)ti_len,
                 sizeof(out->target_info));
        return -1;
    }
    memcpy(out->target_info, msg + ti_off, ti_len);
    out->target_info_len = ti_len;
    /* The AV_PAIR list ([MS-NLMP] 2.2.2.1): id, length, value; MsvAvEOL ends it. */
    for (i = 0; i + 4 <= ti_len;) {
        uint16_t id = lc_get16(out->target_info + i), n = lc_get16(out->target_info + i + 2);
        const uint8_t *v = out->target_info + i + 4;
        if (id == 0)
            return 0;
        if (n > ti_len - i - 4) {
            snprintf(why, wlen, "TargetInfo AV_PAIR %u runs past its end", (unsigned)id);
            return -1;
        }
        if (id == 2)
            lc_ntlm_av_ascii(v, n, out->nb_domain, sizeof(out->nb_domain));
        else if (id == 3)
            lc_ntlm_av_ascii(v, n, out->dns_computer, sizeof(out->dns_computer));
        else if (id == 7 && n == 8) {
            out->timestamp = (uint64_t)lc_get32(v) | ((uint64_t)lc_get32(v + 4) << 32);
            out->has_timestamp = 1;
        }
        i += 4 + (size_t)n;
    }
    snprintf(why, wlen, "TargetInfo without MsvAvEOL");
    return -1;
}

int lc_ntlm_ntowfv2(const char *password, const char *user, const char *domain, uint8_t out[16])
{
    uint8_t buf[1024], nt[16];
    long n, m;
    int rc = -1;

    /* NTOWFv2 = HMAC_MD5(MD4(UNICODE(Passwd)), UNICODE(Uppercase(User), UserDom))
     * ([MS-NLMP] 3.3.2). */
    n = lc_utf16le(password, 0, buf, sizeof(buf));
    if (n < 0 || lc_ntlm_md4(buf, (size_t)n, nt) < 0)
        goto done;
    n = lc_utf16le(user, 1, buf, sizeof(buf));
    if (n < 0)
        goto done;
    m = lc_utf16le(domain, 0, buf + n, sizeof(buf) - (size_t)n);
    if (m < 0)
        goto done;
    rc = lc_ntlm_hmac_md5(nt, 16, buf, (size_t)(n + m), out);
done:
    OPENSSL_cleanse(buf, sizeof(buf));
    OPENSSL_cleanse(nt, sizeof(nt));
    return rc;
}

static const char lc_magic_sign_c[] = "session key to client-to-server signing key magic constant";
static const char lc_magic_sign_s[] = "session key to server-to-client signing key magic constant";
static const char lc_magic_seal_c[] = "session key to client-to-server sealing key magic constant";
static const char lc_magic_seal_s[] = "session key to server-to-client sealing key magic constant";

/* MD5(key[0..klen), magic with its NUL) ([MS-NLMP] 3.4.5.2, 3.4.5.3). */
static int lc_ntlm_key_magic(const uint8_t *key, size_t klen, const char *magic, uint8_t out[16])
{
    uint8_t buf[16 + 64];
    size_t m = strlen(magic) + 1;
    int rc;

    memcpy(buf, key, klen);
    memcpy(buf + klen, magic, m);
    rc = lc_ntlm_md5(buf, klen + m, out);
    OPENSSL_cleanse(buf, sizeof(buf));
    return rc;
}

int lc_ntlm_signkey(const uint8_t session_key[16], int client, uint8_t out[16])
{
    return lc_ntlm_key_magic(session_key, 16, client ? lc_magic_sign_c : lc_magic_sign_s, out);
}

int lc_ntlm_sealkey(uint32_t flags, const uint8_t session_key[16], int client, uint8_t out[16])
{
    size_t klen = 5;

    if (!(flags & LC_NTLM_ESS))
        return -1; /* only extended session security is spoken here */
    if (flags & LC_NTLM_128)
        klen = 16;
    else if (flags & LC_NTLM_56)
        klen = 7;
    return lc_ntlm_key_magic(session_key, klen, client ? lc_magic_seal_c : lc_magic_seal_s, out);
}

int lc_ntlm_mac(uint32_t flags, const uint8_t sign_key[16], const uint8_t seal_key[16],
                uint32_t seqnum, const void *msg, size_t len, uint8_t out[16])
{
    uint8_t *buf = NULL, hmac[16], key[20], rc4key[16];
    int rc = -1;

    if (!(flags & LC_NTLM_ESS) || len > (size_t)1 << 20)
        return -1;
    buf = OPENSSL_malloc(len + 4);
    if (buf == NULL)
        return -1;
    /* Checksum = HMAC_MD5(SigningKey, SeqNum || Message)[0..7] */
    lc_put32(buf, seqnum);
    memcpy(buf + 4, msg, len);
    if (lc_ntlm_hmac_md5(sign_key, 16, buf, len + 4, hmac) < 0)
        goto done;
    lc_put32(out, 1);
    memcpy(out + 4, hmac, 8);
    lc_put32(out + 12, seqnum);
    if (flags & LC_NTLM_KEY_EXCH) {
        /* Sealed with RC4; connectionless mode reinitialises the RC4 state
         * per message with SealingKey' = MD5(SealingKey, SeqNum) ([MS-NLMP]
         * 3.4.3, 3.4.4). */
        memcpy(rc4key, seal_key, 16);
        if (flags & LC_NTLM_DATAGRAM) {
            memcpy(key, seal_key, 16);
            lc_put32(key + 16, seqnum);
            if (lc_ntlm_md5(key, 20, rc4key) < 0)
                goto done;
        }
        if (lc_ntlm_rc4(rc4key, 16, hmac, 8, out + 4) < 0)
            goto done;
    }
    rc = 0;
done:
    OPENSSL_cleanse(hmac, sizeof(hmac));
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(rc4key, sizeof(rc4key));
    OPENSSL_clear_free(buf, len + 4);
    return rc;
}

/* The flags lynccheck answers a CHALLENGE with, whatever else it offers
 * ([MS-NLMP] 3.1.5.2: connectionless, the client takes the server's flags
 * it supports). */
#define LC_NTLM_SUPPORTED                                                                          \
    (LC_NTLM_UNICODE | LC_NTLM_REQUEST_TARGET | LC_NTLM_SIGN | LC_NTLM_DATAGRAM | LC_NTLM_NTLM |   \
     LC_NTLM_ALWAYS_SIGN | LC_NTLM_ESS | LC_NTLM_IDENTIFY | LC_NTLM_TARGET_INFO |                  \
     LC_NTLM_VERSION | LC_NTLM_128 | LC_NTLM_KEY_EXCH | LC_NTLM_56)

/* Append one payload field and fill its 8-byte field header at hdr. */
static int lc_ntlm_field(uint8_t *out, size_t olen, size_t *off, uint8_t *hdr, const uint8_t *data,
                         size_t len)
{
    if (len > 0xFFFF || *off > olen || len > olen - *off)
        return -1;
    lc_put16(hdr, (uint16_t)len);
    lc_put16(hdr + 2, (uint16_t)len);
    lc_put32(hdr + 4, (uint32_t)*off);
    if (len > 0)
        memcpy(out + *off, data, len);
    *off += len;
    return 0;
}

int lc_ntlm_authenticate_build(const struct lc_ntlm_challenge *ch, const struct lc_ntlm_auth_in *in,
                               uint8_t *out, size_t olen, size_t *written,
                               struct lc_ntlm_keys *keys, char *why, size_t wlen)
{
    uint8_t nt_key[16], temp[LC_NTLM_MAX_TARGET_INFO + 64], proofbuf[sizeof(temp) + 8];
    uint8_t proof[16], lm[24], base_key[16], exported[16], enc_key[16] = {0};
    uint8_t ustr[3][512];
    long ulen[3];
    size_t tlen, off = 72;
    uint32_t flags = (ch->flags & LC_NTLM_SUPPORTED) | LC_NTLM_REQUEST_TARGET;
    uint64_t t = ch->has_timestamp ? ch->timestamp : in->timestamp;
    int rc = -1, i;

    memset(keys, 0, sizeof(*keys));
    *written = 0;
    if (!(ch->flags & LC_NTLM_ESS)) {
        snprintf(why, wlen,
                 "the CHALLENGE does not offer extended session security "
                 "(NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY): NTLMv1 signing is "
                 "not supported");
        return -1;
    }
    if (!(ch->flags & LC_NTLM_UNICODE) || ch->target_info_len == 0) {
        snprintf(why, wlen, "the CHALLENGE lacks %s, which NTLMv2 needs",
                 ch->target_info_len == 0 ? "TargetInfo" : "the Unicode flag");
        return -1;
    }
    if (olen < off) {
        snprintf(why, wlen, "no room for the AUTHENTICATE_MESSAGE");
        return -1;
    }
    if (lc_ntlm_ntowfv2(in->password, in->user, in->domain, nt_key) < 0) {
        snprintf(why, wlen,
                 "cannot compute NTOWFv2 (OpenSSL's MD4: is the legacy provider "
                 "installed?) or a name is not UTF-8");
        goto done;
    }
    /* temp = 1, 1, Z(6), Time, ClientChallenge, Z(4), ServerName, Z(4)
     * ([MS-NLMP] 3.3.2); ServerName is the CHALLENGE's TargetInfo. */
    memset(temp, 0, 28);
    temp[0] = 1;
    temp[1] = 1;
    lc_put32(temp + 8, (uint32_t)t);
    lc_put32(temp + 12, (uint32_t)(t >> 32));
    memcpy(temp + 16, in->client_challenge, 8);
    memcpy(temp + 28, ch->target_info, ch->target_info_len);
    tlen = 28 + ch->target_info_len;
    memset(temp + tlen, 0, 4);
    tlen += 4;
    memcpy(proofbuf, ch->server_challenge, 8);
    memcpy(proofbuf + 8, temp, tlen);
    if (lc_ntlm_hmac_md5(nt_key, 16, proofbuf, tlen + 8, proof) < 0 ||
        lc_ntlm_hmac_md5(nt_key, 16, proof, 16, base_key) < 0)
        goto crypto;
    /* LMv2: HMAC_MD5(ResponseKeyLM, ServerChallenge || ClientChallenge) || ClientChallenge. */
    memcpy(proofbuf, ch->server_challenge, 8);
    memcpy(proofbuf + 8, in->client_challenge, 8);
    if (lc_ntlm_hmac_md5(nt_key, 16, proofbuf, 16, lm) < 0)
        goto crypto;
    memcpy(lm + 16, in->client_challenge, 8);
    /* KeyExchangeKey is the SessionBaseKey in NTLMv2 (3.4.5.1); with KEY_EXCH
     * the client's random ExportedSessionKey travels RC4-encrypted with it. */
    if (flags & LC_NTLM_KEY_EXCH) {
        memcpy(exported, in->session_key, 16);
        if (lc_ntlm_rc4(base_key, 16, exported, 16, enc_key) < 0)
            goto crypto;
    } else {
        memcpy(exported, base_key, 16);
    }
    ulen[0] = lc_utf16le(in->domain, 0, ustr[0], sizeof(ustr[0]));
    ulen[1] = lc_utf16le(in->user, 0, ustr[1], sizeof(ustr[1]));
    ulen[2] = lc_utf16le(in->workstation, 0, ustr[2], sizeof(ustr[2]));
    for (i = 0; i < 3; i++) {
        if (ulen[i] < 0) {
            snprintf(why, wlen, "a user, domain or workstation name too long or not UTF-8");
            goto done;
        }
    }
    memset(out, 0, off);
    memcpy(out, lc_ntlm_sig, 8);
    lc_put32(out + 8, 3);
    lc_put32(out + 60, flags);
    /* Version ([MS-NLMP] 2.2.2.10): 6.1 build 7601, NTLMSSP_REVISION_W2K3. */
    out[64] = 6;
    out[65] = 1;
    lc_put16(out + 66, 7601);
    out[71] = 0x0F;
    if (lc_ntlm_field(out, olen, &off, out + 12, lm, sizeof(lm)) < 0 ||
        lc_ntlm_field(out, olen, &off, out + 20, proof, 16) < 0 || off + tlen > olen)
        goto fit;
    /* NtChallengeResponse = NTProofStr || temp */
    memcpy(out + off, temp, tlen);
    lc_put16(out + 20, (uint16_t)(16 + tlen));
    lc_put16(out + 22, (uint16_t)(16 + tlen));
    off += tlen;
    if (lc_ntlm_field(out, olen, &off, out + 28, ustr[0], (size_t)ulen[0]) < 0 ||
        lc_ntlm_field(out, olen, &off, out + 36, ustr[1], (size_t)ulen[1]) < 0 ||
        lc_ntlm_field(out, olen, &off, out + 44, ustr[2], (size_t)ulen[2]) < 0 ||
        lc_ntlm_field(out, olen, &off, out + 52, enc_key, (flags & LC_NTLM_KEY_EXCH) ? 16 : 0) < 0)
        goto fit;
    keys->flags = flags;
    if (lc_ntlm_signkey(exported, 1, keys->client_sign) < 0 ||
        lc_ntlm_signkey(exported, 0, keys->server_sign) < 0 ||
        lc_ntlm_sealkey(flags, exported, 1, keys->client_seal) < 0 ||
        lc_ntlm_sealkey(flags, exported, 0, keys->server_seal) < 0)
        goto crypto;
    *written = off;
    rc = 0;
    goto done;
fit:
    snprintf(why, wlen, "the AUTHENTICATE_MESSAGE does not fit %zu bytes", olen);
    goto done;
crypto:
    snprintf(why, wlen, "OpenSSL could not compute the NTLM keys (MD5, HMAC-MD5, RC4)");
done:
    if (rc < 0)
        OPENSSL_cleanse(keys, sizeof(*keys));
    OPENSSL_cleanse(nt_key, sizeof(nt_key));
    OPENSSL_cleanse(proofbuf, sizeof(proofbuf));
    OPENSSL_cleanse(base_key, sizeof(base_key));
    OPENSSL_cleanse(exported, sizeof(exported));
    OPENSSL_cleanse(ustr, sizeof(ustr));
    return rc;
}

/* ---------------------------------------------------------------- headers */

static int lc_set(char *dst, size_t len, const char *s, size_t n)
{
    if (n >= len)
        return -1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

int lc_sipae_auth_parse(const char *value, struct lc_sipae_auth *out)
{
    const char *p = value, *s;

    memset(out, 0, sizeof(*out));
    while (*p == ' ' || *p == '\t')
        p++;
    for (s = p; *p != '\0' && *p != ' ' && *p != '\t'; p++)
        ;
    if (p == s || lc_set(out->scheme, sizeof(out->scheme), s, (size_t)(p - s)) < 0)
        return -1;
    for (;;) {
        const char *name, *val;
        size_t nlen, vlen;
        char *dst = NULL;
        size_t dlen = 0;

        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '\0')
            return 0;
        for (name = p; *p != '\0' && *p != '=' && *p != ',' && *p != ' ' && *p != '\t'; p++)
            ;
        nlen = (size_t)(p - name);
        while (*p == ' ' || *p == '\t')
            p++;
        if (nlen == 0 || *p != '=')
            return -1;
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '"') {
            val = ++p;
            while (*p != '\0' && *p != '"')
                p++;
            if (*p != '"')
                return -1;
            vlen = (size_t)(p - val);
            p++;
        } else {
            for (val = p; *p != '\0' && *p != ',' && *p != ' ' && *p != '\t'; p++)
                ;
            vlen = (size_t)(p - val);
        }
#define LC_FIELD(n, f)                                                                             \
    else if (nlen == sizeof(n) - 1 && strncasecmp(name, n, nlen) == 0)                             \
    {                                                                                              \
        dst = out->f;                                                                              \
        dlen = sizeof(out->f);                                                                     \
    }
        if (0) {
        }
        LC_FIELD("realm", realm)
        LC_FIELD("targetname", targetname)
        LC_FIELD("opaque", opaque)
        LC_FIELD("version", version)
        LC_FIELD("gssapi-data", gssapi_data)
        LC_FIELD("rspauth", rspauth)
        LC_FIELD("srand", srand)
        LC_FIELD("snum", snum)
        LC_FIELD("qop", qop)
#undef LC_FIELD
        if (dst != NULL && lc_set(dst, dlen, val, vlen) < 0)
            return -1;
        if (dst == out->gssapi_data)
            out->has_gssapi = 1;
    }
}

int lc_sipae_find_ntlm(const struct lc_sip_response *r, const char *name, struct lc_sipae_auth *out)
{
    const char *v;
    size_t i;

    for (i = 0; (v = lc_sip_header_get(r, name, i)) != NULL; i++) {
        struct lc_sipae_auth a;
        while (*v == ' ')
            v++;
        if (strncasecmp(v, "NTLM", 4) != 0 || (v[4] != ' ' && v[4] != '\0'))
            continue;
        if (lc_sipae_auth_parse(v, &a) < 0)
            return -1;
        *out = a;
        return 1;
    }
    return 0;
}

/* A value that can go between quotes in a header: no quote, CR, LF, NUL. */
static int lc_quotable(const char *s)
{
    return s != NULL && strpbrk(s, "\"\r\n") == NULL;
}

int lc_sipae_authz_build(char *out, size_t len, const struct lc_sipae_authz *a)
{
    size_t o;
    int n;

#define LC_APPEND(...)                                                                             \
    do {                                                                                           \
        n = snprintf(out + o, len - o, __VA_ARGS__);                                               \
        if (n < 0 || (size_t)n >= len - o)                                                         \
            return -1;                                                                             \
        o += (size_t)n;                                                                            \
    } while (0)

    if (len == 0 || !lc_quotable(a->realm) || !lc_quotable(a->targetname))
        return -1;
    o = 0;
    LC_APPEND("NTLM qop=\"auth\"");
    if (a->opaque != NULL) {
        if (!lc_quotable(a->opaque))
            return -1;
        LC_APPEND(", opaque=\"%s\"", a->opaque);
    }
    LC_APPEND(", realm=\"%s\", targetname=\"%s\"", a->realm, a->targetname);
    if (a->gssapi != NULL) {
        if (!lc_quotable(a->gssapi))
            return -1;
        LC_APPEND(", gssapi-data=\"%s\"", a->gssapi);
    }
    if (a->version > 0)
        LC_APPEND(", version=%d", a->version);
    if (a->response != NULL) {
        if (!lc_quotable(a->crand) || !lc_quotable(a->cnum) || !lc_quotable(a->response))
            return -1;
        LC_APPEND(", crand=\"%s\", cnum=\"%s\", response=\"%s\"", a->crand, a->cnum, a->response);
    }
#undef LC_APPEND
    return (int)o;
}

int lc_sipae_sig_string(const struct lc_sipae_sig_fields *f, char *out, size_t len)
{
    char code[16] = "";
    int n;

#define S(x) ((x) != NULL ? (x) : "")
    if (f->code > 0)
        snprintf(code, sizeof(code), "<%d>", f->code);
    if (f->version < 3)
        n = snprintf(out, len, "<%s><%s><%s><%s><%s><%s><%s><%s><%s><%s><%s><%s>%s", S(f->scheme),
                     S(f->rand), S(f->num), S(f->realm), S(f->targetname), S(f->call_id),
                     S(f->cseq_num), S(f->method), S(f->from_uri), S(f->from_tag), S(f->to_tag),
                     S(f->expires), code);
    else
        n = snprintf(out, len, "<%s><%s><%s><%s><%s><%s><%s><%s><%s><%s><%s><%s><%s><%s><%s>%s",
                     S(f->scheme), S(f->rand), S(f->num), S(f->realm), S(f->targetname),
                     S(f->call_id), S(f->cseq_num), S(f->method), S(f->from_uri), S(f->from_tag),
                     S(f->to_uri), S(f->to_tag), S(f->pai_sip), S(f->pai_tel), S(f->expires), code);
#undef S
    if (n < 0 || (size_t)n >= len)
        return -1;
    return n;
}

/* The URI of a From / To / P-Asserted-Identity entry: between < and >, or
 * up to the first ';' of a bare one (RFC 3261 20.10). */
static int lc_hdr_uri(const char *v, char *out, size_t len)
{
    const char *lt = strchr(v, '<'), *end;

    if (lt != NULL) {
        end = strchr(lt + 1, '>');
        if (end == NULL)
            return -1;
        return lc_set(out, len, lt + 1, (size_t)(end - lt - 1));
    }
    while (*v == ' ')
        v++;
    end = v + strcspn(v, "; ,");
    return lc_set(out, len, v, (size_t)(end - v));
}

/* The tag parameter after the URI ("" when none). */
static int lc_hdr_tag(const char *v, char *out, size_t len)
{
    const char *gt = strchr(v, '>'), *p = gt != NULL ? gt : v;
    size_t n;

    out[0] = '\0';
    for (; (p = strchr(p, ';')) != NULL; p++) {
        const char *q = p + 1;
        while (*q == ' ')
            q++;
        if (strncasecmp(q, "tag=", 4) == 0) {
            q += 4;
            n = strcspn(q, "; ,\t");
            return lc_set(out, len, q, n);
        }
    }
    return 0;
}

int lc_sipae_response_sig_string(const struct lc_sip_response *r, const struct lc_sipae_auth *ai,
                                 int version, char *out, size_t len)
{
    char from_uri[512], from_tag[128], to_uri[512], to_tag[128], num[16], method[32];
    char pai_sip[512] = "", pai_tel[512] = "";
    const char *from = lc_sip_header_get(r, "From", 0), *to = lc_sip_header_get(r, "To", 0);
    const char *cseq = lc_sip_header_get(r, "CSeq", 0),
               *callid = lc_sip_header_get(r, "Call-ID", 0);
    const char *pai = lc_sip_header_get(r, "P-Asserted-Identity", 0);
    const char *exp = lc_sip_header_get(r, "Expires", 0);
    struct lc_sipae_sig_fields f;
    size_t n;

    if (from == NULL || to == NULL || cseq == NULL || callid == NULL)
        return -1;
    if (lc_hdr_uri(from, from_uri, sizeof(from_uri)) < 0 ||
        lc_hdr_tag(from, from_tag, sizeof(from_tag)) < 0 ||
        lc_hdr_uri(to, to_uri, sizeof(to_uri)) < 0 || lc_hdr_tag(to, to_tag, sizeof(to_tag)) < 0)
        return -1;
    n = strspn(cseq, "0123456789");
    if (n == 0 || lc_set(num, sizeof(num), cseq, n) < 0)
        return -1;
    cseq += n;
    while (*cseq == ' ')
        cseq++;
    if (lc_set(method, sizeof(method), cseq, strcspn(cseq, " ")) < 0)
        return -1;
    if (pai == NULL)
        pai = lc_sip_header_get(r, "P-Preferred-Identity", 0);
    if (pai != NULL) {
        /* Comma-separated entries, a sip: and a tel: URI at most. */
        const char *p = pai;
        while (*p != '\0') {
            char uri[512];
            size_t k = strcspn(p, ",");
            char entry[600];
            if (lc_set(entry, sizeof(entry), p, k) == 0 &&
                lc_hdr_uri(entry, uri, sizeof(uri)) == 0) {
                if (strncasecmp(uri, "sip:", 4) == 0 || strncasecmp(uri, "sips:", 5) == 0)
                    snprintf(pai_sip, sizeof(pai_sip), "%s", uri);
                else if (strncasecmp(uri, "tel:", 4) == 0)
                    snprintf(pai_tel, sizeof(pai_tel), "%s", uri);
            }
            p += k;
            if (*p == ',')
                p++;
        }
    }
    memset(&f, 0, sizeof(f));
    f.scheme = ai->scheme;
    f.rand = ai->srand;
    f.num = ai->snum;
    f.realm = ai->realm;
    f.targetname = ai->targetname;
    f.call_id = callid;
    f.cseq_num = num;
    f.method = method;
    f.from_uri = from_uri;
    f.from_tag = from_tag;
    f.to_uri = to_uri;
    f.to_tag = to_tag;
    f.pai_sip = pai_sip;
    f.pai_tel = pai_tel;
    f.expires = exp != NULL ? exp : "";
    f.code = r->status;
    f.version = version;
    return lc_sipae_sig_string(&f, out, len);
}

/* A value for a header line: no CR, LF or NUL, not empty. */
static int lc_header_safe(const char *s)
{
    return s != NULL && *s != '\0' && strpbrk(s, "\r\n") == NULL;
}

int lc_sipae_request_build(char *buf, size_t len, const struct lc_sipae_req *q)
{
    const char *v6l = strchr(q->via_host, ':') != NULL ? "[" : "";
    const char *v6r = *v6l != '\0' ? "]" : "";
    char expires[32] = "", authz[8192] = "";
    int n;

    if (!lc_header_safe(q->domain) || !lc_header_safe(q->user) || !lc_header_safe(q->via_host) ||
        !lc_header_safe(q->branch) || !lc_header_safe(q->from_tag) || !lc_header_safe(q->epid) ||
        !lc_header_safe(q->call_id) || !lc_header_safe(q->instance) ||
        !lc_header_safe(q->user_agent) ||
        (q->authorization != NULL && !lc_header_safe(q->authorization)))
        return -1;
    if (q->expires >= 0)
        snprintf(expires, sizeof(expires), "Expires: %d\r\n", q->expires);
    if (q->authorization != NULL) {
        /* A 407's challenge is answered in Proxy-Authorization (RFC 3261 22.3). */
        n = snprintf(authz, sizeof(authz), "%sAuthorization: %s\r\n", q->proxy ? "Proxy-" : "",
                     q->authorization);
        if (n < 0 || (size_t)n >= sizeof(authz))
            return -1;
    }
    /* [MS-SIPAE] 4.1's REGISTER: the user in From and To, the endpoint's
     * epid, a Contact with +sip.instance (RFC 5626), Supported gruu-10. */
    n = snprintf(buf, len,
                 "REGISTER sip:%s SIP/2.0\r\n"
                 "Via: SIP/2.0/TLS %s%s%s:%u;branch=z9hG4bK%s\r\n"
                 "Max-Forwards: 70\r\n"
                 "From: <sip:%s>;tag=%s;epid=%s\r\n"
                 "To: <sip:%s>\r\n"
                 "Call-ID: %s\r\n"
                 "CSeq: %u REGISTER\r\n"
                 "Contact: <sip:%s%s%s:%u;transport=tls>;proxy=replace;"
                 "+sip.instance=\"<urn:uuid:%s>\"\r\n"
                 "Supported: gruu-10\r\n"
                 "%s%s"
                 "User-Agent: %s\r\n"
                 "Content-Length: 0\r\n"
                 "\r\n",
                 q->domain, v6l, q->via_host, v6r, q->via_port, q->branch, q->user, q->from_tag,
                 q->epid, q->user, q->call_id, q->cseq, v6l, q->via_host, v6r, q->via_port,
                 q->instance, expires, authz, q->user_agent);
    if (n < 0 || (size_t)n >= len)
        return -1;
    return n;
}

int lc_sipae_contact_target(const char *contact, char *host, size_t hlen, unsigned *port)
{
    const char *p = contact, *h, *at, *end;
    unsigned long v = 0;

    while (*p == ' ' || *p == '"')
        p++;
    if ((h = strchr(p, '<')) != NULL)
        p = h + 1;
    if (strncasecmp(p, "sip:", 4) == 0)
        p += 4;
    else if (strncasecmp(p, "sips:", 5) == 0)
        p += 5;
    else
        return -1;
    end = p + strcspn(p, ";>?, ");
    at = memchr(p, '@', (size_t)(end - p));
    if (at != NULL)
        p = at + 1;
    if (*p == '[') {
        h = ++p;
        while (p < end && *p != ']')
            p++;
        if (p >= end || lc_set(host, hlen, h, (size_t)(p - h)) < 0)
            return -1;
        p++;
    } else {
        h = p;
        while (p < end && *p != ':')
            p++;
        if (p == h || lc_set(host, hlen, h, (size_t)(p - h)) < 0)
            return -1;
    }
    *port = 5061;
    if (p < end && *p == ':') {
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return -1;
        while (p < end && *p >= '0' && *p <= '9' && v <= 65535)
            v = v * 10 + (unsigned long)(*p++ - '0');
        if (v == 0 || v > 65535 || p != end)
            return -1;
        *port = (unsigned)v;
    }
    return 0;
}

/* Case-insensitive substring. */
static int lc_has(const char *s, const char *needle)
{
    size_t n = strlen(needle);

    for (; *s != '\0'; s++)
        if (strncasecmp(s, needle, n) == 0)
            return 1;
    return 0;
}

int lc_sipae_diag_remote_refused(const struct lc_sip_diag *d, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const char *r = d[i].reason;
        if (lc_has(r, "remote access") || lc_has(r, "remote user") || lc_has(r, "outside access") ||
            lc_has(r, "external access") || lc_has(r, "not enabled for remote"))
            return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- verdict */

static const char *lc_sipae_leg_name(enum lc_sipae_leg leg)
{
    switch (leg) {
    case LC_SIPAE_LEG_CONNECT:
        return "the TLS connection";
    case LC_SIPAE_LEG_PROBE:
        return "the first REGISTER (no credentials)";
    case LC_SIPAE_LEG_NEGOTIATE:
        return "the NTLM negotiation (REGISTER with gssapi-data=\"\")";
    case LC_SIPAE_LEG_AUTH:
        return "the NTLM AUTHENTICATE (REGISTER with the credentials)";
    case LC_SIPAE_LEG_UNREGISTER:
    default:
        return "the unREGISTER (Expires: 0)";
    }
}

enum lc_status lc_sipae_judge(const struct lc_sipae_facts *f, char *msg, size_t len,
                              const char **diagnosis)
{
    char user[160], diag[600] = "", where[400], pool[300] = "";
    const char *dsep;

    *diagnosis = NULL;
    lc_sip_escape(f->user != NULL ? f->user : "", f->user != NULL ? strlen(f->user) : 0, user,
                  sizeof(user));
    snprintf(where, sizeof(where), "%s:%u", f->edge != NULL ? f->edge : "?", f->port);
    if (f->n_diag > 0)
        lc_sip_diag_format(f->diag, f->n_diag, diag, sizeof(diag));
    dsep = f->n_diag > 0 ? "; ms-diagnostics: " : "";
    if (f->home_pool != NULL)
        snprintf(pool, sizeof(pool), " (home pool %s)", f->home_pool);

    if (f->local_why != NULL) {
        lc_msgf(msg, len, "could not sign in user %s: %s", user, f->local_why);
        return LC_ERROR;
    }
    if (f->ntlm_why != NULL) {
        *diagnosis = "sipae-ntlm-broken";
        lc_msgf(msg, len, "user %s: the server's NTLM data in %s is unusable: %s", user,
                lc_sipae_leg_name(f->leg), f->ntlm_why);
        return LC_FAIL;
    }
    if (f->transport_why != NULL && f->status == 0) {
        lc_msgf(msg, len, "user %s: no answer to %s on %s%s%s: %s", user, lc_sipae_leg_name(f->leg),
                where, f->redirect_followed ? ", after the redirect to the home pool " : "",
                f->redirect_followed && f->home_pool != NULL ? f->home_pool : "", f->transport_why);
        if (f->leg == LC_SIPAE_LEG_UNREGISTER) {
            /* Registered and verified: only the clean-up went unconfirmed. */
            lc_msgf(msg, len,
                    "user %s registered through %s%s, server signature verified, but the "
                    "unREGISTER got no answer (%s): the registration lapses at its expiry",
                    user, where, pool, f->transport_why);
            return LC_WARN;
        }
        return LC_FAIL;
    }
    switch (f->leg) {
    case LC_SIPAE_LEG_CONNECT:
        lc_msgf(msg, len, "user %s: cannot sign in through %s: no connection", user, where);
        return LC_FAIL;
    case LC_SIPAE_LEG_PROBE:
        if (f->status >= 200 && f->status < 300) {
            lc_msgf(msg, len,
                    "a REGISTER without credentials for %s answers %d: the registrar "
                    "registers anyone ([MS-SIPAE] 3.3.5.1)",
                    user, f->status);
            return LC_FAIL;
        }
        if ((f->status == 401 || f->status == 407) && !f->ntlm_offered) {
            *diagnosis = "sipae-ntlm-not-offered";
            lc_msgf(msg, len,
                    "user %s cannot sign in from outside: %s offers no NTLM (challenges: %s); "
                    "external users authenticate with NTLM ([MS-SIPAE] 3.1)",
                    user, where, f->schemes != NULL && *f->schemes ? f->schemes : "none");
            return LC_FAIL;
        }
        break;
    case LC_SIPAE_LEG_NEGOTIATE:
        if ((f->status == 401 || f->status == 407) && !f->got_challenge) {
            *diagnosis = "sipae-ntlm-broken";
            lc_msgf(msg, len,
                    "user %s: the NTLM negotiation got %d without an NTLM CHALLENGE in "
                    "gssapi-data ([MS-SIPAE] 3.3.5.1)%s%s",
                    user, f->status, dsep, diag);
            return LC_FAIL;
        }
        break;
    case LC_SIPAE_LEG_AUTH:
        if (f->status == 401 || f->status == 407) {
            *diagnosis = "sipae-credentials-rejected";
            lc_msgf(msg, len,
                    "user %s: credentials rejected (%d after the NTLM AUTHENTICATE through "
                    "%s)%s%s",
                    user, f->status, where, dsep, diag);
            return LC_FAIL;
        }
        if (f->status >= 300 && f->status < 400 && f->home_pool != NULL && !f->redirect_followed) {
            lc_msgf(msg, len,
                    "user %s authenticated through %s and was redirected to the home pool %s, "
                    "not followed: %s",
                    user, where, f->home_pool,
                    f->redirect_why != NULL ? f->redirect_why : "too many redirects");
            return LC_WARN;
        }
        break;
    case LC_SIPAE_LEG_UNREGISTER:
    default:
        break;
    }
    if (f->status == 403 && lc_sipae_diag_remote_refused(f->diag, f->n_diag)) {
        *diagnosis = "sipae-remote-access-disabled";
        lc_msgf(msg, len,
                "user %s is not enabled for remote access: %s answers 403 to %s; "
                "ms-diagnostics: %s",
                user, where, lc_sipae_leg_name(f->leg), diag);
        return LC_FAIL;
    }
    if (f->leg == LC_SIPAE_LEG_UNREGISTER ||
        (f->leg == LC_SIPAE_LEG_AUTH && f->status >= 200 && f->status < 300)) {
        if (!f->sig_present) {
            *diagnosis = "sipae-signature-invalid";
            lc_msgf(msg, len,
                    "user %s: the registrar's 200 OK carries no signature (Authentication-Info "
                    "rspauth, [MS-SIPAE] 3.2.5.2): its answers cannot be trusted",
                    user);
            return LC_FAIL;
        }
        if (!f->sig_ok) {
            *diagnosis = "sipae-signature-invalid";
            lc_msgf(msg, len,
                    "user %s: the registrar's signature (Authentication-Info rspauth) does not "
                    "verify ([MS-SIPAE] 3.2.5.2)",
                    user);
            return LC_FAIL;
        }
        if (f->leg != LC_SIPAE_LEG_UNREGISTER) {
            lc_msgf(msg, len, "user %s registered through %s%s but no unREGISTER was sent", user,
                    where, pool);
            return LC_ERROR;
        }
        if (f->unreg_status < 200 || f->unreg_status >= 300) {
            lc_msgf(msg, len,
                    "user %s registered through %s%s, server signature verified, but the "
                    "unREGISTER answered %d%s%s",
                    user, where, pool, f->unreg_status, dsep, diag);
            return LC_WARN;
        }
        lc_msgf(msg, len,
                "user %s registered through %s%s in %ld ms: server signature verified, "
                "unregistered",
                user, where, pool, f->elapsed_ms);
        return LC_PASS;
    }
    if (f->status >= 200 && f->status < 300) {
        lc_msgf(msg, len, "user %s: %s answered %d before authenticating", user,
                lc_sipae_leg_name(f->leg), f->status);
        return LC_FAIL;
    }
    lc_msgf(msg, len, "user %s: %s answers %d %s through %s%s%s", user, lc_sipae_leg_name(f->leg),
            f->status, f->reason != NULL ? f->reason : "", where, dsep, diag);
    return LC_FAIL;
}
