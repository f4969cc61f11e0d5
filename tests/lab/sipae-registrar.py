#!/usr/bin/python3
"""sipae-registrar.py - the lab's Access Edge / registrar for SIP sign-in with NTLM.

A SIP registrar over TLS that authenticates REGISTER requests the way a Lync
Server pool does through the Access Edge ([MS-SIPAE], NTLM in [MS-NLMP]'s
connectionless mode), with the NTLM crypto of impacket (Debian's
python3-impacket: NTOWFv2, SIGNKEY, SEALKEY, MAC). On every connection:

  - REGISTER without Authorization: 401 with "WWW-Authenticate: NTLM
    realm="SIP Communications Service", targetname=..., version=4" and a
    Kerberos offer beside it ([MS-SIPAE] 3.3.5.1, 4.1 step 2).
  - REGISTER with an NTLM Authorization and an empty gssapi-data: 401 with
    gssapi-data holding an NTLM CHALLENGE_MESSAGE (flags with DATAGRAM,
    extended session security, KEY_EXCH, 128, target info with a timestamp:
    [MS-NLMP] 2.2.1.2, 3.2.5.1.1) and an opaque naming the security
    association ([MS-SIPAE] 3.3.5.1 step 2, 4.1 step 4).
  - REGISTER with the AUTHENTICATE_MESSAGE: the NTLMv2 response verified
    (NTProofStr, [MS-NLMP] 3.3.2), the session key recovered (KEY_EXCH), the
    client's signature (crand, cnum, response) verified over the
    [MS-SIPAE] 3.2.5.1.2 string with sequence number 100 and the per-message
    sealing key of connectionless mode ([MS-NLMP] 3.4.3, 3.4.4). A wrong
    password or unknown user: 401 with a fresh NTLM offer, as a pool
    answers. Then, per the listener's mode and the user:
      * the user not enabled for remote access (--no-remote): 403 with
        ms-diagnostics (Microsoft Learn, "Ms-Diagnostics Header"; the code
        is the lab's own: no public list of the Edge's codes names this one;
        lynccheck reads the reason);
      * mode redirect=HOST:PORT: "301 Redirect request to Home Server" with
        the home pool in Contact (RFC 3261 21.3.2), signed;
      * else 200 OK with the binding and Authentication-Info: NTLM rspauth
        (the server's signature over the [MS-SIPAE] 3.2.5.2 string), srand,
        snum, opaque, realm, targetname.
  - a signed REGISTER with Expires: 0 (unREGISTER, RFC 3261 10.2.2): the
    signature verified, 200 OK, signed.

The log (LOG-FILE), one line per answer:
  date time listen-addr status event user cseq
with event one of challenge, negotiate, auth-failed, bad-signature,
no-remote, redirected, registered, unregistered, muted, bad-request.
A line "ready" once every listener is bound.

Usage: sipae-registrar.py CERT KEY USERS-FILE LOG-FILE [--no-remote USER]...
           LISTEN...
LISTEN: ADDR:PORT:TARGETNAME[:MODE], MODE redirect=HOST:PORT (301 to the home pool),
badsig (the 2xx signature is not the session's) or mute (the AUTHENTICATE gets no answer)
USERS-FILE: DOMAIN:USER:PASSWORD lines (gss-ntlmssp's NTLM_USER_FILE format);
a client sending a UPN and no domain matches USER.
"""

import base64
import hashlib
import hmac
import os
import re
import socket
import ssl
import struct
import sys
import threading
import time

from Cryptodome.Cipher import ARC4
from impacket import ntlm

REALM = "SIP Communications Service"
SEQNUM = 100  # what Lync signs SIP with ([MS-NLMP] 3.4.4: the application's choice)
MAX_MESSAGE = 64 * 1024

