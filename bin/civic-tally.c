/* civic-tally: counts, shares, cross-tabs and survey estimates of a
 * record stream, grouped by keys.
 *
 * Code map: keyexpr (keys and values such as month(C), days(A,B)),
 * groups (interned keys), agg (statistics per group), crosstab (the
 * output table), partial (--partial/--merge), survey and interval
 * (design-based variance and confidence intervals). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civic.h"
#include "run_outputs.h"
#include "calib_half.h"
#include "calib_input.h"
#include "ratio.h"
#include "crosstab.h"
#include "partial.h"
#include "split_half.h"
#include "tally_show.h"

static const char usage[] =
	"usage: civic-tally [-g keys] [-s stats] [--within keys] [--pivot key] [--total]\n"
	"                   [-w column] [--strata column] [--psu column] [--fpc column]\n"
	"                   [--lonely-psu rule] [--lonely-psu-domain] [--missing codes]\n"
	"                   [--repweights pattern --rep-type type [--rho r] [--scale s]\n"
	"                   [--rscales list] [--mse] [--rep-factors]]\n"
	"                   [--ci method] [--level p] [--deff] [--digits n] [--partial]\n"
	"                   [--sort [-]column] [--top n] [--other label]\n"
	"                   [--per n --population file[:column]]\n"
	"                   [--contrast key[=ref]] [--test name]\n"
	"                   [-o file] [--csv | --json]\n"
	"                   [--max-rejects n[%]] [--rejects file]\n"
	"                   [--where cond ...]\n"
	"                   [--poststrata vars --totals file | --rake file ...]\n"
	"                   [--rake-tolerance e] [--rake-maxit n] [--write-weights] [file ...]\n"
	"       civic-tally --merge [--within keys] [--pivot key] [--total] [--ci method]\n"
	"                   [--level p] [--deff] [--digits n] [--partial]\n"
	"                   [--sort [-]column] [--top n] [--other label]\n"
	"                   [--per n --population file[:column]] [-o file]\n"
	"                   [--contrast key[=ref]] [--test name]\n"
	"                   [--csv | --json] partial ...\n"
	"\n"
	"  -g, --group KEYS       group by these keys, comma-separated: columns or\n"
	"                         year(C) quarter(C) month(C) week(C) day(C) weekday(C) days(A,B)\n"
	"  -s, --stats STATS      statistics (default count): count n share mean:C sum:C min:C\n"
	"                         max:C sd:C median:C pNN:C iqr:C distinct:C missing:C n:C\n"
	"                         share:COND\n"
	"                         (COND as in days(received_at,resolved_at)<=15)\n"
	"                         ratio:A/B (Σw·A / Σw·B, svyratio's SE with a design)\n"
	"      --within KEYS      shares within groups of these keys (default: of everything)\n"
	"      --pivot KEY        one column per value of KEY (a cross-tab)\n"
	"      --total            add Total margin rows (and columns with --pivot)\n"
	"  -w, --weight COLUMN    survey weights\n"
	"      --strata COLUMN    design strata\n"
	"      --psu COLUMN       primary sampling units (clusters), nested in strata\n"
	"      --fpc COLUMN       population PSUs per stratum, or sampling fractions\n"
	"      --lonely-psu RULE  a stratum with one PSU: fail (default), remove, certainty,\n"
	"                         adjust or average\n"
	"      --missing CODES    answers read as missing values, comma-separated, besides\n"
	"                         the empty field (default dk,refused; '' for none)\n"
	"      --lonely-psu-domain  a domain's one PSU of a stratum is lonely too (R's\n"
	"                         survey.adjust.domain.lonely): for adjust and average\n"
	"      --repweights PATTERN  replicate weights: the columns whose names match PATTERN\n"
	"                         (a shell glob such as 'rw_*'), as R's svrepdesign\n"
	"      --rep-type TYPE    JK1, JKn, BRR, Fay, bootstrap or successive-difference\n"
	"      --rho R            Fay's coefficient (--rep-type Fay)\n"
	"      --scale S          the variance's overall scale (default: the type's, as R)\n"
	"      --rscales LIST     per-replicate scales, comma-separated (one for all, or one each)\n"
	"      --mse              deviations from the full-sample estimate, not the replicates' mean\n"
	"      --rep-factors      replicate columns multiply -w (R's combined.weights = FALSE)\n"
	"      --ci METHOD        add _se, _low, _high: default, wilson, logit, beta, wald,\n"
	"                         asin (shares), t, normal (all estimates); e.g. logit,t\n"
	"      --level P          confidence level (default 0.95)\n"
	"      --deff             add the design effect (_deff)\n"
	"      --contrast KEY[=REF]  add diff_S, diff_S_se, _low, _high, _p: each estimate minus\n"
	"                         its group's where KEY is REF (default: KEY's first value)\n"
	"      --test NAME        test the association of the two keys, as columns: rao-scott\n"
	"                         (F), rao-scott-chisq; Pearson's X2 without a design\n"
	"      --digits N         round statistics to N decimals (default: exact)\n"
	"      --partial          write the aggregate state (NDJSON) for a later --merge\n"
	"      --merge            combine partials into the table one run would give\n"
	"      --sort [-]COLUMN   order rows by an output column, - for descending\n"
	"                         (repeatable; ties by key; default: key order)\n"
	"      --top N            keep the first N rows (of each --within group)\n"
	"      --other LABEL      add one row, LABEL, for the rows --top leaves out\n"
	"      --per N            add rate_per_N: rows per N people (not with -w)\n"
	"      --population FILE[:COLUMN]  denominators: a table keyed by -g keys,\n"
	"                         COLUMN (default population) the people\n"
	"  -o, --output FILE      write FILE atomically instead of standard output\n"
	"      --csv, --json      output format (default: the input's)\n"
	"      --rejects FILE     write rejected records to FILE (NDJSON, mode 0600)\n"
	"      --max-rejects N    rejects tolerated before exit status 1: a count or N% (default 0)\n"
	"      --where COND       tally only the rows for which COND holds (civic(7),\n"
	"                         CONDITIONS); repeated, all must hold\n"
	"      --poststrata VARS  post-stratify the weights (-w, --psu needed) on these columns,\n"
	"      --totals FILE      to the population counts in FILE (CSV: VARS, then the count)\n"
	"      --rake FILE        rake the weights to the margin in FILE (CSV: the margin's\n"
	"                         columns, then the count); once per margin\n"
	"      --rake-tolerance E stop raking when no cell moves by E (a fraction of the\n"
	"                         weights' sum when below 1; default 1e-10)\n"
	"      --rake-maxit N     fail when raking has not converged in N sweeps (default 100)\n"
	"      --write-weights    write the records with their calibrated weight instead\n"
	"      --help, --version\n";

enum {
	OPT_WITHIN = OPT_COMMON_END,
	OPT_PIVOT,
	OPT_TOTAL,
	OPT_STRATA,
	OPT_PSU,
	OPT_FPC,
	OPT_LONELY,
	OPT_MISSING,
	OPT_LONELY_DOMAIN,
	OPT_CI,
	OPT_LEVEL,
	OPT_DEFF,
	OPT_DIGITS,
	OPT_PARTIAL,
	OPT_MERGE,
	OPT_WHERE,
	OPT_REPWEIGHTS,
	OPT_REP_TYPE,
	OPT_RHO,
	OPT_SCALE,
	OPT_RSCALES,
	OPT_MSE,
	OPT_REP_FACTORS,
	OPT_POSTSTRATA,
	OPT_TOTALS,
	OPT_RAKE,
	OPT_RAKE_TOL,
	OPT_RAKE_MAXIT,
	OPT_WRITE_WEIGHTS,
	OPT_SORT,
	OPT_TOP,
	OPT_OTHER,
	OPT_PER,
	OPT_POPULATION,
	OPT_CONTRAST,
	OPT_TEST,
};

static const struct option long_options[] = {
	{ "group", required_argument, NULL, 'g' },
	{ "stats", required_argument, NULL, 's' },
	{ "weight", required_argument, NULL, 'w' },
	{ "output", required_argument, NULL, 'o' },
	{ "within", required_argument, NULL, OPT_WITHIN },
	{ "pivot", required_argument, NULL, OPT_PIVOT },
	{ "total", no_argument, NULL, OPT_TOTAL },
	{ "strata", required_argument, NULL, OPT_STRATA },
	{ "psu", required_argument, NULL, OPT_PSU },
	{ "fpc", required_argument, NULL, OPT_FPC },
	{ "lonely-psu", required_argument, NULL, OPT_LONELY },
	{ "missing", required_argument, NULL, OPT_MISSING },
	{ "lonely-psu-domain", no_argument, NULL, OPT_LONELY_DOMAIN },
	{ "ci", required_argument, NULL, OPT_CI },
	{ "level", required_argument, NULL, OPT_LEVEL },
	{ "deff", no_argument, NULL, OPT_DEFF },
	{ "digits", required_argument, NULL, OPT_DIGITS },
	{ "partial", no_argument, NULL, OPT_PARTIAL },
	{ "merge", no_argument, NULL, OPT_MERGE },
	{ "where", required_argument, NULL, OPT_WHERE },
	{ "repweights", required_argument, NULL, OPT_REPWEIGHTS },
	{ "rep-type", required_argument, NULL, OPT_REP_TYPE },
	{ "rho", required_argument, NULL, OPT_RHO },
	{ "scale", required_argument, NULL, OPT_SCALE },
	{ "rscales", required_argument, NULL, OPT_RSCALES },
	{ "mse", no_argument, NULL, OPT_MSE },
	{ "rep-factors", no_argument, NULL, OPT_REP_FACTORS },
	{ "poststrata", required_argument, NULL, OPT_POSTSTRATA },
	{ "totals", required_argument, NULL, OPT_TOTALS },
	{ "rake", required_argument, NULL, OPT_RAKE },
	{ "rake-tolerance", required_argument, NULL, OPT_RAKE_TOL },
	{ "rake-maxit", required_argument, NULL, OPT_RAKE_MAXIT },
	{ "write-weights", no_argument, NULL, OPT_WRITE_WEIGHTS },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "other", required_argument, NULL, OPT_OTHER },
	{ "per", required_argument, NULL, OPT_PER },
	{ "population", required_argument, NULL, OPT_POPULATION },
	{ "contrast", required_argument, NULL, OPT_CONTRAST },
	{ "test", required_argument, NULL, OPT_TEST },
	REJECT_LONG_OPTIONS,
	COMMON_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* Copies of presentation options taken from a partial (--merge), kept
 * until owned_release(). */
