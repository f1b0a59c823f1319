#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang.h"
#include "render_cell.h"
#include "render_chart.h"
#include "utf8.h"
#include "xalloc.h"

#define BAR_CELLS 32

static size_t width(const char *s)
{
	return utf8_width(s, strlen(s));
}

static void pad(struct sbuf *b, size_t n)
{
	while (n--)
		sbuf_addc(b, ' ');
}

/* Spreadsheet-safe and one line: a leading formula character gets a ',
 * and line breaks and tabs inside become spaces. */
static void clean_add(struct sbuf *b, const char *s)
{
	size_t start = b->len;

	render_neutralise(b, s);
	for (size_t i = start; i < b->len; i++)
		if (b->s[i] == '\n' || b->s[i] == '\r' || b->s[i] == '\t')
			b->s[i] = ' ';
}

static void clean_text(char *dst, size_t size, const char *s)
{
	struct sbuf b = SBUF_INIT;

	clean_add(&b, s);
	snprintf(dst, size, "%s", sbuf_cstr(&b));
	sbuf_release(&b);
}

/* A column's heading, as clean as its cells. */
static void col_label(struct sbuf *b, const struct report *rep, const struct rtable *t, struct dcol d)
{
	struct sbuf raw = SBUF_INIT;

	render_col_label(&raw, rep, t, d);
	sbuf_reset(b);
	clean_add(b, sbuf_cstr(&raw));
	sbuf_release(&raw);
}

struct colw {
	size_t est, lo, hi, half, mark, label, total;
};

/* A title or heading, underlined; clean, since it is made of labels. */
static void underline(struct sbuf *b, const char *s, const char *ch)
{
	size_t start = b->len, n;

	clean_add(b, s);
	n = utf8_width(b->s + start, b->len - start);
	sbuf_addc(b, '\n');
	while (n--)
		sbuf_addstr(b, ch);
	sbuf_addc(b, '\n');
}

static void measure(const struct report *rep, const struct rtable *t, const struct dcol *dc,
	size_t nd, struct cellparts *cells, struct colw *w)
{
	struct sbuf label = SBUF_INIT;

	for (size_t j = 0; j < nd; j++) {
		memset(&w[j], 0, sizeof(w[j]));
		col_label(&label, rep, t, dc[j]);
		w[j].label = width(sbuf_cstr(&label));
		for (size_t r = 0; r < t->nrows; r++) {
			struct cellparts *cp = &cells[r * nd + j];
			render_cell_parts(rep, t, r, dc[j], 1, cp);
			if (dc[j].part == D_KEY)
				clean_text(cp->est, sizeof(cp->est), cp->est);
			w[j].est = w[j].est > width(cp->est) ? w[j].est : width(cp->est);
			w[j].lo = w[j].lo > width(cp->lo) ? w[j].lo : width(cp->lo);
			w[j].hi = w[j].hi > width(cp->hi) ? w[j].hi : width(cp->hi);
			w[j].half = w[j].half > width(cp->half) ? w[j].half : width(cp->half);
			w[j].mark = w[j].mark > width(cp->mark) ? w[j].mark : width(cp->mark);
		}
		w[j].total = w[j].est + w[j].mark;
		if (w[j].lo)
			w[j].total += 4 + w[j].lo + w[j].hi;    /* " (" lo "–" hi ")" */
		if (w[j].half)
			w[j].total += 3 + w[j].half;            /* " ± " half */
		if (w[j].label > w[j].total)
			w[j].total = w[j].label;
	}
	sbuf_release(&label);
}

static void cell(struct sbuf *b, const struct dcol *d, const struct cellparts *cp, const struct colw *w)
{
	size_t used;

	if (d->part == D_KEY) {
		sbuf_addstr(b, cp->est);
		pad(b, w->total - width(cp->est));
		return;
	}
	used = w->est + w->mark + (w->lo ? 4 + w->lo + w->hi : 0) + (w->half ? 3 + w->half : 0);
	pad(b, w->total - used + w->est - width(cp->est));
	sbuf_addstr(b, cp->est);
	if (w->lo) {
		if (cp->lo[0]) {
			sbuf_addstr(b, " (");
			pad(b, w->lo - width(cp->lo));
			sbuf_printf(b, "%s" EN_DASH "%s)", cp->lo, cp->hi);
			pad(b, w->hi - width(cp->hi));
		} else {
			pad(b, 4 + w->lo + w->hi);
		}
	}
	if (w->half) {
		if (cp->half[0]) {
			sbuf_addstr(b, " " PLUS_MINUS " ");
			pad(b, w->half - width(cp->half));
			sbuf_addstr(b, cp->half);
		} else {
			pad(b, 3 + w->half);
		}
	}
	sbuf_addstr(b, cp->mark);
	pad(b, w->mark - width(cp->mark));
}

