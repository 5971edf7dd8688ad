/* SPDX-License-Identifier: Apache-2.0 */
/* engine/runmounts.c: what `hull run` mounts in the container, as docker reads it: -v
 * (a host directory, a named volume, or an anonymous one), --mount (docker's key=value list
 * for bind, volume and tmpfs), --tmpfs, and the image's Volumes. */
#include "engine/runflags.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/volume.h"
#include "lib/size.h"
#include "lib/util.h"

/* docker's defaults for a tmpfs; the user's options replace those they contradict */
static const char *const tmpfs_defaults[] = {"rw", "nosuid", "nodev", "noexec"};
static const char *const tmpfs_opposites[] = {"ro", "suid", "dev", "exec"};

static bool is_propagation(const char *o)
{
	static const char *const p[] = {"shared", "rshared", "slave",
					"rslave", "private", "rprivate"};
	for (size_t i = 0; i < ARRAY_SIZE(p); i++)
		if (!strcmp(o, p[i]))
			return true;
	return false;
}

static char *tmpfs_options(const char *user)
{
	cleanup_free char *copy = xstrdup(user ? user : "");
	char *out = xstrdup(""), *next, *save = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(tmpfs_defaults); i++) {
		cleanup_free char *u = hull_strfmt(",%s,", user ? user : "");
		cleanup_free char *opp = hull_strfmt(",%s,", tmpfs_opposites[i]);
		if (strstr(u, opp))
			continue;
		next = hull_strfmt("%s%s%s", out, *out ? "," : "", tmpfs_defaults[i]);
		free(out);
		out = next;
	}
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		bool dflt = false;
		for (size_t i = 0; i < ARRAY_SIZE(tmpfs_defaults); i++)
			dflt |= !strcmp(o, tmpfs_defaults[i]);
		if (dflt)
			continue;
		next = hull_strfmt("%s,%s", out, o);
		free(out);
		out = next;
	}
	return out;
}

/* An absolute path as docker cleans it (Go's path.Clean): no empty or "." components, ".."
 * taking the one before it (never above /), no trailing slash. */
static char *clean_path(const char *p)
{
	char *out = xzalloc(strlen(p) + 2), *copy = xstrdup(p), *save = NULL;
	size_t len = 0;

	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			while (len > 0 && out[--len] != '/')
				;
			out[len] = '\0';
			continue;
		}
		len += (size_t)sprintf(out + len, "/%s", c);
	}
	free(copy);
	if (!len)
		strcpy(out, "/");
	return out;
}

static bool taken(const struct hull_run_spec *rs, const char *path)
{
	cleanup_free char *dst = clean_path(path);
	for (size_t i = 0; i < rs->n_binds; i++)
		if (!strcmp(rs->binds[i].destination, dst))
			return true;
	for (size_t i = 0; i < rs->n_tmpfs; i++)
		if (!strcmp(rs->tmpfs[i].destination, dst))
			return true;
	return false;
}

/* the destination as docker checks it: absolute, not /, given once */
static int check_destination(const struct hull_run_spec *rs, const char *dst, const char *spec,
			     struct hull_err *err)
{
	cleanup_free char *clean = NULL;

	if (dst[0] != '/')
		return hull_error(err, EINVAL, "mount `%s`: the destination must be absolute",
				  spec);
	clean = clean_path(dst);
	if (!strcmp(clean, "/"))
		return hull_error(err, EINVAL, "mount `%s`: the destination cannot be /", spec);
	if (taken(rs, dst))
		return hull_error(err, EINVAL, "mount `%s`: duplicate mount point %s", spec, dst);
	return 0;
}

static void add_bind(struct hull_run_spec *rs, char *source, const char *dst, bool ro,
		     const char *propagation)
{
	struct hull_bind b = {source, clean_path(dst), ro,
			      propagation ? xstrdup(propagation) : NULL};
	rs->binds = xrealloc(rs->binds, (rs->n_binds + 1) * sizeof(*rs->binds));
	rs->binds[rs->n_binds++] = b;
}

