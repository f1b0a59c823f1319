#!/usr/bin/env bats
# Calibrated weights (civic-tally --poststrata/--totals, --rake,
# --write-weights) against R's survey 4.1.1: tests/fixtures/survey/calib.R
# makes a fresh sample (seed CIVIC_ORACLE_SEED, else one from the clock,
# printed on failure) and R's figures for it once per run; every figure
# must agree to 1e-10 relative (tests/survey-live-check.py).

load helper

setup_file() {
	R_OUT="$BATS_FILE_TMPDIR/oracle"
	mkdir -p "$R_OUT"
	echo "${CIVIC_ORACLE_SEED:-$(($(date +%s) % 1000000))}" > "$R_OUT/seed"
	oracle_once --into "$R_OUT" Rscript --vanilla "$BATS_TEST_DIRNAME/fixtures/survey/calib.R" "$R_OUT" \
		"$(cat "$R_OUT/seed")" > "$BATS_FILE_TMPDIR/oracle.log" 2>&1
}

setup() {
	setup_scratch
	O="$BATS_FILE_TMPDIR/oracle"
	SEED=$(cat "$O/seed")
	DES=(-w w --strata stratum --psu psu)
	PS=(--poststrata region --totals "$O/totals.csv")
	RK=(--rake "$O/m_region.csv" --rake "$O/m_age.csv" --rake "$O/m_sex.csv")
}

same_as_r() {
	run python3 "$CIVIC_ROOT/tests/survey-live-check.py" "$1" "$2"
	[ "$status" -eq 0 ] || { echo "seed $SEED: $output"; false; }
}

# every figure of one calibration: $1 its tag in the oracle, $2 the data,
# then civic-tally's options
# (under valgrind, the grouped means, sums and shares only: the overall
# figures and those by region are the same estimators over other domains)
check_design() {
	local t=$1 data=$2
	shift 2
	if [ "${VALGRIND:-}" != 1 ]; then
		civic-tally "$@" -s mean:y,sum:y --ci t "$data" > overall.csv
		same_as_r overall.csv "$O/${t}_overall.csv"
		civic-tally "$@" -g region -s mean:y --ci t "$data" > by-region.csv
		same_as_r by-region.csv "$O/${t}_by_region.csv"
	fi
	civic-tally "$@" -g answer -s mean:y,sum:y --ci t "$data" > by-answer.csv
	same_as_r by-answer.csv "$O/${t}_by_answer.csv"
	civic-tally "$@" -g answer -s count,share --ci t "$data" > shares.csv
	same_as_r shares.csv "$O/${t}_shares.csv"
	civic-tally "$@" -g region,answer --within region -s share --ci t "$data" > within.csv
	same_as_r within.csv "$O/${t}_within.csv"
	civic-tally "$@" -s median:y "$data" > median.csv
	same_as_r median.csv "$O/${t}_median.csv"
	civic-tally "$@" --write-weights "$data" > weights.csv
	same_as_r weights.csv "$O/${t}_weights.csv"
}

@test "calib: R made the oracle" {
	run cat "$BATS_FILE_TMPDIR/oracle.log"
	assert_output ""
	[ -s "$O/rk_weights.csv" ]
}

@test "calib: post-stratified estimates and SEs are R's postStratify design's" {
	check_design ps "$O/data.csv" "${DES[@]}" "${PS[@]}"
}

@test "calib: raked estimates and SEs are R's rake design's" {
	check_design rk "$O/data.csv" "${DES[@]}" "${RK[@]}"
}

@test "calib: raked, with the records of PSUs interleaved, still R's rake design's" {
	# a PSU that comes back after another takes the first pass's indexed path
	{ head -1 "$O/data.csv"; tail -n +2 "$O/data.csv" | shuf --random-source=<(yes); } > shuffled.csv
	civic-tally "${DES[@]}" "${RK[@]}" -g answer -s mean:y,sum:y --ci t shuffled.csv > by-answer.csv
	same_as_r by-answer.csv "$O/rk_by_answer.csv"
	civic-tally "${DES[@]}" "${RK[@]}" -g region,answer --within region -s share --ci t shuffled.csv > within.csv
	same_as_r within.csv "$O/rk_within.csv"
}