static void trim_line_end(struct sbuf *b)
{
	while (b->len && b->s[b->len - 1] == ' ')
		b->len--;
	sbuf_addc(b, '\n');
}

static void table(struct sbuf *out, const struct report *rep, const struct rtable *t)
{
	struct dcol *dc = xmalloc((3 * t->ncols + 1) * sizeof(*dc));
	size_t nd = render_display_cols(rep, t, dc);
	struct cellparts *cells = xcalloc(t->nrows * nd + 1, sizeof(*cells));
	struct colw *w = xcalloc(nd + 1, sizeof(*w));
	struct sbuf label = SBUF_INIT;

	measure(rep, t, dc, nd, cells, w);
	for (size_t j = 0; j < nd; j++) {
		col_label(&label, rep, t, dc[j]);
		if (j)
			sbuf_addstr(out, "  ");
		if (dc[j].part != D_KEY)
			pad(out, w[j].total - w[j].label);
		sbuf_addstr(out, sbuf_cstr(&label));
		if (dc[j].part == D_KEY)
			pad(out, w[j].total - w[j].label);
	}
	trim_line_end(out);
	for (size_t j = 0; j < nd; j++) {
		if (j)
			sbuf_addstr(out, "  ");
		for (size_t i = 0; i < w[j].total; i++)
			sbuf_addc(out, '-');
	}
	sbuf_addc(out, '\n');
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t j = 0; j < nd; j++) {
			if (j)
				sbuf_addstr(out, "  ");
			cell(out, &dc[j], &cells[r * nd + j], &w[j]);
		}
		trim_line_end(out);
	}
	sbuf_release(&label);
	free(w);
	free(cells);
	free(dc);
}

/* The reference mark, drawn in the bar's cell that holds the value. */
#define REFERENCE_MARK "\xe2\x94\x82"

/* Cell i of a bar covers [i, i + 1) of BAR_CELLS parts of the scale, the
 * last one its end too; -1: no reference. */
static long reference_cell(double ref, double max)
{
	long i;

	if (isnan(ref) || !(max > 0))
		return -1;
	i = (long)floor(fmax(ref, 0) / max * BAR_CELLS);
	return i < BAR_CELLS ? i : BAR_CELLS - 1;
}

static void bar(struct sbuf *b, double frac, long mark)
{
	static const char *const eighths[] = { "", "\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d",
		"\xe2\x96\x8c", "\xe2\x96\x8b", "\xe2\x96\x8a", "\xe2\x96\x89" };
	long units = lround(frac * BAR_CELLS * 8);

	for (long i = 0; i < BAR_CELLS; i++) {
		if (i == mark)
			sbuf_addstr(b, REFERENCE_MARK);
		else if (i < units / 8)
			sbuf_addstr(b, "\xe2\x96\x88");
		else if (i == units / 8 && units % 8)
			sbuf_addstr(b, eighths[units % 8]);
		else
			sbuf_addc(b, ' ');
	}
}

/* The longest bar: the largest value, or a larger reference. */
static double bars_max(const struct chart *c)
{
	double max = 0;

	for (size_t i = 0; i < c->ncat; i++) {
		if (c->series[0].y[i] > max)
			max = c->series[0].y[i];
		if (c->series[0].ref[i] > max)
			max = c->series[0].ref[i];
	}
	return max;
}

/* Under the chart: the mark and what it stands for. */
static void reference_key(struct sbuf *out, const struct chart *c)
{
	if (!c->reference_legend)
		return;
	sbuf_addstr(out, "  " REFERENCE_MARK " ");
	clean_add(out, c->reference_legend);
	sbuf_addc(out, '\n');
}

static void text_bars(struct sbuf *out, const struct chart *c)
{
	size_t lw = 0;
	double max = bars_max(c);
	char buf[96], name[256];

	for (size_t i = 0; i < c->ncat; i++) {
		clean_text(name, sizeof(name), c->cats[i]);
		lw = width(name) > lw ? width(name) : lw;
	}
	clean_add(out, c->ylabel);
	sbuf_addstr(out, ":\n");
	for (size_t i = 0; i < c->ncat; i++) {
		double v = c->series[0].y[i];
		clean_text(name, sizeof(name), c->cats[i]);
		sbuf_addstr(out, "  ");
		sbuf_addstr(out, name);
		pad(out, lw - width(name) + 2);
		bar(out, max > 0 && v > 0 ? v / max : 0,
			c->reference_legend ? reference_cell(c->series[0].ref[i], max) : -1);
		chart_value_text(c, v, buf);
		sbuf_printf(out, " %s", isnan(v) ? "x" : buf);
		trim_line_end(out);
	}
	reference_key(out, c);
}

