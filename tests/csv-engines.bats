#!/usr/bin/env bats
# The two CSV engines (the fast scanner and the libcsv reference) must give
# the same records, rejects, messages, line numbers and exit status on every
# input (lib/stream/csv_engine.h).  fuzz/csv_diff.c checks the same in-process.
#
# Under valgrind (a second a command) the loops take fewer cases of each
# path: every eighth fixture and seed, the first, a middle and the last
# column, three read sizes, the sniffed delimiter, and the file and the pipe
# of the 17 MB input one engine each.  Every test, engine, delimiter, read
# path and reject kind still runs.

load helper

setup() {
	setup_scratch
}

# The long loops take every eighth case under valgrind: the plain and ASan
# runs take them all.
step() { if valgrind_light; then echo 8; else echo 1; fi; }

# Runs civic-ingest over "$@" with each engine; fails showing the first
# difference in standard output, the rejects, or the messages and status.
same_from_both() {
	local e
	for e in scan libcsv; do
		CIVIC_CSV_ENGINE=$e civic-ingest --rejects "rej.$e" --max-rejects 100% "$@" \
			> "out.$e" 2> "err.$e"
		echo "exit $?" >> "err.$e"
	done
	for e in out rej err; do
		cmp -s "$e.scan" "$e.libcsv" || {
			echo "engines differ ($e) on: $*"
			diff "$e.scan" "$e.libcsv" | head -20
			return 1
		}
	done
}

@test "CIVIC_CSV_ENGINE=libcsv really runs libcsv, and the default does not" {
	printf 'a,b\n1,2\n' > in.csv
	CIVIC_CSV_ENGINE=libcsv LD_DEBUG=bindings "$CIVIC_ROOT/bin/civic-ingest" -q in.csv 2> trace > /dev/null
	grep -q "symbol \`csv_parse'" trace
	LD_DEBUG=bindings "$CIVIC_ROOT/bin/civic-ingest" -q in.csv 2> trace > /dev/null
	run grep -c "symbol \`csv_parse'" trace
	assert_output 0
}

@test "every CSV fixture and peer corpus file: both engines agree" {
	local f n=0
	while IFS= read -r f; do
		n=$((n + 1))
		[ $((n % $(step))) -eq 0 ] || continue
		same_from_both "$f" || return 1
	done < <(find "$FIXTURES" -type f \( -name '*.csv' -o -name '*.tsv' \) | sort)
	[ "$n" -gt 80 ]
}

@test "generated dirty CSV, 25 seeds, default and tiny --max-field: both engines agree" {
	local seed
	for seed in $(seq 1 "$(step)" 25); do
		python3 "$CIVIC_ROOT/tests/dirty-csv.py" "$seed" 150 > d.csv
		same_from_both -d , d.csv || return 1
		same_from_both -d , --max-field $((seed % 9 + 1)) d.csv || return 1
	done
	# the input really is dirty: every kind of reject occurs
	python3 "$CIVIC_ROOT/tests/dirty-csv.py" 1 400 > d.csv
	same_from_both -d , d.csv
	for reason in csv-text-after-quote csv-unterminated-quote field-count invalid-utf8; do
		grep -q "\"reason\":\"$reason\"" rej.scan || fail "no $reason reject"
	done
	grep -q '^[^"]*,[^"]*,' out.scan || fail "no good record"
	same_from_both -d , --max-field 12 d.csv
	grep -q '"reason":"record-too-long"' rej.scan || fail "no record-too-long reject"
}

@test "generated registries (gen-registry --dirty): both engines agree" {
	local seed
	for seed in 1 2 3; do
		gen-registry --dirty --bad-rate 0.05 -n 300 --seed "$seed" > reg.csv
		same_from_both reg.csv || return 1
		same_from_both --json reg.csv || return 1
	done
}

@test "other delimiters: both engines agree" {
	python3 "$CIVIC_ROOT/tests/dirty-csv.py" 7 200 > d.csv
	for d in ';' tab '|'; do
		same_from_both -d "$d" d.csv || return 1
		same_from_both -d "$d" --max-field 5 d.csv || return 1
	done
}

