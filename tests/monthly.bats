#!/usr/bin/env bats
# civic-monthly: the cron wrapper over civic-bulletin.  A generated year of
# exports reported month by month with the shipped cooperation-trust
# bulletin, compared with the month before, a quarter; the tables the same
# bytes as civic-ingest | civic-classify | civic-bulletin run by hand;
# idempotent; loud when rejects exceed the tolerance; nothing published
# that the report hides, and nothing row-level readable by others.

load helper

setup_file() {
	RAW="$BATS_FILE_TMPDIR/raw"
	mkdir -p "$RAW"
	# Small either way: the job's commands run outside valgrind (it puts
	# the built ones first on its PATH), but the by-hand ones do not.
	n=4000
	[ "${VALGRIND:-}" = 1 ] && n=1500
	gen-registry -n "$n" --seed 11 --year 2024 --dirty --truth "$BATS_FILE_TMPDIR/truth.json" > "$RAW/export-2024.csv"
	gen-survey -n 800 --seed 1 --wave 2024 | civic-ingest -q -s trust-survey.json > "$BATS_FILE_TMPDIR/survey.csv"
	export RAW N=$n
}

setup() {
	setup_scratch
	DEF="$CIVIC_DATADIR/bulletins/cooperation-trust.json"
	POP="$CIVIC_DATADIR/sample/population.csv"
	SURVEY="$BATS_FILE_TMPDIR/survey.csv"
}

