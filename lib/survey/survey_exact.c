/* The variance of a linearised estimate in exact rational arithmetic
 * (GMP), from exact decimal sums (survey_impl.h, "exact variance").
 *
 * Per stratum, V_h = (1 - f_h)·n_h/(n_h - 1)·Σ_j (Z_j - Z̄)²; written as
 * (1 - f_h)·(n_h·ΣZ² - (ΣZ)²)/(n_h - 1) it needs only the five moments
 * ΣA, ΣB, ΣA², ΣAB, ΣB² of the pieces Z = (A·W - P·B)/W² (A = w·y, B = w,
 * W = Σw, P = Σwy; Z = A for a total).  Formed exactly, the subtraction
 * loses nothing however large the mean is against the spread, and the
 * result is the same whatever order the rows, PSUs or strata came in:
 * one rounding, at the end.  The moments come as 128-bit integers at a
 * decimal scale; only the per-stratum combination is multiprecision. */
#include <math.h>

#include "survey_impl.h"

void svy_wacc_init(struct svy_wacc *x)
{
	x->lo = 0;
	mpz_init(x->hi);
}

void svy_wacc_clear(struct svy_wacc *x)
{
	mpz_clear(x->hi);
}

void svy_wacc_spill(struct svy_wacc *x, __int128 v)
{
	mpz_t t;

	mpz_init(t);
	xsum_z_i128(t, x->lo);
	mpz_add(x->hi, x->hi, t);
	mpz_clear(t);
	x->lo = v;
}

/* ---- exact decimals m / 10^scale --------------------------------------- */

void svy_xdec_init(struct svy_xdec *x)
{
	mpz_init(x->m);
	x->scale = 0;
}

void svy_xdec_clear(struct svy_xdec *x)
{
	mpz_clear(x->m);
}

void svy_xdec_set_xsum(struct svy_xdec *x, const struct xsum *s)
{
	xsum_z_i128(x->m, s->m);
	if (s->big)
		mpz_add(x->m, x->m, s->big);
	x->scale = s->scale;
}

void svy_xdec_set_wacc(struct svy_xdec *x, const struct svy_wacc *w, int scale)
{
	xsum_z_i128(x->m, w->lo);
	mpz_add(x->m, x->m, w->hi);
	x->scale = scale;
}

/* z·10^k */
static void mul_p10(mpz_t out, const mpz_t z, int k)
{
	mpz_t p;

	if (k == 0) {
		mpz_set(out, z);
		return;
	}
	mpz_init(p);
	mpz_ui_pow_ui(p, 10, (unsigned long)k);
	mpz_mul(out, z, p);
	mpz_clear(p);
}

/* The integers of x and y at their larger scale; returns it. */
static int align2(mpz_t ox, mpz_t oy, const struct svy_xdec *x, const struct svy_xdec *y)
{
	int s = x->scale > y->scale ? x->scale : y->scale;

	mul_p10(ox, x->m, s - x->scale);
	mul_p10(oy, y->m, s - y->scale);
	return s;
}

static void q_of(mpq_t out, const mpz_t m, int scale)
{
	xsum_q_dec(out, m, scale);
}

void svy_xdec_addmul(struct svy_xdec *s, const struct svy_xdec *a, const struct svy_xdec *b)
{
	struct svy_xdec t;
	mpz_t x, y;

	svy_xdec_init(&t);
	if (b) {
		mpz_mul(t.m, a->m, b->m);
		t.scale = a->scale + b->scale;
	} else {
		mpz_set(t.m, a->m);
		t.scale = a->scale;
	}
	mpz_inits(x, y, NULL);
	s->scale = align2(x, y, s, &t);
	mpz_add(s->m, x, y);
	mpz_clears(x, y, NULL);
	svy_xdec_clear(&t);
}

/* ---- the variance ------------------------------------------------------ */

void svy_xvar_init(struct svy_xvar *v, const struct xsum *W, const struct xsum *P, int total)
{
	mpq_init(v->V);
	mpz_init(v->w);
	mpz_init(v->p);
	v->total = total;
	v->sc = 0;
	if (!total) {
		struct svy_xdec xw, xp;
		svy_xdec_init(&xw);
		svy_xdec_init(&xp);
		svy_xdec_set_xsum(&xw, W);
		svy_xdec_set_xsum(&xp, P);
		v->sc = align2(v->w, v->p, &xw, &xp);
		svy_xdec_clear(&xw);
		svy_xdec_clear(&xp);
	}
}

void svy_xvar_clear(struct svy_xvar *v)
{
	mpq_clear(v->V);
	mpz_clear(v->w);
	mpz_clear(v->p);
}

