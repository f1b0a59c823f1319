/* civic-classify's row loop (rules.h: classify, then rules_put() each set
 * into the record, then the writer) on any CSV or NDJSON input, with a
 * rule book generated to write new columns (as `set NAME` or -c NAME
 * does), rewrite input columns in place, keep values, and join labels with
 * --all and --explode.  Records of every length grow while a kept value is
 * copied out of them into themselves.  Beyond never a crash, every row is
 * checked against what the book says it must hold: the untouched input
 * columns as read, each set's label, default or kept value, and its rule id.
 *
 * Reads come whole: the reader harnesses vary their sizes.
 *
 * Input: five option bytes, then the data (its header names the columns).
 *   byte 0: bits 0-1 sets - 1; 2 --all; 3 --explode (one set, with --all);
 *           4 --explain; 5 -c (one set); 6 libcsv as the CSV engine
 *   bytes 1-4, one per set: bits 0-1 the column written (new, or input
 *           column 0, 1 or the last, rewritten in place); 2-3 the columns
 *           read; 4 no keep; 5 (without keep) a default; 6-7 which patterns */
#include "fuzz.h"

#include "error.h"
#include "reader.h"
#include "rules.h"
#include "writer.h"

enum { MAX_SETS = 4 };

static const char *patterns[] = {
	"^zzz$", "a", "(?:ж|q)+", "\\bform\\W{0,3}1", "^$", "[^a]", "x{2,}", "o'?g'?ir",
};

struct run {
	unsigned all, explode, explain, rename, libcsv, nsets;
	unsigned set[MAX_SETS];
};

static const char *column(const struct header *h, unsigned pick)
{
	return h->names[pick == 2 ? h->n - 1 : pick % h->n];
}

/* A name a book can spell: one token, no comment. */
static int spellable(const char *s)
{
	if (!*s || *s == '#')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ')
			return 0;
	return 1;
}

static int in_header(const struct header *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->names[i], name) == 0)
			return 1;
	return 0;
}

/* A new column's name: new<k>, with x added while the input has a column
 * of that name (a set writing it would rewrite that column instead). */
static void new_name(struct sbuf *name, unsigned k, const struct header *h)
{
	sbuf_printf(name, "new%u", k);
	while (in_header(h, name->s))
		sbuf_addstr(name, "x");
}

/* The column set k writes: an input column no earlier set writes, else new. */
static void set_name(struct sbuf *name, const struct run *r, unsigned k, const struct header *h)
{
	sbuf_reset(name);
	for (unsigned j = 0; j < k && (r->set[k] & 3); j++)
		if ((r->set[j] & 3) && column(h, (r->set[j] & 3) - 1) == column(h, (r->set[k] & 3) - 1))
			return new_name(name, k, h);
	if (r->set[k] & 3)
		sbuf_addstr(name, column(h, (r->set[k] & 3) - 1));
	else
		new_name(name, k, h);
}

static void write_set(struct sbuf *b, const struct run *r, unsigned k, const struct header *h)
{
	unsigned o = r->set[k];
	struct sbuf name = SBUF_INIT;

	set_name(&name, r, k, h);
	sbuf_printf(b, "set %s\n", name.s);
	sbuf_release(&name);
	switch (o >> 2 & 3) {
	case 0: sbuf_printf(b, "from %s\n", column(h, 0)); break;
	case 1: sbuf_printf(b, "from %s\n", column(h, 1)); break;
	case 2: sbuf_printf(b, "from %s %s\n", column(h, 2), column(h, 0)); break;
	case 3: break;              /* reads the column it writes, or none */
	}
	if (!(o >> 4 & 1))
		sbuf_addstr(b, "keep\n");
	else if (o >> 5 & 1)
		sbuf_printf(b, "default D%u\n", k);
	for (unsigned i = 0; i < 4; i++)
		sbuf_printf(b, "r%u L%u %s\n", i, i % 3, patterns[((o >> 6) + i * 3) & 7]);
	sbuf_addstr(b, "map zzz -> M\n\n");
}

