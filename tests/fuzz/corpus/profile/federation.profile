# lynccheck profile: federation
# What a federation partner (and push notifications) needs from this
# deployment's Access Edge: the federation SRV record, SIP/MTLS on 5061 with
# a certificate carrying the SRV target, XMPP on 5269 where XMPP federation
# is used. Sources (Microsoft Learn):
# Planning for Lync Server 2013 and Office Communications Server federation,
# https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-planning-for-lync-server-and-office-communications-server-federation
# Planning for SIP, XMPP federation, and public instant messaging in Lync Server 2013,
# https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-planning-for-sip-xmpp-federation-and-public-instant-messaging
# Certificate requirements for external user access in Lync Server 2013,
# https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-certificate-requirements-for-external-user-access

[profile]
description = federation partners: _sipfederationtls._tcp, XMPP SRV, access edge 5061 and 5269
probes = dns, tls, port, sip, xmpp, revocation

[dns]
a-records = access-edge, sip
srv = federation, xmpp
srv-targets = yes
edge-addresses = yes
internal-leak = no
lyncdiscover-cname = no

[tls]
listeners = access-edge-federation
no-sni = yes

[port]
tcp = access-edge:5061, access-edge:5269@xmpp

[sip]
ports = 5061
methods = register, options

[xmpp]

[revocation]
# Partners' Edges check revocation of the access edge certificate on 5061:
# its CRL distribution points and OCSP responder, reachable from outside.
