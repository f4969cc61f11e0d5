/* SPDX-License-Identifier: MIT */
/* lynccheck - what the Lync web services say, read and judged (web.h). */
#include "config.h"

#include "web.h"

#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "utf8.h"

/* ---------------------------------------------------------------- helpers */

static void lc_web_why(char *why, size_t wlen, const char *text)
{
    if (why != NULL && wlen > 0)
        snprintf(why, wlen, "%s", text);
}

/* Copy n bytes into a bounded field, truncating. */
static void lc_web_copy(char *dst, size_t dlen, const char *s, size_t n)
{
    if (dlen == 0)
        return;
    if (n >= dlen)
        n = dlen - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* ---------------------------------------------------------------- challenges */

/* RFC 7230 3.2.6 tchar. */
static int lc_web_is_tchar(unsigned char c)
{
    return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 7235 2.1 token68 characters (before the trailing '='s). */
static int lc_web_is_t68(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

static int lc_web_is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static void lc_web_scheme_seen(struct lc_web_challenges *c, const char *s, size_t n)
{
    static const struct {
        const char *name;
        unsigned bit;
    } known[] = {{"Negotiate", LC_AUTH_NEGOTIATE},
                 {"NTLM", LC_AUTH_NTLM},
                 {"Bearer", LC_AUTH_BEARER},
                 {"MsRtcOAuth", LC_AUTH_MSRTCOAUTH},
                 {"Basic", LC_AUTH_BASIC}};
    size_t i;

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strlen(known[i].name) == n && strncasecmp(known[i].name, s, n) == 0) {
            c->schemes |= known[i].bit;
            return;
        }
    }
    c->schemes |= LC_AUTH_OTHER;
    if (c->other[0] == '\0')
        lc_web_copy(c->other, sizeof(c->other), s, n);
}

/* A quoted-string at v[*i] (the opening quote): its content, unescaped,
 * into out. Returns 0, or -1 when unterminated. */
static int lc_web_quoted(const char *v, size_t len, size_t *i, char *out, size_t olen)
{
    size_t o = 0, p = *i + 1;

    while (p < len && v[p] != '"') {
        char ch = v[p];

        if (ch == '\\') {
            if (p + 1 >= len)
                return -1;
            ch = v[++p];
        }
        /* RFC 7230 3.2.6 qdtext / quoted-pair: HTAB, SP, VCHAR, obs-text;
         * no NUL (it would cut the value short) and no control bytes. */
        if (((unsigned char)ch < 0x20 && ch != '\t') || ch == 0x7f)
            return -1;
        if (o + 1 < olen)
            out[o++] = ch;
        p++;
    }
    if (p >= len)
        return -1;
    if (olen > 0)
        out[o < olen ? o : olen - 1] = '\0';
    *i = p + 1;
    return 0;
}

/* One auth-param of the current scheme: keep what we report on. */
static void lc_web_param_seen(struct lc_web_challenges *c, unsigned scheme, const char *name,
                              size_t nlen, const char *value)
{
    if (scheme == LC_AUTH_MSRTCOAUTH && nlen == 4 && strncasecmp(name, "href", 4) == 0)
        lc_web_copy(c->msrtc_href, sizeof(c->msrtc_href), value, strlen(value));
    else if (scheme == LC_AUTH_MSRTCOAUTH && nlen == 10 && strncasecmp(name, "grant_type", 10) == 0)
        lc_web_copy(c->msrtc_grant, sizeof(c->msrtc_grant), value, strlen(value));
    else if (nlen == 5 && strncasecmp(name, "realm", 5) == 0 && c->realm[0] == '\0')
        lc_web_copy(c->realm, sizeof(c->realm), value, strlen(value));
}

static unsigned lc_web_scheme_bit(const char *s, size_t n)
{
    struct lc_web_challenges tmp;

    memset(&tmp, 0, sizeof(tmp));
    lc_web_scheme_seen(&tmp, s, n);
    return tmp.schemes;
}

/* RFC 7235 4.1: WWW-Authenticate = 1#challenge; challenge = auth-scheme
 * [ 1*SP ( token68 / #auth-param ) ]. A comma separates both challenges
 * and the auth-params of one challenge: an item that is `token =` is a
 * parameter of the current scheme, a bare token starts a new challenge. */
int lc_web_challenges_add(struct lc_web_challenges *c, const char *v, size_t len)
{
    size_t i = 0;
    unsigned scheme = 0;  /* the current challenge's bit, 0 before the first */
    int after_scheme = 0; /* the previous item was a scheme followed by SP */
    int ret = 0;

    c->n_headers++;
    while (i < len) {
        size_t start, end, eq = 0;

        while (i < len && (lc_web_is_ows((unsigned char)v[i]) || v[i] == ',')) {
            if (v[i] == ',')
                after_scheme = 0; /* a token68 only directly follows its scheme */
            i++;
        }
        if (i >= len)
            break;
        start = i;
        while (i < len &&
               (lc_web_is_tchar((unsigned char)v[i]) || lc_web_is_t68((unsigned char)v[i])))
            i++;
        end = i;
        if (end == start) {
            ret = -1;
            goto done;
        }
        while (i < len && lc_web_is_ows((unsigned char)v[i]))
            i++;
        while (i + eq < len && v[i + eq] == '=')
            eq++;
        if (eq > 0) {
            size_t j = i + eq;

            while (j < len && lc_web_is_ows((unsigned char)v[j]))
                j++;
            if (eq == 1 && j < len && v[j] != ',') {
                /* auth-param: token BWS "=" BWS ( token / quoted-string ) */
                char value[600];
                size_t k;

                if (scheme == 0) {
                    ret = -1;
                    goto done;
                }
                for (k = start; k < end; k++) {
                    if (!lc_web_is_tchar((unsigned char)v[k])) {
                        ret = -1;
                        goto done;
                    }
                }
                i = j;
                if (v[i] == '"') {
                    if (lc_web_quoted(v, len, &i, value, sizeof(value)) < 0) {
                        ret = -1;
                        goto done;
                    }
                } else {
                    size_t s = i;
                    /* MsRtcOAuth's href unquoted: the UCWA documentation
                     * ("Authentication in UCWA") shows `MsRtcOAuth
                     * href=https://contoso.com/WebTicket/oauthtoken,
                     * grant_type="..."`, a URL that is no RFC 7235 token.
                     * That one parameter runs to the next comma or space;
                     * every other value stays a token. */
                    int url = scheme == LC_AUTH_MSRTCOAUTH && end - start == 4 &&
                              strncasecmp(v + start, "href", 4) == 0;

                    while (i < len &&
                           (lc_web_is_tchar((unsigned char)v[i]) ||
                            (url && (unsigned char)v[i] > 0x20 && (unsigned char)v[i] < 0x7f &&
                             v[i] != ',' && v[i] != '"' && v[i] != '\\')))
                        i++;
                    if (i == s) {
                        ret = -1;
                        goto done;
                    }
                    lc_web_copy(value, sizeof(value), v + s, i - s);
                }
                /* After a value: only white space, then a comma or the end. */
                while (i < len && lc_web_is_ows((unsigned char)v[i]))
                    i++;
                if (i < len && v[i] != ',') {
                    ret = -1;
                    goto done;
                }
                lc_web_param_seen(c, scheme, v + start, end - start, value);
                after_scheme = 0;
                continue;
            }
            /* token68 with '=' padding, right after its scheme. */
            if (!after_scheme) {
                ret = -1;
                goto done;
            }
            i += eq;
            after_scheme = 0;
            continue;
        }
        if (after_scheme && (i >= len || v[i] == ',')) {
            /* A bare token68 (a Negotiate or NTLM blob) after its scheme. */
            after_scheme = 0;
            continue;
        }
        /* A bare token after "scheme SP" not followed by a comma or the
         * end is neither a token68 nor a parameter. */
        if (after_scheme) {
            ret = -1;
            goto done;
        }
        /* A new challenge: the scheme must be a token. */
        for (size_t k = start; k < end; k++) {
            if (!lc_web_is_tchar((unsigned char)v[k])) {
                ret = -1;
                goto done;
            }
        }
        lc_web_scheme_seen(c, v + start, end - start);
        scheme = lc_web_scheme_bit(v + start, end - start);
        after_scheme = i < len && v[i] != ',' && i > end;
    }
done:
    if (ret < 0)
        c->malformed = 1;
    return ret;
}

const char *lc_web_challenges_text(const struct lc_web_challenges *c, char *buf, size_t len)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{LC_AUTH_NEGOTIATE, "Negotiate"},
                 {LC_AUTH_NTLM, "NTLM"},
                 {LC_AUTH_BEARER, "Bearer"},
                 {LC_AUTH_MSRTCOAUTH, "MsRtcOAuth"},
                 {LC_AUTH_BASIC, "Basic"}};
    size_t i, o = 0;

    if (len == 0)
        return buf;
    buf[0] = '\0';
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if ((c->schemes & names[i].bit) != 0) {
            int n = snprintf(buf + o, len - o, "%s%s", o > 0 ? ", " : "", names[i].name);
            if (n < 0 || (size_t)n >= len - o)
                return buf;
            o += (size_t)n;
        }
    }
    if ((c->schemes & LC_AUTH_OTHER) != 0) {
        int n = snprintf(buf + o, len - o, "%s%s", o > 0 ? ", " : "", c->other);
        if (n > 0 && (size_t)n < len - o)
            o += (size_t)n;
    }
    if (o == 0)
        snprintf(buf, len, "none");
    return buf;
}

