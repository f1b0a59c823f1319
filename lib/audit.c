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
		L->index[L->cells[i]] = 0;
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
		*hi = u->o->k - 1;
	}
}

/* The LP over the freed cells, every other cell at its true value: a
 * constraint's held part is its true sum less its freed terms. */
static glp_prob *local_lp(const struct universe *u, struct local *L)
{
	glp_prob *lp = glp_create_prob();
	size_t ne = 0, cap = 0;
	int *ia = NULL, *ja = NULL;
	double *ar = NULL, *held;

	glp_add_cols(lp, (int)L->n);
	for (size_t i = 0; i < L->n; i++) {
		double lo, hi;
		size_t c = L->cells[i];
		label_range(u, c, &lo, &hi);
		bounds(lp, 0, i + 1, lo, hi);
		for (size_t a = u->astart[c]; a < u->astart[c + 1]; a++)
			if (!L->row[u->adj[a]]) {
				L->cons[L->ncons++] = u->adj[a];
				L->row[u->adj[a]] = L->ncons;
			}
	}
	held = xmalloc((L->ncons + 1) * sizeof(*held));
	for (size_t r = 0; r < L->ncons; r++)
		held[r] = u->tsum[L->cons[r]];
	for (size_t i = 0; i < L->n; i++) {
		size_t c = L->cells[i];
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
			ja[ne] = (int)i + 1;
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

/* 1 when the freed neighbourhood of at most cap cells proves x's interval. */
static int proved(struct universe *u, struct local *L, size_t x, size_t cap, struct need *nd, size_t *lps)
{
	glp_prob *lp;
	double tol = 1e-7 * fmax(1, u->cell[x].v);
	int ok;

	neighbourhood(u, L, x, cap);
	lp = local_lp(u, L);
	ok = solve(lp, GLP_MIN, &nd->got_lo) == 0 && solve(lp, GLP_MAX, &nd->got_hi) == 0 &&
		nd->got_hi - nd->got_lo >= nd->width - tol;
	*lps += 2;
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
	for (size_t i = 0; i < L->ntouched; i++)
		if (best == NONE || better(u, L, L->touched[i], best, room))
			best = L->touched[i];
	for (size_t i = 0; i < L->ntouched; i++)
		L->hits[L->touched[i]] = 0;
	L->ntouched = 0;
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
	for (size_t i = 0; i < L->ntouched; i++)
		if (L->hits[L->touched[i]] >= 2 && (best == NONE || better(u, L, L->touched[i], best, room)))
			best = L->touched[i];
	for (size_t i = 0; i < L->ntouched; i++)
		L->hits[L->touched[i]] = 0;
	L->ntouched = 0;
	if (best != NONE)
		return best;
	for (size_t a = u->astart[x]; a < u->astart[x + 1]; a++)
		count_hits(u, L, u->adj[a]);
	/* Last, anything in the constraints of the neighbourhood. */
	for (size_t r = 0; L->ntouched == 0 && r < L->ncons; r++)
		count_hits(u, L, L->cons[r]);
	for (size_t i = 0; i < L->ntouched; i++)
		if (best == NONE || better(u, L, L->touched[i], best, room))
			best = L->touched[i];
	for (size_t i = 0; i < L->ntouched; i++)
		L->hits[L->touched[i]] = 0;
	L->ntouched = 0;
	return best;
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
		int ok = proved(u, L, x, LOCAL_CELLS, &nd, &res->lps);
		if (!ok && L->n == LOCAL_CELLS) {
			forget(L);
			ok = proved(u, L, x, WIDE_CELLS, &nd, &res->lps);
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
	audit_model_release(&u);
	return rc;
}
