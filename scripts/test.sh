#!/bin/bash
# shellcheck disable=SC2317 # the lane_* functions are called as "lane_$lane"
# Install, build and run the whole test suite: unit tests and lab
# integration tests (make check), the same under ASan+UBSan, the fuzzing
# pass, and make distcheck (the release tarball builds and passes its tests).
#
# Three lanes run side by side (most of a lab test is waiting on servers and
# timeouts, so two lab lanes share the 2 CPUs well):
#   plain  build/ (-Werror): make check with one lab for all the lab tests
#          (tests/lab/with-lab.sh, prefix LC_LAB_NET, default 127.77)
#   asan   build-asan/ (ASan+UBSan): the same on LC_LAB_NET_ASAN (127.79)
#   other  scripts/fuzz.sh --time 4 at low priority (nice: CPU-bound, it
#          yields to the lab tests' timing), then make distcheck (unit tests
#          and one lab smoke run on LC_LAB_NET_DISTCHECK, 127.80)
# The plain and ASan lanes run the unit tests in one process (CK_FORK=no);
# make distcheck runs them with Check's per-test fork and timeouts.
# Then lab-hostile.test, plain and ASan side by side on their lanes' prefixes
# once every lane is done (its bounds are seconds: it does not run beside
# the lab tests). Labs on one prefix take turns (the
# prefix's lock): giving two lanes the same prefix is safe, only slower. Each
# lane's output is in build-logs/<lane>.log; a failing lane's log tail and
# test-suite.log are printed at the end.
# DEVELOPERS.md, "Tests", says how the suite is organised and how to keep it
# under 10 minutes.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/install-deps.sh
tests/lab/lab.sh install

net_plain=${LC_LAB_NET:-127.77}
net_asan=${LC_LAB_NET_ASAN:-127.79}
net_dist=${LC_LAB_NET_DISTCHECK:-127.80}
jobs=$(nproc)
# Check's per-test timeouts (4 s unless a suite sets its own) stop a hung test;
# with three lanes on two CPUs an ASan test can need more: 5 times as long.
export CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-5}
# Two labs start beside two builds: their certificates are made with openssl
# on busy CPUs. The bound only stops a hung start.
export LC_LAB_START_TIMEOUT=${LC_LAB_START_TIMEOUT:-600}
logs=$top/build-logs
rm -rf "$logs"
mkdir -p "$logs"
t_start=$SECONDS
exec 3>&1 # the terminal, for the lanes' progress lines

stamp() { # MESSAGE: one progress line, minutes:seconds since the start, in the log and on the terminal
    local s=$((SECONDS - t_start)) line
    line=$(printf '[%2d:%02d] %s' $((s / 60)) $((s % 60)) "$*")
    [[ -z ${in_lane:-} ]] || printf '%s\n' "$line"
    printf '%s\n' "$line" >&3
}

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
    echo "$dir: unit checks: $unit_p passed, $unit_f failed; lab assertions: ${lab_p:-0} passed, ${lab_f:-0} failed"
    sum_p=$((unit_p + ${lab_p:-0})) sum_f=$((unit_f + ${lab_f:-0}))
}

# The tests make check runs in a lane: every test but lab-hostile, which
# needs the prefix to itself and runs after the lab has stopped.
tests_list=$(sed -n '/^TESTS = /,/[^\\]$/p' Makefile.am | sed -e 's/^TESTS = //' -e 's/\\$//' | tr -s ' \t\n' '\n' |
    grep -v '^$')
lab_tests=$(grep -vx 'tests/lab-hostile.test' <<<"$tests_list" | tr '\n' ' ')
hostile_test=$(grep -x 'tests/lab-hostile.test' <<<"$tests_list" || true)

# check_lane DIR NET: make check in DIR with one lab on NET (every test but
# lab-hostile, which runs after all the lanes: see hostile_after). Status 0
# when every test passed (or skipped).
check_lane() {
    local dir=$1 net=$2 rc=0
    stamp "$dir: make check (lab on $net, started once)"
    # CK_FORK=no: the unit tests in one process. Check forks a process per
    # test: forking an ASan process (its shadow memory's page tables) made
    # 1,420 tests take 5 minutes instead of 9 seconds, and the plain build's
    # 18 s became 85 s beside the other lanes. A failing test still fails the
    # run, LeakSanitizer judges the whole run at exit, and make distcheck
    # keeps Check's per-test fork and timeouts. Without those timeouts, the
    # lane's own bound stops a hung test long before CI's limit.
    # shellcheck disable=SC2086 # a list of test names
    if ! (cd "$dir" && CK_FORK=no LC_LAB_NET=$net LC_TOP_BUILDDIR=$PWD bash "$top/tests/lab/with-lab.sh" \
        timeout 2400 make -s check TESTS="$lab_tests"); then
        rc=1
        cat "$dir/test-suite.log" || true
    fi
    stamp "$dir: done (status $rc)"
    return "$rc"
}

