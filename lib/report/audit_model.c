#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit_impl.h"
#include "groups.h"
#include "xalloc.h"

enum { MAX_LINK_KEYS = 6 };

static int reads_total(const char *s)
{
	return strcmp(s, "Total") == 0;
}

static int interior(const struct rtable *t, size_t r)
{
	for (size_t k = 0; k < t->nkeys; k++)
		if (reads_total(t->rows[r].cell[k]))
			return 0;
	return 1;
}

double audit_table_k(const struct universe *u, size_t ti)
{
	return u->tabs[ti].k > 0 ? u->tabs[ti].k : u->o->k;
}

static void add_cells(struct universe *u, size_t ti)
{
	const struct rtable *t = u->tabs[ti].t;
	long sc = rtable_size_col(t);
	int shares = rtable_find(t, "share") >= (long)t->nkeys && strcmp(t->cols[sc].name, "count") == 0;

	u->cell_of[ti] = xmalloc((t->nrows + 1) * sizeof(size_t));
	for (size_t r = 0; r < t->nrows; r++) {
		unsigned char f = t->rows[r].flag[sc];
		struct cell *c;
		u->cell_of[ti][r] = NONE;
		if (isnan(t->rows[r].val[sc]))
			continue;
		if (u->ncell == u->cellcap)
			u->cell = xgrow(u->cell, &u->cellcap, u->ncell + 1, sizeof(*u->cell));
		c = &u->cell[u->ncell];
		c->table = ti;
		c->row = r;
		c->v = t->rows[r].val[sc];
		c->state = f & CELL_PRIMARY ? PRIMARY : f & CELL_SECONDARY ? SECONDARY : SHOWN;
		c->frozen = (unsigned char)u->tabs[ti].frozen;
		/* A shown count and its share give the share's denominator, a
		 * margin: hiding a margin of a table with shares hides nothing. */
		c->keep = (unsigned char)(shares && t->rows[r].total);
		u->cell_of[ti][r] = u->ncell++;
	}
}

static void cons_begin(struct universe *u)
{
	if (u->ncons + 1 >= u->conscap) {
		size_t cap = u->conscap;
		u->start = xgrow(u->start, &cap, u->ncons + 2, sizeof(*u->start));
		u->lo = xrealloc(u->lo, cap * sizeof(*u->lo));
		u->hi = xrealloc(u->hi, cap * sizeof(*u->hi));
		u->conscap = cap;
	}
	u->start[u->ncons] = u->nterm;
}

static void cons_term(struct universe *u, size_t cell, double coef)
{
	if (u->nterm == u->termcap) {
		size_t cap = u->termcap;
		u->term = xgrow(u->term, &cap, u->nterm + 1, sizeof(*u->term));
		u->coef = xrealloc(u->coef, cap * sizeof(*u->coef));
		u->termcap = cap;
	}
	u->term[u->nterm] = cell;
	u->coef[u->nterm++] = coef;
}

/* Keeps the constraint begun last when the true counts satisfy it: a
 * relation the data do not bear out is no knowledge a reader has. */
static void cons_end(struct universe *u, double lo, double hi)
{
	size_t s = u->start[u->ncons];
	double sum = 0, scale = 1;

	for (size_t i = s; i < u->nterm; i++) {
		sum += u->coef[i] * u->cell[u->term[i]].v;
		scale = fmax(scale, fabs(u->cell[u->term[i]].v));
	}
	if (u->nterm - s < 2 || sum < lo - 1e-9 * scale || sum > hi + 1e-9 * scale) {
		u->nterm = s;
		return;
	}
	u->lo[u->ncons] = lo;
	u->hi[u->ncons] = hi;
	u->start[++u->ncons] = u->nterm;
}

struct pair {
	size_t whole, part;          /* cells: whole adds up the parts */
};

static int by_whole(const void *pa, const void *pb)
{
	const struct pair *a = pa, *b = pb;

	if (a->whole != b->whole)
		return a->whole < b->whole ? -1 : 1;
	return a->part < b->part ? -1 : a->part > b->part;
}

/* One constraint per whole: whole = sum of parts, or whole >= it. */
static void add_sums(struct universe *u, struct pair *p, size_t n, int at_least)
{
	if (n)
		qsort(p, n, sizeof(*p), by_whole);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		cons_begin(u);
		cons_term(u, p[i].whole, 1);
		for (; j < n && p[j].whole == p[i].whole; j++)
			cons_term(u, p[j].part, -1);
		cons_end(u, 0, at_least ? INFINITY : 0);
		i = j;
	}
}

