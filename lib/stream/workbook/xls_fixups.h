/* The .xls cells libfreexl reads wrong, read from the workbook stream's
 * records instead, and put back into the rows freexl gives.
 *
 * freexl makes a boolean cell the number 1 or 0, an error cell (#N/A,
 * #DIV/0!, ...) the number 1, and does not read FORMULA records at all (the
 * cell comes empty, its cached value lost).  While workbook_xls.c walks the
 * workbook stream before freexl opens the file, each record is also given to
 * xls_fixups_record(), which keeps, per worksheet (in the order of the
 * worksheet substreams, which is freexl's sheet order), those cells:
 *   BOOLERR 0x0205    a boolean: CELL_BOOL "true"/"false"; an error:
 *                     CELL_ERROR with Excel's text ("#N/A", ...)
 *   FORMULA 0x0006    its cached result: a number (CELL_NUMBER), a string
 *                     (from the STRING record 0x0207 after it), a boolean,
 *                     an error, or the empty string (no cell); a
 *                     number under a date, date-time or time format
 *                     (the cell's XF record and its FORMAT: the built-in
 *                     ones 14-22 and 45-47, or a format with y, d or mmm,
 *                     h or s outside quotes and brackets) is that
 * Memory: a sorted array of 24 bytes per such cell, plus the text of the
 * cached strings.  Only BIFF8 (Excel 97-2003) is read so; older BIFF
 * versions keep what freexl gives. */
#ifndef CIVIC_XLS_FIXUPS_H
#define CIVIC_XLS_FIXUPS_H

#include <stddef.h>
#include "sbuf.h"
#include "workbook.h"

struct xls_fixup {
	unsigned row, col;           /* 0-based */
	enum cell_type type;         /* CELL_EMPTY: the cell is empty (an empty string result) */
	size_t off;                  /* its text in xls_fixups.text */
};

struct xls_fixups {
	size_t nsheets;
	struct xls_fixup **cells;    /* per sheet, sorted by row, col after xls_fixups_end() */
	size_t *n, *cap;
	struct sbuf text;
	int in_sheet;                /* inside a worksheet substream */
	long pending;                /* index in the current sheet of a formula awaiting its STRING, or -1 */
	int globals;                 /* inside the workbook globals substream */
	int date1904;
	struct { unsigned ifmt; enum cell_type kind; } *formats;   /* FORMAT records: a date kind or CELL_EMPTY */
	size_t nformats;
	unsigned char *xf_kind;      /* per XF record: the enum cell_type of its format's dates, or CELL_EMPTY */
	size_t nxf;
};

void xls_fixups_init(struct xls_fixups *fx);
void xls_fixups_free(struct xls_fixups *fx);
/* One record of the workbook stream, in order (biff8: the stream is BIFF8). */
void xls_fixups_record(struct xls_fixups *fx, int biff8, unsigned type, const unsigned char *d, size_t len);
/* After the last record: sorts each sheet's cells. */
void xls_fixups_end(struct xls_fixups *fx);
/* The rows and columns the fixed cells of sheet reach (one past the largest). */
void xls_fixups_extent(const struct xls_fixups *fx, size_t sheet, unsigned *rows, unsigned *cols);
/* Puts the fixed cells of (sheet, row) into the row being built: cells[0..*k)
 * in column order, each cell's text at offs[i] in buf; a fixed cell replaces
 * the cell in its column or is inserted in order (cap: room in cells and
 * offs, at least the extent's cols).  An empty fixed cell removes the cell. */
void xls_fix_row(const struct xls_fixups *fx, size_t sheet, unsigned row,
		 struct wb_cell *cells, size_t *offs, size_t *k, size_t cap, struct sbuf *buf);

#endif
