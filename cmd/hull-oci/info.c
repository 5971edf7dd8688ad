/* SPDX-License-Identifier: Apache-2.0 */
/* state, list, spec, features. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cmd/hull-oci/cli.h"
#include "lib/json.h"
#include "lib/util.h"
#include "runtime/annotations.h"
#include "runtime/caps.h"
#include "runtime/executor.h"
#include "runtime/seccomp/seccomp.h"
#include "runtime/spec/mount_opts.h"
#include "runtime/spec/spec.h"
#include "runtime/state.h"

static const struct option help_only[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};

int cmd_state(const struct oci_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_state *st;
	cleanup_free char *json = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "h", help_only, NULL)) != -1) {
		if (c == 'h') {
			printf("Usage: hull-oci state ID\n");
			return 0;
		}
		return usage_error(err, "state", "unknown option `%s`", argv[optind - 1]);
	}
	if (optind != argc - 1)
		return usage_error(err, "state", "expected one container ID");
	if (hull_state_load(g->root, argv[optind], &st, err) < 0)
		return -1;
	json = hull_state_to_json(st, true);
	printf("%s\n", json);
	hull_state_free(st);
	return 0;
}

static const char *owner_name(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);
	if (pw)
		return pw->pw_name;
	snprintf(buf, len, "#%u", uid);
	return buf;
}

static void print_table(struct hull_state **v, size_t n)
{
	size_t w_id = 2, w_bundle = 6, i;
	char ob[32];

	for (i = 0; i < n; i++) {
		if (strlen(v[i]->id) > w_id)
			w_id = strlen(v[i]->id);
		if (strlen(v[i]->bundle) > w_bundle)
			w_bundle = strlen(v[i]->bundle);
	}
	printf("%-*s   %-7s   %-10s   %-*s   %-30s   %s\n", (int)w_id, "ID", "PID", "STATUS",
	       (int)w_bundle, "BUNDLE", "CREATED", "OWNER");
	for (i = 0; i < n; i++)
		printf("%-*s   %-7d   %-10s   %-*s   %-30s   %s\n", (int)w_id, v[i]->id,
		       v[i]->status == HULL_STOPPED ? 0 : v[i]->pid, hull_status_name(v[i]->status),
		       (int)w_bundle, v[i]->bundle, v[i]->created,
		       owner_name(v[i]->owner, ob, sizeof(ob)));
}

int cmd_list(const struct oci_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *format = "table";
	struct hull_state **v;
	bool quiet = false;
	size_t n, i;
	int c;

	while ((c = getopt_long(argc, argv, "f:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			printf("Usage: hull-oci list [--format table|json] [--quiet]\n");
			return 0;
		default:
			return usage_error(err, "list", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (strcmp(format, "table") && strcmp(format, "json"))
		return usage_error(err, "list", "--format must be `table` or `json`, not `%s`",
				   format);
	if (optind != argc)
		return usage_error(err, "list", "unexpected argument `%s`", argv[optind]);
	/* no default root yet means no containers yet; a --root that is not there is an error,
	 * likely a mistyped one (runc's) */
	if (g->root_given && access(g->root, F_OK) < 0)
		return hull_error(err, errno, "list: state root `%s`", g->root);
	if (hull_state_list(g->root, &v, &n, err) < 0)
		return -1;
	if (quiet) {
		for (i = 0; i < n; i++)
			printf("%s\n", v[i]->id);
	} else if (!strcmp(format, "json")) {
		printf("[");
		for (i = 0; i < n; i++) {
			cleanup_free char *j = hull_state_to_json(v[i], false);
			printf("%s%s", i ? "," : "", j);
		}
		printf("]\n");
	} else {
		print_table(v, n);
	}
	hull_state_list_free(v, n);
	return 0;
}