static void push_pair(struct pair **p, size_t *n, size_t *cap, size_t whole, size_t part)
{
	if (*n == *cap)
		*p = xgrow(*p, cap, *n + 1, sizeof(**p));
	(*p)[(*n)++] = (struct pair){ whole, part };
}

/* Row q's margin one step up along key d, as a pair, when the table has it. */
static void push_margin(struct universe *u, size_t ti, const struct groups *g, const long *margin_of,
	size_t q, unsigned long mask, struct sbuf *key, struct pair **p, size_t *n, size_t *cap)
{
	const struct rtable *t = u->tabs[ti].t;
	long m = rtable_covering_margin(t, g, margin_of, q, mask, key);

	if (m >= 0 && (size_t)m != q && t->rows[m].total && u->cell_of[ti][m] != NONE)
		push_pair(p, n, cap, u->cell_of[ti][m], u->cell_of[ti][q]);
}

/* Each Total margin is the sum of the margins one step below it (the
 * grand total of the row totals, not of every cell: a constraint over the
 * whole table would link every hidden cell with every other), or where the
 * table lacks those, of the rows it covers. */
static void margin_constraints(struct universe *u, size_t ti)
{
	const struct rtable *t = u->tabs[ti].t;
	unsigned long masks[RTABLE_MAX_MASKS];
	size_t nmasks = rtable_margin_masks(t, masks), n = 0, cap = 0, nh = 0, hcap = 0, keep = 0;
	size_t nk = t->nkeys < RTABLE_MAX_MASK_KEYS ? t->nkeys : RTABLE_MAX_MASK_KEYS;
	struct pair *p = NULL, *h = NULL;
	struct groups g;
	struct sbuf key = SBUF_INIT;
	long *margin_of;
	double *sum;
	unsigned char *stepwise;

	rtable_margins_index(t, &g, &margin_of);
	for (size_t q = 0; q < t->nrows; q++) {
		int in = interior(t, q);
		unsigned long mq = in ? 0 : rtable_total_mask(t, q);
		if (u->cell_of[ti][q] == NONE || (!in && !t->rows[q].total))
			continue;
		for (size_t i = 0; in && i < nmasks; i++)
			push_margin(u, ti, &g, margin_of, q, masks[i], &key, &p, &n, &cap);
		for (size_t d = 0; d < nk; d++)
			if (!(mq >> d & 1) && (mq == 0 || (1UL << d) < (mq & -mq)))
				push_margin(u, ti, &g, margin_of, q, mq | 1UL << d, &key, &h, &nh, &hcap);
	}
	sum = xcalloc(u->ncell + 1, sizeof(*sum));
	stepwise = xcalloc(u->ncell + 1, 1);
	for (size_t i = 0; i < nh; i++) {
		sum[h[i].whole] += u->cell[h[i].part].v;
		stepwise[h[i].whole] = 1;
	}
	for (size_t i = 0; i < nh; i++) {
		double v = u->cell[h[i].whole].v;
		if (fabs(sum[h[i].whole] - v) > 1e-9 * fmax(1, fabs(v)))
			stepwise[h[i].whole] = 0;
	}
	for (size_t i = 0; i < nh; i++)
		if (stepwise[h[i].whole])
			h[keep++] = h[i];
	for (size_t i = 0; i < n; i++)
		if (!stepwise[p[i].whole])
			push_pair(&h, &keep, &hcap, p[i].whole, p[i].part);
	add_sums(u, h, keep, 0);
	free(sum);
	free(stepwise);
	free(h);
	free(p);
	free(margin_of);
	groups_release(&g);
	sbuf_release(&key);
}

/* 1 when the rows cells[0 .. n) add up to a total a reader can work out
 * from a share: a count of at least k shown with its share, whose
 * denominator (count / share) is their sum. */
static int total_from_share(const struct universe *u, const struct rtable *t, long share,
	const struct pair *p, size_t n, double sum)
{
	for (size_t i = 0; share >= 0 && i < n; i++) {
		const struct cell *e = &u->cell[p[i].part];
		double s = t->rows[e->row].val[share];
		if (e->v >= audit_table_k(u, e->table) && s > 0 && fabs(e->v / s - sum) <= 1e-6 * fmax(1, sum))
			return 1;
	}
	return 0;
}

