/* SPDX-License-Identifier: MIT */
/* lynccheck - a report stream with a sticky error, shared by the reporters
 * that write line by line (Nagios, Prometheus): the first failure of the
 * stream is kept in err and every later write is skipped, so a reporter
 * checks once at the end instead of after every call. */
#ifndef LC_OUT_H
#define LC_OUT_H

#include <stddef.h>
#include <stdio.h>

struct lc_out {
    FILE *f;
    int err; /* errno of the first failure, 0 while all is well */
};

void lc_out_write(struct lc_out *o, const char *s, size_t n);
void lc_out_puts(struct lc_out *o, const char *s);
/* Our own text with numbers, at most 255 bytes (EOVERFLOW beyond): never a
 * string from a result, which each reporter cleans its own way. */
void lc_out_fmt(struct lc_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Flush the stream, keeping its error as the first failure if none came
 * before: the last step of every reporter that writes through lc_out. */
void lc_out_flush(struct lc_out *o);

#endif
