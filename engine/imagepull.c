/* SPDX-License-Identifier: Apache-2.0 */
/* --pull and --platform of run, create and build (imagepull.h): docker's policy, the image's
 * platform checked against the one asked for. */
#include "engine/imagepull.h"

#include <errno.h>
#include <string.h>

#include "image/index.h"
#include "image/platform.h"
#include "image/pull.h"
#include "image/xfer.h"
#include "lib/util.h"

int hull_pull_policy_check(const char *pull, const char *platform, struct hull_err *err)
{
	struct hull_platform p;

	if (pull && strcmp(pull, HULL_PULL_MISSING) && strcmp(pull, HULL_PULL_ALWAYS) &&
	    strcmp(pull, HULL_PULL_NEVER))
		return hull_error(err, EINVAL, "--pull takes missing, always or never, not `%.32s`",
				  pull);
	if (platform && hull_platform_parse(platform, &p, err) < 0)
		return hull_error_wrap(err, "--platform");
	return 0;
}

int hull_run_pull_check(const struct hull_run_opts *o, struct hull_err *err)
{
	return hull_pull_policy_check(o->pull, o->platform, err);
}

/* 1 if the store has the image (for the platform, when one is asked for), else 0. */
static int have_image(struct hull_store *s, const char *image, const struct hull_platform *want,
		      char **other, struct hull_err *err)
{
	struct hull_index idx;
	struct hull_image *img;
	cleanup_free char *cfg = NULL;
	int rc = 0;

	*other = NULL;
	if (hull_index_load(s, &idx, err) < 0)
		return -1;
	/* a store without index.json yet loads empty, its ENOENT left in err */
	hull_err_clear(err);
	img = hull_index_find(&idx, image, err);
	if (img && want && hull_store_read_blob(s, img->config, &cfg, NULL, err) < 0)
		rc = -1;
	else if (img && want && !hull_config_platform_match(cfg, want))
		*other = xstrdup(img->config);
	else if (img)
		rc = 1;
	else if (err->msg[0])
		rc = -1; /* an ambiguous short ID */
	hull_index_free(&idx);
	return rc;
}

int hull_image_ensure(const struct hull_engine *e, const struct hull_image_want *w,
		      struct hull_err *err)
{
	const char *policy = w->pull ? w->pull : HULL_PULL_MISSING;
	struct hull_platform plat;
	struct hull_pull_opts po = {.xfer = w->progress};
	struct hull_store s;
	struct hull_image img = {0};
	cleanup_free char *other = NULL;
	int rc = 0;

	if (hull_pull_policy_check(w->pull, w->platform, err) < 0)
		return -1;
	if (w->platform) {
		hull_platform_parse(w->platform, &plat, err);
		po.platform = &plat;
	}
	if (hull_store_open(&s, e->root, false, err) < 0)
		return -1;
	hull_err_clear(err);
	if (strcmp(policy, HULL_PULL_ALWAYS))
		rc = have_image(&s, w->image, po.platform, &other, err);
	if (rc == 0 && !strcmp(policy, HULL_PULL_NEVER)) {
		if (other)
			hull_error(err, 0,
				   "image %s is not for %s, and --pull=never forbids pulling it",
				   w->image, w->platform);
		else
			hull_error(err, 0, "no such image: %s, and --pull=never forbids pulling it",
				   w->image);
		rc = -1;
	} else if (rc == 0) {
		const struct hull_xfer *x = w->progress;
		/* docker's first line when run pulls an image that is not here */
		if (x && x->notice && !other && strcmp(policy, HULL_PULL_ALWAYS)) {
			cleanup_free char *msg =
				hull_strfmt("Unable to find image '%s' locally", w->image);
			x->notice(x->ctx, msg);
		}
		rc = hull_image_pull(&s, w->image, &po, &img, err);
		hull_image_free(&img);
		/* say first what the user would otherwise not know: it was not here */
		if (rc < 0 && other)
			hull_error_wrap(err,
					"the image %s here is not for %s, and pulling it failed",
					w->image, w->platform);
		else if (rc < 0 && strcmp(policy, HULL_PULL_ALWAYS))
			hull_error_wrap(err, "no such image: %s, and pulling it failed", w->image);
	}
	hull_store_close(&s);
	return rc < 0 ? -1 : 0;
}

int hull_run_image_pull(const struct hull_engine *e, const struct hull_run_opts *o,
			struct hull_err *err)
{
	struct hull_image_want w = {.image = o->image,
				    .pull = o->pull,
				    .platform = o->platform,
				    .progress = o->pull_progress};

	return o->from_rootfs ? 0 : hull_image_ensure(e, &w, err);
}
