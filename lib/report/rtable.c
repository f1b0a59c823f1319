#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "groups.h"
#include "num.h"
#include "reader.h"
#include "record.h"
#include "render_pivot.h"
#include "rtable.h"
#include "stats.h"
#include "xalloc.h"

static const struct {
	const char *suffix;
	enum stat_part part;
} part_suffixes[] = {
	{ "_se", PART_SE },
	{ "_low", PART_LOW },
	{ "_high", PART_HIGH },
	{ "_deff", PART_DEFF },
};

/* pNN_C: a percentile. */
static int is_percentile(const char *name)
{
	size_t d = 0;

	if (name[0] != 'p')
		return 0;
	while (name[1 + d] >= '0' && name[1 + d] <= '9')
		d++;
	return d > 0 && d <= 3 && name[1 + d] == '_' && name[2 + d];
}

/* -1 when name is no statistic civic-tally writes: a statistic of its
 * table (stats.h), a percentile, or a rate of --per. */
static int stat_kind_of(const char *name)
{
	const char *subject;
	const struct stat_def *d = stat_of_column(name, &subject);

	if (d)
		return (int)d->column;
	if (strncmp(name, "rate_per_", 9) == 0 && name[9])
		return STAT_RATE;
	return is_percentile(name) ? STAT_PCT : -1;
}

int rtable_stat_kind(const char *name)
{
	return stat_kind_of(name);
}

const char *rtable_col_stat(const struct rtable *t, size_t c)
{
	return t->cols[c].stat ? t->cols[c].stat : t->cols[c].name;
}

int stat_is_countlike(enum column_kind kind)
{
	return kind == STAT_COUNT || kind == STAT_N || kind == STAT_DISTINCT || kind == STAT_MISSING;
}

void rtable_init(struct rtable *t, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name ? name : "");
}

void rtable_release(struct rtable *t)
{
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++)
			free(t->rows[r].cell[c]);
		free(t->rows[r].cell);
		free(t->rows[r].val);
		free(t->rows[r].flag);
	}
	for (size_t c = 0; c < t->ncols; c++) {
		free(t->cols[c].name);
		free(t->cols[c].stat);
	}
	for (size_t i = 0; i < t->npvalues; i++)
		free(t->pvalues[i]);
	free(t->pvalues);
	free(t->rows);
	free(t->cols);
	free(t->name);
	memset(t, 0, sizeof(*t));
}

static void col_init(struct rcol *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	c->base = c->se = c->low = c->high = c->deff = -1;
	c->digits = -1;
	c->kind = STAT_OTHER;
	c->pvalue = -1;
}

void rtable_add_name(struct rtable *t, const char *name)
{
	t->cols = xrealloc(t->cols, (t->ncols + 1) * sizeof(*t->cols));
	col_init(&t->cols[t->ncols++], name);
}

static double cell_value(const char *s)
{
	double v;

	return num_parse_double(s, strlen(s), 0, &v) == 0 ? v : NAN;
}

void rtable_add_row(struct rtable *t, const char *const *cells)
{
	struct rrow *row;

	if (t->nrows == t->rowcap)
		t->rows = xgrow(t->rows, &t->rowcap, t->nrows + 1, sizeof(*t->rows));
	row = &t->rows[t->nrows++];
	row->cell = xmalloc(t->ncols * sizeof(*row->cell));
	row->val = xmalloc(t->ncols * sizeof(*row->val));
	row->flag = xcalloc(t->ncols, 1);
	row->total = 0;
	for (size_t c = 0; c < t->ncols; c++) {
		row->cell[c] = xstrdup(cells[c] ? cells[c] : "");
		row->val[c] = cell_value(row->cell[c]);
	}
}

long rtable_find(const struct rtable *t, const char *name)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (strcmp(t->cols[c].name, name) == 0)
			return (long)c;
	return -1;
}

static int column_all_numbers(const struct rtable *t, size_t c)
{
	for (size_t r = 0; r < t->nrows; r++)
		if (t->rows[r].cell[c][0] && isnan(t->rows[r].val[c]))
			return 0;
	return 1;
}

