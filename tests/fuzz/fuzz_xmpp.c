/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: what an XMPP federation listener sends after our
 * stream header (lc_xmpp_parser_feed), fed twice: in one piece, and in
 * pieces of 1 to 32 bytes, the first byte deciding (TCP reads split the
 * stream anywhere, libxml2's push parser must not care). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "xmpp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum lc_xmpp_status lc_fuzz_feed(const char *s, size_t n, size_t chunk)
{
    struct lc_xmpp_parser *p = NULL;
    const struct lc_xmpp_result *r;
    enum lc_xmpp_status st = LC_XMPP_NEED_MORE;
    size_t off = 0, i;

    if (lc_xmpp_parser_new(&p) < 0)
        return LC_XMPP_BAD;
    while (off < n) {
        size_t k = n - off < chunk ? n - off : chunk;
        st = lc_xmpp_parser_feed(p, s + off, k);
        off += k;
    }
    r = lc_xmpp_parser_result(p);
    /* Input after a verdict is ignored. */
    if (st != LC_XMPP_NEED_MORE && lc_xmpp_parser_feed(p, "<x/>", 4) != st)
        __builtin_trap();
    if (r->status != st || r->n_mechanisms > LC_XMPP_MAX_MECHS || r->n_other > LC_XMPP_MAX_OTHER)
        __builtin_trap();
    for (i = 0; i < r->n_mechanisms; i++)
        if (memchr(r->mechanisms[i], '\0', sizeof(r->mechanisms[i])) == NULL)
            __builtin_trap();
    for (i = 0; i < r->n_other; i++)
        if (memchr(r->other[i], '\0', sizeof(r->other[i])) == NULL)
            __builtin_trap();
    if (memchr(r->from, '\0', sizeof(r->from)) == NULL ||
        memchr(r->error_text, '\0', sizeof(r->error_text)) == NULL ||
        memchr(r->error, '\0', sizeof(r->error)) == NULL)
        __builtin_trap();
    lc_xmpp_parser_free(p);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t chunk;

    if (size == 0)
        return 0;
    chunk = (size_t)(data[0] % 32) + 1;
    (void)lc_fuzz_feed((const char *)data, size, size);
    (void)lc_fuzz_feed((const char *)data, size, chunk);
    return 0;
}
