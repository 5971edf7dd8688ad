/* SPDX-License-Identifier: Apache-2.0 */
/* hull commit: the container's overlay upper directory written as a layer (image/
 * layer_write.c), its image's config edited (image/imgconfig.c, engine/imgedit.c), the new
 * image recorded.  The upper directory is read through fds, never following what the
 * container put there. */
#include "engine/commit.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "engine/imgedit.h"
#include "engine/ops.h"
#include "image/index.h"
#include "image/layer_write.h"
#include "image/ref.h"
#include "image/rootfs.h"
#include "lib/json.h"
#include "lib/util.h"

#define ROOTFS_KIND_OVERLAY "overlay"
#define ROOTFS_KIND_DIR	    "dir"

char **hull_commit_stubs(const char *config_json_path)
{
	cleanup_free char *text = NULL;
	cleanup_yajl_val yajl_val root = NULL;
	yajl_val mounts;
	char **out = NULL;

	if (hull_read_file(config_json_path, &text, NULL, NULL) < 0)
		return NULL;
	root = yajl_tree_parse(text, NULL, 0);
	mounts = sj_get(root, "mounts");
	for (size_t i = 0; mounts && YAJL_IS_ARRAY(mounts) && i < mounts->u.array.len; i++) {
		const char *d = hull_json_str(sj_get(mounts->u.array.values[i], "destination"));
		if (d)
			hull_strv_push(&out, d);
	}
	return out;
}

int hull_commit_tree(struct hull_store *s, int dirfd, char *const *stubs, const char *base,
		     struct hull_imgcfg *cfg, const char *created_by, const char *comment,
		     char *const *names, struct hull_image *out, struct hull_err *err)
{
	struct hull_layer_out layer;

	if (hull_layer_write_dir(s, dirfd, stubs, &layer, err) < 0)
		return hull_error_wrap(err, "write the layer");
	if (layer.entries)
		hull_strv_push(&cfg->diff_ids, layer.diff_id);
	hull_imgcfg_add_step(cfg, created_by, cfg->author, comment, layer.entries == 0);
	return hull_imgcfg_commit(s, cfg, base, layer.entries ? layer.blob : NULL, names, out, err);
}

/* docker commit's changes: the settings instructions, nothing that needs a build */
static int apply_changes(struct hull_imgcfg *cfg, char *const *changes, struct hull_err *err)
{
	struct hull_imgedit ed = {.cfg = cfg, .escape = '\\'};

	for (char *const *c = changes; c && *c; c++) {
		struct hull_df_instr in;
		int rc;
		if (hull_df_parse_line(*c, '\\', &in, err) < 0)
			return hull_error_wrap(err, "--change `%s`", *c);
		switch (in.kind) {
		case HULL_DF_CMD:
		case HULL_DF_ENTRYPOINT:
		case HULL_DF_ENV:
		case HULL_DF_EXPOSE:
		case HULL_DF_LABEL:
		case HULL_DF_ONBUILD:
		case HULL_DF_USER:
		case HULL_DF_VOLUME:
		case HULL_DF_WORKDIR:
		case HULL_DF_STOPSIGNAL:
			rc = hull_imgedit_apply(&ed, &in, err);
			break;
		default:
			rc = hull_error(
				err, 0,
				"%s is not a change commit can make (CMD, ENTRYPOINT, ENV, "
				"EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR, STOPSIGNAL)",
				in.keyword);
		}
		hull_df_instr_clear(&in);
		if (rc < 0)
			return hull_error_wrap(err, "--change `%s`", *c);
	}
	return 0;
}

/* the image the container was made from, and its config */
static int base_image(struct hull_store *s, const struct hull_ctr *c, struct hull_image *img,
		      struct hull_imgcfg *cfg, struct hull_err *err)
{
	struct hull_index idx;
	struct hull_image *found;
	cleanup_free char *text = NULL;

	if (hull_index_load(s, &idx, err) < 0)
		return -1;
	hull_err_clear(err);
	found = hull_index_find(&idx, c->image_id, err);
	if (found)
		hull_image_copy(img, found);
	hull_index_free(&idx);
	if (!found)
		return hull_error(err, ENOENT, "the image %s of container %.12s is gone",
				  c->image_id, c->id);
	if (hull_store_read_blob(s, img->config, &text, NULL, err) < 0 ||
	    hull_imgcfg_parse(text, cfg, err) < 0) {
		hull_image_free(img);
		return -1;
	}
	return 0;
}

static int commit_files(const struct hull_engine *e, const struct hull_ctr *c,
			const struct hull_commit_opts *o, char **image_id, struct hull_err *err)
{
	cleanup_free char *upper = hull_ctr_path(e, c->id, "upper");
	cleanup_free char *config = hull_ctr_path(e, c->id, "config.json");
	cleanup_free char *norm = NULL, *by = NULL;
	cleanup_strv char **stubs = NULL;
	cleanup_close int fd = -1;
	struct hull_image img = {0}, made = {0};
	struct hull_imgcfg cfg;
	struct hull_store s;
	char *names[2] = {NULL, NULL};
	int rc = -1;

	if (o->name && hull_ref_normalize(o->name, &norm, err) < 0)
		return -1;
	names[0] = norm;
	fd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hull_error(err, errno, "container %.12s: open its changes `%s`", c->id,
				  upper);
	stubs = hull_commit_stubs(config);
	if (hull_store_open(&s, e->root, false, err) < 0)
		return -1;
	if (base_image(&s, c, &img, &cfg, err) < 0)
		goto out_store;
	if (o->author) {
		free(cfg.author);
		cfg.author = xstrdup(o->author);
	}
	by = hull_strv_join(c->command, " ");
	if (apply_changes(&cfg, o->changes, err) < 0 ||
	    hull_commit_tree(&s, fd, stubs, img.manifest, &cfg, by, o->message, norm ? names : NULL,
			     &made, err) < 0)
		goto out;
	*image_id = xstrdup(made.config);
	rc = 0;
out:
	hull_image_free(&made);
	hull_image_free(&img);
	hull_imgcfg_free(&cfg);
out_store:
	hull_store_close(&s);
	return rc;
}

int hull_ctr_commit(const struct hull_engine *e, const char *ref, const struct hull_commit_opts *o,
		    char **image_id, struct hull_err *err)
{
	struct hull_ctr *c = NULL;
	struct hull_err uerr = {0};
	bool paused = false;
	pid_t pid;
	int rc = -1;

	if (hull_ctr_lookup(e, ref, &c, err) < 0)
		return -1;
	if (!c->rootfs_kind || !strcmp(c->rootfs_kind, ROOTFS_KIND_DIR) || !c->image_id ||
	    !*c->image_id) {
		hull_error(err, 0,
			   "container %s has no image (it runs on a --rootfs directory): there is "
			   "nothing to commit it on",
			   c->name);
		goto out;
	}
	if (strcmp(c->rootfs_kind, ROOTFS_KIND_OVERLAY)) {
		hull_error(err, 0,
			   "container %s: its rootfs is a copy (no overlayfs here), so its changes "
			   "are not known",
			   c->name);
		goto out;
	}
	if (o->pause && hull_ctr_status(e, c, &pid) == HULL_RUNNING) {
		if (hull_ctr_pause(e, c, err) < 0)
			goto out;
		paused = true;
	}
	rc = commit_files(e, c, o, image_id, err);
	if (paused && hull_ctr_unpause(e, c, &uerr) < 0 && rc == 0) {
		*err = uerr;
		rc = -1;
	}
out:
	hull_ctr_free(c);
	return rc;
}
