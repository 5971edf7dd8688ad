# SPDX-License-Identifier: Apache-2.0
# podman 4.3 with `--runtime hull-oci`: its own --root/--runroot, the cgroupfs manager, and an
# image imported from the busybox rootfs (no registry needed).
#
# podman's cleanup process leaves --runtime-flag out, so hull-oci keeps its default state root
# here (/run/hull); the test checks that root and the cgroup parent itself.

PM=""
PMRR="" # podman wants a runroot path under 50 characters

podman_() {
	podman --root "$PM/root" --runroot "$PMRR" --runtime "$HULL_OCI" \
		--cgroup-manager cgroupfs --events-backend file --storage-driver vfs "$@"
}

# Root here lacks CAP_SYS_RESOURCE: podman's default rlimits (1048576 files) cannot be set.
PM_RUN=(--network none --cgroup-parent "/hull-test/$T-pm" --ulimit nofile=4096:4096
	--ulimit nproc=4096:4096)

setup_podman() {
	command -v podman >/dev/null && command -v conmon >/dev/null || skip "podman is not installed"
	PM=$WORK/pm
	PMRR=/run/hull-pm-$$
	mkdir -p "$PM" "$PMRR"
	defer stop_podman "$PM" "$PMRR" "$T"
	"$REPO/tests/data/mkbundle.sh" "$WORK/img" true >/dev/null
	tar -C "$WORK/img/rootfs" -cf "$PM/busybox.tar" .
	podman_ import "$PM/busybox.tar" localhost/hull-busybox >/dev/null
}

# Deferred commands run outside the test's subshell: everything comes in as arguments.
stop_podman() {
	local m d
	PM=$1 PMRR=$2 T=$3
	[[ $PM == "$WORK"/* && $PMRR == /run/hull-pm-* ]] || return 1
	podman_ rm -f -a -t 0
	podman_ rmi -a -f
	# vfs layers and podman's own mounts (shm) live under its root
	for d in "$PM" "$PMRR"; do
		for m in $(awk -v d="$d" 'index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r); do
			umount -l "$m"
		done
	done
	rm -rf "$PM" "$PMRR"
	# the cgroup parent is podman's (conmon goes to its conmon/ child); ours are below it and
	# make this rmdir fail, so the harness still sees them
	for d in /sys/fs/cgroup/*/hull-test/"$T"-pm; do
		rmdir "$d/conmon" "$d"
	done
}

# No state, no cgroup left for podman's container id.
assert_gone() {
	[ ! -e "/run/hull/$1" ] || fatal "hull state of $1 left in /run/hull"
	ls -d /sys/fs/cgroup/*/hull-test/"$T"-pm/libpod-"$1" 2>/dev/null && fatal "cgroup of $1 left"
	return 0
}

test_podman_run_rm_and_exit_code() {
	local out rc=0 id
	setup_podman
	out=$(podman_ run --rm "${PM_RUN[@]}" -e GREETING=hi -u 1000:1000 -w /tmp \
		localhost/hull-busybox sh -c 'echo "$GREETING $(id -u) $(pwd)"; exit 3') || rc=$?
	assert_eq "$out" "hi 1000 /tmp"
	assert_eq "$rc" 3 "podman run exit code"
	assert_eq "$(podman_ ps -aq)" "" "podman run --rm left a container"
}

test_podman_detached_exec_logs_stop_rm() {
	local id out rc=0
	setup_podman
	mkdir -p "$WORK/vol"
	echo "from the host" >"$WORK/vol/file"
	id=$(podman_ run -d "${PM_RUN[@]}" --name web -v "$WORK/vol:/data" localhost/hull-busybox \
		sh -c 'echo started; cat /data/file; trap "echo stopping; exit 0" TERM; while :; do sleep 0.1; done')
	for _ in $(seq 50); do [ "$(podman_ inspect -f '{{.State.Status}}' web)" == running ] && break; sleep 0.1; done
	[ -e "/run/hull/$id/state.json" ] || fatal "podman did not use hull-oci (no /run/hull/$id)"
	out=$(podman_ exec -e X=1 -u 1000 -w /data web sh -c 'echo "exec $X $(id -u) $(pwd)"; echo written >/tmp/w; exit 4') || rc=$?
	assert_eq "$out" "exec 1 1000 /data"
	assert_eq "$rc" 4 "podman exec exit code"
	out=$(podman_ exec web cat /tmp/w)
	assert_eq "$out" "written"
	# exec -t: conmon passes --tty beside --process (the file wins, as with runc)
	out=$(podman_ exec -t web sh -c 'tty; echo rows=$(stty size | cut -d" " -f1)' | tr -d '\r')
	assert_contains "$out" "/dev/pts/" "podman exec -t gets a terminal"
	assert_contains "$out" "rows="
	podman_ stop -t 5 web >/dev/null
	out=$(podman_ logs web)
	assert_contains "$out" "started"
	assert_contains "$out" "from the host"
	assert_contains "$out" "stopping"
	assert_eq "$(podman_ inspect -f '{{.State.ExitCode}}' web)" 0
	podman_ rm web >/dev/null
	assert_gone "$id"
}

test_podman_memory_limit() {
	local id f
	setup_podman
	id=$(podman_ run -d "${PM_RUN[@]}" --memory 64m localhost/hull-busybox sleep 100)
	if [ -d /sys/fs/cgroup/memory ]; then
		f=/sys/fs/cgroup/memory/hull-test/$T-pm/libpod-$id/memory.limit_in_bytes
	else
		f=/sys/fs/cgroup/hull-test/$T-pm/libpod-$id/memory.max
	fi
	assert_eq "$(cat "$f")" 67108864 "podman run --memory"
	# podman update hands the new resources to `hull-oci update --resources -`
	podman_ update --memory 128m "$id" >/dev/null
	assert_eq "$(cat "$f")" 134217728 "podman update --memory"
	podman_ rm -f -t 0 "$id" >/dev/null
	assert_gone "$id"
}

# The vm isolation level picked per workload by the annotation, as a Kubernetes RuntimeClass
# would: podman's own spec (its /etc/hosts and /dev/shm binds, rlimits, user) in a microVM.
test_podman_vm_annotation() {
	local out rc=0 id
	command -v qemu-system-x86_64 >/dev/null && [ -r "$REPO/build/vm/vmlinux" ] ||
		skip "no QEMU or guest kernel for the vm isolation level"
	setup_podman
	out=$(podman_ run --rm "${PM_RUN[@]}" --annotation run.hull.isolation=vm -u 1000:1000 \
		--hostname vmhost localhost/hull-busybox \
		sh -c 'echo "$(id -u) $(hostname) $(grep -c vmhost /etc/hosts) $(uname -r)"; exit 7' \
		2>"$WORK/err") || rc=$?
	assert_eq "$rc" 7 "podman run exit code from the VM: $(cat "$WORK/err")"
	assert_eq "${out% *}" "1000 vmhost 1" "user, hostname and podman's /etc/hosts in the guest"
	assert_eq "${out##* }" "$(guest_kernel_version)" "the guest kernel ran it"
	assert_eq "$(podman_ ps -aq)" "" "podman run --rm left a container"
}
