/* Why a record was rejected: what readers, converters and conditions fill
 * in, and the rejects stream (rejects.h) writes out. */
#ifndef CIVIC_REJECT_H
#define CIVIC_REJECT_H

/* A stable reason code and a human message for one rejected record. */
struct reject {
	const char *reason;          /* e.g. "csv-unterminated-quote", "field-count", "invalid-utf8" */
	char column[128];            /* column name, or "" */
	char message[512];
	long field;                  /* the input field it is about, -1: the record (a workbook's
	                                reject names that field's cell); reject_set() sets -1 */
};

void reject_set(struct reject *why, const char *reason, const char *column,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