static void add_tmpfs(struct hull_run_spec *rs, const char *dst, char *options)
{
	struct hull_tmpfs t = {clean_path(dst), options};
	rs->tmpfs = xrealloc(rs->tmpfs, (rs->n_tmpfs + 1) * sizeof(*rs->tmpfs));
	rs->tmpfs[rs->n_tmpfs++] = t;
}

struct ctx {
	const struct hull_engine *e;
	const char *id, *rootfs;
	struct hull_run_spec *rs;
};

/* A volume (name NULL: anonymous) mounted at dst. */
static int add_volume(const struct ctx *x, const char *name, const struct hull_kv *labels,
		      size_t n_labels, const char *dst, bool ro, bool nocopy, const char *spec,
		      struct hull_err *err)
{
	char *source = NULL, *used = NULL;

	if (!x->e)
		return hull_error(err, EINVAL,
				  "mount `%s`: volumes need a container record (`hull run`)", spec);
	if (hull_volume_attach(x->e, name, labels, n_labels, x->id, x->rootfs, dst, nocopy, &source,
			       &used, err) < 0)
		return hull_error_wrap(err, "mount `%s`", spec);
	free(used);
	add_bind(x->rs, source, dst, ro, NULL);
	return 0;
}

/* A host directory; made when missing (-v) or required to exist (--mount). */
static int add_host_bind(const struct ctx *x, const char *src, const char *dst, bool ro,
			 const char *propagation, bool make, const char *spec, struct hull_err *err)
{
	char real[PATH_MAX];

	if (make && access(src, F_OK) < 0 && hull_mkdir_p(src, 0755, err) < 0)
		return hull_error_wrap(err, "mount `%s`", spec);
	if (!realpath(src, real))
		return hull_error(err, errno,
				  errno == ENOENT ? "mount `%s`: bind source path does not exist"
						  : "mount `%s`",
				  spec);
	add_bind(x->rs, xstrdup(real), dst, ro, propagation);
	return 0;
}

/* -v SRC:DST[:OPTS], -v NAME:DST[:OPTS], -v DST */
static int volume_flag(const struct ctx *x, const char *spec, struct hull_err *err)
{
	cleanup_free char *copy = xstrdup(spec);
	char *src = copy, *dst = strchr(copy, ':'), *opts = NULL;
	const char *prop = NULL;
	bool ro = false, nocopy = false;

	if (!dst) /* docker: a path alone is an anonymous volume there */
		return check_destination(x->rs, spec, spec, err) < 0
			       ? -1
			       : add_volume(x, NULL, NULL, 0, spec, false, false, spec, err);
	*dst++ = '\0';
	opts = strchr(dst, ':');
	if (opts)
		*opts++ = '\0';
	if (check_destination(x->rs, dst, spec, err) < 0)
		return -1;
	for (char *save = NULL, *o = opts ? strtok_r(opts, ",", &save) : NULL; o;
	     o = strtok_r(NULL, ",", &save)) {
		if (!strcmp(o, "ro"))
			ro = true;
		else if (!strcmp(o, "nocopy"))
			nocopy = true;
		else if (is_propagation(o))
			prop = o;
		else if (strcmp(o, "rw") && strcmp(o, "z") && strcmp(o, "Z"))
			return hull_error(err, EINVAL, "volume `%s`: unknown option `%s`", spec, o);
	}
	if (src[0] == '/')
		return add_host_bind(x, src, dst, ro, prop, true, spec, err);
	if (prop)
		return hull_error(err, EINVAL,
				  "volume `%s`: propagation (%s) applies to host directories only",
				  spec, prop);
	if (hull_volume_validate_name(src, err) < 0)
		return hull_error_wrap(err, "volume `%s`", spec);
	return add_volume(x, src, NULL, 0, dst, ro, nocopy, spec, err);
}

/* docker reads --mount as one CSV record: fields split at commas, "..." quotes a field */
static char **csv_fields(const char *s)
{
	char **v = xzalloc(sizeof(char *));
	char *field = xzalloc(strlen(s) + 1);
	size_t n = 0;
	bool quoted = false;

	for (const char *p = s;; p++) {
		if (*p == '"') {
			if (quoted && p[1] == '"')
				field[n++] = *++p;
			else
				quoted = !quoted;
		} else if ((*p == ',' && !quoted) || !*p) {
			field[n] = '\0';
			hull_strv_push(&v, field);
			n = 0;
			if (!*p)
				break;
		} else {
			field[n++] = *p;
		}
	}
	free(field);
	return v;
}

