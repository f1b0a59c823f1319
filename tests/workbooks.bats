#!/usr/bin/env bats
# Workbooks (.xlsx, .ods, .xls) read by civic-ingest and the commands that
# share its reader.  The fixtures in tests/fixtures/workbooks/ are written
# by other programs (make-xlsx.py: openpyxl, and zipfile by hand for the
# hostile ones); tests/workbook-read-check.py is the independent reading
# (openpyxl) civic-ingest's output is compared with.

load helper

setup() {
	setup_scratch
	X="$FIXTURES/workbooks/xlsx"
	H="$X/hostile"
	PY=/usr/bin/python3
}

# check FILE SHEET: civic-ingest's CSV and rejects equal openpyxl's reading.
check() {
	"$PY" "$CIVIC_ROOT/tests/workbook-read-check.py" "$1" "$2" want.csv want-rejects.txt
	civic-ingest --sheet "$2" --max-rejects 100% --rejects rejects.ndjson -o got.csv "$1" 2> stderr.txt ||
		fail "civic-ingest failed: $(cat stderr.txt)"
	python3 -c '
import json
print("".join(r["sheet"] + "!" + r["cell"] + "\n" for r in map(json.loads, open("rejects.ndjson"))), end="")' > got-rejects.txt
	cmp got.csv want.csv || fail "$(diff got.csv want.csv)"
	cmp got-rejects.txt want-rejects.txt || fail "$(diff got-rejects.txt want-rejects.txt)"
}

# --- xlsx: what the cells hold -------------------------------------------------

@test "xlsx: every cell type (shared, rich, inline, numbers, booleans, dates, times, formulas' cached values, errors) as openpyxl reads them" {
	check "$X/types.xlsx" Types
	# What the issue names, read in the output openpyxl agreed with.
	run civic-ingest -q --max-rejects 1 --json "$X/types.xlsx"
	assert_success
	[[ "$output" == *'"decimal":"0.1"'* ]]
	[[ "$output" == *'"big":"10000000"'* ]]
	[[ "$output" == *'"tiny":"0.00001"'* ]]          # stored as 1e-05
	[[ "$output" == *'"big":"150000000000000000000"'* ]]  # stored as 1.5e+20
	[[ "$output" == *'"text":"rich"'* ]]             # runs joined, the phonetic hint left out
	[[ "$output" == *'"formula_n":"84","formula_s":"abcd"'* ]]
}

@test "xlsx: an error cell rejects its record, naming sheet, cell and column; blank leading rows and rows of empty cells are skipped and counted" {
	run --separate-stderr civic-ingest --rejects rj.ndjson "$X/types.xlsx"
	assert_failure 1
	assert_equal "$(head -1 <<< "$output")" "id,text,inline,int,decimal,big,tiny,negative,bool,date,datetime,time,formula_n,formula_s"
	assert_equal "$stderr" "civic-ingest: $X/types.xlsx:Types!M7: formula_n: the cell holds the error #DIV/0!
civic-ingest: skipped 1 row of empty cells in workbooks
civic-ingest: read 4, written 3, rejected 1
civic-ingest: 1 rejected record exceeds the tolerance (--max-rejects)"
	run jq -c '[.line, .sheet, .cell, .reason, .column]' rj.ndjson
	assert_output '[7,"Types","M7","cell-error","formula_n"]'
}

@test "xlsx: numbers under number formats are dates, date-times, times or numbers as openpyxl tells them" {
	check "$X/formats.xlsx" Formats
}

@test "xlsx: dates in the 1900 and the 1904 date systems, as openpyxl reads them" {
	check "$X/dates1904.xlsx" Mac
	run civic-ingest -q "$X/dates1904.xlsx"
	assert_line --index 1 "1,1904-01-01,1904-01-02T06:00:00"
}

