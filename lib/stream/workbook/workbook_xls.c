/* .xls (BIFF8 in an OLE2 compound file) through libfreexl.
 *
 * freexl reads the whole workbook at open: every sheet's cells, as a grid
 * of rows × columns cells of 16 bytes each (the sheet's DIMENSION record),
 * plus the shared strings.  Rows are then walked from that grid.  What
 * freexl gives, and how it becomes civic's canonical cells:
 *   INT, DOUBLE        a number (wb_number_text); a boolean cell comes as
 *                      the INT 0 or 1, and an error cell too (freexl
 *                      cannot tell them apart from numbers)
 *   TEXT, SST_TEXT     UTF-8 text
 *   DATE, DATETIME,    text freexl computed from the serial; its calendar
 *   TIME               makes every fourth year a leap year, so the text is
 *                      turned back into Excel's serial and written again by
 *                      wb_date_text (which refuses 1900-02-29 and knows
 *                      2100 is no leap year)
 * Formula cells are not read by freexl at all: they come as empty.  What
 * freexl gets wrong (booleans, error cells, formulas' cached values) is read
 * from the records instead, by xls_fixups.c, and put into the rows here. */
#include <freexl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "sbuf.h"
#include "utf8.h"
#include "wb_date.h"
#include "wb_number.h"
#include "wb_ole2.h"
#include "wb_zip.h"
#include "xls_child.h"
#include "workbook.h"
#include "xalloc.h"
#include "xls_fixups.h"

struct xls_book {
	struct workbook_base base;
	const void *h;
	size_t nsheets;
	char **names;
	int date1904;
	int selected;
	unsigned rows;                 /* of the selected sheet */
	unsigned cols;
	unsigned next;                 /* 0-based row read next */
	unsigned frows, fcols;         /* of the selected sheet, as freexl has them */
	size_t cap;                    /* cells and offs */
	struct xls_fixups fx;          /* the cells freexl reads wrong */
	struct wb_cell *cells;         /* cols of them */
	size_t *offs;                  /* each cell's text in buf, while the row is built */
	struct sbuf buf;
};

static const char *freexl_what(int rc)
{
	switch (rc) {
	case FREEXL_FILE_NOT_FOUND: return "cannot open the file";
	case FREEXL_INSUFFICIENT_MEMORY: return "out of memory reading the workbook";
	case FREEXL_INVALID_CFBF_HEADER:
	case FREEXL_CFBF_INVALID_SIGNATURE:
	case FREEXL_CFBF_INVALID_SECTOR_SIZE: return "not an .xls workbook (bad OLE2 header)";
	case FREEXL_CFBF_READ_ERROR:
	case FREEXL_CFBF_SEEK_ERROR: return "truncated or corrupt .xls workbook (read past its end)";
	case FREEXL_CFBF_EMPTY_FAT_CHAIN:
	case FREEXL_CFBF_ILLEGAL_FAT_ENTRY:
	case FREEXL_INVALID_MINI_STREAM:
	case FREEXL_CFBF_ILLEGAL_MINI_FAT_ENTRY: return "corrupt .xls workbook (bad OLE2 allocation table)";
	case FREEXL_BIFF_INVALID_BOF: return "not a BIFF5/BIFF8 workbook (no valid BOF record)";
	case FREEXL_BIFF_INVALID_SST:
	case FREEXL_BIFF_ILLEGAL_SST_INDEX: return "corrupt .xls workbook (bad shared-strings table)";
	case FREEXL_BIFF_WORKBOOK_NOT_FOUND: return "an OLE2 file without a workbook stream (not an .xls workbook)";
	case FREEXL_INVALID_CHARACTER: return "text the workbook's code page cannot hold";
	case FREEXL_UNSUPPORTED_CHARSET: return "a code page this system cannot convert";
	case FREEXL_ILLEGAL_CELL_ROW_COL: return "a cell outside the sheet's declared dimensions";
	case FREEXL_ILLEGAL_RK_VALUE: return "corrupt number (RK) record";
	case FREEXL_CRAFTED_FILE: return "corrupt .xls workbook (inconsistent records)";
	default: return "unreadable .xls workbook";
	}
}

static void set_error(struct wb_error *err, const char *sheet, const char *cell, const char *what, int rc)
{
	memset(err, 0, sizeof *err);
	snprintf(err->sheet, sizeof err->sheet, "%s", sheet ? sheet : "");
	snprintf(err->cell, sizeof err->cell, "%s", cell ? cell : "");
	if (rc)
		snprintf(err->what, sizeof err->what, "%s (freexl error %d)", what, rc);
	else
		snprintf(err->what, sizeof err->what, "%s", what);
}

