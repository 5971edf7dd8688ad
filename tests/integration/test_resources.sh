# SPDX-License-Identifier: Apache-2.0
# linux.resources in the container's cgroup: visible in its files and enforced; update,
# events, the device list, the cgroup namespace; bad values fail cleanly.

# cgfile CTRL NAME FILE: a file of the cgroup `bundle NAME` places its container in, in the
# hierarchy holding CTRL (a v1 mount, a hybrid host's cgroup2 mount, or a v2-only host's)
cgfile() {
	if [ -d "/sys/fs/cgroup/$1" ] && [ "$1" != unified ]; then
		echo "/sys/fs/cgroup/$1/hull-test/$T-$2/$3"
	elif [ -d /sys/fs/cgroup/unified ]; then
		echo "/sys/fs/cgroup/unified/hull-test/$T-$2/$3"
	else
		echo "/sys/fs/cgroup/hull-test/$T-$2/$3"
	fi
}
# the hierarchy holding a controller: v1 mount or the cgroup2 one
cgctrl() {
	if [ -d "/sys/fs/cgroup/$1" ]; then
		echo "$1"
	elif grep -qw "$1" /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; then
		echo unified
	fi
}
[ -d /sys/fs/cgroup/memory ] || V2ONLY=1

# The block I/O weight file this host's cgroups have (BFQ's or CFQ's, v1 or v2), or nothing:
# kernels and schedulers differ (mq-deadline has none).  Looked up in a probe cgroup.
blkio_weight_file() {
	local h d f
	h=$(cgctrl blkio)
	[ -n "$h" ] || h=$(cgctrl io)
	[ -n "$h" ] || return 0
	d=/sys/fs/cgroup/$h/hull-test/$T-probe
	[ "$h" != unified ] || [ -d /sys/fs/cgroup/unified ] || d=/sys/fs/cgroup/hull-test/$T-probe
	mkdir -p "$d" || return 0
	for f in blkio.bfq.weight blkio.weight io.bfq.weight io.weight; do
		[ -e "$d/$f" ] && { echo "$f"; break; }
	done
	rmdir "$d" "$(dirname "$d")" 2>/dev/null || true
}

# Without a weight file, a spec that asks for a weight is refused, naming the file, and
# leaves nothing behind (runc and crun fail the same way).
weight_refused_clearly() {
	local b=$1 id=$2
	assert_fails oci create -b "$b" "$id"
	assert_contains "$OUT" "weight"
	assert_contains "$OUT" "No such file or directory"
	assert_eq "$(ls "$ROOT" | grep -c .)" 0 "state left by the refused create"
}

