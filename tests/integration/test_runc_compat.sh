# SPDX-License-Identifier: Apache-2.0
# What runc and crun do that clients count on, each found by driving hull-oci as they are
# driven: ignored unknown capabilities, HOME, a process's own session, mounts through dangling
# symlinks, cleaned device paths, poststart failures, run --keep, tmpfs modes, a hidden
# cgroup2 mount, real-time budgets, bind mounts in a user namespace, seccomp listeners,
# idmapped mounts, exec failures in runc's words, exec --cgroup, and what `features` says of
# them.  (Hooks'
# environment: test_hooks.c; the cwd made: test_process.sh; a layer without end blocks:
# test_image.sh.)

test_exec_cap_unknown_is_ignored() {
	local b id out
	b=$(bundle ec sleep 100)
	id=$(cid ec)
	oci run -d -b "$b" "$id" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	out=$(oci exec --cap CAP_SYS_ADMIN --cap CAP_BOGUS "$id" grep CapEff /proc/self/status 2>"$WORK/warn")
	assert_contains "$(cat "$WORK/warn")" "ignoring unknown or unavailable capabilities: [CAP_BOGUS]"
	# CAP_SYS_ADMIN (bit 21) is added to the container's a80425fb
	assert_contains "$out" "CapEff:	00000000a82425fb"
	# not a name runc knows: nothing is added
	out=$(oci exec --cap sys_admin "$id" grep CapEff /proc/self/status 2>/dev/null)
	assert_contains "$out" "CapEff:	00000000a80425fb"
}

# HOME from the user's entry in the container's /etc/passwd, "/" without one; the spec's wins
test_home_from_passwd() {
	local b id out
	b=$(bundle ho sh -c 'echo "HOME=$HOME"')
	cfg "$b" '.process.user.uid=1000'
	assert_eq "$(oci run -b "$b" "$(cid ho1)")" "HOME=/home/app"
	cfg "$b" '.process.user.uid=4321'
	assert_eq "$(oci run -b "$b" "$(cid ho2)")" "HOME=/"
	cfg "$b" '.process.user.uid=0 | .process.env += ["HOME=/srv"]'
	assert_eq "$(oci run -b "$b" "$(cid ho3)")" "HOME=/srv"
	cfg "$b" '.process.args=["sleep","100"]'
	id=$(cid ho4)
	oci run -d -b "$b" "$id" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	out=$(oci exec -u 1000 "$id" sh -c 'echo "HOME=$HOME"')
	assert_eq "$out" "HOME=/srv" "exec keeps the container's HOME"
	cfg "$b" '.process.env -= ["HOME=/srv"]'
	id=$(cid ho5)
	oci run -d -b "$b" "$id" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	assert_eq "$(oci exec -u 1000 "$id" sh -c 'echo "HOME=$HOME"')" "HOME=/home/app"
	assert_eq "$(oci exec -u 4321 "$id" sh -c 'echo "HOME=$HOME"')" "HOME=/"
	assert_eq "$(oci exec "$id" sh -c 'echo "HOME=$HOME"')" "HOME=/root"
	assert_eq "$(oci exec --env HOME=/x "$id" sh -c 'echo "HOME=$HOME"')" "HOME=/x"
}

# A mount destination reached through dangling symlinks (an image's links to what only exists
# at run time) is made at the links' targets inside the rootfs, whatever the shape: a dangling
# parent, relative or absolute, a chain of links, ".." on the way.
test_mount_destination_through_dangling_symlinks() {
	local b r out
	b=$(bundle dd sh -c 'for d in /lnk/sub /opt/conf/app.conf /c1 /var/lib/x/w; do
		grep -q " $(readlink -f $d) " /proc/self/mounts && echo "mounted $(readlink -f $d)"; done
		cat /opt/conf/app.conf')
	r=$b/rootfs
	ln -s ../srv/rel "$r/lnk"
	mkdir -p "$r/opt" "$r/var/lib"
	ln -s /etc/app "$r/opt/conf"
	ln -s c2 "$r/c1"
	ln -s /deep/target "$r/c2"
	ln -s ../../srv/y/z "$r/var/lib/x"
	echo conf >"$WORK/app.conf"
	cfg "$b" --arg s "$WORK/app.conf" '.mounts += [
		{destination: "/lnk/sub", type: "tmpfs", source: "tmpfs"},
		{destination: "/opt/conf/app.conf", type: "bind", source: $s, options: ["bind", "ro"]},
		{destination: "/c1", type: "tmpfs", source: "tmpfs"},
		{destination: "/var/lib/x/w", type: "tmpfs", source: "tmpfs"}]'
	out=$(oci run -b "$b" "$(cid dd)")
	assert_eq "$out" $'mounted /srv/rel/sub\nmounted /etc/app/app.conf\nmounted /deep/target\nmounted /srv/y/z/w\nconf'
	[ -d "$r/srv/rel/sub" ] && [ -f "$r/etc/app/app.conf" ] && [ -d "$r/deep/target" ] &&
		[ -d "$r/srv/y/z/w" ] || fatal "the targets were not made in the rootfs"
	[ -L "$r/lnk" ] && [ -L "$r/opt/conf" ] && [ -L "$r/c1" ] && [ -L "$r/var/lib/x" ] ||
		fatal "the image's links were replaced"
}

# a device's path is taken cleaned, as runc and crun take it: a trailing slash, "//", "."
test_device_path_is_cleaned() {
	local b out
	b=$(bundle dv sh -c 'stat -c "%F %t:%T %a" /dev/mynull /dev/sub/zero; stat -c %F /dev/null')
	cfg "$b" '.linux.devices = [{path: "/dev/mynull/", type: "c", major: 1, minor: 3, fileMode: 432},
		{path: "/dev//sub/./zero", type: "c", major: 1, minor: 5, fileMode: 438},
		{path: "/dev/null/", type: "c", major: 1, minor: 3, fileMode: 438}]'
	out=$(oci run -b "$b" "$(cid dv)")
	assert_eq "$out" $'character special file 1:3 660\ncharacter special file 1:5 666\ncharacter special file'
}

