/* SPDX-License-Identifier: MIT */
/* lynccheck - signing in like a Lync client from outside: the web ticket.
 *
 * See signin.h. Sources: [MS-OCAUTHWS] (OC Authentication Web Service
 * Protocol) 3.2.4.1 IssueToken, 3.2.4.1.1.1 RequestSecurityToken,
 * 3.2.4.1.1.2 RequestSecurityTokenResponse and its X-Ms-diagnostics header;
 * WS-Trust 1.3 (OASIS) section 4; SOAP 1.2 (W3C) and RFC 3902 (the action
 * parameter of application/soap+xml); RFC 4559 and [MS-NLMP] 2.2.1 for
 * the NTLM messages over HTTP; Microsoft Learn, "Configuration requirements
 * for reverse proxy in Lync Server 2013" (NTLM pass-through, the original
 * Host header). */
#include "signin.h"

#include <ctype.h>
#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web.h"

/* A web ticket is a few kilobytes; a fault less. */
#define LC_SIGNIN_MAX_DOC (256u * 1024u)

#define LC_NS_TRUST "http://docs.oasis-open.org/ws-sx/ws-trust/200512"
#define LC_ACTION_RST_ISSUE LC_NS_TRUST "/RST/Issue"

const char lc_signin_rst_content_type[] =
    "application/soap+xml; charset=utf-8; action=\"" LC_ACTION_RST_ISSUE "\"";

static void lc_signin_why(char *why, size_t wlen, const char *s)
{
    if (why != NULL && wlen > 0)
        snprintf(why, wlen, "%s", s);
}

/* ---------------------------------------------------------------- headers */

static int lc_signin_b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Skip "NTLM" and the blanks after it; NULL when the value is not NTLM. */
static const char *lc_signin_after_ntlm(const char *v, size_t len, size_t *rest)
{
    size_t i = 0;

    while (i < len && (v[i] == ' ' || v[i] == '\t'))
        i++;
    if (len - i < 4 || strncasecmp(v + i, "NTLM", 4) != 0)
        return NULL;
    i += 4;
    if (i < len && v[i] != ' ' && v[i] != '\t' && v[i] != '\r' && v[i] != '\n')
        return NULL; /* NTLMx: another scheme */
    while (i < len && (v[i] == ' ' || v[i] == '\t'))
        i++;
    *rest = len - i;
    return v + i;
}

int lc_signin_ntlm_type(const char *value, size_t len)
{
    /* "NTLMSSP\0" then the little-endian 32-bit MessageType ([MS-NLMP] 2.2.1). */
    static const unsigned char sig[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
    unsigned char out[12];
    size_t rest = 0, i, o = 0;
    unsigned acc = 0;
    int bits = 0;
    const char *t = lc_signin_after_ntlm(value, len, &rest);

    if (t == NULL)
        return 0;
    for (i = 0; i < rest && o < sizeof(out); i++) {
        int v = lc_signin_b64_value(t[i]);
        if (v < 0)
            break;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)((acc >> bits) & 0xffu);
        }
    }
    if (o < sizeof(out) || memcmp(out, sig, sizeof(sig)) != 0)
        return 0;
    if (out[9] != 0 || out[10] != 0 || out[11] != 0 || out[8] < 1 || out[8] > 3)
        return 0;
    return out[8];
}

int lc_signin_leg_challenge(struct lc_signin_leg *leg, const char *value, size_t len)
{
    size_t start = 0, i;
    int r = lc_web_challenges_add(&leg->ch, value, len);

    /* IIS sends each scheme in its own field; a CHALLENGE_MESSAGE is
     * "NTLM <base64>" ([RFC4559] section 4.2 for the form; [MS-NLMP]
     * 2.2.1.2). Look at each comma-separated part. */
    for (i = 0; i <= len; i++) {
        if (i == len || value[i] == ',') {
            if (lc_signin_ntlm_type(value + start, i - start) == 2)
                leg->ntlm_challenge = 1;
            start = i + 1;
        }
    }
    return r;
}

/* ---------------------------------------------------------------- the request */

/* Append s XML-escaped; -1 when it does not fit. */
static int lc_signin_put_esc(char *out, size_t len, size_t *at, const char *s)
{
    for (; *s != '\0'; s++) {
        const char *rep = NULL;
        char one[2] = {*s, '\0'};
        size_t n;

        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        default:
            if ((unsigned char)*s < 0x20)
                return -1; /* no control characters in a URL or an id */
            rep = one;
        }
        n = strlen(rep);
        if (*at + n >= len)
            return -1;
        memcpy(out + *at, rep, n);
        *at += n;
    }
    out[*at] = '\0';
    return 0;
}

static int lc_signin_put(char *out, size_t len, size_t *at, const char *s)
{
    size_t n = strlen(s);

    if (*at + n >= len)
        return -1;
    memcpy(out + *at, s, n);
    *at += n;
    out[*at] = '\0';
    return 0;
}

int lc_signin_rst_build(const char *to, const char *applies_to, const char *msg_id, char *out,
                        size_t len)
{
    size_t at = 0;

    if (out == NULL || len == 0 || to == NULL || applies_to == NULL || msg_id == NULL)
        return -1;
    out[0] = '\0';
    /* SOAP 1.2 with WS-Addressing 1.0 (WCF's ws2007HttpBinding): Action and
     * To are mustUnderstand; the body is WS-Trust 1.3's RST for Issue
     * ([MS-OCAUTHWS] 3.2.4.1.1.1): a SAML 1.1 token for the service the
     * client means to call, bearer (no proof key: lynccheck only proves that
     * a ticket is issued). */
    if (lc_signin_put(out, len, &at,
                      "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                      "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
                      "xmlns:a=\"http://www.w3.org/2005/08/addressing\">"
                      "<s:Header>"
                      "<a:Action s:mustUnderstand=\"1\">" LC_ACTION_RST_ISSUE "</a:Action>"
                      "<a:MessageID>") < 0 ||
        lc_signin_put_esc(out, len, &at, msg_id) < 0 ||
        lc_signin_put(out, len, &at,
                      "</a:MessageID>"
                      "<a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous"
                      "</a:Address></a:ReplyTo>"
                      "<a:To s:mustUnderstand=\"1\">") < 0 ||
        lc_signin_put_esc(out, len, &at, to) < 0 ||
        lc_signin_put(out, len, &at,
                      "</a:To>"
                      "</s:Header>"
                      "<s:Body>"
                      "<trust:RequestSecurityToken xmlns:trust=\"" LC_NS_TRUST "\">"
                      "<trust:TokenType>"
                      "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1"
                      "</trust:TokenType>"
                      "<trust:RequestType>" LC_NS_TRUST "/Issue</trust:RequestType>"
                      "<wsp:AppliesTo xmlns:wsp=\"http://schemas.xmlsoap.org/ws/2004/09/policy\">"
                      "<a:EndpointReference><a:Address>") < 0 ||
        lc_signin_put_esc(out, len, &at, applies_to) < 0 ||
        lc_signin_put(out, len, &at,
                      "</a:Address></a:EndpointReference></wsp:AppliesTo>"
                      "<trust:KeyType>" LC_NS_TRUST "/Bearer</trust:KeyType>"
                      "</trust:RequestSecurityToken>"
                      "</s:Body>"
                      "</s:Envelope>") < 0) {
        out[0] = '\0';
        return -1;
    }
    return (int)at;
}

