/* SPDX-License-Identifier: Apache-2.0 */
/* /hull/config, /hull/net and an exec's OPEN frame: records (vm/proto/records.h), read into a
 * struct guest_config.  The host writes them; a malformed file is the host's bug, so parsing
 * is strict and fails whole. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm/guest/guest.h"
#include "vm/proto/records.h"

/* A field the host wrote wrong: the record at fault. */
static int bad(const struct hull_rec *r, const char *what, struct hull_err *err)
{
	return hull_error(err, 0, "record `%s`: %s", r->tag, what);
}

/* A whole field of hex digits, nothing else (the parse is strict: the host wrote it). */
static int hex64(const char *s, unsigned long long *v)
{
	if (!*s || strspn(s, "0123456789abcdef") != strlen(s) || strlen(s) > 16)
		return -1;
	*v = strtoull(s, NULL, 16);
	return 0;
}

static int hexval(char ch)
{
	return ch <= '9' ? ch - '0' : ch - 'a' + 10;
}

/* "FLAGS" "HEX": the program the host's libseccomp compiled. */
static int parse_seccomp(const char *flags, const char *hex, struct guest_seccomp **out)
{
	size_t n = strlen(hex), i;
	struct guest_seccomp *f;
	unsigned char *p;
	char *end;
	unsigned long fl;

	fl = strtoul(flags, &end, 10);
	if (!*flags || *end || fl > 0xffffffffUL)
		return -1;
	/* a program of 1 to BPF_MAXINSNS (4096) instructions of 8 bytes */
	if (!n || n % 16 || n / 16 > 4096 || strspn(hex, "0123456789abcdef") != n)
		return -1;
	f = calloc(1, sizeof(*f));
	p = malloc(n / 2);
	if (!f || !p) {
		free(f);
		free(p);
		return -1;
	}
	for (i = 0; i < n / 2; i++)
		p[i] = (unsigned char)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
	f->insns = p;
	f->len = (unsigned short)(n / 16);
	f->flags = (unsigned int)fl;
	if (*out) /* a repeated record: the last one counts */
		free((*out)->insns);
	free(*out);
	*out = f;
	return 0;
}

