# SPDX-License-Identifier: Apache-2.0
# exec and terminals in VM containers (vm/exec.c, vm/relay.c, vm/guest/session.c).  TCG
# boots take seconds: each test boots one VM and checks several things in it.

# vm_ready, vm_bundle and wait_for: lib.sh

recvtty() {
	local helper=/var/tmp/hull-test-cache/recvtty
	if [ ! -x "$helper" ] || [ "$REPO/tests/data/recvtty.c" -nt "$helper" ]; then
		mkdir -p "$(dirname "$helper")"
		cc -O2 -o "$helper.$$" "$REPO/tests/data/recvtty.c" && mv "$helper.$$" "$helper"
	fi
	RECVTTY_TIMEOUT=60 "$helper" "$@"
}

wait_socket() { for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.05; done; fatal "no socket $1"; }

# a running VM container whose workload traps USR1: $1 = name
vm_started() {
	local b id=$(cid "$1")
	b=$(vm_bundle "$1" sh -c 'trap "echo main-USR1" USR1; echo ready; while :; do sleep 0.1; done')
	oci create -b "$b" "$id" >"$WORK/main.out" 2>"$WORK/main.err"
	oci start "$id"
	wait_for "$WORK/main.out" ready
	echo "$id"
}

test_vm_exec_stdio_status_and_concurrency() {
	vm_ready
	local id rc out p1 p2
	id=$(vm_started x)
	# exit code, stdout and stderr apart
	set +e
	oci exec "$id" sh -c 'echo to-out; echo to-err >&2; exit 3' >"$WORK/out" 2>"$WORK/err"
	rc=$?
	set -e
	assert_eq $rc 3 "exec's exit code"
	assert_eq "$(cat "$WORK/out")" to-out
	assert_eq "$(cat "$WORK/err")" to-err "stderr (only)"
	# stdin up to its end
	assert_eq "$(printf 'a\nb\n' | oci exec "$id" cat)" $'a\nb'
	# megabytes both ways at once: the relay never blocks on a full port while the guest
	# waits for its output to be read
	assert_eq "$(head -c 3000000 /dev/urandom | tee "$WORK/in" | oci exec "$id" cat | sha256sum)" \
		"$(sha256sum <"$WORK/in")" "3 MB through exec's cat"
	# and a process that writes megabytes before it reads any of its input
	assert_eq "$(head -c 3000000 /dev/zero | oci exec "$id" sh -c 'head -c 3000000 /dev/zero; wc -c' | wc -c)" \
		$((3000000 + 8)) "3 MB out before 3 MB in"
	# the exit status after much output: the relay's buffer then holds old output behind the
	# status frame, which must not be read as part of the status
	set +e
	oci exec "$id" sh -c 'head -c 300000 /dev/zero | tr "\0" 7; exit 5' >"$WORK/big"
	rc=$?
	set -e
	assert_eq $rc 5 "exec's exit code after 300 KB of output"
	assert_eq "$(tr -d 7 <"$WORK/big" | wc -c):$(wc -c <"$WORK/big")" 0:300000 "the output"
	# the host's sub-cgroups are not where a VM's processes live
	assert_fails oci exec --cgroup sub "$id" true
	assert_contains "$OUT" "runs in a VM"
	# user, groups, cwd, env; and the process as JSON
	out=$(oci exec -u 1000:1000 -g 5 --cwd /tmp -e FOO=bar "$id" sh -c 'id -u; id -G; pwd; echo $FOO')
	assert_eq "$out" $'1000\n1000 5\n/tmp\nbar'
	jq -n '{args: ["sh", "-c", "echo $X $(id -u)"], env: ["X=from-json"], cwd: "/", user: {uid: 65534, gid: 65534}}' >"$WORK/p.json"
	assert_eq "$(oci exec --process "$WORK/p.json" "$id")" "from-json 65534"
	# killed by a signal in the guest: 128+N
	set +e
	oci exec "$id" sh -c 'kill -TERM $$'
	rc=$?
	set -e
	assert_eq $rc 143 "exec killed by SIGTERM"
	# a command that is not there, or that cannot run: exec fails as hull-oci's does in a
	# container (status 255, as runc), naming why (hull exec's 127 and 126: test_vm_hull_exec)
	set +e
	oci exec "$id" no-such-command 2>"$WORK/err"
	rc=$?
	set -e
	assert_eq $rc 255 "exec of a missing command"
	assert_contains "$(cat "$WORK/err")" "exec \`no-such-command\`"
	assert_contains "$(cat "$WORK/err")" "no such file or directory"
	printf 'neither ELF nor #!\n' >"$WORK/x/rootfs/garbage"
	chmod 755 "$WORK/x/rootfs/garbage"
	set +e
	oci exec "$id" /garbage 2>"$WORK/err"
	rc=$?
	set -e
	assert_eq $rc 255 "exec of an exec format error"
	assert_contains "$(cat "$WORK/err")" "exec format error"
	# two detached execs at once and a kill of the main process while they run; the pid is
	# the host relay's: a signal to it reaches the process in the guest
	oci exec -d --pid-file "$WORK/p1" "$id" sh -c 'trap "echo one-TERM; exit 5" TERM; echo one-ready; while :; do sleep 0.1; done' >"$WORK/one" 2>&1
	oci exec -d --pid-file "$WORK/p2" "$id" sh -c 'echo two-ready; exec sleep 1000' >"$WORK/two" 2>&1
	wait_for "$WORK/one" one-ready
	wait_for "$WORK/two" two-ready
	p1=$(cat "$WORK/p1")
	p2=$(cat "$WORK/p2")
	oci kill "$id" USR1
	wait_for "$WORK/main.out" main-USR1
	assert_contains "$(oci ps "$id" -o pid)" "$p1" "the relay is one of the container's processes"
	kill -TERM "$p1"
	wait_for "$WORK/one" one-TERM
	for _ in $(seq 100); do alive "$p1" || break; sleep 0.1; done
	alive "$p1" && fatal "exec relay $p1 still there after its process ended"
	# killing the relay ends the process in the guest
	kill -9 "$p2"
	for _ in $(seq 100); do
		oci exec "$id" ps -o args | grep -q "^sleep 1000" || break
		sleep 0.2
	done
	oci exec "$id" ps -o args | grep -q "^sleep 1000" && fatal "the guest process outlived its relay"
	# delete --force leaves no relay, QEMU, virtiofsd or socket
	oci exec -d --pid-file "$WORK/p3" "$id" sleep 1000
	oci delete --force "$id"
	for _ in $(seq 50); do alive "$(cat "$WORK/p3")" || break; sleep 0.1; done
	alive "$(cat "$WORK/p3")" && fatal "exec relay survived delete --force"
	[ ! -e "$ROOT/$id" ] || fatal "state or sockets left after delete --force"
}

