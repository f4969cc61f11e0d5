/* SPDX-License-Identifier: MIT */
/* lynccheck - the port probe's verdict, pure (see port_judge.h). */
#include "port_judge.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "msg.h"

const char *lc_port_state_name(enum lc_port_state s)
{
    switch (s) {
    case LC_PS_OPEN:
        return "open";
    case LC_PS_CLOSED:
        return "closed";
    case LC_PS_FILTERED:
        return "filtered";
    case LC_PS_UNREACH:
        return "unreachable";
    case LC_PS_PENDING:
    default:
        return "pending";
    }
}

void lc_port_tally_init(struct lc_port_tally *t, int range, int udp)
{
    memset(t, 0, sizeof(*t));
    t->range = range;
    t->udp = udp;
}

int lc_port_tally_add(struct lc_port_tally *t, const char *addr, unsigned port,
                      enum lc_port_state st)
{
    int offending;

    if ((unsigned)st >= LC_PORT_STATES)
        st = LC_PS_PENDING;
    t->n++;
    t->counts[st]++;
    if (st == LC_PS_PENDING)
        return 0;
    offending = t->range ? (st == LC_PS_FILTERED || st == LC_PS_UNREACH) : st != LC_PS_OPEN;
    if (!offending)
        return 0;
    if (t->bad++ < LC_PORT_NAMED) {
        /* Over UDP, "no answer" is all we know. */
        const char *word = t->udp && st == LC_PS_FILTERED ? "silent" : lc_port_state_name(st);
        int w = snprintf(t->list + t->used, sizeof(t->list) - t->used, "%s%s:%u %s",
                         t->used ? ", " : "", addr, port, word);
        if (w > 0 && (size_t)w < sizeof(t->list) - t->used)
            t->used += (size_t)w;
        else
            t->list[t->used] = '\0'; /* an entry that does not fit is left out whole */
    }
    return 1;
}

enum lc_status lc_port_judge(const struct lc_port_tally *t, const char *host, unsigned lo,
                             unsigned hi, size_t n_addrs, char *msg, size_t len)
{
    size_t pending = t->counts[LC_PS_PENDING];

    if (t->n == 0) {
        lc_msgf(msg, len, "%s: nothing was probed", host);
        return LC_ERROR;
    }
    if (pending > 0 && t->bad == 0) {
        if (t->range)
            lc_msgf(msg, len,
                    "%s %u-%u: %zu of %zu probes had no verdict within the check's time (the "
                    "machine or the network is slow: raise --timeout); none of the others was "
                    "filtered",
                    host, lo, hi, pending, t->n);
        else
            lc_msgf(msg, len,
                    "%s port %u: %zu of %zu probes had no verdict within the check's time "
                    "(raise --timeout)",
                    host, lo, pending, t->n);
        return LC_ERROR;
    }
    if (!t->range) {
        if (t->bad == 0) {
            lc_msgf(msg, len, "%s port %u open on %zu address%s", host, lo, n_addrs,
                    n_addrs == 1 ? "" : "es");
            return LC_PASS;
        }
        lc_msgf(msg, len,
                "%s port %u not open: %s (closed = nothing listens; filtered = the firewall "
                "drops it)",
                host, lo, t->list);
        return LC_FAIL;
    }
    /* A UDP port that stays silent is filtered or open and quiet: from
     * outside no one can tell, so silence is a warning, never a pass or a
     * fail. ICMP port unreachable proves the firewall let it through. */
    if (t->bad == 0 && t->udp)
        lc_msgf(msg, len,
                "%s UDP %u-%u: all %zu sampled ports answered (%zu closed with ICMP port "
                "unreachable, %zu open): the firewall passes the range",
                host, lo, hi, t->n, t->counts[LC_PS_CLOSED], t->counts[LC_PS_OPEN]);
    else if (t->bad == 0)
        lc_msgf(msg, len,
                "%s %u-%u: %zu probes, none filtered (%zu open, %zu closed: the firewall "
                "passes the range)",
                host, lo, hi, t->n, t->counts[LC_PS_OPEN], t->counts[LC_PS_CLOSED]);
    else if (t->udp)
        lc_msgf(msg, len,
                "%s UDP %u-%u: %zu of %zu sampled ports silent (filtered, or open and silent: "
                "UDP cannot tell from outside; ICMP may be rate-limited); first: %s",
                host, lo, hi, t->bad, t->n, t->list);
    else
        lc_msgf(msg, len,
                "%s %u-%u: %zu of %zu probes filtered or unreachable (no answer after a retry); "
                "first: %s",
                host, lo, hi, t->bad, t->n, t->list);
    if (t->bad == 0)
        return LC_PASS;
    return t->udp ? LC_WARN : LC_FAIL;
}
