/* SPDX-License-Identifier: MIT */
/* lynccheck - the one event loop: epoll for descriptors, a binary min-heap
 * for timers. Modelled on the small-loop school (redis ae.c): everything in
 * one file, readable in ten minutes. */
#include "loop.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

struct lc_io {
    int fd;
    unsigned events;
    lc_io_cb cb;
    void *arg;
};

struct lc_timer {
    uint64_t due_us;
    uint64_t seq; /* ties fire in the order they were added */
    size_t heap_index;
    lc_timer_cb cb;
    void *arg;
};

struct lc_loop {
    int epfd;
    int stop;
    /* Watches indexed by descriptor: descriptors are small integers, so a
     * table is both simpler and faster than a hash. */
    struct lc_io **io;
    size_t io_cap;
    unsigned io_count;
    struct lc_timer **heap;
    size_t heap_len, heap_cap;
    uint64_t timer_seq;
};

uint64_t lc_now_us(void)
{
    struct timespec ts;

    /* CLOCK_MONOTONIC cannot fail on Linux with a valid pointer. */
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int lc_loop_new(struct lc_loop **out)
{
    struct lc_loop *loop = calloc(1, sizeof(*loop));

    *out = NULL;
    if (loop == NULL)
        return -ENOMEM;
    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (loop->epfd < 0) {
        int err = -errno;
        free(loop);
        return err;
    }
    *out = loop;
    return 0;
}

void lc_loop_free(struct lc_loop *loop)
{
    size_t i;

    if (loop == NULL)
        return;
    for (i = 0; i < loop->io_cap; i++)
        free(loop->io[i]);
    free(loop->io);
    for (i = 0; i < loop->heap_len; i++)
        free(loop->heap[i]);
    free(loop->heap);
    if (loop->epfd >= 0)
        close(loop->epfd);
    free(loop);
}

static int lc_loop_io_grow(struct lc_loop *loop, int fd)
{
    size_t cap = loop->io_cap ? loop->io_cap : 64;
    struct lc_io **io;

    while (cap <= (size_t)fd)
        cap *= 2;
    if (cap == loop->io_cap)
        return 0;
    io = realloc(loop->io, cap * sizeof(*io));
    if (io == NULL)
        return -ENOMEM;
    memset(io + loop->io_cap, 0, (cap - loop->io_cap) * sizeof(*io));
    loop->io = io;
    loop->io_cap = cap;
    return 0;
}

/* Drop fd's watch record (its epoll registration is the caller's). */
static void lc_loop_io_forget(struct lc_loop *loop, int fd)
{
    if ((size_t)fd < loop->io_cap && loop->io[fd] != NULL) {
        free(loop->io[fd]);
        loop->io[fd] = NULL;
        loop->io_count--;
    }
}

int lc_loop_io_set(struct lc_loop *loop, int fd, unsigned events, lc_io_cb cb, void *arg)
{
    struct epoll_event ev;
    struct lc_io *io;
    int rc;

    if (fd < 0)
        return -EBADF;
    if ((size_t)fd >= loop->io_cap) {
        if (events == 0)
            return 0;
        rc = lc_loop_io_grow(loop, fd);
        if (rc < 0)
            return rc;
    }
    io = loop->io[fd];
    if (events == 0) {
        if (io == NULL)
            return 0;
        /* The descriptor may already be closed by its owner (c-ares and
         * libcurl close before telling us); EBADF/ENOENT are fine then. */
        (void)epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
        lc_loop_io_forget(loop, fd);
        return 0;
    }
    memset(&ev, 0, sizeof(ev));
    ev.events = ((events & LC_IO_READ) ? EPOLLIN : 0u) | ((events & LC_IO_WRITE) ? EPOLLOUT : 0u);
    ev.data.fd = fd;
    if (io == NULL) {
        io = calloc(1, sizeof(*io));
        if (io == NULL)
            return -ENOMEM;
        rc = epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev);
        if (rc < 0 && errno == EEXIST)
            rc = epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev);
        if (rc < 0) {
            rc = -errno;
            free(io);
            return rc;
        }
        loop->io[fd] = io;
        loop->io_count++;
    } else if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0) {
        /* A descriptor number reused after close without a prior
         * unwatch: register it afresh. */
        if (errno != ENOENT || epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
            return -errno;
    }
    io->fd = fd;
    io->events = events;
    io->cb = cb;
    io->arg = arg;
    return 0;
}

int lc_loop_io_rearm(struct lc_loop *loop, int fd, lc_io_cb cb, void *arg)
{
    struct lc_io *io;

    if (fd < 0 || (size_t)fd >= loop->io_cap || (io = loop->io[fd]) == NULL)
        return -ENOENT;
    io->cb = cb;
    io->arg = arg;
    return 0;
}

void lc_loop_io_close(struct lc_loop *loop, int fd)
{
    if (fd < 0)
        return;
    lc_loop_io_forget(loop, fd);
    close(fd);
}

/* Timer heap ordered by (due_us, seq). */
static int lc_timer_before(const struct lc_timer *a, const struct lc_timer *b)
{
    if (a->due_us != b->due_us)
        return a->due_us < b->due_us;
    return a->seq < b->seq;
}

static void lc_heap_place(struct lc_loop *loop, size_t i, struct lc_timer *t)
{
    loop->heap[i] = t;
    t->heap_index = i;
}

static void lc_heap_up(struct lc_loop *loop, size_t i)
{
    struct lc_timer *t = loop->heap[i];

    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!lc_timer_before(t, loop->heap[parent]))
            break;
        lc_heap_place(loop, i, loop->heap[parent]);
        i = parent;
    }
    lc_heap_place(loop, i, t);
}

