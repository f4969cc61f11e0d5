/* SPDX-License-Identifier: MIT */
/* lynccheck - what changed since an earlier run (see baseline.h). */
#include "baseline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "findings.h"

int lc_baseline_parse(const char *text, size_t len, const char *origin, json_t **out, char *err,
                      size_t errlen)
{
    json_error_t jerr;
    json_t *root;
    const json_t *schema;

    *out = NULL;
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        snprintf(err, errlen, "%s: not JSON: %s (line %d)", origin, jerr.text, jerr.line);
        return -1;
    }
    schema = json_object_get(root, "schema");
    if (!json_is_object(root) || !json_is_string(json_object_get(root, "tool")) ||
        strcmp(json_string_value(json_object_get(root, "tool")), "lynccheck") != 0) {
        snprintf(err, errlen, "%s: not a lynccheck JSON report (--format json)", origin);
        goto bad;
    }
    if (!json_is_integer(schema) || json_integer_value(schema) != 1) {
        snprintf(err, errlen, "%s: a report of schema %lld, this lynccheck reads schema 1", origin,
                 json_is_integer(schema) ? (long long)json_integer_value(schema) : -1LL);
        goto bad;
    }
    if (!json_is_array(json_object_get(root, "checks")) ||
        !json_is_array(json_object_get(root, "sip_domains"))) {
        snprintf(err, errlen, "%s: the report has no checks or sip_domains array", origin);
        goto bad;
    }
    *out = root;
    return 0;
bad:
    json_decref(root);
    return -1;
}

int lc_baseline_load(const char *path, json_t **out, char *err, size_t errlen)
{
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    int fd = -1, rc = -1;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        goto done;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        goto done;
    }
    if ((unsigned long long)st.st_size > LC_BASELINE_MAX_BYTES) {
        snprintf(err, errlen, "%s: %lld bytes, more than the %zu MiB a baseline may have", path,
                 (long long)st.st_size, LC_BASELINE_MAX_BYTES / (1024 * 1024));
        goto done;
    }
    if (st.st_size == 0) {
        snprintf(err, errlen, "%s: empty (an interrupted run?)", path);
        goto done;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto done;
    }
    /* Read at most the size fstat gave: a file growing meanwhile is read
     * up to that bound, and its JSON then fails to parse. */
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "%s: read failed: %s", path, strerror(errno));
            goto done;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    rc = lc_baseline_parse(buf, got, path, out, err, errlen);
done:
    if (fd >= 0)
        close(fd);
    free(buf);
    return rc;
}

