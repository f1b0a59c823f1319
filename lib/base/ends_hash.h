/* A hash of a short text by its length and its first and last eight bytes.
 *
 * The small caches in front of costly lookups (a date's day number, a key
 * value's number) see the few distinct values of one column; their ends
 * tell them apart, and reading only the ends keeps a hit cheaper than the
 * work it saves.  Take the top bits: the last multiplication mixes every
 * input bit into them. */
#ifndef CIVIC_ENDS_HASH_H
#define CIVIC_ENDS_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The first and last eight bytes of p[0..n) (tail 0 when n < 8): up to 16
 * bytes, the whole text. */
static inline void ends_words(const char *p, size_t n, uint64_t *head, uint64_t *tail)
{
	*head = *tail = 0;
	if (n >= 8) {
		memcpy(head, p, 8);
		memcpy(tail, p + n - 8, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	} else if (n >= 4) {          /* two overlapping loads: the shared bytes agree */
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + n - 4, 4);
		*head = (uint64_t)lo | (uint64_t)hi << (8 * (n - 4));
#endif
	} else {
		for (size_t i = 0; i < n; i++)
			*head |= (uint64_t)(unsigned char)p[i] << (8 * i);
	}
}

static inline uint64_t ends_mix(uint64_t head, uint64_t tail, size_t n)
{
	uint64_t h = (head * UINT64_C(0x9E3779B97F4A7C15)) ^ (tail * UINT64_C(0xC2B2AE3D27D4EB4F)) ^ n;
	return h * UINT64_C(0xff51afd7ed558ccd);
}

static inline uint64_t ends_hash(const char *p, size_t n)
{
	uint64_t head, tail;

	ends_words(p, n, &head, &tail);
	return ends_mix(head, tail, n);
}

#endif
