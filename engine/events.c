/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event log.  Every writer appends one line with O_APPEND in a single write(2) (the kernel
 * keeps such an append whole on a local file system), so concurrent hull processes need no
 * lock.  Lines are docker's event objects, so `hull events --format json` prints them as they
 * are.  The log is bounded: past EVENTS_MAX_BYTES it is moved to events.log.1 (one
 * generation kept), which `hull events --since` also reads.
 */
#include "engine/events.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "lib/json.h"
#include "lib/util.h"

#define EVENTS_FILE	 "events.log"
#define EVENTS_OLD_FILE	 "events.log.1"
#define EVENTS_MAX_BYTES (4 << 20)
#define EVENT_LINE_MAX	 4096

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

void hull_event_emit(const struct hull_engine *e, const struct hull_ctr *c, const char *action,
		     const char *const *attrs)
{
	cleanup_free char *path = hull_strfmt("%s/%s", e->root, EVENTS_FILE);
	cleanup_close int fd = -1;
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	int64_t t = now_ns();
	struct stat st;

	yajl_gen_map_open(g);
	hull_gen_str(g, "status"), hull_gen_str(g, action);
	hull_gen_str(g, "id"), hull_gen_str(g, c->id);
	hull_gen_str(g, "from"), hull_gen_str(g, c->image ? c->image : "");
	hull_gen_str(g, "Type"), hull_gen_str(g, "container");
	hull_gen_str(g, "Action"), hull_gen_str(g, action);
	hull_gen_str(g, "Actor");
	yajl_gen_map_open(g);
	hull_gen_str(g, "ID"), hull_gen_str(g, c->id);
	hull_gen_str(g, "Attributes");
	yajl_gen_map_open(g);
	hull_gen_str(g, "image"), hull_gen_str(g, c->image ? c->image : "");
	hull_gen_str(g, "name"), hull_gen_str(g, c->name ? c->name : "");
	for (const char *const *a = attrs; a && *a; a++) {
		const char *eq = strchr(*a, '=');
		if (!eq)
			continue;
		yajl_gen_string(g, (const unsigned char *)*a, (size_t)(eq - *a));
		hull_gen_str(g, eq + 1);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	hull_gen_str(g, "scope"), hull_gen_str(g, "local");
	hull_gen_str(g, "time"), yajl_gen_integer(g, t / 1000000000LL);
	hull_gen_str(g, "timeNano"), yajl_gen_integer(g, t);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	if (len + 1 < EVENT_LINE_MAX) {
		char line[EVENT_LINE_MAX];
		memcpy(line, buf, len);
		line[len] = '\n';
		if (stat(path, &st) == 0 && st.st_size > EVENTS_MAX_BYTES) {
			cleanup_free char *old = hull_strfmt("%s/%s", e->root, EVENTS_OLD_FILE);
			rename(path,
			       old); /* whoever gets there first; the rest find the new file */
		}
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0)
			(void)!write(fd, line, len + 1);
	}
	yajl_gen_free(g);
}

/* Every whole line of buf[0..len): returns how much was used; *stop when each said so. */
static size_t each_line(const struct hull_events_opts *o, const char *buf, size_t len, bool *stop)
{
	static const char *tn[] = {"timeNano", NULL};
	size_t used = 0;

	for (const char *nl; !*stop && (nl = memchr(buf + used, '\n', len - used));) {
		size_t n = (size_t)(nl - (buf + used));
		char line[EVENT_LINE_MAX];
		yajl_val v, t;
		if (n < sizeof(line)) {
			memcpy(line, buf + used, n);
			line[n] = '\0';
			v = yajl_tree_parse(line, NULL, 0);
			t = v ? yajl_tree_get(v, tn, yajl_t_number) : NULL;
			if (t && YAJL_IS_INTEGER(t)) {
				int64_t ns = YAJL_GET_INTEGER(t);
				if (o->until_ns && ns >= o->until_ns)
					*stop = true;
				else if (ns >= o->since_ns && !o->each(line, ns, o->arg))
					*stop = true;
			}
			yajl_tree_free(v);
		}
		used += n + 1;
	}
	return used;
}

static int read_file(const struct hull_events_opts *o, const char *path, bool *stop,
		     struct hull_err *err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;

	if (hull_read_file(path, &buf, &len, NULL) < 0)
		return errno == ENOENT ? 0 : hull_error(err, errno, "read %s", path);
	each_line(o, buf, len, stop);
	return 0;
}

/* the log at path is no longer the file fd reads */
static bool moved(int fd, const char *path)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 &&
	       (stat(path, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev);
}

int hull_events_read(const struct hull_engine *e, const struct hull_events_opts *o,
		     struct hull_err *err)
{
	cleanup_free char *path = hull_strfmt("%s/%s", e->root, EVENTS_FILE);
	cleanup_free char *old = hull_strfmt("%s/%s", e->root, EVENTS_OLD_FILE);
	cleanup_free char *buf = NULL;
	cleanup_close int fd = -1, ino = -1;
	struct hull_events_opts oo = *o;
	size_t len = 0;
	bool stop = false;

	/* without --since, only what happens from now on; with only --until, all before it */
	if (!oo.since_ns)
		oo.since_ns = o->until_ns ? 1 : now_ns();
	if (oo.since_ns < now_ns() && read_file(&oo, old, &stop, err) < 0)
		return -1;
	/* open first, then read: an event written in between is read once, not lost */
	fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return hull_error(err, errno, "open %s", path);
	ino = inotify_init1(IN_CLOEXEC);
	if (ino >= 0)
		inotify_add_watch(ino, path, IN_MODIFY | IN_MOVE_SELF);
	buf = xzalloc(1);
	for (;;) {
		char chunk[65536];
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n > 0) {
			size_t used;
			buf = xrealloc(buf, len + (size_t)n + 1);
			memcpy(buf + len, chunk, (size_t)n);
			len += (size_t)n;
			used = each_line(&oo, buf, len, &stop);
			memmove(buf, buf + used, len - used);
			len -= used;
			if (stop)
				return 0;
			continue;
		}
		if (n < 0 && errno != EINTR)
			return hull_error(err, errno, "read %s", path);
		if (!o->follow || (o->until_ns && now_ns() >= o->until_ns))
			return 0;
		if (moved(fd, path)) {
			/* rotated: what the old file got is read above; go on in the new one */
			int nfd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
			if (nfd < 0)
				return hull_error(err, errno, "open %s", path);
			close(fd);
			fd = nfd;
			if (ino >= 0)
				inotify_add_watch(ino, path, IN_MODIFY | IN_MOVE_SELF);
			continue;
		}
		{
			struct pollfd p = {.fd = ino, .events = POLLIN};
			char ev[4096];
			if (ino >= 0 && poll(&p, 1, 250) > 0)
				(void)!read(ino, ev, sizeof(ev));
			else if (ino < 0)
				usleep(250000);
		}
	}
}
