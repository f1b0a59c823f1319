/* The provenance footer every report carries: which tool made it, from
 * what, how, and when.  The time is SOURCE_DATE_EPOCH when that is set, so
 * the same inputs and command line give the same report byte for byte. */
#ifndef CIVIC_RENDER_PROV_H
#define CIVIC_RENDER_PROV_H

#include <stddef.h>

struct prov_file {
	char *role;                  /* "input", "previous", "source" */
	char *name;
	char sha256[65];
	char *version;               /* a schema's or rule book's version, or NULL */
};

struct provenance {
	char *tool;                  /* "civic-report 0.1.0" */
	char *command;               /* the command line, quoted for a POSIX shell */
	char when[32];               /* "2024-02-01T00:00:00Z" */
	struct prov_file *files;
	size_t nfiles;
};

/* Returns 0, or -1 (message printed) when SOURCE_DATE_EPOCH is not a
 * whole number of seconds. */
int prov_init(struct provenance *p, int argc, char **argv);
void prov_release(struct provenance *p);
void prov_add(struct provenance *p, const char *role, const char *name,
	const char *sha256, const char *version);
/* A schema or rule book the figures come from (civic-report and
 * civic-bulletin --source): added as a "source" with its SHA-256 and
 * declared version.  0, or -1 after a message naming the file. */
int prov_add_source(struct provenance *p, const char *path);
/* The version a schema ("version" member) or a rule book (a "version"
 * line, commented or not) declares: malloc'd, or NULL. */
char *prov_declared_version(const char *path);

/* A file's role as the report's language names it, into b (reset first). */
struct sbuf;
void prov_role_text(struct sbuf *b, const char *role);

#endif
