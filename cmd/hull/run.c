/* hull run: flags -> a container record and its config.json -> the monitor. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "cli.h"
#include "engine/monitor.h"
#include "engine/ops.h"
#include "engine/runspec.h"
#include "image/index.h"
#include "image/rootfs.h"
#include "image/userdb.h"
#include "runtime/spec_json.h"
#include "runtime/signals.h"
#include "runtime/state.h"
#include "runtime/util.h"

struct run_flags {
	bool detach, interactive, tty, rm, read_only, privileged, no_new_privs, unconfined;
	char **env, **env_files, **volumes, **tmpfs, **cap_add, **cap_drop, **annotations;
	const char *name, *entrypoint, *user, *workdir, *memory, *cpus, *pids, *hostname;
	const char *network, *isolation, *rootfs, *cgroup_parent, *stop_signal, *seccomp;
};

/* What the image (or --rootfs) gives the container before the flags change it. */
struct base {
	char **entrypoint, **cmd, **env;
	char *workdir, *user, *stop_signal, *rootfs, *kind, *image_id;
	char **volumes; /* the image's Volumes: a fresh directory each, bind-mounted */
};

static void push(char ***v, const char *s)
{
	size_t n = hull_strv_len(*v);
	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = xstrdup(s);
	(*v)[n + 1] = NULL;
}

static void base_free(struct base *b)
{
	hull_strv_free(b->entrypoint);
	hull_strv_free(b->cmd);
	hull_strv_free(b->env);
	hull_strv_free(b->volumes);
	free(b->workdir);
	free(b->user);
	free(b->stop_signal);
	free(b->rootfs);
	free(b->kind);
	free(b->image_id);
}

static int base_from_rootfs(const char *dir, struct base *b, struct hull_err *err)
{
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(dir, real) || stat(real, &st) < 0)
		return hull_error(err, errno, "rootfs `%s`", dir);
	if (!S_ISDIR(st.st_mode))
		return hull_error(err, ENOTDIR, "rootfs `%s` is not a directory", dir);
	b->rootfs = xstrdup(real);
	b->kind = xstrdup("dir");
	b->image_id = xstrdup("");
	push(&b->env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	return 0;
}

/* The image's config section, as far as a container needs it (image-spec conversion.md). */
static int image_config(const char *json, struct base *b, struct hull_err *err)
{
	char ebuf[256];
	yajl_val j = yajl_tree_parse(json, ebuf, sizeof(ebuf)), c = NULL, vols = NULL;
	int rc = 0;

	if (!j)
		return hull_error(err, EINVAL, "the image config is not JSON: %s", ebuf);
	if (sj_object(j, "config", "config", &c, err) < 0)
		rc = -1;
	else if (c && (sj_strv(c, "Entrypoint", "config.Entrypoint", &b->entrypoint, err) < 0 ||
		       sj_strv(c, "Cmd", "config.Cmd", &b->cmd, err) < 0 ||
		       sj_strv(c, "Env", "config.Env", &b->env, err) < 0 ||
		       sj_string(c, "WorkingDir", "config.WorkingDir", &b->workdir, err) < 0 ||
		       sj_string(c, "User", "config.User", &b->user, err) < 0 ||
		       sj_string(c, "StopSignal", "config.StopSignal", &b->stop_signal, err) < 0 ||
		       sj_object(c, "Volumes", "config.Volumes", &vols, err) < 0))
		rc = -1;
	for (size_t i = 0; rc == 0 && vols && i < vols->u.object.len; i++)
		push(&b->volumes, vols->u.object.keys[i]);
	yajl_tree_free(j);
	if (rc < 0)
		return hull_error_wrap(err, "image config");
	if (!b->env)
		push(&b->env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	return 0;
}

/* The image's layers become the container's rootfs (overlayfs, or a copy without it). */
static int base_from_image(const struct hull_engine *e, const char *image, const char *id,
			   struct base *b, struct hull_err *err)
{
	struct hull_store s;
	struct hull_index idx;
	struct hull_image *img;
	cleanup_free char *cfg = NULL;
	struct stat st, parent;
	int rc = -1;

	if (hull_store_open(&s, e->root, false, err) < 0)
		return -1;
	if (hull_index_load(&s, &idx, err) < 0) {
		hull_store_close(&s);
		return -1;
	}
	hull_err_clear(err);
	img = hull_index_find(&idx, image, err);
	if (!img) {
		if (!err->msg[0])
			hull_error(err, ENOENT,
				   "no such image: %s (load it with `hull load` or `hull pull` it)",
				   image);
		goto out;
	}
	if (hull_store_read_blob(&s, img->config, &cfg, NULL, err) < 0 ||
	    image_config(cfg, b, err) < 0 ||
	    hull_rootfs_create(&s, img, id, HULL_ROOTFS_AUTO, &b->rootfs, err) < 0)
		goto out;
	{
		cleanup_free char *up = hull_strfmt("%s/..", b->rootfs);
		bool mounted = stat(b->rootfs, &st) == 0 && stat(up, &parent) == 0 &&
			       st.st_dev != parent.st_dev;
		b->kind = xstrdup(mounted ? "overlay" : "copy");
	}
	b->image_id = xstrdup(img->config);
	rc = 0;
out:
	hull_index_free(&idx);
	hull_store_close(&s);
	return rc;
}

/* "512m", "1g", "1048576" -> bytes */
static int parse_bytes(const char *s, int64_t *out, struct hull_err *err)
{
	char *end;
	double v;
	int64_t mult = 1;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0)
		goto bad;
	switch (*end | 0x20) {
	case 'b' | 0x20:
	case 0x20:
		break;
	case 'k':
		mult = 1024;
		break;
	case 'm':
		mult = 1024 * 1024;
		break;
	case 'g':
		mult = 1024LL * 1024 * 1024;
		break;
	default:
		goto bad;
	}
	if (*end && end[1] && !((end[1] | 0x20) == 'b' && !end[2]))
		goto bad;
	*out = (int64_t)(v * (double)mult);
	return 0;
bad:
	return hull_error(err, EINVAL, "invalid size `%s` (a number with an optional b, k, m or g)",
			  s);
}

