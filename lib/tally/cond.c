/* The condition language (cond.h): a tokenizer, a recursive-descent
 * parser into a tree of tests, and three-valued evaluation.  Comparisons
 * are keyexpr.h's kxcond; this file adds the rest of the language. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cond.h"
#include "error.h"
#include "rules.h"
#include "sbuf.h"
#include "xalloc.h"

enum node_kind { N_CMP, N_TEXT, N_AND, N_OR, N_NOT };

struct cond_node {
	enum node_kind kind;
	size_t idx;                    /* N_CMP: into cmp; N_TEXT: into texts */
	struct cond_node *a, *b;
	int may_reject;                /* can evaluate to -1: else and/or may stop at a decisive side */
	const struct kxcond *plain;    /* N_CMP of a column = or != text: see plain_equals() */
};

/* A test of a key's text: a pattern (code) or emptiness (code NULL). */
struct cond_text {
	struct keyexpr key;
	pcre2_code *code;
	int negate;                    /* !~, is not empty */
	pcre2_match_data *md;
	pcre2_match_context *mc;
	unsigned long steps_left;
	struct sbuf fold;
};

enum tok { T_END, T_WORD, T_QUOTED, T_OP, T_LP, T_RP, T_COMMA };

struct token {
	enum tok kind;
	size_t at, len;                /* the token's bytes in the text */
	char *value;                   /* T_WORD, T_QUOTED: the value (unquoted) */
};

struct parser {
	struct cond *c;
	const char *s;
	size_t pos;
	struct token t;                /* the current token */
	char *err;
	size_t errsize;
};

static const char op_chars[] = "<>=!~";
static const char stop_chars[] = "<>=!~(),'\"";

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static int fail(struct parser *p, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, size_t at, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cond_error(p->s, at, p->err, p->errsize, "%s", msg);
}

/* 'it''s' → it's; -1 when the quote is never closed. */
static int read_quoted(struct parser *p, size_t at)
{
	char q = p->s[at];
	struct sbuf b = SBUF_INIT;
	size_t i = at + 1;

	for (;;) {
		if (p->s[i] == '\0') {
			sbuf_release(&b);
			return fail(p, at, "a quote %c is never closed", q);
		}
		if (p->s[i] == q && p->s[i + 1] != q)
			break;
		if (p->s[i] == q)
			i++;
		sbuf_addc(&b, p->s[i++]);
	}
	sbuf_addc(&b, '\0');
	p->t.value = b.s;
	p->t.len = i + 1 - at;
	return 0;
}

static int next(struct parser *p)
{
	const char *s = p->s;
	size_t i = p->pos;

	free(p->t.value);
	memset(&p->t, 0, sizeof(p->t));
	while (is_space(s[i]))
		i++;
	p->t.at = i;
	p->t.len = 1;
	if (s[i] == '\0') {
		p->t.kind = T_END;
		p->t.len = 0;
	} else if (s[i] == '(') {
		p->t.kind = T_LP;
	} else if (s[i] == ')') {
		p->t.kind = T_RP;
	} else if (s[i] == ',') {
		p->t.kind = T_COMMA;
	} else if (s[i] == '\'' || s[i] == '"') {
		p->t.kind = T_QUOTED;
		if (read_quoted(p, i) < 0)
			return -1;
	} else if (strchr(op_chars, s[i])) {
		p->t.kind = T_OP;
		p->t.len = strspn(s + i, op_chars);
	} else {
		size_t n = 0;
		while (s[i + n] && !is_space(s[i + n]) && !strchr(stop_chars, s[i + n]))
			n++;
		p->t.kind = T_WORD;
		p->t.len = n;
		p->t.value = xstrndup(s + i, n);
	}
	p->pos = p->t.at + p->t.len;
	return 0;
}

static int is_word(const struct parser *p, const char *kw)
{
	return p->t.kind == T_WORD && strcasecmp(p->t.value, kw) == 0;
}

static struct cond_node *node(enum node_kind kind, size_t idx, struct cond_node *a, struct cond_node *b)
{
	struct cond_node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->idx = idx;
	n->a = a;
	n->b = b;
	n->may_reject = 1;             /* until cond_bind() knows better */
	return n;
}

static void node_free(struct cond_node *n)
{
	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	free(n);
}

