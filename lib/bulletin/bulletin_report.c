/* The report of a bulletin (bulletin_report.h).  Suppression, its audit
 * and the comparisons are civic-report's, applied as it applies them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "xalloc.h"
#include "output.h"
#include "sha256.h"
#include "lang.h"
#include "period_name.h"
#include "render.h"
#include "render_cell.h"
#include "render_compare.h"
#include "render_flags.h"
#include "render_pivot.h"
#include "render_test.h"
#include "table_set.h"
#include "date.h"
#include "bulletin_report.h"
#include "bulletin_placeholder.h"
#include "writer.h"
#include "parallel.h"

/* A section of the report: an indicator, against one comparison or none. */
struct bsec {
	size_t ind;
	long cmp;                      /* index into the indicator's cmp[], or -1 */
};

struct built {
	struct report rep;
	struct bsec *map;              /* per report section */
	struct rtable *prev;           /* per report section; prev[i].name NULL: none */
	char **owned;
	size_t nowned;
};

static char *own(struct built *bt, char *s)
{
	bt->owned = xrealloc(bt->owned, (bt->nowned + 1) * sizeof(*bt->owned));
	return bt->owned[bt->nowned++] = s;
}

static char *own_text(struct built *bt, struct sbuf *b)
{
	char *s = xstrdup(sbuf_cstr(b));

	sbuf_reset(b);
	return own(bt, s);
}

/* ---- suppression, as civic-report -s k, each table at its own k ---- */

/* An indicator's threshold: its own, else the bulletin's (k).  A survey's
 * table shows estimates, not counts: its reliability flags apply, not
 * count suppression (0). */
static double indicator_k(const struct bulletin *b, const struct bindicator *ind, double k)
{
	if (b->inputs[ind->input].kind == BINPUT_SURVEY)
		return 0;
	return ind->suppress >= 0 ? (double)ind->suppress : k;
}

/* The threshold every count table with one (above 1) shares: 0 when no
 * table has one, -1 when they differ. */
static double common_k(const struct bulletin *b, double k)
{
	double common = 0;

	for (size_t i = 0; i < b->nind; i++) {
		double ki = indicator_k(b, &b->ind[i], k);
		if (ki <= 1 || ki == common)
			continue;
		if (common > 0)
			return -1;
		common = ki;
	}
	return common;
}

/* The report's note on what is hidden; 0 when it has none. */
static int hidden_note(struct sbuf *t, const struct bulletin *b, double k)
{
	double common = common_k(b, k);
	char ks[32];

	if (common < 0) {
		lang_put(t, "bulletin.note.hidden.own", NULL);
		return 1;
	}
	if (common <= 1 && k <= 1)
		return 0;
	snprintf(ks, sizeof(ks), "%g", common > 1 ? common : k);
	lang_put(t, "bulletin.note.hidden", "k", ks, NULL);
	return 1;
}

/* The annex's "what was hidden, and why" for indicator i. */
static void annex_hidden(struct sbuf *t, const struct bulletin *b, size_t i, const struct suppress_result *r,
	double k)
{
	double ki = indicator_k(b, &b->ind[i], k);
	char ks[32], np[32], ns[32];

	snprintf(ks, sizeof(ks), "%g", ki);
	snprintf(np, sizeof(np), "%zu", r->primary);
	snprintf(ns, sizeof(ns), "%zu", r->secondary);
	if (b->inputs[b->ind[i].input].kind == BINPUT_SURVEY)
		lang_put(t, "bulletin.annex.suppress.survey", NULL);
	else if (ki <= 1)
		lang_put(t, "bulletin.annex.suppress.off", NULL);
	else if (r->primary + r->secondary == 0)
		lang_put(t, "bulletin.annex.suppress.none", "k", ks, NULL);
	else
		lang_put(t, "bulletin.annex.suppress", "k", ks, "primary", np, "secondary", ns, NULL);
	if (ki > 1 && common_k(b, k) < 0) {
		sbuf_addc(t, ' ');
		lang_put(t, "bulletin.annex.suppress.own", "k", ks, NULL);
	}
}

