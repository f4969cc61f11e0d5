/* SPDX-License-Identifier: MIT */
/* lynccheck - the fix for each check kind (see fixes.h).
 *
 * Sources are the references the probes cite (Microsoft Learn: "Edge Server
 * environmental requirements in Skype for Business Server", "Advanced Edge
 * Server DNS planning for Skype for Business Server", "Certificate
 * requirements for external user access in Lync Server 2013", "Configuration
 * requirements for reverse proxy in Lync Server 2013", "Verify access through
 * your reverse proxy in Lync Server 2013"). Advice is
 * what to change and where, not a restatement of the requirement: the
 * report shows the requirement beside it. */
#include "fixes.h"

#include <string.h>

struct lc_fix {
    const char *probe;
    const char *what; /* NULL: the probe's general advice */
    const char *fix;
};

/* Reverse proxy publishing rule for a virtual directory that must answer
 * with Lync's own challenge. */
#define LC_FIX_RP_401(dir)                                                                         \
    "Publish " dir " on the reverse proxy to the external web site (HTTPS 4443) with "             \
    "pass-through authentication: no pre-authentication on the proxy, the original Host header "   \
    "kept and Lync's WWW-Authenticate challenges (Negotiate/NTLM) passed back unchanged."
#define LC_FIX_RP_MEX(dir)                                                                         \
    "Publish " dir " on the reverse proxy and make it pass the original Host header: the WCF "     \
    "metadata builds its endpoint addresses from the Host it receives, and an internal name "      \
    "there "                                                                                       \
    "means the proxy rewrote it."

