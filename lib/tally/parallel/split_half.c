#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "parallel.h"
#include "split_half.h"

static void *tally_second_half(void *arg)
{
	struct split_half *h = arg;
	struct record rec;
	struct reject why;
	int rc = READ_EOF;

	rec_init(&rec);
	while (!atomic_load(&h->stop) && (rc = reader_next(h->r, &rec, &why)) != READ_EOF) {
		if (rc != READ_OK || agg_row(&h->agg, &rec, &why) < 0)
			break;
		if (h->rows++ == 0)
			h->first = reader_record_offset(h->r);
	}
	h->ok = !atomic_load(&h->stop) && rc == READ_EOF;
	rec_release(&rec);
	return NULL;
}

int split_half_start(struct split_half *h, struct reader *first, const char *path,
	const struct reader_opts *ro, const struct agg *a, const unsigned char *want, size_t nwant,
	size_t min_bytes)
{
	struct reader_opts opts = *ro;
	char err[256];
	enum parallel_mode how = parallel_mode();
	size_t size = first ? reader_size(first) : 0;

	memset(h, 0, sizeof(*h));
	/* Only a mapped file (reader_size() > 0) can be read from two places. */
	if (how == PARALLEL_OFF || !size || (how == PARALLEL_AUTO && size < min_bytes) || !path || strcmp(path, "-") == 0 ||
	    (a->use_design && a->has_quantile) || !(h->cut = reader_cut_after(first, size / 2)))
		return 0;
	opts.keep_raw = 0;
	opts.delim = reader_delim(first);
	if (!(h->r = reader_open(path, &opts)))
		return 0;
	if (reader_size(h->r) != size || reader_seek(h->r, h->cut) != 0)
		goto no;
	reader_want(h->r, want, nwant);
	if (agg_init(&h->agg, &a->spec, err, sizeof(err)) < 0)
		goto no;
	h->first = ULLONG_MAX;
	h->path = path;
	atomic_init(&h->stop, 0);
	if (agg_bind(&h->agg, reader_header(h->r), err, sizeof(err)) < 0 ||
	    pthread_create(&h->thread, NULL, tally_second_half, h) != 0) {
		agg_release(&h->agg);
		goto no;
	}
	return 1;
no:
	reader_close(h->r);
	h->r = NULL;
	return 0;
}

/* After the thread is joined. */
static void release(struct split_half *h)
{
	agg_release(&h->agg);
	reader_close(h->r);
	h->r = NULL;
}

/* CIVIC_THREADS_REPORT=1: say on standard error what became of the
 * second half (tests and the curious can tell a merge from a reread). */
static void report(const struct split_half *h, const char *what)
{
	const char *e = getenv("CIVIC_THREADS_REPORT");

	if (e && *e && strcmp(e, "0") != 0)
		civic_warn("%s: %s", h->path, what);
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
