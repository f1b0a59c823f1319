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
#include "crosstab.h"
#include "partial.h"
#include "split_half.h"

static const char usage[] =
	"usage: civic-tally [-g keys] [-s stats] [--within keys] [--pivot key] [--total]\n"
	"                   [-w column] [--strata column] [--psu column] [--fpc column]\n"
	"                   [--lonely-psu rule] [--lonely-psu-domain] [--missing codes]\n"
	"                   [--ci method] [--level p] [--deff] [--digits n] [--partial]\n"
	"                   [--contrast key[=ref]] [--test name]\n"
	"                   [-o file] [--csv | --json]\n"
	"                   [--max-rejects n[%]] [--rejects file] [file ...]\n"
	"       civic-tally --merge [--within keys] [--pivot key] [--total] [--ci method]\n"
	"                   [--level p] [--deff] [--digits n] [--partial] [-o file]\n"
	"                   [--contrast key[=ref]] [--test name]\n"
	"                   [--csv | --json] partial ...\n"
	"\n"
	"  -g, --group KEYS       group by these keys, comma-separated: columns or\n"
	"                         year(C) quarter(C) month(C) week(C) day(C) weekday(C) days(A,B)\n"
	"  -s, --stats STATS      statistics (default count): count n share mean:C sum:C min:C\n"
	"                         max:C sd:C median:C pNN:C distinct:C missing:C n:C share:COND\n"
	"                         (COND as in days(received_at,resolved_at)<=15)\n"
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
	"  -o, --output FILE      write FILE atomically instead of standard output\n"
	"      --csv, --json      output format (default: the input's)\n"
	"      --rejects FILE     write rejected records to FILE (NDJSON, mode 0600)\n"
	"      --max-rejects N    rejects tolerated before exit status 1: a count or N% (default 0)\n"
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
	{ "contrast", required_argument, NULL, OPT_CONTRAST },
	{ "test", required_argument, NULL, OPT_TEST },
	REJECT_LONG_OPTIONS,
	COMMON_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* Options that only shape the output: a partial records them, and a
 * --merge may override each. */
struct present {
	const char *within, *pivot, *ci;
	char *kept[5];                 /* copies taken from a partial */
	const char *test;              /* --test NAME (kept[4]) */
	const char *contrast;          /* --contrast KEY[=REF] (kept[3]) */
	double level;
	int total, deff, digits;
	enum format format;
};

struct options {
	struct common_opts common;
	struct reader_opts reader;
	const char *keys, *stats, *weight, *strata, *psu, *fpc, *lonely, *missing, *output;
	struct present show;
	int given_total, given_deff, given_level, given_digits;
	int partial, merge, lonely_domain;
	struct reject_opts rejects;
	char *kept_keys, *kept_stats, *kept_within;   /* lists from repeated options */
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

static void parse_options(struct options *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->common.usage = usage;
	o->show.level = 0.95;
	o->show.digits = -1;
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
	if (o->fpc && !o->weight)
		civic_usage_error("--fpc needs -w: without weights R's survey derives them from the fpc "
			"(N_h/n_h), which civic-tally does not; give them as a column");
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
	char **items;
	size_t n = keyexpr_split(list, &items);
	int share_given = 0;

	co->ci = 1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(items[i], "default") == 0)
			continue;
		const struct ci_method_info *m = ci_method_lookup(items[i]);
		if (!m)
			civic_usage_error("unknown --ci method '%s' (default, wilson, logit, beta, wald, asin, t, normal)",
				items[i]);
		if (m->flags & CI_ESTIMATES) {
			co->est_method = m->method;
			if (!share_given)
				co->share_method = m->method;
		} else {
			co->share_method = m->method;
			share_given = 1;
		}
	}
	keyexpr_split_free(items, n);
}

/* ---- the spec ------------------------------------------------------------ */

static long key_index(char **keys, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i], name) == 0)
			return (long)i;
	return -1;
}

/* -g (plus the pivot key) and --within into spec; the lists are malloc'd. */
static void spec_keys(struct agg_spec *spec, const char *keys, const struct present *show)
{
	char **k = NULL;
	size_t nk = keys ? keyexpr_split(keys, &k) : 0;

	spec->pivot = -1;
	if (show->pivot) {
		spec->pivot = key_index(k, nk, show->pivot);
		if (spec->pivot < 0) {
			k = xrealloc(k, (nk + 1) * sizeof(*k));
			k[nk] = xstrdup(show->pivot);
			spec->pivot = (long)nk++;
		}
	}
	spec->keys = k;
	spec->nkeys = nk;
	spec->nwithin = show->within ? keyexpr_split(show->within, &spec->within) : 0;
	spec->total = show->total;
}

