#!/bin/bash
# testssl.sh -S (server defaults: certificate, chain of trust, name match,
# validity, key, CRL/OCSP) on each TLS listener in turn: the way testssl.sh
# checks a list of listeners. bench/run.sh times it against lynccheck's TLS
# probe (comparison "tls").
#
#   bench/testssl-loop.sh LISTENERS CAFILE
#
# LISTENERS: lines "address port sni" (testssl.sh connects to the address
# with --ip and sends the name as SNI). Prints a summary line
# "listeners N chain-ok N failed N"; exits 0 when every chain is trusted.
set -uo pipefail
listeners=$1
ca=$2
testssl=$(command -v testssl.sh || command -v testssl) || { echo "testssl.sh not found" >&2; exit 3; }
n=0 good=0
while read -r a port sni; do
    [[ -n $a && $a != \#* ]] || continue
    n=$((n + 1))
    out=$("$testssl" -S --quiet --color 0 --warnings off --nodns min --ip "$a" --add-ca "$ca" \
        "$sni:$port" </dev/null 2>&1)
    if grep -Eq 'Chain of trust +Ok' <<<"$out"; then
        good=$((good + 1))
        echo "ok   $sni ($a:$port)"
    else
        echo "FAIL $sni ($a:$port): $(grep -m1 'Chain of trust' <<<"$out")"
    fi
done <"$listeners"
printf 'listeners %d chain-ok %d failed %d\n' "$n" "$good" $((n - good))
((n == good))
