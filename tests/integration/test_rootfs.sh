# SPDX-License-Identifier: Apache-2.0
# The root file system, mounts and /dev.

test_pivot_root_and_no_pivot() {
	local b out
	b=$(bundle pv sh -c 'ls /; cat /proc/self/mountinfo | wc -l')
	out=$(oci run -b "$b" "$(cid pv)")
	assert_contains "$out" "bin"
	assert_not_contains "$out" "work" "host root visible"
	out=$(oci run --no-pivot -b "$b" "$(cid pv2)")
	assert_contains "$out" "bin"
}

test_readonly_root() {
	local b out
	b=$(bundle ro sh -c 'touch /x 2>&1 || echo denied; touch /tmp/y && echo tmp-ok')
	cfg "$b" '.root.readonly=true | .mounts += [{"destination":"/tmp","type":"tmpfs","source":"tmpfs"}]'
	out=$(oci run -b "$b" "$(cid ro)")
	assert_contains "$out" "denied"
	assert_contains "$out" "tmp-ok"
	[ ! -e "$b/rootfs/x" ] || fatal "wrote to a read-only root"
}

test_rootfs_propagation() {
	local b out
	b=$(bundle pr sh -c 'awk "\$5 == \"/\"" /proc/self/mountinfo')
	cfg "$b" '.linux.rootfsPropagation="private"'
	out=$(oci run -b "$b" "$(cid pr)")
	assert_not_contains "$out" "shared:" "root is private"
	cfg "$b" '.linux.rootfsPropagation="bogus"'
	assert_fails oci run -b "$b" "$(cid pr2)"
	assert_contains "$OUT" "rootfsPropagation"
}

test_bind_mounts_rw_and_ro() {
	local b out
	mkdir -p "$WORK/rw" "$WORK/ro"
	echo data >"$WORK/ro/file"
	b=$(bundle bm sh -c 'echo hi > /mnt/rw/new; cat /mnt/ro/file; echo x > /mnt/ro/file 2>/dev/null || echo ro-denied')
	cfg "$b" --arg rw "$WORK/rw" --arg ro "$WORK/ro" '.mounts += [
		{"destination":"/mnt/rw","type":"bind","source":$rw,"options":["rbind","rw"]},
		{"destination":"/mnt/ro","type":"bind","source":$ro,"options":["bind","ro","nosuid"]}]'
	out=$(umask 022 && oci run -b "$b" "$(cid bm)")
	assert_eq "$(cat "$WORK/rw/new")" hi
	assert_contains "$out" data
	assert_contains "$out" ro-denied
	assert_eq "$(cat "$WORK/ro/file")" data
	# a missing mount point is made as a plain directory, rwxr-xr-x like mkdir's
	assert_eq "$(stat -c %a "$b/rootfs/mnt/rw")" 755 "mount point's mode"
}

# A bind mount's flags reach the mount: the bind itself ignores them, the remount after it
# must carry every one (nosuid, nodev, noexec, with and without ro), and they hold.
test_bind_mount_flags_applied() {
	local b out opts
	mkdir -p "$WORK/src"
	opts=$(findmnt -n -o OPTIONS --target "$WORK/src")
	for o in nosuid nodev noexec ro; do
		[[ ,$opts, != *,$o,* ]] || skip "the host mounts $WORK with $o: a bind of it would inherit it"
	done
	printf '#!/bin/sh\necho ran\n' >"$WORK/src/run.sh"
	chmod +x "$WORK/src/run.sh"
	b=$(bundle bmf sh -c 'for m in /mnt/f /mnt/frw /mnt/plain; do echo "$m $(awk -v m=$m '"'"'$5 == m {print $6}'"'"' /proc/self/mountinfo)"; done;
		/mnt/frw/run.sh 2>&1; /mnt/plain/run.sh 2>&1; echo x >/mnt/frw/w && echo frw-writable')
	cfg "$b" --arg s "$WORK/src" '.mounts += [
		{"destination":"/mnt/f","type":"bind","source":$s,"options":["bind","ro","nosuid","nodev","noexec"]},
		{"destination":"/mnt/frw","type":"bind","source":$s,"options":["rbind","nosuid","nodev","noexec"]},
		{"destination":"/mnt/plain","type":"bind","source":$s,"options":["bind"]}]'
	out=$(oci run -b "$b" "$(cid bmf)")
	opts=$(awk '$1 == "/mnt/f" {print $2}' <<<"$out")
	for o in ro nosuid nodev noexec; do
		[[ ,$opts, == *,$o,* ]] || fatal "/mnt/f lacks $o: $opts"
	done
	opts=$(awk '$1 == "/mnt/frw" {print $2}' <<<"$out")
	for o in rw nosuid nodev noexec; do
		[[ ,$opts, == *,$o,* ]] || fatal "/mnt/frw lacks $o: $opts"
	done
	opts=$(awk '$1 == "/mnt/plain" {print $2}' <<<"$out")
	for o in nosuid nodev noexec; do
		[[ ,$opts, != *,$o,* ]] || fatal "/mnt/plain has $o it did not ask for: $opts"
	done
	# noexec holds: the script runs from the plain bind only
	assert_contains "$out" "Permission denied" "exec on the noexec bind"
	assert_eq "$(grep -c '^ran$' <<<"$out")" 1 "the script ran once (from /mnt/plain)"
	assert_contains "$out" frw-writable
}

