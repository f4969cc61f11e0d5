/* SPDX-License-Identifier: MIT */
/* lynccheck - the DNS probe: the external records a Lync / Skype for
 * Business deployment publishes, with Lync's domain-matching rules.
 *
 * Sources (Microsoft Learn; titles and addresses in probes/refs.h): "Edge
 *   Server environmental requirements in Skype for Business Server",
 *   "Advanced Edge Server DNS planning for Skype for Business Server", "DNS
 *   requirements for Skype for Business Server", "Create DNS records for
 *   reverse proxy servers in Lync Server 2013", "Planning for Lync Server 2013
 *   and Office Communications Server federation". The verdicts themselves
 *   are src/dnsjudge.c. */
#include "probe.h"

#include <ares.h>
#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "dns.h"
#include "dnsjudge.h"
#include "probes.h"
#include "refs.h"
#include "run.h"
#include "site.h"

#define REF_EDGE_A                                                                                 \
    "Edge external A records: access edge, webconf, A/V and sip.<domain> for every SIP domain. "   \
    "Source: " LC_DOC_EDGE_ENV
#define REF_RP_A                                                                                   \
    "Reverse proxy A records: external web services FQDNs, simple URLs, lyncdiscover.<domain>, "   \
    "Office Web Apps. Sources: " LC_DOC_RP_DNS "; " LC_DOC_SFB_DNS
#define REF_SIP_TLS                                                                                \
    "SRV _sip._tls.<domain> -> access edge, port 443, target within the SIP domain. "              \
    "Source: " LC_DOC_ADV_DNS
#define REF_FED                                                                                    \
    "SRV _sipfederationtls._tcp.<domain> -> access edge, port 5061; the target's domain must "     \
    "equal the SIP domain, else partners fail with ms-diagnostics 1009; also needed for push "     \
    "notifications. Sources: " LC_DOC_ADV_DNS "; " LC_DOC_CISCO_212383 "; " LC_DOC_FEDERATION
#define REF_XMPP                                                                                   \
    "SRV _xmpp-server._tcp.<domain> -> access edge, port 5269, where XMPP federation is used "     \
    "(Skype for Business Server 2015). Source: " LC_DOC_EDGE_ENV
#define REF_SRV_TARGET                                                                             \
    "SRV targets must resolve to the Access Edge's public addresses. Source: " LC_DOC_ADV_DNS
#define REF_EDGE_ADDR                                                                              \
    "sip.<domain> must reach the Access Edge; clients fall back to sip.<domain> without the SRV "  \
    "record. Sources: " LC_DOC_EDGE_ENV "; " LC_DOC_ADV_DNS
#define REF_LEAK                                                                                   \
    "lyncdiscoverinternal.<domain> belongs to internal DNS only. Sources: " LC_DOC_ADV_DNS         \
    "; " LC_DOC_MOBILITY
#define REF_CNAME                                                                                  \
    "A lyncdiscover CNAME into another domain fails over HTTPS for mobile clients; such sites "    \
    "need the HTTP 80 publishing rule. Source: " LC_DOC_MOBILITY

#define REF_ADDR                                                                                   \
    "A role given as an IP address is probed at that address without a DNS lookup; clients still " \
    "find it by name, so its certificate is judged against the names the role must carry. "        \
    "Sources: " LC_DOC_EDGE_ENV " (certificate planning); " LC_DOC_EDGE_CERT

/* ---- what a resolved name leaves for its dependents ---- */

struct lc_srv_data {
    struct lc_strv targets;
};

static void lc_srv_data_free(void *p)
{
    struct lc_srv_data *d = p;

    if (d == NULL)
        return;
    lc_strv_clear(&d->targets);
    free(d);
}

/* ---- resolving one name (A and AAAA together) ---- */

struct lc_resolve {
    char *name;
    int pending;
    int status_a, status_aaaa;
    int cname_loop;
    struct lc_dns_name data;
    struct lc_strv chain;
    void (*done)(struct lc_check *check, struct lc_resolve *r);
    struct lc_check *check;
    json_t *evidence; /* where this name's answers go (the check's, or a sub-object) */
};

static void lc_resolve_clear(struct lc_resolve *r)
{
    free(r->name);
    free(r->data.addrs);
    free(r->data.canonical);
    lc_strv_clear(&r->chain);
    memset(r, 0, sizeof(*r));
}

static json_t *lc_addrs_json(const struct lc_dns_answer *a)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr != NULL && i < a->n_addrs; i++)
        json_array_append_new(
            arr, json_pack("{s:s, s:i}", "address", a->addrs[i].text, "ttl", a->addrs[i].ttl));
    return arr;
}

static void lc_resolve_note_chain(struct lc_resolve *r, const struct lc_dns_answer *a)
{
    json_t *chain;
    size_t i;

    for (i = 0; i < a->n_cnames; i++)
        if (!lc_strv_contains(&r->chain, a->cnames[i]))
            lc_strv_push(&r->chain, a->cnames[i]);
    if (!lc_strv_contains(&r->chain, a->qname))
        lc_strv_push(&r->chain, a->qname);
    /* The end of the chain is the last canonical name seen. */
    free(r->data.canonical);
    r->data.canonical = strdup(a->canonical);
    chain = json_array();
    for (i = 0; chain != NULL && i < r->chain.n; i++)
        json_array_append_new(chain, json_string(r->chain.v[i]));
    json_object_set_new(r->evidence, "cname_chain", chain);
    json_object_set_new(r->evidence, "canonical", json_string(a->canonical));
}