static int parse_volume(const char *spec, struct hull_run_spec *rs, struct hull_err *err)
{
	cleanup_free char *copy = xstrdup(spec);
	char *src = copy, *dst = strchr(copy, ':'), *opts = NULL, real[PATH_MAX];
	struct hull_bind b = {0};

	if (!dst)
		return hull_error(err, EINVAL,
				  "volume `%s`: anonymous volumes are not supported, give "
				  "HOST-DIR:CONTAINER-DIR",
				  spec);
	*dst++ = '\0';
	opts = strchr(dst, ':');
	if (opts)
		*opts++ = '\0';
	if (src[0] != '/')
		return hull_error(
			err, EINVAL,
			"volume `%s`: named volumes are not supported, the source must be "
			"an absolute host path",
			spec);
	if (dst[0] != '/')
		return hull_error(err, EINVAL, "volume `%s`: the destination must be absolute",
				  spec);
	/* as docker: a missing host directory is made */
	if (access(src, F_OK) < 0 && hull_mkdir_p(src, 0755, err) < 0)
		return hull_error_wrap(err, "volume `%s`", spec);
	if (!realpath(src, real))
		return hull_error(err, errno, "volume `%s`", spec);
	for (char *save = NULL, *o = opts ? strtok_r(opts, ",", &save) : NULL; o;
	     o = strtok_r(NULL, ",", &save)) {
		if (!strcmp(o, "ro"))
			b.readonly = true;
		else if (!strcmp(o, "rw") || !strcmp(o, "z") || !strcmp(o, "Z") ||
			 !strcmp(o, "nocopy"))
			continue;
		else if (!strcmp(o, "shared") || !strcmp(o, "rshared") || !strcmp(o, "slave") ||
			 !strcmp(o, "rslave") || !strcmp(o, "private") || !strcmp(o, "rprivate")) {
			free(b.propagation);
			b.propagation = xstrdup(o);
		} else {
			free(b.propagation);
			return hull_error(err, EINVAL, "volume `%s`: unknown option `%s`", spec, o);
		}
	}
	b.source = xstrdup(real);
	b.destination = xstrdup(dst);
	rs->binds = xrealloc(rs->binds, (rs->n_binds + 1) * sizeof(*rs->binds));
	rs->binds[rs->n_binds++] = b;
	return 0;
}

