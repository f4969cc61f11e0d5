/* lynccheck unit tests: runs every suite; exit status 0 when all pass. */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
    SRunner *sr = srunner_create(lc_suite_cli());
    int failed;

    srunner_add_suite(sr, lc_suite_dns());
    srunner_add_suite(sr, lc_suite_http());
    srunner_add_suite(sr, lc_suite_loop());
    srunner_add_suite(sr, lc_suite_report());
    srunner_add_suite(sr, lc_suite_run());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
