#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Pull of a 3-layer image from a local registry (Debian's docker-registry on 127.0.0.1), cold:
# an empty store for every run, interleaved runs (BENCH_PULL_N, default 5), median wall time:
#   hull pull          fetch 3 layers at once, each unpacked as soon as it is in
#   podman pull        into containers-storage (overlay driver), unpacked
#   skopeo cs          skopeo copy to containers-storage (overlay driver), unpacked
#   skopeo dir         skopeo copy to a directory: fetched and verified, not unpacked
# The layers are gzip tarballs of BENCH_PULL_SRC (three directories, default
# /usr/lib/python3.11 /usr/share/perl /usr/include).  Target: hull <= 0.7x podman.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
n=${BENCH_PULL_N:-5}
read -r -a srcs <<<"${BENCH_PULL_SRC:-/usr/lib/python3.11 /usr/share/perl /usr/include}"
out=$repo/bench/results
mkdir -p "$out"
for c in docker-registry skopeo podman; do
	command -v $c >/dev/null || { echo "bench: $c is not installed" >&2; exit 1; }
done
[ ${#srcs[@]} -eq 3 ] || { echo "bench: BENCH_PULL_SRC needs 3 directories" >&2; exit 1; }
make -C "$repo" --no-print-directory all >/dev/null
w=$(mktemp -d /var/tmp/hull-bench-pull.XXXXXX)
reg_pid=""
cleanup() {
	[ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null
	# podman and skopeo's overlay stores leave mounts behind
	for m in $(awk -v d="$w" 'index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$w"
}
trap cleanup EXIT
hull="$repo/build/hull"

# the image: an OCI layout of three gzip layers, a config naming their diff IDs
mkdir -p "$w/layout/blobs/sha256"
layers="" diffs="" total=0
for s in "${srcs[@]}"; do
	tar -C "$s" -cf "$w/l.tar" .
	diffs+="\"sha256:$(sha256sum "$w/l.tar" | cut -c1-64)\","
	gzip -6 -c "$w/l.tar" >"$w/l.tgz"
	d=$(sha256sum "$w/l.tgz" | cut -c1-64)
	size=$(stat -c %s "$w/l.tgz")
	total=$((total + size))
	mv "$w/l.tgz" "$w/layout/blobs/sha256/$d"
	layers+="{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$d\",\"size\":$size},"
done
rm -f "$w/l.tar"
printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
	"${diffs%,}" >"$w/config.json"
c=$(sha256sum "$w/config.json" | cut -c1-64)
mv "$w/config.json" "$w/layout/blobs/sha256/$c"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
	"$c" "$(stat -c %s "$w/layout/blobs/sha256/$c")" "${layers%,}" >"$w/m.json"
m=$(sha256sum "$w/m.json" | cut -c1-64)
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s}]}' \
	"$m" "$(stat -c %s "$w/m.json")" >"$w/layout/index.json"
mv "$w/m.json" "$w/layout/blobs/sha256/$m"
echo '{"imageLayoutVersion":"1.0.0"}' >"$w/layout/oci-layout"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$w/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $w/registry
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$w/registry.yml" >"$w/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
ref=127.0.0.1:$port/bench:1
skopeo copy -q --dest-tls-verify=false "oci:$w/layout" "docker://$ref" >/dev/null

declare -A wall
run() {
	local name=$1 t
	shift
	sync
	t=$({
		TIMEFORMAT='%R'
		time "$@" >/dev/null 2>"$w/err" || { cat "$w/err" >&2; exit 1; }
	} 2>&1)
	wall[$name]+="$t "
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

# Nothing is deleted until every run is done (unpack.sh says why: ext4 charges file creation
# for a recent mass deletion).
for i in $(seq "$n"); do
	run "hull pull" "$hull" --root "$w/h$i" --runroot "$w/hr$i" pull -q "$ref"
	run "podman pull" podman --root "$w/p$i" --runroot "$w/pr$i" --storage-driver overlay \
		--events-backend file pull -q --tls-verify=false "$ref"
	run "skopeo cs" skopeo copy -q --src-tls-verify=false "docker://$ref" \
		"containers-storage:[overlay@$w/c$i+$w/cr$i]$ref"
	run "skopeo dir" skopeo copy -q --src-tls-verify=false "docker://$ref" "dir:$w/d$i"
done

{
	echo "# cold pull of a 3-layer image from a local registry: $((total / 1048576)) MiB of gzip layers from ${srcs[*]} ($n interleaved runs, medians, $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg))"
	echo
	echo "| what | wall s | hull / it |"
	echo "|---|---|---|"
	declare -A md
	for k in "hull pull" "podman pull" "skopeo cs" "skopeo dir"; do
		md[$k]=$(median <<<"${wall[$k]}")
	done
	for k in "hull pull" "podman pull" "skopeo cs" "skopeo dir"; do
		printf '| %s | %.3f | %.2fx |\n' "$k" "${md[$k]}" "$(echo "${md[hull pull]} / ${md[$k]}" | bc -l)"
	done
	echo
	printf 'hull/podman: %.2fx (target <= 0.70x); hull/skopeo to containers-storage: %.2fx; hull (unpacked) / skopeo to a dir (not unpacked): %.2fx\n' \
		"$(echo "${md[hull pull]} / ${md[podman pull]}" | bc -l)" "$(echo "${md[hull pull]} / ${md[skopeo cs]}" | bc -l)" \
		"$(echo "${md[hull pull]} / ${md[skopeo dir]}" | bc -l)"
} | tee "$out/pull.md"
