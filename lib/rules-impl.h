/* What the rules-*.c files share among themselves; commands use rules.h. */
#ifndef CIVIC_RULES_IMPL_H
#define CIVIC_RULES_IMPL_H

#include "rules.h"

/* The callout number rules_compile() plants after each quantifier. */
enum { RULES_STEP_CALLOUT = 255 };

/* Compiles r->pattern into r->code.  On error returns -1 and sets *offset
 * (a byte offset into r->pattern) and msg. */
int rules_compile(struct rule *r, size_t *offset, char *msg, size_t msgsz);
void rules_code_free(void *code);

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
