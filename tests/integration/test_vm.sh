# SPDX-License-Identifier: Apache-2.0
# The vm isolation level: the bundle booted in a QEMU microvm (TCG here: each boot takes
# seconds, so these tests are few and each checks several things).

# vm_ready, vm_bundle and wait_for: lib.sh

test_vm_exit_status_stdio_and_files() {
	vm_ready
	local b
	b=$(vm_bundle e sh -c 'echo to-out; echo to-err >&2; echo from-guest >/written; /mmapw /mapped via-mmap; read l; echo "in:$l"; exit 3')
	# pages dirtied through a shared mapping must reach the host before the VM powers off
	cc -O2 -static -o "$b/rootfs/mmapw" "$REPO/tests/data/mmapw.c"
	set +e
	echo piped | oci run -b "$b" "$(cid e1)" >"$WORK/out" 2>"$WORK/err"
	assert_eq $? 3 "the workload's exit code"
	set -e
	assert_eq "$(cat "$WORK/out")" $'to-out\nin:piped' "stdout (with stdin read in the guest)"
	assert_contains "$(cat "$WORK/err")" "to-err"
	assert_not_contains "$(cat "$WORK/err")" "to-out" "stdout leaked into stderr"
	# one warning, naming why: no /dev/kvm, or one without vmx/svm behind it (a PVM host)
	[[ $(cat "$WORK/err") =~ "hull: /dev/kvm "("not available"|"has no hardware virtualization (vmx/svm) behind it")", using software emulation (slow)" ]] ||
		fatal "no TCG warning: $(cat "$WORK/err")"
	assert_eq "$(grep -c "using software emulation" "$WORK/err")" 1 "the TCG warning, once"
	assert_eq "$(cat "$b/rootfs/written")" from-guest "a file written in the guest, on the host"
	assert_eq "$(cat "$b/rootfs/mapped")" via-mmap "a file written through mmap in the guest"
	# exit 0, and stdin's end reaching the guest as EOF; with a /dev/kvm that is a plain file
	# (no KVM driver behind it), which must mean TCG and not a VMM that fails to start
	cfg "$b" '.process.args=["cat"]'
	mkdir "$WORK/dev"
	cp -a /dev/null /dev/zero /dev/full /dev/random /dev/urandom "$WORK/dev/"
	ln -s /proc/self/fd "$WORK/dev/fd"
	touch "$WORK/dev/kvm"
	assert_eq "$(printf 'a\nb\n' | unshare -m --propagation private sh -c \
		'mount --bind "$1/dev" /dev && exec "$2" --root "$3" run -b "$4" "$5"' _ \
		"$WORK" "$HULL_OCI" "$ROOT" "$b" "$(cid e2)" 2>"$WORK/err")" $'a\nb' \
		"stdin to EOF, TCG despite a fake /dev/kvm: $(cat "$WORK/err")"
	assert_contains "$(cat "$WORK/err")" "using software emulation"
}

# A workload that cannot start: the status docker gives (127 not found, 126 not executable,
# 125 hull's own failure) and the guest's reason, with its context, on the container's stderr.
test_vm_start_failures() {
	vm_ready
	local b
	b=$(vm_bundle f hull-no-such-command)
	set +e
	oci run -b "$b" "$(cid f1)" >"$WORK/out" 2>"$WORK/err"
	assert_eq $? 127 "command not found"
	assert_contains "$(cat "$WORK/err")" "hull-guest: exec \`hull-no-such-command\`: no such file or directory"
	printf 'not a program\n' >"$b/rootfs/notexec"
	chmod 0644 "$b/rootfs/notexec"
	cfg "$b" '.process.args=["/notexec"]'
	oci run -b "$b" "$(cid f2)" >"$WORK/out" 2>"$WORK/err"
	assert_eq $? 126 "not executable"
	assert_contains "$(cat "$WORK/err")" "hull-guest: exec \`/notexec\`: permission denied"
	# a failure before the process runs: a sysctl the guest kernel does not have
	cfg "$b" '.process.args=["true"] | .linux.sysctl={"net.ipv4.hull_no_such_key": "1"}'
	oci run -b "$b" "$(cid f3)" >"$WORK/out" 2>"$WORK/err"
	assert_eq $? 125 "setup failure"
	assert_contains "$(cat "$WORK/err")" "hull-guest: sysctl \`net.ipv4.hull_no_such_key\` = \`1\`: No such file or directory"
	set -e
	# an annotation with a value hull does not know fails create, naming it
	cfg "$b" 'del(.linux.sysctl) | .annotations["run.hull.vm.vhost"]="maybe"'
	assert_fails oci create -b "$b" "$(cid f4)"
	assert_contains "$OUT" "run.hull.vm.vhost: \`maybe\`, not \`on\` or \`off\`"
}