static void xls_close(struct workbook *wb)
{
	struct xls_book *b = (struct xls_book *)wb;
	if (!b)
		return;
	if (b->h)
		freexl_close(b->h);
	for (size_t i = 0; i < b->nsheets; i++)
		free(b->names[i]);
	free(b->names);
	free(b->cells);
	free(b->offs);
	sbuf_release(&b->buf);
	xls_fixups_free(&b->fx);
	free(b);
}

/* freexl allocates at open, for every sheet, a grid of as many cells (16
 * bytes each) as the sheet's DIMENSION record claims, and writes to all of
 * them: a file of a few kilobytes can claim 256 MiB a sheet, for as many
 * sheets as it likes; a sheet without a DIMENSION gets a grid as large as
 * its farthest cell.  So before freexl sees the file, its workbook stream
 * is read (wb_ole2.c) and walked record by record, and those claims are
 * summed.  A record freexl would read differently from this walk (a
 * DIMENSION of the wrong size for its BIFF version) refuses the file. */
enum { FREEXL_CELL_BYTES = 16 };

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int xls_precheck(FILE *f, unsigned long long *total, struct xls_fixups *fx, const char **why)
{
	static const char *const names[] = { "Workbook", "Book", NULL };
	struct sbuf st = SBUF_INIT;
	int biff8 = -1, in_sheet = 0, dimensioned = 0, rc = 0;
	unsigned long long maxrow = 0, maxcol = 0;
	*total = 0;
	if (wb_ole2_stream(f, names, &st, why) != 0) {
		sbuf_release(&st);
		return -1;
	}
	const unsigned char *p = (const unsigned char *)st.s;
	for (size_t pos = 0; pos + 4 <= st.len;) {
		unsigned type = le16(p + pos), len = le16(p + pos + 2);
		const unsigned char *d = p + pos + 4;
		if (pos + 4 + len > st.len)
			break;
		pos += 4 + (size_t)len;
		if (type == 0x0809 && len >= 4) {                   /* BOF */
			if (biff8 < 0)
				biff8 = le16(d) == 0x0600;
			in_sheet = 1;
			dimensioned = 0;
			maxrow = maxcol = 0;
		} else if (type == 0x000A && in_sheet) {            /* EOF */
			if (!dimensioned)
				*total += (maxrow + 1) * (maxcol + 1) * FREEXL_CELL_BYTES;
			in_sheet = 0;
		} else if (type == 0x0200) {                        /* DIMENSION */
			if (len != (biff8 == 1 ? 14u : 10u)) {
				*why = "a DIMENSION record of the wrong size";
				rc = -1;
				break;
			}
			unsigned long long rows = biff8 == 1 ? (unsigned long long)le16(d + 4) | (unsigned long long)le16(d + 6) << 16
				: le16(d + 2);
			*total += rows * le16(d + (biff8 == 1 ? 10 : 6)) * FREEXL_CELL_BYTES;
			dimensioned = 1;
		} else if ((type == 0x0203 || type == 0x0205 || type == 0x027E || type == 0x00BD ||
			    type == 0x0204 || type == 0x00FD) && len >= 4) {   /* cells */
			if (le16(d) > maxrow)
				maxrow = le16(d);
			if (le16(d + 2) > maxcol)
				maxcol = le16(d + 2);
		}
		xls_fixups_record(fx, biff8 == 1, type, d, len);        /* xls_fixups.h */
	}
	xls_fixups_end(fx);
	sbuf_release(&st);
	return rc;
}