# hostile_after DIR NET [ENV...]: lab-hostile.test in DIR once every lane
# has finished (their labs stopped). Its hostile peers hold connections open
# for a few seconds and its bounds are seconds too: run beside the lab lanes
# on two CPUs it failed on load, not on lynccheck; and beside it, distcheck's
# lab smoke run (when it was niced) timed out everywhere. The plain and ASan
# runs go side by side, two processes on two CPUs; each writes its own log.
hostile_after() {
    local dir=$1 net=$2 rc=0
    shift 2
    [[ -n $hostile_test ]] || return 0
    stamp "$dir: $hostile_test on $net"
    if ! env "$@" LC_HOSTILE_NET="$net" make -C "$dir" -s check TESTS="$hostile_test" \
        TEST_SUITE_LOG=tests/hostile-suite.log >"$logs/hostile-$dir.log" 2>&1; then
        rc=1
        tail -n 60 "$logs/hostile-$dir.log"
        cat "$dir/tests/hostile-suite.log" || true
    fi
    stamp "$dir: $hostile_test done (status $rc)"
    return "$rc"
}

lane_plain() {
    stamp "plain: build (warnings are errors)"
    scripts/build.sh --enable-werror || return 1
    make -C build -s -j"$jobs" check TESTS= || return 1 # the test programs, in parallel
    touch "$logs/plain.built"
    check_lane build "$net_plain"
}

lane_asan() {
    local rc=0
    stamp "asan: ASan+UBSan build"
    scripts/build.sh --dir build-asan --enable-werror --enable-sanitizers || return 1
    make -C build-asan -s -j"$jobs" check TESTS= || return 1
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 check_lane build-asan "$net_asan" || rc=1
    return "$rc"
}

lane_other() {
    local rc=0 i
    # The harnesses build at low priority: the build lanes come first.
    stamp "other: fuzz: build the harnesses (ASan+UBSan)"
    nice -n 10 scripts/fuzz.sh --build-only || rc=1
    stamp "other: fuzz: replay tests/fuzz/regress and the seeds, then each harness 4 s"
    nice -n 10 scripts/fuzz.sh --time 4 || rc=1
    stamp "other: fuzz done (status $rc)"
    # make distcheck runs in build/: wait for the plain lane's configure and build.
    for ((i = 0; i < 1800; i++)); do
        [[ -e $logs/plain.built || -e $logs/plain.status ]] && break
        sleep 1
    done
    [[ -e $logs/plain.built ]] || {
        echo "the plain build failed: no make distcheck"
        return 1
    }
    stamp "other: make distcheck (unit tests and one lab smoke run on $net_dist)"
    if ! LC_LAB_SMOKE=1 LC_LAB_NET=$net_dist make -C build -s -j"$jobs" distcheck >build/distcheck.log 2>&1; then
        rc=1
        tail -n 60 build/distcheck.log
    else
        grep -E 'archives ready|\.tar\.gz' build/distcheck.log | head -n 3
    fi
    stamp "other: done (status $rc)"
    return "$rc"
}

# configure and Makefile.in once, before the lanes configure their trees.
[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] || autoreconf -fi >/dev/null

stamp "lanes: plain (build/, lab $net_plain), asan (build-asan/, lab $net_asan), other (fuzz, distcheck); logs in build-logs/"
declare -A pid
for lane in plain asan other; do
    (
        set +e
        in_lane=$lane
        "lane_$lane"
        echo $? >"$logs/$lane.status"
    ) >"$logs/$lane.log" 2>&1 &
    pid[$lane]=$!
done
rc=0
for p in "${pid[@]}"; do
    wait "$p" || rc=1
done
hpids=()
if [[ -e $logs/plain.built ]]; then
    hostile_after build "$net_plain" &
    hpids+=($!)
fi
if [[ -e build-asan/tests/lc-hostile ]]; then
    hostile_after build-asan "$net_asan" ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 &
    hpids+=($!)
fi
for p in "${hpids[@]}"; do
    wait "$p" || rc=1
done
for lane in plain asan other; do
    st=$(cat "$logs/$lane.status" 2>/dev/null || echo 1)
    if [[ $st != 0 ]]; then
        rc=1
        echo "== lane $lane FAILED (status $st): the end of build-logs/$lane.log"
        tail -n 150 "$logs/$lane.log"
    fi
done

summary build-asan
summary build
stamp "all lanes done (status $rc)"
echo "$sum_p passed, $sum_f failed" # the plain build's, as CI has always read it
exit $rc
