/* Running rule sets over records: binding them to a header, matching
 * under limits, value-map lookups, and the counters behind --stats. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "rules_impl.h"
#include "utf8.h"
#include "xalloc.h"

static int count_step(pcre2_callout_block *cb, void *data)
{
	struct rulebook *rb = data;

	(void)cb;
	if (rb->steps_left == 0)
		return PCRE2_ERROR_CALLOUT;
	rb->steps_left--;
	return 0;
}

static void *need(void *p)
{
	if (!p)
		civic_die(CIVIC_EXIT_DATA, "out of memory");
	return p;
}

struct rulebook *rulebook_new(void)
{
	struct rulebook *rb = xcalloc(1, sizeof(*rb));
	pcre2_match_context *mc = need(pcre2_match_context_create(NULL));

	pcre2_set_match_limit(mc, RULES_MATCH_LIMIT);
	pcre2_set_depth_limit(mc, RULES_DEPTH_LIMIT);
	pcre2_set_heap_limit(mc, RULES_HEAP_LIMIT_KIB);
	pcre2_set_callout(mc, count_step, rb);
	rb->jit_stack = need(pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL));
	pcre2_jit_stack_assign(mc, NULL, rb->jit_stack);
	rb->match_ctx = mc;
	rb->match_data = need(pcre2_match_data_create(1, NULL));
	return rb;
}

static void set_free(struct ruleset *s)
{
	size_t i;

	free(s->name);
	for (i = 0; i < s->nfrom; i++)
		free(s->from[i]);
	free(s->from);
	free(s->rules);
	free(s->default_label);
	free(s->slots);
	free(s->from_col);
	free(s->count);
	free(s->alt_base);
	free(s->alt_rule);
	free(s->always);
	free(s->cand);
	free(s->mark);
	if (s->prefilter)
		rules_prefilter_release(s->prefilter);
	free(s->prefilter);
	free(s);
}

void rulebook_free(struct rulebook *rb)
{
	size_t i;

	if (!rb)
		return;
	for (i = 0; i < rb->nstore; i++) {
		struct rule *r = rb->store[i];
		free(r->id);
		free(r->label);
		free(r->pattern);
		free(r->key);
		rules_free_alts(r);
		free(r);
	}
	for (i = 0; i < rb->napplied; i++)
		if (rb->applied[i]->is_copy)
			set_free(rb->applied[i]);
	for (i = 0; i < rb->nsets; i++)
		set_free(rb->sets[i]);
	for (i = 0; i < rb->nfiles; i++)
		free(rb->files[i]);
	for (i = 0; i < rb->nerrors; i++) {
		free(rb->errors[i].file);
		free(rb->errors[i].message);
		free(rb->errors[i].source);
	}
	for (i = 0; i < rb->nfolds; i++)
		sbuf_release(&rb->folds[i]);
	free(rb->store);
	free(rb->sets);
	free(rb->applied);
	free(rb->files);
	free(rb->errors);
	free(rb->folds);
	free(rb->subject);
	free(rb->subject_len);
	free(rb->map_hit);
	sbuf_release(&rb->fold);
	sbuf_release(&rb->key);
	pcre2_match_data_free(rb->match_data);
	pcre2_match_context_free(rb->match_ctx);
	pcre2_jit_stack_free(rb->jit_stack);
	free(rb);
}

struct ruleset *rulebook_find(struct rulebook *rb, const char *name)
{
	size_t i;

	for (i = 0; i < rb->nsets; i++)
		if (strcmp(rb->sets[i]->name, name) == 0)
			return rb->sets[i];
	return NULL;
}

/* A set with no `from` reads the column it writes. */
static void settle_from(struct ruleset *s)
{
	if (s->nfrom)
		return;
	s->from = xmalloc(sizeof(*s->from));
	s->from[0] = xstrdup(s->name);
	s->nfrom = 1;
}

