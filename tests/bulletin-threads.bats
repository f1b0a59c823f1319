#!/usr/bin/env bats
# civic-bulletin on two threads: the second half of a large input tallied
# for every indicator on a second thread and merged gives, byte for byte,
# the bulletin of one thread (and so of the civic-tally runs it stands
# for); a reject in the second half or -j 1 keeps it on one.
# CIVIC_THREADS=2 splits any input, however small, so the data stays light.

load helper

setup() {
	setup_scratch
	DEF="$CIVIC_ROOT/scripts/bench-bulletin.json"
	POP="$CIVIC_ROOT/share/civic/sample/population.csv"
	export SOURCE_DATE_EPOCH=1709251200
	local n=20000
	[ "${VALGRIND:-}" = 1 ] && n=1500
	"$CIVIC_ROOT/scripts/gen-registry" -n "$n" --seed 18 --canonical > reg.csv
	"$CIVIC_ROOT/scripts/gen-survey" -n 400 --seed 18 > survey.csv
}

# run_in DIR [ENV...]: civic-bulletin in DIR, output in DIR/out, standard
# error in DIR/stderr (the same command line in every DIR).
run_in() {
	local dir=$1
	shift
	mkdir -p "$dir"
	(cd "$dir" && env "$@" civic-bulletin -b "$DEF" --year 2024 --max-rejects 1 -o out registry=../reg.csv \
		survey=../survey.csv population="$POP" 2> stderr)
}

# no_split DIR/FILE: the standard error says nothing of a second half.
no_split() {
	run grep -c 'second half' "$1"
	assert_output 0
}

@test "two threads merge every indicator's halves into one thread's bytes: reports, tables, partials" {
	run_in one CIVIC_THREADS=1
	run_in two CIVIC_THREADS=2 CIVIC_THREADS_REPORT=1
	grep -q 'reg.csv: second half tallied on a second thread and merged' two/stderr
	no_split one/stderr
	diff -r one/out two/out
	# and the one-thread tables are civic-tally's
	CIVIC_THREADS=1 civic-tally --csv -g service \
		-s 'count,median:days(received_at,resolved_at),share:days(received_at,resolved_at)<=15' \
		--where 'resolved_at is not empty' --where "year(received_at) = '2024'" reg.csv > timeliness.csv
	cmp timeliness.csv two/out/internal/2024/tallies/timeliness.csv
	CIVIC_THREADS=1 civic-tally --csv -g 'month(received_at),register' -s count,share \
		--within 'month(received_at)' --where "year(received_at) = '2024'" reg.csv > books-month.csv
	cmp books-month.csv two/out/internal/2024/tallies/books-month.csv
}

@test "a reject in the second half: read again on one thread, the same bytes and rejects as one thread" {
	/usr/bin/python3 - reg.csv <<'PY'
import sys
rows = open(sys.argv[1]).read().split("\n")
i = len(rows) * 3 // 4
f = rows[i].split(",")
f[1] = "2024-13-45"     # received_at: no such date, rejected by the period's condition
rows[i] = ",".join(f)
open(sys.argv[1], "w").write("\n".join(rows))
PY
	run_in one CIVIC_THREADS=1
	run_in two CIVIC_THREADS=2 CIVIC_THREADS_REPORT=1
	grep -q 'reg.csv: second half read again on one thread' two/stderr
	diff -r one/out two/out
	[ "$(wc -l < two/out/internal/2024/rejects.ndjson)" -eq 1 ]
}

@test "-j 1 keeps one thread whatever CIVIC_THREADS says; -j takes 1 or 2" {
	CIVIC_THREADS=2 CIVIC_THREADS_REPORT=1 civic-bulletin -j 1 -b "$DEF" --year 2024 -o out \
		registry=reg.csv survey=survey.csv population="$POP" 2> stderr
	no_split stderr
	run --separate-stderr civic-bulletin -j 3 -b "$DEF" --year 2024 -o out registry=reg.csv
	[ "$status" -eq 2 ]
	[[ $stderr == *"-j takes 1 or 2 threads: '3'"* ]]
}

@test "an indicator counting rows up to the period's end: the input split across two threads gives one thread's bytes" {
	local t n=20000
	[ "${VALGRIND:-}" = 1 ] && n=1500
	# the shipped definition reads the subjects' categories too
	"$CIVIC_ROOT/scripts/gen-registry" -n "$n" --seed 18 --canonical --category > reg.csv
	for t in 1 2; do
		mkdir -p "dir$t"
		(cd "dir$t" && CIVIC_THREADS=$t CIVIC_THREADS_REPORT=1 civic-bulletin \
			-b "$CIVIC_DATADIR/bulletins/cooperation-trust.json" --period 2024-06 -f txt -o out \
			registry=../reg.csv --without survey --without population 2> stderr)
	done
	grep -q 'reg.csv: second half tallied on a second thread and merged' dir2/stderr
	no_split dir1/stderr
	diff -r dir1/out/internal/2024-06/tallies dir2/out/internal/2024-06/tallies
	diff dir1/out/2024-06/tables/pending-at-period-end.csv dir2/out/2024-06/tables/pending-at-period-end.csv
}
