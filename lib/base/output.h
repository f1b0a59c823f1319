/* Where a command's output goes: standard output, or -o FILE written to a
 * temporary file in the same directory and renamed over FILE only when the
 * command succeeds, so a reader never sees half a file.
 *
 * output_close() flushes and checks everything (a full disk is reported
 * here if not before) and returns 0 or -1 after printing the error.
 * output_abort() removes the temporary file. */
#ifndef CIVIC_OUTPUT_H
#define CIVIC_OUTPUT_H

#include <stdio.h>
#include <sys/types.h>

struct output {
	FILE *fp;
	char *path;                  /* NULL: standard output */
	char *tmp;
};

/* path NULL or "-" is standard output.  mode is applied to the new file
 * (0600 for files that hold personal data, 0644 otherwise, less umask for 0644).
 * Returns 0, or -1 with a message printed. */
int output_open(struct output *o, const char *path, mode_t mode);
int output_close(struct output *o);
/* 1 when path names a file rather than standard output (NULL or "-"). */
int output_is_file(const char *path);
void output_abort(struct output *o);

/* 1 when paths a and b (NULL or "-": standard output) would write the same
 * file: the same device and inode (through symbolic links, /dev/stdout and
 * /dev/fd/N included), or, for a file not yet there, the same name once
 * its directory is resolved.  Terminals and other character devices
 * (/dev/null, /dev/stderr on a terminal) may be shared. */
int output_same_file(const char *a, const char *b);

/* Flush and close standard output at exit, reporting a write error
 * ("write error: No space left on device").  Returns 0 or -1. */
int close_stdout(void);

/* Another temporary file for output_unlink_pending() to remove (path
 * stays allocated until untracked), and forgetting it. */
void output_track_temp(char *path);
void output_untrack_temp(const char *path);

/* Removes the temporary files of outputs still open; async-signal-safe,
 * for a handler of a fatal signal. */
void output_unlink_pending(void);

#endif
