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
	for (size_t r = 0; r < KEYSHARE_RECENT; r++)
		ks->slot[ks->n].recent[r].id = UINT32_MAX;
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

enum { WHOLE_TEXT = 16 };   /* a text this long is all in its ends' words */

/* The number of p[0..n), found among the slot's recent texts by its ends
 * (two words compared, when they hold the whole text) or else interned. */
static uint32_t number_text(struct keyshare_slot *s, const char *p, size_t n)
{
	uint64_t head, tail;

	ends_words(p, n, &head, &tail);
	struct keyshare_recent *r = &s->recent[(ends_mix(head, tail, n) >> 56) & (KEYSHARE_RECENT - 1)];

	if (r->id != UINT32_MAX && r->len == n && r->head == head && r->tail == tail) {
		size_t len;
		if (n <= WHOLE_TEXT || memcmp(groups_key(&s->vals, r->id, &len), p, n) == 0)
			return r->id;
	}
	int added;
	uint32_t id = groups_intern(&s->vals, p, n, key_hash(p, n), &added);
	*r = (struct keyshare_recent){ head, tail, (uint32_t)n, id };
	return id;
}

int keyshare_id_eval(struct keyshare *ks, size_t slot, const struct record *rec, struct datecache *dc,
	uint32_t *id, struct reject *why)
{
	struct keyshare_slot *s = &ks->slot[slot];
	const char *p;
	size_t n;

	if (s->id_seen != ks->record) {
		if (!s->kx->fn) {            /* a plain column: its field is the text */
			p = rec_get(rec, (size_t)s->kx->col[0]);
			n = rec_len(rec, (size_t)s->kx->col[0]);
		} else if (keyshare_text(ks, slot, rec, dc, &p, &n, why) < 0) {
			return -1;
		}
		s->id_seen = ks->record;
		s->id = number_text(s, p, n);
	}
	*id = s->id;
	return 0;
}
