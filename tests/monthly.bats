#!/usr/bin/env bats
# civic-monthly: a generated year of exports reported month by month,
# compared with the month before, merged into a quarter; idempotent; loud
# when rejects exceed the tolerance; nothing published that the report
# hides, and nothing row-level readable by others.

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

# Every file under $1 is 0600 and every directory 0700.
assert_private() {
	run find "$1" \( -type f ! -perm 600 \) -o \( -type d ! -perm 700 \)
	assert_success
	assert_output ''
}

@test "a month: published reports and tables apart from the internal state, with counts that match the truth" {
	run --separate-stderr civic-monthly -m 2024-01 -r 1% -o out "$RAW"
	assert_success
	[[ "$stderr" == "civic-monthly: 2024-01: report in $SCRATCH/out/2024-01/" ]]
	run sh -c "cd out/2024-01 && find . -printf '%p %m\n' | sort"
	assert_output "$(printf '%s\n' '. 755' './report.html 644' './report.md 644' './report.txt 644' \
		'./report.xlsx 644' './tables 755' './tables/categories.csv 644' './tables/channels.csv 644' './tables/daily.csv 644' \
		'./tables/registers.csv 644' './tables/services.csv 644')"
	for f in log rejects.ndjson SOURCE_DATE_EPOCH partials/registers.ndjson partials/daily.ndjson \
		tallies/registers.csv tallies/daily.csv; do
		[ -s "out/internal/2024-01/$f" ] || fail "out/internal/2024-01/$f missing or empty"
	done
	assert_private out/internal
	assert_equal "$(table_counts out/2024-01/tables/registers.csv)" "$(truth_registers 2024-01)"
	assert_equal "$(table_counts out/internal/2024-01/tallies/registers.csv)" "$(truth_registers 2024-01)"
	run head -1 out/2024-01/report.txt
	assert_output 'Applications to internal affairs bodies, 2024-01'
	run find out -name '*tmp*'
	assert_output ''
}

@test "the second month is compared with the first" {
	civic-monthly -m 2024-01 -o out "$RAW" 2> /dev/null
	run civic-monthly -m 2024-02 -o out "$RAW"
	assert_success
	assert_equal "$(table_counts out/2024-02/tables/registers.csv)" "$(truth_registers 2024-02)"
	run grep -c 'Count, previous' out/2024-02/report.txt
	assert_output 4
	run grep -F 'previous ../2024-01/tallies/registers.csv' out/2024-02/report.txt
	assert_success
	# The published table is the report's: with the same comparison columns.
	run head -1 out/2024-02/tables/registers.csv
	assert_output --partial ',count_prev,count_change,count_change_pct,share_prev,share_change,flags'
	assert_equal "$(cut -d, -f1,10 out/2024-02/tables/registers.csv | tail -n +2)" "$(truth_registers 2024-01)"
}

@test "running a month twice gives the same files" {
	civic-monthly -m 2024-02 -o out "$RAW" 2> /dev/null
	cp -R out/2024-02 first
	cp -R out/internal/2024-02 first-internal
	civic-monthly -m 2024-02 -o out "$RAW" 2> /dev/null
	run diff -r first out/2024-02
	assert_success
	run diff -r first-internal out/internal/2024-02
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
	assert_equal "$(tail -n +2 out/internal/2024-Q1/tallies/services.csv | cut -d, -f1-3)" "$(tail -n +2 direct.csv)"
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
	[[ "$stderr" == *"civic-monthly: 2024-03: $bad of 4000 rows rejected, beyond the tolerance of 0 (the rows are in rejects.ndjson) (see $SCRATCH/out/internal/2024-03.failed/log)"* ]]
	assert_equal "$(wc -l < out/internal/2024-03.failed/rejects.ndjson)" "$bad"
	[ -s out/internal/2024-03.failed/coded.ndjson ]
	assert_private out/internal
	run diff -r good out/2024-03
	assert_success
	# A later good run clears the failed attempt.
	civic-monthly -m 2024-03 -o out "$RAW" 2> /dev/null
	[ ! -d out/internal/2024-03.failed ]
}

@test "--help prints the usage on standard output; usage errors exit 2 and say why" {
	run --separate-stderr civic-monthly --help
	assert_success
	assert_equal "$stderr" ''
	assert_line --index 0 'usage: civic-monthly [-m yyyy-mm] [-o dir] [-r n[%]] [-s k] [-k keyfile]'
	assert_line --index 1 '                     [-d delim] [-e encoding] [-S schema] [--lang code] rawdir'
	run --separate-stderr civic-monthly --version
	assert_success
	assert_output --regexp '^civic-monthly \(civic\) [0-9]+\.[0-9]+\.[0-9]+$'
	run --separate-stderr civic-monthly -m 2024-13 "$RAW"
	assert_failure 2
	assert_equal "$stderr" "civic-monthly: the month must read yyyy-mm: 2024-13
Try 'civic-monthly --help' for more information."
	run --separate-stderr civic-monthly -q 2024-Q5
	assert_failure 2
	run --separate-stderr civic-monthly -q 2024-Q1 "$RAW"
	assert_failure 2
	run --separate-stderr civic-monthly -r lots "$RAW"
	assert_failure 2
	run --separate-stderr civic-monthly -s
	assert_failure 2
	[[ "$stderr" == "civic-monthly: option -s takes an argument"* ]]
	run --separate-stderr civic-monthly -x "$RAW"
	assert_failure 2
	[[ "$stderr" == "civic-monthly: unknown option '-x'"* ]]
	run --separate-stderr civic-monthly --bogus "$RAW"
	assert_failure 2
	[[ "$stderr" == "civic-monthly: unknown option '--bogus'"* ]]
	run --separate-stderr civic-monthly
	assert_failure 2
	[[ "$stderr" == "civic-monthly: give one directory of exports"* ]]
	run --separate-stderr civic-monthly -m 2024-01 "$SCRATCH/nowhere"
	assert_failure 1
	[[ "$stderr" == *"nowhere: no such directory"* ]]
	[ ! -e out ]
}

