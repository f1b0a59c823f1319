#include <string.h>

#include "csv_split.h"

/* From the opening quote at raw[*i] to past the closing one. */
static void quoted(const char *raw, size_t n, size_t *i, struct record *out)
{
	size_t at = *i + 1;

	for (;;) {
		const char *q = memchr(raw + at, '"', n - at);
		size_t qi = q ? (size_t)(q - raw) : n;
		sbuf_add(&out->data, raw + at, qi - at);
		if (qi + 1 < n && raw[qi + 1] == '"') {
			sbuf_addc(&out->data, '"');
			at = qi + 2;
			continue;
		}
		*i = qi + 1;
		return;
	}
}

void csv_split_raw(const char *raw, size_t n, int delim, struct record *out)
{
	size_t i = 0;

	rec_clear(out);
	for (;;) {
		rec_begin_field(out);
		if (i < n && raw[i] == '"') {
			quoted(raw, n, &i, out);
		} else {
			const char *d = i < n ? memchr(raw + i, delim, n - i) : NULL;
			size_t end = d ? (size_t)(d - raw) : n;
			sbuf_add(&out->data, raw + i, end - i);
			i = end;
		}
		rec_end_field(out);
		if (i >= n)
			return;
		i++;                   /* the delimiter */
	}
}
