#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit_impl.h"
#include "error.h"
#include "suppress.h"
#include "xalloc.h"

/* The audit's budget: the hidden cells one LP may free (first a few, then
 * more when those do not prove the interval), the cells the audit may hide
 * for one count, and the simplex iterations of one solve. */
enum { LOCAL_CELLS = 24, WIDE_CELLS = 160, MAX_ADDED_PER_CELL = 40, LP_ITERATIONS = 20000 };

/* ---- one count's check ---------------------------------------------- */

struct local {
	size_t *cells, n;            /* freed cells, nearest first */
	long *index;                 /* [cell]: 1-based column, 0 when held */
	size_t *cons, ncons;
	size_t *row;                 /* [constraint]: 1-based LP row, 0 when not in the LP */
	unsigned *hits;              /* [cell]: constraints of the neighbourhood it is in */
	size_t *touched, ntouched;
	size_t added[MAX_ADDED_PER_CELL], nadded;   /* hidden for the count being checked */
	size_t *nfree, *freexor;     /* [LP row - 1]: its cells still free, and their ids xored */
	size_t *queue;
	unsigned char *fixed;        /* [cell]: determined by the constraints */
};

/* The hidden cells linked to x through the constraints, nearest first. */
static void neighbourhood(const struct universe *u, struct local *L, size_t x, size_t cap)
{
	L->n = 0;
	L->cells[L->n++] = x;
	L->index[x] = 1;
	/* The cells hidden for x so far come first: they close the cycles. */
	for (size_t i = 0; i < L->nadded && L->n < cap; i++) {
		L->cells[L->n++] = L->added[i];
		L->index[L->added[i]] = (long)L->n;
	}
	for (size_t h = 0; h < L->n && L->n < cap; h++) {
		size_t c = L->cells[h];
		for (size_t a = u->astart[c]; a < u->astart[c + 1] && L->n < cap; a++) {
			const struct cells_list *hl = &u->hid[u->adj[a]];
			for (size_t i = 0; i < hl->n && L->n < cap; i++) {
				size_t y = hl->v[i];
				if (!L->index[y]) {
					L->cells[L->n++] = y;
					L->index[y] = (long)L->n;
				}
			}
		}
	}
}

static void forget(struct local *L)
{
	for (size_t i = 0; i < L->n; i++)
		L->index[L->cells[i]] = L->fixed[L->cells[i]] = 0;
	for (size_t i = 0; i < L->ncons; i++)
		L->row[L->cons[i]] = 0;
	L->n = L->ncons = 0;
}

static void bounds(glp_prob *lp, int row, size_t col, double lo, double hi)
{
	int type = isinf(lo) && isinf(hi) ? GLP_FR : isinf(hi) ? GLP_LO : isinf(lo) ? GLP_UP
		: lo == hi ? GLP_FX : GLP_DB;

	if (col)
		glp_set_col_bnds(lp, (int)col, type, isinf(lo) ? 0 : lo, isinf(hi) ? 0 : hi);
	else
		glp_set_row_bnds(lp, row, type, isinf(lo) ? 0 : lo, isinf(hi) ? 0 : hi);
}

/* What its label tells of a hidden count: "<k" is 1 to k-1, "x" nothing. */
static void label_range(const struct universe *u, size_t c, double *lo, double *hi)
{
	const struct cell *e = &u->cell[c];

	*lo = 0;
	*hi = INFINITY;
	if (e->state == PRIMARY) {
		*lo = fmin(1, e->v);
		*hi = audit_table_k(u, e->table) - 1;
	}
}

static void gather_constraints(const struct universe *u, struct local *L)
{
	for (size_t i = 0; i < L->n; i++) {
		size_t c = L->cells[i];
		for (size_t a = u->astart[c]; a < u->astart[c + 1]; a++)
			if (!L->row[u->adj[a]]) {
				L->cons[L->ncons++] = u->adj[a];
				L->row[u->adj[a]] = L->ncons;
			}
	}
}

/* The LP over the freed cells, every other cell at its true value: a
 * constraint's held part is its true sum less its freed terms.  The
 * constraints are gathered already; cells the equalities fix are held
 * too, at the one value they can have. */