test_resources_visible_in_cgroup_files() {
	local b id f
	b=$(bundle r sleep 30)
	id=$(cid r)
	cfg "$b" '.linux.resources = {
		memory: {limit: 67108864, swap: 134217728, reservation: 33554432, swappiness: 10},
		cpu: {shares: 512, quota: 50000, period: 100000, cpus: "0", mems: "0"},
		pids: {limit: 50},
		blockIO: {weight: 300, throttleReadBpsDevice: [{major: 7, minor: 0, rate: 1048576}]},
		hugepageLimits: [{pageSize: "2MB", limit: 4194304}],
		devices: [{allow: false, access: "rwm"}, {allow: true, type: "c", major: 1, minor: 11, access: "w"}]}'
	WEIGHT=$(blkio_weight_file)
	if [ -z "$WEIGHT" ]; then
		weight_refused_clearly "$b" "$id"
		cfg "$b" 'del(.linux.resources.blockIO.weight)'
	fi
	oci create -b "$b" "$id"
	if [ -n "${V2ONLY:-}" ]; then
		check_v2_files
		oci delete -f "$id"
		return
	fi
	assert_eq "$(cat "$(cgfile memory r memory.limit_in_bytes)")" 67108864 "memory limit"
	assert_eq "$(cat "$(cgfile memory r memory.memsw.limit_in_bytes)")" 134217728 "memory+swap"
	assert_eq "$(cat "$(cgfile memory r memory.soft_limit_in_bytes)")" 33554432 "reservation"
	assert_eq "$(cat "$(cgfile memory r memory.swappiness)")" 10 "swappiness"
	assert_eq "$(cat "$(cgfile cpu r cpu.shares)")" 512 "cpu shares"
	assert_eq "$(cat "$(cgfile cpu r cpu.cfs_quota_us)")" 50000 "cpu quota"
	assert_eq "$(cat "$(cgfile cpu r cpu.cfs_period_us)")" 100000 "cpu period"
	assert_eq "$(cat "$(cgfile cpuset r cpuset.cpus)")" 0 "cpuset cpus"
	assert_eq "$(cat "$(cgfile cpuset r cpuset.mems)")" 0 "cpuset mems"
	assert_eq "$(cat "$(cgfile pids r pids.max)")" 50 "pids limit"
	[ -z "$WEIGHT" ] || assert_contains "$(cat "$(cgfile blkio r "$WEIGHT")")" 300 "blkio weight"
	assert_eq "$(cat "$(cgfile blkio r blkio.throttle.read_bps_device)")" "7:0 1048576" "read bps"
	if [ -n "$(cgctrl hugetlb)" ] && [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ]; then
		f=$(cgfile "$(cgctrl hugetlb)" r hugetlb.2MB.max)
		[ -e "$f" ] || f=$(cgfile hugetlb r hugetlb.2MB.limit_in_bytes)
		assert_eq "$(cat "$f")" 4194304 "hugetlb limit"
	fi
	f=$(cat "$(cgfile devices r devices.list)")
	assert_contains "$f" "c 1:11 w" "device rule"
	assert_contains "$f" "c 1:3 rwm" "default /dev/null"
	assert_not_contains "$f" "a *:* rwm" "default deny"
	oci delete -f "$id"
}

# the same resources as cgroup v2 names and conversions (a v2-only host)
check_v2_files() {
	assert_eq "$(cat "$(cgfile memory r memory.max)")" 67108864 "memory.max"
	assert_eq "$(cat "$(cgfile memory r memory.swap.max)")" 67108864 "memory.swap.max = swap - limit"
	assert_eq "$(cat "$(cgfile memory r memory.low)")" 33554432 "memory.low"
	assert_eq "$(cat "$(cgfile cpu r cpu.weight)")" 20 "cpu.weight from 512 shares"
	assert_eq "$(cat "$(cgfile cpu r cpu.max)")" "50000 100000" "cpu.max"
	assert_eq "$(cat "$(cgfile cpuset r cpuset.cpus)")" 0 "cpuset.cpus"
	assert_eq "$(cat "$(cgfile pids r pids.max)")" 50 "pids.max"
	assert_contains "$(cat "$(cgfile io r io.max)")" "7:0 rbps=1048576" "io.max"
	if [ -e "$(cgfile io r io.bfq.weight)" ]; then
		assert_contains "$(cat "$(cgfile io r io.bfq.weight)")" 300 "io.bfq.weight"
	elif [ -e "$(cgfile io r io.weight)" ]; then
		assert_contains "$(cat "$(cgfile io r io.weight)")" 2930 "io.weight from 300"
	fi
	if [ -e "$(cgfile hugetlb r hugetlb.2MB.max)" ]; then
		assert_eq "$(cat "$(cgfile hugetlb r hugetlb.2MB.max)")" 4194304 "hugetlb.2MB.max"
	fi
}

test_memory_limit_oom_kills() {
	local b rc=0
	b=$(bundle m dd if=/dev/zero of=/dev/null bs=48M count=1)
	cfg "$b" '.linux.resources.memory = {limit: 134217728}'
	oci run -b "$b" "$(cid m1)" 2>/dev/null || fatal "dd failed with room to spare"
	cfg "$b" '.linux.resources.memory = {limit: 16777216, swap: 16777216}'
	oci run -b "$b" "$(cid m2)" 2>/dev/null || rc=$?
	assert_eq "$rc" 137 "dd over the memory limit is OOM-killed"
}

