/* xml-count-expat: the floor for reading a workbook sheet.  Parses XML
 * from standard input with expat (namespaces on, as the .xlsx reader
 * parses) and does nothing but count elements and bytes of text, so
 * scripts/bench can show what any expat-based sheet reader costs before it
 * does any work:
 *
 *   unzip -p book.xlsx xl/worksheets/sheet1.xml | xml-count-expat
 *
 * prints "ELEMENTS TEXT_BYTES". */
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct counts {
	unsigned long long elements, text;
};

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	(void)name;
	(void)attrs;
	((struct counts *)ud)->elements++;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	(void)ud;
	(void)name;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	(void)s;
	((struct counts *)ud)->text += (unsigned long long)len;
}

int main(void)
{
	struct counts c = { 0, 0 };
	XML_Parser p = XML_ParserCreateNS(NULL, '|');
	ssize_t n;

	XML_SetUserData(p, &c);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	do {
		void *buf = XML_GetBuffer(p, 1 << 16);
		if (!buf)
			return 1;
		n = read(0, buf, 1 << 16);
		if (n < 0) {
			perror("xml-count-expat: read");
			return 1;
		}
		if (XML_ParseBuffer(p, (int)n, n == 0) != XML_STATUS_OK) {
			fprintf(stderr, "xml-count-expat: %s at line %lu\n",
				XML_ErrorString(XML_GetErrorCode(p)),
				(unsigned long)XML_GetCurrentLineNumber(p));
			return 1;
		}
	} while (n > 0);
	XML_ParserFree(p);
	printf("%llu %llu\n", c.elements, c.text);
	return 0;
}