@test "calib: weights of 13 places (the first pass's pair sums turn exact-wide) still R's rake design's" {
	# R's weights have 3 places and the (PSU, cell) sums are int64 counts of
	# 1e-9; 1e-13 more on every other weight (1e-13 relative at most, below
	# the 1e-10 compared) turns them into xsums partway through the pass
	/usr/bin/python3 - "$O/data.csv" > wide.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
w = rows[0].index("w")
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(rows[0])
for i, r in enumerate(rows[1:]):
    if i % 2:
        r[w] = ("%.3f" % float(r[w])) + "0000000001"
    out.writerow(r)
PY
	grep -q '0000000001,' wide.csv
	civic-tally "${DES[@]}" "${RK[@]}" -g answer -s mean:y,sum:y --ci t wide.csv > by-answer.csv
	same_as_r by-answer.csv "$O/rk_by_answer.csv"
	civic-tally "${DES[@]}" "${RK[@]}" -g region,answer --within region -s share --ci t wide.csv > within.csv
	same_as_r within.csv "$O/rk_within.csv"
}

@test "calib: with --fpc, as R's calibrated designs with fpc" {
	check_design rf "$O/data.csv" "${DES[@]}" --fpc fpc "${RK[@]}"
	check_design pf "$O/data.csv" "${DES[@]}" --fpc fpc "${PS[@]}"
}

@test "calib: a stratum with one PSU under --lonely-psu remove and certainty, as R" {
	run civic-tally "${DES[@]}" "${RK[@]}" -s mean:y --ci t "$O/lonely.csv"
	assert_failure 1
	assert_output --partial "stratum 'S1' has only one PSU"
	check_design rl "$O/lonely.csv" "${DES[@]}" --lonely-psu remove "${RK[@]}"
	check_design pc "$O/lonely.csv" "${DES[@]}" --lonely-psu certainty "${PS[@]}"
}

# every case of TAG_cases.tsv: $1 the tag, then the calibration's options
check_cases() {
	local t=$1 name opts n=0
	shift
	while IFS=$'\t' read -r name opts; do
		read -ra args <<< "$opts"
		civic-tally "${DES[@]}" "$@" "${args[@]}" "$O/data.csv" > "$t-$name.csv"
		same_as_r "$t-$name.csv" "$O/${t}_$name.csv"
		n=$((n + 1))
	done < "$O/${t}_cases.tsv"
	[ "$n" -eq 11 ]
}

@test "calib: differences, Rao-Scott tests, quantile intervals, --other and ratios of a post-stratified design are R's" {
	check_cases ps "${PS[@]}"
}

@test "calib: … of a raked design are R's" {
	check_cases rk "${RK[@]}"
}

@test "calib: … of a raked design with --fpc are R's" {
	[ "${VALGRIND:-}" != 1 ] || skip "under valgrind: the raked cases above, and --fpc in check_design"
	check_cases rf --fpc fpc "${RK[@]}"
}

@test "calib: a difference's SE is the calibrated design's, not the calibrated weights taken as plain weights" {
	civic-tally "${DES[@]}" "${RK[@]}" --write-weights "$O/data.csv" > cal.csv
	civic-tally -w calibrated_weight --strata stratum --psu psu -g town -s mean:y,sum:y,count --contrast town \
		cal.csv > plain.csv
	run python3 "$CIVIC_ROOT/tests/survey-live-check.py" plain.csv "$O/rk_contrast-town.csv"
	assert_failure
	assert_output --partial "diff_sum_y_se: civic"
	refute_output --partial "diff_sum_y: civic"
}

@test "calib: the SEs are the calibrated design's, not the calibrated weights taken as plain weights" {
	civic-tally -w w --strata stratum --psu psu "${RK[@]}" --write-weights "$O/data.csv" > cal.csv
	civic-tally -w calibrated_weight --strata stratum --psu psu -s mean:y --ci t cal.csv > plain.csv
	run python3 "$CIVIC_ROOT/tests/survey-live-check.py" plain.csv "$O/rk_overall.csv"
	assert_failure
	assert_output --partial "mean_y_se: civic"
	# the estimate itself is the same
	refute_output --partial "mean_y: civic"
}

