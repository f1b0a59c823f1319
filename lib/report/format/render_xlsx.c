#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "error.h"
#include "lang.h"
#include "render_cell.h"
#include "utf8.h"
#include "xalloc.h"

/* The workbook's own words are in the language files (xlsx.*), beside
 * those the other formats share (headings, column labels, footnotes come
 * from render_cell.c). */

enum { MAX_WIDTH = 60, SHEET_NAME_MAX = 31 };

struct numfmt {
	char *code;
	lxw_format *f;
};

struct book {
	lxw_workbook *wb;
	lxw_format *bold, *right;
	struct numfmt *fmts;
	size_t nfmts;
	char **names;                /* sheet names taken, ASCII case folded */
	size_t nnames;
	lxw_error err;               /* the first write that failed */
};

static void check(struct book *bk, lxw_error e)
{
	if (e != LXW_NO_ERROR && bk->err == LXW_NO_ERROR)
		bk->err = e;
}

static lxw_format *number_format(struct book *bk, const char *code)
{
	for (size_t i = 0; i < bk->nfmts; i++)
		if (strcmp(bk->fmts[i].code, code) == 0)
			return bk->fmts[i].f;
	bk->fmts = xrealloc(bk->fmts, (bk->nfmts + 1) * sizeof(*bk->fmts));
	bk->fmts[bk->nfmts].code = xstrdup(code);
	bk->fmts[bk->nfmts].f = workbook_add_format(bk->wb);
	format_set_num_format(bk->fmts[bk->nfmts].f, code);
	return bk->fmts[bk->nfmts++].f;
}

/* The Excel number format that shows column c as the other formats do:
 * percentages for shares, thousands separated, the same decimals, a sign
 * on changes, and the cell's marker (†, ▲, ▼) after the number. */
static void format_code(struct sbuf *b, const struct report *rep, const struct rtable *t,
	size_t c, const char *mark)
{
	const struct rcol *col = &t->cols[c];
	struct sbuf body = SBUF_INIT;
	int digits = render_col_digits(rep, t, c);
	int percent = render_col_scale(t, c) == 100;

	sbuf_addstr(&body, percent ? "0" : "#,##0");
	if (digits > 0) {
		sbuf_addc(&body, '.');
		for (int i = 0; i < digits; i++)
			sbuf_addc(&body, '0');
	}
	if (percent)
		sbuf_addc(&body, '%');
	else if (col->kind == STAT_CHANGE_PCT)
		sbuf_addstr(&body, "\"%\"");
	if (*mark)
		sbuf_printf(&body, "\"%s\"", mark);
	if (col->kind == STAT_CHANGE || col->kind == STAT_CHANGE_PCT)
		sbuf_printf(b, "+%s;-%s;%s", sbuf_cstr(&body), sbuf_cstr(&body), sbuf_cstr(&body));
	else
		sbuf_addstr(b, sbuf_cstr(&body));
	sbuf_release(&body);
}

/* A period key as a real date: yyyy-mm (the first of the month) or
 * yyyy-mm-dd.  Years, quarters and ISO weeks stay text. */
static int period_date(const char *s, lxw_datetime *dt, const char **code)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d = 1, len = 0;

	if (strlen(s) == 7 && sscanf(s, "%4d-%2d%n", &y, &m, &len) == 2 && len == 7)
		*code = "mmmm yyyy";
	else if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &len) == 3 && len == 10)
		*code = "yyyy-mm-dd";
	else
		return 0;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
		return 0;
	*dt = (lxw_datetime){ y, m, d, 0, 0, 0 };
	return 1;
}

static void widen(size_t *width, const char *s)
{
	size_t w = utf8_width(s, strlen(s));

	if (w > *width)
		*width = w;
}

static void write_text(struct book *bk, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
	const char *s, lxw_format *f)
{
	/* worksheet_write_string never makes a formula, whatever s starts with. */
	if (*s)
		check(bk, worksheet_write_string(ws, r, c, s, f));
}

