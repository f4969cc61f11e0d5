#!/bin/bash
# with-lab.sh COMMAND...: start the lab once on LC_LAB_NET, run COMMAND with
# LC_LAB_SHARED=1, stop the lab. Every lab-*.test COMMAND runs then uses that
# lab instead of starting and stopping one of its own (tests/lab/lib.sh): a
# make check starts the lab once, not once per test program.
#
#   tests/lab/with-lab.sh make check            (in a build directory)
#   LC_LAB_NET=127.71 tests/lab/with-lab.sh make check TESTS='tests/lab-tls.test tests/lab-web.test'
#
# Holds the prefix's lock (lib.sh's lab_lock_file) from before the start
# until after the stop; the tests COMMAND runs inherit it and take no lock of
# their own, so they must run one after the other (no make -j). lab.sh finds
# tests/lc-msturn through LC_TOP_BUILDDIR (default: the current directory when
# it has tests/lc-msturn). Exit status: COMMAND's; 99 if the lab does not start.
# Environment: LC_LAB_NET, LC_LAB_DIR, LC_LAB_START_TIMEOUT (seconds, 180).
set -uo pipefail

# shellcheck disable=SC2034 # lib.sh uses it
me=with-lab.sh
script_dir=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$script_dir/lab/lib.sh" || exit 99
(($#)) || hard "usage: $0 COMMAND..."
# lab_paths would take srcdir and builddir from the environment of a test.
LC_TOP_SRCDIR=$(cd "$script_dir/.." && pwd) lab_paths
if [[ -z ${LC_TOP_BUILDDIR:-} && -x $PWD/tests/lc-msturn ]]; then
    export LC_TOP_BUILDDIR=$PWD
fi

exec 9>"$LOCK" || hard "cannot open $LOCK"
flock -w 900 9 || hard "could not lock $LOCK within 900 s"
stopped=0
stop_lab() {
    ((stopped)) && return 0
    stopped=1
    timeout 120 bash "$LAB" stop || say "warning: lab.sh stop failed"
}
trap stop_lab EXIT
trap 'exit 99' INT TERM HUP

t0=$SECONDS
timeout "${LC_LAB_START_TIMEOUT:-180}" bash "$LAB" start || hard "the lab did not start on $LC_LAB_NET"
say "lab up on $LC_LAB_NET in $((SECONDS - t0)) s; running: $*"
LC_LAB_SHARED=1 "$@"
rc=$?
stop_lab
exit "$rc"
