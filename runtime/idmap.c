/* SPDX-License-Identifier: Apache-2.0 */
/* Idmapped bind mounts, made by the runtime (runtime/idmap.h). */
#include "runtime/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/util.h"

static yajl_val own_mappings(const struct hull_mount *m, const char *key)
{
	yajl_val v = m->src ? sj_get(m->src, key) : NULL;
	return v && YAJL_IS_ARRAY(v) && v->u.array.len ? v : NULL;
}

bool hull_mount_idmapped(const struct hull_mount *m)
{
	return m->idmap || own_mappings(m, "uidMappings") || own_mappings(m, "gidMappings");
}

/* "containerID hostID size" lines: the mount's own, else the container's user namespace's. */
static char *map_text(const struct hull_spec *spec, const struct hull_mount *m, bool uid,
		      struct hull_err *err)
{
	const char *key = uid ? "uidMappings" : "gidMappings";
	yajl_val own = own_mappings(m, key);
	char *out = xzalloc(1);
	size_t i;

	if (own) {
		for (i = 0; i < own->u.array.len; i++) {
			yajl_val o = own->u.array.values[i];
			int64_t c, h, s;
			char *line, *next;
			if (!YAJL_IS_OBJECT(o) ||
			    sj_int(o, "containerID", key, 0, UINT32_MAX - 1, &c, NULL) <= 0 ||
			    sj_int(o, "hostID", key, 0, UINT32_MAX - 1, &h, NULL) <= 0 ||
			    sj_int(o, "size", key, 1, UINT32_MAX, &s, NULL) <= 0) {
				free(out);
				return hull_error(err, EINVAL,
						  "mount `%s`: `%s[%zu]` needs containerID, hostID "
						  "and size",
						  m->destination, key, i),
				       NULL;
			}
			line = hull_strfmt("%lld %lld %lld\n", (long long)c, (long long)h,
					   (long long)s);
			next = hull_strfmt("%s%s", out, line);
			free(line);
			free(out);
			out = next;
		}
		return out;
	}
	{
		const struct hull_linux *lx = spec->linux_;
		const struct hull_id_map *map =
			lx ? (uid ? lx->uid_mappings : lx->gid_mappings) : NULL;
		size_t n = lx ? (uid ? lx->n_uid_mappings : lx->n_gid_mappings) : 0;
		if (!n) {
			free(out);
			return hull_error(
				       err, EINVAL,
				       "mount `%s`: an idmapped mount needs `%s`, its own or the "
				       "container's user namespace's",
				       m->destination, key),
			       NULL;
		}
		for (i = 0; i < n; i++) {
			char *next = hull_strfmt("%s%u %u %u\n", out, map[i].container_id,
						 map[i].host_id, map[i].size);
			free(out);
			out = next;
		}
	}
	return out;
}

/* A user namespace with the mount's mappings, held by the returned fd. */
static int make_userns(const struct hull_spec *spec, const struct hull_mount *m,
		       struct hull_err *err)
{
	cleanup_free char *uids = map_text(spec, m, true, err);
	cleanup_free char *gids = uids ? map_text(spec, m, false, err) : NULL;
	char path[64];
	int fd = -1, status;
	pid_t pid;

	if (!uids || !gids)
		return -1;
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		return hull_error(err, errno, "mount `%s`: new user namespace", m->destination);
	if (pid == 0) {
		for (;;)
			pause();
	}
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	if (hull_write_string(path, uids, err) == 0) {
		snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
		if (hull_write_string(path, gids, err) == 0) {
			snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				hull_error(err, errno, "open `%s`", path);
		}
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (fd < 0)
		return hull_error_wrap(err, "mount `%s`: the idmap's user namespace",
				       m->destination);
	return fd;
}

int hull_idmap_tree(const char *src, const struct hull_spec *spec, const struct hull_mount *m,
		    struct hull_err *err)
{
	unsigned int clone = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP};
	cleanup_close int userns = -1;
	int tree;

	if (m->flags & MS_REC)
		clone |= AT_RECURSIVE;
	userns = make_userns(spec, m, err);
	if (userns < 0)
		return -1;
	tree = (int)syscall(SYS_open_tree, AT_FDCWD, src, clone);
	if (tree < 0)
		return hull_error(err, errno, "bind mount source `%s`", src);
	attr.userns_fd = (uint64_t)userns;
	if (syscall(SYS_mount_setattr, tree, "",
		    AT_EMPTY_PATH | (m->idmap == HULL_IDMAP_RECURSIVE ? AT_RECURSIVE : 0), &attr,
		    sizeof(attr)) < 0) {
		int e = errno;
		close(tree);
		return hull_error(err, e, "mount `%s`: idmap `%s`", m->destination, src);
	}
	return tree;
}