/* ---------------------------------------------------------------- autodiscover */

void lc_web_discover_clear(struct lc_web_discover *d)
{
    free(d->self);
    free(d->user);
    free(d->xframe);
    free(d->redirect);
    free(d->oauth);
    free(d->domain);
    free(d->access_location);
    lc_strv_clear(&d->hrefs);
    memset(d, 0, sizeof(*d));
}

/* A copy of s without the white space around it (the XML example of
 * "Understanding Autodiscover" has attribute values with stray spaces). */
static char *lc_web_trimdup(const char *s)
{
    size_t n;

    while (*s != '\0' && isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return strndup(s, n);
}

/* Remember a link by its token (JSON member name or XML / native JSON
 * token). [MS-OCDISCWS] 2.2.5.5 lists the tokens; UCWA's _links use the
 * same names in lower case ("self", "user", "xframe", "redirect"). */
static int lc_web_link_add(struct lc_web_discover *d, const char *token_in, const char *href_in)
{
    char **slot = NULL, *token = lc_web_trimdup(token_in), *href = lc_web_trimdup(href_in);
    int ret = -1;

    if (token == NULL || href == NULL)
        goto done;
    if (strcasecmp(token, "self") == 0)
        slot = &d->self;
    else if (strcasecmp(token, "user") == 0)
        slot = &d->user;
    else if (strcasecmp(token, "xframe") == 0)
        slot = &d->xframe;
    else if (strcasecmp(token, "redirect") == 0)
        slot = &d->redirect;
    else if (strcasecmp(token, "oauth") == 0)
        slot = &d->oauth;
    else if (strcasecmp(token, "domain") == 0)
        slot = &d->domain;
    if (slot != NULL && *slot == NULL) {
        *slot = strdup(href);
        if (*slot == NULL)
            goto done;
    }
    ret = 0;
    if (d->hrefs.n < LC_WEB_MAX_LINKS && !lc_strv_contains(&d->hrefs, href))
        ret = lc_strv_push(&d->hrefs, href);
done:
    free(token);
    free(href);
    return ret;
}

/* A member of a JSON object by name, case-insensitively (the native
 * dialect is written by .NET's serializer; no case is promised). */
static json_t *lc_web_json_get(json_t *obj, const char *name)
{
    const char *key;
    json_t *v;

    if (!json_is_object(obj))
        return NULL;
    v = json_object_get(obj, name);
    if (v != NULL)
        return v;
    json_object_foreach(obj, key, v)
    {
        if (strcasecmp(key, name) == 0)
            return v;
    }
    return NULL;
}

/* The native JSON dialect: {"AccessLocation":"External","Root":{"Links":
 * [{"href":"https:\/\/...","token":"User"}, ...]}} -- the XML
 * AutodiscoverResponse ([MS-OCDISCWS] 2.2.4) in JSON, what a browser gets
 * (Microsoft Learn, "Verify access through your reverse proxy in Lync
 * Server 2013": tokens Domain, User, OAuth; slashes escaped as \/, which
 * jansson decodes). The per-user document carries its Links under "User". */
static int lc_web_discover_native(json_t *root, struct lc_web_discover *out, char *why, size_t wlen)
{
    static const char *const parents[] = {"Root", "User"};
    json_t *loc = lc_web_json_get(root, "AccessLocation"), *links = NULL, *link;
    size_t i;

    for (i = 0; i < sizeof(parents) / sizeof(parents[0]) && links == NULL; i++)
        links = lc_web_json_get(lc_web_json_get(root, parents[i]), "Links");
    if (!json_is_array(links)) {
        lc_web_why(why, wlen, "no _links object and no Root.Links array");
        return -1;
    }
    if (json_is_string(loc)) {
        out->access_location = strdup(json_string_value(loc));
        if (out->access_location == NULL) {
            lc_web_why(why, wlen, "out of memory");
            return -1;
        }
    }
    json_array_foreach(links, i, link)
    {
        json_t *href = lc_web_json_get(link, "href"), *token = lc_web_json_get(link, "token");

        if (!json_is_string(href)) {
            char msg[80];

            snprintf(msg, sizeof(msg), "link %zu of Root.Links has no string href", i);
            lc_web_why(why, wlen, msg);
            return -1;
        }
        if (lc_web_link_add(out, json_is_string(token) ? json_string_value(token) : "",
                            json_string_value(href)) < 0) {
            lc_web_why(why, wlen, "out of memory");
            return -1;
        }
    }
    out->dialect = LC_WEB_DIALECT_NATIVE;
    return 0;
}

int lc_web_discover_json(const char *body, size_t len, struct lc_web_discover *out, char *why,
                         size_t wlen)
{
    json_t *root = NULL, *links;
    json_error_t jerr;
    const char *key;
    json_t *link;
    int ret = -1;

    if (len > LC_WEB_MAX_DOC) {
        lc_web_why(why, wlen, "document too large");
        goto done;
    }
    root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        char msg[200];

        snprintf(msg, sizeof(msg), "not JSON: %s (line %d)", jerr.text, jerr.line);
        lc_web_why(why, wlen, msg);
        goto done;
    }
    links = json_is_object(root) ? json_object_get(root, "_links") : NULL;
    if (links == NULL && json_is_object(root)) {
        ret = lc_web_discover_native(root, out, why, wlen);
        goto done;
    }
    if (!json_is_object(links)) {
        lc_web_why(why, wlen, "no _links object");
        goto done;
    }
    json_object_foreach(links, key, link)
    {
        json_t *href = json_is_object(link) ? json_object_get(link, "href") : NULL;

        if (!json_is_string(href)) {
            char msg[200];

            snprintf(msg, sizeof(msg), "link \"%.60s\" has no string href", key);
            lc_web_why(why, wlen, msg);
            goto done;
        }
        if (lc_web_link_add(out, key, json_string_value(href)) < 0) {
            lc_web_why(why, wlen, "out of memory");
            goto done;
        }
    }
    out->dialect = LC_WEB_DIALECT_UCWA;
    ret = 0;
done:
    json_decref(root);
    return ret;
}