static void add_key(struct cond *c, struct keyexpr *k, size_t at)
{
	c->keys = xrealloc(c->keys, (c->nkeys + 1) * sizeof(*c->keys));
	c->key_at = xrealloc(c->key_at, (c->nkeys + 1) * sizeof(*c->key_at));
	c->keys[c->nkeys] = k;
	c->key_at[c->nkeys++] = at;
}

/* The key as written (a word, a call such as days(a, b), or a quoted
 * name); *key malloc'd, *at where it starts. */
static int parse_key(struct parser *p, char **key, size_t *at)
{
	*at = p->t.at;
	*key = NULL;
	if (p->t.kind == T_QUOTED) {
		*key = xstrdup(p->t.value);
		return next(p);
	}
	if (p->t.kind != T_WORD)
		return fail(p, p->t.at, p->t.kind == T_END ? "a condition ends where a column was expected"
			: "expected a column or a key such as month(received_at) here");
	size_t end = p->t.at + p->t.len;
	if (p->s[end] == '(') {
		const char *close = strchr(p->s + end, ')');
		if (!close)
			return fail(p, end, "'%s(': missing ')'", p->t.value);
		end = (size_t)(close - p->s) + 1;
		p->pos = end;
	}
	*key = xstrndup(p->s + *at, end - *at);
	return next(p);
}

/* A value after an operator: a word or a quoted text ("" when none). */
static char *take_value(struct parser *p, size_t *at)
{
	*at = p->t.at;
	if (p->t.kind == T_WORD || p->t.kind == T_QUOTED) {
		char *v = p->t.value;
		p->t.value = NULL;
		return v;
	}
	return xstrdup("");
}

static int add_cmp(struct parser *p, const char *key, size_t key_at, enum kx_op op,
	const char *value, size_t value_at, struct cond_node **out)
{
	struct cond *c = p->c;
	struct kxcond *k = xcalloc(1, sizeof(*k));

	c->cmp = xrealloc(c->cmp, (c->ncmp + 1) * sizeof(*c->cmp));
	c->cmp[c->ncmp++] = k;
	if (kxcond_atom(k, p->s, key, key_at, op, value, value_at, p->err, p->errsize) < 0)
		return -1;
	add_key(c, &k->lhs, key_at);
	*out = node(N_CMP, c->ncmp - 1, NULL, NULL);
	return 0;
}

static int comparison(struct parser *p, const char *key, size_t key_at, struct cond_node **out)
{
	enum kx_op op;
	size_t value_at;

	if (kxcond_op(p->s, p->s + p->t.at, p->t.len, &op, p->err, p->errsize) < 0)
		return -1;
	if (next(p) < 0)
		return -1;
	char *value = take_value(p, &value_at);
	int rc = add_cmp(p, key, key_at, op, value, value_at, out);

	free(value);
	return rc < 0 ? -1 : next(p);
}

/* C in (a, b, c): C = a or C = b or C = c. */
static int in_list(struct parser *p, const char *key, size_t key_at, struct cond_node **out)
{
	if (next(p) < 0)
		return -1;
	if (p->t.kind != T_LP)
		return fail(p, p->t.at, "'in' takes a list in parentheses, as in region in (north, 'south west')");
	*out = NULL;
	do {
		struct cond_node *n;
		size_t at;
		if (next(p) < 0)
			return -1;
		if (p->t.kind != T_WORD && p->t.kind != T_QUOTED)
			return fail(p, p->t.at, "expected a value in the list of 'in'");
		char *value = take_value(p, &at);
		int rc = add_cmp(p, key, key_at, KX_EQ, value, at, &n);
		free(value);
		if (rc < 0)
			return -1;
		*out = *out ? node(N_OR, 0, *out, n) : n;
		if (next(p) < 0)
			return -1;
	} while (p->t.kind == T_COMMA);
	if (p->t.kind != T_RP)
		return fail(p, p->t.at, "expected ',' or ')' in the list of 'in'");
	return next(p);
}

static struct cond_text *add_text(struct parser *p, const char *key, size_t key_at, int negate)
{
	struct cond *c = p->c;
	struct cond_text *t = xcalloc(1, sizeof(*t));

	c->texts = xrealloc(c->texts, (c->ntexts + 1) * sizeof(*c->texts));
	c->texts[c->ntexts++] = t;
	t->negate = negate;
	if (keyexpr_parse(&t->key, key, p->err, p->errsize) < 0) {
		char *msg = xstrdup(p->err);
		fail(p, key_at, "%s", msg);
		free(msg);
		return NULL;
	}
	add_key(c, &t->key, key_at);
	return t;
}

