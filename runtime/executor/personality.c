/* SPDX-License-Identifier: Apache-2.0 */
/* linux.personality: the execution domain (LINUX, LINUX32) and flags, via personality(2). */
#include <errno.h>
#include <string.h>
#include <sys/personality.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/sysctl.h"

static const struct {
	const char *name;
	unsigned long value;
} flags[] = {
	{"ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE}, {"ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT},
	{"ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT},	  {"ADDR_LIMIT_3GB", ADDR_LIMIT_3GB},
	{"FDPIC_FUNCPTRS", FDPIC_FUNCPTRS},	  {"MMAP_PAGE_ZERO", MMAP_PAGE_ZERO},
	{"READ_IMPLIES_EXEC", READ_IMPLIES_EXEC}, {"SHORT_INODE", SHORT_INODE},
	{"STICKY_TIMEOUTS", STICKY_TIMEOUTS},	  {"UNAME26", UNAME26},
	{"WHOLE_SECONDS", WHOLE_SECONDS},
};

int hull_personality_parse(yajl_val p, unsigned long *persona, bool *set, struct hull_err *err)
{
	cleanup_free char *domain = NULL;
	char **fl = NULL;
	size_t i, k;
	int ret = -1;

	*persona = 0;
	*set = false;
	if (!p)
		return 0;
	if (sj_string(p, "domain", "linux.personality", &domain, err) < 0 ||
	    sj_strv(p, "flags", "linux.personality", &fl, err) < 0)
		return -1;
	if (!domain)
		return hull_error(err, EINVAL,
				  "config.json: `linux.personality.domain` is required");
	if (!strcmp(domain, "LINUX"))
		*persona = PER_LINUX;
	else if (!strcmp(domain, "LINUX32"))
		*persona = PER_LINUX32;
	else
		return hull_error(err, EINVAL,
				  "config.json: `linux.personality.domain`: unknown domain `%s` "
				  "(LINUX or LINUX32)",
				  domain);
	for (i = 0; fl && fl[i]; i++) {
		for (k = 0; k < ARRAY_SIZE(flags); k++)
			if (!strcmp(fl[i], flags[k].name))
				break;
		if (k == ARRAY_SIZE(flags)) {
			hull_error(err, EINVAL,
				   "config.json: `linux.personality.flags[%zu]`: unknown flag `%s`",
				   i, fl[i]);
			goto out;
		}
		*persona |= flags[k].value;
	}
	*set = true;
	ret = 0;
out:
	hull_strv_free(fl);
	return ret;
}

int hull_personality_apply(yajl_val p, struct hull_err *err)
{
	unsigned long persona;
	bool set;

	if (hull_personality_parse(p, &persona, &set, err) < 0)
		return -1;
	if (set && personality(persona) < 0)
		return hull_error(err, errno, "personality 0x%lx", persona);
	return 0;
}
