/* SPDX-License-Identifier: MIT */
/* lynccheck - a bounded SIP response parser and request builder (RFC 3261). */
#include "sip.h"

#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "msg.h"

/* Compact header names (RFC 3261 7.3.3 and the extensions that added one:
 * RFC 3265 o/u, RFC 3515 r, RFC 3892 b, RFC 3841 a/j/d, RFC 4028 x). */
static const struct {
    char compact;
    const char *name;
} lc_sip_compact[] = {
    {'a', "Accept-Contact"},
    {'b', "Referred-By"},
    {'c', "Content-Type"},
    {'d', "Request-Disposition"},
    {'e', "Content-Encoding"},
    {'f', "From"},
    {'i', "Call-ID"},
    {'j', "Reject-Contact"},
    {'k', "Supported"},
    {'l', "Content-Length"},
    {'m', "Contact"},
    {'o', "Event"},
    {'r', "Refer-To"},
    {'s', "Subject"},
    {'t', "To"},
    {'u', "Allow-Events"},
    {'v', "Via"},
    {'x', "Session-Expires"},
};

static const char *lc_sip_long_name(const char *name)
{
    size_t i;

    if (name[0] == '\0' || name[1] != '\0')
        return name;
    for (i = 0; i < sizeof(lc_sip_compact) / sizeof(lc_sip_compact[0]); i++)
        if (lc_sip_compact[i].compact == (name[0] | 0x20))
            return lc_sip_compact[i].name;
    return name;
}

static int lc_sip_is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* token (RFC 3261 25.1): alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" */
static int lc_sip_is_token(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("-.!%*_+`'~", c) != NULL);
}

