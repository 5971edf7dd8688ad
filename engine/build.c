/* SPDX-License-Identifier: Apache-2.0 */
/* hull build: the driver.  The Dockerfile is parsed (dockerfile.c), split in stages at each
 * FROM, and run step by step: the settings instructions edit the stage's image config
 * (imgedit.c) and make an image without a layer, RUN, COPY, ADD and WORKDIR make one with a
 * layer (build_step.c).  Every step's image goes in the index while the build needs it and
 * leaves it at the end (only the image built stays); the cache (build_cache.c) remembers them. */
#include "engine/build.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "engine/build_int.h"
#include "engine/imagepull.h"
#include "image/load.h"
#include "image/platform.h"
#include "lib/util.h"

#define SCRATCH		    "scratch"
#define DEFAULT_DOCKERFILE  "Dockerfile"
#define FALLBACK_DOCKERFILE "Containerfile"

void hull_build_say(struct hull_build *b, const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	if (!b->o->print)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	b->o->print(b->o->print_ctx, line);
}

static const char *var_get(const struct hull_build_var *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return v[i].value;
	return NULL;
}

static void var_set(struct hull_build_var **v, size_t *n, const char *name, const char *value)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].name, name)) {
			free((*v)[i].value);
			(*v)[i].value = value ? xstrdup(value) : NULL;
			return;
		}
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].name = xstrdup(name);
	(*v)[(*n)++].value = value ? xstrdup(value) : NULL;
}