static int parse_tmpfs(const char *spec, struct hull_run_spec *rs, struct hull_err *err)
{
	const char *colon = strchr(spec, ':');
	struct hull_tmpfs t = {0};

	if (spec[0] != '/')
		return hull_error(err, EINVAL, "tmpfs `%s`: the destination must be absolute",
				  spec);
	t.destination = colon ? strndup(spec, (size_t)(colon - spec)) : xstrdup(spec);
	t.options = colon && colon[1] ? xstrdup(colon + 1) : NULL;
	rs->tmpfs = xrealloc(rs->tmpfs, (rs->n_tmpfs + 1) * sizeof(*rs->tmpfs));
	rs->tmpfs[rs->n_tmpfs++] = t;
	return 0;
}

/* env: the image's, then --env-file lines, then -e; NAME alone takes our value. */
static void set_env(char ***env, const char *kv)
{
	const char *eq = strchr(kv, '=');
	cleanup_free char *pair = NULL;
	size_t klen;

	if (!eq) {
		const char *v = getenv(kv);
		if (!v)
			return;
		pair = hull_strfmt("%s=%s", kv, v);
		kv = pair;
		eq = strchr(kv, '=');
	}
	klen = (size_t)(eq - kv) + 1;
	for (char **e = *env; e && *e; e++)
		if (!strncmp(*e, kv, klen)) {
			free(*e);
			*e = xstrdup(kv);
			return;
		}
	push(env, kv);
}

static int env_file(const char *path, char ***env, struct hull_err *err)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return hull_error(err, errno, "open env file %s", path);
	while (getline(&line, &cap, f) > 0) {
		char *s = line + strspn(line, " \t");
		s[strcspn(s, "\r\n")] = '\0';
		if (*s && *s != '#')
			set_env(env, s);
	}
	free(line);
	fclose(f);
	return 0;
}

static int security_opt(const char *o, struct run_flags *f, struct hull_err *err)
{
	if (!strcmp(o, "no-new-privileges") || !strcmp(o, "no-new-privileges=true") ||
	    !strcmp(o, "no-new-privileges:true"))
		f->no_new_privs = true;
	else if (!strcmp(o, "no-new-privileges=false") || !strcmp(o, "no-new-privileges:false"))
		f->no_new_privs = false;
	else if (!strcmp(o, "seccomp=unconfined") || !strcmp(o, "seccomp:unconfined"))
		f->unconfined = true;
	else if (hull_has_prefix(o, "seccomp=") || hull_has_prefix(o, "seccomp:"))
		f->seccomp = o + 8;
	else
		return hull_error(err, EINVAL,
				  "unsupported --security-opt `%s` (no-new-privileges, "
				  "seccomp=unconfined|PROFILE.json)",
				  o);
	return 0;
}

static int build_spec(const struct run_flags *f, const struct base *b, char **args, const char *id,
		      struct hull_run_spec *rs, struct hull_err *err)
{
	const char *user = f->user ? f->user : b->user;
	struct hull_user u = {0};