static const char *lc_web_served(const char *body, size_t len, char *out, size_t olen);

/* Does s (n bytes) start with prefix, case-insensitively? */
static int lc_web_starts(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);

    return n >= k && strncasecmp(s, prefix, k) == 0;
}

int lc_web_discover_parse(const char *body, size_t len, struct lc_web_discover *out, char *why,
                          size_t wlen)
{
    size_t i = 0;

    if (body == NULL)
        len = 0;
    /* A UTF-8 byte order mark (IIS / .NET may write one), then white space. */
    if (len >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < len && isspace((unsigned char)body[i]))
        i++;
    /* A web page (a proxy's default site, a login page) is no document of
     * either dialect: say so, with its title. */
    if (i < len && (lc_web_starts(body + i, len - i, "<!doctype html") ||
                    lc_web_starts(body + i, len - i, "<html"))) {
        char served[140], msg[180];

        snprintf(msg, sizeof(msg), "an HTML page (%s)",
                 lc_web_served(body + i, len - i, served, sizeof(served)));
        lc_web_why(why, wlen, msg);
        return -1;
    }
    if (i < len && body[i] == '<')
        return lc_web_discover_xml(body + i, len - i, out, why, wlen);
    if (i < len && (body[i] == '{' || body[i] == '['))
        return lc_web_discover_json(body + i, len - i, out, why, wlen);
    lc_web_why(why, wlen, i < len ? "neither JSON nor XML" : "an empty body");
    return -1;
}

const char *lc_web_discover_user(const struct lc_web_discover *d)
{
    if (d->dialect == LC_WEB_DIALECT_UCWA)
        return d->user;
    /* The native dialects: the OAuth user resource is what UCWA's "user"
     * names; Lync 2010-era servers have only User ([MS-OCDISCWS] 3.1.5.2:
     * "The OAuth token might be present depending on the server version"). */
    return d->oauth != NULL ? d->oauth : d->user;
}

/* Parse untrusted XML: no network, no DTD loading, no entity substitution;
 * libxml2's default limits (depth, name and text sizes) stay on. A document
 * type declaration is refused outright: Lync never sends one. */
static xmlDocPtr lc_web_xml_read(const char *body, size_t len, char *why, size_t wlen)
{
    xmlDocPtr doc;

    if (len > LC_WEB_MAX_DOC) {
        lc_web_why(why, wlen, "document too large");
        return NULL;
    }
    if (len > (size_t)0x7fffffff) {
        lc_web_why(why, wlen, "document too large");
        return NULL;
    }
    doc = xmlReadMemory(body, (int)len, "response.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL) {
        const xmlError *e = xmlGetLastError();
        char msg[200];

        snprintf(msg, sizeof(msg), "not XML%s%.120s", e != NULL && e->message != NULL ? ": " : "",
                 e != NULL && e->message != NULL ? e->message : "");
        /* libxml2's messages end with a newline. */
        msg[strcspn(msg, "\r\n")] = '\0';
        lc_web_why(why, wlen, msg);
        return NULL;
    }
    if (doc->intSubset != NULL || doc->extSubset != NULL) {
        lc_web_why(why, wlen, "XML with a document type declaration (refused)");
        xmlFreeDoc(doc);
        return NULL;
    }
    if (xmlDocGetRootElement(doc) == NULL) {
        lc_web_why(why, wlen, "XML without a root element");
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

xmlNodePtr lc_web_xml_next(xmlNodePtr n, xmlNodePtr root)
{
    if (n->children != NULL)
        return n->children;
    while (n != NULL && n != root) {
        if (n->next != NULL)
            return n->next;
        n = n->parent;
    }
    return NULL;
}

static int lc_web_xml_name_is(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->name != NULL &&
           strcmp((const char *)n->name, name) == 0;
}

int lc_web_discover_xml(const char *body, size_t len, struct lc_web_discover *out, char *why,
                        size_t wlen)
{
    xmlDocPtr doc = lc_web_xml_read(body, len, why, wlen);
    xmlNodePtr root, n;
    xmlChar *loc = NULL;
    int ret = -1;

    if (doc == NULL)
        return -1;
    root = xmlDocGetRootElement(doc);
    if (!lc_web_xml_name_is(root, "AutodiscoverResponse")) {
        char msg[160];

        snprintf(msg, sizeof(msg), "root element is <%.60s>, not <AutodiscoverResponse>",
                 root->name != NULL ? (const char *)root->name : "?");
        lc_web_why(why, wlen, msg);
        goto done;
    }
    loc = xmlGetProp(root, (const xmlChar *)"AccessLocation");
    if (loc != NULL) {
        out->access_location = strdup((const char *)loc);
        if (out->access_location == NULL)
            goto oom;
    }
    for (n = root; n != NULL; n = lc_web_xml_next(n, root)) {
        xmlChar *token, *href;
        int r = 0;

        if (!lc_web_xml_name_is(n, "Link"))
            continue;
        token = xmlGetProp(n, (const xmlChar *)"token");
        href = xmlGetProp(n, (const xmlChar *)"href");
        if (token != NULL && href != NULL)
            r = lc_web_link_add(out, (const char *)token, (const char *)href);
        xmlFree(token);
        xmlFree(href);
        if (r < 0)
            goto oom;
    }
    out->dialect = LC_WEB_DIALECT_XML;
    ret = 0;
    goto done;
oom:
    lc_web_why(why, wlen, "out of memory");
done:
    xmlFree(loc);
    xmlFreeDoc(doc);
    return ret;
}

/* ---------------------------------------------------------------- metadata */

int lc_web_mex_addresses(const char *body, size_t len, struct lc_strv *urls, char *why, size_t wlen)
{
    xmlDocPtr doc = lc_web_xml_read(body, len, why, wlen);
    xmlNodePtr root, n;
    size_t before = urls->n;
    int found = 0;

    if (doc == NULL)
        return -1;
    root = xmlDocGetRootElement(doc);
    for (n = root; n != NULL && urls->n < LC_WEB_MAX_LINKS; n = lc_web_xml_next(n, root)) {
        xmlChar *v = NULL;

        if (lc_web_xml_name_is(n, "address"))
            v = xmlGetProp(n, (const xmlChar *)"location");
        else if (lc_web_xml_name_is(n, "Address"))
            v = xmlNodeGetContent(n);
        if (v != NULL) {
            /* Trim the white space around an element's text. */
            const char *s = (const char *)v;
            size_t l;

            while (*s != '\0' && isspace((unsigned char)*s))
                s++;
            l = strlen(s);
            while (l > 0 && isspace((unsigned char)s[l - 1]))
                l--;
            if (l > 0) {
                char *u = strndup(s, l);

                if (u == NULL || (!lc_strv_contains(urls, u) && lc_strv_push(urls, u) < 0)) {
                    free(u);
                    xmlFree(v);
                    lc_web_why(why, wlen, "out of memory");
                    found = -1;
                    goto done;
                }
                free(u);
                found++;
            }
            xmlFree(v);
        }
    }
done:
    xmlFreeDoc(doc);
    /* The distinct addresses this document added (web.h). */
    return found < 0 ? -1 : (int)(urls->n - before);
}

/* ---------------------------------------------------------------- URLs */

int lc_web_url_host(const char *url, char *host, size_t hlen, unsigned *port)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *h = NULL, *p = NULL;
    int ret = -1;
    size_t n, i;

    if (u == NULL || url == NULL || strlen(url) > 2048)
        goto done;
    /* No guessing: an href must be absolute. */
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
        goto done;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0))
        goto done;
    if (curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK || h[0] == '\0')
        goto done;
    if (curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) != CURLUE_OK)
        goto done;
    n = strlen(h);
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
        memmove(h, h + 1, n - 2);
        n -= 2;
        h[n] = '\0';
    }
    if (n == 0 || n >= hlen)
        goto done;
    for (i = 0; i <= n; i++)
        host[i] = (char)tolower((unsigned char)h[i]);
    if (n > 1 && host[n - 1] == '.')
        host[n - 1] = '\0';
    if (port != NULL) {
        char *end = NULL;
        unsigned long v = strtoul(p, &end, 10);

        if (end == p || *end != '\0' || v == 0 || v > 65535)
            goto done;
        *port = (unsigned)v;
    }
    ret = 0;
