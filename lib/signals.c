/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/signals.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/util.h"

static const struct {
	const char *name;
	int sig;
} names[] = {
	{"HUP", SIGHUP},       {"INT", SIGINT},	    {"QUIT", SIGQUIT}, {"ILL", SIGILL},
	{"TRAP", SIGTRAP},     {"ABRT", SIGABRT},   {"IOT", SIGIOT},   {"BUS", SIGBUS},
	{"FPE", SIGFPE},       {"KILL", SIGKILL},   {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
	{"USR2", SIGUSR2},     {"PIPE", SIGPIPE},   {"ALRM", SIGALRM}, {"TERM", SIGTERM},
	{"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},  {"CONT", SIGCONT},
	{"STOP", SIGSTOP},     {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
	{"URG", SIGURG},       {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
	{"PROF", SIGPROF},     {"WINCH", SIGWINCH}, {"IO", SIGIO},     {"POLL", SIGPOLL},
	{"PWR", SIGPWR},       {"SYS", SIGSYS},
};

static int parse_number(const char *s, int *out)
{
	char *end;
	long v;
	if (!*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > 64)
		return -1;
	*out = (int)v;
	return 0;
}

int hull_parse_signal(const char *s, struct hull_err *err)
{
	const char *p = s;
	size_t i;
	int n;

	if (!s || !*s)
		return hull_error(err, EINVAL, "empty signal");
	if (parse_number(s, &n) == 0) {
		if (n < 1 || n > SIGRTMAX)
			return hull_error(err, EINVAL, "unknown signal `%s`", s);
		return n;
	}
	if (!strncasecmp(p, "SIG", 3))
		p += 3;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcasecmp(p, names[i].name))
			return names[i].sig;
	if (!strncasecmp(p, "RTMIN", 5) || !strncasecmp(p, "RTMAX", 5)) {
		bool min = !strncasecmp(p, "RTMIN", 5);
		const char *rest = p + 5;
		int off = 0, sig;
		if (*rest == '+' || *rest == '-') {
			if ((*rest == '+') != min || parse_number(rest + 1, &off) < 0)
				return hull_error(err, EINVAL, "unknown signal `%s`", s);
		} else if (*rest) {
			return hull_error(err, EINVAL, "unknown signal `%s`", s);
		}
		sig = min ? SIGRTMIN + off : SIGRTMAX - off;
		if (sig < SIGRTMIN || sig > SIGRTMAX)
			return hull_error(err, EINVAL, "unknown signal `%s`", s);
		return sig;
	}
	return hull_error(err, EINVAL, "unknown signal `%s`", s);
}

const char *hull_signal_name(int sig)
{
	static const char *const full[] = {
		[SIGHUP] = "SIGHUP",	   [SIGINT] = "SIGINT",	      [SIGQUIT] = "SIGQUIT",
		[SIGILL] = "SIGILL",	   [SIGTRAP] = "SIGTRAP",     [SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS",	   [SIGFPE] = "SIGFPE",	      [SIGKILL] = "SIGKILL",
		[SIGUSR1] = "SIGUSR1",	   [SIGSEGV] = "SIGSEGV",     [SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE",	   [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM",
		[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD",     [SIGCONT] = "SIGCONT",
		[SIGSTOP] = "SIGSTOP",	   [SIGTSTP] = "SIGTSTP",     [SIGTTIN] = "SIGTTIN",
		[SIGTTOU] = "SIGTTOU",	   [SIGURG] = "SIGURG",	      [SIGXCPU] = "SIGXCPU",
		[SIGXFSZ] = "SIGXFSZ",	   [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
		[SIGWINCH] = "SIGWINCH",   [SIGIO] = "SIGIO",	      [SIGPWR] = "SIGPWR",
		[SIGSYS] = "SIGSYS",
	};
	if (sig > 0 && (size_t)sig < ARRAY_SIZE(full))
		return full[sig];
	return NULL;
}
