/* SPDX-License-Identifier: Apache-2.0 */
/* hull load, import, save. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/hull/cli.h"
#include "image/gc.h"
#include "image/load.h"
#include "image/save.h"
#include "lib/util.h"

/* Blobs a load stored that no image ended up using (an archive may carry extras, a failed
 * load leaves its blobs): collected when no other hull is at work on the store. */
static void tidy(struct hull_store *s)
{
	if (hull_store_try_exclusive(s, NULL) == 1)
		hull_store_gc(s, NULL);
}

int cmd_load(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"input", required_argument, NULL, 'i'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *input = "-";
	struct hull_loaded out;
	struct hull_store s;
	bool quiet = false;
	size_t i, j;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+i:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			input = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			print_usage("load");
			return 0;
		default:
			return usage_error(err, "load", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(err, "load", "unexpected argument `%s`", argv[optind]);
	if (!strcmp(input, "-") && isatty(STDIN_FILENO))
		return usage_error(err, "load", "requested load from stdin, but stdin is empty");
	if (hull_store_open(&s, g->root, false, err) < 0)
		return -1;
	if (!quiet)
		progress_attach(&s);
	rc = hull_image_load(&s, input, &out, err);
	progress_done();
	tidy(&s);
	hull_store_close(&s);
	if (rc < 0)
		return hull_error_wrap(err, "load");
	for (i = 0; i < out.n; i++) {
		for (j = 0; out.v[i].names[j]; j++)
			printf("Loaded image: %s\n", out.v[i].names[j]);
		if (!out.v[i].names[0])
			printf("Loaded image ID: %s\n", out.v[i].config);
	}
	hull_loaded_free(&out);
	return 0;
}

int cmd_import(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_image img;
	struct hull_store s;
	bool quiet = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+qh", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case 'h':
			print_usage("import");
			return 0;
		default:
			return usage_error(err, "import", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return usage_error(err, "import", "requires FILE and optionally a name");
	if (hull_store_open(&s, g->root, false, err) < 0)
		return -1;
	if (!quiet)
		progress_attach(&s);
	rc = hull_image_import(&s, argv[optind], argc - optind > 1 ? argv[optind + 1] : NULL, &img,
			       err);
	progress_done();
	tidy(&s);
	hull_store_close(&s);
	if (rc < 0)
		return -1;
	printf("%s\n", img.config);
	hull_image_free(&img);
	return 0;
}

int cmd_save(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum hull_save_format fmt = HULL_SAVE_DOCKER;
	cleanup_free char *tmp = NULL;
	const char *output = NULL;
	struct hull_store s;
	int c, fd = STDOUT_FILENO, rc;

	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "oci-archive"))
				fmt = HULL_SAVE_OCI;
			else if (strcmp(optarg, "docker-archive"))
				return usage_error(err, "save",
						   "unknown format `%s` (docker-archive or "
						   "oci-archive)",
						   optarg);
			break;
		case 'h':
			print_usage("save");
			return 0;
		default:
			return usage_error(err, "save", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(err, "save", "requires at least one IMAGE");
	if (!output && isatty(STDOUT_FILENO))
		return usage_error(err, "save",
				   "refusing to write an archive to a terminal: use -o FILE or "
				   "redirect the output");
	if (hull_store_open(&s, g->root, false, err) < 0)
		return -1;
	if (output) {
		/* a whole archive or none: written aside, renamed when complete */
		tmp = hull_strfmt("%s.tmp.%d", output, getpid());
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			hull_store_close(&s);
			return hull_error(err, errno, "save: create `%s`", tmp);
		}
	}
	rc = hull_image_save(&s, argv + optind, fd, fmt, err);
	hull_store_close(&s);
	if (output) {
		if (rc == 0 && fsync(fd) < 0)
			rc = hull_error(err, errno, "write `%s`", tmp);
		close(fd);
		if (rc == 0 && rename(tmp, output) < 0)
			rc = hull_error(err, errno, "rename `%s` to `%s`", tmp, output);
		if (rc < 0)
			unlink(tmp);
	}
	return rc < 0 ? hull_error_wrap(err, "save") : 0;
}
