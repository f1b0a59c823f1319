#!/usr/bin/env bats
# civic-ingest: schema mapping, types, personal data, rejects, encodings, --describe.

load helper

setup() {
	setup_scratch
	IN="$FIXTURES/ingest"
}

@test "maps English headers, converts dates to ISO and drops personal data without a key" {
	run civic-ingest -q -s registry.json --max-rejects 2 "$IN/registry-en.csv"
	assert_success
	assert_line --index 0 'reg_no,received_at,register,applicant_type,region,district,channel,received_by,service,subject,resolved_at,outcome'
	assert_line --index 1 '24-0000001,2024-01-05,Form 1,individual,Bukhara,Gijduvan,written,duty_unit,Tergov,Lost passport,2024-01-07,explained'
	assert_output --partial '24-0000002,2024-02-10,Журнал Формы 2,'
	refute_output --partial 'Aziz'
}

@test "says that a personal-data column was dropped" {
	run --separate-stderr civic-ingest -s registry.json --max-rejects 2 "$IN/registry-en.csv"
	assert_success
	[[ "$stderr" == *"civic-ingest: 1 personal-data column dropped (give -k or -K to pseudonymise)"* ]]
	[[ "$stderr" == *"civic-ingest: read 5, written 3, rejected 2"* ]]
}

@test "maps Russian headers" {
	run civic-ingest -q -s registry.json "$IN/registry-ru.csv"
	assert_success
	assert_line --index 1 '24-1,2024-01-05,Форма 1,individual,Bukhara,Gijduvan,written,duty_unit,Следствие,Утеря паспорта,2024-01-07,explained'
}

@test "maps Uzbek headers in a tab-separated file" {
	run civic-ingest -q -s registry.json "$IN/registry-uz.tsv"
	assert_success
	assert_line --index 1 "24-9,2024-01-05,1-shakl,individual,Andijan,Asaka,written,duty_unit,Tergov,Telefon o'g'irlangan,,pending"
}

@test "an impossible date is rejected, not rolled over, with file, line and column" {
	run --separate-stderr civic-ingest -q -s registry.json "$IN/registry-en.csv"
	assert_failure 1
	[[ "$stderr" == *"civic-ingest: $IN/registry-en.csv:5: received_at: '31.02.2024' is not a valid date (expected dd.mm.yyyy, yyyy-mm-dd, dd/mm/yyyy, excel)"* ]]
	[[ "$stderr" == *"civic-ingest: $IN/registry-en.csv:7: expected 13 fields, found 3"* ]]
	[[ "$output" != *2024-03-02* ]]
}

@test "any reject fails the run by default, after every good row is written" {
	run civic-ingest -q -s registry.json "$IN/registry-en.csv"
	assert_failure 1
	assert_equal "$(printf '%s\n' "$output" | grep -c '^24-')" 3
}

@test "--max-rejects tolerates a count or a percentage" {
	run civic-ingest -q -s registry.json --max-rejects 1 "$IN/registry-en.csv"
	assert_failure 1
	run civic-ingest -q -s registry.json --max-rejects 2 "$IN/registry-en.csv"
	assert_success
	run civic-ingest -q -s registry.json --max-rejects 40% "$IN/registry-en.csv"
	assert_success
	run civic-ingest -q -s registry.json --max-rejects 39% "$IN/registry-en.csv"
	assert_failure 1
	run civic-ingest --max-rejects 5x "$IN/registry-en.csv"
	assert_failure 2
}

@test "the rejects file holds every reject as NDJSON, created 0600" {
	run civic-ingest -q -s registry.json --rejects rejects.ndjson "$IN/registry-en.csv"
	assert_failure 1
	assert_equal "$(stat -c %a rejects.ndjson)" 600
	run cat rejects.ndjson
	assert_line --index 0 "{\"file\":\"$IN/registry-en.csv\",\"line\":5,\"reason\":\"bad-date\",\"column\":\"received_at\",\"message\":\"'31.02.2024' is not a valid date (expected dd.mm.yyyy, yyyy-mm-dd, dd/mm/yyyy, excel)\",\"record\":\"24-0000003;31.02.2024;Form 2;Anna Kim;individual;Bukhara;Gijduvan;written;duty_unit;Tergov;Lost passport;;explained\"}"
	assert_line --index 1 "{\"file\":\"$IN/registry-en.csv\",\"line\":7,\"reason\":\"field-count\",\"column\":null,\"message\":\"expected 13 fields, found 3\",\"record\":\"X-5;01.01.2024;Form 1\"}"
}

