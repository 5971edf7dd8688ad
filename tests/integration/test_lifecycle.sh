# SPDX-License-Identifier: Apache-2.0
# create / start / state / kill / delete / run / list: the OCI lifecycle.

test_create_start_stop_delete() {
	local b id pid
	b=$(bundle c sh -c 'read x; echo "got $x"')
	id=$(cid c)
	mkfifo "$WORK/in"
	# the workload reads a line from the fifo, so it stays running until we write
	oci create -b "$b" --pid-file "$WORK/pid" "$id" <"$WORK/in" >"$WORK/out" 2>&1 &
	exec 9>"$WORK/in"
	wait $!
	assert_eq "$(state_of "$id")" created
	pid=$(pid_of "$id")
	assert_eq "$(cat "$WORK/pid")" "$pid" "pid file"
	alive "$pid" || fatal "init $pid not alive"
	[ -e "$ROOT/$id/exec.fifo" ] || fatal "no exec.fifo while created"
	oci start "$id"
	assert_eq "$(state_of "$id")" running
	echo hello >&9
	exec 9>&-
	wait_status "$id" stopped
	assert_contains "$(cat "$WORK/out")" "got hello"
	oci delete "$id"
	[ ! -e "$ROOT/$id" ] || fatal "state dir left after delete"
	assert_fails oci state "$id"
	assert_contains "$OUT" "does not exist"
}

# A workload that is done before `start` returns has still started; a process that cannot
# be started makes `start` fail with the reason.
test_start_quick_exit_and_start_failure() {
	local b id i
	b=$(bundle q true)
	id=$(cid q)
	for i in 1 2 3 4 5; do
		oci create -b "$b" "$id-$i" >/dev/null 2>&1
		# reap the init ourselves right away, as a shim does: no zombie left to look at
		oci start "$id-$i" || fatal "start of a quick workload failed (run $i)"
		oci delete --force "$id-$i"
	done
	b=$(bundle sf sh -c true)
	cfg "$b" '.hooks.startContainer = [{"path": "/bin/false", "args": ["false"]}]'
	id=$(cid sf)
	oci create -b "$b" "$id" >/dev/null 2>&1
	assert_fails oci start "$id"
	assert_contains "$OUT" "startContainer"
	oci delete --force "$id"
}

test_run_exit_codes() {
	local b id pid
	b=$(bundle r sh -c 'exit 3')
	set +e
	oci run -b "$b" "$(cid r1)"
	assert_eq $? 3 "exit code"
	no_pidns "$b"
	cfg "$b" '.process.args=["sh","-c","kill -9 $$"]'
	oci run -b "$b" "$(cid r2)"
	assert_eq $? 137 "killed by SIGKILL"
	cfg "$b" '.process.args=["sh","-c","kill -15 $$; sleep 5"]'
	oci run -b "$b" "$(cid r3)"
	assert_eq $? 143 "killed by SIGTERM"
	cfg "$b" '.process.args=["true"]'
	oci run -b "$b" "$(cid r4)"
	assert_eq $? 0 "success"
	set -e
	# killed from outside while it is pid 1 of its own pid namespace
	b=$(bundle r5 sleep 30)
	id=$(cid r5)
	oci run -b "$b" "$id" &
	pid=$!
	wait_status "$id" running
	oci kill "$id" KILL
	set +e
	wait $pid
	assert_eq $? 137 "killed by hull-oci kill"
	set -e
	assert_eq "$(ls "$ROOT")" "" "run leaves no state"
}

test_run_forwards_signals() {
	local b id pid rc
	b=$(bundle s sh -c 'trap "echo got-term; exit 7" TERM; while true; do sleep 0.1; done')
	id=$(cid s)
	# the binary itself in the background: `oci` is a function and $! would be a subshell
	"$HULL_OCI" --root "$ROOT" run -b "$b" "$id" >"$WORK/out" 2>&1 &
	pid=$!
	wait_status "$id" running
	sleep 0.3
	kill -TERM $pid
	set +e
	wait $pid
	rc=$?
	set -e
	assert_eq "$rc" 7 "exit status after forwarded SIGTERM"
	assert_contains "$(cat "$WORK/out")" got-term
}

