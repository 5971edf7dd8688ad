#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""mkimages.py ROOTFS OUTDIR: the two images tests/integration/test_cri.sh imports into its
containerd, as docker-archives (one layer each) named by their RepoTags:

  pause.tar  hull.test/pause:1    a pause-like sandbox image: busybox and /pause (exits on
                                  TERM or INT), and, like k8s' pause, no /proc, /sys or /dev
  app.tar    hull.test/busybox:1  the busybox root file system ROOTFS, `sh` by default
"""
import hashlib
import io
import json
import os
import sys
import tarfile

ROOTFS, OUT = sys.argv[1], sys.argv[2]
PAUSE = b"#!/bin/sh\ntrap 'exit 0' TERM INT\nwhile :; do sleep 1; done\n"


def layer(skip=(), extra=()):
    """The rootfs as an uncompressed layer tar, minus the top-level names in skip."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name in sorted(os.listdir(ROOTFS)):
            if name in skip:
                continue
            t.add(os.path.join(ROOTFS, name), arcname=name)
        for path, data, mode in extra:
            ti = tarfile.TarInfo(path)
            ti.size = len(data)
            ti.mode = mode
            t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def archive(path, tag, blob, cfg):
    diff = "sha256:" + hashlib.sha256(blob).hexdigest()
    config = json.dumps({
        "architecture": "amd64",
        "os": "linux",
        "config": cfg,
        "rootfs": {"type": "layers", "diff_ids": [diff]},
        "history": [{"created_by": "tests/data/cri/mkimages.py"}],
    }).encode()
    cfg_name = hashlib.sha256(config).hexdigest() + ".json"
    manifest = json.dumps([{"Config": cfg_name, "RepoTags": [tag],
                            "Layers": ["layer.tar"]}]).encode()
    with tarfile.open(path, "w") as t:
        for name, data in ((cfg_name, config), ("layer.tar", blob),
                           ("manifest.json", manifest)):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))


env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
archive(os.path.join(OUT, "pause.tar"), "hull.test/pause:1",
        layer(skip=("proc", "sys", "dev"), extra=(("pause", PAUSE, 0o755),)),
        {"Env": env, "Entrypoint": ["/pause"], "WorkingDir": "/"})
archive(os.path.join(OUT, "app.tar"), "hull.test/busybox:1", layer(),
        {"Env": env, "Cmd": ["sh"], "WorkingDir": "/"})