@test "a required value that is empty is a missing-value reject" {
	printf 'reg_no;received;register\n;05.01.2024;Form 1\n' > in.csv
	run --separate-stderr civic-ingest -q -s registry.json in.csv
	assert_failure 1
	[[ "$stderr" == *"in.csv:2: reg_no: required value is empty"* ]]
}

@test "a required column that is absent stops the file with a message naming it" {
	printf 'reg_no;register\n1;Form 1\n' > in.csv
	run civic-ingest -q -s registry.json in.csv
	assert_failure 1
	assert_output "civic-ingest: in.csv: no column for required field 'received_at'"
}

@test "pseudonyms: same person, same key, same pseudonym; other key, other pseudonym" {
	printf 'a-very-secret-key-0123456789\n' > key
	printf 'another-secret-key-9876543210\n' > key2
	run civic-ingest -q -s registry.json -k key --max-rejects 2 "$IN/registry-en.csv"
	assert_success
	assert_line --index 0 --partial 'reg_no,received_at,register,applicant,applicant_type'
	first=$(printf '%s\n' "$output" | awk -F, '$1=="24-0000001"{print $4}')
	again=$(printf '%s\n' "$output" | awk -F, '$1=="24-0000004"{print $4}')
	[[ "$first" =~ ^[0-9a-f]{32}$ ]]
	assert_equal "$first" "$again"    # "Aziz Karimov" = "  aziz   KARIMOV "
	run civic-ingest -q -s registry.json -k key2 --max-rejects 2 "$IN/registry-en.csv"
	other=$(printf '%s\n' "$output" | awk -F, '$1=="24-0000001"{print $4}')
	[[ "$other" =~ ^[0-9a-f]{32}$ ]]
	[ "$other" != "$first" ]
}

@test "the key may come from an environment variable, and is never printed" {
	printf 'a-very-secret-key-0123456789' > key
	run civic-ingest -q -s registry.json -k key --max-rejects 2 "$IN/registry-en.csv"
	from_file="$output"
	CIVIC_TEST_KEY=a-very-secret-key-0123456789 run civic-ingest -s registry.json -K CIVIC_TEST_KEY --max-rejects 2 "$IN/registry-en.csv"
	assert_success
	refute_output --partial 'a-very-secret-key'
	assert_equal "$(printf '%s\n' "$output" | grep '^24-0000001')" "$(printf '%s\n' "$from_file" | grep '^24-0000001')"
}

@test "a short or missing key is an error" {
	printf 'short' > key
	run civic-ingest -s registry.json -k key "$IN/registry-en.csv"
	assert_failure 1
	assert_output "civic-ingest: key: the pseudonymisation key must be at least 16 bytes"
	run civic-ingest -s registry.json -K CIVIC_NO_SUCH_VARIABLE "$IN/registry-en.csv"
	assert_failure 1
	assert_output "civic-ingest: environment variable CIVIC_NO_SUCH_VARIABLE is not set or empty"
	run civic-ingest -k a -K b "$IN/registry-en.csv"
	assert_failure 2
}

@test "pii drop removes the column even with a key" {
	printf '{"fields":[{"name":"id"},{"name":"name","pii":"drop"}]}' > s.json
	printf 'id,name\n1,Aziz\n' > in.csv
	printf 'a-very-secret-key-0123456789' > key
	run civic-ingest -q -s ./s.json -k key in.csv
	assert_success
	assert_output $'id\n1'
}

@test "--lineage adds the source file and line of every row" {
	printf 'a,b\n1,2\n\n"x\ny",3\n' > in.csv
	run civic-ingest -q --lineage in.csv
	assert_success
	assert_output $'a,b,_file,_line\n1,2,in.csv,2\n"x\ny",3,in.csv,4'
}

@test "types: int, number with decimal comma, bool, and IDs stay strings in NDJSON" {
	cat > s.json <<'JSON'
{"fields":[{"name":"id","type":"string"},{"name":"n","type":"int"},
 {"name":"x","type":"number","decimal_comma":true},{"name":"ok","type":"bool"}]}
JSON
	printf 'id;n;x;ok\n007;+12;3,50;да\n008;-4;1e3;no\n' > in.csv
	run civic-ingest -q --json -s ./s.json in.csv
	assert_success
	assert_output $'{"id":"007","n":12,"x":3.5,"ok":true}\n{"id":"008","n":-4,"x":1000,"ok":false}'
}

