#include "user.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/pathres.h"
#include "runtime/util.h"

static bool parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !*end && errno == 0 && *out < UINT_MAX;
}

/* Split a passwd/group line into at most n ':' fields (empty fields kept). */
static size_t fields(char *line, char **f, size_t n)
{
	size_t i = 0;

	line[strcspn(line, "\n")] = '\0';
	while (i < n) {
		f[i++] = line;
		line = strchr(line, ':');
		if (!line)
			break;
		*line++ = '\0';
	}
	return i;
}

static FILE *open_etc(int rootfd, const char *path)
{
	int fd = hull_open_in_root(rootfd, path, O_RDONLY | O_CLOEXEC, 0, NULL);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

int hull_user_resolve(const char *rootfs, const char *spec, struct hull_user *out,
		      struct hull_err *err)
{
	cleanup_close int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_free char *user = xstrdup(spec), *uname = NULL;
	char *group = strchr(user, ':');
	unsigned long num;
	bool found = false;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	memset(out, 0, sizeof(*out));
	if (rootfd < 0)
		return hull_error(err, errno, "open the rootfs %s", rootfs);
	if (group)
		*group++ = '\0';
	if (!*user || (group && !*group))
		return hull_error(err, EINVAL, "invalid user `%s`", spec);
	f = open_etc(rootfd, "/etc/passwd");
	while (f && getline(&line, &cap, f) > 0) {
		char *fl[7];
		unsigned long uid, gid;
		if (fields(line, fl, 7) < 7 || !parse_id(fl[2], &uid) || !parse_id(fl[3], &gid))
			continue;
		if (strcmp(fl[0], user) != 0 && !(parse_id(user, &num) && num == uid))
			continue;
		out->uid = (uid_t)uid;
		out->gid = (gid_t)gid;
		out->home = xstrdup(fl[5]);
		uname = xstrdup(fl[0]);
		found = true;
		break;
	}
	if (f)
		fclose(f);
	if (!found) {
		if (!parse_id(user, &num)) {
			free(line);
			return hull_error(
				err, ENOENT,
				"unable to find user %s: no matching entries in passwd file", user);
		}
		out->uid = (uid_t)num;
		out->gid = 0;
	}
	if (group && parse_id(group, &num)) {
		out->gid = (gid_t)num;
		group = NULL;
	}
	/* the named group, and every group that lists the user as a member */
	f = open_etc(rootfd, "/etc/group");
	while (f && getline(&line, &cap, f) > 0) {
		char *fl[4];
		unsigned long gid;
		if (fields(line, fl, 4) < 4 || !parse_id(fl[2], &gid))
			continue;
		if (group && strcmp(fl[0], group) == 0) {
			out->gid = (gid_t)gid;
			group = NULL;
		}
		if (!uname)
			continue;
		char *save = NULL;
		for (char *m = strtok_r(fl[3], ",", &save); m; m = strtok_r(NULL, ",", &save)) {
			if (strcmp(m, uname) != 0)
				continue;
			out->groups = xrealloc(out->groups, (out->n_groups + 1) * sizeof(gid_t));
			out->groups[out->n_groups++] = (gid_t)gid;
		}
	}
	if (f)
		fclose(f);
	free(line);
	if (group) {
		hull_user_free(out);
		return hull_error(err, ENOENT,
				  "unable to find group %s: no matching entries in group file",
				  group);
	}
	return 0;
}

void hull_user_free(struct hull_user *u)
{
	free(u->groups);
	free(u->home);
	u->groups = NULL;
	u->home = NULL;
	u->n_groups = 0;
}