# A month of a small office: six Form 2 applications from Tashkent, one
# Form 1 from Andijan, and six whose region cell holds a spreadsheet formula.
small_month() {
	mkdir -p raw
	{
		echo 'reg_no;received;register;applicant;applicant_type;region;district;channel;received_by;service;subject;resolved;outcome'
		for i in 1 2 3 4 5 6; do
			echo "T-$i;0$i.03.2024;Form 2;Anna Kim;individual;Tashkent;Chilonzor;in_person;duty_unit;Tergov;Lost passport;1$i.03.2024;explained"
			echo "H-$i;0$i.03.2024;Form 2;Anna Kim;individual;\"=HYPERLINK(\"\"http://example.invalid\"\",\"\"x\"\")\";Chilonzor;in_person;duty_unit;Tergov;Lost passport;1$i.03.2024;explained"
		done
		echo 'A-1;07.03.2024;Form 1;Anna Kim;individual;Andijan;Asaka;phone_102;duty_unit;Tergov;Lost passport;;'
	} > raw/export.csv
}

@test "the published tables hide what the report hides and neutralise formulas; partials are internal" {
	small_month
	run civic-monthly -m 2024-03 -o out raw
	assert_success
	# The internal tallies do hold the count of 1 …
	run grep -h '^form1,1,\|^Andijan,' out/internal/2024-03/tallies/registers.csv out/internal/2024-03/tallies/channels.csv
	assert_line --index 0 --regexp '^form1,1,'
	assert_line --index 1 --regexp '^Andijan,phone_102,1,'
	# … which no published table shows: its row is empty but for the keys
	# and the flag, as is the one that would give it away.
	run grep -h 'form1\|Andijan' out/2024-03/tables/*.csv
	assert_output "$(printf '%s\n' 'Andijan,phone_102,,,,,,,,,suppressed' 'form1,,,,,,,,,suppressed')"
	run grep -h '^form2,' out/2024-03/tables/registers.csv
	assert_output 'form2,,,,,,,,,suppressed-secondary'
	run grep -c "^\"'=HYPERLINK(" out/2024-03/tables/channels.csv
	assert_output 1
	run grep -rl '^"\?[=+@]' out/2024-03/tables
	assert_output ''
	run grep -c '&lt;5' out/2024-03/report.html
	[ "$output" -ge 2 ]
	[ ! -e out/2024-03/partials ]
	assert_private out/internal
}

@test "row-level data stays 0600 whatever the caller's umask; a rejected value is in no message of the job" {
	small_month
	printf 'X-1;Anna Karimova;Form 2;Anna Kim;individual;Tashkent;Chilonzor;in_person;duty_unit;Tergov;Lost passport;;\n' >> raw/export.csv
	umask 000
	run --separate-stderr civic-monthly -m 2024-03 -r 0 -o out raw
	assert_failure 1
	assert_equal "$stderr" "civic-monthly: 2024-03: 1 of 14 rows rejected, beyond the tolerance of 0 (the rows are in rejects.ndjson) (see $SCRATCH/out/internal/2024-03.failed/log)"
	[ ! -e out/2024-03 ]
	for f in log rejects.ndjson rows.ndjson coded.ndjson; do
		[ -s "out/internal/2024-03.failed/$f" ] || fail "$f missing or empty"
	done
	assert_private out/internal
	run civic-monthly -m 2024-03 -r 1 -o out raw
	assert_success
	assert_private out/internal
	assert_equal "$(stat -c %a out out/2024-03 out/2024-03/report.txt out/2024-03/tables/daily.csv)" "$(printf '%s\n' 755 755 644 644)"
	run grep -rl 'Anna Karimova' out/2024-03
	assert_output ''
}

@test "--lang: one set of reports per language, titled and labelled in it; the tables keep the codes" {
	run --separate-stderr civic-monthly -m 2024-03 --lang ru --lang=uz -o out "$RAW"
	assert_success
	run sh -c "cd out/2024-03 && ls report.*"
	assert_output "$(printf '%s\n' report.ru.html report.ru.md report.ru.txt report.ru.xlsx report.uz.html report.uz.md report.uz.txt report.uz.xlsx)"
	run head -1 out/2024-03/report.ru.txt
	assert_output 'Обращения в органы внутренних дел, 2024-03'
	run grep -c 'Форма № 1' out/2024-03/report.ru.txt
	assert_output --regexp '^[1-9]'
	run head -2 out/2024-03/report.uz.html
	assert_line --index 1 '<html lang="uz">'
	assert_equal "$(table_counts out/2024-03/tables/registers.csv)" "$(truth_registers 2024-03)"
	run --separate-stderr civic-monthly -m 2024-03 --lang fr -o out "$RAW"
	assert_failure 2
	[[ "$stderr" == *"unknown language 'fr' (en, ru, uz)"* ]]
}
