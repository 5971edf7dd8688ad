# SPDX-License-Identifier: Apache-2.0
# The systemd cgroup driver against a real systemd.  This host's init is not systemd, so each
# test boots one: systemd as pid 1 of a hull container (the host's /usr bound read-only, a
# cgroup namespace, and the container's own sub-tree of the host's cgroup2 hierarchy bound
# writable on /sys/fs/cgroup, so systemd runs in unified mode and owns it; or, on a hybrid
# host, the container's cgroups in every hierarchy, so systemd runs in hybrid mode and takes
# the v1 property names).  hull-oci then runs
# inside it with --systemd-cgroup (nsenter into the container's namespaces; root talks to
# systemd on its private socket, as systemctl does), and the tests read the unit back with
# systemctl and the cgroup files.

SD_UNITS_DIR=etc/systemd/system

# The cgroup2 mount point of the host, if any.
cgroup2_mount() { awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo; }

# sd_boot NAME [hybrid]: boot systemd in container $(cid NAME); sets SDPID (its pid 1, on the
# host) and SDCG (its cgroup2 directory on the host), and defers the teardown.
sd_boot() {
	local name=$1 mode=${2:-unified} b r v2 caps i s cgmount
	[ -x /lib/systemd/systemd ] || skip "systemd is not installed (scripts/deps.sh installs it)"
	command -v nsenter >/dev/null || skip "nsenter not installed (util-linux)"
	command -v capsh >/dev/null || skip "capsh not installed (libcap2-bin)"
	v2=$(cgroup2_mount)
	[ -n "$v2" ] || skip "no cgroup2 hierarchy on this host for systemd to run in"
	b=$WORK/$name
	r=$b/rootfs
	mkdir -p "$r"/{usr,etc,proc,sys,dev,run,tmp,root,inner,var/tmp} "$r/$SD_UNITS_DIR" "$WORK/inner"
	for d in bin sbin lib lib64; do ln -s "usr/$d" "$r/$d"; done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\n' >"$r/etc/group"
	ln -s ../usr/lib/os-release "$r/etc/os-release"
	: >"$r/etc/machine-id"
	# the unit it boots into: nothing but the manager itself
	printf '[Unit]\nDescription=hull test\nDefaultDependencies=no\n' >"$r/$SD_UNITS_DIR/hull-test.target"
	SDCG=$v2/hull-test/$(cid "$name")
	cgmount=$(jq -n -c --arg v2 "$SDCG" \
		'{destination: "/sys/fs/cgroup", type: "bind", source: $v2, options: ["rbind", "rw"]}')
	if [ "$mode" == hybrid ]; then
		[ "$v2" == /sys/fs/cgroup/unified ] && [ -d /sys/fs/cgroup/memory ] ||
			skip "not a hybrid cgroup host"
		# hull's cgroup mount in a cgroup namespace: a tmpfs with one mount per hierarchy
		cgmount=$(jq -n -c '{destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
			options: ["nosuid", "noexec", "nodev", "rw"]}')
	fi
	# every capability this host grants (systemd needs them; some hosts withhold a few)
	caps=$(capsh --decode="$(awk '/CapBnd/ {print $2}' /proc/self/status)" | cut -d= -f2 |
		tr ',' '\n' | tr '[:lower:]' '[:upper:]' | jq -R . | jq -s -c .)
	jq -n --argjson caps "$caps" --arg cg "/hull-test/$(cid "$name")" --argjson cgmount "$cgmount" \
		--arg build "$REPO/build" --arg inner "$WORK/inner" '{
		ociVersion: "1.0.2",
		process: {
			terminal: false, user: {uid: 0, gid: 0}, cwd: "/",
			args: ["/lib/systemd/systemd", "--unit=hull-test.target", "--log-target=console"],
			env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "container=hull"],
			capabilities: {bounding: $caps, effective: $caps, permitted: $caps}
		},
		root: {path: "rootfs"},
		hostname: "hull-systemd",
		mounts: [
			{destination: "/usr", type: "bind", source: "/usr", options: ["rbind", "ro"]},
			{destination: "/proc", type: "proc", source: "proc"},
			{destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "mode=755"]},
			{destination: "/dev/pts", type: "devpts", source: "devpts",
			 options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
			{destination: "/run", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=755"]},
			{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev"]},
			{destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]},
			$cgmount,
			{destination: $build, type: "bind", source: $build, options: ["rbind", "ro"]},
			{destination: "/inner", type: "bind", source: $inner, options: ["rbind", "rw"]}
		],
		linux: {
			cgroupsPath: $cg,
			namespaces: [{type: "pid"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}, {type: "cgroup"}]
		}
	}' >"$b/config.json"
	defer sd_teardown "$HULL_OCI" "$ROOT" "$(cid "$name")"
	# the bind source: hull makes the same directory when it places the init
	mkdir -p "$SDCG"
	oci create -b "$b" "$(cid "$name")" >"$WORK/systemd.log" 2>&1 </dev/null
	oci start "$(cid "$name")"
	SDPID=$(pid_of "$(cid "$name")")
	for i in $(seq 100); do
		s=$(nsenter -t "$SDPID" -a systemctl is-system-running 2>/dev/null) || true
		[ "$s" == running ] || [ "$s" == degraded ] && return 0
		alive "$SDPID" || break
		sleep 0.2
	done
	skip "systemd did not come up as a container's init here (state '$s'): $(tail -5 "$WORK/systemd.log")"
}

