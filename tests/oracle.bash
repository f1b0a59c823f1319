# oracle_once [--into DIR] CMD ARG...: runs an oracle (Rscript, python3…)
# and gives its stdout, reusing the result of an identical earlier run when
# CIVIC_ORACLE_CACHE names a directory.  .ci/run sets it for all its lanes,
# so an oracle the plain run computed is not computed again under the
# sanitizers or valgrind; unset (a developer's `make check`), it just runs.
#
# The key is the SHA-256 of the words of the command, where a word naming a
# file stands for that file's name and contents (not its directory: the
# lanes' scratch paths differ), plus standard input when a word is `-`.
# Standard input is otherwise closed, so input the key does not hold is
# never read.  --into DIR: the oracle writes files into DIR, a word of the
# command; DIR's contents before the run are part of the key and its
# contents after are kept and restored whole.  Any other word naming a
# directory is never cached.
#
# Only for an oracle whose every input is such a word: no files it finds by
# itself, no environment, no output but stdout, stderr and DIR.  A cache
# directory lives for one run of one tree: a script's key is its own text,
# not the files it imports or sources.  Only a run that exits 0 is kept;
# entries are directories renamed into place whole, since lanes run at once.

oracle_once() {
	local into=
	if [ "$1" = --into ]; then
		into=$2
		shift 2
	fi
	if [ -z "${CIVIC_ORACLE_CACHE:-}" ]; then
		oracle_run "$@"
		return
	fi
	local work key rc=0
	work=$(mktemp -d "$CIVIC_ORACLE_CACHE/.new.XXXXXX") || return
	key=$(oracle_key "$work/stdin" "$into" "$@") || rc=$?
	if [ "$rc" -ne 0 ]; then
		rm -rf "$work"
		[ "$rc" -eq 3 ] || return "$rc"
		oracle_run "$@"
		return
	fi
	local entry="$CIVIC_ORACLE_CACHE/$key"
	if [ ! -d "$entry" ]; then
		"$@" < "$work/stdin" > "$work/stdout" 2> "$work/stderr" || rc=$?
		if [ "$rc" -eq 0 ] && [ -n "$into" ]; then
			oracle_tar "$into" > "$work/into.tar" || rc=$?
		fi
		if [ "$rc" -ne 0 ]; then
			cat "$work/stdout"
			cat "$work/stderr" >&2
			rm -rf "$work"
			return "$rc"
		fi
		# another lane may have put the same entry first: the same bytes
		mv -T "$work" "$entry" 2> /dev/null || rm -rf "$work"
		[ -d "$entry" ] || return 1
	else
		rm -rf "$work"
		if [ -n "$into" ]; then
			find "$into" -mindepth 1 -delete && tar -xf "$entry/into.tar" -C "$into" || return
		fi
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

# oracle_tar DIR: DIR's files as a tar archive that depends on nothing but
# their names, contents and modes.
oracle_tar() {
	tar -cf - -C "$1" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner .
}

# oracle_key STDIN_COPY INTO WORD...: the key of the words on stdout,
# standard input copied to STDIN_COPY (empty unless a word is `-`); exit 3
# if a word other than INTO names a directory.
oracle_key() {
	local copy="$1" into="$2" word
	shift 2
	: > "$copy"
	for word in "$@"; do
		[ "$word" = - ] && cat > "$copy"
		[ -d "$word" ] && [ "$word" != "$into" ] && return 3
	done
	[ -z "$into" ] || [ -d "$into" ] || return 3
	{
		[ -z "$into" ] || printf 'into %s\n' "$(oracle_tar "$into" | sha256sum | cut -c1-64)"
		for word in "$@"; do
			if [ "$word" = "$into" ]; then
				printf 'into\n'
			elif [ -f "$word" ]; then
				printf 'file %s %s\n' "$(printf %s "${word##*/}" | sha256sum | cut -c1-64)" \
					"$(sha256sum < "$word" | cut -c1-64)"
			else
				printf 'word %s\n' "$(printf %s "$word" | sha256sum | cut -c1-64)"
			fi
		done
		printf 'stdin %s\n' "$(sha256sum < "$copy" | cut -c1-64)"
	} | sha256sum | cut -c1-64
}
