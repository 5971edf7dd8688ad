#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# 50 containers (BENCH_C) started at once, each `sleep`, then killed and deleted at once:
# hull-oci against crun, interleaved rounds (BENCH_ROUNDS, default 3), medians.
# Reported per runtime: wall time to have all running, to stop and delete them all, memory
# per container (the median of what each container's memory cgroup is charged while all
# run: its processes and the kernel memory of its setup; the host's free memory would be
# skewed by whatever else runs), and the runtime's own peak RSS.
#
# Like oci-run.sh, on a hybrid cgroup host both run with /sys/fs/cgroup/unified hidden in a
# private mount namespace, because crun 1.8 refuses such hosts.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
c=${BENCH_C:-50}
rounds=${BENCH_ROUNDS:-3}
out=$repo/bench/results
mkdir -p "$out"
command -v crun >/dev/null || { echo "bench: crun is not installed" >&2; exit 1; }

if [ "${1:-}" != --inner ]; then
	if [ -e /sys/fs/cgroup/unified/cgroup.controllers ] &&
		[ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers)" ]; then
		echo "(hybrid cgroup host: both runtimes run with /sys/fs/cgroup/unified hidden, as crun requires)"
		exec unshare -m bash -c 'mount --make-rprivate / && umount /sys/fs/cgroup/unified && exec "$@"' _ "$0" --inner
	fi
	exec "$0" --inner
fi

b=$(mktemp -d /var/tmp/hull-bench-conc.XXXXXX)
# an interrupted run leaves no container behind
cleanup() {
	local r id
	for r in "$repo/build/hull-oci --root /run/hull-bench-conc" "crun --root /run/crun-bench-conc"; do
		for id in $($r list -q 2>/dev/null); do $r delete --force "$id" >/dev/null 2>&1; done
	done
	rm -rf "$b" "$b.rss"
}
trap cleanup EXIT
"$repo/tests/data/mkbundle.sh" "$b" sleep 1000 >/dev/null
mkdir -p "$b.rss"

declare -A cmd=(
	[hull-oci]="$repo/build/hull-oci --root /run/hull-bench-conc"
	[crun]="crun --root /run/crun-bench-conc"
)

# charged_kb RUNTIME ID: memory.usage_in_bytes (v1) or memory.current (v2) of its cgroup
charged_kb() {
	local pid cg
	pid=$($1 state "$2" | jq .pid)
	cg=$(awk -F: '$2 == "memory" {print $3}' "/proc/$pid/cgroup")
	if [ -n "$cg" ]; then
		echo $(($(cat "/sys/fs/cgroup/memory$cg/memory.usage_in_bytes") / 1024))
	else
		cg=$(awk -F: '$1 == "0" {print $3}' "/proc/$pid/cgroup")
		echo $(($(cat "/sys/fs/cgroup$cg/memory.current") / 1024))
	fi
}
now() { date +%s.%N; }
median() { grep -v '^$' | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# one_round NAME: prints "up_seconds down_seconds kb_per_container max_rss_kb"
one_round() {
	local name=$1 r=${cmd[$1]} i t0 t1 t2 m rss
	rm -f "$b.rss"/*
	t0=$(now)
	for i in $(seq "$c"); do
		/usr/bin/time -o "$b.rss/$i" -f %M $r run -d -b "$b" "bc-$name-$i" >/dev/null &
	done
	wait
	t1=$(now)
	m=$(for i in $(seq "$c"); do charged_kb "$r" "bc-$name-$i"; done | median)
	for i in $(seq "$c"); do
		{ $r kill "bc-$name-$i" KILL && $r delete --force "bc-$name-$i"; } >/dev/null 2>&1 &
	done
	wait
	t2=$(now)
	rss=$(cat "$b.rss"/* | sort -n | tail -1)
	awk -v a="$t0" -v b="$t1" -v c="$t2" -v m="$m" -v r="$rss" 'BEGIN {printf "%.3f %.3f %s %s\n", b - a, c - b, m, r}'
}

declare -A up down mem rss
for _ in $(seq "$rounds"); do
	for name in hull-oci crun; do
		read -r u d m x < <(one_round "$name")
		up[$name]+="$u"$'\n'
		down[$name]+="$d"$'\n'
		mem[$name]+="$m"$'\n'
		rss[$name]+="$x"$'\n'
	done
done

{
	echo "# $c containers started concurrently, then stopped and deleted: hull-oci vs crun"
	echo "($rounds interleaved rounds, medians, $(date -u +%F), $(nproc) CPUs)"
	echo
	echo "| runtime | start all (s) | stop+delete all (s) | memory charged per container (KiB) | runtime peak RSS (KiB) |"
	echo "|---|---|---|---|---|"
	for name in hull-oci crun; do
		echo "| $name | $(median <<<"${up[$name]}") | $(median <<<"${down[$name]}") | $(median <<<"${mem[$name]}") | $(median <<<"${rss[$name]}") |"
	done
	echo
	hu=$(median <<<"${up[hull-oci]}") cu=$(median <<<"${up[crun]}")
	hd=$(median <<<"${down[hull-oci]}") cd=$(median <<<"${down[crun]}")
	hm=$(median <<<"${mem[hull-oci]}") cm=$(median <<<"${mem[crun]}")
	awk -v hu="$hu" -v cu="$cu" -v hd="$hd" -v cd="$cd" -v hm="$hm" -v cm="$cm" 'BEGIN {
		printf "hull-oci/crun start wall: %.2fx, stop+delete wall: %.2fx (target <= 1.00x)\n", hu/cu, hd/cd
		if (cm > 0) printf "hull-oci/crun memory per container: %.2fx (target <= 1.00x)\n", hm/cm }'
} | tee "$out/concurrent.md"