@test "calib: raking takes as many sweeps as R's rake, and fails clearly without enough" {
	local sweeps
	sweeps=$(cat "$O/rk_sweeps.txt")
	[ "$sweeps" -gt 10 ]
	civic-tally "${DES[@]}" "${RK[@]}" --rake-maxit "$sweeps" -s mean:y "$O/data.csv" > ok.csv
	run civic-tally "${DES[@]}" "${RK[@]}" --rake-maxit $((sweeps - 1)) -s mean:y "$O/data.csv"
	assert_failure 1
	assert_output --partial "raking did not converge in $((sweeps - 1)) sweeps"
	# a looser tolerance converges sooner
	civic-tally "${DES[@]}" "${RK[@]}" --rake-tolerance 0.001 --rake-maxit 10 -s mean:y "$O/data.csv" > loose.csv
}

@test "calib: standard input is read twice through a temporary copy" {
	civic-tally "${DES[@]}" "${RK[@]}" -g answer -s mean:y,share --ci t "$O/data.csv" > file.csv
	civic-tally "${DES[@]}" "${RK[@]}" -g answer -s mean:y,share --ci t < "$O/data.csv" > stdin.csv
	cmp file.csv stdin.csv
	TMPDIR="$SCRATCH/tmp" && mkdir "$TMPDIR" && export TMPDIR
	civic-tally "${DES[@]}" "${RK[@]}" --write-weights - < "$O/data.csv" > w.csv
	same_as_r w.csv "$O/rk_weights.csv"
	run ls -A "$TMPDIR"
	assert_output ""
	# messages and rejects name standard input, not the copy
	grep -v '^east' "$O/totals.csv" > totals.csv
	run civic-tally "${DES[@]}" --poststrata region --totals totals.csv -s mean:y < "$O/data.csv"
	assert_failure 1
	assert_output --regexp "^civic-tally: \(standard input\):[0-9]+: 'east' \(region\)"
	awk -F, 'NR == 3 { $7 = "high" } 1' OFS=, "$O/data.csv" |
		civic-tally "${DES[@]}" "${PS[@]}" -s mean:y --max-rejects 1 --rejects rj.ndjson > /dev/null
	run jq -r '.file + ":" + (.line | tostring)' rj.ndjson
	assert_output "(standard input):3"
	run civic-tally "${DES[@]}" "${PS[@]}" -s mean:nothing < "$O/data.csv"
	assert_failure
	assert_output --partial "(standard input)"
	refute_output --partial "$TMPDIR"
	run ls -A "$TMPDIR"
	assert_output ""
}

@test "calib: the copy of standard input goes on a signal too" {
	TMPDIR="$SCRATCH/tmp" && mkdir "$TMPDIR" && export TMPDIR
	{ cat "$O/data.csv"; sleep 5; } | civic-tally "${DES[@]}" "${PS[@]}" -s mean:y > out.csv &
	local pid=$!
	# Wait for the copy (valgrind's start-up on a loaded machine is slow).
	for _ in $(seq 50); do
		[ -n "$(ls -A "$TMPDIR")" ] && break
		sleep 0.1
	done
	run ls -A "$TMPDIR"
	assert_output --regexp '^civic-tally-'
	kill -TERM "$pid"
	run wait "$pid"
	assert_failure
	run ls -A "$TMPDIR"
	assert_output ""
}

@test "calib: NDJSON input gives the weights back as NDJSON" {
	python3 -c 'import csv, json, sys
for r in csv.DictReader(sys.stdin): print(json.dumps(r))' < "$O/data.csv" > d.ndjson
	civic-tally "${DES[@]}" "${PS[@]}" --write-weights d.ndjson > w.ndjson
	run head -1 w.ndjson
	assert_output --regexp '^\{"stratum":"S1",.*"calibrated_weight":[0-9.e+-]+\}$'
	python3 -c 'import csv, json, sys
w = csv.writer(sys.stdout)
w.writerow(["id", "calibrated_weight"])
for line in sys.stdin:
    r = json.loads(line)
    w.writerow([r["id"], repr(r["calibrated_weight"])])' < w.ndjson > w.csv
	same_as_r w.csv "$O/ps_weights.csv"
}