/* C is empty, C is not empty. */
static int emptiness(struct parser *p, const char *key, size_t key_at, struct cond_node **out)
{
	int negate = 0;

	if (next(p) < 0)
		return -1;
	if (is_word(p, "not")) {
		negate = 1;
		if (next(p) < 0)
			return -1;
	}
	if (!is_word(p, "empty"))
		return fail(p, p->t.at, "expected 'empty' or 'not empty' after 'is'");
	if (!add_text(p, key, key_at, negate))
		return -1;
	*out = node(N_TEXT, p->c->ntexts - 1, NULL, NULL);
	return next(p);
}

/* A pattern as rule books see text: their folds applied to its
 * characters outside ASCII (ASCII keeps its case, so \D stays \D). */
static void fold_pattern(const char *pat, struct sbuf *out)
{
	struct sbuf tmp = SBUF_INIT;

	for (size_t i = 0; pat[i]; ) {
		unsigned char ch = (unsigned char)pat[i];
		if (ch < 0x80) {
			sbuf_addc(out, ch == '`' ? '\'' : (char)ch);
			i++;
			continue;
		}
		size_t n = 1;
		while (pat[i + n] && ((unsigned char)pat[i + n] & 0xC0) == 0x80)
			n++;
		size_t len;
		const char *f = rules_fold_match(pat + i, n, &tmp, &len);
		sbuf_add(out, f, len);
		i += n;
	}
	sbuf_addc(out, '\0');
	sbuf_release(&tmp);
}

static int count_step(pcre2_callout_block *cb, void *data)
{
	struct cond_text *t = data;

	(void)cb;
	if (t->steps_left == 0)
		return PCRE2_ERROR_CALLOUT;
	t->steps_left--;
	return 0;
}

static void *need(void *ptr)
{
	if (!ptr)
		civic_die(CIVIC_EXIT_DATA, "out of memory");
	return ptr;
}

static int compile_pattern(struct parser *p, struct cond_text *t, const char *pat, size_t at)
{
	struct sbuf folded = SBUF_INIT;
	PCRE2_SIZE off;
	int rc;

	if (strncmp(pat, "(*", 2) == 0)
		return fail(p, at, "a pattern may not start with '(*': limits and options are the command's");
	fold_pattern(pat, &folded);
	t->code = pcre2_compile((PCRE2_SPTR)folded.s, PCRE2_ZERO_TERMINATED,
		PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_AUTO_CALLOUT, &rc, &off, NULL);
	sbuf_release(&folded);
	if (!t->code) {
		PCRE2_UCHAR msg[256];
		if (pcre2_get_error_message(rc, msg, sizeof(msg)) < 0)
			strcpy((char *)msg, "not a pattern");
		return fail(p, at, "bad pattern: %s", (char *)msg);
	}
	pcre2_jit_compile(t->code, PCRE2_JIT_COMPLETE);
	t->md = need(pcre2_match_data_create(1, NULL));
	t->mc = need(pcre2_match_context_create(NULL));
	pcre2_set_match_limit(t->mc, RULES_MATCH_LIMIT);
	pcre2_set_depth_limit(t->mc, RULES_DEPTH_LIMIT);
	pcre2_set_heap_limit(t->mc, RULES_HEAP_LIMIT_KIB);
	pcre2_set_callout(t->mc, count_step, t);
	return 0;
}

/* C ~ 'pattern', C !~ 'pattern'. */
static int match(struct parser *p, const char *key, size_t key_at, int negate, struct cond_node **out)
{
	size_t at;

	if (next(p) < 0)
		return -1;
	if (p->t.kind != T_WORD && p->t.kind != T_QUOTED)
		return fail(p, p->t.at, "'%s' needs a pattern after it, as in subject ~ 'кража|theft'",
			negate ? "!~" : "~");
	struct cond_text *t = add_text(p, key, key_at, negate);
	if (!t)
		return -1;
	char *pat = take_value(p, &at);
	int rc = compile_pattern(p, t, pat, p->t.kind == T_QUOTED ? at + 1 : at);

	free(pat);
	if (rc < 0)
		return -1;
	*out = node(N_TEXT, p->c->ntexts - 1, NULL, NULL);
	return next(p);
}

