/* SPDX-License-Identifier: Apache-2.0 */
/* The guest init's configuration (/hull/config) and the container's own initramfs: the base
 * one the build made, followed by a small newc archive holding that file (the kernel unpacks
 * concatenated archives in order). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/caps.h"
#include "runtime/seccomp/seccomp.h"
#include "vm/host/host.h"
#include "vm/proto/names.h"
#include "vm/proto/proto.h"

void hull_vm_put(struct hull_vm_buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 256;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

void hull_vm_rec_v(struct hull_vm_buf *b, enum hull_rec_kind kind, const char *const *fields,
		   size_t n)
{
	const char *tag = hull_rec_defs[kind].tag;
	/* the guest reads as many fields as the kind has: another count is hull's own bug */
	if (n != hull_rec_defs[kind].fields) {
		fprintf(stderr, "hull: record `%s` written with %zu fields, not %u\n", tag, n,
			hull_rec_defs[kind].fields);
		abort();
	}
	hull_vm_put(b, tag, strlen(tag) + 1);
	for (size_t i = 0; i < n; i++) {
		const char *s = fields[i] ? fields[i] : "";
		hull_vm_put(b, s, strlen(s) + 1);
	}
}

int hull_vm_process_records(struct hull_vm_buf *b, const struct hull_process *p,
			    struct hull_err *err)
{
	char n1[32], n2[32], n3[32];
	size_t i;

	/* the names are turned into numbers here, with libcap, so the guest needs no table */
	if (p->caps) {
		struct hull_cap_masks m;
		char n4[32], n5[32];
		if (hull_caps_masks(p->caps, &m, err) < 0)
			return hull_error_wrap(err, "the process's capabilities");
		snprintf(n1, sizeof(n1), "%" PRIx64, m.bounding);
		snprintf(n2, sizeof(n2), "%" PRIx64, m.effective);
		snprintf(n3, sizeof(n3), "%" PRIx64, m.permitted);
		snprintf(n4, sizeof(n4), "%" PRIx64, m.inheritable);
		snprintf(n5, sizeof(n5), "%" PRIx64, m.ambient);
		hull_vm_rec(b, HULL_REC_CAPS, n1, n2, n3, n4, n5);
	}
	if (p->no_new_privileges)
		hull_vm_rec(b, HULL_REC_NONEWPRIVS, HULL_REC_ON);

	for (i = 0; p->args && p->args[i]; i++)
		hull_vm_rec(b, HULL_REC_ARG, p->args[i]);
	for (i = 0; p->env && p->env[i]; i++)
		hull_vm_rec(b, HULL_REC_ENV, p->env[i]);
	hull_vm_rec(b, HULL_REC_CWD, p->cwd);
	snprintf(n1, sizeof(n1), "%u", p->uid);
	snprintf(n2, sizeof(n2), "%u", p->gid);
	if (p->has_umask)
		snprintf(n3, sizeof(n3), "%o", p->umask);
	else
		n3[0] = 0;
	hull_vm_rec(b, HULL_REC_USER, n1, n2, n3);
	for (i = 0; i < p->n_additional_gids; i++) {
		snprintf(n1, sizeof(n1), "%u", p->additional_gids[i]);
		hull_vm_rec(b, HULL_REC_GID, n1);
	}
	if (p->has_oom_score_adj) {
		snprintf(n1, sizeof(n1), "%d", p->oom_score_adj);
		hull_vm_rec(b, HULL_REC_OOM, n1);
	}
	for (i = 0; i < p->n_rlimits; i++) {
		snprintf(n1, sizeof(n1), "%d", p->rlimits[i].resource);
		snprintf(n2, sizeof(n2), "%llu", (unsigned long long)p->rlimits[i].soft);
		snprintf(n3, sizeof(n3), "%llu", (unsigned long long)p->rlimits[i].hard);
		hull_vm_rec(b, HULL_REC_RLIMIT, n1, n2, n3);
	}
	return 0;
}

void hull_vm_seccomp_record(struct hull_vm_buf *b, const struct hull_seccomp *filter)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *prog;
	cleanup_free char *hex = NULL;
	unsigned int flags;
	char n1[32];
	size_t n, i, len;

	prog = (const unsigned char *)hull_seccomp_program(filter, &n, &flags);
	len = n * sizeof(struct sock_filter);
	hex = xmalloc(2 * len + 1);
	for (i = 0; i < len; i++) {
		hex[2 * i] = digits[prog[i] >> 4];
		hex[2 * i + 1] = digits[prog[i] & 15];
	}
	hex[2 * len] = 0;
	snprintf(n1, sizeof(n1), "%u", flags);
	hull_vm_rec(b, HULL_REC_SECCOMP, n1, hex);
}

