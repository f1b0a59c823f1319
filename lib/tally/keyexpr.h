/* Key and value expressions: what -g groups by and what a statistic reads.
 *
 *   COLUMN                 the field as it is
 *   year(C)     2024       quarter(C)  2024-Q1     month(C)  2024-01
 *   week(C)     2024-W01   (ISO 8601 week, with its ISO year)
 *   day(C)      2024-01-15 weekday(C)  Mon … Sun
 *   days(A,B)   whole days from date A to date B (B - A), a number
 *
 * C, A and B are date columns (yyyy-mm-dd, optionally with a time, or
 * dd.mm.yyyy).  An empty field gives an empty key or a missing value; a
 * field that is not a date is an error for that row.  A header column
 * whose name is exactly the expression text wins over the function.
 *
 * year(C) and days(A,B) are numbers; the other date keys are text.
 *
 * A condition COND is EXPR OP VALUE with OP one of <= < >= > = !=; a
 * numeric VALUE compares numbers, anything else compares text, e.g.
 *   days(received_at,resolved_at)<=15     outcome=resolved
 * Before any record is read, kxcond_parse refuses what can only be a
 * mistake: an operator it does not know (=< => == <> …, with the one
 * meant), an ordering (< <= > >=) against a value that is neither a
 * number nor a date (yyyy-mm-dd for a column, the key's own form such as
 * 2024-03 or 2024-Q1 for a date key),
 * a numeric key against one that is not, another date key against a
 * number, and an empty VALUE.
 * It is true, false, or missing (EXPR empty, or a missing-value code:
 * missing.h). */
#ifndef CIVIC_KEYEXPR_H
#define CIVIC_KEYEXPR_H

#include <stddef.h>
#include <stdint.h>
#include "datecache.h"
#include "missing.h"
#include "numscan.h"
#include "reject.h"
#include "split_list.h"
#include "record.h"

struct kx_func;

struct keyexpr {
	char *text;                    /* as written */
	const struct kx_func *fn;      /* NULL: a plain column */
	char *arg[2];                  /* column names */
	long col[2];                   /* header indices, after keyexpr_bind */
};

enum kx_op { KX_LE, KX_LT, KX_GE, KX_GT, KX_EQ, KX_NE };

struct kxcond {
	char *text;
	struct keyexpr lhs;
	enum kx_op op;
	char *rhs;
	size_t rhs_len;                /* strlen(rhs), not counted per row */
	int numeric;                   /* rhs is a number: compare numbers */
	double rhs_value;
	int dated;                     /* rhs is yyyy-mm-dd, expr a column: compare dates */
	int32_t rhs_days;
};

/* keyexpr_parse: syntax only ("month(x)", "days(a,b)", "name"); -1 with
 * err filled ("unknown function 'mnth' (did you mean 'month'?)"). */
int keyexpr_parse(struct keyexpr *k, const char *text, char *err, size_t errsize);
/* Sets want[c] for each column c a bound expression reads (c < n). */
void keyexpr_mark_columns(const struct keyexpr *k, unsigned char *want, size_t n);
/* Resolves column names against h; -1 with err naming the column. */
int keyexpr_bind(struct keyexpr *k, const struct header *h, char *err, size_t errsize);
void keyexpr_release(struct keyexpr *k);
/* weekday(C) keys sort Monday first: keyexpr_is_weekday says which keys
 * are such, keyexpr_weekday_rank gives a name's rank 1..7 (0 otherwise). */
int keyexpr_is_weekday(const struct keyexpr *k);
int keyexpr_weekday_rank(const struct keyexpr *k, const char *s, size_t n);

/* The key text for rec: *p and *n point into rec or into buf (32 bytes).
 * 0, or -1 with why filled (not a date). */
int keyexpr_text(const struct keyexpr *k, const struct record *rec,
	struct datecache *dc, char *buf, const char **p, size_t *n, struct reject *why);
/* 1 for keys whose values are numbers: days(A,B) and year(C). */
int keyexpr_is_numeric(const struct keyexpr *k);
/* The value as a number: 1, 0 when missing (empty, or a code of miss,
 * which may be NULL), -1 with why filled. */
int keyexpr_number(const struct keyexpr *k, const struct record *rec,
	struct datecache *dc, const struct missing *miss, struct decnum *v, struct reject *why);

/* Splits "EXPR OP VALUE"; -1 with err (the condition and a caret under
 * the fault on the lines after the message) when it cannot be meant. */
int kxcond_parse(struct kxcond *c, const char *text, char *err, size_t errsize);
/* One comparison of a larger condition text (cond.h): lhs is the key as
 * written, starting at byte lhs_at of text, rhs the value (unquoted), at
 * rhs_at; errors point into text.  0, or -1 with err as kxcond_parse's. */
int kxcond_atom(struct kxcond *c, const char *text, const char *lhs, size_t lhs_at,
	enum kx_op op, const char *rhs, size_t rhs_at, char *err, size_t errsize);
/* The operator at[0..len) of text; -1 with err (the one meant, a caret). */
int kxcond_op(const char *text, const char *at, size_t len, enum kx_op *op,
	char *err, size_t errsize);
/* Formats "what is wrong" into err, then text with a caret under byte
 * offset at (counted in characters); returns -1. */
int cond_error(const char *text, size_t at, char *err, size_t errsize, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int kxcond_bind(struct kxcond *c, const struct header *h, char *err, size_t errsize);
void kxcond_release(struct kxcond *c);
/* 1 true, 0 false, 2 missing; -1 with why filled. */
/* 0 when kxcond_eval() can never return -1, whatever the row. */
int kxcond_may_reject(const struct kxcond *c);
int kxcond_eval(const struct kxcond *c, const struct record *rec,
	struct datecache *dc, const struct missing *miss, struct reject *why);

/* Edit distance, for "did you mean" hints. */
size_t edit_distance(const char *a, const char *b);
/* The header column nearest to name, or NULL when none is close. */
const char *nearest_column(const struct header *h, const char *name);

#endif
