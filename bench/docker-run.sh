#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `docker run --rm IMAGE true` through one private dockerd (Debian's docker.io) with three
# runtimes: hull-oci, runc and crun, interleaved (BENCH_N each, default 30), medians and the
# ratios.  The dockerd has its own data root, exec root and socket, no iptables and no
# bridge, the cgroupfs driver; the image is a busybox rootfs `docker import`ed, the network
# off.  On a hybrid cgroup host it all runs where /sys/fs/cgroup/unified is hidden (crun 1.8
# refuses such hosts), as the other benchmarks do.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
n=${BENCH_N:-30}
out=$repo/bench/results

if [ "${1:-}" != --inner ]; then
	[ -x /usr/sbin/dockerd ] || { echo "bench: dockerd is not installed (docker.io)" >&2; exit 1; }
	mkdir -p "$out"
	cc -O2 -o "$out/timeit" "$repo/bench/timeit.c"
	source "$repo/bench/lib.sh"
	like_crun "$0" --inner
	exit
fi

w=$(mktemp -d /var/tmp/hull-bench-docker.XXXXXX)
docker=/usr/bin/docker
[ -x "$docker" ] || docker=docker
dk() { "$docker" -H "unix://$w/sock" "$@"; }
cleanup() {
	# shellcheck disable=SC2046
	dk rm -f $(dk ps -aq) >/dev/null 2>&1 || true
	local pid
	pid=$(cat "$w/pid" 2>/dev/null) || true
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
	grep -o " $w[^ ]*" /proc/self/mountinfo 2>/dev/null | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$w"
	for d in /sys/fs/cgroup/*/hull-bench-docker; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
	true
}
trap cleanup EXIT
/usr/sbin/dockerd --data-root "$w/data" --exec-root "$w/exec" --pidfile "$w/pid" \
	-H "unix://$w/sock" --add-runtime "hull=$repo/build/hull-oci" --add-runtime crun=/usr/bin/crun \
	--iptables=false --ip6tables=false --bridge=none --exec-opt native.cgroupdriver=cgroupfs \
	--cgroup-parent /hull-bench-docker --storage-driver overlay2 >"$w/log" 2>&1 </dev/null &
for _ in $(seq 150); do dk version >/dev/null 2>&1 && break; sleep 0.2; done
dk version >/dev/null || { echo "bench: dockerd did not start: $(tail -3 "$w/log")" >&2; exit 1; }
"$repo/tests/data/mkbundle.sh" "$w/b" >/dev/null
tar -C "$w/b/rootfs" -c . | dk import - bench:latest >/dev/null
# one warm-up each: the first run of a runtime pays for its binary's page cache
for rt in hull runc crun; do dk run --rm --network none --runtime $rt bench:latest true; done

run="$docker -H unix://$w/sock run --rm --network none"
table=$("$out/timeit" "$n" \
	"hull-oci=$run --runtime hull bench:latest true" \
	"runc=$run --runtime runc bench:latest true" \
	"crun=$run --runtime crun bench:latest true")
{
	echo "# docker run --rm IMAGE true: hull-oci vs runc vs crun ($n interleaved runs each, $(date -u +%F))"
	echo
	echo "dockerd $(dk version -f '{{.Server.Version}}'), containerd's runc shim (io.containerd.runc.v2)"
	echo
	echo "$table"
	echo
	awk -F'|' '/hull-oci/ {h=$3} /runc/ {r=$3} /crun/ {c=$3}
		END {printf "hull-oci/runc median wall: %.2fx; hull-oci/crun: %.2fx\n", h/r, h/c}' <<<"$table"
} | tee "$out/docker-run.md"
