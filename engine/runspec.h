/* SPDX-License-Identifier: Apache-2.0 */
/* The config.json `hull run` writes: docker's default confinement (docker_spec.h), the
 * image's process settings and the user's flags on top. */
#ifndef HULL_ENGINE_RUNSPEC_H
#define HULL_ENGINE_RUNSPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/spec/spec.h"

struct hull_bind {
	char *source; /* absolute host path */
	char *destination;
	bool readonly;
	char *propagation; /* NULL = rprivate */
};

/* --device: a host device node made at path in the container, allowed in its cgroup */
struct hull_run_device {
	char *path;
	char type; /* 'c' or 'b' */
	int64_t major, minor;
	mode_t mode;
	char access[4]; /* "rwm" or a part of it */
};

struct hull_tmpfs {
	char *destination;
	char *options; /* comma separated, NULL = docker's defaults */
};

struct hull_run_spec {
	char **args; /* entrypoint + cmd, resolved */
	char **env;  /* NAME=VALUE, later entries win */
	char *cwd;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t n_groups;
	char *hostname;
	bool terminal;
	unsigned short console_height, console_width; /* the terminal's size at run, 0: none */
	bool read_only;
	bool privileged;
	bool no_new_privs;
	bool host_network;
	char *netns_path; /* join this network namespace (made for the bridge network) */
	char **cap_add;	  /* "CAP_X" or "ALL" */
	char **cap_drop;
	struct hull_bind *binds;
	size_t n_binds;
	struct hull_tmpfs *tmpfs;
	size_t n_tmpfs;
	int64_t memory;	    /* bytes, 0 = no limit */
	int64_t cpu_quota;  /* microseconds per period, 0 = no limit */
	int64_t pids_limit; /* 0 = no limit */
	struct hull_run_device *devices;
	size_t n_devices;
	struct hull_rlimit *rlimits; /* --ulimit */
	size_t n_rlimits;
	struct hull_kv *sysctls;
	size_t n_sysctls;
	int64_t shm_size;      /* bytes of /dev/shm, 0 = docker's 64 MiB */
	char *init_path;       /* --init: this binary, bound read-only at init_dest */
	const char *init_dest; /* HULL_RUN_INIT_PATH or _VM (prepare.h) */
	struct hull_kv *annotations;
	size_t n_annotations;
	char *cgroups_path;   /* NULL = the runtime's default */
	char *seccomp_json;   /* a linux.seccomp object, NULL = none */
	bool default_seccomp; /* without seccomp_json: docker's default profile */
	char *etc_files_dir;  /* where hostname/hosts/resolv.conf for the container are */
	bool rootfs_has_etc;  /* bind those files only where the image has an /etc */
	const char *rootfs;   /* absolute */
};

/* Turn the user's capability names into CAP_X form, checking each with libcap; "ALL" stays. */
int hull_caps_normalize(char **names, struct hull_err *err);

/* The container's spec: docker's defaults (docker_spec.h) with rs on top. */
struct hull_spec *hull_run_spec_build(const struct hull_run_spec *rs, struct hull_err *err);

/* Write <dir>/hostname, hosts and resolv.conf for the container. */
int hull_run_spec_etc_files(const char *dir, const char *hostname, bool host_network,
			    struct hull_err *err);

void hull_run_spec_free(struct hull_run_spec *rs);

#endif