struct owned {
	char **v;
	size_t n;
};

static const char *own(struct owned *w, const char *text)
{
	w->v = xrealloc(w->v, (w->n + 1) * sizeof(*w->v));
	return w->v[w->n++] = xstrdup(text);
}

static void owned_release(struct owned *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
}

/* Calibration (survey_calib.h). */
struct calib_opts {
	const char *poststrata, *totals;
	const char **rake;
	size_t nrake;
	double tolerance;
	unsigned long maxit;
	int write_weights;
};

struct options {
	struct common_opts common;
	struct reader_opts reader;
	const char *keys, *stats, *weight, *strata, *psu, *fpc, *lonely, *missing, *output;
	/* Options that only shape the output: a partial records them, and a
	 * --merge may override each. */
	struct tally_show show;
	struct owned owned;            /* strings of show taken from a partial */
	int given_total, given_deff, given_level, given_digits;
	int partial, merge, lonely_domain;
	struct reject_opts rejects;
	char *kept_keys, *kept_stats, *kept_within;   /* lists from repeated options */
	char **where;                  /* --where, each a whole condition */
	size_t nwhere;
	const char *repweights;
	struct svy_rep_spec rep;
	struct calib_opts cal;
	char *kept_sort;
	int given_top, given_per;
};

/* -g, -s and --within may be repeated: their lists join. */
static const char *append_list(char **kept, const char *list, const char *more)
{
	if (!list)
		return more;
	char *joined = xmalloc(strlen(list) + strlen(more) + 2);

	sprintf(joined, "%s,%s", list, more);
	free(*kept);
	*kept = joined;
	return joined;
}

