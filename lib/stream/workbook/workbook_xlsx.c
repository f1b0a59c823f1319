/* .xlsx (Office Open XML) through libzip and expat: the workbook's sheet
 * list and date system, the shared strings (held, within
 * limits.max_strings_bytes), the cell formats that make a number a date,
 * and each sheet streamed row by row (the parser pauses after a row). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
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

enum {
	DEFAULT_MAX_STRINGS = 256 * 1024 * 1024,
	DEFAULT_MAX_EMPTY = 10 * 1000 * 1000,
	MAX_ROW_BYTES = 64 * 1024 * 1024,
	MAX_COL = 16384,
};

enum fmt_kind { FK_NONE, FK_DATE, FK_DATETIME, FK_TIME };

struct rel {
	char *id, *type, *target;
};

struct xcell {
	unsigned col;
	enum cell_type type;
	size_t off, len;
};

struct xlsx {
	struct workbook_base base;
	struct wb_zip *z;
	struct wb_limits lim;
	int date1904;
	size_t nsheets;
	char **names, **parts;
	struct rel *rels;
	size_t nrels;
	/* shared strings: text of string i is strings.s + soff[i] */
	struct sbuf strings;
	size_t *soff, nstr, cap_str;
	/* styles */
	unsigned char *xf_kind;
	size_t nxf, cap_xf;
	unsigned *cfmt_id;
	unsigned char *cfmt_kind;
	size_t ncfmt, cap_cfmt;
	/* parsing state shared by the passes */
	struct wb_xml x;
	int depth_si, in_t, in_rph, in_cellxfs, in_numfmts;
	struct sbuf text;
	/* the sheet being read */
	size_t sheet;
	int reading;
	struct wb_error *err;            /* of the wb_next_row() in progress */
	unsigned long rownum, last_row, last_returned;
	unsigned long empty_run;
	unsigned next_col;
	int in_row, in_c, in_v, in_is, row_done, had_row_attr;
	unsigned c_col;
	char c_t[12];
	long c_s;
	struct sbuf v, rowtext;
	struct xcell *xc;
	size_t nxc, cap_xc;
	struct wb_cell *cells;
	size_t cap_cells;
	char cellname[16];
	/* the selected sheet's merged ranges, read on the first question */
	struct merge { unsigned c1, c2; unsigned long r1, r2; } *merges;
	size_t nmerges, cap_merges;
	int merges_read;
};

#define X(xml) ((struct xlsx *)(xml)->ud)

static void fail_at(struct xlsx *w, const char *what)
{
	wb_cell_name(w->c_col, w->rownum, w->err->cell);
	wb_xml_fail(&w->x, "%s", what);
}

/* ---- relationships and the workbook ---- */

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct xlsx *w = X((struct wb_xml *)ud);
	const char *id, *type, *target;

	if (strcmp(wb_xml_local(name), "Relationship") != 0)
		return;
	id = wb_xml_attr(attrs, "Id");
	type = wb_xml_attr(attrs, "Type");
	target = wb_xml_attr(attrs, "Target");
	if (!id || !type || !target)
		return;
	w->rels = xrealloc(w->rels, (w->nrels + 1) * sizeof(*w->rels));
	w->rels[w->nrels].id = xstrdup(id);
	w->rels[w->nrels].type = xstrdup(type);
	/* Targets are relative to xl/, or absolute from the package root. */
	if (target[0] == '/') {
		w->rels[w->nrels].target = xstrdup(target + 1);
	} else {
		struct sbuf b = SBUF_INIT;
		sbuf_addstr(&b, "xl/");
		sbuf_addstr(&b, target);
		w->rels[w->nrels].target = b.s;
	}
	w->nrels++;
}

static void XMLCALL no_end(void *ud, const XML_Char *name)
{
}

static const char *rel_target(const struct xlsx *w, const char *id)
{
	for (size_t i = 0; i < w->nrels; i++)
		if (strcmp(w->rels[i].id, id) == 0)
			return w->rels[i].target;
	return NULL;
}

