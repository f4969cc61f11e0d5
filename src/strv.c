/* SPDX-License-Identifier: MIT */
/* lynccheck - a growing vector of strings (strv.h). */
#include "strv.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int lc_strv_push(struct lc_strv *sv, const char *s)
{
    char **v;
    char *copy = strdup(s);

    if (copy == NULL)
        return -1;
    /* Capacity doubles at each power of two (it is implicit: the next power
     * of two at or above n, at least 4), so pushing n strings costs O(n)
     * copies: a hostile certificate's 5,000 SANs made growth by one a
     * quadratic copy under allocators that do not grow in place. */
    if (sv->n < 4 ? sv->n == 0 : (sv->n & (sv->n - 1)) == 0) {
        size_t cap = sv->n < 4 ? 4 : sv->n * 2;
        v = realloc(sv->v, cap * sizeof(*v));
        if (v == NULL) {
            free(copy);
            return -1;
        }
        sv->v = v;
    }
    sv->v[sv->n++] = copy;
    return 0;
}

void lc_strv_clear(struct lc_strv *sv)
{
    size_t i;

    for (i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->n = 0;
}

int lc_strv_contains(const struct lc_strv *sv, const char *s)
{
    size_t i;

    for (i = 0; i < sv->n; i++)
        if (strcasecmp(sv->v[i], s) == 0)
            return 1;
    return 0;
}
