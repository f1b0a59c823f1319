/* Reading a rule book: one line at a time, each a directive from the table
 * below or a rule `ID LABEL PATTERN`.  Errors are collected, never fatal,
 * so --check can show every one of them. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datadir.h"
#include "rules_impl.h"
#include "utf8.h"
#include "xalloc.h"

enum { MAX_INCLUDE_DEPTH = 16 };

struct parse {
	struct rulebook *rb;
	const char *file;            /* interned in rb->files */
	const char *base;            /* its last path component, for map ids */
	unsigned long line;
	char *text;                  /* the current line */
	struct ruleset *set;         /* the open set, or NULL */
	const struct ruleset *inherit;   /* first `use`d set, for its default */
	char **stack;                /* real paths of the books being read */
	int depth;                   /* 0: a book named on the command line; more: included */
	unsigned long shown, hidden; /* errors reported and held back in this file */
	int extending;               /* the open set was opened by `extend` */
	int extend_before;           /* its new rules go before the old ones */
	size_t extend_from;          /* where the new rules start */
};

static size_t load_file(struct rulebook *rb, const char *path, char **stack, int depth,
	const char *from_file, unsigned long from_line);

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_space(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

/* The token at *p (up to white space); advances *p past it and the space after. */
static char *take_token(const char **p, size_t *at, const char *line)
{
	const char *s = skip_space(*p), *e = s;

	while (*e && !is_space(*e))
		e++;
	*at = (size_t)(s - line);
	*p = skip_space(e);
	return e > s ? xstrndup(s, (size_t)(e - s)) : NULL;
}

static void error_at(struct parse *ps, size_t col_byte, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* An include may name any file (include /etc/passwd): errors quote only
 * the lines of the books named on the command line.  An included file's
 * first error is reported by its line number alone, the rest counted. */
static int shown(struct parse *ps)
{
	if (ps->depth > 0 && ps->shown > 0) {
		ps->hidden++;
		return 0;
	}
	ps->shown++;
	return 1;
}

static void error_at(struct parse *ps, size_t col_byte, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!shown(ps))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rules_error(ps->rb, ps->file, ps->line, ps->depth ? NULL : ps->text, col_byte, "%s", msg);
}

static int valid_id(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
				strchr("_.-:", *s)))
			return 0;
	return 1;
}

/* The rest of a directive line must be empty or a comment. */
static int end_of_directive(struct parse *ps, const char *p)
{
	p = skip_space(p);
	if (*p && *p != '#') {
		error_at(ps, (size_t)(p - ps->text), "unexpected text after the directive");
		return -1;
	}
	return 0;
}

static struct rule *new_rule(struct parse *ps)
{
	struct rulebook *rb = ps->rb;
	struct rule *r = xcalloc(1, sizeof(*r));

	r->file = ps->file;
	r->line = ps->line;
	rb->store = xgrow(rb->store, &rb->capstore, rb->nstore + 1, sizeof(*rb->store));
	rb->store[rb->nstore++] = r;
	return r;
}

/* Adds r to the open set unless its id or map value is already there. */
static void add_to_set(struct parse *ps, const struct rule *r, size_t at)
{
	struct ruleset *s = ps->set;
	const struct rule *old = NULL;
	long dup;
	size_t j;

	s->rules = xgrow(s->rules, &s->cap, s->nrules + 1, sizeof(*s->rules));
	s->rules[s->nrules++] = r;
	if (r->key) {
		if ((dup = ruleset_map_add(s, s->nrules - 1)) < 0)
			return;
		old = s->rules[dup];
		error_at(ps, at, "value '%s' is already mapped at %s:%lu", r->key, old->file, old->line);
	} else {
		for (j = 0; j + 1 < s->nrules && !old; j++)
			if (!s->rules[j]->key && strcmp(s->rules[j]->id, r->id) == 0)
				old = s->rules[j];
		if (!old)
			return;
		error_at(ps, at, "rule id '%s' is already used at %s:%lu", r->id, old->file, old->line);
	}
	s->nrules--;
}

/* The rules from `from` on go before the others; map slots hold indices,
 * so the table is built again. */
