#!/bin/bash
# Install, build, start the bundled lab (a simulated Lync deployment on
# loopback) and run lynccheck's external profile against it, printing the
# report. Extra arguments go to lynccheck (e.g. --format json, -v).
# Exit status is lynccheck's (0 ok, 1 warn, 2 fail, 3 error).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/install-deps.sh
tests/lab/lab.sh install
scripts/build.sh
trap 'tests/lab/lab.sh stop >/dev/null 2>&1 || true' EXIT
tests/lab/lab.sh start
set +e
build/src/lynccheck --profile external --config "$(tests/lab/lab.sh site healthy)" "$@"
rc=$?
set -e
exit $rc