static const char *const joins[] = { "and", "or", NULL };
static const char *const tests[] = { "in", "is", "not", NULL };

/* Two letters swapped, or one letter wrong, missing or extra. */
static int slip_of(const char *word, const char *kw)
{
	size_t n = strlen(word);

	if (strcasecmp(word, kw) == 0 || n < 2)
		return 0;
	if (n == strlen(kw))
		for (size_t i = 0; i + 1 < n; i++)
			if (word[i] == kw[i + 1] && word[i + 1] == kw[i] &&
			    strncasecmp(word, kw, i) == 0 && strcasecmp(word + i + 2, kw + i + 2) == 0)
				return 1;
	return edit_distance(word, kw) <= 1;
}

/* The keyword of kws that word is a slip of, or NULL. */
static const char *keyword_meant(const char *word, const char *const *kws)
{
	for (size_t i = 0; kws[i]; i++)
		if (slip_of(word, kws[i]))
			return kws[i];
	return NULL;
}

static int no_operator(struct parser *p, const char *key)
{
	if (p->t.kind == T_END && p->c->ncmp + p->c->ntexts == 0)
		return fail(p, p->t.at, "'%s': expected a condition such as 'days(received_at,resolved_at)<=15'",
			p->s);
	if (p->t.kind == T_WORD && keyword_meant(p->t.value, tests))
		return fail(p, p->t.at, "unknown operator '%s' after '%s' (did you mean '%s'?)",
			p->t.value, key, keyword_meant(p->t.value, tests));
	return fail(p, p->t.at, "expected an operator after '%s': = != < <= > >= ~ !~ in, is empty", key);
}

static int test(struct parser *p, struct cond_node **out)
{
	char *key;
	size_t key_at;
	int rc;

	if (parse_key(p, &key, &key_at) < 0) {
		free(key);
		return -1;
	}
	if (p->t.kind == T_OP && p->t.len == 1 && p->s[p->t.at] == '~')
		rc = match(p, key, key_at, 0, out);
	else if (p->t.kind == T_OP && p->t.len == 2 && memcmp(p->s + p->t.at, "!~", 2) == 0)
		rc = match(p, key, key_at, 1, out);
	else if (p->t.kind == T_OP && p->t.len == 2 && (memcmp(p->s + p->t.at, "=~", 2) == 0 ||
			memcmp(p->s + p->t.at, "~=", 2) == 0))
		rc = fail(p, p->t.at, "unknown operator '%.2s' in a condition (did you mean '~'?)", p->s + p->t.at);
	else if (p->t.kind == T_OP)
		rc = comparison(p, key, key_at, out);
	else if (is_word(p, "in"))
		rc = in_list(p, key, key_at, out);
	else if (is_word(p, "not")) {
		rc = next(p);
		if (rc == 0 && !is_word(p, "in"))
			rc = fail(p, p->t.at, "expected 'in' after '%s not'", key);
		if (rc == 0 && (rc = in_list(p, key, key_at, out)) == 0)
			*out = node(N_NOT, 0, *out, NULL);
	} else if (is_word(p, "is"))
		rc = emptiness(p, key, key_at, out);
	else
		rc = no_operator(p, key);
	free(key);
	return rc;
}

static int or_expr(struct parser *p, struct cond_node **out);

static int unary(struct parser *p, struct cond_node **out)
{
	if (is_word(p, "not")) {
		struct cond_node *a = NULL;
		if (next(p) < 0 || unary(p, &a) < 0) {
			node_free(a);
			return -1;
		}
		*out = node(N_NOT, 0, a, NULL);
		return 0;
	}
	if (p->t.kind == T_LP) {
		size_t open = p->t.at;
		if (next(p) < 0 || or_expr(p, out) < 0)
			return -1;
		if (p->t.kind != T_RP)
			return fail(p, open, "this '(' is never closed");
		return next(p);
	}
	return test(p, out);
}

static int binary(struct parser *p, struct cond_node **out, const char *kw, enum node_kind kind,
	int (*operand)(struct parser *, struct cond_node **))
{
	if (operand(p, out) < 0)
		return -1;
	while (is_word(p, kw)) {
		struct cond_node *b = NULL;
		if (next(p) < 0 || operand(p, &b) < 0) {
			node_free(b);
			return -1;
		}
		*out = node(kind, 0, *out, b);
	}
	return 0;
}

