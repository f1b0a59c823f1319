/* Options every command shares, and the helpers behind --help/--version.
 *
 * Each command lists COMMON_LONG_OPTIONS in its getopt_long table and hands
 * unknown option codes to common_option() before failing with usage. */
#ifndef CIVIC_OPTS_H
#define CIVIC_OPTS_H

#include <getopt.h>
#include "format.h"
#include "rejects.h"

enum {
	OPT_CSV = 0x1000,
	OPT_JSON,
	OPT_VERSION,
	OPT_HELP,
	OPT_REJECTS,
	OPT_MAX_REJECTS,
	OPT_COMMON_END = 0x1100        /* commands number their own long options from here */
};

#define COMMON_LONG_OPTIONS \
	{ "csv", no_argument, NULL, OPT_CSV }, \
	{ "json", no_argument, NULL, OPT_JSON }, \
	{ "help", no_argument, NULL, OPT_HELP }, \
	{ "version", no_argument, NULL, OPT_VERSION }

/* --rejects FILE and --max-rejects N[%], for every command that rejects. */
#define REJECT_LONG_OPTIONS \
	{ "rejects", required_argument, NULL, OPT_REJECTS }, \
	{ "max-rejects", required_argument, NULL, OPT_MAX_REJECTS }

struct reject_opts {
	const char *file;              /* NULL: report on standard error only */
	struct reject_limit limit;     /* default 0: any reject fails the run */
};

/* Handles OPT_REJECTS and OPT_MAX_REJECTS (from optarg; a bad limit exits 2).
 * Returns 1 when c was one of them. */
int reject_option(struct reject_opts *ro, int c);

struct common_opts {
	enum format out_format;        /* FMT_AUTO: the input's */
	const char *usage;             /* the command's usage text, as in its man page SYNOPSIS */
};

/* Handles OPT_CSV/OPT_JSON/OPT_HELP/OPT_VERSION (the last two exit 0).
 * Returns 1 when c was one of them, 0 otherwise. */
int common_option(struct common_opts *co, int c);

/* Prints usage to stdout and exits 0. */
void print_help(const char *usage);
/* For getopt's '?' and ':' cases: exits 2 with the hint line. */
void bad_option(void);

/* An output a command writes, for check_distinct_outputs(). */
struct named_output {
	const char *option;            /* "-o", "--rejects", ... */
	const char *path;              /* NULL: the option was not given; "-": standard output */
};
/* Exits 2 when two of the n outputs would write the same file
 * (output_same_file()): one would replace the other. */
void check_distinct_outputs(const struct named_output *out, size_t n);

/* Parses a whole non-negative number for option name; exits 2 when bad. */
unsigned long opt_ulong(const char *name, const char *arg);

/* One-time start-up every main() calls first: program name, SIGPIPE
 * default, LC_CTYPE from the environment (LC_NUMERIC stays "C"). */
void civic_start(int argc, char **argv);

#endif
