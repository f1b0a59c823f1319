/* Post-stratification and raking of survey weights (survey_calib.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "split_list.h"
#include "num.h"
#include "sbuf.h"
#include "survey_calib.h"
#include "survey_calib_pairs.h"
#include "survey_impl.h"
#include "xalloc.h"

struct margin {
	char *file;
	char **vars;
	size_t nvars;
	size_t *var;                  /* index of each variable in the calibration's list */
	struct groups cats;           /* key: the variables' values (keybuf_part) */
	double *pop;                  /* population count per category */
	size_t ncat;
	uint32_t *cat;                /* the category of each cell */
	double *g;                    /* each cell's factor after this margin's step of the last sweep */
	long double *sum;             /* scratch: a weighted count per category */
};

struct svy_calib {
	int rake;
	double epsilon;
	unsigned maxit, sweeps;
	struct margin *m;
	size_t nm;
	char **vars;                  /* every margin's variables, each once */
	size_t nvars;
	long *col;                    /* their columns */
	long wcol, scol, pcol, fcol;
	struct groups cells;          /* key: the values of vars */
	size_t ncells, ccap;
	struct xsum *w0sum;           /* Σw per cell, exact: the same whatever order rows come in */
	long double *w0;              /* its value, for the fit */
	uint64_t *n;                  /* rows per cell */
	double *g;                    /* the calibration factor of each cell */
	struct svy_design *design;    /* the design of the first pass */
	struct calib_pairs pairs;     /* the (PSU, cell) pairs met, with Σw of -w weights */
	struct groups pc_ids;         /* key: (PSU, cell), of pairs [0, indexed) */
	size_t indexed;
	uint32_t last_psu, new_psu;   /* the previous record's PSU; the index a PSU not yet met gets */
	int revisits;                 /* a PSU came back after another: the pairs are indexed */
	uint32_t *seen_psu, *seen_pc; /* per cell: the last PSU met in it, and that pair's index
	                               * among the pairs (a PSU's records come together) */
	uint32_t *pc_start;           /* svy_calib_ready: the pairs by PSU, PSU j's at */
	uint32_t *pc_cell;            /* [pc_start[j], pc_start[j + 1]) of these */
	double *pc_w;                 /* two arrays */
	uint32_t *st_start, *st_psu;  /* svy_calib_ready: stratum h's PSUs, in order, are */
	                              /* st_psu[st_start[h] .. st_start[h + 1]) */
	struct svy_design *tally;     /* attached: the tally's design */
	uint32_t *psu_map;            /* the tally's PSU i is the first pass's psu_map[i] */
	size_t mapped;
	uint32_t cur;                 /* the cell of the record svy_calib_weigh saw last */
	struct sbuf key;
	const struct svy_calib *twin_of; /* svy_calib_twin: everything but key and cur is its */
	const struct svy_calib *part_of; /* svy_calib_part: its margins, variables and columns */
	char err[512];
};

static int fail(struct svy_calib *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct svy_calib *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
	return -1;
}

const char *svy_calib_error(const struct svy_calib *c)
{
	return c->err;
}

struct svy_calib *svy_calib_new(int rake, double epsilon, unsigned maxit)
{
	struct svy_calib *c = xcalloc(1, sizeof *c);

	c->rake = rake;
	c->epsilon = epsilon;
	c->maxit = maxit;
	groups_init(&c->cells);
	groups_init(&c->pc_ids);
	calib_pairs_init(&c->pairs);
	c->last_psu = UINT32_MAX;
	sbuf_init(&c->key);
	return c;
}

struct svy_calib *svy_calib_twin(const struct svy_calib *c)
{
	struct svy_calib *t = xmalloc(sizeof *t);

	*t = *c;
	t->twin_of = c;
	t->tally = NULL;
	t->cur = 0;
	sbuf_init(&t->key);
	return t;
}

/* What the first pass gathered, and what was made of it. */
static void release_scan(struct svy_calib *c)
{
	groups_release(&c->cells);
	groups_release(&c->pc_ids);
	for (size_t j = 0; j < c->ncells; j++)
		xsum_release(&c->w0sum[j]);
	free(c->w0sum);
	free(c->w0);
	free(c->n);
	free(c->g);
	calib_pairs_release(&c->pairs);
	free(c->seen_psu);
	free(c->seen_pc);
	free(c->pc_start);
	free(c->pc_cell);
	free(c->pc_w);
	free(c->st_start);
	free(c->st_psu);
	free(c->psu_map);
	if (c->design)
		svy_design_free(c->design);
	sbuf_release(&c->key);
	free(c);
}

static void free_margins(struct svy_calib *c)
{
	for (size_t i = 0; i < c->nm; i++) {
		struct margin *m = &c->m[i];
		free(m->file);
		split_list_free(m->vars, m->nvars);
		free(m->var);
		groups_release(&m->cats);
		free(m->pop);
		free(m->cat);
		free(m->g);
		free(m->sum);
	}
	free(c->m);
	for (size_t i = 0; i < c->nvars; i++)
		free(c->vars[i]);
	free(c->vars);
	free(c->col);
}

void svy_calib_free(struct svy_calib *c)
{
	if (!c)
		return;
	if (c->twin_of) {
		sbuf_release(&c->key);
		free(c);
		return;
	}
	if (!c->part_of)
		free_margins(c);
	release_scan(c);
}

/* A calibration for another thread's share of the first pass: margins,
 * variables and columns are c's (read only), its cells, PSU sums and
 * design its own until svy_calib_absorb. */
struct svy_calib *svy_calib_part(const struct svy_calib *c)
{
	struct svy_calib *p = svy_calib_new(c->rake, c->epsilon, c->maxit);