static void lc_resolve_on_answer(const struct lc_dns_answer *a, void *arg)
{
    struct lc_resolve *r = arg;
    const char *key = a->type == ns_t_a ? "a" : "aaaa";
    char rkey[16];
    struct lc_dns_addr *grown;

    /* Late answers for a check that already ended (timeout, deadline) and
     * the resolver's own shutdown are ignored: the verdict is final. */
    if (r->check == NULL || lc_check_is_done(r->check))
        return;
    /* --resolve answered, not DNS: the evidence says so. */
    if (a->pinned)
        json_object_set_new(r->evidence, "pinned", json_true());
    if (a->canonical != NULL)
        lc_resolve_note_chain(r, a);
    /* A CNAME answered without its target's addresses: an authoritative
     * server (--dns-server pointed at the zone's own server) does not chase
     * names into other zones, so follow the chain ourselves. */
    if (a->n_addrs == 0 && a->canonical != NULL &&
        (a->status == ARES_SUCCESS || a->status == ARES_ENODATA)) {
        if (strcmp(a->canonical, r->name) == 0 || r->chain.n > LC_CNAME_MAX ||
            (lc_strv_contains(&r->chain, a->canonical) && strcmp(a->canonical, a->qname) != 0)) {
            r->cname_loop = 1;
        } else if (lc_dns_query(lc_check_dns(r->check), a->canonical, a->type, lc_resolve_on_answer,
                                r) == 0) {
            return; /* still pending: the answer for the target will come */
        }
    }
    snprintf(rkey, sizeof(rkey), "rcode_%s", key);
    json_object_set_new(r->evidence, rkey, json_string(lc_dns_status_name(a->status)));
    if (a->type == ns_t_a)
        r->status_a = a->status;
    else
        r->status_aaaa = a->status;
    if (a->n_addrs > 0) {
        json_object_set_new(r->evidence, key, lc_addrs_json(a));
        grown = realloc(r->data.addrs, (r->data.n_addrs + a->n_addrs) * sizeof(*grown));
        if (grown != NULL) {
            memcpy(grown + r->data.n_addrs, a->addrs, a->n_addrs * sizeof(*grown));
            r->data.addrs = grown;
            r->data.n_addrs += a->n_addrs;
        }
    }
    if (--r->pending == 0)
        r->done(r->check, r);
}

/* Start the A and AAAA queries; r->done runs once both have answered. */
static int lc_resolve_start(struct lc_check *check, struct lc_resolve *r, const char *name,
                            json_t *evidence, void (*done)(struct lc_check *, struct lc_resolve *))
{
    r->name = strdup(name);
    if (r->name == NULL)
        return -1;
    r->check = check;
    r->done = done;
    r->evidence = evidence;
    r->pending = 2;
    if (lc_dns_query(lc_check_dns(check), name, ns_t_a, lc_resolve_on_answer, r) < 0) {
        r->pending = 0;
        return -1;
    }
    if (lc_dns_query(lc_check_dns(check), name, ns_t_aaaa, lc_resolve_on_answer, r) < 0) {
        r->pending--; /* the A answer will still come; let it finish alone */
        return -1;
    }
    return 0;
}

/* The facts of one finished lookup, for the judges (src/dnsjudge.c). */
static struct lc_dns_lookup lc_resolve_facts(const struct lc_resolve *r)
{
    struct lc_dns_lookup l = {r->name,       r->status_a, r->status_aaaa,
                              r->cname_loop, &r->data,    &r->chain};

    return l;
}

static void lc_addr_list_text(const struct lc_dns_name *d, char *buf, size_t len)
{
    lc_dns_addr_list(d, buf, len);
}

/* ---- dns.a:<name> ---- */

struct lc_a_arg {
    char *name;
    struct lc_strv roles;
    struct lc_resolve r;
};

static void lc_a_arg_free(void *p)
{
    struct lc_a_arg *a = p;

    lc_strv_clear(&a->roles);
    lc_resolve_clear(&a->r);
    free(a->name);
    free(a);
}

/* 1 when a role that needs the name is reached from the internet; a name
 * with no role recorded counts as external (fail closed). */
static int lc_a_is_external(const struct lc_a_arg *a)
{
    size_t i;

    if (a == NULL || a->roles.n == 0)
        return 1;
    for (i = 0; i < a->roles.n; i++)
        if (lc_dns_role_is_external(a->roles.v[i]))
            return 1;
    return 0;
}

/* Drop the private addresses of an external name, listing them in the
 * evidence: the checks that connect take their addresses from this data
 * (lc_dns_dep_addrs), and a private address must never be probed. From
 * inside the LAN it would answer and PASS what the internet cannot reach;
 * dns.a has already failed naming the record. */
static void lc_a_drop_private(struct lc_dns_name *d, json_t *ev)
{
    json_t *arr = json_array();
    size_t i, kept = 0;

    for (i = 0; i < d->n_addrs; i++) {
        const char *range = lc_addr_private_range(d->addrs[i].text);
        if (range == NULL) {
            d->addrs[kept++] = d->addrs[i];
            continue;
        }
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "record",
                                             d->addrs[i].family == AF_INET6 ? "AAAA" : "A",
                                             "address", d->addrs[i].text, "range", range));
    }
    d->n_addrs = kept;
    if (json_array_size(arr) > 0)
        json_object_set_new(ev, "private_addresses", arr);
    else
        json_decref(arr);
}

/* A name that is, or leads to, one of Microsoft's well-known names for
 * domains homed in its cloud: its dependents get the provider's name as
 * the canonical name and no address. The checks that compare addresses
 * (dns.edge-address, dns.lyncdiscover-cname) judge the name; the ones that
 * connect end without input (lc_dns_dep_addrs), so nothing probes
 * Microsoft's servers against this deployment's expectations, and nothing
 * waits for a name the resolver cannot reach. */
