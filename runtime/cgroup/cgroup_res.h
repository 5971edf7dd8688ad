/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources as a typed model, and the cgroupfs writes it turns into on v1 and v2. */
#ifndef HULL_CGROUP_RES_H
#define HULL_CGROUP_RES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "lib/err.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/spec/spec.h"

/* The sections of linux.resources; a mask of them says which ones a document gave. */
enum {
	HULL_CG_MEMORY = 1 << 0,
	HULL_CG_CPU = 1 << 1,
	HULL_CG_CPUSET = 1 << 2, /* cpu.cpus and cpu.mems */
	HULL_CG_PIDS = 1 << 3,
	HULL_CG_BLKIO = 1 << 4,
	HULL_CG_HUGETLB = 1 << 5,
	HULL_CG_NETWORK = 1 << 6,
	HULL_CG_DEVICES = 1 << 7,
	HULL_CG_UNIFIED = 1 << 8,
};

struct hull_cg_val {
	bool set;
	int64_t v;
};

struct hull_cg_weight_dev {
	int64_t major, minor;
	struct hull_cg_val weight, leaf_weight;
};

struct hull_cg_rate_dev {
	int64_t major, minor;
	uint64_t rate;
};

struct hull_cg_rate_list {
	struct hull_cg_rate_dev *d;
	size_t n;
};

struct hull_cg_hugetlb {
	char *page_size; /* "2MB", "1GB" */
	uint64_t limit;
};

struct hull_cg_prio {
	char *name;
	uint32_t priority;
};

struct hull_cg_dev_rule {
	bool allow;
	char type;	      /* 'a', 'c', 'b' */
	int64_t major, minor; /* -1 = any */
	char access[4];	      /* subset of "rwm" */
};

struct hull_cg_resources {
	unsigned sections; /* HULL_CG_* given */
	struct {
		struct hull_cg_val limit, reservation, swap, kernel, kernel_tcp, swappiness;
		bool has_disable_oom_killer, disable_oom_killer;
	} memory;
	struct {
		struct hull_cg_val shares, quota, burst, period, rt_runtime, rt_period, idle;
		char *cpus, *mems;
	} cpu;
	struct hull_cg_val pids_limit;
	struct {
		struct hull_cg_val weight, leaf_weight;
		struct hull_cg_weight_dev *weight_devs;
		size_t n_weight_devs;
		struct hull_cg_rate_list read_bps, write_bps, read_iops, write_iops;
	} blkio;
	struct hull_cg_hugetlb *hugetlb;
	size_t n_hugetlb;
	struct {
		struct hull_cg_val class_id;
		struct hull_cg_prio *prios;
		size_t n_prios;
	} network;
	struct hull_cg_dev_rule *devices;
	size_t n_devices;
	struct hull_kv *unified;
	size_t n_unified;
};

/* Parse a linux.resources object (NULL: nothing given).  what names the document in errors
 * ("linux.resources" of config.json, or "--resources"). */
int hull_cg_res_parse(yajl_val j, const char *what, struct hull_cg_resources *r,
		      struct hull_err *err);
void hull_cg_res_free(struct hull_cg_resources *r);
/* Lay every value given in upd over base (what `update` does to the recorded resources). */
void hull_cg_res_merge(struct hull_cg_resources *base, const struct hull_cg_resources *upd);
/* The model back as a linux.resources JSON object (malloc'd), to record it. */
char *hull_cg_res_to_json(const struct hull_cg_resources *r);

/* One cgroupfs write: ctrl names the controller whose hierarchy holds file ("" = the v2
 * core files).  alt_file/alt_value are tried when file does not exist (blkio.weight versus
 * blkio.bfq.weight).  retry_swapped: on EINVAL write the next one first, then this one
 * again (memory.limit_in_bytes must stay below memory.memsw.limit_in_bytes).  optional:
 * a missing file is not an error. */
struct hull_cg_write {
	char ctrl[16];
	char *file, *value;
	char *alt_file, *alt_value;
	bool retry_swapped;
	bool optional;
};

struct hull_cg_writes {
	struct hull_cg_write *w;
	size_t n;
};

void hull_cg_writes_add(struct hull_cg_writes *ws, const char *ctrl, char *file, char *value);
/* The cpuset and pids writes, the same in v1 and v2. */
void hull_cg_writes_cpuset_pids(const struct hull_cg_resources *r, unsigned mask,
				struct hull_cg_writes *ws);
void hull_cg_writes_free(struct hull_cg_writes *ws);

