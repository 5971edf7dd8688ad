# SPDX-License-Identifier: Apache-2.0
# The Docker-style CLI on a root filesystem directory (--rootfs): run, exec, ps, logs, stop,
# kill, rm, inspect, wait.

# A busybox root filesystem for this test: rootfs NAME -> its directory.
rootfs() {
	bundle "$1" >/dev/null
	echo "$WORK/$1/rootfs"
}


# run ARGS...: hull run with this test's cgroup parent (so leaks are seen), on no network:
# these tests are about other things and must not touch the host's network (the default
# bridge network is test_network.sh's, in a namespace of its own).
run() { hull run --network none --cgroup-parent "/hull-test/$T-h" "$@"; }

store_empty() {
	assert_eq "$(ls "$WORK/store/containers" "$WORK/store/names" | grep -v : | grep -c .)" 0 \
		"records or names left in the store"
	assert_eq "$(ls "$ROOT" | grep -c .)" 0 "runtime state left"
}

test_hull_run_foreground() {
	local r out rc
	watch_store
	r=$(rootfs fg)
	out=$(run --rm --rootfs "$r" sh -c 'echo out; echo err >&2; exit 3' 2>"$WORK/err") || rc=$?
	assert_eq "$out" "out" "stdout"
	assert_eq "$(cat "$WORK/err")" "err" "stderr, kept apart"
	assert_eq "${rc:-0}" 3 "the workload's exit status"
	store_empty
	# hostname: the short id; env from -e and --env-file; -w; -u by name
	printf 'FROM_FILE=1\n# comment\nBOTH=file\n' >"$WORK/env"
	out=$(run --rm -e A=b -e BOTH=flag --env-file "$WORK/env" -w /tmp -u app --rootfs "$r" \
		sh -c 'hostname; echo A=$A FROM_FILE=$FROM_FILE BOTH=$BOTH; pwd; id; echo HOME=$HOME')
	assert_contains "$out" "A=b FROM_FILE=1 BOTH=flag"
	assert_contains "$out" "/tmp"
	assert_contains "$out" "uid=1000(app) gid=1000(app)"
	assert_contains "$out" "HOME=/home/app"
	[[ $(head -1 <<<"$out") =~ ^[0-9a-f]{12}$ ]] || fatal "hostname is not the short id: $out"
	out=$(run --rm -h box -u 1000:65534 --rootfs "$r" sh -c 'hostname; id -u; id -g; cat /etc/hostname')
	assert_eq "$out" $'box\n1000\n65534\nbox'
	store_empty
}

test_hull_exit_codes_as_docker() {
	local r rc
	watch_store
	r=$(rootfs ec)
	rc=0; run --rm --rootfs "$r" nosuchcmd 2>"$WORK/e" || rc=$?
	assert_eq "$rc" 127 "command not found"
	assert_contains "$(cat "$WORK/e")" "nosuchcmd"
	rc=0; run --rm --rootfs "$r" /etc/passwd 2>/dev/null || rc=$?
	assert_eq "$rc" 126 "not executable"
	# executable, but no format the kernel runs (ENOEXEC): cannot be invoked, not missing
	printf 'neither ELF nor #!\n' >"$r/bin/garbage"
	chmod 755 "$r/bin/garbage"
	rc=0; run --rm --rootfs "$r" /bin/garbage 2>"$WORK/e" || rc=$?
	assert_eq "$rc" 126 "exec format error"
	assert_contains "$(cat "$WORK/e")" "exec format error"
	rc=0; run --rm --rootfs "$r" garbage 2>"$WORK/e" || rc=$?
	assert_eq "$rc" 126 "exec format error, found in PATH"
	# the same three through hull exec
	run -d --name ec --rootfs "$r" sleep 100 >/dev/null
	rc=0; hull exec ec nosuchcmd 2>"$WORK/e" || rc=$?
	assert_eq "$rc" 127 "exec: command not found"
	assert_contains "$(cat "$WORK/e")" "nosuchcmd"
	rc=0; hull exec ec /etc/passwd 2>/dev/null || rc=$?
	assert_eq "$rc" 126 "exec: not executable"
	rc=0; hull exec ec /bin/garbage 2>"$WORK/e" || rc=$?
	assert_eq "$rc" 126 "exec: exec format error"
	assert_contains "$(cat "$WORK/e")" "exec format error"
	hull rm -f ec >/dev/null
	rc=0; run --rm -u nosuchuser --rootfs "$r" true 2>"$WORK/e" || rc=$?
	assert_eq "$rc" 125 "hull's own error"
	assert_contains "$(cat "$WORK/e")" "nosuchuser"
	rc=0; run --rm --bogus-flag --rootfs "$r" true 2>"$WORK/e" || rc=$?
	assert_eq "$rc" 125 "unknown flag"
	assert_contains "$(cat "$WORK/e")" "--bogus-flag"
	rc=0; run --rm --rootfs "$WORK/nonexistent" true 2>/dev/null || rc=$?
	assert_eq "$rc" 125 "missing rootfs"
	store_empty
}