static void lc_a_hosted(struct lc_check *check, const struct lc_hosted_target *h, enum lc_status st,
                        const char *msg)
{
    struct lc_dns_name *d = calloc(1, sizeof(*d));

    if (d == NULL || (d->canonical = strdup(h->fqdn)) == NULL) {
        free(d);
        lc_check_finish(check, LC_ERROR, "out of memory");
        return;
    }
    json_object_set_new(lc_check_evidence(check), "hosted",
                        json_pack("{s:s, s:s}", "target", h->fqdn, "cloud", h->cloud));
    lc_check_set_data(check, d, lc_dns_name_free);
    lc_check_finish(check, st, "%s", msg);
}

static void lc_a_done(struct lc_check *check, struct lc_resolve *r)
{
    struct lc_dns_lookup l = lc_resolve_facts(r);
    int external = lc_a_is_external(lc_check_start_arg(check));
    char msg[1024];
    enum lc_status st = lc_dns_judge_a(&l, external, msg, sizeof(msg));
    const struct lc_hosted_target *h = lc_dns_hosted_lookup(&l);
    struct lc_dns_name *d;

    if (h != NULL && st != LC_FAIL && st != LC_ERROR) {
        lc_a_hosted(check, h, st, msg);
        return;
    }
    if (lc_dns_lookup_outcome(&l) != 1) {
        lc_check_finish(check, st, "%s", msg);
        return;
    }
    /* Hand the addresses to dependent checks; the resolve state keeps none. */
    d = calloc(1, sizeof(*d));
    if (d == NULL) {
        lc_check_finish(check, LC_ERROR, "out of memory");
        return;
    }
    *d = r->data;
    memset(&r->data, 0, sizeof(r->data));
    if (external)
        lc_a_drop_private(d, lc_check_evidence(check));
    if (d->n_addrs > 0)
        lc_check_set_data(check, d, lc_dns_name_free);
    else
        lc_dns_name_free(d); /* nothing usable: dependents end with "no input" */
    lc_check_finish(check, st, "%s", msg);
}

/* --resolve pinned the name: the run uses the pinned addresses and DNS is
 * not asked. It passes as what it judged (the addresses every probe of the
 * name uses), says so in the message and evidence.pinned, and the report's
 * site object lists every pin. */
static void lc_a_pinned(struct lc_check *check, const char *name, const struct lc_dns_name *pin)
{
    struct lc_dns_name *d = calloc(1, sizeof(*d));
    json_t *ev = lc_check_evidence(check), *arr = json_array();
    char addrs[512];
    size_t i;

    if (d == NULL || arr == NULL || pin->n_addrs == 0 ||
        (d->addrs = calloc(pin->n_addrs, sizeof(*d->addrs))) == NULL) {
        free(d);
        json_decref(arr);
        lc_check_finish(check, LC_ERROR, "out of memory");
        return;
    }
    memcpy(d->addrs, pin->addrs, pin->n_addrs * sizeof(*d->addrs));
    d->n_addrs = pin->n_addrs;
    for (i = 0; i < d->n_addrs; i++)
        json_array_append_new(arr, json_string(d->addrs[i].text));
    json_object_set_new(ev, "pinned", json_true());
    json_object_set_new(ev, "pinned_addresses", arr);
    lc_check_set_data(check, d, lc_dns_name_free);
    lc_addr_list_text(d, addrs, sizeof(addrs));
    lc_check_finish(check, LC_PASS, "%s pinned by --resolve: %s (DNS not asked)", name, addrs);
}

static void lc_a_start(struct lc_check *check, void *arg)
{
    struct lc_a_arg *a = arg;
    json_t *roles = json_array();
    const struct lc_dns_name *pin;
    size_t i;

    for (i = 0; roles != NULL && i < a->roles.n; i++)
        json_array_append_new(roles, json_string(a->roles.v[i]));
    json_object_set_new(lc_check_evidence(check), "name", json_string(a->name));
    json_object_set_new(lc_check_evidence(check), "roles", roles);
    pin = lc_dns_pinned(lc_check_dns(check), a->name);
    if (pin != NULL) {
        lc_a_pinned(check, a->name, pin);
        return;
    }
    if (lc_resolve_start(check, &a->r, a->name, lc_check_evidence(check), lc_a_done) < 0)
        lc_check_finish(check, LC_ERROR, "out of memory");
}

/* ---- dns.srv:<record> ---- */

struct lc_srv_arg {
    char *record;
    char *domain;
    enum lc_srv_kind kind;
    unsigned port;
    struct lc_check *check;
};

static void lc_srv_arg_free(void *p)
{
    struct lc_srv_arg *a = p;

    free(a->record);
    free(a->domain);
    free(a);
}

