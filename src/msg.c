/* SPDX-License-Identifier: MIT */
/* lynccheck - the one-line messages judges write into a caller's buffer. */
#include "msg.h"

#include <stdarg.h>
#include <stdio.h>

void lc_msgf(char *msg, size_t len, const char *fmt, ...)
{
    va_list ap;

    if (msg == NULL || len == 0)
        return;
    va_start(ap, fmt);
    /* Truncation is fine: a message is one line, evidence carries detail. */
    (void)vsnprintf(msg, len, fmt, ap);
    va_end(ap);
}

int lc_msgf_first(char *msg, size_t len, const char *fmt, ...)
{
    va_list ap;

    if (msg == NULL || len == 0 || msg[0] != '\0')
        return 0;
    va_start(ap, fmt);
    (void)vsnprintf(msg, len, fmt, ap);
    va_end(ap);
    return 0;
}
