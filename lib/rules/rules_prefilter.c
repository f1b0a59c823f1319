/* The prefilter that keeps classification fast.
 *
 * A rule's pattern is split at its top-level '|' into alternatives, each
 * compiled on its own, and from each alternative a literal that every
 * match must contain is taken ("краж" from \bкраж\w*).  One pass of an
 * Aho-Corasick automaton over a row's text finds which literals occur;
 * only the alternatives whose literal occurs (and those without one) are
 * handed to PCRE2.  A PCRE2 call on Cyrillic text costs far more than a
 * byte scan, and most rows contain the literal of one or two alternatives
 * out of hundreds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules_impl.h"
#include "xalloc.h"

enum {
	MIN_LITERAL = 3,           /* bytes; shorter ones filter too little */
	MAX_LITERAL = 8,           /* bytes of a literal the automaton looks for */
};

static size_t char_len(unsigned char c)
{
	return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* Offset just past the group, class or escape that starts at i. */
static size_t skip_escape(const char *p, size_t n, size_t i)
{
	i++;
	if (i >= n)
		return n;
	if (p[i] == 'Q') {
		const char *e = strstr(p + i, "\\E");
		return e && (size_t)(e - p) < n ? (size_t)(e - p) + 2 : n;
	}
	if (strchr("xopPNgk", p[i]) && i + 1 < n && (p[i + 1] == '{' || p[i + 1] == '<')) {
		char close = p[i + 1] == '{' ? '}' : '>';
		while (i < n && p[i] != close)
			i++;
		return i < n ? i + 1 : n;
	}
	return i + char_len((unsigned char)p[i]);
}

static size_t skip_class(const char *p, size_t n, size_t i)
{
	i++;
	if (i < n && p[i] == '^')
		i++;
	if (i < n && p[i] == ']')
		i++;
	while (i < n && p[i] != ']') {
		if (p[i] == '\\')
			i = skip_escape(p, n, i);
		else if (p[i] == '[' && i + 1 < n && p[i + 1] == ':') {
			const char *e = strstr(p + i, ":]");
			i = e && (size_t)(e - p) < n ? (size_t)(e - p) + 2 : n;
		} else
			i++;
	}
	return i < n ? i + 1 : n;
}

static size_t skip_group(const char *p, size_t n, size_t i)
{
	int depth = 0;

	while (i < n) {
		if (p[i] == '\\')
			i = skip_escape(p, n, i);
		else if (p[i] == '[')
			i = skip_class(p, n, i);
		else {
			if (p[i] == '(')
				depth++;
			else if (p[i] == ')' && --depth == 0)
				return i + 1;
			i++;
		}
	}
	return n;
}

/* Length of a quantifier at p (with its lazy or possessive mark), or 0;
 * *optional says whether it allows zero repeats. */
static size_t quantifier_at(const char *p, size_t n, int *optional)
{
	size_t i = 0;

	if (n == 0)
		return 0;
	if (p[0] == '*' || p[0] == '?' || p[0] == '+') {
		*optional = p[0] != '+';
		i = 1;
	} else if (p[0] == '{') {
		size_t j = 1, digits = 0;
		long min = 0;
		while (j < n && p[j] >= '0' && p[j] <= '9')
			min = min * 10 + (p[j++] - '0'), digits++;
		if (!digits)
			return 0;
		if (j < n && p[j] == ',')
			for (j++; j < n && p[j] >= '0' && p[j] <= '9'; j++)
				;
		if (j >= n || p[j] != '}')
			return 0;
		*optional = min == 0;
		i = j + 1;
	} else
		return 0;
	if (i < n && (p[i] == '?' || p[i] == '+'))
		i++;
	return i;
}

static int is_step_callout(const char *p, size_t n)
{
	return n >= 4 && p[0] == '(' && p[1] == '?' && p[2] == 'C';
}

/* A set of literals one of which every match contains; ok 0: none known. */
struct litset {
	char **s;
	size_t n, minlen;
	int ok;
};

static void litset_free(struct litset *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		free(ls->s[i]);
	free(ls->s);
	memset(ls, 0, sizeof(*ls));
}

static void litset_add(struct litset *ls, const char *p, size_t n)
{
	ls->s = xrealloc(ls->s, (ls->n + 1) * sizeof(*ls->s));
	ls->s[ls->n++] = xstrndup(p, n);
	if (!ls->ok || n < ls->minlen)
		ls->minlen = n;
	ls->ok = 1;
}

/* Longer literals filter better, up to a point; then fewer of them. */
static int better(const struct litset *a, const struct litset *b)
{
	size_t la = a->minlen < 8 ? a->minlen : 8, lb = b->minlen < 8 ? b->minlen : 8;

	if (!a->ok || a->minlen < MIN_LITERAL)
		return 0;
	if (!b->ok)
		return 1;
	return la != lb ? la > lb : a->n < b->n;
}

static void keep_better(struct litset *best, struct litset *cand)
{
	if (better(cand, best)) {
		litset_free(best);
		*best = *cand;
		memset(cand, 0, sizeof(*cand));
	} else
		litset_free(cand);
}

static void end_run(struct litset *best, struct sbuf *run)
{
	struct litset cand = { 0 };

	if (run->len)
		litset_add(&cand, run->s, run->len);
	keep_better(best, &cand);
	sbuf_reset(run);
}

/* After an atom ending at j: skips its quantifier and a following step
 * callout; *optional says whether the atom may be absent. */
static size_t after_atom(const char *p, size_t n, size_t j, int *optional)
{
	size_t q;

	*optional = 0;
	if ((q = quantifier_at(p + j, n - j, optional)) != 0) {
		j += q;
		if (is_step_callout(p + j, n - j))
			j = skip_group(p, n, j);
	}
	return j;
}

static struct litset required(const char *p, size_t n, int depth);

/* What a group [i, j) requires: one of its branches' literals. */
static struct litset group_literals(const char *p, size_t i, size_t j, int depth)
{
	size_t starts[64], ends[64], k, b, inner = i + 1;
	struct litset all = { 0 }, one;

	if (p[inner] == '?') {
		if (p[inner + 1] != ':' && p[inner + 1] != '>')
			return all;             /* lookaround, named or conditional: no claim */
		inner += 2;
	}
	if (depth > 8 || j < inner + 1)
		return all;
	k = rules_split(p + inner, j - 1 - inner, starts, ends, 64);
	for (b = 0; b < k; b++) {
		one = required(p + inner + starts[b], ends[b] - starts[b], depth + 1);
		if (!one.ok || one.minlen < MIN_LITERAL) {
			litset_free(&one);
			litset_free(&all);
			return all;
		}
		for (size_t m = 0; m < one.n; m++)
			litset_add(&all, one.s[m], strlen(one.s[m]));
		litset_free(&one);
	}
	return all;
}

/* The best set of literals every match of p[0..n) must contain one of. */
static struct litset required(const char *p, size_t n, int depth)
{
	struct litset best = { 0 }, cand;
	struct sbuf run = SBUF_INIT;
	size_t i = 0, j, len;
	int optional;

	while (i < n) {
		unsigned char c = (unsigned char)p[i];
		if (c == '(' && is_step_callout(p + i, n - i)) {
			i = skip_group(p, n, i);
			continue;
		}
		if (c == '\\' && i + 1 < n && p[i + 1] == 'Q') {
			const char *e = strstr(p + i + 2, "\\E");
			size_t end = e && (size_t)(e - p) < n ? (size_t)(e - p) : n;
			end_run(&best, &run);
			sbuf_add(&run, p + i + 2, end - (i + 2));
			end_run(&best, &run);   /* a quantifier after \E takes its last character only */
			i = end < n ? end + 2 : n;
			continue;
		}
		if (c == '(') {
			j = skip_group(p, n, i);
			end_run(&best, &run);
			cand = group_literals(p, i, j, depth);
			i = after_atom(p, n, j, &optional);
			if (optional)
				litset_free(&cand);
			else
				keep_better(&best, &cand);
			continue;
		}
		if (c == '\\' && i + 1 < n && !((p[i + 1] >= 'a' && p[i + 1] <= 'z') ||
				(p[i + 1] >= 'A' && p[i + 1] <= 'Z') || (p[i + 1] >= '0' && p[i + 1] <= '9'))) {
			i++;            /* an escaped punctuation mark is itself */
			c = (unsigned char)p[i];
		} else if (c == '\\' || c == '[' || c == '.' || c == '^' || c == '$' || c == '|') {
			j = c == '\\' ? skip_escape(p, n, i) : c == '[' ? skip_class(p, n, i) : i + 1;
			end_run(&best, &run);
			i = after_atom(p, n, j, &optional);
			continue;
		}
		len = char_len(c);
		if (i + len > n)
			len = n - i;
		j = after_atom(p, n, i + len, &optional);
		if (j == i + len || !optional)
			sbuf_add(&run, p + i, len);
		if (j != i + len)
			end_run(&best, &run);
		i = j;
	}
	end_run(&best, &run);
	sbuf_release(&run);
	return best;
}

/* Backreferences, recursion and inline option settings tie alternatives
 * together; such a pattern is not split. */
static int splittable(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		if (p[i] == '\\') {
			char e = p[i + 1];
			if ((e >= '1' && e <= '9') || e == 'g' || e == 'k')
				return 0;
			i++;
			continue;
		}
		if (p[i] == '(' && p[i + 1] == '?' && i + 2 < n) {
			char e = p[i + 2];
			if (e == 'P' || e == 'R' || e == '&' || e == '+' || e == '-' || e == '(' ||
					(e >= '0' && e <= '9'))
				return 0;
			if (e != ':' && e != '=' && e != '!' && e != '<' && e != '>' && e != '|' &&
					e != '#' && e != 'C')
				return 0;
		}
	}
	return 1;
}