static enum lc_sip_parse_status lc_sip_fail(struct lc_sip_response *r, enum lc_sip_parse_status st,
                                            const char *msg)
{
    snprintf(r->error, sizeof(r->error), "%s", msg);
    return st;
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF (RFC 3261
 * 7.2). A missing reason phrase is accepted (some servers omit it). */
static enum lc_sip_parse_status lc_sip_status_line(const char *s, size_t n,
                                                   struct lc_sip_response *r, size_t *reason_off)
{
    size_t i = 4, v;

    /* SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT, case-insensitive (7.1). */
    for (v = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        ;
    if (i == v || i >= n || s[i] != '.')
        return lc_sip_fail(r, LC_SIP_MALFORMED, "bad SIP version in the status line");
    for (v = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        ;
    if (i == v || i >= sizeof(r->version))
        return lc_sip_fail(r, LC_SIP_MALFORMED, "bad SIP version in the status line");
    memcpy(r->version, s, i);
    r->version[i] = '\0';
    if (i >= n || s[i] != ' ')
        return lc_sip_fail(r, LC_SIP_MALFORMED, "no status code after the SIP version");
    while (i < n && s[i] == ' ')
        i++;
    if (n - i < 3 || s[i] < '0' || s[i] > '9' || s[i + 1] < '0' || s[i + 1] > '9' ||
        s[i + 2] < '0' || s[i + 2] > '9' || (n - i > 3 && s[i + 3] != ' ' && s[i + 3] != '\t'))
        return lc_sip_fail(r, LC_SIP_MALFORMED, "status code is not three digits");
    r->status = (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
    /* Status-Code classes 1xx to 6xx (RFC 3261 7.2, 21). */
    if (r->status < 100 || r->status > 699) {
        snprintf(r->error, sizeof(r->error), "status code %03d out of range 100-699", r->status);
        return LC_SIP_MALFORMED;
    }
    i += 3;
    while (i < n && lc_sip_is_wsp(s[i]))
        i++;
    *reason_off = i;
    return LC_SIP_COMPLETE;
}

/* Length of the line at s (without its CR LF or bare LF), and where the next
 * one starts; 0 in *next when no LF has arrived yet. */
static size_t lc_sip_line(const char *s, size_t n, size_t *next)
{
    const char *lf = memchr(s, '\n', n);
    size_t len;

    if (lf == NULL) {
        *next = 0;
        return n;
    }
    len = (size_t)(lf - s);
    *next = len + 1;
    if (len > 0 && s[len - 1] == '\r')
        len--;
    return len;
}

static void lc_sip_trim(char **s, size_t *n)
{
    while (*n > 0 && lc_sip_is_wsp(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && lc_sip_is_wsp((*s)[*n - 1]))
        (*n)--;
}

/* Content-Length = 1*DIGIT (RFC 3261 20.14); saturates instead of wrapping. */
static int lc_sip_content_length(const char *v, unsigned long long *out)
{
    unsigned long long n = 0;
    size_t i;

    if (v[0] == '\0')
        return -1;
    for (i = 0; v[i] != '\0'; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        if (n > (~0ULL - 9) / 10)
            n = ~0ULL;
        else
            n = n * 10 + (unsigned long long)(v[i] - '0');
    }
    *out = n;
    return 0;
}

enum lc_sip_parse_status lc_sip_response_parse(const char *buf, size_t len,
                                               struct lc_sip_response *out)
{
    struct lc_sip_response r;
    enum lc_sip_parse_status st;
    size_t start = 0, pos, next, line_len, reason_off = 0, n_lines = 0, end = 0, used = 0, k;
    const char *cl;

    memset(&r, 0, sizeof(r));
    memset(out, 0, sizeof(*out));
    if (len > LC_SIP_MAX_MESSAGE)
        len = LC_SIP_MAX_MESSAGE;
    /* Implementations SHOULD ignore CRLFs before the start line (RFC 3261
     * 7.5); RFC 5626 4.4.1 keep-alives are exactly such CRLFs. */
    while (start < len && (buf[start] == '\r' || buf[start] == '\n'))
        start++;
    if (start == len)
        return LC_SIP_NEED_MORE;
    /* Judge the first bytes at once so an HTTP or TLS answer is not waited
     * on until the timeout. */
    if (strncasecmp(buf + start, "SIP/", len - start < 4 ? len - start : 4) != 0)
        return lc_sip_fail(out, LC_SIP_NOT_SIP, "does not start with SIP/");
    /* Find the blank line that ends the headers, bounding every line. A
     * NUL has no place before it (RFC 3261 25.1 allows none there). */
    for (pos = start;; pos += next) {
        line_len = lc_sip_line(buf + pos, len - pos, &next);
        if (memchr(buf + pos, '\0', line_len) != NULL)
            return lc_sip_fail(out, LC_SIP_MALFORMED, "NUL byte in the status line or headers");
        if (line_len > LC_SIP_MAX_LINE)
            return lc_sip_fail(out, LC_SIP_MALFORMED, "line longer than 8192 bytes");
        if (next == 0) {
            if (len >= LC_SIP_MAX_MESSAGE)
                return lc_sip_fail(out, LC_SIP_MALFORMED, "headers longer than 64 KiB");
            return LC_SIP_NEED_MORE;
        }
        if (pos == start) {
            /* The status line is judged as soon as it is complete. */
            st = lc_sip_status_line(buf + start, line_len, &r, &reason_off);
            if (st != LC_SIP_COMPLETE) {
                memcpy(out->error, r.error, sizeof(out->error));
                return st;
            }
        } else if (line_len == 0) {
            end = pos + next;
            break;
        } else if (!lc_sip_is_wsp(buf[pos]) && ++n_lines > LC_SIP_MAX_HEADERS) {
            return lc_sip_fail(out, LC_SIP_MALFORMED, "more than 128 header fields");
        }
    }

    r.header_len = end;
    r.store = malloc(end + 1);
    r.headers = calloc(n_lines > 0 ? n_lines : 1, sizeof(*r.headers));
    if (r.store == NULL || r.headers == NULL) {
        st = lc_sip_fail(&r, LC_SIP_MALFORMED, "out of memory");
        goto fail;
    }
    /* Reason phrase. */
    line_len = lc_sip_line(buf + start, end - start, &next);
    r.reason = r.store;
    memcpy(r.store, buf + start + reason_off, line_len - reason_off);
    used = line_len - reason_off;
    r.store[used++] = '\0';
    /* Header fields, unfolded: a line starting with SP or HTAB continues
     * the previous one, and the fold counts as one SP (RFC 3261 7.3.1). */
    for (pos = start + next; pos < end; pos += next) {
        char *name, *value, *colon;
        size_t nlen, vlen, total = 0;

        line_len = lc_sip_line(buf + pos, end - pos, &next);
        if (line_len == 0)
            break;
        if (lc_sip_is_wsp(buf[pos])) {
            st = lc_sip_fail(&r, LC_SIP_MALFORMED, "folded line before any header field");
            goto fail;
        }
        /* Gather the field and its continuation lines into the store. */
        name = r.store + used;
        memcpy(name, buf + pos, line_len);
        total = line_len;
        while (pos + next < end) {
            size_t cnext, clen = lc_sip_line(buf + pos + next, end - pos - next, &cnext);
            const char *c = buf + pos + next;
            size_t skip = 0;
            if (clen == 0 || !lc_sip_is_wsp(c[0]))
                break;
            while (skip < clen && lc_sip_is_wsp(c[skip]))
                skip++;
            if (total + 1 + (clen - skip) > LC_SIP_MAX_LINE) {
                st = lc_sip_fail(&r, LC_SIP_MALFORMED, "header field longer than 8192 bytes");
                goto fail;
            }
            name[total++] = ' ';
            memcpy(name + total, c + skip, clen - skip);
            total += clen - skip;
            next += cnext;
        }
        colon = memchr(name, ':', total);
        if (colon == NULL) {
            st = lc_sip_fail(&r, LC_SIP_MALFORMED, "header line without a colon");
            goto fail;
        }
        /* header-name HCOLON: white space may precede the colon (7.3.1). */
        nlen = (size_t)(colon - name);
        while (nlen > 0 && lc_sip_is_wsp(name[nlen - 1]))
            nlen--;
        if (nlen == 0) {
            st = lc_sip_fail(&r, LC_SIP_MALFORMED, "header field without a name");
            goto fail;
        }
        for (k = 0; k < nlen; k++) {
            if (!lc_sip_is_token(name[k])) {
                st = lc_sip_fail(&r, LC_SIP_MALFORMED, "header name is not a token");
                goto fail;
            }
        }
        value = colon + 1;
        vlen = total - (size_t)(value - name);
        lc_sip_trim(&value, &vlen);
        /* Both end in place: the colon lies between them, so the name's
         * NUL lands on it (or on a space before it), and the value's on a
         * trimmed space or the byte the store keeps after each field. */
        name[nlen] = '\0';
        value[vlen] = '\0';
        used += total + 1;
        r.headers[r.n_headers].name = lc_sip_long_name(name);
        r.headers[r.n_headers].value = value;
        r.n_headers++;
    }
    cl = lc_sip_header_get(&r, "Content-Length", 0);
    if (cl != NULL) {
        if (lc_sip_content_length(cl, &r.content_length) < 0) {
            st = lc_sip_fail(&r, LC_SIP_MALFORMED, "Content-Length is not a number");
            goto fail;
        }
        r.has_content_length = 1;
    }
    /* Over a stream transport a missing Content-Length means an empty
     * body (RFC 3261 18.3 requires it; 20.14 defaults it to zero). */
    if (r.content_length <= (unsigned long long)(LC_SIP_MAX_MESSAGE - end))
        r.message_len = end + (size_t)r.content_length;
    *out = r;
    return LC_SIP_COMPLETE;
fail:
    memcpy(out->error, r.error, sizeof(out->error));
    free(r.store);
    free(r.headers);
    return st;
}

void lc_sip_response_clear(struct lc_sip_response *r)
{
    if (r == NULL)
        return;
    free(r->store);
    free(r->headers);
    memset(r, 0, sizeof(*r));
}

const char *lc_sip_header_get(const struct lc_sip_response *r, const char *name, size_t nth)
{
    const char *want = lc_sip_long_name(name);
    size_t i;

    for (i = 0; i < r->n_headers; i++)
        if (strcasecmp(r->headers[i].name, want) == 0 && nth-- == 0)
            return r->headers[i].value;
    return NULL;
}

size_t lc_sip_header_count(const struct lc_sip_response *r, const char *name)
{
    const char *want = lc_sip_long_name(name);
    size_t i, n = 0;

    for (i = 0; i < r->n_headers; i++)
        if (strcasecmp(r->headers[i].name, want) == 0)
            n++;
    return n;
}

/* One parameter's name and "=" (RFC 3261 25.1 auth-param, generic-param):
 * the name into pname (cut to len), *pp past the "=" and the spaces after
 * it. Returns the name's length, or -1 when no "=" follows (*pp then at
 * the character that is not one). */
static int lc_sip_param_name(const char **pp, char *pname, size_t len)
{
    const char *p = *pp;
    size_t pn = 0;

    while (lc_sip_is_token(*p)) {
        if (pn + 1 < len)
            pname[pn++] = *p;
        p++;
    }
    pname[pn] = '\0';
    while (lc_sip_is_wsp(*p))
        p++;
    *pp = p;
    if (*p != '=')
        return -1;
    p++;
    while (lc_sip_is_wsp(*p))
        p++;
    *pp = p;
    return (int)pn;
}

/* Where the value of the parameter named pname goes: the entry of `want`
 * with that name (case-insensitive), else `junk`. */
struct lc_sip_param_dst {
    const char *name;
    char *dst;
    size_t len;
};

static struct lc_sip_param_dst lc_sip_param_pick(const struct lc_sip_param_dst *want, size_t n,
                                                 const char *pname, char *junk, size_t junk_len)
{
    struct lc_sip_param_dst none = {NULL, junk, junk_len};
    size_t i;

    for (i = 0; i < n; i++)
        if (strcasecmp(pname, want[i].name) == 0)
            return want[i];
    return none;
}

/* Copy a token or quoted-string (RFC 3261 25.1) into out; returns where it ended. */
static const char *lc_sip_param_value(const char *p, char *out, size_t len)
{
    size_t n = 0;

    if (*p == '"') {
        for (p++; *p != '\0' && *p != '"'; p++) {
            if (*p == '\\' && p[1] != '\0')
                p++;
            if (n + 1 < len)
                out[n++] = *p;
        }
        if (*p == '"')
            p++;
    } else {
        for (; *p != '\0' && *p != ',' && !lc_sip_is_wsp(*p); p++)
            if (n + 1 < len)
                out[n++] = *p;
    }
    if (len > 0)
        out[n] = '\0';
    return p;
}

int lc_sip_challenge_parse(const char *value, struct lc_sip_challenge *out)
{
    const char *p = value;
    size_t n = 0;

    memset(out, 0, sizeof(*out));
    while (lc_sip_is_wsp(*p))
        p++;
    while (lc_sip_is_token(*p)) {
        if (n + 1 < sizeof(out->scheme))
            out->scheme[n++] = *p;
        p++;
    }
    if (n == 0)
        return -1;
    /* challenge = ("Digest" LWS digest-cln *(COMMA digest-cln)) / other-challenge
     * (RFC 3261 25.1); the [MS-SIPAE] 3.3.5.1 challenges use auth-param pairs too. */
    while (*p != '\0') {
        const struct lc_sip_param_dst want[] = {
            {"realm", out->realm, sizeof(out->realm)},
            {"targetname", out->targetname, sizeof(out->targetname)},
            {"version", out->version, sizeof(out->version)},
        };
        struct lc_sip_param_dst to;
        char pname[32], junk[8];

        while (lc_sip_is_wsp(*p) || *p == ',')
            p++;
        if (lc_sip_param_name(&p, pname, sizeof(pname)) <= 0) {
            /* Not a parameter: skip one character so the loop always moves. */
            if (*p != '\0')
                p++;
            continue;
        }
        to = lc_sip_param_pick(want, sizeof(want) / sizeof(want[0]), pname, junk, sizeof(junk));
        p = lc_sip_param_value(p, to.dst, to.len);
    }
    /* The schemes of [MS-SIPAE] 3.3.5.1: NTLM, Kerberos, TLS-DSK. */
    out->lync = strcasecmp(out->scheme, "NTLM") == 0 || strcasecmp(out->scheme, "Kerberos") == 0 ||
                strcasecmp(out->scheme, "TLS-DSK") == 0;
    return 0;
}

/* ---- ms-diagnostics ---- */

/* Copy a parameter value (quoted-string or token up to ";" or ","), trimmed
 * of surrounding spaces; returns where it ended. */
static const char *lc_sip_diag_value(const char *p, char *out, size_t len)
{
    size_t n = 0;

    if (*p == '"') {
        for (p++; *p != '\0' && *p != '"'; p++) {
            if (*p == '\\' && p[1] != '\0')
                p++;
            if (n + 1 < len && (n > 0 || !lc_sip_is_wsp(*p)))
                out[n++] = *p;
        }
        if (*p == '"')
            p++;
    } else {
        for (; *p != '\0' && *p != ';' && *p != ','; p++)
            if (n + 1 < len && (n > 0 || !lc_sip_is_wsp(*p)))
                out[n++] = *p;
    }
    while (n > 0 && lc_sip_is_wsp(out[n - 1]))
        n--;
    if (len > 0)
        out[n] = '\0';
    return p;
}

size_t lc_sip_diag_parse(const char *value, struct lc_sip_diag *out, size_t max)
{
    const char *p = value;
    size_t n = 0;

    while (p != NULL && *p != '\0' && n < max) {
        struct lc_sip_diag *d = &out[n];
        size_t c = 0;

        memset(d, 0, sizeof(*d));
        while (lc_sip_is_wsp(*p) || *p == ',')
            p++;
        if (*p == '\0')
            break;
        /* ErrorId[.SubErrorCode] */
        while ((*p >= '0' && *p <= '9') || (*p == '.' && c > 0)) {
            if (c + 1 < sizeof(d->code))
                d->code[c++] = *p;
            p++;
        }
        d->code[c] = '\0';
        /* Parameters up to the next entry: a comma outside quotes. */
        while (*p != '\0' && *p != ',') {
            const struct lc_sip_param_dst want[] = {
                {"reason", d->reason, sizeof(d->reason)},
                {"source", d->source, sizeof(d->source)},
            };
            struct lc_sip_param_dst to;
            char pname[32], junk[8];

            if (*p != ';') {
                /* Junk between parameters: skip it, a quoted part whole. */
                if (*p == '"')
                    p = lc_sip_diag_value(p, junk, sizeof(junk));
                else
                    p++;
                continue;
            }
            p++;
            while (lc_sip_is_wsp(*p))
                p++;
            if (lc_sip_param_name(&p, pname, sizeof(pname)) < 0)
                continue;
            to = lc_sip_param_pick(want, sizeof(want) / sizeof(want[0]), pname, junk, sizeof(junk));
            p = lc_sip_diag_value(p, to.dst, to.len);
        }
        n++;
    }
    return n;
}

size_t lc_sip_diag_list(const struct lc_sip_response *r, struct lc_sip_diag *out, size_t max)
{
    size_t i, n = 0, k, got;

    for (i = 0; i < r->n_headers && n < max; i++) {
        int pub = strcasecmp(r->headers[i].name, "ms-diagnostics-public") == 0;
        if (!pub && strcasecmp(r->headers[i].name, "ms-diagnostics") != 0)
            continue;
        got = lc_sip_diag_parse(r->headers[i].value, out + n, max - n);
        for (k = 0; k < got; k++)
            out[n + k].public_ = pub;
        n += got;
    }
    return n;
}

void lc_sip_diag_format(const struct lc_sip_diag *d, size_t n, char *buf, size_t len)
{
    size_t i, o = 0;

    if (len == 0)
        return;
    buf[0] = '\0';
    for (i = 0; i < n && o < len; i++) {
        char code[40], reason[200], source[160];
        int w;

        lc_sip_escape(d[i].code, strlen(d[i].code), code, sizeof(code));
        lc_sip_escape(d[i].reason, strlen(d[i].reason), reason, sizeof(reason));
        lc_sip_escape(d[i].source, strlen(d[i].source), source, sizeof(source));
        w = snprintf(buf + o, len - o, "%s%s%s%s%s%s%s%s%s", i > 0 ? "; " : "",
                     code[0] != '\0' ? code : "(no code)", reason[0] != '\0' ? " \"" : "", reason,
                     reason[0] != '\0' ? "\"" : "", source[0] != '\0' ? " (source " : "", source,
                     source[0] != '\0' ? ")" : "", d[i].public_ ? " [public]" : "");
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

static int lc_sip_field_ok(const char *s)
{
    return s != NULL && s[0] != '\0' && strpbrk(s, "\r\n") == NULL;
}

int lc_sip_request_build(char *buf, size_t len, const struct lc_sip_request *q)
{
    const char *lb, *rb;
    int register_ = q->method != NULL && strcmp(q->method, "REGISTER") == 0;
    int n;

    if (!lc_sip_field_ok(q->method) || !lc_sip_field_ok(q->domain) ||
        !lc_sip_field_ok(q->via_host) || !lc_sip_field_ok(q->branch) || !lc_sip_field_ok(q->tag) ||
        !lc_sip_field_ok(q->call_id) || !lc_sip_field_ok(q->user_agent) || len == 0)
        return -1;
    /* An IPv6 reference is bracketed in sent-by and SIP URIs (RFC 3261 25.1). */
    lb = strchr(q->via_host, ':') != NULL ? "[" : "";
    rb = lb[0] != '\0' ? "]" : "";
    /* RFC 3261 8.1.1: Request-URI, To, From, Call-ID, CSeq, Max-Forwards and
     * Via are mandatory; the branch starts with the magic cookie z9hG4bK
     * (8.1.1.7); rport asks for the response on this connection's source
     * port (RFC 3581). REGISTER: To = From = the address of record (10.2);
     * Expires: 0 so that a registrar accepting us without credentials
     * keeps no binding (10.2.2). OPTIONS: To = the Request-URI (11.1). */
    n = snprintf(buf, len,
                 "%s sip:%s SIP/2.0\r\n"
                 "Via: SIP/2.0/TLS %s%s%s:%u;branch=z9hG4bK%s;rport\r\n"
                 "Max-Forwards: 70\r\n"
                 "From: <sip:lynccheck@%s>;tag=%s\r\n"
                 "To: <sip:%s%s>\r\n"
                 "Call-ID: %s\r\n"
                 "CSeq: %u %s\r\n"
                 "Contact: <sip:lynccheck@%s%s%s:%u;transport=tls>\r\n"
                 "%s"
                 "User-Agent: %s\r\n"
                 "Content-Length: 0\r\n"
                 "\r\n",
                 q->method, q->domain, lb, q->via_host, rb, q->via_port, q->branch, q->domain,
                 q->tag, register_ ? "lynccheck@" : "", q->domain, q->call_id, q->cseq, q->method,
                 lb, q->via_host, rb, q->via_port,
                 register_ ? "Expires: 0\r\n" : "Accept: application/sdp\r\n", q->user_agent);
    if (n < 0 || (size_t)n >= len)
        return -1;
    return n;
}

int lc_sip_token(char *buf, size_t len, size_t hex)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char raw[32];
    size_t i;

    if (hex >= len || hex > 2 * sizeof(raw) || RAND_bytes(raw, (int)sizeof(raw)) != 1)
        return -1;
    for (i = 0; i < hex; i++)
        buf[i] = digits[(raw[i / 2] >> ((i % 2) ? 0 : 4)) & 0xf];
    buf[hex] = '\0';
    return 0;
}

void lc_sip_escape(const char *in, size_t n, char *out, size_t len)
{
    size_t i, o = 0;

    if (len == 0)
        return;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        char tmp[5];
        size_t t;

        if (c == '\r' || c == '\n' || c == '\t' || c == '\\') {
            tmp[0] = '\\';
            tmp[1] = c == '\r' ? 'r' : c == '\n' ? 'n' : c == '\t' ? 't' : '\\';
            t = 2;
        } else if (c >= 0x20 && c < 0x7f) {
            tmp[0] = (char)c;
            t = 1;
        } else {
            t = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", c);
        }
        /* Whole sequences only, and room kept for "..." and the NUL. */
        if (o + t + 4 > len) {
            if (o + 4 <= len) {
                memcpy(out + o, "...", 3);
                o += 3;
            }
            break;
        }
        memcpy(out + o, tmp, t);
        o += t;
    }
    out[o < len ? o : len - 1] = '\0';
}

const char *lc_sip_escape_str(const char *s, char *buf, size_t len)
{
    lc_sip_escape(s != NULL ? s : "", s != NULL ? strlen(s) : 0, buf, len);
    return buf;
}

/* ---- the verdicts ---- */

#define LC_SIP_DEFAULT_REALM "SIP Communications Service"

/* "401 Unauthorized", or "401" when the reason phrase is missing. */
static void lc_sip_code_text(const struct lc_sip_response *r, char *buf, size_t len)
{
    char reason[96];

    lc_sip_escape(r->reason != NULL ? r->reason : "", r->reason != NULL ? strlen(r->reason) : 0,
                  reason, sizeof(reason));
    snprintf(buf, len, "%03d%s%s", r->status, reason[0] ? " " : "", reason);
}

/* "; Server: RTC/6.0.0.0; ms-diagnostics: 1009 "reason" (source x); ..."
 * (what there is): every ms-diagnostics entry, parsed. */
static void lc_sip_extras(const struct lc_sip_response *r, char *buf, size_t len)
{
    const char *server = lc_sip_header_get(r, "Server", 0);
    struct lc_sip_diag diag[LC_SIP_DIAG_MAX];
    size_t n = lc_sip_diag_list(r, diag, LC_SIP_DIAG_MAX);
    char s[96] = "", d[400] = "";

    if (server != NULL)
        lc_sip_escape(server, strlen(server), s, sizeof(s));
    lc_sip_diag_format(diag, n, d, sizeof(d));
    snprintf(buf, len, "%s%s%s%s", server ? "; Server: " : "", s, n > 0 ? "; ms-diagnostics: " : "",
             d);
}

/* What the challenges of a 401/407 offer. */
struct lc_sip_offer {
    size_t n_ch, n_lync;
    int ntlm, tls_dsk, kerberos;
    char schemes[160];     /* "NTLM, Kerberos, TLS-DSK", escaped */
    char realm[128];       /* the first [MS-SIPAE] challenge's, escaped */
    char other_realm[128]; /* the first other challenge's, escaped */
    char version[24];      /* the first [MS-SIPAE] challenge's, escaped */
    char targetname[200];  /* the first NTLM / TLS-DSK challenge's, escaped */
};

static void lc_sip_offer_collect(const struct lc_sip_response *r, struct lc_sip_offer *o)
{
    size_t i, used = 0;

    memset(o, 0, sizeof(*o));
    for (i = 0; i < r->n_headers; i++) {
        struct lc_sip_challenge k;
        char esc[40];
        int w;

        /* RFC 3261 7.3.1: header names are case-insensitive. */
        if ((strcasecmp(r->headers[i].name, "WWW-Authenticate") != 0 &&
             strcasecmp(r->headers[i].name, "Proxy-Authenticate") != 0) ||
            lc_sip_challenge_parse(r->headers[i].value, &k) < 0)
            continue;
        o->n_ch++;
        /* Scheme tokens are case-insensitive too (RFC 3261 22.4, RFC 2617 1.2). */
        o->ntlm |= strcasecmp(k.scheme, "NTLM") == 0;
        o->tls_dsk |= strcasecmp(k.scheme, "TLS-DSK") == 0;
        o->kerberos |= strcasecmp(k.scheme, "Kerberos") == 0;
        if (k.lync) {
            if (o->n_lync++ == 0) {
                lc_sip_escape(k.realm, strlen(k.realm), o->realm, sizeof(o->realm));
                lc_sip_escape(k.version, strlen(k.version), o->version, sizeof(o->version));
            }
            /* Kerberos names the service principal (sip/<fqdn>), NTLM and
             * TLS-DSK the registrar itself ([MS-SIPAE] 3.2.5.2). */
            if (o->targetname[0] == '\0' && strcasecmp(k.scheme, "Kerberos") != 0)
                lc_sip_escape(k.targetname, strlen(k.targetname), o->targetname,
                              sizeof(o->targetname));
        } else if (o->other_realm[0] == '\0') {
            lc_sip_escape(k.realm, strlen(k.realm), o->other_realm, sizeof(o->other_realm));
        }
        lc_sip_escape(k.scheme, strlen(k.scheme), esc, sizeof(esc));
        w = snprintf(o->schemes + used, sizeof(o->schemes) - used, "%s%s", used ? ", " : "", esc);
        if (w > 0 && (size_t)w < sizeof(o->schemes) - used)
            used += (size_t)w;
    }
}

enum lc_status lc_sip_judge_register(const struct lc_sip_response *r, char *msg, size_t len)
{
    char code[112], extras[400];
    struct lc_sip_offer o;

    lc_sip_code_text(r, code, sizeof(code));
    lc_sip_extras(r, extras, sizeof(extras));
    if (r->status >= 200 && r->status < 300) {
        /* Our REGISTER carries no Authorization at all: a 2xx means the Edge
         * (or whatever answers for it) registers anyone. A Lync edge relays
         * the REGISTER to the pool, which challenges it ([MS-SIPAE] 3.3.5.1,
         * 4.1). */
        lc_msgf(msg, len,
                "%s to a REGISTER without credentials: registered without credentials "
                "(the Edge registers anyone)%s",
                code, extras);
        return LC_FAIL;
    }
    if (r->status >= 300 && r->status < 400) {
        const char *contact = lc_sip_header_get(r, "Contact", 0);
        char where[200];

        /* A Director, or a pool that is not the user's home, answers "301
         * Redirect request to Home Server" with the home pool in Contact: the
         * client registers there next (RFC 3261 8.1.3.4, 21.3.2; Microsoft
         * Learn, "Director" in Skype for Business Server planning). SIP works
         * and points on: not a failure. Without a Contact there is nowhere
         * to go. */
        if (contact != NULL && contact[0] != '\0') {
            lc_sip_escape(contact, strlen(contact), where, sizeof(where));
            lc_msgf(msg, len, "%s: redirected to home pool %s%s", code, where, extras);
            return LC_PASS;
        }
        lc_msgf(msg, len, "REGISTER answered %s without a Contact: a redirect to nowhere%s", code,
                extras);
        return LC_FAIL;
    }
    if (r->status != 401 && r->status != 407) {
        lc_msgf(msg, len, "REGISTER answered %s%s", code, extras);
        return LC_FAIL;
    }
    lc_sip_offer_collect(r, &o);
    if (o.n_ch == 0) {
        lc_msgf(msg, len, "%s without a %s challenge: clients cannot authenticate%s", code,
                r->status == 407 ? "Proxy-Authenticate" : "WWW-Authenticate", extras);
        return LC_FAIL;
    }
    if (o.ntlm || o.tls_dsk) {
        char ver[96] = "", target[240] = "";

        /* The realm is configurable (New-CsSipProxyCustom), so another realm
         * is still Lync; say so. The version is reported, never judged:
         * version=3 is what Office Communications Server 2007 / 2007 R2
         * sends, 4 what Lync Server 2010 and later send ([MS-SIPAE] 3.3.5.1;
         * the 4.1 example is version 3); NTLM under version 3 still serves
         * external clients, so failing it would be a false alarm on a
         * working (old) deployment.
         * The targetname is the internal registrar's FQDN (a Front End or
         * Director behind the Edge), never a public name: shown, not judged. */
        if (o.version[0] != '\0')
            snprintf(ver, sizeof(ver), ", version %s%s", o.version,
                     strcmp(o.version, "3") == 0
                         ? " (the Office Communications Server 2007 protocol)"
                         : "");
        if (o.targetname[0] != '\0')
            snprintf(target, sizeof(target), ", targetname %s", o.targetname);
        lc_msgf(msg, len, "%s with %s challenge%s (Lync-like, %srealm \"%s\"%s%s)%s", code,
                o.schemes, o.n_ch == 1 ? "" : "s",
                strcmp(o.realm, LC_SIP_DEFAULT_REALM) == 0 ? "" : "custom ", o.realm, ver, target,
                extras);
        return LC_PASS;
    }
    /* Kerberos needs the client to reach a domain controller (KDC), which a
     * client on the internet cannot: only NTLM and TLS-DSK serve external
     * users ([MS-SIPAE] 3.1; Microsoft Learn, "User and client
     * authentication for Skype for Business Server"). Digest is for
     * anonymous meeting users only, Basic and the rest are not Lync's. */
    lc_msgf(msg, len,
            "%s: external clients cannot authenticate: the Edge offers only %s (external "
            "users need NTLM or TLS-DSK); realm \"%s\"%s",
            code, o.schemes, o.n_lync > 0 ? o.realm : o.other_realm, extras);
    return LC_FAIL;
}

enum lc_status lc_sip_judge_options(const struct lc_sip_response *r, char *msg, size_t len)
{
    char code[112], extras[400], allow[160] = "";
    const char *al = lc_sip_header_get(r, "Allow", 0);

    lc_sip_code_text(r, code, sizeof(code));
    lc_sip_extras(r, extras, sizeof(extras));
    if (al != NULL) {
        char esc[140];
        lc_sip_escape(al, strlen(al), esc, sizeof(esc));
        snprintf(allow, sizeof(allow), "; Allow: %s", esc);
    }
    if (r->status >= 200 && r->status < 300) {
        lc_msgf(msg, len, "OPTIONS answered %s%s%s", code, allow, extras);
        return LC_PASS;
    }
    if (r->status == 401 || r->status == 407) {
        lc_msgf(msg, len, "OPTIONS answered %s: SIP answers and asks for credentials%s", code,
                extras);
        return LC_PASS;
    }
    if (r->status < 500) {
        lc_msgf(msg, len, "OPTIONS answered %s: SIP answers but refuses OPTIONS%s", code, extras);
        return LC_WARN;
    }
    /* A server error to OPTIONS: the REGISTER check says whether it is an
     * outage; here it only shows that SIP answers. */
    lc_msgf(msg, len, "OPTIONS answered %s: SIP answers with a server error%s", code, extras);
    return LC_WARN;
}
