# SPDX-License-Identifier: Apache-2.0
# Docker as a client: Debian's dockerd (docker.io), started privately by each test (its own
# data root, exec root, socket and pid file under the test's directory, hull-oci and
# hull-oci-vm added as runtimes, no iptables, no bridge, the cgroupfs driver with a cgroup
# parent of the test's) and stopped by pid; images come from `docker load` of
# tests/data/mkimage.py's archive, never a registry.  The scenarios run with --runtime hull
# (HULL_DOCKER_RUNTIME=runc runs them with runc, to compare).
#
# The test image: entrypoint ["/bin/sh", "-c"], user app:staff (1000:50), workdir /opt,
# FOO=bar, stop signal SIGQUIT: commands are one string.

IMAGE=hulltest/busybox:docker
RT=${HULL_DOCKER_RUNTIME:-hull}

# The image archive docker 20.10 can load: mkimage.py's third layer is zstd, which its
# `docker load` cannot read, so that layer is stored uncompressed (the same diff_id).
docker_image_archive() {
	local cache=${HULL_TEST_CACHE:-/var/tmp/hull-test-cache}/docker tmp l
	if [ ! -f "$cache/busybox.docker.tar" ] || [ "$REPO/tests/data/mkimage.py" -nt "$cache/busybox.docker.tar" ]; then
		mkdir -p "$(dirname "$cache")"
		tmp=$(mktemp -d "$cache.XXXXXX")
		python3 "$REPO/tests/data/mkimage.py" "$tmp/img" "$tmp/outside" >/dev/null
		mkdir "$tmp/x"
		tar -xf "$tmp/img/busybox.docker.tar" -C "$tmp/x"
		for l in "$tmp"/x/*/layer.tar; do
			if [ "$(head -c4 "$l" | od -An -tx1 | tr -d ' ')" == 28b52ffd ]; then
				zstd -qdc "$l" >"$l.plain" && mv "$l.plain" "$l"
			fi
		done
		mkdir "$tmp/out"
		tar -cf "$tmp/out/busybox.docker.tar" -C "$tmp/x" .
		rm -rf "$cache" 2>/dev/null
		mv "$tmp/out" "$cache" 2>/dev/null || true # another runner may have won the race
		rm -rf "$tmp"
	fi
	echo "$cache/busybox.docker.tar"
}

# docker_start: start the private dockerd (sets D, DOCKER, DCG) and load the test image.
docker_start() {
	local i
	[ -x /usr/sbin/dockerd ] || skip "dockerd not installed (scripts/deps.sh installs docker.io)"
	# the client of the same release as the daemon, when there is one
	DOCKER=/usr/bin/docker
	[ -x "$DOCKER" ] || DOCKER=$(command -v docker) || skip "no docker client"
	command -v zstd >/dev/null || skip "zstd not installed"
	D=$WORK/d
	DCG=/hull-test/$T-docker
	mkdir -p "$D/data" "$D/exec"
	defer docker_stop "$DOCKER" "$D" "$DCG"
	/usr/sbin/dockerd --data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/pid" \
		-H "unix://$D/sock" --add-runtime "hull=$HULL_OCI" \
		--add-runtime "hull-vm=$REPO/build/hull-oci-vm" --iptables=false --ip6tables=false \
		--bridge=none --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "$DCG" \
		--storage-driver overlay2 >"$D/log" 2>&1 </dev/null &
	for i in $(seq 150); do
		dk version >/dev/null 2>&1 && break
		[ -e "$D/pid" ] || [ $i -lt 20 ] || kill -0 $! 2>/dev/null ||
			skip "dockerd does not start here: $(tail -3 "$D/log")"
		sleep 0.2
	done
	dk version >/dev/null 2>&1 || skip "dockerd does not answer here: $(tail -3 "$D/log")"
	dk load -q -i "$(docker_image_archive)" >/dev/null
}

# docker_stop DOCKER DIR CGPARENT: remove the containers, stop dockerd by pid (it stops its
# containerd), then the cgroup parent dockerd made in each hierarchy.
docker_stop() {
	local pid i d
	# shellcheck disable=SC2046
	"$1" -H "unix://$2/sock" rm -f $("$1" -H "unix://$2/sock" ps -aq) 2>/dev/null
	pid=$(cat "$2/pid" 2>/dev/null)
	if [ -n "$pid" ]; then
		kill "$pid"
		for i in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
	fi
	for d in /sys/fs/cgroup/*/"${3#/}"; do
		[ -d "$d" ] && rmdir "$d"
	done
	grep "$2" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
	rm -rf "$2"
}

dk() { "$DOCKER" -H "unix://$D/sock" "$@"; }
drun() { dk run --runtime "$RT" "$@"; }

