/* SPDX-License-Identifier: Apache-2.0 */
/* The control channel (the hull.ctl port; the host end is vm/host/control.c, the guest's
 * vm/guest/workload.c): one request per line, one answer per request, "ok\n" or
 * "error ERRNO\n".  Requests: "kill SIGNO ALL\n" (ALL 1: every process in the guest, 0: the
 * workload); "cgroup ID FILE VALUE\n" (a pod's app container ID: a file of its guest cgroup,
 * VALUE the rest of the line). */
#ifndef HULL_VM_PROTO_CONTROL_H
#define HULL_VM_PROTO_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define HULL_CTL_KILL	"kill"
#define HULL_CTL_CGROUP "cgroup"
#define HULL_CTL_START	"start" /* a VM booted at create (`hold`): run the workload now */
#define HULL_CTL_OK	"ok"
#define HULL_CTL_ERROR	"error"
/* the longest request or answer, with its newline and NUL */
#define HULL_CTL_MAX 512

static inline int hull_ctl_clamp(int n, size_t size)
{
	return n < 0 ? 0 : n >= (int)size ? (int)size - 1 : n;
}

/* The request, with its newline; returns the length. */
static inline int hull_ctl_kill_format(char *buf, size_t size, int sig, bool all)
{
	return hull_ctl_clamp(snprintf(buf, size, HULL_CTL_KILL " %d %d\n", sig, all ? 1 : 0),
			      size);
}

/* A request line (without its newline): 0 and its fields, or -1 when it is not one. */
static inline int hull_ctl_kill_parse(const char *line, int *sig, bool *all)
{
	int a;
	if (sscanf(line, HULL_CTL_KILL " %d %d", sig, &a) != 2)
		return -1;
	*all = a != 0;
	return 0;
}

/* A cgroup request, with its newline; returns the length, or -1 when it does not fit or a
 * field would break the line. */
static inline int hull_ctl_cgroup_format(char *buf, size_t size, const char *id, const char *file,
					 const char *value)
{
	int n;
	if (strpbrk(id, " \n") || strpbrk(file, " \n") || strchr(value, '\n'))
		return -1;
	n = snprintf(buf, size, HULL_CTL_CGROUP " %s %s %s\n", id, file, value);
	return n < 0 || n >= (int)size ? -1 : n;
}

/* A cgroup request line (without its newline), split in place: 0, or -1 when it is not one. */
static inline int hull_ctl_cgroup_parse(char *line, char **id, char **file, char **value)
{
	size_t k = strlen(HULL_CTL_CGROUP);
	char *sp;
	if (strncmp(line, HULL_CTL_CGROUP " ", k + 1))
		return -1;
	*id = line + k + 1;
	if (!(sp = strchr(*id, ' ')))
		return -1;
	*sp = 0;
	*file = sp + 1;
	if (!(sp = strchr(*file, ' ')))
		return -1;
	*sp = 0;
	*value = sp + 1;
	return 0;
}

/* The answer, with its newline: "ok", or "error ERRNO" when errnum is not 0. */
static inline int hull_ctl_reply_format(char *buf, size_t size, int errnum)
{
	return hull_ctl_clamp(errnum ? snprintf(buf, size, HULL_CTL_ERROR " %d\n", errnum)
				     : snprintf(buf, size, HULL_CTL_OK "\n"),
			      size);
}

/* An answer: 0 for "ok", -1 for "error ERRNO" (errno in *errnum), -2 when it is neither. */
static inline int hull_ctl_reply_parse(const char *reply, int *errnum)
{
	if (!strncmp(reply, HULL_CTL_OK, strlen(HULL_CTL_OK)))
		return 0;
	if (sscanf(reply, HULL_CTL_ERROR " %d", errnum) == 1)
		return -1;
	return -2;
}

#endif
