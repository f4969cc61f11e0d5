#!/bin/bash
# Build and run lynccheck's libFuzzer harnesses (tests/fuzz/fuzz_<name>.c)
# with ASan+UBSan, out of tree.
#
# Usage: scripts/fuzz.sh [--time SECONDS] [--regress-only] [--build-only] [--list] [NAME...]
#
#   --time S         fuzz each harness for S seconds (default 10); 0 fuzzes
#                    nothing and only replays the regression inputs
#   --regress-only   replay tests/fuzz/regress/<name>/* and the seed corpus,
#                    fuzz nothing
#   --build-only     build the harnesses and stop
#   --list           print the harness names and stop
#   NAME...          harnesses to run (default: every tests/fuzz/fuzz_*.c)
#
# Each run first replays tests/fuzz/regress/<name>/* (every input that ever
# crashed) and the seed corpus, then fuzzes a scratch copy of the seed corpus,
# so the committed corpus never grows behind your back. A crash stops that
# harness; the script goes on with the others, prints every crash file and
# exits 1. Environment: LC_FUZZ_DIR (build directory, default build-fuzz),
# CC (default clang), LC_FUZZ_JOBS (parallel compiles, default nproc),
# LC_FUZZ_ARGS (extra libFuzzer flags).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

time_s=10
regress_only=0
build_only=0
list_only=0
names=()
while [ $# -gt 0 ]; do
    case $1 in
    --time)
        time_s=${2:?--time needs seconds}
        shift 2
        ;;
    --time=*)
        time_s=${1#--time=}
        shift
        ;;
    --regress-only)
        regress_only=1
        shift
        ;;
    --build-only)
        build_only=1
        shift
        ;;
    --list)
        list_only=1
        shift
        ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
        exit 0
        ;;
    -*)
        echo "fuzz.sh: unknown option $1" >&2
        exit 2
        ;;
    *)
        names+=("$1")
        shift
        ;;
    esac
done
case $time_s in
'' | *[!0-9]*)
    echo "fuzz.sh: --time wants whole seconds, not '$time_s'" >&2
    exit 2
    ;;
esac

all=()
for f in tests/fuzz/fuzz_*.c; do
    n=${f#tests/fuzz/fuzz_}
    all+=("${n%.c}")
done
if [ $list_only -eq 1 ]; then
    printf '%s\n' "${all[@]}"
    exit 0
fi
[ ${#names[@]} -gt 0 ] || names=("${all[@]}")
for n in "${names[@]}"; do
    [ -f "tests/fuzz/fuzz_$n.c" ] || {
        echo "fuzz.sh: no harness tests/fuzz/fuzz_$n.c" >&2
        exit 2
    }
done

# The largest input worth generating per harness: a little above what the
# parser keeps or reads in one go (libFuzzer's default is 4096).
max_len() {
    case $1 in
    sip) echo 16384 ;;      # LC_SIP_MAX_LINE is 8192: room for two long lines
    stun) echo 1500 ;;      # one datagram, Ethernet MTU
    xmpp) echo 8192 ;;      # features fit in a few hundred bytes
    dns) echo 4096 ;;       # EDNS0 answers
    cert) echo 8192 ;;      # one DER certificate
    cert_name) echo 600 ;;  # two host names
    profile | site) echo 8192 ;;
    web_challenges) echo 4096 ;;
    web_json | web_xml | web_mex | signin) echo 32768 ;;
    *) echo 4096 ;;
    esac
}

CC=${CC:-clang}
command -v "$CC" >/dev/null || {
    echo "fuzz.sh: $CC not found (scripts/install-deps.sh installs clang)" >&2
    exit 2
}
dir=${LC_FUZZ_DIR:-build-fuzz}
mkdir -p "$dir/obj" "$dir/bin" "$dir/crashes"
dir=$(cd "$dir" && pwd)