static void write_key(struct book *bk, lxw_worksheet *ws, lxw_row_t xr, lxw_col_t xc,
	const struct report *rep, const struct rtable *t, size_t r, size_t c, int period, size_t *width)
{
	const char *value = t->rows[r].cell[c];
	const char *code;
	lxw_datetime dt;
	struct sbuf key = SBUF_INIT;

	if (period && !render_user_label(rep, value) && period_date(value, &dt, &code)) {
		check(bk, worksheet_write_datetime(ws, xr, xc, &dt, number_format(bk, code)));
		widen(width, "September 2024");
		return;
	}
	render_key_text(&key, rep, t->cols[c].name, value);
	write_text(bk, ws, xr, xc, sbuf_cstr(&key), NULL);
	widen(width, sbuf_cstr(&key));
	sbuf_release(&key);
}

/* A statistic cell: the number as published (rounded as the CSV has it),
 * formatted as the page shows it; "<5" or "x" as text when hidden. */
static void write_stat(struct book *bk, lxw_worksheet *ws, lxw_row_t xr, lxw_col_t xc,
	const struct report *rep, const struct rtable *t, size_t r, size_t c, size_t *width)
{
	struct cellparts cp;
	struct sbuf code = SBUF_INIT;
	char plain[96], *end;
	double v;

	render_cell_parts(rep, t, r, (struct dcol){ c, D_EST }, 1, &cp);
	if (cp.hidden) {
		write_text(bk, ws, xr, xc, cp.est, bk->right);
		widen(width, cp.est);
		return;
	}
	render_plain_value(rep, t, r, c, plain);
	if (!plain[0])
		return;
	errno = 0;
	v = strtod(plain, &end);
	if (*end || errno) {
		write_text(bk, ws, xr, xc, plain, NULL);
		widen(width, plain);
		return;
	}
	format_code(&code, rep, t, c, cp.mark);
	check(bk, worksheet_write_number(ws, xr, xc, v, number_format(bk, sbuf_cstr(&code))));
	sbuf_reset(&code);
	sbuf_printf(&code, "%s%s", cp.est, cp.mark);
	widen(width, sbuf_cstr(&code));
	sbuf_release(&code);
}

static void set_widths(lxw_worksheet *ws, const size_t *width, size_t n)
{
	for (size_t c = 0; c < n; c++) {
		size_t w = width[c] + 2 > MAX_WIDTH ? MAX_WIDTH : width[c] + 2;
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, (double)w, NULL);
	}
}

/* Excel's rules: at most 31 characters, none of []:*?/\, not beginning or
 * ending with ', unique whatever the (ASCII) case. */
static int name_taken(const struct book *bk, const char *name)
{
	for (size_t i = 0; i < bk->nnames; i++)
		if (strcasecmp(bk->names[i], name) == 0)
			return 1;
	return 0;
}

/* The first max characters of s (UTF-8), trailing spaces and ' dropped. */
static void clip(struct sbuf *b, size_t max)
{
	size_t chars = 0, i = 0, len;

	while (i < b->len && chars < max) {
		if (utf8_decode(b->s + i, b->len - i, &len) < 0)
			len = 1;
		i += len;
		chars++;
	}
	while (i > 0 && (b->s[i - 1] == ' ' || b->s[i - 1] == '\''))
		i--;
	b->len = i;
	if (b->s)
		b->s[i] = '\0';
}

/* Clipped at a space when one falls in the last third, so that a long
 * heading loses whole words. */
static void clip_words(struct sbuf *b, size_t max)
{
	size_t len = b->len, i;

	clip(b, max);
	if (b->len == len)
		return;
	for (i = b->len; i > b->len * 2 / 3 && b->s[i] != ' '; i--)
		;
	if (b->s[i] == ' ') {
		b->s[i] = '\0';
		b->len = i;
		clip(b, max);
	}
}