# sd_teardown HULL_OCI ROOT ID: kill the systemd container, then remove the cgroups systemd
# made in its sub-trees (hull removes only the container's own), then the container.
sd_teardown() {
	local i d
	"$1" --root "$2" kill "$3" KILL
	for i in $(seq 100); do
		[ "$("$1" --root "$2" state "$3" | jq -r .status)" == stopped ] && break
		sleep 0.05
	done
	for d in /sys/fs/cgroup/hull-test/"$3" /sys/fs/cgroup/*/hull-test/"$3"; do
		[ -d "$d" ] && find "$d" -mindepth 1 -depth -type d -exec rmdir {} \;
	done
	"$1" --root "$2" delete --force "$3"
	for d in /sys/fs/cgroup/hull-test/"$3" /sys/fs/cgroup/*/hull-test/"$3"; do
		[ -d "$d" ] && rmdir "$d"
	done
}

# in CMD...: run in the systemd container (all its namespaces, its root).
in_sd() { nsenter -t "$SDPID" -a "$@"; }
# ioci ARGS...: hull-oci inside it, with the systemd driver's state root.
ioci() { in_sd "$HULL_OCI" --root /run/hull-inner "$@"; }
prop() { in_sd systemctl show -P "$2" "$1"; }

inner_bundle() { # inner_bundle NAME ARGS...: a busybox bundle at /inner/NAME in the container
	local name=$1
	shift
	"$REPO/tests/data/mkbundle.sh" "$WORK/inner/$name" "$@" >/dev/null
	echo "/inner/$name"
}

