/* SPDX-License-Identifier: MIT */
/* lynccheck - a report stream with a sticky error (out.h). */
#include "out.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

void lc_out_write(struct lc_out *o, const char *s, size_t n)
{
    if (o->err != 0 || n == 0)
        return;
    errno = 0;
    if (fwrite(s, 1, n, o->f) != n)
        o->err = errno != 0 ? errno : EIO;
}

void lc_out_puts(struct lc_out *o, const char *s)
{
    lc_out_write(o, s, strlen(s));
}

void lc_out_fmt(struct lc_out *o, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(buf)) {
        if (o->err == 0)
            o->err = EOVERFLOW;
        return;
    }
    lc_out_write(o, buf, (size_t)n);
}

void lc_out_flush(struct lc_out *o)
{
    if (o->err != 0)
        return;
    errno = 0;
    if (fflush(o->f) == EOF)
        o->err = errno != 0 ? errno : EIO;
}
