/* The .xls cells freexl reads wrong, from the workbook stream's BIFF8
 * records (see xls_fixups.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wb_date.h"
#include "wb_number.h"
#include "xalloc.h"
#include "xls_fixups.h"

static unsigned u16(const unsigned char *p)
{
	return (unsigned)(p[0] | p[1] << 8);
}

void xls_fixups_init(struct xls_fixups *fx)
{
	memset(fx, 0, sizeof *fx);
	sbuf_init(&fx->text);
	fx->pending = -1;
}

void xls_fixups_free(struct xls_fixups *fx)
{
	for (size_t i = 0; i < fx->nsheets; i++)
		free(fx->cells[i]);
	free(fx->cells);
	free(fx->n);
	free(fx->cap);
	free(fx->formats);
	free(fx->xf_kind);
	sbuf_release(&fx->text);
	xls_fixups_init(fx);
}

static const char *error_text(unsigned code)
{
	switch (code) {
	case 0x00: return "#NULL!";
	case 0x07: return "#DIV/0!";
	case 0x0F: return "#VALUE!";
	case 0x17: return "#REF!";
	case 0x1D: return "#NAME?";
	case 0x24: return "#NUM!";
	case 0x2A: return "#N/A";
	default: return "#ERROR! (an unknown error code)";
	}
}

static void add(struct xls_fixups *fx, unsigned row, unsigned col, enum cell_type type, const char *text, size_t n)
{
	size_t s = fx->nsheets - 1;
	if (fx->n[s] == fx->cap[s]) {
		fx->cap[s] = fx->cap[s] ? 2 * fx->cap[s] : 16;
		fx->cells[s] = xrealloc(fx->cells[s], fx->cap[s] * sizeof *fx->cells[s]);
	}
	struct xls_fixup *c = &fx->cells[s][fx->n[s]++];
	c->row = row;
	c->col = col;
	c->type = type;
	c->off = fx->text.len;
	sbuf_add(&fx->text, text, n);
	sbuf_addc(&fx->text, '\0');
}

static void add_utf8(struct sbuf *b, unsigned long cp)
{
	if (cp < 0x80) {
		sbuf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		sbuf_addc(b, (char)(0xC0 | cp >> 6));
		sbuf_addc(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		sbuf_addc(b, (char)(0xE0 | cp >> 12));
		sbuf_addc(b, (char)(0x80 | (cp >> 6 & 0x3F)));
		sbuf_addc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		sbuf_addc(b, (char)(0xF0 | cp >> 18));
		sbuf_addc(b, (char)(0x80 | (cp >> 12 & 0x3F)));
		sbuf_addc(b, (char)(0x80 | (cp >> 6 & 0x3F)));
		sbuf_addc(b, (char)(0x80 | (cp & 0x3F)));
	}
}

/* A STRING record (XLUnicodeString: cch, flags, characters) as UTF-8 into
 * out: 0, or -1 with *why (the text runs on into a CONTINUE record, or is
 * not well formed). */
static int string_result(const unsigned char *d, size_t len, struct sbuf *out, const char **why)
{
	*why = "formula string result split across records: not read";
	if (len < 3)
		return -1;
	size_t cch = u16(d), wide = d[2] & 1, need = 3 + cch * (wide ? 2 : 1);
	if (d[2] & 0x0C) {
		*why = "formula string result with rich-text or phonetic runs: not read";
		return -1;
	}
	if (len < need)
		return -1;
	for (size_t i = 0; i < cch; i++) {
		if (!wide) {
			add_utf8(out, d[3 + i]);
			continue;
		}
		unsigned long cp = u16(d + 3 + 2 * i);
		if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < cch && u16(d + 5 + 2 * i) >= 0xDC00 &&
		    u16(d + 5 + 2 * i) < 0xE000) {
			cp = 0x10000 + ((cp - 0xD800) << 10) + (u16(d + 5 + 2 * i) - 0xDC00);
			i++;
		} else if (cp >= 0xD800 && cp < 0xE000) {
			*why = "formula string result with a lone UTF-16 surrogate: not read";
			return -1;
		}
		add_utf8(out, cp);
	}
	return 0;
}

/* What a number format shows a number as: CELL_DATE, CELL_DATETIME,
 * CELL_TIME, or CELL_EMPTY (a number).  Letters in quotes, after a
 * backslash or in brackets (colours, conditions, [h]) are not counted;
 * "General" has none of y, d, h, s. */