/* Every table with a threshold above 1, and the previous periods shown
 * beside them, hidden and audited together (table_set.h). */
static int suppress_all(struct built *bt, const struct bulletin *b, double k)
{
	struct report *rep = &bt->rep;
	struct table_set_entry *e = xcalloc(rep->nsec + 1, sizeof(*e));
	size_t *secof = xcalloc(rep->nsec + 1, sizeof(*secof)), n = 0;
	int rc = 0;

	for (size_t i = 0; i < rep->nsec; i++) {
		double ki = indicator_k(b, &b->ind[bt->map[i].ind], k);
		if (ki <= 1)
			continue;
		secof[n] = i;
		e[n++] = (struct table_set_entry){ &rep->sec[i].table, bt->prev[i].name ? &bt->prev[i] : NULL,
			ki, { 0, 0 } };
	}
	if (n)
		rc = table_set_suppress(e, n, rep->protection, "suppress", &rep->audit);
	for (size_t i = 0; i < n; i++) {
		rep->sec[secof[i]].suppressed = 1;
		rep->sec[secof[i]].supp = e[i].supp;
	}
	rep->audited = n && rc == 0;
	free(secof);
	free(e);
	return rc;
}

/* ---- words ---- */

static void put_list(struct sbuf *b, char **items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_addstr(b, ", ");
		sbuf_addstr(b, items[i]);
	}
}

