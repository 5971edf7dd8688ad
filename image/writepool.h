/* Regular files of a layer, finished by worker threads: the unpacking thread parses the tar and
 * makes each file (so every path check stays in one thread, in tar order), then hands the open
 * fd and the file's bytes to a pool that writes the data, owner, mode, xattrs and times.  The
 * kernel's write path (page cache copy, block allocation) is most of an unpack's cost, and it
 * runs on all cores this way. */
#ifndef HULL_IMAGE_WRITEPOOL_H
#define HULL_IMAGE_WRITEPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "runtime/err.h"

struct hull_wxattr {
	char *name;
	void *value;
	size_t size;
};

/* One file: everything the pool needs, owned by the pool once submitted. */
struct hull_wjob {
	struct hull_wjob *next;
	int fd;
	char *data;
	size_t size;
	uid_t uid;
	gid_t gid;
	mode_t mode;
	bool chown; /* the owner differs from the one a new file gets */
	bool chmod; /* mode needs an fchmod (setuid bits, or bits the umask took) */
	struct timespec ts[2];
	struct hull_wxattr *xattrs;
	size_t n_xattrs;
	char *entry; /* the tar entry's name, for errors */
};

struct hull_wpool;

/* NULL when no worker thread could start: the caller then writes every file itself. root: a
 * refused chown is an error (else skipped, as tar does for users). */
struct hull_wpool *hull_wpool_new(bool root);
/* Whether a file of this size goes to the pool (larger ones are written by the caller, so the
 * bytes in flight stay bounded). */
bool hull_wpool_takes(const struct hull_wpool *p, size_t size);
/* Queue job (waits while too many bytes are in flight).  -1 with err set when a worker has
 * already failed; the job is freed either way. */
int hull_wpool_submit(struct hull_wpool *p, struct hull_wjob *job, struct hull_err *err);
/* Wait until every queued file is written; the first worker failure, if any. */
int hull_wpool_wait(struct hull_wpool *p, struct hull_err *err);
/* Stop the workers (after what is queued is done) and free the pool. */
void hull_wpool_free(struct hull_wpool *p);
void hull_wjob_free(struct hull_wjob *job);

#endif