static enum cell_type format_kind(const char *f, size_t n)
{
	int date = 0, time = 0;
	for (size_t i = 0; i < n; i++) {
		char c = f[i];
		if (c == '"') {
			while (++i < n && f[i] != '"')
				;
		} else if (c == '\\') {
			i++;
		} else if (c == '[') {
			if (i + 1 < n && (f[i + 1] == 'h' || f[i + 1] == 'H' || f[i + 1] == 'm' || f[i + 1] == 'M' ||
					  f[i + 1] == 's' || f[i + 1] == 'S'))
				time = 1;               /* [h]:mm:ss, elapsed time */
			while (++i < n && f[i] != ']')
				;
		} else if (c == 'y' || c == 'Y' || c == 'd' || c == 'D') {
			date = 1;
		} else if (c == 'h' || c == 'H' || c == 's' || c == 'S') {
			time = 1;
		} else if ((c == 'm' || c == 'M') && i + 2 < n && (f[i + 1] == 'm' || f[i + 1] == 'M') &&
			   (f[i + 2] == 'm' || f[i + 2] == 'M')) {
			date = 1;
		}
	}
	return date && time ? CELL_DATETIME : date ? CELL_DATE : time ? CELL_TIME : CELL_EMPTY;
}

static enum cell_type builtin_kind(unsigned ifmt)
{
	if (ifmt >= 14 && ifmt <= 17)
		return CELL_DATE;
	if ((ifmt >= 18 && ifmt <= 21) || (ifmt >= 45 && ifmt <= 47))
		return CELL_TIME;
	return ifmt == 22 ? CELL_DATETIME : CELL_EMPTY;
}

static void globals_record(struct xls_fixups *fx, unsigned type, const unsigned char *d, size_t len)
{
	if (type == 0x0022 && len >= 2) {                       /* DATEMODE */
		fx->date1904 = u16(d) == 1;
	} else if (type == 0x041E && len >= 5) {                /* FORMAT: ifmt, XLUnicodeString */
		struct sbuf t = SBUF_INIT;
		const char *why;
		enum cell_type kind = CELL_EMPTY;
		if (string_result(d + 2, len - 2, &t, &why) == 0)
			kind = format_kind(t.s ? t.s : "", t.len);
		sbuf_release(&t);
		fx->formats = xrealloc(fx->formats, (fx->nformats + 1) * sizeof *fx->formats);
		fx->formats[fx->nformats].ifmt = u16(d);
		fx->formats[fx->nformats++].kind = kind;
	} else if (type == 0x00E0 && len >= 4) {                /* XF: ifnt, ifmt, ... */
		unsigned ifmt = u16(d + 2);
		enum cell_type kind = builtin_kind(ifmt);
		for (size_t i = 0; i < fx->nformats; i++)
			if (fx->formats[i].ifmt == ifmt)
				kind = fx->formats[i].kind;
		fx->xf_kind = xrealloc(fx->xf_kind, fx->nxf + 1);
		fx->xf_kind[fx->nxf++] = (unsigned char)kind;
	}
}

void xls_fixups_record(struct xls_fixups *fx, int biff8, unsigned type, const unsigned char *d, size_t len)
{
	if (type == 0x0809) {                                   /* BOF */
		fx->in_sheet++;
		fx->globals = fx->in_sheet == 1 && len >= 4 && u16(d + 2) == 0x0005;
		if (fx->in_sheet == 1 && len >= 4 && u16(d + 2) == 0x0010) {
			fx->nsheets++;
			fx->cells = xrealloc(fx->cells, fx->nsheets * sizeof *fx->cells);
			fx->n = xrealloc(fx->n, fx->nsheets * sizeof *fx->n);
			fx->cap = xrealloc(fx->cap, fx->nsheets * sizeof *fx->cap);
			fx->cells[fx->nsheets - 1] = NULL;
			fx->n[fx->nsheets - 1] = fx->cap[fx->nsheets - 1] = 0;
		} else if (fx->in_sheet == 1 && !fx->globals) {
			fx->in_sheet = -1000;                   /* not a worksheet: its cells are not freexl's */
		}
		fx->pending = -1;
		return;
	}
	if (type == 0x000A) {                                   /* EOF */
		fx->in_sheet = fx->in_sheet < 0 ? 0 : fx->in_sheet - 1;
		fx->pending = -1;
		return;
	}
	if (fx->globals && fx->in_sheet == 1 && biff8) {
		globals_record(fx, type, d, len);
		return;
	}
	if (fx->in_sheet != 1 || !biff8 || fx->nsheets == 0)
		return;
	size_t s = fx->nsheets - 1;
	if (type == 0x0207 && fx->pending >= 0) {               /* STRING after a FORMULA */
		struct xls_fixup *c = &fx->cells[s][fx->pending];
		struct sbuf t = SBUF_INIT;
		const char *why;
		fx->pending = -1;
		if (string_result(d, len, &t, &why) == 0) {
			c->type = t.len ? CELL_TEXT : CELL_EMPTY;
			c->off = fx->text.len;
			sbuf_add(&fx->text, t.s ? t.s : "", t.len);
			sbuf_addc(&fx->text, '\0');
		} else {
			c->type = CELL_ERROR;
			c->off = fx->text.len;
			sbuf_addstr(&fx->text, why);
			sbuf_addc(&fx->text, '\0');
		}
		sbuf_release(&t);
		return;
	}
	if (type == 0x0205 && len >= 8) {                       /* BOOLERR */
		const char *t = d[7] ? error_text(d[6]) : d[6] ? "true" : "false";
		add(fx, u16(d), u16(d + 2), d[7] ? CELL_ERROR : CELL_BOOL, t, strlen(t));
	} else if (type == 0x0006 && len >= 14) {               /* FORMULA */
		const unsigned char *r = d + 6;
		unsigned row = u16(d), col = u16(d + 2);
		if (u16(r + 6) == 0xFFFF) {
			const char *t;
			switch (r[0]) {
			case 0:                                 /* string: in the STRING record */
				t = "formula string result without its STRING record";
				add(fx, row, col, CELL_ERROR, t, strlen(t));
				fx->pending = (long)fx->n[s] - 1;
				return;
			case 1:
				t = r[2] ? "true" : "false";
				add(fx, row, col, CELL_BOOL, t, strlen(t));
				break;
			case 2:
				t = error_text(r[2]);
				add(fx, row, col, CELL_ERROR, t, strlen(t));
				break;
			case 3:
				add(fx, row, col, CELL_EMPTY, "", 0);
				break;
			default:
				t = "#ERROR! (a formula result of unknown kind)";
				add(fx, row, col, CELL_ERROR, t, strlen(t));
			}
		} else {
			uint64_t bits = 0;
			double x;
			char num[WB_NUMBER_BUF];
			unsigned xf = u16(d + 4);
			enum cell_type kind = xf < fx->nxf ? (enum cell_type)fx->xf_kind[xf] : CELL_EMPTY;
			const char *why;
			for (int i = 7; i >= 0; i--)
				bits = bits << 8 | r[i];
			memcpy(&x, &bits, sizeof x);
			if (kind != CELL_EMPTY) {
				if (wb_date_text(x, fx->date1904, kind, num, &why) < 0)
					add(fx, row, col, CELL_ERROR, why, strlen(why));
				else
					add(fx, row, col, kind, num, strlen(num));
			} else if (wb_number_text(x, num) < 0)
				add(fx, row, col, CELL_ERROR, "#NUM!", 5);
			else
				add(fx, row, col, CELL_NUMBER, num, strlen(num));
		}
	}
	if (type == 0x0205 || type == 0x0006 || type == 0x0203 || type == 0x00FD || type == 0x027E ||
	    type == 0x00BD || type == 0x0201 || type == 0x0204)
		fx->pending = -1;                               /* another cell: no STRING follows */
}