static void add_applied(struct rulebook *rb, struct ruleset *s)
{
	settle_from(s);
	rb->applied = xgrow(rb->applied, &rb->capapplied, rb->napplied + 1, sizeof(*rb->applied));
	rb->applied[rb->napplied++] = s;
}

int rulebook_apply(struct rulebook *rb, const char *name, const char *column)
{
	const struct ruleset *src = rulebook_find(rb, name);
	struct ruleset *s;
	size_t i;

	if (!src)
		return -1;
	s = xcalloc(1, sizeof(*s));
	s->name = xstrdup(column);
	s->is_copy = 1;
	s->rules = xmalloc(src->nrules * sizeof(*s->rules) + 1);
	memcpy(s->rules, src->rules, src->nrules * sizeof(*s->rules));
	s->nrules = s->cap = src->nrules;
	s->has_default = src->has_default;
	s->keep = src->keep;
	s->default_label = src->default_label ? xstrdup(src->default_label) : NULL;
	s->file = src->file;
	s->line = src->line;
	for (i = 0; i < s->nrules; i++)
		if (s->rules[i]->key)
			ruleset_map_add(s, i);
	add_applied(rb, s);
	return 0;
}

void rulebook_apply_sets(struct rulebook *rb)
{
	size_t i;

	for (i = 0; i < rb->nsets; i++)
		if (!rb->sets[i]->is_template)
			add_applied(rb, rb->sets[i]);
}

void ruleset_rename(struct ruleset *s, const char *name)
{
	settle_from(s);
	free(s->name);
	s->name = xstrdup(name);
}

static int column_taken(struct rulebook *rb, size_t upto, long col)
{
	size_t i;

	for (i = 0; i < upto; i++)
		if (rb->applied[i]->out_col == col || rb->applied[i]->explain_col == col)
			return 1;
	return 0;
}

/* Numbers the alternatives of the set's rules and indexes their literals. */
static void build_prefilter(struct ruleset *s)
{
	struct rules_literal_ref *lits;
	const struct rule_alt *alt;
	size_t i, a, l, total = 0, nlits = 0;

	s->alt_base = xmalloc((s->nrules + 1) * sizeof(*s->alt_base));
	for (i = 0; i < s->nrules; i++) {
		s->alt_base[i] = total;
		total += s->rules[i]->nalts;
		for (a = 0; a < s->rules[i]->nalts; a++)
			nlits += s->rules[i]->alts[a].nliterals;
	}
	lits = xmalloc((nlits + 1) * sizeof(*lits));
	nlits = 0;
	for (i = 0; i < s->nrules; i++)
		for (a = 0; a < s->rules[i]->nalts; a++) {
			alt = &s->rules[i]->alts[a];
			for (l = 0; l < alt->nliterals; l++) {
				lits[nlits].s = alt->literals[l];
				lits[nlits].len = strlen(alt->literals[l]);
				lits[nlits++].id = (uint32_t)(s->alt_base[i] + a);
			}
		}
	s->mark = xcalloc(total + 1, sizeof(*s->mark));
	s->cand = xcalloc((total + 1) * s->nfrom, sizeof(*s->cand));
	s->alt_rule = xmalloc((total + 1) * sizeof(*s->alt_rule));
	s->always = xmalloc((total + 1) * sizeof(*s->always));
	s->nalways = 0;
	for (i = 0; i < s->nrules; i++)
		for (a = 0; a < s->rules[i]->nalts; a++) {
			s->alt_rule[s->alt_base[i] + a] = i;
			if (!s->rules[i]->alts[a].nliterals)
				s->always[s->nalways++] = (uint32_t)(s->alt_base[i] + a);
		}
	s->prefilter = xcalloc(1, sizeof(*s->prefilter));
	rules_prefilter_build(s->prefilter, lits, nlits);
	free(lits);
}

