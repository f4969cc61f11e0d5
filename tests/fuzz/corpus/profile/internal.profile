# lynccheck profile: internal
# The internal servers' ports, per role the site names (--front-end,
# --director, --mediation): Microsoft Learn, "Ports and protocols for
# internal servers in Lync Server 2013" (also the Lync Server 2013 Protocol
# Workloads poster's "Internal Servers" tables),
# https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-ports-and-protocols-for-internal-servers
# Front End: SIP 5061 (TLS/MTLS), 444 (Focus), 135 (DCOM/RPC), 5062 (IM
# conferencing), 8057/8058 (PSOM), 5063 (A/V conferencing), 80/443/8080/4443
# (web), 5064/5072 (conferencing attendant), 5065 (application sharing),
# 5073 (announcement), 5075 (call park), 5076 (audio test), 5071 (response
# group), 5080/448 (bandwidth policy), 5086/5087 (mobility).
# Director: 443, 444, 4443, 5061, 8080 (inferred from the Front End rows: the
# Director runs the same web and SIP front services).
# Mediation: 5070 (from the Front End, MTLS), 5067 (TLS from the gateway), 5068.

[profile]
description = internal servers per role: Front End, Director, Mediation (Lync Server 2013 ports and protocols for internal servers)
probes = port

[port]
tcp = front-end:5061, front-end:444, front-end:135, front-end:5062, front-end:8057
tcp = front-end:8058, front-end:5063, front-end:80, front-end:443, front-end:8080, front-end:4443
tcp = front-end:5064, front-end:5072, front-end:5065, front-end:5073, front-end:5075
tcp = front-end:5076, front-end:5071, front-end:5080, front-end:448, front-end:5086, front-end:5087
tcp = director:443, director:444, director:4443, director:5061, director:8080
tcp = mediation:5070, mediation:5067, mediation:5068
