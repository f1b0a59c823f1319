/* .xls read by libfreexl in a child process (xls_child.c).
 *
 * freexl 1.0.6 reads past buffers of its own on crafted files
 * (fuzz/known/) and can spend seconds on one crafted date cell; civic
 * cannot fix it, so it runs apart: wb_xls_ops forks a child that reads
 * the file with wb_xls_direct_ops (workbook_xls.c) under memory and
 * processor limits and sends the parent the sheet names, then the rows of
 * the sheet the parent selects, one frame at a time.  A child that dies
 * becomes a wb_error, never a crash of the parent. */
#ifndef CIVIC_XLS_CHILD_H
#define CIVIC_XLS_CHILD_H

#include <stdio.h>
#include "workbook.h"
#include "xls_fixups.h"

/* freexl in this process: only the child calls it. */
extern const struct wb_ops wb_xls_direct_ops;

/* civic's own walk of an .xls before freexl sees it (workbook_xls.c):
 * the compound file's workbook stream, the bytes of cells its sheets claim
 * (*claims), and into fx the cells freexl reads wrong.  0, or -1 with *why. */
int xls_precheck(FILE *f, unsigned long long *claims, struct xls_fixups *fx, const char **why);

/* The child's processor time, seconds (RLIMIT_CPU), and the address
 * space it may take above the workbook's claims bound (RLIMIT_AS). */
enum { XLS_CHILD_CPU_SECONDS = 60 };
#define XLS_CHILD_AS_MARGIN (1024ULL * 1024 * 1024)

#endif
