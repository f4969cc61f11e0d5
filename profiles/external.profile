# lynccheck profile: external
# What a Lync / Skype for Business client or federation partner on the
# internet needs from the deployment: published through the Edge Server and
# the reverse proxy. Sources: ../shared/reference/lync-external-access.md.

[profile]
description = external access from the internet: DNS records and certificates of the Edge and reverse proxy
probes = dns, tls

[dns]
# Every role's external name must resolve (A/AAAA).
a-records = access-edge, webconf-edge, av-edge, sip, lyncdiscover, meet, dialin, web-external, director-web-external, owa
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
