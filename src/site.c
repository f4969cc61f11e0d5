/* SPDX-License-Identifier: MIT */
/* lynccheck - the deployment under test and Lync's naming conventions. */
#include "site.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "loop.h"

void lc_site_clear(struct lc_site *site)
{
    lc_strv_clear(&site->sip_domains);
    lc_strv_clear(&site->web_external);
    lc_strv_clear(&site->director_web_external);
    lc_strv_clear(&site->meet);
    free(site->access_edge);
    free(site->webconf_edge);
    free(site->av_edge);
    free(site->owa);
    free(site->dialin);
    free(site->edge_internal);
    free(site->front_end);
    free(site->director);
    free(site->mediation);
    free(site->web_user);
    lc_site_clear_pins(site);
    if (site->web_password != NULL) {
        OPENSSL_cleanse(site->web_password, strlen(site->web_password));
        free(site->web_password);
    }
    memset(site, 0, sizeof(*site));
}

const char *lc_source_name(enum lc_source src)
{
    switch (src) {
    case LC_SRC_GIVEN:
        return "given";
    case LC_SRC_SRV:
        return "srv";
    case LC_SRC_DEFAULT:
        return "default";
    case LC_SRC_NONE:
    default:
        return "none";
    }
}

/* RFC 1123 host names: labels of letters, digits and hyphens, 1-63
 * octets, not starting or ending with a hyphen; 253 octets in all. An
 * underscore is accepted (SRV owner names, and some real host names). */
int lc_is_ip_literal(const char *s)
{
    unsigned char buf[sizeof(struct in6_addr)];

    return s != NULL && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}

char *lc_ip_canonical(const char *s)
{
    unsigned char buf[sizeof(struct in6_addr)];
    char text[INET6_ADDRSTRLEN];
    int family = AF_INET;

    if (s == NULL)
        return NULL;
    if (inet_pton(AF_INET, s, buf) != 1) {
        family = AF_INET6;
        if (inet_pton(AF_INET6, s, buf) != 1)
            return NULL;
    }
    if (inet_ntop(family, buf, text, sizeof(text)) == NULL)
        return NULL;
    return strdup(text);
}

char *lc_fqdn_normalize(const char *in, const char **why)
{
    size_t len = strlen(in), i, label = 0;
    char *out;

    *why = NULL;
    if (len > 0 && in[len - 1] == '.')
        len--;
    if (len == 0) {
        *why = "empty name";
        return NULL;
    }
    if (len > 253) {
        *why = "name longer than 253 characters";
        return NULL;
    }
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (ch == '.') {
            if (label == 0) {
                *why = "empty label";
                return NULL;
            }
            if (in[i - 1] == '-') {
                *why = "label ends with '-'";
                return NULL;
            }
            label = 0;
            continue;
        }
        if (!isalnum(ch) && ch != '-' && ch != '_') {
            *why = "invalid character (letters, digits, '-' and '.' only)";
            return NULL;
        }
        if (label == 0 && ch == '-') {
            *why = "label starts with '-'";
            return NULL;
        }
        if (++label > 63) {
            *why = "label longer than 63 characters";
            return NULL;
        }
    }
    if (in[len - 1] == '-') {
        *why = "label ends with '-'";
        return NULL;
    }
    out = malloc(len + 1);
    if (out == NULL) {
        *why = "out of memory";
        return NULL;
    }
    for (i = 0; i < len; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[len] = '\0';
    return out;
}

/* ---- --resolve pins ---- */

void lc_site_clear_pins(struct lc_site *site)
{
    size_t i;

    for (i = 0; i < site->n_resolve; i++) {
        free(site->resolve[i].name);
        lc_strv_clear(&site->resolve[i].addrs);
    }
    free(site->resolve);
    site->resolve = NULL;
    site->n_resolve = 0;
}

const struct lc_pin *lc_site_find_pin(const struct lc_site *site, const char *name)
{
    size_t i, n = strlen(name);

    if (n > 0 && name[n - 1] == '.')
        n--;
    for (i = 0; i < site->n_resolve; i++)
        if (strlen(site->resolve[i].name) == n && strncasecmp(site->resolve[i].name, name, n) == 0)
            return &site->resolve[i];
    return NULL;
}

/* One address of a pin: a literal, an IPv6 one optionally in brackets (as
 * curl writes them); stored in canonical form. */
static char *lc_pin_addr(const char *s, size_t len)
{
    char buf[INET6_ADDRSTRLEN + 2];

    if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
        s++;
        len -= 2;
    }
    if (len == 0 || len >= sizeof(buf))
        return NULL;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return lc_ip_canonical(buf);
}

