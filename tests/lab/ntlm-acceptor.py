#!/usr/bin/python3
"""ntlm-acceptor.py - the lab's Web Ticket Service behind Windows authentication.

An HTTP/1.1 server that answers like the IIS "Lync Server External Web Site"
/WebTicket application with Integrated Windows authentication on, as a Lync
client meets it through the reverse proxy:

  - a request without credentials: 401 with "WWW-Authenticate: Negotiate"
    and "WWW-Authenticate: NTLM" (IIS sends each provider in its own field;
    RFC 4559 section 4);
  - "Authorization: NTLM <NEGOTIATE_MESSAGE>": 401 with
    "WWW-Authenticate: NTLM <CHALLENGE_MESSAGE>" ([MS-NLMP] 2.2.1.1,
    2.2.1.2), on the same connection (NTLM is connection-bound);
  - "Authorization: NTLM <AUTHENTICATE_MESSAGE>" ([MS-NLMP] 2.2.1.3): the
    NTLMv2 response is verified ([MS-NLMP] 3.3.2, NTOWFv2 and NTProofStr,
    computed with impacket's NTLM module); a wrong password or an unknown
    user gets 401 with the two offers again, as IIS answers;
  - once authenticated, a POST of a WS-Trust RequestSecurityToken (SOAP 1.2,
    action http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue) gets
    200 and a canned RequestSecurityTokenResponseCollection with a SAML 1.1
    assertion as the web ticket ([MS-OCAUTHWS] 3.2.4.1.1.2); any other body a
    SOAP 1.2 fault with 500, as WCF answers a message it cannot dispatch.

Why not Apache httpd with mod_auth_gssapi and gss-ntlmssp: gss-ntlmssp 1.2
(Debian 12) refuses the 32-byte NEGOTIATE_MESSAGE without a Version field
that libcurl sends ("Failed to decode data"), which IIS accepts ([MS-NLMP]
2.2.1.1: Version is present only with NTLMSSP_NEGOTIATE_VERSION). This
acceptor takes both, as IIS does; the NTLM crypto is impacket's.

After the web ticket, the rest of a client's sign-in from outside:

  - POST /CertProv/CertProvisioningService.svc/WebTicket_Proof_SHA1: the
    Certificate Provisioning Service ([MS-OCAUTHWS] 1.3.2, 3.1): a SOAP 1.2
    GetAndPublishCert whose WS-Security header carries a web ticket this
    service issued (its AssertionID) and whose Entity is that ticket's user;
    the PKCS#10 request in its BinarySecurityToken is signed with the lab's
    issuing CA (openssl x509 -req, as tests/lab/lab.sh signs the lab's
    leaves): subject from the request, SAN URI sip:<user>, client
    authentication; the answer a GetAndPublishCertResponse whose
    BinarySecurityToken is a PKCS#7 bundle (the certificate and the issuing
    CA). A pool with certificate provisioning off (Host in a domain listed
    "noprov" in the behaviours file) answers a SOAP fault with 500, as WCF
    answers a service that refuses the operation.
  - POST /WebTicket/WebTicketService.svc/cert: the Web Ticket Service with
    certificate authentication ([MS-OCAUTHWS] 3.2, certificate signed by the
    pool): SOAP Message Security 1.1 with an X.509 token ([WSS],
    [WSSX509TP]): the BinarySecurityToken must be a certificate this service
    issued, the Timestamp current, its digest (exclusive C14N by xmllint,
    SHA-1) the signed Reference's, and the SignedInfo's RSA-SHA1 signature
    verify with the certificate's key (openssl); the TLS client certificate
    the reverse proxy passed in X-Lab-Client-Cert (nginx's
    $ssl_client_escaped_cert), when there is one, must be the same
    certificate. Then 200 and a web ticket as above. Otherwise 401 with
    X-Ms-diagnostics, as the Front End refuses a ticket request; a domain
    listed "ferefuse" refuses every certificate.
  - GET /abs/handler/F-XXXX.lsabs, D-XXXX-YYYY.lsabs: the address book files
    ([MS-ABS] 1.3) for a request with a web ticket the /cert endpoint issued
    in X-Ms-WebTicket (opaque=<base64 of the SAML assertion>; [MS-OCAUTHWS]
    1.3.1: the ticket in an HTTP header); 401 without one.

Usage: ntlm-acceptor.py ADDR PORT USERS-FILE LOG-FILE PKI-DIR BEHAVIOURS-FILE
PKI-DIR: the lab CA's files (issuing.pem, issuing.key).
BEHAVIOURS-FILE: "domain behaviour" lines (noprov, ferefuse).
USERS-FILE: DOMAIN:USER:PASSWORD lines (the format of gss-ntlmssp's
NTLM_USER_FILE); a client sending a UPN with no domain matches USER.
LOG-FILE: an IIS-like access log, one line per answer:
  date time method path status user
"""

