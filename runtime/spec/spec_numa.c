/* SPDX-License-Identifier: Apache-2.0 */
/* config.json `linux.memoryPolicy` (runtime-spec 1.3): the NUMA memory policy of the
 * container's process.  Mode, flags and nodes are checked here, so a bad one names the field;
 * what depends on the host (a node that is not online) is the kernel's to refuse. */
#include <errno.h>
#include <linux/mempolicy.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/spec/spec_parse.h"

/* Linux 6.9's mode; older kernel headers do not have it */
#define MPOL_WEIGHTED_INTERLEAVE_MODE 6
#define BITS_PER_WORD		      (8 * sizeof(unsigned long))

static const struct {
	const char *name;
	int mode;
} modes[] = {
	{"MPOL_DEFAULT", MPOL_DEFAULT},
	{"MPOL_PREFERRED", MPOL_PREFERRED},
	{"MPOL_BIND", MPOL_BIND},
	{"MPOL_INTERLEAVE", MPOL_INTERLEAVE},
	{"MPOL_LOCAL", MPOL_LOCAL},
	{"MPOL_PREFERRED_MANY", MPOL_PREFERRED_MANY},
	{"MPOL_WEIGHTED_INTERLEAVE", MPOL_WEIGHTED_INTERLEAVE_MODE},
};

static const struct {
	const char *name;
	unsigned flag;
} flags[] = {
	{"MPOL_F_NUMA_BALANCING", MPOL_F_NUMA_BALANCING},
	{"MPOL_F_RELATIVE_NODES", MPOL_F_RELATIVE_NODES},
	{"MPOL_F_STATIC_NODES", MPOL_F_STATIC_NODES},
};

static int parse_node(const char **s, unsigned long *out)
{
	char *end;
	if (**s < '0' || **s > '9')
		return -1;
	errno = 0;
	*out = strtoul(*s, &end, 10);
	if (errno)
		return -1;
	*s = end;
	return 0;
}

/* "0-3,7" (the kernel's node list format) into the mask. */
static int parse_nodes(const char *list, struct hull_mem_policy *mp, struct hull_err *err)
{
	const char *s = list;

	while (*s) {
		unsigned long lo, hi, n;
		if (parse_node(&s, &lo) < 0)
			goto bad;
		hi = lo;
		if (*s == '-') {
			s++;
			if (parse_node(&s, &hi) < 0 || hi < lo)
				goto bad;
		}
		if (hi >= HULL_NUMA_NODES_MAX)
			return hull_error(
				err, EINVAL,
				"config.json: `linux.memoryPolicy.nodes`: node %lu is past "
				"the last a kernel can have (%d)",
				hi, HULL_NUMA_NODES_MAX - 1);
		for (n = lo; n <= hi; n++)
			mp->nodes[n / BITS_PER_WORD] |= 1UL << (n % BITS_PER_WORD);
		if (*s == ',' && s[1])
			s++;
		else if (*s)
			goto bad;
	}
	mp->has_nodes = true;
	return 0;
bad:
	return hull_error(err, EINVAL,
			  "config.json: `linux.memoryPolicy.nodes`: `%s` is not a node list "
			  "(\"0-3,7\")",
			  list);
}

int hull_spec_parse_mem_policy(yajl_val j, struct hull_linux *lx, struct hull_err *err)
{
	const char *path = "linux.memoryPolicy";
	struct hull_mem_policy *mp = &lx->mem_policy;
	cleanup_free char *mode = NULL, *nodes = NULL;
	char **names = NULL;
	yajl_val o = NULL;
	size_t i, k;
	int r;

	if ((r = sj_object(j, "memoryPolicy", "linux", &o, err)) <= 0)
		return r;
	if (sj_string(o, "mode", path, &mode, err) < 0 ||
	    sj_string(o, "nodes", path, &nodes, err) < 0 ||
	    sj_strv(o, "flags", path, &names, err) < 0)
		return -1;
	mp->mode = -1;
	for (i = 0; mode && i < ARRAY_SIZE(modes); i++)
		if (!strcmp(mode, modes[i].name))
			mp->mode = modes[i].mode;
	for (i = 0; names && names[i]; i++) {
		for (k = 0; k < ARRAY_SIZE(flags); k++)
			if (!strcmp(names[i], flags[k].name))
				break;
		if (k == ARRAY_SIZE(flags)) {
			hull_error(err, EINVAL, "config.json: `%s.flags`: unknown flag `%s`", path,
				   names[i]);
			hull_strv_free(names);
			return -1;
		}
		mp->flags |= flags[k].flag;
	}
	hull_strv_free(names);
	if (!mode)
		return hull_error(err, EINVAL, "config.json: `%s.mode` is required", path);
	if (mp->mode < 0)
		return hull_error(err, EINVAL, "config.json: `%s.mode`: unknown mode `%s`", path,
				  mode);
	if (nodes && *nodes && parse_nodes(nodes, mp, err) < 0)
		return -1;
	mp->set = true;
	return 0;
}
