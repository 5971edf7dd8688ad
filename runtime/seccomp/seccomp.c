/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp from the spec with libseccomp.  The filter is built (and compiled once, to catch
 * what libseccomp only finds then) in the runtime before the container exists; the init or
 * the exec'd process inherits the context through fork and only loads it.
 */
#include "runtime/seccomp/seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/seccomp/seccomp_cache.h"

struct hull_seccomp {
	scmp_filter_ctx ctx;
	/* the program libseccomp generated, kept to be loaded as is (see hull_seccomp_load) */
	struct sock_filter *bpf;
	unsigned short n_insns;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* */
	/* some rule answers SCMP_ACT_NOTIFY: loaded with a new listener, whose fd goes to the
	 * spec's listenerPath (seccomp_notify.c) */
	bool notify;
	bool loaded;
	int notify_fd; /* the listener once loaded, -1 before */
};

#define PFX "linux.seccomp"

const char *const hull_seccomp_action_names[] = {"SCMP_ACT_KILL",	  "SCMP_ACT_KILL_THREAD",
						 "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",
						 "SCMP_ACT_ERRNO",	  "SCMP_ACT_TRACE",
						 "SCMP_ACT_ALLOW",	  "SCMP_ACT_LOG",
						 "SCMP_ACT_NOTIFY",	  NULL};

