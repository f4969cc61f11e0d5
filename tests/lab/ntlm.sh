# ntlm.sh - the lab's Web Ticket Service with Windows authentication, sourced
# by lab.sh (service "ntlm": ntlm_generate, ntlm_start, ntlm_wait, ntlm_log,
# ntlm_stop).
#
# The reverse proxies of the deployments of web-signin (WEB_SCENARIOS fault
# "signin", domain signin.test) and of contoso.test ("healthy": web-auth's
# user lab.user@fabrikam.test signs in there) publish
# /WebTicket/WebTicketService.svc/Auth, the Windows authentication endpoint
# the WebTicket metadata names (its WebTicketServiceWinNegotiate port), to
# ntlm-acceptor.py on <signin block>.45 port 8080: an HTTP/1.1
# server that answers as IIS with Integrated Windows authentication does
# (401 Negotiate + NTLM, the NTLM CHALLENGE, the AUTHENTICATE verified with
# impacket's NTLMv2; [MS-NLMP], RFC 4559) and issues a canned web ticket
# for a WS-Trust RequestSecurityToken ([MS-OCAUTHWS] 3.2.4.1.1.2). The
# sign-in deployments (faults signin*: web-signin, signin-strip,
# signin-noprov, signin-ferefuse) also send it the rest of a client's
# sign-in: CertProv's WebTicket_Proof_SHA1, the Front End's
# /WebTicket/WebTicketService.svc/cert (with the client certificate the
# proxy asks for) and the address book files /abs/handler/<F|D>-*.lsabs
# (the acceptor's header says how each is emulated). Every other path,
# /WebTicket/WebTicketService.svc itself too (the web.webticket checks),
# stays with the emulated Director (nginx, lync-web.conf).
#
# Why not Apache httpd + mod_auth_gssapi + gss-ntlmssp (Debian 12): gss-ntlmssp
# 1.2 rejects the 32-byte NTLM NEGOTIATE_MESSAGE (no Version field) that
# libcurl sends ("Failed to decode data"), which IIS accepts; see the
# acceptor's header.
#
# NTLM through the reverse proxy: NTLM authenticates a connection, so the
# proxy must carry the client's requests on one server connection. nginx
# does that for one client at a time with an upstream keepalive pool
# (proxy_http_version 1.1, Connection ""): the idle connection the
# CHALLENGE came on is the one the AUTHENTICATE reuses. It does not pin a
# client to a server connection (nginx Plus's "ntlm" directive does): the
# lab holds because a run signs in once and nothing else goes there. The
# acceptor authenticates one request per handshake (IIS's
# authPersistSingleRequest), so a pooled connection never carries one
# client's authentication to another.
#
# Users: <state>/ntlm/users, DOMAIN:USER:PASSWORD lines (gss-ntlmssp's
# NTLM_USER_FILE format): lab.user@signin.test and lab.user@fabrikam.test
# with the lab password
# (<state>/web-password). <state>/web-password-wrong (mode 600) holds another
# password: web-signin-badpw signs in with it. The acceptor's IIS-like log:
# <state>/ntlm/access.log (date time method path status user).

ntlm_dir() { printf '%s/ntlm' "$LAB_DIR"; }
ntlm_port() { printf 8080; }

ntlm_addr() { # the acceptor's address: host .45 of the signin deployment's block
    local block fault
    while read -r _ _ block fault; do
        if [[ $fault == signin ]]; then
            printf '%s.%s.45' "$NET" "$block"
            return 0
        fi
    done < <(web_scenarios)
    return 1
}

# nginx, http level (nginx_web_maps): the upstream, with a keepalive pool;
# the Authorization header a proxy that strips it on POST passes (the
# signin-strip deployment: NTLM never reaches the server on the IssueToken
# POST, as with a proxy rule that drops credentials on POST).
# shellcheck disable=SC2016 # nginx variables, not the shell's
ntlm_nginx_upstream() {
    printf '    upstream lab_ntlm { server %s:%s max_fails=0; keepalive 4; }\n' \
        "$(ntlm_addr)" "$(ntlm_port)"
    printf '    map $request_method $lab_auth_nopost { POST ""; default $http_authorization; }\n'
}