/* ---------------------------------------------------------------- the response */

static int lc_signin_is(xmlNodePtr n, const char *name)
{
    return n != NULL && n->type == XML_ELEMENT_NODE &&
           xmlStrcmp(n->name, (const xmlChar *)name) == 0;
}

static xmlNodePtr lc_signin_find(xmlNodePtr root, const char *name)
{
    xmlNodePtr n;

    for (n = root; n != NULL; n = lc_web_xml_next(n, root))
        if (lc_signin_is(n, name))
            return n;
    return NULL;
}

/* The text of n, trimmed, into buf; control characters become '?'. */
static void lc_signin_text(xmlNodePtr n, char *buf, size_t len)
{
    xmlChar *v = xmlNodeGetContent(n);
    const char *s = (const char *)v;
    size_t l, i;

    buf[0] = '\0';
    if (v == NULL)
        return;
    while (*s != '\0' && isspace((unsigned char)*s))
        s++;
    l = strlen(s);
    while (l > 0 && isspace((unsigned char)s[l - 1]))
        l--;
    if (l >= len)
        l = len - 1;
    for (i = 0; i < l; i++)
        buf[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
    buf[l] = '\0';
    xmlFree(v);
}

/* A SOAP Fault under root: SOAP 1.2's Reason/Text, SOAP 1.1's faultstring.
 * 1 (fault set, its text in text) or 0. */
static int lc_signin_fault(xmlNodePtr root, int *fault, char *text, size_t len)
{
    xmlNodePtr n = lc_signin_find(root, "Fault"), txt;

    if (n == NULL)
        return 0;
    txt = lc_signin_find(n, "Text");
    if (txt == NULL)
        txt = lc_signin_find(n, "faultstring");
    *fault = 1;
    if (txt != NULL)
        lc_signin_text(txt, text, len);
    return 1;
}

/* SHA-256 of the token element as serialized, first 8 bytes in hex: a
 * ticket is shown by fingerprint, never itself. */
static int lc_signin_fingerprint(xmlDocPtr doc, xmlNodePtr tok, struct lc_signin_ticket *t)
{
    xmlBufferPtr b = xmlBufferCreate();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    int ret = -1;
    size_t i;

    if (b == NULL)
        return -1;
    if (xmlNodeDump(b, doc, tok, 0, 0) < 0)
        goto done;
    t->token_bytes = (size_t)xmlBufferLength(b);
    if (EVP_Digest(xmlBufferContent(b), t->token_bytes, md, &mdlen, EVP_sha256(), NULL) != 1 ||
        mdlen < 8)
        goto done;
    for (i = 0; i < 8; i++)
        snprintf(t->fingerprint + 2 * i, sizeof(t->fingerprint) - 2 * i, "%02x", md[i]);
    ret = 0;
done:
    xmlBufferFree(b);
    return ret;
}

/* Untrusted XML: no network, no DTD, no entity substitution; libxml2's
 * limits stay on. NULL with why. */
static xmlDocPtr lc_signin_xml_read(const char *body, size_t len, char *why, size_t wlen)
{
    xmlDocPtr doc;

    if (body == NULL || len == 0) {
        lc_signin_why(why, wlen, "empty body");
        return NULL;
    }
    if (len > LC_SIGNIN_MAX_DOC || len > (size_t)0x7fffffff) {
        lc_signin_why(why, wlen, "document too large");
        return NULL;
    }
    doc = xmlReadMemory(body, (int)len, "signin.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL) {
        lc_signin_why(why, wlen, "not XML");
        return NULL;
    }
    if (doc->intSubset != NULL || doc->extSubset != NULL) {
        lc_signin_why(why, wlen, "XML with a document type declaration (refused)");
        xmlFreeDoc(doc);
        return NULL;
    }
    if (xmlDocGetRootElement(doc) == NULL) {
        lc_signin_why(why, wlen, "XML without a root element");
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

int lc_signin_mex_negotiate_url(const char *body, size_t len, char *out, size_t olen, char *why,
                                size_t wlen)
{
    static const char suffix[] = "WinNegotiate";
    xmlDocPtr doc = lc_signin_xml_read(body, len, why, wlen);
    xmlNodePtr root, n;
    int found = 0;

    if (olen > 0)
        out[0] = '\0';
    if (doc == NULL)
        return -1;
    root = xmlDocGetRootElement(doc);
    for (n = root; n != NULL && !found; n = lc_web_xml_next(n, root)) {
        xmlChar *name;
        size_t nl;

        if (!lc_signin_is(n, "port"))
            continue;
        name = xmlGetProp(n, (const xmlChar *)"name");
        nl = name != NULL ? strlen((const char *)name) : 0;
        if (nl >= sizeof(suffix) - 1 &&
            strcasecmp((const char *)name + nl - (sizeof(suffix) - 1), suffix) == 0) {
            xmlNodePtr a = lc_signin_find(n, "address");
            xmlChar *loc = a != NULL ? xmlGetProp(a, (const xmlChar *)"location") : NULL;

            if (loc != NULL && strlen((const char *)loc) < olen && loc[0] != '\0') {
                snprintf(out, olen, "%s", (const char *)loc);
                found = 1;
            }
            xmlFree(loc);
        }
        xmlFree(name);
    }
    xmlFreeDoc(doc);
    return found;
}

int lc_signin_rstr_parse(const char *body, size_t len, struct lc_signin_ticket *t, char *why,
                         size_t wlen)
{
    xmlDocPtr doc = NULL;
    xmlNodePtr root, rstr, req, tok, n;
    int ret = -1;

    memset(t, 0, sizeof(*t));
    doc = lc_signin_xml_read(body, len, why, wlen);
    if (doc == NULL)
        goto done;
    root = xmlDocGetRootElement(doc);
    if (lc_signin_fault(root, &t->fault, t->fault_text, sizeof(t->fault_text))) {
        ret = 0;
        goto done;
    }
    /* WS-Trust 1.3: the RSTR, possibly inside an RSTR collection
     * (IssueFinal); the token is the one element in RequestedSecurityToken. */
    rstr = lc_signin_find(root, "RequestSecurityTokenResponse");
    req = rstr != NULL ? lc_signin_find(rstr, "RequestedSecurityToken") : NULL;
    tok = NULL;
    if (req != NULL)
        for (n = req->children; n != NULL && tok == NULL; n = n->next)
            if (n->type == XML_ELEMENT_NODE)
                tok = n;
    if (tok != NULL) {
        xmlNodePtr exp;

        t->found = 1;
        snprintf(t->token_kind, sizeof(t->token_kind), "%.60s", (const char *)tok->name);
        if (lc_signin_fingerprint(doc, tok, t) < 0) {
            lc_signin_why(why, wlen, "out of memory");
            goto done;
        }
        exp = lc_signin_find(rstr, "Lifetime");
        exp = exp != NULL ? lc_signin_find(exp, "Expires") : NULL;
        if (exp != NULL)
            lc_signin_text(exp, t->expires, sizeof(t->expires));
    }
    ret = 0;
done:
    xmlFreeDoc(doc);
    return ret;
}

int lc_signin_rstr_token(const char *body, size_t len, char *out, size_t olen, size_t *outlen)
{
    xmlDocPtr doc = lc_signin_xml_read(body, len, NULL, 0), copy = NULL;
    xmlNodePtr rstr, req, tok = NULL, n, c;
    xmlBufferPtr b = NULL;
    int ret = -1;

    *outlen = 0;
    if (doc == NULL)
        return -1;
    rstr = lc_signin_find(xmlDocGetRootElement(doc), "RequestSecurityTokenResponse");
    req = rstr != NULL ? lc_signin_find(rstr, "RequestedSecurityToken") : NULL;
    for (n = req != NULL ? req->children : NULL; n != NULL && tok == NULL; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            tok = n;
    if (tok == NULL)
        goto done;
    /* A copy in a document of its own, its namespaces declared on it:
     * the token must read the same out of its envelope. */
    copy = xmlNewDoc((const xmlChar *)"1.0");
    c = copy != NULL ? xmlDocCopyNode(tok, copy, 1) : NULL;
    if (c == NULL)
        goto done;
    xmlDocSetRootElement(copy, c);
    if (xmlReconciliateNs(copy, c) < 0)
        goto done;
    b = xmlBufferCreate();
    if (b == NULL || xmlNodeDump(b, copy, c, 0, 0) < 0)
        goto done;
    if ((size_t)xmlBufferLength(b) >= olen)
        goto done;
    memcpy(out, xmlBufferContent(b), (size_t)xmlBufferLength(b));
    out[xmlBufferLength(b)] = '\0';
    *outlen = (size_t)xmlBufferLength(b);
    ret = 0;
done:
    if (b != NULL) {
        OPENSSL_cleanse(b->content, b->use);
        xmlBufferFree(b);
    }
    xmlFreeDoc(copy);
    xmlFreeDoc(doc);
    return ret;
}

/* ---------------------------------------------------------------- the verdict */

static const char *lc_signin_esc(const char *s, char *buf, size_t len)
{
    size_t o = 0;

    for (; s != NULL && *s != '\0' && o + 1 < len; s++)
        buf[o++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
    buf[o] = '\0';
    return buf;
}

/* " (X-Ms-diagnostics ...)" when the answer had one, else "". */
static const char *lc_signin_diag_of(const struct lc_web_diag *dg, char *buf, size_t len)
{
    char d[300];

    buf[0] = '\0';
    if (dg != NULL && dg->present)
        snprintf(buf, len, " (X-Ms-diagnostics %s)", lc_web_diag_text(dg, d, sizeof(d)));
    return buf;
}

static const char *lc_signin_diag(const struct lc_signin_leg *l, char *buf, size_t len)
{
    return lc_signin_diag_of(&l->diag, buf, len);
}

/* The schemes a 401 offered, for a message. */
static const char *lc_signin_offered(const struct lc_signin_leg *l, char *buf, size_t len)
{
    char s[200];

    if (l->ch.n_headers == 0)
        snprintf(buf, len, "no WWW-Authenticate");
    else if (l->ch.realm[0] != '\0')
        snprintf(buf, len, "WWW-Authenticate %s realm=\"%s\"",
                 lc_web_challenges_text(&l->ch, s, sizeof(s)), l->ch.realm);
    else
        snprintf(buf, len, "WWW-Authenticate %s", lc_web_challenges_text(&l->ch, s, sizeof(s)));
    return buf;
}

/* A response that is none of the expected ones: 404, 5xx, redirects. */
static enum lc_status lc_signin_other(const struct lc_signin_leg *l, const char *stage, char *msg,
                                      size_t len, const char **diagnosis)
{
    char d[400];

    lc_signin_diag(l, d, sizeof(d));
    if (l->status == 404) {
        *diagnosis = "unpublished";
        snprintf(msg, len,
                 "%s answers 404: /WebTicket is not published (the reverse proxy rule must forward "
                 "every path)%s",
                 stage, d);
    } else if (l->status == 502 || l->status == 503 || l->status == 504) {
        *diagnosis = "backend-down";
        snprintf(msg, len, "%s answers %ld: the reverse proxy reaches no Lync web site%s", stage,
                 l->status, d);
    } else if (l->status >= 500) {
        snprintf(msg, len, "%s answers %ld: the Web Ticket Service fails (server error)%s", stage,
                 l->status, d);
    } else if (l->status >= 300 && l->status < 400) {
        *diagnosis = "preauth";
        snprintf(msg, len,
                 "%s answers %ld, a redirect: the reverse proxy sends the client to a sign-in of "
                 "its own (pre-authentication)%s",
                 stage, l->status, d);
    } else {
        snprintf(msg, len, "%s answers %ld%s", stage, l->status, d);
    }
    return LC_FAIL;
}

enum lc_status lc_signin_judge(const struct lc_signin_facts *f, char *msg, size_t len,
                               const char **diagnosis)
{
    char user[200], o[300], d[400], h[300];
    const struct lc_signin_leg *first, *neg = NULL, *auth = NULL, *last;
    size_t i;

    *diagnosis = NULL;
    lc_signin_esc(f->user, user, sizeof(user));
    /* The metadata first, as the client reads it before it POSTs. */
    if (f->mex_status == 0) {
        snprintf(msg, len,
                 "the WebTicket metadata (/WebTicket/WebTicketService.svc/mex) got no "
                 "answer: %s",
                 lc_signin_esc(f->mex_why != NULL ? f->mex_why : "unknown", o, sizeof(o)));
        return LC_FAIL;
    }
    if (f->mex_status != 200) {
        /* Lync serves the metadata anonymously: a 401 there is the proxy's
         * (or an authentication rule on the proxy); other statuses are
         * judged as on the POST. */
        struct lc_signin_leg l;

        memset(&l, 0, sizeof(l));
        if (f->mex_leg != NULL)
            l = *f->mex_leg;
        l.status = f->mex_status;
        if (l.status == 401 && (l.ch.schemes & (LC_AUTH_BASIC | LC_AUTH_OTHER))) {
            *diagnosis = "preauth";
            snprintf(msg, len,
                     "the WebTicket metadata answers 401 with the reverse proxy's own challenge "
                     "(%s): pre-authentication on the proxy; the client cannot sign in",
                     lc_signin_offered(&l, o, sizeof(o)));
            return LC_FAIL;
        }
        if (l.status < 300 || (l.status >= 400 && l.status < 500 && l.status != 404)) {
            snprintf(msg, len,
                     "the WebTicket metadata answers %ld, not 200 (it is anonymous on Lync's "
                     "web site)%s",
                     l.status, lc_signin_diag(&l, d, sizeof(d)));
            return LC_FAIL;
        }
        return lc_signin_other(&l, "the WebTicket metadata", msg, len, diagnosis);
    }
    if (f->mex_why != NULL) {
        snprintf(msg, len, "the WebTicket metadata is unreadable: %s",
                 lc_signin_esc(f->mex_why, o, sizeof(o)));
        return LC_FAIL;
    }
    if (f->mex_other_host != NULL) {
        *diagnosis = "host-rewritten";
        snprintf(msg, len,
                 "the WebTicket metadata names %s, not %s: the reverse proxy rewrote the Host "
                 "header; the client would POST its credentials elsewhere",
                 lc_signin_esc(f->mex_other_host, o, sizeof(o)),
                 lc_signin_esc(f->host, h, sizeof(h)));
        return LC_FAIL;
    }
    if (f->n_legs == 0) {
        snprintf(
            msg, len, "IssueToken: no HTTP answer: %s",
            lc_signin_esc(f->transport_why != NULL ? f->transport_why : "unknown", o, sizeof(o)));
        return LC_FAIL;
    }
    for (i = 0; i < f->n_legs && i < LC_SIGNIN_MAX_LEGS; i++) {
        if (f->legs[i].sent == LC_SIGNIN_SENT_NEGOTIATE && neg == NULL)
            neg = &f->legs[i];
        if (f->legs[i].sent == LC_SIGNIN_SENT_AUTHENTICATE && auth == NULL)
            auth = &f->legs[i];
    }
    first = &f->legs[0];
    last = &f->legs[(f->n_legs < LC_SIGNIN_MAX_LEGS ? f->n_legs : LC_SIGNIN_MAX_LEGS) - 1];

    /* 1. The anonymous POST: IIS answers 401 offering NTLM (and Negotiate). */
    if (first->sent != LC_SIGNIN_SENT_NONE) {
        snprintf(msg, len, "internal: the first IssueToken request carried credentials");
        return LC_ERROR;
    }
    if (first->status == 0) {
        snprintf(
            msg, len, "IssueToken: no HTTP answer: %s",
            lc_signin_esc(f->transport_why != NULL ? f->transport_why : "unknown", o, sizeof(o)));
        return LC_FAIL;
    }
    if (first->status == 200) {
        snprintf(msg, len,
                 "the anonymous IssueToken POST answers 200: the Web Ticket Service did not ask "
                 "for Windows authentication (the reverse proxy authenticates for the client, or "
                 "reuses a server connection another client authenticated)");
        return LC_FAIL;
    }
    if (first->status != 401)
        return lc_signin_other(first, "the anonymous IssueToken POST", msg, len, diagnosis);
    if (!(first->ch.schemes & LC_AUTH_NTLM)) {
        if (first->ch.schemes & (LC_AUTH_BASIC | LC_AUTH_OTHER)) {
            *diagnosis = "preauth";
            snprintf(msg, len,
                     "the anonymous IssueToken POST answers 401 with the reverse proxy's own "
                     "challenge (%s), not NTLM: pre-authentication on the proxy; the client "
                     "cannot sign in",
                     lc_signin_offered(first, o, sizeof(o)));
        } else {
            *diagnosis = "no-challenge";
            snprintf(msg, len,
                     "the anonymous IssueToken POST answers 401 with %s, no NTLM: the reverse "
                     "proxy strips NTLM from the challenge (or Windows authentication is off on "
                     "/WebTicket)%s",
                     lc_signin_offered(first, o, sizeof(o)), lc_signin_diag(first, d, sizeof(d)));
        }
        return LC_FAIL;
    }

    /* 2. The NEGOTIATE: 401 with the CHALLENGE. */
    if (neg == NULL) {
        snprintf(msg, len, "IssueToken: NTLM was offered but libcurl sent no NEGOTIATE (%s)",
                 lc_signin_esc(f->transport_why != NULL ? f->transport_why : "no second request", o,
                               sizeof(o)));
        return LC_ERROR;
    }
    if (neg->status == 0) {
        snprintf(
            msg, len, "IssueToken: the NTLM NEGOTIATE got no HTTP answer: %s",
            lc_signin_esc(f->transport_why != NULL ? f->transport_why : "unknown", o, sizeof(o)));
        return LC_FAIL;
    }
    if (neg->status == 401 && !neg->ntlm_challenge) {
        *diagnosis = "no-challenge";
        snprintf(msg, len,
                 "the NTLM NEGOTIATE answers 401 without a CHALLENGE (%s): the reverse proxy does "
                 "not pass NTLM through (the Authorization header stripped on POST, or the "
                 "connection to the server not kept)%s",
                 lc_signin_offered(neg, o, sizeof(o)), lc_signin_diag(neg, d, sizeof(d)));
        return LC_FAIL;
    }
    if (neg->status != 401)
        return lc_signin_other(neg, "the NTLM NEGOTIATE", msg, len, diagnosis);

    /* 3. The AUTHENTICATE: 200 with the ticket. */
    if (auth == NULL) {
        snprintf(
            msg, len, "IssueToken: a CHALLENGE came back but no AUTHENTICATE was sent (%s)",
            lc_signin_esc(f->transport_why != NULL ? f->transport_why : "unknown", o, sizeof(o)));
        return LC_ERROR;
    }
    if (auth->status == 0) {
        snprintf(
            msg, len, "IssueToken: the NTLM AUTHENTICATE got no HTTP answer: %s",
            lc_signin_esc(f->transport_why != NULL ? f->transport_why : "unknown", o, sizeof(o)));
        return LC_FAIL;
    }
    if (auth->status == 401) {
        if (f->connects > 1) {
            *diagnosis = "no-challenge";
            snprintf(msg, len,
                     "the NTLM AUTHENTICATE answers 401 and the exchange took %ld connections: "
                     "the reverse proxy does not keep the client's connection to one server "
                     "connection (NTLM is connection-bound)%s",
                     f->connects, lc_signin_diag(auth, d, sizeof(d)));
        } else {
            *diagnosis = "credentials-rejected";
            snprintf(msg, len,
                     "user %s: credentials rejected (401 after the NTLM AUTHENTICATE): wrong "
                     "password, or the account is locked, disabled or unknown%s",
                     user, lc_signin_diag(auth, d, sizeof(d)));
        }
        return LC_FAIL;
    }
    if (auth->status != 200 && !(auth->status >= 500 && f->ticket != NULL && f->ticket->fault))
        return lc_signin_other(auth, "the NTLM AUTHENTICATE", msg, len, diagnosis);
    if (auth != last) {
        snprintf(msg, len, "IssueToken: requests after the AUTHENTICATE's answer");
        return LC_ERROR;
    }
    if (f->ticket != NULL && f->ticket->fault) {
        snprintf(msg, len, "user %s: the Web Ticket Service answers %ld with a SOAP fault: %s%s",
                 user, auth->status,
                 f->ticket->fault_text[0] != '\0'
                     ? lc_signin_esc(f->ticket->fault_text, o, sizeof(o))
                     : "(no reason)",
                 lc_signin_diag(auth, d, sizeof(d)));
        return LC_FAIL;
    }
    if (f->ticket == NULL || f->body_why != NULL) {
        snprintf(msg, len,
                 "user %s: the IssueToken answer 200 is not a RequestSecurityTokenResponse: %s",
                 user, lc_signin_esc(f->body_why != NULL ? f->body_why : "no body", o, sizeof(o)));
        return LC_FAIL;
    }
    if (!f->ticket->found) {
        snprintf(msg, len,
                 "user %s: the IssueToken answer 200 carries no web ticket (no "
                 "RequestedSecurityToken)",
                 user);
        return LC_FAIL;
    }
    snprintf(msg, len,
             "user %s obtained a web ticket in %ld ms (401, 401 with the NTLM challenge, 200; "
             "%s, sha256 %s%s%s)",
             user, f->elapsed_ms, f->ticket->token_kind, f->ticket->fingerprint,
             f->ticket->expires[0] != '\0' ? ", expires " : "",
             lc_signin_esc(f->ticket->expires, o, sizeof(o)));
    return LC_PASS;
}

/* ---------------------------------------------------------------- signin.certprov */

#define LC_NS_AUTHWS "http://schemas.microsoft.com/OCS/AuthWebServices/"
#define LC_NS_WSSE                                                                                 \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
#define LC_NS_WSU                                                                                  \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"

const char lc_signin_certprov_content_type[] =
    "application/soap+xml; charset=utf-8; action=\"" LC_NS_AUTHWS "GetAndPublishCert\"";

int lc_signin_certprov_build(const char *to, const char *msg_id, const char *ticket,
                             const char *created, const char *expires, const char *user,
                             const char *device_id, const char *request_id, const char *csr_b64,
                             char *out, size_t len)
{
    size_t at = 0;

    if (out == NULL || len == 0)
        return -1;
    out[0] = '\0';
    if (to == NULL || msg_id == NULL || ticket == NULL || created == NULL || expires == NULL ||
        user == NULL || device_id == NULL || request_id == NULL || csr_b64 == NULL)
        return -1;
    /* The ticket goes in as the service issued it: a SAML assertion (an
     * element, never text that could close the header). */
    if (strncmp(ticket, "<", 1) != 0)
        return -1;
    /* [MS-OCAUTHWS] 3.1.4.1: GetAndPublishCert, the web ticket in the
     * WS-Security header ([WSS] SAML token profile; the WebTicket_Proof_SHA1
     * endpoint); the body a WS-Trust RST for an X.509v3 token carrying the
     * PKCS#10 request (the schema's PKCS10 value type), with a device id
     * and a request id. */
    if (lc_signin_put(out, len, &at,
                      "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                      "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
                      "xmlns:a=\"http://www.w3.org/2005/08/addressing\" "
                      "xmlns:wsse=\"" LC_NS_WSSE "\" xmlns:wsu=\"" LC_NS_WSU "\">"
                      "<s:Header>"
                      "<a:Action s:mustUnderstand=\"1\">" LC_NS_AUTHWS
                      "GetAndPublishCert</a:Action><a:MessageID>") < 0 ||
        lc_signin_put_esc(out, len, &at, msg_id) < 0 ||
        lc_signin_put(out, len, &at, "</a:MessageID><a:To s:mustUnderstand=\"1\">") < 0 ||
        lc_signin_put_esc(out, len, &at, to) < 0 ||
        lc_signin_put(out, len, &at,
                      "</a:To><wsse:Security s:mustUnderstand=\"1\">"
                      "<wsu:Timestamp wsu:Id=\"_0\"><wsu:Created>") < 0 ||
        lc_signin_put_esc(out, len, &at, created) < 0 ||
        lc_signin_put(out, len, &at, "</wsu:Created><wsu:Expires>") < 0 ||
        lc_signin_put_esc(out, len, &at, expires) < 0 ||
        lc_signin_put(out, len, &at, "</wsu:Expires></wsu:Timestamp>") < 0 ||
        lc_signin_put(out, len, &at, ticket) < 0 ||
        lc_signin_put(out, len, &at,
                      "</wsse:Security></s:Header><s:Body>"
                      "<GetAndPublishCert xmlns=\"" LC_NS_AUTHWS "\" "
                      "xmlns:wst=\"" LC_NS_TRUST "\" "
                      "xmlns:wstep=\"http://schemas.microsoft.com/windows/pki/2009/01/enrollment\" "
                      "DeviceId=\"{") < 0 ||
        lc_signin_put_esc(out, len, &at, device_id) < 0 ||
        lc_signin_put(out, len, &at, "}\" Entity=\"") < 0 ||
        lc_signin_put_esc(out, len, &at, user) < 0 ||
        lc_signin_put(out, len, &at,
                      "\"><wst:RequestSecurityToken>"
                      "<wst:TokenType>http://docs.oasis-open.org/wss/2004/01/"
                      "oasis-200401-wss-x509-token-profile-1.0#X509v3</wst:TokenType>"
                      "<wst:RequestType>" LC_NS_TRUST "/Issue</wst:RequestType>"
                      "<wsse:BinarySecurityToken ValueType=\"http://schemas.microsoft.com/OCS/"
                      "AuthWebServices.xsd#PKCS10\" EncodingType=\"" LC_NS_WSSE
                      "#Base64Binary\">") < 0 ||
        lc_signin_put_esc(out, len, &at, csr_b64) < 0 ||
        lc_signin_put(out, len, &at, "</wsse:BinarySecurityToken><wstep:RequestID>") < 0 ||
        lc_signin_put_esc(out, len, &at, request_id) < 0 ||
        lc_signin_put(out, len, &at,
                      "</wstep:RequestID></wst:RequestSecurityToken></GetAndPublishCert>"
                      "</s:Body></s:Envelope>") < 0) {
        out[0] = '\0';
        return -1;
    }
    return (int)at;
}

void lc_signin_certprov_clear(struct lc_signin_certprov *c)
{
    if (c == NULL)
        return;
    free(c->der);
    memset(c, 0, sizeof(*c));
}

/* Base64 (whitespace allowed) into a new buffer; -1 when not base64. */
static int lc_signin_b64_decode(const char *s, unsigned char **out, size_t *olen)
{
    size_t n = strlen(s), i, o = 0;
    unsigned char *b = malloc(n / 4 * 3 + 4);
    unsigned acc = 0;
    int bits = 0, pad = 0;

    *out = NULL;
    *olen = 0;
    if (b == NULL)
        return -1;
    for (i = 0; i < n; i++) {
        int v;
        if (isspace((unsigned char)s[i]))
            continue;
        if (s[i] == '=') {
            pad++;
            continue;
        }
        v = lc_signin_b64_value(s[i]);
        if (v < 0 || pad > 0) {
            free(b);
            return -1;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            b[o++] = (unsigned char)((acc >> bits) & 0xff);
        }
    }
    if (o == 0 || pad > 2) {
        free(b);
        return -1;
    }
    *out = b;
    *olen = o;
    return 0;
}

int lc_signin_certprov_parse(const char *body, size_t len, struct lc_signin_certprov *c, char *why,
                             size_t wlen)
{
    xmlDocPtr doc;
    xmlNodePtr root, n, resp;
    xmlChar *v = NULL;
    int ret = -1;

    memset(c, 0, sizeof(*c));
    doc = lc_signin_xml_read(body, len, why, wlen);
    if (doc == NULL)
        return -1;
    root = xmlDocGetRootElement(doc);
    if (lc_signin_fault(root, &c->fault, c->fault_text, sizeof(c->fault_text))) {
        ret = 0;
        goto done;
    }
    resp = lc_signin_find(root, "GetAndPublishCertResponse");
    n = resp != NULL ? lc_signin_find(resp, "RequestedSecurityToken") : NULL;
    n = n != NULL ? lc_signin_find(n, "BinarySecurityToken") : NULL;
    if (n == NULL) {
        lc_signin_why(why, wlen, "no GetAndPublishCertResponse with a BinarySecurityToken");
        goto done;
    }
    v = xmlNodeGetContent(n);
    if (v == NULL || lc_signin_b64_decode((const char *)v, &c->der, &c->der_len) < 0) {
        lc_signin_why(why, wlen, "the BinarySecurityToken is not base64");
        goto done;
    }
    ret = 0;
done:
    xmlFree(v);
    xmlFreeDoc(doc);
    return ret;
}

enum lc_status lc_signin_cert_judge(const struct lc_signin_cert_facts *f, char *msg, size_t len,
                                    const char **diagnosis)
{
    char user[200], o[300], d[400], s[300];

    *diagnosis = NULL;
    lc_signin_esc(f->user, user, sizeof(user));
    lc_signin_diag_of(f->diag, d, sizeof(d));
    /* The metadata first, as the client reads it: 404 means the service is
     * not there at all (not published on the proxy, or not deployed). */
    if (f->mex_status == 404) {
        *diagnosis = "certprov-unpublished";
        snprintf(msg, len,
                 "the CertProv metadata (/CertProv/CertProvisioningService.svc/mex) answers "
                 "404: certificate provisioning is not published (the reverse proxy rule, or "
                 "the service on the pool)%s",
                 d);
        return LC_FAIL;
    }
    if (f->mex_status != 200) {
        if (f->mex_status == 0)
            snprintf(msg, len, "the CertProv metadata got no answer: %s",
                     lc_signin_esc(f->transport_why != NULL ? f->transport_why : "unknown", o,
                                   sizeof(o)));
        else
            snprintf(msg, len,
                     "the CertProv metadata answers %ld, not 200 (Lync serves it anonymously: "
                     "the reverse proxy answers for it, or the service fails)%s",
                     f->mex_status, d);
        return LC_FAIL;
    }
    if (f->transport_why != NULL) {
        snprintf(msg, len, "GetAndPublishCert: no HTTP answer: %s",
                 lc_signin_esc(f->transport_why, o, sizeof(o)));
        return LC_FAIL;
    }
    if (f->status == 404) {
        *diagnosis = "certprov-unpublished";
        snprintf(msg, len,
                 "GetAndPublishCert answers 404: /CertProv/CertProvisioningService.svc/"
                 "WebTicket_Proof_SHA1 is not published (the reverse proxy rule, or the service "
                 "on the pool)%s",
                 d);
        return LC_FAIL;
    }
    if (f->status == 401 || f->status == 403) {
        *diagnosis = "certprov-ticket-refused";
        snprintf(msg, len,
                 "GetAndPublishCert answers %ld: the Certificate Provisioning Service refused "
                 "the web ticket%s",
                 f->status, d);
        return LC_FAIL;
    }
    if (f->fault || (f->status >= 500 && f->status < 600 && f->status != 502 && f->status != 503 &&
                     f->status != 504)) {
        *diagnosis = "certprov-disabled";
        snprintf(msg, len,
                 "GetAndPublishCert answers %ld%s%s: certificate provisioning is disabled or "
                 "failing on the pool (no user certificate: the client cannot sign in with "
                 "certificate authentication)%s",
                 f->status, f->fault ? " with a SOAP fault: " : "",
                 f->fault ? lc_signin_esc(f->fault_text != NULL && f->fault_text[0] != '\0'
                                              ? f->fault_text
                                              : "(no reason)",
                                          o, sizeof(o))
                          : "",
                 d);
        return LC_FAIL;
    }
    if (f->status >= 502 && f->status <= 504) {
        *diagnosis = "backend-down";
        snprintf(msg, len, "GetAndPublishCert answers %ld: the reverse proxy reaches no pool%s",
                 f->status, d);
        return LC_FAIL;
    }
    if (f->status != 200) {
        snprintf(msg, len, "GetAndPublishCert answers %ld, not 200%s", f->status, d);
        return LC_FAIL;
    }
    if (f->body_why != NULL || !f->have_cert) {
        snprintf(msg, len, "GetAndPublishCert answers 200 without a usable certificate: %s",
                 lc_signin_esc(f->body_why != NULL ? f->body_why : "none", o, sizeof(o)));
        return LC_FAIL;
    }
    if (!f->key_matches) {
        snprintf(msg, len,
                 "the certificate returned (subject %s) is not for the key lynccheck generated",
                 lc_signin_esc(f->subject, s, sizeof(s)));
        return LC_FAIL;
    }
    if (!f->sip_uri_matches) {
        snprintf(msg, len, "the certificate returned names %s, not sip:%s (subject %s)",
                 f->sip_uri[0] != '\0' ? lc_signin_esc(f->sip_uri, o, sizeof(o)) : "no sip: URI",
                 user, lc_signin_esc(f->subject, s, sizeof(s)));
        return LC_FAIL;
    }
    if (f->now < f->not_before || f->now > f->not_after) {
        snprintf(msg, len, "the certificate returned for sip:%s is %s (check the pool's clock)",
                 user, f->now < f->not_before ? "not yet valid" : "expired");
        return LC_FAIL;
    }
    if (!f->chain_ok) {
        snprintf(msg, len,
                 "the certificate returned for sip:%s (issuer %s) does not chain to the pool's "
                 "CA: %s",
                 user, lc_signin_esc(f->issuer, s, sizeof(s)),
                 lc_signin_esc(f->chain_why != NULL ? f->chain_why : "unverified", o, sizeof(o)));
        return LC_FAIL;
    }
    snprintf(msg, len,
             "certificate issued for sip:%s in %ld ms (issuer %s, valid %lld days more, chains to "
             "the pool's CA)",
             user, f->elapsed_ms, lc_signin_esc(f->issuer, s, sizeof(s)),
             (f->not_after - f->now) / 86400);
    return LC_PASS;
}

/* ---------------------------------------------------------------- signin.fe-ticket */

enum lc_status lc_signin_fe_judge(const struct lc_signin_fe_facts *f, char *msg, size_t len,
                                  const char **diagnosis)
{
    char user[200], o[300], d[400], h[300];

    *diagnosis = NULL;
    lc_signin_esc(f->user, user, sizeof(user));
    lc_signin_esc(f->host, h, sizeof(h));
    lc_signin_diag_of(f->diag, d, sizeof(d));
    if (f->transport_why != NULL) {
        snprintf(msg, len, "IssueToken with the certificate on %s: no HTTP answer: %s", h,
                 lc_signin_esc(f->transport_why, o, sizeof(o)));
        return LC_FAIL;
    }
    if (f->status == 401 || f->status == 403 ||
        (f->status >= 500 && f->ticket != NULL && f->ticket->fault)) {
        *diagnosis = "fe-ticket-refused";
        snprintf(msg, len,
                 "ticket refused by the Front End: IssueToken with the provisioned certificate on "
                 "%s answers %ld%s%s%s",
                 h, f->status, f->ticket != NULL && f->ticket->fault ? ", SOAP fault: " : "",
                 f->ticket != NULL && f->ticket->fault
                     ? lc_signin_esc(f->ticket->fault_text, o, sizeof(o))
                     : "",
                 d);
        return LC_FAIL;
    }
    if (f->status == 404) {
        *diagnosis = "unpublished";
        snprintf(msg, len,
                 "IssueToken with the certificate on %s answers 404: "
                 "/WebTicket/WebTicketService.svc/cert is not published%s",
                 h, d);
        return LC_FAIL;
    }
    if (f->status >= 502 && f->status <= 504) {
        *diagnosis = "backend-down";
        snprintf(msg, len, "IssueToken on %s answers %ld: the reverse proxy reaches no pool%s", h,
                 f->status, d);
        return LC_FAIL;
    }
    if (f->status != 200) {
        snprintf(msg, len, "IssueToken with the certificate on %s answers %ld, not 200%s", h,
                 f->status, d);
        return LC_FAIL;
    }
    if (f->ticket == NULL || f->body_why != NULL || !f->ticket->found) {
        snprintf(msg, len, "IssueToken with the certificate on %s answers 200 without a ticket%s%s",
                 h, f->body_why != NULL ? ": " : "",
                 f->body_why != NULL ? lc_signin_esc(f->body_why, o, sizeof(o)) : "");
        return LC_FAIL;
    }
    snprintf(msg, len,
             "the Front End %s issued user %s a web ticket for the certificate in %ld ms (%s, "
             "sha256 %s)",
             h, user, f->elapsed_ms, f->ticket->token_kind, f->ticket->fingerprint);
    return LC_PASS;
}

/* ---------------------------------------------------------------- WS-Security with the certificate
 */

#define LC_NS_DSIG "http://www.w3.org/2000/09/xmldsig#"
#define LC_EXC_C14N "http://www.w3.org/2001/10/xml-exc-c14n#"
#define LC_X509V3                                                                                  \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"

/* A node is in the canonicalized subset when it is the apex or under it;
 * an attribute's or a namespace's own parent decides for it. */
static int lc_signin_c14n_visible(void *apex, xmlNodePtr node, xmlNodePtr parent)
{
    xmlNodePtr n = node;

    if (node == NULL || node->type == XML_NAMESPACE_DECL || node->type == XML_ATTRIBUTE_NODE)
        n = parent;
    for (; n != NULL; n = n->parent)
        if (n == (xmlNodePtr)apex)
            return 1;
    return 0;
}

static xmlNodePtr lc_signin_find_ns(xmlNodePtr root, const char *name, const char *ns)
{
    xmlNodePtr n;

    for (n = root; n != NULL; n = lc_web_xml_next(n, root))
        if (lc_signin_is(n, name) && n->ns != NULL &&
            xmlStrcmp(n->ns->href, (const xmlChar *)ns) == 0)
            return n;
    return NULL;
}

/* Exclusive C14N 1.0 of the subtree at apex, malloc'd. */
static char *lc_signin_c14n_node(xmlDocPtr doc, xmlNodePtr apex, size_t *outlen)
{
    xmlOutputBufferPtr buf = xmlAllocOutputBuffer(NULL);
    char *out = NULL;
    size_t n;

    *outlen = 0;
    if (buf == NULL)
        return NULL;
    if (xmlC14NExecute(doc, lc_signin_c14n_visible, apex, XML_C14N_EXCLUSIVE_1_0, NULL, 0, buf) < 0)
        goto done;
    n = xmlOutputBufferGetSize(buf);
    out = malloc(n + 1);
    if (out == NULL)
        goto done;
    memcpy(out, xmlOutputBufferGetContent(buf), n);
    out[n] = '\0';
    *outlen = n;
done:
    xmlOutputBufferClose(buf);
    return out;
}

char *lc_signin_exc_c14n(const char *doc, size_t len, const char *local, size_t *outlen)
{
    xmlDocPtr d = lc_signin_xml_read(doc, len, NULL, 0);
    xmlNodePtr n = d != NULL ? lc_signin_find(xmlDocGetRootElement(d), local) : NULL;
    char *out = n != NULL ? lc_signin_c14n_node(d, n, outlen) : NULL;

    xmlFreeDoc(d);
    return out;
}

/* base64 of data into a new string. */
static char *lc_signin_b64(const unsigned char *data, size_t len)
{
    char *out;

    if (len > 0x10000000)
        return NULL;
    out = malloc((len + 2) / 3 * 4 + 1);
    if (out != NULL)
        EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

char *lc_signin_wss_sign(const char *rst, const unsigned char *cert_der, size_t cert_len,
                         EVP_PKEY *key, const char *created, const char *expires, size_t *outlen)
{
    static const char hdr_end[] = "</s:Header>";
    const char *at = rst != NULL ? strstr(rst, hdr_end) : NULL;
    char *bst = NULL, *env = NULL, *c14n = NULL, *out = NULL, *b64 = NULL;
    unsigned char md[EVP_MAX_MD_SIZE], *sig = NULL;
    unsigned int mdlen = 0;
    size_t n, clen = 0, siglen = 0, pre;
    xmlDocPtr doc = NULL;
    xmlNodePtr root, ts, si, dv, sv;
    xmlChar *dump = NULL;
    int dlen = 0;
    EVP_MD_CTX *mctx = NULL;

    *outlen = 0;
    if (at == NULL || cert_der == NULL || key == NULL || created == NULL || expires == NULL ||
        strchr(created, '<') != NULL || strchr(expires, '<') != NULL)
        return NULL;
    bst = lc_signin_b64(cert_der, cert_len);
    if (bst == NULL)
        goto done;
    /* The header before the body is signed: the Timestamp, the token, and a
     * Signature whose digest and value are filled in below. */
    n = strlen(rst) + strlen(bst) + 2048;
    env = malloc(n);
    if (env == NULL)
        goto done;
    pre = (size_t)(at - rst);
    if (snprintf(
            env, n,
            "%.*s<wsse:Security s:mustUnderstand=\"1\" xmlns:wsse=\"" LC_NS_WSSE
            "\" xmlns:wsu=\"" LC_NS_WSU "\">"
            "<wsu:Timestamp wsu:Id=\"_0\"><wsu:Created>%s</wsu:Created>"
            "<wsu:Expires>%s</wsu:Expires></wsu:Timestamp>"
            "<wsse:BinarySecurityToken wsu:Id=\"x509-1\" ValueType=\"" LC_X509V3
            "\" EncodingType=\"" LC_NS_WSSE "#Base64Binary\">%s</wsse:BinarySecurityToken>"
            "<ds:Signature xmlns:ds=\"" LC_NS_DSIG "\"><ds:SignedInfo>"
            "<ds:CanonicalizationMethod Algorithm=\"" LC_EXC_C14N "\"/>"
            "<ds:SignatureMethod Algorithm=\"" LC_NS_DSIG "rsa-sha1\"/>"
            "<ds:Reference URI=\"#_0\"><ds:Transforms><ds:Transform Algorithm=\"" LC_EXC_C14N
            "\"/></ds:Transforms><ds:DigestMethod Algorithm=\"" LC_NS_DSIG "sha1\"/>"
            "<ds:DigestValue></ds:DigestValue></ds:Reference></ds:SignedInfo>"
            "<ds:SignatureValue></ds:SignatureValue><ds:KeyInfo>"
            "<wsse:SecurityTokenReference><wsse:Reference URI=\"#x509-1\" ValueType=\"" LC_X509V3
            "\"/></wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>"
            "</wsse:Security>%s",
            (int)pre, rst, created, expires, bst, at) >= (int)n)
        goto done;
    doc = lc_signin_xml_read(env, strlen(env), NULL, 0);
    if (doc == NULL)
        goto done;
    root = xmlDocGetRootElement(doc);
    ts = lc_signin_find_ns(root, "Timestamp", LC_NS_WSU);
    si = lc_signin_find_ns(root, "SignedInfo", LC_NS_DSIG);
    dv = si != NULL ? lc_signin_find_ns(si, "DigestValue", LC_NS_DSIG) : NULL;
    sv = lc_signin_find_ns(root, "SignatureValue", LC_NS_DSIG);
    if (ts == NULL || dv == NULL || sv == NULL)
        goto done;
    /* [XMLDSIG] 4.3.3: the digest of the referenced Timestamp's canonical form. */
    c14n = lc_signin_c14n_node(doc, ts, &clen);
    if (c14n == NULL || EVP_Digest(c14n, clen, md, &mdlen, EVP_sha1(), NULL) != 1)
        goto done;
    b64 = lc_signin_b64(md, mdlen);
    if (b64 == NULL)
        goto done;
    xmlNodeSetContent(dv, (const xmlChar *)b64);
    free(b64);
    b64 = NULL;
    free(c14n);
    /* [XMLDSIG] 3.1.2: the signature over the SignedInfo's canonical form. */
    c14n = lc_signin_c14n_node(doc, si, &clen);
    mctx = EVP_MD_CTX_new();
    if (c14n == NULL || mctx == NULL ||
        EVP_DigestSignInit(mctx, NULL, EVP_sha1(), NULL, key) != 1 ||
        EVP_DigestSign(mctx, NULL, &siglen, (const unsigned char *)c14n, clen) != 1)
        goto done;
    sig = malloc(siglen > 0 ? siglen : 1);
    if (sig == NULL || EVP_DigestSign(mctx, sig, &siglen, (const unsigned char *)c14n, clen) != 1)
        goto done;
    b64 = lc_signin_b64(sig, siglen);
    if (b64 == NULL)
        goto done;
    xmlNodeSetContent(sv, (const xmlChar *)b64);
    xmlDocDumpMemoryEnc(doc, &dump, &dlen, "UTF-8");
    if (dump == NULL || dlen <= 0)
        goto done;
    out = malloc((size_t)dlen + 1);
    if (out == NULL)
        goto done;
    memcpy(out, dump, (size_t)dlen);
    out[dlen] = '\0';
    *outlen = (size_t)dlen;
done:
    xmlFree(dump);
    EVP_MD_CTX_free(mctx);
    free(sig);
    free(b64);
    free(c14n);
    xmlFreeDoc(doc);
    free(env);
    free(bst);
    return out;
}

/* ---------------------------------------------------------------- signin.abs */

int lc_signin_abs_name(char kind, long long now, int back, char *out, size_t len)
{
    /* 2001-01-01 00:00:00 UTC ([MS-ABS] 1.3). */
    const long long epoch = 978307200LL;
    long long day;
    int n;

    if (out == NULL || len == 0 || back < 0 || now < epoch)
        return -1;
    day = (now - epoch) / 86400 - back;
    if (day < 1 || day > 0xffff)
        return -1;
    if (kind == 'F')
        n = snprintf(out, len, "F-%04llX.lsabs", day);
    else if (kind == 'D')
        n = snprintf(out, len, "D-%04llX-%04llX.lsabs", day - 1, day);
    else
        return -1;
    return n > 0 && (size_t)n < len ? 0 : -1;
}

enum lc_status lc_signin_abs_judge(const struct lc_signin_abs_facts *f, size_t *fetched, char *msg,
                                   size_t len, const char **diagnosis)
{
    const struct lc_signin_abs_file *full = NULL, *refused = NULL;
    char o[300], d[400], h[300];
    size_t i;

    *diagnosis = NULL;
    *fetched = 0;
    lc_signin_esc(f->host, h, sizeof(h));
    for (i = 0; i < f->n_files && i < LC_SIGNIN_ABS_MAX; i++) {
        const struct lc_signin_abs_file *a = &f->files[i];
        if (a->status == 200) {
            (*fetched)++;
            if (a->name[0] == 'F' && full == NULL)
                full = a;
        } else if ((a->status == 401 || a->status == 403) && refused == NULL) {
            refused = a;
        }
    }
    if (full != NULL) {
        snprintf(msg, len,
                 "address book: %zu file%s from %s/abs/handler/ in %ld ms (full file %s, %zu "
                 "bytes)",
                 *fetched, *fetched == 1 ? "" : "s", h, f->elapsed_ms, full->name, full->bytes);
        return LC_PASS;
    }
    if (f->n_files == 0 || f->transport_why != NULL) {
        snprintf(msg, len, "address book on %s: no HTTP answer: %s", h,
                 lc_signin_esc(f->transport_why != NULL ? f->transport_why : "no request", o,
                               sizeof(o)));
        return LC_FAIL;
    }
    if (refused != NULL) {
        *diagnosis = "fe-ticket-refused";
        snprintf(msg, len,
                 "address book on %s: %s answers %ld with the web ticket: the Front End refused "
                 "the ticket%s",
                 h, refused->name, refused->status,
                 lc_signin_diag_of(&refused->diag, d, sizeof(d)));
        return LC_FAIL;
    }
    snprintf(msg, len,
             "address book on %s: no full file (%s answers %ld): the Address Book Server has not "
             "produced today's or yesterday's file, or /abs/ is not published",
             h, f->files[0].name, f->files[0].status);
    if (f->files[0].status == 404)
        *diagnosis = "unpublished";
    return LC_FAIL;
}

/* ---------------------------------------------------------------- signin.summary */

void lc_signin_summary(const struct lc_signin_summary_facts *f, char *msg, size_t len)
{
    char user[200], r[300];

    lc_signin_esc(f->user, user, sizeof(user));
    snprintf(msg, len,
             "user %s signed in from outside: web ticket %ld ms, %s, address book %zu file%s%s%s",
             user, f->ticket_ms, f->cert_issued ? "certificate issued" : "no certificate",
             f->abs_files, f->abs_files == 1 ? "" : "s",
             f->registered != NULL ? ", registered " : "",
             f->registered != NULL ? lc_signin_esc(f->registered, r, sizeof(r)) : "");
}
