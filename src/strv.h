/* SPDX-License-Identifier: MIT */
/* lynccheck - a growing vector of strings: names, addresses, URLs. Each
 * string is a copy the vector owns. */
#ifndef LC_STRV_H
#define LC_STRV_H

#include <stddef.h>

struct lc_strv {
    char **v;
    size_t n;
};

/* Append a copy of s: 0, or -1 out of memory (the vector unchanged). */
int lc_strv_push(struct lc_strv *sv, const char *s);
/* Free every string and the vector; it is empty and reusable after. */
void lc_strv_clear(struct lc_strv *sv);
/* 1 when s is in the vector, compared case-insensitively. */
int lc_strv_contains(const struct lc_strv *sv, const char *s);

#endif
