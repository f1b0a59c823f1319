/* A workbook's sheet as records: header from the first non-empty row,
 * cells placed by column, error cells as rejects.  Standard input that
 * is a workbook is copied to a temporary file, since zip and OLE2 files
 * are read by seeking. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "reader_workbook.h"
#include "sbuf.h"
#include "trim.h"
#include "xalloc.h"

/* A row kept past the next wb_next_row(): one looked at ahead. */
struct saved_row {
	struct wb_row row;
	struct wb_cell *cells;
	size_t cap;
	struct sbuf text;
};

struct reader_wb {
	struct workbook *wb;
	const char *name;
	char *tmp;                   /* the copy of standard input, removed at close */
	int all;                     /* sheet "*" */
	size_t sheet;
	unsigned first_col, ncols;
	unsigned long empty_rows;
	int ended;
	const struct header *h;
	char where[300];
	struct wb_error err;
	struct saved_row title, ahead;
	int have_ahead;              /* ahead holds the first data row, read to judge a title */
};

static void save_row(struct saved_row *s, const struct wb_row *row)
{
	size_t *off;

	sbuf_reset(&s->text);
	s->cells = xgrow(s->cells, &s->cap, row->ncells ? row->ncells : 1, sizeof(*s->cells));
	off = xmalloc((row->ncells ? row->ncells : 1) * sizeof(*off));
	for (size_t i = 0; i < row->ncells; i++) {
		off[i] = s->text.len;
		sbuf_add(&s->text, row->cells[i].text, row->cells[i].len);
		sbuf_addc(&s->text, '\0');
	}
	for (size_t i = 0; i < row->ncells; i++) {
		s->cells[i] = row->cells[i];
		s->cells[i].text = s->text.s + off[i];
	}
	free(off);
	s->row = *row;
	s->row.cells = s->cells;
}

static void release_row(struct saved_row *s)
{
	free(s->cells);
	sbuf_release(&s->text);
}

static void wb_warn(const struct reader_wb *w, const struct wb_error *e)
{
	if (e->sheet[0] && e->cell[0])
		civic_warn("%s:%s!%s: %s", w->name, e->sheet, e->cell, e->what);
	else if (e->sheet[0])
		civic_warn("%s:%s: %s", w->name, e->sheet, e->what);
	else
		civic_warn("%s: %s", w->name, e->what);
}

