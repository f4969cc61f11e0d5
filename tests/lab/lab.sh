#!/bin/bash
# lynccheck test lab: a simulated Lync / Skype for Business deployment made of
# real servers listening on loopback addresses (127/8 is routed to lo on Linux,
# so no interface set-up is needed).
#
#   lab.sh install          install the Debian packages the lab needs
#   lab.sh start            generate the state dir (PKI, configurations, site
#                           files), start every service, add the iptables rules
#   lab.sh stop             stop every service, remove the iptables rules and
#                           the state dir
#   lab.sh status           say which services run, and if the rules are there
#   lab.sh site SCENARIO    print the path of a scenario's site file
#   lab.sh env              print shell assignments for scripts (LC_LAB_*)
#
# Environment: LC_LAB_NET (address prefix, default 127.77 = 127.77.0.0/16),
# LC_LAB_DIR (state dir, default /tmp/lynccheck-lab).
#
# Everything the lab writes lives in the state dir: it never touches /etc/knot,
# /etc/nginx, /etc/kamailio, /etc/prosody, /etc/turnserver.conf, /var/lib/* or
# a system service. Each service is a set of functions <svc>_generate,
# <svc>_start, <svc>_wait, <svc>_stop, <svc>_log listed in SERVICES; a new
# service adds its functions and its name there. The PKI (tests/lab/pki) is
# generated at every start, before the services: no key is ever committed.
# The firewall faults of the proto-* scenarios are iptables rules in a chain
# of the lab's own (fw_*), added once every service is up and removed by stop.
set -euo pipefail

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_DIR=${LC_LAB_DIR:-/tmp/lynccheck-lab}
NET=${LC_LAB_NET:-127.77}
MARKER=.lynccheck-lab

# The order services start in; they stop in reverse.
SERVICES=(dns revoke nginx ntlm sipae kamailio prosody coturn msturn)

# Packages the lab (and tests/lab-*.test) use.
PACKAGES=(knot knot-dnsutils jq libxml2-utils openssl nginx libnginx-mod-stream
    kamailio kamailio-tls-modules prosody coturn iptables python3 python3-impacket curl)

DNS_ADDR=$NET.0.53
DNS_PORT=53

NGINX_STREAM_MODULE=/usr/lib/nginx/modules/ngx_stream_module.so
# Debian's kamailio modules dir is per architecture.
KAMAILIO_MODULES=/usr/lib/x86_64-linux-gnu/kamailio/modules
for f in /usr/lib/*/kamailio/modules/tls.so /usr/lib/kamailio/modules/tls.so; do
    if [[ -e $f ]]; then
        KAMAILIO_MODULES=${f%/tls.so}
        break
    fi
done

log() { printf 'lab.sh: %s\n' "$*" >&2; }
STARTING=0
die() {
    log "error: $*"
    if ((STARTING)); then
        STARTING=0
        log "stopping the lab"
        cmd_stop
    fi
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

# PID's command line, its arguments joined by spaces, with a trailing space
# (no fork: kill_strays reads every process's).
proc_cmdline() {
    local args=()
    mapfile -d '' -t args 2>/dev/null <"/proc/$1/cmdline" || return 1
    printf '%s \n' "${args[*]}"
}

# True if PID's command line mentions this state dir, so a stale pidfile never
# makes us signal an unrelated process that reused the number.
proc_is_ours() {
    local cmdline
    cmdline=$(proc_cmdline "$1") || return 1
    [[ $cmdline == *"$LAB_DIR/"* ]]
}

# svc_spawn NAME LOGFILE COMMAND...: run COMMAND in the background in its own
# session (so a Ctrl-C or a test harness signalling its process group does not
# reach it), detached from our stdio, and record its PID.
svc_spawn() {
    local name=$1 logfile=$2
    shift 2
    (
        # Nothing inherited beyond 0-2: a server holding, say, the lock file
        # of the lab tests (their fd 9) would hold the lock as long as it runs.
        for fd in "/proc/$BASHPID/fd/"*; do
            fd=${fd##*/}
            if ((fd > 2)); then eval "exec $fd>&-"; fi
        done
        exec setsid "$@"
    ) </dev/null >>"$logfile" 2>&1 &
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
    local dir pid args=()
    for dir in /proc/[0-9]*; do
        pid=${dir#/proc/}
        mapfile -d '' -t args 2>/dev/null <"$dir/cmdline" || continue
        if [[ "${args[*]} " == "$1 " ]]; then
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

dns_zones() { # prints the zone names: the templates present, then the generated ones
    local f
    for f in "$LAB_SRC"/zones/*.zone.in; do
        [[ -e $f ]] || die "no zone templates in $LAB_SRC/zones"
        f=${f##*/}
        printf '%s\n' "${f%.zone.in}"
    done
    generated_zones
}

generated_zones() { # the zones of the TLS, proto and web scenarios (one per scenario)
    tls_scenarios | awk '{ print $2 }'
    proto_scenarios | awk '{ print $2 }'
    web_scenarios | awk '{ print $2 }'
}