/* A shell word: quoted when it holds anything but plain characters. */
static void put_word(struct sbuf *b, const char *s)
{
	int plain = *s != '\0';

	for (const char *p = s; *p && plain; p++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:/=%+@", *p) != NULL;
	if (plain) {
		sbuf_addstr(b, s);
		return;
	}
	if (strchr(s, '\'') && !strpbrk(s, "\"$`\\!")) {
		sbuf_addc(b, '"');
		sbuf_addstr(b, s);
		sbuf_addc(b, '"');
		return;
	}
	sbuf_addc(b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			sbuf_addstr(b, "'\\''");
		else
			sbuf_addc(b, *p);
	}
	sbuf_addc(b, '\'');
}

static void put_opt(struct sbuf *b, const char *opt, const char *value)
{
	if (!value)
		return;
	sbuf_printf(b, " %s ", opt);
	put_word(b, value);
}

/* The civic-tally command an indicator stands for. */
static void put_command(struct sbuf *b, const struct bulletin *bl, size_t i, const char *period)
{
	const struct bindicator *ind = &bl->ind[i];
	const struct binput *in = &bl->inputs[ind->input];
	const struct tally_show *s = &ind->show;
	struct sbuf stats = SBUF_INIT;

	sbuf_addstr(b, "civic-tally");
	put_opt(b, "-g", ind->group);
	for (size_t k = 0; k < ind->nstats; k++) {
		if (k)
			sbuf_addc(&stats, ',');
		sbuf_addstr(&stats, ind->stats[k]);
	}
	put_opt(b, "-s", ind->nstats ? sbuf_cstr(&stats) : NULL);
	sbuf_release(&stats);
	put_opt(b, "--within", s->within);
	put_opt(b, "--pivot", s->pivot);
	if (s->total)
		sbuf_addstr(b, " --total");
	put_opt(b, "-w", in->weight);
	put_opt(b, "--strata", in->strata);
	put_opt(b, "--psu", in->psu);
	put_opt(b, "--fpc", in->fpc);
	put_opt(b, "--lonely-psu", in->lonely);
	put_opt(b, "--missing", in->missing);
	put_opt(b, "--ci", s->ci);
	if (s->deff)
		sbuf_addstr(b, " --deff");
	put_opt(b, "--contrast", s->contrast);
	put_opt(b, "--test", s->test);
	put_opt(b, "--sort", s->sort);
	if (s->top)
		sbuf_printf(b, " --top %lu", s->top);
	put_opt(b, "--other", s->other);
	if (s->per)
		sbuf_printf(b, " --per %lu --population %s", s->per, bl->inputs[ind->population].role);
	for (size_t k = 0; k < ind->nwhere; k++)
		put_opt(b, "--where", ind->where[k]);
	if (in->period && ind->to_end) {
		char cond[256];
		bperiod_to_end_condition(&bl->period, in->period, cond, sizeof(cond));
		put_opt(b, "--where", cond);
	} else if (in->period && period && strcmp(period, "all") != 0) {
		char cond[256];
		static const char *const fn[] = { "month", "quarter", "year" };
		size_t len = strlen(period);
		snprintf(cond, sizeof(cond), "%s(%s) = '%s'", fn[len == 4 ? 2 : period[5] == 'Q'], in->period, period);
		put_opt(b, "--where", cond);
	}
	sbuf_printf(b, " %s", in->role);
}

static const char *cmp_key(unsigned cmp)
{
	switch (cmp) {
	case BCMP_PREV_MONTH: return "bulletin.compare.previous_month";
	case BCMP_YEAR_AGO_MONTH: return "bulletin.compare.same_month_last_year";
	case BCMP_PREV_QUARTER: return "bulletin.compare.previous_quarter";
	case BCMP_YEAR_AGO_QUARTER: return "bulletin.compare.same_quarter_last_year";
	case BCMP_PREV_YEAR: return "bulletin.compare.previous_year";
	default: return "bulletin.compare.previous_wave";
	}
}

static void put_number(struct sbuf *b, double v, int percent)
{
	char plain[64], shown[96];

	snprintf(plain, sizeof(plain), "%.10g", percent ? v * 100 : v);
	lang_number(plain, 1, shown);
	if (percent)
		lang_percent(shown);
	sbuf_addstr(b, shown);
}

/* "Reference (share): published national split: form1 17.8%; …" */
static void reference_text(struct sbuf *out, const struct bindicator *ind, int lang)
{
	const char *key;
	json_t *v;
	int first = 1;
	struct sbuf vals = SBUF_INIT, x = SBUF_INIT;
	int pct = strcmp(ind->ref_column, "share") == 0 || strncmp(ind->ref_column, "share_", 6) == 0;

	json_object_foreach(ind->ref_values, key, v) {
		if (!first)
			sbuf_addstr(&vals, "; ");
		first = 0;
		sbuf_printf(&vals, "%s ", key[0] ? key : "-");
		put_number(&vals, json_number_value(v), pct);
	}
	lang_put(&x, "bulletin.annex.reference", "label", btext_get(&ind->ref_label, lang),
		"column", ind->ref_column, "values", sbuf_cstr(&vals),
		"source", ind->ref_source ? ind->ref_source : "", NULL);
	/* A source left out leaves no trailing space. */
	while (x.len && x.s[x.len - 1] == ' ')
		x.s[--x.len] = '\0';
	sbuf_addstr(out, sbuf_cstr(&x));
	sbuf_release(&vals);
	sbuf_release(&x);
}

/* How a compared figure's change is tested (compare_tables_tested), once
 * per indicator with a comparison made. */
static void annex_change_test(struct sbuf *t, const struct bsection_in *si, int survey, const struct report *rep)
{
	char plain[32], z[160], level[160];
	size_t done = 0;

	for (size_t c = 0; c < si->ncmp; c++)
		done += si->cmp[c].state == BCMP_DONE;
	if (!done)
		return;
	snprintf(plain, sizeof(plain), "%.2f", rep->z);
	lang_number(plain, 0, z);
	snprintf(plain, sizeof(plain), "%g", (rep->compare_level > 0 ? rep->compare_level : 0.95) * 100);
	lang_number(plain, 0, level);
	lang_percent(level);
	sbuf_addc(t, ' ');
	lang_put(t, survey ? "bulletin.annex.compare.test_survey" : "bulletin.annex.compare.test_counts",
		"z", z, "level", level, NULL);
}

/* The indicator's reference as the chart draws it; the values themselves
 * are stated in the section's note (reference_text). */
static const struct report_reference *chart_reference(struct built *bt, const struct bindicator *ind, int lang)
{
	struct report_reference *r = (struct report_reference *)own(bt, xcalloc(1, sizeof(*r)));
	size_t n = json_object_size(ind->ref_values), i = 0;
	const char *key;
	json_t *v;

	r->label = btext_get(&ind->ref_label, lang);
	r->column = ind->ref_column;
	r->stated = 1;
	r->key = (const char **)own(bt, xcalloc(n, sizeof(*r->key)));
	r->value = (double *)own(bt, xcalloc(n, sizeof(*r->value)));
	json_object_foreach(ind->ref_values, key, v) {
		r->key[i] = key;
		r->value[i++] = json_number_value(v);
	}
	r->n = i;
	return r;
}

/* The annex: per indicator what it counts, its base, its intervals, what
 * was hidden and why, and its comparisons. */
static void annex(struct built *bt, const struct bulletin_report_in *in, int lang)
{
	const struct bulletin *b = in->b;
	struct report *rep = &bt->rep;
	struct sbuf t = SBUF_INIT, x = SBUF_INIT, y = SBUF_INIT;
	size_t cap = 2 + b->nind * 8;

	rep->annex = xcalloc(cap, sizeof(*rep->annex));
	rep->annex_heading = lang_text("bulletin.annex");
	lang_put(&t, "bulletin.annex.intro", "name", b->name, "version", b->version, "sha256", b->sha256, NULL);
	rep->annex[rep->nannex++] = own_text(bt, &t);
	for (size_t i = 0; i < b->nind; i++) {
		const struct bindicator *ind = &b->ind[i];
		const struct binput *inp = &b->inputs[ind->input];
		const struct bsection_in *si = &in->sec[i];

		/* What it counts. */
		sbuf_printf(&t, "%zu. ", i + 1);
		lang_put(&x, "bulletin.annex.indicator", "title", btext_get(&ind->title, lang),
			"definition", btext_get(&ind->definition, lang), NULL);
		sbuf_addstr(&t, sbuf_cstr(&x));
		sbuf_reset(&x);
		if (si->skipped) {
			sbuf_addc(&t, ' ');
			lang_put(&x, "bulletin.annex.skipped", "role", si->skipped_role ? si->skipped_role : inp->role,
				NULL);
			sbuf_addstr(&t, sbuf_cstr(&x));
			rep->annex[rep->nannex++] = own_text(bt, &t);
			sbuf_reset(&x);
			continue;
		}
		rep->annex[rep->nannex++] = own_text(bt, &t);
		/* How: the command it stands for, and its base. */
		put_command(&y, b, i, in->period);
		if (inp->kind == BINPUT_SURVEY)
		{
			lang_put(&t, "bulletin.annex.base.survey", "role", inp->role, "weight", inp->weight, NULL);
			if (in->wave) {
				sbuf_addc(&t, ' ');
				lang_put(&t, "bulletin.annex.wave", "wave", in->wave, NULL);
			}
		}
		else if (inp->period && ind->to_end) {
			char end[16];
			int32_t first, last;
			bperiod_dates(&b->period, &first, &last);
			date_iso(last, end);
			lang_put(&t, "bulletin.annex.base.to_end", "role", inp->role, "column", inp->period,
				"end", end, NULL);
		} else if (inp->period)
			lang_put(&t, "bulletin.annex.base.period", "role", inp->role, "column", inp->period,
				"period", in->period, NULL);
		else
			lang_put(&t, "bulletin.annex.base.all", "role", inp->role, NULL);
		if (ind->nwhere) {
			struct sbuf w = SBUF_INIT;
			put_list(&w, ind->where, ind->nwhere);
			sbuf_addc(&t, ' ');
			lang_put(&x, "bulletin.annex.conditions", "conditions", sbuf_cstr(&w), NULL);
			sbuf_addstr(&t, sbuf_cstr(&x));
			sbuf_reset(&x);
			sbuf_release(&w);
		}
		sbuf_addc(&t, ' ');
		lang_put(&x, "bulletin.annex.command", "command", sbuf_cstr(&y), NULL);
		sbuf_addstr(&t, sbuf_cstr(&x));
		sbuf_reset(&x);
		sbuf_reset(&y);
		/* Its intervals. */
		sbuf_addc(&t, ' ');
		if (ind->show.ci) {
			char level[32];
			snprintf(level, sizeof(level), "%g", ind->show.level * 100);
			lang_put(&x, "bulletin.annex.ci", "method", ind->show.ci, "level", level, NULL);
		} else {
			lang_put(&x, "bulletin.annex.ci.none", NULL);
		}
		sbuf_addstr(&t, sbuf_cstr(&x));
		sbuf_reset(&x);
		rep->annex[rep->nannex++] = own_text(bt, &t);
		/* What was hidden, and why. */
		for (size_t s = 0; s < rep->nsec; s++) {
			if (bt->map[s].ind != i)
				continue;
			annex_hidden(&t, b, i, &rep->sec[s].supp, in->k);
			break;
		}
		/* Its comparisons. */
		for (size_t c = 0; c < si->ncmp; c++) {
			const struct bcompare *bc = &si->cmp[c];
			static const char *const keys[] = { "bulletin.annex.compare.done",
				"bulletin.annex.compare.missing", "bulletin.annex.compare.changed",
				"bulletin.annex.compare.not_applicable" };
			sbuf_addc(&t, ' ');
			lang_put(&x, keys[bc->state], "comparison", lang_text(cmp_key(bc->cmp)), "period", bc->period,
				NULL);
			sbuf_addstr(&t, sbuf_cstr(&x));
			sbuf_reset(&x);
		}
		annex_change_test(&t, si, b->inputs[ind->input].kind == BINPUT_SURVEY, &bt->rep);
		/* Its reference. */
		if (ind->ref_values) {
			sbuf_addc(&t, ' ');
			reference_text(&t, ind, lang);
		}
		if (t.len && t.s[0] == ' ')
			rep->annex[rep->nannex++] = own(bt, xstrdup(sbuf_cstr(&t) + 1));
		else if (t.len)
			rep->annex[rep->nannex++] = own_text(bt, &t);
		sbuf_reset(&t);
	}
	sbuf_release(&t);
	sbuf_release(&x);
	sbuf_release(&y);
}

/* ---- building ---- */

static void release_built(struct built *bt)
{
	struct report *rep = &bt->rep;

	for (size_t i = 0; i < rep->nsec; i++) {
		rtable_release(&rep->sec[i].table);
		if (bt->prev[i].name)
			rtable_release(&bt->prev[i]);
	}
	prov_release(&rep->prov);
	labels_release(&rep->labelsets);
	free(rep->sec);
	free(rep->notes);
	free(rep->annex);
	free(bt->map);
	free(bt->prev);
	for (size_t i = 0; i < bt->nowned; i++)
		free(bt->owned[i]);
	free(bt->owned);
	memset(bt, 0, sizeof(*bt));
}

/* A table is named by its place in the period's directory (tallies/ID.csv,
 * previous/ID.PERIOD.csv), not by the work directory's path: that holds
 * the process id, and a published workbook must not change with it. */
static const char *table_name(const char *path)
{
	const char *p = path + strlen(path), *name = path;
	int slashes = 0;

	while (p > path && slashes < 2)
		if (*--p == '/' && ++slashes)
			name = p + 1;
	return slashes == 2 ? name : path;
}

static int load_table(struct rtable *t, const char *path)
{
	rtable_init(t, table_name(path));
	if (sha256_file(path, t->sha256) != 0) {
		civic_warn("%s:", path);
		return -1;
	}
	return rtable_load(t, path, -1);
}

static int build(struct built *bt, const struct bulletin_report_in *in, int lang)
{
	const struct bulletin *b = in->b;
	struct report *rep = &bt->rep;
	struct sbuf t = SBUF_INIT;
	size_t max = 0;
	int failed = 0;

	memset(bt, 0, sizeof(*bt));
	rep->min_n = 30;
	rep->max_cv = 0.30;
	rep->z = 1.96;
	rep->suppress_k = in->k;
	if (prov_init(&rep->prov, in->argc, in->argv) != 0)
		return -1;
	prov_add(&rep->prov, "definition", b->path, b->sha256, b->version);
	for (size_t i = 0; i < in->ninputs; i++)
		prov_add(&rep->prov, "data", in->input_names[i], in->input_sha[i], NULL);
	for (size_t i = 0; i < in->nsources; i++)
		if (prov_add_source(&rep->prov, in->sources[i]) != 0)
			return -1;
	if (labels_load_shipped(&rep->labelsets) != 0)
		return -1;
	{
		/* The period as a reader names it: "March 2024", not 2024-03. */
		struct sbuf named = SBUF_INIT;
		const char *period = period_name(&named, NULL, in->period) ? sbuf_cstr(&named) : in->period;
		lang_put(&t, "bulletin.title", "title", btext_get(&b->title, lang), "period", period, NULL);
		sbuf_release(&named);
	}
	rep->title = own_text(bt, &t);
	rep->notes = xcalloc(2 + b->nind * BCMP_N, sizeof(*rep->notes));
	if (b->description.t[BLANG_EN])
		rep->notes[rep->nnotes++] = (char *)btext_get(&b->description, lang);
	if (hidden_note(&t, b, in->k))
		rep->notes[rep->nnotes++] = own_text(bt, &t);
	for (size_t i = 0; i < b->nind; i++)
		max += 1 + in->sec[i].ncmp;
	rep->sec = xcalloc(max + 1, sizeof(*rep->sec));
	bt->map = xcalloc(max + 1, sizeof(*bt->map));
	bt->prev = xcalloc(max + 1, sizeof(*bt->prev));
	for (size_t i = 0; i < b->nind && !failed; i++) {
		const struct bsection_in *si = &in->sec[i];
		const struct bindicator *ind = &b->ind[i];
		long first = -1;
		if (si->skipped)
			continue;
		for (size_t c = 0; c < si->ncmp; c++) {
			if (si->cmp[c].state != BCMP_DONE) {
				lang_put(&t, si->cmp[c].state == BCMP_CHANGED ? "bulletin.note.compare_changed"
					: "bulletin.note.no_compare", "title", btext_get(&ind->title, lang),
					"comparison", lang_text(cmp_key(si->cmp[c].cmp)), "period", si->cmp[c].period, NULL);
				if (si->cmp[c].state != BCMP_NOT_APPLICABLE)
					rep->notes[rep->nnotes++] = own_text(bt, &t);
				sbuf_reset(&t);
				continue;
			}
			if (first < 0)
				first = (long)c;
		}
		/* The indicator's section, against its first comparison; one more
		 * section per further comparison. */
		for (long c = first; ; ) {
			size_t s = rep->nsec++;
			struct report_section *sec = &rep->sec[s];
			bt->map[s] = (struct bsec){ i, c };
			sbuf_addstr(&t, btext_get(&ind->title, lang));
			if (c >= 0 && c != first) {
				struct sbuf x = SBUF_INIT;
				sbuf_addstr(&t, " — ");
				lang_put(&x, "bulletin.heading.compared", "period", si->cmp[c].period, NULL);
				sbuf_addstr(&t, sbuf_cstr(&x));
				sbuf_release(&x);
			}
			sec->heading = own_text(bt, &t);
			if (load_table(&sec->table, si->table) != 0) {
				failed = 1;
				break;
			}
			render_test_take(&sec->table, sec->test_note, sizeof(sec->test_note));
			if (ind->chart)
				sec->chart = strcmp(ind->chart, "bar") == 0 ? CHART_BAR : strcmp(ind->chart, "line") == 0
					? CHART_LINE : strcmp(ind->chart, "none") == 0 ? CHART_NONE : CHART_AUTO;
			sec->chart_column = ind->chart_column;
			if (ind->ref_values) {
				struct sbuf x = SBUF_INIT;
				reference_text(&x, ind, lang);
				size_t used = strlen(sec->test_note);
				snprintf(sec->test_note + used, sizeof(sec->test_note) - used, "%s%s", used ? " " : "",
					sbuf_cstr(&x));
				sbuf_release(&x);
				sec->reference = chart_reference(bt, ind, lang);
			}
			if (c >= 0) {
				if (load_table(&bt->prev[s], si->cmp[c].table) != 0) {
					failed = 1;
					break;
				}
				render_test_take(&bt->prev[s], (char[384]){ 0 }, 384);
			}
			/* the next comparison done */
			long next = -1;
			for (size_t d = c < 0 ? si->ncmp : (size_t)c + 1; d < si->ncmp; d++)
				if (si->cmp[d].state == BCMP_DONE) {
					next = (long)d;
					break;
				}
			if (next < 0)
				break;
			c = next;
		}
	}
	sbuf_release(&t);
	if (failed)
		return -1;
	if (suppress_all(bt, b, in->k) != 0)
		return -1;
	for (size_t s = 0; s < rep->nsec; s++) {
		struct report_section *sec = &rep->sec[s];
		if (bt->prev[s].name) {
			long flagged = compare_tables_tested(&sec->table, &bt->prev[s], rep->z);
			if (flagged < 0)
				return -1;
			sec->compared = 1;
			sec->changes_beyond_noise = (size_t)flagged;
			sec->compare_rules = compare_rules(&sec->table, &bt->prev[s]);
		}
		sec->unreliable = flag_unreliable(&sec->table, rep->min_n, rep->max_cv);
	}
	annex(bt, in, lang);
	return 0;
}

static int write_file(const char *path, const struct sbuf *text)
{
	struct output out;

	if (output_open(&out, path, 0600) != 0)
		return -1;
	if (fwrite(text->s, 1, text->len, out.fp) != text->len) {
		civic_warn("%s: write error:", path);
		output_abort(&out);
		return -1;
	}
	return output_close(&out);
}

/* One format of a built report, or one table: a job of parallel_for.
 * Rendering only reads the report and the language chosen before. */
struct renders {
	const struct built *bt;
	const struct bulletin_report_in *in;
	const enum report_format *formats;
	const char *const *exts;
	const char *dir, *suffix;
	size_t *sec;                   /* tables: the section of each job */
	int *rc;                       /* per job */
};

/* rep rendered in format f into the file path. */
static int render_file(const char *path, const struct report *rep, enum report_format f)
{
	struct sbuf text = SBUF_INIT;
	int rc = render_report(&text, rep, f);

	if (rc == 0)
		rc = write_file(path, &text);
	sbuf_release(&text);
	return rc;
}

static void render_format(void *ctx, size_t f)
{
	struct renders *r = ctx;
	char *path = xmalloc(strlen(r->dir) + strlen(r->suffix) + strlen(r->exts[f]) + 16);

	sprintf(path, "%s/report%s.%s", r->dir, r->suffix, r->exts[f]);
	r->rc[f] = render_file(path, &r->bt->rep, r->formats[f]);
	free(path);
}

static int all_done(const int *rc, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rc[i])
			return -1;
	return 0;
}

