#!/usr/bin/env bats
# civic-tally --contrast against R's survey 4.1.1 run live on fresh data:
# tests/fixtures/survey/contrast/oracle.R draws a new unbalanced stratified
# cluster sample (seed CIVIC_ORACLE_SEED, else one from the clock, printed
# on failure) and computes svycontrast() on svyby(..., covmat = TRUE) for
# every case it lists; every figure must agree at 1e-10 relative.
#
# Under valgrind every test runs; the civic-tally runs that only make the
# tables civic-report is tested on run bare (reference), as the same
# designs and --test run under valgrind in the tests above them.

load helper

setup() {
	setup_scratch
	ORACLE="$FIXTURES/survey/contrast/oracle.R"
	CHECK="$CIVIC_ROOT/tests/survey-live-check.py"
	SEED="${CIVIC_ORACLE_SEED:-$(($(date +%s) % 1000000))}"
}

# Draws the sample and R's figures into the scratch directory.
oracle() {
	oracle_once --into . Rscript --vanilla "$ORACLE" "$SEED" . 2> "$BATS_FILE_TMPDIR/oracle.err" ||
		{ cat "$BATS_FILE_TMPDIR/oracle.err"; false; }
}

# civic-tally on case NAME of cases.tsv (extra options after it), to NAME.out.
tally_case() {
	local name=$1 input opts
	shift
	IFS=$'\t' read -r _ input opts < <(grep "^$name	" cases.tsv)
	read -ra args <<< "$opts"
	civic-tally "${args[@]}" "$@" "$input" > "$name.out"
}

same_as_r() {
	run python3 "$CHECK" "$1" "$2"
	[ "$status" -eq 0 ] || { echo "seed $SEED: $output"; false; }
}

@test "contrast and test: every difference, SE, interval, p-value and test of every design agrees with R" {
	oracle
	local n=0 name
	while IFS=$'\t' read -r name _ _; do
		tally_case "$name"
		same_as_r "$name.out" "$name.csv"
		n=$((n + 1))
	done < cases.tsv
	[ "$n" -eq 26 ]
}

@test "contrast: with --ci the differences come beside the estimates' own intervals" {
	oracle
	tally_case clus-region --ci t
	same_as_r clus-region.out clus-region.csv
	run head -1 clus-region.out
	assert_output --partial 'mean_y,mean_y_se,mean_y_low,mean_y_high,diff_mean_y,diff_mean_y_se,diff_mean_y_low,diff_mean_y_high,diff_mean_y_p,'
}

@test "contrast: merged partials give the figures of one run" {
	oracle
	tally_case clus-sex-by-region
	local opts
	IFS=$'\t' read -r _ _ opts < <(grep '^clus-sex-by-region	' cases.tsv)
	read -ra args <<< "$opts"
	head -1 design.csv > a.csv
	cp a.csv b.csv
	local n
	n=$(($(wc -l < design.csv) / 2))
	sed -n "2,${n}p" design.csv >> a.csv
	sed -n "$((n + 1)),\$p" design.csv >> b.csv
	civic-tally "${args[@]}" --partial a.csv > a.ndjson
	civic-tally "${args[@]}" --partial b.csv > b.ndjson
	civic-tally --merge a.ndjson b.ndjson > merged.csv
	same_as_r merged.csv clus-sex-by-region.csv
	diff clus-sex-by-region.out merged.csv
	civic-tally --merge --contrast sex=m a.ndjson b.ndjson > ref-m.csv
	run awk -F, 'NR > 1 && ($2 == "m") != ($4 == "") { print "wrong: " $0 }' ref-m.csv
	assert_output ''
	run grep -c '^[A-D],f,' ref-m.csv
	assert_output 4
}