int lc_site_add_pin(struct lc_site *site, const char *spec, char *why, size_t len)
{
    const char *colon = strchr(spec, ':'), *p, *bad = NULL;
    char namebuf[256], *name = NULL;
    struct lc_pin pin, *grown;
    size_t nlen;
    int rc = -1;

    memset(&pin, 0, sizeof(pin));
    nlen = colon != NULL ? (size_t)(colon - spec) : 0;
    if (colon == NULL || nlen == 0 || colon[1] == '\0') {
        snprintf(why, len, "--resolve wants NAME:ADDR[,ADDR...], not '%.200s'", spec);
        goto done;
    }
    if (nlen >= sizeof(namebuf)) {
        snprintf(why, len, "--resolve: the name in '%.60s...' is longer than 253 characters", spec);
        goto done;
    }
    memcpy(namebuf, spec, nlen);
    namebuf[nlen] = '\0';
    /* Pinning an address to an address means nothing: a name is wanted. */
    if (lc_is_ip_literal(namebuf)) {
        snprintf(why, len, "--resolve: '%s' is an address, not a name to pin", namebuf);
        goto done;
    }
    name = lc_fqdn_normalize(namebuf, &bad);
    if (name == NULL || strchr(name, '.') == NULL) {
        snprintf(why, len, "--resolve: '%.200s' is not a valid FQDN: %s", namebuf,
                 name == NULL ? bad : "not fully qualified (no dot)");
        goto done;
    }
    if (lc_site_find_pin(site, name) != NULL) {
        snprintf(why, len, "--resolve: '%s' pinned twice (give every address in one value)", name);
        goto done;
    }
    if (site->n_resolve >= LC_PIN_MAX_NAMES) {
        snprintf(why, len, "--resolve: more than %d names pinned", LC_PIN_MAX_NAMES);
        goto done;
    }
    for (p = colon + 1;;) {
        size_t alen = strcspn(p, ",");
        char *addr = lc_pin_addr(p, alen);

        if (addr == NULL) {
            snprintf(why, len,
                     "--resolve: '%.*s' (for %s) is not an IPv4 or IPv6 address "
                     "(NAME:ADDR[,ADDR...], no port)",
                     (int)(alen > 64 ? 64 : alen), p, name);
            goto done;
        }
        if (lc_strv_contains(&pin.addrs, addr)) {
            snprintf(why, len, "--resolve: %s given twice for %s", addr, name);
            free(addr);
            goto done;
        }
        if (pin.addrs.n >= LC_PIN_MAX_ADDRS) {
            snprintf(why, len, "--resolve: more than %d addresses for %s", LC_PIN_MAX_ADDRS, name);
            free(addr);
            goto done;
        }
        if (lc_strv_push(&pin.addrs, addr) < 0) {
            free(addr);
            snprintf(why, len, "out of memory");
            goto done;
        }
        free(addr);
        if (p[alen] == '\0')
            break;
        p += alen + 1;
    }
    grown = realloc(site->resolve, (site->n_resolve + 1) * sizeof(*grown));
    if (grown == NULL) {
        snprintf(why, len, "out of memory");
        goto done;
    }
    site->resolve = grown;
    pin.name = name;
    name = NULL;
    site->resolve[site->n_resolve++] = pin;
    memset(&pin, 0, sizeof(pin));
    rc = 0;
done:
    free(name);
    lc_strv_clear(&pin.addrs);
    return rc;
}

int lc_site_pin_dns(const struct lc_site *site, struct lc_dns *dns)
{
    size_t i;

    for (i = 0; site != NULL && i < site->n_resolve; i++) {
        const struct lc_pin *pin = &site->resolve[i];
        if (lc_dns_pin(dns, pin->name, (const char *const *)pin->addrs.v, pin->addrs.n) < 0)
            return -1;
    }
    return 0;
}

static char *lc_join2(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *s = malloc(n);

    if (s != NULL && snprintf(s, n, "%s%s", a, b) >= (int)n) {
        free(s);
        s = NULL;
    }
    return s;
}

int lc_site_apply_defaults(struct lc_site *site)
{
    size_t i;

    if (site->meet.n == 0 && site->sip_domains.n > 0) {
        for (i = 0; i < site->sip_domains.n; i++) {
            char *m = lc_join2("meet.", site->sip_domains.v[i]);
            if (m == NULL || lc_strv_push(&site->meet, m) < 0) {
                free(m);
                return -1;
            }
            free(m);
        }
        site->meet_src = LC_SRC_DEFAULT;
    } else if (site->meet.n > 0 && site->meet_src == LC_SRC_NONE) {
        site->meet_src = LC_SRC_GIVEN;
    }
    if (site->dialin == NULL && site->sip_domains.n > 0) {
        site->dialin = lc_join2("dialin.", site->sip_domains.v[0]);
        if (site->dialin == NULL)
            return -1;
        site->dialin_src = LC_SRC_DEFAULT;
    } else if (site->dialin != NULL && site->dialin_src == LC_SRC_NONE) {
        site->dialin_src = LC_SRC_GIVEN;
    }
    if (site->access_edge != NULL && site->access_edge_src == LC_SRC_NONE)
        site->access_edge_src = LC_SRC_GIVEN;
    return 0;
}

int lc_site_default_edge(struct lc_site *site)
{
    if (site->access_edge != NULL || site->sip_domains.n == 0)
        return 0;
    site->access_edge = lc_join2("sip.", site->sip_domains.v[0]);
    if (site->access_edge == NULL)
        return -1;
    site->access_edge_src = LC_SRC_DEFAULT;
    return 0;
}

