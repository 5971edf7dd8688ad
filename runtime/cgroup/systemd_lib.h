/* SPDX-License-Identifier: Apache-2.0 */
/* libsystemd's sd-bus, loaded when the systemd cgroup driver is first used (private to the
 * driver).  Linking it would load libsystemd and its five dependencies into every hull-oci
 * invocation, ~2 ms each on this machine, which the cgroupfs driver's start path must not
 * pay; the header still types every pointer. */
#ifndef HULL_SYSTEMD_LIB_H
#define HULL_SYSTEMD_LIB_H

#include <systemd/sd-bus.h>

#include "lib/err.h"
#include "runtime/cgroup/cgroup_res.h"

struct hull_sdbus {
	__typeof__(sd_bus_open_system) *open_system;
	__typeof__(sd_bus_new) *new_bus;
	__typeof__(sd_bus_set_address) *set_address;
	__typeof__(sd_bus_start) *start;
	__typeof__(sd_bus_flush_close_unref) *flush_close_unref;
	__typeof__(sd_bus_message_new_method_call) *new_method_call;
	__typeof__(sd_bus_message_append) *append;
	__typeof__(sd_bus_message_open_container) *open_container;
	__typeof__(sd_bus_message_close_container) *close_container;
	__typeof__(sd_bus_message_read) *read;
	__typeof__(sd_bus_message_unref) *message_unref;
	__typeof__(sd_bus_call) *call;
	__typeof__(sd_bus_error_free) *error_free;
	__typeof__(sd_bus_error_has_name) *error_has_name;
	__typeof__(sd_bus_match_signal) *match_signal;
	__typeof__(sd_bus_slot_unref) *slot_unref;
	__typeof__(sd_bus_process) *process;
	__typeof__(sd_bus_wait) *wait;
};

/* The functions, loaded once (libsystemd.so.0); NULL with err set when it is missing. */
const struct hull_sdbus *hull_sdbus_load(struct hull_err *err);

/* Append to m (inside an open "a(sv)") the unit properties for the sections of r in mask,
 * in the names a v2 (unified) or v1 systemd takes; with lx, the device allow list too
 * (create).  Returns sd-bus's negative errno on failure. */
int hull_sd_append_resources(const struct hull_sdbus *api, sd_bus_message *m,
			     const struct hull_cg_resources *r, unsigned mask,
			     const struct hull_linux *lx, bool unified);

#endif
