#!/usr/bin/python3
"""Compare civic's indicator tables with an oracle's canonical CSV.

  bulletin-compare.py [--only ID,...] [--unchecked COL] [--published] DIR ORACLE.csv[@TOL] ...

Each ORACLE.csv is what tests/bulletin-oracle.py or tests/bulletin-oracle.R
print (indicator,key,column,value); an indicator's figures may come from
several (the rates from Python, their Poisson intervals from R). For each indicator in it, DIR/ID.csv is civic's
table for that indicator, as civic-tally writes it: the group's key columns,
then the figures. They must have exactly the oracle's rows (the key values
joined by '|'), in the oracle's order where it gives one (`_order`), and
every figure the oracle gives must be in the table and agree:

  integers (counts, n)   exactly
  other numbers          |civic - oracle| <= TOL * max(1, |oracle|)  (TOL after @, default 1e-12)
  NA / empty             both missing; Inf as Inf

--suffix .COMPARISON compares the tables civic-bulletin keeps of each
comparison, unrounded (internal/PERIOD/compared/ID.COMPARISON.csv).

--published compares published tables (civic-bulletin's PERIOD/tables/),
whose figures are rounded as published: a number agrees when it is the
oracle's rounded to the decimals civic printed (within half a unit of the
last printed digit), text (flags) exactly.

A column of civic's table that the oracle does not give fails the comparison
too (a figure nobody checked), unless it is named with --unchecked. Prints
one line per indicator, `ID: R rows, C figures`, and exits 1 on the first
indicator that does not agree, saying where.
"""
import argparse
import csv
import math
import os
import sys
from collections import OrderedDict, defaultdict


def number(s):
    if s in ("", "NA", "NaN"):
        return None
    try:
        return float(s)
    except ValueError:
        return s


def is_int(s):
    return s.lstrip("-").isdigit()


def agree(got, want, tol, published=False):
    if is_int(want):
        return got == want
    if published and number(want) is not None and not isinstance(number(want), str):
        g = number(got)
        if g is None or isinstance(g, str):
            return False
        dec = len(got.partition(".")[2])
        return abs(g - float(want)) <= 0.5 * 10 ** -dec + 1e-9
    g, w = number(got), number(want)
    if w is None or g is None:
        return g is None and w is None
    if isinstance(w, str) or isinstance(g, str):
        return got == want
    if math.isinf(w) or math.isinf(g):
        return g == w
    return abs(g - w) <= tol * max(1.0, abs(w))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--unchecked", action="append", default=[],
                    help="a column of civic's tables the oracle does not compute (repeatable)")
    ap.add_argument("--published", action="store_true")
    ap.add_argument("--suffix", default="",
                    help="civic's table of indicator ID is DIR/ID{SUFFIX}.csv (a comparison's table)")
    ap.add_argument("dir")
    ap.add_argument("oracle", nargs="+")
    a = ap.parse_args()
    only = set(filter(None, a.only.split(",")))

    want = OrderedDict()    # indicator -> key -> column -> (value, tolerance)
    for spec in a.oracle:
        path, _, tol = spec.partition("@")
        tol = float(tol) if tol else 1e-12
        with open(path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if only and r["indicator"] not in only:
                    continue
                figs = want.setdefault(r["indicator"], OrderedDict()).setdefault(r["key"], {})
                if r["column"] in figs:
                    sys.exit("bulletin-compare: %s: %s %s twice" % (path, r["indicator"], r["column"]))
                figs[r["column"]] = (r["value"], tol)
    if only and set(want) != only:
        sys.exit("bulletin-compare: the oracle has no figures for %s" % ", ".join(sorted(only - set(want))))

    failed = False
    for ind, rows in want.items():
        path = os.path.join(a.dir, ind + a.suffix + ".csv")
        where = "%s (%s)" % (ind, path)
        if not os.path.exists(path):
            print("%s: civic wrote no table" % where)
            failed = True
            continue
        with open(path, newline="", encoding="utf-8") as f:
            table = list(csv.reader(f))
        header, body = table[0], table[1:]
        nkeys = len(next(iter(rows)).split("|"))
        cols = set(c for figs in rows.values() for c in figs if c != "_order")
        extra = [c for c in header[nkeys:] if c not in cols and c not in a.unchecked]
        missing = sorted(c for c in cols if c not in header)
        if extra or missing:
            print("%s: columns civic writes and the oracle does not: %s; the oracle's missing in civic's: %s"
                  % (where, extra, missing))
            failed = True
            continue
        got = {}
        order = []
        for r in body:
            k = "|".join(r[:nkeys])
            if k in got:
                print("%s: the row %s twice" % (where, k))
                failed = True
            got[k] = dict(zip(header, r))
            order.append(k)
        if set(got) != set(rows):
            print("%s: rows only civic has: %s; rows only the oracle has: %s"
                  % (where, sorted(set(got) - set(rows)), sorted(set(rows) - set(got))))
            failed = True
            continue
        nfig = 0
        bad = []
        for k, figs in rows.items():
            for c, (v, tol) in figs.items():
                if c == "_order":
                    if order[int(v)] != k:
                        bad.append("row %s is at %d, the oracle puts it at %s" % (k, order.index(k), v))
                    continue
                nfig += 1
                if not agree(got[k][c], v, tol, a.published):
                    bad.append("%s, %s: civic %s, oracle %s" % (k, c, got[k][c], v))
        if bad:
            print("%s: %d figures disagree, e.g.\n  %s" % (where, len(bad), "\n  ".join(bad[:8])))
            failed = True
        else:
            print("%s: %d rows, %d figures" % (ind, len(rows), nfig))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
