#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make run`: a sample image built from busybox-static, run with `hull run` at both isolation
# levels, and the same root file system as a plain OCI bundle under `hull-oci run`.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
oci="$repo/build/hull-oci"
work=/var/tmp/hull-sample
store=$work/store
root=/run/hull-sample
hull="$repo/build/hull --root $store --runroot $root"
id="hull-sample-$$"

if [ "$(id -u)" != 0 ]; then
	echo "make run: hull needs root to create namespaces; run it as root" >&2
	exit 1
fi
rm -rf "$work"
mkdir -p "$work"
trap '$hull rm -f hull-sample >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$repo/tests/data/mkbundle.sh" "$work/bundle" sh -c '
echo "Hello from a hull container!"
echo "  hostname : $(hostname)"
echo "  my pid   : $$ (pid 1 of its own pid namespace)"
echo "  user     : $(id)"
echo "  kernel   : $(uname -r)"
echo "  network  : $(ls /sys/class/net | tr "\n" " ")(a network namespace of its own)"' >/dev/null
jq '.hostname = "hull-sample"' "$work/bundle/config.json" >"$work/c.json"
mv "$work/c.json" "$work/bundle/config.json"

echo "== hull-oci run (the runc-compatible runtime) of a busybox bundle"
"$oci" --root "$root" run --bundle "$work/bundle" "$id"

echo "== hull import: the same root file system as an image, then hull run at both levels"
tar -C "$work/bundle/rootfs" -cf "$work/rootfs.tar" .
$hull import -q "$work/rootfs.tar" hull-sample:latest >/dev/null
$hull images
script='echo "  $(hostname): kernel $(uname -r), $(nproc) CPU(s), $(awk "/MemTotal/ {print int(\$2/1024)}" /proc/meminfo) MiB"'
echo "-- hull run --rm hull-sample (container isolation)"
$hull run --rm hull-sample sh -c "$script"
if $hull info | grep -q 'Isolation levels: container, vm'; then
	echo "-- hull run --rm --isolation vm hull-sample (a QEMU microVM; no /dev/kvm = slow TCG)"
	$hull run --rm --isolation vm hull-sample sh -c "$script"
	echo "-- hull compare --runs 1 hull-sample: the same workload at both levels, side by side"
	$hull compare --runs 1 hull-sample sh -c "$script"
else
	echo "-- the vm isolation level is unavailable here: $($hull info | sed -n 's/^VM: *//p')"
fi
$hull rmi hull-sample:latest >/dev/null
echo "== done: nothing left behind ('$("$oci" --root "$root" list -q)')"
