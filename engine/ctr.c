/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/ctr.h"
#include "engine/net_attach.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "engine/runstate.h"
#include "lib/timearg.h"
#include "lib/json.h"
#include "lib/util.h"
#include "runtime/state.h"

int hull_engine_init(struct hull_engine *e, const char *root, const char *runroot,
		     struct hull_err *err)
{
	cleanup_free char *c = NULL, *n = NULL;

	e->root = xstrdup(root ? root : HULL_ENGINE_DEFAULT_ROOT);
	e->runroot = xstrdup(runroot ? runroot : HULL_ENGINE_DEFAULT_RUNROOT);
	c = hull_strfmt("%s/containers", e->root);
	n = hull_strfmt("%s/names", e->root);
	if (hull_mkdir_p(c, 0700, err) < 0 || hull_mkdir_p(n, 0700, err) < 0) {
		hull_engine_free(e);
		return -1;
	}
	return 0;
}

void hull_engine_free(struct hull_engine *e)
{
	free(e->root);
	free(e->runroot);
	e->root = e->runroot = NULL;
}

char *hull_ctr_dir(const struct hull_engine *e, const char *id)
{
	return hull_strfmt("%s/containers/%s", e->root, id);
}

char *hull_ctr_path(const struct hull_engine *e, const char *id, const char *file)
{
	return hull_strfmt("%s/containers/%s/%s", e->root, id, file);
}

char *hull_ctr_new_id(void)
{
	return hull_random_id();
}

int hull_ctr_validate_name(const char *name, struct hull_err *err)
{
	if (!*name || !isalnum((unsigned char)name[0]))
		goto bad;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			goto bad;
	if (strlen(name) > 128)
		goto bad;
	return 0;
bad:
	return hull_error(err, EINVAL,
			  "invalid container name `%s`: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
			  name);
}

int hull_ctr_claim_name(const struct hull_engine *e, const char *name, const char *id,
			struct hull_err *err)
{
	cleanup_free char *link = hull_strfmt("%s/names/%s", e->root, name);
	char other[80];
	ssize_t n;

	if (hull_ctr_validate_name(name, err) < 0)
		return -1;
	if (symlink(id, link) == 0)
		return 0;
	if (errno != EEXIST)
		return hull_error(err, errno, "reserve the name `%s`", name);
	n = readlink(link, other, sizeof(other) - 1);
	other[n > 0 ? n : 0] = '\0';
	/* a name left by a hull that died before it made the container is free again */
	if (n > 0 && !strchr(other, '/')) {
		cleanup_free char *dir = hull_ctr_dir(e, other);
		struct stat st;
		if (stat(dir, &st) < 0 && errno == ENOENT && unlink(link) == 0 &&
		    symlink(id, link) == 0)
			return 0;
	}
	return hull_error(err, EEXIST,
			  "the container name `%s` is already in use by container %.12s: remove "
			  "(or rename) that container to be able to reuse that name",
			  name, other);
}

void hull_ctr_release_name(const struct hull_engine *e, const char *name)
{
	cleanup_free char *link = NULL;

	if (!name || !*name)
		return;
	link = hull_strfmt("%s/names/%s", e->root, name);
	unlink(link);
}

char *hull_ctr_random_name(const struct hull_engine *e)
{
	static const char *const adj[] = {"brave",  "calm",  "eager", "fond",	 "gentle",
					  "happy",  "jolly", "keen",  "lucid",	 "merry",
					  "nifty",  "proud", "quiet", "sharp",	 "tender",
					  "upbeat", "vivid", "wise",  "zealous", "bold"};
	static const char *const noun[] = {"lovelace", "turing",  "hopper",   "ritchie", "thompson",
					   "torvalds", "knuth",	  "dijkstra", "liskov",	 "hamilton",
					   "noether",  "curie",	  "euler",    "gauss",	 "kare",
					   "perlman",  "shannon", "wozniak",  "yonath",	 "zuse"};
	for (int tries = 0;; tries++) {
		unsigned int r[3];
		char *name;
		struct stat st;
		cleanup_free char *link = NULL;

		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			r[0] = r[1] = r[2] = (unsigned int)getpid() + (unsigned int)tries;
		if (tries < 10)
			name = hull_strfmt("%s_%s", adj[r[0] % 20], noun[r[1] % 20]);
		else
			name = hull_strfmt("%s_%s%u", adj[r[0] % 20], noun[r[1] % 20], r[2] % 1000);
		link = hull_strfmt("%s/names/%s", e->root, name);
		if (lstat(link, &st) < 0)
			return name;
		free(name);
	}
}

