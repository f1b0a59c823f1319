#!/usr/bin/env bats
# tests/oracle.bash: an oracle's result reused only for the same input.
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
	run oracle sh -c "$TWICE" sh x a/in.csv
	assert_success
	assert_output "$(printf 'x:\none,1\ntwo,2')"
	run oracle sh -c "$TWICE" sh x b/in.csv
	assert_success
	assert_output "$(printf 'x:\none,1\ntwo,2')"
	[ "$(runs)" -eq 1 ]
}

@test "oracle: one byte changed in a file, another word or another file name is a new run" {
	oracle sh -c "$TWICE" sh x a/in.csv > first
	printf 'one,1\ntwo,3\n' > b/in.csv
	run oracle sh -c "$TWICE" sh x b/in.csv
	assert_output "$(printf 'x:\none,1\ntwo,3')"
	[ "$(runs)" -eq 2 ]
	run oracle sh -c "$TWICE" sh y a/in.csv
	assert_output "$(printf 'y:\none,1\ntwo,2')"
	[ "$(runs)" -eq 3 ]
	cp a/in.csv a/other.csv
	oracle sh -c "$TWICE" sh x a/other.csv > /dev/null
	[ "$(runs)" -eq 4 ]
	run oracle sh -c "$TWICE" sh x a/in.csv
	assert_output "$(cat first)"
	[ "$(runs)" -eq 4 ]
}

@test "oracle: standard input is keyed when a word is -, and never read otherwise" {
	run oracle sh -c "$TWICE" sh x a/in.csv - <<< 'first'
	assert_output "$(printf 'x:\none,1\ntwo,2\nfirst')"
	run oracle sh -c "$TWICE" sh x a/in.csv - <<< 'first'
	[ "$(runs)" -eq 1 ]
	run oracle sh -c "$TWICE" sh x a/in.csv - <<< 'firsT'
	assert_output "$(printf 'x:\none,1\ntwo,2\nfirsT')"
	[ "$(runs)" -eq 2 ]
	run oracle cat <<< 'unkeyed'
	assert_success
	assert_output ""
	unset CIVIC_ORACLE_CACHE
	run oracle cat <<< 'unkeyed'
	assert_output ""
	run oracle sh -c "$TWICE" sh x a/in.csv - <<< 'first'
	assert_output "$(printf 'x:\none,1\ntwo,2\nfirst')"
}

@test "oracle: stderr is replayed; a failure is not kept; a directory word is never cached" {
	run --separate-stderr oracle sh -c 'echo run >> "$RUNS"; echo out; echo err >&2' sh a/in.csv
	run --separate-stderr oracle sh -c 'echo run >> "$RUNS"; echo out; echo err >&2' sh a/in.csv
	assert_output out
	[ "$stderr" = err ]
	[ "$(runs)" -eq 1 ]
	run oracle sh -c 'echo run >> "$RUNS"; echo half; exit 4' sh a/in.csv
	assert_failure 4
	assert_output half
	run oracle sh -c 'echo run >> "$RUNS"; echo half; exit 4' sh a/in.csv
	assert_failure 4
	[ "$(runs)" -eq 3 ]
	oracle sh -c 'echo run >> "$RUNS"; echo made > "$1/out"' sh a
	oracle sh -c 'echo run >> "$RUNS"; echo made > "$1/out"' sh a
	[ "$(runs)" -eq 5 ]
	[ "$(cat a/out)" = made ]
}

@test "oracle: without CIVIC_ORACLE_CACHE every call runs" {
	unset CIVIC_ORACLE_CACHE
	oracle sh -c "$TWICE" sh x a/in.csv > /dev/null
	run oracle sh -c "$TWICE" sh x a/in.csv
	assert_output "$(printf 'x:\none,1\ntwo,2')"
	[ "$(runs)" -eq 2 ]
}
