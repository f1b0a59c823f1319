#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "opts.h"
#include "output.h"
#include "xalloc.h"

static int close_stdout_or_fail(void)
{
	return close_stdout() == 0 ? CIVIC_EXIT_OK : CIVIC_EXIT_DATA;
}

/* A signal that ends the run takes the temporary output files with it,
 * then ends the process as it would have (the status shows the signal).
 * Only async-signal-safe calls in here. */
static void unlink_pending_and_reraise(int sig)
{
	output_unlink_pending();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The signals that end a run from outside: a terminal, kill or timeout(1),
 * a hang-up, and a file grown past ulimit -f.  One ignored when we start
 * (nohup, a background job) stays ignored. */
static void clean_up_on_fatal_signals(void)
{
	static const int fatal[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGALRM, SIGXFSZ };
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = unlink_pending_and_reraise;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		if (sigaction(fatal[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(fatal[i], &sa, NULL);
}

void civic_start(int argc, char **argv)
{
	(void)argc;
	civic_set_progname(argv[0]);
	/* | head must end us quietly, whatever the parent ignored. */
	signal(SIGPIPE, SIG_DFL);
	clean_up_on_fatal_signals();
	setlocale(LC_CTYPE, "");
}

void print_help(const char *usage)
{
	fputs(usage, stdout);
	exit(close_stdout_or_fail());
}

void bad_option(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", civic_progname());
	exit(CIVIC_EXIT_USAGE);
}

int common_option(struct common_opts *co, int c)
{
	switch (c) {
	case OPT_CSV:
		co->out_format = FMT_CSV;
		return 1;
	case OPT_JSON:
		co->out_format = FMT_NDJSON;
		return 1;
	case OPT_HELP:
		print_help(co->usage);
		return 1;
	case OPT_VERSION:
		printf("%s (civic) %s\n", civic_progname(), CIVIC_VERSION);
		exit(close_stdout_or_fail());
	}
	return 0;
}

int reject_option(struct reject_opts *ro, int c)
{
	switch (c) {
	case OPT_REJECTS:
		ro->file = optarg;
		return 1;
	case OPT_MAX_REJECTS:
		if (reject_limit_parse(&ro->limit, optarg) != 0)
			civic_usage_error("--max-rejects takes a count or a percentage: '%s'", optarg);
		return 1;
	}
	return 0;
}

/* "--rejects 'x.csv'", or "standard output". */
static void describe_output(char *buf, size_t size, const struct named_output *out)
{
	if (strcmp(out->path, "-") == 0)
		snprintf(buf, size, "standard output");
	else
		snprintf(buf, size, "%s '%s'", out->option, out->path);
}

void check_distinct_outputs(const struct named_output *out, size_t n)
{
	char a[PATH_MAX + 32], b[PATH_MAX + 32];

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			if (!out[i].path || !out[j].path || !output_same_file(out[i].path, out[j].path))
				continue;
			describe_output(a, sizeof(a), &out[i]);
			if (strcmp(out[i].path, out[j].path) == 0)
				civic_usage_error("%s and %s both name %s: one would replace the other",
					out[i].option, out[j].option, strchr(a, '\'') ? strchr(a, '\'') : a);
			describe_output(b, sizeof(b), &out[j]);
			civic_usage_error("%s and %s are the same file: one would replace the other", a, b);
		}
}

unsigned long opt_ulong(const char *name, const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-')
		civic_usage_error("invalid number for %s: '%s'", name, arg);
	return v;
}

