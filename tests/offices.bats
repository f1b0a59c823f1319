#!/usr/bin/env bats
# Real exports as offices send them: five offices' headers, encodings and
# dialects in one civic-ingest (and civic-monthly) run; values as people
# type them; schemas and rule books that extend the shipped ones.
#
# The fixtures in tests/fixtures/ingest/offices/ are written by
# make-offices.py (Python's csv and codecs, iconv for CP1251), which also
# writes expected.csv, its own reading of the records: civic-ingest must
# give exactly those rows.

load helper

setup() {
	setup_scratch
	O="$FIXTURES/ingest/offices"
	OFFICES=("$O/office1-cp1251.csv" "$O/office2-utf8.csv" "$O/office3-utf16.csv"
		"$O/office4-semicolon.csv" "$O/office5-uz-cyrl.csv")
}

# --- many offices, many headers, one run ------------------------------------

@test "five offices, five headers, three encodings, one run: the rows an independent reading gives, every row accounted" {
	run --separate-stderr civic-ingest -e auto -s "$O/offices.json" --max-rejects 1 \
		--rejects rejects.ndjson -o out.csv "${OFFICES[@]}"
	assert_success
	cmp out.csv "$O/expected.csv" || fail "$(diff out.csv "$O/expected.csv")"
	python3 -c '
import json, sys
print("".join("%s:%d\n" % (r["file"].rsplit("/", 1)[1], r["line"]) for r in map(json.loads, open("rejects.ndjson"))), end="")' > got-rejects
	cmp got-rejects "$O/expected-rejects.txt"
	written=$(($(wc -l < out.csv) - 1))
	rejected=$(wc -l < rejects.ndjson)
	[[ "$stderr" == *"civic-ingest: read $((written + rejected)), written $written, rejected $rejected"* ]]
	assert_equal "$((written + rejected))" 15
	[[ "$stderr" == *"office1-cp1251.csv: read as cp1251 (not valid UTF-8)"* ]]
	[[ "$stderr" == *"office2-utf8.csv: read as UTF-8"* ]]
	[[ "$stderr" == *"office3-utf16.csv: read as UTF-16 (byte-order mark)"* ]]
	[[ "$stderr" == *"skipped 1 blank row"* ]]
}

@test "-e auto decides on a pipe as on the file, whatever the reads bring" {
	civic-ingest -q -e auto -s "$O/offices.json" "$O/office1-cp1251.csv" > file.csv
	run --separate-stderr civic-ingest -e auto -s "$O/offices.json" - < <(cat "$O/office1-cp1251.csv")
	assert_success
	assert_equal "$output" "$(cat file.csv)"
	[[ "$stderr" == *"(standard input): read as cp1251 (not valid UTF-8)"* ]]
	CIVIC_READ_MAX=3 civic-ingest -q -e auto -s "$O/offices.json" "$O/office1-cp1251.csv" > slow.csv
	cmp file.csv slow.csv
	CIVIC_NO_MMAP=1 civic-ingest -q -e auto -s "$O/offices.json" "$O/office3-utf16.csv" > a.csv
	civic-ingest -q -e auto -s "$O/offices.json" "$O/office3-utf16.csv" > b.csv
	cmp a.csv b.csv
}

@test "-e auto never guesses on a file valid in neither: it is read as UTF-8 and the record rejected with the hint" {
	# 0x98 is the one byte CP1251 leaves undefined; 0xC0 0x20 is not UTF-8.
	printf 'reg_no;received;register\nA-1;05.01.2024;Form 1\nA-2;06.01.2024;\xc0 \x98\n' > neither.csv
	run --separate-stderr civic-ingest -e auto -s registry.json neither.csv
	assert_failure 1
	assert_line --index 1 'A-1,2024-01-05,Form 1,,,,,,,,,'
	[[ "$stderr" == *"neither.csv: valid in neither UTF-8 nor cp1251: read as UTF-8, records that are not rejected"* ]]
	[[ "$stderr" == *"neither.csv:3: register: invalid UTF-8 at byte"* ]]
	[[ "$stderr" == *"read 2, written 1, rejected 1"* ]]
}

