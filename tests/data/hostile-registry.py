#!/usr/bin/env python3
"""A registry that misbehaves in one chosen way, for hull's pull tests.

hostile-registry.py LAYOUT_DIR MODE PORT_FILE

Serves the OCI image layout LAYOUT_DIR (its first manifest) as repository "app", tag "v1",
without authentication (except where MODE says), on 127.0.0.1 at a free port written to
PORT_FILE.  MODE:

  crlf-token      asks for a bearer token and hands out one holding CR LF and a header
  huge-token      asks for a bearer token and answers the token request with 1 MiB of JSON
  huge-manifest   the manifest is 5 MiB of JSON
  endless-blob    every blob body goes on forever (no Content-Length)
  short-blob      every blob body stops 10 bytes early (with a matching Content-Length)
  huge-declared   the manifest declares its first layer to be 2 GB (the body is the real one)
  huge-config     the manifest declares its config to be 20 MiB (over hull's 16 MiB limit)
  wrap-declared   the manifest declares layers of 8191 PiB, 8191 PiB and the rest of 2^64 + 100
                  bytes: a sum that wraps around 2^64 to a few hundred bytes
  trickle         blob bodies come at 2 bytes/s
  slow            blob bodies come at ~16 KiB/s, fast enough not to stall but slow overall
  long-error      the manifest request fails (HTTP 500) with a 60 KB error message

A test fixture, not part of hull.
"""
import hashlib
import http.server
import json
import os
import sys
import time

layout, mode, port_file = sys.argv[1], sys.argv[2], sys.argv[3]
index = json.load(open(os.path.join(layout, "index.json")))


def blob(digest):
    algo, _, hexd = digest.partition(":")
    path = os.path.join(layout, "blobs", algo, hexd)
    ok = algo == "sha256" and hexd.isalnum() and os.path.exists(path)
    return open(path, "rb").read() if ok else None


manifest = blob(index["manifests"][0]["digest"])
if mode == "huge-declared":
    m = json.loads(manifest)
    m["layers"][0]["size"] = 2_000_000_000
    manifest = json.dumps(m).encode()
elif mode == "huge-config":
    m = json.loads(manifest)
    m["config"]["size"] = 20 << 20
    manifest = json.dumps(m).encode()
elif mode == "wrap-declared":
    m = json.loads(manifest)
    m["layers"][0]["size"] = m["layers"][1]["size"] = 8191 << 50
    m["layers"][2]["size"] = 2**64 + 100 - 2 * (8191 << 50)
    manifest = json.dumps(m).encode()
elif mode == "huge-manifest":
    m = json.loads(manifest)
    m["annotations"] = {"padding": "x" * (5 << 20)}
    manifest = json.dumps(m).encode()
TOKEN_MODES = ("crlf-token", "huge-token")


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def head(self, code, ctype="application/json", length=None, headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()

    def send(self, code, body=b"", ctype="application/json", headers=()):
        self.head(code, ctype, len(body), headers)
        self.wfile.write(body)

    def drip(self, data, chunk, pause):
        try:
            for i in range(0, len(data), chunk):
                self.wfile.write(data[i:i + chunk])
                self.wfile.flush()
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        path = self.path.split("?")[0]
        if mode in TOKEN_MODES:
            if path == "/token":
                if mode == "crlf-token":
                    return self.send(200, json.dumps({"token": "abc\r\nX-Injected: yes"}).encode())
                return self.send(200, json.dumps({"token": "t", "pad": "x" * (1 << 20)}).encode())
            if self.headers.get("Authorization") is None:
                challenge = ('Bearer realm="http://%s/token",service="hull-test"'
                             % self.headers.get("Host"))
                return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                                 headers=[("WWW-Authenticate", challenge)])
        if path == "/v2/":
            return self.send(200, b"{}")
        if path.startswith("/v2/app/manifests/") and mode == "long-error":
            err = {"errors": [{"code": "UNKNOWN", "message": "m" * 60000}]}
            return self.send(500, json.dumps(err).encode())
        if path.startswith("/v2/app/manifests/"):
            mt = json.loads(manifest).get("mediaType", "application/vnd.oci.image.manifest.v1+json")
            return self.send(200, manifest, mt,
                             [("Docker-Content-Digest", "sha256:" + hashlib.sha256(manifest).hexdigest())])
        if path.startswith("/v2/app/blobs/"):
            data = blob(path[len("/v2/app/blobs/"):])
            if data is None:
                return self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN"}]}')
            if mode == "endless-blob":
                self.head(200, "application/octet-stream")
                try:
                    self.wfile.write(data)
                    while True:
                        self.wfile.write(b"\0" * 65536)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            if mode == "short-blob":
                return self.send(200, data[:-10], "application/octet-stream")
            if mode == "trickle":
                self.head(200, "application/octet-stream", len(data))
                return self.drip(data, 2, 1.0)
            if mode == "slow":
                self.head(200, "application/octet-stream", len(data))
                return self.drip(data, 4096, 0.25)
            return self.send(200, data, "application/octet-stream")
        self.send(404, b'{"errors":[{"code":"NAME_UNKNOWN"}]}')


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
