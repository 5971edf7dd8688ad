#include "image/registry.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "image/auth.h"
#include "lib/util.h"

/* A registry's error document is short; more of it is not kept (nor read). */
#define ERROR_BODY_MAX (64 << 10)
/* How much of a hostile value a message may echo. */
#define ECHO_MAX 64

struct hull_registry {
	CURL *curl;
	char *base; /* "https://host/v2/repository" */
	char *host;
	char *repository;
	char *auth_header; /* "Authorization: Bearer ..." once we have a token */
	bool basic;	   /* the registry asked for basic auth */
	const struct hull_registry_opts *o;
};

/* What one response said in its headers. */
struct resp {
	CURL *curl;
	long status;
	char *content_type;
	char *digest;
	char *challenge; /* WWW-Authenticate */
	/* the body: kept (manifests, errors) or handed to a sink (blobs) */
	char *body;
	size_t len;
	size_t max;	  /* a kept successful body longer than this fails the request */
	const char *what; /* ... naming it: "the manifest latest of host/repo" */
	bool too_big;
	hull_sink_fn sink;
	void *sink_ctx;
	struct hull_err *sink_err;
	int sink_rc;
	/* a blob: its declared size; the body is cut one byte past it */
	uint64_t expect, got;
	const struct hull_registry_opts *o;
};

static bool is_host(const char *s, size_t n)
{
	return memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && !strncmp(s, "localhost", 9));
}

int hull_image_ref_parse(const char *ref, struct hull_image_ref *out, struct hull_err *err)
{
	cleanup_free char *copy = xstrdup(ref);
	char *at = strchr(copy, '@'), *slash, *colon, *path = copy;

	memset(out, 0, sizeof(*out));
	if (at) {
		*at = '\0';
		out->reference = xstrdup(at + 1);
		if (!hull_has_prefix(out->reference, "sha256:") || strlen(out->reference) != 71)
			goto bad;
	}
	slash = strchr(copy, '/');
	if (slash && is_host(copy, (size_t)(slash - copy))) {
		out->host = strndup(copy, (size_t)(slash - copy));
		path = slash + 1;
	} else {
		out->host = xstrdup("registry-1.docker.io");
	}
	colon = strrchr(path, ':');
	if (colon && !strchr(colon, '/')) {
		*colon = '\0';
		if (!out->reference)
			out->reference = xstrdup(colon + 1);
		if (!colon[1])
			goto bad;
	}
	if (!out->reference)
		out->reference = xstrdup("latest");
	if (!*path)
		goto bad;
	for (const char *p = path; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
		      strchr("._-/", *p)))
			goto bad;
	if (!strcmp(out->host, "registry-1.docker.io") && !strchr(path, '/'))
		out->repository = hull_strfmt("library/%s", path);
	else
		out->repository = xstrdup(path);
	return 0;
bad:
	hull_image_ref_free(out);
	return hull_error(err, EINVAL, "invalid image reference `%s`", ref);
}

void hull_image_ref_free(struct hull_image_ref *r)
{
	free(r->host);
	free(r->repository);
	free(r->reference);
	memset(r, 0, sizeof(*r));
}

/* Plain HTTP only where nothing can listen in: this machine, or when the user says so. */
static bool local_host(const char *host)
{
	size_t n = strcspn(host, ":");
	if (host[0] == '[')
		return hull_has_prefix(host, "[::1]");
	return (n == 9 && !strncmp(host, "localhost", 9)) || !strncmp(host, "127.", 4);
}

struct hull_registry *hull_registry_open(const struct hull_image_ref *ref,
					 const struct hull_registry_opts *o, struct hull_err *err)
{
	static bool inited;
	struct hull_registry *r;

	if (!inited) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		inited = true;
	}
	r = xzalloc(sizeof(*r));
	r->o = o;
	r->curl = curl_easy_init();
	if (!r->curl) {
		free(r);
		hull_error(err, ENOMEM, "curl_easy_init");
		return NULL;
	}
	r->host = xstrdup(ref->host);
	r->repository = xstrdup(ref->repository);
	r->base = hull_strfmt("%s://%s/v2/%s",
			      o->insecure || local_host(ref->host) ? "http" : "https", ref->host,
			      ref->repository);
	return r;
}

void hull_registry_close(struct hull_registry *r)
{
	if (!r)
		return;
	curl_easy_cleanup(r->curl);
	free(r->base);
	free(r->host);
	free(r->repository);
	free(r->auth_header);
	free(r);
}

