/* SPDX-License-Identifier: Apache-2.0 */
/* hull's own annotations (run.hull.*): the keys the front ends write and the levels read. */
#ifndef HULL_ANNOTATIONS_H
#define HULL_ANNOTATIONS_H

/* the isolation level: "container" or "vm" (DESIGN.md §1 has the order of precedence) */
#define HULL_ANNOT_ISOLATION "run.hull.isolation"

/* `hull-oci features`: hull's version and the levels this build has */
#define HULL_ANNOT_VERSION	    "run.hull.version"
#define HULL_ANNOT_ISOLATION_LEVELS "run.hull.isolation.levels"

/* the vm level's sizing and tools (vm/README.md) */
#define HULL_ANNOT_VM_CPUS	      "run.hull.vm.cpus"
#define HULL_ANNOT_VM_MEMORY	      "run.hull.vm.memory"
#define HULL_ANNOT_VM_MEMORY_OVERHEAD "run.hull.vm.memory-overhead"
#define HULL_ANNOT_VM_KERNEL	      "run.hull.vm.kernel"
#define HULL_ANNOT_VM_INITRD	      "run.hull.vm.initrd"
#define HULL_ANNOT_VM_QEMU	      "run.hull.vm.qemu"
#define HULL_ANNOT_VM_VIRTIOFSD	      "run.hull.vm.virtiofsd"
#define HULL_ANNOT_VM_CPU_MODEL	      "run.hull.vm.cpu-model"
#define HULL_ANNOT_VM_VHOST	      "run.hull.vm.vhost" /* on (default) | off */

#endif
