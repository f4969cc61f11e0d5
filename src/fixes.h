/* SPDX-License-Identifier: MIT */
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

/* The advice for a diagnosis that several check kinds share (one cause,
 * one fix): "backend-down" (502/503/504 from the reverse proxy),
 * "unpublished" (404), "no-challenge" (401 without WWW-Authenticate),
 * "preauth" (the proxy's own challenge or login form), "wrong-site" (a
 * simple URL served by another site), "cert-names", "cert-expired",
 * "port-filtered", "port-closed". NULL for a word it does not know. */
const char *lc_fix_for_diagnosis(const char *diagnosis);

/* The kinds the table knows, in order, for tests and documentation:
 * fills *probe and *what for index i and returns 0, or -1 past the end. */
int lc_fix_kind(size_t i, const char **probe, const char **what);

#endif
