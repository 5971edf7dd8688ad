/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seccomp profile `hull-oci spec` writes: the same policy as Docker's default profile
 * (EPERM for everything not listed), resolved for x86_64 (with its x86 and x32 sub-
 * architectures) and for the capabilities the spec grants, the way dockerd resolves its
 * template when it creates a container.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "runtime/seccomp/seccomp_default.h"
#include "lib/json.h"
#include "lib/util.h"

/* Everything an ordinary program needs, on every architecture. */
static const char allowed[] =
	"accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown chown32 "
	"clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime "
	"clock_gettime64 clock_nanosleep clock_nanosleep_time64 close close_range connect "
	"copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old "
	"epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit "
	"exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir "
	"fchmod fchmodat fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr "
	"flock fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64 fsync "
	"ftruncate ftruncate64 futex futex_time64 futex_waitv futimesat getcpu getcwd getdents "
	"getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 "
	"getitimer getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid "
	"getresgid32 getresuid getresuid32 getrlimit get_robust_list getrusage getsid getsockname "
	"getsockopt get_thread_area gettid gettimeofday getuid getuid32 getxattr "
	"inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy "
	"io_getevents io_pgetevents io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit "
	"io_uring_enter io_uring_register io_uring_setup ipc kill landlock_add_rule "
	"landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr link linkat "
	"listen listxattr llistxattr _llseek lremovexattr lseek lsetxattr lstat lstat64 madvise "
	"membarrier memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat mlock mlock2 "
	"mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open mq_timedreceive "
	"mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap msgctl msgget "
	"msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep newfstatat "
	"_newselect open openat openat2 pause pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc "
	"pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64 "
	"process_mrelease pselect6 pselect6_time64 pwrite64 pwritev pwritev2 read readahead "
	"readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64 recvmsg "
	"remap_file_pages removexattr rename renameat renameat2 restart_syscall rmdir rseq "
	"rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend "
	"rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr "
	"sched_getparam sched_get_priority_max sched_get_priority_min sched_getscheduler "
	"sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr "
	"sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop "
	"semtimedop semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid "
	"setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid "
	"setpriority setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid "
	"setreuid32 setrlimit set_robust_list setsid setsockopt set_thread_area set_tid_address "
	"setuid setuid32 setxattr shmat shmctl shmdt shmget shutdown sigaltstack signalfd "
	"signalfd4 sigprocmask sigreturn socketcall socketpair splice stat stat64 statfs statfs64 "
	"statx symlink symlinkat sync sync_file_range syncfs sysinfo tee tgkill time timer_create "
	"timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime "
	"timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime "
	"timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname unlink unlinkat "
	"utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid write writev "
	/* kernels since 4.8 check seccomp after ptrace, so these no longer bypass the filter */
	"process_vm_readv process_vm_writev ptrace "
	/* x86_64 and x32 only */
	"arch_prctl modify_ldt";

/* The clone flags that make new namespaces: without CAP_SYS_ADMIN clone must not set any. */
#define CLONE_NS_FLAGS 0x7E020000ULL

/* Rules that depend on the capabilities (cap: only with it; no_cap: only without it). */
static const struct cap_rule {
	const char *names;
	const char *cap, *no_cap;
	int errno_ret;	/* 0: allow */
	int arg;	/* -1: no argument condition */
	uint64_t value; /* SCMP_CMP_MASKED_EQ mask (datum 0) */
} cap_rules[] = {
	{"open_by_handle_at", "CAP_DAC_READ_SEARCH", NULL, 0, -1, 0},
	{"bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie mount "
	 "mount_setattr move_mount open_tree perf_event_open quotactl quotactl_fd setdomainname "
	 "sethostname setns syslog umount umount2 unshare",
	 "CAP_SYS_ADMIN", NULL, 0, -1, 0},
	{"clone", NULL, "CAP_SYS_ADMIN", 0, 0, CLONE_NS_FLAGS},
	/* glibc falls back to clone, whose flags can be checked, on ENOSYS */
	{"clone3", NULL, "CAP_SYS_ADMIN", 38 /* ENOSYS */, -1, 0},
	{"reboot", "CAP_SYS_BOOT", NULL, 0, -1, 0},
	{"chroot", "CAP_SYS_CHROOT", NULL, 0, -1, 0},
	{"delete_module init_module finit_module", "CAP_SYS_MODULE", NULL, 0, -1, 0},
	{"acct", "CAP_SYS_PACCT", NULL, 0, -1, 0},
	{"kcmp pidfd_getfd process_madvise", "CAP_SYS_PTRACE", NULL, 0, -1, 0},
	{"iopl ioperm", "CAP_SYS_RAWIO", NULL, 0, -1, 0},
	{"settimeofday stime clock_settime clock_settime64", "CAP_SYS_TIME", NULL, 0, -1, 0},
	{"vhangup", "CAP_SYS_TTY_CONFIG", NULL, 0, -1, 0},
	{"get_mempolicy mbind set_mempolicy set_mempolicy_home_node", "CAP_SYS_NICE", NULL, 0, -1,
	 0},
	{"syslog", "CAP_SYSLOG", NULL, 0, -1, 0},
	{"bpf", "CAP_BPF", NULL, 0, -1, 0},
	{"perf_event_open", "CAP_PERFMON", NULL, 0, -1, 0},
};

