/* SPDX-License-Identifier: MIT */
/* lynccheck unit tests: one Check suite per area. */
#ifndef LC_SUITES_H
#define LC_SUITES_H

#include <check.h>

/* A loopback socket of `type` (SOCK_STREAM or SOCK_DGRAM, with any
 * SOCK_NONBLOCK / SOCK_CLOEXEC) bound to a port the kernel picks, listening
 * when backlog > 0; the port in *port. Asserts on any failure. */
int lc_t_loopback_socket(int type, int backlog, unsigned *port);

Suite *lc_suite_cert(void);
Suite *lc_suite_cli(void);
Suite *lc_suite_dns(void);
Suite *lc_suite_fanout(void);
Suite *lc_suite_findings(void);
Suite *lc_suite_http(void);
Suite *lc_suite_loop(void);
Suite *lc_suite_names(void);
Suite *lc_suite_plan(void);
Suite *lc_suite_port(void);
Suite *lc_suite_report(void);
Suite *lc_suite_report_html(void);
Suite *lc_suite_revoke(void);
Suite *lc_suite_run(void);
Suite *lc_suite_signin(void);
Suite *lc_suite_sip(void);
Suite *lc_suite_sipae(void);
Suite *lc_suite_stun(void);
Suite *lc_suite_web(void);
Suite *lc_suite_xmpp(void);

#endif