dns_generate() {
    local dir zone name block where fault
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
        done < <(dns_zones | grep -vxF -f <(generated_zones))
        while read -r name zone block where fault; do
            block_zone "$zone" "$block" "$([[ $where == pool ]] && echo 1 || echo 0)" 0 \
                >"$dir/zones/$zone.zone"
            printf '  - domain: %s\n' "$zone"
        done < <(tls_scenarios)
        while read -r name zone block fault; do
            block_zone "$zone" "$block" 0 1 >"$dir/zones/$zone.zone"
            printf '  - domain: %s\n' "$zone"
        done < <(proto_scenarios)
        while read -r name zone block fault; do
            block_zone "$zone" "$block" 0 0 >"$dir/zones/$zone.zone"
            printf '  - domain: %s\n' "$zone"
        done < <(web_scenarios)
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

dns_served() { # ZONE...: prints the zones whose SOA the server answers (one kdig for all)
    local zone args=()
    for zone; do args+=(SOA "$zone"); done
    timeout 60 kdig "@$DNS_ADDR" -p "$DNS_PORT" +time=1 +retry=0 +noall +answer "${args[@]}" 2>/dev/null |
        awk '$4 == "SOA" { sub(/\.$/, "", $1); print tolower($1) }'
}

dns_wait() {
    local zone bad=() zones=() served
    local -A ok=()
    svc_wait dns 10 dns_answers contoso.test || return 1
    # Every zone must be loaded, not just the first one: one kdig asks for
    # them all; a zone it did not see is asked for again on its own.
    mapfile -t zones < <(dns_zones)
    while read -r served; do ok[$served]=1; done < <(dns_served "${zones[@]}")
    for zone in "${zones[@]}"; do
        [[ -z ${ok[${zone,,}]:-} ]] || continue
        svc_wait dns 3 dns_answers "$zone" || bad+=("$zone")
    done
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

# ---------------------------------------------------------------- TLS scenarios

# One TLS fault per SIP domain <x>.test (scenario tls-<x>), each in its own
# address block @NET@.<block>.0/24 laid out like contoso.test's deployment:
#   .10 .20      access edge pool (kamailio, TLS 443 and 5061)
#   .11          web conferencing edge (nginx stream, TLS 443)
#   .12          A/V edge: a name in the zone only, nothing listens
#   .30          reverse proxy: webext, webdirext, meet, dialin, lyncdiscover
#   .31          Office Web Apps (owa), through the same reverse proxy
# Every listener of the block has the block's healthy certificates except
# the one the fault is put on:
#   rp       the reverse proxy (.30 and .31)
#   access   the access edge (.10 and .20, ports 443 and 5061)
#   webconf  the web conferencing edge (.11)
#   pool     one access edge pool member (.20, both ports; the pool gets a
#            third, healthy member .21 so the odd one out is clear)
#   owa      Office Web Apps' own certificate, which the reverse proxy
#            serves for owa.<x>.test by SNI on .30 and .31
# The faults (certificate recipes) are pki_fault's. The zone <x>.test is
# generated (block_zone); scenarios/tls-<x>.site.in and .expect are files.
TLS_SCENARIOS=(
    # scenario         block listener fault
    "tls-nosan         10    rp       nosan"
    "tls-expired       11    rp       expired"
    "tls-expiring      12    access   expiring"
    "tls-notyet        13    webconf  notyet"
    "tls-wildcn        14    rp       wildcn"
    "tls-wildsan       15    rp       wildsan"
    "tls-edgewild      16    access   edgewild"
    "tls-selfsigned    17    rp       selfsigned"
    "tls-nochain       18    access   nochain"
    "tls-sha1          19    rp       sha1"
    "tls-rsa1024       20    access   rsa1024"
    "tls-pss           21    rp       pss"
    "tls-noserverauth  22    webconf  noserverauth"
    "tls-noclientauth  23    access   noclientauth"
    "tls-nocrl         24    rp       nocrl"
    "tls-pool          25    pool     pool"
    "tls-expiredca     26    rp       expiredca"
    # Blocks 70-: every certificate served judged, not only the primary name's.
    "tls-owaexpired    70    owa      owaexpired"
    "tls-storechain    71    rp       storechain"
    # Blocks 80-: revocation faults on the access edge certificate (revoke.sh).
    "tls-cdpinternal   80    access   cdpinternal"
    "tls-cdpldap       81    access   cdpldap"
    "tls-crlexpired    82    access   crlexpired"
    "tls-revoked       83    access   revoked"
    "tls-ocsprevoked   84    access   ocsprevoked"
    "tls-ocspdown      85    access   ocspdown"
)

tls_scenarios() { # prints "scenario domain block listener fault" lines
    local line name block where fault
    for line in "${TLS_SCENARIOS[@]}"; do
        read -r name block where fault <<<"$line"
        printf '%s %s %s %s %s\n' "$name" "${name#tls-}.test" "$block" "$where" "$fault"
    done
}

# block_zone DOMAIN BLOCK POOL(0|1) XMPP(0|1): the zone of a scenario with
# its own address block (TLS, proto and web scenarios). POOL adds the third access
# edge pool member .21 (tls-pool), XMPP the _xmpp-server._tcp SRV record.
block_zone() {
    local d=$1 p=$NET.$2
    cat <<EOZ
; $d - scenario zone, generated by tests/lab/lab.sh (TLS_SCENARIOS, PROTO_SCENARIOS, WEB_SCENARIOS).
\$ORIGIN $d.
\$TTL 3600
@                       SOA     ns.$d. hostmaster.$d. 2024010101 3600 600 86400 300
@                       NS      ns.$d.
ns                      A       $NET.0.53

access                  A       $p.10
access                  A       $p.20
sip                     A       $p.10
sip                     A       $p.20
EOZ
    if (($3)); then
        printf 'access                  A       %s.21\n' "$p"
        printf 'sip                     A       %s.21\n' "$p"
    fi
    cat <<EOZ
webconf                 A       $p.11
av                      A       $p.12
webext                  A       $p.30
webdirext               A       $p.30
meet                    A       $p.30
dialin                  A       $p.30
lyncdiscover            A       $p.30
owa                     A       $p.31

_sip._tls               SRV     0 0 443  sip.$d.
_sipfederationtls._tcp  SRV     0 0 5061 sip.$d.
EOZ
    if (($4)); then
        printf '_xmpp-server._tcp       SRV     0 0 5269 sip.%s.\n' "$d"
    fi
}

# ---------------------------------------------------------------- proto scenarios

# One port or protocol fault per SIP domain <x>.test (scenario proto-<x>),
# each in its own address block @NET@.<block>.0/24 laid out like a TLS
# scenario's, plus the A/V edge:
#   .10 .20      access edge pool: kamailio SIP over TLS 443 and 5061
#   .11          web conferencing edge (nginx stream, TLS 443)
#   .12          A/V edge: lc-msturn (MS-TURN on UDP 3478, pseudo-TLS on TCP
#                443), nothing on 50000-59999
#   .30          reverse proxy (nginx TLS 443 and plain 80): webext,
#                webdirext, meet, dialin, lyncdiscover
#   .31          Office Web Apps (owa), through the same reverse proxy
# Every service of the block is healthy but the fault:
#   mediafiltered  iptables drops TCP 50000-59999 to the A/V edge
#   mediapartial   iptables drops TCP 50000-50099 and 57000 to the A/V edge,
#                  the rest of the range passes (a rule opened for part of
#                  the range; and the port probe, which moves one socket
#                  from port to port, must name the right 101)
#   stunsilent     iptables drops UDP 3478 to the A/V edge
#   xmppclosed     nothing listens on 5269 (the zone has _xmpp-server._tcp)
#   sip403         kamailio answers REGISTER 403 Forbidden on .10 and .20
#   kerberosonly   kamailio's REGISTER 401 on .10 and .20 offers only the
#                  Kerberos challenge (no NTLM, no TLS-DSK)
#   sipopen        kamailio answers REGISTER 200 OK without credentials on
#                  .10 and .20 (an Edge that registers anyone)
#   fedfiltered    iptables drops TCP 5061 to .10 and .20
#   rpnoport80     the reverse proxy has no port 80
#   director301    not a fault: kamailio answers REGISTER "301 Redirect
#                  request to Home Server" with the home pool in Contact, as
#                  a Director does, on .10 and .20
#   uppercase      not a fault: kamailio's responses on .10 and .20 carry
#                  upper-case header names (SERVER:, WWW-AUTHENTICATE:)
#   turnopen       lc-msturn grants an Allocate without credentials on the
#                  A/V edge .12 (an open relay)
# The block's certificates are shared by every proto scenario (proto-edge,
# proto-rp); the zones come from block_zone, scenarios/proto-<x>.site.in and
# .expect are files. No proto block serves XMPP (xmppclosed's fault is just
# that; the others' site files say xmpp = no).
PROTO_SCENARIOS=(
    # scenario            block fault
    "proto-mediafiltered  30    mediafiltered"
    "proto-stunsilent     31    stunsilent"
    "proto-xmppclosed     32    xmppclosed"
    "proto-sip403         33    sip403"
    "proto-fedfiltered    34    fedfiltered"
    "proto-rpnoport80     35    rpnoport80"
    "proto-kerberosonly   36    kerberosonly"
    "proto-sipopen        37    sipopen"
    "proto-director301    38    director301"
    "proto-uppercase      39    uppercase"
    "proto-turnopen       44    turnopen"
    "proto-mediapartial   45    mediapartial"
)

proto_scenarios() { # prints "scenario domain block fault" lines
    local line name block fault
    for line in "${PROTO_SCENARIOS[@]}"; do
        read -r name block fault <<<"$line"
        printf '%s %s %s %s\n' "$name" "${name#proto-}.test" "$block" "$fault"
    done
}

# ---------------------------------------------------------------- web scenarios

# The Lync web services published through a reverse proxy (web probe). Each
# fault is its own SIP domain <x>.test (scenario web-<x>) in its own block
# @NET@.<block>.0/24 (zone from block_zone; .10-.12 are names only, nothing
# listens there):
#   .30          reverse proxy (nginx): TLS 443 -> backend 4443 (https,
#                backend certificate verified against the lab root), plain
#                80 -> backend 8080; by Host: webdirext and lyncdiscover to
#                the Director, webext, meet, dialin to the Front End
#   .31          Office Web Apps (owa): the static lab page
#   .40          Director backend: the emulated Lync external web site,
#                dir01.corp.<x>.test (a name outside the public zone)
#   .41          Front End backend, fe01.corp.<x>.test
# contoso.test (and fabrikam.test) is deployment "healthy" on block 2, with
# its reverse proxy on .10 (owa .11) and the same backends .40 and .41. Every
# service of a block is healthy but the fault:
#   hostrewrite   the proxy sends the backend's internal name as Host (mex
#                 metadata then names internal hosts)
#   unpublished   the proxy answers /abs/ 404 itself (a path not published)
#   dirdown       nothing listens on the Director backend: 502 from the proxy
#   nochallenge   the proxy strips WWW-Authenticate from the answers
#   preauth       proxy pre-authentication: 401 Basic and a login page for
#                 every host but lyncdiscover
#   noport80      the reverse proxy has no port 80
#   backendcert   the Director backend's certificate is self-signed: the
#                 proxy's verification fails, 502
#   redirloop     GET / on lyncdiscover answers 302 to itself
#   internallink  the Director's autodiscover links name its internal host
#                 (external URL not configured)
#   parking       the proxy has no rule for meet.<x>.test: its default site
#                 (nginx's stock "Welcome to nginx!" page) answers 200
#   signin        not a fault: /WebTicket/WebTicketService.svc/Auth goes to
#                 the lab's Web Ticket Service with Windows authentication
#                 (NTLM, ntlm.sh, on .45; contoso.test's too); web-signin
#                 signs in with the lab user, web-signin-badpw (same
#                 deployment) with a wrong password
#   signin-strip  the proxy drops Authorization on POST (ntlm.sh): NTLM never
#                 reaches the Web Ticket Service (scenario signin-strip)
#   signin-noprov the pool's certificate provisioning is off (the acceptor
#                 answers GetAndPublishCert with a fault; signin-noprov)
#   signin-ferefuse the Front End refuses the provisioned certificate
#                 (signin-ferefuse)
#   rootredirect  not a fault: the backends' HTTP root (port 80) answers a
#                 redirect-only document, a single Redirect link to the https
#                 root, as [MS-OCDISCWS] 3.1.5.2 specifies for the HTTP Root
# Certificates: web-<x>-rp (like a proto block's), web-<x>-dir and
# web-<x>-fe (the internal names); scenarios/web-<x>.site.in and .expect are
# files. The backends' IIS-like access logs: <state>/nginx/backend-<x>-dir.log
# and -fe.log (backend-healthy-dir.log for contoso.test).
WEB_SCENARIOS=(
    # scenario          block fault
    "web-hostrewrite    50    hostrewrite"
    "web-unpublished    51    unpublished"
    "web-dirdown        52    dirdown"
    "web-nochallenge    53    nochallenge"
    "web-preauth        54    preauth"
    "web-noport80       55    noport80"
    "web-backendcert    56    backendcert"
    "web-redirloop      57    redirloop"
    "web-internallink   58    internallink"
    "web-parking        59    parking"
    "web-rootredirect   60    rootredirect"
    "web-signin         61    signin"
    "signin-strip       62    signin-strip"
    "signin-noprov      63    signin-noprov"
    "signin-ferefuse    64    signin-ferefuse"
)

web_scenarios() { # prints "scenario domain block fault" lines
    local line name block fault
    for line in "${WEB_SCENARIOS[@]}"; do
        read -r name block fault <<<"$line"
        printf '%s %s %s %s\n' "$name" "${name#web-}.test" "$block" "$fault"
    done
}

# Every web deployment, contoso.test's first: "name block domain rp-host
# owa-host fault sip-domain[,sip-domain...]" (rp-host, owa-host: the last
# number of the reverse proxy's and owa's addresses in the block).
web_deployments() {
    local name d block fault
    printf '%s\n' "healthy 2 contoso.test 10 11 none contoso.test,fabrikam.test"
    while read -r name d block fault; do
        printf '%s %s %s 30 31 %s %s\n' "${name#web-}" "$block" "$d" "$fault" "$d"
    done < <(web_scenarios)
}

# ---------------------------------------------------------------- internal interfaces

# The prof-* scenarios' servers inside the deployment (profiles other than
# external), plain TCP listeners that accept and close (nginx stream, no
# TLS: the internal profiles test ports only), named in contoso.test:
#   edge-int.contoso.test  @NET@.40.10  Edge internal interface: every port of
#                          the edge-internal profile, and coturn UDP 3478
#   fe.contoso.test        @NET@.41.10  Front End: the internal profile's
#                          ports but 135 and 5087, left closed (RST)
INTERNAL_TCP=(
    # block.host  ports
    "40.10  443 4443 5061 5062 8057 50001 50002 50003"
    "41.10  5061 444 5062 8057 8058 5063 80 443 8080 4443 5064 5072 5065 5073 5075 5076 5071 5080 448 5086"
)
INTERNAL_STUN=40.10 # coturn listens on UDP 3478 here too

internal_listeners() { # prints "addr:port" lines
    local line host ports p
    for line in "${INTERNAL_TCP[@]}"; do
        read -r host ports <<<"$line"
        for p in $ports; do printf '%s:%s\n' "$NET.$host" "$p"; done
    done
}

internal_accepts() { # ADDR:PORT: true once it accepts a TCP connection
    # shellcheck disable=SC2016 # expanded by the inner bash
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' internal "${1%:*}" "${1##*:}" 2>/dev/null
}

# ---------------------------------------------------------------- PKI (openssl)

# Root "lynccheck Lab Root CA" -> "lynccheck Lab Issuing CA" -> leaves, plus an
# expired issuing CA and a self-signed leaf for the fault scenarios. Leaves of
# one key kind share one key (key generation is the slow part). Files in
# <state>/pki: root.pem (the trust anchor every site file names as ca-file),
# <cert>.crt (a leaf alone), <cert>.pem (what the server sends: the leaf and,
# unless the fault says otherwise, its issuing CA), the keys *.key, openssl's
# CA databases db-*/, its messages in openssl.log. Configuration:
# tests/lab/pki/openssl.cnf, read in place.

PKI_CNF=$LAB_SRC/pki/openssl.cnf
declare -A PKI_KEY=()  # cert -> its private key file
declare -A PKI_WEAK=() # cert -> 1 when a server must lower its security level to load it
PKI_NOW=0
DAY=86400

# The CA's CRLs and OCSP responder (service "revoke"), revocation faults.
# shellcheck source=revoke.sh
. "$LAB_SRC/revoke.sh"
# The Web Ticket Service with Windows authentication (service "ntlm").
# shellcheck source=ntlm.sh
. "$LAB_SRC/ntlm.sh"
# The Access Edge for SIP sign-in with NTLM (service "sipae", [MS-SIPAE]).
# shellcheck source=sipae.sh
. "$LAB_SRC/sipae.sh"

pki_dir() { printf '%s/pki' "$LAB_DIR"; }

ossl() { # openssl with a time limit; its messages go to pki/openssl.log
    local dir
    dir=$(pki_dir)
    printf '+ openssl %s\n' "$*" >>"$dir/openssl.log"
    if ! LAB_SAN=${LAB_SAN:-DNS:unused.test} LAB_CA_DIR=${LAB_CA_DIR:-$dir/db-issuing} \
        timeout 30 openssl "$@" </dev/null >>"$dir/openssl.log" 2>&1; then
        tail -n 20 "$dir/openssl.log" | sed 's/^/    /' >&2
        die "openssl $1 failed (log: $dir/openssl.log)"
    fi
}

pki_date() { # OFFSET-SECONDS -> the openssl ca date (UTCTime) of now + offset
    date -u -d "@$((PKI_NOW + $1))" +%y%m%d%H%M%SZ
}

pki_ca_db() { # NAME FIRST-SERIAL: an empty openssl ca database
    local db
    db=$(pki_dir)/db-$1
    mkdir -p "$db/certs"
    : >"$db/index.txt"
    printf '%s\n' "$2" >"$db/serial"
}

# pki_sign CA-DB ISSUER-CERT|self ISSUER-KEY CSR OUT EXTENSIONS SUBJECT START END [OPENSSL-OPTS...]
pki_sign() {
    local db=$1 icert=$2 ikey=$3 csr=$4 out=$5 ext=$6 subj=$7 start=$8 end=$9
    shift 9
    local issuer=(-cert "$icert" -keyfile "$ikey")
    [[ $icert != self ]] || issuer=(-selfsign -keyfile "$ikey")
    LAB_CA_DIR=$(pki_dir)/db-$db ossl ca -batch -config "$PKI_CNF" "${issuer[@]}" \
        -in "$csr" -out "$out" -notext -extensions "$ext" -subj "$subj" \
        -startdate "$(pki_date "$start")" -enddate "$(pki_date "$end")" "$@"
}

# pki_leaf [-e EXT] [-k KEY] [-c issuing|expired|self] [-s START] [-n END]
#          [-m MD] [-p] [-l] CERT CN SAN-NAME...
# A leaf certificate. The defaults are the healthy ones: extensions leaf_ext,
# the 2048-bit leaf key, issued by the issuing CA, valid from now-1 day to
# now+365 days, SHA-256. -p signs with RSASSA-PSS, -l makes the server send
# the leaf alone. START and END are seconds from now.
pki_leaf() {
    local ext=leaf_ext key=leaf ca=issuing start=$((-DAY)) end=$((365 * DAY)) md=sha256
    local pss=0 alone=0 opt OPTIND=1 dir
    while getopts e:k:c:s:n:m:pl opt; do
        case $opt in
        e) ext=$OPTARG ;;
        k) key=$OPTARG ;;
        c) ca=$OPTARG ;;
        s) start=$OPTARG ;;
        n) end=$OPTARG ;;
        m) md=$OPTARG ;;
        p) pss=1 ;;
        l) alone=1 ;;
        *) die "pki_leaf: bad option" ;;
        esac
    done
    shift $((OPTIND - 1))
    local cert=$1 cn=$2 san="" name sigopts=()
    shift 2
    for name; do san+=${san:+,}DNS:$name; done
    dir=$(pki_dir)
    ((pss == 0)) || sigopts=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest)
    case $ca in
    self)
        LAB_SAN=$san ossl req -x509 -new -config "$PKI_CNF" -key "$dir/$key.key" \
            -subj "/CN=$cn" -extensions "$ext" -days 365 "-$md" -out "$dir/$cert.crt"
        cp "$dir/$cert.crt" "$dir/$cert.pem"
        ;;
    issuing | expired)
        LAB_SAN=$san pki_sign "$ca" "$dir/$ca.pem" "$dir/$ca.key" "$dir/$key.csr" \
            "$dir/$cert.crt" "$ext" "/CN=$cn" "$start" "$end" -md "$md" "${sigopts[@]}"
        if ((alone)); then
            cp "$dir/$cert.crt" "$dir/$cert.pem"
        else
            cat "$dir/$cert.crt" "$dir/$ca.pem" >"$dir/$cert.pem"
        fi
        ;;
    *) die "pki_leaf: unknown issuer '$ca'" ;;
    esac
    PKI_KEY[$cert]=$dir/$key.key
    # OpenSSL 3's default security level refuses SHA-1 and 1024-bit RSA.
    [[ $md != sha1 && $key != k1024 ]] || PKI_WEAK[$cert]=1
}

