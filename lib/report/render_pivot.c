#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render_pivot.h"
#include "xalloc.h"

static const char *const part_words[] = { "_se", "_low", "_high", "_deff" };

/* STAT or STAT_PART: a name civic-tally gives a statistic column. */
static int stat_name(const char *s, size_t n)
{
	char *x = xstrndup(s, n);
	int ok = rtable_stat_kind(x) >= 0;

	for (size_t i = 0; !ok && i < sizeof(part_words) / sizeof(part_words[0]); i++) {
		size_t w = strlen(part_words[i]);
		if (n > w && strcmp(x + n - w, part_words[i]) == 0) {
			x[n - w] = '\0';
			ok = rtable_stat_kind(x) >= 0;
		}
	}
	free(x);
	return ok;
}

static int ends_with_value(const char *name, const char *v)
{
	size_t n = strlen(name), m = strlen(v);

	/* v may be empty: a key value civic-tally found empty */
	return n > m + 1 && name[n - m - 1] == '_' && strcmp(name + n - m, v) == 0;
}

/* Columns k.. as blocks of q, block 0's first column STAT_V0 with its stat
 * plen bytes long: every column of block b is block 0's statistic, '_',
 * and block b's value.  Fills values (m of them) when it fits. */
static int blocks_fit(const struct rtable *t, size_t k, size_t q, size_t plen, char **values)
{
	const char *n0 = t->cols[k].name, *v0 = n0 + plen + 1;
	size_t m = (t->ncols - k) / q;

	for (size_t j = 0; j < q; j++) {
		const char *name = t->cols[k + j].name;
		if (!ends_with_value(name, v0) || !stat_name(name, strlen(name) - strlen(v0) - 1))
			return 0;
	}
	for (size_t b = 0; b < m; b++) {
		const char *first = t->cols[k + b * q].name, *v = first + plen + 1;
		if (strncmp(first, n0, plen) != 0 || first[plen] != '_')
			return 0;
		for (size_t j = 0; j < q; j++) {
			const char *name = t->cols[k + b * q + j].name, *stat = t->cols[k + j].name;
			size_t slen = strlen(stat) - strlen(v0) - 1;
			if (strncmp(name, stat, slen) != 0 || name[slen] != '_' || strcmp(name + slen + 1, v) != 0)
				return 0;
		}
		values[b] = (char *)v;
	}
	/* share_x, share_x_se: a statistic and its part, not two values */
	for (size_t a = 0; a < m; a++)
		for (size_t b = 0; b < m; b++)
			for (size_t i = 0; i < sizeof(part_words) / sizeof(part_words[0]); i++)
				if (ends_with_value(values[b], part_words[i] + 1) &&
				    strlen(values[b]) == strlen(values[a]) + strlen(part_words[i]) &&
				    strncmp(values[b], values[a], strlen(values[a])) == 0)
					return 0;
	return 1;
}

/* The smallest block of two columns or more that fits, with the first
 * statistic split off at each '_' in turn.  A block of one column is a
 * lone count civic-tally names by the value alone: blocks of one named
 * STAT_VALUE would be n_age, n_income as much as a pivot. */
static int find_blocks(const struct rtable *t, size_t k, size_t *q, char **values)
{
	size_t rest = t->ncols - k;

	for (*q = 2; *q <= rest; (*q)++) {
		const char *n0 = t->cols[k].name;
		if (rest % *q)
			continue;
		for (const char *u = strchr(n0, '_'); u; u = strchr(u + 1, '_'))
			if (stat_name(n0, (size_t)(u - n0)) && blocks_fit(t, k, *q, (size_t)(u - n0), values))
				return 1;
	}
	return 0;
}

static int any_stat_name(const struct rtable *t)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (rtable_stat_kind(t->cols[c].name) >= 0)
			return 1;
	return 0;
}

static int all_numbers(const struct rtable *t, size_t c)
{
	for (size_t r = 0; r < t->nrows; r++)
		if (t->rows[r].cell[c][0] && t->rows[r].val[c] != t->rows[r].val[c])
			return 0;
	return 1;
}

/* A statistic's name, or one followed by _VALUE. */
static int stat_column_name(const char *name)
{
	if (stat_name(name, strlen(name)))
		return 1;
	for (const char *u = strchr(name, '_'); u; u = strchr(u + 1, '_'))
		if (stat_name(name, (size_t)(u - name)))
			return 1;
	return 0;
}

/* The keys: leading columns up to the first named for a statistic (or,
 * in a table of values alone, up to the first holding only numbers). */
static size_t lead_keys(const struct rtable *t, int named)
{
	size_t k = 0;

	if (named) {
		while (k < t->ncols && !stat_column_name(t->cols[k].name))
			k++;
		return k;
	}
	while (k + 1 < t->ncols && !all_numbers(t, k))
		k++;
	return k;
}

static int whole_numbers(const struct rtable *t, size_t k)
{
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = k; c < t->ncols; c++)
			if (t->rows[r].cell[c][0] && !(t->rows[r].val[c] == floor(t->rows[r].val[c])))
				return 0;
	return 1;
}