# The same preprocessor flags as Makefile.am's AM_CPPFLAGS, and its LC_LIBS.
pcs=(libcurl libcares libssl libcrypto jansson libxml-2.0 inih)
cppflags=(-D_GNU_SOURCE -I"$dir/gen" -I"$top/src" -I"$top/probes"
    "-DLC_PROFILE_DIR=\"$top/profiles\"")
read -r -a pc_cflags <<<"$(pkg-config --cflags "${pcs[@]}")"
read -r -a pc_libs <<<"$(pkg-config --libs "${pcs[@]}")"
# shellcheck disable=SC2054 # commas belong to the flags
san=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
cflags=(-std=c11 -g -O1 -Wall -Wextra "${san[@]}")

# config.h as configure writes it (AC_INIT's name and version).
mkdir -p "$dir/gen"
version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' configure.ac)
cat >"$dir/gen/config.h.new" <<EOF
/* config.h for the fuzz build (scripts/fuzz.sh) */
#define PACKAGE "lynccheck"
#define PACKAGE_BUGREPORT ""
#define PACKAGE_NAME "lynccheck"
#define PACKAGE_STRING "lynccheck $version"
#define PACKAGE_TARNAME "lynccheck"
#define PACKAGE_URL ""
#define PACKAGE_VERSION "$version"
#define VERSION "$version"
EOF
if cmp -s "$dir/gen/config.h.new" "$dir/gen/config.h"; then
    rm -f "$dir/gen/config.h.new"
else
    mv "$dir/gen/config.h.new" "$dir/gen/config.h"
fi
# The built-in profiles, as Makefile.am generates them.
profiles=(profiles/*.profile)
if [ ! -f "$dir/gen/profiles_builtin.c" ] || [ -n "$(find "${profiles[@]}" scripts/embed-profiles.sh -newer "$dir/gen/profiles_builtin.c")" ]; then
    sh scripts/embed-profiles.sh "$dir/gen/profiles_builtin.c" "$top" "${profiles[@]}"
fi

# The library: every source but main.c, with coverage instrumentation but
# without libFuzzer's main (-fsanitize=fuzzer-no-link). An object is rebuilt
# when its source or any header is newer.
# shellcheck disable=SC2012 # our own file names
newest_h=$(ls -t src/*.h probes/*.h "$dir/gen/config.h" | head -n1)
srcs=()
for s in src/*.c probes/*.c "$dir/gen/profiles_builtin.c"; do
    case $s in src/main.c) continue ;; esac
    srcs+=("$s")
done
jobs=${LC_FUZZ_JOBS:-$(nproc)}
objs=()
pids=()
for s in "${srcs[@]}"; do
    o="$dir/obj/$(echo "${s#"$top"/}" | tr / _).o"
    o=${o%.c.o}.o
    objs+=("$o")
    if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
        rm -f "$o"
        "$CC" "${cflags[@]}" -fsanitize=fuzzer-no-link "${cppflags[@]}" "${pc_cflags[@]}" \
            -c "$s" -o "$o" &
        pids+=($!)
        if [ ${#pids[@]} -ge "$jobs" ]; then
            wait "${pids[0]}" || true # a failed object is reported below
            pids=("${pids[@]:1}")
        fi
    fi
done
for p in "${pids[@]}"; do wait "$p" || true; done
# A source that does not compile (one being written) is left out of the
# archive: the harnesses that need it then fail to link, the others run.
built=()
for o in "${objs[@]}"; do
    if [ -f "$o" ]; then built+=("$o"); else echo "fuzz.sh: warning: ${o##*/} did not compile" >&2; fi
done
# The archive and the harnesses are made again only when something they are
# made of changed (scripts/test.sh builds them first, then runs them).
lib=$dir/liblc-fuzz.a
if [ ! -f "$lib" ] || [ "$(cat "$lib.list" 2>/dev/null)" != "${built[*]}" ] ||
    [ -n "$(find "${built[@]}" -newer "$lib")" ]; then
    rm -f "$lib" "$lib.list"
    ar rcs "$lib" "${built[@]}"
    printf '%s' "${built[*]}" >"$lib.list"
