/* SPDX-License-Identifier: MIT */
/* Unit tests of the event loop: timers, descriptors, exit conditions. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "suites.h"

static char lc_order[16];
static char lc_names[] = "abcx0123456789";
static size_t lc_order_len;

static void lc_mark(struct lc_loop *loop, void *arg)
{
    (void)loop;
    if (lc_order_len < sizeof(lc_order) - 1)
        lc_order[lc_order_len++] = *(const char *)arg;
}

START_TEST(test_timers_fire_in_order_and_cancel)
{
    struct lc_loop *loop;
    struct lc_timer *t;
    uint64_t t0 = lc_now_us();

    lc_order_len = 0;
    memset(lc_order, 0, sizeof(lc_order));
    ck_assert_int_eq(lc_loop_new(&loop), 0);
    ck_assert_ptr_nonnull(lc_loop_timer_add(loop, 30000, lc_mark, &lc_names[2]));
    ck_assert_ptr_nonnull(lc_loop_timer_add(loop, 10000, lc_mark, &lc_names[0]));
    t = lc_loop_timer_add(loop, 20000, lc_mark, &lc_names[3]);
    ck_assert_ptr_nonnull(lc_loop_timer_add(loop, 20000, lc_mark, &lc_names[1]));
    ck_assert_ptr_nonnull(t);
    lc_loop_timer_cancel(loop, t);
    ck_assert_uint_eq(lc_loop_timer_count(loop), 3);
    ck_assert_int_eq(lc_loop_run(loop), 0);
    ck_assert_str_eq(lc_order, "abc");
    /* The loop waited for its timers rather than spinning past them. */
    ck_assert_uint_ge(lc_now_us() - t0, 30000);
    ck_assert_uint_eq(lc_loop_timer_count(loop), 0);
    lc_loop_free(loop);
}
END_TEST

START_TEST(test_many_timers_heap_order)
{
    struct lc_loop *loop;
    struct lc_timer *cancel[10];
    int i;

    lc_order_len = 0;
    memset(lc_order, 0, sizeof(lc_order));
    ck_assert_int_eq(lc_loop_new(&loop), 0);
    /* Added in reverse; half cancelled, from the middle of the heap. */
    for (i = 9; i >= 0; i--)
        cancel[i] = lc_loop_timer_add(loop, (uint64_t)(i + 1) * 2000, lc_mark, &lc_names[4 + i]);
    for (i = 1; i < 10; i += 2)
        lc_loop_timer_cancel(loop, cancel[i]);
    ck_assert_int_eq(lc_loop_run(loop), 0);
    ck_assert_str_eq(lc_order, "02468");
    lc_loop_free(loop);
}
END_TEST

struct lc_pipe_state {
    int reads;
    char got[8];
};

static void lc_on_readable(struct lc_loop *loop, int fd, unsigned events, void *arg)
{
    struct lc_pipe_state *st = arg;
    ssize_t n;

    ck_assert(events & LC_IO_READ);
    n = read(fd, st->got, sizeof(st->got) - 1);
    ck_assert_int_gt(n, 0);
    st->reads++;
    /* Unwatching the last descriptor ends the loop. */
    ck_assert_int_eq(lc_loop_io_set(loop, fd, 0, NULL, NULL), 0);
}

static void lc_write_later(struct lc_loop *loop, void *arg)
{
    (void)loop;
    ck_assert_int_eq(write(*(int *)arg, "hi", 2), 2);
}

