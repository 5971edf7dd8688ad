/* SPDX-License-Identifier: Apache-2.0 */
/* Records: the format of the guest's configuration files (/hull/config, /hull/net) and of an
 * exec session's OPEN frame.  A record is its tag and a fixed number of fields for that tag,
 * each one a NUL-terminated string: "TAG\0FIELD\0...".  The host writes them
 * (vm/host/guestcfg.c, vm/host/net.c, vm/host/exec.c), the guest reads them with
 * hull_rec_next (vm/guest/config.c).  What each field holds: vm/README.md, "Protocol". */
#ifndef HULL_VM_PROTO_RECORDS_H
#define HULL_VM_PROTO_RECORDS_H

#include <stddef.h>

#include "lib/err.h"

enum hull_rec_kind {
	/* the process: /hull/config and OPEN */
	HULL_REC_ARG,	     /* an argument */
	HULL_REC_ENV,	     /* NAME=VALUE */
	HULL_REC_CWD,	     /* the working directory */
	HULL_REC_USER,	     /* uid, gid, umask in octal or "" */
	HULL_REC_GID,	     /* an additional gid */
	HULL_REC_RLIMIT,     /* resource number, soft, hard */
	HULL_REC_CAPS,	     /* bounding, effective, permitted, inheritable, ambient: hex masks */
	HULL_REC_NONEWPRIVS, /* HULL_REC_ON */
	HULL_REC_OOM,	     /* process.oomScoreAdj */
	/* the container: /hull/config */
	HULL_REC_SECCOMP,    /* SECCOMP_FILTER_FLAG_* in decimal, the BPF program in hex */
	HULL_REC_HOSTNAME,   /* the hostname */
	HULL_REC_DOMAINNAME, /* the domain name */
	HULL_REC_ROOT,	     /* HULL_REC_ROOT_RO or HULL_REC_ROOT_RW */
	HULL_REC_TERMINAL,   /* HULL_REC_ON: the main process has a terminal */
	HULL_REC_MOUNT,	     /* destination, type or HULL_REC_MOUNT_BIND, source, MS_*, data */
	HULL_REC_SYSCTL,     /* key, value */
	HULL_REC_ROPATH,     /* a linux.readonlyPaths entry */
	HULL_REC_MASK,	     /* a linux.maskedPaths entry */
	HULL_REC_POD,	     /* the sandbox of a pod: its number of exec ports in decimal */
	HULL_REC_CGROUP,     /* a pod's app container: a file of its guest cgroup, its value */
	HULL_REC_HOLD,	     /* HULL_REC_ON: booted at create, the workload waits for start */
	/* an exec request: OPEN */
	HULL_REC_NONCE,	    /* echoed in the answer */
	HULL_REC_TTY,	    /* rows, cols */
	HULL_REC_CONTAINER, /* start the pod's container ID (its config in the pod's share) */
	HULL_REC_INTO,	    /* the process runs in the pod's container ID */
	/* the network: /hull/net */
	HULL_REC_NIC,	/* MAC, interface name, MTU */
	HULL_REC_ADDR,	/* MAC, ADDRESS/PREFIXLEN */
	HULL_REC_ROUTE, /* MAC, destination ADDRESS/PREFIXLEN, gateway or "", metric or "" */
	HULL_REC_KINDS
};

/* Field values with a meaning of their own. */
#define HULL_REC_ON	    "1"
#define HULL_REC_ROOT_RO    "ro"
#define HULL_REC_ROOT_RW    "rw"
#define HULL_REC_MOUNT_BIND "bind" /* made on the host, in the root virtiofsd serves */
#define HULL_REC_MOUNT_NONE "none" /* a mount without a type */

#define HULL_REC_MAX_FIELDS 5

struct hull_rec_def {
	const char *tag;
	unsigned int fields;
};
/* Each kind's tag and number of fields. */
extern const struct hull_rec_def hull_rec_defs[HULL_REC_KINDS];

/* One record as read: its kind and its fields (pointers into the buffer, which the reader
 * may keep them in). */
struct hull_rec {
	enum hull_rec_kind kind;
	const char *tag;
	char *f[HULL_REC_MAX_FIELDS];
};

/* The record at *off in buf (size bytes), *off moved past it.  Returns 1 with the record in
 * *r, 0 at the end of buf, or -1 when buf is malformed (an unknown tag, a record cut short, a
 * field without its NUL): the writer is hull, so the reader is strict. */
int hull_rec_next(char *buf, size_t size, size_t *off, struct hull_rec *r, struct hull_err *err);

#endif
