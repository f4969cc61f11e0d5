/* SPDX-License-Identifier: MIT */
/* lynccheck - the one HTML escaping layer of the HTML report.
 *
 * Every string that came from a result (ids, messages, evidence, site names)
 * reaches the page through lc_html_text() or lc_html_text_max(); literal
 * markup of our own goes through lc_out_puts() and lc_out_fmt() (out.h).
 * The escaping is valid in element content, in quoted attribute values and
 * inside inline SVG. */
#ifndef LC_HTML_H
#define LC_HTML_H

#include <stddef.h>

#include "out.h"
#include "utf8.h"

/* Text from a result (NULL is ""), escaped: & < > " ' become entities;
 * bytes outside a valid UTF-8 sequence (lc_utf8_len), C0 controls other
 * than tab, LF and CR, DEL, C1 controls, Unicode noncharacters and the bidi
 * embedding/override/isolate controls (which can make a name read as
 * another) become U+FFFD. */
void lc_html_text(struct lc_out *o, const char *s);
/* The same for at most max_in bytes of s (cut at a code point boundary),
 * followed by an ellipsis when something was left out. Returns 1 when s
 * was cut, else 0. */
int lc_html_text_max(struct lc_out *o, const char *s, size_t max_in);

/* The rules both follow (utf8.h), for lc_report_domains() and the like. */
extern const struct lc_utf8_rules lc_html_rules;

/* A malloc'ed escaped copy of s (for tests and small labels); NULL when out
 * of memory. max_in 0 means no limit. */
char *lc_html_escape(const char *s, size_t max_in);

#endif
