#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "keyexpr.h"
#include "missing.h"
#include "num.h"
#include "xalloc.h"

typedef int (*kx_format)(int32_t days, char *buf);

enum {
	KXF_NUMBER = 1,        /* yields a number, not a date key */
	KXF_WEEKDAY = 2,       /* names that sort Monday first */
	KXF_NUMERIC_KEY = 4,   /* a date key whose text is a number: year */
};

struct kx_func {
	const char *name;
	int nargs;
	kx_format format;
	int flags;
	size_t prefix;         /* bytes of a yyyy-mm-dd value that are the key */
};

static int two(char *b, int v)
{
	b[0] = (char)('0' + v / 10 % 10);
	b[1] = (char)('0' + v % 10);
	return 2;
}

static int four(char *b, int v)
{
	two(b, v / 100);
	two(b + 2, v % 100);
	return 4;
}

static int fmt_year(int32_t days, char *b)
{
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	return four(b, y);
}

static int fmt_quarter(int32_t days, char *b)
{
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	four(b, y);
	memcpy(b + 4, "-Q", 2);
	b[6] = (char)('1' + (m - 1) / 3);
	return 7;
}

static int fmt_month(int32_t days, char *b)
{
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	four(b, y);
	b[4] = '-';
	return 5 + two(b + 5, m);
}

static int fmt_week(int32_t days, char *b)
{
	int y, w;

	date_iso_week(days, &y, &w);
	four(b, y);
	memcpy(b + 4, "-W", 2);
	return 6 + two(b + 6, w);
}

static int fmt_day(int32_t days, char *b)
{
	date_iso(days, b);
	return 10;
}

static const char weekday_names[7][4] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

static int fmt_weekday(int32_t days, char *b)
{
	memcpy(b, weekday_names[date_weekday(days) - 1], 3);
	return 3;
}

static const struct kx_func kx_funcs[] = {
	{ "year", 1, fmt_year, KXF_NUMERIC_KEY, 4 },
	{ "quarter", 1, fmt_quarter, 0, 0 },
	{ "month", 1, fmt_month, 0, 7 },
	{ "week", 1, fmt_week, 0, 0 },
	{ "day", 1, fmt_day, 0, 10 },
	{ "weekday", 1, fmt_weekday, KXF_WEEKDAY, 0 },
	{ "days", 2, NULL, KXF_NUMBER, 0 },
	{ NULL, 0, NULL, 0, 0 },
};

size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = xcalloc(lb + 1, sizeof(*row));

	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

/* Close means at most a third of the name's letters differ. */
static int is_close(const char *name, const char *cand, size_t *best)
{
	size_t d = edit_distance(name, cand);
	size_t limit = strlen(name) / 3 + 1;

	if (d <= limit && d < *best) {
		*best = d;
		return 1;
	}
	return 0;
}

const char *nearest_column(const struct header *h, const char *name)
{
	const char *found = NULL;
	size_t best = (size_t)-1;

	for (size_t i = 0; i < h->n; i++)
		if (is_close(name, h->names[i], &best))
			found = h->names[i];
	return found;
}

static const struct kx_func *func_lookup(const char *name, size_t n)
{
	for (const struct kx_func *f = kx_funcs; f->name; f++)
		if (strlen(f->name) == n && memcmp(f->name, name, n) == 0)
			return f;
	return NULL;
}

static const char *func_nearest(const char *name)
{
	const char *found = NULL;
	size_t best = (size_t)-1;

	for (const struct kx_func *f = kx_funcs; f->name; f++)
		if (is_close(name, f->name, &best))
			found = f->name;
	return found;
}

static char *trimmed(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return xstrndup(s, n);
}

