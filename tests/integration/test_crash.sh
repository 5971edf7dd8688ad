# SPDX-License-Identifier: Apache-2.0
# A runtime killed at any moment, or a damaged state file, leaves nothing that
# `delete --force` cannot clean: no process, no cgroup directory, no state directory.

# oci_bg ARGS... &: the runtime itself in the background ($! is its pid, to kill).
oci_bg() { exec "$HULL_OCI" --root "$ROOT" "$@"; }
# cg_dirs PATH: the directories of cgroup PATH in every hierarchy (none: empty).
cg_dirs() { ls -d /sys/fs/cgroup/*"$1" 2>/dev/null || true; }
# cg_procs PATH: the processes in cgroup PATH, from whichever hierarchy has them.
cg_procs() { cat /sys/fs/cgroup/*"$1"/cgroup.procs 2>/dev/null | sort -u || true; }

# nothing_left ID CGROUP [PID...]: the state directory, the cgroup and the processes are gone.
nothing_left() {
	local id=$1 cg=$2 p
	shift 2
	[ ! -e "$ROOT/$id" ] || fatal "state directory of $id left: $(ls "$ROOT/$id")"
	for p in "$@"; do
		! alive "$p" || fatal "process $p of $id outlived delete --force"
	done
	assert_eq "$(cg_procs "$cg")" "" "processes left in $cg"
	assert_eq "$(cg_dirs "$cg")" "" "cgroup directories of $cg left"
}

# The init is still mounting (thousands of mounts) when its runtime is killed: delete --force
# finds it and kills it, and removes its cgroup.
test_crash_create_killed_during_setup() {
	local b id cg pid init i
	b=$(bundle s sleep 100)
	id=$(cid s)
	cg=/hull-test/$T-s
	cfg "$b" '.mounts += [range(6000) | {destination: "/m/\(.)", type: "tmpfs", source: "tmpfs"}]'
	oci_bg create -b "$b" "$id" >/dev/null 2>&1 &
	pid=$!
	# until the init is in its cgroup and has made a few hundred of its mounts
	for i in $(seq 500); do
		init=$(cg_procs "$cg")
		[ -n "$init" ] && [ "$(wc -l <"/proc/$init/mountinfo")" -gt 500 ] && break
		sleep 0.01
	done
	[ -n "$init" ] || fatal "the init never entered its cgroup"
	grep -q "/m/5999 " "/proc/$init/mountinfo" && fatal "the init was done before the runtime was killed: no test"
	kill -9 $pid
	wait $pid || true
	# the half-made container does not run on: its init dies with the runtime
	for i in $(seq 25); do alive "$init" || break; sleep 0.02; done
	alive "$init" && fatal "the init outlived the runtime that was making it"
	oci delete --force "$id"
	nothing_left "$id" "$cg" "$init"
}

# Killed 10-70 ms in, the default cgroup (/hull/ID) included: delete --force undoes it all.
test_crash_create_killed_early() {
	local b id ms pid
	b=$(bundle e sleep 100)
	cfg "$b" 'del(.linux.cgroupsPath)'
	for ms in 5 10 15 20 25 30 40 50 60 70; do
		for how in create run; do
			id=$(cid "e$how$ms")
			oci_bg $how -b "$b" "$id" >/dev/null 2>&1 &
			pid=$!
			sleep "0.0$(printf %02d $ms)"
			kill -9 $pid 2>/dev/null || true
			wait $pid 2>/dev/null || true
			oci delete --force "$id" 2>/dev/null || [ ! -e "$ROOT/$id" ] ||
				fatal "delete --force $id failed with its state directory there"
			nothing_left "$id" "/hull/$id"
		done
	done
}

# An empty, truncated or non-JSON state.json: delete --force still kills the init and
# removes the cgroups and the state directory.
test_crash_damaged_state_file() {
	local b id cg init how
	b=$(bundle d sleep 100)
	for how in empty truncated garbage; do
		id=$(cid "d$how")
		cg=/hull-test/$T-d
		oci create -b "$b" "$id"
		init=$(pid_of "$id")
		case $how in
		empty) : >"$ROOT/$id/state.json" ;;
		truncated) head -c 40 "$ROOT/$id/state.json" >"$ROOT/$id/s" && mv "$ROOT/$id/s" "$ROOT/$id/state.json" ;;
		garbage) printf '\x00\x01not json' >"$ROOT/$id/state.json" ;;
		esac
		oci delete --force "$id" || fatal "delete --force refused a $how state file"
		nothing_left "$id" "$cg" "$init"
	done
}

# decoy_cleanup PID CGROUP: the decoy process killed, its cgroup removed once it has left it.
decoy_cleanup() {
	local i
	kill -9 "$1" 2>/dev/null
	for i in $(seq 50); do
		rmdir /sys/fs/cgroup/*"$2" 2>/dev/null
		[ -z "$(cg_dirs "$2")" ] && return 0
		sleep 0.1
	done
}

# A state.json whose cgroup path was edited: the real cgroup goes all the same, and nothing in
# the cgroup it now names is killed or removed.
test_crash_edited_cgroup_path() {
	local b id cg init decoy
	b=$(bundle p sleep 100)
	id=$(cid p)
	cg=/hull-test/$T-p
	mkdir -p /sys/fs/cgroup/pids/hull-test/"$T"-decoy 2>/dev/null ||
		mkdir -p /sys/fs/cgroup/unified/hull-test/"$T"-decoy 2>/dev/null ||
		mkdir -p /sys/fs/cgroup/hull-test/"$T"-decoy
	sleep 100 &
	decoy=$!
	defer decoy_cleanup $decoy "/hull-test/$T-decoy"
	echo $decoy >"$(cg_dirs "/hull-test/$T-decoy" | head -1)/cgroup.procs"
	oci create -b "$b" "$id"
	init=$(pid_of "$id")
	jq --arg cg "/hull-test/$T-decoy" '.["hull.cgroupPath"] = $cg' "$ROOT/$id/state.json" >"$WORK/st"
	mv "$WORK/st" "$ROOT/$id/state.json"
	oci delete --force "$id"
	nothing_left "$id" "$cg" "$init"
	alive $decoy || fatal "delete killed a process of the cgroup an edited state file named"
	[ -n "$(cg_dirs "/hull-test/$T-decoy")" ] || fatal "delete removed the cgroup an edited state file named"
}

# --- hull: a container directory or name without a full record ---

# Nothing of the store's containers is left: records, names, mounts, runtime state, cgroups.
store_clean() {
	assert_eq "$(ls "$WORK/store/containers" "$WORK/store/names" | grep -v : | grep -c .)" 0 \
		"records or names left in the store"
	assert_eq "$(grep -c "$WORK/store" /proc/self/mountinfo)" 0 "mounts left in the store"
	assert_eq "$(ls "$ROOT" | grep -c .)" 0 "runtime state left"
	assert_eq "$(find /sys/fs/cgroup/*/hull-test/"$T"-h -mindepth 1 -maxdepth 1 -type d 2>/dev/null)" "" \
		"container cgroups left"
}

