/* SPDX-License-Identifier: MIT */
/* Unit tests of the port probe's verdict (src/port_judge.c): the tally of
 * probe outcomes and the verdict for service ports, TCP ranges and UDP
 * ranges, from case tables; and the socket reuse its sweep rests on
 * (src/net.c), on loopback. */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "port_judge.h"
#include "suites.h"

#define O LC_PS_OPEN
#define C LC_PS_CLOSED
#define F LC_PS_FILTERED
#define U LC_PS_UNREACH
#define P LC_PS_PENDING
#define END ((enum lc_port_state)99)

static const struct lc_t_port_case {
    int range, udp;
    enum lc_port_state st[8]; /* probe outcomes, END-terminated */
    enum lc_status want;
    const char *msg;  /* a substring of the message */
    const char *msg2; /* another, or NULL */
} lc_t_port_cases[] = {
    /* A service port: open on every address, or FAIL naming the others. */
    {0, 0, {O, O, END}, LC_PASS, "port 443 open on 2 addresses", NULL},
    {0, 0, {O, END}, LC_PASS, "open on 2 addresses", NULL},
    {0, 0, {O, C, END}, LC_FAIL, "192.0.2.2:443 closed", "not open"},
    {0, 0, {F, O, END}, LC_FAIL, "192.0.2.1:443 filtered", "the firewall drops it"},
    {0, 0, {U, END}, LC_FAIL, "192.0.2.1:443 unreachable", NULL},
    /* Never a pass without a verdict. */
    {0, 0, {O, P, END}, LC_ERROR, "1 of 2 probes had no verdict", NULL},
    {0, 0, {C, P, END}, LC_FAIL, "closed", NULL},
    {0, 0, {END}, LC_ERROR, "nothing was probed", NULL},
    /* A TCP range: open and closed pass (the firewall lets it through). */
    {1, 0, {C, C, O, C, END}, LC_PASS, "4 probes, none filtered (1 open, 3 closed", NULL},
    {1, 0, {C, F, C, U, END}, LC_FAIL, "2 of 4 probes filtered or unreachable", "443 filtered"},
    {1, 0, {F, F, F, F, F, F, F, F}, LC_FAIL, "8 of 8 probes", NULL},
    {1, 0, {C, P, P, END}, LC_ERROR, "2 of 3 probes had no verdict", "none of the others"},
    {1, 0, {F, P, END}, LC_FAIL, "1 of 2 probes filtered", NULL},
    {1, 0, {END}, LC_ERROR, "nothing was probed", NULL},
    /* A UDP range: ICMP port unreachable passes; silence only warns. */
    {1, 1, {C, C, O, END}, LC_PASS, "all 3 sampled ports answered (2 closed", "1 open"},
    {1, 1, {C, F, END}, LC_WARN, "1 of 2 sampled ports silent", "443 silent"},
    {1, 1, {F, F, END}, LC_WARN, "UDP cannot tell from outside", NULL},
    {1, 1, {C, P, END}, LC_ERROR, "no verdict", NULL},
};

static void lc_t_tally(const struct lc_t_port_case *t, struct lc_port_tally *y, size_t *n_addrs)
{
    static const char *const addrs[] = {"192.0.2.1", "192.0.2.2"};
    size_t i;

    lc_port_tally_init(y, t->range, t->udp);
    for (i = 0; i < 8 && t->st[i] != END; i++)
        (void)lc_port_tally_add(y, t->range ? addrs[0] : addrs[i % 2], t->range ? 443 : 443,
                                t->st[i]);
    *n_addrs = 2;
}

