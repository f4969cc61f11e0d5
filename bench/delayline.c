/* SPDX-License-Identifier: MIT */
/* delayline: an emulated wide-area link for bench/run.sh when the kernel has
 * no netem qdisc (CONFIG_NET_SCH_NETEM unset): two TUN devices joined by this
 * process, which holds every IP packet DELAY_MS before passing it to the
 * other side, in both directions (round trip = 2 x DELAY_MS), in order, with
 * no loss and no bandwidth limit. bench/run.sh moves one device into its
 * network namespace and routes the lab prefix through it.
 *
 *   delayline IFACE_A IFACE_B DELAY_MS
 *
 * Prints "ready" on stdout once both devices exist; runs until SIGTERM or
 * SIGINT (the devices vanish with it). Bench tooling, not part of lynccheck. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define QCAP (1u << 18) /* packets in flight per direction */
#define PKT_MAX 65536

struct pkt {
    int64_t due_ns;
    size_t len;
    unsigned char *data;
};

struct queue {
    struct pkt *ring;
    size_t head, count;
};

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int tun_open(const char *name)
{
    struct ifreq ifr;
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        perror("delayline: /dev/net/tun");
        return -1;
    }
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    if (strlen(name) >= sizeof ifr.ifr_name) {
        fprintf(stderr, "delayline: interface name too long: %s\n", name);
        close(fd);
        return -1;
    }
    memcpy(ifr.ifr_name, name, strlen(name) + 1);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        perror("delayline: TUNSETIFF");
        close(fd);
        return -1;
    }
    return fd;
}

/* Read every packet waiting on fd into q, due DELAY from now. */
static void drain(int fd, struct queue *q, int64_t delay_ns, unsigned char *buf)
{
    for (;;) {
        ssize_t n = read(fd, buf, PKT_MAX);
        if (n <= 0)
            return; /* EAGAIN, or a transient error: poll again */
        if (q->count == QCAP)
            continue; /* queue full: drop, as a link would */
        struct pkt *p = &q->ring[(q->head + q->count) % QCAP];
        p->data = malloc((size_t)n);
        if (p->data == NULL)
            continue;
        memcpy(p->data, buf, (size_t)n);
        p->len = (size_t)n;
        p->due_ns = now_ns() + delay_ns;
        q->count++;
    }
}

/* Write every packet of q that is due to fd. */
static void flush(int fd, struct queue *q, int64_t now)
{
    while (q->count > 0 && q->ring[q->head].due_ns <= now) {
        struct pkt *p = &q->ring[q->head];
        if (write(fd, p->data, p->len) < 0 && errno == EAGAIN)
            return; /* device queue full: retry on the next turn */
        free(p->data);
        q->head = (q->head + 1) % QCAP;
        q->count--;
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: delayline IFACE_A IFACE_B DELAY_MS\n");
        return 2;
    }
    char *end;
    long ms = strtol(argv[3], &end, 10);
    if (*end != '\0' || ms < 0 || ms > 10000) {
        fprintf(stderr, "delayline: bad DELAY_MS '%s'\n", argv[3]);
        return 2;
    }
    int64_t delay_ns = (int64_t)ms * 1000000;
    int fd[2] = {tun_open(argv[1]), tun_open(argv[2])};
    if (fd[0] < 0 || fd[1] < 0)
        return 1;
    struct queue q[2] = {{calloc(QCAP, sizeof(struct pkt)), 0, 0},
                         {calloc(QCAP, sizeof(struct pkt)), 0, 0}};
    unsigned char *buf = malloc(PKT_MAX);
    if (q[0].ring == NULL || q[1].ring == NULL || buf == NULL)
        return 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    printf("ready\n");
    fflush(stdout);

    while (!stop) {
        /* q[0]: read from A, written to B; q[1]: B to A. */
        int64_t now = now_ns(), next = -1;
        for (int i = 0; i < 2; i++) {
            if (q[i].count > 0) {
                int64_t d = q[i].ring[q[i].head].due_ns;
                if (next < 0 || d < next)
                    next = d;
            }
        }
        struct timespec ts, *tsp = NULL;
        if (next >= 0) {
            int64_t wait = next > now ? next - now : 0;
            ts.tv_sec = (time_t)(wait / 1000000000);
            ts.tv_nsec = (long)(wait % 1000000000);
            tsp = &ts;
        }
        struct pollfd pfd[2] = {{fd[0], POLLIN, 0}, {fd[1], POLLIN, 0}};
        if (ppoll(pfd, 2, tsp, NULL) < 0 && errno != EINTR) {
            perror("delayline: ppoll");
            return 1;
        }
        for (int i = 0; i < 2; i++)
            if (pfd[i].revents & POLLIN)
                drain(fd[i], &q[i], delay_ns, buf);
        now = now_ns();
        flush(fd[1], &q[0], now);
        flush(fd[0], &q[1], now);
    }
    return 0;
}