test_hull_detached_lifecycle() {
	local r id out
	watch_store
	r=$(rootfs dl)
	id=$(run -d --name web --rootfs "$r" sh -c 'trap "echo bye; exit 0" TERM; echo hello; echo oops >&2; while true; do sleep 0.1; done')
	[[ $id =~ ^[0-9a-f]{64}$ ]] || fatal "run -d did not print an id: $id"
	# the name is taken
	assert_fails run -d --name web --rootfs "$r" true
	assert_contains "$OUT" "already in use"
	out=$(hull ps)
	assert_contains "$out" "${id:0:12}"
	assert_contains "$out" "Up "
	assert_contains "$out" "web"
	assert_eq "$(hull ps -q)" "${id:0:12}"
	assert_eq "$(hull ps -q --no-trunc)" "$id"
	for _ in $(seq 50); do [ -n "$(hull logs web 2>&1)" ] && break; sleep 0.1; done
	out=$(hull logs web 2>"$WORK/err")
	assert_eq "$out" "hello" "logs: stdout"
	assert_eq "$(cat "$WORK/err")" "oops" "logs: stderr apart"
	[[ $(hull logs -t web) =~ ^20[0-9-]+T[0-9:.]+Z\ hello$ ]] || fatal "logs -t: $(hull logs -t web)"
	# exec: status, user, cwd, env, and it is in the container
	local rc=0
	hull exec web sh -c 'exit 5' || rc=$?
	assert_eq "$rc" 5 "exec exit status"
	out=$(hull exec -u app -w /tmp -e X=1 web sh -c 'id -u; pwd; echo X=$X; cat /proc/1/cmdline | tr "\0" " "')
	assert_contains "$out" $'1000\n/tmp\nX=1'
	assert_contains "$out" "trap"
	# inspect, then stop: the TERM trap runs, the status is recorded
	assert_eq "$(hull inspect web | jq -r '.[0].State.Status')" running
	assert_eq "$(hull inspect "${id:0:8}" | jq -r '.[0].Name')" web "lookup by id prefix"
	assert_eq "$(hull stop -t 10 web)" web
	assert_eq "$(hull wait web)" 0
	assert_contains "$(hull logs web)" "bye"
	out=$(hull ps -a)
	assert_contains "$out" "Exited (0)"
	assert_eq "$(hull ps -q)" "" "ps without -a lists running containers only"
	# docker's --format json: one object per line, docker's field names
	assert_eq "$(hull ps -a --format json | jq -r '.State, .Names')" $'exited\nweb'
	assert_eq "$(hull inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.Name}}' web)" "exited 0 web"
	assert_eq "$(ls "$ROOT" | grep -c .)" 0 "runtime state removed at exit"
	assert_eq "$(hull rm web)" web
	assert_fails hull inspect web
	assert_contains "${OUT,,}" "no such"
	store_empty
	# the name is free again
	id=$(run -d --name web --rootfs "$r" true)
	assert_eq "$(hull wait web)" 0
	hull rm web >/dev/null
	store_empty
}

test_hull_stop_kills_after_timeout() {
	local r id rc
	watch_store
	r=$(rootfs st)
	# pid 1 without a handler ignores SIGTERM: stop must fall back to SIGKILL
	id=$(run -d --rootfs "$r" sleep 600)
	hull stop -t 1 "$id" >/dev/null
	assert_eq "$(hull wait "$id")" 137
	assert_contains "$(hull ps -a)" "Exited (137)"
	hull rm "$id" >/dev/null
	# kill with a chosen signal
	id=$(run -d --rootfs "$r" sh -c 'trap "exit 9" USR1; while true; do sleep 0.1; done')
	assert_fails hull rm "${id:0:12}"
	assert_contains "$OUT" "running"
	hull kill -s USR1 "$id" >/dev/null
	assert_eq "$(hull wait "$id")" 9
	hull rm "$id" >/dev/null
	rc=0
	hull kill "$id" 2>/dev/null || rc=$?
	assert_eq "$rc" 1 "kill of a removed container fails"
	store_empty
}

test_hull_logs_follow_and_tail() {
	local r id out
	watch_store
	r=$(rootfs lf)
	id=$(run -d --rootfs "$r" sh -c 'for i in 1 2 3 4 5; do echo line$i; sleep 0.2; done; printf partial')
	out=$(timeout 20 "$HULL" --root "$WORK/store" --runroot "$ROOT" logs -f "$id")
	assert_eq "$out" $'line1\nline2\nline3\nline4\nline5\npartial' "follow until the end"
	assert_eq "$(hull logs --tail 2 "$id")" $'line5\npartial'
	assert_eq "$(hull logs --tail 0 "$id")" ""
	# --since (inclusive) and --until (exclusive): RFC 3339 times, durations, Unix times
	local t3
	t3=$(hull logs -t "$id" | sed -n 3p | cut -d' ' -f1)
	assert_eq "$(hull logs --since "$t3" "$id")" $'line3\nline4\nline5\npartial'
	assert_eq "$(hull logs --until "$t3" "$id")" $'line1\nline2'
	assert_eq "$(hull logs --since "$t3" --until "$t3" "$id")" ""
	assert_eq "$(hull logs --since "$t3" --tail 1 "$id")" "partial"
	assert_eq "$(hull logs --since 1h "$id" | grep -c .)" 6
	assert_eq "$(hull logs --since 0s "$id")" "" "nothing logged after now"
	assert_eq "$(hull logs --until "$(($(date +%s) + 1))" "$id" | grep -c .)" 6
	assert_fails hull logs --since yesterday "$id"
	assert_contains "$OUT" "\`yesterday\` is not a time"
	hull rm "$id" >/dev/null
	store_empty
}

