/* An image config turned into an OCI runtime config.json, as image-spec's conversion.md
 * says: Entrypoint + Cmd, Env, WorkingDir, User (resolved in the image's rootfs), StopSignal
 * and Labels as annotations, Volumes as mounts.  `hull run` adds its flags through opts. */
#ifndef HULL_IMAGE_CONVERT_H
#define HULL_IMAGE_CONVERT_H

#include <stdbool.h>

#include "runtime/err.h"

struct hull_convert_opts {
	char *const *cmd;	/* replaces the image's Cmd when not NULL */
	const char *entrypoint; /* replaces Entrypoint (and drops Cmd) when not NULL; "" clears */
	const char *user;	/* replaces User when not NULL */
	const char *workdir;	/* replaces WorkingDir when not NULL */
	char *const *env; /* KEY=VALUE added after the image's (a key given twice: last wins) */
	bool terminal;
	/* Where the image's Volumes get a directory each (bind-mounted); NULL: no mounts. */
	const char *volumes_dir;
};

/* rootfd: the container's rootfs (for /etc/passwd and /etc/group); rootfs_path goes to
 * root.path.  json_out gets the config.json text. */
int hull_image_to_oci_config(const char *image_config, int rootfd, const char *rootfs_path,
			     const struct hull_convert_opts *opts, char **json_out,
			     struct hull_err *err);

#endif
