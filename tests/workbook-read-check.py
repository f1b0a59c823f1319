#!/usr/bin/python3
"""An independent reading of a workbook sheet, as civic-ingest without a
schema should give it: openpyxl (cached values, data_only) decides what
each cell holds, and this script writes the CSV and the rejects.

    workbook-read-check.py FILE.xlsx SHEET OUT.csv REJECTS.txt

The header is the first row with a value (its columns from its first to
its last value; a header cell a merged range covers takes the range's text
and its place in it: "Address 2"); rows without a value are skipped; a row
with an error cell is a reject, listed as SHEET!CELL.  Numbers are written
as the shortest decimal that reads back (no exponent), dates, date-times
and times by the kind openpyxl gives the cell's number format."""
import csv, datetime, decimal, sys
import openpyxl
from openpyxl.styles.numbers import is_datetime
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904

path, sheet, out_csv, out_rejects = sys.argv[1:5]
wb = openpyxl.load_workbook(path, data_only=True)
ws = wb[sheet]


def empty(v):
    return v is None or v == ""


def number(v):
    d = decimal.Decimal(repr(v)) if isinstance(v, float) else decimal.Decimal(v)
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def text(cell):
    v = cell.value
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime.datetime):
        kind = is_datetime(cell.number_format)
        if kind == "date":
            return v.strftime("%Y-%m-%d")
        if kind == "time":
            return v.strftime("%H:%M:%S")
        return v.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(v, datetime.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, datetime.time):
        kind = is_datetime(cell.number_format)
        if kind in ("date", "datetime") and wb.epoch == CALENDAR_MAC_1904:
            # openpyxl gives a serial below 1 as a time whatever the
            # format; in the 1904 system it is the first day.
            day = datetime.datetime.combine(datetime.date(1904, 1, 1), v)
            return day.strftime("%Y-%m-%d" if kind == "date" else "%Y-%m-%dT%H:%M:%S")
        return v.strftime("%H:%M:%S")
    if isinstance(v, datetime.timedelta):
        # a duration ([h]:mm:ss): its number of days
        return number(v / datetime.timedelta(days=1))
    if isinstance(v, (int, float)):
        return number(v)
    return str(v)


def day_zero(cell):
    """A serial below 1 under a date format of the 1900 system: Excel shows
    1900-01-00, no day (openpyxl gives it as a time of day)."""
    return (isinstance(cell.value, datetime.time) and wb.epoch != CALENDAR_MAC_1904
            and is_datetime(cell.number_format) in ("date", "datetime"))


rows = list(ws.iter_rows())
header_at = next(i for i, r in enumerate(rows) if any(not empty(c.value) for c in r))
hrow = rows[header_at]
cols = [c.column for c in hrow if not empty(c.value)]
first, last = min(cols), max(cols)
merged = {}
for rng in ws.merged_cells.ranges:
    for r in range(rng.min_row, rng.max_row + 1):
        for c in range(rng.min_col, rng.max_col + 1):
            merged[(r, c)] = (rng.min_row, rng.min_col)
byc = {c.column: c for c in hrow}
names = []
for c in range(first, last + 1):
    v = byc[c].value if c in byc else None
    if empty(v):
        orow, ocol = merged[(hrow[0].row, c)]
        names.append("%s %d" % (text(ws.cell(orow, ocol)).strip(), c - ocol + 1))
    else:
        names.append(text(byc[c]).strip())
rejects = []
with open(out_csv, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(names)
    for r in rows[header_at + 1:]:
        byc = {c.column: c for c in r}
        if all(empty(c.value) for c in r):
            continue
        bad = [c for c in r if (c.data_type == "e" and not empty(c.value)) or day_zero(c)]
        if bad:
            rejects.append("%s!%s%d" % (sheet, get_column_letter(bad[0].column), bad[0].row))
            continue
        w.writerow([text(byc[c]) if c in byc and not empty(byc[c].value) else ""
                    for c in range(first, last + 1)])
with open(out_rejects, "w") as f:
    f.writelines(x + "\n" for x in rejects)
