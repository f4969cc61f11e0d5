/* SPDX-License-Identifier: MIT */
/* lynccheck - the public documents the checks' references cite, each as
 * "title, address", so that a report's reader can open the page a verdict
 * rests on. One place for the titles and addresses: the probes' REF_
 * macros concatenate these. Open Specifications are cited by name and
 * section ([MS-SIPAE] 3.3.5.1); their home is
 * https://learn.microsoft.com/en-us/openspecs/office_protocols/ (ms-sipae,
 * ms-turn, ms-ocdiscws, ms-ocauthws) and, for [MS-NLMP],
 * https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-nlmp/. */
#ifndef LC_REFS_H
#define LC_REFS_H

/* Skype for Business Server planning (covers Lync Server 2013 too). */
#define LC_DOC_SFB "https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/"
/* Lync Server 2013 documentation (retired to "previous versions"). */
#define LC_DOC_LYNC2013                                                                            \
    "https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/"                 \
    "lync-server-2013-"

#define LC_DOC_EDGE_ENV                                                                            \
    "Edge Server environmental requirements in Skype for Business Server, " LC_DOC_SFB             \
    "edge-server-deployments/edge-environmental-requirements"
#define LC_DOC_ADV_DNS                                                                             \
    "Advanced Edge Server DNS planning for Skype for Business Server, " LC_DOC_SFB                 \
    "network-requirements/advanced-edge-server-dns"
#define LC_DOC_SFB_DNS                                                                             \
    "DNS requirements for Skype for Business Server, " LC_DOC_SFB "network-requirements/dns"
#define LC_DOC_USER_AUTH                                                                           \
    "User and client authentication for Skype for Business Server, " LC_DOC_SFB                    \
    "security/user-and-client-authentication"

#define LC_DOC_RP_DNS                                                                              \
    "Create DNS records for reverse proxy servers in Lync Server 2013, " LC_DOC_LYNC2013           \
    "create-dns-records-for-reverse-proxy-servers"
#define LC_DOC_FEDERATION                                                                          \
    "Planning for Lync Server 2013 and Office Communications Server federation, " LC_DOC_LYNC2013  \
    "planning-for-lync-server-and-office-communications-server-federation"
#define LC_DOC_FED_XMPP                                                                            \
    "Planning for SIP, XMPP federation, and public instant messaging in Lync Server "              \
    "2013, " LC_DOC_LYNC2013 "planning-for-sip-xmpp-federation-and-public-instant-messaging"
#define LC_DOC_MOBILITY                                                                            \
    "Technical requirements for mobility in Lync Server 2013, " LC_DOC_LYNC2013                    \
    "technical-requirements-for-mobility"
#define LC_DOC_EDGE_CERT                                                                           \
    "Certificate requirements for external user access in Lync Server 2013, " LC_DOC_LYNC2013      \
    "certificate-requirements-for-external-user-access"
#define LC_DOC_EDGE_CERT_PLAN                                                                      \
    "Plan for Edge Server certificates in Lync Server 2013, " LC_DOC_LYNC2013                      \
    "plan-for-edge-server-certificates"
#define LC_DOC_RP_CERT                                                                             \
    "Request and configure a certificate for your reverse HTTP proxy in Lync Server "              \
    "2013, " LC_DOC_LYNC2013 "request-and-configure-a-certificate-for-your-reverse-http-proxy"
#define LC_DOC_WILDCARD                                                                            \
    "Wildcard certificate support in Lync Server 2013, " LC_DOC_LYNC2013                           \
    "wildcard-certificate-support"
#define LC_DOC_CERT_INFRA                                                                          \
    "Certificate infrastructure requirements for Lync Server 2013, " LC_DOC_LYNC2013               \
    "certificate-infrastructure-requirements"
#define LC_DOC_RP_CONFIG                                                                           \
    "Configuration requirements for reverse proxy in Lync Server 2013, " LC_DOC_LYNC2013           \
    "configuration-requirements-for-reverse-proxy"
#define LC_DOC_RP_VERIFY                                                                           \
    "Verify access through your reverse proxy in Lync Server 2013, " LC_DOC_LYNC2013               \
    "verify-access-through-your-reverse-proxy"
#define LC_DOC_INTERNAL_PORTS                                                                      \
    "Ports and protocols for internal servers in Lync Server 2013, " LC_DOC_LYNC2013               \
    "ports-and-protocols-for-internal-servers"
#define LC_DOC_SIMPLE_URLS                                                                         \
    "Planning for simple URLs in Lync Server 2013, " LC_DOC_LYNC2013 "planning-for-simple-urls"

#define LC_DOC_UCWA_CREATE                                                                         \
    "UCWA, Create an application, https://learn.microsoft.com/en-us/skype-sdk/ucwa/"               \
    "createanapplication"
#define LC_DOC_CISCO_212383                                                                        \
    "Cisco document 212383, Configure and Troubleshoot DNS and Certificate Requirements on "       \
    "Microsoft Federation via Expressway to Cisco Meeting Server, "                                \
    "https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway/"                \
    "212383-configure-and-troubleshoot-dns-and-certi.html"

#endif
