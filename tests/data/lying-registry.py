#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A registry that lies about manifests, for hull's pull tests.

lying-registry.py LAYOUT_DIR PORT_FILE

Serves the OCI image layout LAYOUT_DIR as repository "app" on 127.0.0.1 at a free port,
written to PORT_FILE, without authentication.  Blobs are served honestly.  Manifests are not:

  /v2/app/manifests/sha256:<anything>  the manifest of the layout's first image, whatever the
                                       digest asked for, with no Docker-Content-Digest header
                                       (only the puller's own check can refuse it)
  /v2/app/manifests/wrong-header       the same manifest, announced with a
                                       Docker-Content-Digest that is not its digest
  /v2/app/manifests/index              an image index naming the first image (linux/amd64)
                                       by its true digest, honestly
  /v2/app/manifests/bad-index          an image index naming a digest no manifest has (the
                                       registry then answers it with the first image's)
  /v2/app/manifests/<tag>              the tag's manifest, honestly

A test fixture, not part of hull.
"""
import hashlib
import http.server
import json
import os
import sys

layout, port_file = sys.argv[1], sys.argv[2]
index = json.load(open(os.path.join(layout, "index.json")))
tags = {m.get("annotations", {}).get("org.opencontainers.image.ref.name", "latest").rsplit(":", 1)[-1]: m
        for m in index["manifests"]}
first = index["manifests"][0]


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

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/v2/":
            return self.send(200, b"{}")
        if path.startswith("/v2/app/manifests/"):
            ref = path[len("/v2/app/manifests/"):]
            headers = []
            if ref.startswith("sha256:"):
                data = blob(first["digest"])
            elif ref == "wrong-header":
                data = blob(first["digest"])
                headers = [("Docker-Content-Digest", "sha256:" + "1" * 64)]
            elif ref in ("index", "bad-index"):
                digest = first["digest"] if ref == "index" else "sha256:" + "2" * 64
                data = json.dumps({"schemaVersion": 2,
                                   "mediaType": "application/vnd.oci.image.index.v1+json",
                                   "manifests": [{"mediaType": first["mediaType"], "digest": digest,
                                                  "size": first["size"],
                                                  "platform": {"architecture": "amd64", "os": "linux"}}]}).encode()
                headers = [("Docker-Content-Digest", "sha256:" + hashlib.sha256(data).hexdigest())]
            elif ref in tags:
                data = blob(tags[ref]["digest"])
                headers = [("Docker-Content-Digest", "sha256:" + hashlib.sha256(data).hexdigest())]
            else:
                return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
            mt = json.loads(data).get("mediaType", "application/vnd.oci.image.manifest.v1+json")
            return self.send(200, data, mt, headers)
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
