/* The tally key and condition parsers (keyexpr.h, cond.h): any text
 * either parses or fails with a message that shows the text and a caret;
 * what parses binds and evaluates on a record without a crash, with and
 * without missing-value codes, to true, false or missing, or a reject
 * with its reason.  Input: the
 * expression, a line feed, then up to four tab-separated fields for
 * columns a, b, received_at, resolved_at. */
#include "fuzz.h"

#include "cond.h"
#include "keyexpr.h"
#include "record.h"

static void record_from(struct record *rec, const char *s, size_t n)
{
	rec_clear(rec);
	for (int i = 0; i < 4; i++) {
		const char *tab = memchr(s, '\t', n);
		size_t len = tab ? (size_t)(tab - s) : n;
		rec_push(rec, s, len);
		s += len;
		n -= len;
		if (n) {
			s++;
			n--;
		}
	}
}

/* The default codes and a number, as --missing dk,refused,99 gives. */
static const struct missing *codes(void)
{
	static struct missing m;
	static int ready;
	char err[64];

	if (!ready && missing_init(&m, MISSING_DEFAULT ",99", err, sizeof(err)) == 0)
		ready = 1;
	return &m;
}

static void try_key(const char *text, const struct header *h, const struct record *rec,
	struct datecache *dc)
{
	struct keyexpr k;
	struct reject why;
	struct decnum v;
	char err[256], buf[64];
	const char *p;
	size_t n;

	if (keyexpr_parse(&k, text, err, sizeof(err)) == 0 &&
	    keyexpr_bind(&k, h, err, sizeof(err)) == 0) {
		if (keyexpr_text(&k, rec, dc, buf, &p, &n, &why) == 0 && n && !p)
			abort();
		keyexpr_number(&k, rec, dc, NULL, &v, &why);
		keyexpr_number(&k, rec, dc, codes(), &v, &why);
		keyexpr_weekday_rank(&k, "Mon", 3);
	}
	keyexpr_release(&k);
}

static void try_cond(const char *text, const struct header *h, const struct record *rec,
	struct datecache *dc)
{
	struct kxcond c;
	struct reject why;
	char err[256];

	if (kxcond_parse(&c, text, err, sizeof(err)) == 0 &&
	    kxcond_bind(&c, h, err, sizeof(err)) == 0) {
		int r = kxcond_eval(&c, rec, dc, codes(), &why);
		if (r < -1 || r > 2)
			abort();
	}
	kxcond_release(&c);
}

/* A condition of the whole language (cond.h), as share:, --where and
 * civic-filter read it: not (C) is missing exactly when C is. */
static void try_language(const char *text, const struct header *h, const struct record *rec,
	struct datecache *dc)
{
	static char err[1 << 18];        /* the whole text fits, caret and all */
	struct cond c;
	struct reject why;

	if (cond_parse(&c, text, err, sizeof(err)) == 0 && cond_bind(&c, h, err, sizeof(err)) == 0) {
		int with = cond_eval(&c, rec, dc, codes(), &why);
		int bare = cond_eval(&c, rec, dc, NULL, &why);
		if (with < -1 || with > 2 || bare < -1 || bare > 2)
			abort();
	} else if (!strstr(err, "\n    ") || !strchr(err, '^')) {
		abort();       /* every refusal points at its place */
	}
	cond_release(&c);
	size_t n = strlen(text);
	char *negated = malloc(n + 8);
	if (!negated)
		return;
	memcpy(negated, "not (", 5);
	memcpy(negated + 5, text, n);
	memcpy(negated + 5 + n, ")", 2);
	if (cond_parse(&c, text, err, sizeof(err)) == 0 && cond_bind(&c, h, err, sizeof(err)) == 0) {
		struct cond nc;
		if (cond_parse(&nc, negated, err, sizeof(err)) == 0 && cond_bind(&nc, h, err, sizeof(err)) == 0) {
			int a = cond_eval(&c, rec, dc, NULL, &why), b = cond_eval(&nc, rec, dc, NULL, &why);
			if (a >= 0 && b >= 0 && (a == 2) != (b == 2))
				abort();
			if (a >= 0 && b >= 0 && a != 2 && a == b)
				abort();
		}
		cond_release(&nc);
	}
	cond_release(&c);
	free(negated);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct datecache dc;
	static const char *cols[] = { "a", "b", "received_at", "resolved_at" };
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	size_t elen = nl ? (size_t)(nl - s) : size;
	char *text = strndup(s, elen);
	struct header h;
	struct record rec;
	char **items;

	datecache_init(&dc);
	header_init(&h);
	for (int i = 0; i < 4; i++)
		header_add(&h, cols[i], COL_STRING);
	rec_init(&rec);
	record_from(&rec, nl ? nl + 1 : s + size, nl ? size - elen - 1 : 0);
	try_key(text, &h, &rec, &dc);
	try_cond(text, &h, &rec, &dc);
	try_language(text, &h, &rec, &dc);
	size_t n = split_list(text, &items);
	for (size_t i = 0; i < n; i++)
		try_key(items[i], &h, &rec, &dc);
	split_list_free(items, n);
	rec_release(&rec);
	header_release(&h);
	free(text);
	return 0;
}
