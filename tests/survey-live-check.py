#!/usr/bin/env python3
"""Compares civic-tally's CSV output with R's (tests/survey-live.R): every
column R prints must be in civic's, row for row, numbers within 1e-10
relative (1e-12 absolute near 0); R's NaN/NA is civic's empty cell.

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
                ok = close(number(c[col]), number(want))
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
