#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suppress.h"
#include "xalloc.h"

enum { SHOWN, PRIMARY, SECONDARY };

/* Rows a and b lie on one line along key d when all their other keys agree. */
static int same_line(const struct rtable *t, size_t a, size_t b, size_t d)
{
	for (size_t k = 0; k < t->nkeys; k++)
		if (k != d && strcmp(t->rows[a].cell[k], t->rows[b].cell[k]) != 0)
			return 0;
	return 1;
}

/* Lower is a better second cell to hide: a non-total row with the
 * smallest non-zero size, then zeros, then totals. */
static int worse_candidate(const struct rtable *t, long size_col, size_t a, size_t b)
{
	const struct rrow *ra = &t->rows[a], *rb = &t->rows[b];
	double va = ra->val[size_col], vb = rb->val[size_col];

	if (ra->total != rb->total)
		return ra->total > rb->total;
	if (isnan(va) != isnan(vb))
		return isnan(va);
	if ((va == 0) != (vb == 0))
		return va == 0;
	return va > vb;
}

/* Makes the line through row r along key d safe; 1 when it hid a row. */
static int fix_line(const struct rtable *t, long size_col, unsigned char *state, size_t r, size_t d)
{
	size_t members = 0, hidden = 0;
	long pick = -1;

	for (size_t o = 0; o < t->nrows; o++) {
		if (!same_line(t, r, o, d))
			continue;
		members++;
		if (state[o] != SHOWN)
			hidden++;
		else if (pick < 0 || worse_candidate(t, size_col, (size_t)pick, o))
			pick = (long)o;
	}
	if (members < 2 || hidden != 1 || pick < 0)
		return 0;
	state[pick] = SECONDARY;
	return 1;
}

static void hide_row(struct rtable *t, size_t r, unsigned char flag)
{
	for (size_t c = t->nkeys; c < t->ncols; c++)
		t->rows[r].flag[c] |= flag;
}

int suppress_table(struct rtable *t, double k, struct suppress_result *res)
{
	long size_col = rtable_size_col(t);
	unsigned char *state;
	int changed;

	memset(res, 0, sizeof(*res));
	if (k <= 1)
		return 0;
	if (size_col < 0)
		return -1;
	state = xcalloc(t->nrows ? t->nrows : 1, 1);
	for (size_t r = 0; r < t->nrows; r++) {
		double v = t->rows[r].val[size_col];
		if (v > 0 && v < k)
			state[r] = PRIMARY;
	}
	do {
		changed = 0;
		for (size_t d = 0; d < t->nkeys; d++)
			for (size_t r = 0; r < t->nrows; r++)
				if (state[r] != SHOWN)
					changed |= fix_line(t, size_col, state, r, d);
	} while (changed);
	for (size_t r = 0; r < t->nrows; r++) {
		if (state[r] == PRIMARY) {
			hide_row(t, r, CELL_PRIMARY);
			res->primary++;
		} else if (state[r] == SECONDARY) {
			hide_row(t, r, CELL_SECONDARY);
			res->secondary++;
		}
	}
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
