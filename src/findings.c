/* SPDX-License-Identifier: MIT */
/* lynccheck - findings: the checks that did not pass, grouped by cause (see
 * findings.h).
 *
 * Each check that failed, erred or warned yields tokens naming what its
 * evidence blames: a DNS record, an address and port nothing answers on, a
 * certificate (by SHA-256), the backend behind the reverse proxy (a
 * 502/503/504), a proxy rule diagnosis on one host, or only the check
 * itself. Checks sharing a token are one finding; so is a check and the
 * failed check it depended on, and a web check whose TLS handshake failed
 * and the tls.name check of that listener. A finding is named after its
 * most upstream cause: DNS before connectivity before certificates before
 * the backend before proxy rules. */
#include "findings.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixes.h"
#include "sb.h"
#include "utf8.h"

/* Most upstream first: a finding is named after its lowest class. */
enum lc_fclass { LC_FC_DNS = 0, LC_FC_CONN, LC_FC_CERT, LC_FC_BACKEND, LC_FC_WEB, LC_FC_CHECK };

static const char *const lc_fclass_names[] = {"dns",     "connection", "certificate",
                                              "backend", "proxy-rule", "check"};

/* What an address:port did (connection tokens). */
enum { LC_FCONN_FILTERED = 1, LC_FCONN_CLOSED = 2, LC_FCONN_UNREACHABLE = 4 };

struct lc_ftoken {
    enum lc_fclass cls;
    char *key;
    size_t uses;
    int conn; /* LC_FCONN_* seen, for connection tokens */
};

struct lc_fctx {
    const struct lc_report *report;
    const struct lc_result **items; /* the problems, report order */
    size_t n_items;
    struct lc_ftoken *tokens;
    size_t n_tokens, cap_tokens;
    size_t *tok_of; /* pairs (item, token) */
    size_t n_links, cap_links;
    size_t *parent; /* union-find over items then tokens */
    size_t last;    /* the token the last lc_ftoken_add named */
    int oom;
    /* Indexes, so that a run with thousands of problems (a hosting
     * provider's 1,000 SIP domains) does not search every token or item for
     * each one: the tokens by (class, key), open addressing (slot = index
     * + 1, 0 empty; capacity a power of two, at most half full), grown as
     * they come; the items by id, once they are all known. */
    size_t *tok_ix, tok_ix_cap;
    struct lc_fidmap item_ix;
};

/* FNV-1a over a string, with a salt (the token's class). */
static size_t lc_fhash(const char *s, unsigned salt)
{
    uint64_t h = 1469598103934665603ULL ^ salt;

    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return (size_t)h;
}

/* ---- check ids to numbers (findings.h) ---- */

/* Room for n ids: 0, or -1 out of memory. */
static int lc_fidmap_init(struct lc_fidmap *m, size_t n)
{
    for (m->cap = 16; m->cap < 2 * n + 2; m->cap *= 2)
        ;
    m->ids = calloc(m->cap, sizeof(*m->ids));
    m->vals = calloc(m->cap, sizeof(*m->vals));
    return m->ids != NULL && m->vals != NULL ? 0 : -1;
}

/* The slot of id: its own, or the empty one where it would go. */
static size_t lc_fidmap_slot(const struct lc_fidmap *m, const char *id)
{
    size_t h = lc_fhash(id, 0) & (m->cap - 1);

    while (m->ids[h] != NULL && strcmp(m->ids[h], id) != 0)
        h = (h + 1) & (m->cap - 1);
    return h;
}

/* id -> val unless id is there already (the first one put stays, as a
 * search in order would find it). id must outlive the map. */
static void lc_fidmap_put(struct lc_fidmap *m, const char *id, size_t val)
{
    size_t h;

    if (id == NULL)
        return;
    h = lc_fidmap_slot(m, id);
    if (m->ids[h] != NULL)
        return;
    m->ids[h] = id;
    m->vals[h] = val;
}

/* id's number, or -1. */
static long lc_fidmap_get(const struct lc_fidmap *m, const char *id)
{
    size_t h;

    if (id == NULL || m->cap == 0)
        return -1;
    h = lc_fidmap_slot(m, id);
    return m->ids[h] != NULL ? (long)m->vals[h] : -1;
}

