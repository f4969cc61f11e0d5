# pki.sh - the certificates of lab-hostile.test (sourced; bash).
# shellcheck shell=bash
#
# hostile_pki DIR NAME...: in DIR, a root CA (root.pem), and leaves signed by it
#   leaf.pem/leaf.key   every NAME as a dNSName (the hostile servers' usual certificate)
#   bigsan.pem          5,000 short dNSNames sN.x (the certificate stays under
#                       OpenSSL's 100 KiB certificate-list limit), then every NAME
#   hugecert.pem        5,000 long dNSNames filler-N.hugecert.invalid, then every
#                       NAME: about 140 KiB, over that limit
#   nul.pem             dNSNames "<NAME>\0.evil.example" (a NUL byte inside) for every
#                       NAME, and nothing else: no name of the site is covered
# (each leaf's key is leaf.key). Quiet unless openssl fails; false then.

hostile_pki() {
    local dir=$1 n hex der name inner cert
    shift
    mkdir -p "$dir" || return 1
    (
        set -e
        cd "$dir"
        openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -days 30 \
            -subj "/O=lynccheck hostile/CN=lynccheck Hostile Root CA" \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
            2>/dev/null
        openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr \
            -subj "/O=lynccheck hostile/CN=hostile-leaf.invalid" 2>/dev/null

        # The usual leaf: every name of the site.
        {
            printf 'basicConstraints = CA:FALSE\nkeyUsage = digitalSignature, keyEncipherment\n'
            printf 'extendedKeyUsage = serverAuth, clientAuth\nsubjectAltName = @alt\n[alt]\n'
            n=0
            for name; do
                n=$((n + 1))
                printf 'DNS.%d = %s\n' "$n" "$name"
            done
        } >leaf.ext
        openssl x509 -req -in leaf.csr -CA root.pem -CAkey root.key -CAcreateserial \
            -days 30 -sha256 -extfile leaf.ext -out leaf.pem 2>/dev/null

        # 5,000 SANs of filler, then the real names.
        for cert in bigsan:s%d.x hugecert:filler-%d.hugecert.invalid; do
            {
                printf 'basicConstraints = CA:FALSE\nkeyUsage = digitalSignature, keyEncipherment\n'
                printf 'extendedKeyUsage = serverAuth, clientAuth\nsubjectAltName = @alt\n[alt]\n'
                for ((n = 1; n <= 5000; n++)); do
                    printf "DNS.%d = ${cert#*:}\n" "$n" "$n"
                done
                for name; do
                    n=$((n + 1))
                    printf 'DNS.%d = %s\n' "$n" "$name"
                done
            } >"${cert%%:*}.ext"
            openssl x509 -req -in leaf.csr -CA root.pem -CAkey root.key -CAcreateserial \
                -days 30 -sha256 -extfile "${cert%%:*}.ext" -out "${cert%%:*}.pem" 2>/dev/null
        done

        # NUL bytes in names: openssl's config cannot spell a NUL, so the
        # subjectAltName is given as DER (x509v3_config(5), "Arbitrary
        # Extensions"): SEQUENCE OF [2] IA5String "<name>\0.evil.example".
        inner=
        for name; do
            hex=$(printf '%s' "$name" | od -An -tx1 | tr -d ' \n')00$(printf '.evil.example' | od -An -tx1 | tr -d ' \n')
            inner+=$(printf '82%02x%s' $((${#hex} / 2)) "$hex")
        done
        n=$((${#inner} / 2))
        if ((n < 128)); then
            der=$(printf '30%02x%s' "$n" "$inner")
        elif ((n < 256)); then
            der=$(printf '3081%02x%s' "$n" "$inner")
        else
            der=$(printf '3082%04x%s' "$n" "$inner")
        fi
        {
            printf 'basicConstraints = CA:FALSE\nkeyUsage = digitalSignature, keyEncipherment\n'
            printf 'extendedKeyUsage = serverAuth, clientAuth\nsubjectAltName = DER:%s\n' "$der"
        } >nul.ext
        openssl x509 -req -in leaf.csr -CA root.pem -CAkey root.key -CAcreateserial \
            -days 30 -sha256 -extfile nul.ext -out nul.pem 2>/dev/null
    )
}
