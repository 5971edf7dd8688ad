# SPDX-License-Identifier: Apache-2.0
# Regression tests for the runtime CVE classes: the runtime binary (CVE-2019-5736), leaked
# fds and cwd (CVE-2024-21626), symlinked mount targets, /dev, /proc, /dev/console and masked
# paths (CVE-2021-30465, CVE-2025-31133, CVE-2025-52565).

# A copy of the runtime under test: the attacks below must not change it, and if they did,
# the build's binary is not the one damaged.
own_runtime() {
	mkdir -p "$WORK/bin"
	cp "$HULL_OCI" "$WORK/bin/hull-oci"
	sha256sum <"$WORK/bin/hull-oci" >"$WORK/bin/sum"
}
hc() { "$WORK/bin/hull-oci" --root "$ROOT" "$@"; }
# runtime_intact [BINARY]: the copy (hull-oci by default) is what own_runtime/own_hull made
runtime_intact() { assert_eq "$(sha256sum <"${1:-$WORK/bin/hull-oci}")" "$(cat "$WORK/bin/sum")" "the runtime binary changed"; }
# wait_file FILE TEXT: until FILE contains TEXT (5 s)
wait_file() {
	for _ in $(seq 100); do grep -qs "$2" "$1" && return 0; sleep 0.05; done
	fatal "$1 never got '$2': $(cat "$1" 2>&1)"
}

# The attacker: holds /proc/PID/exe open, then keeps trying to write the file through that
# fd after the runtime let go of it (the 2019 exploit), reporting in /tmp/status.
ATTACK='exec 3<"/proc/$P/exe" || { echo noopen >/tmp/status; exit; }
	echo "held $(readlink /proc/$P/exe)" >/tmp/status
	echo x 2>>/tmp/err >"/proc/$P/exe" && echo WROTE-LINK >>/tmp/status
	[ -n "$RELEASE" ] && cat /tmp/fifo >/dev/null
	for i in $(seq 40); do
		if echo PWNED 2>>/tmp/err >/proc/self/fd/3; then echo WROTE >>/tmp/status; break; fi
		sleep 0.05
	done
	echo done >>/tmp/status'

test_cve_2019_5736_init_exe_not_writable() {
	local b id st
	own_runtime
	# CAP_SYS_PTRACE lets the container open /proc/1/exe of the not yet started init
	b=$(bundle rx sleep 60)
	cfg "$b" '.process.capabilities |= map_values(. + ["CAP_SYS_PTRACE"])'
	id=$(cid rx)
	hc create -b "$b" "$id"
	hc exec -d --env P=1 "$id" sh -c "$ATTACK"
	wait_file "$b/rootfs/tmp/status" held
	# the init execs the workload: no runtime process is left running the binary
	hc start "$id"
	wait_file "$b/rootfs/tmp/status" done
	st=$(cat "$b/rootfs/tmp/status")
	assert_not_contains "$st" WROTE
	assert_contains "$(cat "$b/rootfs/tmp/err")" "Read-only file system"
	hc delete --force "$id"
	runtime_intact
}

# Where no overlay can show the binary (a path with a comma cannot be an overlay layer) the
# runtime runs from a sealed memfd copy: the same attack holds that copy and cannot write it.
test_cve_2019_5736_sealed_copy_without_overlay() {
	local b id st dir="$WORK/bin,sealed"
	mkdir -p "$dir"
	cp "$HULL_OCI" "$dir/hull-oci"
	sha256sum <"$dir/hull-oci" >"$WORK/sum"
	b=$(bundle rs sleep 60)
	cfg "$b" '.process.capabilities |= map_values(. + ["CAP_SYS_PTRACE"])'
	id=$(cid rs)
	"$dir/hull-oci" --root "$ROOT" create -b "$b" "$id"
	"$dir/hull-oci" --root "$ROOT" exec -d --env P=1 "$id" sh -c "$ATTACK"
	wait_file "$b/rootfs/tmp/status" held
	"$dir/hull-oci" --root "$ROOT" start "$id"
	wait_file "$b/rootfs/tmp/status" done
	st=$(cat "$b/rootfs/tmp/status")
	assert_contains "$st" "held /memfd:hull-oci" "the init does not run from the sealed copy"
	assert_not_contains "$st" WROTE
	assert_contains "$(cat "$b/rootfs/tmp/err")" "Operation not permitted"
	"$dir/hull-oci" --root "$ROOT" delete --force "$id"
	assert_eq "$(sha256sum <"$dir/hull-oci")" "$(cat "$WORK/sum")" "the runtime binary changed"
}

