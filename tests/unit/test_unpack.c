/* SPDX-License-Identifier: Apache-2.0 */
/* Layer unpacking (image/unpack.c, image/extract.c) on tarballs built here with libarchive:
 * what a layer may hold comes out as tar would write it, and every hostile entry is refused
 * without a byte written outside the layer directory.  Runs as root (owners, device nodes). */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/unpack.h"
#include "lib/util.h"
#include "tests/unit/unit.h"

struct ent {
	const char *name;
	int type; /* AE_IF*, 0 = regular file */
	mode_t mode;
	const char *data;  /* regular file content */
	const char *link;  /* symlink target */
	const char *hlink; /* hard link target */
	uid_t uid;
	gid_t gid;
	time_t mtime;
	dev_t rdev;
	const char *xname;
	const void *xval;
	size_t xlen;
	size_t big; /* a regular file of this many bytes of a pattern instead of data */
};

static char outside[64], layer[64];
static rlim_t unpack_fsize; /* a file size limit while unpacking (0: none) */
static gid_t layer_setgid;  /* the layer directory setgid with this group (0: not) */
static char errmsg[HULL_ERR_MAX];
static const char *unpack_dest; /* unpack there instead of a fresh layer directory */
/* How the stream ends: as written (the last entry's padding, two zero blocks), or cut short */
static enum {
	END_WHOLE,
	END_NO_ZERO_BLOCKS, /* after the last entry's padding */
	END_NO_PADDING,	    /* right after its data (umoci 0.4.7's insert) */
	END_IN_PADDING,	    /* half-way through its padding */
	END_IN_DATA,	    /* inside its data: an error */
} stream_end;

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + i / 4096);
}