static void spec_free_lists(struct agg_spec *spec)
{
	keyexpr_split_free(spec->keys, spec->nkeys);
	keyexpr_split_free(spec->stats, spec->nstats);
	keyexpr_split_free(spec->within, spec->nwithin);
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

static void reject(struct run *r)
{
	r->rejected++;
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

/* 0, or an exit status. */
static int tally_records(struct run *r, char **files, size_t nfiles)
{
	struct options *o = r->o;
	struct agg_spec spec;
	char err[512];

	memset(&spec, 0, sizeof(spec));
	spec_keys(&spec, o->keys, &o->show);
	spec.nstats = keyexpr_split(o->stats ? o->stats : "count", &spec.stats);
	spec.weight = o->weight;
	spec.strata = o->strata;
	spec.psu = o->psu;
	spec.fpc = o->fpc;
	spec.missing = o->missing;
	if (o->lonely && svy_lonely_parse(o->lonely, &spec.lonely) < 0)
		civic_usage_error("unknown --lonely-psu rule '%s' (fail, remove, certainty, adjust, average)",
			o->lonely);
	spec.lonely_domain = o->lonely_domain;
	/* A partial keeps survey sums only when it will show intervals: they
	 * cost a pass per row, and a merge can only add what was kept. */
	spec.survey = o->show.ci || o->show.deff || o->show.contrast || o->show.test;
	init_agg(&r->agg, &spec);
	check_contrast(r);
	spec_free_lists(&spec);

	inputs_init(&r->in, files, nfiles, &o->reader);
	if (inputs_start(&r->in) != 0)
		return CIVIC_EXIT_DATA;
	if (agg_bind(&r->agg, &r->in.header, err, sizeof(err)) < 0) {
		civic_warn("%s: %s", r->in.first_name, err);
		return CIVIC_EXIT_DATA;
	}
	r->want = xcalloc(r->in.header.n + 1, 1);
	agg_mark_columns(&r->agg, r->want, r->in.header.n);
	inputs_want(&r->in, r->want, r->in.header.n);
	if (o->show.format == FMT_AUTO)
		o->show.format = r->in.format;
	if (rejects_open(&r->rejects, o->rejects.file) != 0)
		return CIVIC_EXIT_DATA;
	read_records(r, files, nfiles);
	return 0;
}

/* ---- --merge -------------------------------------------------------------- */

static void present_from_json(struct options *o, json_t *j)
{
	struct present *s = &o->show;
	json_t *v;

	if (!json_is_object(j))
		return;
	if (!s->within && json_is_string(v = json_object_get(j, "within")))
		s->within = s->kept[0] = xstrdup(json_string_value(v));
	if (!s->pivot && json_is_string(v = json_object_get(j, "pivot")))
		s->pivot = s->kept[1] = xstrdup(json_string_value(v));
	if (!s->ci && json_is_string(v = json_object_get(j, "ci")))
		s->ci = s->kept[2] = xstrdup(json_string_value(v));
	if (!s->contrast && json_is_string(v = json_object_get(j, "contrast")))
		s->contrast = s->kept[3] = xstrdup(json_string_value(v));
	if (!s->test && json_is_string(v = json_object_get(j, "test")))
		s->test = s->kept[4] = xstrdup(json_string_value(v));
	if (!o->given_level && json_is_number(v = json_object_get(j, "level")))
		s->level = json_number_value(v);
	if (!o->given_total)
		s->total = json_is_true(json_object_get(j, "total"));
	if (!o->given_deff)
		s->deff = json_is_true(json_object_get(j, "deff"));
	if (!o->given_digits && json_is_integer(v = json_object_get(j, "digits")))
		s->digits = (int)json_integer_value(v);
	if (s->format == FMT_AUTO && json_is_string(v = json_object_get(j, "format")))
		s->format = strcmp(json_string_value(v), "ndjson") == 0 ? FMT_NDJSON : FMT_CSV;
}

static json_t *present_to_json(const struct present *s)
{
	json_t *j = json_object();

	if (!j)
		civic_die(CIVIC_EXIT_DATA, "out of memory");
	if (s->within)
		json_object_set_new(j, "within", json_string(s->within));
	if (s->pivot)
		json_object_set_new(j, "pivot", json_string(s->pivot));
	if (s->ci)
		json_object_set_new(j, "ci", json_string(s->ci));
	if (s->contrast)
		json_object_set_new(j, "contrast", json_string(s->contrast));
	if (s->test)
		json_object_set_new(j, "test", json_string(s->test));
	json_object_set_new(j, "level", json_real(s->level));
	json_object_set_new(j, "total", json_boolean(s->total));
	json_object_set_new(j, "deff", json_boolean(s->deff));
	if (s->digits >= 0)
		json_object_set_new(j, "digits", json_integer(s->digits));
	json_object_set_new(j, "format", json_string(s->format == FMT_NDJSON ? "ndjson" : "csv"));
	return j;
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
	if ((r->o->show.ci || r->o->show.deff) && !spec.survey) {
		civic_warn("%s: the partials hold no survey sums for --ci or --deff "
			"(make them with --ci or --deff)", p->name);
		partial_spec_free(&spec);
		return -1;
	}
	if ((r->o->show.contrast || r->o->show.test) && !spec.survey) {
		civic_warn("%s: the partials hold no survey sums for --contrast or --test "
			"(make them with --contrast, --test, --ci or --deff)", p->name);
		partial_spec_free(&spec);
		return -1;
	}
	spec.nwithin = r->o->show.within ? keyexpr_split(r->o->show.within, &spec.within) : 0;
	spec.total = r->o->show.total;
	init_agg(&r->agg, &spec);
	check_contrast(r);
	keyexpr_split_free(spec.within, spec.nwithin);
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
	struct options *o = r->o;
	struct crosstab_opts co = { 0, CI_NONE, CI_NONE, o->show.level, o->show.deff, o->show.digits, NULL,
		TALLY_TEST_NONE };
	struct contrast contrast;
	struct writer w;
	char err[512];
	int rc;

	if (o->show.ci)
		parse_ci(o->show.ci, &co);
	if ((co.ci || co.deff || o->show.contrast || o->show.test) && r->agg.design && svy_design_check_lonely(r->agg.design) < 0) {
		civic_warn("%s", svy_design_error(r->agg.design));
		return -1;
	}
	if (agg_finish(&r->agg, err, sizeof(err)) < 0) {
		civic_warn("%s", err);
		return -1;
	}
	if (o->show.test)
		tally_test_parse(o->show.test, &co.test);  /* checked when the tally began */
	if (o->show.contrast && contrast_init(&contrast, o->show.contrast, &r->agg, err, sizeof(err)) == 0)
		co.contrast = &contrast;     /* checked when the tally began */
	writer_init(&w, fp, o->show.format);
	rc = crosstab_write(&r->agg, &co, &w);
	writer_release(&w);
	if (co.contrast)
		contrast_release(&contrast);
	return rc;
}

static int write_output(struct run *r)
{
	struct output out;
	int rc;

	/* A partial may hold row-level values (distinct:C, quantiles). */
	if (output_open(&out, r->o->output, r->o->partial ? 0600 : 0644) != 0)
		return -1;
	if (r->o->partial) {
		json_t *opts = present_to_json(&r->o->show);
		rc = partial_write(out.fp, &r->agg, opts);
		json_decref(opts);
	} else {
		rc = write_table(r, out.fp);
	}
	if (rc < 0) {
		output_abort(&out);
		return -1;
	}
	return output_close(&out);
}

static int tally(struct options *o, char **files, size_t nfiles)
{
	struct run r;
	int status;

	memset(&r, 0, sizeof(r));
	r.o = o;
	rec_init(&r.rec);
	status = o->merge ? tally_partials(&r, files, nfiles) : tally_records(&r, files, nfiles);
	/* A table without an input cut short by a read error would look
	 * complete; so would an -o file without an operand that was skipped
	 * (standard output still shows what the others hold). */
	if (r.in.cut_short)
		status = CIVIC_EXIT_DATA;
	if (status == 0 && !(r.in.failed && output_is_file(o->output)) && write_output(&r) != 0)
		status = CIVIC_EXIT_DATA;
	if (r.in.failed)
		status = CIVIC_EXIT_DATA;
	if (reject_limit_check(&o->rejects.limit, r.rejected, r.read))
		status = CIVIC_EXIT_DATA;
	if (r.in.failed)
		rejects_abort(&r.rejects);
	else if (rejects_close(&r.rejects) != 0)
		status = CIVIC_EXIT_DATA;
	if (!o->merge)
		inputs_release(&r.in);
	free(r.want);
	rec_release(&r.rec);
	agg_release(&r.agg);
	for (int i = 0; i < 5; i++)
		free(o->show.kept[i]);
	free(o->kept_keys);
	free(o->kept_stats);
	free(o->kept_within);
	return status;
}

int main(int argc, char **argv)
{
	struct options o;

	civic_start(argc, argv);
	parse_options(&o, argc, argv);
	return tally(&o, argv + optind, (size_t)(argc - optind));
}