char *hull_vm_guest_config(const struct hull_spec *spec, const struct hull_seccomp *filter,
			   size_t *len, struct hull_err *err)
{
	const struct hull_process *p = spec->process;
	struct hull_vm_buf b = {0};
	char n1[32];
	size_t i;

	if (hull_vm_process_records(&b, p, err) < 0) {
		free(b.p);
		return NULL;
	}
	/* once, for the main process and every exec (OCI: an exec gets the container's filter) */
	if (filter)
		hull_vm_seccomp_record(&b, filter);
	if (spec->hostname && *spec->hostname)
		hull_vm_rec(&b, HULL_REC_HOSTNAME, spec->hostname);
	if (spec->domainname && *spec->domainname)
		hull_vm_rec(&b, HULL_REC_DOMAINNAME, spec->domainname);
	hull_vm_rec(&b, HULL_REC_ROOT, spec->root_readonly ? HULL_REC_ROOT_RO : HULL_REC_ROOT_RW);
	if (hull_vm_spec_pod_role(spec, NULL) == HULL_VM_POD_SANDBOX) {
		snprintf(n1, sizeof(n1), "%d", HULL_VM_POD_EXEC_PORTS);
		hull_vm_rec(&b, HULL_REC_POD, n1);
	}
	if (p->terminal)
		hull_vm_rec(&b, HULL_REC_TERMINAL, HULL_REC_ON);
	for (i = 0; i < spec->n_mounts; i++) {
		const struct hull_mount *m = &spec->mounts[i];
		snprintf(n1, sizeof(n1), "%lu", m->flags);
		hull_vm_rec(&b, HULL_REC_MOUNT, m->destination,
			    m->bind ? HULL_REC_MOUNT_BIND
				    : (m->type ? m->type : HULL_REC_MOUNT_NONE),
			    m->source, n1, m->data);
	}
	/* the guest is the container's kernel: its sysctls and paths are the guest's own */
	for (i = 0; spec->linux_ && i < spec->linux_->n_sysctl; i++)
		hull_vm_rec(&b, HULL_REC_SYSCTL, spec->linux_->sysctl[i].key,
			    spec->linux_->sysctl[i].value);
	for (i = 0; spec->linux_ && spec->linux_->readonly_paths && spec->linux_->readonly_paths[i];
	     i++)
		hull_vm_rec(&b, HULL_REC_ROPATH, spec->linux_->readonly_paths[i]);
	for (i = 0; spec->linux_ && spec->linux_->masked_paths && spec->linux_->masked_paths[i];
	     i++)
		hull_vm_rec(&b, HULL_REC_MASK, spec->linux_->masked_paths[i]);
	*len = b.len;
	return b.p;
}

static void newc_entry(struct hull_vm_buf *b, const char *name, unsigned int mode, const void *data,
		       size_t size)
{
	static const char zeros[4];
	char hdr[160];
	size_t nlen = strlen(name) + 1;
	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 0x4855u, mode, 0, 0, 1, 0, (unsigned int)size, 0, 0, 0, 0, (unsigned int)nlen, 0);
	hull_vm_put(b, hdr, 110);
	hull_vm_put(b, name, nlen);
	hull_vm_put(b, zeros, (4 - (110 + nlen) % 4) % 4);
	if (data && size) {
		hull_vm_put(b, data, size);
		hull_vm_put(b, zeros, (4 - size % 4) % 4);
	}
}

int hull_vm_write_initrd(int dirfd, const char *dst, const char *src, const char *cfg,
			 size_t cfg_len, struct hull_err *err)
{
	cleanup_close int in = open(src, O_RDONLY | O_CLOEXEC), out = -1;
	struct hull_vm_buf b = {0};
	struct stat sb;
	off_t off = 0;
	int ret = -1;

	if (in < 0 || fstat(in, &sb) < 0)
		return hull_error(err, errno, "VM initramfs `%s`", src);
	out = openat(dirfd, dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0)
		return hull_error(err, errno, "create `%s`", dst);
	while (off < sb.st_size) {
		ssize_t n = sendfile(out, in, &off, (size_t)(sb.st_size - off));
		if (n <= 0) {
			hull_error(err, n < 0 ? errno : EIO, "copy `%s`", src);
			goto out;
		}
	}
	/* the next archive starts on a 4-byte boundary; cpio(1) pads to 512 already */
	while (off % 4) {
		hull_vm_put(&b, "", 1);
		off++;
	}
	newc_entry(&b, HULL_GUEST_DIR, 040755, NULL, 0);
	newc_entry(&b, HULL_GUEST_CONFIG, 0100400, cfg, cfg_len);
	newc_entry(&b, "TRAILER!!!", 0, NULL, 0);
	if (hull_write_all(out, b.p, b.len) != (ssize_t)b.len) {
		hull_error(err, errno, "write `%s`", dst);
		goto out;
	}
	ret = 0;
out:
	free(b.p);
	return ret;
}

int hull_vm_append_initrd(int dirfd, const char *name, const char *path, const char *data,
			  size_t len, struct hull_err *err)
{
	cleanup_close int fd = openat(dirfd, name, O_WRONLY | O_APPEND | O_CLOEXEC);
	struct hull_vm_buf b = {0};
	struct stat sb;
	int ret = 0;

	if (fd < 0 || fstat(fd, &sb) < 0)
		return hull_error(err, errno, "open `%s`", name);
	/* the archive written by hull_vm_write_initrd ends on a 4-byte boundary already */
	while ((sb.st_size + (off_t)b.len) % 4)
		hull_vm_put(&b, "", 1);
	newc_entry(&b, path, 0100400, data, len);
	newc_entry(&b, "TRAILER!!!", 0, NULL, 0);
	if (hull_write_all(fd, b.p, b.len) != (ssize_t)b.len)
		ret = hull_error(err, errno, "append to `%s`", name);
	free(b.p);
	return ret;
}
