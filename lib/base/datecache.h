/* Dates parsed once: a registry repeats the same few thousand date strings
 * a million times, so a small direct-mapped cache keyed by the field's
 * bytes saves nearly all the parsing.
 *
 * Accepted forms: yyyy-mm-dd (optionally followed by 'T' or ' ' and a
 * time of day, which is ignored) and dd.mm.yyyy.  The cache holds no
 * pointers; zeroed memory (datecache_init) is an empty cache. */
#ifndef CIVIC_DATECACHE_H
#define CIVIC_DATECACHE_H

#include <stddef.h>
#include <stdint.h>

enum { DATECACHE_SLOTS = 4096, DATECACHE_KEY = 24 };

struct datecache_slot {
	char key[DATECACHE_KEY];
	uint8_t len;               /* 0: empty slot */
	int8_t ok;
	int32_t days;
};

struct datecache {
	struct datecache_slot slot[DATECACHE_SLOTS];
};

void datecache_init(struct datecache *c);
/* 0 and *days, or -1 when s[0..n) is not a date (n > 0). */
int datecache_parse(struct datecache *c, const char *s, size_t n, int32_t *days);
/* The same without a cache. */
int date_parse_key(const char *s, size_t n, int32_t *days);

#endif
