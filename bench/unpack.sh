#!/bin/bash
# Layer unpack throughput: `hull import` of one uncompressed layer (store the blob, hash it,
# unpack it with libarchive with every hostile-entry check) against `tar -x` of the same tar
# and `umoci unpack` of the same image (saved by hull as an OCI layout).  Medians of
# BENCH_UNPACK_N runs (default 3) on BENCH_UNPACK_SRC (default /usr/include). Target >= 0.9x tar.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
n=${BENCH_UNPACK_N:-3}
src=${BENCH_UNPACK_SRC:-/usr/include}
out=$repo/bench/results
mkdir -p "$out"
command -v umoci >/dev/null || { echo "bench: umoci is not installed" >&2; exit 1; }
w=$(mktemp -d /var/tmp/hull-bench-unpack.XXXXXX)
trap 'rm -rf "$w"' EXIT
hull="$repo/build/hull"
tar -C "$src" -cf "$w/layer.tar" .
size=$(stat -c %s "$w/layer.tar")
files=$(tar -tf "$w/layer.tar" | wc -l)
"$hull" --root "$w/ref" import -q "$w/layer.tar" layer:1 >/dev/null
"$hull" --root "$w/ref" save --format oci-archive -o "$w/layer.oci.tar" layer:1
mkdir "$w/layout" && tar -C "$w/layout" -xf "$w/layer.oci.tar"

secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
declare -A t
for i in $(seq "$n"); do
	sync
	t[tar]+="$(secs tar -xf "$w/layer.tar" -C "$(mkdir -p "$w/t$i" && echo "$w/t$i")") "
	sync
	t[hull]+="$(secs "$hull" --root "$w/s$i" import -q "$w/layer.tar" layer:1) "
	sync
	t[umoci]+="$(secs umoci unpack --image "$w/layout:layer:1" "$w/u$i") "
	rm -rf "$w/t$i" "$w/u$i" "$w/s$i"
done
{
	echo "# layer unpack: $((size / 1048576)) MiB, $files entries from $src ($n runs, medians, $(date -u +%F))"
	echo
	echo "| tool | median s | MiB/s |"
	echo "|---|---|---|"
	for k in tar hull umoci; do
		m=$(tr ' ' '\n' <<<"${t[$k]}" | grep . | median)
		printf '| %s | %.3f | %.0f |\n' "$k" "$m" "$(echo "$size / 1048576 / $m" | bc -l)"
		eval "m_$k=$m"
	done
	echo
	printf 'hull/tar throughput: %.2fx (target >= 0.90x); hull/umoci: %.2fx\n' \
		"$(echo "$m_tar / $m_hull" | bc -l)" "$(echo "$m_umoci / $m_hull" | bc -l)"
} | tee "$out/unpack.md"