static size_t count_keys(const struct rtable *t)
{
	size_t k = 0;

	while (k < t->ncols && stat_kind_of(t->cols[k].name) < 0)
		k++;
	if (k < t->ncols)
		return k;
	/* No statistic names at all: a pivot, whose keys hold text. */
	for (k = 0; k + 1 < t->ncols && !column_all_numbers(t, k); k++)
		;
	return k ? k : (t->ncols > 1);
}

/* X_se belongs to X when X is a column of the table. */
static long part_owner(const struct rtable *t, const char *name, enum stat_part *part)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(part_suffixes) / sizeof(part_suffixes[0]); i++) {
		size_t s = strlen(part_suffixes[i].suffix);
		if (n > s && strcmp(name + n - s, part_suffixes[i].suffix) == 0) {
			char *base = xstrndup(name, n - s);
			long c = rtable_find(t, base);
			free(base);
			if (c >= 0) {
				*part = part_suffixes[i].part;
				return c;
			}
		}
	}
	return -1;
}

static void link_part(struct rcol *est, enum stat_part part, long c)
{
	switch (part) {
	case PART_SE: est->se = c; break;
	case PART_LOW: est->low = c; break;
	case PART_HIGH: est->high = c; break;
	case PART_DEFF: est->deff = c; break;
	case PART_EST: break;
	}
}

static void mark_integral(struct rtable *t, size_t c)
{
	t->cols[c].integral = 1;
	for (size_t r = 0; r < t->nrows; r++) {
		double v = t->rows[r].val[c];
		if (!isnan(v) && v != floor(v))
			t->cols[c].integral = 0;
	}
}

static int count_is_census(const struct rtable *t);
static void mark_margins(struct rtable *t);

static int is_total(const char *cell)
{
	return strcmp(cell, "Total") == 0;
}

static int is_total_key(const struct rtable *t, size_t r, size_t k)
{
	return t->rows[r].total && is_total(t->rows[r].cell[k]);
}

void rtable_key_encode(struct sbuf *b, const struct rtable *t, size_t r, unsigned long total_mask, long skip)
{
	for (size_t k = 0; k < t->nkeys; k++) {
		if ((long)k == skip)
			continue;
		if ((k < RTABLE_MAX_MASK_KEYS && (total_mask >> k & 1)) || is_total_key(t, r, k))
			keybuf_total(b);
		else
			keybuf_part(b, t->rows[r].cell[k], strlen(t->rows[r].cell[k]));
	}
}

unsigned long rtable_total_mask(const struct rtable *t, size_t r)
{
	unsigned long mask = 0;

	for (size_t k = 0; k < t->nkeys && k < RTABLE_MAX_MASK_KEYS; k++)
		if (is_total_key(t, r, k))
			mask |= 1UL << k;
	return mask;
}

static int row_has_total_text(const struct rtable *t, size_t r)
{
	for (size_t k = 0; k < t->nkeys; k++)
		if (is_total(t->rows[r].cell[k]))
			return 1;
	return 0;
}

/* The first count (or n) estimate column, -1 if none. */
static long first_count_col(const struct rtable *t)
{
	for (size_t c = t->nkeys; c < t->ncols; c++)
		if ((t->cols[c].kind == STAT_COUNT || t->cols[c].kind == STAT_N) && t->cols[c].part == PART_EST)
			return (long)c;
	return -1;
}

size_t rtable_margin_masks(const struct rtable *t, unsigned long *masks)
{
	size_t n = 0;

	for (size_t r = 0; r < t->nrows; r++) {
		unsigned long m = t->rows[r].total ? rtable_total_mask(t, r) : 0;
		size_t i = 0;
		while (i < n && masks[i] != m)
			i++;
		if (m && i == n && n < RTABLE_MAX_MASKS)
			masks[n++] = m;
	}
	return n;
}

void rtable_margins_index(const struct rtable *t, struct groups *g, long **margin_of)
{
	struct sbuf key = SBUF_INIT;

	groups_init(g);
	*margin_of = NULL;
	for (size_t r = 0; r < t->nrows; r++) {
		int added;
		uint32_t id;
		if (!t->rows[r].total)
			continue;
		sbuf_reset(&key);
		rtable_key_encode(&key, t, r, 0, -1);
		id = groups_intern(g, key.s, key.len, key_hash(key.s, key.len), &added);
		if (added) {
			*margin_of = xrealloc(*margin_of, g->n * sizeof(**margin_of));
			(*margin_of)[id] = (long)r;
		}
	}
	sbuf_release(&key);
}

