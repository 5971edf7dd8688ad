#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `hull build` against `podman build` (and `buildah bud` where it is installed) of one small
# multi-step Dockerfile: FROM the test busybox image, COPY of 50 files, RUN x3, ENV, CMD.
# Cold (--no-cache: every step made again) and cached (nothing changed: every step from the
# cache), interleaved runs (BENCH_N each, default 5), medians and ratios (target <= 0.5x).
#
# The base is the busybox rootfs of tests/data/mkbundle.sh imported into each store (the
# multi-layer mkimage.py image has one history entry for three layers, which buildah refuses
# to build on).  podman and buildah use their vfs driver and crun, hull overlayfs and hull-oci;
# all run with the network off in one private mount namespace where a hybrid host's
# /sys/fs/cgroup/unified is hidden (crun refuses hybrid hosts).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
n=${BENCH_N:-5}
out=$repo/bench/results
mkdir -p "$out"
cc -O2 -o "$out/timeit" "$repo/bench/timeit.c"
command -v podman >/dev/null || { echo "bench: podman is not installed" >&2; exit 1; }
w=$(mktemp -d /var/tmp/hull-bench-build.XXXXXX)
pr=/run/hull-bench-pb.$$
hr=/run/hull-bench-build.$$
pm="podman --root $w/pm --runroot $pr --storage-driver vfs --cgroup-manager cgroupfs --events-backend file"
cleanup() {
	$pm rm -af >/dev/null 2>&1 || true
	"$repo/build/hull" --root "$w/store" --runroot "$hr" rm -f $("$repo/build/hull" --root "$w/store" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
	grep -o " $w[^ ]*\| $pr[^ ]*" /proc/self/mountinfo 2>/dev/null | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$w" "$pr" "$hr"
}
trap cleanup EXIT

"$repo/tests/data/mkbundle.sh" "$w/b" >/dev/null
tar -C "$w/b/rootfs" -cf "$w/rootfs.tar" .
"$repo/build/hull" --root "$w/store" import -q "$w/rootfs.tar" bench:base >/dev/null
$pm import -q "$w/rootfs.tar" localhost/bench:base >/dev/null
mkdir -p "$w/ctx/app"
for i in $(seq 50); do head -c 4096 /dev/urandom | base64 >"$w/ctx/app/f$i"; done
cat >"$w/ctx/Dockerfile" <<'EOF'
FROM localhost/bench:base
COPY app /app
RUN cat /app/* | wc -c > /app/size
RUN ls /app | wc -l > /app/count
RUN mkdir -p /data && echo done > /data/done
ENV APP_HOME=/app
CMD ["cat", "/app/size", "/app/count"]
EOF
"$repo/build/hull" --root "$w/store" tag bench:base localhost/bench:base

source "$repo/bench/lib.sh"

# podman lowers RLIMIT_NPROC's hard limit and this host's root cannot raise it back (no
# CAP_SYS_RESOURCE): ulimits below the current ones keep crun's setrlimit legal.
hull="$repo/build/hull --root $w/store --runroot $hr build -q -t hb"
podman="$pm build -q --runtime crun --network none --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 -t pb"
cmds_cold=("hull=$hull --no-cache $w/ctx >/dev/null" "podman=$podman --no-cache $w/ctx >/dev/null")
cmds_warm=("hull=$hull $w/ctx >/dev/null" "podman=$podman $w/ctx >/dev/null")
if command -v buildah >/dev/null; then
	bud="buildah --root $w/pm --runroot $pr --storage-driver vfs bud -q --runtime crun --network none -t bb"
	cmds_cold+=("buildah=$bud --no-cache $w/ctx >/dev/null")
	cmds_warm+=("buildah=$bud --layers $w/ctx >/dev/null")
fi
# one build each first: the cached runs find every step there
like_crun sh -c "$hull $w/ctx >/dev/null && $podman $w/ctx >/dev/null"
cold=$(like_crun "$out/timeit" "$n" "${cmds_cold[@]}")
warm=$(like_crun "$out/timeit" "$n" "${cmds_warm[@]}")
ratio() { awk -F'|' -v a="$2" '$2 ~ "hull" {h=$3} $2 ~ a {p=$3} END {printf "%.2fx", h/p}' <<<"$1"; }
{
	echo "# hull build vs podman build: FROM busybox, COPY (50 files), RUN x3, ENV, CMD ($n interleaved runs each, $(date -u +%F))"
	echo
	echo "Cold (--no-cache):"
	echo
	echo "$cold"
	echo
	echo "Cached (no change):"
	echo
	echo "$warm"
	echo
	echo "hull/podman median wall: cold $(ratio "$cold" podman), cached $(ratio "$warm" podman) (target <= 0.5x)"
	command -v buildah >/dev/null &&
		echo "hull/buildah median wall: cold $(ratio "$cold" buildah), cached $(ratio "$warm" buildah)"
	true
} | tee "$out/build.md"