test_vm_readonly_root_and_state() {
	vm_ready
	local b id out
	b=$(bundle ro sh -c 'touch /new-file && echo wrote; echo done')
	cfg "$b" '.root.readonly=true'
	id=$(cid ro)
	# chosen by the name the runtime is invoked by, without the annotation
	out=$("$REPO/build/hull-oci-vm" --root "$ROOT" run -b "$b" "$id" 2>&1)
	assert_contains "$out" "Read-only file system"
	assert_not_contains "$out" "wrote"
	assert_contains "$out" "done" "the workload ran to its end (status 0)"
	[ ! -e "$b/rootfs/new-file" ] || fatal "the read-only root was written"
	# the annotation wins over the name
	cfg "$b" '.annotations["run.hull.isolation"]="container" | .process.args=["true"]'
	"$REPO/build/hull-oci-vm" --root "$ROOT" create -b "$b" "$id" 2>"$WORK/err"
	assert_eq "$(oci state "$id" | jq -r .isolation)" container
	oci delete --force "$id"
	cfg "$b" '.annotations["run.hull.isolation"]="vm"'
	oci create -b "$b" "$id" 2>"$WORK/err"
	assert_eq "$(oci state "$id" | jq -r .isolation)" vm
	assert_eq "$(oci state "$id" | jq -r .status)" created
	oci delete "$id"
	[ ! -e "$ROOT/$id" ] || fatal "state left after delete"
	assert_contains "$(oci features | jq -r '.annotations["run.hull.isolation.levels"]')" vm
}

