/* Internals shared by the survey*.c files; nothing outside them includes
 * this. */
#ifndef CIVIC_SURVEY_IMPL_H
#define CIVIC_SURVEY_IMPL_H

#include "groups.h"
#include "survey.h"

struct svy_stratum {
	char *name;
	size_t len;
	double fpc;            /* the --fpc value; 0 until one is seen */
	uint64_t npsu;         /* n_h: PSUs, or rows when each row is a PSU */
};

struct svy_psu {
	uint32_t stratum;
};

struct svy_design {
	struct svy_design_opts o;
	struct svy_stratum *strata;
	size_t nstrata, scap;
	struct svy_psu *psus;
	size_t npsu, pcap;
	struct groups stratum_ids;         /* key: the stratum's name */
	struct groups psu_ids;             /* key: stratum index (4 bytes), then the id */
	struct sbuf psu_key;
	uint32_t last_stratum, last_psu;   /* the previous row's, UINT32_MAX if none */
	char *err;                         /* SVY_ERR_MAX bytes, written through const pointers */
	struct svy_rep *rep;               /* replicate weights (survey_rep.h), or NULL */
	struct svy_calib *calib;           /* calibrated (survey_calib.h), else NULL */
};
#define SVY_ERR_MAX 256

/* snprintf into d->err; returns -1 for "return svy_fail(…)". */
int svy_fail(const struct svy_design *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The sampling fraction f_h of a stratum (0 without --fpc). */
double svy_stratum_f(const struct svy_design *d, size_t h);

/* 1 when stratum h was sampled whole (f = 1, up to R's 1e-7): it has no
 * variance, however many PSUs it has. */
int svy_stratum_census(const struct svy_design *d, size_t h);

uint32_t svy_stratum_intern(struct svy_design *d, const char *s, size_t len);
/* Adds the stratum of another tally of the design: interned as *to, its
 * fpc (0: none) taken, rows (those of a design without --psu, where each
 * row is a PSU; else 0) added.  -1 with the error set when its fpc differs
 * from the one d has. */
int svy_stratum_merge(struct svy_design *d, const char *name, size_t len, double fpc, uint64_t rows,
	uint32_t *to);
uint32_t svy_psu_intern(struct svy_design *d, uint32_t stratum, const char *id, size_t len);
/* PSU i's id (not NUL-terminated). */
static inline const char *svy_psu_id(const struct svy_design *d, size_t i, size_t *len)
{
	const char *key = groups_key(&d->psu_ids, (uint32_t)i, len);

	*len -= 4;
	return key + 4;
}

enum { KIND_EMPTY, KIND_STRATA, KIND_PSUS };

/* An exact sum as a partial writes it, and back (survey_json.c). */
json_t *svy_sum_to_json(const struct xsum *x);
int svy_sum_from_json(const json_t *j, struct xsum *out);

/* ---- PSU cells (survey_cells.c) --------------------------------------- */

enum { CELL_W, CELL_WY };      /* a cell's two sums */

/* svy_cell_for when j is not the previous row's PSU. */
struct svy_psu_sums *svy_cells_other(struct svy_acc *a, uint32_t j);
/* PSU j's cell in a, appended (zero) when new. */
static inline struct svy_psu_sums *svy_cell_for(struct svy_acc *a, uint32_t j)
{
	struct svy_psu_sums *c = a->cells;

	if (a->last < a->ncells && c[a->last].psu == j)
		return &c[a->last];
	return svy_cells_other(a, j);
}

/* n + m rows, held at 2^32 - 1 (a cell's count only says whether it has
 * rows; figures come from the domain's own count). */
static inline uint32_t svy_cell_rows(uint32_t n, uint64_t m)
{
	return m >= UINT32_MAX - n ? UINT32_MAX : n + (uint32_t)m;
}

/* Adds a term to sum k of cell c: exactly while it can (rescaling a's
 * cells to a larger scale), else as a double, a's cells all wide. */
void svy_cell_add_dec(struct svy_acc *a, struct svy_psu_sums *c, int k, __int128 m, int scale);
void svy_cell_add_double(struct svy_acc *a, struct svy_psu_sums *c, int k, double d);
void svy_cell_add_xsum(struct svy_acc *a, struct svy_psu_sums *c, int k, const struct xsum *x);
static inline void svy_cell_add_num(struct svy_acc *a, struct svy_psu_sums *c, int k, const struct decnum *v)
{
	int64_t *m = k == CELL_WY ? &c->wy.m : &c->w.m, t, r;
	int up = a->cell_scale[k] - v->scale;

	/* The usual case: an exact term of the cells' scale or a little less
	 * (0.5 among 0.996375), no overflow. */
	if (!a->cell_wide && v->exact && up >= 0 && up <= 18 && !__builtin_mul_overflow(v->m, (int64_t)xsum_pow10(up), &t)
	    && !__builtin_add_overflow(*m, t, &r))
		*m = r;
	else if (v->exact)
		svy_cell_add_dec(a, c, k, v->m, v->scale);
	else
		svy_cell_add_double(a, c, k, v->d);
}
/* Sum k of cell c is svy_cell_raw() · svy_cell_unit(): the stored integer
 * and 10^-scale (or, once wide, the sum's value and 1). */
static inline long double svy_cell_raw(const struct svy_acc *a, const struct svy_psu_sums *c, int k)
{
	const union svy_cell_num *v = k == CELL_WY ? &c->wy : &c->w;

	if (a->cell_wide)
		return v->x ? xsum_long(v->x) : 0;
	return (long double)v->m;
}
long double svy_cell_unit(const struct svy_acc *a, int k);
/* Sum k of cell c as an xsum: a copy to read, never to add to or release
 * (it may share the cell's GMP part). */
void svy_cell_sum(const struct svy_acc *a, const struct svy_psu_sums *c, int k, struct xsum *out);
/* 1 while every cell's sums are exact. */
int svy_cells_exact(const struct svy_acc *a);
/* Frees wide cells' sums (the cells array itself is the caller's). */
void svy_cells_release(struct svy_acc *a);

/* a's cells in rising PSU order: a's own array while sorted, else a
 * sorted copy in *owned, which the caller frees. */
const struct svy_psu_sums *svy_cells_sorted(const struct svy_acc *a, struct svy_psu_sums **owned);
/* dst's cells += src's: the same design (psu_map NULL), or another whose
 * PSU i is dst's psu_map[i]. */
void svy_cells_merge(struct svy_acc *dst, const struct svy_acc *src, const uint32_t *psu_map);

/* Stratum h's sums in a (row-PSU designs), zero when new. */
struct svy_stratum_sums *svy_acc_stratum(struct svy_acc *a, size_t h);
/* PSU j's sums in a (cluster designs), zero when new. */
struct svy_psu_sums *svy_acc_psu(struct svy_acc *a, uint32_t j);
/* a's PSU cells by PSU index: a malloc'd array of a->ncells cell indices
 * (NULL when a holds no PSU cells). */
uint32_t *svy_acc_psu_order(const struct svy_acc *a);

/* ---- exact variance (survey_exact.c) ----------------------------------- */

/* A sum of 128-bit terms, exact: a 128-bit part and a GMP part it spills
 * into on overflow (rarely: only sums of squares of large PSU totals). */
struct svy_wacc {
	__int128 lo;
	mpz_t hi;
};
void svy_wacc_init(struct svy_wacc *x);
void svy_wacc_clear(struct svy_wacc *x);
void svy_wacc_spill(struct svy_wacc *x, __int128 v);
static inline void svy_wacc_add(struct svy_wacc *x, __int128 v)
{
	__int128 r;

	if (__builtin_add_overflow(x->lo, v, &r))
		svy_wacc_spill(x, v);
	else
		x->lo = r;
}

/* An exact decimal m / 10^scale. */
struct svy_xdec {
	mpz_t m;
	int scale;
};
void svy_xdec_init(struct svy_xdec *x);
void svy_xdec_clear(struct svy_xdec *x);
void svy_xdec_set_xsum(struct svy_xdec *x, const struct xsum *s);
void svy_xdec_set_wacc(struct svy_xdec *x, const struct svy_wacc *w, int scale);
/* s += a·b, or s += a when b is NULL. */
void svy_xdec_addmul(struct svy_xdec *s, const struct svy_xdec *a, const struct svy_xdec *b);

/* One stratum's moments of the pieces A (w·y over the numerator's rows or
 * PSU totals) and B (w over the domain's): ΣA, ΣB, ΣA², ΣAB, ΣB². */
struct svy_xmom {
	struct svy_xdec a, b, aa, ab, bb;
};

/* V = Σ_h (1 - f_h)·n_h/(n_h - 1)·Σ_j (Z_j - Z̄_h)², exactly, for
 * Z = (A - r·B)/W, r = P/W (total: Z = A). */
struct svy_xvar {
	mpq_t V;
	mpz_t w, p;            /* W and P as integers at scale sc */
	int sc, total;
};
/* W, P must be exact (xsum_exact); unused for a total. */
void svy_xvar_init(struct svy_xvar *v, const struct xsum *W, const struct xsum *P, int total);
void svy_xvar_clear(struct svy_xvar *v);
/* How a stratum's PSU totals enter V. */
enum svy_xterm {
	SVY_XTERM_SS,          /* nh/(nh - 1)·Σ(Z - Z̄)² */
	SVY_XTERM_SQ,          /* ΣZ²: a lonely PSU under "adjust" */
	SVY_XTERM_SQ_SCALED,   /* nh/(nh - 1)·ΣZ²: a domain's lonely PSU under "adjust" */
};
/* Adds stratum h (nh PSUs, sampling fraction f): (1 - f) times the term. */
void svy_xvar_stratum(struct svy_xvar *v, const struct svy_xmom *m, uint64_t nh, double f, enum svy_xterm term);
/* V, rounded once. */
double svy_xvar_finish(struct svy_xvar *v);

#endif