long rtable_covering_margin(const struct rtable *t, const struct groups *g, const long *margin_of,
	size_t q, unsigned long mask, struct sbuf *key)
{
	long id;

	sbuf_reset(key);
	rtable_key_encode(key, t, q, mask, -1);
	id = groups_find(g, key->s, key->len, key_hash(key->s, key->len));
	return id < 0 ? -1 : margin_of[id];
}

/* A key reading "Total" marks a margin of civic-tally --total, but a
 * category may be called Total too (civic-tally refuses one only with
 * --total).  Where the table has counts a margin must add up: its count
 * is the sum of the rows it covers (the rows with no Total key that agree
 * with it on the keys it does not total over).  A "Total" that does not
 * is an ordinary row, charted, and never taken for a published total when
 * --suppress decides what else to hide.  Each row looks up the margins
 * that can cover it, one per pattern of Total keys: linear in the rows. */
static void confirm_margins(struct rtable *t)
{
	long c = first_count_col(t), *margin_of;
	unsigned long masks[RTABLE_MAX_MASKS];
	size_t nmasks = rtable_margin_masks(t, masks);
	struct groups g;
	struct sbuf key = SBUF_INIT;
	double *sum;
	size_t *covered;

	if (c < 0)
		return;
	rtable_margins_index(t, &g, &margin_of);
	sum = xcalloc(t->nrows + 1, sizeof(*sum));
	covered = xcalloc(t->nrows + 1, sizeof(*covered));
	for (size_t q = 0; q < t->nrows; q++) {
		if (row_has_total_text(t, q) || isnan(t->rows[q].val[c]))
			continue;
		for (size_t i = 0; i < nmasks; i++) {
			long m = rtable_covering_margin(t, &g, margin_of, q, masks[i], &key);
			if (m >= 0 && (size_t)m != q) {
				sum[m] += t->rows[q].val[c];
				covered[m]++;
			}
		}
	}
	for (size_t r = 0; r < t->nrows; r++) {
		double want = t->rows[r].val[c];
		if (t->rows[r].total && (isnan(want) || covered[r] == 0 ||
		    fabs(sum[r] - want) > 1e-9 * fmax(1, fabs(want)) || rtable_total_mask(t, r) == 0))
			t->rows[r].total = 0;
	}
	free(sum);
	free(covered);
	free(margin_of);
	groups_release(&g);
	sbuf_release(&key);
}

void rtable_classify(struct rtable *t, long nkeys)
{
	if (pivot_classify(t, nkeys)) {
		for (size_t c = t->nkeys; c < t->ncols; c++)
			mark_integral(t, c);
		mark_margins(t);
		return;
	}
	t->nkeys = nkeys >= 0 ? (size_t)nkeys : count_keys(t);
	if (t->nkeys > t->ncols)
		t->nkeys = t->ncols;
	for (size_t c = 0; c < t->ncols; c++) {
		struct rcol *col = &t->cols[c];
		enum stat_part part = PART_EST;
		long owner;
		int kind;

		col->is_key = c < t->nkeys;
		if (col->is_key)
			continue;
		owner = part_owner(t, col->name, &part);
		if (owner >= (long)t->nkeys) {
			col->part = part;
			col->base = owner;
			col->kind = t->cols[owner].kind;
			link_part(&t->cols[owner], part, (long)c);
		} else {
			kind = stat_kind_of(col->name);
			col->kind = kind < 0 ? STAT_OTHER : (enum column_kind)kind;
			col->part = PART_EST;
			col->base = (long)c;
		}
		mark_integral(t, c);
	}
	mark_margins(t);
}

static void mark_margins(struct rtable *t)
{
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t k = 0; k < t->nkeys; k++)
			if (strcmp(t->rows[r].cell[k], "Total") == 0)
				t->rows[r].total = 1;
	confirm_margins(t);
	t->count_census = count_is_census(t);
}

