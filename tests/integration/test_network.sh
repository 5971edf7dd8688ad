# SPDX-License-Identifier: Apache-2.0
# hull's networks: the default bridge network and user networks (CNI bridge + portmap), names
# between containers (aardvark-dns), published ports.  Each test runs hull in a network
# namespace of its own (nsenter --net: the mount namespace stays the host's, so the
# namespaces hull binds are seen by every later command), so the bridges, their addresses,
# the iptables rules and the DNS server's sockets live there and vanish with it.

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
# nothing of the network is left: no veth, no DNAT or masquerade chain, no namespace file, no
# address held, no DNS server or entry
net_clean() {
	local p i
	# the kernel deletes a dead namespace's interfaces (the veths' host ends too) in the
	# background, moments after the namespace's last reference went
	for i in $(seq 30); do
		[ "$(in_ns ip -o link | grep -c veth || true)" = 0 ] && break
		sleep 0.1
	done
	assert_eq "$(in_ns ip -o link | grep -c veth || true)" 0 "veth left"
	# a container's own chains (DNAT, masquerade) go; portmap's shared CNI-HOSTPORT-* stay
	assert_eq "$(in_ns iptables -t nat -S | grep -Ec -- '-N CNI-(DN-)?[0-9a-f]{16}' || true)" 0 \
		"CNI chain left"
	assert_eq "$(ls "$ROOT/.netns" 2>/dev/null | grep -c . || true)" 0 "network namespace left"
	assert_eq "$(ls "$ROOT/.net" 2>/dev/null | grep -c . || true)" 0 "attachment record left"
	assert_eq "$(ls "$ROOT"/.cni/ipam/* 2>/dev/null | grep -Ec '^[0-9]+\.[0-9]+\.' || true)" 0 \
		"address left"
	assert_eq "$(ls "$ROOT/.dns" 2>/dev/null | grep -c . || true)" 0 "DNS entry left"
	for p in $(pgrep -f -- "--config $ROOT/.dns" || true); do
		alive "$p" && fatal "DNS server left: $p"
	done
	return 0
}
# dns_ready: user networks resolve names only with aardvark-dns
dns_ready() {
	[ -x /usr/lib/podman/aardvark-dns ] || skip "no aardvark-dns (Debian package aardvark-dns)"
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
	assert_contains "$(in_ns iptables -t nat -S POSTROUTING)" "-s 10.89.0.0/24 ! -o hull0"
	net_clean
	# the default network is the bridge, as docker's; none is loopback only
	out=$(hn run --rm -u root hulltest/busybox:docker 'ip -4 -o addr show eth0; ip route')
	assert_contains "$out" "inet 10.89.0."
	assert_contains "$out" "default via 10.89.0.1"
	out=$(hn run --rm --network none -u root hulltest/busybox:docker 'ls /sys/class/net')
	assert_eq "$out" lo
	net_clean
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
	# a host port is published once (docker: "port is already allocated")
	assert_fails hn run --rm -p 127.0.0.1:8080:90 hulltest/busybox:docker true
	assert_contains "$OUT" "host port 8080/tcp is already published by container"
	assert_fails hn run --rm -p 8081:90 hulltest/busybox:docker true
	assert_contains "$OUT" "host port 8081/tcp is already published"
	hn run --rm -p 127.0.0.2:8081:90 -p 8080:90/udp hulltest/busybox:docker true
	assert_eq "$(hn ps --format json | jq -r '.Ports')" "0.0.0.0:8080->80/tcp, 127.0.0.1:8081->81/tcp"
	assert_eq "$(hn port "$id")" $'80/tcp -> 0.0.0.0:8080\n81/tcp -> 127.0.0.1:8081'
	assert_eq "$(hn port "$id" 81/tcp)" "127.0.0.1:8081"
	# a monitor killed with -9 leaves the network to rm
	kill -9 "$(jq -r .monitorPid "$WORK/store/containers/$id/record.json")"
	assert_eq "$(ls "$ROOT/.netns" | grep -c .)" 1 "the namespace while the container runs"
	hn rm -f "$id" >/dev/null
	net_clean
	[ -z "$(in_ns busybox nc -w 1 10.89.0.1 8080 </dev/null 2>/dev/null)" ] || fatal "port still open"
}

