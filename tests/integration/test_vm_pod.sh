# SPDX-License-Identifier: Apache-2.0
# Pods at the vm level (vm/README.md, "Pods"), driven through hull-oci as containerd's CRI
# plugin drives a runtime: a sandbox container annotated as CRI's, and app containers naming
# it, joining its network, IPC and UTS namespaces.  One VM for the pod (TCG: one boot).
# vm_ready, vm_bundle and wait_for: lib.sh

# pod_netns: "$T-pod" (192.168.214.2/24 on eth0) joined by a veth to the host's "$T-h"
# (192.168.214.1/24); removed after the test.
pod_netns() {
	command -v ip >/dev/null && command -v tc >/dev/null || skip "iproute2 not installed"
	ip netns add "$T-pod"
	defer ip netns del "$T-pod"
	ip link add "${T: -6}h" type veth peer name eth0 netns "$T-pod"
	defer ip link del "${T: -6}h"
	ip addr add 192.168.214.1/24 dev "${T: -6}h"
	ip link set "${T: -6}h" up
	ip -n "$T-pod" addr add 192.168.214.2/24 dev eth0
	ip -n "$T-pod" link set eth0 up
}

# cri_bundle NAME TYPE SANDBOX-ID ARGS...: a bundle annotated as containerd's CRI plugin does.
cri_bundle() {
	local name=$1 type=$2 sid=$3 b
	shift 3
	b=$(vm_bundle "$name" "$@")
	cfg "$b" --arg t "$type" --arg s "$sid" --arg ns "/var/run/netns/$T-pod" \
		'.annotations["io.kubernetes.cri.container-type"]=$t |
		 .annotations["io.kubernetes.cri.sandbox-id"]=$s |
		 .linux.namespaces |= map(if .type == "network" then .path = $ns else . end)'
	echo "$b"
}

# An app container joins the sandbox's IPC and UTS namespaces (by its pid), as CRI's do.
join_sandbox() {
	local b=$1 pid=$2
	cfg "$b" --arg ipc "/proc/$pid/ns/ipc" --arg uts "/proc/$pid/ns/uts" \
		'.linux.namespaces |= map(if .type == "ipc" then .path = $ipc elif .type == "uts" then .path = $uts else . end) | del(.hostname)'
}

# recvtty SOCKET INPUT: the --console-socket peer (tests/data/recvtty.c), its output on stdout.
recvtty() {
	local helper=/var/tmp/hull-test-cache/recvtty
	if [ ! -x "$helper" ] || [ "$REPO/tests/data/recvtty.c" -nt "$helper" ]; then
		mkdir -p "$(dirname "$helper")"
		cc -O2 -o "$helper.$$" "$REPO/tests/data/recvtty.c" && mv "$helper.$$" "$helper"
	fi
	RECVTTY_TIMEOUT=60 "$helper" "$@"
}

