/* The rejects stream: every record a command refuses, with its reason.
 *
 * Each reject is reported on stderr as "prog: FILE:LINE: message" (the
 * first 20; after that one line says how many more follow and where) and,
 * when a rejects file is named, written there as one NDJSON object:
 *   {"file":…,"line":…,"reason":…,"column":…,"message":…,"record":…}
 * The file may hold personal data, so it is created 0600, atomically. */
#ifndef CIVIC_REJECTS_H
#define CIVIC_REJECTS_H

#include "output.h"
#include "record.h"
#include "reject.h"
#include "writer.h"

struct rejects {
	struct output out;
	int to_file;
	unsigned long count;
	unsigned long shown;
	struct sbuf line;
};

/* path NULL: stderr messages only.  Returns 0 or -1 (message printed). */
int rejects_open(struct rejects *rj, const char *path);
void rejects_add(struct rejects *rj, const struct record *rec, const struct reject *why);
/* Commits the file; 0 or -1. */
int rejects_close(struct rejects *rj);
void rejects_abort(struct rejects *rj);

/* --max-rejects N or N%: how many rejects a run tolerates. */
struct reject_limit {
	double value;
	int percent;
};
/* Parses "N" or "N%"; 0 or -1. */
int reject_limit_parse(struct reject_limit *lim, const char *s);
/* 1 when rejected out of total records read exceeds the limit. */
int reject_limit_exceeded(const struct reject_limit *lim, unsigned long rejected, unsigned long total);
/* The same, saying so on standard error when it does. */
int reject_limit_check(const struct reject_limit *lim, unsigned long rejected, unsigned long total);

#endif