static void vars_free(struct hull_build_var *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

const char *hull_build_arg_lookup(void *ctx, const char *name)
{
	struct hull_build_cur *c = ctx;
	return var_get(c->args, c->n_args, name);
}

static const char *global_lookup(void *ctx, const char *name)
{
	struct hull_build *b = ctx;
	const char *v = var_get(b->globals, b->n_globals, name);
	return v ? v : hull_build_platform_arg(b, name);
}

/* --build-arg NAME overrides a declared ARG's default */
static const char *given(struct hull_build *b, const char *name, bool *found)
{
	for (size_t i = 0; i < b->n_given; i++)
		if (!strcmp(b->given[i].name, name)) {
			b->given_used[i] = true;
			*found = true;
			return b->given[i].value;
		}
	*found = false;
	return NULL;
}

/* ARG NAME[=default] ...: declared in the stage (c) or, before the first FROM, globally */
static int declare_args(struct hull_build *b, struct hull_build_cur *c,
			const struct hull_df_instr *in, struct hull_err *err)
{
	cleanup_strv char **words = NULL;
	hull_df_lookup *lookup = c ? hull_imgedit_lookup : global_lookup;
	void *ctx = c ? (void *)&c->ed : (void *)b;

	if (hull_df_expand(in->rest, b->df.escape, lookup, ctx, true, &words, err) < 0)
		return hull_error_wrap(err, "ARG");
	for (char **w = words; *w; w++) {
		char *eq = strchr(*w, '=');
		cleanup_free char *name = eq ? strndup(*w, (size_t)(eq - *w)) : xstrdup(*w);
		const char *value = eq ? eq + 1 : NULL;
		bool found;
		const char *g = given(b, name, &found);
		if (!*name)
			return hull_error(err, 0, "ARG names can not be blank");
		if (found && g)
			value = g;
		else if (!eq && c)
			value = var_get(b->globals, b->n_globals, name);
		/* `ARG TARGETARCH` without a value: the automatic one */
		if (!value && !eq && !found)
			value = hull_build_platform_arg(b, name);
		if (c)
			var_set(&c->args, &c->n_args, name, value);
		else
			var_set(&b->globals, &b->n_globals, name, value);
	}
	return 0;
}

static bool in_index(struct hull_build *b, const char *manifest)
{
	struct hull_index idx;
	bool r;
	if (hull_index_load(&b->s, &idx, NULL) < 0)
		return false;
	r = hull_index_find(&idx, manifest, NULL) != NULL;
	hull_index_free(&idx);
	return r;
}

int hull_build_index_ensure(struct hull_build *b, const struct hull_image *img,
			    struct hull_err *err)
{
	if (in_index(b, img->manifest))
		return 0;
	/* another build that shared this step image dropped it from the index when it ended */
	if (hull_image_commit(&b->s, img->manifest, NULL, NULL, err) < 0)
		return -1;
	hull_build_added(b, img->manifest);
	return 0;
}

int hull_build_cur_set(struct hull_build *b, struct hull_build_cur *c, const struct hull_image *img,
		       struct hull_err *err)
{
	cleanup_free char *text = NULL;
	struct hull_imgcfg cfg;

	if (hull_store_read_blob(&b->s, img->config, &text, NULL, err) < 0 ||
	    hull_imgcfg_parse(text, &cfg, err) < 0)
		return -1;
	hull_imgcfg_free(&c->cfg);
	c->cfg = cfg;
	c->ed.cfg = &c->cfg;
	if (c->has)
		hull_image_free(&c->img);
	hull_image_copy(&c->img, img);
	c->has = true;
	return 0;
}

bool hull_build_cache_use(struct hull_build *b, struct hull_build_cur *c, const char *key)
{
	char manifest[HULL_DIGEST_SIZE];
	struct hull_image img = {0};
	bool had;

	if (b->o->no_cache || hull_build_cache_get(&b->s, key, manifest) < 0)
		return false;
	had = in_index(b, manifest);
	/* back in the index while the build uses it (its layers unpacked again if need be) */
	if (hull_image_commit(&b->s, manifest, NULL, &img, NULL) < 0)
		return false;
	if (!had)
		hull_build_added(b, manifest);
	if (hull_build_cur_set(b, c, &img, NULL) < 0) {
		hull_image_free(&img);
		return false;
	}
	hull_build_say(b, " ---> Using cache");
	hull_build_say(b, " ---> %.12s", hull_digest_hex(img.config));
	hull_image_free(&img);
	return true;
}

int hull_build_step_meta(struct hull_build *b, struct hull_build_cur *c, const char *created_by,
			 const char *cache_key, struct hull_err *err)
{
	struct hull_image img = {0};

	hull_imgcfg_add_step(&c->cfg, created_by, NULL, NULL, true);
	if (hull_imgcfg_commit(&b->s, &c->cfg, c->has ? c->img.manifest : NULL, NULL, NULL, &img,
			       err) < 0)
		return -1;
	hull_build_added(b, img.manifest);
	if (cache_key)
		hull_build_cache_put(&b->s, cache_key, img.manifest);
	if (c->has)
		hull_image_free(&c->img);
	c->img = img;
	c->has = true;
	hull_build_say(b, " ---> %.12s", hull_digest_hex(img.config));
	return 0;
}

/* a settings instruction: its image comes from the cache, or is made */
static int step_settings(struct hull_build *b, struct hull_build_cur *c,
			 const struct hull_df_instr *in, struct hull_err *err)
{
	cleanup_free char *by = hull_imgedit_nop_text(&c->ed, in);
	char key[HULL_DIGEST_SIZE];

	hull_build_cache_key(c->has ? c->img.config : NULL, by, NULL, key);
	if (in->kind == HULL_DF_CMD)
		c->ed.cmd_set = true; /* a later ENTRYPOINT keeps it, cached or not */
	if (hull_build_cache_use(b, c, key))
		return 0;
	if (hull_imgedit_apply(&c->ed, in, err) < 0)
		return -1;
	return hull_build_step_meta(b, c, by, key, err);
}

static int dispatch(struct hull_build *b, struct hull_build_cur *c, const struct hull_df_instr *in,
		    struct hull_err *err)
{
	switch (in->kind) {
	case HULL_DF_ARG:
		return declare_args(b, c, in, err);
	case HULL_DF_RUN:
		return hull_build_run(b, c, in, err);
	case HULL_DF_COPY:
	case HULL_DF_ADD:
		return hull_build_copy(b, c, in, err);
	case HULL_DF_WORKDIR:
		return hull_build_workdir(b, c, in, err);
	case HULL_DF_FROM:
		return hull_error(err, 0, "FROM inside a stage"); /* split before */
	default:
		return step_settings(b, c, in, err);
	}
}

/* FROM [--platform=P] IMAGE|STAGE|scratch [AS NAME] */
static int stage_from(struct hull_build *b, struct hull_build_cur *c,
		      const struct hull_df_instr *in, char **name, struct hull_err *err)
{
	cleanup_strv char **w = NULL, **pw = NULL;
	const char *platform = hull_df_flag(in, "platform");
	size_t n;

	if (hull_df_expand(in->rest, b->df.escape, global_lookup, b, true, &w, err) < 0)
		return hull_error_wrap(err, "FROM");
	if (platform &&
	    hull_df_expand(platform, b->df.escape, global_lookup, b, true, &pw, err) < 0)
		return hull_error_wrap(err, "FROM --platform");
	if (platform && hull_strv_len(pw) != 1)
		return hull_error(err, 0, "FROM --platform=%s: one platform is needed", platform);
	if (platform && hull_platform_parse(pw[0], &(struct hull_platform){0}, err) < 0)
		return hull_error_wrap(err, "FROM --platform=%s", platform);
	n = hull_strv_len(w);
	if (n != 1 && !(n == 3 && !strcasecmp(w[1], "AS")))
		return hull_error(err, 0, "FROM requires either one or three arguments (`%s`)",
				  in->rest);
	if (n == 3) {
		for (char *p = w[2]; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		*name = xstrdup(w[2]);
	}
	if (!strcasecmp(w[0], SCRATCH)) {
		hull_imgcfg_init(&c->cfg);
		c->ed.cfg = &c->cfg;
		return 0;
	}
	{
		struct hull_image img = {0};
		if (hull_build_from_ref(b, w[0], pw ? pw[0] : NULL, &img, err) < 0)
			return -1;
		if (hull_build_cur_set(b, c, &img, err) < 0) {
			hull_image_free(&img);
			return -1;
		}
		hull_image_free(&img);
	}
	hull_build_say(b, " ---> %.12s", hull_digest_hex(c->img.config));
	/* the base image's ONBUILD triggers run now, and are not passed on */
	if (c->cfg.onbuild) {
		cleanup_strv char **triggers = steal_pointer(&c->cfg.onbuild);
		size_t nt = hull_strv_len(triggers);
		hull_build_say(b, "# Executing %zu build trigger%s", nt, nt == 1 ? "" : "s");
		for (char **t = triggers; *t; t++) {
			struct hull_df_instr tin;
			int rc;
			if (hull_df_parse_line(*t, b->df.escape, &tin, err) < 0)
				return hull_error_wrap(err, "ONBUILD trigger `%s`", *t);
			rc = dispatch(b, c, &tin, err);
			hull_df_instr_clear(&tin);
			if (rc < 0)
				return hull_error_wrap(err, "ONBUILD trigger `%s`", *t);
		}
	}
	return 0;
}

static void cur_free(struct hull_build_cur *c)
{
	if (c->has)
		hull_image_free(&c->img);
	hull_imgcfg_free(&c->cfg);
	vars_free(c->args, c->n_args);
	memset(c, 0, sizeof(*c));
}

/* --label KEY=VALUE: a LABEL step at the end of the stage built */
static int extra_labels(struct hull_build *b, struct hull_build_cur *c, struct hull_err *err)
{
	for (char **l = b->o->labels; l && *l; l++) {
		const char *eq = strchr(*l, '=');
		cleanup_free char *by = NULL;
		char key[HULL_DIGEST_SIZE];
		if (!eq || eq == *l)
			return hull_error(err, 0, "invalid --label `%s` (KEY=VALUE)", *l);
		by = hull_strfmt("/bin/sh -c #(nop)  LABEL %s", *l);
		hull_build_cache_key(c->has ? c->img.config : NULL, by, NULL, key);
		if (hull_build_cache_use(b, c, key))
			continue;
		{
			cleanup_free char *k = strndup(*l, (size_t)(eq - *l));
			hull_imgcfg_set_label(&c->cfg, k, eq + 1);
		}
		if (hull_build_step_meta(b, c, by, key, err) < 0)
			return -1;
	}
	return 0;
}

/* the stages up to the target: [first, last] instruction indexes of each */
static int plan(struct hull_build *b, size_t *end, struct hull_err *err)
{
	size_t i, first = b->df.n;

	for (i = 0; i < b->df.n; i++) {
		if (b->df.v[i].kind == HULL_DF_FROM) {
			first = i;
			break;
		}
		if (b->df.v[i].kind != HULL_DF_ARG)
			return hull_error(err, 0,
					  "Dockerfile line %d: %s before the first FROM (only ARG "
					  "may come first)",
					  b->df.v[i].line, b->df.v[i].keyword);
	}
	if (first == b->df.n)
		return hull_error(err, 0, "the Dockerfile has no FROM: no build stage");
	*end = b->df.n;
	if (b->o->target) {
		size_t stage = 0;
		bool found = false;
		for (i = first; i < b->df.n; i++) {
			const struct hull_df_instr *in = &b->df.v[i];
			if (in->kind != HULL_DF_FROM)
				continue;
			if (found) {
				*end = i;
				break;
			}
			{
				const char *as = strcasestr(in->rest, " as ");
				if (as && !strcasecmp(as + 4 + strspn(as + 4, " \t"), b->o->target))
					found = true;
			}
			stage++;
		}
		if (!found)
			return hull_error(err, 0, "target stage `%s` could not be found",
					  b->o->target);
	}
	b->steps = (int)*end;
	return 0;
}

static int run_stages(struct hull_build *b, size_t end, char **image_id, struct hull_err *err)
{
	struct hull_build_cur c = {0};
	size_t i;
	int rc = -1;

	for (i = 0; i < end; i++) {
		const struct hull_df_instr *in = &b->df.v[i];
		hull_build_say(b, "Step %d/%d : %s", ++b->step, b->steps, in->original);
		if (in->kind == HULL_DF_FROM) {
			char *name = NULL;
			if (b->n_stages) { /* the stage before is done */
				struct hull_build_stage *st = &b->stages[b->n_stages - 1];
				st->built = true;
				st->has = c.has;
				if (c.has)
					hull_image_copy(&st->img, &c.img);
			}
			cur_free(&c);
			c.ed = (struct hull_imgedit){
				.escape = b->df.escape, .lookup = hull_build_arg_lookup, .ctx = &c};
			if (stage_from(b, &c, in, &name, err) < 0)
				goto out;
			b->stages = xrealloc(b->stages, (b->n_stages + 1) * sizeof(*b->stages));
			b->stages[b->n_stages++] = (struct hull_build_stage){.name = name};
			continue;
		}
		if (!b->n_stages) {
			if (declare_args(b, NULL, in, err) < 0)
				goto out;
			continue;
		}
		if (dispatch(b, &c, in, err) < 0) {
			hull_error_wrap(err, "Dockerfile line %d: %s", in->line, in->keyword);
			goto out;
		}
	}
	if (extra_labels(b, &c, err) < 0)
		goto out;
	if (!c.has) {
		hull_error(err, 0,
			   "no image was generated: the stage is FROM scratch with nothing "
			   "in it");
		goto out;
	}
	*image_id = xstrdup(c.img.config);
	/* the image built stays in the index */
	for (char **a = b->added; a && *a; a++)
		if (!strcmp(*a, c.img.manifest))
			(*a)[0] = '\0';
	rc = 0;
out:
	cur_free(&c);
	return rc;
}

static int read_dockerfile(const struct hull_build_opts *o, int ctxfd, char **text,
			   struct hull_err *err)
{
	if (o->dockerfile && !strcmp(o->dockerfile, "-"))
		return hull_read_fd(STDIN_FILENO, text, NULL, err);
	if (o->dockerfile)
		return hull_read_file(o->dockerfile, text, NULL, err);
	{
		cleanup_close int fd = openat(ctxfd, DEFAULT_DOCKERFILE, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			fd = openat(ctxfd, FALLBACK_DOCKERFILE, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return hull_error(err, errno,
					  "no Dockerfile or Containerfile in the context `%s` (-f "
					  "names one)",
					  o->context);
		return hull_read_fd(fd, text, NULL, err);
	}
}

static int parse_given(struct hull_build *b, struct hull_err *err)
{
	size_t n = hull_strv_len(b->o->build_args);
	b->given_used = xzalloc((n + 1) * sizeof(bool));
	for (size_t i = 0; i < n; i++) {
		const char *a = b->o->build_args[i], *eq = strchr(a, '=');
		cleanup_free char *name = eq ? strndup(a, (size_t)(eq - a)) : xstrdup(a);
		if (!*name)
			return hull_error(err, 0, "invalid --build-arg `%s` (NAME=VALUE)", a);
		/* NAME alone: our environment's value, or nothing */
		var_set(&b->given, &b->n_given, name, eq ? eq + 1 : getenv(name));
	}
	return 0;
}

int hull_build(const struct hull_engine *e, const struct hull_build_opts *o, char **image_id,
	       struct hull_err *err)
{
	struct hull_build b = {.e = e, .o = o, .ctxfd = -1, .journal_fd = -1};
	cleanup_free char *text = NULL;
	size_t end = 0;
	int rc = -1;

	if (o->isolation && strcmp(o->isolation, "container") && strcmp(o->isolation, "vm"))
		return hull_error(err, 0, "invalid --isolation `%s` (container or vm)",
				  o->isolation);
	if (hull_pull_policy_check(o->pull, o->platform, err) < 0 ||
	    hull_build_platform_args(&b, err) < 0)
		goto out_ctx;
	/* no context (`hull build -`): the Dockerfile alone, from standard input */
	if (!o->context && (!o->dockerfile || strcmp(o->dockerfile, "-")))
		return hull_error(err, 0, "no build context: the Dockerfile comes from stdin then");
	b.ctxfd = o->context ? open(o->context, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (o->context && b.ctxfd < 0)
		return hull_error(err, errno, "the build context `%s`", o->context);
	if (read_dockerfile(o, b.ctxfd, &text, err) < 0 ||
	    hull_dockerfile_parse(text, &b.df, err) < 0 ||
	    (o->context && hull_ignore_load(b.ctxfd, &b.ig, err) < 0) || parse_given(&b, err) < 0 ||
	    plan(&b, &end, err) < 0)
		goto out_ctx;
	if (hull_store_open(&b.s, e->root, false, err) < 0)
		goto out_ctx;
	hull_build_sweep(&b);
	if (hull_build_journal_open(&b, err) < 0) {
		hull_store_close(&b.s);
		goto out_ctx;
	}
	rc = run_stages(&b, end, image_id, err);
	hull_build_journal_close(&b);
	hull_store_close(&b.s);
	if (rc == 0) {
		cleanup_free char *unused = xstrdup("");
		for (size_t i = 0; i < b.n_given; i++)
			if (!b.given_used[i]) {
				char *n = hull_strfmt("%s%s%s", unused, *unused ? " " : "",
						      b.given[i].name);
				free(unused);
				unused = n;
			}
		if (*unused)
			hull_build_say(&b,
				       "[Warning] One or more build-args [%s] were not consumed",
				       unused);
	}
out_ctx:
	if (b.ctxfd >= 0)
		close(b.ctxfd);
	hull_dockerfile_free(&b.df);
	hull_ignore_free(&b.ig);
	vars_free(b.given, b.n_given);
	vars_free(b.globals, b.n_globals);
	vars_free(b.platform_args, b.n_platform_args);
	hull_strv_free(b.ensured);
	free(b.given_used);
	for (size_t i = 0; i < b.n_stages; i++) {
		free(b.stages[i].name);
		if (b.stages[i].has)
			hull_image_free(&b.stages[i].img);
	}
	free(b.stages);
	hull_strv_free(b.added);
	return rc;
}
