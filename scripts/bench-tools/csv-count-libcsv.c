/* csv-count-libcsv: the raw parse limit.  Parses CSV with libcsv and does
 * nothing but count fields and records, so scripts/bench can show what any
 * libcsv-based reader costs before it does any work.
 *
 *   csv-count-libcsv [-d DELIM] [FILE]      prints "RECORDS FIELDS"
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct counts {
	unsigned long long records;
	unsigned long long fields;
};

static void on_field(void *data, size_t len, void *ctx)
{
	(void)data;
	(void)len;
	((struct counts *)ctx)->fields++;
}

static void on_record(int term, void *ctx)
{
	(void)term;
	((struct counts *)ctx)->records++;
}

static int count_stream(FILE *in, unsigned char delim, struct counts *c)
{
	static char buf[1 << 16];
	struct csv_parser p;
	size_t n;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return -1;
	csv_set_delim(&p, delim);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
		if (csv_parse(&p, buf, n, on_field, on_record, c) != n) {
			fprintf(stderr, "csv-count-libcsv: %s\n", csv_strerror(csv_error(&p)));
			csv_free(&p);
			return -1;
		}
	}
	if (ferror(in) || csv_fini(&p, on_field, on_record, c) != 0) {
		csv_free(&p);
		return -1;
	}
	csv_free(&p);
	return 0;
}

int main(int argc, char **argv)
{
	struct counts c = {0, 0};
	unsigned char delim = ',';
	FILE *in = stdin;
	int ch;

	while ((ch = getopt(argc, argv, "d:")) != -1) {
		if (ch == 'd' && strlen(optarg) == 1) {
			delim = (unsigned char)optarg[0];
		} else {
			fputs("usage: csv-count-libcsv [-d DELIM] [FILE]\n", stderr);
			return 2;
		}
	}
	if (optind < argc && strcmp(argv[optind], "-") != 0 && !(in = fopen(argv[optind], "rb"))) {
		perror(argv[optind]);
		return 1;
	}
	if (count_stream(in, delim, &c) != 0)
		return 1;
	printf("%llu %llu\n", c.records, c.fields);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
