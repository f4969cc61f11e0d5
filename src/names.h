/* SPDX-License-Identifier: MIT */
/* lynccheck - which names each external TLS listener serves and which its
 * certificate must carry, computed from the site (Lync's rules).
 *
 * Sources: Lync Server 2013 on Microsoft Learn, "Certificate requirements
 * for external user access", "Plan for Edge Server certificates", "Request
 * and configure a certificate for your reverse HTTP proxy", "Wildcard
 * certificate support". */
#ifndef LC_NAMES_H
#define LC_NAMES_H

#include <stddef.h>

#include "site.h"

enum lc_listener_kind {
    LC_L_RP,       /* reverse proxy, 443 */
    LC_L_EDGE,     /* access edge, 443 (clients) */
    LC_L_EDGE_FED, /* access edge, 5061 (federation, MTLS) */
    LC_L_WEBCONF   /* web conferencing edge, 443 */
};

struct lc_cert_name {
    char *name;
    int wildcard_ok; /* a "*.<domain>" SAN may cover it */
    int served;      /* clients connect to this name on the listener */
    int required;    /* the listener's certificate must carry it */
    int literal;     /* an IP address given for a role: connected to without
                        SNI, never required in a certificate */
};

struct lc_listener_names {
    enum lc_listener_kind kind;
    char *primary;   /* the name whose certificate must carry every required name;
                        the listener's checks are named after it */
    char *expect_cn; /* the subject Lync expects, or NULL (unknown, or an address) */
    struct lc_cert_name *v;
    size_t n, cap;
};

/* Fill `out` for the listener. n is 0 when the site names nothing that it
 * serves (the access edge unknown, no reverse proxy name). Returns 0, or -1
 * when out of memory. Rules:
 *   reverse proxy: serves the Front End and Director external web FQDNs,
 *     lyncdiscover.<d>, meet, dialin and Office Web Apps; requires all but
 *     Office Web Apps (its own server); a wildcard may cover lyncdiscover,
 *     meet and dialin only; subject = the first Front End external FQDN;
 *   access edge 443 and 5061: serves the access edge FQDN and sip.<d>;
 *     requires those, the webconf FQDN and, with XMPP, xmpp.<d>; never a
 *     wildcard; subject = the access edge FQDN;
 *   webconf edge: serves and requires the webconf FQDN; the subject is the
 *     access edge FQDN (one external certificate for the edge).
 * A role given as an IP literal (--access-edge 192.0.2.10) is served, as a
 * client connecting by address would reach it, but never required nor
 * expected as the subject: a public CA does not issue a certificate for an
 * address, and Lync clients connect by name. */
int lc_listener_names_build(const struct lc_site *site, enum lc_listener_kind kind,
                            struct lc_listener_names *out);
void lc_listener_names_clear(struct lc_listener_names *ln);
const struct lc_cert_name *lc_listener_names_find(const struct lc_listener_names *ln,
                                                  const char *name);
/* "reverse proxy", "access edge", "access edge (federation)", "webconf edge". */
const char *lc_listener_kind_label(enum lc_listener_kind kind);

#endif
