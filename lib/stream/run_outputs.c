#include <stdlib.h>

#include "error.h"
#include "run_outputs.h"

void run_outputs_init(struct run_outputs *r, struct rejects *rejects)
{
	r->n = 0;
	r->rejects = rejects;
}

void run_outputs_add(struct run_outputs *r, struct output *o)
{
	if (r->n == RUN_OUTPUTS_MAX)
		civic_die(CIVIC_EXIT_DATA, "too many outputs for one run");   /* a programming error */
	r->out[r->n++] = o;
}

static void withdraw(struct run_outputs *r)
{
	for (size_t i = 0; i < r->n; i++)
		output_abort(r->out[i]);
	if (r->rejects)
		rejects_abort(r->rejects);
}

static int commit(struct run_outputs *r)
{
	int rc = 0;

	for (size_t i = 0; i < r->n; i++)
		if (output_close(r->out[i]) != 0)
			rc = -1;
	if (r->rejects && rejects_close(r->rejects) != 0)
		rc = -1;
	return rc;
}

int run_outputs_finish(struct run_outputs *r, int complete)
{
	if (!complete) {
		withdraw(r);
		return 0;
	}
	return commit(r);
}