# The vm level takes over the interface CNI made: a VM on a user network has the address
# CNI gave, resolves another container by name and reaches it, and a published port reaches
# a server in the guest (one boot).
test_network_user_vm() {
	local id out peer
	command -v qemu-system-x86_64 >/dev/null && [ -r "$REPO/build/vm/vmlinux" ] ||
		skip "no QEMU or guest kernel for the vm isolation level"
	net_ready
	dns_ready
	hn network create --subnet 10.54.0.0/24 vmnet >/dev/null
	peer=$(hn run -d --network vmnet --name peer -u root hulltest/busybox:docker \
		'nc -ll -p 80 -e echo hello-peer')
	id=$(hn run -d --isolation vm --network vmnet -p 8090:80 -u root hulltest/busybox:docker \
		'{ ip -4 addr show eth0 | grep -o "inet [0-9.]*"; nslookup peer | grep -A1 "^Name:" | tail -1
		   nc peer 80 </dev/null; } >/tmp/out 2>&1; nc -ll -p 80 -e cat /tmp/out')
	for i in $(seq 300); do
		out=$(in_ns busybox nc -w 2 127.0.0.1 8090 </dev/null 2>/dev/null || true)
		[ -n "$out" ] && break
		sleep 0.2
	done
	assert_eq "$out" "inet $(hn inspect "$id" | jq -r '.[0].NetworkSettings.IPAddress')
Address: $(hn inspect -f '{{.NetworkSettings.IPAddress}}' peer)
hello-peer" "the guest's address, its answer for peer, peer's reply"
	hn rm -f "$id" "$peer" >/dev/null
	net_clean
	hn network rm vmnet >/dev/null
}

# A vm-level container connected while it is created boots with every network of its config:
# the guest gets an interface on each (a running one cannot be connected: checked in
# test_network_connect).
test_network_vm_connect_created() {
	local id out i
	command -v qemu-system-x86_64 >/dev/null && [ -r "$REPO/build/vm/vmlinux" ] ||
		skip "no QEMU or guest kernel for the vm isolation level"
	net_ready
	hn network create --subnet 10.54.0.0/24 vmfront >/dev/null
	hn network create --subnet 10.55.0.0/24 vmback >/dev/null
	id=$(hn create --isolation vm --network vmfront --ip 10.54.0.9 -u root \
		hulltest/busybox:docker 'ip -4 -o addr | grep -o "eth[0-9] *inet [0-9.]*"')
	hn network connect --ip 10.55.0.9 vmback "$id"
	hn start "$id" >/dev/null
	for i in $(seq 600); do
		[ "$(hn inspect -f '{{.State.Status}}' "$id")" = exited ] && break
		sleep 0.1
	done
	out=$(hn logs "$id")
	assert_contains "$out" "eth0    inet 10.54.0.9"
	assert_contains "$out" "eth1    inet 10.55.0.9"
	hn rm -f "$id" >/dev/null
	net_clean
	hn network rm vmfront vmback >/dev/null
}

