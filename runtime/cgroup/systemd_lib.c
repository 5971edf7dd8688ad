/* SPDX-License-Identifier: Apache-2.0 */
/* dlopen of libsystemd.so.0 for the systemd cgroup driver (systemd_lib.h says why). */
#include "runtime/cgroup/systemd_lib.h"

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#define SDBUS_SONAME "libsystemd.so.0"

static const struct {
	const char *name;
	size_t off;
} symbols[] = {
#define SYM(field, fn)                                                                             \
	{                                                                                          \
#fn, offsetof(struct hull_sdbus, field)                                            \
	}
	SYM(open_system, sd_bus_open_system),
	SYM(new_bus, sd_bus_new),
	SYM(set_address, sd_bus_set_address),
	SYM(start, sd_bus_start),
	SYM(flush_close_unref, sd_bus_flush_close_unref),
	SYM(new_method_call, sd_bus_message_new_method_call),
	SYM(append, sd_bus_message_append),
	SYM(open_container, sd_bus_message_open_container),
	SYM(close_container, sd_bus_message_close_container),
	SYM(read, sd_bus_message_read),
	SYM(message_unref, sd_bus_message_unref),
	SYM(call, sd_bus_call),
	SYM(error_free, sd_bus_error_free),
	SYM(error_has_name, sd_bus_error_has_name),
	SYM(match_signal, sd_bus_match_signal),
	SYM(slot_unref, sd_bus_slot_unref),
	SYM(process, sd_bus_process),
	SYM(wait, sd_bus_wait),
#undef SYM
};

const struct hull_sdbus *hull_sdbus_load(struct hull_err *err)
{
	static struct hull_sdbus api;
	static void *handle;
	size_t i;

	if (handle)
		return &api;
	handle = dlopen(SDBUS_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		hull_error(err, ENOENT,
			   "--systemd-cgroup: cannot load %s (install libsystemd0): %s",
			   SDBUS_SONAME, dlerror());
		return NULL;
	}
	for (i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
		void *fn = dlsym(handle, symbols[i].name);
		if (!fn) {
			hull_error(err, ENOENT, "--systemd-cgroup: %s has no `%s`", SDBUS_SONAME,
				   symbols[i].name);
			dlclose(handle);
			handle = NULL;
			return NULL;
		}
		*(void **)((char *)&api + symbols[i].off) = fn;
	}
	return &api;
}
