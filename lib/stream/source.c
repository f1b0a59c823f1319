#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "encoding_auto.h"
#include "error.h"
#include "source.h"
#include "source_map.h"
#include "xalloc.h"

enum { SOURCE_CHUNK = 256 * 1024 };

static int is_utf8_name(const char *e)
{
	return !e || !*e || strcasecmp(e, "utf-8") == 0 || strcasecmp(e, "utf8") == 0;
}

/* The bytes one line feed takes in the encoding, over and above what the
 * encoding needs for a start (a byte-order mark): its code unit, 2 for
 * UTF-16, 4 for UTF-32, 1 for cp1251 or Shift-JIS. */
static size_t encoded_length(const char *encoding, const char *text)
{
	iconv_t cd = iconv_open(encoding, "UTF-8");
	char buf[32], *in = (char *)text, *out = buf;
	size_t inleft = strlen(text), outleft = sizeof(buf);

	if (cd == (iconv_t)-1)
		return 0;
	if (iconv(cd, &in, &inleft, &out, &outleft) == (size_t)-1 ||
	    iconv(cd, NULL, NULL, &out, &outleft) == (size_t)-1)
		outleft = sizeof(buf);
	iconv_close(cd);
	return sizeof(buf) - outleft;
}

static size_t code_unit(const char *encoding)
{
	size_t one = encoded_length(encoding, "\n"), two = encoded_length(encoding, "\n\n");

	return two > one && two - one <= 4 ? two - one : 1;
}

static int start_iconv(struct source *src, const char *encoding)
{
	src->cd = iconv_open("UTF-8", encoding);
	if (src->cd == (iconv_t)-1) {
		civic_warn("unknown encoding '%s' (see iconv --list)", encoding);
		return -1;
	}
	src->encoding = encoding;
	src->unit = code_unit(encoding);
	return 0;
}

int source_open(struct source *src, const char *path, const char *name, const char *encoding)
{
	memset(src, 0, sizeof(*src));
	src->cd = (iconv_t)-1;
	src->name = name;
	if (!path || strcmp(path, "-") == 0) {
		src->fd = 0;
	} else {
		src->fd = open(path, O_RDONLY);
		if (src->fd < 0) {
			civic_warn("%s:", path);
			return -1;
		}
	}
	if (!is_utf8_name(encoding)) {
		if (start_iconv(src, encoding) != 0) {
			source_close(src);
			return -1;
		}
	} else {
		source_map(src);
	}
	return 0;
}

