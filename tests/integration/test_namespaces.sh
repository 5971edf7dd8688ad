# SPDX-License-Identifier: Apache-2.0
# Namespaces: created new, or joined by path.

test_uts_hostname_domainname() {
	local b out
	b=$(bundle u sh -c 'hostname; cat /proc/sys/kernel/domainname')
	cfg "$b" '.hostname="box1" | .domainname="example.test"'
	out=$(oci run -b "$b" "$(cid u)")
	assert_eq "$out" $'box1\nexample.test'
	[ "$(hostname)" != box1 ] || fatal "host's hostname changed"
}

test_hostname_needs_uts_namespace() {
	local b
	b=$(bundle u2 true)
	cfg "$b" '.linux.namespaces |= map(select(.type != "uts"))'
	assert_fails oci run -b "$b" "$(cid u2)"
	assert_contains "$OUT" "UTS namespace"
}

test_pid_namespace() {
	local b out
	b=$(bundle p sh -c 'echo $$; ps -o pid | wc -l')
	out=$(oci run -b "$b" "$(cid p)")
	assert_eq "$(head -1 <<<"$out")" 1 "pid inside"
	# the header, sh, ps and wc
	[ "$(tail -1 <<<"$out")" -le 4 ] || fatal "sees host processes: $out"
}

test_network_namespace_only_lo() {
	local b out
	b=$(bundle n ls /sys/class/net)
	out=$(oci run -b "$b" "$(cid n)")
	assert_eq "$out" lo
	# up, with its addresses, as runc and crun leave it: the container can reach itself
	cfg "$b" '.process.args = ["sh", "-c", "ip -o addr show lo; nc -l -p 7777 -e echo pong & sleep 0.3; nc 127.0.0.1 7777 </dev/null"]'
	out=$(oci run -b "$b" "$(cid n2)")
	assert_contains "$out" "inet 127.0.0.1/8"
	assert_contains "$out" "pong" "a server on 127.0.0.1 answers"
}

test_ipc_namespace() {
	local b inside
	b=$(bundle i readlink /proc/self/ns/ipc)
	inside=$(oci run -b "$b" "$(cid i)")
	[ "$inside" != "$(readlink /proc/self/ns/ipc)" ] || fatal "shares the host's ipc namespace"
}

test_user_namespace_mapping() {
	local b id pid out
	b=$(bundle us sh -c 'id -u; cat /proc/self/uid_map; sleep 30')
	chown -R 100000:100000 "$b/rootfs"
	cfg "$b" '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}]
		| .linux.gidMappings=[{"containerID":0,"hostID":100000,"size":65536}]
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
	id=$(cid us)
	oci run -d -b "$b" "$id" >"$WORK/out" 2>&1
	pid=$(pid_of "$id")
	for _ in $(seq 40); do [ -s "$WORK/out" ] && break; sleep 0.05; done
	out=$(cat "$WORK/out")
	assert_eq "$(head -1 <<<"$out")" 0 "uid inside"
	assert_contains "$out" "100000"
	assert_eq "$(awk '/^Uid:/ {print $2}' /proc/$pid/status)" 100000 "uid on the host"
	oci delete -f "$id"
}