static double parse_level(const char *s)
{
	double p;

	if (num_parse_double(s, strlen(s), 0, &p) < 0 || !(p > 0 && p < 1))
		civic_usage_error("--level takes a probability between 0 and 1: '%s'", s);
	return p;
}

/* Replicate options go together, and not with what they replace. */
static void check_rep_options(const struct options *o)
{
	const struct svy_rep_spec *r = &o->rep;
	char err[256];

	if (!o->repweights) {
		if (r->type || r->rho || r->scale || r->rscales || r->mse || r->factors)
			civic_usage_error("--rep-type, --rho, --scale, --rscales, --mse and --rep-factors "
				"need --repweights");
		return;
	}
	if (o->merge)
		civic_usage_error("--merge takes the replicate weights from the partials");
	if (svy_rep_check(r, err, sizeof err) < 0)
		civic_usage_error("%s", err);
	if (!o->weight)
		civic_usage_error("--repweights needs -w, the full-sample weight");
	if (o->strata || o->psu || o->fpc)
		civic_usage_error("--repweights carries the design: --strata, --psu and --fpc do not apply");
	if (o->show.deff)
		civic_usage_error("--deff is not computed with --repweights");
}

static double parse_tolerance(const char *s)
{
	double e;

	if (num_parse_double(s, strlen(s), 0, &e) < 0 || !(e > 0) || !isfinite(e))
		civic_usage_error("--rake-tolerance takes a number above 0: '%s'", s);
	return e;
}

static int calibrating(const struct options *o)
{
	return o->cal.poststrata || o->cal.totals || o->cal.nrake;
}

/* What calibration works with: a cluster design, variances civic forms
 * as R does for it. */
