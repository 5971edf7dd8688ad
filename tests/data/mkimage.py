#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""mkimage.py OUTDIR [OUTSIDE]: test images built from busybox-static, without docker or a
registry.

  busybox.docker.tar   docker-archive (docker save's classic layout), 3 layers:
                       plain tar, gzip and zstd
  busybox.oci.tar      oci-archive of the same image (gzip and zstd layers)
  busybox.oci/         the same as an OCI image layout directory
  corrupt.oci.tar      a layer blob whose content does not match its digest
  badiff.docker.tar    a layer whose content does not match the config's diff_id
  rootfs.tar.gz        a plain root file system tarball (for `hull import`)
  notail.oci.tar       busybox's layer 1 and a layer whose stream ends right after its last
                       file's data, without padding or end blocks (umoci 0.4.7's insert)
  cutdata.oci.tar      the same with that file's data cut short
  hostile-*.docker.tar one-layer images that try to write outside the layer; OUTSIDE is
                       the directory their symlinks point to
  volumes.docker.tar   layer 1 and a layer with content at its Volumes (for docker's copy-up
                       into new volumes): /data (owners, modes, a symlink, a subdirectory),
                       and /evil, /evil-rel: symlinks to OUTSIDE, absolute and by ..

Layer 1: busybox, /etc/passwd and /etc/group, /etc/removed, /opt/old/{a,b}, a hard link,
         a character device (1:3) at /dev/hulltest, /tmp 1777.
Layer 2: whites out /etc/removed, makes /opt/old opaque (adds /opt/old/c), a file owned by
         1000:1000 mode 0640 with an xattr, /etc/motd.
Layer 3: rewrites /etc/motd, adds /etc/layer3.
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile

OUT = sys.argv[1]
OUTSIDE = sys.argv[2] if len(sys.argv) > 2 else "/tmp/hull-outside"
BUSYBOX = shutil.which("busybox") or "/bin/busybox"
MTIME = 1700000000


def ti(name, kind=tarfile.REGTYPE, mode=0o644, data=b"", uid=0, gid=0, **kw):
    t = tarfile.TarInfo(name)
    t.type = kind
    t.mode = mode
    t.uid, t.gid = uid, gid
    t.mtime = MTIME
    for k, v in kw.items():
        setattr(t, k, v)
    if kind == tarfile.REGTYPE:
        t.size = len(data)
    return t, (io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def tar_bytes(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for t, f in entries:
            tf.addfile(t, f)
    return buf.getvalue()


def d(name, mode=0o755, uid=0, gid=0):
    return ti(name, tarfile.DIRTYPE, mode, uid=uid, gid=gid)


def layer1():
    bb = open(BUSYBOX, "rb").read()
    applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True).stdout.split()
    e = [d("bin/"), d("etc/"), d("dev/"), d("proc/"), d("sys/"), d("root/", 0o700),
         d("tmp/", 0o1777), d("opt/"), d("opt/old/"), d("home/"), d("home/app/", uid=1000, gid=1000)]
    e.append(ti("bin/busybox", mode=0o755, data=bb))
    for a in applets:
        if a != "busybox":
            e.append(ti("bin/" + a, tarfile.SYMTYPE, 0o777, linkname="busybox"))
    e.append(ti("etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\n"
                b"app:x:1000:1000:app:/home/app:/bin/sh\n"
                b"nobody:x:65534:65534:nobody:/:/bin/false\n"))
    e.append(ti("etc/group", data=b"root:x:0:\napp:x:1000:\nstaff:x:50:app\n"
                b"nogroup:x:65534:\n"))
    e.append(ti("etc/removed", data=b"gone in layer 2\n"))
    e.append(ti("opt/old/a", data=b"a\n"))
    e.append(ti("opt/old/b", data=b"b\n"))
    e.append(ti("opt/keep", data=b"keep\n"))
    e.append(ti("opt/keep-link", tarfile.LNKTYPE, linkname="opt/keep"))
    e.append(ti("dev/hulltest", tarfile.CHRTYPE, 0o666, devmajor=1, devminor=3))
    return tar_bytes(e)


def layer2():
    t, f = ti("home/app/secret", mode=0o640, data=b"app's\n", uid=1000, gid=1000)
    t.pax_headers = {"SCHILY.xattr.user.hulltest": "yes"}
    return tar_bytes([d("etc/"), ti("etc/.wh.removed"), d("opt/"), d("opt/old/"),
                      ti("opt/old/.wh..wh..opq"), ti("opt/old/c", data=b"c\n"),
                      ti("etc/motd", data=b"layer 2\n"), d("home/"),
                      d("home/app/", uid=1000, gid=1000), (t, f)])


def layer3():
    return tar_bytes([d("etc/"), ti("etc/motd", data=b"layer 3\n"),
                      ti("etc/layer3", data=b"3\n")])


def volumes_layer():
    return tar_bytes([
        d("data/", 0o750, uid=1000, gid=50),
        ti("data/seed", mode=0o640, data=b"from the image\n", uid=1000, gid=1000),
        ti("data/link", tarfile.SYMTYPE, 0o777, linkname="/etc/passwd"),
        d("data/sub/", 0o700, uid=65534, gid=65534),
        ti("data/sub/deep", data=b"deep\n"),
        ti("evil", tarfile.SYMTYPE, 0o777, linkname=OUTSIDE),
        ti("evil-rel", tarfile.SYMTYPE, 0o777, linkname="../../../../../../.." + OUTSIDE)])


def zstd(data):
    return subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True,
                          check=True).stdout


