/* SPDX-License-Identifier: Apache-2.0 */
/* hull push (push.h): the manifest as stored or converted; the config blob, then the layers
 * several at once (threads, each with its own connection, as a pull's), each checked,
 * mounted or uploaded; then the manifest, once every blob is there. */
#include "image/push.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "image/creds.h"
#include "image/index.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "image/registry.h"
#include "lib/json.h"
#include "lib/util.h"

#define MT_OCI_CONFIG	     "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_CONFIG     "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER	     "application/vnd.docker.image.rootfs.diff.tar"
#define MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"

/* Layer media types, OCI and Docker, side by side (Docker has no zstd). */
static const char *const layer_types[][2] = {
	{HULL_MT_LAYER, MT_DOCKER_LAYER},
	{HULL_MT_LAYER "+gzip", MT_DOCKER_LAYER_GZIP},
};

static const char *layer_type(const char *mt, bool docker)
{
	for (size_t i = 0; i < ARRAY_SIZE(layer_types); i++)
		if (!strcmp(mt, layer_types[i][0]) || !strcmp(mt, layer_types[i][1]))
			return layer_types[i][docker];
	return NULL;
}

/* The stored manifest's own format: its mediaType, else its config's. */
static bool stored_as_docker(const char *json)
{
	char ebuf[64];
	yajl_val j = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	const char *mt = hull_json_str(sj_get(j, "mediaType"));
	const char *cmt = hull_json_str(sj_get(sj_get(j, "config"), "mediaType"));
	bool docker =
		mt ? !strcmp(mt, HULL_MT_DOCKER_MANIFEST) : cmt && !strcmp(cmt, MT_DOCKER_CONFIG);
	yajl_tree_free(j);
	return docker;
}

static void gen_descriptor(yajl_gen g, const char *mt, const struct hull_descriptor *d)
{
	yajl_gen_map_open(g);
	hull_gen_str(g, "mediaType");
	hull_gen_str(g, mt);
	hull_gen_str(g, "digest");
	hull_gen_str(g, d->digest);
	hull_gen_str(g, "size");
	yajl_gen_integer(g, (long long)d->size);
	yajl_gen_map_close(g);
}

/* The manifest in the other format: the same config and layers, their media types
 * translated. */
static char *convert(const struct hull_store *s, const struct hull_manifest *m, bool docker,
		     struct hull_err *err)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	yajl_gen_map_open(g);
	hull_gen_str(g, "schemaVersion");
	yajl_gen_integer(g, 2);
	hull_gen_str(g, "mediaType");
	hull_gen_str(g, docker ? HULL_MT_DOCKER_MANIFEST : HULL_MT_MANIFEST);
	hull_gen_str(g, "config");
	gen_descriptor(g, docker ? MT_DOCKER_CONFIG : MT_OCI_CONFIG, &m->config);
	hull_gen_str(g, "layers");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < m->n_layers; i++) {
		const char *have = m->layers[i].media_type
					   ? m->layers[i].media_type
					   : hull_layer_media_type(s, m->layers[i].digest);
		const char *mt = layer_type(have, docker);
		if (!mt) {
			yajl_gen_free(g);
			hull_error(err, ENOTSUP,
				   "layer %s is `%.64s`, which the %s format has no media type for "
				   "(push it with --format %s)",
				   m->layers[i].digest, have, docker ? "docker" : "OCI",
				   docker ? "oci" : "docker");
			return NULL;
		}
		gen_descriptor(g, mt, &m->layers[i]);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return hull_gen_text(g);
}

/* Repositories of dest's registry that local images came from (or went to), and which
 * hold the blob: where a mount may find it. */
struct source {
	char *repository;
	char **blobs;
};

static void sources_load(const struct hull_store *s, const struct hull_image_ref *dest,
			 struct source **out, size_t *n)
{
	struct hull_index idx;

	*out = NULL;
	*n = 0;
	if (hull_index_load(s, &idx, NULL) < 0)
		return;
	for (size_t i = 0; i < idx.n; i++) {
		cleanup_free char *text = NULL;
		struct hull_manifest m;
		for (char **name = idx.v[i].names; name && *name; name++) {
			struct hull_image_ref r;
			if (hull_image_ref_parse(*name, &r, NULL) < 0)
				continue;
			if (!strcmp(r.host, dest->host) && strcmp(r.repository, dest->repository) &&
			    (text ||
			     hull_store_read_blob(s, idx.v[i].manifest, &text, NULL, NULL) == 0) &&
			    hull_manifest_parse(text, &m, NULL) == 0) {
				struct source *src;
				*out = xrealloc(*out, (*n + 1) * sizeof(**out));
				src = &(*out)[(*n)++];
				src->repository = xstrdup(r.repository);
				src->blobs = NULL;
				for (size_t j = 0; j < m.n_layers; j++)
					hull_strv_push(&src->blobs, m.layers[j].digest);
				hull_manifest_free(&m);
			}
			hull_image_ref_free(&r);
		}
	}
	hull_index_free(&idx);
}

