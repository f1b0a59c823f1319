/* field-split-memchr: the hardware limit for reading a delimited file.
 * Splits lines at '\n' and fields at the delimiter with memchr and counts
 * them; quotes mean nothing to it, so it is not CSV-correct — it is what a
 * reader costs before it does any work at all.
 *
 *   field-split-memchr [-d DELIM] [FILE]    prints "ROWS FIELDS"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long long count_fields(const char *p, const char *end, int delim)
{
	unsigned long long n = 1;

	while ((p = memchr(p, delim, (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	unsigned long long rows = 0, fields = 0;
	size_t have = 0, n;
	int delim = ',', ch;
	FILE *in = stdin;

	while ((ch = getopt(argc, argv, "d:")) != -1) {
		if (ch == 'd' && strlen(optarg) == 1) {
			delim = (unsigned char)optarg[0];
		} else {
			fputs("usage: field-split-memchr [-d DELIM] [FILE]\n", stderr);
			return 2;
		}
	}
	if (optind < argc && strcmp(argv[optind], "-") != 0 && !(in = fopen(argv[optind], "rb"))) {
		perror(argv[optind]);
		return 1;
	}
	while ((n = fread(buf + have, 1, sizeof buf - have, in)) > 0 || have > 0) {
		const char *p = buf, *end = buf + have + n, *nl;

		while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			fields += count_fields(p, nl, delim);
			rows++;
			p = nl + 1;
		}
		have = (size_t)(end - p);
		if (n == 0 || have == sizeof buf) {   /* last line without '\n', or one longer than the buffer */
			if (have > 0) {
				fields += count_fields(p, end, delim);
				rows++;
			}
			have = 0;
			if (n == 0)
				break;
			continue;
		}
		memmove(buf, p, have);
	}
	if (ferror(in)) {
		perror("field-split-memchr");
		return 1;
	}
	printf("%llu %llu\n", rows, fields);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