static glp_prob *local_lp(const struct universe *u, struct local *L)
{
	glp_prob *lp = glp_create_prob();
	size_t ne = 0, cap = 0;
	int *ia = NULL, *ja = NULL, ncol = 0, col = 0;
	double *ar = NULL, *held;

	for (size_t i = 0; i < L->n; i++)
		ncol += !L->fixed[L->cells[i]];
	glp_add_cols(lp, ncol);
	held = xmalloc((L->ncons + 1) * sizeof(*held));
	for (size_t r = 0; r < L->ncons; r++)
		held[r] = u->tsum[L->cons[r]];
	for (size_t i = 0; i < L->n; i++) {
		size_t c = L->cells[i];
		double lo, hi;
		if (L->fixed[c])
			continue;
		label_range(u, c, &lo, &hi);
		bounds(lp, 0, (size_t)++col, lo, hi);
		for (size_t a = u->astart[c]; a < u->astart[c + 1]; a++) {
			if (ne + 2 > cap) {
				size_t c2 = cap;
				ia = xgrow(ia, &c2, ne + 2, sizeof(*ia));
				ja = xrealloc(ja, c2 * sizeof(*ja));
				ar = xrealloc(ar, c2 * sizeof(*ar));
				cap = c2;
			}
			ne++;
			ia[ne] = (int)L->row[u->adj[a]];
			ja[ne] = col;
			ar[ne] = u->acoef[a];
			held[L->row[u->adj[a]] - 1] -= u->acoef[a] * u->cell[c].v;
		}
	}
	if (L->ncons)
		glp_add_rows(lp, (int)L->ncons);
	for (size_t r = 0; r < L->ncons; r++)
		bounds(lp, (int)r + 1, 0, u->lo[L->cons[r]] - held[r], u->hi[L->cons[r]] - held[r]);
	if (ne)
		glp_load_matrix(lp, (int)ne, ia, ja, ar);
	free(held);
	free(ia);
	free(ja);
	free(ar);
	return lp;
}

/* Solves for the least (dir GLP_MIN) or greatest value of column 1;
 * 0 when GLPK proved it, with *v set (infinite when unbounded). */
static int solve(glp_prob *lp, int dir, double *v)
{
	glp_smcp parm;
	int status;

	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.it_lim = LP_ITERATIONS;
	glp_set_obj_dir(lp, dir);
	glp_set_obj_coef(lp, 1, 1);
	if (glp_simplex(lp, &parm) != 0)
		return -1;
	status = glp_get_status(lp);
	if (status == GLP_UNBND) {
		*v = dir == GLP_MAX ? INFINITY : -INFINITY;
		return 0;
	}
	if (status != GLP_OPT)
		return -1;
	*v = glp_get_obj_val(lp);
	return 0;
}

struct need {
	double width;                /* the protection interval */
	double got_lo, got_hi;       /* the range found */
};

static int equality(const struct universe *u, size_t k)
{
	return u->lo[k] == u->hi[k];
}

static void free_cell(struct local *L, size_t r, size_t c, int delta)
{
	L->nfree[r] += (size_t)delta;
	L->freexor[r] ^= c;
}

/* 1 when the equalities pin x down within the freed neighbourhood, every
 * other cell held: peeled one at a time, a constraint with one free cell
 * left fixes it (marked in L->fixed until forget()).  The LP would then
 * find x's range empty of room. */
static int determined(const struct universe *u, struct local *L, size_t x)
{
	size_t nq = 0;

	for (size_t r = 0; r < L->ncons; r++)
		L->nfree[r] = L->freexor[r] = 0;
	for (size_t i = 0; i < L->n; i++)
		for (size_t a = u->astart[L->cells[i]]; a < u->astart[L->cells[i] + 1]; a++)
			if (u->acoef[a] != 0)
				free_cell(L, L->row[u->adj[a]] - 1, L->cells[i], 1);
	for (size_t r = 0; r < L->ncons; r++)
		if (L->nfree[r] == 1 && equality(u, L->cons[r]))
			L->queue[nq++] = r;
	for (size_t h = 0; h < nq && !L->fixed[x]; h++) {
		size_t r = L->queue[h], c = L->freexor[r];
		if (L->nfree[r] != 1)
			continue;
		L->fixed[c] = 1;
		for (size_t a = u->astart[c]; a < u->astart[c + 1]; a++) {
			size_t r2 = L->row[u->adj[a]] - 1;
			if (u->acoef[a] == 0)
				continue;
			free_cell(L, r2, c, -1);
			if (L->nfree[r2] == 1 && equality(u, L->cons[r2]))
				L->queue[nq++] = r2;
		}
	}
	return L->fixed[x];
}

static double coef_in(const struct universe *u, size_t c, size_t k)
{
	for (size_t a = u->astart[c]; a < u->astart[c + 1]; a++)
		if (u->adj[a] == k)
			return u->acoef[a];
	return 0;
}