size_t rules_split(const char *p, size_t n, size_t *starts, size_t *ends, size_t max)
{
	size_t i = 0, k = 0, from = 0;
	int depth = 0;

	if (!splittable(p, n))
		return 0;
	while (i < n) {
		if (p[i] == '\\')
			i = skip_escape(p, n, i);
		else if (p[i] == '[')
			i = skip_class(p, n, i);
		else {
			if (p[i] == '(')
				depth++;
			else if (p[i] == ')')
				depth--;
			else if (p[i] == '|' && depth == 0) {
				if (k == max)
					return 0;
				starts[k] = from;
				ends[k++] = i;
				from = i + 1;
			}
			i++;
		}
	}
	if (k == max)
		return 0;
	starts[k] = from;
	ends[k++] = n;
	return k;
}

void rules_literals(const char *p, size_t n, struct rule_alt *alt)
{
	struct litset ls = required(p, n, 0);

	alt->literals = NULL;
	alt->nliterals = 0;
	if (ls.ok && ls.minlen >= MIN_LITERAL) {
		alt->literals = ls.s;
		alt->nliterals = ls.n;
		return;
	}
	litset_free(&ls);
}

/* --- Aho-Corasick over the literals of one set ---------------------------- */

struct trie {
	uint32_t *delta;             /* nstates x nclass; during building 0 is "none" */
	uint32_t *fail;
	size_t nstates, cap;
	size_t nclass;
	uint32_t **out;              /* alternative ids ending at each state */
	size_t *nout;
};

