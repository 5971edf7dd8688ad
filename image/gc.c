/* SPDX-License-Identifier: Apache-2.0 */
#include "image/gc.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/file.h>

#include "image/index.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "lib/util.h"

struct set {
	char **v;
	size_t n;
};

static void set_add(struct set *s, const char *hex)
{
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(char *));
	s->v[s->n++] = xstrdup(hex);
}

static bool set_has(const struct set *s, const char *hex)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], hex))
			return true;
	return false;
}

static void set_free(struct set *s)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* containers/<id>/layers: the chain IDs (one a line) a container's rootfs stands on */
static void container_layers(const struct hull_store *s, struct set *layers)
{
	cleanup_free char *dir = hull_strfmt("%s/containers", s->root);
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		cleanup_free char *p = hull_strfmt("%s/%s/layers", dir, de->d_name);
		cleanup_free char *text = NULL;
		char *line, *save = NULL;
		if (de->d_name[0] == '.' || hull_read_file(p, &text, NULL, NULL) < 0)
			continue;
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (hull_digest_valid(line))
				set_add(layers, hull_digest_hex(line));
	}
	closedir(d);
}

/* build-cache/<key>: the manifest a build step made (engine/build_cache.c); it keeps its
 * blobs (unpacked layers are made again from them) until `hull builder prune` */
static void build_cache_blobs(const struct hull_store *s, struct set *blobs)
{
	cleanup_free char *dir = hull_strfmt("%s/build-cache", s->dir);
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		cleanup_free char *p = hull_strfmt("%s/%s", dir, de->d_name);
		cleanup_free char *digest = NULL, *text = NULL;
		struct hull_manifest m;
		if (de->d_name[0] == '.' || hull_read_file(p, &digest, NULL, NULL) < 0)
			continue;
		digest[strcspn(digest, "\n")] = '\0';
		if (!hull_digest_valid(digest) ||
		    hull_store_read_blob(s, digest, &text, NULL, NULL) < 0 ||
		    hull_manifest_parse(text, &m, NULL) < 0)
			continue;
		set_add(blobs, hull_digest_hex(digest));
		set_add(blobs, hull_digest_hex(m.config.digest));
		for (size_t i = 0; i < m.n_layers; i++)
			set_add(blobs, hull_digest_hex(m.layers[i].digest));
		hull_manifest_free(&m);
	}
	if (d)
		closedir(d);
}

