/* Turning a rule's pattern into compiled PCRE2 code.
 *
 * The pattern is compiled twice: once as written, so that errors point at
 * the character the analyst typed, and once rewritten for matching, with
 * the fold of rules_fold_match() applied and a step-counting callout after
 * every quantifier.  Backtracking can only go super-linear by giving back
 * what a quantifier took, and each give-back passes one of those callouts,
 * so counting them bounds the work of a match whatever the pattern. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_impl.h"
#include "xalloc.h"

/* Patterns are checked as written (caseless) and run lower-cased against
 * lower-cased text (case-sensitive), which matches the same strings. */
#define CHECK_FLAGS (PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS)
#define RUN_FLAGS (PCRE2_UTF | PCRE2_UCP)

struct rewrite {
	const char *p;
	size_t n, i;
	struct sbuf out;
	struct sbuf fold;
};

static void copy_char(struct rewrite *rw)
{
	size_t len = 1;
	unsigned char c = (unsigned char)rw->p[rw->i];

	if (c >= 0xF0)
		len = 4;
	else if (c >= 0xE0)
		len = 3;
	else if (c >= 0xC0)
		len = 2;
	if (rw->i + len > rw->n)
		len = rw->n - rw->i;
	sbuf_add(&rw->out, rw->p + rw->i, len);
	rw->i += len;
}

/* Writes the character at rw->i as rules_fold_match() sees it; 1 when it
 * differed.  A fold to two characters is grouped so that a following
 * quantifier still applies to the whole letter; inside a class only
 * one-character folds are made. */
static int fold_char(struct rewrite *rw, int in_class)
{
	size_t len, clen = 1;
	unsigned char c = (unsigned char)rw->p[rw->i];
	const char *f;

	if (c >= 0xF0)
		return 0;
	if (c >= 0xE0)
		clen = 3;
	else if (c >= 0xC0)
		clen = 2;
	if (rw->i + clen > rw->n)
		return 0;
	f = rules_fold_match(rw->p + rw->i, clen, &rw->fold, &len);
	if (len == clen && memcmp(f, rw->p + rw->i, len) == 0)
		return 0;
	if (len == 1 || (f[0] & 0x80)) {
		sbuf_add(&rw->out, f, len);
	} else if (in_class) {
		return 0;
	} else {
		sbuf_addstr(&rw->out, "(?:");
		sbuf_add(&rw->out, f, len);
		sbuf_addc(&rw->out, ')');
	}
	rw->i += clen;
	return 1;
}

/* After a backslash an ASCII letter is an escape (\W is not \w): only
 * the apostrophe variants and other non-ASCII characters are folded. */
static int fold_escaped(struct rewrite *rw)
{
	unsigned char c = (unsigned char)rw->p[rw->i];

	return (c >= 0x80 || c == '`') && fold_char(rw, 1);
}

/* Length of a {n}, {n,} or {n,m} quantifier at p, or 0. */
static size_t brace_quantifier(const char *p, size_t n)
{
	size_t i = 1, digits = 0;

	if (n < 3 || p[0] != '{')
		return 0;
	while (i < n && p[i] >= '0' && p[i] <= '9')
		i++, digits++;
	if (!digits)
		return 0;
	if (i < n && p[i] == ',') {
		i++;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	}
	return i < n && p[i] == '}' ? i + 1 : 0;
}

static void copy_until(struct rewrite *rw, char end)
{
	while (rw->i < rw->n && rw->p[rw->i] != end)
		copy_char(rw);
	if (rw->i < rw->n)
		copy_char(rw);
}

static void escape(struct rewrite *rw)
{
	copy_char(rw);                                  /* the backslash */
	if (rw->i >= rw->n)
		return;
	if (rw->p[rw->i] == 'Q') {
		copy_char(rw);
		while (rw->i < rw->n && !(rw->p[rw->i] == '\\' && rw->i + 1 < rw->n && rw->p[rw->i + 1] == 'E'))
			if (!fold_char(rw, 0))
				copy_char(rw);
		return;
	}
	if (fold_escaped(rw))
		return;
	copy_char(rw);
	if (rw->i < rw->n && rw->p[rw->i] == '{' && strchr("xopPNgk", rw->p[rw->i - 1]))
		copy_until(rw, '}');
}

static void char_class(struct rewrite *rw)
{
	copy_char(rw);                                  /* [ */
	if (rw->i < rw->n && rw->p[rw->i] == '^')
		copy_char(rw);
	if (rw->i < rw->n && rw->p[rw->i] == ']')
		copy_char(rw);
	while (rw->i < rw->n && rw->p[rw->i] != ']') {
		if (rw->p[rw->i] == '\\')
			escape(rw);
		else if (rw->p[rw->i] == '[' && rw->i + 1 < rw->n && rw->p[rw->i + 1] == ':') {
			copy_char(rw);
			copy_until(rw, ']');
		} else if (!fold_char(rw, 1))
			copy_char(rw);
	}
	if (rw->i < rw->n)
		copy_char(rw);
}

static void quantifier(struct rewrite *rw, size_t len)
{
	sbuf_add(&rw->out, rw->p + rw->i, len);
	rw->i += len;
	if (rw->i < rw->n && (rw->p[rw->i] == '+' || rw->p[rw->i] == '?'))
		copy_char(rw);
	sbuf_printf(&rw->out, "(?C%d)", RULES_STEP_CALLOUT);
}