@test "--fallback-encoding names the 8-bit encoding -e auto may choose; without -e auto it is a usage error" {
	printf 'reg_no;received;register\nA-1;05.01.2024;Журнал\n' | iconv -t koi8-r > koi.csv
	run --separate-stderr civic-ingest -e auto --fallback-encoding koi8-r -s registry.json koi.csv
	assert_success
	assert_line --index 1 'A-1,2024-01-05,Журнал,,,,,,,,,'
	[[ "$stderr" == *"koi.csv: read as koi8-r (not valid UTF-8)"* ]]
	run civic-ingest --fallback-encoding koi8-r -s registry.json koi.csv
	assert_failure 2
	assert_line --index 0 'civic-ingest: --fallback-encoding is for -e auto'
}

@test "without a schema, differing headers stay an error naming both files" {
	run --separate-stderr civic-ingest "$O/office2-utf8.csv" "$O/office5-uz-cyrl.csv"
	assert_failure 1
	assert_equal "$stderr" "civic-ingest: $O/office5-uz-cyrl.csv: header differs from that of $O/office2-utf8.csv; skipping the file
civic-ingest: read 3, written 3, rejected 0, input files skipped 1 (nothing committed)"
}

@test "with a schema, a file whose header does not map is skipped by name and nothing is committed" {
	printf 'when;what\n05.01.2024;x\n' > other.csv
	run --separate-stderr civic-ingest -s "$O/offices.json" -o out.csv "$O/office2-utf8.csv" other.csv
	assert_failure 1
	[ ! -e out.csv ]
	[[ "$stderr" == *"other.csv: no column for required field 'reg_no'"* ]]
	[[ "$stderr" == *"other.csv: the header read has 2 columns: 'when', 'what'"* ]]
	[[ "$stderr" == *"other.csv: skipping the file"* ]]
	[[ "$stderr" == *"input files skipped 1 (nothing committed)"* ]]
}

@test "with other_columns keep, files whose extra columns differ give other output columns: an error naming both" {
	printf '{"other_columns":"keep","fields":[{"name":"id","required":true}]}' > keep.json
	printf 'id,a\n1,x\n' > one.csv
	printf 'b,ID\ny,2\n' > two.csv
	run --separate-stderr civic-ingest -s ./keep.json one.csv two.csv
	assert_failure 1
	[[ "$stderr" == *"two.csv: its columns give other output columns than those of one.csv; skipping the file"* ]]
	printf 'a,ID\ny,2\n' > three.csv
	run --separate-stderr civic-ingest -s ./keep.json one.csv three.csv
	assert_success
	assert_output $'id,a\n1,x\n2,y'
}

@test "a header read whole as one column: the message shows it, the names accepted, and -d / -e" {
	run --separate-stderr civic-ingest -d , -s registry.json "$O/office4-semicolon.csv"
	assert_failure 1
	[[ "$stderr" == *"the header read has 1 column: 'Номер;Журнал;Поступило;"* ]]
	[[ "$stderr" == *"the schema takes 'reg_no' from a column named 'reg_no', 'registration number',"* ]]
	[[ "$stderr" == *"a header read as one column needs -d (-d ';'), one of garbled letters -e (-e cp1251, or -e auto)"* ]]
	run --separate-stderr civic-ingest -s registry.json "$O/office1-cp1251.csv"
	assert_failure 1
	[[ "$stderr" == *"header is not valid UTF-8 (try -e cp1251)"* ]]
}

