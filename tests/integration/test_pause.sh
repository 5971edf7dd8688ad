# SPDX-License-Identifier: Apache-2.0
# pause / resume: the freezer stops every process of the container and lets them go on.

# counter NAME: a bundle whose workload counts into /tmp/n of its rootfs, forever
counter() {
	bundle "$1" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n; sleep 0.02; done'
}

test_pause_resume() {
	local b id pid n1 n2 st
	b=$(counter p)
	id=$(cid p)
	oci run -d -b "$b" "$id"
	for _ in $(seq 100); do [ -s "$b/rootfs/tmp/n" ] && break; sleep 0.05; done
	pid=$(pid_of "$id")
	oci pause "$id"
	assert_eq "$(state_of "$id")" paused
	if [ -d /sys/fs/cgroup/freezer ]; then
		assert_eq "$(cat /sys/fs/cgroup/freezer/hull-test/"$T"-p/freezer.state)" FROZEN
		# a task frozen by the v1 freezer shows as D (uninterruptible) in /proc
		st=$(awk '{print $3}' "/proc/$pid/stat")
		assert_eq "$st" D "process state while paused"
	else
		assert_eq "$(cat /sys/fs/cgroup/hull-test/"$T"-p/cgroup.freeze)" 1
		grep -q "frozen 1" /sys/fs/cgroup/hull-test/"$T"-p/cgroup.events || fatal "not frozen"
	fi
	n1=$(cat "$b/rootfs/tmp/n")
	sleep 0.3
	n2=$(cat "$b/rootfs/tmp/n")
	assert_eq "$n2" "$n1" "the counter stood still while paused"
	assert_fails oci pause "$id"
	assert_contains "$OUT" "not running"
	oci resume "$id"
	assert_eq "$(state_of "$id")" running
	for _ in $(seq 100); do [ "$(cat "$b/rootfs/tmp/n")" != "$n1" ] && break; sleep 0.05; done
	[ "$(cat "$b/rootfs/tmp/n")" != "$n1" ] || fatal "the counter did not go on after resume"
	assert_fails oci resume "$id"
	assert_contains "$OUT" "not paused"
	# a caller with stdin closed (a daemon's child): the state lock is fd 0, still a lock
	oci pause "$id" <&-
	assert_eq "$(state_of "$id")" paused "pause with stdin closed"
	oci resume "$id" <&-
	assert_eq "$(state_of "$id")" running "resume with stdin closed"
	oci delete -f "$id"
}

test_pause_errors_and_delete_paused() {
	local b id
	b=$(counter q)
	id=$(cid q)
	oci create -b "$b" "$id"
	assert_fails oci pause "$id"
	assert_contains "$OUT" "created"
	oci start "$id"
	oci pause "$id"
	assert_fails oci delete "$id"
	assert_contains "$OUT" "paused"
	# kill + delete --force of a paused container thaws it so its processes can die
	oci delete -f "$id"
	assert_fails oci state "$id"
	assert_fails oci pause "$(cid nosuch)"
	assert_contains "$OUT" "does not exist"
}
