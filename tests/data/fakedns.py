#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""fakedns.py ADDR ANSWER: a UDP DNS server on ADDR:53 that answers every A query with ANSWER
(TTL 5) and every other query with no records; it writes "ready" on stdout once bound.  The
upstream resolver of the network tests: it stands in for the host's nameserver, inside the
test's own network namespace."""
import socket
import struct
import sys

addr, answer = sys.argv[1], socket.inet_aton(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, 53))
print("ready", flush=True)
while True:
    q, peer = s.recvfrom(512)
    if len(q) < 12:
        continue
    qid, = struct.unpack("!H", q[:2])
    end = 12
    while end < len(q) and q[end]:
        end += 1 + q[end]
    question = q[12:end + 5]
    qtype, = struct.unpack("!H", q[end + 1:end + 3])
    records = b""
    if qtype == 1:
        records = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 5, 4) + answer
    head = struct.pack("!HHHHHH", qid, 0x8180, 1, 1 if records else 0, 0, 0)
    s.sendto(head + question + records, peer)
