/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hull-oci install CLIENT: register hull-oci (container level) and hull-oci-vm (vm level) with
 * the tools that drive OCI runtimes, as gVisor's `runsc install` does, instead of leaving the
 * user to edit their configuration by hand:
 *   docker      the "runtimes" of /etc/docker/daemon.json, merged into what is there;
 *   podman      a containers.conf drop-in, /etc/containers/containers.conf.d/hull.conf;
 *   containerd  the runc shim with BinaryName, as the CRI plugin's runtimes `hull` and
 *               `hull-vm`, appended to /etc/containerd/config.toml unless already there; the
 *               Kubernetes RuntimeClasses for them are printed;
 *   crio        a CRI-O drop-in, /etc/crio/crio.conf.d/99-hull.conf.
 * --dry-run prints the file as it would be written; --config FILE writes another file.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "cmd/hull-oci/cli.h"
#include "lib/json.h"
#include "lib/util.h"

#define RUNTIME_CONTAINER "hull"
#define RUNTIME_VM	  "hull-vm"
/* a line that marks what we appended to a file we do not own */
#define MARK "# hull-oci install: runtimes hull and hull-vm"

struct target {
	const char *client;
	const char *config; /* the default file */
	char *(*render)(const char *old, const char *bin, const char *vm_bin, struct hull_err *err);
};

/* docker: every key of daemon.json kept, runtimes.hull and runtimes.hull-vm set */
static char *render_docker(const char *old, const char *bin, const char *vm_bin,
			   struct hull_err *err)
{
	cleanup_yajl_val yajl_val root = NULL;
	yajl_val runtimes = NULL;
	yajl_gen g;
	char ebuf[256];
	char *out;

	if (old && *old) {
		root = yajl_tree_parse(old, ebuf, sizeof(ebuf));
		if (!root || !YAJL_IS_OBJECT(root)) {
			hull_error(err, EINVAL, "daemon.json is not a JSON object: %s",
				   root ? "" : ebuf);
			return NULL;
		}
		runtimes = sj_get(root, "runtimes");
	}
	g = yajl_gen_alloc(NULL);
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_map_open(g);
	for (size_t i = 0; root && i < root->u.object.len; i++) {
		if (!strcmp(root->u.object.keys[i], "runtimes"))
			continue;
		hull_gen_str(g, root->u.object.keys[i]);
		sj_gen(g, root->u.object.values[i]);
	}
	hull_gen_str(g, "runtimes");
	yajl_gen_map_open(g);
	for (size_t i = 0; runtimes && YAJL_IS_OBJECT(runtimes) && i < runtimes->u.object.len;
	     i++) {
		const char *k = runtimes->u.object.keys[i];
		if (!strcmp(k, RUNTIME_CONTAINER) || !strcmp(k, RUNTIME_VM))
			continue;
		hull_gen_str(g, k);
		sj_gen(g, runtimes->u.object.values[i]);
	}
	hull_gen_str(g, RUNTIME_CONTAINER);
	yajl_gen_map_open(g);
	hull_gen_str(g, "path"), hull_gen_str(g, bin);
	yajl_gen_map_close(g);
	hull_gen_str(g, RUNTIME_VM);
	yajl_gen_map_open(g);
	hull_gen_str(g, "path"), hull_gen_str(g, vm_bin);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	{
		const unsigned char *buf;
		size_t len;
		yajl_gen_get_buf(g, &buf, &len);
		out = xzalloc(len + 1);
		memcpy(out, buf, len);
	}
	yajl_gen_free(g);
	return out;
}

/* a drop-in of its own: the whole file is ours */
static char *render_podman(const char *old, const char *bin, const char *vm_bin,
			   struct hull_err *err)
{
	(void)old;
	(void)err;
	return hull_strfmt("%s\n[engine.runtimes]\n%s = [\"%s\"]\n%s = [\"%s\"]\n", MARK,
			   RUNTIME_CONTAINER, bin, RUNTIME_VM, vm_bin);
}

static char *render_crio(const char *old, const char *bin, const char *vm_bin, struct hull_err *err)
{
	(void)old;
	(void)err;
	return hull_strfmt("%s\n"
			   "[crio.runtime.runtimes.%s]\nruntime_path = \"%s\"\n"
			   "runtime_type = \"oci\"\nruntime_root = \"/run/hull\"\n\n"
			   "[crio.runtime.runtimes.%s]\nruntime_path = \"%s\"\n"
			   "runtime_type = \"oci\"\nruntime_root = \"/run/hull\"\n",
			   MARK, RUNTIME_CONTAINER, bin, RUNTIME_VM, vm_bin);
}

/* containerd's config.toml is the user's: our tables are appended once, after a marker line.
 * They are version 2's; pods' and containers' run.hull.* annotations are passed on (the VM's
 * sizing). */
static char *render_containerd(const char *old, const char *bin, const char *vm_bin,
			       struct hull_err *err)
{
	static const char *const table =
		"plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes";
	const char *base = old ? old : "";
	bool has_version = strstr(base, "version = 2") != NULL;