	p->part_of = c;
	p->m = c->m;
	p->nm = c->nm;
	p->vars = c->vars;
	p->nvars = c->nvars;
	p->col = c->col;
	p->wcol = c->wcol;
	p->scol = c->scol;
	p->pcol = c->pcol;
	p->fcol = c->fcol;
	p->design = svy_design_new(&c->design->o);
	return p;
}

/* ---- margins ------------------------------------------------------------ */

static size_t var_index(struct svy_calib *c, const char *name)
{
	for (size_t i = 0; i < c->nvars; i++)
		if (strcmp(c->vars[i], name) == 0)
			return i;
	c->vars = xrealloc(c->vars, (c->nvars + 1) * sizeof *c->vars);
	c->vars[c->nvars] = xstrdup(name);
	return c->nvars++;
}

static int margin_header(struct svy_calib *c, struct margin *m, const char *vars, const struct header *h)
{
	if (h->n < 2)
		return fail(c, "%s: a margin needs the variables' columns and a count column last", m->file);
	m->nvars = h->n - 1;
	m->vars = xcalloc(m->nvars, sizeof *m->vars);
	for (size_t i = 0; i < m->nvars; i++)
		m->vars[i] = xstrdup(h->names[i]);
	if (vars) {
		char **want;
		size_t n = split_list(vars, &want);
		int same = n == m->nvars;
		for (size_t i = 0; same && i < n; i++)
			same = strcmp(want[i], m->vars[i]) == 0;
		split_list_free(want, n);
		if (!same)
			return fail(c, "%s: the columns before the count must be %s", m->file, vars);
	}
	m->var = xcalloc(m->nvars, sizeof *m->var);
	for (size_t i = 0; i < m->nvars; i++)
		m->var[i] = var_index(c, m->vars[i]);
	return 0;
}

static int margin_row(struct svy_calib *c, struct margin *m, const struct record *rec)
{
	double pop;
	int added;
	size_t k = m->nvars;

	if (num_parse_double(rec_get(rec, k), rec_len(rec, k), 0, &pop) < 0 || !(pop >= 0) || !isfinite(pop))
		return fail(c, "%s:%lu: the count '%s' is not a number of 0 or more", m->file, rec->line,
			rec_get(rec, k));
	sbuf_reset(&c->key);
	for (size_t i = 0; i < m->nvars; i++)
		keybuf_part(&c->key, rec_get(rec, i), rec_len(rec, i));
	uint32_t id = groups_intern(&m->cats, c->key.s, c->key.len, key_hash(c->key.s, c->key.len), &added);
	if (!added)
		return fail(c, "%s:%lu: category '%s' is given twice", m->file, rec->line, rec_get(rec, 0));
	m->pop = xrealloc(m->pop, (id + 1) * sizeof *m->pop);
	m->pop[id] = pop;
	m->ncat = id + 1;
	return 0;
}

int svy_calib_margin(struct svy_calib *c, const char *vars, const char *file, const struct reader_opts *ro)
{
	struct reader_opts o = *ro;
	struct record rec;
	struct reject why;
	struct reader *r;
	int rc;

	o.format = FMT_AUTO;
	o.encoding = NULL;
	if (!(r = reader_open(file, &o)))
		return fail(c, "%s: cannot read the margin", file);
	c->m = xrealloc(c->m, (c->nm + 1) * sizeof *c->m);
	struct margin *m = memset(&c->m[c->nm++], 0, sizeof *c->m);
	m->file = xstrdup(file);
	groups_init(&m->cats);
	rec_init(&rec);
	rc = margin_header(c, m, vars, reader_header(r));
	while (rc == 0) {
		int got = reader_next(r, &rec, &why);
		if (got == READ_EOF)
			break;
		if (got == READ_REJECT)
			rc = fail(c, "%s:%lu: %s", file, rec.line, why.message);
		else if (got == READ_FATAL)
			rc = fail(c, "%s: read error", file);
		else
			rc = margin_row(c, m, &rec);
	}
	if (rc == 0 && m->ncat == 0)
		rc = fail(c, "%s: the margin has no categories", file);
	rec_release(&rec);
	reader_close(r);
	return rc;
}

/* ---- the first pass ------------------------------------------------------ */

static int bind_col(struct svy_calib *c, const struct header *h, const char *name, long *col)
{
	*col = -1;
	if (!name)
		return 0;
	if ((*col = header_find(h, name)) < 0)
		return fail(c, "no column '%s' for the calibration", name);
	return 0;
}

int svy_calib_bind(struct svy_calib *c, const struct header *h, const char *weight, const char *strata,
	const char *psu, const char *fpc, enum svy_lonely lonely)
{
	struct svy_design_opts o = {
		.has_weights = 1, .has_strata = strata != NULL, .has_psu = 1, .has_fpc = fpc != NULL,
		.lonely = lonely,
	};

	c->col = xcalloc(c->nvars, sizeof *c->col);
	for (size_t i = 0; i < c->nvars; i++)
		if (bind_col(c, h, c->vars[i], &c->col[i]) < 0)
			return -1;
	if (bind_col(c, h, weight, &c->wcol) < 0 || bind_col(c, h, strata, &c->scol) < 0 ||
	    bind_col(c, h, psu, &c->pcol) < 0 || bind_col(c, h, fpc, &c->fcol) < 0)
		return -1;
	c->design = svy_design_new(&o);
	return 0;
}

long svy_calib_weight_column(const struct svy_calib *c)
{
	return c->wcol;
}

