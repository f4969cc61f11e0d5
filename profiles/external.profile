# lynccheck profile: external
# What a Lync / Skype for Business client or federation partner on the
# internet needs from the deployment: published through the Edge Server and
# the reverse proxy. Sources: ../shared/reference/lync-external-access.md.

[profile]
description = external access from the internet: DNS records of the Edge and reverse proxy
probes = dns

[dns]
# Every role's external name must resolve (A/AAAA).
a-records = access-edge, webconf-edge, av-edge, sip, lyncdiscover, meet, dialin, web-external, director-web-external, owa
# _sip._tls (443), _sipfederationtls._tcp (5061), _xmpp-server._tcp (5269, with --xmpp yes).
srv = sip-tls, federation, xmpp
srv-targets = yes
edge-addresses = yes
internal-leak = yes
lyncdiscover-cname = yes
