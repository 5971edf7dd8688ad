# SPDX-License-Identifier: Apache-2.0
# Confinement besides seccomp: sysctl, personality, oomScoreAdj, capabilities (init and exec).

test_sysctl_written_in_the_container() {
	local b out host_fwd host_shm
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	host_shm=$(cat /proc/sys/kernel/shmmni)
	b=$(bundle sy sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni /proc/sys/net/ipv4/conf/lo/forwarding
		echo 1 >/proc/sys/net/ipv4/ip_forward 2>/dev/null || echo proc-sys-ro')
	cfg "$b" --arg f "$((1 - host_fwd))" '.linux.sysctl={"net.ipv4.ip_forward":$f,"kernel.shmmni":"1234",
		"net.ipv4.conf.lo.forwarding":$f}'
	out=$(oci run -b "$b" "$(cid sy)")
	assert_eq "$(sed -n 1p <<<"$out")" "$((1 - host_fwd))"
	assert_eq "$(sed -n 2p <<<"$out")" 1234
	assert_eq "$(sed -n 3p <<<"$out")" "$((1 - host_fwd))"
	# written before /proc/sys became read-only for the workload
	assert_contains "$out" "proc-sys-ro"
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd" "the host's value"
	assert_eq "$(cat /proc/sys/kernel/shmmni)" "$host_shm" "the host's value"
}

test_sysctl_refuses_host_keys() {
	local b host
	host=$(cat /proc/sys/vm/swappiness)
	b=$(bundle sr true)
	cfg "$b" '.linux.sysctl={"vm.swappiness":"3"}'
	assert_fails oci run -b "$b" "$(cid sr)"
	assert_contains "$OUT" "vm.swappiness"
	assert_eq "$(cat /proc/sys/vm/swappiness)" "$host"
	# net.* without a network namespace of its own would change the host's
	cfg "$b" '.linux.sysctl={"net.ipv4.ip_forward":"1"} | .linux.namespaces |= map(select(.type != "network"))'
	assert_fails oci run -b "$b" "$(cid sr2)"
	assert_contains "$OUT" "net.ipv4.ip_forward"
	assert_contains "$OUT" "network namespace"
	cfg "$b" '.linux.sysctl={"kernel.shmmax":"1"} | .linux.namespaces |= map(select(.type != "ipc"))'
	assert_fails oci run -b "$b" "$(cid sr3)"
	assert_contains "$OUT" "kernel.shmmax"
	cfg "$b" '.linux.sysctl={"net.ipv4.no_such_knob":"1"} | .linux.namespaces += [{"type":"network"}]'
	assert_fails oci run -b "$b" "$(cid sr4)"
	assert_contains "$OUT" "net.ipv4.no_such_knob"
}

test_personality_linux32() {
	local b out
	b=$(bundle pe uname -m)
	cfg "$b" '.linux.personality={"domain":"LINUX32"}'
	out=$(oci run -b "$b" "$(cid pe)")
	assert_eq "$out" "i686"
	cfg "$b" '.linux.personality={"domain":"LINUX","flags":["ADDR_NO_RANDOMIZE"]}'
	b2=$(bundle pe2 sh -c 'grep -c . /proc/self/personality; cat /proc/self/personality')
	cfg "$b2" '.linux.personality={"domain":"LINUX","flags":["ADDR_NO_RANDOMIZE"]}'
	out=$(oci run -b "$b2" "$(cid pe2)")
	assert_contains "$out" "00040000"
	cfg "$b" '.linux.personality={"domain":"BSD"}'
	assert_fails oci run -b "$b" "$(cid pe3)"
	assert_contains "$OUT" "linux.personality.domain"
}

test_oom_score_adj() {
	local b out id
	b=$(bundle oo sh -c 'cat /proc/self/oom_score_adj; sleep 60')
	cfg "$b" '.process.oomScoreAdj=523'
	id=$(cid oo)
	oci run -d -b "$b" "$id" >/dev/null
	wait_status "$id" running
	assert_eq "$(cat "/proc/$(pid_of "$id")/oom_score_adj")" 523
	# exec'd processes get the container's value too
	out=$(oci exec "$id" cat /proc/self/oom_score_adj)
	assert_eq "$out" 523
	oci kill "$id" KILL
	wait_status "$id" stopped
	oci delete "$id"
}

caps_of() { grep -E "^Cap$2:" <<<"$1" | awk '{print $2}'; }

