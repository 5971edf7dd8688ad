#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The vm isolation level against bare QEMU.  Interleaved (BENCH_N each, default 5):
#  - bare:  qemu-system-x86_64 -M microvm booting the same kernel and initramfs hull uses, with
#           a static /init that powers off at once (no devices, no virtiofsd);
#  - bare+shared-ram: the same with its RAM in shared memory (a memfd), as vhost-user needs;
#  - bare+devices: the same with hull's devices (shared-memory RAM, virtio-fs, the ports);
#  - hull:  `hull-oci run` of /bin/true in a VM container (annotation run.hull.isolation=vm):
#           create, virtiofsd, modules, virtio-fs root, the workload, exit status, delete.
# Target: hull ≤ 1.10× bare.  Then host memory per VM: a VM container running `sleep` and a
# bare VM idling in its /init, the proportional set size of QEMU + virtiofsd + hull's relay
# beyond guest RAM (the memfd backing guest RAM is shared memory, counted apart).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
n=${BENCH_N:-5}
out=$repo/bench/results
vm=$repo/build/vm
qemu=${HULL_QEMU:-/usr/bin/qemu-system-x86_64}
mkdir -p "$out"
# the kernel hull picks by default: the minimal one once `make guest-kernel` has built it
kdir=$vm machine=microvm,isa-serial=off
if [ -r "$vm/guest-kernel/vmlinux" ]; then
	kdir=$vm/guest-kernel
	! grep -qx acpi=off "$kdir/vmlinux.boot" 2>/dev/null || machine=$machine,acpi=off
fi
for f in "$kdir/vmlinux" "$kdir/initrd" "$qemu"; do
	[ -e "$f" ] || { echo "bench: $f missing (make all; scripts/deps.sh)" >&2; exit 1; }
done
b=$(mktemp -d /var/tmp/hull-bench-vm.XXXXXX)
root=/run/hull-bench-vm
cleanup() {
	for id in $(ls "$root" 2>/dev/null); do
		"$repo/build/hull-oci" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
	done
	[ -z "${bare_pid:-}" ] || kill -9 "$bare_pid" 2>/dev/null || true
	rm -rf "$b" "$root"
}
trap cleanup EXIT
cc -O2 -o "$out/timeit" "$repo/bench/timeit.c"

# the bare initramfs: hull's base initramfs with /init replaced (a later cpio member wins)
mkdir -p "$b/bare"
cc -O2 -static -o "$b/bare/init" "$repo/bench/vm-poweroff.c"
cp "$kdir/initrd" "$b/bare-initrd"
(cd "$b/bare" && echo init | cpio -o -H newc --quiet >>"$b/bare-initrd")

