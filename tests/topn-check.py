#!/usr/bin/env python3
"""Checks civic-tally --sort/--top/--other against exact arithmetic.

  topn-check.py TALLY DIR

Writes a seeded registry to DIR, runs TALLY (civic-tally) on it in several
shapes (plain, --within with --total, --pivot, merged partials), and checks
every figure against the same table computed here with Python's fractions:
the rows kept and their order (by the sort column, ties in key order), and
the other row's statistics computed over the union of the groups left out
(counts and shares add up; mean, median, sum, min, max, distinct are the
union's, not sums of rows).  sd may differ in the last bit (a square root
of an exact variance); everything else must be the same double.  Prints one
line per shape; exit 1 when any figure differs."""
import csv
import math
import os
import random
import subprocess
import sys
from fractions import Fraction

REGIONS = ["Andijan", "Bukhara", "Fergana", "Jizzakh", "Namangan", "Navoi", "Samarkand",
           "Tashkent city", "Сырдарья"]
CHANNELS = ["mail", "online", "visit"]


def make_rows(seed, n):
    rnd = random.Random(seed)
    weights = [rnd.randint(1, 12) for _ in REGIONS]
    rows = []
    for _ in range(n):
        region = rnd.choices(REGIONS, weights)[0]
        channel = rnd.choice(CHANNELS)
        x = "" if rnd.random() < 0.1 else "%d.%02d" % (rnd.randint(0, 90), rnd.randint(0, 99))
        rows.append({"region": region, "channel": channel, "x": x})
    return rows


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["region", "channel", "x"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def quantile7(vals, p):
    """R's type 7 as R (and civic-tally) computes it, in doubles."""
    v = sorted(float(x) for x in vals)
    index = 1 + (len(v) - 1) * p
    lo = math.floor(index)
    h = index - lo
    if h == 0 or lo >= len(v) or v[lo] == v[lo - 1]:
        return v[lo - 1]
    return (1 - h) * v[lo - 1] + h * v[lo]


STATS = "count,share,n:x,mean:x,median:x,sum:x,min:x,max:x,sd:x,distinct:channel"


def figures(rows, base):
    """The statistics of STATS over rows, share of base rows."""
    xs = [Fraction(r["x"]) for r in rows if r["x"]]
    out = {"count": Fraction(len(rows)), "share": Fraction(len(rows), base) if base else None,
           "n_x": Fraction(len(xs)), "distinct_channel": Fraction(len({r["channel"] for r in rows}))}
    out["mean_x"] = sum(xs) / len(xs) if xs else None
    out["median_x"] = quantile7(xs, 0.5) if xs else None
    out["sum_x"] = sum(xs) if xs else None
    out["min_x"] = min(xs) if xs else None
    out["max_x"] = max(xs) if xs else None
    if len(xs) > 1:
        m = sum(xs) / len(xs)
        out["sd_x"] = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))
    else:
        out["sd_x"] = None
    return out


def expected_table(rows, top, other, within=False, total=False):
    """Rows (keys, figures) as civic-tally -g [channel,]region --sort -count
    --top TOP --other OTHER [--within channel] [--total] prints them."""
    blocks = sorted({r["channel"] for r in rows}) if within else [None]
    table = []
    for b in blocks:
        block = [r for r in rows if b is None or r["channel"] == b]
        by = {}
        for r in block:
            by.setdefault(r["region"], []).append(r)
        order = sorted(by, key=lambda k: (-len(by[k]), k.encode()))
        prefix = [b] if within else []
        for k in order[:top]:
            table.append((prefix + [k], figures(by[k], len(block))))
        rest = [r for k in order[top:] for r in by[k]]
        if rest:
            table.append((prefix + [other], figures(rest, len(block))))
        if total:
            table.append((prefix + ["Total"], figures(block, len(block))))
    if within and total:
        by = {}
        for r in rows:
            by.setdefault(r["region"], []).append(r)
        for k in sorted(by, key=lambda k: (-len(by[k]), k.encode())):
            table.append((["Total", k], figures(by[k], len(rows))))
        table.append((["Total", "Total"], figures(rows, len(rows))))
    return table


