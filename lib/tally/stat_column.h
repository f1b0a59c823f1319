/* The kinds of column in a table civic-tally writes, as civic-report tells
 * them apart (rtable.h): one per statistic's way of being shown (a
 * statistic's entry in stats.c names its kind), then the columns that
 * are no statistic and those --compare adds. */
#ifndef CIVIC_STAT_COLUMN_H
#define CIVIC_STAT_COLUMN_H

enum column_kind {
	STAT_COUNT, STAT_N, STAT_SHARE, STAT_MEAN, STAT_SUM, STAT_MIN, STAT_MAX,
	STAT_SD,                                     /* a spread in the unit of its column */
	STAT_MEDIAN, STAT_PCT, STAT_DISTINCT, STAT_MISSING,
	STAT_RATE,                                   /* rate_per_N (--per) */
	STAT_RATIO,                                  /* ratio_A/B */
	STAT_OTHER,
	STAT_PREV, STAT_CHANGE, STAT_CHANGE_PCT,     /* added by --compare */
	STAT_CHANGE_SE, STAT_CHANGE_P,               /* and by a tested comparison (render_compare.h) */
};

#endif
