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
	assert_line --index 0 "civic-ingest: in.csv: no column for required field 'received_at'"
	assert_line --index 1 "civic-ingest: in.csv: the header read has 2 columns: 'reg_no', 'register'"
	assert_line --index 2 --partial "civic-ingest: in.csv: the schema takes 'received_at' from a column named 'received_at', 'received', "
	assert_line --index 2 --partial "'дата поступления'"
	assert_line --index 3 "civic-ingest: in.csv: a header read as one column needs -d (-d ';'), one of garbled letters -e (-e cp1251, or -e auto)"
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
	assert_output "civic-ingest: ./s.json: field 'd': unknown date format dd-mm-yy (known: yyyy-mm-dd, dd.mm.yyyy, dd/mm/yyyy, mm/dd/yyyy, dd.mm.yy, excel)"
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
	printf 'd\n02/29/2024\n45292\n32874\n73415\n' > in.csv
	run --separate-stderr civic-ingest -q -s ./s.json in.csv
	assert_success
	assert_output $'d\n2024-02-29\n2024-01-01\n1990-01-01\n2100-12-31'
	assert_equal "$stderr" ''
}

@test "an integer in a date column is an Excel serial only inside the window: a year or a count is rejected" {
	printf 'reg_no;received;register\n1;2024;Form 1\n2;12;Form 1\n3;32873;Form 1\n4;73416;Form 1\n5;45292;Form 1\n' > in.csv
	run --separate-stderr civic-ingest -q -s registry.json --rejects r.ndjson in.csv
	assert_failure 1
	assert_output $'reg_no,received_at,register,applicant_type,region,district,channel,received_by,service,subject,resolved_at,outcome\n5,2024-01-01,Form 1,,,,,,,,,'
	why="is not a date: Excel serial days are read only within 1990-01-01..2100-12-31 (32874..73415), and a bare year or small number is not one"
	assert_equal "$stderr" "civic-ingest: in.csv:2: received_at: '2024' $why
civic-ingest: in.csv:3: received_at: '12' $why
civic-ingest: in.csv:4: received_at: '32873' $why
civic-ingest: in.csv:5: received_at: '73416' $why
civic-ingest: 4 rejected records exceed the tolerance (--max-rejects)"
	run cat r.ndjson
	assert_output "{\"file\":\"in.csv\",\"line\":2,\"reason\":\"implausible-serial\",\"column\":\"received_at\",\"message\":\"'2024' $why\",\"record\":\"1;2024;Form 1\"}
{\"file\":\"in.csv\",\"line\":3,\"reason\":\"implausible-serial\",\"column\":\"received_at\",\"message\":\"'12' $why\",\"record\":\"2;12;Form 1\"}
{\"file\":\"in.csv\",\"line\":4,\"reason\":\"implausible-serial\",\"column\":\"received_at\",\"message\":\"'32873' $why\",\"record\":\"3;32873;Form 1\"}
{\"file\":\"in.csv\",\"line\":5,\"reason\":\"implausible-serial\",\"column\":\"received_at\",\"message\":\"'73416' $why\",\"record\":\"4;73416;Form 1\"}"
}

@test "the Excel serial window is set for the schema and overridden per field" {
	cat > s.json <<'JSON'
{"excel_window":["2000-01-01","2030-12-31"],
 "fields":[{"name":"a","type":"date","formats":["excel"]},
           {"name":"b","type":"date","formats":["excel"],"excel_window":["1900-01-01","2100-12-31"]}]}
JSON
	printf 'a,b\n36526,1\n36525,61\n' > in.csv
	run --separate-stderr civic-ingest -q -s ./s.json in.csv
	assert_failure 1
	assert_output $'a,b\n2000-01-01,1900-01-01'
	assert_equal "$stderr" "civic-ingest: in.csv:3: a: '36525' is not a date: Excel serial days are read only within 2000-01-01..2030-12-31 (36526..47848), and a bare year or small number is not one
civic-ingest: 1 rejected record exceeds the tolerance (--max-rejects)"
	# Inside a window reaching back to 1900, serial 60 is still Excel's phantom 29 February.
	printf 'b\n60\n' > in.csv
	run --separate-stderr civic-ingest -q -s ./s.json in.csv
	assert_failure 1
	[[ "$stderr" == "civic-ingest: in.csv:2: b: '60' is not a valid date (expected excel)"* ]]
}

@test "a bad Excel window is a schema error" {
	printf '{"excel_window":["2030-01-01","2000-01-01"],"fields":[{"name":"a","type":"date"}]}' > s.json
	run civic-ingest -s ./s.json /dev/null
	assert_failure 1
	assert_output 'civic-ingest: ./s.json: "excel_window" must run forward from 1900-01-01 or later'
	printf '{"fields":[{"name":"a","type":"date","excel_window":["1990"]}]}' > s.json
	run civic-ingest -s ./s.json /dev/null
	assert_failure 1
	assert_output "civic-ingest: ./s.json: field 'a': \"excel_window\" must be two dates: [\"yyyy-mm-dd\", \"yyyy-mm-dd\"]"
	printf '{"fields":[{"name":"a","excel_window":["1990-01-01","2000-01-01"]}]}' > s.json
	run civic-ingest -s ./s.json /dev/null
	assert_failure 1
	assert_output "civic-ingest: ./s.json: field 'a': \"excel_window\" is for date fields"
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
	printf 'id;when;amount;ok;label\n007;05.01.2024;3,5;yes;A\n008;31.12.2024;4;no;B\n' > in.csv
	run civic-ingest --describe in.csv
	assert_success
	printf '%s\n' "$output" > draft.json
	run python3 -c '
import json
d = json.load(open("draft.json"))
print(" ".join(f["name"] + ":" + f["type"] for f in d["fields"]))
print(d["fields"][1]["formats"], d["fields"][2].get("decimal_comma"), d["fields"][0]["examples"])'
	assert_line --index 0 'id:string when:date amount:number ok:bool label:string'
	assert_line --index 1 "['dd.mm.yyyy'] True ['007', '008']"
	run civic-ingest -q --json -s ./draft.json in.csv
	assert_success
	assert_line --index 0 '{"id":"007","when":"2024-01-05","amount":3.5,"ok":true,"label":"A"}'
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

@test "a resolution dated before its receipt is a date-order reject" {
	printf 'reg_no;received;register;resolved\n1;08.01.2024;Form 1;01.01.2024\n2;08.01.2024;Form 1;08.01.2024\n3;08.01.2024;Form 1;\n4;45299;Form 1;2024-01-07\n' > in.csv
	run --separate-stderr civic-ingest -q -s registry.json --rejects r.ndjson in.csv
	assert_failure 1
	assert_output $'reg_no,received_at,register,applicant_type,region,district,channel,received_by,service,subject,resolved_at,outcome\n2,2024-01-08,Form 1,,,,,,,,2024-01-08,\n3,2024-01-08,Form 1,,,,,,,,,'
	assert_equal "$stderr" "civic-ingest: in.csv:2: resolved_at: 2024-01-01 is before received_at 2024-01-08
civic-ingest: in.csv:5: resolved_at: 2024-01-07 is before received_at 2024-01-08
civic-ingest: 2 rejected records exceed the tolerance (--max-rejects)"
	run cat r.ndjson
	assert_output '{"file":"in.csv","line":2,"reason":"date-order","column":"resolved_at","message":"2024-01-01 is before received_at 2024-01-08","record":"1;08.01.2024;Form 1;01.01.2024"}
{"file":"in.csv","line":5,"reason":"date-order","column":"resolved_at","message":"2024-01-07 is before received_at 2024-01-08","record":"4;45299;Form 1;2024-01-07"}'
}

@test "not_before compares a personal-data date without quoting it, even when it is dropped" {
	cat > s.json <<'JSON'
{"fields":[{"name":"id"},{"name":"born","type":"date","pii":"drop"},
           {"name":"registered","type":"date","not_before":"born"}]}
JSON
	printf 'id,born,registered\n1,2000-05-01,1999-01-01\n2,2000-05-01,2001-01-01\n' > in.csv
	run --separate-stderr civic-ingest -q -s ./s.json in.csv
	assert_failure 1
	assert_output $'id,registered\n2,2001-01-01'
	assert_equal "$stderr" "civic-ingest: in.csv:2: registered: the date is before born
civic-ingest: 1 rejected record exceeds the tolerance (--max-rejects)"
}

@test "not_before must name another date field" {
	printf '{"fields":[{"name":"a","type":"date","not_before":"b"}]}' > s.json
	run civic-ingest -s ./s.json /dev/null
	assert_failure 1
	assert_output "civic-ingest: ./s.json: field 'a': \"not_before\" must name another field of the schema"
	printf '{"fields":[{"name":"a","type":"date","not_before":"a"}]}' > s.json
	run civic-ingest -s ./s.json /dev/null
	assert_failure 1
	assert_output "civic-ingest: ./s.json: field 'a': \"not_before\" must name another field of the schema"
	printf '{"fields":[{"name":"a","type":"date","not_before":"b"},{"name":"b","type":"int"}]}' > s.json
	run civic-ingest -s ./s.json /dev/null
	assert_failure 1
	assert_output "civic-ingest: ./s.json: field 'a': \"not_before\" compares dates: 'a' and 'b' must both be of type date"
}

@test "no personal-data column in the input: no word of one dropped" {
	printf 'reg_no;received;register\n1;05.01.2024;Form 1\n' > in.csv
	run --separate-stderr civic-ingest -s registry.json in.csv
	assert_success
	assert_equal "$stderr" 'civic-ingest: read 1, written 1, rejected 0'
}

@test "rows of delimiters only are blank lines: skipped and counted, not rejected" {
	printf 'reg_no;received;register\n1;05.01.2024;Form 1\n;;\n;;;;;\n  ; ;\r\n' > in.csv
	for engine in scan libcsv; do
		CIVIC_CSV_ENGINE=$engine run --separate-stderr civic-ingest -s registry.json in.csv
		assert_success
		assert_output $'reg_no,received_at,register,applicant_type,region,district,channel,received_by,service,subject,resolved_at,outcome\n1,2024-01-05,Form 1,,,,,,,,,'
		assert_equal "$stderr" $'civic-ingest: skipped 3 blank rows (delimiters only)\ncivic-ingest: read 1, written 1, rejected 0'
	done
	# Quoted empty fields are values, and a row of them is a record.
	printf 'a,b\n"",""\n,x\n' > in.csv
	run --separate-stderr civic-ingest in.csv
	assert_success
	assert_output $'a,b\n,\n,x'
	assert_equal "$stderr" 'civic-ingest: read 2, written 2, rejected 0'
}

@test "two columns matching one personal-data field are an error naming both, whatever other_columns says" {
	printf '{"other_columns":"keep","fields":[{"name":"id"},{"name":"applicant","pii":"pseudonymize","from":["фио"]}]}' > s.json
	printf 'id,applicant,ФИО\n1,Aziz Karimov,Азиз Каримов\n' > in.csv
	printf 'a-very-secret-key-0123456789' > key
	for k in '' '-k key'; do
		run --separate-stderr civic-ingest -s ./s.json $k -o out.csv in.csv
		assert_failure 1
		assert_output ''
		assert_equal "$stderr" "civic-ingest: in.csv: columns 'applicant' and 'ФИО' both match field 'applicant' (personal data): rename or remove all but one"
		[ ! -e out.csv ]
	done
	printf 'id,applicant,ФИО,Ф.И.О.\n1,a,b,c\n' > in.csv
	run civic-ingest -s ./s.json in.csv
	assert_failure 1
	assert_output "civic-ingest: in.csv: columns 'applicant', 'ФИО' and 'Ф.И.О.' all match field 'applicant' (personal data): rename or remove all but one"
}

@test "a column named as the schema spells a field wins over one only alike; two alike are an error" {
	printf '{"other_columns":"keep","fields":[{"name":"reg_no","from":["рег. номер"]}]}' > s.json
	printf 'REG-NO,Рег. номер\nx,1\n' > in.csv
	run --separate-stderr civic-ingest -s ./s.json in.csv
	assert_success
	assert_output $'reg_no,REG-NO\n1,x'
	printf 'reg no,РЕГ НОМЕР\nx,1\n' > in.csv
	run --separate-stderr civic-ingest -s ./s.json in.csv
	assert_failure 1
	assert_equal "$stderr" "civic-ingest: in.csv: columns 'reg no' and 'РЕГ НОМЕР' both match field 'reg_no': rename or remove all but one"
	printf 'Номер;Рег. номер;received;register\n1;A-1;05.01.2024;Form 1\n' > in.csv
	run --separate-stderr civic-ingest -s registry.json in.csv
	assert_failure 1
	assert_equal "$stderr" "civic-ingest: in.csv: columns 'Номер' and 'Рег. номер' both match field 'reg_no': rename or remove all but one"
}

@test "a row counter (#, -, *, №) is not the registration number" {
	for counter in '#' '-' '*' '№'; do
		printf '%s;Номер;received;register\n1;A-1;05.01.2024;Form 1\n' "$counter" > in.csv
		run --separate-stderr civic-ingest -s registry.json in.csv
		assert_success
		assert_line --index 1 'A-1,2024-01-05,Form 1,,,,,,,,,'
	done
	printf '#;received;register\n1;05.01.2024;Form 1\n' > in.csv
	run civic-ingest -s registry.json in.csv
	assert_failure 1
	assert_line --index 0 "civic-ingest: in.csv: no column for required field 'reg_no'"
	assert_line --index 1 "civic-ingest: in.csv: the header read has 3 columns: '#', 'received', 'register'"
}

@test "a source name with no letter or digit is a schema error" {
	printf '{"fields":[{"name":"reg_no","from":["number","№"]}]}' > s.json
	run civic-ingest -s ./s.json /dev/null
	assert_failure 1
	assert_output "civic-ingest: ./s.json: field 'reg_no': source name '№' has no letter or digit, so it would match any column without one (such as '#')"
	printf '{"fields":[{"name":"--"}]}' > s.json
	run civic-ingest -s ./s.json /dev/null
	assert_failure 1
	assert_output "civic-ingest: ./s.json: field '--': source name '--' has no letter or digit, so it would match any column without one (such as '#')"
}

@test "a key file is used whole: keys that differ after 4096 bytes give other pseudonyms (BLAKE2b, checked by Python)" {
	python3 -c 'import sys; sys.stdout.write("k" * 5000 + "A")' > key1
	python3 -c 'import sys; sys.stdout.write("k" * 5000 + "B")' > key2
	printf 'applicant;reg_no;received;register\nAziz Karimov;1;05.01.2024;Form 1\n' > in.csv
	run civic-ingest -q -s registry.json -k key1 in.csv
	assert_success
	p1=$(printf '%s\n' "$output" | sed -n '2s/^[^,]*,[^,]*,[^,]*,\([^,]*\),.*/\1/p')
	run civic-ingest -q -s registry.json -k key2 in.csv
	p2=$(printf '%s\n' "$output" | sed -n '2s/^[^,]*,[^,]*,[^,]*,\([^,]*\),.*/\1/p')
	[[ "$p1" =~ ^[0-9a-f]{32}$ ]]
	[ "$p1" != "$p2" ]
	# A key longer than 64 bytes is first hashed to 64 bytes with plain BLAKE2b.
	run /usr/bin/python3 -c '
import hashlib, sys
key = hashlib.blake2b(open("key1", "rb").read(), digest_size=64).digest()
print(hashlib.blake2b("aziz karimov".encode(), digest_size=16, key=key).hexdigest())'
	assert_output "$p1"
}

@test "a key file longer than 1 MiB is refused, not cut" {
	head -c 1048577 /dev/zero | tr '\0' k > key
	run civic-ingest -s registry.json -k key /dev/null
	assert_failure 1
	assert_output "civic-ingest: key: the pseudonymisation key file is longer than 1048576 bytes: not a key"
}

@test "pseudonyms: a name is folded as rule books fold text before hashing (checked by Python)" {
	printf 'a-very-secret-key-0123456789\n' > key
	printf "applicant;reg_no;received;register\nOʻgʻiloy;1;05.01.2024;Form 1\nO'g'iloy;2;05.01.2024;Form 1\n O‘G‘ILOY  ;3;05.01.2024;Form 1\nПётр Ўлмасов;4;05.01.2024;Form 1\nпетр  улмасов;5;05.01.2024;Form 1\n" > in.csv
	run civic-ingest -q -s registry.json -k key in.csv
	assert_success
	run sh -c "printf '%s\n' \"\$0\" | sed -n '2,\$s/^[^,]*,[^,]*,[^,]*,\([^,]*\),.*/\1/p'" "$output"
	run /usr/bin/python3 -c '
import hashlib, sys
got = sys.stdin.read().split()
want = [hashlib.blake2b(n.encode(), digest_size=16, key=b"a-very-secret-key-0123456789").hexdigest()
        for n in ["o'"'"'g'"'"'iloy"] * 3 + ["петр улмасов"] * 2]
print("ok" if got == want else (got, want))' <<< "$output"
	assert_output ok
}

@test "a NUL byte in a field is a nul-byte reject, with or without a schema" {
	printf 'k,v\nA\0X,1\nA\0Y,2\nB,3\n' > in.csv
	run --separate-stderr civic-ingest --rejects r.ndjson in.csv
	assert_failure 1
	assert_output $'k,v\nB,3'
	assert_equal "$stderr" "civic-ingest: in.csv:2: k: a NUL byte at byte 2 of the value (not text)
civic-ingest: in.csv:3: k: a NUL byte at byte 2 of the value (not text)
civic-ingest: read 3, written 1, rejected 2
civic-ingest: 2 rejected records exceed the tolerance (--max-rejects)"
	run sed 's/.*"reason":"\([^"]*\)","column":"\([^"]*\)".*/\1 \2/' r.ndjson
	assert_output $'nul-byte k\nnul-byte k'
	printf '{"fields":[{"name":"k"},{"name":"v","type":"int"}]}' > s.json
	printf 'k,v\nA,1\0\n' > in.csv
	run --separate-stderr civic-ingest -q -s ./s.json in.csv
	assert_failure 1
	assert_equal "$stderr" "civic-ingest: in.csv:2: v: a NUL byte at byte 2 of the value (not text)
civic-ingest: 1 rejected record exceeds the tolerance (--max-rejects)"
}

@test "int: the whole 64-bit range, and not one more" {
	printf '{"fields":[{"name":"n","type":"int"}]}' > s.json
	printf 'n\n-9223372036854775808\n9223372036854775807\n-9223372036854775809\n9223372036854775808\n' > in.csv
	run --separate-stderr civic-ingest -q -s ./s.json in.csv
	assert_failure 1
	assert_output $'n\n-9223372036854775808\n9223372036854775807'
	assert_equal "$stderr" "civic-ingest: in.csv:4: n: '-9223372036854775809' is not a whole number
civic-ingest: in.csv:5: n: '9223372036854775808' is not a whole number
civic-ingest: 2 rejected records exceed the tolerance (--max-rejects)"
}

@test "bool: yes and no in Uzbek Cyrillic and Latin, any case and apostrophe" {
	printf '{"fields":[{"name":"b","type":"bool"}]}' > s.json
	printf 'b\nҲА\nҳа\nҲа\nЙЎҚ\nйўқ\nЙўқ\nha\nHA\nyoʻq\nYO‘Q\nyo'"'"'q\nДА\nнет\nҳаа\n' > in.csv
	run --separate-stderr civic-ingest -q -s ./s.json in.csv
	assert_failure 1
	assert_output "$(printf 'b\ntrue\ntrue\ntrue\nfalse\nfalse\nfalse\ntrue\ntrue\nfalse\nfalse\nfalse\ntrue\nfalse')"
	assert_equal "$stderr" "civic-ingest: in.csv:15: b: 'ҳаа' is not yes/no or true/false
civic-ingest: 1 rejected record exceeds the tolerance (--max-rejects)"
}

@test "a message about a value in a personal-data column never quotes it" {
	cat > s.json <<'JSON'
{"fields":[{"name":"id"},
  {"name":"born","type":"date","pii":"pseudonymize"},
  {"name":"phone","type":"int","pii":"pseudonymize"},
  {"name":"children","type":"number","pii":"pseudonymize"},
  {"name":"married","type":"bool","pii":"pseudonymize"},
  {"name":"born2","type":"date","formats":["excel"],"pii":"pseudonymize"}]}
JSON
	printf 'id,born,phone,children,married,born2\n1,Aziz Karimov,1,1,yes,45292\n2,,Aziz Karimov,1,yes,45292\n3,,1,Aziz Karimov,yes,45292\n4,,1,1,Aziz Karimov,45292\n5,,1,1,yes,1977\n' > in.csv
	printf 'a-very-secret-key-0123456789' > key
	run --separate-stderr civic-ingest -q -s ./s.json -k key --rejects r.ndjson in.csv
	assert_failure 1
	assert_output 'id,born,phone,children,married,born2'
	assert_equal "$stderr" "civic-ingest: in.csv:2: born: the value is not a valid date (expected yyyy-mm-dd, dd.mm.yyyy, dd/mm/yyyy)
civic-ingest: in.csv:3: phone: the value is not a whole number
civic-ingest: in.csv:4: children: the value is not a number
civic-ingest: in.csv:5: married: the value is not yes/no or true/false
civic-ingest: in.csv:6: born2: the value is not a date: Excel serial days are read only within 1990-01-01..2100-12-31 (32874..73415), and a bare year or small number is not one
civic-ingest: 5 rejected records exceed the tolerance (--max-rejects)"
	run grep -c 'message":"the value' r.ndjson
	assert_output 5
	refute [ "$(grep -c 'message":"[^"]*Aziz' r.ndjson)" -gt 0 ]
}

@test "a broken NDJSON line is reported by position, without the text near the error" {
	printf '{"applicant":"x"}\n{"applicant":"Aziz Karimov\n{"applicant":Aziz}\n' > in.ndjson
	run --separate-stderr civic-ingest in.ndjson
	assert_failure 1
	assert_equal "$stderr" "civic-ingest: in.ndjson:2: invalid JSON: premature end of input (column 26)
civic-ingest: in.ndjson:3: invalid JSON: invalid token (column 17)
civic-ingest: read 3, written 1, rejected 2
civic-ingest: 2 rejected records exceed the tolerance (--max-rejects)"
}

@test "--describe leaves out a column whose name no schema can match, and the draft loads" {
	printf '#;№;label\n1;2;a\n' > in.csv
	run civic-ingest --describe in.csv
	assert_success
	printf '%s\n' "$output" > draft.json
	run python3 -c '
import json
d = json.load(open("draft.json"))
print(d["left_out_columns"], [f["name"] for f in d["fields"]])'
	assert_output "['#', '№'] ['label']"
	run civic-ingest -q -s ./draft.json in.csv
	assert_success
	assert_output $'label\na'
}