void svy_calib_want(const struct svy_calib *c, unsigned char *want, size_t n)
{
	long cols[] = { c->wcol, c->scol, c->pcol, c->fcol };

	for (size_t i = 0; i < c->nvars; i++)
		if ((size_t)c->col[i] < n)
			want[c->col[i]] = 1;
	for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
		if (cols[i] >= 0 && (size_t)cols[i] < n)
			want[cols[i]] = 1;
}

static const char *field(const struct record *rec, long col, size_t *len)
{
	if (col < 0 || (size_t)col >= rec->nfields) {
		*len = 0;
		return "";
	}
	*len = rec_len(rec, (size_t)col);
	return rec_get(rec, (size_t)col);
}

static void cell_key(struct svy_calib *c, const struct record *rec)
{
	sbuf_reset(&c->key);
	for (size_t i = 0; i < c->nvars; i++) {
		size_t len;
		const char *s = field(rec, c->col[i], &len);
		keybuf_part(&c->key, s, len);
	}
}

/* The category in margin m of cell (from the cell's key); -1 when none. */
static long cell_category(struct svy_calib *c, const struct margin *m, uint32_t cell, struct sbuf *k)
{
	size_t clen, len;
	const char *ck = groups_key(&c->cells, cell, &clen), *s;
	int total;

	sbuf_reset(k);
	for (size_t j = 0; j < m->nvars; j++) {
		key_part(ck, clen, m->var[j], &s, &len, &total);
		keybuf_part(k, s, len);
	}
	return groups_find(&m->cats, k->s, k->len, key_hash(k->s, k->len));
}

static void set_category(struct margin *m, uint32_t cell, long cat)
{
	m->cat = xrealloc(m->cat, (cell + 1) * sizeof *m->cat);
	m->cat[cell] = (uint32_t)cat;
}

/* The category of a new cell in each margin (a part only checks there is
 * one: the margins are its whole's); -1 when one has none. */
static int place_cell(struct svy_calib *c, uint32_t cell, const struct record *rec)
{
	struct sbuf k;

	sbuf_init(&k);
	for (size_t i = 0; i < c->nm; i++) {
		struct margin *m = &c->m[i];
		long cat = cell_category(c, m, cell, &k);
		if (cat < 0) {
			size_t len;
			const char *s = field(rec, c->col[m->var[0]], &len);
			sbuf_release(&k);
			return fail(c, "%s:%lu: '%.*s' (%s) is in the data but not in the margin %s", rec->file,
				rec->line, (int)(len > 64 ? 64 : len), s, m->vars[0], m->file);
		}
		if (!c->part_of)
			set_category(m, cell, cat);
	}
	sbuf_release(&k);
	return 0;
}

static int scan_weight(struct svy_calib *c, const struct record *rec, struct decnum *x)
{
	size_t len;
	const char *s = field(rec, c->wcol, &len);

	if (numscan(s, len, x) < 0)
		x->d = NAN;
	if (!isfinite(x->d))
		return fail(c, "%s:%lu: weight '%.*s' is not a number", rec->file, rec->line,
			(int)(len > 64 ? 64 : len), s);
	if (!(x->d > 0))
		return fail(c, "%s:%lu: weight '%.*s': calibration needs weights above 0", rec->file, rec->line,
			(int)(len > 64 ? 64 : len), s);
	return 0;
}

static int scan_design(struct svy_calib *c, const struct record *rec, struct svy_unit *u)
{
	size_t sl, pl, fl;
	const char *st = field(rec, c->scol, &sl), *ps = field(rec, c->pcol, &pl), *fs = field(rec, c->fcol, &fl);
	double fpc = 0;

	if (c->fcol >= 0 && num_parse_double(fs, fl, 0, &fpc) < 0)
		return fail(c, "%s:%lu: fpc '%.*s' is not a number", rec->file, rec->line, (int)(fl > 64 ? 64 : fl), fs);
	if (svy_design_row(c->design, st, sl, ps, pl, fpc, u) < 0)
		return fail(c, "%s:%lu: %s", rec->file, rec->line, svy_design_error(c->design));
	return 0;
}

/* Pair i's index entry; it must be the next one unindexed. */
static void index_pc(struct svy_calib *c, size_t i)
{
	uint32_t key[2] = { c->pairs.psu[i], c->pairs.cell[i] };
	int added;

	groups_intern(&c->pc_ids, (const char *)key, sizeof key, key_hash(key, sizeof key), &added);
	c->indexed = i + 1;
}

/* While every PSU's records have come together, a (PSU, cell) pair the
 * memo has not seen is new: no lookup.  From the first PSU that comes
 * back after another, pairs are looked up in an index of them all. */
static void add_psu_cell(struct svy_calib *c, uint32_t psu, uint32_t cell, const struct decnum *w)
{
	uint32_t key[2] = { psu, cell };
	int added = 1;

	if (c->seen_psu[cell] == psu) {
		calib_pairs_add(&c->pairs, c->seen_pc[cell], w);
		return;
	}
	if (psu != c->last_psu && psu < c->new_psu)
		c->revisits = 1;
	c->last_psu = psu;
	if (psu >= c->new_psu)
		c->new_psu = psu + 1;
	uint32_t i = (uint32_t)c->pairs.n;
	if (c->revisits) {
		while (c->indexed < c->pairs.n)
			index_pc(c, c->indexed);
		i = groups_intern(&c->pc_ids, (const char *)key, sizeof key, key_hash(key, sizeof key), &added);
		c->indexed += added;
	}
	if (added)
		calib_pairs_new(&c->pairs, psu, cell);
	calib_pairs_add(&c->pairs, i, w);
	c->seen_psu[cell] = psu;
	c->seen_pc[cell] = i;
}