# A pty master from the console socket: resize it, type, read what comes back.
tty_driver() {
	python3 - "$@" <<'EOF'
import array, fcntl, os, select, socket, struct, sys, termios, time
path, out = sys.argv[1], open(sys.argv[2], "wb")
ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ls.bind(path)
ls.listen(1)
c, _ = ls.accept()
fds = array.array("i")
msg, anc, _, _ = c.recvmsg(256, socket.CMSG_LEN(4))
fds.frombytes(anc[0][2][:4])
m = fds[0]
buf = b""
def until(text):
    global buf
    end = time.time() + 60
    while text not in buf and time.time() < end:
        r, _, _ = select.select([m], [], [], 1)
        if r:
            try:
                d = os.read(m, 4096)
            except OSError:
                return
            if not d:
                return
            buf += d
            out.write(d)
            out.flush()
fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack("HHHH", 20, 60, 0, 0))
os.write(m, b"one\n")
until(b"size:20 60")
fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack("HHHH", 31, 97, 0, 0))
os.write(m, b"two\n")
until(b"size:31 97")
until(b"\x00never")
EOF
}

# Output an exec's background children write after its main process exits reaches the caller
# (runc: the caller's pipe stays open while a writer has it), the exit status comes at once,
# and a child that never closes its stdout holds an exec port for the linger (vm/README.md)
# at most.
test_vm_exec_background_output() {
	vm_ready
	local id rc out t0 t1 i
	id=$(vm_started bg)
	set +e
	out=$(oci exec "$id" sh -c '(sleep 0.5; echo late; echo late-err >&2) & echo early; exit 4' 2>"$WORK/bg.err")
	rc=$?
	set -e
	assert_eq $rc 4 "exec's exit code with a background child"
	assert_eq "$out" $'early\nlate' "output written after the main process exited"
	assert_eq "$(cat "$WORK/bg.err")" late-err "stderr written after the main process exited"
	# the status is not held back by a child that keeps stdout open: with the output in a
	# file, the exec returns at once
	t0=$(date +%s%N)
	oci exec "$id" sh -c 'sleep 1000 & echo held; exit 0' >"$WORK/held"
	t1=$(date +%s%N)
	assert_eq "$(cat "$WORK/held")" held
	[ $(((t1 - t0) / 1000000)) -lt 3000 ] || fatal "exec waited $(((t1 - t0) / 1000000)) ms for its background child"
	# every port taken by such an exec, and one more exec: it gets a port once a linger ends
	for i in $(seq 8); do
		oci exec "$id" sh -c "sleep 1000 & echo n$i" >"$WORK/n$i"
	done
	assert_eq "$(oci exec "$id" echo after)" after "an exec after the ports' lingers"
	for i in $(seq 8); do assert_eq "$(cat "$WORK/n$i")" "n$i"; done
	oci kill "$id" KILL
	wait_status "$id" stopped
	oci delete "$id"
}

