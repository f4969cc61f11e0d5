/* SPDX-License-Identifier: MIT */
/* lynccheck unit tests: runs every suite; exit status 0 when all pass. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "suites.h"

int lc_t_loopback_socket(int type, int backlog, unsigned *port)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, type, 0);

    ck_assert_int_ge(fd, 0);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    if (backlog > 0)
        ck_assert_int_eq(listen(fd, backlog), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
    *port = ntohs(sin.sin_port);
    return fd;
}

int main(void)
{
    SRunner *sr;
    int failed;

    /* As in main(): a peer closing while we write gives EPIPE. */
    signal(SIGPIPE, SIG_IGN);
    /* Once per process, before any thread or handle (libcurl's rule). */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return EXIT_FAILURE;
    sr = srunner_create(lc_suite_cli());

    srunner_add_suite(sr, lc_suite_cert());
    srunner_add_suite(sr, lc_suite_dns());
    srunner_add_suite(sr, lc_suite_fanout());
    srunner_add_suite(sr, lc_suite_findings());
    srunner_add_suite(sr, lc_suite_http());
    srunner_add_suite(sr, lc_suite_loop());
    srunner_add_suite(sr, lc_suite_names());
    srunner_add_suite(sr, lc_suite_plan());
    srunner_add_suite(sr, lc_suite_port());
    srunner_add_suite(sr, lc_suite_report());
    srunner_add_suite(sr, lc_suite_report_html());
    srunner_add_suite(sr, lc_suite_revoke());
    srunner_add_suite(sr, lc_suite_run());
    srunner_add_suite(sr, lc_suite_signin());
    srunner_add_suite(sr, lc_suite_sip());
    srunner_add_suite(sr, lc_suite_sipae());
    srunner_add_suite(sr, lc_suite_stun());
    srunner_add_suite(sr, lc_suite_web());
    srunner_add_suite(sr, lc_suite_xmpp());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