/* Room and empty sums for cell, the next one. */
static void new_cell(struct svy_calib *c, uint32_t cell)
{
	if (cell >= c->ccap) {
		c->ccap = c->ccap ? 2 * c->ccap : 64;
		c->w0sum = xrealloc(c->w0sum, c->ccap * sizeof *c->w0sum);
		c->n = xrealloc(c->n, c->ccap * sizeof *c->n);
		c->seen_psu = xrealloc(c->seen_psu, c->ccap * sizeof *c->seen_psu);
		c->seen_pc = xrealloc(c->seen_pc, c->ccap * sizeof *c->seen_pc);
	}
	c->seen_psu[cell] = UINT32_MAX;
	c->w0sum[cell] = (struct xsum){ 0 };
	c->n[cell] = 0;
	c->ncells = (size_t)cell + 1;
}

int svy_calib_scan(struct svy_calib *c, const struct record *rec)
{
	struct svy_unit u;
	struct decnum w;
	int added;

	if (scan_weight(c, rec, &w) < 0 || scan_design(c, rec, &u) < 0)
		return -1;
	cell_key(c, rec);
	uint32_t cell = groups_intern(&c->cells, c->key.s, c->key.len, key_hash(c->key.s, c->key.len), &added);
	if (added) {
		if (place_cell(c, cell, rec) < 0)
			return -1;
		new_cell(c, cell);
	}
	xsum_add_num(&c->w0sum[cell], &w);
	c->n[cell]++;
	add_psu_cell(c, u.psu, cell, &w);
	return 0;
}

/* ---- a part's first pass added to the whole's --------------------------- */

/* part's cell j as a cell of c (new ones appended, as one pass would
 * meet them after c's rows), its sums added. */
static uint32_t absorb_cell(struct svy_calib *c, const struct svy_calib *part, uint32_t j, struct sbuf *k)
{
	size_t len;
	const char *key = groups_key(&part->cells, j, &len);
	int added;
	uint32_t cell = groups_intern(&c->cells, key, len, key_hash(key, len), &added);

	if (added) {
		new_cell(c, cell);
		for (size_t i = 0; i < c->nm; i++)   /* the part found each category */
			set_category(&c->m[i], cell, cell_category(c, &c->m[i], cell, k));
	}
	xsum_merge(&c->w0sum[cell], &part->w0sum[j]);
	c->n[cell] += part->n[j];
	return cell;
}

/* part's (PSU, cell) sums added to c's: a pair of a PSU both met (one
 * the cut fell in, or one that came back) to c's pair, the others
 * appended in part's order, as one pass would. */
static void absorb_pairs(struct svy_calib *c, const struct svy_calib *part, const uint32_t *cmap,
	const uint32_t *pmap, size_t old_psus)
{
	unsigned char *both = xcalloc(old_psus + 1, 1);
	struct groups shared;
	uint32_t *at = NULL;

	const struct calib_pairs *pp = &part->pairs;
	struct calib_pairs *cp = &c->pairs;

	for (size_t i = 0; i < pp->n; i++)
		if (pmap[pp->psu[i]] < old_psus)
			both[pmap[pp->psu[i]]] = 1;
	groups_init(&shared);
	for (size_t i = 0; i < cp->n; i++)
		if (both[cp->psu[i]]) {
			uint32_t key[2] = { cp->psu[i], cp->cell[i] };
			int added;
			uint32_t id = groups_intern(&shared, (const char *)key, sizeof key, key_hash(key, sizeof key),
				&added);
			at = xrealloc(at, (id + 1) * sizeof *at);
			at[id] = (uint32_t)i;
		}
	for (size_t i = 0; i < pp->n; i++) {
		uint32_t key[2] = { pmap[pp->psu[i]], cmap[pp->cell[i]] };
		long id = key[0] >= old_psus ? -1
			: groups_find(&shared, (const char *)key, sizeof key, key_hash(key, sizeof key));
		calib_pairs_merge(cp, id >= 0 ? at[id] : calib_pairs_new(cp, key[0], key[1]), pp, i);
	}
	groups_release(&shared);
	free(at);
	free(both);
	c->revisits = 1;            /* pairs are looked up from now on */
	c->last_psu = UINT32_MAX;
}

int svy_calib_absorb(struct svy_calib *c, const struct svy_calib *part)
{
	struct svy_map map;
	size_t old_psus = c->design->npsu;
	struct sbuf k;

	memset(&map, 0, sizeof map);
	if (svy_design_absorb(c->design, part->design, &map) < 0)
		return -1;
	uint32_t *cmap = xmalloc((part->ncells ? part->ncells : 1) * sizeof *cmap);
	sbuf_init(&k);
	for (uint32_t j = 0; j < part->ncells; j++)
		cmap[j] = absorb_cell(c, part, j, &k);
	sbuf_release(&k);
	absorb_pairs(c, part, cmap, map.psu, old_psus);
	free(cmap);
	svy_map_release(&map);
	return 0;
}

/* ---- fitting --------------------------------------------------------------- */

static const char *cat_name(const struct margin *m, size_t k, size_t *len)
{
	const char *key = groups_key(&m->cats, (uint32_t)k, len);
	int total;

	key_part(key, *len, 0, &key, len, &total);
	return key;
}

/* Each category's weighted count now (Σ w·g over its cells), and the
 * check R's postStratify makes: a category with people but no records,
 * or records but no people, cannot be calibrated. */
