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

static inline uint64_t ends_hash(const char *p, size_t n)
{
	uint64_t head = 0, tail = 0;

	if (n >= 8) {
		memcpy(&head, p, 8);
		memcpy(&tail, p + n - 8, 8);
	} else {
		for (size_t i = 0; i < n; i++)
			head |= (uint64_t)(unsigned char)p[i] << (8 * i);
	}
	uint64_t h = (head * UINT64_C(0x9E3779B97F4A7C15)) ^ (tail * UINT64_C(0xC2B2AE3D27D4EB4F)) ^ n;
	return h * UINT64_C(0xff51afd7ed558ccd);
}

#endif
