#!/usr/bin/env bats
# Survey estimates against R's survey 4.1.1 (tests/fixtures/survey/ORACLE.md):
# relative 1e-10, absolute 1e-8 for logit intervals.
#
# The first part checks the engine (lib/survey/*.c, lib/tally/interval.c) through
# scripts/survey-probe: every figure of the oracle for every design.  The
# second part runs civic-tally itself on the same files.
#
# Under valgrind every test runs, each design and interval method included;
# the merges of partials run on a few thousand generated rows instead of
# 100,000 and 30,000 (the same specs, the same checks).

load helper

setup() {
	setup_scratch
	S="$FIXTURES/survey"
	DATA="$S/data"
	EXP="$S/expected"
	PROBE="$CIVIC_ROOT/tests/tools/survey-probe"
	CHECK="$CIVIC_ROOT/tests/survey-tally-check.py"
	API_STRAT=(-w pw --strata stype)
	API_CLUS=(-w pw --psu dnum)
	TRUST=(-w weight --strata stratum --psu psu)
}

# ---- the engine -------------------------------------------------------

@test "engine: every oracle figure of every design agrees with R" {
	run python3 "$CIVIC_ROOT/tests/survey-engine-check.py" "$PROBE" "$S"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	assert_line "apisrs: 814/814 figures agree with R"
	assert_line "apistrat: 1221/1221 figures agree with R"
	assert_line "apiclus1: 1628/1628 figures agree with R"
	assert_line "trust_survey_numeric: 11013/11013 figures agree with R"
	assert_line "trust_survey_lonely: 93/93 figures agree with R"
}

@test "engine: merged partials (3 parts through JSON) give the same figures" {
	run python3 "$CIVIC_ROOT/tests/survey-engine-check.py" --split 3 "$PROBE" "$S" apiclus1 trust_survey_numeric
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	assert_line "trust_survey_numeric: 11013/11013 figures agree with R"
}

@test "engine: the checker fails when a figure is wrong" {
	mkdir -p expected data
	# the first estimate of the file, svymean(~api00) under weights only, off by 1e-9 relative
	sed '0,/"estimate": \[662.28736315932076\]/s//"estimate": [662.2873638]/' \
		"$EXP/apistrat.json" > expected/apistrat.json
	run grep -c '662.2873638' expected/apistrat.json
	assert_output 1
	cp "$DATA/apistrat.csv" data/
	run python3 "$CIVIC_ROOT/tests/survey-engine-check.py" "$PROBE" . apistrat
	[ "$status" -eq 1 ]
	assert_line --partial "FAIL apistrat w svymean api00 estimate"
	assert_line "apistrat: 1220/1221 figures agree with R"
}

@test "engine: published reference values (svymean api00, dstrat)" {
	run "$PROBE" -w pw -s stype -f fpc "$DATA/apistrat.csv" mean:api00
	assert_success
	assert_output --partial "est=662.28736315932076"
	assert_output --partial "se=9.40894080278458"
	assert_output --partial "df=197"
}

@test "engine: a lonely PSU under fail names the stratum" {
	run "$PROBE" -w weight -s stratum -p psu "$DATA/trust_survey_lonely.csv" mean:trust_police
	assert_success
	assert_output --partial "error=stratum 'Central-rural' has only one PSU"
}

@test "engine: a share of 0 or 1 gets a one-sided interval, not NaN" {
	printf 'g,w,s\na,1.5,x\na,2,x\na,1,x\nb,3,x\nb,1,x\n' > z.csv
	run "$PROBE" -w w z.csv 'share:g=a@s=x' 'mean:g==c' 'mean:g==a@g=a'
	assert_success
	# none: [0, u]; all: [l, 1]
	refute_output --regexp '_(low|high)=-?nan'
	assert_line --partial "mean:g==c	est=0	"
	assert_output --regexp $'mean:g==c\t.*logit_low=0\tlogit_high=0\\.[0-9]'
	assert_output --regexp $'mean:g==a@g=a\t.*beta_low=0\\.[0-9]+\tbeta_high=1\t'
}

@test "engine: plain samples get binomial intervals (Wilson = prop.test, beta = binom.test)" {
	# prop.test(3, 10, correct = FALSE)$conf.int and binom.test(3, 10)$conf.int
	printf 'y\n1\n1\n1\n0\n0\n0\n0\n0\n0\n0\n' > p.csv
	run "$PROBE" p.csv 'mean:y'
	assert_success
	assert_output --regexp 'wilson_low=0\.1077912674[0-9]*	wilson_high=0\.6032218525[0-9]*'
	assert_output --regexp 'beta_low=0\.0667395111[0-9]*	beta_high=0\.6524528500[0-9]*'
}

# ---- civic-tally --------------------------------------------------------

need_tally() {
	[ -x "$CIVIC_ROOT/bin/civic-tally" ]
}