# the container's process and an exec'd one lead a session (and process group) of their own
# inside the container, as with runc: job control and kill(0, sig) work there
test_process_leads_its_own_session() {
	local b id out show
	show='set -- $(cut -d" " -f5,6 /proc/$$/stat); echo "$$ $1 $2"'
	b=$(bundle se sh -c "$show")
	out=$(oci run -b "$b" "$(cid se)")
	assert_eq "$out" "1 1 1"
	cfg "$b" '.process.args=["sleep","100"]'
	id=$(cid se2)
	oci run -d -b "$b" "$id" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	out=$(oci exec "$id" sh -c "$show")
	read -r pid pgrp sid <<<"$out"
	[ "$pid" -gt 1 ] || fatal "exec'd pid: $out"
	assert_eq "$pgrp $sid" "$pid $pid" "exec'd process group and session"
	out=$(oci exec -d "$id" sh -c "$show >/tmp/se; sleep 1")
	sleep 0.3
	read -r pid pgrp sid <<<"$(oci exec "$id" cat /tmp/se)"
	assert_eq "$pgrp $sid" "$pid $pid" "detached exec's process group and session"
}

# a failing poststart hook fails start, and the container is killed and deleted (runc), its
# poststop hooks run
test_failing_poststart_deletes_the_container() {
	local b id pid
	b=$(bundle pf sleep 100)
	cfg "$b" --arg w "$WORK" '.hooks.poststart=[{"path":"/bin/sh","args":["sh","-c","exit 5"]}]
		| .hooks.poststop=[{"path":"/bin/sh","args":["sh","-c","echo gone > \($w)/poststop"]}]'
	id=$(cid pf)
	oci create -b "$b" "$id" </dev/null
	pid=$(pid_of "$id")
	assert_fails oci start "$id"
	assert_contains "$OUT" "poststart hook"
	assert_contains "$OUT" "status 5"
	assert_fails oci state "$id"
	! alive "$pid" || fatal "the container's process $pid is still there"
	assert_eq "$(cat "$WORK/poststop")" gone
	# run: the same
	id=$(cid pf2)
	assert_fails oci run -d -b "$b" "$id" </dev/null
	assert_contains "$OUT" "status 5"
	assert_fails oci state "$id"
}

# run --keep: the stopped container stays (state says stopped) until delete, and holds its id
test_run_keep() {
	local b id
	b=$(bundle kp sh -c 'exit 3')
	id=$(cid kp)
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	local rc=0
	oci run --keep -b "$b" "$id" || rc=$?
	assert_eq "$rc" 3 "the workload's exit status"
	assert_eq "$(state_of "$id")" stopped
	assert_eq "$(oci state "$id" | jq -r .id)" "$id"
	assert_fails oci run --keep -b "$b" "$id"
	assert_contains "$OUT" "already exists"
	oci delete "$id"
	assert_fails oci state "$id"
	# without --keep nothing stays
	assert_fails oci run -b "$b" "$id"
	assert_fails oci state "$id"
}

# a tmpfs over an existing directory keeps that directory's mode unless mode= says otherwise
# (runc, crun); over a new one the kernel's 1777; a read-only one too (the mode is given at
# mount time: a chmod after it would fail, EROFS)
test_tmpfs_keeps_the_directory_mode() {
	local b out
	b=$(bundle tm sh -c 'stat -c "%n %a" /home/app /srv/w /opt/new /root /srv/ro
		touch /srv/ro/f 2>/dev/null || echo "/srv/ro read-only"')
	mkdir -p "$b/rootfs/srv/w" "$b/rootfs/root" "$b/rootfs/srv/ro"
	chmod 750 "$b/rootfs/home/app"
	chmod 2711 "$b/rootfs/srv/w"
	chmod 755 "$b/rootfs/root"
	chmod 712 "$b/rootfs/srv/ro"
	cfg "$b" '.mounts += [{destination: "/home/app", type: "tmpfs", source: "tmpfs", options: ["nosuid", "size=1m"]},
		{destination: "/srv/w", type: "tmpfs", source: "tmpfs"},
		{destination: "/opt/new", type: "tmpfs", source: "tmpfs"},
		{destination: "/root", type: "tmpfs", source: "tmpfs", options: ["mode=700"]},
		{destination: "/srv/ro", type: "tmpfs", source: "tmpfs", options: ["ro", "size=1m"]}]'
	out=$(oci run -b "$b" "$(cid tm)")
	assert_eq "$out" $'/home/app 750\n/srv/w 2711\n/opt/new 1777\n/root 700\n/srv/ro 712\n/srv/ro read-only'
}

