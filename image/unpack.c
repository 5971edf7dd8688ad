/* SPDX-License-Identifier: Apache-2.0 */
#include "image/echo.h"
#include "image/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "image/extract.h"
#include "image/whiteout.h"
#include "lib/util.h"

#define BUF_SIZE (1 << 17)

/* The tar reader pulls its bytes through this from the decompressing reader, so the diff ID
 * is hashed in the same single pass that unpacks the layer. */
struct feed {
	struct archive *raw;
	struct hull_sha256 *h;
	uint64_t size;
	const struct hull_progress *progress;
	const char *what;
	uint64_t reported;
	bool ended; /* the uncompressed stream is over */
};

/* One block of the uncompressed stream, hashed; the block is libarchive's own buffer (no
 * copy), valid until the next call.  0 at the end. */
static la_ssize_t feed_block(struct feed *f, const void **out)
{
	size_t n;
	la_int64_t off;
	int r = archive_read_data_block(f->raw, out, &n, &off);
	if (r == ARCHIVE_EOF) {
		f->ended = true;
		return 0;
	}
	if (r != ARCHIVE_OK)
		return -1;
	hull_sha256_update(f->h, *out, n);
	f->size += n;
	if (f->progress && f->progress->fn && f->size - f->reported >= (1 << 20)) {
		f->reported = f->size;
		f->progress->fn(f->progress->ctx, f->what, f->size, 0);
	}
	return (la_ssize_t)n;
}

static la_ssize_t feed_read(struct archive *a, void *ctx, const void **out)
{
	struct feed *f = ctx;
	la_ssize_t n = feed_block(f, out);
	if (n < 0)
		archive_set_error(a, archive_errno(f->raw), "%s", archive_error_string(f->raw));
	return n;
}

static int extract_entry(struct archive *tar, struct hull_extract *x, struct archive_entry *e,
			 struct hull_err *err)
{
	const char *name = archive_entry_pathname(e);
	const char *link = archive_entry_hardlink(e);
	cleanup_free char *path = NULL, *target = NULL, *lpath = NULL;
	enum hull_wh_kind kind;

	if (!name)
		return hull_error(err, EINVAL, "layer entry without a name");
	if (hull_layer_path_clean(name, &path, err) < 0)
		return hull_error_wrap(err, "layer entry refused");
	kind = hull_whiteout_classify(path, &target, err);
	if (kind == HULL_WH_ERROR)
		return hull_error_wrap(err, "layer entry refused");
	if (kind == HULL_WH_RESERVED)
		return 0;
	if (kind != HULL_WH_NONE)
		return hull_extract_whiteout(x, kind, target, name, err);
	if (link && hull_layer_path_clean(link, &lpath, err) < 0)
		return hull_error_wrap(err, "layer entry `%s`: hard link refused", ECHO(name));
	return hull_extract_entry(x, tar, e, path, lpath, name, err);
}

static int unpack_stream(struct feed *f, int rootfd, struct hull_err *err)
{
	struct archive *tar = archive_read_new();
	struct hull_extract *x = hull_extract_new(rootfd);
	struct archive_entry *e;
	int r, rc = -1;

	archive_read_support_format_tar(tar);
	archive_read_support_format_empty(tar);
	if (archive_read_open(tar, f, NULL, feed_read, NULL) != ARCHIVE_OK) {
		hull_error(err, archive_errno(tar), "read the layer: %s",
			   archive_error_string(tar));
		goto out;
	}
	hull_extract_watch_end(x, &f->ended);
	while ((r = archive_read_next_header(tar, &e)) == ARCHIVE_OK) {
		if (extract_entry(tar, x, e, err) < 0)
			goto out;
		/* the stream ended in the last entry's padding: that was the last entry */
		if (hull_extract_tail_missing(x)) {
			r = ARCHIVE_EOF;
			break;
		}
	}
	if (r != ARCHIVE_EOF) {
		hull_error(err, archive_errno(tar) > 0 ? archive_errno(tar) : EINVAL,
			   "read the layer: %s", archive_error_string(tar));
		goto out;
	}
	rc = hull_extract_finish(x, err);
out:
	archive_read_free(tar);
	hull_extract_free(x);
	return rc;
}

int hull_unpack_fd(int fd, const char *dest, char diff_id[HULL_DIGEST_SIZE], uint64_t *size,
		   const struct hull_progress *progress, const char *what, struct hull_err *err)
{
	struct archive *raw = archive_read_new();
	struct archive_entry *e;
	cleanup_close int rootfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct feed f = {.raw = raw, .progress = progress, .what = what};
	const void *rest;
	la_ssize_t n;
	int rc = -1;

	if (rootfd < 0) {
		archive_read_free(raw);
		return hull_error(err, errno, "open `%s`", dest);
	}
	archive_read_support_filter_all(raw);
	archive_read_support_format_raw(raw);
	if (archive_read_open_fd(raw, fd, BUF_SIZE) != ARCHIVE_OK ||
	    archive_read_next_header(raw, &e) != ARCHIVE_OK) {
		hull_error(err, archive_errno(raw) > 0 ? archive_errno(raw) : EINVAL,
			   "read the layer: %s", archive_error_string(raw));
		archive_read_free(raw);
		return -1;
	}
	f.h = hull_sha256_new();
	rc = unpack_stream(&f, rootfd, err);
	/* the end-of-archive blocks and padding after them are part of the diff ID too */
	while (rc == 0 && (n = feed_block(&f, &rest)) != 0)
		if (n < 0)
			rc = hull_error(err, EINVAL, "read the layer: %s",
					archive_error_string(raw));
	if (rc == 0) {
		hull_sha256_final(f.h, diff_id);
		f.h = NULL;
		if (size)
			*size = f.size;
	}
	hull_sha256_free(f.h);
	archive_read_free(raw);
	return rc;
}

void hull_chain_id(const char *parent, const char *diff_id, char out[HULL_DIGEST_SIZE])
{
	cleanup_free char *s = NULL;
	if (!parent) {
		memcpy(out, diff_id, HULL_DIGEST_SIZE);
		return;
	}
	s = hull_strfmt("%s %s", parent, diff_id);
	hull_sha256_buf(s, strlen(s), out);
}
