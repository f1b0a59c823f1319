/* The second core: how many threads civic may use, and independent jobs
 * spread over them.
 *
 * CIVIC_THREADS=1 keeps everything on one thread; CIVIC_THREADS=2 uses
 * two whatever the size of the work (for tests); by default two when the
 * machine has more than one CPU. */
#ifndef CIVIC_PARALLEL_H
#define CIVIC_PARALLEL_H

#include <stddef.h>

enum parallel_mode {
	PARALLEL_OFF,          /* one thread */
	PARALLEL_AUTO,         /* two, where the work is large enough */
	PARALLEL_FORCED,       /* two, whatever the size */
};
enum parallel_mode parallel_mode(void);
/* A command's -j option: this mode from now on, whatever CIVIC_THREADS
 * says (call it before any thread starts). */
void parallel_choose(enum parallel_mode m);

/* Calls job(ctx, i) once for every i < n, on two threads (the caller's
 * and one more) unless parallel_mode() is PARALLEL_OFF or n < 2, taking
 * the next i as each finishes one; returns when all are done.  Jobs must
 * not write what another job reads or writes.  If no thread can be
 * started the caller runs them all. */
void parallel_for(size_t n, void (*job)(void *ctx, size_t i), void *ctx);

#endif
