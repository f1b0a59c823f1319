/* civic: runs civic-COMMAND, as git runs git-foo, from beside this
 * executable first, then from PATH. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civic.h"

static const char usage[] =
	"usage: civic command [argument ...]\n"
	"       civic --help | --version\n";

static const struct command {
	const char *name;
	const char *summary;
} commands[] = {
	{ "ingest", "turn raw registry and survey exports into one clean, typed stream" },
	{ "classify", "code free text and recode messy values with auditable rule books" },
	{ "tally", "counts, shares, cross-tabs and survey-correct estimates" },
	{ "filter", "keep the records for which a condition holds" },
	{ "report", "publishable tables and charts (text, Markdown, HTML, CSV, JSON)" },
	{ "monthly", "the monthly reporting job, for cron: a month's reports and tables" },
	{ "bulletin", "a bulletin of indicators from its definition: reports, tables, comparisons" },
};

static void help(void)
{
	fputs(usage, stdout);
	fputs("\ncommands:\n", stdout);
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'civic COMMAND --help' describes one; civic(7) the conventions they share.\n", stdout);
	exit(close_stdout() == 0 ? CIVIC_EXIT_OK : CIVIC_EXIT_DATA);
}

static void try_exec_beside_self(const char *program, char **argv)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash || (size_t)(slash - exe) + strlen(program) + 2 > sizeof(exe))
		return;
	strcpy(slash + 1, program);
	execv(exe, argv);
}

int main(int argc, char **argv)
{
	char program[256];

	civic_start(argc, argv);
	if (argc < 2)
		civic_usage_error("a command is required");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)
		help();
	if (strcmp(argv[1], "--version") == 0) {
		printf("civic %s\n", CIVIC_VERSION);
		return close_stdout() == 0 ? CIVIC_EXIT_OK : CIVIC_EXIT_DATA;
	}
	if (argv[1][0] == '-')
		civic_usage_error("unknown option '%s'", argv[1]);
	if (strchr(argv[1], '/') || snprintf(program, sizeof(program), "civic-%s", argv[1]) >= (int)sizeof(program))
		civic_usage_error("'%s' is not a civic command", argv[1]);
	argv[1] = program;
	try_exec_beside_self(program, argv + 1);
	execvp(program, argv + 1);
	if (errno == ENOENT)
		civic_usage_error("'%s' is not a civic command (see 'civic --help')", argv[1] + 6);
	civic_die(CIVIC_EXIT_DATA, "%s:", program);
}
