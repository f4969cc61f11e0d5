/* SPDX-License-Identifier: MIT */
/* lynccheck - a growing string whose first allocation failure is sticky,
 * for texts built piece by piece (report reasons, finding causes). */
#ifndef LC_SB_H
#define LC_SB_H

#include <stddef.h>

struct lc_sb {
    char *s; /* NUL-terminated once anything was added; NULL before */
    size_t len, cap;
    int oom; /* an allocation failed: every later add is ignored */
};

void lc_sb_addn(struct lc_sb *b, const char *s, size_t n);
/* s may be NULL (adds nothing). */
void lc_sb_add(struct lc_sb *b, const char *s);
void lc_sb_num(struct lc_sb *b, long long n);

#endif