long rtable_add_stat(struct rtable *t, const char *name, enum column_kind kind, long base)
{
	size_t c = t->ncols;

	rtable_add_name(t, name);
	t->cols[c].kind = kind;
	t->cols[c].base = base;
	for (size_t r = 0; r < t->nrows; r++) {
		struct rrow *row = &t->rows[r];
		row->cell = xrealloc(row->cell, t->ncols * sizeof(*row->cell));
		row->val = xrealloc(row->val, t->ncols * sizeof(*row->val));
		row->flag = xrealloc(row->flag, t->ncols);
		row->cell[c] = xstrdup("");
		row->val[c] = NAN;
		row->flag[c] = 0;
	}
	return (long)c;
}

void rtable_set(struct rtable *t, size_t row, size_t col, double v)
{
	char buf[32];

	num_format(v, buf);
	rtable_set_text(t, row, col, buf);
	t->rows[row].val[col] = v;
}

void rtable_set_text(struct rtable *t, size_t row, size_t col, const char *s)
{
	free(t->rows[row].cell[col]);
	t->rows[row].cell[col] = xstrdup(s);
	t->rows[row].val[col] = cell_value(s);
	if (t->cols[col].kind == STAT_COUNT || t->cols[col].kind == STAT_N)
		t->count_census = count_is_census(t);
}

long rtable_size_col(const struct rtable *t)
{
	long c = rtable_find(t, "n");

	if (c < (long)t->nkeys)
		c = rtable_find(t, "count");
	return c < (long)t->nkeys ? -1 : c;
}

static const char *const period_funcs[] = { "year(", "quarter(", "month(", "week(", "day(" };

static int looks_like_period(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 4)
		return 0;
	for (i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	if (n == 4)
		return 1;
	if (s[4] != '-')
		return 0;
	/* yyyy-mm, yyyy-mm-dd, yyyy-Qn, yyyy-Www */
	for (i = 5; i < n; i++)
		if (!(s[i] >= '0' && s[i] <= '9') && s[i] != '-' && !(i == 5 && (s[i] == 'Q' || s[i] == 'W')))
			return 0;
	return n == 7 || n == 10 || n == 8;
}

int rtable_key_is_period(const struct rtable *t, size_t k)
{
	size_t seen = 0;

	for (size_t i = 0; i < sizeof(period_funcs) / sizeof(period_funcs[0]); i++)
		if (strncmp(t->cols[k].name, period_funcs[i], strlen(period_funcs[i])) == 0)
			return 1;
	for (size_t r = 0; r < t->nrows; r++) {
		if (t->rows[r].total)
			continue;
		if (!looks_like_period(t->rows[r].cell[k]))
			return 0;
		seen++;
	}
	return seen > 0;
}

static int load_rows(struct rtable *t, struct reader *rd)
{
	struct record rec;
	struct reject why;
	const char **cells = xcalloc(t->ncols ? t->ncols : 1, sizeof(*cells));
	int rc, failed = 0;

	rec_init(&rec);
	while ((rc = reader_next(rd, &rec, &why)) != READ_EOF) {
		if (rc == READ_FATAL) {
			failed = 1;
			break;
		}
		if (rc == READ_REJECT) {
			civic_warn_at(reader_name(rd), rec.line, "%s", why.message);
			failed = 1;
			continue;
		}
		for (size_t c = 0; c < t->ncols; c++)
			cells[c] = rec_get(&rec, c);
		rtable_add_row(t, cells);
	}
	rec_release(&rec);
	free(cells);
	return failed ? -1 : 0;
}

int rtable_load(struct rtable *t, const char *path, long nkeys)
{
	struct reader_opts opts;
	struct reader *rd;
	const struct header *h;
	int rc;

	memset(&opts, 0, sizeof(opts));
	rd = reader_open(path, &opts);
	if (!rd)
		return -1;
	h = reader_header(rd);
	for (size_t c = 0; c < h->n; c++)
		rtable_add_name(t, h->names[c]);
	rc = load_rows(t, rd);
	reader_close(rd);
	if (rc == 0)
		rtable_classify(t, nkeys);
	return rc;
}

int rtable_count_is_census(const struct rtable *t)
{
	return t->count_census;
}

static int count_is_census(const struct rtable *t)
{
	long count = rtable_find(t, "count"), n = rtable_find(t, "n");

	if (count < (long)t->nkeys || !t->cols[count].integral)
		return 0;
	if (n < (long)t->nkeys)
		return 1;
	for (size_t r = 0; r < t->nrows; r++)
		if (t->rows[r].val[count] != t->rows[r].val[n])
			return 0;
	return 1;
}
