/* SPDX-License-Identifier: Apache-2.0 */
#include "image/echo.h"
#include "image/whiteout.h"

#include <errno.h>
#include <string.h>

#include "lib/util.h"

int hull_layer_path_clean(const char *path, char **out, struct hull_err *err)
{
	size_t len = strlen(path), n = 0;
	char *res = xmalloc(len + 2);
	const char *c = path, *end;

	*out = NULL;
	if (path[0] == '/') {
		free(res);
		return hull_error(err, EPERM, "`%s`: absolute path in a layer", ECHO(path));
	}
	for (; *c; c = *end ? end + 1 : end) {
		end = strchr(c, '/');
		if (!end)
			end = c + strlen(c);
		if (end == c || (end - c == 1 && c[0] == '.'))
			continue;
		if (end - c == 2 && c[0] == '.' && c[1] == '.') {
			free(res);
			return hull_error(err, EPERM, "`%s`: `..` in a layer path", ECHO(path));
		}
		if (n)
			res[n++] = '/';
		memcpy(res + n, c, end - c);
		n += end - c;
	}
	if (!n)
		res[n++] = '.';
	res[n] = '\0';
	*out = res;
	return 0;
}

enum hull_wh_kind hull_whiteout_classify(const char *path, char **target, struct hull_err *err)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dirlen = slash ? (size_t)(slash - path) : 0;

	*target = NULL;
	if (!hull_has_prefix(base, HULL_WH_PREFIX))
		return HULL_WH_NONE;
	if (!strcmp(base, HULL_WH_OPQ_NAME)) {
		*target = dirlen ? strndup(path, dirlen) : xstrdup(".");
		if (!*target)
			abort();
		return HULL_WH_OPAQUE;
	}
	if (hull_has_prefix(base, HULL_WH_PREFIX HULL_WH_PREFIX))
		return HULL_WH_RESERVED;
	if (!base[4] || !strcmp(base + 4, ".") || !strcmp(base + 4, "..")) {
		hull_error(err, EINVAL, "`%s`: whiteout without a proper name", ECHO(path));
		return HULL_WH_ERROR;
	}
	*target = dirlen ? hull_strfmt("%.*s/%s", (int)dirlen, path, base + 4) : xstrdup(base + 4);
	return HULL_WH_FILE;
}
