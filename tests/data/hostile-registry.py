#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
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
  drop-once       the first GET of each layer sends half of it and drops the connection;
                  a GET with Range gets the rest (206)
  no-range        as drop-once, but Range is ignored: the whole layer again (200)
  concurrent      each layer takes 1 s to come
  bad-layer       the last layer's bytes do not match its digest (sent 1 s late)
  push-drop-once  takes pushes (HEAD, POST, PUT ...?digest=, PUT manifest; every digest is
                  checked) to any repository, but the first upload of each blob bigger than
                  1 KiB is cut after half its body: the connection is closed
  push-concurrent takes pushes as push-drop-once does, without cutting any, but each
                  blob's upload takes 1 s

MODE-layers (endless-blob-layers, short-blob-layers, trickle-layers, slow-layers): MODE for the
layers only, which are fetched in parallel; the config comes as it is.

Every blob GET is logged to PORT_FILE.log as "DIGEST RANGE" (RANGE "-" when none), and in
"concurrent" mode the most layers served at once as "max N" (in "push-concurrent" the most
blobs taken at once); every upload as "PUT DIGEST
dropped|ok|bad", a manifest as "MANIFEST REPOSITORY:TAG".

A test fixture, not part of hull.
"""
import hashlib
import http.server
import json
import os
import secrets
import socket
import sys
import threading
import time
import urllib.parse

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
layers_only = mode.endswith("-layers")
base_mode = mode[:-len("-layers")] if layers_only else mode
LAYERS = [l["digest"] for l in json.loads(manifest)["layers"]]
lock = threading.Lock()
dropped = set()
received = {}  # push-drop-once: digest -> bytes
PUSH_MODES = ("push-drop-once", "push-concurrent")
busy = [0, 0]  # now, most


def take_a_second():
    """concurrent modes: a transfer that takes 1 s, the most at once logged as "max N" """
    with lock:
        busy[0] += 1
        busy[1] = max(busy)
    time.sleep(1)
    with lock:
        busy[0] -= 1
    log("max %d" % busy[1])


def log(line):
    with lock, open(port_file + ".log", "a") as f:
        f.write(line + "\n")


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
            digest = path[len("/v2/app/blobs/"):]
            m = base_mode if not layers_only or digest in LAYERS else "plain"
            rng = self.headers.get("Range")
            log("%s %s" % (digest, rng or "-"))
            if m == "endless-blob":
                self.head(200, "application/octet-stream")
                try:
                    self.wfile.write(data)
                    while True:
                        self.wfile.write(b"\0" * 65536)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            if digest in LAYERS and mode in ("drop-once", "no-range"):
                if rng and mode == "drop-once":
                    start = int(rng.split("=")[1].rstrip("-"))
                    return self.send(206, data[start:], "application/octet-stream",
                                     [("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))])
                with lock:
                    first = digest not in dropped
                    dropped.add(digest)
                if first:
                    self.head(200, "application/octet-stream", len(data))
                    self.wfile.write(data[:len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
            if digest in LAYERS and mode == "concurrent":
                take_a_second()
            if digest == LAYERS[-1] and mode == "bad-layer":
                time.sleep(1)  # after the others are in and unpacked
                data = data[:-1] + bytes([data[-1] ^ 1])
            if m == "short-blob":
                return self.send(200, data[:-10], "application/octet-stream")
            if m == "trickle":
                self.head(200, "application/octet-stream", len(data))
                return self.drip(data, 2, 1.0)
            if m == "slow":
                self.head(200, "application/octet-stream", len(data))
                return self.drip(data, 4096, 0.25)
            return self.send(200, data, "application/octet-stream")
        self.send(404, b'{"errors":[{"code":"NAME_UNKNOWN"}]}')


    # push-drop-once: uploads
    def do_HEAD(self):
        path = self.path.split("?")[0]
        if mode in PUSH_MODES and "/blobs/" in path:
            digest = path.rsplit("/", 1)[1]
            with lock:
                have = digest in received
            return self.head(200 if have else 404, "application/octet-stream",
                             len(received[digest]) if have else 0)
        self.send(404, b'{"errors":[{"code":"NAME_UNKNOWN"}]}')

    def do_POST(self):
        path = self.path.split("?")[0]
        if mode in PUSH_MODES and path.endswith("/blobs/uploads/"):
            return self.send(202, headers=[("Location", path + secrets.token_hex(8))])
        self.send(404, b'{"errors":[{"code":"NAME_UNKNOWN"}]}')

    def do_PUT(self):
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length", "0"))
        if mode not in PUSH_MODES:
            return self.send(405, b"{}")
        if "/manifests/" in path:
            body = self.rfile.read(length)
            repo, _, tag = path[len("/v2/"):].partition("/manifests/")
            log("MANIFEST %s:%s" % (repo, tag))
            return self.send(201, headers=[("Docker-Content-Digest",
                                            "sha256:" + hashlib.sha256(body).hexdigest())])
        digest = urllib.parse.parse_qs(query).get("digest", [""])[0]
        with lock:
            first = digest not in dropped
            dropped.add(digest)
        if mode == "push-concurrent":
            take_a_second()
        elif first and length > 1024:
            self.rfile.read(length // 2)
            log("PUT %s dropped" % digest)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        body = self.rfile.read(length)
        if "sha256:" + hashlib.sha256(body).hexdigest() != digest:
            log("PUT %s bad" % digest)
            return self.send(400, b'{"errors":[{"code":"DIGEST_INVALID"}]}')
        with lock:
            received[digest] = body
        log("PUT %s ok" % digest)
        self.send(201, headers=[("Docker-Content-Digest", digest)])


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
