/* SPDX-License-Identifier: MIT */
/* lynccheck - the deployment under test: SIP domains and role names.
 *
 * Filled from the command line and the site file (config.c); defaults derive
 * from Lync's naming conventions where the site does not say otherwise. */
#ifndef LC_SITE_H
#define LC_SITE_H

#include <jansson.h>
#include <stddef.h>

#include "strv.h"

/* A name pinned to addresses for this run (--resolve NAME:ADDR[,ADDR...],
 * like curl's --resolve): A and AAAA lookups of the name answer these
 * without asking DNS, to test before a DNS cut-over or one pool member at a
 * time. SRV lookups are not affected. */
struct lc_pin {
    char *name;           /* normalized FQDN */
    struct lc_strv addrs; /* IP literals in canonical form (IPv6 without brackets) */
};

/* Bounds of --resolve: addresses per name, and names per run. */
#define LC_PIN_MAX_ADDRS 32
#define LC_PIN_MAX_NAMES 256

/* Where a role's name came from, for the report. */
enum lc_source { LC_SRC_NONE = 0, LC_SRC_GIVEN, LC_SRC_SRV, LC_SRC_DEFAULT };

struct lc_site {
    struct lc_strv sip_domains;
    char *access_edge;
    enum lc_source access_edge_src;
    char *webconf_edge;
    char *av_edge;
    struct lc_strv web_external;
    struct lc_strv director_web_external;
    char *owa;
    struct lc_strv meet;
    enum lc_source meet_src;
    char *dialin;
    enum lc_source dialin_src;
    int xmpp; /* 0 or 1 */
    /* Internal names, for the edge-internal and internal profiles. */
    char *edge_internal;
    char *front_end;
    char *director;
    char *mediation;
    /* The authenticated web walk (--user, --password-file or
     * LYNCCHECK_PASSWORD). The password is never in lc_site_to_json, a
     * report or a message; lc_site_clear cleanses it. */
    char *web_user;
    char *web_password;
    /* --resolve pins, in the order given; one entry per name. */
    struct lc_pin *resolve;
    size_t n_resolve;
};

void lc_site_clear(struct lc_site *site);
/* Parse "NAME:ADDR[,ADDR...]" (an FQDN, then IPv4 or IPv6 literals, an IPv6
 * one optionally in brackets) and add the pin. A name pinned twice is an
 * error. Returns 0, or -1 with a one-line reason in why. */
int lc_site_add_pin(struct lc_site *site, const char *spec, char *why, size_t len);
void lc_site_clear_pins(struct lc_site *site);
/* The pin of name (case-insensitive, trailing dot ignored), or NULL. */
const struct lc_pin *lc_site_find_pin(const struct lc_site *site, const char *name);
/* Hand every pin to the resolver (lc_dns_pin). 0, or -1 out of memory. */
struct lc_dns;
int lc_site_pin_dns(const struct lc_site *site, struct lc_dns *dns);
/* Apply the naming conventions: meet = meet.<each domain>,
 * dialin = dialin.<first domain>; the access edge is settled separately
 * (lc_site_discover) because it needs DNS. Returns 0 or -1 (out of memory). */
int lc_site_apply_defaults(struct lc_site *site);
/* The access edge when not given: the target of _sip._tls.<first domain>,
 * else sip.<first domain>. Blocks on the loop for at most timeout_us. */
struct lc_loop;
struct lc_dns;
int lc_site_discover(struct lc_site *site, struct lc_loop *loop, struct lc_dns *dns,
                     unsigned long long timeout_us);
/* Settle the access edge without DNS (for --list-checks): sip.<first domain>. */
int lc_site_default_edge(struct lc_site *site);
json_t *lc_site_to_json(const struct lc_site *site);
const char *lc_source_name(enum lc_source src);

/* Lower-case, strip one trailing dot, and check the FQDN syntax (RFC 1123
 * labels, 253 octets). Returns a new string, or NULL with *why set. */
char *lc_fqdn_normalize(const char *in, const char **why);

/* 1 when s is an IPv4 or IPv6 address literal (a role given as an
 * address: probed directly, no DNS lookup), else 0. */
int lc_is_ip_literal(const char *s);
/* The canonical text of an IPv4 or IPv6 literal (inet_ntop of inet_pton:
 * "2001:DB8:0::1" -> "2001:db8::1"), so one address makes one check id.
 * Returns a new string, or NULL when s is not a literal or out of memory. */
char *lc_ip_canonical(const char *s);

#endif