@test "civic-monthly takes -d, -e and -S: the five offices' month in one run" {
	mkdir raw
	cp "${OFFICES[@]}" raw/
	run civic-monthly -m 2024-03 -r 10% -e auto -S "$O/offices.json" -o out raw
	assert_success
	grep -qx '15 rows read, 1 rejected' out/internal/2024-03/ingest/log
	grep -q 'office1-cp1251.csv: read as cp1251' out/internal/2024-03/ingest/log
	# the 14 rows left are all of March
	run awk -F, 'NR > 1 { n += $2 } END { print n }' out/internal/2024-03/tallies/register-book.csv
	assert_output 14
	[ -s out/2024-03/report.txt ]
	run civic-monthly -m 2024-03 -d ';' -o out2 raw
	assert_failure 1
}

# --- values as people type them ----------------------------------------------

@test "date-times: dd.mm.yyyy HH:MM[:SS], ISO with T or space, Excel fractions; a date column keeps the date" {
	printf '{"fields":[{"name":"at","type":"datetime","formats":["dd.mm.yyyy","yyyy-mm-dd","excel"]},{"name":"d","type":"date","formats":["dd.mm.yyyy","yyyy-mm-dd","excel"]}]}' > s.json
	printf 'at;d\n05.01.2024 14:30;05.01.2024 14:30\n5.1.2024 7:05:09;2024-01-05T23:59:59\n2024-01-05T09:05:07;2024-01-05 10:00\n2024-01-05 09:05;45296.75\n45296.6041666667;45296\n05.01.2024;\n' > in.csv
	run --separate-stderr civic-ingest -s ./s.json in.csv
	assert_success
	assert_output 'at,d
2024-01-05T14:30:00,2024-01-05
2024-01-05T07:05:09,2024-01-05
2024-01-05T09:05:07,2024-01-05
2024-01-05T09:05:00,2024-01-05
2024-01-05T14:30:00,2024-01-05
2024-01-05,'
	# The oracle for the serials: Python's datetime from Excel's epoch.
	assert_equal "$(python3 -c 'import datetime as d; print((d.datetime(1899,12,30)+d.timedelta(days=45296.6041666667)).strftime("%Y-%m-%dT%H:%M:%S"))')" 2024-01-05T14:30:00
	printf 'at;d\n05.01.2024 24:00;\n05.01.2024 10:61;\n31.02.2024 10:00;\n;05.01.2024 noon\n12.5;\n' > bad.csv
	run --separate-stderr civic-ingest -s ./s.json --max-rejects 100% bad.csv
	assert_equal "$(grep -c 'is not a' <<< "$stderr")" 5
	[[ "$stderr" == *"bad.csv:2: at: '05.01.2024 24:00' is not a valid date and time (expected dd.mm.yyyy, yyyy-mm-dd, excel, with HH:MM[:SS] or not)"* ]]
	[[ "$stderr" == *"bad.csv:6: at: '12.5' is not a date: Excel serial days are read only within"* ]]
	[[ "$stderr" == *"read 5, written 0, rejected 5"* ]]
}

@test "two-digit years only with dd.mm.yy named, and then from its pivot year" {
	printf '{"fields":[{"name":"d","type":"date","formats":["dd.mm.yy"],"pivot_year":1950}]}' > s.json
	printf 'd\n05.01.24\n31.12.49\n01.01.50\n05.01.2024\n' > in.csv
	run --separate-stderr civic-ingest -s ./s.json --max-rejects 1 in.csv
	assert_success
	assert_output $'d\n2024-01-05\n2049-12-31\n1950-01-01'
	printf 'reg_no,received,register\nA-1,05.01.24,Form 1\n' > yy.csv
	run --separate-stderr civic-ingest -s registry.json yy.csv
	assert_failure 1
	[[ "$stderr" == *"yy.csv:2: received_at: '05.01.24' is not a valid date"* ]]
	printf '{"fields":[{"name":"d","type":"date","formats":["dd.mm.yy"]}]}' > nopivot.json
	run --separate-stderr civic-ingest -s ./nopivot.json in.csv
	assert_failure 1
	[[ "$stderr" == *"field 'd': the format dd.mm.yy and \"pivot_year\""*"go together"* ]]
	printf '{"fields":[{"name":"d","type":"date","pivot_year":1950}]}' > nofmt.json
	run --separate-stderr civic-ingest -s ./nofmt.json in.csv
	assert_failure 1
}