/* The room cell c's label leaves it to move by t * d, up (t > 0) and down. */
static void room(const struct universe *u, size_t c, double d, double *up, double *down)
{
	double lo, hi, v = u->cell[c].v;

	label_range(u, c, &lo, &hi);
	if (d > 0) {
		*up = fmin(*up, (hi - v) / d);
		*down = fmin(*down, (v - lo) / d);
	} else {
		*up = fmin(*up, (v - lo) / -d);
		*down = fmin(*down, (hi - v) / -d);
	}
}

/* The width x moves by along the cycle q[0..4) (x first) with steps d,
 * 0 unless every constraint of the cycle's cells keeps its sum: then each
 * point along it is a solution a reader cannot tell from the truth. */
static double cycle_room(const struct universe *u, const size_t *q, const double *d, double *lo, double *hi)
{
	double up = INFINITY, down = INFINITY;

	for (size_t i = 0; i < 4; i++)
		for (size_t a = u->astart[q[i]]; a < u->astart[q[i] + 1]; a++) {
			double net = 0;
			for (size_t j = 0; j < 4; j++)
				net += coef_in(u, q[j], u->adj[a]) * d[j];
			if (net != 0)
				return 0;
		}
	for (size_t i = 0; i < 4; i++)
		room(u, q[i], d[i], &up, &down);
	if (!(up >= 0 && down >= 0))
		return 0;
	*lo = u->cell[q[0]].v - down;
	*hi = u->cell[q[0]].v + up;
	return up + down;
}

enum { CYCLE_BUDGET = 20000 };

/* 1 when cells w and z share a constraint other than k. */
static int linked(const struct universe *u, size_t w, size_t z, size_t k)
{
	for (size_t a = u->astart[z]; a < u->astart[z + 1]; a++)
		if (u->adj[a] != k && coef_in(u, w, u->adj[a]) != 0)
			return 1;
	return 0;
}

/* The widest room a rectangle of hidden cells of the neighbourhood gives
 * x: y beside x in one constraint, z in another, w closing the cycle with
 * y and z; lo and hi set to the range it shows.  A cheap lower bound of
 * what the LP over the neighbourhood finds. */
static double cycle_width(const struct universe *u, const struct local *L, size_t x, double *lo, double *hi)
{
	double best = 0;
	size_t budget = CYCLE_BUDGET;

	for (size_t a1 = u->astart[x]; a1 < u->astart[x + 1]; a1++)
	for (size_t a2 = u->astart[x]; a2 < u->astart[x + 1]; a2++) {
		const struct cells_list *h1 = &u->hid[u->adj[a1]], *h2 = &u->hid[u->adj[a2]];
		if (a1 == a2)
			continue;
		for (size_t i = 0; i < h1->n; i++)
		for (size_t j = 0; j < h2->n; j++) {
			size_t y = h1->v[i], z = h2->v[j];
			double cy = coef_in(u, y, u->adj[a1]), cz = coef_in(u, z, u->adj[a2]);
			if (y == x || z == x || y == z || !L->index[y] || !L->index[z] || cy == 0 || cz == 0)
				continue;
			for (size_t a3 = u->astart[y]; a3 < u->astart[y + 1]; a3++) {
				const struct cells_list *h3 = &u->hid[u->adj[a3]];
				if (u->adj[a3] == u->adj[a1])
					continue;
				for (size_t m = 0; m < h3->n; m++) {
					size_t w = h3->v[m], q[4] = { x, y, z, w };
					double d[4] = { 1, -u->acoef[a1] / cy, -u->acoef[a2] / cz, 0 }, cw, l = 0, h = 0, got;
					if (budget-- == 0)
						return best;
					if (w == x || w == y || w == z || !L->index[w] || (cw = coef_in(u, w, u->adj[a3])) == 0 ||
					    !linked(u, w, z, u->adj[a2]))
						continue;
					d[3] = -u->acoef[a3] * d[1] / cw;
					got = cycle_room(u, q, d, &l, &h);
					if (got > best) {
						best = got;
						*lo = l;
						*hi = h;
					}
				}
			}
		}
	}
	return best;
}

/* 1 when the freed neighbourhood of at most cap cells proves x's interval.
 * The LP is spared where its answer is known: x pinned down by the
 * equalities, or a cycle within the neighbourhood giving room enough and
 * no narrower than the narrowest range found so far (which is all the
 * LP's range would change). */