test_hull_stdin_and_tty() {
	local r out id
	watch_store
	r=$(rootfs io)
	out=$(echo piped | run --rm -i --rootfs "$r" cat)
	assert_eq "$out" piped "stdin with -i"
	out=$(echo piped | run --rm --rootfs "$r" cat)
	assert_eq "$out" "" "no stdin without -i"
	out=$(script -qec "stty rows 33 cols 101; $HULL --root $WORK/store --runroot $ROOT run --network none --cgroup-parent /hull-test/$T-h --rm -t --rootfs $r sh -c 'tty; stty size'" /dev/null | tr -d '\r')
	assert_contains "$out" "/dev/pts/0"
	assert_contains "$out" "33 101" "the window size passed on"
	# the size is the pty's before the workload starts (a resize after the start would race it):
	# a detached container has no monitor on the terminal to resize it later
	id=$(script -qec "stty rows 33 cols 101; $HULL --root $WORK/store --runroot $ROOT run -d --network none --cgroup-parent /hull-test/$T-h -t --rootfs $r sh -c 'stty size >/size; sleep 600'" /dev/null | tr -d '\r')
	wait_for "$r/size" "[0-9]"
	assert_eq "$(cat "$r/size")" "33 101" "the terminal's size at the workload's start"
	hull rm -f "$id" >/dev/null
	# exec -t in a detached tty container
	id=$(run -d -t --rootfs "$r" sleep 600)
	out=$(script -qec "$HULL --root $WORK/store --runroot $ROOT exec -t $id tty" /dev/null | tr -d '\r')
	assert_contains "$out" "/dev/pts/"
	hull rm -f "$id" >/dev/null
	store_empty
}