static const struct lc_fix lc_fixes[] = {
    /* ---- dns ---- */
    {"dns", "a",
     "Publish an A record for this name in the external DNS zone, pointing at the public address "
     "of its Edge external interface or reverse proxy listener (never an internal address)."},
    {"dns", "srv",
     "Publish the SRV record in the external zone: _sip._tls.<domain> 0 0 443 <access edge> for "
     "clients, _sipfederationtls._tcp.<domain> 0 0 5061 <access edge> for federation (and "
     "_xmpp-server._tcp.<domain> 0 0 5269 <access edge> with XMPP); the target must be a name in "
     "the SIP domain."},
    {"dns", "srv-target",
     "Make the SRV record's target resolve externally to the Access Edge's public address: fix "
     "the target's A record, or point the SRV record at the access edge FQDN. Without "
     "--access-edge the edge name is taken from _sip._tls.<domain>: point it at sip.<domain> or "
     "the access edge FQDN in the SIP domain, and give --access-edge to compare."},
    {"dns", "edge-address",
     "Point sip.<domain> at the Access Edge's public address (an A record, or a CNAME to the "
     "access edge FQDN): clients fall back to it when the SRV lookup fails."},
    {"dns", "internal-leak",
     "Remove lyncdiscoverinternal.<domain> from the external zone: it belongs in internal DNS "
     "only, and from outside it sends mobile clients to an internal name."},
    {"dns", "lyncdiscover-cname",
     "Replace the cross-domain CNAME with an A record for lyncdiscover.<domain> pointing at the "
     "reverse proxy, or publish HTTP port 80 for lyncdiscover on the reverse proxy so mobile "
     "clients can follow it."},
    {"dns", NULL,
     "Correct the record in the external (public) DNS zone of the SIP domain; internal names and "
     "addresses belong in internal DNS only."},
    /* ---- port ---- */
    {"port", "tcp",
     "Open this TCP port on the external firewall to the role's public address (and NAT it to "
     "the right Edge interface or reverse proxy listener); check the service behind it is "
     "running."},
    {"port", "tcp-range",
     "Allow TCP 50000-59999 between the internet and the A/V Edge external address on the "
     "firewall: a filtered media port breaks audio and video relay."},
    {"port", "udp-range",
     "Allow UDP 50000-59999 between the internet and the A/V Edge external address on the "
     "firewall; closed ports answer with ICMP unreachable, filtered ones stay silent."},
    {"port", NULL,
     "Open the port on the external firewall to the role's public address and check the service "
     "behind it is running."},
    /* ---- sip ---- */
    {"sip", "register",
     "Publish TCP 443 and 5061 directly to the Access Edge and start it; a 403 or 504's "
     "ms-diagnostics names what it refused. Kerberos only: allow NTLM and certificates for remote "
     "users (Set-CsProxyConfiguration -UseNtlmForClientToProxyAuth $true "
     "-UseCertificateForClientToProxyAuth $true). A 200 without credentials is not a Lync Edge."},
    {"sip", "options",
     "Let SIP over TLS reach the Access Edge on this port unaltered (no TLS inspection or "
     "HTTP-only load balancing in front of it) and check the Access Edge service is running."},
    {"sip", NULL,
     "Publish the port directly to the Access Edge external interface and check the Access Edge "
     "service is running."},
    /* ---- stun ---- */
    {"stun", "turn",
     "Allow UDP 3478 from the internet to the A/V Edge external address and check the A/V "
     "Authentication and A/V Edge services run; behind NAT, set its public IP in Topology "
     "Builder. An Allocate granted without credentials (an open relay) is not the A/V Edge "
     "answering: send the port to it."},
    {"stun", "pseudo-tls",
     "Publish TCP 443 directly to the A/V Edge external address, without SSL offloading or "
     "inspection: it carries MS-TURN over pseudo-TLS, which a TLS-terminating device breaks."},
    {"stun", NULL,
     "Publish the A/V Edge media ports (UDP 3478, TCP 443) directly to the A/V Edge external "
     "address and check the A/V Edge service is running."},
    /* ---- tls ---- */
    {"tls", "handshake",
     "Make the listener complete a TLS handshake with a certificate assigned to it "
     "(Set-CsCertificate on the Edge, the listener's certificate on the reverse proxy), TLS 1.2 "
     "enabled, and nothing in front of it (firewall, load balancer) cutting the connection."},
    {"tls", "no-sni",
     "Bind the certificate to the listener's IP and port, not only to the host name, so clients "
     "and partners that send no SNI get the right certificate."},
    {"tls", "name",
     "Reissue the certificate presented for this name with the name in its Subject Alternative "
     "Names (a wildcard covers only the simple URLs and lyncdiscover on the reverse proxy)."},
    {"tls", "consistency",
     "Assign the same certificate to every member of the pool and, on the Access Edge, to both "
     "443 and 5061 (Set-CsCertificate -Type AccessEdgeExternal,DataEdgeExternal,"
     "AudioVideoAuthentication), then restart the Edge services."},
    {"tls", "san",
     "Request a certificate from a public CA whose SAN list holds every missing name shown "
     "(Edge: access edge, webconf, sip.<domain> per SIP domain; reverse proxy: external web, "
     "Director, meet, dialin, Office Web Apps, lyncdiscover.<domain>) and assign it."},
    {"tls", "chain",
     "Use a certificate from a public CA that clients and federation partners trust, and install "
     "its intermediate certificates on the server so the full chain is sent in the handshake."},
    {"tls", "validity",
     "Renew the certificate before it expires (or correct the server clock if it is not yet "
     "valid) and assign the new one on every server that presents it."},
    {"tls", "intermediates",
     "Replace the expired or not yet valid intermediate certificates in the server's certificate "
     "store with the CA's current ones."},
    {"tls", "key", "Reissue the certificate with an RSA key of at least 2048 bits."},
    {"tls", "signature",
     "Reissue the certificate signed with SHA-256 and RSA PKCS#1 v1.5: Lync does not support "
     "RSASSA-PSS signatures."},
    {"tls", "eku",
     "Reissue the certificate with the Server Authentication EKU (and Client Authentication on "
     "the Edge where federation partners use mutual TLS)."},
    {"tls", "crl",
     "Use a certificate whose CRL distribution point is published on the internet: clients check "
     "revocation and refuse certificates whose CRL they cannot fetch."},
    {"tls", "subject",
     "Reissue the Edge certificate with the access edge FQDN as its subject name, not a "
     "wildcard."},
    {"tls", NULL,
     "Assign a publicly trusted certificate that carries every name this listener serves."},
    /* ---- revocation ---- */
    {"revocation", "crl",
     "Publish the issuing CA's CRL at an http:// URL whose host resolves publicly (not ldap://, "
     "not an internal CA server name), republish it before nextUpdate, and reissue a revoked "
     "certificate; reissue certificates whose CRL distribution points name only internal URLs."},
    {"revocation", "ocsp",
     "Publish the CA's OCSP responder (Online Responder) at the AIA URL from the internet, signed "
     "by the issuing CA or a delegated OCSP signing certificate, with current responses; reissue "
     "a revoked certificate."},
    {"revocation", NULL,
     "Publish the CA's CRLs and OCSP responder on the internet over HTTP, as the certificates "
     "name them, and keep them current."},
    /* ---- xmpp ---- */
    {"xmpp", "stream",
     "Publish TCP 5269 to the Access Edge, enable XMPP federation (the XMPP Gateway of Skype for "
     "Business Server 2015) and publish _xmpp-server._tcp.<domain> in external DNS."},
    {"xmpp", NULL, "Publish TCP 5269 to the Access Edge and enable XMPP federation."},
    /* ---- web (the reverse proxy walk) ---- */
    {"web", "discover",
     "Publish lyncdiscover.<domain> on the reverse proxy over HTTPS to the external web site of "
     "the Director or Front End pool (4443), keeping the Host header: it must return the "
     "autodiscover JSON."},
    {"web", "discover-xml",
     "Forward the Accept header unchanged through the reverse proxy: autodiscover must also "
     "answer the XML form (AutodiscoverResponse) desktop clients ask for."},
    {"web", "discover-http",
     "Publish HTTP port 80 for lyncdiscover.<domain> on the reverse proxy, forwarded to the "
     "external web site's port 8080: mobile clients start autodiscover over HTTP."},
    {"web", "links",
     "Make every host the autodiscover links name resolve externally and sit on the reverse proxy "
     "certificate: set the external web services FQDN in Topology Builder and publish it."},
    {"web", "user", LC_FIX_RP_401("/Autodiscover/")},
    {"web", "webticket", LC_FIX_RP_401("/WebTicket/")},
    {"web", "webticket-mex", LC_FIX_RP_MEX("/WebTicket/")},
    {"web", "certprov", LC_FIX_RP_401("/CertProv/")},
    {"web", "certprov-mex", LC_FIX_RP_MEX("/CertProv/")},
    {"web", "abs", LC_FIX_RP_401("/abs/ (address book)")},
    {"web", "groupexpansion", LC_FIX_RP_401("/groupexpansion/")},
    {"web", "rgs", LC_FIX_RP_401("/RgsClients/ (response groups)")},
    {"web", "ucdevice", LC_FIX_RP_401("/RequestHandlerExt/ (IP phones)")},
    {"web", "mcx", LC_FIX_RP_401("/mcx/ (Lync 2010 mobile clients)")},
    {"web", "ucwa",
     "Publish /ucwa/ on the reverse proxy to the external web site without pre-authentication "
     "and with a request timeout above 900 s (the UCWA long poll); it must answer 401 with the "
     "MsRtcOAuth challenge."},
    {"web", "xframe",
     "Publish /Autodiscover/ on the reverse proxy to the external web site: "
     "/Autodiscover/XFrame/XFrame.html must load anonymously."},
    {"web", "oauthtoken",
     "Publish /WebTicket/oauthtoken on the reverse proxy without pre-authentication: mobile and "
     "web clients obtain their OAuth token there."},
    {"web", "internal-dirs",
     "Block /cscp and /OcsPowerShell on the reverse proxy (publish only the paths Lync needs "
     "externally): the management directories must not answer from the internet."},
    {"web", "scheduler",
     "Publish /scheduler/ on the reverse proxy to the external web site, keeping the Host "
     "header: the Web Scheduler page must load, not the proxy's default site."},
    {"web", "meet",
     "Add a rule for the meet simple URL host on the reverse proxy that forwards it, with its "
     "original Host header, to the Lync external web site (HTTPS 4443), and put the name on the "
     "proxy's certificate: /meet/ must load the Lync / Skype for Business Web App page "
     "anonymously, not the proxy's default site or a parking page."},
    {"web", "dialin",
     "Add a rule for the dialin simple URL host on the reverse proxy that forwards it, with its "
     "original Host header, to the Lync external web site (HTTPS 4443), and put the name on the "
     "proxy's certificate: /dialin/ must load the Dial-in Conferencing Settings page "
     "anonymously, not the proxy's default site."},
    {"signin", "webticket",
     "Publish /WebTicket/ on the reverse proxy with pass-through authentication: no "
     "pre-authentication, the original Host header, the client's Authorization header and "
     "Lync's NTLM challenges passed unchanged, one server connection per client connection "
     "(NTLM authenticates the connection); and check the user's account and password."},
    {"signin", "certprov",
     "Publish /CertProv/ on the reverse proxy with pass-through authentication and keep "
     "certificate provisioning on for the pool: the user certificate comes from there."},
    {"signin", "fe-ticket",
     "Publish the Front End's /WebTicket/ on the reverse proxy and let the Front End take the "
     "certificates its pool issues (certificate authentication on)."},
    {"signin", "abs",
     "Publish /abs/ on the reverse proxy to the Front End's external web site and check the "
     "Address Book Server produces its daily files."},
    {"signin", NULL,
     "Sign in as this user from outside with a Lync client: each step needs the previous "
     "one; fix the first step that failed (its message names the reverse proxy rule or the "
     "server setting at fault)."},
    {"web", "vdirs",
     "Name the pool's external web services FQDN (--web-external, --director-web-external) so "
     "lynccheck can walk its virtual directories through the reverse proxy."},
    {"web", NULL,
     "Publish this path on the reverse proxy to the Lync external web site (HTTPS 4443), keeping "
     "the Host header and passing Lync's own authentication challenges unchanged."},
};

