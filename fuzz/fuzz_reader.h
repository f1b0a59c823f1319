/* For the reader harnesses: everything a reader yields, as one string, so
 * two readings can be compared byte for byte. */
#ifndef CIVIC_FUZZ_READER_H
#define CIVIC_FUZZ_READER_H

#include "fuzz.h"

#include "error.h"
#include "reader.h"
#include "sbuf.h"

/* As fuzz_describe(), reading only the columns want[0..nwant) names (NULL:
 * all), see reader_want(). */
static void fuzz_describe_want(struct sbuf *out, const char *path, const struct reader_opts *o,
	const unsigned char *want, size_t nwant)
{
	struct reader *r = reader_open(path, o);
	struct record rec;
	struct reject why;
	int rc;

	if (!r) {
		sbuf_addstr(out, "no reader\n");
		return;
	}
	reader_want(r, want, nwant);
	const struct header *h = reader_header(r);
	for (size_t i = 0; i < h->n; i++)
		sbuf_printf(out, "[%s]", h->names[i]);
	sbuf_printf(out, " delim %d\n", reader_delim(r));
	rec_init(&rec);
	while ((rc = reader_next(r, &rec, &why)) != READ_EOF && rc != READ_FATAL) {
		sbuf_printf(out, "%d line %lu", rc, rec.line);
		if (rc == READ_OK)
			for (size_t i = 0; i < rec.nfields; i++) {
				sbuf_printf(out, " %zu:", rec_len(&rec, i));
				sbuf_add(out, rec_get(&rec, i), rec_len(&rec, i));
			}
		else
			sbuf_printf(out, " %s", why.reason);
		sbuf_printf(out, " raw %zu:", rec.raw.len);
		if (rec.raw.len)
			sbuf_add(out, rec.raw.s, rec.raw.len);
		sbuf_addc(out, '\n');
	}
	sbuf_printf(out, "end %d\n", rc);
	rec_release(&rec);
	reader_close(r);
}

static inline void fuzz_describe(struct sbuf *out, const char *path, const struct reader_opts *o)
{
	fuzz_describe_want(out, path, o, NULL, 0);
}

static inline void fuzz_same(const struct sbuf *a, const struct sbuf *b, const char *what)
{
	if (a->len != b->len || memcmp(a->s, b->s, a->len) != 0) {
		fprintf(stderr, "%s\n--- first\n%s\n--- second\n%s\n", what, sbuf_cstr(a), sbuf_cstr(b));
		abort();
	}
}

#endif
