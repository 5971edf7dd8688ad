#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `hull-oci run` of /bin/true against Debian's crun and runc on the same busybox bundle.
# Interleaved runs (BENCH_N each, default 50), medians, ratios and peak RSS; then the same with
# docker's default seccomp profile (the one `hull-oci spec` writes), as docker and podman run
# every container: each runtime compiles it with libseccomp (hull-oci once: it keeps the
# program in its state root).
#
# crun 1.8 refuses hosts whose cgroup2 mount holds a controller ("hybrid"), as this kind of
# machine's does; so every runtime runs in one private mount namespace where
# /sys/fs/cgroup/unified is unmounted: all three see the same pure cgroup v1 host.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
n=${BENCH_N:-50}
out=$repo/bench/results
mkdir -p "$out"
cc -O2 -o "$out/timeit" "$repo/bench/timeit.c"
b=$(mktemp -d /var/tmp/hull-bench.XXXXXX)
trap 'rm -rf "$b"' EXIT
"$repo/tests/data/mkbundle.sh" "$b" /bin/true >/dev/null
mkdir -p "$b/spec" "$b/sec"
(cd "$b/spec" && "$repo/build/hull-oci" spec)
jq --slurpfile s "$b/spec/config.json" --arg root "$b/rootfs" \
	'.linux.seccomp = $s[0].linux.seccomp | .root.path = $root' "$b/config.json" >"$b/sec/config.json"
for r in crun runc; do command -v $r >/dev/null || { echo "bench: $r is not installed" >&2; exit 1; }; done

source "$repo/bench/lib.sh"

runs=("hull-oci=$repo/build/hull-oci --root /run/hull-bench run -b $b hb{}"
	"crun=crun --root /run/crun-bench run -b $b cb{}"
	"runc=runc --root /run/runc-bench run -b $b rb{}"
	"hull-oci+seccomp=$repo/build/hull-oci --root /run/hull-bench run -b $b/sec hs{}"
	"crun+seccomp=crun --root /run/crun-bench run -b $b/sec cs{}"
	"runc+seccomp=runc --root /run/runc-bench run -b $b/sec rs{}")
# BENCH_BEFORE=PATH: another hull-oci build (e.g. an older commit's) in the same interleaved runs
if [ -n "${BENCH_BEFORE:-}" ]; then
	runs+=("hull-oci-before=$BENCH_BEFORE --root /run/hull-bench-before run -b $b ob{}"
		"hull-oci-before+seccomp=$BENCH_BEFORE --root /run/hull-bench-before run -b $b/sec os{}")
fi
table=$(like_crun "$out/timeit" "$n" "${runs[@]}")
{
	echo "# hull-oci run /bin/true vs crun and runc ($n interleaved runs each, $(date -u +%F))"
	echo
	echo "$table"
	echo
	awk -F'|' '$2 == " hull-oci " {h=$3; hr=$5} $2 == " crun " {c=$3; cr=$5} $2 == " runc " {r=$3}
		$2 == " hull-oci+seccomp " {hs=$3} $2 == " crun+seccomp " {cs=$3} $2 == " runc+seccomp " {rs=$3}
		$2 == " hull-oci-before " {ob=$3} $2 == " hull-oci-before+seccomp " {os=$3}
		END {if (ob) printf "hull-oci/hull-oci-before median wall: %.2fx, with seccomp %.2fx\n", h/ob, hs/os
		printf "hull-oci/crun median wall: %.2fx (target <= 0.90x)\nhull-oci/runc median wall: %.2fx\nhull-oci/crun peak RSS: %.2fx (target <= 1.00x)\nwith docker'"'"'s default seccomp profile: hull-oci/crun %.2fx, hull-oci/runc %.2fx\n", h/c, h/r, hr/cr, hs/cs, hs/rs}' <<<"$table"
} | tee "$out/oci-run.md"
