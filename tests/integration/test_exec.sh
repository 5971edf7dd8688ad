# SPDX-License-Identifier: Apache-2.0
# hull-oci exec and ps.

# started ID DIR: a detached container whose init sleeps, ready for exec.
started() {
	oci run -d -b "$2" "$1" >/dev/null
	wait_status "$1" running
}

test_exec_joins_the_container() {
	local b id out init_cg
	b=$(bundle ej sleep 60)
	cfg "$b" '.hostname="inside" | .linux.namespaces += [{"type":"cgroup"}]'
	echo marker >"$b/rootfs/marker"
	id=$(cid ej)
	started "$id" "$b"
	init_cg=$(cat "/proc/$(pid_of "$id")/cgroup")
	out=$(oci exec "$id" sh -c 'hostname; echo pid=$$; cat /marker; cat /proc/self/cgroup')
	assert_contains "$out" "inside"
	assert_contains "$out" "marker"
	# its own pid in the container's pid namespace: small, not the host's
	local p=$(sed -n 's/^pid=//p' <<<"$out")
	[ "$p" -gt 1 ] && [ "$p" -lt 100 ] || fatal "pid $p is not in the container's pid namespace"
	# the same cgroup as the init, seen through the container's cgroup namespace as /
	assert_contains "$out" "memory:/"
	assert_not_contains "$out" "hull-test" "the cgroup namespace hides the host path"
	assert_contains "$init_cg" "hull-test/$id"
}

# Every namespace of the container, joined: the exec'd process's /proc/self/ns links are the
# init's, for each kind the bundle asks for (the network one above all: nothing else shows it).
test_exec_joins_every_namespace() {
	local b id init out kind want
	b=$(bundle ens sleep 60)
	cfg "$b" '.linux.namespaces += [{"type":"cgroup"}]'
	id=$(cid ens)
	started "$id" "$b"
	init=$(pid_of "$id")
	out=$(oci exec "$id" sh -c 'for k in net ipc uts mnt pid cgroup; do echo "$k $(readlink /proc/self/ns/$k)"; done')
	for kind in net ipc uts mnt pid cgroup; do
		want=$(readlink "/proc/$init/ns/$kind")
		[ "$want" != "$(readlink "/proc/self/ns/$kind")" ] || fatal "the container shares the host's $kind namespace"
		assert_eq "$(awk -v k="$kind" '$1 == k {print $2}' <<<"$out")" "$want" "the exec'd process's $kind namespace"
	done
	# what the network namespace holds (/proc/net is the reader's): only the container's
	# loopback, not the host's links
	out=$(oci exec "$id" sh -c "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '")
	assert_eq "$out" lo "network interfaces seen by exec"
}

test_exec_exit_status_and_signal() {
	local b id rc
	b=$(bundle es sleep 60)
	id=$(cid es)
	started "$id" "$b"
	rc=0
	oci exec "$id" sh -c 'exit 7' || rc=$?
	assert_eq "$rc" 7 "exit status"
	rc=0
	oci exec "$id" sh -c 'kill -KILL $$' || rc=$?
	assert_eq "$rc" 137 "killed by SIGKILL"
}

test_exec_flags_env_cwd_user_groups() {
	local b id out
	b=$(bundle ef sleep 60)
	cfg "$b" '.process.env += ["KEEP=1", "OVER=old"]'
	id=$(cid ef)
	started "$id" "$b"
	out=$(oci exec -e OVER=new -e NEW=x --cwd /tmp -u 1000:1000 -g 20 -g 30 "$id" \
		sh -c 'echo "$KEEP $OVER $NEW"; pwd; id -u; id -g; id -G')
	assert_contains "$out" "1 new x"
	assert_contains "$out" "/tmp"
	assert_eq "$(sed -n 3p <<<"$out")" 1000
	assert_eq "$(sed -n 4p <<<"$out")" 1000
	assert_contains "$(sed -n 5p <<<"$out")" "20 30"
	# -e replaces the container's entry: one OVER in the environment, not two
	out=$(oci exec -e OVER=new "$id" env)
	assert_eq "$(grep -c '^OVER=' <<<"$out")" 1 "entries of OVER: $out"
	assert_contains "$out" "OVER=new"
}

test_exec_process_file() {
	local b id out
	b=$(bundle epf sleep 60)
	id=$(cid epf)
	started "$id" "$b"
	jq -n '{args:["sh","-c","echo $A; pwd; id -u"], env:["A=from-file","PATH=/bin"],
		cwd:"/etc", user:{uid:5,gid:5}}' >"$WORK/p.json"
	out=$(oci exec --process "$WORK/p.json" "$id")
	assert_eq "$out" $'from-file\n/etc\n5'
	out=$(oci exec -p - "$id" <"$WORK/p.json")
	assert_contains "$out" "from-file"
	# conmon (podman exec -t) passes --tty beside --process: as with runc, the file is the
	# whole process and those flags are ignored (no terminal here: the file has none)
	out=$(oci exec --process "$WORK/p.json" --tty --cwd /tmp -u 7 --env A=flag --cap CAP_SYS_ADMIN "$id" 2>&1)
	assert_eq "$out" $'from-file\n/etc\n5' "the process file wins over the flags"
	echo '{"args":["true"]}' >"$WORK/bad.json"
	assert_fails oci exec --process "$WORK/bad.json" "$id"
	assert_contains "$OUT" "cwd"
	echo '{nope' >"$WORK/bad.json"
	assert_fails oci exec --process "$WORK/bad.json" "$id"
	assert_contains "$OUT" "invalid JSON"
}