static void move_to_front(struct ruleset *s, size_t from)
{
	size_t n = s->nrules - from;
	const struct rule **moved = xmalloc(n * sizeof(*moved) + 1);

	memcpy(moved, s->rules + from, n * sizeof(*moved));
	memmove(s->rules + n, s->rules, from * sizeof(*s->rules));
	memcpy(s->rules, moved, n * sizeof(*moved));
	free(moved);
	free(s->slots);
	s->slots = NULL;
	s->nslots = s->nmaps = 0;
	for (size_t i = 0; i < s->nrules; i++)
		if (s->rules[i]->key)
			ruleset_map_add(s, i);
}

static void finish_extend(struct parse *ps)
{
	struct ruleset *s = ps->set;

	ps->set = NULL;
	ps->extending = 0;
	if (s->nrules == ps->extend_from)
		rules_error(ps->rb, ps->file, ps->line, NULL, 0, "'extend %s' adds no rules or maps", s->name);
	else if (ps->extend_before)
		move_to_front(s, ps->extend_from);
}

static void finish_set(struct parse *ps)
{
	struct ruleset *s = ps->set;

	if (!s)
		return;
	if (ps->extending) {
		finish_extend(ps);
		return;
	}
	ps->set = NULL;
	if (!s->has_default && ps->inherit && ps->inherit->has_default) {
		s->has_default = 1;
		s->keep = ps->inherit->keep;
		s->default_label = ps->inherit->default_label ? xstrdup(ps->inherit->default_label) : NULL;
	}
	ps->inherit = NULL;
	if (s->nrules == 0)
		rules_error(ps->rb, s->file, s->line, NULL, 0, "rule set '%s' has no rules", s->name);
}

static int need_set(struct parse *ps, const char *what)
{
	if (ps->set)
		return 0;
	error_at(ps, (size_t)(skip_space(ps->text) - ps->text), "%s outside a rule set (start one with 'set NAME')", what);
	return -1;
}

static void start_set(struct parse *ps, const char *p, size_t at, int is_template)
{
	struct rulebook *rb = ps->rb;
	struct ruleset *s;
	size_t nat;
	char *name = take_token(&p, &nat, ps->text);

	finish_set(ps);
	if (!name) {
		error_at(ps, at, "a rule set needs a name");
		return;
	}
	if (end_of_directive(ps, p) != 0) {
		free(name);
		return;
	}
	if ((s = rulebook_find(rb, name)) != NULL)
		error_at(ps, nat, "rule set '%s' is already defined at %s:%lu (to add to it: 'extend %s before' or 'extend %s after')",
			name, s->file, s->line, name, name);
	s = xcalloc(1, sizeof(*s));
	s->name = name;
	s->is_template = is_template;
	s->file = ps->file;
	s->line = ps->line;
	rb->sets = xgrow(rb->sets, &rb->capsets, rb->nsets + 1, sizeof(*rb->sets));
	rb->sets[rb->nsets++] = s;
	ps->set = s;
}

static void d_set(struct parse *ps, const char *p, size_t at)
{
	start_set(ps, p, at, 0);
}

static void d_template(struct parse *ps, const char *p, size_t at)
{
	start_set(ps, p, at, 1);
}

/* An `extend` block adds rules and maps; what a set reads and its
 * default stay where the set is defined. */
static int not_extending(struct parse *ps, const char *what, size_t at)
{
	if (!ps->extending)
		return 0;
	error_at(ps, at, "%s changes a set only where it is defined: 'extend' adds rules and maps", what);
	return -1;
}

/* extend NAME before|after: the rules and maps that follow join set NAME,
 * defined above (usually in an included shipped book). */