static int bind_set(struct rulebook *rb, size_t k, const struct header *in, struct header *out, int explain)
{
	struct ruleset *s = rb->applied[k];
	size_t i;
	char *name;

	s->from_col = xmalloc(s->nfrom * sizeof(*s->from_col));
	for (i = 0; i < s->nfrom; i++)
		if ((s->from_col[i] = header_find(in, s->from[i])) < 0) {
			rules_error(rb, s->file, s->line, NULL, 0,
				"rule set '%s' reads column '%s', which the input does not have", s->name, s->from[i]);
			return -1;
		}
	s->out_col = header_find(out, s->name);
	s->in_place = s->out_col >= 0;
	s->explain_col = -1;
	if (s->in_place && column_taken(rb, k, s->out_col)) {
		rules_error(rb, s->file, s->line, NULL, 0, "column '%s' is written by two rule sets", s->name);
		return -1;
	}
	if (!s->in_place) {
		header_add(out, s->name, COL_STRING);
		s->out_col = (long)out->n - 1;
	}
	if (explain) {
		name = xmalloc(strlen(s->name) + 6);
		strcpy(name, s->name);
		strcat(name, "_rule");
		if (header_find(out, name) >= 0) {
			rules_error(rb, s->file, s->line, NULL, 0, "the explain column '%s' is already in the input", name);
			free(name);
			return -1;
		}
		header_add(out, name, COL_STRING);
		s->explain_col = (long)out->n - 1;
		free(name);
	}
	s->count = xcalloc(s->nrules + 1, sizeof(*s->count));
	build_prefilter(s);
	return 0;
}

int rulebook_bind(struct rulebook *rb, const struct header *in, struct header *out, int explain)
{
	size_t k, widest = 1;

	header_copy(out, in);
	for (k = 0; k < rb->napplied; k++) {
		if (bind_set(rb, k, in, out, explain) != 0)
			return -1;
		if (rb->applied[k]->nfrom > widest)
			widest = rb->applied[k]->nfrom;
	}
	rb->folds = xcalloc(widest, sizeof(*rb->folds));
	rb->nfolds = widest;
	rb->subject = xcalloc(widest, sizeof(*rb->subject));
	rb->subject_len = xcalloc(widest, sizeof(*rb->subject_len));
	rb->map_hit = xcalloc(widest, sizeof(*rb->map_hit));
	return 0;
}

void rules_hits_init(struct rules_hits *h, const struct ruleset *s)
{
	h->idx = xmalloc((s->nrules + 1) * sizeof(*h->idx));
	h->n = 0;
}

void rules_hits_release(struct rules_hits *h)
{
	free(h->idx);
	h->idx = NULL;
	h->n = 0;
}

static const struct match_error {
	int rc;
	const char *reason;
	const char *what;
} match_errors[] = {
	{ PCRE2_ERROR_CALLOUT,       "match-limit", "ran out of its backtracking budget" },
	{ PCRE2_ERROR_MATCHLIMIT,    "match-limit", "hit the match limit" },
	{ PCRE2_ERROR_DEPTHLIMIT,    "depth-limit", "hit the depth limit" },
	{ PCRE2_ERROR_JIT_STACKLIMIT, "depth-limit", "ran out of JIT stack" },
	{ PCRE2_ERROR_HEAPLIMIT,     "heap-limit",  "hit the heap limit" },
	{ PCRE2_ERROR_NOMEMORY,      "heap-limit",  "ran out of memory" },
};

static void match_failed(const struct ruleset *s, size_t col, const struct rule *r, int rc, struct reject *why)
{
	PCRE2_UCHAR msg[256];
	size_t i;

	for (i = 0; i < sizeof(match_errors) / sizeof(match_errors[0]); i++)
		if (match_errors[i].rc == rc) {
			reject_set(why, match_errors[i].reason, s->from[col], "rule '%s' (%s:%lu) %s",
				r->id, r->file, r->line, match_errors[i].what);
			return;
		}
	if (pcre2_get_error_message(rc, msg, sizeof(msg)) < 0)
		strcpy((char *)msg, "unknown error");
	reject_set(why, "match-error", s->from[col], "rule '%s' (%s:%lu) failed: %s",
		r->id, r->file, r->line, (char *)msg);
}