	if (strstr(base, MARK))
		return xstrdup(base);
	if (*base && !has_version) {
		hull_error(err, EINVAL,
			   "not containerd's version 2 format (no `version = 2`): convert it with "
			   "`containerd config migrate` first");
		return NULL;
	}
	if (strstr(base, ".containerd.runtimes." RUNTIME_CONTAINER "]") ||
	    strstr(base, ".containerd.runtimes." RUNTIME_VM "]")) {
		hull_error(err, EEXIST,
			   "config.toml already has a runtime named %s or %s: remove it first",
			   RUNTIME_CONTAINER, RUNTIME_VM);
		return NULL;
	}
#define RUNTIME_TABLE(name, path)                                                                  \
	"[%s." name "]\n  runtime_type = \"io.containerd.runc.v2\"\n"                              \
	"  pod_annotations = [\"run.hull.*\"]\n  container_annotations = [\"run.hull.*\"]\n"       \
	"[%s." name ".options]\n  BinaryName = \"%s\"\n"
	return hull_strfmt("%s%s%s%s\n" RUNTIME_TABLE(RUNTIME_CONTAINER,
						      bin) "\n" RUNTIME_TABLE(RUNTIME_VM, vm_bin),
			   has_version ? "" : "version = 2\n\n", base,
			   *base && base[strlen(base) - 1] != '\n' ? "\n\n"
			   : *base				   ? "\n"
								   : "",
			   MARK, table, table, bin, table, table, vm_bin);
#undef RUNTIME_TABLE
}

static const struct target targets[] = {
	{"docker", "/etc/docker/daemon.json", render_docker},
	{"podman", "/etc/containers/containers.conf.d/hull.conf", render_podman},
	{"containerd", "/etc/containerd/config.toml", render_containerd},
	{"crio", "/etc/crio/crio.conf.d/99-hull.conf", render_crio},
};

static const char runtime_classes[] =
	"# Kubernetes: one RuntimeClass per level (kubectl apply -f -)\n"
	"apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: hull\nhandler: hull\n"
	"---\n"
	"apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: hull-vm\n"
	"handler: hull-vm\n";

static void usage(void)
{
	printf("Usage: hull-oci install [--dry-run] [--config FILE] [--path BINARY] "
	       "docker|podman|containerd|crio\n\n"
	       "Register hull-oci (runtime `hull`) and hull-oci-vm (runtime `hull-vm`) with a "
	       "client's\nconfiguration; restart the client afterwards.\n\n"
	       "Options:\n"
	       "      --dry-run      print the file as it would be written, change nothing\n"
	       "      --config FILE  the client's configuration file to change\n"
	       "      --path BINARY  where hull-oci is (default: this binary)\n");
}

int cmd_install(const struct oci_globals *g, int argc, char **argv, struct hull_err *err)
{
	enum { DRY = 256, CONFIG, PATH_ };
	static const struct option opts[] = {
		{"dry-run", no_argument, NULL, DRY},
		{"config", required_argument, NULL, CONFIG},
		{"path", required_argument, NULL, PATH_},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const struct target *t = NULL;
	const char *config = NULL, *path = NULL;
	cleanup_free char *bin = NULL, *vm_bin = NULL, *old = NULL, *text = NULL, *dir = NULL;
	char real[PATH_MAX];
	bool dry = false;
	int c;

	(void)g;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case DRY:
			dry = true;
			break;
		case CONFIG:
			config = optarg;
			break;
		case PATH_:
			path = optarg;
			break;
		case 'h':
			usage();
			return 0;
		default:
			return usage_error(err, "install", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return usage_error(err, "install", "give one of docker, podman, containerd, crio");
	for (size_t i = 0; i < ARRAY_SIZE(targets); i++)
		if (!strcmp(targets[i].client, argv[optind]))
			t = &targets[i];
	if (!t)
		return usage_error(err, "install",
				   "unknown client `%.64s` (docker, podman, containerd, crio)",
				   argv[optind]);
	if (!path) {
		ssize_t n = readlink("/proc/self/exe", real, sizeof(real) - 1);
		if (n < 0)
			return hull_error(err, errno, "find hull-oci's own path");
		real[n] = '\0';
		path = real;
	}
	if (path[0] != '/')
		return usage_error(err, "install", "--path must be absolute, not `%s`", path);
	bin = xstrdup(path);
	dir = xstrdup(path);
	vm_bin = hull_strfmt("%s/hull-oci-vm", dirname(dir));
	if (!config)
		config = t->config;
	if (access(config, F_OK) == 0 && hull_read_file(config, &old, NULL, err) < 0)
		return -1;
	text = t->render(old, bin, vm_bin, err);
	if (!text)
		return hull_error_wrap(err, "%s", config);
	if (dry) {
		printf("%s%s", text, text[strlen(text) - 1] == '\n' ? "" : "\n");
	} else {
		cleanup_free char *parent = xstrdup(config);
		if (hull_mkdir_p(dirname(parent), 0755, err) < 0 ||
		    hull_write_file_atomic(config, text, strlen(text), 0644, err) < 0)
			return -1;
		printf("%s: runtimes %s (%s) and %s (%s); restart %s\n", config, RUNTIME_CONTAINER,
		       bin, RUNTIME_VM, vm_bin, t->client);
	}
	if (!strcmp(t->client, "containerd"))
		fputs(runtime_classes, dry ? stdout : stderr);
	return 0;
}
