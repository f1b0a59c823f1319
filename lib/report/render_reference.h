/* Reference values (struct report_reference, render.h): which a section
 * has, which bar or line each applies to, and the note that states them
 * and names what the chart cannot show. */
#ifndef CIVIC_RENDER_REFERENCE_H
#define CIVIC_RENDER_REFERENCE_H

#include "render.h"

/* The section's own reference, else the report's; NULL: none. */
const struct report_reference *reference_of(const struct report *rep, const struct report_section *s);
/* The key the values name: the first that is not a calendar period, else
 * the first; -1 for a table without keys. */
long reference_key(const struct rtable *t);
/* The value for key value v; NAN when there is none. */
double reference_value(const struct report_reference *r, const char *v);
/* 1 when r is of column c of t (r names it, or names none). */
int reference_of_column(const struct report_reference *r, const struct rtable *t, long c);
/* The section's note on its reference, appended to out (nothing when all is
 * drawn and the caller states the values): the values, unless stated; the
 * values for key values the table does not have; a column not charted. */
void reference_note(struct sbuf *out, const struct report *rep, const struct report_section *s);

#endif