# A tmpfs over the hybrid host's cgroup2 mount (as test harnesses hide it) makes the host plain
# v1, as runc and crun see it: they look at what the path is, not at the mount table
test_hidden_unified_mount_is_plain_v1() {
	local b out
	[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" == cgroup2fs ] ||
		skip "no hybrid cgroup2 mount at /sys/fs/cgroup/unified"
	b=$(bundle hv sh -c 'cat /proc/self/cgroup')
	out=$(unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /sys/fs/cgroup/unified && exec "$@"' sh \
		"$HULL_OCI" --root "$ROOT" run -b "$b" "$(cid hv)")
	assert_contains "$out" ":memory:/hull-test/$T-hv"
	assert_not_contains "$out" "0::/hull-test/$T-hv"
}

# cgroup v1 real-time budgets: the kernel refuses one the parents do not have (a new cgroup
# has none); runc and crun fail there, hull says which parent lacks it; with the parents'
# budgets given, the container gets its own
test_realtime_budget_needs_the_parents() {
	local b cpu=/sys/fs/cgroup/cpu
	[ -f "$cpu/cpu.rt_runtime_us" ] || skip "no cgroup v1 cpu controller with real-time groups"
	b=$(bundle rt cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us)
	cfg "$b" --arg p "/hull-test/$T-rt/c" '.linux.cgroupsPath = $p
		| .linux.resources.cpu = {realtimeRuntime: 10000, realtimePeriod: 1000000}
		| .mounts += [{destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["ro"]}]'
	mkdir -p "$cpu/hull-test/$T-rt"
	# the parent, in every hierarchy the container's cgroup was made in
	defer sh -c "rmdir /sys/fs/cgroup/*/hull-test/$T-rt"
	assert_fails oci run -b "$b" "$(cid rt)"
	assert_contains "$OUT" "realtimeRuntime 10000 exceeds the real-time budget of the parent cgroup \`/hull-test/$T-rt\` (cpu.rt_runtime_us 0)"
	[ ! -e "$cpu/hull-test/$T-rt/c" ] || fatal "the container's cgroup was left"
	# the parents' budgets, as dockerd's --cpu-rt-runtime gives them
	[ "$(cat "$cpu/hull-test/cpu.rt_runtime_us")" -ge 10000 ] || {
		echo 10000 >"$cpu/hull-test/cpu.rt_runtime_us"
		defer sh -c "echo 0 > $cpu/hull-test/cpu.rt_runtime_us"
	}
	echo 10000 >"$cpu/hull-test/$T-rt/cpu.rt_runtime_us"
	defer sh -c "echo 0 > $cpu/hull-test/$T-rt/cpu.rt_runtime_us"
	assert_eq "$(oci run -b "$b" "$(cid rt2)")" 10000
}

# In a user namespace the container's root cannot reach what its host uid cannot: the runtime
# opens the bind sources, as runc and crun do (a source under a 0700 directory, a file, a
# source relative to the bundle); a missing one is still an error naming it
test_bind_mounts_in_a_user_namespace() {
	local b out
	b=$(bundle ub sh -c 'cat /mnt/abs/f /mnt/rel/f /etc/one; touch /mnt/abs/g 2>&1 | grep -c Read-only')
	chown -R 100000:100000 "$b/rootfs"
	mkdir -p "$WORK/private/abs" "$b/private/rel"
	echo abs >"$WORK/private/abs/f"
	echo rel >"$b/private/rel/f"
	echo one >"$WORK/private/one"
	chmod 700 "$WORK/private" "$b/private"
	cfg "$b" --arg s "$WORK/private" '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}]
		| .linux.gidMappings=[{"containerID":0,"hostID":100000,"size":65536}]
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))
		| .mounts += [{destination: "/mnt/abs", type: "bind", source: ($s + "/abs"), options: ["rbind", "ro"]},
			{destination: "/mnt/rel", type: "bind", source: "private/rel", options: ["bind"]},
			{destination: "/etc/one", type: "bind", source: ($s + "/one"), options: ["bind", "ro"]}]'
	out=$(oci run -b "$b" "$(cid ub)")
	assert_eq "$out" $'abs\nrel\none\n1'
	cfg "$b" --arg s "$WORK/private" '.mounts[-1].source = ($s + "/none")'
	assert_fails oci run -b "$b" "$(cid ub2)"
	assert_contains "$OUT" "bind mount source \`$WORK/private/none\`: No such file or directory"
}

# SCMP_ACT_NOTIFY: the runtime sends the notify fd with the container process state to
# listenerPath (runtime-spec, runc, crun), for the container's process and for an exec'd one;
# the listener answers the calls
test_seccomp_notify_listener() {
	local b id lpid out
	python3 -c 'import socket; socket.recv_fds' 2>/dev/null || skip "python3 without socket.recv_fds"
	mkdir -p "$WORK/listener"
	python3 "$REPO/tests/data/seccomp_listener.py" "$WORK/listener.sock" "$WORK/listener" &
	lpid=$!
	defer kill "$lpid"
	for _ in $(seq 50); do [ -S "$WORK/listener.sock" ] && break; sleep 0.1; done
	b=$(bundle sn sh -c 'mkdir /made 2>&1; sleep 100')
	cfg "$b" --arg l "$WORK/listener.sock" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		architectures: ["SCMP_ARCH_X86_64"], listenerPath: $l, listenerMetadata: "hello",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}'
	id=$(cid sn)
	oci run -d -b "$b" "$id" </dev/null >"$WORK/out" 2>&1
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	for _ in $(seq 50); do [ -s "$WORK/out" ] && break; sleep 0.1; done
	assert_contains "$(cat "$WORK/out")" "Invalid cross-device link"
	out=$(cat "$WORK/listener/state.1.json")
	assert_eq "$(jq -c .fds <<<"$out")" '["seccompFd"]'
	assert_eq "$(jq -r .metadata <<<"$out")" hello
	assert_eq "$(jq -r .state.id <<<"$out")" "$id"
	assert_eq "$(jq -r .pid <<<"$out")" "$(pid_of "$id")"
	jq -e '.ociVersion | startswith("1.")' <<<"$out" >/dev/null || fatal "ociVersion: $out"
	# an exec'd process: its own fd, its own pid
	assert_fails oci exec "$id" mkdir /made2
	assert_contains "$OUT" "Invalid cross-device link"
	out=$(cat "$WORK/listener/state.2.json")
	assert_eq "$(jq -r .state.id <<<"$out")" "$id"
	[ "$(jq -r .pid <<<"$out")" != "$(pid_of "$id")" ] || fatal "the exec'd process's pid is the init's"
	# notify rules without a listener: nothing could answer them
	cfg "$b" 'del(.linux.seccomp.listenerPath)'
	assert_fails oci run -b "$b" "$(cid sn2)"
	assert_contains "$OUT" "SCMP_ACT_NOTIFY needs \`listenerPath\`"
}