static void check_calib_options(const struct options *o)
{
	const struct calib_opts *c = &o->cal;

	if (c->write_weights && !calibrating(o))
		civic_usage_error("--write-weights needs --poststrata or --rake");
	if (!calibrating(o))
		return;
	if (!c->poststrata != !c->totals)
		civic_usage_error("--poststrata and --totals go together");
	if (c->poststrata && c->nrake)
		civic_usage_error("--poststrata and --rake: give one calibration (a post-stratum is a margin of --rake)");
	if (o->merge || o->partial)
		civic_usage_error("calibration takes no --partial or --merge: its factors need the whole sample");
	if (!o->weight || !o->psu)
		civic_usage_error("calibration needs -w and --psu (for a one-stage sample, a column that "
			"identifies each record as --psu)");
	if (o->show.deff || o->lonely_domain)
		civic_usage_error("calibration takes no --deff or --lonely-psu-domain");
	if (o->lonely && strcmp(o->lonely, "fail") && strcmp(o->lonely, "remove") && strcmp(o->lonely, "certainty"))
		civic_usage_error("calibration takes --lonely-psu fail, remove or certainty");
}

static void check_rank_options(const struct options *o)
{
	const struct tally_show *s = &o->show;

	if (o->given_top && s->top == 0)
		civic_usage_error("--top takes a number of rows from 1: '0'");
	if (s->other && !o->given_top)
		civic_usage_error("--other names the rows --top leaves out: give --top");
	if (s->other && (!s->other[0] || strcmp(s->other, "Total") == 0))
		civic_usage_error("--other needs a label other than '%s'", s->other);
	if (o->given_per && s->per == 0)
		civic_usage_error("--per takes a number of people from 1: '0'");
	if (o->given_per != (s->population != NULL))
		civic_usage_error("--per and --population go together");
	if (o->given_per && o->weight)
		civic_usage_error("--per: rates are for registry counts, and -w makes a survey "
			"(a weighted rate needs the design's population, not a count)");
}

static void parse_options(struct options *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->common.usage = usage;
	o->show.level = 0.95;
	o->show.digits = -1;
	o->cal.tolerance = SVY_CALIB_EPSILON;
	o->cal.maxit = SVY_CALIB_MAXIT;
	while ((c = getopt_long(argc, argv, "g:s:w:o:", long_options, NULL)) != -1) {
		switch (c) {
		case 'g': o->keys = append_list(&o->kept_keys, o->keys, optarg); break;
		case 's': o->stats = append_list(&o->kept_stats, o->stats, optarg); break;
		case 'w': o->weight = optarg; break;
		case 'o': o->output = optarg; break;
		case OPT_WITHIN: o->show.within = append_list(&o->kept_within, o->show.within, optarg); break;
		case OPT_PIVOT: o->show.pivot = optarg; break;
		case OPT_TOTAL: o->show.total = o->given_total = 1; break;
		case OPT_STRATA: o->strata = optarg; break;
		case OPT_PSU: o->psu = optarg; break;
		case OPT_FPC: o->fpc = optarg; break;
		case OPT_LONELY: o->lonely = optarg; break;
		case OPT_MISSING: o->missing = optarg; break;
		case OPT_LONELY_DOMAIN: o->lonely_domain = 1; break;
		case OPT_CI: o->show.ci = optarg; break;
		case OPT_LEVEL: o->show.level = parse_level(optarg); o->given_level = 1; break;
		case OPT_DEFF: o->show.deff = o->given_deff = 1; break;
		case OPT_DIGITS:
			o->show.digits = (int)opt_ulong("--digits", optarg);
			o->given_digits = 1;
			break;
		case OPT_PARTIAL: o->partial = 1; break;
		case OPT_MERGE: o->merge = 1; break;
		case OPT_WHERE:
			o->where = xrealloc(o->where, (o->nwhere + 1) * sizeof(*o->where));
			o->where[o->nwhere++] = optarg;
			break;
		case OPT_REPWEIGHTS: o->repweights = optarg; break;
		case OPT_REP_TYPE: o->rep.type = optarg; break;
		case OPT_RHO: o->rep.rho = optarg; break;
		case OPT_SCALE: o->rep.scale = optarg; break;
		case OPT_RSCALES: o->rep.rscales = optarg; break;
		case OPT_MSE: o->rep.mse = 1; break;
		case OPT_REP_FACTORS: o->rep.factors = 1; break;
		case OPT_POSTSTRATA: o->cal.poststrata = optarg; break;
		case OPT_TOTALS: o->cal.totals = optarg; break;
		case OPT_RAKE:
			o->cal.rake = xrealloc(o->cal.rake, (o->cal.nrake + 1) * sizeof *o->cal.rake);
			o->cal.rake[o->cal.nrake++] = optarg;
			break;
		case OPT_RAKE_TOL: o->cal.tolerance = parse_tolerance(optarg); break;
		case OPT_RAKE_MAXIT: o->cal.maxit = opt_ulong("--rake-maxit", optarg); break;
		case OPT_WRITE_WEIGHTS: o->cal.write_weights = 1; break;
		case OPT_SORT: o->show.sort = append_list(&o->kept_sort, o->show.sort, optarg); break;
		case OPT_TOP: o->show.top = opt_ulong("--top", optarg); o->given_top = 1; break;
		case OPT_OTHER: o->show.other = optarg; break;
		case OPT_PER: o->show.per = opt_ulong("--per", optarg); o->given_per = 1; break;
		case OPT_POPULATION: o->show.population = optarg; break;
		case OPT_CONTRAST: o->show.contrast = optarg; break;
		case OPT_TEST: o->show.test = optarg; break;
		default:
			if (!common_option(&o->common, c) && !reject_option(&o->rejects, c))
				bad_option();
		}
	}
	o->show.format = o->common.out_format;
	if (o->show.digits > 17)
		civic_usage_error("--digits takes 0 to 17: '%d'", o->show.digits);
	if (o->merge && (o->keys || o->stats || o->weight || o->strata || o->psu || o->fpc ||
	    o->lonely || o->lonely_domain || o->missing || o->rejects.file))
		civic_usage_error("--merge takes -g, -s, -w, --missing and the design from the partials");
	if (o->merge && o->nwhere)
		civic_usage_error("--merge takes no --where: the partials were filtered as they were made");
	if (o->fpc && !o->weight)
		civic_usage_error("--fpc needs -w: without weights R's survey derives them from the fpc "
			"(N_h/n_h), which civic-tally does not; give them as a column");
	check_rep_options(o);
	check_calib_options(o);
	check_rank_options(o);
	if (o->show.contrast && o->show.other)
		civic_usage_error("--contrast compares groups one by one: not with --other");
	if (o->merge && optind == argc)
		civic_usage_error("--merge needs one or more partial files");
	const struct named_output outs[] = {
		{ "-o", o->output ? o->output : "-" }, { "--rejects", o->rejects.file },
	};
	check_distinct_outputs(outs, sizeof(outs) / sizeof(outs[0]));
}

