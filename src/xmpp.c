/* SPDX-License-Identifier: MIT */
/* lynccheck - XMPP stream features with libxml2's push parser, bounded. */
#include "xmpp.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "sip.h" /* lc_sip_escape */

#define LC_NS_STREAMS "http://etherx.jabber.org/streams"
#define LC_NS_TLS "urn:ietf:params:xml:ns:xmpp-tls"
#define LC_NS_SASL "urn:ietf:params:xml:ns:xmpp-sasl"
#define LC_NS_STREAM_ERRORS "urn:ietf:params:xml:ns:xmpp-streams"
#define LC_NS_DIALBACK_FEATURE "urn:xmpp:features:dialback"
#define LC_NS_DB "jabber:server:dialback"

enum lc_xmpp_in { LC_IN_NONE, LC_IN_FEATURES, LC_IN_ERROR };
enum lc_xmpp_child { LC_CH_NONE, LC_CH_STARTTLS, LC_CH_MECHANISMS };

struct lc_xmpp_parser {
    xmlParserCtxtPtr ctxt;
    struct lc_xmpp_result res;
    int depth;
    enum lc_xmpp_in in;       /* the depth-2 element we are inside */
    enum lc_xmpp_child child; /* the depth-3 feature we are inside */
    char *collect;            /* where character data goes, or NULL */
    size_t collect_len, collect_used;
    char mech[32]; /* the <mechanism/> being read */
};

static int lc_xmpp_is(const xmlChar *s, const char *want)
{
    return s != NULL && strcmp((const char *)s, want) == 0;
}

/* Copy [s, e) or a NUL-terminated s, truncated to the field. Without
 * entity substitution libxml2 hands an attribute's &amp; over as "&#38;"
 * (the other predefined entities arrive as their characters): undo that. */
static void lc_xmpp_copy(char *dst, size_t len, const xmlChar *s, const xmlChar *e)
{
    size_t n = e != NULL ? (size_t)(e - s) : strlen((const char *)s), i = 0, o = 0;

    while (i < n && o + 1 < len) {
        if (n - i >= 5 && memcmp(s + i, "&#38;", 5) == 0) {
            dst[o++] = '&';
            i += 5;
        } else {
            dst[o++] = (char)s[i++];
        }
    }
    dst[o] = '\0';
}

static void lc_xmpp_stop(struct lc_xmpp_parser *p, enum lc_xmpp_status st)
{
    if (p->res.status != LC_XMPP_NEED_MORE)
        return;
    p->res.status = st;
    p->collect = NULL;
    xmlStopParser(p->ctxt);
}

