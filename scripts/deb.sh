#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# deb.sh VERSION OUT.deb: a Debian package of hull from `make install` into a staging
# directory (the same install rule), its Depends read from the libraries the binaries link.
set -eu
version=${1:?usage: deb.sh VERSION OUT.deb}
out=${2:?usage: deb.sh VERSION OUT.deb}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
make --no-print-directory install DESTDIR="$stage" PREFIX=/usr >/dev/null
# the packages that hold the shared libraries the binaries link directly (their own
# dependencies are those packages' business)
deps=$(for b in "$stage/usr/bin/hull" "$stage/usr/bin/hull-oci"; do
	needed=$(readelf -d "$b" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
	ldd "$b" | awk -v n="$needed" 'BEGIN { split(n, a, "\n"); for (i in a) want[a[i]] = 1 }
		$1 in want && /=> \// {print $3}'
done | sort -u | while read -r lib; do
	dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null
done | cut -d: -f1 | sort -u | grep -v '^libc6$' | tr '\n' ',' | sed 's/,$//; s/,/, /g')
size=$(du -sk "$stage" | cut -f1)
mkdir -p "$stage/DEBIAN"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: hull
Version: $version
Architecture: $(dpkg --print-architecture)
Maintainer: hull developers <hull@localhost>
Installed-Size: $size
Depends: libc6, $deps
Recommends: qemu-system-x86, qemu-system-common, containernetworking-plugins, iptables
Section: admin
Priority: optional
Homepage: https://localhost/hull
Description: container runtime with a container and a microVM isolation level
 hull runs OCI bundles as containers (namespaces, cgroups, seccomp) or as QEMU microVMs,
 through a runc-compatible runtime (hull-oci, hull-oci-vm) that containerd, podman and
 Docker drive, and a daemonless Docker-style command line (hull).
CONTROL
mkdir -p "$(dirname "$out")"
dpkg-deb --root-owner-group --build "$stage" "$out" >/dev/null
echo "$out"
