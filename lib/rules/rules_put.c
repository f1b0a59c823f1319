/* Writing a row's results: each applied set's label into the column
 * rulebook_bind() gave it, in order (rules.h, struct rules_row). */
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "xalloc.h"

void rules_row_init(struct rules_row *w)
{
	memset(w, 0, sizeof(*w));
}

void rules_row_release(struct rules_row *w)
{
	free(w->input);
	sbuf_release(&w->labels);
	sbuf_release(&w->ids);
	rules_row_init(w);
}

/* Offsets, not pointers: writing may move the record's buffer, and
 * rec_set() leaves a replaced field's bytes where they were. */
void rules_row_begin(struct rules_row *w, const struct record *rec)
{
	w->input = xgrow(w->input, &w->cap, rec->nfields, sizeof(*w->input));
	if (rec->nfields)
		memcpy(w->input, rec->fields, rec->nfields * sizeof(*rec->fields));
	w->ninput = rec->nfields;
}

static void put_field(const struct ruleset *s, struct record *rec, const char *p, size_t n)
{
	if (s->in_place)
		rec_set(rec, (size_t)s->out_col, p, n);
	else
		rec_push(rec, p, n);
}

/* The kept value: the first `from` column as read.  The pointer goes
 * straight to rec_set()/rec_push(), which may take the record's own bytes. */
static void put_kept(const struct rules_row *w, const struct ruleset *s, struct record *rec)
{
	size_t col = (size_t)s->from_col[0];

	if (col < w->ninput)
		put_field(s, rec, rec->data.s + w->input[col].off, w->input[col].len);
	else
		put_field(s, rec, "", 0);
}

/* Every distinct label of the hits joined with ';', and every rule id. */
static void join_hits(struct rules_row *w, const struct ruleset *s, const struct rules_hits *h)
{
	size_t i, j;
	const char *label;

	sbuf_reset(&w->labels);
	sbuf_reset(&w->ids);
	for (i = 0; i < h->n; i++) {
		label = s->rules[h->idx[i]]->label;
		for (j = 0; j < i && strcmp(s->rules[h->idx[j]]->label, label) != 0; j++)
			;
		if (i > 0)
			sbuf_addc(&w->ids, ';');
		sbuf_addstr(&w->ids, s->rules[h->idx[i]]->id);
		if (j < i)
			continue;
		if (w->labels.len)
			sbuf_addc(&w->labels, ';');
		sbuf_addstr(&w->labels, label);
	}
}

static void put_explain(const struct ruleset *s, struct record *rec, const char *id)
{
	if (s->explain_col >= 0)
		rec_push(rec, id, strlen(id));
}

void rules_put(struct rules_row *w, const struct ruleset *s, const struct rules_hits *h,
	struct record *rec, int all)
{
	const char *label;

	if (all && h->n) {
		join_hits(w, s, h);
		put_field(s, rec, sbuf_cstr(&w->labels), w->labels.len);
		put_explain(s, rec, sbuf_cstr(&w->ids));
		return;
	}
	if (h->n) {
		rules_put_rule(s, s->rules[h->idx[0]], rec);
		return;
	}
	if (s->keep)
		put_kept(w, s, rec);
	else {
		label = s->default_label ? s->default_label : "";
		put_field(s, rec, label, strlen(label));
	}
	put_explain(s, rec, "default");
}

void rules_put_rule(const struct ruleset *s, const struct rule *r, struct record *rec)
{
	put_field(s, rec, r->label, strlen(r->label));
	put_explain(s, rec, r->id);
}
