#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "groups.h"
#include "render_compare.h"
#include "sbuf.h"
#include "xalloc.h"

/* The keys rows are matched on: every key that is not a period.  Both
 * tables must have them, under the same names. */
static size_t match_keys(const struct rtable *cur, const struct rtable *prev, long *cur_k, long *prev_k)
{
	size_t n = 0;

	for (size_t k = 0; k < cur->nkeys; k++) {
		if (rtable_key_is_period(cur, k))
			continue;
		cur_k[n] = (long)k;
		prev_k[n] = rtable_find(prev, cur->cols[k].name);
		n++;
	}
	return n;
}

static void row_key(struct sbuf *b, const struct rtable *t, size_t r, const long *keys, size_t n)
{
	sbuf_reset(b);
	for (size_t i = 0; i < n; i++)
		keybuf_part(b, t->rows[r].cell[keys[i]], strlen(t->rows[r].cell[keys[i]]));
}

/* The rows of t by their matched keys, into g (initialised by the caller):
 * (*row_of)[id] is the row of key id.  -1 when a key repeats. */
static int index_rows(const struct rtable *t, const long *keys, size_t n, struct groups *g,
	size_t **row_of, const char *what)
{
	struct sbuf key = SBUF_INIT;
	int rc = 0;

	*row_of = xmalloc((t->nrows + 1) * sizeof(**row_of));
	for (size_t r = 0; r < t->nrows && rc == 0; r++) {
		int added;
		uint32_t id;
		row_key(&key, t, r, keys, n);
		id = groups_intern(g, key.s, key.len, key_hash(key.s, key.len), &added);
		if (!added) {
			civic_warn("%s: cannot compare: the key '%s' repeats (does the table hold several periods?)",
				what, n ? t->rows[r].cell[keys[0]] : "");
			rc = -1;
		}
		(*row_of)[id] = r;
	}
	sbuf_release(&key);
	return rc;
}

static void compared_columns(const struct rtable *t, long *cols, size_t *n)
{
	long count = rtable_find(t, "count"), share = rtable_find(t, "share");

	*n = 0;
	if (count >= (long)t->nkeys)
		cols[(*n)++] = count;
	if (share >= (long)t->nkeys)
		cols[(*n)++] = share;
	for (size_t c = t->nkeys; *n == 0 && c < t->ncols; c++)
		if (t->cols[c].part == PART_EST && t->cols[c].kind != STAT_N)
			cols[(*n)++] = (long)c;
}

/* The rule beyond_noise applies to column c of cur against pc of prev. */
static int rule_of(const struct rtable *cur, long c, const struct rtable *prev, long pc)
{
	int census = cur->cols[c].kind == STAT_COUNT && rtable_count_is_census(cur);

	if (!census && cur->cols[c].se >= 0 && prev->cols[pc].se >= 0)
		return COMPARE_BY_SE;
	return cur->cols[c].kind == STAT_COUNT ? COMPARE_POISSON : 0;
}

double compare_z(double level)
{
	return qnorm5(1 - (1 - level) / 2, 0, 1, 1, 0);
}

int compare_rules(const struct rtable *cur, const struct rtable *prev)
{
	long cols[2];
	size_t n;
	int rules = 0;

	compared_columns(cur, cols, &n);
	for (size_t i = 0; i < n; i++) {
		long pc = rtable_find(prev, cur->cols[cols[i]].name);
		if (pc >= (long)prev->nkeys)
			rules |= rule_of(cur, cols[i], prev, pc);
	}
	return rules;
}

struct change_cols {
	long base, prev, change, pct;
	long se, p;                    /* the change's SE and p-value, or -1 */
	int rule;                      /* COMPARE_ rule of base, or 0 */
};

/* The change's standard error and two-sided p-value (normal), as the
 * columns BASE_change_se (survey estimates only: a census count's
 * Poisson SE is no design's) and BASE_change_p (either rule). */
static void add_test_cols(struct rtable *t, struct change_cols *cc, int rule)
{
	struct sbuf name = SBUF_INIT;
	const char *b = t->cols[cc->base].name;

	cc->rule = rule;
	cc->se = cc->p = -1;
	if (rule == COMPARE_BY_SE) {
		sbuf_printf(&name, "%s_change_se", b);
		cc->se = rtable_add_stat(t, sbuf_cstr(&name), STAT_CHANGE_SE, cc->base);
	}
	if (rule) {
		sbuf_reset(&name);
		sbuf_printf(&name, "%s_change_p", b);
		cc->p = rtable_add_stat(t, sbuf_cstr(&name), STAT_CHANGE_P, cc->base);
	}
	sbuf_release(&name);
}

static void add_change_cols(struct rtable *t, long base, struct change_cols *cc)
{
	struct sbuf name = SBUF_INIT;
	const char *b = t->cols[base].name;

	cc->base = base;
	sbuf_printf(&name, "%s_prev", b);
	cc->prev = rtable_add_stat(t, sbuf_cstr(&name), STAT_PREV, base);
	sbuf_reset(&name);
	sbuf_printf(&name, "%s_change", b);
	cc->change = rtable_add_stat(t, sbuf_cstr(&name), STAT_CHANGE, base);
	cc->pct = -1;
	/* A relative change of a share reads as a second percentage-point
	 * figure and misleads: shares get the absolute change only. */
	if (t->cols[base].kind != STAT_SHARE) {
		sbuf_reset(&name);
		sbuf_printf(&name, "%s_change_pct", b);
		cc->pct = rtable_add_stat(t, sbuf_cstr(&name), STAT_CHANGE_PCT, base);
	}
	sbuf_release(&name);
}

/* The difference's SE: sqrt(se_a² + se_b²) for estimates with standard
 * errors (independent samples), sqrt(a + b) for a Poisson count; NAN
 * when there is none. */