# pki_fault CERT FAULT DOMAIN CN SAN-NAME...: the faulty variant of a healthy
# certificate whose subject CN and SAN names are CN and SAN-NAMEs.
pki_fault() {
    local cert=$1 fault=$2 d=$3 cn=$4 names=() n
    shift 4
    case $fault in
    nosan) # the reverse proxy certificate lacks lyncdiscover.<d>
        for n; do [[ $n == lyncdiscover.* ]] || names+=("$n"); done
        pki_leaf "$cert" "$cn" "${names[@]}"
        ;;
    expired) pki_leaf -s $((-400 * DAY)) -n $((-5 * DAY)) "$cert" "$cn" "$@" ;;
    # Ten days and six hours: "expires in 10 days" whichever way the rest is rounded down.
    expiring) pki_leaf -n $((10 * DAY + 6 * 3600)) "$cert" "$cn" "$@" ;;
    notyet) pki_leaf -s $((2 * DAY)) -n $((367 * DAY)) "$cert" "$cn" "$@" ;;
    wildcn) pki_leaf "$cert" "*.$d" "$@" ;;
    # Allowed: *.<d> covers meet, dialin and lyncdiscover; the rest is explicit.
    wildsan) pki_leaf "$cert" "$cn" "webext.$d" "webdirext.$d" "owa.$d" "*.$d" ;;
    # Not allowed: *.<d> instead of sip.<d> on the edge.
    edgewild) pki_leaf "$cert" "$cn" "access.$d" "webconf.$d" "*.$d" ;;
    selfsigned) pki_leaf -c self "$cert" "$cn" "$@" ;;
    nochain) pki_leaf -l "$cert" "$cn" "$@" ;;
    sha1) pki_leaf -m sha1 "$cert" "$cn" "$@" ;;
    rsa1024) pki_leaf -k k1024 "$cert" "$cn" "$@" ;;
    pss) pki_leaf -p "$cert" "$cn" "$@" ;;
    noserverauth) pki_leaf -e leaf_no_serverauth_ext "$cert" "$cn" "$@" ;;
    noclientauth) pki_leaf -e leaf_no_clientauth_ext "$cert" "$cn" "$@" ;;
    nocrl) pki_leaf -e leaf_no_crl_ext "$cert" "$cn" "$@" ;;
    # A second, otherwise healthy, issuance: another serial, another fingerprint.
    pool) pki_leaf "$cert" "$cn" "$@" ;;
    expiredca) pki_leaf -c expired "$cert" "$cn" "$@" ;;
    # Office Web Apps' own certificate (it runs on its own servers: "Plan for
    # Office Web Apps Server" in Lync Server 2013), expired, for owa.<d> alone.
    owaexpired) pki_leaf -s $((-400 * DAY)) -n $((-5 * DAY)) "$cert" "owa.$d" "owa.$d" ;;
    # The leaf alone, as nochain; the scenario's ca-file (root-and-issuing.pem)
    # holds the issuing CA, which must not complete the chain.
    storechain) pki_leaf -l "$cert" "$cn" "$@" ;;
    *) revoke_fault "$cert" "$fault" "$cn" "$@" ;; # revoke.sh, or "unknown TLS fault"
    esac
}

