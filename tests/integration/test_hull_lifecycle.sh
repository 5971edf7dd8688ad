# SPDX-License-Identifier: Apache-2.0
# A docker user's container lifecycle in hull: create, start [-a -i], restart, attach (pipes
# and a terminal, detach keys), restart policies kept by the monitor, and a container's network
# brought up at each start; cp and diff; one VM container restarted and attached to.

HULL=${HULL:-$REPO/build/hull}

hull() { "$HULL" --root "$WORK/store" --runroot "$ROOT" "$@"; }
# the containers get this test's cgroup parent (so leaks are seen)
run() { hull run --cgroup-parent "/hull-test/$T-h" "$@"; }
create() { hull create --cgroup-parent "/hull-test/$T-h" "$@"; }

lc_cleanup() {
	local id
	for id in $(ls "$2/containers" 2>/dev/null); do
		"$1" --root "$2" --runroot "$3" rm -f "$id"
	done
	rmdir /sys/fs/cgroup/*/hull-test/"$4" 2>/dev/null
	return 0
}
lc_ready() {
	defer lc_cleanup "$HULL" "$WORK/store" "$ROOT" "$T-h"
	[ -f "$WORK/img/busybox.docker.tar" ] ||
		python3 "$REPO/tests/data/mkimage.py" "$WORK/img" "$WORK/outside" >/dev/null
	hull load -q -i "$WORK/img/busybox.docker.tar" >/dev/null
}
IMG=hulltest/busybox:docker

# the image containers' rootfs mounts there are now
rootfs_mounts() { grep -c "$WORK/store/containers/.*/rootfs" /proc/self/mountinfo || true; }
state() { hull inspect -f '{{.State.Status}}' "$1"; }
# until CMD's output is TEXT (10 s)
eventually() {
	local want=$1 i got
	shift
	for i in $(seq 200); do
		got=$("$@" 2>&1) && [ "$got" == "$want" ] && return 0
		sleep 0.05
	done
	fatal "never got '$want' from $*: last '$got'"
}
store_empty() {
	assert_eq "$(ls "$WORK/store/containers" "$WORK/store/names" | grep -v : | grep -c .)" 0 \
		"records or names left in the store"
	assert_eq "$(ls "$ROOT" | grep -c .)" 0 "runtime state left"
	assert_eq "$(rootfs_mounts)" 0 "rootfs mounts left"
}

test_hull_lifecycle_create_start() {
	local id out rc pid
	lc_ready
	id=$(create --name c1 -u root $IMG 'echo run >>/runs; wc -l </runs; echo err >&2; exit 3')
	[[ $id =~ ^[0-9a-f]{64}$ ]] || fatal "create did not print an id: $id"
	assert_eq "$(hull ps -a --format '{{.Names}} {{.Status}} {{.State}}')" "c1 Created created"
	assert_eq "$(hull ps -q)" "" "a created container does not run"
	assert_eq "$(state c1)" created
	assert_eq "$(hull inspect -f '{{.State.StartedAt}}' c1)" "" "never started"
	assert_eq "$(rootfs_mounts)" 0 "a created container holds no mount"
	assert_eq "$(hull wait c1)" 0 "wait on a created container, as docker's"
	# start -a: its output from the first byte, its status; the rootfs mounted again each time
	# with what the last run changed
	rc=0; out=$(hull start -a c1 2>"$WORK/err") || rc=$?
	assert_eq "$rc" 3 "start -a: the container's status"
	assert_eq "$out" 1
	assert_eq "$(cat "$WORK/err")" err "stderr apart"
	assert_eq "$(rootfs_mounts)" 0 "unmounted at the exit"
	rc=0; out=$(hull start -a c1 2>/dev/null) || rc=$?
	assert_eq "$rc:$out" "3:2" "the second run sees the first one's file"
	assert_eq "$(hull start c1)" c1
	assert_eq "$(hull wait c1)" 3
	assert_eq "$(hull logs c1 2>/dev/null)" $'1\n2\n3'
	assert_eq "$(hull ps -a -q --no-trunc)" "$id" "the same container all along"
	[ -n "$(hull inspect -f '{{.State.StartedAt}}' c1)" ] || fatal "no StartedAt"
	assert_eq "$(state c1)" exited
	hull rm c1 >/dev/null
	# start of a running container does nothing; -i attaches stdin (and implies -a)
	create --name s1 $IMG 'sleep 600' >/dev/null
	assert_eq "$(hull start s1)" s1
	pid=$(hull inspect -f '{{.State.Pid}}' s1)
	assert_eq "$(hull start s1)" s1
	assert_eq "$(hull inspect -f '{{.State.Pid}}' s1)" "$pid" "started once"
	create --name i1 -i $IMG 'cat; exit 4' >/dev/null
	rc=0; out=$(echo piped | hull start -i i1) || rc=$?
	assert_eq "$rc:$out" "4:piped" "start -i"
	# bad input: a clear error, nothing made
	assert_fails create --restart sometimes $IMG true
	assert_contains "$OUT" "invalid restart policy \`sometimes\`"
	assert_fails create --restart always --rm $IMG true
	assert_contains "$OUT" "conflicting options"
	assert_fails hull start nosuch
	assert_contains "$OUT" "no such container: nosuch"
	assert_fails hull start -a s1 i1
	assert_contains "$OUT" "several containers"
	hull rm -f s1 i1 >/dev/null
	store_empty
}

test_hull_lifecycle_restart_cmd() {
	local p1 p2
	lc_ready
	# the image's stop signal is SIGQUIT
	run -d --name r1 $IMG 'echo start; trap "echo bye; exit 0" QUIT; while :; do sleep 0.1; done' >/dev/null
	eventually start hull logs r1
	p1=$(hull inspect -f '{{.State.Pid}}' r1)
	assert_eq "$(hull restart -t 10 r1)" r1
	p2=$(hull inspect -f '{{.State.Pid}}' r1)
	[ "$p2" -gt 0 ] && [ "$p2" != "$p1" ] || fatal "not a new process: $p1 -> $p2"
	eventually $'start\nbye\nstart' hull logs r1
	assert_eq "$(state r1)" running
	# restart of a stopped container starts it
	hull stop -t 10 r1 >/dev/null
	assert_eq "$(state r1)" exited
	assert_eq "$(hull restart r1)" r1
	assert_eq "$(state r1)" running
	assert_eq "$(hull inspect -f '{{.RestartCount}}' r1)" 0 "the user's restarts are not counted"
	hull rm -f r1 >/dev/null
	store_empty
}

test_hull_lifecycle_restart_policy() {
	local pid seen=
	lc_ready
	# on-failure:2: three runs of a failing command, then it stays exited
	run -d --name f2 --restart on-failure:2 $IMG 'echo ran; exit 3' >/dev/null
	eventually 2 hull inspect -f '{{.RestartCount}}' f2
	eventually exited state f2
	sleep 1
	assert_eq "$(hull logs f2)" $'ran\nran\nran' "one first run and two restarts"
	assert_eq "$(hull inspect f2 | jq -c '.[0].HostConfig.RestartPolicy')" \
		'{"Name":"on-failure","MaximumRetryCount":2}'
	# on-failure: a clean exit is not a failure
	run -d --name f0 --restart on-failure $IMG 'exit 0' >/dev/null
	eventually 0 hull wait f0
	sleep 0.5
	assert_eq "$(hull inspect -f '{{.RestartCount}} {{.State.Status}}' f0)" "0 exited"
	# always: restarted with a growing back-off; ps shows it waiting; hull stop ends the policy
	run -d --name a1 --restart always $IMG 'echo up; exit 1' >/dev/null
	# (each wait is longer than the last: both are seen in time)
	local seen_inspect=
	for _ in $(seq 300); do
		[[ $(hull ps --format '{{.Names}} {{.Status}}') == "a1 Restarting (1) "* ]] && seen=1
		[ "$(hull inspect -f '{{.State.Status}} {{.State.Restarting}}' a1)" == "restarting true" ] &&
			seen_inspect=1
		[ -n "$seen" ] && [ -n "$seen_inspect" ] && break
		sleep 0.02
	done
	[ -n "$seen" ] || fatal "ps never showed a1 restarting: $(hull ps -a)"
	[ -n "$seen_inspect" ] || fatal "inspect never showed a1 restarting"
	assert_fails hull rm a1
	assert_contains "$OUT" "remove it with -f" "rm refuses a container the policy runs"
	local n
	for _ in $(seq 200); do
		n=$(hull inspect -f '{{.RestartCount}}' a1)
		[ "$n" -ge 2 ] && break
		sleep 0.05
	done
	[ "$n" -ge 2 ] || fatal "always restarted only $n times"
	hull stop a1 >/dev/null
	n=$(hull inspect -f '{{.RestartCount}}' a1)
	sleep 1.5
	assert_eq "$(hull inspect -f '{{.RestartCount}} {{.State.Status}}' a1)" "$n exited" \
		"no restart after hull stop"
	# the workload killed from outside is a failure the policy answers; hull kill is an
	# explicit stop; hull update --restart changes the policy of a running container
	run -d --name u1 $IMG 'sleep 600' >/dev/null
	assert_eq "$(hull update --restart unless-stopped u1)" u1
	assert_eq "$(hull inspect -f '{{.HostConfig.RestartPolicy.Name}}' u1)" unless-stopped
	pid=$(hull inspect -f '{{.State.Pid}}' u1)
	kill -9 "$pid"
	eventually "1 running" hull inspect -f '{{.RestartCount}} {{.State.Status}}' u1
	[ "$(hull inspect -f '{{.State.Pid}}' u1)" != "$pid" ] || fatal "the same process"
	hull kill u1 >/dev/null
	eventually exited state u1
	sleep 1
	assert_eq "$(hull inspect -f '{{.RestartCount}} {{.State.Status}}' u1)" "1 exited"
	# a user's start resets the count
	hull start u1 >/dev/null
	assert_eq "$(hull inspect -f '{{.RestartCount}} {{.State.Status}}' u1)" "0 running"
	assert_fails hull update --restart sometimes u1
	assert_contains "$OUT" "invalid restart policy"
	hull rm -f f2 f0 a1 u1 >/dev/null
	store_empty
}

test_hull_lifecycle_attach() {
	local out rc pid
	lc_ready
	# stdin in, the output back, the container's exit status
	run -d -i --name cat1 $IMG 'cat; exit 5' >/dev/null
	rc=0; out=$(echo piped | hull attach cat1) || rc=$?
	assert_eq "$rc:$out" "5:piped"
	assert_fails hull attach cat1
	assert_contains "$OUT" "not running"
	# two clients see the same output; --no-stdin leaves the container's stdin alone;
	# --sig-proxy passes our signals on
	run -d -i --name tick $IMG 'trap "echo got-usr1" USR1; while :; do echo tick; sleep 0.2; done' >/dev/null
	"$HULL" --root "$WORK/store" --runroot "$ROOT" attach --no-stdin tick >"$WORK/a1" 2>&1 </dev/null &
	local a1=$!
	"$HULL" --root "$WORK/store" --runroot "$ROOT" attach --no-stdin tick >"$WORK/a2" 2>&1 </dev/null &
	local a2=$!
	defer kill -9 "$a1" "$a2"
	for _ in $(seq 100); do grep -q tick "$WORK/a1" && grep -q tick "$WORK/a2" && break; sleep 0.1; done
	grep -q tick "$WORK/a1" && grep -q tick "$WORK/a2" || fatal "the clients did not both see the output"
	sleep 0.3
	kill -USR1 "$a1"
	for _ in $(seq 100); do grep -q got-usr1 "$WORK/a2" && break; sleep 0.1; done
	assert_contains "$(cat "$WORK/a2")" got-usr1 "a signal to one client, proxied"
	assert_eq "$(state tick)" running "no-stdin: the container's stdin stays open"
	hull stop -t 1 tick >/dev/null
	wait "$a1" "$a2" || true
	# a terminal: its size passed on, the detach keys, then an exit through attach
	script -qec "$HULL --root $WORK/store --runroot $ROOT run --cgroup-parent /hull-test/$T-h -d -it --name t1 $IMG sh" /dev/null >/dev/null
	out=$(python3 "$REPO/tests/data/ptydrive.py" 40 120 'stty size; tty\r' '\x10\x11' -- \
		"$HULL" --root "$WORK/store" --runroot "$ROOT" attach t1)
	assert_contains "$out" "40 120" "the client's terminal size"
	assert_contains "$out" "/dev/pts/0"
	assert_contains "$out" "read escape sequence"
	assert_contains "$out" "rc=1" "detached"
	assert_eq "$(state t1)" running "detached, still running"
	out=$(python3 "$REPO/tests/data/ptydrive.py" 30 80 'echo a-b\r' '\x01' 'exit 7\r' -- \
		"$HULL" --root "$WORK/store" --runroot "$ROOT" attach --detach-keys ctrl-a,x t1)
	assert_contains "$out" "a-b"
	assert_contains "$out" "rc=7" "the exit status through attach"
	assert_eq "$(state t1)" exited
	# start -ai on a terminal
	out=$(python3 "$REPO/tests/data/ptydrive.py" 30 90 'stty size\r' 'exit 4\r' -- \
		"$HULL" --root "$WORK/store" --runroot "$ROOT" start -ai t1)
	assert_contains "$out" "30 90"
	assert_contains "$out" "rc=4"
	# run in the foreground with a policy: attached through the monitor that keeps it
	rc=0; out=$(run --name fg --restart on-failure:1 $IMG 'echo fg; exit 2') || rc=$?
	assert_eq "$rc:$out" "2:fg"
	eventually 1 hull inspect -f '{{.RestartCount}}' fg
	hull rm -f cat1 tick t1 fg >/dev/null
	store_empty
}

test_hull_lifecycle_cp_diff() {
	local id out
	lc_ready
	mkdir -p "$WORK/host" "$WORK/out"
	run --name d1 -u root $IMG "echo new >/etc/newfile; rm /etc/motd; mkdir -p /opt/x; echo y >/opt/x/y;
		ln -s $WORK/host /escape; ln -s /etc/newfile /link" >/dev/null
	# diff: the upper directory against the layers; the runtime's mount points left out
	assert_eq "$(hull diff d1)" $'A /escape\nC /etc\nD /etc/motd\nA /etc/newfile\nA /link\nC /opt\nA /opt/x\nA /opt/x/y'
	# out of a stopped container: its rootfs mounted for the copy only
	hull cp d1:/etc/newfile "$WORK/out/"
	assert_eq "$(cat "$WORK/out/newfile")" new
	hull cp d1:/opt/x "$WORK/out/xdir"
	assert_eq "$(cat "$WORK/out/xdir/y")" y "a directory to a new name"
	hull cp d1:/opt/x "$WORK/out/xdir"
	assert_eq "$(cat "$WORK/out/xdir/x/y")" y "a directory into an existing one"
	hull cp d1:/opt/x/. "$WORK/out/dot"
	assert_eq "$(cat "$WORK/out/dot/y")" y "SRC/. : the contents"
	hull cp d1:/link "$WORK/out/"
	assert_eq "$(readlink "$WORK/out/link")" /etc/newfile "a symlink is copied as a symlink"
	hull cp -L d1:/link "$WORK/out/followed"
	assert_eq "$(cat "$WORK/out/followed")" new "-L follows it, inside the container"
	assert_eq "$(hull cp d1:/opt/x - | tar t | sort | tr '\n' ' ')" "x/ x/y " "a tar stream"
	assert_eq "$(rootfs_mounts)" 0 "the copy's mount is gone"
	# a symlink the container made never leads hull out of it
	echo secret >"$WORK/host/secret"
	echo data >"$WORK/file"
	assert_fails hull cp "$WORK/file" d1:/escape/planted
	[ ! -e "$WORK/host/planted" ] || fatal "hull cp wrote through the container's symlink"
	assert_fails hull cp d1:/escape/secret "$WORK/out/stolen"
	[ ! -e "$WORK/out/stolen" ] || fatal "hull cp read through the container's symlink"
	# into a stopped container, then a running one (its own view: a tmpfs of its own)
	hull cp "$WORK/file" d1:/root/
	tar c -C "$WORK" file | hull cp - d1:/tmp
	run -d --name r1 --tmpfs /scratch -u root $IMG 'sleep 600' >/dev/null
	hull cp "$WORK/file" r1:/scratch/in
	assert_eq "$(hull exec r1 cat /scratch/in)" data "into the running container's tmpfs"
	hull exec r1 sh -c 'echo made-inside >/scratch/out'
	hull cp r1:/scratch/out "$WORK/out/"
	assert_eq "$(cat "$WORK/out/out")" made-inside
	hull rm -f r1 >/dev/null
	assert_eq "$(hull cp d1:/root/file - | tar xO)$(hull cp d1:/tmp/file - | tar xO)" datadata \
		"copied into the stopped container"
	id=$(create -u root $IMG 'cat /root/file /tmp/file')
	hull rm -f d1 >/dev/null
	# bad input
	assert_fails hull cp "$WORK/file" "$WORK/out/x"
	assert_contains "$OUT" "CONTAINER:PATH"
	assert_fails hull cp "$id:/a" "$id:/b"
	assert_contains "$OUT" "between containers"
	assert_fails hull cp "$id:/nonexistent" "$WORK/out/"
	assert_contains "$OUT" "nonexistent"
	hull cp "$WORK/file" "$id:/root/file"
	tar c -C "$WORK" file | hull cp - "$id:/tmp"
	assert_eq "$(hull start -a "$id")" $'data\ndata' "what was copied into a created container"
	assert_fails hull diff nosuch
	hull rm -f "$id" >/dev/null
	store_empty
}

# The network is a start's, not a create's (as docker allocates at start): hull in a network
# namespace of its own, as test_network.sh runs it.
test_hull_lifecycle_network() {
	local id out ns nets
	[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/portmap ] ||
		skip "no CNI plugins (containernetworking-plugins)"
	command -v iptables >/dev/null || skip "no iptables"
	ns="hulllc-$$"
	ip netns add "$ns"
	ip netns exec "$ns" ip link set lo up
	defer ip netns del "$ns"
	hn() { nsenter --net="/run/netns/$ns" "$HULL" --root "$WORK/store" --runroot "$ROOT" "$@"; }
	defer lc_net_cleanup "$ns" "$HULL" "$WORK/store" "$ROOT"
	python3 "$REPO/tests/data/mkimage.py" "$WORK/img" "$WORK/outside" >/dev/null
	hn load -q -i "$WORK/img/busybox.docker.tar" >/dev/null
	id=$(hn create --network bridge -p 8090:80 -u root --hostname web1 $IMG \
		'grep -c "^10\.89\.0\.[0-9]*	web1\$" /etc/hosts; ip -4 addr show eth0 | grep -o "inet 10\.89\.0\.[0-9]*"')
	assert_eq "$(hn inspect -f '{{.NetworkSettings.IPAddress}}' "$id")" "" "no address before start"
	# docker lists a made container's networks, with no address yet
	nets='.[0].NetworkSettings.Networks | to_entries | map([.key, .value.IPAddress, (.value.NetworkID | length)])'
	assert_eq "$(hn inspect "$id" | jq -c "$nets")" '[["bridge","",64]]'
	assert_eq "$(hn ps -a --format '{{.Networks}}')" bridge
	lc_net_clean "$ns"
	out=$(hn start -a "$id")
	assert_eq "$(head -1 <<<"$out")" 1 "one /etc/hosts line for the container"
	[[ $(tail -1 <<<"$out") == "inet 10.89.0."* ]] || fatal "no address at start: $out"
	lc_net_clean "$ns"
	out=$(hn start -a "$id")
	assert_eq "$(head -1 <<<"$out")" 1 "still one /etc/hosts line after a second start"
	assert_eq "$(hn inspect "$id" | jq -c "$nets")" '[["bridge","",64]]' "a stopped container's networks"
	hn create --name quiet --network none $IMG true >/dev/null
	assert_eq "$(hn inspect quiet | jq -c "$nets")" '[["none","",64]]'
	hn rm quiet >/dev/null
	lc_net_clean "$ns"
	hn rm "$id" >/dev/null
	store_empty
}
lc_net_cleanup() {
	local id
	for id in $(ls "$3/containers" 2>/dev/null); do
		nsenter --net="/run/netns/$1" "$2" --root "$3" --runroot "$4" rm -f "$id"
	done
}
# nothing of the network: no veth, no DNAT chain, no namespace file, no address held
lc_net_clean() {
	assert_eq "$(ip netns exec "$1" ip -o link | grep -c veth || true)" 0 "veth left"
	assert_eq "$(ip netns exec "$1" iptables -t nat -S | grep -c -- '-N CNI-DN' || true)" 0 "DNAT chain left"
	assert_eq "$(ls "$ROOT/.netns" 2>/dev/null | grep -c . || true)" 0 "network namespace left"
	assert_eq "$(ls "$ROOT"/.cni/ipam/* 2>/dev/null | grep -c '^10\.' || true)" 0 "address left"
}

# The vm level goes through the same monitor and runtime: one container, attached to and
# restarted by its policy (two boots, TCG here).
test_hull_lifecycle_vm() {
	local id out rc
	command -v qemu-system-x86_64 >/dev/null && [ -r "$REPO/build/vm/vmlinux" ] ||
		skip "no QEMU or guest kernel for the vm isolation level"
	lc_ready
	id=$(run -d -i --isolation vm --restart on-failure:1 -u root $IMG 'cat; uname -r; exit 3')
	rc=0; out=$(echo first | hull attach "$id") || rc=$?
	assert_eq "$rc" 3 "the guest's status through attach"
	assert_eq "$out" "first"$'\n'"$(guest_kernel_version)" "stdin into the guest, its output back"
	# the policy boots it again: a new run, attached to as the first
	eventually "1 running" hull inspect -f '{{.RestartCount}} {{.State.Status}}' "$id"
	rc=0; out=$(echo second | hull attach "$id") || rc=$?
	assert_eq "$rc:$(head -1 <<<"$out")" "3:second" "the restarted VM"
	eventually exited state "$id"
	sleep 0.5
	assert_eq "$(hull inspect -f '{{.RestartCount}}' "$id")" 1 "on-failure:1: one restart"
	assert_eq "$(hull logs "$id" | grep -c "$(guest_kernel_version)")" 2 "two boots in the log"
	hull rm "$id" >/dev/null
	store_empty
}

# A monitor killed with -9 (between two runs, or in the middle of a start) leaves a stopped
# container whose remains `hull stop` (or rm) clears; rm -f of a container the policy keeps
# restarting ends the policy and removes it all.
test_hull_lifecycle_killed_monitor() {
	local mon
	lc_ready
	run -d --name k1 --restart always $IMG 'exit 1' >/dev/null
	eventually restarting state k1
	mon=$(jq -r .monitorPid "$WORK/store/containers/$(hull inspect -f '{{.Id}}' k1)/record.json")
	kill -9 "$mon"
	for _ in $(seq 100); do alive "$mon" || break; sleep 0.05; done
	assert_eq "$(hull stop k1)" k1
	assert_eq "$(state k1)" exited
	assert_eq "$(rootfs_mounts)" 0 "a stopped container holds no mount"
	assert_eq "$(ls "$ROOT" | grep -c .)" 0 "no runtime state"
	hull start k1 >/dev/null
	eventually restarting state k1
	hull rm -f k1 >/dev/null
	store_empty
	assert_eq "$(pgrep -f -- "--root $WORK/store " | grep -c . || true)" 0 "a monitor outlived rm -f"
}

# hull cp of a stopped image container mounts its overlay where only hull cp sees it: a cp
# killed with -9 midway leaves no mount and no lock behind.
test_hull_lifecycle_cp_killed() {
	local pid
	lc_ready
	run --name big -u root $IMG 'dd if=/dev/zero of=/big bs=1M count=8 2>/dev/null' >/dev/null
	# the reader never reads: hull cp blocks with the copy under way
	"$HULL" --root "$WORK/store" --runroot "$ROOT" cp big:/big - | sleep 30 &
	local reader=$!
	for _ in $(seq 100); do
		pid=$(pgrep -f -- "--root $WORK/store --runroot $ROOT cp big:/big" || true)
		[ -n "$pid" ] && grep -q "overlay.*$WORK/store/containers" "/proc/$pid/mountinfo" && break
		sleep 0.05
	done
	[ -n "$pid" ] || fatal "no hull cp"
	grep -q "$WORK/store/containers" "/proc/$pid/mountinfo" || fatal "hull cp has no mount"
	assert_eq "$(rootfs_mounts)" 0 "the copy's mount is not the host's"
	kill -9 "$pid"
	kill "$reader"
	wait
	assert_eq "$(rootfs_mounts)" 0 "no mount after hull cp was killed"
	assert_eq "$(timeout 30 "$HULL" --root "$WORK/store" --runroot "$ROOT" start -a big; echo rc=$?)" \
		"rc=0" "the start lock went with hull cp"
	hull rm big >/dev/null
	store_empty
}
