#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "suppress.h"
#include "xalloc.h"

enum { SHOWN, PRIMARY, SECONDARY };

/* The lines of a table along every key, each row's members in the order a
 * second cell to hide is chosen from.  Line l of key d holds the rows
 * member[start[l] .. start[l + 1]); line_of[d * nrows + r] is row r's. */
struct lines {
	size_t nlines;
	size_t *start, *member, *line_of;
	size_t *hidden;              /* hidden members of each line */
	size_t *next;                /* the first member not yet known to be hidden */
};

static const struct rtable *cmp_table;
static long cmp_col;

/* Lower is a better second cell to hide: a non-total row with the
 * smallest non-zero size, then zeros, then totals; first in the table on
 * a tie. */
static int by_candidate(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct rrow *ra = &cmp_table->rows[a], *rb = &cmp_table->rows[b];
	double va = ra->val[cmp_col], vb = rb->val[cmp_col];

	if (ra->total != rb->total)
		return ra->total - rb->total;
	if (isnan(va) != isnan(vb))
		return isnan(va) ? 1 : -1;
	if ((va == 0) != (vb == 0))
		return va == 0 ? 1 : -1;
	if (va != vb && !isnan(va))
		return va < vb ? -1 : 1;
	return a < b ? -1 : a > b;
}

static void lines_build(struct lines *ln, const struct rtable *t, long size_col)
{
	struct groups g;
	struct sbuf key = SBUF_INIT;
	size_t n = t->nrows, *fill;

	groups_init(&g);
	ln->line_of = xmalloc((t->nkeys * n + 1) * sizeof(size_t));
	for (size_t d = 0; d < t->nkeys; d++) {
		for (size_t r = 0; r < n; r++) {
			int added;
			uint32_t dd = (uint32_t)d;
			sbuf_reset(&key);
			sbuf_add(&key, &dd, sizeof(dd));
			for (size_t k = 0; k < t->nkeys; k++)
				if (k != d)
					keybuf_part(&key, t->rows[r].cell[k], strlen(t->rows[r].cell[k]));
			ln->line_of[d * n + r] = groups_intern(&g, key.s, key.len, key_hash(key.s, key.len), &added);
		}
	}
	ln->nlines = g.n;
	ln->start = xcalloc(ln->nlines + 2, sizeof(size_t));
	for (size_t i = 0; i < t->nkeys * n; i++)
		ln->start[ln->line_of[i] + 2]++;
	for (size_t l = 0; l < ln->nlines; l++)
		ln->start[l + 2] += ln->start[l + 1];
	fill = ln->start + 1;
	ln->member = xmalloc((t->nkeys * n + 1) * sizeof(size_t));
	for (size_t i = 0; i < t->nkeys * n; i++)
		ln->member[fill[ln->line_of[i]]++] = i % n;
	cmp_table = t;
	cmp_col = size_col;
	for (size_t l = 0; l < ln->nlines; l++)
		qsort(ln->member + ln->start[l], ln->start[l + 1] - ln->start[l], sizeof(size_t), by_candidate);
	ln->hidden = xcalloc(ln->nlines + 1, sizeof(size_t));
	ln->next = xmalloc((ln->nlines + 1) * sizeof(size_t));
	for (size_t l = 0; l < ln->nlines; l++)
		ln->next[l] = ln->start[l];
	groups_release(&g);
	sbuf_release(&key);
}

static void lines_release(struct lines *ln)
{
	free(ln->start);
	free(ln->member);
	free(ln->line_of);
	free(ln->hidden);
	free(ln->next);
}

static void set_hidden(const struct rtable *t, struct lines *ln, unsigned char *state, size_t r, unsigned char how)
{
	state[r] = how;
	for (size_t d = 0; d < t->nkeys; d++)
		ln->hidden[ln->line_of[d * t->nrows + r]]++;
}

/* Makes line l safe; 1 when it hid a row.  A line with exactly one hidden
 * row would give it away by subtraction from the line's total. */
static int fix_line(const struct rtable *t, struct lines *ln, unsigned char *state, size_t l)
{
	size_t members = ln->start[l + 1] - ln->start[l];

	if (members < 2 || ln->hidden[l] != 1)
		return 0;
	while (ln->next[l] < ln->start[l + 1] && state[ln->member[ln->next[l]]] != SHOWN)
		ln->next[l]++;
	if (ln->next[l] == ln->start[l + 1])
		return 0;
	set_hidden(t, ln, state, ln->member[ln->next[l]], SECONDARY);
	return 1;
}

void suppress_hide_row(struct rtable *t, size_t r, unsigned char flag)
{
	for (size_t c = t->nkeys; c < t->ncols; c++)
		t->rows[r].flag[c] |= flag;
}

int suppress_table(struct rtable *t, double k, struct suppress_result *res)
{
	long size_col = rtable_size_col(t);
	unsigned char *state;
	struct lines ln;
	int changed;

	memset(res, 0, sizeof(*res));
	if (k <= 1)
		return 0;
	if (size_col < 0)
		return -1;
	t->hidden_below = k;
	state = xcalloc(t->nrows ? t->nrows : 1, 1);
	lines_build(&ln, t, size_col);
	for (size_t r = 0; r < t->nrows; r++) {
		double v = t->rows[r].val[size_col];
		if (v > 0 && v < k)
			set_hidden(t, &ln, state, r, PRIMARY);
	}
	/* Row by row along each key, as often as a pass hides something: the
	 * same choices as checking every line each time, in linear passes. */
	do {
		changed = 0;
		for (size_t d = 0; d < t->nkeys; d++)
			for (size_t r = 0; r < t->nrows; r++)
				if (state[r] != SHOWN)
					changed |= fix_line(t, &ln, state, ln.line_of[d * t->nrows + r]);
	} while (changed);
	for (size_t r = 0; r < t->nrows; r++) {
		if (state[r] == PRIMARY) {
			suppress_hide_row(t, r, CELL_PRIMARY);
			res->primary++;
		} else if (state[r] == SECONDARY) {
			suppress_hide_row(t, r, CELL_SECONDARY);
			res->secondary++;
		}
	}
	lines_release(&ln);
	free(state);
	return 0;
}

int suppress_row_hidden(const struct rtable *t, size_t r)
{
	for (size_t c = t->nkeys; c < t->ncols; c++)
		if (t->rows[r].flag[c] & CELL_HIDDEN)
			return 1;
	return 0;
}

void suppress_count(const struct rtable *t, struct suppress_result *res)
{
	long sc = rtable_size_col(t);

	memset(res, 0, sizeof(*res));
	for (size_t r = 0; sc >= 0 && r < t->nrows; r++) {
		unsigned char f = t->rows[r].flag[sc];
		if (f & CELL_PRIMARY)
			res->primary++;
		else if (f & CELL_SECONDARY)
			res->secondary++;
	}
}
