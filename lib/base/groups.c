#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "xalloc.h"

void groups_init(struct groups *g)
{
	memset(g, 0, sizeof(*g));
	sbuf_init(&g->keys);
	g->mask = 63;
	g->slot = xcalloc(g->mask + 1, sizeof(*g->slot));
	g->off = xmalloc(sizeof(*g->off));
	g->off[0] = 0;
}

void groups_release(struct groups *g)
{
	sbuf_release(&g->keys);
	free(g->off);
	free(g->hash);
	free(g->slot);
	memset(g, 0, sizeof(*g));
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 32;
	h *= 0xD6E8FEB86659FD93u;
	h ^= h >> 32;
	return h;
}

/* Eight bytes at a time, multiplied in: fast for short keys, and the
 * table only needs the bits well spread, not a cryptographic hash. */
uint64_t key_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9E3779B97F4A7C15u ^ (n * 0xC2B2AE3D27D4EB4Fu);

	for (; n >= 8; s += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xFF51AFD7ED558CCDu;
		h ^= h >> 29;
	}
	if (n) {
		/* The last bytes one by one: memcpy() of a variable length is a
		 * library call, which cost more than the hashing. */
		uint64_t w = 0;
		for (size_t i = 0; i < n; i++)
			w |= (uint64_t)s[i] << (8 * i);
		h = (h ^ w) * 0xFF51AFD7ED558CCDu;
	}
	return mix(h);
}

static void rehash(struct groups *g, size_t cap)
{
	struct group_slot *slot = xcalloc(cap, sizeof(*slot));

	for (size_t i = 0; i < g->n; i++) {
		/* A large table is bigger than the caches: fetch ahead. */
		if (i + 8 < g->n)
			__builtin_prefetch(&slot[(size_t)g->hash[i + 8] & (cap - 1)], 1);
		size_t j = (size_t)g->hash[i] & (cap - 1);
		while (slot[j].id)
			j = (j + 1) & (cap - 1);
		slot[j].tag = (uint32_t)(g->hash[i] >> 32);
		slot[j].id = (uint32_t)i + 1;
	}
	free(g->slot);
	g->slot = slot;
	g->mask = cap - 1;
}

static void grow_table(struct groups *g)
{
	rehash(g, (g->mask + 1) * 2);
}

/* Room in the per-key arrays (hash, off) for n keys. */
static void fit_keys(struct groups *g, size_t n)
{
	if (n < g->cap)
		return;
	size_t cap = g->cap;
	g->hash = xgrow(g->hash, &cap, n + 1, sizeof(*g->hash));
	g->off = xrealloc(g->off, (cap + 1) * sizeof(*g->off));
	g->cap = cap;
}

void groups_reserve(struct groups *g, size_t more)
{
	size_t need = g->n + more, cap = g->mask + 1;

	while (need * 4 > cap * 3)
		cap *= 2;
	if (cap > g->mask + 1)
		rehash(g, cap);
	fit_keys(g, need);
}

static int same_key(const struct groups *g, uint32_t id, const char *key, size_t len)
{
	size_t n;
	const char *k = groups_key(g, id, &n);

	return n == len && (len == 0 || memcmp(k, key, len) == 0);
}

long groups_find(const struct groups *g, const char *key, size_t len, uint64_t hash)
{
	uint32_t tag = (uint32_t)(hash >> 32);

	for (size_t j = (size_t)hash & g->mask; g->slot[j].id; j = (j + 1) & g->mask)
		if (g->slot[j].tag == tag && same_key(g, g->slot[j].id - 1, key, len))
			return (long)g->slot[j].id - 1;
	return -1;
}

uint32_t groups_intern(struct groups *g, const char *key, size_t len,
	uint64_t hash, int *added)
{
	uint32_t tag = (uint32_t)(hash >> 32);
	size_t j = (size_t)hash & g->mask;

	for (; g->slot[j].id; j = (j + 1) & g->mask)
		if (g->slot[j].tag == tag && same_key(g, g->slot[j].id - 1, key, len)) {
			*added = 0;
			return g->slot[j].id - 1;
		}
	*added = 1;
	fit_keys(g, g->n + 1);
	if (len)
		sbuf_add(&g->keys, key, len);
	g->hash[g->n] = hash;
	g->off[g->n + 1] = g->keys.len;
	g->slot[j].tag = tag;
	g->slot[j].id = (uint32_t)++g->n;
	if (g->n * 4 > (g->mask + 1) * 3)
		grow_table(g);
	return (uint32_t)g->n - 1;
}

void keybuf_total(struct sbuf *b)
{
	uint32_t len = KEY_TOTAL;

	sbuf_add(b, &len, 4);
}

int key_next_part(const char *key, size_t len, size_t *pos, const char **p,
	size_t *n, int *total)
{
	uint32_t l;

	if (*pos + 4 > len)
		return 0;
	memcpy(&l, key + *pos, 4);
	*pos += 4;
	*p = key + *pos;
	*total = l == KEY_TOTAL;
	*n = *total ? 0 : l;
	*pos += *n;
	return 1;
}

void key_part(const char *key, size_t len, size_t i, const char **p, size_t *n, int *total)
{
	size_t pos = 0;

	/* A key with fewer parts (the one-byte "no key" sentinel) reads as empty. */
	*p = key;
	*n = 0;
	*total = 0;
	do
		key_next_part(key, len, &pos, p, n, total);
	while (i--);
}

void group_memo_init(struct group_memo *m)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < GROUP_MEMO; i++)
		m->e[i].len = UINT32_MAX;
}