@test "test: merged partials give R's Rao-Scott test of the whole sample" {
	oracle
	local opts
	IFS=$'\t' read -r _ _ opts < <(grep '^test-clus-region-trust	' cases.tsv)
	read -ra args <<< "$opts"
	head -1 design.csv > a.csv
	cp a.csv b.csv
	local n
	n=$(($(wc -l < design.csv) / 3))
	sed -n "2,${n}p" design.csv >> a.csv
	sed -n "$((n + 1)),\$p" design.csv >> b.csv
	civic-tally "${args[@]}" --partial a.csv > a.ndjson
	civic-tally "${args[@]}" --partial b.csv > b.ndjson
	civic-tally --merge a.ndjson b.ndjson > merged.csv
	same_as_r merged.csv test-clus-region-trust.csv
}

@test "contrast: a partial without survey sums cannot be compared" {
	printf 'g,y\na,1\nb,2\na,3\n' > x.csv
	civic-tally -g g -s mean:y --partial x.csv > x.ndjson
	run civic-tally --merge --contrast g x.ndjson
	assert_failure 1
	assert_output --partial 'no survey sums for --contrast'
}

@test "contrast: the reference row and a group without one have no difference" {
	printf 'region,sex,y\nA,f,1\nA,m,2\nA,f,4\nA,m,7\nB,f,3\nB,f,5\n' > x.csv
	run civic-tally -g region,sex -s mean:y --contrast sex=m x.csv
	assert_success
	assert_line 'region,sex,mean_y,diff_mean_y,diff_mean_y_se,diff_mean_y_low,diff_mean_y_high,diff_mean_y_p'
	# R: svycontrast(svyby(~y, ~region+sex, svydesign(ids = ~1, data = x),
	# svymean, covmat = TRUE), c(A.f = 1, A.m = -1)), df = degf = 5
	assert_line 'A,f,2.5,-2,2.258317958127243,-7.80519112225318,3.80519112225318,0.4163785541606855'
	assert_line 'A,m,4.5,,,,,'
	assert_line 'B,f,4,,,,,'
}

@test "contrast: a Total row of the compared key has no difference" {
	printf 'region,y\nA,1\nA,2\nB,4\nB,7\n' > x.csv
	run civic-tally -g region -s mean:y --total --contrast region x.csv
	assert_success
	assert_line --index 3 'Total,3.5,,,,,'
}

@test "contrast: usage errors" {
	printf 'region,sex,y\nA,f,1\nB,m,2\n' > x.csv
	run civic-tally -g region -s mean:y --contrast sex x.csv
	assert_failure 2
	assert_output --partial "--contrast 'sex' is not a key of -g"
	run civic-tally -g region,sex --pivot sex -s mean:y --contrast sex x.csv
	assert_failure 2
	assert_output --partial "not of the --pivot key"
	run civic-tally -g region,sex -s share --contrast region x.csv
	assert_failure 2
	assert_output --partial "needs --within region"
	run civic-tally -g region -s mean:y --contrast region=Z x.csv
	assert_failure 1
	assert_output --partial "--contrast region=Z: no group has that value"
}

@test "test: Pearson's X2 of a plain sample is chisq.test(correct = FALSE)'s" {
	printf 'a,b\nx,u\nx,u\nx,v\ny,v\ny,v\ny,u\ny,v\n' > x.csv
	civic-tally -g a --pivot b --test rao-scott x.csv > out.csv
	run head -1 out.csv
	assert_output 'a,u,v,pearson_X2,pearson_df,pearson_p'
	# R: chisq.test(matrix(c(2, 1, 1, 3), 2), correct = FALSE)
	printf 'a,u,v,pearson_X2,pearson_df,pearson_p\n%s\n%s\n' \
		x,2,1,1.2152777777777777,1,0.27028938480169873 y,1,3,1.2152777777777777,1,0.27028938480169873 > r.csv
	same_as_r out.csv r.csv
}

@test "test: usage errors" {
	printf 'a,b,c\nx,u,1\n' > x.csv
	run civic-tally -g a,b --test fisher x.csv
	assert_failure 2
	assert_output --partial "unknown --test 'fisher' (rao-scott, rao-scott-chisq)"
	run civic-tally -g a,b,c --test rao-scott x.csv
	assert_failure 2
	assert_output --partial "--test needs a cross-tab of two keys"
}