static int and_expr(struct parser *p, struct cond_node **out)
{
	return binary(p, out, "and", N_AND, unary);
}

static int or_expr(struct parser *p, struct cond_node **out)
{
	return binary(p, out, "or", N_OR, and_expr);
}

static int trailing(struct parser *p)
{
	const char *meant;

	if (p->t.kind == T_END)
		return 0;
	if (p->t.kind == T_RP)
		return fail(p, p->t.at, "a ')' that closes nothing");
	if (p->t.kind == T_WORD && (meant = keyword_meant(p->t.value, joins)) != NULL)
		return fail(p, p->t.at, "unexpected '%s' (did you mean '%s'?)", p->t.value, meant);
	if (p->t.kind == T_WORD)
		return fail(p, p->t.at, "unexpected '%s': tests are joined with 'and' or 'or', "
			"and a value with spaces is quoted ('like this')", p->t.value);
	return fail(p, p->t.at, "unexpected '%.*s': tests are joined with 'and' or 'or'",
		(int)p->t.len, p->s + p->t.at);
}

int cond_parse(struct cond *c, const char *text, char *err, size_t errsize)
{
	struct parser p = { c, NULL, 0, { T_END, 0, 0, NULL }, err, errsize };
	int rc;

	memset(c, 0, sizeof(*c));
	c->text = xstrdup(text);
	p.s = c->text;
	rc = next(&p);
	if (rc == 0 && p.t.kind == T_END)
		rc = fail(&p, 0, "an empty condition");
	if (rc == 0)
		rc = or_expr(&p, &c->root);
	if (rc == 0)
		rc = trailing(&p);
	free(p.t.value);
	return rc;
}

static int mark_may_reject(const struct cond *c, struct cond_node *nd)
{
	switch (nd->kind) {
	case N_CMP:
		return nd->may_reject = kxcond_may_reject(c->cmp[nd->idx]);
	case N_TEXT:
		return nd->may_reject = 1;
	case N_NOT:
		return nd->may_reject = mark_may_reject(c, nd->a);
	case N_AND:
	case N_OR:
		nd->may_reject = mark_may_reject(c, nd->a);
		nd->may_reject |= mark_may_reject(c, nd->b);
		return nd->may_reject;
	}
	return nd->may_reject = 1;
}

/* Which comparisons plain_equals() can answer: kxcond_eval()'s column =
 * text and column != text. */
static void mark_plain(const struct cond *c, struct cond_node *nd)
{
	if (!nd)
		return;
	if (nd->kind == N_CMP) {
		const struct kxcond *k = c->cmp[nd->idx];
		if (!k->numeric && !k->lhs.fn && !k->dated && (k->op == KX_EQ || k->op == KX_NE))
			nd->plain = k;
	}
	mark_plain(c, nd->a);
	mark_plain(c, nd->b);
}

int cond_bind(struct cond *c, const struct header *h, char *err, size_t errsize)
{
	if (c->root)
		mark_may_reject(c, c->root);
	for (size_t i = 0; i < c->nkeys; i++)
		if (keyexpr_bind(c->keys[i], h, err, errsize) < 0) {
			char *msg = xstrdup(err);
			cond_error(c->text, c->key_at[i], err, errsize, "%s", msg);
			free(msg);
			return -1;
		}
	mark_plain(c, c->root);
	return 0;
}

void cond_mark_columns(const struct cond *c, unsigned char *want, size_t n)
{
	for (size_t i = 0; i < c->nkeys; i++)
		keyexpr_mark_columns(c->keys[i], want, n);
}

static const struct {
	int rc;
	const char *reason, *what;
} match_errors[] = {
	{ PCRE2_ERROR_CALLOUT,       "match-limit", "ran out of its step budget" },
	{ PCRE2_ERROR_MATCHLIMIT,    "match-limit", "hit the match limit" },
	{ PCRE2_ERROR_DEPTHLIMIT,    "depth-limit", "hit the depth limit" },
	{ PCRE2_ERROR_JIT_STACKLIMIT, "depth-limit", "ran out of JIT stack" },
	{ PCRE2_ERROR_HEAPLIMIT,     "heap-limit",  "hit the heap limit" },
	{ PCRE2_ERROR_NOMEMORY,      "heap-limit",  "ran out of memory" },
};