static void lc_srv_on_answer(const struct lc_dns_answer *ans, void *arg)
{
    struct lc_srv_arg *a = arg;
    struct lc_check *check = a->check;
    struct lc_srv_rule rule = {a->record, a->domain, a->kind, a->port};
    json_t *ev, *records;
    struct lc_srv_data *data;
    char msg[1024];
    enum lc_status st;
    size_t i;
    int oom = 0;

    if (check == NULL || lc_check_is_done(check))
        return;
    ev = lc_check_evidence(check);
    json_object_set_new(ev, "rcode", json_string(lc_dns_status_name(ans->status)));
    st = lc_dns_judge_srv(&rule, ans->status, ans->srvs, ans->n_srvs, msg, sizeof(msg));
    if (ans->status != ARES_SUCCESS || ans->n_srvs == 0) {
        lc_check_finish(check, st, "%s", msg);
        return;
    }
    records = json_array();
    data = calloc(1, sizeof(*data));
    if (records == NULL || data == NULL) {
        json_decref(records);
        free(data);
        lc_check_finish(check, LC_ERROR, "out of memory");
        return;
    }
    for (i = 0; i < ans->n_srvs; i++) {
        const struct lc_dns_srv *s = &ans->srvs[i];
        json_array_append_new(records, json_pack("{s:i, s:i, s:i, s:s}", "priority",
                                                 (int)s->priority, "weight", (int)s->weight, "port",
                                                 (int)s->port, "target", s->target));
        /* Keep every target even when a rule failed: whether they reach
         * the edge is a separate question with its own check. */
        if (s->target[0] != '\0' && !lc_strv_contains(&data->targets, s->target) &&
            lc_strv_push(&data->targets, s->target) < 0)
            oom = 1;
    }
    json_object_set_new(ev, "records", records);
    lc_check_set_data(check, data, lc_srv_data_free);
    if (oom)
        lc_check_finish(check, LC_ERROR, "out of memory");
    else
        lc_check_finish(check, st, "%s", msg);
}

static void lc_srv_start(struct lc_check *check, void *arg)
{
    struct lc_srv_arg *a = arg;

    a->check = check;
    json_object_set_new(lc_check_evidence(check), "record", json_string(a->record));
    json_object_set_new(lc_check_evidence(check), "expected_port", json_integer(a->port));
    if (lc_dns_query(lc_check_dns(check), a->record, ns_t_srv, lc_srv_on_answer, a) < 0)
        lc_check_finish(check, LC_ERROR, "out of memory");
}

/* ---- address comparisons with the access edge ---- */

/* The addresses of d that the edge does not have, as a JSON array. */
static json_t *lc_addr_odd_json(const struct lc_dns_name *d, const struct lc_dns_name *edge)
{
    json_t *odd = json_array();
    size_t i;

    for (i = 0; d != NULL && odd != NULL && i < d->n_addrs; i++)
        if (!lc_dns_name_has(edge, d->addrs[i].text))
            json_array_append_new(odd, json_string(d->addrs[i].text));
    return odd;
}

/* The SRV record the access edge name was taken from (lc_site_discover:
 * the target of _sip._tls.<first SIP domain>) into buf, or NULL when the
 * name was given or defaulted. */
static const char *lc_edge_derived_from(const struct lc_site *site, char *buf, size_t len)
{
    if (site == NULL || site->access_edge_src != LC_SRC_SRV || site->sip_domains.n == 0)
        return NULL;
    snprintf(buf, len, "_sip._tls.%s", site->sip_domains.v[0]);
    return buf;
}

static json_t *lc_name_data_json(const struct lc_dns_name *d)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; d != NULL && a != NULL && i < d->n_addrs; i++)
        json_array_append_new(a, json_string(d->addrs[i].text));
    return a;
}

/* ---- dns.edge-address:sip.<d> ---- */

/* No data, or none usable (private addresses are dropped): nothing to
 * compare, and an empty set must not pass as "every address". Returns 1
 * with the check finished as its dependency `dep` calls for. */
static int lc_edge_addr_none(struct lc_check *check, const struct lc_check *dep,
                             const struct lc_dns_name *d, const char *who)
{
    char what[400];

    if (d != NULL && d->n_addrs > 0)
        return 0;
    snprintf(what, sizeof(what),
             "%s left no address to compare (it did not resolve, or only to private addresses)",
             who);
    lc_check_finish_no_input(check, dep, what);
    return 1;
}

static void lc_edge_addr_start(struct lc_check *check, void *arg)
{
    struct lc_check *name_check = lc_check_dep(check, 0);
    struct lc_check *edge_check = lc_check_dep(check, 1);
    const struct lc_dns_name *d = lc_check_data(name_check);
    const struct lc_dns_name *edge = lc_check_data(edge_check);
    const char *name = lc_check_result(name_check)->target;
    const char *edge_name = lc_check_result(edge_check)->target;
    json_t *ev = lc_check_evidence(check);
    char what[300], msg[1024], rec[300];
    const char *derived;
    enum lc_status st;

    (void)arg;
    /* sip.<d> leads to Microsoft's sign-in name: the judge says what that
     * means without addresses (a hosted name hands on none). */
    if (d != NULL && lc_dns_hosted_target(d->canonical) != NULL) {
        json_object_set_new(ev, "hosted_target", json_string(d->canonical));
        st = lc_dns_judge_edge_addr(name, d, edge_name, edge, NULL, msg, sizeof(msg));
        lc_check_finish(check, st, "%s", msg);
        return;
    }
    snprintf(what, sizeof(what), "the access edge %s", edge_name);
    if (lc_edge_addr_none(check, name_check, d, name) ||
        lc_edge_addr_none(check, edge_check, edge, what))
        return;
    json_object_set_new(ev, "addresses", lc_name_data_json(d));
    json_object_set_new(ev, "access_edge", json_string(edge_name));
    json_object_set_new(ev, "access_edge_addresses", lc_name_data_json(edge));
    derived = lc_edge_derived_from(lc_check_site(check), rec, sizeof(rec));
    if (derived != NULL)
        json_object_set_new(ev, "access_edge_derived_from", json_string(derived));
    st = lc_dns_judge_edge_addr(name, d, edge_name, edge, derived, msg, sizeof(msg));
    if (st == LC_FAIL)
        json_object_set_new(ev, "not_access_edge", lc_addr_odd_json(d, edge));
    lc_check_finish(check, st, "%s", msg);
}

