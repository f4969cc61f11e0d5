/* SPDX-License-Identifier: MIT */
/* lynccheck - strict UTF-8 decoding, shared by every writer of text that may
 * hold bytes from the network (reports in text, JSON and JUnit XML). */
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

#endif
