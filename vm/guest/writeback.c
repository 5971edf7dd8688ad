/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Before power-off, data the workload wrote must reach the host.  write(2) on virtio-fs goes to
 * virtiofsd at once, and FUSE writes a shared mapping's dirty pages back when it is unmapped,
 * which happens for every process because the init kills and reaps them all first: normally
 * nothing is left to write.  sync(2) would make sure, but on virtio-fs it also sends
 * FUSE_SYNCFS, which virtiofsd turns into syncfs(2) of the host's file system: a host-wide
 * flush (measured 10 ms to 250 ms per VM exit here, more on a busy host) that a container's
 * exit does not cause.  So the guest looks at what is still dirty, asks its flusher threads to
 * write that back now and waits until none is left, falling back to sync(2) if it stays.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vm/guest/guest.h"

#define WRITEBACK_WAIT_MS 3000

/* opened before the switch into the container's root, which may have no /proc */
static int meminfo_fd = -1, expire_fd = -1, interval_fd = -1;

void guest_writeback_prepare(void)
{
	meminfo_fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	expire_fd = open("/proc/sys/vm/dirty_expire_centisecs", O_WRONLY | O_CLOEXEC);
	interval_fd = open("/proc/sys/vm/dirty_writeback_centisecs", O_WRONLY | O_CLOEXEC);
}

/* Dirty + Writeback + WritebackTmp (FUSE's) in kB, or -1 when unknown. */
static long pending_kb(void)
{
	static const char *const keys[] = {"\nDirty:", "\nWriteback:", "\nWritebackTmp:"};
	char buf[4096];
	ssize_t n = meminfo_fd < 0 ? -1 : pread(meminfo_fd, buf, sizeof(buf) - 1, 0);
	long sum = 0;

	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *p = strstr(buf, keys[i]);
		if (!p)
			return -1;
		sum += strtol(p + strlen(keys[i]), NULL, 10);
	}
	return sum;
}

void guest_write_back(void)
{
	struct timespec ts = {0, 5 * 1000000L};
	long left = pending_kb();

	if (left == 0)
		return;
	/* every dirty page counts as expired; a new interval wakes the flushers at once */
	if (left > 0 && expire_fd >= 0 && interval_fd >= 0 && pwrite(expire_fd, "0\n", 2, 0) == 2 &&
	    pwrite(interval_fd, "7\n", 2, 0) == 2) {
		for (int ms = 0; ms < WRITEBACK_WAIT_MS; ms += 5) {
			nanosleep(&ts, NULL);
			if (pending_kb() == 0)
				return;
		}
		guest_log("dirty pages still pending after %d ms: sync", WRITEBACK_WAIT_MS);
	}
	sync();
}