/* ---- dns.srv-target:<record> ---- */

struct lc_target_arg {
    struct lc_check *check;
    struct lc_resolve *r;
    size_t n, pending;
};

static void lc_target_arg_free(void *p)
{
    struct lc_target_arg *a = p;
    size_t i;

    if (a == NULL)
        return;
    for (i = 0; i < a->n; i++)
        lc_resolve_clear(&a->r[i]);
    free(a->r);
    free(a);
}

static void lc_target_evaluate(struct lc_check *check, struct lc_target_arg *a)
{
    struct lc_check *srv_check = lc_check_dep(check, 0);
    struct lc_check *edge_check = lc_check_dep(check, 1);
    const struct lc_dns_name *edge = lc_check_data(edge_check);
    const char *record = lc_check_result(srv_check)->target;
    const char *derived;
    struct lc_dns_lookup *facts = calloc(a->n, sizeof(*facts));
    struct lc_dns_targets f;
    char msg[1024], msg2[512], rec[300];
    enum lc_status st;
    size_t i, which;

    if (facts == NULL) {
        lc_check_finish(check, LC_ERROR, "out of memory");
        return;
    }
    for (i = 0; i < a->n; i++)
        facts[i] = lc_resolve_facts(&a->r[i]);
    derived = lc_edge_derived_from(lc_check_site(check), rec, sizeof(rec));
    if (derived != NULL && strcasecmp(derived, record) != 0)
        derived = NULL; /* another record: comparing it with the edge is independent */
    memset(&f, 0, sizeof(f));
    f.record = record;
    f.targets = facts;
    f.n = a->n;
    f.edge_name = lc_check_result(edge_check)->target;
    f.edge = edge;
    f.derived = derived != NULL;
    f.sip_domains = &lc_check_site(check)->sip_domains;
    if (derived != NULL)
        json_object_set_new(lc_check_evidence(check), "access_edge_derived_from",
                            json_string(derived));
    st = lc_dns_judge_targets(&f, &which, msg, sizeof(msg));
    if (st == LC_FAIL && which < a->n && lc_dns_lookup_outcome(&facts[which]) == 1) {
        /* The judge checks private addresses before the comparison. */
        if (lc_dns_private_list(&a->r[which].data, msg2, sizeof(msg2)) > 0)
            json_object_set_new(a->r[which].evidence, "private_addresses", json_string(msg2));
        else if (edge != NULL)
            json_object_set_new(a->r[which].evidence, "not_access_edge",
                                lc_addr_odd_json(&a->r[which].data, edge));
    }
    free(facts);
    /* LC_SKIP naming a target is the hosted verdict; naming none, the edge
     * left nothing to compare. */
    if (st == LC_SKIP && which >= a->n)
        lc_check_finish_no_input(check, edge_check, msg);
    else
        lc_check_finish(check, st, "%s", msg);
}

static void lc_target_one_done(struct lc_check *check, struct lc_resolve *r)
{
    struct lc_target_arg *a = lc_check_data(check);

    (void)r;
    if (a == NULL || --a->pending > 0)
        return;
    lc_target_evaluate(check, a);
}

static void lc_target_start(struct lc_check *check, void *arg)
{
    struct lc_check *srv_check = lc_check_dep(check, 0);
    struct lc_check *edge_check = lc_check_dep(check, 1);
    const struct lc_srv_data *srv = lc_check_data(srv_check);
    struct lc_target_arg *a;
    json_t *ev = lc_check_evidence(check), *targets;
    size_t i;

    (void)arg;
    if (srv == NULL || srv->targets.n == 0) {
        lc_check_finish_no_input(check, srv_check, "no SRV targets to follow");
        return;
    }
    json_object_set_new(ev, "access_edge", json_string(lc_check_result(edge_check)->target));
    json_object_set_new(ev, "access_edge_addresses", lc_name_data_json(lc_check_data(edge_check)));
    targets = json_object();
    json_object_set_new(ev, "targets", targets);
    a = calloc(1, sizeof(*a));
    if (a == NULL || (a->r = calloc(srv->targets.n, sizeof(*a->r))) == NULL) {
        free(a);
        lc_check_finish(check, LC_ERROR, "out of memory");
        return;
    }
    a->check = check;
    a->n = srv->targets.n;
    a->pending = a->n;
    /* The state lives as the check's data so it outlives a timeout: late
     * answers must find it (they then see the check done and stop). */
    lc_check_set_data(check, a, lc_target_arg_free);
    /* Microsoft's well-known targets are judged by name and not looked up:
     * the verdict must not depend on reaching Microsoft's zone. */
    for (i = 0; i < a->n; i++) {
        if (lc_dns_hosted_target(srv->targets.v[i]) == NULL)
            continue;
        a->pending--;
        a->r[i].check = check;
        a->r[i].name = strdup(srv->targets.v[i]);
        if (a->r[i].name == NULL) {
            lc_check_finish(check, LC_ERROR, "out of memory");
            return;
        }
        json_object_set_new(targets, srv->targets.v[i], json_pack("{s:b}", "hosted", 1));
    }
    if (a->pending == 0) {
        lc_target_evaluate(check, a);
        return;
    }
    for (i = 0; i < a->n; i++) {
        json_t *sub;
        if (a->r[i].name != NULL)
            continue; /* hosted: not looked up */
        sub = json_object();
        json_object_set_new(targets, srv->targets.v[i], sub);
        if (lc_resolve_start(check, &a->r[i], srv->targets.v[i], sub, lc_target_one_done) < 0) {
            lc_check_finish(check, LC_ERROR, "out of memory");
            return;
        }
    }
}

