#!/bin/bash
# Configure and build lynccheck out of tree, in build/ or in the directory
# given with --dir DIR (first argument). Other arguments go to configure.
# Used by demo.sh and test.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
dir=build
if [ "${1:-}" = --dir ]; then
    dir=${2:?--dir needs a directory}
    shift 2
fi
[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] || autoreconf -fi >/dev/null
mkdir -p "$dir"
cd "$dir"
# A relative srcdir (../configure) when the build dir is a child of the top.
if [ "$(cd .. && pwd)" = "$top" ]; then
    ../configure -q "$@"
else
    "$top"/configure -q "$@"
fi
make -s -j"$(nproc)"