test_network_bad_input() {
	net_ready
	assert_fails hn run --rm --network none -p 8080:80 hulltest/busybox:docker true
	assert_contains "$OUT" "needs a bridge network"
	assert_fails hn run --rm --network host -P hulltest/busybox:docker true
	assert_contains "$OUT" "-P needs a bridge network"
	assert_fails hn run --rm --network nosuchnet hulltest/busybox:docker true
	assert_contains "$OUT" "No such network: nosuchnet"
	assert_fails hn run --rm --ip 10.89.0.9 hulltest/busybox:docker true
	assert_contains "$OUT" "user defined networks only"
	assert_fails hn run --rm --network-alias x hulltest/busybox:docker true
	assert_contains "$OUT" "user defined networks only"
	assert_fails hn run --rm --dns 1.2.3 hulltest/busybox:docker true
	assert_contains "$OUT" "--dns \`1.2.3\` is not an IP address"
	assert_fails hn run --rm --add-host nocolon hulltest/busybox:docker true
	assert_contains "$OUT" "expected NAME:IP"
	assert_fails hn run --rm --add-host h:999.1.1.1 hulltest/busybox:docker true
	assert_contains "$OUT" "not an IP address"
	assert_fails hn run --rm --network none --add-host h:host-gateway hulltest/busybox:docker true
	assert_contains "$OUT" "host-gateway needs a bridge network"
	assert_fails hn run --rm --network bridge -p 80 hulltest/busybox:docker true
	assert_contains "$OUT" "-p \`80\`"
	assert_fails hn run --rm --network bridge -p 1.2.3:80:80 hulltest/busybox:docker true
	assert_contains "$OUT" "not an IP address"
	assert_fails hn run --rm --network bridge -p 8080:99999 hulltest/busybox:docker true
	assert_contains "$OUT" "container port"
	assert_fails hn run --rm --network overlay hulltest/busybox:docker true
	assert_contains "$OUT" "No such network: overlay"
	# a CNI plugin that is not there: named, exit 125, nothing left behind
	OUT=$(HULL_CNI_PATH=/nonexistent hn run --rm --network bridge hulltest/busybox:docker true 2>&1) && fatal "ran without CNI"
	assert_contains "$OUT" "/nonexistent/bridge"
	assert_eq "$(ls "$WORK/store/containers" | grep -c . || true)" 0 "container record left"
	net_clean
	# the bridge plugin runs while the bundle is made: a bundle that fails undoes it
	assert_fails hn run --rm nosuchimage true
	assert_contains "$OUT" "nosuchimage"
	assert_fails hn run --rm -u nosuchuser hulltest/busybox:docker true
	assert_eq "$(ls "$WORK/store/containers" | grep -c . || true)" 0 "container record left"
	net_clean
}