int hull_ctr_save(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	cleanup_free char *path = hull_ctr_path(e, c->id, "record.json");
	int rc;

	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_map_open(g);
	hull_gen_str(g, "id"), hull_gen_str(g, c->id);
	hull_gen_str(g, "name"), hull_gen_str(g, c->name);
	hull_gen_str(g, "image"), hull_gen_str(g, c->image ? c->image : "");
	hull_gen_str(g, "imageId"), hull_gen_str(g, c->image_id ? c->image_id : "");
	hull_gen_str(g, "command");
	yajl_gen_array_open(g);
	for (char **a = c->command; a && *a; a++)
		hull_gen_str(g, *a);
	yajl_gen_array_close(g);
	hull_gen_str(g, "created"), hull_gen_str(g, c->created);
	hull_gen_str(g, "isolation"), hull_gen_str(g, c->isolation ? c->isolation : "container");
	hull_gen_str(g, "stopSignal"), hull_gen_str(g, c->stop_signal ? c->stop_signal : "SIGTERM");
	hull_gen_str(g, "rootfsKind"), hull_gen_str(g, c->rootfs_kind ? c->rootfs_kind : "dir");
	hull_gen_str(g, "rootfs"), hull_gen_str(g, c->rootfs ? c->rootfs : "");
	hull_gen_str(g, "network"), hull_gen_str(g, c->network ? c->network : "none");
	hull_gen_str(g, "ports");
	yajl_gen_array_open(g);
	for (char **a = c->ports; a && *a; a++)
		hull_gen_str(g, *a);
	yajl_gen_array_close(g);
	if (c->ip)
		hull_gen_str(g, "ipAddress"), hull_gen_str(g, c->ip);
	hull_gen_str(g, "labels");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < c->n_labels; i++)
		hull_gen_str(g, c->labels[i].key), hull_gen_str(g, c->labels[i].value);
	yajl_gen_map_close(g);
	if (c->has_stop_timeout)
		hull_gen_str(g, "stopTimeout"), yajl_gen_integer(g, c->stop_timeout);
	hull_gen_str(g, "autoRemove"), yajl_gen_bool(g, c->auto_remove);
	hull_gen_str(g, "tty"), yajl_gen_bool(g, c->tty);
	hull_gen_str(g, "interactive"), yajl_gen_bool(g, c->interactive);
	hull_gen_str(g, "monitorPid"), yajl_gen_integer(g, c->monitor_pid);
	if (c->restart_policy)
		hull_gen_str(g, "restartPolicy"), hull_gen_str(g, c->restart_policy);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	rc = hull_write_file_atomic(path, buf, len, 0600, err);
	yajl_gen_free(g);
	return rc;
}

static int load_exit(const struct hull_engine *e, struct hull_ctr *c, struct hull_err *err)
{
	cleanup_free char *path = hull_ctr_path(e, c->id, "exit.json");
	cleanup_free char *text = NULL;
	char ebuf[256];
	yajl_val j;
	int64_t code = 0;
	int rc = 0;

	if (hull_read_file(path, &text, NULL, NULL) < 0)
		return 0;
	j = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!j)
		return hull_error(err, EINVAL, "parse %s: %s", path, ebuf);
	if (sj_int(j, "exitCode", "exitCode", -1, 255, &code, err) < 0 ||
	    sj_string(j, "finished", "finished", &c->finished, err) < 0)
		rc = hull_error_wrap(err, "%s", path);
	c->exited = rc == 0;
	c->exit_code = (int)code;
	yajl_tree_free(j);
	return rc;
}