test_vm_pod_one_vm_for_the_pod() {
	vm_ready
	pod_netns
	local sb sid a b c t aid bid tid spid apid rc out n
	sid=$(cid sb)
	aid=$(cid a)
	bid=$(cid b)
	tid=$(cid t)
	# the sandbox: a read-only root without /proc, /sys or /dev, as CRI's pause
	sb=$(cri_bundle sb sandbox "$sid" sh -c 'trap "exit 0" TERM; echo sandbox-runs; while :; do sleep 1; done')
	rm -rf "$sb/rootfs/proc" "$sb/rootfs/sys" "$sb/rootfs/dev"
	cfg "$sb" '.root.readonly=true | .hostname="mypod"'
	oci create -b "$sb" "$sid" >"$WORK/sb.out" 2>"$WORK/sb.err"
	# the pod's VM boots at create; its workload runs at start
	spid=$(pid_of "$sid")
	assert_eq "$(state_of "$sid")" created
	assert_eq "$(ps -o comm= -p "$spid")" qemu-system-x86 "the sandbox's VMM runs from create on"
	sleep 1
	assert_not_contains "$(cat "$WORK/sb.out")" sandbox-runs "the sandbox's workload before start"
	oci start "$sid"
	assert_eq "$(state_of "$sid")" running
	wait_for "$WORK/sb.out" sandbox-runs
	# app a serves on 127.0.0.1 from a file only its root has
	a=$(cri_bundle a container "$sid" httpd -f -p 127.0.0.1:8080 -h /www)
	join_sandbox "$a" "$spid"
	cfg "$a" '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 50}}'
	mkdir -p "$a/rootfs/www"
	echo hello-from-a >"$a/rootfs/www/index.html"
	touch "$a/rootfs/only-in-a"
	oci create -b "$a" "$aid" >"$WORK/a.out" 2>"$WORK/a.err"
	oci start "$aid"
	assert_eq "$(state_of "$aid")" running
	apid=$(pid_of "$aid")
	# app b reaches it over the pod's loopback, and has the pod's hostname
	b=$(cri_bundle b container "$sid" sh -c 'for i in $(seq 100); do wget -qO- http://127.0.0.1:8080/ && break; sleep 0.2; done; hostname; test -e /only-in-a || echo own-root; echo pid1=$(cat /proc/1/comm); exit 3')
	join_sandbox "$b" "$spid"
	oci create -b "$b" "$bid" >"$WORK/b.out" 2>"$WORK/b.err"
	oci start "$bid"
	wait_status "$bid" stopped
	assert_eq "$(cat "$WORK/b.out")" $'hello-from-a\nmypod\nown-root\npid1=sh' "app b's output: $(cat "$WORK/b.err")"
	# an app container with a terminal (process.terminal, --console-socket)
	t=$(cri_bundle t container "$sid" sh -c 'test -t 0 && test -t 1 && echo tty-yes; stty size; read x; echo "got:$x"; exit 4')
	join_sandbox "$t" "$spid"
	cfg "$t" '.process.terminal=true | .process.consoleSize={"height": 30, "width": 90}'
	recvtty "$WORK/tty.sock" $'typed\n' >"$WORK/tty.out" &
	for _ in $(seq 100); do [ -S "$WORK/tty.sock" ] && break; sleep 0.05; done
	oci create -b "$t" --console-socket "$WORK/tty.sock" "$tid" 2>"$WORK/t.err"
	oci start "$tid"
	wait
	out=$(tr -d '\r' <"$WORK/tty.out")
	assert_contains "$out" tty-yes "app t's terminal"
	assert_contains "$out" "30 90" "app t's consoleSize"
	assert_contains "$out" "got:typed" "input typed on app t's terminal"
	wait_status "$tid" stopped
	oci delete "$tid"
	# one VM for the pod, the sandbox's
	assert_eq "$(ps -o comm= -p "$spid")" qemu-system-x86 "the sandbox's pid is its VMM"
	assert_contains "$(ps -o args= -p "$apid")" hull-oci "app a's pid is its relay on the host"
	# exec in app a: its root, its pid namespace, exit codes, stdin
	assert_eq "$(oci exec "$aid" cat /www/index.html)" hello-from-a
	assert_eq "$(oci exec "$aid" cat /proc/1/comm)" httpd "exec in a's pid namespace"
	set +e
	oci exec "$aid" sh -c 'test -e /only-in-a && exit 7'
	rc=$?
	set -e
	assert_eq $rc 7 "exec's exit code in app a"
	assert_eq "$(echo piped | oci exec "$aid" cat)" piped "stdin of an exec in app a"
	assert_contains "$(oci ps "$aid" -o pid)" "$apid"
	# its limits are its guest cgroup's, at create and after update
	assert_eq "$(oci exec "$aid" cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max | tr '\n' ' ')" "67108864 50 " "app a's guest cgroup"
	oci update --memory 96m --pids-limit 60 "$aid"
	assert_eq "$(oci exec "$aid" cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max | tr '\n' ' ')" "100663296 60 " "app a's guest cgroup after update"
	assert_eq "$(oci exec "$aid" sh -c 'cat /proc/self/cgroup')" "0::/" "exec in app a's cgroup namespace"
	# pause freezes an app container where its processes are, in the guest (its root is the
	# host's directory through the pod's share: the counter is read from here); resume thaws it
	c=$(cri_bundle c container "$sid" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/count.new; mv /count.new /count; sleep 0.1; done')
	join_sandbox "$c" "$spid"
	oci create -b "$c" "$(cid c)" >"$WORK/c.out" 2>"$WORK/c.err"
	oci start "$(cid c)"
	wait_for "$c/rootfs/count" "[0-9]"
	oci pause "$(cid c)"
	assert_eq "$(state_of "$(cid c)")" paused
	n=$(cat "$c/rootfs/count")
	sleep 2
	assert_eq "$(cat "$c/rootfs/count")" "$n" "a paused app container's process ran on in the guest"
	oci resume "$(cid c)"
	assert_eq "$(state_of "$(cid c)")" running
	for _ in $(seq 100); do [ "$(cat "$c/rootfs/count")" -gt "$n" ] && break; sleep 0.1; done
	[ "$(cat "$c/rootfs/count")" -gt "$n" ] || fatal "resume did not thaw the app container"
	oci kill "$(cid c)" KILL
	wait_status "$(cid c)" stopped
	oci delete "$(cid c)"
	# kill reaches the process in the guest (pid 1 of its namespace: KILL, as CRI's stop
	# after its grace period); the relay ends as it did
	oci kill "$aid" KILL
	wait_status "$aid" stopped
	alive "$apid" && fatal "app a's relay is still there"
	oci delete "$aid"
	oci delete "$bid"
	[ -z "$(ls -A "$ROOT/$sid/vm-pod")" ] || fatal "left in the pod's share: $(ls -A "$ROOT/$sid/vm-pod")"
	# the pod's IP answers from the host (the guest owns the interface)
	busybox ping -c1 -W10 192.168.214.2 >/dev/null || fatal "the pod's IP does not answer"
	oci kill "$sid" TERM
	wait_status "$sid" stopped
	oci delete "$sid"
}

# kill -9 anywhere leaves nothing behind: a sandbox deleted while it boots (before start), an
# app container's relay (its process in the guest goes), the pod's VMM (the other app
# containers end with it); the harness checks processes, mounts and state.
test_vm_pod_kill9_leaves_nothing() {
	vm_ready
	pod_netns
	local sb sid x y xid yid spid xpid i
	sid=$(cid sb)
	xid=$(cid x)
	yid=$(cid y)
	sb=$(cri_bundle sb sandbox "$sid" sh -c 'trap "exit 0" TERM; while :; do sleep 1; done')
	oci create -b "$sb" "$sid" 2>"$WORK/sb.err"
	oci delete --force "$sid"
	[ ! -e "$ROOT/$sid" ] || fatal "state left after delete of a booting sandbox"
	oci create -b "$sb" "$sid" 2>"$WORK/sb.err"
	oci start "$sid"
	spid=$(pid_of "$sid")
	x=$(cri_bundle x container "$sid" sleep 1001)
	y=$(cri_bundle y container "$sid" sleep 1002)
	join_sandbox "$x" "$spid"
	join_sandbox "$y" "$spid"
	oci create -b "$x" "$xid" 2>"$WORK/x.err"
	oci start "$xid"
	oci create -b "$y" "$yid" 2>"$WORK/y.err"
	oci start "$yid"
	for i in $(seq 100); do
		[ "$(oci exec "$sid" ps -o args | grep -c '^sleep 100[12]')" = 2 ] && break
		sleep 0.2
	done
	assert_eq "$(oci exec "$sid" ps -o args | grep -c '^sleep 100[12]')" 2 "both app containers run in the pod's VM"
	# each has a /dev of its own, with the usual device nodes
	oci exec "$xid" touch /dev/from-x
	assert_eq "$(oci exec "$yid" sh -c 'test -e /dev/from-x && echo shared || echo own')" own "app y's /dev"
	assert_eq "$(oci exec "$yid" sh -c 'head -c 3 /dev/urandom | wc -c; head -c 2 /dev/zero | wc -c; echo x >/dev/null && echo null-ok; test -c /dev/full && test -c /dev/tty && test -c /dev/random && echo nodes-ok')" $'3\n2\nnull-ok\nnodes-ok' "app y's device nodes"
	xpid=$(pid_of "$xid")
	kill -9 "$xpid"
	wait_status "$xid" stopped
	for i in $(seq 100); do
		oci exec "$sid" ps -o args | grep -q '^sleep 1001' || break
		sleep 0.2
	done
	assert_eq "$(oci exec "$sid" ps -o args | grep '^sleep 100[12]')" "sleep 1002" "the killed relay's container is gone from the guest"
	oci delete "$xid"
	kill -9 "$spid"
	wait_status "$sid" stopped
	wait_status "$yid" stopped
	oci delete "$yid"
	oci delete "$sid"
}

# An app container whose sandbox is not there, or whose sandbox id is not a container's name,
# fails at create and says why; the same spec without CRI's annotations is a VM of its own.
test_vm_pod_member_needs_its_sandbox() {
	vm_ready
	pod_netns
	local a id
	id=$(cid a)
	a=$(cri_bundle a container "$(cid nope)" true)
	assert_fails oci create -b "$a" "$id"
	assert_contains "$OUT" "the pod's sandbox \`$(cid nope)\`"
	[ ! -e "$ROOT/$id" ] || fatal "state left after a failed create"
	cfg "$a" '.annotations["io.kubernetes.cri.sandbox-id"]="../../etc"'
	assert_fails oci create -b "$a" "$id"
	assert_contains "$OUT" "the pod's sandbox id"
	cfg "$a" 'del(.annotations["io.kubernetes.cri.sandbox-id"]) | del(.annotations["io.kubernetes.cri.container-type"])'
	oci create -b "$a" "$id" 2>"$WORK/err"
	assert_eq "$(ps -o comm= -p "$(pid_of "$id")")" hull-oci "a VM of its own: QEMU comes at start"
	oci delete --force "$id"
}