pki_generate() {
    local dir k pids=() pid
    dir=$(pki_dir)
    rm -rf -- "$dir"
    mkdir -p "$dir"
    [[ -r $PKI_CNF ]] || die "$PKI_CNF not found"
    command -v openssl >/dev/null || die "openssl not found: run '$0 install'"
    PKI_NOW=$(date +%s)

    # The keys, in parallel.
    for k in root:2048 issuing:2048 expired:2048 leaf:2048 k1024:1024; do
        timeout 60 openssl genpkey -quiet -algorithm RSA -pkeyopt "rsa_keygen_bits:${k#*:}" \
            -out "$dir/${k%%:*}.key" 2>>"$dir/genpkey.log" &
        pids+=("$!")
    done
    for pid in "${pids[@]}"; do
        wait "$pid" || die "RSA key generation failed: $(cat "$dir/genpkey.log")"
    done
    for k in root issuing expired leaf k1024; do
        ossl req -new -config "$PKI_CNF" -key "$dir/$k.key" -out "$dir/$k.csr"
    done

    pki_ca_db root 1000
    pki_ca_db issuing 2000
    pki_ca_db expired 3000
    pki_sign root self "$dir/root.key" "$dir/root.csr" "$dir/root.pem" root_ext \
        "/O=lynccheck Lab/CN=lynccheck Lab Root CA" $((-3 * DAY)) $((3650 * DAY))
    pki_sign root "$dir/root.pem" "$dir/root.key" "$dir/issuing.csr" "$dir/issuing.pem" \
        issuing_ext "/O=lynccheck Lab/CN=lynccheck Lab Issuing CA" $((-2 * DAY)) $((1825 * DAY))
    pki_sign root "$dir/root.pem" "$dir/root.key" "$dir/expired.csr" "$dir/expired.pem" \
        issuing_ext "/O=lynccheck Lab/CN=lynccheck Lab Expired Issuing CA" \
        $((-800 * DAY)) $((-10 * DAY))
    chmod 600 "$dir"/*.key
    # An enterprise PKI bundle, root and issuing CA (tls-storechain's ca-file).
    cat "$dir/root.pem" "$dir/issuing.pem" >"$dir/root-and-issuing.pem"
}

# ---------------------------------------------------------------- TLS listeners

# The plan shared by nginx and kamailio, filled in by tls_plan (after
# pki_generate, before the services' _generate):
TLS_HTTP=()      # "cert addr:443[,addr:443...] plain-addr:80|- server-name..." (nginx http)
TLS_STREAM=()    # "cert addr:443" (nginx stream: web conferencing and A/V edges)
TLS_SIP=()       # "cert addr port request-client-cert(0|1)" (kamailio)
TLS_LISTENERS=() # "service addr port sni cert": every TLS listener
WEB_RP=()        # "deployment block cert addr plain-addr:80|- fault domain sip-domain,..." (web_plan)
WEB_BACKENDS=()  # "deployment role addr cert internal-fqdn link-fqdn webext-fqdn domain" (web_plan)

tls_add_http() { # CERT ADDR[,ADDR] PLAIN|- NAMES...: a reverse proxy (SNI: first name; owa for a 2nd address)
    local cert=$1 addrs=$2 plain=$3 sni=$4 a
    shift 3
    TLS_HTTP+=("$cert ${addrs//,/:443,}:443 $plain $*")
    for a in ${addrs//,/ }; do
        TLS_LISTENERS+=("nginx $a 443 $sni $cert")
        sni=${*: -1} # the second address is owa's, the last name
    done
}

tls_add_stream() { # CERT SNI ADDR
    TLS_STREAM+=("$1 $3:443")
    TLS_LISTENERS+=("nginx $3 443 $2 $1")
}

tls_add_sip() { # CERT SNI ADDR
    TLS_SIP+=("$1 $3 443 0" "$1 $3 5061 1")
    TLS_LISTENERS+=("kamailio $3 443 $2 $1" "kamailio $3 5061 $2 $1")
}

tls_plan() {
    local d name block where fault p rp edge rp_names edge_names access odd webconf l f plain
    TLS_HTTP=() TLS_STREAM=() TLS_SIP=() TLS_LISTENERS=() WEB_RP=() WEB_BACKENDS=()
    # contoso.test (and fabrikam.test): the deployment of the DNS scenarios
    # and of tls-healthy.
    rp_names=(webext.contoso.test webdirext.contoso.test meet.contoso.test meet.fabrikam.test
        dialin.contoso.test lyncdiscover.contoso.test lyncdiscover.fabrikam.test owa.contoso.test)
    edge_names=(access.contoso.test webconf.contoso.test sip.contoso.test sip.fabrikam.test
        xmpp.contoso.test xmpp.fabrikam.test)
    pki_leaf healthy-rp webext.contoso.test "${rp_names[@]}"
    pki_leaf healthy-edge access.contoso.test "${edge_names[@]}"
    # The reverse proxy 127.77.2.10 is a web deployment's (web_plan, below);
    # owa keeps the static page.
    tls_add_http healthy-rp "$NET.2.11" - owa.contoso.test
    tls_add_stream healthy-edge webconf.contoso.test "$NET.1.11"
    # The A/V edge's TCP 443 speaks MS-TURN pseudo-TLS (lc-msturn, not a TLS
    # server: msturn_generate).
    tls_add_sip healthy-edge access.contoso.test "$NET.1.10"
    tls_add_sip healthy-edge access.contoso.test "$NET.1.20"

    while read -r name d block where fault; do
        p=$NET.$block
        rp=$name-rp edge=$name-edge
        rp_names=("webext.$d" "webdirext.$d" "meet.$d" "dialin.$d" "lyncdiscover.$d" "owa.$d")
        edge_names=("access.$d" "webconf.$d" "sip.$d")
        pki_leaf "$rp" "webext.$d" "${rp_names[@]}"
        pki_leaf "$edge" "access.$d" "${edge_names[@]}"
        access=$edge odd=$edge webconf=$edge
        case $where in
        rp)
            pki_fault "$name-fault" "$fault" "$d" "webext.$d" "${rp_names[@]}"
            rp=$name-fault
            ;;
        owa) pki_fault "$name-fault" "$fault" "$d" "owa.$d" ;;
        access | webconf | pool)
            pki_fault "$name-fault" "$fault" "$d" "access.$d" "${edge_names[@]}"
            case $where in
            access) access=$name-fault odd=$name-fault ;;
            webconf) webconf=$name-fault ;;
            pool) odd=$name-fault ;;
            esac
            ;;
        *) die "TLS_SCENARIOS: $name: unknown listener '$where'" ;;
        esac
        if [[ $where == owa ]]; then
            # The proxy picks Office Web Apps' own certificate by SNI (nginx
            # server_name; RFC 6066 section 3) on both of its addresses; the
            # other names and clients without SNI get the proxy's.
            tls_add_http "$rp" "$p.30,$p.31" - "${rp_names[@]:0:5}"
            tls_add_http "$name-fault" "$p.30,$p.31" - "owa.$d"
        else
            tls_add_http "$rp" "$p.30,$p.31" - "${rp_names[@]}"
        fi
        tls_add_stream "$webconf" "webconf.$d" "$p.11"
        tls_add_sip "$access" "access.$d" "$p.10"
        tls_add_sip "$odd" "access.$d" "$p.20"
        [[ $where != pool ]] || tls_add_sip "$access" "access.$d" "$p.21"
    done < <(tls_scenarios)

    # The proto scenarios: healthy listeners with the block's certificates;
    # the faults are elsewhere (fw_rules, kamailio_route, no XMPP).
    while read -r name d block fault; do
        p=$NET.$block
        rp=$name-rp edge=$name-edge
        rp_names=("webext.$d" "webdirext.$d" "meet.$d" "dialin.$d" "lyncdiscover.$d" "owa.$d")
        pki_leaf "$rp" "webext.$d" "${rp_names[@]}"
        pki_leaf "$edge" "access.$d" "access.$d" "webconf.$d" "sip.$d" "av.$d"
        plain=$p.30:80
        [[ $fault != rpnoport80 ]] || plain=-
        tls_add_http "$rp" "$p.30,$p.31" "$plain" "${rp_names[@]}"
        tls_add_stream "$edge" "webconf.$d" "$p.11"
        # av.$d:443 is lc-msturn's pseudo-TLS (msturn_generate).
        tls_add_sip "$edge" "access.$d" "$p.10"
        tls_add_sip "$edge" "access.$d" "$p.20"
    done < <(proto_scenarios)

    web_plan

    # For people and scripts: every TLS listener and the file it serves.
    {
        printf '# service address port sni served-certificate-file (generated by lab.sh)\n'
        for l in "${TLS_LISTENERS[@]}"; do
            read -r -a f <<<"$l"
            printf '%s %s %s %s %s\n' "${f[0]}" "${f[1]}" "${f[2]}" "${f[3]}" "$(pki_dir)/${f[4]}.pem"
        done
    } >"$LAB_DIR/tls-listeners"
}

# The web deployments (web_deployments): for each, its reverse proxy (TLS
# 443 and, but for noport80, plain 80), owa's static page, and the Director
# and Front End backends (TLS 4443 with a certificate for the internal name,
# plain 8080), but the Director of dirdown; their certificates.
web_plan() {
    local name block d rph owah fault sds p rp role host fqdn ext cert n
    local rp_names=()
    while read -r name block d rph owah fault sds; do
        p=$NET.$block
        if [[ $name == healthy ]]; then
            rp=healthy-rp # made by tls_plan, with fabrikam.test's names too
        else
            rp=web-$name-rp
            rp_names=("webext.$d" "webdirext.$d" "meet.$d" "dialin.$d" "lyncdiscover.$d" "owa.$d")
            pki_leaf "$rp" "webext.$d" "${rp_names[@]}"
            tls_add_http "$rp" "$p.$owah" - "owa.$d"
        fi
        n=$p.$rph:80
        [[ $fault != noport80 ]] || n=-
        WEB_RP+=("$name $block $rp $p.$rph $n $fault $d $sds")
        TLS_LISTENERS+=("nginx $p.$rph 443 webext.$d $rp")
        for role in dir fe; do
            if [[ $role == dir ]]; then
                host=40 fqdn=dir01.corp.$d ext=webdirext.$d
            else
                host=41 fqdn=fe01.corp.$d ext=webext.$d
            fi
            [[ $fault != dirdown || $role != dir ]] || continue
            # No external URL configured: the links name the internal host.
            [[ $fault != internallink || $role != dir ]] || ext=$fqdn
            cert=$name-$role
            [[ $name == healthy ]] || cert=web-$cert
            if [[ $fault == backendcert && $role == dir ]]; then
                pki_leaf -c self "$cert" "$fqdn" "$fqdn"
            else
                pki_leaf "$cert" "$fqdn" "$fqdn"
            fi
            WEB_BACKENDS+=("$name $role $p.$host $cert $fqdn $ext webext.$d $d")
            TLS_LISTENERS+=("nginx $p.$host 4443 $fqdn $cert")
        done
    done < <(web_deployments)
}

# tls_handshakes: reads "address port sni" lines, prints those that complete
# a TLS handshake with SNI (security level 0, certificate not verified).
# tls-ready.py does them all at once in one process; without python3, one
# openssl s_client per listener (no trust store to load), 16 at a time.
tls_handshakes() {
    if command -v python3 >/dev/null; then
        timeout 60 python3 "$LAB_SRC/tls-ready.py" 5
        return
    fi
    # shellcheck disable=SC2016 # expanded by the inner bash
    timeout 60 xargs -P 16 -L 1 bash -c \
        'timeout 5 openssl s_client -connect "$1:$2" -servername "$3" -cipher "DEFAULT:@SECLEVEL=0" \
            -no-CAfile -no-CApath -no-CAstore </dev/null >/dev/null 2>&1 && echo "$1 $2 $3"' tls-wait
}

# tls_wait SERVICE SECONDS: wait until every TLS listener of SERVICE completes
# a handshake with SNI (tls_handshakes); name those that do not.
tls_wait() {
    local svc=$1 deadline=$((SECONDS + $2)) l f pending=() answered left
    local -A done_=()
    for l in "${TLS_LISTENERS[@]}"; do
        read -r -a f <<<"$l"
        [[ ${f[0]} != "$svc" ]] || pending+=("${f[1]} ${f[2]} ${f[3]}")
    done
    while ((${#pending[@]})); do
        answered=$(printf '%s\n' "${pending[@]}" | tls_handshakes) || true
        while read -r l; do
            [[ -z $l ]] || done_[$l]=1
        done <<<"$answered"
        left=()
        for l in "${pending[@]}"; do
            [[ -n ${done_[$l]:-} ]] || left+=("$l") # no grep per listener: 300 forks
        done
        pending=("${left[@]}")
        ((${#pending[@]})) || return 0
        if ! svc_pid "$svc" >/dev/null; then
            log "$svc: process exited"
            return 1
        fi
        if ((SECONDS >= deadline)); then
            log "$svc: no TLS handshake on (address port SNI): ${pending[*]}"
            return 1
        fi
        sleep 0.3
    done
}

# ---------------------------------------------------------------- nginx

# One nginx, a single process (master_process off: no worker outlives it
# unnoticed): the reverse proxies (http: TLS 443, plain 80; those of the web
# deployments forward to the emulated Lync web sites, nginx_web_*) and
# the web conferencing edges (stream: TLS 443, handshake only), and the
# internal interfaces' plain TCP ports (stream, internal_listeners).

nginx_dir() { printf '%s/nginx' "$LAB_DIR"; }

nginx_cmd() { # one word a line; kill_strays matches it joined by spaces
    local dir
    dir=$(nginx_dir)
    printf '%s\n' "$(command -v nginx)" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
}

nginx_cert() { # CERT: the ssl_* lines of a server
    printf '        ssl_certificate %s/%s.pem;\n' "$(pki_dir)" "$1"
    printf '        ssl_certificate_key %s;\n' "${PKI_KEY[$1]}"
    if [[ -n ${PKI_WEAK[$1]:-} ]]; then
        printf '        ssl_ciphers DEFAULT:@SECLEVEL=0;\n'
    fi
}

# ---------------------------------------------------------------- nginx: Lync web services

# The web deployments (web_plan): reverse proxies that forward by Host to
# emulated Lync external web sites (Director, Front End). The sites answer
# with nginx `return`s: the headers and bodies of a Lync Server 2013 site
# seen from outside, kept small (lync-web.conf, included by every backend;
# the per-backend values come from maps on $server_addr). IIS paths are
# case-insensitive, hence the ~* locations. add_header is not inherited into
# a location that has its own, so every location includes lync-iis.conf
# (X-MS-Server-Fqdn and the other IIS headers); `always` puts them on 4xx
# answers too. default_type cannot go inside `if`:
# a second answer of a location is a named location reached by
# `error_page 418 = @name` and `return 418`.

# The lab user's password for the password grant (bonus of the token
# endpoint): lab.user@<sip domain>, this password, made at every start.
web_password_file() { printf '%s/web-password' "$LAB_DIR"; }

web_password_generate() {
    local f pw
    f=$(web_password_file)
    # Hex only: nothing to escape in a form body or in an nginx regex.
    pw=Lab-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    (umask 077 && printf '%s\n' "$pw" >"$f")
}

# The IIS W3C log fields the backends write (tests read cs-host and
# sc-status from the end of a line: cs(User-Agent) has + for its first 8
# spaces, as IIS writes it, but any further space stays).
WEB_LOG_FIELDS='date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs-host sc-status'

# shellcheck disable=SC2016 # nginx variables, not the shell's
nginx_web_maps() { # the http-level maps, log format and upstreams
    local e name block cert addr plain fault d sds sd h v i f=()
    local -A route=()
    printf '\n    # ---- Lync web services (web_plan): the IIS-like log of the backends.\n'
    printf '    map $time_iso8601 $lab_iis_date { "~^([0-9-]+)T" $1; default -; }\n'
    printf '    map $time_iso8601 $lab_iis_time { "~T([0-9:]+)" $1; default -; }\n'
    printf '    map $request_uri $lab_iis_stem { "~^([^?]*)" $1; default -; }\n'
    printf '    map $args $lab_iis_query { "" -; default $args; }\n'
    printf '    map $remote_user $lab_iis_user { "" -; default $remote_user; }\n'
    printf '    map $http_host $lab_iis_host { "" -; default $http_host; }\n'
    printf '    map $http_user_agent $lab_iis_ua0 { "" -; default $http_user_agent; }\n'
    for ((i = 1; i <= 8; i++)); do
        printf '    map $lab_iis_ua%d $lab_iis_ua%d { "~^([^ ]*) (.*)$" "$1+$2"; default $lab_iis_ua%d; }\n' \
            $((i - 1)) "$i" $((i - 1))
    done
    printf "    log_format lab_iis '%s';\n" \
        '$lab_iis_date $lab_iis_time $server_addr $request_method $lab_iis_stem $lab_iis_query $server_port $lab_iis_user $remote_addr $lab_iis_ua8 $lab_iis_host $status'

    printf '\n    # The reverse proxies: Host -> upstream prefix (lab<block>_dir|fe), and\n'
    printf '    # the name the backend certificate must carry (proxy_ssl_name).\n'
    for e in "${WEB_RP[@]}"; do
        read -r name block cert addr plain fault d sds <<<"$e"
        route[webdirext.$d]=lab${block}_dir
        route[webext.$d]=lab${block}_fe
        for sd in ${sds//,/ }; do
            route[lyncdiscover.$sd]=lab${block}_dir
            # parking: no rule for the meet name, the default site answers.
            [[ $fault == parking ]] || route[meet.$sd]=lab${block}_fe
            route[dialin.$sd]=lab${block}_fe
        done
    done
    printf '    map $host $lab_up {\n        default "";\n'
    for h in "${!route[@]}"; do printf '        %s %s;\n' "$h" "${route[$h]}"; done | sort
    printf '    }\n    map $lab_up $lab_backend_name {\n        default "";\n'
    for e in "${WEB_RP[@]}"; do
        read -r name block cert addr plain fault d sds <<<"$e"
        printf '        lab%s_dir dir01.corp.%s;\n        lab%s_fe fe01.corp.%s;\n' "$block" "$d" "$block" "$d"
    done
    printf '    }\n'
    # One upstream per backend and scheme, so that proxy_pass can name one
    # from variables without a resolver; max_fails=0: a failure never
    # takes a backend out, every request tries (dirdown answers 502 each
    # time, from the connection refused). No keepalive: a pool shared
    # between clients would mix NTLM-authenticated connections.
    for e in "${WEB_RP[@]}"; do
        read -r name block cert addr plain fault d sds <<<"$e"
        for v in dir:40 fe:41; do
            printf '    upstream lab%s_%s_https { server %s.%s:4443 max_fails=0; }\n' "$block" "${v%:*}" "$NET.$block" "${v#*:}"
            printf '    upstream lab%s_%s_http { server %s.%s:8080 max_fails=0; }\n' "$block" "${v%:*}" "$NET.$block" "${v#*:}"
        done
    done
    ntlm_nginx_upstream # the Web Ticket Service with Windows authentication (ntlm.sh)

    printf '\n    # The backends: their values, by the address a request came to.\n'
    printf '    map $server_addr $lab_rootredirect {\n        default 0;\n'
    for e in "${WEB_RP[@]}"; do
        read -r name block cert addr plain fault d sds <<<"$e"
        [[ $fault != rootredirect ]] || printf '        %s.%s.40 1;\n        %s.%s.41 1;\n' "$NET" "$block" "$NET" "$block"
    done
    printf '    }\n'
    for v in fqdn:5 ext:6 webext:7 domain:8; do
        printf '    map $server_addr $lab_%s {\n        default "";\n' "${v%:*}"
        for e in "${WEB_BACKENDS[@]}"; do
            read -r -a f <<<"$e"
            printf '        %s %s;\n' "${f[2]}" "${f[${v#*:} - 1]}"
        done
        printf '    }\n'
    done
    # The SIP domain an autodiscover answer is for: originalDomain=, else
    # the lyncdiscover.<d> the client asked, else the deployment's domain.
    cat <<'EOF'
    map $host $lab_discover_host { "~^lyncdiscover\." 1; default 0; }
    # GET / is autodiscover but on the published web names (so a proxy
    # that rewrites Host to the backend's name still gets it).
    map $host $lab_root_discover { "~^(webext|webdirext|meet|dialin)\." 0; default 1; }
    # redirloop: GET / on https://lyncdiscover.<d>/ sends the client there again.
    map "$scheme:$lab_discover_host" $lab_redirloop { "https:1" 1; default 0; }
    map $host $lab_host_domain { "~^lyncdiscover\.([a-z0-9.-]+)$" $1; default ""; }
    map $arg_originaldomain $lab_arg_domain { "~^([A-Za-z0-9.-]+)$" $1; default ""; }
    map "$lab_arg_domain|$lab_host_domain|$lab_domain" $lab_d {
        "~^([^|]+)\|" $1;
        "~^\|([^|]+)\|" $1;
        "~\|([^|]*)$" $1;
    }
    # The autodiscover dialect by the Accept header: XML for
    # application/vnd.microsoft.rtc.autodiscover+xml ([MS-OCDISCWS] 2.2.4),
    # UCWA's _links for application/json or ...autodiscover+json (UCWA
    # "Create an application"), else the native JSON form a browser gets
    # (Microsoft Learn, "Verify access through your reverse proxy in Lync
    # Server 2013": AccessLocation, Root.Links with tokens Domain, User and
    # OAuth, slashes escaped as \/).
    map $http_accept $lab_dialect {
        "~*application/vnd\.microsoft\.rtc\.autodiscover\+xml" xml;
        "~*application/(json|vnd\.microsoft\.rtc\.autodiscover\+json)" ucwa;
        default native;
    }
    map $lab_dialect $lab_discover_ct {
        xml "application/vnd.microsoft.rtc.autodiscover+xml; v=1";
        ucwa "application/json";
        default "application/vnd.microsoft.rtc.autodiscover+json; v=1";
    }
    map $lab_dialect $lab_discover_body {
        xml '<?xml version="1.0" encoding="utf-8"?><AutodiscoverResponse xmlns="http://schemas.microsoft.com/rtc/2012/03/autodiscover" AccessLocation="External"><Root><Link token="Self" href="https://$lab_ext/Autodiscover/AutodiscoverService.svc/root?originalDomain=$lab_d"/><Link token="Domain" href="https://$lab_ext/Autodiscover/AutodiscoverService.svc/root/domain?originalDomain=$lab_d"/><Link token="User" href="https://$lab_ext/Autodiscover/AutodiscoverService.svc/root/user?originalDomain=$lab_d"/><Link token="OAuth" href="https://$lab_ext/Autodiscover/AutodiscoverService.svc/root/oauth/user?originalDomain=$lab_d"/><Link token="Xframe" href="https://$lab_ext/Autodiscover/XFrame/XFrame.html"/></Root></AutodiscoverResponse>';
        ucwa '{"_links":{"self":{"href":"https://$lab_ext/Autodiscover/AutodiscoverService.svc/root?originalDomain=$lab_d"},"user":{"href":"https://$lab_ext/Autodiscover/AutodiscoverService.svc/root/oauth/user?originalDomain=$lab_d"},"xframe":{"href":"https://$lab_ext/Autodiscover/XFrame/XFrame.html"}}}';
        default '{"AccessLocation":"External","Root":{"Links":[{"href":"https:\/\/$lab_ext\/Autodiscover\/AutodiscoverService.svc\/root\/domain?originalDomain=$lab_d","token":"Domain"},{"href":"https:\/\/$lab_ext\/Autodiscover\/AutodiscoverService.svc\/root\/user?originalDomain=$lab_d","token":"User"},{"href":"https:\/\/$lab_ext\/Autodiscover\/AutodiscoverService.svc\/root\/oauth\/user?originalDomain=$lab_d","token":"OAuth"}]}}';
    }
    # rootredirect: the HTTP root's single Redirect link ([MS-OCDISCWS]
    # 3.1.5.2), to the https root of the name asked, in each dialect.
    map $lab_dialect $lab_redirect_body {
        xml '<?xml version="1.0" encoding="utf-8"?><AutodiscoverResponse xmlns="http://schemas.microsoft.com/rtc/2012/03/autodiscover" AccessLocation="External"><Root><Link token="Redirect" href="https://$host/Autodiscover/AutodiscoverService.svc/root?originalDomain=$lab_d"/></Root></AutodiscoverResponse>';
        ucwa '{"_links":{"redirect":{"href":"https://$host/Autodiscover/AutodiscoverService.svc/root?originalDomain=$lab_d"}}}';
        default '{"AccessLocation":"External","Root":{"Links":[{"href":"https:\/\/$host\/Autodiscover\/AutodiscoverService.svc\/root?originalDomain=$lab_d","token":"Redirect"}]}}';
    }
    map "$scheme:$lab_rootredirect" $lab_http_redirect { "http:1" 1; default 0; }
    # IIS on a Lync web site: HSTS on https (the Skype for Business App
    # SDK's log of an on-premises server shows it), nothing on http.
    map $scheme $lab_hsts { https "max-age=31536000; includeSubDomains"; default ""; }
    map $http_authorization $lab_bearer { "Bearer cwt=LABTOKEN" 1; default 0; }
EOF
    # The password grant: only a location that proxies reads the body into
    # $request_body, so the token endpoint proxies to a token server (a
    # unix socket) and tells it the verdict of this map in a header: 1 the
    # lab user's password, 0 another password grant, 2 a grant type the
    # service does not take (the web probe's bogus grant).
    printf '    map $request_body $lab_grant {\n        default 2;\n'
    printf '        "~^grant_type=password&username=lab\\.user(%%40|@)[A-Za-z0-9.-]+&password=%s$" 1;\n' \
        "$(cat "$(web_password_file)")"
    printf '        "~^grant_type=password(&|$)" 0;\n    }\n'
}

# The proxying of a reverse proxy location (FAULT: preauth intercepts).
# shellcheck disable=SC2016 # nginx variables, not the shell's
nginx_web_proxy() { # FAULT
    printf '            error_page 418 = @lab_rp_page;\n'
    if [[ $1 == preauth ]]; then
        # A real pre-authenticating proxy often exempts autodiscover.
        printf '            error_page 419 = @lab_preauth;\n'
        printf '            if ($lab_discover_host = 0) { return 419; }\n'
    fi
    printf '            if ($lab_up = "") { return 418; }\n'
    printf '            proxy_pass $scheme://${lab_up}_$scheme;\n'
}

# shellcheck disable=SC2016 # nginx variables, not the shell's
nginx_web_rp() { # WEB_RP entry: the reverse proxy server
    local name block cert addr plain fault d sds host=\$host
    read -r name block cert addr plain fault d sds <<<"$1"
    printf '\n    # Reverse proxy of web deployment %s (fault: %s).\n    server {\n' "$name" "$fault"
    printf '        listen %s:443 ssl;\n' "$addr"
    [[ $plain == - ]] || printf '        listen %s;\n' "$plain"
    printf '        server_name webext.%s webdirext.%s;\n' "$d" "$d"
    nginx_cert "$cert"
    # The original Host goes to the backend (Lync builds URLs from it);
    # hostrewrite sends the backend's own name instead.
    [[ $fault != hostrewrite ]] || host=\$lab_backend_name
    cat <<EOF
        # From its own address, as the backends' logs show (c-ip).
        proxy_bind $addr;
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_ssl_verify on;
        proxy_ssl_verify_depth 3;
        proxy_ssl_trusted_certificate $(pki_dir)/root.pem;
        proxy_ssl_name \$lab_backend_name;
        proxy_ssl_server_name on;
        proxy_connect_timeout 5s;
        # Above UCWA's 900 s long poll.
        proxy_read_timeout 960s;
        proxy_send_timeout 960s;
EOF
    [[ $fault != nochallenge ]] || printf '        proxy_hide_header WWW-Authenticate;\n'
    if [[ $fault == unpublished ]]; then
        printf '        # Not published: the proxy answers itself.\n'
        printf "        location ~* ^/abs(/|\$) { return 404 '%s'; }\n" \
            '<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>'
    fi
    [[ $fault != signin* && $name != healthy ]] || ntlm_nginx_location "$fault"
    if [[ $fault == redirloop ]]; then
        printf '        location = / {\n'
        printf '            if ($lab_redirloop) { return 302 https://$host/; }\n'
        nginx_web_proxy "$fault"
        printf '        }\n'
    fi
    printf '        location / {\n'
    nginx_web_proxy "$fault"
    printf '        }\n'
    if [[ $fault == parking ]]; then
        # The proxy's default site is nginx's stock page (its index.html).
        printf "        location @lab_rp_page { return 200 '%s'; }\n" \
            '<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body><h1>Welcome to nginx!</h1><p>If you see this page, the nginx web server is successfully installed and working. Further configuration is required.</p></body></html>'
    else
        printf "        location @lab_rp_page { return 200 '%s'; }\n" \
            '<!DOCTYPE html><html><head><title>lab reverse proxy</title></head><body><p>lab reverse proxy</p></body></html>'
    fi
    if [[ $fault == preauth ]]; then
        printf '        location @lab_preauth {\n'
        printf "            add_header WWW-Authenticate 'Basic realm=\"Contoso Remote Access\"' always;\n"
        printf '            add_header Cache-Control no-store always;\n'
        printf "            return 401 '%s';\n        }\n" \
            '<!DOCTYPE html><html><head><title>Contoso Remote Access</title></head><body><h1>Contoso Remote Access</h1><form method="post" action="/my.policy"><label>User name <input type="text" name="username"></label><label>Password <input type="password" name="password"></label><input type="submit" value="Sign in"></form></body></html>'
    fi
    printf '    }\n'
}

nginx_web_backend() { # WEB_BACKENDS entry: an emulated Lync external web site
    local name role addr cert fqdn dir
    read -r name role addr cert fqdn _ <<<"$1"
    dir=$(nginx_dir)
    printf '\n    # %s backend of web deployment %s: %s.\n    server {\n' "$role" "$name" "$fqdn"
    printf '        listen %s:4443 ssl;\n        listen %s:8080;\n' "$addr" "$addr"
    printf '        server_name %s;\n' "$fqdn"
    nginx_cert "$cert"
    printf '        access_log %s/backend-%s-%s.log lab_iis;\n' "$dir" "$name" "$role"
    printf '        include %s/lync-web.conf;\n    }\n' "$dir"
    printf '#Software: lynccheck lab (nginx emulating IIS for %s)\n#Fields: %s\n' "$fqdn" "$WEB_LOG_FIELDS" \
        >"$dir/backend-$name-$role.log"
}

nginx_web_servers() { # the http-level servers of the web deployments
    local e
    for e in "${WEB_RP[@]}"; do nginx_web_rp "$e"; done
    for e in "${WEB_BACKENDS[@]}"; do nginx_web_backend "$e"; done
    cat <<EOF

    # The token server behind /WebTicket/oauthtoken (the map \$lab_grant).
    server {
        listen unix:$(nginx_dir)/token.sock;
        access_log off;
        default_type application/json;
        add_header Cache-Control no-store always;
        location / {
            error_page 421 = @unsupported;
            if (\$http_x_lab_grant = 1) {
                return 200 '{"access_token":"cwt=LABTOKEN","token_type":"Bearer","expires_in":28800}';
            }
            if (\$http_x_lab_grant = 2) { return 421; }
            return 400 '{"error":"invalid_grant","error_description":"The user name or password is incorrect, or the grant type is not supported."}';
        }
        # An unsupported grant type, as the UCWA documentation ("Authentication
        # in UCWA") shows it: 400 unsupported_grant_type with X-Ms-diagnostics
        # 28029 naming the server.
        location @unsupported {
            default_type "application/json;charset=UTF-8";
            add_header Cache-Control no-store always;
            add_header Pragma no-cache always;
            add_header X-Ms-diagnostics '28029;source="\$http_x_lab_fqdn";reason="Authentication type not allowed."' always;
            return 400 '{\n "error":"unsupported_grant_type"\n}';
        }
    }
EOF
}

# The emulated Lync external web site (every backend includes it).
nginx_web_site() {
    # The headers IIS adds on every answer of a Lync web site (UCWA "Create
    # an application": X-MS-Server-Fqdn naming the internal machine,
    # X-Powered-By, X-AspNet-Version, X-Content-Type-Options; HSTS): every
    # location includes them (add_header is not inherited into a location
    # that has its own).
    cat >"$(nginx_dir)/lync-iis.conf" <<'EOF'
add_header X-MS-Server-Fqdn $lab_fqdn always;
add_header X-Powered-By ASP.NET always;
add_header X-AspNet-Version 4.0.30319 always;
add_header X-Content-Type-Options nosniff always;
add_header Strict-Transport-Security $lab_hsts always;
EOF
    sed "s|@NGINX_DIR@|$(nginx_dir)|g" <<'EOF'
# Generated by tests/lab/lab.sh: the external web site of an emulated Lync
# Director or Front End, as seen through a reverse proxy. Values per backend:
# $lab_fqdn (X-MS-Server-Fqdn), $lab_ext (its external web FQDN, the host of
# its links), $lab_webext (the Front End's, for UCWA), $lab_d (the SIP domain).

# WCF metadata: endpoint addresses built from the Host header received.
location ~* ^/WebTicket/WebTicketService\.svc/mex$ {
    default_type "application/soap+xml; charset=utf-8";
    include @NGINX_DIR@/lync-iis.conf;
    return 200 '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:wsa10="http://www.w3.org/2005/08/addressing" xmlns:tns="http://tempuri.org/" targetNamespace="http://tempuri.org/"><wsdl:service name="WebTicketService"><wsdl:port name="WebTicketServiceWinNegotiate" binding="tns:WebTicketServiceWinNegotiate"><soap12:address location="https://$host/WebTicket/WebTicketService.svc/Auth"/><wsa10:EndpointReference><wsa10:Address>https://$host/WebTicket/WebTicketService.svc/Auth</wsa10:Address></wsa10:EndpointReference></wsdl:port></wsdl:service></wsdl:definitions>';
}
location ~* ^/CertProv/CertProvisioningService\.svc/mex$ {
    default_type "application/soap+xml; charset=utf-8";
    include @NGINX_DIR@/lync-iis.conf;
    return 200 '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:wsa10="http://www.w3.org/2005/08/addressing" xmlns:tns="http://tempuri.org/" targetNamespace="http://tempuri.org/"><wsdl:service name="CertProvisioningService"><wsdl:port name="CertProvisioningServiceWebTicketProof_SHA1" binding="tns:CertProvisioningServiceWebTicketProof_SHA1"><soap12:address location="https://$host/CertProv/CertProvisioningService.svc/WebTicket_Proof_SHA1"/><wsa10:EndpointReference><wsa10:Address>https://$host/CertProv/CertProvisioningService.svc/WebTicket_Proof_SHA1</wsa10:Address></wsa10:EndpointReference></wsdl:port></wsdl:service></wsdl:definitions>';
}

# OAuth token endpoint: 400 invalid_grant, or unsupported_grant_type with
# X-Ms-diagnostics 28029 for a grant type it does not take, but 200 and a
# token for the lab user's password grant (decided by the token server from
# $lab_grant).
location ~* ^/WebTicket/oauthtoken$ {
    include @NGINX_DIR@/lync-iis.conf;
    client_body_buffer_size 16k;
    client_body_in_single_buffer on;
    proxy_set_header X-Lab-Grant $lab_grant;
    proxy_set_header X-Lab-Fqdn $lab_fqdn;
    proxy_set_header Host lab-token;
    proxy_pass http://unix:@NGINX_DIR@/token.sock;
}

# The user link: 401 with the OAuth challenges, 200 and the user document
# with the lab token.
location ~* ^/Autodiscover/AutodiscoverService\.svc/root/oauth/user$ {
    error_page 418 = @lab_user;
    if ($lab_bearer) { return 418; }
    include @NGINX_DIR@/lync-iis.conf;
    add_header WWW-Authenticate 'Bearer trusted_issuers="00000001-0000-0000-c000-000000000000@lab", client_id="00000004-0000-0ff1-ce00-000000000000"' always;
    add_header WWW-Authenticate 'MsRtcOAuth href="https://$lab_ext/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"' always;
    return 401 '<!DOCTYPE html><html><head><title>401 - Unauthorized</title></head><body><h1>401 - Unauthorized: Access is denied due to invalid credentials.</h1></body></html>';
}
location @lab_user {
    default_type application/json;
    include @NGINX_DIR@/lync-iis.conf;
    return 200 '{"_links":{"self":{"href":"https://$lab_ext/Autodiscover/AutodiscoverService.svc/root/oauth/user?originalDomain=$lab_d"},"applications":{"href":"https://$lab_webext/ucwa/oauth/v1/applications"},"xframe":{"href":"https://$lab_ext/Autodiscover/XFrame/XFrame.html"}}}';
}

# Autodiscover in the dialect the Accept header asks for ($lab_dialect);
# GET / too, unless the Host is a published web name ($lab_root_discover).
# rootredirect: on http, the single Redirect link ($lab_http_redirect).
location ~* ^/Autodiscover/AutodiscoverService\.svc/root$ {
    error_page 421 = @lab_discover_redirect;
    if ($lab_http_redirect) { return 421; }
    default_type "";
    add_header Content-Type $lab_discover_ct always;
    include @NGINX_DIR@/lync-iis.conf;
    return 200 $lab_discover_body;
}
location = / {
    error_page 419 = @lab_404;
    error_page 421 = @lab_discover_redirect;
    if ($lab_root_discover = 0) { return 419; }
    if ($lab_http_redirect) { return 421; }
    default_type "";
    add_header Content-Type $lab_discover_ct always;
    include @NGINX_DIR@/lync-iis.conf;
    return 200 $lab_discover_body;
}
location @lab_discover_redirect {
    default_type "";
    add_header Content-Type $lab_discover_ct always;
    include @NGINX_DIR@/lync-iis.conf;
    return 200 $lab_redirect_body;
}
location ~* ^/Autodiscover/XFrame/XFrame\.html$ {
    default_type text/html;
    include @NGINX_DIR@/lync-iis.conf;
    return 200 '<!DOCTYPE html><html><head><title>XFrame</title></head><body></body></html>';
}

# UCWA: OAuth only.
location ~* ^/ucwa(/|$) {
    include @NGINX_DIR@/lync-iis.conf;
    add_header WWW-Authenticate 'Bearer trusted_issuers="00000001-0000-0000-c000-000000000000@lab", client_id="00000004-0000-0ff1-ce00-000000000000"' always;
    add_header WWW-Authenticate 'MsRtcOAuth href="https://$lab_ext/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"' always;
    return 401 '<!DOCTYPE html><html><head><title>401 - Unauthorized</title></head><body><h1>401 - Unauthorized: Access is denied due to invalid credentials.</h1></body></html>';
}

# The virtual directories with Windows authentication.
location ~* ^/(WebTicket/WebTicketService\.svc|CertProv/CertProvisioningService\.svc|abs|groupexpansion/service\.svc|RgsClients/AgentService\.svc|RequestHandlerExt/ucdevice\.upx|mcx/mcxservice\.svc)(/|$) {
    include @NGINX_DIR@/lync-iis.conf;
    add_header WWW-Authenticate Negotiate always;
    add_header WWW-Authenticate NTLM always;
    return 401 '<!DOCTYPE html><html><head><title>401 - Unauthorized</title></head><body><h1>401 - Unauthorized: Access is denied due to invalid credentials.</h1></body></html>';
}

# Simple URLs and the scheduler: Lync's own pages, short stand-ins that
# carry what identifies each one (the web probe looks for it: a 200 alone
# could be a proxy's default site).
# - meet: the join launcher page. Without a conference ID it says the meeting
#   URL is not valid (Kemp, "MS Lync 2013 Server Security Guide", Reverse
#   Proxy). Its title and the script variable reachClientProductName are the
#   product name, "Lync Web App" on Lync Server 2013 ("Skype for Business Web
#   App" on 2015); the Nmap script skype4b recognises the page by that
#   variable. Resources come from /meet/.
# - dialin: the Dial-in Conferencing Settings webpage, anonymous, with the
#   access numbers and a sign-in for the user's PIN (Microsoft Learn, "Dial-in
#   conferencing access numbers in Lync Server 2013").
# - scheduler: the Lync Web Scheduler, a forms sign-in page for domain users
#   (Microsoft Support, "Lync Web Scheduler"; the Kemp guide above).
location ~* ^/meet(/|$) {
    default_type "text/html; charset=utf-8";
    include @NGINX_DIR@/lync-iis.conf;
    return 200 '<html dir="LTR" class="reachJoinHtml"><head><title>Lync Web App</title><script type="text/javascript">var validMeeting = "False"; var reachClientProductName = "Lync Web App"; var resourceUrl = "/meet/JavaScriptResourceHandler.ashx?language=";</script></head><body class="reachJoinBody"><p>The meeting URL is not valid. Check the URL and try again.</p></body></html>';
}
location ~* ^/dialin(/|$) {
    default_type "text/html; charset=utf-8";
    include @NGINX_DIR@/lync-iis.conf;
    return 200 '<!DOCTYPE html><html><head><title>Dial-in Conferencing Settings</title></head><body><h1>Dial-in Conferencing Settings</h1><p><a href="/dialin/">Sign in</a> to see your PIN and conference ID.</p><table><tr><th>Region</th><th>Number</th></tr><tr><td>$lab_d</td><td>+1 (425) 555-0100</td></tr></table></body></html>';
}
location ~* ^/scheduler(/|$) {
    default_type "text/html; charset=utf-8";
    include @NGINX_DIR@/lync-iis.conf;
    return 200 '<!DOCTYPE html><html><head><title>Lync Web Scheduler</title></head><body><h1>Lync Web Scheduler</h1><form method="post" action="/scheduler/"><label>User name <input type="text" name="username"></label><label>Password <input type="password" name="password"></label><input type="submit" value="Sign in"></form></body></html>';
}

# Internal-only directories do not exist on the external site, nor does
# anything else.
location ~* ^/(cscp|OcsPowerShell)(/|$) {
    error_page 418 = @lab_404;
    return 418;
}
location / {
    error_page 418 = @lab_404;
    return 418;
}
location @lab_404 {
    default_type text/html;
    include @NGINX_DIR@/lync-iis.conf;
    return 404 '<!DOCTYPE html><html><head><title>404 - File or directory not found.</title></head><body><h1>404 - File or directory not found.</h1></body></html>';
}
EOF
}

nginx_generate() {
    local dir e cert addrs plain names a
    dir=$(nginx_dir)
    rm -rf -- "$dir"
    mkdir -p "$dir/tmp" "$dir/html"
    web_password_generate
    nginx_web_site >"$dir/lync-web.conf"
    {
        cat <<EOF
# Generated by tests/lab/lab.sh: lynccheck test lab, do not edit.
daemon off;
master_process off;
pid $dir/nginx.pid;
error_log $dir/error.log info;
load_module $NGINX_STREAM_MODULE;
events { worker_connections 1024; }

http {
    access_log $dir/access.log;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server_tokens off;
    default_type text/html;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $dir/html;
EOF
        for e in "${TLS_HTTP[@]}"; do
            read -r cert addrs plain names <<<"$e"
            printf '\n    server {\n'
            for a in ${addrs//,/ }; do printf '        listen %s ssl;\n' "$a"; done
            [[ $plain == - ]] || printf '        listen %s;\n' "$plain"
            printf '        server_name %s;\n' "$names"
            nginx_cert "$cert"
            printf '        location / { try_files /index.html =404; }\n    }\n'
        done
        revoke_nginx_server # pki.contoso.test: CRLs, CA certificates, OCSP (revoke.sh)
        nginx_web_maps
        nginx_web_servers
        printf '}\n\nstream {\n    ssl_protocols TLSv1.2 TLSv1.3;\n'
        for e in "${TLS_STREAM[@]}"; do
            read -r cert a <<<"$e"
            printf '\n    server {\n        listen %s ssl;\n' "$a"
            nginx_cert "$cert"
            # Web conferencing (PSOM) is not emulated: the handshake is all.
            printf '        return "";\n    }\n'
        done
        # The internal interfaces (prof-* scenarios): plain TCP, accept and close.
        while read -r a; do
            printf '\n    server {\n        listen %s;\n        return "";\n    }\n' "$a"
        done < <(internal_listeners)
        printf '}\n'
    } >"$dir/nginx.conf"
    printf '%s\n' '<!DOCTYPE html>' \
        '<html><head><title>lab reverse proxy</title></head><body><p>lab reverse proxy</p></body></html>' \
        >"$dir/html/index.html"
}

nginx_start() {
    local cmd=()
    command -v nginx >/dev/null || die "nginx not found: run '$0 install'"
    [[ -r $NGINX_STREAM_MODULE ]] || die "$NGINX_STREAM_MODULE not found: run '$0 install'"
    mapfile -t cmd < <(nginx_cmd)
    kill_strays "${cmd[*]}"
    svc_spawn nginx "$(nginx_dir)/nginx.out" "${cmd[@]}"
}

nginx_port80() { # ADDR: true once ADDR:80 accepts a connection
    # shellcheck disable=SC2016 # expanded by the inner bash
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/80"' port80 "$1" 2>/dev/null
}

nginx_wait() {
    local a
    svc_wait nginx 10 nginx_port80 "$NET.2.10" || return 1
    tls_wait nginx 10 || return 1
    while read -r a; do
        svc_wait nginx 3 internal_accepts "$a" || {
            log "nginx: $a does not accept connections"
            return 1
        }
    done < <(internal_listeners)
}

nginx_log() {
    local dir
    dir=$(nginx_dir)
    cat "$dir/nginx.out" "$dir/error.log" 2>/dev/null | tail -n 40 || true
}

nginx_stop() {
    local cmd=()
    svc_kill nginx
    mapfile -t cmd < <(nginx_cmd)
    kill_strays "${cmd[*]}"
}

# ---------------------------------------------------------------- kamailio

# One kamailio for every access edge listener: SIP over TLS on 443, and on
# 5061 (federation, MTLS) a listener that asks for a client certificate and
# requires none. One TLS domain (certificate) per listener. Like a Lync edge
# that reaches its pool, it answers REGISTER 401 Unauthorized with the NTLM,
# Kerberos and TLS-DSK challenges of [MS-SIPAE] and OPTIONS 200 OK (Allow,
# Supported), all with Server: RTC/6.0; any other request 403 Forbidden. On
# the proto-sip403 block's addresses REGISTER gets 403 Forbidden, on
# proto-kerberosonly's a 401 with the Kerberos challenge alone, on
# proto-sipopen's 200 OK (kamailio_route says where each comes from).

kamailio_dir() { printf '%s/kamailio' "$LAB_DIR"; }

kamailio_cmd() { # one word a line; kill_strays matches it joined by spaces
    local dir
    dir=$(kamailio_dir)
    printf '%s\n' "$(command -v kamailio)" -f "$dir/kamailio.cfg" -DD -E -m 256 -M 16 -Y "$dir/run"
}

kamailio_domain() { # CERT REQUEST-CLIENT-CERT(0|1): the lines of a tls.cfg domain
    printf 'method = TLSv1.2+\n'
    printf 'certificate = %s/%s.pem\n' "$(pki_dir)" "$1"
    printf 'private_key = %s\n' "${PKI_KEY[$1]}"
    if [[ -n ${PKI_WEAK[$1]:-} ]]; then
        printf 'cipher_list = DEFAULT:@SECLEVEL=0\n'
    else
        printf 'cipher_list = DEFAULT:@SECLEVEL=2\n'
    fi
    printf 'verify_certificate = no\nrequire_certificate = no\n'
    if (($2)); then
        # A CertificateRequest naming the lab root; any certificate, or none, will do.
        printf 'verify_client = optional_no_ca\nca_list = %s/root.pem\n' "$(pki_dir)"
    fi
}

# The WWW-Authenticate headers of the 401, as a Lync Server 2013 pool sends
# them through its Edge: targetname is the internal registrar's FQDN (the
# Front End, fe01.corp.contoso.test, a name the internet never resolves;
# Kerberos names it as sip/<fqdn>: [MS-SIPAE] 3.2.5.2), version 4, sts-uri
# with an explicit :443 ([MS-SIPAE] 3.3.5.1).
KAMAILIO_CHALLENGES=(
    'NTLM realm="SIP Communications Service", targetname="fe01.corp.contoso.test", version=4'
    'Kerberos realm="SIP Communications Service", targetname="sip/fe01.corp.contoso.test", version=4'
    'TLS-DSK realm="SIP Communications Service", targetname="fe01.corp.contoso.test", version=4, sts-uri="https://webext.contoso.test:443/CertProv/CertProvisioningService.svc"'
)
KAMAILIO_ALLOW='INVITE, BYE, ACK, CANCEL, INFO, UPDATE, MESSAGE, SUBSCRIBE, NOTIFY, PRACK, OPTIONS, REFER, BENOTIFY, SERVICE'
KAMAILIO_SUPPORTED='ms-dialog-route-set-update, ms-forking, ms-cluster-failover, gruu-10'

# kamailio_str TEXT: TEXT as a kamailio "..." string (\" for a double quote);
# kamailio's '...' strings would keep a \r\n as it is.
kamailio_str() { printf '"%s"' "${1//\"/\\\"}"; }

# The routing script. Where each behaviour comes from:
# - 401 with NTLM, Kerberos and TLS-DSK challenges, each with realm "SIP
#   Communications Service", targetname and version: [MS-SIPAE] 3.3.5.1 (the
#   server's challenge) and 4.1 (the NTLM example); version 4 and TLS-DSK as
#   Lync Server 2010 and later send them ([MS-SIPAE] 3.1, 3.3.5.1).
# - proto-kerberosonly: a pool whose authentication is Kerberos only (the
#   Kerberos challenge of [MS-SIPAE] 4.2 alone). Kerberos needs the client to
#   reach the domain controller, so clients outside cannot authenticate
#   ([MS-SIPAE] 3.1; Microsoft Learn, "User and client authentication for
#   Skype for Business Server").
# - proto-sipopen: 200 OK to a REGISTER without credentials, as a registrar
#   with authentication off answers (RFC 3261 10.3: authenticating is the
#   registrar's choice); a Lync Edge never does ([MS-SIPAE] 3.3.5.1).
# - proto-sip403: REGISTER refused, 403 Forbidden (RFC 3261 21.4.4).
# - proto-director301: a Director (or a pool that is not the user's home)
#   answers "301 Redirect request to Home Server" with the home pool in
#   Contact and Expires 2592000 (RFC 3261 21.3.2; the shape a Lync Server
#   2013 Director sends, pool FQDN internal).
# - proto-uppercase: header names in upper case (SERVER:, WWW-AUTHENTICATE:,
#   ALLOW:, SUPPORTED:), as an Office Communications Server 2007 R2 pool
#   relaying a mobile client sends them; names are case-insensitive (RFC 3261
#   7.3.1). kamailio copies Via, From, To, Call-ID and CSeq from the request,
#   so those keep our spelling. The Server header is appended per reply
#   (server_signature=no) so that this block can spell it SERVER.
kamailio_route() {
    local name d block fault h forbid="" kerb="" open="" redir="" upper="" addrs
    while read -r name d block fault; do
        addrs="dst_ip == $NET.$block.10 || dst_ip == $NET.$block.20"
        case $fault in
        sip403) forbid+="${forbid:+ || }$addrs" ;;
        kerberosonly) kerb+="${kerb:+ || }$addrs" ;;
        sipopen) open+="${open:+ || }$addrs" ;;
        director301) redir+="${redir:+ || }$addrs" ;;
        uppercase) upper+="${upper:+ || }$addrs" ;;
        esac
    done < <(proto_scenarios)
    printf 'request_route {\n'
    if [[ -n $upper ]]; then
        printf '    # proto-uppercase: upper-case header names (RFC 3261 7.3.1).\n'
        printf '    if (%s) {\n' "$upper"
        printf '        append_to_reply(%s);\n' "$(kamailio_str "SERVER: RTC/6.0\\r\\n")"
        printf '        if (method == "REGISTER") {\n'
        for h in "${KAMAILIO_CHALLENGES[@]}"; do
            printf '            append_to_reply(%s);\n' "$(kamailio_str "WWW-AUTHENTICATE: $h\\r\\n")"
        done
        printf '            sl_send_reply("401", "Unauthorized");\n            exit;\n        }\n'
        printf '        if (method == "OPTIONS") {\n'
        printf '            append_to_reply(%s);\n' "$(kamailio_str "ALLOW: $KAMAILIO_ALLOW\\r\\n")"
        printf '            append_to_reply(%s);\n' "$(kamailio_str "SUPPORTED: $KAMAILIO_SUPPORTED\\r\\n")"
        printf '            sl_send_reply("200", "OK");\n            exit;\n        }\n'
        printf '        sl_send_reply("403", "Forbidden");\n        exit;\n    }\n'
    fi
    printf '    append_to_reply(%s);\n' "$(kamailio_str "Server: RTC/6.0\\r\\n")"
    if [[ -n $redir ]]; then
        printf '    # proto-director301: redirected to the home pool (RFC 3261 21.3.2).\n'
        printf '    if (method == "REGISTER" && (%s)) {\n' "$redir"
        printf '        append_to_reply(%s);\n' \
            "$(kamailio_str "Contact: <sip:pool01.corp.director301.test:5061;transport=tls>\\r\\n")"
        printf '        append_to_reply(%s);\n' "$(kamailio_str "Expires: 2592000\\r\\n")"
        printf '        sl_send_reply("301", "Redirect request to Home Server");\n        exit;\n    }\n'
    fi
    if [[ -n $forbid ]]; then
        printf '    # proto-sip403: REGISTER refused.\n'
        printf '    if (method == "REGISTER" && (%s)) {\n' "$forbid"
        printf '        sl_send_reply("403", "Forbidden");\n        exit;\n    }\n'
    fi
    if [[ -n $kerb ]]; then
        printf '    # proto-kerberosonly: the Kerberos challenge alone ([MS-SIPAE] 4.2).\n'
        printf '    if (method == "REGISTER" && (%s)) {\n' "$kerb"
        printf '        append_to_reply(%s);\n' \
            "$(kamailio_str "WWW-Authenticate: ${KAMAILIO_CHALLENGES[1]}\\r\\n")"
        printf '        sl_send_reply("401", "Unauthorized");\n        exit;\n    }\n'
    fi
    if [[ -n $open ]]; then
        printf '    # proto-sipopen: registered without credentials (RFC 3261 10.3).\n'
        printf '    if (method == "REGISTER" && (%s)) {\n' "$open"
        printf '        append_to_reply(%s);\n' "$(kamailio_str "Expires: 300\\r\\n")"
        printf '        sl_send_reply("200", "OK");\n        exit;\n    }\n'
    fi
    printf '    if (method == "REGISTER") {\n'
    for h in "${KAMAILIO_CHALLENGES[@]}"; do
        printf '        append_to_reply(%s);\n' "$(kamailio_str "WWW-Authenticate: $h\\r\\n")"
    done
    printf '        sl_send_reply("401", "Unauthorized");\n        exit;\n    }\n'
    printf '    if (method == "OPTIONS") {\n'
    printf '        append_to_reply(%s);\n' "$(kamailio_str "Allow: $KAMAILIO_ALLOW\\r\\n")"
    printf '        append_to_reply(%s);\n' "$(kamailio_str "Supported: $KAMAILIO_SUPPORTED\\r\\n")"
    printf '        sl_send_reply("200", "OK");\n        exit;\n    }\n'
    printf '    sl_send_reply("403", "Forbidden");\n    exit;\n}\n'
}

kamailio_generate() {
    local dir e cert addr port req
    dir=$(kamailio_dir)
    rm -rf -- "$dir"
    mkdir -p "$dir/run"
    {
        cat <<EOF
#!KAMAILIO
# Generated by tests/lab/lab.sh: lynccheck test lab, do not edit.
debug=2
log_stderror=yes
children=1
tcp_children=1
auto_aliases=no
dns=no
rev_dns=no
disable_sctp=yes
enable_tls=yes
server_signature=no
EOF
        for e in "${TLS_SIP[@]}"; do
            read -r cert addr port req <<<"$e"
            printf 'listen=tls:%s:%s\n' "$addr" "$port"
        done
        cat <<EOF

mpath="$KAMAILIO_MODULES/"
loadmodule "tls.so"
loadmodule "sl.so"
loadmodule "textops.so"
modparam("tls", "config", "$dir/tls.cfg")

EOF
        kamailio_route
    } >"$dir/kamailio.cfg"
    {
        printf '# Generated by tests/lab/lab.sh: lynccheck test lab, do not edit.\n'
        printf '[server:default]\n'
        kamailio_domain healthy-edge 0
        for e in "${TLS_SIP[@]}"; do
            read -r cert addr port req <<<"$e"
            printf '\n[server:%s:%s]\n' "$addr" "$port"
            kamailio_domain "$cert" "$req"
        done
        printf '\n[client:default]\nverify_certificate = no\nrequire_certificate = no\n'
    } >"$dir/tls.cfg"
    # kamailio loads a domain's certificate before it applies its cipher_list,
    # so the process starts at security level 0 (a 1024-bit key or a SHA-1
    # signature loads at all) and every domain but the weak ones goes back to
    # OpenSSL's default level 2 (kamailio_domain).
    cat >"$dir/openssl.cnf" <<EOF
# Generated by tests/lab/lab.sh: the OPENSSL_CONF of the lab's kamailio.
openssl_conf = lab_init
[lab_init]
ssl_conf = lab_ssl
[lab_ssl]
system_default = lab_system
[lab_system]
CipherString = DEFAULT:@SECLEVEL=0
EOF
}

kamailio_start() {
    local cmd=()
    command -v kamailio >/dev/null || die "kamailio not found: run '$0 install'"
    [[ -r $KAMAILIO_MODULES/tls.so ]] || die "$KAMAILIO_MODULES/tls.so not found: run '$0 install'"
    mapfile -t cmd < <(kamailio_cmd)
    kill_strays "${cmd[*]}"
    OPENSSL_CONF=$(kamailio_dir)/openssl.cnf svc_spawn kamailio "$(kamailio_dir)/kamailio.log" "${cmd[@]}"
}

kamailio_wait() { tls_wait kamailio 15; }

kamailio_log() { tail -n 40 "$(kamailio_dir)/kamailio.log" 2>/dev/null || true; }

kamailio_stop() {
    local cmd=()
    svc_kill kamailio
    # Its children have the same command line.
    mapfile -t cmd < <(kamailio_cmd)
    kill_strays "${cmd[*]}"
}

# ---------------------------------------------------------------- prosody

# XMPP federation (server to server, 5269) on the healthy access edge pool,
# 127.77.1.10 and .20, for contoso.test and fabrikam.test: stream features
# with STARTTLS (the edge certificate) and dialback, encryption not required.
# No client (c2s) listener. Run as root from the state dir: run_as_root =
# true (its mod_posix refuses root otherwise), -F (foreground).

prosody_dir() { printf '%s/prosody' "$LAB_DIR"; }

# prosody is a Lua script (#!/usr/bin/env lua5.4): run its interpreter
# ourselves, so the command line is the same whichever way it was started.
prosody_lua() {
    local first="" script
    if script=$(command -v prosody); then
        read -r first <"$script" || true
    fi
    first=${first##*[ /]}
    [[ $first == lua* ]] || first=lua5.4
    printf '%s\n' "$first"
}

prosody_cmd() { # one word a line; kill_strays matches it joined by spaces
    printf '%s\n' "$(prosody_lua)" "$(command -v prosody)" -F --config "$(prosody_dir)/prosody.cfg.lua"
}

prosody_addrs() { printf '%s\n' "$NET.1.10" "$NET.1.20"; }

prosody_generate() {
    local dir
    dir=$(prosody_dir)
    rm -rf -- "$dir"
    mkdir -p "$dir/data" "$dir/certs"
    cat >"$dir/prosody.cfg.lua" <<EOF
-- Generated by tests/lab/lab.sh: lynccheck test lab, do not edit.
run_as_root = true
daemonize = false
pidfile = "$dir/prosody.pid"
data_path = "$dir/data"
certificates = "$dir/certs"
log = { { levels = { min = "info" }, to = "console" } }
modules_enabled = { "tls", "dialback", "disco", "posix" }
modules_disabled = { "c2s", "offline" }
storage = "memory"
interfaces = { "$NET.1.10", "$NET.1.20" }
c2s_ports = {}
c2s_direct_tls_ports = {}
legacy_ssl_ports = {}
s2s_ports = { 5269 }
s2s_direct_tls_ports = {}
s2s_interfaces = { "$NET.1.10", "$NET.1.20" }
s2s_require_encryption = false
s2s_secure_auth = false
ssl = { certificate = "$(pki_dir)/healthy-edge.pem", key = "${PKI_KEY[healthy-edge]}" }

VirtualHost "contoso.test"
VirtualHost "fabrikam.test"
EOF
}

prosody_start() {
    local cmd=()
    command -v prosody >/dev/null || die "prosody not found: run '$0 install'"
    command -v "$(prosody_lua)" >/dev/null || die "$(prosody_lua) (prosody's interpreter) not found"
    mapfile -t cmd < <(prosody_cmd)
    kill_strays "${cmd[*]}"
    svc_spawn prosody "$(prosody_dir)/prosody.log" "${cmd[@]}"
}

prosody_answers() { # ADDR: true once ADDR:5269 answers a stream header with features
    # shellcheck disable=SC2016 # expanded by the inner bash
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/$1/5269" || exit 1
        printf "%s" "<?xml version=\"1.0\"?><stream:stream xmlns=\"jabber:server\" xmlns:stream=\"http://etherx.jabber.org/streams\" to=\"contoso.test\" version=\"1.0\">" >&3
        while IFS= read -r -d ">" -t 2 x <&3; do
            [[ $x != *"<stream:features"* ]] || exit 0
        done
        exit 1' prosody-wait "$1" 2>/dev/null
}

prosody_wait() {
    local a
    while read -r a; do
        svc_wait prosody 10 prosody_answers "$a" || return 1
    done < <(prosody_addrs)
}

prosody_log() { tail -n 40 "$(prosody_dir)/prosody.log" 2>/dev/null || true; }

prosody_stop() {
    local cmd=()
    svc_kill prosody
    mapfile -t cmd < <(prosody_cmd)
    kill_strays "${cmd[*]}"
}

# ---------------------------------------------------------------- coturn

# One turnserver for the Edge internal interface of the prof-* scenarios
# (INTERNAL_STUN; the A/V edges' external side is lc-msturn's, below):
# UDP 3478 only (no TCP, TLS, DTLS or CLI listener), long-term credentials
# with realm contoso.test and one static user, so an unauthenticated
# Allocate gets 401 with REALM and NONCE, and a STUN Binding is answered.
# Relay ports (allocated only after authentication, which never happens) are
# kept in 40000-40999, away from the media range 50000-59999, where nothing
# listens. Its database, pid file and log are in the state dir.

coturn_dir() { printf '%s/coturn' "$LAB_DIR"; }

coturn_cmd() { # one word a line; kill_strays matches it joined by spaces
    printf '%s\n' "$(command -v turnserver)" -c "$(coturn_dir)/turnserver.conf"
}

coturn_addrs() { # the addresses coturn serves
    printf '%s\n' "$NET.$INTERNAL_STUN"
}

coturn_generate() {
    local dir a
    dir=$(coturn_dir)
    rm -rf -- "$dir"
    mkdir -p "$dir"
    {
        printf '# Generated by tests/lab/lab.sh: lynccheck test lab, do not edit.\n'
        while read -r a; do printf 'listening-ip=%s\n' "$a"; done < <(coturn_addrs)
        cat <<EOF
listening-port=3478
relay-ip=$NET.$INTERNAL_STUN
min-port=40000
max-port=40999
realm=contoso.test
lt-cred-mech
user=lab:lab-secret
no-tcp
no-tls
no-dtls
no-cli
no-rfc5780
no-software-attribute
userdb=$dir/turndb
pidfile=$dir/turnserver.pid
log-file=stdout
simple-log
EOF
    } >"$dir/turnserver.conf"
}

coturn_start() {
    local cmd=()
    command -v turnserver >/dev/null || die "turnserver not found: run '$0 install'"
    mapfile -t cmd < <(coturn_cmd)
    kill_strays "${cmd[*]}"
    svc_spawn coturn "$(coturn_dir)/turnserver.log" "${cmd[@]}"
}

coturn_answers() { # ADDR: true once ADDR answers a STUN Binding on UDP 3478
    timeout 3 turnutils_stunclient -p 3478 "$1" >/dev/null 2>&1
}

coturn_wait() {
    local a
    command -v turnutils_stunclient >/dev/null || die "turnutils_stunclient not found: run '$0 install'"
    while read -r a; do
        svc_wait coturn 10 coturn_answers "$a" || {
            log "coturn: no STUN answer on $a:3478"
            return 1
        }
    done < <(coturn_addrs)
}

coturn_log() { tail -n 40 "$(coturn_dir)/turnserver.log" 2>/dev/null || true; }

coturn_stop() {
    local cmd=()
    svc_kill coturn
    mapfile -t cmd < <(coturn_cmd)
    kill_strays "${cmd[*]}"
}

# ---------------------------------------------------------------- msturn

# The A/V edges' external listeners (127.77.1.12 and each proto block's .12):
# tests/lc-msturn.c, one process. UDP 3478 answers like a Lync / Skype for
# Business A/V Edge: a message whose first attribute is not MAGIC-COOKIE (a
# plain STUN Binding) is ignored ([MS-TURN] 2.2.2.8, 3.1.10), an Allocate
# without credentials gets the Allocate error response with 401, REALM,
# NONCE, ALTERNATE-SERVER = the edge's address and MS-VERSION ([MS-TURN]
# 2.2.2, 3.2.5.1); REALM is the block's SIP domain ([MS-TURN]: the domain of
# the TURN server's provider). TCP 443 speaks pseudo-TLS: ServerHello and
# ServerHelloDone in one record, no certificate ([MS-TURN] 2.1). On
# proto-turnopen's block the Allocate succeeds without credentials (an open
# relay). The binary: $LC_MSTURN, else tests/lc-msturn of the build tree
# ($LC_TOP_BUILDDIR) when it is newer than its source, else compiled from
# tests/lc-msturn.c into the state dir with ${CC:-cc}.

msturn_dir() { printf '%s/msturn' "$LAB_DIR"; }

msturn_bin() { printf '%s/lc-msturn' "$(msturn_dir)"; }

msturn_specs() { # one lc-msturn listener a line
    local name d block fault mode
    printf '%s\n' "udp:$NET.1.12:3478:edge:contoso.test" "tcp:$NET.1.12:443"
    while read -r name d block fault; do
        mode=edge
        [[ $fault != turnopen ]] || mode=open
        printf '%s\n' "udp:$NET.$block.12:3478:$mode:$d" "tcp:$NET.$block.12:443"
    done < <(proto_scenarios)
}

msturn_cmd() { # one word a line; kill_strays matches it joined by spaces
    printf '%s\n' "$(msturn_bin)"
    msturn_specs
}

msturn_generate() {
    local dir src built=${LC_TOP_BUILDDIR:-}/tests/lc-msturn
    dir=$(msturn_dir)
    src=$LAB_SRC/../lc-msturn.c
    rm -rf -- "$dir"
    mkdir -p "$dir"
    if [[ -n ${LC_MSTURN:-} ]]; then
        cp -- "$LC_MSTURN" "$(msturn_bin)" || die "cannot copy LC_MSTURN=$LC_MSTURN"
    elif [[ -n ${LC_TOP_BUILDDIR:-} && -x $built && $built -nt $src ]]; then
        cp -- "$built" "$(msturn_bin)" || die "cannot copy $built"
    else
        [[ -r $src ]] || die "$src not found"
        timeout 120 "${CC:-cc}" -std=c11 -D_GNU_SOURCE -O2 -o "$(msturn_bin)" "$src" \
            >"$dir/cc.log" 2>&1 || die "cannot compile $src: $(cat "$dir/cc.log")"
    fi
}

msturn_start() {
    local cmd=()
    mapfile -t cmd < <(msturn_cmd)
    kill_strays "${cmd[*]}"
    svc_spawn msturn "$(msturn_dir)/msturn.log" "${cmd[@]}"
}

msturn_ready() { grep -qx ready "$(msturn_dir)/msturn.log" 2>/dev/null; }

msturn_wait() { svc_wait msturn 10 msturn_ready; }

msturn_log() { tail -n 40 "$(msturn_dir)/msturn.log" 2>/dev/null || true; }

msturn_stop() {
    local cmd=()
    svc_kill msturn
    [[ -x $(msturn_bin) ]] || return 0
    mapfile -t cmd < <(msturn_cmd)
    kill_strays "${cmd[*]}"
}

# ---------------------------------------------------------------- firewall (iptables)

# The proto-* scenarios' filtered ports: DROP rules in a chain of the lab's
# own, LYNCCHECK-LAB-<second octet of the prefix> (so two labs with different
# prefixes do not meet), jumped to from INPUT for the lab's /16 only (loopback
# packets go through INPUT). start creates the empty chain before the
# services (a machine where iptables does not work fails there, clearly),
# fills it and adds the jump once every service is up (so the readiness
# checks are not filtered); stop, and a failed start, delete both. No other
# rule is touched.

FW_CHAIN=LYNCCHECK-LAB-${NET#127.}

fw() { timeout 20 iptables -w 10 "$@"; }

fw_jump() { printf '%s\n' INPUT -d "$NET.0.0/16" -j "$FW_CHAIN"; }

fw_rules() { # one rule a line: the iptables arguments after -A CHAIN
    local name d block fault p
    while read -r name d block fault; do
        p=$NET.$block
        case $fault in
        mediafiltered) printf '%s\n' "-d $p.12 -p tcp --dport 50000:59999 -j DROP" \
            "-d $p.12 -p udp --dport 50000:59999 -j DROP" ;;
        mediapartial) printf '%s\n' "-d $p.12 -p tcp --dport 50000:50099 -j DROP" \
            "-d $p.12 -p tcp --dport 57000 -j DROP" ;;
        stunsilent) printf '%s\n' "-d $p.12 -p udp --dport 3478 -j DROP" ;;
        fedfiltered) printf '%s\n' "-d $p.10 -p tcp --dport 5061 -j DROP" \
            "-d $p.20 -p tcp --dport 5061 -j DROP" ;;
        xmppclosed | sip403 | kerberosonly | sipopen | rpnoport80 | director301 | uppercase | turnopen) ;;
        *) die "PROTO_SCENARIOS: $name: unknown fault '$fault'" ;;
        esac
    done < <(proto_scenarios)
}

fw_init() { # before the services: a clean, empty chain, or a clear failure
    local err
    command -v iptables >/dev/null || die "iptables not found: run '$0 install'"
    fw_remove
    if ! err=$(fw -N "$FW_CHAIN" 2>&1); then
        die "iptables does not work here (iptables -N $FW_CHAIN: ${err:-failed});" \
            "the proto-* scenarios need it: root with CAP_NET_ADMIN and netfilter"
    fi
}

fw_apply() { # after the services: the rules, then the jump
    local rule args jump=()
    while read -r rule; do
        read -r -a args <<<"$rule"
        fw -A "$FW_CHAIN" "${args[@]}" || die "iptables -A $FW_CHAIN $rule failed"
    done < <(fw_rules)
    mapfile -t jump < <(fw_jump)
    fw -I "${jump[0]}" 1 "${jump[@]:1}" || die "iptables -I ${jump[*]} failed"
}

fw_remove() { # the jump (however many times it is there), then the chain
    local jump=() i
    command -v iptables >/dev/null || return 0
    mapfile -t jump < <(fw_jump)
    for ((i = 0; i < 20; i++)); do
        fw -D "${jump[@]}" 2>/dev/null || break
    done
    if fw -n -L "$FW_CHAIN" >/dev/null 2>&1; then
        fw -F "$FW_CHAIN" || log "warning: iptables -F $FW_CHAIN failed"
        fw -X "$FW_CHAIN" || log "warning: iptables -X $FW_CHAIN failed"
    fi
}

fw_status() {
    local n jump=()
    if ! command -v iptables >/dev/null || ! fw -n -L "$FW_CHAIN" >/dev/null 2>&1; then
        printf 'firewall: no chain %s\n' "$FW_CHAIN"
        return 1
    fi
    n=$(fw -S "$FW_CHAIN" | grep -c -- '^-A') || true
    mapfile -t jump < <(fw_jump)
    if fw -C "${jump[@]}" 2>/dev/null; then
        printf 'firewall: chain %s, %s rules, jumped to from INPUT for %s.0.0/16\n' "$FW_CHAIN" "$n" "$NET"
    else
        printf 'firewall: chain %s, %s rules, not jumped to\n' "$FW_CHAIN" "$n"
        return 1
    fi
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

POLICY_RC=/usr/sbin/policy-rc.d

cmd_install() {
    local pkg missing=() rc=0 policy=0
    for pkg in "${PACKAGES[@]}"; do
        if [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) != "install ok installed" ]]; then
            missing+=("$pkg")
        fi
    done
    ((${#missing[@]})) || return 0
    ((EUID == 0)) || die "missing packages ${missing[*]}: run '$0 install' as root"
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Debian starts the system nginx (0.0.0.0:80, which would take port 80
    # from the lab) and kamailio when it installs them: a policy-rc.d that
    # forbids starting services stops that, unless one is there already.
    if [[ ! -e $POLICY_RC ]]; then
        printf '#!/bin/sh\n# lynccheck lab.sh install: no service starts while it installs.\nexit 101\n' >"$POLICY_RC"
        chmod 755 "$POLICY_RC"
        policy=1
    fi
    timeout 600 apt-get update -qq || rc=$?
    if ((rc == 0)); then
        timeout 1200 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
    fi
    ((policy == 0)) || rm -f "$POLICY_RC"
    ((rc == 0)) || die "apt-get failed (exit $rc)"
}

cmd_stop() {
    local i
    fw_remove
    for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
        "${SERVICES[i]}_stop"
    done
    state_dir_remove
}

cmd_start() {
    local svc t0
    t0=$(date +%s%N)
    ((EUID == 0)) || die "the lab binds port 53: run it as root"
    # Idempotent: whatever runs from an earlier start goes first.
    if [[ -d $LAB_DIR ]]; then
        state_dir_init # refuses a directory that is not ours
        cmd_stop
    fi
    state_dir_init
    STARTING=1 # from here on, die stops whatever started
    printf 'LC_LAB_NET=%s\n' "$NET" >"$LAB_DIR/net"
    fw_init
    sites_generate
    pki_generate
    tls_plan
    for svc in "${SERVICES[@]}"; do
        "${svc}_generate"
    done
    phase "PKI and configurations"
    # Start everything, then wait: the services initialise in parallel.
    for svc in "${SERVICES[@]}"; do
        "${svc}_start"
    done
    for svc in "${SERVICES[@]}"; do
        if ! "${svc}_wait"; then
            log "service '$svc' did not come up; its log:"
            "${svc}_log" | sed 's/^/    /' >&2
            die "lab start failed"
        fi
        phase "$svc"
    done
    fw_apply
    STARTING=0
    t0=$((($(date +%s%N) - t0) / 1000000))
    log "lab up in $LAB_DIR in $((t0 / 1000)).$(printf '%03d' $((t0 % 1000))) s" \
        "(DNS $DNS_ADDR port $DNS_PORT; ${#TLS_LISTENERS[@]} TLS listeners: $LAB_DIR/tls-listeners;" \
        "iptables chain $FW_CHAIN; seconds per step:${PHASES})"
}

# phase NAME: note the seconds since the last phase (the start's log line
# says where a slow start spent its time).
PHASES='' PHASE_T=${EPOCHREALTIME/,/.}
phase() {
    local now=${EPOCHREALTIME/,/.}
    PHASES+=" $1 $(awk -v a="$PHASE_T" -v b="$now" 'BEGIN { printf "%.1f", b - a }')"
    PHASE_T=$now
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
    fw_status || rc=3
    return "$rc"
}

cmd_env() {
    printf 'LC_LAB_NET=%q\n' "$NET"
    printf 'LC_LAB_DIR=%q\n' "$LAB_DIR"
    printf 'LC_LAB_DNS=%q\n' "$DNS_ADDR"
    printf 'LC_LAB_DNS_PORT=%q\n' "$DNS_PORT"
    printf 'LC_LAB_CA=%q\n' "$(pki_dir)/root.pem"
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
