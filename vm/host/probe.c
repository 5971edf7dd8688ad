/* SPDX-License-Identifier: Apache-2.0 */
/* The host's facts the QEMU command line depends on (host.h): whether KVM is usable, and the
 * TSC's clock, which the guest calibrates against instead of the PIT (VM-NOTES trap 1). */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "vm/host/host.h"

/* word as a whole word of a flags line (ends at a blank, a newline or the end) */
static bool has_word(const char *list, const char *end, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = strstr(list, word); p && p < end; p = strstr(p + 1, word))
		if ((p == list || p[-1] == ' ' || p[-1] == '\t') &&
		    (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return true;
	return false;
}

void hull_cpuinfo_parse(const char *text, struct hull_cpu_facts *f)
{
	memset(f, 0, sizeof(*f));
	/* the first processor's block ends at the first empty line */
	for (const char *line = text; *line && *line != '\n';) {
		const char *end = strchr(line, '\n');
		double mhz;
		if (!end)
			end = line + strlen(line);
		if (sscanf(line, "cpu MHz : %lf", &mhz) == 1)
			f->tsc_khz = (unsigned long)(mhz * 1000.0 + 0.5);
		else if (!strncmp(line, "flags", 5))
			f->hw_virt = has_word(line, end, "vmx") || has_word(line, end, "svm");
		line = *end ? end + 1 : end;
	}
}

/* KVM only when /dev/kvm is the real device, answers, and has the CPU's virtualization
 * extensions behind it: a stray file, a node without a driver, or a KVM back end that needs
 * its own guest kernel and VMM (PVM, which offers /dev/kvm without vmx/svm, and on which
 * QEMU aborts setting MSRs) must mean TCG, not a VMM that fails to start.  why says which. */
static bool kvm_usable(const struct hull_cpu_facts *cpu, const char **why)
{
	struct stat st;
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), v = -1;
	*why = "/dev/kvm not available";
	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode))
		v = ioctl(fd, KVM_GET_API_VERSION, 0);
	close(fd);
	if (v != KVM_API_VERSION)
		return false;
	*why = "/dev/kvm has no hardware virtualization (vmx/svm) behind it";
	return cpu->hw_virt;
}

void hull_vm_host_probe(struct hull_vm_host *h)
{
	struct hull_cpu_facts cpu = {0};
	cleanup_free char *text = NULL;
	char *line = NULL;
	size_t cap = 0, len = 0;
	FILE *in = fopen("/proc/cpuinfo", "re");

	/* the first processor's block: up to its empty line */
	while (in) {
		ssize_t n = getline(&line, &cap, in);
		if (n <= 0)
			break;
		text = xrealloc(text, len + (size_t)n + 1);
		memcpy(text + len, line, (size_t)n + 1);
		len += (size_t)n;
		if (n == 1)
			break;
	}
	free(line);
	if (in)
		fclose(in);
	if (text)
		hull_cpuinfo_parse(text, &cpu);
	h->kvm = kvm_usable(&cpu, &h->no_kvm);
	h->tsc_khz = cpu.tsc_khz;
}

bool hull_vm_uses_kvm(const char **why)
{
	struct hull_vm_host h;
	hull_vm_host_probe(&h);
	if (why)
		*why = h.kvm ? NULL : h.no_kvm;
	return h.kvm;
}
