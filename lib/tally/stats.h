/* The statistics -s names: one entry each in stat_defs (stats.c).
 *
 * An entry says all there is to a statistic: its name and what its :ARG
 * is read as (parse), what per-group state its value source keeps (need:
 * NEED_* of agg.h, which says how that state is accumulated, merged, held
 * in a partial and absorbed from the second thread), how a cell's value is
 * computed from that state (value), and how civic-report recognises and
 * heads its column (column, label, label_of).  The generic code (agg.c,
 * agg_cell.c, rtable.c, render_cell.c) dispatches through the entry.
 *
 * A statistic that is a new function of existing state (moments, min/max,
 * held values, distinct values, counts) is one entry and its value
 * function here, plus the words of its heading in share/civic/lang/.  Only
 * a new kind of per-group state adds a NEED_ bit and its paths in agg.c
 * (reserve, accumulate, merge, release), partial.c and agg_absorb.c. */
#ifndef CIVIC_STATS_H
#define CIVIC_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "agg.h"
#include "stat_column.h"

enum {
	SF_ARG_NONE = 0,
	SF_ARG = 1,            /* needs :C */
	SF_ARG_OPT = 2,        /* :C optional (n:C, share:COND) */
	SF_ESTIMATE = 4,       /* can take --ci / --deff */
	SF_ZERO = 8,           /* an empty cross-tab cell shows 0 */
	SF_GROUP_ACC = 16,     /* without :C, reads the group's survey sums (a->acc) */
};

/* The cell a value is asked for: gid a group id, or -1 for an empty
 * cross-tab cell whose key (for the share base) is key[0..len); g the
 * group whose state is read (a->empty for -1). */
struct cell_at {
	long gid;
	uint32_t g;
	const char *key;
	size_t len;
};

struct stat_def {
	const char *name;      /* as -s writes it; "pNN" stands for p0 … p100 */
	enum stat_kind kind;   /* for code that asks which statistic it is */
	int flags;             /* SF_* */
	enum src_kind src;     /* what :ARG is read as */
	int need;              /* NEED_* for that source */
	/* 0, with the quantile probability in *p, when name[0..len) names this
	 * statistic; NULL: the name exactly. */
	int (*match)(const char *name, size_t len, double *p);
	/* Adds its value sources for arg, the index of the first (or -1 with
	 * err); NULL: one source of kind src reading arg. */
	int (*sources)(struct agg *a, const char *arg, char *err, size_t errsize);
	/* The value of a cell (and its survey estimate, if it has one): 0, or
	 * -1 when the design fails (svy_design_error). */
	int (*value)(struct agg *a, const struct statistic *st, const struct cell_at *at,
		struct cell *out);
	/* civic-report: */
	enum column_kind column;       /* how its column is shown */
	const char *label;             /* lang key of its heading alone ("count"), or NULL */
	const char *label_of;          /* … of a column ("mean_x": {x} is x), or NULL */
};

/* The entries, ending with one whose name is NULL. */
extern const struct stat_def stat_defs[];

/* The statistic name[0..len) names, *p its probability (0.5 when none);
 * NULL when none. */
const struct stat_def *stat_lookup(const char *name, size_t len, double *p);

/* The statistic a column civic-tally wrote is named after: "count",
 * "share", "mean_x" (*subject "x"; NULL for a statistic alone).  NULL when
 * none is, or for pNN_x, whose name is a pattern (rtable.c and
 * render_cell.c read it). */
const struct stat_def *stat_of_column(const char *name, const char **subject);

#endif
