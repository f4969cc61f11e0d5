/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the verdict on one web response (lc_web_judge) and the
 * login-page sniffer (lc_web_is_login_page) over a body, a status and
 * headers a reverse proxy chose. Input layout: byte 0 picks the expected
 * answer (its low 7 bits; the high bit adds an X-MS-Server-Fqdn header),
 * bytes 1-2 the status; then LF-separated WWW-Authenticate value,
 * Content-Type, Location and Server; the rest is the body. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next LF-terminated field as a fresh C string (NULL when empty). */
static char *lc_fuzz_field(const char **p, size_t *left)
{
    const char *lf = memchr(*p, '\n', *left);
    size_t n = lf != NULL ? (size_t)(lf - *p) : *left;
    char *s = NULL;

    if (n > 0 && (s = malloc(n + 1)) != NULL) {
        memcpy(s, *p, n);
        s[n] = '\0';
    }
    *p += n + (lf != NULL);
    *left -= n + (lf != NULL);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lc_web_challenges ch;
    struct lc_web_response r;
    const char *p;
    size_t left;
    char *auth, *body = NULL;
    char msg[512];
    enum lc_status st;

    if (size < 3)
        return 0;
    memset(&ch, 0, sizeof(ch));
    memset(&r, 0, sizeof(r));
    r.status = (long)((data[1] << 8 | data[2]) % 1000);
    p = (const char *)data + 3;
    left = size - 3;
    auth = lc_fuzz_field(&p, &left);
    if (auth != NULL) {
        (void)lc_web_challenges_add(&ch, auth, strlen(auth));
        r.ch = &ch;
    }
    r.content_type = lc_fuzz_field(&p, &left);
    r.location = lc_fuzz_field(&p, &left);
    r.server = lc_fuzz_field(&p, &left);
    if (left > 0 && (body = malloc(left)) != NULL) {
        memcpy(body, p, left); /* no NUL: bounded by body_len */
        r.body = body;
        r.body_len = left;
    }
    if ((data[0] & 0x80) != 0)
        r.server_fqdn = "fe01.corp.contoso.test";
    st = lc_web_judge((enum lc_web_expect)((data[0] & 0x7f) % LC_WEB_EXPECT_COUNT), &r, "/ucwa/",
                      msg, sizeof(msg));
    if ((st != LC_PASS && st != LC_WARN && st != LC_FAIL) || memchr(msg, '\0', sizeof(msg)) == NULL)
        __builtin_trap();
    if (r.body != NULL)
        (void)lc_web_is_login_page(r.body, r.body_len);
    free(auth);
    free((char *)r.content_type);
    free((char *)r.location);
    free((char *)r.server);
    free(body);
    return 0;
}