# A record's fate once depended on how many bytes one read() returned.
@test "--max-field: a file and a pipe give the same records and rejects, in both engines" {
	python3 - <<'PY'
import sys
with open("long.csv", "w") as f:
    f.write("a,b\n")
    f.write("x," + "y" * 150000 + "\n")       # one field over the limit
    f.write("p," + "q" * 99998 + "\n")        # exactly at the limit: kept
    f.write("r," + "s" * 99999 + "\n")        # one byte over
    f.write('"' + "u" * 60000 + '",' + "v" * 60000 + "\n")  # fields under, record over
    f.write('"never closed,' + "w" * 120000 + "\n")
    f.write("1,2\n")
PY
	local e
	for e in scan libcsv; do
		CIVIC_CSV_ENGINE=$e civic-ingest --max-field 100000 --max-rejects 100% \
			--rejects rej.file long.csv > out.file 2> err.file
		CIVIC_CSV_ENGINE=$e civic-ingest --max-field 100000 --max-rejects 100% \
			--rejects rej.pipe < long.csv > out.pipe 2> err.pipe
		cmp out.file out.pipe
		sed 's/(standard input)/long.csv/' rej.pipe | cmp rej.file -
		sed 's/(standard input)/long.csv/' err.pipe | cmp err.file -
		run cut -c1-3 out.file
		assert_output $'a,b\np,q\n1,2'
		run grep -o '"line":[0-9]*,"reason":"[a-z-]*"' rej.file
		assert_output - <<'OUT'
"line":2,"reason":"record-too-long"
"line":4,"reason":"record-too-long"
"line":5,"reason":"record-too-long"
"line":6,"reason":"csv-unterminated-quote"
OUT
		# the raw text of a reject is cut at the limit
		run python3 -c 'import json,sys; print(max(len(json.loads(l)["record"]) for l in open("rej.file")))'
		assert_output 100000
	done
}

# The rest of a long quoted record was once read from the line after its
# start: the rows typed inside the quotes came out as records.
@test "a quoted record longer than --max-field is one reject, skipped to its real end" {
	printf 'a,b\n1,"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n2,phantom\n""yyy"" ""\n"\n3,ok\n' > in.csv
	local e m
	for e in scan libcsv; do
		for m in 0 1 3; do
			CIVIC_READ_MAX=$m CIVIC_CSV_ENGINE=$e run --separate-stderr \
				civic-ingest --max-field 20 --max-rejects 1 --rejects r.ndjson in.csv
			assert_success
			assert_output $'a,b\n3,ok'
			[[ "$stderr" == *"in.csv:2: record is longer than the limit (--max-field)"* ]]
			[[ "$stderr" == *"read 2, written 1, rejected 1"* ]]
			run jq -c '[.line, .reason, (.record | length)]' r.ndjson
			assert_output '[2,"record-too-long",20]'
		done
	done
	# text after a closing quote inside it: the skip runs to that line's end, as without the limit
	printf 'a,b\n1,"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n2,p"q,1\n3,ok\n' > in.csv
	same_from_both --max-field 20 in.csv
	run cat out.scan
	assert_output $'a,b\n3,ok'
	run jq -c '[.line, .reason]' rej.scan
	assert_output '[2,"record-too-long"]'
	# every line of a quoted field past the limit is inside it, whatever it looks like
	python3 -c '
import sys
sys.stdout.write("id,text\n1,\"" + "".join("%d,phantom\n" % i for i in range(2, 5000)) + "\"\n5000,real\n")' > big.csv
	same_from_both --max-field 1000 big.csv
	run cat out.scan
	assert_output $'id,text\n5000,real'
	run jq -c '[.line, .reason]' rej.scan
	assert_output '[2,"record-too-long"]'
}

