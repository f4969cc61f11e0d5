/* SPDX-License-Identifier: MIT */
/* lynccheck - what probe modules share with each other. */
#ifndef LC_PROBES_H
#define LC_PROBES_H

#include <stddef.h>

struct lc_run;
struct lc_check;

/* The dns.a:<name> check, planned now if the DNS probe has not already
 * (a profile without it, or a role it was told not to check). Its data is
 * a struct lc_dns_name (dns.h) with every address of the name. For a role
 * given as an IP literal it is dns.address:<literal> instead: no lookup, a
 * SKIP from the start whose data is that one address. */
struct lc_check *lc_dns_plan_name(struct lc_run *run, const char *name, const char *role,
                                  int is_edge);

/* The addresses of the name the check depends on through dependency i (a
 * dns.a check). NULL when there are none, and the check is then finished:
 * ERROR when the lookup could not run, SKIP when the name does not exist. */
struct lc_dns_name;
const struct lc_dns_name *lc_dns_dep_addrs(struct lc_check *check, size_t i, const char *name);

/* Raise the descriptor limit for the port probe's parallel connects
 * (probes/probe_port.c); called once at start-up. */
void lc_port_raise_nofile(void);

/* The certificate chain (leaf first, as sent) that address i of a
 * tls.handshake check saw, NULL when that handshake failed; *addr is the
 * address, NULL past the last one (probes/probe_tls.c, for probes/probe_revoke.c). */
struct stack_st_X509;
struct stack_st_X509 *lc_tls_hs_chain(const struct lc_check *hs, size_t i, const char **addr);

#endif
