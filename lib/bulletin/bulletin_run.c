/* One read of an input for all its indicators (bulletin_run.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "xalloc.h"
#include "output.h"
#include "inputs.h"
#include "partial.h"
#include "split_list.h"
#include "where.h"
#include "datecache.h"
#include "split_half.h"
#include "keyshare.h"
#include "bulletin_run.h"
#include "bulletin_placeholder.h"

/* A file this large is tallied on two cores, as civic-tally does. */
enum { SPLIT_MIN_BYTES = 16 * 1024 * 1024 };

int bulletin_tally_input(const struct bulletin *b, size_t input, char **files, size_t nfiles,
	const char *extra, const struct reader_opts *ro, struct rejects *rj, struct bulletin_pass *p)
{
	struct inputs in;
	struct record rec;
	struct reject why;
	unsigned char *want;
	char err[512];
	int rc, status = 0;

	memset(p, 0, sizeof(*p));
	p->agg = xcalloc(b->nind + 1, sizeof(*p->agg));
	p->used = xcalloc(b->nind + 1, 1);
	for (size_t i = 0; i < b->nind; i++) {
		struct agg_spec spec;
		if (b->ind[i].input != input)
			continue;
		bulletin_spec(b, i, NULL, &spec);
		rc = agg_init(&p->agg[i], &spec, err, sizeof(err));
		bulletin_spec_free(&spec);
		if (rc < 0) {    /* checked when the definition was loaded */
			civic_warn("indicator '%s': %s", b->ind[i].id, err);
			return CIVIC_EXIT_USAGE;
		}
		p->used[i] = 1;
	}
	inputs_init(&in, files, nfiles, ro);
	if (inputs_start(&in) != 0) {
		inputs_release(&in);
		p->cut_short = 1;
		return CIVIC_EXIT_DATA;
	}
	want = xcalloc(in.header.n + 1, 1);
	/* The period's condition, tested once a record for every indicator:
	 * as each would test it among its own (where_keep tests them all,
	 * and a condition that cannot be evaluated rejects the row). */
	struct where period;
	struct datecache dc;
	char *texts[1] = { (char *)extra };
	int has_period = extra && *extra;
	memset(&period, 0, sizeof(period));
	datecache_init(&dc);
	if (has_period && (where_init(&period, texts, 1, err, sizeof(err)) < 0 ||
	    where_bind(&period, &in.header, err, sizeof(err)) < 0)) {
		civic_warn("%s: the period's condition: %s", in.first_name, err);
		status = CIVIC_EXIT_DATA;
	}
	if (has_period && status == 0)
		where_mark_columns(&period, want, in.header.n);
	/* Indicators of "rows": "to-period-end" also count the rows dated
	 * before the period: those the period's condition leaves, kept by
	 * this one. */
	struct where to_end;
	char to_end_text[256] = "";
	char *to_end_texts[1] = { to_end_text };
	int has_to_end = 0;
	memset(&to_end, 0, sizeof(to_end));
	for (size_t i = 0; i < b->nind && has_period; i++)
		has_to_end |= p->used[i] && b->ind[i].to_end;
	if (has_to_end && status == 0) {
		bperiod_to_end_condition(&b->period, b->inputs[input].period, to_end_text, sizeof(to_end_text));
		if (where_init(&to_end, to_end_texts, 1, err, sizeof(err)) < 0 ||
		    where_bind(&to_end, &in.header, err, sizeof(err)) < 0) {
			civic_warn("%s: the condition up to the period's end: %s", in.first_name, err);
			status = CIVIC_EXIT_DATA;
		} else {
			where_mark_columns(&to_end, want, in.header.n);
		}
	}
	struct keyshare keys;
	unsigned char *to_end_use = xcalloc(b->nind + 1, 1);
	keyshare_init(&keys);
	for (size_t i = 0; i < b->nind; i++) {
		if (!p->used[i])
			continue;
		agg_share_dates(&p->agg[i], &dc);    /* each date string parsed once a record */
		if (agg_bind(&p->agg[i], &in.header, err, sizeof(err)) < 0) {
			civic_warn("%s: indicator '%s': %s", in.first_name, b->ind[i].id, err);
			status = CIVIC_EXIT_DATA;
			continue;
		}
		agg_mark_columns(&p->agg[i], want, in.header.n);
		agg_share_keys(&p->agg[i], &keys);
		to_end_use[i] = b->ind[i].to_end;
	}
	if (status) {
		where_release(&period);
		where_release(&to_end);
		keyshare_release(&keys);
		free(to_end_use);
		free(want);
		inputs_release(&in);
		return status;
	}
	inputs_want(&in, want, in.header.n);
	rec_init(&rec);
	struct split_half half;
	struct split_rows rows = { has_period ? extra : NULL, has_to_end ? to_end_text : NULL, to_end_use };
	int split = nfiles == 1 && split_half_start_many(&half, in.cur, files[0], &in.opts, p->agg, p->used,
		b->nind, &rows, want, in.header.n, SPLIT_MIN_BYTES);
	while ((rc = inputs_next(&in, &rec, &why)) != READ_EOF) {
		if (rc == READ_FATAL)
			continue;
		unsigned long long at = split ? inputs_record_offset(&in) : 0;
		if (split && at >= half.cut) {
			split = 0;
			if (split_half_finish_many(&half, at, p->agg, &p->read))
				break;      /* the second half's tallies have this record and the rest */
		}
		p->read++;
		if (rc == READ_REJECT) {
			p->rejected++;
			rejects_add(rj, &rec, &why);
			continue;
		}
		/* Every indicator sees the record; one that cannot use it
		 * rejects it, once, with the first reason. */
		int rejected = 0, before = 0;
		struct reject first;
		if (has_period) {
			int keep = where_keep_period(&period, has_to_end ? &to_end : NULL, &rec, &dc, &why, &before);
			if (keep == 0)
				continue;
			if (keep < 0) {
				p->rejected++;
				inputs_copy_raw(&in, &rec);
				rejects_add(rj, &rec, &why);
				continue;
			}
		}
		keyshare_next(&keys);
		for (size_t i = 0; i < b->nind; i++) {
			if (!p->used[i] || (before && !b->ind[i].to_end))
				continue;
			if (agg_row(&p->agg[i], &rec, &why) < 0 && !rejected++)
				first = why;
		}
		if (rejected) {
			p->rejected++;
			inputs_copy_raw(&in, &rec);
			rejects_add(rj, &rec, &first);
		}
	}
	if (split)
		split_half_abandon(&half);   /* our last record held its cut */
	if (in.cut_short || in.failed) {
		p->cut_short = 1;
		status = CIVIC_EXIT_DATA;
	}
	where_release(&period);
	where_release(&to_end);
	keyshare_release(&keys);
	free(to_end_use);
	rec_release(&rec);
	free(want);
	inputs_release(&in);
	return status;
}

