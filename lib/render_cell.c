#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "keyexpr.h"
#include "num.h"
#include "record.h"
#include "render_cell.h"
#include "render_compare.h"
#include "writer.h"
#include "xalloc.h"

size_t render_display_cols(const struct report *rep, const struct rtable *t, struct dcol *out)
{
	size_t n = 0;

	for (size_t c = 0; c < t->ncols; c++) {
		const struct rcol *col = &t->cols[c];
		if (col->is_key) {
			out[n++] = (struct dcol){ c, D_KEY };
			continue;
		}
		if (col->part != PART_EST)
			continue;
		out[n++] = (struct dcol){ c, D_EST };
		if (rep->ci == CI_COLUMNS && col->low >= 0 && col->high >= 0) {
			out[n++] = (struct dcol){ (size_t)col->low, D_LOW };
			out[n++] = (struct dcol){ (size_t)col->high, D_HIGH };
		}
	}
	return n;
}

/* NAME=TEXT split at the '=' after the name asked for: names such as
 * share_days(a,b)<=15 hold '=' themselves. */
static int label_names(const char *spec, const char *name)
{
	size_t n = strlen(name);

	return strncmp(spec, name, n) == 0 && spec[n] == '=';
}

const char *render_user_label(const struct report *rep, const char *name)
{
	const char *found = NULL;

	for (size_t i = 0; i < rep->nlabels; i++)
		if (label_names(rep->labels[i].spec, name))
			found = rep->labels[i].spec + strlen(name) + 1;
	return found;
}

/* A code such as violence_against_women, written for people. */
static int is_code(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return 0;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= '0' && *s <= '9') && *s != '_')
			return 0;
	return 1;
}

void render_key_text(struct sbuf *b, const struct report *rep, const char *value)
{
	const char *l = render_user_label(rep, value);

	if (l) {
		sbuf_addstr(b, l);
	} else if (is_code(value)) {
		sbuf_addc(b, (char)(value[0] - 'a' + 'A'));
		for (const char *p = value + 1; *p; p++)
			sbuf_addc(b, *p == '_' ? ' ' : *p);
	} else {
		sbuf_addstr(b, value);
	}
}

/* "applicant_type" -> "Applicant type"; "month(received_at)" -> "Month". */
static void pretty_name(struct sbuf *b, const struct report *rep, const char *name, int capital)
{
	static const char *const periods[] = { "year", "quarter", "month", "week", "day", "weekday" };
	const char *l = render_user_label(rep, name);
	const char *paren = strchr(name, '(');
	size_t start = b->len;

	if (l) {
		sbuf_addstr(b, l);
		return;
	}
	for (size_t i = 0; paren && i < sizeof(periods) / sizeof(periods[0]); i++) {
		if ((size_t)(paren - name) == strlen(periods[i]) && strncmp(name, periods[i], strlen(periods[i])) == 0) {
			sbuf_addc(b, capital ? (char)toupper((unsigned char)name[0]) : name[0]);
			sbuf_add(b, name + 1, (size_t)(paren - name) - 1);
			return;
		}
	}
	for (const char *p = name; *p; p++)
		sbuf_addc(b, *p == '_' && !paren ? ' ' : *p);
	if (capital && b->len > start && b->s[start] >= 'a' && b->s[start] <= 'z')
		b->s[start] = (char)(b->s[start] - 'a' + 'A');
}

static const struct {
	const char *prefix;
	const char *label;           /* %s: the column the statistic is of */
	int whole;                   /* the name is the statistic itself */
} stat_labels[] = {
	{ "count", "Count", 1 },
	{ "n", "n", 1 },
	{ "share", "Share", 1 },
	{ "mean_", "Mean %s", 0 },
	{ "sum_", "Sum of %s", 0 },
	{ "min_", "Min. %s", 0 },
	{ "max_", "Max. %s", 0 },
	{ "sd_", "SD of %s", 0 },
	{ "median_", "Median %s", 0 },
	{ "distinct_", "Distinct %s", 0 },
	{ "missing_", "Missing %s", 0 },
};

