/* SPDX-License-Identifier: Apache-2.0 */
/* What a VM container is started with: QEMU, virtiofsd, kernel, initramfs, vCPUs, memory. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "lib/size.h"
#include "lib/util.h"
#include "runtime/annotations.h"
#include "runtime/selfexe.h"
#include "vm/host/host.h"

#define DEFAULT_QEMU	  "/usr/bin/qemu-system-x86_64"
#define DEFAULT_VIRTIOFSD "/usr/lib/qemu/virtiofsd"
#define DEFAULT_CPUS	  1
#define DEFAULT_MEM_MIB	  512
/* QEMU and virtiofsd beside the guest's RAM, in the same memory cgroup: bench/vm-boot.sh
 * measured ~140 MiB under TCG (its translation cache), less with KVM; Kata's RuntimeClass
 * examples reserve 160Mi of pod overhead for the same reason. */
#define DEFAULT_OVERHEAD_MIB 192
#define MIN_MEM_MIB	     64

static const char *vm_str(const struct hull_spec *spec, const char *a, const char *b)
{
	const char *path[] = {a, b, NULL};
	yajl_val v = spec->vm ? yajl_tree_get(spec->vm, path, yajl_t_string) : NULL;
	return v ? YAJL_GET_STRING(v) : NULL;
}

/* Guest assets: $HULL_VM_DIR, else next to the binary (build/vm), else the installed tree. */
static char *asset(const char *name)
{
	char exe[PATH_MAX];
	const char *env = getenv("HULL_VM_DIR");
	if (env && *env)
		return hull_strfmt("%s/%s", env, name);
	snprintf(exe, sizeof(exe), "%s", hull_selfexe_path());
	if (exe[0] == '/') {
		char *p, *dir;
		dir = dirname(exe);
		p = hull_strfmt("%s/vm/%s", dir, name);
		if (access(p, R_OK) == 0)
			return p;
		free(p);
		return hull_strfmt("%s/../lib/hull/vm/%s", dir, name);
	}
	return hull_strfmt("/usr/local/lib/hull/vm/%s", name);
}

static const char *first(const char *a, const char *b, const char *c)
{
	if (a && *a)
		return a;
	if (b && *b)
		return b;
	return c;
}

/* The kernel: annotation, the spec's vm section, $HULL_VM_KERNEL; else the minimal kernel of
 * `make guest-kernel` when it is built, else Debian's. */
static char *kernel_path(const struct hull_spec *spec)
{
	const char *k = first(hull_spec_annotation(spec, HULL_ANNOT_VM_KERNEL),
			      vm_str(spec, "kernel", "path"), getenv("HULL_VM_KERNEL"));
	char *p;
	if (k && *k)
		return xstrdup(k);
	p = asset("guest-kernel/vmlinux");
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return asset("vmlinux");
}

/* The initramfs: annotation, spec, $HULL_VM_INITRD; else the `initrd` beside the kernel (each
 * kernel's base initramfs is built with it: Debian's carries its modules, the minimal one
 * none), else the default one. */
static char *initrd_path(const struct hull_spec *spec, const char *kernel)
{
	const char *i = first(hull_spec_annotation(spec, HULL_ANNOT_VM_INITRD),
			      vm_str(spec, "kernel", "initrd"), getenv("HULL_VM_INITRD"));
	char dir[PATH_MAX], *p;
	if (i && *i)
		return xstrdup(i);
	snprintf(dir, sizeof(dir), "%s", kernel);
	p = hull_strfmt("%s/initrd", dirname(dir));
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return asset("initrd");
}

/* `<kernel>.boot`, written with a kernel that needs more than the defaults: words, one of
 * `acpi=off` (the kernel has no ACPI: `-M microvm,acpi=off`) or `acpi=on`.  No marker: a
 * kernel like Debian's, which finds its devices and powers off through ACPI. */
