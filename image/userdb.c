/* SPDX-License-Identifier: Apache-2.0 */
#include "image/userdb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/pathres.h"
#include "lib/util.h"

static bool numeric(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;
	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* The file's text, or NULL when the image has none (which is not an error by itself). */
static char *read_db(int rootfd, const char *path, struct hull_err *err, int *rc)
{
	cleanup_close int fd = hull_open_in_root(rootfd, path, O_RDONLY, 0, NULL);
	char *text = NULL;
	*rc = 0;
	if (fd < 0) {
		if (errno != ENOENT)
			*rc = hull_error(err, errno, "open the image's `%s`", path);
		return NULL;
	}
	if (hull_read_fd(fd, &text, NULL, err) < 0)
		*rc = hull_error_wrap(err, "the image's `%s`", path);
	return text;
}

/* Split a line into at most n ':'-separated fields; returns how many. */
static size_t fields(char *line, char **f, size_t n)
{
	size_t i = 0;
	char *p = line;
	while (i < n) {
		f[i++] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p++ = '\0';
	}
	return i;
}

static bool is_member(char *members, const char *name)
{
	char *save = NULL, *m;
	for (m = strtok_r(members, ",", &save); m; m = strtok_r(NULL, ",", &save))
		if (!strcmp(m, name))
			return true;
	return false;
}

int hull_user_resolve(int rootfd, const char *spec, struct hull_user *u, struct hull_err *err)
{
	cleanup_free char *copy = xstrdup(spec), *passwd = NULL, *group = NULL, *name = NULL;
	char *user = copy, *grp = strchr(copy, ':'), *line, *save = NULL;
	bool have_uid, found = false, gid_set = false;
	uint32_t id;
	int rc;

	memset(u, 0, sizeof(*u));
	if (grp)
		*grp++ = '\0';
	passwd = read_db(rootfd, "/etc/passwd", err, &rc);
	if (rc < 0)
		return -1;
	have_uid = numeric(user, &u->uid);
	if (!*user) {
		have_uid = true;
		u->uid = 0;
	}
	for (line = passwd ? strtok_r(passwd, "\n", &save) : NULL; line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[7];
		uint32_t uid, gid;
		size_t fields_n = fields(line, f, 7);
		if (fields_n < 4 || !numeric(f[2], &uid) || !numeric(f[3], &gid))
			continue;
		if (have_uid ? uid != u->uid : strcmp(f[0], user))
			continue;
		found = true;
		u->uid = uid;
		u->gid = gid;
		name = xstrdup(f[0]);
		if (fields_n > 5)
			u->home = xstrdup(f[5]);
	}
	if (!found && !have_uid)
		return hull_error(err, ENOENT,
				  "unable to find user %s: no matching entries in the image's "
				  "/etc/passwd",
				  user);
	group = read_db(rootfd, "/etc/group", err, &rc);
	if (rc < 0)
		return -1;
	if (grp && *grp) {
		if (numeric(grp, &id)) {
			u->gid = id;
			gid_set = true;
		}
	}
	save = NULL;
	for (line = group ? strtok_r(group, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = {NULL, NULL, NULL, NULL};
		uint32_t gid;
		if (fields(line, f, 4) < 3 || !numeric(f[2], &gid))
			continue;
		if (grp && *grp && !gid_set && !strcmp(f[0], grp)) {
			u->gid = gid;
			gid_set = true;
		}
		if (name && f[3] && is_member(f[3], name) && gid != u->gid) {
			u->groups = xrealloc(u->groups, (u->n_groups + 1) * sizeof(uint32_t));
			u->groups[u->n_groups++] = gid;
		}
	}
	if (grp && *grp && !gid_set) {
		hull_user_free(u);
		return hull_error(err, ENOENT,
				  "unable to find group %s: no matching entries in the image's "
				  "/etc/group",
				  grp);
	}
	return 0;
}

void hull_user_free(struct hull_user *u)
{
	free(u->home);
	u->home = NULL;
	free(u->groups);
	u->groups = NULL;
	u->n_groups = 0;
}
