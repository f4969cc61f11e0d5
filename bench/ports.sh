#!/bin/bash
# Benchmark (on demand, not part of make check): a fully filtered TCP media
# range, 50000-59999 on the lab's A/V edge, probed by lynccheck's port probe
# and by `nmap -sT -Pn -T4` on the same range, in one run. Prints wall times
# and the verdicts. Needs root (iptables DROP on the lab address) and the
# lab's packages; installs nmap if missing.
# Usage: bench/ports.sh [BUILD_DIR]   (default: build)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
lynccheck=$build/src/lynccheck
[ -x "$lynccheck" ] || { echo "bench: build first (scripts/build.sh)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }
command -v nmap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nmap >/dev/null
command -v iptables >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iptables >/dev/null

export LC_LAB_NET=${LC_LAB_NET:-127.77}
lab=$top/tests/lab/lab.sh
av="$LC_LAB_NET.1.12"
rule=(INPUT -d "$av" -p tcp --dport 50000:59999 -j DROP)
cleanup() {
    iptables -D "${rule[@]}" 2>/dev/null || true
    bash "$lab" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
bash "$lab" start >/dev/null
site=$(bash "$lab" site healthy)
iptables -I "${rule[@]}"

ms() { date +%s%N | cut -c1-13; }
timeout_s=${LC_BENCH_TIMEOUT:-2}

t0=$(ms)
set +e
"$lynccheck" --config "$site" --only 'port.tcp-range:*' --timeout "$timeout_s" --format json \
    --output /tmp/lynccheck-bench.json
set -e
t1=$(ms)
verdict=$(jq -r '.checks[] | select(.id | startswith("port.tcp-range")) | "\(.status): \(.message)"' \
    /tmp/lynccheck-bench.json | cut -c1-100)

t2=$(ms)
nmap_out=$(timeout 1800 nmap -sT -Pn -T4 -p 50000-59999 "$av" 2>&1 | grep -E 'filtered|closed|open|done' | tail -n 3)
t3=$(ms)

printf '%-34s %10s  %s\n' "tool" "wall ms" "verdict"
printf '%-34s %10d  %s\n' "lynccheck (timeout ${timeout_s}s)" $((t1 - t0)) "$verdict"
printf '%-34s %10d  %s\n' "nmap -sT -Pn -T4" $((t3 - t2)) "$(echo "$nmap_out" | tr '\n' ' ' | cut -c1-100)"
printf 'ratio nmap/lynccheck: %s\n' "$(awk -v a=$((t3 - t2)) -v b=$((t1 - t0)) 'BEGIN { printf "%.1f", a / (b > 0 ? b : 1) }')"