@test "xlsx: Excel's 1900-02-29 (serial 60) is a reject naming the cell; the serials around it are the right days" {
	run --separate-stderr civic-ingest --max-rejects 1 "$X/leap1900.xlsx"
	assert_success
	# The days, by Python's calendar: serial n is 1899-12-31 + n below 60, 1899-12-30 + n above.
	want=$(python3 -c '
import datetime as d
for i, n in enumerate((1, 59, 60, 61, 45352), 1):
    if n != 60:
        print("%d,%s" % (i, d.date(1899, 12, 31 if n < 60 else 30) + d.timedelta(n)))')
	assert_equal "$output" "n,serial_date
$want"
	[[ "$stderr" == *"leap1900.xlsx:Leap!B4: serial_date: 1900-02-29 does not exist (Excel's serial 60)"* ]]
}

@test "xlsx: a merged header cell names its columns; the blank row above is skipped; the schema maps the office's names; rejects name the cell" {
	check "$X/registry.xlsx" Реестр
	head -1 got.csv | grep -q '^Рег. номер,Дата поступления,Журнал,Заявитель,Заявитель 2,Район,'
	run --separate-stderr civic-ingest -s registry.json --lineage --rejects rj.ndjson "$X/registry.xlsx"
	assert_failure 1
	assert_equal "$(cut -d, -f1,2,13,14 <<< "$output")" "reg_no,received_at,_file,_line
R-001,2024-03-01,$X/registry.xlsx,3
R-002,2024-03-02,$X/registry.xlsx,4
R-005,2024-03-06,$X/registry.xlsx,8"
	[[ "$stderr" == *"civic-ingest: $X/registry.xlsx:Реестр!B6: received_at: '31.02.2024' is not a valid date"* ]]
	[[ "$stderr" == *"civic-ingest: $X/registry.xlsx:Реестр!G7: Содержание: the cell holds the error #DIV/0!"* ]]
	[[ "$stderr" == *"skipped 1 row of empty cells in workbooks"* ]]
	[[ "$stderr" == *"read 5, written 3, rejected 2"* ]]
	run jq -r '.cell' rj.ndjson
	assert_output "B6
G7"
}

# --- xlsx: sheets and standard input ---------------------------------------------

@test "xlsx: --sheet by name, by number, and a name that is a number wins" {
	check "$X/sheets.xlsx" Январь
	check "$X/sheets.xlsx" 2
	run civic-ingest -q --sheet 1 "$X/sheets.xlsx"
	assert_line --index 1 "J-1,2024-01-10,КУЗП"
	run civic-ingest -q --sheet 2 "$X/sheets.xlsx"        # the sheet named "2", the third
	assert_output "Журнал,Рег. номер,Дата поступления
КУЗП,F-1,2024-02-01"
	run --separate-stderr civic-ingest --sheet Март "$X/sheets.xlsx"
	assert_failure 1
	assert_equal "$stderr" "civic-ingest: $X/sheets.xlsx: no sheet 'Март' (its sheets: 'Январь', 'Notes', '2')"
}

@test "xlsx: --sheet '*' reads every sheet the schema maps, passes over the others, and --lineage adds _sheet" {
	run --separate-stderr civic-ingest -s registry.json --sheet '*' --lineage "$X/sheets.xlsx"
	assert_success
	assert_equal "$(cut -d, -f1-3,13- <<< "$output")" "reg_no,received_at,register,_file,_line,_sheet
J-1,2024-01-10,КУЗП,$X/sheets.xlsx,2,Январь
J-2,2024-01-11,Обращения,$X/sheets.xlsx,3,Январь
F-1,2024-02-01,КУЗП,$X/sheets.xlsx,2,2"
	[[ "$stderr" == *"$X/sheets.xlsx:Notes: no column for required field 'reg_no'"* ]]
	[[ "$stderr" == *"1 sheet passed over"* ]]
	[[ "$stderr" == *"read 3, written 3, rejected 0"* ]]
}

@test "xlsx: a workbook on standard input, from a file or a pipe, reads as by name; CSV through a pipe still reads" {
	civic-ingest -q "$X/registry.xlsx" --max-rejects 100% > by-name.csv
	civic-ingest -q --max-rejects 100% < "$X/registry.xlsx" > redirected.csv
	cat "$X/registry.xlsx" | civic-ingest -q --max-rejects 100% > piped.csv
	cmp by-name.csv redirected.csv
	cmp by-name.csv piped.csv
	run --separate-stderr civic-ingest --max-rejects 1 - < "$X/types.xlsx"
	[[ "$stderr" == *"(standard input):Types!M7: formula_n: the cell holds the error #DIV/0!"* ]]
	# The bytes looked at to tell a pipe's content are given back.
	printf 'a,b\n1,2\n' | civic-ingest -q > out.csv
	assert_equal "$(cat out.csv)" "a,b
1,2"
	printf 'a\n\xe0\xe1\n' | civic-ingest -q -e cp1251 > out.csv
	assert_equal "$(cat out.csv)" "a
аб"
	ls "${TMPDIR:-/tmp}"/civic-workbook-* 2> /dev/null && fail "a temporary copy was left behind" || true
}

@test "xlsx: civic-tally reads a workbook's first sheet through the same reader" {
	run --separate-stderr civic-tally --max-rejects 1 -g Журнал "$X/registry.xlsx"
	assert_success
	assert_output "Журнал,count
КУЗП,3
Обращения,1"
	[[ "$stderr" == *"registry.xlsx:Реестр!G7: Содержание: the cell holds the error #DIV/0!"* ]]
}

# --- xlsx: hostile files -------------------------------------------------------

@test "xlsx hostile: a zip bomb by ratio and one by size are refused from the directory" {
	run --separate-stderr timeout 20 civic-ingest "$H/bomb-ratio.xlsx"
	assert_failure 1
	assert_equal "$stderr" "civic-ingest: $H/bomb-ratio.xlsx:Sheet1: xl/worksheets/sheet1.xml: the directory says it inflates more than 200 times its compressed size (a zip bomb?)"
	run --separate-stderr timeout 20 civic-ingest "$H/bomb-size.xlsx"
	assert_failure 1
	assert_equal "$stderr" "civic-ingest: $H/bomb-size.xlsx:Sheet1: xl/worksheets/sheet1.xml inflates to more than 1073741824 bytes (the limit for one member; a zip bomb?)"
}

@test "xlsx hostile: the limits hold on the bytes inflated, not only on what the directory says" {
	run --separate-stderr timeout 20 civic-ingest "$H/size-lie.xlsx"
	assert_failure 1
	assert_equal "$stderr" "civic-ingest: $H/size-lie.xlsx:Sheet1: xl/worksheets/sheet1.xml holds more than the 200 bytes its directory entry says (the archive is damaged or forged)"
	# A lower ratio limit: now the bomb is caught while it inflates.
	CIVIC_WB_MAX_RATIO=100000 CIVIC_WB_MAX_PART=$((8 << 20)) run --separate-stderr timeout 20 civic-ingest "$H/bomb-ratio.xlsx"
	assert_failure 1
	assert_equal "$stderr" "civic-ingest: $H/bomb-ratio.xlsx:Sheet1: xl/worksheets/sheet1.xml inflates to more than 8388608 bytes (the limit for one member; a zip bomb?)"
}

@test "xlsx hostile: XML entity expansion, a broken zip directory and a zip that is no workbook are clear errors" {
	run --separate-stderr timeout 20 civic-ingest "$H/entities.xlsx"
	assert_failure 1
	assert_equal "$stderr" "civic-ingest: $H/entities.xlsx:Sheet1: the XML declares a document type (<!DOCTYPE worksheet>): refused, workbooks have none and its entities could expand without bound"
	run --separate-stderr timeout 20 civic-ingest "$H/broken-directory.xlsx"
	assert_failure 1
	[[ "$stderr" == "civic-ingest: $H/broken-directory.xlsx: not a readable zip archive ("*"): its directory is broken" ]]
	run --separate-stderr civic-ingest "$H/not-a-workbook.xlsx"
	assert_failure 1
	assert_equal "$stderr" "civic-ingest: $H/not-a-workbook.xlsx: a zip archive that is neither an .xlsx workbook (no xl/workbook.xml) nor an .ods one (no content.xml)"
}

@test "xlsx hostile: a cell reference of many letters is not one: a clear error, no overflow" {
	# Once a run of letters long enough overflowed the column's arithmetic
	# (fuzz/regress/xlsx/); SANITIZE=1 makes that an abort, exit 99.
	"$PY" - "$X/types.xlsx" letters.xlsx <<'PY'
import sys, zipfile
src, dst = sys.argv[1:]
sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
         '<row r="2"><c r="' + "Z" * 40 + '2"><v>1</v></c></row></sheetData></worksheet>')
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
    for name in zin.namelist():
        zout.writestr(name, sheet if name == "xl/worksheets/sheet1.xml" else zin.read(name))
PY
	run --separate-stderr civic-ingest letters.xlsx
	assert_failure 1
	[[ "$stderr" == "civic-ingest: letters.xlsx:"*"a cell reference that is not one"* ]] || fail "$stderr"
}