static int proved(struct universe *u, struct local *L, size_t x, size_t cap, struct need *nd, struct audit_result *res)
{
	glp_prob *lp;
	double tol = 1e-7 * fmax(1, u->cell[x].v), lo = 0, hi = 0, w;
	int ok;

	neighbourhood(u, L, x, cap);
	gather_constraints(u, L);
	if (determined(u, L, x)) {
		nd->got_lo = nd->got_hi = u->cell[x].v;
		return 0 >= nd->width - tol;
	}
	w = cycle_width(u, L, x, &lo, &hi);
	if (w >= nd->width - tol && w >= res->min_width) {
		nd->got_lo = lo;
		nd->got_hi = hi;
		return 1;
	}
	lp = local_lp(u, L);
	ok = solve(lp, GLP_MIN, &nd->got_lo) == 0 && solve(lp, GLP_MAX, &nd->got_hi) == 0 &&
		nd->got_hi - nd->got_lo >= nd->width - tol;
	res->lps += 2;
	glp_delete_prob(lp);
	return ok;
}

static int eligible(const struct cell *e)
{
	return e->state == SHOWN && !e->frozen && !e->keep;
}

/* 1 when cell a is a better one to hide than b: in more of the
 * neighbourhood's constraints (it closes a cycle of hidden cells, which is
 * what lets a count move), no margin before other rows, then the smallest
 * count that can give the whole interval, else the largest. */
static int better(const struct universe *u, const struct local *L, size_t a, size_t b, double room)
{
	const struct cell *ea = &u->cell[a], *eb = &u->cell[b];
	int ma = u->tabs[ea->table].t->rows[ea->row].total, mb = u->tabs[eb->table].t->rows[eb->row].total;

	if (L->hits[a] != L->hits[b])
		return L->hits[a] > L->hits[b];
	if (ma != mb)
		return ma < mb;
	if ((ea->v >= room) != (eb->v >= room))
		return ea->v >= room;
	return ea->v >= room ? ea->v < eb->v : ea->v > eb->v;
}

static void count_hits(const struct universe *u, struct local *L, size_t k)
{
	for (size_t i = u->start[k]; i < u->start[k + 1]; i++) {
		size_t y = u->term[i];
		if (!eligible(&u->cell[y]))
			continue;
		if (!L->hits[y]++)
			L->touched[L->ntouched++] = y;
	}
}

static int in_cons(const struct universe *u, size_t c, size_t k)
{
	for (size_t a = u->astart[c]; a < u->astart[c + 1]; a++)
		if (u->adj[a] == k)
			return 1;
	return 0;
}

/* The best cell count_hits touched in at least min_hits constraints (NONE
 * if none); the hits are cleared for the next search. */
static size_t take_best(const struct universe *u, struct local *L, unsigned min_hits, double room)
{
	size_t best = NONE;

	for (size_t i = 0; i < L->ntouched; i++)
		if (L->hits[L->touched[i]] >= min_hits && (best == NONE || better(u, L, L->touched[i], best, room)))
			best = L->touched[i];
	for (size_t i = 0; i < L->ntouched; i++)
		L->hits[L->touched[i]] = 0;
	L->ntouched = 0;
	return best;
}

/* A shown cell to hide so that x gets room: on odd attempts one of each
 * of x's own constraints in turn (a partner that can move, where the
 * hidden ones are counts held at their labels' bounds), else one that
 * closes a cycle through x, a
 * cell in two constraints of the hidden cells x shares a constraint with
 * (x's own excepted): the corner of a rectangle; failing both, any cell of
 * the neighbourhood's constraints. */
static size_t candidate(const struct universe *u, struct local *L, size_t x, double room, size_t attempt)
{
	size_t best = NONE, degree = u->astart[x + 1] - u->astart[x];

	if (attempt % 2 == 1 && degree)
		count_hits(u, L, u->adj[u->astart[x] + attempt / 2 % degree]);
	best = take_best(u, L, 1, room);
	if (best != NONE)
		return best;
	for (size_t a = u->astart[x]; a < u->astart[x + 1]; a++) {
		const struct cells_list *hl = &u->hid[u->adj[a]];
		for (size_t i = 0; i < hl->n; i++) {
			size_t y = hl->v[i];
			for (size_t b = u->astart[y]; y != x && b < u->astart[y + 1]; b++)
				if (!in_cons(u, x, u->adj[b]))
					count_hits(u, L, u->adj[b]);
		}
	}
	best = take_best(u, L, 2, room);
	if (best != NONE)
		return best;
	for (size_t a = u->astart[x]; a < u->astart[x + 1]; a++)
		count_hits(u, L, u->adj[a]);
	/* Last, anything in the constraints of the neighbourhood. */
	for (size_t r = 0; L->ntouched == 0 && r < L->ncons; r++)
		count_hits(u, L, L->cons[r]);
	return take_best(u, L, 1, room);
}

