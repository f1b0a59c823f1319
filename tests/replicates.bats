#!/usr/bin/env bats
# civic-tally --repweights against R's svrepdesign: the data, the replicate
# weights and R's figures are made afresh by tests/fixtures/survey/replicates.R
# (JK1 with 80 replicates, with --mse and as factors of -w, JKn with strata,
# bootstrap, successive differences, BRR, Fay with rho 0.5), and every figure
# must agree at 1e-10 relative (tests/survey-live-check.py): estimates,
# ratios, differences, Rao-Scott tests and the --other row.

load helper

setup_file() {
	export REP="$BATS_FILE_TMPDIR/rep"
	mkdir "$REP"
	oracle_once --into "$REP" Rscript --vanilla "$BATS_TEST_DIRNAME/fixtures/survey/replicates.R" "$REP" > /dev/null 2>&1
}

setup() {
	setup_scratch
	STATS=(-g region --total -s count,share,mean:score,sum:score,mean:trust,median:score --ci t)
}

# same_as_r CASE: civic-tally on CASE.csv with CASE.args gives R's figures.
same_as_r() {
	local -a opts
	mapfile -t opts < "$REP/$1.args"
	civic-tally "${opts[@]}" "${STATS[@]}" "$REP/$1.csv" > "$1.out"
	run python3 "$CIVIC_ROOT/tests/survey-live-check.py" "$1.out" "$REP/$1.expected.csv"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	assert_output --partial "/125 figures agree with R"
	refute_output --partial "civic has no column"
}

# in_parts CSV ARGS...: CSV cut into three parts by rows, each with the
# header (part.aa.csv, part.ab.csv, part.ac.csv), each tallied with ARGS
# into a partial (part.aa.ndjson ...).
in_parts() {
	local csv=$1 p
	shift
	head -1 "$csv" > head.csv
	tail -n +2 "$csv" > body.csv
	split -n l/3 body.csv part.
	for p in part.aa part.ab part.ac; do
		cat head.csv "$p" > "$p.csv"
		civic-tally "$@" --partial "$p.csv" > "$p.ndjson"
	done
}

# unmerged NAME JQ MESSAGE: a.ndjson changed by the jq filter JQ, as
# NAME.ndjson, is refused by --merge with exit 1, saying MESSAGE.
unmerged() {
	jq -c "$2" a.ndjson > "$1.ndjson"
	run civic-tally --merge "$1.ndjson"
	assert_failure 1
	assert_output --partial "$3"
}

