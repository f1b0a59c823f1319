/* A tally's presentation options (--within, --pivot, --ci, --sort, --top,
 * --per …) and the table they make of a finished tally: what civic-tally
 * writes and civic-bulletin writes for each indicator, the same code. */
#ifndef CIVIC_TALLY_SHOW_H
#define CIVIC_TALLY_SHOW_H

#include <stdio.h>
#include <jansson.h>
#include "format.h"
#include "agg.h"
#include "crosstab.h"

struct tally_show {
	const char *within, *pivot, *ci;
	const char *test;              /* --test NAME */
	const char *contrast;          /* --contrast KEY[=REF] */
	double level;
	int total, deff, digits;
	enum format format;
	const char *sort, *other, *population;   /* --sort, --other, --population */
	unsigned long top, per;
};

/* --ci METHODS into co: 0, or -1 with err set (an unknown method). */
int tally_ci_parse(const char *list, struct crosstab_opts *co, char *err, size_t errsize);

/* -g KEYS (plus the --pivot key when not among them), --within and
 * --total into spec; its lists are malloc'd (tally_spec_free). */
void tally_spec_keys(struct agg_spec *spec, const char *keys, const struct tally_show *show);
void tally_spec_free(struct agg_spec *spec);

/* The options a partial records, for a later --merge. */
json_t *tally_show_to_json(const struct tally_show *s);

/* Finishes a and writes its table to fp in s->format.  0; -1 after a
 * message; -2 after a message on a usage error (crosstab_write). */
int tally_write_table(struct agg *a, const struct tally_show *s, FILE *fp);

#endif
