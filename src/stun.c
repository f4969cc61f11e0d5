/* SPDX-License-Identifier: MIT */
/* lynccheck - STUN / MS-TURN requests and a bounded response parser
 * (RFC 5389, [MS-TURN]; see stun.h for the two dialects). */
#include "config.h"

#include "msg.h"
#include "stun.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Attribute types, RFC 5389 numbering unless said otherwise. */
enum {
    LC_A_MAPPED_ADDRESS = 0x0001,
    LC_A_USERNAME = 0x0006,
    LC_A_MESSAGE_INTEGRITY = 0x0008,
    LC_A_ERROR_CODE = 0x0009,
    LC_A_UNKNOWN_ATTRIBUTES = 0x000A,
    LC_A_MS_ALTERNATE_SERVER = 0x000E, /* [MS-TURN] 2.2.2 */
    LC_A_MS_MAGIC_COOKIE = 0x000F,     /* [MS-TURN] 2.2.2.8 */
    LC_A_REALM = 0x0014,               /* [MS-TURN]: 0x0015 */
    LC_A_NONCE = 0x0015,               /* [MS-TURN]: 0x0014 */
    LC_A_XOR_MAPPED_ADDRESS = 0x0020,
    LC_A_MS_VERSION = 0x8008,            /* [MS-TURN] 2.2.2.17 */
    LC_A_MS_XOR_MAPPED_ADDRESS = 0x8020, /* [MS-TURN] 2.2.2.16; pre-RFC 5389 drafts */
    LC_A_SOFTWARE = 0x8022,
    LC_A_ALTERNATE_SERVER = 0x8023,
    LC_A_FINGERPRINT = 0x8028,
};

/* Comprehension-required attributes each dialect defines (the ones we do
 * not decode are still understood: no reason to call them unknown). */
static const uint16_t lc_known_rfc5389[] = {
    0x0001,
    0x0006,
    0x0008,
    0x0009,
    0x000A,
    0x0014,
    0x0015,
    0x0020, /* RFC 5389 15 */
    0x000C,
    0x000D,
    0x0012,
    0x0013,
    0x0016,
    0x0018,
    0x0019,
    0x001A,
    0x0022, /* RFC 5766 14 */
    0x0017, /* RFC 6156 */
    0x001B, /* RFC 7635 */
    0x001C,
    0x001D,
    0x001E, /* RFC 8489 18.3 */
    0x002A, /* RFC 6062 */
    0x0024,
    0x0025,                   /* RFC 8445 (ICE) */
    LC_A_MS_ALTERNATE_SERVER, /* decoded in both dialects */
};
/* [MS-TURN] 2.2.2: the mandatory attributes it supports. */
static const uint16_t lc_known_msturn[] = {0x0001, 0x0006, 0x0008, 0x0009, 0x000A,
                                           0x000D, 0x000E, 0x000F, 0x0010, 0x0011,
                                           0x0012, 0x0013, 0x0014, 0x0015, 0x0017};

static uint16_t lc_get16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t lc_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void lc_put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void lc_put32(uint8_t *p, uint32_t v)
{
    lc_put16(p, v >> 16);
    lc_put16(p + 2, v & 0xFFFF);
}

static void lc_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void lc_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    (void)vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

unsigned lc_stun_method(uint16_t type)
{
    /* RFC 5389 6: M11..M7 C1 M6..M4 C0 M3..M0 */
    return (type & 0x000Fu) | ((type & 0x00E0u) >> 1) | ((type & 0x3E00u) >> 2);
}

enum lc_stun_class lc_stun_class_of(uint16_t type)
{
    return (enum lc_stun_class)(((type & 0x0010u) >> 4) | ((type & 0x0100u) >> 7));
}

