# Loaded by every tests/*.bats: the built commands first on PATH, a
# predictable locale, a private scratch directory, and bats-assert.
#
#   VALGRIND=1  every civic command runs under valgrind (errors and leaks fail)
#   SANITIZE=1  the binaries were built with ASan+UBSan by `make check SANITIZE=1`

bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

CIVIC_ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
FIXTURES="$CIVIC_ROOT/tests/fixtures"
export LC_ALL=C.UTF-8
export CIVIC_DATADIR="$CIVIC_ROOT/share/civic"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=99"

civic_path() {
	if [ "${VALGRIND:-}" = 1 ]; then
		local wrap="$BATS_RUN_TMPDIR/valgrind-bin"
		if [ ! -d "$wrap" ]; then
			mkdir -p "$wrap"
			local cmd
			for cmd in "$CIVIC_ROOT"/bin/civic*; do
				[ -x "$cmd" ] && [ "${cmd%.c}" = "$cmd" ] || continue
				# --read-inline-info=no: a tenth less start-up per command
				# (reports lose inlined frames, not errors or leaks).
				# --vgdb=no: no gdbserver pipes in $TMPDIR, where tests
				# look for civic's own temporary files.
				local run='valgrind -q --error-exitcode=98 --leak-check=full --errors-for-leak-kinds=definite,indirect --read-inline-info=no --vgdb=no'
				# A shell script (civic-monthly) runs as it is.
				[ "$(head -c 2 "$cmd")" = '#!' ] && run=
				cat > "$wrap/${cmd##*/}" <<WRAP
#!/bin/sh
exec $run "$cmd" "\$@"
WRAP
				chmod +x "$wrap/${cmd##*/}"
			done
		fi
		echo "$wrap"
	else
		echo "$CIVIC_ROOT/bin"
	fi
}
# valgrind_light: true in the valgrind run, where a test may run fewer
# civic commands (each pays valgrind's start-up) as long as every code path
# it covers still runs under valgrind somewhere.
valgrind_light() { [ "${VALGRIND:-}" = 1 ]; }

# reference CMD ARGS...: a civic command run only to make what a test
# compares with (another command's output, a writer's CSV for a workbook's
# checker).  Under valgrind it runs bare: its own code runs under valgrind
# in its own tests, and here it would only pay the start-up again.  Not for
# survey figures compared byte for byte with a run under valgrind: valgrind
# does long double arithmetic in double precision, a bare run does not.
reference() {
	if valgrind_light; then "$CIVIC_ROOT/bin/$1" "${@:2}"; else "$@"; fi
}

# python3 is Debian's, whose modules scripts/install-deps installs, even
# where another comes first on PATH (a pyenv shim costs ~0.5 s a start).
debian_python() {
	local dir="$BATS_RUN_TMPDIR/debian-python"
	if [ ! -e "$dir/python3" ]; then
		mkdir -p "$dir"
		ln -sf /usr/bin/python3 "$dir/python3"
	fi
	echo "$dir"
}

PATH="$(civic_path):$CIVIC_ROOT/scripts:$CIVIC_ROOT/scripts/bench-tools:$CIVIC_ROOT/tests/tools:$(debian_python):$PATH"
export PATH

. "$CIVIC_ROOT/tests/oracle.bash"

# valgrind_some WORD...: the words, or under valgrind only the first, a
# middle and the last of them (the ends of a range are where bugs sit).
valgrind_some() {
	if valgrind_light && [ $# -gt 3 ]; then
		local all=("$@")
		echo "${all[0]} ${all[$(($# / 2))]} ${all[$(($# - 1))]}"
	else
		echo "$@"
	fi
}

# A fresh directory per test, removed by bats afterwards.
setup_scratch() {
	SCRATCH="$BATS_TEST_TMPDIR"
	cd "$SCRATCH" || return 1
}

# assert_golden NAME FILE: FILE must equal tests/golden/NAME byte for byte.
# tests/bless (CIVIC_BLESS=1) writes FILE there instead, for a change of
# output made on purpose; review the diff before committing it.
assert_golden() {
	local golden="$CIVIC_ROOT/tests/golden/$1"
	if [ "${CIVIC_BLESS:-}" = 1 ]; then
		mkdir -p "${golden%/*}"
		cp "$2" "$golden"
		return 0
	fi
	[ -f "$golden" ] || fail "no golden file tests/golden/$1 (tests/bless writes it)"
	diff -u "$golden" "$2" >&2 || fail "$2 differs from tests/golden/$1 (tests/bless regenerates it on purpose)"
}
