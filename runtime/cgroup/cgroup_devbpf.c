/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v2 device control: v2 has no devices.allow/deny files; the kernel asks a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup instead.  The program is small
 * and fixed in shape, so it is assembled here as raw instructions (libbpf and a compiler
 * are not needed): one block per rule, last rule first, so the last matching rule decides,
 * as with the v1 lists; no match denies.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/cgroup/cgroup_res.h"

#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(d, s, o)	    INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define ALU32_IMM(op, d, i) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define MOV32_REG(d, s)	    INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i)	    INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define JNE_IMM(d, i, o)    INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define EXIT()		    INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int access_bits(const char *a)
{
	int bits = 0;
	if (strchr(a, 'm'))
		bits |= BPF_DEVCG_ACC_MKNOD;
	if (strchr(a, 'r'))
		bits |= BPF_DEVCG_ACC_READ;
	if (strchr(a, 'w'))
		bits |= BPF_DEVCG_ACC_WRITE;
	return bits;
}

/* Registers: r2 device type, r3 access, r4 major, r5 minor (from bpf_cgroup_dev_ctx). */
static size_t rule_block(const struct hull_cg_dev_rule *d, struct bpf_insn *out)
{
	const int all = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
	int acc = access_bits(d->access);
	bool any = d->type == 'a';
	size_t n = 0, len, i;

	len = 2 + (!any ? 1 : 0) + (acc != all ? 3 : 0) + (!any && d->major >= 0 ? 1 : 0) +
	      (!any && d->minor >= 0 ? 1 : 0);
	/* the jumps go past this block: off = len - (index + 1) */
	if (!any) {
		out[n] = JNE_IMM(2, d->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0);
		n++;
	}
	if (acc != all) {
		out[n++] = MOV32_REG(1, 3);
		out[n++] = ALU32_IMM(BPF_AND, 1, ~acc & all);
		out[n++] = JNE_IMM(1, 0, 0);
	}
	if (!any && d->major >= 0)
		out[n++] = JNE_IMM(4, (int)d->major, 0);
	if (!any && d->minor >= 0)
		out[n++] = JNE_IMM(5, (int)d->minor, 0);
	for (i = 0; i < n; i++)
		if (BPF_CLASS(out[i].code) == BPF_JMP && BPF_OP(out[i].code) == BPF_JNE)
			out[i].off = (short)(len - (i + 1));
	out[n++] = MOV64_IMM(0, d->allow ? 1 : 0);
	out[n++] = EXIT();
	return n;
}

int hull_cg_bpf_devices_attach(int dirfd, const struct hull_cg_dev_rule *rules, size_t n,
			       struct hull_err *err)
{
	cleanup_free struct bpf_insn *prog = xmalloc((7 + 9 * n) * sizeof(*prog));
	char log[4096] = "";
	union bpf_attr attr;
	size_t k = 0, i;
	int fd, rc;

	prog[k++] = LDX_W(2, 1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
	prog[k++] = ALU32_IMM(BPF_AND, 2, 0xffff);
	prog[k++] = LDX_W(3, 1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
	prog[k++] = ALU32_IMM(BPF_RSH, 3, 16);
	prog[k++] = LDX_W(4, 1, offsetof(struct bpf_cgroup_dev_ctx, major));
	prog[k++] = LDX_W(5, 1, offsetof(struct bpf_cgroup_dev_ctx, minor));
	for (i = n; i-- > 0;) {
		size_t len = rule_block(&rules[i], prog + k);
		k += len;
		/* a rule matching everything ends the program (the verifier refuses dead code) */
		if (len == 2)
			break;
	}
	if (i == (size_t)-1) {
		prog[k++] = MOV64_IMM(0, 0);
		prog[k++] = EXIT();
	}

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)prog;
	attr.insn_cnt = (uint32_t)k;
	attr.license = (uint64_t)(uintptr_t) "Apache";
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0 && (errno == EACCES || errno == EINVAL)) {
		/* the verifier refused it: load again to get its reasons */
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = sizeof(log);
		attr.log_level = 1;
		fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	}
	if (fd < 0) {
		/* the verifier's reason is at the end of its log */
		size_t l = strlen(log);
		return hull_error(err, errno, "load the BPF device program (%zu instructions)%s%s",
				  k, l ? ": " : "", log + (l > 300 ? l - 300 : 0));
	}
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)dirfd;
	attr.attach_bpf_fd = (uint32_t)fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	rc = (int)syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr));
	if (rc < 0) {
		int e = errno;
		close(fd);
		return hull_error(err, e, "attach the BPF device program");
	}
	close(fd);
	return 0;
}