@test "xlsx hostile: shared strings beyond the memory limit are refused; within it they read" {
	CIVIC_WB_MAX_STRINGS=1000000 run --separate-stderr civic-ingest "$H/strings-4mib.xlsx"
	assert_failure 1
	assert_equal "$stderr" "civic-ingest: $H/strings-4mib.xlsx: xl/sharedStrings.xml: the shared strings need more than 1000000 bytes of memory (the limit; string 15626)"
	run civic-ingest -q "$H/strings-4mib.xlsx"
	assert_success
	assert_output "a
string 0069999 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
}

@test "xlsx hostile: a sheet of empty cells is refused past the empty-run limit; a million empty rows are skipped and counted" {
	"$PY" "$FIXTURES/workbooks/make-xlsx.py" empty-cells cells.xlsx 64 16384
	CIVIC_WB_MAX_EMPTY=1000000 run --separate-stderr timeout 60 civic-ingest cells.xlsx
	assert_failure 1
	assert_equal "$stderr" "civic-ingest: cells.xlsx:Sheet1!SV63: more than 1000000 empty cells in a row (a sheet of empty cells?): refused"
	"$PY" "$FIXTURES/workbooks/make-xlsx.py" empty-rows rows.xlsx 1048576
	run --separate-stderr timeout 60 civic-ingest rows.xlsx
	assert_success
	assert_output "a
7"
	[[ "$stderr" == *"skipped 1048574 rows of empty cells in workbooks"* ]]
}