/* The first name that points at id (NULL: none); with unlink, every such name goes.  A scan
 * of names/: only for partial records and removals. */
static char *names_of(const struct hull_engine *e, const char *id, bool unlink_them)
{
	cleanup_free char *dirpath = hull_strfmt("%s/names", e->root);
	DIR *d = opendir(dirpath);
	struct dirent *de;
	char *found = NULL;

	while (d && (de = readdir(d))) {
		cleanup_free char *link = NULL;
		char target[80];
		ssize_t n;
		if (de->d_name[0] == '.')
			continue;
		link = hull_strfmt("%s/%s", dirpath, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0 || (target[n] = '\0', strcmp(target, id)))
			continue;
		if (unlink_them) {
			unlink(link);
			continue;
		}
		found = xstrdup(de->d_name);
		break;
	}
	if (d)
		closedir(d);
	return found;
}

void hull_ctr_release_names_of(const struct hull_engine *e, const char *id)
{
	free(names_of(e, id, true));
}

static bool mounted_on(const char *path)
{
	cleanup_free char *up = hull_strfmt("%s/..", path);
	struct stat st, parent;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && stat(up, &parent) == 0 &&
	       st.st_dev != parent.st_dev;
}

/* A container without a usable record: a hull killed after it claimed the name and before it
 * saved the record (or while it removed them), or a damaged record.json.  What is on disk says
 * what there is to undo: the rootfs mount, the network (its namespace or CNI result), the
 * runtime state (by id), the name.  Nothing there at all: no such container. */
static int partial_record(const struct hull_engine *e, const char *id, struct hull_ctr **out,
			  struct hull_err *err)
{
	cleanup_free char *dir = NULL, *rootfs = NULL, *netns = NULL, *result = NULL;
	cleanup_free char *name = NULL;
	struct hull_ctr *c;
	struct stat st;
	bool have_dir;
	char created[64] = "", frac[32];
	struct tm tm;

	if (!*id || strchr(id, '/') || !strcmp(id, ".") || !strcmp(id, ".."))
		return -1;
	dir = hull_ctr_dir(e, id);
	have_dir = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	name = names_of(e, id, false);
	if (!have_dir && !name)
		return -1;
	c = xzalloc(sizeof(*c));
	c->partial = true;
	c->id = xstrdup(id);
	c->name = name ? steal_pointer(&name) : xstrdup("");
	c->image = xstrdup("");
	c->image_id = xstrdup("");
	if (have_dir && gmtime_r(&st.st_mtim.tv_sec, &tm)) {
		strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(frac, sizeof(frac), ".%09ldZ", st.st_mtim.tv_nsec);
		strncat(created, frac, sizeof(created) - strlen(created) - 1);
	}
	c->created = *created ? xstrdup(created) : hull_now_rfc3339();
	c->isolation = xstrdup("container");
	c->stop_signal = xstrdup("SIGKILL");
	{
		/* the bundle, when it was written, says what was to run */
		cleanup_free char *cfg = hull_ctr_path(e, id, "config.json");
		struct hull_spec *spec = have_dir ? hull_spec_load(cfg, NULL) : NULL;
		if (spec && spec->process)
			c->command = hull_strv_dup(spec->process->args);
		hull_spec_free(spec);
	}
	rootfs = hull_ctr_path(e, id, "rootfs");
	c->rootfs_kind = xstrdup(mounted_on(rootfs) ? "overlay" : "copy");
	c->rootfs = steal_pointer(&rootfs);
	/* a namespace, or attachments recorded before CNI's ADD (engine/net_attach.c), say the
	 * container was on a network: removal detaches it from every one it recorded */
	netns = hull_strfmt("%s/.netns/%s", e->runroot, id);
	result = hull_net_attach_dir(e, id);
	c->network = xstrdup(lstat(netns, &st) == 0 || lstat(result, &st) == 0 ? "bridge" : "none");
	hull_err_clear(err);
	*out = c;
	return 0;
}