test_hull_volumes_tmpfs_readonly() {
	local r out
	watch_store
	r=$(rootfs vo)
	mkdir -p "$WORK/vol"
	echo host >"$WORK/vol/in"
	out=$(run --rm -v "$WORK/vol:/data" -v "$WORK/vol:/ro:ro" --tmpfs /scratch --read-only \
		--rootfs "$r" sh -c 'cat /data/in; echo new >/data/out; echo x >/ro/y || echo ro-refused;
			echo t >/scratch/t && echo tmpfs-ok; touch /root/z || echo root-ro')
	assert_contains "$out" "host"
	assert_contains "$out" "ro-refused"
	assert_contains "$out" "tmpfs-ok"
	assert_contains "$out" "root-ro"
	assert_eq "$(cat "$WORK/vol/out")" new "written through the volume"
	# a missing host directory is made, as docker does
	run --rm -v "$WORK/made/here:/m" --rootfs "$r" true
	[ -d "$WORK/made/here" ] || fatal "volume source not created"
	# a source that is not absolute is a volume name (test_volumes.sh)
	assert_fails run --rm -v "./relative:/x" --rootfs "$r" true
	assert_contains "$OUT" "invalid volume name"
	store_empty
}

test_hull_capabilities() {
	local r out
	watch_store
	r=$(rootfs cp)
	out=$(run --rm --rootfs "$r" sh -c 'grep CapEff /proc/self/status')
	assert_contains "$out" "00000000a80425fb" "docker's default set"
	out=$(run --rm --cap-drop ALL --cap-add net_admin --rootfs "$r" sh -c 'grep CapEff /proc/self/status')
	assert_contains "$out" "0000000000001000" "only CAP_NET_ADMIN"
	out=$(run --rm -u app --rootfs "$r" sh -c 'grep -E "CapEff|CapBnd" /proc/self/status')
	assert_contains "$out" "CapEff:	0000000000000000" "a non-root user has no effective caps"
	assert_contains "$out" "CapBnd:	00000000a80425fb"
	out=$(run --rm --privileged --rootfs "$r" sh -c 'grep CapEff /proc/self/status; wc -c </proc/timer_list')
	[ "$(tail -1 <<<"$out")" -gt 0 ] || fatal "--privileged has no masked paths: $out"
	out=$(run --rm --rootfs "$r" sh -c 'wc -c </proc/timer_list')
	assert_eq "$out" 0 "/proc/timer_list is masked"
	# docker's default seccomp profile, unless unconfined (or privileged)
	out=$(run --rm --rootfs "$r" sh -c 'grep Seccomp: /proc/self/status; unshare -U true 2>&1; true')
	assert_contains "$out" "Seccomp:	2"
	assert_contains "$out" "Operation not permitted" "no new user namespace"
	out=$(run --rm --security-opt seccomp=unconfined --rootfs "$r" grep Seccomp: /proc/self/status)
	assert_contains "$out" "Seccomp:	0"
	assert_fails run --rm --cap-add CAP_BOGUS --rootfs "$r" true
	assert_contains "$OUT" "CAP_BOGUS"
	store_empty
}

test_hull_survives_a_killed_monitor() {
	local r id mon
	watch_store
	r=$(rootfs km)
	id=$(run -d --rootfs "$r" sleep 600)
	mon=$(hull inspect "$id" >/dev/null; jq -r .monitorPid "$WORK/store/containers/$id/record.json")
	[ "$mon" -gt 0 ] && alive "$mon" || fatal "no monitor process"
	kill -9 "$mon"
	sleep 0.2
	assert_contains "$(hull ps)" "Up " "the container outlives its monitor"
	hull rm -f "$id" >/dev/null
	store_empty
	# nothing of the container is left: no process in its cgroup, no cgroup
	[ -z "$(ls -d /sys/fs/cgroup/*/hull-test/$T-h/hull-* 2>/dev/null)" ] || fatal "cgroup left"
}

test_hull_resource_limits() {
	local r out id
	watch_store
	r=$(rootfs rl)
	id=$(run -d -m 32m --pids-limit 20 --cpus 0.5 --rootfs "$r" sleep 600)
	local cg=/hull-test/$T-h/hull-${id:0:12}
	if [ -d /sys/fs/cgroup/memory ]; then
		assert_eq "$(cat /sys/fs/cgroup/memory$cg/memory.limit_in_bytes)" 33554432 "-m"
		assert_eq "$(cat /sys/fs/cgroup/pids$cg/pids.max)" 20 "--pids-limit"
		assert_eq "$(cat /sys/fs/cgroup/cpu$cg/cpu.cfs_quota_us)" 50000 "--cpus"
	else
		assert_eq "$(cat /sys/fs/cgroup$cg/memory.max)" 33554432 "-m"
		assert_eq "$(cat /sys/fs/cgroup$cg/pids.max)" 20 "--pids-limit"
		assert_eq "$(cat /sys/fs/cgroup$cg/cpu.max)" "50000 100000" "--cpus"
	fi
	# the pids limit holds: 30 more sleeps cannot all start
	out=$(hull exec "$id" sh -c 'for i in $(seq 30); do sleep 5 & done 2>&1; wait' 2>&1 || true)
	assert_contains "$out" "can't fork"
	hull rm -f "$id" >/dev/null
	assert_fails run --rm -m lots --rootfs "$r" true
	assert_contains "$OUT" "invalid size"
	store_empty
}

# Images: load one, run it; the image's config applies, its layers are stacked.
load_image() {
	[ -f "$WORK/img/busybox.docker.tar" ] || python3 "$REPO/tests/data/mkimage.py" "$WORK/img" "$WORK/outside" >/dev/null
	hull load -q -i "$WORK/img/busybox.docker.tar" >/dev/null
}

test_hull_run_image() {
	local out id mounts
	watch_store
	load_image
	# Entrypoint ["/bin/sh","-c"] + Cmd ["cat /etc/motd"], User app:staff, WorkingDir /opt
	out=$(run --rm hulltest/busybox:docker)
	assert_contains "$out" "layer 3" "the top layer's /etc/motd"
	out=$(run --rm hulltest/busybox:docker 'id -un; pwd; echo $FOO; ls /etc/removed 2>&1; ls /opt/old; cat /etc/layer3; ls -d /data')
	assert_contains "$out" $'app\n/opt\nbar'
	assert_contains "$out" "No such file" "the whiteout hides /etc/removed"
	assert_contains "$out" "c" "the opaque dir shows only the upper layer's entry"
	assert_not_contains "$out" "a
b" "the opaque dir hides the lower layer's entries"
	assert_contains "$out" "/data" "the image's volume"
	# --entrypoint and -u override the image
	out=$(run --rm --entrypoint /bin/echo -u root hulltest/busybox:docker hello)
	assert_eq "$out" hello
	# a detached container: stop uses the image's StopSignal (SIGQUIT), rm unmounts its rootfs
	id=$(run -d --entrypoint /bin/sh hulltest/busybox:docker -c 'trap "exit 7" QUIT; while :; do sleep 0.1; done')
	assert_eq "$(hull inspect "$id" | jq -r '.[0].StopSignal')" SIGQUIT
	# conversion.md: Labels and StopSignal become annotations
	assert_eq "$(jq -r '.annotations["org.example.test"] + " " +
		.annotations["org.opencontainers.image.stopSignal"]' "$WORK/store/containers/$id/config.json")" \
		"yes SIGQUIT" "the image's label and stop signal as annotations"
	hull stop -t 10 "$id" >/dev/null
	assert_eq "$(hull wait "$id")" 7
	hull rm "$id" >/dev/null
	mounts=$(grep -c "$WORK/store" /proc/self/mountinfo || true)
	assert_eq "$mounts" 0 "rootfs mounts left"
	assert_fails run --rm nosuchimage true
	assert_contains "$OUT" "no such image: nosuchimage"
	store_empty
	hull rmi hulltest/busybox:docker >/dev/null
}

# Layers are published without waiting for the disk (image/durable.h): a layer whose marker
# names an earlier boot may have been torn by a crash, and is unpacked again from its blob
# before a container uses it; markers of this boot are dropped once old enough.
test_hull_layer_unsynced_after_crash() {
	local layers boot bottom hex marker out
	watch_store
	load_image
	layers=$WORK/store/images/layers
	boot=$(cat /proc/sys/kernel/random/boot_id)
	for marker in "$layers"/*.unsynced; do
		assert_eq "$(readlink "$marker")" "$boot" "a new layer's marker names this boot"
	done
	bottom=$(hull image inspect hulltest/busybox:docker | jq -r '.[0].GraphDriver.Data.LowerDir' | tr ':' '\n' | tail -1)
	hex=$(basename "$bottom")
	# what a crash before writeback can leave: the file there, its data not
	: >"$bottom/etc/passwd"
	ln -sfn 00000000-0000-4000-8000-000000000000 "$layers/$hex.unsynced"
	out=$(run --rm -u root hulltest/busybox:docker 'cat /etc/passwd')
	assert_contains "$out" "root:x:0:0:root" "the torn layer was unpacked again"
	assert_contains "$(cat "$bottom/etc/passwd")" "root:x:0:0:root"
	assert_eq "$(readlink "$layers/$hex.unsynced")" "$boot" "the new unpack is marked for this boot"
	assert_eq "$(ls "$WORK/store/images/tmp" | grep -c .)" 0 "the old layer was removed"
	# settled: an old marker of this boot goes (after a syncfs), a young one stays
	touch -h -d '2 minutes ago' "$layers/$hex.unsynced"
	run --rm hulltest/busybox:docker true
	[ -L "$layers/$hex.unsynced" ] || fatal "hull run settled markers (a syncfs on its way)"
	hull load -q -i "$WORK/img/busybox.docker.tar" >/dev/null
	[ ! -L "$layers/$hex.unsynced" ] || fatal "a settled marker is still there"
	assert_eq "$(ls "$layers" | grep -c '\.unsynced$')" 2 "young markers stay"
	store_empty
	hull rmi hulltest/busybox:docker >/dev/null
	assert_eq "$(ls "$layers" | grep -c .)" 0 "rmi leaves no marker behind"
}

# The same image at the vm isolation level: one boot (TCG here), output and exit status.
test_hull_run_isolation_vm() {
	local out rc=0
	command -v qemu-system-x86_64 >/dev/null && [ -r "$REPO/build/vm/vmlinux" ] ||
		skip "no QEMU or guest kernel for the vm isolation level"
	watch_store
	load_image
	out=$(run --rm --isolation vm -u root hulltest/busybox:docker 'cat /etc/motd; echo err >&2; uname -r; exit 4' 2>"$WORK/err") || rc=$?
	assert_eq "$rc" 4 "the workload's status, through the VM"
	assert_contains "$out" "layer 3" "the image's layers, shared into the guest"
	# the minimal kernel of `make guest-kernel` when it is built, else Debian's
	assert_eq "$(tail -1 <<<"$out")" "$(guest_kernel_version)" "the guest kernel"
	assert_contains "$(cat "$WORK/err")" "err"
	store_empty
	[ "$(grep -c "$WORK/store" /proc/self/mountinfo)" = 0 ] || fatal "rootfs mount left"
	hull rmi hulltest/busybox:docker >/dev/null
}

# hull compare: one workload at both levels (one VM boot), figures from the runs' cgroups, the
# workload's output and status from each level, nothing left behind.
# compare --chart: well-formed SVG with a bar per level and figure, each labelled with the
# figure compare printed; drawn for real by headless chromium when it is installed (the bars'
# colors are on the screenshot)
check_chart() {
	local svg=$1 json=$2 counts
	python3 - "$svg" "$json" <<'PY' || fatal "the chart does not hold the figures"
import json, sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
bars = root.findall(".//s:rect[@class='bar']", ns)
texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
assert len(bars) == 12, f"{len(bars)} bars"
for label in ("start (first output)", "host CPU", "host memory (peak)", "container", "vm"):
    assert label in texts, label
widths = [float(b.get("width")) for b in bars]
assert max(widths) > 100, widths
PY
	command -v chromium >/dev/null || { echo "no chromium: the chart is not rendered" >&2; return 0; }
	chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$WORK/chromium" --window-size=800,480 \
		--screenshot="$WORK/chart.png" "file://$svg" >/dev/null 2>&1
	counts=$(python3 "$REPO/tests/data/pngcolors.py" "$WORK/chart.png" 4e79a7 f28e2b | tr '\n' ' ')
	[[ $counts =~ ^([0-9]+)\ ([0-9]+)\ $ ]] && [ "${BASH_REMATCH[1]}" -gt 500 ] &&
		[ "${BASH_REMATCH[2]}" -gt 500 ] || fatal "chromium did not draw both levels' bars: $counts"
}

test_hull_compare() {
	local out leftover
	command -v qemu-system-x86_64 >/dev/null && [ -r "$REPO/build/vm/vmlinux" ] ||
		skip "no QEMU or guest kernel for the vm isolation level"
	watch_store
	load_image
	out=$(hull compare --runs 1 --format json --chart "$WORK/chart.svg" -u root -e GREETING=hi hulltest/busybox:docker \
		'echo "$GREETING from $(uname -r)"; dd if=/dev/zero of=/tmp/f bs=1M count=16 2>/dev/null; exit 5')
	assert_eq "$(jq -r '[.levels[] | "\(.level)=\(.exitCode)"] | join(" ")' <<<"$out")" \
		"container=5 vm=5" "levels and exit statuses"
	assert_eq "$(jq -r '.levels[0].output' <<<"$out")" "hi from $(uname -r)"
	assert_eq "$(jq -r '.levels[1].output' <<<"$out")" "hi from $(guest_kernel_version)"
	# the 16 MiB written to /tmp are charged to each run's cgroup (page cache on the host;
	# for the VM, the guest's RAM and virtiofsd's writes)
	jq -e 'all(.levels[]; .peakMemoryBytes > 16 * 1048576 and .cpuMs > 0 and .startMs > 0
		and .wallMs > 0)' <<<"$out" >/dev/null || fatal "figures missing: $out"
	assert_eq "$(jq -r '.isolation[0] | "\(.what): \(.vm)"' <<<"$out")" "kernel: a guest kernel of its own"
	check_chart "$WORK/chart.svg" "$out"
	# the table, and a workload that prints nothing has no start figure
	out=$(hull compare --runs 1 hulltest/busybox:docker true 2>&1)
	assert_contains "$out" "start (first output)   -"
	assert_contains "$out" "host memory (peak)"
	# bad input: named, exit 125, nothing run
	assert_fails hull compare --runs 0 hulltest/busybox:docker true
	assert_contains "$OUT" "--runs"
	assert_fails hull compare --chart "$WORK/chart.png" hulltest/busybox:docker true
	assert_contains "$OUT" "must end in .svg or .html"
	assert_fails hull compare --runs 1 nosuch:image true
	assert_contains "$OUT" "nosuch:image"
	leftover=$(ls -d /sys/fs/cgroup/*/hull-compare-* 2>/dev/null || true)
	[ -z "$leftover" ] || fatal "cgroups left: $leftover"
	store_empty
	hull rmi hulltest/busybox:docker >/dev/null
}

