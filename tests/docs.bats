#!/usr/bin/env bats
# The documentation tells the truth: man pages lint clean, each command's
# --help synopsis is its man page's SYNOPSIS, and every command has a page.

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

@test "every command documents the exit statuses 0, 1 and 2" {
	for cmd in $(commands); do
		page="$CIVIC_ROOT/man/$cmd.1"
		run sh -c "mandoc -Tascii '$page' | col -b | sed -n '/^EXIT STATUS/,/^[A-Z]/p'"
		assert_output --regexp '0'
		assert_output --regexp '1'
		assert_output --regexp '2'
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