static void sheet_name(struct book *bk, struct sbuf *name, const char *heading, size_t index)
{
	struct sbuf base = SBUF_INIT;

	/* A character Excel forbids becomes a space, and spaces one. */
	for (const char *p = heading; *p; p++) {
		char c = strchr("[]:*?/\\", *p) ? ' ' : *p;
		if (c != ' ' || (base.len && base.s[base.len - 1] != ' '))
			sbuf_addc(&base, c);
	}
	while (base.len && base.s[0] == '\'') {
		memmove(base.s, base.s + 1, base.len);   /* the NUL too */
		base.len--;
	}
	clip_words(&base, SHEET_NAME_MAX);
	if (base.len == 0)
		sbuf_printf(&base, "Table %zu", index + 1);
	sbuf_reset(name);
	sbuf_addstr(name, sbuf_cstr(&base));
	for (int k = 2; name_taken(bk, sbuf_cstr(name)); k++) {
		char suffix[24];
		int n = snprintf(suffix, sizeof(suffix), " (%d)", k);
		sbuf_reset(name);
		sbuf_addstr(name, sbuf_cstr(&base));
		clip(name, SHEET_NAME_MAX - (size_t)n);
		sbuf_addstr(name, suffix);
	}
	bk->names = xrealloc(bk->names, (bk->nnames + 1) * sizeof(*bk->names));
	bk->names[bk->nnames++] = xstrdup(sbuf_cstr(name));
	sbuf_release(&base);
}

static void header_row(struct book *bk, lxw_worksheet *ws, const struct report *rep,
	const struct rtable *t, size_t *width)
{
	struct sbuf label = SBUF_INIT;

	for (size_t c = 0; c < t->ncols; c++) {
		sbuf_reset(&label);
		render_col_label(&label, rep, t, render_col_dcol(t, c));
		write_text(bk, ws, 1, (lxw_col_t)c, sbuf_cstr(&label), bk->bold);
		widen(&width[c], sbuf_cstr(&label));
	}
	write_text(bk, ws, 1, (lxw_col_t)t->ncols, lang_text("xlsx.flags"), bk->bold);
	widen(&width[t->ncols], lang_text("xlsx.flags"));
	sbuf_release(&label);
}

static void footnotes(struct book *bk, lxw_worksheet *ws, const struct report *rep,
	const struct report_section *s, lxw_row_t row)
{
	struct note n[RENDER_MAX_NOTES];
	size_t nn = render_notes(rep, s, n);

	for (size_t i = 0; i < nn; i++) {
		write_text(bk, ws, row + (lxw_row_t)i, 0, n[i].mark, bk->right);
		write_text(bk, ws, row + (lxw_row_t)i, 1, n[i].text, NULL);
	}
}

/* One section: its heading, a frozen header row, one row per table row
 * with every column of the tally (intervals, standard errors and design
 * effects each in its own column) and the flags, then the footnotes. */
static void section_sheet(struct book *bk, const struct report *rep, const struct report_section *s,
	const char *name)
{
	const struct rtable *t = &s->table;
	lxw_worksheet *ws = workbook_add_worksheet(bk->wb, name);
	size_t *width = xcalloc(t->ncols + 1, sizeof(*width));
	int *period = xcalloc(t->nkeys + 1, sizeof(*period));
	struct sbuf text = SBUF_INIT;

	if (!ws) {
		check(bk, LXW_ERROR_MEMORY_MALLOC_FAILED);
		goto out;
	}
	render_heading(&text, rep, s);
	write_text(bk, ws, 0, 0, sbuf_cstr(&text), bk->bold);
	header_row(bk, ws, rep, t, width);
	for (size_t k = 0; k < t->nkeys; k++)
		period[k] = rtable_key_is_period(t, k);
	for (size_t r = 0; r < t->nrows; r++) {
		lxw_row_t xr = (lxw_row_t)(r + 2);
		for (size_t c = 0; c < t->ncols; c++) {
			if (t->cols[c].is_key)
				write_key(bk, ws, xr, (lxw_col_t)c, rep, t, r, c, period[c], &width[c]);
			else
				write_stat(bk, ws, xr, (lxw_col_t)c, rep, t, r, c, &width[c]);
		}
		sbuf_reset(&text);
		render_row_flags(&text, t, r, " ");
		write_text(bk, ws, xr, (lxw_col_t)t->ncols, sbuf_cstr(&text), NULL);
		widen(&width[t->ncols], sbuf_cstr(&text));
	}
	footnotes(bk, ws, rep, s, (lxw_row_t)(t->nrows + 3));
	set_widths(ws, width, t->ncols + 1);
	worksheet_freeze_panes(ws, 2, (lxw_col_t)t->nkeys);
out:
	sbuf_release(&text);
	free(period);
	free(width);
}