int hull_ctr_load(const struct hull_engine *e, const char *id, struct hull_ctr **out,
		  struct hull_err *err)
{
	cleanup_free char *path = hull_ctr_path(e, id, "record.json");
	cleanup_free char *text = NULL;
	struct hull_ctr *c;
	char ebuf[256];
	yajl_val j;
	int64_t mpid = 0, stop_timeout = -1;
	int rc = 0;

	if (hull_read_file(path, &text, NULL, err) < 0)
		return partial_record(e, id, out, err);
	j = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!j) {
		hull_error(err, EINVAL, "parse %s: %s", path, ebuf);
		return partial_record(e, id, out, err);
	}
	c = xzalloc(sizeof(*c));
	if (sj_string(j, "id", "id", &c->id, err) < 0 ||
	    sj_string(j, "name", "name", &c->name, err) < 0 ||
	    sj_string(j, "image", "image", &c->image, err) < 0 ||
	    sj_string(j, "imageId", "imageId", &c->image_id, err) < 0 ||
	    sj_strv(j, "command", "command", &c->command, err) < 0 ||
	    sj_string(j, "created", "created", &c->created, err) < 0 ||
	    sj_string(j, "isolation", "isolation", &c->isolation, err) < 0 ||
	    sj_string(j, "stopSignal", "stopSignal", &c->stop_signal, err) < 0 ||
	    sj_string(j, "rootfsKind", "rootfsKind", &c->rootfs_kind, err) < 0 ||
	    sj_string(j, "rootfs", "rootfs", &c->rootfs, err) < 0 ||
	    sj_string(j, "network", "network", &c->network, err) < 0 ||
	    sj_strv(j, "ports", "ports", &c->ports, err) < 0 ||
	    sj_string(j, "ipAddress", "ipAddress", &c->ip, err) < 0 ||
	    sj_kv(j, "labels", "labels", &c->labels, &c->n_labels, err) < 0 ||
	    sj_int(j, "stopTimeout", "stopTimeout", 0, INT32_MAX, &stop_timeout, err) < 0 ||
	    sj_bool(j, "autoRemove", "autoRemove", &c->auto_remove, err) < 0 ||
	    sj_bool(j, "tty", "tty", &c->tty, err) < 0 ||
	    sj_bool(j, "interactive", "interactive", &c->interactive, err) < 0 ||
	    sj_int(j, "monitorPid", "monitorPid", 0, INT32_MAX, &mpid, err) < 0 ||
	    sj_string(j, "restartPolicy", "restartPolicy", &c->restart_policy, err) < 0)
		rc = hull_error_wrap(err, "%s", path);
	yajl_tree_free(j);
	if (rc == 0 && (!c->id || !c->name || !c->created))
		rc = hull_error(err, EINVAL, "%s: id, name or created missing", path);
	c->monitor_pid = (pid_t)mpid;
	c->has_stop_timeout = stop_timeout >= 0;
	c->stop_timeout = (int)stop_timeout;
	if (rc < 0) {
		hull_ctr_free(c);
		return partial_record(e, id, out, err);
	}
	/* a damaged exit.json leaves the exit unknown; the container is still there */
	if (load_exit(e, c, NULL) < 0)
		c->exited = false;
	/* so does a damaged run.json its start time and restart count */
	if (hull_ctr_load_run(e, c, NULL) < 0) {
		free(c->started);
		c->started = NULL;
		c->restart_count = 0;
		c->restarting = false;
	}
	*out = c;
	return 0;
}