# exec --cgroup (runc's): the process runs in a sub-cgroup the container made, in every
# hierarchy that has it; CTRL:SUB only in that controller's; `..`, a missing sub-cgroup
# named by its controller, a second bare SUB are refused
test_exec_into_sub_cgroup() {
	local b id cg base out line
	b=$(bundle xc sleep 100)
	id=$(cid xc)
	base=/hull-test/$id
	oci run -d -b "$b" "$id" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	for cg in /sys/fs/cgroup/*/hull-test/"$id" /sys/fs/cgroup/hull-test/"$id"; do
		[ -d "$cg" ] || continue
		case $cg in */cpuset/*) continue ;; esac # a new v1 cpuset holds no task until filled
		mkdir "$cg/sub"
	done
	out=$(oci exec --cgroup sub "$id" cat /proc/self/cgroup)
	while IFS= read -r line; do
		case $line in
		*:cpuset:*) assert_eq "${line##*:}" "$base" "cpuset, where there is no sub" ;;
		*) assert_eq "${line##*:}" "$base/sub" "$line" ;;
		esac
	done <<<"$out"
	if [ -d /sys/fs/cgroup/memory ]; then
		out=$(oci exec --cgroup memory,pids:sub "$id" cat /proc/self/cgroup)
		assert_eq "$(grep -c ":$base/sub\$" <<<"$out")" 2 "only memory and pids: $out"
		assert_contains "$out" ":memory:$base/sub"
		assert_contains "$out" ":pids:$base/sub"
		assert_fails oci exec --cgroup cpuset:sub "$id" true
		assert_contains "$OUT" "sub-cgroup"
	fi
	assert_fails oci exec --cgroup sub/../.. "$id" true
	assert_contains "$OUT" "\`..\` components are not allowed"
	assert_fails oci exec --cgroup nowhere "$id" true
	assert_contains "$OUT" "no hierarchy has the sub-cgroup"
	assert_fails oci exec --cgroup sub --cgroup other "$id" true
	assert_contains "$OUT" "the only --cgroup"
}

# Idmapped bind mounts (a mount's uidMappings/gidMappings; idmap with the container's own):
# what a mapping's containerID owns on disk shows as its hostID, also where the destination is
# a symlink, dangling or not, inside the rootfs
test_idmapped_mounts() {
	local b r out
	mkdir -p "$WORK/src"
	echo data >"$WORK/src/f"
	chown 0:0 "$WORK/src/f"
	b=$(bundle im sh -c 'stat -c "%u:%g" /mnt/plain/f /lnk/m/f /data/f /srv/real/f')
	r=$b/rootfs
	ln -s srv "$r/lnk"
	ln -s /opt/d "$r/data"
	mkdir -p "$r/srv/real"
	cfg "$b" --arg s "$WORK/src" '.mounts += [
		{destination: "/mnt/plain", type: "bind", source: $s, options: ["bind"],
		 uidMappings: [{containerID: 0, hostID: 1000, size: 1}], gidMappings: [{containerID: 0, hostID: 2000, size: 1}]},
		{destination: "/lnk/m", type: "bind", source: $s, options: ["rbind", "ro"],
		 uidMappings: [{containerID: 0, hostID: 1001, size: 1}], gidMappings: [{containerID: 0, hostID: 1001, size: 1}]},
		{destination: "/data", type: "bind", source: $s, options: ["bind"],
		 uidMappings: [{containerID: 0, hostID: 1002, size: 1}], gidMappings: [{containerID: 0, hostID: 1002, size: 1}]},
		{destination: "/srv/real", type: "bind", source: $s, options: ["bind"]}]'
	out=$(oci run -b "$b" "$(cid im)")
	assert_eq "$out" $'1000:2000\n1001:1001\n1002:1002\n0:0'
	[ -d "$r/srv/m" ] && [ -d "$r/opt/d" ] || fatal "the destinations were not made at the links' targets"
	assert_eq "$(stat -c %u:%g "$WORK/src/f")" 0:0 "the source's owner on disk"
	# idmap without mappings of its own needs the container's
	cfg "$b" '.mounts[-1].options += ["idmap"]'
	assert_fails oci run -b "$b" "$(cid im2)"
	assert_contains "$OUT" "an idmapped mount needs \`uidMappings\`"
	# idmap with the container's user namespace: the host's root-owned file is its root's
	b=$(bundle iu sh -c 'stat -c "%u:%g" /mnt/mapped/f /mnt/plain/f')
	chown -R 100000:100000 "$b/rootfs"
	cfg "$b" --arg s "$WORK/src" '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}]
		| .linux.gidMappings=[{"containerID":0,"hostID":100000,"size":65536}]
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))
		| .mounts += [{destination: "/mnt/mapped", type: "bind", source: $s, options: ["bind", "idmap"]},
			{destination: "/mnt/plain", type: "bind", source: $s, options: ["bind"]}]'
	out=$(oci run -b "$b" "$(cid iu)")
	assert_eq "$out" $'0:0\n65534:65534'
	# only bind mounts can be idmapped
	cfg "$b" '.mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs", options: ["idmap"]}]'
	assert_fails oci run -b "$b" "$(cid iu2)"
	assert_contains "$OUT" "idmapped mounts are bind mounts"
}

# features tells the truth about what these tests show
test_features_tell_the_truth() {
	local f
	f=$(oci features)
	jq -e '.linux.seccomp.actions | index("SCMP_ACT_NOTIFY")' <<<"$f" >/dev/null || fatal "no SCMP_ACT_NOTIFY: $f"
	assert_eq "$(jq -r .linux.mountExtensions.idmap.enabled <<<"$f")" true
	jq -e '.mountOptions | index("idmap") and index("ridmap")' <<<"$f" >/dev/null || fatal "no idmap options: $f"
}

# an image whose /etc/passwd is a fifo: HOME is "/", the container still starts
test_home_with_a_fifo_for_passwd() {
	local b
	b=$(bundle hf sh -c 'echo "HOME=$HOME"')
	rm "$b/rootfs/etc/passwd"
	mkfifo "$b/rootfs/etc/passwd"
	cfg "$b" '.process.user.uid=1000'
	assert_eq "$(timeout 20 "$HULL_OCI" --root "$ROOT" run -b "$b" "$(cid hf)")" "HOME=/"
}

# an init that fails before it takes the bind sources: its own error is the one reported
test_bind_sources_to_a_failed_init() {
	local b
	b=$(bundle bf true)
	mkdir -p "$WORK/src"
	cfg "$b" --arg s "$WORK/src" '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings=[{"containerID":1,"hostID":100000,"size":65536}]
		| .linux.gidMappings=[{"containerID":1,"hostID":100000,"size":65536}]
		| .mounts += [{destination: "/mnt", type: "bind", source: $s, options: ["bind"]}]'
	assert_fails oci run -b "$b" "$(cid bf)"
	assert_contains "$OUT" "become root in the user namespace"
}

# a VM container cannot have an idmapped mount (its shared root would lose the mapping): it
# says so instead of binding it plain
test_vm_refuses_idmapped_mounts() {
	local b
	vm_ready
	mkdir -p "$WORK/src"
	b=$(vm_bundle vi true)
	cfg "$b" --arg s "$WORK/src" '.mounts += [{destination: "/mnt", type: "bind", source: $s, options: ["bind"],
		uidMappings: [{containerID: 0, hostID: 1000, size: 1}], gidMappings: [{containerID: 0, hostID: 1000, size: 1}]}]'
	assert_fails oci run -b "$b" "$(cid vi)"
	assert_contains "$OUT" "idmapped mounts are supported at the container isolation level only"
}

# What cannot be executed is worded as runc words it, in Go's lowercase errno text: dockerd
# turns "no such file or directory" into 127 and "permission denied" into 126, case and all
# (test_docker_run_cannot_exec_exit_codes), for run and for exec.
test_exec_failures_in_runc_words() {
	local b id
	b=$(bundle ef /nonexistent)
	set +e
	oci run -b "$b" "$(cid ef1)" 2>"$WORK/err"
	assert_eq $? 1 "a missing program (create fails, as runc's)"
	assert_contains "$(cat "$WORK/err")" "exec \`/nonexistent\`: no such file or directory"
	cfg "$b" '.process.args=["/etc/passwd"]'
	oci run -b "$b" "$(cid ef2)" 2>"$WORK/err"
	assert_eq $? 1 "a file without an x bit"
	assert_contains "$(cat "$WORK/err")" "exec \`/etc/passwd\`: permission denied"
	cfg "$b" '.process.args=["/etc"]'
	oci run -b "$b" "$(cid ef3)" 2>"$WORK/err"
	assert_eq $? 1 "a directory"
	assert_contains "$(cat "$WORK/err")" "exec \`/etc\`: is a directory"
	cfg "$b" '.process.args=["hull-no-such-command"]'
	oci run -b "$b" "$(cid ef4)" 2>"$WORK/err"
	assert_eq $? 1 "a name not in PATH"
	assert_contains "$(cat "$WORK/err")" "executable file not found in \$PATH: no such file or directory"
	printf 'neither ELF nor #!\n' >"$b/rootfs/garbage"
	chmod 755 "$b/rootfs/garbage"
	cfg "$b" '.process.args=["/garbage"]'
	oci run -b "$b" "$(cid ef5)" 2>"$WORK/err"
	assert_eq $? 126 "an exec format error (after start: the workload's status)"
	assert_contains "$(cat "$WORK/err")" "exec \`/garbage\`: exec format error"
	set -e
	cfg "$b" '.process.args=["sleep","100"]'
	id=$(cid ef6)
	oci run -d -b "$b" "$id" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	set +e
	# exec's own failures are 255 (runc-exec(8)): apart from the process's status 1
	oci exec "$id" /nonexistent 2>"$WORK/err"
	assert_eq $? 255 "exec of a missing program (runc's status)"
	assert_contains "$(cat "$WORK/err")" "exec \`/nonexistent\`: no such file or directory"
	oci exec "$id" /garbage 2>"$WORK/err"
	assert_eq $? 255 "exec of an exec format error"
	assert_contains "$(cat "$WORK/err")" "exec \`/garbage\`: exec format error"
	oci exec --pid-file /no/such/dir/pid "$id" true 2>"$WORK/err"
	assert_eq $? 255 "exec with a pid file it cannot write"
	oci exec "$(cid no-such)" true 2>"$WORK/err"
	assert_eq $? 255 "exec in a container that does not exist"
	assert_contains "$(cat "$WORK/err")" "does not exist"
	oci exec "$id" false
	assert_eq $? 1 "the process's own status 1"
	set -e
}

# `run` and `exec -t` in the foreground without --console-socket relay the pty themselves:
# what reaches their stdout is the workload's lines, "\n" not "\r\n" (runc clears the pty's
# ONLCR too), so a script reading a containers's output gets the same bytes with a terminal
# or without.  A caller's console socket gets the pty as a terminal has it, ONLCR on.
test_foreground_terminal_keeps_newlines() {
	local b id helper
	b=$(bundle fn printf 'a\nb\n')
	cfg "$b" '.process.terminal=true'
	oci run -b "$b" "$(cid fn1)" </dev/null >"$WORK/run.out"
	assert_eq "$(od -An -c "$WORK/run.out" | tr -s ' ')" " a \n b \n" "run's terminal output"
	cfg "$b" '.process.terminal=false | .process.args=["sleep","100"]'
	id=$(cid fn2)
	oci run -d -b "$b" "$id" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	oci exec -t "$id" printf 'c\nd\n' </dev/null >"$WORK/exec.out"
	assert_eq "$(od -An -c "$WORK/exec.out" | tr -s ' ')" " c \n d \n" "exec -t's output"
	helper=/var/tmp/hull-test-cache/recvtty
	if [ ! -x "$helper" ] || [ "$REPO/tests/data/recvtty.c" -nt "$helper" ]; then
		mkdir -p "$(dirname "$helper")"
		cc -O2 -o "$helper" "$REPO/tests/data/recvtty.c"
	fi
	"$helper" "$WORK/tty.sock" >"$WORK/sock.out" &
	for _ in $(seq 50); do [ -S "$WORK/tty.sock" ] && break; sleep 0.05; done
	oci exec -t --console-socket "$WORK/tty.sock" "$id" printf 'e\n'
	wait
	assert_contains "$(od -An -c "$WORK/sock.out" | tr -s ' ')" " e \r \n" "a console socket's pty"
}

# kill as runc's: signal 0 asks whether the container runs; a stopped one fails in runc's
# words (containerd's shim reads "container not running" as already gone), except with
# --all, which runc keeps for that alone.
test_kill_null_signal_and_stopped() {
	local b id
	b=$(bundle kn sleep 100)
	id=$(cid kn)
	oci run -d -b "$b" "$id" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	oci kill "$id" 0
	assert_eq "$(state_of "$id")" running "signal 0 leaves it running"
	oci kill "$id" KILL
	wait_status "$id" stopped
	assert_fails oci kill "$id" 0
	assert_contains "$OUT" "container not running"
	assert_fails oci kill "$id" TERM
	assert_contains "$OUT" "container not running"
	oci kill --all "$id" KILL
	oci kill -a "$id" 0
	assert_fails oci kill "$id" 99
	assert_contains "$OUT" "unknown signal"
}

# A container's cgroup that already exists frozen (left by a crash, or frozen by someone
# else) is refused: its init would stop there half-way and create wait for it for ever.
test_frozen_cgroup_is_refused() {
	local b dir state thawed
	b=$(bundle fz true)
	if [ -f /sys/fs/cgroup/freezer/freezer.state ] || [ -d /sys/fs/cgroup/freezer ]; then
		dir=/sys/fs/cgroup/freezer/hull-test/$T-fz state=freezer.state thawed=THAWED
		mkdir -p "$dir"
		echo FROZEN >"$dir/$state"
	else
		dir=/sys/fs/cgroup/hull-test/$T-fz state=cgroup.freeze thawed=0
		[ -f /sys/fs/cgroup/cgroup.controllers ] || skip "no freezer"
		mkdir -p "$dir"
		echo 1 >"$dir/$state"
	fi
	defer sh -c "echo $thawed > $dir/$state 2>/dev/null; rmdir $dir 2>/dev/null; true"
	cfg "$b" --arg p "/hull-test/$T-fz" '.linux.cgroupsPath = $p'
	assert_fails timeout 20 "$HULL_OCI" --root "$ROOT" run -d -b "$b" "$(cid fz)"
	assert_contains "$OUT" "container's cgroup unexpectedly frozen"
	assert_eq "$(ls "$ROOT")" "" "state left"
	[ -d "$dir" ] || fatal "the cgroup found frozen was removed"
	assert_fails timeout 20 "$HULL_OCI" --root "$ROOT" create -b "$b" "$(cid fz2)"
	assert_contains "$OUT" "container's cgroup unexpectedly frozen"
}

# What hull-oci's caller left open (fds without close-on-exec) is not in the container's
# init while it waits for start, where /proc/1/fd would show it to the container; the
# --preserve-fds ones stay, and the workload still gets exactly those.
test_created_init_holds_no_inherited_fds() {
	local b id pid fds
	b=$(bundle ci sh -c 'ls /proc/self/fd | tr "\n" " "')
	id=$(cid ci)
	oci create --preserve-fds 1 -b "$b" "$id" 3</etc/hostname 5</etc/passwd 9>"$WORK/nine" </dev/null >"$WORK/out"
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	pid=$(pid_of "$id")
	fds=$(for f in /proc/"$pid"/fd/*; do readlink "$f"; done | tr "\n" " ")
	assert_contains "$fds" "/etc/hostname" "the preserved fd 3"
	assert_not_contains "$fds" "/etc/passwd" "an inherited fd 5"
	assert_not_contains "$fds" "$WORK/nine" "an inherited fd 9"
	oci start "$id"
	wait_status "$id" stopped
	assert_eq "$(cat "$WORK/out")" "0 1 2 3 4 " "the workload's fds (4: ls's directory)"
}

# A seccomp filter loaded before the runtime sets close-on-exec (noNewPrivileges false)
# may deny close_range, as a profile older than it does: the fds are then marked one by one.
test_seccomp_denying_close_range() {
	local b
	b=$(bundle sr sh -c 'ls /proc/self/fd | tr "\n" " "')
	cfg "$b" '.process.noNewPrivileges = false
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
			syscalls: [{names: ["close_range"], action: "SCMP_ACT_ERRNO", errnoRet: 38}]}'
	assert_eq "$(oci run -b "$b" "$(cid sr)" </dev/null 7</etc/hostname)" "0 1 2 3 " "the workload's fds"
}

# The terminal belongs to the process's user (its group stays devpts' gid=5), as with runc:
# screen, tmux, mesg and write refuse a terminal the user does not own.
test_terminal_owned_by_the_process_user() {
	local b id
	b=$(bundle to sh -c 'stat -c %u:%g $(tty)')
	cfg "$b" '.process.terminal = true | .process.user = {uid: 1000, gid: 1000}'
	assert_eq "$(oci run -b "$b" "$(cid to1)" </dev/null)" "1000:5" "run's terminal"
	cfg "$b" '.process.terminal = false | .process.user = {uid: 0, gid: 0} | .process.args = ["sleep", "100"]'
	id=$(cid to2)
	oci run -d -b "$b" "$id" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	assert_eq "$(oci exec -t -u 1000:1000 "$id" sh -c 'stat -c %u:%g $(tty)' </dev/null)" "1000:5" "exec's terminal"
	assert_eq "$(oci exec -t "$id" sh -c 'stat -c %u:%g $(tty)' </dev/null)" "0:5" "root's"
}

# A read-only /dev (its mount's "ro") still gets its devices, /dev/pts and the console, and is
# read-only to the workload, as with runc.
test_read_only_dev() {
	local b out
	b=$(bundle rd sh -c 'grep " /dev " /proc/mounts; ls /dev/pts /dev/null; stat -c %t:%T /dev/console; touch /dev/x 2>&1; true')
	cfg "$b" '.process.terminal = true
		| .mounts |= map((select(.destination == "/dev") | .options += ["ro"]) // .)'
	out=$(oci run -b "$b" "$(cid rd)" </dev/null)
	assert_contains "$out" "tmpfs /dev tmpfs ro,"
	assert_contains "$out" "ptmx"
	assert_contains "$out" "/dev/null"
	assert_contains "$out" "88:" "the pty on /dev/console"
	assert_contains "$out" "Read-only file system"
}

# proc and sysfs are not mounted through a symlink the image put in their place (its /proc
# pointing elsewhere): refused in runc's words; a real directory still works.
test_proc_and_sys_not_through_symlinks() {
	local b
	b=$(bundle ps true)
	rm -rf "$b/rootfs/proc"
	mkdir "$b/rootfs/elsewhere"
	ln -s /elsewhere "$b/rootfs/proc"
	assert_fails oci run -b "$b" "$(cid ps1)" </dev/null
	assert_contains "$OUT" "filesystem \`proc\` must be mounted on ordinary directory"
	rm "$b/rootfs/proc"
	mkdir "$b/rootfs/proc"
	rm -rf "$b/rootfs/sys"
	ln -s /elsewhere "$b/rootfs/sys"
	cfg "$b" 'if any(.mounts[]; .destination == "/sys") then . else .mounts += [{destination: "/sys", type: "sysfs", source: "sysfs", options: ["ro"]}] end'
	assert_fails oci run -b "$b" "$(cid ps2)" </dev/null
	assert_contains "$OUT" "filesystem \`sysfs\` must be mounted on ordinary directory"
	rm "$b/rootfs/sys"
	mkdir "$b/rootfs/sys"
	oci run -b "$b" "$(cid ps3)" </dev/null
}

# tmpcopyup (podman asks for it): the tmpfs starts with what the image has at its
# destination, owners, modes and symlinks kept; without the option it starts empty.
test_tmpfs_copyup() {
	local b r out
	b=$(bundle tc sh -c 'cd /data && ls -ln . sub | grep -v total | awk "{print \$1, \$3, \$4, \$NF}"; cat link; grep " /data " /proc/mounts')
	r=$b/rootfs
	mkdir -p "$r/data/sub"
	chmod 777 "$r/data/sub"
	printf 'content\n' >"$r/data/file"
	chown 1000:1000 "$r/data/file"
	chmod 640 "$r/data/file"
	ln -s file "$r/data/link"
	cfg "$b" '.mounts += [{destination: "/data", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup"]}]'
	out=$(oci run -b "$b" "$(cid tc1)" </dev/null)
	assert_contains "$out" "-rw-r----- 1000 1000 file"
	assert_contains "$out" "drwxrwxrwx 0 0 sub"
	assert_contains "$out" "lrwxrwxrwx 0 0 file"
	assert_contains "$out" "content"
	assert_contains "$out" "tmpfs /data tmpfs"
	cfg "$b" '.mounts[-1].options = []'
	out=$(oci run -b "$b" "$(cid tc2)" </dev/null 2>&1 || true)
	assert_not_contains "$out" "content" "without tmpcopyup"
}

# A name set twice in process.env is set once, to its last value, as runc does (PATH's last
# value is also the one the program is looked up in; an empty last HOME is no HOME).
test_env_duplicates_keep_the_last() {
	local b
	b=$(bundle ed env)
	cfg "$b" '.process.env = ["ONE=two", "PATH=/nowhere", "ONE=", "PATH=/usr/bin:/bin", "HOME=/x", "HOME="]'
	assert_eq "$(oci run -b "$b" "$(cid ed)" </dev/null | sort | tr "\n" " ")" "HOME=/root ONE= PATH=/usr/bin:/bin "
}

# list: a --root that does not exist is an error (a mistyped one would otherwise look like
# a host without containers), as with runc; an existing empty one lists nothing.
test_list_missing_root() {
	assert_fails "$HULL_OCI" --root "$WORK/no-such-root" list
	assert_contains "$OUT" "no-such-root"
	mkdir -p "$WORK/empty-root"
	assert_eq "$("$HULL_OCI" --root "$WORK/empty-root" list -q)" ""
}

# Options after the container's id, as runc's command line takes them (`runc update ID
# --pids-limit 5`, `runc delete ID --force`); exec and ps keep what follows the id for the
# process and for ps.
test_options_after_the_id() {
	local b id
	b=$(bundle oa sleep 100)
	id=$(cid oa)
	oci run "$id" -d -b "$b" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	oci update "$id" --pids-limit 57
	assert_eq "$(oci exec "$id" cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || oci exec "$id" cat /sys/fs/cgroup/pids.max)" 57
	assert_eq "$(oci exec "$id" sh -c 'echo -n $0' -x)" "-x" "exec's arguments stay the process's"
	oci pause "$id" --help >/dev/null
	oci kill "$id" KILL --all
	wait_status "$id" stopped
	oci delete "$id" --force
	assert_eq "$(ls "$ROOT")" "" "deleted"
}

# process.scheduler and process.ioPriority (runtime-spec 1.2, runc 1.2) are applied to the
# workload and to an exec'd process given them, not ignored; unknown names are refused.
test_scheduler_and_io_priority() {
	local b id
	# /proc/self/stat: nice is field 19, the policy field 41; ionice reads the io class
	b=$(bundle sc sh -c 'cut -d" " -f19,41 /proc/self/stat; ionice')
	cfg "$b" '.process.scheduler = {policy: "SCHED_BATCH", nice: 19, priority: 0}
		| .process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 4}'
	assert_eq "$(oci run -b "$b" "$(cid sc1)" </dev/null)" $'19 3\nbest-effort: prio 4'
	cfg "$b" '.process.args = ["sleep", "100"] | del(.process.scheduler) | del(.process.ioPriority)'
	id=$(cid sc2)
	oci run -d -b "$b" "$id" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	jq -n '{args: ["sh", "-c", "cut -d\" \" -f19,41 /proc/self/stat; ionice"], cwd: "/",
		user: {uid: 0, gid: 0}, scheduler: {policy: "SCHED_IDLE"},
		ioPriority: {class: "IOPRIO_CLASS_IDLE"}}' >"$WORK/p.json"
	assert_eq "$(oci exec --process "$WORK/p.json" "$id")" $'0 5\nidle' "exec --process"
	assert_eq "$(oci exec "$id" cut -d" " -f41 /proc/1/stat)" 0 "the init's policy untouched"
	cfg "$b" '.process.scheduler = {policy: "SCHED_NOSUCH"}'
	assert_fails oci run -b "$b" "$(cid sc3)" </dev/null
	assert_contains "$OUT" "unknown policy \`SCHED_NOSUCH\`"
}

# Without a pid namespace of its own, a container's processes do not die with its init:
# `kill ID KILL` takes them all (as runc), not only the init, so none outlives the
# container reported stopped.
test_kill_without_own_pidns_takes_every_process() {
	local b id pids p
	b=$(bundle kp sleep 100)
	no_pidns "$b"
	id=$(cid kp)
	oci run -d -b "$b" "$id" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	oci exec -d --pid-file "$WORK/p1" "$id" sleep 101
	oci exec -d --pid-file "$WORK/p2" "$id" sleep 102
	pids="$(pid_of "$id") $(cat "$WORK/p1") $(cat "$WORK/p2")"
	oci kill "$id" KILL
	for _ in $(seq 50); do
		local left=""
		for p in $pids; do alive "$p" && left+="$p "; done
		[ -z "$left" ] && break
		sleep 0.1
	done
	[ -z "$left" ] || fatal "processes left after kill KILL: $left"
	wait_status "$id" stopped
}

# exec in a paused container: refused (exit 255), unless --ignore-paused, whose process
# waits frozen until the container is resumed, as with runc.
test_exec_ignore_paused() {
	local b id start
	b=$(bundle ip sleep 100)
	id=$(cid ip)
	oci run -d -b "$b" "$id" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	oci pause "$id"
	set +e
	oci exec "$id" echo ok 2>"$WORK/err"
	assert_eq $? 255 "exec in a paused container"
	set -e
	assert_contains "$(cat "$WORK/err")" "cannot exec in a paused container"
	(sleep 1 && "$HULL_OCI" --root "$ROOT" resume "$id") &
	start=$(date +%s%N)
	assert_eq "$(timeout 20 "$HULL_OCI" --root "$ROOT" exec --ignore-paused "$id" echo ok)" ok
	wait
	[ $(($(date +%s%N) - start)) -ge 800000000 ] || fatal "the exec ran before the resume"
}

# A startContainer hook (run in the container) without `env` gets the workload's
# environment, as with runc, not the one hull-oci was started with on the host.
test_start_container_hook_gets_the_workload_env() {
	local b
	b=$(bundle sh true)
	cat >"$b/rootfs/hook.sh" <<-'HOOK'
		#!/bin/sh
		echo "ONE=$ONE HOST=${HULL_TEST_HOST_SECRET:-unset}" >/hook.out
	HOOK
	chmod +x "$b/rootfs/hook.sh"
	cfg "$b" '.process.env += ["ONE=two"] | .hooks = {startContainer: [{path: "/hook.sh"}]}'
	HULL_TEST_HOST_SECRET=leaked oci run -b "$b" "$(cid sh)" </dev/null
	assert_eq "$(cat "$b/rootfs/hook.out")" "ONE=two HOST=unset"
}

# linux.personality is the exec'd processes' too, as runc's exec sets it, not only the init's.
test_exec_takes_the_personality() {
	local b id
	b=$(bundle xp sleep 100)
	cfg "$b" '.linux.personality = {domain: "LINUX32"}'
	id=$(cid xp)
	oci run -d -b "$b" "$id" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	assert_eq "$(oci exec "$id" uname -m)" i686
}

# Without its own pid namespace, a container whose init died is stopped while its other
# processes live on in its cgroup: `kill ID KILL` (or --all) still reaches them, by cgroup
# (runc's), and fails only when nothing is left.
test_kill_reaches_leftovers_of_a_stopped_container() {
	local b id p
	b=$(bundle kl sleep 100)
	no_pidns "$b"
	id=$(cid kl)
	oci run -d -b "$b" "$id" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	oci exec -d --pid-file "$WORK/p1" "$id" sleep 101
	p=$(cat "$WORK/p1")
	kill -9 "$(pid_of "$id")"
	wait_status "$id" stopped
	alive "$p" || fatal "the exec'd process died with the init"
	oci kill "$id" KILL
	for _ in $(seq 50); do alive "$p" || break; sleep 0.1; done
	alive "$p" && fatal "kill KILL left $p"
	assert_fails oci kill "$id" KILL
	assert_contains "$OUT" "container not running"
}

# `hull-oci spec` lists a cgroup namespace where runc's does: only on a host whose
# /sys/fs/cgroup is cgroup v2 (unified); v1 and hybrid hosts get none.
test_spec_cgroup_namespace_as_runc() {
	local want=false
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && want=true
	mkdir "$WORK/sc"
	oci spec -b "$WORK/sc"
	assert_eq "$(jq '[.linux.namespaces[].type] | index("cgroup") != null' "$WORK/sc/config.json")" "$want"
}

# The host's /proc bound on /proc (what rootless podman --pid=host does, a new procfs
# needing a pid namespace of one's own) is allowed, as runc allows it; a bind of anything
# else over /proc is still refused.
test_proc_bound_from_the_host() {
	local b out
	b=$(bundle pb sh -c 'test -e /proc/1/status && echo proc-ok')
	no_pidns "$b"
	cfg "$b" '.mounts |= map(if .type == "proc" then {destination: "/proc", type: "bind", source: "/proc", options: ["rbind", "nosuid", "nodev", "noexec"]} else . end)'
	out=$(oci run -b "$b" "$(cid pb1)" </dev/null)
	assert_eq "$out" proc-ok
	mkdir -p "$WORK/fake"
	cfg "$b" --arg s "$WORK/fake" '.mounts |= map(if .destination == "/proc" then .source = $s else . end)'
	assert_fails oci run -b "$b" "$(cid pb2)" </dev/null
	assert_contains "$OUT" "mounting over /proc is not allowed"
}
