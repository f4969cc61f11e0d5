/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: an earlier JSON report given as --baseline
 * (lc_baseline_parse, lc_baseline_match), then its checks taken as this
 * run's results, with whatever evidence they carry: the findings they group
 * into (lc_findings_build, lc_findings_to_json) and the changes against the
 * baseline itself (lc_changes_build, lc_changes_summary). */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "findings.h"
#include "result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LC_FZ_MAX 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const domains[] = {"contoso.com"};
    struct lc_result res[LC_FZ_MAX];
    const struct lc_result *ptrs[LC_FZ_MAX];
    const char *deps[LC_FZ_MAX];
    struct lc_report report;
    struct lc_findings *f = NULL;
    struct lc_changes *ch = NULL;
    json_t *base = NULL, *c, *empty = json_object();
    char *text, err[512], sum[512];
    size_t i, n = 0;

    text = malloc(size + 1);
    if (text == NULL || empty == NULL)
        goto done;
    memcpy(text, data, size);
    text[size] = '\0';
    if (lc_baseline_parse(text, size, "fuzz.json", &base, err, sizeof(err)) < 0) {
        if (memchr(err, '\0', sizeof(err)) == NULL)
            __builtin_trap();
        goto done;
    }
    (void)lc_baseline_match(base, domains, 1, "external", err, sizeof(err));
    if (memchr(err, '\0', sizeof(err)) == NULL)
        __builtin_trap();
    memset(&report, 0, sizeof(report));
    json_array_foreach(json_object_get(base, "checks"), i, c)
    {
        const char *id = json_string_value(json_object_get(c, "id"));
        const char *st = json_string_value(json_object_get(c, "status"));
        const json_t *ev = json_object_get(c, "evidence");
        enum lc_status status = LC_ERROR;
        if (n == LC_FZ_MAX || id == NULL)
            break;
        (void)lc_status_parse(st, &status);
        memset(&res[n], 0, sizeof(res[n]));
        res[n].id = id;
        res[n].probe = json_string_value(json_object_get(c, "probe"));
        res[n].what = json_string_value(json_object_get(c, "what"));
        res[n].target = json_string_value(json_object_get(c, "target"));
        res[n].message = json_string_value(json_object_get(c, "message"));
        res[n].status = status;
        res[n].evidence = json_is_object(ev) ? ev : empty;
        /* Each check depends on the one before: dependency joins too. */
        deps[n] = n > 0 ? res[n - 1].id : NULL;
        res[n].deps = n > 0 ? &deps[n] : NULL;
        res[n].n_deps = n > 0 && (i & 1) ? 1 : 0;
        ptrs[n] = &res[n];
        n++;
    }
    report.profile = "external";
    report.sip_domains = domains;
    report.n_sip_domains = 1;
    report.site = json_object_get(base, "site");
    report.results = ptrs;
    report.n_results = n;
    if (lc_findings_build(&report, &f) == 0) {
        size_t covered = 0;
        json_t *j = lc_findings_to_json(f);
        for (i = 0; i < f->n; i++) {
            if (f->v[i].n_checks == 0 || f->v[i].cause == NULL || f->v[i].fix == NULL ||
                f->v[i].impact == NULL || strncmp(f->v[i].id, "f-", 2) != 0)
                __builtin_trap();
            covered += f->v[i].n_checks;
        }
        if (covered != f->n_checks || covered > n)
            __builtin_trap();
        json_decref(j);
        if (lc_changes_build(base, &report, f, &ch) == 0)
            (void)lc_changes_summary(ch, sum, sizeof(sum));
    }
done:
    lc_changes_free(ch);
    lc_findings_free(f);
    json_decref(base);
    json_decref(empty);
    free(text);
    return 0;
}
