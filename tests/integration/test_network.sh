# hull's bridge network (CNI bridge + portmap) and published ports.  Each test runs hull in a
# network namespace of its own (nsenter --net: the mount namespace stays the host's, so the
# namespaces hull binds are seen by every later command), so the bridge hull0, its addresses
# and the iptables rules live there and vanish with it.

HULL=${HULL:-$REPO/build/hull}

net_ready() {
	[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/portmap ] ||
		skip "no CNI plugins (containernetworking-plugins)"
	command -v iptables >/dev/null || skip "no iptables"
	NS="hullnet-$$"
	ip netns add "$NS"
	ip netns exec "$NS" ip link set lo up
	defer ip netns del "$NS"
	defer net_cleanup "$NS" "$HULL" "$WORK/store" "$ROOT"
	[ -f "$WORK/img/busybox.docker.tar" ] ||
		python3 "$REPO/tests/data/mkimage.py" "$WORK/img" "$WORK/outside" >/dev/null
	hn load -q -i "$WORK/img/busybox.docker.tar" >/dev/null
}
# every container removed from inside the namespace (CNI's DEL works there)
net_cleanup() {
	local id
	for id in $(ls "$3/containers" 2>/dev/null); do
		nsenter --net="/run/netns/$1" "$2" --root "$3" --runroot "$4" rm -f "$id"
	done
}
hn() { nsenter --net="/run/netns/$NS" "$HULL" --root "$WORK/store" --runroot "$ROOT" "$@"; }
in_ns() { ip netns exec "$NS" "$@"; }
# nothing of the network is left: no veth, no DNAT chain, no namespace file, no address held
net_clean() {
	assert_eq "$(in_ns ip -o link | grep -c veth || true)" 0 "veth left"
	assert_eq "$(in_ns iptables -t nat -S | grep -c -- '-N CNI-DN' || true)" 0 "DNAT chain left"
	assert_eq "$(ls "$ROOT/.netns" 2>/dev/null | grep -c . || true)" 0 "network namespace left"
	assert_eq "$(ls "$ROOT/.cni/ipam/hull" 2>/dev/null | grep -c '^10\.' || true)" 0 "address left"
}

test_network_bridge_container() {
	local out
	net_ready
	out=$(hn run --rm --network bridge -u root --hostname web1 hulltest/busybox:docker \
		'ip -4 addr show eth0; ip route; grep web1 /etc/hosts; ping -c1 -W2 10.89.0.1 >/dev/null && echo gw-ok')
	assert_contains "$out" "inet 10.89.0."
	assert_contains "$out" "default via 10.89.0.1 dev eth0"
	grep -Eq "^10\.89\.0\.[0-9]+	web1$" <<<"$out" || fatal "no /etc/hosts entry: $out"
	assert_contains "$out" gw-ok
	assert_eq "$(in_ns ip -o -4 addr show hull0 | awk '{print $4}')" 10.89.0.1/24 "the bridge"
	net_clean
	# the default is still loopback only
	out=$(hn run --rm -u root hulltest/busybox:docker 'ls /sys/class/net')
	assert_eq "$out" lo
}

