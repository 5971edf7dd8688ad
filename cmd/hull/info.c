/* SPDX-License-Identifier: Apache-2.0 */
/* hull info: what this host gives hull (as `docker info` tells about a daemon). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cmd/hull/cli.h"
#include "engine/ops.h"
#include "image/index.h"
#include "lib/json.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/spec/spec.h"
#include "vm/vm.h"

static const char *cgroup_kind(void)
{
	struct hull_cgroups cg = {0};
	bool v1 = false, v2 = false;

	if (hull_cgroups_discover(&cg, NULL) < 0)
		return "none";
	for (size_t i = 0; i < cg.n; i++) {
		if (cg.h[i].v2)
			v2 = true;
		else if (!hull_has_prefix(cg.h[i].controllers, "name="))
			v1 = true;
	}
	hull_cgroups_free(&cg);
	return v1 && v2 ? "v1 (hybrid: cgroup2 mounted beside)" : v1 ? "v1" : v2 ? "v2" : "none";
}

int cmd_info(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_engine e = {0};
	struct hull_ctr **v = NULL;
	struct hull_store s = {.dir = hull_strfmt("%s/images", g->root)};
	struct hull_index idx = {0};
	struct hull_spec *spec = hull_spec_parse("{\"ociVersion\":\"1.2.0\"}", NULL);
	struct hull_vm_config vc = {0};
	struct hull_err verr = {0};
	struct utsname u;
	size_t n = 0, running = 0, paused = 0, stopped = 0;
	bool json = argc > 1 &&
		    (!strcmp(argv[1], "--format=json") ||
		     (argc > 2 && !strcmp(argv[1], "--format") && !strcmp(argv[2], "json")));
	const char *no_kvm = NULL;
	bool vm_ok, kvm = hull_vm_uses_kvm(&no_kvm);
	int rc = 0;

	if (argc > 1 && !json) {
		free(s.dir);
		hull_spec_free(spec);
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			printf("Usage: hull info [--format json]\n\nWhat this host gives hull.\n");
			return 0;
		}
		return usage_error(err, "info", "unknown argument `%s`", argv[1]);
	}
	if (open_engine(g, &e, err) < 0 || hull_ctr_list(&e, &v, &n, err) < 0) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		pid_t pid;
		enum hull_status st = hull_ctr_status(&e, v[i], &pid);
		if (st == HULL_RUNNING)
			running++;
		else if (st == HULL_PAUSED)
			paused++;
		else if (st == HULL_STOPPED)
			stopped++;
	}
	hull_index_load(&s, &idx, NULL);
	uname(&u);
	vm_ok = spec && hull_vm_config_resolve(spec, &vc, &verr) == 0;
	if (json) {
		yajl_gen gen = yajl_gen_alloc(NULL);
		const unsigned char *buf;
		size_t len;
		yajl_gen_config(gen, yajl_gen_beautify, 1);
		yajl_gen_map_open(gen);
		hull_gen_str(gen, "Version"), hull_gen_str(gen, HULL_VERSION);
		hull_gen_str(gen, "Containers"), yajl_gen_integer(gen, (long long)n);
		hull_gen_str(gen, "ContainersRunning"), yajl_gen_integer(gen, (long long)running);
		hull_gen_str(gen, "ContainersPaused"), yajl_gen_integer(gen, (long long)paused);
		hull_gen_str(gen, "ContainersStopped"), yajl_gen_integer(gen, (long long)stopped);
		hull_gen_str(gen, "Images"), yajl_gen_integer(gen, (long long)idx.n);
		hull_gen_str(gen, "StorageRoot"), hull_gen_str(gen, g->root);
		hull_gen_str(gen, "RunRoot"), hull_gen_str(gen, g->runroot);
		hull_gen_str(gen, "CgroupVersion"), hull_gen_str(gen, cgroup_kind());
		hull_gen_str(gen, "KernelVersion"), hull_gen_str(gen, u.release);
		hull_gen_str(gen, "IsolationLevels");
		yajl_gen_array_open(gen);
		hull_gen_str(gen, "container");
		if (vm_ok)
			hull_gen_str(gen, "vm");
		yajl_gen_array_close(gen);
		hull_gen_str(gen, "VMAccelerator"), hull_gen_str(gen, kvm ? "kvm" : "tcg");
		hull_gen_str(gen, "VMError"), hull_gen_str(gen, vm_ok ? "" : verr.msg);
		yajl_gen_map_close(gen);
		yajl_gen_get_buf(gen, &buf, &len);
		printf("%.*s\n", (int)len, buf);
		yajl_gen_free(gen);
		goto out;
	}
	printf("Version:          %s (commit %s)\n", HULL_VERSION, HULL_COMMIT);
	printf("Containers:       %zu (running %zu, paused %zu, stopped %zu)\n", n, running, paused,
	       stopped);
	printf("Images:           %zu\n", idx.n);
	printf("Storage root:     %s\n", g->root);
	printf("Run root:         %s\n", g->runroot);
	printf("Cgroups:          %s\n", cgroup_kind());
	printf("Kernel:           %s\n", u.release);
	printf("Isolation levels: container%s\n", vm_ok ? ", vm" : "");
	if (vm_ok && kvm)
		printf("VM:               KVM, kernel %s\n", vc.kernel);
	else if (vm_ok)
		printf("VM:               software emulation (TCG: %s), kernel %s\n", no_kvm,
		       vc.kernel);
	else
		printf("VM:               unavailable: %s\n", verr.msg);
out:
	hull_vm_config_free(&vc);
	hull_index_free(&idx);
	hull_ctr_list_free(v, n);
	hull_engine_free(&e);
	hull_spec_free(spec);
	free(s.dir);
	return rc;
}