static void lc_fidmap_free(struct lc_fidmap *m)
{
    free(m->ids);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

/* ---- a growing string ---- */

/* The string, bytes outside valid UTF-8 (a hostile server's message)
 * replaced by '?' so every reporter can carry the sentence as it is; or
 * NULL (and *oom set) when it could not be built. b is emptied. */
static char *lc_fsb_take(struct lc_sb *b, int *oom)
{
    static const struct lc_utf8_rules rules = {.invalid = "?"};
    char *s = b->oom ? NULL : lc_utf8_filter_dup(b->s, 0, &rules);

    if (s == NULL)
        *oom = 1;
    free(b->s);
    b->s = NULL;
    return s;
}

/* ---- small helpers ---- */

static int lc_fstatus_problem(const struct lc_result *r)
{
    enum lc_status st = lc_result_status(r);

    return !r->excluded && (st == LC_FAIL || st == LC_ERROR || st == LC_WARN);
}

/* fail > error > warn, as lc_status_rank. */
static int lc_fworse(enum lc_status a, enum lc_status b)
{
    return lc_status_rank(a) > lc_status_rank(b);
}

static int lc_fstreq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The host part of a target "host:port" (or the target), in buf. */
static const char *lc_ftarget_host(const char *target, char *buf, size_t len)
{
    const char *colon;
    size_t n;

    if (target == NULL)
        return "";
    colon = strrchr(target, ':');
    n = colon != NULL && strchr(target, ':') == colon ? (size_t)(colon - target) : strlen(target);
    if (n >= len)
        n = len - 1;
    memcpy(buf, target, n);
    buf[n] = '\0';
    return buf;
}

static long lc_ftarget_port(const char *target)
{
    const char *colon = target != NULL ? strrchr(target, ':') : NULL;
    char *end;
    long p;

    if (colon == NULL || strchr(target, ':') != colon)
        return 0;
    p = strtol(colon + 1, &end, 10);
    return *end == '\0' && p > 0 && p < 65536 ? p : 0;
}

static const char *lc_fjstr(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* Does the site JSON's role (a string, an {fqdn} object or an array of
 * names) name host? */
static int lc_fsite_has(const struct lc_report *report, const char *role, const char *host)
{
    const json_t *v = report->site != NULL ? json_object_get(report->site, role) : NULL;
    const json_t *e;
    size_t i;

    if (v == NULL || host == NULL || *host == '\0')
        return 0;
    if (json_is_string(v))
        return strcasecmp(json_string_value(v), host) == 0;
    if (json_is_object(v))
        return lc_fjstr(v, "fqdn") != NULL && strcasecmp(lc_fjstr(v, "fqdn"), host) == 0;
    json_array_foreach(v, i, e)
    {
        if (json_is_string(e) && strcasecmp(json_string_value(e), host) == 0)
            return 1;
    }
    return 0;
}

static const char *lc_fsite_first(const struct lc_report *report, const char *role)
{
    const json_t *v = report->site != NULL ? json_object_get(report->site, role) : NULL;

    if (json_is_array(v))
        return json_string_value(json_array_get(v, 0));
    if (json_is_object(v))
        return lc_fjstr(v, "fqdn");
    return json_string_value(v);
}

/* ---- who is affected ---- */

static const struct {
    const char *probe, *what, *impact;
} lc_fimpacts[] = {
    {"web", "discover", "sign-in discovery (autodiscover)"},
    {"web", "discover-xml", "sign-in discovery (autodiscover)"},
    {"web", "discover-http", "mobile clients"},
    {"web", "links", "mobile clients"},
    {"web", "user", "sign-in discovery (autodiscover)"},
    {"web", "webticket", "external sign-in"},
    {"web", "webticket-mex", "external sign-in"},
    {"web", "certprov", "external sign-in"},
    {"web", "certprov-mex", "external sign-in"},
    {"web", "abs", "address book"},
    {"web", "groupexpansion", "address book"},
    {"web", "rgs", "response group agents"},
    {"web", "ucdevice", "IP phones"},
    {"web", "mcx", "mobile clients"},
    {"web", "ucwa", "mobile clients"},
    {"web", "oauthtoken", "mobile clients"},
    {"web", "xframe", "web and mobile clients"},
    {"web", "meet", "meetings"},
    {"web", "dialin", "dial-in conferencing"},
    {"web", "scheduler", "meeting scheduling"},
    {"web", "internal-dirs", "security (internal directories exposed)"},
    {"dns", "internal-leak", "mobile clients"},
    {"dns", "lyncdiscover-cname", "mobile clients"},
    {"stun", NULL, "A/V across the internet"},
    {"xmpp", NULL, "XMPP federation"},
    {"revocation", NULL, "clients checking certificate revocation"},
};

const char *lc_finding_impact_of(const struct lc_report *report, const struct lc_result *r)
{
    char hostbuf[256];
    const char *host;
    long port;
    size_t i;

    for (i = 0; i < sizeof(lc_fimpacts) / sizeof(lc_fimpacts[0]); i++) {
        if (lc_fstreq(lc_fimpacts[i].probe, r->probe) &&
            (lc_fimpacts[i].what == NULL || lc_fstreq(lc_fimpacts[i].what, r->what)))
            return lc_fimpacts[i].impact;
    }
    if (lc_fstreq(r->probe, "port") &&
        (lc_fstreq(r->what, "tcp-range") || lc_fstreq(r->what, "udp-range")))
        return "A/V across the internet";
    if (lc_fstreq(r->probe, "dns") && lc_fstreq(r->what, "srv") && r->target != NULL) {
        if (strncmp(r->target, "_sipfederationtls.", 18) == 0)
            return "federation";
        if (strncmp(r->target, "_xmpp-server.", 13) == 0)
            return "XMPP federation";
        return "external sign-in";
    }
    host = lc_ftarget_host(r->target, hostbuf, sizeof(hostbuf));
    port = lc_ftarget_port(r->target);
    if (strncmp(host, "lyncdiscover.", 13) == 0)
        return "mobile clients";
    if (lc_fsite_has(report, "access_edge", host) || strncmp(host, "sip.", 4) == 0)
        return port == 5061 ? "federation" : "external sign-in";
    if (lc_fsite_has(report, "webconf_edge", host))
        return "meetings";
    if (lc_fsite_has(report, "av_edge", host))
        return "A/V across the internet";
    if (lc_fsite_has(report, "meet", host))
        return "meetings";
    if (lc_fsite_has(report, "dialin", host))
        return "dial-in conferencing";
    if (lc_fsite_has(report, "owa", host))
        return "presentations in meetings (Office Web Apps)";
    if (lc_fsite_has(report, "web_external", host) ||
        lc_fsite_has(report, "director_web_external", host))
        return "external web services (sign-in, address book, mobile clients)";
    if (lc_fstreq(r->probe, "sip"))
        return port == 5061 ? "federation" : "external sign-in";
    return "external access";
}

/* ---- what one web check saw ---- */

struct lc_fweb {
    const char *diag;     /* backend-down, unpublished, ... or NULL */
    long status;          /* the last HTTP status, 0 none */
    const char *address;  /* where the last request went */
    const char *error;    /* the last transfer error */
    const char *fqdn;     /* X-MS-Server-Fqdn of the last answer */
    const char *upstream; /* the backend the probe says the proxy used */
    long port;
};

static void lc_fweb_read(const struct lc_result *r, struct lc_fweb *w)
{
    const json_t *addrs = json_object_get(r->evidence, "addresses"), *a, *last = NULL;
    const char *k, *m = r->message != NULL ? r->message : "";
    const char *url;

    memset(w, 0, sizeof(*w));
    w->port = json_integer_value(json_object_get(r->evidence, "port"));
    w->upstream = lc_fjstr(r->evidence, "upstream");
    json_object_foreach(lc_json_mut(addrs), k, a)
    {
        const json_t *tr = json_object_get(a, "transcript");
        size_t n = json_array_size(tr);
        if (n > 0) {
            last = json_array_get(tr, n - 1);
            break;
        }
    }
    if (last != NULL) {
        w->status = (long)json_integer_value(json_object_get(last, "status"));
        w->address = lc_fjstr(last, "address");
        w->error = lc_fjstr(last, "error");
        w->fqdn = lc_fjstr(json_object_get(last, "headers"), "x_ms_server_fqdn");
        url = lc_fjstr(last, "url");
        if (w->port == 0 && url != NULL)
            w->port = strncmp(url, "http://", 7) == 0 ? 80 : 443;
    }
    if (w->port == 0)
        w->port = 443;
    /* A diagnosis word the probe recorded wins; else the verdict's own
     * wording (src/web.c, lc_web_judge), which names the rule at fault. */
    w->diag = lc_fjstr(r->evidence, "diagnosis");
    if (w->diag != NULL)
        return;
    if (strstr(m, "could not get an answer from the backend") != NULL)
        w->diag = "backend-down";
    else if (strstr(m, "answers 404: path not published") != NULL)
        w->diag = "unpublished";
    else if (strstr(m, "the reverse proxy's own challenge") != NULL ||
             strstr(m, "login form: pre-authentication") != NULL)
        w->diag = "preauth";
    else if (strstr(m, "401 with no challenge") != NULL)
        w->diag = "no-challenge";
    else if (strstr(m, "but not the Lync / Skype for Business") != NULL)
        w->diag = "wrong-site";
    else if (strstr(m, ": TLS with ") != NULL)
        w->diag = "tls";
    else if (strstr(m, "no connection to ") != NULL)
        w->diag = "connect";
    if (w->status == 0 && w->diag != NULL && strcmp(w->diag, "backend-down") == 0) {
        const char *p = strstr(m, " answers ");
        if (p != NULL)
            w->status = strtol(p + 9, NULL, 10);
    }
}

/* ---- tokens ---- */

/* The slot of (cls, key) in the token index: where it is, or the empty
 * slot where it goes. */
static size_t lc_ftoken_slot(const struct lc_fctx *c, enum lc_fclass cls, const char *key)
{
    size_t m = c->tok_ix_cap - 1, h = lc_fhash(key, (unsigned)cls) & m;

    while (c->tok_ix[h] != 0) {
        const struct lc_ftoken *o = &c->tokens[c->tok_ix[h] - 1];
        if (o->cls == cls && strcmp(o->key, key) == 0)
            break;
        h = (h + 1) & m;
    }
    return h;
}

/* Make room for one more token in the index: 0, or -1 out of memory. */
static int lc_ftoken_ix_grow(struct lc_fctx *c)
{
    size_t cap = c->tok_ix_cap ? c->tok_ix_cap * 2 : 64, *old = c->tok_ix, old_cap = c->tok_ix_cap;

    if (2 * (c->n_tokens + 1) <= c->tok_ix_cap)
        return 0;
    c->tok_ix = calloc(cap, sizeof(*c->tok_ix));
    if (c->tok_ix == NULL) {
        c->tok_ix = old;
        return -1;
    }
    c->tok_ix_cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i] != 0) {
            const struct lc_ftoken *o = &c->tokens[old[i] - 1];
            c->tok_ix[lc_ftoken_slot(c, o->cls, o->key)] = old[i];
        }
    free(old);
    return 0;
}

