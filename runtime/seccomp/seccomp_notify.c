/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SCMP_ACT_NOTIFY: the process that loads a filter with notify rules gets the listener's fd;
 * it sends it to the runtime over its sync socket, and the runtime (on the host, where
 * listenerPath is) connects to the listener and sends it with the container process state,
 * as runtime-spec describes and runc and crun do: one message, SCM_RIGHTS with the fd, the
 * JSON {"ociVersion", "fds": ["seccompFd"], "pid", "metadata", "state"} as its data.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/seccomp/seccomp.h"
#include "runtime/spec/spec_edit.h"
#include "runtime/sync.h"

#define SECCOMP_FD_NAME "seccompFd"

static char *process_state(pid_t pid, const char *metadata, const char *state_json,
			   struct hull_err *err)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	char ebuf[256];
	yajl_val state = yajl_tree_parse(state_json, ebuf, sizeof(ebuf));
	char *out = NULL;
	size_t n;

	if (!g || !state) {
		hull_error(err, EINVAL, "seccomp listener: the container state: %s", ebuf);
		goto out;
	}
	yajl_gen_map_open(g);
	hull_gen_str(g, "ociVersion");
	hull_gen_str(g, HULL_SPEC_OCI_VERSION);
	hull_gen_str(g, "fds");
	yajl_gen_array_open(g);
	hull_gen_str(g, SECCOMP_FD_NAME);
	yajl_gen_array_close(g);
	hull_gen_str(g, "pid");
	yajl_gen_integer(g, pid);
	if (metadata && *metadata) {
		hull_gen_str(g, "metadata");
		hull_gen_str(g, metadata);
	}
	hull_gen_str(g, "state");
	sj_gen(g, state);
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, &n) == yajl_gen_status_ok)
		out = hull_strfmt("%.*s", (int)n, (const char *)buf);
	else
		hull_error(err, EINVAL, "seccomp listener: encode the process state");
out:
	if (state)
		yajl_tree_free(state);
	if (g)
		yajl_gen_free(g);
	return out;
}

int hull_seccomp_notify_send(yajl_val sc, int notify_fd, pid_t pid, const char *state_json,
			     struct hull_err *err)
{
	yajl_val path = sj_get(sc, "listenerPath"), md = sj_get(sc, "listenerMetadata");
	const char *p = path && YAJL_IS_STRING(path) ? YAJL_GET_STRING(path) : NULL;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	cleanup_free char *msg = NULL;
	cleanup_close int sock = -1;

	if (!p)
		return hull_error(err, EINVAL, "seccomp listener: no `listenerPath`");
	if (strlen(p) >= sizeof(addr.sun_path))
		return hull_error(err, ENAMETOOLONG, "seccomp listener `%s`", p);
	strcpy(addr.sun_path, p);
	msg = process_state(pid, md && YAJL_IS_STRING(md) ? YAJL_GET_STRING(md) : NULL, state_json,
			    err);
	if (!msg)
		return -1;
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return hull_error(err, errno, "seccomp listener: socket");
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return hull_error(err, errno, "seccomp listener: connect to `%s`", p);
	if (hull_send_fd(sock, notify_fd, msg, err) < 0)
		return hull_error(err, err ? err->errnum : EIO,
				  "seccomp listener: send the notify fd to `%s`", p);
	return 0;
}

int hull_seccomp_notify_forward(const struct hull_seccomp *f, yajl_val sc, int sync_fd, pid_t pid,
				const char *state_json, struct hull_err *err)
{
	struct hull_sync_msg *m;
	int r;

	if (!hull_seccomp_has_notify(f))
		return 0;
	m = xmalloc(sizeof(*m));
	r = hull_sync_expect(sync_fd, SYNC_SECCOMP_FD, m, err);
	if (r == 0 && m->fd < 0)
		r = hull_error(err, EPROTO, "seccomp listener: no notify fd from the process");
	if (r == 0)
		r = hull_seccomp_notify_send(sc, m->fd, pid, state_json, err);
	if (m->fd >= 0)
		close(m->fd);
	free(m);
	return r;
}