/* "true", "false", "1", "0", or nothing (true) */
static int flag_value(const char *v, const char *key, const char *spec, bool *out,
		      struct hull_err *err)
{
	if (!v || !strcmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else
		return hull_error(err, EINVAL, "mount `%s`: invalid value for %s: `%s`", spec, key,
				  v);
	return 0;
}

struct mount_spec {
	const char *type, *src, *dst, *prop, *size, *mode;
	bool ro, nocopy, bind_opt, volume_opt, tmpfs_opt;
	struct hull_kv *labels;
	size_t n_labels;
};

static int mount_field(struct mount_spec *m, char *f, const char *spec, struct hull_err *err)
{
	char *v = strchr(f, '=');

	if (v)
		*v++ = '\0';
	if (!strcmp(f, "type"))
		m->type = v ? v : "";
	else if (!strcmp(f, "source") || !strcmp(f, "src"))
		m->src = v ? v : "";
	else if (!strcmp(f, "target") || !strcmp(f, "destination") || !strcmp(f, "dst"))
		m->dst = v ? v : "";
	else if (!strcmp(f, "readonly") || !strcmp(f, "ro"))
		return flag_value(v, f, spec, &m->ro, err);
	else if (!strcmp(f, "bind-propagation") && v && is_propagation(v))
		m->prop = v, m->bind_opt = true;
	else if (!strcmp(f, "volume-nocopy"))
		return m->volume_opt = true, flag_value(v, f, spec, &m->nocopy, err);
	else if (!strcmp(f, "volume-label") && v && strchr(v, '=') != v) {
		char *eq = strchr(v, '=');
		m->labels = xrealloc(m->labels, (m->n_labels + 1) * sizeof(*m->labels));
		m->labels[m->n_labels].key = eq ? strndup(v, (size_t)(eq - v)) : xstrdup(v);
		m->labels[m->n_labels++].value = xstrdup(eq ? eq + 1 : "");
		m->volume_opt = true;
	} else if (!strcmp(f, "volume-driver") && v && !strcmp(v, HULL_VOLUME_DRIVER))
		m->volume_opt = true;
	else if (!strcmp(f, "tmpfs-size") && v)
		m->size = v, m->tmpfs_opt = true;
	else if (!strcmp(f, "tmpfs-mode") && v)
		m->mode = v, m->tmpfs_opt = true;
	else if (!strcmp(f, "consistency"))
		; /* docker for Mac's; ignored on Linux, as docker does */
	else
		return hull_error(err, EINVAL,
				  "mount `%s`: unsupported option `%s%s%s` (type, source, target, "
				  "readonly, bind-propagation, volume-nocopy, volume-label, "
				  "volume-driver=local, tmpfs-size, tmpfs-mode)",
				  spec, f, v ? "=" : "", v ? v : "");
	return 0;
}

static int mount_tmpfs(const struct ctx *x, const struct mount_spec *m, const char *spec,
		       struct hull_err *err)
{
	cleanup_free char *extra = xstrdup(m->ro ? "ro" : "");
	int64_t size;

