#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Helpers for the integration tests.  Each test_* function runs in its own bash (started by
# tests/run.sh as `lib.sh --run FILE FUNCTION`) with its own state root, bundle directory and
# cgroup prefix; afterwards everything is removed, and anything left behind fails the test.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HULL_OCI=${HULL_OCI:-$REPO/build/hull-oci}

fatal() {
	echo "FAILED: $*" >&2
	exit 1
}
skip() {
	echo "SKIP: $*"
	exit 77
}

# oci ARGS...: the runtime under test with this test's state root.
oci() { "$HULL_OCI" --root "$ROOT" "$@"; }

# A fresh bundle: bundle NAME [ARGS...] -> prints its directory.
bundle() {
	local name=$1
	shift
	HULL_TEST_CGROUP="/hull-test/$T-$name" "$REPO/tests/data/mkbundle.sh" "$WORK/$name" "$@" >/dev/null
	echo "$WORK/$name"
}
cid() { echo "$T-$1"; }

# jq edit of a bundle's config.json: cfg DIR [jq options...] FILTER
cfg() {
	local dir=$1
	shift
	jq "$@" "$dir/config.json" >"$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
}

assert_eq() { [ "$1" == "$2" ] || fatal "${3:-values differ}: got '$1', expected '$2'"; }
assert_contains() { [[ $1 == *"$2"* ]] || fatal "${3:-missing text}: '$2' not in: $1"; }
assert_not_contains() { [[ $1 != *"$2"* ]] || fatal "${3:-unexpected text}: '$2' in: $1"; }
# assert_fails CMD...: must exit non-zero; its stderr+stdout is left in $OUT.  Through a file,
# not $(...): a create that wrongly succeeds leaves an init holding its output open, and $(...)
# would wait for that process until the test's timeout.
assert_fails() {
	local rc=0
	"$@" >"$WORK/.assert_fails.out" 2>&1 || rc=$?
	OUT=$(cat "$WORK/.assert_fails.out")
	rm -f "$WORK/.assert_fails.out"
	[ "$rc" -ne 0 ] || fatal "expected failure: $*: $OUT"
	return 0
}
# alive PID: the process exists and is not a zombie waiting for its reaper.
alive() { [ -e "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
# no_pidns DIR: the workload is not pid 1 (pid 1 ignores signals it has no handler for).
no_pidns() { cfg "$1" '.linux.namespaces |= map(select(.type != "pid"))'; }
state_of() { oci state "$1" | jq -r .status; }
pid_of() { oci state "$1" | jq -r .pid; }
wait_status() { # wait_status ID STATUS
	local i
	for i in $(seq 100); do
		[ "$(state_of "$1" 2>/dev/null)" == "$2" ] && return 0
		sleep 0.05
	done
	fatal "$1 never became $2 (is $(state_of "$1" 2>&1))"
}

# hull ARGS...: the docker-style CLI with this test's image store and runtime state.
HULL=${HULL:-$REPO/build/hull}
hull() { "$HULL" --root "$WORK/store" --runroot "$ROOT" "$@"; }
# hull_store_cleanup HULL STORE RUNROOT CGROUP: every container of the store removed (by id, and
# by name: a run killed early may leave only its name), then the cgroup parent the containers
# were made under (rmdir: only when empty, so a leak is still seen).
hull_store_cleanup() {
	local id
	for id in $(ls "$2/containers" 2>/dev/null) $(ls "$2/names" 2>/dev/null); do
		"$1" --root "$2" --runroot "$3" rm -f "$id"
	done
	rmdir /sys/fs/cgroup/*/hull-test/"$4" 2>/dev/null
}
# watch_store: the store's containers and the cgroup parent /hull-test/$T-h go after the test.
watch_store() { defer hull_store_cleanup "$HULL" "$WORK/store" "$ROOT" "$T-h"; }

# defer CMD...: run CMD after the test, even when it failed; the last registered runs first.
# It runs in the harness's shell, not the test's subshell: pass what it needs as arguments.
defer() {
	printf '%q ' "$@" >>"$WORK/.defer"
	echo >>"$WORK/.defer"
}
run_deferred() {
	local line
	[ -f "$WORK/.defer" ] || return 0
	while read -r line; do
		eval "$line" >/dev/null 2>&1
	done < <(tac "$WORK/.defer")
	rm -f "$WORK/.defer"
}

# The version of the guest kernel a VM container boots by default: the minimal one once
# `make guest-kernel` has built it, else Debian's.
guest_kernel_version() {
	cat "$REPO/build/vm/guest-kernel/kernel-version" 2>/dev/null || cat "$REPO/build/vm/kernel-version"
}

# --- the vm isolation level (test_vm*.sh) ---

vm_ready() {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (scripts/deps.sh installs it)"
	[ -x /usr/lib/qemu/virtiofsd ] || skip "virtiofsd not installed (qemu-system-common)"
	[ -r "$REPO/build/vm/vmlinux" ] && [ -r "$REPO/build/vm/initrd" ] ||
		skip "no guest kernel in build/vm (make vm-assets; needs linux-image-amd64)"
}

# vm_bundle NAME ARGS...: a bundle annotated for the vm level.
vm_bundle() {
	local b
	b=$(bundle "$@")
	cfg "$b" '.annotations["run.hull.isolation"]="vm"'
	echo "$b"
}

# wait_for FILE TEXT: until the workload has written TEXT (the guest boots first).
wait_for() {
	local i
	for i in $(seq 600); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fatal "never saw '$2' in $1: $(cat "$1")"
}

cleanup() {
	local id
	for id in $(ls "$ROOT" 2>/dev/null); do
		"$HULL_OCI" --root "$ROOT" delete --force "$id" >/dev/null 2>&1
	done
}

# Anything the test left behind, reported and then removed so the next test starts clean.
leak_check() {
	local leaks="" d p
	if grep -q "$WORK\|$ROOT" /proc/self/mountinfo; then
		leaks+="mounts: $(grep "$WORK\|$ROOT" /proc/self/mountinfo | awk '{print $5}' | tr '\n' ' ')"$'\n'
		grep "$WORK\|$ROOT" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	fi
	if [ -n "$(ls "$ROOT" 2>/dev/null)" ]; then
		leaks+="state: $(ls "$ROOT" | tr '\n' ' ')"$'\n'
	fi
	# processes of the test's containers; zombies and ones still exiting get a moment
	for _ in $(seq 20); do
		stray=""
		for p in /proc/[0-9]*; do
			[ "${p#/proc/}" != $$ ] || continue
			if grep -qs "hull-test/$T-\|hull/$T-" "$p/cgroup" ||
				{ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q -- "--root $ROOT "; then
				alive "${p#/proc/}" && stray+="${p#/proc/} "
			fi
		done
		[ -z "$stray" ] && break
		sleep 0.1
	done
	for p in $stray; do
		leaks+="process: $p ($({ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null))"$'\n'
		kill -9 "$p" 2>/dev/null
	done
	for d in /sys/fs/cgroup/*/hull-test/"$T"-* /sys/fs/cgroup/*/hull/"$T"-*; do
		[ -d "$d" ] || continue
		leaks+="cgroup: $d"$'\n'
		rmdir "$d" 2>/dev/null
	done
	rm -rf "$ROOT" "$WORK"
	if [ -n "$leaks" ]; then
		echo "LEAKED:"
		echo "$leaks"
		return 1
	fi
	return 0
}

if [ "${1:-}" == "--run" ]; then
	file=$2 fn=$3
	T="t$$-${fn#test_}"
	T=${T:0:40}
	ROOT=/run/hull-test/$T
	WORK=/var/tmp/hull-test/$T
	mkdir -p "$ROOT" "$WORK"
	export ROOT WORK T HULL_OCI
	source "$file"
	(
		set -eo pipefail
		cd "$WORK"
		"$fn"
	) &
	test_pid=$!
	# a watchdog, so that cleanup and the leak check still run after a hung test
	( sleep "${HULL_TEST_TIMEOUT:-90}"; echo "TIMED OUT after ${HULL_TEST_TIMEOUT:-90} s"; kill -9 $test_pid ) &
	dog=$!
	wait $test_pid
	rc=$?
	kill $dog 2>/dev/null
	wait $dog 2>/dev/null
	run_deferred
	cleanup
	leak_check || { [ $rc -eq 0 ] && rc=1; }
	exit $rc
fi
