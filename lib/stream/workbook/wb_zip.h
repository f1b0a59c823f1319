/* Zip members of a workbook (.xlsx, .ods) read in chunks through libzip,
 * within limits.
 *
 * A member is refused before a byte is inflated when the central directory
 * says it is larger than limits.max_part_bytes, or that it inflates more
 * than limits.max_ratio times; and again while it is read, because the
 * directory can lie: the count of bytes actually inflated is checked
 * against the same limits at every chunk.  A directory libzip finds
 * inconsistent, a bad CRC or a truncated member are errors with a message,
 * never a short read taken for the end. */
#ifndef CIVIC_WB_ZIP_H
#define CIVIC_WB_ZIP_H

#include <stddef.h>
#include <sys/types.h>
#include "workbook.h"

enum {
	WB_DEFAULT_MAX_PART = 1024u * 1024 * 1024,   /* 1 GiB inflated per member */
	WB_DEFAULT_MAX_RATIO = 200,
	/* Below this many inflated bytes the ratio is not checked: a tiny
	 * member of repeated markup compresses well and is harmless. */
	WB_RATIO_FLOOR = 1024 * 1024,
};

struct wb_zip;
struct wb_member;

/* NULL with err->what filled when the file is not a readable zip. */
struct wb_zip *wb_zip_open(const char *path, const struct wb_limits *limits,
			   struct wb_error *err);
void wb_zip_close(struct wb_zip *z);
/* Whether a member of that exact name exists. */
int wb_zip_has(struct wb_zip *z, const char *name);

/* NULL with err filled: missing ("no member NAME"), or refused by a limit. */
struct wb_member *wb_member_open(struct wb_zip *z, const char *name, struct wb_error *err);
/* Up to n bytes: the count, 0 at the end, -1 with err filled. */
ssize_t wb_member_read(struct wb_member *m, char *buf, size_t n, struct wb_error *err);
void wb_member_close(struct wb_member *m);

#endif
