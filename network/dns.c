/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The containers of a user network find each other by name through aardvark-dns, the
 * resolver podman uses (Debian ships it with netavark): an authoritative server for the
 * names in its configuration directory that forwards every other query to the host's
 * resolvers (/etc/resolv.conf).  One server per runtime root serves every network, on each
 * network's gateway address, port 53; it daemonizes, writes aardvark.pid in its directory,
 * rereads the directory on SIGHUP and exits when no network file is left, so it runs from a
 * network's first container to the last one's clean-up.
 *
 * The directory holds a file per network named after it: the first line the addresses to
 * listen on (the gateway), then a line per container: "ID IPV4 IPV6 NAME,ALIAS...".  Every
 * change is made under <dir>.lock, written atomically, then signalled.
 */
#include "network/dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "network/ipv4.h"

#define PID_FILE "aardvark.pid"
#define DNS_PORT "53"
#define DNS_ENV	 "HULL_AARDVARK_DNS"
#define READY_MS 3000 /* the time a started or reloaded server gets to bind */
#define EXIT_MS	 1000 /* ...and to go when its last network has */
#define POLL_US	 5000

const char *hull_dns_server(void)
{
	static const char *const paths[] = {"/usr/lib/podman/aardvark-dns",
					    "/usr/libexec/podman/aardvark-dns"};
	const char *env = getenv(DNS_ENV);

	if (env && *env)
		return access(env, X_OK) == 0 ? env : NULL;
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

static int lock_dir(const char *dir, struct hull_err *err)
{
	cleanup_free char *path = hull_strfmt("%s.lock", dir);

	return hull_lock_path(path, err);
}

/* the server's pid, when that process is alive and is the server */
int hull_dns_pid(const char *dir)
{
	cleanup_free char *path = hull_strfmt("%s/%s", dir, PID_FILE), *text = NULL;
	cleanup_free char *comm_path = NULL, *comm = NULL;
	long pid;

	if (hull_read_file(path, &text, NULL, NULL) < 0)
		return 0;
	pid = strtol(text, NULL, 10);
	if (pid <= 1)
		return 0;
	comm_path = hull_strfmt("/proc/%ld/comm", pid);
	/* a pid reused by another process after the server died is not ours to signal */
	if (hull_read_file(comm_path, &comm, NULL, NULL) < 0 || !hull_has_prefix(comm, "aardvark"))
		return 0;
	return (int)pid;
}

/* Whether something listens on UDP ip:53 in this network namespace (/proc/net/udp lists
 * "HEXADDR:HEXPORT" in the kernel's byte order). */
static bool listening(const char *ip)
{
	cleanup_file FILE *f = fopen("/proc/net/udp", "re");
	struct in_addr a;
	char want[32], line[512];

	if (!f || inet_pton(AF_INET, ip, &a) != 1)
		return false;
	snprintf(want, sizeof(want), " %08X:0035 ", a.s_addr);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, want))
			return true;
	return false;
}

static void sleep_us(long us)
{
	struct timespec ts = {0, us * 1000};
	nanosleep(&ts, NULL);
}