test_run_detach() {
	local b id
	b=$(bundle d sleep 30)
	id=$(cid d)
	oci run -d -b "$b" --pid-file "$WORK/pid" "$id"
	assert_eq "$(state_of "$id")" running
	assert_eq "$(pid_of "$id")" "$(cat "$WORK/pid")"
	oci kill "$id" KILL
	wait_status "$id" stopped
	oci delete "$id"
}

test_state_json_fields() {
	local b id s
	b=$(bundle st sleep 30)
	cfg "$b" '.annotations={"org.example.key":"value"}'
	id=$(cid st)
	oci create -b "$b" "$id"
	s=$(oci state "$id")
	assert_eq "$(jq -r .id <<<"$s")" "$id"
	assert_eq "$(jq -r .status <<<"$s")" created
	assert_eq "$(jq -r .bundle <<<"$s")" "$b"
	assert_eq "$(jq -r '.annotations["org.example.key"]' <<<"$s")" value
	jq -e '.ociVersion and (.pid > 0) and .created' <<<"$s" >/dev/null || fatal "fields: $s"
	oci delete "$id"
	[ ! -e "$ROOT/$id" ] || fatal "delete of a created container left state"
}

test_kill_names_numbers_all() {
	local b id pid child
	b=$(bundle k sh -c 'sleep 100 & echo $! > /tmp/child; trap "" TERM; wait')
	id=$(cid k)
	oci run -d -b "$b" "$id"
	wait_status "$id" running
	pid=$(pid_of "$id")
	for _ in $(seq 50); do [ -s "$b/rootfs/tmp/child" ] && break; sleep 0.05; done
	# 0 signals nothing (runc's, kill(1)'s): test_kill_null_signal_and_stopped
	oci kill "$id" 0
	alive "$pid" || fatal "signal 0 killed the init"
	oci kill "$id" SIGKILL
	wait_status "$id" stopped
	oci delete "$id"
	# numbers and --all: init and its child both go
	b=$(bundle k2 sh -c 'sleep 100 & trap "" TERM; wait')
	id=$(cid k2)
	oci run -d -b "$b" "$id"
	sleep 0.3
	child=$(pgrep -f 'sleep 100' -P "$(pid_of "$id")" || true)
	[ -n "$child" ] || fatal "no child"
	oci kill --all "$id" 9
	wait_status "$id" stopped
	for _ in $(seq 50); do alive "$child" || break; sleep 0.05; done
	! alive "$child" || fatal "child $child survived kill --all"
	oci delete "$id"
}

# --all without a pid namespace, where killing the init does not take the rest with it: a
# signal the init ignores reaches only the init without --all, and every process with it.
test_kill_all_without_pid_namespace() {
	local b id init child
	b=$(bundle ka sh -c 'sleep 100 & echo $! >/tmp/child; trap "" TERM; while :; do sleep 1; done')
	no_pidns "$b"
	id=$(cid ka)
	oci run -d -b "$b" "$id"
	init=$(pid_of "$id")
	for _ in $(seq 50); do [ -s "$b/rootfs/tmp/child" ] && break; sleep 0.05; done
	child=$(cat "$b/rootfs/tmp/child")
	[ -n "$child" ] && alive "$child" || fatal "no child"
	grep -q "hull-test/$id" "/proc/$child/cgroup" || fatal "child $child is not in the container's cgroup"
	oci kill "$id" TERM
	sleep 0.3
	alive "$child" || fatal "kill without --all reached the child $child"
	alive "$init" || fatal "the init died of a signal it ignores"
	oci kill --all "$id" TERM
	for _ in $(seq 50); do alive "$child" || break; sleep 0.05; done
	! alive "$child" || fatal "child $child survived kill --all TERM"
	alive "$init" || fatal "the init died of a signal it ignores"
	assert_eq "$(state_of "$id")" running
	oci kill --all "$id" KILL
	wait_status "$id" stopped
	oci delete "$id"
}

