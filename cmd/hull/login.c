/* SPDX-License-Identifier: Apache-2.0 */
/* hull login and hull logout: credentials checked against the registry, then stored
 * (image/creds.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd/hull/regcli.h"
#include "image/creds.h"
#include "image/registry.h"
#include "lib/util.h"

/* The longest user name or password read from a terminal or standard input. */
#define SECRET_MAX 4096

/* "https://h:5000/v2/" -> "h:5000"; Docker Hub's names -> the host that serves it. */
static char *registry_host(const char *arg)
{
	cleanup_free char *key = hull_creds_key(arg);
	return xstrdup(!strcmp(key, "docker.io") ? "registry-1.docker.io" : key);
}

/* One line from fd, without its newline. */
static char *read_line(int fd)
{
	char *buf = xzalloc(SECRET_MAX + 1);
	size_t n = 0;
	char c;

	while (n < SECRET_MAX) {
		ssize_t k = read(fd, &c, 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0 || c == '\n')
			break;
		buf[n++] = c;
	}
	if (n && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return buf;
}

/* Ask on the terminal, without echo for a password. */
static char *prompt(const char *what, bool secret)
{
	struct termios old, quiet;
	bool off = false;
	char *v;

	fprintf(stderr, "%s: ", what);
	fflush(stderr);
	if (secret && tcgetattr(STDIN_FILENO, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
	}
	v = read_line(STDIN_FILENO);
	if (off) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	return v;
}

static void login_usage(void)
{
	printf("Usage: hull login [OPTIONS] REGISTRY\n\n"
	       "Log in to a registry: the user name and password are checked against its /v2/\n"
	       "(basic or token flow) and then stored, as docker's config.json stores them, in\n"
	       "~/.config/hull/auth.json (mode 0600). pull, push and run use them.\n\n"
	       "Options:\n"
	       "  -u, --username USER      the user name (asked on a terminal if missing)\n"
	       "  -p, --password PASS      the password (seen by other users in ps: prefer\n"
	       "                           --password-stdin)\n"
	       "      --password-stdin     read the password from standard input\n"
	       "      --authfile FILE      store in FILE (also REGISTRY_AUTH_FILE)\n"
	       "      --tls-verify=false   plain HTTP and no certificate checks\n");
}

int cmd_login(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	enum { PSTDIN = 256, AUTHFILE, TLS, HELP };
	static const struct option opts[] = {
		{"username", required_argument, NULL, 'u'},
		{"password", required_argument, NULL, 'p'},
		{"password-stdin", no_argument, NULL, PSTDIN},
		{"authfile", required_argument, NULL, AUTHFILE},
		{"tls-verify", required_argument, NULL, TLS},
		{"help", no_argument, NULL, HELP},
		{NULL, 0, NULL, 0},
	};
	cleanup_free char *user = NULL, *pass = NULL, *host = NULL, *file = NULL;
	const char *authfile = NULL;
	bool from_stdin = false;
	struct hull_registry_opts ro = {0};
	struct hull_image_ref ref = {0};
	struct hull_registry *r;
	int o, rc;

	(void)g;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "u:p:", opts, NULL)) != -1) {
		switch (o) {
		case 'u':
			free(user);
			user = xstrdup(optarg);
			break;
		case 'p':
			free(pass);
			pass = xstrdup(optarg);
			break;
		case PSTDIN:
			from_stdin = true;
			break;
		case AUTHFILE:
			authfile = optarg;
			break;
		case TLS:
			if (parse_tls_verify("login", optarg, &ro.insecure, err) < 0)
				return -1;
			break;
		case HELP:
			login_usage();
			return 0;
		default:
			return usage_error(err, "login", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return usage_error(err, "login", "requires exactly 1 argument (REGISTRY)");
	if (pass && from_stdin)
		return usage_error(err, "login", "--password and --password-stdin are exclusive");
	if (from_stdin && !user)
		return usage_error(err, "login", "--password-stdin needs --username");
	if (pass)
		fprintf(stderr, "WARNING! Using --password via the CLI is insecure. Use "
				"--password-stdin.\n");
	if (!user && isatty(STDIN_FILENO))
		user = prompt("Username", false);
	if (!user || !*user)
		return hull_error(err, EINVAL, "login: no user name (-u USER)");
	if (from_stdin)
		pass = read_line(STDIN_FILENO);
	else if (!pass && isatty(STDIN_FILENO))
		pass = prompt("Password", true);
	if (!pass || !*pass)
		return hull_error(err, EINVAL,
				  "login: no password (-p PASS, --password-stdin, or a terminal)");
	host = registry_host(argv[optind]);
	ref.host = host;
	ro.username = user;
	ro.password = pass;
	r = hull_registry_open(&ref, &ro, err);
	if (!r)
		return -1;
	rc = hull_registry_ping(r, err);
	hull_registry_close(r);
	if (rc < 0)
		return hull_error_wrap(err, "login to %s", host);
	file = hull_creds_file(authfile);
	rc = hull_creds_store(file, argv[optind], user, pass, err);
	explicit_bzero(pass, strlen(pass));
	if (rc < 0)
		return -1;
	printf("Login Succeeded\n");
	return 0;
}

int cmd_logout(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	enum { AUTHFILE = 256, ALL, HELP };
	static const struct option opts[] = {
		{"authfile", required_argument, NULL, AUTHFILE},
		{"all", no_argument, NULL, ALL},
		{"help", no_argument, NULL, HELP},
		{NULL, 0, NULL, 0},
	};
	const char *authfile = NULL, *reg;
	cleanup_free char *file = NULL, *key = NULL;
	bool all = false, had = false;
	int o;

	(void)g;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "a", opts, NULL)) != -1) {
		switch (o) {
		case AUTHFILE:
			authfile = optarg;
			break;
		case 'a':
		case ALL:
			all = true;
			break;
		case HELP:
			printf("Usage: hull logout [OPTIONS] [REGISTRY]\n\n"
			       "Forget the stored login for REGISTRY (default: Docker Hub).\n\n"
			       "Options:\n"
			       "  -a, --all            forget every login of the file\n"
			       "      --authfile FILE  the file (also REGISTRY_AUTH_FILE)\n");
			return 0;
		default:
			return usage_error(err, "logout", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (argc - optind > 1 || (all && argc > optind))
		return usage_error(err, "logout", "takes one REGISTRY, or --all alone");
	reg = all ? NULL : optind < argc ? argv[optind] : "docker.io";
	file = hull_creds_file(authfile);
	if (hull_creds_erase(file, reg, &had, err) < 0)
		return -1;
	key = reg ? hull_creds_key(reg) : NULL;
	if (all)
		printf("Removed login credentials for all registries\n");
	else if (had)
		printf("Removing login credentials for %s\n", key);
	else
		printf("Not logged in to %s\n", key);
	return 0;
}