@test "bad int, number and bool values are rejects with reason codes" {
	printf '{"fields":[{"name":"n","type":"int"},{"name":"x","type":"number"},{"name":"b","type":"bool"}]}' > s.json
	printf 'n,x,b\n1.5,1,yes\n1,abc,yes\n1,1,maybe\n' > in.csv
	run civic-ingest -q -s ./s.json --rejects r.ndjson in.csv
	assert_failure 1
	run sh -c "sed 's/.*\"reason\":\"\([^\"]*\)\".*/\1/' r.ndjson"
	assert_output $'bad-int\nbad-number\nbad-bool'
}

@test "other_columns keep passes unnamed columns through" {
	printf '{"other_columns":"keep","fields":[{"name":"id","from":["ID"]}]}' > s.json
	printf 'ID,extra\n1,x\n' > in.csv
	run civic-ingest -q -s ./s.json in.csv
	assert_output $'id,extra\n1,x'
}

@test "schema errors are reported with the file and stop before reading data" {
	printf '{"fields":[{"name":"d","type":"date","formats":["dd-mm-yy"]}]}' > s.json
	run civic-ingest -s ./s.json "$IN/registry-en.csv"
	assert_failure 1
	assert_output "civic-ingest: ./s.json: field 'd': unknown date format dd-mm-yy (known: yyyy-mm-dd, dd.mm.yyyy, dd/mm/yyyy, mm/dd/yyyy, excel)"
	printf '{"fields":[{"name":"a"},' > s.json
	run civic-ingest -s ./s.json "$IN/registry-en.csv"
	assert_failure 1
	assert_output --partial 'civic-ingest: ./s.json:1: '
	run civic-ingest -s no-such-schema.json "$IN/registry-en.csv"
	assert_failure 1
	assert_output --partial "civic-ingest: no-such-schema.json: schema not found"
}

@test "date formats: mm/dd/yyyy only when named, and Excel serial numbers" {
	printf '{"fields":[{"name":"d","type":"date","formats":["mm/dd/yyyy","excel"]}]}' > s.json
	printf 'd\n02/29/2024\n45292\n60\n' > in.csv
	run --separate-stderr civic-ingest -q -s ./s.json --max-rejects 1 in.csv
	assert_success
	assert_output $'d\n2024-02-29\n2024-01-01'
	[[ "$stderr" == *"in.csv:4: d: '60' is not a valid date (expected mm/dd/yyyy, excel)"* ]]
}

@test "Windows-1251 input with -e cp1251" {
	printf 'name,city\nКража,Ташкент\n' | iconv -f UTF-8 -t CP1251 > in.csv
	run civic-ingest -q -e cp1251 in.csv
	assert_success
	assert_output $'name,city\nКража,Ташкент'
}

@test "Windows-1251 bytes read as UTF-8 are rejected with a hint, line and byte offset" {
	printf 'name,city\nok,ok\n' > in.csv
	printf 'Кража,Ташкент\n' | iconv -f UTF-8 -t CP1251 >> in.csv
	run --separate-stderr civic-ingest -q in.csv
	assert_failure 1
	assert_output $'name,city\nok,ok'
	[[ "$stderr" == *"in.csv:3: name: invalid UTF-8 at byte 16 (the bytes look like Windows-1251: try -e cp1251)"* ]]
}

@test "UTF-16 with a byte-order mark is read without being told" {
	printf 'a,b\nп,2\n' | iconv -f UTF-8 -t UTF-16 > in.csv
	run civic-ingest -q in.csv
	assert_success
	assert_output $'a,b\nп,2'
	run civic-ingest -q -e utf-16 in.csv
	assert_output $'a,b\nп,2'
}

# Decoding once passed one byte of a bad unit through and stayed a byte
# out of step: every later row was garbage, and the run exited 0.
@test "a lone UTF-16 surrogate rejects its record; decoding resumes at the next unit" {
	printf '\xff\xfek\x00\n\x001\x00\n\x00\x00\xd82\x00\n\x003\x00\n\x004\x00\n\x005\x00\n\x00' > in.csv
	run --separate-stderr civic-ingest --rejects r.ndjson in.csv
	assert_failure 1
	assert_output $'k\n1\n3\n4\n5'
	[[ "$stderr" == *"in.csv:3: bytes 0x00 0xD8 at byte 10 are not valid UTF-16"* ]]
	[[ "$stderr" == *"read 5, written 4, rejected 1"* ]]
	run jq -c '[.line, .reason]' r.ndjson
	assert_output '[3,"invalid-encoding"]'
	# the same bytes through a pipe, a byte at a time
	CIVIC_READ_MAX=1 run --separate-stderr civic-ingest --max-rejects 1 < in.csv
	assert_success
	assert_output $'k\n1\n3\n4\n5'
}

