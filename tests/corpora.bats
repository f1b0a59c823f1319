#!/usr/bin/env bats
# Peer corpora that no one here wrote (tests/fixtures/corpora/*/ORIGIN.md).
#
# csv-spectrum: every csvs/*.csv, read by either CSV engine, gives exactly
# the records of its json/*.json (compared as parsed JSON).
#
# JSONTestSuite: civic reads JSON as records (one object per line, or an
# array of objects), not as arbitrary documents, so a test document D is
# read as the value of one record: the line {"v": D}.  For a y_ file its
# line breaks, which can only be white space there, become spaces.
#   accepted: civic-ingest exits 0 and writes one record whose v is D
#             (scalars as their text, arrays and objects as JSON text);
#   rejected: the record is rejected with a message naming FILE:LINE, and
#             civic-ingest exits 1.
# y_ files are accepted, except three that civic refuses on purpose and
# must reject with the reason: duplicate keys (which value wins would be a
# silent guess) and a NUL in a key (jansson cannot hold one).  n_ files are
# rejected; i_ files may go either way.  Documents are batched, one per
# line after a first line that fixes the column, so that the suite stays
# fast under valgrind; n_ documents holding a line break run alone.
# Every file is also read as it is (format detected): never a crash.
#
# csvkit examples: each parsed, or refused with a message naming the file.
#
# Under valgrind (a second a command) the two loops over single files take
# every eighth JSONTestSuite file and every fourth csvkit example; the
# batched documents, csv-spectrum and the tricky csvkit files run whole.

load helper

setup() {
	setup_scratch
	JTS="$FIXTURES/corpora/JSONTestSuite/test_parsing"
}