# [MS-NLMP] 2.2.2.5
F_UNICODE = 0x00000001
F_REQUEST_TARGET = 0x00000004
F_SIGN = 0x00000010
F_SEAL = 0x00000020
F_DATAGRAM = 0x00000040
F_NTLM = 0x00000200
F_ALWAYS_SIGN = 0x00008000
F_TARGET_TYPE_DOMAIN = 0x00010000
F_ESS = 0x00080000
F_IDENTIFY = 0x00100000
F_TARGET_INFO = 0x00800000
F_VERSION = 0x02000000
F_128 = 0x20000000
F_KEY_EXCH = 0x40000000
F_56 = 0x80000000

# The flags of a Lync pool's connectionless CHALLENGE (DATAGRAM, SIGN, SEAL,
# extended session security, KEY_EXCH, 128, 56, IDENTIFY, target info).
CHALLENGE_FLAGS = (F_UNICODE | F_SIGN | F_SEAL | F_DATAGRAM | F_NTLM | F_ALWAYS_SIGN
                   | F_TARGET_TYPE_DOMAIN | F_ESS | F_IDENTIFY | F_TARGET_INFO | F_VERSION
                   | F_128 | F_KEY_EXCH | F_56)

DOMAIN = "LAB"
SERVER = "FE01"

USERS = []
NO_REMOTE = set()
LOG = None
LOG_LOCK = threading.Lock()
SAS = {}  # opaque -> security association
SAS_LOCK = threading.Lock()


def log(listen, status, event, user, cseq):
    num = (cseq or "-").split(" ")[0]
    line = "%s %s %s %s %s %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), listen,
                                    status, event, user or "-", num or "-")
    with LOG_LOCK:
        with open(LOG, "a", encoding="utf-8") as f:
            f.write(line)


def load_users(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line and not line.startswith("#"):
                parts = line.split(":", 2)
                if len(parts) == 3:
                    out.append((parts[0], parts[1], parts[2]))
    return out


def find_password(user, domain):
    for d, u, p in USERS:
        if u.lower() == user.lower() and (not domain or d.lower() == domain.lower()):
            return p
    return None


# ---------------------------------------------------------------- NTLM


def make_challenge(server_challenge):
    """A CHALLENGE_MESSAGE ([MS-NLMP] 2.2.1.2) with target info ([MS-NLMP] 2.2.2.1)."""
    def av(i, v):
        return struct.pack("<HH", i, len(v)) + v
    now = int((time.time() + 11644473600) * 10000000)
    ti = (av(2, DOMAIN.encode("utf-16le")) + av(1, SERVER.encode("utf-16le"))
          + av(4, b"lab.test".decode().encode("utf-16le"))
          + av(3, (SERVER.lower() + ".lab.test").encode("utf-16le"))
          + av(7, struct.pack("<Q", now)) + av(0, b""))
    tn = DOMAIN.encode("utf-16le")
    off = 56
    msg = (b"NTLMSSP\0" + struct.pack("<I", 2) + struct.pack("<HHI", len(tn), len(tn), off)
           + struct.pack("<I", CHALLENGE_FLAGS) + server_challenge + b"\0" * 8
           + struct.pack("<HHI", len(ti), len(ti), off + len(tn))
           + bytes([6, 1]) + struct.pack("<H", 7601) + b"\0\0\0\x0f")
    return msg + tn + ti


def secbuf(msg, off):
    ln, _, o = struct.unpack_from("<HHI", msg, off)
    if o + ln > len(msg):
        raise ValueError("security buffer outside the message")
    return msg[o:o + ln]


def verify_authenticate(msg, sa):
    """The AUTHENTICATE_MESSAGE ([MS-NLMP] 2.2.1.3): (user, keys) or (user, None)."""
    if len(msg) < 64 or msg[:8] != b"NTLMSSP\0" or struct.unpack_from("<I", msg, 8)[0] != 3:
        raise ValueError("not an AUTHENTICATE_MESSAGE")
    nt = secbuf(msg, 20)
    domain = secbuf(msg, 28).decode("utf-16le", "replace")
    user = secbuf(msg, 36).decode("utf-16le", "replace")
    enc_key = secbuf(msg, 52)
    flags = struct.unpack_from("<I", msg, 60)[0]
    pw = find_password(user, domain)
    if pw is None or len(nt) < 48:
        return user, None
    proof, temp = nt[:16], nt[16:]
    # NTOWFv2 over what the client sent (user upper-cased, domain as is).
    key = ntlm.NTOWFv2(user, pw, domain)
    if not hmac.compare_digest(ntlm.hmac_md5(key, sa["challenge"] + temp), proof):
        return user, None
    base = ntlm.hmac_md5(key, proof)  # SessionBaseKey = KeyExchangeKey in NTLMv2
    exported = ARC4.new(base).decrypt(enc_key) if flags & F_KEY_EXCH else base
    keys = {
        "flags": flags,
        "csign": ntlm.SIGNKEY(flags, exported, "Client"),
        "cseal": ntlm.SEALKEY(flags, exported, "Client"),
        "ssign": ntlm.SIGNKEY(flags, exported, "Server"),
        "sseal": ntlm.SEALKEY(flags, exported, "Server"),
    }
    return user, keys


def mac(keys, sign, seal, text):
    """NTLMSSP_MESSAGE_SIGNATURE in connectionless mode: the RC4 state starts
    from MD5(SealingKey, SeqNum) for every message ([MS-NLMP] 3.4.3, 3.4.4.2)."""
    handle = ARC4.new(hashlib.md5(seal + struct.pack("<I", SEQNUM)).digest())
    return ntlm.MAC(keys["flags"], handle.encrypt, sign, SEQNUM, text.encode("utf-8")).getData()


# ---------------------------------------------------------------- SIP


def parse_request(data):
    head, _, _ = data.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "replace").split("\r\n")
    method, uri, _ = (lines[0].split(" ") + ["", "", ""])[:3]
    headers = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            headers[-1] = (headers[-1][0], headers[-1][1] + " " + line.strip())
        elif ":" in line:
            name, value = line.split(":", 1)
            headers.append((name.strip(), value.strip()))
    return method, uri, headers