START_TEST(test_io_readable_then_unwatch_ends_loop)
{
    struct lc_loop *loop;
    struct lc_pipe_state st;
    int fds[2];

    memset(&st, 0, sizeof(st));
    ck_assert_int_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
    ck_assert_int_eq(lc_loop_new(&loop), 0);
    ck_assert_int_eq(lc_loop_io_set(loop, fds[0], LC_IO_READ, lc_on_readable, &st), 0);
    ck_assert_uint_eq(lc_loop_io_count(loop), 1);
    ck_assert_ptr_nonnull(lc_loop_timer_add(loop, 5000, lc_write_later, &fds[1]));
    ck_assert_int_eq(lc_loop_run(loop), 0);
    ck_assert_int_eq(st.reads, 1);
    ck_assert_str_eq(st.got, "hi");
    ck_assert_uint_eq(lc_loop_io_count(loop), 0);
    lc_loop_free(loop);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* lc_loop_io_close: the record goes with the descriptor (one close, no
 * EPOLL_CTL_DEL), and the number the kernel hands out next is watched
 * afresh: its events reach the new callback only. */
START_TEST(test_io_close_forgets_and_number_reused)
{
    struct lc_loop *loop;
    struct lc_pipe_state old_st, new_st;
    int a[2], b[2];

    memset(&old_st, 0, sizeof(old_st));
    memset(&new_st, 0, sizeof(new_st));
    ck_assert_int_eq(lc_loop_new(&loop), 0);
    ck_assert_int_eq(pipe2(a, O_NONBLOCK | O_CLOEXEC), 0);
    ck_assert_int_eq(lc_loop_io_set(loop, a[0], LC_IO_READ, lc_on_readable, &old_st), 0);
    ck_assert_int_eq(write(a[1], "x", 1), 1); /* readable, never read */
    ck_assert_uint_eq(lc_loop_io_count(loop), 1);
    lc_loop_io_close(loop, a[0]);
    ck_assert_uint_eq(lc_loop_io_count(loop), 0);
    close(a[1]);
    /* The lowest free numbers: the two just closed. */
    ck_assert_int_eq(pipe2(b, O_NONBLOCK | O_CLOEXEC), 0);
    ck_assert_int_eq(lc_loop_io_set(loop, b[0], LC_IO_READ, lc_on_readable, &new_st), 0);
    ck_assert_ptr_nonnull(lc_loop_timer_add(loop, 5000, lc_write_later, &b[1]));
    ck_assert_int_eq(lc_loop_run(loop), 0);
    ck_assert_int_eq(old_st.reads, 0);
    ck_assert_int_eq(new_st.reads, 1);
    ck_assert_str_eq(new_st.got, "hi");
    lc_loop_io_close(loop, -1); /* ignored */
    lc_loop_free(loop);
    close(b[0]);
    close(b[1]);
}
END_TEST

/* lc_loop_io_rearm: the watched descriptor's events go to the new
 * callback argument; an unwatched one is refused. */
START_TEST(test_io_rearm_new_owner)
{
    struct lc_loop *loop;
    struct lc_pipe_state old_st, new_st;
    int a[2];

    memset(&old_st, 0, sizeof(old_st));
    memset(&new_st, 0, sizeof(new_st));
    ck_assert_int_eq(lc_loop_new(&loop), 0);
    ck_assert_int_eq(pipe2(a, O_NONBLOCK | O_CLOEXEC), 0);
    ck_assert_int_eq(lc_loop_io_rearm(loop, a[0], lc_on_readable, &new_st), -ENOENT);
    ck_assert_int_eq(lc_loop_io_rearm(loop, -1, lc_on_readable, &new_st), -ENOENT);
    ck_assert_int_eq(lc_loop_io_set(loop, a[0], LC_IO_READ, lc_on_readable, &old_st), 0);
    ck_assert_int_eq(lc_loop_io_rearm(loop, a[0], lc_on_readable, &new_st), 0);
    ck_assert_uint_eq(lc_loop_io_count(loop), 1);
    ck_assert_ptr_nonnull(lc_loop_timer_add(loop, 5000, lc_write_later, &a[1]));
    ck_assert_int_eq(lc_loop_run(loop), 0);
    ck_assert_int_eq(old_st.reads, 0);
    ck_assert_int_eq(new_st.reads, 1);
    ck_assert_str_eq(new_st.got, "hi");
    lc_loop_free(loop);
    close(a[0]);
    close(a[1]);
}
END_TEST

/* Answers already waiting are read before a due timer fires, even more
 * than one epoll batch of them (64): the timer sees all 150. */
#define LC_T_MANY 150
static int lc_t_many_reads, lc_t_reads_at_timer = -1;

static void lc_t_many_on_read(struct lc_loop *loop, int fd, unsigned events, void *arg)
{
    char c;

    (void)events;
    (void)arg;
    ck_assert_int_eq(read(fd, &c, 1), 1);
    lc_t_many_reads++;
    lc_loop_io_close(loop, fd);
}

static void lc_t_many_on_timer(struct lc_loop *loop, void *arg)
{
    (void)loop;
    (void)arg;
    lc_t_reads_at_timer = lc_t_many_reads;
}

START_TEST(test_ready_io_before_due_timer)
{
    struct lc_loop *loop;
    int w[LC_T_MANY], i;

    ck_assert_int_eq(lc_loop_new(&loop), 0);
    for (i = 0; i < LC_T_MANY; i++) {
        int p[2];
        ck_assert_int_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
        ck_assert_int_eq(write(p[1], "x", 1), 1);
        w[i] = p[1];
        ck_assert_int_eq(lc_loop_io_set(loop, p[0], LC_IO_READ, lc_t_many_on_read, NULL), 0);
    }
    /* Due at once: it fires after the first turn's reads. */
    ck_assert_ptr_nonnull(lc_loop_timer_add(loop, 0, lc_t_many_on_timer, NULL));
    ck_assert_int_eq(lc_loop_run(loop), 0);
    ck_assert_int_eq(lc_t_many_reads, LC_T_MANY);
    ck_assert_int_eq(lc_t_reads_at_timer, LC_T_MANY);
    for (i = 0; i < LC_T_MANY; i++)
        close(w[i]);
    lc_loop_free(loop);
}
END_TEST

static void lc_stop_cb(struct lc_loop *loop, void *arg)
{
    (void)arg;
    lc_loop_stop(loop);
}

START_TEST(test_stop_leaves_pending_timers)
{
    struct lc_loop *loop;

    ck_assert_int_eq(lc_loop_new(&loop), 0);
    ck_assert_ptr_nonnull(lc_loop_timer_add(loop, 1000, lc_stop_cb, NULL));
    ck_assert_ptr_nonnull(lc_loop_timer_add(loop, 60000000, lc_stop_cb, NULL));
    ck_assert_int_eq(lc_loop_run(loop), 0);
    ck_assert_uint_eq(lc_loop_timer_count(loop), 1);
    lc_loop_free(loop); /* frees the pending timer */
}
END_TEST

Suite *lc_suite_loop(void)
{
    Suite *s = suite_create("loop");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_timers_fire_in_order_and_cancel);
    tcase_add_test(tc, test_many_timers_heap_order);
    tcase_add_test(tc, test_io_readable_then_unwatch_ends_loop);
    tcase_add_test(tc, test_io_close_forgets_and_number_reused);
    tcase_add_test(tc, test_io_rearm_new_owner);
    tcase_add_test(tc, test_ready_io_before_due_timer);
    tcase_add_test(tc, test_stop_leaves_pending_timers);
    suite_add_tcase(s, tc);
    return s;
}
