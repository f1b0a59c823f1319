#!/usr/bin/env bats
# The civic dispatcher and the build's install/uninstall.

load helper

setup() {
	setup_scratch
}

# make install builds the commands for its PREFIX (their data directory is
# compiled in), so it runs in a copy of the tree: rebuilding the checkout
# itself would swap the binaries under the other tests using it (CI runs two
# test files at once from one checkout) and leave them built for /usr.
setup_file() {
	export INSTALL_TREE="$BATS_FILE_TMPDIR/tree"
	mkdir -p "$INSTALL_TREE"
	tar -C "$CIVIC_ROOT" --exclude=./.git --exclude=./bench-out -cf - . | tar -C "$INSTALL_TREE" -xf -
}

@test "civic COMMAND runs civic-COMMAND with the arguments" {
	run civic ingest --version
	assert_success
	assert_output --regexp '^civic-ingest \(civic\) '
	printf 'a;b\n1;2\n' > in.csv
	run civic ingest -q in.csv
	assert_output $'a,b\n1,2'
}

@test "civic --help lists the commands with one line each" {
	run civic --help
	assert_success
	assert_line --regexp '^  ingest +turn raw registry'
	assert_line --regexp '^  classify +'
	assert_line --regexp '^  tally +'
	assert_line --regexp '^  report +'
	assert_line --regexp '^  monthly +the monthly reporting job'
}

@test "civic monthly runs the cron job, a command like the others" {
	run --separate-stderr civic monthly --help
	assert_success
	assert_line --index 0 --partial 'usage: civic-monthly '
	# Found beside civic, not through PATH.
	run --separate-stderr env PATH=/usr/bin:/bin "$CIVIC_ROOT/bin/civic" monthly --version
	assert_success
	assert_output --regexp '^civic-monthly \(civic\) '
}

@test "civic --version" {
	run civic --version
	assert_success
	assert_output --regexp '^civic [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "no command or an unknown one is a usage error" {
	run civic
	assert_failure 2
	assert_line --index 0 'civic: a command is required'
	run civic frobnicate
	assert_failure 2
	assert_line --index 0 "civic: 'frobnicate' is not a civic command (see 'civic --help')"
	run civic ../bin/civic-ingest
	assert_failure 2
}

@test "make install puts binaries, man pages and share/civic under DESTDIR; uninstall removes exactly them" {
	stage="$SCRATCH/stage"
	run make -s -C "$INSTALL_TREE" install DESTDIR="$stage" PREFIX=/usr
	assert_success
	[ -x "$stage/usr/bin/civic-ingest" ]
	[ -x "$stage/usr/bin/civic" ]
	[ -x "$stage/usr/bin/civic-monthly" ]
	[ -f "$stage/usr/share/man/man1/civic-ingest.1" ]
	[ -f "$stage/usr/share/man/man1/civic-monthly.1" ]
	[ -f "$stage/usr/share/man/man7/civic.7" ]
	[ -f "$stage/usr/share/civic/schemas/registry.json" ]
	mkdir -p "$stage/usr/bin/keep" && touch "$stage/usr/share/man/man1/other.1"
	run make -s -C "$INSTALL_TREE" uninstall DESTDIR="$stage" PREFIX=/usr
	assert_success
	run find "$stage" -type f
	assert_output "$stage/usr/share/man/man1/other.1"
	[ -d "$stage/usr/bin/keep" ]
}

@test "the installed cron job runs from PATH, with the installed commands and schemas" {
	stage="$SCRATCH/stage"
	make -s -C "$INSTALL_TREE" install DESTDIR="$stage" PREFIX=/usr
	mkdir raw
	printf 'reg_no;received;register\n1;05.01.2024;Form 1\n2;06.01.2024;Form 2\n' > raw/in.csv
	run --separate-stderr env -u CIVIC_DATADIR PATH="$stage/usr/bin:/usr/bin:/bin" civic monthly -m 2024-01 -o out raw
	assert_success
	assert_equal "$stderr" "civic-monthly: 2024-01: report in $SCRATCH/out/2024-01/"
	# The installed bulletin definition, named in the report's provenance.
	run grep -F "definition $stage/usr/share/civic/bulletins/cooperation-trust.json (version " out/2024-01/report.txt
	assert_success
}

@test "an installed command finds the installed schemas beside it" {
	stage="$SCRATCH/stage"
	make -s -C "$INSTALL_TREE" install DESTDIR="$stage" PREFIX=/usr
	printf 'reg_no;received;register\n1;05.01.2024;Form 1\n' > in.csv
	run env -u CIVIC_DATADIR "$stage/usr/bin/civic-ingest" -q -s registry.json in.csv
	assert_success
	assert_line --index 1 '1,2024-01-05,Form 1,,,,,,,,,'
}