/* ---- --ci ---------------------------------------------------------------- */

static void parse_ci(const char *list, struct crosstab_opts *co)
{
	char err[256];

	if (tally_ci_parse(list, co, err, sizeof(err)) < 0)
		civic_usage_error("%s", err);
}

/* ---- the spec ------------------------------------------------------------ */

static long key_index(char **keys, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i], name) == 0)
			return (long)i;
	return -1;
}

static void init_agg(struct agg *a, struct agg_spec *spec)
{
	char err[512];

	for (size_t i = 0; i < spec->nkeys; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(spec->keys[i], spec->keys[j]) == 0)
				civic_usage_error("key '%s' is given twice", spec->keys[i]);
	if (agg_init(a, spec, err, sizeof(err)) < 0)
		civic_usage_error("%s", err);
}

/* ---- --contrast --------------------------------------------------------------- */

struct run;
static void check_contrast(struct run *r);

/* ---- one run over records ------------------------------------------------ */

struct run {
	struct options *o;
	struct inputs in;
	struct rejects rejects;
	struct record rec;
	struct reject why;
	struct agg agg;
	unsigned char *want;           /* the columns the tally reads */
	unsigned long read, rejected;
	struct svy_calib *cal;         /* --poststrata, --rake */
	struct calib_files cf;
};

/* --contrast's key and statistics, and --test's name and keys, checked before any row is read. */
static void check_contrast(struct run *r)
{
	struct contrast c;
	char err[512];

	enum tally_test t;

	if (r->o->show.test && tally_test_parse(r->o->show.test, &t) < 0)
		civic_usage_error("unknown --test '%s' (rao-scott, rao-scott-chisq)", r->o->show.test);
	if (r->o->show.test && r->agg.spec.nkeys != 2)
		civic_usage_error("--test needs a cross-tab of two keys (-g a,b or -g a --pivot b)");
	if (!r->o->show.contrast)
		return;
	if (contrast_init(&c, r->o->show.contrast, &r->agg, err, sizeof(err)) < 0)
		civic_usage_error("%s", err);
	contrast_release(&c);
}

/* ratio:A/B is linearised on a -w/--strata/--psu design, calibrated or not. */
static void check_ratio(struct run *r)
{
	if (!agg_has_ratio(&r->agg))
		return;
	if (r->o->show.contrast || r->o->show.deff)
		civic_usage_error("ratio:A/B takes no --contrast or --deff");
}

static void reject(struct run *r)
{
	r->rejected++;
	r->rec.file = calib_display(&r->cf, r->rec.file);
	rejects_add(&r->rejects, &r->rec, &r->why);
}