/* The target of the first relationship whose type ends in "/suffix". */
static const char *rel_by_type(const struct xlsx *w, const char *suffix, const char *dflt)
{
	size_t n = strlen(suffix);

	for (size_t i = 0; i < w->nrels; i++) {
		size_t t = strlen(w->rels[i].type);
		if (t > n && w->rels[i].type[t - n - 1] == '/' &&
		    strcmp(w->rels[i].type + t - n, suffix) == 0)
			return w->rels[i].target;
	}
	return dflt;
}

static int truthy(const char *v)
{
	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

static void XMLCALL book_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct wb_xml *x = ud;
	struct xlsx *w = X(x);
	const char *local = wb_xml_local(name), *sname, *id, *part;

	if (strcmp(local, "workbookPr") == 0) {
		w->date1904 = truthy(wb_xml_attr(attrs, "date1904"));
	} else if (strcmp(local, "sheet") == 0) {
		sname = wb_xml_attr(attrs, "name");
		id = wb_xml_attr(attrs, "id");
		part = id ? rel_target(w, id) : NULL;
		if (!sname || !part) {
			wb_xml_fail(x, "xl/workbook.xml: sheet %s has no part in the workbook's "
				"relationships", sname ? sname : "(unnamed)");
			return;
		}
		w->names = xrealloc(w->names, (w->nsheets + 1) * sizeof(*w->names));
		w->parts = xrealloc(w->parts, (w->nsheets + 1) * sizeof(*w->parts));
		w->names[w->nsheets] = xstrdup(sname);
		w->parts[w->nsheets] = xstrdup(part);
		w->nsheets++;
	}
}

/* ---- shared strings ---- */

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct xlsx *w = X((struct wb_xml *)ud);
	const char *local = wb_xml_local(name);

	if (strcmp(local, "si") == 0) {
		w->depth_si = 1;
		sbuf_reset(&w->text);
	} else if (w->depth_si && strcmp(local, "rPh") == 0) {
		w->in_rph = 1;
	} else if (w->depth_si && !w->in_rph && strcmp(local, "t") == 0) {
		w->in_t = 1;
	}
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
	struct wb_xml *x = ud;
	struct xlsx *w = X(x);
	const char *local = wb_xml_local(name);
	size_t max = w->lim.max_strings_bytes ? w->lim.max_strings_bytes : DEFAULT_MAX_STRINGS;

	if (strcmp(local, "t") == 0) {
		w->in_t = 0;
	} else if (strcmp(local, "rPh") == 0) {
		w->in_rph = 0;
	} else if (strcmp(local, "si") == 0 && w->depth_si) {
		w->depth_si = 0;
		if (w->strings.len + w->text.len + 1 + (w->nstr + 1) * sizeof(size_t) > max) {
			wb_xml_fail(x, "xl/sharedStrings.xml: the shared strings need more than %zu "
				"bytes of memory (the limit; string %zu)", max, w->nstr + 1);
			return;
		}
		w->soff = xgrow(w->soff, &w->cap_str, w->nstr + 1, sizeof(*w->soff));
		w->soff[w->nstr++] = w->strings.len;
		sbuf_add(&w->strings, w->text.s ? w->text.s : "", w->text.len);
		sbuf_addc(&w->strings, '\0');
	}
}

static void XMLCALL sst_text(void *ud, const XML_Char *s, int len)
{
	struct wb_xml *x = ud;
	struct xlsx *w = X(x);
	size_t max = w->lim.max_strings_bytes ? w->lim.max_strings_bytes : DEFAULT_MAX_STRINGS;

	if (!w->in_t || w->in_rph)
		return;
	if (w->text.len + (size_t)len > max) {
		wb_xml_fail(x, "xl/sharedStrings.xml: string %zu alone is longer than the "
			"shared-strings limit (%zu bytes)", w->nstr + 1, max);
		return;
	}
	sbuf_add(&w->text, s, (size_t)len);
}

/* ---- styles: which cell formats are dates ---- */

/* d, m, y make a date; h, s a time; outside "quotes", [brackets] and
 * characters escaped by \, _ or *. */
static enum fmt_kind code_kind(const char *code)
{
	int date = 0, time = 0, month = 0, elapsed = 0;

