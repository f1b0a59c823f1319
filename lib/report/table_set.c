/* Disclosure control of a set of published tables (table_set.h). */
#include <stdlib.h>

#include "error.h"
#include "render_pivot.h"
#include "table_set.h"
#include "xalloc.h"

/* The table disclosure control works on: a pivot table spread back into
 * its long form (lng), any other table itself. */
static struct rtable *disclosed(struct rtable *t, struct rtable *lng)
{
	if (!t->npvalues)
		return t;
	pivot_unspread(t, lng);
	return lng;
}

static int suppress_one(struct rtable *t, double k, const char *what, struct suppress_result *res)
{
	if (suppress_table(t, k, res) != 0) {
		civic_warn("%s: cannot %s: the table has no n or count column", t->name, what);
		return -1;
	}
	return 0;
}

/* A previous period is hidden as it was published on its own: the same
 * suppression and audit, by its own counts (not frozen yet). */
static int suppress_previous(const struct audit_table *prev, double protection, const char *what)
{
	struct suppress_result ignored;
	struct audit_table alone = { prev->t, 0, prev->k };
	struct audit_opts ao = { prev->k, protection };
	struct audit_result res;

	if (suppress_one(prev->t, prev->k, what, &ignored) != 0)
		return -1;
	return audit_tables(&alone, 1, &ao, &res);
}

static double max_k(const struct table_set_entry *e, size_t n)
{
	double k = 0;

	for (size_t i = 0; i < n; i++)
		if (e[i].k > k)
			k = e[i].k;
	return k;
}

/* The audit's tables: the previous periods (frozen) first, then the
 * tables, each with its own threshold; orig[] the tables they stand for. */
static size_t gather(struct table_set_entry *e, size_t n, struct audit_table *at, struct rtable *lng,
	struct rtable **orig)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		if (!e[i].prev)
			continue;
		orig[m] = e[i].prev;
		at[m] = (struct audit_table){ disclosed(e[i].prev, &lng[m]), 1, e[i].k };
		m++;
	}
	for (size_t i = 0; i < n; i++, m++) {
		orig[m] = e[i].table;
		at[m] = (struct audit_table){ disclosed(e[i].table, &lng[m]), 0, e[i].k };
	}
	return m;
}

int table_set_suppress(struct table_set_entry *e, size_t n, double protection, const char *what,
	struct audit_result *res)
{
	struct audit_table *at = xcalloc(2 * n + 1, sizeof(*at));
	struct rtable *lng = xcalloc(2 * n + 1, sizeof(*lng)), **orig = xcalloc(2 * n + 1, sizeof(*orig));
	struct audit_opts ao = { max_k(e, n), protection };
	size_t m = gather(e, n, at, lng, orig), nprev = m - n;
	int rc = 0;

	for (size_t i = 0; i < nprev && rc == 0; i++)
		rc = suppress_previous(&at[i], protection, what);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = suppress_one(at[nprev + i].t, e[i].k, what, &e[i].supp);
	if (rc == 0)
		rc = audit_tables(at, m, &ao, res);
	for (size_t i = 0; i < n; i++)
		suppress_count(at[nprev + i].t, &e[i].supp);
	for (size_t i = 0; i < m; i++) {
		orig[i]->hidden_below = at[i].t->hidden_below;
		if (at[i].t != orig[i]) {
			pivot_copy_flags(orig[i], at[i].t);
			rtable_release(at[i].t);
		}
	}
	free(orig);
	free(lng);
	free(at);
	return rc;
}
