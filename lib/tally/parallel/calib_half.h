/* The calibration's first pass (calib_input.h) on two cores: a second
 * thread scans the second half of a large file into a part of the
 * calibration (svy_calib_part) while the caller scans the first, as
 * split_half.h does for the tally's pass.  The part is added to the
 * caller's calibration (svy_calib_absorb: exact sums, cells and PSUs new
 * to the first half appended in the order one pass meets them) only when
 * the caller's sequential read finds a record starting where the second
 * thread's first did and the second half read to its end without an
 * error; otherwise the caller reads on, and its messages name the right
 * line.  So the fit is the same, bit for bit, on one thread or two. */
#ifndef CIVIC_CALIB_HALF_H
#define CIVIC_CALIB_HALF_H

#include "calib_input.h"

/* Reads the input once and fits c.  0, or -1 after a message naming the
 * file and line at fault. */
int calib_first_pass(struct svy_calib *c, const struct calib_files *f, const struct reader_opts *ro,
	const struct calib_design *cd);

#endif