# check OUT DATASET BASE KEYS COL=FIELD...
check() {
	local out=$1 ds=$2
	shift 2
	run python3 "$CHECK" "$out" "$EXP/$ds.json" "$@"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "tally: mean and total, stratified with fpc (apistrat dstrat)" {
	need_tally
	civic-tally "${API_STRAT[@]}" --fpc fpc -s mean:api00,sum:enroll --ci t --deff "$DATA/apistrat.csv" > out.csv
	check out.csv apistrat results/strat_fpc/mean/api00 - mean_api00=estimate mean_api00_se=se \
		mean_api00_low=ci95_t.lower mean_api00_high=ci95_t.upper mean_api00_deff=deff
	check out.csv apistrat results/strat_fpc/total/enroll - sum_enroll=estimate sum_enroll_se=se \
		sum_enroll_low=ci95_t.lower sum_enroll_high=ci95_t.upper sum_enroll_deff=deff
}

@test "tally: normal intervals and --level" {
	need_tally
	civic-tally "${API_STRAT[@]}" -s mean:api00,mean:api99 --ci normal --level 0.95 "$DATA/apistrat.csv" > out.csv
	check out.csv apistrat results/strat_w/mean/api00 - mean_api00=estimate mean_api00_se=se \
		mean_api00_low=ci95_normal.lower mean_api00_high=ci95_normal.upper
	check out.csv apistrat results/strat_w/mean/api99 - mean_api99_low=ci95_normal.lower
}

@test "tally: weights only, with and without fpc (apisrs)" {
	need_tally
	civic-tally -w pw -s mean:api00,sum:enroll --ci t --deff "$DATA/apisrs.csv" > w.csv
	check w.csv apisrs results/w/mean/api00 - mean_api00=estimate mean_api00_se=se mean_api00_low=ci95_t.lower mean_api00_deff=deff
	check w.csv apisrs results/w/total/enroll - sum_enroll=estimate sum_enroll_se=se
	civic-tally -w pw --fpc fpc -s mean:api00 --ci t --deff "$DATA/apisrs.csv" > fpc.csv
	check fpc.csv apisrs results/fpc/mean/api00 - mean_api00=estimate mean_api00_se=se \
		mean_api00_high=ci95_t.upper mean_api00_deff=deff
}

@test "tally: one-stage clusters with fpc (apiclus1 dclus1) and without" {
	need_tally
	civic-tally "${API_CLUS[@]}" --fpc fpc -s mean:api00,sum:enroll --ci t --deff "$DATA/apiclus1.csv" > fpc.csv
	check fpc.csv apiclus1 results/clus_fpc/mean/api00 - mean_api00=estimate mean_api00_se=se \
		mean_api00_low=ci95_t.lower mean_api00_high=ci95_t.upper mean_api00_deff=deff
	check fpc.csv apiclus1 results/clus_fpc/total/enroll - sum_enroll=estimate sum_enroll_se=se
	civic-tally "${API_CLUS[@]}" -s mean:api00 --ci t "$DATA/apiclus1.csv" > w.csv
	check w.csv apiclus1 results/clus_w/mean/api00 - mean_api00_se=se mean_api00_low=ci95_t.lower
}

@test "tally: stratified clusters, PSU ids repeated across strata are nested" {
	need_tally
	civic-tally -w pw --strata stype --psu dnum -s mean:api00,sum:enroll --ci t --deff "$DATA/apiclus1.csv" > out.csv
	check out.csv apiclus1 results/strat_clus_nest_w/mean/api00 - mean_api00=estimate mean_api00_se=se \
		mean_api00_low=ci95_t.lower mean_api00_deff=deff
	check out.csv apiclus1 results/strat_clus_nest_w/total/enroll - sum_enroll_se=se
}

@test "tally: factor shares and counts with SE, t interval and deff (stratified)" {
	need_tally
	civic-tally "${API_STRAT[@]}" -g awards -s count,share --ci t --deff "$DATA/apistrat.csv" > out.csv
	check out.csv apistrat results/strat_w/factor_mean/awards awards share=estimate share_se=se \
		share_low=ci95_t.lower share_high=ci95_t.upper share_deff=deff
	check out.csv apistrat results/strat_w/factor_total/awards awards count=estimate count_se=se \
		count_low=ci95_t.lower count_high=ci95_t.upper count_deff=deff
}

@test "tally: share of a stratum variable has SE 0 within its strata" {
	need_tally
	civic-tally "${API_STRAT[@]}" --fpc fpc -g stype -s share --ci t "$DATA/apistrat.csv" > out.csv
	check out.csv apistrat results/strat_fpc/factor_mean/stype stype share=estimate share_se=se
}

@test "tally: proportion intervals logit, beta, wald, asin (svyciprop)" {
	need_tally
	local m
	for m in logit beta wald asin; do
		civic-tally "${API_STRAT[@]}" --fpc fpc -g sch.wide -s share --ci $m "$DATA/apistrat.csv" > $m.csv
	done
	local P=results/strat_fpc/proportion/sch_wide_yes/methods
	check logit.csv apistrat $P/logit sch.wide=Yes share=~estimate share_se=se share_low=~lower share_high=~upper
	check beta.csv apistrat $P/beta sch.wide=Yes share_low=lower share_high=upper
	check wald.csv apistrat $P/mean sch.wide=Yes share_low=lower share_high=upper
	check asin.csv apistrat $P/asin sch.wide=Yes share_low=lower share_high=upper
}

@test "tally: domain means by region, stratified clusters (df per domain)" {
	need_tally
	civic-tally "${TRUST[@]}" -g region -s mean:trust_police,n:trust_police --ci t --deff \
		"$DATA/trust_survey_numeric.csv" > out.csv
	check out.csv trust_survey_numeric results/strat_clus_w/by/region/mean/trust_police region \
		mean_trust_police=estimate mean_trust_police_se=se mean_trust_police_low=ci_t_lower \
		mean_trust_police_high=ci_t_upper mean_trust_police_deff=deff n_trust_police=domain_n
}

@test "tally: domain means with normal intervals, by age group" {
	need_tally
	civic-tally "${TRUST[@]}" -g age_group -s mean:trust_police --ci normal "$DATA/trust_survey_numeric.csv" > out.csv
	check out.csv trust_survey_numeric results/strat_clus_w/by/age_group/mean/trust_police age_group \
		mean_trust_police=estimate mean_trust_police_low=ci_lower mean_trust_police_high=ci_upper
}

@test "tally: domain proportions by region, every svyciprop method" {
	need_tally
	local m
	for m in logit beta wald asin; do
		civic-tally "${TRUST[@]}" -g region -s 'share:trust_police>=4,share:would_report=1' --ci $m \
			"$DATA/trust_survey_numeric.csv" > $m.csv
	done
	local P=results/strat_clus_w/by/region/proportion/top2_police Q=results/strat_clus_w/by/region/proportion/would_report
	local T='share_trust_police>=4' W='share_would_report=1'
	check logit.csv trust_survey_numeric $P/svyciprop_logit region "$T=~estimate" "${T}_se=se" \
		"${T}_low=~ci_lower" "${T}_high=~ci_upper"
	check logit.csv trust_survey_numeric $Q/svyciprop_logit region "$W=~estimate" "${W}_se=se" \
		"${W}_low=~ci_lower" "${W}_high=~ci_upper"
	check beta.csv trust_survey_numeric $P/svyciprop_beta region "${T}_low=ci_lower" "${T}_high=ci_upper"
	check beta.csv trust_survey_numeric $Q/svyciprop_beta region "${W}_low=ci_lower" "${W}_high=ci_upper"
	check wald.csv trust_survey_numeric $P/svyciprop_mean region "${T}_low=ci_lower" "${T}_high=ci_upper"
	check asin.csv trust_survey_numeric $P/svyciprop_asin region "${T}_low=ci_lower" "${T}_high=ci_upper"
}

@test "tally: a proportion among the answered (structural missing values), with deff" {
	need_tally
	civic-tally "${TRUST[@]}" -s 'share:satisfied_contact>=4' --ci logit --deff "$DATA/trust_survey_numeric.csv" > out.csv
	local P=results/strat_clus_w/proportion/top2_satisfied
	local S='share_satisfied_contact>=4'
	check out.csv trust_survey_numeric $P/methods/logit - "$S=~estimate" "${S}_se=se" "${S}_low=~lower" "${S}_high=~upper"
	check out.csv trust_survey_numeric $P/ingredients - "$S=p_hat"
}

@test "tally: cross-tab row percentages with SE and deff (svyby factor means, svytable)" {
	need_tally
	civic-tally "${TRUST[@]}" -g region,cooperates_most --within region -s count,share --ci t --deff \
		"$DATA/trust_survey_numeric.csv" > out.csv
	check out.csv trust_survey_numeric results/strat_clus_w/by/region/factor_mean/cooperates_most \
		region,cooperates_most share=estimate share_se=se share_deff=deff
	check out.csv trust_survey_numeric "results/strat_clus_w/table/region x cooperates_most" \
		region,cooperates_most count=weighted_count share=row_percent/100
}

@test "tally: counts within --within groups are svyby totals, with the group's degrees of freedom" {
	need_tally
	civic-tally "${TRUST[@]}" -g region,would_report --within region -s count --ci t \
		"$DATA/trust_survey_numeric.csv" > out.csv
	check out.csv trust_survey_numeric results/strat_clus_w/by/region/total/would_report region,would_report=1 \
		count=estimate count_se=se
	# Each interval's t quantile is that of its region's df (62, 44, …): the
	# quantile R's t interval of the region's mean uses.
	run python3 - out.csv "$EXP/trust_survey_numeric.json" <<'PY'
import csv, json, sys
m = json.load(open(sys.argv[2]))["results"]["strat_clus_w"]["by"]["region"]["mean"]["trust_police"]
want = {lev: (m["estimate"][i][0] - m["ci_t_lower"][i]) / m["se"][i][0] for i, lev in enumerate(m["by_levels"])}
for r in csv.DictReader(open(sys.argv[1])):
    t = (float(r["count"]) - float(r["count_low"])) / float(r["count_se"])
    w = want[r["region"]]
    print(r["region"], r["would_report"], "ok" if abs(t - w) <= 1e-9 * w else "FAIL %r != %r" % (t, w))
PY
	assert_success
	refute_output --partial FAIL
	assert_line 'Capital 1 ok'
	assert_line 'Central 0 ok'
}

@test "tally: --total with --within: region subtotals and the whole sample's shares (svytotal, svymean)" {
	need_tally
	civic-tally "${TRUST[@]}" -g region,cooperates_most --within region -s count,share --total --ci t --deff \
		"$DATA/trust_survey_numeric.csv" > out.csv
	local R=results/strat_clus_w
	# (Total, answer): the answers over every region
	check out.csv trust_survey_numeric $R/factor_mean/cooperates_most region=Total,cooperates_most \
		share=estimate share_se=se share_low=ci95_t.lower share_high=ci95_t.upper share_deff=deff
	check out.csv trust_survey_numeric $R/factor_total/cooperates_most region=Total,cooperates_most \
		count=estimate count_se=se count_low=ci95_t.lower count_deff=deff
	# (region, Total): each region's count, its share of itself 1
	check out.csv trust_survey_numeric $R/factor_total/region cooperates_most=Total,region count=estimate count_se=se
	run grep -c '^[A-Za-z]*,Total,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,1,0,' out.csv
	assert_output 7
}

@test "tally: column percentages of a cross-tab (--within the other key)" {
	need_tally
	civic-tally "${TRUST[@]}" -g age_group,contacted_police_12m --within contacted_police_12m -s count,share \
		"$DATA/trust_survey_numeric.csv" > out.csv
	check out.csv trust_survey_numeric "results/strat_clus_w/table/age_group x contacted_police_12m_f" \
		age_group,contacted_police_12m count=weighted_count share=col_percent/100
}

@test "tally: the same design from PSU ids that restart in each stratum" {
	need_tally
	civic-tally -w weight --strata stratum --psu psu_in_stratum -g region -s mean:trust_police --ci t \
		"$DATA/trust_survey_numeric.csv" > out.csv
	check out.csv trust_survey_numeric results/strat_clus_w/by/region/mean/trust_police region \
		mean_trust_police=estimate mean_trust_police_se=se mean_trust_police_low=ci_t_lower
}

@test "tally: weighted quantiles (svyquantile, qrule math)" {
	need_tally
	civic-tally "${API_STRAT[@]}" --fpc fpc -s p25:api00,median:api00,p90:api00 "$DATA/apistrat.csv" > out.csv
	check out.csv apistrat results/strat_fpc/quantile/api00/math - \
		p25_api00=quantile.1 median_api00=quantile.2 p90_api00=quantile.4
	civic-tally "${TRUST[@]}" -s p10:weight,median:weight "$DATA/trust_survey_numeric.csv" > w.csv
	check w.csv trust_survey_numeric results/strat_clus_w/quantile/weight/math - \
		p10_weight=quantile.0 median_weight=quantile.1
}

@test "tally: quantile intervals with a design (Woodruff, qrule math)" {
	need_tally
	civic-tally "${API_STRAT[@]}" --fpc fpc -s p25:api00,median:api00,p90:api00 --ci t "$DATA/apistrat.csv" > out.csv
	local M=results/strat_fpc/quantile/api00/math
	check out.csv apistrat $M - p25_api00=quantile.1 p25_api00_low=ci_lower.1 p25_api00_high=ci_upper.1 \
		p25_api00_se=se.1 median_api00=quantile.2 median_api00_low=ci_lower.2 \
		median_api00_high=ci_upper.2 median_api00_se=se.2 p90_api00_low=ci_lower.4 \
		p90_api00_high=ci_upper.4 p90_api00_se=se.4
	civic-tally "${TRUST[@]}" -s p10:weight,median:weight,p90:weight --ci t "$DATA/trust_survey_numeric.csv" > w.csv
	check w.csv trust_survey_numeric results/strat_clus_w/quantile/weight/math - \
		p10_weight_low=ci_lower.0 p10_weight_high=ci_upper.0 p10_weight_se=se.0 \
		median_weight_low=ci_lower.1 median_weight_high=ci_upper.1 median_weight_se=se.1 \
		p90_weight_low=ci_lower.2 p90_weight_high=ci_upper.2 p90_weight_se=se.2
}

@test "tally: unweighted quantile intervals are svyquantile's qrule hf7 (type 7) of the equal-weight design" {
	need_tally
	# apisrs has equal weights, so R's figures under -w pw are those of the
	# unweighted sample; hf7 with equal weights is quantile(type = 7).
	civic-tally -s p10:api00,p25:api00,median:api00,p75:api00,p90:api00 --ci t "$DATA/apisrs.csv" > srs.csv
	local H=results/w/quantile/api00/hf7 c k=0
	local args=()
	for c in p10 p25 median p75 p90; do
		args+=("${c}_api00=quantile.$k" "${c}_api00_low=ci_lower.$k" "${c}_api00_high=ci_upper.$k"
			"${c}_api00_se=se.$k")
		k=$((k + 1))
	done
	check srs.csv apisrs $H - "${args[@]}"
	civic-tally -s p25:trust_police,median:trust_police,p75:trust_police --ci t \
		"$DATA/trust_survey_numeric.csv" > unw.csv
	check unw.csv trust_survey_numeric results/unw/quantile/trust_police/hf7 - \
		p25_trust_police=quantile.0 p25_trust_police_low=ci_lower.0 p25_trust_police_high=ci_upper.0 \
		p25_trust_police_se=se.0 median_trust_police_low=ci_lower.1 median_trust_police_se=se.1 \
		p75_trust_police_high=ci_upper.2 p75_trust_police_se=se.2
	# the point estimate is the one printed without --ci
	run civic-tally -s p10:api00 "$DATA/apisrs.csv"
	assert_output "$(printf 'p10_api00\n%s' "$(cut -d, -f1 srs.csv | tail -1)")"
}

@test "tally: lonely PSU policies remove, certainty, adjust, average" {
	need_tally
	local p
	for p in remove certainty adjust average; do
		civic-tally "${TRUST[@]}" --lonely-psu $p -s mean:trust_police,sum:would_report --ci t \
			"$DATA/trust_survey_lonely.csv" > $p.csv
		check $p.csv trust_survey_lonely results/$p/mean_trust - mean_trust_police=estimate mean_trust_police_se=se
		check $p.csv trust_survey_lonely results/$p/total_would_report - sum_would_report=estimate sum_would_report_se=se
		civic-tally "${TRUST[@]}" --lonely-psu $p -g region -s mean:trust_police --ci t \
			"$DATA/trust_survey_lonely.csv" > by-$p.csv
		check by-$p.csv trust_survey_lonely results/$p/by_region_mean_trust region \
			mean_trust_police=estimate mean_trust_police_se=se
	done
}

@test "tally: a lonely PSU fails by default, naming the stratum" {
	need_tally
	run civic-tally "${TRUST[@]}" -s mean:trust_police --ci t "$DATA/trust_survey_lonely.csv"
	assert_failure 1
	assert_output --partial "Central-rural"
}

# ---- designs checked against R itself (tests/survey-live.R) ----------

# r_figures OUT 'R code': runs the code after tests/survey-live.R, with d the
# data frame of tests/fixtures/survey/live/design.csv (both named as
# arguments, so that an oracle cache sees them).
r_figures() {
	printf '%s\n' "source(commandArgs(TRUE)[1])" "d <- read.csv(commandArgs(TRUE)[2])" "$2" > "$1.R"
	oracle_once Rscript --vanilla "$1.R" "$CIVIC_ROOT/tests/survey-live.R" "$S/live/design.csv" > "$1"
}

same_as_r() {
	run python3 "$CIVIC_ROOT/tests/survey-live-check.py" "$1" "$2"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

LIVE_CLUS=(-w w --strata stratum --psu psu --fpc fpc)
R_CLUS='svydesign(ids = ~psu, strata = ~stratum, fpc = ~fpc, weights = ~w, data = d)'

@test "tally: rows of weight 0 are out of the degrees of freedom and of svyvar, as in R" {
	need_tally
	local data="$S/live/design.csv"
	civic-tally "${LIVE_CLUS[@]}" --lonely-psu remove -g region -s mean:y,sd:y,sum:y --ci t "$data" > clus.csv
	r_figures r-clus.csv "options(survey.lonely.psu = 'remove'); des <- $R_CLUS
		emit(by_key(des, 'region', function(x) c(figures(x, 'y'), sd_figure(x, 'y'), figures(x, 'y', 'sum'))))"
	same_as_r clus.csv r-clus.csv
	# each row a PSU: the strata's rows of weight 0 are not PSUs for df
	civic-tally -w w --strata stratum -s mean:y,sd:y --ci t "$data" > rows.csv
	r_figures r-rows.csv "des <- svydesign(ids = ~1, strata = ~stratum, weights = ~w, data = d)
		emit(c(figures(des, 'y'), sd_figure(des, 'y')))"
	same_as_r rows.csv r-rows.csv
	civic-tally -w w -g region -s sd:y "$data" > sd.csv
	r_figures r-sd.csv "emit(by_key(svydesign(ids = ~1, weights = ~w, data = d), 'region', sd_figure, 'y'))"
	same_as_r sd.csv r-sd.csv
	# partials carry the rows of weight 0: a merge gives the same figures
	head -10 "$data" > a.csv
	{ head -1 "$data"; tail -n +11 "$data"; } > b.csv
	civic-tally "${LIVE_CLUS[@]}" --lonely-psu remove -g region -s mean:y,sd:y,sum:y --ci t --partial a.csv > a.ndjson
	civic-tally "${LIVE_CLUS[@]}" --lonely-psu remove -g region -s mean:y,sd:y,sum:y --ci t --partial b.csv > b.ndjson
	civic-tally --merge a.ndjson b.ndjson > merged.csv
	same_as_r merged.csv r-clus.csv
}

@test "tally: a census stratum with one PSU adds no variance under every lonely-PSU rule, as in R" {
	need_tally
	local p
	# stratum D: one PSU, fpc 1 (sampled whole)
	grep -c ',D,\|^D,' "$S/live/design.csv"
	for p in fail remove certainty adjust average; do
		civic-tally "${LIVE_CLUS[@]}" --lonely-psu $p -s mean:y,sum:y --ci t "$S/live/design.csv" > $p.csv
		civic-tally "${LIVE_CLUS[@]}" --lonely-psu $p -g region -s mean:y --ci t "$S/live/design.csv" > by-$p.csv
		r_figures r-$p.csv "options(survey.lonely.psu = '$p'); des <- $R_CLUS
			emit(c(figures(des, 'y'), figures(des, 'y', 'sum')))"
		r_figures r-by-$p.csv "options(survey.lonely.psu = '$p'); des <- $R_CLUS
			emit(by_key(des, 'region', figures, 'y'))"
		same_as_r $p.csv r-$p.csv
		same_as_r by-$p.csv r-by-$p.csv
	done
}

@test "tally: --lonely-psu-domain is R's survey.adjust.domain.lonely" {
	need_tally
	local p
	# region east has one PSU (a1) of stratum A's four
	for p in adjust average remove fail; do
		civic-tally "${LIVE_CLUS[@]}" --lonely-psu $p --lonely-psu-domain -g region -s mean:y,sum:y --ci t \
			"$S/live/design.csv" > $p.csv
		r_figures r-$p.csv "options(survey.lonely.psu = '$p', survey.adjust.domain.lonely = TRUE)
			des <- $R_CLUS
			emit(by_key(des, 'region', function(x) suppressWarnings(c(figures(x, 'y'), figures(x, 'y', 'sum')))))"
		same_as_r $p.csv r-$p.csv
	done
	# it changes the figures of adjust and average, and R's do change with it
	civic-tally "${LIVE_CLUS[@]}" --lonely-psu average -g region -s mean:y --ci t "$S/live/design.csv" > plain.csv
	run python3 "$CIVIC_ROOT/tests/survey-live-check.py" plain.csv average.csv
	assert_failure
	# partials record it, and merge only with partials that agree
	civic-tally "${LIVE_CLUS[@]}" --lonely-psu adjust --lonely-psu-domain -g region -s mean:y,sum:y --ci t \
		--partial "$S/live/design.csv" > dom.ndjson
	civic-tally --merge dom.ndjson > merged.csv
	same_as_r merged.csv r-adjust.csv
	civic-tally "${LIVE_CLUS[@]}" --lonely-psu adjust -g region -s mean:y,sum:y --ci t \
		--partial "$S/live/design.csv" > plain.ndjson
	run civic-tally --merge dom.ndjson plain.ndjson
	assert_failure 1
	run civic-tally --merge --lonely-psu-domain dom.ndjson
	assert_failure 2
}

@test "tally: --fpc without -w is refused: R would derive the weights from it" {
	need_tally
	run civic-tally --strata stratum --fpc fpc -s mean:y "$S/live/design.csv"
	assert_failure 2
	assert_output --partial "--fpc needs -w"
	assert_output --partial "N_h/n_h"
	# nor merged from a partial made so before
	civic-tally -w w --strata stratum --fpc fpc -s mean:y --partial "$S/live/design.csv" |
		jq -c 'if .civic_tally_partial then .spec.weight = null else . end' > old.ndjson
	run civic-tally --merge old.ndjson
	assert_failure 1
	assert_output --partial "made with --fpc and no -w"
	# what R does: weights N_h/n_h, which -w can give
	r_figures r.csv "des <- svydesign(ids = ~psu, strata = ~stratum, fpc = ~fpc, data = d)
		emit(c(A = unname(weights(des)[1]), C = unname(weights(des)[14])))"
	run cat r.csv
	assert_output "$(printf 'A,C\n3,2.5')"
}

@test "tally: an unweighted Woodruff limit beyond the data is clamped to it, where R gives NaN" {
	need_tally
	printf 'y\n1\n2\n3\n4\n5\n6\n7\n8\n' > q.csv
	civic-tally -s p10:y,median:y,p90:y --ci t q.csv > civic.csv
	r_figures r-both.csv "
		q <- svyquantile(~y, svydesign(ids = ~1, data = read.csv('q.csv')), c(0.1, 0.5, 0.9),
			qrule = 'hf7', ci = TRUE)\$y
		emit(c(p10_y = q[1, 1], p10_y_high = q[1, 3], median_y = q[2, 1], median_y_se = q[2, 4],
			median_y_low = q[2, 2], median_y_high = q[2, 3], p90_y = q[3, 1], p90_y_low = q[3, 2]))
		emit(c(p10_y_low = q[1, 2], p10_y_se = q[1, 4], p90_y_high = q[3, 3], p90_y_se = q[3, 4]))"
	head -2 r-both.csv > r.csv
	same_as_r civic.csv r.csv
	# R: NaN for the limits beyond the data and their SE; civic-tally: the
	# smallest and largest value, and the SE of the clamped interval
	run sed -n 4p r-both.csv
	assert_output "NaN,NaN,NaN,NaN"
	run python3 -c "import csv; r = next(csv.DictReader(open('civic.csv'))); print(r['p10_y_low'], r['p90_y_high'])"
	assert_output "1 8"
}

@test "tally: unweighted shares get Wilson and Clopper-Pearson intervals" {
	need_tally
	civic-tally -g would_report -s share --ci wilson "$DATA/trust_survey_numeric.csv" > wilson.csv
	civic-tally -g would_report -s share --ci beta "$DATA/trust_survey_numeric.csv" > beta.csv
	local U=results/strat_clus_w/proportion/would_report/unweighted
	check wilson.csv trust_survey_numeric $U would_report=1 share=p share_low=wilson.lower share_high=wilson.upper
	check beta.csv trust_survey_numeric $U would_report=1 share_low=clopper_pearson.lower share_high=clopper_pearson.upper
}

@test "tally: weighted Wilson uses the effective n (documented, not an R method)" {
	need_tally
	civic-tally "${TRUST[@]}" -g would_report -s share --ci wilson "$DATA/trust_survey_numeric.csv" > out.csv
	check out.csv trust_survey_numeric results/strat_clus_w/proportion/would_report/weighted_wilson_kish_neff \
		would_report=1 share_low=lower share_high=upper
}

@test "tally: partials of three parts merge to the figures of one run" {
	need_tally
	head -1 "$DATA/trust_survey_numeric.csv" > h
	tail -n +2 "$DATA/trust_survey_numeric.csv" > body
	split -n l/3 body part.
	local f
	for f in part.*; do
		cat h "$f" > "$f.csv"
		civic-tally --partial "${TRUST[@]}" -g region -s mean:trust_police --ci t --deff "$f.csv" > "$f.ndjson"
	done
	civic-tally --merge part.*.ndjson > out.csv
	check out.csv trust_survey_numeric results/strat_clus_w/by/region/mean/trust_police region \
		mean_trust_police=estimate mean_trust_police_se=se mean_trust_police_low=ci_t_lower mean_trust_police_deff=deff
	# Exact decimal sums: the merge prints one run's digits, not just close ones.
	civic-tally "${TRUST[@]}" -g region -s mean:trust_police --ci t --deff "$DATA/trust_survey_numeric.csv" > one.csv
	cmp one.csv out.csv || fail "merge differs from one run: $(diff one.csv out.csv | head -4)"
}

@test "tally: survey partials merge to one run's digits, with PSUs or sums per stratum" {
	need_tally
	# Long double sums added in two orders differ in the last digit of some
	# SEs at this size; exact decimal sums do not.
	local n=100000
	valgrind_light && n=3000
	"$CIVIC_ROOT/scripts/gen-survey" -n $n --seed 5 > big.csv
	head -1 big.csv > h
	tail -n +2 big.csv > body
	split -n l/2 body part.
	local f spec specs=(
		"-w weight --strata stratum --psu psu -g region,cooperates_most -s share --within region --ci logit"
		"-w weight --strata stratum --psu psu -g region -s count,mean:trust_police,sum:trust_police --ci t --deff"
		"-w weight --strata stratum -g region -s count,mean:trust_police,sum:trust_police --ci t --deff")
	for spec in "${specs[@]}"; do
		for f in part.aa part.ab; do
			cat h "$f" | civic-tally --partial $spec > "$f.ndjson"
		done
		civic-tally $spec big.csv > one.csv
		civic-tally --merge part.aa.ndjson part.ab.ndjson > out.csv
		cmp one.csv out.csv || fail "$spec: merge differs from one run: $(diff one.csv out.csv | head -4)"
	done
}

@test "tally: survey quantiles merged from partials, runs of equal values and all, give one run's figures" {
	need_tally
	# Few distinct weights, so a partial's values come in runs [y, w, h, psu, k]
	# that a merge keeps as runs; one run over the file holds them one by one.
	local n=30000
	valgrind_light && n=3000
	"$CIVIC_ROOT/scripts/gen-survey" -n $n --seed 7 |
		awk -F, 'BEGIN { OFS = "," } NR > 1 { $6 = 1.5 + (NR % 4) * 0.3 } { print }' > d.csv
	head -1 d.csv > h
	tail -n +2 d.csv > body
	split -n l/3 body part.
	local f spec specs=(
		"-w weight -g region -s median:trust_police,p25:trust_inspector,p90:trust_police --ci t"
		"-w weight --strata stratum --psu psu -g sex -s p27:psu_in_stratum,median:psu --ci t --total"
		"-w weight --strata stratum -g region -s median:trust_police,p33:trust_inspector --ci logit"
		"--strata stratum -g sex -s median:trust_police,p60:trust_inspector --ci t"
		"-g region -s median:trust_police,p90:psu_in_stratum,p33:satisfied_contact --ci t")
	for spec in "${specs[@]}"; do
		for f in part.aa part.ab part.ac; do
			cat h "$f" | civic-tally --partial $spec > "$f.ndjson"
		done
		grep -q ',[0-9]*,-\?[0-9]*,[0-9]*\]' part.aa.ndjson || fail "$spec: no run in the partial"
		civic-tally $spec d.csv > one.csv
		civic-tally --merge part.a?.ndjson > out.csv
		cmp one.csv out.csv || fail "$spec: merge differs from one run: $(diff one.csv out.csv | head -4)"
		civic-tally --merge --partial part.a?.ndjson | civic-tally --merge - > again.csv
		cmp one.csv again.csv || fail "$spec: merged twice differs: $(diff one.csv again.csv | head -4)"
	done
}

@test "tally: a partial of format 1 (long double sums) still merges" {
	need_tally
	# Written by civic-tally before survey sums became exact decimals.
	run civic-tally --merge "$FIXTURES/tally/trust-region-format1.ndjson"
	assert_success
	echo "$output" > out.csv
	check out.csv trust_survey_numeric results/strat_clus_w/by/region/mean/trust_police region \
		mean_trust_police=estimate mean_trust_police_se=se mean_trust_police_low=ci_t_lower mean_trust_police_deff=deff
}

@test "tally: PSU sums: weights of any scale, and too large or long for 64 bits, give the same figures" {
	need_tally
	local spec=(-w weight --strata stratum --psu psu -g region -s count,share,mean:trust_police --ci t --deff)
	civic-tally "${spec[@]}" "$DATA/trust_survey_numeric.csv" > one.csv
	# The same weights with trailing zeros (a larger scale from the start,
	# or only from the middle on): exactly the same digits.
	awk -F, -v OFS=, 'NR > 1 && NR % 2 { $6 = $6 "000" } { print }' "$DATA/trust_survey_numeric.csv" > zeros.csv
	civic-tally "${spec[@]}" zeros.csv > out.csv
	cmp one.csv out.csv || fail "trailing zeros changed the figures: $(diff one.csv out.csv | head -4)"
	# Weights 10^18 times larger overflow 64-bit PSU sums, and weights of
	# 40 digits are no exact decimals: both go on in doubles.  Means and
	# shares do not change, counts scale (design effects do not compare:
	# the population size is in them); to 1e-12 of the exact figures.
	awk -F, -v OFS=, 'NR > 1 { $6 = $6 "e18" } { print }' "$DATA/trust_survey_numeric.csv" > big.csv
	awk -F, -v OFS=, 'NR > 1 && NR % 3 == 0 { $6 = $6 "00000000000000000000000000000000001" } { print }' \
		"$DATA/trust_survey_numeric.csv" > long.csv
	civic-tally "${spec[@]}" big.csv > big.out
	civic-tally "${spec[@]}" long.csv > long.out
	paste -d, one.csv big.out long.out | awk -F, '
		NR == 1 { n = NF / 3; for (i = 1; i <= n; i++) name[i] = $i; next }
		{
			for (i = 2; i <= n; i++) {
				a = $i; b = $(i + n); c = $(i + 2 * n)
				scale = name[i] ~ /^count($|_se|_low|_high)/ ? 1e18 : 1
				if ((name[i] !~ /_deff$/ && abs(b / scale - a) > 1e-12 * abs(a)) || abs(c - a) > 1e-12 * abs(a)) {
					printf "row %d %s: %s %s %s\n", NR, name[i], a, b, c; bad = 1
				}
			}
		}
		function abs(x) { return x < 0 ? -x : x }
		END { exit bad }'
}

@test "tally: survey sums take memory only for the PSUs a group has rows in" {
	need_tally
	if [ "${SANITIZE:-}" = 1 ] || [ "${VALGRIND:-}" = 1 ]; then
		skip "address-space limits do not apply under ASan or valgrind"
	fi
	# 4,000 groups of one PSU each: a dense array per group over every PSU
	# would take 4000²/2 × 80 bytes × 2 (group and base) = 1.28 GB.
	awk 'BEGIN { print "stratum,psu,w"
		for (i = 1; i <= 4000; i++) printf "s%d,p%d,%d\n", i % 2, i, 1 + i % 3 }' > many.csv
	run bash -c 'ulimit -v 200000 && civic-tally -w w --strata stratum --psu psu -g psu \
		-s count,share --ci t many.csv'
	assert_success
	# p1: count 2 (w), one of 2,000 PSUs in s1: V = 2000/1999 × (1.999² + 1999 × 0.001²) = 4
	assert_line 'p1,2,1,2,-1.921115051305153,5.9211150513051525,0.00025,0.00025000519394734335,-0.00024014956444569596,0.000740149564445696'
}

@test "tally: records in any order give the same figures (PSUs met out of order)" {
	need_tally
	head -1 "$DATA/trust_survey_numeric.csv" > shuffled.csv
	tail -n +2 "$DATA/trust_survey_numeric.csv" | sort -t, -k9,9 -k8,8 -k1,1r >> shuffled.csv
	civic-tally "${TRUST[@]}" -g region -s mean:trust_police,count --ci t --deff shuffled.csv > out.csv
	check out.csv trust_survey_numeric results/strat_clus_w/by/region/mean/trust_police region \
		mean_trust_police=estimate mean_trust_police_se=se mean_trust_police_low=ci_t_lower \
		mean_trust_police_deff=deff
	check out.csv trust_survey_numeric results/strat_clus_w/factor_total/region region count=estimate count_se=se
}

@test "tally: a variance of values far from 0 loses nothing (no cancellation)" {
	need_tally
	# t.test(c(1000000000.1, 1000000000.2, 1000000000.3, 1000000000.4)): se 0.06454972243679028,
	# sd 0.1290994448735806, interval 1000000000.04457 to 1000000000.45543
	printf 'y\n1000000000.1\n1000000000.2\n1000000000.3\n1000000000.4\n' > y.csv
	run civic-tally -s mean:y,sd:y --ci t y.csv
	assert_success
	assert_line 'mean_y,mean_y_se,mean_y_low,mean_y_high,sd_y'
	assert_line '1000000000.25,0.06454972243679027,1000000000.044574,1000000000.455426,0.12909944487358055'
	# the same spread a million times further out, weighted, stratified and
	# clustered: V is 1/288 exactly (Python's fractions), se √(1/288)
	printf 'st,psu,w,y\n1,1,1.5,1000000000000000.1\n1,1,2.25,1000000000000000.3\n1,2,1.5,1000000000000000.2\n2,1,3,1000000000000000.4\n2,2,0.75,1000000000000000.1\n' > z.csv
	run civic-tally -w w --strata st --psu psu -s mean:y --ci t z.csv
	assert_success
	assert_line --partial '1000000000000000.2,0.05892556509887896,'
}

@test "tally: every figure within 1e-10 of exact rational arithmetic, the same bytes in any record, merge or thread order" {
	need_tally
	# random designs (strata, PSUs, weights, fpc or not), means 1 to 1e12, sd down to 1
	local cases=40
	[ "${VALGRIND:-}" = 1 ] && cases=2      # some 15 s of CPU under valgrind
	run python3 "$CIVIC_ROOT/tests/survey-exact-check.py" --cases $cases --seed 1
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	assert_line --regexp "^$cases cases, [0-9]+ figures: 0 cases failed$"
}

@test "tally: the exact-arithmetic checker fails when figures are off" {
	need_tally
	printf '#!/bin/sh\nexec civic-tally --digits 6 "$@"\n' > rounded
	chmod +x rounded
	run python3 "$CIVIC_ROOT/tests/survey-exact-check.py" --cases 2 --seed 1 ./rounded
	[ "$status" -eq 1 ]
	assert_line --regexp ': printed .*, exact '
	assert_line --regexp '^2 cases, [0-9]+ figures: [12] cases failed$'
}

@test "tally: labelled answers give the figures of the numeric codes" {
	need_tally
	civic-tally "${TRUST[@]}" -g region,cooperates_most --within region -s share --ci t \
		"$DATA/trust_survey_labels.csv" > out.csv
	check out.csv trust_survey_numeric results/strat_clus_w/by/region/factor_mean/cooperates_most \
		region,cooperates_most share=estimate share_se=se
}

# ---- Likert answers with missing codes, against R computed here ----------

@test "likert: every shipped template and condition, with dk, refused and empty answers, agrees with R on subset(design, !is.na(y))" {
	Rscript -e 'suppressPackageStartupMessages(library(survey))' > /dev/null 2>&1 ||
		fail "Rscript with R's survey package is needed: scripts/install-deps installs r-cran-survey"
	local L="$CIVIC_ROOT/tests/likert-survey" RULES="$CIVIC_DATADIR/rules/likert.rules"
	local -a TEMPLATES=(trust5=trust_police trust5_mid=trust_court agree5=agree_fair
		satisfaction5=satisfied_contact satisfaction5_mid=satisfied_mid yesno=would_report)
	# every template the book ships (nonresponse is a part of the others)
	run awk '$1 == "template" && $2 != "nonresponse" { print $2 }' "$RULES"
	assert_equal "$(sort <<< "$output")" "$(printf '%s\n' "${TEMPLATES[@]%%=*}" | sort)"
	python3 "$L.py" gen 11 raw.csv truth.csv
	civic-classify -r "$RULES" "${TEMPLATES[@]/#/-a}" raw.csv > coded.csv
	run python3 "$L.py" truth coded.csv truth.csv
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# every operator, on every item
	local -a CONDS=('trust_police>=4' 'trust_police<=2' 'trust_court=3' 'trust_court!=5'
		'agree_fair>3' 'agree_fair<2' 'satisfied_contact>=4' 'satisfied_contact<3'
		'satisfied_mid<=3' 'satisfied_mid>1' 'would_report=1' 'would_report!=1')
	Rscript "$L.R" coded.csv expected.csv "${CONDS[@]}"
	local means="" shares="" y c m
	for y in "${TEMPLATES[@]#*=}"; do means="$means,mean:$y,sum:$y,n:$y"; done
	for c in "${CONDS[@]}"; do shares="$shares,share:$c"; done
	local -a out=(mean=mean.csv mean-region=mean-region.csv)
	civic-tally "${TRUST[@]}" -s "${means#,}" --ci t --deff coded.csv > mean.csv
	civic-tally "${TRUST[@]}" -g region -s "${means#,}" --ci t --deff coded.csv > mean-region.csv
	for m in logit beta wald asin; do
		civic-tally "${TRUST[@]}" -s "${shares#,}" --ci $m --deff coded.csv > share-$m.csv
		civic-tally "${TRUST[@]}" -g region -s "${shares#,}" --ci $m --deff coded.csv > share-$m-region.csv
		out+=(share-$m=share-$m.csv share-$m-region=share-$m-region.csv)
	done
	run python3 "$L.py" compare expected.csv "${out[@]}"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	assert_line "1056/1056 figures agree with R"
	# the holes are there: PSU s2/3 has no trust_court answer, stratum s4 no satisfied_mid
	run awk -F, '$2 == "s2" && $3 == 3 && $7 ~ /^[0-9]$/' coded.csv
	assert_output ""
	run awk -F, '$2 == "s4" && $10 ~ /^[0-9]$/' coded.csv
	assert_output ""
	# and the comparison can fail: one figure off by 1e-9 relative
	awk -F, 'NR == 2 { $4 = "\"3.2917941248\"" } 1' OFS=, expected.csv > wrong.csv
	run diff expected.csv wrong.csv
	assert_line '< "mean","-","mean_trust_police","3.2917941215587181","rel"'
	run python3 "$L.py" compare wrong.csv "${out[@]}"
	assert_failure 1
	assert_line "1055/1056 figures agree with R"
}

@test "tally: the --other row of a survey is R's svytotal, svymean and shares on the union domain" {
	need_tally
	local data="$DATA/trust_survey_numeric.csv"
	civic-tally "${TRUST[@]}" -g region -s 'count,share,mean:trust_police,share:trust_police>=4' --ci t \
		--sort -count --top 2 --other Other "$data" > top.csv
	# Capital and South are the two largest; the other four regions are one domain
	run cut -d, -f1 top.csv
	assert_output "$(printf 'region\nCapital\nSouth\nOther')"
	r_figures r-top.csv "d <- read.csv('$data')
		des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d, nest = TRUE)
		row <- function(regions, label) {
			des <- update(des, ind = as.numeric(region %in% regions), good = as.numeric(trust_police >= 4))
			tot <- svytotal(~ind, des); sh <- svymean(~ind, des)
			ct <- confint(tot, df = degf(des)); cs <- confint(sh, df = degf(des))
			dom <- subset(des, ind == 1 & !is.na(trust_police))
			g <- svymean(~good, dom)
			data.frame(region = label, count = coef(tot), count_se = unname(SE(tot)),
				count_low = ct[1], count_high = ct[2], share = coef(sh), share_se = unname(SE(sh)),
				share_low = cs[1], share_high = cs[2], t(figures(dom, 'trust_police')),
				'share_trust_police>=4' = coef(g), 'share_trust_police>=4_se' = unname(SE(g)),
				check.names = FALSE)
		}
		emit(rbind(row('Capital', 'Capital'), row('South', 'South'),
			row(c('Central', 'East', 'North', 'West'), 'Other')))"
	same_as_r top.csv r-top.csv
	assert_output "45/45 figures agree with R"
}