test_bind_mount_of_a_file() {
	local b out
	echo one-file >"$WORK/single"
	b=$(bundle bf cat /etc/single)
	cfg "$b" --arg s "$WORK/single" '.mounts += [{"destination":"/etc/single","type":"bind","source":$s,"options":["bind","ro"]}]'
	out=$(umask 022 && oci run -b "$b" "$(cid bf)")
	assert_eq "$out" one-file
	# the missing mount point of a file is an empty rw-r--r-- file
	assert_eq "$(stat -c %a:%s "$b/rootfs/etc/single")" 644:0 "file mount point"
}

# systemd's /etc/resolv.conf -> ../run/systemd/resolve/stub-resolv.conf, dangling in the
# image (common in real images): a file bound over it lands at the target, made inside the
# rootfs, as docker and runc do.
test_bind_mount_over_a_dangling_symlink() {
	local b out
	b=$(bundle dl cat /etc/resolv.conf)
	ln -s ../run/systemd/resolve/stub-resolv.conf "$b/rootfs/etc/resolv.conf"
	echo "nameserver 192.0.2.53" >"$WORK/resolv"
	cfg "$b" --arg s "$WORK/resolv" '.mounts += [{destination: "/etc/resolv.conf", type: "bind", source: $s, options: ["rbind", "ro"]}]'
	out=$(oci run -b "$b" "$(cid dl)")
	assert_eq "$out" "nameserver 192.0.2.53"
	[ -f "$b/rootfs/run/systemd/resolve/stub-resolv.conf" ] || fatal "the target was not made in the rootfs"
	[ -L "$b/rootfs/etc/resolv.conf" ] || fatal "the image's symlink was replaced"
}

test_tmpfs_options_and_pseudo_filesystems() {
	local b out
	b=$(bundle tf sh -c 'stat -c %a /scratch; grep " /scratch " /proc/self/mounts; grep -c -E " (proc|sysfs|devpts|mqueue) " /proc/self/mounts')
	cfg "$b" '.mounts += [{"destination":"/scratch","type":"tmpfs","source":"tmpfs","options":["mode=1777","size=1m","nodev"]}]'
	out=$(oci run -b "$b" "$(cid tf)")
	assert_eq "$(head -1 <<<"$out")" 1777
	assert_contains "$out" "size=1024k"
	assert_contains "$out" "nodev"
	[ "$(tail -1 <<<"$out")" -ge 4 ] || fatal "pseudo file systems missing: $out"
}

# CVE-2021-30465 class: a mount target that is a symlink must not lead outside the rootfs.
test_mount_target_symlink_stays_in_rootfs() {
	local b out
	mkdir -p "$WORK/victim" "$WORK/src"
	echo payload >"$WORK/src/p"
	b=$(bundle sl sh -c 'ls /abs /rel')
	ln -s "$WORK/victim" "$b/rootfs/abs"
	ln -s ../../../../../../../../../../"$WORK"/victim "$b/rootfs/rel"
	cfg "$b" --arg s "$WORK/src" '.mounts += [
		{"destination":"/abs","type":"bind","source":$s,"options":["bind"]},
		{"destination":"/rel/sub","type":"tmpfs","source":"tmpfs"}]'
	out=$(oci run -b "$b" "$(cid sl)")
	assert_eq "$(ls -A "$WORK/victim")" "" "something was mounted or created on the host"
	grep -q "$WORK/victim" /proc/self/mountinfo && fatal "mount leaked to the host"
	assert_contains "$out" "p"
}