def gz(data):
    return gzip.compress(data, mtime=0)


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def config(diff_ids, cfg=None):
    return json.dumps({
        "architecture": "amd64", "os": "linux", "created": "2024-01-02T03:04:05Z",
        "config": cfg if cfg is not None else {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "FOO=bar"],
            "Entrypoint": ["/bin/sh", "-c"], "Cmd": ["cat /etc/motd"],
            "WorkingDir": "/opt", "User": "app:staff", "StopSignal": "SIGQUIT",
            "Labels": {"org.example.test": "yes"}, "Volumes": {"/data": {}},
            "ExposedPorts": {"80/tcp": {}, "53/udp": {}}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": "mkimage.py"}]}).encode()


def add(tf, name, data):
    t = tarfile.TarInfo(name)
    t.size, t.mtime, t.mode = len(data), MTIME, 0o644
    tf.addfile(t, io.BytesIO(data))


def docker_archive(path, layers, tags, cfg=None, diff_ids=None):
    """layers: list of (stored bytes, uncompressed bytes)"""
    diff_ids = diff_ids or [sha(u) for _, u in layers]
    c = config(diff_ids, cfg)
    with tarfile.open(path, "w") as tf:
        names = []
        for i, (stored, _) in enumerate(layers):
            n = "%064x/layer.tar" % (i + 1)
            add(tf, n, stored)
            names.append(n)
        cname = sha(c)[7:] + ".json"
        add(tf, cname, c)
        add(tf, "manifest.json", json.dumps(
            [{"Config": cname, "RepoTags": tags, "Layers": names}]).encode())
        add(tf, "repositories", b"{}")


def oci_layout(layers, name, corrupt=False):
    """-> dict path -> bytes"""
    files = {"oci-layout": b'{"imageLayoutVersion":"1.0.0"}'}
    c = config([sha(u) for _, u in layers])
    descs = []
    for i, (stored, _) in enumerate(layers):
        mt = "application/vnd.oci.image.layer.v1.tar"
        if stored[:2] == b"\x1f\x8b":
            mt += "+gzip"
        elif stored[:4] == b"\x28\xb5\x2f\xfd":
            mt += "+zstd"
        digest = sha(stored)
        if corrupt and i == len(layers) - 1:
            stored = stored[:-1] + bytes([stored[-1] ^ 1])
        files["blobs/sha256/" + digest[7:]] = stored
        descs.append({"mediaType": mt, "digest": digest, "size": len(stored)})
    files["blobs/sha256/" + sha(c)[7:]] = c
    m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                               "digest": sha(c), "size": len(c)},
                    "layers": descs}).encode()
    files["blobs/sha256/" + sha(m)[7:]] = m
    files["index.json"] = json.dumps({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(m),
        "size": len(m), "annotations": {"org.opencontainers.image.ref.name": name}}]}).encode()
    return files