@test "bad UTF-16 units: big-endian, lone low surrogate, swapped pair, high at the end, odd last byte" {
	local cases=(
		'\xfe\xff\x00k\x00\n\x001\x00\n\xd8\x00\x002\x00\n\x003\x00\n|k 1 3|:3: bytes 0xD8 0x00 at byte 10'
		'\xff\xfek\x00\n\x001\x00\n\x00\x00\xdc2\x00\n\x003\x00\n\x00|k 1 3|:3: bytes 0x00 0xDC at byte 10'
		'\xff\xfek\x00\n\x00\x00\xdc\x00\xd8\n\x003\x00\n\x00|k 3|:2: bytes 0x00 0xDC at byte 6'
		'\xff\xfek\x00\n\x001\x00\n\x00\x00\xd8|k 1|:3: bytes 0x00 0xD8 at byte 10'
		'\xff\xfek\x00\n\x001\x00\n\x002\x00\n\x00x|k 1 2|:4: byte 0x78 at byte 14 is not valid UTF-16'
	)
	local c bytes rows msg
	for c in "${cases[@]}"; do
		IFS='|' read -r bytes rows msg <<< "$c"
		printf "$bytes" > in.csv
		run --separate-stderr civic-ingest --max-rejects 1 in.csv
		assert_success
		assert_output "$(tr ' ' '\n' <<< "$rows")"
		[[ "$stderr" == *"in.csv$msg"* ]] || fail "$bytes: $stderr"
	done
}

@test "a bad unit in a column nobody reads still rejects its record" {
	printf '\xff\xfek\x00,\x00v\x00\n\x001\x00,\x00a\x00\n\x002\x00,\x00\x00\xd8\n\x003\x00,\x00c\x00\n\x00' > in.csv
	run --separate-stderr civic-tally -g k in.csv
	assert_failure 1
	assert_output $'k,count\n1,1\n3,1'
	[[ "$stderr" == *"in.csv:3: bytes 0x00 0xD8 at byte 22 are not valid UTF-16"* ]]
}

@test "other encodings: a byte cp1251 leaves undefined, a bad UTF-32 unit, explicit UTF-16LE" {
	printf 'k\n1\n\x98x\n3\n' > in1251.csv
	run --separate-stderr civic-ingest -e cp1251 --max-rejects 1 in1251.csv
	assert_output $'k\n1\n3'
	[[ "$stderr" == *"in1251.csv:3: byte 0x98 at byte 4 is not valid cp1251"* ]]
	printf 'k\x00\x00\x00\n\x00\x00\x00\x00\xd8\x00\x00\n\x00\x00\x003\x00\x00\x00\n\x00\x00\x00' > in32.csv
	run --separate-stderr civic-ingest -e utf-32le --max-rejects 1 in32.csv
	assert_output $'k\n3'
	[[ "$stderr" == *"in32.csv:2: bytes 0x00 0xD8 0x00 0x00 at byte 8 are not valid utf-32le"* ]]
	printf 'k\x00\n\x001\x00\n\x00\x00\xd82\x00\n\x003\x00\n\x00' > in16.csv
	run --separate-stderr civic-ingest -e utf-16le --max-rejects 1 in16.csv
	assert_output $'k\n1\n3'
	[[ "$stderr" == *"in16.csv:3: bytes 0x00 0xD8 at byte 8 are not valid utf-16le"* ]]
}

@test "NDJSON in UTF-16: a bad unit rejects its line, the next lines read" {
	python3 -c '
import sys
b = "\ufeff{\"a\":\"1\"}\n{\"a\":\"".encode("utf-16-le") + b"\x00\xd8" + "2\"}\n{\"a\":\"3\"}\n".encode("utf-16-le")
sys.stdout.buffer.write(b)' > in.ndjson
	run --separate-stderr civic-ingest --max-rejects 1 in.ndjson
	assert_success
	assert_output $'{"a":"1"}\n{"a":"3"}'
	[[ "$stderr" == *"in.ndjson:2: bytes 0x00 0xD8 at byte 34 are not valid UTF-16"* ]]
}

@test "a bad unit in the header names its bytes" {
	printf '\xff\xfek\x00\x00\xd8\n\x001\x00\n\x00' > in.csv
	run civic-ingest in.csv
	assert_failure 1
	assert_output "civic-ingest: in.csv:1: header: bytes 0x00 0xD8 at byte 4 are not valid UTF-16"
}

