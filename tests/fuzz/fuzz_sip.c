/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: a SIP response as an edge or a hostile peer sends it
 * (lc_sip_response_parse), then everything the SIP probe does with a parsed
 * one: header lookups, the challenges of every WWW-Authenticate and
 * Proxy-Authenticate field ([MS-SIPAE] 3.3.5.1), the ms-diagnostics entries
 * (code, reason, source) and their one-line form, the register and options
 * verdicts, the escaped reason. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lc_fuzz_challenges(const struct lc_sip_response *r, const char *name)
{
    size_t i, n = lc_sip_header_count(r, name);

    for (i = 0; i < n; i++) {
        struct lc_sip_challenge c;
        const char *v = lc_sip_header_get(r, name, i);

        if (v != NULL && lc_sip_challenge_parse(v, &c) == 0) {
            /* Every field is a NUL-terminated string inside its array. */
            if (memchr(c.scheme, '\0', sizeof(c.scheme)) == NULL ||
                memchr(c.realm, '\0', sizeof(c.realm)) == NULL ||
                memchr(c.targetname, '\0', sizeof(c.targetname)) == NULL ||
                memchr(c.version, '\0', sizeof(c.version)) == NULL)
                __builtin_trap();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lc_sip_response r;
    enum lc_sip_parse_status st;
    char esc[256];

    st = lc_sip_response_parse((const char *)data, size, &r);
    if (st == LC_SIP_COMPLETE) {
        size_t i;

        if (r.status < 100 || r.status > 699 || r.header_len > size ||
            (r.message_len != 0 && r.message_len < r.header_len))
            __builtin_trap();
        lc_sip_escape(r.reason, strlen(r.reason), esc, sizeof(esc));
        for (i = 0; i < r.n_headers; i++)
            (void)lc_sip_header_get(&r, r.headers[i].name, 0);
        (void)lc_sip_header_get(&r, "l", 0);
        (void)lc_sip_header_get(&r, "ms-diagnostics", 0);
        lc_fuzz_challenges(&r, "WWW-Authenticate");
        lc_fuzz_challenges(&r, "Proxy-Authenticate");
        {
            struct lc_sip_diag d[LC_SIP_DIAG_MAX];
            char line[512], msg[600];
            size_t nd = lc_sip_diag_list(&r, d, LC_SIP_DIAG_MAX), k;

            if (nd > LC_SIP_DIAG_MAX)
                __builtin_trap();
            for (k = 0; k < nd; k++)
                if (memchr(d[k].code, '\0', sizeof(d[k].code)) == NULL ||
                    memchr(d[k].reason, '\0', sizeof(d[k].reason)) == NULL ||
                    memchr(d[k].source, '\0', sizeof(d[k].source)) == NULL)
                    __builtin_trap();
            lc_sip_diag_format(d, nd, line, size % sizeof(line) + 1);
            if (memchr(line, '\0', size % sizeof(line) + 1) == NULL)
                __builtin_trap();
            (void)lc_sip_judge_register(&r, msg, sizeof(msg));
            (void)lc_sip_judge_options(&r, msg, sizeof(msg));
        }
        /* Cut anywhere before the blank line, the same bytes are a SIP
         * response still arriving: wait, never judge (a TCP read ends
         * anywhere). */
        for (i = 1; i <= 2; i++) {
            struct lc_sip_response part;
            size_t cut = r.header_len - (i == 1 ? 1 : 1 + size % r.header_len);
            char *copy = malloc(cut > 0 ? cut : 1);

            if (copy == NULL)
                break;
            memcpy(copy, data, cut);
            if (lc_sip_response_parse(copy, cut, &part) != LC_SIP_NEED_MORE)
                __builtin_trap();
            lc_sip_response_clear(&part);
            free(copy);
        }
    } else {
        if (memchr(r.error, '\0', sizeof(r.error)) == NULL)
            __builtin_trap();
    }
    lc_sip_response_clear(&r);
    /* The evidence escaper sees raw bytes too (the start of a non-SIP answer). */
    lc_sip_escape((const char *)data, size, esc, size % sizeof(esc) + 1);
    return 0;
}