done:
    curl_free(scheme);
    curl_free(h);
    curl_free(p);
    curl_url_cleanup(u);
    return ret;
}

int lc_web_url_is_https(const char *url)
{
    return url != NULL && strncasecmp(url, "https://", 8) == 0;
}

/* ---------------------------------------------------------------- judging */

/* Bounded, case-insensitive substring search. */
static int lc_web_contains(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;

    if (s == NULL || k == 0 || n < k)
        return 0;
    for (i = 0; i + k <= n; i++)
        if (strncasecmp(s + i, needle, k) == 0)
            return 1;
    return 0;
}

int lc_web_is_login_page(const char *body, size_t len)
{
    return lc_web_contains(body, len, "<form") &&
           (lc_web_contains(body, len, "type=\"password\"") ||
            lc_web_contains(body, len, "type='password'") ||
            lc_web_contains(body, len, "type=password"));
}

static int lc_web_ct_is(const struct lc_web_response *r, const char *what)
{
    return r->content_type != NULL &&
           lc_web_contains(r->content_type, strlen(r->content_type), what);
}

/* ---- the meet, dialin and scheduler pages ---- */

/* What marks each page as Lync's own (case-insensitive substrings of the
 * body). A 200 is not proof: a reverse proxy without a rule for the host
 * name (or that does not forward the Host header) answers with its default
 * site, a parked domain with an advertisement, and both say 200.
 * - meet: the join launcher page (GET /meet/ answers it, with an error text
 *   when no conference is named) declares the script variable
 *   reachClientProductName; the Nmap script skype4b (github.com/Zarcolio/
 *   Nmap) recognises Lync and Skype for Business by it. Its title and that
 *   variable are the product name, "Skype for Business Web App" or "Lync Web
 *   App" (localized, e.g. "... Skype Web App"), as Microsoft Learn names the
 *   client ("Plan for meetings clients (Web App and Meetings app)").
 * - dialin: the "Dial-in Conferencing Settings" webpage (Microsoft Learn,
 *   "Dial-in conferencing access numbers in Lync Server 2013"; "Planning
 *   for simple URLs": "Dial-in enables access to the Dial-in Conferencing
 *   Settings webpage").
 * - scheduler: "Skype for Business Web Scheduler" / "Lync Web Scheduler"
 *   (Microsoft Learn, Skype for Business Online meetings feature tables;
 *   Microsoft Support, "Lync Web Scheduler"). Its page is a sign-in form.
 * Localized pages may carry none of these: X-MS-Server-Fqdn, the header IIS
 * sends from a Lync web site (the internal server's FQDN; UCWA
 * "CreateAnApplication" shows it on the external web site's answers), then
 * says the request reached Lync. */
static const char *const lc_web_meet_markers[] = {
    "reachClientProductName", "Skype for Business Web App", "Lync Web App", "Skype Web App", NULL};
static const char *const lc_web_dialin_markers[] = {"Dial-in Conferencing Settings", NULL};
static const char *const lc_web_scheduler_markers[] = {"Skype for Business Web Scheduler",
                                                       "Lync Web Scheduler", NULL};

/* Pages that are plainly someone else's: a web server's stock page (nginx,
 * IIS 7 / 8.5 / 10 iisstart.htm, Apache httpd and the distributions' test
 * pages) or a parked domain. Found, they outweigh X-MS-Server-Fqdn. */
#define LC_WEB_WHY_PROXY                                                                           \
    "the reverse proxy sends this host name to another site, or does not forward the Host "        \
    "header to the Lync external web site"
#define LC_WEB_WHY_PARKED                                                                          \
    "the name resolves to a parking service, not to the reverse proxy: point its external DNS "    \
    "record at the reverse proxy"
static const struct {
    const char *marker;
    const char *what;
    const char *why;
} lc_web_not_lync[] = {
    {"Welcome to nginx!", "a web server's default page", LC_WEB_WHY_PROXY},
    {"IIS Windows Server", "a web server's default page", LC_WEB_WHY_PROXY},
    {"<title>IIS7</title>", "a web server's default page", LC_WEB_WHY_PROXY},
    {"It works!", "a web server's default page", LC_WEB_WHY_PROXY},
    {"Test Page for the", "a web server's default page", LC_WEB_WHY_PROXY},
    {"domain is parked", "a parking page", LC_WEB_WHY_PARKED},
    {"parked domain", "a parking page", LC_WEB_WHY_PARKED},
    {"domain is for sale", "a parking page", LC_WEB_WHY_PARKED},
    {"domain may be for sale", "a parking page", LC_WEB_WHY_PARKED},
    {"buy this domain", "a parking page", LC_WEB_WHY_PARKED},
};

static int lc_web_is_lync_page(enum lc_web_expect expect)
{
    return expect == LC_WEB_EXPECT_MEET || expect == LC_WEB_EXPECT_DIALIN ||
           expect == LC_WEB_EXPECT_SCHEDULER;
}

