# SPDX-License-Identifier: Apache-2.0
# The process: args, env, cwd, identity, umask, stdio, fds, terminal.

test_args_env_cwd() {
	local b out
	b=$(bundle a sh -c 'echo "$0|$1|$FOO|$(pwd)"' arg0 arg1)
	cfg "$b" '.process.env += ["FOO=bar baz"] | .process.cwd="/tmp"'
	out=$(oci run -b "$b" "$(cid a)")
	assert_eq "$out" "arg0|arg1|bar baz|/tmp"
}

# runc and crun make a missing cwd (as the container's root, 0755), inside the root even when
# a symlink on the way points out of it; exec's cwd must exist
test_cwd_missing_is_created() {
	local b id out
	b=$(bundle cw sh -c 'pwd; stat -c "%a %u" /does/not/exist')
	cfg "$b" '.process.cwd="/does/not/exist" | .process.user.uid=1000 | .root.readonly=true'
	out=$(oci run -b "$b" "$(cid cw)")
	assert_eq "$out" $'/does/not/exist\n755 0'
	ln -s /var/tmp/hull-cwd-escape-$T "$b/rootfs/escape"
	cfg "$b" '.process.cwd="/escape/sub" | .process.args=["pwd"]'
	out=$(oci run -b "$b" "$(cid cw2)")
	assert_eq "$out" "/var/tmp/hull-cwd-escape-$T/sub"
	[ ! -e "/var/tmp/hull-cwd-escape-$T" ] || { rm -rf "/var/tmp/hull-cwd-escape-$T"; fatal "cwd made outside the root"; }
	[ -d "$b/rootfs/var/tmp/hull-cwd-escape-$T/sub" ] || fatal "cwd not made at the link's target inside the root: $out"
	cfg "$b" '.process.cwd="/" | .process.args=["sleep","100"]'
	id=$(cid cw3)
	oci run -d -b "$b" "$id" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	assert_fails oci exec --cwd /not/here "$id" pwd
	assert_contains "$OUT" "/not/here"
}

test_user_group_additional_gids() {
	local b out
	b=$(bundle ug sh -c 'id -u; id -g; id -G')
	cfg "$b" '.process.user={"uid":1000,"gid":1000,"additionalGids":[5,65534]}'
	out=$(oci run -b "$b" "$(cid ug)")
	assert_eq "$(sed -n 1p <<<"$out")" 1000
	assert_eq "$(sed -n 2p <<<"$out")" 1000
	assert_contains "$(sed -n 3p <<<"$out")" "5"
	assert_contains "$(sed -n 3p <<<"$out")" "65534"
}

test_umask() {
	local b out
	b=$(bundle um sh -c umask)
	cfg "$b" '.process.user.umask=63'
	out=$(oci run -b "$b" "$(cid um)")
	assert_eq "$out" 0077
	cfg "$b" 'del(.process.user.umask)'
	out=$(oci run -b "$b" "$(cid um2)")
	assert_eq "$out" 0022
}

# Every rlimit of the list is set, soft and hard, before the exec.
test_rlimits() {
	local b out
	b=$(bundle rl sh -c 'grep -E "^Max (open files|core file size)" /proc/self/limits')
	cfg "$b" '.process.rlimits=[{"type":"RLIMIT_NOFILE","soft":123,"hard":456},
		{"type":"RLIMIT_CORE","soft":4096,"hard":8192}]'
	out=$(oci run -b "$b" "$(cid rl)")
	assert_eq "$(awk '/open files/ {print $4, $5}' <<<"$out")" "123 456"
	assert_eq "$(awk '/core file size/ {print $5, $6}' <<<"$out")" "4096 8192"
}