/* A file this large is tallied on two cores (split_half.h). */
enum { SPLIT_MIN_BYTES = 16 * 1024 * 1024 };

static void read_records(struct run *r, char **files, size_t nfiles)
{
	struct split_half half;
	int split = nfiles == 1 && split_half_start(&half, r->in.cur, files[0], &r->in.opts, &r->agg,
		r->want, r->in.header.n, SPLIT_MIN_BYTES);
	int rc;

	while ((rc = inputs_next(&r->in, &r->rec, &r->why)) != READ_EOF) {
		if (rc == READ_FATAL)
			continue;
		unsigned long long at = split ? inputs_record_offset(&r->in) : 0;
		if (split && at >= half.cut) {
			split = 0;
			if (split_half_finish(&half, at, &r->agg, &r->read))
				return;     /* the second half's tally has this record and the rest */
		}
		r->read++;
		if (rc == READ_REJECT) {
			reject(r);
		} else if (agg_row(&r->agg, &r->rec, &r->why) < 0) {
			inputs_copy_raw(&r->in, &r->rec);
			reject(r);
		}
	}
	if (split)
		split_half_abandon(&half);   /* our last record held its cut */
}

/* ---- calibration ------------------------------------------------------------ */

static int read_margins(struct run *r)
{
	const struct calib_opts *c = &r->o->cal;
	int rc = 0;

	if (c->poststrata)
		rc = svy_calib_margin(r->cal, c->poststrata, c->totals, &r->o->reader);
	for (size_t i = 0; rc == 0 && i < c->nrake; i++)
		rc = svy_calib_margin(r->cal, NULL, c->rake[i], &r->o->reader);
	if (rc < 0)
		civic_warn("%s", svy_calib_error(r->cal));
	return rc;
}

/* The first pass: fits r->cal.  0, or an exit status. */
static int calibrate(struct run *r, char **files, size_t nfiles)
{
	struct options *o = r->o;
	struct calib_design cd = { o->weight, o->strata, o->psu, o->fpc, SVY_LONELY_FAIL };

	if (o->lonely)
		svy_lonely_parse(o->lonely, &cd.lonely);
	r->cal = svy_calib_new(o->cal.nrake > 0, o->cal.tolerance, (unsigned)o->cal.maxit);
	if (read_margins(r) < 0 || calib_files_open(&r->cf, files, nfiles) < 0 ||
	    calib_first_pass(r->cal, &r->cf, &o->reader, &cd) < 0)
		return CIVIC_EXIT_DATA;
	return 0;
}

/* --write-weights: the second pass writes the records.  0, or an exit status. */
static int write_weights(struct run *r, char **files, size_t nfiles)
{
	struct output out;
	int rc = calibrate(r, files, nfiles);

	if (rc)
		return rc;
	if (rejects_open(&r->rejects, r->o->rejects.file) != 0 || output_open(&out, r->o->output, 0644) != 0)
		return CIVIC_EXIT_DATA;
	struct run_outputs outs;
	run_outputs_init(&outs, NULL);
	run_outputs_add(&outs, &out);
	int written = calib_write_weights(r->cal, &r->cf, &r->o->reader, out.fp, &r->rejects, &r->read,
		&r->rejected) == 0;
	return run_outputs_finish(&outs, written) != 0 || !written ? CIVIC_EXIT_DATA : 0;
}