static int margin_sums(struct svy_calib *c, struct margin *m)
{
	size_t len;
	const char *name;

	free(m->sum);
	m->sum = xcalloc(m->ncat, sizeof *m->sum);
	uint64_t *rows = xcalloc(m->ncat, sizeof *rows);
	for (size_t j = 0; j < c->ncells; j++) {
		m->sum[m->cat[j]] += c->w0[j] * c->g[j];
		rows[m->cat[j]] += c->n[j];
	}
	for (size_t k = 0; k < m->ncat; k++) {
		if (m->pop[k] > 0 && rows[k] == 0) {
			name = cat_name(m, k, &len);
			free(rows);
			return fail(c, "%s: category '%.*s' (%s) has no record in the sample", m->file, (int)len,
				name, m->vars[0]);
		}
		if (m->pop[k] == 0 && rows[k] > 0) {
			name = cat_name(m, k, &len);
			free(rows);
			return fail(c, "%s: category '%.*s' (%s) has records but a population of 0", m->file,
				(int)len, name, m->vars[0]);
		}
	}
	free(rows);
	return 0;
}

static int poststratify(struct svy_calib *c, struct margin *m)
{
	if (margin_sums(c, m) < 0)
		return -1;
	for (size_t j = 0; j < c->ncells; j++) {
		uint32_t k = m->cat[j];
		c->g[j] *= (double)(m->pop[k] / m->sum[k]);
	}
	free(m->g);
	m->g = xmalloc((c->ncells ? c->ncells : 1) * sizeof *m->g);
	memcpy(m->g, c->g, c->ncells * sizeof *m->g);
	return 0;
}

/* R's rake: sweeps of post-stratification on each margin in turn until
 * no cell's weighted count moves by epsilon or more. */
static int rake(struct svy_calib *c)
{
	long double total = 0, eps;
	long double *old = xmalloc((c->ncells ? c->ncells : 1) * sizeof *old);
	long double delta = 0;

	for (size_t j = 0; j < c->ncells; j++) {
		total += c->w0[j];
		old[j] = c->w0[j];
	}
	eps = c->epsilon < 1 ? c->epsilon * total : c->epsilon;
	for (c->sweeps = 1; c->sweeps <= c->maxit; c->sweeps++) {
		for (size_t i = 0; i < c->nm; i++)
			if (poststratify(c, &c->m[i]) < 0) {
				free(old);
				return -1;
			}
		delta = 0;
		for (size_t j = 0; j < c->ncells; j++) {
			long double now = c->w0[j] * c->g[j], d = fabsl(now - old[j]);
			delta = d > delta ? d : delta;
			old[j] = now;
		}
		if (delta < eps) {
			free(old);
			return 0;
		}
	}
	free(old);
	c->sweeps = c->maxit;
	return fail(c, "raking did not converge in %u sweeps: a cell still moved by %Lg, the tolerance is %Lg "
		"(see --rake-tolerance, --rake-maxit)", c->maxit, delta, eps);
}

int svy_calib_fit(struct svy_calib *c)
{
	c->g = xmalloc((c->ncells ? c->ncells : 1) * sizeof *c->g);
	c->w0 = xmalloc((c->ncells ? c->ncells : 1) * sizeof *c->w0);
	for (size_t j = 0; j < c->ncells; j++) {
		c->g[j] = 1;
		c->w0[j] = xsum_long(&c->w0sum[j]);
	}
	if (c->ncells == 0)
		return fail(c, "no records to calibrate");
	if (svy_design_check_lonely(c->design) < 0)
		return fail(c, "%s", svy_design_error(c->design));
	if (c->rake)
		return rake(c);
	c->sweeps = 1;
	return poststratify(c, &c->m[0]);
}

unsigned svy_calib_sweeps(const struct svy_calib *c)
{
	return c->sweeps;
}

/* ---- the second pass ------------------------------------------------------ */

/* A calibrated weight as an exact decimal of 15 or 16 significant digits
 * (its double's 1e-16 is far below the 1e-10 the figures are good to): the
 * engine's sums then stay exact integers, as for -w weights, rather than
 * floating sums in cells of their own, which cost an allocation per PSU. */
static void as_decimal(double v, struct decnum *w)
{
	int e2, s;

	w->d = v;
	w->exact = 0;
	if (!(v > 0) || !isfinite(v))
		return;
	frexp(v, &e2);
	s = (int)floor((53 - e2) * 0.30102999566398120) - 1;   /* v·10^s < 2^53 */
	if (s < 0 || s > 22)
		return;
	int64_t m = llround(v * (double)xsum_pow10(s));
	while (s > 0 && m % 10 == 0) {
		m /= 10;
		s--;
	}
	w->m = m;
	w->scale = s;
	w->exact = 1;
	w->d = (double)m / (double)xsum_pow10(s);
}

int svy_calib_weigh(struct svy_calib *c, const struct record *rec, struct decnum *w, struct reject *why)
{
	cell_key(c, rec);
	long cell = groups_find(&c->cells, c->key.s, c->key.len, key_hash(c->key.s, c->key.len));

	if (cell < 0) {
		reject_set(why, "calibration", NULL, "the record's calibration cell was not in the first pass "
			"(did the input change?)");
		return -1;
	}
	c->cur = (uint32_t)cell;
	as_decimal(w->d * c->g[cell], w);
	return 0;
}

void svy_calib_attach(struct svy_calib *c, struct svy_design *d)
{
	c->tally = d;
	d->calib = c;
}

/* ---- accumulators ------------------------------------------------------------ */

static struct svy_calib_sums *sums_for(struct svy_acc *a, size_t ncells)
{
	if (!a->cal) {
		struct svy_calib_sums *s = xmalloc(sizeof *s);
		size_t n = ncells ? ncells : 1;
		s->n = xcalloc(n, sizeof *s->n);
		s->y = xcalloc(3 * n, sizeof *s->y);
		s->w = s->y + n;
		s->wy = s->w + n;
		s->ncells = ncells;
		a->cal = s;
	}
	return a->cal;
}

