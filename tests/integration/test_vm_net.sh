# SPDX-License-Identifier: Apache-2.0
# The VM's network: what is set up in the container's network namespace moves into the guest
# (a tap per veth, joined with tc redirects).  TCG boots take seconds: one boot per test.
# vm_ready, vm_bundle and wait_for: lib.sh

# netns_pair: two network namespaces, "$T-peer" (192.168.213.1/24, fd00:213::1/64) and
# "$T-ctr" (192.168.213.2/24 on eth0, default route via the peer), joined by a veth pair;
# removed after the test.
netns_pair() {
	command -v ip >/dev/null && command -v tc >/dev/null || skip "iproute2 not installed"
	ip netns add "$T-peer"
	defer ip netns del "$T-peer"
	ip netns add "$T-ctr"
	defer ip netns del "$T-ctr"
	ip link add p0 netns "$T-peer" type veth peer name eth0 netns "$T-ctr"
	ip -n "$T-peer" addr add 192.168.213.1/24 dev p0
	ip -n "$T-peer" -6 addr add fd00:213::1/64 dev p0 nodad
	ip -n "$T-peer" link set p0 up
	ip -n "$T-ctr" addr add 192.168.213.2/24 dev eth0
	ip -n "$T-ctr" -6 addr add fd00:213::2/64 dev eth0 nodad
	ip -n "$T-ctr" link set eth0 mtu 1400 up
	ip -n "$T-ctr" route add default via 192.168.213.1
}

test_vm_net_takes_over_the_veth() {
	vm_ready
	netns_pair
	local b id pid mac out
	mac=$(ip netns exec "$T-ctr" cat /sys/class/net/eth0/address)
	b=$(vm_bundle n sh -c 'cat /sys/class/net/eth0/address /sys/class/net/eth0/mtu; ip addr; ip route
		ping -c1 -W10 192.168.213.1 >/dev/null && echo ping-ok
		ping6 -c1 -W10 fd00:213::1 >/dev/null && echo ping6-ok
		echo tcp-from-guest | nc 192.168.213.1 5555; echo ready; exec sleep 1000')
	cfg "$b" --arg ns "/var/run/netns/$T-ctr" \
		'.linux.namespaces |= map(if .type == "network" then .path = $ns else . end)'
	ip netns exec "$T-peer" timeout 60 busybox nc -l -p 5555 >"$WORK/tcp" &
	defer kill $!
	id=$(cid n)
	oci create -b "$b" "$id" >"$WORK/out" 2>"$WORK/err"
	oci start "$id"
	wait_for "$WORK/out" ready
	out=$(cat "$WORK/out")
	assert_eq "$(head -2 "$WORK/out" | tr '\n' ' ')" "$mac 1400 " "the guest NIC's MAC and MTU"
	assert_contains "$out" "inet 192.168.213.2/24"
	assert_contains "$out" "inet6 fd00:213::2/64"
	assert_contains "$out" "default via 192.168.213.1 dev eth0"
	assert_contains "$out" "ping-ok"
	assert_contains "$out" "ping6-ok"
	assert_eq "$(cat "$WORK/tcp")" tcp-from-guest "TCP from the guest to the peer"
	# the namespace's tc plumbing while the VM runs
	assert_contains "$(tc -n "$T-ctr" filter show dev eth0 ingress)" "mirred (Egress Redirect to device hulltap"
	# kill -9 of the VMM: the tap goes with its fd, the veth's qdisc stays until delete
	pid=$(pid_of "$id")
	kill -9 "$pid"
	wait_status "$id" stopped
	assert_not_contains "$(ip -n "$T-ctr" link)" hulltap "a tap left after QEMU died"
	oci delete "$id"
	assert_not_contains "$(tc -n "$T-ctr" qdisc show dev eth0)" ingress "qdisc left after delete"
	assert_eq "$(tc -n "$T-ctr" filter show dev eth0 ingress)" "" "filter left after delete"
	# the namespace is as it was: its own stack answers again
	ip netns exec "$T-peer" busybox ping -c1 -W5 192.168.213.2 >/dev/null || fatal "the veth is not back"
	# an ingress qdisc of someone else's: refused before QEMU starts, and left alone
	tc -n "$T-ctr" qdisc add dev eth0 ingress
	set +e
	oci run -b "$b" "$(cid n2)" >/dev/null 2>"$WORK/err"
	assert_eq $? 127 "start refused"
	set -e
	assert_contains "$(cat "$WORK/err")" "\`eth0\` already has an ingress qdisc"
	assert_contains "$(tc -n "$T-ctr" qdisc show dev eth0)" "ingress" "the qdisc that was there"
	assert_not_contains "$(ip -n "$T-ctr" link)" hulltap "a tap left after a failed start"
}

test_vm_net_loopback_only_and_host_network() {
	vm_ready
	local b out
	# a network namespace of the container's own has only lo: so has the guest
	b=$(vm_bundle l sh -c 'ls /sys/class/net; ip link show lo; ping -c1 -W5 127.0.0.1 >/dev/null && echo lo-ok')
	out=$(oci run -b "$b" "$(cid l1)" 2>/dev/null)
	assert_eq "$(echo "$out" | head -1)" lo "the guest's interfaces"
	assert_contains "$out" "LOOPBACK,UP"
	assert_contains "$out" "lo-ok"
	# the host's network cannot be handed to a VM: refused by create, nothing left behind
	cfg "$b" '.linux.namespaces |= map(select(.type != "network"))'
	assert_fails oci create -b "$b" "$(cid l2)"
	assert_contains "$OUT" "vm isolation needs a network namespace"
	[ ! -e "$ROOT/$(cid l2)" ] || fatal "state left after a refused create"
}
