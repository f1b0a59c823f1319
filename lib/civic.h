/* Everything a command needs from libcivic. */
#ifndef CIVIC_H
#define CIVIC_H

#include "error.h"
#include "xalloc.h"
#include "sbuf.h"
#include "record.h"
#include "reader.h"
#include "inputs.h"
#include "writer.h"
#include "output.h"
#include "rejects.h"
#include "date.h"
#include "num.h"
#include "utf8.h"
#include "opts.h"
#include "datadir.h"

#endif
