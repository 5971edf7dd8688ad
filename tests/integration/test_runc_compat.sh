# What runc and crun do that clients count on, each found by driving hull-oci as they are
# driven: ignored unknown capabilities, HOME, hook environments, a created cwd, exec's own
# session, poststart failures, run --keep.

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