/* The first marker of the page found in the body, or NULL. */
static const char *lc_web_page_marker(enum lc_web_expect expect, const char *body, size_t len)
{
    const char *const *m = expect == LC_WEB_EXPECT_MEET     ? lc_web_meet_markers
                           : expect == LC_WEB_EXPECT_DIALIN ? lc_web_dialin_markers
                                                            : lc_web_scheduler_markers;

    if (!lc_web_is_lync_page(expect))
        return NULL;
    for (; *m != NULL; m++)
        if (lc_web_contains(body, len, *m))
            return *m;
    return NULL;
}

/* Append one escaped character of untrusted text: printable ASCII as is ('"'
 * and '\' escaped), whitespace runs as one space, a valid UTF-8 sequence of a
 * printable code point as is, any other byte as \xNN. Returns the bytes of
 * the input used (0 at the end of the room, when "..." ends the text). */
static size_t lc_web_excerpt_put(const char *s, size_t n, char *out, size_t olen, size_t *o,
                                 int *space)
{
    unsigned char c = (unsigned char)s[0];
    char tmp[8];
    size_t t = 0, used = 1;
    uint32_t cp = 0;

    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        if (*space)
            return 1;
        *space = 1;
        tmp[t++] = ' ';
    } else if (c == '"' || c == '\\') {
        tmp[t++] = '\\';
        tmp[t++] = (char)c;
    } else if (c >= 0x20 && c < 0x7f) {
        tmp[t++] = (char)c;
    } else if (c >= 0x80 && (used = lc_utf8_len((const unsigned char *)s, n, &cp)) > 0 &&
               cp >= 0xa0) {
        memcpy(tmp, s, used);
        t = used;
    } else {
        used = 1;
        t = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", c);
    }
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
        *space = 0;
    /* Whole sequences only, room kept for "..." and the NUL. */
    if (*o + t + 4 > olen) {
        if (*o + 4 <= olen) {
            memcpy(out + *o, "...", 3);
            *o += 3;
        }
        return 0;
    }
    memcpy(out + *o, tmp, t);
    *o += t;
    return used;
}

