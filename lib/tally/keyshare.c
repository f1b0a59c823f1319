#include <stdlib.h>
#include <string.h>

#include "ends_hash.h"
#include "keyshare.h"
#include "xalloc.h"

void keyshare_init(struct keyshare *ks)
{
	memset(ks, 0, sizeof(*ks));
	ks->record = 1;
}

void keyshare_release(struct keyshare *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		groups_release(&ks->slot[i].vals);
	free(ks->slot);
	memset(ks, 0, sizeof(*ks));
}

size_t keyshare_add(struct keyshare *ks, const struct keyexpr *kx)
{
	for (size_t i = 0; i < ks->n; i++)
		if (strcmp(ks->slot[i].kx->text, kx->text) == 0)
			return i;
	if (ks->n == ks->cap) {
		ks->cap = ks->cap ? 2 * ks->cap : 8;
		ks->slot = xrealloc(ks->slot, ks->cap * sizeof(*ks->slot));
	}
	memset(&ks->slot[ks->n], 0, sizeof(ks->slot[ks->n]));
	ks->slot[ks->n].kx = kx;
	groups_init(&ks->slot[ks->n].vals);
	memset(ks->slot[ks->n].recent, 0xff, sizeof(ks->slot[ks->n].recent));
	return ks->n++;
}

int keyshare_text(struct keyshare *ks, size_t slot, const struct record *rec, struct datecache *dc,
	const char **p, size_t *n, struct reject *why)
{
	struct keyshare_slot *s = &ks->slot[slot];

	if (s->seen != ks->record) {
		s->seen = ks->record;
		s->rc = keyexpr_text(s->kx, rec, dc, s->buf, &s->p, &s->n, &s->why);
	}
	if (s->rc < 0) {
		*why = s->why;
		return s->rc;
	}
	*p = s->p;
	*n = s->n;
	return s->rc;
}

/* Where a text goes in recent[]: by its ends, which tell apart the few
 * values of a key column. */
static unsigned recent_slot(const char *p, size_t n)
{
	return (unsigned)(ends_hash(p, n) >> 56) & (KEYSHARE_RECENT - 1);
}

static uint32_t number_text(struct keyshare_slot *s, const char *p, size_t n)
{
	unsigned r = recent_slot(p, n);
	uint32_t id = s->recent[r];
	int added;

	if (id != UINT32_MAX) {
		size_t len;
		const char *k = groups_key(&s->vals, id, &len);
		if (len == n && memcmp(k, p, n) == 0)
			return id;
	}
	id = groups_intern(&s->vals, p, n, key_hash(p, n), &added);
	s->recent[r] = id;
	return id;
}

int keyshare_id_eval(struct keyshare *ks, size_t slot, const struct record *rec, struct datecache *dc,
	uint32_t *id, struct reject *why)
{
	struct keyshare_slot *s = &ks->slot[slot];
	const char *p;
	size_t n;

	if (s->id_seen != ks->record) {
		if (keyshare_text(ks, slot, rec, dc, &p, &n, why) < 0)
			return -1;
		s->id_seen = ks->record;
		s->id = number_text(s, p, n);
	}
	*id = s->id;
	return 0;
}