void hull_ctr_free(struct hull_ctr *c)
{
	if (!c)
		return;
	hull_ctr_clear(c);
	free(c);
}

void hull_ctr_clear(struct hull_ctr *c)
{
	free(c->id);
	free(c->name);
	free(c->image);
	free(c->image_id);
	hull_strv_free(c->command);
	free(c->created);
	free(c->isolation);
	free(c->stop_signal);
	free(c->rootfs_kind);
	free(c->rootfs);
	free(c->network);
	hull_strv_free(c->ports);
	free(c->ip);
	free(c->finished);
	free(c->restart_policy);
	free(c->started);
	for (size_t i = 0; i < c->n_labels; i++) {
		free(c->labels[i].key);
		free(c->labels[i].value);
	}
	free(c->labels);
	memset(c, 0, sizeof(*c));
}

static bool is_hex_prefix(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
			return false;
	return true;
}

int hull_ctr_lookup(const struct hull_engine *e, const char *ref, struct hull_ctr **out,
		    struct hull_err *err)
{
	cleanup_free char *link = NULL, *dirpath = NULL, *found = NULL;
	char id[80];
	ssize_t n;
	DIR *d;
	struct dirent *de;
	int matches = 0;

	if (strchr(ref, '/') || !*ref)
		return hull_error(err, EINVAL, "invalid container reference `%s`", ref);
	link = hull_strfmt("%s/names/%s", e->root, ref);
	n = readlink(link, id, sizeof(id) - 1);
	if (n > 0) {
		id[n] = '\0';
		return hull_ctr_load(e, id, out, err);
	}
	if (is_hex_prefix(ref)) {
		dirpath = hull_strfmt("%s/containers", e->root);
		d = opendir(dirpath);
		if (!d)
			return hull_error(err, errno, "open %s", dirpath);
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.' || !hull_has_prefix(de->d_name, ref))
				continue;
			matches++;
			free(found);
			found = xstrdup(de->d_name);
		}
		closedir(d);
		if (matches == 1)
			return hull_ctr_load(e, found, out, err);
		if (matches > 1)
			return hull_error(err, EINVAL,
					  "container id prefix `%s` is ambiguous (%d containers)",
					  ref, matches);
	}
	return hull_error(err, ENOENT, "no such container: %s", ref);
}

static int by_created(const void *a, const void *b)
{
	const struct hull_ctr *x = *(struct hull_ctr *const *)a, *y = *(struct hull_ctr *const *)b;
	return strcmp(x->created, y->created);
}

int hull_ctr_list(const struct hull_engine *e, struct hull_ctr ***out, size_t *n,
		  struct hull_err *err)
{
	cleanup_free char *dirpath = hull_strfmt("%s/containers", e->root);
	struct hull_ctr **v = NULL;
	size_t cnt = 0;
	struct dirent *de;
	DIR *d = opendir(dirpath);

	if (!d)
		return hull_error(err, errno, "open %s", dirpath);
	while ((de = readdir(d))) {
		struct hull_ctr *c;
		if (de->d_name[0] == '.')
			continue;
		/* a record being made or removed right now is not an error for a listing */
		if (hull_ctr_load(e, de->d_name, &c, NULL) < 0)
			continue;
		v = xrealloc(v, (cnt + 1) * sizeof(*v));
		v[cnt++] = c;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), by_created);
	*out = v;
	*n = cnt;
	return 0;
}

void hull_ctr_list_free(struct hull_ctr **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hull_ctr_free(v[i]);
	free(v);
}

int hull_ctr_record_exit(const struct hull_engine *e, const char *id, int code,
			 struct hull_err *err)
{
	cleanup_free char *path = hull_ctr_path(e, id, "exit.json");
	cleanup_free char *now = hull_now_rfc3339();
	cleanup_free char *text =
		hull_strfmt("{\"exitCode\": %d, \"finished\": \"%s\"}\n", code, now);

	return hull_write_file_atomic(path, text, strlen(text), 0600, err);
}
