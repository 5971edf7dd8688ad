/* SPDX-License-Identifier: Apache-2.0 */
#include "image/ref.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "lib/util.h"

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]+ joined by one of ".", "_", "__" or a run of "-" */
static bool path_component_ok(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t run = 0;
		if (!is_lower_alnum(s[i]))
			return false;
		while (i < n && is_lower_alnum(s[i]))
			i++;
		if (i == n)
			return true;
		if (s[i] == '.' || s[i] == '_') {
			run = (s[i] == '_' && i + 1 < n && s[i + 1] == '_') ? 2 : 1;
		} else if (s[i] == '-') {
			while (i + run < n && s[i + run] == '-')
				run++;
		} else {
			return false;
		}
		i += run;
		if (i == n)
			return false;
	}
	return n > 0;
}

static bool domain_ok(const char *s, size_t n)
{
	size_t i;
	const char *colon = memchr(s, ':', n);
	size_t host = colon ? (size_t)(colon - s) : n;
	if (host == 0)
		return false;
	for (i = 0; i < host; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-')
			return false;
	if (colon) {
		if (host + 1 == n)
			return false;
		for (i = host + 1; i < n; i++)
			if (!isdigit((unsigned char)s[i]))
				return false;
	}
	return true;
}

static bool tag_ok(const char *t)
{
	size_t i, n = strlen(t);
	if (n == 0 || n > 128 || !(isalnum((unsigned char)t[0]) || t[0] == '_'))
		return false;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)t[i]) && !strchr("_.-", t[i]))
			return false;
	return true;
}

int hull_ref_normalize(const char *ref, char **name_out, struct hull_err *err)
{
	cleanup_free char *repo = NULL;
	const char *slash, *colon, *path, *tag = "latest", *c, *end;
	size_t domain_len = 0;
	bool hub;

	if (!*ref)
		return hull_error(err, EINVAL, "invalid reference format: empty name");
	if (strchr(ref, '@'))
		return hull_error(err, EINVAL,
				  "invalid reference format `%s`: digests are not supported here",
				  ref);
	slash = strrchr(ref, '/');
	colon = strrchr(slash ? slash : ref, ':');
	repo = colon ? strndup(ref, colon - ref) : xstrdup(ref);
	if (!repo)
		abort();
	if (colon) {
		tag = colon + 1;
		if (!tag_ok(tag))
			return hull_error(err, EINVAL, "invalid reference format `%s`: bad tag",
					  ref);
	}
	/* the first component is a registry host when it looks like one */
	slash = strchr(repo, '/');
	if (slash) {
		size_t n = slash - repo;
		if (memchr(repo, '.', n) || memchr(repo, ':', n) ||
		    !strncmp(repo, "localhost", n) ||
		    strcspn(repo, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") < n) {
			if (!domain_ok(repo, n))
				return hull_error(
					err, EINVAL,
					"invalid reference format `%s`: bad registry host", ref);
			domain_len = n + 1;
		}
	}
	path = repo + domain_len;
	for (c = path;; c = end + 1) {
		end = strchr(c, '/');
		if (!end)
			end = c + strlen(c);
		if (!path_component_ok(c, end - c))
			return hull_error(err, EINVAL,
					  "invalid reference format `%s`: repository names must "
					  "be lowercase letters, digits and separators",
					  ref);
		if (!*end)
			break;
	}
	if (strlen(repo) > 255)
		return hull_error(err, EINVAL, "invalid reference format `%s`: name too long", ref);
	hub = !domain_len || !strncmp(repo, "docker.io/", domain_len) ||
	      !strncmp(repo, "index.docker.io/", domain_len);
	path = hub ? repo + domain_len : repo;
	if (hub && hull_has_prefix(path, "library/") && !strchr(path + 8, '/'))
		path += 8;
	if (name_out)
		*name_out = hull_strfmt("%s:%s", path, tag);
	return 0;
}

void hull_ref_split(const char *name, char **repo, char **tag)
{
	const char *slash = strrchr(name, '/');
	const char *colon = strrchr(slash ? slash : name, ':');
	if (!colon) {
		*repo = xstrdup(name);
		*tag = xstrdup("latest");
		return;
	}
	*repo = strndup(name, colon - name);
	if (!*repo)
		abort();
	*tag = xstrdup(colon + 1);
}
