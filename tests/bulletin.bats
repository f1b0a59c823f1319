#!/usr/bin/env bats
# civic-bulletin: a definition checked with messages naming the indicator
# and the member; every indicator of an input from one read giving what
# civic-tally gives run by run; the period moved into place whole;
# comparisons with earlier periods, or a note saying why there are none;
# the definition's SHA-256 in the provenance.
#
# Under valgrind every test runs, but the bulletin of 2024-03 that several
# tests only read is made once per file (march), and the civic-tally and
# civic-report runs a registry table is compared with run bare (reference).
# A survey table's civic-tally runs under valgrind too: valgrind computes
# long doubles in double precision, so a bare run may differ in the last
# digit.

load helper

inputs() {
	DEF="$FIXTURES/bulletin/two.json"
	REG="$FIXTURES/tally/published-shares.csv"
	SURVEY="$FIXTURES/survey/data/trust_survey_numeric.csv"
	POP="$CIVIC_ROOT/share/civic/sample/population.csv"
	export SOURCE_DATE_EPOCH=1709251200
}

setup_file() {
	inputs
	if valgrind_light; then
		mkdir "$BATS_FILE_TMPDIR/march"
		(cd "$BATS_FILE_TMPDIR/march" && bulletin --period 2024-03 -o out)
	fi
}

setup() {
	setup_scratch
	inputs
}

bulletin() {
	civic-bulletin -b "$DEF" "$@" registry="$REG" survey="$SURVEY" population="$POP"
}

# march: what `bulletin --period 2024-03 -o out` makes, in out/; under
# valgrind a copy of the one run setup_file made.
march() {
	if valgrind_light; then
		cp -a "$BATS_FILE_TMPDIR/march/out" .
	else
		bulletin --period 2024-03 -o out
	fi
}

# broken NAME PYTHON: a copy of the definition as NAME.json, changed by
# PYTHON (d is the definition; ind(id) its indicator).
broken() {
	/usr/bin/python3 - "$DEF" "$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def ind(i):
    return next(x for x in d["indicators"] if x["id"] == i)
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False, indent=1)
PY
}

# refused PYTHON MESSAGE...: the definition changed by PYTHON (as broken
# does) is refused by --check with exit 2, each MESSAGE (a pattern: *
# stands for any text) in what it says.
refused() {
	local m
	broken refused "$1"
	shift
	run --separate-stderr civic-bulletin -b refused.json --check
	[ "$status" -eq 2 ] || fail "--check exited $status, not 2: $stderr"
	for m in "$@"; do
		[[ $stderr == *$m* ]] || fail "--check did not say '$m': $stderr"
	done
}

@test "--check: a sound definition passes silently" {
	run --separate-stderr civic-bulletin -b "$DEF" --check --lang en,ru,uz
	assert_success
	assert_output ''
	[ -z "$stderr" ]
}

@test "--check: each mistake is named by its indicator and member, exit 2" {
	refused 'ind("subjects")["top_n"] = 3' \
		"indicator 'subjects' (4), member 'top_n': unknown member"
	refused 'del ind("subjects")["top"]' \
		"indicator 'subjects' (4), member 'other': names the rows 'top' leaves out"
	refused 'ind("timeliness")["stats"] = ["count", "medain:days(received_at,resolved_at)"]' \
		"indicator 'timeliness' (2), member 'stats': *medain"
	refused 'ind("timeliness")["where"] = "resolved_at is not emty"' \
		"indicator 'timeliness' (2), member '"
	refused 'ind("load")["input"] = "registr"' \
		"indicator 'load' (3), member 'input': no input has the role 'registr'"
	refused 'ind("load")["id"] = "register-book"' \
		"member 'id': 'register-book' is also indicator 1's id"
	refused 'ind("register-book")["compare"] = ["previous-wave"]' \
		"indicator 'register-book' (1), member 'compare': previous-wave needs a survey input"
	refused 'ind("load")["per"] = 0' \
		"indicator 'load' (3), member 'per': takes a whole number from 1"
	refused 'd["format_version"] = 2' \
		"member 'format_version': must be 1"
	refused 'ind("trust-police")["ci"] = "logit,wilsen"' \
		"indicator 'trust-police' (5), member 'ci': unknown --ci method 'wilsen'"
}