/* A regular file is judged whole, now; a pipe on its first read. */
int source_open_auto(struct source *src, const char *path, const char *name, const char *fallback)
{
	struct stat st;
	enum encoding_choice c;

	if (source_open(src, path, name, NULL) != 0)
		return -1;
	if (fstat(src->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		src->auto_fallback = fallback;
		return 0;
	}
	if (encoding_choose_file(src->fd, name, fallback, &c) != 0) {
		source_close(src);
		return -1;
	}
	encoding_announce(name, c, fallback);
	if (c != ENC_FALLBACK)
		return 0;    /* UTF-16 is seen by its mark, UTF-8 is as opened */
	if (src->mapped) {
		source_unmap(src);
		src->len = 0;
		src->eof = 0;
	}
	if (start_iconv(src, fallback) != 0) {
		source_close(src);
		return -1;
	}
	return 0;
}

static long read_some(struct source *src, char *into, size_t room);

/* -e auto on a pipe: the choice on what the first read brings, up to
 * ENCODING_AUTO_WINDOW bytes (a pipe cannot be read twice). */
static long choose_on_first_read(struct source *src)
{
	enum encoding_choice c;

	while (!src->eof && src->rawlen < ENCODING_AUTO_WINDOW) {
		long n = read_some(src, src->raw + src->rawlen, ENCODING_AUTO_WINDOW - src->rawlen);
		if (n < 0)
			return -1;
		src->eof = n == 0;
		src->rawlen += (size_t)n;
	}
	c = encoding_choose_bytes(src->raw, src->rawlen, src->eof, src->auto_fallback);
	encoding_announce(src->name, c, src->auto_fallback);
	if (c == ENC_FALLBACK && start_iconv(src, src->auto_fallback) != 0) {
		src->failed = 1;
		return -1;
	}
	return 0;
}

void source_close(struct source *src)
{
	if (src->fd > 0)
		close(src->fd);
	if (src->cd != (iconv_t)-1)
		iconv_close(src->cd);
	if (src->mapped)
		source_unmap(src);
	else
		free(src->buf);
	free(src->raw);
	free(src->bad);
	memset(src, 0, sizeof(*src));
	src->cd = (iconv_t)-1;
}

/* Forgets the decoding errors before the stream offset base. */
static void drop_decode_errors(struct source *src)
{
	size_t k = 0;

	while (k < src->nbad && src->bad[k].at < src->base)
		k++;
	if (k == 0)
		return;
	memmove(src->bad, src->bad + k, (src->nbad - k) * sizeof(*src->bad));
	src->nbad -= k;
}

static void make_room(struct source *src, size_t keep, size_t want)
{
	if (keep > 0) {
		memmove(src->buf, src->buf + keep, src->len - keep);
		src->len -= keep;
		src->pos -= keep;
		src->base += keep;
		drop_decode_errors(src);
	}
	if (src->cap - src->len < want)
		src->buf = xgrow(src->buf, &src->cap, src->len + want, 1);
}

/* CIVIC_READ_MAX=N makes each read return at most N bytes, so tests can
 * show that no result depends on how the input arrives (pipes bring little). */
static size_t read_limit(size_t room)
{
	const char *e = getenv("CIVIC_READ_MAX");
	size_t max = e ? (size_t)strtoul(e, NULL, 10) : 0;

	return max && max < room ? max : room;
}

void source_unread(struct source *src, const unsigned char *p, size_t n)
{
	if (n > sizeof(src->unread))
		n = sizeof(src->unread);
	memcpy(src->unread, p, n);
	src->nunread = n;
	src->unread_pos = 0;
}

static long read_some(struct source *src, char *into, size_t room)
{
	ssize_t n;

	if (src->unread_pos < src->nunread && room > 0) {
		size_t k = src->nunread - src->unread_pos;
		if (k > room)
			k = room;
		memcpy(into, src->unread + src->unread_pos, k);
		src->unread_pos += k;
		return (long)k;
	}
	do
		n = read(src->fd, into, read_limit(room));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		civic_warn("%s: read error:", src->name);
		src->failed = 1;
		return -1;
	}
	return (long)n;
}

/* A UTF-16 byte-order mark at the very start switches conversion on. */
static void detect_utf16(struct source *src)
{
	const unsigned char *r = (const unsigned char *)src->raw;

	if (src->base != 0 || src->len != 0 || src->cd != (iconv_t)-1)
		return;
	if (source_starts_utf16(r, src->rawlen)) {
		src->cd = iconv_open("UTF-8", "UTF-16");
		src->encoding = "UTF-16";
		src->unit = 2;
	}
}

const struct decode_error *source_decode_error(const struct source *src,
	unsigned long long from, unsigned long long to)
{
	for (size_t k = 0; k < src->nbad; k++)
		if (src->bad[k].at >= from && src->bad[k].at < to)
			return &src->bad[k];
	return NULL;
}

int source_describe_decode_error(const struct source *src, unsigned long long from,
	unsigned long long to, char *msg, size_t size)
{
	const struct decode_error *e = source_decode_error(src, from, to);
	size_t n;

	if (!e)
		return 0;
	n = (size_t)snprintf(msg, size, "byte%s", e->n == 1 ? "" : "s");
	for (size_t i = 0; i < e->n && n < size; i++)
		n += (size_t)snprintf(msg + n, size - n, " 0x%02X", e->bytes[i]);
	if (n < size)
		snprintf(msg + n, size - n, " at byte %llu %s not valid %s", e->file_at,
			e->n == 1 ? "is" : "are", src->encoding);
	return 1;
}

int source_starts_utf16(const unsigned char *b, size_t n)
{
	return n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF));
}

int source_skip_line(struct source *src)
{
	for (;;) {
		const char *nl = memchr(src->buf + src->pos, '\n', src->len - src->pos);
		if (nl) {
			src->pos = (size_t)(nl - src->buf) + 1;
			return 1;
		}
		src->pos = src->len;
		if (src->eof)
			return 0;
		if (source_more(src, src->pos) < 0)
			return -1;
	}
}