static int parse_call(struct keyexpr *k, const char *open, char *err, size_t errsize)
{
	const char *text = k->text, *close = strrchr(text, ')');
	char *name = trimmed(text, (size_t)(open - text));
	int rc = -1;

	k->fn = func_lookup(name, strlen(name));
	if (!k->fn) {
		const char *near = func_nearest(name);
		if (near)
			snprintf(err, errsize, "unknown function '%s' (did you mean '%s'?)", name, near);
		else
			snprintf(err, errsize, "unknown function '%s' in '%s'", name, text);
		goto out;
	}
	if (!close || close < open || close[1] != '\0') {
		snprintf(err, errsize, "'%s': missing ')'", text);
		goto out;
	}
	const char *p = open + 1, *comma = memchr(p, ',', (size_t)(close - p));
	int nargs = comma ? 2 : 1;
	if (nargs != k->fn->nargs) {
		snprintf(err, errsize, "'%s': %s() takes %d column%s", text, k->fn->name,
			k->fn->nargs, k->fn->nargs == 1 ? "" : "s");
		goto out;
	}
	k->arg[0] = trimmed(p, (size_t)((comma ? comma : close) - p));
	if (comma)
		k->arg[1] = trimmed(comma + 1, (size_t)(close - comma - 1));
	for (int i = 0; i < nargs; i++)
		if (k->arg[i][0] == '\0' || strpbrk(k->arg[i], "(),")) {
			snprintf(err, errsize, "'%s': expected a column name inside %s()", text, k->fn->name);
			goto out;
		}
	rc = 0;
out:
	free(name);
	return rc;
}

int keyexpr_parse(struct keyexpr *k, const char *text, char *err, size_t errsize)
{
	memset(k, 0, sizeof(*k));
	k->col[0] = k->col[1] = -1;
	k->text = xstrdup(text);
	if (text[0] == '\0') {
		snprintf(err, errsize, "empty key or column name");
		return -1;
	}
	const char *open = strchr(k->text, '(');
	if (!open) {
		k->arg[0] = xstrdup(text);
		return 0;
	}
	return parse_call(k, open, err, errsize);
}

static int bind_column(const char *name, const struct header *h, long *col,
	char *err, size_t errsize)
{
	const char *near;

	*col = header_find(h, name);
	if (*col >= 0)
		return 0;
	near = nearest_column(h, name);
	if (near)
		snprintf(err, errsize, "no column '%s' (did you mean '%s'?)", name, near);
	else
		snprintf(err, errsize, "no column '%s'", name);
	return -1;
}

int keyexpr_bind(struct keyexpr *k, const struct header *h, char *err, size_t errsize)
{
	long whole = header_find(h, k->text);

	if (whole >= 0) {              /* a column really called "month(x)" */
		k->fn = NULL;
		k->col[0] = whole;
		return 0;
	}
	if (!k->fn)
		return bind_column(k->arg[0], h, &k->col[0], err, errsize);
	for (int i = 0; i < k->fn->nargs; i++)
		if (bind_column(k->arg[i], h, &k->col[i], err, errsize) < 0)
			return -1;
	return 0;
}

void keyexpr_mark_columns(const struct keyexpr *k, unsigned char *want, size_t n)
{
	int nargs = k->fn ? k->fn->nargs : 1;

	for (int i = 0; i < nargs; i++)
		if (k->col[i] >= 0 && (size_t)k->col[i] < n)
			want[k->col[i]] = 1;
}

void keyexpr_release(struct keyexpr *k)
{
	free(k->text);
	free(k->arg[0]);
	free(k->arg[1]);
	memset(k, 0, sizeof(*k));
}

int keyexpr_is_weekday(const struct keyexpr *k)
{
	return k->fn && (k->fn->flags & KXF_WEEKDAY);
}

int keyexpr_weekday_rank(const struct keyexpr *k, const char *s, size_t n)
{
	if (!k->fn || !(k->fn->flags & KXF_WEEKDAY) || n != 3)
		return 0;
	for (int i = 0; i < 7; i++)
		if (memcmp(s, weekday_names[i], 3) == 0)
			return i + 1;
	return 0;
}

/* A field for a message: at most 60 bytes (cut at a character boundary),
 * control characters escaped, so a message stays on one line. */