def hget(headers, name):
    for n, v in headers:
        if n.lower() == name.lower():
            return v
    return None


def auth_params(value):
    scheme, _, rest = value.partition(" ")
    params = {}
    for m in re.finditer(r'([A-Za-z-]+)\s*=\s*(?:"([^"]*)"|([^\s,]+))', rest):
        params[m.group(1).lower()] = m.group(2) if m.group(2) is not None else m.group(3)
    return scheme, params


def uri_of(value):
    m = re.search(r"<([^>]*)>", value)
    return m.group(1) if m else value.split(";")[0].strip()


def tag_of(value):
    after = value.split(">", 1)[1] if ">" in value else value
    m = re.search(r";\s*tag=([^;,\s]+)", after)
    return m.group(1) if m else ""


def sig_string(rand, num, targetname, call_id, cseq, from_v, to_v, expires, code=None):
    """[MS-SIPAE] 3.2.5.1.2 / 3.2.5.2, version 4: each value in angle brackets."""
    num_s, method = (cseq.split(" ", 1) + [""])[:2]
    s = "<NTLM><%s><%s><%s><%s><%s><%s><%s><%s><%s><%s><%s><><><%s>" % (
        rand, num, REALM, targetname, call_id, num_s, method.strip(), uri_of(from_v),
        tag_of(from_v), uri_of(to_v), tag_of(to_v), expires or "")
    if code is not None:
        s += "<%d>" % code
    return s