	if (m->src && *m->src)
		return hull_error(err, EINVAL, "mount `%s`: a tmpfs takes no source", spec);
	if (m->size) {
		char *next;
		if (hull_parse_size(m->size, 1, &size, err) < 0)
			return hull_error_wrap(err, "mount `%s`: tmpfs-size", spec);
		next = hull_strfmt("%s%ssize=%lld", extra, *extra ? "," : "", (long long)size);
		free(extra);
		extra = next;
	}
	if (m->mode) {
		char *end, *next;
		unsigned long mode = strtoul(m->mode, &end, 8);
		if (*end || !*m->mode || mode > 07777)
			return hull_error(err, EINVAL,
					  "mount `%s`: tmpfs-mode `%s` is not an octal mode", spec,
					  m->mode);
		next = hull_strfmt("%s%smode=%lo", extra, *extra ? "," : "", mode);
		free(extra);
		extra = next;
	}
	add_tmpfs(x->rs, m->dst, tmpfs_options(extra));
	return 0;
}

static int mount_flag(const struct ctx *x, const char *spec, struct hull_err *err)
{
	cleanup_strv char **fields = csv_fields(spec);
	struct mount_spec m = {.type = "volume"};
	int rc = -1;

	for (char **f = fields; *f; f++)
		if (**f && mount_field(&m, *f, spec, err) < 0)
			goto out;
	if (!m.dst || !*m.dst) {
		hull_error(err, EINVAL, "mount `%s`: target is required", spec);
		goto out;
	}
	if (check_destination(x->rs, m.dst, spec, err) < 0)
		goto out;
	if (strcmp(m.type, "bind") && strcmp(m.type, "volume") && strcmp(m.type, "tmpfs")) {
		hull_error(err, EINVAL, "mount `%s`: unsupported type `%s` (bind, volume, tmpfs)",
			   spec, m.type);
		goto out;
	}
	if ((m.bind_opt && strcmp(m.type, "bind")) || (m.volume_opt && strcmp(m.type, "volume")) ||
	    (m.tmpfs_opt && strcmp(m.type, "tmpfs"))) {
		hull_error(err, EINVAL, "mount `%s`: options of another type than `%s`", spec,
			   m.type);
		goto out;
	}
	if (!strcmp(m.type, "tmpfs")) {
		rc = mount_tmpfs(x, &m, spec, err);
	} else if (!strcmp(m.type, "bind")) {
		if (!m.src || m.src[0] != '/')
			hull_error(err, EINVAL, "mount `%s`: a bind needs an absolute source",
				   spec);
		else
			rc = add_host_bind(x, m.src, m.dst, m.ro, m.prop, false, spec, err);
	} else if (m.src && *m.src && hull_volume_validate_name(m.src, err) < 0) {
		hull_error_wrap(err, "mount `%s`", spec);
	} else {
		rc = add_volume(x, m.src && *m.src ? m.src : NULL, m.labels, m.n_labels, m.dst,
				m.ro, m.nocopy, spec, err);
	}
out:
	hull_kv_free(m.labels, m.n_labels);
	return rc;
}

static int tmpfs_flag(const struct ctx *x, const char *spec, struct hull_err *err)
{
	const char *colon = strchr(spec, ':');
	cleanup_free char *dst = colon ? strndup(spec, (size_t)(colon - spec)) : xstrdup(spec);

	if (check_destination(x->rs, dst, spec, err) < 0)
		return -1;
	add_tmpfs(x->rs, dst, tmpfs_options(colon ? colon + 1 : NULL));
	return 0;
}

int hull_run_mounts(const struct hull_engine *e, const struct hull_run_opts *o, const char *id,
		    const char *rootfs, char *const *image_volumes, const char *local_dir,
		    struct hull_run_spec *rs, struct hull_err *err)
{
	struct ctx x = {e, id, rootfs, rs};
	size_t n = 0;

	for (char **v = o->volumes; v && *v; v++)
		if (volume_flag(&x, *v, err) < 0)
			return -1;
	for (char **m = o->mounts; m && *m; m++)
		if (mount_flag(&x, *m, err) < 0)
			return -1;
	for (char **t = o->tmpfs; t && *t; t++)
		if (tmpfs_flag(&x, *t, err) < 0)
			return -1;
	/* the image's Volumes: anonymous volumes, where the user mounts nothing else */
	for (char *const *v = image_volumes; v && *v; v++, n++) {
		cleanup_free char *clean = clean_path(*v);
		char *dir;
		if ((*v)[0] != '/' || !strcmp(clean, "/") || taken(rs, clean))
			continue;
		if (e) {
			if (add_volume(&x, NULL, NULL, 0, *v, false, false, *v, err) < 0)
				return hull_error_wrap(err, "volume %s of the image", *v);
			continue;
		}
		dir = hull_strfmt("%s/volumes/%zu", local_dir, n);
		if (hull_mkdir_p(dir, 0755, err) < 0) {
			free(dir);
			return hull_error_wrap(err, "volume %s of the image", *v);
		}
		add_bind(rs, dir, *v, false, NULL);
	}
	return 0;
}
