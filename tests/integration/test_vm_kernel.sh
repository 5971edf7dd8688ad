# SPDX-License-Identifier: Apache-2.0
# The minimal guest kernel of `make guest-kernel` (build/vm/guest-kernel): hull boots it
# instead of Debian's once it is built, with `-M microvm,acpi=off` as its boot marker says.

gk=$REPO/build/vm/guest-kernel

gk_ready() {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (scripts/deps.sh installs it)"
	[ -x /usr/lib/qemu/virtiofsd ] || skip "virtiofsd not installed (qemu-system-common)"
	[ -r "$gk/vmlinux" ] && [ -r "$gk/initrd" ] && [ -r "$gk/vmlinux.boot" ] ||
		skip "the minimal guest kernel is not built (make guest-kernel)"
}

test_vm_minimal_kernel_boots_and_runs() {
	gk_ready
	local b out
	b=$(bundle gk sh -c 'echo to-out; echo to-err >&2; echo from-guest >/written
		echo "release=$(uname -r)"; cat /proc/cmdline
		[ -e /sys/firmware/acpi ] && echo acpi-present
		grep " /sys/fs/cgroup " /proc/mounts; cat /sys/fs/cgroup/cgroup.controllers
		exit 5')
	cfg "$b" '.annotations["run.hull.isolation"]="vm"'
	# no kernel named anywhere: the minimal one is picked because it is built
	set +e
	out=$(oci run -b "$b" "$(cid gk1)" 2>"$WORK/err")
	assert_eq $? 5 "the workload's exit code"
	set -e
	assert_contains "$out" "to-out"
	assert_not_contains "$out" "to-err" "stderr leaked into stdout"
	assert_contains "$(cat "$WORK/err")" "to-err"
	assert_eq "$(cat "$b/rootfs/written")" from-guest "a file written in the guest, on the host"
	assert_contains "$out" "release=$(cat "$gk/kernel-version")" "the minimal kernel booted"
	# acpi=off: QEMU listed the devices on the command line and the guest has no ACPI
	assert_contains "$out" "virtio_mmio.device="
	assert_not_contains "$out" "acpi-present"
	assert_contains "$out" " /sys/fs/cgroup cgroup2 "
	assert_contains "$out" "memory"
	assert_contains "$out" "pids"
}

test_vm_kernel_choice_and_marker() {
	gk_ready
	[ -r "$REPO/build/vm/vmlinux" ] || skip "no Debian guest kernel in build/vm (make vm-assets)"
	local b out
	b=$(bundle kc sh -c 'echo "release=$(uname -r)"')
	cfg "$b" '.annotations["run.hull.isolation"]="vm"'
	# $HULL_VM_KERNEL comes before the built minimal kernel; its initramfs (with the modules)
	# is the one beside it
	out=$(HULL_VM_KERNEL=$REPO/build/vm/vmlinux oci run -b "$b" "$(cid kc1)" 2>"$WORK/err") ||
		fatal "Debian's kernel by \$HULL_VM_KERNEL: $(cat "$WORK/err")"
	assert_eq "$out" "release=$(cat "$REPO/build/vm/kernel-version")"
	# a marker hull does not understand is an error naming it, before anything boots
	mkdir "$WORK/k"
	ln -s "$gk/vmlinux" "$WORK/k/vmlinux"
	echo "acpi=maybe" >"$WORK/k/vmlinux.boot"
	cfg "$b" --arg k "$WORK/k/vmlinux" '.annotations["run.hull.vm.kernel"]=$k'
	assert_fails oci create -b "$b" "$(cid kc2)"
	assert_contains "$OUT" "$WORK/k/vmlinux.boot"
	assert_contains "$OUT" "acpi=maybe"
}