static int lc_bl_strcasecmp_p(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/* "a, b" of a sorted copy, for the message. */
static void lc_bl_domains_text(const char **v, size_t n, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++) {
        int k = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", v[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
}

int lc_baseline_match(const json_t *baseline, const char *const *sip_domains, size_t n_domains,
                      const char *profile, char *err, size_t errlen)
{
    const json_t *bd = json_object_get(baseline, "sip_domains"), *e;
    const char *bprofile = json_string_value(json_object_get(baseline, "profile"));
    const char **a = NULL, **b = NULL;
    size_t nb = json_array_size(bd), i;
    int rc = -1, same;

    a = calloc(n_domains + 1, sizeof(*a));
    b = calloc(nb + 1, sizeof(*b));
    if (a == NULL || b == NULL) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (i = 0; i < n_domains; i++)
        a[i] = sip_domains[i];
    json_array_foreach(bd, i, e) b[i] = json_is_string(e) ? json_string_value(e) : "";
    qsort(a, n_domains, sizeof(*a), lc_bl_strcasecmp_p);
    qsort(b, nb, sizeof(*b), lc_bl_strcasecmp_p);
    same = nb == n_domains;
    for (i = 0; same && i < nb; i++)
        same = strcasecmp(a[i], b[i]) == 0;
    if (!same) {
        char was[512], now[512];
        lc_bl_domains_text(b, nb, was, sizeof(was));
        lc_bl_domains_text(a, n_domains, now, sizeof(now));
        snprintf(err, errlen,
                 "it is a report of another site (SIP domains %s; this run checks %s): compare "
                 "runs of the same site only",
                 was, now);
        goto done;
    }
    if (bprofile == NULL || profile == NULL || strcmp(bprofile, profile) != 0) {
        snprintf(err, errlen,
                 "it is a report of profile '%s', this run uses profile '%s': compare runs of "
                 "the same profile only",
                 bprofile != NULL ? bprofile : "(none)", profile != NULL ? profile : "(none)");
        goto done;
    }
    rc = 0;
done:
    free(a);
    free(b);
    return rc;
}

/* ---- facts ---- */

static int lc_bl_problem(const char *status)
{
    return status != NULL && (strcmp(status, "fail") == 0 || strcmp(status, "error") == 0 ||
                              strcmp(status, "warn") == 0 || strcmp(status, "unknown") == 0);
}

/* The facts a report's checks recorded, as an object of kind ->
 * {subject -> value}: "certificate" {"host:port": {sha256: cert}},
 * "srv" {record: "target:port, ..."}, "addresses" {name: "a, b"}. */
static int lc_bl_addr_cmp(const void *a, const void *b)
{
    return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

static char *lc_bl_sorted_join(json_t *arr)
{
    size_t n = json_array_size(arr), len = 1, i;
    json_t **v = calloc(n + 1, sizeof(*v));
    char *s = NULL;

    if (v == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        v[i] = json_array_get(arr, i);
        len += strlen(json_string_value(v[i])) + 2;
    }
    qsort(v, n, sizeof(*v), lc_bl_addr_cmp);
    s = malloc(len);
    if (s != NULL) {
        size_t used = 0;
        s[0] = '\0';
        for (i = 0; i < n; i++) {
            if (i > 0 && strcmp(json_string_value(v[i]), json_string_value(v[i - 1])) == 0)
                continue;
            int k =
                snprintf(s + used, len - used, "%s%s", used ? ", " : "", json_string_value(v[i]));
            if (k > 0)
                used += (size_t)k;
        }
    }
    free(v);
    return s;
}

static void lc_bl_fact_check(json_t *facts, const char *id, const json_t *ev)
{
    const char *colon = id != NULL ? strchr(id, ':') : NULL;
    const char *target = colon != NULL ? colon + 1 : NULL;

    if (target == NULL || !json_is_object(ev))
        return;
    if (strncmp(id, "tls.", 4) == 0 && json_is_object(json_object_get(ev, "certificates"))) {
        json_t *certs = json_object_get(facts, "certificate"), *per;
        const char *sha;
        json_t *v;
        per = json_object_get(certs, target);
        if (per == NULL) {
            per = json_object();
            if (per == NULL || json_object_set_new(certs, target, per) != 0)
                return;
        }
        json_object_foreach(lc_json_mut(json_object_get(ev, "certificates")), sha, v)
        {
            json_t *cert = json_object_get(v, "certificate");
            if (json_is_object(cert) && json_object_get(per, sha) == NULL)
                json_object_set(per, sha, cert);
        }
    } else if (strncmp(id, "dns.srv:", 8) == 0 && json_is_array(json_object_get(ev, "records"))) {
        json_t *arr = json_array(), *r;
        size_t i;
        char one[400];
        char *joined;
        json_array_foreach(json_object_get(ev, "records"), i, r)
        {
            const char *t = json_string_value(json_object_get(r, "target"));
            if (t == NULL)
                continue;
            snprintf(one, sizeof(one), "%s:%lld", t,
                     (long long)json_integer_value(json_object_get(r, "port")));
            json_array_append_new(arr, json_string(one));
        }
        joined = lc_bl_sorted_join(arr);
        if (joined != NULL && *joined != '\0')
            json_object_set_new(json_object_get(facts, "srv"), target, json_string(joined));
        free(joined);
        json_decref(arr);
    } else if (strncmp(id, "dns.a:", 6) == 0) {
        json_t *arr = json_array(), *r;
        const char *fam[2] = {"a", "aaaa"};
        size_t i;
        char *joined;
        for (int f = 0; f < 2; f++) {
            json_array_foreach(json_object_get(ev, fam[f]), i, r)
            {
                const char *a = json_string_value(json_object_get(r, "address"));
                if (a != NULL)
                    json_array_append_new(arr, json_string(a));
            }
        }
        joined = lc_bl_sorted_join(arr);
        if (joined != NULL && *joined != '\0')
            json_object_set_new(json_object_get(facts, "addresses"), target, json_string(joined));
        free(joined);
        json_decref(arr);
    }
}

static json_t *lc_bl_facts_new(void)
{
    return json_pack("{s{}s{}s{}}", "certificate", "srv", "addresses");
}

/* ---- the comparison ---- */

static int lc_bl_push_fact(json_t *changed, const char *kind, const char *subject,
                           const char *before, const char *after, const char *text)
{
    json_t *o = json_pack("{ss ss ss ss ss?}", "kind", kind, "subject", subject, "before", before,
                          "after", after, "text", text);

    return o != NULL ? json_array_append_new(changed, o) : -1;
}

static const char *lc_bl_cert_expiry(const json_t *cert)
{
    const char *na = json_string_value(json_object_get(cert, "not_after"));
    return na != NULL ? na : "?";
}

/* Names in a's SANs that b lacks, "x, y" (empty when none). */
static void lc_bl_sans_diff(const json_t *a, const json_t *b, char *buf, size_t len)
{
    const json_t *e, *f;
    size_t i, k, used = 0;

    buf[0] = '\0';
    json_array_foreach(json_object_get(a, "sans"), i, e)
    {
        int found = 0;
        json_array_foreach(json_object_get(b, "sans"), k, f)
        {
            if (json_is_string(e) && json_is_string(f) &&
                strcasecmp(json_string_value(e), json_string_value(f)) == 0)
                found = 1;
        }
        if (!found && json_is_string(e) && used < len) {
            int n =
                snprintf(buf + used, len - used, "%s%s", used ? ", " : "", json_string_value(e));
            if (n > 0)
                used += (size_t)n;
        }
    }
}

/* One change per certificate replaced, naming every listener that now
 * presents the new one instead of the old. */
static int lc_bl_cert_change(json_t *changed, const char *listener, const char *before,
                             const char *after, int renewed, const char *added, const char *missing)
{
    json_t *e, *o = NULL, *listeners;
    char subject[1200], text[2000];
    size_t i, used = 0;

    json_array_foreach(changed, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "kind")), "certificate") == 0 &&
            strcmp(json_string_value(json_object_get(e, "before")), before) == 0 &&
            strcmp(json_string_value(json_object_get(e, "after")), after) == 0)
            o = e;
    }
    if (o == NULL) {
        o = json_pack("{ss ss ss ss s[]}", "kind", "certificate", "subject", listener, "before",
                      before, "after", after, "listeners");
        if (o == NULL || json_array_append_new(changed, o) != 0)
            return -1;
    }
    listeners = json_object_get(o, "listeners");
    if (json_array_append_new(listeners, json_string(listener)) != 0)
        return -1;
    subject[0] = '\0';
    json_array_foreach(listeners, i, e)
    {
        int n = snprintf(subject + used, sizeof(subject) - used, "%s%s", i ? ", " : "",
                         json_string_value(e));
        if (n < 0 || (size_t)n >= sizeof(subject) - used)
            break;
        used += (size_t)n;
    }
    snprintf(text, sizeof(text), "certificate %s on %s: now %s (was %s)%s%s%s%s",
             renewed ? "renewed" : "replaced", subject, after, before,
             added[0] ? "; names added: " : "", added, missing[0] ? "; names missing: " : "",
             missing);
    json_object_set_new(o, "subject", json_string(subject));
    json_object_set_new(o, "text", json_string(text));
    return 0;
}