/* ΣT and ΣT² of the stratum as integers at scales *s1, *s2, with T = A for
 * a total and A·w - p·B otherwise (W², the common divisor of every Z, is
 * taken out at the end). */
static void t_sums(const struct svy_xvar *v, const struct svy_xmom *m, mpz_t t1, int *s1, mpz_t t2, int *s2)
{
	mpz_t a, b, aa, ab, bb, x;
	int sab, sq;

	if (v->total) {
		mpz_set(t1, m->a.m);
		*s1 = m->a.scale;
		mpz_set(t2, m->aa.m);
		*s2 = m->aa.scale;
		return;
	}
	mpz_inits(a, b, aa, ab, bb, x, NULL);
	sab = align2(a, b, &m->a, &m->b);
	/* t1 = a·w - p·b, at scale sab + sc */
	mpz_mul(t1, a, v->w);
	mpz_submul(t1, b, v->p);
	*s1 = sab + v->sc;
	/* t2 = w²·aa - 2wp·ab + p²·bb, at the three moments' largest scale + 2sc */
	sq = m->aa.scale;
	if (m->ab.scale > sq)
		sq = m->ab.scale;
	if (m->bb.scale > sq)
		sq = m->bb.scale;
	mul_p10(aa, m->aa.m, sq - m->aa.scale);
	mul_p10(ab, m->ab.m, sq - m->ab.scale);
	mul_p10(bb, m->bb.m, sq - m->bb.scale);
	mpz_mul(x, v->w, v->w);
	mpz_mul(t2, x, aa);
	mpz_mul(x, v->w, v->p);
	mpz_mul_2exp(x, x, 1);
	mpz_submul(t2, x, ab);
	mpz_mul(x, v->p, v->p);
	mpz_addmul(t2, x, bb);
	*s2 = sq + 2 * v->sc;
	mpz_clears(a, b, aa, ab, bb, x, NULL);
}

/* V += (1 - f)·q */
static void add_term(struct svy_xvar *v, double f, const mpq_t q)
{
	mpq_t g;

	mpq_init(g);
	mpq_set_d(g, f);
	mpq_neg(g, g);
	mpz_add(mpq_numref(g), mpq_numref(g), mpq_denref(g));    /* 1 - f, still canonical */
	mpq_mul(g, g, q);
	mpq_add(v->V, v->V, g);
	mpq_clear(g);
}

void svy_xvar_stratum(struct svy_xvar *v, const struct svy_xmom *m, uint64_t nh, double f, enum svy_xterm term)
{
	mpz_t t1, t2;
	mpq_t q, k;
	int s1, s2;

	mpz_inits(t1, t2, NULL);
	mpq_inits(q, k, NULL);
	t_sums(v, m, t1, &s1, t2, &s2);
	if (term != SVY_XTERM_SS) {
		q_of(q, t2, s2);                   /* ΣT² */
		if (term == SVY_XTERM_SQ_SCALED) {
			mpq_set_ui(k, (unsigned long)nh, (unsigned long)(nh - 1));
			mpq_mul(q, q, k);
		}
	} else {
		/* (nh·ΣT² - (ΣT)²)/(nh - 1), at scale e = max(s2, 2·s1) */
		int e = s2 > 2 * s1 ? s2 : 2 * s1;
		mpz_mul_ui(t2, t2, (unsigned long)nh);
		mul_p10(t2, t2, e - s2);
		mpz_mul(t1, t1, t1);
		mul_p10(t1, t1, e - 2 * s1);
		mpz_sub(t2, t2, t1);
		q_of(q, t2, e);
		mpq_set_ui(k, 1, (unsigned long)(nh - 1));
		mpq_mul(q, q, k);
	}
	add_term(v, f, q);
	mpq_clears(q, k, NULL);
	mpz_clears(t1, t2, NULL);
}

double svy_xvar_finish(struct svy_xvar *v)
{
	if (!v->total && mpz_sgn(v->w) == 0)
		return NAN;                        /* no weight: no mean to vary */
	if (!v->total && mpq_sgn(v->V) != 0) {
		/* Z = T/W² with W = w/10^sc: divide by w⁴/10^(4sc) */
		mpq_t d;
		mpz_t p;
		mpq_init(d);
		mpz_init(p);
		mpz_pow_ui(p, v->w, 4);
		q_of(d, p, 4 * v->sc);
		mpq_div(v->V, v->V, d);
		mpq_clear(d);
		mpz_clear(p);
	}
	return xsum_q_double(v->V);
}