void svy_calib_acc_add(struct svy_acc *a, const struct svy_calib *c, const struct decnum *w, const struct decnum *y)
{
	svy_calib_acc_add_cell(a, c, c->cur, w, y);
}

struct svy_unit svy_calib_value_unit(const struct svy_calib *c, struct svy_unit u)
{
	u.stratum = c->cur;
	return u;
}

void svy_calib_acc_add_cell(struct svy_acc *a, const struct svy_calib *c, uint32_t j, const struct decnum *w,
	const struct decnum *y)
{
	struct svy_calib_sums *s = sums_for(a, c->ncells);

	s->n[j]++;
	xsum_add_num(&s->y[j], y);
	xsum_add_num(&s->w[j], w);
	xsum_add_product(&s->wy[j], w, y);
}

void svy_calib_acc_merge(struct svy_acc *dst, const struct svy_acc *src)
{
	if (!src->cal)
		return;
	const struct svy_calib_sums *s = src->cal;
	struct svy_calib_sums *d = sums_for(dst, s->ncells);

	for (size_t j = 0; j < s->ncells; j++) {
		d->n[j] += s->n[j];
		xsum_merge(&d->y[j], &s->y[j]);
		xsum_merge(&d->w[j], &s->w[j]);
		xsum_merge(&d->wy[j], &s->wy[j]);
	}
}

int svy_calib_acc_exact(const struct svy_acc *a)
{
	const struct svy_calib_sums *s = a->cal;

	for (size_t j = 0; s && j < 3 * s->ncells; j++)
		if (!xsum_exact(&s->y[j]))
			return 0;
	return 1;
}

void svy_calib_acc_release(struct svy_acc *a)
{
	struct svy_calib_sums *s = a->cal;

	if (s) {
		for (size_t j = 0; j < 3 * s->ncells; j++)
			xsum_release(&s->y[j]);
		free(s->n);
		free(s->y);
		free(s);
		a->cal = NULL;
	}
}

/* ---- variance ------------------------------------------------------------------ */

/* The first pass's index of each of the tally's PSUs (the tally may have
 * met them in another order, having rejected rows the first pass kept). */
/* The pairs by PSU, in two flat arrays the variance walks once per estimate. */
static void pc_by_psu(struct svy_calib *c)
{
	size_t P = c->design->npsu;

	free(c->pc_start);
	free(c->pc_cell);
	free(c->pc_w);
	c->pc_start = xcalloc(P + 2, sizeof *c->pc_start);
	struct calib_pairs *p = &c->pairs;
	for (size_t i = 0; i < p->n; i++)
		c->pc_start[p->psu[i] + 2]++;
	for (size_t j = 2; j < P + 2; j++)
		c->pc_start[j] += c->pc_start[j - 1];
	if ((c->pc_w = calib_pairs_take_values(p, &c->pc_cell))) {
		memmove(c->pc_start, c->pc_start + 1, (P + 1) * sizeof *c->pc_start);
		return;       /* in PSU order already: the pairs are the arrays */
	}
	c->pc_cell = xmalloc((p->n ? p->n : 1) * sizeof *c->pc_cell);
	c->pc_w = xmalloc((p->n ? p->n : 1) * sizeof *c->pc_w);
	for (size_t i = 0; i < p->n; i++) {
		uint32_t k = c->pc_start[p->psu[i] + 1]++;
		c->pc_cell[k] = p->cell[i];
		c->pc_w[k] = calib_pairs_value(p, i);
	}
}

/* The PSUs by stratum, each stratum's in their order: the variance's sums
 * over a stratum's PSUs then run in a register, in the same order. */
static void psus_by_stratum(struct svy_calib *c)
{
	const struct svy_design *d = c->design;
	size_t H = d->nstrata, P = d->npsu;

	free(c->st_start);
	free(c->st_psu);
	c->st_start = xcalloc(H + 2, sizeof *c->st_start);
	c->st_psu = xmalloc((P ? P : 1) * sizeof *c->st_psu);
	for (size_t j = 0; j < P; j++)
		c->st_start[d->psus[j].stratum + 2]++;
	for (size_t h = 2; h < H + 2; h++)
		c->st_start[h] += c->st_start[h - 1];
	for (size_t j = 0; j < P; j++)
		c->st_psu[c->st_start[d->psus[j].stratum + 1]++] = (uint32_t)j;
}

/* Whether the first pass's PSU i is the PSU id of stratum sname. */
static int same_psu(const struct svy_design *d, size_t i, const char *sname, size_t slen, const char *id,
	size_t len)
{
	size_t l, sl;
	const char *s, *p;

	if (i >= d->npsu)
		return 0;
	p = svy_psu_id(d, i, &l);
	s = groups_key(&d->stratum_ids, d->psus[i].stratum, &sl);
	return l == len && sl == slen && memcmp(p, id, len) == 0 && memcmp(s, sname, slen) == 0;
}