static int lc_ftoken_add(struct lc_fctx *c, size_t item, enum lc_fclass cls, const char *key)
{
    size_t t, slot;

    if (lc_ftoken_ix_grow(c) < 0)
        return -1;
    slot = lc_ftoken_slot(c, cls, key);
    t = c->tok_ix[slot] != 0 ? c->tok_ix[slot] - 1 : c->n_tokens;
    if (t == c->n_tokens) {
        if (c->n_tokens == c->cap_tokens) {
            size_t cap = c->cap_tokens ? c->cap_tokens * 2 : 32;
            struct lc_ftoken *p = realloc(c->tokens, cap * sizeof(*p));
            if (p == NULL)
                return -1;
            c->tokens = p;
            c->cap_tokens = cap;
        }
        c->tokens[t].key = strdup(key);
        if (c->tokens[t].key == NULL)
            return -1;
        c->tokens[t].cls = cls;
        c->tokens[t].uses = 0;
        c->tokens[t].conn = 0;
        c->n_tokens++;
        c->tok_ix[slot] = t + 1;
    }
    c->last = t;
    /* Items are tokenised one after the other (lc_findings_build): an
     * item's links are the last ones. */
    for (size_t l = c->n_links; l > 0 && c->tok_of[2 * (l - 1)] == item; l--)
        if (c->tok_of[2 * (l - 1) + 1] == t)
            return 0;
    if (c->n_links == c->cap_links) {
        size_t cap = c->cap_links ? c->cap_links * 2 : 64;
        size_t *p = realloc(c->tok_of, cap * 2 * sizeof(*p));
        if (p == NULL)
            return -1;
        c->tok_of = p;
        c->cap_links = cap;
    }
    c->tok_of[2 * c->n_links] = item;
    c->tok_of[2 * c->n_links + 1] = t;
    c->n_links++;
    c->tokens[t].uses++;
    return 0;
}

static int lc_ftoken_addf(struct lc_fctx *c, size_t item, enum lc_fclass cls, const char *a,
                          const char *b, long port)
{
    char small[256], *key = small;
    int n = port > 0 ? snprintf(small, sizeof(small), "%s%s:%ld", a, b, port)
                     : snprintf(small, sizeof(small), "%s%s", a, b);
    int rc;

    if (n < 0)
        return -1;
    /* A long name or id gets a key of its own length: never truncated, so
     * two long ids can never share a finding by accident. */
    if ((size_t)n >= sizeof(small)) {
        key = malloc((size_t)n + 1);
        if (key == NULL)
            return -1;
        if (port > 0)
            snprintf(key, (size_t)n + 1, "%s%s:%ld", a, b, port);
        else
            snprintf(key, (size_t)n + 1, "%s%s", a, b);
    }
    rc = lc_ftoken_add(c, item, cls, key);
    if (key != small)
        free(key);
    return rc;
}

/* What a connection error's words say: a timeout is a firewall dropping
 * the packets, a refusal is nothing listening (the port probe's own
 * "filtered" / "closed" / "unreachable" states are taken as they are). */
static int lc_fconn_state(const char *s)
{
    if (s == NULL)
        return 0;
    if (strcmp(s, "filtered") == 0 || strstr(s, "timed out") != NULL ||
        strstr(s, "Timeout") != NULL)
        return LC_FCONN_FILTERED;
    if (strcmp(s, "closed") == 0 || strstr(s, "refused") != NULL ||
        strstr(s, "Couldn't connect") != NULL)
        return LC_FCONN_CLOSED;
    if (strstr(s, "nreachable") != NULL)
        return LC_FCONN_UNREACHABLE;
    return 0;
}

