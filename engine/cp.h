/* SPDX-License-Identifier: Apache-2.0 */
/* hull cp: files between a container and the host, in both directions, as docker's cp does
 * (a file or a directory tree; "-" for a tar stream).  Every path inside the container is
 * resolved as if its root were "/" (lib/pathres.h), and what is written on either side is
 * made relative to directory fds without following a symlink (image/extract.h), so nothing
 * in the container can make hull read or write outside it. */
#ifndef HULL_ENGINE_CP_H
#define HULL_ENGINE_CP_H

#include <stdbool.h>

#include "engine/ctr.h"
#include "lib/err.h"

struct hull_cp_opts {
	bool follow_link; /* -L: the source's last component followed when a symlink */
	bool archive;	  /* -a: keep owners (else what is written belongs to root) */
};

/* hull cp CONTAINER:SRC DEST: DEST "-" writes a tar stream of SRC to out_fd. */
int hull_cp_from(const struct hull_engine *e, const struct hull_ctr *c, const char *src,
		 const char *dest, int out_fd, const struct hull_cp_opts *o, struct hull_err *err);

/* hull cp SRC CONTAINER:DEST: SRC "-" extracts a tar stream from in_fd into the directory
 * DEST. */
int hull_cp_to(const struct hull_engine *e, const struct hull_ctr *c, const char *src,
	       const char *dest, int in_fd, const struct hull_cp_opts *o, struct hull_err *err);

#endif
