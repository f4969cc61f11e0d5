/* SPDX-License-Identifier: MIT */
/* lynccheck - STUN (RFC 5389) and MS-TURN ([MS-TURN]) messages: the two
 * requests the A/V edge probe sends, and a bounded parser for the answers.
 *
 * Two dialects share one header layout here:
 *   RFC 5389: type, length, magic cookie 0x2112A442, 96-bit transaction id;
 *     attributes padded to 4 bytes, so the length is a multiple of 4
 *     (RFC 5389 6, 15).
 *   [MS-TURN] (the Lync A/V edge on UDP 3478): the header of
 *     draft-ietf-behave-rfc3489bis-02 with a 128-bit transaction id
 *     ([MS-TURN] 2.2.2); the MAGIC-COOKIE attribute (0x000F = 0x72C64BC6)
 *     is the first attribute, else the edge ignores the message ([MS-TURN]
 *     2.2.2.8, 3.1.10); NONCE is 0x0014 and REALM 0x0015, swapped against
 *     RFC 5389; ALTERNATE-SERVER is 0x000E and XOR-MAPPED-ADDRESS 0x8020
 *     ([MS-TURN] 2.2.2); attributes are not padded (draft-02 TLVs).
 *
 * Decision: the first 32 bits of our MS-TURN transaction id are the RFC 5389
 * cookie, as in Lync clients' own requests (Wireshark's packet-stun.c: MS-TURN
 * transaction ids are "128 bits, seen with MAGIC as well"). An MS-TURN server
 * echoes the 128 bits untouched; an RFC 5389 server parses the request as its
 * own and answers it (a 420 or 401) instead of dropping it; one header check
 * serves both answers; and [MS-TURN] 2.2.2.16 XORs the mapped address with
 * the top of the transaction id, which is then the RFC 5389 cookie too. */
#ifndef LC_STUN_H
#define LC_STUN_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"

#define LC_STUN_COOKIE 0x2112A442u   /* RFC 5389 6 */
#define LC_MSTURN_COOKIE 0x72C64BC6u /* [MS-TURN] 2.2.2.8 */
#define LC_STUN_HEADER_LEN 20
#define LC_STUN_TID_LEN 16 /* header bytes 4..19: cookie + 96-bit id (MS-TURN: 128 bits) */
#define LC_STUN_REQUEST_MAX 64
/* The MS-VERSION we announce: 2 = a client of [MS-ICE2] ([MS-TURN] 2.2.2.17),
 * as Lync 2010 and later clients; 3 and up ask for HMAC-SHA256 integrity,
 * which an unauthenticated probe never gets to. */
#define LC_MSTURN_VERSION 2u

/* Methods and classes (RFC 5389 6: the class bits interleave the method). */
enum { LC_STUN_BINDING = 0x001, LC_STUN_ALLOCATE = 0x003 };
enum lc_stun_class { LC_STUN_REQUEST = 0, LC_STUN_INDICATION, LC_STUN_SUCCESS, LC_STUN_ERROR };
unsigned lc_stun_method(uint16_t type);
enum lc_stun_class lc_stun_class_of(uint16_t type);
/* "Allocate error response"; unknown methods as "method 0x005". */
const char *lc_stun_type_name(uint16_t type, char *buf, size_t len);

/* A transport address from (XOR-)MAPPED-ADDRESS or ALTERNATE-SERVER. */
struct lc_stun_addr {
    int present;
    int family; /* AF_INET or AF_INET6 */
    unsigned port;
    char text[46]; /* numeric address */
};

/* Text attributes arrive as bytes (UTF-8 at best, hostile at worst): kept
 * as printable ASCII with anything else as \xNN, cut at this size. */
#define LC_STUN_TEXT_MAX 200
#define LC_STUN_LIST_MAX 8

struct lc_stun_msg {
    uint16_t type;   /* message type */
    uint16_t length; /* header length field: bytes after the header */
    uint8_t tid[LC_STUN_TID_LEN];
    int ms_turn;    /* the first attribute is MAGIC-COOKIE: the [MS-TURN] dialect */
    int padded;     /* attributes were padded to 4 bytes */
    int error_code; /* ERROR-CODE (RFC 5389 15.6), 0 when absent */
    char reason[LC_STUN_TEXT_MAX];
    int has_realm, has_nonce, has_software;
    char realm[LC_STUN_TEXT_MAX], nonce[LC_STUN_TEXT_MAX], software[LC_STUN_TEXT_MAX];
    struct lc_stun_addr xor_mapped; /* 0x0020, or [MS-TURN] 0x8020 */
    struct lc_stun_addr mapped;     /* 0x0001 */
    struct lc_stun_addr alternate;  /* RFC 5389 0x8023, or [MS-TURN] 0x000E */
    int has_ms_version;
    uint32_t ms_version; /* [MS-TURN] 2.2.2.17 */
    /* Comprehension-required attributes (0x0000-0x7FFF) this parser does not
     * know: RFC 5389 7.3.3 says a client discards a success response with
     * any. n_unknown counts them all, unknown[] keeps the first few. */
    uint16_t unknown[LC_STUN_LIST_MAX];
    size_t n_unknown;
    /* UNKNOWN-ATTRIBUTES (RFC 5389 15.9): what the server did not understand. */
    uint16_t server_unknown[LC_STUN_LIST_MAX];
    size_t n_server_unknown;
    int has_fingerprint; /* FINGERPRINT present and verified (RFC 5389 15.5) */
};

