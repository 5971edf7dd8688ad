/* SPDX-License-Identifier: Apache-2.0 */
/* The records' tags and their field counts, and the reader (records.h).  Linked into both the
 * host side and the guest init. */
#include <string.h>

#include "vm/proto/records.h"

const struct hull_rec_def hull_rec_defs[HULL_REC_KINDS] = {
	[HULL_REC_ARG] = {"arg", 1},
	[HULL_REC_ENV] = {"env", 1},
	[HULL_REC_CWD] = {"cwd", 1},
	[HULL_REC_USER] = {"user", 3},
	[HULL_REC_GID] = {"gid", 1},
	[HULL_REC_RLIMIT] = {"rlimit", 3},
	[HULL_REC_CAPS] = {"caps", 5},
	[HULL_REC_NONEWPRIVS] = {"nonewprivs", 1},
	[HULL_REC_OOM] = {"oom", 1},
	[HULL_REC_SECCOMP] = {"seccomp", 2},
	[HULL_REC_HOSTNAME] = {"hostname", 1},
	[HULL_REC_DOMAINNAME] = {"domainname", 1},
	[HULL_REC_ROOT] = {"root", 1},
	[HULL_REC_TERMINAL] = {"terminal", 1},
	[HULL_REC_MOUNT] = {"mount", 5},
	[HULL_REC_SYSCTL] = {"sysctl", 2},
	[HULL_REC_ROPATH] = {"ropath", 1},
	[HULL_REC_MASK] = {"mask", 1},
	[HULL_REC_NONCE] = {"nonce", 1},
	[HULL_REC_TTY] = {"tty", 2},
	[HULL_REC_NIC] = {"nic", 3},
	[HULL_REC_ADDR] = {"addr", 2},
	[HULL_REC_ROUTE] = {"route", 4},
	[HULL_REC_POD] = {"pod", 1},
	[HULL_REC_CGROUP] = {"cgroup", 2},
	[HULL_REC_HOLD] = {"hold", 1},
	[HULL_REC_CONTAINER] = {"container", 1},
	[HULL_REC_INTO] = {"into", 1},
};

int hull_rec_next(char *buf, size_t size, size_t *off, struct hull_rec *r, struct hull_err *err)
{
	const char *tag;
	int kind = -1;

	if (*off >= size)
		return 0;
	/* every field ends with its NUL, the last one too: the string functions below stay
	 * inside buf */
	if (buf[size - 1])
		return hull_error(err, 0, "a field without its NUL");
	tag = buf + *off;
	*off += strlen(tag) + 1;
	for (int k = 0; k < HULL_REC_KINDS && kind < 0; k++)
		if (!strcmp(hull_rec_defs[k].tag, tag))
			kind = k;
	if (kind < 0)
		return hull_error(err, 0, "record `%.64s`: unknown", tag);
	memset(r, 0, sizeof(*r));
	r->kind = (enum hull_rec_kind)kind;
	r->tag = hull_rec_defs[kind].tag;
	for (unsigned int i = 0; i < hull_rec_defs[kind].fields; i++) {
		if (*off >= size)
			return hull_error(err, 0, "record `%s`: cut short", r->tag);
		r->f[i] = buf + *off;
		*off += strlen(r->f[i]) + 1;
	}
	return 1;
}