/* 0 when the header's names can all be spelled in a book. */
static int make_book(struct sbuf *b, const struct run *r, const struct header *h)
{
	if (!h->n)
		return -1;
	for (size_t i = 0; i < h->n; i++)
		if (!spellable(h->names[i]))
			return -1;
	for (unsigned k = 0; k < r->nsets; k++)
		write_set(b, r, k, h);
	return 0;
}

static void expect(const char *what, const struct record *rec, long col, const char *s, size_t n)
{
	if (col < 0 || (size_t)col >= rec->nfields || rec_len(rec, (size_t)col) != n ||
			memcmp(rec_get(rec, (size_t)col), s, n) != 0) {
		fprintf(stderr, "%s: column %ld holds '%s', expected '%.*s'\n", what, col,
			col >= 0 ? rec_get(rec, (size_t)col) : "", (int)n, s);
		abort();
	}
}

/* What an independent reading of the book says set s writes. */
static void want_label(const struct ruleset *s, const struct rules_hits *h, int all,
	const struct record *in, struct sbuf *label, struct sbuf *id)
{
	sbuf_reset(label);
	sbuf_reset(id);
	if (!h->n) {
		if (s->keep)
			sbuf_add(label, rec_get(in, (size_t)s->from_col[0]), rec_len(in, (size_t)s->from_col[0]));
		else
			sbuf_addstr(label, s->default_label ? s->default_label : "");
		sbuf_addstr(id, "default");
		return;
	}
	for (size_t i = 0; i < (all ? h->n : 1); i++) {
		const char *l = s->rules[h->idx[i]]->label;
		int seen = 0;
		for (size_t j = 0; j < i; j++)
			seen |= strcmp(s->rules[h->idx[j]]->label, l) == 0;
		sbuf_printf(id, "%s%s", i ? ";" : "", s->rules[h->idx[i]]->id);
		if (!seen)
			sbuf_printf(label, "%s%s", label->len ? ";" : "", l);
	}
}

static int rewritten(const struct rulebook *rb, size_t col)
{
	for (size_t k = 0; k < rb->napplied; k++)
		if (rb->applied[k]->in_place && (size_t)rb->applied[k]->out_col == col)
			return 1;
	return 0;
}

static void check_row(const struct rulebook *rb, const struct rules_hits *hits, int all,
	const struct record *in, const struct record *out, size_t nout)
{
	struct sbuf label = SBUF_INIT, id = SBUF_INIT;

	if (out->nfields != nout) {
		fprintf(stderr, "%zu fields written, the header has %zu\n", out->nfields, nout);
		abort();
	}
	for (size_t i = 0; i < in->nfields; i++)
		if (!rewritten(rb, i))
			expect("an input column", out, (long)i, rec_get(in, i), rec_len(in, i));
	for (size_t k = 0; k < rb->napplied; k++) {
		const struct ruleset *s = rb->applied[k];
		want_label(s, &hits[k], all, in, &label, &id);
		expect(s->name, out, s->out_col, sbuf_cstr(&label), label.len);
		if (s->explain_col >= 0)
			expect("explain", out, s->explain_col, sbuf_cstr(&id), id.len);
	}
	sbuf_release(&label);
	sbuf_release(&id);
}

/* --explode: a row per distinct label, as civic-classify writes them. */
static void explode(const struct ruleset *s, const struct rules_hits *h,
	struct record *rec, struct writer *w)
{
	size_t base = rec->nfields;

	for (size_t i = 0; i < h->n; i++) {
		const struct rule *r = s->rules[h->idx[i]];
		int seen = 0;
		for (size_t j = 0; j < i; j++)
			seen |= strcmp(s->rules[h->idx[j]]->label, r->label) == 0;
		if (seen)
			continue;
		rec->nfields = base;
		rules_put_rule(s, r, rec);
		expect("exploded", rec, s->out_col, r->label, strlen(r->label));
		writer_record(w, rec);
	}
}