# `hull run -d --name n IMAGE` killed after it made the rootfs (and here, after the
# container started too) and before the record was complete: `ps -a` lists the container
# under its name, `rm -f n` removes all of it.
test_crash_hull_record_missing_or_damaged() {
	local id how out
	watch_store
	python3 "$REPO/tests/data/mkimage.py" "$WORK/img" "$WORK/outside" >/dev/null
	hull load -q -i "$WORK/img/busybox.docker.tar" >/dev/null
	for how in missing empty truncated; do
		id=$(hull run -d --name "n$how" --cgroup-parent "/hull-test/$T-h" hulltest/busybox:docker 'sleep 100')
		grep -q "$WORK/store/containers/$id/rootfs" /proc/self/mountinfo || fatal "no overlay rootfs: no test"
		case $how in
		missing) rm "$WORK/store/containers/$id/record.json" ;;
		empty) : >"$WORK/store/containers/$id/record.json" ;;
		truncated) head -c 50 "$WORK/store/containers/$id/record.json" >"$WORK/r" &&
			mv "$WORK/r" "$WORK/store/containers/$id/record.json" ;;
		esac
		out=$(hull ps -a --no-trunc --format '{{.ID}} {{.Names}}')
		assert_contains "$out" "$id n$how" "ps -a lists the container with a $how record"
		# and a second name, as a rename killed between its two steps leaves
		ln -s "$id" "$WORK/store/names/old$how"
		hull rm -f "n$how" >/dev/null || fatal "rm -f of a container with a $how record failed"
		store_clean
	done
	# a name whose container directory was never made (or is gone already)
	ln -s 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef "$WORK/store/names/dangling"
	hull rm -f dangling >/dev/null || fatal "rm -f of a dangling name failed"
	store_clean
	hull rmi hulltest/busybox:docker >/dev/null
}
