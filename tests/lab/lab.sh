#!/bin/bash
# lynccheck test lab: a simulated Lync / Skype for Business deployment made of
# real servers listening on loopback addresses (127/8 is routed to lo on Linux,
# so no interface set-up is needed).
#
#   lab.sh install          install the Debian packages the lab needs
#   lab.sh start            generate the state dir (PKI, configurations, site
#                           files) and start every service
#   lab.sh stop             stop every service and remove the state dir
#   lab.sh status           say which services run
#   lab.sh site SCENARIO    print the path of a scenario's site file
#   lab.sh env              print shell assignments for scripts (LC_LAB_*)
#
# Environment: LC_LAB_NET (address prefix, default 127.77 = 127.77.0.0/16),
# LC_LAB_DIR (state dir, default /tmp/lynccheck-lab).
#
# Everything the lab writes lives in the state dir: it never touches /etc/knot,
# /etc/nginx, /etc/kamailio, /var/lib/* or a system service. Each service is a
# set of functions <svc>_generate, <svc>_start, <svc>_wait, <svc>_stop, <svc>_log
# listed in SERVICES; a new service (prosody, coturn ...) adds its functions
# and its name there. The PKI (tests/lab/pki) is generated at every start,
# before the services: no key is ever committed.
set -euo pipefail

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_DIR=${LC_LAB_DIR:-/tmp/lynccheck-lab}
NET=${LC_LAB_NET:-127.77}
MARKER=.lynccheck-lab

# The order services start in; they stop in reverse.
SERVICES=(dns nginx kamailio)

# Packages the lab (and tests/lab-*.test) use.
PACKAGES=(knot knot-dnsutils jq libxml2-utils openssl nginx libnginx-mod-stream
    kamailio kamailio-tls-modules)

DNS_ADDR=$NET.0.53
DNS_PORT=53

NGINX_STREAM_MODULE=/usr/lib/nginx/modules/ngx_stream_module.so
KAMAILIO_MODULES=/usr/lib/x86_64-linux-gnu/kamailio/modules

