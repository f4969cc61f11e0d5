/* SPDX-License-Identifier: MIT */
/* lynccheck - HTML escaping for the HTML report (see html.h).
 *
 * The report is opened in a browser, possibly from a mail attachment or an
 * intranet share, so nothing a remote server put into a message or a
 * certificate may become markup: the page carries no script, and every
 * string we did not write ourselves is escaped here (HTML Living Standard
 * 13.1.2.6 "Restrictions on the contents of raw text and escapable raw text
 * elements"; OWASP XSS prevention rule #1 and #2: escape & < > " '). */
#include "html.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

static const char lc_html_fffd[] = "\xEF\xBF\xBD";

void lc_html_rawn(struct lc_html_out *o, const char *s, size_t n)
{
    if (o == NULL || o->err != 0 || s == NULL || n == 0)
        return;
    errno = 0;
    if (fwrite(s, 1, n, o->f) != n)
        o->err = errno != 0 ? errno : EIO;
}

void lc_html_raw(struct lc_html_out *o, const char *s)
{
    if (s != NULL)
        lc_html_rawn(o, s, strlen(s));
}

/* Code points that must not reach the page as they are: HTML parse errors
 * (controls, noncharacters: HTML "preprocessing the input stream") and the
 * bidi controls that can reorder a host name on screen (Unicode TR #9;
 * CVE-2021-42574 "Trojan Source"). */
static int lc_html_cp_bad(uint32_t cp)
{
    if (cp == '\t' || cp == '\n' || cp == '\r')
        return 0;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
        return 1;
    if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
        return 1;
    if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)
        return 1;
    return 0;
}

static const char *lc_html_entity(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

int lc_html_text_max(struct lc_html_out *o, const char *s, size_t max_in)
{
    const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
    size_t n = strlen((const char *)p);
    size_t limit = max_in > 0 && max_in < n ? max_in : n;
    size_t run = 0; /* start of the pending run of bytes written as they are */
    size_t i = 0;

    while (i < n) {
        uint32_t cp = 0;
        size_t len = lc_utf8_len(p + i, n - i, &cp);
        const char *ent;

        /* Decoded against the whole string, so the limit never splits a
         * valid sequence into replacement characters: it is left out. */
        if (i + (len != 0 ? len : 1) > limit)
            break;
        if (len == 0 || lc_html_cp_bad(cp)) {
            lc_html_rawn(o, (const char *)p + run, i - run);
            lc_html_raw(o, lc_html_fffd);
            i += len != 0 ? len : 1;
            run = i;
            continue;
        }
        ent = len == 1 ? lc_html_entity(p[i]) : NULL;
        if (ent != NULL) {
            lc_html_rawn(o, (const char *)p + run, i - run);
            lc_html_raw(o, ent);
            run = i + 1;
        }
        i += len;
    }
    lc_html_rawn(o, (const char *)p + run, i - run);
    if (i < n)
        lc_html_raw(o, "\xE2\x80\xA6"); /* U+2026 HORIZONTAL ELLIPSIS */
    return i < n;
}

void lc_html_text(struct lc_html_out *o, const char *s)
{
    (void)lc_html_text_max(o, s, 0);
}

char *lc_html_escape(const char *s, size_t max_in)
{
    struct lc_html_out o = {NULL, 0};
    char *buf = NULL;
    size_t len = 0;

    o.f = open_memstream(&buf, &len);
    if (o.f == NULL)
        return NULL;
    (void)lc_html_text_max(&o, s, max_in);
    if (fclose(o.f) != 0 || o.err != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
