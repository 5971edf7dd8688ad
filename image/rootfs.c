/* SPDX-License-Identifier: Apache-2.0 */
#include "image/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/util.h"

/* The new mount API appends lower layers one by one ("lowerdir+", Linux 6.8): no limit of
 * one page on the option string, so images of any depth mount. */
static int mount_fsconfig(char *const *lower, const char *upper, const char *work,
			  const char *target)
{
	int fs = fsopen("overlay", FSOPEN_CLOEXEC), mnt = -1, rc = -1;
	size_t i;

	if (fs < 0)
		return -1;
	for (i = hull_strv_len(lower); i > 0; i--)
		if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", lower[i - 1], 0) < 0)
			goto out;
	if (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		goto out;
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		goto out;
	rc = move_mount(mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
out:
	if (mnt >= 0)
		close(mnt);
	close(fs);
	return rc;
}

static int mount_classic(char *const *lower, const char *upper, const char *work,
			 const char *target)
{
	cleanup_free char *opts = hull_strfmt("upperdir=%s,workdir=%s,lowerdir=", upper, work);
	size_t i;
	for (i = hull_strv_len(lower); i > 0; i--) {
		char *o = hull_strfmt("%s%s%s", opts, i == hull_strv_len(lower) ? "" : ":",
				      lower[i - 1]);
		free(opts);
		opts = o;
	}
	if (strlen(opts) >= 4096) {
		errno = E2BIG;
		return -1;
	}
	return mount("overlay", target, "overlay", 0, opts);
}

static int copy_layers(struct hull_store *s, const struct hull_image *img, const char *target,
		       struct hull_err *err)
{
	cleanup_close int dst = open(target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	size_t i;

	if (dst < 0)
		return hull_error(err, errno, "open `%s`", target);
	for (i = 0; img->layers[i]; i++) {
		cleanup_free char *p = hull_store_layer_path(s, img->layers[i]);
		cleanup_close int src = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (src < 0)
			return hull_error(err, errno, "open layer `%s`", p);
		if (hull_layer_apply(src, dst, err) < 0)
			return hull_error_wrap(err, "copy layer %s", img->layers[i]);
		/* the root directory takes the top layer's mode, as overlayfs shows it */
		if (fstat(src, &st) == 0)
			fchmod(dst, st.st_mode & 07777);
	}
	return 0;
}

int hull_rootfs_create(struct hull_store *s, const struct hull_image *img, const char *id,
		       enum hull_rootfs_mode mode, char **rootfs_out, struct hull_err *err)
{
	cleanup_free char *cdir = hull_strfmt("%s/containers", s->root);
	cleanup_free char *dir = hull_strfmt("%s/%s", cdir, id);
	cleanup_free char *rootfs = hull_strfmt("%s/rootfs", dir);
	cleanup_free char *upper = hull_strfmt("%s/upper", dir);
	cleanup_free char *work = hull_strfmt("%s/work", dir);
	cleanup_free char *layers_file = hull_strfmt("%s/layers", dir);
	cleanup_free char *list = xstrdup("");
	char **lower = xzalloc((hull_strv_len(img->layers) + 1) * sizeof(char *));
	size_t i;
	int rc = -1;

	if (!*id || strchr(id, '/') || !strcmp(id, ".") || !strcmp(id, "..")) {
		hull_strv_free(lower);
		return hull_error(err, EINVAL, "container id `%s` is not a plain name", id);
	}
	if (hull_mkdir_p(cdir, 0700, err) < 0)
		goto out_nodir;
	if (mkdir(dir, 0700) < 0) {
		hull_error(err, errno, "mkdir `%s`", dir);
		goto out_nodir;
	}
	for (i = 0; img->layers[i]; i++) {
		char *l = hull_strfmt("%s%s\n", list, img->layers[i]);
		free(list);
		list = l;
		lower[i] = hull_store_layer_path(s, img->layers[i]);
	}
	/* recorded first: from here on garbage collection keeps these layers */
	if (hull_write_file_atomic(layers_file, list, strlen(list), 0600, err) < 0)
		goto out;
	if (mkdir(rootfs, 0755) < 0 || mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0) {
		hull_error(err, errno, "make the directories of `%s`", dir);
		goto out;
	}
	if (mode != HULL_ROOTFS_COPY && lower[0]) {
		if (mount_fsconfig(lower, upper, work, rootfs) == 0 ||
		    mount_classic(lower, upper, work, rootfs) == 0) {
			rc = 0;
			goto out;
		}
		if (mode == HULL_ROOTFS_OVERLAY) {
			hull_error(err, errno, "mount overlayfs on `%s`", rootfs);
			goto out;
		}
	}
	rc = copy_layers(s, img, rootfs, err);
out:
	if (rc < 0)
		hull_rootfs_remove(s->root, id, NULL);
	else if (rootfs_out)
		*rootfs_out = steal_pointer(&rootfs);
out_nodir:
	hull_strv_free(lower);
	return rc;
}

bool hull_rootfs_mounted(const char *root, const char *id)
{
	cleanup_free char *dir = hull_strfmt("%s/containers/%s", root, id);
	cleanup_free char *rootfs = hull_strfmt("%s/rootfs", dir);
	struct stat a, b;

	return stat(rootfs, &a) == 0 && stat(dir, &b) == 0 && a.st_dev != b.st_dev;
}

/* a chain ID as the store names layers: "sha256:" and hex, or hex alone */
static bool chain_id_ok(const char *s)
{
	if (!strncmp(s, "sha256:", 7))
		s += 7;
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!strchr("0123456789abcdef", *s))
			return false;
	return true;
}

char **hull_rootfs_lower(struct hull_store *s, const char *id, struct hull_err *err)
{
	cleanup_free char *path = hull_strfmt("%s/containers/%s/layers", s->root, id);
	cleanup_free char *text = NULL;
	char **lower = NULL, *save = NULL;

	if (!*id || strchr(id, '/') || !strcmp(id, ".") || !strcmp(id, "..")) {
		hull_error(err, EINVAL, "container id `%s` is not a plain name", id);
		return NULL;
	}
	if (hull_read_file(path, &text, NULL, err) < 0)
		return NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		cleanup_free char *p = NULL;
		struct stat st;
		if (!chain_id_ok(l)) {
			hull_error(err, EINVAL, "%s: `%s` is not a chain ID", path, l);
			goto fail;
		}
		p = hull_store_layer_path(s, l);
		if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
			hull_error(err, errno ? errno : ENOTDIR, "the layer %s of container %.12s",
				   l, id);
			goto fail;
		}
		hull_strv_push(&lower, p);
	}
	if (!lower) {
		hull_error(err, EINVAL, "%s names no layer", path);
		return NULL;
	}
	return lower;
fail:
	hull_strv_free(lower);
	return NULL;
}

