/* Which delimiter a CSV file uses, judged from its header record. */
#include <stddef.h>

#include "csv_engine.h"

/* Where the first record ends: its first line break outside quotes, or
 * len.  The scan resumes at *at in the quote state *quoted, where the last
 * one stopped, so a header arriving a few bytes at a time is scanned once,
 * not once per read. */
static size_t first_record_end(const struct source *src, size_t *at, int *quoted)
{
	for (; *at < src->len; ++*at)
		if (src->buf[*at] == '"')
			*quoted = !*quoted;
		else if (src->buf[*at] == '\n' && !*quoted)
			return *at;
	return src->len;
}

int csv_sniff_delimiter(struct source *src, int *delim)
{
	static const char candidates[] = { ',', ';', '\t', '|' };
	enum { SNIFF_MAX = 1024 * 1024 };
	size_t counts[4] = { 0 }, end, at = src->pos;
	int quoted = 0, scan_quoted = 0;

	/* Read the whole header record (up to SNIFF_MAX bytes), so the choice
	 * never depends on how much one read brought.  Reading keeps every
	 * byte in place (source_more(src, 0)), so at stays valid. */
	for (;;) {
		end = first_record_end(src, &at, &scan_quoted);
		if (end < src->len || src->eof || src->len - src->pos > SNIFF_MAX)
			break;
		if (source_more(src, 0) < 0)
			return -1;
	}
	if (end - src->pos > SNIFF_MAX)
		end = src->pos + SNIFF_MAX;
	for (size_t i = src->pos; i < end; i++) {
		char c = src->buf[i];
		if (c == '"')
			quoted = !quoted;
		else if (!quoted)
			for (int k = 0; k < 4; k++)
				counts[k] += c == candidates[k];
	}
	*delim = ',';
	for (int k = 0, best = 0; k < 4; k++)
		if (counts[k] > counts[best] || (k == 0 && counts[0] > 0)) {
			best = k;
			*delim = candidates[k];
		}
	return 0;
}