def write_oci_archive(path, files):
    with tarfile.open(path, "w") as tf:
        for n, data in files.items():
            add(tf, n, data)


def write_oci_dir(path, files):
    for n, data in files.items():
        p = os.path.join(path, n)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)


def tailless(cut=0):
    """A layer ending right after its last entry's data (minus cut bytes): no padding, no
    end-of-archive blocks."""
    data = bytes((i * 7) % 251 for i in range(1000))
    raw = tar_bytes([d("inserted/"), ti("inserted/last", data=data)])
    # tarfile writes the data, pads it to a block, then two zero blocks and record padding
    end = raw.rstrip(b"\0")
    while not end.endswith(data):
        end += b"\0"  # the data's own trailing zeros, if any
    return end[:len(end) - cut]


def hostile(name, entries):
    raw = tar_bytes(entries)
    docker_archive(os.path.join(OUT, "hostile-%s.docker.tar" % name), [(raw, raw)],
                   ["hostile/" + name + ":latest"], cfg={})


def main():
    os.makedirs(OUT, exist_ok=True)
    l1, l2, l3 = layer1(), layer2(), layer3()
    docker_archive(os.path.join(OUT, "busybox.docker.tar"),
                   [(l1, l1), (gz(l2), l2), (zstd(l3), l3)], ["hulltest/busybox:docker"])
    oci = [(gz(l1), l1), (zstd(l2), l2), (gz(l3), l3)]
    write_oci_archive(os.path.join(OUT, "busybox.oci.tar"), oci_layout(oci, "hulltest/busybox:oci"))
    write_oci_dir(os.path.join(OUT, "busybox.oci"), oci_layout(oci, "hulltest/busybox:layout"))
    write_oci_archive(os.path.join(OUT, "corrupt.oci.tar"),
                      oci_layout(oci, "hulltest/corrupt:latest", corrupt=True))
    docker_archive(os.path.join(OUT, "badiff.docker.tar"), [(l1, l1), (l2, l2)],
                   ["hulltest/badiff:latest"], diff_ids=[sha(l1), sha(l3)])
    lv = volumes_layer()
    docker_archive(os.path.join(OUT, "volumes.docker.tar"), [(l1, l1), (lv, lv)],
                   ["hulltest/volumes:latest"],
                   cfg={"Env": ["PATH=/bin"], "Entrypoint": ["/bin/sh", "-c"],
                        "Volumes": {"/data": {}, "/evil": {}, "/evil-rel": {}}})
    with open(os.path.join(OUT, "rootfs.tar.gz"), "wb") as f:
        f.write(gz(l1))
    l4 = tailless()
    write_oci_archive(os.path.join(OUT, "notail.oci.tar"),
                      oci_layout([(gz(l1), l1), (gz(l4), l4)], "hulltest/notail:latest"))
    l5 = tailless(cut=10)
    write_oci_archive(os.path.join(OUT, "cutdata.oci.tar"),
                      oci_layout([(gz(l1), l1), (gz(l5), l5)], "hulltest/cutdata:latest"))
    hostile("dotdot", [d("a/"), ti("a/../../dotdot-escape", data=b"x\n")])
    hostile("abs", [ti(os.path.join(OUTSIDE, "abs-escape"), data=b"x\n")])
    hostile("symlink", [ti("evil", tarfile.SYMTYPE, 0o777, linkname=OUTSIDE),
                        ti("evil/symlink-escape", data=b"x\n")])
    hostile("hardlink", [ti("passwd", tarfile.LNKTYPE, linkname="/etc/passwd")])
    hostile("hardlink-dotdot", [ti("passwd", tarfile.LNKTYPE, linkname="../../../../etc/passwd")])
    hostile("hardlink-symlink", [ti("evil", tarfile.SYMTYPE, 0o777, linkname="/etc"),
                                 ti("passwd", tarfile.LNKTYPE, linkname="evil/passwd")])
    # loads, but without the overlay xattr (it would hide the layers below)
    x, _ = d("x/")
    x.pax_headers = {"SCHILY.xattr.trusted.overlay.opaque": "y"}
    hostile("overlay-xattr", [(x, None), ti("x/f", data=b"f\n")])


if __name__ == "__main__":
    main()
