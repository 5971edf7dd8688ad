/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/restart_policy.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define ON_FAILURE "on-failure"

int hull_restart_policy_parse(const char *s, struct hull_restart_policy *p, struct hull_err *err)
{
	*p = (struct hull_restart_policy){HULL_RESTART_NO, 0};
	if (!s || !*s || !strcmp(s, "no"))
		return 0;
	if (!strcmp(s, "always")) {
		p->kind = HULL_RESTART_ALWAYS;
		return 0;
	}
	if (!strcmp(s, "unless-stopped")) {
		p->kind = HULL_RESTART_UNLESS_STOPPED;
		return 0;
	}
	if (!strncmp(s, ON_FAILURE, strlen(ON_FAILURE)) &&
	    (s[strlen(ON_FAILURE)] == '\0' || s[strlen(ON_FAILURE)] == ':')) {
		const char *n = s + strlen(ON_FAILURE);
		p->kind = HULL_RESTART_ON_FAILURE;
		if (*n == ':') {
			char *end;
			long v;
			errno = 0;
			v = strtol(n + 1, &end, 10);
			if (!n[1] || *end || errno || v < 0 || v > INT_MAX)
				return hull_error(err, EINVAL,
						  "invalid restart policy `%s`: the maximum retry "
						  "count must be a number of 0 or more",
						  s);
			p->max_retries = (int)v;
		}
		return 0;
	}
	/* docker takes a count only with on-failure */
	if (strchr(s, ':') && (!strncmp(s, "always:", 7) || !strncmp(s, "no:", 3) ||
			       !strncmp(s, "unless-stopped:", 15)))
		return hull_error(err, EINVAL,
				  "invalid restart policy `%s`: a maximum retry count goes only "
				  "with on-failure",
				  s);
	return hull_error(err, EINVAL,
			  "invalid restart policy `%s` (no, on-failure[:N], always or "
			  "unless-stopped)",
			  s);
}

bool hull_restart_wanted(const struct hull_restart_policy *p, int exit_code, int restarts,
			 bool stopped_by_user)
{
	if (stopped_by_user)
		return false;
	switch (p->kind) {
	case HULL_RESTART_NO:
		return false;
	case HULL_RESTART_ALWAYS:
	case HULL_RESTART_UNLESS_STOPPED:
		return true;
	case HULL_RESTART_ON_FAILURE:
		return exit_code != 0 && (p->max_retries == 0 || restarts < p->max_retries);
	}
	return false;
}

int hull_restart_delay_ms(int prev_ms, long ran_ms)
{
	if (ran_ms >= HULL_RESTART_RESET_AFTER_MS || prev_ms <= 0)
		return HULL_RESTART_FIRST_DELAY_MS;
	if (prev_ms >= HULL_RESTART_MAX_DELAY_MS / 2)
		return HULL_RESTART_MAX_DELAY_MS;
	return prev_ms * 2;
}