# hull network create/ls/inspect/rm/prune: records, subnets, names, labels, bridges.
test_network_user_networks() {
	local id out
	net_ready
	id=$(hn network create --subnet 10.50.0.0/24 --gateway 10.50.0.254 --ip-range 10.50.0.128/25 \
		--label team=web --label tier net1)
	[[ $id =~ ^[0-9a-f]{64}$ ]] || fatal "create did not print an id: $id"
	hn network create --internal --label team=db net2 >/dev/null
	jq -e '.name == "net1" and .subnet == "10.50.0.0/24" and .ipRange == "10.50.0.128/25"' \
		"$WORK/store/networks/net1/network.json" >/dev/null || fatal "record: $(cat "$WORK/store/networks/net1/network.json")"
	# the built-ins first, then the user's, docker's columns
	out=$(hn network ls)
	assert_eq "$(head -1 <<<"$out" | tr -s ' ')" "NETWORK ID NAME DRIVER SCOPE"
	assert_eq "$(awk 'NR>1 {print $2 "/" $3}' <<<"$out" | tr '\n' ' ')" \
		"bridge/bridge host/host none/null net1/bridge net2/bridge "
	assert_eq "$(hn network ls --format '{{.Name}} {{.Subnet}} {{.Internal}}' --filter label=team)" \
		$'net1 10.50.0.0/24 false\nnet2 10.89.1.0/24 true'
	assert_eq "$(hn network ls -q --filter label=team=db --no-trunc)" \
		"$(jq -r .id "$WORK/store/networks/net2/network.json")"
	assert_eq "$(hn network ls --filter type=custom --filter name=net --format json | jq -r .Name | tr '\n' ' ')" \
		"net1 net2 "
	assert_eq "$(hn network inspect -f '{{.Name}} {{range .IPAM.Config}}{{.Gateway}}{{end}} {{.Labels.team}} {{.Internal}}' "${id:0:10}")" \
		"net1 10.50.0.254 web false"
	assert_eq "$(hn network inspect net2 | jq -r '.[0].IPAM.Config[0].Subnet, .[0].Internal')" \
		$'10.89.1.0/24\ntrue'
	assert_eq "$(hn inspect -f '{{.Driver}}' bridge)" bridge "hull inspect finds networks"
	assert_eq "$(hn inspect --type network -f '{{.Name}}' "${id:0:12}")" net1
	assert_fails hn inspect --type container net1
	# names are unique, subnets do not overlap, bad input is named
	assert_fails hn network create net1
	assert_contains "$OUT" "network with name net1 already exists"
	assert_fails hn network create bridge
	assert_contains "$OUT" "already exists"
	assert_fails hn network create --subnet 10.50.0.0/16 net3
	assert_contains "$OUT" "overlaps network net1"
	assert_fails hn network create --subnet 10.89.0.128/25 net3
	assert_contains "$OUT" "overlaps network bridge"
	assert_fails hn network create --subnet 10.60.0.1/24 net3
	assert_contains "$OUT" "has host bits set (the subnet is 10.60.0.0/24)"
	assert_fails hn network create --subnet 10.60.0.0/24 --gateway 10.61.0.1 net3
	assert_contains "$OUT" "is not a host address of --subnet"
	assert_fails hn network create --subnet 10.60.0.0/24 --ip-range 10.61.0.0/25 net3
	assert_contains "$OUT" "is not inside --subnet"
	assert_fails hn network create --gateway 10.60.0.1 net3
	assert_contains "$OUT" "need --subnet"
	assert_fails hn network create 'bad name'
	assert_contains "$OUT" "invalid network name"
	assert_fails hn network create -d macvlan net3
	assert_contains "$OUT" "unsupported --driver"
	[ ! -e "$WORK/store/networks/net3" ] || fatal "a refused create left a record"
	# addresses come from the range, the gateway is the one given
	out=$(hn run --rm --network net1 -u root hulltest/busybox:docker 'ip -4 -o addr show eth0; ip route')
	grep -Eq 'inet 10\.50\.0\.(12[89]|1[3-9][0-9]|2[0-9][0-9])/24' <<<"$out" || fatal "not from the range: $out"
	assert_contains "$out" "default via 10.50.0.254"
	assert_eq "$(in_ns ip -o -4 addr show "br-${id:0:12}" | awk '{print $4}')" 10.50.0.254/24 "net1's bridge"
	# one masquerade rule per network (docker's), none for an internal one: no way out
	assert_eq "$(in_ns iptables -t nat -S POSTROUTING | grep -c -- "-s 10.50.0.0/24 ! -o br-${id:0:12} .*-j MASQUERADE" || true)" 1 \
		"net1's masquerade rule"
	out=$(hn run --rm --network net2 -u root hulltest/busybox:docker 'ip route')
	assert_not_contains "$out" default
	assert_eq "$(in_ns iptables -t nat -S | grep -c 10.89.1. || true)" 0 "an internal network masquerades"
	# rm: built-ins stay, a network goes with its bridge
	assert_fails hn network rm none
	assert_contains "$OUT" "pre-defined network"
	assert_eq "$(hn network rm net1)" net1
	in_ns ip link show "br-${id:0:12}" >/dev/null 2>&1 && fatal "net1's bridge left"
	assert_eq "$(in_ns iptables -t nat -S | grep -c 10.50.0. || true)" 0 "net1's masquerade rule left"
	assert_fails hn network rm net1
	assert_contains "$OUT" "No such network: net1"
	hn network rm -f net1 >/dev/null
	# prune: every user network no container is on (asks first)
	hn network create net4 >/dev/null
	assert_eq "$(echo n | hn network prune)" ""
	assert_eq "$(hn network ls -q --filter type=custom | wc -l)" 2
	assert_eq "$(hn network prune -f)" $'Deleted Networks:\nnet2\nnet4'
	assert_eq "$(hn network ls --format '{{.Name}}' | tr '\n' ' ')" "bridge host none "
	net_clean
}

