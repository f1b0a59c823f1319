/* The rule-book loader and matcher (rules.h): any book either loads or
 * lists its errors; a book that loads classifies any text without a crash
 * or a hang (every match runs under the book's limits).  Input: the book,
 * then after a NUL byte the text every input column holds.  Books that
 * include others are skipped: an include names a real file. */
#include "fuzz.h"

#include "error.h"
#include "rules.h"

static void add_columns(struct header *h, const struct rulebook *rb)
{
	for (size_t i = 0; i < rb->napplied; i++)
		for (size_t j = 0; j < rb->applied[i]->nfrom; j++)
			if (header_find(h, rb->applied[i]->from[j]) < 0)
				header_add(h, rb->applied[i]->from[j], COL_STRING);
}

static void classify(struct rulebook *rb, const struct header *in, const char *text, size_t n)
{
	struct record rec;
	struct reject why;
	struct rules_row row;

	rec_init(&rec);
	rules_row_init(&row);
	for (size_t i = 0; i < in->n; i++)
		rec_push(&rec, text, n);
	rules_row_begin(&row, &rec);
	for (size_t i = 0; i < rb->napplied; i++) {
		struct ruleset *s = rb->applied[i];
		struct rules_hits hits;
		rules_hits_init(&hits, s);
		for (int flags = 0; flags <= RULES_ALL; flags += RULES_ALL)
			if (ruleset_classify(rb, s, &rec, flags, &hits, &why) == 0)
				rules_put(&row, s, &hits, &rec, flags);
		rules_hits_release(&hits);
	}
	rules_row_release(&row);
	rec_release(&rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nul = memchr(s, '\0', size);
	size_t blen = nul ? (size_t)(nul - s) : size;
	struct header in, out;
	struct fuzz_file f;

	if (memmem(s, blen, "include", 7))
		return 0;
	civic_set_progname("rules");
	fuzz_file_open(&f, s, blen);
	struct rulebook *rb = rulebook_new();
	if (rulebook_load(rb, f.path) == 0) {
		rulebook_apply_sets(rb);
		header_init(&in);
		header_init(&out);
		add_columns(&in, rb);
		if (rulebook_bind(rb, &in, &out, 1) == 0)
			classify(rb, &in, nul ? nul + 1 : "", nul ? size - blen - 1 : 0);
		header_release(&in);
		header_release(&out);
	}
	rulebook_free(rb);
	fuzz_file_close(&f);
	return 0;
}
