/* SPDX-License-Identifier: Apache-2.0 */
#include <linux/mount.h>
#include <sys/mount.h>

#include "lib/util.h"
#include "runtime/spec/mount_opts.h"
#include "tests/unit/unit.h"

static struct hull_mount parse(const char *type, char **opts)
{
	struct hull_mount m = {.destination = "/x", .type = (char *)type, .options = opts};
	hull_mount_parse_options(&m, NULL);
	return m;
}

TEST(flags_and_negations)
{
	char *o[] = {"ro", "nosuid", "nodev", "noexec", "rw", "suid", NULL};
	struct hull_mount m = parse("tmpfs", o);
	CHECK(!(m.flags & MS_RDONLY));
	CHECK(m.clear_flags & MS_RDONLY);
	CHECK(!(m.flags & MS_NOSUID));
	CHECK(m.flags & MS_NODEV);
	CHECK(m.flags & MS_NOEXEC);
	CHECK(!m.bind);
	free(m.data);
}

TEST(bind_rbind_and_propagation)
{
	char *o1[] = {"rbind", "rslave", NULL};
	char *o2[] = {NULL};
	struct hull_mount m = parse(NULL, o1), b = parse("bind", o2);
	CHECK(m.bind);
	CHECK((m.flags & (MS_BIND | MS_REC)) == (MS_BIND | MS_REC));
	CHECK_INT_EQ(m.propagation, MS_SLAVE | MS_REC);
	CHECK(b.bind);
	CHECK(!(b.flags & MS_REC));
}

TEST(data_and_recursive_attrs)
{
	char *o[] = {"mode=755", "size=65536k", "rro", "rnosuid", "rrelatime", "tmpcopyup", NULL};
	struct hull_mount m = parse("tmpfs", o);
	CHECK_STR_EQ(m.data, "mode=755,size=65536k");
	CHECK(m.rec_attr_set & MOUNT_ATTR_RDONLY);
	CHECK(m.rec_attr_set & MOUNT_ATTR_NOSUID);
	CHECK(m.rec_attr_clr & MOUNT_ATTR__ATIME);
	CHECK(m.tmpcopyup);
	free(m.data);
}

UNIT_MAIN()