static int lc_web_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Escape n bytes of untrusted text into out (olen bytes, NUL-terminated). */
static void lc_web_excerpt(const char *s, size_t n, char *out, size_t olen)
{
    size_t i = 0, o = 0, used;
    int space = 1;

    if (olen == 0)
        return;
    while (i < n && (used = lc_web_excerpt_put(s + i, n - i, out, olen, &o, &space)) > 0)
        i += used;
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

/* What was served, for the message: the quoted title of an HTML page, else
 * the quoted first bytes, else "an empty body"; escaped and cut to olen. */
static const char *lc_web_served(const char *body, size_t len, char *out, size_t olen)
{
    const char *s = body, *gt, *e;
    size_t n = len, i;

    if (olen < 16) {
        if (olen > 0)
            out[0] = '\0';
        return out;
    }
    for (i = 0; body != NULL && i + 6 <= len; i++) {
        if (strncasecmp(body + i, "<title", 6) != 0)
            continue;
        gt = memchr(body + i, '>', len - i);
        if (gt == NULL)
            break;
        for (e = gt + 1; (size_t)(e - body) + 7 <= len && strncasecmp(e, "</title", 7) != 0; e++)
            ;
        if ((size_t)(e - body) + 7 <= len) {
            s = gt + 1;
            n = (size_t)(e - s);
        }
        break;
    }
    /* A title of nothing but blanks says nothing: the first bytes then. */
    while (n > 0 && lc_web_is_blank(*s))
        s++, n--;
    if (n == 0 && s != NULL && s > body) {
        for (s = body, n = len; n > 0 && lc_web_is_blank(*s);)
            s++, n--;
    }
    if (s == NULL || n == 0) {
        snprintf(out, olen, "an empty body");
        return out;
    }
    out[0] = '"';
    lc_web_excerpt(s, n, out + 1, olen - 2);
    i = strlen(out);
    out[i] = '"';
    out[i + 1] = '\0';
    return out;
}

/* The verdict on a 200 for the meet, dialin or scheduler page. */
static enum lc_status lc_web_judge_lync_page(enum lc_web_expect expect,
                                             const struct lc_web_response *r, const char *path,
                                             char *msg, size_t len)
{
    const char *kind = expect == LC_WEB_EXPECT_MEET     ? "meet"
                       : expect == LC_WEB_EXPECT_DIALIN ? "dial-in"
                                                        : "scheduler";
    const char *marker = lc_web_page_marker(expect, r->body, r->body_len);
    const char *other = NULL, *why = LC_WEB_WHY_PROXY;
    char served[120], fqdn[120];
    size_t i;

    if (marker != NULL) {
        snprintf(msg, len, "%s answers 200 with the Lync / Skype for Business %s page (\"%s\")",
                 path, kind, marker);
        return LC_PASS;
    }
    for (i = 0; i < sizeof(lc_web_not_lync) / sizeof(lc_web_not_lync[0]) && other == NULL; i++)
        if (lc_web_contains(r->body, r->body_len, lc_web_not_lync[i].marker)) {
            other = lc_web_not_lync[i].what;
            why = lc_web_not_lync[i].why;
        }
    if (other == NULL && r->body_len > 0 && r->server_fqdn != NULL && r->server_fqdn[0] != '\0') {
        size_t fl = 0;
        while (fl < 256 && r->server_fqdn[fl] != '\0')
            fl++;
        lc_web_excerpt(r->server_fqdn, fl, fqdn, sizeof(fqdn));
        snprintf(msg, len,
                 "%s answers 200 from a Lync web site (X-MS-Server-Fqdn %s), no %s page marker "
                 "in the body (a localized page?)",
                 path, fqdn, kind);
        return LC_PASS;
    }
    snprintf(msg, len,
             "%s answers 200, but not the Lync / Skype for Business %s page: served %s%s%s (%s)",
             path, kind, lc_web_served(r->body, r->body_len, served, sizeof(served)),
             other != NULL ? ", " : "", other != NULL ? other : "", why);
    return LC_WARN;
}

/* The diagnosis shared by every expectation for an answer that is plainly
 * wrong: returns 1 and writes msg when it applies. */
static int lc_web_common_fault(enum lc_web_expect expect, const struct lc_web_response *r,
                               const char *path, char *msg, size_t len)
{
    const struct lc_web_challenges *ch = r->ch;
    unsigned s = ch != NULL ? ch->schemes : 0;

    if (r->status == 0) {
        snprintf(msg, len, "no HTTP answer for %s", path);
        return 1;
    }
    if (r->status >= 300 && r->status < 400) {
        snprintf(msg, len, "%s answers %ld, a redirect to %.200s", path, r->status,
                 r->location != NULL ? r->location : "(no Location)");
        return 1;
    }
    if (r->status == 404 && expect != LC_WEB_EXPECT_NOT_PUBLIC) {
        snprintf(msg, len,
                 "%s answers 404: path not published on the reverse proxy (publish /* of the "
                 "external web site, not single paths)",
                 path);
        return 1;
    }
    if (r->status == 502 || r->status == 503 || r->status == 504) {
        snprintf(msg, len,
                 "%s answers %ld: the reverse proxy could not get an answer from the backend "
                 "(backend down, wrong port bridging 443 -> 4443 / 80 -> 8080, or the backend "
                 "certificate is not trusted by the proxy)",
                 path, r->status);
        return 1;
    }
    if (r->status >= 500) {
        snprintf(msg, len, "%s answers %ld: server error", path, r->status);
        return 1;
    }
    /* Pre-authentication: the proxy asks for credentials itself (Basic, a
     * realm-based or unknown scheme without Lync's own challenges) or sends
     * its login form, where Lync would answer or challenge. */
    if (r->status == 401 && (s & (LC_AUTH_BASIC | LC_AUTH_OTHER)) != 0 &&
        (s & (LC_AUTH_NEGOTIATE | LC_AUTH_NTLM | LC_AUTH_MSRTCOAUTH)) == 0) {
        snprintf(msg, len,
                 "%s answers 401 with the reverse proxy's own challenge (%s%s%.100s%s): "
                 "pre-authentication on the proxy swallows Lync's challenges (publish Lync's "
                 "web services with pass-through authentication)",
                 path, (s & LC_AUTH_BASIC) != 0 ? "Basic" : ch->other,
                 ch->realm[0] != '\0' ? " realm \"" : "", ch->realm,
                 ch->realm[0] != '\0' ? "\"" : "");
        return 1;
    }
    /* A login form, but Lync's own: the Web Scheduler signs users in with a
     * form. Its marker in the page, or X-MS-Server-Fqdn (which a proxy's
     * pre-authentication page, sent before any request reaches Lync, does
     * not carry), says so. */
    if (expect != LC_WEB_EXPECT_NOT_PUBLIC && lc_web_is_login_page(r->body, r->body_len) &&
        !(lc_web_is_lync_page(expect) &&
          (lc_web_page_marker(expect, r->body, r->body_len) != NULL ||
           (r->server_fqdn != NULL && r->server_fqdn[0] != '\0')))) {
        snprintf(msg, len,
                 "%s answers %ld with a login form: pre-authentication on the reverse proxy "
                 "(Lync clients cannot sign in through it)",
                 path, r->status);
        return 1;
    }
    return 0;
}

/* An answer that must be one status code with one type of body. */
struct lc_web_typed {
    long code;
    const char *ct;   /* what the Content-Type must name (lc_web_ct_is) */
    const char *type; /* that type, for messages */
    const char *pass; /* the right answer, after "answers CODE " */
    enum lc_status wrong_type;
    const char *anon; /* after "401 with no challenge": it must be anonymous */
};

static const struct lc_web_typed lc_web_typed_metadata = {
    200, "xml", "XML", "with metadata", LC_FAIL, " (metadata must be anonymous)"};
static const struct lc_web_typed lc_web_typed_json_error = {
    400,     "json",
    "JSON",  "with a JSON error to a bogus grant",
    LC_WARN, ": the token endpoint must be anonymous"};

/* The code with the type: PASS; the code with another type; 401 without a
 * challenge. Returns 1 with *st when one of these applies. */
static int lc_web_judge_typed(const struct lc_web_typed *t, const struct lc_web_response *r,
                              unsigned s, const char *path, char *msg, size_t len,
                              enum lc_status *st)
{
    if (r->status == t->code && lc_web_ct_is(r, t->ct)) {
        snprintf(msg, len, "%s answers %ld %s", path, r->status, t->pass);
        *st = LC_PASS;
        return 1;
    }
    if (r->status == t->code) {
        snprintf(msg, len, "%s answers %ld but not %s (%.80s)", path, r->status, t->type,
                 r->content_type != NULL ? r->content_type : "no Content-Type");
        *st = t->wrong_type;
        return 1;
    }
    if (r->status == 401 && s == 0) {
        snprintf(msg, len, "%s answers 401 with no challenge%s", path, t->anon);
        *st = LC_FAIL;
        return 1;
    }
    return 0;
}

static enum lc_status lc_web_judge_one(enum lc_web_expect expect, const struct lc_web_response *r,
                                       const char *path, char *msg, size_t len)
{
    const struct lc_web_challenges *ch = r->ch;
    unsigned s = ch != NULL ? ch->schemes : 0;
    char names[96];
    enum lc_status st;

    if (ch != NULL && ch->schemes != 0) {
        char list[80];
        snprintf(names, sizeof(names), "challenges %s",
                 lc_web_challenges_text(ch, list, sizeof(list)));
    } else {
        snprintf(names, sizeof(names), "no challenge");
    }

    if (expect == LC_WEB_EXPECT_NOT_PUBLIC) {
        if (r->status >= 200 && r->status < 300 && !lc_web_is_login_page(r->body, r->body_len)) {
            snprintf(msg, len,
                     "%s answers %ld from outside: an internal-only directory is published "
                     "(publish only the external web site, port 4443)",
                     path, r->status);
            return LC_FAIL;
        }
        if (r->status == 0) {
            snprintf(msg, len, "no HTTP answer for %s", path);
            return LC_FAIL;
        }
        snprintf(msg, len, "%s answers %ld: not served from outside", path, r->status);
        return LC_PASS;
    }
    if (lc_web_common_fault(expect, r, path, msg, len))
        return LC_FAIL;

    switch (expect) {
    case LC_WEB_EXPECT_WINAUTH:
        if (r->status == 401 && (s & (LC_AUTH_NEGOTIATE | LC_AUTH_NTLM)) != 0) {
            snprintf(msg, len, "%s answers 401 with %s", path, names);
            return LC_PASS;
        }
        if (r->status == 401 && s == 0) {
            snprintf(msg, len,
                     "%s answers 401 with no challenge: the reverse proxy strips WWW-Authenticate "
                     "or Windows authentication is off on the site (clients cannot sign in)",
                     path);
            return LC_FAIL;
        }
        if (r->status == 401) {
            snprintf(msg, len, "%s answers 401 with %s, not Negotiate or NTLM", path, names);
            return LC_FAIL;
        }
        if (r->status >= 200 && r->status < 300) {
            snprintf(msg, len, "%s answers %ld without asking for authentication", path, r->status);
            return LC_WARN;
        }
        snprintf(msg, len, "%s answers %ld, not 401 with Negotiate or NTLM", path, r->status);
        return LC_FAIL;
    case LC_WEB_EXPECT_OAUTH:
        if (r->status == 401 && (s & LC_AUTH_MSRTCOAUTH) != 0) {
            if (ch->msrtc_href[0] == '\0' ||
                !lc_web_contains(ch->msrtc_href, strlen(ch->msrtc_href), "/WebTicket/oauthtoken")) {
                snprintf(msg, len,
                         "%s: the MsRtcOAuth challenge's href is \"%.200s\", not "
                         ".../WebTicket/oauthtoken",
                         path, ch->msrtc_href);
                return LC_WARN;
            }
            if ((s & LC_AUTH_BEARER) == 0) {
                snprintf(msg, len, "%s answers 401 with MsRtcOAuth but no Bearer challenge", path);
                return LC_WARN;
            }
            snprintf(msg, len, "%s answers 401 with %s (token from %.200s)", path, names,
                     ch->msrtc_href);
            return LC_PASS;
        }
        if (r->status == 401 && s == 0) {
            snprintf(msg, len,
                     "%s answers 401 with no challenge: the reverse proxy strips WWW-Authenticate "
                     "(clients get no MsRtcOAuth token URL)",
                     path);
            return LC_FAIL;
        }
        snprintf(msg, len, "%s answers %ld with %s, not 401 with MsRtcOAuth", path, r->status,
                 names);
        return LC_FAIL;
    case LC_WEB_EXPECT_METADATA:
        if (lc_web_judge_typed(&lc_web_typed_metadata, r, s, path, msg, len, &st))
            return st;
        snprintf(msg, len, "%s answers %ld with %s, not 200 with metadata", path, r->status, names);
        return LC_FAIL;
    case LC_WEB_EXPECT_DISCOVER:
        if (r->status == 200) {
            snprintf(msg, len, "%s answers 200", path);
            return LC_PASS;
        }
        snprintf(msg, len, "%s answers %ld, not 200 with the autodiscover document", path,
                 r->status);
        return LC_FAIL;
    case LC_WEB_EXPECT_JSON_ERROR:
        if (lc_web_judge_typed(&lc_web_typed_json_error, r, s, path, msg, len, &st))
            return st;
        if (r->status >= 200 && r->status < 300) {
            snprintf(msg, len, "%s answers %ld to a bogus grant", path, r->status);
            return LC_FAIL;
        }
        snprintf(msg, len, "%s answers %ld with %s, not 400 with a JSON error", path, r->status,
                 names);
        return LC_FAIL;
    case LC_WEB_EXPECT_PAGE:
    case LC_WEB_EXPECT_MEET:
    case LC_WEB_EXPECT_DIALIN:
    case LC_WEB_EXPECT_SCHEDULER:
        /* An anonymous page: the meeting pages are Lync's own, or not. */
        if (r->status == 200 && expect != LC_WEB_EXPECT_PAGE)
            return lc_web_judge_lync_page(expect, r, path, msg, len);
        if (r->status == 200) {
            snprintf(msg, len, "%s answers 200", path);
            return LC_PASS;
        }
        if (r->status == 401) {
            snprintf(msg, len,
                     "%s answers 401 with %s: an anonymous page asks for authentication "
                     "(reverse proxy pre-authentication, or anonymous access off)",
                     path, names);
            return LC_FAIL;
        }
        snprintf(msg, len, "%s answers %ld, not 200", path, r->status);
        return LC_FAIL;
    case LC_WEB_EXPECT_NOT_PUBLIC:
        break;
    }
    snprintf(msg, len, "%s: internal: unknown expectation", path);
    return LC_ERROR;
}

enum lc_status lc_web_judge(enum lc_web_expect expect, const struct lc_web_response *r,
                            const char *path, char *msg, size_t len)
{
    enum lc_status st = lc_web_judge_one(expect, r, path, msg, len);
    size_t o;

    /* An error answer that says why in X-Ms-diagnostics: show it. */
    if (len > 0 && r->diag != NULL && r->diag->present && r->status >= 400) {
        char d[300];

        o = strlen(msg);
        if (o < len)
            snprintf(msg + o, len - o, " (X-Ms-diagnostics %s)",
                     lc_web_diag_text(r->diag, d, sizeof(d)));
    }
    return st;
}

/* ---------------------------------------------------------------- X-Ms-diagnostics */

/* `28020;source="server.contoso.com";reason="No valid security token."`:
 * what the web ticket / OAuth token service puts on its error answers
 * (UCWA documentation, "Authentication in UCWA": 28020, 28029). The same
 * shape as SIP's ms-diagnostics ([MS-SIPRE] 2.2.11): a code, then
 * parameters separated by ';', spaced or not, in any order. */
int lc_web_diag_parse(const char *v, size_t len, struct lc_web_diag *d)
{
    size_t i = 0, digits = 0;
    unsigned long code = 0;

    memset(d, 0, sizeof(*d));
    while (i < len && lc_web_is_ows((unsigned char)v[i]))
        i++;
    while (i < len && v[i] >= '0' && v[i] <= '9' && digits < 9) {
        code = code * 10 + (unsigned long)(v[i] - '0');
        i++, digits++;
    }
    if (digits == 0 || (i < len && v[i] >= '0' && v[i] <= '9'))
        return -1;
    d->code = (unsigned)code;
    d->present = 1;
    while (i < len) {
        char value[256];
        size_t ns, ne;

        while (i < len && lc_web_is_ows((unsigned char)v[i]))
            i++;
        if (i >= len)
            break;
        if (v[i] != ';' && v[i] != ',')
            return -1;
        i++;
        while (i < len && lc_web_is_ows((unsigned char)v[i]))
            i++;
        if (i >= len)
            break; /* a trailing separator */
        ns = i;
        while (i < len && lc_web_is_tchar((unsigned char)v[i]))
            i++;
        ne = i;
        while (i < len && lc_web_is_ows((unsigned char)v[i]))
            i++;
        if (ne == ns || i >= len || v[i] != '=')
            return -1;
        i++;
        while (i < len && lc_web_is_ows((unsigned char)v[i]))
            i++;
        if (i < len && v[i] == '"') {
            if (lc_web_quoted(v, len, &i, value, sizeof(value)) < 0)
                return -1;
        } else {
            size_t s = i;

            while (i < len && v[i] != ';' && v[i] != ',' && (unsigned char)v[i] >= 0x20 &&
                   v[i] != 0x7f)
                i++;
            while (i > s && lc_web_is_ows((unsigned char)v[i - 1]))
                i--;
            lc_web_copy(value, sizeof(value), v + s, i - s);
            if (i < len && v[i] != ';' && v[i] != ',' && !lc_web_is_ows((unsigned char)v[i]))
                return -1;
        }
        if (ne - ns == 6 && strncasecmp(v + ns, "reason", 6) == 0 && d->reason[0] == '\0')
            lc_web_copy(d->reason, sizeof(d->reason), value, strlen(value));
        else if (ne - ns == 6 && strncasecmp(v + ns, "source", 6) == 0 && d->source[0] == '\0')
            lc_web_copy(d->source, sizeof(d->source), value, strlen(value));
    }
    return 0;
}

const char *lc_web_diag_text(const struct lc_web_diag *d, char *buf, size_t len)
{
    char reason[220];

    if (len == 0)
        return buf;
    if (!d->present) {
        snprintf(buf, len, "none");
        return buf;
    }
    lc_web_excerpt(d->reason, strlen(d->reason), reason, sizeof(reason));
    snprintf(buf, len, "%u%s%s%s", d->code, reason[0] != '\0' ? ": \"" : "", reason,
             reason[0] != '\0' ? "\"" : "");
    return buf;
}

/* ---------------------------------------------------------------- hosted (Online) */

/* Skype for Business Online's web names: lyncdiscover.<d> is a CNAME to
 * webdir.online.lync.com (Microsoft Learn, "External Domain Name System
 * records for Office 365"; "Plan hybrid connectivity between Skype for
 * Business Server and Microsoft 365 or Office 365"), whose autodiscover
 * redirects to webdirNN.online.lync.com and hands out
 * webpoolNN.infra.lync.com links; the same under online.gov. / online.dod.
 * skypeforbusiness.us (GCC High, DoD) and online.partner.lync.cn (operated
 * by 21Vianet). */
int lc_web_host_is_online(const char *host)
{
    static const char *const suffixes[] = {
        "online.lync.com", "infra.lync.com", "online.gov.skypeforbusiness.us",
        "online.dod.skypeforbusiness.us", "online.partner.lync.cn"};
    size_t n, i;

    if (host == NULL)
        return 0;
    n = strlen(host);
    if (n > 0 && host[n - 1] == '.')
        n--;
    for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        size_t k = strlen(suffixes[i]);

        if (n == k && strncasecmp(host, suffixes[i], k) == 0)
            return 1;
        if (n > k && host[n - k - 1] == '.' && strncasecmp(host + n - k, suffixes[i], k) == 0)
            return 1;
    }
    return 0;
}