static void describe(struct sbuf *b, const struct rtable *t, size_t r)
{
	for (size_t k = 0; k < t->nkeys; k++)
		sbuf_printf(b, "%s%s", k ? ", " : "", t->rows[r].cell[k]);
}

/* The width a hidden count's range must have: the protection asked for,
 * or all its label leaves when that is less. */
static double needed_width(const struct universe *u, size_t x)
{
	double lo, hi;

	label_range(u, x, &lo, &hi);
	return fmin(u->o->protection > 0 ? u->o->protection : 1, hi - lo);
}

static int protect(struct universe *u, struct local *L, size_t x, struct audit_result *res)
{
	const struct cell *e = &u->cell[x];
	struct need nd = { needed_width(u, x), 0, 0 };
	size_t added = 0;

	L->nadded = 0;

	for (;;) {
		size_t y;
		int ok = proved(u, L, x, LOCAL_CELLS, &nd, res);
		if (!ok && L->n == LOCAL_CELLS) {
			forget(L);
			ok = proved(u, L, x, WIDE_CELLS, &nd, res);
		}
		if (ok) {
			forget(L);
			res->checked++;
			res->min_width = fmin(res->min_width, nd.got_hi - nd.got_lo);
			return 0;
		}
		y = added < MAX_ADDED_PER_CELL ? candidate(u, L, x, nd.width, added) : NONE;
		forget(L);
		if (y == NONE)
			break;
		u->cell[y].state = SECONDARY;
		audit_model_hide(u, y);
		L->added[L->nadded++] = y;
		added++;
		res->added++;
	}
	{
		struct sbuf b = SBUF_INIT;
		const struct rtable *t = u->tabs[e->table].t;
		describe(&b, t, e->row);
		civic_warn("%s: the count hidden at %s can be narrowed to %g-%g from the rest of the report, "
			"and hiding more cells within the audit's limits does not prevent it", t->name,
			sbuf_cstr(&b), nd.got_lo, nd.got_hi);
		sbuf_release(&b);
	}
	return -1;
}

int audit_tables(struct audit_table *tabs, size_t n, const struct audit_opts *o, struct audit_result *res)
{
	struct universe u;
	struct local L;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	res->min_width = INFINITY;
	res->tables = n;
	memset(&u, 0, sizeof(u));
	u.o = o;
	u.tabs = tabs;
	u.ntabs = n;
	audit_model_build(&u);
	L.cells = xmalloc((WIDE_CELLS + 1) * sizeof(size_t));
	L.index = xcalloc(u.ncell + 1, sizeof(long));
	L.cons = xmalloc((u.ncons + 1) * sizeof(size_t));
	L.row = xcalloc(u.ncons + 1, sizeof(size_t));
	L.hits = xcalloc(u.ncell + 1, sizeof(unsigned));
	L.touched = xmalloc((u.ncell + 1) * sizeof(size_t));
	L.nfree = xmalloc((u.ncons + 1) * sizeof(size_t));
	L.freexor = xmalloc((u.ncons + 1) * sizeof(size_t));
	L.queue = xmalloc((u.ncons + 1) * sizeof(size_t));
	L.fixed = xcalloc(u.ncell + 1, 1);
	L.n = L.ncons = L.ntouched = L.nadded = 0;
	glp_term_out(GLP_OFF);
	for (size_t x = 0; x < u.ncell && rc == 0; x++)
		if (u.cell[x].state == PRIMARY)
			rc = protect(&u, &L, x, res);
	for (size_t c = 0; c < u.ncell; c++) {
		const struct cell *e = &u.cell[c];
		struct rtable *t = tabs[e->table].t;
		if (e->state == SECONDARY && !suppress_row_hidden(t, e->row))
			suppress_hide_row(t, e->row, CELL_SECONDARY);
	}
	glp_free_env();
	free(L.cells);
	free(L.index);
	free(L.cons);
	free(L.row);
	free(L.hits);
	free(L.touched);
	free(L.nfree);
	free(L.freexor);
	free(L.queue);
	free(L.fixed);
	audit_model_release(&u);
	return rc;
}
