/* /hull/config: a flat list of NUL-terminated strings, "TAG\0FIELD\0...": each tag has a fixed
 * number of fields (vm/README.md).  The host writes it; a malformed file is the host's bug, so
 * parsing is strict and fails whole. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm/guest/guest.h"

static const struct {
	const char *tag;
	int fields;
} tags[] = {
	{"arg", 1},	 {"env", 1},	  {"cwd", 1},	     {"user", 3},    {"gid", 1},
	{"rlimit", 3},	 {"hostname", 1}, {"domainname", 1}, {"root", 1},    {"mount", 5},
	{"terminal", 1}, {"nonce", 1},	  {"tty", 2},	     {"nic", 3},     {"addr", 2},
	{"route", 4},	 {"caps", 5},	  {"nonewprivs", 1}, {"seccomp", 2}, {"oom", 1},
	{"sysctl", 2},	 {"ropath", 1},	  {"mask", 1},
};

static char parse_why[128];

const char *guest_config_error(void)
{
	return parse_why[0] ? parse_why : "malformed";
}

/* tag: the record at fault, or NULL */
static int bad(const char *tag, const char *what)
{
	if (tag)
		snprintf(parse_why, sizeof(parse_why), "record `%.64s`: %s", tag, what);
	else
		snprintf(parse_why, sizeof(parse_why), "%s", what);
	errno = EINVAL;
	return -1;
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

static int read_all(const char *path, char **buf, size_t *size)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &sb) < 0)
		return -1;
	*buf = malloc((size_t)sb.st_size + 1);
	if (!*buf || read(fd, *buf, (size_t)sb.st_size) != sb.st_size) {
		close(fd);
		errno = EIO;
		return -1;
	}
	close(fd);
	(*buf)[sb.st_size] = 0;
	*size = (size_t)sb.st_size;
	return 0;
}

static int parse_into(char *buf, size_t size, struct guest_config *c, size_t *n_args,
		      size_t *n_env);

/* A process needs its args and cwd at least. */
static int complete(const struct guest_config *c)
{
	return c->args && c->cwd ? 0 : bad(NULL, "no `arg` or no `cwd` record");
}

int guest_config_load(const char *path, const char *net_path, struct guest_config *c)
{
	size_t n_args = 0, n_env = 0, size;
	char *buf;

	memset(c, 0, sizeof(*c));
	c->umask = -1;
	if (read_all(path, &buf, &size) < 0)
		return -1;
	if (parse_into(buf, size, c, &n_args, &n_env) < 0 || complete(c) < 0)
		goto bad;
	/* no NIC to hand over: the host wrote no such file */
	if (access(net_path, F_OK) == 0 &&
	    (read_all(net_path, &buf, &size) < 0 || parse_into(buf, size, c, &n_args, &n_env) < 0))
		goto bad;
	return 0;
bad:
	guest_config_free(c);
	errno = EINVAL;
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
	free(c->readonly_paths);
	free(c->masked_paths);
	if (c->seccomp)
		free(c->seccomp->insns);
	free(c->seccomp);
	memset(c, 0, sizeof(*c));
}

