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

#include <stdint.h>

#include "utf8.h"

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

/* The entity for & < > " ', U+FFFD for a code point lc_html_cp_bad names,
 * else NULL (written as it is). */
static const char *lc_html_map(uint32_t cp)
{
    if (lc_html_cp_bad(cp))
        return "\xEF\xBF\xBD";
    switch (cp) {
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

const struct lc_utf8_rules lc_html_rules = {
    .invalid = "\xEF\xBF\xBD",
    .map = lc_html_map,
    .ellipsis = "\xE2\x80\xA6", /* U+2026 HORIZONTAL ELLIPSIS */
};

int lc_html_text_max(struct lc_out *o, const char *s, size_t max_in)
{
    int cut = 0;

    (void)lc_utf8_filter(o, s, max_in, &lc_html_rules, &cut);
    return cut;
}

void lc_html_text(struct lc_out *o, const char *s)
{
    (void)lc_utf8_filter(o, s, 0, &lc_html_rules, NULL);
}

char *lc_html_escape(const char *s, size_t max_in)
{
    return lc_utf8_filter_dup(s, max_in, &lc_html_rules);
}