static void estimate_label(struct sbuf *b, const struct report *rep, const char *name, int capital)
{
	const char *l = render_user_label(rep, name);
	size_t start = b->len;

	if (l) {
		sbuf_addstr(b, l);
		return;
	}
	for (size_t i = 0; i < sizeof(stat_labels) / sizeof(stat_labels[0]); i++) {
		size_t n = strlen(stat_labels[i].prefix);
		if (stat_labels[i].whole ? strcmp(name, stat_labels[i].prefix) != 0
			: strncmp(name, stat_labels[i].prefix, n) != 0 || !name[n])
			continue;
		const char *fmt = stat_labels[i].label, *pct = strstr(fmt, "%s");
		if (!pct) {
			sbuf_addstr(b, fmt);
		} else {
			sbuf_add(b, fmt, (size_t)(pct - fmt));
			pretty_name(b, rep, name + n, 0);
			sbuf_addstr(b, pct + 2);
		}
		if (!capital && b->len > start && b->s[start] >= 'A' && b->s[start] <= 'Z')
			b->s[start] = (char)(b->s[start] - 'A' + 'a');
		return;
	}
	if (name[0] == 'p' && isdigit((unsigned char)name[1])) {
		size_t d = strspn(name + 1, "0123456789");
		sbuf_printf(b, "%c%.*s ", capital ? 'P' : 'p', (int)d, name + 1);
		pretty_name(b, rep, name + 2 + d, 0);
		return;
	}
	pretty_name(b, rep, name, capital);
}

/* What a statistic column is of, as estimate_label names it: "days(a,b)"
 * in median_days(a,b), "x" in p90_x; NULL for count, n, share and names
 * that are no statistic. */
static const char *stat_subject(const char *name)
{
	for (size_t i = 0; i < sizeof(stat_labels) / sizeof(stat_labels[0]); i++) {
		size_t n = strlen(stat_labels[i].prefix);
		if (!stat_labels[i].whole && strncmp(name, stat_labels[i].prefix, n) == 0 && name[n])
			return name + n;
	}
	if (name[0] == 'p' && isdigit((unsigned char)name[1])) {
		size_t d = strspn(name + 1, "0123456789");
		if (name[1 + d] == '_' && name[2 + d])
			return name + 2 + d;
	}
	return NULL;
}

/* Calls fn on every name a label can rename, until it returns nonzero. */
static int each_label_target(const struct report *rep, int (*fn)(const char *, void *), void *arg)
{
	for (size_t i = 0; i < rep->nsec; i++) {
		const struct rtable *t = &rep->sec[i].table;
		for (size_t c = 0; c < t->ncols; c++) {
			const char *subject = stat_subject(t->cols[c].name);
			if (fn(t->cols[c].name, arg) || (subject && fn(subject, arg)))
				return 1;
		}
		for (size_t r = 0; r < t->nrows; r++)
			for (size_t k = 0; k < t->nkeys; k++)
				if (fn(t->rows[r].cell[k], arg))
					return 1;
	}
	return 0;
}

static int spec_names(const char *name, void *spec)
{
	return label_names(spec, name);
}

int render_label_used(const struct report *rep, const char *spec)
{
	return each_label_target(rep, spec_names, (void *)spec);
}

char *render_label_name(const char *spec)
{
	const char *p = spec;

	/* The '=' of <= >= != == belongs to the name. */
	while ((p = strchr(p + (p != spec), '=')) != NULL)
		if (!(p > spec && strchr("<>!=", p[-1])) && p[1] != '=')
			break;
	return p ? xstrndup(spec, (size_t)(p - spec)) : xstrdup(spec);
}

static int add_target(const char *name, void *h)
{
	header_add(h, name, COL_STRING);
	return 0;
}

char *render_label_nearest(const struct report *rep, const char *name)
{
	struct header h;
	const char *near;
	char *found;

	header_init(&h);
	each_label_target(rep, add_target, &h);
	near = nearest_column(&h, name);
	found = near ? xstrdup(near) : NULL;
	header_release(&h);
	return found;
}