@test "calib: a category empty in the sample, or missing from the margin, is an error" {
	cp "$O/m_age.csv" age.csv
	echo "99+,100" >> age.csv
	run civic-tally "${DES[@]}" --rake "$O/m_region.csv" --rake age.csv -s mean:y "$O/data.csv"
	assert_failure 1
	assert_output --partial "age.csv: category '99+' (age) has no record in the sample"
	grep -v '^east' "$O/totals.csv" > totals.csv
	run civic-tally "${DES[@]}" --poststrata region --totals totals.csv -s mean:y "$O/data.csv"
	assert_failure 1
	assert_output --regexp "data.csv:[0-9]+: 'east' \\(region\\) is in the data but not in the margin totals.csv"
	sed 's/^east,.*/east,0/' "$O/totals.csv" > zero.csv
	run civic-tally "${DES[@]}" --poststrata region --totals zero.csv -s mean:y "$O/data.csv"
	assert_failure 1
	assert_output --partial "category 'east' (region) has records but a population of 0"
	printf 'region,N\nnorth,1\nnorth,2\n' > twice.csv
	run civic-tally "${DES[@]}" --poststrata region --totals twice.csv -s mean:y "$O/data.csv"
	assert_failure 1
	assert_output --partial "twice.csv:3: category 'north' is given twice"
	printf 'region,N\nnorth,many\n' > nan.csv
	run civic-tally "${DES[@]}" --poststrata region --totals nan.csv -s mean:y "$O/data.csv"
	assert_failure 1
	assert_output --partial "nan.csv:2: the count 'many' is not a number"
	printf 'age,N\n18-34,1\n' > age.csv
	run civic-tally "${DES[@]}" --poststrata region --totals age.csv -s mean:y "$O/data.csv"
	assert_failure 1
	assert_output --partial "the columns before the count must be region"
}

@test "calib: a record without a usable weight or design fails the run" {
	awk -F, 'NR == 5 { $3 = "0" } 1' OFS=, "$O/data.csv" > zero.csv
	run civic-tally "${DES[@]}" "${PS[@]}" -s mean:y zero.csv
	assert_failure 1
	assert_output --partial "zero.csv:5: weight '0': calibration needs weights above 0"
	awk -F, 'NR == 5 { $3 = "" } 1' OFS=, "$O/data.csv" > none.csv
	run civic-tally "${DES[@]}" "${PS[@]}" -s mean:y none.csv
	assert_failure 1
	assert_output --partial "none.csv:5: weight '' is not a number"
	awk -F, 'NR == 5 { $2 = "" } 1' OFS=, "$O/data.csv" > nopsu.csv
	run civic-tally "${DES[@]}" "${PS[@]}" -s mean:y nopsu.csv
	assert_failure 1
	assert_output --partial "nopsu.csv:5:"
}

@test "calib: options that do not go with calibration are usage errors" {
	run civic-tally -w w --strata stratum "${PS[@]}" "$O/data.csv"
	assert_failure 2
	assert_output --partial "calibration needs -w and --psu"
	run civic-tally "${DES[@]}" --poststrata region "$O/data.csv"
	assert_failure 2
	assert_output --partial "--poststrata and --totals go together"
	run civic-tally "${DES[@]}" "${PS[@]}" "${RK[@]}" "$O/data.csv"
	assert_failure 2
	run civic-tally "${DES[@]}" "${PS[@]}" --partial "$O/data.csv"
	assert_failure 2
	run civic-tally "${DES[@]}" "${PS[@]}" --deff -s mean:y "$O/data.csv"
	assert_failure 2
	run civic-tally "${DES[@]}" "${PS[@]}" --lonely-psu adjust -s mean:y "$O/data.csv"
	assert_failure 2
	run civic-tally "${DES[@]}" --write-weights "$O/data.csv"
	assert_failure 2
	run civic-tally "${DES[@]}" "${PS[@]}" -g region -s mean:y --contrast region --partial "$O/data.csv"
	assert_failure 2
	assert_output --partial "its factors need the whole sample"
	run civic-tally "${DES[@]}" "${RK[@]}" --rake-tolerance 0 "$O/data.csv"
	assert_failure 2
}