int guest_config_parse(char *buf, size_t size, struct guest_config *c)
{
	size_t n_args = 0, n_env = 0;

	memset(c, 0, sizeof(*c));
	c->umask = -1;
	if (parse_into(buf, size, c, &n_args, &n_env) < 0 || complete(c) < 0) {
		guest_config_free(c);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int parse_into(char *buf, size_t size, struct guest_config *c, size_t *n_args, size_t *n_env)
{
	size_t off = 0;

	parse_why[0] = 0;
	if (size && buf[size - 1])
		return bad(NULL, "a field without its NUL"); /* every field ends with its NUL */
	while (off < size) {
		char *f[5] = {0};
		const char *tag = buf + off;
		size_t t;
		int i, nf = -1;

		off += strlen(tag) + 1;
		for (t = 0; t < sizeof(tags) / sizeof(tags[0]); t++)
			if (!strcmp(tags[t].tag, tag))
				nf = tags[t].fields;
		if (nf < 0)
			return bad(tag, "unknown");
		for (i = 0; i < nf; i++) {
			if (off >= size)
				return bad(tag, "cut short");
			f[i] = buf + off;
			off += strlen(f[i]) + 1;
		}
		if (!strcmp(tag, "arg")) {
			push_str(&c->args, n_args, f[0]);
		} else if (!strcmp(tag, "env")) {
			push_str(&c->env, n_env, f[0]);
		} else if (!strcmp(tag, "cwd")) {
			c->cwd = f[0];
		} else if (!strcmp(tag, "user")) {
			c->uid = (uid_t)strtoul(f[0], NULL, 10);
			c->gid = (gid_t)strtoul(f[1], NULL, 10);
			c->umask = *f[2] ? (int)strtol(f[2], NULL, 8) : -1;
		} else if (!strcmp(tag, "gid")) {
			c->gids = realloc(c->gids, (c->n_gids + 1) * sizeof(*c->gids));
			c->gids[c->n_gids++] = (gid_t)strtoul(f[0], NULL, 10);
		} else if (!strcmp(tag, "rlimit")) {
			struct guest_rlimit *r;
			c->rlimits = realloc(c->rlimits, (c->n_rlimits + 1) * sizeof(*r));
			r = &c->rlimits[c->n_rlimits++];
			r->resource = atoi(f[0]);
			r->soft = strtoull(f[1], NULL, 10);
			r->hard = strtoull(f[2], NULL, 10);
		} else if (!strcmp(tag, "caps")) {
			for (i = 0; i < GUEST_CAP_SETS; i++)
				if (hex64(f[i], &c->caps[i]) < 0)
					return bad(tag, "a set is not a hex mask");
			c->has_caps = true;
		} else if (!strcmp(tag, "nonewprivs")) {
			c->no_new_privs = !strcmp(f[0], "1");
		} else if (!strcmp(tag, "seccomp")) {
			if (parse_seccomp(f[0], f[1], &c->seccomp) < 0)
				return bad(tag, "not flags and a BPF program in hex");
		} else if (!strcmp(tag, "oom")) {
			char *end;
			long v = strtol(f[0], &end, 10);
			if (!*f[0] || *end || v < -1000 || v > 1000)
				return bad(tag, "not a score from -1000 to 1000");
			c->has_oom_score_adj = true;
			c->oom_score_adj = (int)v;
		} else if (!strcmp(tag, "sysctl")) {
			struct guest_kv *kv = GROW(c->sysctls, c->n_sysctls);
			kv->key = f[0];
			kv->value = f[1];
		} else if (!strcmp(tag, "ropath")) {
			*GROW(c->readonly_paths, c->n_readonly_paths) = f[0];
		} else if (!strcmp(tag, "mask")) {
			*GROW(c->masked_paths, c->n_masked_paths) = f[0];
		} else if (!strcmp(tag, "hostname")) {
			c->hostname = f[0];
		} else if (!strcmp(tag, "domainname")) {
			c->domainname = f[0];
		} else if (!strcmp(tag, "terminal")) {
			c->terminal = !strcmp(f[0], "1");
		} else if (!strcmp(tag, "nonce")) {
			c->nonce = f[0];
		} else if (!strcmp(tag, "tty")) {
			c->tty = true;
			c->rows = (unsigned short)strtoul(f[0], NULL, 10);
			c->cols = (unsigned short)strtoul(f[1], NULL, 10);
		} else if (!strcmp(tag, "root")) {
			c->root_readonly = !strcmp(f[0], "ro");
		} else if (!strcmp(tag, "nic")) {
			struct guest_nic *n = GROW(c->nics, c->n_nics);
			n->mac = f[0];
			n->name = f[1];
			n->mtu = (unsigned int)strtoul(f[2], NULL, 10);
		} else if (!strcmp(tag, "addr")) {
			struct guest_addr *a = GROW(c->addrs, c->n_addrs);
			a->mac = f[0];
			a->cidr = f[1];
		} else if (!strcmp(tag, "route")) {
			struct guest_route *r = GROW(c->routes, c->n_routes);
			r->mac = f[0];
			r->dst = f[1];
			r->gw = f[2];
			r->metric = f[3];
		} else { /* mount */
			struct guest_mount *m;
			c->mounts = realloc(c->mounts, (c->n_mounts + 1) * sizeof(*m));
			m = &c->mounts[c->n_mounts++];
			m->dest = f[0];
			m->type = f[1];
			m->source = f[2];
			m->flags = strtoul(f[3], NULL, 10);
			m->data = *f[4] ? f[4] : NULL;
		}
	}
	return 0;
}