@test "--check: every mistake at once; a text missing in a --lang language; not JSON; unreadable" {
	refused 'ind("subjects")["top"] = 0; ind("load")["chart"] = "pie"' \
		"'subjects' (4), member 'top'" \
		"'load' (3), member 'chart': unknown chart kind 'pie'"
	broken b 'del ind("load")["definition"]["uz"]'
	run civic-bulletin -b b.json --check
	assert_success
	run --separate-stderr civic-bulletin -b b.json --check --lang uz
	[ "$status" -eq 2 ]
	[[ $stderr == *"indicator 'load' (3), member 'definition': no 'uz' text"* ]]
	printf '{"format": "civic-bulletin",\n  "name": }\n' > c.json
	run --separate-stderr civic-bulletin -b c.json --check
	[ "$status" -eq 2 ]
	[[ $stderr == *"c.json:2: not a bulletin definition"* ]]
	run --separate-stderr civic-bulletin -b missing.json --check
	[ "$status" -eq 1 ]
	[[ $stderr == *"missing.json"* ]]
}

@test "the period's dates: placeholders checked on load, named by indicator and member; a run needs a period" {
	refused 'ind("timeliness")["where"] = "resolved_at > {period_middle}"' \
		"indicator 'timeliness' (2), member 'where': unknown placeholder '{period_middle}'"
	refused 'ind("timeliness")["stats"] = "count,share:received_at >= {period_end-}"' \
		"indicator 'timeliness' (2), member 'stats': placeholder '{period_end-': the days after - are 1 to 4 digits"
	refused 'ind("timeliness")["group"] = "service,days(received_at,{period_end)"' \
		"indicator 'timeliness' (2), member 'group': placeholder '{period_end' is not closed by '}'"
	refused 'ind("trust-police")["where"] = "interview_date <= {period_end}"' \
		"indicator 'trust-police' (5), member 'where': the period's dates*need an input with a period"
	refused 'ind("timeliness")["rows"] = "to-end"' \
		"indicator 'timeliness' (2), member 'rows': unknown rows 'to-end' (in-period, to-period-end)"
	refused 'ind("register-book")["where"] = "received_at >= {period_start+7}"; ind("register-book")["compare"] = ["previous-month"]' \
		"indicator 'register-book' (1), member 'compare': the period's dates*cannot be compared"
	refused 'ind("trust-police")["rows"] = "to-period-end"' \
		"indicator 'trust-police' (5), member 'rows': to-period-end needs an input with a period"
	# sound: checked without a period, refused without one, run with one
	broken h 'ind("timeliness")["where"] = "resolved_at is empty or resolved_at > {period_end}"; ind("timeliness")["rows"] = "to-period-end"; del ind("timeliness")["compare"]'
	run --separate-stderr civic-bulletin -b h.json --check
	assert_success
	[ -z "$stderr" ]
	run --separate-stderr civic-bulletin -b h.json -o out registry="$REG" survey="$SURVEY" population="$POP"
	[ "$status" -eq 2 ]
	[[ $stderr == *"indicator 'timeliness' (2) counts as of the period's end: give --period, --quarter or --year"* ]]
	[ ! -e out/all ]
	run civic-bulletin -b h.json --quarter 2024-Q2 -o out registry="$REG" survey="$SURVEY" population="$POP"
	assert_success
	# the annex with the quarter's last day; the table, the civic-tally command it gives
	grep -q "resolved_at > 2024-06-30" out/2024-Q2/report.txt
	grep -q "received_at <= 2024-06-30" out/2024-Q2/report.txt
	reference civic-tally --csv -g service -s 'count,median:days(received_at,resolved_at),share:days(received_at,resolved_at)<=15' \
		--where 'resolved_at is empty or resolved_at > 2024-06-30' --where 'received_at <= 2024-06-30' "$REG" > q.csv
	cmp q.csv out/internal/2024-Q2/tallies/timeliness.csv
}

