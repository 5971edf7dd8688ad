# OCI hooks: all six phases, state on stdin, timeouts, failures.

hook_script() { # hook_script NAME: a hook that records its phase and stdin
	cat >"$WORK/$1.sh" <<SH
#!/bin/sh
cat > "$WORK/$1.state"
echo "\$1" >> "$WORK/order"
SH
	chmod +x "$WORK/$1.sh"
}

test_hooks_all_phases() {
	local b id p
	b=$(bundle hk true)
	for p in prestart createRuntime createContainer startContainer poststart poststop; do
		hook_script "$p"
		cfg "$b" --arg p "$p" --arg path "$WORK/$p.sh" '.hooks[$p] = [{"path":$path,"args":[$path,$p]}]'
	done
	# startContainer runs inside the container: its path must exist there
	mkdir -p "$b/rootfs$WORK"
	cp "$WORK/startContainer.sh" "$b/rootfs$WORK/startContainer.sh"
	cfg "$b" --arg w "$WORK" '.mounts += [{"destination":$w,"type":"bind","source":$w,"options":["bind"]}]'
	id=$(cid hk)
	oci run -b "$b" "$id"
	assert_eq "$(tr '\n' ' ' <"$WORK/order")" \
		"prestart createRuntime createContainer startContainer poststart poststop "
	assert_eq "$(jq -r .id "$WORK/prestart.state")" "$id"
	assert_eq "$(jq -r .status "$WORK/prestart.state")" creating
	assert_eq "$(jq -r .status "$WORK/poststop.state")" stopped
	jq -e '.pid > 0' "$WORK/createRuntime.state" >/dev/null
}

test_hook_env_and_timeout() {
	local b id
	b=$(bundle ht true)
	cat >"$WORK/slow.sh" <<'SH'
#!/bin/sh
echo "$HOOKVAR" > "$(dirname "$0")/env.out"
sleep 30
SH
	chmod +x "$WORK/slow.sh"
	cfg "$b" --arg p "$WORK/slow.sh" '.hooks.prestart=[{"path":$p,"env":["HOOKVAR=set"],"timeout":1}]'
	id=$(cid ht)
	SECONDS=0
	assert_fails oci run -b "$b" "$id"
	assert_contains "$OUT" "timed out"
	[ $SECONDS -lt 10 ] || fatal "timeout not honoured ($SECONDS s)"
	assert_eq "$(cat "$WORK/env.out")" set
	pgrep -f "$WORK/slow.sh" && fatal "hook still running"
	[ ! -e "$ROOT/$id" ] || fatal "state left"
}

test_failing_prestart_leaves_nothing() {
	local b id
	b=$(bundle hf sleep 30)
	cfg "$b" '.hooks.prestart=[{"path":"/bin/sh","args":["sh","-c","exit 4"]}]'
	id=$(cid hf)
	assert_fails oci create -b "$b" "$id"
	assert_contains "$OUT" "prestart hook"
	assert_contains "$OUT" "status 4"
	[ ! -e "$ROOT/$id" ] || fatal "state left"
	pgrep -f "hull-oci --root $ROOT" && fatal "init left"
	true
}
