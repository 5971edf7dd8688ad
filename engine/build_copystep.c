/* SPDX-License-Identifier: Apache-2.0 */
/* COPY and ADD steps: the sources resolved and checksummed (build_context.c), the stage's image
 * mounted in a working directory (build_step.c), the files copied in (build_copy.c), archives
 * ADD unpacks through image/unpack.c (the layer unpacker's checks), the changes committed. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/build_int.h"
#include "image/unpack.h"
#include "image/userdb.h"
#include "lib/pathres.h"
#include "lib/util.h"

/* a local file ADD unpacks: a tar archive, compressed or not, as libarchive reads it */
static bool is_archive(int dirfd, const char *path)
{
	cleanup_close int fd = hull_open_in_root(dirfd, path, O_RDONLY | O_CLOEXEC, 0, NULL);
	struct archive *a;
	struct archive_entry *e;
	struct stat st;
	bool r;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	r = archive_read_open_fd(a, fd, 1 << 16) == ARCHIVE_OK &&
	    archive_read_next_header(a, &e) == ARCHIVE_OK;
	archive_read_free(a);
	return r;
}

/* the archive unpacked (safely: image/unpack.c) in the store's tmp/, then copied over dest */
static int add_archive(struct hull_build *b, int srcfd, const char *path, int rootfd,
		       const char *dest, struct hull_copy_opts *o, struct hull_err *err)
{
	cleanup_free char *tmp = hull_store_mkdtemp(&b->s, err);
	cleanup_close int fd = -1, tfd = -1;
	char *all[] = {".", NULL};
	char diff[HULL_DIGEST_SIZE];
	struct hull_copy_opts ao = *o;
	cleanup_free char *dir = NULL;
	int rc = -1;

	if (!tmp)
		return -1;
	fd = hull_open_in_root(srcfd, path, O_RDONLY | O_CLOEXEC, 0, err);
	if (fd < 0 || hull_unpack_fd(fd, tmp, diff, NULL, NULL, path, err) < 0)
		goto out;
	tfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0) {
		hull_error(err, errno, "open `%s`", tmp);
		goto out;
	}
	ao.keep_owner = true;
	ao.ig = NULL;
	dir = strlen(dest) && dest[strlen(dest) - 1] == '/' ? xstrdup(dest)
							    : hull_strfmt("%s/", dest);
	rc = hull_copy_in(tfd, all, rootfd, dir, &ao, err);
out:
	hull_remove_tree(tmp, NULL);
	return rc;
}

/* --chown=USER[:GROUP] as the image's /etc/passwd and /etc/group say */
static int chown_opts(int rootfd, const char *spec, struct hull_copy_opts *o, struct hull_err *err)
{
	struct hull_user u = {0};
	if (!spec)
		return 0;
	if (hull_user_resolve(rootfd, spec, &u, err) < 0)
		return hull_error_wrap(err, "--chown=%s", spec);
	o->chown = true;
	o->uid = u.uid;
	o->gid = u.gid;
	hull_user_free(&u);
	return 0;
}

static int chmod_opts(const char *spec, struct hull_copy_opts *o, struct hull_err *err)
{
	char *end;
	long m;
	if (!spec)
		return 0;
	m = strtol(spec, &end, 8);
	if (!*spec || *end || m < 0 || m > 07777)
		return hull_error(err, 0, "--chmod=%s: not an octal mode", spec);
	o->mode = (int)m;
	return 0;
}

struct copy_step {
	char **words;		     /* sources..., dest */
	char *dest;		     /* absolute */
	char **sources;		     /* resolved, relative to the source tree */
	struct hull_build_work from; /* --from: that image mounted */
	int srcfd;
	char sum[HULL_DIGEST_SIZE];
};

static void copy_step_free(struct hull_build *b, struct copy_step *cs)
{
	hull_strv_free(cs->words);
	hull_strv_free(cs->sources);
	free(cs->dest);
	if (cs->from.lockfd >= 0 || cs->from.id)
		hull_build_work_close(b, &cs->from);
}