import base64
import hmac
import os
import re
import socketserver
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, HTTPServer

from impacket import ntlm

# [MS-NLMP] 2.2.2.5 NEGOTIATE flags.
F_UNICODE = 0x00000001
F_OEM = 0x00000002
F_REQUEST_TARGET = 0x00000004
F_NTLM = 0x00000200
F_ALWAYS_SIGN = 0x00008000
F_TARGET_TYPE_DOMAIN = 0x00010000
F_ESS = 0x00080000
F_TARGET_INFO = 0x00800000

DOMAIN = "LAB"
SERVER = "DIR01"
MAX_BODY = 64 * 1024

USERS = []  # (domain, user, password)
LOG = None
PKI = None
BEHAVIOURS = {}  # domain -> set of behaviours
LOCK = threading.Lock()
TICKETS = {}  # AssertionID -> user: the web tickets issued for NTLM
FE_TICKETS = {}  # AssertionID -> user: the web tickets issued for a certificate
CERTS = {}  # DER of a certificate CertProv issued -> user


def load_users(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split(":", 2)
            if len(parts) == 3:
                out.append((parts[0], parts[1], parts[2]))
    return out


def secbuf(msg, off):
    """One security buffer ([MS-NLMP] 2.2.1: Len, MaxLen, Offset) -> bytes."""
    ln, _mx, at = struct.unpack_from("<HHI", msg, off)
    if at + ln > len(msg):
        raise ValueError("security buffer past the message")
    return msg[at : at + ln]


def av_pairs():
    """The TargetInfo of the CHALLENGE ([MS-NLMP] 2.2.2.1)."""
    def av(i, v):
        return struct.pack("<HH", i, len(v)) + v

    ts = struct.pack("<Q", int((time.time() + 11644473600) * 10000000))
    return (
        av(2, DOMAIN.encode("utf-16le"))  # MsvAvNbDomainName
        + av(1, SERVER.encode("utf-16le"))  # MsvAvNbComputerName
        + av(4, "lab.test".encode("utf-16le"))  # MsvAvDnsDomainName
        + av(3, "dir01.lab.test".encode("utf-16le"))  # MsvAvDnsComputerName
        + av(7, ts)  # MsvAvTimestamp
        + av(0, b"")
    )


def make_challenge(neg_flags, server_challenge):
    """CHALLENGE_MESSAGE ([MS-NLMP] 2.2.1.2) answering the client's flags."""
    flags = F_REQUEST_TARGET | F_NTLM | F_ALWAYS_SIGN | F_TARGET_TYPE_DOMAIN | F_TARGET_INFO
    # Unicode when the client can, else OEM ([MS-NLMP] 3.2.5.1.1): this is
    # what makes an OEM-only NEGOTIATE (libcurl's) work.
    if neg_flags & F_UNICODE:
        flags |= F_UNICODE
        target = DOMAIN.encode("utf-16le")
    else:
        flags |= F_OEM
        target = DOMAIN.encode("ascii")
    flags |= neg_flags & F_ESS
    info = av_pairs()
    head = 48
    msg = b"NTLMSSP\x00" + struct.pack("<I", 2)
    msg += struct.pack("<HHI", len(target), len(target), head)
    msg += struct.pack("<I", flags)
    msg += server_challenge
    msg += b"\x00" * 8
    msg += struct.pack("<HHI", len(info), len(info), head + len(target))
    # 48 bytes: no Version field (F_VERSION is not set).
    return msg + target + info


def verify_authenticate(msg, server_challenge):
    """The user name if the AUTHENTICATE_MESSAGE's NTLMv2 response is right
    for one of USERS, else None ([MS-NLMP] 3.3.2)."""
    if len(msg) < 64 or msg[:8] != b"NTLMSSP\x00" or struct.unpack_from("<I", msg, 8)[0] != 3:
        return None
    nt = secbuf(msg, 20)
    dom = secbuf(msg, 28)
    usr = secbuf(msg, 36)
    flags = struct.unpack_from("<I", msg, 60)[0]
    enc = "utf-16le" if flags & F_UNICODE else "latin-1"
    user = usr.decode(enc, "replace")
    domain = dom.decode(enc, "replace")
    if len(nt) <= 24:
        return None  # NTLMv1: refused, as LmCompatibilityLevel 5 does
    proof, temp = nt[:16], nt[16:]
    for d, u, pw in USERS:
        if u.lower() != user.lower():
            continue
        if domain and domain.lower() != d.lower():
            continue
        # NTOWFv2 over what the client sent (user upper-cased, domain as is).
        key = ntlm.NTOWFv2(user, pw, domain)
        want = ntlm.hmac_md5(key, server_challenge + temp)
        if hmac.compare_digest(want, proof):
            return user
    return None


def rstr(user, table=None):
    now = time.gmtime()
    later = time.gmtime(time.time() + 8 * 3600)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    aid = "SamlSecurityToken-" + str(uuid.uuid4())
    with LOCK:
        (TICKETS if table is None else table)[aid] = user
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://www.w3.org/2005/08/addressing">'
        "<s:Header><a:Action s:mustUnderstand=\"1\">"
        "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTRC/IssueFinal</a:Action></s:Header>"
        "<s:Body><trust:RequestSecurityTokenResponseCollection "
        'xmlns:trust="http://docs.oasis-open.org/ws-sx/ws-trust/200512">'
        "<trust:RequestSecurityTokenResponse>"
        "<trust:TokenType>http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1"
        "</trust:TokenType>"
        '<trust:Lifetime><wsu:Created xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/'
        'oasis-200401-wss-wssecurity-utility-1.0.xsd">%s</wsu:Created>'
        '<wsu:Expires xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/'
        'oasis-200401-wss-wssecurity-utility-1.0.xsd">%s</wsu:Expires></trust:Lifetime>'
        "<trust:RequestedSecurityToken>"
        '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" MajorVersion="1" '
        'MinorVersion="1" AssertionID="%s" Issuer="URI:lab-webticket" IssueInstant="%s">'
        '<saml:AuthenticationStatement AuthenticationMethod="urn:ietf:rfc:4559">'
        "<saml:Subject><saml:NameIdentifier>%s</saml:NameIdentifier></saml:Subject>"
        "</saml:AuthenticationStatement></saml:Assertion>"
        "</trust:RequestedSecurityToken>"
        "<trust:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</trust:RequestType>"
        "<trust:KeyType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer</trust:KeyType>"
        "</trust:RequestSecurityTokenResponse></trust:RequestSecurityTokenResponseCollection>"
        "</s:Body></s:Envelope>"
        % (
            time.strftime(fmt, now),
            time.strftime(fmt, later),
            aid,
            time.strftime(fmt, now),
            user.replace("&", "&amp;").replace("<", "&lt;"),
        )
    )