/* Two columns: a label and its value. */
static void pair(struct book *bk, lxw_worksheet *ws, lxw_row_t *row, const char *label, const char *value)
{
	write_text(bk, ws, *row, 0, label, bk->bold);
	write_text(bk, ws, *row, 1, value, NULL);
	(*row)++;
}

static void heads(struct book *bk, lxw_worksheet *ws, lxw_row_t row, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		write_text(bk, ws, row, (lxw_col_t)i, words[i], bk->bold);
}

/* The method notes, which sheet holds which table, and the provenance:
 * tool, time, command line, and every file with its SHA-256. */
static void notes_sheet(struct book *bk, const struct report *rep, char *const *names)
{
	lxw_worksheet *ws = workbook_add_worksheet(bk->wb, lang_text("xlsx.notes"));
	const struct provenance *p = &rep->prov;
	struct sbuf h = SBUF_INIT;
	lxw_row_t row = 0;

	if (!ws) {
		check(bk, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	write_text(bk, ws, row++, 0, rep->title ? rep->title : lang_text("report.title"), bk->bold);
	for (size_t i = 0; i < rep->nnotes; i++)
		write_text(bk, ws, row++, 0, rep->notes[i], NULL);
	row++;
	const char *sheets[] = { lang_text("xlsx.sheet"), lang_text("xlsx.heading"), lang_text("xlsx.source") };
	heads(bk, ws, row++, sheets, 3);
	for (size_t i = 0; i < rep->nsec; i++, row++) {
		sbuf_reset(&h);
		render_heading(&h, rep, &rep->sec[i]);
		write_text(bk, ws, row, 0, names[i], NULL);
		write_text(bk, ws, row, 1, sbuf_cstr(&h), NULL);
		write_text(bk, ws, row, 2, rep->sec[i].table.name, NULL);
	}
	row++;
	if (rep->nannex) {
		write_text(bk, ws, row++, 0, rep->annex_heading ? rep->annex_heading : "", bk->bold);
		for (size_t i = 0; i < rep->nannex; i++)
			write_text(bk, ws, row++, 0, rep->annex[i], NULL);
		row++;
	}
	pair(bk, ws, &row, lang_text("prov.made_by"), p->tool);
	pair(bk, ws, &row, lang_text("xlsx.generated"), p->when);
	pair(bk, ws, &row, lang_text("prov.command"), p->command);
	row++;
	const char *files[] = { lang_text("xlsx.role"), lang_text("xlsx.file"), lang_text("xlsx.version"), "SHA-256" };
	heads(bk, ws, row++, files, 4);
	for (size_t i = 0; i < p->nfiles; i++, row++) {
		write_text(bk, ws, row, 0, p->files[i].role, NULL);
		write_text(bk, ws, row, 1, p->files[i].name, NULL);
		write_text(bk, ws, row, 2, p->files[i].version ? p->files[i].version : "", NULL);
		write_text(bk, ws, row, 3, p->files[i].sha256, NULL);
	}
	worksheet_set_column(ws, 0, 0, 16, NULL);
	worksheet_set_column(ws, 1, 2, 40, NULL);
	worksheet_set_column(ws, 3, 3, 66, NULL);
	sbuf_release(&h);
}

/* The provenance time (SOURCE_DATE_EPOCH when set) as the workbook's
 * creation time, the only date libxlsxwriter writes: the same report
 * gives the same bytes. */
static time_t creation_time(const struct provenance *p)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(p->when, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

static int temp_path(char **path)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	*path = xmalloc(strlen(dir) + 32);
	sprintf(*path, "%s/civic-report.XXXXXX", dir);
	fd = mkstemp(*path);
	if (fd < 0) {
		civic_warn("cannot create a temporary file for the workbook:");
		free(*path);
		*path = NULL;
		return -1;
	}
	close(fd);
	return 0;
}

static int slurp(struct sbuf *out, const char *path)
{
	FILE *fp = fopen(path, "rb");
	char buf[65536];
	size_t got;
	int rc;

	if (!fp) {
		civic_warn("%s:", path);
		return -1;
	}
	while ((got = fread(buf, 1, sizeof(buf), fp)) > 0)
		sbuf_add(out, buf, got);
	rc = ferror(fp) ? -1 : 0;
	if (rc)
		civic_warn("%s: read error:", path);
	fclose(fp);
	return rc;
}

static void book_release(struct book *bk)
{
	for (size_t i = 0; i < bk->nfmts; i++)
		free(bk->fmts[i].code);
	for (size_t i = 0; i < bk->nnames; i++)
		free(bk->names[i]);
	free(bk->fmts);
	free(bk->names);
}

/* libxlsxwriter writes to a named file, so the workbook is made in a
 * temporary file and read back: the command then writes it atomically
 * as it writes every format. */
int render_xlsx(struct sbuf *out, const struct report *shown)
{
	struct report columns = *shown, *rep = &columns;
	lxw_workbook_options opts = { 0 };
	lxw_doc_properties props = { 0 };
	struct book bk = { 0 };
	char **names = xcalloc(rep->nsec + 1, sizeof(*names));
	struct sbuf name = SBUF_INIT, h = SBUF_INIT;
	char *path;
	lxw_error closed;
	int rc = -1;

	columns.ci = CI_STYLE_COLUMNS;     /* intervals stand in their own columns */
	if (temp_path(&path) != 0) {
		free(names);
		return -1;
	}
	opts.tmpdir = getenv("TMPDIR");
	bk.wb = workbook_new_opt(path, &opts);
	if (!bk.wb) {
		civic_warn("%s: cannot start the workbook", path);
		goto out;
	}
	props.title = rep->title ? rep->title : (char *)lang_text("report.title");
	props.created = creation_time(&rep->prov);
	workbook_set_properties(bk.wb, &props);
	bk.bold = workbook_add_format(bk.wb);
	format_set_bold(bk.bold);
	bk.right = workbook_add_format(bk.wb);
	format_set_align(bk.right, LXW_ALIGN_RIGHT);
	bk.names = xcalloc(1, sizeof(*bk.names));
	bk.names[bk.nnames++] = xstrdup(lang_text("xlsx.notes"));
	for (size_t i = 0; i < rep->nsec; i++) {
		sbuf_reset(&h);
		render_heading(&h, rep, &rep->sec[i]);
		sheet_name(&bk, &name, sbuf_cstr(&h), i);
		names[i] = xstrdup(sbuf_cstr(&name));
		section_sheet(&bk, rep, &rep->sec[i], names[i]);
	}
	notes_sheet(&bk, rep, names);
	closed = workbook_close(bk.wb);
	if (bk.err != LXW_NO_ERROR || closed != LXW_NO_ERROR) {
		civic_warn("cannot write the workbook: %s",
			lxw_strerror(bk.err != LXW_NO_ERROR ? bk.err : closed));
		goto out;
	}
	rc = slurp(out, path);
out:
	unlink(path);
	free(path);
	for (size_t i = 0; i < rep->nsec; i++)
		free(names[i]);
	free(names);
	sbuf_release(&name);
	sbuf_release(&h);
	book_release(&bk);
	return rc;
}
