/* SPDX-License-Identifier: Apache-2.0 */
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
#include "image/regconn.h"
#include "lib/util.h"

#define ERROR_BODY_MAX HULL_REG_ERROR_BODY_MAX
#define ECHO_MAX       HULL_REG_ECHO_MAX

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

	/* once, before any other thread may make a handle (pulls fetch layers in threads) */
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
	r->repository = xstrdup(ref->repository ? ref->repository : "");
	r->origin = hull_strfmt("%s://%s", o->insecure || local_host(ref->host) ? "http" : "https",
				ref->host);
	r->base = *r->repository ? hull_strfmt("%s/v2/%s", r->origin, r->repository)
				 : hull_strfmt("%s/v2", r->origin);
	r->push = o->push;
	return r;
}

struct hull_registry *hull_registry_dup(const struct hull_registry *r, struct hull_err *err)
{
	struct hull_registry *d = xzalloc(sizeof(*d));

	d->curl = curl_easy_init();
	if (!d->curl) {
		free(d);
		hull_error(err, ENOMEM, "curl_easy_init");
		return NULL;
	}
	d->o = r->o;
	d->origin = xstrdup(r->origin);
	d->base = xstrdup(r->base);
	d->host = xstrdup(r->host);
	d->repository = xstrdup(r->repository);
	d->auth_header = r->auth_header ? xstrdup(r->auth_header) : NULL;
	d->challenge = r->challenge ? xstrdup(r->challenge) : NULL;
	d->basic = r->basic;
	d->push = r->push;
	return d;
}

void hull_registry_close(struct hull_registry *r)
{
	if (!r)
		return;
	curl_easy_cleanup(r->curl);
	free(r->origin);
	free(r->base);
	free(r->host);
	free(r->repository);
	free(r->auth_header);
	free(r->challenge);
	free(r->extra_scope);
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

static void set(char **field, char *v)
{
	free(*field);
	*field = v;
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
	struct hull_reg_resp *r = arg;
	size_t len = size * n;
	char *v;

	/* a redirect starts a new set of headers */
	if (len > 5 && !strncmp(line, "HTTP/", 5)) {
		set(&r->content_type_got, NULL);
		set(&r->challenge, NULL);
		set(&r->location, NULL);
	}
	if ((v = header_value(line, len, "Content-Type")))
		set(&r->content_type_got, v);
	else if ((v = header_value(line, len, "Docker-Content-Digest")))
		set(&r->digest, v);
	else if ((v = header_value(line, len, "WWW-Authenticate")))
		set(&r->challenge, v);
	else if ((v = header_value(line, len, "Location")))
		set(&r->location, v);
	return len;
}

static bool ok_status(long status)
{
	return status == 200 || status == 206;
}

/* A blob's bytes go to the sink, never more than its declared size: one byte past it is
 * counted, and stops the transfer. */
static size_t to_sink(struct hull_reg_resp *r, char *data, size_t len)
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
	struct hull_reg_resp *r = arg;
	size_t len = size * n;

	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->sink && r->status == 200 && r->range_from) {
		if (!r->restart || (r->sink_rc = r->restart(r->sink_ctx, r->sink_err)))
			return 0;
		r->got = r->range_from = 0;
	}
	/* a sink gets only a successful body; errors are kept to be reported */
	if (r->sink && ok_status(r->status))
		return to_sink(r, data, len);
	if (r->len + len > (ok_status(r->status) ? r->max : ERROR_BODY_MAX)) {
		r->too_big = ok_status(r->status);
		return 0;
	}
	r->body = xrealloc(r->body, r->len + len + 1);
	memcpy(r->body + r->len, data, len);
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

/* The upload's next bytes. */
static size_t on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct hull_reg_resp *r = arg;
	uint64_t left = r->up_len - r->up_done;
	size_t want = size * n < left ? size * n : (size_t)left;
	ssize_t got;

	if (!want)
		return 0;
	if (r->up_buf) {
		memcpy(buf, r->up_buf + r->up_done, want);
		got = (ssize_t)want;
	} else {
		got = pread(r->up_fd, buf, want, (off_t)(r->up_off + r->up_done));
		if (got <= 0)
			return CURL_READFUNC_ABORT;
	}
	r->up_done += (uint64_t)got;
	return (size_t)got;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct hull_reg_resp *r = arg;
	void (*fn)(void *, uint64_t, uint64_t) = r->progress ? r->progress : r->o->progress;
	void *ctx = r->progress ? r->progress_ctx : r->o->progress_ctx;

	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (!fn)
		return 0;
	if (r->up_len)
		fn(ctx, (uint64_t)ulnow, (uint64_t)ultotal);
	else if (ok_status(r->status))
		/* a resumed blob counts what came before */
		fn(ctx, r->range_from + (uint64_t)dlnow,
		   dltotal ? r->range_from + (uint64_t)dltotal : 0);
	return 0;
}