static int lc_bl_compare_certs(json_t *changed, const json_t *was, const json_t *now)
{
    const char *listener;
    const json_t *wcerts;

    json_object_foreach(lc_json_mut(was), listener, wcerts)
    {
        const json_t *ncerts = json_object_get(now, listener), *wc, *nc;
        const char *wsha = NULL, *nsha = NULL, *k;
        char before[200], after[200], added[400], missing[400];
        if (!json_is_object(ncerts) || json_object_size(ncerts) == 0 ||
            json_object_size(wcerts) == 0)
            continue;
        /* The listener's certificate; several (one per address) compare
         * by their smallest fingerprint. */
        json_object_foreach(lc_json_mut(wcerts), k, wc)
        {
            if (wsha == NULL || strcmp(k, wsha) < 0)
                wsha = k;
        }
        json_object_foreach(lc_json_mut(ncerts), k, nc)
        {
            if (nsha == NULL || strcmp(k, nsha) < 0)
                nsha = k;
        }
        if (json_object_get(ncerts, wsha) != NULL || json_object_get(wcerts, nsha) != NULL)
            continue;
        wc = json_object_get(wcerts, wsha);
        nc = json_object_get(ncerts, nsha);
        snprintf(before, sizeof(before), "SHA-256 %.16s... expires %s", wsha,
                 lc_bl_cert_expiry(wc));
        snprintf(after, sizeof(after), "SHA-256 %.16s... expires %s", nsha, lc_bl_cert_expiry(nc));
        lc_bl_sans_diff(nc, wc, added, sizeof(added));
        lc_bl_sans_diff(wc, nc, missing, sizeof(missing));
        if (lc_bl_cert_change(changed, listener, before, after,
                              strcmp(lc_bl_cert_expiry(nc), lc_bl_cert_expiry(wc)) > 0, added,
                              missing) < 0)
            return -1;
    }
    return 0;
}