static const struct {
	const char *name;
	enum scmp_compare op;
} ops[] = {
	{"SCMP_CMP_NE", SCMP_CMP_NE},
	{"SCMP_CMP_LT", SCMP_CMP_LT},
	{"SCMP_CMP_LE", SCMP_CMP_LE},
	{"SCMP_CMP_EQ", SCMP_CMP_EQ},
	{"SCMP_CMP_GE", SCMP_CMP_GE},
	{"SCMP_CMP_GT", SCMP_CMP_GT},
	{"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

const char *const hull_seccomp_op_names[] = {"SCMP_CMP_NE",	   "SCMP_CMP_LT", "SCMP_CMP_LE",
					     "SCMP_CMP_EQ",	   "SCMP_CMP_GE", "SCMP_CMP_GT",
					     "SCMP_CMP_MASKED_EQ", NULL};

const char *const hull_seccomp_arch_names[] = {
	"SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",	    "SCMP_ARCH_ARM",
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",	   "SCMP_ARCH_MIPS64",	    "SCMP_ARCH_MIPS64N32",
	"SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",	    "SCMP_ARCH_S390X",
	"SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",	    NULL};

const char *const hull_seccomp_flag_names[] = {"SECCOMP_FILTER_FLAG_LOG",
					       "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL};

/* "SCMP_ACT_ERRNO" + errnoRet -> the libseccomp action.  has_ret: errnoRet was given. */
static int parse_action(const char *name, const char *field, bool has_ret, int64_t ret,
			uint32_t *act, struct hull_err *err)
{
	if (has_ret && strcmp(name, "SCMP_ACT_ERRNO") && strcmp(name, "SCMP_ACT_TRACE"))
		return hull_error(err, EINVAL,
				  "config.json: `%s`: an errno return is only valid with "
				  "SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not `%s`",
				  field, name);
	if (!has_ret)
		ret = EPERM;
	if (!strcmp(name, "SCMP_ACT_KILL") || !strcmp(name, "SCMP_ACT_KILL_THREAD"))
		*act = SCMP_ACT_KILL_THREAD;
	else if (!strcmp(name, "SCMP_ACT_KILL_PROCESS"))
		*act = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(name, "SCMP_ACT_TRAP"))
		*act = SCMP_ACT_TRAP;
	else if (!strcmp(name, "SCMP_ACT_ERRNO"))
		*act = SCMP_ACT_ERRNO((uint32_t)ret);
	else if (!strcmp(name, "SCMP_ACT_TRACE"))
		*act = SCMP_ACT_TRACE((uint32_t)ret);
	else if (!strcmp(name, "SCMP_ACT_ALLOW"))
		*act = SCMP_ACT_ALLOW;
	else if (!strcmp(name, "SCMP_ACT_LOG"))
		*act = SCMP_ACT_LOG;
	else if (!strcmp(name, "SCMP_ACT_NOTIFY"))
		*act = SCMP_ACT_NOTIFY;
	else
		return hull_error(err, EINVAL, "config.json: `%s`: unknown seccomp action `%s`",
				  field, name);
	return 0;
}

/* The action of an object with "action"/"defaultAction" and "errnoRet"/"defaultErrnoRet". */
static int object_action(yajl_val obj, const char *akey, const char *rkey, const char *path,
			 uint32_t *act, struct hull_err *err)
{
	cleanup_free char *name = NULL, *field = hull_strfmt("%s.%s", path, akey);
	int64_t ret = 0;
	int has_ret, r = sj_string(obj, akey, path, &name, err);

	if (r < 0)
		return -1;
	if (r == 0)
		return hull_error(err, EINVAL, "config.json: `%s` is required", field);
	has_ret = sj_int(obj, rkey, path, 0, 0xffff, &ret, err);
	if (has_ret < 0)
		return -1;
	return parse_action(name, field, has_ret, ret, act, err);
}

static int add_arches(scmp_filter_ctx ctx, yajl_val sc, struct hull_err *err)
{
	char **names = NULL;
	size_t i, k;
	int ret = -1;

	if (sj_strv(sc, "architectures", PFX, &names, err) < 0)
		return -1;
	for (i = 0; names && names[i]; i++) {
		char low[64] = "";
		uint32_t arch = 0;
		int r;

		if (hull_has_prefix(names[i], "SCMP_ARCH_") && strlen(names[i]) < sizeof(low) + 10)
			for (k = 0; names[i][10 + k]; k++)
				low[k] = (char)tolower((unsigned char)names[i][10 + k]);
		if (low[0])
			arch = seccomp_arch_resolve_name(low);
		if (!arch) {
			hull_error(err, EINVAL,
				   "config.json: `" PFX ".architectures[%zu]`: unknown "
				   "architecture `%s`",
				   i, names[i]);
			goto fail;
		}
		r = seccomp_arch_add(ctx, arch);
		if (r < 0 && r != -EEXIST) {
			hull_error(err, -r, "config.json: `" PFX ".architectures[%zu]` `%s`", i,
				   names[i]);
			goto fail;
		}
	}
	ret = 0;
fail:
	hull_strv_free(names);
	return ret;
}

static int set_flags(scmp_filter_ctx ctx, yajl_val sc, struct hull_err *err)
{
	char **flags = NULL;
	size_t i;
	int r = 0;

	if (sj_strv(sc, "flags", PFX, &flags, err) < 0)
		return -1;
	for (i = 0; flags && flags[i] && r == 0; i++) {
		enum scmp_filter_attr attr;
		if (!strcmp(flags[i], "SECCOMP_FILTER_FLAG_LOG")) {
			attr = SCMP_FLTATR_CTL_LOG;
		} else if (!strcmp(flags[i], "SECCOMP_FILTER_FLAG_SPEC_ALLOW")) {
			attr = SCMP_FLTATR_CTL_SSB;
		} else if (!strcmp(flags[i], "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")) {
			r = hull_error(err, ENOTSUP,
				       "config.json: `" PFX ".flags[%zu]`: %s is not supported by "
				       "hull",
				       i, flags[i]);
			break;
		} else {
			r = hull_error(err, EINVAL,
				       "config.json: `" PFX ".flags[%zu]`: unknown or unsupported "
				       "seccomp flag `%s`",
				       i, flags[i]);
			break;
		}
		r = seccomp_attr_set(ctx, attr, 1);
		if (r < 0)
			r = hull_error(err, -r, "config.json: `" PFX ".flags[%zu]` `%s`", i,
				       flags[i]);
	}
	hull_strv_free(flags);
	return r < 0 ? -1 : 0;
}

static int parse_arg(yajl_val a, const char *path, struct scmp_arg_cmp *cmp, struct hull_err *err)
{
	cleanup_free char *op = NULL;
	int64_t index = -1;
	uint64_t value = 0, two = 0;
	size_t i;

	if (!YAJL_IS_OBJECT(a))
		return hull_error(err, EINVAL, "config.json: `%s` must be an object", path);
	if (sj_int(a, "index", path, 0, 5, &index, err) < 0 ||
	    sj_u64(a, "value", path, &value, err) < 0 ||
	    sj_u64(a, "valueTwo", path, &two, err) < 0 || sj_string(a, "op", path, &op, err) < 0)
		return -1;
	if (index < 0)
		return hull_error(err, EINVAL, "config.json: `%s.index` is required", path);
	if (!op)
		return hull_error(err, EINVAL, "config.json: `%s.op` is required", path);
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		if (!strcmp(op, ops[i].name))
			break;
	if (i == ARRAY_SIZE(ops))
		return hull_error(err, EINVAL, "config.json: `%s.op`: unknown operator `%s`", path,
				  op);
	/* for SCMP_CMP_MASKED_EQ, value is the mask and valueTwo the datum (as in runc) */
	*cmp = (struct scmp_arg_cmp){
		.arg = (unsigned int)index, .op = ops[i].op, .datum_a = value, .datum_b = two};
	return 0;
}

/* One rule per syscall name; several conditions on the same argument are ORed, as one rule
 * each (libseccomp cannot AND them, runc and crun do the same). */
static int add_rule(scmp_filter_ctx ctx, const char *name, uint32_t act, struct scmp_arg_cmp *cmp,
		    unsigned int n, const char *path, struct hull_err *err)
{
	bool same_index = false;
	unsigned int i, j;
	int nr = seccomp_syscall_resolve_name(name), r = 0;

	if (nr == __NR_SCMP_ERROR) {
		hull_debug("seccomp: syscall `%s` unknown to libseccomp: skipped", name);
		return 0;
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (cmp[i].arg == cmp[j].arg)
				same_index = true;
	if (!same_index)
		r = seccomp_rule_add_array(ctx, act, nr, n, cmp);
	for (i = 0; same_index && i < n && r == 0; i++)
		r = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[i]);
	if (r < 0)
		return hull_error(err, -r, "config.json: `%s`: add the rule for `%s`", path, name);
	return 0;
}

static int add_syscalls(scmp_filter_ctx ctx, yajl_val sc, uint32_t def, struct hull_err *err)
{
	yajl_val list = NULL;
	size_t i, k;

	if (sj_array(sc, "syscalls", PFX, &list, err) < 0)
		return -1;
	for (i = 0; list && i < list->u.array.len; i++) {
		yajl_val s = list->u.array.values[i], args = NULL;
		cleanup_free char *path = hull_strfmt(PFX ".syscalls[%zu]", i);
		struct scmp_arg_cmp cmp[6];
		char **names = NULL;
		unsigned int n = 0;
		uint32_t act;
		int r = 0;

		if (!YAJL_IS_OBJECT(s))
			return hull_error(err, EINVAL, "config.json: `%s` must be an object", path);
		if (object_action(s, "action", "errnoRet", path, &act, err) < 0 ||
		    sj_array(s, "args", path, &args, err) < 0)
			return -1;
		for (k = 0; args && k < args->u.array.len; k++) {
			cleanup_free char *apath = hull_strfmt("%s.args[%zu]", path, k);
			if (n == ARRAY_SIZE(cmp))
				return hull_error(err, E2BIG,
						  "config.json: `%s`: at most 6 argument "
						  "conditions",
						  path);
			if (parse_arg(args->u.array.values[k], apath, &cmp[n++], err) < 0)
				return -1;
		}
		if (sj_strv(s, "names", path, &names, err) < 0)
			return -1;
		if (!names || !names[0]) {
			hull_strv_free(names);
			return hull_error(err, EINVAL, "config.json: `%s.names` must not be empty",
					  path);
		}
		/* libseccomp refuses rules that repeat the default action; they change nothing */
		for (k = 0; act != def && names[k] && r == 0; k++)
			r = add_rule(ctx, names[k], act, cmp, n, path, err);
		hull_strv_free(names);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* The BPF program of the filter, and the kernel flags its attributes stand for. */
static int export_program(struct hull_seccomp *f, struct hull_err *err)
{
	cleanup_close int fd = memfd_create("hull-seccomp", MFD_CLOEXEC);
	cleanup_free char *buf = NULL;
	uint32_t v = 0;
	size_t len = 0;
	int r;

	if (fd < 0)
		return hull_error(err, errno, "seccomp: memfd_create");
	r = seccomp_export_bpf(f->ctx, fd);
	if (r < 0)
		return hull_error(err, -r, "config.json: `linux.seccomp`: compile the filter");
	if (lseek(fd, 0, SEEK_SET) < 0 || hull_read_fd(fd, &buf, &len, err) < 0)
		return hull_error_wrap(err, "seccomp: read the compiled filter");
	if (len == 0 || len % sizeof(struct sock_filter) ||
	    len / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return hull_error(err, E2BIG,
				  "config.json: `linux.seccomp`: the filter has %zu "
				  "bytes of instructions",
				  len);
	f->n_insns = (unsigned short)(len / sizeof(struct sock_filter));
	f->bpf = (struct sock_filter *)steal_pointer(&buf);
	if (seccomp_attr_get(f->ctx, SCMP_FLTATR_CTL_LOG, &v) == 0 && v)
		f->flags |= SECCOMP_FILTER_FLAG_LOG;
	v = 0;
	if (seccomp_attr_get(f->ctx, SCMP_FLTATR_CTL_SSB, &v) == 0 && v)
		f->flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	v = 0;
	if (seccomp_attr_get(f->ctx, SCMP_FLTATR_CTL_TSYNC, &v) == 0 && v)
		f->flags |= SECCOMP_FILTER_FLAG_TSYNC;
	return 0;
}

/* SCMP_ACT_NOTIFY rules are answered by the listener at listenerPath, which gets the fd:
 * without one nothing would answer (runc and crun refuse that too). */
static int check_listener(struct hull_seccomp *f, yajl_val sc, struct hull_err *err)
{
	yajl_val path = sj_get(sc, "listenerPath"), md = sj_get(sc, "listenerMetadata");
	size_t i;

	for (i = 0; i < f->n_insns; i++)
		if (f->bpf[i].code == (BPF_RET | BPF_K) &&
		    (f->bpf[i].k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
			f->notify = true;
	if ((path && !YAJL_IS_STRING(path)) || (md && !YAJL_IS_STRING(md)))
		return hull_error(err, EINVAL,
				  "config.json: `" PFX ".listenerPath` and `listenerMetadata` must "
				  "be strings");
	if (f->notify && (!path || YAJL_GET_STRING(path)[0] != '/'))
		return hull_error(err, EINVAL,
				  "config.json: `" PFX "`: SCMP_ACT_NOTIFY needs `listenerPath`, "
				  "the absolute path of the listener's unix socket");
	return 0;
}

int hull_seccomp_build(yajl_val sc, const char *cache_root, struct hull_seccomp **out,
		       struct hull_err *err)
{
	cleanup_free char *key = NULL;
	struct hull_seccomp *f;
	size_t key_len = 0;
	uint32_t def;
	int r;

	*out = NULL;
	if (!sc)
		return 0;
	if (!YAJL_IS_OBJECT(sc))
		return hull_error(err, EINVAL, "config.json: `" PFX "` must be an object");
	if (object_action(sc, "defaultAction", "defaultErrnoRet", PFX, &def, err) < 0)
		return -1;
	f = xzalloc(sizeof(*f));
	f->notify_fd = -1;
	/* a profile compiled before: only its program is needed (seccomp_cache.c) */
	key = cache_root ? hull_seccomp_cache_key(sc, &key_len) : NULL;
	if (key && hull_seccomp_cache_get(cache_root, key, key_len, &f->bpf, &f->n_insns,
					  &f->flags) == 0) {
		goto done;
	}
	f->ctx = seccomp_init(def);
	if (!f->ctx) {
		free(f);
		return hull_error(err, EINVAL, "seccomp_init");
	}
	/* no_new_privs is the spec's noNewPrivileges, not libseccomp's default */
	r = seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0) {
		hull_error(err, -r, "seccomp: clear the no_new_privs attribute");
		goto fail;
	}
	if (add_arches(f->ctx, sc, err) < 0 || set_flags(f->ctx, sc, err) < 0 ||
	    add_syscalls(f->ctx, sc, def, err) < 0)
		goto fail;
	/* compile it once, here: a filter the kernel would not take fails create, not the init,
	 * and the init loads this program instead of compiling it again (libseccomp takes tens
	 * of ms on docker's profile for three architectures) */
	if (export_program(f, err) < 0)
		goto fail;
	if (key)
		hull_seccomp_cache_put(cache_root, key, key_len, f->bpf, f->n_insns, f->flags);
done:
	if (check_listener(f, sc, err) < 0)
		goto fail;
	*out = f;
	return 0;
fail:
	hull_seccomp_free(f);
	return -1;
}

int hull_seccomp_load(struct hull_seccomp *f, struct hull_err *err)
{
	struct sock_fprog prog;

	long r;

	if (!f || f->loaded)
		return 0;
	prog.len = f->n_insns;
	prog.filter = f->bpf;
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    f->flags | (f->notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0), &prog);
	if (r < 0)
		return hull_error(err, errno, "load the seccomp filter");
	f->loaded = true;
	if (f->notify)
		f->notify_fd = (int)r;
	return 0;
}

bool hull_seccomp_has_notify(const struct hull_seccomp *f)
{
	return f && f->notify;
}

int hull_seccomp_take_notify_fd(struct hull_seccomp *f)
{
	int fd = f ? f->notify_fd : -1;
	if (f)
		f->notify_fd = -1;
	return fd;
}

const struct sock_filter *hull_seccomp_program(const struct hull_seccomp *f, size_t *n_insns,
					       unsigned int *flags)
{
	*n_insns = f->n_insns;
	*flags = f->flags;
	return f->bpf;
}

void hull_seccomp_free(struct hull_seccomp *f)
{
	if (!f)
		return;
	if (f->ctx)
		seccomp_release(f->ctx);
	if (f->notify_fd >= 0)
		close(f->notify_fd);
	free(f->bpf);
	free(f);
}