/* personality(2) values a program may set: Linux, with and without ADDR_NO_RANDOMIZE... */
static const uint64_t personalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};

static bool has_cap(const char *const *caps, const char *cap)
{
	for (; caps && *caps; caps++)
		if (!strcmp(*caps, cap))
			return true;
	return false;
}

static void names(yajl_gen g, const char *list)
{
	const char *p = list;
	hull_gen_str(g, "names");
	yajl_gen_array_open(g);
	while (*p) {
		size_t n = strcspn(p, " ");
		yajl_gen_string(g, (const unsigned char *)p, n);
		p += n;
		p += strspn(p, " ");
	}
	yajl_gen_array_close(g);
}

static void rule(yajl_gen g, const char *list, int errno_ret, int arg, uint64_t value,
		 const char *op)
{
	yajl_gen_map_open(g);
	names(g, list);
	hull_gen_str(g, "action");
	hull_gen_str(g, errno_ret ? "SCMP_ACT_ERRNO" : "SCMP_ACT_ALLOW");
	if (errno_ret) {
		hull_gen_str(g, "errnoRet");
		yajl_gen_integer(g, errno_ret);
	}
	if (arg >= 0) {
		hull_gen_str(g, "args");
		yajl_gen_array_open(g);
		yajl_gen_map_open(g);
		hull_gen_str(g, "index");
		yajl_gen_integer(g, arg);
		hull_gen_str(g, "value");
		yajl_gen_integer(g, (long long)value);
		hull_gen_str(g, "op");
		hull_gen_str(g, op);
		yajl_gen_map_close(g);
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

void hull_seccomp_default_gen(yajl_gen g, const char *const *caps)
{
	static const char *const arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
	size_t i;

	hull_gen_str(g, "seccomp");
	yajl_gen_map_open(g);
	hull_gen_str(g, "defaultAction");
	hull_gen_str(g, "SCMP_ACT_ERRNO");
	hull_gen_str(g, "defaultErrnoRet");
	yajl_gen_integer(g, 1); /* EPERM */
	hull_gen_str(g, "architectures");
	yajl_gen_array_open(g);
	for (i = 0; i < ARRAY_SIZE(arches); i++)
		hull_gen_str(g, arches[i]);
	yajl_gen_array_close(g);
	hull_gen_str(g, "syscalls");
	yajl_gen_array_open(g);
	rule(g, allowed, 0, -1, 0, NULL);
	/* AF_VSOCK (40) reaches the host's hypervisor sockets */
	rule(g, "socket", 0, 0, 40, "SCMP_CMP_NE");
	for (i = 0; i < ARRAY_SIZE(personalities); i++)
		rule(g, "personality", 0, 0, personalities[i], "SCMP_CMP_EQ");
	for (i = 0; i < ARRAY_SIZE(cap_rules); i++) {
		const struct cap_rule *r = &cap_rules[i];
		if ((r->cap && !has_cap(caps, r->cap)) || (r->no_cap && has_cap(caps, r->no_cap)))
			continue;
		rule(g, r->names, r->errno_ret, r->arg, r->value, "SCMP_CMP_MASKED_EQ");
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

yajl_val hull_seccomp_default_tree(const char *const *caps, struct hull_err *err)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char *text;
	yajl_val doc, v = NULL;

	yajl_gen_map_open(g);
	hull_seccomp_default_gen(g, caps);
	yajl_gen_map_close(g);
	text = hull_gen_text(g);
	doc = yajl_tree_parse(text, NULL, 0);
	free(text);
	if (!doc || !YAJL_IS_OBJECT(doc) || doc->u.object.len != 1) {
		yajl_tree_free(doc);
		hull_error(err, ENOMEM, "docker's default seccomp profile: cannot read it back");
		return NULL;
	}
	/* {"seccomp": PROFILE}: keep PROFILE, free the rest */
	v = doc->u.object.values[0];
	free((char *)doc->u.object.keys[0]);
	doc->u.object.len = 0;
	yajl_tree_free(doc);
	return v;
}
