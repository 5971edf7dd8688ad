# SPDX-License-Identifier: Apache-2.0
# Bad input: a clear message, a non-zero status, and nothing left behind.

test_missing_bundle_and_config() {
	assert_fails oci run -b "$WORK/nope" "$(cid m1)"
	assert_contains "$OUT" "$WORK/nope"
	mkdir "$WORK/empty"
	assert_fails oci run -b "$WORK/empty" "$(cid m2)"
	assert_contains "$OUT" "config.json"
}

test_invalid_json_and_types() {
	local b
	b=$(bundle ij true)
	echo '{"ociVersion": "1.2.0", "process": {' >"$b/config.json"
	assert_fails oci run -b "$b" "$(cid ij)"
	assert_contains "$OUT" "invalid JSON"
	echo '{"ociVersion": "1.2.0", "process": {"args": "sh", "cwd": "/"}}' >"$b/config.json"
	assert_fails oci run -b "$b" "$(cid ij2)"
	assert_contains "$OUT" "process.args"
}

test_empty_args() {
	local b
	b=$(bundle ea true)
	cfg "$b" '.process.args=[]'
	assert_fails oci run -b "$b" "$(cid ea)"
	assert_contains "$OUT" "process.args"
}

test_executable_not_found() {
	local b
	b=$(bundle nf no-such-program)
	assert_fails oci run -b "$b" "$(cid nf)"
	assert_contains "$OUT" "executable file not found"
	cfg "$b" '.process.args=["/bin/nope"]'
	assert_fails oci create -b "$b" "$(cid nf2)"
	assert_contains "$OUT" "/bin/nope"
	# a directory is not a program, though its x bit passes access(X_OK)
	cfg "$b" '.process.args=["/bin"]'
	assert_fails oci create -b "$b" "$(cid nf3)"
	assert_contains "$OUT" "exec \`/bin\`: is a directory"
}

test_duplicate_and_bad_ids() {
	local b id
	b=$(bundle du sleep 30)
	id=$(cid du)
	oci create -b "$b" "$id"
	assert_fails oci create -b "$b" "$id"
	assert_contains "$OUT" "already exists"
	assert_eq "$(state_of "$id")" created "the first container is untouched"
	oci delete "$id"
	assert_fails oci run -b "$b" "a/b"
	assert_contains "$OUT" "invalid container ID"
	assert_fails oci run -b "$b" ".."
	assert_contains "$OUT" "invalid container ID"
	assert_fails oci state ../etc
	assert_fails oci start
	assert_contains "$OUT" "missing container ID"
}

test_operations_on_wrong_states() {
	local b id
	b=$(bundle ws true)
	id=$(cid ws)
	oci run -d -b "$b" "$id"
	wait_status "$id" stopped
	assert_fails oci start "$id"
	assert_contains "$OUT" "not created"
	assert_fails oci kill "$id" TERM
	assert_contains "$OUT" "not running"
	oci delete "$id"
	assert_fails oci kill "$id"
	assert_contains "$OUT" "does not exist"
}

test_host_kill9_makes_it_stopped() {
	local b id pid
	b=$(bundle k9 sleep 30)
	id=$(cid k9)
	oci run -d -b "$b" "$id"
	pid=$(pid_of "$id")
	kill -9 "$pid"
	wait_status "$id" stopped
	assert_eq "$(pid_of "$id")" 0
	oci delete "$id"
}
