/* For the workbook harnesses: read every sheet of a workbook to its end
 * and abort on any cell that breaks the contract of workbook.h: columns
 * strictly increasing in a row, rows increasing, len the text's length,
 * text valid UTF-8, numbers plain decimals, dates, date-times and times in
 * their canonical forms. */
#ifndef CIVIC_FUZZ_WORKBOOK_H
#define CIVIC_FUZZ_WORKBOOK_H

#include "fuzz.h"

#include "utf8.h"
#include "workbook.h"

static int fuzz_canonical(const char *s, const char *pattern)
{
	/* pattern: 9 a digit, anything else itself */
	for (; *pattern; s++, pattern++)
		if (*pattern == '9' ? (*s < '0' || *s > '9') : *s != *pattern)
			return 0;
	return *s == '\0';
}

static int fuzz_plain_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

static void fuzz_check_cell(const struct wb_cell *c)
{
	if (strlen(c->text) != c->len || utf8_invalid_offset(c->text, c->len) != c->len)
		abort();
	switch (c->type) {
	case CELL_NUMBER: if (!fuzz_plain_number(c->text)) abort(); break;
	case CELL_DATE: if (!fuzz_canonical(c->text, "9999-99-99")) abort(); break;
	case CELL_DATETIME: if (!fuzz_canonical(c->text, "9999-99-99T99:99:99")) abort(); break;
	case CELL_TIME: if (!fuzz_canonical(c->text, "99:99:99")) abort(); break;
	case CELL_BOOL: if (strcmp(c->text, "true") && strcmp(c->text, "false")) abort(); break;
	case CELL_TEXT: case CELL_ERROR: if (c->len == 0) abort(); break;
	default: abort();
	}
}

/* Reads every sheet of an open workbook, checking each row and cell, and
 * closes it. */
static void fuzz_walk_workbook(struct workbook *wb)
{
	struct wb_error err;
	struct wb_row row;
	unsigned long skipped = 0, orow;
	unsigned ocol;
	char name[16];

	for (size_t s = 0; s < wb_sheet_count(wb); s++) {
		unsigned long last = 0;
		if (!wb_sheet_name(wb, s) || wb_select(wb, s, &err) != 0)
			continue;
		for (int rows = 0; rows < 200000 && wb_next_row(wb, &row, &skipped, &err) == 1; rows++) {
			if (row.row <= last || row.ncells == 0)
				abort();
			last = row.row;
			for (size_t i = 0; i < row.ncells; i++) {
				if (i > 0 && row.cells[i].col <= row.cells[i - 1].col)
					abort();
				fuzz_check_cell(&row.cells[i]);
				wb_cell_name(row.cells[i].col, row.row, name);
			}
			if (wb_merged_origin(wb, row.cells[0].col, row.row, &ocol, &orow, &err) == 1 &&
			    (orow > row.row || ocol > row.cells[0].col))
				abort();
		}
	}
	wb_close(wb);
}

static inline void fuzz_read_workbook(const char *path, enum wb_kind kind, const struct wb_limits *lim)
{
	struct wb_error err;
	struct workbook *wb = wb_open(path, kind, lim, &err);

	if (wb)
		fuzz_walk_workbook(wb);
}

#endif
