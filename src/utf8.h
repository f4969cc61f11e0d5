/* SPDX-License-Identifier: MIT */
/* lynccheck - strict UTF-8 decoding, and the one filter through which every
 * reporter writes text that may hold bytes from the network. */
#ifndef LC_UTF8_H
#define LC_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when s
 * does not start one; *cp receives the code point. Strict (RFC 3629):
 * overlong forms, surrogates and code points past U+10FFFF are invalid,
 * which is as strict as jansson's own check, so what passes here is
 * accepted by json_string(). */
size_t lc_utf8_len(const unsigned char *s, size_t n, uint32_t *cp);

struct lc_out;

/* How one format writes untrusted text (lc_utf8_filter). */
struct lc_utf8_rules {
    /* What a byte outside a valid UTF-8 sequence becomes. */
    const char *invalid;
    /* What a code point becomes: a replacement (an escape, U+FFFD, "?"),
     * or NULL to write it as it is. NULL: every code point is kept. */
    const char *(*map)(uint32_t cp);
    /* ANSI CSI sequences (ESC '[' parameters intermediates final: colours
     * from a remote banner) are dropped whole before map sees them. */
    int drop_csi;
    /* Appended when max cut the text. */
    const char *ellipsis;
};

/* Writes s (NULL is "") to o through the rules: at most max bytes of s (0:
 * all), cut at a code point boundary (a valid sequence is never split into
 * replacements: it is left out) and followed by rules->ellipsis. With o
 * NULL it only measures. Returns the code points read, an invalid byte
 * counting as one (a terminal column each); *cut (may be NULL) is 1 when s
 * was cut, else 0. */
size_t lc_utf8_filter(struct lc_out *o, const char *s, size_t max,
                      const struct lc_utf8_rules *rules, int *cut);
/* The same into a malloc'ed string ("" for nothing); NULL when out of
 * memory. */
char *lc_utf8_filter_dup(const char *s, size_t max, const struct lc_utf8_rules *rules);

#endif
