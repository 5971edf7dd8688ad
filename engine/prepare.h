/* SPDX-License-Identifier: Apache-2.0 */
/* A new container for `hull run`: its rootfs from an image (or a directory), its config.json
 * from the image's settings (image-spec conversion.md) with the options on top, its record. */
#ifndef HULL_ENGINE_PREPARE_H
#define HULL_ENGINE_PREPARE_H

#include <stdbool.h>

#include "engine/ctr.h"
#include "image/rootfs.h"
#include "lib/err.h"

/* Where --init puts the init: docker's older path in the container's own /dev (nothing is
 * made in the rootfs); in a VM the guest mounts a /dev of its own over that, so there docker's
 * current path. */
#define HULL_RUN_INIT_PATH    "/dev/init"
#define HULL_RUN_INIT_PATH_VM "/sbin/docker-init"

struct hull_xfer;

/* the pull policies of run, create and build (--pull), as docker's */
#define HULL_PULL_MISSING "missing" /* the default */
#define HULL_PULL_ALWAYS  "always"
#define HULL_PULL_NEVER	  "never"

/* What the user asked for, as given (the engine checks and interprets each value). */
struct hull_run_opts {
	const char *image; /* a reference, or the rootfs directory with from_rootfs */
	bool from_rootfs;
	char **args; /* replaces the image's Cmd when not empty */
	bool detach, interactive, tty, rm, read_only, privileged, no_new_privs, unconfined;
	char **env, **env_files, **volumes, **tmpfs, **cap_add, **cap_drop, **annotations;
	char **publish; /* -p, on a bridge network */
	/* networks (engine/net.h): -P, --ip, --network-alias, --dns*, --add-host */
	bool publish_all;
	const char *ip;
	char **network_aliases, **dns, **dns_search, **dns_options, **add_hosts;
	const char *name, *entrypoint, *user, *workdir, *memory, *cpus, *pids, *hostname;
	const char *network, *isolation, *cgroup_parent, *stop_signal;
	const char *seccomp; /* a profile file */
	/* --mount, --device, --ulimit, --group-add, --sysctl, --label, --label-file */
	char **mounts, **devices, **ulimits, **group_add, **sysctls, **labels, **label_files;
	const char *shm_size, *stop_timeout;
	bool init; /* --init: a small init (tini) as pid 1 */
	/* --pull missing|always|never (NULL: missing), --platform OS/ARCH[/VARIANT], and where
	 * such a pull shows its progress (NULL: nowhere): engine/imagepull.h */
	const char *pull, *platform;
	const struct hull_xfer *pull_progress;
	/* --restart (engine/restart_policy.h): kept in the record, not in config.json */
	const char *restart;
	bool create_only; /* hull create: made, not started (no network until hull start) */
};

/* Claim the name, make the rootfs and bundle under the container's directory, save the record
 * (c filled in).  Nothing is left behind on failure. */
int hull_run_prepare(const struct hull_engine *e, const struct hull_run_opts *o, struct hull_ctr *c,
		     struct hull_err *err);

/* The same rootfs (made with mode) and bundle files in dir, without a record or a name: for
 * tools and tests that hand the bundle to an OCI runtime themselves.  *rootfs: its path. */
int hull_run_bundle(const struct hull_engine *e, const struct hull_run_opts *o, const char *id,
		    enum hull_rootfs_mode mode, const char *dir, char **rootfs,
		    struct hull_err *err);

#endif
