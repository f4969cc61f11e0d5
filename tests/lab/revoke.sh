# revoke.sh - the lab CA's revocation services, sourced by lab.sh (service
# "revoke" in its SERVICES; functions revoke_*).
# shellcheck shell=bash
#
# What a client on the internet fetches to check a lab certificate, named in
# every certificate the issuing CA issues (tests/lab/pki/openssl.cnf):
#   crlDistributionPoints  http://pki.contoso.test/issuing.crl  (RFC 5280 4.2.1.13)
#   authorityInfoAccess    OCSP http://pki.contoso.test/ocsp,
#                          caIssuers http://pki.contoso.test/issuing.crt  (RFC 5280 4.2.2.1)
# and the issuing CA's own certificate names root.crl and root.crt.
#
#   pki.contoso.test  @NET@.3.10 port 80: nginx (server block from
#                     revoke_nginx_server) serving <state>/pki/pub:
#     issuing.crl, root.crl  the CAs' CRLs, DER (RFC 5280 section 5), made by
#                            `openssl ca -gencrl` from the CA databases, valid
#                            7 days (application/pkix-crl, RFC 2585 section 4)
#     issuing.crt, root.crt  the CA certificates, DER (application/pkix-cert,
#                            RFC 2585; RFC 5280 4.2.2.1: a DER certificate)
#     expired.crl            the issuing CA's CRL whose nextUpdate has passed
#                            (scenario tls-crlexpired names it)
#     /ocsp                  proxied to the OCSP responder
#   OCSP responder    `openssl ocsp` (RFC 6960) reading the issuing CA's
#                     database (db-issuing/index.txt, which `openssl ca
#                     -revoke` marks), signing with the issuing CA's key (RFC
#                     6960 4.2.2.2: the CA itself may sign), nextUpdate 1 day.
#                     openssl ocsp binds a port on every address (its -port
#                     takes no address): port 18000 + the prefix's second
#                     octet (revoke_port: 18078 for 127.78), a port
#                     per lab prefix so two labs do not meet; only nginx
#                     talks to it.
#   ocspdown.contoso.test  @NET@.3.11: nothing listens (scenario tls-ocspdown)
#
# Revocation faults (pki_fault hands them to revoke_fault), each on the
# access edge certificate of its TLS scenario (the listener "access"):
#   cdpinternal  CDP http://ca01.corp.cdpinternal.test/...: a name outside
#                the public zone, as an AD CS CA's default HTTP CDP names the
#                CA server itself (Microsoft Learn, "Configure the CDP and AIA
#                Extensions on CA1")
#   cdpldap      CDP ldap:///CN=... only, AD CS's default first CDP: only
#                domain members can read it
#   crlexpired   CDP http://pki.contoso.test/expired.crl, nextUpdate passed
#   revoked      revoked (keyCompromise) in the issuing CA's database: the
#                CRL lists it; CDP only, no OCSP URL
#   ocsprevoked  revoked, OCSP URL only (no CDP): the responder says revoked
#   ocspdown     OCSP http://ocspdown.contoso.test/ocsp, where nothing listens

REVOKE_ADDR=$NET.3.10
REVOKE_DOWN_ADDR=$NET.3.11
revoke_port() { printf %s $((18000 + 10#${NET#127.})); }
REVOKE_REVOKED=() # certificates to revoke before the CRLs are made

revoke_dir() { printf '%s/pki/pub' "$LAB_DIR"; }

# revoke_fault CERT FAULT CN SAN-NAME...: the certificate of a revocation fault.
revoke_fault() {
    local cert=$1 fault=$2 cn=$3
    shift 3
    case $fault in
    cdpinternal) pki_leaf -e leaf_cdpinternal_ext "$cert" "$cn" "$@" ;;
    cdpldap) pki_leaf -e leaf_cdpldap_ext "$cert" "$cn" "$@" ;;
    crlexpired) pki_leaf -e leaf_crlexpired_ext "$cert" "$cn" "$@" ;;
    revoked)
        pki_leaf -e leaf_crlonly_ext "$cert" "$cn" "$@"
        REVOKE_REVOKED+=("$cert")
        ;;
    ocsprevoked)
        pki_leaf -e leaf_no_crl_ext "$cert" "$cn" "$@"
        REVOKE_REVOKED+=("$cert")
        ;;
    ocspdown) pki_leaf -e leaf_ocspdown_ext "$cert" "$cn" "$@" ;;
    *) die "unknown TLS fault '$fault'" ;;
    esac
}

