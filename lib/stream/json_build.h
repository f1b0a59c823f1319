/* Building JSON with jansson where running out of memory ends the run, as
 * xalloc does: jansson reports exhaustion only as a NULL or -1 that is
 * easy to drop, which would lose a value from a partial silently. */
#ifndef CIVIC_JSON_BUILD_H
#define CIVIC_JSON_BUILD_H

#include <jansson.h>

/* j itself; exits with "out of memory" when j is NULL. */
json_t *jb_check(json_t *j);
/* json_object_set_new / json_array_append_new, checked the same way. */
void jb_set(json_t *obj, const char *key, json_t *value);
void jb_push(json_t *arr, json_t *value);

#endif