/* Skips the undecodable sequence at *in by one code unit (what is left
 * when less), leaving SOURCE_BAD_BYTE at *out and a note of it. */
static void skip_bad_unit(struct source *src, char **in, size_t *inleft, char **out, size_t *outleft)
{
	size_t n = src->unit < *inleft ? src->unit : *inleft;
	unsigned long long at = src->base + (unsigned long long)(*out - src->buf);
	struct decode_error *e;

	/* A run of bad units is in one record: its first says what it is,
	 * and a file of garbage costs one note, not one per unit. */
	if (!src->nbad || src->last_bad + 1 != at) {
		src->bad = xgrow(src->bad, &src->capbad, src->nbad + 1, sizeof(*src->bad));
		e = &src->bad[src->nbad++];
		e->at = at;
		e->file_at = src->raw_base + (unsigned long long)(*in - src->raw);
		e->n = (unsigned char)(n < sizeof(e->bytes) ? n : sizeof(e->bytes));
		memcpy(e->bytes, *in, e->n);
	}
	src->last_bad = at;
	*(*out)++ = (char)SOURCE_BAD_BYTE;
	(*outleft)--;
	*in += n;
	*inleft -= n;
}

static long convert(struct source *src)
{
	char *in = src->raw, *out = src->buf + src->len;
	size_t inleft = src->rawlen, outleft = src->cap - src->len;
	size_t before = outleft;

	while (inleft > 0 && outleft > 0) {
		if (iconv(src->cd, &in, &inleft, &out, &outleft) != (size_t)-1)
			continue;
		if (errno == EINVAL && !src->eof)
			break;          /* a sequence split across reads */
		if (errno == E2BIG)
			break;
		/* EILSEQ, EINVAL at the end of the input, or anything else
		 * iconv may say: the sequence cannot be decoded. */
		skip_bad_unit(src, &in, &inleft, &out, &outleft);
	}
	src->raw_base += (unsigned long long)(in - src->raw);
	memmove(src->raw, in, inleft);
	src->rawlen = inleft;
	src->len += before - outleft;
	return (long)(before - outleft);
}

long source_more(struct source *src, size_t keep)
{
	if (src->mapped)
		return 0;
	make_room(src, keep, SOURCE_CHUNK);
	if (src->cd == (iconv_t)-1 && src->base == 0 && src->len == 0 && src->rawlen == 0) {
		/* First read goes through raw so a UTF-16 BOM can be seen. */
		src->raw = xgrow(src->raw, &src->rawcap, SOURCE_CHUNK, 1);
		long n = read_some(src, src->raw, SOURCE_CHUNK);
		if (n < 0)
			return -1;
		src->rawlen = (size_t)n;
		while (n > 0 && src->rawlen < 2) {
			/* A byte-order mark may arrive one byte at a time. */
			n = read_some(src, src->raw + src->rawlen, SOURCE_CHUNK - src->rawlen);
			if (n < 0)
				return -1;
			src->rawlen += (size_t)n;
		}
		if (n == 0)
			src->eof = 1;
		if (src->auto_fallback && choose_on_first_read(src) < 0)
			return -1;
		n = (long)src->rawlen;
		detect_utf16(src);
		if (src->cd == (iconv_t)-1) {
			memcpy(src->buf + src->len, src->raw, src->rawlen);
			src->len += src->rawlen;
			src->rawlen = 0;
			return n;
		}
	}
	if (src->cd == (iconv_t)-1) {
		if (src->eof)
			return 0;
		long n = read_some(src, src->buf + src->len, src->cap - src->len);
		if (n <= 0) {
			src->eof = n == 0;
			return n;
		}
		src->len += (size_t)n;
		return n;
	}
	for (;;) {
		if (!src->eof && src->rawlen < SOURCE_CHUNK) {
			src->raw = xgrow(src->raw, &src->rawcap, SOURCE_CHUNK * 2, 1);
			long n = read_some(src, src->raw + src->rawlen, src->rawcap - src->rawlen);
			if (n < 0)
				return -1;
			if (n == 0)
				src->eof = 1;
			src->rawlen += (size_t)n;
		}
		long got = convert(src);
		if (got > 0 || (src->eof && src->rawlen == 0))
			return got;
		if (src->cap - src->len < 16)
			make_room(src, 0, SOURCE_CHUNK);
	}
}