static int lc_bl_compare_strings(json_t *changed, const char *kind, const char *what,
                                 const json_t *was, const json_t *now)
{
    const char *subject;
    const json_t *w;

    json_object_foreach(lc_json_mut(was), subject, w)
    {
        const char *a = json_string_value(w), *b = json_string_value(json_object_get(now, subject));
        char text[1200];
        if (a == NULL || b == NULL || strcmp(a, b) == 0)
            continue;
        snprintf(text, sizeof(text), "%s %s %s (was %s)", subject, what, b, a);
        if (lc_bl_push_fact(changed, kind, subject, a, b, text) < 0)
            return -1;
    }
    return 0;
}

static json_t *lc_bl_bucket(void)
{
    return json_pack("{s[]s[]}", "findings", "checks");
}

static json_t *lc_bl_finding_ref(const char *id, const char *severity, const char *cause)
{
    return json_pack("{ss ss ss?}", "id", id, "severity", severity != NULL ? severity : "fail",
                     "cause", cause);
}

/* New, still failing and fixed findings: by id when the baseline has them
 * (reports since findings were added); an older baseline: a finding is
 * still failing when one of its checks already failed then. */
static void lc_bl_compare_findings(json_t *root, const json_t *bfind, const json_t *bstatus,
                                   const struct lc_findings *findings)
{
    json_t *newb = json_object_get(root, "new"), *fixb = json_object_get(root, "fixed");
    json_t *stillb = json_object_get(root, "still");
    size_t i;

    for (i = 0; findings != NULL && i < findings->n; i++) {
        const struct lc_finding *f = &findings->v[i];
        int seen = 0;
        if (json_is_array(bfind)) {
            size_t k;
            const json_t *b;
            json_array_foreach(bfind, k, b)
            {
                if (json_is_string(json_object_get(b, "id")) &&
                    strcmp(json_string_value(json_object_get(b, "id")), f->id) == 0)
                    seen = 1;
            }
        } else {
            for (size_t k = 0; k < f->n_checks; k++)
                if (lc_bl_problem(json_string_value(json_object_get(bstatus, f->checks[k]->id))))
                    seen = 1;
        }
        json_array_append_new(json_object_get(seen ? stillb : newb, "findings"),
                              lc_bl_finding_ref(f->id, lc_status_name(f->severity), f->cause));
    }
    if (json_is_array(bfind)) {
        size_t k;
        const json_t *b;
        json_array_foreach(bfind, k, b)
        {
            const char *id = json_string_value(json_object_get(b, "id"));
            int now = 0;
            if (id == NULL)
                continue;
            for (i = 0; findings != NULL && i < findings->n; i++)
                now |= strcmp(findings->v[i].id, id) == 0;
            if (!now)
                json_array_append_new(
                    json_object_get(fixb, "findings"),
                    lc_bl_finding_ref(id, json_string_value(json_object_get(b, "severity")),
                                      json_string_value(json_object_get(b, "cause"))));
        }
    }
}

/* Fills root (lc_changes.json's buckets) from the baseline and this run.
 * 0, or -1 out of memory. */