test_kill_unknown_signal() {
	local b id
	b=$(bundle ku sleep 30)
	id=$(cid ku)
	oci run -d -b "$b" "$id"
	assert_fails oci kill "$id" SIGFOO
	assert_contains "$OUT" "unknown signal"
	assert_eq "$(state_of "$id")" running
	oci delete --force "$id"
}

test_delete_force_running() {
	local b id pid cg
	b=$(bundle f sleep 100)
	id=$(cid f)
	oci run -d -b "$b" "$id"
	pid=$(pid_of "$id")
	assert_fails oci delete "$id"
	assert_contains "$OUT" "running"
	oci delete --force "$id"
	! alive "$pid" || fatal "process $pid still alive"
	for cg in /sys/fs/cgroup/*/hull-test/"$id"; do
		[ ! -d "$cg" ] || fatal "cgroup $cg left"
	done
	[ ! -e "$ROOT/$id" ] || fatal "state left"
	oci delete --force "$id" # deleting what is gone is fine with --force
	assert_fails oci delete "$id"
	assert_contains "$OUT" "does not exist"
}

# What a container moves into cgroups of its own below its cgroup (systemd inside it, a
# nested runtime) is still the container's: ps lists it, delete --force kills it and removes
# those sub-cgroups with the container's own, as runc and crun do (rmdir alone fails: EBUSY).
test_delete_force_with_subcgroups() {
	local b id pid cg child moved=0
	b=$(bundle sc sleep 100)
	no_pidns "$b"
	id=$(cid sc)
	oci run -d -b "$b" "$id" </dev/null
	defer "$HULL_OCI" --root "$ROOT" delete -f "$id"
	pid=$(pid_of "$id")
	oci exec -d "$id" sleep 101
	assert_eq "$(oci ps -f json "$id" | jq length)" 2 "init and the exec'd sleep"
	child=$(oci ps -f json "$id" | jq -r ".[] | select(. != $pid)")
	for cg in /sys/fs/cgroup/*/hull-test/"$id" /sys/fs/cgroup/hull-test/"$id"; do
		[ -d "$cg" ] || continue
		mkdir -p "$cg/sub/deeper" "$cg/empty"
		case $cg in */cpuset/*) # a new v1 cpuset holds no task until filled
			cat "$cg/cpuset.cpus" >"$cg/sub/cpuset.cpus"
			cat "$cg/cpuset.mems" >"$cg/sub/cpuset.mems"
			cat "$cg/cpuset.cpus" >"$cg/sub/deeper/cpuset.cpus"
			cat "$cg/cpuset.mems" >"$cg/sub/deeper/cpuset.mems"
			;;
		esac
		echo "$child" >"$cg/sub/deeper/cgroup.procs"
		moved=$((moved + 1))
	done
	[ "$moved" -gt 0 ] || fatal "no hierarchy to move the exec'd process in"
	assert_eq "$(oci ps -f json "$id" | jq -c 'sort')" "$(jq -nc "[$pid, $child] | sort")" \
		"ps lists the process in the sub-cgroup"
	oci delete -f "$id"
	! alive "$child" || fatal "process $child in the sub-cgroup still alive"
	! alive "$pid" || fatal "init $pid still alive"
	for cg in /sys/fs/cgroup/*/hull-test/"$id" /sys/fs/cgroup/hull-test/"$id"; do
		[ ! -d "$cg" ] || fatal "cgroup $cg left"
	done
}

test_list_formats() {
	local b id out
	b=$(bundle l sleep 30)
	id=$(cid l)
	assert_eq "$(oci list -q)" ""
	oci run -d -b "$b" "$id"
	out=$(oci list)
	assert_contains "$(head -1 <<<"$out")" "ID"
	assert_contains "$(head -1 <<<"$out")" "STATUS"
	assert_contains "$out" "$id"
	assert_contains "$out" running
	assert_eq "$(oci list -q)" "$id"
	assert_eq "$(oci list --format json | jq -r '.[0].id')" "$id"
	assert_eq "$(oci list --format json | jq -r '.[0].status')" running
	assert_fails oci list --format yaml
	oci delete -f "$id"
	assert_eq "$(oci list --format json)" "[]"
}