static void lc_xmpp_bad(struct lc_xmpp_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void lc_xmpp_bad(struct lc_xmpp_parser *p, const char *fmt, ...)
{
    va_list ap;

    if (p->res.status != LC_XMPP_NEED_MORE)
        return;
    va_start(ap, fmt);
    (void)vsnprintf(p->res.error, sizeof(p->res.error), fmt, ap);
    va_end(ap);
    lc_xmpp_stop(p, LC_XMPP_BAD);
}

static void lc_xmpp_collect(struct lc_xmpp_parser *p, char *dst, size_t len)
{
    p->collect = dst;
    p->collect_len = len;
    p->collect_used = 0;
    dst[0] = '\0';
}

static void lc_xmpp_on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                             const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                             int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    struct lc_xmpp_parser *p = ctx;
    struct lc_xmpp_result *r = &p->res;
    int i;

    (void)prefix;
    (void)nb_defaulted;
    if (r->status != LC_XMPP_NEED_MORE)
        return;
    if (++p->depth > LC_XMPP_MAX_DEPTH) {
        lc_xmpp_bad(p, "elements nested deeper than %d", LC_XMPP_MAX_DEPTH);
        return;
    }
    p->collect = NULL;
    if (p->depth == 1) {
        /* RFC 6120 4.8.1: the stream element is 'stream' qualified by
         * http://etherx.jabber.org/streams. */
        if (!lc_xmpp_is(localname, "stream") || !lc_xmpp_is(uri, LC_NS_STREAMS)) {
            char name[64];
            lc_xmpp_copy(name, sizeof(name), localname, NULL);
            lc_xmpp_bad(p, "not an XMPP stream: the first element is <%s> in namespace %s", name,
                        uri != NULL ? (const char *)uri : "(none)");
            return;
        }
        r->stream_open = 1;
        for (i = 0; i < nb_attributes; i++) {
            const xmlChar *const *a = attributes + 5 * i;
            if (a[1] != NULL) /* a prefixed attribute: xml:lang and the like */
                continue;
            if (lc_xmpp_is(a[0], "from"))
                lc_xmpp_copy(r->from, sizeof(r->from), a[3], a[4]);
            else if (lc_xmpp_is(a[0], "id"))
                lc_xmpp_copy(r->id, sizeof(r->id), a[3], a[4]);
            else if (lc_xmpp_is(a[0], "version"))
                lc_xmpp_copy(r->version, sizeof(r->version), a[3], a[4]);
        }
        for (i = 0; i < nb_namespaces; i++) {
            const xmlChar *pfx = namespaces[2 * i], *ns = namespaces[2 * i + 1];
            if (ns == NULL)
                continue;
            if (pfx == NULL)
                lc_xmpp_copy(r->default_ns, sizeof(r->default_ns), ns, NULL);
            else if (lc_xmpp_is(ns, LC_NS_DB))
                r->db_namespace = 1;
        }
        return;
    }
    if (p->depth == 2) {
        p->in = LC_IN_NONE;
        if (lc_xmpp_is(uri, LC_NS_STREAMS) && lc_xmpp_is(localname, "features"))
            p->in = LC_IN_FEATURES;
        else if (lc_xmpp_is(uri, LC_NS_STREAMS) && lc_xmpp_is(localname, "error"))
            p->in = LC_IN_ERROR;
        return;
    }
    if (p->depth == 3 && p->in == LC_IN_FEATURES) {
        p->child = LC_CH_NONE;
        if (lc_xmpp_is(uri, LC_NS_TLS) && lc_xmpp_is(localname, "starttls")) {
            r->starttls = 1;
            p->child = LC_CH_STARTTLS;
        } else if (lc_xmpp_is(uri, LC_NS_SASL) && lc_xmpp_is(localname, "mechanisms")) {
            r->sasl = 1;
            p->child = LC_CH_MECHANISMS;
        } else if (lc_xmpp_is(uri, LC_NS_DIALBACK_FEATURE) && lc_xmpp_is(localname, "dialback")) {
            r->dialback = 1;
        } else if (r->n_other < LC_XMPP_MAX_OTHER) {
            snprintf(r->other[r->n_other++], sizeof(r->other[0]), "%s%s%s%s",
                     uri != NULL ? "{" : "", uri != NULL ? (const char *)uri : "",
                     uri != NULL ? "}" : "", (const char *)localname);
        }
        return;
    }
    if (p->depth == 3 && p->in == LC_IN_ERROR) {
        /* RFC 6120 4.9.2: one condition element and an optional <text/>,
         * both qualified by urn:ietf:params:xml:ns:xmpp-streams. */
        if (!lc_xmpp_is(uri, LC_NS_STREAM_ERRORS))
            return;
        if (lc_xmpp_is(localname, "text"))
            lc_xmpp_collect(p, r->error_text, sizeof(r->error_text));
        else if (r->error_condition[0] == '\0')
            lc_xmpp_copy(r->error_condition, sizeof(r->error_condition), localname, NULL);
        return;
    }
    if (p->depth == 4 && p->in == LC_IN_FEATURES) {
        if (p->child == LC_CH_STARTTLS && lc_xmpp_is(uri, LC_NS_TLS) &&
            lc_xmpp_is(localname, "required"))
            r->starttls_required = 1;
        else if (p->child == LC_CH_MECHANISMS && lc_xmpp_is(uri, LC_NS_SASL) &&
                 lc_xmpp_is(localname, "mechanism"))
            lc_xmpp_collect(p, p->mech, sizeof(p->mech));
    }
}