static void d_extend(struct parse *ps, const char *p, size_t at)
{
	size_t nat = at, wat = at;
	char *name = take_token(&p, &nat, ps->text), *where = name ? take_token(&p, &wat, ps->text) : NULL;
	struct ruleset *s;

	finish_set(ps);
	if (!where || (strcmp(where, "before") != 0 && strcmp(where, "after") != 0))
		error_at(ps, where ? wat : at,
			"'extend' needs a rule set and where the new rules go: 'extend NAME before' or 'extend NAME after'");
	else if (end_of_directive(ps, p) != 0)
		;
	else if (!(s = rulebook_find(ps->rb, name)))
		error_at(ps, nat, "no rule set '%s' is defined before this line (include its book first)", name);
	else {
		ps->set = s;
		ps->extending = 1;
		ps->extend_before = where[0] == 'b';
		ps->extend_from = s->nrules;
	}
	free(name);
	free(where);
}

static void d_from(struct parse *ps, const char *p, size_t at)
{
	struct ruleset *s = ps->set;
	size_t tat;
	char *col;

	if (need_set(ps, "'from'") != 0 || not_extending(ps, "'from'", at) != 0)
		return;
	if (s->nfrom) {
		error_at(ps, at, "rule set '%s' already names its columns", s->name);
		return;
	}
	while (*p && *p != '#' && (col = take_token(&p, &tat, ps->text)) != NULL) {
		s->from = xrealloc(s->from, (s->nfrom + 1) * sizeof(*s->from));
		s->from[s->nfrom++] = col;
	}
	if (!s->nfrom)
		error_at(ps, at, "'from' needs at least one column");
}

static void set_default(struct parse *ps, size_t at, char *label, int keep)
{
	struct ruleset *s = ps->set;

	if (s->has_default) {
		error_at(ps, at, "rule set '%s' already has a default", s->name);
		free(label);
		return;
	}
	s->has_default = 1;
	s->keep = keep;
	s->default_label = label;
}

static void d_default(struct parse *ps, const char *p, size_t at)
{
	size_t lat;
	char *label;

	if (need_set(ps, "'default'") != 0 || not_extending(ps, "'default'", at) != 0)
		return;
	label = take_token(&p, &lat, ps->text);
	if (!label) {
		error_at(ps, at, "'default' needs a label");
		return;
	}
	if (end_of_directive(ps, p) != 0) {
		free(label);
		return;
	}
	set_default(ps, at, label, 0);
}

static void d_keep(struct parse *ps, const char *p, size_t at)
{
	if (need_set(ps, "'keep'") != 0 || not_extending(ps, "'keep'", at) != 0 ||
	    end_of_directive(ps, p) != 0)
		return;
	set_default(ps, at, NULL, 1);
}

static void d_use(struct parse *ps, const char *p, size_t at)
{
	const struct ruleset *from;
	size_t nat, i;
	char *name;

	if (need_set(ps, "'use'") != 0)
		return;
	name = take_token(&p, &nat, ps->text);
	if (!name) {
		error_at(ps, at, "'use' needs the name of a rule set");
		return;
	}
	if (end_of_directive(ps, p) == 0) {
		from = rulebook_find(ps->rb, name);
		if (!from || from == ps->set)
			error_at(ps, nat, "no rule set '%s' is defined before this line", name);
		else {
			for (i = 0; i < from->nrules; i++)
				add_to_set(ps, from->rules[i], nat);
			if (!ps->inherit)
				ps->inherit = from;
		}
	}
	free(name);
}

/* map VALUE -> LABEL: the last " -> " splits, so a value may hold "->". */
static void d_map(struct parse *ps, const char *p, size_t at)
{
	const char *arrow = NULL, *q, *end;
	struct rule *r;
	size_t lat;
	char *label, *value;

	if (need_set(ps, "'map'") != 0)
		return;
	for (q = strstr(p, "->"); q; q = strstr(q + 1, "->"))
		if (q > p && is_space(q[-1]) && (is_space(q[2]) || !q[2]))
			arrow = q;
	if (!arrow) {
		error_at(ps, at, "'map' needs 'VALUE -> LABEL'");
		return;
	}
	end = arrow;
	while (end > p && is_space(end[-1]))
		end--;
	q = arrow + 2;
	label = take_token(&q, &lat, ps->text);
	if (!label || end == p) {
		error_at(ps, label ? (size_t)(p - ps->text) : (size_t)(arrow - ps->text),
			label ? "'map' needs a value before '->'" : "'map' needs a label after '->'");
		free(label);
		return;
	}
	if (*q) {
		error_at(ps, (size_t)(q - ps->text), "a label is one word; unexpected text after it");
		free(label);
		return;
	}
	value = xstrndup(p, (size_t)(end - p));
	r = new_rule(ps);
	r->label = label;
	rules_fold_key(value, strlen(value), &ps->rb->fold, &ps->rb->key);
	r->key = xstrdup(ps->rb->key.s);
	free(value);
	r->id = xmalloc(strlen(ps->base) + 24);
	sprintf(r->id, "%s:%lu", ps->base, ps->line);
	add_to_set(ps, r, (size_t)(p - ps->text));
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? xstrndup(path, (size_t)(slash - path + 1)) : xstrdup("");
}