	for (const char *p = code; *p; p++) {
		switch (*p) {
		case '"':
			while (p[1] && p[1] != '"')
				p++;
			if (p[1])
				p++;
			break;
		case '[': {
			/* [h], [mm], [ss]: a duration, kept as its number of days
			 * (a time of day would lose the whole days); [Red],
			 * [$-409]: no date letters. */
			const char *q = p + 1;
			while (*q == 'h' || *q == 'H' || *q == 'm' || *q == 'M' || *q == 's' || *q == 'S')
				q++;
			if (*q == ']' && q > p + 1)
				elapsed = 1;
			while (p[1] && p[1] != ']')
				p++;
			if (p[1])
				p++;
			break;
		}
		case '\\': case '_': case '*':
			if (p[1])
				p++;
			break;
		case 'd': case 'D': case 'y': case 'Y':
			date = 1;
			break;
		case 'h': case 'H': case 's': case 'S':
			time = 1;
			break;
		case 'm': case 'M':
			month = 1;
			break;
		case 'e': case 'E':
			/* "e" is the era year in date formats, an exponent in
			 * "0.00E+00": only a date when a date letter is there. */
			break;
		}
	}
	if (elapsed)
		return FK_NONE;
	if (month && !time)
		date = 1;
	return date && time ? FK_DATETIME : date ? FK_DATE : time ? FK_TIME : FK_NONE;
}

static enum fmt_kind builtin_kind(unsigned id)
{
	if (id >= 14 && id <= 17)
		return FK_DATE;
	if ((id >= 18 && id <= 21) || id == 45 || id == 47)     /* 46 is [h]:mm:ss, a duration */
		return FK_TIME;
	if (id == 22)
		return FK_DATETIME;
	return FK_NONE;
}

static enum fmt_kind fmt_kind_of(const struct xlsx *w, unsigned id)
{
	for (size_t i = 0; i < w->ncfmt; i++)
		if (w->cfmt_id[i] == id)
			return (enum fmt_kind)w->cfmt_kind[i];
	return builtin_kind(id);
}

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct xlsx *w = X((struct wb_xml *)ud);
	const char *local = wb_xml_local(name), *id, *code;

	if (strcmp(local, "cellXfs") == 0) {
		w->in_cellxfs = 1;
	} else if (strcmp(local, "numFmts") == 0) {
		w->in_numfmts = 1;
	} else if (w->in_numfmts && strcmp(local, "numFmt") == 0) {
		id = wb_xml_attr(attrs, "numFmtId");
		code = wb_xml_attr(attrs, "formatCode");
		if (!id || !code)
			return;
		size_t cap = w->cap_cfmt;
		w->cfmt_id = xgrow(w->cfmt_id, &cap, w->ncfmt + 1, sizeof(*w->cfmt_id));
		w->cfmt_kind = xgrow(w->cfmt_kind, &w->cap_cfmt, w->ncfmt + 1, sizeof(*w->cfmt_kind));
		w->cfmt_id[w->ncfmt] = (unsigned)strtoul(id, NULL, 10);
		w->cfmt_kind[w->ncfmt++] = (unsigned char)code_kind(code);
	} else if (w->in_cellxfs && strcmp(local, "xf") == 0) {
		id = wb_xml_attr(attrs, "numFmtId");
		w->xf_kind = xgrow(w->xf_kind, &w->cap_xf, w->nxf + 1, 1);
		w->xf_kind[w->nxf++] = (unsigned char)(id ? fmt_kind_of(w, (unsigned)strtoul(id, NULL, 10))
			: FK_NONE);
	}
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
	struct xlsx *w = X((struct wb_xml *)ud);
	const char *local = wb_xml_local(name);

	if (strcmp(local, "cellXfs") == 0)
		w->in_cellxfs = 0;
	else if (strcmp(local, "numFmts") == 0)
		w->in_numfmts = 0;
}

/* ---- opening ---- */