int bulletin_write_reports(const struct bulletin_report_in *in, int lang, const enum report_format *formats,
	const char *const *exts, size_t nformats, const char *dir, const char *suffix)
{
	struct built bt;
	int rc;

	if (lang_use(bulletin_langs[lang]) != 0)
		return -1;
	if (build(&bt, in, lang) != 0) {
		release_built(&bt);
		return -1;
	}
	struct renders r = { &bt, in, formats, exts, dir, suffix, NULL, xcalloc(nformats + 1, sizeof(int)) };
	parallel_for(nformats, render_format, &r);
	rc = all_done(r.rc, nformats);
	free(r.rc);
	release_built(&bt);
	return rc;
}

/* The report in English, as the machine-read tables are written. */
static int build_english(struct built *bt, const struct bulletin_report_in *in)
{
	if (lang_use("en") != 0)
		return -1;
	if (build(bt, in, BLANG_EN) != 0) {
		release_built(bt);
		return -1;
	}
	return 0;
}

static void render_table(void *ctx, size_t job)
{
	struct renders *r = ctx;
	size_t s = r->sec[job];
	struct report one = r->bt->rep;
	const char *id = r->in->b->ind[r->bt->map[s].ind].id;
	char *path = xmalloc(strlen(r->dir) + strlen(id) + 8);

	one.sec = &r->bt->rep.sec[s];
	one.nsec = 1;
	one.nannex = 0;
	sprintf(path, "%s/%s.csv", r->dir, id);
	r->rc[job] = render_file(path, &one, REPORT_CSV);
	free(path);
}

