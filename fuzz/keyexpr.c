/* The tally key and condition parser (keyexpr.h): any text either parses
 * or fails with a message; what parses binds and evaluates on a record
 * without a crash, with and without missing-value codes.  Input: the
 * expression, a line feed, then up to four tab-separated fields for
 * columns a, b, received_at, resolved_at. */
#include "fuzz.h"

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
	size_t n = keyexpr_split(text, &items);
	for (size_t i = 0; i < n; i++)
		try_key(items[i], &h, &rec, &dc);
	keyexpr_split_free(items, n);
	rec_release(&rec);
	header_release(&h);
	free(text);
	return 0;
}