@test "cp866 and koi8-r through iconv" {
	printf 'a\nмилиция\n' | iconv -f UTF-8 -t CP866 > in866.csv
	printf 'a\nмилиция\n' | iconv -f UTF-8 -t KOI8-R > inkoi.csv
	run civic-ingest -q -e cp866 in866.csv
	assert_output $'a\nмилиция'
	run civic-ingest -q -e koi8-r inkoi.csv
	assert_output $'a\nмилиция'
	run civic-ingest -e no-such-encoding in866.csv
	assert_failure 1
	assert_output "civic-ingest: unknown encoding 'no-such-encoding' (see iconv --list)"
}

@test "a UTF-8 byte-order mark is stripped" {
	run civic-ingest -q -s registry.json --max-rejects 2 "$IN/registry-en.csv"
	assert_line --index 0 --partial 'reg_no,'
	printf '\xef\xbb\xbfa,b\n1,2\n' > in.csv
	run civic-ingest -q in.csv
	assert_output $'a,b\n1,2'
}

@test "header: duplicate and empty names are errors that say which" {
	printf 'a,b,a\n1,2,3\n' > dup.csv
	run civic-ingest dup.csv
	assert_failure 1
	assert_output "civic-ingest: dup.csv:1: duplicate column name 'a' (columns 1 and 3)"
	printf 'a,,c\n1,2,3\n' > empty.csv
	run civic-ingest empty.csv
	assert_failure 1
	assert_output "civic-ingest: empty.csv:1: column 2 has an empty name in the header"
	printf ' a , b \n1,2\n' > trim.csv
	run civic-ingest -q trim.csv
	assert_output $'a,b\n1,2'
}

@test "--describe drafts a schema that loads as it is" {
	printf 'id;when;amount;ok;name\n007;05.01.2024;3,5;yes;A\n008;31.12.2024;4;no;B\n' > in.csv
	run civic-ingest --describe in.csv
	assert_success
	printf '%s\n' "$output" > draft.json
	run python3 -c '
import json
d = json.load(open("draft.json"))
print(" ".join(f["name"] + ":" + f["type"] for f in d["fields"]))
print(d["fields"][1]["formats"], d["fields"][2].get("decimal_comma"), d["fields"][0]["examples"])'
	assert_line --index 0 'id:string when:date amount:number ok:bool name:string'
	assert_line --index 1 "['dd.mm.yyyy'] True ['007', '008']"
	run civic-ingest -q --json -s ./draft.json in.csv
	assert_success
	assert_line --index 0 '{"id":"007","when":"2024-01-05","amount":3.5,"ok":true,"name":"A"}'
}

@test "a dirty generated export: rows out + rejects = rows in, rejects = the truth's bad rows" {
	gen-registry -n 3000 --dirty --seed 11 --bad-rate 0.02 --truth truth.json > raw.csv
	run civic-ingest -s registry.json --json --rejects rejects.ndjson -o out.ndjson raw.csv
	assert_failure 1
	rows=$(python3 -c 'import json; print(json.load(open("truth.json"))["rows"])')
	bad=$(python3 -c 'import json; print(json.load(open("truth.json"))["bad_rows"])')
	[ "$bad" -gt 0 ]
	assert_equal "$(wc -l < out.ndjson)" "$rows"
	assert_equal "$(wc -l < rejects.ndjson)" "$bad"
	[[ "$output" == *"civic-ingest: read $((rows + bad)), written $rows, rejected $bad"* ]]
}

@test "-o writes atomically: no file when the run cannot start, no temporary left" {
	run civic-ingest -s no-such.json -o out.csv "$IN/registry-en.csv"
	assert_failure 1
	[ ! -e out.csv ]
	run --separate-stderr civic-ingest -q -s registry.json --max-rejects 2 -o out.csv "$IN/registry-en.csv"
	assert_success
	assert_output ''
	[ -s out.csv ]
	assert_equal "$(ls | grep -c tmp)" 0
}

@test "usage errors exit 2 with a hint" {
	run civic-ingest --no-such-option
	assert_failure 2
	assert_line --index 1 "Try 'civic-ingest --help' for more information."
	run civic-ingest -d ab x.csv
	assert_failure 2
	run civic-ingest --describe -s registry.json x.csv
	assert_failure 2
}

@test "--version names the command and the version" {
	run civic-ingest --version
	assert_success
	assert_output --regexp '^civic-ingest \(civic\) [0-9]+\.[0-9]+\.[0-9]+$'
}
