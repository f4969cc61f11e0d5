#!/bin/bash
# The check an administrator writes by hand: every external DNS record with
# `dig`, then every published web URL a Lync client walks with `curl`, one
# call per record or URL, one after the other. bench/run.sh times it against
# lynccheck's dns and web probes on the same site (comparison "dns-web").
#
#   bench/admin-dns-web.sh SITEFILE [dns|web|all]     (default all)
#
# Reads the names from a lynccheck site file (sip-domain, access-edge,
# webconf-edge, av-edge, web-external, director-web-external, owa, meet,
# dialin, xmpp, dns-server, ca-file), the way the administrator's own script
# would have them written in. Prints one line per step and a summary line
# "steps N ok N failed N"; exits 0 when every step is ok.
set -uo pipefail
site=$1
part=${2:-all}

key() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$site" | sed 's/[[:space:]]*$//'; }
mapfile -t domains < <(key sip-domain)
mapfile -t webext < <(key web-external)
mapfile -t webdir < <(key director-web-external)
mapfile -t meets < <(key meet)
access=$(key access-edge | head -n1)
webconf=$(key webconf-edge | head -n1)
av=$(key av-edge | head -n1)
owa=$(key owa | head -n1)
dialin=$(key dialin | head -n1)
xmpp=$(key xmpp | head -n1)
dns=$(key dns-server | head -n1)
ca=$(key ca-file | head -n1)
((${#meets[@]})) || for d in "${domains[@]}"; do meets+=("meet.$d"); done
[[ -n $dialin ]] || dialin=dialin.${domains[0]}

steps=0 good=0
step() { # OK(0|1) TEXT
    steps=$((steps + 1))
    if (($1)); then
        good=$((good + 1))
        printf 'ok   %s\n' "$2"
    else
        printf 'FAIL %s\n' "$2"
    fi
}

q() { dig "@$dns" +short +time=2 +tries=2 "$@" 2>/dev/null | grep -v '^;'; }

declare -A addr=()
lookup() { # NAME: A and AAAA, as two queries
    local a aaaa
    a=$(q A "$1")
    aaaa=$(q AAAA "$1")
    step "$([[ -n $a$aaaa ]] && echo 1 || echo 0)" "dig $1: ${a//$'\n'/ } ${aaaa//$'\n'/ }"
    addr[$1]=$(printf '%s\n' "$a" | grep -E '^[0-9.]+$' | head -n1)
}

if [[ $part == dns || $part == all ]]; then
    for n in "$access" "$webconf" "$av" "${webext[@]}" "${webdir[@]}" "$owa" "$dialin" "${meets[@]}"; do
        [[ -n $n ]] && lookup "$n"
    done
    for d in "${domains[@]}"; do
        lookup "sip.$d"
        lookup "lyncdiscover.$d"
        for srv in _sip._tls _sipfederationtls._tcp; do
            ans=$(q SRV "$srv.$d")
            step "$([[ -n $ans ]] && echo 1 || echo 0)" "dig SRV $srv.$d: ${ans//$'\n'/ }"
            for target in $(printf '%s\n' "$ans" | awk '{ print $4 }' | sed 's/\.$//'); do
                [[ -n ${addr[$target]:-} ]] || lookup "$target"
            done
        done
        if [[ $xmpp == yes ]]; then
            ans=$(q SRV "_xmpp-server._tcp.$d")
            step "$([[ -n $ans ]] && echo 1 || echo 0)" "dig SRV _xmpp-server._tcp.$d: ${ans//$'\n'/ }"
        fi
        leak=$(q A "lyncdiscoverinternal.$d")
        step "$([[ -z $leak ]] && echo 1 || echo 0)" "dig lyncdiscoverinternal.$d: not published${leak:+ (published: $leak)}"
    done
fi

# One curl per URL: a new connection and TLS handshake each time, with the
# address dig found (the names are not in the system resolver).
fetch() { # EXPECTED-STATUS URL [curl args...]
    local want=$1 url=$2 host port a status
    shift 2
    host=${url#*://}
    host=${host%%/*}
    port=443
    [[ $url == http://* ]] && port=80
    a=${addr[$host]:-}
    [[ -n $a ]] || a=$(q A "$host" | grep -E '^[0-9.]+$' | head -n1)
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$ca" \
        --resolve "$host:$port:$a" "$@" "$url")
    step "$([[ $status == "$want" ]] && echo 1 || echo 0)" "curl $url: $status (want $want)"
}

if [[ $part == web || $part == all ]]; then
    for d in "${domains[@]}"; do
        fetch 200 "https://lyncdiscover.$d/" -H 'Accept: application/json'
        fetch 200 "https://lyncdiscover.$d/" -H 'Accept: application/vnd.microsoft.rtc.autodiscover+xml;v=1'
        fetch 200 "http://lyncdiscover.$d/" -H 'Accept: application/json'
        # The user link of the discovery document: 401 with MsRtcOAuth.
        a=${addr[lyncdiscover.$d]:-$(q A "lyncdiscover.$d" | head -n1)}
        user=$(curl -s --max-time 10 --cacert "$ca" --resolve "lyncdiscover.$d:443:$a" \
            -H 'Accept: application/json' "https://lyncdiscover.$d/" |
            jq -r '._links.user.href // empty' 2>/dev/null)
        if [[ -n $user ]]; then
            fetch 401 "$user"
        else
            step 0 "lyncdiscover.$d: no user link"
        fi
    done
    for w in "${webext[@]}" "${webdir[@]}"; do
        for path in /WebTicket/WebTicketService.svc /CertProv/CertProvisioningService.svc \
            /abs/handler/ /groupexpansion/service.svc /RgsClients/AgentService.svc \
            /RequestHandlerExt/ucdevice.upx /mcx/mcxservice.svc /ucwa/oauth/v1/applications; do
            fetch 401 "https://$w$path"
        done
        fetch 200 "https://$w/WebTicket/WebTicketService.svc/mex"
        fetch 200 "https://$w/CertProv/CertProvisioningService.svc/mex"
        fetch 200 "https://$w/Autodiscover/XFrame/XFrame.html"
        fetch 400 "https://$w/WebTicket/oauthtoken" -d 'grant_type=password&username=x&password=x'
        fetch 404 "https://$w/cscp/"
        fetch 404 "https://$w/OcsPowerShell/"
    done
    for w in "${webext[@]}"; do fetch 200 "https://$w/scheduler/"; done
    for m in "${meets[@]}"; do fetch 200 "https://$m/meet/"; done
    fetch 200 "https://$dialin/dialin/"
fi

printf 'steps %d ok %d failed %d\n' "$steps" "$good" $((steps - good))
((steps == good))
