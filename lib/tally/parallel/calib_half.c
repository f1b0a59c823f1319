/* The calibration's first pass, its second half on a second thread
 * (calib_half.h). */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "calib_half.h"
#include "error.h"
#include "split_half.h"
#include "xalloc.h"

/* As large as civic-tally's tally pass wants before it splits. */
enum { CALIB_HALF_MIN_BYTES = 16 * 1024 * 1024 };

struct calib_half {
	pthread_t thread;
	struct reader *r;
	struct svy_calib *part;
	const char *path;
	unsigned long long cut;        /* where the second half begins */
	unsigned long long first;      /* where its first record began */
	unsigned long rows;
	int ok;                        /* read to the end, every record scanned */
	atomic_int stop;
};

static void *scan_second_half(void *arg)
{
	struct calib_half *h = arg;
	struct record rec;
	struct reject why;
	int rc = READ_EOF;

	rec_init(&rec);
	while (!atomic_load(&h->stop) && (rc = reader_next(h->r, &rec, &why)) != READ_EOF) {
		if (rc == READ_FATAL)
			break;
		if (h->rows++ == 0)
			h->first = reader_record_offset(h->r);
		/* A reject is skipped, as the caller's pass skips it; an error
		 * is the caller's to report, with its line. */
		if (rc == READ_OK && svy_calib_scan(h->part, &rec) < 0)
			break;
	}
	h->ok = !atomic_load(&h->stop) && rc == READ_EOF;
	rec_release(&rec);
	return NULL;
}

/* 1 when a second thread scans the second half of path into a part of c. */
static int half_start(struct calib_half *h, struct reader *first, const char *path, const struct reader_opts *ro,
	const struct svy_calib *c, const unsigned char *want, size_t nwant)
{
	h->r = split_half_reader(first, path, ro, want, nwant, CALIB_HALF_MIN_BYTES, &h->cut);
	if (!h->r)
		return 0;
	h->part = svy_calib_part(c);
	h->path = path;
	h->first = ULLONG_MAX;
	h->rows = 0;
	atomic_init(&h->stop, 0);
	if (pthread_create(&h->thread, NULL, scan_second_half, h) != 0) {
		svy_calib_free(h->part);
		reader_close(h->r);
		return 0;
	}
	return 1;
}

static void half_release(struct calib_half *h)
{
	svy_calib_free(h->part);
	reader_close(h->r);
}

/* After the caller met a record at seen (>= cut): 1 when the part, which
 * holds it and the rest, was added to c; 0 when the caller reads on. */
static int half_finish(struct calib_half *h, unsigned long long seen, struct svy_calib *c)
{
	int merged = 0;

	pthread_join(h->thread, NULL);
	if (!h->ok || h->rows == 0 || h->first != seen) {
		split_half_report(h->path, "calibration's second half read again on one thread: it held an error, "
			"or its cut was not where a record starts");
	} else if (svy_calib_absorb(c, h->part) < 0) {
		split_half_report(h->path,
			"calibration's second half read again on one thread: its design would not merge");
	} else {
		split_half_report(h->path, "calibration's second half scanned on a second thread and merged");
		merged = 1;
	}
	half_release(h);
	return merged;
}

static void half_abandon(struct calib_half *h)
{
	split_half_report(h->path, "calibration's second half dropped");
	atomic_store(&h->stop, 1);
	pthread_join(h->thread, NULL);
	half_release(h);
}

/* The records, scanned into c, the second half perhaps on a second
 * thread.  0, or -1 after a message. */
static int scan_records(struct svy_calib *c, const struct calib_files *f, struct inputs *in, const unsigned char *want)
{
	struct calib_half half;
	struct record rec;
	struct reject why;
	int rc, status = 0;
	int split = f->n == 1 && half_start(&half, in->cur, f->paths[0], &in->opts, c, want, in->header.n);

	rec_init(&rec);
	while (status == 0 && (rc = inputs_next(in, &rec, &why)) != READ_EOF) {
		if (rc == READ_FATAL)
			continue;
		unsigned long long at = split ? inputs_record_offset(in) : 0;
		if (split && at >= half.cut) {
			split = 0;
			if (half_finish(&half, at, c))
				break;      /* the part had this record and the rest */
		}
		/* The tally's pass rejects what the reader rejects, again. */
		rec.file = calib_display(f, rec.file);
		if (rc == READ_OK && svy_calib_scan(c, &rec) < 0) {
			civic_warn("%s", svy_calib_error(c));
			status = -1;
		}
	}
	if (split)
		half_abandon(&half);
	rec_release(&rec);
	return status;
}

int calib_first_pass(struct svy_calib *c, const struct calib_files *f, const struct reader_opts *ro,
	const struct calib_design *cd)
{
	struct inputs in;
	int status;

	if (calib_open_inputs(&in, c, f, ro, cd) < 0) {
		inputs_release(&in);
		return -1;
	}
	unsigned char *want = xcalloc(in.header.n + 1, 1);
	svy_calib_want(c, want, in.header.n);
	inputs_want(&in, want, in.header.n);
	status = scan_records(c, f, &in, want);
	if (status == 0 && (in.failed || in.cut_short))
		status = -1;
	if (status == 0 && svy_calib_fit(c) < 0) {
		civic_warn("%s", svy_calib_error(c));
		status = -1;
	}
	free(want);
	inputs_release(&in);
	return status;
}
