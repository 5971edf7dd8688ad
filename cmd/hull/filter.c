/* SPDX-License-Identifier: Apache-2.0 */
/* docker's filter sets: OR within a key, AND across keys. */
#include "cmd/hull/filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

int hull_filter_add(struct hull_filters *fs, const char *arg, const char *const *known,
		    struct hull_err *err)
{
	const char *eq = strchr(arg, '=');
	cleanup_free char *key = NULL;
	char list[256] = "";

	if (!eq || eq == arg)
		return hull_error(err, EINVAL, "--filter `%.64s`: not KEY=VALUE", arg);
	key = xzalloc((size_t)(eq - arg) + 1);
	memcpy(key, arg, (size_t)(eq - arg));
	for (const char *const *k = known; *k; k++) {
		if (!strcmp(*k, key)) {
			fs->f = xrealloc(fs->f, (fs->n + 1) * sizeof(*fs->f));
			fs->f[fs->n].key = steal_pointer(&key);
			fs->f[fs->n].value = xstrdup(eq + 1);
			fs->n++;
			return 0;
		}
		if (strlen(list) + strlen(*k) + 3 < sizeof(list)) {
			if (*list)
				strcat(list, ", ");
			strcat(list, *k);
		}
	}
	return hull_error(err, EINVAL, "--filter: unknown key `%.64s` (%s)", key, list);
}

bool hull_filter_has(const struct hull_filters *fs, const char *key)
{
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->f[i].key, key))
			return true;
	return false;
}

bool hull_filter_match(const struct hull_filters *fs,
		       bool (*match)(const char *key, const char *value, void *ctx), void *ctx)
{
	for (size_t i = 0; i < fs->n; i++) {
		bool any = false, first = true;
		/* each key once: the first time it appears, over all of its values */
		for (size_t j = 0; j < i && first; j++)
			first = strcmp(fs->f[j].key, fs->f[i].key) != 0;
		if (!first)
			continue;
		for (size_t j = i; j < fs->n && !any; j++)
			any = !strcmp(fs->f[j].key, fs->f[i].key) &&
			      match(fs->f[j].key, fs->f[j].value, ctx);
		if (!any)
			return false;
	}
	return true;
}

void hull_filters_free(struct hull_filters *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->f[i].key);
		free(fs->f[i].value);
	}
	free(fs->f);
	fs->f = NULL;
	fs->n = 0;
}

bool hull_filter_label(const struct hull_kv *labels, size_t n, const char *value)
{
	const char *eq = strchr(value, '=');
	size_t klen = eq ? (size_t)(eq - value) : strlen(value);

	for (size_t i = 0; i < n; i++)
		if (strlen(labels[i].key) == klen && !strncmp(labels[i].key, value, klen))
			return !eq || !strcmp(labels[i].value, eq + 1);
	return false;
}
