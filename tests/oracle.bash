# oracle CMD ARG...: runs an oracle (python3, Rscript…) whose result is its
# standard output, reusing the result of an identical earlier run when
# CIVIC_ORACLE_CACHE names a directory.  CI sets it for all its lanes, so
# an oracle the plain run computed is not computed again under the
# sanitizers or valgrind; unset (a developer's `make check`), it just runs.
#
# The key is the SHA-256 of the words of the command, where a word naming a
# file stands for that file's name and contents (not its directory: the
# lanes' scratch paths differ), plus standard input when a word is `-`.
# Standard input is otherwise closed, so input the key does not hold is
# never read.  Only for an oracle whose every input is such a word: no
# files it finds by itself, no environment, no output files.  A word that
# names a directory (an oracle writing files there) is never cached.  Only
# a run that exits 0 is kept, its stdout and stderr replayed on a hit;
# entries are directories renamed into place whole, since lanes run at once.
# A cache directory lives for one run of one tree: keys do not hold the
# files an oracle imports or sources without naming them.

oracle() {
	if [ -z "${CIVIC_ORACLE_CACHE:-}" ]; then
		oracle_run "$@"
		return
	fi
	local work
	work=$(mktemp -d "$CIVIC_ORACLE_CACHE/.new.XXXXXX") || return
	local key rc=0
	key=$(oracle_key "$work/stdin" "$@") || rc=$?
	if [ "$rc" -ne 0 ]; then
		rm -rf "$work"
		[ "$rc" -eq 3 ] || return "$rc"
		oracle_run "$@"
		return
	fi
	local entry="$CIVIC_ORACLE_CACHE/$key"
	if [ ! -d "$entry" ]; then
		"$@" < "$work/stdin" > "$work/stdout" 2> "$work/stderr" || rc=$?
		if [ "$rc" -ne 0 ]; then
			cat "$work/stdout"
			cat "$work/stderr" >&2
			rm -rf "$work"
			return "$rc"
		fi
		# another lane may have put the same entry first: the same bytes
		mv -T "$work" "$entry" 2> /dev/null || rm -rf "$work"
	else
		rm -rf "$work"
	fi
	cat "$entry/stderr" >&2
	cat "$entry/stdout"
}

# oracle_run CMD ARG...: the command uncached, with standard input only if
# a word is `-`, as when cached.
oracle_run() {
	local word
	for word in "$@"; do
		[ "$word" = - ] && { "$@"; return; }
	done
	"$@" < /dev/null
}

# oracle_key STDIN_COPY WORD...: the key of the words on stdout, standard
# input copied to STDIN_COPY (empty unless a word is `-`); exit 3 if a word
# names a directory.
oracle_key() {
	local copy="$1" word
	shift
	: > "$copy"
	for word in "$@"; do
		[ "$word" = - ] && cat > "$copy"
		[ -d "$word" ] && return 3
	done
	{
		for word in "$@"; do
			if [ -f "$word" ]; then
				printf 'file %s %s\n' "$(printf %s "${word##*/}" | sha256sum | cut -c1-64)" \
					"$(sha256sum < "$word" | cut -c1-64)"
			else
				printf 'word %s\n' "$(printf %s "$word" | sha256sum | cut -c1-64)"
			fi
		done
		printf 'stdin %s\n' "$(sha256sum < "$copy" | cut -c1-64)"
	} | sha256sum | cut -c1-64
}