test_network_publish_and_cleanup() {
	local id ip out
	net_ready
	id=$(hn run -d --network bridge -p 8080:80 -p 127.0.0.1:8081:81/tcp -u root \
		hulltest/busybox:docker 'nc -ll -p 80 -e echo hello-80 & nc -ll -p 81 -e echo hello-81 & wait')
	ip=$(hn inspect "$id" | jq -r '.[0].NetworkSettings.IPAddress')
	[[ $ip == 10.89.0.* ]] || fatal "no address in inspect: $ip"
	for i in $(seq 50); do
		out=$(in_ns busybox nc "$ip" 80 </dev/null 2>/dev/null || true)
		[ -n "$out" ] && break
		sleep 0.1
	done
	assert_eq "$out" hello-80 "the container's own address"
	assert_eq "$(in_ns busybox nc 10.89.0.1 8080 </dev/null)" hello-80 "a host address"
	assert_eq "$(in_ns busybox nc 127.0.0.1 8081 </dev/null)" hello-81 "localhost"
	# published on 127.0.0.1 only: the bridge's address does not answer on 8081, and the
	# DNAT rule for it names the address
	out=$(in_ns busybox nc -w 2 10.89.0.1 8081 </dev/null 2>&1) && fatal "8081 answered on 10.89.0.1: $out"
	assert_not_contains "$out" hello-81 "8081 on the bridge's address"
	out=$(in_ns iptables -t nat -S | grep -- '--dport 8081' | grep -- '-j DNAT')
	assert_contains "$out" "-d 127.0.0.1/32" "the DNAT rule of 8081"
	out=$(in_ns iptables -t nat -S | grep -- '--dport 8080' | grep -- '-j DNAT')
	assert_not_contains "$out" "-d " "the DNAT rule of 8080 (every address)"
	assert_contains "$(hn ps)" "0.0.0.0:8080->80/tcp, 127.0.0.1:8081->81/tcp"
	assert_eq "$(hn ps --format json | jq -r '.[0].Ports | length')" 2
	# a monitor killed with -9 leaves the network to rm
	kill -9 "$(jq -r .monitorPid "$WORK/store/containers/$id/record.json")"
	assert_eq "$(ls "$ROOT/.netns" | grep -c .)" 1 "the namespace while the container runs"
	hn rm -f "$id" >/dev/null
	net_clean
	[ -z "$(in_ns busybox nc -w 1 10.89.0.1 8080 </dev/null 2>/dev/null)" ] || fatal "port still open"
}

# The vm level takes over the interface CNI made: the guest has the address, and a published
# port reaches a server in the guest (one boot).
test_network_bridge_vm() {
	local id out
	command -v qemu-system-x86_64 >/dev/null && [ -r "$REPO/build/vm/vmlinux" ] ||
		skip "no QEMU or guest kernel for the vm isolation level"
	net_ready
	id=$(hn run -d --isolation vm --network bridge -p 8090:80 -u root hulltest/busybox:docker \
		'ip -4 addr show eth0 | grep -o "inet [0-9.]*" >/tmp/addr; nc -ll -p 80 -e cat /tmp/addr')
	for i in $(seq 300); do
		out=$(in_ns busybox nc -w 2 127.0.0.1 8090 </dev/null 2>/dev/null || true)
		[ -n "$out" ] && break
		sleep 0.2
	done
	assert_eq "$out" "inet $(hn inspect "$id" | jq -r '.[0].NetworkSettings.IPAddress')" \
		"the guest serves on the address CNI gave"
	hn rm -f "$id" >/dev/null
	net_clean
}

test_network_bad_input() {
	net_ready
	assert_fails hn run --rm -p 8080:80 hulltest/busybox:docker true
	assert_contains "$OUT" "needs --network bridge"
	assert_fails hn run --rm --network bridge -p 80 hulltest/busybox:docker true
	assert_contains "$OUT" "-p \`80\`"
	assert_fails hn run --rm --network bridge -p 1.2.3:80:80 hulltest/busybox:docker true
	assert_contains "$OUT" "not an IP address"
	assert_fails hn run --rm --network bridge -p 8080:99999 hulltest/busybox:docker true
	assert_contains "$OUT" "container port"
	assert_fails hn run --rm --network overlay hulltest/busybox:docker true
	assert_contains "$OUT" "unsupported --network"
	# a CNI plugin that is not there: named, exit 125, nothing left behind
	OUT=$(HULL_CNI_PATH=/nonexistent hn run --rm --network bridge hulltest/busybox:docker true 2>&1) && fatal "ran without CNI"
	assert_contains "$OUT" "/nonexistent/bridge"
	assert_eq "$(ls "$WORK/store/containers" | grep -c . || true)" 0 "container record left"
	net_clean
}