# A rootfs where a process running the runtime's binary waits for the attacker: the host's
# dynamic loader is copied in and the first library the binary needs is a fifo, which the
# loader blocks on until someone opens it for writing.  /evil is `#!/proc/self/exe`: whatever
# the runtime execs as /evil runs the runtime's own binary inside the container, and holds at
# the loader.  (Without a loader in the rootfs that exec fails with ENOENT and proves nothing.)
# loader_trap ROOTFS BINARY
loader_trap() {
	local r=$1 ld lib
	ld=$(readelf -l "$2" | sed -n 's/.*program interpreter: \(.*\)]/\1/p')
	lib=$(readelf -d "$2" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | head -1)
	[ -n "$ld" ] && [ -n "$lib" ] || fatal "$2: no loader or library to trap"
	mkdir -p "$r$(dirname "$ld")" "$r/lib/x86_64-linux-gnu"
	cp -L "$ld" "$r$ld"
	mkfifo "$r/lib/x86_64-linux-gnu/$lib"
	echo "/lib/x86_64-linux-gnu/$lib" >"$r/trap"
	printf '#!/proc/self/exe\n' >"$r/evil"
	chmod +x "$r/evil"
}

# The attacker for a loader trap: finds the runtime's binary running /evil, holds its exe,
# tries to write it while it runs, releases the trap, then keeps trying through the held fd
# once the runtime has let go of the file (the 2019 exploit).  Reports in /tmp/status:
# "held DEV:INO" of the file it holds, WROTE on success, done at the end.
TRAPPED_ATTACK='P=
for i in $(seq 200); do
	for p in /proc/[0-9]*; do
		case "$(tr "\0" " " <$p/cmdline 2>/dev/null)" in "/proc/self/exe /evil"*) P=${p#/proc/};; esac
	done
	[ -n "$P" ] && break
	sleep 0.05
done
[ -n "$P" ] || { echo none >/tmp/status; exit; }
exec 3<"/proc/$P/exe" || { echo noopen >/tmp/status; exit; }
echo "held $(stat -L -c %d:%i /proc/self/fd/3)" >/tmp/status
echo x 2>>/tmp/err >"/proc/$P/exe" && echo WROTE-LINK >>/tmp/status
: >"$(cat /trap)"
for i in $(seq 40); do
	if echo PWNED 2>>/tmp/err >/proc/self/fd/3; then echo WROTE >>/tmp/status; break; fi
	sleep 0.05
done
echo done >>/tmp/status'

# trap_outcome ROOTFS BINARY: the attacker held a file that is not BINARY and could not write
# it, and BINARY is unchanged.  Before the fix the held file is BINARY itself.
trap_outcome() {
	local st
	st=$(cat "$1/tmp/status")
	assert_contains "$st" held "the attacker never held the runtime's exe"
	assert_not_contains "$st" "held $(stat -c %d:%i "$2")" \
		"the container's process of the runtime ran the host's binary"
	assert_not_contains "$st" WROTE
	[[ $(cat "$1/tmp/err") =~ "Read-only file system"|"Operation not permitted" ]] ||
		fatal "writing the exe failed for another reason: $(cat "$1/tmp/err")"
	runtime_intact "$2"
}

test_cve_2019_5736_shebang_proc_self_exe() {
	local b id
	own_runtime
	b=$(bundle rs sh -c "$TRAPPED_ATTACK; sleep 60")
	loader_trap "$b/rootfs" "$WORK/bin/hull-oci"
	id=$(cid rs)
	hc run -d -b "$b" "$id" >/dev/null
	# the runtime runs itself in the container, held at the loader, and fails once released
	assert_fails hc exec "$id" /evil
	wait_file "$b/rootfs/tmp/status" done
	trap_outcome "$b/rootfs" "$WORK/bin/hull-oci"
	hc delete --force "$id"
}

# The same attack on every path of the `hull` CLI that puts a process into a container: the
# CLI calls the runtime in-process, so hull's own binary is what the container could reach.
own_hull() {
	mkdir -p "$WORK/bin"
	cp "$REPO/build/hull" "$WORK/bin/hull"
	sha256sum <"$WORK/bin/hull" >"$WORK/bin/sum"
	defer hull_store_cleanup "$WORK/bin/hull" "$WORK/store" "$ROOT" "$T"
}
hh() { "$WORK/bin/hull" --root "$WORK/store" --runroot "$ROOT" "$@"; }
hrun() { hh run --network none --cgroup-parent "/hull-test/$T" "$@"; }

# hull exec: the attacker is the container's process, and its monitor is gone (killed), so
# that nothing else keeps hull's binary busy once the exec returns.
test_cve_2019_5736_hull_exec() {
	local r pid
	own_hull
	r=$(bundle hx)/rootfs
	loader_trap "$r" "$WORK/bin/hull"
	hrun -d --name hx --rootfs "$r" sh -c "$TRAPPED_ATTACK; sleep 60" >/dev/null
	pid=$(hh inspect hx | jq -r '.[0].State.Pid')
	kill -9 "$(awk '{print $4}' "/proc/$pid/stat")"
	assert_fails hh exec hx /evil
	wait_file "$r/tmp/status" done
	trap_outcome "$r" "$WORK/bin/hull"
	hh rm -f hx >/dev/null
}

# hull run in the foreground, and detached (the monitor starts it): the container's own
# process is /evil; the attacker comes in with exec and checks the init while it runs.
hull_run_attack() {
	local r=$1
	for _ in $(seq 100); do [ "$(hh inspect hr 2>/dev/null | jq -r '.[0].State.Status')" = running ] && break; sleep 0.05; done
	hh exec -d hr sh -c "$TRAPPED_ATTACK" >/dev/null
	wait_file "$r/tmp/status" held
}
test_cve_2019_5736_hull_run() {
	local r rc=0
	own_hull
	r=$(bundle hr)/rootfs
	loader_trap "$r" "$WORK/bin/hull"
	hrun --name hr --rootfs "$r" /evil >"$WORK/out" 2>&1 &
	hull_run_attack "$r"
	wait $! || rc=$?
	assert_eq "$rc" 127 "the trapped loader fails: $(cat "$WORK/out")"
	trap_outcome "$r" "$WORK/bin/hull"
	hh rm -f hr >/dev/null
}
test_cve_2019_5736_hull_run_detached() {
	local r
	own_hull
	r=$(bundle hd)/rootfs
	loader_trap "$r" "$WORK/bin/hull"
	hrun -d --name hr --rootfs "$r" /evil >/dev/null
	hull_run_attack "$r"
	for _ in $(seq 100); do [ "$(hh inspect hr | jq -r '.[0].State.Status')" = exited ] && break; sleep 0.05; done
	assert_eq "$(hh inspect hr | jq -r '.[0].State.ExitCode')" 127 "the trapped loader fails"
	trap_outcome "$r" "$WORK/bin/hull"
	hh rm -f hr >/dev/null
}

# hull create, then hull start: the monitor hull start spawns calls the runtime in-process too.
test_cve_2019_5736_hull_start() {
	local r
	own_hull
	r=$(bundle hs)/rootfs
	loader_trap "$r" "$WORK/bin/hull"
	hh create --cgroup-parent "/hull-test/$T" --name hr --rootfs "$r" /evil >/dev/null
	assert_eq "$(hh start hr)" hr
	hull_run_attack "$r"
	for _ in $(seq 100); do [ "$(hh inspect hr | jq -r '.[0].State.Status')" = exited ] && break; sleep 0.05; done
	assert_eq "$(hh inspect hr | jq -r '.[0].State.ExitCode')" 127 "the trapped loader fails"
	trap_outcome "$r" "$WORK/bin/hull"
	hh rm -f hr >/dev/null
}

# hull build: a RUN step's process is the container's init, which execs the step's command.
# Nothing else runs in a step's container, so the host plays the attacker: it holds the exe
# of the step's process trapped in the loader (all a process of the container could reach),
# releases the trap, and once the build is over writes through what it holds.
test_cve_2019_5736_hull_build() {
	local r p bpid held rc=0
	own_hull
	r=$(bundle hb)/rootfs
	loader_trap "$r" "$WORK/bin/hull"
	tar -C "$r" -cf "$WORK/trap.tar" .
	hh import "$WORK/trap.tar" trap:1 >/dev/null
	mkdir -p "$WORK/ctx"
	printf 'FROM trap:1\nRUN ["/evil"]\n' >"$WORK/ctx/Dockerfile"
	hh build --cgroup-parent "/hull-test/$T" -t out:1 "$WORK/ctx" >"$WORK/out" 2>&1 &
	bpid=$!
	# the step's process: in this test's cgroup (other tests may trap loaders too)
	for _ in $(seq 200); do
		for p in $(pgrep -f '^/proc/self/exe /evil'); do
			grep -qs "/hull-test/$T/" "/proc/$p/cgroup" && break 2
		done
		p=
		sleep 0.05
	done
	[ -n "$p" ] || fatal "the step never ran /evil: $(cat "$WORK/out")"
	exec 3<"/proc/$p/exe"
	held=$(stat -L -c %d:%i /proc/self/fd/3)
	: >"/proc/$p/root$(cat "$r/trap")"
	wait "$bpid" || rc=$?
	[ "$rc" -ne 0 ] || fatal "the trapped step succeeded: $(cat "$WORK/out")"
	if echo PWNED 2>"$WORK/err" >/proc/self/fd/3; then
		exec 3<&-
		fatal "the step's exe was writable once the build ended"
	fi
	exec 3<&-
	[[ $(cat "$WORK/err") =~ "Read-only file system"|"Operation not permitted" ]] ||
		fatal "writing the exe failed for another reason: $(cat "$WORK/err")"
	assert_not_contains "$held" "$(stat -c %d:%i "$WORK/bin/hull")" "the step ran the host's binary"
	runtime_intact "$WORK/bin/hull"
}

# The re-execution marker only stops a loop: set by a caller, it must not turn the
# protection off, and the runtime then refuses rather than run from a writable binary.
test_cve_2019_5736_stray_marker_refused() {
	local b
	own_runtime
	b=$(bundle sm true)
	assert_fails env _HULL_SELFEXE=/x "$WORK/bin/hull-oci" --root "$ROOT" run -b "$b" "$(cid sm)"
	assert_contains "$OUT" "still writable"
	assert_eq "$(ls "$ROOT" | grep -c .)" 0 "state left by a refused run"
	runtime_intact
}

test_cve_2019_5736_workload_writes_proc_self_exe() {
	local b out
	own_runtime
	b=$(bundle rw sh -c 'echo x >/proc/self/exe 2>&1; echo x >/proc/1/exe 2>&1; readlink /proc/self/exe')
	out=$(hc run -b "$b" "$(cid rw)")
	assert_contains "$out" "/bin/busybox"
	runtime_intact
	# the runtime's own exe is read-only while it runs containers
	assert_contains "$(hc run -b "$b" "$(cid rw2)" 2>&1)" "busybox"
	runtime_intact
}

test_cve_2024_21626_no_host_fds() {
	local b id out
	# ls is the process: its only fd of its own is 3, the directory it lists
	b=$(bundle fd ls /proc/self/fd)
	# host fds, directories among them, open in the caller
	exec 7</etc/hostname 8<"$WORK" 9</sys/fs/cgroup
	out=$(oci run -b "$b" "$(cid fd)" | tr "\n" " ")
	assert_eq "$out" "0 1 2 3 " "fds of the container's process"
	out=$(oci run --preserve-fds 1 -b "$b" "$(cid fd2)" 3</etc/hostname | tr "\n" " ")
	assert_eq "$out" "0 1 2 3 4 " "with --preserve-fds 1"
	b=$(bundle fx sleep 60)
	id=$(cid fx)
	oci run -d -b "$b" "$id" >/dev/null
	wait_status "$id" running
	out=$(oci exec "$id" ls /proc/self/fd | tr "\n" " ")
	assert_eq "$out" "0 1 2 3 " "fds of an exec'd process"
	# and the init has nothing of the runtime's left either
	out=$(ls "/proc/$(pid_of "$id")/fd" | tr "\n" " ")
	assert_eq "$out" "0 1 2 " "fds of the init after start"
	exec 7<&- 8<&- 9<&-
	oci delete --force "$id"
}

test_cve_2024_21626_cwd_outside_root_refused() {
	local b id out n
	echo host-marker >"$WORK/marker"
	b=$(bundle cw sh -c "pwd; cat ../../../../../../../../../../..$WORK/marker 2>/dev/null; true")
	exec 8<"$WORK" 9</sys/fs/cgroup
	for n in 3 4 5 6 7 8 9 10; do
		cfg "$b" --arg c "/proc/self/fd/$n" '.process.cwd=$c'
		if out=$(oci run -b "$b" "$(cid cw$n)" 2>&1); then
			assert_not_contains "$out" host-marker "cwd /proc/self/fd/$n escaped"
		else
			assert_contains "$out" "/proc/self/fd/$n"
		fi
		oci delete --force "$(cid cw$n)" >/dev/null 2>&1 || true
	done
	# a path that climbs above the root stays in it
	cfg "$b" '.process.cwd="/../../../../tmp/../.."'
	out=$(oci run -b "$b" "$(cid cwu)")
	assert_eq "$out" "/"
	b=$(bundle cx sleep 60)
	id=$(cid cx)
	oci run -d -b "$b" "$id" >/dev/null
	wait_status "$id" running
	for n in 3 4 5 6 7 8 9 10; do
		if out=$(oci exec --cwd "/proc/self/fd/$n" "$id" sh -c "pwd; cat ../../../../../../../../../..$WORK/marker 2>/dev/null; true" 2>&1); then
			assert_not_contains "$out" host-marker "exec --cwd /proc/self/fd/$n escaped"
		fi
	done
	exec 8<&- 9<&-
	oci delete --force "$id"
}

# nothing mounted on, created in or written to the host directory DIR
host_untouched() {
	assert_eq "$(ls -A "$1")" "" "something was created in $1 on the host"
	! grep -q " $1" /proc/self/mountinfo || fatal "a mount landed on $1 on the host"
}

test_cve_2021_30465_dev_and_proc_symlinks() {
	local b out
	mkdir -p "$WORK/hostdev" "$WORK/hostproc"
	b=$(bundle sd sh -c 'stat -c %F /dev/null; ls /proc/self/ >/dev/null && echo proc-ok')
	rm -rf "$b/rootfs/dev" "$b/rootfs/proc"
	ln -s "$WORK/hostdev" "$b/rootfs/dev"
	ln -s "$WORK/hostproc" "$b/rootfs/proc"
	if out=$(oci run -b "$b" "$(cid sd)" 2>&1); then
		assert_contains "$out" "character special file"
		assert_contains "$out" "proc-ok"
	else
		assert_contains "$out" "/proc"
	fi
	host_untouched "$WORK/hostdev"
	host_untouched "$WORK/hostproc"
	# relative symlinks that climb out of the rootfs
	rm -f "$b/rootfs/dev" "$b/rootfs/proc"
	ln -s "../../../../../../../../../..$WORK/hostdev" "$b/rootfs/dev"
	mkdir "$b/rootfs/proc"
	if ! out=$(oci run -b "$b" "$(cid sd2)" 2>&1); then
		assert_contains "$out" "/dev"
	fi
	host_untouched "$WORK/hostdev"
}

test_cve_2025_52565_dev_console_symlink() {
	local b out
	echo host-data >"$WORK/hostconsole"
	b=$(bundle sc sh -c 'stat -c "%F %t" /dev/console; echo typed >/dev/console')
	cfg "$b" '.process.terminal=true
		| .mounts |= map(select(.destination != "/dev" and .destination != "/dev/shm" and .destination != "/dev/mqueue"))'
	ln -s "$WORK/hostconsole" "$b/rootfs/dev/console"
	mkdir -p "$b/rootfs/dev/pts"
	# the pty's name in an image without its own devpts: the console must still be the pty
	out=$(oci run -b "$b" "$(cid sc)" </dev/null 2>&1 | tr -d '\r')
	assert_contains "$out" "character special file 88"
	assert_eq "$(cat "$WORK/hostconsole")" host-data "the host file behind /dev/console"
}

test_cve_2025_31133_masked_path_symlinks() {
	local b out
	echo secret >"$WORK/hostshadow"
	echo 0 >"$WORK/hostsysrq"
	b=$(bundle sm sh -c 'cat /etc/shadow-test; echo h >/proc/sysrq-trigger 2>/dev/null; echo ran')
	# /proc not mounted: the image's own /proc entries are symlinks to host files
	cfg "$b" '.mounts |= map(select(.destination != "/proc"))
		| .linux.maskedPaths += ["/etc/masked-link"]'
	echo container-secret >"$b/rootfs/etc/shadow-test"
	ln -s "$WORK/hostshadow" "$b/rootfs/proc/kcore"
	ln -s "$WORK/hostsysrq" "$b/rootfs/proc/sysrq-trigger"
	ln -s "$WORK/hostshadow" "$b/rootfs/etc/masked-link"
	out=$(oci run -b "$b" "$(cid sm)" 2>&1) || assert_contains "$out" "/proc"
	assert_eq "$(cat "$WORK/hostshadow")" secret
	assert_eq "$(cat "$WORK/hostsysrq")" 0
	! grep -q "$WORK/host" /proc/self/mountinfo || fatal "a mask landed on a host file"
	# /dev/null a symlink to a host file: the masks must bind the real null device
	b=$(bundle sn sh -c 'stat -c %F /etc/masked; cat /etc/masked; echo ran')
	cfg "$b" '.mounts |= map(select(.destination != "/dev" and .destination != "/dev/pts" and .destination != "/dev/shm" and .destination != "/dev/mqueue"))
		| .linux.maskedPaths += ["/etc/masked"]'
	echo hidden >"$b/rootfs/etc/masked"
	ln -s "$WORK/hostsysrq" "$b/rootfs/dev/null"
	if out=$(oci run -b "$b" "$(cid sn)" 2>&1); then
		assert_contains "$out" "character special file"
		assert_not_contains "$out" hidden
	else
		assert_contains "$out" "/dev/null"
	fi
	assert_eq "$(cat "$WORK/hostsysrq")" 0
}