@test "usage errors exit 2: no -b, no -o, a bad period, an unknown role, a missing role, an unknown format" {
	run civic-bulletin --check
	[ "$status" -eq 2 ]
	run bulletin --period 2024-03
	[ "$status" -eq 2 ]
	run --separate-stderr bulletin --period 2024-13 -o out
	[ "$status" -eq 2 ]
	[[ $stderr == *"--period takes yyyy-mm: '2024-13'"* ]]
	run civic-bulletin -b "$DEF" --period 2024-03 --year 2024 -o out registry="$REG"
	[ "$status" -eq 2 ]
	run --separate-stderr civic-bulletin -b "$DEF" -o out registry="$REG" survey="$SURVEY" population="$POP" regsitry="$REG"
	[ "$status" -eq 2 ]
	[[ $stderr == *"unknown role 'regsitry'"*"registry, survey, population"* ]]
	run --separate-stderr civic-bulletin -b "$DEF" -o out registry="$REG" population="$POP"
	[ "$status" -eq 2 ]
	[[ $stderr == *"no input for the role 'survey'"* ]]
	run --separate-stderr bulletin -o out -f html,pdf
	[ "$status" -eq 2 ]
	[[ $stderr == *"unknown format 'pdf'"* ]]
	run bulletin -o out --lang en,fr
	[ "$status" -eq 2 ]
	[ ! -e out/all ]
}

@test "every indicator from one read gives what civic-tally gives run by run, and partials merge to it" {
	run march
	assert_success
	local in=out/internal/2024-03 m="month(received_at) = '2024-03'"
	reference civic-tally --csv -g register -s count,share --ci wilson --where "$m" "$REG" > register-book.csv
	cmp register-book.csv "$in/tallies/register-book.csv"
	reference civic-tally --csv -g service -s 'count,median:days(received_at,resolved_at),share:days(received_at,resolved_at)<=15' \
		--where 'resolved_at is not empty' --where "$m" "$REG" > timeliness.csv
	cmp timeliness.csv "$in/tallies/timeliness.csv"
	reference civic-tally --csv -g region --per 10000 --population "$POP" --where "$m" "$REG" > load.csv
	cmp load.csv "$in/tallies/load.csv"
	reference civic-tally --csv -g channel -s count,share --sort -count --top 3 --other other --where "$m" "$REG" > subjects.csv
	cmp subjects.csv "$in/tallies/subjects.csv"
	civic-tally --csv -g region -s 'share:trust_police in (4,5)' --where 'trust_police is not empty' \
		-w weight --strata stratum --psu psu --ci logit --deff "$SURVEY" > trust.csv
	cmp trust.csv "$in/tallies/trust-police.csv"
	for t in register-book timeliness load subjects; do
		civic-tally --merge --csv -o merged.csv "$in/partials/$t.ndjson"
		cmp "$t.csv" merged.csv
	done
	civic-tally --merge --csv -o merged.csv "$in/partials/trust-police.ndjson"
	cmp trust.csv merged.csv
}

@test "the period's layout: reports per language and format, published tables readable, the rest private" {
	run bulletin --period 2024-03 --lang en,ru -f html,md,txt,xlsx -o out
	assert_success
	for l in en ru; do
		for f in html md txt xlsx; do
			[ -s "out/2024-03/report.$l.$f" ]
		done
	done
	for t in register-book timeliness load subjects trust-police; do
		[ -s "out/2024-03/tables/$t.csv" ]
		[ -s "out/internal/2024-03/partials/$t.ndjson" ]
	done
	run find out/2024-03 \( -type f ! -perm 644 \) -o \( -type d ! -perm 755 \)
	assert_output ''
	run find out/internal/2024-03 \( -type f ! -perm 600 \) -o \( -type d ! -perm 700 \)
	assert_output ''
	[ "$(stat -c %a out/internal)" = 700 ]
	grep -q 'Обращения по книгам учёта' out/2024-03/report.ru.txt
	grep -q '^Методология' out/2024-03/report.ru.txt
	ls -a out/internal | grep -v -x -e . -e .. -e 2024-03 && false
	true
}

@test "published tables hide small counts as civic-report does; the tallies keep them" {
	run march
	assert_success
	reference civic-report -f csv --codes --suppress 5 -o expected.csv out/internal/2024-03/tallies/timeliness.csv
	cmp expected.csv out/2024-03/tables/timeliness.csv
	grep -q '^forensic,3,' out/internal/2024-03/tallies/timeliness.csv
	run grep '^forensic,3,' out/2024-03/tables/timeliness.csv
	assert_failure
	grep -q 'Counts below 5 are hidden: 2 rows for being small' out/2024-03/report.txt
}

