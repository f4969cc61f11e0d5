# sipae.sh - the lab's Access Edge for SIP sign-in with NTLM ([MS-SIPAE]),
# sourced by lab.sh (service "sipae": sipae_generate, sipae_start,
# sipae_wait, sipae_log, sipae_stop).
#
# sipae-registrar.py (Python's ssl, impacket's NTLM) answers REGISTER over
# TLS as a Lync pool does through the Access Edge: 401 NTLM, 401 with the
# connectionless CHALLENGE in gssapi-data, the AUTHENTICATE and the client's
# signature verified, 200 OK signed (Authentication-Info rspauth), the
# unREGISTER (Expires: 0) verified and answered 200; see its header for the
# spec sections. It listens on the access edge addresses of the sign-in
# deployments (WEB_SCENARIOS faults signin*, their block_zone names
# access.<d> at .10 and .20), port 443, where nothing else listens:
#   <block>.10:443 .20:443   the Access Edge, targetname fe01.corp.<d>
# and, in signin.test's block (web-signin, 61) only:
#   .22:443                  an Access Edge whose pool redirects: "301
#                            Redirect request to Home Server", Contact
#                            <sip:<block>.21:5061;transport=tls>
#                            (signin-register-redirect pins access.signin.test
#                            here)
#   .21:5061                 the home pool, pool01.corp.signin.test
#   .23:443                  its 2xx signature (rspauth) is not the session's
#                            (signin-register-badsig)
#   .24:443                  never answers the AUTHENTICATE
#                            (signin-register-silent)
# Users: <state>/sipae/users (DOMAIN:USER:PASSWORD, gss-ntlmssp's
# NTLM_USER_FILE format): lab.user@<d> of every sign-in domain with the lab
# password (<state>/web-password), and remote.off@signin.test with the same
# password, whom the registrar refuses 403 with ms-diagnostics (not enabled
# for remote access). The certificate is the registrar's own, self-signed
# (lynccheck records the edge's certificate but the tls probe judges it, not
# signin.register). The log: <state>/sipae/registrar.log, one line per
# answer: date time listen-addr status event user cseq (event: challenge,
# negotiate, auth-failed, bad-signature, no-remote, redirected, registered,
# unregistered).

sipae_dir() { printf '%s/sipae' "$LAB_DIR"; }

sipae_listeners() { # one LISTEN spec a line (sipae-registrar.py's usage)
    local name d block fault p
    while read -r name d block fault; do
        [[ $fault == signin* ]] || continue
        p=$NET.$block
        printf '%s:443:fe01.corp.%s\n' "$p.10" "$d"
        printf '%s:443:fe01.corp.%s\n' "$p.20" "$d"
        if [[ $fault == signin ]]; then
            printf '%s:443:dir01.corp.%s:redirect=%s:5061\n' "$p.22" "$d" "$p.21"
            printf '%s:5061:pool01.corp.%s\n' "$p.21" "$d"
            printf '%s:443:fe01.corp.%s:badsig\n' "$p.23" "$d"
            printf '%s:443:fe01.corp.%s:mute\n' "$p.24" "$d"
        fi
    done < <(web_scenarios)
}

sipae_cmd() { # one word a line; kill_strays matches it joined by spaces
    local dir
    dir=$(sipae_dir)
    printf '%s\n' /usr/bin/python3 "$LAB_SRC/sipae-registrar.py" "$dir/registrar.crt" \
        "$dir/registrar.key" "$dir/users" "$dir/registrar.log" --no-remote remote.off@signin.test
    sipae_listeners
}

sipae_generate() { # after nginx_generate (the lab password)
    local dir pw name d block fault names=()
    dir=$(sipae_dir)
    mkdir -p "$dir"
    pw=$(head -n 1 "$(web_password_file)")
    : >"$dir/users.new"
    chmod 600 "$dir/users.new"
    while read -r name d block fault; do
        [[ $fault == signin* ]] || continue
        printf 'LAB:lab.user@%s:%s\n' "$d" "$pw" >>"$dir/users.new"
        names+=("DNS:access.$d")
    done < <(web_scenarios)
    printf 'LAB:remote.off@signin.test:%s\n' "$pw" >>"$dir/users.new"
    mv "$dir/users.new" "$dir/users"
    local IFS=,
    ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj "/CN=access.signin.test" -addext "subjectAltName=${names[*]}" \
        -keyout "$dir/registrar.key" -out "$dir/registrar.crt" ||
        die "sipae: cannot make the registrar's certificate"
    : >"$dir/registrar.log"
}

sipae_start() {
    local cmd=()
    mapfile -t cmd < <(sipae_cmd)
    kill_strays "${cmd[*]}"
    svc_spawn sipae "$(sipae_dir)/registrar.out" "${cmd[@]}"
}

sipae_ready() { grep -qx ready "$(sipae_dir)/registrar.log" 2>/dev/null; }

sipae_wait() { svc_wait sipae 15 sipae_ready; }

sipae_log() {
    tail -n 20 "$(sipae_dir)/registrar.out" 2>/dev/null || true
    tail -n 20 "$(sipae_dir)/registrar.log" 2>/dev/null || true
}

sipae_stop() {
    local cmd=()
    svc_kill sipae
    if [[ -d $(sipae_dir) ]]; then
        mapfile -t cmd < <(sipae_cmd)
        kill_strays "${cmd[*]}"
    fi
}
