/* lynccheck - the deployment under test: SIP domains and role names.
 *
 * Filled from the command line and the site file (config.c); defaults derive
 * from Lync's naming conventions where the site does not say otherwise. */
#ifndef LC_SITE_H
#define LC_SITE_H

#include <jansson.h>
#include <stddef.h>

struct lc_strv {
    char **v;
    size_t n;
};

int lc_strv_push(struct lc_strv *sv, const char *s);
void lc_strv_clear(struct lc_strv *sv);
int lc_strv_contains(const struct lc_strv *sv, const char *s); /* case-insensitive */

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
};

void lc_site_clear(struct lc_site *site);
/* Apply the naming conventions (issue 2): meet = meet.<each domain>,
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

#endif
