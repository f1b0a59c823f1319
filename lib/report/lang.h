/* The words a report writes itself, in the reader's language.
 *
 * Translations are plain files, DATADIR/lang/<code>.txt, one "key = text"
 * a line (see share/civic/lang/en.txt), so that a native speaker corrects
 * them without touching C.  A text names its variable parts as {name}; a
 * count's text has one key per plural form (key.one, key.few, key.many,
 * key.other) as the language needs.  A key a language lacks, or whose text
 * names a part the English text does not have, falls back to English.
 *
 * One language is in use at a time for the whole process (like a locale,
 * and independent of it): lang_use() loads it, everything else reads it.
 * Before lang_use(), or after lang_release(), lookups return the key. */
#ifndef CIVIC_LANG_H
#define CIVIC_LANG_H

#include <stddef.h>
#include "sbuf.h"

/* The language asked for: opt (--lang) if given, else $CIVIC_LANG, else
 * the locale's language (LC_ALL, LC_MESSAGES, LANG) when it is shipped,
 * else "en".  A bad opt is a usage error; a bad $CIVIC_LANG a warning. */
const char *lang_choose(const char *opt);
/* Loads English and code ("en", "ru", "uz"; "uz-Latn" is "uz").  0, or -1
 * with a message (unknown language, unreadable file). */
int lang_use(const char *code);
void lang_release(void);
/* The code in use ("en" before lang_use()), and its HTML lang attribute. */
const char *lang_code(void);

/* The text for key: the language's, else English, else the key. */
const char *lang_text(const char *key);
/* Appends key's text with each {name} replaced by its value: the variable
 * arguments are name, value pairs (strings), ended by NULL. */
void lang_put(struct sbuf *b, const char *key, ...);
/* The same for a count n: key.one, key.few, key.many or key.other by the
 * language's plural rule; {n} is n. */
void lang_put_n(struct sbuf *b, const char *key, unsigned long n, ...);

/* Numbers as the language writes them, from the C form ("-11593.25",
 * "1e+20" is left alone): its decimal mark, and its thousands separator
 * between groups of the integer part when group is set.  out needs 3 times
 * the length of plain plus 1. */
void lang_number(const char *plain, int group, char *out);
/* A percentage: "38.7" becomes "38.7%" or "38,7 %" (in place; buf needs
 * 96 bytes). */
void lang_percent(char *buf);

/* The first letter of b from start on in upper or lower case (Latin and
 * Cyrillic), for headings made of several labels. */
void lang_case_first(struct sbuf *b, size_t start, int upper);

#endif