static int start_server(const char *dir, struct hull_err *err)
{
	const char *bin = hull_dns_server();
	char *env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	int status;
	pid_t pid;

	if (!bin)
		return hull_error(err, ENOENT, "aardvark-dns is not installed");
	pid = fork();
	if (pid < 0)
		return hull_error(err, errno, "fork %s", bin);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		/* it daemonizes (a new session, its own pid file): nothing of hull's is kept */
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execve(bin,
		       (char *[]){(char *)bin, "--config", (char *)dir, "-p", DNS_PORT, "run",
				  NULL},
		       env);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return hull_error(err, EIO, "%s --config %s run failed (status %d)", bin, dir,
				  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

/* The network's file without the container's line (and with it, when line is not NULL). */
static int rewrite(const char *dir, const char *network, const char *header, const char *id,
		   const char *line, bool *empty, struct hull_err *err)
{
	cleanup_free char *path = hull_strfmt("%s/%s", dir, network), *text = NULL;
	cleanup_free char *out = NULL;
	size_t idlen = strlen(id), n = 0;
	char *save = NULL, *l;

	if (hull_read_file(path, &text, NULL, NULL) < 0)
		text = NULL;
	out = xstrdup(header ? header : "");
	for (l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		char *next;
		if (n++ == 0) { /* the listen line */
			if (!header) {
				free(out);
				out = hull_strfmt("%s\n", l);
			}
			continue;
		}
		if (!strncmp(l, id, idlen) && l[idlen] == ' ')
			continue;
		next = hull_strfmt("%s%s\n", out, l);
		free(out);
		out = next;
	}
	if (line) {
		char *next = hull_strfmt("%s%s\n", out, line);
		free(out);
		out = next;
	}
	*empty = !strchr(out, '\n') || !strchr(out, '\n')[1];
	if (*empty) {
		if (unlink(path) < 0 && errno != ENOENT)
			return hull_error(err, errno, "remove %s", path);
		return 0;
	}
	return hull_write_file_atomic(path, out, strlen(out), 0644, err);
}

int hull_dns_add(const char *dir, const struct hull_network *net, const char *id, const char *ip,
		 char *const *names, struct hull_err *err)
{
	cleanup_free char *header = NULL, *line = NULL, *list = xstrdup("");
	cleanup_close int lock = -1;
	bool empty;
	int pid;

	if (hull_mkdir_p(dir, 0700, err) < 0)
		return -1;
	lock = lock_dir(dir, err);
	if (lock < 0)
		return -1;
	for (char *const *s = names; s && *s; s++) {
		char *next;
		/* a name has no white space or comma: they separate the file's fields */
		if (!**s || strpbrk(*s, " \t\n,"))
			continue;
		next = hull_strfmt("%s%s%s", list, *list ? "," : "", *s);
		free(list);
		list = next;
	}
	header = hull_strfmt("%s\n", net->gateway);
	line = hull_strfmt("%s %s  %s", id, ip, list);
	if (rewrite(dir, net->name, header, id, line, &empty, err) < 0)
		return hull_error_wrap(err, "the DNS entry of %.12s", id);
	pid = hull_dns_pid(dir);
	if (pid > 0)
		kill(pid, SIGHUP);
	else if (start_server(dir, err) < 0)
		goto undo;
	/* the server binds each new network's address after its (re)load */
	for (int waited = 0; !listening(net->gateway); waited += POLL_US / 1000) {
		if (waited >= READY_MS) {
			hull_error(err, ETIMEDOUT, "aardvark-dns does not answer on %s:%s",
				   net->gateway, DNS_PORT);
			goto undo;
		}
		sleep_us(POLL_US);
	}
	return 0;
undo:
	rewrite(dir, net->name, NULL, id, NULL, &empty, NULL);
	if ((pid = hull_dns_pid(dir)) > 0)
		kill(pid, SIGHUP);
	return hull_error_wrap(err, "the DNS server of network %s", net->name);
}

/* whether a file of a network is left in dir */
static bool any_network(const char *dir)
{
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && strcmp(de->d_name, PID_FILE) &&
		    !strstr(de->d_name, ".tmp."))
			return true;
	return false;
}

int hull_dns_remove(const char *dir, const char *network, const char *id, struct hull_err *err)
{
	cleanup_free char *path = hull_strfmt("%s/%s", dir, network);
	cleanup_close int lock = -1;
	struct stat st;
	bool empty;
	int pid;

	if (stat(path, &st) < 0)
		return 0;
	lock = lock_dir(dir, err);
	if (lock < 0)
		return -1;
	if (rewrite(dir, network, NULL, id, NULL, &empty, err) < 0)
		return hull_error_wrap(err, "the DNS entry of %.12s", id);
	pid = hull_dns_pid(dir);
	if (pid <= 0)
		return 0;
	kill(pid, SIGHUP);
	if (any_network(dir))
		return 0;
	/* the last network is gone: the server exits on its reload; make sure it did */
	for (int waited = 0; kill(pid, 0) == 0 && hull_dns_pid(dir) == pid; waited += 5) {
		if (waited >= EXIT_MS) {
			kill(pid, SIGKILL);
			break;
		}
		sleep_us(POLL_US);
	}
	return 0;
}
