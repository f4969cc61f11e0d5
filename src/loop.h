/* SPDX-License-Identifier: MIT */
/* lynccheck - the one event loop (epoll) that owns every descriptor and timer.
 *
 * Everything that waits in lynccheck waits here: c-ares sockets (dns.c),
 * libcurl's multi sockets (http.c), raw TCP/UDP probe sockets and all timers.
 * Single-threaded; callbacks run from lc_loop_run(). */
#ifndef LC_LOOP_H
#define LC_LOOP_H

#include <stdint.h>

struct lc_loop;
struct lc_timer;

enum { LC_IO_READ = 1, LC_IO_WRITE = 2 };

/* events: LC_IO_READ | LC_IO_WRITE that are ready; errors and hang-ups are
 * reported as both, so the owner's next read or write sees the error.
 * Readiness can be spurious (a descriptor closed and its number reused by
 * another callback in the same batch): sockets are non-blocking and
 * callbacks must treat EAGAIN as "not yet". */
typedef void (*lc_io_cb)(struct lc_loop *loop, int fd, unsigned events, void *arg);
typedef void (*lc_timer_cb)(struct lc_loop *loop, void *arg);

/* Monotonic time in microseconds (CLOCK_MONOTONIC); never wall clock. */
uint64_t lc_now_us(void);

int lc_loop_new(struct lc_loop **out);
void lc_loop_free(struct lc_loop *loop);

/* Watch fd for events (LC_IO_READ|LC_IO_WRITE); a second call for the same fd
 * replaces events, callback and argument; events == 0 stops watching.
 * Returns 0, or -errno. */
int lc_loop_io_set(struct lc_loop *loop, int fd, unsigned events, lc_io_cb cb, void *arg);
/* Stop watching fd and close it, in one system call instead of two: closing
 * a descriptor takes it out of the epoll set (epoll(7): once every
 * descriptor of the open file is closed), so only for a descriptor never
 * duplicated nor shared with a child (our sockets: SOCK_CLOEXEC, no dup).
 * For probes that open sockets by the thousand (the port ranges). */
void lc_loop_io_close(struct lc_loop *loop, int fd);
/* Hand a watched fd to a new callback and argument, same events, with no
 * system call (lc_loop_io_set does an EPOLL_CTL_MOD). Only for a
 * descriptor its caller kept open and watched since lc_loop_io_set: a
 * number closed and handed out again needs lc_loop_io_set. For the port
 * sweep, which moves one socket from port to port. 0, or -ENOENT when fd
 * is not watched. */
int lc_loop_io_rearm(struct lc_loop *loop, int fd, lc_io_cb cb, void *arg);

/* One-shot timer firing after `after_us` microseconds. Returns NULL when out
 * of memory. A timer is freed by the loop after it fires, or by cancel. */
struct lc_timer *lc_loop_timer_add(struct lc_loop *loop, uint64_t after_us, lc_timer_cb cb,
                                   void *arg);
/* Cancel a pending timer; NULL is ignored. Must not be called on a timer
 * that has already fired (the pointer is gone by then). */
void lc_loop_timer_cancel(struct lc_loop *loop, struct lc_timer *timer);

/* Run until lc_loop_stop() or until nothing is watched and no timer is
 * pending. A stop requested before the run starts ends it at once; the flag
 * is cleared when the run returns. Returns 0, or -errno when epoll fails. */
int lc_loop_run(struct lc_loop *loop);
void lc_loop_stop(struct lc_loop *loop);

/* How many descriptors / timers are live (for tests and the scheduler). */
unsigned lc_loop_io_count(const struct lc_loop *loop);
unsigned lc_loop_timer_count(const struct lc_loop *loop);

#endif
