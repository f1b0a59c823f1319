#!/usr/bin/env python3
"""Compares civic-tally's CSV output with R's (tests/survey-live.R): every
column R prints must be in civic's, row for row, numbers within 1e-10
relative (1e-12 absolute near 0); R's NaN/NA is civic's empty cell.
An SE that both give as below 1e-9 of its estimate (NAME_se beside NAME:
the count of a calibrated margin, fixed by the calibration) is 0 to the
precision of the sums, and the two agree whatever its rounding noise.

usage: survey-live-check.py CIVIC.csv R.csv"""
import csv
import math
import sys


def number(text):
    if text in ("", "NA", "NaN", "nan"):
        return math.nan
    return float(text)


def close(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= max(1e-10 * max(abs(a), abs(b)), 1e-12)


def both_zero_se(c, e, col):
    if not col.endswith("_se") or col[:-3] not in e:
        return False
    est = abs(number(e[col[:-3]]))
    return abs(number(c[col])) < 1e-9 * est and abs(number(e[col])) < 1e-9 * est


def main():
    civic = list(csv.DictReader(open(sys.argv[1], newline="")))
    r = list(csv.DictReader(open(sys.argv[2], newline="")))
    if len(civic) != len(r) or not r:
        print("rows: civic %d, R %d" % (len(civic), len(r)))
        return 1
    bad = figures = 0
    for i, (c, e) in enumerate(zip(civic, r)):
        for col, want in e.items():
            if col not in c:
                print("row %d: civic has no column %s" % (i + 1, col))
                bad += 1
                continue
            try:
                ok = close(number(c[col]), number(want)) or both_zero_se(c, e, col)
            except ValueError:
                ok = c[col] == want
            figures += 1
            if not ok:
                print("row %d %s: civic %s, R %s" % (i + 1, col, c[col], want))
                bad += 1
    print("%d/%d figures agree with R" % (figures - bad, figures))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
