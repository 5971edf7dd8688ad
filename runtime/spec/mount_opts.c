/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/spec/mount_opts.h"

#include <errno.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/util.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

enum kind { FLAG, CLEAR, PROPAGATION, REC_SET, REC_CLR, BIND, RBIND, TMPCOPYUP, IDMAP };

static const struct opt {
	const char *name;
	enum kind kind;
	unsigned long long value;
} opts[] = {
	{"ro", FLAG, MS_RDONLY},
	{"rw", CLEAR, MS_RDONLY},
	{"nosuid", FLAG, MS_NOSUID},
	{"suid", CLEAR, MS_NOSUID},
	{"nodev", FLAG, MS_NODEV},
	{"dev", CLEAR, MS_NODEV},
	{"noexec", FLAG, MS_NOEXEC},
	{"exec", CLEAR, MS_NOEXEC},
	{"sync", FLAG, MS_SYNCHRONOUS},
	{"async", CLEAR, MS_SYNCHRONOUS},
	{"dirsync", FLAG, MS_DIRSYNC},
	{"remount", FLAG, MS_REMOUNT},
	{"mand", FLAG, MS_MANDLOCK},
	{"nomand", CLEAR, MS_MANDLOCK},
	{"atime", CLEAR, MS_NOATIME},
	{"noatime", FLAG, MS_NOATIME},
	{"diratime", CLEAR, MS_NODIRATIME},
	{"nodiratime", FLAG, MS_NODIRATIME},
	{"relatime", FLAG, MS_RELATIME},
	{"norelatime", CLEAR, MS_RELATIME},
	{"strictatime", FLAG, MS_STRICTATIME},
	{"nostrictatime", CLEAR, MS_STRICTATIME},
	{"nosymfollow", FLAG, MS_NOSYMFOLLOW},
	{"bind", BIND, MS_BIND},
	{"rbind", RBIND, MS_BIND | MS_REC},
	{"private", PROPAGATION, MS_PRIVATE},
	{"rprivate", PROPAGATION, MS_PRIVATE | MS_REC},
	{"shared", PROPAGATION, MS_SHARED},
	{"rshared", PROPAGATION, MS_SHARED | MS_REC},
	{"slave", PROPAGATION, MS_SLAVE},
	{"rslave", PROPAGATION, MS_SLAVE | MS_REC},
	{"unbindable", PROPAGATION, MS_UNBINDABLE},
	{"runbindable", PROPAGATION, MS_UNBINDABLE | MS_REC},
	{"rro", REC_SET, MOUNT_ATTR_RDONLY},
	{"rrw", REC_CLR, MOUNT_ATTR_RDONLY},
	{"rnosuid", REC_SET, MOUNT_ATTR_NOSUID},
	{"rsuid", REC_CLR, MOUNT_ATTR_NOSUID},
	{"rnodev", REC_SET, MOUNT_ATTR_NODEV},
	{"rdev", REC_CLR, MOUNT_ATTR_NODEV},
	{"rnoexec", REC_SET, MOUNT_ATTR_NOEXEC},
	{"rexec", REC_CLR, MOUNT_ATTR_NOEXEC},
	{"rnodiratime", REC_SET, MOUNT_ATTR_NODIRATIME},
	{"rdiratime", REC_CLR, MOUNT_ATTR_NODIRATIME},
	{"rnoatime", REC_SET, MOUNT_ATTR_NOATIME},
	{"rrelatime", REC_SET, MOUNT_ATTR_RELATIME},
	{"rstrictatime", REC_SET, MOUNT_ATTR_STRICTATIME},
	{"rnosymfollow", REC_SET, MOUNT_ATTR_NOSYMFOLLOW},
	{"tmpcopyup", TMPCOPYUP, 0},
	{"idmap", IDMAP, HULL_IDMAP},
	{"ridmap", IDMAP, HULL_IDMAP_RECURSIVE},
};

const char *const hull_mount_option_names[] = {
	"ro",	     "rw",	   "nosuid",	  "suid",	   "nodev",	   "dev",
	"noexec",    "exec",	   "sync",	  "async",	   "dirsync",	   "remount",
	"mand",	     "nomand",	   "atime",	  "noatime",	   "diratime",	   "nodiratime",
	"relatime",  "norelatime", "strictatime", "nostrictatime", "nosymfollow",  "bind",
	"rbind",     "private",	   "rprivate",	  "shared",	   "rshared",	   "slave",
	"rslave",    "unbindable", "runbindable", "rro",	   "rrw",	   "rnosuid",
	"rsuid",     "rnodev",	   "rdev",	  "rnoexec",	   "rexec",	   "rnodiratime",
	"rdiratime", "rnoatime",   "rrelatime",	  "rstrictatime",  "rnosymfollow", "tmpcopyup",
	"idmap",     "ridmap",	   NULL,
};

static void append_data(struct hull_mount *m, const char *o)
{
	size_t have = m->data ? strlen(m->data) : 0;
	m->data = xrealloc(m->data, have + strlen(o) + 2);
	if (have)
		m->data[have++] = ',';
	strcpy(m->data + have, o);
}

int hull_mount_parse_options(struct hull_mount *m, struct hull_err *err)
{
	size_t i, k;

	m->flags = m->clear_flags = m->propagation = 0;
	m->rec_attr_set = m->rec_attr_clr = 0;
	m->idmap = 0;
	free(m->data);
	m->data = NULL;
	m->bind = m->type && !strcmp(m->type, "bind");
	if (m->bind)
		m->flags |= MS_BIND;
	for (i = 0; m->options && m->options[i]; i++) {
		const char *o = m->options[i];
		const struct opt *hit = NULL;
		for (k = 0; k < ARRAY_SIZE(opts); k++)
			if (!strcmp(o, opts[k].name))
				hit = &opts[k];
		if (!hit) {
			if (!*o)
				return hull_error(err, EINVAL, "mount `%s`: empty option",
						  m->destination);
			append_data(m, o);
			continue;
		}
		switch (hit->kind) {
		case FLAG:
			m->flags |= hit->value;
			m->clear_flags &= ~hit->value;
			break;
		case CLEAR:
			m->flags &= ~hit->value;
			m->clear_flags |= hit->value;
			break;
		case PROPAGATION:
			m->propagation = hit->value;
			break;
		case REC_SET:
			/* the atime modes share one field: setting one needs the field's mask */
			if (!strcmp(o, "rnoatime") || !strcmp(o, "rrelatime") ||
			    !strcmp(o, "rstrictatime"))
				m->rec_attr_clr |= MOUNT_ATTR__ATIME;
			m->rec_attr_set |= hit->value;
			m->rec_attr_clr &= ~hit->value;
			break;
		case REC_CLR:
			m->rec_attr_clr |= hit->value;
			m->rec_attr_set &= ~hit->value;
			break;
		case BIND:
			m->bind = true;
			m->flags |= MS_BIND;
			break;
		case RBIND:
			m->bind = true;
			m->flags |= MS_BIND | MS_REC;
			break;
		case TMPCOPYUP:
			m->tmpcopyup = true;
			break;
		case IDMAP:
			m->idmap = (unsigned char)hit->value;
			break;
		}
	}
	return 0;
}