FAULT = (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault>'
    "<s:Code><s:Value>s:Sender</s:Value></s:Code>"
    '<s:Reason><s:Text xml:lang="en-US">The message could not be processed: not a '
    "RequestSecurityToken with the WS-Trust Issue action.</s:Text></s:Reason>"
    "</s:Fault></s:Body></s:Envelope>"
)


SOAP_NS = "http://www.w3.org/2003/05/soap-envelope"


def soap_fault(text):
    return (
        '<s:Envelope xmlns:s="%s"><s:Body><s:Fault>'
        "<s:Code><s:Value>s:Receiver</s:Value></s:Code>"
        '<s:Reason><s:Text xml:lang="en-US">%s</s:Text></s:Reason>'
        "</s:Fault></s:Body></s:Envelope>" % (SOAP_NS, text)
    ).encode()


def local(tag):
    return tag.rsplit("}", 1)[-1]


def find(root, name):
    for e in root.iter():
        if local(e.tag) == name:
            return e
    return None


def ticket_user(root, table):
    """The user of the SAML assertion in the message if this service issued it."""
    a = find(root, "Assertion")
    if a is None:
        return None
    with LOCK:
        return table.get(a.get("AssertionID"))


def sign_csr(csr_der, user):
    """The CSR signed by the lab's issuing CA: (leaf DER, PKCS#7 DER) or None."""
    with tempfile.TemporaryDirectory() as d:
        csr = os.path.join(d, "req.der")
        ext = os.path.join(d, "ext.cnf")
        leaf = os.path.join(d, "leaf.pem")
        p7 = os.path.join(d, "bundle.p7b")
        with open(csr, "wb") as f:
            f.write(csr_der)
        with open(ext, "w", encoding="ascii") as f:
            f.write(
                "[v3]\nbasicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=clientAuth\nsubjectAltName=URI:sip:%s\n" % user
            )
        r = subprocess.run(
            ["openssl", "x509", "-req", "-inform", "DER", "-in", csr, "-CA",
             os.path.join(PKI, "issuing.pem"), "-CAkey", os.path.join(PKI, "issuing.key"),
             "-set_serial", "0x" + os.urandom(8).hex(), "-days", "180", "-sha256",
             "-extfile", ext, "-extensions", "v3", "-out", leaf],
            capture_output=True, timeout=20, check=False)
        if r.returncode != 0:
            return None
        r = subprocess.run(
            ["openssl", "crl2pkcs7", "-nocrl", "-certfile", leaf, "-certfile",
             os.path.join(PKI, "issuing.pem"), "-outform", "DER", "-out", p7],
            capture_output=True, timeout=20, check=False)
        if r.returncode != 0:
            return None
        r = subprocess.run(["openssl", "x509", "-in", leaf, "-outform", "DER"],
                           capture_output=True, timeout=20, check=False)
        with open(p7, "rb") as f:
            return r.stdout, f.read()