static int parse_part(struct xlsx *w, const char *part, int optional,
		      XML_StartElementHandler start, XML_EndElementHandler end,
		      XML_CharacterDataHandler text, struct wb_error *err)
{
	int rc;

	if (optional && !wb_zip_has(w->z, part))
		return 0;
	if (wb_xml_open(&w->x, w->z, part, w, start, end, text, err) != 0)
		return -1;
	rc = wb_xml_parse_all(&w->x);
	if (rc < 0 && strncmp(err->what, part, strlen(part)) != 0) {
		char what[sizeof(err->what)];
		int n = snprintf(what, sizeof(what), "%s: ", part);
		if (n > 0 && (size_t)n < sizeof(what))
			snprintf(what + n, sizeof(what) - (size_t)n, "%.*s",
				(int)(sizeof(what) - (size_t)n - 1), err->what);
		memcpy(err->what, what, sizeof(what));
	}
	wb_xml_close(&w->x);
	return rc;
}

static void xlsx_close(struct workbook *wb)
{
	struct xlsx *w = (struct xlsx *)wb;

	if (w->x.p || w->x.m)
		wb_xml_close(&w->x);
	for (size_t i = 0; i < w->nsheets; i++) {
		free(w->names[i]);
		free(w->parts[i]);
	}
	for (size_t i = 0; i < w->nrels; i++) {
		free(w->rels[i].id);
		free(w->rels[i].type);
		free(w->rels[i].target);
	}
	free(w->names);
	free(w->parts);
	free(w->rels);
	sbuf_release(&w->strings);
	free(w->soff);
	free(w->xf_kind);
	free(w->cfmt_id);
	free(w->cfmt_kind);
	sbuf_release(&w->text);
	sbuf_release(&w->v);
	sbuf_release(&w->rowtext);
	free(w->xc);
	free(w->cells);
	free(w->merges);
	wb_zip_close(w->z);
	free(w);
}

static struct workbook *xlsx_open(const char *path, const struct wb_limits *limits,
				  struct wb_error *err)
{
	struct xlsx *w = xcalloc(1, sizeof(*w));

	if (limits)
		w->lim = *limits;
	w->z = wb_zip_open(path, limits, err);
	if (!w->z)
		goto fail;
	if (parse_part(w, "xl/_rels/workbook.xml.rels", 0, rels_start, no_end, NULL, err) != 0 ||
	    parse_part(w, "xl/workbook.xml", 0, book_start, no_end, NULL, err) != 0 ||
	    parse_part(w, rel_by_type(w, "styles", "xl/styles.xml"), 1, styles_start,
		       styles_end, NULL, err) != 0 ||
	    parse_part(w, rel_by_type(w, "sharedStrings", "xl/sharedStrings.xml"), 1, sst_start,
		       sst_end, sst_text, err) != 0)
		goto fail;
	if (w->nsheets == 0) {
		snprintf(err->what, sizeof(err->what), "the workbook lists no sheet");
		goto fail;
	}
	return (struct workbook *)w;
fail:
	xlsx_close((struct workbook *)w);
	return NULL;
}

static size_t xlsx_sheet_count(const struct workbook *wb)
{
	return ((const struct xlsx *)wb)->nsheets;
}

static const char *xlsx_sheet_name(const struct workbook *wb, size_t i)
{
	const struct xlsx *w = (const struct xlsx *)wb;

	return i < w->nsheets ? w->names[i] : NULL;
}

/* ---- the sheet ---- */