/* Addresses a connection-level error names: per-address evidence
 * ({"addresses": {addr: {"error": ...}}, "port": n}). */
static int lc_ftokens_conn(struct lc_fctx *c, size_t item, const struct lc_result *r)
{
    const json_t *addrs = json_object_get(r->evidence, "addresses"), *a, *off, *e;
    long port = (long)json_integer_value(json_object_get(r->evidence, "port"));
    const char *k;
    size_t i;
    int n = 0;

    if (lc_fstreq(r->probe, "port") && lc_fstreq(r->what, "tcp")) {
        off = json_object_get(r->evidence, "offending");
        json_array_foreach(off, i, e)
        {
            const char *addr = lc_fjstr(e, "address"), *state = lc_fjstr(e, "state");
            long p = (long)json_integer_value(json_object_get(e, "port"));
            if (addr == NULL || p <= 0 || state == NULL || strcmp(state, "open") == 0)
                continue;
            if (lc_ftoken_addf(c, item, LC_FC_CONN, "conn:", addr, p) < 0)
                return -1;
            c->tokens[c->last].conn |= lc_fconn_state(state);
            n++;
        }
        return n;
    }
    if (port <= 0)
        port = lc_ftarget_port(r->target);
    if (port <= 0 || lc_fstreq(r->probe, "web"))
        return 0;
    json_object_foreach(lc_json_mut(addrs), k, a)
    {
        const char *err = lc_fjstr(a, "error");
        if (err == NULL || (strstr(err, "connect") == NULL && strstr(err, "unreachable") == NULL))
            continue;
        if (lc_ftoken_addf(c, item, LC_FC_CONN, "conn:", k, port) < 0)
            return -1;
        c->tokens[c->last].conn |= lc_fconn_state(err);
        n++;
    }
    return n;
}

/* The certificates a tls check blames: those marked failing in its
 * evidence, or every one it names when none is marked. */
static int lc_ftokens_cert(struct lc_fctx *c, size_t item, const struct lc_result *r)
{
    const json_t *certs = json_object_get(r->evidence, "certificates"), *v;
    const char *k;
    int n = 0, pass;

    for (pass = 0; pass < 2 && n == 0; pass++) {
        json_object_foreach(lc_json_mut(certs), k, v)
        {
            const char *st = lc_fjstr(v, "status");
            if (pass == 0 && (st == NULL || strcmp(st, "pass") == 0 || strcmp(st, "skip") == 0))
                continue;
            if (lc_ftoken_addf(c, item, LC_FC_CERT, "cert:", k, 0) < 0)
                return -1;
            n++;
        }
    }
    return n;
}

/* The backend pool the proxy sends a host to, as far as the site says:
 * the upstream the probe recorded, X-MS-Server-Fqdn when the answer
 * carried it, a Director or Front End
 * pool's external web FQDN, lyncdiscover to the Director when there is one
 * ("Configuration requirements for the reverse proxy", Lync Server 2013:
 * autodiscover is published to the Director pool when one is deployed),
 * else the host itself. */
static const char *lc_fbackend_pool(const struct lc_report *report, const char *host,
                                    const struct lc_fweb *w)
{
    const char *dir = lc_fsite_first(report, "director_web_external");

    if (w->upstream != NULL && *w->upstream != '\0')
        return w->upstream;
    if (w->fqdn != NULL && *w->fqdn != '\0')
        return w->fqdn;
    if (lc_fsite_has(report, "director_web_external", host) ||
        lc_fsite_has(report, "web_external", host))
        return host;
    if (strncmp(host, "lyncdiscover.", 13) == 0) {
        if (dir != NULL)
            return dir;
        if (lc_fsite_first(report, "web_external") != NULL)
            return lc_fsite_first(report, "web_external");
    }
    return host;
}

static int lc_ftokens_web(struct lc_fctx *c, size_t item, const struct lc_result *r)
{
    struct lc_fweb w;
    char hostbuf[256], key[300];
    const char *host = lc_fjstr(r->evidence, "host");

    if (host == NULL)
        host = lc_ftarget_host(r->target, hostbuf, sizeof(hostbuf));
    lc_fweb_read(r, &w);
    if (w.diag == NULL)
        return 0;
    if (strcmp(w.diag, "backend-down") == 0)
        return lc_ftoken_addf(c, item, LC_FC_BACKEND,
                              "backend:", lc_fbackend_pool(c->report, host, &w), 0) < 0
                   ? -1
                   : 1;
    if (strcmp(w.diag, "connect") == 0) {
        if (w.address == NULL)
            return 0;
        if (lc_ftoken_addf(c, item, LC_FC_CONN, "conn:", w.address, w.port) < 0)
            return -1;
        c->tokens[c->last].conn |= lc_fconn_state(w.error);
        return 1;
    }
    if (strcmp(w.diag, "tls") == 0)
        return 0; /* linked to its listener's tls.name check */
    if (snprintf(key, sizeof(key), "web:%s:", w.diag) >= (int)sizeof(key))
        return 0;
    return lc_ftoken_addf(c, item, LC_FC_WEB, key, host, 0) < 0 ? -1 : 1;
}

static int lc_ftokens_of(struct lc_fctx *c, size_t item)
{
    const struct lc_result *r = c->items[item];
    const char *rec;
    int n = 0;

    if (lc_fstreq(r->probe, "dns")) {
        rec = lc_fjstr(r->evidence, "record");
        if (rec == NULL)
            rec = lc_fjstr(r->evidence, "name");
        if (rec == NULL)
            rec = r->target;
        n = lc_ftoken_addf(c, item, LC_FC_DNS, "dns:", rec != NULL ? rec : "", 0) < 0 ? -1 : 1;
    } else if (lc_fstreq(r->probe, "web")) {
        n = lc_ftokens_web(c, item, r);
    } else {
        n = lc_ftokens_conn(c, item, r);
        if (n == 0 && lc_fstreq(r->probe, "tls"))
            n = lc_ftokens_cert(c, item, r);
    }
    if (n < 0)
        return -1;
    /* Always its own token too: a check alone is a finding of its own. */
    return lc_ftoken_addf(c, item, LC_FC_CHECK, "check:", r->id, 0);
}