static void set_column(struct rtable *t, size_t c, long v, const char *stat)
{
	struct rcol *col = &t->cols[c];
	int kind = rtable_stat_kind(stat);

	col->pvalue = v;
	col->stat = xstrdup(stat);
	col->kind = kind < 0 ? STAT_OTHER : (enum column_kind)kind;
	col->part = PART_EST;
	col->base = (long)c;
}

/* A part (share_se) belongs to the estimate (share) of its own value. */
static void link_parts(struct rtable *t)
{
	static const enum stat_part parts[] = { PART_SE, PART_LOW, PART_HIGH, PART_DEFF };

	for (size_t c = t->nkeys; c < t->ncols; c++) {
		struct rcol *col = &t->cols[c];
		size_t n = strlen(col->stat);
		for (size_t i = 0; i < sizeof(part_words) / sizeof(part_words[0]); i++) {
			size_t w = strlen(part_words[i]);
			char *base;
			long owner;
			if (n <= w || strcmp(col->stat + n - w, part_words[i]) != 0)
				continue;
			base = xstrndup(col->stat, n - w);
			owner = pivot_find(t, col->pvalue, base);
			free(base);
			if (owner < 0)
				continue;
			col->part = parts[i];
			col->base = owner;
			col->kind = t->cols[owner].kind;
			switch (parts[i]) {
			case PART_SE: t->cols[owner].se = (long)c; break;
			case PART_LOW: t->cols[owner].low = (long)c; break;
			case PART_HIGH: t->cols[owner].high = (long)c; break;
			default: t->cols[owner].deff = (long)c; break;
			}
			break;
		}
	}
}

int pivot_classify(struct rtable *t, long nkeys)
{
	int named = any_stat_name(t);
	size_t k = nkeys >= 0 ? (size_t)nkeys : lead_keys(t, named), q = 1;
	char **values;

	if (k == 0 || k >= t->ncols)
		return 0;
	/* Values alone are counts only when they are whole numbers: a lone
	 * share spread into columns stays numbers of no known statistic. */
	if (!named && !whole_numbers(t, k))
		return 0;
	values = xcalloc(t->ncols, sizeof(*values));
	if (named && !find_blocks(t, k, &q, values)) {
		free(values);
		return 0;
	}
	t->nkeys = k;
	t->pstats = q;
	t->npvalues = (t->ncols - k) / q;
	t->pvalues = xcalloc(t->npvalues, sizeof(*t->pvalues));
	for (size_t b = 0; b < t->npvalues; b++)
		t->pvalues[b] = xstrdup(named ? values[b] : t->cols[k + b].name);
	for (size_t c = 0; c < t->ncols; c++)
		t->cols[c].is_key = c < k;
	for (size_t b = 0; b < t->npvalues; b++) {
		for (size_t j = 0; j < q; j++) {
			size_t c = k + b * q + j;
			const char *name = t->cols[k + j].name;
			char *stat = named ? xstrndup(name, strlen(name) - strlen(values[0]) - 1) : xstrdup("count");
			set_column(t, c, (long)b, stat);
			free(stat);
		}
	}
	link_parts(t);
	free(values);
	return 1;
}

long pivot_find(const struct rtable *t, long v, const char *stat)
{
	for (size_t c = t->nkeys; c < t->ncols; c++)
		if (t->cols[c].pvalue == v && strcmp(t->cols[c].stat, stat) == 0)
			return (long)c;
	return -1;
}

void pivot_unspread(const struct rtable *t, struct rtable *lng)
{
	const char **cells = xcalloc(t->nkeys + t->pstats + 2, sizeof(*cells));

	rtable_init(lng, t->name);
	memcpy(lng->sha256, t->sha256, sizeof(lng->sha256));
	for (size_t k = 0; k < t->nkeys; k++)
		rtable_add_name(lng, t->cols[k].name);
	rtable_add_name(lng, "pivot");
	for (size_t j = 0; j < t->pstats; j++)
		rtable_add_name(lng, t->cols[t->nkeys + j].stat);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t v = 0; v < t->npvalues; v++) {
			for (size_t k = 0; k < t->nkeys; k++)
				cells[k] = t->rows[r].cell[k];
			cells[t->nkeys] = t->pvalues[v];
			for (size_t j = 0; j < t->pstats; j++)
				cells[t->nkeys + 1 + j] = t->rows[r].cell[t->nkeys + v * t->pstats + j];
			rtable_add_row(lng, cells);
		}
	}
	rtable_classify(lng, (long)t->nkeys + 1);
	free(cells);
}

void pivot_copy_flags(struct rtable *t, const struct rtable *lng)
{
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t v = 0; v < t->npvalues; v++)
			for (size_t j = 0; j < t->pstats; j++)
				t->rows[r].flag[t->nkeys + v * t->pstats + j] |=
					lng->rows[r * t->npvalues + v].flag[lng->nkeys + j];
}
