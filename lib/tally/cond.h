/* Conditions: the one language in which a row is tested (share:COND,
 * civic-tally --where, civic-filter; civic(7), CONDITIONS).
 *
 *   cond   := cond 'or' cond | cond 'and' cond | 'not' cond | '(' cond ')' | test
 *   test   := KEY OP VALUE                 OP: = != < <= > >=  (keyexpr.h)
 *           | KEY ['not'] 'in' '(' VALUE {',' VALUE} ')'
 *           | KEY '~' VALUE | KEY '!~' VALUE       PCRE2, caseless, Unicode
 *           | KEY 'is' ['not'] 'empty'
 *   KEY    := a column or a key expression (month(C), days(A,B), …), its
 *             name in quotes when it has spaces or operator characters
 *   VALUE  := a word, or 'quoted' / "quoted" ('' or "" inside for one quote)
 *
 * 'and' binds tighter than 'or'; keywords are read in any case.  Each
 * comparison is typed as keyexpr.h's kxcond says; `C in (a, b)` is
 * `C = a or C = b`.  A pattern and the values it is matched against are
 * folded as rule books fold text (rules.h: apostrophe variants, ё, the
 * Uzbek letters), and every match runs under the rule books' limits.
 *
 * Logic has three values: a test on a missing value (empty, blank, or a
 * missing-value code when the caller gives codes) is missing, not true
 * nor false; `not` keeps it missing; `and` is false when any side is
 * false, `or` true when any side is true, else missing wins.  `is empty`
 * and `is not empty` are never missing.  Every test of a row is
 * evaluated (no short cut), so whether a row is rejected never depends on
 * the order of the tests.
 *
 * Memory: cond_parse allocates, cond_release frees; the cond owns its
 * text, tree, compiled patterns and match scratch, so one cond serves one
 * thread. */
#ifndef CIVIC_COND_H
#define CIVIC_COND_H

#include <stddef.h>
#include "datecache.h"
#include "keyexpr.h"
#include "missing.h"
#include "reader.h"
#include "record.h"

struct cond_node;
struct cond_text;

struct cond {
	char *text;                    /* as written */
	struct cond_node *root;
	struct kxcond **cmp;           /* every comparison, in the order written */
	size_t ncmp;
	struct cond_text **texts;      /* every ~, !~ and is [not] empty */
	size_t ntexts;
	struct keyexpr **keys;         /* every KEY, for binding */
	size_t *key_at;                /* where each KEY starts in text, for a caret */
	size_t nkeys;
};

/* 0, or -1 with err filled: what is wrong, then the condition and a caret
 * under the fault on the two lines after the message. */
int cond_parse(struct cond *c, const char *text, char *err, size_t errsize);
/* Resolves column names against h; -1 with err as cond_parse's. */
int cond_bind(struct cond *c, const struct header *h, char *err, size_t errsize);
/* Sets want[col] for each column the condition reads (col < n). */
void cond_mark_columns(const struct cond *c, unsigned char *want, size_t n);
/* 1 true, 0 false, 2 missing; -1 with why filled (a value that is not a
 * number or a date where one is needed, text a pattern cannot be matched
 * against).  miss may be NULL: only empty and blank fields are missing. */
int cond_eval(struct cond *c, const struct record *rec, struct datecache *dc,
	const struct missing *miss, struct reject *why);
void cond_release(struct cond *c);

#endif
