#include <stdlib.h>
#include <string.h>

#include "where.h"
#include "xalloc.h"

int where_init(struct where *w, char *const *texts, size_t n, char *err, size_t errsize)
{
	w->conds = xcalloc(n ? n : 1, sizeof(*w->conds));
	w->n = 0;
	for (size_t i = 0; i < n; i++) {
		int rc = cond_parse(&w->conds[i], texts[i], err, errsize);
		w->n++;
		if (rc < 0)
			return -1;
	}
	return 0;
}

int where_bind(struct where *w, const struct header *h, char *err, size_t errsize)
{
	for (size_t i = 0; i < w->n; i++)
		if (cond_bind(&w->conds[i], h, err, errsize) < 0)
			return -1;
	return 0;
}

void where_mark_columns(const struct where *w, unsigned char *want, size_t n)
{
	for (size_t i = 0; i < w->n; i++)
		cond_mark_columns(&w->conds[i], want, n);
}

int where_keep(struct where *w, const struct record *rec, struct datecache *dc, struct reject *why)
{
	int keep = 1;

	if (w->n == 1) {
		int rc = cond_eval(&w->conds[0], rec, dc, NULL, why);
		return rc < 0 ? -1 : rc == 1;
	}
	for (size_t i = 0; i < w->n; i++) {
		int rc = cond_eval(&w->conds[i], rec, dc, NULL, why);
		if (rc < 0)
			return -1;
		keep &= rc == 1;
	}
	return keep;
}

void where_release(struct where *w)
{
	for (size_t i = 0; i < w->n; i++)
		cond_release(&w->conds[i]);
	free(w->conds);
	memset(w, 0, sizeof(*w));
}

int where_keep_period(struct where *period, struct where *up_to_end, const struct record *rec,
	struct datecache *dc, struct reject *why, int *before)
{
	int keep = where_keep(period, rec, dc, why);

	*before = 0;
	if (keep == 0 && up_to_end) {
		keep = where_keep(up_to_end, rec, dc, why);
		*before = keep > 0;
	}
	return keep;
}