/* A row of ticks, one per period, on the scale lo..hi; NAN: a gap. */
static void sparkline(struct sbuf *out, const double *y, size_t n, double lo, double hi)
{
	static const char *const ticks[] = { "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
		"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88" };

	for (size_t i = 0; i < n; i++) {
		if (isnan(y[i]))
			sbuf_addc(out, ' ');
		else
			sbuf_addstr(out, ticks[hi > lo ? lround((y[i] - lo) / (hi - lo) * 7) : 3]);
	}
}

/* The smallest and largest of n values, NANs left out (fmin ignores them). */
static void extent(const double *y, size_t n, double *lo, double *hi)
{
	for (size_t i = 0; i < n; i++) {
		*lo = fmin(*lo, y[i]);
		*hi = fmax(*hi, y[i]);
	}
}

/* 1 when series s gets a reference row. */
static int series_has_reference(const struct chart *c, size_t s)
{
	if (!c->reference_legend)
		return 0;
	for (size_t i = 0; i < c->ncat; i++)
		if (!isnan(c->series[s].ref[i]))
			return 1;
	return 0;
}

/* [*i0, *i1): the periods from the first value to the last, the NAN
 * gaps at either end left out (empty when every value is NAN). */
static void defined_span(const double *y, size_t n, size_t *i0, size_t *i1)
{
	*i0 = 0;
	*i1 = n;
	while (*i0 < n && isnan(y[*i0]))
		(*i0)++;
	while (*i1 > *i0 && isnan(y[*i1 - 1]))
		(*i1)--;
}

/* "20%", or "20% → 25%" when the reference changes over the periods
 * (series_has_reference: it has a value). */
static void reference_values(struct sbuf *out, const struct chart *c, const double *ref)
{
	size_t i0, i1;
	char a[96], b[96];

	defined_span(ref, c->ncat, &i0, &i1);
	chart_value_text(c, ref[i0], a);
	chart_value_text(c, ref[i1 - 1], b);
	if (strcmp(a, b) == 0)
		sbuf_addstr(out, a);
	else
		sbuf_printf(out, "%s \xe2\x86\x92 %s", a, b);
}

/* Under its series, on the same scale: the mark where the name would be,
 * the reference's ticks under the values' and its value. */
static void reference_row(struct sbuf *out, const struct chart *c, size_t s, size_t lead, double lo, double hi)
{
	pad(out, lead - 2);
	sbuf_addstr(out, REFERENCE_MARK " ");
	sparkline(out, c->series[s].ref, c->ncat, lo, hi);
	sbuf_addstr(out, "  ");
	reference_values(out, c, c->series[s].ref);
	trim_line_end(out);
}

/* A series' line: its ticks on a scale that reaches its reference too,
 * first and last value, and the range of its values. */
static void text_line(struct sbuf *out, const struct chart *c, size_t s, size_t lw)
{
	const struct chart_series *cs = &c->series[s];
	double lo = INFINITY, hi = -INFINITY, slo, shi;
	size_t i0, i1, lead = 2 + lw + (lw ? 2 : 0);
	int marked = series_has_reference(c, s);
	char first[96], last[96], name[256];

	extent(cs->y, c->ncat, &lo, &hi);
	slo = lo;
	shi = hi;
	if (marked)
		extent(cs->ref, c->ncat, &slo, &shi);
	defined_span(cs->y, c->ncat, &i0, &i1);
	clean_text(name, sizeof(name), cs->name);
	sbuf_addstr(out, "  ");
	sbuf_addstr(out, name);
	pad(out, lead - 2 - width(name));
	sparkline(out, cs->y, c->ncat, slo, shi);
	chart_value_text(c, i0 < i1 ? cs->y[i0] : NAN, first);
	chart_value_text(c, i0 < i1 ? cs->y[i1 - 1] : NAN, last);
	sbuf_printf(out, "  %s \xe2\x86\x92 %s", first, last);
	chart_value_text(c, lo, first);
	chart_value_text(c, hi, last);
	if (i0 < i1) {
		sbuf_addstr(out, "  ");
		lang_put(out, "chart.range", "lo", first, "hi", last, NULL);
	}
	trim_line_end(out);
	if (marked)
		reference_row(out, c, s, lead, slo, shi);
}

