/* SPDX-License-Identifier: Apache-2.0 */
/* A pull's layers in parallel.  Threads, not one curl multi loop: a layer is unpacked as soon
 * as its blob is in, and unpacking (decompression, thousands of syscalls) blocks; in a thread
 * it runs beside the other layers' downloads, each on its own connection, with the same
 * blocking code (registry.c, unpack.c) load and a single fetch use. */
#include "image/fetch.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/index.h"
#include "image/unpack.h"
#include "lib/util.h"

struct job {
	struct hull_store *s;
	struct hull_registry *r;
	const struct hull_manifest *m;
	char *const *diff_ids;
	const struct hull_xfer *xfer;
	char (*chains)[HULL_DIGEST_SIZE];
	bool *existed; /* its layer directory was there before */
	pthread_mutex_t mu;
	size_t next; /* the next layer to take */
	bool stop;   /* a layer failed: take no more, cut the transfers */
	int failed;  /* set with first */
	struct hull_err first;
};

struct one {
	struct job *j;
	size_t i;
	char id[13];
	struct hull_blob_writer *w;
};

static void report(const struct one *o, enum hull_xfer_state st, uint64_t done, uint64_t total,
		   const char *note)
{
	const struct hull_xfer *x = o->j->xfer;
	if (x && x->fn)
		x->fn(x->ctx, o->id, st, done, total, note);
}

static bool stopped(struct job *j)
{
	return __atomic_load_n(&j->stop, __ATOMIC_RELAXED);
}

static int sink_write(void *ctx, const void *data, size_t len, struct hull_err *err)
{
	struct one *o = ctx;
	if (stopped(o->j))
		return hull_error(err, ECANCELED, "stopped: another layer failed");
	return hull_blob_write(o->w, data, len, err) < 0 ? -1 : 0;
}

/* The registry sent the whole blob to a request for the rest of it. */
static int sink_restart(void *ctx, struct hull_err *err)
{
	struct one *o = ctx;
	hull_blob_abort(o->w);
	o->w = hull_blob_begin(o->j->s, err);
	return o->w ? 0 : -1;
}

static void sink_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct one *o = ctx;
	report(o, HULL_XFER_DOWNLOADING, done, total ? total : o->j->m->layers[o->i].size, NULL);
}

static void sink_retrying(void *ctx, unsigned attempt, const struct hull_err *why)
{
	struct one *o = ctx;
	char note[96];
	snprintf(note, sizeof(note), "attempt %u of %u: %.60s", attempt + 1, HULL_BLOB_RETRIES + 1,
		 why->msg);
	report(o, HULL_XFER_RETRYING, 0, 0, note);
}

static int download(struct one *o, struct hull_registry *r, struct hull_err *err)
{
	const struct hull_descriptor *d = &o->j->m->layers[o->i];
	struct hull_blob_sink sink = {.write = sink_write,
				      .restart = sink_restart,
				      .ctx = o,
				      .progress = sink_progress,
				      .progress_ctx = o,
				      .retrying = sink_retrying};
	char got[HULL_DIGEST_SIZE];

	o->w = hull_blob_begin(o->j->s, err);
	if (!o->w)
		return -1;
	report(o, HULL_XFER_DOWNLOADING, 0, d->size, NULL);
	if (hull_registry_blob(r, d->digest, d->size, &sink, err) < 0) {
		hull_blob_abort(o->w);
		o->w = NULL;
		return -1;
	}
	report(o, HULL_XFER_VERIFYING, d->size, d->size, NULL);
	/* commit frees the writer whatever happens */
	return hull_blob_commit(steal_pointer(&o->w), d->digest, got, NULL, err);
}

static int one_layer(struct job *j, struct hull_registry *r, size_t i, struct hull_err *err)
{
	const struct hull_descriptor *d = &j->m->layers[i];
	struct one o = {.j = j, .i = i};
	char chain[HULL_DIGEST_SIZE];
	bool fetched = false;

	snprintf(o.id, sizeof(o.id), "%.12s", hull_digest_hex(d->digest));
	if (hull_digest_check(d->digest, "blob digest", err) < 0)
		return -1;
	if (!hull_store_has_blob(j->s, d->digest)) {
		if (download(&o, r, err) < 0)
			return -1;
		fetched = true;
	}
	if (!j->existed[i])
		report(&o, HULL_XFER_EXTRACTING, 0, 0, NULL);
	if (hull_layer_unpack(j->s, d->digest, j->diff_ids[i], i ? j->chains[i - 1] : NULL, chain,
			      NULL, err) < 0)
		return -1;
	report(&o, j->existed[i] && !fetched ? HULL_XFER_EXISTS : HULL_XFER_COMPLETE, d->size,
	       d->size, NULL);
	return 0;
}

