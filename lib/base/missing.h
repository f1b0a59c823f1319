/* Missing-value codes: the answers a statistic leaves out as it leaves
 * out an empty field.
 *
 * likert.rules codes "hard to say" and "don't know" as dk and a refusal
 * as refused; neither is a point of a scale, so a mean or a share reads
 * them as no answer (R's NA) rather than rejecting the record.  A field
 * is missing when it is empty, blank (spaces and tabs), or, spaces and
 * tabs around it aside, exactly one of the codes (case matters).
 *
 * Memory: missing_init copies the list; missing_release frees it. */
#ifndef CIVIC_MISSING_H
#define CIVIC_MISSING_H

#include <stddef.h>

#define MISSING_DEFAULT "dk,refused"

struct missing {
	char **codes;
	size_t n;
	int has_number;        /* a code reads as a number (a codebook's 99) */
};

/* list: comma-separated codes ("" for none but the empty field); NULL
 * gives MISSING_DEFAULT.  -1 with err filled for an empty code ("dk,,x"). */
int missing_init(struct missing *m, const char *list, char *err, size_t errsize);
void missing_release(struct missing *m);
/* Adds one code s[0..n) as it is (a schema's list may hold any text;
 * spaces and tabs around it are dropped, an empty code adds nothing). */
void missing_add(struct missing *m, const char *s, size_t n);
/* 1 when s[0..n) is a missing value under m (m may be NULL: only the
 * empty and blank fields). */
int missing_value(const struct missing *m, const char *s, size_t n);
/* 1 when list names exactly the default codes (in any order). */
int missing_is_default(const struct missing *m);

#endif