# The host's cgroup file of a container: cgfile ID V1-CONTROLLER V1-FILE V2-FILE.
cgfile() {
	local v1=/sys/fs/cgroup/$2$DCG/$1/$3 v2
	v2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)$DCG/$1/$4
	if [ -e "$v1" ]; then cat "$v1"; else cat "$v2"; fi
}

# Nothing of the test's containers is left: no container, no cgroup below the parent.
docker_nothing_left() {
	local d
	assert_eq "$(dk ps -aq)" "" "containers left"
	for d in /sys/fs/cgroup/*"$DCG"; do
		[ -z "$(find "$d" -mindepth 1 -type d)" ] || fatal "cgroups left: $(find "$d" -mindepth 1 -type d)"
	done
}

test_docker_run_status_stdio_identity() {
	local st out
	docker_start
	st=0
	drun --rm "$IMAGE" 'echo hi; exit 3' >"$WORK/out" || st=$?
	assert_eq "$st" 3 "exit status"
	assert_eq "$(cat "$WORK/out")" hi
	st=0
	drun --rm --entrypoint nonexistent "$IMAGE" >"$WORK/out" 2>&1 || st=$?
	assert_eq "$st" 127 "an entrypoint not in \$PATH ($(cat "$WORK/out"))"
	# stdin, and a terminal
	assert_eq "$(echo piped | drun --rm -i "$IMAGE" 'cat; echo done')" "piped"$'\n'"done"
	out=$(script -qec "$DOCKER -H unix://$D/sock run --rm -t --runtime $RT $IMAGE 'tty; echo cols=\$(stty size)'" /dev/null </dev/null)
	assert_contains "$out" "/dev/pts/0"
	assert_contains "$out" "cols="
	# the image's env, user, workdir, and the flags over them
	assert_eq "$(drun --rm "$IMAGE" 'echo $FOO; id -u; id -g; pwd')" "bar"$'\n'"1000"$'\n'"50"$'\n'"/opt"
	assert_eq "$(drun --rm -e FOO=baz -e NEW=1 -u 1000:1000 -w /tmp "$IMAGE" 'echo $FOO $NEW; id -u; id -g; pwd')" \
		"baz 1"$'\n'"1000"$'\n'"1000"$'\n'"/tmp"
	assert_eq "$(drun --rm -u root "$IMAGE" 'id -u; id -g')" "0"$'\n'"0"
	# --network none: only the loopback
	assert_eq "$(drun --rm --network none "$IMAGE" 'ls /sys/class/net')" lo
	# --init: docker's init is pid 1, the workload its child
	assert_eq "$(drun --rm --init "$IMAGE" 'cat /proc/1/comm')" docker-init
	docker_nothing_left
}

# docker's 126 and 127 for what the runtime cannot exec: the docker client matches the
# runtime's message, case and all, for Go's errno texts ("no such file or directory",
# "permission denied"), as runc words them.
test_docker_run_cannot_exec_exit_codes() {
	local st
	docker_start
	st=0
	drun --rm --entrypoint /nonexistent "$IMAGE" >"$WORK/out" 2>&1 || st=$?
	assert_eq "$st" 127 "a missing entrypoint ($(cat "$WORK/out"))"
	st=0
	drun --rm --entrypoint /etc/passwd "$IMAGE" >"$WORK/out" 2>&1 || st=$?
	assert_eq "$st" 126 "an entrypoint that is not executable ($(cat "$WORK/out"))"
	docker_nothing_left
}

test_docker_mounts_and_limits() {
	local id out
	docker_start
	mkdir -p "$WORK/bind"
	echo host >"$WORK/bind/f"
	out=$(drun --rm -u root -v "$WORK/bind:/rw" -v "$WORK/bind:/ro:ro" "$IMAGE" \
		'cat /rw/f; echo written >/rw/new; echo x >/ro/y 2>/dev/null; echo ro=$?')
	assert_eq "$out" "host"$'\n'"ro=1"
	assert_eq "$(cat "$WORK/bind/new")" written "the rw bind's write on the host"
	[ ! -e "$WORK/bind/y" ] || fatal "a write went through the read-only bind"
	out=$(drun --rm --read-only "$IMAGE" 'touch /x 2>&1; echo rc=$?')
	assert_contains "$out" "Read-only file system"
	assert_contains "$out" "rc=1"
	# limits land in the container's cgroup
	id=$(drun -d --memory 64m --cpus 0.5 --pids-limit 50 --cpu-shares 512 "$IMAGE" 'sleep 1000')
	assert_eq "$(cgfile "$id" memory memory.limit_in_bytes memory.max)" 67108864 "--memory"
	assert_eq "$(cgfile "$id" pids pids.max pids.max)" 50 "--pids-limit"
	case $(cgfile "$id" cpu cpu.cfs_quota_us cpu.max) in
	50000 | "50000 100000") ;;
	*) fatal "--cpus 0.5: cpu quota is $(cgfile "$id" cpu cpu.cfs_quota_us cpu.max)" ;;
	esac
	# and a process past the pids limit fails inside
	out=$(dk exec "$id" sh -c 'for i in $(seq 60); do sleep 5 & done 2>&1; wait' 2>&1 || true)
	assert_contains "$out" "Resource temporarily unavailable"
	dk rm -f "$id" >/dev/null
	docker_nothing_left
}

test_docker_detached_exec_logs_pause_stop_restart() {
	local id t0 t1 out
	docker_start
	# ignores the stop signals: docker stop escalates to SIGKILL
	id=$(drun -d --name lc "$IMAGE" 'trap "" TERM QUIT; echo started; while :; do sleep 0.1; done')
	for _ in $(seq 50); do
		[ "$(dk logs lc 2>&1)" == started ] && break
		sleep 0.1
	done
	assert_eq "$(dk logs lc 2>&1)" started "logs"
	assert_eq "$(dk exec lc sh -c 'echo $FOO; id -u')" "bar"$'\n'"1000" "exec"
	assert_eq "$(dk exec -u root -w / lc sh -c 'id -u; pwd')" "0"$'\n'"/" "exec -u -w"
	out=$(script -qec "$DOCKER -H unix://$D/sock exec -t lc tty" /dev/null </dev/null)
	assert_contains "$out" "/dev/pts/"
	assert_eq "$(dk exec lc sh -c 'exit 7'; echo $?)" 7 "exec's exit status"
	assert_contains "$(dk ps --format '{{.Names}} {{.Status}}')" "lc Up"
	assert_contains "$(dk top lc)" "while :"
	out=$(dk stats --no-stream --format '{{.Name}} {{.PIDs}}' lc)
	[[ $out =~ ^lc\ [1-9] ]] || fatal "stats: $out"
	dk pause lc >/dev/null
	assert_eq "$(dk inspect -f '{{.State.Status}}' lc)" paused
	assert_eq "$(cgfile "$id" freezer freezer.state cgroup.freeze)" "$([ -d /sys/fs/cgroup/freezer ] && echo FROZEN || echo 1)"
	dk unpause lc >/dev/null
	assert_eq "$(dk inspect -f '{{.State.Status}}' lc)" running
	t0=$(date +%s%N)
	dk stop -t 1 lc >/dev/null
	t1=$(date +%s%N)
	assert_eq "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' lc)" "exited 137" "stop escalated to SIGKILL"
	[ $(((t1 - t0) / 1000000)) -ge 900 ] || fatal "stop did not wait for the grace period"
	dk start lc >/dev/null
	assert_eq "$(dk inspect -f '{{.State.Status}}' lc)" running "start again"
	dk restart -t 0 lc >/dev/null
	assert_eq "$(dk inspect -f '{{.State.Status}}' lc)" running "restart"
	dk kill -s USR1 lc >/dev/null
	dk kill lc >/dev/null
	for _ in $(seq 50); do
		[ "$(dk inspect -f '{{.State.Status}}' lc)" == exited ] && break
		sleep 0.1
	done
	assert_eq "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' lc)" "exited 137" "kill"
	dk rm lc >/dev/null
	# --rm: gone once it exits, and a -d one too
	drun -d --rm --name gone "$IMAGE" 'exit 0' >/dev/null
	for _ in $(seq 50); do
		[ -z "$(dk ps -aq)" ] && break
		sleep 0.1
	done
	docker_nothing_left
}

test_docker_vm_runtime_run_and_exec() {
	local st out
	[ "$RT" == hull ] || skip "the vm level is hull's"
	vm_ready
	docker_start
	st=0
	out=$(dk run --rm --runtime hull-vm "$IMAGE" 'echo in-vm $FOO; exit 4' 2>/dev/null) || st=$?
	assert_eq "$st" 4 "the workload's exit status through the VM"
	assert_eq "$out" "in-vm bar"
	dk run -d --name vm --runtime hull-vm "$IMAGE" 'echo up; sleep 1000' >/dev/null
	for _ in $(seq 300); do
		dk logs vm 2>/dev/null | grep -q up && break
		sleep 0.1
	done
	assert_eq "$(dk exec vm sh -c 'echo exec $(id -u)')" "exec 1000" "exec into the VM"
	assert_eq "$(dk exec vm sh -c 'exit 5'; echo $?)" 5 "exec's exit status"
	dk rm -f vm >/dev/null
	docker_nothing_left
}
