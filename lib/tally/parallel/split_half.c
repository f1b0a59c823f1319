#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "parallel.h"
#include "xalloc.h"
#include "split_half.h"

/* One record for the second half's tallies: 0, or -1 with why filled. */
static int tally_record(struct split_half *h, const struct record *rec, struct reject *why)
{
	if (!h->many)
		return agg_row(&h->agg, rec, why);
	int before = 0;
	if (h->has_period) {
		int keep = where_keep_period(&h->period, h->has_to_end ? &h->to_end : NULL, rec, h->dates, why,
			&before);
		if (keep <= 0)
			return keep;
	}
	keyshare_next(&h->keys);
	for (size_t i = 0; i < h->nmany; i++)
		if (h->use[i] && (!before || h->to_end_use[i]) && agg_row(&h->many[i], rec, why) < 0)
			return -1;
	return 0;
}

static void *tally_second_half(void *arg)
{
	struct split_half *h = arg;
	struct record rec;
	struct reject why;
	int rc = READ_EOF;

	rec_init(&rec);
	while (!atomic_load(&h->stop) && (rc = reader_next(h->r, &rec, &why)) != READ_EOF) {
		if (rc != READ_OK || tally_record(h, &rec, &why) < 0)
			break;
		if (h->rows++ == 0)
			h->first = reader_record_offset(h->r);
	}
	h->ok = !atomic_load(&h->stop) && rc == READ_EOF;
	rec_release(&rec);
	return NULL;
}

struct reader *split_half_reader(struct reader *first, const char *path, const struct reader_opts *ro,
	const unsigned char *want, size_t nwant, size_t min_bytes, unsigned long long *cut)
{
	struct reader_opts opts = *ro;
	enum parallel_mode how = parallel_mode();
	size_t size = first ? reader_size(first) : 0;
	struct reader *r;

	/* Only a mapped file (reader_size() > 0) can be read from two places. */
	if (how == PARALLEL_OFF || !size || (how == PARALLEL_AUTO && size < min_bytes) || !path || strcmp(path, "-") == 0 ||
	    !(*cut = reader_cut_after(first, size / 2)))
		return NULL;
	opts.keep_raw = 0;
	opts.delim = reader_delim(first);
	if (!(r = reader_open(path, &opts)))
		return NULL;
	if (reader_size(r) != size || reader_seek(r, *cut) != 0) {
		reader_close(r);
		return NULL;
	}
	reader_want(r, want, nwant);
	return r;
}

/* Opens path a second time at the first record past its middle: 1, or 0
 * when the caller should read everything itself. */
static int open_second(struct split_half *h, struct reader *first, const char *path,
	const struct reader_opts *ro, const unsigned char *want, size_t nwant, size_t min_bytes)
{
	if (!(h->r = split_half_reader(first, path, ro, want, nwant, min_bytes, &h->cut)))
		return 0;
	h->first = ULLONG_MAX;
	h->path = path;
	atomic_init(&h->stop, 0);
	return 1;
}

/* The second half weighs its records as the caller's tally does. */
static void twin_calibration(struct split_half *h, const struct svy_calib *c)
{
	h->calib = svy_calib_twin(c);
	h->agg.calib = h->calib;
	if (h->agg.design)
		svy_calib_attach(h->calib, h->agg.design);
}

int split_half_start(struct split_half *h, struct reader *first, const char *path,
	const struct reader_opts *ro, const struct agg *a, const unsigned char *want, size_t nwant,
	size_t min_bytes)
{
	char err[256];

	memset(h, 0, sizeof(*h));
	if ((a->use_design && a->has_quantile) || !open_second(h, first, path, ro, want, nwant, min_bytes))
		return 0;
	if (agg_init(&h->agg, &a->spec, err, sizeof(err)) < 0)
		goto no;
	int bound = agg_bind(&h->agg, reader_header(h->r), err, sizeof(err)) == 0;
	if (bound && a->calib)
		twin_calibration(h, a->calib);
	if (!bound || pthread_create(&h->thread, NULL, tally_second_half, h) != 0) {
		agg_release(&h->agg);
		svy_calib_free(h->calib);
		h->calib = NULL;
		goto no;
	}
	return 1;
no:
	reader_close(h->r);
	h->r = NULL;
	return 0;
}

static void release_many(struct split_half *h)
{
	for (size_t i = 0; i < h->nmany; i++)
		if (h->use[i])
			agg_release(&h->many[i]);
	free(h->many);
	h->many = NULL;
	free(h->dates);
	h->dates = NULL;
	if (h->has_period)
		where_release(&h->period);
	h->has_period = 0;
	if (h->has_to_end)
		where_release(&h->to_end);
	h->has_to_end = 0;
	keyshare_release(&h->keys);
}

