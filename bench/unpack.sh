#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Layer unpack throughput on one uncompressed layer made of BENCH_UNPACK_SRC (default
# /usr/include), interleaved runs (BENCH_UNPACK_N, default 5), medians:
#   tar          tar -xf LAYER -C fresh-dir (GNU tar as root: owners, modes, times)
#   tar+sync     the same, then sync -f of that file system
#   hull unpack  the stored layer blob unpacked by hull_layer_unpack, the code path of load
#                and pull (build/bench/unpack-layer): diff ID hashed, every hostile-entry
#                check, the boot-ID marker, rename into layers/<chain ID>.  The same work as
#                tar -x, plus the hash (it does not wait for the disk either: image/durable.h
#                says why that is safe).  Target: tar/hull >= 0.9.
#   umoci        umoci unpack of the same image (hull save as an OCI layout)
#   hull import  `hull import` of the tar: blob copied, hashed and fsynced, then unpacked
# Wall time (the target) and CPU time (user + sys, steadier on a busy host) are reported.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
n=${BENCH_UNPACK_N:-5}
src=${BENCH_UNPACK_SRC:-/usr/include}
out=$repo/bench/results
mkdir -p "$out"
command -v umoci >/dev/null || { echo "bench: umoci is not installed" >&2; exit 1; }
make -C "$repo" --no-print-directory all build/bench/unpack-layer >/dev/null
w=$(mktemp -d /var/tmp/hull-bench-unpack.XXXXXX)
trap 'rm -rf "$w"' EXIT
hull="$repo/build/hull"
tar -C "$src" -cf "$w/layer.tar" .
size=$(stat -c %s "$w/layer.tar")
files=$(tar -tf "$w/layer.tar" | wc -l)
blob=sha256:$(sha256sum "$w/layer.tar" | cut -c1-64)
"$hull" --root "$w/ref" import -q "$w/layer.tar" layer:1 >/dev/null
"$hull" --root "$w/ref" save --format oci-archive -o "$w/layer.oci.tar" layer:1
mkdir "$w/layout" && tar -C "$w/layout" -xf "$w/layer.oci.tar"

# run NAME CMD...: time CMD (wall, user+sys) after a sync, so no run pays for the last one's
# writeback; appends to the wall[NAME] and cpu[NAME] lists
declare -A wall cpu
run() {
	local name=$1 t
	shift
	sync
	t=$({
		TIMEFORMAT='%R %U %S'
		time "$@" >/dev/null 2>"$w/err" || { cat "$w/err" >&2; exit 1; }
	} 2>&1)
	read -r r u s <<<"$t"
	wall[$name]+="$r "
	cpu[$name]+="$(echo "$u + $s" | bc) "
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

# Nothing is deleted until every run is done: ext4 makes file creation pay for a recent mass
# deletion (its inode allocator skips recently freed inodes), which would charge whichever
# tool runs after the cleanup.  Each hull run gets its own store holding the blob (a link).
for i in $(seq "$n"); do
	mkdir -p "$w/t$i" "$w/ts$i" "$w/h$i/images/blobs/sha256"
	ln "$w/ref/images/blobs/sha256/${blob#sha256:}" "$w/h$i/images/blobs/sha256/"
done
for i in $(seq "$n"); do
	run tar tar -xf "$w/layer.tar" -C "$w/t$i"
	run "hull unpack" "$repo/build/bench/unpack-layer" "$w/h$i" "$blob"
	run tar+sync sh -c 'tar -xf "$1" -C "$2" && sync -f "$2"' _ "$w/layer.tar" "$w/ts$i"
	run umoci umoci unpack --image "$w/layout:layer:1" "$w/u$i"
	run "hull import" "$hull" --root "$w/s$i" import -q "$w/layer.tar" layer:1
done

{
	echo "# layer unpack: $((size / 1048576)) MiB, $files entries from $src ($n interleaved runs, medians, $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg))"
	echo
	echo "| what | wall s | MiB/s | cpu s |"
	echo "|---|---|---|---|"
	declare -A m c
	for k in tar tar+sync "hull unpack" umoci "hull import"; do
		m[$k]=$(median <<<"${wall[$k]}")
		c[$k]=$(median <<<"${cpu[$k]}")
		printf '| %s | %.3f | %.0f | %.3f |\n' "$k" "${m[$k]}" \
			"$(echo "$size / 1048576 / ${m[$k]}" | bc -l)" "${c[$k]}"
	done
	echo
	printf 'unpack throughput hull/tar: %.2fx wall (target >= 0.90x), %.2fx cpu; hull/tar+sync: %.2fx; hull/umoci: %.2fx\n' \
		"$(echo "${m[tar]} / ${m[hull unpack]}" | bc -l)" "$(echo "${c[tar]} / ${c[hull unpack]}" | bc -l)" \
		"$(echo "${m[tar+sync]} / ${m[hull unpack]}" | bc -l)" "$(echo "${m[umoci]} / ${m[hull unpack]}" | bc -l)"
	printf 'import total (copy + hash + fsync + unpack) hull import/tar: %.2fx wall\n' \
		"$(echo "${m[tar]} / ${m[hull import]}" | bc -l)"
} | tee "$out/unpack.md"
