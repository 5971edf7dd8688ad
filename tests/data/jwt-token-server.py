#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A token service for Debian's docker-registry (distribution's "token" auth), for hull's push tests.

jwt-token-server.py DIR USER:PASSWORD PORT_FILE

Makes an RSA key and a self-signed certificate in DIR (DIR/cert.pem is the registry's
rootcertbundle), then serves GET /token on 127.0.0.1 at a free port, written to PORT_FILE:
to USER:PASSWORD (HTTP basic) it hands out a JWT (RS256, the certificate in its x5c header;
issuer "hull-test-issuer", audience "hull-test") granting every repository scope asked for;
anyone else gets 401.  Each token request's scope parameters are logged to PORT_FILE.log, one
line per request, joined with ";" (a parameter holding a space would name no repository).
A test fixture, not part of hull.
"""
import base64
import datetime
import http.server
import json
import os
import secrets
import sys
import time
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

out_dir, creds, port_file = sys.argv[1], sys.argv[2], sys.argv[3]
ISSUER, SERVICE = "hull-test-issuer", "hull-test"

key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hull-test token signer")])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
with open(os.path.join(out_dir, "cert.pem"), "wb") as f:
    f.write(cert.public_bytes(serialization.Encoding.PEM))
x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_token(user, access):
    t = int(time.time())
    header = {"typ": "JWT", "alg": "RS256", "x5c": [x5c]}
    claims = {"iss": ISSUER, "sub": user, "aud": SERVICE, "exp": t + 300, "nbf": t - 10, "iat": t,
              "jti": secrets.token_hex(8), "access": access}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url(sig)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/token":
            return self.send(404, {"error": "not found"})
        q = urllib.parse.parse_qs(url.query)
        scopes = q.get("scope", [])
        with open(port_file + ".log", "a") as f:
            f.write(";".join(scopes) + "\n")
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic ") or base64.b64decode(auth[6:]).decode() != creds:
            return self.send(401, {"details": "incorrect username or password"})
        access = []
        for s in scopes:
            kind, _, rest = s.partition(":")
            repo, _, actions = rest.rpartition(":")
            if kind == "repository" and repo:
                access.append({"type": "repository", "name": repo, "actions": actions.split(",")})
        tok = make_token(creds.split(":")[0], access)
        self.send(200, {"token": tok, "access_token": tok, "expires_in": 300,
                        "issued_at": datetime.datetime.now(datetime.timezone.utc).isoformat()})


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
