/* civic-ingest --describe: does a column look personal?  By its name
 * (name, ФИО, familiya, phone, телефон, passport, паспорт, address…) or by
 * most of its values: phone numbers (+998 90 123-45-67, 8 (371) 123 45 67),
 * passport-like IDs (AA1234567, 4509 123456), full names with a patronymic
 * (Иванов Иван Иванович, Karimov Aziz Anvar o'g'li).  A guess for a draft
 * that a person reads, never a decision ingest makes by itself. */
#ifndef CIVIC_PII_GUESS_H
#define CIVIC_PII_GUESS_H

#include <stddef.h>

enum pii_kind {
	PII_KIND_NONE,
	PII_KIND_NAME,
	PII_KIND_PHONE,
	PII_KIND_ID,
	PII_KIND_ADDRESS,
	PII_KIND_BIRTH,
};

/* The kind a column name suggests, or PII_KIND_NONE. */
enum pii_kind pii_guess_header(const char *name);
/* The kind one value looks like, or PII_KIND_NONE. */
enum pii_kind pii_guess_value(const char *s, size_t n);
/* "names", "phone numbers", "passport-like IDs", "addresses", "dates of birth". */
const char *pii_kind_name(enum pii_kind k);

#endif