test_pids_limit_enforced() {
	local b out rc
	b=$(bundle p sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 30 & done; echo started')
	cfg "$b" '.linux.resources.pids = {limit: 4}'
	rc=0
	out=$(oci run -b "$b" "$(cid p)" 2>&1) || rc=$?
	assert_contains "$out" "can't fork" "fork fails at the pids limit"
	assert_not_contains "$out" "started"
	assert_eq "$rc" 2 "the shell's status when it cannot fork"
	cfg "$b" '.linux.resources.pids = {limit: 20}'
	out=$(oci run -b "$b" "$(cid p2)" 2>&1)
	assert_eq "$out" started "forks within the limit"
}

# pids.limit -1 (and 0) is "no limit": the kernel's word for it is `max`, on create, on update
# from a finite limit, and through --resources.
test_pids_unlimited_is_max() {
	local b id f
	b=$(bundle pm sleep 30)
	id=$(cid pm)
	cfg "$b" '.linux.resources.pids = {limit: -1}'
	oci run -d -b "$b" "$id"
	f=$(cgfile pids pm pids.max)
	assert_eq "$(cat "$f")" max "pids.max for limit -1"
	oci update --pids-limit 50 "$id"
	assert_eq "$(cat "$f")" 50 "pids.max after --pids-limit 50"
	oci update --pids-limit -1 "$id"
	assert_eq "$(cat "$f")" max "pids.max after --pids-limit -1"
	oci update --pids-limit 50 "$id"
	echo '{"pids": {"limit": -1}}' | oci update --resources - "$id"
	assert_eq "$(cat "$f")" max "pids.max after --resources {pids: {limit: -1}}"
	assert_eq "$(oci events --stats "$id" | jq .data.pids.limit)" 0 "stats: no limit"
	oci delete -f "$id"
}

test_update_flags_and_json() {
	local b id f
	b=$(bundle u sleep 30)
	id=$(cid u)
	cfg "$b" '.linux.resources = {memory: {limit: 33554432}}'
	oci run -d -b "$b" "$id"
	WEIGHT=$(blkio_weight_file)
	if [ -z "$WEIGHT" ]; then
		# no weight file here: refused by name
		assert_fails oci update --blkio-weight 200 "$id"
		assert_contains "$OUT" "weight"
		assert_contains "$OUT" "No such file or directory"
	fi
	oci update --memory 64m --memory-swap 128m --cpu-shares 256 --cpu-quota 20000 \
		--cpu-period 50000 --pids-limit 20 --cpuset-cpus 0 ${WEIGHT:+--blkio-weight 200} "$id"
	if [ -n "${V2ONLY:-}" ]; then
		assert_eq "$(cat "$(cgfile memory u memory.max)")" 67108864 "--memory"
		assert_eq "$(cat "$(cgfile memory u memory.swap.max)")" 67108864 "--memory-swap"
		assert_eq "$(cat "$(cgfile cpu u cpu.weight)")" 10 "--cpu-shares"
		assert_eq "$(cat "$(cgfile cpu u cpu.max)")" "20000 50000" "--cpu-quota/period"
		assert_eq "$(cat "$(cgfile pids u pids.max)")" 20 "--pids-limit"
	else
		assert_eq "$(cat "$(cgfile memory u memory.limit_in_bytes)")" 67108864 "--memory"
		assert_eq "$(cat "$(cgfile memory u memory.memsw.limit_in_bytes)")" 134217728 "--memory-swap"
		assert_eq "$(cat "$(cgfile cpu u cpu.shares)")" 256 "--cpu-shares"
		assert_eq "$(cat "$(cgfile cpu u cpu.cfs_quota_us)")" 20000 "--cpu-quota"
		assert_eq "$(cat "$(cgfile cpu u cpu.cfs_period_us)")" 50000 "--cpu-period"
		assert_eq "$(cat "$(cgfile pids u pids.max)")" 20 "--pids-limit"
		[ -z "$WEIGHT" ] || assert_contains "$(cat "$(cgfile blkio u "$WEIGHT")")" 200 "--blkio-weight"
	fi
	echo '{"pids": {"limit": 30}, "memory": {"reservation": 16777216}}' |
		oci update --resources - "$id"
	assert_eq "$(cat "$(cgfile pids u pids.max)")" 30 "--resources -"
	# recorded: later reads see the merged resources
	assert_eq "$(jq -c '[.memory.limit, .memory.reservation, .pids.limit]' "$ROOT/$id/resources.json")" \
		"[67108864,16777216,30]"
	assert_eq "$(oci events --stats "$id" | jq .data.pids.limit)" 30 "stats see the update"
	assert_eq "$(state_of "$id")" running
	assert_fails oci update --memory lots "$id"
	assert_contains "$OUT" "--memory"
	assert_fails oci update --pids-limit 5 "$(cid nosuch)"
	assert_contains "$OUT" "does not exist"
	echo '{"pids": {"limit": "x"}}' >"$WORK/bad.json"
	assert_fails oci update --resources "$WORK/bad.json" "$id"
	assert_contains "$OUT" "pids.limit"
	oci delete -f "$id"
	assert_fails oci update --pids-limit 5 "$id"
}

test_events_stats_json() {
	local b id s
	b=$(bundle e sleep 30)
	id=$(cid e)
	cfg "$b" '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 10}}'
	oci run -d -b "$b" "$id"
	s=$(oci events --stats "$id")
	assert_eq "$(jq -r .type <<<"$s")" stats
	assert_eq "$(jq -r .id <<<"$s")" "$id"
	assert_eq "$(jq .data.pids <<<"$s" | jq -c .)" '{"current":1,"limit":10}'
	assert_eq "$(jq .data.memory.usage.limit <<<"$s")" 67108864 "memory limit in stats"
	[ "$(jq .data.memory.usage.usage <<<"$s")" -gt 0 ] || fatal "no memory usage: $s"
	[ "$(jq .data.cpu.usage.total <<<"$s")" -gt 0 ] || fatal "no cpu usage: $s"
	jq -e '.data.blkio.ioServiceBytesRecursive | type == "array"' <<<"$s" >/dev/null
	# the stream: stats every interval until the container stops
	oci events --interval 200ms "$id" >"$WORK/ev" &
	local ev=$!
	for _ in $(seq 50); do [ "$(wc -l <"$WORK/ev")" -ge 2 ] && break; sleep 0.1; done
	[ "$(wc -l <"$WORK/ev")" -ge 2 ] || fatal "fewer than 2 stats in the stream"
	oci kill "$id" KILL
	wait $ev
	jq -s -e 'all(.type == "stats")' "$WORK/ev" >/dev/null
	# stopped, not yet deleted: a clear refusal, not a crash
	assert_fails oci events --stats "$id"
	assert_contains "$OUT" "is stopped"
	oci delete "$id"
	assert_fails oci events --stats "$id"
}

test_events_oom() {
	local b id ev rc=0
	b=$(bundle o sleep 30)
	id=$(cid o)
	cfg "$b" '.linux.resources = {memory: {limit: 16777216, swap: 16777216}}'
	oci run -d -b "$b" "$id"
	oci events --interval 10s "$id" >"$WORK/ev" &
	ev=$!
	sleep 0.3 # the stream has read the OOM counter (no timing is measured)
	oci exec "$id" dd if=/dev/zero of=/dev/null bs=48M count=1 2>/dev/null || rc=$?
	assert_eq "$rc" 137 "exec over the memory limit is OOM-killed"
	for _ in $(seq 50); do grep -q '"oom"' "$WORK/ev" && break; sleep 0.1; done
	oci kill "$id" KILL
	wait $ev
	assert_contains "$(cat "$WORK/ev")" "{\"type\":\"oom\",\"id\":\"$id\"}" "oom event"
	oci delete "$id"
}

test_devices_list_enforced() {
	local b out rc
	# /dev/kmsg (c 1:11) is not among the devices every container gets
	b=$(bundle d sh -c 'rm -f /tmp/k; mknod /tmp/k c 1 11 && { echo hull-test-devices >/tmp/k && echo written; } 2>&1')
	rc=0
	out=$(oci run -b "$b" "$(cid d1)" 2>&1) || rc=$?
	assert_eq "$out" "sh: can't create /tmp/k: Operation not permitted" "kmsg denied by default"
	assert_eq "$rc" 1 "the shell's status"
	cfg "$b" '.linux.resources.devices = [{allow: false, access: "rwm"}, {allow: true, type: "c", major: 1, minor: 11, access: "w"}]'
	out=$(oci run -b "$b" "$(cid d2)" 2>&1)
	assert_contains "$out" "written" "kmsg allowed by a rule"
}

# The device rules a container gets without asking (runc's list) and those of linux.devices,
# by type: in the v1 devices list, and usable (/dev/full answers ENOSPC, not EPERM).
test_default_device_rules() {
	local b id f
	[ -d /sys/fs/cgroup/devices ] || skip "no v1 devices cgroup to read the rules from"
	b=$(bundle dd sh -c 'echo x >/dev/full; head -c1 /dev/random | wc -c; head -c1 /dev/urandom | wc -c; head -c1 /dev/zero | wc -c')
	cfg "$b" '.linux.devices = [{path: "/dev/hloop", type: "b", major: 7, minor: 0},
		{path: "/dev/hkmsg", type: "u", major: 1, minor: 11}]'
	id=$(cid dd)
	oci create -b "$b" "$id" </dev/null >"$WORK/out" 2>&1
	f=$(cat "$(cgfile devices dd devices.list)")
	assert_eq "$(sort <<<"$f" | tr '\n' ' ')" "$(printf '%s\n' 'b *:* m' 'c *:* m' 'c 1:3 rwm' 'c 1:5 rwm' \
		'c 1:7 rwm' 'c 1:8 rwm' 'c 1:9 rwm' 'c 5:0 rwm' 'c 5:1 rwm' 'c 5:2 rwm' 'c 136:* rwm' \
		'c 10:200 rwm' 'b 7:0 rwm' 'c 1:11 rwm' | sort | tr '\n' ' ')" "devices.list"
	oci start "$id"
	wait_status "$id" stopped
	assert_eq "$(cat "$WORK/out")" $'sh: write error: No space left on device\n1\n1\n1' "the default devices in use"
	oci delete "$id"
}

