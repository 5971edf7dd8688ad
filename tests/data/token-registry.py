#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A read-only registry for hull's pull tests that demands bearer tokens, as Docker Hub does.

token-registry.py LAYOUT_DIR USER:PASSWORD PORT_FILE

Serves the OCI image layout LAYOUT_DIR as repository "app" (tags from the index's
org.opencontainers.image.ref.name annotations) on 127.0.0.1 at a free port, written to
PORT_FILE.  /v2/ answers 401 with a Bearer challenge naming /token; /token hands out a token
only to USER:PASSWORD (HTTP basic) and only for scope repository:app:pull.  Requests with a
wrong or missing token get 401 again.  A test fixture, not part of hull.
"""
import base64
import hashlib
import http.server
import json
import os
import secrets
import sys

layout, creds, port_file = sys.argv[1], sys.argv[2], sys.argv[3]
token = secrets.token_hex(16)
index = json.load(open(os.path.join(layout, "index.json")))
# the tag is what follows the last ':' of the ref.name annotation ("name:tag" or "tag")
tags = {m.get("annotations", {}).get("org.opencontainers.image.ref.name", "latest").rsplit(":", 1)[-1]: m
        for m in index["manifests"]}


def blob(digest):
    algo, _, hexd = digest.partition(":")
    path = os.path.join(layout, "blobs", algo, hexd)
    return open(path, "rb").read() if algo == "sha256" and hexd.isalnum() and os.path.exists(path) else None


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, code, body=b"", ctype="application/json", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def deny(self):
        host = self.headers.get("Host")
        challenge = ('Bearer realm="http://%s/token",service="hull-test",'
                     'scope="repository:app:pull"' % host)
        err = json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]})
        self.send(401, err.encode(), headers=[("WWW-Authenticate", challenge)])

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/token":
            want = "Basic " + base64.b64encode(creds.encode()).decode()
            if self.headers.get("Authorization") != want or "scope=repository%3Aapp%3Apull" not in self.path:
                return self.send(401, b'{"details":"incorrect username or password"}')
            return self.send(200, json.dumps({"token": token}).encode())
        if self.headers.get("Authorization") != "Bearer " + token:
            return self.deny()
        if path == "/v2/":
            return self.send(200, b"{}")
        if path.startswith("/v2/app/manifests/"):
            ref = path[len("/v2/app/manifests/"):]
            desc = tags.get(ref) or next((m for m in index["manifests"] if m["digest"] == ref), None)
            data = blob(desc["digest"]) if desc else blob(ref)
            if data is None:
                return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
            mt = json.loads(data).get("mediaType", "application/vnd.oci.image.manifest.v1+json")
            return self.send(200, data, mt,
                             [("Docker-Content-Digest", "sha256:" + hashlib.sha256(data).hexdigest())])
        if path.startswith("/v2/app/blobs/"):
            data = blob(path[len("/v2/app/blobs/"):])
            if data is None:
                return self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}')
            return self.send(200, data, "application/octet-stream")
        self.send(404, b'{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known"}]}')

    do_HEAD = do_GET


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