test_vm_exec_terminal() {
	vm_ready
	command -v python3 >/dev/null || skip "python3 not installed"
	local id out
	id=$(vm_started t)
	# the pty sent to the console socket is the guest pty's other end, with its size changes
	tty_driver "$WORK/tty.sock" "$WORK/tty.out" &
	wait_socket "$WORK/tty.sock"
	oci exec -t --console-socket "$WORK/tty.sock" "$id" sh -c 'tty; read a; echo "size:$(stty size)"; read b; echo "size:$(stty size)"; echo "got:$a,$b"'
	wait
	out=$(tr -d '\r' <"$WORK/tty.out")
	assert_contains "$out" "/dev/pts/"
	assert_contains "$out" "size:20 60"
	assert_contains "$out" "size:31 97"
	assert_contains "$out" "got:one,two"
	# the guest's line discipline echoes, once
	assert_eq "$(grep -c '^one$' <<<"$out")" 1 "echo of the typed line"
	# in the foreground without a console socket hull proxies the pty itself
	out=$(oci exec -t "$id" sh -c 'test -t 0 && test -t 1 && echo is-a-tty' </dev/null | tr -d '\r')
	assert_eq "$out" is-a-tty
	assert_fails oci exec -t -d "$id" true
	assert_contains "$OUT" "console-socket"
	oci delete --force "$id"
}

test_vm_main_process_terminal() {
	vm_ready
	local b id out
	b=$(vm_bundle m sh -c 'test -t 0 && test -t 1 && echo tty-yes; stty size; read x; echo "got:$x"; exit 4')
	cfg "$b" '.process.terminal=true | .process.consoleSize={"height": 30, "width": 90}'
	id=$(cid m)
	recvtty "$WORK/tty.sock" $'typed\n' >"$WORK/tty.out" &
	wait_socket "$WORK/tty.sock"
	oci create -b "$b" --console-socket "$WORK/tty.sock" "$id" 2>"$WORK/err"
	# no VM before start: exec is refused, and says why
	assert_fails oci exec "$id" true
	assert_contains "$OUT" "started"
	oci start "$id"
	wait
	out=$(tr -d '\r' <"$WORK/tty.out")
	assert_contains "$out" tty-yes
	assert_contains "$out" "30 90" "consoleSize in the guest"
	assert_contains "$out" "got:typed"
	assert_eq "$(grep -c '^typed$' <<<"$out")" 1 "echo of the typed line"
	wait_status "$id" stopped
	assert_eq "$(cat "$ROOT/$id/vm-status")" "exit 4"
	assert_fails oci exec "$id" true
	assert_contains "$OUT" "stopped"
	oci delete "$id"
	[ ! -e "$ROOT/$id" ] || fatal "state left after delete"
	# run in the foreground on our own terminal: hull proxies it, with its size
	cfg "$b" '.process.args=["sh", "-c", "test -t 0 && echo tty-yes; stty size; exit 3"] | del(.process.consoleSize)'
	out=$(script -qec "stty rows 40 cols 120; $HULL_OCI --root $ROOT run -b $b $(cid m2) 2>/dev/null; echo rc=\$?" /dev/null </dev/null | tr -d '\r')
	assert_contains "$out" tty-yes
	assert_contains "$out" "40 120" "our terminal's size in the guest"
	assert_contains "$out" "rc=3"
}