# process.ioPriority (runtime-spec 1.1) is the init's and an exec'd process's I/O class and
# level; a bad class or level is refused before anything runs
test_io_priority() {
	local b id
	b=$(bundle io sh -c 'ionice -p $$; sleep 100')
	cfg "$b" '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 6}'
	id=$(cid io)
	oci run -d -b "$b" "$id" >"$WORK/out" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	for _ in $(seq 200); do [ -s "$WORK/out" ] && break; sleep 0.05; done
	assert_eq "$(cat "$WORK/out")" "best-effort: prio 6" "the init's"
	assert_eq "$(oci exec "$id" sh -c 'ionice -p $$')" "best-effort: prio 6" "an exec'd process's"
	cfg "$b" '.process.ioPriority = {class: "IOPRIO_CLASS_IDLE"} | .process.args = ["sh", "-c", "ionice -p $$"]'
	assert_eq "$(oci run -b "$b" "$(cid io2)")" "idle"
	cfg "$b" '.process.ioPriority = {class: "IOPRIO_CLASS_BEST"}'
	assert_fails oci run -b "$b" "$(cid io3)"
	assert_contains "$OUT" "process.ioPriority.class"
	cfg "$b" '.process.ioPriority = {class: "IOPRIO_CLASS_RT", priority: 8}'
	assert_fails oci run -b "$b" "$(cid io4)"
	assert_contains "$OUT" "priority"
}

# process.scheduler (runtime-spec 1.2) is the init's and an exec'd process's policy, nice and
# deadline budget (/proc/PID/stat: nice is field 19, the policy 41); what runc or the kernel
# would refuse is refused before anything runs, naming the field
test_scheduler() {
	local b id
	b=$(bundle sc sh -c 'cut -d" " -f19,41 /proc/$$/stat; sleep 100')
	cfg "$b" '.process.scheduler = {policy: "SCHED_BATCH", nice: 7}'
	id=$(cid sc)
	oci run -d -b "$b" "$id" >"$WORK/out" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	for _ in $(seq 200); do [ -s "$WORK/out" ] && break; sleep 0.05; done
	assert_eq "$(cat "$WORK/out")" "7 3" "the init's nice and policy (SCHED_BATCH)"
	assert_eq "$(oci exec "$id" sh -c 'cut -d" " -f19,41 /proc/$$/stat')" "7 3" "an exec'd process's"
	cfg "$b" '.process.scheduler = {policy: "SCHED_IDLE"} | .process.args = ["sh", "-c", "cut -d\" \" -f41 /proc/$$/stat"]'
	assert_eq "$(oci run -b "$b" "$(cid sc2)")" 5 "SCHED_IDLE"
	if [ -e /proc/sys/kernel/sched_deadline_period_max_us ]; then
		cfg "$b" '.process.scheduler = {policy: "SCHED_DEADLINE", runtime: 1000000, deadline: 10000000, period: 10000000}'
		assert_eq "$(oci run -b "$b" "$(cid sc3)")" 6 "SCHED_DEADLINE"
	fi
	cfg "$b" '.process.scheduler = {policy: "SCHED_DEADLINE", runtime: 20000000, deadline: 10000000}'
	assert_fails oci run -b "$b" "$(cid sc4)"
	assert_contains "$OUT" "process.scheduler"
	assert_contains "$OUT" "runtime <= deadline <= period"
	cfg "$b" '.process.scheduler = {policy: "SCHED_OTHER", priority: 5}'
	assert_fails oci run -b "$b" "$(cid sc5)"
	assert_contains "$OUT" "process.scheduler.priority"
	cfg "$b" '.process.scheduler = {policy: "SCHED_FAST"}'
	assert_fails oci run -b "$b" "$(cid sc6)"
	assert_contains "$OUT" "unknown policy"
	cfg "$b" '.process.scheduler = {policy: "SCHED_BATCH", nice: 20}'
	assert_fails oci run -b "$b" "$(cid sc7)"
	assert_contains "$OUT" "process.scheduler"
	cfg "$b" '.process.scheduler = {policy: "SCHED_BATCH", flags: ["SCHED_FLAG_FAST"]}'
	assert_fails oci run -b "$b" "$(cid sc8)"
	assert_contains "$OUT" "unknown flag"
}

