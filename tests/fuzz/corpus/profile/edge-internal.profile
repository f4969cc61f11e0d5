# lynccheck profile: edge-internal
# Run from a Front End (or Director) server towards the Edge Server's
# internal interface (--edge-internal FQDN). The internal interface's port
# table of Microsoft Learn, "Edge Server environmental requirements in Skype
# for Business Server" (port and firewall planning),
# https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements
# SIP/MTLS 5061, SIP/MTLS 5062 (A/V authentication), PSOM/MTLS 8057,
# MS-TURN TCP 443, HTTPS 4443 (Central Management store replication), MTLS
# 50001-50003 (centralized logging).
# STUN/MS-TURN UDP 3478 on the internal interface: the stun probe.

[profile]
description = from a Front End to the Edge internal interface: 443, 4443, 5061, 5062, 8057, 50001-50003, MS-TURN UDP 3478
probes = port, stun

[port]
tcp = edge-internal:443, edge-internal:4443, edge-internal:5061, edge-internal:5062
tcp = edge-internal:8057, edge-internal:50001, edge-internal:50002, edge-internal:50003

[stun]
target = edge-internal
checks = turn
# The internal interface advertises no public address to compare.
alternate-server = no