DSIG = "http://www.w3.org/2000/09/xmldsig#"


def exc_c14n(elem):
    """Exclusive C14N 1.0 of elem as a document of its own (xmllint): the
    namespaces it uses are declared on it, which is what exclusive C14N of
    the subtree in its envelope outputs too."""
    for p, u in (("wsu", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"),
                 ("wsse", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"),
                 ("ds", DSIG)):
        ET.register_namespace(p, u)
    data = ET.tostring(elem)
    r = subprocess.run(["xmllint", "--exc-c14n", "-"], input=data, capture_output=True,
                       timeout=20, check=False)
    return r.stdout if r.returncode == 0 else None


def wss_user(root):
    """The user of a certificate this service issued, when the message's
    WS-Security header is signed with it ([WSS] 1.1, [XMLDSIG]); else None."""
    import hashlib
    sec = find(root, "Security")
    if sec is None:
        return None, None
    ts, bst, si, sv = (find(sec, n) for n in ("Timestamp", "BinarySecurityToken", "SignedInfo",
                                              "SignatureValue"))
    if ts is None or bst is None or si is None or sv is None:
        return None, None
    try:
        der = base64.b64decode(re.sub(r"\s", "", bst.text or ""), validate=True)
        sig = base64.b64decode(re.sub(r"\s", "", sv.text or ""), validate=True)
    except ValueError:
        return None, None
    with LOCK:
        user = CERTS.get(der)
    if user is None:
        return None, der
    expires = find(ts, "Expires")
    if expires is None or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) > (expires.text or ""):
        return None, der
    ref = find(si, "Reference")
    dv = find(si, "DigestValue")
    canon = exc_c14n(ts)
    if ref is None or dv is None or canon is None or ref.get("URI") != "#" + (
            ts.get("{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd}Id") or ""):
        return None, der
    if base64.b64encode(hashlib.sha1(canon).digest()).decode() != (dv.text or "").strip():
        return None, der
    signed = exc_c14n(si)
    with tempfile.TemporaryDirectory() as d:
        cert = os.path.join(d, "c.der")
        pub = os.path.join(d, "k.pem")
        sf = os.path.join(d, "s.bin")
        with open(cert, "wb") as f:
            f.write(der)
        with open(sf, "wb") as f:
            f.write(sig)
        r = subprocess.run(["openssl", "x509", "-inform", "DER", "-in", cert, "-pubkey", "-noout",
                            "-out", pub], capture_output=True, timeout=20, check=False)
        if r.returncode != 0 or signed is None:
            return None, der
        r = subprocess.run(["openssl", "dgst", "-sha1", "-verify", pub, "-signature", sf],
                           input=signed, capture_output=True, timeout=20, check=False)
        if r.returncode != 0:
            return None, der
    return user, der


def certprov_response(p7):
    return (
        '<s:Envelope xmlns:s="%s"><s:Body>'
        '<GetAndPublishCertResponse xmlns="http://schemas.microsoft.com/OCS/AuthWebServices/">'
        '<RequestSecurityTokenResponse xmlns="http://docs.oasis-open.org/ws-sx/ws-trust/200512">'
        "<TokenType>http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3</TokenType>"
        "<RequestedSecurityToken>"
        '<BinarySecurityToken xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" '
        'ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#PKCS7" '
        'EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#Base64Binary">'
        "%s</BinarySecurityToken></RequestedSecurityToken></RequestSecurityTokenResponse>"
        "</GetAndPublishCertResponse></s:Body></s:Envelope>" % (SOAP_NS, base64.b64encode(p7).decode())
    ).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-IIS/8.5"
    sys_version = ""

    def setup(self):
        super().setup()
        self.challenge = None  # per connection: NTLM is connection-bound
        self.user = None
        self.logged_user = None

    def log_message(self, *args):
        pass

    def log_iis(self, status):
        if LOG is None:
            return
        who = self.logged_user or "-"
        self.logged_user = None
        t = time.gmtime()
        LOG.write(
            "%s %s %s %s %d %s\n"
            % (
                time.strftime("%Y-%m-%d", t),
                time.strftime("%H:%M:%S", t),
                self.command,
                self.path.split("?", 1)[0],
                status,
                who,
            )
        )
        LOG.flush()

    def answer(self, status, body=b"", ctype="text/html", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Powered-By", "ASP.NET")
        # The Director's internal name, as IIS on it would send it.
        host = self.headers.get("Host", "").split(":", 1)[0]
        if "." in host:
            self.send_header("X-MS-Server-Fqdn", "dir01.corp." + host.split(".", 1)[1])
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.log_iis(status)

    def unauthorized(self, extra=()):
        body = b"<!DOCTYPE html><html><head><title>401 - Unauthorized: Access is denied due to invalid credentials.</title></head><body><h2>401 - Unauthorized: Access is denied due to invalid credentials.</h2></body></html>"
        self.answer(401, body, headers=list(extra) or [("WWW-Authenticate", "Negotiate"), ("WWW-Authenticate", "NTLM")])

    def read_body(self):
        n = self.headers.get("Content-Length")
        try:
            n = int(n) if n is not None else 0
        except ValueError:
            n = -1
        if n < 0 or n > MAX_BODY:
            self.close_connection = True
            return None
        return self.rfile.read(n) if n > 0 else b""

    def handle_any(self):
        body = self.read_body()
        if body is None:
            self.answer(413, b"too large")
            return
        path = self.path.split("?", 1)[0].lower()
        host = self.headers.get("Host", "").split(":", 1)[0].lower()
        domain = host.split(".", 1)[1] if "." in host else ""
        behaviours = BEHAVIOURS.get(domain, set())
        if path == "/certprov/certprovisioningservice.svc/webticket_proof_sha1":
            self.certprov(body, behaviours)
            return
        if path == "/webticket/webticketservice.svc/cert":
            self.cert_ticket(body, behaviours)
            return
        if path.startswith("/abs/handler/"):
            self.abs_file(path[len("/abs/handler/"):])
            return
        if path not in ("/webticket/webticketservice.svc", "/webticket/webticketservice.svc/auth"):
            self.answer(404, b"<html><body>404 - File or directory not found.</body></html>")
            return
        auth = self.headers.get("Authorization", "")
        if auth[:5].lower() == "ntlm ":
            try:
                msg = base64.b64decode(auth[5:].strip(), validate=True)
            except ValueError:
                self.answer(400, b"bad request")
                return
            kind = struct.unpack_from("<I", msg, 8)[0] if len(msg) >= 12 and msg[:8] == b"NTLMSSP\x00" else 0
            if kind == 1:
                # The flags at offset 12; a 32-byte message (no Version) is
                # as valid as a 40-byte one.
                flags = struct.unpack_from("<I", msg, 12)[0] if len(msg) >= 16 else 0
                self.challenge = os.urandom(8)
                self.user = None
                tok = base64.b64encode(make_challenge(flags, self.challenge)).decode()
                self.unauthorized([("WWW-Authenticate", "NTLM " + tok)])
                return
            if kind == 3 and self.challenge is not None:
                try:
                    user = verify_authenticate(msg, self.challenge)
                except (ValueError, struct.error):
                    user = None
                self.challenge = None
                if user is None:
                    self.unauthorized()
                    return
                self.user = user
            else:
                self.unauthorized()
                return
        if self.user is None:
            self.unauthorized()
            return
        # One request per authentication (IIS's authPersistSingleRequest
        # "true"): behind a proxy whose upstream pool is shared, a connection
        # another client authenticated must not serve the next one.
        user, self.user = self.user, None
        self.logged_user = user
        ctype = self.headers.get("Content-Type", "")
        if (
            self.command == "POST"
            and "application/soap+xml" in ctype
            and "ws-trust/200512/RST/Issue" in ctype
            and b"RequestSecurityToken" in body
        ):
            self.answer(200, rstr(user).encode(), "application/soap+xml; charset=utf-8")
        else:
            self.answer(500, FAULT.encode(), "application/soap+xml; charset=utf-8")

    def soap_root(self, body):
        try:
            return ET.fromstring(body)
        except ET.ParseError:
            return None

    def certprov(self, body, behaviours):
        ctype = "application/soap+xml; charset=utf-8"
        root = self.soap_root(body) if self.command == "POST" else None
        if "noprov" in behaviours:
            # Certificate provisioning turned off on the pool: the service
            # refuses the operation with a SOAP fault.
            self.answer(500, soap_fault("Certificate provisioning is disabled for this pool."), ctype)
            return
        user = ticket_user(root, TICKETS) if root is not None else None
        req = find(root, "GetAndPublishCert") if root is not None else None
        if user is None or req is None:
            self.answer(401, b"", headers=[("X-Ms-diagnostics",
                        '28032;source="dir01.lab.test";reason="The web ticket is invalid."')])
            return
        self.logged_user = user
        if (req.get("Entity") or "").lower() != user.lower():
            self.answer(500, soap_fault("The Entity is not the web ticket's user."), ctype)
            return
        bst = find(req, "BinarySecurityToken")
        try:
            csr = base64.b64decode(re.sub(r"\s", "", bst.text or ""), validate=True)
        except (ValueError, AttributeError):
            csr = b""
        out = sign_csr(csr, user) if csr else None
        if out is None:
            self.answer(500, soap_fault("The certificate request could not be processed."), ctype)
            return
        leaf, p7 = out
        with LOCK:
            CERTS[leaf] = user
        self.answer(200, certprov_response(p7), ctype)

    def cert_ticket(self, body, behaviours):
        pem = urllib.parse.unquote(self.headers.get("X-Lab-Client-Cert", ""))
        tls_der = None
        if "BEGIN CERTIFICATE" in pem:
            b64 = "".join(l for l in pem.splitlines() if l and "-----" not in l)
            try:
                tls_der = base64.b64decode(b64)
            except ValueError:
                tls_der = b""
        root = self.soap_root(body) if self.command == "POST" else None
        user, der = wss_user(root) if root is not None else (None, None)
        if tls_der is not None and tls_der != der:
            user = None  # the TLS client certificate is another one
        if "ferefuse" in behaviours or user is None:
            # The Front End does not take the certificate: 401 with its reason.
            self.answer(401, b"", headers=[("X-Ms-diagnostics",
                        '28020;source="fe01.lab.test";reason="The certificate is not accepted."')])
            return
        self.logged_user = user
        ctype = self.headers.get("Content-Type", "")
        if self.command == "POST" and "ws-trust/200512/RST/Issue" in ctype and b"RequestSecurityToken" in body:
            self.answer(200, rstr(user, FE_TICKETS).encode(), "application/soap+xml; charset=utf-8")
        else:
            self.answer(500, FAULT.encode(), "application/soap+xml; charset=utf-8")

    def abs_file(self, name):
        m = re.fullmatch(r"(f-[0-9a-f]{4}|d-[0-9a-f]{4}-[0-9a-f]{4})\.lsabs", name)
        hdr = self.headers.get("X-Ms-WebTicket", "")
        user = None
        if hdr.lower().startswith("opaque="):
            try:
                root = ET.fromstring(base64.b64decode(hdr[7:].strip()))
                user = ticket_user(root, FE_TICKETS)
            except (ValueError, ET.ParseError):
                user = None
        if user is None:
            self.unauthorized()
            return
        self.logged_user = user
        if m is None:
            self.answer(404, b"<html><body>404 - File or directory not found.</body></html>")
            return
        # A stand-in for the file's contents ([MS-ABS] 2: a binary file).
        self.answer(200, b"ABS0" + os.urandom(60), "application/octet-stream")

    do_GET = handle_any
    do_POST = handle_any
    do_HEAD = handle_any


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global USERS, LOG, PKI
    if len(sys.argv) != 7:
        sys.stderr.write(__doc__)
        return 2
    addr, port, users, log = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    PKI = sys.argv[5]
    with open(sys.argv[6], encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                BEHAVIOURS.setdefault(parts[0].lower(), set()).add(parts[1])
    USERS = load_users(users)
    LOG = open(log, "a", encoding="utf-8")
    srv = Server((addr, port), Handler)
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