void render_col_label(struct sbuf *b, const struct report *rep, const struct rtable *t, struct dcol d)
{
	const struct rcol *col = &t->cols[d.col];
	const char *user = render_user_label(rep, col->name);

	if (user) {
		sbuf_addstr(b, user);
		return;
	}
	switch (d.part) {
	case D_KEY:
		pretty_name(b, rep, col->name, 1);
		return;
	case D_LOW:
	case D_HIGH:
		estimate_label(b, rep, t->cols[col->base].name, 1);
		sbuf_addstr(b, d.part == D_LOW ? ", low" : ", high");
		return;
	case D_EST:
		break;
	}
	switch (col->kind) {
	case STAT_PREV:
		estimate_label(b, rep, t->cols[col->base].name, 1);
		sbuf_addstr(b, ", previous");
		break;
	case STAT_CHANGE:
		estimate_label(b, rep, t->cols[col->base].name, 1);
		sbuf_addstr(b, t->cols[col->base].kind == STAT_SHARE ? " change, pp" : " change");
		break;
	case STAT_CHANGE_PCT:
		estimate_label(b, rep, t->cols[col->base].name, 1);
		sbuf_addstr(b, " change, %");
		break;
	default:
		estimate_label(b, rep, col->name, 1);
	}
}

static void join_labels(struct sbuf *b, const struct report *rep, const struct rtable *t, int keys)
{
	size_t n = 0, total = 0;

	for (size_t c = 0; c < t->ncols; c++) {
		const struct rcol *col = &t->cols[c];
		int want = keys ? col->is_key : !col->is_key && col->part == PART_EST &&
			col->kind != STAT_N && col->kind < STAT_PREV;
		total += want;
	}
	for (size_t c = 0; c < t->ncols; c++) {
		const struct rcol *col = &t->cols[c];
		int want = keys ? col->is_key : !col->is_key && col->part == PART_EST &&
			col->kind != STAT_N && col->kind < STAT_PREV;
		if (!want)
			continue;
		if (n)
			sbuf_addstr(b, n + 1 == total ? " and " : ", ");
		if (keys)
			pretty_name(b, rep, col->name, 0);
		else
			estimate_label(b, rep, col->name, n == 0);
		if (keys && b->len && !render_user_label(rep, col->name)) {
			/* "by Month" reads worse than "by month" */
			size_t i = b->len;
			while (i > 0 && b->s[i - 1] != ' ')
				i--;
			if (b->s[i] >= 'A' && b->s[i] <= 'Z')
				b->s[i] = (char)(b->s[i] - 'A' + 'a');
		}
		n++;
	}
}

void render_heading(struct sbuf *b, const struct report *rep, const struct report_section *s)
{
	const struct rtable *t = &s->table;

	if (s->heading) {
		sbuf_addstr(b, s->heading);
		return;
	}
	join_labels(b, rep, t, 0);
	if (t->nkeys) {
		sbuf_addstr(b, " by ");
		join_labels(b, rep, t, 1);
	}
}

static int digits_rule(const struct report *rep, const struct rtable *t, size_t c, int *digits)
{
	const struct rcol *col = &t->cols[c];
	const char *base = col->base >= 0 ? t->cols[col->base].name : col->name;
	int found = 0;

	for (size_t i = 0; i < rep->ndigits; i++) {
		const char *name = rep->digits[i].column;
		if (!name && found != 2) {
			*digits = rep->digits[i].digits;
			found = 1;
		} else if (name && (strcmp(name, col->name) == 0 || strcmp(name, base) == 0)) {
			*digits = rep->digits[i].digits;
			found = 2;
		}
	}
	return found;
}

static int default_digits(const struct rtable *t, size_t c)
{
	const struct rcol *col = &t->cols[c];

	if (col->kind == STAT_CHANGE_PCT)
		return 1;
	if (col->part == PART_DEFF)
		return 2;
	if (col->part == PART_SE)
		return default_digits(t, (size_t)col->base) + 1;
	if (col->base >= 0 && (size_t)col->base != c)
		return default_digits(t, (size_t)col->base);
	switch (col->kind) {
	case STAT_SHARE:
		return 1;
	case STAT_COUNT: case STAT_N: case STAT_DISTINCT: case STAT_MISSING:
		return 0;                /* a weighted count is no more precise than a person */
	case STAT_SUM: case STAT_MIN: case STAT_MAX: case STAT_MEDIAN: case STAT_PCT:
		return col->integral ? 0 : 1;
	default:
		return col->integral ? 0 : 2;
	}
}