def pivot_table(rows, top, other):
    """civic-tally -g region --pivot channel -s count,mean:x --sort -count_Total
    --top TOP --other OTHER --total: one figures dict per row, columns
    STAT_CHANNEL."""
    by = {}
    for r in rows:
        by.setdefault(r["region"], []).append(r)
    order = sorted(by, key=lambda k: (-len(by[k]), k.encode()))
    groups = [(k, by[k]) for k in order[:top]]
    rest = [r for k in order[top:] for r in by[k]]
    if rest:
        groups.append((other, rest))
    groups.append(("Total", rows))
    table = []
    for key, members in groups:
        fig = {}
        for ch in CHANNELS + ["Total"]:
            cell = [r for r in members if ch == "Total" or r["channel"] == ch]
            f = figures(cell, len(rows))
            fig["count_" + ch] = f["count"]
            fig["mean_x_" + ch] = f["mean_x"]
        table.append(([key], fig))
    return table


def same(got, want, col):
    if want is None:
        return got == ""
    if got == "":
        return False
    if col == "sd_x":
        return abs(float(got) - want) <= 4e-16 * abs(want)
    return float(got) == float(want)


def compare(name, output, table, nkeys):
    got = list(csv.reader(output.splitlines()))
    header, body = got[0], got[1:]
    bad = 0
    if len(body) != len(table):
        print("%s: %d rows, expected %d" % (name, len(body), len(table)))
        return 1
    for i, (row, (keys, fig)) in enumerate(zip(body, table)):
        if row[:nkeys] != keys:
            print("%s: row %d is %s, expected %s" % (name, i + 1, row[:nkeys], keys))
            bad += 1
            continue
        for col, text in zip(header[nkeys:], row[nkeys:]):
            if not same(text, fig[col], col):
                print("%s: row %s %s: civic %s, exact %s" % (name, keys, col, text, fig[col]))
                bad += 1
    print("%s: %d rows, %s" % (name, len(body), "agree" if not bad else "%d figures differ" % bad))
    return bad


def run(tally, *args):
    return subprocess.run([tally] + list(args), check=True, capture_output=True,
                          text=True, encoding="utf-8").stdout


def main():
    tally, d = sys.argv[1], sys.argv[2]
    rows = make_rows(14, 3000)
    path = os.path.join(d, "topn.csv")
    write_csv(path, rows)
    bad = 0
    sort = ["--sort", "-count", "--top", "3", "--other", "Other"]
    out = run(tally, "-g", "region", "-s", STATS, *sort, "--total", path)
    bad += compare("plain", out, expected_table(rows, 3, "Other", total=True), 1)
    out = run(tally, "-g", "channel,region", "-s", STATS, "--within", "channel", *sort, "--total", path)
    bad += compare("within", out, expected_table(rows, 3, "Other", within=True, total=True), 2)
    out = run(tally, "-g", "region", "--pivot", "channel", "-s", "count,mean:x", "--sort", "-count_Total",
              "--top", "4", "--other", "Other", "--total", path)
    bad += compare("pivot", out, pivot_table(rows, 4, "Other"), 1)
    # merged partials: the top is chosen from the merged figures
    half = len(rows) // 2
    parts = []
    for i, part in enumerate((rows[:half], rows[half:])):
        p = os.path.join(d, "part%d.csv" % i)
        write_csv(p, part)
        parts.append(run(tally, "-g", "region", "-s", STATS, "--partial", p))
    for i, text in enumerate(parts):
        with open(os.path.join(d, "part%d.ndjson" % i), "w", encoding="utf-8") as f:
            f.write(text)
    out = run(tally, "--merge", *sort, "--total",
              os.path.join(d, "part0.ndjson"), os.path.join(d, "part1.ndjson"))
    bad += compare("merged", out, expected_table(rows, 3, "Other", total=True), 1)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