static char *header_value(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);
	const char *v;

	if (n <= k + 1 || strncasecmp(line, name, k) || line[k] != ':')
		return NULL;
	v = line + k + 1;
	while (v < line + n && (*v == ' ' || *v == '\t'))
		v++;
	n -= (size_t)(v - line);
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	return strndup(v, n);
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
	struct resp *r = arg;
	size_t len = size * n;
	char *v;

	/* a redirect starts a new set of headers */
	if (len > 5 && !strncmp(line, "HTTP/", 5)) {
		free(r->content_type);
		free(r->challenge);
		r->content_type = r->challenge = NULL;
	}
	if ((v = header_value(line, len, "Content-Type"))) {
		free(r->content_type);
		r->content_type = v;
	} else if ((v = header_value(line, len, "Docker-Content-Digest"))) {
		free(r->digest);
		r->digest = v;
	} else if ((v = header_value(line, len, "WWW-Authenticate"))) {
		free(r->challenge);
		r->challenge = v;
	}
	return len;
}

/* A blob's bytes go to the sink, never more than its declared size: one byte past it is
 * counted, and stops the transfer. */
static size_t to_sink(struct resp *r, char *data, size_t len)
{
	uint64_t room = r->got < r->expect ? r->expect - r->got : 0;
	size_t fit = room < len ? (size_t)room : len;

	if (fit && (r->sink_rc = r->sink(r->sink_ctx, data, fit, r->sink_err)))
		return 0;
	r->got += fit;
	if (fit < len) {
		r->got++;
		r->too_big = true;
		return 0;
	}
	return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct resp *r = arg;
	size_t len = size * n;

	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->status);
	/* a sink gets only a successful body; errors are kept to be reported */
	if (r->sink && r->status == 200)
		return to_sink(r, data, len);
	if (r->len + len > (r->status == 200 ? r->max : ERROR_BODY_MAX)) {
		r->too_big = r->status == 200;
		return 0;
	}
	r->body = xrealloc(r->body, r->len + len + 1);
	memcpy(r->body + r->len, data, len);
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct resp *r = arg;
	(void)ultotal, (void)ulnow;
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->o->progress && r->status == 200)
		r->o->progress(r->o->progress_ctx, (uint64_t)dlnow, (uint64_t)dltotal);
	return 0;
}

static void resp_free(struct resp *r)
{
	free(r->content_type);
	free(r->digest);
	free(r->challenge);
	free(r->body);
}

/* The first "code: message" of a registry's error document, or the HTTP status. */
static char *registry_error(const struct resp *r)
{
	char ebuf[128];
	yajl_val j = r->body ? yajl_tree_parse(r->body, ebuf, sizeof(ebuf)) : NULL;
	const char *errs_path[] = {"errors", NULL};
	yajl_val errs = j ? yajl_tree_get(j, errs_path, yajl_t_array) : NULL;
	char *out = NULL;

	if (errs && errs->u.array.len) {
		const char *code_path[] = {"code", NULL}, *msg_path[] = {"message", NULL};
		yajl_val e = errs->u.array.values[0];
		const char *code = YAJL_GET_STRING(yajl_tree_get(e, code_path, yajl_t_string));
		const char *msg = YAJL_GET_STRING(yajl_tree_get(e, msg_path, yajl_t_string));
		/* the registry's words, but not all of them */
		out = hull_strfmt("%.*s%s%.*s (HTTP %ld)", ECHO_MAX, code ? code : "",
				  code && msg ? ": " : "", 4 * ECHO_MAX, msg ? msg : "", r->status);
	}
	yajl_tree_free(j);
	return out ? out : hull_strfmt("HTTP %ld", r->status);
}

static int perform(struct hull_registry *r, const char *url, const char *accept, struct resp *out,
		   struct hull_err *err);