	/* docker: --entrypoint replaces the image's and drops its Cmd */
	if (f->entrypoint) {
		if (*f->entrypoint)
			push(&rs->args, f->entrypoint);
	} else {
		for (char **a = b->entrypoint; a && *a; a++)
			push(&rs->args, *a);
	}
	if (args && *args)
		for (char **a = args; *a; a++)
			push(&rs->args, *a);
	else if (!f->entrypoint)
		for (char **a = b->cmd; a && *a; a++)
			push(&rs->args, *a);
	rs->env = hull_strv_dup(b->env);
	if (f->hostname) {
		rs->hostname = xstrdup(f->hostname);
	} else {
		if (f->network && !strcmp(f->network, "host")) {
			char hn[256] = "";
			gethostname(hn, sizeof(hn) - 1);
			rs->hostname = xstrdup(hn);
		} else {
			rs->hostname = strndup(id, 12);
		}
	}
	{
		cleanup_free char *h = hull_strfmt("HOSTNAME=%s", rs->hostname);
		set_env(&rs->env, h);
	}
	if (f->tty)
		set_env(&rs->env, "TERM=xterm");
	for (char **p = f->env_files; p && *p; p++)
		if (env_file(*p, &rs->env, err) < 0)
			return -1;
	for (char **e = f->env; e && *e; e++)
		set_env(&rs->env, *e);
	if (user && *user) {
		cleanup_close int rootfd = open(b->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			return hull_error(err, errno, "open the rootfs %s", b->rootfs);
		if (hull_user_resolve(rootfd, user, &u, err) < 0)
			return -1;
		rs->uid = u.uid;
		rs->gid = u.gid;
		rs->groups = (gid_t *)u.groups;
		rs->n_groups = u.n_groups;
		u.groups = NULL;
		if (u.home) {
			cleanup_free char *h = hull_strfmt("HOME=%s", u.home);
			bool has = false;
			for (char **e = rs->env; e && *e; e++)
				has |= hull_has_prefix(*e, "HOME=");
			if (!has)
				set_env(&rs->env, h);
		}
		hull_user_free(&u);
	}
	rs->cwd = xstrdup(f->workdir ? f->workdir : b->workdir && *b->workdir ? b->workdir : "/");
	if (rs->cwd[0] != '/')
		return hull_error(err, EINVAL, "the working directory `%s` is not absolute",
				  rs->cwd);
	rs->terminal = f->tty;
	rs->read_only = f->read_only;
	rs->privileged = f->privileged;
	rs->no_new_privs = f->no_new_privs;
	rs->host_network = f->network && !strcmp(f->network, "host");
	rs->cap_add = hull_strv_dup(f->cap_add);
	rs->cap_drop = hull_strv_dup(f->cap_drop);
	if (hull_caps_normalize(rs->cap_add, err) < 0 || hull_caps_normalize(rs->cap_drop, err) < 0)
		return -1;
	for (char **v = f->volumes; v && *v; v++)
		if (parse_volume(*v, rs, err) < 0)
			return -1;
	for (char **t = f->tmpfs; t && *t; t++)
		if (parse_tmpfs(*t, rs, err) < 0)
			return -1;
	if (f->memory && parse_bytes(f->memory, &rs->memory, err) < 0)
		return hull_error_wrap(err, "--memory");
	if (f->cpus) {
		char *end;
		double c = strtod(f->cpus, &end);
		if (*end || !(c > 0) || !isfinite(c))
			return hull_error(err, EINVAL, "invalid --cpus `%s`", f->cpus);
		rs->cpu_quota = (int64_t)(c * 100000);
	}
	if (f->pids) {
		char *end;
		long long p = strtoll(f->pids, &end, 10);
		if (*end || !*f->pids || p < -1 || p == 0)
			return hull_error(err, EINVAL, "invalid --pids-limit `%s`", f->pids);
		rs->pids_limit = p;
	}
	for (char **a = f->annotations; a && *a; a++) {
		const char *eq = strchr(*a, '=');
		if (!eq || eq == *a)
			return hull_error(err, EINVAL, "invalid --annotation `%s` (KEY=VALUE)", *a);
		rs->annotations = xrealloc(rs->annotations,
					   (rs->n_annotations + 2) * sizeof(*rs->annotations));
		rs->annotations[rs->n_annotations].key = strndup(*a, (size_t)(eq - *a));
		rs->annotations[rs->n_annotations++].value = xstrdup(eq + 1);
	}
	if (f->isolation) {
		if (strcmp(f->isolation, "container") && strcmp(f->isolation, "vm"))
			return hull_error(err, EINVAL, "invalid --isolation `%s` (container or vm)",
					  f->isolation);
		rs->annotations = xrealloc(rs->annotations,
					   (rs->n_annotations + 1) * sizeof(*rs->annotations));
		rs->annotations[rs->n_annotations].key = xstrdup("run.hull.isolation");
		rs->annotations[rs->n_annotations++].value = xstrdup(f->isolation);
	}
	rs->default_seccomp = !f->unconfined && !f->seccomp;
	if (f->seccomp && !f->unconfined) {
		char ebuf[256];
		yajl_val j;
		if (hull_read_file(f->seccomp, &rs->seccomp_json, NULL, err) < 0)
			return hull_error_wrap(err, "--security-opt seccomp");
		j = yajl_tree_parse(rs->seccomp_json, ebuf, sizeof(ebuf));
		if (!j || !YAJL_IS_OBJECT(j)) {
			yajl_tree_free(j);
			return hull_error(err, EINVAL, "seccomp profile %s: not a JSON object: %s",
					  f->seccomp, ebuf);
		}
		yajl_tree_free(j);
	}
	if (f->cgroup_parent)
		rs->cgroups_path = hull_strfmt("%s/hull-%.12s", f->cgroup_parent, id);
	rs->rootfs = b->rootfs;
	return 0;
}

static void usage(void)
{
	printf("Usage: hull run [OPTIONS] IMAGE [COMMAND] [ARG...]\n"
	       "       hull run [OPTIONS] --rootfs DIR COMMAND [ARG...]\n\n"
	       "Run a command in a new container.\n\n"
	       "  -d, --detach               run in the background, print the container ID\n"
	       "  -i, --interactive          keep stdin open\n"
	       "  -t, --tty                  allocate a terminal\n"
	       "      --rm                   remove the container when it exits\n"
	       "      --name NAME            name the container\n"
	       "  -e, --env NAME[=VALUE]     set an environment variable\n"
	       "      --env-file FILE        read environment variables from FILE\n"
	       "      --entrypoint CMD       override the image's entrypoint\n"
	       "  -u, --user USER[:GROUP]    run as this user (name or id)\n"
	       "  -w, --workdir DIR          working directory inside the container\n"
	       "  -v, --volume SRC:DST[:OPTS] bind mount a host directory (ro, rw, propagation)\n"
	       "      --tmpfs DST[:OPTS]     mount a tmpfs\n"
	       "      --read-only            mount the root filesystem read-only\n"
	       "  -m, --memory SIZE          memory limit (b, k, m, g)\n"
	       "      --cpus N               CPU limit (a fraction of CPUs)\n"
	       "      --pids-limit N         process limit (-1: unlimited)\n"
	       "      --cap-add CAP          add a capability (or ALL)\n"
	       "      --cap-drop CAP         drop a capability (or ALL)\n"
	       "      --privileged           all capabilities, no masked paths, no seccomp\n"
	       "      --security-opt OPT     no-new-privileges, seccomp=unconfined|FILE\n"
	       "      --annotation KEY=VALUE add an OCI annotation\n"
	       "  -h, --hostname NAME        the container's hostname\n"
	       "      --network none|host    network mode (default none)\n"
	       "      --isolation container|vm  isolation level (default container)\n"
	       "      --rootfs               the first argument is a root filesystem directory\n"
	       "      --cgroup-parent PATH   cgroup to create the container's cgroup under\n"
	       "      --stop-signal SIG      signal `hull stop` sends first (default SIGTERM)\n");
}

static int parse_flags(int argc, char **argv, struct run_flags *f, struct hull_err *err)
{
	enum {
		RM = 256,
		NAME,
		ENVF,
		ENTRY,
		TMPFS,
		RO,
		CPUS,
		PIDS,
		CAPA,
		CAPD,
		PRIV,
		SEC,
		ANN,
		NET,
		ISO,
		ROOTFS,
		CGP,
		STOPSIG,
		HELP
	};
	static const struct option opts[] = {
		{"detach", no_argument, NULL, 'd'},
		{"interactive", no_argument, NULL, 'i'},
		{"tty", no_argument, NULL, 't'},
		{"rm", no_argument, NULL, RM},
		{"name", required_argument, NULL, NAME},
		{"env", required_argument, NULL, 'e'},
		{"env-file", required_argument, NULL, ENVF},
		{"entrypoint", required_argument, NULL, ENTRY},
		{"user", required_argument, NULL, 'u'},
		{"workdir", required_argument, NULL, 'w'},
		{"volume", required_argument, NULL, 'v'},
		{"tmpfs", required_argument, NULL, TMPFS},
		{"read-only", no_argument, NULL, RO},
		{"memory", required_argument, NULL, 'm'},
		{"cpus", required_argument, NULL, CPUS},
		{"pids-limit", required_argument, NULL, PIDS},
		{"cap-add", required_argument, NULL, CAPA},
		{"cap-drop", required_argument, NULL, CAPD},
		{"privileged", no_argument, NULL, PRIV},
		{"security-opt", required_argument, NULL, SEC},
		{"annotation", required_argument, NULL, ANN},
		{"hostname", required_argument, NULL, 'h'},
		{"network", required_argument, NULL, NET},
		{"net", required_argument, NULL, NET},
		{"isolation", required_argument, NULL, ISO},
		{"rootfs", no_argument, NULL, ROOTFS},
		{"cgroup-parent", required_argument, NULL, CGP},
		{"stop-signal", required_argument, NULL, STOPSIG},
		{"help", no_argument, NULL, HELP},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ditre:u:w:v:m:h:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			f->detach = true;
			break;
		case 'i':
			f->interactive = true;
			break;
		case 't':
			f->tty = true;
			break;
		case RM:
			f->rm = true;
			break;
		case NAME:
			f->name = optarg;
			break;
		case 'e':
			push(&f->env, optarg);
			break;
		case ENVF:
			push(&f->env_files, optarg);
			break;
		case ENTRY:
			f->entrypoint = optarg;
			break;
		case 'u':
			f->user = optarg;
			break;
		case 'w':
			f->workdir = optarg;
			break;
		case 'v':
			push(&f->volumes, optarg);
			break;
		case TMPFS:
			push(&f->tmpfs, optarg);
			break;
		case RO:
			f->read_only = true;
			break;
		case 'm':
			f->memory = optarg;
			break;
		case CPUS:
			f->cpus = optarg;
			break;
		case PIDS:
			f->pids = optarg;
			break;
		case CAPA:
			push(&f->cap_add, optarg);
			break;
		case CAPD:
			push(&f->cap_drop, optarg);
			break;
		case PRIV:
			f->privileged = true;
			break;
		case SEC:
			if (security_opt(optarg, f, err) < 0)
				return -1;
			break;
		case ANN:
			push(&f->annotations, optarg);
			break;
		case 'h':
			f->hostname = optarg;
			break;
		case NET:
			f->network = optarg;
			break;
		case ISO:
			f->isolation = optarg;
			break;
		case ROOTFS:
			f->rootfs = "";
			break;
		case CGP:
			f->cgroup_parent = optarg;
			break;
		case STOPSIG:
			f->stop_signal = optarg;
			break;
		case HELP:
			usage();
			return 1;
		default:
			return usage_error(err, "run", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(err, "run", "requires at least 1 argument (IMAGE)");
	if (f->network && strcmp(f->network, "none") && strcmp(f->network, "host"))
		return usage_error(err, "run", "unsupported --network `%s` (none or host)",
				   f->network);
	if (f->stop_signal && hull_parse_signal(f->stop_signal, err) < 0)
		return hull_error_wrap(err, "--stop-signal");
	if (f->tty && f->interactive && !isatty(STDIN_FILENO))
		return hull_error(err, ENOTTY, "the input device is not a TTY");
	return 0;
}

/* Each Volume of the image gets a directory of the container's own, as docker's anonymous
 * volumes do, unless a -v already mounts something there. */
static int image_volumes(const struct base *b, const char *dir, struct hull_run_spec *rs,
			 struct hull_err *err)
{
	size_t n = 0;

	for (char **v = b->volumes; v && *v; v++, n++) {
		bool taken = false;
		struct hull_bind bind = {0};
		for (size_t i = 0; i < rs->n_binds; i++)
			taken |= !strcmp(rs->binds[i].destination, *v);
		if (taken || (*v)[0] != '/')
			continue;
		bind.source = hull_strfmt("%s/volumes/%zu", dir, n);
		if (hull_mkdir_p(bind.source, 0755, err) < 0) {
			free(bind.source);
			return hull_error_wrap(err, "volume %s of the image", *v);
		}
		bind.destination = xstrdup(*v);
		rs->binds = xrealloc(rs->binds, (rs->n_binds + 1) * sizeof(*rs->binds));
		rs->binds[rs->n_binds++] = bind;
	}
	return 0;
}

static void flags_free(struct run_flags *f)
{
	hull_strv_free(f->env);
	hull_strv_free(f->env_files);
	hull_strv_free(f->volumes);
	hull_strv_free(f->tmpfs);
	hull_strv_free(f->cap_add);
	hull_strv_free(f->cap_drop);
	hull_strv_free(f->annotations);
}

/* The record and the bundle of a new container; its name is claimed. */
static int prepare(const struct hull_engine *e, const struct run_flags *f, const char *image,
		   char **args, struct hull_ctr *c, struct hull_err *err)
{
	struct base b = {0};
	struct hull_run_spec rs = {0};
	cleanup_free char *dir = NULL, *cfgpath = NULL, *json = NULL;
	struct stat st;
	int rc = -1;

	c->id = hull_ctr_new_id();
	c->name = f->name ? xstrdup(f->name) : hull_ctr_random_name(e);
	if (hull_ctr_claim_name(e, c->name, c->id, err) < 0) {
		free(c->name);
		c->name = NULL;
		goto out;
	}
	dir = hull_ctr_dir(e, c->id);
	if ((f->rootfs ? base_from_rootfs(image, &b, err)
		       : base_from_image(e, image, c->id, &b, err)) < 0)
		goto out;
	if (hull_mkdir_p(dir, 0700, err) < 0)
		goto out;
	if (build_spec(f, &b, args, c->id, &rs, err) < 0 || image_volumes(&b, dir, &rs, err) < 0)
		goto out;
	rs.etc_files_dir = xstrdup(dir);
	{
		cleanup_free char *etc = hull_strfmt("%s/etc", b.rootfs);
		rs.rootfs_has_etc = lstat(etc, &st) == 0 && S_ISDIR(st.st_mode);
	}
	if (hull_run_spec_etc_files(dir, rs.hostname, rs.host_network, err) < 0 ||
	    hull_run_spec_json(&rs, &json, err) < 0)
		goto out;
	cfgpath = hull_strfmt("%s/config.json", dir);
	if (hull_write_file_atomic(cfgpath, json, strlen(json), 0600, err) < 0)
		goto out;
	c->image = xstrdup(f->rootfs ? b.rootfs : image);
	c->image_id = xstrdup(b.image_id ? b.image_id : "");
	c->command = hull_strv_dup(rs.args);
	c->created = hull_now_rfc3339();
	c->isolation = xstrdup(f->isolation ? f->isolation : "container");
	c->stop_signal = xstrdup(f->stop_signal	 ? f->stop_signal
				 : b.stop_signal ? b.stop_signal
						 : "SIGTERM");
	c->rootfs_kind = xstrdup(b.kind);
	c->rootfs = xstrdup(b.rootfs);
	c->auto_remove = f->rm;
	c->tty = f->tty;
	c->interactive = f->interactive;
	c->monitor_pid = f->detach ? 0 : getpid();
	rc = hull_ctr_save(e, c, err);
out:
	hull_run_spec_free(&rs);
	if (rc < 0 && c->id) {
		/* an image's rootfs is a mount in the container's directory */
		if (b.kind && !strcmp(b.kind, "overlay"))
			umount2(b.rootfs, MNT_DETACH);
		if (dir)
			hull_remove_tree(dir, NULL);
		hull_ctr_release_name(e, c->name);
	}
	base_free(&b);
	return rc;
}

int cmd_run(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct run_flags f = {0};
	struct hull_engine e = {0};
	struct hull_ctr c = {0};
	int rc, status = 0;

	rc = parse_flags(argc, argv, &f, err);
	if (rc != 0) {
		flags_free(&f);
		return rc < 0 ? -1 : 0;
	}
	rc = open_engine(g, &e, err);
	if (rc < 0) {
		flags_free(&f);
		return -1;
	}
	rc = prepare(&e, &f, argv[optind], argv + optind + 1, &c, err);
	if (rc < 0)
		goto out;
	if (f.detach) {
		rc = hull_monitor_spawn(&e, &c, err);
		if (rc == 0)
			printf("%s\n", c.id);
	} else {
		struct hull_monitor_opts mo = {.e = &e, .c = &c, .attach = true, .ready_fd = -1};
		rc = hull_monitor_run(&mo, &status, err);
		if (rc == 0)
			rc = status;
	}
	if (rc < 0) {
		struct hull_err rerr = {0};
		int code = start_failure_status(err);
		hull_ctr_remove(&e, c.id, true, &rerr);
		fprintf(stderr, "hull: %s\n", err->msg);
		rc = code;
	}
out:
	hull_ctr_clear(&c);
	hull_engine_free(&e);
	flags_free(&f);
	return rc;
}
