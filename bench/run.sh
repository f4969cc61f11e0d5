#!/bin/bash
# lynccheck benchmark (issue 8), one command, as root, from a clean clone:
#
#   bench/run.sh [--quick] [--runs N] [--slow-runs N] [--json FILE]
#                [--delay-ms MS] [--no-wan] [--scales "1 10 100 1000"]
#
# Starts its own lab (LC_LAB_NET=127.82, LC_LAB_DIR=/tmp/lynccheck-bench-lab,
# so the test suite's 127.77 lab can run meanwhile) from a copy of tests/lab
# with a generated zone of scale domains, and measures side by side on the
# same targets, wall time, CPU time (user+sys) and peak RSS (/usr/bin/time):
#   profile  the whole external profile on the healthy site (2 SIP domains)
#   ports    TCP 50000-59999 fully filtered: lynccheck vs nmap -sT -Pn -T4
#   tls      certificate checks on the healthy site's TLS listeners:
#            lynccheck's TLS probe vs testssl.sh -S vs an openssl s_client loop
#   dns-web  lynccheck's dns (and web) probes vs the hand-written sequential
#            dig + curl script (bench/admin-dns-web.sh)
#   scale    1, 10, 100, 1000 SIP domains (whole profile, and dns.* only)
#   floor    what the healthy profile's CPU is made of (loopback only): the
#            10,000-port sweep alone in a bare loop (bench/sweep-floor.c, a
#            socket per port and one socket for all), lynccheck --version,
#            the range check alone, the profile with --port-ranges none
# each on plain loopback and across an emulated wide-area link: the clients
# run in a network namespace whose only way to the lab is a link delaying
# each packet --delay-ms each way (default 40: round trip 80 ms), with tc
# netem on a veth pair where the kernel has netem, else bench/delayline.c
# (two TUN devices and a userspace delay). Prints a table of medians with
# ratios and writes it as JSON (--json, default ./lynccheck-bench.json).
#
#   --quick        3 runs, slow tools (nmap, testssl.sh) once, scales 1 10 100
#   --runs N       runs of lynccheck and the fast scripts (default 5)
#   --slow-runs N  runs of nmap and testssl.sh, and of the 1000-domain runs
#                  (default 3)
#   --only LIST    comparisons to run, comma-separated (default all:
#                  profile,ports,tls,dns-web,scale,floor)
#   --no-wan       loopback only
#   --keep DIR     keep every run's output there (lynccheck's JSON reports,
#                  nmap's XML, the scripts' output, /usr/bin/time's lines)
#   --hold         start the lab, write the sites, print where, and wait
#                  (no measuring) until the file it names is removed: for
#                  profiling by hand (perf, valgrind) against the same lab
# Environment: LYNCCHECK (binary; default build/src/lynccheck, else
# src/lynccheck, else scripts/build.sh builds it), LC_BENCH_TIMEOUT (per-check
# timeout of the port comparison, default 2), LC_BENCH_LIMIT (seconds one
# measured command may take before it is stopped and recorded as such, default
# 3600), LC_BENCH_NET, LC_BENCH_DIR.
# Removes the namespace, the link and the lab on exit, whatever happens.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
RUNS=5 SLOW_RUNS=3 SCALES="1 10 100 1000" WAN=1 DELAY_MS=40
ONLY=profile,ports,tls,dns-web,scale,floor
JSON=$PWD/lynccheck-bench.json
KEEP= HOLD=0
PORT_TIMEOUT=${LC_BENCH_TIMEOUT:-2}
LIMIT=${LC_BENCH_LIMIT:-3600}
NET=${LC_BENCH_NET:-127.82}
LABDIR=${LC_BENCH_DIR:-/tmp/lynccheck-bench-lab}
NS=lcbench HOSTIF=lcbh NSIF=lcbn HOSTIP=10.200.0.1 NSIP=10.200.0.2

