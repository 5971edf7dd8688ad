#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/pod.sh: Kubernetes pods through containerd's CRI plugin and the stock runc shim, with
# runc, hull-oci (handler `hull`, the container level) and hull-oci-vm (handler `hull-vm`, one
# VM per pod), interleaved rounds (BENCH_N, default 3):
#   - RunPodSandbox -> the first app container's first output line in its CRI log (the client
#     calls RunPodSandbox, CreateContainer, StartContainer, then watches the log), wall ms;
#   - host memory of the pod with that container running: the proportional set size of every
#     process in the pod's cgroup (VMM with the guest RAM it touched, virtiofsd, relays; or the
#     containers' processes), MiB.
# Medians, and ratios to runc.  Results: bench/results/pod.md.  Needs root, containerd, the
# CNI plugins, python3-grpcio and protoc (scripts/deps.sh), and a built tree (make).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_N:-3}
PY=/usr/bin/python3
OUT=$REPO/bench/results/pod.md
WORK=$(mktemp -d /var/tmp/hull-bench-pod.XXXXXX)
CTRD=$WORK/ctrd
GEN=$WORK/gen
BR=hbpod$$
CG=hull-bench-pod-$$

cri() { $PY "$REPO/tests/data/cri/cri.py" "$GEN" "$CTRD/c.sock" "$@"; }

cleanup() {
	set +e
	for p in $(ctr -a "$CTRD/c.sock" -n k8s.io task ls -q 2>/dev/null); do
		ctr -a "$CTRD/c.sock" -n k8s.io task kill -s KILL "$p"
	done
	[ -f "$CTRD/pid" ] && kill "$(cat "$CTRD/pid")"
	for p in $(pgrep -f "containerd-shim-runc-v2 .*-address $CTRD/c.sock"); do kill -9 "$p"; done
	sleep 1
	grep "$WORK" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
	ip link del "$BR" 2>/dev/null
	find /sys/fs/cgroup -depth -type d -path "*/$CG*" -exec rmdir {} + 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$CTRD/cni" "$GEN" "$WORK/logs" "$WORK/root" "$WORK/runc-root" "$(dirname "$OUT")"
protoc -I"$REPO/tests/data/cri" --python_out="$GEN" "$REPO/tests/data/cri/cri.proto"
cat >"$CTRD/cni/10-bench.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "hull-bench-pod", "plugins": [
  {"type": "bridge", "bridge": "$BR", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "dataDir": "$CTRD/ipam", "ranges": [[{"subnet": "10.214.0.0/24"}]]}}]}
EOF
runtime() { # NAME BINARY ROOT [EXTRA]
	cat <<EOF
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.$1]
      runtime_type = "io.containerd.runc.v2"
      ${4:-}
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.$1.options]
        BinaryName = "$2"
        Root = "$3"
EOF
}
{
	cat <<EOF
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
EOF
	runtime runc "$(command -v runc)" "$WORK/runc-root"
	runtime hull "$REPO/build/hull-oci" "$WORK/root"
	runtime hull-vm "$REPO/build/hull-oci-vm" "$WORK/root" 'pod_annotations = ["run.hull.vm.*"]'
} >"$CTRD/config.toml"
containerd --config "$CTRD/config.toml" >"$CTRD/log" 2>&1 &
echo $! >"$CTRD/pid"
for _ in $(seq 150); do cri version >/dev/null 2>&1 && break; sleep 0.1; done
"$REPO/tests/data/mkbundle.sh" "$WORK/img" true >/dev/null
$PY "$REPO/tests/data/cri/mkimages.py" "$WORK/img/rootfs" "$WORK/img"
ctr -a "$CTRD/c.sock" -n k8s.io images import "$WORK/img/pause.tar" >/dev/null
ctr -a "$CTRD/c.sock" -n k8s.io images import "$WORK/img/app.tar" >/dev/null

# pss_mib CGROUP: the PSS of every process under the cgroup (any hierarchy that has it).
pss_mib() {
	local d kb=0 p v
	d=$(find /sys/fs/cgroup -maxdepth 3 -type d -path "*/$1" | head -1)
	for p in $(find "$d" -name cgroup.procs -exec cat {} + | sort -u); do
		v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
		kb=$((kb + ${v:-0}))
	done
	echo $((kb / 1024))
}

median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

declare -A T M
handlers=(runc hull hull-vm)
for r in $(seq "$N"); do
	for h in "${handlers[@]}"; do
		name=p$r-$h
		t0=$(date +%s%N)
		sid=$(cri run-pod "$name" "$h" "/$CG/$name" "$WORK/logs/$name")
		cid=$(cri create "$sid" app hull.test/busybox:1 app.log -- sh -c 'echo first; exec sleep 100000')
		cri start "$cid"
		for _ in $(seq 3000); do
			grep -q " F first$" "$WORK/logs/$name/app.log" 2>/dev/null && break
			sleep 0.01
		done
		t1=$(date +%s%N)
		grep -q " F first$" "$WORK/logs/$name/app.log" || { echo "no output from $h" >&2; exit 1; }
		sleep 1 # let the processes settle
		T[$h]+="$(((t1 - t0) / 1000000)) "
		M[$h]+="$(pss_mib "$CG/$name") "
		cri stop "$cid" 0
		cri rm "$cid"
		cri stop-pod "$sid"
		cri rm-pod "$sid"
		echo "round $r $h: $(((t1 - t0) / 1000000)) ms, $(echo "${M[$h]}" | awk '{print $NF}') MiB" >&2
	done
done

{
	echo "# Pods under containerd's CRI (bench/pod.sh)"
	echo
	echo "$(date -u +%F), BENCH_N=$N, $(nproc) CPUs, $(if grep -qw -e vmx -e svm /proc/cpuinfo && [ -c /dev/kvm ]; then echo KVM; else echo "TCG (no usable KVM)"; fi)"
	echo
	echo "| handler | RunPodSandbox → first output, ms (median) | × runc | host memory per pod, MiB (median PSS) | × runc |"
	echo "|---|---|---|---|---|"
	rt=$(echo "${T[runc]}" | tr ' ' '\n' | grep . | median)
	rm_=$(echo "${M[runc]}" | tr ' ' '\n' | grep . | median)
	for h in "${handlers[@]}"; do
		t=$(echo "${T[$h]}" | tr ' ' '\n' | grep . | median)
		m=$(echo "${M[$h]}" | tr ' ' '\n' | grep . | median)
		echo "| $h | $t | $(awk -v a="$t" -v b="$rt" 'BEGIN {printf "%.2f", a / b}') | $m | $(awk -v a="$m" -v b="$rm_" 'BEGIN {printf "%.1f", (b > 0) ? a / b : 0}') |"
	done
} | tee "$OUT"
