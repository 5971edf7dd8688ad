/* SPDX-License-Identifier: Apache-2.0 */
/* Unpacked layers in the store: layers/<chain hex>/ plus layers/<chain hex>.size, and
 * layers/<chain hex>.unsynced until it is known to be on disk (durable.c). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/durable.h"
#include "image/unpack.h"
#include "lib/util.h"

static int read_size(const char *dir, uint64_t *size)
{
	cleanup_free char *p = hull_strfmt("%s.size", dir);
	cleanup_free char *text = NULL;
	if (hull_read_file(p, &text, NULL, NULL) < 0)
		return -1;
	*size = strtoull(text, NULL, 10);
	return 0;
}

/* A layer made in an earlier boot and never synced (durable.c) is moved out of the way, to be
 * unpacked again; false if it could not be. */
static bool set_aside(struct hull_store *s, const char *dest)
{
	cleanup_free char *tmp = hull_store_mkdtemp(s, NULL);
	cleanup_free char *old = tmp ? hull_strfmt("%s/stale", tmp) : NULL;
	bool ok;
	int e;

	if (!tmp)
		return false;
	ok = rename(dest, old) == 0;
	e = errno;
	hull_remove_tree(tmp, NULL);
	errno = e;
	return ok;
}

int hull_layer_unpack(struct hull_store *s, const char *blob, const char *expect_diff_id,
		      const char *parent, char chain_id[HULL_DIGEST_SIZE], uint64_t *size,
		      struct hull_err *err)
{
	cleanup_free char *blob_path = hull_store_blob_path(s, blob);
	cleanup_free char *tmp = NULL, *dest = NULL, *sizefile = NULL, *num = NULL;
	cleanup_close int fd = -1;
	char diff_id[HULL_DIGEST_SIZE];
	struct stat st;
	uint64_t usize = 0;

	if (expect_diff_id) {
		hull_chain_id(parent, expect_diff_id, chain_id);
		dest = hull_store_layer_path(s, chain_id);
		if (stat(dest, &st) == 0 && read_size(dest, &usize) == 0) {
			if (!hull_layer_suspect(s, chain_id)) {
				if (size)
					*size = usize;
				return 0; /* shared with an image already here */
			}
			/* else made before a crash: unpacked again, and replaced below */
		}
		free(dest);
		dest = NULL;
	}
	fd = open(blob_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hull_error(err, errno, "layer %s: open `%s`", blob, blob_path);
	tmp = hull_store_mkdtemp(s, err);
	if (!tmp)
		return -1;
	chmod(tmp, 0755);
	if (hull_unpack_fd(fd, tmp, diff_id, &usize, &s->progress, blob, err) < 0) {
		hull_error_wrap(err, "layer %s", blob);
		goto fail;
	}
	if (expect_diff_id && strcmp(diff_id, expect_diff_id)) {
		hull_error(err, EBADMSG,
			   "layer %s: its content is %s, but the image config says diff_id %s",
			   blob, diff_id, expect_diff_id);
		goto fail;
	}
	hull_chain_id(parent, diff_id, chain_id);
	dest = hull_store_layer_path(s, chain_id);
	sizefile = hull_strfmt("%s.size", dest);
	num = hull_strfmt("%" PRIu64 "\n", usize);
	/* Published without waiting for the disk: the marker made first says, after a crash,
	 * that this layer may be torn (durable.c).  The rename makes a half-written layer
	 * impossible to see. */
	if (hull_layer_suspect(s, chain_id) && !set_aside(s, dest) && errno != ENOENT) {
		hull_error(err, errno, "layer %s: move aside `%s` (unpacked before a crash)", blob,
			   dest);
		goto fail;
	}
	if (hull_write_file_atomic(sizefile, num, strlen(num), 0644, err) < 0 ||
	    hull_layer_mark_unsynced(s, chain_id, err) < 0)
		goto fail;
	if (rename(tmp, dest) < 0) {
		/* another hull unpacked the same layer meanwhile: theirs is as good as ours */
		if (errno != EEXIST && errno != ENOTEMPTY) {
			hull_error(err, errno, "rename `%s` to `%s`", tmp, dest);
			goto fail;
		}
		hull_remove_tree(tmp, NULL);
	}
	if (size)
		*size = usize;
	return 0;
fail:
	hull_remove_tree(tmp, NULL);
	return -1;
}

void hull_layer_discard(struct hull_store *s, const char *chain_id)
{
	cleanup_free char *dest = hull_store_layer_path(s, chain_id);
	cleanup_free char *sizefile = hull_strfmt("%s.size", dest);
	cleanup_free char *marker = hull_strfmt("%s.unsynced", dest);

	/* the size file goes first: without it the layer does not count as there */
	unlink(sizefile);
	if (!set_aside(s, dest))
		hull_remove_tree(dest, NULL);
	unlink(marker);
}