/* 1 when alternative a of rule i matches some input column, 0 when none,
 * -1 on a match error. */
static int alt_matches(struct rulebook *rb, const struct ruleset *s, size_t i, size_t a,
	struct reject *why)
{
	const struct rule *r = s->rules[i];
	size_t c;
	int rc;

	for (c = 0; c < s->nfrom; c++) {
		rb->steps_left = RULES_STEP_BUDGET;
		rc = pcre2_match(r->alts[a].code, (PCRE2_SPTR)rb->subject[c], rb->subject_len[c], 0,
			PCRE2_NO_UTF_CHECK, rb->match_data, rb->match_ctx);
		if (rc >= 0)
			return 1;
		if (rc != PCRE2_ERROR_NOMATCH) {
			match_failed(s, c, r, rc, why);
			return -1;
		}
	}
	return 0;
}

/* The alternatives worth running on this row, in book order: those the
 * prefilter saw a literal of, merged with those that have none. */
static void sort_candidates(struct ruleset *s)
{
	size_t i, j;
	uint32_t v;

	for (i = 1; i < s->ncand; i++) {
		v = s->cand[i];
		for (j = i; j > 0 && s->cand[j - 1] > v; j--)
			s->cand[j] = s->cand[j - 1];
		s->cand[j] = v;
	}
}

static uint32_t next_candidate(const struct ruleset *s, size_t *ia, size_t *ic)
{
	if (*ia < s->nalways && (*ic >= s->ncand || s->always[*ia] < s->cand[*ic]))
		return s->always[(*ia)++];
	if (*ic < s->ncand)
		return s->cand[(*ic)++];
	return UINT32_MAX;
}

/* Folds each input column; returns the first map hit (or SIZE_MAX), or
 * -1 through *bad when a column is not UTF-8. */
static size_t prepare(struct rulebook *rb, struct ruleset *s, const struct record *rec,
	struct reject *why, int *bad)
{
	size_t c, n, off, first = SIZE_MAX;
	const char *v;

	s->gen++;
	s->ncand = 0;
	for (c = 0; c < s->nfrom; c++) {
		v = rec_get(rec, (size_t)s->from_col[c]);
		n = rec_len(rec, (size_t)s->from_col[c]);
		if ((off = utf8_invalid_offset(v, n)) != n) {
			reject_set(why, "invalid-utf8", s->from[c], "not valid UTF-8 at byte %zu", off + 1);
			*bad = 1;
			return first;
		}
		rb->subject[c] = rules_fold_match(v, n, &rb->folds[c], &rb->subject_len[c]);
		s->ncand += rules_prefilter_scan(s->prefilter, rb->subject[c], rb->subject_len[c],
			s->mark, s->gen, s->cand + s->ncand);
		rb->map_hit[c] = -1;
		if (s->nmaps) {
			rules_fold_key(v, n, &rb->fold, &rb->key);
			rb->map_hit[c] = ruleset_map_find(s, rb->key.s, rb->key.len);
			if (rb->map_hit[c] >= 0 && (size_t)rb->map_hit[c] < first)
				first = (size_t)rb->map_hit[c];
		}
	}
	*bad = 0;
	return first;
}

/* Adds the map hits to the pattern hits, keeping book order. */
static void add_map_hits(struct rulebook *rb, const struct ruleset *s, struct rules_hits *h)
{
	size_t c, j, k;
	size_t m;

	for (c = 0; c < s->nfrom; c++) {
		if (rb->map_hit[c] < 0)
			continue;
		m = (size_t)rb->map_hit[c];
		for (j = 0; j < h->n && h->idx[j] < m; j++)
			;
		if (j < h->n && h->idx[j] == m)
			continue;
		for (k = h->n; k > j; k--)
			h->idx[k] = h->idx[k - 1];
		h->idx[j] = m;
		h->n++;
	}
}