@test "xml-count-expat, the floor of scripts/bench's xlsx task, counts the elements and text Python's expat binding counts" {
	unzip -p "$X/types.xlsx" xl/worksheets/sheet1.xml > sheet.xml
	want=$(python3 -c '
import sys, xml.parsers.expat
n = [0, 0]
p = xml.parsers.expat.ParserCreate(namespace_separator="|")
p.StartElementHandler = lambda name, attrs: n.__setitem__(0, n[0] + 1)
def text(s): n[1] += len(s.encode())
p.CharacterDataHandler = text
p.Parse(open(sys.argv[1], "rb").read(), True)
print(n[0], n[1])' sheet.xml)
	run xml-count-expat < sheet.xml
	assert_success
	assert_output "$want"
}

# --- the mixed batch ------------------------------------------------------------

@test "five offices, five headers, five containers (.xlsx, .xls, .ods, CP1251 CSV, UTF-8 CSV), one run with the shipped schema: every row accounted" {
	B="$FIXTURES/workbooks/batch"
	cd "$B"
	run --separate-stderr civic-ingest -e auto -s registry.json --max-rejects 2 \
		--rejects "$SCRATCH/rejects.ndjson" -o "$SCRATCH/out.csv" \
		office-a.xlsx office-b.xls office-c.ods office-d-cp1251.csv office-e-utf8.csv
	cd "$SCRATCH"
	assert_success
	# The rows as make-batch.py meant them, in order.
	cmp out.csv "$B/expected.csv" || fail "$(diff out.csv "$B/expected.csv")"
	python3 -c '
import json
for r in map(json.loads, open("rejects.ndjson")):
    print("%s:%s" % (r["file"], (r["sheet"] + "!" + r["cell"]) if "sheet" in r else r["line"]))' > got-rejects
	cmp got-rejects "$B/expected-rejects.txt" || fail "$(diff got-rejects "$B/expected-rejects.txt")"
	written=$(($(wc -l < out.csv) - 1))
	rejected=$(wc -l < rejects.ndjson)
	assert_equal "$((written + rejected))" 14
	[[ "$stderr" == *"civic-ingest: read 14, written $written, rejected $rejected"* ]]
	[[ "$stderr" == *"skipped 2 rows of empty cells in workbooks"* ]]
	[[ "$stderr" == *"office-a.xlsx:Март!A1: 'Реестр обращений за март 2024' is taken for a title above the header and passed over"* ]]
	[[ "$stderr" == *"office-d-cp1251.csv: read as cp1251 (not valid UTF-8)"* ]]
}

# ---- ods and xls below ----
