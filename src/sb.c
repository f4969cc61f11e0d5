/* SPDX-License-Identifier: MIT */
/* lynccheck - a growing string (see sb.h). */
#include "sb.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lc_sb_addn(struct lc_sb *b, const char *s, size_t n)
{
    if (b->oom || s == NULL)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        char *p;
        while (cap < b->len + n + 1) {
            if (cap > SIZE_MAX / 2) {
                b->oom = 1;
                return;
            }
            cap *= 2;
        }
        p = realloc(b->s, cap);
        if (p == NULL) {
            b->oom = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void lc_sb_add(struct lc_sb *b, const char *s)
{
    if (s != NULL)
        lc_sb_addn(b, s, strlen(s));
}

void lc_sb_num(struct lc_sb *b, long long n)
{
    char num[32];
    int k = snprintf(num, sizeof(num), "%lld", n);

    if (k > 0 && (size_t)k < sizeof(num))
        lc_sb_addn(b, num, (size_t)k);
}
