/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: one UDP or TCP-framed datagram from an A/V edge, a
 * TURN server or anything else answering on 3478 (lc_stun_parse), in both
 * modes the probe uses: without a transaction id, and with the id the
 * datagram itself carries (so the attribute walk is always reached). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "stun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lc_fuzz_check(const struct lc_stun_msg *m, const char *err, size_t errlen)
{
    const char *texts[] = {m->reason, m->realm, m->nonce, m->software};
    size_t i;

    /* Bounded, NUL-terminated text is the parser's promise (stun.h). */
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        if (memchr(texts[i], '\0', LC_STUN_TEXT_MAX) == NULL)
            __builtin_trap();
    if (memchr(err, '\0', errlen) == NULL)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lc_stun_msg m;
    char err[256], name[64], hex[2 * 64 + 4];
    uint8_t tid[LC_STUN_TID_LEN];
    int rc;

    rc = lc_stun_parse(data, size, NULL, &m, err, sizeof(err));
    lc_fuzz_check(&m, err, sizeof(err));
    if (rc == LC_STUN_OK) {
        (void)lc_stun_type_name(m.type, name, sizeof(name));
        (void)lc_stun_method(m.type);
        (void)lc_stun_class_of(m.type);
    } else if (rc != LC_STUN_MALFORMED) {
        __builtin_trap(); /* no id given: never NOT_OURS */
    }
    if (size >= LC_STUN_HEADER_LEN) {
        memcpy(tid, data + 4, sizeof(tid));
        rc = lc_stun_parse(data, size, tid, &m, err, sizeof(err));
        lc_fuzz_check(&m, err, sizeof(err));
        /* ... and with another id: NOT_OURS or MALFORMED, never OK. */
        tid[LC_STUN_TID_LEN - 1] ^= 0x5a;
        rc = lc_stun_parse(data, size, tid, &m, err, sizeof(err));
        if (rc == LC_STUN_OK)
            __builtin_trap();
        /* A tiny error buffer must still be bounded. */
        rc = lc_stun_parse(data, size, NULL, &m, err, 1);
        (void)rc;
    }
    lc_stun_hex(data, size, 64, hex, sizeof(hex));
    return 0;
}