/* the sources, where they come from, their checksum */
static int copy_sources(struct hull_build *b, struct hull_build_cur *c,
			const struct hull_df_instr *in, struct copy_step *cs, struct hull_err *err)
{
	const char *from = hull_df_flag(in, "from");
	size_t n;

	if (in->json) {
		cs->words = xzalloc(sizeof(char *));
		for (char **a = in->args; *a; a++) {
			cleanup_strv char **w = NULL;
			if (hull_df_expand(*a, b->df.escape, hull_imgedit_lookup, &c->ed, false, &w,
					   err) < 0)
				return -1;
			hull_strv_push(&cs->words, w[0]);
		}
	} else if (hull_df_expand(in->rest, b->df.escape, hull_imgedit_lookup, &c->ed, true,
				  &cs->words, err) < 0) {
		return -1;
	}
	n = hull_strv_len(cs->words);
	if (n < 2)
		return hull_error(err, 0, "%s requires at least two arguments", in->keyword);
	for (size_t i = 0; i + 1 < n; i++)
		if (strstr(cs->words[i], "://") || hull_has_prefix(cs->words[i], "git@"))
			return hull_error(err, 0,
					  "%s `%s`: remote sources are not supported (hull build "
					  "has no network): download it into the context and COPY "
					  "it",
					  in->keyword, cs->words[i]);
	{
		/* relative to WORKDIR; a trailing slash (or ".") still says "a directory" */
		const char *d = cs->words[n - 1];
		const char *base = c->cfg.workdir && *c->cfg.workdir ? c->cfg.workdir : "/";
		while (d[0] == '.' && d[1] == '/')
			d += 2;
		if (d[0] == '/')
			cs->dest = xstrdup(d);
		else if (!*d || !strcmp(d, "."))
			cs->dest = hull_strfmt("%s/", base);
		else
			cs->dest = hull_strfmt("%s%s%s", base,
					       base[strlen(base) - 1] == '/' ? "" : "/", d);
	}
	free(cs->words[n - 1]);
	cs->words[n - 1] = NULL;
	if (from) {
		struct hull_image img = {0};
		int rc;
		if (hull_build_from_ref(b, from, NULL, &img, err) < 0)
			return hull_error_wrap(err, "--from");
		rc = hull_build_work_open(b, &img, &cs->from, err);
		if (rc == 0) {
			cs->srcfd = cs->from.rootfd;
			rc = hull_sources_resolve(cs->srcfd, NULL, cs->words, &cs->sources, err);
		}
		if (rc == 0) {
			/* an image's files are what its ID says: the ID and paths suffice */
			cleanup_free char *p = hull_strv_join(cs->sources, " ");
			cleanup_free char *t = hull_strfmt("%s %s", img.config, p);
			hull_sha256_buf(t, strlen(t), cs->sum);
		}
		hull_image_free(&img);
		return rc;
	}
	if (b->ctxfd < 0)
		return hull_error(
			err, 0,
			"%s needs a build context (`hull build -` reads a Dockerfile alone)",
			in->keyword);
	cs->srcfd = b->ctxfd;
	if (hull_sources_resolve(b->ctxfd, &b->ig, cs->words, &cs->sources, err) < 0 ||
	    hull_sources_checksum(b->ctxfd, &b->ig, cs->sources, cs->sum, err) < 0)
		return -1;
	return 0;
}

int hull_build_copy(struct hull_build *b, struct hull_build_cur *c, const struct hull_df_instr *in,
		    struct hull_err *err)
{
	struct copy_step cs = {.from = {.rootfd = -1, .lockfd = -1}, .srcfd = -1};
	struct hull_copy_opts o = {.mode = -1};
	cleanup_free char *by = NULL, *flags = NULL;
	bool add = in->kind == HULL_DF_ADD;
	char key[HULL_DIGEST_SIZE];
	struct hull_build_work w = {.rootfd = -1, .lockfd = -1};
	int rc = -1;

	if (copy_sources(b, c, in, &cs, err) < 0)
		goto out;
	flags = hull_strv_join(in->flags, " ");
	by = hull_strfmt("/bin/sh -c #(nop) %s %s%sdir:%s in %s ", in->keyword, flags,
			 *flags ? " " : "", hull_digest_hex(cs.sum), cs.dest);
	hull_build_cache_key(c->has ? c->img.config : NULL, by, NULL, key);
	if (hull_build_cache_use(b, c, key)) {
		rc = 0;
		goto out;
	}
	if (hull_build_work_open(b, c->has ? &c->img : NULL, &w, err) < 0 ||
	    chown_opts(w.rootfd, hull_df_flag(in, "chown"), &o, err) < 0 ||
	    chmod_opts(hull_df_flag(in, "chmod"), &o, err) < 0)
		goto out;
	o.keep_owner = hull_df_flag(in, "from") != NULL;
	o.ig = hull_df_flag(in, "from") ? NULL : &b->ig;
	if (add) {
		/* archives unpack into dest; the other sources are copied as COPY does */
		char **plain = xzalloc(sizeof(char *));
		for (char **s = cs.sources; *s; s++) {
			if (!is_archive(cs.srcfd, *s)) {
				hull_strv_push(&plain, *s);
				continue;
			}
			if (add_archive(b, cs.srcfd, *s, w.rootfd, cs.dest, &o, err) < 0) {
				hull_strv_free(plain);
				goto out;
			}
		}
		rc = *plain ? hull_copy_in(cs.srcfd, plain, w.rootfd, cs.dest, &o, err) : 0;
		hull_strv_free(plain);
		if (rc < 0)
			goto out;
		rc = -1;
	} else if (hull_copy_in(cs.srcfd, cs.sources, w.rootfd, cs.dest, &o, err) < 0) {
		goto out;
	}
	if (hull_build_work_commit(b, c, &w, by, key, err) < 0)
		goto out;
	rc = 0;
out:
	if (w.lockfd >= 0)
		hull_build_work_close(b, &w);
	copy_step_free(b, &cs);
	return rc;
}
