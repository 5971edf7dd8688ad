# SPDX-License-Identifier: Apache-2.0
# Kubernetes' CRI: containerd 1.6's CRI plugin, driven by a small CRI client
# (tests/data/cri/cri.py over gRPC), runs pods through the stock runc shim
# (io.containerd.runc.v2) with runc, with hull-oci (handler `hull`, the container level) and
# with hull-oci-vm (handler `hull-vm`: one VM per pod).  The same scenarios at each handler.
# Each test starts its own containerd (root, state, socket, CNI config and IPAM under $WORK)
# and stops it by pid.  VM boots are TCG here: the hull-vm test takes a while.

CTRD=""
CRI_GEN=""
PY=/usr/bin/python3

cri_ready() {
	command -v containerd >/dev/null && command -v containerd-shim-runc-v2 >/dev/null ||
		skip "containerd is not installed"
	command -v protoc >/dev/null || skip "protoc not installed (protobuf-compiler)"
	$PY -c 'import grpc, google.protobuf' 2>/dev/null ||
		skip "python3-grpcio or python3-protobuf not installed"
	[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] ||
		skip "CNI plugins not installed (containernetworking-plugins)"
	command -v ip >/dev/null || skip "iproute2 not installed"
}

# cri ARGS...: the CRI client on this test's containerd.
cri() { $PY "$REPO/tests/data/cri/cri.py" "$CRI_GEN" "$CTRD/c.sock" "$@"; }

# start_cri_containerd SUBNET-OCTET: containerd with the CRI plugin, handlers runc, hull and
# hull-vm, a CNI bridge network 10.213.N.0/24 on its own bridge, the test images imported.
start_cri_containerd() {
	local n=$1 br
	br="hc$(printf %s "$T" | md5sum | cut -c1-8)"
	CTRD=$WORK/ctrd
	CRI_GEN=$WORK/cri-gen
	mkdir -p "$CTRD/cni" "$CRI_GEN" "$WORK/logs" "$WORK/runc-root"
	protoc -I"$REPO/tests/data/cri" --python_out="$CRI_GEN" "$REPO/tests/data/cri/cri.proto"
	cat >"$CTRD/cni/10-hull-test.conflist" <<-EOF
		{"cniVersion": "1.0.0", "name": "hull-test-$n", "plugins": [
		  {"type": "bridge", "bridge": "$br", "isGateway": true, "ipMasq": false,
		   "ipam": {"type": "host-local", "dataDir": "$CTRD/ipam",
		            "ranges": [[{"subnet": "10.213.$n.0/24"}]]}}]}
	EOF
	cat >"$CTRD/config.toml" <<-EOF
		version = 2
		root = "$CTRD/root"
		state = "$CTRD/state"
		[grpc]
		  address = "$CTRD/c.sock"
		[ttrpc]
		  address = "$CTRD/c.sock.ttrpc"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "hull.test/pause:1"
		  restrict_oom_score_adj = true
		  disable_apparmor = true
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "/usr/lib/cni"
		    conf_dir = "$CTRD/cni"
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    default_runtime_name = "runc"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		        BinaryName = "$(command -v runc)"
		        Root = "$WORK/runc-root"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hull]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hull.options]
		        BinaryName = "$HULL_OCI"
		        Root = "$ROOT"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hull-vm]
		      runtime_type = "io.containerd.runc.v2"
		      pod_annotations = ["run.hull.vm.*"]
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hull-vm.options]
		        BinaryName = "$REPO/build/hull-oci-vm"
		        Root = "$ROOT"
	EOF
	ip netns list | awk '/^cni-/ {print $1}' | sort >"$WORK/netns.before"
	containerd --config "$CTRD/config.toml" >"$CTRD/log" 2>&1 &
	echo $! >"$CTRD/pid"
	defer stop_cri_containerd "$CTRD" "$br" "$T"
	for _ in $(seq 150); do
		[ -S "$CTRD/c.sock" ] && cri version >/dev/null 2>&1 && break
		sleep 0.1
	done
	cri version >/dev/null || fatal "containerd's CRI did not start: $(tail -5 "$CTRD/log")"
	# the images, built once per test from the busybox root file system
	[ -d "$WORK/img/rootfs" ] || "$REPO/tests/data/mkbundle.sh" "$WORK/img" true >/dev/null
	$PY "$REPO/tests/data/cri/mkimages.py" "$WORK/img/rootfs" "$WORK/img"
	ctr -a "$CTRD/c.sock" -n k8s.io images import "$WORK/img/pause.tar" >/dev/null
	ctr -a "$CTRD/c.sock" -n k8s.io images import "$WORK/img/app.tar" >/dev/null
}

