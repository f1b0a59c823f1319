/* Group keys shared by several tallies fed the same records (civic-bulletin's
 * indicators of one input): each distinct key expression is evaluated once
 * a record, on first demand, and every tally whose group key uses it reads
 * that one text.  Lazy, so a tally whose --where drops the record costs
 * nothing, and a failing expression rejects only for the tallies that ask.
 *
 * Memory: the keyshare borrows each expression from the first tally that
 * added it (that agg must outlive it); keyshare_release frees its own. */
#ifndef CIVIC_KEYSHARE_H
#define CIVIC_KEYSHARE_H

#include <stddef.h>
#include <stdint.h>
#include "groups.h"
#include "keyexpr.h"
#include "reject.h"

enum { KEYSHARE_RECENT = 256 };

/* A text met lately and its number.  A text of up to 16 bytes is all in
 * head and tail (its first and last 8 bytes, overlapping), so it is found
 * by comparing two words, without reading the text interned. */
struct keyshare_recent {
	uint64_t head, tail;
	uint32_t len;
	uint32_t id;                   /* UINT32_MAX: empty */
};

struct keyshare_slot {
	const struct keyexpr *kx;      /* bound */
	unsigned long seen;            /* the record it holds, or not this one */
	int rc;                        /* keyexpr_text's */
	const char *p;                 /* the text (into the record, or buf) */
	size_t n;
	char buf[32];
	struct reject why;             /* rc < 0 */
	unsigned long id_seen;         /* the record id holds */
	uint32_t id;                   /* the text's number among this slot's */
	struct groups vals;            /* the texts met, numbered */
	struct keyshare_recent recent[KEYSHARE_RECENT];   /* by a hash of a text's ends */
};

struct keyshare {
	struct keyshare_slot *slot;
	size_t n, cap;
	unsigned long record;          /* which record the slots may hold */
};

void keyshare_init(struct keyshare *ks);
void keyshare_release(struct keyshare *ks);
/* The slot of kx (bound), found by its text among those added. */
size_t keyshare_add(struct keyshare *ks, const struct keyexpr *kx);
/* A new record: every slot's text is stale. */
static inline void keyshare_next(struct keyshare *ks)
{
	ks->record++;
}
/* keyexpr_text of the slot's expression on rec, evaluated once a record. */
int keyshare_text(struct keyshare *ks, size_t slot, const struct record *rec, struct datecache *dc,
	const char **p, size_t *n, struct reject *why);
int keyshare_id_eval(struct keyshare *ks, size_t slot, const struct record *rec, struct datecache *dc,
	uint32_t *id, struct reject *why);
/* The same text as a number, dense from 0 in the order texts are first
 * met in this slot, so a tally can find its group from its keys'
 * numbers without building the key.  0, or -1 with why filled. */
static inline int keyshare_id(struct keyshare *ks, size_t slot, const struct record *rec,
	struct datecache *dc, uint32_t *id, struct reject *why)
{
	if (ks->slot[slot].id_seen != ks->record)
		return keyshare_id_eval(ks, slot, rec, dc, id, why);
	*id = ks->slot[slot].id;     /* a tally before this one asked */
	return 0;
}

#endif