/* The second half's own tallies and condition, bound to its reader: 0, or -1. */
static int init_many(struct split_half *h, const struct agg *a, const struct split_rows *rows)
{
	const struct header *hd = reader_header(h->r);
	char err[256];
	const char *period = rows->period;
	char *texts[1] = { (char *)period };
	char *to_end[1] = { (char *)rows->to_end };

	h->many = xcalloc(h->nmany + 1, sizeof(*h->many));
	h->dates = xmalloc(sizeof(*h->dates));
	datecache_init(h->dates);
	for (size_t i = 0; i < h->nmany; i++) {
		if (!h->use[i])
			continue;
		if (agg_init(&h->many[i], &a[i].spec, err, sizeof(err)) < 0) {
			h->nmany = i;
			return -1;
		}
		agg_share_dates(&h->many[i], h->dates);
		if (agg_bind(&h->many[i], hd, err, sizeof(err)) < 0) {
			h->nmany = i + 1;
			return -1;
		}
		agg_share_keys(&h->many[i], &h->keys);
	}
	if (period && *period) {
		if (where_init(&h->period, texts, 1, err, sizeof(err)) < 0)
			return -1;
		h->has_period = 1;
		if (where_bind(&h->period, hd, err, sizeof(err)) < 0)
			return -1;
		if (rows->to_end) {
			if (where_init(&h->to_end, to_end, 1, err, sizeof(err)) < 0)
				return -1;
			h->has_to_end = 1;
			h->to_end_use = rows->to_end_use;
			if (where_bind(&h->to_end, hd, err, sizeof(err)) < 0)
				return -1;
		}
	}
	return 0;
}

int split_half_start_many(struct split_half *h, struct reader *first, const char *path,
	const struct reader_opts *ro, const struct agg *a, const unsigned char *use, size_t n,
	const struct split_rows *rows, const unsigned char *want, size_t nwant, size_t min_bytes)
{
	memset(h, 0, sizeof(*h));
	/* A design's merge refuses only over an fpc, before changing anything;
	 * refused here, it cannot leave some tallies merged and not others. */
	for (size_t i = 0; i < n; i++)
		if (use[i] && a[i].use_design && (a[i].has_quantile || a[i].spec.fpc))
			return 0;
	if (!open_second(h, first, path, ro, want, nwant, min_bytes))
		return 0;
	h->use = use;
	h->nmany = n;
	keyshare_init(&h->keys);
	if (init_many(h, a, rows) < 0 || pthread_create(&h->thread, NULL, tally_second_half, h) != 0) {
		release_many(h);
		reader_close(h->r);
		h->r = NULL;
		return 0;
	}
	return 1;
}

/* After the thread is joined. */
static void release(struct split_half *h)
{
	if (h->many)
		release_many(h);
	else
		agg_release(&h->agg);
	svy_calib_free(h->calib);
	h->calib = NULL;
	reader_close(h->r);
	h->r = NULL;
}

void split_half_report(const char *path, const char *what)
{
	const char *e = getenv("CIVIC_THREADS_REPORT");

	if (e && *e && strcmp(e, "0") != 0)
		civic_warn("%s: %s", path, what);
}

static void report(const struct split_half *h, const char *what)
{
	split_half_report(h->path, what);
}

void split_half_abandon(struct split_half *h)
{
	report(h, "second half dropped: the cut fell inside the last record");
	atomic_store(&h->stop, 1);
	pthread_join(h->thread, NULL);
	release(h);
}

int split_half_finish(struct split_half *h, unsigned long long seen, struct agg *a, unsigned long *rows)
{
	int merged = 0;

	pthread_join(h->thread, NULL);
	if (!h->ok || h->rows == 0 || h->first != seen) {
		report(h, "second half read again on one thread: it held a reject, or its cut was not where a record starts");
	} else if (agg_absorb(a, &h->agg) != 0) {
		report(h, "second half read again on one thread: its tally would not merge to one run's digits");
	} else {
		report(h, "second half tallied on a second thread and merged");
		*rows += h->rows;
		merged = 1;
	}
	release(h);
	return merged;
}

int split_half_finish_many(struct split_half *h, unsigned long long seen, struct agg *a, unsigned long *rows)
{
	int merged = 0, exact = 1;

	pthread_join(h->thread, NULL);
	for (size_t i = 0; i < h->nmany; i++) {
		agg_settle(&a[i]);
		agg_settle(&h->many[i]);
	}
	for (size_t i = 0; i < h->nmany && exact; i++)
		exact = !h->use[i] || agg_absorbable(&a[i], &h->many[i]);
	if (!h->ok || h->rows == 0 || h->first != seen) {
		report(h, "second half read again on one thread: it held a reject, or its cut was not where a record starts");
	} else if (!exact) {
		report(h, "second half read again on one thread: its tally would not merge to one run's digits");
	} else {
		for (size_t i = 0; i < h->nmany; i++)
			if (h->use[i] && agg_absorb(&a[i], &h->many[i]) != 0)
				abort();    /* agg_absorbable said it would */
		report(h, "second half tallied on a second thread and merged");
		*rows += h->rows;
		merged = 1;
	}
	release(h);
	return merged;
}
