/* Reading a regular file by mapping it: the parser scans the page cache
 * itself instead of a copy that read() makes, which was a fifth of the
 * time of a count. */
#ifndef CIVIC_SOURCE_MAP_H
#define CIVIC_SOURCE_MAP_H

#include "source.h"

/* Maps src->fd when it is a non-empty regular file that does not start
 * with a UTF-16 byte-order mark; otherwise leaves src to read().  Never
 * fails: reading is always the fallback. */
void source_map(struct source *src);
void source_unmap(struct source *src);

#endif
