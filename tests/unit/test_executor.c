/* SPDX-License-Identifier: Apache-2.0 */
/* The isolation levels: which table claims which spec (annotation, invoked name, the spec's
 * `vm` section, default), the level a state names, and what the vm level adds to the cgroup. */
#include <errno.h>
#include <string.h>

#include "lib/util.h"
#include "runtime/executor.h"
#include "tests/unit/unit.h"
#include "vm/vm.h"

static const struct hull_executor *const both[] = {&hull_container_executor, &hull_vm_executor};
static const struct hull_executor *const container_only[] = {&hull_container_executor};

static struct hull_spec *spec_with(const char *annotation, bool vm_section)
{
	cleanup_free char *json =
		hull_strfmt("{\"ociVersion\":\"1.2.0\"%s%s%s%s}",
			    annotation ? ",\"annotations\":{\"run.hull.isolation\":\"" : "",
			    annotation ? annotation : "", annotation ? "\"}" : "",
			    vm_section ? ",\"vm\":{\"hypervisor\":{\"path\":\"/bin/qemu\"}}" : "");
	struct hull_err err = {0};
	struct hull_spec *s = hull_spec_parse(json, &err);
	if (!s)
		UNIT_FAIL("parse %s: %s", json, err.msg);
	return s;
}

/* The name of the level chosen, or "error: MESSAGE". */
static char chosen[HULL_ERR_MAX + 16];
static const char *choose(const char *annotation, bool vm_section, const char *by_name)
{
	struct hull_spec *s = spec_with(annotation, vm_section);
	struct hull_err err = {0};
	const struct hull_executor *ex;

	if (!s)
		return "unparsed";
	ex = hull_executor_choose(s, by_name, &err);
	if (ex)
		snprintf(chosen, sizeof(chosen), "%s", ex->name);
	else
		snprintf(chosen, sizeof(chosen), "error: %s", err.msg);
	hull_spec_free(s);
	return chosen;
}

TEST(default_is_the_first_level)
{
	hull_executors_use(both, ARRAY_SIZE(both));
	CHECK_STR_EQ(choose(NULL, false, NULL), "container");
	/* an empty annotation is no annotation */
	CHECK_STR_EQ(choose("", false, NULL), "container");
}

TEST(annotation_wins)
{
	hull_executors_use(both, ARRAY_SIZE(both));
	CHECK_STR_EQ(choose("vm", false, NULL), "vm");
	/* over the invoked name and the spec's vm section */
	CHECK_STR_EQ(choose("container", true, "vm"), "container");
	CHECK_STR_EQ(choose("vm", false, "container"), "vm");
}

TEST(invoked_name_then_vm_section)
{
	hull_executors_use(both, ARRAY_SIZE(both));
	CHECK_STR_EQ(choose(NULL, false, "vm"), "vm");
	CHECK_STR_EQ(choose(NULL, true, NULL), "vm");
	/* the name comes before the section */
	CHECK_STR_EQ(choose(NULL, true, "container"), "container");
}

TEST(unknown_annotation_is_an_error)
{
	const char *r;
	hull_executors_use(both, ARRAY_SIZE(both));
	r = choose("warp", false, NULL);
	CHECK(!strncmp(r, "error: ", 7));
	CHECK(strstr(r, "run.hull.isolation") != NULL);
	CHECK(strstr(r, "`warp`") != NULL);
	CHECK(strstr(r, "container, vm") != NULL);
}

TEST(a_level_left_out_is_not_chosen)
{
	const char *r;
	hull_executors_use(container_only, ARRAY_SIZE(container_only));
	/* asked for by annotation or name: refused, never silently a container */
	r = choose("vm", false, NULL);
	CHECK(strstr(r, "error: ") == r && strstr(r, "`vm`") && strstr(r, "(it has: container)"));
	r = choose(NULL, false, "vm");
	CHECK(strstr(r, "error: ") == r && strstr(r, "`vm`"));
	/* a vm section alone is no claim when no level reads it */
	CHECK_STR_EQ(choose(NULL, true, NULL), "container");
	hull_executors_use(both, ARRAY_SIZE(both));
}

TEST(the_runtime_alone_has_the_container_level)
{
	size_t n = 0;
	const struct hull_executor *const *lv;
	hull_executors_use(NULL, 0);
	lv = hull_executors(&n);
	CHECK_INT_EQ(n, 1);
	CHECK(lv[0] == &hull_container_executor);
	CHECK_STR_EQ(choose(NULL, true, NULL), "container");
	hull_executors_use(both, ARRAY_SIZE(both));
	lv = hull_executors(&n);
	CHECK_INT_EQ(n, 2);
	CHECK(lv[1] == &hull_vm_executor);
}

