# SPDX-License-Identifier: Apache-2.0
# seccomp: profiles from linux.seccomp, errnoRet, argument conditions, exec, the default profile.

# deny NAMES... with errno ERRNO on top of an allow-all default
deny() {
	local b=$1 errno=$2
	shift 2
	cfg "$b" --argjson n "$(printf '%s\n' "$@" | jq -R . | jq -s -c .)" --argjson e "$errno" \
		'.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],
		"syscalls":[{"names":$n,"action":"SCMP_ACT_ERRNO","errnoRet":$e}]}'
}

test_seccomp_denied_syscall_gets_errno_ret() {
	local b out
	b=$(bundle sd sh -c 'mkdir /tmp/d 2>&1; echo rc=$?; ls -d /tmp/d 2>&1; echo ok')
	deny "$b" 1 mkdir mkdirat
	out=$(oci run -b "$b" "$(cid sd)")
	assert_contains "$out" "Operation not permitted"
	assert_contains "$out" "rc=1"
	assert_contains "$out" "ok"
	# another errno: the one the profile names
	deny "$b" 28 mkdir mkdirat
	out=$(oci run -b "$b" "$(cid sd2)")
	assert_contains "$out" "No space left on device"
	# without the filter mkdir works: the denial comes from the profile
	cfg "$b" 'del(.linux.seccomp)'
	out=$(oci run -b "$b" "$(cid sd3)")
	assert_contains "$out" "rc=0"
}

test_seccomp_default_errno_and_unknown_names() {
	local b out
	b=$(bundle du sh -c 'echo hi; mkdir /tmp/x 2>&1; echo rc=$?')
	# an allow list: every syscall busybox needs, not mkdir; a name libseccomp does not
	# know is skipped, as runc and crun do
	cfg "$b" '.linux.seccomp={"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":13,
		"syscalls":[{"names":["no_such_syscall_hull","read","write","openat","open","close",
		"execve","brk","mmap","munmap","mprotect","arch_prctl","set_tid_address","rt_sigaction",
		"rt_sigprocmask","rt_sigreturn","getpid","getppid","getuid","geteuid","fstat","newfstatat",
		"stat","lstat","ioctl","exit","exit_group","fcntl","dup2","dup3","clone","vfork","fork",
		"wait4","getcwd","uname","prlimit64","close_range","capget","capset","setgroups","setresuid",
		"setresgid","prctl","umask","chdir","readlink","access","faccessat","faccessat2",
		"getrandom","statx","sysinfo","lseek","pipe","pipe2","kill","getpgrp","setpgid","gettid",
		"tgkill","poll","ppoll","rseq","set_robust_list","futex","seccomp"],"action":"SCMP_ACT_ALLOW"}]}'
	out=$(oci run -b "$b" "$(cid du)")
	assert_contains "$out" "hi"
	assert_contains "$out" "Permission denied"
	assert_contains "$out" "rc=1"
}

test_seccomp_argument_conditions() {
	local b out
	# personality(0xffffffff) only queries: allow that, refuse every other value
	b=$(bundle ac sh -c 'setarch linux32 true 2>&1; echo rc=$?; uname -m')
	cfg "$b" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":1,
		 "args":[{"index":0,"value":4294967295,"op":"SCMP_CMP_NE"}]}]}'
	out=$(oci run -b "$b" "$(cid ac)")
	assert_not_contains "$out" "rc=0"
	assert_contains "$out" "x86_64"
	# a masked comparison: socket(AF_UNIX=1) allowed, other families refused
	b=$(bundle am sh -c 'nc 127.0.0.1 9 </dev/null 2>&1; nc ::1 9 </dev/null 2>&1; true')
	cfg "$b" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"names":["socket"],"action":"SCMP_ACT_ERRNO","errnoRet":97,
		 "args":[{"index":0,"value":255,"valueTwo":2,"op":"SCMP_CMP_MASKED_EQ"}]}]}'
	out=$(oci run -b "$b" "$(cid am)")
	assert_contains "$(sed -n 1p <<<"$out")" "Address family not supported"
	# AF_INET6 (10) does not match the mask: refused by the network, not by the filter
	assert_not_contains "$(sed -n 2p <<<"$out")" "Address family not supported"
}

