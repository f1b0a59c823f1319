#!/usr/bin/env bats
# The documentation tells the truth: man pages lint clean, each command's
# --help synopsis is its man page's SYNOPSIS, every command has a page, and
# every example of every page runs (as jq runs its manual).

load helper

# Every command: the C ones (bin/NAME.c) and those written in shell, which
# live in bin/ as they are (civic-monthly).
commands() {
	local f
	for f in "$CIVIC_ROOT"/bin/civic*; do
		case $f in
		*.c) basename "$f" .c ;;
		*) [ "$(head -c 2 "$f")" = '#!' ] && basename "$f" ;;
		esac
	done | sort -u
}

synopsis_from_man() {
	mandoc -Tascii "$1" | col -b | sed -n '/^SYNOPSIS/,/^[A-Z]/p' | sed '1d;$d' | tr -s ' \t\n' ' ' | sed 's/^ //;s/ $//'
}

synopsis_from_help() {
	"$1" --help | sed '/^$/,$d' | sed 's/^usage://' | tr -s ' \t\n' ' ' | sed 's/^ //;s/ $//'
}

@test "every man page passes mandoc -Tlint" {
	for page in "$CIVIC_ROOT"/man/*.[157]; do
		run mandoc -Tlint -W warning "$page"
		assert_success
		assert_output ''
	done
}

@test "every command has a man page and --help matches its SYNOPSIS" {
	local n=0
	for cmd in $(commands); do
		page="$CIVIC_ROOT/man/$cmd.1"
		[ -f "$page" ] || fail "no man page for $cmd"
		assert_equal "$(synopsis_from_help "$CIVIC_ROOT/bin/$cmd")" "$(synopsis_from_man "$page")"
		n=$((n + 1))
	done
	[ "$n" -ge 6 ]
}

@test "every command documents the exit statuses 0, 1 and 2, each an item of EXIT STATUS" {
	for cmd in $(commands); do
		page="$CIVIC_ROOT/man/$cmd.1"
		section=$(mandoc -Tascii "$page" | col -b | sed -n '/^EXIT STATUS/,/^[A-Z]/p')
		[ -n "$section" ] || fail "$cmd(1) has no EXIT STATUS section"
		for status in 0 1 2; do
			printf '%s\n' "$section" | grep -Eq "^[[:space:]]+$status[[:space:]]+[[:alpha:]-]" ||
				fail "$cmd(1): EXIT STATUS has no item for $status"
		done
	done
}

@test "the statuses the pages document are the ones the commands return" {
	for cmd in $(commands); do
		run "$CIVIC_ROOT/bin/$cmd" --help
		[ "$status" -eq 0 ] || fail "$cmd --help: status $status, not 0"
		run "$CIVIC_ROOT/bin/$cmd" --no-such-option
		[ "$status" -eq 2 ] || fail "$cmd --no-such-option: status $status, not 2"
	done
	for cmd in civic-ingest civic-classify civic-tally civic-report; do
		args=
		[ "$cmd" = civic-classify ] && args='-r subjects.rules'
		run "$CIVIC_ROOT/bin/$cmd" $args /nonexistent/input.csv
		[ "$status" -eq 1 ] || fail "$cmd on a missing file: status $status, not 1"
	done
}

@test "--help exits 0 and writes to standard output only" {
	for cmd in $(commands); do
		run --separate-stderr "$CIVIC_ROOT/bin/$cmd" --help
		assert_success
		assert_equal "$stderr" ''
		assert_output --partial 'usage:'
	done
}

@test "civic(7) names every command" {
	run sh -c "mandoc -Tascii '$CIVIC_ROOT/man/civic.7' | col -b"
	for cmd in $(commands); do
		[ "$cmd" = civic ] || assert_output --partial "$cmd"
	done
}

@test "the README starts with the two commands that do everything" {
	run sed -n '1,30p' "$CIVIC_ROOT/README.md"
	assert_output --partial 'make demo'
	assert_output --partial 'make check'
}

@test "civic --help lists every command" {
	run civic --help
	for cmd in $(commands); do
		[ "$cmd" = civic ] || assert_line --regexp "^  ${cmd#civic-} +"
	done
}

# --- every example of every page runs --------------------------------------
#
# tests/man-examples.py takes the EXAMPLES of a page apart; each page's
# examples then run in order, in one scratch directory holding the files
# they name (example_fixtures), each under bash -e -o pipefail, and must
# exit with the status the page documents (0 unless it says otherwise).

# Hadoop Streaming as its documentation describes the contract a streaming
# job relies on: each map task reads whole lines of its split of -input on
# standard input; the map outputs are sorted by key (a line up to its first
# tab, the whole line when it has none) and a reducer reads them on standard
# input; its output goes to -output/part-00000, a directory that must not
# exist yet.  Two map tasks, so a job that only works on one split fails.
fake_hadoop() {
	mkdir -p fakebin
	cat > fakebin/hadoop <<'HADOOP'
#!/bin/sh
set -eu
[ "$1" = jar ] || { echo "fake hadoop: only 'hadoop jar' is known" >&2; exit 2; }
shift 2
while [ $# -gt 0 ]; do
	case $1 in
	-input) input=$2 ;;
	-output) output=$2 ;;
	-mapper) mapper=$2 ;;
	-reducer) reducer=$2 ;;
	-numReduceTasks) [ "$2" = 1 ] || { echo "fake hadoop: one reducer only" >&2; exit 2; } ;;
	*) echo "fake hadoop: unknown option $1" >&2; exit 2 ;;
	esac
	shift 2
done
[ ! -e "$output" ] || { echo "fake hadoop: output directory $output already exists" >&2; exit 1; }
mkdir "$output"
half=$(( ($(wc -l < "$input") + 1) / 2 ))
split -l "$half" "$input" "$output/.split."
for s in "$output"/.split.*; do
	sh -c "$mapper" < "$s" > "$s.map"
done
cat "$output"/.split.*.map | LC_ALL=C sort | sh -c "$reducer" > "$output/part-00000"
rm -f "$output"/.split.*
HADOOP
	chmod +x fakebin/hadoop
	PATH="$PWD/fakebin:$PATH"
}

# The year of last month, which civic-monthly reports by default.
last_months_year() {
	date -d "$(date +%Y-%m-15) -1 month" +%Y
}

# The files the examples of page $1 name, in the current directory.
example_fixtures() {
	local year
	gen-registry -n 1500 --seed 3 > raw.csv
	cp raw.csv export.csv
	gen-registry -n 1500 --seed 3 --canonical --category > registry.csv
	cp registry.csv clean.csv
	cp "$FIXTURES/survey/data/trust_survey_numeric.csv" survey.csv
	case $1 in
	civic-classify.1)
		cp "$FIXTURES/docs/my.rules" "$FIXTURES/docs/office.rules" .
		cp "$FIXTURES/survey/data/trust_survey_labels.csv" survey.csv ;;
	civic-ingest.1)
		mkdir -p raw etc/civic
		printf 'a key for the examples of the manual\n' > etc/civic/key
		gen-registry -n 400 --seed 5 | iconv -f UTF-8 -t CP1251//TRANSLIT > raw/2024-05-01.csv
		gen-registry -n 400 --seed 6 | iconv -f UTF-8 -t CP1251//TRANSLIT > raw/2024-05-02.csv
		mkdir -p offices && cp "$FIXTURES"/ingest/offices/office*.csv offices/
		cp "$FIXTURES/ingest/offices/offices.json" .
		cp "$FIXTURES/workbooks/xlsx/sheets.xlsx" export.xlsx ;;
	civic-report.1)
		for m in 02 03; do
			{ head -1 registry.csv; grep -F ",2024-$m-" registry.csv; } |
				civic-tally -g register -s count,share > "2024-$m.csv"
		done
		mkdir -p srv/civic/exports
		year=$(last_months_year)
		gen-registry -n 1200 --seed 7 --year "$year" > "srv/civic/exports/$year.csv" ;;
	civic-monthly.1)
		mkdir -p exports srv/civic/exports etc/civic
		printf 'a key for the examples of the manual\n' > etc/civic/key
		gen-registry -n 1200 --seed 8 --year 2024 > exports/2024.csv
		gen-survey -n 800 --seed 1 --wave 2024 | civic-ingest -q -s trust-survey.json > survey.csv
		cp "$CIVIC_ROOT/share/civic/sample/population.csv" .
		year=$(last_months_year)
		gen-registry -n 1200 --seed 7 --year "$year" > "srv/civic/exports/$year.csv" ;;
	civic-bulletin.1)
		cp "$FIXTURES/bulletin/two.json" bulletin.json
		cp "$CIVIC_ROOT/share/civic/sample/population.csv" . ;;
	civic-tally.1)
		mkdir -p raw state
		cp "$CIVIC_ROOT/share/civic/sample/population.csv" .
		gen-registry -n 300 --seed 9 > raw/2024-04.csv
		cp "$FIXTURES/docs/replicates.csv" .
		fake_hadoop ;;
	esac
}

# Runs the examples of man/$1; fails with the first that does not exit as
# documented, showing it and what it said.
run_page_examples() {
	local page="$CIVIC_ROOT/man/$1" ex=$BATS_TEST_TMPDIR/examples as_is= n want got
	case $1 in *.5) as_is=--as-is ;; esac
	n=$(python3 "$CIVIC_ROOT/tests/man-examples.py" $as_is "$page" "$ex") || fail "$1: cannot read its examples"
	[ "$n" -gt 0 ] || fail "$1: no examples"
	mkdir -p "$BATS_TEST_TMPDIR/run" && cd "$BATS_TEST_TMPDIR/run"
	example_fixtures "$1"
	for f in "$ex"/*.example; do
		want=$(cat "${f%.example}.exit")
		got=0
		if [ -n "$as_is" ]; then
			civic-classify --check -r "$f" > "$f.out" 2> "$f.err" || got=$?
		else
			bash -e -o pipefail "$f" > "$f.out" 2> "$f.err" || got=$?
		fi
		[ "$got" = "$want" ] ||
			fail "$(printf '%s: example %s exited %s, not %s:\n%s\n--- its standard error:\n%s' \
				"$1" "$(basename "$f" .example)" "$got" "$want" "$(cat "$f")" "$(tail -20 "$f.err")")"
	done
}

@test "every man page with examples is one this file runs" {
	local page
	for page in "$CIVIC_ROOT"/man/*.[157]; do
		grep -q '^\.Sh EXAMPLES' "$page" || continue
		grep -q "^@test \"examples: $(basename "$page")\"" "$BATS_TEST_FILENAME" ||
			fail "$(basename "$page") has examples that no test runs"
	done
}

@test "examples: civic.1" { run_page_examples civic.1; }
@test "examples: civic-ingest.1" { run_page_examples civic-ingest.1; }
@test "examples: civic-classify.1" { run_page_examples civic-classify.1; }
@test "examples: civic-tally.1" { run_page_examples civic-tally.1; }
@test "examples: civic-bulletin.1" { run_page_examples civic-bulletin.1; }
@test "examples: civic-filter.1" { run_page_examples civic-filter.1; }
@test "examples: civic-report.1" { run_page_examples civic-report.1; }
@test "examples: civic-monthly.1" { run_page_examples civic-monthly.1; }
@test "examples: civic-rules.5" { run_page_examples civic-rules.5; }

@test "the example runner fails an example that is not valid shell, or exits otherwise than documented" {
	cd "$BATS_TEST_TMPDIR"
	cat > bad.1 <<'PAGE'
.Sh EXAMPLES
.Bd -literal -offset indent
civic-tally -s count,median:days(received_at,resolved_at) registry.csv
.Ed
.\" exit: 2
.Dl civic-tally -s meen:x registry.csv
.Dl 30 3 2 * *  ls /srv/civic/reports \e
.Sh SEE ALSO
PAGE
	run python3 "$CIVIC_ROOT/tests/man-examples.py" bad.1 ex
	assert_output 3
	assert_equal "$(cat ex/02.exit ex/03.example)" '2
ls $PWD/srv/civic/reports \'
	run bash -e -o pipefail ex/01.example
	assert_failure 2
	assert_output --partial 'syntax error'
	printf '.Sh EXAMPLES\n.Dl echo \\(xx\n' > escape.1
	run python3 "$CIVIC_ROOT/tests/man-examples.py" escape.1 ex2
	assert_failure 1
	assert_output 'escape.1:2: unknown mdoc escape \(xx in an example'
}