# Deferred: everything comes in as arguments (it runs outside the test's subshell).
stop_cri_containerd() {
	local ctrd=$1 br=$2 t=$3 p
	[[ $ctrd == "$WORK"/* ]] || return 1
	for p in $(ctr -a "$ctrd/c.sock" -n k8s.io task ls -q 2>/dev/null); do
		ctr -a "$ctrd/c.sock" -n k8s.io task kill -s KILL "$p"
	done
	kill "$(cat "$ctrd/pid")"
	for p in $(pgrep -f "containerd-shim-runc-v2 .*-address $ctrd/c.sock"); do
		kill -9 "$p"
	done
	for _ in $(seq 50); do kill -0 "$(cat "$ctrd/pid")" 2>/dev/null || break; sleep 0.1; done
	grep "$ctrd" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
	ip link del "$br" 2>/dev/null
	rmdir "$ROOT/k8s.io" 2>/dev/null
	# the pod's cgroup parent is kubelet's to remove: in every hierarchy
	find /sys/fs/cgroup -depth -type d -path "*/hull-test/$t-pod*" -exec rmdir {} + 2>/dev/null
	return 0
}

# wait_log FILE TEXT: a line of the CRI log (TIME STREAM TAG TEXT) whose text is TEXT.
wait_log() {
	for _ in $(seq 600); do
		grep -q " F $2\$" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fatal "never saw '$2' in $1: $(cat "$1" 2>&1)"
}

# cri_pod_scenario HANDLER SUBNET-OCTET [ANNOTATION=VALUE...]: the scenarios, the same at
# every handler (the pod's annotations given to RunPodSandbox).
cri_pod_scenario() {
	local handler=$1 n=$2 sid ip srv cli ex out rc netns_after
	shift 2
	cri_ready
	start_cri_containerd "$n"
	# a pod up, with an IP from CNI
	sid=$(cri run-pod p1 "$handler" "/hull-test/$T-pod" "$WORK/logs" "$@")
	ip=$(cri pod-ip "$sid")
	[[ $ip == 10.213.$n.* ]] || fatal "the pod's IP: '$ip'"
	# two containers of the pod: one serves on 127.0.0.1, the other reaches it
	srv=$(cri create "$sid" srv hull.test/busybox:1 srv.log -- sh -c \
		'echo hello-from-srv >/tmp/index.html; echo srv-up; exec httpd -f -p 127.0.0.1:8080 -h /tmp')
	cri start "$srv"
	cli=$(cri create "$sid" cli hull.test/busybox:1 cli.log -- sh -c \
		'for i in $(seq 150); do wget -qO- http://127.0.0.1:8080/ && break; sleep 0.2; done; hostname; echo err-line >&2; exec sleep 100000')
	cri start "$cli"
	# logs: each container's stdout and stderr, in CRI's log format
	wait_log "$WORK/logs/srv.log" srv-up
	wait_log "$WORK/logs/cli.log" hello-from-srv
	wait_log "$WORK/logs/cli.log" p1
	wait_log "$WORK/logs/cli.log" err-line
	grep -q " stderr F err-line\$" "$WORK/logs/cli.log" || fatal "stderr not in the log: $(cat "$WORK/logs/cli.log")"
	assert_eq "$(cri state "$srv")" "RUNNING 0"
	# ExecSync: output and exit codes
	assert_eq "$(cri exec "$srv" -- cat /tmp/index.html)" hello-from-srv
	set +e
	out=$(cri exec "$cli" -- sh -c 'echo to-err >&2; exit 5' 2>&1)
	rc=$?
	set -e
	assert_eq "$rc" 5 "ExecSync's exit code"
	assert_eq "$out" to-err "ExecSync's stderr"
	assert_eq "$(cri exec "$cli" -- sh -c 'cat /proc/1/cmdline | tr "\0" " "')" "sleep 100000 " "exec in the container's own pid namespace"
	# the pod's IPC: one /dev/shm for its containers
	cri exec "$srv" -- sh -c 'echo pod-ipc >/dev/shm/x'
	assert_eq "$(cri exec "$cli" -- cat /dev/shm/x)" pod-ipc "/dev/shm shared by the pod's containers"
	# UpdateContainerResources: the new limit is the container's own cgroup's
	cri update "$srv" 67108864
	assert_eq "$(cri exec "$srv" -- sh -c 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes')" 67108864 "memory limit after UpdateContainerResources"
	[ "$handler" != hull-vm ] || pod_vm_sized
	# a container's exit code, as ContainerStatus reports it
	ex=$(cri create "$sid" ex hull.test/busybox:1 ex.log -- sh -c 'echo bye; exit 3')
	cri start "$ex"
	wait_log "$WORK/logs/ex.log" bye
	for _ in $(seq 100); do [ "$(cri state "$ex")" = "EXITED 3" ] && break; sleep 0.1; done
	assert_eq "$(cri state "$ex")" "EXITED 3" "an exited container's status"
	cri rm "$ex"
	# the pod's IP answers from the host
	busybox ping -c1 -W10 "$ip" >/dev/null || fatal "the pod's IP $ip does not answer from the host"
	# stop and remove, with nothing left
	cri stop "$cli" 0
	assert_eq "$(cri state "$cli" | cut -d' ' -f1)" EXITED
	cri stop "$srv" 0
	cri rm "$cli"
	cri rm "$srv"
	cri stop-pod "$sid"
	cri rm-pod "$sid"
	assert_eq "$(ls "$ROOT/k8s.io" 2>/dev/null)" "" "containers left in the runtime's root"
	ip netns list | awk '/^cni-/ {print $1}' | sort >"$WORK/netns.after"
	netns_after=$(comm -13 "$WORK/netns.before" "$WORK/netns.after")
	assert_eq "$netns_after" "" "the pod's network namespace left"
	[ -z "$(find /sys/fs/cgroup -mindepth 1 -type d -path "*/hull-test/$T-pod/*" 2>/dev/null)" ] ||
		fatal "cgroups left: $(find /sys/fs/cgroup -mindepth 1 -type d -path "*/hull-test/$T-pod/*")"
	! grep -q "$CTRD/state\|$ROOT" /proc/self/mountinfo || fatal "mounts left: $(grep "$CTRD/state\|$ROOT" /proc/self/mountinfo)"
	! pgrep -f "virtiofsd.*$ROOT/" >/dev/null || fatal "virtiofsd left"
	! pgrep -f "qemu-system.*$ROOT/" >/dev/null || fatal "QEMU left"
	! ip -o link | grep -q hulltap || fatal "a tap left on the host"
}

test_cri_runc() {
	command -v runc >/dev/null || skip "runc is not installed"
	cri_pod_scenario runc 1
}

test_cri_hull() {
	cri_pod_scenario hull 2
}

# The pod's VM as its annotations size it (passed by containerd: pod_annotations), seen from
# an app container: 2 vCPUs, 384 MiB (the kernel keeps some: MemTotal a little below).
pod_vm_sized() {
	local kb
	assert_eq "$(cri exec "$srv" -- nproc)" 2 "the pod VM's vCPUs"
	kb=$(cri exec "$srv" -- awk '/^MemTotal:/ {print $2}' /proc/meminfo)
	[ "$kb" -gt 300000 ] && [ "$kb" -le 393216 ] || fatal "the pod VM's memory: MemTotal $kb kB, not 384 MiB"
}

test_cri_hull_vm() {
	vm_ready
	cri_pod_scenario hull-vm 3 run.hull.vm.cpus=2 run.hull.vm.memory=384
}