khz=$(awk '/^cpu MHz/ {printf "%d", $4 * 1000; exit}' /proc/cpuinfo)
accel=tcg
[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && accel=kvm
cpu=""
[ $accel = kvm ] && cpu="-cpu host"
bare() {
	echo "$qemu -M $machine -accel $accel $cpu -smp 1 -m 512M -nodefaults" \
		"-no-user-config -display none -no-reboot -kernel $kdir/vmlinux -initrd $1" \
		"-append 'quiet loglevel=1 panic=-1 reboot=t rdinit=/init tsc_early_khz=$khz'"
}

"$repo/tests/data/mkbundle.sh" "$b/true" /bin/true >/dev/null
"$repo/tests/data/mkbundle.sh" "$b/sleep" sleep 600 >/dev/null
for d in true sleep; do
	jq '.annotations["run.hull.isolation"] = "vm" | .linux.resources.memory.limit = 536870912' \
		"$b/$d/config.json" >"$b/c.json" && mv "$b/c.json" "$b/$d/config.json"
done

# bare QEMU with hull's devices and nothing else of hull: guest RAM a shared memfd, virtiofsd on
# a directory behind vhost-user-fs, virtio-serial with as many ports as hull makes; the same
# /init that powers off at once.  Tells the device model's cost (what a virtio-fs root and
# the ports need under any VMM) from hull's own.
mkdir -p "$b/share"
ports=""
for p in stdin stdout stderr status ctl exec0 exec1 exec2 exec3 exec4 exec5 exec6 exec7; do
	ports="$ports -chardev null,id=$p -device virtserialport,chardev=$p,name=hull.$p"
done
devices() {
	echo "rm -f $b/fs.sock; /usr/lib/qemu/virtiofsd --socket-path=$b/fs.sock -o source=$b/share" \
		"-o log_level=err & while [ ! -S $b/fs.sock ]; do sleep 0.005; done;" \
		"$(bare "$1") -object memory-backend-memfd,id=mem,size=512M,share=on" \
		"-M $machine,memory-backend=mem -global virtio-mmio.force-legacy=false" \
		"-chardev socket,id=fs,path=$b/fs.sock -device vhost-user-fs-device,chardev=fs,tag=x" \
		"-device virtio-serial-device $ports; wait"
}

table=$("$out/timeit" "$n" \
	"bare-qemu=$(bare "$b/bare-initrd")" \
	"bare-qemu+shared-ram=$(bare "$b/bare-initrd") -object memory-backend-memfd,id=mem,size=512M,share=on -M $machine,memory-backend=mem" \
	"bare-qemu+devices=$(devices "$b/bare-initrd")" \
	"hull-oci-vm=$repo/build/hull-oci --root $root run -b $b/true vb{} 2>/dev/null")

# memory: PSS without shared memory (guest RAM is a shared memfd) of each process
pss_host() { # PIDS... -> KiB
	local p sum=0 v
	for p in "$@"; do
		v=$(awk '/^Pss_Anon:|^Pss_File:/ {s += $2} END {print s + 0}' "/proc/$p/smaps_rollup")
		sum=$((sum + v))
	done
	echo "$sum"
}
pss_guest() { awk '/^Pss_Shmem:/ {print $2}' "/proc/$1/smaps_rollup"; }

"$repo/build/hull-oci" --root "$root" run -d -b "$b/sleep" vmem >/dev/null 2>&1 </dev/null
pid=$("$repo/build/hull-oci" --root "$root" state vmem | jq -r .pid)
# the workload runs once the guest has read its root: wait until virtiofsd has served it
sleep "${BENCH_SETTLE:-8}"
cg=$(awk -F: '$2 ~ /(^|,)pids(,|$)/ {print $3}' "/proc/$pid/cgroup")
procs=$(cat "/sys/fs/cgroup/pids$cg/cgroup.procs")
hull_host=$(pss_host $procs)
hull_guest=$(pss_guest "$pid")
hull_names=$(for p in $procs; do cat "/proc/$p/comm"; done | sort | uniq -c | awk '{printf "%s%s×%s", sep, $2, $1; sep=", "}')
"$repo/build/hull-oci" --root "$root" delete --force vmem

# the bare VM idles: its /init is `sleep` from busybox would need a root; a pause loop suffices
mkdir -p "$b/idle"
cat >"$b/idle.c" <<'C'
#include <unistd.h>
int main(void) { for (;;) pause(); }
C
cc -O2 -static -o "$b/idle/init" "$b/idle.c"
cp "$kdir/initrd" "$b/idle-initrd"
(cd "$b/idle" && echo init | cpio -o -H newc --quiet >>"$b/idle-initrd")
eval "$(bare "$b/idle-initrd") -object memory-backend-memfd,id=mem,size=512M,share=on -M $machine,memory-backend=mem &"
bare_pid=$!
sleep "${BENCH_SETTLE:-8}"
bare_host=$(pss_host "$bare_pid")
bare_guest=$(pss_guest "$bare_pid")
kill -9 "$bare_pid"; wait "$bare_pid" 2>/dev/null || true; bare_pid=

{
	echo "# vm isolation: hull-oci run /bin/true vs bare QEMU boot ($n interleaved runs each, $accel, $kdir/vmlinux $(cat "$kdir/kernel-version" 2>/dev/null), $(date -u +%F))"
	echo
	echo "$table"
	echo
	awk -F'|' '$2 == " bare-qemu " {b=$3} $2 == " hull-oci-vm " {h=$3}
		$2 == " bare-qemu+devices " {d=$3} $2 == " bare-qemu+shared-ram " {m=$3}
		END {printf "hull-oci-vm/bare median wall: %.2fx (target <= 1.10x); bare+shared-ram/bare: %.2fx; bare+devices/bare: %.2fx; hull-oci-vm/bare+devices: %.2fx\n", h/b, m/b, d/b, h/d}' <<<"$table"
	echo
	echo "| host memory per VM (512 MiB guest) | host PSS beyond guest RAM | guest RAM touched |"
	echo "|---|---|---|"
	echo "| hull VM container running sleep ($hull_names) | $((hull_host / 1024)) MiB | $((hull_guest / 1024)) MiB |"
	echo "| bare QEMU idling in /init | $((bare_host / 1024)) MiB | $((bare_guest / 1024)) MiB |"
} | tee "$out/vm-boot.md"