static struct workbook *xls_open(const char *path, const struct wb_limits *limits, struct wb_error *err)
{
	struct xls_book *b = xcalloc(1, sizeof *b);
	unsigned info = 0;
	unsigned long long max = limits && limits->max_part_bytes ? limits->max_part_bytes : WB_DEFAULT_MAX_PART;
	int rc;
	b->selected = -1;
	xls_fixups_init(&b->fx);
	FILE *f = fopen(path, "rb");
	if (!f) {
		set_error(err, NULL, NULL, freexl_what(FREEXL_FILE_NOT_FOUND), 0);
		goto fail;
	}
	unsigned long long claims;
	const char *why;
	int walked = xls_precheck(f, &claims, &b->fx, &why);
	int read_error = ferror(f);
	fclose(f);
	if (read_error) {
		set_error(err, NULL, NULL, "read error", 0);
		goto fail;
	}
	if (walked != 0) {
		char what[200];
		snprintf(what, sizeof what, "not a readable .xls workbook: %s", why);
		set_error(err, NULL, NULL, what, 0);
		goto fail;
	}
	if (claims > max) {
		char what[200];
		snprintf(what, sizeof what, "its sheets claim %llu MiB of cells, more than the "
			 "%llu MiB the .xls reader may take: refused", claims >> 20, max >> 20);
		set_error(err, NULL, NULL, what, 0);
		goto fail;
	}
	if ((rc = freexl_open(path, &b->h)) != FREEXL_OK) {
		set_error(err, NULL, NULL, freexl_what(rc), rc);
		goto fail;
	}
	if (freexl_get_info(b->h, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK && info == FREEXL_BIFF_OBFUSCATED) {
		set_error(err, NULL, NULL, "a password-protected .xls workbook", 0);
		goto fail;
	}
	if (freexl_get_info(b->h, FREEXL_BIFF_DATEMODE, &info) == FREEXL_OK)
		b->date1904 = info == FREEXL_BIFF_DATEMODE_1904;
	if (freexl_get_info(b->h, FREEXL_BIFF_SHEET_COUNT, &info) != FREEXL_OK) {
		set_error(err, NULL, NULL, "an .xls workbook whose sheets cannot be counted", 0);
		goto fail;
	}
	b->names = xcalloc(info ? info : 1, sizeof *b->names);
	for (unsigned i = 0; i < info; i++) {
		const char *name = NULL;
		if (freexl_get_worksheet_name(b->h, (unsigned short)i, &name) != FREEXL_OK || !name)
			name = "";
		b->names[b->nsheets++] = xstrdup(name);
	}
	if (b->fx.nsheets != b->nsheets) {
		set_error(err, NULL, NULL, "an .xls workbook whose worksheets freexl counts otherwise "
			  "than its records: its booleans, error cells and formulas cannot be placed", 0);
		goto fail;
	}
	if (b->nsheets == 0) {
		set_error(err, NULL, NULL, "an .xls workbook without a sheet (corrupt?)", 0);
		goto fail;
	}
	return (struct workbook *)b;
fail:
	xls_close((struct workbook *)b);
	return NULL;
}

static size_t xls_sheet_count(const struct workbook *wb)
{
	return ((const struct xls_book *)wb)->nsheets;
}

static const char *xls_sheet_name(const struct workbook *wb, size_t i)
{
	const struct xls_book *b = (const struct xls_book *)wb;
	return i < b->nsheets ? b->names[i] : NULL;
}

static int xls_select(struct workbook *wb, size_t i, struct wb_error *err)
{
	struct xls_book *b = (struct xls_book *)wb;
	unsigned rows = 0;
	unsigned short cols = 0;
	int rc;
	if (i >= b->nsheets) {
		set_error(err, NULL, NULL, "no such sheet", 0);
		return -1;
	}
	if ((rc = freexl_select_active_worksheet(b->h, (unsigned short)i)) != FREEXL_OK ||
	    (rc = freexl_worksheet_dimensions(b->h, &rows, &cols)) != FREEXL_OK) {
		set_error(err, b->names[i], NULL, freexl_what(rc), rc);
		return -1;
	}
	unsigned xrows, xcols;
	xls_fixups_extent(&b->fx, i, &xrows, &xcols);
	b->selected = (int)i;
	b->frows = rows;
	b->fcols = cols;
	b->rows = rows > xrows ? rows : xrows;
	b->cols = cols > xcols ? cols : xcols;
	b->next = 0;
	b->cap = b->cols ? b->cols : 1;
	free(b->cells);
	free(b->offs);
	b->cells = xcalloc(b->cap, sizeof *b->cells);
	b->offs = xcalloc(b->cap, sizeof *b->offs);
	return 0;
}

/* freexl's calendar: from 1900-01-01 (1904-01-02), every year divisible
 * by four a leap year.  Back to the serial it counted from. */
static long freexl_serial(int y, int m, int d, int date1904)
{
	static const int before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	long days = 365L * (y - 1900) + (y - 1) / 4 - 1899 / 4 + before[m - 1] + (m > 2 && y % 4 == 0) + d - 1;
	if (date1904)
		return days - (365L * 4 + 1);           /* 1904-01-02 is serial 1 */
	return days + 1;                                /* 1900-01-01 is serial 1 */
}

/* "yyyy-mm-dd", "yyyy-mm-dd HH:MM:SS" or "HH:MM:SS" from freexl into
 * civic's form; -1 (and *why) when the text is none of these, or names a
 * day Excel's calendar has not. */
static int date_cell(const char *s, int date1904, enum cell_type type, char *out, const char **why)
{
	int y = 0, m = 0, d = 0, hh = 0, mm = 0, ss = 0, n = 0;
	double serial = 0;
	*why = "a date cell freexl could not convert";
	if (type == CELL_TIME) {
		if (sscanf(s, "%2d:%2d:%2d%n", &hh, &mm, &ss, &n) != 3 || s[n])
			return -1;
	} else {
		int got = type == CELL_DATE ? sscanf(s, "%d-%2d-%2d%n", &y, &m, &d, &n)
			: sscanf(s, "%d-%2d-%2d %2d:%2d:%2d%n", &y, &m, &d, &hh, &mm, &ss, &n) - 3;
		if (got != 3 || s[n] || y < 1900 || m < 1 || m > 12 || d < 1 || d > 31)
			return -1;
		serial = (double)freexl_serial(y, m, d, date1904);
	}
	if (hh > 24 || mm > 59 || ss > 59)
		return -1;
	serial += (hh * 3600 + mm * 60 + ss) / 86400.0;
	return wb_date_text(serial, date1904, type, out, why);
}

static void put_cell(struct xls_book *b, size_t k, unsigned col, enum cell_type type, const char *text)
{
	size_t n = strlen(text);
	b->cells[k].col = col;
	b->cells[k].type = type;
	b->cells[k].len = n;
	b->offs[k] = b->buf.len;
	sbuf_add(&b->buf, text, n + 1);   /* keeps the NUL between cells */
}

static int xls_next_row(struct workbook *wb, struct wb_row *row, unsigned long *empty_rows_skipped,
			struct wb_error *err)
{
	struct xls_book *b = (struct xls_book *)wb;
	char num[WB_NUMBER_BUF], date[WB_DATE_BUF];
	if (b->selected < 0) {
		set_error(err, NULL, NULL, "no sheet selected", 0);
		return -1;
	}
	for (; b->next < b->rows; b->next++) {
		size_t k = 0;
		sbuf_reset(&b->buf);
		for (unsigned c = 0; b->next < b->frows && c < b->fcols; c++) {
			FreeXL_CellValue v;
			const char *why;
			int rc = freexl_get_cell_value(b->h, b->next, (unsigned short)c, &v);
			if (rc != FREEXL_OK) {
				char ref[16];
				wb_cell_name(c, b->next + 1UL, ref);
				set_error(err, b->names[b->selected], ref, freexl_what(rc), rc);
				return -1;
			}
			switch (v.type) {
			case FREEXL_CELL_INT:
				snprintf(num, sizeof num, "%d", v.value.int_value);
				put_cell(b, k++, c, CELL_NUMBER, num);
				break;
			case FREEXL_CELL_DOUBLE:
				if (wb_number_text(v.value.double_value, num) < 0)
					put_cell(b, k++, c, CELL_ERROR, "#NUM!");
				else
					put_cell(b, k++, c, CELL_NUMBER, num);
				break;
			case FREEXL_CELL_TEXT:
			case FREEXL_CELL_SST_TEXT:
				if (!v.value.text_value || !v.value.text_value[0])
					break;
				if (utf8_invalid_offset(v.value.text_value, strlen(v.value.text_value))
				    != strlen(v.value.text_value))
					put_cell(b, k++, c, CELL_ERROR, "#TEXT! (invalid UTF-8 from freexl)");
				else
					put_cell(b, k++, c, CELL_TEXT, v.value.text_value);
				break;
			case FREEXL_CELL_DATE:
			case FREEXL_CELL_DATETIME:
			case FREEXL_CELL_TIME: {
				enum cell_type t = v.type == FREEXL_CELL_DATE ? CELL_DATE
					: v.type == FREEXL_CELL_TIME ? CELL_TIME : CELL_DATETIME;
				if (date_cell(v.value.text_value ? v.value.text_value : "", b->date1904, t, date, &why) < 0)
					put_cell(b, k++, c, CELL_ERROR, why);
				else
					put_cell(b, k++, c, t, date);
				break;
			}
			default:
				break;
			}
		}
		xls_fix_row(&b->fx, (size_t)b->selected, b->next, b->cells, b->offs, &k, b->cap, &b->buf);
		if (k > 0) {
			for (size_t i = 0; i < k; i++)
				b->cells[i].text = b->buf.s + b->offs[i];
			row->row = (unsigned long)b->next + 1;
			row->ncells = k;
			row->cells = b->cells;
			b->next++;
			return 1;
		}
		if (empty_rows_skipped)
			++*empty_rows_skipped;
	}
	return 0;
}

/* In this process; xls_child.c runs it in a child for wb_xls_ops. */
const struct wb_ops wb_xls_direct_ops = {
	.open = xls_open,
	.close = xls_close,
	.sheet_count = xls_sheet_count,
	.sheet_name = xls_sheet_name,
	.select = xls_select,
	.next_row = xls_next_row,
};
