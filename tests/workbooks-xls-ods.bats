#!/usr/bin/env bats
# The workbook layer's .xls and .ods readers and the texts every reader
# writes cells in (wb_number.h, wb_date.h), each checked against an
# independent reading: Python's repr and datetime, xlrd, odfpy.

load helper

setup() {
	setup_scratch
	W="$FIXTURES/workbooks"
}

# --- .xls and .ods readers (wb-xls-ods) ---------------------------------------

@test "numbers: the shortest plain decimal, as Python's repr, on 200,000 doubles of every kind" {
	/usr/bin/python3 "$W/number-oracle.py" 16 200000
	wb-number < in > got
	diff want got > diff.txt || fail "$(head -20 diff.txt)"
	# and the forms the issue names
	printf '%s\n' 3fb999999999999a 416312d000000000 c004000000000000 3eb0c6f7a0b5ed8d \
		444b1ae4d6e2ef50 8000000000000000 7ff8000000000000 | wb-number > got
	printf '%s\n' 0.1 10000000 -2.5 0.000001 1000000000000000000000 0 'error: not finite' > want
	diff want got
}

@test "date serials: the 1900 system (with its phantom 1900-02-29) and the 1904 system, against xlrd" {
	/usr/bin/python3 - <<'PY'
import random
from xlrd.xldate import xldate_as_tuple
random.seed(7)
for mode, name in ((0, 'in1900'), (1, 'in1904')):
    low = 61 if mode == 0 else 1
    with open(name, 'w') as f, open(name + '.date', 'w') as d, \
         open(name + '.datetime', 'w') as t, open(name + '.time', 'w') as h:
        for i in range(20000):
            s = random.choice([random.uniform(low, 2958000), random.randint(low, 80000),
                               random.randint(low, 80000) + random.randint(0, 86399) / 86400])
            f.write(repr(s) + '\n')
            y, m, dd, hh, mi, ss = xldate_as_tuple(s, mode)
            d.write('%04d-%02d-%02d\n' % (y, m, dd))
            t.write('%04d-%02d-%02dT%02d:%02d:%02d\n' % (y, m, dd, hh, mi, ss))
            h.write('%02d:%02d:%02d\n' % (hh, mi, ss))
PY
	for type in date datetime time; do
		wb-number -d $type < in1900 | diff in1900.$type - > diff.txt || fail "1900 $type: $(head diff.txt)"
		wb-number -d $type -4 < in1904 | diff in1904.$type - > diff.txt || fail "1904 $type: $(head diff.txt)"
	done
}

