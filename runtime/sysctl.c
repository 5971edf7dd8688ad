/* SPDX-License-Identifier: Apache-2.0 */
/* linux.sysctl: only keys the container's own namespaces isolate, written in its /proc. */
#include "runtime/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/util.h"

static const char *const ipc_keys[] = {"kernel.msgmax", "kernel.msgmnb",	 "kernel.msgmni",
				       "kernel.sem",	"kernel.shmall",	 "kernel.shmmax",
				       "kernel.shmmni", "kernel.shm_rmid_forced"};

/* The namespace that isolates key, or 0 if none does. */
static int key_namespace(const char *key)
{
	size_t i;
	if (hull_has_prefix(key, "net."))
		return CLONE_NEWNET;
	if (hull_has_prefix(key, "fs.mqueue."))
		return CLONE_NEWIPC;
	for (i = 0; i < ARRAY_SIZE(ipc_keys); i++)
		if (!strcmp(key, ipc_keys[i]))
			return CLONE_NEWIPC;
	if (!strcmp(key, "kernel.hostname") || !strcmp(key, "kernel.domainname"))
		return CLONE_NEWUTS;
	return 0;
}

/* A namespace joined by path must not be the runtime's own (that is the host's). */
static bool own_namespace(const struct hull_spec *spec, int type)
{
	const struct hull_namespace *ns = hull_spec_namespace(spec, type);
	static const struct {
		int type;
		const char *file;
	} files[] = {{CLONE_NEWNET, "net"}, {CLONE_NEWIPC, "ipc"}, {CLONE_NEWUTS, "uts"}};
	struct stat a, b;
	size_t i;

	if (!ns)
		return false;
	if (!ns->path || !*ns->path)
		return true;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		cleanup_free char *self = NULL;
		if (files[i].type != type)
			continue;
		self = hull_strfmt("/proc/self/ns/%s", files[i].file);
		if (stat(ns->path, &a) < 0 || stat(self, &b) < 0)
			return true; /* joining fails later with a message of its own */
		return a.st_dev != b.st_dev || a.st_ino != b.st_ino;
	}
	return false;
}

int hull_sysctl_check(const struct hull_spec *spec, struct hull_err *err)
{
	const struct hull_linux *lx = spec->linux_;
	size_t i;

	for (i = 0; lx && i < lx->n_sysctl; i++) {
		const char *key = lx->sysctl[i].key;
		int type = key_namespace(key);
		if (!*key || strstr(key, "..") || strchr(key, '/') || key[0] == '.')
			return hull_error(err, EINVAL,
					  "config.json: `linux.sysctl`: invalid key `%s`", key);
		/* The hostname has a field of its own, and runc and crun refuse the sysctl.  The
		 * domainname is dockerd's way to set it (`docker run --domainname`), accepted by
		 * both; it only conflicts with a `domainname` field that says something else. */
		if (!strcmp(key, "kernel.hostname"))
			return hull_error(err, EINVAL,
					  "config.json: `linux.sysctl`: `%s` conflicts with the "
					  "`hostname` field: set that instead",
					  key);
		if (!strcmp(key, "kernel.domainname") && spec->domainname && *spec->domainname &&
		    strcmp(spec->domainname, lx->sysctl[i].value))
			return hull_error(err, EINVAL,
					  "config.json: `linux.sysctl`: `%s` conflicts with the "
					  "`domainname` field",
					  key);
		if (!type)
			return hull_error(
				err, EPERM,
				"config.json: `linux.sysctl`: `%s` is not isolated by any "
				"namespace: setting it would change the host",
				key);
		if (!own_namespace(spec, type))
			return hull_error(err, EPERM,
					  "config.json: `linux.sysctl`: `%s` needs a %s namespace "
					  "of the container's own",
					  key,
					  type == CLONE_NEWNET	 ? "network"
					  : type == CLONE_NEWIPC ? "IPC"
								 : "UTS");
	}
	return 0;
}

int hull_sysctl_apply(const struct hull_spec *spec, struct hull_err *err)
{
	const struct hull_linux *lx = spec->linux_;
	cleanup_close int dir = -1;
	struct statfs sf;
	size_t i, k;

	if (!lx || lx->n_sysctl == 0)
		return 0;
	/* only the container's procfs: an image cannot plant files or links there */
	dir = open("/proc/sys", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return hull_error(err, errno, "linux.sysctl needs /proc mounted: open /proc/sys");
	if (fstatfs(dir, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
		return hull_error(err, EPERM, "linux.sysctl: /proc/sys is not a procfs");
	for (i = 0; i < lx->n_sysctl; i++) {
		struct open_how how = {.flags = O_WRONLY | O_CLOEXEC,
				       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
						  RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
		cleanup_free char *rel = xstrdup(lx->sysctl[i].key);
		const char *v = lx->sysctl[i].value;
		cleanup_close int fd = -1;

		for (k = 0; rel[k]; k++)
			if (rel[k] == '.')
				rel[k] = '/';
		fd = (int)syscall(SYS_openat2, dir, rel, &how, sizeof(how));
		if (fd < 0)
			return hull_error(err, errno, "sysctl `%s`", lx->sysctl[i].key);
		if (hull_write_all(fd, v, strlen(v)) < 0)
			return hull_error(err, errno, "sysctl `%s` = `%s`", lx->sysctl[i].key, v);
	}
	return 0;
}
