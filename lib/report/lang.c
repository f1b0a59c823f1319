#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datadir.h"
#include "error.h"
#include "lang.h"
#include "opts.h"
#include "utf8.h"
#include "xalloc.h"

struct entry {
	char *key, *text;
};

struct table {
	struct entry *e;
	size_t n;
};

static struct table english, chosen;
static char code_in_use[16] = "en";
static const char *decimal_mark = ".", *group_mark = ",";

/* Plural forms, as CLDR gives them for whole numbers. */
static const char *plural_en(unsigned long n)
{
	return n == 1 ? "one" : "other";
}

static const char *plural_ru(unsigned long n)
{
	if (n % 10 == 1 && n % 100 != 11)
		return "one";
	if (n % 10 >= 2 && n % 10 <= 4 && !(n % 100 >= 12 && n % 100 <= 14))
		return "few";
	return "many";
}

static const struct {
	const char *code;
	const char *(*plural)(unsigned long);
} rules[] = {
	{ "en", plural_en }, { "ru", plural_ru }, { "uz", plural_en },
};

static const char *(*plural_rule)(unsigned long) = plural_en;

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

static const char *table_find(const struct table *t, const char *key)
{
	struct entry probe = { (char *)key, NULL }, *e;

	if (!t->n)
		return NULL;
	e = bsearch(&probe, t->e, t->n, sizeof(*t->e), by_key);
	return e ? e->text : NULL;
}

static void table_release(struct table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->e[i].key);
		free(t->e[i].text);
	}
	free(t->e);
	memset(t, 0, sizeof(*t));
}

static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static void put_utf8(struct sbuf *b, unsigned long cp)
{
	if (cp < 0x80) {
		sbuf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		sbuf_addc(b, (char)(0xc0 | cp >> 6));
		sbuf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		sbuf_addc(b, (char)(0xe0 | cp >> 12));
		sbuf_addc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		sbuf_addc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/* \uXXXX (for spaces a reader cannot see) and \\ in a text. */
static int unescape(const char *s, struct sbuf *b)
{
	for (; *s; s++) {
		if (*s != '\\') {
			sbuf_addc(b, *s);
		} else if (s[1] == '\\') {
			sbuf_addc(b, '\\');
			s++;
		} else if (s[1] == 'u' && strspn(s + 2, "0123456789abcdefABCDEF") >= 4) {
			char hex[5] = { s[2], s[3], s[4], s[5], 0 };
			unsigned long cp = strtoul(hex, NULL, 16);
			if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
				return -1;
			put_utf8(b, cp);
			s += 5;
		} else {
			return -1;
		}
	}
	return 0;
}

static int add_line(struct table *t, const char *path, unsigned long line, char *s)
{
	char *eq = strchr(s, '='), *key;
	struct sbuf text = SBUF_INIT;

	if (!eq) {
		civic_warn_at(path, line, "no '=' between a key and its text");
		return -1;
	}
	*eq = '\0';
	key = trim(s);
	if (!*key || strcspn(key, " \t") != strlen(key)) {
		civic_warn_at(path, line, "bad key '%s'", key);
		return -1;
	}
	if (unescape(trim(eq + 1), &text) != 0 || utf8_invalid_offset(sbuf_cstr(&text), text.len) != text.len) {
		civic_warn_at(path, line, "'%s': bad escape or invalid UTF-8 in the text", key);
		sbuf_release(&text);
		return -1;
	}
	t->e = xrealloc(t->e, (t->n + 1) * sizeof(*t->e));
	t->e[t->n].key = xstrdup(key);
	t->e[t->n++].text = xstrdup(sbuf_cstr(&text));
	sbuf_release(&text);
	return 0;
}

static int table_load(struct table *t, const char *path)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	int rc = 0;

	if (!fp) {
		civic_warn("%s:", path);
		return -1;
	}
	while (getline(&line, &cap, fp) != -1) {
		char *s = trim(line);
		lineno++;
		if (*s && *s != '#' && add_line(t, path, lineno, s) != 0)
			rc = -1;
	}
	if (ferror(fp)) {
		civic_warn("%s:", path);
		rc = -1;
	}
	free(line);
	fclose(fp);
	if (t->n > 0)   /* an empty file has no table to sort (qsort takes no NULL) */
		qsort(t->e, t->n, sizeof(*t->e), by_key);
	for (size_t i = 1; i < t->n; i++)
		if (strcmp(t->e[i - 1].key, t->e[i].key) == 0) {
			civic_warn("%s: the key '%s' is given twice", path, t->e[i].key);
			rc = -1;
		}
	return rc;
}

/* 1 when every {name} of text is one of the English text's. */
static int parts_known(const char *text, const char *en)
{
	for (const char *p = strchr(text, '{'); p; p = strchr(p + 1, '{')) {
		size_t n = strcspn(p, "}");
		int found = 0;
		if (!p[n])
			return 0;
		for (const char *q = strchr(en, '{'); q && !found; q = strchr(q + 1, '{'))
			found = strncmp(p, q, n + 1) == 0;
		if (!found)
			return 0;
	}
	return 1;
}

/* KEY.parts in English lists the parts a text may name beyond those the
 * English text uses ("{q} {roman} {year}" for a quarter). */
static const char *declared_parts(const char *key)
{
	char k[256];
	const char *t;

	snprintf(k, sizeof(k), "%s.parts", key);
	t = table_find(&english, k);
	return t ? t : "";
}

static void drop_unsafe(struct table *t, const char *path)
{
	size_t kept = 0;

	for (size_t i = 0; i < t->n; i++) {
		const char *en = table_find(&english, t->e[i].key);
		/* Plural forms are checked against the English form "other". */
		if (!en) {
			char base[256];
			const char *dot = strrchr(t->e[i].key, '.');
			if (dot && (size_t)(dot - t->e[i].key) < sizeof(base) - 8) {
				snprintf(base, sizeof(base), "%.*s.other", (int)(dot - t->e[i].key), t->e[i].key);
				en = table_find(&english, base);
			}
		}
		if (en && !parts_known(t->e[i].text, en) && !parts_known(t->e[i].text, declared_parts(t->e[i].key))) {
			civic_warn("%s: '%s' names a part the English text has not; English is used", path, t->e[i].key);
			free(t->e[i].key);
			free(t->e[i].text);
			continue;
		}
		t->e[kept++] = t->e[i];
	}
	t->n = kept;
}

static char *lang_path(const char *code)
{
	const char *dir = civic_datadir();
	char *path = xmalloc(strlen(dir) + strlen(code) + 16);

	sprintf(path, "%s/lang/%s.txt", dir, code);
	return path;
}

/* "ru", "uz", "uz-Latn" (the script Uzbek is written in by default). */
static const char *canonical(const char *code)
{
	if (strcmp(code, "uz-Latn") == 0 || strcmp(code, "uz_Latn") == 0)
		return "uz";
	return code;
}

static int shipped(const char *code)
{
	char *path;
	FILE *fp;

	if (!*code || strlen(code) > 10 || strspn(code, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != strlen(code))
		return 0;
	path = lang_path(code);
	fp = fopen(path, "r");
	free(path);
	if (fp)
		fclose(fp);
	return fp != NULL;
}

/* "en, ru, uz": the languages shipped, for messages. */
static void list_shipped(struct sbuf *b)
{
	const char *dir = civic_datadir();
	char *path = xmalloc(strlen(dir) + 8);
	struct dirent **names = NULL;
	int n;

	sprintf(path, "%s/lang", dir);
	n = scandir(path, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);
		if (len > 4 && strcmp(names[i]->d_name + len - 4, ".txt") == 0)
			sbuf_printf(b, "%s%.*s", b->len ? ", " : "", (int)(len - 4), names[i]->d_name);
		free(names[i]);
	}
	free(names);
	free(path);
}

static char *locale_language(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };

	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v) {
			char *code = xstrndup(v, strcspn(v, "_.@"));
			if (strchr(v, '@') && strstr(v, "@cyrillic")) {
				free(code);
				return NULL;     /* no Uzbek in Cyrillic script is shipped */
			}
			return code;
		}
	}
	return NULL;
}

