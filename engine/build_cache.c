/* The build cache: images/build-cache/<key hex> holds the manifest digest of the image a
 * step made from its parent.  The key is sha256 of the parent image ID, the instruction as
 * expanded, and what else decides the result (the checksum of the files COPY and ADD take, the
 * build args RUN sees), as docker's classic builder keys its cache.  Garbage collection keeps
 * what the entries name (image/gc.c); `hull builder prune` drops them. */
#include <errno.h>
#include <string.h>

#include "engine/build.h"
#include "engine/build_int.h"
#include "image/gc.h"
#include "image/manifest.h"
#include "lib/util.h"

#define CACHE_DIR "build-cache"

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