/* ---- union-find ---- */

static size_t lc_ffind(struct lc_fctx *c, size_t x)
{
    while (c->parent[x] != x) {
        c->parent[x] = c->parent[c->parent[x]];
        x = c->parent[x];
    }
    return x;
}

static void lc_funion(struct lc_fctx *c, size_t a, size_t b)
{
    a = lc_ffind(c, a);
    b = lc_ffind(c, b);
    /* The smaller index is the root: components keep report order. */
    if (a < b)
        c->parent[b] = a;
    else if (b < a)
        c->parent[a] = b;
}

/* The index of the items by id (built once they are all known): 0, or -1
 * out of memory. The first of equal ids wins, as a search in order would. */
static int lc_fitem_index(struct lc_fctx *c)
{
    if (lc_fidmap_init(&c->item_ix, c->n_items) < 0)
        return -1;
    for (size_t i = 0; i < c->n_items; i++)
        lc_fidmap_put(&c->item_ix, c->items[i]->id, i);
    return 0;
}

static long lc_fitem_by_id(const struct lc_fctx *c, const char *id)
{
    return lc_fidmap_get(&c->item_ix, id);
}

/* ---- building one finding ---- */

static void lc_fjson_add_unique(json_t *arr, const char *s)
{
    const json_t *e;
    size_t i;

    if (s == NULL || arr == NULL)
        return;
    json_array_foreach(arr, i, e)
    {
        if (lc_fstreq(json_string_value(e), s))
            return;
    }
    json_array_append_new(arr, json_string(s));
}

static void lc_fsb_join(struct lc_sb *b, const json_t *arr, size_t max)
{
    const json_t *e;
    size_t i;

    json_array_foreach(arr, i, e)
    {
        if (i == max) {
            lc_sb_add(b, " and ");
            lc_sb_num(b, (long long)(json_array_size(arr) - max));
            lc_sb_add(b, " more");
            break;
        }
        if (i > 0)
            lc_sb_add(b, ", ");
        if (json_is_string(e))
            lc_sb_add(b, json_string_value(e));
        else
            lc_sb_num(b, (long long)json_integer_value(e));
    }
}

static const char *lc_fweb_diag_text(const char *diag)
{
    if (lc_fstreq(diag, "unpublished"))
        return "answers 404: the paths are not published on the reverse proxy";
    if (lc_fstreq(diag, "no-challenge"))
        return "answers 401 without a challenge: the reverse proxy strips WWW-Authenticate";
    if (lc_fstreq(diag, "preauth"))
        return "answers with the reverse proxy's own sign-in: pre-authentication on the proxy";
    if (lc_fstreq(diag, "wrong-site"))
        return "is served by another site than Lync's: the reverse proxy sends this host name "
               "elsewhere";
    return "answers wrongly through the reverse proxy";
}

