/* SPDX-License-Identifier: Apache-2.0 */
/* The build steps that make files.  RUN runs the command in a hull container (engine/
 * prepare.c and the monitor, as `hull run` does, at the chosen isolation level, network none
 * unless asked) and commits its upper directory.  WORKDIR, and COPY and ADD (build_copystep.c),
 * work in a working directory: containers/.build-<id>/ with the stage's image mounted
 * (overlayfs) and no record, locked by containers/.build-<id>.lock while in use, so one left by
 * a killed build is found and removed by the next. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "engine/build_int.h"
#include "engine/commit.h"
#include "engine/events.h"
#include "engine/monitor.h"
#include "engine/ops.h"
#include "engine/prepare.h"
#include "engine/volume.h"
#include "image/load.h"
#include "image/rootfs.h"
#include "lib/pathres.h"
#include "lib/util.h"

/* a dot name: no container record, so listings and `hull rm` leave it alone (the build's shared
 * store lock keeps garbage collection, which skips dot names, away while it is in use) */
#define WORK_PREFIX  ".build-"
#define LOCK_SUFFIX  ".lock"
#define NETWORK_NONE "none"
/* the label of RUN's containers, so the next build finds those a killed build left */
#define STEP_LABEL     "run.hull.build-step"
#define STEP_LABEL_SET STEP_LABEL "=true"

void hull_build_work_close(struct hull_build *b, struct hull_build_work *w)
{
	if (w->rootfd >= 0)
		close(w->rootfd);
	if (w->id)
		hull_rootfs_remove(b->s.root, w->id, NULL);
	if (w->lock)
		unlink(w->lock);
	if (w->lockfd >= 0)
		close(w->lockfd);
	free(w->id);
	free(w->rootfs);
	free(w->lock);
	memset(w, 0, sizeof(*w));
	w->rootfd = w->lockfd = -1;
}

/* img (NULL: nothing) mounted in a fresh working directory */
int hull_build_work_open(struct hull_build *b, const struct hull_image *img,
			 struct hull_build_work *w, struct hull_err *err)
{
	cleanup_free char *cdir = hull_strfmt("%s/containers", b->s.root);
	cleanup_free char *rid = hull_ctr_new_id();
	cleanup_free char *id = hull_strfmt(WORK_PREFIX "%.12s", rid);
	char *none[] = {NULL};
	struct hull_image empty = {.layers = none};