static void lc_xmpp_on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                           const xmlChar *uri)
{
    struct lc_xmpp_parser *p = ctx;
    struct lc_xmpp_result *r = &p->res;

    (void)localname;
    (void)prefix;
    (void)uri;
    if (r->status != LC_XMPP_NEED_MORE)
        return;
    if (p->depth == 4 && p->collect == p->mech) {
        /* The mechanism name without surrounding white space (RFC 6120 6.4.1). */
        char *s = p->mech;
        size_t n = strlen(s);
        while (n > 0 &&
               (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
            s[--n] = '\0';
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
            s++;
        if (*s != '\0' && r->n_mechanisms < LC_XMPP_MAX_MECHS)
            snprintf(r->mechanisms[r->n_mechanisms++], sizeof(r->mechanisms[0]), "%s", s);
    }
    p->collect = NULL;
    if (p->depth == 3)
        p->child = LC_CH_NONE;
    if (p->depth == 2 && p->in == LC_IN_FEATURES)
        lc_xmpp_stop(p, LC_XMPP_FEATURES);
    else if (p->depth == 2 && p->in == LC_IN_ERROR)
        lc_xmpp_stop(p, LC_XMPP_STREAM_ERROR);
    else if (p->depth == 1)
        lc_xmpp_stop(p, LC_XMPP_CLOSED);
    if (p->depth == 2)
        p->in = LC_IN_NONE;
    p->depth--;
}

static void lc_xmpp_on_chars(void *ctx, const xmlChar *ch, int len)
{
    struct lc_xmpp_parser *p = ctx;
    size_t n = len > 0 ? (size_t)len : 0;

    if (p->collect == NULL || p->collect_used + 1 >= p->collect_len)
        return;
    if (n > p->collect_len - 1 - p->collect_used)
        n = p->collect_len - 1 - p->collect_used;
    memcpy(p->collect + p->collect_used, ch, n);
    p->collect_used += n;
    p->collect[p->collect_used] = '\0';
}

/* RFC 6120 11.1: an XML stream MUST NOT contain comments, processing
 * instructions, DTD subsets or entity references other than the predefined
 * ones; rejecting them at once is also what keeps entity expansion (the
 * "billion laughs") from ever starting. */
static void lc_xmpp_on_subset(void *ctx, const xmlChar *name, const xmlChar *eid,
                              const xmlChar *sid)
{
    (void)name;
    (void)eid;
    (void)sid;
    lc_xmpp_bad(ctx, "a DTD in the stream (forbidden by RFC 6120 11.1)");
}

static void lc_xmpp_on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *pid,
                                   const xmlChar *sid, xmlChar *content)
{
    (void)name;
    (void)type;
    (void)pid;
    (void)sid;
    (void)content;
    lc_xmpp_bad(ctx, "an entity declaration in the stream (forbidden by RFC 6120 11.1)");
}

static void lc_xmpp_on_reference(void *ctx, const xmlChar *name)
{
    (void)name;
    lc_xmpp_bad(ctx, "an entity reference in the stream (forbidden by RFC 6120 11.1)");
}

static void lc_xmpp_on_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
    (void)target;
    (void)data;
    lc_xmpp_bad(ctx, "a processing instruction in the stream (forbidden by RFC 6120 11.1)");
}

static void lc_xmpp_on_comment(void *ctx, const xmlChar *value)
{
    (void)value;
    lc_xmpp_bad(ctx, "a comment in the stream (forbidden by RFC 6120 11.1)");
}

