/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: a DNS answer as a (hostile) resolver returns it, through
 * the answer handling of src/dns.c: c-ares' parsers (ares_parse_a_reply,
 * ares_parse_aaaa_reply, ares_parse_srv_reply) and what lynccheck keeps of
 * their results (CNAME chain, addresses, SRV targets). Those functions are
 * static (dns.c has no pure entry point), so this harness includes dns.c
 * itself; the library's dns.o is then not linked in (same symbols, and the
 * linker takes an archive member only for an undefined symbol). */
#include "dns.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lc_fuzz_answer(int type, const uint8_t *data, size_t size)
{
    struct lc_dns_answer a;
    size_t i;
    int rc;

    memset(&a, 0, sizeof(a));
    a.type = type;
    a.qname = lc_dns_lower_dup("sip.contoso.com.");
    if (a.qname == NULL)
        return;
    if (type == ns_t_a)
        rc = lc_dns_parse_addrs(&a, data, (int)size, AF_INET);
    else if (type == ns_t_aaaa)
        rc = lc_dns_parse_addrs(&a, data, (int)size, AF_INET6);
    else
        rc = lc_dns_parse_srv(&a, data, (int)size);
    (void)lc_dns_status_name(rc);
    for (i = 0; i < a.n_addrs; i++)
        if (memchr(a.addrs[i].text, '\0', sizeof(a.addrs[i].text)) == NULL)
            __builtin_trap();
    for (i = 0; i < a.n_srvs; i++)
        (void)lc_dns_name_within(a.srvs[i].target, "contoso.com");
    for (i = 0; i < a.n_cnames; i++)
        (void)lc_dns_name_parent_is(a.cnames[i], "contoso.com");
    lc_dns_answer_clear(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65535)
        return 0;
    lc_fuzz_answer(ns_t_a, data, size);
    lc_fuzz_answer(ns_t_aaaa, data, size);
    lc_fuzz_answer(ns_t_srv, data, size);
    return 0;
}