static void text_lines(struct sbuf *out, const struct chart *c)
{
	size_t lw = 0;
	char name[256];

	for (size_t s = 0; s < c->nseries; s++) {
		clean_text(name, sizeof(name), c->series[s].name);
		lw = width(name) > lw ? width(name) : lw;
	}
	clean_add(out, c->ylabel);
	sbuf_printf(out, ", %s %s %s:\n", c->cats[0], EN_DASH, c->cats[c->ncat - 1]);
	for (size_t s = 0; s < c->nseries; s++)
		text_line(out, c, s, lw);
	reference_key(out, c);
}

static void section(struct sbuf *out, const struct report *rep, const struct report_section *s)
{
	struct sbuf h = SBUF_INIT;
	struct note notes[RENDER_MAX_NOTES];
	struct chart c;
	size_t nn;

	render_heading(&h, rep, s);
	underline(out, sbuf_cstr(&h), "-");
	sbuf_addc(out, '\n');
	if (s->table.nrows == 0)
		sbuf_printf(out, "%s\n", lang_text("report.no_rows"));
	else
		table(out, rep, &s->table);
	if (chart_build(&c, rep, s)) {
		sbuf_addc(out, '\n');
		if (c.kind == CHART_LINE)
			text_lines(out, &c);
		else
			text_bars(out, &c);
		chart_release(&c);
	}
	nn = render_notes(rep, s, notes);
	if (nn)
		sbuf_addc(out, '\n');
	for (size_t i = 0; i < nn; i++)
		sbuf_printf(out, "%s%s%s\n", notes[i].mark, notes[i].mark[0] ? "  " : "", notes[i].text);
	sbuf_addc(out, '\n');
	sbuf_release(&h);
}

static void provenance(struct sbuf *out, const struct provenance *p)
{
	struct sbuf role = SBUF_INIT;
	size_t roles = 8;

	lang_put(out, "prov.made_by_at", "tool", p->tool, "when", p->when, NULL);
	sbuf_printf(out, "\n%s: %s\n", lang_text("prov.command"), p->command);
	for (size_t i = 0; i < p->nfiles; i++) {
		prov_role_text(&role, p->files[i].role);
		roles = width(sbuf_cstr(&role)) > roles ? width(sbuf_cstr(&role)) : roles;
	}
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct prov_file *f = &p->files[i];
		prov_role_text(&role, f->role);
		sbuf_addstr(out, sbuf_cstr(&role));
		pad(out, roles - width(sbuf_cstr(&role)));
		sbuf_printf(out, " %s", f->name);
		if (f->version) {
			sbuf_addstr(out, " (");
			lang_put(out, "prov.version", "version", f->version, NULL);
			sbuf_addc(out, ')');
		}
		sbuf_printf(out, "  sha256:%s\n", f->sha256);
	}
	sbuf_release(&role);
}

/* Words onto lines of at most cols columns (a longer word has its own line). */
static void wrap(struct sbuf *out, const char *s, size_t cols)
{
	size_t used = 0;

	while (*s) {
		size_t n = strcspn(s, " "), w = utf8_width(s, n);
		if (n) {
			if (used && used + 1 + w > cols) {
				sbuf_addc(out, '\n');
				used = 0;
			} else if (used) {
				sbuf_addc(out, ' ');
				used++;
			}
			sbuf_add(out, s, n);
			used += w;
		}
		s += n;
		s += strspn(s, " ");
	}
	sbuf_addc(out, '\n');
}

void render_text(struct sbuf *out, const struct report *rep)
{
	char line[4096];

	underline(out, rep->title ? rep->title : lang_text("report.title"), "=");
	sbuf_addc(out, '\n');
	for (size_t i = 0; i < rep->nnotes; i++) {
		clean_text(line, sizeof(line), rep->notes[i]);
		wrap(out, line, 78);
		sbuf_addc(out, '\n');
	}
	for (size_t i = 0; i < rep->nsec; i++)
		section(out, rep, &rep->sec[i]);
	if (rep->nannex) {
		underline(out, rep->annex_heading ? rep->annex_heading : "", "-");
		for (size_t i = 0; i < rep->nannex; i++) {
			clean_text(line, sizeof(line), rep->annex[i]);
			wrap(out, line, 78);
			sbuf_addc(out, '\n');
		}
	}
	provenance(out, &rep->prov);
}
