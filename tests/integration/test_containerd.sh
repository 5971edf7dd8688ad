# SPDX-License-Identifier: Apache-2.0
# containerd 1.6 drives hull-oci through its runc shim (io.containerd.runc.v2, --runc-binary).
# Each test starts its own containerd (own root, state and socket) and stops it by pid.

CTRD=""

start_containerd() {
	command -v containerd >/dev/null && command -v containerd-shim-runc-v2 >/dev/null ||
		skip "containerd is not installed"
	CTRD=$WORK/ctrd
	mkdir -p "$CTRD"
	cat >"$CTRD/config.toml" <<-EOF
		version = 2
		root = "$CTRD/root"
		state = "$CTRD/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$CTRD/c.sock"
		[ttrpc]
		  address = "$CTRD/c.sock.ttrpc"
	EOF
	containerd --config "$CTRD/config.toml" >"$CTRD/log" 2>&1 &
	echo $! >"$CTRD/pid"
	defer stop_containerd "$CTRD"
	for _ in $(seq 100); do
		[ -S "$CTRD/c.sock" ] && ctr -a "$CTRD/c.sock" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fatal "containerd did not start: $(tail -5 "$CTRD/log")"
}

# Deferred commands run outside the test's subshell: everything comes in as arguments.
stop_containerd() {
	local id p
	CTRD=$1
	[[ $CTRD == "$WORK"/* ]] || return 1
	for id in $(ctr -a "$CTRD/c.sock" task ls -q 2>/dev/null); do
		ctr -a "$CTRD/c.sock" task kill -s KILL "$id"
		ctr -a "$CTRD/c.sock" task rm -f "$id"
	done
	for id in $(ctr -a "$CTRD/c.sock" c ls -q 2>/dev/null); do
		ctr -a "$CTRD/c.sock" c rm "$id"
	done
	kill "$(cat "$CTRD/pid")"
	# shims outlive containerd by design: stop the ones of this daemon
	for p in $(pgrep -f "containerd-shim-runc-v2 .*-address $CTRD/c.sock"); do
		kill -9 "$p"
	done
	for _ in $(seq 50); do kill -0 "$(cat "$CTRD/pid")" 2>/dev/null || break; sleep 0.1; done
	# the shim's --root is $ROOT/<namespace>: empty unless a container was left behind
	rmdir "$ROOT/default"
}

ctr_() { ctr -a "$CTRD/c.sock" "$@"; }

# ctr_run ID [ctr run options...] -- CMD...: a container on a busybox rootfs, run by hull-oci
ctr_run() {
	local id=$1 opts=()
	shift
	while [ "$1" != "--" ]; do
		opts+=("$1")
		shift
	done
	shift
	[ -d "$WORK/img/rootfs" ] || "$REPO/tests/data/mkbundle.sh" "$WORK/img" true >/dev/null
	# --rootfs is a flag: the first argument is then the rootfs directory, not an image
	ctr_ run --runc-binary "$HULL_OCI" --runc-root "$ROOT" --cgroup "/hull-test/$T-$id" \
		"${opts[@]}" --rootfs "$WORK/img/rootfs" "$id" "$@"
}

wait_task() { # wait_task ID STATUS
	for _ in $(seq 100); do
		[ "$(ctr_ task ls 2>/dev/null | awk -v id="$1" '$1 == id {print $3}')" == "$2" ] && return 0
		sleep 0.05
	done
	fatal "task $1 never became $2: $(ctr_ task ls)"
}

test_containerd_run_output_and_exit_code() {
	local out rc=0
	start_containerd
	out=$(ctr_run c1 --rm -- sh -c 'echo hello from hull; exit 3') || rc=$?
	assert_eq "$out" "hello from hull"
	assert_eq "$rc" 3 "ctr run exit code"
	rc=0
	ctr_run c2 --rm -- false || rc=$?
	assert_eq "$rc" 1 "ctr run exit code"
	assert_eq "$(ls "$ROOT/default")" "" "hull state left after ctr run --rm"
}

test_containerd_exec_ps_kill() {
	local out rc=0 pids
	start_containerd
	ctr_run c1 -d -- sh -c 'trap "echo got TERM; exit 0" TERM; while :; do sleep 100 & wait $!; done'
	wait_task c1 RUNNING
	out=$(ctr_ task exec --exec-id e1 c1 sh -c 'echo in exec; hostname; exit 5') || rc=$?
	assert_contains "$out" "in exec"
	assert_eq "$rc" 5 "ctr task exec exit code"
	# with a terminal (ctr wants one on its own stdin)
	out=$(script -qec "ctr -a $CTRD/c.sock task exec -t --exec-id e2 c1 tty" /dev/null </dev/null | tr -d '\r')
	assert_contains "$out" "/dev/pts/"
	ctr_ task exec -d --exec-id e3 c1 sleep 30 2>/dev/null ||
		ctr_ task exec --exec-id e3 c1 sh -c 'sleep 30 &' # ctr 1.6 has no exec -d
	pids=$(ctr_ task ps c1 | tail -n +2 | awk '{print $1}' | sort)
	[ "$(wc -l <<<"$pids")" -ge 2 ] || fatal "ctr task ps shows $(wc -l <<<"$pids") processes: $pids"
	for p in $pids; do
		grep -q "hull-test/$T-c1" "/proc/$p/cgroup" || fatal "pid $p is not in the container's cgroup"
	done
	ctr_ task kill -s SIGTERM c1
	wait_task c1 STOPPED
	ctr_ task rm c1 >/dev/null
	ctr_ c rm c1
	ctr_run c2 -d -- sleep 100
	wait_task c2 RUNNING
	ctr_ task kill -s SIGKILL c2
	wait_task c2 STOPPED
	ctr_ task rm c2 >/dev/null
	ctr_ c rm c2
	assert_eq "$(ls "$ROOT/default")" "" "hull state left after ctr task rm"
}

# memory limit file of a cgroup (v1 memory controller, else cgroup2's memory.max)
mem_limit_file() {
	if [ -d /sys/fs/cgroup/memory ]; then
		echo "/sys/fs/cgroup/memory$1/memory.limit_in_bytes"
	else
		echo "/sys/fs/cgroup$1/memory.max"
	fi
}

test_containerd_pause_resume_memory_limit() {
	local pid st
	start_containerd
	ctr_run c1 -d --memory-limit 67108864 -- sleep 100
	wait_task c1 RUNNING
	assert_eq "$(cat "$(mem_limit_file "/hull-test/$T-c1")")" 67108864 "ctr run --memory-limit"
	pid=$(ctr_ task ls | awk '$1 == "c1" {print $2}')
	ctr_ task pause c1
	wait_task c1 PAUSED
	assert_eq "$("$HULL_OCI" --root "$ROOT/default" state c1 | jq -r .status)" paused
	st=$(awk '{print $3}' "/proc/$pid/stat")
	assert_eq "$st" D "the task's process is frozen"
	ctr_ task resume c1
	wait_task c1 RUNNING
	assert_eq "$("$HULL_OCI" --root "$ROOT/default" state c1 | jq -r .status)" running
	ctr_ task kill -s SIGKILL c1
	wait_task c1 STOPPED
	ctr_ task rm c1 >/dev/null
	ctr_ c rm c1
}

test_containerd_vm_output_exit_code_and_kill() {
	local out rc=0
	[ -r "$REPO/build/vm/vmlinux" ] && command -v qemu-system-x86_64 >/dev/null ||
		skip "no QEMU or guest kernel for the vm isolation level"
	start_containerd
	# the runtime's name picks the level: containerd knows nothing of VMs
	out=$(HULL_OCI=$REPO/build/hull-oci-vm ctr_run v1 --rm -- sh -c 'echo hello from the vm; exit 3' 2>/dev/null) || rc=$?
	assert_eq "$out" "hello from the vm"
	assert_eq "$rc" 3 "ctr run exit code"
	HULL_OCI=$REPO/build/hull-oci-vm ctr_run v2 -d -- sh -c 'trap "exit 4" TERM; while :; do sleep 0.1; done'
	wait_task v2 RUNNING
	assert_eq "$("$REPO/build/hull-oci" --root "$ROOT/default" state v2 | jq -r .isolation)" vm
	# ctr task exec: the shim runs hull-oci exec --detach and waits for the pid it wrote (the
	# relay of the session); it waits for the guest to boot
	rc=0
	out=$(ctr_ task exec --exec-id e1 v2 sh -c 'echo in the vm; hostname; exit 5') || rc=$?
	assert_contains "$out" "in the vm"
	assert_eq "$rc" 5 "ctr task exec exit code"
	# with a terminal: the pty the shim gets is the guest pty's other end
	out=$(script -qec "ctr -a $CTRD/c.sock task exec -t --exec-id e2 v2 tty" /dev/null </dev/null | tr -d '\r')
	assert_contains "$out" "/dev/pts/"
	# kill goes through hull-oci kill to the guest; repeated while the guest still boots
	for _ in $(seq 600); do
		ctr_ task kill -s SIGTERM v2 2>/dev/null || true
		[ "$(ctr_ task ls | awk '$1 == "v2" {print $3}')" == STOPPED ] && break
		sleep 0.5
	done
	wait_task v2 STOPPED
	ctr_ task rm v2 >/dev/null
	ctr_ c rm v2
	assert_eq "$(ls "$ROOT/default")" "" "hull state left after ctr task rm"
}