# A user namespace with the host's network (podman --userns=auto --network=host): the kernel
# refuses a new sysfs there, so the host's /sys is bound instead, with the spec's flags, on
# the host's mounts below it too (a read-only /sys/fs/cgroup)
test_user_namespace_host_network_sysfs() {
	local b out nic
	b=$(bundle uh sh -c 'awk "\$5 == \"/sys\"" /proc/self/mountinfo; echo $(ls /sys/class/net)
		touch /sys/x 2>/dev/null || echo read-only
		awk "\$5 ~ \"^/sys/\" { n++ } \$5 ~ \"^/sys/\" && \$6 !~ /(^|,)ro(,|\$)/ { print \"rw:\", \$5 }
			END { print n + 0, \"below\" }" /proc/self/mountinfo')
	chown -R 100000:100000 "$b/rootfs"
	cfg "$b" '.linux.namespaces |= map(select(.type != "network")) + [{"type":"user"}]
		| .linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}]
		| .linux.gidMappings=[{"containerID":0,"hostID":100000,"size":65536}]
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))
		| (.mounts[] | select(.destination == "/sys")).options = ["nosuid", "noexec", "nodev", "ro"]'
	out=$(oci run -b "$b" "$(cid uh)")
	assert_contains "$(head -1 <<<"$out")" " /sys ro,nosuid,nodev,noexec"
	assert_contains "$(head -1 <<<"$out")" " - sysfs "
	nic=$(ls /sys/class/net | grep -v -e '^lo$' -e '^veth' | head -1)
	[ -n "$nic" ] || skip "the host has no interface but lo"
	assert_contains " $(sed -n 2p <<<"$out") " " $nic " "the host's interfaces"
	assert_eq "$(sed -n 3p <<<"$out")" read-only
	if awk '$5 ~ "^/sys/" { f = 1 } END { exit !f }' /proc/self/mountinfo; then
		assert_not_contains "$(sed -n '4,$p' <<<"$out")" "rw:"
		assert_not_contains "$(tail -1 <<<"$out")" "0 below" "the host's mounts below /sys"
	fi
}

test_user_namespace_needs_mappings() {
	local b
	b=$(bundle un true)
	cfg "$b" '.linux.namespaces += [{"type":"user"}]'
	assert_fails oci run -b "$b" "$(cid un)"
	assert_contains "$OUT" "uidMappings"
}

test_join_network_namespace_by_path() {
	local b ns out
	ns="hulltest$$"
	ip netns add "$ns"
	ip -n "$ns" link add hv0 type veth peer name hv1
	b=$(bundle j ls /sys/class/net)
	cfg "$b" --arg p "/run/netns/$ns" \
		'.linux.namespaces |= map(if .type == "network" then .path = $p else . end)
		| .mounts |= map(select(.destination != "/sys"))
		| .mounts += [{"destination":"/sys","type":"sysfs","source":"sysfs","options":["ro"]}]'
	out=$(oci run -b "$b" "$(cid j)") || { ip netns del "$ns"; fatal "run failed"; }
	ip netns del "$ns"
	assert_contains "$out" hv0
}

test_join_missing_namespace_path() {
	local b
	b=$(bundle jm true)
	cfg "$b" '.linux.namespaces |= map(if .type == "network" then .path = "/run/netns/nope-hull" else . end)'
	assert_fails oci run -b "$b" "$(cid jm)"
	assert_contains "$OUT" "/run/netns/nope-hull"
}

test_time_namespace_offset() {
	local b out
	[ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
	b=$(bundle tm cat /proc/uptime)
	cfg "$b" '.linux.namespaces += [{"type":"time"}]
		| .linux.timeOffsets={"boottime":{"secs":864000,"nanosecs":0}}'
	out=$(oci run -b "$b" "$(cid tm)")
	[ "${out%%.*}" -ge 864000 ] || fatal "uptime inside $out lacks the 10-day offset"
}

test_cgroup_namespace() {
	local b out
	b=$(bundle cg cat /proc/self/cgroup)
	cfg "$b" '.linux.namespaces += [{"type":"cgroup"}]'
	out=$(oci run -b "$b" "$(cid cg)")
	assert_contains "$out" "memory:/"
	assert_not_contains "$out" "hull-test" "cgroup path visible inside"
}

test_container_in_its_cgroup() {
	local b id pid
	b=$(bundle c2 sleep 30)
	id=$(cid c2)
	oci run -d -b "$b" "$id"
	pid=$(pid_of "$id")
	grep -q "memory:/hull-test/$id" "/proc/$pid/cgroup" || fatal "not in its cgroup: $(cat /proc/$pid/cgroup)"
	grep -qx "$pid" "/sys/fs/cgroup/pids/hull-test/$id/cgroup.procs" || fatal "not in pids cgroup"
	oci delete -f "$id"
	[ ! -d "/sys/fs/cgroup/pids/hull-test/$id" ] || fatal "cgroup left after delete"
}