@test "date serials before 1900-03-01, the phantom 1900-02-29, and the ends" {
	printf '%s\n' 1 1.5 59 59.999999 60 60.5 61 0 0.25 -1 2958465 2958465.99999 2958466 45296.6041666667 \
		| wb-number -d datetime > got
	cat > want <<'OUT'
1900-01-01T00:00:00
1900-01-01T12:00:00
1900-02-28T00:00:00
error: 1900-02-29 does not exist (Excel's serial 60)
error: 1900-02-29 does not exist (Excel's serial 60)
error: 1900-02-29 does not exist (Excel's serial 60)
1900-03-01T00:00:00
error: date serial 0 is Excel's 1900-01-00, not a date
error: date serial 0 is Excel's 1900-01-00, not a date
error: negative date serial
9999-12-31T00:00:00
9999-12-31T23:59:59
error: date serial after 9999-12-31
2024-01-05T14:30:00
OUT
	diff want got
	printf '%s\n' 0 0.25 1 1462 | wb-number -d date -4 > got
	printf '%s\n' 1904-01-01 1904-01-01 1904-01-02 1908-01-02 > want
	diff want got
	printf '%s\n' 0.25 60.5 0.99999999 | wb-number -d time > got
	printf '%s\n' 06:00:00 12:00:00 00:00:00 > want
	diff want got
}


@test ".xls: every sheet of a registry read as xlrd reads it (numbers, text, dates, date-times, times, blank rows)" {
	wb-dump -l "$W/xls/registry.xls" > got
	/usr/bin/python3 "$W/xlrd-dump.py" -l "$W/xls/registry.xls" | diff - got
	for sheet in 0 1 2; do
		wb-dump "$W/xls/registry.xls" $sheet > got
		/usr/bin/python3 "$W/xlrd-dump.py" "$W/xls/registry.xls" $sheet > want
		diff want got || fail "sheet $sheet differs"
	done
	# what the sheet holds, spelled out: the issue's number forms, the
	# calendar edges, text with commas and quotes
	run wb-dump "$W/xls/registry.xls"
	assert_line --partial 'E4:number:0.1,'
	assert_line --partial 'E6:number:10000000,'
	assert_line --partial 'E12:number:1000000000000000000000,'
	assert_line --partial 'B6:date:1900-02-28,C6:datetime:1900-03-01T06:00:00'
	assert_line --partial 'B7:date:2100-03-01,'
	assert_line '# 191 empty rows skipped'
}

@test ".xls: what freexl reads wrong is read from the records: booleans, error cells, formulas' results" {
	run wb-dump "$W/xls/registry.xls"
	assert_line --partial 'H4:bool:true'
	assert_line --partial 'H5:bool:false,I5:error:#N/A'
	assert_line --partial 'I6:error:#DIV/0!'
	run /usr/bin/python3 "$W/xlrd-dump.py" "$W/xls/registry.xls"
	assert_line --partial 'H5:bool:false,I5:error:#N/A'
	assert_line --partial 'I6:error:#DIV/0!'
}

@test "civic-ingest: an .xls error cell rejects its record, naming the sheet and the cell" {
	run --separate-stderr civic-ingest "$W/xls/registry.xls"
	assert_failure 1
	[[ "$stderr" == *"$W/xls/registry.xls:Реестр!I5: "*"the cell holds the error #N/A"* ]] || fail "$stderr"
	[[ "$stderr" == *"$W/xls/registry.xls:Реестр!I6: "*"the cell holds the error #DIV/0!"* ]] || fail "$stderr"
	# booleans are written as true and false
	grep -q ',true,\|,true$' <<< "$output" || fail "$output"
	grep -q ',false,\|,false$' <<< "$output" || fail "$output"
}

@test ".xls: formulas' cached results (numbers, strings in Latin-1 and UTF-16, booleans, errors, empty) as xlrd reads them, in both sheets" {
	for sheet in 0 1; do
		wb-dump "$W/xls/formulas.xls" $sheet > got
		/usr/bin/python3 "$W/xlrd-dump.py" "$W/xls/formulas.xls" $sheet > want
		diff want got || fail "sheet $sheet differs"
	done
	run wb-dump "$W/xls/formulas.xls"
	assert_line '2,A2:number:1001,B2:number:42.5,C2:text:итого,D2:bool:true'
	assert_line '3,A3:number:1002,B3:number:0.1,C3:text:café,D3:bool:false'
	assert_line '4,A4:number:1003,B4:number:-3,D4:error:#N/A'
	run wb-dump "$W/xls/formulas.xls" 1
	assert_line '2,A2:error:#REF!'
	assert_line '4,A4:text:второй лист'
}

@test ".xls: a formula's number under a date, date-time or time format is a date, as xlrd reads it" {
	wb-dump "$W/xls/formulas.xls" 2 > got
	# xlrd-dump.py looks for h inside quotes too, and names the phantom day its own way
	/usr/bin/python3 "$W/xlrd-dump.py" "$W/xls/formulas.xls" 2 | sed \
		-e 's/^6,A6:time:12:00:00$/6,A6:number:3.5/' \
		-e "s/^8,A8:error:phantom 1900-02-29$/8,A8:error:1900-02-29 does not exist (Excel's serial 60)/" > want
	diff want got
	grep -qx '3,A3:datetime:2024-01-01T18:00:00' got
	grep -qx '5,A5:date:1900-03-01' got
	grep -qx '7,A7:time:06:00:00' got
}

@test ".xls: a formula's string result split across records is an error cell, never a wrong value" {
	run /usr/bin/python3 "$W/xlrd-dump.py" "$W/xls/formula-split.xls"
	assert_line '2,A2:text:длинная строка результата'
	run wb-dump "$W/xls/formula-split.xls"
	assert_line '2,A2:error:formula string result split across records: not read'
	assert_line '3,A3:number:5'
	run --separate-stderr civic-ingest "$W/xls/formula-split.xls"
	assert_failure 1
	assert_equal "$output" $'a\n5'
	[[ "$stderr" == *"formula-split.xls:Split!A2: a: formula string result split across records: not read"* ]] || fail "$stderr"
}

@test "civic-ingest: formulas' results in an .xls, error results rejected with their cell" {
	run --separate-stderr civic-ingest "$W/xls/formulas.xls"
	assert_failure 1
	assert_equal "$output" 'reg_no,total,label,flag
1001,42.5,итого,true
1002,0.1,café,false'
	assert_equal "$stderr" "civic-ingest: $W/xls/formulas.xls:Формулы!D4: flag: the cell holds the error #N/A
civic-ingest: $W/xls/formulas.xls:Формулы!D5: flag: the cell holds the error #DIV/0!
civic-ingest: $W/xls/formulas.xls:Формулы!D6: flag: the cell holds the error #VALUE!
civic-ingest: read 5, written 2, rejected 3
civic-ingest: 3 rejected records exceed the tolerance (--max-rejects)"
}

@test ".xls: the 1904 date system" {
	wb-dump "$W/xls/dates1904.xls" > got
	/usr/bin/python3 "$W/xlrd-dump.py" "$W/xls/dates1904.xls" > want
	diff want got
	grep -q 'B5:datetime:2100-03-01T00:00:00' got
}

@test ".xls: a truncated workbook and a file that is no workbook are clear errors" {
	run --separate-stderr wb-dump "$W/xls/truncated.xls"
	assert_failure 1
	assert_equal "$stderr" "wb-dump: $W/xls/truncated.xls:: not a readable .xls workbook: a broken OLE2 allocation table (a truncated or damaged file)"
	{ printf '\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1'; head -c 1016 /dev/zero; } > fake.xls
	run --separate-stderr wb-dump fake.xls
	assert_failure 1
	assert_equal "$stderr" "wb-dump: fake.xls:: not a readable .xls workbook: not an OLE2 compound file"
	# the workbook stream's sectors overwritten: no sheet left to read
	/usr/bin/python3 -c '
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[512:1024] = b"\xff" * 512
open("wiped.xls", "wb").write(d)' "$W/xls/registry.xls"
	run --separate-stderr wb-dump wiped.xls
	assert_failure 1
	assert_equal "$stderr" "wb-dump: wiped.xls:: an .xls workbook without a sheet (corrupt?)"
}

@test ".xls: the claims are read from the workbook stream's records, not guessed from its bytes" {
	# numbers whose bytes spell a DIMENSION record header (00 02 0e 00)
	# in the data must not count: 0x000e0200 as a little-endian integer
	/usr/bin/python3 - <<'PY'
import xlwt
wb = xlwt.Workbook()
ws = wb.add_sheet('S')
for r in range(300):
    ws.write(r, 0, 0x0e0200 * 4 + 2)       # an RK integer: bytes 02 00 0e 00 ...
    ws.write(r, 1, 1.5e300)                # and doubles of every kind
    ws.write(r, 2, 'x\u0200\u000e' * 3)
wb.save('looks.xls')
PY
	run wb-dump -m 4000000 looks.xls
	assert_success
	assert_line --index 0 --partial '1,A1:number:3672066,B1:number:15'
}

@test ".xls: sheets claiming more cells than the limit are refused before freexl allocates them" {
	# registry.xls with its first sheet's DIMENSION record made to claim
	# 65,536 rows × 256 columns (256 MiB of freexl's cells), then rows
	# up to 2^31 (a claim no machine can hold)
	/usr/bin/python3 - "$W/xls/registry.xls" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
i = d.find(b'\x00\x02\x0e\x00')
assert i > 0
for name, rows in (('tall.xls', 65536), ('huge.xls', 0x7fffffff)):
    d[i + 4:i + 18] = struct.pack('<IIHHH', 0, rows, 0, 256, 0)
    open(name, 'wb').write(d)
PY
	run --separate-stderr wb-dump -m 100000000 tall.xls
	assert_failure 1
	assert_equal "$stderr" "wb-dump: tall.xls:: its sheets claim 256 MiB of cells, more than the 95 MiB the .xls reader may take: refused"
	run --separate-stderr wb-dump huge.xls
	assert_failure 1
	assert_equal "$stderr" "wb-dump: huge.xls:: its sheets claim 8388607 MiB of cells, more than the 1024 MiB the .xls reader may take: refused"
}

# --- .ods ----------------------------------------------------------------------

# An .ods of one sheet whose content.xml body (the table:table's rows) is $2.
ods_with() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import sys, zipfile
body = sys.argv[2]
xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
       '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
       '<office:body><office:spreadsheet><table:table table:name="S">' + body +
       '</table:table></office:spreadsheet></office:body></office:document-content>')
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr(zipfile.ZipInfo('mimetype'), 'application/vnd.oasis.opendocument.spreadsheet')
    z.writestr('content.xml', xml)
PY
}

@test ".ods: every sheet of a registry read as odfpy reads it (types, repeats, merged cells, paragraphs, errors, formulas)" {
	wb-dump -l "$W/ods/registry.ods" > got
	/usr/bin/python3 "$W/odf-dump.py" -l "$W/ods/registry.ods" | diff - got
	for sheet in 0 1 2; do
		wb-dump "$W/ods/registry.ods" $sheet > got
		/usr/bin/python3 "$W/odf-dump.py" "$W/ods/registry.ods" $sheet > want
		diff want got || fail "sheet $sheet differs"
	done
	run wb-dump "$W/ods/registry.ods"
	assert_line --index 0 '1,A1:text:Реестр заявлений за 2024 год'     # B1..I1 covered
	assert_output --partial $'"G4:text:кража велосипеда\na   b\tc\nd"'
	assert_line --partial 'I5:error:#N/A'
	assert_line --partial 'I6:error:#DIV/0!'
	assert_line --partial 'I7:number:2008'                            # a formula's cached value
	assert_line --partial 'E11:number:0.125'                          # a percentage
	assert_line --partial 'E12:number:1500.5'                         # a currency, "1500.50" stored
	assert_line '14,F14:text:F-after-repeat'
	assert_line '15,A15:number:7,B15:number:7,C15:number:7'
	assert_line '16,A16:number:7,B16:number:7,C16:number:7'
	assert_line '# 4 empty rows skipped'                              # the trailing million are not
}

@test ".ods: a sheet of 1,048,576 × 16,384 empty cells is read at no cost; repeated values past the limit are refused" {
	ods_with empty.ods '<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16383"/><table:table-cell office:value-type="float" office:value="1"/></table:table-row>'
	run wb-dump empty.ods
	assert_success
	assert_output $'1048576,XFD1048576:number:1\n# 1048575 empty rows skipped'
	ods_with full.ods '<table:table-row table:number-rows-repeated="1048576"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row>'
	run --separate-stderr wb-dump full.ods
	assert_failure 1
	assert_equal "$stderr" "wb-dump: full.ods:S!A1: repeated rows would make more than 10000000 cells: refused"
	ods_with wide.ods '<table:table-row><table:table-cell table:number-columns-repeated="16384"/><table:table-cell office:value-type="string" office:string-value="x"/></table:table-row>'
	run --separate-stderr wb-dump wide.ods
	assert_failure 1
	assert_equal "$stderr" "wb-dump: wide.ods:S!XFE1: a cell with a value beyond the last column (XFD): refused"
}

@test ".ods: values as the attributes give them: dates with times, durations, booleans, text without a type" {
	ods_with values.ods '<table:table-row><table:table-cell office:value-type="date" office:date-value="2024-01-05T14:30:59.6"/><table:table-cell office:value-type="time" office:time-value="PT36H05M00S"/><table:table-cell office:value-type="boolean" office:boolean-value="false"/><table:table-cell><text:p>  plain   words  </text:p></table:table-cell><table:table-cell office:value-type="float" office:value="1E+21"/><table:table-cell office:value-type="float" office:value="x"/><table:table-cell office:value-type="date" office:date-value="2023-02-29"/></table:table-row>'
	run wb-dump values.ods
	assert_output $'1,A1:datetime:2024-01-05T14:31:00,B1:time:12:05:00,C1:bool:false,D1:text:plain words,E1:number:1000000000000000000000,F1:error:#VALUE!,G1:error:#VALUE!\n# 0 empty rows skipped'
}

@test ".ods: broken and hostile files are clear errors" {
	run --separate-stderr wb-dump "$W/ods/truncated.ods"
	assert_failure 1
	assert_equal "$stderr" "wb-dump: $W/ods/truncated.ods:: not a readable zip archive (Not a zip archive): its directory is broken"
	/usr/bin/python3 - <<'PY'
import zipfile
xml = ('<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
       '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">&b;</office:document-content>')
with zipfile.ZipFile('doctype.ods', 'w') as z:
    z.writestr('mimetype', 'application/vnd.oasis.opendocument.spreadsheet')
    z.writestr('content.xml', xml)
PY
	run --separate-stderr wb-dump doctype.ods
	assert_failure 1
	assert_equal "$stderr" "wb-dump: doctype.ods:: content.xml: the XML declares a document type (<!DOCTYPE lol>): refused, workbooks have none and its entities could expand without bound"
	ods_with bad.ods '<table:table-row><table:table-cell office:value-type="float" office:value="1"></table:table-row>'
	run --separate-stderr wb-dump bad.ods
	assert_failure 1
	assert_equal "$stderr" "wb-dump: bad.ods:: content.xml: bad XML at line 2: mismatched tag"
	ods_with tall.ods '<table:table-row table:number-rows-repeated="1048576"/><table:table-row><table:table-cell office:value-type="float" office:value="1"/></table:table-row>'
	run --separate-stderr wb-dump tall.ods
	assert_failure 1
	assert_equal "$stderr" "wb-dump: tall.ods:S!A1048577: a row with a value beyond the last row (1048576): refused"
}

# --- .xls and .ods through civic-ingest -----------------------------------------

# expect DUMP SHEET: from an oracle's dump of a sheet (odf-dump.py or
# xlrd-dump.py), the data records civic-ingest must write (want.csv, no
# header) and the cells it must reject (want-rejects.txt, SHEET!REF): the
# first row is the header; a row with an error cell is a reject.
expect() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import csv, re, sys
rows = list(csv.reader(open(sys.argv[1])))
rows = [r for r in rows if not r[0].startswith('#')]
def col(ref):
    n = 0
    for ch in re.match(r'[A-Z]+', ref).group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1
def cells(r):
    return [(col(f.split(':', 2)[0]), f.split(':', 2)[0], f.split(':', 2)[1], f.split(':', 2)[2]) for f in r[1:]]
head = cells(rows[0])
first, last = head[0][0], head[-1][0]
with open('want.csv', 'w', newline='') as out, open('want-rejects.txt', 'w') as rej:
    w = csv.writer(out, lineterminator='\n')
    for r in rows[1:]:
        cs = cells(r)
        bad = [ref for c, ref, t, v in cs if t == 'error']
        if bad:
            rej.write('%s!%s\n' % (sys.argv[2], bad[0]))
            continue
        vals = [''] * (last - first + 1)
        for c, ref, t, v in cs:
            vals[c - first] = v
        w.writerow(vals)
PY
}

