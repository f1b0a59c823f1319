#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lang.h"
#include "render_cell.h"
#include "render_chart.h"
#include "render_reference.h"

const struct report_reference *reference_of(const struct report *rep, const struct report_section *s)
{
	const struct report_reference *r = s->reference ? s->reference : rep->reference;

	return r && r->n ? r : NULL;
}

long reference_key(const struct rtable *t)
{
	for (size_t k = 0; k < t->nkeys; k++)
		if (!rtable_key_is_period(t, k))
			return (long)k;
	return t->nkeys ? 0 : -1;
}

double reference_value(const struct report_reference *r, const char *v)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->key[i], v) == 0)
			return r->value[i];
	return NAN;
}

int reference_of_column(const struct report_reference *r, const struct rtable *t, long c)
{
	return c >= 0 && (!r->column || strcmp(r->column, t->cols[c].name) == 0);
}

static int in_table(const struct rtable *t, long k, const char *v)
{
	for (size_t r = 0; r < t->nrows; r++)
		if (!t->rows[r].total && strcmp(t->rows[r].cell[k], v) == 0)
			return 1;
	return 0;
}

/* "form1 17.8%": the key value as the report names it, the value in the
 * column's units (a share as a percentage). */
static void put_value(struct sbuf *b, const struct report *rep, const struct rtable *t, long k, int percent,
	const struct report_reference *r, size_t i)
{
	char plain[64], shown[200];

	render_key_text(b, rep, t->cols[k].name, r->key[i]);
	snprintf(plain, sizeof(plain), "%.10g", percent ? r->value[i] * 100 : r->value[i]);
	lang_number(plain, 1, shown);
	if (percent)
		lang_percent(shown);
	sbuf_addc(b, ' ');
	sbuf_addstr(b, shown);
}

/* The values, all of them or only those the table lacks, "; " between. */
static size_t list_values(struct sbuf *b, const struct report *rep, const struct report_section *s,
	const struct report_reference *r, long k, int only_absent)
{
	const struct rtable *t = &s->table;
	long c = r->column ? rtable_find(t, r->column) : chart_value_column(rep, s, t);
	int percent = c >= (long)t->nkeys && t->cols[c].kind == STAT_SHARE;
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		if (only_absent && in_table(t, k, r->key[i]))
			continue;
		if (n++)
			sbuf_addstr(b, "; ");
		put_value(b, rep, t, k, percent, r, i);
	}
	return n;
}

static void sentence(struct sbuf *out, struct sbuf *x)
{
	if (out->len && x->len)
		sbuf_addc(out, ' ');
	sbuf_addstr(out, sbuf_cstr(x));
	sbuf_reset(x);
}

void reference_note(struct sbuf *out, const struct report *rep, const struct report_section *s)
{
	const struct report_reference *r = reference_of(rep, s);
	const struct rtable *t = &s->table;
	long k = reference_key(t), charted = chart_value_column(rep, s, t);
	struct sbuf v = SBUF_INIT, x = SBUF_INIT;
	const char *column = r && r->column ? r->column : charted >= 0 ? t->cols[charted].name : "";

	if (!r || k < 0)
		return;
	if (!r->stated) {
		list_values(&v, rep, s, r, k, 0);
		lang_put(&x, r->label ? "note.reference" : "note.reference_unnamed", "column", column,
			"label", r->label ? r->label : "", "values", sbuf_cstr(&v), NULL);
		sentence(out, &x);
		sbuf_reset(&v);
	}
	if (list_values(&v, rep, s, r, k, 1)) {
		lang_put(&x, "note.reference_absent", "values", sbuf_cstr(&v), NULL);
		sentence(out, &x);
	}
	if (charted >= 0 && chart_kind_of(rep, s) != CHART_NONE && !reference_of_column(r, t, charted)) {
		lang_put(&x, "note.reference_not_charted", "column", column, "charted", t->cols[charted].name, NULL);
		sentence(out, &x);
	}
	sbuf_release(&v);
	sbuf_release(&x);
}
