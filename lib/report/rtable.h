/* A tally table as civic-report sees it: key columns, then statistic
 * columns, every cell kept as read and as a number.
 *
 * Column roles come from civic-tally's naming: the statistics of its
 * table (stats.h: count, n, share, mean_C, … ratio_A/B), pNN_C and
 * rate_per_N are estimates; X_se, X_low, X_high, X_deff are parts of the estimate X.
 * Leading columns that are none of these are the group keys (a pivoted
 * table, whose columns are key values, has as keys its leading columns
 * that are not all numbers).  The table owns every string it holds. */
#ifndef CIVIC_RTABLE_H
#define CIVIC_RTABLE_H

#include <stddef.h>
#include "groups.h"
#include "sbuf.h"
#include "stat_column.h"

enum stat_part { PART_EST, PART_SE, PART_LOW, PART_HIGH, PART_DEFF };

struct rcol {
	char *name;
	int is_key;
	enum column_kind kind;
	enum stat_part part;
	long base;                   /* the estimate a part (or change) belongs to; itself for an estimate */
	long se, low, high, deff;    /* an estimate's parts, -1 when absent */
	int digits;                  /* decimals shown; -1 until render_digits() */
	int integral;                /* every value in the column is a whole number */
	long pvalue;                 /* a --pivot column: the index of its key value, else -1 */
	char *stat;                  /* a --pivot column: its statistic's name (share_se), else NULL */
};

/* Cell flags. */
enum {
	CELL_PRIMARY = 1,            /* count below the threshold, hidden */
	CELL_SECONDARY = 2,          /* hidden so a primary cell cannot be derived */
	CELL_UNRELIABLE = 4,         /* effective n too small or CV too large */
	CELL_UP = 8,                 /* change beyond Poisson noise */
	CELL_DOWN = 16,
};
#define CELL_HIDDEN (CELL_PRIMARY | CELL_SECONDARY)

struct rrow {
	char **cell;                 /* text as read */
	double *val;                 /* NAN when empty or not a number */
	unsigned char *flag;
	int total;                   /* a key cell reads "Total" (a civic-tally margin) */
};

struct rtable {
	char *name;                  /* display name of the source */
	char sha256[65];
	size_t ncols, nkeys;         /* keys are cols[0 .. nkeys) */
	struct rcol *cols;
	size_t nrows, rowcap;
	struct rrow *rows;
	int count_census;            /* rtable_count_is_census(), kept up to date */
	size_t npvalues;             /* a --pivot table (render_pivot.h): its key's values */
	char **pvalues;
	size_t pstats;               /* columns per value */
	double hidden_below;         /* suppression's k: a small count shows "<k"; 0: none ran */
};

void rtable_init(struct rtable *t, const char *name);
void rtable_release(struct rtable *t);

/* Reads path ("-": standard input) whole.  nkeys < 0 finds the keys from
 * the column names.  Returns 0, or -1 after reporting every bad record. */
int rtable_load(struct rtable *t, const char *path, long nkeys);

/* Column setup, used by rtable_load and by tests. */
void rtable_add_name(struct rtable *t, const char *name);
void rtable_add_row(struct rtable *t, const char *const *cells);
void rtable_classify(struct rtable *t, long nkeys);

long rtable_find(const struct rtable *t, const char *name);
/* The enum column_kind of a statistic name civic-tally writes, or -1. */
int rtable_stat_kind(const char *name);
/* A column's statistic: its name, or in a pivot table its name without
 * the key value (share_se_form1: share_se). */
const char *rtable_col_stat(const struct rtable *t, size_t c);
/* Appends a statistic column (empty cells) and returns its index. */
long rtable_add_stat(struct rtable *t, const char *name, enum column_kind kind, long base);
void rtable_set(struct rtable *t, size_t row, size_t col, double v);
void rtable_set_text(struct rtable *t, size_t row, size_t col, const char *s);

/* ---- rows by their keys (linear-time lookups) ------------------------ */

enum { RTABLE_MAX_MASK_KEYS = 63, RTABLE_MAX_MASKS = 64 };

/* Appends row r's keys in the groups.h encoding: key k reads as Total
 * where bit k of total_mask is set or the row is a margin there; key skip
 * (-1: none) is left out. */
void rtable_key_encode(struct sbuf *b, const struct rtable *t, size_t r, unsigned long total_mask, long skip);
/* Bit k set when row r is a margin over key k. */
unsigned long rtable_total_mask(const struct rtable *t, size_t r);
/* The distinct total masks of the table's margin rows (at most
 * RTABLE_MAX_MASKS); returns how many. */
size_t rtable_margin_masks(const struct rtable *t, unsigned long *masks);
/* Interns every margin row's key in g (groups_init'ed here, released by the
 * caller); (*margin_of)[id] is the row (caller frees). */
void rtable_margins_index(const struct rtable *t, struct groups *g, long **margin_of);
/* The margin row that adds up row q over the keys in mask, or -1; key is
 * scratch space. */
long rtable_covering_margin(const struct rtable *t, const struct groups *g, const long *margin_of,
	size_t q, unsigned long mask, struct sbuf *key);

/* The column whose values decide disclosure: n, else count; -1 if none. */
long rtable_size_col(const struct rtable *t);
/* 1 when key k is a calendar period (month(x), yyyy-mm values …). */
int rtable_key_is_period(const struct rtable *t, size_t k);
int stat_is_countlike(enum column_kind kind);
/* 1 when count is a plain number of rows (whole numbers, equal to n where
 * there is an n): a census count, whose interval says nothing to a reader. */
int rtable_count_is_census(const struct rtable *t);

#endif