#define LC_N_FIXES (sizeof(lc_fixes) / sizeof(lc_fixes[0]))

const char *lc_fix_for(const char *probe, const char *what)
{
    const char *general = NULL;
    size_t i;

    if (probe == NULL)
        return NULL;
    for (i = 0; i < LC_N_FIXES; i++) {
        if (strcmp(lc_fixes[i].probe, probe) != 0)
            continue;
        if (lc_fixes[i].what == NULL)
            general = lc_fixes[i].fix;
        else if (what != NULL && strcmp(lc_fixes[i].what, what) == 0)
            return lc_fixes[i].fix;
    }
    return general;
}

/* One cause, one fix: the advice for what the evidence diagnosed, whatever
 * the kind of the checks it broke (a 502 on the XML autodiscover is the
 * backend down, not a header the proxy drops). Sources: "Configuration
 * requirements for the reverse proxy" and "Verify access through your
 * reverse proxy" (Lync Server 2013, Microsoft Learn); RFC 7235 section 3.1
 * (a 401 must carry WWW-Authenticate). */
static const struct {
    const char *diagnosis;
    const char *fix;
} lc_diag_fixes[] = {
    {"backend-down",
     "Bring the backend back or correct the reverse proxy rule's backend: the pool's external web "
     "site (IIS \"Lync Server External Web Site\") must run and listen on 4443 (and 8080 for "
     "HTTP), the rule must bridge 443 to 4443 and 80 to 8080 to the pool's external web services "
     "FQDN, and the proxy must trust the certificate that site presents."},
    {"unpublished",
     "Publish the whole external web site on the reverse proxy: one rule per external web "
     "services FQDN forwarding /* (every path) to the pool on 4443, not a list of paths."},
    {"no-challenge",
     "Stop the reverse proxy stripping WWW-Authenticate: publish the site with pass-through "
     "authentication (no authentication delegation) and check Windows authentication is enabled "
     "on the pool's external web site."},
    {"preauth",
     "Turn off pre-authentication on the reverse proxy rule for the Lync external web site (no "
     "forms, Basic or other proxy sign-in): Lync clients answer Lync's own challenges only."},
    {"wrong-site",
     "Add a reverse proxy rule for this host name that forwards it, with its original Host "
     "header, to the Lync external web site (HTTPS 4443), ahead of the proxy's default site."},
    {"cert-names",
     "Reissue the certificate with every missing name in its Subject Alternative Names and "
     "assign it on every listener that presents it (the names are listed in the evidence)."},
    {"cert-expired",
     "Renew the certificate (or correct the server clock when it is not yet valid) and assign the "
     "new one on every listener that presents it."},
    {"port-filtered",
     "Allow the port on the external firewall to the role's public address and NAT it to the "
     "right Edge interface or reverse proxy listener: nothing answers, the packets are dropped."},
    {"certprov-unpublished",
     "Publish /CertProv/ on the reverse proxy to the pool's external web site (the whole site, "
     "every path) and check the Certificate Provisioning Service runs on the pool: clients get "
     "their user certificate there ([MS-OCAUTHWS] 3.1)."},
    {"certprov-disabled",
     "Turn certificate authentication back on for the pool's web services "
     "(Set-CsWebServiceConfiguration -UseCertificateAuth $true) and check the key sizes it "
     "takes (MinCSRKeySize, MaxCSRKeySize: clients ask for 2048-bit RSA) and that the pool can "
     "sign user certificates."},
    {"certprov-ticket-refused",
     "Check the reverse proxy passes the SOAP request to CertProv unchanged (no pre-"
     "authentication, no header or body rewriting) and that the Director and the pool trust "
     "each other's web tickets (same pool's certificate, clocks in sync)."},
    {"fe-ticket-refused",
     "Let the Front End take the certificates its pool issues: Set-CsWebServiceConfiguration "
     "-UseCertificateAuth $true for its site, the issuing pool trusted (TrustedCACerts), and "
     "the reverse proxy passing /WebTicket/ and /abs/ to the Front End unchanged."},
    {"credentials-rejected",
     "Check the user's account: the password, that it is not locked out, disabled or expired, "
     "and the user name form (UPN or DOMAIN\\user) the domain accepts. The reverse proxy passed "
     "NTLM through: the server judged the credentials."},
    {"host-rewritten",
     "Make the reverse proxy rule pass the original Host header to the Lync external web site: "
     "the web services build their endpoint addresses from the Host they receive."},
    {"port-closed",
     "Start the service that must listen on this address and port (the Edge or reverse proxy "
     "listener), or correct the NAT rule: the host answers but nothing listens."},
    /* signin.register ([MS-SIPAE]; Microsoft Learn: "User and client
     * authentication for Skype for Business Server", "Enable or disable
     * remote user access in Lync Server 2013"). */
    {"sipae-credentials-rejected",
     "Check the user's account in Active Directory: the password, that it is not locked out, "
     "disabled or expired, and that the user signs in with the UPN the domain accepts. The Access "
     "Edge passed NTLM to the pool: the pool judged the credentials."},
    {"sipae-remote-access-disabled",
     "Let the user connect from outside: an external access policy with EnableOutsideAccess "
     "$true assigned to the user (Set-CsExternalAccessPolicy / Grant-CsExternalAccessPolicy), "
     "and remote user access enabled for the organization (Set-CsAccessEdgeConfiguration "
     "-AllowOutsideUsers $true)."},
    {"sipae-ntlm-not-offered",
     "Offer NTLM to external users: the proxy configuration of the Edge and of the pool must "
     "allow NTLM (Set-CsProxyConfiguration -UseNtlmForClientToProxyAuth $true, not Kerberos "
     "only), and nothing between client and Access Edge may strip the WWW-Authenticate NTLM "
     "challenge."},
    {"sipae-ntlm-broken",
     "The pool's NTLM answer is unusable: check that nothing between client and pool rewrites the "
     "SIP headers (a SIP-aware firewall or load balancer must pass WWW-Authenticate and "
     "Authorization unchanged) and that the pool's servers are patched."},
    {"sipae-signature-invalid",
     "The registrar's answers are not signed with the session's key: something between client "
     "and pool alters SIP messages (a SIP-aware proxy or ALG: disable it for the Access Edge) or "
     "answers in the pool's place."},
};

const char *lc_fix_for_diagnosis(const char *diagnosis)
{
    size_t i;

    if (diagnosis == NULL)
        return NULL;
    for (i = 0; i < sizeof(lc_diag_fixes) / sizeof(lc_diag_fixes[0]); i++)
        if (strcmp(lc_diag_fixes[i].diagnosis, diagnosis) == 0)
            return lc_diag_fixes[i].fix;
    return NULL;
}

int lc_fix_kind(size_t i, const char **probe, const char **what)
{
    size_t k, seen = 0;

    for (k = 0; k < LC_N_FIXES; k++) {
        if (lc_fixes[k].what == NULL)
            continue;
        if (seen++ == i) {
            *probe = lc_fixes[k].probe;
            *what = lc_fixes[k].what;
            return 0;
        }
    }
    return -1;
}