static double change_se(const struct rtable *cur, size_t r, long c, int rule,
	const struct rtable *prev, long pr, long pc)
{
	double a = cur->rows[r].val[c], b = prev->rows[pr].val[pc];

	if (rule == COMPARE_BY_SE) {
		double sa = cur->rows[r].val[cur->cols[c].se], sb = prev->rows[pr].val[prev->cols[pc].se];
		return sqrt(sa * sa + sb * sb);
	}
	if (rule == COMPARE_POISSON && a >= 0 && b >= 0)
		return sqrt(a + b);
	return NAN;
}

static int beyond_noise(const struct rtable *cur, size_t r, long c,
	const struct rtable *prev, long pr, long pc, double z)
{
	double se = change_se(cur, r, c, rule_of(cur, c, prev, pc), prev, pr, pc);

	return !isnan(se) && fabs(cur->rows[r].val[c] - prev->rows[pr].val[pc]) > z * se;
}

static void fill_test(struct rtable *cur, size_t r, const struct change_cols *cc,
	const struct rtable *prev, long pr, long pc)
{
	double d = cur->rows[r].val[cc->base] - prev->rows[pr].val[pc];
	double se = change_se(cur, r, cc->base, cc->rule, prev, pr, pc);

	if (cc->p < 0 || isnan(se))
		return;
	if (cc->se >= 0)
		rtable_set(cur, r, (size_t)cc->se, se);
	if (se > 0)
		rtable_set(cur, r, (size_t)cc->p, 2 * pnorm5(-fabs(d) / se, 0, 1, 1, 0));
	else if (d == 0)
		rtable_set(cur, r, (size_t)cc->p, 1);
}

static int fill_change(struct rtable *cur, size_t r, const struct change_cols *cc,
	const struct rtable *prev, long pr, long pc, double z)
{
	struct rrow *row = &cur->rows[r];
	unsigned char pflag = prev->rows[pr].flag[pc] & CELL_HIDDEN;
	unsigned char cflag = row->flag[cc->base] & CELL_HIDDEN;
	double a = row->val[cc->base], b = prev->rows[pr].val[pc];

	/* The previous value is shown as that period was published, by its
	 * own count; a change would give away whichever side is hidden. */
	rtable_set(cur, r, (size_t)cc->prev, b);
	row->flag[cc->prev] |= pflag;
	if (pflag || cflag) {
		const long hide[] = { cc->change, cc->pct, cc->se, cc->p };
		for (size_t i = 0; i < sizeof(hide) / sizeof(hide[0]); i++)
			if (hide[i] >= 0)
				row->flag[hide[i]] |= CELL_SECONDARY;
		return 0;
	}
	if (isnan(a) || isnan(b))
		return 0;
	rtable_set(cur, r, (size_t)cc->change, a - b);
	if (b != 0 && cc->pct >= 0)
		rtable_set(cur, r, (size_t)cc->pct, (a - b) / fabs(b) * 100);
	fill_test(cur, r, cc, prev, pr, pc);
	if (!beyond_noise(cur, r, cc->base, prev, pr, pc, z))
		return 0;
	row->flag[cc->change] |= a > b ? CELL_UP : CELL_DOWN;
	return 1;
}

static long compare(struct rtable *cur, const struct rtable *prev, double z, int tested)
{
	long *ck = xcalloc(cur->nkeys + 1, sizeof(long)), *pk = xcalloc(cur->nkeys + 1, sizeof(long));
	long cols[2];
	struct change_cols cc[2];
	size_t nk = match_keys(cur, prev, ck, pk), ncols, *cur_row = NULL, *prev_row = NULL;
	long flagged = 0;
	struct groups cg, pg;
	struct sbuf key = SBUF_INIT;

	groups_init(&cg);
	groups_init(&pg);

	for (size_t i = 0; i < nk; i++) {
		if (pk[i] < 0 || pk[i] >= (long)prev->nkeys) {
			civic_warn("%s: cannot compare: it has no key '%s'", prev->name, cur->cols[ck[i]].name);
			flagged = -1;
			goto out;
		}
	}
	if (index_rows(cur, ck, nk, &cg, &cur_row, cur->name) < 0 ||
	    index_rows(prev, pk, nk, &pg, &prev_row, prev->name) < 0) {
		flagged = -1;
		goto out;
	}
	compared_columns(cur, cols, &ncols);
	for (size_t i = 0; i < ncols; i++) {
		long pc = rtable_find(prev, cur->cols[cols[i]].name);
		add_change_cols(cur, cols[i], &cc[i]);
		add_test_cols(cur, &cc[i], tested && pc >= (long)prev->nkeys ? rule_of(cur, cols[i], prev, pc) : 0);
	}
	for (size_t r = 0; r < cur->nrows; r++) {
		long id, pr;
		row_key(&key, cur, r, ck, nk);
		id = groups_find(&pg, key.s, key.len, key_hash(key.s, key.len));
		pr = id < 0 ? -1 : (long)prev_row[id];
		for (size_t i = 0; pr >= 0 && i < ncols; i++) {
			long pc = rtable_find(prev, cur->cols[cols[i]].name);
			if (pc >= (long)prev->nkeys)
				flagged += fill_change(cur, r, &cc[i], prev, pr, pc, z);
		}
	}
out:
	groups_release(&cg);
	groups_release(&pg);
	free(cur_row);
	free(prev_row);
	sbuf_release(&key);
	free(ck);
	free(pk);
	return flagged;
}

long compare_tables(struct rtable *cur, const struct rtable *prev, double z)
{
	return compare(cur, prev, z, 0);
}

long compare_tables_tested(struct rtable *cur, const struct rtable *prev, double z)
{
	return compare(cur, prev, z, 1);
}
