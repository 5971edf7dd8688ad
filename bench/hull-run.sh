#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `hull run --rm IMAGE true` against `podman --runtime crun run --rm IMAGE true`: the whole
# daemonless CLI path (record, overlay rootfs, bundle, monitor, runtime, log, removal),
# interleaved runs (BENCH_N each, default 30), medians and the ratio (target <= 0.25x podman).
#
# Both have the same busybox image already imported (podman on its vfs driver, hull on
# overlayfs) and put each container on their default bridge network (hull: `bridge` through
# CNI; podman: its `podman` network through its own backend), as a user gets them, like with
# like.  Both run in one private network namespace (its bridges, iptables rules and
# addresses vanish with it: nothing of the host's network is touched) and one private mount
# namespace where the hybrid host's /sys/fs/cgroup/unified is hidden (crun, under podman,
# refuses hybrid hosts).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
n=${BENCH_N:-30}
out=$repo/bench/results
mkdir -p "$out"
cc -O2 -o "$out/timeit" "$repo/bench/timeit.c"
command -v podman >/dev/null || { echo "bench: podman is not installed" >&2; exit 1; }
w=$(mktemp -d /var/tmp/hull-bench-run.XXXXXX)
pr=/run/hull-bench-pm.$$
ns=hull-bench-run.$$
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
inns() { nsenter --net="/run/netns/$ns" "$@"; }
cleanup() {
	inns podman --root "$w/pm" --runroot "$pr" --storage-driver vfs rm -af >/dev/null 2>&1 || true
	ip netns del "$ns" 2>/dev/null || true
	grep -o " $w[^ ]*\| $pr[^ ]*" /proc/self/mountinfo 2>/dev/null | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$w" "$pr" /run/hull-bench-run
}
trap cleanup EXIT
"$repo/tests/data/mkbundle.sh" "$w/b" >/dev/null
tar -C "$w/b/rootfs" -cf "$w/rootfs.tar" .
"$repo/build/hull" --root "$w/store" import -q "$w/rootfs.tar" bench:latest >/dev/null
podman --root "$w/pm" --runroot "$pr" --storage-driver vfs import -q "$w/rootfs.tar" localhost/bench:latest >/dev/null

source "$repo/bench/lib.sh"

# podman lowers RLIMIT_NPROC's hard limit and this host's root cannot raise it back
# (no CAP_SYS_RESOURCE): ulimits below the current ones keep crun's setrlimit legal.
table=$(like_crun nsenter --net="/run/netns/$ns" "$out/timeit" "$n" \
	"hull=$repo/build/hull --root $w/store --runroot /run/hull-bench-run run --rm bench true" \
	"podman=podman --root $w/pm --runroot $pr --runtime crun --cgroup-manager cgroupfs --events-backend file --storage-driver vfs run --rm --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 localhost/bench true")
{
	echo "# hull run --rm IMAGE true vs podman (crun) run --rm IMAGE true, each on its default bridge network ($n interleaved runs each, $(date -u +%F))"
	echo
	echo "$table"
	echo
	awk -F'|' '/hull/ {h=$3} /podman/ {p=$3}
		END {printf "hull/podman median wall: %.2fx (target <= 0.25x)\n", h/p}' <<<"$table"
} | tee "$out/hull-run.md"
