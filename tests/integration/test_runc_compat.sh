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