struct lc_discover {
    struct lc_site *site;
    struct lc_loop *loop;
    int submitted, done, failed, timed_out, abandoned;
};

static void lc_site_on_srv(const struct lc_dns_answer *answer, void *arg)
{
    struct lc_discover *d = arg;
    const struct lc_dns_srv *best = NULL;
    size_t i;

    if (d->abandoned) {
        /* The guard gave up on this answer; the discovery is over. */
        free(d);
        return;
    }
    d->done = 1;
    lc_loop_stop(d->loop);
    if (answer->status != 0)
        return;
    /* RFC 2782: the lowest priority is tried first; among equals the
     * heaviest weight is the likeliest choice. */
    for (i = 0; i < answer->n_srvs; i++) {
        const struct lc_dns_srv *s = &answer->srvs[i];
        if (s->target[0] == '\0')
            continue;
        if (best == NULL || s->priority < best->priority ||
            (s->priority == best->priority && s->weight > best->weight))
            best = s;
    }
    if (best == NULL)
        return;
    d->site->access_edge = strdup(best->target);
    if (d->site->access_edge == NULL)
        d->failed = 1;
    else
        d->site->access_edge_src = LC_SRC_SRV;
}

static void lc_site_on_discover_timeout(struct lc_loop *loop, void *arg)
{
    struct lc_discover *d = arg;

    d->timed_out = 1;
    lc_loop_stop(loop);
}

int lc_site_discover(struct lc_site *site, struct lc_loop *loop, struct lc_dns *dns,
                     unsigned long long timeout_us)
{
    struct lc_discover *d;
    struct lc_timer *guard = NULL;
    char *name = NULL;
    int rc = -1;

    if (site->access_edge != NULL || site->sip_domains.n == 0)
        return 0;
    d = calloc(1, sizeof(*d));
    name = lc_join2("_sip._tls.", site->sip_domains.v[0]);
    if (d == NULL || name == NULL)
        goto done;
    d->site = site;
    d->loop = loop;
    guard = lc_loop_timer_add(loop, timeout_us, lc_site_on_discover_timeout, d);
    if (guard == NULL)
        goto done;
    if (lc_dns_query(dns, name, ns_t_srv, lc_site_on_srv, d) < 0)
        goto done;
    d->submitted = 1;
    while (!d->done && !d->timed_out) {
        if (lc_loop_run(loop) < 0)
            break;
    }
    rc = d->failed ? -1 : lc_site_default_edge(site);
done:
    if (guard != NULL && (d == NULL || !d->timed_out))
        lc_loop_timer_cancel(loop, guard);
    if (d != NULL && d->submitted && !d->done) {
        d->abandoned = 1; /* the resolver still holds it; its callback frees it */
        d = NULL;
    }
    free(d);
    free(name);
    return rc;
}

static json_t *lc_strv_json(const struct lc_strv *sv)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; a != NULL && i < sv->n; i++)
        json_array_append_new(a, json_string(sv->v[i]));
    return a;
}

static json_t *lc_name_json(const char *name, enum lc_source src)
{
    json_t *o;

    if (name == NULL)
        return json_null();
    o = json_pack("{s:s, s:s}", "fqdn", name, "source", lc_source_name(src));
    /* A role given as an address: probed directly, no DNS lookup. */
    if (o != NULL && lc_is_ip_literal(name))
        json_object_set_new(o, "address", json_true());
    return o;
}

json_t *lc_site_to_json(const struct lc_site *site)
{
    json_t *o =
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "sip_domains",
                  lc_strv_json(&site->sip_domains), "access_edge",
                  lc_name_json(site->access_edge, site->access_edge_src), "webconf_edge",
                  lc_name_json(site->webconf_edge, LC_SRC_GIVEN), "av_edge",
                  lc_name_json(site->av_edge, LC_SRC_GIVEN), "web_external",
                  lc_strv_json(&site->web_external), "director_web_external",
                  lc_strv_json(&site->director_web_external), "owa",
                  lc_name_json(site->owa, LC_SRC_GIVEN), "meet", lc_strv_json(&site->meet),
                  "dialin", lc_name_json(site->dialin, site->dialin_src), "xmpp", site->xmpp);

    if (o == NULL)
        return NULL;
    json_object_set_new(o, "edge_internal", lc_name_json(site->edge_internal, LC_SRC_GIVEN));
    json_object_set_new(o, "front_end", lc_name_json(site->front_end, LC_SRC_GIVEN));
    json_object_set_new(o, "director", lc_name_json(site->director, LC_SRC_GIVEN));
    json_object_set_new(o, "mediation", lc_name_json(site->mediation, LC_SRC_GIVEN));
    /* The --resolve pins: every report says which names did not come from
     * DNS. Always present (empty when nothing is pinned). */
    {
        json_t *pins = json_object();
        size_t i;

        for (i = 0; pins != NULL && i < site->n_resolve; i++)
            json_object_set_new(pins, site->resolve[i].name, lc_strv_json(&site->resolve[i].addrs));
        json_object_set_new(o, "resolve", pins);
    }
    return o;
}
