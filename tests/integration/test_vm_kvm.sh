# SPDX-License-Identifier: Apache-2.0
# The KVM path of the vm isolation level, exercised on a machine without /dev/kvm: an outer VM
# container (TCG, `-cpu max`: the guest gets AMD SVM with nested paging) loads kvm_amd from
# Debian's kernel and runs hull-oci there on an inner VM bundle, which must boot under
# `-accel kvm`.  Slow (minutes): run by `make test-kvm` (HULL_TEST_KVM=1), skipped otherwise.

# The outer workload: everything the inner run needs is the host's own /usr, bound read-only,
# and the build at /hull-build (wherever the checkout is: /tmp is a tmpfs in the guest).
outer_script() {
	cat <<EOF2
set -u
modprobe kvm_amd || { echo "modprobe kvm_amd failed"; exit 90; }
[ -c /dev/kvm ] || { echo "no /dev/kvm in the outer guest"; exit 91; }
echo "+memory +pids +cpu" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
mkdir -p /tmp/inner /run/h
cp -a /kvm/inner/. /tmp/inner/
# the inner VM's network: a veth into a namespace of its own; vhost-net for its NIC
modprobe vhost_net || echo "modprobe vhost_net failed"
ip netns add inner
ip link add v0 type veth peer name eth0 netns inner
ip addr add 10.9.0.1/24 dev v0
ip link set v0 up
ip -n inner addr add 10.9.0.2/24 dev eth0
ip -n inner link set eth0 up
/hull-build/hull-oci --root /run/h run -b /tmp/inner kvm-inner </dev/null >/tmp/out 2>/tmp/err &
inner=\$!
# while the inner VM runs, for a minute at most (each look is slow under TCG)
end=\$((\$(date +%s) + 60))
while kill -0 \$inner 2>/dev/null && [ \$(date +%s) -lt \$end ]; do
	if ps -eo args | grep "^/usr/bin/qemu-system" | grep -q "vhost=on,vhostfd="; then
		echo "inner-vhost=on"
		break
	fi
	sleep 0.5
done
wait \$inner
echo "inner-rc=\$?"
echo "inner-stdout:"; cat /tmp/out
echo "inner-stderr:"; cat /tmp/err
EOF2
}

# minutes, not the default 90 s (the harness reads this after sourcing the file)
[ "${HULL_TEST_KVM:-}" != 1 ] || HULL_TEST_TIMEOUT=${HULL_TEST_TIMEOUT:-900}

test_vm_nested_kvm() {
	[ "${HULL_TEST_KVM:-}" = 1 ] || skip "slow (nested KVM under TCG): run by make test-kvm"
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
	[ -r "$REPO/build/vm/vmlinux" ] && [ -r "$REPO/build/vm/initrd" ] ||
		skip "no Debian guest kernel in build/vm (make vm-assets)"
	local kver b r out d
	kver=$(cat "$REPO/build/vm/kernel-version")
	[ -r "/lib/modules/$kver/modules.dep" ] || skip "no modules for $kver (linux-image-amd64)"
	b=$(bundle outer sh /kvm/outer.sh)
	r=$b/rootfs
	mkdir -p "$WORK/kvm" "$r/kvm" "$r/usr" "$r/run" "$r/hull-build"
	for d in bin sbin lib lib64; do
		rm -rf "${r:?}/$d"
		ln -s "usr/$d" "$r/$d"
	done
	outer_script >"$WORK/kvm/outer.sh"
	# the inner bundle: KVM or nothing (the TCG warning would show on its stderr)
	"$REPO/tests/data/mkbundle.sh" "$WORK/kvm/inner" sh -c \
		'echo "inner says $(uname -r)"; dmesg | grep -o "Hypervisor detected: [A-Za-z]*"
		ping -c1 -W10 10.9.0.1 >/dev/null && echo inner-ping-ok; sleep 1; exit 42' >/dev/null
	# dmesg needs CAP_SYSLOG (dmesg_restrict): no capabilities section, all of the guest's
	jq '.annotations["run.hull.isolation"]="vm" | .annotations["run.hull.vm.memory"]="256" |
		del(.process.capabilities) |
		.linux.namespaces |= map(if .type == "network" then .path = "/run/netns/inner" else . end)' \
		"$WORK/kvm/inner/config.json" >"$WORK/kvm/c.json"
	mv "$WORK/kvm/c.json" "$WORK/kvm/inner/config.json"
	# outer: Debian's kernel (kvm_amd is one of its modules), the CPU with SVM, RAM for both
	cfg "$b" --arg repo "$REPO" --arg k "$REPO/build/vm/vmlinux" --arg i "$REPO/build/vm/initrd" \
		--arg kvm "$WORK/kvm" '
		.annotations["run.hull.isolation"] = "vm" |
		.annotations["run.hull.vm.kernel"] = $k | .annotations["run.hull.vm.initrd"] = $i |
		.annotations["run.hull.vm.cpu-model"] = "max" |
		.annotations["run.hull.vm.memory"] = "1024" | .annotations["run.hull.vm.cpus"] = "2" |
		del(.process.capabilities) |
		.mounts |= map(if .type == "cgroup" then .options -= ["ro"] else . end) |
		.mounts += [
			{"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro"]},
			{"destination": "/etc", "type": "bind", "source": "/etc", "options": ["rbind", "ro"]},
			{"destination": "/hull-build", "type": "bind", "source": ($repo + "/build"),
			 "options": ["rbind", "ro"]},
			{"destination": "/kvm", "type": "bind", "source": $kvm, "options": ["rbind", "ro"]},
			{"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["mode=755"]},
			{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["mode=1777"]}]'
	out=$(oci run -b "$b" "$(cid outer)" 2>"$WORK/err") ||
		fatal "the outer VM failed: $out $(cat "$WORK/err")"
	assert_contains "$out" "inner-rc=42" "the inner workload's exit code"
	assert_contains "$out" "inner says " "the inner workload's stdout"
	# hull took the KVM branch (it warns whenever it falls back to TCG), and the inner guest
	# kernel found itself under KVM
	assert_not_contains "$out" "software emulation" "the inner VM fell back to TCG"
	assert_contains "$out" "Hypervisor detected: KVM" "the inner guest's hypervisor"
	# under KVM the inner VM's NIC has vhost-net, and its traffic flows
	assert_contains "$out" "inner-vhost=on" "vhost-net for the inner VM's NIC"
	assert_contains "$out" "inner-ping-ok" "the inner guest's network over vhost-net"
	# the outer one is TCG, as this machine has no /dev/kvm
	[ -e /dev/kvm ] || assert_contains "$(cat "$WORK/err")" "software emulation"
}
