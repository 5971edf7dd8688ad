#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Build the guest assets of the vm executor into OUT (default build/vm):
#   vmlinux    Debian's kernel as an uncompressed ELF with its PVH note (boots without the
#              bzImage's own ~2.7 s xz decompression under TCG)
#   initrd     a newc cpio: hull's static guest init, and only the modules it needs, in
#              modules.dep order (listed in /hull/modules)
# usage: scripts/vm-assets.sh GUEST-INIT [OUT] [KERNEL-VERSION]
set -eu
init=$1
out=${2:-build/vm}
kver=${3:-}
if [ -z "$kver" ]; then
	# the newest Debian kernel installed
	kver=$(ls /boot | sed -n 's/^vmlinuz-//p' | sort -V | tail -1)
fi
vmlinuz=/boot/vmlinuz-$kver
moddir=/lib/modules/$kver
[ -r "$vmlinuz" ] || { echo "vm-assets: no kernel at $vmlinuz (install linux-image-amd64)" >&2; exit 1; }
[ -r "$moddir/modules.dep" ] || { echo "vm-assets: no $moddir/modules.dep" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# vmlinux: the bzImage carries the kernel as one xz stream; find its magic and unpack it.
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -1 | cut -d: -f1)
[ -n "$off" ] || { echo "vm-assets: no xz stream in $vmlinuz" >&2; exit 1; }
# xz stops with an error at the bzImage's trailing bytes after the stream; the output is whole
tail -c +$((off + 1)) "$vmlinuz" | xz -dc -q 2>/dev/null >"$tmp/vmlinux" || true
if ! head -c 4 "$tmp/vmlinux" | grep -q 'ELF'; then
	echo "vm-assets: the xz stream of $vmlinuz is not an ELF kernel" >&2
	exit 1
fi
mv "$tmp/vmlinux" "$out/vmlinux"

# modules, dependencies first, each once
mods="virtio_mmio virtio_console fuse virtiofs virtio_net"
root=$tmp/root
mkdir -p "$root/hull" "$root/lib/modules" "$root/dev" "$root/proc" "$root/sys" "$root/root"
: >"$tmp/order"
add() { # add PATH-RELATIVE-TO-MODDIR: its dependencies first
	grep -qx "$1" "$tmp/order" && return 0
	for d in $(sed -n "s#^$1: *##p" "$moddir/modules.dep"); do
		add "$d"
	done
	echo "$1" >>"$tmp/order"
}
for m in $mods; do
	p=$(grep -E "/$m\.ko(\.xz|\.zst)?:" "$moddir/modules.dep" | cut -d: -f1)
	[ -n "$p" ] || { echo "vm-assets: module $m not in $moddir/modules.dep" >&2; exit 1; }
	add "$p"
done
while read -r p; do
	name=$(basename "$p")
	case $name in
	*.ko.xz) xz -dc "$moddir/$p" >"$root/lib/modules/${name%.xz}"; name=${name%.xz} ;;
	*.ko.zst) zstd -dcq "$moddir/$p" >"$root/lib/modules/${name%.zst}"; name=${name%.zst} ;;
	*) cp "$moddir/$p" "$root/lib/modules/$name" ;;
	esac
	echo "/lib/modules/$name" >>"$root/hull/modules"
done <"$tmp/order"
install -m 0755 "$init" "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp/initrd"
mv "$tmp/initrd" "$out/initrd"
echo "$kver" >"$out/kernel-version"