const char *lang_choose(const char *opt)
{
	static char picked[16];
	const char *env = getenv("CIVIC_LANG");
	char *loc;

	if (opt) {
		if (!shipped(canonical(opt))) {
			struct sbuf known = SBUF_INIT;
			list_shipped(&known);
			civic_usage_error("unknown language '%s' (%s)", opt, sbuf_cstr(&known));
		}
		return canonical(opt);
	}
	if (env && *env) {
		if (shipped(canonical(env)))
			return canonical(env);
		civic_warn("CIVIC_LANG: unknown language '%s'; English is used", env);
		return "en";
	}
	loc = locale_language();
	snprintf(picked, sizeof(picked), "%s", loc && shipped(loc) ? loc : "en");
	free(loc);
	return picked;
}

int lang_use(const char *code)
{
	char *path;
	int rc;

	code = canonical(code);
	lang_release();
	if (!shipped(code)) {
		civic_warn("unknown language '%s'", code);
		return -1;
	}
	path = lang_path("en");
	rc = table_load(&english, path);
	free(path);
	if (rc == 0 && strcmp(code, "en") != 0) {
		path = lang_path(code);
		rc = table_load(&chosen, path);
		drop_unsafe(&chosen, path);
		free(path);
	}
	if (rc != 0) {
		lang_release();
		return -1;
	}
	snprintf(code_in_use, sizeof(code_in_use), "%s", code);
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strcmp(rules[i].code, code) == 0)
			plural_rule = rules[i].plural;
	decimal_mark = lang_text("number.decimal");
	group_mark = lang_text("number.group");
	/* lang_number()'s callers size their buffers for marks of up to three
	 * bytes (a narrow no-break space is three): a longer one is a broken file. */
	if (strlen(decimal_mark) > 3 || strlen(group_mark) > 3) {
		civic_warn("%s: number.decimal and number.group take at most 3 bytes each; "
			   "English marks are used", code);
		decimal_mark = ".";
		group_mark = ",";
	}
	return 0;
}