/* ---- dns.internal-leak:lyncdiscoverinternal.<d> ---- */

static void lc_leak_done(struct lc_check *check, struct lc_resolve *r)
{
    struct lc_dns_lookup l = lc_resolve_facts(r);
    char msg[1024];
    enum lc_status st = lc_dns_judge_leak(&l, msg, sizeof(msg));

    lc_check_finish(check, st, "%s", msg);
}

static void lc_leak_start(struct lc_check *check, void *arg)
{
    struct lc_resolve *r = arg;
    char *name = r->name;

    r->name = NULL; /* lc_resolve_start takes its own copy */
    json_object_set_new(lc_check_evidence(check), "name", json_string(name));
    if (lc_resolve_start(check, r, name, lc_check_evidence(check), lc_leak_done) < 0)
        lc_check_finish(check, LC_ERROR, "out of memory");
    free(name);
}

static void lc_resolve_free(void *p)
{
    if (p == NULL)
        return;
    lc_resolve_clear(p);
    free(p);
}

/* ---- dns.lyncdiscover-cname:lyncdiscover.<d> ---- */

static void lc_cname_start(struct lc_check *check, void *arg)
{
    struct lc_check *a_check = lc_check_dep(check, 0);
    const struct lc_dns_name *d = lc_check_data(a_check);
    const char *domain = arg;
    const char *name = lc_check_result(a_check)->target;
    char what[300], msg[1024];
    enum lc_status st;

    if (d == NULL) {
        snprintf(what, sizeof(what), "%s did not resolve", name);
        lc_check_finish_no_input(check, a_check, what);
        return;
    }
    json_object_set_new(lc_check_evidence(check), "canonical",
                        d->canonical ? json_string(d->canonical) : json_null());
    st = lc_dns_judge_cname(name, d->canonical, domain, msg, sizeof(msg));
    lc_check_finish(check, st, "%s", msg);
}

/* ---- planning ---- */

static const char *const lc_a_roles[] = {
    "access-edge",  "webconf-edge",          "av-edge", "sip", "lyncdiscover", "meet", "dialin",
    "web-external", "director-web-external", "owa",     NULL};
static const char *const lc_srv_kinds[] = {"sip-tls", "federation", "xmpp", NULL};

static const struct lc_option_decl lc_dns_options[] = {
    {"a-records", LC_OPT_LIST,
     "access-edge, webconf-edge, av-edge, sip, lyncdiscover, meet, dialin, web-external, "
     "director-web-external, owa",
     "roles whose names must resolve (A/AAAA)", lc_a_roles, 0, 0, NULL},
    {"srv", LC_OPT_LIST, "sip-tls, federation, xmpp",
     "SRV records to check per SIP domain (xmpp only when --xmpp yes)", lc_srv_kinds, 0, 0, NULL},
    {"srv-targets", LC_OPT_BOOL, "yes", "SRV targets must resolve to the access edge", NULL, 0, 0,
     NULL},
    {"edge-addresses", LC_OPT_BOOL, "yes", "sip.<domain> must resolve to the access edge", NULL, 0,
     0, NULL},
    {"internal-leak", LC_OPT_BOOL, "yes", "lyncdiscoverinternal.<domain> must not resolve", NULL, 0,
     0, NULL},
    {"lyncdiscover-cname", LC_OPT_BOOL, "yes", "warn on a lyncdiscover CNAME into another domain",
     NULL, 0, 0, NULL},
    {NULL, LC_OPT_BOOL, NULL, NULL, NULL, 0, 0, NULL},
};

struct lc_dns_plan {
    struct lc_run *run;
    const struct lc_site *site;
    const struct lc_opts *opts;
};

static char *lc_concat(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *s = malloc(n);

    if (s != NULL)
        snprintf(s, n, "%s%s", a, b);
    return s;
}

/* A role given as an IP literal (--access-edge 192.0.2.10): no lookup. The
 * check dns.address:<literal> is a SKIP from the start (nothing in DNS was
 * judged) whose data is that one address, so lc_dns_dep_addrs and every
 * probe that depends on it work unchanged. */
static int lc_plan_address(struct lc_run *run, const char *literal, const char *role,
                           struct lc_check **out)
{
    char id[512];
    struct lc_check *c;
    struct lc_dns_name *d;
    json_t *ev;

    snprintf(id, sizeof(id), "dns.address:%s", literal);
    c = lc_run_find(run, id);
    if (c == NULL) {
        d = calloc(1, sizeof(*d));
        if (d == NULL || (d->addrs = calloc(1, sizeof(*d->addrs))) == NULL) {
            free(d);
            return -1;
        }
        d->n_addrs = 1;
        d->addrs[0].family = strchr(literal, ':') != NULL ? AF_INET6 : AF_INET;
        snprintf(d->addrs[0].text, sizeof(d->addrs[0].text), "%s", literal);
        c = lc_run_add(run, "dns", "address", literal, REF_ADDR, NULL, NULL, NULL);
        if (c == NULL) {
            lc_dns_name_free(d);
            return -1;
        }
        lc_check_set_data(c, d, lc_dns_name_free);
        ev = lc_check_evidence(c);
        json_object_set_new(ev, "address", json_string(literal));
        json_object_set_new(ev, "given_as_address", json_true());
        lc_check_skip(c, "%s given as an address for %s: probed directly, no DNS lookup", literal,
                      role);
    }
    if (lc_check_add_role(c, role) < 0)
        return -1;
    if (out != NULL)
        *out = c;
    return 0;
}

static int lc_plan_role(struct lc_dns_plan *p, const char *name, const char *role, int is_edge,
                        struct lc_check **out)
{
    char id[512];
    struct lc_check *c;

