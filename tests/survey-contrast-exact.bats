#!/usr/bin/env bats
# The SE of a difference (--contrast) is formed in exact rational
# arithmetic, as every other SE of civic-tally: its digits do not depend on
# the order of the records, on merged partials or on the second thread.
# The sample is contrast/oracle.R's case clus-region-by-sex, whose figures
# are R's (tests/survey-contrast.bats checks every case).

load helper

setup() {
	setup_scratch
	SEED="${CIVIC_ORACLE_SEED:-$(($(date +%s) % 1000000))}"
	oracle_once --into . Rscript --vanilla "$FIXTURES/survey/contrast/oracle.R" "$SEED" . 2> "$BATS_FILE_TMPDIR/oracle.err" ||
		{ cat "$BATS_FILE_TMPDIR/oracle.err"; false; }
	S=(-w w --strata stratum --psu psu -g sex,region -s 'mean:y,share:trust>=4,sum:y,count' --contrast region=B)
}

@test "contrast: shuffled records and merged partials give the same bytes" {
	civic-tally "${S[@]}" design.csv > one.csv
	{ head -1 design.csv; tail -n +2 design.csv | shuf --random-source=<(yes); } > shuffled.csv
	civic-tally "${S[@]}" shuffled.csv > shuffled.out
	cmp one.csv shuffled.out || { echo "seed $SEED"; diff one.csv shuffled.out; false; }
	head -1 shuffled.csv | tee a.csv b.csv > c.csv
	tail -n +2 shuffled.csv | awk 'NR % 3 == 0' >> a.csv
	tail -n +2 shuffled.csv | awk 'NR % 3 == 1' >> b.csv
	tail -n +2 shuffled.csv | awk 'NR % 3 == 2' >> c.csv
	for p in c a b; do civic-tally "${S[@]}" --partial $p.csv > $p.ndjson; done
	civic-tally --merge c.ndjson a.ndjson b.ndjson > merged.csv
	cmp one.csv merged.csv || { echo "seed $SEED"; diff one.csv merged.csv; false; }
	# the figures are still R's
	run python3 "$CIVIC_ROOT/tests/survey-live-check.py" one.csv clus-region-by-sex.csv
	[ "$status" -eq 0 ] || { echo "seed $SEED: $output"; false; }
}

@test "contrast: a file tallied on two threads gives one thread's bytes" {
	[ "${VALGRIND:-}" != 1 ] || skip "17 MB take minutes under valgrind"
	# copies of the sample past 16 MB, each copy's PSUs its own
	local copies=$((17000000 / $(stat -c %s design.csv) + 1))
	{ head -1 design.csv
	  tail -n +2 design.csv | awk -F, -v OFS=, -v n="$copies" '{ r[NR] = $0 } END {
		for (k = 1; k <= n; k++) for (i = 1; i <= NR; i++) { $0 = r[i]; $2 = $2 "-" k; print } }'
	} > big.csv
	[ "$(stat -c %s big.csv)" -gt 16777216 ]
	CIVIC_THREADS=1 civic-tally "${S[@]}" big.csv > one.csv
	CIVIC_THREADS=2 CIVIC_THREADS_REPORT=1 civic-tally "${S[@]}" big.csv > two.csv 2> report
	grep -q "tallied on a second thread and merged" report
	cmp one.csv two.csv
	{ head -1 big.csv; tail -n +2 big.csv | shuf --random-source=<(yes); } > shuffled.csv
	CIVIC_THREADS=1 civic-tally "${S[@]}" shuffled.csv > shuffled.out
	cmp one.csv shuffled.out
}
