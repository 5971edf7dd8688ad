/* SPDX-License-Identifier: Apache-2.0 */
#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"

int hull_store_open(struct hull_store *s, const char *root, bool exclusive, struct hull_err *err)
{
	static const char *const sub[] = {"blobs/sha256", "layers", "tmp"};
	cleanup_free char *lock = NULL;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->lockfd = -1;
	s->root = xstrdup(root);
	s->dir = hull_strfmt("%s/images", root);
	for (i = 0; i < ARRAY_SIZE(sub); i++) {
		cleanup_free char *p = hull_strfmt("%s/%s", s->dir, sub[i]);
		if (hull_mkdir_p(p, 0700, err) < 0)
			goto fail;
	}
	lock = hull_strfmt("%s/lock", s->dir);
	s->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lockfd < 0) {
		hull_error(err, errno, "open the image store lock `%s`", lock);
		goto fail;
	}
	while (flock(s->lockfd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		if (errno != EINTR) {
			hull_error(err, errno, "lock the image store `%s`", lock);
			goto fail;
		}
	}
	s->exclusive = exclusive;
	return 0;
fail:
	hull_store_close(s);
	return -1;
}

void hull_store_close(struct hull_store *s)
{
	if (s->lockfd >= 0)
		close(s->lockfd);
	s->lockfd = -1;
	free(s->root);
	free(s->dir);
	s->root = s->dir = NULL;
}