# The register counts of a month (or quarter) as the truth file has them.
truth_registers() {
	python3 - "$BATS_FILE_TMPDIR/truth.json" "$@" <<'PY2'
import json, sys
t = json.load(open(sys.argv[1]))["register_by_month"]
total = {}
for month in sys.argv[2:]:
    for k, v in t[month].items():
        total[k] = total.get(k, 0) + v
for k in sorted(total):
    print(f"{k},{total[k]}")
PY2
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

@test "a month: the shipped bulletin, published apart from the internal state, with counts that match the truth" {
	run --separate-stderr civic-monthly -m 2024-01 -r 1% -o out "$RAW"
	assert_success
	[[ "$stderr" == "civic-monthly: 2024-01: report in $SCRATCH/out/2024-01/" ]]
	run sh -c "cd out/2024-01 && find . -printf '%p %m\n' | sort"
	assert_output "$(printf '%s\n' '. 755' './report.html 644' './report.md 644' './report.txt 644' \
		'./report.xlsx 644' './tables 755' './tables/cooperation-between-services.csv 644' \
		'./tables/outcomes-by-service.csv 644' './tables/pending-at-period-end.csv 644' \
		'./tables/receiving-unit-by-channel.csv 644' './tables/receiving-unit.csv 644' './tables/register-book-by-month.csv 644' \
		'./tables/register-book-by-region.csv 644' './tables/register-book.csv 644' \
		'./tables/resolution-time.csv 644' './tables/subjects.csv 644')"
	for f in log partials/register-book.ndjson tallies/register-book.csv \
		ingest/log ingest/rejects.ndjson ingest/SOURCE_DATE_EPOCH; do
		[ -s "out/internal/2024-01/$f" ] || fail "out/internal/2024-01/$f missing or empty"
	done
	# civic-bulletin's own rejects: none, the rows were cleaned before it.
	[ -f out/internal/2024-01/rejects.ndjson ] && [ ! -s out/internal/2024-01/rejects.ndjson ]
	# The cleaned rows are not kept once the bulletin is made.
	[ ! -e out/internal/2024-01/ingest/registry.csv ]
	assert_private out/internal
	assert_equal "$(table_counts out/2024-01/tables/register-book.csv)" "$(truth_registers 2024-01)"
	assert_equal "$(table_counts out/internal/2024-01/tallies/register-book.csv)" "$(truth_registers 2024-01)"
	# The title names the month reported, as a reader names it.
	run head -1 out/2024-01/report.txt
	assert_output 'Police and citizens: cooperation and trust, January 2024'
	# No survey and no population table: those indicators are not computed, and say so.
	run grep -c "Not computed: the input 'survey' was not given." out/2024-01/report.md
	assert_output 4
	run grep -c "Not computed: the input 'population' was not given." out/2024-01/report.md
	assert_output 1
	run find out -name '*tmp*' -o -name '*.ingest.*'
	assert_output ''
}

@test "the tables are the bytes civic-ingest | civic-classify | civic-bulletin give by hand, every role given" {
	run civic-monthly -m 2024-03 -o out --survey "$SURVEY" --population "$POP" "$RAW"
	assert_success
	civic-ingest -s registry.json --max-rejects 100% "$RAW/export-2024.csv" 2> /dev/null |
		civic-classify -r registers.rules -r services.rules -r subjects.rules > clean.csv
	run civic-bulletin -b "$DEF" --period 2024-03 -o hand registry=clean.csv survey="$SURVEY" population="$POP"
	assert_success
	[ -s out/2024-03/tables/trust-police.csv ]
	[ -s out/2024-03/tables/load-per-population.csv ]
	run diff -r hand/2024-03/tables out/2024-03/tables
	assert_success
	if [ "${VALGRIND:-}" = 1 ]; then
		# Under valgrind (the by-hand run is, the job's is not) the
		# survey's design-based figures may differ in the last bit.
		run python3 - hand/internal/2024-03/tallies out/internal/2024-03/tallies <<'PY2'
import csv, math, os, sys
a, b = sys.argv[1:]
assert sorted(os.listdir(a)) == sorted(os.listdir(b))
for f in os.listdir(a):
    ra, rb = list(csv.reader(open(os.path.join(a, f)))), list(csv.reader(open(os.path.join(b, f))))
    assert len(ra) == len(rb), f
    for x, y in zip(ra, rb):
        for u, v in zip(x, y):
            try:
                ok = math.isclose(float(u), float(v), rel_tol=1e-12)
            except ValueError:
                ok = u == v
            assert ok, (f, u, v)
PY2
		assert_success
	else
		run diff -r hand/internal/2024-03/tallies out/internal/2024-03/tallies
		assert_success
		run diff -r hand/internal/2024-03/partials out/internal/2024-03/partials
		assert_success
	fi
	run grep -c 'Not computed' out/2024-03/report.md
	assert_output 0
}

@test "the report's provenance names the schema and rule books the exports were cleaned with, with their SHA-256 and versions" {
	# a schema of one's own (-S), its version changed; the shipped rule books
	sed 's/"version": *"[^"]*"/"version": "local-7"/' "$CIVIC_DATADIR/schemas/registry.json" > my-schema.json
	grep -q '"version": "local-7"' my-schema.json
	run civic-monthly -m 2024-01 -S my-schema.json -o out "$RAW"
	assert_success
	run grep '^source ' out/2024-01/report.txt
	assert_equal "${#lines[@]}" 4
	assert_line --index 0 "source     $SCRATCH/my-schema.json (version local-7)  sha256:$(sha256sum < my-schema.json | cut -d' ' -f1)"
	local i=1 r
	for r in registers services subjects; do
		assert_line --index $((i++)) "source     $CIVIC_DATADIR/rules/$r.rules  sha256:$(sha256sum < "$CIVIC_DATADIR/rules/$r.rules" | cut -d' ' -f1)"
	done
	# the other formats name them too
	grep -q "^- source $SCRATCH/my-schema.json (version local-7), sha256 " out/2024-01/report.md
	grep -q "$CIVIC_DATADIR/rules/subjects.rules" out/2024-01/report.html
	# the shipped schema by its name
	run civic-monthly -m 2024-02 -o out "$RAW"
	assert_success
	grep -q "^source     $CIVIC_DATADIR/schemas/registry.json (version 1)  sha256:$(sha256sum < "$CIVIC_DATADIR/schemas/registry.json" | cut -d' ' -f1)\$" \
		out/2024-02/report.txt
	# civic-bulletin --source names a file it cannot read before any work
	run --separate-stderr civic-bulletin -b "$DEF" --source missing.rules -o hand registry=registry.csv
	assert_failure 2
	[[ "$stderr" == *"civic-bulletin: --source: cannot read 'missing.rules': No such file or directory"* ]]
	[ ! -e hand ]
}

@test "the second month is compared with the first" {
	civic-monthly -m 2024-01 -o out "$RAW" 2> /dev/null
	run civic-monthly -m 2024-02 -o out "$RAW"
	assert_success
	assert_equal "$(table_counts out/2024-02/tables/register-book.csv)" "$(truth_registers 2024-02)"
	# register-book, receiving-unit and subjects compare with the month before.
	run grep -c 'Count, previous' out/2024-02/report.txt
	assert_output 3
	run head -1 out/2024-02/tables/register-book.csv
	assert_output --partial ',count_prev,count_change,count_change_pct,count_change_p,share_prev,share_change,flags'
	assert_equal "$(cut -d, -f1,4 out/2024-02/tables/register-book.csv | tail -n +2)" "$(truth_registers 2024-01)"
}

@test "running a month twice gives the same files" {
	civic-monthly -m 2024-02 -o out "$RAW" 2> /dev/null
	cp -R out/2024-02 first
	cp -R out/internal/2024-02 first-internal
	civic-monthly -m 2024-02 -o out "$RAW" 2> /dev/null
	run diff -r first out/2024-02
	assert_success
	run diff -r first-internal out/internal/2024-02
	assert_success	# The reports are dated by the newest export, or by SOURCE_DATE_EPOCH.
	assert_equal "$(cat out/internal/2024-02/ingest/SOURCE_DATE_EPOCH)" "$(stat -c %Y "$RAW/export-2024.csv")"
	SOURCE_DATE_EPOCH=1709251200 civic-monthly -m 2024-02 -o out "$RAW" 2> /dev/null
	grep -q '^Made by civic-bulletin .* at 2024-03-01T00:00:00Z$' out/2024-02/report.txt
	assert_equal "$(cat out/internal/2024-02/ingest/SOURCE_DATE_EPOCH)" 1709251200
}

@test "a quarter: civic-bulletin --quarter over the exports, compared with the quarter before from its partials" {
	run --separate-stderr civic-monthly -q 2024-Q1 -o out "$RAW"
	assert_success
	[[ "$stderr" == "civic-monthly: 2024-Q1: report in $SCRATCH/out/2024-Q1/" ]]
	assert_equal "$(table_counts out/2024-Q1/tables/register-book.csv)" "$(truth_registers 2024-01 2024-02 2024-03)"
	# Medians cannot be added up: the quarter's are those of one run over
	# the quarter's rows.
	civic-ingest -q -s registry.json --max-rejects 100% "$RAW/export-2024.csv" 2> /dev/null |
		civic-classify -r services.rules |
		civic-tally --where "quarter(received_at) = '2024-Q1'" -g service -s 'count,median:days(received_at,resolved_at)' --csv > direct.csv
	assert_equal "$(tail -n +2 out/internal/2024-Q1/tallies/resolution-time.csv | cut -d, -f1,2,4)" "$(tail -n +2 direct.csv)"
	run head -1 out/2024-Q1/report.txt
	assert_output 'Police and citizens: cooperation and trust, Q1 2024'
	# The shipped definition compares months only; one that asks for the
	# previous quarter gets it from the partials the quarter before left.
	run grep -c 'Count, previous' out/2024-Q1/report.txt
	assert_output 0
	python3 - "$DEF" q.json <<'PY2'
import json, sys
d = json.load(open(sys.argv[1]))
for i in d["indicators"]:
    if i["id"] == "register-book":
        i["compare"] = ["previous-quarter"]
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
PY2
	civic-monthly -q 2024-Q1 -b q.json -o out "$RAW" 2> /dev/null
	run civic-monthly -q 2024-Q2 -b q.json -o out "$RAW"
	assert_success
	assert_equal "$(table_counts out/2024-Q2/tables/register-book.csv)" "$(truth_registers 2024-04 2024-05 2024-06)"
	assert_equal "$(cut -d, -f1,4 out/2024-Q2/tables/register-book.csv | tail -n +2)" "$(truth_registers 2024-01 2024-02 2024-03)"
}

@test "rejects beyond the tolerance fail the run, say why, and keep the last good month" {
	civic-monthly -m 2024-03 -o out "$RAW" 2> /dev/null
	cp -R out/2024-03 good
	run --separate-stderr civic-monthly -m 2024-03 -r 0 -o out "$RAW"
	assert_failure 1
	bad=$(python3 -c "import json; print(json.load(open('$BATS_FILE_TMPDIR/truth.json'))['bad_rows'])")
	assert_equal "$stderr" "civic-monthly: 2024-03: $bad of $N rows rejected, beyond the tolerance of 0 (the rows are in ingest/rejects.ndjson) (see $SCRATCH/out/internal/2024-03.failed/ingest/log)"
	assert_equal "$(wc -l < out/internal/2024-03.failed/ingest/rejects.ndjson)" "$bad"
	[ -s out/internal/2024-03.failed/ingest/registry.csv ]
	assert_private out/internal
	run diff -r good out/2024-03
	assert_success
	# A later good run clears the failed attempt.
	civic-monthly -m 2024-03 -o out "$RAW" 2> /dev/null
	[ ! -d out/internal/2024-03.failed ]
}

@test "a bad export fails loudly with every row accounted for; one civic-ingest cannot read fails the run" {
	mkdir raw
	cp "$RAW/export-2024.csv" raw/
	# Ten rows whose date is no date, in an export of their own.
	gen-registry -n 10 --seed 5 --year 2024 | awk -F';' 'BEGIN { OFS = ";" } NR > 1 { $2 = "not a date" } { print }' > raw/late.csv
	bad=$(python3 -c "import json; print(json.load(open('$BATS_FILE_TMPDIR/truth.json'))['bad_rows'])")
	run --separate-stderr civic-monthly -m 2024-03 -r 0.1% -o out raw
	assert_failure 1
	assert_equal "$stderr" "civic-monthly: 2024-03: $((bad + 10)) of $((N + 10)) rows rejected, beyond the tolerance of 0.1% (the rows are in ingest/rejects.ndjson) (see $SCRATCH/out/internal/2024-03.failed/ingest/log)"
	# Read = written + rejected, file by file in the log.
	run grep -c '"file":"[^"]*/raw/late.csv",.*"reason":"bad-date"' out/internal/2024-03.failed/ingest/rejects.ndjson
	assert_output 10
	assert_equal "$(wc -l < out/internal/2024-03.failed/ingest/rejects.ndjson)" $((bad + 10))
	grep -qx "civic-ingest: read $((N + 10)), written $((N - bad)), rejected $((bad + 10))" out/internal/2024-03.failed/ingest/log
	[ ! -e out/2024-03 ]
	# A file with none of the schema's columns: civic-ingest refuses it.
	rm raw/late.csv
	printf 'x,y\n1,2\n' > raw/other.csv
	run --separate-stderr civic-monthly -m 2024-03 -o out raw
	assert_failure 1
	assert_equal "$stderr" "civic-monthly: 2024-03: civic-ingest failed (see $SCRATCH/out/internal/2024-03.failed/ingest/log)"
	[ ! -e out/2024-03 ]
}

@test "--help prints the usage on standard output; usage errors exit 2 and say why" {
	run --separate-stderr civic-monthly --help
	assert_success
	assert_equal "$stderr" ''
	assert_line --index 0 'usage: civic-monthly [-m yyyy-mm | -q yyyy-Qn] [-o dir] [-r n[%]] [-s k] [-k keyfile]'
	assert_line --index 1 '                     [-d delim] [-e encoding] [-S schema] [-b bulletin] [--survey file]'
	run --separate-stderr civic-monthly --version
	assert_success
	assert_output --regexp '^civic-monthly \(civic\) [0-9]+\.[0-9]+\.[0-9]+$'
	run --separate-stderr civic-monthly -m 2024-13 "$RAW"
	assert_failure 2
	assert_equal "$stderr" "civic-monthly: the month must read yyyy-mm: 2024-13
Try 'civic-monthly --help' for more information."
	run --separate-stderr civic-monthly -q 2024-Q5 "$RAW"
	assert_failure 2
	run --separate-stderr civic-monthly -q 2024-Q1 -m 2024-01 "$RAW"
	assert_failure 2
	run --separate-stderr civic-monthly -q 2024-Q1
	assert_failure 2
	[[ "$stderr" == "civic-monthly: give one directory of exports"* ]]
	run --separate-stderr civic-monthly --survey
	assert_failure 2
	[[ "$stderr" == "civic-monthly: option --survey takes an argument"* ]]
	run --separate-stderr civic-monthly --population a.csv --population b.csv "$RAW"
	assert_failure 2
	# A definition that does not validate is a usage error, before any work.
	printf '{"format": "civic-bulletin"}\n' > bad.json
	run --separate-stderr civic-monthly -b bad.json -o out "$RAW"
	assert_failure 2
	[[ "$stderr" == *"bad.json"* ]]
	run --separate-stderr civic-monthly -b nowhere.json -o out "$RAW"
	assert_failure 1
	[[ "$stderr" == "civic-monthly: nowhere.json: cannot read the bulletin file" ]]
	run --separate-stderr civic-monthly --survey nowhere.csv -o out "$RAW"
	assert_failure 1
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
	run grep -h '^form1,1,\|^Andijan,' out/internal/2024-03/tallies/register-book.csv \
		out/internal/2024-03/tallies/register-book-by-region.csv
	assert_line --index 0 --regexp '^form1,1,'
	assert_line --index 1 --regexp '^Andijan,form1,1,'
	# … which no published table shows: its row is empty but for the keys
	# and the flag, as is the one that would give it away.
	run grep -h '^form1\|^Andijan' out/2024-03/tables/register-book.csv out/2024-03/tables/register-book-by-region.csv
	assert_output "$(printf '%s\n' 'form1,,,suppressed' 'Andijan,form1,,,suppressed')"
	run grep -h '^form2,' out/2024-03/tables/register-book.csv
	assert_output 'form2,,,suppressed-secondary'
	run grep -c "^\"'=HYPERLINK(" out/2024-03/tables/register-book-by-region.csv
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
	assert_equal "$stderr" "civic-monthly: 2024-03: 1 of 14 rows rejected, beyond the tolerance of 0 (the rows are in ingest/rejects.ndjson) (see $SCRATCH/out/internal/2024-03.failed/ingest/log)"
	[ ! -e out/2024-03 ]
	for f in log rejects.ndjson registry.csv; do
		[ -s "out/internal/2024-03.failed/ingest/$f" ] || fail "$f missing or empty"
	done
	assert_private out/internal
	run civic-monthly -m 2024-03 -r 1 -o out raw
	assert_success
	assert_private out/internal
	assert_equal "$(stat -c %a out out/2024-03 out/2024-03/report.txt out/2024-03/tables/register-book.csv)" "$(printf '%s\n' 755 755 644 644)"
	run grep -rl 'Anna Karimova' out/2024-03
	assert_output ''
}

@test "--lang: one set of reports per language, titled and labelled in it; the tables keep the codes" {
	run --separate-stderr civic-monthly -m 2024-03 --lang ru --lang=uz -o out "$RAW"
	assert_success
	run sh -c "cd out/2024-03 && ls report.*"
	assert_output "$(printf '%s\n' report.ru.html report.ru.md report.ru.txt report.ru.xlsx report.uz.html report.uz.md report.uz.txt report.uz.xlsx)"
	run head -1 out/2024-03/report.ru.txt
	assert_output 'Полиция и граждане: взаимодействие и доверие, март 2024'
	run grep -c 'Форма № 1' out/2024-03/report.ru.txt
	assert_output --regexp '^[1-9]'
	run head -2 out/2024-03/report.uz.html
	assert_line --index 1 '<html lang="uz">'
	assert_equal "$(table_counts out/2024-03/tables/register-book.csv)" "$(truth_registers 2024-03)"
	run --separate-stderr civic-monthly -m 2024-03 --lang fr -o out "$RAW"
	assert_failure 2
	[[ "$stderr" == *"unknown language 'fr' (en, ru, uz)"* ]]
}

@test "-b: another definition, its tables named by its indicators; --wave keeps one wave of the survey" {
	python3 - "$DEF" two.json <<'PY2'
import json, sys
d = json.load(open(sys.argv[1]))
d["name"] = "two"
d["indicators"] = [i for i in d["indicators"] if i["id"] in ("register-book", "trust-police")]
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
PY2
	gen-survey -n 100 --seed 2 --wave 2023 | civic-ingest -q -s trust-survey.json | tail -n +2 > old.csv
	cat "$SURVEY" old.csv > waves.csv
	run civic-monthly -m 2024-03 -b two.json --survey waves.csv --wave 2024 -o out "$RAW"
	assert_success
	run ls out/2024-03/tables
	assert_output "$(printf '%s\n' register-book.csv trust-police.csv)"
	assert_equal "$(cat out/internal/2024-03/waves/survey)" 2024
	# The wave's table is the one of the 2024 rows alone.
	run civic-bulletin -b two.json --period 2024-03 --without registry -o hand survey="$SURVEY"
	assert_success
	diff hand/2024-03/tables/trust-police.csv out/2024-03/tables/trust-police.csv
}

@test "-b: a definition with a registry alone is run without asking for the roles it lacks" {
	python3 - "$DEF" reg.json <<'PY2'
import json, sys
d = json.load(open(sys.argv[1]))
d["inputs"] = {"registry": d["inputs"]["registry"]}
d["indicators"] = [i for i in d["indicators"] if i["input"] == "registry" and "population" not in i]
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False, indent=1)
PY2
	run civic-monthly -m 2024-03 -b reg.json -o out "$RAW"
	assert_success
	assert_equal "$(table_counts out/2024-03/tables/register-book.csv)" "$(truth_registers 2024-03)"
	run grep -c 'Not computed' out/2024-03/report.md
	assert_output 0
	# A survey given to a definition without one is civic-bulletin's usage error.
	run --separate-stderr civic-monthly -m 2024-03 -b reg.json --survey "$SURVEY" -o out "$RAW"
	assert_failure 2
	assert_equal "$stderr" "civic-monthly: 2024-03: civic-bulletin refused the inputs given for reg.json (see $SCRATCH/out/internal/2024-03.failed/ingest/log)"
	grep -q "unknown role 'survey'" out/internal/2024-03.failed/ingest/log
}

