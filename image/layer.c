/* Unpacked layers in the store: layers/<chain hex>/ plus layers/<chain hex>.size. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/util.h"
#include "unpack.h"

static int read_size(const char *dir, uint64_t *size)
{
	cleanup_free char *p = hull_strfmt("%s.size", dir);
	cleanup_free char *text = NULL;
	if (hull_read_file(p, &text, NULL, NULL) < 0)
		return -1;
	*size = strtoull(text, NULL, 10);
	return 0;
}

/* A second thread flushes the layer to disk while it is written, so the syncfs that makes it
 * durable at the end finds little left to write (the disk works while the unpack does). */
struct flusher {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fd;
	bool done, running;
};

static void *flush_loop(void *arg)
{
	struct flusher *f = arg;
	struct timespec ts;

	pthread_mutex_lock(&f->mu);
	while (!f->done) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 250 * 1000 * 1000;
		if (ts.tv_nsec >= 1000 * 1000 * 1000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000 * 1000 * 1000;
		}
		if (pthread_cond_timedwait(&f->cv, &f->mu, &ts) != ETIMEDOUT || f->done)
			continue;
		pthread_mutex_unlock(&f->mu);
		syncfs(f->fd); /* best effort: the last syncfs is the one checked */
		pthread_mutex_lock(&f->mu);
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

static void flusher_start(struct flusher *f, int fd)
{
	pthread_condattr_t ca;

	f->fd = fd;
	f->done = false;
	pthread_mutex_init(&f->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&f->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* without the thread the layer is still synced, only later */
	f->running = fd >= 0 && pthread_create(&f->thread, NULL, flush_loop, f) == 0;
}

static void flusher_stop(struct flusher *f)
{
	if (f->running) {
		pthread_mutex_lock(&f->mu);
		f->done = true;
		pthread_cond_signal(&f->cv);
		pthread_mutex_unlock(&f->mu);
		pthread_join(f->thread, NULL);
	}
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
}

int hull_layer_unpack(struct hull_store *s, const char *blob, const char *expect_diff_id,
		      const char *parent, char chain_id[HULL_DIGEST_SIZE], uint64_t *size,
		      struct hull_err *err)
{
	cleanup_free char *blob_path = hull_store_blob_path(s, blob);
	cleanup_free char *tmp = NULL, *dest = NULL, *sizefile = NULL, *num = NULL;
	cleanup_close int fd = -1, tmpfd = -1;
	struct flusher fl;
	int rc;
	char diff_id[HULL_DIGEST_SIZE];
	struct stat st;
	uint64_t usize = 0;

	if (expect_diff_id) {
		hull_chain_id(parent, expect_diff_id, chain_id);
		dest = hull_store_layer_path(s, chain_id);
		if (stat(dest, &st) == 0 && read_size(dest, &usize) == 0) {
			if (size)
				*size = usize;
			return 0; /* shared with an image already here */
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
	tmpfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	flusher_start(&fl, tmpfd);
	rc = hull_unpack_fd(fd, tmp, diff_id, &usize, &s->progress, blob, err);
	flusher_stop(&fl);
	if (rc < 0) {
		hull_error_wrap(err, "layer %s", blob);
		goto fail;
	}
	if (expect_diff_id && strcmp(diff_id, expect_diff_id)) {
		hull_error(err, EBADMSG,
			   "layer %s: its content is %s, but the image config says diff_id %s",
			   blob, diff_id, expect_diff_id);
		goto fail;
	}
	/* The rename below publishes the layer for every later image that shares it, and it is
	 * never unpacked again: its data must be on disk first, or a crash could leave a layer
	 * of empty files that passes for complete.  One syncfs costs less than an fsync per
	 * file; the rename makes a half-written layer impossible to see. */
	if (tmpfd < 0 || syncfs(tmpfd) < 0) {
		hull_error(err, errno, "sync `%s`", tmp);
		goto fail;
	}
	hull_chain_id(parent, diff_id, chain_id);
	dest = hull_store_layer_path(s, chain_id);
	sizefile = hull_strfmt("%s.size", dest);
	num = hull_strfmt("%" PRIu64 "\n", usize);
	if (hull_write_file_atomic(sizefile, num, strlen(num), 0644, err) < 0)
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