void hull_reg_resp_free(struct hull_reg_resp *r)
{
	free(r->content_type_got);
	free(r->digest);
	free(r->challenge);
	free(r->location);
	free(r->body);
	r->content_type_got = r->digest = r->challenge = r->location = r->body = NULL;
}

void hull_reg_resp_reset(struct hull_reg_resp *r)
{
	hull_reg_resp_free(r);
	r->len = 0;
	r->status = 0;
	r->too_big = false;
	r->sink_rc = 0;
	r->up_done = 0;
}

char *hull_reg_error(const struct hull_reg_resp *r)
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

static int perform(struct hull_registry *r, const char *url, const char *accept,
		   struct hull_reg_resp *out, struct hull_err *err);

static char *escape(CURL *c, const char *s)
{
	char *e = curl_easy_escape(c, s, 0);
	char *out = xstrdup(e ? e : "");
	curl_free(e);
	return out;
}

/* "&scope=A&scope=B" of a space-separated list of scopes (a challenge's, as distribution
 * joins a mount's two): one parameter each, as token services read them. */
static void add_scopes(CURL *curl, char **q, const char *list)
{
	cleanup_free char *copy = xstrdup(list);
	char *save = NULL;

	for (char *s = strtok_r(copy, " ", &save); s; s = strtok_r(NULL, " ", &save)) {
		cleanup_free char *e = escape(curl, s);
		char *n = hull_strfmt("%s&scope=%s", *q, e);
		free(*q);
		*q = n;
	}
}

/* Answer a 401: get a bearer token from the realm it names, or switch to basic auth.  own:
 * ask for this connection's own scope (pull, or pull,push for a push) rather than the
 * challenge's, which may be that of an earlier request that only read. */
static int authenticate(struct hull_registry *r, const char *challenge, bool own,
			struct hull_err *err)
{
	struct hull_auth_challenge c;
	cleanup_free char *url = NULL, *what = NULL;
	struct hull_reg_resp tr = {.o = r->o, .max = HULL_TOKEN_ANSWER_MAX};
	int rc = -1;

	if (hull_auth_challenge_parse(challenge, r->host, &c, err) < 0)
		return -1;
	if (c.scheme == HULL_AUTH_BASIC) {
		hull_auth_challenge_free(&c);
		if (!r->o->username || r->basic)
			return hull_error(err, EACCES,
					  "%s asks for a user name and password (give --creds "
					  "USER:PASSWORD or `hull login`)",
					  r->host);
		r->basic = true;
		return 0;
	}
	if (challenge != r->challenge)
		set(&r->challenge, xstrdup(challenge));
	{
		cleanup_free char *es = escape(r->curl, c.service ? c.service : "");
		cleanup_free char *dflt = *r->repository
						  ? hull_strfmt("repository:%s:%s", r->repository,
								r->push ? "pull,push" : "pull")
						  : NULL;
		const char *scope = c.scope && !(own && dflt) ? c.scope : dflt;
		/* /v2/ alone (login) asks for no scope: the token only proves the password */
		url = hull_strfmt("%s%sservice=%s", c.realm, strchr(c.realm, '?') ? "&" : "?", es);
		if (scope)
			add_scopes(r->curl, &url, scope);
		if (r->extra_scope)
			add_scopes(r->curl, &url, r->extra_scope);
	}
	what = hull_strfmt("the token answer of %.*s", ECHO_MAX, c.realm);
	tr.what = what;
	/* the token request carries the user's credentials, if any; the registry never does */
	r->basic = r->o->username != NULL;
	set(&r->auth_header, NULL);
	if (perform(r, url, "application/json", &tr, err) < 0)
		goto out;
	r->basic = false;
	if (tr.status != 200) {
		cleanup_free char *why = hull_reg_error(&tr);
		hull_error(err, EACCES, "get a token for %s from %.*s: %s",
			   *r->repository ? r->repository : r->host, ECHO_MAX, c.realm, why);
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
	hull_reg_resp_free(&tr);
	return rc;
}

int hull_reg_reauth(struct hull_registry *r, struct hull_err *err)
{
	cleanup_free char *ch = r->challenge ? xstrdup(r->challenge) : NULL;
	return ch ? authenticate(r, ch, true, err) : 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void set_method(CURL *c, struct hull_reg_resp *out)
{
	const char *m = out->method;

	if (!m)
		return;
	if (!strcmp(m, "HEAD")) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		return;
	}
	if (out->up_len || !strcmp(m, "PUT")) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)out->up_len);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, out);
	} else {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	}
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
}