# Without the limit a quote never closed is a stray one and reading goes on
# after its line; past the limit that needs the rest kept, up to 16 MiB.
@test "a quote never closed past --max-field: a stray one within 16 MiB, a failed run beyond" {
	python3 -c '
import sys
sys.stdout.write("a,b\n1,\"stray " + "x" * 200 + "\n" + "".join("%d,y\n" % i for i in range(2, 1000)))' > stray.csv
	same_from_both --max-field 100 stray.csv
	run grep -c . out.scan
	assert_output 999
	run jq -c '[.line, .reason]' rej.scan
	assert_output '[2,"csv-unterminated-quote"]'
	python3 -c '
import sys
sys.stdout.write("a,b\n0,0\n1,\"stray\n" + "2,y\n" * 4300000)' > far.csv
	local e
	for e in scan libcsv; do
		if ! valgrind_light || [ $e = scan ]; then
			CIVIC_CSV_ENGINE=$e run --separate-stderr civic-ingest --max-field 100 -o out.csv far.csv
			assert_failure 1
			[[ "$stderr" == *"far.csv:3: a quoted field in this record is never closed, and the input runs on for more than --max-field plus 16 MiB after it"* ]]
			[ ! -e out.csv ]
		fi
		if ! valgrind_light || [ $e = libcsv ]; then
			CIVIC_CSV_ENGINE=$e run --separate-stderr civic-ingest --max-field 100 < far.csv
			assert_failure 1
			[[ "$stderr" == *"(standard input):3: a quoted field in this record is never closed"* ]]
		fi
	done
}

@test "a CR as the last byte is a line end, not a record of one empty field" {
	printf 'a\n1\n\r' > in.csv
	for e in scan libcsv; do
		CIVIC_CSV_ENGINE=$e run civic-ingest -q in.csv
		assert_success
		assert_output $'a\n1'
	done
}

@test "input arriving a few bytes at a time (CIVIC_READ_MAX) changes nothing, for either engine" {
	local ex="$FIXTURES/corpora/csvkit-examples/examples" f e m
	python3 "$CIVIC_ROOT/tests/dirty-csv.py" 11 120 > dirty.csv
	printf '{"a":1,"b":"x"}\n{"a":2,"b":"y\\u0000"}\nnot json\n{"a":3}\n' > in.ndjson
	for f in dirty.csv in.ndjson "$ex/test_utf16_little.csv" "$ex/test_utf16_big.csv" \
		"$ex/test_utf8_bom.csv" "$FIXTURES/ingest/registry-ru.csv"; do
		for e in scan libcsv; do
			CIVIC_CSV_ENGINE=$e civic-ingest --max-rejects 100% --rejects rej.all \
				--max-field 40 "$f" > out.all 2> err.all || true
			for m in $(valgrind_some 1 2 3 7); do
				CIVIC_READ_MAX=$m CIVIC_CSV_ENGINE=$e civic-ingest --max-rejects 100% \
					--rejects rej.$m --max-field 40 "$f" > out.$m 2> err.$m || true
				cmp out.all out.$m && cmp rej.all rej.$m && cmp err.all err.$m ||
					fail "$f: $e engine, $m bytes a read"
			done
		done
	done
}

@test "the delimiter is sniffed from the whole header record, however the bytes arrive" {
	printf '"a\nb;c",d,e\n1,2,3\n' > in.csv
	for m in 0 1 2 5; do
		CIVIC_READ_MAX=$m run civic-ingest -q in.csv
		assert_success
		assert_output $'"a\nb;c",d,e\n1,2,3'
	done
}