static void run_rows(struct rulebook *rb, struct reader *rd, const struct run *r,
	const struct header *out_header, FILE *sink)
{
	struct rules_hits hits[MAX_SETS];
	struct record rec, in;
	struct rules_row row;
	struct writer w;
	struct reject why;
	int rc, flags = r->all ? RULES_ALL : 0, bad;

	rec_init(&rec);
	rec_init(&in);
	rules_row_init(&row);
	writer_init(&w, sink, FMT_CSV);
	writer_header(&w, out_header);
	for (size_t k = 0; k < rb->napplied; k++)
		rules_hits_init(&hits[k], rb->applied[k]);
	while ((rc = reader_next(rd, &rec, &why)) != READ_EOF && rc != READ_FATAL) {
		if (rc != READ_OK)
			continue;
		bad = 0;
		for (size_t k = 0; k < rb->napplied && !bad; k++)
			bad = ruleset_classify(rb, rb->applied[k], &rec, flags, &hits[k], &why) != 0;
		if (bad)
			continue;
		rec_copy(&in, &rec);
		rules_row_begin(&row, &rec);
		if (r->explode && hits[0].n) {
			explode(rb->applied[0], &hits[0], &rec, &w);
			continue;
		}
		for (size_t k = 0; k < rb->napplied; k++)
			rules_put(&row, rb->applied[k], &hits[k], &rec, r->all);
		check_row(rb, hits, r->all, &in, &rec, out_header->n);
		writer_record(&w, &rec);
	}
	for (size_t k = 0; k < rb->napplied; k++)
		rules_hits_release(&hits[k]);
	writer_release(&w);
	rules_row_release(&row);
	rec_release(&in);
	rec_release(&rec);
}

static void classify(const struct run *r, const char *path, FILE *sink)
{
	struct reader_opts o = { .engine = r->libcsv ? CSV_ENGINE_LIBCSV : CSV_ENGINE_SCAN };
	struct sbuf book = SBUF_INIT;
	struct header out;
	struct fuzz_file bf;
	struct reader *rd = reader_open(path, &o);

	if (!rd)
		return;
	header_init(&out);
	const struct header *h = reader_header(rd);
	struct rulebook *rb = rulebook_new();
	if (make_book(&book, r, h) == 0) {
		fuzz_file_open(&bf, book.s, book.len);
		if (rulebook_load(rb, bf.path) != 0) {
			fprintf(stderr, "a generated book does not load:\n%s", book.s);
			abort();
		}
		fuzz_file_close(&bf);
		rulebook_apply_sets(rb);
		if (r->rename)
			ruleset_rename(rb->applied[0], r->set[0] & 1 ? h->names[0] : "renamed");
		if (rulebook_bind(rb, h, &out, (int)r->explain) == 0)
			run_rows(rb, rd, r, &out, sink);
	}
	rulebook_free(rb);
	header_release(&out);
	sbuf_release(&book);
	reader_close(rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct fuzz_file f;
	struct run r;

	if (!sink && !(sink = fopen("/dev/null", "w")))
		abort();
	civic_set_progname("classify");
	unsigned o = fuzz_byte(&data, &size);
	r.nsets = 1 + (o & 3);
	r.all = o >> 2 & 1;
	r.explode = r.all && r.nsets == 1 && (o >> 3 & 1);
	r.explain = o >> 4 & 1;
	r.rename = r.nsets == 1 && (o >> 5 & 1);
	r.libcsv = o >> 6 & 1;
	for (unsigned k = 0; k < MAX_SETS; k++)
		r.set[k] = fuzz_byte(&data, &size);
	fuzz_read_max(0);
	fuzz_file_open(&f, data, size);
	classify(&r, f.path, sink);
	fuzz_file_close(&f);
	return 0;
}