test_hull_info_and_version() {
	local out
	watch_store
	load_image
	out=$(hull info --format json)
	assert_eq "$(jq -r .Images <<<"$out")" 1
	assert_eq "$(jq -r .Containers <<<"$out")" 0
	assert_eq "$(jq -r '.IsolationLevels[0]' <<<"$out")" container
	assert_eq "$(jq -r .StorageRoot <<<"$out")" "$WORK/store"
	assert_contains "$(hull info)" "Isolation levels: container"
	assert_contains "$(hull version)" "hull version"
	assert_fails hull info --bogus
	hull rmi hulltest/busybox:docker >/dev/null
}

# --format as docker users write it (Go templates, table, json lines), --filter, and the
# table's columns sized to their content.
test_hull_formats_and_filters() {
	local r web job out
	watch_store
	load_image
	r=$(rootfs fmt)
	web=$(run -d --name web --rootfs "$r" sleep 60)
	job=$(run -d --name a-much-longer-name --rootfs "$r" sh -c 'exit 3')
	hull wait a-much-longer-name >/dev/null
	assert_eq "$(hull ps --format '{{.Names}}')" web "running only, a template"
	assert_eq "$(hull ps -a --format '{{.Names}}={{.State}}')" $'a-much-longer-name=exited\nweb=running' \
		"newest first"
	assert_eq "$(hull ps -f status=exited -q)" "${job:0:12}" "a status filter looks at all"
	assert_eq "$(hull ps -f exited=3 --format '{{.Names}}')" a-much-longer-name
	assert_eq "$(hull ps -f exited=0 -q)" "" "exit code filter"
	assert_eq "$(hull ps -a -f name=^we --format '{{.Names}}')" web "name: a regular expression"
	assert_eq "$(hull ps -a -f name=web -f name=long --format '{{.Names}}' | wc -l)" 2 "same key: either"
	assert_eq "$(hull ps -a -f name=web -f status=exited -q)" "" "two keys: both"
	assert_eq "$(hull ps -a -f "id=${web:0:6}" --format '{{.ID}}')" "${web:0:12}"
	assert_eq "$(hull ps -a -f before=web -q)" "" "nothing older than web"
	assert_eq "$(hull ps -a -f since=web --format '{{.Names}}')" a-much-longer-name
	assert_eq "$(hull ps -a -n 1 --format '{{.Names}}')" a-much-longer-name "--last 1"
	assert_fails hull ps -f bogus=1
	assert_contains "$OUT" "unknown key \`bogus\`"
	# a table: the header from docker's names, columns as wide as their widest cell + 3
	out=$(hull ps -a --format 'table {{.Names}}\t{{.State}}')
	assert_eq "$(head -1 <<<"$out")" "$(printf '%-21s%s' NAMES STATE)" "18 + 3 wide"
	assert_eq "$(tail -1 <<<"$out")" "$(printf '%-21s%s' web running)"
	# json: one object per line, docker's keys
	out=$(hull ps -a --format json)
	assert_eq "$(wc -l <<<"$out")" 2
	assert_eq "$(jq -r '.Names + " " + .State + " " + .ID' <<<"$out" | head -1)" \
		"a-much-longer-name exited ${job:0:12}"
	# inspect --format: fields, functions, range; errors name the problem
	assert_eq "$(hull inspect -f '{{.Name}} {{.State.Status}} {{.State.ExitCode}}' a-much-longer-name web)" \
		$'a-much-longer-name exited 3\nweb running 0'
	assert_eq "$(hull inspect --format '{{json .Config.Cmd}}' web)" '["sleep","60"]'
	assert_eq "$(hull inspect -f '{{range .Config.Cmd}}<{{.}}>{{end}} {{upper .State.Status}}' web)" \
		"<sleep><60> RUNNING"
	assert_fails hull inspect -f '{{nosuch .Name}}' web
	assert_contains "$OUT" "nosuch"
	assert_fails hull inspect --type image web
	assert_contains "$OUT" "No such image: web"
	# images
	assert_eq "$(hull images --format '{{.Repository}}:{{.Tag}}')" hulltest/busybox:docker
	assert_eq "$(hull images -f reference='hulltest/*' -q | wc -l)" 1
	assert_eq "$(hull images -f dangling=true -q)" "" "no dangling images"
	assert_eq "$(hull image inspect -f '{{.RepoTags}}' hulltest/busybox:docker)" "[hulltest/busybox:docker]"
	hull rm -f web a-much-longer-name >/dev/null
	hull rmi hulltest/busybox:docker >/dev/null
}

