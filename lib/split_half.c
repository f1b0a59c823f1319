#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "partial.h"
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

/* 0: one thread; 1: two for a large file; 2: two whatever the size. */
static int wanted(void)
{
	const char *e = getenv("CIVIC_THREADS");

	if (e && *e)
		return atoi(e) >= 2 ? 2 : 0;      /* 2 forces the split, whatever the size */
	return sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 1 : 0;
}

int split_half_start(struct split_half *h, struct reader *first, const char *path,
	const struct reader_opts *ro, const struct agg *a, const unsigned char *want, size_t nwant,
	size_t min_bytes)
{
	struct reader_opts opts = *ro;
	char err[256];
	int how = wanted();
	size_t size = first ? reader_size(first) : 0;

	memset(h, 0, sizeof(*h));
	/* Only a mapped file (reader_size() > 0) can be read from two places. */
	if (!how || !size || (how == 1 && size < min_bytes) || !path || strcmp(path, "-") == 0 ||
	    a->use_design || a->use_acc || !(h->cut = reader_cut_after(first, size / 2)))
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

void split_half_abandon(struct split_half *h)
{
	atomic_store(&h->stop, 1);
	pthread_join(h->thread, NULL);
	release(h);
}

/* The second tally into a, through the partial format --merge reads: the
 * one tested way to add one agg to another. */
static int merge_into(struct split_half *h, struct agg *a)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	struct partial_in in;
	int rc = -1;

	if (!fp)
		return -1;
	if (partial_write(fp, &h->agg, NULL) != 0 || fclose(fp) != 0) {
		free(text);
		return -1;
	}
	fp = fmemopen(text, len, "r");
	if (fp && partial_open_stream(&in, fp, "(second half)") == 0) {
		rc = partial_merge(&in, a);
		partial_close(&in);
	} else if (fp) {
		fclose(fp);
	}
	free(text);
	return rc;
}

int split_half_finish(struct split_half *h, unsigned long long seen, struct agg *a, unsigned long *rows)
{
	int merged = 0;

	pthread_join(h->thread, NULL);
	if (h->ok && h->rows > 0 && h->first == seen) {
		if (merge_into(h, a) != 0)
			civic_die(CIVIC_EXIT_DATA, "cannot merge the second half's tally (out of memory?)");
		*rows += h->rows;
		merged = 1;
	}
	release(h);
	return merged;
}
