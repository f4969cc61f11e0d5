#!/bin/bash
# Configure and build lynccheck in build/ (out of tree). Extra arguments go
# to configure. Used by demo.sh and test.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] || autoreconf -fi >/dev/null
mkdir -p build
cd build
../configure -q "$@"
make -s -j"$(nproc)"