test_caps_cleared_unless_asked_for() {
	local b out id
	# the runtime's own inheritable set must not reach the workload
	b=$(bundle ci sh -c 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status; sleep 60')
	cfg "$b" '.process.capabilities={"bounding":["CAP_KILL","CAP_CHOWN","CAP_NET_RAW"],
		"effective":["CAP_KILL","CAP_CHOWN"],"permitted":["CAP_KILL","CAP_CHOWN"]}'
	id=$(cid ci)
	capsh --inh=cap_kill,cap_chown -- -c "$HULL_OCI --root $ROOT run -d -b $b $id" >/dev/null
	wait_status "$id" running
	out=$(cat "/proc/$(pid_of "$id")/status")
	assert_eq "$(caps_of "$out" Inh)" 0000000000000000 "inheritable"
	assert_eq "$(caps_of "$out" Amb)" 0000000000000000 "ambient"
	assert_eq "$(caps_of "$out" Bnd)" 0000000000002021 "bounding (KILL, CHOWN, NET_RAW)"
	assert_eq "$(caps_of "$out" Prm)" 0000000000000021 "permitted"
	assert_eq "$(caps_of "$out" Eff)" 0000000000000021 "effective"
	# exec: the container's sets, nothing inherited
	out=$(oci exec "$id" cat /proc/self/status)
	assert_eq "$(caps_of "$out" Inh)" 0000000000000000 "exec inheritable"
	assert_eq "$(caps_of "$out" Amb)" 0000000000000000 "exec ambient"
	assert_eq "$(caps_of "$out" Bnd)" 0000000000002021 "exec bounding"
	assert_eq "$(caps_of "$out" Eff)" 0000000000000021 "exec effective"
	# exec --cap adds to bounding, effective and permitted, not to inheritable/ambient
	out=$(oci exec --cap CAP_NET_ADMIN "$id" cat /proc/self/status)
	assert_eq "$(caps_of "$out" Bnd)" 0000000000003021 "exec --cap bounding"
	assert_eq "$(caps_of "$out" Eff)" 0000000000001021 "exec --cap effective"
	assert_eq "$(caps_of "$out" Prm)" 0000000000001021 "exec --cap permitted"
	assert_eq "$(caps_of "$out" Inh)" 0000000000000000 "exec --cap inheritable"
	assert_eq "$(caps_of "$out" Amb)" 0000000000000000 "exec --cap ambient"
	# exec as another user with --cap: only what is ambient survives the exec
	out=$(oci exec --user 1000:1000 "$id" cat /proc/self/status)
	assert_eq "$(caps_of "$out" Eff)" 0000000000000000 "non-root exec effective"
	assert_eq "$(caps_of "$out" Prm)" 0000000000000000 "non-root exec permitted"
	oci kill "$id" KILL
	wait_status "$id" stopped
	oci delete "$id"
}

test_caps_inheritable_and_ambient_when_asked() {
	local b out id
	b=$(bundle ca sleep 60)
	cfg "$b" '.process.user={"uid":1000,"gid":1000} | .process.capabilities={"bounding":["CAP_KILL","CAP_CHOWN"],
		"effective":["CAP_KILL"],"permitted":["CAP_KILL","CAP_CHOWN"],"inheritable":["CAP_KILL","CAP_CHOWN"],
		"ambient":["CAP_KILL"]}'
	id=$(cid ca)
	oci run -d -b "$b" "$id" >/dev/null
	wait_status "$id" running
	out=$(cat "/proc/$(pid_of "$id")/status")
	assert_eq "$(caps_of "$out" Inh)" 0000000000000021 "inheritable"
	assert_eq "$(caps_of "$out" Amb)" 0000000000000020 "ambient"
	assert_eq "$(caps_of "$out" Eff)" 0000000000000020 "effective after exec = ambient"
	out=$(oci exec "$id" cat /proc/self/status)
	assert_eq "$(caps_of "$out" Inh)" 0000000000000021 "exec inheritable"
	assert_eq "$(caps_of "$out" Amb)" 0000000000000020 "exec ambient"
	# --cap also goes to inheritable and ambient when the spec has inheritable ones
	out=$(oci exec --cap CAP_NET_RAW "$id" cat /proc/self/status)
	assert_eq "$(caps_of "$out" Amb)" 0000000000002020 "exec --cap ambient"
	assert_eq "$(caps_of "$out" Eff)" 0000000000002020 "exec --cap effective"
	oci kill "$id" KILL
	wait_status "$id" stopped
	oci delete "$id"
}

test_caps_without_capabilities_section() {
	local b out
	b=$(bundle cn sh -c 'grep -E "^Cap(Inh|Amb)" /proc/self/status')
	cfg "$b" 'del(.process.capabilities)'
	# the runtime starts with inheritable and ambient capabilities of its own: none may reach
	# the workload
	out=$(capsh --inh=cap_kill,cap_chown --addamb=cap_kill -- -c \
		"grep -q '^CapAmb:.*20$' /proc/self/status && $HULL_OCI --root $ROOT run -b $b $(cid cn)")
	assert_eq "$(caps_of "$out" Inh)" 0000000000000000 "inheritable"
	assert_eq "$(caps_of "$out" Amb)" 0000000000000000 "ambient"
}