void svy_calib_ready(struct svy_calib *c)
{
	if (!c->pc_start) {
		pc_by_psu(c);
		psus_by_stratum(c);
	}
	const struct svy_design *t = c->tally;
	struct svy_design *d = c->design;

	if (!t || c->mapped == t->npsu)
		return;
	c->psu_map = xrealloc(c->psu_map, (t->npsu ? t->npsu : 1) * sizeof *c->psu_map);
	for (size_t i = c->mapped; i < t->npsu; i++) {
		size_t len, slen;
		const char *id = svy_psu_id(t, i, &len);
		const char *sname = groups_key(&t->stratum_ids, t->psus[i].stratum, &slen);
		if (same_psu(d, i, sname, slen, id, len)) {    /* met in the same order: no lookup */
			c->psu_map[i] = (uint32_t)i;
			continue;
		}
		long h = groups_find(&d->stratum_ids, sname, slen, key_hash(sname, slen));
		uint32_t hs = (uint32_t)h;
		sbuf_reset(&c->key);
		sbuf_add(&c->key, (const char *)&hs, 4);
		sbuf_add(&c->key, id, len);
		long j = h < 0 ? -1 : groups_find(&d->psu_ids, c->key.s, c->key.len, key_hash(c->key.s, c->key.len));
		c->psu_map[i] = j < 0 ? UINT32_MAX : (uint32_t)j;
	}
	c->mapped = t->npsu;
}

/* Scatters f times sum k of a's PSU cells into z (by the first pass's PSU
 * index). */
static void psu_totals(const struct svy_calib *c, const struct svy_acc *a, int k, long double f, long double *z)
{
	const struct svy_psu_sums *cells = a->cells;
	long double unit;

	if (a->kind != KIND_PSUS)
		return;
	unit = svy_cell_unit(a, k);
	for (size_t i = 0; i < a->ncells; i++) {
		uint32_t j = c->psu_map[cells[i].psu];
		if (j != UINT32_MAX)
			z[j] += f * svy_cell_raw(a, &cells[i], k) * unit;
	}
}

/* A term's per-cell sums: Σw·y and Σy (CELL_WY), or Σw and rows (CELL_W). */
static void term_sums(const struct svy_calib_term *t, size_t j, long double *weighted, long double *plain)
{
	const struct svy_calib_sums *s = t->acc ? t->acc->cal : NULL;

	*weighted = *plain = 0;
	if (!s || j >= s->ncells)
		return;
	*weighted = xsum_long(t->wy ? &s->wy[j] : &s->w[j]);
	*plain = t->wy ? xsum_long(&s->y[j]) : (long double)s->n[j];
}

/* h(c), the amount per unit of -w weight the calibration takes out of
 * each cell, for z = Σ coef·(w·y or w) over the terms.
 * Post-stratification (svyrecvar): the cell's share of z over its Σw.
 * Raking: svyrecvar's 10 sweeps of x ← x - psw·ave(x/psw) over each
 * margin's categories, psw the weights after that margin's step; x/psw
 * sums over a cell to (V_c - n_c·h_c)/g_m(c), V_c = Σ x/w0. */
static void cell_residuals(const struct svy_calib *c, const struct svy_calib_term *terms, size_t nterms,
	long double *h)
{
	size_t C = c->ncells;

	for (size_t j = 0; j < C; j++) {
		long double weighted = 0, plain = 0;
		for (size_t i = 0; i < nterms; i++) {
			long double sw, sp;
			term_sums(&terms[i], j, &sw, &sp);
			weighted += terms[i].coef * sw;
			plain += terms[i].coef * sp;
		}
		h[j] = c->rake ? c->g[j] * plain : weighted / c->w0[j];   /* raking: V_c for now */
	}
	if (!c->rake)
		return;
	long double *v = xmalloc((C ? C : 1) * sizeof *v);
	memcpy(v, h, C * sizeof *v);
	memset(h, 0, C * sizeof *h);
	for (int it = 0; it < SVY_CALIB_VAR_SWEEPS; it++)
		for (size_t i = 0; i < c->nm; i++) {
			const struct margin *m = &c->m[i];
			long double *s = xcalloc(2 * m->ncat, sizeof *s), *cnt = s + m->ncat;
			for (size_t j = 0; j < C; j++) {
				s[m->cat[j]] += (v[j] - c->n[j] * h[j]) / m->g[j];
				cnt[m->cat[j]] += c->n[j];
			}
			for (size_t j = 0; j < C; j++)
				h[j] += m->g[j] * (s[m->cat[j]] / cnt[m->cat[j]]);
			free(s);
		}
	free(v);
}

/* Σw·h over PSU j's pairs, in their order. */
static long double psu_taken(const struct svy_calib *c, const long double *h, size_t j)
{
	long double r = 0;

	for (uint32_t k = c->pc_start[j]; k < c->pc_start[j + 1]; k++)
		r += c->pc_w[k] * h[c->pc_cell[k]];
	return r;
}

/* e_j -= psu_taken(j) for every PSU, two PSUs at a time: their sums are
 * independent chains the FPU overlaps, each still added in its order. */
static void take_residuals(const struct svy_calib *c, const long double *h, long double *e)
{
	size_t P = c->design->npsu, j = 0;

	for (; j + 1 < P; j += 2) {
		uint32_t a = c->pc_start[j], ae = c->pc_start[j + 1], b = ae, be = c->pc_start[j + 2];
		long double ra = 0, rb = 0;
		for (; a < ae && b < be; a++, b++) {
			ra += c->pc_w[a] * h[c->pc_cell[a]];
			rb += c->pc_w[b] * h[c->pc_cell[b]];
		}
		for (; a < ae; a++)
			ra += c->pc_w[a] * h[c->pc_cell[a]];
		for (; b < be; b++)
			rb += c->pc_w[b] * h[c->pc_cell[b]];
		e[j] -= ra;
		e[j + 1] -= rb;
	}
	if (j < P)
		e[j] -= psu_taken(c, h, j);
}

