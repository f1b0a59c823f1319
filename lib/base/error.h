/* Diagnostics and exit codes shared by every command.
 *
 * Library code reports problems through these helpers or return values;
 * only commands decide to exit.  Messages follow the form
 *   civic-ingest: FILE:LINE: what is wrong
 * lower case, no final period, bad values quoted. */
#ifndef CIVIC_ERROR_H
#define CIVIC_ERROR_H

#include <stdnoreturn.h>

enum civic_exit {
	CIVIC_EXIT_OK = 0,     /* success */
	CIVIC_EXIT_DATA = 1,   /* bad data, rejects beyond tolerance, I/O error */
	CIVIC_EXIT_USAGE = 2,  /* bad command line */
};

/* Set once from main(): the basename of argv[0] prefixes every message. */
void civic_set_progname(const char *argv0);
const char *civic_progname(void);

/* "prog: message".  A format ending in ':' gets ": strerror(errno)" appended. */
void civic_warn(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* "prog: FILE:LINE: message"; line 0 prints "prog: FILE: message". */
void civic_warn_at(const char *file, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
noreturn void civic_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints the message and "Try 'prog --help' for more information.", exits 2. */
noreturn void civic_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
