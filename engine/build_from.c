/* SPDX-License-Identifier: Apache-2.0 */
/* The images a build starts from (FROM, COPY --from): an earlier stage, or an image that is
 * here or pulled as `--pull` says, for FROM's `--platform` or the build's; and docker's
 * automatic platform ARGs, which `FROM --platform=$BUILDPLATFORM` and stages read. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/build_int.h"
#include "engine/imagepull.h"
#include "image/platform.h"
#include "lib/util.h"

static void platform_arg(struct hull_build *b, const char *name, const char *value)
{
	b->platform_args =
		xrealloc(b->platform_args, (b->n_platform_args + 1) * sizeof(*b->platform_args));
	b->platform_args[b->n_platform_args].name = xstrdup(name);
	b->platform_args[b->n_platform_args++].value = xstrdup(value);
}

/* PREFIXPLATFORM, PREFIXOS, PREFIXARCH, PREFIXVARIANT of p */
static void platform_set(struct hull_build *b, const char *prefix, const struct hull_platform *p)
{
	char buf[96], name[32];

	hull_platform_format(p->os, p->arch, p->variant, buf, sizeof(buf));
	snprintf(name, sizeof(name), "%sPLATFORM", prefix);
	platform_arg(b, name, buf);
	snprintf(name, sizeof(name), "%sOS", prefix);
	platform_arg(b, name, p->os);
	snprintf(name, sizeof(name), "%sARCH", prefix);
	platform_arg(b, name, p->arch);
	snprintf(name, sizeof(name), "%sVARIANT", prefix);
	platform_arg(b, name, p->variant);
}

int hull_build_platform_args(struct hull_build *b, struct hull_err *err)
{
	struct hull_platform host, target;

	hull_platform_host(&host);
	target = host;
	if (b->o->platform && hull_platform_parse(b->o->platform, &target, err) < 0)
		return hull_error_wrap(err, "--platform");
	platform_set(b, "BUILD", &host);
	platform_set(b, "TARGET", &target);
	return 0;
}

const char *hull_build_platform_arg(const struct hull_build *b, const char *name)
{
	for (size_t i = 0; i < b->n_platform_args; i++)
		if (!strcmp(b->platform_args[i].name, name))
			return b->platform_args[i].value;
	return NULL;
}

/* the image is here for the platform, pulled if the policy says so (once a build) */
static int ensure(struct hull_build *b, const char *ref, const char *platform, struct hull_err *err)
{
	cleanup_free char *key = hull_strfmt("%s %s", ref, platform ? platform : "");
	struct hull_image_want w = {.image = ref,
				    .pull = b->o->pull,
				    .platform = platform,
				    .progress = b->o->pull_progress};

	for (char **e = b->ensured; e && *e; e++)
		if (!strcmp(*e, key))
			return 0;
	if (hull_image_ensure(b->e, &w, err) < 0)
		return -1;
	hull_strv_push(&b->ensured, key);
	return 0;
}

int hull_build_from_ref(struct hull_build *b, const char *ref, const char *platform,
			struct hull_image *out, struct hull_err *err)
{
	struct hull_index idx;
	struct hull_image *img;
	char *end;
	unsigned long n = strtoul(ref, &end, 10);

	for (size_t i = 0; i < b->n_stages; i++) {
		struct hull_build_stage *st = &b->stages[i];
		bool named = st->name && !strcasecmp(st->name, ref);
		if (!named && !(*ref && !*end && n == i))
			continue;
		if (!st->built)
			return hull_error(err, 0, "stage `%s` refers to itself", ref);
		if (!st->has)
			return hull_error(err, 0, "stage `%s` has no files (FROM scratch)", ref);
		hull_image_copy(out, &st->img);
		return 0;
	}
	if (ensure(b, ref, platform ? platform : b->o->platform, err) < 0)
		return -1;
	if (hull_index_load(&b->s, &idx, err) < 0)
		return -1;
	hull_err_clear(err);
	img = hull_index_find(&idx, ref, err);
	if (img)
		hull_image_copy(out, img);
	hull_index_free(&idx);
	if (!img && !err->msg[0])
		hull_error(err, 0, "no such image: %s", ref);
	return img ? 0 : -1;
}
