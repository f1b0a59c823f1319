/* The files a run writes — its output, side outputs (unmatched records,
 * statistics), its rejects — under one policy shared by every command:
 * committed together when the run is complete, withdrawn together when it
 * is not (a write failed, an input was cut short or skipped), so that no
 * reader ever takes a partial run for a whole one.  Rejects beyond
 * --max-rejects do not withdraw anything: the good rows are kept and the
 * exit status says the run failed. */
#ifndef CIVIC_RUN_OUTPUTS_H
#define CIVIC_RUN_OUTPUTS_H

#include <stddef.h>
#include "output.h"
#include "rejects.h"

enum { RUN_OUTPUTS_MAX = 4 };

struct run_outputs {
	struct output *out[RUN_OUTPUTS_MAX];
	size_t n;
	struct rejects *rejects;     /* NULL: the run writes none */
};

void run_outputs_init(struct run_outputs *r, struct rejects *rejects);
/* An output of the run, opened or not (one never opened is skipped). */
void run_outputs_add(struct run_outputs *r, struct output *o);
/* complete: every output closed and renamed into place, then the rejects;
 * each failure is reported and the rest still committed.  Else every one
 * withdrawn.  0, or -1 when a commit failed. */
int run_outputs_finish(struct run_outputs *r, int complete);

#endif