static void rewrite(struct rewrite *rw)
{
	size_t q;
	char c;

	while (rw->i < rw->n) {
		c = rw->p[rw->i];
		if (c == '\\')
			escape(rw);
		else if (c == '[')
			char_class(rw);
		else if (c == '(' && rw->i + 1 < rw->n && (rw->p[rw->i + 1] == '*' ||
				(rw->p[rw->i + 1] == '?' && rw->i + 2 < rw->n &&
				 (rw->p[rw->i + 2] == '#' || rw->p[rw->i + 2] == 'C'))))
			copy_until(rw, ')');
		else if (c == '(' && rw->i + 1 < rw->n && rw->p[rw->i + 1] == '?') {
			copy_char(rw);
			copy_char(rw);
			while (rw->i < rw->n && (strchr("^-", rw->p[rw->i]) ||
					(rw->p[rw->i] >= 'A' && rw->p[rw->i] <= 'Z') ||
					(rw->p[rw->i] >= 'a' && rw->p[rw->i] <= 'z')))
				copy_char(rw);      /* option letters and (?P: case matters */
		} else if (c == '*' || c == '+' || c == '?')
			quantifier(rw, 1);
		else if (c == '{' && (q = brace_quantifier(rw->p + rw->i, rw->n - rw->i)) != 0)
			quantifier(rw, q);
		else if (!fold_char(rw, 0))
			copy_char(rw);
	}
}

static pcre2_code *compile(const char *p, size_t n, uint32_t flags, int *err, PCRE2_SIZE *off)
{
	return pcre2_compile((PCRE2_SPTR)p, n, flags, err, off, NULL);
}

static void message(int err, char *msg, size_t msgsz)
{
	PCRE2_UCHAR buf[256];

	if (pcre2_get_error_message(err, buf, sizeof(buf)) < 0)
		snprintf((char *)buf, sizeof(buf), "PCRE2 error %d", err);
	snprintf(msg, msgsz, "%s", (char *)buf);
}

/* Adds an alternative; its literals are taken from p[0..n) (p NULL: none). */
static void add_alt(struct rule *r, pcre2_code *code, const char *p, size_t n)
{
	struct rule_alt *a;

	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);    /* no JIT: the interpreter, same limits */
	r->alts = xrealloc(r->alts, (r->nalts + 1) * sizeof(*r->alts));
	a = &r->alts[r->nalts++];
	a->code = code;
	a->literals = NULL;
	a->nliterals = 0;
	if (p)
		rules_literals(p, n, a);
}

static void free_alt(struct rule_alt *a)
{
	size_t i;

	pcre2_code_free(a->code);
	for (i = 0; i < a->nliterals; i++)
		free(a->literals[i]);
	free(a->literals);
}

static void drop_alts(struct rule *r)
{
	size_t i;

	for (i = 0; i < r->nalts; i++)
		free_alt(&r->alts[i]);
	free(r->alts);
	r->alts = NULL;
	r->nalts = 0;
}

void rules_free_alts(struct rule *r)
{
	drop_alts(r);
}

enum { MAX_ALTS = 256 };

/* Each top-level alternative compiled on its own, with its literal;
 * 0, or -1 (nothing kept) when the pattern is better left whole. */
static int compile_alts(struct rule *r, const char *p, size_t n)
{
	size_t starts[MAX_ALTS], ends[MAX_ALTS], k, i;
	pcre2_code *code;
	PCRE2_SIZE off;
	int err;

	k = rules_split(p, n, starts, ends, MAX_ALTS);
	for (i = 0; i < k; i++) {
		code = compile(p + starts[i], ends[i] - starts[i], RUN_FLAGS, &err, &off);
		if (!code) {
			drop_alts(r);
			break;
		}
		add_alt(r, code, p + starts[i], ends[i] - starts[i]);
	}
	return r->nalts ? 0 : -1;
}

int rules_compile(struct rule *r, size_t *offset, char *msg, size_t msgsz)
{
	struct rewrite rw = { r->pattern, strlen(r->pattern), 0, SBUF_INIT, SBUF_INIT };
	pcre2_code *code;
	PCRE2_SIZE off;
	int err, rc = 0;

	if (strncmp(r->pattern, "(*", 2) == 0) {
		*offset = 0;
		snprintf(msg, msgsz, "a pattern may not start with '(*': limits and options are the command's");
		return -1;
	}
	code = compile(rw.p, rw.n, CHECK_FLAGS, &err, &off);
	if (!code) {
		*offset = off;
		message(err, msg, msgsz);
		return -1;
	}
	pcre2_code_free(code);
	rewrite(&rw);
	if (compile_alts(r, rw.out.s, rw.out.len) != 0) {
		/* A corner the rewrite misread: as written, every step counted. */
		code = compile(rw.p, rw.n, CHECK_FLAGS | PCRE2_AUTO_CALLOUT, &err, &off);
		if (code)
			add_alt(r, code, NULL, 0);
		else {
			*offset = 0;
			message(err, msg, msgsz);
			rc = -1;
		}
	}
	sbuf_release(&rw.out);
	sbuf_release(&rw.fold);
	return rc;
}