log() { printf 'lab.sh: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

check_settings() {
    if [[ ! $NET =~ ^127\.([0-9]{1,3})$ ]] || ((10#${BASH_REMATCH[1]} > 255)); then
        die "LC_LAB_NET='$NET' must be a loopback prefix like 127.77"
    fi
    case $LAB_DIR in
    /*) ;;
    *) die "LC_LAB_DIR='$LAB_DIR' must be an absolute path" ;;
    esac
    [[ $LAB_DIR != / && $LAB_DIR != //* ]] || die "LC_LAB_DIR='$LAB_DIR' is not usable"
    # The path goes into site files, nginx, kamailio and openssl configurations.
    [[ $LAB_DIR =~ ^[A-Za-z0-9._/+-]+$ ]] ||
        die "LC_LAB_DIR='$LAB_DIR' may contain only letters, digits and . _ / + -"
}

# ---------------------------------------------------------------- helpers

# Create the state dir, or check that an existing one is ours.
state_dir_init() {
    if [[ -d $LAB_DIR ]]; then
        [[ -e $LAB_DIR/$MARKER ]] || [[ -z $(ls -A "$LAB_DIR") ]] ||
            die "$LAB_DIR exists and is not a lab state dir (no $MARKER): not touching it"
    fi
    mkdir -p "$LAB_DIR/run" "$LAB_DIR/sites"
    : >"$LAB_DIR/$MARKER"
}

state_dir_remove() {
    [[ -d $LAB_DIR ]] || return 0
    if [[ ! -e $LAB_DIR/$MARKER ]]; then
        log "warning: $LAB_DIR has no $MARKER: not removing it"
        return 0
    fi
    rm -rf -- "$LAB_DIR"
}

# Copy a template, replacing @NET@ by the address prefix and @STATE@ by the
# state dir.
# (check_settings keeps LAB_DIR free of characters special to sed, nginx or
# kamailio configuration files.)
render() { # template output
    sed -e "s|@NET@|$NET|g" -e "s|@STATE@|$LAB_DIR|g" "$1" >"$2.tmp"
    mv -f "$2.tmp" "$2"
}

pidfile_of() { printf '%s/run/%s.pid' "$LAB_DIR" "$1"; }

# True while PID runs (a zombie counts as gone).
proc_alive() {
    local state
    kill -0 "$1" 2>/dev/null || return 1
    state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ $state != Z ]]
}

# True if PID's command line mentions this state dir, so a stale pidfile never
# makes us signal an unrelated process that reused the number.
proc_is_ours() {
    local cmdline
    cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
    [[ $cmdline == *"$LAB_DIR/"* ]]
}

# svc_spawn NAME LOGFILE COMMAND...: run COMMAND in the background in its own
# session (so a Ctrl-C or a test harness signalling its process group does not
# reach it), detached from our stdio, and record its PID.
svc_spawn() {
    local name=$1 logfile=$2
    shift 2
    setsid "$@" </dev/null >>"$logfile" 2>&1 &
    printf '%s\n' "$!" >"$(pidfile_of "$name")"
}

svc_pid() { # NAME -> prints the PID if the service runs
    local pidfile pid
    pidfile=$(pidfile_of "$1")
    [[ -r $pidfile ]] || return 1
    pid=$(<"$pidfile")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    proc_alive "$pid" && proc_is_ours "$pid" || return 1
    printf '%s\n' "$pid"
}

# Stop a process by PID: TERM, wait up to 5 s, then KILL.
kill_wait() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do
        proc_alive "$pid" || return 0
        sleep 0.1
    done
    log "PID $pid ignored SIGTERM: killing it"
    kill -KILL "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do
        proc_alive "$pid" || return 0
        sleep 0.1
    done
    die "PID $pid does not exit"
}

svc_kill() { # NAME
    local pid
    if pid=$(svc_pid "$1"); then
        kill_wait "$pid"
    fi
    rm -f "$(pidfile_of "$1")"
}

# Processes started from this state dir whose pidfile is gone (a state dir
# removed by hand while they ran): exact command line match only.
kill_strays() { # COMMAND-LINE (arguments joined by spaces)
    local dir pid cmdline
    for dir in /proc/[0-9]*; do
        pid=${dir#/proc/}
        cmdline=$(tr '\0' ' ' <"$dir/cmdline" 2>/dev/null) || continue
        if [[ $cmdline == "$1 " ]]; then
            log "stopping stray PID $pid ($1)"
            kill_wait "$pid"
        fi
    done
}

# svc_wait NAME SECONDS COMMAND...: poll COMMAND every 0.2 s until it
# succeeds; give up after SECONDS or as soon as service NAME has exited.
svc_wait() {
    local name=$1 deadline=$((SECONDS + $2))
    shift 2
    while ! "$@"; do
        if ! svc_pid "$name" >/dev/null; then
            log "$name: process exited"
            return 1
        fi
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

# ---------------------------------------------------------------- DNS (Knot)

dns_dir() { printf '%s/dns' "$LAB_DIR"; }

dns_zones() { # prints the zone names, from the templates present
    local f
    for f in "$LAB_SRC"/zones/*.zone.in; do
        [[ -e $f ]] || die "no zone templates in $LAB_SRC/zones"
        f=${f##*/}
        printf '%s\n' "${f%.zone.in}"
    done
}

dns_generate() {
    local dir zone
    dir=$(dns_dir)
    rm -rf -- "$dir"
    mkdir -p "$dir/zones" "$dir/run" "$dir/db"
    {
        cat <<EOF
# Generated by tests/lab/lab.sh: lynccheck test lab, do not edit.
server:
    rundir: "$dir/run"
    pidfile: "$dir/run/knot.pid"
    listen: [ $DNS_ADDR@$DNS_PORT ]
    udp-workers: 2
    tcp-workers: 2
    background-workers: 1

control:
    listen: "$dir/run/knot.sock"

log:
  - target: stderr
    any: info

database:
    storage: "$dir/db"
    journal-db: "$dir/db/journal"
    kasp-db: "$dir/db/keys"
    timer-db: "$dir/db/timers"
    catalog-db: "$dir/db/catalog"

template:
  - id: default
    storage: "$dir/zones"
    file: "%s.zone"
    zonefile-load: whole
    zonefile-sync: -1
    journal-content: none

zone:
EOF
        while read -r zone; do
            render "$LAB_SRC/zones/$zone.zone.in" "$dir/zones/$zone.zone"
            printf '  - domain: %s\n' "$zone"
        done < <(dns_zones)
    } >"$dir/knot.conf"
}

dns_conf() { printf '%s/knot.conf' "$(dns_dir)"; }

dns_start() {
    command -v knotd >/dev/null || die "knotd not found: run '$0 install'"
    kill_strays "knotd -c $(dns_conf)"
    svc_spawn dns "$(dns_dir)/knotd.log" knotd -c "$(dns_conf)"
}

dns_answers() { # ZONE: true once the server answers the zone's SOA
    local out
    out=$(timeout 3 kdig "@$DNS_ADDR" -p "$DNS_PORT" +short +time=1 +retry=0 SOA "$1" 2>/dev/null) || return 1
    [[ -n $out ]]
}

dns_wait() {
    local zone bad=()
    svc_wait dns 10 dns_answers contoso.test || return 1
    # Every zone must be loaded, not just the first one.
    while read -r zone; do
        svc_wait dns 3 dns_answers "$zone" || bad+=("$zone")
    done < <(dns_zones)
    if ((${#bad[@]})); then
        log "zones not served: ${bad[*]}"
        return 1
    fi
}

dns_log() { cat "$(dns_dir)/knotd.log" 2>/dev/null || true; }

dns_stop() {
    svc_kill dns
    kill_strays "knotd -c $(dns_conf)"
}

# ---------------------------------------------------------------- sites

site_generate() { # SCENARIO -> prints the site path
    local name=$1 tmpl out
    [[ $name =~ ^[A-Za-z0-9_-]+$ ]] || die "bad scenario name '$name'"
    tmpl=$LAB_SRC/scenarios/$name.site.in
    [[ -r $tmpl ]] || die "unknown scenario '$name' (no $tmpl)"
    out=$LAB_DIR/sites/$name.site
    if [[ ! -e $out ]]; then
        state_dir_init
        render "$tmpl" "$out"
    fi
    printf '%s\n' "$out"
}

sites_generate() {
    local f name
    for f in "$LAB_SRC"/scenarios/*.site.in; do
        [[ -e $f ]] || continue
        name=${f##*/}
        render "$f" "$LAB_DIR/sites/${name%.site.in}.site"
    done
}

# ---------------------------------------------------------------- commands

cmd_install() {
    local pkg missing=()
    for pkg in "${PACKAGES[@]}"; do
        if [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) != "install ok installed" ]]; then
            missing+=("$pkg")
        fi
    done
    ((${#missing[@]})) || return 0
    ((EUID == 0)) || die "missing packages ${missing[*]}: run '$0 install' as root"
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

cmd_stop() {
    local i
    for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
        "${SERVICES[i]}_stop"
    done
    state_dir_remove
}

cmd_start() {
    local svc
    ((EUID == 0)) || die "the lab binds port 53: run it as root"
    # Idempotent: whatever runs from an earlier start goes first.
    if [[ -d $LAB_DIR ]]; then
        state_dir_init # refuses a directory that is not ours
        cmd_stop
    fi
    state_dir_init
    printf 'LC_LAB_NET=%s\n' "$NET" >"$LAB_DIR/net"
    sites_generate
    for svc in "${SERVICES[@]}"; do
        "${svc}_generate"
    done
    for svc in "${SERVICES[@]}"; do
        "${svc}_start"
        if ! "${svc}_wait"; then
            log "service '$svc' did not come up; its log:"
            "${svc}_log" | sed 's/^/    /' >&2
            cmd_stop
            die "lab start failed"
        fi
    done
    log "lab up in $LAB_DIR (DNS $DNS_ADDR port $DNS_PORT)"
}

cmd_status() {
    local svc pid rc=0
    for svc in "${SERVICES[@]}"; do
        if pid=$(svc_pid "$svc"); then
            printf '%s running (PID %s)\n' "$svc" "$pid"
        else
            printf '%s stopped\n' "$svc"
            rc=3
        fi
    done
    return "$rc"
}

cmd_env() {
    printf 'LC_LAB_NET=%q\n' "$NET"
    printf 'LC_LAB_DIR=%q\n' "$LAB_DIR"
    printf 'LC_LAB_DNS=%q\n' "$DNS_ADDR"
    printf 'LC_LAB_DNS_PORT=%q\n' "$DNS_PORT"
}

usage() {
    sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0" >&2
    exit 2
}

main() {
    (($#)) || usage
    check_settings
    case $1 in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    site)
        (($# == 2)) || usage
        site_generate "$2"
        ;;
    -h | --help | help) usage ;;
    *)
        log "unknown command '$1'"
        usage
        ;;
    esac
}

main "$@"
