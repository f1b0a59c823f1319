/* expat over a zip member: chunked, suspendable, no document types. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wb_xml.h"

enum { CHUNK = 64 * 1024 };

void wb_xml_fail(struct wb_xml *x, const char *fmt, ...)
{
	va_list ap;

	if (!x->failed) {
		va_start(ap, fmt);
		vsnprintf(x->err->what, sizeof(x->err->what), fmt, ap);
		va_end(ap);
		x->failed = 1;
	}
	XML_StopParser(x->p, XML_FALSE);
}

void wb_xml_pause(struct wb_xml *x)
{
	XML_StopParser(x->p, XML_TRUE);
}

static void XMLCALL refuse_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
				   const XML_Char *pubid, int has_internal_subset)
{
	wb_xml_fail(ud, "the XML declares a document type (<!DOCTYPE %s>): refused, "
		"workbooks have none and its entities could expand without bound", name);
}

static void XMLCALL refuse_entity(void *ud, const XML_Char *name, int is_param,
				  const XML_Char *value, int value_len, const XML_Char *base,
				  const XML_Char *sysid, const XML_Char *pubid, const XML_Char *notation)
{
	wb_xml_fail(ud, "the XML declares an entity (%s): refused", name);
}

int wb_xml_open(struct wb_xml *x, struct wb_zip *z, const char *name, void *ud,
		XML_StartElementHandler start, XML_EndElementHandler end,
		XML_CharacterDataHandler text, struct wb_error *err)
{
	memset(x, 0, sizeof(*x));
	x->err = err;
	x->m = wb_member_open(z, name, err);
	if (!x->m)
		return -1;
	x->p = XML_ParserCreateNS(NULL, '|');
	x->ud = ud;
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, start, end);
	if (text)
		XML_SetCharacterDataHandler(x->p, text);
	XML_SetStartDoctypeDeclHandler(x->p, refuse_doctype);
	XML_SetEntityDeclHandler(x->p, refuse_entity);
	XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
	return 0;
}

void wb_xml_close(struct wb_xml *x)
{
	if (x->p)
		XML_ParserFree(x->p);
	wb_member_close(x->m);
	x->p = NULL;
	x->m = NULL;
}

static int failed(struct wb_xml *x)
{
	if (!x->failed)
		snprintf(x->err->what, sizeof(x->err->what), "bad XML at line %lu: %s",
			(unsigned long)XML_GetCurrentLineNumber(x->p),
			XML_ErrorString(XML_GetErrorCode(x->p)));
	x->failed = 1;
	x->state = -1;
	return -1;
}

int wb_xml_run(struct wb_xml *x)
{
	enum XML_Status st;

	if (x->state == 2)
		return 0;
	if (x->state < 0)
		return -1;
	if (x->state == 1) {
		st = XML_ResumeParser(x->p);
		if (st == XML_STATUS_SUSPENDED)
			return 1;
		if (st == XML_STATUS_ERROR)
			return failed(x);
		x->state = 0;
		if (x->final_fed) {
			x->state = 2;
			return 0;
		}
	}
	for (;;) {
		void *buf = XML_GetBuffer(x->p, CHUNK);
		ssize_t n;
		if (!buf) {
			snprintf(x->err->what, sizeof(x->err->what), "out of memory parsing XML");
			x->state = -1;
			return -1;
		}
		n = wb_member_read(x->m, buf, CHUNK, x->err);
		if (n < 0) {
			x->failed = 1;
			x->state = -1;
			return -1;
		}
		x->final_fed = n == 0;
		st = XML_ParseBuffer(x->p, (int)n, n == 0);
		if (st == XML_STATUS_SUSPENDED) {
			x->state = 1;
			return 1;
		}
		if (st == XML_STATUS_ERROR)
			return failed(x);
		if (x->final_fed) {
			x->state = 2;
			return 0;
		}
	}
}

int wb_xml_parse_all(struct wb_xml *x)
{
	int rc;

	while ((rc = wb_xml_run(x)) == 1)
		;
	return rc;
}

const char *wb_xml_local(const char *name)
{
	const char *bar = strrchr(name, '|');

	return bar ? bar + 1 : name;
}

const char *wb_xml_attr(const char **attrs, const char *local)
{
	for (; attrs[0]; attrs += 2)
		if (strcmp(wb_xml_local(attrs[0]), local) == 0)
			return attrs[1];
	return NULL;
}