usage() { sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2; }
while (($#)); do
    case $1 in
    --quick) RUNS=3 SLOW_RUNS=1 SCALES="1 10 100" ;;
    --runs) RUNS=$2; shift ;;
    --slow-runs) SLOW_RUNS=$2; shift ;;
    --json) JSON=$2; shift ;;
    --delay-ms) DELAY_MS=$2; shift ;;
    --scales) SCALES=$2; shift ;;
    --only) ONLY=$2; shift ;;
    --no-wan) WAN=0 ;;
    --hold) HOLD=1 ;;
    --keep) KEEP=$2; shift ;;
    -h | --help) usage ;;
    *) echo "bench: unknown argument '$1'" >&2; usage ;;
    esac
    shift
done
[[ $RUNS =~ ^[1-9][0-9]*$ && $SLOW_RUNS =~ ^[1-9][0-9]*$ && $DELAY_MS =~ ^[0-9]+$ ]] || usage
[[ $JSON == /* ]] || JSON=$PWD/$JSON
want() { [[ ,$ONLY, == *",$1,"* ]]; }

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
((EUID == 0)) || die "run as root (the lab binds port 53; the link needs CAP_NET_ADMIN)"

# ---------------------------------------------------------------- prerequisites

need_pkgs=()
need() { # COMMAND PACKAGE
    command -v "$1" >/dev/null || need_pkgs+=("$2")
}
need nmap nmap
command -v testssl.sh >/dev/null || need testssl testssl.sh
need dig bind9-dnsutils
need kdig knot-dnsutils
need curl curl
need ip iproute2
need tc iproute2
need jq jq
need openssl openssl
need cc gcc
need hexdump bsdextrautils # testssl.sh needs it
[[ -x /usr/bin/time ]] || need_pkgs+=(time)
if ((${#need_pkgs[@]})); then
    say "installing ${need_pkgs[*]}"
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -y -qq --no-install-recommends \
        "${need_pkgs[@]}" >/dev/null || die "apt-get install ${need_pkgs[*]} failed"
fi
bash "$top/tests/lab/lab.sh" install

if [[ -z ${LYNCCHECK:-} ]]; then
    for f in "$top/build/src/lynccheck" "$top/src/lynccheck"; do
        [[ -x $f ]] && { LYNCCHECK=$f; break; }
    done
fi
if [[ -z ${LYNCCHECK:-} ]]; then
    say "building lynccheck (scripts/build.sh)"
    [[ -x $top/scripts/install-deps.sh ]] && bash "$top/scripts/install-deps.sh" >/dev/null || true
    bash "$top/scripts/build.sh" --disable-tests
    LYNCCHECK=$top/build/src/lynccheck
fi
[[ -x $LYNCCHECK ]] || die "lynccheck binary $LYNCCHECK not found"

# ---------------------------------------------------------------- work dir, cleanup

work=$(mktemp -d /tmp/lynccheck-bench.XXXXXX)
LAB=$work/lab/lab.sh
export LC_LAB_NET=$NET LC_LAB_DIR=$LABDIR
DL_PID=
cleanup() {
    set +e
    if [[ -n $DL_PID ]]; then
        kill "$DL_PID" 2>/dev/null
        wait "$DL_PID" 2>/dev/null
    fi
    ip netns del "$NS" 2>/dev/null
    ip link del "$HOSTIF" 2>/dev/null
    [[ -e $LAB ]] && timeout 60 bash "$LAB" stop >/dev/null 2>&1
    if [[ -n $KEEP && -d $work/out ]]; then
        mkdir -p "$KEEP" && cp -a "$work/out" "$work/sites" "$work/raw.tsv" "$work/verd.tsv" "$KEEP"/ 2>/dev/null
        cp -a "$work/listeners" "$KEEP"/ 2>/dev/null
    fi
    rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A copy of the binary, so a rebuild meanwhile does not change what is measured.
LC=$work/lynccheck
install -m 755 "$LYNCCHECK" "$LC"
cc -O2 -std=c11 -o "$work/delayline" "$top/bench/delayline.c"
cc -O2 -std=c11 -o "$work/sweep-floor" "$top/bench/sweep-floor.c"

# ---------------------------------------------------------------- the lab

# The lab's own tree, copied, plus one generated zone bench.test holding the
# scale domains d1.bench.test ... dN.bench.test, laid out like fabrikam.test
# (hosted on the contoso.test deployment): sip.<d> at the access edge pool,
# lyncdiscover.<d> and meet.<d> at the reverse proxy, _sip._tls and
# _sipfederationtls._tcp SRV to sip.<d>. The lab's certificates do not name
# them: tls/web/sip checks on those names fail, which the scale runs count
# in time and memory, not in verdicts.
max_scale=1
for n in $SCALES; do ((n > max_scale)) && max_scale=$n; done
cp -a "$top/tests/lab" "$work/lab"
# lab.sh builds the MS-TURN peer from ../lc-msturn.c (tests/), beside its tree.
cp -a "$top"/tests/lc-*.c "$work"/
{
    printf '; bench.test - scale domains, generated by bench/run.sh\n$ORIGIN bench.test.\n$TTL 3600\n'
    printf '@ SOA ns.bench.test. hostmaster.bench.test. 2024010101 3600 600 86400 300\n'
    printf '@ NS ns.bench.test.\nns A @NET@.0.53\n'
    for ((i = 1; i <= max_scale; i++)); do
        printf 'sip.d%d A @NET@.1.10\nsip.d%d A @NET@.1.20\n' "$i" "$i"
        printf 'lyncdiscover.d%d A @NET@.2.10\nmeet.d%d A @NET@.2.10\n' "$i" "$i"
        printf '_sip._tls.d%d SRV 0 0 443 sip.d%d.bench.test.\n' "$i" "$i"
        printf '_sipfederationtls._tcp.d%d SRV 0 0 5061 sip.d%d.bench.test.\n' "$i" "$i"
    done
} >"$work/lab/zones/bench.test.zone.in"

say "starting the bench lab ($NET.0.0/16, $LABDIR)"
# LC_LAB_START_TIMEOUT: a machine shared with other builds may need longer.
timeout "${LC_LAB_START_TIMEOUT:-400}" bash "$LAB" start 2>"$work/lab-start.log" || { tail -n 20 "$work/lab-start.log" >&2; die "lab start failed"; }
SITE_HEALTHY=$(bash "$LAB" site healthy)
SITE_FILTERED=$(bash "$LAB" site proto-mediafiltered)
CA=$LABDIR/pki/root.pem
mkdir -p "$work/sites" "$work/out"
for n in $SCALES; do
    {
        grep -vE '^(sip-domain|meet|xmpp|profile)[[:space:]]*=' "$SITE_HEALTHY"
        printf 'profile = external\nxmpp = no\n'
        for ((i = 1; i <= n; i++)); do printf 'sip-domain = d%d.bench.test\n' "$i"; done
    } >"$work/sites/scale-$n.site"
done

if ((HOLD)); then
    : >"$work/hold"
    say "lab up; sites: $(ls "$work"/sites/*.site "$SITE_HEALTHY" | tr '\n' ' ')"
    say "binary: $LC; rm $work/hold to stop the lab"
    while [[ -e $work/hold ]]; do sleep 2; done
    exit 0
fi

# ---------------------------------------------------------------- the link

LINK_METHOD=none RTT_MEASURED=
wan_up() {
    ip netns del "$NS" 2>/dev/null || true
    ip link del "$HOSTIF" 2>/dev/null || true
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    local route_via=()
    ip link add "$HOSTIF" type veth peer name "$NSIF"
    if tc qdisc add dev "$HOSTIF" root netem delay "${DELAY_MS}ms" limit 1000000 2>/dev/null; then
        LINK_METHOD="veth + tc netem delay ${DELAY_MS}ms on each end"
        ip link set "$NSIF" netns "$NS"
        ip -n "$NS" link set "$NSIF" up
        ip netns exec "$NS" tc qdisc add dev "$NSIF" root netem delay "${DELAY_MS}ms" limit 1000000
        ip addr add "$HOSTIP/30" dev "$HOSTIF"
        ip -n "$NS" addr add "$NSIP/30" dev "$NSIF"
        route_via=(via "$HOSTIP")
    else
        # No netem in this kernel: two TUN devices joined by bench/delayline.
        ip link del "$HOSTIF"
        LINK_METHOD="TUN pair + bench/delayline ${DELAY_MS}ms each way (no netem in this kernel)"
        "$work/delayline" "$HOSTIF" "$NSIF" "$DELAY_MS" >"$work/delayline.out" 2>&1 &
        DL_PID=$!
        local i
        for ((i = 0; i < 50; i++)); do
            grep -q ready "$work/delayline.out" 2>/dev/null && break
            sleep 0.1
        done
        grep -q ready "$work/delayline.out" || die "delayline did not start: $(cat "$work/delayline.out")"
        ip link set "$NSIF" netns "$NS"
        ip addr add "$HOSTIP" peer "$NSIP" dev "$HOSTIF"
        ip -n "$NS" addr add "$NSIP" peer "$HOSTIP" dev "$NSIF"
        # A TUN device queues 500 packets by default: a burst of 10,000
        # connects would lose SYNs there (each then costs a 1 s retransmit).
        ip link set "$HOSTIF" txqueuelen 100000
        ip -n "$NS" link set "$NSIF" txqueuelen 100000
        ip -n "$NS" link set "$NSIF" up
    fi
    ip link set "$HOSTIF" up
    # The lab listens on 127.82.x.y of the host's lo: loopback addresses may
    # cross an interface only with route_localnet on both ends.
    sysctl -qw "net.ipv4.conf.$HOSTIF.route_localnet=1"
    ip netns exec "$NS" sysctl -qw "net.ipv4.conf.$NSIF.route_localnet=1"
    ip -n "$NS" route add "$NET.0.0/16" "${route_via[@]}" dev "$NSIF" src "$NSIP"
    # Round trip as seen by a client: median of 5 UDP DNS queries.
    local t=() s e
    for i in 1 2 3 4 5; do
        s=$(date +%s%N)
        ip netns exec "$NS" kdig "@$NET.0.53" +short +time=2 +retry=0 SOA contoso.test >/dev/null ||
            die "the lab is not reachable from namespace $NS"
        e=$(date +%s%N)
        t+=($(((e - s) / 100000)))
    done
    RTT_MEASURED=$(printf '%s\n' "${t[@]}" | sort -n | sed -n 3p | awk '{ printf "%.1f", $1 / 10 }')
    say "link: $LINK_METHOD; measured DNS round trip ${RTT_MEASURED} ms (namespace exec included)"
}

# ---------------------------------------------------------------- measuring

RAW=$work/raw.tsv    # bench link tool run wall user sys rss_kb rc
VERD=$work/verd.tsv  # bench link tool verdict
: >"$RAW"
: >"$VERD"

# measure BENCH LINK TOOL RUNS VERDICT-FN COMMAND...: run COMMAND RUNS times
# under /usr/bin/time (in the namespace for LINK wan); @OUT@ in an argument
# becomes the run's output prefix. VERDICT-FN OUT RC prints the last run's
# verdict.
measure() {
    local bench=$1 link=$2 tool=$3 runs=$4 vfn=$5 r out rc a slug
    shift 5
    local pre=()
    [[ $link == wan ]] && pre=(ip netns exec "$NS")
    slug=$(printf '%s' "$bench.$link.$tool" | tr -c 'A-Za-z0-9._-' '_')
    for ((r = 1; r <= runs; r++)); do
        out=$work/out/$slug.$r
        local args=()
        for a; do args+=("${a//@OUT@/$out}"); done
        rc=0
        "${pre[@]}" /usr/bin/time -f '%e %U %S %M' -o "$out.time" \
            timeout "$LIMIT" "${args[@]}" >"$out.stdout" 2>"$out.stderr" </dev/null || rc=$?
        read -r w u s m < <(tail -n 1 "$out.time")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$bench" "$link" "$tool" "$r" "$w" "$u" "$s" "$m" "$rc" >>"$RAW"
        say "$bench/$link/$tool run $r/$runs: ${w}s wall, $(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')s cpu, $((m / 1024)) MB, exit $rc"
    done
    printf '%s\t%s\t%s\t%s\n' "$bench" "$link" "$tool" "$("$vfn" "$out" "$rc" | tr '\t\n' '  ')" >>"$VERD"
}

# Verdicts.
v_lynccheck() { # lynccheck JSON report: check count and statuses
    jq -r '"\(.checks | length) checks: " + ([.checks[].status] | group_by(.) | map("\(length) \(.[0])") | join(", "))' \
        "$1.json" 2>/dev/null || echo "no report (exit $2)"
}
v_ports() { # the port.tcp-range classification
    jq -r '[.checks[] | select(.id | startswith("port.tcp-range")) | .evidence.addresses[]]
        | "open \(map(.open) | add) closed \(map(.closed) | add) filtered \(map(.filtered + .unreachable) | add)"' \
        "$1.json" 2>/dev/null || echo "no report (exit $2)"
}
v_nmap() { # nmap XML: ports by state (extraports plus listed ports)
    local o c f
    o=$(grep -c 'state="open"' "$1.xml" 2>/dev/null) || true
    c=$(grep -c 'state="closed"' "$1.xml" 2>/dev/null) || true
    f=$(grep -c '<state state="filtered"' "$1.xml" 2>/dev/null) || true
    while read -r st n; do
        case $st in open) o=$((o + n)) ;; closed) c=$((c + n)) ;; filtered) f=$((f + n)) ;; esac
    done < <(grep -o '<extraports state="[a-z]*" count="[0-9]*"' "$1.xml" 2>/dev/null |
        sed 's/.*state="\([a-z]*\)" count="\([0-9]*\)"/\1 \2/')
    echo "open $o closed $c filtered $f"
}
v_summary() { tail -n 1 "$1.stdout"; }

# ---------------------------------------------------------------- the comparisons

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
links=(loopback)
((WAN)) && links+=(wan)

for link in "${links[@]}"; do
    if [[ $link == wan ]]; then
        wan_up
    fi

    if want profile; then
        measure profile "$link" lynccheck "$RUNS" v_lynccheck \
            "$LC" --config "$SITE_HEALTHY" --format json --output @OUT@.json
    fi

    if want floor && [[ $link == loopback ]]; then
        # The sweep of the A/V edge's 50000-59999 (nothing listens there)
        # without lynccheck around it, then lynccheck's own pieces: across the
        # link the bare loop would wait a round trip per port, so loopback only.
        measure floor "$link" "sweep-floor, a socket per port" "$RUNS" v_summary \
            "$work/sweep-floor" new "$NET.1.12" 50000 59999
        measure floor "$link" "sweep-floor, one socket" "$RUNS" v_summary \
            "$work/sweep-floor" reuse "$NET.1.12" 50000 59999
        measure floor "$link" "lynccheck --version" "$RUNS" v_summary "$LC" --version
        measure floor "$link" "lynccheck, the range alone" "$RUNS" v_lynccheck \
            "$LC" --config "$SITE_HEALTHY" --only 'port.tcp-range:*' --format json --output @OUT@.json
        measure floor "$link" "lynccheck --port-ranges none" "$RUNS" v_lynccheck \
            "$LC" --config "$SITE_HEALTHY" --port-ranges none --format json --output @OUT@.json
    fi

    if want ports; then
        measure ports "$link" "lynccheck --timeout $PORT_TIMEOUT" "$RUNS" v_ports \
            "$LC" --config "$SITE_FILTERED" --only 'port.tcp-range:*' --timeout "$PORT_TIMEOUT" \
            --port-ranges full --format json --output @OUT@.json
        measure ports "$link" "nmap -sT -Pn -T4" "$SLOW_RUNS" v_nmap \
            nmap -sT -Pn -T4 -n -p 50000-59999 -oX @OUT@.xml "$NET.30.12"
    fi

    if want tls; then
        measure tls "$link" "lynccheck --only tls.*" "$RUNS" v_lynccheck \
            "$LC" --config "$SITE_HEALTHY" --only 'tls.*' --format json --output @OUT@.json
        # The listeners: every address and port lynccheck's tls.handshake
        # checks connected to, with the first name it sent there as SNI.
        if [[ ! -s $work/listeners ]]; then
            jq -r '.checks[] | select(.id | startswith("tls.handshake:"))
                | .evidence as $e | ($e.addresses // {} | keys[]) as $a
                | "\($a) \($e.port) \($e.sni)"' "$(ls "$work"/out/tls.*.lynccheck*.1.json | head -n1)" |
                awk '!seen[$1 " " $2]++' >"$work/listeners"
            jq -r '[.checks[] | select(.id | startswith("tls.handshake:"))
                | .evidence.addresses // {} | length] | add' \
                "$(ls "$work"/out/tls.*.lynccheck*.1.json | head -n1)" >"$work/handshakes"
            say "TLS listeners: $(wc -l <"$work/listeners") ($(tr '\n' ';' <"$work/listeners"))"
        fi
        measure tls "$link" "openssl s_client loop" "$RUNS" v_summary \
            bash "$top/bench/admin-tls.sh" "$work/listeners" "$CA"
        measure tls "$link" "testssl.sh -S loop" "$SLOW_RUNS" v_summary \
            bash "$top/bench/testssl-loop.sh" "$work/listeners" "$CA"
    fi

    if want dns-web; then
        measure dns "$link" "lynccheck --only dns.*" "$RUNS" v_lynccheck \
            "$LC" --config "$SITE_HEALTHY" --only 'dns.*' --format json --output @OUT@.json
        measure dns "$link" "dig script" "$RUNS" v_summary \
            bash "$top/bench/admin-dns-web.sh" "$SITE_HEALTHY" dns
        if "$LC" --config "$SITE_HEALTHY" --only 'web.*' --list-checks 2>/dev/null | grep -q '^web\.'; then
            measure dns-web "$link" "lynccheck --only dns.* web.*" "$RUNS" v_lynccheck \
                "$LC" --config "$SITE_HEALTHY" --only 'dns.*' --only 'web.*' --format json --output @OUT@.json
        else
            say "this lynccheck has no web probe: dns-web compares the dig + curl script with dns.* only"
            printf 'dns-web\t%s\tlynccheck (no web probe in this build)\tn/a\n' "$link" >>"$VERD"
        fi
        measure dns-web "$link" "dig + curl script" "$RUNS" v_summary \
            bash "$top/bench/admin-dns-web.sh" "$SITE_HEALTHY" all
    fi

    if want scale; then
        for n in $SCALES; do
            r=$RUNS
            ((n >= 1000)) && r=$SLOW_RUNS
            measure scale "$link" "lynccheck profile, $n domains" "$r" v_lynccheck \
                "$LC" --config "$work/sites/scale-$n.site" --deadline 0 --format json --output @OUT@.json
            measure scale "$link" "lynccheck dns.*, $n domains" "$r" v_lynccheck \
                "$LC" --config "$work/sites/scale-$n.site" --only 'dns.*' --deadline 0 --format json --output @OUT@.json
        done
    fi
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report

mhz=$(awk -F': ' '/^cpu MHz/ { print $2; exit }' /proc/cpuinfo)
jq -n --rawfile raw "$RAW" --rawfile verd "$VERD" \
    --arg cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
    --arg mhz "$mhz" --arg nproc "$(nproc)" \
    --arg mem "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)" \
    --arg kernel "$(uname -r)" --arg debian "$(cat /etc/debian_version 2>/dev/null)" \
    --arg lc "$("$LC" --version 2>&1 | head -n1)" --arg lcpath "$LYNCCHECK" \
    --arg lcsha "$(sha256sum "$LC" | cut -c1-16)" \
    --arg load_before "$LOAD_BEFORE" --arg load_after "$LOAD_AFTER" \
    --arg link "$LINK_METHOD" --argjson delay "$DELAY_MS" --arg rtt "$RTT_MEASURED" \
    --argjson runs "$RUNS" --argjson slow "$SLOW_RUNS" --argjson timeout "$PORT_TIMEOUT" \
    --arg listeners "$(cat "$work/listeners" 2>/dev/null)" --arg handshakes "$(cat "$work/handshakes" 2>/dev/null)" \
    --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" '
    def med: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
             else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    def r3: if . == null then null else (. * 1000 | round) / 1000 end;
    ($raw | split("\n") | map(select(length > 0) | split("\t"))
        | map({bench: .[0], link: .[1], tool: .[2], run: (.[3] | tonumber), wall: (.[4] | tonumber),
               cpu: ((.[5] | tonumber) + (.[6] | tonumber)), rss_kb: (.[7] | tonumber), rc: (.[8] | tonumber)})) as $rows
    | ($verd | split("\n") | map(select(length > 0) | split("\t") | {key: (.[0] + "\t" + .[1] + "\t" + .[2]), value: .[3]})
        | from_entries) as $v
    | [$rows | group_by([.bench, .link, .tool])[]
        | {bench: .[0].bench, link: .[0].link, tool: .[0].tool, runs: length,
           wall_s: map(.wall), median_wall_s: (map(.wall) | med | r3), median_cpu_s: (map(.cpu) | med | r3),
           median_rss_mb: (map(.rss_kb) | med / 1024 | r3), exit: (map(.rc) | unique),
           verdict: $v[.[0].bench + "\t" + .[0].link + "\t" + .[0].tool]}] as $res
    | ($res | map(. as $r | . + {order: ($rows | map(.bench + .link + .tool) | index($r.bench + $r.link + $r.tool))})
        | sort_by(.order) | map(del(.order))) as $res
    # Ratios: each tool against lynccheck in the same comparison and link;
    # scale rows against the same kind of run with 1 domain.
    | ($res | map(. as $r
        | ($res | map(select(.bench == $r.bench and .link == $r.link and (.tool | startswith("lynccheck")))) | .[0]) as $base
        | if $r.bench == "scale" then
            ($r.tool | sub(", [0-9]+ domains$"; "")) as $kind
            | ($res | map(select(.bench == "scale" and .link == $r.link and .tool == ($kind + ", 1 domains"))) | .[0]) as $one
            | (($r.verdict // "" | capture("^(?<n>[0-9]+) checks") | .n | tonumber) // null) as $checks
            | (($one.verdict // "" | capture("^(?<n>[0-9]+) checks") | .n | tonumber) // null) as $one_checks
            | $r + {ratio: (if $one then ($r.median_wall_s / $one.median_wall_s | r3) else null end), ratio_to: "1 domain",
                    checks: $checks,
                    # What each check beyond the 1-domain run costs in peak RSS.
                    rss_kb_per_check: (if $one and $checks != null and $one_checks != null and $checks > $one_checks
                        then (($r.median_rss_mb - $one.median_rss_mb) * 1024 / ($checks - $one_checks) | . * 100 | round / 100)
                        else null end)}
          elif $r.bench == "floor" then $r + {ratio: null}
          elif ($r.tool | startswith("lynccheck")) then $r + {ratio: 1, ratio_to: "lynccheck"}
          elif $base then $r + {ratio: ($r.median_wall_s / $base.median_wall_s * 10 | round / 10), ratio_to: $base.tool}
          else $r + {ratio: null} end)) as $res
    | {date: $date,
       machine: {nproc: ($nproc | tonumber), cpu: $cpu, cpu_mhz: $mhz, memory: $mem, kernel: $kernel, debian: $debian},
       load_average: {before: $load_before, after: $load_after},
       lynccheck: {version: $lc, path: $lcpath, sha256_prefix: $lcsha},
       settings: {runs: $runs, slow_runs: $slow, port_timeout_s: $timeout},
       wan: {method: $link, delay_ms_each_way: $delay, rtt_ms: ($delay * 2), measured_dns_rtt_ms: $rtt},
       tls_listeners: ($listeners | split("\n") | map(select(length > 0))),
       lynccheck_tls_handshakes: $handshakes,
       results: $res}
    | . as $doc
    | def get($b; $l; $t): $doc.results | map(select(.bench == $b and .link == $l and .tool == $t)) | .[0];
      def first_tool($b; $l; $p): $doc.results | map(select(.bench == $b and .link == $l and (.tool | startswith($p)))) | .[0];
      . + {targets: [
        (get("profile"; "loopback"; "lynccheck") | select(.) | {target: "healthy profile, loopback: wall <= 0.25 s", value: .median_wall_s, met: (.median_wall_s <= 0.25)},
                                                          {target: "healthy profile, loopback: CPU <= 0.10 s", value: .median_cpu_s, met: (.median_cpu_s <= 0.10)},
                                                          {target: "healthy profile, loopback: peak RSS <= 20 MB", value: .median_rss_mb, met: (.median_rss_mb <= 20)}),
        (get("profile"; "wan"; "lynccheck") | select(.) | {target: "healthy profile across the link: < 10 round trips (\($delay * 2 * 10 / 1000) s)", value: .median_wall_s, round_trips: (.median_wall_s * 1000 / ($delay * 2) | . * 10 | round / 10), met: (.median_wall_s * 1000 < 10 * $delay * 2)}),
        (first_tool("ports"; "loopback"; "lynccheck") | select(.) | {target: "filtered 10,000-port range, loopback: wall < 1.5 x timeout (\(1.5 * $timeout) s)", value: .median_wall_s, met: (.median_wall_s < 1.5 * $timeout)}),
        (first_tool("ports"; "wan"; "lynccheck") | select(.) | {target: "filtered 10,000-port range, across the link: wall < 1.5 x timeout (\(1.5 * $timeout) s)", value: .median_wall_s, met: (.median_wall_s < 1.5 * $timeout)}),
        ($doc.results[] | select(.bench == "ports" and (.tool | startswith("nmap"))) | . as $n
            | first_tool("ports"; $n.link; "lynccheck") as $l
            | {target: "nmap -T4 / lynccheck >= 50 with the same verdicts (\($n.link))", value: $n.ratio, verdicts: [$l.verdict, $n.verdict], met: ($n.ratio >= 50 and $l.verdict == $n.verdict)}),
        ($doc.results[] | select(.bench == "tls" and (.tool | startswith("testssl"))) | {target: "testssl.sh -S / lynccheck TLS >= 20 (\(.link))", value: .ratio, met: (.ratio >= 20)}),
        ($doc.results[] | select(.bench == "scale" and (.tool | test("profile, 1000 domains"))) | {target: "1000 SIP domains, whole profile (\(.link)): < 15 s and < 200 MB", value: [.median_wall_s, .median_rss_mb], met: (.median_wall_s < 15 and .median_rss_mb < 200)}),
        # Linear: 10 x the domains costs at most 12 x the CPU, and a check
        # costs no more memory at 1,000 domains than at 100 (+25 %).
        ($doc.results[] | select(.bench == "scale" and (.tool | test("profile, 1000 domains"))) | . as $k
            | ($doc.results | map(select(.bench == "scale" and .link == $k.link and (.tool | test("profile, 100 domains")))) | .[0]) as $h
            | select($h)
            | {target: "growth 100 -> 1000 domains, whole profile (\($k.link)): linear (CPU x <= 12, RSS per check x <= 1.25)",
               value: {cpu_x: ($k.median_cpu_s / $h.median_cpu_s | r3), wall_x: ($k.median_wall_s / $h.median_wall_s | r3),
                       rss_kb_per_check: [$h.rss_kb_per_check, $k.rss_kb_per_check]},
               met: (($k.median_cpu_s / $h.median_cpu_s) <= 12 and $h.rss_kb_per_check != null and $k.rss_kb_per_check != null
                     and $k.rss_kb_per_check <= 1.25 * $h.rss_kb_per_check)})
      ]}' >"$JSON.tmp"
mv -f "$JSON.tmp" "$JSON"

# The table.
{
    printf '\nlynccheck benchmark, %s; %s, %s CPUs, load %s -> %s\n' "$(jq -r .date "$JSON")" \
        "$(jq -r .machine.cpu "$JSON")" "$(nproc)" "$LOAD_BEFORE" "$LOAD_AFTER"
    ((WAN)) && printf 'wan: %s (round trip %d ms; measured DNS query %s ms)\n' "$LINK_METHOD" $((2 * DELAY_MS)) "$RTT_MEASURED"
    printf 'medians of N runs; ratio = wall / lynccheck wall in the same comparison (scale: / the 1-domain run)\n\n'
    jq -r '["comparison", "link", "tool", "N", "wall s", "cpu s", "RSS MB", "ratio", "KB/chk", "verdict"],
        (.results[] | [.bench, .link, .tool, .runs, .median_wall_s, .median_cpu_s, .median_rss_mb,
            (.ratio // "-"), (.rss_kb_per_check // "-"), (.verdict // "" | .[0:60])]) | @tsv' "$JSON" |
        awk -F'\t' '{ printf "%-8s %-8s %-32s %2s %8s %7s %7s %7s %6s  %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
    printf '\ntargets:\n'
    jq -r '.targets[] | "  \(if .met then "met   " else "MISSED" end) \(.target): \(.value | tostring)\(if .round_trips then " (\(.round_trips) round trips)" else "" end)"' "$JSON"
    printf '\nJSON: %s\n' "$JSON"
}