TEST(level_of_a_state)
{
	struct hull_err err = {0};
	hull_executors_use(both, ARRAY_SIZE(both));
	CHECK(hull_executor_find("vm", &err) == &hull_vm_executor);
	CHECK(hull_executor_find("container", &err) == &hull_container_executor);
	/* a state written before levels were recorded */
	CHECK(hull_executor_find(NULL, &err) == &hull_container_executor);
	CHECK(hull_executor_find("warp", &err) == NULL);
	CHECK(strstr(err.msg, "state.json") && strstr(err.msg, "`warp`") &&
	      strstr(err.msg, "container, vm"));
	CHECK_INT_EQ(err.errnum, ENOTSUP);

	hull_err_clear(&err);
	hull_executors_use(container_only, ARRAY_SIZE(container_only));
	CHECK(hull_executor_find("vm", &err) == NULL);
	CHECK(strstr(err.msg, "`vm`") && strstr(err.msg, "(it has: container)"));
	hull_executors_use(both, ARRAY_SIZE(both));
}

TEST(tables_are_complete)
{
	/* what the runtime calls without looking */
	for (size_t i = 0; i < ARRAY_SIZE(both); i++) {
		const struct hull_executor *ex = both[i];
		CHECK(ex->name && *ex->name);
		CHECK(ex->prepare && ex->exec && ex->kill && ex->foreground_wait &&
		      ex->exec_process);
	}
	CHECK_STR_EQ(hull_container_executor.name, "container");
	CHECK_STR_EQ(hull_vm_executor.name, "vm");
	/* the container level adds nothing to the cgroup: nothing is called on its hot path */
	CHECK(hull_container_executor.cgroup == NULL && hull_container_executor.check == NULL &&
	      hull_container_executor.cleanup == NULL);
}

TEST(vm_level_adds_its_devices_and_memory)
{
	struct hull_spec *s = spec_with("vm", false);
	struct hull_cg_extra x = {0};
	struct hull_err err = {0};
	bool kvm = false, tun = false;

	CHECK(s && hull_vm_executor.cgroup(s, &x, &err) == 0);
	for (size_t i = 0; i < x.n_devices; i++) {
		kvm = kvm || (x.devices[i].allow && x.devices[i].type == 'c' &&
			      x.devices[i].major == 10 && x.devices[i].minor == 232);
		tun = tun ||
		      (x.devices[i].allow && x.devices[i].major == 10 && x.devices[i].minor == 200);
	}
	CHECK(kvm && tun);
	CHECK_INT_EQ(x.memory, 192ULL << 20);
	hull_spec_free(s);

	s = hull_spec_parse("{\"ociVersion\":\"1.2.0\",\"annotations\":"
			    "{\"run.hull.vm.memory-overhead\":\"1G\"}}",
			    &err);
	memset(&x, 0, sizeof(x));
	CHECK(s && hull_vm_executor.cgroup(s, &x, &err) == 0);
	CHECK_INT_EQ(x.memory, 1ULL << 30);
	hull_spec_free(s);

	s = hull_spec_parse("{\"ociVersion\":\"1.2.0\",\"annotations\":"
			    "{\"run.hull.vm.memory-overhead\":\"lots\"}}",
			    &err);
	CHECK(s && hull_vm_executor.cgroup(s, &x, &err) < 0);
	CHECK(strstr(err.msg, "run.hull.vm.memory-overhead") != NULL);
	hull_spec_free(s);
}

TEST(vm_level_needs_a_network_namespace)
{
	struct hull_err err = {0};
	struct hull_spec *s = hull_spec_parse(
		"{\"ociVersion\":\"1.2.0\",\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
		&err);
	CHECK(s && hull_vm_executor.check(s, &err) < 0);
	CHECK(strstr(err.msg, "network namespace") != NULL);
	hull_spec_free(s);
	s = hull_spec_parse("{\"ociVersion\":\"1.2.0\",\"linux\":{\"namespaces\":"
			    "[{\"type\":\"mount\"},{\"type\":\"network\"}]}}",
			    &err);
	CHECK(s && hull_vm_executor.check(s, &err) == 0);
	hull_spec_free(s);
}

UNIT_MAIN()
