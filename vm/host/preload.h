/* SPDX-License-Identifier: Apache-2.0 */
/* What the container's init (launch.c) and hull-vm-exit.so, the library it preloads into QEMU
 * (exit_status.c), agree on: the environment variable naming the state directory's fd, and the
 * file in it QEMU stores the guest's status report in (the hull.status port's chardev).
 * Header-only: the preload links nothing of hull. */
#ifndef HULL_VM_HOST_PRELOAD_H
#define HULL_VM_HOST_PRELOAD_H

#define HULL_VM_STATE_FD_ENV "HULL_VM_STATE_FD"
#define HULL_VM_STATUS	     "vm-status"

#endif
