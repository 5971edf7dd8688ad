/* SPDX-License-Identifier: Apache-2.0 */
/* process.scheduler, process.ioPriority and linux.memoryPolicy as read from config.json: the
 * values the init applies, and what is refused before it runs, naming the field. */
#include <linux/ioprio.h>
#include <linux/mempolicy.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "runtime/spec/spec.h"
#include "tests/unit/unit.h"

#define SPEC_WITH(process_extra, linux_extra)                                                      \
	"{\"ociVersion\":\"1.2.0\",\"process\":{\"args\":[\"true\"],\"cwd\":\"/\"" process_extra   \
	"},\"linux\":{\"namespaces\":[]" linux_extra "}}"

static struct hull_spec *parse_ok(const char *json)
{
	struct hull_err err = {0};
	struct hull_spec *s = hull_spec_parse(json, &err);
	if (!s)
		UNIT_FAIL("refused: %s", err.msg);
	return s;
}

/* Refused, with want in the message. */
static void refused(const char *json, const char *want)
{
	struct hull_err err = {0};
	struct hull_spec *s = hull_spec_parse(json, &err);
	if (s) {
		UNIT_FAIL("accepted, expected an error with `%s`", want);
		hull_spec_free(s);
		return;
	}
	if (!strstr(err.msg, want))
		UNIT_FAIL("`%s` not in: %s", want, err.msg);
}

TEST(scheduler_deadline_and_flags)
{
	struct hull_spec *s = parse_ok(SPEC_WITH(
		",\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"runtime\":1024,\"deadline\":2000,"
		"\"flags\":[\"SCHED_FLAG_RESET_ON_FORK\",\"SCHED_FLAG_DL_OVERRUN\"]}",
		""));
	if (!s)
		return;
	CHECK(s->process->scheduler.set);
	CHECK_INT_EQ(s->process->scheduler.policy, 6);
	CHECK_INT_EQ(s->process->scheduler.runtime, 1024);
	CHECK_INT_EQ(s->process->scheduler.deadline, 2000);
	CHECK_INT_EQ(s->process->scheduler.period, 0);
	CHECK_INT_EQ(s->process->scheduler.flags, 0x01 | 0x04);
	CHECK(!s->process->io_priority.set);
	CHECK(!s->linux_->mem_policy.set);
	hull_spec_free(s);
}

TEST(scheduler_refusals)
{
	refused(SPEC_WITH(",\"scheduler\":{}", ""), "process.scheduler.policy` is required");
	refused(SPEC_WITH(",\"scheduler\":{\"policy\":\"SCHED_X\"}", ""), "unknown policy");
	refused(SPEC_WITH(",\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"nice\":-21}", ""), "nice");
	refused(SPEC_WITH(",\"scheduler\":{\"policy\":\"SCHED_BATCH\",\"priority\":1}", ""),
		"process.scheduler.priority");
	refused(SPEC_WITH(",\"scheduler\":{\"policy\":\"SCHED_FIFO\",\"runtime\":5000}", ""),
		"for SCHED_DEADLINE only");
	refused(SPEC_WITH(",\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"deadline\":5000}", ""),
		"needs `runtime` and `deadline`");
	refused(SPEC_WITH(",\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"runtime\":1023,"
			  "\"deadline\":5000}",
			  ""),
		"must be between");
	refused(SPEC_WITH(",\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"runtime\":2000,"
			  "\"deadline\":5000,\"period\":4000}",
			  ""),
		"runtime <= deadline <= period");
	refused(SPEC_WITH(",\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"flags\":[\"X\"]}", ""),
		"unknown flag `X`");
}

TEST(io_priority)
{
	struct hull_spec *s = parse_ok(
		SPEC_WITH(",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_RT\",\"priority\":7}", ""));
	if (!s)
		return;
	CHECK(s->process->io_priority.set);
	CHECK_INT_EQ(s->process->io_priority.io_class, IOPRIO_CLASS_RT);
	CHECK_INT_EQ(s->process->io_priority.level, 7);
	hull_spec_free(s);
	refused(SPEC_WITH(",\"ioPriority\":{\"priority\":1}", ""), "ioPriority.class` is required");
	refused(SPEC_WITH(",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_NONE\"}", ""),
		"unknown class");
	refused(SPEC_WITH(",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":8}", ""),
		"priority");
}

TEST(memory_policy_node_list)
{
	struct hull_spec *s = parse_ok(SPEC_WITH(
		"", ",\"memoryPolicy\":{\"mode\":\"MPOL_INTERLEAVE\",\"nodes\":\"0-2,5,64-65\","
		    "\"flags\":[\"MPOL_F_STATIC_NODES\"]}"));
	const struct hull_mem_policy *mp;
	if (!s)
		return;
	mp = &s->linux_->mem_policy;
	CHECK(mp->set);
	CHECK(mp->has_nodes);
	CHECK_INT_EQ(mp->mode, MPOL_INTERLEAVE);
	CHECK_INT_EQ(mp->flags, MPOL_F_STATIC_NODES);
	CHECK_INT_EQ(mp->nodes[0], 0x27);
	CHECK_INT_EQ(mp->nodes[1], 0x3);
	hull_spec_free(s);
	s = parse_ok(SPEC_WITH("", ",\"memoryPolicy\":{\"mode\":\"MPOL_LOCAL\"}"));
	if (s) {
		CHECK(s->linux_->mem_policy.set);
		CHECK(!s->linux_->mem_policy.has_nodes);
		hull_spec_free(s);
	}
}

TEST(memory_policy_refusals)
{
	refused(SPEC_WITH("", ",\"memoryPolicy\":{}"), "memoryPolicy.mode` is required");
	refused(SPEC_WITH("", ",\"memoryPolicy\":{\"mode\":\"MPOL_NEAR\"}"), "unknown mode");
	refused(SPEC_WITH("", ",\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"flags\":[\"F\"]}"),
		"unknown flag `F`");
	refused(SPEC_WITH("", ",\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"nodes\":\"1024\"}"),
		"node 1024");
	refused(SPEC_WITH("", ",\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"nodes\":\"3-1\"}"),
		"not a node list");
	refused(SPEC_WITH("", ",\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"nodes\":\"1,\"}"),
		"not a node list");
	refused(SPEC_WITH("", ",\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"nodes\":\",1\"}"),
		"not a node list");
	refused(SPEC_WITH("", ",\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"nodes\":\"1 2\"}"),
		"not a node list");
}

UNIT_MAIN()