static const char *shown(const char *s, size_t n, char buf[256])
{
	size_t j = 0, lim = n > 60 ? 60 : n;

	while (lim < n && lim > 0 && ((unsigned char)s[lim] & 0xC0) == 0x80)
		lim--;
	for (size_t i = 0; i < lim; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n' || c == '\r' || c == '\t')
			j += (size_t)sprintf(buf + j, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
		else if (c < 0x20 || c == 0x7f)
			j += (size_t)sprintf(buf + j, "\\x%02x", c);
		else
			buf[j++] = (char)c;
	}
	strcpy(buf + j, lim < n ? "..." : "");
	return buf;
}

static int field_date(const struct keyexpr *k, int i, const struct record *rec,
	struct datecache *dc, int32_t *days, struct reject *why)
{
	const char *s = rec_get(rec, (size_t)k->col[i]);
	size_t n = rec_len(rec, (size_t)k->col[i]);

	if (n == 0)
		return 0;
	if (datecache_parse(dc, s, n, days) == 0)
		return 1;
	char buf[256];

	reject_set(why, "not-a-date", k->arg[i], "'%s' is not a date", shown(s, n, buf));
	return -1;
}

/* days(A,B): 1 with the difference, 0 when either date is missing. */
static int days_between(const struct keyexpr *k, const struct record *rec,
	struct datecache *dc, int32_t *out, struct reject *why)
{
	int32_t a, b;
	int ra = field_date(k, 0, rec, dc, &a, why);

	if (ra < 0)
		return -1;
	int rb = field_date(k, 1, rec, dc, &b, why);
	if (rb <= 0)
		return rb;
	if (ra == 0)
		return 0;
	*out = b - a;
	return 1;
}

/* year(), month() and day() of a valid yyyy-mm-dd field are its first 4,
 * 7 or 10 bytes: no need to format them. */
static int iso_prefix(const struct keyexpr *k, const struct record *rec, const char **p, size_t *n)
{
	const char *s = rec_get(rec, (size_t)k->col[0]);
	size_t len = rec_len(rec, (size_t)k->col[0]);

	if (len != 10 || s[4] != '-' || s[7] != '-' || k->fn->prefix == 0)
		return 0;
	*p = s;
	*n = k->fn->prefix;
	return 1;
}

int keyexpr_text(const struct keyexpr *k, const struct record *rec,
	struct datecache *dc, char *buf, const char **p, size_t *n, struct reject *why)
{
	int32_t days;
	int rc;

	*p = buf;
	*n = 0;
	if (!k->fn) {
		*p = rec_get(rec, (size_t)k->col[0]);
		*n = rec_len(rec, (size_t)k->col[0]);
		return 0;
	}
	if (k->fn->flags & KXF_NUMBER) {
		rc = days_between(k, rec, dc, &days, why);
		if (rc > 0)
			*n = (size_t)snprintf(buf, 32, "%ld", (long)days);
		return rc < 0 ? -1 : 0;
	}
	rc = field_date(k, 0, rec, dc, &days, why);
	if (rc > 0 && !iso_prefix(k, rec, p, n))
		*n = (size_t)k->fn->format(days, buf);
	return rc < 0 ? -1 : 0;
}

int keyexpr_is_numeric(const struct keyexpr *k)
{
	return k->fn && (k->fn->flags & (KXF_NUMBER | KXF_NUMERIC_KEY));
}

static int date_key_number(const struct keyexpr *k, const struct record *rec,
	struct datecache *dc, struct decnum *v, struct reject *why)
{
	char buf[32];
	const char *p;
	size_t n;

	if (!(k->fn->flags & KXF_NUMERIC_KEY)) {
		reject_set(why, "not-a-number", k->text, "%s() is a date key, not a number", k->fn->name);
		return -1;
	}
	if (keyexpr_text(k, rec, dc, buf, &p, &n, why) < 0)
		return -1;
	return n && numscan(p, n, v) == 0;
}

int keyexpr_number(const struct keyexpr *k, const struct record *rec,
	struct datecache *dc, const struct missing *miss, struct decnum *v, struct reject *why)
{
	if (k->fn && (k->fn->flags & KXF_NUMBER)) {
		int32_t days;
		int rc = days_between(k, rec, dc, &days, why);
		if (rc > 0) {
			v->d = days;
			v->m = days;
			v->scale = 0;
			v->exact = 1;
		}
		return rc;
	}
	if (k->fn)
		return date_key_number(k, rec, dc, v, why);
	const char *s = rec_get(rec, (size_t)k->col[0]);
	size_t n = rec_len(rec, (size_t)k->col[0]);

	if (miss && miss->has_number && missing_value(miss, s, n))
		return 0;
	if (numscan(s, n, v) == 0)
		return 1;
	if (missing_value(miss, s, n))
		return 0;
	char buf[256];

	reject_set(why, "not-a-number", k->text, "'%s' is not a number", shown(s, n, buf));
	return -1;
}

static const struct {
	const char *text;
	enum kx_op op;
} kx_ops[] = {
	{ "<=", KX_LE }, { ">=", KX_GE }, { "!=", KX_NE },
	{ "<", KX_LT }, { ">", KX_GT }, { "=", KX_EQ },
};

/* What people type for an operator, and what they mean. */
static const struct {
	const char *typed, *meant;
} kx_op_typos[] = {
	{ "=<", "<=" }, { "=>", ">=" }, { "==", "=" }, { "===", "=" }, { "<>", "!=" },
	{ "=!", "!=" }, { "!", "!=" }, { "!==", "!=" }, { "<<", "<" }, { ">>", ">" },
};

static const char kx_op_chars[] = "<>=!";

/* The first run of operator characters outside parentheses. */
static const char *find_op(const char *s, size_t *len)
{
	int depth = 0;

	for (const char *p = s; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		if (!depth && strchr(kx_op_chars, *p)) {
			*len = strspn(p, kx_op_chars);
			return p;
		}
	}
	return NULL;
}

static int op_lookup(const char *s, size_t n, enum kx_op *op)
{
	for (size_t i = 0; i < sizeof(kx_ops) / sizeof(kx_ops[0]); i++)
		if (strlen(kx_ops[i].text) == n && memcmp(kx_ops[i].text, s, n) == 0) {
			*op = kx_ops[i].op;
			return 0;
		}
	return -1;
}

static const char *op_meant(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(kx_op_typos) / sizeof(kx_op_typos[0]); i++)
		if (strlen(kx_op_typos[i].typed) == n && memcmp(kx_op_typos[i].typed, s, n) == 0)
			return kx_op_typos[i].meant;
	return NULL;
}

