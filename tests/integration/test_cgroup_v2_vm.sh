# SPDX-License-Identifier: Apache-2.0
# cgroup v2 for real.  This host is v1 hybrid; the VM isolation level's guest kernel mounts a
# pure cgroup2 hierarchy with every controller.  So hull-oci itself runs in a VM container and
# creates a nested container there: its limits must land in v2 files, pause must use
# cgroup.freeze, and delete must remove the cgroup.

# The nested run, inside the guest: the outer workload's script.
nested_script() {
	cat <<'EOF'
set -e
# the guest's cgroup2 root: controllers the nested cgroups may use
echo "+memory +pids +cpu +cpuset +io" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
/hull-oci --root /run/h run -d -b /nested n1
sleep 0.5
cg=/sys/fs/cgroup/hull-v2/n1
echo "memory.max=$(cat $cg/memory.max)"
echo "memory.low=$(cat $cg/memory.low)"
echo "pids.max=$(cat $cg/pids.max)"
echo "cpu.max=$(cat $cg/cpu.max)"
echo "cpu.weight=$(cat $cg/cpu.weight)"
/hull-oci --root /run/h pause n1
echo "paused=$(/hull-oci --root /run/h state n1 | grep -o '"status": *"[a-z]*"')"
echo "freeze=$(cat $cg/cgroup.freeze)"
/hull-oci --root /run/h resume n1
echo "resumed=$(/hull-oci --root /run/h state n1 | grep -o '"status": *"[a-z]*"')"
/hull-oci --root /run/h update --memory 100663296 --pids-limit 33 n1
echo "updated=$(cat $cg/memory.max) $(cat $cg/pids.max)"
/hull-oci --root /run/h events --stats n1 | grep -o '"pids": *{[^}]*}' || true
/hull-oci --root /run/h delete --force n1
[ -d $cg ] && echo "cgroup-left" || echo "cgroup-removed"
EOF
}

test_cgroup_v2_resources_in_a_vm_guest() {
	local b r out lib
	command -v qemu-system-x86_64 >/dev/null && [ -r "$REPO/build/vm/vmlinux" ] ||
		skip "no QEMU or guest kernel for the vm isolation level"
	b=$(bundle v2 sh /nested.sh)
	r=$b/rootfs
	# hull-oci and the libraries it links, at their own paths in the outer rootfs
	cp "$REPO/build/hull-oci" "$r/hull-oci"
	for lib in $(ldd "$REPO/build/hull-oci" | grep -o '/[^ ]*'); do
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
	nested_script >"$r/nested.sh"
	"$REPO/tests/data/mkbundle.sh" "$r/nested" sleep 600 >/dev/null
	jq '.linux.cgroupsPath = "/hull-v2/n1" |
	    .linux.resources = {"memory": {"limit": 67108864, "reservation": 33554432},
				"pids": {"limit": 42},
				"cpu": {"quota": 50000, "period": 100000, "shares": 512}}' \
		"$r/nested/config.json" >"$r/nested/c.json"
	mv "$r/nested/c.json" "$r/nested/config.json"
	# the outer container: the VM, with a writable cgroup2 mount in the guest and every
	# capability (no capabilities section: a runtime runs in there)
	cfg "$b" '.annotations["run.hull.isolation"] = "vm" | del(.process.capabilities) |
		  .mounts |= map(if .type == "cgroup" then .options -= ["ro"] else . end)'
	out=$(oci run -b "$b" "$(cid v2)" 2>"$WORK/err") || fatal "the VM container failed: $(cat "$WORK/err")"
	assert_contains "$out" "memory.max=67108864"
	assert_contains "$out" "memory.low=33554432"
	assert_contains "$out" "pids.max=42"
	assert_contains "$out" "cpu.max=50000 100000"
	# shares 512 -> weight 1 + (512 - 2) * 9999 / 262142 = 20
	assert_contains "$out" "cpu.weight=20"
	assert_contains "$out" 'paused="status": "paused"'
	assert_contains "$out" "freeze=1"
	assert_contains "$out" 'resumed="status": "running"'
	assert_contains "$out" "updated=100663296 33"
	assert_contains "$out" "cgroup-removed"
}