static int lc_web_url_is_online(const char *url)
{
    char host[256];

    return url != NULL && lc_web_url_host(url, host, sizeof(host), NULL) == 0 &&
           lc_web_host_is_online(host);
}

#define LC_WEB_HOSTED "the SIP domain is homed in Skype for Business Online"

enum lc_status lc_web_judge_discover_unanswered(int port80, const char *domain,
                                                const char *canonical, const char *path,
                                                const char *why, char *msg, size_t len)
{
    if (canonical != NULL && lc_web_host_is_online(canonical)) {
        /* Microsoft's web directory, not this deployment's reverse proxy:
         * its certificate does not carry lyncdiscover.<d> (clients use port
         * 80 there), and nothing of it is the deployment's to fix. */
        snprintf(msg, len,
                 LC_WEB_HOSTED ": lyncdiscover.%s is a CNAME to %s (hosted by Microsoft, not "
                               "published by this deployment's reverse proxy); %s%s: %s",
                 domain, canonical, path, port80 ? " on port 80" : "", why);
        return LC_SKIP;
    }
    if (!port80) {
        snprintf(msg, len, "%s: %s", path, why);
        return LC_FAIL;
    }
    if (canonical != NULL && !lc_dns_name_within(canonical, domain)) {
        snprintf(msg, len,
                 "%s on port 80: %s; lyncdiscover.%s is a CNAME into %s, where mobile clients "
                 "need the HTTP port 80 rule",
                 path, why, domain, canonical);
        return LC_FAIL;
    }
    snprintf(msg, len,
             "%s on port 80: %s (publish lyncdiscover on HTTP port 80 too, bridged to 8080: "
             "mobile clients may use it)",
             path, why);
    return LC_WARN;
}

