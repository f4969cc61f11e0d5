/* SPDX-License-Identifier: MIT */
/* lynccheck - the reporters' writer (out.h). */
#include "out.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void lc_out_write(struct lc_out *o, const char *s, size_t n)
{
    if (o == NULL || o->err != 0 || s == NULL || n == 0)
        return;
    if (o->f == NULL) {
        lc_sb_addn(&o->mem, s, n);
        if (o->mem.oom)
            o->err = ENOMEM;
        return;
    }
    errno = 0;
    if (fwrite(s, 1, n, o->f) != n)
        o->err = errno != 0 ? errno : EIO;
}

void lc_out_puts(struct lc_out *o, const char *s)
{
    if (s != NULL)
        lc_out_write(o, s, strlen(s));
}

void lc_out_pad(struct lc_out *o, size_t n)
{
    static const char spaces[] = "                                ";

    while (n > 0) {
        size_t chunk = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
        lc_out_write(o, spaces, chunk);
        n -= chunk;
    }
}

void lc_out_fmt(struct lc_out *o, const char *fmt, ...)
{
    char buf[256], *big = NULL;
    va_list ap;
    int n;

    if (o == NULL || o->err != 0)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= sizeof(buf)) {
        /* Rare (a long literal): formatted again into a buffer that fits. */
        big = malloc((size_t)n + 1);
        if (big == NULL) {
            o->err = ENOMEM;
            return;
        }
        va_start(ap, fmt);
        n = vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    if (n < 0)
        o->err = EOVERFLOW;
    else
        lc_out_write(o, big != NULL ? big : buf, (size_t)n);
    free(big);
}

void lc_out_flush(struct lc_out *o)
{
    if (o->err != 0 || o->f == NULL)
        return;
    errno = 0;
    if (fflush(o->f) == EOF)
        o->err = errno != 0 ? errno : EIO;
}

uint64_t lc_round_div(uint64_t v, uint64_t div)
{
    return v / div + (div > 1 && v % div >= (div + 1) / 2 ? 1 : 0);
}

int lc_seconds_fmt(char *buf, size_t size, uint64_t us, unsigned decimals)
{
    static const uint64_t pow10[7] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    unsigned d = decimals > 6 ? 6 : decimals;
    uint64_t units = lc_round_div(us, pow10[6 - d]);
    int n;

    if (d == 0)
        n = snprintf(buf, size, "%" PRIu64, units);
    else
        n = snprintf(buf, size, "%" PRIu64 ".%0*" PRIu64, units / pow10[d], (int)d,
                     units % pow10[d]);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

void lc_out_seconds(struct lc_out *o, uint64_t us, unsigned decimals)
{
    char buf[32];

    if (lc_seconds_fmt(buf, sizeof(buf), us, decimals) == 0)
        lc_out_puts(o, buf);
    else if (o != NULL && o->err == 0)
        o->err = EOVERFLOW;
}

void lc_time_rfc3339(time_t t, char *buf, size_t size)
{
    static const char epoch[] = "1970-01-01T00:00:00Z";
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || tm.tm_year < 1 - 1900 || tm.tm_year > 9999 - 1900 ||
        strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        if (size >= sizeof(epoch))
            memcpy(buf, epoch, sizeof(epoch));
        else if (size > 0)
            buf[0] = '\0';
    }
}
