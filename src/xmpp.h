/* SPDX-License-Identifier: MIT */
/* lynccheck - the start of a server-to-server XMPP stream, parsed with
 * libxml2's push parser, bounded.
 *
 * What an XMPP federation listener (5269) sends after our stream header:
 * its own header, then <stream:features> (RFC 6120 4.3.2) or a
 * <stream:error> (4.9). The input is untrusted: no DTD, entity, comment or
 * processing instruction is accepted (RFC 6120 11.1), the bytes and the
 * element depth are capped, and every string kept is truncated to its field. */
#ifndef LC_XMPP_H
#define LC_XMPP_H

#include <stddef.h>

#include "result.h"

#define LC_XMPP_MAX_BYTES (64 * 1024)
#define LC_XMPP_MAX_DEPTH 16
#define LC_XMPP_MAX_MECHS 16
#define LC_XMPP_MAX_OTHER 16

enum lc_xmpp_status {
    LC_XMPP_NEED_MORE = 0, /* nothing decided yet */
    LC_XMPP_FEATURES,      /* </stream:features> arrived */
    LC_XMPP_STREAM_ERROR,  /* a <stream:error> arrived */
    LC_XMPP_CLOSED,        /* </stream:stream> before any features */
    LC_XMPP_BAD,           /* not XML, not an XMPP stream, forbidden XML, or a bound */
};

struct lc_xmpp_result {
    enum lc_xmpp_status status;
    int stream_open;       /* the server's <stream:stream> arrived */
    char from[256];        /* its 'from' (RFC 6120 4.7.1) */
    char id[128];          /* its stream id (4.7.3) */
    char version[16];      /* its 'version' (4.7.5); empty: pre-1.0, no features */
    char default_ns[64];   /* 'jabber:server' for server-to-server */
    int db_namespace;      /* xmlns:db='jabber:server:dialback' declared (XEP-0220 2.1) */
    int starttls;          /* <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> (5.4.1) */
    int starttls_required; /* ... with <required/> (5.3.1) */
    int dialback;          /* <dialback xmlns='urn:xmpp:features:dialback'/> (XEP-0220 2.4) */
    int sasl;              /* <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'> (6.4.1) */
    char mechanisms[LC_XMPP_MAX_MECHS][32];
    size_t n_mechanisms;
    char other[LC_XMPP_MAX_OTHER][64]; /* other feature elements, "{ns}name" truncated */
    size_t n_other;
    char error_condition[64]; /* the <stream:error> condition (4.9.3) */
    char error_text[256];     /* its <text/> */
    char error[256];          /* why BAD */
    size_t bytes;             /* bytes fed so far */
};

struct lc_xmpp_parser;

/* 0, or -1 when out of memory. */
int lc_xmpp_parser_new(struct lc_xmpp_parser **out);
void lc_xmpp_parser_free(struct lc_xmpp_parser *p);
/* Feed what the server sent; returns the status so far. Once it is not
 * NEED_MORE, further input is ignored. */
enum lc_xmpp_status lc_xmpp_parser_feed(struct lc_xmpp_parser *p, const char *data, size_t len);
const struct lc_xmpp_result *lc_xmpp_parser_result(const struct lc_xmpp_parser *p);

/* The initiating entity's stream header for a server-to-server stream
 * (RFC 6120 4.7, 9.1.1). Returns its length, or -1 when it does not fit or
 * `to` / `from` hold characters that need escaping in an attribute. */
int lc_xmpp_stream_open(char *buf, size_t len, const char *to, const char *from);

/* The verdict on one address's answer, pure: the parser's result (status
 * not NEED_MORE) and the first bytes received (for a message about a
 * stream that is not XMPP). The message is NUL-terminated, truncated to
 * len (msg may be NULL when len is 0); strings from the peer are escaped.
 *   <stream:features> with STARTTLS           PASS (STARTTLS offered or
 *     required, dialback, SASL mechanisms, from, id)
 *   <stream:features> without STARTTLS        WARN (RFC 6120 5.1: STARTTLS
 *     support is REQUIRED; partners that insist on TLS will not federate)
 *   <stream:error>                            FAIL with the condition (4.9.3)
 *   </stream:stream> before features          FAIL
 *   not XML, not a stream, forbidden XML      FAIL with the parser's reason
 *   still NEED_MORE                           ERROR (no verdict yet) */
enum lc_status lc_xmpp_judge(const struct lc_xmpp_result *r, const char *first, size_t n_first,
                             char *msg, size_t len);

#endif