# The ordering operators, each on both sides of its bound: kill(99999, SIG) is refused with
# EPERM by the filter when SIG matches, else the kernel answers ESRCH (no such process).
test_seccomp_argument_order_operators() {
	local b op out want
	b=$(bundle ao sh -c 'for s in 5 6 7; do e=$(kill -s $s 99999 2>&1); case $e in
		*"not permitted"*) r=EPERM ;; *"No such process"*) r=ESRCH ;; *) r="other:$e" ;; esac; echo "$s=$r"; done')
	for op in LT:"5=EPERM 6=ESRCH 7=ESRCH" LE:"5=EPERM 6=EPERM 7=ESRCH" \
		GE:"5=ESRCH 6=EPERM 7=EPERM" GT:"5=ESRCH 6=ESRCH 7=EPERM"; do
		want=${op#*:}
		op=${op%%:*}
		cfg "$b" --arg op "SCMP_CMP_$op" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
			{"names":["kill"],"action":"SCMP_ACT_ERRNO","errnoRet":1,
			 "args":[{"index":1,"value":6,"op":$op}]}]}'
		out=$(oci run -b "$b" "$(cid "ao-$op")")
		assert_eq "$(tr '\n' ' ' <<<"$out")" "$want " "kill(99999, 5|6|7) under SCMP_CMP_$op 6"
	done
	# without the filter, all three reach the kernel
	cfg "$b" 'del(.linux.seccomp)'
	assert_eq "$(oci run -b "$b" "$(cid ao-none)" | tr '\n' ' ')" "5=ESRCH 6=ESRCH 7=ESRCH "
}

test_seccomp_applies_to_exec() {
	local b id out
	b=$(bundle ex sleep 60)
	deny "$b" 1 mkdir mkdirat
	id=$(cid ex)
	oci run -d -b "$b" "$id" >/dev/null
	wait_status "$id" running
	out=$(oci exec "$id" sh -c 'mkdir /tmp/e 2>&1; grep Seccomp: /proc/self/status')
	assert_contains "$out" "Operation not permitted"
	assert_contains "$out" "Seccomp:	2"
	out=$(oci exec --no-new-privs "$id" sh -c 'mkdir /tmp/e 2>&1; grep -E "NoNewPrivs|Seccomp:" /proc/self/status')
	assert_contains "$out" "Operation not permitted"
	assert_contains "$out" "NoNewPrivs:	1"
	oci kill "$id" KILL
	wait_status "$id" stopped
	oci delete "$id"
}

test_seccomp_no_new_privileges_both_ways() {
	local b out
	b=$(bundle nn sh -c 'grep -E "NoNewPrivs|Seccomp:" /proc/self/status; mkdir /tmp/n 2>&1; true')
	deny "$b" 1 mkdir mkdirat
	cfg "$b" '.process.noNewPrivileges=false'
	out=$(oci run -b "$b" "$(cid nn)")
	# libseccomp sets no_new_privs by default: the spec must win
	assert_contains "$out" "NoNewPrivs:	0"
	assert_contains "$out" "Seccomp:	2"
	assert_contains "$out" "Operation not permitted"
	cfg "$b" '.process.noNewPrivileges=true | .process.user={"uid":1000,"gid":1000}'
	out=$(oci run -b "$b" "$(cid nn2)")
	assert_contains "$out" "NoNewPrivs:	1"
	assert_contains "$out" "Operation not permitted"
}

test_seccomp_bad_profiles_fail_create() {
	local b
	b=$(bundle bp true)
	cfg "$b" '.linux.seccomp={"defaultAction":"SCMP_ACT_FOO"}'
	assert_fails oci create -b "$b" "$(cid bp)"
	assert_contains "$OUT" "linux.seccomp.defaultAction"
	assert_contains "$OUT" "SCMP_ACT_FOO"
	cfg "$b" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_Z80"]}'
	assert_fails oci create -b "$b" "$(cid bp)"
	assert_contains "$OUT" "SCMP_ARCH_Z80"
	cfg "$b" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],
		"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_ALMOST"}]}]}'
	assert_fails oci create -b "$b" "$(cid bp)"
	assert_contains "$OUT" "linux.seccomp.syscalls[0].args[0].op"
	# the wrong type, a required field missing: refused by name
	cfg "$b" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","architectures":"SCMP_ARCH_X86_64"}'
	assert_fails oci create -b "$b" "$(cid bp)"
	assert_contains "$OUT" "linux.seccomp.architectures"
	cfg "$b" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],
		"action":"SCMP_ACT_ERRNO","args":[{"value":1,"op":"SCMP_CMP_EQ"}]}]}'
	assert_fails oci create -b "$b" "$(cid bp)"
	assert_contains "$OUT" "linux.seccomp.syscalls[0].args[0].index\` is required"
	# a syscall has six arguments: 0 to 5
	cfg "$b" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],
		"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}'
	assert_fails oci create -b "$b" "$(cid bp)"
	assert_contains "$OUT" "linux.seccomp.syscalls[0].args[0].index\` is out of range (6)"
	cfg "$b" '.linux.seccomp={"defaultAction":"SCMP_ACT_NOTIFY"}'
	assert_fails oci create -b "$b" "$(cid bp)"
	assert_contains "$OUT" "SCMP_ACT_NOTIFY"
	cfg "$b" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_BOGUS"]}'
	assert_fails oci create -b "$b" "$(cid bp)"
	assert_contains "$OUT" "SECCOMP_FILTER_FLAG_BOGUS"
	# nothing was left: the same id can be created with a good profile, and its flags are the
	# filter's (checked in seccomp_flags_applied)
	cfg "$b" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW"]}'
	oci create -b "$b" "$(cid bp)"
	assert_eq "$(state_of "$(cid bp)")" created
	oci delete --force "$(cid bp)"
}