# A real-time policy (rt_priority is field 40 of /proc/PID/stat); with cgroup v1 real-time
# groups the container's cgroup needs a budget first, which the error points to
test_scheduler_real_time() {
	local b cpu=/sys/fs/cgroup/cpu
	b=$(bundle rt sh -c 'cut -d" " -f40,41 /proc/$$/stat')
	cfg "$b" '.process.scheduler = {policy: "SCHED_FIFO", priority: 10}'
	if [ -f "$cpu/cpu.rt_runtime_us" ]; then
		assert_fails oci run -b "$b" "$(cid rt1)"
		assert_contains "$OUT" "linux.resources.cpu.realtimeRuntime"
		[ "$(cat "$cpu/hull-test/cpu.rt_runtime_us")" -ge 10000 ] || {
			echo 10000 >"$cpu/hull-test/cpu.rt_runtime_us"
			defer sh -c "echo 0 > $cpu/hull-test/cpu.rt_runtime_us"
		}
		cfg "$b" '.linux.resources.cpu = {realtimeRuntime: 10000, realtimePeriod: 1000000}'
	fi
	assert_eq "$(oci run -b "$b" "$(cid rt2)")" "10 1" "rt_priority 10, SCHED_FIFO"
}

# A workload that is not root can reopen the stdio it was given (runc and crun hand pipes
# and files to the container's user): /dev/stdout as nginx's log; /dev/null stays root's
test_stdio_reopened_by_the_user() {
	local b out
	b=$(bundle so sh -c 'echo reopened >/dev/stdout; echo err >/dev/stderr; stat -Lc "%U %G" /proc/self/fd/1')
	cfg "$b" '.process.user.uid=1000 | .process.user.gid=1000'
	out=$(oci run -b "$b" "$(cid so)" </dev/null 2>"$WORK/err" | cat)
	assert_eq "$out" $'reopened\napp app'
	assert_eq "$(cat "$WORK/err")" err
	assert_eq "$(stat -c %u:%g /dev/null)" 0:0 "/dev/null given as stdin was not handed over"
}

# linux.memoryPolicy (runtime-spec 1.3) is the workload's NUMA policy (numa_maps shows it on
# each mapping); a bad mode, flag or node list is refused before anything runs
test_memory_policy() {
	local b
	[ -e /proc/self/numa_maps ] || skip "a kernel without NUMA"
	b=$(bundle mp sh -c 'head -1 /proc/self/numa_maps | cut -d" " -f2')
	cfg "$b" '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "0", flags: ["MPOL_F_STATIC_NODES"]}'
	assert_eq "$(oci run -b "$b" "$(cid mp1)")" "bind=static:0"
	cfg "$b" '.linux.memoryPolicy = {mode: "MPOL_LOCAL"}'
	assert_eq "$(oci run -b "$b" "$(cid mp2)")" "local"
	cfg "$b" '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "0-2,x"}'
	assert_fails oci run -b "$b" "$(cid mp3)"
	assert_contains "$OUT" "linux.memoryPolicy.nodes"
	cfg "$b" '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "4096"}'
	assert_fails oci run -b "$b" "$(cid mp4)"
	assert_contains "$OUT" "node 4096"
	cfg "$b" '.linux.memoryPolicy = {mode: "MPOL_NEAR"}'
	assert_fails oci run -b "$b" "$(cid mp5)"
	assert_contains "$OUT" "unknown mode"
	cfg "$b" '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "0", flags: ["MPOL_F_FAST"]}'
	assert_fails oci run -b "$b" "$(cid mp6)"
	assert_contains "$OUT" "unknown flag"
}

