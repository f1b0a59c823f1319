/* The two record formats civic reads and writes. */
#ifndef CIVIC_FORMAT_H
#define CIVIC_FORMAT_H

enum format {
	FMT_AUTO = 0,
	FMT_CSV,
	FMT_NDJSON,
};

#endif