int render_col_digits(const struct report *rep, const struct rtable *t, size_t c)
{
	int d;

	return digits_rule(rep, t, c, &d) ? d : default_digits(t, c);
}

double render_col_scale(const struct rtable *t, size_t c)
{
	const struct rcol *col = &t->cols[c];

	if (col->kind == STAT_CHANGE_PCT || col->part == PART_DEFF)
		return 1;
	if (col->kind == STAT_PREV || col->kind == STAT_CHANGE)
		return render_col_scale(t, (size_t)col->base);
	return col->kind == STAT_SHARE ? 100 : 1;
}

void render_number(double v, int digits, int group, int sign, char *buf)
{
	char tmp[64];
	size_t n, intlen, lead, o = 0;

	if (isnan(v)) {
		buf[0] = '\0';
		return;
	}
	n = (size_t)num_format_fixed(v, digits, tmp);
	lead = tmp[0] == '-';
	if (sign && !lead && strspn(tmp, "0.") != n)
		buf[o++] = '+';
	intlen = strcspn(tmp + lead, ".e");
	if (lead)
		buf[o++] = '-';
	for (size_t i = 0; i < intlen; i++) {
		if (group && i && (intlen - i) % 3 == 0 && intlen <= 18)
			buf[o++] = ',';
		buf[o++] = tmp[lead + i];
	}
	memcpy(buf + o, tmp + lead + intlen, n - lead - intlen + 1);
}

static int countlike_col(const struct rtable *t, size_t c)
{
	const struct rcol *col = &t->cols[c];

	if (col->part != PART_EST)
		return 0;
	if (col->kind == STAT_PREV)
		return stat_is_countlike(t->cols[col->base].kind);
	return stat_is_countlike(col->kind);
}

static void hidden_text(const struct report *rep, const struct rtable *t, size_t c,
	unsigned char flag, char *buf)
{
	if ((flag & CELL_PRIMARY) && countlike_col(t, c))
		snprintf(buf, 96, "<%.0f", rep->suppress_k);
	else
		snprintf(buf, 96, "x");
}

static int shown_as_percent(const struct rcol *col)
{
	return col->part == PART_EST && (col->kind == STAT_SHARE || col->kind == STAT_CHANGE_PCT);
}

static void interval_parts(const struct report *rep, const struct rtable *t, size_t r,
	const struct rcol *col, int group, struct cellparts *cp)
{
	const struct rrow *row = &t->rows[r];
	double scale = col->kind == STAT_SHARE ? 100 : 1;
	double lo, hi;
	int digits;

	if (col->low < 0 || col->high < 0 || rep->ci == CI_COLUMNS || rep->ci == CI_NONE)
		return;
	if (col->kind == STAT_COUNT && rtable_count_is_census(t))
		return;
	lo = row->val[col->low];
	hi = row->val[col->high];
	if (isnan(lo) || isnan(hi))
		return;
	digits = render_col_digits(rep, t, (size_t)col->low);
	if (rep->ci == CI_PM) {
		render_number((hi - lo) / 2 * scale, digits, group, 0, cp->half);
		return;
	}
	render_number(lo * scale, digits, group, 0, cp->lo);
	render_number(hi * scale, digits, group, 0, cp->hi);
}

void render_cell_parts(const struct report *rep, const struct rtable *t, size_t r,
	struct dcol d, int group, struct cellparts *cp)
{
	const struct rrow *row = &t->rows[r];
	const struct rcol *col = &t->cols[d.col];
	unsigned char flag = row->flag[d.col];
	double v = row->val[d.col];