static int boot_marker(struct hull_vm_config *c, struct hull_err *err)
{
	cleanup_free char *path = hull_strfmt("%s.boot", c->kernel);
	char word[64];
	FILE *f = fopen(path, "re");
	int rc = 0;

	if (!f)
		return errno == ENOENT ? 0
				       : hull_error(err, errno, "kernel boot marker `%s`", path);
	while (rc == 0 && fscanf(f, "%63s", word) == 1) {
		if (!strcmp(word, "acpi=off"))
			c->acpi_off = true;
		else if (!strcmp(word, "acpi=on"))
			c->acpi_off = false;
		else
			rc = hull_error(err, EINVAL, "kernel boot marker `%s`: unknown option `%s`",
					path, word);
	}
	fclose(f);
	return rc;
}

static long long num(yajl_val v)
{
	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : -1;
}

/* "0-3,6" -> 5 */
static unsigned int cpuset_count(const char *s)
{
	unsigned int n = 0;
	if (!s)
		return 0;
	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b = a;
		if (end == s)
			break;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		if (b >= a)
			n += (unsigned int)(b - a + 1);
		s = *end == ',' ? end + 1 : end;
		if (*s && *s != ',' && (*s < '0' || *s > '9'))
			break;
	}
	return n;
}

/* an annotation's size: MiB, or with a unit (lib/size.h) */
static int parse_mib(const char *key, const char *val, unsigned long long *mib,
		     struct hull_err *err)
{
	int64_t bytes;
	if (hull_parse_size(val, 1 << 20, &bytes, err) < 0)
		return hull_error_wrap(err, "annotation %s", key);
	*mib = (unsigned long long)bytes >> 20;
	return 0;
}

int hull_vm_memory_overhead(const struct hull_spec *spec, uint64_t *bytes, struct hull_err *err)
{
	const char *a = hull_spec_annotation(spec, HULL_ANNOT_VM_MEMORY_OVERHEAD);
	unsigned long long mib = DEFAULT_OVERHEAD_MIB;
	if (a && *a && parse_mib(HULL_ANNOT_VM_MEMORY_OVERHEAD, a, &mib, err) < 0)
		return -1;
	*bytes = (uint64_t)mib << 20;
	return 0;
}

static int sizing(const struct hull_spec *spec, struct hull_vm_config *c, struct hull_err *err)
{
	yajl_val res = spec->linux_ ? spec->linux_->resources : NULL;
	const char *acpu = hull_spec_annotation(spec, HULL_ANNOT_VM_CPUS);
	const char *amem = hull_spec_annotation(spec, HULL_ANNOT_VM_MEMORY);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	c->cpus = DEFAULT_CPUS;
	c->mem_mib = DEFAULT_MEM_MIB;
	if (res) {
		const char *quota[] = {"cpu", "quota", NULL}, *period[] = {"cpu", "period", NULL};
		const char *cpus[] = {"cpu", "cpus", NULL}, *limit[] = {"memory", "limit", NULL};
		long long q = num(yajl_tree_get(res, quota, yajl_t_number));
		long long p = num(yajl_tree_get(res, period, yajl_t_number));
		long long m = num(yajl_tree_get(res, limit, yajl_t_number));
		yajl_val set = yajl_tree_get(res, cpus, yajl_t_string);
		if (q > 0)
			c->cpus = (unsigned int)((q + (p > 0 ? p : 100000) - 1) /
						 (p > 0 ? p : 100000));
		else if (set && cpuset_count(YAJL_GET_STRING(set)))
			c->cpus = cpuset_count(YAJL_GET_STRING(set));
		if (m > 0)
			c->mem_mib = (unsigned long long)m >> 20;
	}
	if (acpu && *acpu) {
		char *end;
		unsigned long v = strtoul(acpu, &end, 10);
		if (*end || v == 0 || v > 255)
			return hull_error(err, EINVAL,
					  "annotation " HULL_ANNOT_VM_CPUS
					  ": `%s` is not a vCPU count "
					  "(1-255)",
					  acpu);
		c->cpus = (unsigned int)v;
	}
	if (amem && *amem && parse_mib(HULL_ANNOT_VM_MEMORY, amem, &c->mem_mib, err) < 0)
		return -1;
	if (c->mem_mib < MIN_MEM_MIB)
		return hull_error(
			err, EINVAL,
			"VM memory of %llu MiB is too small: a guest needs at least %d MiB",
			c->mem_mib, MIN_MEM_MIB);
	/* more vCPUs than host CPUs only slows a VM down */
	if (ncpu > 0 && c->cpus > (unsigned int)ncpu && !(acpu && *acpu))
		c->cpus = (unsigned int)ncpu;
	return 0;
}