# Each read once made the sniffer and the engines look at the header, or
# the record, again from its start: a long one arriving three bytes a read
# cost time in the square of its length, minutes at this size.
@test "a 600 KB header and long records arriving three bytes a read read as from a file" {
	# Under valgrind a sixth of the size: the same paths, in minutes fewer.
	local n=9000
	[ "${VALGRIND:-}" = 1 ] && n=1500
	python3 -c '
import sys
n = int(sys.argv[1])
head = ";".join("\"col %d; with, a delimiter|or\ttwo\nand a line feed, \"\"quoted\"\"\"" % i for i in range(n))
sys.stdout.write(head + "\n" + ";".join(str(i) for i in range(n)) + "\n")
sys.stdout.write("x" * (n * 400 // 9) + ";1" * (n - 1) + "\n")
sys.stdout.write("\"bad\"text" + "y" * (n * 100 // 3) + "\n" + ";".join("z" * n) + "\n")' "$n" > big.csv
	[ "$(wc -c < big.csv)" -gt $((n * 111)) ]
	local e d
	for e in scan libcsv; do
		for d in '' $(valgrind_light || echo ';'); do
			CIVIC_CSV_ENGINE=$e civic-ingest ${d:+-d "$d"} --rejects rej.file --max-rejects 100% \
				big.csv > out.file 2> err.file || true
			cat big.csv | CIVIC_READ_MAX=3 CIVIC_CSV_ENGINE=$e civic-ingest ${d:+-d "$d"} \
				--rejects rej.pipe --max-rejects 100% > out.pipe 2> err.pipe || true
			sed 's/big\.csv/(standard input)/' err.file > err.want
			sed 's/big\.csv/(standard input)/' rej.file > rej.want
			cmp out.file out.pipe && cmp rej.want rej.pipe && cmp err.want err.pipe ||
				fail "$e engine, delimiter '${d:-sniffed}': a pipe read three bytes at a time differs"
		done
		run tail -1 err.file
		assert_output 'civic-ingest: read 4, written 3, rejected 1'
		run jq -c '[.line, .reason]' rej.file
		assert_output "[$((n + 4)),\"csv-text-after-quote\"]"
	done
}

@test "reading only some columns (civic-tally) gives the same tables from both engines" {
	python3 "$CIVIC_ROOT/tests/dirty-csv.py" 7 > dirty.csv 2>/dev/null || gen-registry -n 3000 --dirty --seed 7 > dirty.csv
	gen-registry -n 3000 --dirty --seed 7 > reg.csv
	for f in dirty.csv reg.csv; do
		first=$(head -1 "$f" | tr ';' ',' | cut -d, -f1)
		third=$(head -1 "$f" | tr ';' ',' | cut -d, -f3)
		for e in scan libcsv; do
			CIVIC_CSV_ENGINE=$e civic-tally -g "$third" -s count,distinct:"$first" --max-rejects 100% "$f" \
				> "tally.$e" 2> "err.$e"
			echo "exit $?" >> "err.$e"
		done
		cmp tally.scan tally.libcsv || fail "tables differ on $f"
		cmp err.scan err.libcsv || fail "messages differ on $f"
	done
}

@test "reading only some columns (civic-filter): records, kept text and rejects the same from both engines" {
	# The scanner finds the fields before the last one read from bit masks
	# of thirty-two bytes, and hands over to the field-by-field parse at a
	# quote or at the end of what is buffered: every column position, dirty
	# records and CRLF lines, both outputs (the text as read, and --columns
	# splitting it again).
	local seed f col cols e
	gen-registry -n 2000 --dirty --seed 3 | tr ';' ',' > reg.csv
	sed 's/$/\r/' reg.csv > crlf.csv
	for seed in $(seq 1 "$(step)" 10); do
		python3 "$CIVIC_ROOT/tests/dirty-csv.py" "$seed" 300 > "d$seed.csv"
	done
	for f in reg.csv crlf.csv d*.csv; do
		cols=$(head -1 "$f" | tr -d '\r' | tr ',' ' ')
		for col in $(valgrind_some $cols); do
			for opts in "" "--columns $(head -1 "$f" | tr -d '\r' | cut -d, -f1)"; do
				for e in scan libcsv; do
					CIVIC_CSV_ENGINE=$e civic-filter $opts --max-rejects 100% --rejects "rej.$e" \
						"$col is empty or $col is not empty" "$f" > "out.$e" 2> "err.$e"
					echo "exit $?" >> "err.$e"
				done
				for e in out rej err; do
					cmp -s "$e.scan" "$e.libcsv" || fail "engines differ ($e) on $f reading $col $opts"
				done
			done
		done
		grep -q '^civic-filter: read [1-9]' err.scan || fail "nothing read from $f"
	done
}
