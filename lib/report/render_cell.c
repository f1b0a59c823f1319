#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "keyexpr.h"
#include "lang.h"
#include "period_name.h"
#include "num.h"
#include "record.h"
#include "render_cell.h"
#include "render_reference.h"
#include "render_compare.h"
#include "stats.h"
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
		if (rep->ci == CI_STYLE_COLUMNS && col->low >= 0 && col->high >= 0) {
			out[n++] = (struct dcol){ (size_t)col->low, D_LOW };
			out[n++] = (struct dcol){ (size_t)col->high, D_HIGH };
		}
		if (rep->ci == CI_STYLE_COLUMNS && col->se >= 0)
			out[n++] = (struct dcol){ (size_t)col->se, D_SE };
		if (rep->ci == CI_STYLE_COLUMNS && col->deff >= 0)
			out[n++] = (struct dcol){ (size_t)col->deff, D_DEFF };
	}
	return n;
}

struct dcol render_col_dcol(const struct rtable *t, size_t c)
{
	static const enum dpart parts[] = { D_EST, D_SE, D_LOW, D_HIGH, D_DEFF };
	const struct rcol *col = &t->cols[c];

	if (col->is_key)
		return (struct dcol){ c, D_KEY };
	return (struct dcol){ c, col->base >= 0 ? parts[col->part] : D_EST };
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

/* A label file's label for a column (value NULL) or a key value. */
static const char *file_label(const struct report *rep, const char *column, const char *value)
{
	return labels_find(&rep->labelsets, column, value, lang_code());
}

void render_key_text(struct sbuf *b, const struct report *rep, const char *column, const char *value)
{
	const char *l = render_user_label(rep, value);

	if (l) {
		sbuf_addstr(b, l);
	} else if (period_name(b, column, value)) {
		return;
	} else if ((l = file_label(rep, column, value)) != NULL) {
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
	const char *l = render_user_label(rep, name);
	const char *paren = strchr(name, '(');
	const char *period = period_function(name);
	size_t start = b->len;

	if (l) {
		sbuf_addstr(b, l);
		return;
	}
	if ((l = file_label(rep, name, NULL)) != NULL || period) {
		if (!l) {
			char key[32];
			snprintf(key, sizeof(key), "period.name.%s", period);
			l = lang_text(key);
		}
		sbuf_addstr(b, l);
		lang_case_first(b, start, capital);
		return;
	}
	for (const char *p = name; *p; p++)
		sbuf_addc(b, *p == '_' && !paren ? ' ' : *p);
	if (capital && b->len > start && b->s[start] >= 'a' && b->s[start] <= 'z')
		b->s[start] = (char)(b->s[start] - 'a' + 'A');
}

/* A heading's first word is capitalised, others not; "n" stays "n", and a
 * text that begins with what the statistic is of gets the capital there. */
static void stat_case(struct sbuf *b, size_t start, const char *key, int capital)
{
	if (!capital)
		lang_case_first(b, start, 0);
	else if (lang_text(key)[0] == '{')
		lang_case_first(b, start, 1);
}

static void estimate_label(struct sbuf *b, const struct report *rep, const char *name, int capital)
{
	const char *l = render_user_label(rep, name);
	size_t start = b->len;

	if (l) {
		sbuf_addstr(b, l);
		return;
	}
	if ((l = file_label(rep, name, NULL)) != NULL) {
		sbuf_addstr(b, l);
		lang_case_first(b, start, capital);
		return;
	}
	const char *subject;
	const struct stat_def *def = stat_of_column(name, &subject);
	const char *key = !def ? NULL : subject ? def->label_of : def->label;
	if (key) {
		struct sbuf of = SBUF_INIT;
		if (subject)
			pretty_name(&of, rep, subject, 0);
		lang_put(b, key, "x", sbuf_cstr(&of), NULL);
		sbuf_release(&of);
		stat_case(b, start, key, capital);
		return;
	}
	if (name[0] == 'p' && isdigit((unsigned char)name[1])) {
		size_t d = strspn(name + 1, "0123456789");
		struct sbuf of = SBUF_INIT;
		char p[16];
		snprintf(p, sizeof(p), "%.*s", (int)(d < 8 ? d : 8), name + 1);
		pretty_name(&of, rep, name + 2 + d, 0);
		lang_put(b, "stat.percentile", "p", p, "x", sbuf_cstr(&of), NULL);
		sbuf_release(&of);
		stat_case(b, start, "stat.percentile", capital);
		return;
	}
	pretty_name(b, rep, name, capital);
}

/* What a statistic column is of, as estimate_label names it: "days(a,b)"
 * in median_days(a,b), "x" in p90_x; NULL for count, n, share and names
 * that are no statistic. */
static const char *stat_subject(const char *name)
{
	const char *subject;
	const struct stat_def *def = stat_of_column(name, &subject);

	if (def && subject && def->label_of)
		return subject;
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

/* The label of column c with a lang text around it ("{x}, low"). */
static void around(struct sbuf *b, const struct report *rep, const struct rtable *t, size_t c, const char *key)
{
	struct sbuf x = SBUF_INIT;
	size_t start = b->len;

	estimate_label(&x, rep, t->cols[c].name, 1);
	lang_put(b, key, "x", sbuf_cstr(&x), NULL);
	if (lang_text(key)[0] != '{')
		lang_case_first(b, start, 1);
	sbuf_release(&x);
}

/* A pivot's column: its key value, and what of it when a value has
 * several columns ("Form1: share, low"). */
static void pivot_col_label(struct sbuf *b, const struct report *rep, const struct rtable *t, struct dcol d)
{
	const struct rcol *col = &t->cols[d.col];
	static const char *const part_key[] = {
		[D_LOW] = "column.low", [D_HIGH] = "column.high", [D_SE] = "column.se", [D_DEFF] = "column.deff",
	};
	struct sbuf x = SBUF_INIT;

	/* The pivot key's name is not in the table: its values are labelled
	 * as the label sets name that value in any column. */
	render_key_text(b, rep, NULL, t->pvalues[col->pvalue]);
	if (t->pstats < 2)
		return;
	sbuf_addstr(b, ": ");
	estimate_label(&x, rep, t->cols[col->base].stat, 0);
	if (d.part == D_LOW || d.part == D_HIGH || d.part == D_SE || d.part == D_DEFF)
		lang_put(b, part_key[d.part], "x", sbuf_cstr(&x), NULL);
	else
		sbuf_addstr(b, sbuf_cstr(&x));
	sbuf_release(&x);
}

void render_col_label(struct sbuf *b, const struct report *rep, const struct rtable *t, struct dcol d)
{
	const struct rcol *col = &t->cols[d.col];
	const char *user = render_user_label(rep, col->name);

	if (user) {
		sbuf_addstr(b, user);
		return;
	}
	if (col->pvalue >= 0 && d.part != D_KEY) {
		pivot_col_label(b, rep, t, d);
		return;
	}
	switch (d.part) {
	case D_KEY:
		pretty_name(b, rep, col->name, 1);
		return;
	case D_LOW:
	case D_HIGH:
		around(b, rep, t, (size_t)col->base, d.part == D_LOW ? "column.low" : "column.high");
		return;
	case D_SE:
	case D_DEFF:
		around(b, rep, t, (size_t)col->base, d.part == D_SE ? "column.se" : "column.deff");
		return;
	case D_EST:
		break;
	}
	switch (col->kind) {
	case STAT_PREV:
		around(b, rep, t, (size_t)col->base, "column.previous");
		break;
	case STAT_CHANGE:
		around(b, rep, t, (size_t)col->base,
			t->cols[col->base].kind == STAT_SHARE ? "column.change_pp" : "column.change");
		break;
	case STAT_CHANGE_PCT:
		around(b, rep, t, (size_t)col->base, "column.change_pct");
		break;
	case STAT_CHANGE_SE:
		around(b, rep, t, (size_t)col->base,
			t->cols[col->base].kind == STAT_SHARE ? "column.change_se_pp" : "column.change_se");
		break;
	case STAT_CHANGE_P:
		around(b, rep, t, (size_t)col->base, "column.change_p");
		break;
	default:
		estimate_label(b, rep, col->name, 1);
	}
}

static int heading_part(const struct rcol *col, int keys)
{
	return keys ? col->is_key : !col->is_key && col->part == PART_EST &&
		col->kind != STAT_N && col->kind < STAT_PREV && col->pvalue <= 0;
}

/* "Count, share and mean age": the labels joined as the language joins a
 * list; first_capital: the first is the heading's first word. */
static void join_labels(struct sbuf *b, const struct report *rep, const struct rtable *t, int keys,
	int first_capital)
{
	struct sbuf acc = SBUF_INIT, item = SBUF_INIT, joined = SBUF_INIT;
	size_t n = 0, total = 0;

	for (size_t c = 0; c < t->ncols; c++)
		total += heading_part(&t->cols[c], keys);
	for (size_t c = 0; c < t->ncols; c++) {
		const struct rcol *col = &t->cols[c];
		if (!heading_part(col, keys))
			continue;
		sbuf_reset(&item);
		if (keys)
			pretty_name(&item, rep, col->name, 0);
		else
			estimate_label(&item, rep, rtable_col_stat(t, c), n == 0 && first_capital);
		if (keys && item.len && !render_user_label(rep, col->name)) {
			/* "by Month" reads worse than "by month" */
			size_t i = item.len;
			while (i > 0 && item.s[i - 1] != ' ')
				i--;
			if (item.s[i] >= 'A' && item.s[i] <= 'Z')
				item.s[i] = (char)(item.s[i] - 'A' + 'a');
		}
		if (n++ == 0) {
			sbuf_addstr(&acc, sbuf_cstr(&item));
			continue;
		}
		sbuf_reset(&joined);
		lang_put(&joined, n == total ? "list.pair" : "list.more", "a", sbuf_cstr(&acc),
			"b", sbuf_cstr(&item), NULL);
		sbuf_reset(&acc);
		sbuf_addstr(&acc, sbuf_cstr(&joined));
	}
	sbuf_addstr(b, sbuf_cstr(&acc));
	sbuf_release(&acc);
	sbuf_release(&item);
	sbuf_release(&joined);
}

void render_heading(struct sbuf *b, const struct report *rep, const struct report_section *s)
{
	const struct rtable *t = &s->table;
	const char *by = lang_text("heading.by");
	int stats_first = strncmp(by, "{stats}", 7) == 0;
	struct sbuf stats = SBUF_INIT, keys = SBUF_INIT;
	size_t start = b->len;

	if (s->heading) {
		sbuf_addstr(b, s->heading);
		return;
	}
	join_labels(&stats, rep, t, 0, stats_first || !t->nkeys);
	if (!t->nkeys) {
		sbuf_addstr(b, sbuf_cstr(&stats));
	} else {
		join_labels(&keys, rep, t, 1, 0);
		lang_put(b, "heading.by", "stats", sbuf_cstr(&stats), "keys", sbuf_cstr(&keys), NULL);
		if (!stats_first)
			lang_case_first(b, start, 1);
	}
	sbuf_release(&stats);
	sbuf_release(&keys);
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
		} else if (name && (strcmp(name, col->name) == 0 || strcmp(name, base) == 0 ||
			   (col->stat && strcmp(name, col->stat) == 0) ||
			   (col->base >= 0 && t->cols[col->base].stat && strcmp(name, t->cols[col->base].stat) == 0))) {
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
	if (col->kind == STAT_CHANGE_P)
		return 4;                /* p = 0.0004 is not p = 0 */
	if (col->kind == STAT_CHANGE_SE)
		return default_digits(t, (size_t)col->base) + 1;
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

	if (col->kind == STAT_CHANGE_PCT || col->kind == STAT_CHANGE_P || col->part == PART_DEFF)
		return 1;
	if (col->kind == STAT_PREV || col->kind == STAT_CHANGE || col->kind == STAT_CHANGE_SE)
		return render_col_scale(t, (size_t)col->base);
	return col->kind == STAT_SHARE ? 100 : 1;
}

void render_number(double v, int digits, int group, int sign, char *buf)
{
	char tmp[64], plain[72];
	size_t n, lead;

	if (isnan(v)) {
		buf[0] = '\0';
		return;
	}
	n = (size_t)num_format_fixed(v, digits, tmp);
	lead = tmp[0] == '-';
	snprintf(plain, sizeof(plain), "%s%s", sign && !lead && strspn(tmp, "0.") != n ? "+" : "", tmp);
	if (!group || strcspn(plain + (plain[0] == '+' || plain[0] == '-'), ".e") > 18) {
		strcpy(buf, plain);
		return;
	}
	/* Shown to a reader: the language's decimal mark and thousands. */
	lang_number(plain, 1, buf);
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

/* The threshold a table was suppressed at: its own, else the report's. */
static double hidden_below(const struct report *rep, const struct rtable *t)
{
	return t->hidden_below > 0 ? t->hidden_below : rep->suppress_k;
}

static void hidden_text(const struct report *rep, const struct rtable *t, size_t c,
	unsigned char flag, char *buf)
{
	if ((flag & CELL_PRIMARY) && countlike_col(t, c))
		snprintf(buf, 96, "<%.0f", hidden_below(rep, t));
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

	if (col->low < 0 || col->high < 0 || rep->ci == CI_STYLE_COLUMNS || rep->ci == CI_STYLE_NONE)
		return;
	if (col->kind == STAT_COUNT && rtable_count_is_census(t))
		return;
	lo = row->val[col->low];
	hi = row->val[col->high];
	if (isnan(lo) || isnan(hi))
		return;
	digits = render_col_digits(rep, t, (size_t)col->low);
	if (rep->ci == CI_STYLE_PM) {
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
		render_key_text(&key, rep, col->name, row->cell[d.col]);
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
		lang_percent(cp->est);
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

/* A number in a note, as the language writes it (%g). */
static void note_number(double v, char *buf)
{
	char plain[48];

	snprintf(plain, sizeof(plain), "%g", v);
	lang_number(plain, 0, buf);
}

static void note_text(struct note *n, const char *mark, struct sbuf *text)
{
	snprintf(n->mark, sizeof(n->mark), "%.*s", (int)sizeof(n->mark) - 1, mark);
	snprintf(n->text, sizeof(n->text), "%.*s", (int)sizeof(n->text) - 1, sbuf_cstr(text));
	sbuf_reset(text);
}

static void audit_note(const struct report *rep, struct sbuf *text, const char *k)
{
	struct sbuf tables = SBUF_INIT;
	char width[160], protection[160];

	lang_put_n(&tables, "note.tables", rep->audit.tables, NULL);
	note_number(floor(rep->audit.min_width * 1e6 + 0.5) / 1e6, width);
	note_number(rep->protection > 0 ? rep->protection : 1, protection);
	lang_put(text, "note.audit", "tables", sbuf_cstr(&tables), "k", k, "width", width,
		"protection", protection, NULL);
	sbuf_release(&tables);
}

/* An n of those who answered a question (n_trust), beside the group's n. */
static int has_answered_n(const struct rtable *t)
{
	for (size_t c = t->nkeys; c < t->ncols; c++)
		if (t->cols[c].kind == STAT_N && strncmp(rtable_col_stat(t, c), "n_", 2) == 0)
			return 1;
	return 0;
}

static int has_group_n(const struct rtable *t)
{
	for (size_t c = t->nkeys; c < t->ncols; c++)
		if (t->cols[c].kind == STAT_N && strcmp(rtable_col_stat(t, c), "n") == 0)
			return 1;
	return 0;
}

static int has_kind(const struct rtable *t, enum column_kind kind)
{
	for (size_t c = t->nkeys; c < t->ncols; c++)
		if (t->cols[c].kind == kind)
			return 1;
	return 0;
}

/* A tested comparison (compare_tables_tested) says what its p and SE are. */
static int has_change_test(const struct rtable *t)
{
	return has_kind(t, STAT_CHANGE_P);
}

static int has_change_se(const struct rtable *t)
{
	return has_kind(t, STAT_CHANGE_SE);
}

/* A p-value with no SE beside it is a count's, by the Poisson rule. */
static int has_poisson_change(const struct rtable *t)
{
	for (size_t c = t->nkeys; c < t->ncols; c++) {
		int with_se = 0;
		if (t->cols[c].kind != STAT_CHANGE_P)
			continue;
		for (size_t d = t->nkeys; d < t->ncols; d++)
			with_se |= t->cols[d].kind == STAT_CHANGE_SE && t->cols[d].base == t->cols[c].base;
		if (!with_se)
			return 1;
	}
	return 0;
}

/* The legend of the p-value and SE columns: by the rule of every tested
 * column, a table with both naming both. */
static const char *change_test_key(const struct rtable *t)
{
	if (!has_change_se(t))
		return "note.change_test";
	return has_poisson_change(t) ? "note.change_test_mixed" : "note.change_test_se";
}

/* The legend of the change marks: survey estimates compared by their
 * standard errors say so and at what level; counts keep the Poisson rule. */
static void change_note(const struct report *rep, const struct report_section *s, struct sbuf *text)
{
	double level = rep->compare_level > 0 ? rep->compare_level : 0.95;
	char z[160], pct[160];

	note_number(rep->z, z);
	if (s->compare_rules == COMPARE_BY_SE) {
		note_number((1 - level) * 100, pct);
		lang_percent(pct);
		lang_put(text, "note.beyond_se", "level", pct, "z", z, NULL);
	} else {
		lang_put(text, "note.beyond_noise", "z", z, NULL);
	}
}

size_t render_notes(const struct report *rep, const struct report_section *s, struct note *notes)
{
	struct sbuf text = SBUF_INIT, rows = SBUF_INIT;
	char k[160], lt[170], a[160], b[160];
	size_t n = 0;

	snprintf(lt, sizeof(lt), "%.0f", hidden_below(rep, &s->table));
	lang_number(lt, 0, k);
	snprintf(lt, sizeof(lt), "<%.0f", hidden_below(rep, &s->table));
	if (s->supp.primary) {
		lang_put_n(&rows, "note.rows", s->supp.primary, NULL);
		lang_put(&text, "note.primary", "k", k, "rows", sbuf_cstr(&rows), NULL);
		note_text(&notes[n++], lt, &text);
		sbuf_reset(&rows);
	}
	if (s->supp.secondary) {
		lang_put_n(&rows, "note.rows", s->supp.secondary, NULL);
		lang_put(&text, "note.secondary", "k", k, "rows", sbuf_cstr(&rows), NULL);
		note_text(&notes[n++], "x", &text);
	}
	if (s->supp.primary && rep->audited && !isinf(rep->audit.min_width)) {
		audit_note(rep, &text, k);
		note_text(&notes[n++], "", &text);
	}
	if (s->unreliable) {
		note_number(rep->min_n, a);
		note_number(rep->max_cv * 100, b);
		lang_percent(b);
		lang_put(&text, "note.unreliable", "min_n", a, "max_cv", b, NULL);
		note_text(&notes[n++], MARK_UNRELIABLE, &text);
	}
	if (s->changes_beyond_noise) {
		change_note(rep, s, &text);
		note_text(&notes[n++], MARK_UP MARK_DOWN, &text);
	}
	if (has_change_test(&s->table)) {
		lang_put(&text, change_test_key(&s->table), NULL);
		note_text(&notes[n++], "", &text);
	}
	if (s->test_note[0]) {
		notes[n].mark[0] = '\0';
		snprintf(notes[n++].text, sizeof(notes->text), "%s", s->test_note);
	}
	reference_note(&text, rep, s);
	if (text.len)
		note_text(&notes[n++], "", &text);
	if (has_interval(&s->table) && (rep->ci == CI_STYLE_PAREN || rep->ci == CI_STYLE_PM)) {
		lang_put(&text, rep->ci == CI_STYLE_PAREN ? "note.ci_paren" : "note.ci_pm", NULL);
		note_text(&notes[n++], "", &text);
	}
	if (has_answered_n(&s->table)) {
		lang_put(&text, has_group_n(&s->table) ? "note.base_n_group" : "note.base_n", NULL);
		note_text(&notes[n++], "", &text);
	}
	sbuf_release(&text);
	sbuf_release(&rows);
	return n;
}

void render_plain_value(const struct report *rep, const struct rtable *t, size_t r, size_t c, char *buf)
{
	const struct rrow *row = &t->rows[r];
	int digits;

	if (t->cols[c].is_key) {
		const char *l = rep->codes ? NULL : render_user_label(rep, row->cell[c]);
		if (!l && !rep->codes)
			l = file_label(rep, t->cols[c].name, row->cell[c]);
		snprintf(buf, 96, "%s", l ? l : row->cell[c]);
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