int hull_vm_config_resolve(const struct hull_spec *spec, struct hull_vm_config *c,
			   struct hull_err *err)
{
	const char *dbg = getenv("HULL_VM_DEBUG");
	memset(c, 0, sizeof(*c));
	c->qemu = xstrdup(first(hull_spec_annotation(spec, HULL_ANNOT_VM_QEMU),
				vm_str(spec, "hypervisor", "path"),
				first(getenv("HULL_QEMU"), NULL, DEFAULT_QEMU)));
	c->virtiofsd = xstrdup(first(hull_spec_annotation(spec, HULL_ANNOT_VM_VIRTIOFSD),
				     getenv("HULL_VIRTIOFSD"), DEFAULT_VIRTIOFSD));
	c->kernel = kernel_path(spec);
	c->initrd = initrd_path(spec, c->kernel);
	if (boot_marker(c, err) < 0)
		goto fail;
	if (hull_spec_annotation(spec, HULL_ANNOT_VM_CPU_MODEL) &&
	    *hull_spec_annotation(spec, HULL_ANNOT_VM_CPU_MODEL))
		c->cpu_model = xstrdup(hull_spec_annotation(spec, HULL_ANNOT_VM_CPU_MODEL));
	c->preload = asset("hull-vm-exit.so");
	if (vm_str(spec, "kernel", "parameters"))
		c->extra_cmdline = xstrdup(vm_str(spec, "kernel", "parameters"));
	c->debug = dbg && *dbg && strcmp(dbg, "0");
	{
		const char *v = hull_spec_annotation(spec, HULL_ANNOT_VM_VHOST);
		if (v && strcmp(v, "on") && strcmp(v, "off")) {
			hull_error(err, EINVAL, "annotation %s: `%s`, not `on` or `off`",
				   HULL_ANNOT_VM_VHOST, v);
			goto fail;
		}
		c->no_vhost = v && !strcmp(v, "off");
	}
	if (sizing(spec, c, err) < 0)
		goto fail;
	if (access(c->qemu, X_OK) < 0) {
		hull_error(err, errno, "QEMU `%s` (install qemu-system-x86, or set HULL_QEMU)",
			   c->qemu);
		goto fail;
	}
	if (access(c->virtiofsd, X_OK) < 0) {
		hull_error(err, errno,
			   "virtiofsd `%s` (install qemu-system-common, or set HULL_VIRTIOFSD)",
			   c->virtiofsd);
		goto fail;
	}
	if (access(c->kernel, R_OK) < 0 || access(c->initrd, R_OK) < 0 ||
	    access(c->preload, R_OK) < 0) {
		const char *p = access(c->kernel, R_OK) < 0   ? c->kernel
				: access(c->initrd, R_OK) < 0 ? c->initrd
							      : c->preload;
		hull_error(err, errno, "VM asset `%s` (run `make vm-assets`, or set HULL_VM_DIR)",
			   p);
		goto fail;
	}
	return 0;
fail:
	hull_vm_config_free(c);
	return -1;
}

void hull_vm_config_free(struct hull_vm_config *c)
{
	free(c->qemu);
	free(c->virtiofsd);
	free(c->kernel);
	free(c->initrd);
	free(c->preload);
	free(c->extra_cmdline);
	free(c->cpu_model);
	memset(c, 0, sizeof(*c));
}