static int by_place(const void *a, const void *b)
{
	const struct xls_fixup *x = a, *y = b;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;  /* the later record last */
}

void xls_fixups_end(struct xls_fixups *fx)
{
	for (size_t s = 0; s < fx->nsheets; s++)
		if (fx->n[s] > 1)
			qsort(fx->cells[s], fx->n[s], sizeof *fx->cells[s], by_place);
}

void xls_fixups_extent(const struct xls_fixups *fx, size_t sheet, unsigned *rows, unsigned *cols)
{
	*rows = *cols = 0;
	if (sheet >= fx->nsheets)
		return;
	for (size_t i = 0; i < fx->n[sheet]; i++) {
		if (fx->cells[sheet][i].row + 1 > *rows)
			*rows = fx->cells[sheet][i].row + 1;
		if (fx->cells[sheet][i].col + 1 > *cols)
			*cols = fx->cells[sheet][i].col + 1;
	}
}

void xls_fix_row(const struct xls_fixups *fx, size_t sheet, unsigned row,
		 struct wb_cell *cells, size_t *offs, size_t *k, size_t cap, struct sbuf *buf)
{
	if (sheet >= fx->nsheets || fx->n[sheet] == 0)
		return;
	const struct xls_fixup *a = fx->cells[sheet];
	size_t lo = 0, hi = fx->n[sheet];
	while (lo < hi) {                                       /* the row's first fixed cell */
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid].row < row)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < fx->n[sheet] && a[i].row == row; i++) {
		const char *t = fx->text.s + a[i].off;
		size_t j = 0;
		while (j < *k && cells[j].col < a[i].col)
			j++;
		if (a[i].type == CELL_EMPTY) {
			if (j < *k && cells[j].col == a[i].col) {
				memmove(cells + j, cells + j + 1, (*k - j - 1) * sizeof *cells);
				memmove(offs + j, offs + j + 1, (*k - j - 1) * sizeof *offs);
				--*k;
			}
			continue;
		}
		if (j == *k || cells[j].col != a[i].col) {
			if (*k >= cap)
				continue;                       /* cannot happen: cap covers the extent */
			memmove(cells + j + 1, cells + j, (*k - j) * sizeof *cells);
			memmove(offs + j + 1, offs + j, (*k - j) * sizeof *offs);
			++*k;
		}
		cells[j].col = a[i].col;
		cells[j].type = a[i].type;
		cells[j].len = strlen(t);
		offs[j] = buf->len;
		sbuf_add(buf, t, cells[j].len + 1);
	}
}
