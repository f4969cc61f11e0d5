#!/bin/bash
# The certificate check an administrator writes by hand: `openssl s_client`
# on each TLS listener in turn, chain verified against the CA, then the
# certificate's subject, issuer, dates, SANs, EKU and CRL printed with
# `openssl x509`. bench/run.sh times it against lynccheck's TLS probe and
# testssl.sh (comparison "tls").
#
#   bench/admin-tls.sh LISTENERS CAFILE
#
# LISTENERS: lines "address port sni". Prints each certificate and a
# summary line "listeners N verified N failed N"; exits 0 when all verify.
set -uo pipefail
listeners=$1
ca=$2
n=0 good=0
while read -r a port sni; do
    [[ -n $a && $a != \#* ]] || continue
    n=$((n + 1))
    out=$(openssl s_client -connect "$a:$port" -servername "$sni" -CAfile "$ca" \
        -verify_hostname "$sni" -verify_return_error </dev/null 2>&1)
    echo "== $sni ($a:$port)"
    printf '%s\n' "$out" | openssl x509 -noout -subject -issuer -dates \
        -ext subjectAltName,extendedKeyUsage,crlDistributionPoints 2>&1
    if grep -q 'Verify return code: 0 (ok)' <<<"$out"; then
        good=$((good + 1))
        echo "verified"
    else
        echo "NOT verified: $(grep -m1 'Verify return code' <<<"$out")"
    fi
done <"$listeners"
printf 'listeners %d verified %d failed %d\n' "$n" "$good" $((n - good))
((n == good))