/* The writes for the sections in mask, v1 file names and units (cgroup_v1.c). */
int hull_cg_v1_writes(const struct hull_cg_resources *r, unsigned mask, struct hull_cg_writes *ws,
		      struct hull_err *err);
/* The v1 devices lists: deny all, the rules, then the devices every container needs and
 * the spec's linux.devices. */
void hull_cg_v1_device_writes(const struct hull_cg_resources *r, const struct hull_linux *lx,
			      struct hull_cg_writes *ws);
/* The writes for the sections in mask, v2 file names and conversions (cgroup_v2.c). */
int hull_cg_v2_writes(const struct hull_cg_resources *r, unsigned mask, struct hull_cg_writes *ws,
		      struct hull_err *err);
/* runc's conversions: cpu.shares 2..262144 -> cpu.weight 1..10000, blkio weight 10..1000
 * -> io.weight 1..10000. */
uint64_t hull_cg_shares_to_weight(uint64_t shares);
uint64_t hull_cg_blkio_to_io_weight(uint64_t weight);

/* The device rules every container gets (null, zero, full, tty, random, urandom, pts, ptmx,
 * tun, and mknod of anything), as in runc and crun. */
extern const struct hull_cg_dev_rule hull_cg_default_devices[];
extern const size_t hull_cg_n_default_devices;

/* Apply resources (sections in mask) to the container's cgroup: each section goes to the
 * hierarchy that holds its controller (v1 first, then the v2 one, whose controllers are
 * enabled in the parents' cgroup.subtree_control).  with_devices also sets up the device
 * list (create: always, default deny) from r and lx.  Errors name the file and value. */
int hull_cgroup_apply(const struct hull_cgroups *cg, const char *path,
		      const struct hull_cg_resources *r, unsigned mask, const struct hull_linux *lx,
		      bool with_devices, struct hull_err *err);

/* What an isolation level adds to the container's cgroup beside the spec's resources
 * (runtime/executor.h): the vm level's VMM opens kvm, vhost and tun devices and needs memory
 * of its own beside the guest's. */
struct hull_cg_extra {
	const struct hull_cg_dev_rule *devices; /* appended to the spec's rules */
	size_t n_devices;
	uint64_t memory; /* bytes added to the memory limits that are set */
};

/* lx->resources with what the level adds (x, NULL: nothing), as create applies them. */
int hull_cg_res_for_create(const struct hull_linux *lx, const struct hull_cg_extra *x,
			   struct hull_cg_resources *r, struct hull_err *err);

/* create: parse lx->resources and apply all of it, devices included, with what the level
 * adds (x, NULL: nothing). */
int hull_cgroup_setup(const struct hull_cgroups *cg, const char *path, const struct hull_linux *lx,
		      const struct hull_cg_extra *x, struct hull_err *err);

/* The memory limits (limit, and v1's memory+swap) moved by bytes, where they are set. */
void hull_cg_res_add_memory(struct hull_cg_resources *r, int64_t bytes);

/* v2 device filter (cgroup_devbpf.c): build the eBPF program for the rules (last match
 * wins, default deny) and attach it to the cgroup directory fd. */
int hull_cg_bpf_devices_attach(int dirfd, const struct hull_cg_dev_rule *rules, size_t n,
			       struct hull_err *err);

/* Freezer (cgroup_freeze.c): the v1 freezer hierarchy when mounted, else cgroup.freeze of the
 * cgroup2 mount (a core file, no controller needed).  Both wait until the state settles. */
int hull_cgroup_freeze(const struct hull_cgroups *cg, const char *path, bool freeze,
		       struct hull_err *err);
/* -1 with err (EBUSY) when the cgroup exists and is frozen; 0 otherwise (one that does not
 * exist yet, a host without a freezer). */
int hull_cgroup_refuse_frozen(const struct hull_cgroups *cg, const char *path,
			      struct hull_err *err);
/* *frozen = whether the cgroup is frozen (false when it has no freezer). */
int hull_cgroup_frozen(const struct hull_cgroups *cg, const char *path, bool *frozen,
		       struct hull_err *err);

/* The hierarchy that holds a controller: a v1 mount, else the cgroup2 one when its root
 * lists the controller (ctrl "" = the cgroup2 mount itself); NULL if none. */
const struct hull_cgroup_hier *hull_cgroup_hier_for(const struct hull_cgroups *cg,
						    const char *ctrl);
/* The directory of cgroup path in ctrl's hierarchy (*v2: whether that is cgroup2; v2 may be
 * NULL), malloc'd; NULL when no hierarchy has the controller. */
char *hull_cgroup_dir_for(const struct hull_cgroups *cg, const char *ctrl, const char *path,
			  bool *v2);

#endif
