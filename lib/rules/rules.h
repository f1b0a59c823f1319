/* Rule books: named rule sets that code a text column into labels with
 * PCRE2 patterns and exact value maps (the format is civic-rules(5)).
 *
 *   struct rulebook *rb = rulebook_new();
 *   rulebook_load(rb, "subjects.rules");      // errors collected, not printed
 *   rulebook_apply(rb, "trust5", "trust_police");   // optional: a set on a column
 *   rulebook_bind(rb, &in_header, ...);       // resolve columns, add outputs
 *   per record: ruleset_classify(rb, set, rec, flags, &hits, &why)
 *   rulebook_free(rb);
 *
 * Matching is caseless with Unicode properties (Cyrillic and Latin fold
 * alike), and both patterns and values are seen through rules_fold_match():
 * the apostrophe variants ʻ ʼ ’ ‘ ` ´ read as ', ё as е, the Uzbek Cyrillic
 * ў қ ғ ҳ as у к г х, and the Uzbek Latin ŏ ö ō ğ as o' and g'.  Every
 * match runs under a step budget and PCRE2's match, depth and heap limits,
 * so a catastrophic pattern costs a reject, never a hang.
 *
 * The book owns every string and compiled pattern; sets point into it. */
#ifndef CIVIC_RULES_H
#define CIVIC_RULES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "reject.h"
#include "record.h"
#include "sbuf.h"

/* One top-level alternative of a pattern, compiled on its own, with
 * literals one of which every match of it contains (none: not known). */
struct rule_alt {
	void *code;                  /* pcre2_code * */
	char **literals;
	size_t nliterals;
};

/* One rule: a pattern or one value of a map. */
struct rule {
	char *id;                    /* "theft.ru" or, for a map value, "BOOK:LINE" */
	char *label;
	char *pattern;               /* as written in the book; NULL for a map value */
	char *key;                   /* map value, normalised by rules_fold_key() */
	const char *file;            /* the book's path as given (owned by the book) */
	unsigned long line;
	struct rule_alt *alts;       /* the pattern matches when one of these does */
	size_t nalts;
};

struct rules_prefilter;

/* Per-rule counters a run keeps for --stats. */
struct rule_count {
	unsigned long matched;       /* rows the rule matched */
	unsigned long decided;       /* rows it was the first match on */
};

struct ruleset {
	char *name;                  /* the column it writes */
	char **from;                 /* the columns it reads, in order */
	size_t nfrom;
	int is_template;             /* defined with `template`: applied only by name */
	int is_copy;                 /* made by rulebook_apply(): not in rb->sets */
	const struct rule **rules;   /* in book order; shared with sets that `use` them */
	size_t nrules, cap;
	char *default_label;         /* NULL: empty, unless keep */
	int keep;                    /* no match: the first input column's value unchanged */
	int has_default;
	const char *file;            /* where the set starts */
	unsigned long line;

	size_t *slots;               /* map values: open-addressing table of rule index + 1 */
	size_t nslots, nmaps;

	/* Filled by rulebook_bind(). */
	long *from_col;              /* input column index of each from[] */
	long out_col;                /* output column: an input index (in place) or appended */
	long explain_col;            /* the NAME_rule column, or -1 */
	int in_place;
	struct rule_count *count;    /* nrules counters */
	unsigned long rows, defaults;
	size_t *alt_base;            /* rule i's alternatives are numbered from alt_base[i] */
	struct rules_prefilter *prefilter;
	uint32_t *mark;              /* == gen: the alternative's literal is in this row */
	uint32_t gen;
	size_t *alt_rule;            /* the rule each alternative belongs to */
	uint32_t *always;            /* alternatives with no literal, in order */
	size_t nalways;
	uint32_t *cand;              /* this row's marked alternatives */
	size_t ncand;
};

/* A problem found in a book: where, what, and the line to show a caret under. */
struct rules_error {
	char *file;
	unsigned long line, column;  /* column 1-based in characters; 0: whole line */
	char *message;
	char *source;                /* the book line, or NULL */
};

struct rulebook {
	struct rule **store;         /* every rule, owned */
	size_t nstore, capstore;
	struct ruleset **sets;       /* every set and template, owned, in definition order */
	size_t nsets, capsets;
	char **files;                /* books loaded (for include cycles and rule.file) */
	size_t nfiles, capfiles;
	struct rules_error *errors;
	size_t nerrors, caperrors;
	struct ruleset **applied;    /* what rulebook_bind() will run, in order */
	size_t napplied, capapplied;

	/* Matching state, reused for every row. */
	void *match_ctx, *match_data, *jit_stack;
	unsigned long steps_left;
	struct sbuf fold, key;
	struct sbuf *folds;          /* one per input column of the widest set */
	const char **subject;
	size_t *subject_len;
	long *map_hit;
	size_t nfolds;
};