# Containers on a user network find each other by name and alias (aardvark-dns on the
# gateway); the default bridge resolves no container names, as docker's; a fixed --ip; rm
# refused while in use; the DNS server goes with the last container, even after a kill -9.
test_network_user_dns() {
	local web out
	net_ready
	dns_ready
	hn network create --subnet 10.51.0.0/24 app >/dev/null
	web=$(hn run -d --network app --name web --network-alias www --ip 10.51.0.80 -u root \
		hulltest/busybox:docker 'nc -ll -p 80 -e echo hello-web')
	assert_eq "$(hn inspect -f '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Networks.app.Aliases}}' web)" \
		"10.51.0.80 [www]"
	out=$(hn run --rm --network app -u root hulltest/busybox:docker \
		'cat /etc/resolv.conf; for n in web www '"${web:0:12}"'; do nslookup $n | grep -A1 "^Name:"; done
		 for i in $(seq 30); do r=$(nc web 80 </dev/null) && [ -n "$r" ] && break; sleep 0.1; done; echo "got $r"')
	assert_contains "$out" "nameserver 10.51.0.1"
	assert_eq "$(grep -c 'Address: 10.51.0.80' <<<"$out")" 3 "web, www and the short id: $out"
	assert_contains "$out" "got hello-web"
	# on the default bridge: no names of containers (and the host's resolvers, not aardvark)
	out=$(hn run --rm -u root hulltest/busybox:docker 'cat /etc/resolv.conf; nslookup web 10.89.0.1 2>&1; true')
	assert_not_contains "$out" "nameserver 10.89.0.1"
	assert_not_contains "$out" "10.51.0.80"
	# a rename is what other containers see
	hn rename web web2
	out=$(hn run --rm --network app -u root hulltest/busybox:docker \
		'nslookup web2 | grep -A1 "^Name:"; nslookup web >/dev/null 2>&1 && echo old-name-resolves; true')
	assert_contains "$out" "Address: 10.51.0.80"
	assert_not_contains "$out" old-name-resolves
	# the network is in use: rm refuses, names it
	assert_fails hn network rm app
	assert_contains "$OUT" "has active endpoints (container web2)"
	assert_fails hn run --rm --network app --ip 10.51.0.80 hulltest/busybox:docker true
	assert_fails hn run --rm --network app --ip 10.52.0.8 hulltest/busybox:docker true
	assert_contains "$OUT" "is not a host address of network app"
	# a monitor killed with -9: rm still takes the name and the server away
	kill -9 "$(jq -r .monitorPid "$WORK/store/containers/$web/record.json")"
	assert_eq "$(hull_dns_entries)" 1 "web's entry while it runs"
	hn rm -f web2 >/dev/null
	net_clean
	assert_eq "$(hn network rm app)" app
}
hull_dns_entries() { cat "$ROOT"/.dns/app 2>/dev/null | tail -n +2 | grep -c . || true; }

# hull network connect/disconnect: a running container gets eth1 on another network, is
# found there by name, loses it again; whatever is connected when it goes is undone.
test_network_connect() {
	local id out
	net_ready
	dns_ready
	hn network create --subnet 10.53.0.0/24 back >/dev/null
	id=$(hn run -d --name app -u root hulltest/busybox:docker 'nc -ll -p 80 -e echo hello-app')
	hn network connect --alias api --ip 10.53.0.9 back app
	out=$(hn exec app ip -4 -o addr)
	assert_contains "$out" "eth0    inet 10.89.0."
	assert_contains "$out" "eth1    inet 10.53.0.9/24"
	assert_eq "$(hn network inspect -f '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}' back)" \
		"app 10.53.0.9/24"
	assert_eq "$(hn ps --format '{{.Names}} {{.Networks}}')" "app bridge,back"
	out=$(hn run --rm --network back -u root hulltest/busybox:docker \
		'nslookup api | grep -A1 "^Name:"; nc app 80 </dev/null')
	assert_contains "$out" "Address: 10.53.0.9"
	assert_contains "$out" hello-app
	# app itself now asks back's resolver (docker rebuilds resolv.conf on a connect too)
	assert_eq "$(hn exec app grep nameserver /etc/resolv.conf)" "nameserver 10.53.0.1"
	hn run -d --network back --name peer hulltest/busybox:docker 'sleep 60' >/dev/null
	assert_contains "$(hn exec app nslookup peer)" "10.53.0."
	hn rm -f peer >/dev/null
	assert_fails hn network connect back app
	assert_contains "$OUT" "already on network back"
	assert_fails hn network connect host app
	assert_contains "$OUT" "cannot be connected to the host network"
	hn network disconnect back app
	assert_not_contains "$(hn exec app ip -o link)" eth1
	assert_not_contains "$(hn exec app cat /etc/resolv.conf)" 10.53.0.1
	assert_eq "$(hn ps --format '{{.Networks}}')" bridge
	assert_eq "$(hn network inspect -f '{{len .Containers}}' back)" 0
	assert_fails hn network disconnect back app
	assert_contains "$OUT" "not connected to network back"
	# connected again, then removed: both attachments undone
	hn network connect back app
	hn rm -f app >/dev/null
	net_clean
	hn network rm back >/dev/null
	# a container without a namespace of its own, or one that is not running
	hn run -d --name lo --network none hulltest/busybox:docker 'sleep 60' >/dev/null
	hn network create idle >/dev/null
	assert_fails hn network connect idle lo
	assert_contains "$OUT" "on the none network"
	hn rm -f lo >/dev/null
	hn network rm idle >/dev/null
	net_clean
}

# -P: every port the image exposes (80/tcp, 53/udp) on a free port of 32768-60999, shown by
# port and ps, and reachable.
test_network_publish_all() {
	local id id2 hp out
	net_ready
	id=$(hn run -d -P -u root hulltest/busybox:docker 'nc -ll -p 80 -e echo hello-80')
	out=$(hn port "$id")
	grep -Eq '^80/tcp -> 0\.0\.0\.0:[0-9]+$' <<<"$out" || fatal "port: $out"
	grep -Eq '^53/udp -> 0\.0\.0\.0:[0-9]+$' <<<"$out" || fatal "port: $out"
	hp=$(hn port "$id" 80/tcp | cut -d: -f2)
	[ "$hp" -ge 32768 ] && [ "$hp" -le 60999 ] || fatal "host port $hp outside docker's range"
	assert_contains "$(hn ps --format '{{.Ports}}')" "0.0.0.0:$hp->80/tcp"
	for i in $(seq 50); do
		out=$(in_ns busybox nc 10.89.0.1 "$hp" </dev/null 2>/dev/null || true)
		[ -n "$out" ] && break
		sleep 0.1
	done
	assert_eq "$out" hello-80
	# a second container gets other ports
	id2=$(hn run -d -P -u root hulltest/busybox:docker 'sleep 60')
	[ "$(hn port "$id2" 80/tcp)" != "$(hn port "$id" 80/tcp)" ] || fatal "the same host port twice"
	hn rm -f "$id" "$id2" >/dev/null
	net_clean
}

# --dns, --dns-search, --dns-option, --add-host (host-gateway too) and --hostname on each
# kind of network.
test_network_dns_flags() {
	local out
	net_ready
	out=$(hn run --rm -u root --hostname h1 --dns 192.0.2.53 --dns-search example.com \
		--dns-option ndots:3 --add-host db:192.0.2.7 --add-host gw:host-gateway \
		hulltest/busybox:docker 'cat /etc/resolv.conf /etc/hosts; hostname')
	assert_contains "$out" $'search example.com\nnameserver 192.0.2.53\noptions ndots:3'
	assert_contains "$out" $'192.0.2.7\tdb'
	assert_contains "$out" $'10.89.0.1\tgw'
	grep -Eq '^10\.89\.0\.[0-9]+	h1$' <<<"$out" || fatal "no own entry: $out"
	assert_eq "$(tail -1 <<<"$out")" h1
	out=$(hn run --rm --network none --add-host db:192.0.2.7 --dns 192.0.2.54 \
		hulltest/busybox:docker 'cat /etc/resolv.conf /etc/hosts')
	assert_contains "$out" "nameserver 192.0.2.54"
	assert_contains "$out" $'192.0.2.7\tdb'
	# the host's network: the host's files, with the flags on top
	out=$(hn run --rm --network host --add-host db:192.0.2.8 --dns-option ndots:4 \
		hulltest/busybox:docker 'cat /etc/resolv.conf /etc/hosts')
	assert_contains "$out" "$(head -1 /etc/hosts)"
	assert_contains "$out" $'192.0.2.8\tdb'
	assert_contains "$out" "options ndots:4"
	assert_contains "$out" "$(grep -m1 '^nameserver' /etc/resolv.conf)"
	# a user network's resolver is replaced by --dns (as podman does)
	hn network create u >/dev/null
	out=$(hn run --rm --network u --dns 192.0.2.55 hulltest/busybox:docker 'cat /etc/resolv.conf')
	assert_contains "$out" "nameserver 192.0.2.55"
	assert_not_contains "$out" "10.89.1.1"
	hn network rm u >/dev/null
	net_clean
}

# Names that are no container's go to the host's resolvers: aardvark-dns forwards them from a
# user network, and a container on the default network asks them itself.  The host's first
# nameserver is played, inside the test's namespace, by tests/data/fakedns.py.
test_network_dns_forwarding() {
	local up out
	net_ready
	dns_ready
	up=$(awk '$1 == "nameserver" && $2 ~ /^[0-9.]+$/ {print $2; exit}' /etc/resolv.conf)
	[ -n "$up" ] || skip "the host's resolv.conf has no IPv4 nameserver"
	# an address of the namespace's own (lo takes any): containers reach it through NAT
	case $up in 127.*) ;; *) in_ns ip addr add "$up/32" dev lo ;; esac
	nsenter --net="/run/netns/$NS" python3 "$REPO/tests/data/fakedns.py" "$up" 192.0.2.123 >"$WORK/dns.out" &
	defer kill $!
	wait_for "$WORK/dns.out" ready
	hn network create --subnet 10.55.0.0/24 fwd >/dev/null
	out=$(hn run --rm --network fwd hulltest/busybox:docker 'nslookup outside.example | grep -A1 "^Name:"')
	assert_contains "$out" "Address: 192.0.2.123" "forwarded by the network's resolver"
	case $up in
	127.*) ;; # not reachable from a container's own namespace: docker drops such nameservers
	*)
		out=$(hn run --rm hulltest/busybox:docker 'cat /etc/resolv.conf; nslookup outside.example | grep -A1 "^Name:"')
		assert_contains "$out" "nameserver $up"
		assert_contains "$out" "Address: 192.0.2.123" "the host's resolver, from the default network"
		;;
	esac
	hn network rm fwd >/dev/null
	net_clean
}