# hull exec (the Docker-style CLI) takes the same path into the guest.
test_vm_hull_exec() {
	vm_ready
	local hull="$REPO/build/hull" b out rc=0
	b=$(bundle h true)
	# after the container (the last deferred runs first): its cgroup parent
	defer sh -c 'rmdir /sys/fs/cgroup/*/hull-test/"$1"' _ "$T-h"
	defer "$hull" --root "$WORK/store" --runroot "$ROOT" rm -f "$T-web"
	"$hull" --root "$WORK/store" --runroot "$ROOT" run -d --name "$T-web" --isolation vm --network none \
		--cgroup-parent "/hull-test/$T-h" --rootfs "$b/rootfs" sh -c 'sleep 1000' >/dev/null
	# CVE-2019-5736 on the VM level's host side: hull's own processes of the container (the
	# stdin relay beside QEMU) run from the read-only view, not from the host's binary
	local pid p n=0
	pid=$("$hull" --root "$WORK/store" --runroot "$ROOT" inspect "$T-web" | jq -r '.[0].State.Pid')
	for p in $(pgrep -P "$pid"); do
		[[ $(readlink "/proc/$p/exe") == */hull ]] || continue
		n=$((n + 1))
		[ "$(stat -L -c %d:%i "/proc/$p/exe")" != "$(stat -c %d:%i "$hull")" ] ||
			fatal "process $p of the VM container runs the host's hull binary"
	done
	[ "$n" -gt 0 ] || fatal "no relay of hull's beside QEMU ($pid): $(pgrep -a -P "$pid")"
	out=$("$hull" --root "$WORK/store" --runroot "$ROOT" exec -e X=1 "$T-web" sh -c 'echo "in the vm X=$X"; uname -r; exit 6') || rc=$?
	assert_eq "$rc" 6 "hull exec's exit status"
	assert_eq "$out" $'in the vm X=1\n'"$(guest_kernel_version)"
	# top, stats and pause at the vm level: ps runs in the guest; the host's cgroup counts
	# the VMM; a paused VM is frozen and answers again once thawed
	out=$("$hull" --root "$WORK/store" --runroot "$ROOT" top "$T-web")
	assert_contains "$out" "sleep 1000" "the guest's processes"
	assert_not_contains "$out" "qemu" "top showed the host side"
	out=$("$hull" --root "$WORK/store" --runroot "$ROOT" stats --no-stream --format '{{.Name}} {{.PIDs}}')
	[[ $out =~ ^$T-web\ [0-9]+$ ]] || fatal "stats of a VM container: $out"
	"$hull" --root "$WORK/store" --runroot "$ROOT" pause "$T-web" >/dev/null
	assert_eq "$("$hull" --root "$WORK/store" --runroot "$ROOT" inspect -f '{{.State.Status}}' "$T-web")" paused
	"$hull" --root "$WORK/store" --runroot "$ROOT" unpause "$T-web" >/dev/null
	assert_eq "$("$hull" --root "$WORK/store" --runroot "$ROOT" exec "$T-web" echo thawed)" thawed
	# docker's statuses for a command that is not there (127) or cannot run (126)
	printf 'neither ELF nor #!\n' >"$b/rootfs/garbage"
	chmod 755 "$b/rootfs/garbage"
	rc=0
	"$hull" --root "$WORK/store" --runroot "$ROOT" exec "$T-web" no-such-command 2>"$WORK/err" || rc=$?
	assert_eq "$rc" 127 "hull exec of a missing command: $(cat "$WORK/err")"
	rc=0
	"$hull" --root "$WORK/store" --runroot "$ROOT" exec "$T-web" /garbage 2>"$WORK/err" || rc=$?
	assert_eq "$rc" 126 "hull exec of an exec format error: $(cat "$WORK/err")"
	rc=0
	"$hull" --root "$WORK/store" --runroot "$ROOT" exec "$T-web" /etc/passwd 2>"$WORK/err" || rc=$?
	assert_eq "$rc" 126 "hull exec of a file that is not executable: $(cat "$WORK/err")"
	"$hull" --root "$WORK/store" --runroot "$ROOT" rm -f "$T-web" >/dev/null
}

