/* SPDX-License-Identifier: MIT */
/* lynccheck - one check, one connection per address: the fan-out the
 * network probes share (sip, xmpp, stun, web, tls).
 *
 * A probe's per-address struct starts with a struct lc_fanout_slot. The
 * fan-out owns the array of them, writes each slot's verdict into
 * evidence.addresses.<addr> (status, message, elapsed_ms), releases the
 * slot's connection through the probe's ops, and when the last slot has
 * its verdict finishes the check: by default with the worst verdict
 * (lc_fanout_finish_worst), or through ops->all_done for a probe whose
 * judge weighs every address at once. */
#ifndef LC_FANOUT_H
#define LC_FANOUT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

struct lc_check;
struct lc_dns_name;
struct lc_timer;
struct lc_fanout;

/* The head (first member) of a probe's per-address struct. */
struct lc_fanout_slot {
    struct lc_fanout *fan;
    char addr[46];
    uint64_t started_us; /* set by the probe when it connects; 0: no elapsed_ms */
    int done;            /* the slot has its verdict */
    enum lc_status status;
    char message[600];
};

struct lc_fanout_ops {
    /* Close what the slot holds (socket, handshake, transfer): once its
     * verdict is in, and for every slot on cancel. NULL: nothing held. */
    void (*release)(struct lc_fanout_slot *s);
    /* The slot has its verdict and its connection is still open: record
     * the last of what it saw. NULL: nothing to add. */
    void (*ended)(struct lc_fanout_slot *s);
    /* lc_fanout_arm's time has come and this slot has no verdict yet: end
     * it (lc_fanout_end) saying what it was waiting for. */
    void (*expire)(struct lc_fanout_slot *s, unsigned long long ms);
    /* Every slot has its verdict: finish the check. NULL:
     * lc_fanout_finish_worst. */
    void (*all_done)(struct lc_fanout *f);
};

struct lc_fanout {
    struct lc_check *check;
    const struct lc_fanout_ops *ops;
    void *slots; /* n elements of `size` bytes, each starting with a slot */
    size_t size, n, pending;
    unsigned port; /* named in "on ADDR:PORT"; 0 names the address alone */
    struct lc_timer *timer;
    uint64_t timer_us;
};

/* n slots of `size` bytes (zeroed, each slot's fan set), evidence.addresses
 * created. 0, or -1 after finishing the check as an ERROR (out of memory). */
int lc_fanout_init(struct lc_fanout *f, struct lc_check *check, const struct lc_fanout_ops *ops,
                   size_t n, size_t size);
/* lc_fanout_init with one slot per address of the name, its address set. */
int lc_fanout_init_name(struct lc_fanout *f, struct lc_check *check,
                        const struct lc_fanout_ops *ops, const struct lc_dns_name *d, size_t size);
struct lc_fanout_slot *lc_fanout_at(const struct lc_fanout *f, size_t i);
void lc_fanout_set_addr(struct lc_fanout_slot *s, const char *addr);
/* evidence.addresses.<the slot's address>. */
json_t *lc_fanout_ev(struct lc_fanout_slot *s);
/* After `us`, ops->expire for every slot still without a verdict. 0, or
 * -1 after finishing the check as an ERROR (out of memory). */
int lc_fanout_arm(struct lc_fanout *f, uint64_t us);
/* The slot's verdict (once; later calls are ignored). Server strings in
 * the message must have been escaped as they went in. */
void lc_fanout_end(struct lc_fanout_slot *s, enum lc_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The slot is over, its facts kept by the probe for ops->all_done (no
 * status or message of its own). */
void lc_fanout_done(struct lc_fanout_slot *s);
/* The check ended by timeout or deadline: the timer and every slot's
 * connection released (for lc_check_set_cancel). */
void lc_fanout_release(struct lc_fanout *f);
/* lc_fanout_release, and the slots freed (for the check's arg_free). */
void lc_fanout_clear(struct lc_fanout *f);

/* For a judge that weighs every address at once (ops->all_done): an
 * array of f->n observations of `size` bytes, the i-th filled from slot i
 * by `fill`; the caller frees it. NULL after finishing the check as an
 * ERROR (out of memory). */
void *lc_fanout_observe(struct lc_fanout *f, size_t size,
                        void (*fill)(const struct lc_fanout_slot *s, void *obs));

/* The worst slot's verdict (FAIL > WARN > PASS ...), which is also every
 * address's when there is one: "MSG" for one address, "MSG (all N
 * addresses)" when all pass, else "on ADDR[:PORT][ and others]: MSG". */
void lc_fanout_finish_worst(struct lc_fanout *f);
/* lc_fanout_finish_worst's verdict and message, from the slots alone. */
enum lc_status lc_fanout_judge(const struct lc_fanout *f, char *msg, size_t len);
/* The worst slot (NULL for none), how many share its status and whether
 * every slot passed: for a probe that words the verdict its own way. */
const struct lc_fanout_slot *lc_fanout_worst(const struct lc_fanout *f, size_t *n_worst,
                                             int *pass_all);

#endif
