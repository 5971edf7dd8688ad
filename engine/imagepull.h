/* SPDX-License-Identifier: Apache-2.0 */
/* run and create's --pull and --platform (engine-internal, for prepare.c). */
#ifndef HULL_ENGINE_IMAGEPULL_H
#define HULL_ENGINE_IMAGEPULL_H

#include "engine/ctr.h"
#include "engine/prepare.h"
#include "lib/err.h"

#define HULL_PULL_MISSING "missing" /* the default, as docker's */
#define HULL_PULL_ALWAYS  "always"
#define HULL_PULL_NEVER	  "never"

/* Check --pull and --platform as given (a usage error names the problem). */
int hull_run_pull_check(const struct hull_run_opts *o, struct hull_err *err);

/* Pull o->image if the policy says so: always; when missing (or, with --platform, there for
 * another platform) by default; never with "never", where a missing image is an error that
 * says so. */
int hull_run_image_pull(const struct hull_engine *e, const struct hull_run_opts *o,
			struct hull_err *err);

#endif