@test "missing-value codes per schema and per field become empty, never rejects" {
	printf '{"missing":["-","н/д","ma'"'"'lumot yo'"'"'q"],"fields":[{"name":"n","type":"int"},{"name":"d","type":"date"},{"name":"s","missing":["n/a"]},{"name":"r","required":true}]}' > s.json
	printf 'n;d;s;r\n-;н/д;n/a;x\n  н/д ;-;-;x\n5;ma'"'"'lumot yo'"'"'q;ok;x\n1;;;-\n' > in.csv
	run --separate-stderr civic-ingest -s ./s.json --max-rejects 1 --rejects rej.ndjson in.csv
	assert_success
	assert_output $'n,d,s,r\n,,,x\n,,-,x\n5,,ok,x'
	# A required field given a missing code is as empty: missing-value.
	grep -q '"line":5,"reason":"missing-value","column":"r"' rej.ndjson
}

@test "the shipped registry schema reads the common missing-value codes in English, Russian and Uzbek" {
	printf 'reg_no;received;register;outcome;resolved\nA-1;05.01.2024;Form 1;н/д;—\nA-2;05.01.2024;Form 1;n/a;-\nA-3;05.01.2024;Form 1;maʼlumot yoʻq;Маълумот йўқ\n' > in.csv
	run --separate-stderr civic-ingest -s registry.json in.csv
	assert_success
	assert_output 'reg_no,received_at,register,applicant_type,region,district,channel,received_by,service,subject,resolved_at,outcome
A-1,2024-01-05,Form 1,,,,,,,,,
A-2,2024-01-05,Form 1,,,,,,,,,
A-3,2024-01-05,Form 1,,,,,,,,,'
}

@test "numbers: decimal comma, spaces and no-break spaces between thousands, a trailing percent, per field" {
	printf '{"fields":[{"name":"a","type":"number","decimal_comma":true,"thousands":true,"percent":true},{"name":"b","type":"int","thousands":true}]}' > s.json
	printf 'a;b\n1 234,5;1 234 567\n12,5 %%;-1 000\n3326,422%%;7\n1\xc2\xa0234,5;1\xe2\x80\xaf000\n' > in.csv
	run --separate-stderr civic-ingest -s ./s.json in.csv
	assert_success
	assert_output $'a,b\n1234.5,1234567\n12.5,-1000\n3326.422,7\n1234.5,1000'
	printf 'a;b\n12 34;1\n1 2345;1\n1;1 23\n' > bad.csv
	run --separate-stderr civic-ingest -s ./s.json --max-rejects 100% bad.csv
	[[ "$stderr" == *"read 3, written 0, rejected 3"* ]]
}

@test "a number with a decimal comma, or grouped, where the schema expects neither: the message says what to set" {
	printf '{"fields":[{"name":"a","type":"number"},{"name":"b","type":"int"}]}' > s.json
	printf 'a;b\n3326,422;1\n1;1 234\n' > in.csv
	run --separate-stderr civic-ingest -s ./s.json --max-rejects 100% in.csv
	[[ "$stderr" == *"in.csv:2: a: '3326,422' is not a number (a decimal comma? the schema can say \"decimal_comma\": true)"* ]]
	[[ "$stderr" == *"in.csv:3: b: '1 234' is not a whole number (spaces between thousands or a % sign? the schema can say \"thousands\": true, \"percent\": true)"* ]]
}

# --- extending what civic ships ---------------------------------------------