@test "csv-spectrum: every file gives its expected records, from both CSV engines" {
	local dir="$FIXTURES/corpora/csv-spectrum" e name
	for e in scan libcsv; do
		mkdir "$e"
		for csv in "$dir"/csvs/*.csv; do
			name=$(basename "$csv" .csv)
			CIVIC_CSV_ENGINE=$e civic-ingest -q --json "$csv" > "$e/$name.ndjson" ||
				fail "$e: $name: civic-ingest failed"
		done
	done
	run python3 - "$dir" <<'PY'
import glob, json, os, sys
bad = 0
files = sorted(glob.glob(os.path.join(sys.argv[1], "json", "*.json")))
for engine in ("scan", "libcsv"):
    for path in files:
        name = os.path.basename(path)[:-5]
        want = json.load(open(path, encoding="utf-8"))
        if name == "location_coordinates":
            # upstream defect (ORIGIN.md): a bare object, and a phone number not in the CSV
            want = [dict(want, **{"Contact Phone Number": "2095257564"})]
        got = [json.loads(l) for l in open(f"{engine}/{name}.ndjson", encoding="utf-8")]
        if got != want:
            print(engine, name, "got", got, "want", want)
            bad += 1
print(len(files), "files")
sys.exit(bad)
PY
	assert_success
	assert_output "12 files"
}

# Writes {"v": D} for each file given, one a line, after a first line that
# makes v a string column, and the list of files to names.
wrap_batch() {
	local out=$1 flatten=$2 f
	shift 2
	printf '{"v": "header"}\n' > "$out"
	: > names
	for f in "$@"; do
		printf '{"v": ' >> "$out"
		if [ "$flatten" = 1 ]; then tr '\r\n' '  ' < "$f" >> "$out"; else cat "$f" >> "$out"; fi
		printf '}\n' >> "$out"
		basename "$f" >> names
	done
}

@test "JSONTestSuite y_: accepted with the same value, but for three refused on purpose" {
	wrap_batch y.ndjson 1 "$JTS"/y_*.json
	run civic-ingest --json --max-rejects 100% --rejects rej.ndjson -o out.ndjson y.ndjson
	assert_success
	run python3 - "$JTS" <<'PY'
import json, os, sys
names = open("names").read().split("\n")[:-1]
out = [json.loads(l)["v"] for l in open("out.ndjson", encoding="utf-8")][1:]
rej = {json.loads(l)["line"] - 2: json.loads(l) for l in open("rej.ndjson", encoding="utf-8")}
refused = {"y_object_duplicated_key.json": "duplicate object key",
           "y_object_duplicated_key_and_value.json": "duplicate object key",
           "y_object_escaped_null_in_key.json": "NUL byte in object key"}

def text(v):
    if v is None:
        return ""
    if v is True or v is False:
        return "true" if v else "false"
    return v if isinstance(v, str) else None

bad, got = 0, iter(out)
for i, name in enumerate(names):
    if name in refused:
        if i not in rej or refused[name] not in rej[i]["message"]:
            print(name, "was not refused as expected:", rej.get(i)); bad += 1
        continue
    if i in rej:
        print(name, "rejected:", rej[i]["message"]); bad += 1
        continue
    want = json.load(open(os.path.join(sys.argv[1], name), encoding="utf-8"))
    v = next(got)
    if isinstance(want, (dict, list)):
        ok = json.loads(v) == want
    elif isinstance(want, (int, float)) and not isinstance(want, bool):
        ok = float(v) == float(want)
    else:
        ok = v == text(want)
    if not ok:
        print(name, "read as", repr(v), "not", repr(want)); bad += 1
print(len(names), "files,", len(rej), "refused,", bad, "wrong")
sys.exit(1 if bad else 0)
PY
	assert_success
	assert_output "95 files, 3 refused, 0 wrong"
}

@test "JSONTestSuite n_: every document rejected with a message, never a crash" {
	local alone=() batched=() f n
	for f in "$JTS"/n_*.json; do
		if [ "$(tr -d '\r\n' < "$f" | wc -c)" -ne "$(wc -c < "$f")" ]; then
			alone+=("$f")
		else
			batched+=("$f")
		fi
	done
	wrap_batch n.ndjson 0 "${batched[@]}"
	run civic-ingest --json --max-rejects 100% --rejects rej.ndjson n.ndjson
	assert_success
	n=$(wc -l < rej.ndjson)
	assert_equal "$n" "${#batched[@]}"
	run grep -c '"reason":"invalid-json"' rej.ndjson
	assert_output "$n"
	for f in "${alone[@]}"; do
		wrap_batch one.ndjson 0 "$f"
		run civic-ingest --json one.ndjson
		[ "$status" -eq 1 ] || fail "$(basename "$f"): exit $status"
		[[ "$output" == *"civic-ingest: one.ndjson:"* ]] || fail "$(basename "$f"): no message: $output"
	done
	[ $((n + ${#alone[@]})) -eq 188 ]
}

@test "JSONTestSuite i_: read or rejected, never a crash, every document counted" {
	wrap_batch i.ndjson 1 "$JTS"/i_*.json
	run civic-ingest --json --max-rejects 100% --rejects rej.ndjson -o out.ndjson i.ndjson
	assert_success
	local out rej
	out=$(wc -l < out.ndjson)
	rej=$(wc -l < rej.ndjson)
	assert_equal $((out - 1 + rej)) "$(wc -l < names)"
}

@test "JSONTestSuite, every file read as it is: exit 0 or 1, never a crash" {
	local f rc n=0 step=1
	# under valgrind (a second a run) every eighth file; the other builds read them all
	! valgrind_light || step=8
	for f in "$JTS"/*.json; do
		n=$((n + 1))
		[ $((n % step)) -eq 0 ] || continue
		rc=0
		civic-ingest -q --max-rejects 100% "$f" > /dev/null 2> err || rc=$?
		[ "$rc" -le 1 ] || fail "$(basename "$f"): exit $rc: $(cat err)"
		[ "$rc" -eq 0 ] || [ -s err ] || fail "$(basename "$f"): exit 1 without a message"
	done
}

@test "csvkit examples: each parsed, or refused with a message naming the file" {
	local f rc n=0 step=1
	# under valgrind every fourth file; the other builds read them all
	! valgrind_light || step=4
	for f in "$FIXTURES"/corpora/csvkit-examples/examples/*; do
		n=$((n + 1))
		[ $((n % step)) -eq 0 ] || continue
		rc=0
		civic-ingest -q "$f" > out 2> err || rc=$?
		case $rc in
		0) ;;
		1) grep -q "^civic-ingest: $f" err || fail "$(basename "$f"): exit 1 but: $(cat err)" ;;
		*) fail "$(basename "$f"): exit $rc: $(cat err)" ;;
		esac
	done
	assert_equal "$n" 66
}

@test "csvkit examples: what each tricky file gives" {
	local ex="$FIXTURES/corpora/csvkit-examples/examples"
	run civic-ingest -q "$ex/test_utf16_little.csv"
	assert_success
	run civic-ingest -q "$ex/test_utf16_big.csv"
	assert_success
	run civic-ingest -q "$ex/test_utf8_bom.csv"
	assert_success
	assert_line --index 0 'foo,bar,baz'
	run civic-ingest -q "$ex/mac_newlines.csv"
	assert_failure 1
	assert_output --partial 'carriage return'
	run civic-ingest -q "$ex/test_latin1.csv"
	assert_failure 1
	assert_output --partial 'invalid UTF-8'
	run civic-ingest -q -e latin1 "$ex/test_latin1.csv"
	assert_success
	run civic-ingest -q "$ex/empty.csv"
	assert_failure 1
	assert_output --partial 'no header row'
	run civic-ingest -q "$ex/null_byte.csv"
	assert_failure 1
	assert_output --partial 'a NUL byte at byte 1 of the value'
}
