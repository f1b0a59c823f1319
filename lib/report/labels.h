/* Label files: the names codes are published under (civic-labels(5)).
 *
 * A label file is CSV with a header: column,value,label, or column,value
 * and one label_XX column per language (label_en,label_ru,label_uz).  An
 * empty value labels the column itself.  The shipped sets,
 * DATADIR/labels/ files ending in .csv, are loaded after the user's files: a user's label
 * wins over a shipped one, and among the user's files the later wins. */
#ifndef CIVIC_LABELS_H
#define CIVIC_LABELS_H

#include <stddef.h>

struct label_entry {
	char *column, *value;        /* value "" : the column itself */
	char *lang;                  /* "en", "ru", …; "" from a plain label column */
	char *text;
	int shipped;
	unsigned long line;
	const char *file;            /* the labels' file name, owned by the set */
};

struct labels {
	struct label_entry *e;
	size_t n;
	char **files;
	size_t nfiles;
};

void labels_init(struct labels *l);
void labels_release(struct labels *l);
/* Adds a file's labels; 0, or -1 with a message FILE:LINE: what is wrong. */
int labels_load(struct labels *l, const char *path, int shipped);
/* Every .csv file in DATADIR/labels/, in name order; 0 or -1. */
int labels_load_shipped(struct labels *l);
/* The label for column's value (value "" or NULL: for the column) in
 * language lang: one in that language or a plain label before an English
 * one; among those, the user's before the shipped (a later file first),
 * and the language's own before a plain label.  NULL when none. */
const char *labels_find(const struct labels *l, const char *column, const char *value, const char *lang);

#endif
