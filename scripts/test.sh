#!/bin/bash
# Install, build and run the whole test suite: unit tests and lab
# integration tests (make check), the same under ASan+UBSan, and
# make distcheck (the release tarball builds and passes its tests).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/install-deps.sh
tests/lab/lab.sh install

summary() {
    # One closing line for CI: Check's unit checks plus the lab assertions.
    local dir=$1 unit_p=0 unit_f=0 lab_p=0 lab_f=0 line
    if line=$(grep -hE '^[0-9]+%: Checks: ' "$dir"/tests/check_lynccheck.log 2>/dev/null | tail -n1); then
        local total fails errs
        total=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
        fails=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
        errs=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
        unit_f=$((fails + errs))
        unit_p=$((total - unit_f))
    fi
    if line=$(grep -hE '^[0-9]+ passed, [0-9]+ failed' "$dir"/tests/lab-*.log 2>/dev/null | awk '{p+=$1; f+=$3} END {print p, f}'); then
        read -r lab_p lab_f <<<"$line"
    fi
    echo "unit checks: $unit_p passed, $unit_f failed; lab assertions: ${lab_p:-0} passed, ${lab_f:-0} failed"
    echo "$((unit_p + ${lab_p:-0})) passed, $((unit_f + ${lab_f:-0})) failed"
}

rc=0
echo "== build (warnings are errors) and make check"
scripts/build.sh --enable-werror
if ! make -C build -s check; then
    rc=1
    cat build/test-suite.log || true
fi

echo "== ASan+UBSan build and make check"
mkdir -p build-asan
(cd build-asan && ../configure -q --enable-werror --enable-sanitizers && make -s -j"$(nproc)")
if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 make -C build-asan -s check; then
    rc=1
    cat build-asan/test-suite.log || true
fi

echo "== fuzz: replay tests/fuzz/regress and the seeds, then each harness 4 s (ASan+UBSan)"
if ! scripts/fuzz.sh --time 4; then
    rc=1
fi

echo "== make distcheck (unit tests and one lab smoke run: the lab tests ran above)"
if ! LC_LAB_SMOKE=1 make -C build -s distcheck >build/distcheck.log 2>&1; then
    rc=1
    tail -n 60 build/distcheck.log
else
    grep -E 'archives ready|\.tar\.gz' build/distcheck.log | head -n 3
fi

summary build
exit $rc