static uint32_t new_state(struct trie *t)
{
	size_t s = t->nstates;

	if (s == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->delta = xrealloc(t->delta, t->cap * t->nclass * sizeof(*t->delta));
		t->fail = xrealloc(t->fail, t->cap * sizeof(*t->fail));
		t->out = xrealloc(t->out, t->cap * sizeof(*t->out));
		t->nout = xrealloc(t->nout, t->cap * sizeof(*t->nout));
	}
	memset(t->delta + s * t->nclass, 0, t->nclass * sizeof(*t->delta));
	t->fail[s] = 0;
	t->out[s] = NULL;
	t->nout[s] = 0;
	t->nstates++;
	return (uint32_t)s;
}

static void add_out(struct trie *t, uint32_t s, uint32_t id)
{
	t->out[s] = xrealloc(t->out[s], (t->nout[s] + 1) * sizeof(**t->out));
	t->out[s][t->nout[s]++] = id;
}

/* A prefix of a required literal is required too: a few characters
 * filter nearly as well and keep the automaton small enough for the cache. */
static size_t literal_prefix(const char *s, size_t n)
{
	size_t k = n < MAX_LITERAL ? n : MAX_LITERAL;

	while (k < n && k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	return k;
}

static void rules_prefilter_release_trie(struct trie *t)
{
	size_t s;

	for (s = 0; s < t->nstates; s++)
		free(t->out[s]);
	free(t->out);
	free(t->nout);
	free(t->delta);
	free(t->fail);
}

void rules_prefilter_build(struct rules_prefilter *pf, const struct rules_literal_ref *lits, size_t n)
{
	struct trie t = { 0 };
	uint32_t *queue, s, r, v;
	size_t i, j, head = 0, tail = 0, c;

	memset(pf, 0, sizeof(*pf));
	pf->nclass = 1;
	for (i = 0; i < n; i++)
		for (j = 0; j < lits[i].len; j++) {
			unsigned char b = (unsigned char)lits[i].s[j];
			if (!pf->cls[b])
				pf->cls[b] = (uint8_t)pf->nclass++;
		}
	/* A power of two, so that a transition is a shift and an or. */
	for (pf->shift = 0; ((size_t)1 << pf->shift) < pf->nclass; pf->shift++)
		;
	pf->nclass = (size_t)1 << pf->shift;
	t.nclass = pf->nclass;
	new_state(&t);
	for (i = 0; i < n; i++) {
		size_t len = literal_prefix(lits[i].s, lits[i].len);
		s = 0;
		if (t.nstates + len >= UINT16_MAX) {
			rules_prefilter_release_trie(&t);
			memset(pf, 0, sizeof(*pf));
			return;     /* too many: no prefilter, every alternative runs */
		}
		for (j = 0; j < len; j++) {
			c = pf->cls[(unsigned char)lits[i].s[j]];
			if (!t.delta[s * t.nclass + c]) {
				v = new_state(&t);      /* moves t.delta */
				t.delta[s * t.nclass + c] = v;
			}
			s = t.delta[s * t.nclass + c];
		}
		add_out(&t, s, lits[i].id);
	}
	queue = xmalloc(t.nstates * sizeof(*queue));
	for (c = 0; c < t.nclass; c++)
		if ((v = t.delta[c]) != 0)
			queue[tail++] = v;
	while (head < tail) {
		r = queue[head++];
		for (j = 0; j < t.nout[t.fail[r]]; j++)
			add_out(&t, r, t.out[t.fail[r]][j]);
		for (c = 0; c < t.nclass; c++) {
			v = t.delta[r * t.nclass + c];
			if (v && c) {
				t.fail[v] = t.delta[t.fail[r] * t.nclass + c];
				queue[tail++] = v;
			} else
				t.delta[r * t.nclass + c] = t.delta[t.fail[r] * t.nclass + c];
		}
	}
	/* Class 0 (a byte in no literal) always goes back to the root. */
	for (s = 0; s < t.nstates; s++)
		t.delta[s * t.nclass] = 0;
	free(queue);
	free(t.fail);
	pf->delta = xmalloc(t.nstates * t.nclass * sizeof(*pf->delta));
	for (i = 0; i < t.nstates * t.nclass; i++)
		pf->delta[i] = (uint16_t)t.delta[i];
	free(t.delta);
	pf->has_out = xmalloc(t.nstates);
	for (s = 0; s < t.nstates; s++)
		pf->has_out[s] = t.nout[s] != 0;
	pf->out = t.out;
	pf->nout = t.nout;
	pf->nstates = t.nstates;
}

size_t rules_prefilter_scan(const struct rules_prefilter *pf, const char *s, size_t n,
	uint32_t *mark, uint32_t gen, uint32_t *cand)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned shift = pf->shift;
	size_t i, j, k = 0;
	unsigned st = 0;
	uint32_t id;

	if (!pf->delta)
		return 0;
	for (i = 0; i < n; i++) {
		st = pf->delta[(st << shift) | pf->cls[p[i]]];
		if (pf->has_out[st])
			for (j = 0; j < pf->nout[st]; j++)
				if (mark[id = pf->out[st][j]] != gen) {
					mark[id] = gen;
					cand[k++] = id;
				}
	}
	return k;
}

void rules_prefilter_release(struct rules_prefilter *pf)
{
	size_t s;

	for (s = 0; s < pf->nstates; s++)
		free(pf->out[s]);
	free(pf->out);
	free(pf->nout);
	free(pf->has_out);
	free(pf->delta);
	memset(pf, 0, sizeof(*pf));
}
