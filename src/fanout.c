/* SPDX-License-Identifier: MIT */
/* lynccheck - one check, one connection per address (fanout.h). */
#include "fanout.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "loop.h"
#include "run.h"
#include "utf8.h"

struct lc_fanout_slot *lc_fanout_at(const struct lc_fanout *f, size_t i)
{
    return (struct lc_fanout_slot *)(void *)((char *)f->slots + i * f->size);
}

void lc_fanout_set_addr(struct lc_fanout_slot *s, const char *addr)
{
    snprintf(s->addr, sizeof(s->addr), "%s", addr);
}

int lc_fanout_init(struct lc_fanout *f, struct lc_check *check, const struct lc_fanout_ops *ops,
                   size_t n, size_t size)
{
    size_t i;

    f->check = check;
    f->ops = ops;
    f->size = size;
    f->slots = calloc(n > 0 ? n : 1, size);
    if (f->slots == NULL || size < sizeof(struct lc_fanout_slot)) {
        lc_check_finish(check, LC_ERROR, "out of memory");
        return -1;
    }
    f->n = f->pending = n;
    for (i = 0; i < n; i++)
        lc_fanout_at(f, i)->fan = f;
    json_object_set_new(lc_check_evidence(check), "addresses", json_object());
    return 0;
}

int lc_fanout_init_name(struct lc_fanout *f, struct lc_check *check,
                        const struct lc_fanout_ops *ops, const struct lc_dns_name *d, size_t size)
{
    size_t i;

    if (lc_fanout_init(f, check, ops, d->n_addrs, size) < 0)
        return -1;
    for (i = 0; i < f->n; i++)
        lc_fanout_set_addr(lc_fanout_at(f, i), d->addrs[i].text);
    return 0;
}

json_t *lc_fanout_ev(struct lc_fanout_slot *s)
{
    return lc_check_evidence_addr(s->fan->check, s->addr);
}

static void lc_fanout_on_timer(struct lc_loop *loop, void *arg)
{
    struct lc_fanout *f = arg;
    unsigned long long ms = (unsigned long long)(f->timer_us / 1000);
    size_t i;

    (void)loop;
    f->timer = NULL;
    for (i = 0; i < f->n && !lc_check_is_done(f->check); i++) {
        struct lc_fanout_slot *s = lc_fanout_at(f, i);
        if (!s->done && f->ops->expire != NULL)
            f->ops->expire(s, ms);
    }
}

int lc_fanout_arm(struct lc_fanout *f, uint64_t us)
{
    f->timer_us = us;
    f->timer = lc_loop_timer_add(lc_check_loop(f->check), us, lc_fanout_on_timer, f);
    if (f->timer == NULL) {
        lc_check_finish(f->check, LC_ERROR, "out of memory");
        return -1;
    }
    return 0;
}

static void lc_fanout_timer_stop(struct lc_fanout *f)
{
    if (f->timer != NULL) {
        lc_loop_timer_cancel(lc_check_loop(f->check), f->timer);
        f->timer = NULL;
    }
}

void lc_fanout_release(struct lc_fanout *f)
{
    size_t i;

    if (f->check == NULL || f->slots == NULL)
        return;
    lc_fanout_timer_stop(f);
    for (i = 0; i < f->n && f->ops->release != NULL; i++)
        f->ops->release(lc_fanout_at(f, i));
}

void lc_fanout_clear(struct lc_fanout *f)
{
    lc_fanout_release(f);
    free(f->slots);
    f->slots = NULL;
    f->n = f->pending = 0;
}

void lc_fanout_done(struct lc_fanout_slot *s)
{
    struct lc_fanout *f = s->fan;

    if (s->done)
        return;
    s->done = 1;
    if (f->ops->release != NULL)
        f->ops->release(s);
    if (--f->pending > 0)
        return;
    lc_fanout_timer_stop(f);
    if (f->ops->all_done != NULL)
        f->ops->all_done(f);
    else
        lc_fanout_finish_worst(f);
}