	memset(cp, 0, sizeof(*cp));
	cp->mark = "";
	if (d.part == D_KEY) {
		struct sbuf key = SBUF_INIT;
		render_key_text(&key, rep, row->cell[d.col]);
		snprintf(cp->est, sizeof(cp->est), "%s", sbuf_cstr(&key));
		sbuf_release(&key);
		return;
	}
	if (d.part != D_EST)
		flag |= row->flag[col->base];
	if (flag & CELL_HIDDEN) {
		hidden_text(rep, t, d.col, flag, cp->est);
		cp->hidden = 1;
		return;
	}
	if (isnan(v)) {
		snprintf(cp->est, sizeof(cp->est), "%s", row->cell[d.col]);
		return;
	}
	render_number(v * render_col_scale(t, d.col), render_col_digits(rep, t, d.col), group,
		col->kind == STAT_CHANGE || col->kind == STAT_CHANGE_PCT, cp->est);
	if (shown_as_percent(col) || (col->kind == STAT_PREV && t->cols[col->base].kind == STAT_SHARE))
		strcat(cp->est, "%");
	if (d.part == D_EST)
		interval_parts(rep, t, r, col, group, cp);
	if (flag & CELL_UNRELIABLE)
		cp->mark = MARK_UNRELIABLE;
	else if (flag & CELL_UP)
		cp->mark = MARK_UP;
	else if (flag & CELL_DOWN)
		cp->mark = MARK_DOWN;
}

void render_cell_join(struct sbuf *b, const struct report *rep, const struct cellparts *cp)
{
	sbuf_addstr(b, cp->est);
	if (cp->lo[0])
		sbuf_printf(b, " (%s" EN_DASH "%s)", cp->lo, cp->hi);
	else if (cp->half[0])
		sbuf_printf(b, " " PLUS_MINUS " %s", cp->half);
	sbuf_addstr(b, cp->mark);
}

int render_formula_like(const char *s)
{
	size_t n = strlen(s);
	double v;

	if (!n || !strchr("=+-@\t\r", s[0]))
		return 0;
	return !(s[0] == '-' && json_text_is_number(s, n) && num_parse_double(s, n, 0, &v) == 0);
}

void render_neutralise(struct sbuf *b, const char *s)
{
	if (render_formula_like(s))
		sbuf_addc(b, '\'');
	sbuf_addstr(b, s);
}

void render_html_escape(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': sbuf_addstr(b, "&amp;"); break;
		case '<': sbuf_addstr(b, "&lt;"); break;
		case '>': sbuf_addstr(b, "&gt;"); break;
		case '"': sbuf_addstr(b, "&quot;"); break;
		case '\'': sbuf_addstr(b, "&#39;"); break;
		default: sbuf_addc(b, *s);
		}
	}
}

static int has_interval(const struct rtable *t)
{
	for (size_t c = t->nkeys; c < t->ncols; c++)
		if (t->cols[c].part == PART_EST && t->cols[c].low >= 0 && t->cols[c].high >= 0)
			return 1;
	return 0;
}

/* The legend of the change marks: survey estimates compared by their
 * standard errors say so and at what level; counts keep the Poisson rule. */
static void change_note(const struct report *rep, const struct report_section *s, char *text, size_t size)
{
	double level = rep->compare_level > 0 ? rep->compare_level : 0.95;

	if (s->compare_rules == COMPARE_BY_SE)
		snprintf(text, size, "change significant at the %g%% level (two-sided): beyond %g times the "
			"standard error of the difference, √(SE² + SE_prev²), the two periods being "
			"independent samples", (1 - level) * 100, rep->z);
	else
		snprintf(text, size, "change larger than chance variation would explain (beyond %g standard errors; "
			"Poisson variation for counts)", rep->z);
}