/* ---------------------------------------------------------------- the autodiscover verdict */

static const char *lc_web_dialect_name(int dialect)
{
    return dialect == LC_WEB_DIALECT_UCWA     ? "UCWA JSON"
           : dialect == LC_WEB_DIALECT_NATIVE ? "JSON"
           : dialect == LC_WEB_DIALECT_XML    ? "XML"
                                              : "?";
}

enum lc_status lc_web_discover_judge(const struct lc_web_discover *d,
                                     const struct lc_web_discover_ctx *ctx, const char **follow,
                                     char *msg, size_t len)
{
    const char *user = lc_web_discover_user(d), *path = ctx->path != NULL ? ctx->path : "/";
    char fqdn[300], e[300], hops[64], hosted[400], loc[100];
    int online;

    *follow = NULL;
    fqdn[0] = hops[0] = hosted[0] = '\0';
    if (ctx->server_fqdn != NULL && ctx->server_fqdn[0] != '\0') {
        char f[260];
        /* IIS's X-MS-Server-Fqdn: the internal server that answered. Shown,
         * never compared with the public names. */
        lc_web_excerpt(ctx->server_fqdn, strnlen(ctx->server_fqdn, 255), f, sizeof(f));
        snprintf(fqdn, sizeof(fqdn), "; answered by %s", f);
    }
    if (ctx->hops > 0)
        snprintf(hops, sizeof(hops), " after %u redirect link%s", ctx->hops,
                 ctx->hops == 1 ? "" : "s");
    if (user == NULL && d->redirect != NULL) {
        /* [MS-OCDISCWS] 3.1.5.2: the HTTP root answers a single Redirect
         * link; a service that cannot handle the user redirects to the next
         * hop (Online / hybrid users). The client follows it. */
        lc_web_excerpt(d->redirect, strnlen(d->redirect, 1024), e, sizeof(e));
        if (!lc_web_url_is_https(d->redirect) && !(strncasecmp(d->redirect, "http://", 7) == 0)) {
            snprintf(msg, len, "%s: the redirect link is not an absolute http(s) URL: \"%s\"%s",
                     path, e, fqdn);
            return LC_FAIL;
        }
        if (lc_web_url_host(d->redirect, hosted, sizeof(hosted), NULL) < 0) {
            snprintf(msg, len, "%s: unusable redirect link \"%s\"%s", path, e, fqdn);
            return LC_FAIL;
        }
        if (ctx->url != NULL && strcasecmp(ctx->url, d->redirect) == 0) {
            snprintf(msg, len, "%s: the redirect link points at the document itself (%s)%s", path,
                     e, fqdn);
            return LC_FAIL;
        }
        if (ctx->hops >= LC_WEB_MAX_DOC_HOPS) {
            snprintf(msg, len, "%s: more than %d redirect links (the last to %s)%s", path,
                     LC_WEB_MAX_DOC_HOPS, e, fqdn);
            return LC_FAIL;
        }
        *follow = d->redirect;
        snprintf(msg, len, "%s: a redirect link to %s%s%s", path, e, hops, fqdn);
        return LC_PASS;
    }
    if (user == NULL) {
        snprintf(msg, len,
                 "%s: the autodiscover document (%s) has neither a user link nor a redirect link "
                 "([MS-OCDISCWS] 3.1.5.2)%s",
                 path, lc_web_dialect_name(d->dialect), fqdn);
        return LC_FAIL;
    }
    online = (ctx->canonical != NULL && lc_web_host_is_online(ctx->canonical)) ||
             lc_web_url_is_online(ctx->url) || lc_web_url_is_online(user);
    if (online) {
        char u[300];
        lc_web_excerpt(user, strnlen(user, 1024), u, sizeof(u));
        snprintf(hosted, sizeof(hosted), LC_WEB_HOSTED ": its user link is %s; ", u);
    }
    if (d->dialect != LC_WEB_DIALECT_UCWA && d->access_location != NULL &&
        strcasecmp(d->access_location, "External") != 0) {
        lc_web_excerpt(d->access_location, strnlen(d->access_location, 60), loc, sizeof(loc));
        snprintf(msg, len,
                 "%s: AccessLocation is \"%s\", not External: the request reached the internal "
                 "site%s",
                 path, loc, fqdn);
        return LC_WARN;
    }
    snprintf(msg, len, "%s%s answers 200 with the user link (%s, %zu link%s)%s%s", hosted, path,
             lc_web_dialect_name(d->dialect), d->hrefs.n, d->hrefs.n == 1 ? "" : "s", hops, fqdn);
    return LC_PASS;
}
