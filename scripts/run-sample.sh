#!/bin/sh
# `make run`: build a sample OCI bundle from busybox-static and run it with hull-oci.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
oci="$repo/build/hull-oci"
bundle=/var/tmp/hull-sample-bundle
root=/run/hull-sample
id="hull-sample-$$"

if [ "$(id -u)" != 0 ]; then
	echo "make run: hull-oci needs root to create namespaces; run it as root" >&2
	exit 1
fi
rm -rf "$bundle"
"$repo/tests/data/mkbundle.sh" "$bundle" sh -c '
echo "Hello from a hull container!"
echo "  hostname : $(hostname)"
echo "  my pid   : $$ (pid 1 of its own pid namespace)"
echo "  user     : $(id)"
echo "  network  : $(ls /sys/class/net | tr "\n" " ")(a network namespace of its own)"
echo "  root fs  : $(ls / | tr "\n" " ")"' >/dev/null

jq '.hostname = "hull-sample"' "$bundle/config.json" >"$bundle/c.json" && mv "$bundle/c.json" "$bundle/config.json"
echo "== hull-oci run (container isolation) of a busybox bundle in $bundle"
set +e
"$oci" --root "$root" run --bundle "$bundle" "$id"
rc=$?
set -e
echo "== exit status $rc; the container is gone again: '$("$oci" --root "$root" list -q)'"
[ "$rc" = 0 ] || exit "$rc"
echo "== hull run --rm --rootfs (the Docker-style CLI, daemonless) on the same root file system"
hull="$repo/build/hull --root /var/tmp/hull-sample-store --runroot $root"
set +e
$hull run --rm --name hull-sample -h hull-sample --rootfs "$bundle/rootfs" sh -c 'echo "Hello from hull run: $(hostname), pid $$, $(id -un)"'
rc=$?
echo "   (VM isolation arrives with the microVM issue; see docs/isolation.md)"
rm -rf "$bundle" /var/tmp/hull-sample-store
exit "$rc"