/* 0, or an exit status. */
static int tally_records(struct run *r, char **files, size_t nfiles)
{
	struct options *o = r->o;
	struct agg_spec spec;
	char err[512];

	memset(&spec, 0, sizeof(spec));
	tally_spec_keys(&spec, o->keys, &o->show);
	spec.nstats = split_list(o->stats ? o->stats : "count", &spec.stats);
	spec.weight = o->weight;
	spec.strata = o->strata;
	spec.psu = o->psu;
	spec.fpc = o->fpc;
	spec.missing = o->missing;
	if (o->lonely && svy_lonely_parse(o->lonely, &spec.lonely) < 0)
		civic_usage_error("unknown --lonely-psu rule '%s' (fail, remove, certainty, adjust, average)",
			o->lonely);
	spec.lonely_domain = o->lonely_domain;
	spec.where = o->where;
	spec.nwhere = o->nwhere;
	spec.repweights = o->repweights;
	spec.rep = o->rep;
	/* A partial keeps survey sums only when it will show intervals: they
	 * cost a pass per row, and a merge can only add what was kept. */
	spec.survey = o->show.ci || o->show.deff || o->show.contrast || o->show.test;
	init_agg(&r->agg, &spec);
	check_contrast(r);
	check_ratio(r);
	tally_spec_free(&spec);
	if (calibrating(o)) {
		int rc = calibrate(r, files, nfiles);
		if (rc)
			return rc;
		files = r->cf.paths;
		nfiles = r->cf.n;
	}

	inputs_init(&r->in, files, nfiles, &o->reader);
	if (inputs_start(&r->in) != 0)
		return CIVIC_EXIT_DATA;
	calib_input_name(&r->in, &r->cf);
	int bound = agg_bind(&r->agg, &r->in.header, err, sizeof(err));
	if (bound == AGG_BIND_WHERE)
		civic_usage_error("--where: %s", err);
	if (bound < 0) {
		civic_warn("%s: %s", r->in.first_name, err);
		return CIVIC_EXIT_DATA;
	}
	r->want = xcalloc(r->in.header.n + 1, 1);
	agg_mark_columns(&r->agg, r->want, r->in.header.n);
	if (r->cal) {
		r->agg.calib = r->cal;
		if (r->agg.design)
			svy_calib_attach(r->cal, r->agg.design);
		svy_calib_want(r->cal, r->want, r->in.header.n);
	}
	inputs_want(&r->in, r->want, r->in.header.n);
	if (o->show.format == FMT_AUTO)
		o->show.format = r->in.format;
	if (rejects_open(&r->rejects, o->rejects.file) != 0)
		return CIVIC_EXIT_DATA;
	read_records(r, files, nfiles);
	if (r->cal)
		svy_calib_ready(r->cal);
	return 0;
}

/* ---- --merge -------------------------------------------------------------- */

static void present_from_json(struct options *o, json_t *j)
{
	struct tally_show *s = &o->show;
	json_t *v;

	if (!json_is_object(j))
		return;
	if (!s->within && json_is_string(v = json_object_get(j, "within")))
		s->within = own(&o->owned, json_string_value(v));
	if (!s->pivot && json_is_string(v = json_object_get(j, "pivot")))
		s->pivot = own(&o->owned, json_string_value(v));
	if (!s->ci && json_is_string(v = json_object_get(j, "ci")))
		s->ci = own(&o->owned, json_string_value(v));
	if (!s->contrast && json_is_string(v = json_object_get(j, "contrast")))
		s->contrast = own(&o->owned, json_string_value(v));
	if (!s->test && json_is_string(v = json_object_get(j, "test")))
		s->test = own(&o->owned, json_string_value(v));
	if (!o->given_level && json_is_number(v = json_object_get(j, "level")))
		s->level = json_number_value(v);
	if (!o->given_total)
		s->total = json_is_true(json_object_get(j, "total"));
	if (!o->given_deff)
		s->deff = json_is_true(json_object_get(j, "deff"));
	if (!o->given_digits && json_is_integer(v = json_object_get(j, "digits")))
		s->digits = (int)json_integer_value(v);
	if (!s->sort && json_is_string(v = json_object_get(j, "sort")))
		s->sort = own(&o->owned, json_string_value(v));
	if (!o->given_top && json_is_integer(v = json_object_get(j, "top")))
		s->top = (unsigned long)json_integer_value(v);
	if (!s->other && json_is_string(v = json_object_get(j, "other")))
		s->other = own(&o->owned, json_string_value(v));
	if (!o->given_per && json_is_integer(v = json_object_get(j, "per")) &&
	    json_is_string(json_object_get(j, "population"))) {
		s->per = (unsigned long)json_integer_value(v);
		s->population = own(&o->owned, json_string_value(json_object_get(j, "population")));
	}
	if (s->format == FMT_AUTO && json_is_string(v = json_object_get(j, "format")))
		s->format = strcmp(json_string_value(v), "ndjson") == 0 ? FMT_NDJSON : FMT_CSV;
}

