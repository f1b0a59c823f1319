#!/usr/bin/python3
"""Reads a civic-report workbook back with openpyxl (a reader civic does not
share any code with) and checks it against the same report as CSV and JSON.

usage: xlsx-check.py BOOK.xlsx SHEET REPORT.csv REPORT.json [VALUE=LABEL ...]

REPORT.json is made with --ci-style columns, as the workbook shows intervals.

SHEET is the index of the section's sheet.  For every row and column of the
CSV: a key is its --label (given as VALUE=LABEL), or the value itself; a
period yyyy-mm or yyyy-mm-dd is a real date of that day; a number is a
number cell of exactly the CSV's value; a cell the CSV leaves empty on a
suppressed row is the text <k or x; the flags column is the CSV's flags,
and a column flagged unreliable carries the dagger in its number format.
Headings, column labels and footnotes equal the JSON's.  No cell of any
sheet is a formula.  Prints what differs and exits 1, or prints "ok"."""
import csv
import datetime
import json
import os
import sys
import zipfile

import openpyxl

book, sheet_no, csv_path, json_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
labels = dict(a.split("=", 1) for a in sys.argv[5:])
problems = []


def unneutralised(v):
    """The CSV puts ' before text a spreadsheet would take for a formula;
    the workbook stores the text itself, as a string."""
    return v[1:] if v[:1] == "'" and v[1:2] in ("=", "+", "-", "@", "\t", "\r") else v


def bad(msg):
    problems.append(msg)


wb = openpyxl.load_workbook(book)
ws = wb.worksheets[sheet_no]
rows = list(csv.reader(open(csv_path, newline="", encoding="utf-8")))
header, body = rows[0], rows[1:]
report = json.load(open(json_path, encoding="utf-8"))
section = report["sections"][0]

# Formulas: none in any sheet, as openpyxl reads them and in the XML itself.
for sheet in wb.worksheets:
    for line in sheet.iter_rows():
        for c in line:
            if c.data_type == "f":
                bad(f"{sheet.title}!{c.coordinate}: a formula {c.value!r}")
with zipfile.ZipFile(book) as z:
    for name in z.namelist():
        if name.startswith("xl/worksheets/") and (b"<f>" in z.read(name) or b"<f " in z.read(name)):
            bad(f"{name}: holds a <f> element")

if ws.cell(1, 1).value != section["heading"]:
    bad(f"heading {ws.cell(1, 1).value!r} != {section['heading']!r}")
# The flags column is headed in the report's language (xlsx.flags in
# share/civic/lang/LANG.txt).
want_labels = [c["label"] for c in section["columns"]] + [os.environ.get("XLSX_FLAGS", "Flags")]
got_labels = [ws.cell(2, j + 1).value for j in range(len(header))]
if got_labels != want_labels:
    bad(f"labels {got_labels} != {want_labels}")
if ws.freeze_panes is None or not ws.freeze_panes.endswith("3"):
    bad(f"header row not frozen: {ws.freeze_panes}")

flags_col = header.index("flags")
for i, line in enumerate(body):
    r = i + 3
    flags = line[flags_col]
    got = ws.cell(r, flags_col + 1).value or ""
    if got != flags:
        bad(f"row {r} flags {got!r} != {flags!r}")
    for j, want in enumerate(line[:flags_col]):
        cell = ws.cell(r, j + 1)
        where = f"{ws.title}!{cell.coordinate}"
        role = section["columns"][j]["role"]
        if role == "key":
            if isinstance(cell.value, datetime.datetime):
                shown = cell.value.strftime("%Y-%m" if len(want) == 7 else "%Y-%m-%d")
                if shown != want or cell.value.day != (1 if len(want) == 7 else int(want[8:])):
                    bad(f"{where}: date {cell.value} for {want!r}")
            elif cell.value != labels.get(unneutralised(want), unneutralised(want)):
                bad(f"{where}: key {cell.value!r} != {labels.get(want, want)!r}")
            elif cell.data_type != "s":
                bad(f"{where}: key of type {cell.data_type}")
            continue
        if want == "":
            if {"suppressed", "suppressed-secondary", "suppressed-previous"} & set(flags.split()):
                if cell.data_type != "s" or not (cell.value == "x" or cell.value.startswith("<")):
                    bad(f"{where}: hidden cell reads {cell.value!r}")
            elif cell.value is not None:
                bad(f"{where}: {cell.value!r} where the CSV is empty")
            continue
        try:
            number = float(want)
        except ValueError:
            if cell.value != unneutralised(want) or cell.data_type != "s":
                bad(f"{where}: text {cell.value!r} != {want!r}")
            continue
        if cell.data_type != "n" or isinstance(cell.value, bool) or cell.value != number:
            bad(f"{where}: {cell.value!r} ({cell.data_type}) != {number!r}")
        fmt = cell.number_format
        dagger = f"unreliable:{header[j]}" in flags.split()
        if dagger != fmt.endswith('"\u2020"'):
            bad(f"{where}: number format {fmt!r}, unreliable {dagger}")
        name = header[j]
        if role == "estimate" and name.startswith("share") and "%" not in fmt:
            bad(f"{where}: share without a percentage format {fmt!r}")
        if role == "estimate" and name in ("count", "n") and not fmt.startswith("#,##0"):
            bad(f"{where}: count without thousands separators {fmt!r}")

# The footnotes stand under the table, one a row: mark, text.
r = len(body) + 4
for note in section["footnotes"]:
    got = (ws.cell(r, 1).value or "", ws.cell(r, 2).value or "")
    if got != (note["mark"], note["text"]):
        bad(f"footnote row {r}: {got} != {(note['mark'], note['text'])}")
    r += 1

# The Notes sheet, the last one (named in the report's language): every
# input's hash and the command line.
notes = wb[wb.sheetnames[-1]]
texts = {c.value for line in notes.iter_rows() for c in line if isinstance(c.value, str)}
for f in report["provenance"]["files"]:
    if f["sha256"] not in texts:
        bad(f"Notes: no sha256 of {f['name']}")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("ok")