/* Limits every match runs under. */
enum {
	RULES_STEP_BUDGET = 1000000,     /* callouts (backtracking steps) per match */
	RULES_MATCH_LIMIT = 10000000,
	RULES_DEPTH_LIMIT = 100000,
	RULES_HEAP_LIMIT_KIB = 65536,
};

struct rulebook *rulebook_new(void);
void rulebook_free(struct rulebook *rb);

/* Reads and compiles a book (and its includes).  name is a path, or the
 * name of a shipped book found with civic_find_data("rules", name).
 * Returns the number of errors added to rb->errors (0 when all is well). */
size_t rulebook_load(struct rulebook *rb, const char *name);

/* Looks a set or template up by name; NULL when there is none. */
struct ruleset *rulebook_find(struct rulebook *rb, const char *name);

/* Prints the loaded book as one book (civic-rules(5)): every set and
 * template with its columns, rules and maps in the order they are tried
 * (includes and `extend` blocks merged), a comment naming the book each
 * run of rules comes from, and the default.  Map values print folded.
 * 0, or -1 on a write error. */
int rulebook_show(const struct rulebook *rb, FILE *out);

/* Adds to the run a copy of set/template `name` that reads `column` and
 * rewrites it in place.  0, or -1 with an error added. */
int rulebook_apply(struct rulebook *rb, const char *name, const char *column);

/* Marks every set (not template) of the loaded books to run, after those
 * given to rulebook_apply(); call once, after loading. */
void rulebook_apply_sets(struct rulebook *rb);

/* Resolves each applied set's columns against the input header and builds
 * the output header (input columns, then new ones; with explain, a
 * NAME_rule column after each set's output).  0, or -1 with an error. */
int rulebook_bind(struct rulebook *rb, const struct header *in, struct header *out, int explain);

/* Makes s write column name instead (before rulebook_bind()). */
void ruleset_rename(struct ruleset *s, const char *name);

enum {
	RULES_ALL = 1,               /* find every matching rule, not just the first */
};

/* The rules of one set that matched one row: indexes into set->rules in
 * book order (hits->n == 0: the default applies).  The caller owns idx,
 * sized by rules_hits_init(). */
struct rules_hits {
	size_t *idx;
	size_t n;
};
void rules_hits_init(struct rules_hits *h, const struct ruleset *s);
void rules_hits_release(struct rules_hits *h);

/* Classifies rec with set s.  0 on success (hits filled, counters
 * updated), -1 when the row cannot be classified: a field that is not
 * UTF-8 or a pattern that ran out of its limits (why says which rule). */
int ruleset_classify(struct rulebook *rb, struct ruleset *s, const struct record *rec,
	int flags, struct rules_hits *hits, struct reject *why);

/* Writing a row's results (rules-put.c).  After classifying a row with
 * every applied set, call rules_row_begin() once, then rules_put() for
 * each set in order: the result goes to the set's column (rewritten in
 * place or appended), then its rule id to the NAME_rule column when bound
 * with explain.  A kept value is the first `from` column as read, whatever
 * an earlier set wrote there in place, just as every set classified the
 * row as read. */
struct rules_row {
	struct field *input;         /* the row's fields before any set wrote */
	size_t ninput, cap;
	struct sbuf labels, ids;     /* all: joined labels and rule ids */
};
void rules_row_init(struct rules_row *w);
void rules_row_release(struct rules_row *w);
void rules_row_begin(struct rules_row *w, const struct record *rec);
/* The first hit's label (all: every distinct label of the hits, joined
 * with ';', and their ids), else the default or (keep) the kept value. */
void rules_put(struct rules_row *w, const struct ruleset *s, const struct rules_hits *h,
	struct record *rec, int all);
/* Rule r's label and id as s's result (one row of --explode). */
void rules_put_rule(const struct ruleset *s, const struct rule *r, struct record *rec);

/* Writes the hit counts as a tab-separated table with flags for rules
 * that never fired and rules shadowed by earlier ones.  0 or -1 (errno). */
int rulebook_write_stats(const struct rulebook *rb, FILE *fp);

/* Text as rules see it (rules-fold.c).  rules_fold_match() returns s
 * itself when nothing needs folding, else buf's copy with the apostrophe
 * variants, ё and the Uzbek letters rewritten as above; *len is its length. */
const char *rules_fold_match(const char *s, size_t n, struct sbuf *buf, size_t *len);
/* A map value as looked up: folded as above (tmp is scratch space),
 * lower case (Latin and Cyrillic), trimmed, inner white space as one space. */
void rules_fold_key(const char *s, size_t n, struct sbuf *tmp, struct sbuf *out);

#endif