# The spec's capabilities, noNewPrivileges and seccomp filter apply inside the guest (vm/guest/
# security.c): to the main process, and to an exec with its own capabilities and
# noNewPrivileges and the container's filter (as OCI wants).
test_vm_security_in_guest() {
	vm_ready
	local b id out show='grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):" /proc/self/status | tr -d "\t"; mkdir /tmp/denied || echo mkdir-failed'
	id=$(cid s)
	b=$(vm_bundle s sh -c "$show; echo oom=\$(cat /proc/self/oom_score_adj); echo ready; while :; do sleep 0.1; done")
	echo "top secret" >"$b/rootfs/secret.txt"
	echo "linked file" >"$b/rootfs/linked.txt"
	ln -s linked.txt "$b/rootfs/link"
	mkdir -p "$b/rootfs/secretdir" && touch "$b/rootfs/secretdir/a"
	cfg "$b" '.process.oomScoreAdj = 300 | .linux.sysctl = {"net.ipv4.ip_forward": "1"}
		| .linux.maskedPaths += ["/secret.txt", "/secretdir", "/link"]'
	cfg "$b" '.process.capabilities = {bounding: ["CAP_CHOWN", "CAP_KILL"], effective: ["CAP_CHOWN", "CAP_KILL"], permitted: ["CAP_CHOWN", "CAP_KILL"]}
		| .process.noNewPrivileges = true
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
			syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}'
	oci create -b "$b" "$id" >"$WORK/main.out" 2>"$WORK/main.err"
	oci start "$id"
	wait_for "$WORK/main.out" ready
	out=$(cat "$WORK/main.out" "$WORK/main.err")
	for want in CapInh:0000000000000000 CapPrm:0000000000000021 CapEff:0000000000000021 \
		CapBnd:0000000000000021 CapAmb:0000000000000000 NoNewPrivs:1 Seccomp:2 mkdir-failed \
		"Operation not permitted"; do
		assert_contains "$out" "$want" "main process"
	done
	# an exec with its own capabilities as another user, ambient ones included, without
	# no_new_privs (so the filter goes on before the capabilities are dropped)
	jq -n --arg show "$show" '{args: ["sh", "-c", $show], cwd: "/", user: {uid: 1000, gid: 1000},
		noNewPrivileges: false,
		capabilities: {bounding: ["CAP_NET_BIND_SERVICE"], effective: ["CAP_NET_BIND_SERVICE"],
			permitted: ["CAP_NET_BIND_SERVICE"], inheritable: ["CAP_NET_BIND_SERVICE"],
			ambient: ["CAP_NET_BIND_SERVICE"]}}' >"$WORK/p.json"
	out=$(oci exec --process "$WORK/p.json" "$id" 2>&1)
	for want in CapInh:0000000000000400 CapPrm:0000000000000400 CapEff:0000000000000400 \
		CapBnd:0000000000000400 CapAmb:0000000000000400 NoNewPrivs:0 Seccomp:2 mkdir-failed; do
		assert_contains "$out" "$want" "exec --process"
	done
	# --cap adds to the container's process's sets; no_new_privs is the container's
	out=$(oci exec --cap CAP_NET_RAW "$id" sh -c "$show" 2>&1)
	for want in CapPrm:0000000000002021 CapEff:0000000000002021 CapBnd:0000000000002021 \
		CapAmb:0000000000000000 NoNewPrivs:1 Seccomp:2 mkdir-failed; do
		assert_contains "$out" "$want" "exec --cap"
	done
	# a name libcap does not know is ignored with a warning, as runc does; sets the kernel
	# refuses (inheritable beyond the bounding set) fail the exec in the guest, saying why
	out=$(oci exec --cap CAP_NOPE "$id" true 2>&1)
	assert_contains "$out" "ignoring unknown or unavailable capabilities: [CAP_NOPE]"
	jq '.capabilities = {bounding: ["CAP_KILL"], inheritable: ["CAP_SYS_ADMIN"]} | .noNewPrivileges = true' \
		"$WORK/p.json" >"$WORK/bad.json"
	assert_fails oci exec --process "$WORK/bad.json" "$id"
	assert_contains "$OUT" "set capabilities"
	# the container's paths and kernel settings are the guest's: linux.sysctl,
	# readonlyPaths and maskedPaths (a file, a directory, and a symlink, which hides nothing),
	# seen by an exec too; oomScoreAdj for the workload in the guest and for the VMM on the host
	assert_eq "$(cat "/proc/$(pid_of "$id")/oom_score_adj")" 300 "the VMM's oom_score_adj"
	out=$(oci exec "$id" sh -c 'echo ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)
		(echo x >/proc/sys/kernel/domainname) 2>&1 | sed "s/^/sys: /"
		echo "secret: >$(cat /secret.txt)<"; echo "entries: $(ls /secretdir | wc -l)"
		touch /secretdir/f 2>&1 | sed "s/^/dir: /"; echo "link: $(cat /link)"' 2>&1)
	for want in ip_forward=1 "sys: .*Read-only file system" "secret: ><" "entries: 0" \
		"dir: .*Read-only file system" "link: linked file"; do
		grep -q "$want" <<<"$out" || fatal "masks in the guest: '$want' not in: $out"
	done
	assert_contains "$(cat "$WORK/main.out")" "oom=300" "the workload's oom_score_adj"
	assert_eq "$(cat "$b/rootfs/secret.txt")" "top secret" "the host's file"
	oci delete --force "$id"
}