int bulletin_write_indicator(const struct bulletin *b, size_t i, struct agg *a, const char *population,
	const char *partial_path, const char *table_path)
{
	struct tally_show show = b->ind[i].show;
	struct output out;
	json_t *opts;
	int rc;

	show.population = population;
	if (output_open(&out, partial_path, 0600) != 0)
		return -1;
	opts = tally_show_to_json(&show);
	rc = partial_write(out.fp, a, opts);
	json_decref(opts);
	if (rc < 0) {
		output_abort(&out);
		return -1;
	}
	if (output_close(&out) != 0)
		return -1;
	if (output_open(&out, table_path, 0600) != 0)
		return -1;
	rc = tally_write_table(a, &show, out.fp);
	if (rc < 0) {
		output_abort(&out);
		return -1;
	}
	return output_close(&out) != 0 ? -1 : 0;
}

static int same_list(char **a, size_t na, char **b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}

int bulletin_table_from_partial(const struct bulletin *b, size_t i, const char *population,
	const char *partial_path, const char *table_path)
{
	const struct bindicator *ind = &b->ind[i];
	const struct binput *in = &b->inputs[ind->input];
	struct tally_show show = ind->show;
	struct agg_spec now, was;
	struct partial_in p;
	struct output out;
	struct agg a;
	char err[512];
	int rc;
	FILE *fp = fopen(partial_path, "r");

	if (!fp)
		return 1;
	if (partial_open_stream(&p, fp, partial_path) < 0)
		return -1;
	if (partial_spec(&p, &was) < 0) {
		partial_close(&p);
		return -1;
	}
	bulletin_spec(b, i, NULL, &now);
	/* The period's condition is not among a partial's: it is the period. */
	size_t nwas = was.nwhere;
	(void)in;
	int same = same_list(now.keys, now.nkeys, was.keys, was.nkeys) &&
		same_list(now.stats, now.nstats, was.stats, was.nstats) &&
		same_list(now.where, now.nwhere, was.where, nwas);
	bulletin_spec_free(&now);
	if (!same) {
		partial_spec_free(&was);
		partial_close(&p);
		return 2;
	}
	was.nwithin = ind->show.within ? split_list(ind->show.within, &was.within) : 0;
	was.total = ind->show.total;
	was.pivot = -1;
	for (size_t k = 0; ind->show.pivot && k < was.nkeys; k++)
		if (strcmp(was.keys[k], ind->show.pivot) == 0)
			was.pivot = (long)k;
	memset(&a, 0, sizeof(a));
	rc = agg_init(&a, &was, err, sizeof(err));
	split_list_free(was.within, was.nwithin);
	was.within = NULL;
	was.nwithin = 0;
	partial_spec_free(&was);
	if (rc < 0) {
		civic_warn("%s: %s", partial_path, err);
		partial_close(&p);
		return -1;
	}
	rc = partial_merge(&p, &a);
	partial_close(&p);
	if (rc < 0) {
		agg_release(&a);
		return -1;
	}
	show.population = population;
	if (output_open(&out, table_path, 0600) != 0) {
		agg_release(&a);
		return -1;
	}
	rc = tally_write_table(&a, &show, out.fp);
	agg_release(&a);
	if (rc < 0) {
		output_abort(&out);
		return -1;
	}
	return output_close(&out) != 0 ? -1 : 0;
}

void bulletin_pass_release(const struct bulletin *b, struct bulletin_pass *p)
{
	for (size_t i = 0; p->agg && i < b->nind; i++)
		if (p->used[i])
			agg_release(&p->agg[i]);
	free(p->agg);
	free(p->used);
	memset(p, 0, sizeof(*p));
}
