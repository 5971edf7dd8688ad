/* hull: the Docker-style front end.  Commands parse their flags, call image/ (and later
 * runtime/), print, and return an exit status; errors come back in err and main() prints
 * them once, exiting 125 like docker does for its own failures. */
#ifndef HULL_CLI_H
#define HULL_CLI_H

#include <stdbool.h>

#include "image/store.h"
#include "runtime/err.h"

#define HULL_EXIT_ERROR 125

struct hull_globals {
	const char *root; /* storage root: images/ and containers/ under it */
	bool debug;
};

struct hull_command {
	const char *name;
	int (*fn)(const struct hull_globals *, int, char **, struct hull_err *);
	const char *summary; /* NULL hides an alias from the command list */
	const char *usage;   /* printed by --help, after "Usage: hull " */
};

int cmd_images(const struct hull_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_rmi(const struct hull_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_image_inspect(const struct hull_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_load(const struct hull_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_import(const struct hull_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_save(const struct hull_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_image(const struct hull_globals *g, int argc, char **argv, struct hull_err *err);

/* Run argv[0] as a top-level command (`hull image ls` runs `images`). */
int dispatch(const struct hull_globals *g, int argc, char **argv, struct hull_err *err);

/* "hull CMD: msg (see `hull CMD --help`)" */
int usage_error(struct hull_err *err, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Print the --help text of a command (looked up by name in main.c's table). */
void print_usage(const char *cmd);

/* Progress of load/import on standard error when it is a terminal; nothing otherwise. */
void progress_attach(struct hull_store *s);
void progress_done(void);

/* Human-readable figures as docker prints them ("4.26MB", "2 years ago"). */
void human_size(unsigned long long bytes, char *buf, size_t len);
void human_since(const char *rfc3339, char *buf, size_t len);

#endif
