#!/usr/bin/env python3
"""The change's SE and p-value of civic-report --compare, recomputed.

  report-change-check.py gen SEED DIR        write DIR/{reg,svy,wcount}-{cur,prev}.csv
  report-change-check.py check DIR NAME FMT FILE
                                             check FILE (csv or json, written with
                                             --codes --digits 12) for the tables NAME

The tables are drawn here, not by civic.  The rules, from the tables alone:
an estimate with a standard error in both periods is compared as two
independent samples, SE = sqrt(se^2 + se_prev^2); a whole-number count
without one by the Poisson rule, SE = sqrt(count + count_prev).  The p-value
is two-sided normal, 2 * Phi(-|change| / SE).  A Poisson count's SE is no
design's, so it has a p-value column and no SE column.
"""
import csv
import json
import math
import random
import sys
from statistics import NormalDist

REGIONS = ["Andijan", "Bukhara", "Fergana", "Khorezm", "Namangan", "Samarkand"]
BOOKS = ["alphabetical", "form1", "form2"]


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def registry(rng, like=None):
    """Counts by region and book, with each region's shares and their SEs;
    like: the previous period's counts, moved by about their Poisson noise."""
    rows = []
    for i, reg in enumerate(REGIONS):
        if like:
            counts = [max(1, round(like[3 * i + j] + rng.gauss(0, 2 * math.sqrt(like[3 * i + j]))))
                      for j in range(len(BOOKS))]
        else:
            counts = [rng.randint(20, 3000) for _ in BOOKS]
        n = sum(counts)
        for book, c in zip(BOOKS, counts):
            p = c / n
            rows.append([reg, book, c, repr(p), repr(math.sqrt(p * (1 - p) / n) * rng.uniform(0.8, 1.6))])
    return ["region", "register", "count", "share", "share_se"], rows


def survey(rng, like=None):
    rows = []
    for i, reg in enumerate(REGIONS):
        se = rng.uniform(0.02, 0.3)
        m = like[i] + rng.gauss(0, 2 * se) if like else rng.uniform(2.0, 4.5)
        rows.append([reg, repr(m), repr(se), repr(m - 1.96 * se), repr(m + 1.96 * se)])
    return ["region", "mean_trust", "mean_trust_se", "mean_trust_low", "mean_trust_high"], rows


def weighted_count(rng, like=None):
    rows = []
    for i, reg in enumerate(REGIONS):
        se = rng.uniform(500, 4000)
        c = like[i] + rng.gauss(0, 2 * se) if like else rng.uniform(1e4, 5e4)
        rows.append([reg, repr(c), repr(se)])
    return ["region", "count", "count_se"], rows


def gen(seed, d):
    """Each table for two periods, the current one near the previous one
    (changes of about two standard errors, so that p-values spread), and
    a key only the previous period has."""
    rng = random.Random(seed)
    for name, make, est in (("reg", registry, 2), ("svy", survey, 1), ("wcount", weighted_count, 1)):
        header, prev = make(rng)
        header, cur = make(rng, [float(r[est]) for r in prev])
        write(f"{d}/{name}-prev.csv", header, prev)
        write(f"{d}/{name}-cur.csv", header, cur[len(BOOKS) if name == "reg" else 1:])


def load(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def expected(d, name):
    """{(keys, column): value} for every change SE and p-value."""
    cur, prev = load(f"{d}/{name}-cur.csv"), load(f"{d}/{name}-prev.csv")
    keys = [k for k in cur[0] if k in ("region", "register")]
    bases = [c for c in ("count", "share") if c in cur[0]] or ["mean_trust"]
    by_key = {tuple(r[k] for k in keys): r for r in prev}
    want = {}
    for r in cur:
        key = tuple(r[k] for k in keys)
        p = by_key[key]
        for b in bases:
            a, bb = float(r[b]), float(p[b])
            if b + "_se" in r:
                se = math.hypot(float(r[b + "_se"]), float(p[b + "_se"]))
                want[key, b + "_change_se"] = se
            else:
                se = math.sqrt(a + bb)
            want[key, b + "_change_p"] = 2 * NormalDist().cdf(-abs(a - bb) / se)
    return keys, want


def rows_of(fmt, path):
    if fmt == "csv":
        return load(path)
    if fmt == "json":
        with open(path) as f:
            return json.load(f)["sections"][0]["rows"]
    raise SystemExit("unknown format " + fmt)


def check(d, name, fmt, path):
    keys, want = expected(d, name)
    rows = rows_of(fmt, path)
    got = {}
    for r in rows:
        low = {str(k).lower(): v for k, v in r.items()}
        key = tuple(str(low[k]) for k in keys)
        for (wk, col) in want:
            if wk == key:
                got[key, col] = low.get(col)
    bad = 0
    for k, v in want.items():
        g = got.get(k)
        if g in (None, "") or abs(float(g) - v) > 1e-9 * max(1.0, abs(v)):
            print("WRONG", k, "got", g, "want", v)
            bad += 1
    # No SE column for a Poisson count, and nothing more than expected.
    cols = set()
    for r in rows:
        cols |= {str(c).lower() for c in r}
    extra = {c for c in cols if c.endswith(("_change_se", "_change_p"))} - {c for _, c in want}
    for c in sorted(extra):
        print("WRONG extra column", c)
        bad += 1
    if len(rows) != len({k for k, _ in want}):
        print("WRONG rows", len(rows))
        bad += 1
    print("ok %d" % len(want) if not bad else "failed %d" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(check(*sys.argv[2:6]))
