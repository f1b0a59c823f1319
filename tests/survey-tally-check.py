#!/usr/bin/env python3
"""Compares civic-tally output with an R survey oracle result.

    tests/survey-tally-check.py OUT.csv EXPECTED.json BASE KEYS COL=FIELD...

BASE is a path into the JSON (results/strat_clus_w/by/region/mean/trust_police).
KEYS names the tally's key columns, comma-separated, or "-" for a table of
one row; a key written COL=VALUE only keeps the rows where COL is VALUE.  The first key selects the row of a matrix by the oracle's
by_levels (or row_levels, or levels when there is no by variable); the
second selects its column by levels (or col_levels).  Rows of OUT whose
first key is "Total" are margins and are not compared.

COL=FIELD compares the tally's column COL (which may hold "=") with BASE's FIELD (dots descend,
numbers index arrays: ci95_t.lower, quantile.2).  A FIELD ending in /100 is divided by 100 (percentages); a
FIELD starting with ~ is compared with absolute tolerance 1e-8 (R's logit
intervals), otherwise relative 1e-10.  null in the oracle must be an empty
cell.  Exit 1 with a line per difference."""

import csv
import json
import math
import sys

REL, ABS = 1e-10, 1e-8


def level_lists(node):
    rows = node.get("by_levels") or node.get("row_levels")
    cols = node.get("col_levels") if "col_levels" in node else node.get("levels")
    return [lv for lv in (rows, cols) if lv is not None]


def pick(value, idx):
    for i in idx:
        if not isinstance(value, list):
            break
        value = value[i]
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def field(node, path):
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def close(got, want, tol):
    if want is None:
        return got == ""
    if got == "":
        return False
    g = float(got)
    w = math.inf if want == "Inf" else float(want)
    if math.isinf(w) or math.isnan(g):
        return g == w
    d = abs(g - w)
    return d <= ABS if tol == "abs" else (d <= REL * abs(w) or d < 1e-14)


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    out, expected, base, keys = sys.argv[1:5]
    node = json.load(open(expected))
    for part in base.split("/"):
        node = node[part]
    keys = [] if keys == "-" else keys.split(",")
    filters = [k.split("=", 1) for k in keys if "=" in k]
    keys = [k for k in keys if "=" not in k]
    rows = [r for r in csv.DictReader(open(out, newline=""))
            if all(r.get(c) == v for c, v in filters)
            and (not keys or r[keys[0]] != "Total")]
    levels = level_lists(node)[:len(keys)] if keys else []
    fails = checked = 0
    for col_field in sys.argv[5:]:
        col, fld = col_field.rsplit("=", 1)
        tol = "abs" if fld.startswith("~") else "rel"
        fld = fld.lstrip("~")
        scale = 1
        if fld.endswith("/100"):
            fld, scale = fld[:-4], 100
        want_all = field(node, fld)
        if not keys:
            if len(rows) != 1:
                print(f"expected one row, got {len(rows)}")
                sys.exit(1)
            targets = [((), rows[0])]
        else:
            targets = []
            for r in rows:
                idx = []
                for k, lv in zip(keys, levels):
                    if r[k] not in lv:
                        break
                    idx.append(lv.index(r[k]))
                else:
                    targets.append((tuple(idx), r))
            want_n = math.prod(len(lv) for lv in levels)
            if len(targets) != want_n:
                print(f"{col}: {len(targets)} rows match the oracle's levels, expected {want_n}")
                fails += 1
        for idx, r in targets:
            if col not in r:
                print(f"no column {col} in {out} (columns: {', '.join(r)})")
                sys.exit(1)
            want = pick(want_all, idx)
            if isinstance(want, (int, float)) and scale != 1:
                want = want / scale
            checked += 1
            if not close(r[col], want, tol):
                where = ",".join(r[k] for k in keys) or "the row"
                print(f"{col} at {where}: civic-tally {r[col]!r}, R {want!r} ({fld})")
                fails += 1
    if checked == 0:
        print("nothing compared")
        sys.exit(1)
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