/* Cause, fix and evidence for the component whose key token is t. */
/* root_of: each item's component (its smallest item index); root: f's. */
static int lc_ffill(struct lc_fctx *c, struct lc_finding *f, const struct lc_ftoken *t,
                    const size_t *root_of, size_t root)
{
    struct lc_sb cause = {0}, fix = {0}, impact = {0};
    json_t *ev = json_object(), *list = json_array(), *list2 = json_array();
    const struct lc_result *first = f->checks[0];
    const char *diag = NULL, *kindfix = NULL;
    size_t i;
    int rc = -1;

    if (ev == NULL || list == NULL || list2 == NULL)
        goto done;
    json_object_set_new(ev, "key", json_string(t->key));
    json_object_set_new(ev, "class", json_string(lc_fclass_names[t->cls]));
    switch (t->cls) {
    case LC_FC_DNS: {
        const char *rec = t->key + 4, *m = first->message != NULL ? first->message : "";
        for (i = 0; i < f->n_checks; i++)
            if (lc_fstreq(f->checks[i]->probe, "dns")) {
                first = f->checks[i];
                m = first->message != NULL ? first->message : "";
                break;
            }
        json_object_set_new(ev, "record", json_string(rec));
        lc_sb_add(&cause, "DNS record ");
        if (strncmp(m, rec, strlen(rec)) != 0) {
            lc_sb_add(&cause, rec);
            lc_sb_add(&cause, ": ");
        }
        lc_sb_add(&cause, m);
        kindfix = lc_fix_for(first->probe, first->what);
        break;
    }
    case LC_FC_CONN: {
        int filtered = 0, closed = 0, unreachable = 0;
        /* Every address:port of the component, and what answered. */
        for (i = 0; i < c->n_links; i++) {
            size_t item = c->tok_of[2 * i];
            const struct lc_ftoken *o = &c->tokens[c->tok_of[2 * i + 1]];
            if (o->cls != LC_FC_CONN || root_of[item] != root)
                continue; /* another finding's */
            lc_fjson_add_unique(list, o->key + 5);
            filtered |= (o->conn & LC_FCONN_FILTERED) != 0;
            closed |= (o->conn & LC_FCONN_CLOSED) != 0;
            unreachable |= (o->conn & LC_FCONN_UNREACHABLE) != 0;
        }
        json_object_set_new(ev, "addresses", json_incref(list));
        lc_sb_add(&cause, "Nothing answers on ");
        lc_fsb_join(&cause, list, 6);
        if (filtered && closed)
            lc_sb_add(&cause, " from outside: connections time out (filtered by a firewall) "
                              "or are refused (nothing listens)");
        else if (filtered)
            lc_sb_add(&cause, " from outside: the connection times out (filtered by a firewall)");
        else if (closed)
            lc_sb_add(&cause, " from outside: the connection is refused (nothing listens)");
        else if (unreachable)
            lc_sb_add(&cause, " from outside: the address is unreachable");
        else
            lc_sb_add(&cause, " from outside");
        diag = filtered ? "port-filtered" : closed ? "port-closed" : "port-filtered";
        json_object_set_new(ev, "diagnosis", json_string(diag));
        break;
    }
    case LC_FC_CERT: {
        const char *sha = t->key + 5;
        const json_t *cert = NULL;
        long long days = 0;
        int have_days = 0;
        for (i = 0; i < f->n_checks; i++) {
            const struct lc_result *r = f->checks[i];
            const json_t *e = json_object_get(json_object_get(r->evidence, "certificates"), sha);
            const json_t *miss = json_object_get(e, "missing"), *m;
            char hostbuf[256];
            size_t k;
            if (e != NULL && cert == NULL)
                cert = json_object_get(e, "certificate");
            json_array_foreach(miss, k, m) lc_fjson_add_unique(list, json_string_value(m));
            if (lc_fstreq(r->probe, "tls") && lc_fstreq(r->what, "name") &&
                lc_result_status(r) == LC_FAIL && e != NULL)
                lc_fjson_add_unique(list, lc_ftarget_host(r->target, hostbuf, sizeof(hostbuf)));
            if (e != NULL)
                lc_fjson_add_unique(list2, r->target);
            if (lc_fstreq(r->what, "validity") &&
                json_is_integer(json_object_get(cert, "days_left"))) {
                days = json_integer_value(json_object_get(cert, "days_left"));
                have_days = 1;
            }
        }
        json_object_set_new(ev, "fingerprint", json_string(sha));
        if (lc_fjstr(cert, "subject") != NULL)
            json_object_set_new(ev, "subject", json_string(lc_fjstr(cert, "subject")));
        if (lc_fjstr(cert, "not_after") != NULL)
            json_object_set_new(ev, "not_after", json_string(lc_fjstr(cert, "not_after")));
        json_object_set_new(ev, "listeners", json_incref(list2));
        lc_sb_add(&cause, "The certificate ");
        if (lc_fjstr(cert, "subject") != NULL) {
            lc_sb_add(&cause, lc_fjstr(cert, "subject"));
            lc_sb_add(&cause, " ");
        }
        lc_sb_add(&cause, "(SHA-256 ");
        lc_sb_addn(&cause, sha, strlen(sha) < 16 ? strlen(sha) : 16);
        lc_sb_add(&cause, "...) ");
        if (json_array_size(list) > 0) {
            json_object_set_new(ev, "missing_names", json_incref(list));
            lc_sb_add(&cause, json_array_size(list) == 1 ? "lacks the name " : "lacks the names ");
            lc_fsb_join(&cause, list, 8);
            diag = "cert-names";
        } else if (have_days && days < 0) {
            lc_sb_add(&cause, "expired on ");
            lc_sb_add(&cause, lc_fjstr(cert, "not_after"));
            diag = "cert-expired";
        } else {
            lc_sb_add(&cause, "is at fault: ");
            lc_sb_add(&cause, first->message);
            kindfix = lc_fix_for(first->probe, first->what);
        }
        if (json_array_size(list2) > 0) {
            lc_sb_add(&cause, " (presented on ");
            lc_fsb_join(&cause, list2, 4);
            lc_sb_add(&cause, ")");
        }
        break;
    }
    case LC_FC_BACKEND: {
        const char *pool = t->key + 8, *via = NULL;
        for (i = 0; i < f->n_checks; i++) {
            struct lc_fweb w;
            char hostbuf[256];
            const char *host = lc_fjstr(f->checks[i]->evidence, "host");
            if (!lc_fstreq(f->checks[i]->probe, "web"))
                continue;
            lc_fweb_read(f->checks[i], &w);
            if (!lc_fstreq(w.diag, "backend-down"))
                continue;
            if (host == NULL)
                host = lc_ftarget_host(f->checks[i]->target, hostbuf, sizeof(hostbuf));
            lc_fjson_add_unique(list, host);
            if (w.status > 0) {
                char num[24];
                snprintf(num, sizeof(num), "%ld", w.status);
                lc_fjson_add_unique(list2, num);
            }
            if (via == NULL)
                via = w.address;
        }
        json_object_set_new(ev, "backend", json_string(pool));
        json_object_set_new(ev, "hosts", json_incref(list));
        json_object_set_new(ev, "statuses", json_incref(list2));
        if (via != NULL)
            json_object_set_new(ev, "proxy_address", json_string(via));
        lc_sb_add(&cause, "The reverse proxy");
        if (via != NULL) {
            lc_sb_add(&cause, " (");
            lc_sb_add(&cause, via);
            lc_sb_add(&cause, ")");
        }
        lc_sb_add(&cause, " cannot reach ");
        if (lc_fsite_has(c->report, "director_web_external", pool))
            lc_sb_add(&cause, "the Director pool's external web site (");
        else if (lc_fsite_has(c->report, "web_external", pool))
            lc_sb_add(&cause, "the Front End pool's external web site (");
        else
            lc_sb_add(&cause, "the backend web site (");
        lc_sb_add(&cause, pool);
        lc_sb_add(&cause, ", HTTPS 4443): it answers ");
        lc_fsb_join(&cause, list2, 4);
        lc_sb_add(&cause, " for ");
        lc_fsb_join(&cause, list, 6);
        diag = "backend-down";
        break;
    }
    case LC_FC_WEB: {
        /* "web:<diag>:<host>" */
        const char *d = t->key + 4, *colon = strchr(d, ':');
        char word[32];
        size_t n = colon != NULL ? (size_t)(colon - d) : 0;
        if (n >= sizeof(word))
            n = 0;
        memcpy(word, d, n);
        word[n] = '\0';
        for (i = 0; i < f->n_checks; i++) {
            const char *m = f->checks[i]->message, *sp;
            if (!lc_fstreq(f->checks[i]->probe, "web") || m == NULL)
                continue;
            sp = strchr(m, ' ');
            if (m[0] == '/' && sp != NULL && (size_t)(sp - m) < 200) {
                char path[200];
                memcpy(path, m, (size_t)(sp - m));
                path[sp - m] = '\0';
                lc_fjson_add_unique(list, path);
            }
        }
        json_object_set_new(ev, "host", json_string(colon != NULL ? colon + 1 : ""));
        json_object_set_new(ev, "paths", json_incref(list));
        json_object_set_new(ev, "diagnosis", json_string(word));
        lc_sb_add(&cause, colon != NULL ? colon + 1 : "");
        lc_sb_add(&cause, " ");
        lc_sb_add(&cause, lc_fweb_diag_text(word));
        if (json_array_size(list) > 0) {
            lc_sb_add(&cause, " (");
            lc_fsb_join(&cause, list, 6);
            lc_sb_add(&cause, ")");
        }
        diag = lc_fix_for_diagnosis(word) != NULL ? word : NULL;
        if (diag == NULL)
            kindfix = lc_fix_for(first->probe, first->what);
        if (diag != NULL) {
            /* the static word: lc_fix_for_diagnosis keeps its own copy */
            const char *fx = lc_fix_for_diagnosis(word);
            lc_sb_add(&fix, fx);
            diag = NULL;
            json_object_set_new(ev, "diagnosis", json_string(word));
        }
        break;
    }
    case LC_FC_CHECK:
    default: {
        struct lc_fweb w;
        lc_sb_add(&cause, first->message);
        /* The diagnosis word the probe recorded names the fix (web's from
         * its wording too; signin.register's and the other probes' from
         * evidence.diagnosis). */
        if (lc_fstreq(first->probe, "web")) {
            lc_fweb_read(first, &w);
        } else {
            memset(&w, 0, sizeof(w));
            w.diag = lc_fjstr(first->evidence, "diagnosis");
        }
        if (w.diag != NULL && lc_fix_for_diagnosis(w.diag) != NULL)
            kindfix = lc_fix_for_diagnosis(w.diag);
        if (kindfix == NULL)
            kindfix = lc_fix_for(first->probe, first->what);
        break;
    }
    }
    if (diag != NULL) {
        json_object_set_new(ev, "diagnosis", json_string(diag));
        lc_sb_add(&fix, lc_fix_for_diagnosis(diag));
        if (t->cls == LC_FC_CERT && strcmp(diag, "cert-names") == 0) {
            lc_sb_add(&fix, " Missing: ");
            lc_fsb_join(&fix, list, 20);
            lc_sb_add(&fix, ".");
        }
    } else if (kindfix != NULL) {
        lc_sb_add(&fix, kindfix);
    }
    if (fix.s == NULL)
        lc_sb_add(&fix, "See the checks below and their references.");
    {
        json_t *seen = json_array();
        if (seen == NULL)
            goto done;
        for (i = 0; i < f->n_checks; i++)
            lc_fjson_add_unique(seen, lc_finding_impact_of(c->report, f->checks[i]));
        lc_fsb_join(&impact, seen, 20);
        json_decref(seen);
    }
    f->cause = lc_fsb_take(&cause, &c->oom);
    f->fix = lc_fsb_take(&fix, &c->oom);
    f->impact = lc_fsb_take(&impact, &c->oom);
    f->evidence = ev;
    ev = NULL;
    rc = f->cause != NULL && f->fix != NULL && f->impact != NULL ? 0 : -1;
done:
    free(cause.s);
    free(fix.s);
    free(impact.s);
    json_decref(ev);
    json_decref(list);
    json_decref(list2);
    return rc;
}

