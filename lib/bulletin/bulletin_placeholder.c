/* The period's dates in a definition's texts (bulletin_placeholder.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "xalloc.h"
#include "sbuf.h"
#include "date.h"
#include "split_list.h"
#include "bulletin_placeholder.h"

/* Checking a definition without a period still expands its texts, so that
 * the conditions they make are checked as civic-tally would check them. */
#define STAND_IN_YEAR 2000

int bperiod_dates(const struct bperiod *p, int32_t *first, int32_t *last)
{
	int m0, m1;

	switch (p->kind) {
	case BPERIOD_MONTH: m0 = m1 = p->n; break;
	case BPERIOD_QUARTER: m0 = 3 * p->n - 2; m1 = 3 * p->n; break;
	case BPERIOD_YEAR: m0 = 1; m1 = 12; break;
	default: return -1;
	}
	*first = days_from_civil(p->year, m0, 1);
	/* The day before the first of the month after. */
	*last = days_from_civil(p->year + (m1 == 12), m1 % 12 + 1, 1) - 1;
	return 0;
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The placeholder whose name starts at s (after its '{'): its date into
 * iso, its length up to and including '}' into *len.  0, or -1 with err. */
static int one_placeholder(const char *s, int32_t first, int32_t last, char *iso, size_t *len,
	char *err, size_t size)
{
	size_t n = 0, k;
	long off = 0;
	int32_t day;

	while (name_char(s[n]))
		n++;
	k = n;
	if (s[k] == '+' || s[k] == '-') {
		size_t d = ++k;
		while (s[k] >= '0' && s[k] <= '9' && k - d < 5)
			off = off * 10 + (s[k++] - '0');
		if (k == d || (s[k] >= '0' && s[k] <= '9')) {
			snprintf(err, size, "placeholder '{%.*s': the days after %c are 1 to 4 digits",
				(int)d, s, s[d - 1]);
			return -1;
		}
		if (s[d - 1] == '-')
			off = -off;
	}
	if (s[k] != '}') {
		snprintf(err, size, "placeholder '{%.*s' is not closed by '}'", (int)k, s);
		return -1;
	}
	if (n == 12 && strncmp(s, "period_start", n) == 0) {
		day = first;
	} else if (n == 10 && strncmp(s, "period_end", n) == 0) {
		day = last;
	} else {
		snprintf(err, size, "unknown placeholder '{%.*s}' ({period_start}, {period_end}, "
			"each with an optional +N or -N days)", (int)k, s);
		return -1;
	}
	if (off > 9999 || off < -9999) {
		snprintf(err, size, "placeholder '{%.*s}': at most 9999 days", (int)k, s);
		return -1;
	}
	date_iso(day + (int32_t)off, iso);
	*len = k + 1;
	return 0;
}

char *bplaceholder_expand(const char *text, const struct bperiod *p, int *used, char *err, size_t size)
{
	struct sbuf b = SBUF_INIT;
	int32_t first, last;

	if (bperiod_dates(p, &first, &last) != 0) {
		first = days_from_civil(STAND_IN_YEAR, 1, 1);
		last = days_from_civil(STAND_IN_YEAR, 1, 31);
	}
	for (const char *s = text; *s; s++) {
		char iso[16];
		size_t len;
		/* Only '{' and a letter starts a placeholder: a{2} in a pattern is not one. */
		if (s[0] != '{' || !((s[1] >= 'a' && s[1] <= 'z') || (s[1] >= 'A' && s[1] <= 'Z') || s[1] == '_')) {
			sbuf_addc(&b, *s);
			continue;
		}
		if (one_placeholder(s + 1, first, last, iso, &len, err, size) < 0) {
			sbuf_release(&b);
			return NULL;
		}
		sbuf_addstr(&b, iso);
		s += len;
		*used = 1;
	}
	char *out = xstrdup(sbuf_cstr(&b));
	sbuf_release(&b);
	return out;
}

void bperiod_to_end_condition(const struct bperiod *p, const char *column, char *buf, size_t size)
{
	int32_t first, last;
	char iso[16];

	if (bperiod_dates(p, &first, &last) != 0) {
		buf[0] = '\0';
		return;
	}
	date_iso(last, iso);
	snprintf(buf, size, "%s <= %s", column, iso);
}

static void free_list(char **items, size_t n)
{
	for (size_t k = 0; items && k < n; k++)
		free(items[k]);
	free(items);
}

/* Expands raw[0..n) into a new list: NULL (all freed) on the first error. */
static char **expand_list(char **raw, size_t n, const struct bperiod *p, int *used, char *err, size_t size)
{
	char **out = xcalloc(n + 1, sizeof(*out));

	for (size_t k = 0; k < n; k++) {
		out[k] = bplaceholder_expand(raw[k], p, used, err, size);
		if (!out[k]) {
			free_list(out, k);
			return NULL;
		}
	}
	return out;
}

int bindicator_dates(struct bindicator *ind, const struct bperiod *p, const char **member, char *err, size_t size)
{
	int used = 0;
	char *group = NULL, **stats, **where = NULL;

	*member = "group";
	if (ind->group_raw && !(group = bplaceholder_expand(ind->group_raw, p, &used, err, size)))
		return -1;
	*member = "stats";
	if (!(stats = expand_list(ind->stats_raw, ind->nstats, p, &used, err, size))) {
		free(group);
		return -1;
	}
	*member = "where";
	if (!(where = expand_list(ind->where_raw, ind->nwhere, p, &used, err, size))) {
		free(group);
		free_list(stats, ind->nstats);
		return -1;
	}
	free(ind->group);
	free_list(ind->stats, ind->nstats);
	free_list(ind->where, ind->nwhere);
	ind->group = group;
	ind->stats = stats;
	ind->where = where;
	ind->dated = used;
	return 0;
}

int bulletin_set_period(struct bulletin *b, const struct bperiod *p)
{
	int32_t first, last;
	int status = 0;

	b->period = *p;
	for (size_t i = 0; i < b->nind; i++) {
		struct bindicator *ind = &b->ind[i];
		const char *member;
		char err[512];
		if (!ind->dated && !ind->to_end)
			continue;
		if (bperiod_dates(p, &first, &last) != 0) {
			civic_warn("%s: indicator '%s' (%zu) counts as of the period's end: give --period, "
				"--quarter or --year", b->path, ind->id, ind->pos);
			status = -1;
		} else if (bindicator_dates(ind, p, &member, err, sizeof(err)) < 0) {
			/* checked when the definition was loaded */
			civic_warn("%s: indicator '%s' (%zu), member '%s': %s", b->path, ind->id, ind->pos, member, err);
			status = -1;
		}
	}
	return status;
}