test_systemd_cgroup_scope_resources_pause_update_delete() {
	local b id unit scope pid hp=""
	sd_boot sd
	id=$(cid c1)
	unit=hulltest-$id.scope
	# a process that leaves for a sub-cgroup of the delegated scope, out of the runtime's
	# reach (no pid namespace either): only the unit's stop takes it down
	b=$(inner_bundle c1 sh -c 'mkdir /sys/fs/cgroup/esc
		sh -c "echo \$\$ >/sys/fs/cgroup/esc/cgroup.procs; exec sleep 1001" &
		exec sleep 1000')
	no_pidns "$WORK/inner/c1"
	cfg "$WORK/inner/c1" '(.mounts[] | select(.destination == "/sys/fs/cgroup")).options -= ["ro"]'
	cfg "$WORK/inner/c1" --arg p "system.slice:hulltest:$id" '.linux.cgroupsPath = $p |
		.linux.resources = {memory: {limit: 67108864, swap: 134217728},
			cpu: {shares: 512, quota: 50000, period: 100000}, pids: {limit: 64},
			devices: [{allow: false, access: "rwm"}]}'
	# hugetlb has no unit property: the cgroupfs writer sets it in the delegated cgroup
	if grep -qw hugetlb "$SDCG/cgroup.controllers" && [ -e "$SDCG/hugetlb.2MB.max" ]; then
		hp=2MB
		cfg "$WORK/inner/c1" '.linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]'
	fi
	ioci --systemd-cgroup run -d -b "$b" "$id"
	# the unit, as systemd has it
	assert_eq "$(prop "$unit" ActiveState)" active "the scope"
	assert_eq "$(prop "$unit" Slice)" system.slice
	assert_eq "$(prop "$unit" ControlGroup)" "/system.slice/$unit"
	assert_eq "$(prop "$unit" Delegate)" yes
	assert_eq "$(prop "$unit" MemoryMax)" 67108864
	assert_eq "$(prop "$unit" MemorySwapMax)" 67108864 "memory+swap 128M over a 64M limit"
	assert_eq "$(prop "$unit" CPUQuotaPerSecUSec)" 500ms
	assert_eq "$(prop "$unit" CPUQuotaPeriodUSec)" 100ms
	assert_eq "$(prop "$unit" CPUWeight)" 20 "shares 512 as a weight"
	assert_eq "$(prop "$unit" TasksMax)" 64
	assert_eq "$(prop "$unit" DevicePolicy)" strict
	assert_contains "$(prop "$unit" DeviceAllow)" "/dev/char/1:3 rwm"
	assert_contains "$(prop "$unit" DeviceAllow)" "char-pts rwm"
	# the init is in the scope's cgroup, and the state remembers the driver
	scope=$SDCG/system.slice/$unit
	pid=$(ioci state "$id" | jq -r .pid)
	grep -qx "$pid" <<<"$(in_sd cat "/sys/fs/cgroup/system.slice/$unit/cgroup.procs")" ||
		fatal "the init ($pid) is not in the scope's cgroup"
	assert_eq "$(in_sd jq -r '."hull.systemdCgroup"' "/run/hull-inner/$id/state.json")" true
	[ -z "$hp" ] || assert_eq "$(cat "$scope/hugetlb.$hp.max")" 4194304 "hugetlb through cgroupfs"
	# later commands follow the recorded driver without being told
	assert_contains "$(ioci ps "$id")" "sleep 1000"
	assert_contains "$(ioci exec "$id" cat /proc/self/cgroup)" $'\n0::/system.slice/'"$unit" "exec's cgroup"
	ioci pause "$id"
	assert_eq "$(ioci state "$id" | jq -r .status)" paused
	assert_eq "$(cat "$scope/cgroup.freeze")" 1 "frozen through the freezer file"
	ioci resume "$id"
	assert_eq "$(ioci state "$id" | jq -r .status)" running
	echo '{"memory": {"limit": 33554432, "swap": 67108864}, "pids": {"limit": 32}}' |
		ioci update --resources - "$id"
	assert_eq "$(prop "$unit" MemoryMax)" 33554432 "update: MemoryMax"
	assert_eq "$(prop "$unit" MemorySwapMax)" 33554432 "update: MemorySwapMax"
	assert_eq "$(prop "$unit" TasksMax)" 32 "update: TasksMax"
	for _ in $(seq 100); do
		[ -n "$(cat "$scope/esc/cgroup.procs" 2>/dev/null)" ] && break
		sleep 0.05
	done
	[ -n "$(cat "$scope/esc/cgroup.procs")" ] || fatal "the workload's sub-cgroup is empty"
	ioci delete --force "$id"
	assert_not_contains "$(in_sd systemctl list-units --all)" "$unit" "the unit after delete"
	if in_sd pgrep -f "sleep 1001"; then fatal "the escaped process outlived the container"; fi
	[ ! -e "$scope" ] || fatal "the scope's cgroup is left: $scope"
	assert_fails ioci state "$id"
}

# On a hybrid host: systemd in hybrid mode takes the v1 names (MemoryLimit, CPUShares,
# BlockIOWeight) and applies them to the v1 hierarchies; what it has no v1 property for
# (memory+swap) goes to the files; hull places the init in the hierarchies systemd leaves
# alone (cpuset, freezer) and removes it from them on delete.
test_systemd_cgroup_hybrid_v1_properties_and_files() {
	local b id unit h
	sd_boot sdh hybrid
	h=/sys/fs/cgroup
	id=$(cid v1)
	unit=hulltest-$id.scope
	b=$(inner_bundle v1 sleep 1000)
	cfg "$WORK/inner/v1" --arg p "system.slice:hulltest:$id" '.linux.cgroupsPath = $p |
		.linux.resources = {memory: {limit: 67108864, swap: 134217728},
			cpu: {shares: 512, quota: 50000, period: 100000}, pids: {limit: 64},
			blockIO: {weight: 300}}'
	ioci --systemd-cgroup run -d -b "$b" "$id"
	assert_eq "$(prop "$unit" MemoryLimit)" 67108864
	assert_eq "$(prop "$unit" CPUShares)" 512
	assert_eq "$(prop "$unit" CPUWeight)" "[not set]" "v2's name on a v1 systemd"
	assert_eq "$(prop "$unit" BlockIOWeight)" 300
	assert_eq "$(prop "$unit" TasksMax)" 64
	assert_eq "$(in_sd cat "$h/memory/system.slice/$unit/memory.limit_in_bytes")" 67108864
	assert_eq "$(in_sd cat "$h/memory/system.slice/$unit/memory.memsw.limit_in_bytes")" 134217728 "memory+swap by cgroupfs"
	assert_eq "$(in_sd cat "$h/cpu/system.slice/$unit/cpu.shares")" 512
	assert_eq "$(in_sd cat "$h/cpu/system.slice/$unit/cpu.cfs_quota_us")" 50000
	assert_eq "$(in_sd cat "$h/pids/system.slice/$unit/pids.max")" 64
	for c in memory pids cpuset freezer systemd; do
		grep -qx "$(ioci state "$id" | jq -r .pid)" <<<"$(in_sd cat "$h/$c/system.slice/$unit/cgroup.procs")" ||
			fatal "the init is not in the $c hierarchy's scope cgroup"
	done
	ioci pause "$id"
	assert_eq "$(in_sd cat "$h/freezer/system.slice/$unit/freezer.state")" FROZEN
	ioci resume "$id"
	echo '{"memory": {"limit": 33554432, "swap": 50331648}, "cpu": {"shares": 256}}' |
		ioci update --resources - "$id"
	assert_eq "$(prop "$unit" MemoryLimit)" 33554432 "update: MemoryLimit"
	assert_eq "$(prop "$unit" CPUShares)" 256 "update: CPUShares"
	assert_eq "$(in_sd cat "$h/memory/system.slice/$unit/memory.memsw.limit_in_bytes")" 50331648 "update: memory+swap"
	ioci delete --force "$id"
	assert_not_contains "$(in_sd systemctl list-units --all)" "$unit" "the unit after delete"
	for c in memory pids cpu cpuset freezer systemd unified; do
		[ ! -e "$h/$c/hull-test/$(cid sdh)/system.slice/$unit" ] || fatal "left in $c: $unit"
	done
}

test_systemd_cgroup_run_nested_slice_and_errors() {
	local b id unit st
	sd_boot sd
	# run in the foreground: the workload's exit status, and the unit gone afterwards
	id=$(cid fg)
	b=$(inner_bundle fg sh -c 'cat /proc/self/cgroup; exit 3')
	cfg "$WORK/inner/fg" --arg p "hulltest-nested.slice:pfx:$id" '.linux.cgroupsPath = $p'
	st=0
	ioci --systemd-cgroup run -b "$b" "$id" >"$WORK/fg.out" 2>&1 || st=$?
	assert_eq "$st" 3 "exit status of the workload ($(cat "$WORK/fg.out"))"
	# a-b.slice lives under a.slice
	assert_contains "$(cat "$WORK/fg.out")" "0::/hulltest.slice/hulltest-nested.slice/pfx-$id.scope"
	assert_not_contains "$(in_sd systemctl list-units --all)" "pfx-$id.scope" "the unit after run"
	# the default unit name, when cgroupsPath is empty
	id=$(cid dflt)
	b=$(inner_bundle dflt sleep 1000)
	ioci --systemd-cgroup run -d -b "$b" "$id"
	unit=hull-$id.scope
	assert_eq "$(prop "$unit" ControlGroup)" "/system.slice/$unit"
	ioci kill "$id" KILL
	for _ in $(seq 100); do
		[ "$(ioci state "$id" | jq -r .status)" == stopped ] && break
		sleep 0.05
	done
	ioci delete "$id"
	assert_not_contains "$(in_sd systemctl list-units --all)" "$unit" "the unit after kill + delete"
	# a cgroupfs path is refused with the form it needs, and nothing is left
	id=$(cid bad)
	b=$(inner_bundle bad true)
	cfg "$WORK/inner/bad" '.linux.cgroupsPath = "/hull/bad"'
	assert_fails ioci --systemd-cgroup run -b "$b" "$id"
	assert_contains "$OUT" "slice:prefix:name"
	assert_fails ioci state "$id"
	# a unit of that name already running (another manager's): refused, that unit untouched
	id=$(cid dup)
	b=$(inner_bundle dup sleep 1000)
	in_sd systemd-run --scope --unit "hull-$id" -q sleep 1000 &
	for _ in $(seq 100); do
		[ "$(prop "hull-$id.scope" ActiveState)" == active ] && break
		sleep 0.05
	done
	assert_fails ioci --systemd-cgroup run -d -b "$b" "$id"
	assert_contains "$OUT" "already exists"
	assert_eq "$(prop "hull-$id.scope" ActiveState)" active "the other unit"
	assert_fails ioci state "$id"
	in_sd systemctl stop "hull-$id.scope"
	wait
	in_sd systemctl stop hulltest-nested.slice hulltest.slice
}

# systemd's marker is there but neither its private socket nor the system bus answers: create
# fails and says so, and leaves nothing.  (A private mount namespace fakes such a host.)
test_systemd_cgroup_unreachable_refused_clearly() {
	local b
	command -v unshare >/dev/null || skip "unshare not installed (util-linux)"
	b=$(bundle sd true)
	cfg "$b" --arg p "system.slice:hulltest:$(cid sd)" '.linux.cgroupsPath = $p'
	assert_fails env -u DBUS_SYSTEM_BUS_ADDRESS unshare -m sh -c '
		mount --make-rprivate / && mkdir -p /run/systemd /run/dbus &&
		mount -t tmpfs none /run/systemd && mount -t tmpfs none /run/dbus &&
		mkdir /run/systemd/system &&
		exec "$@"' _ "$HULL_OCI" --root "$ROOT" --systemd-cgroup run -b "$b" "$(cid sd)"
	assert_contains "$OUT" "cannot reach systemd"
	assert_contains "$OUT" "/run/systemd/private"
	assert_fails oci state "$(cid sd)"
	oci features | jq -e '.linux.cgroup.systemd == true and .linux.cgroup.systemdUser == false' >/dev/null ||
		fatal "features does not report the systemd driver"
}

# hull-oci killed with SIGKILL after the scope started (in a prestart hook): the init goes
# with it, systemd collects the empty scope, and delete clears what is left.
test_systemd_cgroup_kill9_mid_create_leaves_no_unit() {
	local b id unit p
	sd_boot sd
	id=$(cid k9)
	unit=hulltest-$id.scope
	b=$(inner_bundle k9 sleep 1000)
	cfg "$WORK/inner/k9" --arg p "system.slice:hulltest:$id" '.linux.cgroupsPath = $p |
		.hooks.prestart = [{path: "/bin/sh", args: ["sh", "-c", "touch /inner/hooked; exec sleep 1000"]}]'
	ioci --systemd-cgroup create -b "$b" "$id" >/dev/null 2>&1 &
	for _ in $(seq 100); do
		[ -e "$WORK/inner/hooked" ] && break
		sleep 0.05
	done
	[ -e "$WORK/inner/hooked" ] || fatal "the prestart hook never ran"
	assert_eq "$(prop "$unit" ActiveState)" active "the scope while create runs"
	# nsenter forks into the container's pid namespace: kill the hull-oci under it
	for p in $(pgrep -f -- "--root /run/hull-inner --systemd-cgroup create -b $b $id"); do
		[ "$(readlink "/proc/$p/exe")" != "$HULL_OCI" ] || kill -9 "$p"
	done
	wait || true
	for _ in $(seq 100); do
		[[ $(in_sd systemctl list-units --all) != *"$unit"* ]] && break
		sleep 0.05
	done
	assert_not_contains "$(in_sd systemctl list-units --all)" "$unit" "the scope after kill -9"
	# (the hook's sleep goes with the systemd container)
	ioci delete --force "$id"
	assert_fails ioci state "$id"
	[ ! -e "$SDCG/system.slice/$unit" ] || fatal "the scope's cgroup is left"
}