/* "C14" → column 2 (0-based); -1 when not a reference. */
static long ref_col(const char *r)
{
	long col = 0;
	int n = 0;

	/* Four letters are already no column: stop there, before a long run
	 * of letters overflows col. */
	for (; *r >= 'A' && *r <= 'Z' && n <= 3; r++, n++)
		col = col * 26 + (*r - 'A' + 1);
	if (n == 0 || n > 3 || col > MAX_COL)
		return -1;
	return col - 1;
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct wb_xml *x = ud;
	struct xlsx *w = X(x);
	const char *local = wb_xml_local(name), *a;

	if (w->in_c) {
		if (strcmp(local, "v") == 0)
			w->in_v = 1;
		else if (strcmp(local, "is") == 0)
			w->in_is = 1;
		else if (w->in_is && strcmp(local, "rPh") == 0)
			w->in_rph = 1;
		else if (w->in_is && strcmp(local, "t") == 0)
			w->in_t = 1;
		return;
	}
	if (strcmp(local, "c") == 0 && w->in_row) {
		long col;
		a = wb_xml_attr(attrs, "r");
		col = a ? ref_col(a) : (long)w->next_col;
		if (col < 0 || col >= MAX_COL) {
			w->c_col = w->next_col;
			fail_at(w, a ? "a cell reference that is not one (r=\"...\")" :
				"more than 16384 columns");
			return;
		}
		if (w->nxc > 0 && (unsigned)col <= w->xc[w->nxc - 1].col) {
			w->c_col = (unsigned)col;
			fail_at(w, "cells out of column order in the row");
			return;
		}
		w->c_col = (unsigned)col;
		w->next_col = (unsigned)col + 1;
		a = wb_xml_attr(attrs, "t");
		snprintf(w->c_t, sizeof(w->c_t), "%s", a ? a : "n");
		a = wb_xml_attr(attrs, "s");
		w->c_s = a ? strtol(a, NULL, 10) : 0;
		w->in_c = 1;
		sbuf_reset(&w->v);
	} else if (strcmp(local, "row") == 0) {
		a = wb_xml_attr(attrs, "r");
		unsigned long r = a ? strtoul(a, NULL, 10) : w->last_row + 1;
		if (r <= w->last_row) {
			w->c_col = 0;
			w->rownum = r ? r : 1;
			fail_at(w, "rows out of order");
			return;
		}
		w->rownum = r;
		w->in_row = 1;
		w->next_col = 0;
		w->nxc = 0;
		sbuf_reset(&w->rowtext);
	}
}

static void XMLCALL sheet_text(void *ud, const XML_Char *s, int len)
{
	struct wb_xml *x = ud;
	struct xlsx *w = X(x);

	if (!w->in_c || !(w->in_v || (w->in_t && !w->in_rph)))
		return;
	if (w->v.len + (size_t)len > MAX_ROW_BYTES) {
		fail_at(w, "a cell longer than 64 MiB");
		return;
	}
	sbuf_add(&w->v, s, (size_t)len);
}

static int plain_decimal(const char *s, size_t n)
{
	size_t i = 0, digits = 0;

	if (i < n && s[i] == '-')
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < n && s[i] == '.') {
		size_t frac = 0;
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			frac++;
		if (!frac)
			return 0;
	}
	return digits > 0 && i == n;
}

static void add_cell(struct xlsx *w, enum cell_type type, size_t off)
{
	if (w->rowtext.len - off == 0 && type == CELL_TEXT)
		return;
	w->xc = xgrow(w->xc, &w->cap_xc, w->nxc + 1, sizeof(*w->xc));
	w->xc[w->nxc++] = (struct xcell){ w->c_col, type, off, w->rowtext.len - off };
	sbuf_addc(&w->rowtext, '\0');
}