@test "the provenance names the definition by its SHA-256 and version, and every input by its own" {
	run march
	assert_success
	local sum
	sum=$(sha256sum "$DEF" | cut -d' ' -f1)
	grep -q "definition .*two.json (version 1)  sha256:$sum" out/2024-03/report.txt
	tr '\n' ' ' < out/2024-03/report.txt | grep -q "(SHA-256 $sum)"
	grep -q "$sum" out/2024-03/report.html
	grep -q "$sum" out/2024-03/report.md
	run bulletin --period 2024-04 -f json,xlsx -o out
	assert_success
	/usr/bin/python3 - out/2024-04/report.json out/2024-04/report.xlsx "$sum" <<'PY'
import json, sys, openpyxl
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["annex"]["heading"] == "Methodology", d["annex"]
assert sys.argv[3] in d["annex"]["paragraphs"][0]
assert any(f["role"] == "definition" and f["sha256"] == sys.argv[3] for f in d["provenance"]["files"]), d["provenance"]
wb = openpyxl.load_workbook(sys.argv[2])
cells = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
assert "Methodology" in cells
assert any(sys.argv[3] in c for c in cells)
PY
	sum=$(sha256sum "$REG" | cut -d' ' -f1)
	grep -q "registry=$REG  sha256:$sum" out/2024-03/report.txt
}

@test "the methodology annex: what each figure counts, its base, intervals, suppression, comparisons" {
	run march
	assert_success
	local r=out/2024-03/report.txt
	sed -n '/^Methodology$/,$p' "$r" | tr '\n' ' ' > annex
	grep -q "1. Applications by register book. Applications received in the period" annex
	grep -q "whose received_at falls in 2024-03" annex
	grep -q "Computed as: civic-tally -g register -s count,share --ci wilson --where \"month(received_at) = '2024-03'\" registry." annex
	grep -q "Intervals: wilson, at the 95% level." annex
	grep -q "Reference (share): published national split: form1 17.8%; form2 43.6%; alphabetical 38.6%." annex
	grep -q "Survey estimates are not suppressed by count" annex
	grep -q "No comparison with the previous month (2024-02): that period has not been reported." annex
}

@test "each indicator's chart as it asks, and its reference values under its table" {
	run march
	assert_success
	sed -n '/^Applications by register book$/,/^Time to resolve/p' out/2024-03/report.txt > books
	grep -q '^Share, %:$' books
	grep -q '^Reference (share): published national split: form1 17.8%; form2 43.6%; alphabetical 38.6%.$' books
	sed -n '/^Time to resolve, by service$/,/^Applications per/p' out/2024-03/report.txt > times
	run grep -c '█' times
	assert_output 0
	grep -q '<svg' out/2024-03/report.html
}

@test "comparisons: missing ones are said; once the earlier month is reported, its changes are shown" {
	run march
	assert_success
	grep -q 'no comparison with the previous month' out/2024-03/report.md
	run bulletin --period 2024-02 -o out
	assert_success
	run bulletin --period 2024-03 -o out
	assert_success
	run grep -c 'no comparison with the previous month' out/2024-03/report.md
	assert_output 0
	grep -q 'no comparison with the same month last year (2023-03)' out/2024-03/report.md
	grep -q 'Count, previous' out/2024-03/report.txt
	# The change is the difference of the two months' counts.
	local now before
	now=$(grep '^form2,' out/internal/2024-03/tallies/register-book.csv | cut -d, -f2)
	before=$(grep '^form2,' out/internal/2024-02/tallies/register-book.csv | cut -d, -f2)
	grep -E "^Form 2 journal +$now .* $before +\\+?$((now - before)) " out/2024-03/report.txt
	# A survey wave is not compared with itself.
	grep -q 'no comparison with the previous survey wave' out/2024-03/report.md
}

