/* SPDX-License-Identifier: Apache-2.0 */
/* The names the host and the guest both use to find each other's things: the virtio-serial
 * ports QEMU makes (vm/host/qemu_args.c) and the guest init opens by name (vm/guest/init.c),
 * the virtio-fs tag of the container's root, and the files of the guest's initramfs the host
 * writes (vm/host/guestcfg.c, vm/host/net.c) and the guest reads.  Described in vm/README.md. */
#ifndef HULL_VM_PROTO_NAMES_H
#define HULL_VM_PROTO_NAMES_H

/* virtio-serial ports (`virtserialport,name=...`; the guest finds them in
 * /sys/class/virtio-ports/<dev>/name) */
#define HULL_PORT_STDIN	  "hull.stdin"
#define HULL_PORT_STDOUT  "hull.stdout"
#define HULL_PORT_STDERR  "hull.stderr"
#define HULL_PORT_STATUS  "hull.status"	 /* the exit status, once (vm/proto/status.h) */
#define HULL_PORT_CTL	  "hull.ctl"	 /* control requests (vm/proto/control.h) */
#define HULL_PORT_CONSOLE "hull.console" /* the main process's terminal (frames, proto.h) */
/* hull.exec<N>, N from 0 to HULL_VM_EXEC_PORTS - 1: one exec session each (frames) */
#define HULL_PORT_EXEC_FMT "hull.exec%d"

/* The virtio-fs tag the container's root is served under (vhost-user-fs-device,tag=...). */
#define HULL_FS_TAG "hullroot"

/* A pod's VM (vm/README.md, "Pods"): a second virtio-fs device over the pod's share, a host
 * directory holding, for each app container ID, ID/config (records, as /hull/config) and
 * ID/rootfs (its root, bind-mounted there on the host).  The guest init mounts it, and the
 * cgroup2 hierarchy whose child ID is each container's cgroup, on these initramfs paths. */
#define HULL_POD_FS_TAG	  "hullpod"
#define HULL_POD_CONFIG	  "config"
#define HULL_POD_ROOTFS	  "rootfs"
#define HULL_GUEST_POD	  "/hull/pod"
#define HULL_GUEST_POD_CG "/hull/cgroup"

/* Files in the guest's initramfs, as the newc archive names them (no leading slash): the
 * configuration (records, vm/proto/records.h) written at create, the network appended at
 * start; the module list is written by scripts/vm-assets.sh at build time. */
#define HULL_GUEST_DIR	   "hull"
#define HULL_GUEST_CONFIG  HULL_GUEST_DIR "/config"
#define HULL_GUEST_NET	   HULL_GUEST_DIR "/net"
#define HULL_GUEST_MODULES HULL_GUEST_DIR "/modules"

#endif