@test "a schema extends the shipped registry: aliases added, a format and a type changed; --show-schema prints the result" {
	run --separate-stderr civic-ingest --show-schema -s "$O/offices.json"
	assert_success
	printf '%s\n' "$output" > merged.json
	python3 - <<'PY'
import json
m = json.load(open("merged.json"))
base = json.load(open(__import__("os").environ["CIVIC_DATADIR"] + "/schemas/registry.json"))
assert "extends" not in m and m["name"] == "offices"
f = {x["name"]: x for x in m["fields"]}
b = {x["name"]: x for x in base["fields"]}
assert [x["name"] for x in m["fields"]] == [x["name"] for x in base["fields"]]
assert f["reg_no"]["from"] == b["reg_no"]["from"] + ["Рег. №", "Рўйхат рақами"], f["reg_no"]["from"]
assert f["received_at"]["formats"][-1] == "dd.mm.yy" and f["received_at"]["pivot_year"] == 1950
assert f["received_at"]["required"] is True and m["missing"] == base["missing"]
PY
	# The merged schema loads by itself and reads the offices the same.
	civic-ingest -q -e auto -s ./merged.json --max-rejects 1 -o out.csv "${OFFICES[@]}"
	cmp out.csv "$O/expected.csv"
}

@test "an extending schema may add fields and change a field's type and missing codes" {
	printf '{"extends":"registry","fields":[{"name":"received_at","type":"datetime"},{"name":"outcome","missing":["не рассмотрено"]},{"name":"phone","from":["Телефон"],"pii":"drop"}]}' > ext.json
	printf 'Номер;Поступило;Журнал;Результат;Телефон\nA-1;05.01.2024 10:30;Ф-1;не рассмотрено;+998 90 123 45 67\nA-2;06.01.2024;Ф-2;-;\n' > in.csv
	run --separate-stderr civic-ingest -s ./ext.json in.csv
	assert_success
	assert_line --index 1 'A-1,2024-01-05T10:30:00,Ф-1,,,,,,,,,'
	assert_line --index 2 'A-2,2024-01-06,Ф-2,,,,,,,,,-'
	refute_output --partial '998'
}

@test "extends: a schema not found, one that extends itself, and a bad value are errors" {
	printf '{"extends":"no-such","fields":[]}' > a.json
	run civic-ingest --show-schema -s ./a.json
	assert_failure 1
	assert_output --partial "./a.json: \"extends\": schema 'no-such' not found"
	printf '{"extends":"./self.json","fields":[{"name":"x"}]}' > self.json
	run civic-ingest --show-schema -s ./self.json
	assert_failure 1
	assert_output --partial 'goes more than 8 schemas deep'
	printf '{"extends":7}' > b.json
	run civic-ingest --show-schema -s ./b.json
	assert_failure 1
	run civic-ingest --show-schema
	assert_failure 2
}

@test "--describe marks personal columns pii, maps known columns to the registry's names, and says ingest without a schema passes all" {
	printf 'Рег. №;Дата поступления;ФИО заявителя;Телефон;Паспорт;Район;Контакт;Who;District name\n1;05.01.2024;Иванов Иван Иванович;+998 90 123-45-67;AA1234567;Чиланзар;90 1234567;Karimov Aziz Anvar o%sg%sli;Chilanzar\n' "'" "'" > in.csv
	run --separate-stderr civic-ingest --describe in.csv
	assert_success
	printf '%s\n' "$output" > draft.json
	run python3 -c '
import json
d = json.load(open("draft.json"))
for f in d["fields"]:
    print(f["name"], f.get("pii", "-"), f.get("registry_field", False))
print("passes every column through, personal data included" in d["note"])'
	assert_output 'Рег_№ - False
received_at - True
applicant pseudonymize True
Телефон drop False
Паспорт drop False
district - True
Контакт drop False
who pseudonymize False
district_name - False
True'
	[[ "$stderr" == *"5 columns look personal, marked \"pii\" in the draft: without a schema civic-ingest passes every column through, personal data included"* ]]
	run --separate-stderr civic-ingest -q --json -s ./draft.json in.csv
	assert_success
	refute_output --partial '998'
	refute_output --partial 'Иванов'
}