static int sweep(const char *dir, const struct set *keep, bool layers, struct hull_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : hull_error(err, errno, "open `%s`", dir);
	while ((de = readdir(d))) {
		cleanup_free char *name = xstrdup(de->d_name);
		cleanup_free char *p = NULL;
		char *dot;
		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		/* <hex>.size and <hex>.unsynced go with their layer */
		dot = layers ? strchr(name, '.') : NULL;
		if (dot)
			*dot = '\0';
		if (keep && set_has(keep, name))
			continue;
		p = hull_strfmt("%s/%s", dir, de->d_name);
		if (hull_remove_tree(p, err) < 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int hull_store_gc(struct hull_store *s, struct hull_err *err)
{
	struct set blobs = {0}, layers = {0};
	struct hull_index idx;
	cleanup_free char *bdir = hull_strfmt("%s/blobs/sha256", s->dir);
	cleanup_free char *ldir = hull_strfmt("%s/layers", s->dir);
	cleanup_free char *tdir = hull_strfmt("%s/tmp", s->dir);
	size_t i, j;
	int rc = -1;

	if (!s->exclusive)
		return hull_error(err, 0, "garbage collection needs the store's exclusive lock");
	if (hull_index_load(s, &idx, err) < 0)
		return -1;
	for (i = 0; i < idx.n; i++) {
		cleanup_free char *text = NULL;
		struct hull_manifest m;
		set_add(&blobs, hull_digest_hex(idx.v[i].manifest));
		set_add(&blobs, hull_digest_hex(idx.v[i].config));
		for (j = 0; idx.v[i].layers[j]; j++)
			set_add(&layers, hull_digest_hex(idx.v[i].layers[j]));
		/* an unreadable manifest keeps everything: better a leak than a lost layer */
		if (hull_store_read_blob(s, idx.v[i].manifest, &text, NULL, err) < 0 ||
		    hull_manifest_parse(text, &m, err) < 0)
			goto out;
		for (j = 0; j < m.n_layers; j++)
			set_add(&blobs, hull_digest_hex(m.layers[j].digest));
		hull_manifest_free(&m);
	}
	container_layers(s, &layers);
	build_cache_blobs(s, &blobs);
	rc = 0;
	if (sweep(bdir, &blobs, false, err) < 0 || sweep(ldir, &layers, true, err) < 0 ||
	    sweep(tdir, NULL, false, err) < 0)
		rc = -1;
out:
	set_free(&blobs);
	set_free(&layers);
	hull_index_free(&idx);
	return rc;
}

void hull_store_tidy_tmp(struct hull_store *s)
{
	cleanup_free char *tdir = hull_strfmt("%s/tmp", s->dir);

	if (!s->exclusive && flock(s->lockfd, LOCK_EX | LOCK_NB) < 0)
		return;
	sweep(tdir, NULL, false, NULL);
	/* not atomic on Linux: a hull waiting for the exclusive lock may come first; this one
	 * then waits its turn, as it would have at open */
	if (!s->exclusive)
		while (flock(s->lockfd, LOCK_SH) < 0 && errno == EINTR)
			;
}

/* Names of containers whose rootfs stands on the image's top layer. */
static bool image_in_use(const struct hull_store *s, const struct hull_image *img)
{
	struct set used = {0};
	size_t n = hull_strv_len(img->layers);
	bool r;
	if (!n)
		return false;
	container_layers(s, &used);
	r = set_has(&used, hull_digest_hex(img->layers[n - 1]));
	set_free(&used);
	return r;
}

int hull_image_remove(struct hull_store *s, const char *ref, bool force, char ***untagged,
		      char ***deleted, struct hull_err *err)
{
	struct hull_index idx;
	struct hull_image *img;
	cleanup_free char *name = NULL, *config = NULL;
	size_t i, names = 0, others = 0;
	bool by_name;
	int rc = -1;

	*untagged = xzalloc(sizeof(char *));
	*deleted = xzalloc(sizeof(char *));
	hull_err_clear(err);
	if (hull_index_lock(s, &idx, err) < 0)
		return -1;
	img = hull_index_find(&idx, ref, err);
	if (!img) {
		if (!err || !err->msg[0])
			hull_error(err, 0, "No such image: %s", ref);
		goto out;
	}
	/* a name (normalized as stored) untags only that name while others remain */
	by_name = hull_ref_normalize(ref, &name, NULL) == 0 && hull_image_untag(img, name);
	if (by_name) {
		hull_strv_push(untagged, name);
		if (hull_strv_len(img->names) > 0) {
			rc = hull_index_save(s, &idx, err);
			goto out;
		}
	}
	/* by ID: every record of that config (the same image under other manifests) goes */
	config = xstrdup(img->config);
	for (i = 0; i < idx.n; i++)
		if (!strcmp(idx.v[i].config, config)) {
			names += hull_strv_len(idx.v[i].names);
			others++;
		}
	if (!by_name && names > 1 && !force) {
		hull_error(err, 0,
			   "conflict: unable to delete %.12s (must be forced) - image is "
			   "referenced in multiple repositories",
			   config + 7);
		goto out;
	}
	if (image_in_use(s, img) && !force) {
		hull_error(err, 0,
			   "conflict: unable to remove repository reference `%s` (must force) - "
			   "a container is using its image %.12s",
			   ref, config + 7);
		goto out;
	}
	if (by_name) {
		hull_index_remove(&idx, img);
		others--;
	} else {
		for (i = idx.n; i > 0; i--) {
			struct hull_image *r = &idx.v[i - 1];
			if (strcmp(r->config, config))
				continue;
			for (char **n = r->names; *n; n++)
				hull_strv_push(untagged, *n);
			hull_index_remove(&idx, r);
		}
		others = 0;
	}
	if (!others)
		hull_strv_push(deleted, config);
	if (hull_index_save(s, &idx, err) < 0)
		goto out;
	rc = hull_store_gc(s, err);
out:
	hull_index_free(&idx);
	return rc;
}
