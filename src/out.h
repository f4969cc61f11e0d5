/* SPDX-License-Identifier: MIT */
/* lynccheck - the one writer of every reporter: a report stream (or a
 * growing string in memory) with a sticky error. The first failure is kept
 * in err and every later write is skipped, so a reporter checks once at
 * the end instead of after every call.
 *
 * Text that came from a result (messages, ids, evidence, names) never goes
 * through lc_out_puts: each reporter passes it through lc_utf8_filter()
 * (utf8.h) with the rules of its format. */
#ifndef LC_OUT_H
#define LC_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "sb.h"

struct lc_out {
    FILE *f;          /* the stream; NULL: the text goes into mem */
    int err;          /* errno of the first failure, 0 while all is well */
    struct lc_sb mem; /* with f NULL: what was written (mem.s, NUL-terminated; NULL
                       * while nothing was); the caller frees mem.s */
};

/* o NULL writes nothing (lc_utf8_filter's measuring mode). */
void lc_out_write(struct lc_out *o, const char *s, size_t n);
/* s NULL writes nothing. */
void lc_out_puts(struct lc_out *o, const char *s);
/* n spaces. */
void lc_out_pad(struct lc_out *o, size_t n);
/* Our own text with numbers: never a string from a result, which each
 * reporter cleans its own way. */
void lc_out_fmt(struct lc_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Flush the stream, keeping its error as the first failure if none came
 * before: the last step of every reporter that writes to a stream. */
void lc_out_flush(struct lc_out *o);

/* v / div rounded half up (div > 0): whole milliseconds, hundredths of a
 * second from microseconds. */
uint64_t lc_round_div(uint64_t v, uint64_t div);

/* Seconds from microseconds with `decimals` (0..6) decimal places,
 * rounded, built from integers ("1.250"): printf("%f") would print a comma
 * under a German LC_NUMERIC, and every format wants a dot. Returns 0, or
 * -1 when buf is too small. */
int lc_seconds_fmt(char *buf, size_t size, uint64_t us, unsigned decimals);
void lc_out_seconds(struct lc_out *o, uint64_t us, unsigned decimals);

/* t as RFC 3339 in UTC, "2026-12-07T03:00:00Z" (20 characters; buf should
 * hold 21). Years outside 0001..9999 cannot be written in that form (nor
 * in the XSD datetime JUnit wants): they come only from a broken clock and
 * are shown as the epoch. */
void lc_time_rfc3339(time_t t, char *buf, size_t size);

#endif
