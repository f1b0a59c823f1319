/* Interned group keys: a hash table from key bytes to a dense group id
 * (0, 1, 2 … in order of first appearance), so per-group statistics live
 * in plain arrays indexed by id.
 *
 * A key is one or more parts; keybuf builds the encoding (each part a
 * 4-byte length and its bytes; a Total margin part has length
 * KEY_TOTAL and no bytes).  The table owns copies of every key. */
#ifndef CIVIC_GROUPS_H
#define CIVIC_GROUPS_H

#include <stddef.h>
#include <stdint.h>
#include "sbuf.h"

#define KEY_TOTAL UINT32_MAX

struct group_slot {
	uint32_t tag;          /* high bits of the hash */
	uint32_t id;           /* group id + 1; 0 is an empty slot */
};

struct groups {
	struct sbuf keys;      /* every key, back to back */
	size_t *off;           /* key i is keys.s[off[i] .. off[i+1]) */
	uint64_t *hash;
	size_t n, cap;
	struct group_slot *slot;
	size_t mask;
};

void groups_init(struct groups *g);
void groups_release(struct groups *g);

uint64_t key_hash(const void *p, size_t n);

/* The id of key[0..len) (hash = key_hash(key, len)), adding it when new
 * (*added set to 1). */
uint32_t groups_intern(struct groups *g, const char *key, size_t len,
	uint64_t hash, int *added);
/* Room for `more` keys without growing the table while they come. */
void groups_reserve(struct groups *g, size_t more);
/* Starts fetching the slot where a key of this hash would be, for a
 * groups_intern() or groups_find() a little later. */
static inline void groups_prefetch(const struct groups *g, uint64_t hash)
{
	__builtin_prefetch(&g->slot[hash & g->mask]);
}
/* The id, or -1 when absent. */
long groups_find(const struct groups *g, const char *key, size_t len, uint64_t hash);

static inline const char *groups_key(const struct groups *g, uint32_t id, size_t *len)
{
	*len = g->off[id + 1] - g->off[id];
	return g->keys.s ? g->keys.s + g->off[id] : "";   /* only empty keys so far: no buffer */
}

/* ---- the last few keys met ------------------------------------------- */

/* A key column of few values (a register book, a district) meets the same
 * keys over and over: a small table of short keys met and their ids, one
 * entry per slot of a quick hash of the key's words, lets it find its
 * group without hashing the key in full and probing the groups (a run of
 * region × register keys hits it nearly every time; the last few keys met
 * did not).  Keys of up to GROUP_MEMO_BYTES bytes, read from a buffer
 * with at least that many bytes allocated. */
enum { GROUP_MEMO = 64, GROUP_MEMO_BYTES = 56 };

struct group_memo {
	struct {
		uint64_t w[GROUP_MEMO_BYTES / 8];    /* the key, zero-padded */
		uint32_t len;                        /* UINT32_MAX: empty */
		uint32_t id;
	} e[GROUP_MEMO];
};

void group_memo_init(struct group_memo *m);

/* key's words, zero past len (len <= GROUP_MEMO_BYTES); unrolled and
 * without branches, as this runs for every record and tally. */
static inline void group_memo_words(const char *key, size_t len, uint64_t w[GROUP_MEMO_BYTES / 8])
{
	__builtin_memcpy(w, key, GROUP_MEMO_BYTES);
#pragma GCC unroll 8
	for (size_t i = 0; i < GROUP_MEMO_BYTES / 8; i++) {
		size_t have = len > 8 * i ? len - 8 * i : 0;
		uint64_t keep = have >= 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * have)) - 1;
		w[i] &= keep;
	}
}

/* The entry a key's words go to (GROUP_MEMO is a power of two). */
static inline unsigned group_memo_slot(const uint64_t w[GROUP_MEMO_BYTES / 8], size_t len)
{
	uint64_t h = (uint64_t)len;

#pragma GCC unroll 8
	for (size_t i = 0; i < GROUP_MEMO_BYTES / 8; i++)
		h += w[i] * (UINT64_C(0x9E3779B97F4A7C15) + 2 * i);
	h ^= h >> 29;
	h *= UINT64_C(0xff51afd7ed558ccd);
	return (unsigned)(h >> 58) & (GROUP_MEMO - 1);
}

/* The id of the key with these words, or -1. */
static inline long group_memo_find(const struct group_memo *m, const uint64_t w[GROUP_MEMO_BYTES / 8],
	size_t len)
{
	unsigned i = group_memo_slot(w, len);
	uint64_t diff = m->e[i].len ^ len;

#pragma GCC unroll 8
	for (size_t k = 0; k < GROUP_MEMO_BYTES / 8; k++)
		diff |= m->e[i].w[k] ^ w[k];
	return diff ? -1 : (long)m->e[i].id;
}

static inline void group_memo_add(struct group_memo *m, const uint64_t w[GROUP_MEMO_BYTES / 8], size_t len,
	uint32_t id)
{
	unsigned i = group_memo_slot(w, len);

	__builtin_memcpy(m->e[i].w, w, GROUP_MEMO_BYTES);
	m->e[i].len = (uint32_t)len;
	m->e[i].id = id;
}

/* ---- key encoding --------------------------------------------------- */

static inline void keybuf_part(struct sbuf *b, const char *p, size_t n)
{
	uint32_t len = (uint32_t)n;

	sbuf_grow(b, 4 + n);
	__builtin_memcpy(b->s + b->len, &len, 4);
	if (n)
		__builtin_memcpy(b->s + b->len + 4, p, n);
	b->len += 4 + n;
}

void keybuf_total(struct sbuf *b);

/* Walks the parts: returns 1 and the next part (*total set for a Total
 * part), 0 at the end.  *pos starts at 0. */
int key_next_part(const char *key, size_t len, size_t *pos, const char **p,
	size_t *n, int *total);
/* Part i of a key (i < number of parts). */
void key_part(const char *key, size_t len, size_t i, const char **p, size_t *n, int *total);

#endif