    if (lc_is_ip_literal(name))
        return lc_plan_address(p->run, name, role, out);
    snprintf(id, sizeof(id), "dns.a:%s", name);
    c = lc_run_find(p->run, id);
    if (c == NULL) {
        struct lc_a_arg *a = calloc(1, sizeof(*a));
        if (a == NULL || (a->name = strdup(name)) == NULL) {
            free(a);
            return -1;
        }
        if (lc_strv_push(&a->roles, role) < 0) {
            lc_a_arg_free(a);
            return -1;
        }
        c = lc_run_add(p->run, "dns", "a", name, is_edge ? REF_EDGE_A : REF_RP_A, lc_a_start, a,
                       lc_a_arg_free);
        if (c == NULL) {
            lc_a_arg_free(a);
            return -1;
        }
    } else {
        /* One name may serve several roles (sip.<d> as the access edge). */
        struct lc_a_arg *a = lc_check_start_arg(c);
        if (a != NULL && !lc_strv_contains(&a->roles, role) && lc_strv_push(&a->roles, role) < 0)
            return -1;
    }
    if (out != NULL)
        *out = c;
    return 0;
}

const struct lc_dns_name *lc_dns_dep_addrs(struct lc_check *check, size_t i, const char *name)
{
    struct lc_check *dep = lc_check_dep(check, i);
    const struct lc_dns_name *d = dep != NULL ? lc_check_data(dep) : NULL;
    char what[300];

    if (d != NULL && d->n_addrs > 0)
        return d;
    if (d != NULL && lc_dns_hosted_target(d->canonical) != NULL &&
        strcasecmp(name, d->canonical) == 0)
        snprintf(what, sizeof(what),
                 "hosted: %s is Microsoft's; this deployment does not serve it, so it is not "
                 "probed",
                 name);
    else if (d != NULL && lc_dns_hosted_target(d->canonical) != NULL)
        snprintf(what, sizeof(what),
                 "hosted: %s leads to %s, Microsoft's; this deployment does not serve it, so it is "
                 "not probed",
                 name, d->canonical);
    else
        snprintf(what, sizeof(what), "%s did not resolve", name);
    if (dep != NULL)
        lc_check_finish_no_input(check, dep, what);
    else
        lc_check_finish(check, LC_ERROR, "internal: %s has no address dependency", name);
    return NULL;
}

struct lc_check *lc_dns_plan_name(struct lc_run *run, const char *name, const char *role,
                                  int is_edge)
{
    struct lc_dns_plan p = {run, NULL, NULL};
    struct lc_check *c = NULL;

    return lc_plan_role(&p, name, role, is_edge, &c) < 0 ? NULL : c;
}

/* A role without a name: its check says so, with the reference of its kind
 * (an Edge role's A record, or the reverse proxy's). */
static int lc_plan_unknown(struct lc_dns_plan *p, const char *role, const char *option, int is_edge)
{
    struct lc_check *c =
        lc_run_add(p->run, "dns", "a", role, is_edge ? REF_EDGE_A : REF_RP_A, NULL, NULL, NULL);

    if (c == NULL)
        return -1;
    lc_check_skip(c, "no %s name known: give --%s", role, option);
    return 0;
}

static int lc_plan_role_list(struct lc_dns_plan *p, const char *role, const char *option,
                             const struct lc_strv *names, int is_edge)
{
    size_t i;

    if (!lc_opts_list_has(p->opts, "a-records", role))
        return 0;
    if (names->n == 0)
        return lc_plan_unknown(p, role, option, is_edge);
    for (i = 0; i < names->n; i++)
        if (lc_plan_role(p, names->v[i], role, is_edge, NULL) < 0)
            return -1;
    return 0;
}

static int lc_plan_role_one(struct lc_dns_plan *p, const char *role, const char *option,
                            const char *name, int is_edge)
{
    if (!lc_opts_list_has(p->opts, "a-records", role))
        return 0;
    if (name == NULL)
        return lc_plan_unknown(p, role, option, is_edge);
    return lc_plan_role(p, name, role, is_edge, NULL);
}

static int lc_plan_srv(struct lc_dns_plan *p, const char *domain, enum lc_srv_kind kind,
                       struct lc_check *edge)
{
    static const char *const prefix[] = {"_sip._tls.", "_sipfederationtls._tcp.",
                                         "_xmpp-server._tcp."};
    static const unsigned ports[] = {443, 5061, 5269};
    static const char *const refs[] = {REF_SIP_TLS, REF_FED, REF_XMPP};
    struct lc_srv_arg *a = calloc(1, sizeof(*a));
    struct lc_check *c, *t;

    if (a == NULL)
        return -1;
    a->record = lc_concat(prefix[kind], domain);
    a->domain = strdup(domain);
    a->kind = kind;
    a->port = ports[kind];
    if (a->record == NULL || a->domain == NULL) {
        lc_srv_arg_free(a);
        return -1;
    }
    c = lc_run_add(p->run, "dns", "srv", a->record, refs[kind], lc_srv_start, a, lc_srv_arg_free);
    if (c == NULL) {
        lc_srv_arg_free(a);
        return -1;
    }
    if (!lc_opts_bool(p->opts, "srv-targets") || edge == NULL)
        return 0;
    t = lc_run_add(p->run, "dns", "srv-target", lc_check_result(c)->target, REF_SRV_TARGET,
                   lc_target_start, NULL, NULL);
    if (t == NULL || lc_check_depend(t, c) < 0 || lc_check_depend(t, edge) < 0)
        return -1;
    return 0;
}