test_mount_over_proc_refused() {
	local b out
	b=$(bundle mp cat /proc/uptime)
	cfg "$b" '.mounts += [{"destination":"/proc/sys/kernel","type":"tmpfs","source":"tmpfs"}]'
	assert_fails oci run -b "$b" "$(cid mp)"
	assert_contains "$OUT" "mount \`/proc/sys/kernel\`: mounting over /proc is not allowed"
	# refused as written, before anything is made for it (not a failed mkdir in procfs)
	cfg "$b" '.mounts[-1].destination = "//proc//no-such-dir/x/"'
	assert_fails oci run -b "$b" "$(cid mp2)"
	assert_contains "$OUT" "mounting over /proc is not allowed"
	# the files lxcfs-like tools bind over are allowed
	echo "12345.67 890.12" >"$WORK/uptime"
	cfg "$b" --arg s "$WORK/uptime" '.mounts[-1] = {"destination":"/proc/uptime","type":"bind","source":$s,"options":["bind","ro"]}'
	out=$(oci run -b "$b" "$(cid mp3)")
	assert_eq "$out" "12345.67 890.12" "a bind over /proc/uptime"
}

test_default_devices() {
	local b out
	b=$(bundle dv sh -c 'for d in null zero full random urandom tty; do stat -c "%n %F %t,%T" /dev/$d; done; readlink /dev/fd; readlink /dev/ptmx')
	out=$(oci run -b "$b" "$(cid dv)")
	assert_contains "$out" "/dev/null character special file 1,3"
	assert_contains "$out" "/dev/zero character special file 1,5"
	assert_contains "$out" "/dev/tty character special file 5,0"
	assert_contains "$out" "/proc/self/fd"
	assert_contains "$out" "pts/ptmx"
}

test_linux_devices() {
	local b out
	b=$(bundle ld stat -c "%F %t,%T %a %u:%g" /dev/fuse)
	cfg "$b" '.linux.devices=[{"path":"/dev/fuse","type":"c","major":10,"minor":229,"fileMode":432,"uid":1000,"gid":1000}]'
	out=$(oci run -b "$b" "$(cid ld)")
	assert_eq "$out" "character special file a,e5 660 1000:1000"
}

test_dev_null_symlink_in_image_is_replaced() {
	local b out
	b=$(bundle dn stat -c "%F" /dev/null)
	cfg "$b" '.mounts |= map(select(.destination != "/dev" and .destination != "/dev/pts" and .destination != "/dev/shm" and .destination != "/dev/mqueue"))'
	mkdir -p "$b/rootfs/dev"
	ln -s "$WORK/hostfile" "$b/rootfs/dev/null"
	out=$(oci run -b "$b" "$(cid dn)")
	assert_eq "$out" "character special file"
	[ ! -e "$WORK/hostfile" ] || fatal "a host file was created through the symlink"
}

test_masked_and_readonly_paths() {
	local b out
	[ -e /proc/timer_list ] || skip "no /proc/timer_list on this kernel"
	# the writes are ones root in the container could make if the path were not read-only
	# (/proc/sys would refuse ns_last_pid for want of CAP_SYS_ADMIN anyway): a file in /etc
	# and the mount flags /proc/sys shows
	b=$(bundle mk sh -c 'wc -c < /proc/timer_list; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null || echo ro
		touch /etc/ro-probe 2>/dev/null && echo writable || echo ro
		awk "\$5 == \"/proc/sys\" { print \$6 }" /proc/self/mountinfo | cut -d, -f1')
	cfg "$b" '.linux.maskedPaths += ["/proc/timer_list"] | .linux.readonlyPaths += ["/etc"]'
	out=$(oci run -b "$b" "$(cid mk)")
	assert_eq "$(sed -n 1p <<<"$out")" 0 "/proc/timer_list masked"
	assert_eq "$(sed -n 2p <<<"$out")" 0 "/sys/firmware masked"
	assert_eq "$(sed -n 3p <<<"$out")" ro "/proc/sys read-only"
	assert_eq "$(sed -n 4p <<<"$out")" ro "/etc read-only (readonlyPaths)"
	assert_eq "$(sed -n 5p <<<"$out")" ro "/proc/sys mounted read-only"
	[ ! -e "$b/rootfs/etc/ro-probe" ] || fatal "a file was written in the read-only /etc"
}
