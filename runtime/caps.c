/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/caps.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "lib/log.h"
#include "lib/util.h"

/* "CAP_NET_ADMIN" -> value, spelled as the spec spells them (libcap alone would also take
 * "net_admin" or a number).  Unknown names are ignored, as runc and crun ignore them: a spec
 * written for a newer kernel or runtime still runs (hull_caps_warn_unknown says so at create
 * and exec). */
static bool cap_value(const char *name, cap_value_t *v)
{
	const char *s;

	if (!hull_has_prefix(name, "CAP_") || !name[4])
		return false;
	for (s = name; *s; s++)
		if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return false;
	return cap_from_name(name, v) == 0;
}

static int set_flag(cap_t caps, cap_flag_t flag, char **list, struct hull_err *err)
{
	size_t i;
	for (i = 0; list && list[i]; i++) {
		cap_value_t v;
		if (!cap_value(list[i], &v) || !CAP_IS_SUPPORTED(v))
			continue;
		if (cap_set_flag(caps, flag, 1, &v, CAP_SET) < 0)
			return hull_error(err, errno, "capability `%s`", list[i]);
	}
	return 0;
}

static bool listed(char **list, cap_value_t v)
{
	size_t i;
	for (i = 0; list && list[i]; i++) {
		cap_value_t w;
		if (cap_value(list[i], &w) && w == v)
			return true;
	}
	return false;
}

int hull_caps_prepare(const struct hull_capabilities *c, struct hull_err *err)
{
	cap_value_t v, last = cap_max_bits();

	if (!c)
		return 0;
	for (v = 0; v < last; v++)
		if (!listed(c->bounding, v) && cap_drop_bound(v) < 0 && errno != EINVAL)
			return hull_error(err, errno, "drop capability %d from the bounding set",
					  v);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return hull_error(err, errno, "keep capabilities across setuid");
	return 0;
}

/* No capabilities section: the process keeps what it has, but nothing the runtime's caller
 * left inheritable or ambient may pass on to the workload. */
static int clear_inherited(struct hull_err *err)
{
	cap_t caps = cap_get_proc();
	int ret = 0;

	if (!caps)
		return hull_error(err, errno, "get capabilities");
	if (cap_clear_flag(caps, CAP_INHERITABLE) < 0 || cap_set_proc(caps) < 0)
		ret = hull_error(err, errno, "clear inheritable capabilities");
	cap_free(caps);
	if (ret == 0 && cap_reset_ambient() < 0 && errno != EINVAL)
		ret = hull_error(err, errno, "clear ambient capabilities");
	return ret;
}

int hull_caps_apply(const struct hull_capabilities *c, struct hull_err *err)
{
	cap_t caps;
	size_t i;
	int ret = -1;

	if (!c)
		return clear_inherited(err);
	caps = cap_init();
	if (!caps)
		return hull_error(err, errno, "cap_init");
	if (set_flag(caps, CAP_EFFECTIVE, c->effective, err) < 0 ||
	    set_flag(caps, CAP_PERMITTED, c->permitted, err) < 0 ||
	    set_flag(caps, CAP_INHERITABLE, c->inheritable, err) < 0)
		goto out;
	if (cap_set_proc(caps) < 0) {
		hull_error(err, errno, "set capabilities");
		goto out;
	}
	/* ambient capabilities are never inherited from the runtime: start empty */
	if (cap_reset_ambient() < 0 && errno != EINVAL) {
		hull_error(err, errno, "clear ambient capabilities");
		goto out;
	}
	for (i = 0; c->ambient && c->ambient[i]; i++) {
		cap_value_t v;
		if (!cap_value(c->ambient[i], &v))
			continue;
		/* The kernel keeps only ambient capabilities that are also permitted and
		 * inheritable; runc's default spec lists them without inheritable, so those are
		 * skipped (as runc does) instead of failing every such container. */
		if (!listed(c->inheritable, v) || !listed(c->permitted, v)) {
			hull_debug("ambient capability `%s` skipped: not inheritable and permitted",
				   c->ambient[i]);
			continue;
		}
		if (CAP_IS_SUPPORTED(v) && cap_set_ambient(v, CAP_SET) < 0) {
			hull_error(err, errno,
				   "ambient capability `%s` (it must be permitted and "
				   "inheritable too)",
				   c->ambient[i]);
			goto out;
		}
	}
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	ret = 0;
out:
	cap_free(caps);
	return ret;
}

