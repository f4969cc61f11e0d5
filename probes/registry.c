/* SPDX-License-Identifier: MIT */
/* lynccheck - the probe registry: one line per probe module (the OpenSMTPD
 * table habit). Order is planning order: later probes may depend on the
 * checks of earlier ones (a name's addresses from dns). */
#include "probe.h"

extern const struct lc_probe lc_probe_dns;
extern const struct lc_probe lc_probe_tls;
extern const struct lc_probe lc_probe_port;
extern const struct lc_probe lc_probe_sip;
extern const struct lc_probe lc_probe_stun;
extern const struct lc_probe lc_probe_xmpp;
extern const struct lc_probe lc_probe_web;
extern const struct lc_probe lc_probe_signin;
extern const struct lc_probe lc_probe_revocation;

const struct lc_probe *const lc_probes[] = {
    &lc_probe_dns,  &lc_probe_tls, &lc_probe_port,   &lc_probe_sip,        &lc_probe_stun,
    &lc_probe_xmpp, &lc_probe_web, &lc_probe_signin, &lc_probe_revocation, NULL,
};