/* "what is wrong", then the condition with a caret under byte offset at
 * (counted in characters, so it stands under Cyrillic names too). */
int cond_error(const char *text, size_t at, char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;
	size_t col = 0;

	for (size_t i = 0; i < at && text[i]; i++)
		col += ((unsigned char)text[i] & 0xC0) != 0x80;
	va_start(ap, fmt);
	int n = vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < errsize)
		snprintf(err + n, errsize - (size_t)n, "\n    %s\n    %*s^", text, (int)col, "");
	return -1;
}

int kxcond_op(const char *text, const char *at, size_t len, enum kx_op *op, char *err, size_t errsize)
{
	size_t off = (size_t)(at - text);
	const char *meant;

	if (op_lookup(at, len, op) == 0)
		return 0;
	meant = op_meant(at, len);
	if (meant)
		return cond_error(text, off, err, errsize,
			"unknown operator '%.*s' in a condition (did you mean '%s'?)", (int)len, at, meant);
	return cond_error(text, off, err, errsize,
		"unknown operator '%.*s' in a condition (<= < >= > = !=)", (int)len, at);
}

static int parse_op(struct kxcond *c, const char *at, size_t len, char *err, size_t errsize)
{
	return kxcond_op(c->text, at, len, &c->op, err, errsize);
}

/* Whether s is written as fn writes its keys (2024-03, 2024-Q1,
 * 2024-W09): then key texts sort as the periods they name. */
static int key_shaped(const struct kx_func *fn, const char *s)
{
	char sample[16];
	int n = fn->format(days_from_civil(2024, 3, 5), sample);

	if (fn->flags & KXF_WEEKDAY || n <= 0 || strlen(s) != (size_t)n)
		return 0;
	for (int i = 0; i < n; i++) {
		int digit = s[i] >= '0' && s[i] <= '9';
		if (digit != (sample[i] >= '0' && sample[i] <= '9') || (!digit && s[i] != sample[i]))
			return 0;
	}
	return 1;
}

