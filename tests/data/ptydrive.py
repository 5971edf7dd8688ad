# SPDX-License-Identifier: Apache-2.0
"""ptydrive.py ROWS COLS SEND... -- CMD...: run CMD on a terminal of its own (a new pty of that
size), type each SEND (with python escapes: '\\r', '\\x10') after a pause for the output, then
print everything CMD wrote (carriage returns dropped) and its exit status as "rc=N".  For the
tests of `hull attach` and `hull start -ai` on a container with a terminal."""
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time

i = sys.argv.index('--')
rows, cols = int(sys.argv[1]), int(sys.argv[2])
sends = [s.encode().decode('unicode_escape').encode('latin-1') for s in sys.argv[3:i]]
cmd = sys.argv[i + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
out = b''
def pump(t):
    global out
    end = time.time() + t
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                d = os.read(fd, 65536)
            except OSError:
                return False
            if not d:
                return False
            out += d
    return True
pump(0.8)
for s in sends:
    os.write(fd, s)
    if not pump(0.8):
        break
deadline = time.time() + 15
while time.time() < deadline:
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        break
    pump(0.1)
else:
    os.kill(pid, 9); p, st = os.waitpid(pid, 0)
pump(0.2)
sys.stdout.write(out.decode('utf-8', 'replace').replace('\r', ''))
print('rc=%d' % (os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st)))