/* Build a request into buf (cap >= LC_STUN_REQUEST_MAX) with a new random
 * transaction id (RAND_bytes), written to tid. Return the length, or -1
 * when the buffer is too small or the random generator failed. */
/* RFC 5389 Binding request with SOFTWARE. */
int lc_stun_binding_request(uint8_t *buf, size_t cap, uint8_t tid[LC_STUN_TID_LEN]);
/* [MS-TURN] Allocate request (0x0003): MAGIC-COOKIE first, then MS-VERSION.
 * Unauthenticated, so an MS-TURN server answers 401 with REALM and NONCE
 * ([MS-TURN] 3.1.12, 3.2.5.1). */
int lc_msturn_allocate_request(uint8_t *buf, size_t cap, uint8_t tid[LC_STUN_TID_LEN]);

enum lc_stun_rc { LC_STUN_OK = 0, LC_STUN_MALFORMED = -1, LC_STUN_NOT_OURS = -2 };
/* Parse one datagram. With tid (LC_STUN_TID_LEN bytes), a message whose
 * header carries another transaction id is LC_STUN_NOT_OURS; the header
 * itself is checked first (size, first two bits, cookie), so bytes that are
 * not STUN at all are LC_STUN_MALFORMED whatever the id. Every length is
 * checked against the datagram before it is used; a malformed message gets
 * a one-line reason in err. */
int lc_stun_parse(const uint8_t *buf, size_t len, const uint8_t *tid, struct lc_stun_msg *msg,
                  char *err, size_t errlen);

/* Lower-case hex of at most max bytes of buf, "..." appended when cut;
 * out needs 2 * max + 4 bytes. */
void lc_stun_hex(const uint8_t *buf, size_t len, size_t max, char *out, size_t outlen);

/* "192.0.2.1:3478" or "[2001:db8::1]:3478". */
void lc_stun_addr_port(const struct lc_stun_addr *a, char *buf, size_t len);

/* ---- the verdicts, pure: facts in, status and message out ----
 * Messages are NUL-terminated and truncated to len (msg may be NULL when
 * len is 0). */

/* stun.turn: what one address did with our MS-TURN Allocate and RFC 5389
 * Binding, both sent without credentials. */
enum lc_turn_outcome {
    LC_TURN_WAITING = 0,
    LC_TURN_ANSWERED,  /* at least one well-formed answer */
    LC_TURN_MALFORMED, /* an answer to us that is not well-formed */
    LC_TURN_CLOSED,    /* ICMP port unreachable */
    LC_TURN_SILENT,    /* nothing within the time */
    LC_TURN_ERROR      /* could not even send */
};
const char *lc_turn_outcome_name(enum lc_turn_outcome o); /* "answered", ... */

struct lc_turn_obs {
    const char *addr; /* numeric */
    enum lc_turn_outcome outcome;
    const char *error;                  /* why MALFORMED, CLOSED or ERROR ("" otherwise) */
    const struct lc_stun_msg *allocate; /* the answer to the Allocate, NULL when none */
    const struct lc_stun_msg *binding;  /* the answer to the Binding, NULL when none */
};

/* One line for what an address answered, the MS-TURN answer first. */
void lc_turn_describe(const struct lc_turn_obs *a, char *buf, size_t len);

/* The check's verdict over every address of the name, in this order:
 *   an Allocate success to our request without credentials   FAIL (open
 *     relay: anyone on the internet can relay through the A/V edge; an
 *     [MS-TURN] server answers 401 with REALM and NONCE, [MS-TURN] 3.2.5.1;
 *     RFC 5766 4 has TURN servers demand credentials on every request)
 *   a malformed answer, UDP closed, cannot send, silence        FAIL
 *   (check_alternate) an ALTERNATE-SERVER that is none of the name's
 *     addresses dns_addrs[0..n_dns)                              WARN (NAT)
 *   a success with an unknown comprehension-required attribute  WARN
 *     (RFC 5389 7.3.3: clients discard it)
 *   otherwise (an error response such as 401, or a Binding)     PASS
 * name and port go into the messages. */
enum lc_status lc_turn_judge(const struct lc_turn_obs *a, size_t n, const char *name, unsigned port,
                             const char *const *dns_addrs, size_t n_dns, int check_alternate,
                             char *msg, size_t len);

/* stun.pseudo-tls: how one address's TCP port answered a TLS ClientHello. */
enum lc_ptls_kind {
    LC_PTLS_PENDING = 0,
    LC_PTLS_TLS,        /* handshake completed */
    LC_PTLS_PSEUDO,     /* ServerHello without a certificate: MS-TURN pseudo-TLS (inferred) */
    LC_PTLS_TLS_REFUSE, /* a TLS server that refused us (alert, or failed after its certificate) */
    LC_PTLS_OPEN,       /* TCP accepted, no TLS answer */
    LC_PTLS_CLOSED,     /* connection refused */
    LC_PTLS_FILTERED,   /* no answer to the TCP connect */
    LC_PTLS_ERROR       /* could not connect otherwise */
};
const char *lc_ptls_kind_name(enum lc_ptls_kind k); /* "pseudo-tls", "closed", ... */

struct lc_ptls_obs {
    const char *addr;
    enum lc_ptls_kind kind;
    const char *note; /* the one-line observation */
};

/* Any address closed, filtered or unreachable: FAIL naming the first; else
 * PASS with the first address's observation (something answers on TCP:
 * whether it is MS-TURN is only inferred, [MS-TURN] 2.1). */
enum lc_status lc_ptls_judge(const struct lc_ptls_obs *a, size_t n, unsigned port, char *msg,
                             size_t len);

#endif
