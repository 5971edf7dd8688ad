#include "writepool.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "runtime/util.h"

#define MAX_THREADS 3
/* Bytes queued and not yet written: enough to keep the workers busy across many small files,
 * small enough not to matter next to the page cache the files end up in anyway. */
#define MAX_INFLIGHT (64u << 20)
/* Files above this are written by the unpacking thread, without a copy. */
#define MAX_FILE (MAX_INFLIGHT / 4)

struct hull_wpool {
	pthread_mutex_t mu;
	pthread_cond_t work; /* a job was queued, or stop */
	pthread_cond_t done; /* a job finished: room in flight, or maybe all idle */
	struct hull_wjob *head, *tail;
	size_t inflight; /* bytes of queued and running jobs */
	unsigned running, nthreads;
	bool stop, failed, root;
	struct hull_err err;
	pthread_t threads[MAX_THREADS];
};

void hull_wjob_free(struct hull_wjob *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j->data);
	for (size_t i = 0; i < j->n_xattrs; i++) {
		free(j->xattrs[i].name);
		free(j->xattrs[i].value);
	}
	free(j->xattrs);
	free(j->entry);
	free(j);
}

/* The order write_file (extract.c) keeps: data, owner (a chown clears setuid bits and
 * security.capability), mode, xattrs, times. */
static int finish_file(const struct hull_wpool *p, struct hull_wjob *j, struct hull_err *err)
{
	if (j->size && hull_write_all(j->fd, j->data, j->size) < 0)
		return hull_error(err, errno, "layer entry `%s`: write", j->entry);
	if (j->chown && fchown(j->fd, j->uid, j->gid) < 0 && (p->root || errno != EPERM))
		return hull_error(err, errno, "layer entry `%s`: chown", j->entry);
	if (j->chmod && fchmod(j->fd, j->mode) < 0)
		return hull_error(err, errno, "layer entry `%s`: chmod", j->entry);
	for (size_t i = 0; i < j->n_xattrs; i++) {
		const struct hull_wxattr *x = &j->xattrs[i];
		/* as tar: a file system (or a user) that cannot hold the xattr does without */
		if (fsetxattr(j->fd, x->name, x->value, x->size, 0) < 0 && errno != ENOTSUP &&
		    errno != EPERM)
			return hull_error(err, errno, "layer entry `%s`: set xattr %s", j->entry,
					  x->name);
	}
	if (futimens(j->fd, j->ts) < 0)
		return hull_error(err, errno, "layer entry `%s`: set times", j->entry);
	if (close(j->fd) < 0) {
		j->fd = -1;
		return hull_error(err, errno, "layer entry `%s`: close", j->entry);
	}
	j->fd = -1;
	return 0;
}

static void *worker(void *arg)
{
	struct hull_wpool *p = arg;
	struct hull_err err;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct hull_wjob *j = p->head;
		size_t size;
		int rc = 0;

		if (!j) {
			if (p->stop)
				break;
			pthread_cond_wait(&p->work, &p->mu);
			continue;
		}
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		p->running++;
		/* after a failure the layer is thrown away: what is queued is only freed */
		if (!p->failed) {
			pthread_mutex_unlock(&p->mu);
			rc = finish_file(p, j, &err);
			pthread_mutex_lock(&p->mu);
		}
		if (rc < 0 && !p->failed) {
			p->failed = true;
			p->err = err;
		}
		size = j->size;
		p->running--;
		p->inflight -= size;
		pthread_mutex_unlock(&p->mu);
		hull_wjob_free(j);
		pthread_mutex_lock(&p->mu);
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct hull_wpool *hull_wpool_new(bool root)
{
	struct hull_wpool *p = xzalloc(sizeof(*p));
	cpu_set_t set;
	/* the cores this process may use (a cpuset, taskset); the unpacking thread keeps one of
	 * them busy: one worker per other core */
	int ncpu = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
	unsigned want = ncpu <= 1 ? 0 : ncpu - 1 > MAX_THREADS ? MAX_THREADS : (unsigned)(ncpu - 1);

	p->root = root;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	while (p->nthreads < want && pthread_create(&p->threads[p->nthreads], NULL, worker, p) == 0)
		p->nthreads++;
	if (!p->nthreads) {
		hull_wpool_free(p);
		return NULL;
	}
	return p;
}

bool hull_wpool_takes(const struct hull_wpool *p, size_t size)
{
	return p && size <= MAX_FILE;
}

int hull_wpool_submit(struct hull_wpool *p, struct hull_wjob *j, struct hull_err *err)
{
	pthread_mutex_lock(&p->mu);
	while (!p->failed && p->inflight && p->inflight + j->size > MAX_INFLIGHT)
		pthread_cond_wait(&p->done, &p->mu);
	if (p->failed) {
		if (err)
			*err = p->err;
		pthread_mutex_unlock(&p->mu);
		hull_wjob_free(j);
		return -1;
	}
	j->next = NULL;
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->inflight += j->size;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

int hull_wpool_wait(struct hull_wpool *p, struct hull_err *err)
{
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	while (p->head || p->running)
		pthread_cond_wait(&p->done, &p->mu);
	if (p->failed) {
		if (err)
			*err = p->err;
		rc = -1;
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

void hull_wpool_free(struct hull_wpool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	/* only an unpack that failed frees a pool that has work left: that layer is thrown away */
	p->failed = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	/* with no thread left, jobs could still be queued: only when none ever started */
	while (p->head) {
		struct hull_wjob *j = p->head;
		p->head = j->next;
		hull_wjob_free(j);
	}
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