# filter_flags ID NAME: the load flags of the container's filter, as the kernel shows them (the
# newest filter of its init: "log" or "-") and as hull compiled them (the header of the
# cached program: SECCOMP_FILTER_FLAG_* as a number, LOG = 2, SPEC_ALLOW = 4)
filter_flags() {
	local e
	[ -x "$WORK/seccomp-flags" ] || cc -O2 -o "$WORK/seccomp-flags" "$REPO/tests/data/seccomp-flags.c"
	e=$(grep -l "$2" "$ROOT"/.seccomp/* | head -1)
	echo "kernel=$("$WORK/seccomp-flags" "$(pid_of "$1")" | head -1) compiled=$(od -An -t u4 -j 8 -N 4 "$e" | tr -d ' ')"
}

# The profile's flags reach the kernel: SECCOMP_FILTER_FLAG_LOG is on the loaded filter, and
# both flags are in the program hull compiled; without them, neither.
test_seccomp_flags_applied() {
	local b id
	b=$(bundle sf sleep 60)
	cfg "$b" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["sf_one"],"action":"SCMP_ACT_ERRNO"}],
		"flags":["SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW"]}'
	id=$(cid sf)
	oci run -d -b "$b" "$id"
	assert_eq "$(filter_flags "$id" sf_one)" "kernel=log compiled=6" "filter flags with LOG and SPEC_ALLOW"
	oci delete --force "$id"
	cfg "$b" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["sf_two"],"action":"SCMP_ACT_ERRNO"}]}'
	id=$(cid sf2)
	oci run -d -b "$b" "$id"
	assert_eq "$(filter_flags "$id" sf_two)" "kernel=- compiled=0" "filter flags without flags"
	oci delete --force "$id"
}

test_seccomp_kill_action() {
	local b rc=0
	b=$(bundle ka sh -c 'echo start; exec mkdir /tmp/k')
	cfg "$b" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_KILL_PROCESS"}]}'
	out=$(oci run -b "$b" "$(cid ka)") || rc=$?
	assert_eq "$rc" 159 "killed by SIGSYS"
	assert_eq "$out" "start"
	[ ! -e "$b/rootfs/tmp/k" ] || fatal "mkdir ran"
}

# the profile `hull-oci spec` writes, put into bundle DIR
default_profile() {
	local prof
	prof=$(cd "$WORK" && mkdir -p spec-default && cd spec-default && rm -f config.json &&
		oci spec && jq -c .linux.seccomp config.json)
	cfg "$1" --argjson p "$prof" '.linux.seccomp=$p'
}

test_seccomp_default_profile_runs_busybox() {
	local b out
	b=$(bundle dp sh -c 'echo hello; ls /bin/busybox; cat /proc/self/status | grep Seccomp:;
		wc -l </etc/passwd; date >/tmp/d && cat /tmp/d >/dev/null && echo wrote; sleep 0.1; echo slept')
	default_profile "$b"
	out=$(oci run -b "$b" "$(cid dp)")
	assert_contains "$out" "hello"
	assert_contains "$out" "/bin/busybox"
	assert_contains "$out" "Seccomp:	2"
	assert_contains "$out" "wrote"
	assert_contains "$out" "slept"
}

test_seccomp_default_profile_blocks_namespaces() {
	local b out id
	# even with CAP_SYS_ADMIN granted, the profile made for the default capabilities
	# refuses new namespaces: unshare(2), and clone(2) with namespace flags
	b=$(bundle dn sh -c 'unshare -u true 2>&1; echo unshare=$?; unshare -f -p true 2>&1; echo fork=$?;
		sh -c "echo child ok"; true')
	default_profile "$b"
	cfg "$b" '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
		| .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	out=$(oci run -b "$b" "$(cid dn)")
	assert_contains "$out" "unshare=1"
	assert_contains "$out" "Operation not permitted"
	assert_contains "$out" "child ok"
	# the capability alone allows it: the refusal above is the filter's
	cfg "$b" 'del(.linux.seccomp)'
	out=$(oci run -b "$b" "$(cid dn2)")
	assert_contains "$out" "unshare=0"
	# exec'd processes get the profile too
	b=$(bundle dx sleep 60)
	default_profile "$b"
	cfg "$b" '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
		| .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	id=$(cid dx)
	oci run -d -b "$b" "$id" >/dev/null
	wait_status "$id" running
	out=$(oci exec "$id" sh -c 'unshare -u true 2>&1; echo unshare=$?; echo still here')
	assert_contains "$out" "unshare=1"
	assert_contains "$out" "still here"
	out=$(oci exec --cap CAP_SYS_ADMIN "$id" sh -c 'unshare -u true 2>&1; echo unshare=$?')
	assert_contains "$out" "unshare=1"
	oci kill "$id" KILL
	wait_status "$id" stopped
	oci delete "$id"
}

test_seccomp_features_and_default_profile_shape() {
	oci features | jq -e '.linux.seccomp.enabled and (.linux.seccomp.actions | index("SCMP_ACT_ERRNO"))
		and (.linux.seccomp.operators | index("SCMP_CMP_MASKED_EQ"))
		and (.linux.seccomp.archs | index("SCMP_ARCH_X86_64"))
		and (.linux.seccomp.supportedFlags | index("SECCOMP_FILTER_FLAG_LOG"))' >/dev/null ||
		fatal "features does not describe seccomp"
	mkdir "$WORK/s"
	oci spec -b "$WORK/s"
	jq -e '.linux.seccomp as $s | $s.defaultAction == "SCMP_ACT_ERRNO" and $s.defaultErrnoRet == 1
		and $s.architectures == ["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"]
		and ([$s.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] as $allowed
			| ($allowed | index("read")) and ($allowed | index("arch_prctl"))
			and ($allowed | index("mount") | not) and ($allowed | index("unshare") | not)
			and ($allowed | index("setns") | not) and ($allowed | index("reboot") | not))
		and ([$s.syscalls[] | select(.names == ["clone"]) | .args[0]]
			== [{"index":0,"value":2114060288,"op":"SCMP_CMP_MASKED_EQ"}])
		and ([$s.syscalls[] | select(.names == ["clone3"]) | .errnoRet] == [38])' \
		"$WORK/s/config.json" >/dev/null || fatal "default profile: $(jq -c .linux.seccomp.syscalls[1:] "$WORK/s/config.json")"
}

# Compiled filters are kept in the state root (here the test's own): the second container with
# a profile uses the program the first compiled, a damaged entry is replaced, and none of it
# weakens the filter.
test_seccomp_compiled_filters_are_cached() {
	local b out e dir="$ROOT/.seccomp"
	b=$(bundle sc sh -c 'mkdir /tmp/d 2>&1; echo rc=$?')
	deny "$b" 28 mkdir mkdirat
	out=$(oci run -b "$b" "$(cid sc1)")
	assert_contains "$out" "No space left on device"
	assert_eq "$(ls "$dir" | wc -l)" 1 "cache entries"
	e=$(ls -d "$dir"/*)
	grep -q mkdirat "$e" || fatal "the entry does not hold the profile"
	out=$(oci run -b "$b" "$(cid sc2)")
	assert_contains "$out" "No space left on device" "filter from the cache"
	# garbage in the entry: compiled again, still enforced, the entry rewritten
	head -c 100 /dev/urandom >"$e"
	out=$(oci run -b "$b" "$(cid sc3)")
	assert_contains "$out" "No space left on device" "after a damaged entry"
	grep -q mkdirat "$e" || fatal "the damaged entry was not replaced"
	# an exec builds the container's filter through the same cache
	b=$(bundle sce sleep 60)
	deny "$b" 28 mkdir mkdirat
	oci run -d -b "$b" "$(cid sce)" </dev/null
	out=$(oci exec "$(cid sce)" sh -c 'mkdir /tmp/x 2>&1; echo rc=$?')
	assert_contains "$out" "No space left on device"
	assert_eq "$(ls "$dir" | wc -l)" 1 "cache entries"
	oci delete --force "$(cid sce)"
}
