#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/vhost.sh: a VM's network with vhost-net against QEMU's own virtio-net backend.  Both
# need KVM, which this machine may not have: the measurement runs, as `make test-kvm` does,
# in an outer VM container (TCG, `-cpu max`, Debian's kernel with kvm_amd and vhost_net)
# running inner VM containers under KVM.  Each inner workload downloads BENCH_VHOST_MB
# (default 32) MiB over HTTP from the outer guest through its NIC (a veth in the outer's
# namespace), BENCH_N rounds (default 3) interleaved: annotation run.hull.vm.vhost=on, then
# off.  Reported: the medians of the transfer's wall time and its throughput, and the ratio.
# Under an emulated outer VM every figure is slow; the ratio is what tells.
# Results: bench/results/vhost.md.  Needs root and a built tree with Debian's kernel (make).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_N:-3}
MB=${BENCH_VHOST_MB:-32}
OUT=$REPO/bench/results/vhost.md
ROOT=/run/hull-bench-vhost
WORK=$(mktemp -d /var/tmp/hull-bench-vhost.XXXXXX)
kver=$(cat "$REPO/build/vm/kernel-version")
[ -r "/lib/modules/$kver/modules.dep" ] || { echo "bench: no modules for $kver (linux-image-amd64)" >&2; exit 1; }

cleanup() {
	set +e
	for id in $(ls "$ROOT" 2>/dev/null); do "$REPO/build/hull-oci" --root "$ROOT" delete --force "$id"; done
	rm -rf "$WORK" "$ROOT"
}
trap cleanup EXIT
mkdir -p "$ROOT" "$WORK/kvm" "$(dirname "$OUT")"

# the inner bundle: the download, timed by busybox's `time` (real 0m S.SSs)
"$REPO/tests/data/mkbundle.sh" "$WORK/kvm/inner" sh -c \
	'time wget -q -O /dev/null http://10.9.0.1:8000/blob' >/dev/null
jq '.annotations["run.hull.isolation"]="vm" | .annotations["run.hull.vm.memory"]="256" |
	.linux.namespaces |= map(if .type == "network" then .path = "/run/netns/inner" else . end)' \
	"$WORK/kvm/inner/config.json" >"$WORK/kvm/c.json"
mv "$WORK/kvm/c.json" "$WORK/kvm/inner/config.json"

cat >"$WORK/kvm/outer.sh" <<EOF
set -u
modprobe kvm_amd || { echo "modprobe kvm_amd failed"; exit 90; }
modprobe vhost_net || { echo "modprobe vhost_net failed"; exit 91; }
echo "+memory +pids +cpu" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
ip netns add inner
ip link add v0 type veth peer name eth0 netns inner
ip addr add 10.9.0.1/24 dev v0
ip link set v0 up
ip -n inner addr add 10.9.0.2/24 dev eth0
ip -n inner link set eth0 up
mkdir -p /tmp/www /run/h
dd if=/dev/urandom of=/tmp/www/blob bs=1M count=$MB 2>/dev/null
busybox httpd -p 10.9.0.1:8000 -h /tmp/www
for r in \$(seq $N); do
	for mode in on off; do
		rm -rf /tmp/inner
		cp -a /kvm/inner /tmp/inner
		sed -i "s/\"run.hull.isolation\": \"vm\"/\"run.hull.isolation\": \"vm\", \"run.hull.vm.vhost\": \"\$mode\"/" /tmp/inner/config.json
		t=\$(/hull-build/hull-oci --root /run/h run -b /tmp/inner "in-\$r-\$mode" </dev/null 2>&1 | awk '/^real/ {print \$2 \$3}')
		echo "result \$mode \$t"
	done
done
EOF

# the outer VM container: Debian's kernel, the CPU with SVM, the host's /usr and /etc
"$REPO/tests/data/mkbundle.sh" "$WORK/outer" sh /kvm/outer.sh >/dev/null
r=$WORK/outer/rootfs
mkdir -p "$r/kvm" "$r/usr" "$r/run" "$r/hull-build"
for d in bin sbin lib lib64; do
	rm -rf "${r:?}/$d"
	ln -s "usr/$d" "$r/$d"
done
jq --arg repo "$REPO" --arg k "$REPO/build/vm/vmlinux" --arg i "$REPO/build/vm/initrd" \
	--arg kvm "$WORK/kvm" '
	.annotations["run.hull.isolation"] = "vm" |
	.annotations["run.hull.vm.kernel"] = $k | .annotations["run.hull.vm.initrd"] = $i |
	.annotations["run.hull.vm.cpu-model"] = "max" |
	.annotations["run.hull.vm.memory"] = "1024" | .annotations["run.hull.vm.cpus"] = "2" |
	del(.process.capabilities) |
	.mounts |= map(if .type == "cgroup" then .options -= ["ro"] else . end) |
	.mounts += [
		{"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro"]},
		{"destination": "/etc", "type": "bind", "source": "/etc", "options": ["rbind", "ro"]},
		{"destination": "/hull-build", "type": "bind", "source": ($repo + "/build"),
		 "options": ["rbind", "ro"]},
		{"destination": "/kvm", "type": "bind", "source": $kvm, "options": ["rbind", "ro"]},
		{"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["mode=755"]},
		{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["mode=1777"]}]' \
	"$WORK/outer/config.json" >"$WORK/c.json"
mv "$WORK/c.json" "$WORK/outer/config.json"
"$REPO/build/hull-oci" --root "$ROOT" run -b "$WORK/outer" vhost-bench >"$WORK/out" 2>"$WORK/err" || true
grep '^result ' "$WORK/out" >&2 || { cat "$WORK/out" "$WORK/err" >&2; exit 1; }

# "0m1.23s" -> seconds
secs() { sed -e 's/s$//' -e 's/m/ /' | awk '{print $1 * 60 + $2}'; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
on=$(awk '$2 == "on" {print $3}' "$WORK/out" | secs | median)
off=$(awk '$2 == "off" {print $3}' "$WORK/out" | secs | median)
{
	echo "# vhost-net against QEMU's virtio-net backend (bench/vhost.sh)"
	echo
	echo "$(date -u +%F), BENCH_N=$N, $MB MiB over HTTP from the outer guest into an inner KVM guest; the outer VM is TCG"
	echo
	echo "| backend | transfer s (median) | MiB/s |"
	echo "|---|---|---|"
	echo "| vhost-net | $on | $(awk -v s="$on" -v m="$MB" 'BEGIN {printf "%.1f", m / s}') |"
	echo "| QEMU virtio-net | $off | $(awk -v s="$off" -v m="$MB" 'BEGIN {printf "%.1f", m / s}') |"
	echo
	echo "vhost-net: $(awk -v a="$off" -v b="$on" 'BEGIN {printf "%.2f", a / b}')× the throughput of QEMU's backend"
} | tee "$OUT"