test_spec_features_version_help() {
	mkdir "$WORK/s" "$WORK/r"
	oci spec -b "$WORK/s"
	jq -e '.process.args == ["sh"] and .root.path == "rootfs"' "$WORK/s/config.json" >/dev/null
	assert_fails oci spec -b "$WORK/s"
	assert_contains "$OUT" "exists"
	oci spec --rootless -b "$WORK/r"
	jq -e '[.linux.namespaces[].type] | index("user")' "$WORK/r/config.json" >/dev/null ||
		fatal "rootless spec lacks a user namespace"
	oci features | jq -e '.ociVersionMin and .ociVersionMax and (.hooks | index("prestart"))
		and (.mountOptions | index("rbind")) and (.linux.namespaces | index("time"))' >/dev/null
	assert_contains "$(oci --version)" "hull-oci version"
	assert_contains "$(oci --help)" "Usage"
	assert_contains "$(oci create --help)" "--console-socket"
	assert_fails oci frobnicate
	assert_contains "$OUT" "unknown command"
}

# (the driver itself, against a systemd booted in a container: test_systemd_cgroup.sh)
test_systemd_cgroup_without_systemd_refused_clearly() {
	local b
	[ ! -d /run/systemd/system ] || skip "systemd runs this host"
	b=$(bundle sd true)
	assert_fails "$HULL_OCI" --root "$ROOT" --systemd-cgroup run -b "$b" "$(cid sd)"
	assert_contains "$OUT" "systemd is not the init of this system (no /run/systemd/system)"
	assert_fails oci state "$(cid sd)"
}

test_isolation_level_unknown_refused_clearly() {
	local b id c
	b=$(bundle il sleep 30)
	id=$(cid il)
	# a level this runtime does not have is refused at create, never run as a container
	cfg "$b" '.annotations["run.hull.isolation"]="warp"'
	assert_fails oci create -b "$b" "$id"
	assert_contains "$OUT" 'isolation level `warp`'
	assert_contains "$OUT" "(it has: container, vm)"
	[ ! -e "$ROOT/$id" ] || fatal "state left by a refused create"
	# a state naming a level this binary lacks: every call that needs the level says so
	cfg "$b" 'del(.annotations["run.hull.isolation"])'
	oci create -b "$b" "$id"
	assert_eq "$(oci state "$id" | jq -r .isolation)" container
	jq '."hull.isolation" = "warp"' "$ROOT/$id/state.json" >"$WORK/state.json"
	cp "$WORK/state.json" "$ROOT/$id/state.json"
	assert_eq "$(oci state "$id" | jq -r .isolation)" warp
	for c in "kill $id KILL" "exec $id true" "update --memory 64m $id" "delete --force $id"; do
		# shellcheck disable=SC2086
		assert_fails oci $c
		assert_contains "$OUT" 'state.json: isolation level `warp` is not one this runtime has' "$c"
	done
	# nothing was done to the container: its init still waits for start
	assert_eq "$(state_of "$id")" created
	alive "$(pid_of "$id")" || fatal "a refused call killed the init"
	jq '."hull.isolation" = "container"' "$ROOT/$id/state.json" >"$WORK/state.json"
	cp "$WORK/state.json" "$ROOT/$id/state.json"
	oci delete --force "$id"
	[ ! -e "$ROOT/$id" ] || fatal "state left after delete"
}

test_log_json_format() {
	local b
	b=$(bundle lj true)
	assert_fails "$HULL_OCI" --root "$ROOT" --log "$WORK/log.json" --log-format json \
		run -b "$b" "bad/id"
	jq -e 'select(.level == "error") | .msg and .time' "$WORK/log.json" >/dev/null ||
		fatal "no JSON error record: $(cat "$WORK/log.json")"
}