@test "replicates: JK1, 80 replicates, as R's svrepdesign(type = 'JK1')" {
	[ "$(head -1 "$REP/jk1.csv" | tr ',' '\n' | grep -c '^"rw_')" -eq 80 ]
	same_as_r jk1
}

@test "replicates: JK1 with --mse, as svrepdesign(mse = TRUE)" {
	same_as_r jk1_mse
}

@test "replicates: factors of -w (--rep-factors), as combined.weights = FALSE with R's guessed scale" {
	same_as_r jk1_factors
}

@test "replicates: JKn with strata and --rscales" {
	same_as_r jkn
}

@test "replicates: bootstrap" {
	same_as_r bootstrap
}

@test "replicates: successive differences" {
	same_as_r sdr
}

@test "replicates: BRR" {
	same_as_r brr
}

@test "replicates: Fay with rho 0.5" {
	same_as_r fay
}

@test "replicates: share intervals wald, beta and asin as svyciprop on the replicate design" {
	mapfile -t opts < "$REP/jk1.args"
	local ci method
	for ci in wald:mean beta:beta asin:asin; do
		method=${ci#*:}
		civic-tally "${opts[@]}" -g region -s 'share:trust>=1' --ci "${ci%:*}" "$REP/jk1.csv" > "$method.out"
		run python3 "$CIVIC_ROOT/tests/survey-live-check.py" "$method.out" "$REP/jk1.$method.expected.csv"
		[ "$status" -eq 0 ] || { echo "$ci: $output"; false; }
		assert_output "16/16 figures agree with R"
	done
}

@test "replicates: a change in one replicate weight changes the SE" {
	mapfile -t opts < "$REP/jk1.args"
	awk -F, -v OFS=, 'NR == 2 { $NF = $NF * 3 } 1' "$REP/jk1.csv" > changed.csv
	civic-tally "${opts[@]}" "${STATS[@]}" changed.csv > changed.out
	run python3 "$CIVIC_ROOT/tests/survey-live-check.py" changed.out "$REP/jk1.expected.csv"
	assert_failure
}

# ---- ratios, differences, tests of association, the rest as one group ----

# Under valgrind (some 30× slower) the loops over replicate types keep one,
# Fay (24 replicates, strata): the one-run tests above still take all eight.
if [ "${VALGRIND:-}" = 1 ]; then
	CASES=(fay)
	MERGE_CASES=(fay)
else
	CASES=(jk1 jk1_mse jk1_factors jkn bootstrap sdr brr fay)
	MERGE_CASES=(jk1 fay jkn)
fi

# more_as_r CASE WHAT COUNT OPTIONS...: civic-tally with CASE's design and
# OPTIONS gives every figure of R's CASE.WHAT.expected.csv (COUNT of them).
more_as_r() {
	local case=$1 what=$2 count=$3
	shift 3
	local -a opts
	mapfile -t opts < "$REP/$case.args"
	civic-tally "${opts[@]}" "$@" "$REP/$case.csv" > "$case.$what.out"
	run python3 "$CIVIC_ROOT/tests/survey-live-check.py" "$case.$what.out" "$REP/$case.$what.expected.csv"
	[ "$status" -eq 0 ] || { echo "$case $what: $output"; false; }
	[ "$output" = "$count/$count figures agree with R" ] || { echo "$case $what: $output"; false; }
}

@test "replicates: ratio:A/B as svyratio on the replicate design, every type" {
	local case
	for case in "${CASES[@]}"; do
		more_as_r "$case" ratio 25 -g region --total -s ratio:score/age --ci t
	done
}

@test "replicates: --contrast as svycontrast on svyby(covmat = TRUE) of the replicate design, every type" {
	local case
	for case in "${CASES[@]}"; do
		more_as_r "$case" contrast 84 -g region -s mean:score,sum:score,mean:trust,count --contrast region
		more_as_r "$case" contrast-by 176 -g sex,region -s mean:score,sum:score,mean:trust,count \
			--contrast region=north
		more_as_r "$case" share 56 -g region,sex --within region -s share --contrast region
	done
}

@test "replicates: a replicate where any group has no estimate is dropped from every difference, as svyby's" {
	# brr and bootstrap have replicates without a row of region d-small
	local case cases=(brr bootstrap)
	[ "${VALGRIND:-}" != 1 ] || cases=(brr)
	for case in "${cases[@]}"; do
		python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
reps = [c for c in rows[0] if c.startswith("rw_")]
empty = [c for c in reps if sum(float(r[c]) for r in rows if r["region"] == "d-small") == 0]
sys.exit(0 if empty else 1)' "$REP/$case.csv"
		more_as_r "$case" contrast-by 176 -g sex,region -s mean:score,sum:score,mean:trust,count \
			--contrast region=north
	done
}

@test "replicates: --test rao-scott and rao-scott-chisq as svychisq on the replicate design, every type" {
	local case
	for case in "${CASES[@]}"; do
		more_as_r "$case" F 48 -g region,sex -s count --test rao-scott
		more_as_r "$case" Chisq 40 -g region,sex -s count --test rao-scott-chisq
	done
}

@test "replicates: the --other row is R's estimate on the union domain, its replicates the union's" {
	local case
	for case in "${CASES[@]}"; do
		more_as_r "$case" other 75 -g region -s count,share,mean:score,sum:score,mean:trust,median:score \
			--ci t --sort -count --top 2 --other Rest
	done
	run cut -d, -f1 "${CASES[0]}.other.out"
	assert_line --index 3 Rest
}

@test "replicates: ratios, differences, tests and --other from merged partials give one run's digits" {
	local case
	for case in "${MERGE_CASES[@]}"; do
		mapfile -t opts < "$REP/$case.args"
		local -a runs=(
			"-g region --total -s ratio:score/age --ci t"
			"-g sex,region -s mean:score,sum:score,mean:trust,count --contrast region=north"
			"-g region,sex -s count --test rao-scott"
			"-g region -s count,share,mean:score --ci t --sort -count --top 2 --other Rest")
		local s
		for s in "${runs[@]}"; do
			read -ra args <<< "$s"
			in_parts "$REP/$case.csv" "${opts[@]}" "${args[@]}"
			civic-tally --merge part.aa.ndjson part.ab.ndjson part.ac.ndjson > merged.csv
			civic-tally "${opts[@]}" "${args[@]}" "$REP/$case.csv" > one.csv
			cmp merged.csv one.csv || { echo "$case: $s"; false; }
		done
	done
}

# ---- partials and the second thread --------------------------------------

@test "replicates: partials of three parts merge to R's figures and to one run's digits, medians too" {
	local case
	for case in "${MERGE_CASES[@]}"; do
		mapfile -t opts < "$REP/$case.args"
		in_parts "$REP/$case.csv" "${opts[@]}" "${STATS[@]}"
		civic-tally --merge part.aa.ndjson part.ab.ndjson part.ac.ndjson > merged.csv
		civic-tally "${opts[@]}" "${STATS[@]}" "$REP/$case.csv" > one.csv
		cmp merged.csv one.csv
		CIVIC_THREADS=2 civic-tally "${opts[@]}" "${STATS[@]}" "$REP/$case.csv" | cmp - one.csv
		run python3 "$CIVIC_ROOT/tests/survey-live-check.py" merged.csv "$REP/$case.expected.csv"
		[ "$status" -eq 0 ] || { echo "$case: $output"; false; }
		assert_output --partial "/125 figures agree with R"
	done
}

@test "replicates: quantiles and --other from partials merged in two steps give one run's digits" {
	mapfile -t opts < "$REP/jk1_factors.args"
	local s=(-g region -s count,p25:score,iqr:score,median:age --ci t --sort -count --top 2 --other Rest)
	in_parts "$REP/jk1_factors.csv" "${opts[@]}" "${s[@]}"
	civic-tally --merge --partial part.aa.ndjson part.ab.ndjson > ab.ndjson
	civic-tally --merge ab.ndjson part.ac.ndjson > merged.csv
	civic-tally "${opts[@]}" "${s[@]}" "$REP/jk1_factors.csv" > one.csv
	cmp merged.csv one.csv
}

@test "replicates: a held value whose replicate weights are damaged does not merge" {
	mapfile -t opts < "$REP/jk1.args"
	civic-tally "${opts[@]}" -g region -s median:score --ci t --partial "$REP/jk1.csv" > a.ndjson
	unmerged b 'if .src then .src[0].svals.values[0][2] |= .[1:] else . end' \
		"b.ndjson:2: malformed group in partial"
	unmerged c 'if .src then .src[0].svals.values[0][2][0] = -1 else . end' \
		"c.ndjson:2: malformed group in partial"
}

@test "replicates: partials of other replicate options do not merge" {
	mapfile -t opts < "$REP/jk1.args"
	civic-tally "${opts[@]}" -s share --ci t --partial "$REP/jk1.csv" > a.ndjson
	civic-tally "${opts[@]}" --mse -s share --ci t --partial "$REP/jk1.csv" > b.ndjson
	run civic-tally --merge a.ndjson b.ndjson
	assert_failure 1
	assert_output --partial "other"
}

@test "replicates: a partial whose group lost its replicate sums does not merge" {
	mapfile -t opts < "$REP/jk1.args"
	civic-tally "${opts[@]}" -g region -s share --ci t --partial "$REP/jk1.csv" > a.ndjson
	unmerged b 'del(.acc.replicates)' \
		"b.ndjson:2: malformed group in partial"
	unmerged c 'if .acc then .acc.replicates.sums |= .[1:] else . end' \
		"c.ndjson:2: malformed group in partial"
}

@test "replicates: a partial whose design lost its rank sketch does not merge" {
	mapfile -t opts < "$REP/jk1.args"
	civic-tally "${opts[@]}" -g region -s mean:score --contrast region --partial "$REP/jk1.csv" > a.ndjson
	unmerged b 'if .design then del(.design.replicates.sketch) else . end' \
		"malformed replicate weights in partial"
	unmerged c 'if .design then .design.replicates.sketch |= .[1:] else . end' \
		"malformed replicate weights in partial"
}

@test "replicates: a file tallied on two threads gives one thread's digits" {
	[ "${VALGRIND:-}" != 1 ] || skip "17 MB of replicate weights take minutes under valgrind"
	mapfile -t opts < "$REP/jk1.args"
	head -1 "$REP/jk1.csv" > big.csv
	for i in $(seq 30); do tail -n +2 "$REP/jk1.csv"; done >> big.csv
	[ "$(stat -c %s big.csv)" -gt 16777216 ]
	local s=(-g region -s count,share,mean:score --ci t)
	CIVIC_THREADS=1 civic-tally "${opts[@]}" "${s[@]}" big.csv > one.csv
	CIVIC_THREADS=2 CIVIC_THREADS_REPORT=1 civic-tally "${opts[@]}" "${s[@]}" big.csv > two.csv 2> report
	grep -q "tallied on a second thread and merged" report
	cmp one.csv two.csv
	# the whole design's degrees of freedom, and the test's, join too
	s=(-g region,sex -s count --test rao-scott)
	CIVIC_THREADS=1 civic-tally "${opts[@]}" "${s[@]}" big.csv > one.csv
	CIVIC_THREADS=2 civic-tally "${opts[@]}" "${s[@]}" big.csv > two.csv
	cmp one.csv two.csv
	s=(-g region -s mean:score --contrast region)
	CIVIC_THREADS=1 civic-tally "${opts[@]}" "${s[@]}" big.csv > one.csv
	CIVIC_THREADS=2 civic-tally "${opts[@]}" "${s[@]}" big.csv > two.csv
	cmp one.csv two.csv
}

# ---- errors ------------------------------------------------------------

@test "replicates: options that do not fit are usage errors" {
	local f="$REP/jk1.csv"
	run civic-tally -w w --repweights 'rw_*' "$f"
	assert_failure 2
	assert_output --partial "needs --rep-type"
	run civic-tally -w w --repweights 'rw_*' --rep-type Fay "$f"
	assert_failure 2
	assert_output --partial "--rep-type Fay needs --rho"
	run civic-tally -w w --repweights 'rw_*' --rep-type JK1 --rho 0.5 "$f"
	assert_failure 2
	assert_output --partial "--rho applies to --rep-type Fay only"
	run civic-tally -w w --repweights 'rw_*' --rep-type JKn "$f"
	assert_failure 2
	assert_output --partial "needs --rscales"
	run civic-tally -w w --repweights 'rw_*' --rep-type BRR --scale 2 "$f"
	assert_failure 2
	assert_output --partial "--scale does not apply"
	run civic-tally -w w --repweights 'rw_*' --rep-type jk1 "$f"
	assert_failure 2
	assert_output --partial "unknown --rep-type 'jk1'"
	run civic-tally --repweights 'rw_*' --rep-type JK1 "$f"
	assert_failure 2
	assert_output --partial "needs -w"
	run civic-tally -w w --strata stratum --repweights 'rw_*' --rep-type JK1 "$f"
	assert_failure 2
	assert_output --partial "--strata, --psu and --fpc do not apply"
	run civic-tally -w w --repweights 'rw_*' --rep-type JK1 --deff "$f"
	assert_failure 2
	assert_output --partial "--deff"
	run civic-tally -w w --rep-type JK1 "$f"
	assert_failure 2
	assert_output --partial "need --repweights"
}

@test "replicates: no matching column, or a wrong number of rscales, is a data error" {
	run civic-tally -w w --repweights 'zz_*' --rep-type JK1 -s share --ci t "$REP/jk1.csv"
	assert_failure 1
	assert_output --partial "no column matches 'zz_*'"
	run civic-tally -w w --repweights 'rw_*' --rep-type JKn --rscales 0.5,0.5 -s share --ci t "$REP/jk1.csv"
	assert_failure 1
	assert_output --partial "--rscales has 2 numbers for 80 replicate columns"
}

@test "replicates: a replicate weight that is not a number rejects its row" {
	printf 'g,w,rw_1,rw_2\na,1,1,2\nb,2,x,1\nb,2,1,-1\na,1,2,1\n' > bad.csv
	run civic-tally -w w --repweights 'rw_*' --rep-type bootstrap -g g -s share --ci t --max-rejects 2 bad.csv
	assert_success
	assert_output --partial "bad.csv:3: replicate weight 'x' is not a non-negative number"
	assert_output --partial "bad.csv:4: replicate weight '-1' is not a non-negative number"
}