/* Lines (and, with two keys or more, the whole table) without a margin
 * whose total a reader can still work out from the shares: the rows that
 * add up to it.  Sets p (caller frees), returns its length; whole is the
 * line's number, the whole table's being the largest. */
static size_t unmargined_lines(struct universe *u, size_t ti, size_t d, struct pair **p)
{
	const struct rtable *t = u->tabs[ti].t;
	struct sbuf key = SBUF_INIT;
	struct groups g, mg;
	long *margin_of;
	size_t n = 0, cap = 0;

	*p = NULL;
	rtable_margins_index(t, &mg, &margin_of);
	groups_init(&g);
	for (size_t q = 0; q < t->nrows; q++) {
		int added;
		uint32_t id = UINT32_MAX;
		unsigned long mask = d < t->nkeys ? 1UL << d : ~0UL >> (64 - t->nkeys);
		if (u->cell_of[ti][q] == NONE || !interior(t, q) || t->nkeys > RTABLE_MAX_MASK_KEYS ||
		    rtable_covering_margin(t, &mg, margin_of, q, mask, &key) >= 0)
			continue;
		if (d < t->nkeys) {
			sbuf_reset(&key);
			rtable_key_encode(&key, t, q, 0, (long)d);
			id = groups_intern(&g, key.s, key.len, key_hash(key.s, key.len), &added);
		}
		push_pair(p, &n, &cap, id, u->cell_of[ti][q]);
	}
	free(margin_of);
	groups_release(&mg);
	groups_release(&g);
	sbuf_release(&key);
	return n;
}

/* A line without a margin has a total a reader may still know: from the
 * shares (civic-tally --within gives each line's, plain shares the whole
 * table's).  Other line totals are only known where another table of the
 * report publishes them, which the links between tables say. */
static void line_constraints(struct universe *u, size_t ti)
{
	const struct rtable *t = u->tabs[ti].t;
	long share = rtable_find(t, "share");

	if (t->nkeys == 0 || share < (long)t->nkeys || strcmp(t->cols[rtable_size_col(t)].name, "count") != 0)
		return;
	for (size_t d = 0; d <= t->nkeys; d++) {
		struct pair *p;
		size_t n;
		if (d == t->nkeys && t->nkeys < 2)
			break;
		n = unmargined_lines(u, ti, d, &p);
		if (n)
			qsort(p, n, sizeof(*p), by_whole);
		for (size_t i = 0; i < n;) {
			size_t j = i;
			double sum = 0;
			for (; j < n && p[j].whole == p[i].whole; j++)
				sum += u->cell[p[j].part].v;
			if (total_from_share(u, t, share, p + i, j - i, sum)) {
				cons_begin(u);
				for (size_t m = i; m < j; m++)
					cons_term(u, p[m].part, 1);
				cons_end(u, sum, sum);
			}
			i = j;
		}
		free(p);
	}
}

/* ---- tables linked through their keys and periods ------------------- */

struct span {
	long from, to;               /* yyyymmdd */
};