int hull_store_try_exclusive(struct hull_store *s, struct hull_err *err)
{
	if (s->exclusive)
		return 1;
	if (flock(s->lockfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return 0;
		return hull_error(err, errno, "lock the image store `%s`", s->dir);
	}
	s->exclusive = true;
	return 1;
}

char *hull_store_blob_path(const struct hull_store *s, const char *digest)
{
	return hull_strfmt("%s/blobs/sha256/%s", s->dir, hull_digest_hex(digest));
}

char *hull_store_layer_path(const struct hull_store *s, const char *chain_id)
{
	return hull_strfmt("%s/layers/%s", s->dir, hull_digest_hex(chain_id));
}

int hull_store_blob_size(const struct hull_store *s, const char *digest, uint64_t *size,
			 struct hull_err *err)
{
	cleanup_free char *p = NULL;
	struct stat st;

	if (hull_digest_check(digest, "blob", err) < 0)
		return -1;
	p = hull_store_blob_path(s, digest);
	if (stat(p, &st) < 0)
		return hull_error(err, errno, "blob %s", digest);
	*size = (uint64_t)st.st_size;
	return 0;
}

bool hull_store_has_blob(const struct hull_store *s, const char *digest)
{
	cleanup_free char *p = NULL;
	if (!hull_digest_valid(digest))
		return false;
	p = hull_store_blob_path(s, digest);
	return access(p, F_OK) == 0;
}

char *hull_store_mkdtemp(struct hull_store *s, struct hull_err *err)
{
	char *p = hull_strfmt("%s/tmp/XXXXXX", s->dir);
	if (!mkdtemp(p)) {
		hull_error(err, errno, "make a temporary directory in `%s/tmp`", s->dir);
		free(p);
		return NULL;
	}
	return p;
}

struct hull_blob_writer {
	struct hull_store *s;
	char *tmp;
	int fd;
	struct hull_sha256 *h;
	uint64_t size;
};

struct hull_blob_writer *hull_blob_begin(struct hull_store *s, struct hull_err *err)
{
	struct hull_blob_writer *w = xzalloc(sizeof(*w));
	w->s = s;
	w->tmp = hull_strfmt("%s/tmp/blob-XXXXXX", s->dir);
	w->fd = mkostemp(w->tmp, O_CLOEXEC);
	if (w->fd < 0) {
		hull_error(err, errno, "create a blob in `%s/tmp`", s->dir);
		free(w->tmp);
		free(w);
		return NULL;
	}
	w->h = hull_sha256_new();
	return w;
}

int hull_blob_write(struct hull_blob_writer *w, const void *data, size_t len, struct hull_err *err)
{
	if (hull_write_all(w->fd, data, len) < 0)
		return hull_error(err, errno, "write `%s`", w->tmp);
	hull_sha256_update(w->h, data, len);
	w->size += len;
	return 0;
}

void hull_blob_abort(struct hull_blob_writer *w)
{
	if (!w)
		return;
	close(w->fd);
	unlink(w->tmp);
	free(w->tmp);
	hull_sha256_free(w->h);
	free(w);
}

int hull_blob_commit(struct hull_blob_writer *w, const char *expect, char out[HULL_DIGEST_SIZE],
		     uint64_t *size, struct hull_err *err)
{
	char got[HULL_DIGEST_SIZE];
	cleanup_free char *dest = NULL;
	int rc = -1;

	hull_sha256_final(w->h, got);
	w->h = NULL;
	if (expect && strcmp(expect, got)) {
		hull_error(err, EBADMSG, "digest mismatch: expected %s, content is %s", expect,
			   got);
		goto out;
	}
	/* blobs are immutable once named: the rename is what makes a blob exist, so a crash
	 * leaves only a temp file that garbage collection removes */
	if (fchmod(w->fd, 0444) < 0 || fsync(w->fd) < 0) {
		hull_error(err, errno, "write `%s`", w->tmp);
		goto out;
	}
	dest = hull_store_blob_path(w->s, got);
	if (rename(w->tmp, dest) < 0) {
		hull_error(err, errno, "rename `%s` to `%s`", w->tmp, dest);
		goto out;
	}
	if (out)
		memcpy(out, got, HULL_DIGEST_SIZE);
	if (size)
		*size = w->size;
	rc = 0;
out:
	hull_blob_abort(w);
	return rc;
}

int hull_store_put_blob(struct hull_store *s, const void *data, size_t len, const char *expect,
			char out[HULL_DIGEST_SIZE], struct hull_err *err)
{
	struct hull_blob_writer *w = hull_blob_begin(s, err);
	if (!w)
		return -1;
	if (hull_blob_write(w, data, len, err) < 0) {
		hull_blob_abort(w);
		return -1;
	}
	return hull_blob_commit(w, expect, out, NULL, err);
}

int hull_store_put_fd(struct hull_store *s, int fd, const char *name, const char *expect,
		      char out[HULL_DIGEST_SIZE], uint64_t *size, struct hull_err *err)
{
	struct hull_blob_writer *w = hull_blob_begin(s, err);
	cleanup_free char *buf = xmalloc(1 << 17);
	struct stat st;
	uint64_t total = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;

	if (!w)
		return -1;
	for (;;) {
		ssize_t n = read(fd, buf, 1 << 17);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hull_error(err, errno, "read `%s`", name ? name : "input");
			hull_blob_abort(w);
			return -1;
		}
		if (n == 0)
			break;
		if (hull_blob_write(w, buf, n, err) < 0) {
			hull_blob_abort(w);
			return -1;
		}
		if (s->progress.fn && name)
			s->progress.fn(s->progress.ctx, name, w->size, total);
	}
	if (hull_blob_commit(w, expect, out, size, err) < 0)
		return name ? hull_error_wrap(err, "`%s`", name) : -1;
	return 0;
}

int hull_store_read_blob(const struct hull_store *s, const char *digest, char **data, size_t *len,
			 struct hull_err *err)
{
	cleanup_free char *p = NULL;
	char got[HULL_DIGEST_SIZE];
	size_t n;

	if (hull_digest_check(digest, "blob", err) < 0)
		return -1;
	p = hull_store_blob_path(s, digest);
	if (hull_read_file(p, data, &n, err) < 0)
		return hull_error_wrap(err, "blob %s", digest);
	hull_sha256_buf(*data, n, got);
	if (strcmp(got, digest)) {
		free(*data);
		*data = NULL;
		return hull_error(err, EBADMSG, "blob %s is corrupt (content is %s)", digest, got);
	}
	if (len)
		*len = n;
	return 0;
}
