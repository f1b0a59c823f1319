#include <string.h>

#include "date.h"
#include "datecache.h"
#include "ends_hash.h"

void datecache_init(struct datecache *c)
{
	memset(c, 0, sizeof(*c));
}

int date_parse_key(const char *s, size_t n, int32_t *days)
{
	static const enum date_format formats[] = { DATE_ISO, DATE_DMY_DOT };

	if (n > 10 && (s[10] == 'T' || s[10] == ' ') &&
	    date_parse(s, 10, DATE_ISO, days) == 0)
		return 0;
	return date_parse_any(s, n, formats, 2, days) < 0 ? -1 : 0;
}

static unsigned slot_of(const char *s, size_t n)
{
	return (unsigned)(ends_hash(s, n) >> 52) & (DATECACHE_SLOTS - 1);
}

int datecache_parse(struct datecache *c, const char *s, size_t n, int32_t *days)
{
	if (n == 0 || n > DATECACHE_KEY)
		return date_parse_key(s, n, days);

	struct datecache_slot *e = &c->slot[slot_of(s, n)];

	if (e->len == n && memcmp(e->key, s, n) == 0) {
		*days = e->days;
		return e->ok ? 0 : -1;
	}
	int rc = date_parse_key(s, n, days);

	memcpy(e->key, s, n);
	e->len = (uint8_t)n;
	e->ok = rc == 0;
	e->days = rc == 0 ? *days : 0;
	return rc;
}