# Every start puts a container back on all its networks as they were given: a hull restart,
# a stop and start, a restart by its policy and a start after hull create each bring up eth0
# with its --ip, aliases and published port, the network it was connected to, its
# --dns-search and --add-host; every stop takes all of it down.  A network connected or
# disconnected while it is stopped is there, or not, at its next start (as docker's).
test_network_restart_keeps_networks() {
	local out id
	net_ready
	dns_ready
	hn network create --subnet 10.54.0.0/24 front >/dev/null
	hn network create --subnet 10.55.0.0/24 back >/dev/null
	hn run -d --name web --hostname web1 --network front --network-alias www --ip 10.54.0.7 \
		-p 8091:80 --dns-search example.test --add-host gw:host-gateway -u root \
		hulltest/busybox:docker 'nc -ll -p 80 -e echo hello-web' >/dev/null
	hn network connect --alias api back web
	# each of these is a start: hull restart, then a stop and a start
	hn restart web >/dev/null
	rs_check_web "after hull restart"
	hn stop web >/dev/null
	net_clean
	hn start web >/dev/null
	rs_check_web "after hull start"
	# connected and disconnected while stopped: for its next start
	hn stop web >/dev/null
	hn network disconnect back web
	hn network connect bridge web
	assert_fails hn network connect bridge web
	assert_contains "$OUT" "already on network bridge"
	net_clean
	hn start web >/dev/null
	out=$(hn exec web ip -4 -o addr)
	assert_contains "$out" "eth0    inet 10.54.0.7/24"
	assert_contains "$out" "eth1    inet 10.89.0."
	assert_not_contains "$out" "10.55.0."
	hn rm -f web >/dev/null
	net_clean
	hn network rm front >/dev/null
	hn network rm back >/dev/null
}

