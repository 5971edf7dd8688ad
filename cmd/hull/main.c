/* hull: global options, command dispatch, and the one place errors are printed. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int cmd_version(const struct hull_globals *g, int argc, char **argv, struct hull_err *err);

static const struct hull_command commands[] = {
	{"images", cmd_images, "list images",
	 "images [OPTIONS] [REPOSITORY[:TAG]]\n\n"
	 "List images.\n\n"
	 "Options:\n"
	 "  -a, --all             show all images (hull has no intermediate images)\n"
	 "  -q, --quiet           only show image IDs\n"
	 "      --no-trunc        do not truncate image IDs\n"
	 "      --format FORMAT   `table` (default) or `json` (one object per line)\n"},
	{"load", cmd_load, "load images from a docker-archive, oci-archive or OCI layout",
	 "load [OPTIONS]\n\n"
	 "Load images from a tar archive (docker save or oci-archive, any compression) or an\n"
	 "OCI image layout directory; standard input by default.\n\n"
	 "Options:\n"
	 "  -i, --input PATH      read from PATH (a file or an OCI layout directory)\n"
	 "  -q, --quiet           no progress output\n"},
	{"import", cmd_import, "make an image from a root file system tarball",
	 "import [OPTIONS] FILE|- [REPOSITORY[:TAG]]\n\n"
	 "Make a one-layer image from a root file system tarball (any compression).\n\n"
	 "Options:\n"
	 "  -q, --quiet           no progress output\n"},
	{"save", cmd_save, "write images to a docker-archive or oci-archive",
	 "save [OPTIONS] IMAGE [IMAGE...]\n\n"
	 "Write images to a tar archive, standard output by default.\n\n"
	 "Options:\n"
	 "  -o, --output FILE     write to FILE\n"
	 "      --format FORMAT   docker-archive (default; also an OCI layout) or oci-archive\n"},
	{"rmi", cmd_rmi, "remove images",
	 "rmi [OPTIONS] IMAGE [IMAGE...]\n\n"
	 "Remove images (a name untags it; the image goes with its last name) and the layers\n"
	 "nothing uses any more.\n\n"
	 "Options:\n"
	 "  -f, --force           remove an image that has several names or is in use\n"},
	{"image", cmd_image, "manage images (image ls|rm|inspect|load|save|import)",
	 "image COMMAND\n\n"
	 "Commands:\n"
	 "  ls        list images (as `hull images`)\n"
	 "  rm        remove images (as `hull rmi`)\n"
	 "  inspect   print images as JSON\n"
	 "  load, save, import   as `hull load`, `hull save`, `hull import`\n"},
	{"inspect", cmd_image_inspect, "print images as JSON (image inspect)",
	 "image inspect IMAGE [IMAGE...]\n\nPrint what hull knows about images, as a JSON "
	 "array.\n"},
	{"version", cmd_version, "print the version", "version\n\nPrint hull's version.\n"},
};

int usage_error(struct hull_err *err, const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hull_error(err, EINVAL, "%s: %s (see `hull %s --help`)", cmd, msg, cmd);
}

void print_usage(const char *cmd)
{
	size_t i;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, cmd))
			printf("Usage: hull %s", commands[i].usage);
}

static void usage(FILE *f)
{
	size_t i;
	fprintf(f, "Usage: hull [OPTIONS] COMMAND [ARGS]\n\n"
		   "hull's daemonless, Docker-style command line.\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].summary)
			fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\nOptions:\n"
		"  --root DIR     storage root (default $HULL_IMAGE_ROOT or %s)\n"
		"  --debug        more detail in errors\n"
		"  -v, --version  print the version\n"
		"  -h, --help     print this help\n\n"
		"`hull COMMAND --help` shows a command's options; see hull(1).\n",
		HULL_IMAGE_DEFAULT_ROOT);
}

static int cmd_version(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	if (argc > 1 && strcmp(argv[1], "--help") && strcmp(argv[1], "-h"))
		return usage_error(err, "version", "unexpected argument `%s`", argv[1]);
	if (argc > 1) {
		print_usage("version");
		return 0;
	}
	printf("hull version %s\ncommit: %s\nstorage root: %s\n", HULL_VERSION, HULL_COMMIT,
	       g->root);
	return 0;
}

int dispatch(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	size_t i;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		optind = 0; /* each command parses its own options from a fresh getopt */
		return commands[i].fn(g, argc, argv, err);
	}
	return hull_error(err, EINVAL, "unknown command `%s` (see `hull --help`)", argv[0]);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'},
		{"debug", no_argument, NULL, 'd'},
		{"version", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_globals g = {.root = HULL_IMAGE_DEFAULT_ROOT};
	struct hull_err err = {0};
	int c, rc;

	/* HULL_ROOT is hull-oci's state root; the storage root has its own variable */
	if (getenv("HULL_IMAGE_ROOT") && *getenv("HULL_IMAGE_ROOT"))
		g.root = getenv("HULL_IMAGE_ROOT");
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			g.root = optarg;
			break;
		case 'd':
			g.debug = true;
			break;
		case 'v':
			printf("hull version %s, commit %s\n", HULL_VERSION, HULL_COMMIT);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "hull: unknown option `%s` (see `hull --help`)\n",
				argv[optind - 1]);
			return HULL_EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return HULL_EXIT_ERROR;
	}
	if (!strcmp(argv[optind], "help")) {
		usage(stdout);
		return 0;
	}
	rc = dispatch(&g, argc - optind, argv + optind, &err);
	if (rc < 0) {
		fprintf(stderr, "hull: %s\n", err.msg);
		return HULL_EXIT_ERROR;
	}
	return rc;
}
