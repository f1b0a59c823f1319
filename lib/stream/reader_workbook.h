/* The reader's side of a workbook: a sheet read as records (reader.c
 * calls these when the input's content is a workbook).
 *
 * The header is the sheet's first non-empty row (blank rows above it are
 * skipped; a row of one cell above a wider row is a title, passed over); its columns run from its first non-empty cell to its last, and
 * each later row's cells are placed by column, a missing cell an empty
 * field.  Rows of empty cells are skipped and counted.  A cell holding an
 * error (#N/A, #DIV/0!, a date that never was) rejects its record, naming
 * the cell; so does a cell left or right of the header's columns. */
#ifndef CIVIC_READER_WORKBOOK_H
#define CIVIC_READER_WORKBOOK_H

#include "record.h"
#include "reject.h"
#include "workbook.h"

struct reader_wb;

/* Looks at path's first bytes (standard input: "-" or NULL).  1 when it is
 * a workbook: *out is open on the chosen sheet, its header in h; 0 when it
 * is not, with the bytes already taken from a pipe in head[0..*nhead) to
 * give back to the byte source; -1 after a message.  sheet: NULL for the
 * first, a name, a 1-based number, or "*" for every sheet in turn. */
int reader_wb_open(const char *path, const char *name, const char *sheet,
		   struct header *h, struct reader_wb **out,
		   unsigned char *head, size_t *nhead);
int reader_wb_next(struct reader_wb *w, struct record *rec, struct reject *why);
/* With sheet "*": moves on to the next sheet that has a header, replacing
 * h; 1, 0 when none is left, -1 after a message (that sheet is passed). */
int reader_wb_next_sheet(struct reader_wb *w, struct header *h);
/* "export.xlsx:Sheet1", for messages about the sheet. */
const char *reader_wb_where(const struct reader_wb *w);
const char *reader_wb_sheet(const struct reader_wb *w);
unsigned long reader_wb_empty_rows(const struct reader_wb *w);
void reader_wb_close(struct reader_wb *w);

#endif
