#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Build hull's minimal guest kernel from Debian's linux-source-6.1 into OUT (default
# build/vm/guest-kernel):
#   vmlinux       tinyconfig + vm/kernel/hull.config, everything built in; an ELF with the PVH
#                 note, booted uncompressed
#   initrd        a newc cpio holding only the guest init (no modules, no /hull/modules)
#   vmlinux.boot  the marker hull reads to boot it: `acpi=off` (-M microvm,acpi=off; QEMU
#                 then lists the virtio-mmio devices on the command line)
# usage: scripts/guest-kernel.sh [--initrd] GUEST-INIT [OUT]
#   --initrd: only remake the initrd (after the guest init changed) beside a built kernel
# The kernel tree and objects stay in build/kernel (a rebuild after a config change is
# incremental).  Missing build packages are installed with `scripts/deps.sh guest-kernel`.
set -eu
only_initrd=
if [ "${1:-}" = --initrd ]; then
	only_initrd=1
	shift
fi
init=$1
out=${2:-build/vm/guest-kernel}
here=$(cd "$(dirname "$0")/.." && pwd)
frag=$here/vm/kernel/hull.config
tarball=/usr/src/linux-source-6.1.tar.xz
work=${HULL_KERNEL_BUILD:-$here/build/kernel}
src=$work/linux-source-6.1
obj=$work/obj

mkinitrd() { # DIR: the guest init alone, as /init
	mkdir -p "$1/root/dev" "$1/root/proc" "$1/root/sys" "$1/root/root"
	install -m 0755 "$init" "$1/root/init"
	(cd "$1/root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$1/initrd"
}
if [ -n "$only_initrd" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	mkinitrd "$tmp"
	mv "$tmp/initrd" "$out/initrd"
	exit 0
fi

"$here/scripts/deps.sh" guest-kernel
[ -r "$tarball" ] || { echo "guest-kernel: no $tarball (install linux-source-6.1)" >&2; exit 1; }
mkdir -p "$work" "$obj" "$out"
# unpack once per source package version
if [ ! -f "$src/.hull-unpacked" ] || [ "$tarball" -nt "$src/.hull-unpacked" ]; then
	echo "guest-kernel: unpacking $tarball"
	rm -rf "$src"
	tar -C "$work" -xf "$tarball"
	touch "$src/.hull-unpacked"
fi

kmake() { make -s -C "$src" O="$obj" "$@"; }
# tinyconfig, then the fragment, then whatever the fragment's options imply; only when the
# fragment changed, so that a second run rebuilds nothing
if [ ! -f "$obj/.config" ] || [ "$frag" -nt "$obj/.config" ] || [ "$src/.hull-unpacked" -nt "$obj/.config" ]; then
	kmake tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$frag" >/dev/null 2>&1
	kmake olddefconfig >/dev/null
fi
# an option the fragment asks for that Kconfig dropped (a missing dependency) is a bug here
bad=$(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$/\1/p' "$frag" | while read -r o; do
	grep -qx "$o=y" "$obj/.config" || echo "$o"
done)
if [ -n "$bad" ]; then
	echo "guest-kernel: options of $frag not set after olddefconfig:" $bad >&2
	exit 1
fi
if grep -qx 'CONFIG_MODULES=y' "$obj/.config"; then
	echo "guest-kernel: CONFIG_MODULES is on; the guest kernel must have everything built in" >&2
	exit 1
fi
echo "guest-kernel: building vmlinux ($(nproc) jobs)"
kmake -j"$(nproc)" vmlinux

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# no symbols: a smaller ELF for QEMU to load (the PVH note is an allocated section, kept)
strip -o "$tmp/vmlinux" "$obj/vmlinux"
mkinitrd "$tmp"
echo "acpi=off" >"$tmp/vmlinux.boot"
kver=$(cat "$obj/include/config/kernel.release")
mv "$tmp/initrd" "$out/initrd"
mv "$tmp/vmlinux.boot" "$out/vmlinux.boot"
# the kernel last: hull picks the directory up once vmlinux exists
mv "$tmp/vmlinux" "$out/vmlinux"
echo "$kver" >"$out/kernel-version"
echo "guest-kernel: $out/vmlinux ($kver, $(du -k "$out/vmlinux" | cut -f1) KiB)"
