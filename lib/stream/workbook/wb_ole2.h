/* One stream of an OLE2 compound file (MS-CFB), read whole into memory:
 * the workbook stream of an .xls, for the checks made before libfreexl
 * is given the file.  Only what finding a stream needs: the header, the
 * allocation tables (FAT, DIFAT, mini FAT), the directory.  Every sector
 * number is checked against the file and every chain against looping. */
#ifndef CIVIC_WB_OLE2_H
#define CIVIC_WB_OLE2_H

#include <stdio.h>
#include "sbuf.h"

/* Appends to out the stream named by the first of names (NULL-terminated)
 * that the directory holds.  0, or -1 with *why set (not a compound file,
 * a broken chain, no such stream). */
int wb_ole2_stream(FILE *f, const char *const *names, struct sbuf *out, const char **why);

#endif
