/* SPDX-License-Identifier: MIT */
/* lynccheck - names per TLS listener (see names.h for the rules). */
#include "names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct lc_cert_name *lc_names_slot(const struct lc_listener_names *ln, const char *name)
{
    size_t i;

    for (i = 0; i < ln->n; i++)
        if (strcasecmp(ln->v[i].name, name) == 0)
            return &ln->v[i];
    return NULL;
}

const char *lc_listener_kind_label(enum lc_listener_kind kind)
{
    switch (kind) {
    case LC_L_RP:
        return "reverse proxy";
    case LC_L_EDGE:
        return "access edge";
    case LC_L_EDGE_FED:
        return "access edge (federation)";
    case LC_L_WEBCONF:
    default:
        return "webconf edge";
    }
}

const struct lc_cert_name *lc_listener_names_find(const struct lc_listener_names *ln,
                                                  const char *name)
{
    return lc_names_slot(ln, name);
}

/* Add a name, or merge its flags into the entry it already has: a name
 * that is both served and required is one entry; a wildcard is allowed
 * only if every role the name plays allows it. */
static int lc_names_add(struct lc_listener_names *ln, const char *prefix, const char *name,
                        int wildcard_ok, int served, int required)
{
    char full[300];
    struct lc_cert_name *e, *v;
    int literal;

    if (snprintf(full, sizeof(full), "%s%s", prefix, name) >= (int)sizeof(full))
        return 0; /* cannot be a host name; the site validation refuses it */
    /* An address given for a role: clients reach it without SNI, and no
     * public CA puts it in a certificate ("Certificate requirements for
     * external user access in Lync Server 2013": subject and SAN are
     * FQDNs). */
    literal = prefix[0] == '\0' && lc_is_ip_literal(name);
    if (literal)
        required = 0;
    e = lc_names_slot(ln, full);
    if (e != NULL) {
        e->wildcard_ok = e->wildcard_ok && wildcard_ok;
        e->served |= served;
        e->required |= required;
        return 0;
    }
    if (ln->n == ln->cap) {
        /* Doubling: a site with 1,000 SIP domains puts 2,000 names on the
         * reverse proxy, and growing by one entry each time copied the list
         * 2,000 times. */
        size_t cap = ln->cap != 0 ? ln->cap * 2 : 8;
        v = realloc(ln->v, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        ln->v = v;
        ln->cap = cap;
    }
    e = &ln->v[ln->n];
    e->name = strdup(full);
    if (e->name == NULL)
        return -1;
    e->wildcard_ok = wildcard_ok;
    e->served = served;
    e->required = required;
    e->literal = literal;
    ln->n++;
    return 0;
}

static int lc_names_set(char **slot, const char *value)
{
    if (value == NULL)
        return 0;
    *slot = strdup(value);
    return *slot != NULL ? 0 : -1;
}

/* The subject Lync expects: never an address (see lc_names_add). */
static int lc_names_set_cn(char **slot, const char *value)
{
    if (value == NULL || lc_is_ip_literal(value))
        return 0;
    *slot = strdup(value);
    return *slot != NULL ? 0 : -1;
}

static int lc_names_rp(const struct lc_site *s, struct lc_listener_names *ln)
{
    size_t i;

    for (i = 0; i < s->web_external.n; i++)
        if (lc_names_add(ln, "", s->web_external.v[i], 0, 1, 1) < 0)
            return -1;
    for (i = 0; i < s->director_web_external.n; i++)
        if (lc_names_add(ln, "", s->director_web_external.v[i], 0, 1, 1) < 0)
            return -1;
    for (i = 0; i < s->sip_domains.n; i++)
        if (lc_names_add(ln, "lyncdiscover.", s->sip_domains.v[i], 1, 1, 1) < 0)
            return -1;
    for (i = 0; i < s->meet.n; i++)
        if (lc_names_add(ln, "", s->meet.v[i], 1, 1, 1) < 0)
            return -1;
    if (s->dialin != NULL && lc_names_add(ln, "", s->dialin, 1, 1, 1) < 0)
        return -1;
    /* Office Web Apps runs on its own servers behind the proxy, usually
     * with its own certificate: served here, not required of the proxy's. */
    if (s->owa != NULL && lc_names_add(ln, "", s->owa, 0, 1, 0) < 0)
        return -1;
    if (ln->n == 0)
        return 0;
    if (lc_names_set(&ln->primary, s->web_external.n > 0            ? s->web_external.v[0]
                                   : s->director_web_external.n > 0 ? s->director_web_external.v[0]
                                                                    : ln->v[0].name) < 0)
        return -1;
    return lc_names_set_cn(&ln->expect_cn, s->web_external.n > 0 ? s->web_external.v[0] : NULL);
}

static int lc_names_edge(const struct lc_site *s, struct lc_listener_names *ln)
{
    size_t i;

    if (s->access_edge == NULL)
        return 0;
    if (lc_names_add(ln, "", s->access_edge, 0, 1, 1) < 0 ||
        (s->webconf_edge != NULL && lc_names_add(ln, "", s->webconf_edge, 0, 0, 1) < 0))
        return -1;
    for (i = 0; i < s->sip_domains.n; i++) {
        if (lc_names_add(ln, "sip.", s->sip_domains.v[i], 0, 1, 1) < 0)
            return -1;
        if (s->xmpp && lc_names_add(ln, "xmpp.", s->sip_domains.v[i], 0, 0, 1) < 0)
            return -1;
    }
    if (lc_names_set(&ln->primary, s->access_edge) < 0)
        return -1;
    return lc_names_set_cn(&ln->expect_cn, s->access_edge);
}

int lc_listener_names_build(const struct lc_site *site, enum lc_listener_kind kind,
                            struct lc_listener_names *out)
{
    int rc = 0;

    memset(out, 0, sizeof(*out));
    out->kind = kind;
    switch (kind) {
    case LC_L_RP:
        rc = lc_names_rp(site, out);
        break;
    case LC_L_EDGE:
    case LC_L_EDGE_FED:
        rc = lc_names_edge(site, out);
        break;
    case LC_L_WEBCONF:
        if (site->webconf_edge == NULL)
            break;
        rc = lc_names_add(out, "", site->webconf_edge, 0, 1, 1);
        if (rc == 0)
            rc = lc_names_set(&out->primary, site->webconf_edge);
        if (rc == 0)
            rc = lc_names_set_cn(&out->expect_cn, site->access_edge);
        break;
    }
    if (rc < 0)
        lc_listener_names_clear(out);
    return rc;
}

void lc_listener_names_clear(struct lc_listener_names *ln)
{
    size_t i;

    for (i = 0; i < ln->n; i++)
        free(ln->v[i].name);
    free(ln->v);
    free(ln->primary);
    free(ln->expect_cn);
    memset(ln, 0, sizeof(*ln));
}
