/* wb-number: the workbook layer's number and date-serial texts, one input
 * a line, for tests to compare with Python.
 *
 *   wb-number            each line: a double's 64 bits in hex (16 digits)
 *   wb-number -d TYPE [-4]
 *                        each line: an Excel serial (decimal); TYPE is date,
 *                        datetime or time; -4: the 1904 date system
 *
 * Output: the text, or "error: WHY" (a NaN or an infinity, a serial that
 * is no date). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wb_date.h"
#include "wb_number.h"

int main(int argc, char **argv)
{
	enum cell_type type = CELL_EMPTY;
	int date1904 = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-4"))
			date1904 = 1;
		else if (!strcmp(argv[i], "-d") && i + 1 < argc) {
			const char *t = argv[++i];
			type = !strcmp(t, "date") ? CELL_DATE : !strcmp(t, "datetime") ? CELL_DATETIME
			     : !strcmp(t, "time") ? CELL_TIME : CELL_EMPTY;
			if (type == CELL_EMPTY)
				goto usage;
		} else
			goto usage;
	}
	char line[256], out[WB_NUMBER_BUF];
	while (fgets(line, sizeof line, stdin)) {
		if (type == CELL_EMPTY) {
			uint64_t bits = strtoull(line, NULL, 16);
			double x;
			memcpy(&x, &bits, sizeof x);
			if (wb_number_text(x, out) < 0)
				strcpy(out, "error: not finite");
		} else {
			const char *why;
			if (wb_date_text(strtod(line, NULL), date1904, type, out, &why) < 0)
				snprintf(out, sizeof out, "error: %s", why);
		}
		puts(out);
	}
	return ferror(stdout) || fclose(stdout) ? 1 : 0;
usage:
	fputs("usage: wb-number [-d date|datetime|time] [-4]\n", stderr);
	return 2;
}
