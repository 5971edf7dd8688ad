#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""seccomp_listener.py SOCKET OUTDIR [ERRNO]: a seccomp notify listener for the tests.

Listens on the unix socket SOCKET; each runtime connection brings one seccomp notify fd
(SCM_RIGHTS) and the container process state as JSON, saved as OUTDIR/state.N.json.  Every
notification on every fd is answered with -ERRNO (default EXDEV), so a workload sees that the
listener, not the kernel, handled its call.  Runs until killed.
"""
import errno
import fcntl
import os
import select
import socket
import struct
import sys

# struct seccomp_notif: id u64, pid u32, flags u32, seccomp_data (nr i32, arch u32, ip u64,
# args 6 x u64) = 80 bytes; struct seccomp_notif_resp: id u64, val s64, error s32, flags u32
NOTIF_SIZE, RESP_SIZE = 80, 24
NOTIF_RECV = (3 << 30) | (NOTIF_SIZE << 16) | (ord("!") << 8) | 0
NOTIF_SEND = (3 << 30) | (RESP_SIZE << 16) | (ord("!") << 8) | 1


def main():
    path, out = sys.argv[1], sys.argv[2]
    answer = int(sys.argv[3]) if len(sys.argv) > 3 else errno.EXDEV
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(8)
    poller = select.poll()
    poller.register(srv.fileno(), select.POLLIN)
    n = 0
    while True:
        for fd, ev in poller.poll():
            if fd == srv.fileno():
                conn, _ = srv.accept()
                msg, fds, _, _ = socket.recv_fds(conn, 65536, 4)
                conn.close()
                n += 1
                with open(os.path.join(out, "state.%d.json" % n), "wb") as f:
                    f.write(msg)
                for nfd in fds:
                    poller.register(nfd, select.POLLIN)
                continue
            if ev & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                poller.unregister(fd)
                os.close(fd)
                continue
            buf = bytearray(NOTIF_SIZE)
            try:
                fcntl.ioctl(fd, NOTIF_RECV, buf, True)
            except OSError:
                continue  # the caller went away
            nid = struct.unpack_from("Q", buf, 0)[0]
            resp = struct.pack("QqiI", nid, 0, -answer, 0)
            try:
                fcntl.ioctl(fd, NOTIF_SEND, bytearray(resp), True)
            except OSError:
                pass


if __name__ == "__main__":
    main()
