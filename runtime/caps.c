#include "runtime/caps.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "lib/log.h"
#include "lib/util.h"

/* "CAP_NET_ADMIN" -> value; unknown names are an error naming them.  Capabilities newer
 * than the running kernel are skipped, as they cannot be granted anyway. */
static int cap_value(const char *name, cap_value_t *v, struct hull_err *err)
{
	if (cap_from_name(name, v) < 0)
		return hull_error(err, EINVAL, "unknown capability `%s`", name);
	return 0;
}

static int set_flag(cap_t caps, cap_flag_t flag, char **list, struct hull_err *err)
{
	size_t i;
	for (i = 0; list && list[i]; i++) {
		cap_value_t v;
		if (cap_value(list[i], &v, err) < 0)
			return -1;
		if (!CAP_IS_SUPPORTED(v))
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
		if (cap_from_name(list[i], &w) == 0 && w == v)
			return true;
	}
	return false;
}

int hull_caps_prepare(const struct hull_capabilities *c, struct hull_err *err)
{
	cap_value_t v, last = cap_max_bits();
	size_t i;

	if (!c)
		return 0;
	/* validate every name up front so a typo fails create, not the exec */
	for (i = 0; c->bounding && c->bounding[i]; i++)
		if (cap_value(c->bounding[i], &v, err) < 0)
			return -1;
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
		if (cap_value(c->ambient[i], &v, err) < 0)
			goto out;
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
		if (cap_value(list[i], &v, err) < 0)
			return -1;
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