int bulletin_write_tables(const struct bulletin_report_in *in, const char *dir)
{
	struct built bt;
	size_t n = 0;
	int rc;

	if (build_english(&bt, in) != 0)
		return -1;
	bt.rep.codes = 1;
	struct renders r = { &bt, in, NULL, NULL, dir, "", xcalloc(bt.rep.nsec + 1, sizeof(size_t)),
		xcalloc(bt.rep.nsec + 1, sizeof(int)) };
	for (size_t s = 0; s < bt.rep.nsec; s++)
		/* The indicator's own section, not its further comparisons. */
		if (s == 0 || bt.map[s - 1].ind != bt.map[s].ind)
			r.sec[n++] = s;
	parallel_for(n, render_table, &r);
	rc = all_done(r.rc, n);
	free(r.sec);
	free(r.rc);
	release_built(&bt);
	return rc;
}

/* ---- the compared tables at full precision, for checking ---- */

static int cmp_index(unsigned bit)
{
	int c = 0;

	while (c < BCMP_N && (1u << c) != bit)
		c++;
	return c;
}

/* A compared section as CSV: its columns, the cells as computed (not
 * rounded), and the row's flags. */
static void compared_csv(struct sbuf *out, const struct rtable *t)
{
	for (size_t c = 0; c < t->ncols; c++) {
		csv_append_field(out, t->cols[c].name, strlen(t->cols[c].name));
		sbuf_addc(out, ',');
	}
	sbuf_addstr(out, "flags\n");
	for (size_t r = 0; r < t->nrows; r++) {
		struct sbuf flags = SBUF_INIT;
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->rows[r].cell[c];
			csv_append_field(out, cell, strlen(cell));
			sbuf_addc(out, ',');
		}
		render_row_flags(&flags, t, r, " ");
		csv_append_field(out, sbuf_cstr(&flags), flags.len);
		sbuf_addc(out, '\n');
		sbuf_release(&flags);
	}
}

int bulletin_write_compared(const struct bulletin_report_in *in, const char *dir)
{
	struct built bt;
	int rc = 0;

	if (build_english(&bt, in) != 0)
		return -1;
	for (size_t s = 0; s < bt.rep.nsec && rc == 0; s++) {
		const struct bsec *m = &bt.map[s];
		if (!bt.rep.sec[s].compared || m->cmp < 0)
			continue;
		const char *id = in->b->ind[m->ind].id;
		const char *cmp = bulletin_compare_names[cmp_index(in->sec[m->ind].cmp[m->cmp].cmp)];
		struct sbuf text = SBUF_INIT;
		char *path = xmalloc(strlen(dir) + strlen(id) + strlen(cmp) + 8);
		sprintf(path, "%s/%s.%s.csv", dir, id, cmp);
		compared_csv(&text, &bt.rep.sec[s].table);
		rc = write_file(path, &text);
		sbuf_release(&text);
		free(path);
	}
	release_built(&bt);
	return rc;
}