static void end_cell(struct xlsx *w)
{
	const char *t = w->c_t, *v = w->v.s ? w->v.s : "", *why = NULL;
	size_t off = w->rowtext.len, n = w->v.len;

	w->in_c = w->in_v = w->in_is = w->in_t = w->in_rph = 0;
	if (strcmp(t, "inlineStr") == 0 || strcmp(t, "str") == 0) {
		sbuf_add(&w->rowtext, v, n);
		add_cell(w, CELL_TEXT, off);
	} else if (n == 0) {
		return;
	} else if (strcmp(t, "s") == 0) {
		char *end;
		errno = 0;
		unsigned long i = strtoul(v, &end, 10);
		if (*end || errno || i >= w->nstr) {
			fail_at(w, "a shared string that the workbook does not have");
			return;
		}
		sbuf_addstr(&w->rowtext, w->strings.s + w->soff[i]);
		add_cell(w, CELL_TEXT, off);
	} else if (strcmp(t, "b") == 0) {
		sbuf_addstr(&w->rowtext, strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ? "true" : "false");
		add_cell(w, CELL_BOOL, off);
	} else if (strcmp(t, "e") == 0) {
		sbuf_add(&w->rowtext, v, n);
		add_cell(w, CELL_ERROR, off);
	} else if (strcmp(t, "d") == 0) {
		/* ISO 8601 as stored: a date, or a date-time cut to seconds. */
		const char *tt = strchr(v, 'T');
		sbuf_add(&w->rowtext, v, tt ? (n > 19 ? 19 : n) : n);
		add_cell(w, tt ? CELL_DATETIME : CELL_DATE, off);
	} else {
		char *end;
		double d = strtod(v, &end);
		enum fmt_kind k = w->c_s >= 0 && (size_t)w->c_s < w->nxf ? w->xf_kind[w->c_s] : FK_NONE;
		if (*end || !isfinite(d)) {
			fail_at(w, "a number cell whose value is not a number");
			return;
		}
		if (k != FK_NONE) {
			enum cell_type ct = k == FK_DATE ? CELL_DATE : k == FK_TIME ? CELL_TIME : CELL_DATETIME;
			char buf[WB_DATE_BUF];
			if (wb_date_text(d, w->date1904, ct, buf, &why) < 0) {
				/* Not a date: the cell is an error the reader rejects. */
				sbuf_addstr(&w->rowtext, why);
				add_cell(w, CELL_ERROR, off);
				return;
			}
			sbuf_addstr(&w->rowtext, buf);
			add_cell(w, ct, off);
			return;
		}
		if (plain_decimal(v, n)) {
			sbuf_add(&w->rowtext, v, n);
		} else {
			char buf[WB_NUMBER_BUF];
			int len = wb_number_text(d, buf);
			sbuf_add(&w->rowtext, buf, len > 0 ? (size_t)len : 0);
		}
		add_cell(w, CELL_NUMBER, off);
	}
	if (w->rowtext.len > MAX_ROW_BYTES)
		fail_at(w, "a row longer than 64 MiB");
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
	struct wb_xml *x = ud;
	struct xlsx *w = X(x);
	const char *local = wb_xml_local(name);
	unsigned long max = w->lim.max_empty_run ? w->lim.max_empty_run : DEFAULT_MAX_EMPTY;

	if (w->in_c) {
		if (strcmp(local, "c") == 0) {
			size_t before = w->nxc;
			end_cell(w);
			if (w->nxc == before && ++w->empty_run > max) {
				char what[160];
				snprintf(what, sizeof(what), "more than %lu empty cells in a row "
					"(a sheet of empty cells?): refused", max);
				fail_at(w, what);
			} else if (w->nxc != before) {
				w->empty_run = 0;
			}
		} else if (strcmp(local, "t") == 0) {
			w->in_t = 0;
		} else if (strcmp(local, "rPh") == 0) {
			w->in_rph = 0;
		} else if (strcmp(local, "v") == 0) {
			w->in_v = 0;
		}
		return;
	}
	if (strcmp(local, "row") == 0 && w->in_row) {
		w->in_row = 0;
		w->last_row = w->rownum;
		if (w->nxc > 0) {
			w->row_done = 1;
			wb_xml_pause(x);
		} else if (++w->empty_run > max) {
			char what[160];
			w->c_col = 0;
			snprintf(what, sizeof(what), "more than %lu empty rows and cells in a row "
				"(a sheet of empty cells?): refused", max);
			fail_at(w, what);
		}
	}
}

static int xlsx_select(struct workbook *wb, size_t i, struct wb_error *err)
{
	struct xlsx *w = (struct xlsx *)wb;

	if (w->x.p || w->x.m)
		wb_xml_close(&w->x);
	memset(err, 0, sizeof(*err));
	snprintf(err->sheet, sizeof(err->sheet), "%s", i < w->nsheets ? w->names[i] : "?");
	if (i >= w->nsheets) {
		snprintf(err->what, sizeof(err->what), "no sheet %zu", i + 1);
		return -1;
	}
	w->sheet = i;
	w->in_row = w->in_c = w->in_v = w->in_is = w->in_t = w->in_rph = 0;
	w->last_row = w->last_returned = w->rownum = 0;
	w->empty_run = 0;
	w->merges_read = 0;
	w->nmerges = 0;
	w->err = err;
	if (wb_xml_open(&w->x, w->z, w->parts[i], w, sheet_start, sheet_end, sheet_text, err) != 0)
		return -1;
	w->reading = 1;
	return 0;
}