# nginx, a reverse proxy (nginx_web_rp): the WebTicket service's Windows
# authentication endpoint goes to the acceptor. proxy_set_header is not
# inherited into a location that sets its own: Host and X-Forwarded-For again.
# The sign-in deployments (faults signin*) also ask for a client
# certificate (optional, verified by the service: nginx passes it on) for
# the Front End's /WebTicket/WebTicketService.svc/cert, and send CertProv's
# WebTicket_Proof_SHA1 and the address book files to the acceptor.
# shellcheck disable=SC2016 # nginx variables, not the shell's
ntlm_nginx_location() { # FAULT
    local fault=${1:-none} auth='$http_authorization'
    [[ $fault != signin-strip ]] || auth='$lab_auth_nopost'
    printf '        # The Web Ticket Service with Windows authentication (ntlm.sh).\n'
    printf '        location ~* ^/WebTicket/WebTicketService\\.svc/Auth$ {\n'
    ntlm_nginx_pass "$auth"
    printf '        }\n'
    [[ $fault == signin* ]] || return 0
    printf '        ssl_verify_client optional_no_ca;\n'
    printf '        location ~* ^/WebTicket/WebTicketService\\.svc/cert$ {\n'
    printf '            proxy_set_header X-Lab-Client-Cert $ssl_client_escaped_cert;\n'
    ntlm_nginx_pass "$auth"
    printf '        }\n'
    printf '        location ~* ^/CertProv/CertProvisioningService\\.svc/WebTicket_Proof_SHA1$ {\n'
    ntlm_nginx_pass "$auth"
    printf '        }\n'
    printf '        location ~* ^/abs/handler/[A-Za-z]-[0-9A-Fa-f-]+\\.lsabs$ {\n'
    ntlm_nginx_pass "$auth"
    printf '        }\n'
}

# shellcheck disable=SC2016 # nginx variables, not the shell's
ntlm_nginx_pass() { # AUTHORIZATION-VARIABLE
    printf '            proxy_set_header Host $host;\n'
    printf '            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n'
    printf '            proxy_set_header Connection "";\n'
    printf '            proxy_set_header Authorization %s;\n' "$1"
    printf '            proxy_pass http://lab_ntlm;\n'
}

ntlm_cmd() { # one word a line; kill_strays matches it joined by spaces
    local dir
    dir=$(ntlm_dir)
    printf '%s\n' /usr/bin/python3 "$LAB_SRC/ntlm-acceptor.py" "$(ntlm_addr)" "$(ntlm_port)" \
        "$dir/users" "$dir/access.log" "$(pki_dir)" "$dir/behaviours"
}

ntlm_generate() { # after nginx_generate (the lab password)
    local dir pw
    dir=$(ntlm_dir)
    mkdir -p "$dir"
    pw=$(head -n 1 "$(web_password_file)")
    (umask 077 && printf 'SIGNIN:lab.user@signin.test:%s\nFABRIKAM:lab.user@fabrikam.test:%s\n' \
        "$pw" "$pw" >"$dir/users")
    # The other sign-in deployments: a user each, and the pool setting the
    # acceptor emulates for the domain (signin-noprov: certificate
    # provisioning off; signin-ferefuse: the Front End refuses certificates).
    : >"$dir/behaviours"
    local d fault
    while read -r _ d _ fault; do
        [[ $fault == signin-* ]] || continue
        (umask 077 && printf 'SIGNIN:lab.user@%s:%s\n' "$d" "$pw" >>"$dir/users")
        printf '%s %s\n' "$d" "${fault#signin-}" >>"$dir/behaviours"
    done < <(web_scenarios)
    (umask 077 && printf 'Wrong-%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
        >"$LAB_DIR/web-password-wrong")
    : >"$dir/access.log"
}

ntlm_start() {
    local cmd=()
    mapfile -t cmd < <(ntlm_cmd)
    kill_strays "${cmd[*]}"
    svc_spawn ntlm "$(ntlm_dir)/acceptor.log" "${cmd[@]}"
}

ntlm_answers() { # an anonymous POST answers 401 offering NTLM
    local out
    out=$(timeout 5 curl -s --noproxy '*' -o /dev/null -D - -d x \
        "http://$(ntlm_addr):$(ntlm_port)/WebTicket/WebTicketService.svc/Auth" 2>/dev/null) || return 1
    [[ $out == "HTTP/1.1 401"* && $out == *"WWW-Authenticate: NTLM"* ]]
}

ntlm_wait() { svc_wait ntlm 15 ntlm_answers; }

ntlm_log() {
    tail -n 20 "$(ntlm_dir)/acceptor.log" 2>/dev/null || true
    tail -n 20 "$(ntlm_dir)/access.log" 2>/dev/null || true
}

ntlm_stop() {
    local cmd=()
    svc_kill ntlm
    if [[ -d $(ntlm_dir) ]]; then
        mapfile -t cmd < <(ntlm_cmd)
        kill_strays "${cmd[*]}"
    fi
}
