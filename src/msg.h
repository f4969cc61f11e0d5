/* SPDX-License-Identifier: MIT */
/* lynccheck - the one-line messages judges write into a caller's buffer. */
#ifndef LC_MSG_H
#define LC_MSG_H

#include <stddef.h>

/* printf into msg[len], truncating; nothing when msg is NULL or len is 0
 * (a caller that wants only the status). */
void lc_msgf(char *msg, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The same, but only while msg is still empty: the first error of a parse
 * is the one reported (inih names the line of the first error its handler
 * stopped at). Returns 0, what an inih handler returns to stop. */
int lc_msgf_first(char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