test_capabilities_applied() {
	local b out
	b=$(bundle cp sh -c 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status')
	# as a non-root user, so that exec does not hand root its bounding set back
	cfg "$b" '.process.user={"uid":1000,"gid":1000}
		| .process.capabilities={"bounding":["CAP_KILL","CAP_CHOWN"],"effective":["CAP_KILL"],
		"permitted":["CAP_KILL","CAP_CHOWN"],"inheritable":["CAP_KILL"],"ambient":["CAP_KILL"]}'
	out=$(oci run -b "$b" "$(cid cp)")
	# CAP_CHOWN is bit 0, CAP_KILL bit 5; after exec only the ambient one stays
	assert_contains "$out" "CapBnd:	0000000000000021"
	assert_contains "$out" "CapPrm:	0000000000000020"
	assert_contains "$out" "CapEff:	0000000000000020"
	assert_contains "$out" "CapInh:	0000000000000020"
	assert_contains "$out" "CapAmb:	0000000000000020"
	# root keeps what the bounding set allows, nothing more
	cfg "$b" '.process.user={"uid":0,"gid":0}'
	out=$(oci run -b "$b" "$(cid cp1)")
	assert_contains "$out" "CapBnd:	0000000000000021"
	assert_contains "$out" "CapPrm:	0000000000000021"
	# unknown names are ignored with a warning, as runc and crun do; the others still apply
	cfg "$b" '.process.capabilities.bounding += ["CAP_BOGUS"] | .process.capabilities.effective += ["cap_net_raw"]'
	out=$(oci run -b "$b" "$(cid cp2)" 2>"$WORK/warn")
	assert_contains "$(cat "$WORK/warn")" "ignoring unknown or unavailable capabilities: [CAP_BOGUS cap_net_raw]"
	assert_contains "$out" "CapBnd:	0000000000000021"
	assert_contains "$out" "CapEff:	0000000000000021"
}

test_stdio_passthrough() {
	local b
	b=$(bundle io sh -c 'read line; echo "out:$line"; echo "err:$line" >&2')
	echo piped | oci run -b "$b" "$(cid io)" >"$WORK/o" 2>"$WORK/e"
	assert_eq "$(cat "$WORK/o")" "out:piped"
	assert_eq "$(cat "$WORK/e")" "err:piped"
}

test_preserve_fds_and_listen_fds() {
	local b out
	b=$(bundle pf sh -c 'cat <&3; cat <&4; echo "L=$LISTEN_FDS P=$LISTEN_PID"; ls /proc/self/fd | sort -n | tr "\n" " "')
	echo three >"$WORK/f3"
	echo four >"$WORK/f4"
	out=$(oci run --preserve-fds 2 -b "$b" "$(cid pf)" 3<"$WORK/f3" 4<"$WORK/f4")
	assert_contains "$out" three
	assert_contains "$out" four
	# socket activation: LISTEN_FDS meant for us is handed on with LISTEN_PID=1
	out=$(LISTEN_FDS=2 bash -c 'LISTEN_PID=$$ exec "$0" --root "$1" run -b "$2" "$3"' \
		"$HULL_OCI" "$ROOT" "$b" "$(cid pf2)" 3<"$WORK/f3" 4<"$WORK/f4")
	assert_contains "$out" "L=2 P=1"
}

# CVE-2024-21626 class: no fd of the runtime or the caller reaches the workload.
test_other_fds_closed() {
	local b out
	b=$(bundle fd sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "; readlink /proc/self/cwd')
	out=$(oci run -b "$b" "$(cid fd)" 7<"$WORK/../" 8<>"$WORK/x" 9</dev/null)
	# 0 1 2, and 3 for ls's own directory fd
	assert_eq "$(head -c 8 <<<"$out")" "0 1 2 3 "
	assert_not_contains "$out" " 7 "
	assert_not_contains "$out" " 8 "
	assert_not_contains "$out" " 9 "
}

test_terminal_with_console_socket() {
	local b id helper out
	helper=/var/tmp/hull-test-cache/recvtty
	if [ ! -x "$helper" ] || [ "$REPO/tests/data/recvtty.c" -nt "$helper" ]; then
		mkdir -p "$(dirname "$helper")"
		cc -O2 -o "$helper" "$REPO/tests/data/recvtty.c"
	fi
	b=$(bundle tt sh -c 'tty; stat -c %t,%T /dev/console; test -t 0 && echo stdin-is-tty; read x; echo "read:$x"')
	cfg "$b" '.process.terminal=true'
	id=$(cid tt)
	"$helper" "$WORK/tty.sock" $'hello\n' >"$WORK/tty.out" &
	for _ in $(seq 50); do [ -S "$WORK/tty.sock" ] && break; sleep 0.05; done
	oci create -b "$b" --console-socket "$WORK/tty.sock" "$id"
	oci start "$id"
	wait_status "$id" stopped
	wait
	out=$(tr -d '\r' <"$WORK/tty.out")
	assert_contains "$out" "/dev/pts/0"
	assert_contains "$out" "88,0"
	assert_contains "$out" "stdin-is-tty"
	assert_contains "$out" "read:hello"
	oci delete "$id"
}

test_terminal_needs_console_socket_for_create() {
	local b
	b=$(bundle tn true)
	cfg "$b" '.process.terminal=true'
	assert_fails oci create -b "$b" "$(cid tn)"
	assert_contains "$OUT" "console-socket"
}