@test "comparisons: an indicator defined differently then is not compared, and says so" {
	run bulletin --period 2024-02 -o out
	assert_success
	broken changed 'ind("register-book")["where"] = "channel != phone_102"'
	run civic-bulletin -b changed.json --period 2024-03 -o out registry="$REG" survey="$SURVEY" population="$POP"
	assert_success
	grep -q 'Applications by register book: no comparison with the previous month (2024-02): the indicator was defined' out/2024-03/report.md
	grep -q 'Count, previous' out/2024-03/report.txt   # timeliness still compared
}

@test "a failed run publishes nothing and keeps the period published before" {
	run march
	assert_success
	cp out/2024-03/report.txt before.txt
	cut -d, -f1,3- "$REG" > noreceived.csv
	run --separate-stderr civic-bulletin -b "$DEF" --period 2024-03 -o out registry=noreceived.csv \
		survey="$SURVEY" population="$POP"
	[ "$status" -eq 1 ]
	[[ $stderr == *"no bulletin made"* ]]
	cmp before.txt out/2024-03/report.txt
	[ -d out/internal/2024-03.failed ]
	[ -f out/internal/2024-03/partials/register-book.ndjson ]
	run ls -a out/internal
	refute_output --partial '.tmp.'
	run bulletin --period 2024-03 -o out
	assert_success
	[ ! -e out/internal/2024-03.failed ]
}

@test "rejected rows go to the period's rejects; beyond --max-rejects the run fails" {
	{ head -1 "$REG"; sed -n 2,50p "$REG"; echo '24-9999999,2024-03-05,form1,x,individual,Navoi,Navoi city,written,duty_unit,forensic,s,not-a-date,transferred'; } > bad.csv
	run --separate-stderr civic-bulletin -b "$DEF" --period 2024-03 -o out registry=bad.csv survey="$SURVEY" population="$POP"
	[ "$status" -eq 1 ]
	grep -q 24-9999999 out/internal/2024-03.failed/rejects.ndjson
	run civic-bulletin -b "$DEF" --period 2024-03 --max-rejects 1 -o out registry=bad.csv survey="$SURVEY" population="$POP"
	assert_success
	[ "$(wc -l < out/internal/2024-03/rejects.ndjson)" -eq 1 ]
}

@test "--help and write errors" {
	run civic-bulletin --help
	assert_success
	assert_output --partial 'usage: civic-bulletin'
	run sh -c 'civic-bulletin --help > /dev/full'
	[ "$status" -ne 0 ]
	run civic-bulletin --version
	assert_success
}

@test "the worked example of civic-bulletin(5) checks, and its tables are the civic-tally commands it gives" {
	/usr/bin/python3 - "$CIVIC_ROOT/man/civic-bulletin.5" > example.json <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
block = text.split(".Sh A WORKED EXAMPLE", 1)[1].split(".Bd -literal -offset indent\n", 1)[1].split("\n.Ed", 1)[0]
print(block.replace("\\&", "").replace("\\e", "\\"))
PY
	run civic-bulletin -b example.json --check --lang en,ru,uz
	assert_success
	run civic-bulletin -b example.json --period 2024-03 -o out registry="$REG" survey="$SURVEY"
	assert_success
	reference civic-tally --csv -g register -s count,share --ci wilson --where "month(received_at) = '2024-03'" "$REG" > a.csv
	cmp a.csv out/internal/2024-03/tallies/register-book.csv
	civic-tally --csv -g region -s 'share:trust_police in (4,5)' --where 'trust_police is not empty' \
		-w weight --strata stratum --psu psu --ci logit --deff "$SURVEY" > b.csv
	cmp b.csv out/internal/2024-03/tallies/trust-police.csv
}