/* Build the tarball in a memfd and unpack it into a fresh layer directory. */
static int unpack(const struct ent *ents, size_t n)
{
	struct archive *a = archive_write_new();
	struct hull_err err = {0};
	char diff_id[HULL_DIGEST_SIZE];
	size_t cap = 64 << 20, used = 0, i, j;
	char *buf = xmalloc(cap);
	uint64_t size;
	rlim_t old_fsize = 0;
	int fd, rc;

	archive_write_set_format_pax(a);
	/* no blocking: the stream ends with the two zero blocks */
	archive_write_set_bytes_in_last_block(a, 1);
	archive_write_open_memory(a, buf, cap, &used);
	for (i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		const struct ent *x = &ents[i];
		size_t len = x->big ? x->big : x->data ? strlen(x->data) : 0;
		archive_entry_set_pathname(e, x->name);
		archive_entry_set_filetype(e, x->hlink || !x->type ? AE_IFREG : (unsigned)x->type);
		archive_entry_set_perm(e, x->mode ? x->mode : 0644);
		archive_entry_set_uid(e, x->uid);
		archive_entry_set_gid(e, x->gid);
		archive_entry_set_mtime(e, x->mtime ? x->mtime : 1600000000, 0);
		if (x->link)
			archive_entry_set_symlink(e, x->link);
		if (x->hlink)
			archive_entry_set_hardlink(e, x->hlink);
		if (x->rdev)
			archive_entry_set_rdev(e, x->rdev);
		if (x->xname)
			archive_entry_xattr_add_entry(e, x->xname, x->xval, x->xlen);
		archive_entry_set_size(e, (la_int64_t)len);
		archive_write_header(a, e);
		if (x->big) {
			unsigned char *b = xmalloc(x->big);
			for (j = 0; j < x->big; j++)
				b[j] = pattern(j);
			archive_write_data(a, b, x->big);
			free(b);
		} else if (len) {
			archive_write_data(a, x->data, len);
		}
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	if (stream_end != END_WHOLE && n > 0) {
		const struct ent *x = &ents[n - 1];
		size_t len = x->big ? x->big : x->data ? strlen(x->data) : 0;
		size_t pad = (512 - len % 512) % 512;
		used -= 1024;
		if (stream_end == END_NO_PADDING)
			used -= pad;
		else if (stream_end == END_IN_PADDING)
			used -= pad / 2;
		else if (stream_end == END_IN_DATA)
			used -= pad + 10;
	}

	if (layer[0]) /* the last unpack's */
		hull_remove_tree(layer, NULL);
	strcpy(layer, "/var/tmp/hull-unit-layer.XXXXXX");
	if (!mkdtemp(layer))
		abort();
	if (layer_setgid && (chown(layer, 0, layer_setgid) < 0 || chmod(layer, 02755) < 0))
		abort();
	fd = memfd_create("layer", MFD_CLOEXEC);
	if (fd < 0 || hull_write_all(fd, buf, used) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		abort();
	if (unpack_fsize) {
		struct rlimit lim;
		getrlimit(RLIMIT_FSIZE, &lim);
		old_fsize = lim.rlim_cur;
		lim.rlim_cur = unpack_fsize;
		setrlimit(RLIMIT_FSIZE, &lim);
	}
	rc = hull_unpack_fd(fd, unpack_dest ? unpack_dest : layer, diff_id, &size, NULL, "test",
			    &err);
	if (unpack_fsize) {
		struct rlimit lim;
		getrlimit(RLIMIT_FSIZE, &lim);
		lim.rlim_cur = old_fsize;
		setrlimit(RLIMIT_FSIZE, &lim);
	}
	snprintf(errmsg, sizeof(errmsg), "%s", err.msg);
	if (rc == 0) {
		char want[HULL_DIGEST_SIZE];
		hull_sha256_buf(buf, used, want);
		if (strcmp(want, diff_id) || size != used)
			UNIT_FAIL("diff ID %s (%llu bytes), expected %s (%zu)", diff_id,
				  (unsigned long long)size, want, used);
	}
	close(fd);
	free(buf);
	return rc;
}

static char *at(const char *rel)
{
	static char p[4][4096];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", layer, rel);
	return p[k];
}

static void setup(void)
{
	strcpy(outside, "/var/tmp/hull-unit-outside.XXXXXX");
	if (!mkdtemp(outside))
		abort();
}

/* the outside directory must hold exactly `expect` entries (its bait files), untouched */
static void teardown(int expect)
{
	struct stat st;
	int n = -2;
	char *cmd;
	DIR *d = opendir(outside);
	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	if (n != expect)
		UNIT_FAIL("%d entries outside the layer, expected %d", n, expect);
	if (lstat(outside, &st) == 0 && st.st_uid != 0)
		UNIT_FAIL("outside directory changed owner");
	cmd = hull_strfmt("rm -rf '%s' '%s'", layer, outside);
	layer[0] = '\0';
	if (system(cmd) != 0)
		UNIT_FAIL("cleanup");
	free(cmd);
}

static void refused(int rc)
{
	if (rc == 0)
		UNIT_FAIL("hostile layer accepted");
	else if (!strstr(errmsg, "refused"))
		UNIT_FAIL("error does not say refused: %s", errmsg);
}

static char *slurp(const char *p)
{
	char *s = NULL;
	if (hull_read_file(p, &s, NULL, NULL) < 0)
		return xstrdup("(missing)");
	return s;
}

TEST(every_kind_of_entry)
{
	struct stat st, st2;
	char buf[64];
	ssize_t n;
	struct ent e[] = {
		{.name = "./", .type = AE_IFDIR, .mode = 0755},
		{.name = "etc/", .type = AE_IFDIR, .mode = 0755},
		{.name = "etc/passwd", .data = "root:x:0:0::/root:/bin/sh\n"},
		{.name = "etc/link", .hlink = "etc/passwd"},
		{.name = "etc/sym", .type = AE_IFLNK, .mode = 0777, .link = "passwd"},
		{.name = "dev/null", .type = AE_IFCHR, .mode = 0666, .rdev = makedev(1, 3)},
		{.name = "dev/sda",
		 .type = AE_IFBLK,
		 .mode = 0660,
		 .rdev = makedev(8, 0),
		 .gid = 6},
		{.name = "run/fifo", .type = AE_IFIFO, .mode = 0600},
	};
	setup();
	CHECK_INT_EQ(unpack(e, ARRAY_SIZE(e)), 0);
	CHECK_STR_EQ(slurp(at("etc/passwd")), "root:x:0:0::/root:/bin/sh\n");
	CHECK(stat(at("etc/passwd"), &st) == 0 && stat(at("etc/link"), &st2) == 0);
	CHECK_INT_EQ(st.st_ino, st2.st_ino);
	CHECK_INT_EQ(st.st_mtime, 1600000000);
	n = readlink(at("etc/sym"), buf, sizeof(buf) - 1);
	CHECK(n == 6 && !memcmp(buf, "passwd", 6));
	CHECK(lstat(at("dev/null"), &st) == 0 && S_ISCHR(st.st_mode) &&
	      st.st_rdev == makedev(1, 3) && (st.st_mode & 07777) == 0666);
	CHECK(lstat(at("dev/sda"), &st) == 0 && S_ISBLK(st.st_mode) && st.st_gid == 6);
	CHECK(lstat(at("run/fifo"), &st) == 0 && S_ISFIFO(st.st_mode));
	/* a parent the layer does not name is made as tar makes it */
	CHECK(lstat(at("run"), &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755);
	teardown(0);
}

TEST(dotdot_and_absolute_refused)
{
	char *abs = NULL;
	struct ent e1[] = {{.name = "a/", .type = AE_IFDIR}, {.name = "a/../../x-escape"}};
	struct ent e2[] = {{.name = NULL}};
	setup();
	refused(unpack(e1, ARRAY_SIZE(e1)));
	abs = hull_strfmt("%s/abs-escape", outside);
	e2[0].name = abs;
	refused(unpack(e2, 1));
	teardown(0);
	free(abs);
}

TEST(write_through_symlink_refused)
{
	struct ent e[] = {{.name = "evil", .type = AE_IFLNK, .link = outside},
			  {.name = "evil/escape", .data = "x"}};
	setup();
	refused(unpack(e, ARRAY_SIZE(e)));
	teardown(0);
}

TEST(symlink_to_layer_dir_not_followed)
{
	struct ent e[] = {{.name = "d/", .type = AE_IFDIR},
			  {.name = "s", .type = AE_IFLNK, .link = "d"},
			  {.name = "s/f", .data = "x"}};
	setup();
	refused(unpack(e, ARRAY_SIZE(e)));
	teardown(0);
}

TEST(symlink_replaced_by_file_not_followed)
{
	char *target = NULL, *bait = NULL;
	struct stat st;
	struct ent e[] = {{.name = "s", .type = AE_IFLNK}, {.name = "s", .data = "mine"}};
	setup();
	bait = hull_strfmt("%s/bait", outside);
	CHECK(hull_write_file_atomic(bait, "bait", 4, 0644, NULL) == 0);
	target = xstrdup(bait);
	e[0].link = target;
	CHECK_INT_EQ(unpack(e, ARRAY_SIZE(e)), 0);
	CHECK(lstat(at("s"), &st) == 0 && S_ISREG(st.st_mode));
	CHECK_STR_EQ(slurp(at("s")), "mine");
	CHECK_STR_EQ(slurp(bait), "bait");
	teardown(1);
	free(target);
	free(bait);
}

TEST(hard_links_out_refused)
{
	struct ent abs[] = {{.name = "p", .hlink = "/etc/passwd"}};
	struct ent dotdot[] = {{.name = "p", .hlink = "../../../../etc/passwd"}};
	struct ent viasym[] = {{.name = "e", .type = AE_IFLNK, .link = "/etc"},
			       {.name = "p", .hlink = "e/passwd"}};
	struct ent missing[] = {{.name = "p", .hlink = "nothing/here"}};
	struct stat before, after;

	setup();
	CHECK(stat("/etc/passwd", &before) == 0);
	refused(unpack(abs, 1));
	refused(unpack(dotdot, 1));
	refused(unpack(viasym, 2));
	refused(unpack(missing, 1));
	CHECK(stat("/etc/passwd", &after) == 0);
	CHECK_INT_EQ(after.st_nlink, before.st_nlink);
	teardown(0);
}

TEST(hard_link_to_symlink_is_the_symlink)
{
	struct stat st, st2;
	struct ent e[] = {{.name = "s", .type = AE_IFLNK, .link = "/etc/passwd"},
			  {.name = "h", .hlink = "s"}};
	setup();
	CHECK_INT_EQ(unpack(e, ARRAY_SIZE(e)), 0);
	CHECK(lstat(at("h"), &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(lstat(at("s"), &st2) == 0 && st.st_ino == st2.st_ino);
	teardown(0);
}

TEST(dir_and_file_replace_each_other)
{
	struct stat st;
	struct ent e[] = {
		{.name = "a/", .type = AE_IFDIR},     {.name = "a/x", .data = "x"},
		{.name = "a/sub/", .type = AE_IFDIR}, {.name = "a/sub/y", .data = "y"},
		{.name = "a", .data = "file now"},    {.name = "b", .data = "file first"},
		{.name = "b/", .type = AE_IFDIR},     {.name = "b/y", .data = "y"},
	};
	setup();
	CHECK_INT_EQ(unpack(e, ARRAY_SIZE(e)), 0);
	CHECK(lstat(at("a"), &st) == 0 && S_ISREG(st.st_mode));
	CHECK_STR_EQ(slurp(at("a")), "file now");
	CHECK(lstat(at("b"), &st) == 0 && S_ISDIR(st.st_mode));
	CHECK_STR_EQ(slurp(at("b/y")), "y");
	teardown(0);
}

TEST(whiteouts)
{
	struct stat st;
	char v[4] = {0};
	struct ent e[] = {
		{.name = "d/", .type = AE_IFDIR}, {.name = "d/sub/", .type = AE_IFDIR},
		{.name = "d/sub/f", .data = "f"}, {.name = "d/.wh.sub"},
		{.name = "o/", .type = AE_IFDIR}, {.name = "o/.wh..wh..opq"},
		{.name = "new/.wh.gone"},	  {.name = ".wh..wh.plnk"},
	};
	setup();
	CHECK_INT_EQ(unpack(e, ARRAY_SIZE(e)), 0);
	CHECK(lstat(at("d/sub"), &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == 0);
	CHECK(lstat(at("new/gone"), &st) == 0 && S_ISCHR(st.st_mode));
	CHECK(getxattr(at("o"), "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y');
	CHECK(lstat(at("o/.wh..wh..opq"), &st) < 0 && lstat(at(".wh..wh.plnk"), &st) < 0);
	teardown(0);
}

TEST(whiteout_through_symlink_refused)
{
	char *bait = NULL;
	char v[4];
	struct ent e1[] = {{.name = "s", .type = AE_IFLNK}, {.name = "s/.wh.bait"}};
	struct ent e2[] = {{.name = "s", .type = AE_IFLNK}, {.name = "s/.wh..wh..opq"}};
	setup();
	bait = hull_strfmt("%s/bait", outside);
	CHECK(hull_write_file_atomic(bait, "bait", 4, 0644, NULL) == 0);
	e1[0].link = e2[0].link = outside;
	refused(unpack(e1, ARRAY_SIZE(e1)));
	refused(unpack(e2, ARRAY_SIZE(e2)));
	CHECK_STR_EQ(slurp(bait), "bait");
	CHECK(getxattr(outside, "trusted.overlay.opaque", v, sizeof(v)) < 0);
	teardown(1);
	free(bait);
}

TEST(owners_modes_times)
{
	struct stat st;
	struct ent e[] = {
		{.name = "ro/", .type = AE_IFDIR, .mode = 0555, .mtime = 1000000000},
		{.name = "ro/f", .data = "f", .mtime = 1100000000},
		{.name = "ro/sub/", .type = AE_IFDIR, .mode = 02775, .uid = 1000, .gid = 50},
		{.name = "ro/sub/g", .data = "g"},
		{.name = "suid", .data = "x", .mode = 04755, .uid = 1000, .gid = 1000},
		{.name = "sgid", .data = "x", .mode = 02711, .gid = 42},
		{.name = "sticky/", .type = AE_IFDIR, .mode = 01777},
		{.name = "l", .type = AE_IFLNK, .link = "suid", .uid = 7, .gid = 8, .mtime = 1234},
	};
	setup();
	CHECK_INT_EQ(unpack(e, ARRAY_SIZE(e)), 0);
	/* a directory's mtime and mode are set after what it holds was written */
	CHECK(stat(at("ro"), &st) == 0 && st.st_mtime == 1000000000 &&
	      (st.st_mode & 07777) == 0555);
	CHECK(stat(at("ro/f"), &st) == 0 && st.st_mtime == 1100000000);
	CHECK(stat(at("ro/sub"), &st) == 0 && (st.st_mode & 07777) == 02775 && st.st_uid == 1000 &&
	      st.st_gid == 50);
	CHECK(stat(at("suid"), &st) == 0 && (st.st_mode & 07777) == 04755 && st.st_uid == 1000 &&
	      st.st_gid == 1000);
	CHECK(stat(at("sgid"), &st) == 0 && (st.st_mode & 07777) == 02711 && st.st_gid == 42);
	CHECK(stat(at("sticky"), &st) == 0 && (st.st_mode & 07777) == 01777);
	CHECK(lstat(at("l"), &st) == 0 && st.st_uid == 7 && st.st_gid == 8 && st.st_mtime == 1234);
	teardown(0);
}

TEST(xattrs)
{
	/* VFS_CAP_REVISION_2 | effective, permitted CAP_NET_BIND_SERVICE */
	static const unsigned char cap[20] = {0x01, 0, 0, 0x02, 0x00, 0x04};
	unsigned char v[64];
	struct ent e[] = {
		{.name = "f", .data = "f", .xname = "user.hull", .xval = "yes", .xlen = 3},
		{.name = "ping",
		 .data = "elf",
		 .mode = 0755,
		 .uid = 1000,
		 .xname = "security.capability",
		 .xval = cap,
		 .xlen = sizeof(cap)},
		{.name = "d/", .type = AE_IFDIR, .xname = "user.dir", .xval = "d", .xlen = 1},
		{.name = "o/",
		 .type = AE_IFDIR,
		 .xname = "trusted.overlay.redirect",
		 .xval = "/x",
		 .xlen = 2},
	};
	setup();
	CHECK_INT_EQ(unpack(e, ARRAY_SIZE(e)), 0);
	CHECK(getxattr(at("f"), "user.hull", v, sizeof(v)) == 3 && !memcmp(v, "yes", 3));
	/* set after the owner: a chown would have dropped it */
	CHECK(getxattr(at("ping"), "security.capability", v, sizeof(v)) == sizeof(cap) &&
	      !memcmp(v, cap, sizeof(cap)));
	CHECK(getxattr(at("d"), "user.dir", v, sizeof(v)) == 1);
	CHECK(getxattr(at("o"), "trusted.overlay.redirect", v, sizeof(v)) < 0);
	teardown(0);
}

TEST(long_names_and_big_files)
{
	char name[400], link[300];
	struct stat st;
	unsigned char *b;
	size_t i, big = (5 << 20) + 123;
	int fd;
	struct ent e[] = {{.name = name, .data = "deep"},
			  {.name = "ln", .type = AE_IFLNK, .link = link},
			  {.name = "big", .big = big}};
	/* 3 components of 120: the ustar fields cannot hold it, pax does */
	memset(name, 'n', sizeof(name));
	name[120] = name[241] = '/';
	name[362] = '\0';
	memset(link, 'l', sizeof(link));
	link[299] = '\0';
	setup();
	CHECK_INT_EQ(unpack(e, ARRAY_SIZE(e)), 0);
	CHECK_STR_EQ(slurp(at(name)), "deep");
	CHECK(lstat(at("ln"), &st) == 0 && st.st_size == 299);
	CHECK(stat(at("big"), &st) == 0 && (size_t)st.st_size == big);
	b = xmalloc(big);
	fd = open(at("big"), O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && hull_read_all(fd, b, big) == (ssize_t)big);
	for (i = 0; i < big && b[i] == pattern(i); i++)
		;
	CHECK_INT_EQ(i, big);
	if (fd >= 0)
		close(fd);
	free(b);
	teardown(0);
}

/* Many files of many sizes, owners and modes: contents, owners, modes and times come out as tar
 * order says, with a file replaced by a later entry of the same name and a hard link. */
TEST(many_files)
{
	enum { N = 300 };
	static struct ent e[N + 2];
	static char names[N][32], *data[N];
	struct stat st, st2;
	size_t n = 0, i, k;

	for (i = 0; i < N; i++) {
		size_t len = (i * 977) % 40000;
		data[i] = xmalloc(len + 1);
		for (k = 0; k < len; k++)
			data[i][k] = (char)('a' + (i + k) % 26);
		data[i][len] = '\0';
		snprintf(names[i], sizeof(names[i]), "d%zu/f%zu", i % 7, i);
		e[n++] = (struct ent){.name = names[i],
				      .data = data[i],
				      .mode = i % 5 ? 0644 : 04755,
				      .uid = (uid_t)i,
				      .gid = (gid_t)(i + 1),
				      .mtime = 1500000000 + (time_t)i};
	}
	e[n++] = (struct ent){.name = "d1/f1", .data = "replaced"};
	e[n++] = (struct ent){.name = "hl", .hlink = "d2/f2"};
	setup();
	CHECK_INT_EQ(unpack(e, n), 0);
	for (i = 0; i < N; i++) {
		char *got;
		if (i == 1)
			continue;
		got = slurp(at(names[i]));
		if (strcmp(got, data[i]))
			UNIT_FAIL("%s: wrong content (%zu bytes)", names[i], strlen(got));
		if (stat(at(names[i]), &st) < 0 || st.st_uid != (uid_t)i ||
		    st.st_gid != (gid_t)(i + 1) || st.st_mtime != 1500000000 + (time_t)i ||
		    (st.st_mode & 07777) != (i % 5 ? 0644 : 04755))
			UNIT_FAIL("%s: wrong owner, mode or time", names[i]);
		free(got);
	}
	CHECK_STR_EQ(slurp(at("d1/f1")), "replaced");
	CHECK(stat(at("hl"), &st) == 0 && stat(at("d2/f2"), &st2) == 0 && st.st_ino == st2.st_ino &&
	      st.st_nlink == 2);
	for (i = 0; i < N; i++)
		free(data[i]);
	teardown(0);
}

/* A failed write (here EFBIG from RLIMIT_FSIZE) fails the unpack and names the entry. */
TEST(write_failure_fails_the_unpack)
{
	static char data[20000];
	struct ent e[] = {{.name = "small", .data = "ok"}, {.name = "toolarge", .data = data}};

	memset(data, 'x', sizeof(data) - 1);
	signal(SIGXFSZ, SIG_IGN);
	setup();
	unpack_fsize = 8192;
	CHECK(unpack(e, ARRAY_SIZE(e)) < 0);
	unpack_fsize = 0;
	signal(SIGXFSZ, SIG_DFL);
	if (!strstr(errmsg, "`toolarge`: write") || !strstr(errmsg, "too large"))
		UNIT_FAIL("error does not name the entry and the cause: %s", errmsg);
	teardown(0);
}

/* A destination that is not a directory is refused before any entry: it is neither written
 * nor used as the root the entries are resolved in. */
TEST(destination_not_a_directory)
{
	struct ent e[] = {{.name = "f", .data = "x"}};
	char file[] = "/var/tmp/hull-unit-notdir.XXXXXX";
	struct stat st;
	int fd = mkstemp(file);

	if (fd < 0)
		abort();
	close(fd);
	setup();
	unpack_dest = file;
	CHECK(unpack(e, ARRAY_SIZE(e)) < 0);
	unpack_dest = NULL;
	if (!strstr(errmsg, file) || !strstr(errmsg, "Not a directory"))
		UNIT_FAIL("error does not name the destination and the cause: %s", errmsg);
	CHECK(stat(file, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0);
	unlink(file);
	teardown(0);
}

/* Entries get the owner the tar gives them even where a new file's group would differ from
 * the unpacker's (a setgid layer directory): the chown skipped for entries that already have
 * the right owner must not be skipped there. */
TEST(owners_under_a_setgid_layer_directory)
{
	struct stat st;
	struct ent e[] = {
		{.name = "f", .data = "f"},
		{.name = "d/", .type = AE_IFDIR},
		{.name = "d/g", .data = "g", .gid = 42},
		{.name = "l", .type = AE_IFLNK, .link = "f"},
	};
	setup();
	layer_setgid = 42;
	CHECK_INT_EQ(unpack(e, ARRAY_SIZE(e)), 0);
	layer_setgid = 0;
	CHECK(stat(at("f"), &st) == 0 && st.st_uid == 0 && st.st_gid == 0);
	CHECK(stat(at("d"), &st) == 0 && st.st_gid == 0);
	CHECK(stat(at("d/g"), &st) == 0 && st.st_gid == 42);
	CHECK(lstat(at("l"), &st) == 0 && st.st_gid == 0);
	teardown(0);
}

UNIT_MAIN()

/* docker and podman load a layer whose stream ends at an entry's end, or inside the last
 * entry's padding once its data is complete (umoci 0.4.7's insert writes such layers); a
 * stream cut inside an entry's data is an error */
TEST(stream_ending_without_padding_or_end_blocks)
{
	static const struct ent ents[] = {
		{.name = "d", .type = AE_IFDIR, .mode = 0755},
		{.name = "d/first", .data = "first file\n"},
		{.name = "d/last", .big = 1000},
	};
	static const int ends[] = {END_NO_ZERO_BLOCKS, END_NO_PADDING, END_IN_PADDING};
	struct stat st;
	size_t i, j;

	setup();
	for (i = 0; i < ARRAY_SIZE(ends); i++) {
		char *data;
		stream_end = ends[i];
		if (unpack(ents, ARRAY_SIZE(ents)) < 0) {
			UNIT_FAIL("stream end %d refused: %s", ends[i], errmsg);
			continue;
		}
		CHECK(stat(at("d/last"), &st) == 0 && st.st_size == 1000);
		data = slurp(at("d/last"));
		for (j = 0; j < 1000 && (unsigned char)data[j] == pattern(j); j++)
			;
		CHECK_INT_EQ(j, 1000);
		free(data);
		data = slurp(at("d/first"));
		CHECK_STR_EQ(data, "first file\n");
		free(data);
	}
	/* the data of the last entry is cut: its file would be incomplete */
	stream_end = END_IN_DATA;
	CHECK(unpack(ents, ARRAY_SIZE(ents)) < 0);
	CHECK(strstr(errmsg, "d/last") != NULL || strstr(errmsg, "runcated") != NULL);
	/* a file with nothing to pad is at a block boundary already */
	{
		static const struct ent whole[] = {{.name = "f", .big = 1024}};
		stream_end = END_NO_PADDING;
		CHECK(unpack(whole, 1) == 0);
		CHECK(stat(at("f"), &st) == 0 && st.st_size == 1024);
	}
	stream_end = END_WHOLE;
	teardown(0);
}