static int match_failed(const struct cond_text *t, int rc, struct reject *why)
{
	if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21) {
		reject_set(why, "invalid-utf8", t->key.text, "not valid UTF-8: a pattern cannot read it");
		return -1;
	}
	for (size_t i = 0; i < sizeof(match_errors) / sizeof(match_errors[0]); i++)
		if (match_errors[i].rc == rc) {
			reject_set(why, match_errors[i].reason, t->key.text, "the pattern %s", match_errors[i].what);
			return -1;
		}
	reject_set(why, "match-error", t->key.text, "the pattern failed (PCRE2 error %d)", rc);
	return -1;
}

static int eval_text(struct cond_text *t, const struct record *rec, struct datecache *dc,
	const struct missing *miss, struct reject *why)
{
	char buf[32];
	const char *s;
	size_t n;

	if (keyexpr_text(&t->key, rec, dc, buf, &s, &n, why) < 0)
		return -1;
	int empty = missing_value(miss, s, n);
	if (!t->code)
		return empty != t->negate;
	if (empty)
		return 2;
	s = rules_fold_match(s, n, &t->fold, &n);
	t->steps_left = RULES_STEP_BUDGET;
	int rc = pcre2_match(t->code, (PCRE2_SPTR)s, n, 0, 0, t->md, t->mc);
	if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH)
		return (rc >= 0) != t->negate;
	return match_failed(t, rc, why);
}

/* column = text or != text, row after row in a filter, without a call:
 * 1 or 0, or -1 for a field that might be missing (empty, or blank at an
 * end), left to kxcond_eval() as are all fields when missing codes apply. */
static inline int plain_equals(const struct kxcond *k, const struct record *rec)
{
	size_t col = (size_t)k->lhs.col[0], n = rec_len(rec, col);
	const char *p = rec_get(rec, col);

	if (n == 0 || p[0] == ' ' || p[0] == '\t' || p[n - 1] == ' ' || p[n - 1] == '\t')
		return -1;
	int eq = n == k->rhs_len && p[0] == k->rhs[0] && memcmp(p, k->rhs, n) == 0;
	return eq == (k->op == KX_EQ);
}

static int eval_node(struct cond *c, const struct cond_node *nd, const struct record *rec,
	struct datecache *dc, const struct missing *miss, struct reject *why)
{
	int a, b;

	switch (nd->kind) {
	case N_CMP:
		if (nd->plain && !miss && (a = plain_equals(nd->plain, rec)) >= 0)
			return a;
		return kxcond_eval(c->cmp[nd->idx], rec, dc, miss, why);
	case N_TEXT:
		return eval_text(c->texts[nd->idx], rec, dc, miss, why);
	case N_NOT:
		a = eval_node(c, nd->a, rec, dc, miss, why);
		return a < 0 ? -1 : a == 2 ? 2 : !a;
	case N_AND:
	case N_OR:
		{
			int decisive = nd->kind == N_OR;     /* true decides or, false decides and */
			if ((a = eval_node(c, nd->a, rec, dc, miss, why)) < 0)
				return -1;
			/* The other side is still evaluated when it could reject the row. */
			if (a == decisive && !nd->b->may_reject)
				return decisive;
			if ((b = eval_node(c, nd->b, rec, dc, miss, why)) < 0)
				return -1;
			if (a == decisive || b == decisive)
				return decisive;
			return a == 2 || b == 2 ? 2 : !decisive;
		}
	}
	return -1;
}

int cond_eval(struct cond *c, const struct record *rec, struct datecache *dc,
	const struct missing *miss, struct reject *why)
{
	return eval_node(c, c->root, rec, dc, miss, why);
}

void cond_release(struct cond *c)
{
	for (size_t i = 0; i < c->ncmp; i++) {
		kxcond_release(c->cmp[i]);
		free(c->cmp[i]);
	}
	for (size_t i = 0; i < c->ntexts; i++) {
		struct cond_text *t = c->texts[i];
		keyexpr_release(&t->key);
		pcre2_code_free(t->code);
		pcre2_match_data_free(t->md);
		pcre2_match_context_free(t->mc);
		sbuf_release(&t->fold);
		free(t);
	}
	node_free(c->root);
	free(c->cmp);
	free(c->texts);
	free(c->keys);
	free(c->key_at);
	free(c->text);
	memset(c, 0, sizeof(*c));
}