# pause/unpause, top, port and stats of a running container
test_hull_pause_top_port_stats() {
	local r id out pid t0 t1
	watch_store
	r=$(rootfs obs)
	# The counter is renamed into place (a read never sees a half-written file, even when the
	# freezer stops the loop mid-write), and a sleeper keeps the pid count at 2 or more.
	id=$(run -d --name obs --rootfs "$r" sh -c 'sleep 1000 & i=0; while :; do i=$((i+1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.05; done')
	wait_for "$r/tmp/count" "[0-9]"
	pid=$(hull inspect -f '{{.State.Pid}}' obs)
	# top: the host's ps, only the container's rows
	out=$(hull top obs)
	assert_contains "$(head -1 <<<"$out")" PID
	assert_contains "$out" "while :"
	assert_not_contains "$out" "$(cat /proc/$$/comm) " "a host process in top"
	[ "$(wc -l <<<"$out")" -ge 2 ] || fatal "top lists nothing: $out"
	assert_eq "$(hull top obs -o pid= | head -1 | tr -d ' ')" "" "ps options pass through (no header)"
	assert_contains "$(hull top obs -o pid,comm)" "$pid"
	# pause: the counter stops; unpause: it goes on
	assert_eq "$(hull pause obs)" obs
	assert_eq "$(hull inspect -f '{{.State.Status}} {{.State.Paused}}' obs)" "paused true"
	assert_contains "$(hull ps --format '{{.Status}}')" "(Paused)"
	t0=$(cat "$r/tmp/count"); sleep 0.3; t1=$(cat "$r/tmp/count")
	assert_eq "$t1" "$t0" "a paused container ran"
	assert_fails hull pause obs
	assert_contains "$OUT" "already paused"
	assert_eq "$(hull unpause obs)" obs
	for _ in $(seq 50); do [ "$(cat "$r/tmp/count")" -gt "$t1" ] && break; sleep 0.1; done
	[ "$(cat "$r/tmp/count")" -gt "$t1" ] || fatal "unpause did not thaw it"
	assert_fails hull unpause obs
	assert_contains "$OUT" "not paused"
	# stats: one row per running container, docker's fields
	out=$(hull stats --no-stream --format json)
	assert_eq "$(jq -r .Name <<<"$out")" obs
	jq -e '(.CPUPerc | endswith("%")) and (.MemUsage | test("B / [0-9.]+[KMGT]iB$")) and (.PIDs | tonumber >= 2)' \
		<<<"$out" >/dev/null || fatal "stats: $out"
	assert_contains "$(hull stats --no-stream obs | head -1)" "CONTAINER ID   NAME"
	assert_eq "$(hull stats --no-stream --format '{{.Container}}' "${id:0:8}")" "${id:0:8}"
	hull rm -f obs >/dev/null
	assert_fails hull top obs
	# port: none here (the bridge tests publish ports)
	id=$(run -d --name np --rootfs "$r" sleep 30)
	assert_eq "$(hull port np)" ""
	assert_fails hull port np 80
	assert_contains "$OUT" "no public port"
	hull rm -f np >/dev/null
}

