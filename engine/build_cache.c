/* SPDX-License-Identifier: Apache-2.0 */
/* The build cache: images/build-cache/<key hex> holds the manifest digest of the image a
 * step made from its parent.  The key is sha256 of the parent image ID, the instruction as
 * expanded, and what else decides the result (the checksum of the files COPY and ADD take, the
 * build args RUN sees), as docker's classic builder keys its cache.  Garbage collection keeps
 * what the entries name (image/gc.c); `hull builder prune` drops them. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "engine/build.h"
#include "engine/build_int.h"
#include "image/gc.h"
#include "image/manifest.h"
#include "lib/util.h"

#define CACHE_DIR      "build-cache"
#define JOURNAL_PREFIX ".inflight-"

void hull_build_cache_key(const char *parent, const char *instr, const char *extra,
			  char out[HULL_DIGEST_SIZE])
{
	struct hull_sha256 *h = hull_sha256_new();
	hull_sha256_update(h, parent ? parent : "scratch", strlen(parent ? parent : "scratch") + 1);
	hull_sha256_update(h, instr, strlen(instr) + 1);
	hull_sha256_update(h, extra ? extra : "", strlen(extra ? extra : "") + 1);
	hull_sha256_final(h, out);
}

static char *entry_path(const struct hull_store *s, const char *key)
{
	return hull_strfmt("%s/" CACHE_DIR "/%s", s->dir, hull_digest_hex(key));
}

int hull_build_cache_get(struct hull_store *s, const char *key, char manifest[HULL_DIGEST_SIZE])
{
	cleanup_free char *p = entry_path(s, key), *text = NULL, *mtext = NULL;
	struct hull_manifest m;
	bool whole;

	if (hull_read_file(p, &text, NULL, NULL) < 0)
		return -1;
	text[strcspn(text, "\n")] = '\0';
	if (!hull_digest_valid(text) || hull_store_read_blob(s, text, &mtext, NULL, NULL) < 0 ||
	    hull_manifest_parse(mtext, &m, NULL) < 0)
		return -1;
	/* an entry is only as good as the blobs it names */
	whole = hull_store_has_blob(s, m.config.digest);
	for (size_t i = 0; whole && i < m.n_layers; i++)
		whole = hull_store_has_blob(s, m.layers[i].digest);
	hull_manifest_free(&m);
	if (!whole)
		return -1;
	snprintf(manifest, HULL_DIGEST_SIZE, "%s", text);
	return 0;
}

void hull_build_cache_put(struct hull_store *s, const char *key, const char *manifest)
{
	cleanup_free char *dir = hull_strfmt("%s/" CACHE_DIR, s->dir);
	cleanup_free char *p = entry_path(s, key);
	cleanup_free char *text = hull_strfmt("%s\n", manifest);

	/* best effort: a step not cached is made again next time */
	if (hull_mkdir_p(dir, 0700, NULL) == 0)
		hull_write_file_atomic(p, text, strlen(text), 0600, NULL);
}

int hull_build_cache_prune(const struct hull_engine *e, size_t *removed, struct hull_err *err)
{
	struct hull_store s;
	cleanup_free char *dir = NULL;
	cleanup_dir DIR *d = NULL;
	struct dirent *de;
	int rc;

	*removed = 0;
	if (hull_store_open(&s, e->root, true, err) < 0)
		return -1;
	dir = hull_strfmt("%s/" CACHE_DIR, s.dir);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		cleanup_free char *p = NULL;
		if (de->d_name[0] == '.')
			continue;
		p = hull_strfmt("%s/%s", dir, de->d_name);
		if (unlink(p) == 0)
			(*removed)++;
	}
	rc = hull_store_gc(&s, err);
	hull_store_close(&s);
	return rc;
}

/* the step images of list leave the index, unless they have names (a tag took them) */
static void drop_manifests(struct hull_store *s, char *const *list)
{
	struct hull_index idx;
	bool changed = false;

	if (!list || !*list || hull_index_lock(s, &idx, NULL) < 0)
		return;
	for (char *const *a = list; *a; a++) {
		struct hull_image *img = **a ? hull_index_find(&idx, *a, NULL) : NULL;
		if (img && !hull_strv_len(img->names)) {
			hull_index_remove(&idx, img);
			changed = true;
		}
	}
	if (changed)
		hull_index_save(s, &idx, NULL);
	hull_index_free(&idx);
}

int hull_build_journal_open(struct hull_build *b, struct hull_err *err)
{
	cleanup_free char *dir = hull_strfmt("%s/" CACHE_DIR, b->s.dir);
	cleanup_free char *rid = hull_ctr_new_id();

	if (hull_mkdir_p(dir, 0700, err) < 0)
		return -1;
	b->journal = hull_strfmt("%s/" JOURNAL_PREFIX "%.12s", dir, rid);
	b->journal_fd = open(b->journal, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (b->journal_fd < 0 || flock(b->journal_fd, LOCK_EX) < 0) {
		hull_error(err, errno, "make `%s`", b->journal);
		if (b->journal_fd >= 0) {
			close(b->journal_fd);
			unlink(b->journal);
		}
		b->journal_fd = -1;
		free(b->journal);
		b->journal = NULL;
		return -1;
	}
	return 0;
}

void hull_build_added(struct hull_build *b, const char *manifest)
{
	cleanup_free char *line = hull_strfmt("%s\n", manifest);
	hull_strv_push(&b->added, manifest);
	/* written before the build goes on: a kill -9 later still finds it */
	if (b->journal_fd >= 0)
		hull_write_all(b->journal_fd, line, strlen(line));
}

void hull_build_journal_close(struct hull_build *b)
{
	drop_manifests(&b->s, b->added);
	if (b->journal) {
		unlink(b->journal);
		close(b->journal_fd);
	}
	b->journal_fd = -1;
	free(b->journal);
	b->journal = NULL;
}

void hull_build_journal_sweep(struct hull_build *b)
{
	cleanup_free char *dir = hull_strfmt("%s/" CACHE_DIR, b->s.dir);
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		cleanup_free char *p = NULL, *text = NULL;
		cleanup_strv char **list = NULL;
		cleanup_close int fd = -1;
		char *save = NULL;
		if (!hull_has_prefix(de->d_name, JOURNAL_PREFIX))
			continue;
		p = hull_strfmt("%s/%s", dir, de->d_name);
		fd = open(p, O_RDONLY | O_CLOEXEC);
		/* its build holds the lock while it runs */
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0 ||
		    hull_read_fd(fd, &text, NULL, NULL) < 0)
			continue;
		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			if (hull_digest_valid(l))
				hull_strv_push(&list, l);
		drop_manifests(&b->s, list);
		unlink(p);
	}
}