/* A message that is not UTF-8 (a probe forgot to escape) still goes into
 * the evidence: json_string() refuses it, so each bad byte becomes '?'. */
static json_t *lc_fanout_json_text(const char *s)
{
    char buf[sizeof(((struct lc_fanout_slot *)0)->message)];
    size_t i = 0, n = strlen(s), o = 0;
    json_t *j = json_string(s);

    if (j != NULL)
        return j;
    while (i < n && o + 1 < sizeof(buf)) {
        uint32_t cp;
        size_t k = lc_utf8_len((const unsigned char *)s + i, n - i, &cp);
        if (k == 0 || o + k >= sizeof(buf)) {
            buf[o++] = '?';
            i++;
            continue;
        }
        memcpy(buf + o, s + i, k);
        o += k;
        i += k;
    }
    buf[o] = '\0';
    return json_string(buf);
}

void lc_fanout_end(struct lc_fanout_slot *s, enum lc_status st, const char *fmt, ...)
{
    json_t *ev;
    va_list ap;

    if (s->done)
        return;
    va_start(ap, fmt);
    (void)vsnprintf(s->message, sizeof(s->message), fmt, ap);
    va_end(ap);
    s->status = st;
    /* The last evidence while the connection is still open. */
    if (s->fan->ops->ended != NULL)
        s->fan->ops->ended(s);
    ev = lc_fanout_ev(s);
    if (s->started_us != 0)
        json_object_set_new(ev, "elapsed_ms",
                            json_integer((json_int_t)((lc_now_us() - s->started_us) / 1000)));
    json_object_set_new(ev, "status", json_string(lc_status_name(st)));
    json_object_set_new(ev, "message", lc_fanout_json_text(s->message));
    lc_fanout_done(s);
}

void *lc_fanout_observe(struct lc_fanout *f, size_t size,
                        void (*fill)(const struct lc_fanout_slot *s, void *obs))
{
    char *obs = calloc(f->n > 0 ? f->n : 1, size);
    size_t i;

    if (obs == NULL) {
        lc_check_finish(f->check, LC_ERROR, "out of memory");
        return NULL;
    }
    for (i = 0; i < f->n; i++)
        fill(lc_fanout_at(f, i), obs + i * size);
    return obs;
}

const struct lc_fanout_slot *lc_fanout_worst(const struct lc_fanout *f, size_t *n_worst,
                                             int *pass_all)
{
    const struct lc_fanout_slot *worst = NULL;
    size_t i;

    *n_worst = 0;
    *pass_all = f->n > 0;
    for (i = 0; i < f->n; i++) {
        const struct lc_fanout_slot *s = lc_fanout_at(f, i);
        if (s->status != LC_PASS)
            *pass_all = 0;
        if (worst == NULL || lc_status_rank(s->status) > lc_status_rank(worst->status)) {
            worst = s;
            *n_worst = 1;
        } else if (s->status == worst->status) {
            (*n_worst)++;
        }
    }
    return worst;
}

enum lc_status lc_fanout_judge(const struct lc_fanout *f, char *msg, size_t len)
{
    size_t n_worst;
    int pass_all;
    const struct lc_fanout_slot *w = lc_fanout_worst(f, &n_worst, &pass_all);
    char port[16] = "";

    if (f->port != 0)
        snprintf(port, sizeof(port), ":%u", f->port);
    if (w == NULL) {
        snprintf(msg, len, "no address to probe");
        return LC_ERROR;
    }
    if (f->n == 1)
        snprintf(msg, len, "%s", w->message);
    else if (pass_all)
        snprintf(msg, len, "%s (all %zu addresses)", w->message, f->n);
    else
        snprintf(msg, len, "on %s%s%s: %s", w->addr, port, n_worst > 1 ? " and others" : "",
                 w->message);
    return w->status;
}

void lc_fanout_finish_worst(struct lc_fanout *f)
{
    char msg[sizeof(((struct lc_fanout_slot *)0)->message) + 128];
    enum lc_status st = lc_fanout_judge(f, msg, sizeof(msg));

    lc_check_finish(f->check, st, "%s", msg);
}