#if LIBXML_VERSION >= 21200
static void lc_xmpp_on_error(void *ctx, const xmlError *e)
#else
static void lc_xmpp_on_error(void *ctx, xmlErrorPtr e)
#endif
{
    struct lc_xmpp_parser *p = ctx;
    char msg[200];
    size_t n;

    /* Warnings do not break a stream; errors (namespace ones included) do. */
    if (e == NULL || e->level < XML_ERR_ERROR)
        return;
    snprintf(msg, sizeof(msg), "%s", e->message != NULL ? e->message : "parse error");
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    lc_xmpp_bad(p, "not well-formed XML: %s (line %d, column %d)", msg, e->line, e->int2);
}

int lc_xmpp_parser_new(struct lc_xmpp_parser **out)
{
    struct lc_xmpp_parser *p = calloc(1, sizeof(*p));
    xmlSAXHandler sax;

    *out = NULL;
    if (p == NULL)
        return -1;
    xmlInitParser();
    memset(&sax, 0, sizeof(sax));
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = lc_xmpp_on_start;
    sax.endElementNs = lc_xmpp_on_end;
    sax.characters = lc_xmpp_on_chars;
    sax.cdataBlock = lc_xmpp_on_chars;
    sax.internalSubset = lc_xmpp_on_subset;
    sax.externalSubset = lc_xmpp_on_subset;
    sax.entityDecl = lc_xmpp_on_entity_decl;
    sax.reference = lc_xmpp_on_reference;
    sax.processingInstruction = lc_xmpp_on_pi;
    sax.comment = lc_xmpp_on_comment;
    sax.serror = lc_xmpp_on_error;
    /* getEntity and resolveEntity stay NULL: nothing is ever looked up or
     * loaded, and undeclared references are fatal errors. */
    p->ctxt = xmlCreatePushParserCtxt(&sax, p, NULL, 0, "xmpp-stream");
    if (p->ctxt == NULL) {
        free(p);
        return -1;
    }
    /* No XML_PARSE_NOENT (no substitution), no DTD loading, no network. */
    (void)xmlCtxtUseOptions(p->ctxt, XML_PARSE_NONET);
    *out = p;
    return 0;
}

void lc_xmpp_parser_free(struct lc_xmpp_parser *p)
{
    if (p == NULL)
        return;
    if (p->ctxt != NULL)
        xmlFreeParserCtxt(p->ctxt);
    free(p);
}

enum lc_xmpp_status lc_xmpp_parser_feed(struct lc_xmpp_parser *p, const char *data, size_t len)
{
    size_t room;
    int rc;

    if (p->res.status != LC_XMPP_NEED_MORE)
        return p->res.status;
    room = LC_XMPP_MAX_BYTES - p->res.bytes;
    if (len > room)
        len = room;
    p->res.bytes += len;
    if (len > 0) {
        rc = xmlParseChunk(p->ctxt, data, (int)len, 0);
        if (rc != 0 && p->res.status == LC_XMPP_NEED_MORE)
            lc_xmpp_bad(p, "not well-formed XML (libxml2 error %d)", rc);
    }
    if (p->res.status == LC_XMPP_NEED_MORE && p->res.bytes >= LC_XMPP_MAX_BYTES)
        lc_xmpp_bad(p, "no stream features within %d bytes", LC_XMPP_MAX_BYTES);
    return p->res.status;
}

const struct lc_xmpp_result *lc_xmpp_parser_result(const struct lc_xmpp_parser *p)
{
    return &p->res;
}

static int lc_xmpp_attr_ok(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    if (s == NULL || *s == '\0')
        return 0;
    for (; *u != '\0'; u++)
        if (*u < 0x20 || *u == '\'' || *u == '"' || *u == '<' || *u == '>' || *u == '&')
            return 0;
    return 1;
}