test_cgroup_namespace() {
	local b out
	b=$(bundle n cat /proc/self/cgroup)
	cfg "$b" '.linux.namespaces += [{type: "cgroup"}]'
	out=$(oci run -b "$b" "$(cid n)")
	assert_not_contains "$out" "hull-test" "the container sees its cgroup as /"
	assert_contains "$out" ":/"
	cfg "$b" '.linux.namespaces |= map(select(.type != "cgroup"))'
	out=$(oci run -b "$b" "$(cid n2)")
	assert_contains "$out" "hull-test/$T-n" "without a cgroup namespace"
}

test_bad_resources_clear_errors_no_cgroup() {
	local b
	b=$(bundle x sleep 30)
	cfg "$b" '.linux.resources = {memory: {limit: 67108864, swap: 1048576}}'
	assert_fails oci create -b "$b" "$(cid x1)"
	assert_contains "$OUT" "1048576"
	assert_contains "$OUT" "memory"
	cfg "$b" '.linux.resources = {blockIO: {weight: 5}}'
	assert_fails oci create -b "$b" "$(cid x2)"
	assert_contains "$OUT" "linux.resources.blockIO.weight"
	cfg "$b" '.linux.resources = {cpu: {shares: "many"}}'
	assert_fails oci create -b "$b" "$(cid x3)"
	assert_contains "$OUT" "linux.resources.cpu"
	cfg "$b" '.linux.resources = {cpu: {cpus: "999"}}'
	assert_fails oci create -b "$b" "$(cid x4)"
	assert_contains "$OUT" "cpuset.cpus"
	assert_contains "$OUT" "999"
	cfg "$b" '.linux.resources = {unified: {"nosuch.file": "1"}}'
	assert_fails oci create -b "$b" "$(cid x5)"
	assert_contains "$OUT" "nosuch.file"
	assert_eq "$(ls "$ROOT")" "" "state left after failed creates"
	assert_eq "$(ls -d /sys/fs/cgroup/*/hull-test/"$T"-* 2>/dev/null)" "" "cgroups left"
}