# A start that is not hull run's first: a restart by the policy keeps the fixed address, hull
# create brings no network up and its start brings up what it was made with, and a network
# removed while a stopped container was on it fails its start until it is disconnected.
test_network_start_after_create() {
	local out id netid
	net_ready
	dns_ready
	netid=$(hn network create --subnet 10.54.0.0/24 front)
	# a restart by the policy: the same fixed address each run, nothing left at the end
	id=$(hn run -d --restart on-failure:1 --network front --ip 10.54.0.8 -u root \
		hulltest/busybox:docker 'ip -4 -o addr show eth0 | grep -o "inet [0-9.]*"; exit 3')
	for i in $(seq 200); do
		[ "$(hn inspect -f '{{.State.Status}} {{.RestartCount}}' "$id")" = "exited 1" ] && break
		sleep 0.05
	done
	assert_eq "$(hn inspect -f '{{.State.Status}} {{.RestartCount}}' "$id")" "exited 1"
	assert_eq "$(hn logs "$id")" $'inet 10.54.0.8\ninet 10.54.0.8'
	net_clean
	hn rm "$id" >/dev/null
	# hull create brings no network up; its start brings up the config it was made with.
	# The record names the network given by an ID prefix before any start, as docker's.
	id=$(hn create --network "${netid:0:12}" --network-alias db --dns-option ndots:2 -u root \
		hulltest/busybox:docker 'sleep 60')
	assert_eq "$(hn inspect -f '{{.NetworkSettings.NetworkMode}}' "$id")" front
	net_clean
	hn start "$id" >/dev/null
	assert_contains "$(hn exec "$id" cat /etc/resolv.conf)" "options ndots:2"
	out=$(hn run --rm --network front hulltest/busybox:docker 'nslookup db | grep -A1 "^Name:"')
	assert_contains "$out" "Address: 10.54.0."
	hn rm -f "$id" >/dev/null
	net_clean
	# a network removed while a stopped container was connected to it: the start says so,
	# and a disconnect by its name lets it start again
	hn network create gone >/dev/null
	hn create --name lone --network front hulltest/busybox:docker 'sleep 60' >/dev/null
	hn network connect gone lone
	hn network rm gone >/dev/null
	assert_fails hn start lone
	assert_contains "$OUT" "gone"
	net_clean
	hn network disconnect gone lone
	hn start lone >/dev/null
	hn rm -f lone >/dev/null
	net_clean
	hn network rm front >/dev/null
}
# web as test_network_restart_keeps_networks made it, after a start ($1)
rs_check_web() {
	local out i
	out=$(hn exec web ip -4 -o addr)
	assert_contains "$out" "eth0    inet 10.54.0.7/24" "$1"
	assert_contains "$out" "eth1    inet 10.55.0." "$1"
	out=$(hn exec web cat /etc/hosts)
	assert_eq "$(grep -c web1 <<<"$out")" 1 "one line for the container's name $1: $out"
	assert_contains "$out" $'10.54.0.7\tweb1' "$1"
	assert_contains "$out" $'10.54.0.1\tgw' "$1"
	out=$(hn exec web cat /etc/resolv.conf)
	assert_contains "$out" "search example.test" "$1"
	assert_contains "$out" "nameserver 10.54.0.1" "$1"
	out=$(hn run --rm --network front hulltest/busybox:docker 'nslookup www | grep -A1 "^Name:"')
	assert_contains "$out" "Address: 10.54.0.7" "www $1"
	out=$(hn run --rm --network back hulltest/busybox:docker 'nslookup api | grep -A1 "^Name:"')
	assert_contains "$out" "Address: 10.55.0." "api $1"
	for i in $(seq 50); do
		out=$(in_ns busybox nc 10.54.0.1 8091 </dev/null 2>/dev/null || true)
		[ -n "$out" ] && break
		sleep 0.1
	done
	assert_eq "$out" hello-web "the published port $1"
	assert_eq "$(hn port web)" "80/tcp -> 0.0.0.0:8091" "$1"
}