int lc_xmpp_stream_open(char *buf, size_t len, const char *to, const char *from)
{
    int n;

    if (!lc_xmpp_attr_ok(to) || !lc_xmpp_attr_ok(from))
        return -1;
    /* RFC 6120 4.7 and 9.1.1: to, from, version='1.0', the jabber:server
     * content namespace; the db prefix announces dialback (XEP-0220 2.1). */
    n = snprintf(buf, len,
                 "<?xml version='1.0'?>"
                 "<stream:stream xmlns='jabber:server' "
                 "xmlns:stream='http://etherx.jabber.org/streams' "
                 "xmlns:db='jabber:server:dialback' to='%s' from='%s' version='1.0'>",
                 to, from);
    if (n < 0 || (size_t)n >= len)
        return -1;
    return n;
}

/* ---- the verdict ---- */

enum lc_status lc_xmpp_judge(const struct lc_xmpp_result *r, const char *first, size_t n_first,
                             char *msg, size_t len)
{
    char from[300], id[160], mechs[300] = "", esc_first[300], cond[80], text[300];
    const char *tls, *db;
    size_t i, used = 0;

    lc_sip_escape(r->from, strnlen(r->from, sizeof(r->from)), from, sizeof(from));
    lc_sip_escape(r->id, strnlen(r->id, sizeof(r->id)), id, sizeof(id));
    switch (r->status) {
    case LC_XMPP_FEATURES:
        for (i = 0; i < r->n_mechanisms && i < LC_XMPP_MAX_MECHS; i++) {
            char esc[64];
            int w;
            lc_sip_escape(r->mechanisms[i], strnlen(r->mechanisms[i], sizeof(r->mechanisms[i])),
                          esc, sizeof(esc));
            w = snprintf(mechs + used, sizeof(mechs) - used, "%s%s", i ? " " : "", esc);
            if (w > 0 && (size_t)w < sizeof(mechs) - used)
                used += (size_t)w;
        }
        tls = r->starttls_required ? "required" : r->starttls ? "offered" : "not offered";
        db = r->dialback ? "offered" : r->db_namespace ? "namespace declared" : "not offered";
        lc_msgf(msg, len, "stream features: STARTTLS %s, dialback %s, SASL %s; from=%s id=%s%s",
                tls, db, used > 0 ? mechs : "none", from[0] ? from : "(none)",
                id[0] ? id : "(none)",
                r->starttls ? ""
                            : " (RFC 6120 5.1 requires STARTTLS support: partners that "
                              "insist on TLS will not federate)");
        return r->starttls ? LC_PASS : LC_WARN;
    case LC_XMPP_STREAM_ERROR:
        lc_sip_escape(r->error_condition, strnlen(r->error_condition, sizeof(r->error_condition)),
                      cond, sizeof(cond));
        lc_sip_escape(r->error_text, strnlen(r->error_text, sizeof(r->error_text)), text,
                      sizeof(text));
        lc_msgf(msg, len, "stream error <%s/>%s%s%s (from=%s)", cond[0] ? cond : "no condition",
                text[0] ? ": \"" : "", text, text[0] ? "\"" : "", from[0] ? from : "(none)");
        return LC_FAIL;
    case LC_XMPP_CLOSED:
        lc_msgf(msg, len, "the server closed the stream without sending features");
        return LC_FAIL;
    case LC_XMPP_BAD:
        /* libxml2's messages quote names from the input: escape them too. */
        lc_sip_escape(r->error, strnlen(r->error, sizeof(r->error)), text, sizeof(text));
        lc_sip_escape(first != NULL ? first : "", first != NULL ? (n_first < 64 ? n_first : 64) : 0,
                      esc_first, sizeof(esc_first));
        lc_msgf(msg, len, "not an XMPP stream: %s; first bytes \"%s\"", text, esc_first);
        return LC_FAIL;
    case LC_XMPP_NEED_MORE:
    default:
        lc_msgf(msg, len, "no verdict yet: the stream has not offered its features");
        return LC_ERROR;
    }
}