# ingest FILE SHEET: civic-ingest's data records (got.csv, no header) and
# rejected cells (got-rejects.txt).
ingest() {
	civic-ingest --sheet "$2" --max-rejects 100% --rejects rj.ndjson -o out.csv "$1" 2> stderr.txt ||
		fail "civic-ingest failed: $(cat stderr.txt)"
	tail -n +2 out.csv > got.csv
	python3 -c '
import json
print("".join(r["sheet"] + "!" + r["cell"] + "\n" for r in map(json.loads, open("rj.ndjson"))), end="")' > got-rejects.txt
}

@test "civic-ingest: an .ods export, every row accounted as odfpy reads it; the rejected cell named sheet!cell; a merged header cell names two columns" {
	/usr/bin/python3 "$W/odf-dump.py" "$W/ods/office.ods" 0 > dump.csv
	expect dump.csv 'Заявления'
	ingest "$W/ods/office.ods" 'Заявления'
	diff want.csv got.csv
	diff want-rejects.txt got-rejects.txt
	assert_equal "$(head -1 out.csv)" 'Рег. №,Дата поступления,Адрес,Адрес 2,Сумма'
	run --separate-stderr civic-ingest "$W/ods/office.ods"
	assert_failure 1
	assert_equal "$stderr" "civic-ingest: $W/ods/office.ods:Заявления!E6: Сумма: the cell holds the error #DIV/0!
civic-ingest: skipped 1 row of empty cells in workbooks
civic-ingest: read 4, written 3, rejected 1
civic-ingest: 1 rejected record exceeds the tolerance (--max-rejects)"
}