int cmd_spec(const struct oci_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"bundle", required_argument, NULL, 'b'},
		{"rootless", no_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *bundle = ".";
	cleanup_free char *path = NULL, *json = NULL;
	struct hull_spec *spec;
	bool rootless = false;
	int c, fd;

	while ((c = getopt_long(argc, argv, "b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bundle = optarg;
			break;
		case 'r':
			rootless = true;
			break;
		case 'h':
			printf("Usage: hull-oci spec [--bundle DIR] [--rootless]\n");
			return 0;
		default:
			return usage_error(err, "spec", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error(err, "spec", "unexpected argument `%s`", argv[optind]);
	path = hull_strfmt("%s/config.json", bundle);
	spec = hull_spec_default_runc(rootless, err);
	if (!spec)
		return -1;
	json = hull_spec_write(spec, true);
	hull_spec_free(spec);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return hull_error(err, EEXIST, "spec: `%s` already exists; remove it first",
					  path);
		return hull_error(err, errno, "spec: create `%s`", path);
	}
	if (hull_write_all(fd, json, strlen(json)) < 0 || hull_write_all(fd, "\n", 1) < 0) {
		int e = errno;
		close(fd);
		return hull_error(err, e, "spec: write `%s`", path);
	}
	close(fd);
	return 0;
}

static void strings(yajl_gen g, const char *key, const char *const *v)
{
	hull_gen_str(g, key);
	yajl_gen_array_open(g);
	for (; *v; v++)
		hull_gen_str(g, *v);
	yajl_gen_array_close(g);
}

static void enabled(yajl_gen g, const char *key, bool on)
{
	hull_gen_str(g, key);
	yajl_gen_map_open(g);
	hull_gen_str(g, "enabled");
	yajl_gen_bool(g, on);
	yajl_gen_map_close(g);
}

int cmd_features(const struct oci_globals *gl, int argc, char **argv, struct hull_err *err)
{
	static const char *const hooks[] = {"prestart",
					    "createRuntime",
					    "createContainer",
					    "startContainer",
					    "poststart",
					    "poststop",
					    NULL};
	static const char *const ns[] = {"cgroup", "ipc",  "mount", "network", "pid",
					 "time",   "user", "uts",   NULL};
	yajl_gen g;
	const unsigned char *buf;
	size_t len;
	int c;

	while ((c = getopt_long(argc, argv, "+h", help_only, NULL)) != -1) {
		if (c == 'h') {
			printf("Usage: hull-oci features\n");
			return 0;
		}
		return usage_error(err, "features", "unknown option `%s`", argv[optind - 1]);
	}
	g = yajl_gen_alloc(NULL);
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "    ");
	yajl_gen_map_open(g);
	hull_gen_str(g, "ociVersionMin");
	hull_gen_str(g, "1.0.0");
	hull_gen_str(g, "ociVersionMax");
	hull_gen_str(g, "1.2.0");
	strings(g, "hooks", hooks);
	strings(g, "mountOptions", hull_mount_option_names);
	hull_gen_str(g, "linux");
	yajl_gen_map_open(g);
	strings(g, "namespaces", ns);
	{
		/* every capability the kernel has is applied as the spec lists it */
		char **caps = hull_caps_known();
		strings(g, "capabilities", (const char *const *)caps);
		hull_strv_free(caps);
	}
	hull_gen_str(g, "cgroup");
	yajl_gen_map_open(g);
	hull_gen_str(g, "v1");
	yajl_gen_bool(g, 1);
	hull_gen_str(g, "v2");
	yajl_gen_bool(g, 1);
	hull_gen_str(g, "systemd");
	yajl_gen_bool(g, 1);
	hull_gen_str(g, "systemdUser");
	yajl_gen_bool(g, 0);
	yajl_gen_map_close(g);
	hull_gen_str(g, "seccomp");
	yajl_gen_map_open(g);
	hull_gen_str(g, "enabled");
	yajl_gen_bool(g, 1);
	strings(g, "actions", hull_seccomp_action_names);
	strings(g, "operators", hull_seccomp_op_names);
	strings(g, "archs", hull_seccomp_arch_names);
	strings(g, "knownFlags", hull_seccomp_flag_names);
	strings(g, "supportedFlags", hull_seccomp_flag_names);
	yajl_gen_map_close(g);
	enabled(g, "apparmor", false);
	enabled(g, "selinux", false);
	enabled(g, "intelRdt", false);
	hull_gen_str(g, "mountExtensions");
	yajl_gen_map_open(g);
	enabled(g, "idmap", true);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	hull_gen_str(g, "annotations");
	yajl_gen_map_open(g);
	hull_gen_str(g, HULL_ANNOT_VERSION);
	hull_gen_str(g, HULL_VERSION);
	hull_gen_str(g, HULL_ANNOT_ISOLATION_LEVELS);
	{
		/* the levels main() composed, comma-separated */
		size_t n, off = 0;
		const struct hull_executor *const *lv = hull_executors(&n);
		char names[256] = "";
		for (size_t i = 0; i < n && off < sizeof(names); i++)
			off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s",
						i ? "," : "", lv[i]->name);
		hull_gen_str(g, names);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	fwrite(buf, 1, len, stdout);
	printf("\n");
	yajl_gen_free(g);
	(void)gl;
	return 0;
}
