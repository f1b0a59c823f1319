/* wb-dump: a workbook sheet's rows as the workbook layer reads them, for
 * tests to compare with an independent reader (xlrd, odfpy).
 *
 *   wb-dump -l FILE            the sheet names, one a line
 *   wb-dump FILE [SHEET]       the rows of SHEET (a 0-based index; default 0)
 *   wb-dump -m BYTES FILE [SHEET]
 *                              with limits.max_part_bytes = BYTES
 *
 * Each row is one CSV record: the row number, then a field per non-empty
 * cell, "REF:TYPE:TEXT" (B3:number:3326.422).  A last line "# N empty rows
 * skipped" counts the empty rows passed over.  An error is a message on
 * stderr ("wb-dump: FILE:SHEET!CELL: what") and exit status 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workbook.h"

static const char *const type_name[] = {
	[CELL_EMPTY] = "empty", [CELL_NUMBER] = "number", [CELL_TEXT] = "text",
	[CELL_BOOL] = "bool", [CELL_DATE] = "date", [CELL_DATETIME] = "datetime",
	[CELL_TIME] = "time", [CELL_ERROR] = "error",
};

static void put_field(const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static enum wb_kind kind_of(const char *path)
{
	unsigned char head[64] = { 0 };
	FILE *f = fopen(path, "rb");
	if (!f)
		return WB_NONE;
	size_t n = fread(head, 1, sizeof head, f);
	fclose(f);
	return wb_sniff(head, n);
}

static int fail(const char *path, const struct wb_error *err)
{
	fprintf(stderr, "wb-dump: %s:%s%s%s: %s\n", path, err->sheet,
		err->cell[0] ? "!" : "", err->cell, err->what);
	return 1;
}

int main(int argc, char **argv)
{
	struct wb_limits limits = { 0 };
	if (argc > 2 && !strcmp(argv[1], "-m")) {
		limits.max_part_bytes = strtoull(argv[2], NULL, 10);
		argv += 2;
		argc -= 2;
	}
	int list = argc > 1 && !strcmp(argv[1], "-l");
	if (argc - list < 2 || argc - list > 3) {
		fputs("usage: wb-dump [-m BYTES] [-l] FILE [SHEET]\n", stderr);
		return 2;
	}
	const char *path = argv[1 + list];
	struct wb_error err = { "", "", "not a workbook" };
	enum wb_kind kind = kind_of(path);
	struct workbook *wb = kind != WB_NONE ? wb_open(path, kind, &limits, &err) : NULL;
	if (!wb)
		return fail(path, &err);
	int rc = 0;
	if (list) {
		for (size_t i = 0; i < wb_sheet_count(wb); i++)
			puts(wb_sheet_name(wb, i));
		goto out;
	}
	size_t sheet = argc - list == 3 ? strtoul(argv[2 + list], NULL, 10) : 0;
	if (wb_select(wb, sheet, &err) < 0) {
		rc = fail(path, &err);
		goto out;
	}
	struct wb_row row;
	unsigned long skipped = 0;
	int got;
	while ((got = wb_next_row(wb, &row, &skipped, &err)) > 0) {
		printf("%lu", row.row);
		for (size_t i = 0; i < row.ncells; i++) {
			char r[16], *field;
			const struct wb_cell *c = &row.cells[i];
			wb_cell_name(c->col, row.row, r);
			if (strlen(c->text) != c->len) {
				fprintf(stderr, "wb-dump: %s: cell %s: len %zu, text of %zu bytes\n",
					path, r, c->len, strlen(c->text));
				rc = 1;
			}
			size_t n = strlen(r) + strlen(type_name[c->type]) + c->len + 3;
			field = malloc(n);
			snprintf(field, n, "%s:%s:%s", r, type_name[c->type], c->text);
			putchar(',');
			put_field(field);
			free(field);
		}
		putchar('\n');
	}
	printf("# %lu empty rows skipped\n", skipped);
	if (got < 0)
		rc = fail(path, &err);
out:
	wb_close(wb);
	if (fflush(stdout) || ferror(stdout))
		rc = 1;
	return rc;
}