/* An ordering of dates: a column against yyyy-mm-dd compares day numbers;
 * a date key against a literal in its own form compares key texts. */
static int ordered_date(struct kxcond *c)
{
	if (c->lhs.fn)
		return key_shaped(c->lhs.fn, c->rhs);
	if (strlen(c->rhs) != 10 || date_parse(c->rhs, 10, DATE_ISO, &c->rhs_days) < 0)
		return 0;
	c->dated = 1;
	return 1;
}

/* What the value can be compared with, known before any record: an
 * ordering needs a number or a date, and a numeric key (days, year) a
 * number; another date key (month, …) is text. */
static int check_operands(struct kxcond *c, size_t rhs_at, char *err, size_t errsize)
{
	int ordering = c->op != KX_EQ && c->op != KX_NE;

	if (c->rhs[0] == '\0')
		return cond_error(c->text, rhs_at, err, errsize,
			"a condition needs a value after its operator (an empty field is missing, never compared)");
	if (c->numeric && c->lhs.fn && !keyexpr_is_numeric(&c->lhs))
		return cond_error(c->text, rhs_at, err, errsize,
			"%s() is a date key, not a number: compare it as text, with = or !=", c->lhs.fn->name);
	if (c->numeric)
		return 0;
	if (keyexpr_is_numeric(&c->lhs))
		return cond_error(c->text, rhs_at, err, errsize,
			"%s is a number: compare it with a number, not '%s'", c->lhs.text, c->rhs);
	if (ordering && c->lhs.fn && (c->lhs.fn->flags & KXF_WEEKDAY))
		return cond_error(c->text, rhs_at, err, errsize,
			"weekday() names take = or !=, not < <= > >=");
	if (ordering && c->lhs.fn && !ordered_date(c)) {
		char sample[16];
		int n = c->lhs.fn->format(days_from_civil(2024, 3, 5), sample);
		return cond_error(c->text, rhs_at, err, errsize,
			"'%s' is not a %s() key: < <= > >= compare %s() with a value of its form, such as '%.*s'",
			c->rhs, c->lhs.fn->name, c->lhs.fn->name, n, sample);
	}
	if (ordering && !ordered_date(c))
		return cond_error(c->text, rhs_at, err, errsize,
			"'%s' is neither a number nor a date: < <= > >= compare numbers and dates (text takes = or !=)",
			c->rhs);
	return 0;
}

int kxcond_parse(struct kxcond *c, const char *text, char *err, size_t errsize)
{
	size_t oplen;
	const char *at;

	memset(c, 0, sizeof(*c));
	c->text = xstrdup(text);
	at = find_op(c->text, &oplen);
	if (!at) {
		snprintf(err, errsize, "'%s': expected a condition such as 'days(received_at,resolved_at)<=15'", text);
		return -1;
	}
	if (parse_op(c, at, oplen, err, errsize) < 0)
		return -1;
	char *lhs = trimmed(c->text, (size_t)(at - c->text));
	int rc = keyexpr_parse(&c->lhs, lhs, err, errsize);

	free(lhs);
	if (rc < 0)
		return -1;
	const char *r = at + oplen;
	r += strspn(r, " \t");
	c->rhs = trimmed(r, strlen(r));
	c->rhs_len = strlen(c->rhs);
	c->numeric = num_parse_double(c->rhs, strlen(c->rhs), 0, &c->rhs_value) == 0;
	return check_operands(c, (size_t)(r - c->text), err, errsize);
}

/* The message keyexpr_parse left in err, then text with a caret at at. */
static int with_caret(const char *text, size_t at, char *err, size_t errsize)
{
	char *msg = xstrdup(err);

	cond_error(text, at, err, errsize, "%s", msg);
	free(msg);
	return -1;
}