const char *lc_stun_type_name(uint16_t type, char *buf, size_t len)
{
    static const char *const classes[] = {"request", "indication", "success response",
                                          "error response"};
    unsigned m = lc_stun_method(type);
    const char *method = NULL;

    switch (m) {
    case 0x001:
        method = "Binding";
        break;
    case 0x003:
        method = "Allocate";
        break;
    case 0x004:
        method = "Refresh";
        break;
    case 0x006:
        method = "Send";
        break;
    case 0x007:
        method = "Data";
        break;
    case 0x008:
        method = "CreatePermission";
        break;
    case 0x009:
        method = "ChannelBind";
        break;
    default:
        break;
    }
    if (method != NULL)
        snprintf(buf, len, "%s %s", method, classes[lc_stun_class_of(type)]);
    else
        snprintf(buf, len, "method 0x%03x %s", m, classes[lc_stun_class_of(type)]);
    return buf;
}

void lc_stun_hex(const uint8_t *buf, size_t len, size_t max, char *out, size_t outlen)
{
    static const char digits[] = "0123456789abcdef";
    size_t i, o = 0, n = len < max ? len : max;

    if (outlen == 0)
        return;
    for (i = 0; i < n && o + 2 < outlen; i++) {
        out[o++] = digits[buf[i] >> 4];
        out[o++] = digits[buf[i] & 0xF];
    }
    if (i < len && o + 3 < outlen) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

/* ---- requests ---- */

static int lc_stun_tid_new(uint8_t tid[LC_STUN_TID_LEN])
{
    /* RFC 5389 6: the transaction id is uniformly random; the cookie goes
     * first in both dialects (stun.h). */
    lc_put32(tid, LC_STUN_COOKIE);
    return RAND_bytes(tid + 4, LC_STUN_TID_LEN - 4) == 1 ? 0 : -1;
}

int lc_stun_binding_request(uint8_t *buf, size_t cap, uint8_t tid[LC_STUN_TID_LEN])
{
    /* RFC 5389 15.10: SOFTWARE, fewer than 128 characters, says who asks. */
    static const char software[] = "lynccheck " PACKAGE_VERSION;
    size_t sw = sizeof(software) - 1, padded = (sw + 3) & ~(size_t)3;
    size_t n = LC_STUN_HEADER_LEN + 4 + padded;

    if (cap < n || sw >= 128 || lc_stun_tid_new(tid) < 0)
        return -1;
    memset(buf, 0, n);
    lc_put16(buf, 0x0001); /* Binding request */
    lc_put16(buf + 2, (unsigned)(n - LC_STUN_HEADER_LEN));
    memcpy(buf + 4, tid, LC_STUN_TID_LEN);
    lc_put16(buf + 20, LC_A_SOFTWARE);
    lc_put16(buf + 22, (unsigned)sw);
    memcpy(buf + 24, software, sw); /* padding stays zero (RFC 5389 15) */
    return (int)n;
}

int lc_msturn_allocate_request(uint8_t *buf, size_t cap, uint8_t tid[LC_STUN_TID_LEN])
{
    size_t n = LC_STUN_HEADER_LEN + 8 + 8;

    if (cap < n || lc_stun_tid_new(tid) < 0)
        return -1;
    memset(buf, 0, n);
    lc_put16(buf, 0x0003); /* Allocate request ([MS-TURN] 2.2.2) */
    lc_put16(buf + 2, (unsigned)(n - LC_STUN_HEADER_LEN));
    memcpy(buf + 4, tid, LC_STUN_TID_LEN);
    /* MAGIC-COOKIE first, or the edge ignores us ([MS-TURN] 2.2.2.8, 3.1.10). */
    lc_put16(buf + 20, LC_A_MS_MAGIC_COOKIE);
    lc_put16(buf + 22, 4);
    lc_put32(buf + 24, LC_MSTURN_COOKIE);
    /* MS-VERSION SHOULD be in an Allocate request ([MS-TURN] 2.2.2.17). */
    lc_put16(buf + 28, LC_A_MS_VERSION);
    lc_put16(buf + 30, 4);
    lc_put32(buf + 32, LC_MSTURN_VERSION);
    return (int)n;
}

/* ---- parsing ---- */

/* CRC-32 (ISO-HDLC, the zlib one) for FINGERPRINT (RFC 5389 15.5); bitwise:
 * a FINGERPRINT is checked once per datagram. */
static uint32_t lc_crc32(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    size_t i;
    int k;

    for (i = 0; i < n; i++) {
        crc ^= p[i];
        for (k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static int lc_known(uint16_t type, int ms_turn)
{
    const uint16_t *v = ms_turn ? lc_known_msturn : lc_known_rfc5389;
    size_t n = ms_turn ? sizeof(lc_known_msturn) / sizeof(lc_known_msturn[0])
                       : sizeof(lc_known_rfc5389) / sizeof(lc_known_rfc5389[0]);
    size_t i;

    for (i = 0; i < n; i++)
        if (v[i] == type)
            return 1;
    return 0;
}

/* outlen >= 8 (callers pass LC_STUN_TEXT_MAX): room is kept for "..." */
static void lc_text(char *out, size_t outlen, const uint8_t *v, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i, o = 0, room = outlen - 4;

    for (i = 0; i < n; i++) {
        int plain = v[i] >= 0x20 && v[i] < 0x7F && v[i] != '\\';
        if (o + (plain ? 1 : 4) > room)
            break;
        if (plain) {
            out[o++] = (char)v[i];
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = digits[v[i] >> 4];
            out[o++] = digits[v[i] & 0xF];
        }
    }
    if (i < n) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

/* MAPPED-ADDRESS, XOR-MAPPED-ADDRESS, ALTERNATE-SERVER (RFC 5389 15.1, 15.2,
 * 15.11; [MS-TURN] 2.2.2.16). The XOR key is the cookie and the transaction
 * id, i.e. header bytes 4..19, in both dialects (stun.h). */
static int lc_addr(struct lc_stun_addr *a, uint16_t type, const uint8_t *v, size_t n,
                   const uint8_t *hdr, int xor, int ms_turn, char *err, size_t errlen)
{
    uint8_t raw[16];
    size_t alen, i;
    int family;

    if (a->present)
        return 0; /* RFC 5389 15: only the first occurrence counts */
    if (n < 4) {
        lc_err(err, errlen, "attribute 0x%04x: %zu bytes, too short for an address", type, n);
        return -1;
    }
    if (v[1] == 0x01) {
        family = AF_INET;
        alen = 4;
    } else if (v[1] == 0x02) {
        family = AF_INET6;
        alen = 16;
    } else if (ms_turn) {
        return 0; /* [MS-TURN] 2.2.2.16: another family is silently ignored */
    } else {
        lc_err(err, errlen, "attribute 0x%04x: unknown address family 0x%02x", type, v[1]);
        return -1;
    }
    if (n != 4 + alen) {
        lc_err(err, errlen, "attribute 0x%04x: %zu bytes for an %s address (%zu expected)", type, n,
               family == AF_INET ? "IPv4" : "IPv6", 4 + alen);
        return -1;
    }
    memcpy(raw, v + 4, alen);
    a->port = lc_get16(v + 2);
    if (xor) {
        a->port ^= lc_get16(hdr + 4);
        for (i = 0; i < alen; i++)
            raw[i] ^= hdr[4 + i];
    }
    if (inet_ntop(family, raw, a->text, sizeof(a->text)) == NULL) {
        lc_err(err, errlen, "attribute 0x%04x: address not printable", type);
        return -1;
    }
    a->family = family;
    a->present = 1;
    return 0;
}

static void lc_push(uint16_t *list, size_t *n, uint16_t type)
{
    if (*n < LC_STUN_LIST_MAX)
        list[*n] = type;
    (*n)++;
}

/* One attribute; t is already in RFC 5389 numbering. off is where the
 * attribute starts in the message (for FINGERPRINT). */
static int lc_attr(struct lc_stun_msg *m, uint16_t t, const uint8_t *v, size_t n,
                   const uint8_t *buf, size_t off, char *err, size_t errlen)
{
    size_t i;

    switch (t) {
    case LC_A_MAPPED_ADDRESS:
        return lc_addr(&m->mapped, t, v, n, buf, 0, m->ms_turn, err, errlen);
    case LC_A_XOR_MAPPED_ADDRESS:
    case LC_A_MS_XOR_MAPPED_ADDRESS:
        return lc_addr(&m->xor_mapped, t, v, n, buf, 1, m->ms_turn, err, errlen);
    case LC_A_ALTERNATE_SERVER:
    case LC_A_MS_ALTERNATE_SERVER:
        return lc_addr(&m->alternate, t, v, n, buf, 0, m->ms_turn, err, errlen);
    case LC_A_ERROR_CODE: {
        unsigned cls, num;
        if (m->error_code != 0)
            return 0;
        if (n < 4) {
            lc_err(err, errlen, "ERROR-CODE of %zu bytes (at least 4)", n);
            return -1;
        }
        /* RFC 5389 15.6: class 3..6 (hundreds), number 0..99. */
        cls = v[2] & 0x07u;
        num = v[3];
        if (cls < 3 || cls > 6 || num > 99) {
            lc_err(err, errlen, "ERROR-CODE class %u number %u out of range", cls, num);
            return -1;
        }
        m->error_code = (int)(cls * 100 + num);
        lc_text(m->reason, sizeof(m->reason), v + 4, n - 4);
        return 0;
    }
    case LC_A_REALM:
        if (!m->has_realm)
            lc_text(m->realm, sizeof(m->realm), v, n);
        m->has_realm = 1;
        return 0;
    case LC_A_NONCE:
        if (!m->has_nonce)
            lc_text(m->nonce, sizeof(m->nonce), v, n);
        m->has_nonce = 1;
        return 0;
    case LC_A_SOFTWARE:
        if (!m->has_software)
            lc_text(m->software, sizeof(m->software), v, n);
        m->has_software = 1;
        return 0;
    case LC_A_UNKNOWN_ATTRIBUTES:
        if (n % 2 != 0) {
            lc_err(err, errlen, "UNKNOWN-ATTRIBUTES of odd length %zu", n);
            return -1;
        }
        for (i = 0; i + 1 < n; i += 2)
            lc_push(m->server_unknown, &m->n_server_unknown, lc_get16(v + i));
        return 0;
    case LC_A_MS_VERSION:
        if (n != 4) {
            lc_err(err, errlen, "MS-VERSION of %zu bytes (4)", n);
            return -1;
        }
        if (!m->has_ms_version)
            m->ms_version = lc_get32(v);
        m->has_ms_version = 1;
        return 0;
    case LC_A_FINGERPRINT: {
        uint32_t want;
        if (n != 4) {
            lc_err(err, errlen, "FINGERPRINT of %zu bytes (4)", n);
            return -1;
        }
        /* RFC 5389 15.5: CRC-32 of the message up to this attribute, the
         * header length already counting it, XOR 0x5354554E. */
        want = lc_crc32(buf, off) ^ 0x5354554Eu;
        if (lc_get32(v) != want) {
            lc_err(err, errlen, "FINGERPRINT 0x%08x does not match the message (0x%08x)",
                   (unsigned)lc_get32(v), (unsigned)want);
            return -1;
        }
        m->has_fingerprint = 1;
        return 0;
    }
    case LC_A_MS_MAGIC_COOKIE:
        if (m->ms_turn)
            return 0; /* checked where the dialect is decided */
        break;
    default:
        break;
    }
    /* RFC 5389 7.3: unknown comprehension-required attributes are reported
     * to the caller (who decides), unknown optional ones ignored. */
    if (t < 0x8000 && !lc_known(t, m->ms_turn))
        lc_push(m->unknown, &m->n_unknown, t);
    return 0;
}

/* Walk the attributes of a message whose header is already checked. */
static int lc_walk(const uint8_t *buf, size_t len, int ms_turn, int padded, struct lc_stun_msg *m,
                   char *err, size_t errlen)
{
    size_t off = LC_STUN_HEADER_LEN;
    int after_fingerprint = 0;

    memset(m, 0, sizeof(*m));
    m->type = lc_get16(buf);
    m->length = lc_get16(buf + 2);
    memcpy(m->tid, buf + 4, LC_STUN_TID_LEN);
    m->ms_turn = ms_turn;
    m->padded = padded;
    while (off < len) {
        uint16_t type, alen;
        size_t span, left = len - off;

        if (left < 4) {
            lc_err(err, errlen, "%zu stray bytes after the last attribute (offset %zu)", left, off);
            return -1;
        }
        type = lc_get16(buf + off);
        alen = lc_get16(buf + off + 2);
        span = padded ? ((size_t)alen + 3) & ~(size_t)3 : alen;
        if (span > left - 4) {
            lc_err(err, errlen,
                   "attribute 0x%04x at offset %zu: length %u runs past the end of the message "
                   "(%zu bytes left)",
                   type, off, alen, left - 4);
            return -1;
        }
        if (after_fingerprint) {
            lc_err(err, errlen, "attribute 0x%04x after FINGERPRINT (RFC 5389 15.5: it is last)",
                   type);
            return -1;
        }
        if (type == LC_A_FINGERPRINT)
            after_fingerprint = 1;
        /* [MS-TURN] numbers NONCE 0x0014 and REALM 0x0015: swap to ours. */
        if (ms_turn && (type == 0x0014 || type == 0x0015))
            type ^= 0x0001;
        if (lc_attr(m, type, buf + off + 4, alen, buf, off, err, errlen) < 0)
            return -1;
        off += 4 + span;
    }
    return 0;
}

int lc_stun_parse(const uint8_t *buf, size_t len, const uint8_t *tid, struct lc_stun_msg *msg,
                  char *err, size_t errlen)
{
    char first[160];
    uint16_t type, length;
    uint32_t cookie;
    int ms_turn = 0;

    memset(msg, 0, sizeof(*msg));
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (len == 0) {
        lc_err(err, errlen, "empty datagram");
        return LC_STUN_MALFORMED;
    }
    if (len < LC_STUN_HEADER_LEN) {
        lc_err(err, errlen, "truncated header: %zu bytes, a STUN header has 20", len);
        return LC_STUN_MALFORMED;
    }
    type = lc_get16(buf);
    length = lc_get16(buf + 2);
    cookie = lc_get32(buf + 4);
    if (type & 0xC000u) {
        lc_err(err, errlen, "not STUN: the first two bits are not zero (RFC 5389 6)");
        return LC_STUN_MALFORMED;
    }
    if (cookie != LC_STUN_COOKIE) {
        lc_err(err, errlen, "not STUN: magic cookie 0x%08x instead of 0x2112a442 (RFC 5389 6)",
               (unsigned)cookie);
        return LC_STUN_MALFORMED;
    }
    if (tid != NULL && memcmp(buf + 4, tid, LC_STUN_TID_LEN) != 0)
        return LC_STUN_NOT_OURS; /* RFC 5389 7.3.3: not an answer to us */
    if ((size_t)length != len - LC_STUN_HEADER_LEN) {
        lc_err(err, errlen,
               "message length %u does not match the datagram (%zu bytes after the "
               "header)",
               length, len - LC_STUN_HEADER_LEN);
        return LC_STUN_MALFORMED;
    }
    /* [MS-TURN] 3.1.10: MAGIC-COOKIE, if any, is the first attribute. */
    if (length >= 8 && lc_get16(buf + 20) == LC_A_MS_MAGIC_COOKIE) {
        if (lc_get16(buf + 22) != 4 || lc_get32(buf + 24) != LC_MSTURN_COOKIE) {
            lc_err(err, errlen,
                   "MAGIC-COOKIE attribute is not 4 bytes of 0x72c64bc6 ([MS-TURN] 2.2.2.8)");
            return LC_STUN_MALFORMED;
        }
        ms_turn = 1;
    }
    if (!ms_turn) {
        if (length % 4 != 0) {
            lc_err(err, errlen, "message length %u is not a multiple of 4 (RFC 5389 6)", length);
            return LC_STUN_MALFORMED;
        }
        return lc_walk(buf, len, 0, 1, msg, err, errlen) == 0 ? LC_STUN_OK : LC_STUN_MALFORMED;
    }
    /* [MS-TURN] attributes follow draft-02 and are not padded; an edge that
     * pads (RFC 5389 style) is accepted too when that is the only reading
     * that lands exactly on the end of the message. */
    if (lc_walk(buf, len, 1, 0, msg, first, sizeof(first)) == 0)
        return LC_STUN_OK;
    if (lc_walk(buf, len, 1, 1, msg, NULL, 0) == 0)
        return LC_STUN_OK;
    memset(msg, 0, sizeof(*msg));
    lc_err(err, errlen, "%s", first);
    return LC_STUN_MALFORMED;
}

/* ---- the verdicts ---- */

void lc_stun_addr_port(const struct lc_stun_addr *a, char *buf, size_t len)
{
    snprintf(buf, len, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a->text, a->port);
}

const char *lc_turn_outcome_name(enum lc_turn_outcome o)
{
    static const char *const words[] = {"waiting", "answered", "malformed",
                                        "closed",  "silent",   "error"};

    return (unsigned)o < sizeof(words) / sizeof(words[0]) ? words[o] : "unknown";
}

const char *lc_ptls_kind_name(enum lc_ptls_kind k)
{
    static const char *const words[] = {"pending", "tls",    "pseudo-tls", "tls-refused",
                                        "open",    "closed", "filtered",   "error"};

    return (unsigned)k < sizeof(words) / sizeof(words[0]) ? words[k] : "unknown";
}

/* snprintf that never moves o past len. */
static size_t lc_stun_cat(char *buf, size_t len, size_t o, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static size_t lc_stun_cat(char *buf, size_t len, size_t o, const char *fmt, ...)
{
    va_list ap;
    int w;

    if (o >= len)
        return o;
    va_start(ap, fmt);
    w = vsnprintf(buf + o, len - o, fmt, ap);
    va_end(ap);
    if (w < 0)
        return o;
    return (size_t)w < len - o ? o + (size_t)w : len;
}

void lc_turn_describe(const struct lc_turn_obs *a, char *buf, size_t len)
{
    char addr[64] = "";
    size_t o = 0;

    if (len == 0)
        return;
    buf[0] = '\0';
    if (a->allocate != NULL) {
        const struct lc_stun_msg *m = a->allocate;
        const char *who = m->ms_turn ? "MS-TURN" : "TURN (RFC 5389, no MS-TURN MAGIC-COOKIE)";
        if (lc_stun_class_of(m->type) == LC_STUN_ERROR) {
            o = lc_stun_cat(buf, len, o, "%s %d%s%s%s%s%s", who, m->error_code,
                            m->reason[0] != '\0' ? " " : "", m->reason,
                            m->has_realm ? " with REALM \"" : "", m->has_realm ? m->realm : "",
                            m->has_realm ? "\"" : "");
            /* The digest challenge of [MS-TURN] 3.1.12: NONCE with the REALM;
             * MS-VERSION is the edge's protocol version ([MS-TURN] 2.2.2.17). */
            if (m->has_nonce)
                o = lc_stun_cat(buf, len, o, ", NONCE");
            if (m->has_ms_version)
                o = lc_stun_cat(buf, len, o, ", MS-VERSION %lu", (unsigned long)m->ms_version);
            if (m->n_server_unknown > 0)
                o = lc_stun_cat(buf, len, o, ", UNKNOWN-ATTRIBUTES 0x%04x%s", m->server_unknown[0],
                                m->n_server_unknown > 1 ? " ..." : "");
        } else {
            const struct lc_stun_addr *x = m->xor_mapped.present ? &m->xor_mapped : &m->mapped;
            if (x->present)
                lc_stun_addr_port(x, addr, sizeof(addr));
            o = lc_stun_cat(buf, len, o, "%s Allocate success without credentials%s%s", who,
                            x->present ? ", mapped address " : "", addr);
        }
        if (m->alternate.present) {
            lc_stun_addr_port(&m->alternate, addr, sizeof(addr));
            o = lc_stun_cat(buf, len, o, ", ALTERNATE-SERVER %s", addr);
        }
        if (m->ms_turn && m->error_code == 401)
            o = lc_stun_cat(buf, len, o,
                            " (the expected answer to an Allocate without credentials)");
        if (a->binding != NULL)
            (void)lc_stun_cat(buf, len, o, "; STUN Binding answered too");
        else if (m->ms_turn && lc_stun_class_of(m->type) == LC_STUN_ERROR)
            /* [MS-TURN] 3.1.10: an A/V Edge drops any message whose first
             * attribute is not MAGIC-COOKIE, so a plain RFC 5389 Binding
             * never gets an answer there: not a fault. */
            (void)lc_stun_cat(buf, len, o,
                              "; the plain STUN Binding is ignored, as an A/V Edge does");
        return;
    }
    if (a->binding != NULL) {
        const struct lc_stun_msg *m = a->binding;
        if (lc_stun_class_of(m->type) == LC_STUN_ERROR) {
            snprintf(buf, len, "STUN Binding error %d %s", m->error_code, m->reason);
        } else {
            const struct lc_stun_addr *x = m->xor_mapped.present ? &m->xor_mapped : &m->mapped;
            lc_stun_addr_port(x, addr, sizeof(addr));
            snprintf(buf, len, "STUN Binding success, %s %s (no answer to the MS-TURN Allocate)",
                     m->xor_mapped.present ? "XOR-MAPPED-ADDRESS" : "MAPPED-ADDRESS", addr);
        }
        return;
    }
    snprintf(buf, len, "no answer");
}

/* Is text one of the addresses (compared as addresses, not strings)? */
static int lc_turn_is_dns_addr(const char *const *dns_addrs, size_t n_dns, const char *text)
{
    struct in6_addr x, y;
    int fx = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;
    size_t i;

    if (inet_pton(fx, text, &x) != 1)
        return 0;
    for (i = 0; i < n_dns; i++) {
        int fy = strchr(dns_addrs[i], ':') != NULL ? AF_INET6 : AF_INET;
        if (fy != fx || inet_pton(fy, dns_addrs[i], &y) != 1)
            continue;
        if (memcmp(&x, &y, fx == AF_INET ? 4 : 16) == 0)
            return 1;
    }
    return 0;
}

enum lc_status lc_turn_judge(const struct lc_turn_obs *a, size_t n, const char *name, unsigned port,
                             const char *const *dns_addrs, size_t n_dns, int check_alternate,
                             char *msg, size_t len)
{
    const struct lc_turn_obs *bad[LC_TURN_ERROR + 1] = {NULL}, *open = NULL;
    size_t count[LC_TURN_ERROR + 1] = {0}, n_open = 0, i;
    char what[512], alt[64];
    int r;

    if (n == 0) {
        lc_msgf(msg, len, "no address of %s was probed", name);
        return LC_ERROR;
    }
    for (i = 0; i < n; i++) {
        enum lc_turn_outcome s = a[i].outcome;
        if ((unsigned)s > LC_TURN_ERROR)
            s = LC_TURN_ERROR;
        if (count[s]++ == 0)
            bad[s] = &a[i];
        if (a[i].allocate != NULL && lc_stun_class_of(a[i].allocate->type) == LC_STUN_SUCCESS &&
            n_open++ == 0)
            open = &a[i];
    }
    if (open != NULL) {
        /* Our Allocate carries no USERNAME nor MESSAGE-INTEGRITY: a server
         * that grants it relays for anyone. An [MS-TURN] server answers 401
         * with REALM and NONCE ([MS-TURN] 3.2.5.1); RFC 5766 4 has a TURN
         * server demand credentials on every request. */
        lc_turn_describe(open, what, sizeof(what));
        lc_msgf(msg, len,
                "%s:%u%s: open relay: the Allocate succeeded without credentials, anyone on "
                "the internet can relay through the A/V edge (%s)",
                open->addr, port, n_open > 1 ? " and other addresses" : "", what);
        return LC_FAIL;
    }
    if (bad[LC_TURN_MALFORMED] != NULL) {
        lc_msgf(msg, len, "malformed answer from %s:%u: %s", bad[LC_TURN_MALFORMED]->addr, port,
                bad[LC_TURN_MALFORMED]->error != NULL ? bad[LC_TURN_MALFORMED]->error : "");
        return LC_FAIL;
    }
    if (bad[LC_TURN_CLOSED] != NULL) {
        lc_msgf(msg, len, "UDP %u closed on %s (ICMP port unreachable)%s", port,
                bad[LC_TURN_CLOSED]->addr, count[LC_TURN_CLOSED] > 1 ? " and other addresses" : "");
        return LC_FAIL;
    }
    if (bad[LC_TURN_ERROR] != NULL) {
        lc_msgf(msg, len, "cannot probe %s:%u: %s", bad[LC_TURN_ERROR]->addr, port,
                bad[LC_TURN_ERROR]->error != NULL ? bad[LC_TURN_ERROR]->error : "");
        return LC_FAIL;
    }
    if (bad[LC_TURN_SILENT] != NULL) {
        lc_msgf(msg, len,
                "no answer to STUN or MS-TURN on UDP %u from %s%s: filtered or not "
                "listening",
                port, bad[LC_TURN_SILENT]->addr,
                count[LC_TURN_SILENT] > 1 ? " and other addresses" : "");
        return LC_FAIL;
    }
    if (bad[LC_TURN_WAITING] != NULL) {
        /* Not judged yet: never a pass. */
        lc_msgf(msg, len, "%s:%u: no verdict yet", bad[LC_TURN_WAITING]->addr, port);
        return LC_ERROR;
    }
    /* Everyone answered. The edge's advertised public address must be one
     * of the name's: else clients are sent to an address the A/V edge was
     * told it has, not the one the internet reaches (NAT misconfiguration;
     * [MS-TURN] 2.2.2.6: ALTERNATE-SERVER in a 401 is the public address). */
    for (i = 0; check_alternate && i < n; i++) {
        const struct lc_stun_msg *ms[2] = {a[i].allocate, a[i].binding};
        for (r = 0; r < 2; r++) {
            if (ms[r] == NULL || !ms[r]->alternate.present ||
                lc_turn_is_dns_addr(dns_addrs, n_dns, ms[r]->alternate.text))
                continue;
            lc_stun_addr_port(&ms[r]->alternate, alt, sizeof(alt));
            lc_msgf(msg, len,
                    "%s:%u advertises ALTERNATE-SERVER %s, which is not an address of %s: "
                    "the A/V edge's public (NAT) address looks misconfigured",
                    a[i].addr, port, alt, name);
            return LC_WARN;
        }
    }
    for (i = 0; i < n; i++) {
        const struct lc_stun_msg *ms[2] = {a[i].allocate, a[i].binding};
        for (r = 0; r < 2; r++) {
            if (ms[r] == NULL || ms[r]->n_unknown == 0 ||
                lc_stun_class_of(ms[r]->type) != LC_STUN_SUCCESS)
                continue;
            /* RFC 5389 7.3.3: such a success response is discarded. */
            lc_msgf(msg, len,
                    "%s:%u answered with unknown comprehension-required attribute 0x%04x: "
                    "RFC 5389 clients discard that answer",
                    a[i].addr, port, ms[r]->unknown[0]);
            return LC_WARN;
        }
    }
    lc_turn_describe(&a[0], what, sizeof(what));
    lc_msgf(msg, len, "%s (%zu address%s)", what, n, n == 1 ? "" : "es");
    return LC_PASS;
}

enum lc_status lc_ptls_judge(const struct lc_ptls_obs *a, size_t n, unsigned port, char *msg,
                             size_t len)
{
    size_t i, bad = 0;
    int differ = 0;
    const struct lc_ptls_obs *first_bad = NULL, *pending = NULL;

    if (n == 0) {
        lc_msgf(msg, len, "no address was probed");
        return LC_ERROR;
    }
    for (i = 0; i < n; i++) {
        if (a[i].kind >= LC_PTLS_CLOSED && bad++ == 0)
            first_bad = &a[i];
        if (a[i].kind == LC_PTLS_PENDING && pending == NULL)
            pending = &a[i];
        if (a[i].kind != a[0].kind)
            differ = 1;
    }
    if (first_bad != NULL) {
        lc_msgf(msg, len, "%s:%u: %s%s", first_bad->addr, port, first_bad->note,
                bad > 1 ? " (and other addresses)" : "");
        return LC_FAIL;
    }
    if (pending != NULL) {
        /* Not judged yet: never a pass. */
        lc_msgf(msg, len, "%s:%u: no verdict yet", pending->addr, port);
        return LC_ERROR;
    }
    lc_msgf(msg, len, "%s (%zu address%s%s)", a[0].note, n, n == 1 ? "" : "es",
            differ ? "; addresses answer differently" : "");
    return LC_PASS;
}
