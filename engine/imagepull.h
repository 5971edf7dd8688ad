/* SPDX-License-Identifier: Apache-2.0 */
/* --pull and --platform of run, create and build's FROM: docker's policy (engine-internal;
 * the HULL_PULL_* names are prepare.h's). */
#ifndef HULL_ENGINE_IMAGEPULL_H
#define HULL_ENGINE_IMAGEPULL_H

#include "engine/ctr.h"
#include "engine/prepare.h"
#include "lib/err.h"

/* An image a command needs, and how it may be pulled. */
struct hull_image_want {
	const char *image;
	const char *pull;     /* HULL_PULL_*; NULL: missing */
	const char *platform; /* "os/arch[/variant]"; NULL: any image here, the host's if pulled */
	const struct hull_xfer *progress; /* NULL: quiet */
};

/* Check a pull policy and a platform as given (a usage error names the problem). */
int hull_pull_policy_check(const char *pull, const char *platform, struct hull_err *err);
/* Check --pull and --platform of run and create. */
int hull_run_pull_check(const struct hull_run_opts *o, struct hull_err *err);

/* Pull w->image if the policy says so: always; when missing (or, with a platform, there for
 * another platform) by default; never with "never", where a missing image is an error that
 * says so. */
int hull_image_ensure(const struct hull_engine *e, const struct hull_image_want *w,
		      struct hull_err *err);

/* hull_image_ensure of run's and create's image (none for --rootfs). */
int hull_run_image_pull(const struct hull_engine *e, const struct hull_run_opts *o,
			struct hull_err *err);

#endif
