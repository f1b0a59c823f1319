/* .ods (OpenDocument spreadsheet) through libzip and expat.
 *
 * content.xml is streamed twice: once at open for the sheet names
 * (table:table table:name), once from the start for the sheet selected,
 * the parser pausing after each row.  Repeats are never materialised when
 * empty: an empty row or cell with table:number-rows-repeated or
 * table:number-columns-repeated only moves the row or column counter, so a
 * trailing repeat of a million empty rows costs one element.  A repeated
 * cell or row with a value is produced as often as it repeats, up to the
 * sheet's edge (1,048,576 rows × 16,384 columns) and to limits.max_empty_run
 * cells made by repetition in all.
 *
 * Cells take their value from the attributes (office:value for float,
 * percentage and currency, office:date-value, office:time-value,
 * office:boolean-value, office:string-value) and, for text, from the
 * paragraphs: text:p joined with "\n", text:s as spaces, text:tab,
 * text:line-break, spans and links as their text, annotations left out.
 * A formula cell carries its cached value in the same attributes;
 * calcext:value-type="error" makes it an error cell showing its text.
 * table:covered-table-cell (hidden under a merged cell) is empty. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "sbuf.h"
#include "wb_date.h"
#include "wb_number.h"
#include "wb_xml.h"
#include "wb_zip.h"
#include "workbook.h"
#include "xalloc.h"

#define NS_TABLE "urn:oasis:names:tc:opendocument:xmlns:table:1.0|"
#define NS_OFFICE "urn:oasis:names:tc:opendocument:xmlns:office:1.0|"
#define NS_TEXT "urn:oasis:names:tc:opendocument:xmlns:text:1.0|"
#define NS_CALCEXT "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0|"

enum {
	MAX_ROWS = 1048576,
	MAX_COLS = 16384,
	DEFAULT_MAX_REPEAT = 10 * 1000 * 1000,
	MAX_ROW_BYTES = 64 * 1024 * 1024,
	ODS_TEXT_BUF = 64,             /* room for any date or time written here */
};

struct ocell {
	unsigned col;
	enum cell_type type;
	size_t off, len;
};

/* A merged range: the cell at (col, row) spans ncols × nrows. */
struct merge {
	unsigned col, ncols;
	unsigned long row, nrows;
};

enum { MAX_MERGES = 65536 };   /* the first ones are kept; a header's come first */

struct ods {
	struct workbook_base base;
	struct wb_zip *z;
	struct wb_limits lim;
	size_t nsheets, cap_names;
	char **names;
	struct wb_xml x;
	int open_x;
	/* the walk through content.xml */
	size_t want;                   /* the table to read */
	size_t tables_seen;
	int table_depth;               /* table:table nesting */
	int in_sheet;                  /* inside the wanted table, at its own level */
	int sheet_done;
	unsigned long rownum;          /* rows of the table passed so far */
	unsigned long row_repeat;
	unsigned long pending;         /* repeats of the last row still to give */
	unsigned long empty_before;    /* empty rows since the last row given */
	unsigned long made_by_repeat;
	int row_ready;
	unsigned col;
	/* the cell being read */
	int in_cell;
	unsigned cell_repeat;
	enum cell_type cell_type;      /* CELL_EMPTY: no value */
	int cell_from_text;            /* its value is its paragraphs' text */
	int in_p, paragraphs, skip_depth, pending_space;
	struct sbuf value;
	/* the row being built */
	struct sbuf rowtext;
	struct ocell *oc;
	size_t noc, cap_oc;
	struct wb_cell *cells;
	size_t cap_cells;
	struct merge *merges;
	size_t nmerges, cap_merges;
	struct wb_error *err;
};

#define O(xml) ((struct ods *)(xml)->ud)

static const char *attr_ns(const char **attrs, const char *qname)
{
	for (; attrs[0]; attrs += 2)
		if (strcmp(attrs[0], qname) == 0)
			return attrs[1];
	return NULL;
}

static unsigned long repeat_of(const char *v)
{
	if (!v || !*v)
		return 1;
	char *end;
	unsigned long n = strtoul(v, &end, 10);
	return *end || n == 0 ? 1 : n;
}

