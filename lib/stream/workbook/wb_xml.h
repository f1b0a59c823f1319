/* A zip member parsed by expat, chunk by chunk, never held whole.
 *
 * Names come namespaced as "URI|local" (XML_ParserCreateNS with '|');
 * wb_xml_local() gives the local part, wb_xml_attr() finds an attribute by
 * its local name.  A document type declaration is refused outright, so
 * there is no entity to expand (no "billion laughs", no external entity):
 * workbooks never need one.
 *
 * Handlers may call wb_xml_pause() (after a sheet row, say): wb_xml_run()
 * then returns 1, and the next wb_xml_run() resumes where parsing stopped.
 * A handler that finds the content wrong calls wb_xml_fail(). */
#ifndef CIVIC_WB_XML_H
#define CIVIC_WB_XML_H

#include <expat.h>
#include "wb_zip.h"

struct wb_xml {
	XML_Parser p;
	struct wb_member *m;
	struct wb_error *err;          /* where wb_xml_fail() writes */
	int state;                     /* 0 parsing, 1 suspended, 2 ended, -1 failed */
	int failed;
	int final_fed;
	void *ud;                      /* the caller's: handlers get the wb_xml, whose ud this is */
};

/* Opens member `name` of z and a parser on it with the given handlers;
 * they receive x itself as their user data, and find ud in x->ud; 0, or -1 with err filled (a missing member too). */
int wb_xml_open(struct wb_xml *x, struct wb_zip *z, const char *name, void *ud,
		XML_StartElementHandler start, XML_EndElementHandler end,
		XML_CharacterDataHandler text, struct wb_error *err);
void wb_xml_close(struct wb_xml *x);

/* Parses on: 1 paused by a handler, 0 at the end of the document, -1 with
 * err filled (bad XML, a limit, a handler's wb_xml_fail). */
int wb_xml_run(struct wb_xml *x);
/* Parses the whole member (handlers must not pause). */
int wb_xml_parse_all(struct wb_xml *x);

void wb_xml_pause(struct wb_xml *x);
void wb_xml_fail(struct wb_xml *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

const char *wb_xml_local(const char *name);
/* The value of the attribute whose local name is `local`, or NULL. */
const char *wb_xml_attr(const char **attrs, const char *local);

#endif
