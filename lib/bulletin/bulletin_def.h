/* A bulletin definition (civic-bulletin(5)): its inputs by role and its
 * indicators, each a civic-tally run written as JSON; loaded and checked
 * whole, every mistake named by indicator and member. */
#ifndef CIVIC_BULLETIN_DEF_H
#define CIVIC_BULLETIN_DEF_H

#include <stddef.h>
#include <jansson.h>
#include "agg.h"
#include "tally_show.h"
#include "bulletin_period.h"

/* The languages a definition's texts are written in. */
enum { BLANG_EN, BLANG_RU, BLANG_UZ, BLANG_N };
extern const char *const bulletin_langs[BLANG_N];

struct btext {
	const char *t[BLANG_N];        /* NULL: not given (English is used) */
};

enum binput_kind { BINPUT_REGISTRY, BINPUT_SURVEY, BINPUT_POPULATION };

struct binput {
	const char *role;
	enum binput_kind kind;
	const char *schema;
	const char *period;            /* the date column placing a row in a period */
	const char *wave;              /* the survey wave's column */
	const char *weight, *strata, *psu, *fpc, *lonely, *missing;
	const char *column;            /* population: the people */
	int optional;
};

/* Comparisons an indicator asks for (bits). */
enum {
	BCMP_PREV_MONTH = 1, BCMP_YEAR_AGO_MONTH = 2, BCMP_PREV_QUARTER = 4,
	BCMP_YEAR_AGO_QUARTER = 8, BCMP_PREV_YEAR = 16, BCMP_PREV_WAVE = 32,
};
#define BCMP_N 6
extern const char *const bulletin_compare_names[BCMP_N];

struct bindicator {
	const char *id;
	size_t pos;                    /* 1-based, for messages */
	struct btext title, definition;
	size_t input;                  /* index into inputs */
	long population;               /* index into inputs, or -1 */
	char *group;                   /* -g, a comma list (malloc'd); NULL: none */
	char **stats;                  /* -s items (malloc'd) */
	size_t nstats;
	char **where;                  /* --where (malloc'd each) */
	size_t nwhere;
	struct tally_show show;        /* within, pivot, ci, … (show.population: set at run) */
	char *sort;                    /* malloc'd, or NULL (show.sort points here) */
	struct btext other;
	const char *chart, *chart_column;
	long suppress;                 /* its threshold; 0: none; -1: the bulletin's */
	unsigned compare;              /* BCMP_ bits */
	const char *ref_column, *ref_source;
	struct btext ref_label;
	json_t *ref_values;            /* borrowed from the root, or NULL */
	/* group, stats and where as written, {period_end} and all
	 * (bulletin_placeholder.h); the members above hold them with the
	 * period's dates. */
	char *group_raw, **stats_raw, **where_raw;
	int dated;                     /* they name the period's dates */
	int to_end;                    /* "rows": "to-period-end" */
};

struct bulletin {
	char *path;
	char sha256[65];
	json_t *root;
	const char *name, *version;
	struct btext title, description;
	long suppress;
	struct binput *inputs;
	size_t ninputs;
	struct bindicator *ind;
	size_t nind;
	struct bperiod period;         /* bulletin_set_period; "all" until then */
};

/* Loads and checks path.  0; 1 when it cannot be read; 2 when it does not
 * validate (every problem printed). */
int bulletin_load(struct bulletin *b, const char *path);
void bulletin_release(struct bulletin *b);

/* Warns (once per text) about texts missing in language lang (BLANG_);
 * returns how many are missing. */
size_t bulletin_check_lang(const struct bulletin *b, int lang);

/* The text in language lang, else English. */
const char *btext_get(const struct btext *t, int lang);
/* "en", "ru", "uz" → BLANG_; -1 unknown. */
int bulletin_lang_index(const char *code);

/* The agg_spec of indicator i, its design from its input, with the extra
 * condition extra_where (the period's; NULL: none).  Free with
 * bulletin_spec_free. */
void bulletin_spec(const struct bulletin *b, size_t i, const char *extra_where, struct agg_spec *spec);
void bulletin_spec_free(struct agg_spec *spec);

#endif