# ---- civic-report --compare on survey estimates (independent samples) ----

@test "report: survey changes are marked when significant at --compare-level, by both periods' SEs" {
	# Two independent samples, the second drawn from the next seed, where
	# everyone in region B trusts: that change must be marked.
	mkdir next
	oracle_once --into next Rscript --vanilla "$ORACLE" $((SEED + 1)) next 2> "$BATS_FILE_TMPDIR/oracle.err" ||
		{ cat "$BATS_FILE_TMPDIR/oracle.err"; false; }
	oracle
	cp design.csv w1.csv
	awk -F, -v OFS=, 'NR > 1 && $5 == "B" { $8 = 5 } { print }' next/design.csv > w2.csv
	local w
	for w in w1 w2; do
		reference civic-tally -w w --strata stratum --psu psu -g region -s 'share:trust>=4,mean:y' --ci t $w.csv > $w.tally.csv
	done
	civic-report -f csv --compare-level 0.9 --compare w1.tally.csv w2.tally.csv > report.csv
	# The rule recomputed from the tallies' unrounded figures: |a - b| beyond
	# qnorm(0.95) times sqrt(se_a^2 + se_b^2).
	run python3 - w1.tally.csv w2.tally.csv report.csv <<'PY'
import csv, math, statistics, sys
prev = {r["region"]: r for r in csv.DictReader(open(sys.argv[1]))}
cur = {r["region"]: r for r in csv.DictReader(open(sys.argv[2]))}
rep = {r["region"]: r for r in csv.DictReader(open(sys.argv[3]))}
z = statistics.NormalDist().inv_cdf(0.95)
s = "share_trust>=4"
for k, c in cur.items():
    a, b = float(c[s]), float(prev[k][s])
    se = math.hypot(float(c[s + "_se"]), float(prev[k][s + "_se"]))
    want = abs(a - b) > z * se
    got = ("beyond-noise:" + s + "_change") in rep[k]["flags"]
    print(k, "ok" if want == got else "WRONG: %s want %s" % (got, want))
PY
	assert_success
	refute_output --partial WRONG
	[ "${#lines[@]}" -ge 3 ]
	run civic-report --compare-level 0.9 --compare w1.tally.csv w2.tally.csv
	assert_line --regexp '^B .*▲'
	assert_line '▲▼  change significant at the 10% level (two-sided): beyond 1.64485 times the standard error of the difference, √(SE² + SE_prev²), the two periods being independent samples'
	refute_output --partial 'Poisson'
}

@test "report: --compare-level takes a probability" {
	run civic-report --compare-level 95 /dev/null
	assert_failure 2
	assert_output --partial "--compare-level takes a probability between 0 and 1: '95'"
}

@test "report: a --test result is a note under its table, not columns" {
	oracle
	tally_case test-clus-region-sex
	run civic-report test-clus-region-sex.out
	assert_success
	refute_output --partial 'rao_scott'
	refute_output --partial 'Rao scott'
	local F ndf ddf
	read -r F ndf ddf < <(python3 -c 'import csv,sys; r=next(csv.DictReader(open(sys.argv[1]))); print(*("%.3g" % float(r[k]) for k in ("rao_scott_F","rao_scott_ndf","rao_scott_ddf")))' test-clus-region-sex.out)
	assert_line --regexp "^Association of the keys: Rao–Scott adjusted F = $F on $ndf and $ddf degrees of freedom, p (= [0-9.e-]+|< 0.001) \(R's svychisq\)$"
	run civic-report -f csv test-clus-region-sex.out
	assert_line --index 0 'region,sex,count,n,flags'
	printf 'a,b\nx,u\nx,u\nx,v\ny,v\ny,v\ny,u\ny,v\n' > x.csv
	reference civic-tally -g a --pivot b --test rao-scott x.csv > plain.csv
	run civic-report -f md -k 1 plain.csv
	assert_line "- Association of the keys: Pearson's X² = 1.215 with 1 degree of freedom, p = 0.27"
}
