/* lynccheck - what an administrator can do about a check that did not pass.
 *
 * One or two sentences per check kind (<probe>.<what>), written for a Lync /
 * Skype for Business administrator; shown by the HTML report next to each
 * problem. The JSON report does not carry them (its schema is versioned). */
#ifndef LC_FIXES_H
#define LC_FIXES_H

#include <stddef.h>

/* The advice for probe.what; for a kind this table does not know, the
 * probe's general advice; NULL when the probe is unknown too. Static
 * strings. */
const char *lc_fix_for(const char *probe, const char *what);

/* The kinds the table knows, in order, for tests and documentation:
 * fills *probe and *what for index i and returns 0, or -1 past the end. */
int lc_fix_kind(size_t i, const char **probe, const char **what);

#endif
