/* SPDX-License-Identifier: MIT */
/* lynccheck - the port probe's verdict, pure: how one check's TCP or UDP
 * probes ended, counted, and what that means.
 *
 * A service port (port.tcp) must be open on every address. For a media
 * range (port.tcp-range, port.udp-range) "the firewall passes it" is the
 * question: open and closed (RST, ICMP port unreachable) both say yes,
 * filtered says no (Microsoft Learn, "Edge Server environmental
 * requirements in Skype for Business Server": A/V 50000-59999 TCP and UDP).
 * Over UDP a silent port is filtered, or open and quiet: from outside no one
 * can tell, so silence only warns. */
#ifndef LC_PORT_JUDGE_H
#define LC_PORT_JUDGE_H

#include <stddef.h>

#include "result.h"

enum lc_port_state { LC_PS_PENDING = 0, LC_PS_OPEN, LC_PS_CLOSED, LC_PS_FILTERED, LC_PS_UNREACH };
#define LC_PORT_STATES 5
/* How many offending ports a verdict names before it just counts. */
#define LC_PORT_NAMED 10

const char *lc_port_state_name(enum lc_port_state s); /* "open", "closed", ... */

/* Every probe of one check, counted. */
struct lc_port_tally {
    int range;                     /* a port range, not a service port */
    int udp;                       /* a UDP range */
    size_t n;                      /* probes counted, pending ones too */
    size_t counts[LC_PORT_STATES]; /* per state */
    size_t bad;                    /* offending probes */
    char list[400];                /* the first LC_PORT_NAMED offenders: "addr:port state, ..." */
    size_t used;
};

void lc_port_tally_init(struct lc_port_tally *t, int range, int udp);
/* Count one probe. Returns 1 when it offends (a service port not open; a
 * range port filtered or unreachable), else 0. A pending probe (the check's
 * time ran out before its verdict) is counted, never judged. */
int lc_port_tally_add(struct lc_port_tally *t, const char *addr, unsigned port,
                      enum lc_port_state st);

/* The verdict on host's port lo (lo == hi) or range lo-hi probed on n_addrs
 * addresses; the message is NUL-terminated, truncated to len (msg may be
 * NULL when len is 0):
 *   service port: every probe open PASS, any not open FAIL
 *   TCP range:    none filtered/unreachable PASS, else FAIL
 *   UDP range:    every sampled port answered PASS, any silent WARN
 *   probes without a verdict and no offender: ERROR (never a pass);
 *   nothing probed at all: ERROR. */
enum lc_status lc_port_judge(const struct lc_port_tally *t, const char *host, unsigned lo,
                             unsigned hi, size_t n_addrs, char *msg, size_t len);

#endif
