/* SPDX-License-Identifier: Apache-2.0 */
/* A container's lifecycle, the parts without privileges: docker's restart policies as the
 * monitor keeps them (engine/restart_policy.c: what --restart accepts, which exits start the
 * container again, the back-off between starts) and the detach keys of an attached client
 * (engine/attach.c). */
#include <string.h>

#include "engine/attach.h"
#include "engine/restart_policy.h"
#include "tests/unit/unit.h"

TEST(restart_policy_parse)
{
	struct hull_restart_policy p;
	struct hull_err err = {0};

	CHECK(hull_restart_policy_parse(NULL, &p, &err) == 0 && p.kind == HULL_RESTART_NO);
	CHECK(hull_restart_policy_parse("no", &p, &err) == 0 && p.kind == HULL_RESTART_NO);
	CHECK(hull_restart_policy_parse("always", &p, &err) == 0 && p.kind == HULL_RESTART_ALWAYS);
	CHECK(hull_restart_policy_parse("unless-stopped", &p, &err) == 0 &&
	      p.kind == HULL_RESTART_UNLESS_STOPPED);
	CHECK(hull_restart_policy_parse("on-failure", &p, &err) == 0 &&
	      p.kind == HULL_RESTART_ON_FAILURE && p.max_retries == 0);
	CHECK(hull_restart_policy_parse("on-failure:3", &p, &err) == 0 &&
	      p.kind == HULL_RESTART_ON_FAILURE && p.max_retries == 3);
	CHECK(hull_restart_policy_parse("on-failure:", &p, &err) < 0);
	CHECK(strstr(err.msg, "on-failure:") != NULL);
	CHECK(hull_restart_policy_parse("on-failure:-1", &p, &err) < 0);
	CHECK(hull_restart_policy_parse("on-failure:2x", &p, &err) < 0);
	CHECK(hull_restart_policy_parse("on-failures", &p, &err) < 0);
	CHECK(hull_restart_policy_parse("always:3", &p, &err) < 0);
	CHECK(strstr(err.msg, "only with on-failure") != NULL);
	CHECK(hull_restart_policy_parse("sometimes", &p, &err) < 0);
	CHECK(strstr(err.msg, "`sometimes`") != NULL);
}

TEST(restart_policy_wanted)
{
	struct hull_restart_policy no = {HULL_RESTART_NO, 0}, always = {HULL_RESTART_ALWAYS, 0},
				   unless = {HULL_RESTART_UNLESS_STOPPED, 0},
				   fail2 = {HULL_RESTART_ON_FAILURE, 2},
				   fail = {HULL_RESTART_ON_FAILURE, 0};

	CHECK(!hull_restart_wanted(&no, 1, 0, false));
	CHECK(hull_restart_wanted(&always, 0, 100, false));
	CHECK(hull_restart_wanted(&unless, 0, 0, false));
	CHECK(!hull_restart_wanted(&always, 1, 0, true));
	CHECK(!hull_restart_wanted(&unless, 1, 0, true));
	CHECK(!hull_restart_wanted(&fail2, 0, 0, false));
	CHECK(hull_restart_wanted(&fail2, 3, 0, false));
	CHECK(hull_restart_wanted(&fail2, 3, 1, false));
	CHECK(!hull_restart_wanted(&fail2, 3, 2, false));
	CHECK(hull_restart_wanted(&fail, 137, 1000, false));
	CHECK(!hull_restart_wanted(&fail, 137, 0, true));
}

TEST(restart_policy_backoff)
{
	CHECK(hull_restart_delay_ms(0, 0) == 100);
	CHECK(hull_restart_delay_ms(100, 50) == 200);
	CHECK(hull_restart_delay_ms(200, 9999) == 400);
	CHECK(hull_restart_delay_ms(400, 10000) == 100);
	CHECK(hull_restart_delay_ms(51200, 0) == 60000);
	CHECK(hull_restart_delay_ms(60000, 0) == 60000);
}

TEST(detach_keys_parse)
{
	struct hull_detach_keys k;
	struct hull_err err = {0};

	CHECK(hull_detach_keys_parse("ctrl-p,ctrl-q", &k, &err) == 0);
	CHECK(k.len == 2 && k.seq[0] == 0x10 && k.seq[1] == 0x11);
	CHECK(hull_detach_keys_parse("a,ctrl-@,ctrl-[,CTRL-Z,ctrl-_", &k, &err) == 0);
	CHECK(k.len == 5 && k.seq[0] == 'a' && k.seq[1] == 0 && k.seq[2] == 27 && k.seq[3] == 26 &&
	      k.seq[4] == 31);
	CHECK(hull_detach_keys_parse("", &k, &err) == 0 && k.len == 0);
	CHECK(hull_detach_keys_parse("ctrl-1", &k, &err) < 0);
	CHECK(strstr(err.msg, "`ctrl-1`") != NULL);
	CHECK(hull_detach_keys_parse("ab", &k, &err) < 0);
	CHECK(hull_detach_keys_parse(",", &k, &err) < 0);
}

TEST(detach_keys_feed)
{
	struct hull_detach_keys k;
	struct hull_err err = {0};
	unsigned char out[64];
	size_t n;

	hull_detach_keys_parse("ctrl-p,ctrl-q", &k, &err);
	/* plain input passes */
	CHECK(!hull_detach_feed(&k, (const unsigned char *)"ls\r", 3, out, &n));
	CHECK(n == 3 && !memcmp(out, "ls\r", 3));
	/* ctrl-p alone is held back, then passed on with what broke the sequence */
	CHECK(!hull_detach_feed(&k, (const unsigned char *)"x\x10", 2, out, &n));
	CHECK(n == 1 && out[0] == 'x');
	CHECK(!hull_detach_feed(&k, (const unsigned char *)"y", 1, out, &n));
	CHECK(n == 2 && out[0] == 0x10 && out[1] == 'y');
	/* ctrl-p ctrl-p ctrl-q: the first goes on, the last two detach */
	CHECK(hull_detach_feed(&k, (const unsigned char *)"a\x10\x10\x11zz", 6, out, &n));
	CHECK(n == 2 && out[0] == 'a' && out[1] == 0x10);
	/* split across reads */
	CHECK(!hull_detach_feed(&k, (const unsigned char *)"\x10", 1, out, &n) && n == 0);
	CHECK(hull_detach_feed(&k, (const unsigned char *)"\x11", 1, out, &n) && n == 0);
	/* no keys: everything passes */
	hull_detach_keys_parse("", &k, &err);
	CHECK(!hull_detach_feed(&k, (const unsigned char *)"\x10\x11", 2, out, &n) && n == 2);
}

UNIT_MAIN()