static void push_str(char ***v, size_t *n, char *s)
{
	*v = realloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

#define GROW(v, n) ((v) = realloc((v), ((n) + 1) * sizeof(*(v))), &(v)[(n)++])

static int read_all(const char *path, char **buf, size_t *size, struct hull_err *err)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || fstat(fd, &sb) < 0) {
		hull_error(err, errno, "open `%s`", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*buf = malloc((size_t)sb.st_size + 1);
	if (!*buf) {
		close(fd);
		return hull_error(err, ENOMEM, "read `%s`", path);
	}
	n = read(fd, *buf, (size_t)sb.st_size);
	if (n != sb.st_size) {
		hull_error(err, n < 0 ? errno : EIO, "read `%s`", path);
		close(fd);
		free(*buf);
		*buf = NULL;
		return -1;
	}
	close(fd);
	(*buf)[sb.st_size] = 0;
	*size = (size_t)sb.st_size;
	return 0;
}

static int parse_into(char *buf, size_t size, struct guest_config *c, size_t *n_args, size_t *n_env,
		      struct hull_err *err);

/* A process needs its args and cwd at least. */
static int complete(const struct guest_config *c, struct hull_err *err)
{
	if ((c->args && c->cwd) || c->container) /* a container's process is in its config */
		return 0;
	return hull_error(err, 0, "no `%s` or no `%s` record", hull_rec_defs[HULL_REC_ARG].tag,
			  hull_rec_defs[HULL_REC_CWD].tag);
}

int guest_config_load(const char *path, const char *net_path, struct guest_config *c,
		      struct hull_err *err)
{
	size_t n_args = 0, n_env = 0, size;
	char *buf;

	memset(c, 0, sizeof(*c));
	c->umask = -1;
	if (read_all(path, &buf, &size, err) < 0)
		return -1;
	/* the strings of c point into buf: it lives as long as the init */
	if (parse_into(buf, size, c, &n_args, &n_env, err) < 0 || complete(c, err) < 0) {
		hull_error_wrap(err, "`%s`", path);
		goto bad;
	}
	/* no NIC to hand over: the host wrote no such file */
	if (access(net_path, F_OK) < 0)
		return 0;
	if (read_all(net_path, &buf, &size, err) < 0)
		goto bad;
	if (parse_into(buf, size, c, &n_args, &n_env, err) < 0) {
		hull_error_wrap(err, "`%s`", net_path);
		goto bad;
	}
	return 0;
bad:
	guest_config_free(c);
	return -1;
}

void guest_config_free(struct guest_config *c)
{
	free(c->args);
	free(c->env);
	free(c->gids);
	free(c->mounts);
	free(c->rlimits);
	free(c->nics);
	free(c->addrs);
	free(c->routes);
	free(c->sysctls);
	free(c->cgroups);
	free(c->readonly_paths);
	free(c->masked_paths);
	if (c->seccomp)
		free(c->seccomp->insns);
	free(c->seccomp);
	memset(c, 0, sizeof(*c));
}

int guest_config_parse(char *buf, size_t size, struct guest_config *c, struct hull_err *err)
{
	size_t n_args = 0, n_env = 0;

	memset(c, 0, sizeof(*c));
	c->umask = -1;
	if (parse_into(buf, size, c, &n_args, &n_env, err) < 0 || complete(c, err) < 0) {
		guest_config_free(c);
		return -1;
	}
	return 0;
}

/* One record into c. */
static int apply(struct guest_config *c, const struct hull_rec *r, size_t *n_args, size_t *n_env,
		 struct hull_err *err)
{
	char *const *f = r->f; /* into the buffer, kept by c */

	switch (r->kind) {
	case HULL_REC_ARG:
		push_str(&c->args, n_args, f[0]);
		break;
	case HULL_REC_ENV:
		push_str(&c->env, n_env, f[0]);
		break;
	case HULL_REC_CWD:
		c->cwd = f[0];
		break;
	case HULL_REC_USER:
		c->uid = (uid_t)strtoul(f[0], NULL, 10);
		c->gid = (gid_t)strtoul(f[1], NULL, 10);
		c->umask = *f[2] ? (int)strtol(f[2], NULL, 8) : -1;
		break;
	case HULL_REC_GID:
		*GROW(c->gids, c->n_gids) = (gid_t)strtoul(f[0], NULL, 10);
		break;
	case HULL_REC_RLIMIT: {
		struct guest_rlimit *rl = GROW(c->rlimits, c->n_rlimits);
		rl->resource = atoi(f[0]);
		rl->soft = strtoull(f[1], NULL, 10);
		rl->hard = strtoull(f[2], NULL, 10);
		break;
	}
	case HULL_REC_CAPS:
		for (int i = 0; i < GUEST_CAP_SETS; i++)
			if (hex64(f[i], &c->caps[i]) < 0)
				return bad(r, "a set is not a hex mask", err);
		c->has_caps = true;
		break;
	case HULL_REC_NONEWPRIVS:
		c->no_new_privs = !strcmp(f[0], HULL_REC_ON);
		break;
	case HULL_REC_SECCOMP:
		if (parse_seccomp(f[0], f[1], &c->seccomp) < 0)
			return bad(r, "not flags and a BPF program in hex", err);
		break;
	case HULL_REC_OOM: {
		char *end;
		long v = strtol(f[0], &end, 10);
		if (!*f[0] || *end || v < -1000 || v > 1000)
			return bad(r, "not a score from -1000 to 1000", err);
		c->has_oom_score_adj = true;
		c->oom_score_adj = (int)v;
		break;
	}
	case HULL_REC_SYSCTL: {
		struct guest_kv *kv = GROW(c->sysctls, c->n_sysctls);
		kv->key = f[0];
		kv->value = f[1];
		break;
	}
	case HULL_REC_CGROUP: {
		struct guest_kv *kv = GROW(c->cgroups, c->n_cgroups);
		kv->key = f[0];
		kv->value = f[1];
		break;
	}
	case HULL_REC_ROPATH:
		*GROW(c->readonly_paths, c->n_readonly_paths) = f[0];
		break;
	case HULL_REC_MASK:
		*GROW(c->masked_paths, c->n_masked_paths) = f[0];
		break;
	case HULL_REC_HOSTNAME:
		c->hostname = f[0];
		break;
	case HULL_REC_DOMAINNAME:
		c->domainname = f[0];
		break;
	case HULL_REC_TERMINAL:
		c->terminal = !strcmp(f[0], HULL_REC_ON);
		break;
	case HULL_REC_NONCE:
		c->nonce = f[0];
		break;
	case HULL_REC_POD: {
		char *end;
		unsigned long n = strtoul(f[0], &end, 10);
		if (!*f[0] || *end || !n || n > HULL_VM_EXEC_PORTS_MAX)
			return bad(r, "not a number of exec ports", err);
		c->pod_ports = (unsigned int)n;
		break;
	}
	case HULL_REC_HOLD:
		c->hold = !strcmp(f[0], HULL_REC_ON);
		break;
	case HULL_REC_CONTAINER:
		c->container = f[0];
		break;
	case HULL_REC_INTO:
		c->into = f[0];
		break;
	case HULL_REC_TTY:
		c->tty = true;
		c->rows = (unsigned short)strtoul(f[0], NULL, 10);
		c->cols = (unsigned short)strtoul(f[1], NULL, 10);
		break;
	case HULL_REC_ROOT:
		c->root_readonly = !strcmp(f[0], HULL_REC_ROOT_RO);
		break;
	case HULL_REC_NIC: {
		struct guest_nic *n = GROW(c->nics, c->n_nics);
		n->mac = f[0];
		n->name = f[1];
		n->mtu = (unsigned int)strtoul(f[2], NULL, 10);
		break;
	}
	case HULL_REC_ADDR: {
		struct guest_addr *a = GROW(c->addrs, c->n_addrs);
		a->mac = f[0];
		a->cidr = f[1];
		break;
	}
	case HULL_REC_ROUTE: {
		struct guest_route *rt = GROW(c->routes, c->n_routes);
		rt->mac = f[0];
		rt->dst = f[1];
		rt->gw = f[2];
		rt->metric = f[3];
		break;
	}
	case HULL_REC_MOUNT: {
		struct guest_mount *m = GROW(c->mounts, c->n_mounts);
		m->dest = f[0];
		m->type = f[1];
		m->source = f[2];
		m->flags = strtoul(f[3], NULL, 10);
		m->data = *f[4] ? f[4] : NULL;
		break;
	}
	case HULL_REC_KINDS:
		break;
	}
	return 0;
}

static int parse_into(char *buf, size_t size, struct guest_config *c, size_t *n_args, size_t *n_env,
		      struct hull_err *err)
{
	struct hull_rec r;
	size_t off = 0;
	int got;

	while ((got = hull_rec_next(buf, size, &off, &r, err)) > 0)
		if (apply(c, &r, n_args, n_env, err) < 0)
			return -1;
	return got;
}