# A CNI plugin whose DEL fails when a container is removed: the failure is reported (named,
# non-zero), not swallowed with the address it holds; once DEL works, rm cleans up all.
test_network_detach_failure_reported() {
	local d="$WORK/cni" p
	net_ready
	mkdir -p "$d"
	for p in /usr/lib/cni/*; do ln -s "$p" "$d/"; done
	rm "$d/bridge"
	cat >"$d/bridge" <<EOF
#!/bin/sh
if [ "\$CNI_COMMAND" = DEL ] && [ -e "$WORK/fail-del" ]; then
	echo '{"cniVersion":"1.0.0","code":11,"msg":"injected DEL failure"}'
	exit 1
fi
exec /usr/lib/cni/bridge "\$@"
EOF
	chmod +x "$d/bridge"
	HULL_CNI_PATH="$d" hn run -d --name dt --network bridge hulltest/busybox:docker sleep 60 >/dev/null
	touch "$WORK/fail-del"
	OUT=$(HULL_CNI_PATH="$d" hn rm -f dt 2>&1) && fatal "rm succeeded though the bridge's DEL failed: $OUT"
	assert_contains "$OUT" "injected DEL failure"
	rm "$WORK/fail-del"
	HULL_CNI_PATH="$d" hn rm -f dt
	net_clean
}