static void d_include(struct parse *ps, const char *p, size_t at)
{
	size_t nat;
	char *name = take_token(&p, &nat, ps->text), *dir, *path = NULL;

	if (!name) {
		error_at(ps, at, "'include' needs a file name");
		return;
	}
	if (end_of_directive(ps, p) != 0) {
		free(name);
		return;
	}
	if (name[0] != '/') {
		dir = dir_of(ps->file);
		path = xmalloc(strlen(dir) + strlen(name) + 1);
		strcpy(path, dir);
		strcat(path, name);
		free(dir);
		FILE *fp = fopen(path, "r");
		if (fp)
			fclose(fp);
		else {
			free(path);
			path = NULL;
		}
	}
	if (!path && !(path = civic_find_data("rules", name))) {
		error_at(ps, nat, "cannot find rule book '%s'", name);
		free(name);
		return;
	}
	load_file(ps->rb, path, ps->stack, ps->depth + 1, ps->file, ps->line);
	free(path);
	free(name);
}

static void rule_line(struct parse *ps, char *id, size_t at, const char *p)
{
	struct rule *r;
	size_t lat, off;
	char msg[512];
	char *label, *end;

	if (need_set(ps, "a rule") != 0) {
		free(id);
		return;
	}
	if (!valid_id(id)) {
		error_at(ps, at, "rule id '%s' may hold only letters, digits and _ . - :", id);
		free(id);
		return;
	}
	label = take_token(&p, &lat, ps->text);
	if (!label || !*p) {
		error_at(ps, at, "expected 'ID LABEL PATTERN'");
		free(id);
		free(label);
		return;
	}
	r = new_rule(ps);
	r->id = id;
	r->label = label;
	r->pattern = xstrdup(p);
	for (end = r->pattern + strlen(r->pattern); end > r->pattern && is_space(end[-1]);)
		*--end = '\0';
	if (rules_compile(r, &off, msg, sizeof(msg)) != 0)
		error_at(ps, (size_t)(p - ps->text) + off, "%s", msg);
	add_to_set(ps, r, at);
}

static const struct directive {
	const char *name;
	void (*fn)(struct parse *, const char *rest, size_t at);
} directives[] = {
	{ "include",  d_include },
	{ "set",      d_set },
	{ "template", d_template },
	{ "from",     d_from },
	{ "default",  d_default },
	{ "keep",     d_keep },
	{ "use",      d_use },
	{ "map",      d_map },
	{ "extend",   d_extend },
};