int hull_rootfs_mount(struct hull_store *s, const char *id, struct hull_err *err)
{
	cleanup_free char *dir = hull_strfmt("%s/containers/%s", s->root, id);
	cleanup_free char *rootfs = hull_strfmt("%s/rootfs", dir);
	cleanup_free char *upper = hull_strfmt("%s/upper", dir);
	cleanup_free char *work = hull_strfmt("%s/work", dir);
	char **lower;
	int rc = 0;

	if (hull_rootfs_mounted(s->root, id))
		return 0;
	lower = hull_rootfs_lower(s, id, err);
	if (!lower)
		return -1;
	if (mount_fsconfig(lower, upper, work, rootfs) < 0 &&
	    mount_classic(lower, upper, work, rootfs) < 0)
		rc = hull_error(err, errno, "mount the rootfs of container %.12s again", id);
	hull_strv_free(lower);
	return rc;
}

int hull_rootfs_remove(const char *root, const char *id, struct hull_err *err)
{
	cleanup_free char *dir = hull_strfmt("%s/containers/%s", root, id);
	cleanup_free char *rootfs = hull_strfmt("%s/rootfs", dir);

	if (!*id || strchr(id, '/') || !strcmp(id, ".") || !strcmp(id, ".."))
		return hull_error(err, EINVAL, "container id `%s` is not a plain name", id);
	/* a lazy unmount: a process still inside (a leftover) must not keep the directory */
	if (umount2(rootfs, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return hull_error(err, errno, "unmount `%s`", rootfs);
	return hull_remove_tree(dir, err);
}