START_TEST(test_port_judge)
{
    const struct lc_t_port_case *t = &lc_t_port_cases[_i];
    struct lc_port_tally y;
    size_t n_addrs;
    char msg[512] = "";
    enum lc_status st;

    lc_t_tally(t, &y, &n_addrs);
    st = lc_port_judge(&y, "edge.example.test", 443, t->range ? 50000 : 443, n_addrs, msg,
                       sizeof(msg));
    ck_assert_msg(st == t->want, "case %d: status %d, want %d: %s", _i, (int)st, (int)t->want, msg);
    ck_assert_msg(strstr(msg, "edge.example.test") != NULL, "case %d: no host in \"%s\"", _i, msg);
    ck_assert_msg(strstr(msg, t->msg) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg, msg);
    if (t->msg2 != NULL)
        ck_assert_msg(strstr(msg, t->msg2) != NULL, "case %d: \"%s\" not in \"%s\"", _i, t->msg2,
                      msg);
}
END_TEST

/* The message never exceeds its buffer; no buffer at all is fine. */
START_TEST(test_port_judge_bounded)
{
    const struct lc_t_port_case *t = &lc_t_port_cases[_i];
    struct lc_port_tally y;
    size_t n_addrs, k;
    char buf[64];

    lc_t_tally(t, &y, &n_addrs);
    memset(buf, 'Z', sizeof(buf));
    ck_assert_int_eq(lc_port_judge(&y, "edge.example.test", 443, 443, n_addrs, buf, 16), t->want);
    ck_assert_uint_lt(strlen(buf), 16);
    for (k = 16; k < sizeof(buf); k++)
        ck_assert_int_eq(buf[k], 'Z');
    ck_assert_int_eq(lc_port_judge(&y, "edge.example.test", 443, 443, n_addrs, NULL, 0), t->want);
}
END_TEST

/* Counting: what offends, what is named, and the cap on names. */
START_TEST(test_port_tally)
{
    struct lc_port_tally y;
    char addr[32];
    unsigned i;

    lc_port_tally_init(&y, 0, 0);
    ck_assert_int_eq(lc_port_tally_add(&y, "192.0.2.1", 443, LC_PS_OPEN), 0);
    ck_assert_int_eq(lc_port_tally_add(&y, "192.0.2.1", 5061, LC_PS_CLOSED), 1);
    ck_assert_int_eq(lc_port_tally_add(&y, "192.0.2.1", 5062, LC_PS_PENDING), 0);
    ck_assert_uint_eq(y.n, 3);
    ck_assert_uint_eq(y.bad, 1);
    ck_assert_uint_eq(y.counts[LC_PS_PENDING], 1);
    ck_assert_str_eq(y.list, "192.0.2.1:5061 closed");

    /* A range: closed does not offend, filtered and unreachable do. */
    lc_port_tally_init(&y, 1, 0);
    ck_assert_int_eq(lc_port_tally_add(&y, "192.0.2.1", 50000, LC_PS_CLOSED), 0);
    ck_assert_int_eq(lc_port_tally_add(&y, "192.0.2.1", 50001, LC_PS_OPEN), 0);
    ck_assert_int_eq(lc_port_tally_add(&y, "192.0.2.1", 50002, LC_PS_FILTERED), 1);
    ck_assert_int_eq(lc_port_tally_add(&y, "192.0.2.1", 50003, LC_PS_UNREACH), 1);
    ck_assert_str_eq(y.list, "192.0.2.1:50002 filtered, 192.0.2.1:50003 unreachable");

    /* Thousands of offenders: the first LC_PORT_NAMED are named, all counted. */
    lc_port_tally_init(&y, 1, 1);
    for (i = 0; i < 5000; i++) {
        snprintf(addr, sizeof(addr), "2001:db8::%x", i);
        ck_assert_int_eq(lc_port_tally_add(&y, addr, 50000 + i % 10000, LC_PS_FILTERED), 1);
    }
    ck_assert_uint_eq(y.bad, 5000);
    ck_assert_uint_lt(strlen(y.list), sizeof(y.list));
    ck_assert_ptr_nonnull(strstr(y.list, "2001:db8::0:50000 silent"));
    ck_assert_ptr_null(strstr(y.list, "2001:db8::a:"));

    /* An out-of-range state is counted as pending, never judged. */
    lc_port_tally_init(&y, 0, 0);
    ck_assert_int_eq(lc_port_tally_add(&y, "192.0.2.1", 443, (enum lc_port_state)42), 0);
    ck_assert_uint_eq(y.counts[LC_PS_PENDING], 1);
    ck_assert_str_eq(lc_port_state_name(LC_PS_UNREACH), "unreachable");
}
END_TEST

