/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: an autodiscover answer in any dialect
 * (lc_web_discover_parse: UCWA _links or native Root.Links JSON with
 * jansson, XML with libxml2), as a Lync director, a hybrid tenant's
 * redirect or anything behind lyncdiscover.<domain> sends it; then what the
 * web probe does with it: the verdict and the redirect link to follow
 * (lc_web_discover_judge), the links' hosts and schemes (lc_web_url_host). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lc_fuzz_url(const char *url)
{
    char host[256];
    unsigned port = 0;

    if (url == NULL)
        return;
    if (lc_web_url_host(url, host, sizeof(host), &port) == 0 &&
        (memchr(host, '\0', sizeof(host)) == NULL || port > 65535))
        __builtin_trap();
    (void)lc_web_url_is_https(url);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lc_web_discover d;
    char why[256];
    char *body = malloc(size > 0 ? size : 1);
    size_t i;

    if (body == NULL)
        return 0;
    memcpy(body, data, size); /* no NUL: the API takes a length */
    memset(&d, 0, sizeof(d));
    if (lc_web_discover_parse(body, size, &d, why, sizeof(why)) == 0) {
        struct lc_web_discover_ctx ctx = {"/", "https://lyncdiscover.contoso.test/",
                                          "webdir.online.lync.com", "fe01.corp",
                                          (unsigned)size % 5};
        const char *follow = NULL;
        char msg[300];

        if (d.hrefs.n > LC_WEB_MAX_LINKS)
            __builtin_trap();
        (void)lc_web_discover_judge(&d, &ctx, &follow, msg, sizeof(msg));
        if (memchr(msg, '\0', sizeof(msg)) == NULL || (follow != NULL && follow != d.redirect))
            __builtin_trap();
        lc_fuzz_url(d.oauth);
        lc_fuzz_url(d.domain);
        lc_fuzz_url(lc_web_discover_user(&d));
        lc_fuzz_url(d.self);
        lc_fuzz_url(d.user);
        lc_fuzz_url(d.xframe);
        lc_fuzz_url(d.redirect);
        for (i = 0; i < d.hrefs.n; i++)
            lc_fuzz_url(d.hrefs.v[i]);
    } else if (memchr(why, '\0', sizeof(why)) == NULL) {
        __builtin_trap();
    }
    lc_web_discover_clear(&d);
    lc_web_discover_clear(&d); /* harmless twice */
    free(body);
    return 0;
}