static void lc_heap_down(struct lc_loop *loop, size_t i)
{
    struct lc_timer *t = loop->heap[i];

    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= loop->heap_len)
            break;
        if (child + 1 < loop->heap_len && lc_timer_before(loop->heap[child + 1], loop->heap[child]))
            child++;
        if (!lc_timer_before(loop->heap[child], t))
            break;
        lc_heap_place(loop, i, loop->heap[child]);
        i = child;
    }
    lc_heap_place(loop, i, t);
}

static void lc_heap_remove(struct lc_loop *loop, struct lc_timer *t)
{
    size_t i = t->heap_index;
    struct lc_timer *last = loop->heap[--loop->heap_len];

    if (last == t)
        return;
    lc_heap_place(loop, i, last);
    lc_heap_down(loop, i);
    lc_heap_up(loop, last->heap_index);
}

struct lc_timer *lc_loop_timer_add(struct lc_loop *loop, uint64_t after_us, lc_timer_cb cb,
                                   void *arg)
{
    struct lc_timer *t;
    uint64_t now;

    if (loop->heap_len == loop->heap_cap) {
        size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 64;
        struct lc_timer **heap = realloc(loop->heap, cap * sizeof(*heap));
        if (heap == NULL)
            return NULL;
        loop->heap = heap;
        loop->heap_cap = cap;
    }
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    now = lc_now_us();
    /* Saturate: a huge delay must not wrap round and fire at once. */
    t->due_us = after_us > UINT64_MAX - now ? UINT64_MAX : now + after_us;
    t->seq = loop->timer_seq++;
    t->cb = cb;
    t->arg = arg;
    loop->heap[loop->heap_len] = t;
    t->heap_index = loop->heap_len++;
    lc_heap_up(loop, t->heap_index);
    return t;
}

void lc_loop_timer_cancel(struct lc_loop *loop, struct lc_timer *timer)
{
    if (timer == NULL)
        return;
    lc_heap_remove(loop, timer);
    free(timer);
}

void lc_loop_stop(struct lc_loop *loop)
{
    loop->stop = 1;
}

unsigned lc_loop_io_count(const struct lc_loop *loop)
{
    return loop->io_count;
}

unsigned lc_loop_timer_count(const struct lc_loop *loop)
{
    return (unsigned)loop->heap_len;
}

/* Fire every timer that is due. A callback may add or cancel timers; those
 * added with a zero delay fire on the next turn, so a callback that re-arms
 * itself cannot starve descriptors. */
static void lc_loop_fire_timers(struct lc_loop *loop)
{
    uint64_t now = lc_now_us();
    uint64_t limit = loop->timer_seq;

    while (loop->heap_len > 0 && !loop->stop) {
        struct lc_timer *t = loop->heap[0];
        lc_timer_cb cb;
        void *arg;

        if (t->due_us > now || t->seq >= limit)
            break;
        lc_heap_remove(loop, t);
        cb = t->cb;
        arg = t->arg;
        free(t);
        cb(loop, arg);
    }
}

static int lc_loop_wait_ms(const struct lc_loop *loop)
{
    uint64_t now, due, ms;

    if (loop->heap_len == 0)
        return -1;
    now = lc_now_us();
    due = loop->heap[0]->due_us;
    if (due <= now)
        return 0;
    /* Round up: waking a millisecond early would spin. */
    ms = (due - now + 999u) / 1000u;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Events taken per epoll_wait, and how many full batches in a row are
 * taken before the due timers fire. */
#define LC_LOOP_BATCH 64
#define LC_LOOP_DRAIN 16

static void lc_loop_dispatch(struct lc_loop *loop, const struct epoll_event *events, int n)
{
    int i;

    for (i = 0; i < n && !loop->stop; i++) {
        int fd = events[i].data.fd;
        struct lc_io *io;
        unsigned ready = 0;

        /* An earlier callback in this batch may have unwatched it. */
        if ((size_t)fd >= loop->io_cap || (io = loop->io[fd]) == NULL)
            continue;
        if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
            ready |= LC_IO_READ;
        if (events[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
            ready |= LC_IO_WRITE;
        /* An earlier callback in this batch may have narrowed the watch. */
        ready &= io->events;
        if (ready == 0)
            continue;
        io->cb(loop, fd, ready, io->arg);
    }
}

int lc_loop_run(struct lc_loop *loop)
{
    struct epoll_event events[LC_LOOP_BATCH];

    while (!loop->stop && (loop->io_count > 0 || loop->heap_len > 0)) {
        int n = epoll_wait(loop->epfd, events, LC_LOOP_BATCH, lc_loop_wait_ms(loop));
        int rounds = 1;

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        lc_loop_dispatch(loop, events, n);
        /* A full batch: more descriptors may be ready. Take them before the
         * due timers fire (up to LC_LOOP_DRAIN batches, so timers still get
         * their turn): a loop that fell behind (a port sweep's thousands of
         * answers at once, a loaded machine) must not time out a check whose
         * answer is already waiting. It came before the deadline; only the
         * reading was late. */
        while (n == LC_LOOP_BATCH && rounds++ < LC_LOOP_DRAIN && !loop->stop) {
            n = epoll_wait(loop->epfd, events, LC_LOOP_BATCH, 0);
            if (n < 0)
                break; /* EINTR or worse: the next turn's epoll_wait says */
            lc_loop_dispatch(loop, events, n);
        }
        lc_loop_fire_timers(loop);
    }
    /* A stop ends this run only; the next run starts afresh. */
    loop->stop = 0;
    return 0;
}
