/* SPDX-License-Identifier: Apache-2.0 */
#include "image/dockerman.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "image/echo.h"
#include "lib/json.h"
#include "lib/util.h"

static int check_paths(char *const *v, const char *path, struct hull_err *err)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (!*v[i])
			return hull_error(err, EINVAL, "manifest.json: %s[%zu] is empty", path, i);
		if (strlen(v[i]) > HULL_ARCHIVE_PATH_MAX)
			return hull_error(err, ENAMETOOLONG,
					  "manifest.json: %s[%zu] is longer than %d bytes: `%s`",
					  path, i, HULL_ARCHIVE_PATH_MAX, ECHO(v[i]));
	}
	return 0;
}

/* key: absent, null or an array of strings */
static int strv(yajl_val e, const char *key, const char *path, char ***out, struct hull_err *err)
{
	yajl_val a = sj_get(e, key);
	size_t i;

	if (!a || YAJL_IS_NULL(a))
		return 0;
	if (!YAJL_IS_ARRAY(a))
		goto bad;
	for (i = 0; i < a->u.array.len; i++)
		if (!YAJL_IS_STRING(a->u.array.values[i]))
			goto bad;
	*out = xzalloc((a->u.array.len + 1) * sizeof(char *));
	for (i = 0; i < a->u.array.len; i++)
		(*out)[i] = xstrdup(a->u.array.values[i]->u.string);
	return 0;
bad:
	return hull_error(err, EINVAL, "manifest.json: %s.%s must be an array of strings", path,
			  key);
}

static int parse_one(yajl_val e, const char *path, struct hull_docker_image *img,
		     struct hull_err *err)
{
	char *cfg[2] = {NULL, NULL};
	const char *c = hull_json_str(sj_get(e, "Config"));
	int rc;

	if (!YAJL_IS_OBJECT(e))
		return hull_error(err, EINVAL, "manifest.json: %s must be an object", path);
	if (!c)
		return hull_error(err, EINVAL, "manifest.json: %s.Config must be a string", path);
	img->config = xstrdup(c);
	if (strv(e, "Layers", path, &img->layers, err) < 0 ||
	    strv(e, "RepoTags", path, &img->tags, err) < 0)
		return -1;
	cfg[0] = img->config;
	rc = check_paths(cfg, "Config", err);
	if (rc == 0)
		rc = check_paths(img->layers, "Layers", err);
	return rc;
}

int hull_docker_manifest_parse(const char *json, struct hull_docker_image **v, size_t *n,
			       struct hull_err *err)
{
	char ebuf[256], path[32];
	yajl_val tree = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	size_t i;
	int rc = -1;

	*v = NULL;
	*n = 0;
	if (!tree || !YAJL_IS_ARRAY(tree) || !tree->u.array.len) {
		hull_error(err, EINVAL, "manifest.json: %s",
			   !tree		  ? ebuf
			   : !YAJL_IS_ARRAY(tree) ? "not an array"
						  : "no images in it (an empty array)");
		goto out;
	}
	*v = xzalloc(tree->u.array.len * sizeof(**v));
	for (i = 0; i < tree->u.array.len; i++) {
		snprintf(path, sizeof(path), "[%zu]", i);
		(*n)++;
		if (parse_one(tree->u.array.values[i], path, &(*v)[i], err) < 0)
			goto out;
	}
	rc = 0;
out:
	yajl_tree_free(tree);
	if (rc < 0) {
		hull_docker_manifest_free(*v, *n);
		*v = NULL;
		*n = 0;
	}
	return rc;
}

void hull_docker_manifest_free(struct hull_docker_image *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].config);
		hull_strv_free(v[i].layers);
		hull_strv_free(v[i].tags);
	}
	free(v);
}