fi

failed=()
ok_names=()
for n in "${names[@]}"; do
    bin=$dir/bin/fuzz_$n
    if [ "$bin" -nt "tests/fuzz/fuzz_$n.c" ] && [ "$bin" -nt "$lib" ] && [ "$bin" -nt "$newest_h" ]; then
        ok_names+=("$n")
    elif "$CC" "${cflags[@]}" -fsanitize=fuzzer "${cppflags[@]}" "${pc_cflags[@]}" \
        "tests/fuzz/fuzz_$n.c" "$lib" "${pc_libs[@]}" -o "$bin"; then
        ok_names+=("$n")
    else
        echo "fuzz.sh: $n: harness did not build" >&2
        failed+=("$n: did not build")
    fi
done
echo "fuzz.sh: built ${ok_names[*]:-nothing} in $dir/bin"
if [ $build_only -eq 1 ]; then
    [ ${#failed[@]} -eq 0 ] || exit 2
    exit 0
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
read -r -a extra <<<"${LC_FUZZ_ARGS:-}"
crashes=("${failed[@]}")
for n in "${ok_names[@]}"; do
    bin="$dir/bin/fuzz_$n"
    log="$dir/fuzz_$n.log"
    art="$dir/crashes/$n/"
    mkdir -p "$art"
    # Replay: every regression input and every seed, one process.
    inputs=()
    for f in "tests/fuzz/regress/$n"/* "tests/fuzz/corpus/$n"/*; do
        [ -f "$f" ] && inputs+=("$f")
    done
    if [ ${#inputs[@]} -gt 0 ]; then
        if ! "$bin" -artifact_prefix="$art" "${inputs[@]}" >"$log.replay" 2>&1; then
            tail -n 40 "$log.replay" >&2
            bad=$(grep -E '^Running: ' "$log.replay" | tail -n1 | sed 's/^Running: //')
            echo "fuzz.sh: $n: CRASH replaying ${bad:-"the regression inputs and seeds"} (log $log.replay)" >&2
            crashes+=("$n: ${bad:-replay} (log $log.replay)")
            continue
        fi
        echo "fuzz.sh: $n: replayed ${#inputs[@]} regression inputs and seeds"
    fi
    if [ $regress_only -eq 1 ] || [ "$time_s" -eq 0 ]; then
        continue
    fi
    scratch="$dir/corpus/$n"
    rm -rf "$scratch"
    mkdir -p "$scratch"
    if [ -d "tests/fuzz/corpus/$n" ]; then
        cp -r "tests/fuzz/corpus/$n/." "$scratch/"
    fi
    dict=()
    [ -f "tests/fuzz/$n.dict" ] && dict=(-dict="tests/fuzz/$n.dict")
    if "$bin" -max_total_time="$time_s" -max_len="$(max_len "$n")" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art" "${dict[@]}" \
        "${extra[@]}" "$scratch" >"$log" 2>&1; then
        stats=$(grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" |
            sed -E 's/^stat::([a-z_]+): +/\1=/' | tr '\n' ' ')
        cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n1)
        echo "fuzz.sh: $n: ${time_s}s, $stats$cov"
    else
        tail -n 60 "$log" >&2
        found=$(grep -oE "Test unit written to [^ ]+" "$log" | sed 's/Test unit written to //' | tail -n1)
        echo "fuzz.sh: $n: CRASH ${found:-"(no artifact)"} (log $log)" >&2
        crashes+=("$n: ${found:-"(no artifact)"} (log $log)")
    fi
done

if [ ${#crashes[@]} -gt 0 ]; then
    echo "fuzz.sh: ${#crashes[@]} harness(es) failed:" >&2
    printf '  %s\n' "${crashes[@]}" >&2
    exit 1
fi
echo "fuzz.sh: no crashes (${names[*]})"
