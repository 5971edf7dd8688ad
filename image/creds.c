/* SPDX-License-Identifier: Apache-2.0 */
/* Stored credentials (creds.h).  hull's own file is ~/.config/hull/auth.json: it lasts across
 * reboots as docker's ~/.docker/config.json does (podman's root file under /run does not), it
 * belongs to the user, not to an image store, and no other tool rewrites it. */
#include "image/creds.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "lib/json.h"
#include "lib/util.h"

extern char **environ;

/* Docker Hub answers to these names; docker and podman store it under one of them. */
static const char *const hub_names[] = {"docker.io", "index.docker.io", "registry-1.docker.io"};
/* The server name docker hands a credential helper for Docker Hub. */
#define HUB_SERVER "https://index.docker.io/v1/"

void hull_creds_free(struct hull_creds *c)
{
	free(c->username);
	if (c->password)
		explicit_bzero(c->password, strlen(c->password));
	free(c->password);
	free(c->source);
	memset(c, 0, sizeof(*c));
}

static bool is_hub(const char *host)
{
	for (size_t i = 0; i < ARRAY_SIZE(hub_names); i++)
		if (!strcmp(host, hub_names[i]))
			return true;
	return false;
}

/* A key of a config file as the registry host it names: "https://index.docker.io/v1/" is
 * "docker.io", "http://h:5000/v2/" is "h:5000"; a key with a path but no scheme is podman's
 * per-namespace entry, which names no whole registry (NULL). */
static char *key_host(const char *key)
{
	const char *k = key;
	size_t n;
	bool scheme = false;

	if (hull_has_prefix(k, "https://") || hull_has_prefix(k, "http://")) {
		k = strstr(k, "://") + 3;
		scheme = true;
	}
	n = strcspn(k, "/");
	if (k[n] && !scheme && k[n + 1])
		return NULL;
	{
		char *h = strndup(k, n);
		if (h && is_hub(h)) {
			free(h);
			h = xstrdup("docker.io");
		}
		return h;
	}
}

char *hull_creds_key(const char *registry)
{
	char *h = key_host(registry);
	return h ? h : xstrdup(registry);
}

static bool key_matches(const char *key, const char *want)
{
	cleanup_free char *h = key_host(key);
	return h && !strcmp(h, want);
}

/* "user:password" out of base64 */
static int decode_auth(const char *b64, struct hull_creds *c)
{
	size_t n = strlen(b64);
	cleanup_free unsigned char *out = xmalloc(n / 4 * 3 + 4);
	int len = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
	char *colon;

	if (len < 0)
		return -1;
	/* EVP_DecodeBlock counts the padding's zero bytes */
	while (n && b64[n - 1] == '=' && len > 0) {
		n--;
		len--;
	}
	out[len] = '\0';
	colon = strchr((char *)out, ':');
	if (!colon || colon == (char *)out)
		return -1;
	c->username = strndup((char *)out, (size_t)(colon - (char *)out));
	c->password = xstrdup(colon + 1);
	explicit_bzero(out, (size_t)len);
	return 0;
}

/* Run docker-credential-NAME get with the server on stdin; its JSON answer. */
static int run_helper(const char *name, const char *server, struct hull_creds *c,
		      struct hull_err *err)
{
	cleanup_free char *prog = hull_strfmt("docker-credential-%s", name);
	char *argv[] = {prog, "get", NULL};
	int in[2] = {-1, -1}, out[2] = {-1, -1}, status = 0, rc = -1;
	posix_spawn_file_actions_t fa;
	cleanup_free char *text = NULL;
	size_t len = 0;
	pid_t pid;
	char ebuf[128];
	yajl_val j = NULL;

