# lynccheck profile: external
# What a Lync / Skype for Business client or federation partner on the
# internet needs from the deployment: published through the Edge Server and
# the reverse proxy. Sources (Microsoft Learn):
# Planning for external user access in Lync Server 2013,
# https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-planning-for-external-user-access
# Edge Server environmental requirements in Skype for Business Server,
# https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements
# Configuration requirements for reverse proxy in Lync Server 2013,
# https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-configuration-requirements-for-reverse-proxy

[profile]
description = external access from the internet: DNS, certificates, firewall ports, SIP, MS-TURN and XMPP of the Edge, and the web services walk through the reverse proxy
probes = dns, tls, port, sip, stun, xmpp, web, signin, revocation

[dns]
# Every role's external name must resolve (A/AAAA).
a-records = access-edge, webconf-edge, av-edge, sip, lyncdiscover, meet, dialin
a-records = web-external, director-web-external, owa
# _sip._tls (443), _sipfederationtls._tcp (5061), _xmpp-server._tcp (5269, with --xmpp yes).
srv = sip-tls, federation, xmpp
srv-targets = yes
edge-addresses = yes
internal-leak = yes
lyncdiscover-cname = yes

[tls]
# Reverse proxy 443, access edge 443 and 5061, webconf edge 443: every
# address of every name, SAN coverage, chain, expiry, key, EKU, wildcards.
listeners = reverse-proxy, access-edge, access-edge-federation, webconf-edge
no-sni = yes

[port]
# The Edge external interface's port table ("Edge Server environmental
# requirements in Skype for Business Server") and the reverse proxy's
# listeners ("Configuration requirements for reverse proxy in Lync Server
# 2013": 443 bridged to 4443, 80 to 8080): access edge SIP/TLS 443,
# SIP/MTLS 5061, XMPP 5269 (with XMPP federation); webconf PSOM/TLS 443;
# A/V MS-TURN TCP 443; reverse proxy 443 and 80.
tcp = access-edge:443, access-edge:5061, access-edge:5269@xmpp, webconf-edge:443
tcp = av-edge:443, reverse-proxy:443, reverse-proxy:80
# A/V media, TCP and UDP 50000-59999: must pass the firewall (closed is
# fine). UDP is sampled, and a silent UDP port only warns: from outside,
# filtered and open-but-silent look the same.
tcp-range = av-edge:50000-59999
udp-range = av-edge:50000-59999

[sip]
# SIP over TLS on the access edge: REGISTER without credentials must get a
# 401 with challenges ([MS-SIPAE]); OPTIONS must get a SIP answer.
ports = 443, 5061
methods = register, options

[stun]
# A/V edge: MS-TURN Allocate and STUN Binding on UDP 3478 ([MS-TURN]; RFC
# 5389); how TCP 443 answers a ClientHello (pseudo-TLS), as evidence.
checks = turn, pseudo-tls
turn-port = 3478
tls-port = 443
alternate-server = yes

[xmpp]
# With --xmpp yes: a server stream to each SIP domain on 5269 (RFC 6120).

[web]
# The URL sequence a client walks through the reverse proxy (Jeff Schertz,
# "Publishing Lync Director Web Services", with a client's IIS log,
# https://blog.schertz.name/2011/03/publishing-lync-director-web-services/;
# [MS-OCDISCWS]): autodiscover per SIP domain (JSON, XML, HTTP 80), the hosts its links name, the user link's
# OAuth challenge; on every Director and Front End external web FQDN the
# virtual directories a client uses and their mex metadata; the simple URLs.
checks = discover, discover-xml, discover-http, links, user
checks = webticket, webticket-mex, certprov, certprov-mex, abs, groupexpansion, rgs
checks = ucdevice, mcx, ucwa, xframe, oauthtoken, internal-dirs, scheduler, meet, dialin

[signin]
# With --user and the password only: sign in as a client from outside (the
# web ticket with NTLM, [MS-OCAUTHWS]), each step a check of its own.

[revocation]
# Every certificate the external listeners serve: its CRL distribution
# points fetched and judged, its OCSP responder asked (RFC 5280, RFC 6960),
# as a client on the internet would; unreachable fails for the access edge.