/* FNV-1a, 32 bits: a short id that stays the same while the cause does. */
static void lc_fid(const char *key, char id[16])
{
    uint32_t h = 2166136261u;

    for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++) {
        h ^= *p;
        h *= 16777619u;
    }
    snprintf(id, 16, "f-%08x", (unsigned)h);
}

static int lc_fcmp(const void *a, const void *b)
{
    const struct lc_finding *x = a, *y = b;
    int rx = lc_status_rank(x->severity), ry = lc_status_rank(y->severity);

    if (rx != ry)
        return ry - rx;
    if (x->n_checks != y->n_checks)
        return x->n_checks < y->n_checks ? 1 : -1;
    return strcmp(x->key, y->key);
}

/* lc_findings_of's index, once the findings are in their final order: the
 * HTML and JUnit reporters and the JSON report ask for every check (30,000
 * at 1,000 SIP domains), and each question walked every finding's checks. */
static int lc_findex_build(struct lc_findings *f)
{
    if (lc_fidmap_init(&f->ix, f->n_checks) < 0)
        return -1;
    for (size_t i = 0; i < f->n; i++)
        for (size_t k = 0; k < f->v[i].n_checks; k++)
            lc_fidmap_put(&f->ix, f->v[i].checks[k]->id, i);
    return 0;
}