	if (strpbrk(name, "/ ") || !*name)
		return hull_error(err, EINVAL, "credential helper `%.64s`: not a helper name",
				  name);
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		hull_error(err, errno, "pipe");
		goto close;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	errno = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (errno) {
		hull_error(err, errno, "run the credential helper `%s`", prog);
		goto close;
	}
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	{
		/* a helper that exits without reading must not kill us */
		void (*old)(int) = signal(SIGPIPE, SIG_IGN);
		hull_write_all(in[1], server, strlen(server));
		signal(SIGPIPE, old);
	}
	close(in[1]);
	in[1] = -1;
	text = xmalloc(HULL_CRED_HELPER_MAX + 1);
	for (ssize_t n; len < HULL_CRED_HELPER_MAX &&
			(n = read(out[0], text + len, HULL_CRED_HELPER_MAX - len)) != 0;) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
	}
	text[len] = '\0';
	close(out[0]);
	out[0] = -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* "credentials not found": nothing stored for this server, not a failure */
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		rc = 0;
		goto close;
	}
	j = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	{
		const char *u = hull_json_str(sj_get(j, "Username"));
		const char *p = hull_json_str(sj_get(j, "Secret"));
		if (!j || !u || !p) {
			hull_error(err, EINVAL,
				   "the credential helper `%s` answered no Username and "
				   "Secret",
				   prog);
			goto close;
		}
		/* an identity token is for docker's OAuth flow, which hull does not speak */
		if (strcmp(u, "<token>")) {
			c->username = xstrdup(u);
			c->password = xstrdup(p);
			c->source = xstrdup(prog);
		}
	}
	rc = 0;
close:
	yajl_tree_free(j);
	if (text)
		explicit_bzero(text, len);
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return rc;
}

/* The value of the first key of obj that names want. */
static yajl_val find_key(yajl_val obj, const char *want)
{
	if (!obj || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (key_matches(obj->u.object.keys[i], want))
			return obj->u.object.values[i];
	return NULL;
}

/* One config file: 1 found, 0 not (or no file), -1 error. */
static int from_file(const char *path, const char *want, const char *server, struct hull_creds *c,
		     struct hull_err *err)
{
	cleanup_free char *text = NULL;
	char ebuf[256];
	yajl_val j, entry, helper;
	const char *store;
	int rc = 0;

	if (hull_read_file(path, &text, NULL, NULL) < 0)
		return 0;
	j = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!j || !YAJL_IS_OBJECT(j)) {
		yajl_tree_free(j);
		return hull_error(err, EINVAL, "credentials file `%s`: not a JSON object", path);
	}
	helper = find_key(sj_get(j, "credHelpers"), want);
	store = hull_json_str(sj_get(j, "credsStore"));
	if (store && !*store)
		store = NULL; /* docker writes "" for none */
	if (hull_json_str(helper) && !*hull_json_str(helper))
		helper = NULL;
	if (hull_json_str(helper) || store) {
		if (run_helper(hull_json_str(helper) ? hull_json_str(helper) : store, server, c,
			       err) < 0) {
			rc = -1;
			goto out;
		}
		if (c->username) {
			rc = 1;
			goto out;
		}
	}
	entry = find_key(sj_get(j, "auths"), want);
	if (entry && YAJL_IS_OBJECT(entry)) {
		const char *a = hull_json_str(sj_get(entry, "auth"));
		const char *u = hull_json_str(sj_get(entry, "username"));
		const char *p = hull_json_str(sj_get(entry, "password"));
		if (a && *a && decode_auth(a, c) < 0) {
			rc = hull_error(err, EINVAL,
					"credentials file `%s`: the `auth` of %s is not "
					"base64(USER:PASSWORD)",
					path, want);
			goto out;
		}
		if (!c->username && u && p) {
			c->username = xstrdup(u);
			c->password = xstrdup(p);
		}
		if (c->username) {
			c->source = xstrdup(path);
			rc = 1;
		}
	}
out:
	yajl_tree_free(j);
	return rc;
}

static char *home_path(const char *xdg_var, const char *dflt, const char *rest)
{
	const char *x = getenv(xdg_var), *home = getenv("HOME");
	if (x && *x)
		return hull_strfmt("%s/%s", x, rest);
	return hull_strfmt("%s/%s/%s", home && *home ? home : "/root", dflt, rest);
}

/* ~/.docker/config.json */
static char *docker_file(void)
{
	const char *home = getenv("HOME");
	return hull_strfmt("%s/.docker/config.json", home && *home ? home : "/root");
}

char *hull_creds_file(const char *authfile)
{
	const char *env = getenv("REGISTRY_AUTH_FILE");
	if (authfile)
		return xstrdup(authfile);
	if (env && *env)
		return xstrdup(env);
	return home_path("XDG_CONFIG_HOME", ".config", HULL_AUTH_FILE);
}

