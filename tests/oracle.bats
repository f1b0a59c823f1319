#!/usr/bin/env bats
# tests/oracle.bash, oracle_once: an oracle's result reused only for the same input.
# The oracle here is a shell command that notes each real run in $RUNS
# (from the environment, which the key leaves out on purpose here).

load helper

setup() {
	setup_scratch
	export CIVIC_ORACLE_CACHE="$SCRATCH/cache" RUNS="$SCRATCH/runs"
	mkdir "$CIVIC_ORACLE_CACHE" a b
	: > "$RUNS"
	printf 'one,1\ntwo,2\n' > a/in.csv
	cp a/in.csv b/in.csv
	TWICE='echo run >> "$RUNS"; echo "$1:"; cat "$2"; [ "$#" -lt 3 ] || cat'
}

runs() { wc -l < "$RUNS"; }

@test "oracle: the same command and file contents, in another directory, are run once" {
	run oracle_once sh -c "$TWICE" sh x a/in.csv
	assert_success
	assert_output "$(printf 'x:\none,1\ntwo,2')"
	run oracle_once sh -c "$TWICE" sh x b/in.csv
	assert_success
	assert_output "$(printf 'x:\none,1\ntwo,2')"
	[ "$(runs)" -eq 1 ]
}

@test "oracle: one byte changed in a file, another word or another file name is a new run" {
	oracle_once sh -c "$TWICE" sh x a/in.csv > first
	printf 'one,1\ntwo,3\n' > b/in.csv
	run oracle_once sh -c "$TWICE" sh x b/in.csv
	assert_output "$(printf 'x:\none,1\ntwo,3')"
	[ "$(runs)" -eq 2 ]
	run oracle_once sh -c "$TWICE" sh y a/in.csv
	assert_output "$(printf 'y:\none,1\ntwo,2')"
	[ "$(runs)" -eq 3 ]
	cp a/in.csv a/other.csv
	oracle_once sh -c "$TWICE" sh x a/other.csv > /dev/null
	[ "$(runs)" -eq 4 ]
	run oracle_once sh -c "$TWICE" sh x a/in.csv
	assert_output "$(cat first)"
	[ "$(runs)" -eq 4 ]
}

@test "oracle: standard input is keyed when a word is -, and never read otherwise" {
	run oracle_once sh -c "$TWICE" sh x a/in.csv - <<< 'first'
	assert_output "$(printf 'x:\none,1\ntwo,2\nfirst')"
	run oracle_once sh -c "$TWICE" sh x a/in.csv - <<< 'first'
	[ "$(runs)" -eq 1 ]
	run oracle_once sh -c "$TWICE" sh x a/in.csv - <<< 'firsT'
	assert_output "$(printf 'x:\none,1\ntwo,2\nfirsT')"
	[ "$(runs)" -eq 2 ]
	run oracle_once cat <<< 'unkeyed'
	assert_success
	assert_output ""
	unset CIVIC_ORACLE_CACHE
	run oracle_once cat <<< 'unkeyed'
	assert_output ""
	run oracle_once sh -c "$TWICE" sh x a/in.csv - <<< 'first'
	assert_output "$(printf 'x:\none,1\ntwo,2\nfirst')"
}

@test "oracle: stderr is replayed; a failure is not kept; a directory word is never cached" {
	run --separate-stderr oracle_once sh -c 'echo run >> "$RUNS"; echo out; echo err >&2' sh a/in.csv
	run --separate-stderr oracle_once sh -c 'echo run >> "$RUNS"; echo out; echo err >&2' sh a/in.csv
	assert_output out
	[ "$stderr" = err ]
	[ "$(runs)" -eq 1 ]
	run oracle_once sh -c 'echo run >> "$RUNS"; echo half; exit 4' sh a/in.csv
	assert_failure 4
	assert_output half
	run oracle_once sh -c 'echo run >> "$RUNS"; echo half; exit 4' sh a/in.csv
	assert_failure 4
	[ "$(runs)" -eq 3 ]
	oracle_once sh -c 'echo run >> "$RUNS"; echo made > "$1/out"' sh a
	oracle_once sh -c 'echo run >> "$RUNS"; echo made > "$1/out"' sh a
	[ "$(runs)" -eq 5 ]
	[ "$(cat a/out)" = made ]
}

@test "oracle: without CIVIC_ORACLE_CACHE every call runs" {
	unset CIVIC_ORACLE_CACHE
	oracle_once sh -c "$TWICE" sh x a/in.csv > /dev/null
	run oracle_once sh -c "$TWICE" sh x a/in.csv
	assert_output "$(printf 'x:\none,1\ntwo,2')"
	[ "$(runs)" -eq 2 ]
}

@test "oracle: --into DIR keeps and restores the files written there, keyed by what DIR held" {
	WRITE='echo run >> "$RUNS"; cat "$1/seed" "$2" > "$1/out"; mkdir "$1/sub"; echo deep > "$1/sub/f"; rm "$1/seed"; echo done'
	mkdir r1 r2 r3
	echo 7 > r1/seed
	echo 7 > r2/seed
	echo 8 > r3/seed
	run oracle_once --into r1 sh -c "$WRITE" sh r1 a/in.csv
	assert_output done
	run oracle_once --into r2 sh -c "$WRITE" sh r2 b/in.csv
	assert_output done
	[ "$(runs)" -eq 1 ]
	diff -r r1 r2
	[ ! -e r2/seed ]
	[ "$(cat r2/sub/f)" = deep ]
	run oracle_once --into r3 sh -c "$WRITE" sh r3 a/in.csv
	[ "$(runs)" -eq 2 ]
	[ "$(head -1 r3/out)" = 8 ]
}