@test "civic-ingest: an .xls export, every row accounted as xlrd reads it; Excel's phantom 1900-02-29 rejected with its cell" {
	/usr/bin/python3 "$W/xlrd-dump.py" "$W/xls/office.xls" 0 > dump.csv
	expect dump.csv 'Заявления'
	ingest "$W/xls/office.xls" 'Заявления'
	diff want.csv got.csv
	diff want-rejects.txt got-rejects.txt
	assert_equal "$(head -1 out.csv)" 'Рег. №,Дата поступления,Улица,Дом,Сумма'
	run --separate-stderr civic-ingest "$W/xls/office.xls"
	assert_failure 1
	assert_equal "$stderr" "civic-ingest: $W/xls/office.xls:Заявления!E6: Сумма: 1900-02-29 does not exist (Excel's serial 60)
civic-ingest: skipped 1 row of empty cells in workbooks
civic-ingest: read 4, written 3, rejected 1
civic-ingest: 1 rejected record exceeds the tolerance (--max-rejects)"
}

@test "civic-ingest --sheet: by name and by number in .xls and .ods, detected by content whatever the name" {
	for f in xls/office.xls ods/office.ods; do
		run civic-ingest -q --sheet 'Свод' "$W/$f"
		assert_success
		assert_output $'district,count\nЮнусабад,12\nЧиланзар,7'
		run civic-ingest -q --sheet 2 "$W/$f"
		assert_output $'district,count\nЮнусабад,12\nЧиланзар,7'
		cp "$W/$f" export.csv                 # a workbook named as CSV
		run civic-ingest -q --sheet 2 export.csv
		assert_output $'district,count\nЮнусабад,12\nЧиланзар,7'
		run civic-ingest -q --sheet 2 - < "$W/$f"
		assert_output $'district,count\nЮнусабад,12\nЧиланзар,7'
		run --separate-stderr civic-ingest --sheet Итог "$W/$f"
		assert_failure
		assert_equal "$stderr" "civic-ingest: $W/$f: no sheet 'Итог' (its sheets: 'Заявления', 'Свод')"
	done
}