int hull_creds_find(const char *host, const char *authfile, struct hull_creds *c,
		    struct hull_err *err)
{
	cleanup_free char *want = hull_creds_key(host);
	const char *server = !strcmp(want, "docker.io") ? HUB_SERVER : want;
	const char *env = getenv("REGISTRY_AUTH_FILE"), *dc = getenv("DOCKER_CONFIG");
	const char *rt = getenv("XDG_RUNTIME_DIR");
	char *files[6] = {0};
	size_t n = 0;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	if (authfile)
		files[n++] = xstrdup(authfile);
	else if (env && *env)
		files[n++] = xstrdup(env);
	files[n++] = home_path("XDG_CONFIG_HOME", ".config", HULL_AUTH_FILE);
	/* podman's: under the runtime directory, /run/containers/UID for root */
	files[n++] = rt && *rt ? hull_strfmt("%s/containers/auth.json", rt)
			       : hull_strfmt("/run/containers/%u/auth.json", (unsigned)getuid());
	files[n++] = home_path("XDG_CONFIG_HOME", ".config", "containers/auth.json");
	files[n++] = dc && *dc ? hull_strfmt("%s/config.json", dc) : docker_file();
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = from_file(files[i], want, server, c, err);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	if (rc < 0)
		hull_creds_free(c);
	return rc < 0 ? -1 : 0;
}

/* The file as it is, rewritten with the auths entry of key replaced by auth (or dropped
 * when auth is NULL; every entry when key is NULL). */
static int rewrite(const char *file, const char *key, const char *auth, bool *had,
		   struct hull_err *err)
{
	cleanup_free char *text = NULL, *dir = NULL, *out = NULL;
	char ebuf[256];
	yajl_val j = NULL, auths;
	yajl_gen g;
	int rc;

	if (had)
		*had = false;
	if (access(file, F_OK) == 0 && hull_read_file(file, &text, NULL, err) < 0)
		return -1;
	if (text && *text) {
		j = yajl_tree_parse(text, ebuf, sizeof(ebuf));
		if (!j || !YAJL_IS_OBJECT(j)) {
			yajl_tree_free(j);
			return hull_error(err, EINVAL, "credentials file `%s`: not a JSON object",
					  file);
		}
	}
	auths = j ? sj_get(j, "auths") : NULL;
	g = yajl_gen_alloc(NULL);
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "\t");
	yajl_gen_map_open(g);
	hull_gen_str(g, "auths");
	yajl_gen_map_open(g);
	for (size_t i = 0; auths && YAJL_IS_OBJECT(auths) && i < auths->u.object.len; i++) {
		const char *k = auths->u.object.keys[i];
		if (!key || key_matches(k, key)) {
			if (had)
				*had = true;
			continue;
		}
		hull_gen_str(g, k);
		sj_gen(g, auths->u.object.values[i]);
	}
	if (auth) {
		hull_gen_str(g, key);
		yajl_gen_map_open(g);
		hull_gen_str(g, "auth");
		hull_gen_str(g, auth);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	for (size_t i = 0; j && i < j->u.object.len; i++) {
		if (!strcmp(j->u.object.keys[i], "auths"))
			continue;
		hull_gen_str(g, j->u.object.keys[i]);
		sj_gen(g, j->u.object.values[i]);
	}
	yajl_gen_map_close(g);
	yajl_tree_free(j);
	out = hull_gen_text(g);
	dir = xstrdup(file);
	if (strrchr(dir, '/')) {
		*strrchr(dir, '/') = '\0';
		if (*dir && hull_mkdir_p(dir, 0700, err) < 0)
			return -1;
	}
	/* a new file is made 0600 before a byte is written; rename keeps readers whole */
	rc = hull_write_file_atomic(file, out, strlen(out), 0600, err);
	if (rc == 0)
		chmod(file, 0600);
	explicit_bzero(out, strlen(out));
	return rc;
}

int hull_creds_store(const char *file, const char *registry, const char *user, const char *pass,
		     struct hull_err *err)
{
	cleanup_free char *key = hull_creds_key(registry);
	cleanup_free char *plain = hull_strfmt("%s:%s", user, pass);
	size_t n = strlen(plain);
	cleanup_free char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);
	int rc;

	EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)plain, (int)n);
	rc = rewrite(file, key, b64, NULL, err);
	explicit_bzero(plain, n);
	explicit_bzero(b64, strlen(b64));
	return rc;
}

int hull_creds_erase(const char *file, const char *registry, bool *had, struct hull_err *err)
{
	cleanup_free char *key = registry ? hull_creds_key(registry) : NULL;
	if (access(file, F_OK) < 0 && errno == ENOENT) {
		*had = false;
		return 0;
	}
	return rewrite(file, key, NULL, had, err);
}
