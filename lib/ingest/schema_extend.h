/* A schema that extends another ("extends": "registry"), merged into one
 * JSON schema before it is checked and loaded.
 *
 * The base is found as -s finds a schema (the name as given, then in the
 * shipped schemas/, with ".json" added when it has none) and may itself
 * extend another, up to SCHEMA_EXTEND_DEPTH.  Then the extending schema's
 * keys replace the base's, except "fields": a field named as one of the
 * base's changes it (its "from" names are added to the base's, every other
 * key replaces the base's: type, formats, missing, required, pii…), any
 * other field is added after the base's. */
#ifndef CIVIC_SCHEMA_EXTEND_H
#define CIVIC_SCHEMA_EXTEND_H

#include <jansson.h>

enum { SCHEMA_EXTEND_DEPTH = 8 };

/* The schema at path, bases merged in, without "extends"; NULL after a
 * message ("FILE:LINE: …" for JSON errors). */
json_t *schema_extend_load(const char *path);

#endif