@test "README, Adding an indicator: the example added to a definition checks and runs" {
	/usr/bin/python3 - "$CIVIC_ROOT/README.md" "$DEF" > added.json <<'PY'
import json, sys
readme = open(sys.argv[1], encoding="utf-8").read()
block = readme.split("### Adding an indicator", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
d = json.load(open(sys.argv[2], encoding="utf-8"))
d["indicators"].append(json.loads(block))
json.dump(d, sys.stdout, ensure_ascii=False)
PY
	run civic-bulletin -b added.json --check --lang en,ru,uz
	assert_success
	run civic-bulletin -b added.json --period 2024-03 -o out registry="$REG" survey="$SURVEY" population="$POP"
	assert_success
	reference civic-tally --csv -g channel -s count,share --sort -count --top 3 --other other \
		--where "month(received_at) = '2024-03'" "$REG" > c.csv
	cmp c.csv out/internal/2024-03/tallies/top-channels.csv
	[ -s out/2024-03/tables/top-channels.csv ]
}

@test "--quarter and --year select the rows of the quarter or year; a month's comparison is left out of them" {
	run bulletin --quarter 2024-Q1 -o out
	assert_success
	reference civic-tally --csv -g register -s count,share --ci wilson --where "quarter(received_at) = '2024-Q1'" "$REG" > q.csv
	cmp q.csv out/internal/2024-Q1/tallies/register-book.csv
	run grep -ci 'no comparison with the previous month' out/2024-Q1/report.md
	assert_output 0
	grep -q 'Comparison with the previous month applies to periods of another length.' out/2024-Q1/report.md
	run bulletin --year 2024 -o out
	assert_success
	reference civic-tally --csv -g register -s count,share --ci wilson "$REG" > y.csv
	cmp y.csv out/internal/2024/tallies/register-book.csv
	run bulletin -o out
	assert_success
	cmp y.csv out/internal/all/tallies/register-book.csv
}

@test "a survey wave named by --wave: its rows only, and the previous wave compared" {
	{ head -1 "$SURVEY" | sed 's/$/,wave/'; tail -n +2 "$SURVEY" | awk 'NR % 2 { print $0 ",w1"; next } { print $0 ",w2" }'; } > waves.csv
	broken waved 'd["inputs"]["survey"]["wave"] = "wave"'
	run civic-bulletin -b waved.json --period 2024-02 --wave w1 -o out registry="$REG" survey=waves.csv population="$POP"
	assert_success
	run civic-bulletin -b waved.json --period 2024-03 --wave w2 -o out registry="$REG" survey=waves.csv population="$POP"
	assert_success
	civic-tally --csv -g region -s 'share:trust_police in (4,5)' --where 'trust_police is not empty' \
		--where "wave = 'w2'" -w weight --strata stratum --psu psu --ci logit --deff waves.csv > w2.csv
	cmp w2.csv out/internal/2024-03/tallies/trust-police.csv
	[ "$(cat out/internal/2024-03/waves/survey)" = w2 ]
	grep -q 'Compared with the previous survey wave (w1)' out/2024-03/report.md
	run grep -c 'no comparison with the previous survey wave' out/2024-03/report.md
	assert_output 0
}

@test "an optional input not given: its indicators are left out, and the annex says why" {
	broken opt 'd["inputs"]["survey"]["optional"] = True'
	run civic-bulletin -b opt.json --period 2024-03 -o out registry="$REG" population="$POP"
	assert_success
	[ ! -e out/2024-03/tables/trust-police.csv ]
	[ -s out/2024-03/tables/register-book.csv ]
	grep -q "Not computed: the input 'survey' was not given." out/2024-03/report.md
	run grep -c '^## Trust in the police' out/2024-03/report.md
	assert_output 0
}

@test "--without ROLE: a required input left out on purpose, its indicators reported as not computed" {
	run --separate-stderr civic-bulletin -b "$DEF" --period 2024-03 --without survey --without population \
		-o out registry="$REG"
	assert_success
	[ -s out/2024-03/tables/register-book.csv ]
	[ ! -e out/2024-03/tables/trust-police.csv ]
	[ ! -e out/2024-03/tables/load.csv ]
	[ ! -e out/internal/2024-03/tallies/load.csv ]
	grep -q "Not computed: the input 'survey' was not given." out/2024-03/report.md
	# The rate's own input was given: the annex names the one that was not.
	grep -q "Not computed: the input 'population' was not given." out/2024-03/report.md
	# The table of an input given is the one made with every input.
	reference civic-bulletin -b "$DEF" --period 2024-03 -o all registry="$REG" survey="$SURVEY" population="$POP" > /dev/null 2>&1
	diff all/2024-03/tables/register-book.csv out/2024-03/tables/register-book.csv
	run --separate-stderr civic-bulletin -b "$DEF" --without wave -o out registry="$REG"
	assert_failure 2
	[[ $stderr == *"unknown role 'wave'"* ]]
	run --separate-stderr civic-bulletin -b "$DEF" --without survey -o out registry="$REG" survey="$SURVEY" population="$POP"
	assert_failure 2
	[[ $stderr == *"the role 'survey' is given and --without it"* ]]
	run --separate-stderr civic-bulletin -b "$DEF" --check --without survey
	assert_failure 2
}

@test "one read of each input, whatever the number of indicators: the registry is opened three times (a look at its first bytes for a workbook, the read, the hash)" {
	command -v strace > /dev/null || skip "strace is not installed"
	[ "${VALGRIND:-}" = 1 ] && skip "the valgrind wrapper opens files of its own"
	cp "$REG" reg.csv
	# LeakSanitizer cannot run under ptrace: off for this run only (SANITIZE=1).
	ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" \
		run strace -f -e trace=open,openat -o trace civic-bulletin -b "$DEF" --period 2024-03 -o out \
		registry=reg.csv survey="$SURVEY" population="$POP"
	assert_success
	# Four indicators read the registry; a run each would open it eight times
	# (the reader looks at a file's first 8 bytes to tell a workbook apart).
	run grep -c '"reg.csv"' trace
	assert_output 3
}

# Thresholds per indicator: two indicators counting the same records, one
# hidden below 3, the other below 8 (fixtures/bulletin/thresholds.json).
@test "suppress per indicator: each table at its own k, a cell hidden in one hidden in the other" {
	run civic-bulletin -b "$FIXTURES/bulletin/thresholds.json" --year 2024 -f json,txt -o out registry="$REG"
	assert_success
	# Independently: the year's counts by region and channel from the rows.
	/usr/bin/python3 - "$REG" out/2024/tables/by-region-k3.csv out/2024/tables/by-region-k8.csv <<'PY'
import collections, csv, sys
truth = collections.Counter()
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    if r["received_at"].startswith("2024"):
        truth[(r["region"], r["channel"])] += 1
truth[("Total", "Total")] = sum(truth.values())
tables = {}
for path, k in ((sys.argv[2], 3), (sys.argv[3], 8)):
    rows = {(r["region"], r["channel"]): r for r in csv.DictReader(open(path, encoding="utf-8"))}
    assert set(rows) == {c for c, v in truth.items() if v > 0}, path
    for c, r in rows.items():
        primary = 1 <= truth[c] < k
        assert ("suppressed" in r["flags"].split()) == primary, (path, c, truth[c], r)
        assert r["count"] == "" or int(r["count"]) == truth[c], (path, c, truth[c], r)
        assert (r["count"] == "") == (r["flags"] != ""), (path, c, r)
    tables[k] = rows
# What either table hides as small, neither shows: the same counts.
must = {c for c, v in truth.items() if 1 <= v < 8}
assert must, "the fixture has no count below 8"
assert 1 <= len({c for c in must if truth[c] >= 3}), "no count from 3 to 7: nothing to test"
for k, rows in tables.items():
    shown = {c for c in must if rows[c]["count"] != ""}
    assert not shown, (k, sorted(shown))
PY
	# A reader knowing both tables count the same records recovers nothing.
	/usr/bin/python3 "$BATS_TEST_DIRNAME/disclosure-attack.py" --published out/2024/report.json --k 3,8 --same-base
	grep -q "This table's threshold (3) is its own" out/2024/report.txt
	grep -q "This table's threshold (8) is its own" out/2024/report.txt
	grep -q "Counts below 8 are hidden: " out/2024/report.txt
	grep -q "each table at its own threshold" out/2024/report.txt
}

@test "suppress per indicator: a value other than 0 or a whole number from 2 is refused, naming the indicator" {
	for v in 1 -3 2.5 '"5"' true; do
		broken s "ind('load')['suppress'] = json.loads('$v')"
		run --separate-stderr civic-bulletin -b s.json --check
		[ "$status" -eq 2 ]
		[[ $stderr == *"indicator 'load' (3), member 'suppress': "* ]]
	done
	broken t "ind('load')['suppress'] = 12"
	civic-bulletin -b t.json --check
}