# rename and update of a running container
test_hull_rename_and_update() {
	local r id mem pids
	watch_store
	r=$(rootfs up)
	id=$(run -d --name before -m 64m --rootfs "$r" sleep 60)
	assert_eq "$(hull update -m 128m --pids-limit 33 --cpus 0.5 before)" before
	if [ -d /sys/fs/cgroup/memory ]; then
		mem=$(cat /sys/fs/cgroup/memory/hull-test/$T-h/hull-"${id:0:12}"/memory.limit_in_bytes)
	else
		mem=$(cat /sys/fs/cgroup/hull-test/$T-h/hull-"${id:0:12}"/memory.max)
	fi
	assert_eq "$mem" 134217728 "update -m"
	pids=$(cat /sys/fs/cgroup/pids/hull-test/$T-h/hull-"${id:0:12}"/pids.max 2>/dev/null ||
		cat /sys/fs/cgroup/hull-test/$T-h/hull-"${id:0:12}"/pids.max)
	assert_eq "$pids" 33 "update --pids-limit"
	assert_fails hull update --cpus lots before
	assert_contains "$OUT" "--cpus"
	assert_fails hull update -m 1x before
	assert_contains "$OUT" "1x"
	# rename: the new name works, the old one is free again
	hull rename before after
	assert_eq "$(hull inspect -f '{{.Name}}' after)" after
	assert_eq "$(hull ps --format '{{.Names}}')" after
	assert_fails hull inspect before
	assert_fails hull rename after after
	run -d --name before --rootfs "$r" sleep 60 >/dev/null
	assert_fails hull rename after before
	assert_contains "$OUT" "already in use"
	hull rm -f after before >/dev/null
}

