/* Where civic's shipped data (schemas, rule books) lives, and finding a
 * file there. */
#ifndef CIVIC_DATADIR_H
#define CIVIC_DATADIR_H

/* $CIVIC_DATADIR, else ../share/civic beside the executable (a build
 * tree), else the installed DATADIR. */
const char *civic_datadir(void);
/* Finds a shipped file: name as given if it exists, else DATADIR/subdir/name.
 * Returns a malloc'd path, or NULL. */
char *civic_find_data(const char *subdir, const char *name);

#endif