void lang_release(void)
{
	table_release(&english);
	table_release(&chosen);
	strcpy(code_in_use, "en");
	plural_rule = plural_en;
	decimal_mark = ".";
	group_mark = ",";
}

const char *lang_code(void)
{
	return code_in_use;
}

const char *lang_text(const char *key)
{
	const char *t = table_find(&chosen, key);

	if (!t)
		t = table_find(&english, key);
	return t ? t : key;
}

static void substitute(struct sbuf *b, const char *text, va_list ap)
{
	const char *names[16], *values[16];
	size_t n = 0;
	const char *name;

	while (n < 16 && (name = va_arg(ap, const char *)) != NULL) {
		names[n] = name;
		values[n++] = va_arg(ap, const char *);
	}
	for (const char *p = text; *p; p++) {
		size_t len;
		int done = 0;
		if (*p == '{' && (len = strcspn(p + 1, "}")) && p[1 + len]) {
			for (size_t i = 0; i < n && !done; i++)
				if (strlen(names[i]) == len && strncmp(names[i], p + 1, len) == 0) {
					sbuf_addstr(b, values[i]);
					done = 1;
				}
			if (done) {
				p += len + 1;
				continue;
			}
		}
		sbuf_addc(b, *p);
	}
}

void lang_put(struct sbuf *b, const char *key, ...)
{
	va_list ap;

	va_start(ap, key);
	substitute(b, lang_text(key), ap);
	va_end(ap);
}

/* key.FORM in the language, else key.other in it, else English's form,
 * else the key with English's form: written into k (ksize bytes), which
 * must outlive the text returned, since a missing key is its own text. */
static const char *plural_text(const char *key, unsigned long n, char *k, size_t ksize)
{
	const char *t;

	snprintf(k, ksize, "%s.%s", key, plural_rule(n));
	if ((t = table_find(&chosen, k)) != NULL)
		return t;
	snprintf(k, ksize, "%s.other", key);
	if ((t = table_find(&chosen, k)) != NULL)
		return t;
	snprintf(k, ksize, "%s.%s", key, plural_en(n));
	return lang_text(k);
}

void lang_put_n(struct sbuf *b, const char *key, unsigned long n, ...)
{
	struct sbuf text = SBUF_INIT;
	char num[32], form_key[256];
	va_list ap;

	snprintf(num, sizeof(num), "%lu", n);
	sbuf_addstr(&text, plural_text(key, n, form_key, sizeof(form_key)));
	/* {n} first, then the caller's parts. */
	{
		struct sbuf once = SBUF_INIT;
		const char *p = sbuf_cstr(&text);
		for (; *p; p++) {
			if (strncmp(p, "{n}", 3) == 0) {
				sbuf_addstr(&once, num);
				p += 2;
			} else {
				sbuf_addc(&once, *p);
			}
		}
		va_start(ap, n);
		substitute(b, sbuf_cstr(&once), ap);
		va_end(ap);
		sbuf_release(&once);
	}
	sbuf_release(&text);
}

void lang_number(const char *plain, int group, char *out)
{
	size_t lead = plain[0] == '-' || plain[0] == '+', intlen, o = 0;
	const char *p;

	if (strpbrk(plain, "eEnN")) {     /* 1e+20, nan, inf: as they are */
		strcpy(out, plain);
		return;
	}
	memcpy(out, plain, lead);
	o = lead;
	intlen = strcspn(plain + lead, ".");
	for (size_t i = 0; i < intlen; i++) {
		if (group && i && (intlen - i) % 3 == 0) {
			strcpy(out + o, group_mark);
			o += strlen(group_mark);
		}
		out[o++] = plain[lead + i];
	}
	p = plain + lead + intlen;
	if (*p == '.') {
		strcpy(out + o, decimal_mark);
		o += strlen(decimal_mark);
		p++;
	}
	strcpy(out + o, p);
}

void lang_percent(char *buf)
{
	struct sbuf b = SBUF_INIT;

	lang_put(&b, "number.percent", "x", buf, NULL);
	snprintf(buf, 96, "%s", sbuf_cstr(&b));
	sbuf_release(&b);
}

void lang_case_first(struct sbuf *b, size_t start, int upper)
{
	unsigned char *s = (unsigned char *)b->s + start;
	unsigned cp;

	if (start >= b->len)
		return;
	if (s[0] < 0x80) {
		s[0] = (unsigned char)(upper ? toupper(s[0]) : tolower(s[0]));
		return;
	}
	if (start + 1 >= b->len || (s[0] != 0xd0 && s[0] != 0xd1))
		return;
	cp = (unsigned)((s[0] & 0x1f) << 6 | (s[1] & 0x3f));
	if (upper && cp >= 0x430 && cp <= 0x44f)
		cp -= 0x20;
	else if (upper && cp >= 0x450 && cp <= 0x45f)
		cp -= 0x50;
	else if (!upper && cp >= 0x410 && cp <= 0x42f)
		cp += 0x20;
	else if (!upper && cp >= 0x400 && cp <= 0x40f)
		cp += 0x50;
	s[0] = (unsigned char)(0xc0 | cp >> 6);
	s[1] = (unsigned char)(0x80 | (cp & 0x3f));
}
