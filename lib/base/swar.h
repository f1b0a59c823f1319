/* Eight bytes at a time: finding the first byte of a small set in a word.
 * The hot loops of the CSV scanner and writer use these to skip over runs
 * of ordinary bytes instead of testing each one. */
#ifndef CIVIC_SWAR_H
#define CIVIC_SWAR_H

#include <stdint.h>
#include <string.h>

#define SWAR_ONES 0x0101010101010101ULL
#define SWAR_HIGHS 0x8080808080808080ULL

static inline uint64_t swar_load(const char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	return w;
}

/* High bit set in each byte of w equal to c (exact: no false positives). */
static inline uint64_t swar_eq(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (SWAR_ONES * c);
	return ~(((x & ~SWAR_HIGHS) + ~SWAR_HIGHS) | x) & SWAR_HIGHS;
}

/* How many bytes of a swar_eq() result matched: the high bits summed by a
 * multiply, which needs no popcount instruction. */
static inline unsigned swar_count(uint64_t hits)
{
	return (unsigned)(((hits >> 7) * SWAR_ONES) >> 56);
}

#endif