static void sources_free(struct source *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].repository);
		hull_strv_free(v[i].blobs);
	}
	free(v);
}

struct push {
	struct hull_store *s;
	struct hull_registry *r;
	const struct hull_push_opts *o;
	struct source *sources;
	size_t n_sources;
	char id[13];
};

static void report(struct push *p, enum hull_xfer_state st, uint64_t done, uint64_t total,
		   const char *note)
{
	if (p->o->xfer && p->o->xfer->fn && p->id[0])
		p->o->xfer->fn(p->o->xfer->ctx, p->id, st, done, total, note);
}

static void on_upload(void *ctx, uint64_t done, uint64_t total)
{
	report(ctx, HULL_XFER_PUSHING, done, total, NULL);
}

/* The first wait before an upload is tried again, doubled each time, as a pull's. */
#define RETRY_WAIT_MS 250

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One blob to the repository: there already, mounted, or uploaded.  show: a layer line. */
static int push_blob(struct push *p, const struct hull_descriptor *d, bool show,
		     struct hull_err *err)
{
	cleanup_free char *path = hull_store_blob_path(p->s, d->digest), *loc = NULL;
	cleanup_close int fd = -1;
	struct stat st;
	int rc;

	snprintf(p->id, sizeof(p->id), "%.12s", show ? hull_digest_hex(d->digest) : "");
	report(p, HULL_XFER_PREPARING, 0, d->size, NULL);
	rc = hull_registry_blob_exists(p->r, d->digest, err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		report(p, HULL_XFER_EXISTS, d->size, d->size, NULL);
		return 0;
	}
	for (size_t i = 0; i < p->n_sources && !loc; i++) {
		bool has = false;
		for (char **b = p->sources[i].blobs; b && *b && !has; b++)
			has = !strcmp(*b, d->digest);
		if (!has)
			continue;
		rc = hull_registry_blob_mount(p->r, d->digest, p->sources[i].repository, &loc, err);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			report(p, HULL_XFER_MOUNTED, d->size, d->size, p->sources[i].repository);
			return 0;
		}
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hull_error(err, errno, "blob %s is not in the store", d->digest);
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size != d->size)
		return hull_error(err, EBADMSG,
				  "blob %s: the store has %lld bytes, the manifest "
				  "says %llu",
				  d->digest, (long long)st.st_size, (unsigned long long)d->size);
	for (unsigned attempt = 0;; attempt++) {
		char note[96];
		report(p, HULL_XFER_PUSHING, 0, d->size, NULL);
		if (hull_registry_blob_upload(p->r, d->digest, fd, d->size, loc, on_upload, p,
					      err) == 0)
			break;
		/* as a pull's: only a connection that went away is tried again (in a new
		 * upload, from the first byte); what the registry said stands */
		if (err->errnum != ECONNRESET || attempt == HULL_BLOB_RETRIES)
			return -1;
		snprintf(note, sizeof(note), "attempt %u of %u: %.60s", attempt + 2,
			 HULL_BLOB_RETRIES + 1, err->msg);
		report(p, HULL_XFER_RETRYING, 0, d->size, note);
		sleep_ms(RETRY_WAIT_MS << attempt);
		free(loc);
		loc = NULL;
		hull_err_clear(err);
	}
	report(p, HULL_XFER_PUSHED, d->size, d->size, NULL);
	return 0;
}

/* The layers, shared by the threads that push them. */
struct layers {
	const struct push *p; /* the connection each thread duplicates, the options */
	const struct hull_manifest *m;
	pthread_mutex_t mu;
	size_t next;
	bool failed; /* take no more; first says why */
	struct hull_err first;
};

static void *layer_worker(void *arg)
{
	struct layers *l = arg;
	struct hull_err err = {0};
	struct push mine = *l->p;
	size_t i;

	mine.r = hull_registry_dup(l->p->r, &err);
	for (;;) {
		pthread_mutex_lock(&l->mu);
		i = l->next++;
		bool stop = l->failed;
		pthread_mutex_unlock(&l->mu);
		if (!mine.r || stop || i >= l->m->n_layers)
			break;
		if (push_blob(&mine, &l->m->layers[i], true, &err) < 0)
			break;
	}
	if (err.msg[0]) {
		pthread_mutex_lock(&l->mu);
		/* the first failure is the story; the others stop taking layers after it */
		if (!l->failed) {
			l->failed = true;
			l->first = err;
		}
		pthread_mutex_unlock(&l->mu);
	}
	hull_registry_close(mine.r);
	return NULL;
}