static int mask_of(char **list, uint64_t *mask, struct hull_err *err)
{
	size_t i;

	*mask = 0;
	for (i = 0; list && list[i]; i++) {
		cap_value_t v;
		if (!cap_value(list[i], &v))
			continue;
		if ((unsigned int)v > 63)
			return hull_error(err, EINVAL, "capability `%s` (%d) does not fit a mask",
					  list[i], v);
		*mask |= 1ULL << v;
	}
	return 0;
}

int hull_caps_masks(const struct hull_capabilities *c, struct hull_cap_masks *m,
		    struct hull_err *err)
{
	if (mask_of(c->bounding, &m->bounding, err) < 0 ||
	    mask_of(c->effective, &m->effective, err) < 0 ||
	    mask_of(c->permitted, &m->permitted, err) < 0 ||
	    mask_of(c->inheritable, &m->inheritable, err) < 0 ||
	    mask_of(c->ambient, &m->ambient, err) < 0)
		return -1;
	/* as hull_caps_apply: the kernel keeps only ambient capabilities that are permitted and
	 * inheritable too, so the others are left out rather than failing the process */
	m->ambient &= m->permitted & m->inheritable;
	return 0;
}

/* Adds name to the list unless it is there already. */
static void add_unknown(char ***out, size_t *n, const char *name)
{
	size_t i;
	for (i = 0; i < *n; i++)
		if (!strcmp((*out)[i], name))
			return;
	*out = xrealloc(*out, (*n + 2) * sizeof(char *));
	(*out)[(*n)++] = (char *)name;
	(*out)[*n] = NULL;
}

void hull_caps_warn_unknown(const struct hull_capabilities *c)
{
	char **const sets[] = {c ? c->bounding : NULL, c ? c->effective : NULL,
			       c ? c->permitted : NULL, c ? c->inheritable : NULL,
			       c ? c->ambient : NULL};
	cleanup_free char **unknown = NULL;
	cleanup_free char *text = NULL;
	size_t n = 0, i, k, len = 1;

	for (k = 0; k < ARRAY_SIZE(sets); k++)
		for (i = 0; sets[k] && sets[k][i]; i++) {
			cap_value_t v;
			if (!cap_value(sets[k][i], &v) || !CAP_IS_SUPPORTED(v))
				add_unknown(&unknown, &n, sets[k][i]);
		}
	if (!n)
		return;
	for (i = 0; i < n; i++)
		len += strlen(unknown[i]) + 1;
	text = xzalloc(len);
	for (i = 0; i < n; i++) {
		if (i)
			strcat(text, " ");
		strcat(text, unknown[i]);
	}
	hull_warn("ignoring unknown or unavailable capabilities: [%s]", text);
}

char **hull_caps_known(void)
{
	cap_value_t v, last = cap_max_bits();
	char **out = xzalloc(((size_t)last + 1) * sizeof(char *));
	size_t n = 0, k;

	for (v = 0; v < last; v++) {
		char *name = cap_to_name(v);
		if (!name)
			continue;
		/* libcap names them "cap_chown"; the spec writes "CAP_CHOWN" */
		out[n] = xstrdup(name);
		for (k = 0; out[n][k]; k++)
			out[n][k] = (char)toupper((unsigned char)out[n][k]);
		n++;
		cap_free(name);
	}
	return out;
}
