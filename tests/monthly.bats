#!/usr/bin/env bats
# scripts/civic-monthly: a generated year of exports reported month by
# month, compared with the month before, merged into a quarter; idempotent;
# loud when rejects exceed the tolerance.

load helper

setup_file() {
	RAW="$BATS_FILE_TMPDIR/raw"
	mkdir -p "$RAW"
	gen-registry -n 4000 --seed 11 --year 2024 --dirty --truth "$BATS_FILE_TMPDIR/truth.json" > "$RAW/export-2024.csv"
	export RAW
}

setup() {
	setup_scratch
}

# The register counts of a month (or quarter) as the truth file has them.
truth_registers() {
	python3 - "$BATS_FILE_TMPDIR/truth.json" "$@" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["register_by_month"]
total = {}
for month in sys.argv[2:]:
    for k, v in t[month].items():
        total[k] = total.get(k, 0) + v
for k in sorted(total):
    print(f"{k},{total[k]}")
PY
}

table_counts() {
	cut -d, -f1,2 "$1" | tail -n +2
}

@test "a month: tables, partials, reports, rejects and log, with counts that match the truth" {
	run --separate-stderr civic-monthly -m 2024-01 -r 1% -o out "$RAW"
	assert_success
	[[ "$stderr" == "civic-monthly: 2024-01: report in $SCRATCH/out/2024-01/" ]]
	for f in report.html report.md report.txt tables/registers.csv tables/categories.csv \
		tables/services.csv tables/channels.csv tables/daily.csv partials/registers.ndjson log rejects.ndjson; do
		[ -s "out/2024-01/$f" ] || fail "out/2024-01/$f missing or empty"
	done
	assert_equal "$(stat -c %a out/2024-01/rejects.ndjson)" 600
	assert_equal "$(table_counts out/2024-01/tables/registers.csv)" "$(truth_registers 2024-01)"
	run head -1 out/2024-01/report.txt
	assert_output 'Applications to internal affairs bodies, 2024-01'
	run ls -a out
	refute_output --partial 'tmp'
}

@test "the second month is compared with the first" {
	civic-monthly -m 2024-01 -o out "$RAW" 2> /dev/null
	run civic-monthly -m 2024-02 -o out "$RAW"
	assert_success
	assert_equal "$(table_counts out/2024-02/tables/registers.csv)" "$(truth_registers 2024-02)"
	run grep -c 'Count, previous' out/2024-02/report.txt
	assert_output 4
	run grep -F 'previous ../2024-01/tables/registers.csv' out/2024-02/report.txt
	assert_success
}

@test "running a month twice gives the same files" {
	civic-monthly -m 2024-02 -o out "$RAW" 2> /dev/null
	cp -R out/2024-02 first
	civic-monthly -m 2024-02 -o out "$RAW" 2> /dev/null
	run diff -r first out/2024-02
	assert_success
}

@test "a quarter merges the months' partials into the tables one run over the quarter gives" {
	for m in 2024-01 2024-02 2024-03; do
		civic-monthly -m "$m" -o out "$RAW" 2> /dev/null
	done
	run --separate-stderr civic-monthly -q 2024-Q1 -o out
	assert_success
	assert_equal "$(table_counts out/2024-Q1/tables/registers.csv)" "$(truth_registers 2024-01 2024-02 2024-03)"
	# Medians cannot be added up: the merged partials hold the values, so the
	# quarter's medians equal those of one run over the quarter's rows.
	civic-ingest -q -s registry.json --json --max-rejects 100% "$RAW/export-2024.csv" 2> /dev/null |
		grep -E ',"received_at":"2024-0[123]-' | civic-classify -r services.rules |
		civic-tally -g service -s 'count,median:days(received_at,resolved_at)' --csv > direct.csv
	assert_equal "$(tail -n +2 out/2024-Q1/tables/services.csv | cut -d, -f1-3)" "$(tail -n +2 direct.csv)"
	run head -1 out/2024-Q1/report.txt
	assert_output 'Applications to internal affairs bodies, 2024-Q1'
}

@test "a quarter whose months are not all reported fails and says which" {
	civic-monthly -m 2024-04 -o out "$RAW" 2> /dev/null
	run --separate-stderr civic-monthly -q 2024-Q2 -o out
	assert_failure 1
	[[ "$stderr" == *"2024-Q2: the month 2024-05 has not been reported yet (run civic-monthly -m 2024-05)"* ]]
	[ ! -d out/2024-Q2 ]
}

@test "rejects beyond the tolerance fail the run, say why, and keep the last good month" {
	civic-monthly -m 2024-03 -o out "$RAW" 2> /dev/null
	cp -R out/2024-03 good
	run --separate-stderr civic-monthly -m 2024-03 -r 0 -o out "$RAW"
	assert_failure 1
	bad=$(python3 -c "import json; print(json.load(open('$BATS_FILE_TMPDIR/truth.json'))['bad_rows'])")
	[[ "$stderr" == *"civic-monthly: 2024-03: $bad of 4000 rows rejected, beyond the tolerance of 0 (the rows are in rejects.ndjson) (see $SCRATCH/out/2024-03.failed/log)"* ]]
	assert_equal "$(wc -l < out/2024-03.failed/rejects.ndjson)" "$bad"
	run diff -r good out/2024-03
	assert_success
	# A later good run clears the failed attempt.
	civic-monthly -m 2024-03 -o out "$RAW" 2> /dev/null
	[ ! -d out/2024-03.failed ]
}

@test "usage errors exit 2" {
	run --separate-stderr civic-monthly -m 2024-13 "$RAW"
	assert_failure 2
	[[ "$stderr" == *"the month must read yyyy-mm: 2024-13"* ]]
	run --separate-stderr civic-monthly -q 2024-Q5
	assert_failure 2
	run --separate-stderr civic-monthly -r lots "$RAW"
	assert_failure 2
	run --separate-stderr civic-monthly
	assert_failure 2
	[[ "$stderr" == *"usage: civic-monthly"* ]]
	run --separate-stderr civic-monthly -m 2024-01 "$SCRATCH/nowhere"
	assert_failure 1
	[[ "$stderr" == *"nowhere: no such directory"* ]]
}
