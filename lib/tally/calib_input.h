/* The passes over the input a calibrated tally makes before its own
 * (survey_calib.h): standard input spooled to a temporary file so that it
 * can be read twice, the first pass that fits the calibration, and
 * --write-weights, which writes each record with its calibrated weight. */
#ifndef CIVIC_CALIB_INPUT_H
#define CIVIC_CALIB_INPUT_H

#include <stdio.h>

#include "inputs.h"
#include "rejects.h"
#include "survey_calib.h"

/* The inputs of a calibrated run: the operands, with standard input
 * ("-" or no operand) replaced by a temporary copy of it. */
struct calib_files {
	char **paths;
	size_t n;
	char *spool;           /* the copy's path, NULL when none */
};
/* 0, or -1 after a message (the copy could not be written). */
int calib_files_open(struct calib_files *f, char **paths, size_t n);
/* How a record's file is shown: "(standard input)" for the copy. */
const char *calib_display(const struct calib_files *f, const char *name);
/* The same for the name of an input's first file (in->first_name). */
void calib_input_name(struct inputs *in, const struct calib_files *f);
/* Removes the copy. */
void calib_files_close(struct calib_files *f);

struct calib_design {
	const char *weight, *strata, *psu, *fpc;
	enum svy_lonely lonely;
};

/* The input opened and c bound to its header: 0, or -1 after a message
 * (release in either way).  The first pass (calib_first_pass) is in
 * parallel/calib_half.h, where it may use a second core. */
int calib_open_inputs(struct inputs *in, struct svy_calib *c, const struct calib_files *f,
	const struct reader_opts *ro, const struct calib_design *cd);

/* Writes every record, in the input's format, with a last column
 * calibrated_weight; records the reader rejects go to rj.  Counts into
 * *read and *rejected.  0, or -1 after a message. */
int calib_write_weights(struct svy_calib *c, const struct calib_files *f, const struct reader_opts *ro,
	FILE *out, struct rejects *rj, unsigned long *read, unsigned long *rejected);

#endif