static void parse_line(struct parse *ps)
{
	const char *p = ps->text;
	size_t at, i, bad;
	char *word;

	if ((bad = utf8_invalid_offset(p, strlen(p))) != strlen(p)) {
		if (shown(ps))
			rules_error(ps->rb, ps->file, ps->line, NULL, 0, "not valid UTF-8 (byte %zu of the line)", bad + 1);
		return;
	}
	p = skip_space(p);
	if (!*p || *p == '#')
		return;
	word = take_token(&p, &at, ps->text);
	for (i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
		if (strcmp(word, directives[i].name) == 0) {
			free(word);
			directives[i].fn(ps, p, at);
			return;
		}
	rule_line(ps, word, at, p);
}

static int open_book(struct rulebook *rb, const char *path, char **stack, int depth,
	const char *from_file, unsigned long from_line, FILE **fpp, char **real)
{
	int i;

	if (depth >= MAX_INCLUDE_DEPTH) {
		rules_error(rb, from_file, from_line, NULL, 0, "includes nest more than %d deep", MAX_INCLUDE_DEPTH);
		return -1;
	}
	if (!(*fpp = fopen(path, "r"))) {
		rules_error(rb, from_file ? from_file : path, from_line, NULL, 0,
			"cannot open rule book '%s': %s", path, strerror(errno));
		return -1;
	}
	*real = realpath(path, NULL);
	if (!*real)
		*real = xstrdup(path);
	for (i = 0; i < depth; i++)
		if (strcmp(stack[i], *real) == 0) {
			rules_error(rb, from_file, from_line, NULL, 0, "'%s' includes itself", path);
			fclose(*fpp);
			free(*real);
			return -1;
		}
	return 0;
}

static const char *intern_file(struct rulebook *rb, const char *path)
{
	rb->files = xgrow(rb->files, &rb->capfiles, rb->nfiles + 1, sizeof(*rb->files));
	return rb->files[rb->nfiles++] = xstrdup(path);
}

static size_t load_file(struct rulebook *rb, const char *path, char **stack, int depth,
	const char *from_file, unsigned long from_line)
{
	struct parse ps = { rb, NULL, NULL, 0, NULL, NULL, NULL, stack, depth, 0, 0, 0, 0, 0 };
	size_t before = rb->nerrors, cap = 0, n;
	ssize_t len;
	FILE *fp;
	char *real;

	if (open_book(rb, path, stack, depth, from_file, from_line, &fp, &real) != 0)
		return rb->nerrors - before;
	stack[depth] = real;
	ps.file = intern_file(rb, path);
	ps.base = strrchr(ps.file, '/') ? strrchr(ps.file, '/') + 1 : ps.file;
	while ((len = getline(&ps.text, &cap, fp)) > 0) {
		ps.line++;
		n = (size_t)len;
		while (n > 0 && (ps.text[n - 1] == '\n' || ps.text[n - 1] == '\r'))
			ps.text[--n] = '\0';
		if (memchr(ps.text, '\0', n)) {
			if (shown(&ps))
				rules_error(rb, ps.file, ps.line, NULL, 0, "a NUL byte in a rule book");
		}
		else
			parse_line(&ps);
	}
	if (ferror(fp))
		rules_error(rb, ps.file, 0, NULL, 0, "read error: %s", strerror(errno));
	if (ps.hidden)
		rules_error(rb, ps.file, 0, NULL, 0, "%lu more error%s in this included book "
			"(check it by itself with civic-classify --check -r %s)",
			ps.hidden, ps.hidden == 1 ? "" : "s", ps.file);
	finish_set(&ps);
	free(ps.text);
	fclose(fp);
	free(real);
	return rb->nerrors - before;
}

size_t rulebook_load(struct rulebook *rb, const char *name)
{
	char *stack[MAX_INCLUDE_DEPTH];
	char *path = civic_find_data("rules", name);
	size_t n;

	if (!path) {
		rules_error(rb, name, 0, NULL, 0, "cannot open rule book: %s",
			strchr(name, '/') ? strerror(ENOENT) : "no such file here or among the shipped books");
		return 1;
	}
	n = load_file(rb, path, stack, 0, NULL, 0);
	free(path);
	return n;
}

void rules_error(struct rulebook *rb, const char *file, unsigned long line,
	const char *source, size_t col_byte, const char *fmt, ...)
{
	struct rules_error *e;
	char msg[1024];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rb->errors = xgrow(rb->errors, &rb->caperrors, rb->nerrors + 1, sizeof(*rb->errors));
	e = &rb->errors[rb->nerrors++];
	e->file = xstrdup(file ? file : "-");
	e->line = line;
	e->message = xstrdup(msg);
	e->source = source ? xstrdup(source) : NULL;
	e->column = 0;
	if (source) {
		e->column = 1;
		for (i = 0; i < col_byte && source[i]; i++)
			if (((unsigned char)source[i] & 0xC0) != 0x80)
				e->column++;
	}
}