/* Answer a 401: get a bearer token from the realm it names, or switch to basic auth. */
static int authenticate(struct hull_registry *r, const char *challenge, struct hull_err *err)
{
	struct hull_auth_challenge c;
	cleanup_free char *url = NULL, *what = NULL;
	struct resp tr = {.o = r->o, .max = HULL_TOKEN_ANSWER_MAX};
	int rc = -1;

	if (hull_auth_challenge_parse(challenge, r->host, &c, err) < 0)
		return -1;
	if (c.scheme == HULL_AUTH_BASIC) {
		hull_auth_challenge_free(&c);
		if (!r->o->username || r->basic)
			return hull_error(err, EACCES,
					  "%s asks for a user name and password (give --creds "
					  "USER:PASSWORD)",
					  r->host);
		r->basic = true;
		return 0;
	}
	{
		char *es = c.service ? curl_easy_escape(r->curl, c.service, 0) : NULL;
		char *esc = c.scope ? curl_easy_escape(r->curl, c.scope, 0) : NULL;
		cleanup_free char *dflt_scope =
			esc ? NULL : hull_strfmt("repository:%s:pull", r->repository);
		char *esd = esc ? NULL : curl_easy_escape(r->curl, dflt_scope, 0);
		url = hull_strfmt("%s%sservice=%s&scope=%s", c.realm,
				  strchr(c.realm, '?') ? "&" : "?", es ? es : "", esc ? esc : esd);
		curl_free(es);
		curl_free(esc);
		curl_free(esd);
	}
	what = hull_strfmt("the token answer of %.*s", ECHO_MAX, c.realm);
	tr.what = what;
	/* the token request carries the user's credentials, if any; the registry never does */
	r->basic = r->o->username != NULL;
	free(r->auth_header);
	r->auth_header = NULL;
	if (perform(r, url, "application/json", &tr, err) < 0)
		goto out;
	r->basic = false;
	if (tr.status != 200) {
		cleanup_free char *why = registry_error(&tr);
		hull_error(err, EACCES, "get a token for %s from %.*s: %s", r->repository, ECHO_MAX,
			   c.realm, why);
		goto out;
	}
	{
		cleanup_free char *tok = NULL;
		if (hull_auth_token_parse(tr.body ? tr.body : "", tr.len, c.realm, &tok, err) < 0)
			goto out;
		r->auth_header = hull_strfmt("Authorization: Bearer %s", tok);
	}
	rc = 0;
out:
	hull_auth_challenge_free(&c);
	resp_free(&tr);
	return rc;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int perform(struct hull_registry *r, const char *url, const char *accept, struct resp *out,
		   struct hull_err *err)
{
	struct curl_slist *h = NULL;
	cleanup_free char *accept_h = hull_strfmt("Accept: %s", accept);
	char ebuf[CURL_ERROR_SIZE] = "";
	CURLcode cc;
	bool tls_off = r->o->insecure;
	long stall = r->o->stall_seconds ? (long)r->o->stall_seconds : HULL_STALL_DEFAULT;
	uint64_t left = 0, started;

	if (r->o->deadline_ms) {
		uint64_t now = now_ms();
		if (now >= r->o->deadline_ms)
			return hull_error(err, ETIMEDOUT,
					  "out of time: the pull took longer than %u s "
					  "(HULL_PULL_TIMEOUT)",
					  r->o->timeout_seconds);
		left = r->o->deadline_ms - now;
	}
	curl_easy_reset(r->curl);
	h = curl_slist_append(h, accept_h);
	if (r->auth_header)
		h = curl_slist_append(h, r->auth_header);
	curl_easy_setopt(r->curl, CURLOPT_URL, url);
	curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(r->curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(r->curl, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(r->curl, CURLOPT_USERAGENT, "hull/" HULL_VERSION);
	curl_easy_setopt(r->curl, CURLOPT_CONNECTTIMEOUT, 30L);
	/* a stalled transfer fails instead of hanging, and so does one that trickles: a registry
	 * that sends under HULL_STALL_MIN_SPEED for `stall` seconds is not serving the image */
	curl_easy_setopt(r->curl, CURLOPT_LOW_SPEED_LIMIT, (long)HULL_STALL_MIN_SPEED);
	curl_easy_setopt(r->curl, CURLOPT_LOW_SPEED_TIME, stall);
	/* what is left of the whole pull's time */
	if (left)
		curl_easy_setopt(r->curl, CURLOPT_TIMEOUT_MS,
				 left < LONG_MAX ? (long)left : LONG_MAX);
	curl_easy_setopt(r->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(r->curl, CURLOPT_HEADERDATA, out);
	curl_easy_setopt(r->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(r->curl, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(r->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(r->curl, CURLOPT_XFERINFODATA, out);
	curl_easy_setopt(r->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(r->curl, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(r->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	if (tls_off) {
		curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (r->basic && r->o->username) {
		curl_easy_setopt(r->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(r->curl, CURLOPT_USERNAME, r->o->username);
		curl_easy_setopt(r->curl, CURLOPT_PASSWORD, r->o->password ? r->o->password : "");
	}
	out->curl = r->curl;
	out->status = 0;
	started = now_ms();
	cc = curl_easy_perform(r->curl);
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(h);
	if (out->sink_rc)
		return -1;
	if (out->too_big && out->sink)
		return hull_error(err, EFBIG,
				  "%s is bigger than its descriptor says: declared %llu bytes, "
				  "received more (%llu and counting): refusing it",
				  out->what, (unsigned long long)out->expect,
				  (unsigned long long)out->got);
	if (out->too_big)
		return hull_error(err, EFBIG, "%s is bigger than the limit of %zu KiB", out->what,
				  out->max >> 10);
	/* curl's clock is coarser than ours: a request that timed out before the stall time could
	 * pass was cut by the whole pull's deadline, even a few ms short of it by our clock */
	if (cc == CURLE_OPERATION_TIMEDOUT && r->o->deadline_ms &&
	    (now_ms() >= r->o->deadline_ms || now_ms() - started < (uint64_t)stall * 1000))
		return hull_error(err, ETIMEDOUT,
				  "GET %s: out of time: the pull took longer than %u s "
				  "(HULL_PULL_TIMEOUT)",
				  url, r->o->timeout_seconds);
	if (cc == CURLE_OPERATION_TIMEDOUT)
		return hull_error(err, ETIMEDOUT,
				  "GET %s: stalled (HULL_PULL_STALL_TIMEOUT=%ld): %s", url, stall,
				  ebuf[0] ? ebuf : curl_easy_strerror(cc));
	if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && out->status != 200))
		return hull_error(err, EIO, "GET %s: %s", url,
				  ebuf[0] ? ebuf : curl_easy_strerror(cc));
	return 0;
}

/* One authenticated GET: on a 401 authenticate once and try again. */
static int get(struct hull_registry *r, const char *url, const char *accept, struct resp *out,
	       struct hull_err *err)
{
	for (int attempt = 0;; attempt++) {
		if (perform(r, url, accept, out, err) < 0)
			return -1;
		if (out->status != 401 || attempt == 1)
			break;
		if (!out->challenge)
			return hull_error(err, EACCES,
					  "%s refused access without saying how to log in",
					  r->host);
		{
			cleanup_free char *ch = xstrdup(out->challenge);
			struct resp fresh = {.o = r->o,
					     .max = out->max,
					     .what = out->what,
					     .sink = out->sink,
					     .sink_ctx = out->sink_ctx,
					     .sink_err = out->sink_err,
					     .expect = out->expect};
			resp_free(out);
			*out = fresh;
			if (authenticate(r, ch, err) < 0)
				return -1;
		}
	}
	if (out->status == 401 || out->status == 403) {
		cleanup_free char *why = registry_error(out);
		return hull_error(err, EACCES, "%s/%s: access denied: %s", r->host, r->repository,
				  why);
	}
	return 0;
}

int hull_registry_manifest(struct hull_registry *r, const char *reference, char **body, size_t *len,
			   char **media_type, char **digest, struct hull_err *err)
{
	cleanup_free char *url = hull_strfmt("%s/manifests/%s", r->base, reference);
	cleanup_free char *what = hull_strfmt("the manifest %.*s of %s/%s", ECHO_MAX, reference,
					      r->host, r->repository);
	struct resp out = {.o = r->o, .max = HULL_MANIFEST_MAX, .what = what};
	const char *accept = HULL_MT_OCI_INDEX ", " HULL_MT_OCI_MANIFEST ", " HULL_MT_DOCKER_LIST
					       ", " HULL_MT_DOCKER_MANIFEST;

	if (get(r, url, accept, &out, err) < 0)
		goto fail;
	if (out.status == 404) {
		hull_error(err, ENOENT, "%s/%s:%s: manifest unknown", r->host, r->repository,
			   reference);
		goto fail;
	}
	if (out.status != 200) {
		cleanup_free char *why = registry_error(&out);
		hull_error(err, EIO, "get the manifest %s of %s/%s: %s", reference, r->host,
			   r->repository, why);
		goto fail;
	}
	*body = out.body ? out.body : xstrdup("");
	*len = out.len;
	*media_type = out.content_type ? out.content_type : xstrdup("");
	*digest = out.digest;
	free(out.challenge);
	return 0;
fail:
	resp_free(&out);
	return -1;
}

int hull_registry_blob(struct hull_registry *r, const char *digest, uint64_t size,
		       hull_sink_fn sink, void *ctx, struct hull_err *err)
{
	cleanup_free char *url = hull_strfmt("%s/blobs/%s", r->base, digest);
	cleanup_free char *what = hull_strfmt("the blob %s", digest);
	struct resp out = {.o = r->o,
			   .what = what,
			   .sink = sink,
			   .sink_ctx = ctx,
			   .sink_err = err,
			   .expect = size};
	int rc = -1;

	if (get(r, url, "*/*", &out, err) < 0)
		goto out;
	if (out.status != 200) {
		cleanup_free char *why = registry_error(&out);
		hull_error(err, out.status == 404 ? ENOENT : EIO, "get the blob %s of %s/%s: %s",
			   digest, r->host, r->repository, why);
		goto out;
	}
	if (out.got != size) {
		hull_error(err, EBADMSG,
			   "the blob %s is shorter than its descriptor says: declared %llu bytes, "
			   "received %llu",
			   digest, (unsigned long long)size, (unsigned long long)out.got);
		goto out;
	}
	rc = 0;
out:
	resp_free(&out);
	return rc;
}