@test "civic-ingest: the inputs that make freexl 1.0.6 read past its buffers are clear errors, exit 1, not a crash" {
	# freexl runs in a child process: whether it reports an error, is
	# stopped by AddressSanitizer (make SANITIZE=1) or dies, civic says so.
	for f in "$BATS_TEST_DIRNAME"/../fuzz/known/*.xls; do
		run --separate-stderr civic-ingest "$f"
		assert_equal "$status" 1
		# the file, or the file and its sheet, then what is wrong
		[[ "${stderr##*$'\n'}" == "civic-ingest: $f:"* ]] || fail "$f: $stderr"
		assert_output ""
	done
}

@test "civic-ingest: an .xls reader killed by a signal is an error naming the signal, exit 1, no rows passed off" {
	# CIVIC_WB_XLS_CHILD_ABORT=1 (test-only, civic(7)): the child abort()s
	# after sending the sheet names, before any row.
	CIVIC_WB_XLS_CHILD_ABORT=1 run --separate-stderr civic-ingest "$W/xls/office.xls"
	assert_equal "$status" 1
	assert_output ""
	# the last line: under valgrind the aborted child's own leak report comes first
	assert_equal "${stderr##*$'\n'}" "civic-ingest: $W/xls/office.xls:Заявления: the .xls reader failed on this file (killed by signal 6): the file is damaged or hostile"
	CIVIC_WB_XLS_CHILD_ABORT=1 run --separate-stderr wb-dump -l "$W/xls/office.xls"
	assert_success                        # the names came before the abort
	assert_output $'Заявления\nСвод'
}

@test "civic-ingest: an .xls read in a child survives an early stop (| head); --sheet selects in the child" {
	run bash -c "civic-ingest -q --sheet '*' '$W/xls/office.xls' 2>/dev/null | head -1; echo \"\${PIPESTATUS[0]}\""
	assert_equal "${lines[0]}" "Рег. №,Дата поступления,Улица,Дом,Сумма"
	# 141: SIGPIPE from head; 1: it wrote all before head left, and the
	# sheet's phantom 1900-02-29 passes the reject tolerance, as without head
	[[ "${lines[1]}" == 1 || "${lines[1]}" == 141 ]] || fail "status ${lines[1]}"
	run civic-ingest -q --sheet 2 "$W/xls/office.xls"
	assert_success
	assert_output $'district,count\nЮнусабад,12\nЧиланзар,7'
}

@test "civic-ingest: a truncated .xls or .ods is a clear error naming the file" {
	run --separate-stderr civic-ingest "$W/xls/truncated.xls"
	assert_failure
	assert_equal "$stderr" "civic-ingest: $W/xls/truncated.xls: not a readable .xls workbook: a broken OLE2 allocation table (a truncated or damaged file)"
	run --separate-stderr civic-ingest "$W/ods/truncated.ods"
	assert_failure
	[[ "$stderr" == "civic-ingest: $W/ods/truncated.ods: "* ]]
}