static int merge_first(struct run *r, struct partial_in *p)
{
	struct agg_spec spec;
	char **keys = NULL;

	if (partial_spec(p, &spec) < 0)
		return -1;
	present_from_json(r->o, partial_options(p));
	keys = spec.keys;
	spec.pivot = -1;
	if (r->o->show.pivot && (spec.pivot = key_index(keys, spec.nkeys, r->o->show.pivot)) < 0) {
		civic_warn("%s: --pivot '%s' is not a key of the partials", p->name, r->o->show.pivot);
		partial_spec_free(&spec);
		return -1;
	}
	if (spec.fpc && !spec.weight) {
		civic_warn("%s: the partials were made with --fpc and no -w, which civic-tally now refuses "
			"(R derives weights N_h/n_h from the fpc)", p->name);
		partial_spec_free(&spec);
		return -1;
	}
	if (r->o->show.per && spec.weight) {
		civic_warn("%s: the partials are weighted (-w): rates per population are for registry counts",
			p->name);
		partial_spec_free(&spec);
		return -1;
	}
	if ((r->o->show.ci || r->o->show.deff) && !spec.survey) {
		civic_warn("%s: the partials hold no survey sums for --ci or --deff "
			"(make them with --ci or --deff)", p->name);
		partial_spec_free(&spec);
		return -1;
	}
	if (r->o->show.deff && spec.repweights) {
		civic_warn("%s: --deff is not computed with --repweights", p->name);
		partial_spec_free(&spec);
		return -1;
	}
	if ((r->o->show.contrast || r->o->show.test) && !spec.survey) {
		civic_warn("%s: the partials hold no survey sums for --contrast or --test "
			"(make them with --contrast, --test, --ci or --deff)", p->name);
		partial_spec_free(&spec);
		return -1;
	}
	spec.nwithin = r->o->show.within ? split_list(r->o->show.within, &spec.within) : 0;
	spec.total = r->o->show.total;
	init_agg(&r->agg, &spec);
	check_contrast(r);
	check_ratio(r);
	split_list_free(spec.within, spec.nwithin);
	partial_spec_free(&spec);
	return 0;
}

static int tally_partials(struct run *r, char **files, size_t nfiles)
{
	for (size_t i = 0; i < nfiles; i++) {
		struct partial_in p;
		int rc = partial_open(&p, files[i]);
		if (rc == 0 && i == 0)
			rc = merge_first(r, &p);
		if (rc == 0)
			rc = partial_merge(&p, &r->agg);
		if (p.fp)
			partial_close(&p);
		if (rc < 0)
			return CIVIC_EXIT_DATA;
	}
	if (r->o->show.format == FMT_AUTO)
		r->o->show.format = FMT_CSV;
	return 0;
}

/* ---- output ----------------------------------------------------------------- */

static int write_table(struct run *r, FILE *fp)
{
	const struct tally_show *s = &r->o->show;
	struct crosstab_opts co;

	memset(&co, 0, sizeof(co));
	if (s->ci)
		parse_ci(s->ci, &co);   /* an unknown method is a usage error */
	return tally_write_table(&r->agg, s, fp);
}

static int write_output(struct run *r)
{
	struct run_outputs outs;
	struct output out;
	int rc;

	/* A partial may hold row-level values (distinct:C, quantiles). */
	if (output_open(&out, r->o->output, r->o->partial ? 0600 : 0644) != 0)
		return -1;
	run_outputs_init(&outs, NULL);
	run_outputs_add(&outs, &out);
	if (r->o->partial) {
		json_t *opts = tally_show_to_json(&r->o->show);
		rc = partial_write(out.fp, &r->agg, opts);
		json_decref(opts);
	} else {
		rc = write_table(r, out.fp);
	}
	return run_outputs_finish(&outs, rc >= 0) != 0 ? -1 : rc < 0 ? rc : 0;
}

static int tally(struct options *o, char **files, size_t nfiles)
{
	struct run r;
	int status;

	memset(&r, 0, sizeof(r));
	r.o = o;
	rec_init(&r.rec);
	status = o->merge ? tally_partials(&r, files, nfiles)
		: o->cal.write_weights ? write_weights(&r, files, nfiles) : tally_records(&r, files, nfiles);
	/* A table without an input cut short by a read error would look
	 * complete; so would an -o file without an operand that was skipped
	 * (standard output still shows what the others hold). */
	if (r.in.cut_short)
		status = CIVIC_EXIT_DATA;
	if (status == 0 && !o->cal.write_weights && !(r.in.failed && output_is_file(o->output)) &&
	    (status = write_output(&r)) != 0)
		status = status == -2 ? CIVIC_EXIT_USAGE : CIVIC_EXIT_DATA;
	if (r.in.failed)
		status = CIVIC_EXIT_DATA;
	if (reject_limit_check(&o->rejects.limit, r.rejected, r.read))
		status = CIVIC_EXIT_DATA;
	if (r.in.failed)
		rejects_abort(&r.rejects);
	else if (rejects_close(&r.rejects) != 0)
		status = CIVIC_EXIT_DATA;
	if (!o->merge && !o->cal.write_weights)
		inputs_release(&r.in);
	free(r.want);
	rec_release(&r.rec);
	agg_release(&r.agg);
	svy_calib_free(r.cal);
	calib_files_close(&r.cf);
	free(o->cal.rake);
	owned_release(&o->owned);
	free(o->kept_sort);
	free(o->kept_keys);
	free(o->kept_stats);
	free(o->kept_within);
	free(o->where);
	return status;
}

int main(int argc, char **argv)
{
	struct options o;

	civic_start(argc, argv);
	parse_options(&o, argc, argv);
	return tally(&o, argv + optind, (size_t)(argc - optind));
}