# revoke_crl CA-DB CA-NAME OUT [OPENSSL-OPTS...]: a DER CRL of a CA database.
revoke_crl() {
    local dir db=$1 ca=$2 out=$3
    shift 3
    dir=$(pki_dir)
    LAB_CA_DIR=$dir/db-$db ossl ca -batch -config "$PKI_CNF" -gencrl -cert "$dir/$ca.pem" \
        -keyfile "$dir/$ca.key" -md sha256 -out "$dir/$ca-$out.pem" "$@"
    ossl crl -in "$dir/$ca-$out.pem" -outform DER -out "$(revoke_dir)/$out"
}

revoke_generate() { # after tls_plan: every certificate is issued
    local dir pub cert
    dir=$(pki_dir)
    pub=$(revoke_dir)
    mkdir -p "$pub"
    for cert in "${REVOKE_REVOKED[@]}"; do
        LAB_CA_DIR=$dir/db-issuing ossl ca -batch -config "$PKI_CNF" -cert "$dir/issuing.pem" \
            -keyfile "$dir/issuing.key" -revoke "$dir/$cert.crt" -crl_reason keyCompromise
    done
    revoke_crl issuing issuing issuing.crl -crldays 7
    revoke_crl root root root.crl -crldays 30
    # Issued 10 days ago, due 3 days ago (openssl ca -crl_lastupdate/-crl_nextupdate).
    revoke_crl issuing issuing expired.crl -crl_lastupdate "$(pki_date $((-10 * DAY)))" \
        -crl_nextupdate "$(pki_date $((-3 * DAY)))"
    ossl x509 -in "$dir/issuing.pem" -outform DER -out "$pub/issuing.crt"
    ossl x509 -in "$dir/root.pem" -outform DER -out "$pub/root.crt"
}

revoke_cmd() { # one word a line; kill_strays matches it joined by spaces
    local dir
    dir=$(pki_dir)
    printf '%s\n' openssl ocsp -index "$dir/db-issuing/index.txt" -port "$(revoke_port)" \
        -CA "$dir/issuing.pem" -rsigner "$dir/issuing.pem" -rkey "$dir/issuing.key" \
        -rmd sha256 -ndays 1 -ignore_err
}

revoke_start() {
    local cmd=()
    mapfile -t cmd < <(revoke_cmd)
    kill_strays "${cmd[*]}"
    svc_spawn revoke "$(pki_dir)/ocsp.log" "${cmd[@]}"
}

# A real OCSP query through nginx, as a client makes it: the healthy edge
# certificate must be "good".
revoke_answers() {
    local dir out
    dir=$(pki_dir)
    out=$(timeout 5 openssl ocsp -issuer "$dir/issuing.pem" -cert "$dir/healthy-edge.crt" \
        -url "http://$REVOKE_ADDR/ocsp" -header Host=pki.contoso.test -CAfile "$dir/root.pem" \
        -timeout 3 2>&1) || return 1
    [[ $out == *": good"* ]]
}

revoke_wait() {
    svc_wait revoke 10 revoke_answers || {
        log "revoke: no good OCSP answer for healthy-edge through http://$REVOKE_ADDR/ocsp"
        return 1
    }
}

revoke_log() { tail -n 40 "$(pki_dir)/ocsp.log" 2>/dev/null || true; }

revoke_stop() {
    local cmd=()
    svc_kill revoke
    mapfile -t cmd < <(revoke_cmd)
    kill_strays "${cmd[*]}"
}

# The nginx http server of pki.contoso.test (nginx_generate prints it).
revoke_nginx_server() {
    cat <<EOF

    server {
        listen $REVOKE_ADDR:80;
        server_name pki.contoso.test;
        root $(revoke_dir);
        types { application/pkix-crl crl; application/pkix-cert crt; }
        # RFC 6960 A.1: OCSP over HTTP, POST with application/ocsp-request.
        location = /ocsp { proxy_pass http://127.0.0.1:$(revoke_port); }
        location / { try_files \$uri =404; }
    }
EOF
}
