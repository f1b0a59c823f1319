/* What the rules-*.c files share among themselves; commands use rules.h. */
#ifndef CIVIC_RULES_IMPL_H
#define CIVIC_RULES_IMPL_H

#include "rules.h"

/* The callout number rules_compile() plants after each quantifier. */
enum { RULES_STEP_CALLOUT = 255 };

/* Compiles r->pattern into r->alts.  On error returns -1 and sets *offset
 * (a byte offset into r->pattern) and msg. */
int rules_compile(struct rule *r, size_t *offset, char *msg, size_t msgsz);
void rules_free_alts(struct rule *r);

/* rules-prefilter.c: the top-level alternatives of p[0..n) as byte ranges
 * (0 when the pattern must not be split or has more than max), and the
 * literals one of which every match of an alternative contains. */
size_t rules_split(const char *p, size_t n, size_t *starts, size_t *ends, size_t max);
void rules_literals(const char *p, size_t n, struct rule_alt *alt);

struct rules_literal_ref {
	const char *s;
	size_t len;
	uint32_t id;
};

/* An Aho-Corasick automaton over byte classes: delta[state * nclass + class]. */
struct rules_prefilter {
	uint8_t cls[256];
	size_t nclass, nstates;      /* nclass == 1 << shift */
	unsigned shift;
	uint16_t *delta;
	uint8_t *has_out;
	uint32_t **out;              /* the literal ids that end at each state */
	size_t *nout;
};

void rules_prefilter_build(struct rules_prefilter *pf, const struct rules_literal_ref *lits, size_t n);
/* Sets mark[id] = gen for every literal id found in s[0..n) and appends
 * the ids newly marked to cand; returns how many it appended. */
size_t rules_prefilter_scan(const struct rules_prefilter *pf, const char *s, size_t n,
	uint32_t *mark, uint32_t gen, uint32_t *cand);
void rules_prefilter_release(struct rules_prefilter *pf);

/* Records an error at file:line:column (column counted in characters from
 * the byte offset col_byte into source; source may be NULL). */
void rules_error(struct rulebook *rb, const char *file, unsigned long line,
	const char *source, size_t col_byte, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Map values of a set (rules.c): adds s->rules[i]'s key and returns -1,
 * or returns the index of the rule that already maps the same key. */
long ruleset_map_add(struct ruleset *s, size_t i);
long ruleset_map_find(const struct ruleset *s, const char *key, size_t n);

#endif
