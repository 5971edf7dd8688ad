#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `hull stats --no-stream` of BENCH_STATS_C running containers (default 20): how long the
# whole answer takes (BENCH_N runs, default 20: median and worst).  Target: under 100 ms.
# The figure includes the 40 ms hull waits between the two samples CPU % is measured over.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
n=${BENCH_N:-20}
c=${BENCH_STATS_C:-20}
out=$repo/bench/results
mkdir -p "$out"
w=$(mktemp -d /var/tmp/hull-bench-stats.XXXXXX)
rr=/run/hull-bench-stats.$$
hull() { "$repo/build/hull" --root "$w/store" --runroot "$rr" "$@"; }
cleanup() {
	hull rm -f $(hull ps -aq 2>/dev/null) >/dev/null 2>&1 || true
	rm -rf "$w" "$rr"
}
trap cleanup EXIT
"$repo/tests/data/mkbundle.sh" "$w/b" >/dev/null
for i in $(seq "$c"); do
	hull run -d --network none --name "s$i" --rootfs "$w/b/rootfs" sleep 3600 >/dev/null
done
times=()
for _ in $(seq "$n"); do
	t0=$(date +%s%N)
	rows=$(hull stats --no-stream --format '{{.Name}}' | wc -l)
	times+=($((($(date +%s%N) - t0) / 1000)))
	[ "$rows" = "$c" ] || { echo "bench: stats listed $rows containers, not $c" >&2; exit 1; }
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(sed -n "$(((n + 1) / 2))p" <<<"$sorted")
worst=$(tail -1 <<<"$sorted")
{
	echo "# hull stats --no-stream of $c running containers ($n runs, $(date -u +%F), load $(cut -d' ' -f1 /proc/loadavg))"
	echo
	echo "| | ms |"
	echo "|---|---|"
	printf '| median | %d.%d |\n| worst | %d.%d |\n' $((median / 1000)) $((median % 1000 / 100)) $((worst / 1000)) $((worst % 1000 / 100))
} | tee "$out/stats.md"