static int xlsx_next_row(struct workbook *wb, struct wb_row *row,
			 unsigned long *empty_rows_skipped, struct wb_error *err)
{
	struct xlsx *w = (struct xlsx *)wb;
	int rc;

	if (!w->reading)
		return 0;
	w->err = err;
	w->x.err = err;
	snprintf(err->sheet, sizeof(err->sheet), "%s", w->names[w->sheet]);
	err->cell[0] = '\0';
	w->row_done = 0;
	rc = wb_xml_run(&w->x);
	if (rc < 0) {
		w->reading = 0;
		return -1;
	}
	if (rc == 0 || !w->row_done) {
		if (w->last_row > w->last_returned && empty_rows_skipped)
			*empty_rows_skipped += w->last_row - w->last_returned;
		w->reading = 0;
		wb_xml_close(&w->x);
		return 0;
	}
	if (empty_rows_skipped)
		*empty_rows_skipped += w->rownum - w->last_returned - 1;
	w->last_returned = w->rownum;
	w->cells = xgrow(w->cells, &w->cap_cells, w->nxc, sizeof(*w->cells));
	for (size_t k = 0; k < w->nxc; k++)
		w->cells[k] = (struct wb_cell){ w->xc[k].col, w->xc[k].type,
			w->rowtext.s + w->xc[k].off, w->xc[k].len };
	row->row = w->rownum;
	row->ncells = w->nxc;
	row->cells = w->cells;
	return 1;
}

/* "C14" → col, row; the end pointer, or NULL. */
static const char *parse_ref(const char *s, unsigned *col, unsigned long *row)
{
	long c = 0;
	int n = 0;
	char *end;

	for (; *s >= 'A' && *s <= 'Z' && n < 4; s++, n++)
		c = c * 26 + (*s - 'A' + 1);
	if (n == 0 || n > 3 || c > MAX_COL || *s < '1' || *s > '9')
		return NULL;
	*col = (unsigned)(c - 1);
	*row = strtoul(s, &end, 10);
	return end;
}

enum { MAX_MERGES = 100000 };   /* those past it are not known: header merges come early */

static void XMLCALL merge_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct xlsx *w = X((struct wb_xml *)ud);
	const char *ref, *p;
	struct merge m;

	if (strcmp(wb_xml_local(name), "mergeCell") != 0 || w->nmerges >= MAX_MERGES ||
	    !(ref = wb_xml_attr(attrs, "ref")))
		return;
	p = parse_ref(ref, &m.c1, &m.r1);
	if (!p || *p != ':' || !(p = parse_ref(p + 1, &m.c2, &m.r2)) || *p ||
	    m.c2 < m.c1 || m.r2 < m.r1)
		return;
	w->merges = xgrow(w->merges, &w->cap_merges, w->nmerges + 1, sizeof(*w->merges));
	w->merges[w->nmerges++] = m;
}

static int xlsx_merged_origin(struct workbook *wb, unsigned col, unsigned long row,
			      unsigned *ocol, unsigned long *orow, struct wb_error *err)
{
	struct xlsx *w = (struct xlsx *)wb;

	if (!w->merges_read) {
		struct wb_xml mx;
		int rc;
		w->merges_read = 1;
		if (wb_xml_open(&mx, w->z, w->parts[w->sheet], w, merge_start, no_end, NULL, err) != 0)
			return -1;
		rc = wb_xml_parse_all(&mx);
		wb_xml_close(&mx);
		if (rc < 0)
			return -1;
	}
	for (size_t i = 0; i < w->nmerges; i++) {
		const struct merge *m = &w->merges[i];
		if (col >= m->c1 && col <= m->c2 && row >= m->r1 && row <= m->r2) {
			*ocol = m->c1;
			*orow = m->r1;
			return 1;
		}
	}
	return 0;
}

const struct wb_ops wb_xlsx_ops = {
	.merged_origin = xlsx_merged_origin,
	.open = xlsx_open,
	.close = xlsx_close,
	.sheet_count = xlsx_sheet_count,
	.sheet_name = xlsx_sheet_name,
	.select = xlsx_select,
	.next_row = xlsx_next_row,
};