test_exec_detach_pid_file_and_ps() {
	local b id p init json
	b=$(bundle ed sleep 60)
	id=$(cid ed)
	started "$id" "$b"
	init=$(pid_of "$id")
	oci exec -d --pid-file "$WORK/exec.pid" "$id" sleep 50
	p=$(cat "$WORK/exec.pid")
	alive "$p" || fatal "the detached exec process $p is not running"
	grep -q "hull-test/$id" "/proc/$p/cgroup" || fatal "exec process not in the container's cgroup"
	json=$(oci ps --format json "$id")
	assert_eq "$(jq -c 'sort' <<<"$json")" "$(jq -nc --argjson a "$init" --argjson b "$p" '[$a,$b]|sort')"
	out=$(oci ps "$id")
	assert_contains "$(head -1 <<<"$out")" "PID"
	assert_contains "$out" "sleep 50"
	assert_eq "$(oci ps "$id" -o pid | tail -n +2 | tr -d " " | sort | tr "\n" " ")" "$(printf "%s\n" "$init" "$p" | sort | tr "\n" " ")"
	# delete --force takes the exec'd process with it
	oci delete --force "$id"
	for _ in $(seq 50); do alive "$p" || break; sleep 0.05; done
	alive "$p" && fatal "exec process $p survived delete --force"
	return 0
}

test_exec_terminal() {
	local b id helper out
	helper=/var/tmp/hull-test-cache/recvtty
	if [ ! -x "$helper" ] || [ "$REPO/tests/data/recvtty.c" -nt "$helper" ]; then
		mkdir -p "$(dirname "$helper")"
		cc -O2 -o "$helper" "$REPO/tests/data/recvtty.c"
	fi
	b=$(bundle et sleep 60)
	id=$(cid et)
	started "$id" "$b"
	"$helper" "$WORK/tty.sock" $'typed\n' >"$WORK/tty.out" &
	for _ in $(seq 50); do [ -S "$WORK/tty.sock" ] && break; sleep 0.05; done
	oci exec -t --console-socket "$WORK/tty.sock" "$id" sh -c 'tty; read x; echo "got:$x"'
	wait
	out=$(tr -d '\r' <"$WORK/tty.out")
	assert_contains "$out" "/dev/pts/"
	assert_contains "$out" "got:typed"
	# without a console socket in the foreground, hull proxies the pty itself
	out=$(oci exec -t "$id" sh -c 'test -t 1 && echo is-a-tty' </dev/null | tr -d '\r')
	assert_contains "$out" "is-a-tty"
	assert_fails oci exec -t -d "$id" true
	assert_contains "$OUT" "console-socket"
}

test_exec_no_leaked_fds() {
	local b id out
	b=$(bundle el sleep 60)
	id=$(cid el)
	started "$id" "$b"
	exec 7</etc/hostname
	# ls itself, not a shell whose pipe to tr may still be open: 3 is the directory it reads
	out=$(oci exec "$id" ls /proc/self/fd | tr "\n" " ")
	exec 7<&-
	assert_eq "$out" "0 1 2 3 " "fds of the exec'd process"
	# --preserve-fds hands fd 3 on
	out=$(oci exec --preserve-fds 1 "$id" sh -c 'cat <&3' 3<<<"passed")
	assert_eq "$out" "passed"
}

test_exec_in_user_namespace() {
	local b id out
	b=$(bundle eu sleep 60)
	cfg "$b" '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}]
		| .linux.gidMappings=[{"containerID":0,"hostID":100000,"size":65536}]'
	chown -R 100000:100000 "$b/rootfs"
	id=$(cid eu)
	started "$id" "$b"
	out=$(oci exec "$id" sh -c 'id -u; cat /proc/self/uid_map')
	assert_eq "$(head -1 <<<"$out")" 0
	assert_contains "$out" "100000"
	p=$(oci exec -d --pid-file "$WORK/p" "$id" sleep 30; cat "$WORK/p")
	assert_eq "$(awk '/^Uid/ {print $2}' "/proc/$p/status")" 100000 "host uid of the exec'd process"
}

test_exec_bad_input() {
	local b id
	b=$(bundle eb sleep 60)
	id=$(cid eb)
	assert_fails oci exec nosuch-ctr true
	assert_contains "$OUT" "does not exist"
	started "$id" "$b"
	assert_fails oci exec "$id"
	assert_contains "$OUT" "missing the command"
	assert_fails oci exec "$id" no-such-binary
	assert_contains "$OUT" "executable file not found"
	assert_fails oci exec --cwd /no/such/dir "$id" true
	assert_contains "$OUT" "/no/such/dir"
	assert_fails oci exec -u root "$id" true
	assert_contains "$OUT" "UID[:GID]"
	assert_fails oci exec -e NOEQUALS "$id" true
	assert_contains "$OUT" "NAME=VALUE"
	oci kill "$id" KILL
	wait_status "$id" stopped
	assert_fails oci exec "$id" true
	assert_contains "$OUT" "stopped"
}