size_t render_notes(const struct report *rep, const struct report_section *s, struct note *notes)
{
	size_t n = 0;

	if (s->supp.primary) {
		snprintf(notes[n].mark, sizeof(notes->mark), "<%.0f", rep->suppress_k);
		snprintf(notes[n++].text, sizeof(notes->text),
			"fewer than %.0f cases: hidden to protect the people counted (%zu %s)",
			rep->suppress_k, s->supp.primary, s->supp.primary == 1 ? "row" : "rows");
	}
	if (s->supp.secondary) {
		snprintf(notes[n].mark, sizeof(notes->mark), "x");
		snprintf(notes[n++].text, sizeof(notes->text),
			"hidden as well, so that no row below %.0f can be worked out from totals (%zu %s)",
			rep->suppress_k, s->supp.secondary, s->supp.secondary == 1 ? "row" : "rows");
	}
	if (s->supp.primary && rep->audited && !isinf(rep->audit.min_width)) {
		notes[n].mark[0] = '\0';
		snprintf(notes[n++].text, sizeof(notes->text),
			"Audited by linear programming (GLPK) over everything this report publishes "
			"(%zu %s, margins, totals given away by shares, periods within periods): each count shown as <%.0f "
			"can still be anything in a range at least %g wide (protection interval: %g)",
			rep->audit.tables, rep->audit.tables == 1 ? "table" : "tables", rep->suppress_k,
			floor(rep->audit.min_width * 1e6 + 0.5) / 1e6, rep->protection > 0 ? rep->protection : 1);
	}
	if (s->unreliable) {
		snprintf(notes[n].mark, sizeof(notes->mark), MARK_UNRELIABLE);
		snprintf(notes[n++].text, sizeof(notes->text),
			"unreliable: effective sample size below %g or coefficient of variation above %g%%; "
			"use with caution", rep->min_n, rep->max_cv * 100);
	}
	if (s->changes_beyond_noise) {
		snprintf(notes[n].mark, sizeof(notes->mark), MARK_UP MARK_DOWN);
		change_note(rep, s, notes[n++].text, sizeof(notes->text));
	}
	if (s->test_note[0]) {
		notes[n].mark[0] = '\0';
		snprintf(notes[n++].text, sizeof(notes->text), "%s", s->test_note);
	}
	if (has_interval(&s->table) && (rep->ci == CI_PAREN || rep->ci == CI_PM)) {
		notes[n].mark[0] = '\0';
		snprintf(notes[n++].text, sizeof(notes->text), rep->ci == CI_PAREN
			? "In parentheses: the confidence interval." : "After " PLUS_MINUS ": half the width of the confidence interval.");
	}
	return n;
}

void render_plain_value(const struct report *rep, const struct rtable *t, size_t r, size_t c, char *buf)
{
	const struct rrow *row = &t->rows[r];
	int digits;

	if (t->cols[c].is_key) {
		snprintf(buf, 96, "%s", row->cell[c]);
		return;
	}
	if (row->flag[c] & CELL_HIDDEN) {
		buf[0] = '\0';
		return;
	}
	if (isnan(row->val[c])) {
		snprintf(buf, 96, "%s", row->cell[c]);
		return;
	}
	digits = render_col_digits(rep, t, c) + (render_col_scale(t, c) == 100 ? 2 : 0);
	render_number(row->val[c], digits, 0, 0, buf);
}

static void add_flag(struct sbuf *b, size_t *n, const char *sep, const char *word, const char *col)
{
	if ((*n)++)
		sbuf_addstr(b, sep);
	sbuf_addstr(b, word);
	if (col)
		sbuf_printf(b, ":%s", col);
}

size_t render_row_flags(struct sbuf *b, const struct rtable *t, size_t r, const char *sep)
{
	const struct rrow *row = &t->rows[r];
	unsigned char all = 0, prev = 0;
	size_t n = 0;

	/* The previous period's cells are hidden by its own counts. */
	for (size_t c = t->nkeys; c < t->ncols; c++) {
		if (t->cols[c].kind == STAT_PREV)
			prev |= row->flag[c];
		else if (t->cols[c].kind < STAT_PREV)
			all |= row->flag[c];
	}
	if (all & CELL_PRIMARY)
		add_flag(b, &n, sep, "suppressed", NULL);
	else if (all & CELL_SECONDARY)
		add_flag(b, &n, sep, "suppressed-secondary", NULL);
	if (prev & CELL_HIDDEN)
		add_flag(b, &n, sep, "suppressed-previous", NULL);
	for (size_t c = t->nkeys; c < t->ncols; c++) {
		if (row->flag[c] & CELL_HIDDEN)
			continue;
		if (row->flag[c] & CELL_UNRELIABLE)
			add_flag(b, &n, sep, "unreliable", t->cols[c].name);
		if (row->flag[c] & (CELL_UP | CELL_DOWN))
			add_flag(b, &n, sep, "beyond-noise", t->cols[c].name);
	}
	return n;
}
