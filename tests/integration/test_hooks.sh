# SPDX-License-Identifier: Apache-2.0
# OCI hooks: all six phases, state on stdin, timeouts, failures.

hook_script() { # hook_script NAME: a hook that records its phase, stdin and open fds
	cat >"$WORK/$1.sh" <<SH
#!/bin/sh
cat > "$WORK/$1.state"
echo "\$1" >> "$WORK/order"
ls /proc/self/fd | tr '\n' ' ' > "$WORK/\$1.fds"
SH
	chmod +x "$WORK/$1.sh"
}

test_hooks_all_phases() {
	local b id p
	b=$(bundle hk true)
	# two hooks per phase: every one runs, in the order given
	for p in prestart createRuntime createContainer startContainer poststart poststop; do
		hook_script "$p"
		cfg "$b" --arg p "$p" --arg path "$WORK/$p.sh" \
			'.hooks[$p] = [{"path":$path,"args":[$path,$p],"timeout":20}, {"path":$path,"args":[$path,($p + "-2")]}]'
	done
	# startContainer runs inside the container: its path must exist there
	mkdir -p "$b/rootfs$WORK"
	cp "$WORK/startContainer.sh" "$b/rootfs$WORK/startContainer.sh"
	cfg "$b" --arg w "$WORK" '.mounts += [{"destination":$w,"type":"bind","source":$w,"options":["bind"]}]'
	id=$(cid hk)
	SECONDS=0
	# fd 3, inherited by hull-oci for the container (--preserve-fds), is not the hooks'
	oci run --preserve-fds 1 -b "$b" "$id" 3</etc/hostname
	# a hook with a timeout that ends at once is not waited for until its timeout
	[ $SECONDS -lt 15 ] || fatal "the hooks took $SECONDS s"
	assert_eq "$(tr '\n' ' ' <"$WORK/order")" \
		"prestart prestart-2 createRuntime createRuntime-2 createContainer createContainer-2 startContainer startContainer-2 poststart poststart-2 poststop poststop-2 "
	assert_eq "$(jq -r .id "$WORK/prestart.state")" "$id"
	assert_eq "$(jq -r .status "$WORK/prestart.state")" creating
	assert_eq "$(jq -r .status "$WORK/poststop.state")" stopped
	jq -e '.pid > 0' "$WORK/createRuntime.state" >/dev/null
	# a hook gets stdin, stdout and stderr only (3 is the folder ls reads), not the fds
	# inherited for the container
	for p in prestart createRuntime poststart poststop; do
		assert_eq "$(cat "$WORK/$p.fds")" "0 1 2 3 " "fds of the $p hook"
	done
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

# A hook killed by a signal is a failure, named as such; the hooks after a failed one in its
# phase do not run, and nothing is left.
test_hook_killed_by_signal_fails() {
	local b id
	b=$(bundle hs sleep 30)
	cfg "$b" --arg w "$WORK" '.hooks.prestart=[{"path":"/bin/sh","args":["sh","-c","kill -TERM $$; sleep 5"]},
		{"path":"/bin/sh","args":["sh","-c","touch \($w)/second-ran"]}]'
	id=$(cid hs)
	assert_fails oci create -b "$b" "$id"
	assert_contains "$OUT" "prestart hook"
	assert_contains "$OUT" "killed by signal SIGTERM"
	[ ! -e "$WORK/second-ran" ] || fatal "the hook after the failed one ran"
	[ ! -e "$ROOT/$id" ] || fatal "state left"
	# the same with an exit status, in a later phase
	cfg "$b" --arg w "$WORK" '.hooks={"createRuntime":[{"path":"/bin/sh","args":["sh","-c","exit 3"]},
		{"path":"/bin/sh","args":["sh","-c","touch \($w)/second-ran"]}]}'
	assert_fails oci create -b "$b" "$id"
	assert_contains "$OUT" "createRuntime hook"
	assert_contains "$OUT" "status 3"
	[ ! -e "$WORK/second-ran" ] || fatal "the hook after the failed one ran"
	[ ! -e "$ROOT/$id" ] || fatal "state left"
}
