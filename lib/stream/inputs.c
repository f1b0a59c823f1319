#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "inputs.h"
#include "xalloc.h"

static char *stdin_path[] = { "-" };

void inputs_init(struct inputs *in, char **paths, size_t npaths, const struct reader_opts *opts)
{
	memset(in, 0, sizeof(*in));
	in->paths = npaths ? paths : stdin_path;
	in->npaths = npaths ? npaths : 1;
	in->opts = *opts;
	header_init(&in->header);
}

void inputs_release(struct inputs *in)
{
	reader_close(in->cur);
	in->cur = NULL;
	header_release(&in->header);
	free(in->first_name);
	in->first_name = NULL;
}

/* Whether r's header (a file's, or a workbook sheet's) is taken: 1, or 0
 * after a message. */
static int take_header(struct inputs *in, struct reader *r)
{
	in->on_sheet = reader_sheet(r) != NULL;
	if (in->on_header)
		return in->on_header(in->on_header_ctx, reader_header(r), reader_where(r)) == 0;
	if (in->have_header && !header_equal(&in->header, reader_header(r))) {
		civic_warn("%s: header differs from that of %s; skipping the %s",
			reader_where(r), in->first_name, reader_sheet(r) ? "sheet" : "file");
		return 0;
	}
	return 1;
}

/* With --sheet '*', a sheet whose header is not taken is passed over,
 * said, and not a failure: the others are read.  1 when r is on a
 * sheet whose header is taken, 0 when r has none left. */
static int next_sheet(struct inputs *in, struct reader *r)
{
	int rc;

	in->empty_rows += reader_empty_rows(r);
	while ((rc = reader_next_sheet(r)) != 0) {
		if (rc > 0 && take_header(in, r))
			return 1;
		in->sheets_passed++;
	}
	return 0;
}

/* Opens the next operand that can be read and agrees with the first one's
 * header; 1 when one is open, 0 when none is left. */
static int open_next(struct inputs *in)
{
	while (in->next < in->npaths) {
		struct reader *r = reader_open(in->paths[in->next++], &in->opts);
		if (!r) {
			in->failed = 1;
			in->skipped++;
			continue;
		}
		if (!take_header(in, r)) {
			if (in->opts.sheet && strcmp(in->opts.sheet, "*") == 0 && reader_sheet(r)) {
				in->sheets_passed++;
						if (next_sheet(in, r))
					goto take;
				reader_close(r);
				continue;
			}
			in->failed = 1;
			in->skipped++;
			reader_close(r);
			continue;
		}
take:
		if (!in->have_header) {
			header_copy(&in->header, reader_header(r));
			in->first_name = xstrdup(reader_where(r));
			in->format = reader_format(r);
			in->have_header = 1;
		}
		reader_want(r, in->want, in->nwant);
		in->cur = r;
		return 1;
	}
	return 0;
}

void inputs_on_header(struct inputs *in, inputs_header_fn *fn, void *ctx)
{
	in->on_header = fn;
	in->on_header_ctx = ctx;
}

void inputs_want(struct inputs *in, const unsigned char *want, size_t n)
{
	in->want = want;
	in->nwant = n;
	if (in->cur)
		reader_want(in->cur, want, n);
}

void inputs_copy_raw(struct inputs *in, struct record *rec)
{
	if (in->cur)
		reader_copy_raw(in->cur, rec);
}

int inputs_start(struct inputs *in)
{
	if (in->cur)
		return 0;
	return open_next(in) ? 0 : -1;
}

int inputs_next(struct inputs *in, struct record *rec, struct reject *why)
{
	for (;;) {
		if (!in->cur && !open_next(in))
			return READ_EOF;
		int rc = reader_next(in->cur, rec, why);
		if (rc != READ_EOF) {
			if (rc == READ_FATAL)
				in->failed = in->cut_short = 1;
			if (rc != READ_FATAL)
				return rc;
		} else if (next_sheet(in, in->cur)) {
			continue;
		}
		reader_close(in->cur);
		in->cur = NULL;
	}
}

unsigned long long inputs_record_offset(const struct inputs *in)
{
	return in->cur ? reader_record_offset(in->cur) : 0;
}
