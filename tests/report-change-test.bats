#!/usr/bin/env bats
# civic-report --compare: each change's SE and p-value columns, recomputed
# by report-change-check.py (Python's statistics.NormalDist) from tables it
# draws itself, for a registry tally (Poisson counts, shares with SEs), a
# survey mean and a weighted count.  Seed CIVIC_ORACLE_SEED, else the clock's.

load helper

setup() {
	setup_scratch
	export SOURCE_DATE_EPOCH=1709251200
	CHECK="$BATS_TEST_DIRNAME/report-change-check.py"
	SEED="${CIVIC_ORACLE_SEED:-$(($(date +%s) % 1000000))}"
	python3 "$CHECK" gen "$SEED" .
}

@test "--compare: the change's SE and p-value in CSV and JSON, as recomputed" {
	local t fmt
	for t in reg svy wcount; do
		for fmt in csv json; do
			civic-report -f "$fmt" --codes --digits 12 --compare "$t-prev.csv" "$t-cur.csv" > "$t.$fmt"
			run python3 "$CHECK" check . "$t" "$fmt" "$t.$fmt"
			[ "$status" -eq 0 ] || { echo "seed $SEED, $t.$fmt: $output"; false; }
			assert_output --regexp '^ok [0-9]+$'
		done
	done
	# Poisson counts have a p-value and no SE; the rest have both.
	run head -1 reg.csv
	assert_output --partial ',count_change_pct,count_change_p,share_prev,share_change,share_change_se,share_change_p,'
	run head -1 wcount.csv
	assert_output --partial ',count_change_pct,count_change_se,count_change_p,'
}

@test "--compare: the workbook holds the change's SE and p-value as the CSV does" {
	civic-report -o r.xlsx --compare svy-prev.csv svy-cur.csv
	civic-report -f csv --compare svy-prev.csv svy-cur.csv > check.csv
	civic-report -f json --ci-style columns --compare svy-prev.csv svy-cur.csv > check.json
	run /usr/bin/python3 "$BATS_TEST_DIRNAME/xlsx-check.py" r.xlsx 0 check.csv check.json
	assert_output ok
	run /usr/bin/python3 -c 'import openpyxl, sys; print(list(openpyxl.load_workbook(sys.argv[1]).worksheets[0].iter_rows(min_row=2, max_row=2, values_only=True))[0])' r.xlsx
	assert_output --partial "'Mean trust change, SE', 'Mean trust change, p-value'"
}

@test "--compare: text, Markdown and HTML show the columns and say how they are computed" {
	local fmt
	for fmt in text md html; do
		run civic-report -f "$fmt" --compare reg-prev.csv reg-cur.csv
		assert_success
		assert_output --partial 'Count change, p-value'
		assert_output --partial 'Share change, SE, pp'
		assert_output --partial 'p-value: two-sided, from the normal distribution'
	done
	run civic-report --lang ru --compare svy-prev.csv svy-cur.csv
	assert_output --partial 'p-значение: двустороннее, по нормальному распределению'
}