# hull events: followed as they happen, and read back with --since/--until and filters
test_hull_events() {
	local r ev out
	watch_store
	r=$(rootfs ev)
	mkdir -p "$WORK/store"
	"$HULL" --root "$WORK/store" --runroot "$ROOT" events --format json >"$WORK/events" &
	ev=$!
	sleep 0.3
	run -d --name evt --rootfs "$r" sleep 60 >/dev/null
	hull pause evt >/dev/null
	hull unpause evt >/dev/null
	hull rename evt evt2
	hull stop -t 1 evt2 >/dev/null
	hull rm evt2 >/dev/null
	run --rm --name short --rootfs "$r" sh -c 'exit 4' || [ $? -eq 4 ]
	for _ in $(seq 50); do grep -q '"destroy".*short\|short.*"destroy"' "$WORK/events" && break; sleep 0.1; done
	kill "$ev"
	wait "$ev" 2>/dev/null || [ $? -eq 143 ] || fatal "hull events did not end on SIGTERM"
	out=$(jq -r 'select(.Actor.Attributes.name | startswith("evt")) | .Action' "$WORK/events" | tr '\n' ' ')
	# stop: SIGTERM, which sleep as pid 1 ignores, SIGKILL after 1 s (docker's events too)
	assert_eq "$out" "create start pause unpause rename kill kill die stop destroy " "the events of evt, in order"
	assert_eq "$(jq -r 'select(.Action == "kill") | .Actor.Attributes.signal' "$WORK/events" | tr '\n' ' ')" "15 9 "
	assert_eq "$(jq -r 'select(.Action == "die" and .Actor.Attributes.name == "short") | .Actor.Attributes.exitCode' "$WORK/events")" 4
	assert_eq "$(jq -r 'select(.Action == "rename") | .Actor.Attributes.oldName' "$WORK/events")" evt
	# the past: --since/--until end by themselves; filters; docker's text line
	out=$(timeout 10 "$HULL" --root "$WORK/store" events --since 1h --until 0s -f container=short --format '{{.Action}}' | tr '\n' ' ')
	assert_eq "$out" "create start die destroy "
	out=$(timeout 10 "$HULL" --root "$WORK/store" events --since 1h --until 0s -f event=pause)
	[[ $out =~ ^20[0-9-]+T[0-9:.]+Z\ container\ pause\ [0-9a-f]{64}\ \(image=.*name=evt\)$ ]] ||
		fatal "docker's event line: $out"
	assert_fails hull events -f bogus=1
	assert_contains "$OUT" "unknown key"
}