static int lc_bl_diff(json_t *root, const json_t *baseline, const struct lc_report *report,
                      const struct lc_findings *findings)
{
    /* The facts and statuses of both runs, in one object freed at the end. */
    json_t *scratch =
        json_pack("{so so so so}", "bfacts", lc_bl_facts_new(), "nfacts", lc_bl_facts_new(),
                  "bstatus", json_object(), "nstatus", json_object());
    json_t *bfacts = json_object_get(scratch, "bfacts"),
           *nfacts = json_object_get(scratch, "nfacts");
    json_t *bstatus = json_object_get(scratch, "bstatus");
    json_t *nstatus = json_object_get(scratch, "nstatus");
    json_t *newb, *fixb, *stillb, *changed, *e;
    const json_t *bfind = json_object_get(baseline, "findings");
    size_t i;
    int rc = -1;

    if (scratch == NULL)
        goto done;
    newb = json_object_get(root, "new");
    fixb = json_object_get(root, "fixed");
    stillb = json_object_get(root, "still");
    changed = json_object_get(root, "changed");
    json_array_foreach(json_object_get(baseline, "checks"), i, e)
    {
        const char *id = json_string_value(json_object_get(e, "id"));
        const char *st = json_string_value(json_object_get(e, "status"));
        if (id == NULL || st == NULL)
            continue;
        json_object_set_new(bstatus, id, json_string(st));
        lc_bl_fact_check(bfacts, id, json_object_get(e, "evidence"));
    }
    for (i = 0; report->results != NULL && i < report->n_results; i++) {
        const struct lc_result *r = report->results[i];
        const char *st, *was;
        if (r == NULL || r->id == NULL)
            continue;
        st = lc_status_name(lc_result_status(r));
        json_object_set_new(nstatus, r->id, json_string(st));
        lc_bl_fact_check(nfacts, r->id, r->evidence);
        was = json_string_value(json_object_get(bstatus, r->id));
        if (r->excluded)
            continue;
        if (lc_bl_problem(st)) {
            json_array_append_new(json_object_get(lc_bl_problem(was) ? stillb : newb, "checks"),
                                  json_string(r->id));
        } else if (strcmp(st, "pass") == 0 && lc_bl_problem(was)) {
            json_array_append_new(json_object_get(fixb, "checks"), json_string(r->id));
        }
    }
    lc_bl_compare_findings(root, bfind, bstatus, findings);
    if (lc_bl_compare_certs(changed, json_object_get(bfacts, "certificate"),
                            json_object_get(nfacts, "certificate")) < 0 ||
        lc_bl_compare_strings(changed, "srv", "now points at", json_object_get(bfacts, "srv"),
                              json_object_get(nfacts, "srv")) < 0 ||
        lc_bl_compare_strings(changed, "addresses", "now resolves to",
                              json_object_get(bfacts, "addresses"),
                              json_object_get(nfacts, "addresses")) < 0)
        goto done;
    rc = 0;
done:
    json_decref(scratch);
    return rc;
}

int lc_changes_build(const json_t *baseline, const struct lc_report *report,
                     const struct lc_findings *findings, struct lc_changes **out)
{
    struct lc_changes *c = calloc(1, sizeof(*c));

    *out = NULL;
    if (c == NULL)
        return -1;
    c->json =
        json_pack("{s{ss? ss?} so so so s[]}", "baseline", "started",
                  json_string_value(json_object_get(baseline, "started")), "version",
                  json_string_value(json_object_get(baseline, "version")), "new", lc_bl_bucket(),
                  "fixed", lc_bl_bucket(), "still", lc_bl_bucket(), "changed");
    if (c->json == NULL || lc_bl_diff(c->json, baseline, report, findings) != 0) {
        lc_changes_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

void lc_changes_free(struct lc_changes *c)
{
    if (c == NULL)
        return;
    json_decref(c->json);
    free(c);
}

const json_t *lc_changes_list(const struct lc_changes *c, const char *which, const char *what)
{
    return c != NULL ? json_object_get(json_object_get(c->json, which), what) : NULL;
}

const json_t *lc_changes_facts(const struct lc_changes *c)
{
    return c != NULL ? json_object_get(c->json, "changed") : NULL;
}

int lc_changes_summary(const struct lc_changes *c, char *buf, size_t len)
{
    const char *started =
        c != NULL
            ? json_string_value(json_object_get(json_object_get(c->json, "baseline"), "started"))
            : NULL;
    size_t nf = json_array_size(lc_changes_list(c, "new", "findings"));
    size_t nc = json_array_size(lc_changes_list(c, "new", "checks"));
    size_t ff = json_array_size(lc_changes_list(c, "fixed", "findings"));
    size_t fc = json_array_size(lc_changes_list(c, "fixed", "checks"));
    size_t sf = json_array_size(lc_changes_list(c, "still", "findings"));
    size_t sc = json_array_size(lc_changes_list(c, "still", "checks"));
    size_t ch = json_array_size(lc_changes_facts(c));
    int n = snprintf(buf, len,
                     "since the last run (%s): %zu new problem%s (%zu check%s), %zu fixed (%zu "
                     "check%s), %zu still failing (%zu check%s), %zu fact%s changed",
                     started != NULL ? started : "baseline", nf, nf == 1 ? "" : "s", nc,
                     nc == 1 ? "" : "s", ff, fc, fc == 1 ? "" : "s", sf, sc, sc == 1 ? "" : "s", ch,
                     ch == 1 ? "" : "s");
    return n < 0 || (size_t)n >= len ? -1 : 0;
}