class Listener:
    def __init__(self, spec, ctx):
        parts = spec.split(":")
        self.addr, self.port, self.targetname = parts[0], int(parts[1]), parts[2]
        self.redirect = None
        self.mode = parts[3] if len(parts) > 3 else ""
        if self.mode.startswith("redirect="):
            self.redirect = self.mode[len("redirect="):] + ":" + parts[4]
        self.ctx = ctx
        self.name = "%s:%d" % (self.addr, self.port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((self.addr, self.port))
        self.sock.listen(16)

    def serve(self):
        while True:
            conn, _ = self.sock.accept()
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def handle(self, raw):
        raw.settimeout(30)
        try:
            conn = self.ctx.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            return
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = conn.recv(16384)
                    if not chunk:
                        return
                    buf += chunk
                    if len(buf) > MAX_MESSAGE:
                        return
                head, _, rest = buf.partition(b"\r\n\r\n")
                m = re.search(rb"(?im)^(?:content-length|l)\s*:\s*(\d+)", head)
                clen = int(m.group(1)) if m else 0
                while len(rest) < clen:
                    chunk = conn.recv(16384)
                    if not chunk:
                        return
                    rest += chunk
                buf = rest[clen:]
                reply = self.answer(head + b"\r\n\r\n")
                if reply is not None:
                    conn.sendall(reply.encode("utf-8"))
        except (OSError, ssl.SSLError, ValueError):
            return
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def respond(self, code, reason, headers, req, extra, to_tag):
        to_v = hget(headers, "To") or ""
        if to_tag and ";tag=" not in to_v:
            to_v += ";tag=" + to_tag
        out = ["SIP/2.0 %d %s" % (code, reason)]
        for name in ("Via", "From"):
            v = hget(headers, name)
            if v is not None:
                out.append("%s: %s" % (name, v))
        out.append("To: " + to_v)
        for name in ("Call-ID", "CSeq"):
            out.append("%s: %s" % (name, hget(headers, name) or ""))
        out += extra
        out.append("Server: RTC/6.0")
        out.append("Content-Length: 0")
        return "\r\n".join(out) + "\r\n\r\n", to_v

    def signed(self, code, reason, headers, sa, extra, expires):
        """A final response with the server's signature ([MS-SIPAE] 3.3.5.2)."""
        to_tag = os.urandom(8).hex().upper()
        to_v = hget(headers, "To") or ""
        if ";tag=" not in to_v:
            to_v += ";tag=" + to_tag
        srand = os.urandom(4).hex().upper()
        sa["snum"] += 1
        s = sig_string(srand, str(sa["snum"]), self.targetname, hget(headers, "Call-ID") or "",
                       hget(headers, "CSeq") or "", hget(headers, "From") or "", to_v,
                       expires, code)
        rspauth = mac(sa["keys"], sa["keys"]["ssign"], sa["keys"]["sseal"], s).hex()
        if self.mode == "badsig":
            # A signature that is not the session's: what a client sees when
            # something between it and the pool rewrote the answer.
            rspauth = rspauth[:8] + os.urandom(8).hex() + rspauth[24:]
        ai = ('Authentication-Info: NTLM qop="auth", opaque="%s", srand="%s", snum="%d", '
              'rspauth="%s", targetname="%s", realm="%s", version=4'
              % (sa["opaque"], srand, sa["snum"], rspauth, self.targetname, REALM))
        return self.respond(code, reason, headers, None, [ai] + extra, to_tag)[0]

    def offer(self, headers, cseq, status_event, user=None):
        extra = ['WWW-Authenticate: NTLM realm="%s", targetname="%s", version=4'
                 % (REALM, self.targetname),
                 'WWW-Authenticate: Kerberos realm="%s", targetname="sip/%s", version=4'
                 % (REALM, self.targetname),
                 "Date: " + time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())]
        log(self.name, 401, status_event, user, cseq)
        return self.respond(401, "Unauthorized", headers, None, extra,
                            os.urandom(8).hex().upper())[0]

    def answer(self, data):
        method, _, headers = parse_request(data)
        cseq = hget(headers, "CSeq") or ""
        if method != "REGISTER":
            log(self.name, 405, "bad-request", None, cseq)
            return self.respond(405, "Method Not Allowed", headers, None, ["Allow: REGISTER"],
                                "")[0]
        authz = hget(headers, "Authorization")
        if authz is None:
            return self.offer(headers, cseq, "challenge")
        scheme, p = auth_params(authz)
        if scheme.upper() != "NTLM" or p.get("targetname") != self.targetname \
                or p.get("realm") != REALM:
            return self.offer(headers, cseq, "challenge")
        if "gssapi-data" in p and p["gssapi-data"] == "":
            # Connectionless: no NEGOTIATE_MESSAGE, the CHALLENGE at once.
            opaque = os.urandom(4).hex().upper()
            challenge = os.urandom(8)
            with SAS_LOCK:
                SAS[opaque] = {"opaque": opaque, "challenge": challenge, "keys": None,
                               "user": None, "snum": 0}
            token = base64.b64encode(make_challenge(challenge)).decode()
            extra = ['WWW-Authenticate: NTLM opaque="%s", gssapi-data="%s", targetname="%s", '
                     'realm="%s", version=4' % (opaque, token, self.targetname, REALM)]
            log(self.name, 401, "negotiate", None, cseq)
            return self.respond(401, "Unauthorized", headers, None, extra,
                                os.urandom(8).hex().upper())[0]
        with SAS_LOCK:
            sa = SAS.get(p.get("opaque", ""))
        if sa is None:
            return self.offer(headers, cseq, "challenge")
        if p.get("gssapi-data") and self.mode == "mute":
            # The pool never answers the AUTHENTICATE (a stalled front end).
            log(self.name, 0, "muted", None, cseq)
            return None
        if p.get("gssapi-data"):
            try:
                user, keys = verify_authenticate(base64.b64decode(p["gssapi-data"]), sa)
            except (ValueError, struct.error):
                return self.offer(headers, cseq, "auth-failed")
            if keys is None:
                return self.offer(headers, cseq, "auth-failed", user)
            sa["keys"], sa["user"] = keys, user
        if sa["keys"] is None:
            return self.offer(headers, cseq, "challenge")
        # The client's signature over the request ([MS-SIPAE] 3.3.5.x: every
        # message after the AUTHENTICATE is signed; version 4 signs it too).
        expires = hget(headers, "Expires")
        want = sig_string(p.get("crand", ""), p.get("cnum", ""), self.targetname,
                          hget(headers, "Call-ID") or "", cseq, hget(headers, "From") or "",
                          hget(headers, "To") or "", expires)
        got = p.get("response", "")
        ok = got and hmac.compare_digest(
            mac(sa["keys"], sa["keys"]["csign"], sa["keys"]["cseal"], want).hex(), got.lower())
        if not ok:
            return self.offer(headers, cseq, "bad-signature", sa["user"])
        user = sa["user"]
        if expires == "0":
            log(self.name, 200, "unregistered", user, cseq)
            return self.signed(200, "OK", headers, sa, [], expires)
        if user.lower() in NO_REMOTE:
            log(self.name, 403, "no-remote", user, cseq)
            diag = ('ms-diagnostics: 1001;reason="Remote access is not allowed for this user '
                    '(external access policy)";source="access.lab.test"')
            return self.respond(403, "Forbidden", headers, None, [diag],
                                os.urandom(8).hex().upper())[0]
        if self.redirect:
            log(self.name, 301, "redirected", user, cseq)
            return self.signed(301, "Redirect request to Home Server", headers, sa,
                               ["Contact: <sip:%s;transport=tls>" % self.redirect,
                                "Expires: 2592000"], "2592000")
        log(self.name, 200, "registered", user, cseq)
        contact = hget(headers, "Contact") or ""
        return self.signed(200, "OK", headers, sa,
                           ["Contact: %s;expires=300" % contact, "Expires: 300"], "300")


def main(argv):
    global USERS, LOG
    args = list(argv[1:])
    if len(args) < 5:
        sys.stderr.write(__doc__)
        return 2
    cert, key, users, LOG = args[:4]
    rest = args[4:]
    specs = []
    while rest:
        a = rest.pop(0)
        if a == "--no-remote" and rest:
            NO_REMOTE.add(rest.pop(0).lower())
        else:
            specs.append(a)
    USERS = load_users(users)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    listeners = [Listener(s, ctx) for s in specs]
    for lst in listeners[1:]:
        threading.Thread(target=lst.serve, daemon=True).start()
    with LOG_LOCK:
        with open(LOG, "a", encoding="utf-8") as f:
            f.write("ready\n")
    listeners[0].serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