/* How a connect in progress on fd ended: 0 (connected) or the error, as
 * the port probe reads it (SO_ERROR once writable). */
static int lc_t_outcome(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    struct sockaddr_storage peer;
    socklen_t len = sizeof(int), plen = sizeof(peer);
    int err = -1;

    ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
    ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
    if (err == 0)
        ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&peer, &plen), 0);
    return err;
}

/* One socket from port to port, as the sweep moves it: each outcome is the
 * new port's, never the old one's. A refusal left unread must not turn the
 * next port (listening) into a refusal, nor a connection the next (closed)
 * into an open port: either would misplace a port in the verdict. */
START_TEST(test_port_socket_reuse)
{
    unsigned open_port, closed_port;
    int lfd = lc_t_loopback_socket(SOCK_STREAM | SOCK_CLOEXEC, 8, &open_port);
    int cfd = lc_t_loopback_socket(SOCK_STREAM | SOCK_CLOEXEC, 0, &closed_port), fd, i, acc;

    fd = lc_tcp_connect_start("127.0.0.1", closed_port);
    ck_assert_int_ge(fd, 0);
    for (i = 0; i < 3; i++) {
        /* closed -> open, the refusal not read (poll only) */
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
        ck_assert_int_eq(lc_tcp_disconnect(fd), 0);
        ck_assert_int_eq(lc_tcp_connect_again(fd, "127.0.0.1", open_port), 0);
        ck_assert_int_eq(lc_t_outcome(fd), 0);
        acc = accept(lfd, NULL, NULL);
        ck_assert_int_ge(acc, 0);
        /* open -> closed: the connection is reset, the next port refuses */
        ck_assert_int_eq(lc_tcp_disconnect(fd), 0);
        ck_assert_int_eq(lc_tcp_connect_again(fd, "127.0.0.1", closed_port), 0);
        ck_assert_int_eq(lc_t_outcome(fd), ECONNREFUSED);
        /* The peer saw a reset, not an orderly close (no TIME_WAIT left). */
        {
            char c;
            ck_assert_int_eq(read(acc, &c, 1), -1);
            ck_assert_int_eq(errno, ECONNRESET);
        }
        close(acc);
        /* closed -> closed, the refusal read this time */
        ck_assert_int_eq(lc_tcp_disconnect(fd), 0);
        ck_assert_int_eq(lc_tcp_connect_again(fd, "127.0.0.1", closed_port), 0);
        ck_assert_int_eq(lc_t_outcome(fd), ECONNREFUSED);
        ck_assert_int_eq(lc_tcp_disconnect(fd), 0);
        ck_assert_int_eq(lc_tcp_connect_again(fd, "127.0.0.1", closed_port), 0);
    }
    /* Not a numeric address: EINVAL, nothing sent. */
    ck_assert_int_eq(lc_tcp_disconnect(fd), 0);
    ck_assert_int_eq(lc_tcp_connect_again(fd, "av.example.test", 1), -1);
    ck_assert_int_eq(errno, EINVAL);
    close(fd);
    close(cfd);
    close(lfd);
}
END_TEST

Suite *lc_suite_port(void)
{
    Suite *s = suite_create("port");
    TCase *tc = tcase_create("judge");
    int n = (int)(sizeof(lc_t_port_cases) / sizeof(lc_t_port_cases[0]));

    tcase_add_loop_test(tc, test_port_judge, 0, n);
    tcase_add_loop_test(tc, test_port_judge_bounded, 0, n);
    tcase_add_test(tc, test_port_tally);
    suite_add_tcase(s, tc);
    tc = tcase_create("net");
    tcase_add_test(tc, test_port_socket_reuse);
    suite_add_tcase(s, tc);
    return s;
}