static int perform(struct hull_registry *r, const char *url, const char *accept,
		   struct hull_reg_resp *out, struct hull_err *err)
{
	struct curl_slist *h = NULL;
	cleanup_free char *accept_h = hull_strfmt("Accept: %s", accept);
	cleanup_free char *ct_h = NULL, *range_h = NULL;
	const char *method = out->method ? out->method : "GET";
	char ebuf[CURL_ERROR_SIZE] = "";
	CURLcode cc;
	bool tls_off = r->o->insecure;
	long stall = r->o->stall_seconds ? (long)r->o->stall_seconds : HULL_STALL_DEFAULT;
	uint64_t left = 0, started;

	if (r->o->deadline_ms) {
		uint64_t now = now_ms();
		if (now >= r->o->deadline_ms)
			return hull_error(err, ETIMEDOUT,
					  "out of time: the %s took longer than %u s "
					  "(HULL_PULL_TIMEOUT)",
					  r->push ? "push" : "pull", r->o->timeout_seconds);
		left = r->o->deadline_ms - now;
	}
	curl_easy_reset(r->curl);
	h = curl_slist_append(h, accept_h);
	if (r->auth_header)
		h = curl_slist_append(h, r->auth_header);
	if (out->content_type) {
		ct_h = hull_strfmt("Content-Type: %s", out->content_type);
		h = curl_slist_append(h, ct_h);
	}
	if (out->range_from) {
		range_h = hull_strfmt("Range: bytes=%llu-", (unsigned long long)out->range_from);
		h = curl_slist_append(h, range_h);
	}
	/* no "Expect: 100-continue" pause before each upload */
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(r->curl, CURLOPT_URL, url);
	curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(r->curl, CURLOPT_FOLLOWLOCATION, out->method ? 0L : 1L);
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
	/* threads: no SIGALRM for name lookups */
	curl_easy_setopt(r->curl, CURLOPT_NOSIGNAL, 1L);
	set_method(r->curl, out);
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
				  "%s %s: out of time: the %s took longer than %u s "
				  "(HULL_PULL_TIMEOUT)",
				  method, url, r->push ? "push" : "pull", r->o->timeout_seconds);
	if (cc == CURLE_OPERATION_TIMEDOUT)
		return hull_error(err, ETIMEDOUT,
				  "%s %s: stalled (HULL_PULL_STALL_TIMEOUT=%ld): %s", method, url,
				  stall, ebuf[0] ? ebuf : curl_easy_strerror(cc));
	if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && !ok_status(out->status))) {
		/* ECONNRESET marks what a retry may resume: the connection went away */
		bool dropped = cc == CURLE_PARTIAL_FILE || cc == CURLE_RECV_ERROR ||
			       cc == CURLE_GOT_NOTHING || cc == CURLE_SEND_ERROR;
		return hull_error(err, dropped ? ECONNRESET : EIO, "%s %s: %s", method, url,
				  ebuf[0] ? ebuf : curl_easy_strerror(cc));
	}
	return 0;
}

int hull_reg_request(struct hull_registry *r, const char *url, const char *accept,
		     struct hull_reg_resp *out, struct hull_err *err)
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
			hull_reg_resp_reset(out);
			if (authenticate(r, ch, false, err) < 0)
				return -1;
		}
	}
	if (out->status == 401 || out->status == 403) {
		cleanup_free char *why = hull_reg_error(out);
		return hull_error(err, EACCES, "%s%s%s: access denied: %s", r->host,
				  *r->repository ? "/" : "", r->repository, why);
	}
	return 0;
}