static int digits(const char *s, size_t n, long *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

/* yyyy, yyyy-Qn, yyyy-mm, yyyy-mm-dd as days; weeks cross months and years
 * and are matched only with themselves. */
static int period_span(const char *s, struct span *sp)
{
	size_t n = strlen(s);
	long y, a, d;

	if (n < 4 || !digits(s, 4, &y))
		return 0;
	if (n == 4) {
		*sp = (struct span){ y * 10000 + 101, y * 10000 + 1231 };
		return 1;
	}
	if (s[4] != '-')
		return 0;
	if (n == 7 && s[5] == 'Q' && digits(s + 6, 1, &a) && a >= 1 && a <= 4) {
		*sp = (struct span){ y * 10000 + (3 * a - 2) * 100 + 1, y * 10000 + 3 * a * 100 + 31 };
		return 1;
	}
	if ((n == 7 || n == 10) && digits(s + 5, 2, &a)) {
		*sp = (struct span){ y * 10000 + a * 100 + 1, y * 10000 + a * 100 + 31 };
		if (n == 10 && s[7] == '-' && digits(s + 8, 2, &d))
			sp->from = sp->to = y * 10000 + a * 100 + d;
		return n == 7 || s[7] == '-';
	}
	return 0;
}

static int period_within(const char *part, const char *whole)
{
	struct span a, b;

	if (strcmp(part, whole) == 0)
		return 1;
	return period_span(part, &a) && period_span(whole, &b) && a.from >= b.from && a.to <= b.to;
}

static long period_key(const struct rtable *t)
{
	for (size_t k = 0; k < t->nkeys; k++)
		if (rtable_key_is_period(t, k))
			return (long)k;
	return -1;
}

struct link {
	const struct rtable *a, *b;  /* a the finer table, b the coarser */
	long pa, pb;                 /* period keys, -1 when none */
	size_t nk;
	long ka[MAX_LINK_KEYS], kb[MAX_LINK_KEYS];   /* b's other keys, and the same in a */
};

/* 1 when every key of b other than its period is a key of a. */
static int link_keys(struct link *l)
{
	l->nk = 0;
	for (size_t k = 0; k < l->b->nkeys; k++) {
		long in_a;
		if ((long)k == l->pb)
			continue;
		in_a = rtable_find(l->a, l->b->cols[k].name);
		if (in_a < 0 || in_a >= (long)l->a->nkeys || in_a == l->pa || l->nk == MAX_LINK_KEYS)
			return 0;
		l->kb[l->nk] = (long)k;
		l->ka[l->nk++] = in_a;
	}
	return 1;
}

static void encode(struct sbuf *b, const struct rtable *t, size_t r, const long *keys, size_t nk, unsigned mask)
{
	sbuf_reset(b);
	for (size_t i = 0; i < nk; i++) {
		const char *s = t->rows[r].cell[keys[i]];
		if ((mask >> i & 1) || (t->rows[r].total && reads_total(s)))
			keybuf_total(b);
		else
			keybuf_part(b, s, strlen(s));
	}
}

/* The pairs (cell of b, cell of a) where the a row falls inside the b row. */
static size_t link_pairs(struct universe *u, const struct link *l, size_t ia, size_t ib, struct pair **p)
{
	struct groups g;
	struct sbuf key = SBUF_INIT;
	size_t *first, *next, n = 0, cap = 0;

	groups_init(&g);
	first = xmalloc((l->b->nrows + 1) * sizeof(size_t));
	next = xmalloc((l->b->nrows + 1) * sizeof(size_t));
	for (size_t r = 0; r < l->b->nrows; r++) {
		int added;
		uint32_t id;
		first[r] = NONE;
		if (u->cell_of[ib][r] == NONE || (l->pb >= 0 && reads_total(l->b->rows[r].cell[l->pb])))
			continue;
		encode(&key, l->b, r, l->kb, l->nk, 0);
		id = groups_intern(&g, key.s, key.len, key_hash(key.s, key.len), &added);
		next[r] = first[id];
		first[id] = r;
	}
	*p = NULL;
	for (size_t q = 0; q < l->a->nrows; q++) {
		if (u->cell_of[ia][q] == NONE || !interior(l->a, q))
			continue;
		for (unsigned mask = 0; mask < 1u << l->nk; mask++) {
			long id;
			encode(&key, l->a, q, l->ka, l->nk, mask);
			id = groups_find(&g, key.s, key.len, key_hash(key.s, key.len));
			for (size_t r = id < 0 ? NONE : first[id]; r != NONE; r = next[r])
				if (l->pb < 0 || period_within(l->a->rows[q].cell[l->pa], l->b->rows[r].cell[l->pb]))
					push_pair(p, &n, &cap, u->cell_of[ib][r], u->cell_of[ia][q]);
		}
	}
	free(first);
	free(next);
	groups_release(&g);
	sbuf_release(&key);
	return n;
}

/* 1 when tables a and b have the same key columns: a month's table and
 * the next month's, whose cells add up together into a quarter's. */
static int same_shape(const struct rtable *a, const struct rtable *b)
{
	if (a->nkeys != b->nkeys)
		return 0;
	for (size_t k = 0; k < a->nkeys; k++)
		if (strcmp(a->cols[k].name, b->cols[k].name) != 0)
			return 0;
	return 1;
}

/* Table b's counts as sums of the counts of the tables of one shape
 * (group): equal everywhere, or (for periods of the group that cover only
 * part of b's) at least the sum. */
static void link_tables(struct universe *u, const size_t *group, size_t ng, size_t ib)
{
	struct pair *p = NULL;
	double *sum;
	size_t n = 0;
	long pb = period_key(u->tabs[ib].t);
	int equal = 1, at_least = 1;

	for (size_t g = 0; g < ng; g++) {
		struct link l = { u->tabs[group[g]].t, u->tabs[ib].t, 0, pb, 0, { 0 }, { 0 } };
		struct pair *q;
		size_t m;
		l.pa = period_key(l.a);
		if ((l.pa < 0) != (l.pb < 0) || !link_keys(&l))
			break;
		m = link_pairs(u, &l, group[g], ib, &q);
		p = xrealloc(p, (n + m + 1) * sizeof(*p));
		if (m)
			memcpy(p + n, q, m * sizeof(*q));
		n += m;
		free(q);
	}
	sum = xcalloc(u->ncell + 1, sizeof(*sum));
	for (size_t i = 0; i < n; i++)
		sum[p[i].whole] += u->cell[p[i].part].v;
	for (size_t r = 0; r < u->tabs[ib].t->nrows; r++) {
		size_t c = u->cell_of[ib][r];
		double tol;
		if (c == NONE || (pb >= 0 && reads_total(u->tabs[ib].t->rows[r].cell[pb])))
			continue;
		tol = 1e-9 * fmax(1, fabs(u->cell[c].v));
		equal &= fabs(u->cell[c].v - sum[c]) <= tol;
		at_least &= u->cell[c].v >= sum[c] - tol;
	}
	if (n && (equal || (at_least && pb >= 0)))
		add_sums(u, p, n, !equal);
	free(sum);
	free(p);
}

void audit_model_hide(struct universe *u, size_t c)
{
	for (size_t a = u->astart[c]; a < u->astart[c + 1]; a++) {
		struct cells_list *h = &u->hid[u->adj[a]];
		if (h->n == h->cap)
			h->v = xgrow(h->v, &h->cap, h->n + 1, sizeof(*h->v));
		h->v[h->n++] = c;
	}
}

static void index_cells(struct universe *u)
{
	u->astart = xcalloc(u->ncell + 2, sizeof(size_t));
	u->adj = xmalloc((u->nterm + 1) * sizeof(size_t));
	u->acoef = xmalloc((u->nterm + 1) * sizeof(double));
	u->tsum = xcalloc(u->ncons + 1, sizeof(double));
	u->hid = xcalloc(u->ncons + 1, sizeof(*u->hid));
	for (size_t i = 0; i < u->nterm; i++)
		u->astart[u->term[i] + 2]++;
	for (size_t c = 0; c < u->ncell; c++)
		u->astart[c + 2] += u->astart[c + 1];
	for (size_t c = 0; c < u->ncons; c++) {
		for (size_t i = u->start[c]; i < u->start[c + 1]; i++) {
			size_t at = u->astart[u->term[i] + 1]++;
			u->adj[at] = c;
			u->acoef[at] = u->coef[i];
			u->tsum[c] += u->coef[i] * u->cell[u->term[i]].v;
		}
	}
	for (size_t c = 0; c < u->ncell; c++)
		if (u->cell[c].state != SHOWN)
			audit_model_hide(u, c);
}

void audit_model_build(struct universe *u)
{
	size_t *group;

	u->cell_of = xcalloc(u->ntabs + 1, sizeof(*u->cell_of));
	for (size_t i = 0; i < u->ntabs; i++)
		add_cells(u, i);
	cons_begin(u);
	for (size_t i = 0; i < u->ntabs; i++) {
		margin_constraints(u, i);
		line_constraints(u, i);
	}
	group = xmalloc((u->ntabs + 1) * sizeof(*group));
	for (size_t b = 0; b < u->ntabs; b++) {
		for (size_t a = 0; a < u->ntabs; a++) {
			size_t ng = 0;
			int first = 1;
			for (size_t e = 0; e < a && first; e++)
				first = e == b || !same_shape(u->tabs[e].t, u->tabs[a].t);
			if (a == b || !first)
				continue;
			for (size_t e = a; e < u->ntabs; e++)
				if (e != b && same_shape(u->tabs[e].t, u->tabs[a].t))
					group[ng++] = e;
			link_tables(u, group, ng, b);
		}
	}
	free(group);
	index_cells(u);
}

void audit_model_release(struct universe *u)
{
	for (size_t i = 0; i < u->ntabs; i++)
		free(u->cell_of[i]);
	free(u->cell_of);
	free(u->cell);
	free(u->start);
	free(u->lo);
	free(u->hi);
	free(u->term);
	free(u->coef);
	for (size_t c = 0; c < u->ncons; c++)
		free(u->hid[c].v);
	free(u->hid);
	free(u->astart);
	free(u->adj);
	free(u->acoef);
	free(u->tsum);
}

