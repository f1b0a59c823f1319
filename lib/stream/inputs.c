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
		if (in->on_header && in->on_header(in->on_header_ctx, reader_header(r), reader_name(r)) != 0) {
			in->failed = 1;
			in->skipped++;
			reader_close(r);
			continue;
		}
		if (!in->have_header) {
			header_copy(&in->header, reader_header(r));
			in->first_name = xstrdup(reader_name(r));
			in->format = reader_format(r);
			in->have_header = 1;
		} else if (!in->on_header && !header_equal(&in->header, reader_header(r))) {
			civic_warn("%s: header differs from that of %s; skipping the file",
				reader_name(r), in->first_name);
			in->failed = 1;
			in->skipped++;
			reader_close(r);
			continue;
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
		}
		reader_close(in->cur);
		in->cur = NULL;
	}
}

unsigned long long inputs_record_offset(const struct inputs *in)
{
	return in->cur ? reader_record_offset(in->cur) : 0;
}