# On a hybrid host, hide the v1 devices and freezer hierarchies in a private mount namespace:
# hull then uses the cgroup2 mount for both, the eBPF device filter and cgroup.freeze.
test_v2_devices_and_freeze_on_cgroup2() {
	local b id
	[ -e /sys/fs/cgroup/unified/cgroup.controllers ] || skip "no hybrid cgroup2 mount"
	b=$(bundle v sleep 30)
	id=$(cid v)
	cat >"$WORK/v2.sh" <<-'EOF'
		set -e
		umount /sys/fs/cgroup/devices /sys/fs/cgroup/freezer
		oci() { "$HULL_OCI" --root "$ROOT" "$@"; }
		id=$1 b=$2 cg=/sys/fs/cgroup/unified/hull-test/$1
		oci run -d -b "$b" "$id"
		out=$(oci exec "$id" sh -c 'mknod /tmp/k c 1 11; echo x >/tmp/k 2>&1; echo y >/dev/null && echo null-ok' 2>&1)
		case $out in *"Operation not permitted"*null-ok*) ;; *) echo "devices: $out"; exit 1;; esac
		oci pause "$id"
		[ "$(cat "$cg/cgroup.freeze")" = 1 ] || { echo "cgroup.freeze not 1"; exit 1; }
		grep -q "frozen 1" "$cg/cgroup.events" || { echo "not frozen"; exit 1; }
		[ "$(oci state "$id" | jq -r .status)" = paused ] || { echo "state not paused"; exit 1; }
		oci resume "$id"
		grep -q "frozen 0" "$cg/cgroup.events" || { echo "not thawed"; exit 1; }
		[ "$(oci state "$id" | jq -r .status)" = running ] || { echo "state not running"; exit 1; }
		oci pause "$id"
		oci delete -f "$id"
		echo v2-ok
	EOF
	out=$(unshare -m bash -c 'mount --make-rprivate / && exec bash "$@"' _ "$WORK/v2.sh" "$id" "$b" 2>&1) ||
		fatal "$out"
	assert_contains "$out" v2-ok
}

# Docker writes Go's zero values into every spec (blockIO.weight 0 above all); runc and crun
# read 0 as "not set" for the block I/O weights and cpu.shares, and so does hull: the
# container starts and those files keep the parent's values.
test_zero_values_are_unset() {
	local b id want
	b=$(bundle z sleep 30)
	id=$(cid z)
	cfg "$b" '.linux.resources = {blockIO: {weight: 0, leafWeight: 0,
		weightDevice: [{major: 7, minor: 0, weight: 0}]}, cpu: {shares: 0}, pids: {limit: 9}}'
	oci create -b "$b" "$id"
	assert_eq "$(cat "$(cgfile pids z pids.max)")" 9 "the rest of the section applies"
	if [ -z "${V2ONLY:-}" ]; then
		want=$(cat /sys/fs/cgroup/cpu/hull-test/cpu.shares)
		assert_eq "$(cat "$(cgfile cpu z cpu.shares)")" "$want" "cpu.shares 0 left alone"
	fi
	oci delete -f "$id"
}