int kxcond_atom(struct kxcond *c, const char *text, const char *lhs, size_t lhs_at,
	enum kx_op op, const char *rhs, size_t rhs_at, char *err, size_t errsize)
{
	memset(c, 0, sizeof(*c));
	c->text = xstrdup(text);
	c->op = op;
	c->rhs = xstrdup(rhs);
	c->rhs_len = strlen(c->rhs);
	if (keyexpr_parse(&c->lhs, lhs, err, errsize) < 0)
		return with_caret(text, lhs_at, err, errsize);
	c->numeric = num_parse_double(c->rhs, strlen(c->rhs), 0, &c->rhs_value) == 0;
	return check_operands(c, rhs_at, err, errsize);
}

int kxcond_bind(struct kxcond *c, const struct header *h, char *err, size_t errsize)
{
	return keyexpr_bind(&c->lhs, h, err, errsize);
}

void kxcond_release(struct kxcond *c)
{
	keyexpr_release(&c->lhs);
	free(c->text);
	free(c->rhs);
	memset(c, 0, sizeof(*c));
}

static int compare_result(enum kx_op op, int cmp)
{
	switch (op) {
	case KX_LE: return cmp <= 0;
	case KX_LT: return cmp < 0;
	case KX_GE: return cmp >= 0;
	case KX_GT: return cmp > 0;
	case KX_EQ: return cmp == 0;
	case KX_NE: return cmp != 0;
	}
	return 0;
}

static int dated_compare(const struct kxcond *c, const char *p, size_t n, struct reject *why)
{
	int32_t days;

	if (date_parse(p, n, DATE_ISO, &days) < 0) {
		char buf[256];
		reject_set(why, "not-a-date", c->lhs.text, "'%s' is not a date (yyyy-mm-dd)", shown(p, n, buf));
		return -1;
	}
	return compare_result(c->op, (days > c->rhs_days) - (days < c->rhs_days));
}

/* Without codes only a blank value is missing: a value that neither
 * starts nor ends with a blank is not, and needs no call (a filter asks
 * this of every row). */
static inline int might_be_missing(const struct missing *miss, const char *p, size_t n)
{
	return miss || n == 0 || p[0] == ' ' || p[0] == '\t' || p[n - 1] == ' ' || p[n - 1] == '\t';
}

/* column = text, column != text: what most filters are, row after row,
 * so without the general path's copies and three-way comparison. */
static int column_equals(const struct kxcond *c, const struct record *rec, const struct missing *miss)
{
	const char *p = rec_get(rec, (size_t)c->lhs.col[0]);
	size_t n = rec_len(rec, (size_t)c->lhs.col[0]);

	if (might_be_missing(miss, p, n) && missing_value(miss, p, n))
		return 2;
	int eq = n == c->rhs_len && memcmp(p, c->rhs, n) == 0;
	return c->op == KX_EQ ? eq : !eq;
}

int kxcond_may_reject(const struct kxcond *c)
{
	/* A column's text compared as text cannot fail (see below). */
	return c->numeric || c->lhs.fn || c->dated;
}

int kxcond_eval(const struct kxcond *c, const struct record *rec,
	struct datecache *dc, const struct missing *miss, struct reject *why)
{
	if (c->numeric) {
		struct decnum v;
		int rc = keyexpr_number(&c->lhs, rec, dc, miss, &v, why);
		if (rc <= 0)
			return rc < 0 ? -1 : 2;
		return compare_result(c->op, (v.d > c->rhs_value) - (v.d < c->rhs_value));
	}
	if (!c->lhs.fn && !c->dated && (c->op == KX_EQ || c->op == KX_NE))
		return column_equals(c, rec, miss);
	char buf[32];
	const char *p;
	size_t n;

	if (keyexpr_text(&c->lhs, rec, dc, buf, &p, &n, why) < 0)
		return -1;
	if (might_be_missing(miss, p, n) && missing_value(miss, p, n))
		return 2;
	if (c->dated)
		return dated_compare(c, p, n, why);
	size_t rn = c->rhs_len;
	int cmp = memcmp(p, c->rhs, n < rn ? n : rn);
	if (cmp == 0)
		cmp = (n > rn) - (n < rn);
	return compare_result(c->op, cmp);
}