static ssize_t read_full(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, buf + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

/* Standard input, its first n bytes already read into head, copied whole
 * to a temporary file. */
static char *copy_stdin(const unsigned char *head, size_t n, const char *name)
{
	const char *dir = getenv("TMPDIR");
	struct sbuf path = SBUF_INIT;
	char buf[65536];
	ssize_t k;
	int fd;

	sbuf_printf(&path, "%s/civic-workbook-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path.s);
	if (fd < 0) {
		civic_warn("%s: cannot make a temporary copy of the workbook (%s):", name, path.s);
		sbuf_release(&path);
		return NULL;
	}
	if (write(fd, head, n) != (ssize_t)n)
		goto fail;
	while ((k = read(0, buf, sizeof(buf))) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 || write(fd, buf, (size_t)k) != k)
			goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	return path.s;
fail:
	civic_warn("%s: copying the workbook to %s:", name, path.s);
	if (fd >= 0)
		close(fd);
	unlink(path.s);
	sbuf_release(&path);
	return NULL;
}

/* Which workbook path is, without consuming a pipe's bytes for nothing:
 * they are handed back in head. */
static enum wb_kind probe(const char *path, unsigned char *head, size_t *nhead, int *is_stdin)
{
	unsigned char b[8];
	struct stat st;
	ssize_t n;
	int fd;

	*nhead = 0;
	*is_stdin = !path || strcmp(path, "-") == 0;
	if (!*is_stdin) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return WB_NONE;          /* the byte source says why */
		n = read_full(fd, b, sizeof(b));
		close(fd);
		return n > 0 ? wb_sniff(b, (size_t)n) : WB_NONE;
	}
	if (fstat(0, &st) == 0 && S_ISREG(st.st_mode)) {
		off_t at = lseek(0, 0, SEEK_CUR);
		n = at < 0 ? -1 : pread(0, b, sizeof(b), at);
		return n > 0 ? wb_sniff(b, (size_t)n) : WB_NONE;
	}
	n = read_full(0, head, sizeof(b));
	if (n <= 0)
		return WB_NONE;
	*nhead = (size_t)n;
	return wb_sniff(head, (size_t)n);
}

static int choose_sheet(struct reader_wb *w, const char *sheet)
{
	size_t n = wb_sheet_count(w->wb);
	char *end;
	unsigned long k;
	struct sbuf names = SBUF_INIT;

	if (!sheet || strcmp(sheet, "*") == 0) {
		w->sheet = 0;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(wb_sheet_name(w->wb, i), sheet) == 0) {
			w->sheet = i;
			return 0;
		}
	k = strtoul(sheet, &end, 10);
	if (*sheet >= '0' && *sheet <= '9' && !*end && k >= 1 && k <= n) {
		w->sheet = k - 1;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		sbuf_printf(&names, "%s'%s'", i ? ", " : "", wb_sheet_name(w->wb, i));
	civic_warn("%s: no sheet '%s' (its sheets: %s)", w->name, sheet, sbuf_cstr(&names));
	sbuf_release(&names);
	return -1;
}

static void add_name(struct header *h, const char *s, size_t n)
{
	trim_blanks(&s, &n);
	char *name = xstrndup(s, n);
	header_add(h, name, COL_STRING);
	free(name);
}

/* A header cell left empty because a merged range covers it takes the
 * range's text and its place in the range: "Address", "Address 2", …;
 * any other empty header cell is an error. */
static int merged_name(struct reader_wb *w, struct header *h, unsigned i, unsigned long row)
{
	unsigned col = w->first_col + i, ocol;
	unsigned long orow;
	char cell[16];
	int rc = wb_merged_origin(w->wb, col, row, &ocol, &orow, &w->err);

	wb_cell_name(col, row, cell);
	if (rc < 0) {
		wb_warn(w, &w->err);
		return -1;
	}
	if (rc == 0 || orow != row || ocol >= col || ocol < w->first_col) {
		civic_warn("%s!%s: the header cell is empty (column %u has no name)",
			w->where, cell, i + 1);
		return -1;
	}
	struct sbuf name = SBUF_INIT;
	sbuf_printf(&name, "%s %u", h->names[ocol - w->first_col], col - ocol + 1);
	header_add(h, name.s, COL_STRING);
	sbuf_release(&name);
	return 0;
}

/* The first non-empty row as the header; 1, 0 when the sheet is empty,
 * -1 after a message. */
static int read_header(struct reader_wb *w, struct header *h)
{
	struct wb_row row;
	char cell[16];
	int rc;

	header_release(h);
	header_init(h);
	w->empty_rows = 0;
	snprintf(w->where, sizeof(w->where), "%s:%s", w->name, wb_sheet_name(w->wb, w->sheet));
	if (wb_select(w->wb, w->sheet, &w->err) != 0) {
		wb_warn(w, &w->err);
		return -1;
	}
	w->have_ahead = 0;
	rc = wb_next_row(w->wb, &row, &w->empty_rows, &w->err);
	if (rc < 0) {
		wb_warn(w, &w->err);
		return -1;
	}
	if (rc == 0)
		return 0;
	/* One cell above a wider row is a title ("Registry for March"), not
	 * the header: the wider row is. */
	w->empty_rows = 0;           /* rows above the header are not data */
	if (row.ncells == 1) {
		save_row(&w->title, &row);
		rc = wb_next_row(w->wb, &row, &w->empty_rows, &w->err);
		if (rc < 0) {
			wb_warn(w, &w->err);
			return -1;
		}
		if (rc > 0 && row.ncells > 1) {
			w->empty_rows = 0;
			wb_cell_name(w->title.row.cells[0].col, w->title.row.row, cell);
			civic_warn("%s!%s: '%s' is taken for a title above the header and passed over",
				w->where, cell, w->title.row.cells[0].text);
		} else {
			if (rc > 0) {
				save_row(&w->ahead, &row);
				w->have_ahead = 1;
			}
			row = w->title.row;
		}
	}
	w->first_col = row.cells[0].col;
	w->ncols = row.cells[row.ncells - 1].col - w->first_col + 1;
	for (size_t i = 0, k = 0; i < w->ncols; i++) {
		const struct wb_cell *c = &row.cells[k];
		if (c->col != w->first_col + i) {
			if (merged_name(w, h, (unsigned)i, row.row) != 0)
				return -1;
			continue;
		}
		add_name(h, c->text, c->len);
		k++;
	}
	for (size_t i = 0; i < h->n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(h->names[i], h->names[j]) == 0) {
				wb_cell_name(w->first_col + (unsigned)i, row.row, cell);
				civic_warn("%s!%s: duplicate column name '%s' (columns %zu and %zu)",
					w->where, cell, h->names[i], j + 1, i + 1);
				return -1;
			}
	return 1;
}

/* Reads headers until a sheet has one (with "*"), or the chosen sheet's. */
static int start_sheet(struct reader_wb *w, struct header *h)
{
	w->h = h;
	for (;;) {
		int rc = read_header(w, h);
		if (rc == 1)
			return 1;
		if (rc == 0 && !w->all) {
			civic_warn("%s: the sheet is empty (no header row)", w->where);
			return -1;
		}
		if (!w->all)
			return -1;
		if (rc == 0)
			civic_warn("%s: the sheet is empty; passed over", w->where);
		if (++w->sheet >= wb_sheet_count(w->wb))
			return 0;
	}
}

/* The limits a workbook is read within: the defaults of each format,
 * unless CIVIC_WB_MAX_PART, CIVIC_WB_MAX_RATIO, CIVIC_WB_MAX_STRINGS or
 * CIVIC_WB_MAX_EMPTY say otherwise (civic-ingest(1), LIMITS). */
static void limits_from_env(struct wb_limits *l)
{
	const char *e;

	memset(l, 0, sizeof(*l));
	if ((e = getenv("CIVIC_WB_MAX_PART")))
		l->max_part_bytes = strtoull(e, NULL, 10);
	if ((e = getenv("CIVIC_WB_MAX_RATIO")))
		l->max_ratio = (unsigned)strtoul(e, NULL, 10);
	if ((e = getenv("CIVIC_WB_MAX_STRINGS")))
		l->max_strings_bytes = (size_t)strtoull(e, NULL, 10);
	if ((e = getenv("CIVIC_WB_MAX_EMPTY")))
		l->max_empty_run = strtoul(e, NULL, 10);
}

int reader_wb_open(const char *path, const char *name, const char *sheet,
		   struct header *h, struct reader_wb **out, unsigned char *head, size_t *nhead)
{
	int is_stdin, rc;
	enum wb_kind kind = probe(path, head, nhead, &is_stdin);
	struct reader_wb *w;

	*out = NULL;
	if (kind == WB_NONE)
		return 0;
	w = xcalloc(1, sizeof(*w));
	w->name = name;
	w->all = sheet && strcmp(sheet, "*") == 0;
	if (is_stdin) {
		w->tmp = copy_stdin(head, *nhead, name);
		*nhead = 0;
		if (!w->tmp)
			goto fail;
	}
	struct wb_limits limits;
	limits_from_env(&limits);
	w->wb = wb_open(w->tmp ? w->tmp : path, kind, &limits, &w->err);
	if (!w->wb) {
		wb_warn(w, &w->err);
		goto fail;
	}
	if (choose_sheet(w, sheet) != 0)
		goto fail;
	rc = start_sheet(w, h);
	if (rc <= 0) {
		if (rc == 0)
			civic_warn("%s: no sheet has a header row", name);
		goto fail;
	}
	*out = w;
	return 1;
fail:
	reader_wb_close(w);
	return -1;
}

int reader_wb_next_sheet(struct reader_wb *w, struct header *h)
{
	if (!w->all || ++w->sheet >= wb_sheet_count(w->wb))
		return 0;
	w->ended = 0;
	return start_sheet(w, h);
}

/* The row's text as CSV, for the rejects stream. */
static void raw_row(struct record *rec, const struct wb_row *row, unsigned first, unsigned n)
{
	size_t k = 0;

	sbuf_reset(&rec->raw);
	for (unsigned i = 0; i < n; i++) {
		const struct wb_cell *c = NULL;
		while (k < row->ncells && row->cells[k].col < first + i)
			k++;
		if (k < row->ncells && row->cells[k].col == first + i)
			c = &row->cells[k];
		if (i)
			sbuf_addc(&rec->raw, ',');
		if (!c)
			continue;
		if (strpbrk(c->text, ",\"\r\n")) {
			sbuf_addc(&rec->raw, '"');
			for (const char *p = c->text; *p; p++) {
				if (*p == '"')
					sbuf_addc(&rec->raw, '"');
				sbuf_addc(&rec->raw, *p);
			}
			sbuf_addc(&rec->raw, '"');
		} else {
			sbuf_add(&rec->raw, c->text, c->len);
		}
	}
}

int reader_wb_next(struct reader_wb *w, struct record *rec, struct reject *why)
{
	struct wb_row row;
	int rc, bad = 0;
	size_t k;

	if (w->ended)
		return 0;
	if (w->have_ahead) {
		w->have_ahead = 0;
		row = w->ahead.row;
		rc = 1;
	} else {
		rc = wb_next_row(w->wb, &row, &w->empty_rows, &w->err);
	}
	if (rc <= 0) {
		w->ended = 1;
		if (rc < 0) {
			wb_warn(w, &w->err);
			return -2;
		}
		return 0;
	}
	rec_clear(rec);
	rec->line = row.row;
	rec->sheet = wb_sheet_name(w->wb, w->sheet);
	rec->first_col = w->first_col;
	why->field = -1;
	k = 0;
	for (unsigned i = 0; i < w->ncols; i++) {
		const struct wb_cell *c = NULL;
		while (k < row.ncells && row.cells[k].col < w->first_col + i)
			k++;
		if (k < row.ncells && row.cells[k].col == w->first_col + i)
			c = &row.cells[k];
		rec_push(rec, c ? c->text : "", c ? c->len : 0);
		if (c && c->type == CELL_ERROR && !bad) {
			bad = 1;
			reject_set(why, "cell-error", w->h->names[i], c->text[0] == '#' ?
				"the cell holds the error %s" : "%s", c->text);
			why->field = (long)i;
		}
	}
	if (!bad && (row.cells[0].col < w->first_col ||
	    row.cells[row.ncells - 1].col >= w->first_col + w->ncols)) {
		const struct wb_cell *c = row.cells[0].col < w->first_col ? &row.cells[0]
			: &row.cells[row.ncells - 1];
		char cell[16], a[16], b[16];
		wb_cell_name(c->col, row.row, cell);
		wb_cell_name(w->first_col, 1, a);
		wb_cell_name(w->first_col + w->ncols - 1, 1, b);
		a[strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")] = '\0';
		b[strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")] = '\0';
		bad = 1;
		reject_set(why, "field-count", "", "cell %s holds '%s', outside the header's "
			"columns %s to %s", cell, c->text, a, b);
	}
	raw_row(rec, &row, w->first_col, w->ncols);
	return bad ? -1 : 1;
}

const char *reader_wb_where(const struct reader_wb *w)
{
	return w->where;
}

const char *reader_wb_sheet(const struct reader_wb *w)
{
	return wb_sheet_name(w->wb, w->sheet);
}

unsigned long reader_wb_empty_rows(const struct reader_wb *w)
{
	return w->empty_rows;
}

void reader_wb_close(struct reader_wb *w)
{
	if (!w)
		return;
	wb_close(w->wb);
	release_row(&w->title);
	release_row(&w->ahead);
	if (w->tmp) {
		unlink(w->tmp);
		free(w->tmp);
	}
	free(w);
}