int lc_findings_build(const struct lc_report *report, struct lc_findings **out)
{
    struct lc_fctx c;
    struct lc_findings *res = NULL;
    size_t i, k, n_nodes, *root_of = NULL, *fidx = NULL, *best = NULL;
    int rc = -1;

    memset(&c, 0, sizeof(c));
    c.report = report;
    *out = NULL;
    res = calloc(1, sizeof(*res));
    c.items =
        calloc(report != NULL && report->n_results > 0 ? report->n_results : 1, sizeof(*c.items));
    if (res == NULL || c.items == NULL)
        goto done;
    for (i = 0; report != NULL && report->results != NULL && i < report->n_results; i++)
        if (report->results[i] != NULL && lc_fstatus_problem(report->results[i]))
            c.items[c.n_items++] = report->results[i];
    for (i = 0; i < c.n_items; i++)
        if (lc_ftokens_of(&c, i) < 0)
            goto done;
    if (lc_fitem_index(&c) < 0)
        goto done;
    n_nodes = c.n_items + c.n_tokens;
    c.parent = calloc(n_nodes ? n_nodes : 1, sizeof(*c.parent));
    if (c.parent == NULL)
        goto done;
    for (i = 0; i < n_nodes; i++)
        c.parent[i] = i;
    for (i = 0; i < c.n_links; i++)
        lc_funion(&c, c.tok_of[2 * i], c.n_items + c.tok_of[2 * i + 1]);
    for (i = 0; i < c.n_items; i++) {
        const struct lc_result *r = c.items[i];
        /* A check joins the finding of a dependency that did not pass. */
        for (size_t d = 0; r->deps != NULL && d < r->n_deps; d++) {
            long j = lc_fitem_by_id(&c, r->deps[d]);
            if (j >= 0)
                lc_funion(&c, i, (size_t)j);
        }
        /* A web request whose TLS handshake failed joins the finding of
         * its listener's name check (the certificate at fault). */
        if (lc_fstreq(r->probe, "web")) {
            struct lc_fweb w;
            lc_fweb_read(r, &w);
            if (lc_fstreq(w.diag, "tls")) {
                char hostbuf[256], id[400];
                const char *host = lc_fjstr(r->evidence, "host");
                long j;
                if (host == NULL)
                    host = lc_ftarget_host(r->target, hostbuf, sizeof(hostbuf));
                snprintf(id, sizeof(id), "tls.name:%s:%ld", host, w.port);
                j = lc_fitem_by_id(&c, id);
                if (j < 0) {
                    snprintf(id, sizeof(id), "tls.handshake:%s:%ld", host, w.port);
                    j = lc_fitem_by_id(&c, id);
                }
                if (j >= 0)
                    lc_funion(&c, i, (size_t)j);
            }
        }
    }
    /* Group the items by component in passes over the items and tokens:
     * one array of checks per finding, sized to it (an array of every
     * problem per finding, and a walk of every item per finding, made the
     * 1,000-domain run quadratic: 1,002 findings x 8,003 problems, 64 MB). */
    res->v = calloc(c.n_items ? c.n_items : 1, sizeof(*res->v));
    root_of = calloc(c.n_items ? c.n_items : 1, sizeof(*root_of));
    fidx = calloc(c.n_items ? c.n_items : 1, sizeof(*fidx));
    best = calloc(c.n_items ? c.n_items : 1, sizeof(*best));
    if (res->v == NULL || root_of == NULL || fidx == NULL || best == NULL)
        goto done;
    for (i = 0; i < c.n_items; i++) {
        root_of[i] = lc_ffind(&c, i);
        /* roots are the smallest item index of a component: a root comes
         * before its members, so its finding exists when they are met. */
        if (root_of[i] == i) {
            fidx[i] = res->n;
            best[res->n] = SIZE_MAX;
            res->v[res->n].severity = LC_WARN;
            res->n++;
        }
        res->v[fidx[root_of[i]]].n_checks++;
    }
    for (k = 0; k < res->n; k++) {
        res->v[k].checks = calloc(res->v[k].n_checks, sizeof(*res->v[k].checks));
        if (res->v[k].checks == NULL)
            goto done;
        res->v[k].n_checks = 0;
    }
    for (i = 0; i < c.n_items; i++) {
        struct lc_finding *f = &res->v[fidx[root_of[i]]];
        f->checks[f->n_checks++] = c.items[i];
        res->n_checks++;
        if (lc_fworse(lc_result_status(c.items[i]), f->severity))
            f->severity = lc_result_status(c.items[i]);
    }
    /* The key: the most upstream class, then the token most checks share,
     * then the smallest key (deterministic). */
    for (k = 0; k < c.n_tokens; k++) {
        size_t root = lc_ffind(&c, c.n_items + k), *b;
        const struct lc_ftoken *t = &c.tokens[k], *o;
        if (root >= c.n_items)
            continue; /* tokens of no problem */
        b = &best[fidx[root]];
        if (*b == SIZE_MAX) {
            *b = k;
            continue;
        }
        o = &c.tokens[*b];
        if (t->cls < o->cls || (t->cls == o->cls && t->uses > o->uses) ||
            (t->cls == o->cls && t->uses == o->uses && strcmp(t->key, o->key) < 0))
            *b = k;
    }
    for (i = 0; i < c.n_items; i++) {
        struct lc_finding *f;
        if (root_of[i] != i)
            continue;
        k = fidx[i];
        f = &res->v[k];
        if (best[k] == SIZE_MAX)
            goto done;
        f->key = strdup(c.tokens[best[k]].key);
        if (f->key == NULL)
            goto done;
        lc_fid(f->key, f->id);
        if (lc_ffill(&c, f, &c.tokens[best[k]], root_of, i) < 0)
            goto done;
    }
    qsort(res->v, res->n, sizeof(*res->v), lc_fcmp);
    if (lc_findex_build(res) < 0)
        goto done;
    *out = res;
    res = NULL;
    rc = c.oom ? -1 : 0;
done:
    if (rc < 0 && *out != NULL) {
        lc_findings_free(*out);
        *out = NULL;
    }
    lc_findings_free(res);
    for (i = 0; i < c.n_tokens; i++)
        free(c.tokens[i].key);
    free(c.tokens);
    free(c.tok_ix);
    lc_fidmap_free(&c.item_ix);
    free(c.tok_of);
    free(c.parent);
    free(c.items);
    free(root_of);
    free(fidx);
    free(best);
    return rc;
}

void lc_findings_free(struct lc_findings *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].key);
        free(f->v[i].cause);
        free(f->v[i].fix);
        free(f->v[i].impact);
        json_decref(f->v[i].evidence);
        free(f->v[i].checks);
    }
    free(f->v);
    lc_fidmap_free(&f->ix);
    free(f);
}

const struct lc_finding *lc_findings_of(const struct lc_findings *f, const struct lc_result *r)
{
    if (f != NULL && r != NULL && r->id != NULL && f->ix.cap > 0) {
        long i = lc_fidmap_get(&f->ix, r->id);
        return i >= 0 ? &f->v[i] : NULL;
    }
    for (size_t i = 0; f != NULL && r != NULL && i < f->n; i++)
        for (size_t k = 0; k < f->v[i].n_checks; k++)
            if (f->v[i].checks[k] == r || lc_fstreq(f->v[i].checks[k]->id, r->id))
                return &f->v[i];
    return NULL;
}

const struct lc_findings *lc_report_findings(const struct lc_report *report,
                                             struct lc_findings **owned)
{
    *owned = NULL;
    if (report->findings != NULL)
        return report->findings;
    if (lc_findings_build(report, owned) < 0)
        return NULL;
    return *owned;
}

json_t *lc_findings_to_json(const struct lc_findings *f)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && f != NULL && i < f->n; i++) {
        const struct lc_finding *x = &f->v[i];
        json_t *o = json_object(), *checks = json_array();
        if (o == NULL || checks == NULL || json_array_append_new(arr, o) < 0) {
            json_decref(checks);
            json_decref(arr);
            return NULL;
        }
        for (size_t k = 0; k < x->n_checks; k++)
            json_array_append_new(checks, json_string(x->checks[k]->id));
        json_object_set_new(o, "id", json_string(x->id));
        json_object_set_new(o, "severity", json_string(lc_status_name(x->severity)));
        json_object_set_new(o, "cause", json_string(x->cause));
        json_object_set_new(o, "fix", json_string(x->fix));
        json_object_set_new(o, "impact", json_string(x->impact));
        json_object_set_new(o, "checks", checks);
        json_object_set_new(o, "evidence", json_deep_copy(x->evidence));
    }
    return arr;
}
