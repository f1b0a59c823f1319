#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "encoding_auto.h"
#include "error.h"
#include "source.h"
#include "utf8.h"
#include "xalloc.h"

enum { CARRY_MAX = 8, CHUNK = 64 * 1024 };

/* Whether a stream of bytes, fed in pieces, is valid in one encoding: a
 * sequence cut by the end of a piece is carried to the next. */
struct validity {
	iconv_t cd;                  /* (iconv_t)-1: UTF-8 */
	char carry[CARRY_MAX];
	size_t ncarry;
	int bad;
};

int encoding_is_auto(const char *name)
{
	return name && strcasecmp(name, ENCODING_AUTO) == 0;
}

/* 1 when s[0..n) is the start of one UTF-8 sequence that more bytes could finish. */
static int utf8_unfinished(const unsigned char *s, size_t n)
{
	size_t want = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;

	if (want <= n || s[0] > 0xF4)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return 1;
}

static size_t check_utf8(const char *s, size_t n, int at_end, int *bad)
{
	size_t off = utf8_invalid_offset(s, n);

	if (off == n)
		return 0;
	if (!at_end && n - off < 4 && utf8_unfinished((const unsigned char *)s + off, n - off))
		return n - off;
	*bad = 1;
	return 0;
}

static size_t check_iconv(iconv_t cd, const char *s, size_t n, int at_end, int *bad)
{
	char out[4096], *in = (char *)s;
	size_t inleft = n;

	while (inleft > 0) {
		char *o = out;
		size_t oleft = sizeof(out);
		if (iconv(cd, &in, &inleft, &o, &oleft) != (size_t)-1)
			continue;
		if (errno == E2BIG)
			continue;
		if (errno == EINVAL && !at_end && inleft < CARRY_MAX)
			return inleft;
		*bad = 1;
		return 0;
	}
	return 0;
}

static void feed(struct validity *v, const char *s, size_t n, int at_end)
{
	char buf[CARRY_MAX + CHUNK];
	size_t len = v->ncarry + n, left;

	if (v->bad)
		return;
	memcpy(buf, v->carry, v->ncarry);
	memcpy(buf + v->ncarry, s, n);
	left = v->cd == (iconv_t)-1 ? check_utf8(buf, len, at_end, &v->bad)
		: check_iconv(v->cd, buf, len, at_end, &v->bad);
	memcpy(v->carry, buf + len - left, left);
	v->ncarry = left;
}

static void feed_all(struct validity *v, const char *b, size_t n, int at_end)
{
	for (size_t at = 0; at < n && !v->bad; at += CHUNK) {
		size_t k = n - at < CHUNK ? n - at : CHUNK;
		feed(v, b + at, k, at_end && at + k == n);
	}
}

static int validity_init(struct validity *v, const char *encoding)
{
	memset(v, 0, sizeof(*v));
	v->cd = encoding ? iconv_open("UTF-8", encoding) : (iconv_t)-1;
	if (encoding && v->cd == (iconv_t)-1) {
		civic_warn("unknown encoding '%s' (see iconv --list)", encoding);
		return -1;
	}
	return 0;
}

static void validity_release(struct validity *v)
{
	if (v->cd != (iconv_t)-1)
		iconv_close(v->cd);
}

enum encoding_choice encoding_choose_bytes(const char *b, size_t n, int at_end, const char *fallback)
{
	struct validity u, f;
	enum encoding_choice c;

	if (source_starts_utf16((const unsigned char *)b, n))
		return ENC_UTF16;
	validity_init(&u, NULL);
	feed_all(&u, b, n, at_end);
	if (!u.bad)
		return ENC_UTF8;
	if (validity_init(&f, fallback) != 0)
		return ENC_NEITHER;
	feed_all(&f, b, n, at_end);
	c = f.bad ? ENC_NEITHER : ENC_FALLBACK;
	validity_release(&f);
	return c;
}

/* Reads the file at offset into buf; bytes read, -1 on error (printed). */
static ssize_t read_at(int fd, const char *name, char *buf, size_t size, off_t offset)
{
	ssize_t n;

	do
		n = pread(fd, buf, size, offset);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		civic_warn("%s: read error:", name);
	return n;
}

/* One pass over the file: 1 valid, 0 not, -1 on a read error. */
static int file_valid(int fd, const char *name, const char *encoding)
{
	char *buf;                     /* not static: two threads may read files at once */
	struct validity v;
	off_t at = 0;
	ssize_t n = 0;

	if (validity_init(&v, encoding) != 0)
		return 0;
	buf = xmalloc(CHUNK);
	while (!v.bad && (n = read_at(fd, name, buf, CHUNK, at)) > 0) {
		at += n;
		feed(&v, buf, (size_t)n, 0);
	}
	if (!v.bad && n == 0)
		feed(&v, "", 0, 1);
	validity_release(&v);
	free(buf);
	return n < 0 && !v.bad ? -1 : !v.bad;
}

int encoding_choose_file(int fd, const char *name, const char *fallback, enum encoding_choice *c)
{
	char head[2];
	ssize_t n = read_at(fd, name, head, sizeof(head), 0);
	int ok;

	if (n < 0)
		return -1;
	if (source_starts_utf16((const unsigned char *)head, (size_t)n)) {
		*c = ENC_UTF16;
		return 0;
	}
	if ((ok = file_valid(fd, name, NULL)) != 0) {
		*c = ENC_UTF8;
		return ok < 0 ? -1 : 0;
	}
	if ((ok = file_valid(fd, name, fallback)) < 0)
		return -1;
	*c = ok ? ENC_FALLBACK : ENC_NEITHER;
	return 0;
}

void encoding_announce(const char *name, enum encoding_choice c, const char *fallback)
{
	switch (c) {
	case ENC_UTF8:
		civic_warn("%s: read as UTF-8", name);
		break;
	case ENC_UTF16:
		civic_warn("%s: read as UTF-16 (byte-order mark)", name);
		break;
	case ENC_FALLBACK:
		civic_warn("%s: read as %s (not valid UTF-8)", name, fallback);
		break;
	case ENC_NEITHER:
		civic_warn("%s: valid in neither UTF-8 nor %s: read as UTF-8, records that are not rejected",
			name, fallback);
		break;
	}
}