static void count(struct ruleset *s, const struct rules_hits *h)
{
	size_t i;

	s->rows++;
	if (!h->n)
		s->defaults++;
	else
		s->count[h->idx[0]].decided++;
	for (i = 0; i < h->n; i++)
		s->count[h->idx[i]].matched++;
}

int ruleset_classify(struct rulebook *rb, struct ruleset *s, const struct record *rec,
	int flags, struct rules_hits *hits, struct reject *why)
{
	size_t i, first_map, last = SIZE_MAX, ia = 0, ic = 0;
	uint32_t id;
	int bad, m;

	hits->n = 0;
	first_map = prepare(rb, s, rec, why, &bad);
	if (bad)
		return -1;
	sort_candidates(s);
	while ((id = next_candidate(s, &ia, &ic)) != UINT32_MAX) {
		i = s->alt_rule[id];
		if (!(flags & RULES_ALL) && (hits->n || i > first_map))
			break;
		if (i == last)
			continue;           /* another alternative of a rule that matched */
		if ((m = alt_matches(rb, s, i, id - s->alt_base[i], why)) < 0)
			return -1;
		if (m)
			hits->idx[hits->n++] = last = i;
	}
	if (flags & RULES_ALL)
		add_map_hits(rb, s, hits);
	else if (!hits->n && first_map != SIZE_MAX)
		hits->idx[hits->n++] = first_map;
	count(s, hits);
	return 0;
}

int rulebook_write_stats(const struct rulebook *rb, FILE *fp)
{
	const struct ruleset *s;
	const struct rule *r;
	size_t k, i;

	fprintf(fp, "set\trule\tlabel\tsource\tmatched\tdecided\tnote\n");
	for (k = 0; k < rb->napplied; k++) {
		s = rb->applied[k];
		for (i = 0; i < s->nrules; i++) {
			r = s->rules[i];
			fprintf(fp, "%s\t%s\t%s\t%s:%lu\t%lu\t%lu\t%s\n", s->name, r->id, r->label,
				r->file, r->line, s->count[i].matched, s->count[i].decided,
				!s->count[i].matched ? "never matched" :
				!s->count[i].decided ? "shadowed" : "");
		}
		fprintf(fp, "%s\t(default)\t%s\t\t%lu\t%lu\t\n", s->name,
			s->keep ? "(keep)" : s->default_label ? s->default_label : "",
			s->defaults, s->defaults);
	}
	return ferror(fp) ? -1 : 0;
}

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

static long probe(const struct ruleset *s, const char *key, size_t n, size_t *slot)
{
	size_t mask = s->nslots - 1, j = (size_t)hash(key, n) & mask;
	const struct rule *r;

	while (s->slots[j]) {
		r = s->rules[s->slots[j] - 1];
		if (strlen(r->key) == n && memcmp(r->key, key, n) == 0) {
			*slot = j;
			return (long)s->slots[j] - 1;
		}
		j = (j + 1) & mask;
	}
	*slot = j;
	return -1;
}

static void grow_map(struct ruleset *s)
{
	size_t *old = s->slots, nold = s->nslots, i, slot;
	const struct rule *r;

	s->nslots = nold ? nold * 2 : 16;
	s->slots = xcalloc(s->nslots, sizeof(*s->slots));
	for (i = 0; i < nold; i++)
		if (old[i]) {
			r = s->rules[old[i] - 1];
			probe(s, r->key, strlen(r->key), &slot);
			s->slots[slot] = old[i];
		}
	free(old);
}

long ruleset_map_add(struct ruleset *s, size_t i)
{
	const struct rule *r = s->rules[i];
	size_t slot;
	long dup;

	if (2 * (s->nmaps + 1) > s->nslots)
		grow_map(s);
	if ((dup = probe(s, r->key, strlen(r->key), &slot)) >= 0)
		return dup;
	s->slots[slot] = i + 1;
	s->nmaps++;
	return -1;
}

long ruleset_map_find(const struct ruleset *s, const char *key, size_t n)
{
	size_t slot;

	return s->nmaps ? probe(s, key, n, &slot) : -1;
}
