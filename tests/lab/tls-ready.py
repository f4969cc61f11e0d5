#!/usr/bin/env python3
# tls-ready.py - lab.sh's TLS readiness probe: reads "address port sni" lines
# on stdin, completes a TLS handshake with each (SNI sent, certificate not
# verified, any protocol version and cipher OpenSSL has, security level 0 so
# the lab's SHA-1 and 1024-bit certificates are accepted) and prints the lines
# that did. All handshakes run at once in one process: one openssl s_client
# process per listener cost the lab start most of its time.
#
# Usage: tls-ready.py [TIMEOUT-SECONDS] < listeners
import concurrent.futures
import socket
import ssl
import sys


def context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    try:
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    except (AttributeError, ValueError):
        pass
    return ctx


def handshake(ctx, line, timeout):
    addr, port, sni = line.split()
    try:
        with socket.create_connection((addr, int(port)), timeout=timeout) as raw:
            raw.settimeout(timeout)
            with ctx.wrap_socket(raw, server_hostname=sni):
                return line
    except (OSError, ValueError):
        return None


def main():
    timeout = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    lines = [" ".join(l.split()) for l in sys.stdin if len(l.split()) == 3]
    ctx = context()
    with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
        for ok in pool.map(lambda l: handshake(ctx, l, timeout), lines):
            if ok:
                print(ok)
    return 0


if __name__ == "__main__":
    sys.exit(main())