static void *worker(void *arg)
{
	struct job *j = arg;
	struct hull_err err = {0};
	struct hull_registry *r = hull_registry_dup(j->r, &err);
	size_t i;

	for (;;) {
		pthread_mutex_lock(&j->mu);
		i = j->next++;
		pthread_mutex_unlock(&j->mu);
		if (!r || i >= j->m->n_layers || stopped(j))
			break;
		if (one_layer(j, r, i, &err) < 0)
			break;
	}
	if (err.msg[0] || !r) {
		pthread_mutex_lock(&j->mu);
		/* the first failure is the story; the rest were stopped by it */
		if (!j->failed) {
			j->failed = 1;
			j->first = err;
		}
		__atomic_store_n(&j->stop, true, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&j->mu);
	}
	hull_registry_close(r);
	return NULL;
}

static bool layer_exists(const struct hull_store *s, const char *chain)
{
	cleanup_free char *p = hull_store_layer_path(s, chain);
	struct stat st;
	return stat(p, &st) == 0;
}

/* After a failure: the layers this pull made and no image uses. */
static void undo_layers(struct job *j)
{
	struct hull_index idx;

	if (hull_index_load(j->s, &idx, NULL) < 0)
		return;
	for (size_t i = 0; i < j->m->n_layers; i++) {
		bool used = false;
		if (j->existed[i] || !layer_exists(j->s, j->chains[i]))
			continue;
		for (size_t k = 0; k < idx.n && !used; k++)
			for (char **l = idx.v[k].layers; l && *l && !used; l++)
				used = !strcmp(*l, j->chains[i]);
		if (!used)
			hull_layer_discard(j->s, j->chains[i]);
	}
	hull_index_free(&idx);
}

int hull_fetch_layers(struct hull_store *s, struct hull_registry *r, const struct hull_manifest *m,
		      char *const *diff_ids, unsigned parallel, const struct hull_xfer *xfer,
		      struct hull_err *err)
{
	struct job j = {.s = s, .r = r, .m = m, .diff_ids = diff_ids, .xfer = xfer};
	struct hull_progress saved = s->progress;
	pthread_t *t;
	size_t n = 0, i;

	if (!m->n_layers)
		return 0;
	pthread_mutex_init(&j.mu, NULL);
	j.chains = xzalloc(m->n_layers * sizeof(*j.chains));
	j.existed = xzalloc(m->n_layers * sizeof(*j.existed));
	for (i = 0; i < m->n_layers; i++) {
		struct one o = {.j = &j};
		hull_chain_id(i ? j.chains[i - 1] : NULL, diff_ids[i], j.chains[i]);
		j.existed[i] = layer_exists(s, j.chains[i]);
		snprintf(o.id, sizeof(o.id), "%.12s", hull_digest_hex(m->layers[i].digest));
		report(&o, HULL_XFER_WAITING, 0, m->layers[i].size, NULL);
	}
	/* the unpacker's own progress lines would cross the layers' */
	s->progress.fn = NULL;
	if (!parallel)
		parallel = HULL_PULL_PARALLEL;
	if (parallel > m->n_layers)
		parallel = (unsigned)m->n_layers;
	t = xzalloc(parallel * sizeof(*t));
	for (i = 0; i < parallel; i++) {
		if (pthread_create(&t[n], NULL, worker, &j) != 0)
			break;
		n++;
	}
	if (!n)
		worker(&j); /* no thread to be had: this one does it all */
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	s->progress = saved;
	if (j.failed) {
		undo_layers(&j);
		if (err)
			*err = j.first;
	}
	free(t);
	free(j.chains);
	free(j.existed);
	pthread_mutex_destroy(&j.mu);
	return j.failed ? -1 : 0;
}