# The README's crontab line, as it is, with /srv/civic under the scratch
# directory: last month's bulletin from a directory of exports.
@test "the README's crontab line runs unchanged and reports last month" {
	line=$(grep -E '^[0-9]+ [0-9]+ [0-9]+ \* \*  civic-monthly ' "$CIVIC_ROOT/README.md")
	[ -n "$line" ]
	assert_equal "$(grep -c -F "$line" "$CIVIC_ROOT/man/civic-monthly.1")" 1
	cmd=$(printf '%s\n' "$line" | cut -d' ' -f6- | sed "s|/srv/civic|$SCRATCH/srv/civic|g")
	last=$(date -d "$(date +%Y-%m-15) -1 month" +%Y-%m)
	mkdir -p srv/civic/exports
	gen-registry -n 1200 --seed 7 --year "${last%-*}" > "srv/civic/exports/${last%-*}.csv"
	run sh -c "$cmd"
	assert_success
	grep -qx "civic-monthly: $last: report in $SCRATCH/srv/civic/reports/$last/" srv/civic/monthly.log
	[ -s "srv/civic/reports/$last/tables/register-book.csv" ]
	run head -1 "srv/civic/reports/$last/report.txt"
	assert_output "Police and citizens: cooperation and trust, $(LC_ALL=C date -d "$last-15" '+%B %Y')"
}
