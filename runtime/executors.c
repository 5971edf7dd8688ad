/* SPDX-License-Identifier: Apache-2.0 */
/* The isolation levels a front end composed, and the choice of one for a new container or an
 * existing one (runtime/executor.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "runtime/annotations.h"
#include "runtime/executor.h"

static const struct hull_executor *const container_only[] = {&hull_container_executor};
static const struct hull_executor *const *levels = container_only;
static size_t n_levels = ARRAY_SIZE(container_only);

void hull_executors_use(const struct hull_executor *const *list, size_t n)
{
	if (!list || !n) {
		list = container_only;
		n = ARRAY_SIZE(container_only);
	}
	levels = list;
	n_levels = n;
}

const struct hull_executor *const *hull_executors(size_t *n)
{
	*n = n_levels;
	return levels;
}

static const struct hull_executor *by_name(const char *name)
{
	for (size_t i = 0; i < n_levels; i++)
		if (!strcmp(levels[i]->name, name))
			return levels[i];
	return NULL;
}

/* "container, vm": for errors that say what there is. */
static void names(char *buf, size_t size)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n_levels && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? ", " : "",
					levels[i]->name);
}

/* An error naming the level asked for (where: who asked for it) and the levels there are:
 * a spec that asks for an unknown level is invalid, a known one that was left out of this
 * program is not supported here. */
static const struct hull_executor *unknown(int errnum, const char *where, const char *name,
					   struct hull_err *err)
{
	char have[256];
	names(have, sizeof(have));
	hull_error(err, errnum, "%s: isolation level `%s` is not one this runtime has (it has: %s)",
		   where, name, have);
	return NULL;
}

const struct hull_executor *hull_executor_choose(const struct hull_spec *spec, const char *invoked,
						 struct hull_err *err)
{
	const char *a = hull_spec_annotation(spec, HULL_ANNOT_ISOLATION);
	const struct hull_executor *ex;

	if (a && *a) {
		ex = by_name(a);
		return ex ? ex
			  : unknown(EINVAL, "config.json: annotation " HULL_ANNOT_ISOLATION, a,
				    err);
	}
	if (invoked && *invoked) {
		ex = by_name(invoked);
		return ex ? ex
			  : unknown(ENOTSUP, "the name the runtime was invoked by", invoked, err);
	}
	for (size_t i = 0; i < n_levels; i++)
		if (levels[i]->claims && levels[i]->claims(spec))
			return levels[i];
	return levels[0];
}

const struct hull_executor *hull_executor_find(const char *name, struct hull_err *err)
{
	const struct hull_executor *ex;
	if (!name || !*name)
		return levels[0];
	ex = by_name(name);
	return ex ? ex : unknown(ENOTSUP, "state.json", name, err);
}