/* The records and names of one SIP domain (a valid FQDN: 253 characters
 * at most, so the names below fit). */
static int lc_dns_plan_domain(struct lc_dns_plan *p, const char *d, struct lc_check *edge)
{
    char sip[300], disc[300], internal[300];
    struct lc_check *sip_check = NULL, *disc_check = NULL;

    snprintf(sip, sizeof(sip), "sip.%s", d);
    snprintf(disc, sizeof(disc), "lyncdiscover.%s", d);
    snprintf(internal, sizeof(internal), "lyncdiscoverinternal.%s", d);

    if (lc_opts_list_has(p->opts, "a-records", "sip") || lc_opts_bool(p->opts, "edge-addresses"))
        if (lc_plan_role(p, sip, "sip", 1, &sip_check) < 0)
            return -1;
    if (lc_opts_list_has(p->opts, "a-records", "lyncdiscover") ||
        lc_opts_bool(p->opts, "lyncdiscover-cname"))
        if (lc_plan_role(p, disc, "lyncdiscover", 0, &disc_check) < 0)
            return -1;
    if (lc_opts_list_has(p->opts, "srv", "sip-tls") && lc_plan_srv(p, d, LC_SRV_SIP_TLS, edge) < 0)
        return -1;
    if (lc_opts_list_has(p->opts, "srv", "federation") &&
        lc_plan_srv(p, d, LC_SRV_FEDERATION, edge) < 0)
        return -1;
    if (lc_opts_list_has(p->opts, "srv", "xmpp")) {
        if (p->site->xmpp) {
            if (lc_plan_srv(p, d, LC_SRV_XMPP, edge) < 0)
                return -1;
        } else {
            char rec[300];
            struct lc_check *c;
            snprintf(rec, sizeof(rec), "_xmpp-server._tcp.%s", d);
            c = lc_run_add(p->run, "dns", "srv", rec, REF_XMPP, NULL, NULL, NULL);
            if (c == NULL)
                return -1;
            lc_check_skip(c, "XMPP federation not in use (--xmpp no)");
        }
    }
    if (lc_opts_bool(p->opts, "edge-addresses") && sip_check != NULL && edge != NULL) {
        struct lc_check *c = lc_run_add(p->run, "dns", "edge-address", sip, REF_EDGE_ADDR,
                                        lc_edge_addr_start, NULL, NULL);
        if (c == NULL)
            return -1;
        if (sip_check == edge)
            lc_check_skip(c, "%s is the access edge itself", sip);
        else if (lc_check_depend(c, sip_check) < 0 || lc_check_depend(c, edge) < 0)
            return -1;
    }
    if (lc_opts_bool(p->opts, "internal-leak")) {
        struct lc_resolve *r = calloc(1, sizeof(*r));
        if (r != NULL)
            r->name = strdup(internal);
        if (r == NULL || r->name == NULL ||
            lc_run_add(p->run, "dns", "internal-leak", internal, REF_LEAK, lc_leak_start, r,
                       lc_resolve_free) == NULL) {
            lc_resolve_free(r);
            return -1;
        }
    }
    if (lc_opts_bool(p->opts, "lyncdiscover-cname") && disc_check != NULL) {
        char *dom = strdup(d);
        struct lc_check *c;
        if (dom == NULL)
            return -1;
        c = lc_run_add(p->run, "dns", "lyncdiscover-cname", disc, REF_CNAME, lc_cname_start, dom,
                       free);
        if (c == NULL) {
            free(dom);
            return -1;
        }
        if (lc_check_depend(c, disc_check) < 0)
            return -1;
    }
    return 0;
}

static int lc_dns_plan(struct lc_run *run, const struct lc_site *site, const struct lc_opts *opts)
{
    struct lc_dns_plan p = {run, site, opts};
    struct lc_check *edge = NULL;
    size_t i;
    int need_edge = lc_opts_bool(opts, "srv-targets") || lc_opts_bool(opts, "edge-addresses");

    /* The access edge first: the comparisons below depend on its addresses. */
    if (site->access_edge != NULL &&
        (need_edge || lc_opts_list_has(opts, "a-records", "access-edge"))) {
        if (lc_plan_role(&p, site->access_edge, "access-edge", 1, &edge) < 0)
            return -1;
    } else if (site->access_edge == NULL && lc_opts_list_has(opts, "a-records", "access-edge")) {
        if (lc_plan_unknown(&p, "access-edge", "access-edge", 1) < 0)
            return -1;
    }
    if (lc_plan_role_one(&p, "webconf-edge", "webconf-edge", site->webconf_edge, 1) < 0 ||
        lc_plan_role_one(&p, "av-edge", "av-edge", site->av_edge, 1) < 0)
        return -1;
    for (i = 0; i < site->sip_domains.n; i++)
        if (lc_dns_plan_domain(&p, site->sip_domains.v[i], edge) < 0)
            return -1;
    if (lc_plan_role_list(&p, "meet", "meet", &site->meet, 0) < 0 ||
        lc_plan_role_one(&p, "dialin", "dialin", site->dialin, 0) < 0 ||
        lc_plan_role_list(&p, "web-external", "web-external", &site->web_external, 0) < 0 ||
        lc_plan_role_list(&p, "director-web-external", "director-web-external",
                          &site->director_web_external, 0) < 0 ||
        lc_plan_role_one(&p, "owa", "owa", site->owa, 0) < 0)
        return -1;
    return 0;
}

const struct lc_probe lc_probe_dns = {
    "dns",
    "external DNS records: A/AAAA, SRV, Lync's domain-matching rules",
    lc_dns_options,
    lc_dns_plan,
};
