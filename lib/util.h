/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers shared by every hull library: cleanup attributes, files, strings. */
#ifndef HULL_UTIL_H
#define HULL_UTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "lib/err.h"

static inline void hull_freep(void *p)
{
	free(*(void **)p);
}
static inline void hull_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define cleanup_free  __attribute__((cleanup(hull_freep)))
#define cleanup_close __attribute__((cleanup(hull_closep)))

/* An owned NULL-terminated string vector, a directory stream, a stdio stream. */
void hull_strv_free(char **v);
static inline void hull_strv_freep(char ***v)
{
	hull_strv_free(*v);
}
static inline void hull_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
static inline void hull_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define cleanup_strv __attribute__((cleanup(hull_strv_freep)))
#define cleanup_dir  __attribute__((cleanup(hull_closedirp)))
#define cleanup_file __attribute__((cleanup(hull_fclosep)))

/* path (made 0600 when missing, never through a symlink) opened and locked with an exclusive
 * flock: the fd that holds the lock until it is closed, or -1. */
int hull_lock_path(const char *path, struct hull_err *err);

/* The directory dirfd/path as a stream for hull_readdir (O_RDONLY | O_DIRECTORY | O_CLOEXEC, plus
 * extra_flags such as O_NOFOLLOW); NULL with errno set. */
DIR *hull_opendirat(int dirfd, const char *path, int extra_flags);
/* The next entry of d that is not "." or "..", or NULL at its end. */
struct dirent *hull_readdir(DIR *d);
/* The names in d (without "." and ".."), sorted bytewise so a walk is the same every time; *n is
 * their count. */
char **hull_dir_sorted(DIR *d, size_t *n);
/* The first n strings of v in bytewise order (const char ** callers cast: the strings are not
 * touched). */
void hull_strv_sort(char **v, size_t n);
/* The strings of v (NULL: none) with sep between them, malloc'd ("" for none). */
char *hull_strv_join(char *const *v, const char *sep);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Return the pointer and leave NULL behind, so a cleanup attribute does not free it. */
#define steal_pointer(pp)                                                                          \
	({                                                                                         \
		__typeof__(*(pp)) _p = *(pp);                                                      \
		*(pp) = NULL;                                                                      \
		_p;                                                                                \
	})
static inline int steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

/* Allocation failures abort: there is nothing sensible a runtime can do without memory. */
void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
int xasprintf(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *hull_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* 64 random hex digits (256 bits from getrandom): the IDs of containers and networks, as
 * docker makes them; to be freed. */
char *hull_random_id(void);

/* Whole-file I/O.  read_file NUL-terminates; len may be NULL. */
int hull_read_file(const char *path, char **out, size_t *len, struct hull_err *err);
int hull_read_fd(int fd, char **out, size_t *len, struct hull_err *err);
/* Write via temp file + fsync + rename in the same directory: whole after a crash of the
 * machine too (the stores under /var/lib). */
int hull_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			   struct hull_err *err);
/* Write via temp file + rename, without the fsync: whole to every reader and after a kill of
 * the writer, but not kept through a crash of the machine.  For the runtime's state under
 * /run, which a reboot makes stale anyway (runc and crun do not sync it either); where /run
 * is not a tmpfs an fsync waits for the disk, milliseconds on every create. */
int hull_write_file_replace(const char *path, const void *data, size_t len, mode_t mode,
			    struct hull_err *err);
/* Write a short string to an existing file (procfs/sysfs/cgroupfs knobs). */
int hull_write_string(const char *path, const char *s, struct hull_err *err);

int hull_mkdir_p(const char *path, mode_t mode, struct hull_err *err);
/* rm -rf that stays on the file system it starts on and never follows symlinks. */
int hull_remove_tree(const char *path, struct hull_err *err);

ssize_t hull_write_all(int fd, const void *buf, size_t len);
ssize_t hull_read_all(int fd, void *buf, size_t len);

/* NULL-terminated string vectors. */
size_t hull_strv_len(char *const *v);
void hull_strv_free(char **v);
char **hull_strv_dup(char *const *v);
/* a copy of s appended to the NULL-terminated *v (which may be NULL) */
void hull_strv_push(char ***v, const char *s);

bool hull_has_prefix(const char *s, const char *prefix);

/* Field 22 of /proc/<pid>/stat: lets us tell a reused pid from the one we started. */
int hull_proc_start_time(pid_t pid, unsigned long long *start, struct hull_err *err);

#endif
