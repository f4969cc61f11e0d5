/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: what signin.register reads from the network
 * ([MS-SIPAE], src/sipae.c). The first byte chooses: 'N' makes the rest an
 * NTLM CHALLENGE_MESSAGE (parsed, then answered with an AUTHENTICATE_MESSAGE
 * when it parses); anything else makes the input a SIP response, whose
 * WWW-Authenticate / Authentication-Info NTLM values, signature string,
 * Contact target and ms-diagnostics are read as the check reads them. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sip.h"
#include "sipae.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lc_fuzz_ntlm(const uint8_t *data, size_t size)
{
    static const uint8_t cc[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const uint8_t sk[16] = {9};
    struct lc_ntlm_challenge ch;
    struct lc_ntlm_auth_in in;
    struct lc_ntlm_keys keys;
    uint8_t out[4096];
    char why[200];
    size_t n = 0;

    if (lc_ntlm_challenge_parse(data, size, &ch, why, sizeof(why)) < 0)
        return;
    if (ch.target_info_len > sizeof(ch.target_info) ||
        memchr(ch.nb_domain, '\0', sizeof(ch.nb_domain)) == NULL)
        __builtin_trap();
    memset(&in, 0, sizeof(in));
    in.user = "lab.user@contoso.test";
    in.domain = "";
    in.password = "pw";
    in.workstation = "W";
    in.client_challenge = cc;
    in.session_key = sk;
    if (lc_ntlm_authenticate_build(&ch, &in, out, sizeof(out), &n, &keys, why, sizeof(why)) == 0 &&
        (n < 72 || n > sizeof(out)))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lc_sip_response r;
    struct lc_sipae_auth a;
    char sig[4096], host[256];
    unsigned port;
    const char *c;

    if (size > 0 && data[0] == 'N') {
        lc_fuzz_ntlm(data + 1, size - 1);
        return 0;
    }
    if (lc_sip_response_parse((const char *)data, size, &r) != LC_SIP_COMPLETE)
        return 0;
    if (lc_sipae_find_ntlm(&r, "WWW-Authenticate", &a) == 1 &&
        memchr(a.gssapi_data, '\0', sizeof(a.gssapi_data)) == NULL)
        __builtin_trap();
    if (lc_sipae_find_ntlm(&r, "Authentication-Info", &a) == 1) {
        int n = lc_sipae_response_sig_string(&r, &a, 4, sig, sizeof(sig));
        if (n >= (int)sizeof(sig) || (n >= 0 && strlen(sig) != (size_t)n))
            __builtin_trap();
        (void)lc_sipae_response_sig_string(&r, &a, 2, sig, sizeof(sig));
    }
    if ((c = lc_sip_header_get(&r, "Contact", 0)) != NULL &&
        lc_sipae_contact_target(c, host, sizeof(host), &port) == 0 && (port == 0 || port > 65535))
        __builtin_trap();
    {
        struct lc_sip_diag d[LC_SIP_DIAG_MAX];
        size_t nd = lc_sip_diag_list(&r, d, LC_SIP_DIAG_MAX);
        (void)lc_sipae_diag_remote_refused(d, nd);
    }
    lc_sip_response_clear(&r);
    return 0;
}