	memset(w, 0, sizeof(*w));
	w->rootfd = w->lockfd = -1;
	if (!img)
		img = &empty;
	if (hull_mkdir_p(cdir, 0700, err) < 0)
		return -1;
	/* the lock first: a sweep never sees the directory without its lock held */
	w->lock = hull_strfmt("%s/%s" LOCK_SUFFIX, cdir, id);
	w->lockfd = open(w->lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (w->lockfd < 0 || flock(w->lockfd, LOCK_EX) < 0) {
		hull_error(err, errno, "make `%s`", w->lock);
		goto fail;
	}
	w->scratch = !img->layers[0];
	if (hull_image_layers_ensure(&b->s, img, err) < 0 ||
	    hull_rootfs_create(&b->s, img, id, w->scratch ? HULL_ROOTFS_COPY : HULL_ROOTFS_OVERLAY,
			       &w->rootfs, err) < 0)
		goto fail;
	w->id = steal_pointer(&id);
	w->rootfd = open(w->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (w->rootfd < 0) {
		hull_error(err, errno, "open `%s`", w->rootfs);
		goto fail;
	}
	return 0;
fail:
	hull_build_work_close(b, w);
	return -1;
}

/* RUN containers of a build that died (its monitor was the build itself) */
static void sweep_steps(struct hull_build *b)
{
	struct hull_ctr **v = NULL;
	size_t n = 0;

	if (hull_ctr_list(b->e, &v, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		bool step = false;
		for (size_t j = 0; j < v[i]->n_labels; j++)
			step |= !strcmp(v[i]->labels[j].key, STEP_LABEL);
		if (!step || (v[i]->monitor_pid > 0 && kill(v[i]->monitor_pid, 0) == 0))
			continue;
		hull_ctr_remove(b->e, v[i]->id, true, NULL);
		hull_volumes_release(b->e, v[i]->id, true, NULL);
	}
	hull_ctr_list_free(v, n);
}

/* working directories whose build died: their lock is free (or gone) */
static void sweep_work(struct hull_build *b)
{
	cleanup_free char *cdir = hull_strfmt("%s/containers", b->s.root);
	cleanup_dir DIR *d = opendir(cdir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		cleanup_free char *lock = NULL;
		cleanup_close int fd = -1;
		size_t n = strlen(de->d_name);
		if (!hull_has_prefix(de->d_name, WORK_PREFIX) ||
		    (n > strlen(LOCK_SUFFIX) &&
		     !strcmp(de->d_name + n - strlen(LOCK_SUFFIX), LOCK_SUFFIX)))
			continue;
		lock = hull_strfmt("%s/%s" LOCK_SUFFIX, cdir, de->d_name);
		fd = open(lock, O_RDWR | O_CLOEXEC);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
			continue;
		hull_rootfs_remove(b->s.root, de->d_name, NULL);
		unlink(lock);
	}
}

void hull_build_sweep(struct hull_build *b)
{
	sweep_steps(b);
	sweep_work(b);
	hull_build_journal_sweep(b);
}

/* c moves to img, the image its step made */
static void advance(struct hull_build *b, struct hull_build_cur *c, struct hull_image *img,
		    const char *key)
{
	hull_build_added(b, img->manifest);
	if (key)
		hull_build_cache_put(&b->s, key, img->manifest);
	if (c->has)
		hull_image_free(&c->img);
	c->img = *img;
	memset(img, 0, sizeof(*img));
	c->has = true;
}

/* the changes of a working directory (or of dir, a container's upper) as the next image */
static int commit_dir(struct hull_build *b, struct hull_build_cur *c, const char *dir,
		      char *const *stubs, const char *created_by, const char *key,
		      struct hull_err *err)
{
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct hull_image img = {0};

	if (fd < 0)
		return hull_error(err, errno, "open `%s`", dir);
	if (hull_commit_tree(&b->s, fd, stubs, c->has ? c->img.manifest : NULL, &c->cfg, created_by,
			     NULL, NULL, &img, err) < 0)
		return -1;
	advance(b, c, &img, key);
	return 0;
}

int hull_build_work_commit(struct hull_build *b, struct hull_build_cur *c,
			   struct hull_build_work *w, const char *created_by, const char *key,
			   struct hull_err *err)
{
	cleanup_free char *upper = hull_strfmt("%s/containers/%s/upper", b->s.root, w->id);
	if (commit_dir(b, c, w->scratch ? w->rootfs : upper, NULL, created_by, key, err) < 0)
		return -1;
	hull_build_say(b, " ---> %.12s", hull_digest_hex(c->img.config));
	return 0;
}

/* the build args RUN sees (declared in the stage, with a value, not shadowed by ENV) */
static char **run_args(const struct hull_build_cur *c)
{
	char **v = xzalloc(sizeof(char *));
	for (size_t i = 0; i < c->n_args; i++) {
		cleanup_free char *kv = NULL;
		if (!c->args[i].value || hull_imgcfg_getenv(&c->cfg, c->args[i].name))
			continue;
		kv = hull_strfmt("%s=%s", c->args[i].name, c->args[i].value);
		hull_strv_push(&v, kv);
	}
	return v;
}

/* the container of a RUN step, run to its end with our stdio */
static int run_container(struct hull_build *b, struct hull_build_cur *c, char **argv, char **env,
			 const char *created_by, const char *key, struct hull_err *err)
{
	const struct hull_build_opts *o = b->o;
	char *labels[] = {STEP_LABEL_SET, NULL};
	struct hull_run_opts ro = {
		.image = c->img.config,
		.args = argv,
		.entrypoint = "",
		.env = env,
		.network = o->network ? o->network : NETWORK_NONE,
		.isolation = o->isolation,
		.cgroup_parent = o->cgroup_parent,
		.labels = labels,
	};
	struct hull_monitor_opts mo = {.e = b->e, .attach = true, .ready_fd = -1, .client_fd = -1};
	struct hull_ctr ctr = {0};
	int status = 0, rc = -1;

	if (hull_build_index_ensure(b, &c->img, err) < 0 ||
	    hull_run_prepare(b->e, &ro, &ctr, err) < 0)
		return -1;
	hull_build_say(b, " ---> Running in %.12s", ctr.id);
	hull_event_emit(b->e, &ctr, "create", NULL);
	mo.c = &ctr;
	if (hull_monitor_run(&mo, &status, err) < 0)
		goto out;
	if (status) {
		cleanup_free char *cmd = hull_strv_join(argv, " ");
		hull_error(err, 0, "The command '%s' returned a non-zero code: %d", cmd, status);
		goto out;
	}
	{
		cleanup_free char *upper = hull_ctr_path(b->e, ctr.id, "upper");
		cleanup_free char *config = hull_ctr_path(b->e, ctr.id, "config.json");
		cleanup_strv char **stubs = hull_commit_stubs(config);
		if (commit_dir(b, c, upper, stubs, created_by, key, err) < 0)
			goto out;
	}
	rc = 0;
out:
	hull_ctr_remove(b->e, ctr.id, true, NULL);
	hull_volumes_release(b->e, ctr.id, true, NULL);
	hull_build_say(b, "Removing intermediate container %.12s", ctr.id);
	if (rc == 0)
		hull_build_say(b, " ---> %.12s", hull_digest_hex(c->img.config));
	hull_ctr_clear(&ctr);
	return rc;
}

int hull_build_run(struct hull_build *b, struct hull_build_cur *c, const struct hull_df_instr *in,
		   struct hull_err *err)
{
	cleanup_strv char **argv = NULL, **env = NULL;
	cleanup_free char *cmd = NULL, *by = NULL;
	char key[HULL_DIGEST_SIZE];
	size_t n;

	if (!c->has)
		return hull_error(err, 0,
				  "RUN in a stage with no files (FROM scratch): there is no "
				  "shell to run it with");
	argv = in->json ? hull_strv_dup(in->args) : hull_imgedit_shell_form(&c->cfg, in->rest);
	if (!argv[0])
		return hull_error(err, 0, "RUN: an empty command");
	env = run_args(c);
	n = hull_strv_len(env);
	cmd = hull_strv_join(argv, " ");
	/* docker's record of a RUN that saw build args: "|N A=1 B=2 /bin/sh -c ..." */
	if (n) {
		cleanup_free char *args = hull_strv_join(env, " ");
		by = hull_strfmt("|%zu %s %s", n, args, cmd);
	} else {
		by = xstrdup(cmd);
	}
	hull_build_cache_key(c->img.config, by, NULL, key);
	if (hull_build_cache_use(b, c, key))
		return 0;
	return run_container(b, c, argv, env, by, key, err);
}

int hull_build_workdir(struct hull_build *b, struct hull_build_cur *c,
		       const struct hull_df_instr *in, struct hull_err *err)
{
	cleanup_free char *by = hull_imgedit_nop_text(&c->ed, in);
	struct hull_build_work w = {.rootfd = -1, .lockfd = -1};
	char key[HULL_DIGEST_SIZE];
	int rc = -1;

	hull_build_cache_key(c->has ? c->img.config : NULL, by, NULL, key);
	if (hull_build_cache_use(b, c, key))
		return 0;
	if (hull_imgedit_apply(&c->ed, in, err) < 0)
		return -1;
	/* docker makes the directory now, in a layer of its own (when it is not there yet) */
	if (hull_build_work_open(b, c->has ? &c->img : NULL, &w, err) < 0)
		return -1;
	{
		cleanup_close int fd =
			hull_open_in_root(w.rootfd, c->cfg.workdir, O_PATH | O_CLOEXEC, 0, NULL);
		if (fd < 0) {
			cleanup_close int made = hull_mkpath_in_root(w.rootfd, c->cfg.workdir,
								     HULL_MK_DIR, 0755, err);
			if (made < 0)
				goto out;
		}
	}
	rc = hull_build_work_commit(b, c, &w, by, key, err);
out:
	hull_build_work_close(b, &w);
	return rc;
}