# A read-only root without the mount points of the spec's kernel file systems (CRI's pause
# container: no /proc, /sys or /dev in the image): they are made before the root is made
# read-only, on the host (virtiofsd cannot write a read-only root) and in the guest.
test_vm_readonly_root_makes_mount_points() {
	vm_ready
	local b id out
	b=$(vm_bundle romp sh -c 'test -e /proc/self/stat && echo proc; test -d /sys/kernel && echo sys; test -d /dev/pts && echo pts; touch /x 2>/dev/null || echo ro
		cat /dev/termination-log; echo from-guest >/dev/termination-log; ls /dev/shm')
	rm -rf "$b/rootfs/proc" "$b/rootfs/sys" "$b/rootfs/dev"
	# binds inside a file system the guest mounts (/dev), as CRI gives every container: they
	# stay visible over the guest's own /dev
	echo from-host >"$WORK/termlog"
	mkdir "$WORK/shm"
	touch "$WORK/shm/a-shm-file"
	cfg "$b" --arg t "$WORK/termlog" --arg s "$WORK/shm" '.root.readonly=true |
		.mounts |= map(select(.destination != "/dev/shm")) |
		.mounts += [{"destination": "/dev/termination-log", "type": "bind", "source": $t, "options": ["rbind", "rw"]},
		            {"destination": "/dev/shm", "type": "bind", "source": $s, "options": ["rbind", "rw"]}]'
	id=$(cid romp)
	out=$(oci run -b "$b" "$id" 2>"$WORK/err") || fatal "run: $(cat "$WORK/err")"
	assert_eq "$out" $'proc\nsys\npts\nro\nfrom-host\na-shm-file' "kernel file systems mounted on a read-only root, binds under /dev"
	assert_eq "$(cat "$WORK/termlog")" from-guest "a file bound under /dev, written in the guest"
}

test_vm_kill_reaches_the_workload() {
	vm_ready
	local b id pid rc
	# a trap only the workload inside can run: a signal to QEMU would end the VM instead
	b=$(vm_bundle k sh -c 'trap "echo got-TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done')
	id=$(cid k1)
	oci run -b "$b" "$id" >"$WORK/out" 2>"$WORK/err" &
	pid=$!
	wait_for "$WORK/out" ready
	oci kill "$id" TERM
	set +e
	wait $pid
	rc=$?
	set -e
	assert_eq $rc 7 "exit code of the trap"
	assert_contains "$(cat "$WORK/out")" got-TERM
	# killed by a signal inside: 128+N
	cfg "$b" '.process.args=["sh","-c","echo ready; exec sleep 1000"]'
	id=$(cid k2)
	oci run -b "$b" "$id" >"$WORK/out" 2>"$WORK/err" &
	pid=$!
	wait_for "$WORK/out" ready
	oci kill "$id" INT
	set +e
	wait $pid
	rc=$?
	set -e
	assert_eq $rc 130 "killed by SIGINT in the guest"
}

test_vm_kill9_of_qemu_leaves_nothing() {
	vm_ready
	local b id pid
	b=$(vm_bundle c sh -c 'echo ready; exec sleep 1000')
	id=$(cid c)
	oci create -b "$b" "$id" >"$WORK/out" 2>"$WORK/err"
	oci start "$id"
	pid=$(pid_of "$id")
	wait_for "$WORK/out" ready
	assert_contains "$(tr '\0' ' ' </proc/$pid/cmdline)" "qemu-system-x86_64" "the container's pid is QEMU's"
	pgrep -f "source=$b/rootfs" >/dev/null || fatal "no virtiofsd for the rootfs"
	kill -9 "$pid"
	wait_status "$id" stopped
	for _ in $(seq 50); do
		pgrep -f "source=$b/rootfs" >/dev/null || break
		sleep 0.1
	done
	! pgrep -f "source=$b/rootfs" >/dev/null || fatal "virtiofsd left after QEMU was killed"
	oci delete "$id"
	[ ! -e "$ROOT/$id" ] || fatal "state (sockets) left after delete"
	# delete --force of a running VM
	oci create -b "$b" "$id" >"$WORK/out" 2>"$WORK/err"
	oci start "$id"
	wait_for "$WORK/out" ready
	oci delete --force "$id"
	[ ! -e "$ROOT/$id" ] || fatal "state left after delete --force"
	! pgrep -f "source=$b/rootfs" >/dev/null || fatal "virtiofsd left after delete --force"
}

test_vm_sizing_and_run_forwards_signals() {
	vm_ready
	local b id pid rc
	# guest RAM from the memory limit; the cgroup has room for the VMM beside it
	b=$(vm_bundle s sh -c 'nproc; grep MemTotal /proc/meminfo; trap "echo got-HUP; exit 9" HUP; echo ready; while :; do sleep 0.1; done')
	cfg "$b" '.annotations["run.hull.vm.cpus"]="2" | .linux.resources.memory.limit = 209715200 |
		  .annotations["run.hull.vm.memory-overhead"]="100M"'
	id=$(cid s)
	# not through the oci function: $! must be hull-oci's own pid
	"$HULL_OCI" --root "$ROOT" run -b "$b" "$id" >"$WORK/out" 2>"$WORK/err" &
	pid=$!
	wait_for "$WORK/out" ready
	local lim=/sys/fs/cgroup/memory/hull-test/$T-s/memory.limit_in_bytes
	[ -d /sys/fs/cgroup/memory ] || lim=/sys/fs/cgroup/hull-test/$T-s/memory.max
	assert_eq "$(cat $lim)" $(((200 + 100) << 20)) "cgroup limit = guest RAM + VMM overhead"
	oci update --memory $((250 << 20)) "$id"
	assert_eq "$(cat $lim)" $(((250 + 100) << 20)) "update keeps the VMM's room"
	assert_eq "$(jq -r .memory.limit "$ROOT/$id/resources.json")" \
		$((250 << 20)) "the recorded limit is the container's own"
	# a signal to `hull-oci run` goes to the workload, as with a container
	kill -HUP "$pid"
	set +e
	wait $pid
	rc=$?
	set -e
	assert_eq $rc 9 "exit code of the trap"
	assert_eq "$(head -1 "$WORK/out")" 2 "vCPUs in the guest"
	# the kernel keeps some of the 200 MiB for itself
	local kb
	kb=$(awk '/MemTotal/ {print $2}' "$WORK/out")
	[ "$kb" -gt 150000 ] && [ "$kb" -le 204800 ] || fatal "guest MemTotal $kb kB for 200 MiB"
	assert_contains "$(cat "$WORK/out")" got-HUP
}

# The VMM runs in the container's cgroup: its device rules must let it open /dev/kvm (and the
# vhost devices) where the host has them, or KVM would never be used.
test_vm_cgroup_allows_the_hypervisor_devices() {
	vm_ready
	local b id
	[ -d /sys/fs/cgroup/devices ] || skip "no v1 devices cgroup to read the rules from"
	b=$(HULL_TEST_CGROUP="/hull-test/$T-kd" vm_bundle kd true)
	id=$(cid kd)
	oci create -b "$b" "$id" >/dev/null 2>&1
	local rules
	rules=$(cat "/sys/fs/cgroup/devices/hull-test/$T-kd/devices.list")
	assert_contains "$rules" "c 10:232 rwm" "kvm"
	assert_contains "$rules" "c 10:238 rwm" "vhost-net"
	assert_not_contains "$rules" "a *:* rwm" "still default-deny"
	oci delete --force "$id"
}

# The main process's command missing or not runnable: 127 and 126, as in a container (the
# guest reports why the exec failed; the host relays the status).
test_vm_missing_command_status() {
	vm_ready
	local b rc
	b=$(vm_bundle mc no-such-command)
	printf 'neither ELF nor #!\n' >"$b/rootfs/garbage"
	chmod 755 "$b/rootfs/garbage"
	rc=0
	oci run -b "$b" "$(cid mc)" >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_eq $rc 127 "a missing command in the guest"
	assert_contains "$(cat "$WORK/err")" "no-such-command"
	cfg "$b" '.process.args=["/garbage"]'
	rc=0
	oci run -b "$b" "$(cid mc2)" >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_eq $rc 126 "an exec format error in the guest"
	assert_contains "$(cat "$WORK/err")" "exec format error"
}

# The main process's attributes in the guest, as a container's: cwd, user and groups, umask,
# rlimits, oom_score_adj (one boot; each is set by the guest init before the exec).
test_vm_process_attributes() {
	vm_ready
	local b out
	b=$(vm_bundle pa sh -c 'pwd; id -u; id -g; id -G; umask; ulimit -n; ulimit -Hn; cat /proc/self/oom_score_adj')
	cfg "$b" '.process.cwd="/tmp" | .process.user={"uid":1000,"gid":1000,"additionalGids":[5,20],"umask":23}
		| .process.rlimits=[{"type":"RLIMIT_NOFILE","soft":123,"hard":456}] | .process.oomScoreAdj=321'
	out=$(oci run -b "$b" "$(cid pa)" 2>"$WORK/err") || fatal "run failed: $(cat "$WORK/err")"
	assert_eq "$out" $'/tmp\n1000\n1000\n1000 5 20\n0027\n123\n456\n321' "cwd, uid, gid, groups, umask, rlimit, oom_score_adj"
}