/* The residuals e_j (by the first pass's PSU index) of one combination. */
static void residuals(const struct svy_calib *c, const struct svy_calib_term *terms, size_t nterms,
	long double *e)
{
	long double *h = xcalloc(c->ncells ? c->ncells : 1, sizeof *h);

	for (size_t i = 0; i < nterms; i++)
		if (terms[i].acc && terms[i].coef != 0)
			psu_totals(c, terms[i].acc, terms[i].wy ? CELL_WY : CELL_W, terms[i].coef, e);
	cell_residuals(c, terms, nterms, h);
	take_residuals(c, h, e);
	free(h);
}

/* Σ e_j over stratum h's PSUs, in their order. */
static long double stratum_sum(const struct svy_calib *c, size_t h, const long double *e)
{
	long double acc = 0;

	for (uint32_t i = c->st_start[h]; i < c->st_start[h + 1]; i++)
		acc += e[c->st_psu[i]];
	return acc;
}

/* Σ (a_j - ma)(b_j - mb) over stratum h's PSUs, in their order. */
static long double stratum_cross(const struct svy_calib *c, size_t h, const long double *a, long double ma,
	const long double *b, long double mb)
{
	long double acc = 0;

	for (uint32_t i = c->st_start[h]; i < c->st_start[h + 1]; i++) {
		uint32_t j = c->st_psu[i];
		long double x = a[j] - ma;
		acc += x * (b[j] - mb);
	}
	return acc;
}

/* Each stratum's (1 - f_h)·n_h/(n_h - 1), 0 for one that adds nothing
 * (a census, a lonely PSU removed or taken as certain); -1 when a lonely
 * PSU is an error. */
static int stratum_scales(const struct svy_design *d, const struct svy_design *t, long double *scale)
{
	for (size_t h = 0; h < d->nstrata; h++) {
		uint64_t nh = d->strata[h].npsu;
		if (svy_stratum_census(d, h))
			continue;
		if (nh < 2) {
			if (d->o.lonely == SVY_LONELY_FAIL)
				return svy_fail(t, "stratum '%s' has only one PSU (see --lonely-psu)", d->strata[h].name);
			continue;
		}
		scale[h] = (1 - (long double)svy_stratum_f(d, h)) * ((long double)nh / (nh - 1));
	}
	return 0;
}

/* V_kl = Σ_h (1 - f_h)·n_h/(n_h - 1)·Σ_j (e_kj - ē_kh)(e_lj - ē_lh) over
 * the first pass's strata and PSUs, all of them: a PSU outside the domain
 * has a residual too.  e holds K vectors of P. */
static int stratified(const struct svy_calib *c, const struct svy_design *t, const long double *e, size_t K,
	long double *V)
{
	const struct svy_design *d = c->design;
	size_t H = d->nstrata, P = d->npsu;
	long double *scale = xcalloc(H ? H : 1, sizeof *scale);
	long double *mean = xcalloc(K ? K : 1, sizeof *mean);

	if (stratum_scales(d, t, scale) < 0) {
		free(scale);
		free(mean);
		return -1;
	}
	memset(V, 0, K * K * sizeof *V);
	for (size_t h = 0; h < H; h++) {
		if (scale[h] == 0)
			continue;
		for (size_t k = 0; k < K; k++)
			mean[k] = stratum_sum(c, h, e + k * P) / (long double)d->strata[h].npsu;
		for (size_t k = 0; k < K; k++)
			for (size_t l = k; l < K; l++)
				V[k * K + l] += scale[h] * stratum_cross(c, h, e + k * P, mean[k], e + l * P, mean[l]);
	}
	for (size_t k = 0; k < K; k++)
		for (size_t l = 0; l < k; l++)
			V[k * K + l] = V[l * K + k];
	free(scale);
	free(mean);
	return 0;
}

static int not_ready(const struct svy_calib *c, const struct svy_design *t)
{
	if (c->mapped != t->npsu || !c->pc_start)
		return svy_fail(t, "the calibration was not made ready for the estimates");
	return 0;
}

int svy_calib_cov(const struct svy_design *t, const struct svy_calib_term *terms, const size_t *nterms,
	size_t K, long double *V)
{
	struct svy_calib *c = t->calib;
	size_t P = c->design->npsu ? c->design->npsu : 1;

	if (not_ready(c, t) < 0)
		return -1;
	long double *e = xcalloc(P * (K ? K : 1), sizeof *e);
	for (size_t k = 0, at = 0; k < K; at += nterms[k++])
		residuals(c, terms + at, nterms[k], e + k * P);
	int rc = stratified(c, t, e, K, V);
	free(e);
	return rc;
}

int svy_calib_linearise(const struct svy_design *t, const struct svy_acc *num, const struct svy_acc *den,
	long double alpha, long double beta, long double *V, uint64_t *psus, size_t *strata)
{
	struct svy_calib *c = t->calib;
	const struct svy_design *d = c->design;
	size_t P = d->npsu ? d->npsu : 1, H = d->nstrata ? d->nstrata : 1;
	struct svy_calib_term terms[2] = { { num, 1, alpha }, { den, 0, beta } };
	size_t n = 2;

	if (svy_calib_cov(t, terms, &n, 1, V) < 0)
		return -1;
	unsigned char *seen = xcalloc(P, 1), *sseen = xcalloc(H, 1);
	const struct svy_psu_sums *cells = den->cells;
	for (size_t i = 0; den->kind == KIND_PSUS && i < den->ncells; i++) {
		uint32_t j = c->psu_map[cells[i].psu];
		if (j != UINT32_MAX && cells[i].n)
			seen[j] = 1;
	}
	*psus = 0;
	*strata = 0;
	for (size_t j = 0; j < d->npsu; j++)
		if (seen[j]) {
			(*psus)++;
			*strata += !sseen[d->psus[j].stratum];
			sseen[d->psus[j].stratum] = 1;
		}
	free(seen);
	free(sseen);
	return 0;
}