@test "a rule book includes a shipped one and extends its set before or after its rules; --show-rules prints the merged book" {
	cat > office.rules <<'RULES'
include registers.rules

# This office writes "КП" for form 1 and its own name for the form 2 journal.
extend register before
office.kp    form1   ^кп\b
map Журнал учёта обращений -> form2

extend register after
office.any   alphabetical   ^книга$
RULES
	printf 'register\nКП\nЖурнал учета обращений\nForm 1\nкнига\nxyz\n' > in.csv
	run --separate-stderr civic-classify -r ./office.rules --explain in.csv
	assert_success
	assert_output 'register,register_rule
form1,office.kp
form2,office.rules:6
form1,form1.name
alphabetical,office.any
xyz,default'
	run --separate-stderr civic-classify --show-rules -r ./office.rules
	assert_success
	printf '%s\n' "$output" > merged.rules
	assert_line --index 0 'set register'
	assert_line --index 2 '# ./office.rules'
	assert_line --index 3 'office.kp form1 ^кп\b'
	assert_line --index 4 'map журнал учета обращений -> form2'
	assert_line --partial 'registers.rules'
	assert_equal "$(sed -n '$p' merged.rules)" 'keep'
	assert_equal "$(grep -n 'office.any' merged.rules | cut -d: -f1)" "$(($(wc -l < merged.rules) - 1))"
	# The printed book is a book: it loads and codes the same.
	run --separate-stderr civic-classify -r ./merged.rules --explain in.csv
	assert_success
	assert_line --index 3 'form1,form1.name'
	assert_line --index 4 'alphabetical,office.any'
	run --separate-stderr civic-classify --show-rules -r ./merged.rules
	assert_equal "$(grep -v '^#' <<< "$output")" "$(grep -v '^#' merged.rules)"
}

@test "extend: a set not defined above, no where, from/default/keep inside, and a value mapped twice are errors" {
	printf 'extend register before\nx form1 y\n' > a.rules
	run civic-classify --check -r ./a.rules
	assert_failure 1
	assert_line --index 0 "civic-classify: ./a.rules:1:8: no rule set 'register' is defined before this line (include its book first)"
	printf 'include registers.rules\nextend register\n' > b.rules
	run civic-classify --check -r ./b.rules
	assert_failure 1
	assert_line --index 0 "civic-classify: ./b.rules:2:1: 'extend' needs a rule set and where the new rules go: 'extend NAME before' or 'extend NAME after'"
	printf 'include registers.rules\nextend register after\ndefault other\nx.y form1 zzz\n' > c.rules
	run civic-classify --check -r ./c.rules
	assert_failure 1
	assert_line --index 0 "civic-classify: ./c.rules:3:1: 'default' changes a set only where it is defined: 'extend' adds rules and maps"
	printf 'set s\nmap a -> x\nset t\nmap b -> y\nextend s after\nmap A -> z\n' > d.rules
	run civic-classify --check -r ./d.rules
	assert_failure 1
	assert_line --index 0 --partial "value 'a' is already mapped at ./d.rules:2"
	printf 'include registers.rules\nextend register before\n' > e.rules
	run civic-classify --check -r ./e.rules
	assert_failure 1
	assert_output --partial "'extend register' adds no rules or maps"
	printf 'include registers.rules\nset register\nx form1 y\n' > f.rules
	run civic-classify --check -r ./f.rules
	assert_failure 1
	assert_line --index 0 --partial "rule set 'register' is already defined at"
	assert_line --index 0 --partial "(to add to it: 'extend register before' or 'extend register after')"
	run civic-classify --show-rules -r registers.rules in.csv
	assert_failure 2
}
