/* Reading a spreadsheet workbook (.xlsx, .ods, .xls) as rows of typed cells.
 *
 * One interface, one file per container format behind it (workbook_xlsx.c,
 * workbook_ods.c, workbook_xls.c), chosen by content, not by name:
 * wb_sniff() looks at the first bytes.  The stream reader (reader.c) turns
 * the rows of the chosen sheet into records; this layer knows nothing of
 * records, schemas or rejects, only of cells.
 *
 * Cells come as text, already in civic's canonical forms, so that every
 * format yields the same bytes for the same sheet:
 *   CELL_NUMBER    shortest decimal that reads back as the stored double,
 *                  or the text the file stores when it is decimal already
 *                  ("0.1", "10000000", "-2.5"; never "1.0E7")
 *   CELL_DATE      yyyy-mm-dd          (from the cell's number format or type)
 *   CELL_DATETIME  yyyy-mm-ddTHH:MM:SS
 *   CELL_TIME      HH:MM:SS
 *   CELL_BOOL      "true" / "false"
 *   CELL_TEXT      UTF-8 as stored (shared, inline or formula-cached strings)
 *   CELL_ERROR     the error as the sheet shows it: "#N/A", "#DIV/0!", …
 * A formula cell yields its cached value with the value's type.
 *
 * Memory is bounded by the limits below; a workbook that would pass one is
 * refused with a message (a zip bomb, an entity expansion, a sheet claiming
 * a million empty rows), never read into memory whole. */
#ifndef CIVIC_WORKBOOK_H
#define CIVIC_WORKBOOK_H

#include <stddef.h>

enum wb_kind {
	WB_NONE = 0,                 /* not a workbook: read as CSV or JSON */
	WB_XLSX,                     /* Office Open XML: a zip with xl/workbook.xml */
	WB_ODS,                      /* OpenDocument: a zip with content.xml */
	WB_XLS,                      /* BIFF8 in an OLE2 compound file */
};

enum cell_type {
	CELL_EMPTY = 0,
	CELL_NUMBER,
	CELL_TEXT,
	CELL_BOOL,
	CELL_DATE,
	CELL_DATETIME,
	CELL_TIME,
	CELL_ERROR,
};

struct wb_cell {
	unsigned col;                /* 0-based: 0 is column A */
	enum cell_type type;
	const char *text;            /* NUL-terminated; valid until the next wb_next_row() */
	size_t len;
};

/* One row of the sheet: only its non-empty cells, in column order. */
struct wb_row {
	unsigned long row;           /* 1-based, as the sheet numbers it */
	size_t ncells;
	const struct wb_cell *cells;
};

struct wb_limits {
	unsigned long long max_part_bytes;   /* uncompressed size of one zip member; 0: default */
	unsigned max_ratio;                  /* uncompressed ÷ compressed of one member; 0: default */
	size_t max_strings_bytes;            /* shared-strings table in memory; 0: default */
	unsigned long max_empty_run;         /* empty rows or cells skipped in a row before refusing; 0: default */
};

/* What went wrong, for a message "FILE:SHEET!CELL: what" (sheet and cell
 * may be empty when the problem is the container). */
struct wb_error {
	char sheet[128];
	char cell[16];               /* "C14", or "" */
	char what[256];
};

struct workbook;

/* From the first bytes of a file (at least 8, fewer at its end): which
 * workbook it is, or WB_NONE.  A zip that is neither xlsx nor ods is told
 * apart by wb_open(), which then fails with a message. */
enum wb_kind wb_sniff(const unsigned char *head, size_t n);

/* Opens the workbook at path (a seekable file: zip and OLE2 need to seek;
 * standard input is copied to a temporary file by the caller).  NULL on
 * failure, with err filled. */
struct workbook *wb_open(const char *path, enum wb_kind kind,
			 const struct wb_limits *limits, struct wb_error *err);
void wb_close(struct workbook *wb);

size_t wb_sheet_count(const struct workbook *wb);
const char *wb_sheet_name(const struct workbook *wb, size_t i);
/* Starts reading sheet i from its first row; 0, or -1 with err filled. */
int wb_select(struct workbook *wb, size_t i, struct wb_error *err);
/* The next row that has a non-empty cell: 1, 0 at the end of the sheet,
 * -1 with err filled (the sheet cannot be read on; rows already returned
 * stand).  *empty_rows_skipped is increased by the empty rows passed over. */
int wb_next_row(struct workbook *wb, struct wb_row *row,
		unsigned long *empty_rows_skipped, struct wb_error *err);

/* The top-left cell of the merged range of the selected sheet that covers
 * (col, row): 1 with *ocol, *orow set (the cell itself when it starts the
 * range), 0 when no range covers it or the format does not say, -1 with
 * err filled.  May read the sheet a second time (.xlsx lists its merges
 * after the cells): the stream reader asks only about a header's empty
 * cells. */
int wb_merged_origin(struct workbook *wb, unsigned col, unsigned long row,
		     unsigned *ocol, unsigned long *orow, struct wb_error *err);

/* "C14" for col 2, row 14 (buf of at least 16 bytes). */
void wb_cell_name(unsigned col, unsigned long row, char *buf);

/* Each container format implements these; workbook.c dispatches. */
struct wb_ops {
	struct workbook *(*open)(const char *path, const struct wb_limits *limits,
				 struct wb_error *err);
	void (*close)(struct workbook *wb);
	size_t (*sheet_count)(const struct workbook *wb);
	const char *(*sheet_name)(const struct workbook *wb, size_t i);
	int (*select)(struct workbook *wb, size_t i, struct wb_error *err);
	int (*next_row)(struct workbook *wb, struct wb_row *row,
			unsigned long *empty_rows_skipped, struct wb_error *err);
	/* optional (NULL: merges unknown, wb_merged_origin() says 0) */
	int (*merged_origin)(struct workbook *wb, unsigned col, unsigned long row,
			     unsigned *ocol, unsigned long *orow, struct wb_error *err);
};

extern const struct wb_ops wb_xlsx_ops, wb_ods_ops, wb_xls_ops;

/* Every implementation's struct workbook begins with this. */
struct workbook_base {
	const struct wb_ops *ops;
};

#endif
