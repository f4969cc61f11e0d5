/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: a WCF metadata document (mex / WSDL) as a web service
 * or whatever answers in its place sends it (lc_web_mex_addresses,
 * libxml2), then the hosts of the endpoint addresses it names. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"
#include "web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lc_strv urls = {0};
    char why[256], host[256];
    char *body = malloc(size > 0 ? size : 1);
    int n;
    size_t i;

    if (body == NULL)
        return 0;
    memcpy(body, data, size); /* no NUL: the API takes a length */
    n = lc_web_mex_addresses(body, size, &urls, why, sizeof(why));
    if (n >= 0) {
        if ((size_t)n != urls.n || urls.n > LC_WEB_MAX_LINKS)
            __builtin_trap();
        for (i = 0; i < urls.n; i++) {
            unsigned port = 0;
            (void)lc_web_url_host(urls.v[i], host, sizeof(host), &port);
            (void)lc_web_url_is_https(urls.v[i]);
        }
    } else if (memchr(why, '\0', sizeof(why)) == NULL) {
        __builtin_trap();
    }
    lc_strv_clear(&urls);
    free(body);
    return 0;
}
