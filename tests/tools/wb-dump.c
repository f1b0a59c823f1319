/* wb-dump: a workbook sheet's rows as the workbook layer reads them, for
 * tests to compare with an independent reader (xlrd, odfpy).
 *
 *   wb-dump -l FILE            the sheet names, one a line
 *   wb-dump FILE [SHEET]       the rows of SHEET (a 0-based index; default 0)
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

static void ref(unsigned col, unsigned long row, char *buf)
{
	char letters[8];
	size_t n = 0;
	for (unsigned long c = col + 1UL; c > 0 && n < sizeof letters; c = (c - 1) / 26)
		letters[n++] = (char)('A' + (c - 1) % 26);
	for (size_t i = 0; i < n; i++)
		buf[i] = letters[n - 1 - i];
	snprintf(buf + n, 16 - n, "%lu", row);
}

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

static const struct wb_ops *ops_for(const char *path)
{
	unsigned char head[8] = { 0 };
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t n = fread(head, 1, sizeof head, f);
	fclose(f);
	if (n == 8 && !memcmp(head, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return &wb_xls_ops;
	return NULL;
}

static int fail(const char *path, const struct wb_error *err)
{
	fprintf(stderr, "wb-dump: %s:%s%s%s: %s\n", path, err->sheet,
		err->cell[0] ? "!" : "", err->cell, err->what);
	return 1;
}

int main(int argc, char **argv)
{
	int list = argc > 1 && !strcmp(argv[1], "-l");
	if (argc - list < 2 || argc - list > 3) {
		fputs("usage: wb-dump [-l] FILE [SHEET]\n", stderr);
		return 2;
	}
	const char *path = argv[1 + list];
	const struct wb_ops *ops = ops_for(path);
	struct wb_error err = { "", "", "not a workbook" };
	struct workbook *wb = ops ? ops->open(path, NULL, &err) : NULL;
	if (!wb)
		return fail(path, &err);
	((struct workbook_base *)wb)->ops = ops;
	int rc = 0;
	if (list) {
		for (size_t i = 0; i < ops->sheet_count(wb); i++)
			puts(ops->sheet_name(wb, i));
		goto out;
	}
	size_t sheet = argc - list == 3 ? strtoul(argv[2 + list], NULL, 10) : 0;
	if (ops->select(wb, sheet, &err) < 0) {
		rc = fail(path, &err);
		goto out;
	}
	struct wb_row row;
	unsigned long skipped = 0;
	int got;
	while ((got = ops->next_row(wb, &row, &skipped, &err)) > 0) {
		printf("%lu", row.row);
		for (size_t i = 0; i < row.ncells; i++) {
			char r[16], *field;
			const struct wb_cell *c = &row.cells[i];
			ref(c->col, row.row, r);
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
	ops->close(wb);
	if (fflush(stdout) || ferror(stdout))
		rc = 1;
	return rc;
}