/* Every layer of m to the repository, o->parallel at once. */
static int push_layers(const struct push *p, const struct hull_manifest *m, struct hull_err *err)
{
	struct layers l = {.p = p, .m = m};
	unsigned parallel = p->o->parallel ? p->o->parallel : HULL_PUSH_PARALLEL;
	pthread_t *t;
	size_t n = 0;

	if (!m->n_layers)
		return 0;
	for (size_t i = 0; i < m->n_layers; i++) {
		struct push one = *p;
		snprintf(one.id, sizeof(one.id), "%.12s", hull_digest_hex(m->layers[i].digest));
		report(&one, HULL_XFER_WAITING, 0, m->layers[i].size, NULL);
	}
	if (parallel > m->n_layers)
		parallel = (unsigned)m->n_layers;
	pthread_mutex_init(&l.mu, NULL);
	t = xzalloc(parallel * sizeof(*t));
	for (unsigned i = 0; i < parallel; i++)
		if (pthread_create(&t[n], NULL, layer_worker, &l) == 0)
			n++;
	if (!n)
		layer_worker(&l); /* no thread to be had: this one does it all */
	for (size_t i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
	pthread_mutex_destroy(&l.mu);
	if (l.failed)
		*err = l.first;
	return l.failed ? -1 : 0;
}

/* What to PUT: the stored bytes when the format stays (the digest stays too). */
static int manifest_body(const struct hull_store *s, const char *stored,
			 const struct hull_manifest *m, enum hull_push_format f, char **body,
			 const char **mt, struct hull_err *err)
{
	bool docker = stored_as_docker(stored);

	if (f == HULL_PUSH_AS_STORED || (f == HULL_PUSH_DOCKER) == docker) {
		*body = xstrdup(stored);
		*mt = docker ? HULL_MT_DOCKER_MANIFEST : HULL_MT_MANIFEST;
		return 0;
	}
	docker = f == HULL_PUSH_DOCKER;
	*body = convert(s, m, docker, err);
	*mt = docker ? HULL_MT_DOCKER_MANIFEST : HULL_MT_MANIFEST;
	return *body ? 0 : -1;
}

int hull_image_push(struct hull_store *s, const char *image, const char *dest,
		    const struct hull_push_opts *o, char digest[HULL_DIGEST_SIZE], size_t *size,
		    struct hull_err *err)
{
	struct hull_index idx = {0};
	struct hull_image *img;
	struct hull_image_ref ref = {0};
	struct hull_registry_opts ro = {.username = o->username,
					.password = o->password,
					.insecure = o->insecure,
					.push = true};
	struct hull_creds stored = {0};
	struct push p = {.s = s, .o = o};
	struct hull_manifest m = {0};
	cleanup_free char *text = NULL, *body = NULL, *norm = NULL;
	const char *mt;
	int rc = -1;

	if (hull_index_load(s, &idx, err) < 0)
		return -1;
	img = hull_index_find(&idx, image, err);
	if (!img && hull_ref_normalize(image, &norm, NULL) == 0)
		img = hull_index_find(&idx, norm, err);
	if (!img) {
		if (!err->msg[0])
			hull_error(err, 0, "no such image: %s", image);
		goto out;
	}
	if (!dest) {
		/* pushed under the name it was given by, as docker: an ID names no repository */
		bool named = false;
		if (!norm)
			hull_ref_normalize(image, &norm, NULL);
		for (char **n = img->names; norm && n && *n; n++)
			named |= !strcmp(*n, norm);
		if (!named) {
			hull_error(err, EINVAL,
				   "`%s` is not a name of the image: give a destination "
				   "([HOST[:PORT]/]NAME[:TAG])",
				   image);
			goto out;
		}
	}
	if (hull_image_ref_parse(dest ? dest : norm ? norm : image, &ref, err) < 0)
		goto out;
	if (hull_has_prefix(ref.reference, "sha256:")) {
		hull_error(err, EINVAL, "push to a tag, not a digest (`%s`)", dest ? dest : image);
		goto out;
	}
	if (hull_store_read_blob(s, img->manifest, &text, NULL, err) < 0 ||
	    hull_manifest_parse(text, &m, err) < 0 ||
	    manifest_body(s, text, &m, o->format, &body, &mt, err) < 0)
		goto out;
	if (!ro.username) {
		if (hull_creds_find(ref.host, o->authfile, &stored, err) < 0)
			goto out;
		ro.username = stored.username;
		ro.password = stored.password;
	}
	p.r = hull_registry_open(&ref, &ro, err);
	if (!p.r)
		goto out;
	sources_load(s, &ref, &p.sources, &p.n_sources);
	/* the config first, alone: its answers authenticate the connection the layers' threads
	 * copy, so they do not each ask for a token */
	if (push_blob(&p, &m.config, false, err) < 0 || push_layers(&p, &m, err) < 0 ||
	    hull_registry_manifest_put(p.r, ref.reference, mt, body, strlen(body), err) < 0)
		goto out;
	hull_sha256_buf(body, strlen(body), digest);
	if (size)
		*size = strlen(body);
	rc = 0;
out:
	if (rc < 0)
		hull_error_wrap(err, "push %s", dest ? dest : image);
	sources_free(p.sources, p.n_sources);
	hull_registry_close(p.r);
	hull_manifest_free(&m);
	hull_image_ref_free(&ref);
	hull_creds_free(&stored);
	hull_index_free(&idx);
	return rc;
}