static void fail_at(struct ods *o, unsigned col, const char *fmt, const char *arg)
{
	char what[256];
	if (col != (unsigned)-1)
		wb_cell_name(col, o->rownum + 1, o->err->cell);
	snprintf(what, sizeof what, fmt, arg);
	wb_xml_fail(&o->x, "%s", what);
}

/* ---- listing the sheets ---- */

static void XMLCALL list_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct wb_xml *x = ud;
	struct ods *o = O(x);
	if (strcmp(name, NS_TABLE "table") != 0)
		return;
	if (o->table_depth++ > 0)
		return;
	const char *n = attr_ns(attrs, NS_TABLE "name");
	o->names = xgrow(o->names, &o->cap_names, o->nsheets + 1, sizeof *o->names);
	o->names[o->nsheets++] = xstrdup(n ? n : "");
}

static void XMLCALL list_end(void *ud, const XML_Char *name)
{
	struct ods *o = O((struct wb_xml *)ud);
	if (strcmp(name, NS_TABLE "table") == 0)
		o->table_depth--;
}

/* ---- values ---- */

static void add_value(struct ods *o, enum cell_type t, const char *s, size_t n)
{
	o->cell_type = t;
	sbuf_reset(&o->value);
	sbuf_add(&o->value, s, n);
}

static int digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* office:date-value: "yyyy-mm-dd" or "yyyy-mm-ddTHH:MM:SS[.fff]", perhaps
 * with a zone, which a sheet's local dates never need and which is dropped. */
static int date_value(const char *s, char *out, enum cell_type *t)
{
	int y, m, d, hh = 0, mm = 0, ss = 0;
	if (strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || !date_valid(y, m, d))
		return -1;
	if (s[10] == '\0' || s[10] == 'Z' || s[10] == '+' || s[10] == '-') {
		*t = CELL_DATE;
		snprintf(out, ODS_TEXT_BUF, "%04d-%02d-%02d", y, m, d);
		return 0;
	}
	const char *p = s + 10;
	if (*p != 'T' || digits(p + 1, 2, &hh) || p[3] != ':' || digits(p + 4, 2, &mm) || p[6] != ':' ||
	    digits(p + 7, 2, &ss) || hh > 23 || mm > 59 || ss > 59)
		return -1;
	p += 9;
	if (*p == '.' || *p == ',') {
		int round_up = p[1] >= '5' && p[1] <= '9';
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
		if (round_up && ++ss == 60) {
			int32_t days = days_from_civil(y, m, d);
			long secs = hh * 3600L + mm * 60 + 60;
			if (secs == 86400) {
				days++;
				secs = 0;
			}
			civil_from_days(days, &y, &m, &d);
			hh = (int)(secs / 3600);
			mm = (int)(secs / 60 % 60);
			ss = 0;
		}
	}
	if (*p && *p != 'Z' && *p != '+' && *p != '-')
		return -1;
	if (y > 9999)
		return -1;
	*t = CELL_DATETIME;
	snprintf(out, ODS_TEXT_BUF, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, hh, mm, ss);
	return 0;
}

/* office:time-value, an ISO 8601 duration: "PT12H30M00S", "PT36H00M00.5S",
 * "P1DT2H".  As a time of day (hours past 24 wrap, as a time-formatted
 * serial does in the other formats); a negative duration is no time. */
