#include <stdarg.h>
#include <stdio.h>

#include "reject.h"

void reject_set(struct reject *why, const char *reason, const char *column, const char *fmt, ...)
{
	va_list ap;

	why->reason = reason;
	why->field = -1;
	snprintf(why->column, sizeof(why->column), "%s", column ? column : "");
	va_start(ap, fmt);
	vsnprintf(why->message, sizeof(why->message), fmt, ap);
	va_end(ap);
}