static int time_value(const char *s, char *out)
{
	double total = 0, v;
	int in_time = 0;
	if (*s++ != 'P')
		return -1;
	while (*s) {
		if (*s == 'T') {
			in_time = 1;
			s++;
			continue;
		}
		char *end;
		if (*s < '0' || *s > '9')
			return -1;
		v = strtod(s, &end);
		if (end == s)
			return -1;
		switch (*end) {
		case 'D': if (in_time) return -1; total += v * 86400; break;
		case 'H': if (!in_time) return -1; total += v * 3600; break;
		case 'M': if (!in_time) return -1; total += v * 60; break;
		case 'S': if (!in_time) return -1; total += v; break;
		default: return -1;
		}
		s = end + 1;
	}
	if (!isfinite(total))
		return -1;
	long long secs = llround(fmod(total, 86400.0));
	if (secs >= 86400)
		secs -= 86400;
	snprintf(out, ODS_TEXT_BUF, "%02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	return 0;
}

static void start_cell(struct ods *o, const char **attrs, int covered)
{
	char buf[WB_NUMBER_BUF];     /* dates and times need less: ODS_TEXT_BUF */
	unsigned long rep = repeat_of(attr_ns(attrs, NS_TABLE "number-columns-repeated"));
	o->in_cell = 1;
	o->cell_repeat = rep > MAX_COLS ? MAX_COLS + 1 : (unsigned)rep;
	o->cell_type = CELL_EMPTY;
	o->cell_from_text = 0;
	o->paragraphs = 0;
	o->pending_space = 0;
	sbuf_reset(&o->value);
	if (covered)
		return;
	unsigned long cs = repeat_of(attr_ns(attrs, NS_TABLE "number-columns-spanned"));
	unsigned long rs = repeat_of(attr_ns(attrs, NS_TABLE "number-rows-spanned"));
	if ((cs > 1 || rs > 1) && o->nmerges < MAX_MERGES && o->col < MAX_COLS) {
		o->merges = xgrow(o->merges, &o->cap_merges, o->nmerges + 1, sizeof *o->merges);
		o->merges[o->nmerges++] = (struct merge){ o->col, cs > MAX_COLS ? MAX_COLS : (unsigned)cs,
			o->rownum + 1, rs };
	}
	const char *vt = attr_ns(attrs, NS_OFFICE "value-type");
	const char *calc = attr_ns(attrs, NS_CALCEXT "value-type");
	const char *v;
	if (calc && strcmp(calc, "error") == 0) {
		o->cell_type = CELL_ERROR;
		o->cell_from_text = 1;
		return;
	}
	if (!vt || strcmp(vt, "void") == 0) {
		/* no value type: text without a type is still text */
		o->cell_type = CELL_EMPTY;
		o->cell_from_text = 1;
		return;
	}
	if (!strcmp(vt, "float") || !strcmp(vt, "percentage") || !strcmp(vt, "currency")) {
		char *end;
		v = attr_ns(attrs, NS_OFFICE "value");
		double d = v ? strtod(v, &end) : 0;
		if (!v || end == v || *end || wb_number_text(d, buf) < 0)
			add_value(o, CELL_ERROR, "#VALUE!", 7);
		else
			add_value(o, CELL_NUMBER, buf, strlen(buf));
	} else if (!strcmp(vt, "date")) {
		enum cell_type t;
		v = attr_ns(attrs, NS_OFFICE "date-value");
		if (!v || date_value(v, buf, &t) < 0)
			add_value(o, CELL_ERROR, "#VALUE!", 7);
		else
			add_value(o, t, buf, strlen(buf));
	} else if (!strcmp(vt, "time")) {
		v = attr_ns(attrs, NS_OFFICE "time-value");
		if (!v || time_value(v, buf) < 0)
			add_value(o, CELL_ERROR, "#VALUE!", 7);
		else
			add_value(o, CELL_TIME, buf, strlen(buf));
	} else if (!strcmp(vt, "boolean")) {
		v = attr_ns(attrs, NS_OFFICE "boolean-value");
		if (v && (!strcmp(v, "true") || !strcmp(v, "1")))
			add_value(o, CELL_BOOL, "true", 4);
		else if (v && (!strcmp(v, "false") || !strcmp(v, "0")))
			add_value(o, CELL_BOOL, "false", 5);
		else
			add_value(o, CELL_ERROR, "#VALUE!", 7);
	} else {
		/* string, or a type this reader does not know: its text */
		v = attr_ns(attrs, NS_OFFICE "string-value");
		if (v)
			add_value(o, CELL_TEXT, v, strlen(v));
		else {
			o->cell_type = CELL_TEXT;
			o->cell_from_text = 1;
		}
	}
}

static void put_cells(struct ods *o)
{
	unsigned n = o->cell_repeat;
	if (o->cell_type == CELL_EMPTY || (o->cell_type == CELL_TEXT && o->value.len == 0)) {
		o->col = o->col + n > MAX_COLS ? MAX_COLS + 1 : o->col + n;
		return;
	}
	if (o->col + n > MAX_COLS) {
		fail_at(o, o->col, "%s", "a cell with a value beyond the last column (XFD): refused");
		return;
	}
	unsigned long max = o->lim.max_empty_run ? o->lim.max_empty_run : DEFAULT_MAX_REPEAT;
	o->made_by_repeat += n - 1;
	if (o->made_by_repeat > max) {
		char what[64];
		snprintf(what, sizeof what, "%lu", max);
		fail_at(o, o->col, "repeated cells would make more than %s cells: refused", what);
		return;
	}
	for (unsigned k = 0; k < n; k++) {
		o->oc = xgrow(o->oc, &o->cap_oc, o->noc + 1, sizeof *o->oc);
		o->oc[o->noc++] = (struct ocell){ o->col++, o->cell_type, o->rowtext.len, o->value.len };
		sbuf_add(&o->rowtext, o->value.s ? o->value.s : "", o->value.len);
		sbuf_addc(&o->rowtext, '\0');
	}
	if (o->rowtext.len > MAX_ROW_BYTES)
		fail_at(o, (unsigned)-1, "%s", "a row longer than 64 MiB: refused");
}

/* ---- reading a sheet ---- */

static void text_add(struct ods *o, const char *s, size_t n)
{
	if (o->pending_space) {
		sbuf_addc(&o->value, ' ');
		o->pending_space = 0;
	}
	sbuf_add(&o->value, s, n);
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct wb_xml *x = ud;
	struct ods *o = O(x);
	if (strcmp(name, NS_TABLE "table") == 0) {
		if (o->table_depth++ == 0 && o->tables_seen++ == o->want)
			o->in_sheet = 1;
		return;
	}
	if (!o->in_sheet || o->table_depth != 1)
		return;
	if (o->skip_depth) {
		o->skip_depth++;
		return;
	}
	if (o->in_cell) {
		if (!o->cell_from_text)
			return;
		if (strcmp(name, NS_TEXT "p") == 0 || strcmp(name, NS_TEXT "h") == 0) {
			if (o->paragraphs++ > 0)
				sbuf_addc(&o->value, '\n');
			o->pending_space = 0;
			o->in_p = 1;
		} else if (strcmp(name, NS_TEXT "s") == 0) {
			unsigned long c = repeat_of(attr_ns(attrs, NS_TEXT "c"));
			for (unsigned long k = 0; k < c && k < 65536; k++)
				text_add(o, " ", 1);
		} else if (strcmp(name, NS_TEXT "tab") == 0) {
			text_add(o, "\t", 1);
		} else if (strcmp(name, NS_TEXT "line-break") == 0) {
			text_add(o, "\n", 1);
		} else if (strcmp(name, NS_OFFICE "annotation") == 0 ||
			   strcmp(name, NS_TEXT "note") == 0 ||
			   strcmp(name, NS_TEXT "ruby-text") == 0) {
			o->skip_depth = 1;
		}
		return;
	}
	if (strcmp(name, NS_TABLE "table-row") == 0) {
		o->row_repeat = repeat_of(attr_ns(attrs, NS_TABLE "number-rows-repeated"));
		o->col = 0;
		o->noc = 0;
		sbuf_reset(&o->rowtext);
	} else if (strcmp(name, NS_TABLE "table-cell") == 0) {
		start_cell(o, attrs, 0);
	} else if (strcmp(name, NS_TABLE "covered-table-cell") == 0) {
		start_cell(o, attrs, 1);
	}
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
	struct wb_xml *x = ud;
	struct ods *o = O(x);
	if (strcmp(name, NS_TABLE "table") == 0) {
		if (--o->table_depth == 0 && o->in_sheet) {
			o->in_sheet = 0;
			o->sheet_done = 1;
			wb_xml_pause(x);
		}
		return;
	}
	if (!o->in_sheet || o->table_depth != 1)
		return;
	if (o->skip_depth) {
		o->skip_depth--;
		return;
	}
	if (o->in_cell) {
		if (strcmp(name, NS_TABLE "table-cell") == 0 || strcmp(name, NS_TABLE "covered-table-cell") == 0) {
			o->in_cell = 0;
			if (o->cell_from_text && o->paragraphs > 0 && o->cell_type == CELL_EMPTY)
				o->cell_type = CELL_TEXT;
			if (o->cell_type == CELL_ERROR && o->value.len == 0)
				sbuf_addstr(&o->value, "#VALUE!");
			put_cells(o);
		} else if (strcmp(name, NS_TEXT "p") == 0 || strcmp(name, NS_TEXT "h") == 0) {
			o->in_p = 0;
			o->pending_space = 0;
		}
		return;
	}
	if (strcmp(name, NS_TABLE "table-row") == 0) {
		if (o->noc == 0) {
			o->rownum += o->row_repeat;
			o->empty_before += o->row_repeat;
			return;
		}
		if (o->rownum + o->row_repeat > MAX_ROWS) {
			fail_at(o, o->oc[0].col, "%s", "a row with a value beyond the last row (1048576): refused");
			return;
		}
		unsigned long max = o->lim.max_empty_run ? o->lim.max_empty_run : DEFAULT_MAX_REPEAT;
		o->made_by_repeat += (o->row_repeat - 1) * o->noc;
		if (o->made_by_repeat > max) {
			char what[64];
			snprintf(what, sizeof what, "%lu", max);
			fail_at(o, o->oc[0].col, "repeated rows would make more than %s cells: refused", what);
			return;
		}
		o->pending = o->row_repeat;
		o->row_ready = 1;
		wb_xml_pause(x);
	}
}

/* ODF white space: a run of spaces, tabs and line ends in a paragraph is
 * one space (text:s, text:tab and text:line-break say more). */
static void XMLCALL sheet_text(void *ud, const XML_Char *s, int len)
{
	struct ods *o = O((struct wb_xml *)ud);
	if (!o->in_p || o->skip_depth || !o->cell_from_text || o->table_depth != 1)
		return;
	int i = 0;
	while (i < len) {
		int j = i;
		while (j < len && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r')
			j++;
		if (j > i)
			text_add(o, s + i, (size_t)(j - i));
		if (j < len && o->value.len > 0 && o->value.s[o->value.len - 1] != '\n' &&
		    o->value.s[o->value.len - 1] != '\t')
			o->pending_space = 1;
		while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r'))
			j++;
		i = j;
	}
	if (o->value.len > MAX_ROW_BYTES)
		fail_at(o, o->col, "%s", "a cell longer than 64 MiB: refused");
}

/* ---- the ops ---- */

static void ods_close(struct workbook *wb)
{
	struct ods *o = (struct ods *)wb;
	if (!o)
		return;
	if (o->open_x)
		wb_xml_close(&o->x);
	wb_zip_close(o->z);
	for (size_t i = 0; i < o->nsheets; i++)
		free(o->names[i]);
	free(o->names);
	sbuf_release(&o->value);
	sbuf_release(&o->rowtext);
	free(o->oc);
	free(o->cells);
	free(o->merges);
	free(o);
}

static struct workbook *ods_open(const char *path, const struct wb_limits *limits, struct wb_error *err)
{
	struct ods *o = xcalloc(1, sizeof *o);
	if (limits)
		o->lim = *limits;
	memset(err, 0, sizeof *err);
	o->err = err;
	o->z = wb_zip_open(path, limits, err);
	if (!o->z)
		goto fail;
	if (wb_xml_open(&o->x, o->z, "content.xml", o, list_start, list_end, NULL, err) != 0)
		goto fail;
	o->open_x = 1;
	int rc = wb_xml_parse_all(&o->x);
	wb_xml_close(&o->x);
	o->open_x = 0;
	if (rc < 0) {
		char what[sizeof err->what];
		snprintf(what, sizeof what, "content.xml: %.240s", err->what);
		memcpy(err->what, what, sizeof what);
		goto fail;
	}
	if (o->nsheets == 0) {
		snprintf(err->what, sizeof err->what, "an .ods workbook without a sheet");
		goto fail;
	}
	return (struct workbook *)o;
fail:
	ods_close((struct workbook *)o);
	return NULL;
}

static size_t ods_sheet_count(const struct workbook *wb)
{
	return ((const struct ods *)wb)->nsheets;
}

static const char *ods_sheet_name(const struct workbook *wb, size_t i)
{
	const struct ods *o = (const struct ods *)wb;
	return i < o->nsheets ? o->names[i] : NULL;
}

static int ods_select(struct workbook *wb, size_t i, struct wb_error *err)
{
	struct ods *o = (struct ods *)wb;
	if (o->open_x) {
		wb_xml_close(&o->x);
		o->open_x = 0;
	}
	memset(err, 0, sizeof *err);
	if (i >= o->nsheets) {
		snprintf(err->what, sizeof err->what, "no sheet %zu", i + 1);
		return -1;
	}
	snprintf(err->sheet, sizeof err->sheet, "%s", o->names[i]);
	o->want = i;
	o->tables_seen = 0;
	o->table_depth = o->in_sheet = o->sheet_done = o->in_cell = o->in_p = o->skip_depth = 0;
	o->rownum = o->pending = o->empty_before = o->made_by_repeat = 0;
	o->noc = 0;
	o->nmerges = 0;
	o->err = err;
	if (wb_xml_open(&o->x, o->z, "content.xml", o, sheet_start, sheet_end, sheet_text, err) != 0)
		return -1;
	o->open_x = 1;
	return 0;
}

static int give_row(struct ods *o, struct wb_row *row, unsigned long *empty_rows_skipped)
{
	o->cells = xgrow(o->cells, &o->cap_cells, o->noc ? o->noc : 1, sizeof *o->cells);
	for (size_t k = 0; k < o->noc; k++)
		o->cells[k] = (struct wb_cell){ o->oc[k].col, o->oc[k].type,
			o->rowtext.s + o->oc[k].off, o->oc[k].len };
	if (empty_rows_skipped)
		*empty_rows_skipped += o->empty_before;
	o->empty_before = 0;
	o->pending--;
	o->rownum++;
	row->row = o->rownum;
	row->ncells = o->noc;
	row->cells = o->cells;
	return 1;
}

static int ods_next_row(struct workbook *wb, struct wb_row *row, unsigned long *empty_rows_skipped,
			struct wb_error *err)
{
	struct ods *o = (struct ods *)wb;
	if (o->pending > 0)
		return give_row(o, row, empty_rows_skipped);
	if (!o->open_x)
		return 0;
	o->err = err;
	o->x.err = err;
	memset(err, 0, sizeof *err);
	snprintf(err->sheet, sizeof err->sheet, "%s", o->names[o->want]);
	o->row_ready = 0;
	int rc = wb_xml_run(&o->x);
	if (rc < 0 || rc == 0 || o->sheet_done || !o->row_ready) {
		wb_xml_close(&o->x);
		o->open_x = 0;
		if (rc < 0)
			return -1;
		return 0;
	}
	return give_row(o, row, empty_rows_skipped);
}

/* Only the ranges of the rows read so far are known: the stream reader
 * asks about its header, which it has read. */
static int ods_merged_origin(struct workbook *wb, unsigned col, unsigned long row, unsigned *ocol,
			     unsigned long *orow, struct wb_error *err)
{
	const struct ods *o = (const struct ods *)wb;
	for (size_t i = 0; i < o->nmerges; i++) {
		const struct merge *m = &o->merges[i];
		if (col >= m->col && col - m->col < m->ncols && row >= m->row && row - m->row < m->nrows) {
			*ocol = m->col;
			*orow = m->row;
			return 1;
		}
	}
	return 0;
}

const struct wb_ops wb_ods_ops = {
	.open = ods_open,
	.close = ods_close,
	.sheet_count = ods_sheet_count,
	.sheet_name = ods_sheet_name,
	.select = ods_select,
	.next_row = ods_next_row,
	.merged_origin = ods_merged_origin,
};
