#!/usr/bin/python3
"""Attack civic-report's published output the way a reader could.

For random tables (two keys with margins; a set of three months and their
quarter) it runs `civic-report -f json --suppress K`, then, from the JSON
alone, writes for every count shown as "<K" a linear program in CPLEX LP
format: the shown counts, every Total margin as the sum of the rows it
covers, each quarter cell as the sum of its months' cells, "<K" as 1..K-1,
no count negative.  glpsol (GLPK's stand-alone solver, Debian glpk-utils)
minimises and maximises the cell.  Any count whose range is narrower than
the protection interval (a width of --protection, default 1, or all its
label leaves when that is less) is a leak: the script prints it and exits
1.  A report civic-report refuses to publish (its audit found no safe
pattern within its limits) is no leak, and is counted.

  disclosure-attack.py [--seed S] [--tables N] [--sets M] [--k K]
  disclosure-attack.py --published report.json --k K     attack a given report
  disclosure-attack.py --published report.json --k K1,K2,... --same-base
      each section at its own threshold; tables with the same keys count
      the same records, so their cells are equal (a bulletin's indicators
      over one base, published side by side)
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile

TOL = 1e-6


def is_total(v):
    return v == "Total"


def period_months(p):
    """The months a period value covers, or None."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", p)
    if m:
        return {p}
    q = re.fullmatch(r"(\d{4})-Q([1-4])", p)
    if q:
        y, n = q.group(1), int(q.group(2))
        return {f"{y}-{m:02d}" for m in range(3 * n - 2, 3 * n + 1)}
    return None


class Model:
    """Cells of every published table; constraints over them."""

    def __init__(self):
        self.value = {}      # cell -> shown count, or None when hidden
        self.flag = {}       # cell -> "suppressed", "suppressed-secondary" or ""
        self.rows = []       # linear equalities: (list of cells, coefficients)

    def add_table(self, ti, sec, size):
        keys = [c["name"] for c in sec["columns"] if c["role"] == "key"]
        cells = []
        for r in sec["rows"]:
            cell = (ti,) + tuple(r[k] for k in keys)
            self.value[cell] = r[size]
            fl = r.get("flags", [])
            self.flag[cell] = "suppressed" if "suppressed" in fl else (
                "suppressed-secondary" if "suppressed-secondary" in fl else "")
            cells.append(cell)
        # Each margin is the sum of the interior rows it covers.
        interior = [c for c in cells if not any(is_total(v) for v in c[1:])]
        for m in cells:
            tot = [i for i, v in enumerate(m[1:]) if is_total(v)]
            if not tot:
                continue
            parts = [c for c in interior
                     if all(c[1 + i] == m[1 + i] for i in range(len(keys)) if i not in tot)]
            if parts:
                self.rows.append(([m] + parts, [1] + [-1] * len(parts)))
        return keys, cells

    def link_periods(self, tables):
        """A quarter table's cell is the sum of its months' cells."""
        for qi, (qkeys, qcells) in tables.items():
            if not qkeys[0].startswith("quarter("):
                continue
            for qc in qcells:
                if is_total(qc[1]):
                    continue
                months = period_months(qc[1])
                parts = []
                for mi, (mkeys, mcells) in tables.items():
                    if not mkeys[0].startswith("month(") or mkeys[1:] != qkeys[1:]:
                        continue
                    parts += [c for c in mcells if c[1] in months and c[2:] == qc[2:]]
                if parts:
                    self.rows.append(([qc] + parts, [1] + [-1] * len(parts)))

    def link_same(self, tables):
        """Tables with the same keys count the same records: equal cells."""
        seen = {}
        for ti, (keys, cells) in tables.items():
            first = seen.setdefault(tuple(keys), ti)
            if first == ti:
                continue
            other = {c[1:]: c for c in tables[first][1]}
            for c in cells:
                if c[1:] in other:
                    self.rows.append(([c, other[c[1:]]], [1, -1]))

    def lp(self, target, sense, k):
        names = {}

        def var(c):
            if c not in names:
                names[c] = f"x{len(names)}"
            return names[c]

        cons = []
        for cells, coefs in self.rows:
            rhs, terms = 0.0, []
            for c, a in zip(cells, coefs):
                if self.value[c] is None:
                    terms.append(f"{'+' if a > 0 else '-'} {abs(a)} {var(c)}")
                else:
                    rhs -= a * self.value[c]
            if terms:
                cons.append(" ".join(terms) + f" = {rhs:.10g}")
        var(target)
        bounds = []
        for c, name in names.items():
            if self.flag[c] == "suppressed":
                bounds.append(f"1 <= {name} <= {k[c[0]] - 1}")
            else:
                bounds.append(f"{name} >= 0")
        text = [("maximize" if sense == "max" else "minimize"), f" obj: {names[target]}", "subject to"]
        text += [f" c{i}: {c}" for i, c in enumerate(cons)] or [f" c0: {names[target]} >= 0"]
        text += ["bounds"] + [" " + b for b in bounds] + ["end"]
        return "\n".join(text) + "\n"


def glpsol(model_text, tmp):
    lp = os.path.join(tmp, "m.lp")
    out = os.path.join(tmp, "m.out")
    with open(lp, "w") as f:
        f.write(model_text)
    subprocess.run(["glpsol", "--lp", lp, "-o", out], check=True, stdout=subprocess.DEVNULL)
    text = open(out).read()
    status = re.search(r"^Status:\s+(\S+)", text, re.M).group(1)
    if status == "UNBOUNDED":
        return float("inf")
    if status != "OPTIMAL":
        raise SystemExit(f"glpsol: status {status}\n{model_text}")
    return float(re.search(r"^Objective:\s+obj = (\S+)", text, re.M).group(1))


def attack(report, truth, k, protection, tmp, what, same_base=False):
    """Leaks in one published report: (what, cell, true value, low, high).
    k is one threshold, or a list of one per section."""
    m = Model()
    tables = {}
    ks = k if isinstance(k, list) else [k] * len(report["sections"])
    for ti, sec in enumerate(report["sections"]):
        size = "n" if any(c["name"] == "n" for c in sec["columns"]) else "count"
        tables[ti] = m.add_table(ti, sec, size)
    m.link_periods(tables)
    if same_base:
        m.link_same(tables)
    leaks = []
    for c, fl in m.flag.items():
        if fl != "suppressed":
            continue
        v = truth.get(c) if truth else None
        lo = glpsol(m.lp(c, "min", ks), tmp)
        hi = glpsol(m.lp(c, "max", ks), tmp)
        need = min(protection if protection > 0 else 1, ks[c[0]] - 2)
        if hi - lo < need - TOL:
            leaks.append((what, c[1:], v, lo, hi))
    return leaks


def write_csv(path, header, rows):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\n")


def small_count(rng):
    return rng.choice([0, 1, 1, 2, 3, 4, 5, 6, 9, 14, 25, 40])


def two_key_table(rng):
    nr, nc = rng.randint(2, 5), rng.randint(2, 5)
    grid = [[small_count(rng) for _ in range(nc)] for _ in range(nr)]
    rows = []
    for i in range(nr):
        for j in range(nc):
            rows.append((f"r{i + 1}", f"c{j + 1}", grid[i][j]))
        rows.append((f"r{i + 1}", "Total", sum(grid[i])))
    for j in range(nc):
        rows.append(("Total", f"c{j + 1}", sum(grid[i][j] for i in range(nr))))
    rows.append(("Total", "Total", sum(map(sum, grid))))
    return rows


def month_quarter_set(rng):
    regions = [f"d{i + 1}" for i in range(rng.randint(2, 5))]
    months = {m: {d: small_count(rng) for d in regions} for m in ("2024-01", "2024-02", "2024-03")}
    tables = []
    for m, counts in months.items():
        rows = [(m, d, counts[d]) for d in regions] + [(m, "Total", sum(counts.values()))]
        tables.append((["month(received_at)", "region", "count"], rows))
    q = {d: sum(months[m][d] for m in months) for d in regions}
    rows = [("2024-Q1", d, q[d]) for d in regions] + [("2024-Q1", "Total", sum(q.values()))]
    tables.append((["quarter(received_at)", "region", "count"], rows))
    return tables


def run_report(tables, k, protection, tmp):
    paths, truth = [], {}
    for ti, (header, rows) in enumerate(tables):
        p = os.path.join(tmp, f"t{ti}.csv")
        write_csv(p, header, rows)
        paths.append(p)
        for r in rows:
            truth[(ti,) + tuple(r[:-1])] = r[-1]
    cmd = ["civic-report", "-f", "json", "--chart", "none", "--suppress", str(k)]
    if protection > 0:
        cmd += ["--protection", str(protection)]
    res = subprocess.run(cmd + paths, capture_output=True, text=True)
    if res.returncode == 1 and "within the audit's limits does not prevent it" in res.stderr:
        return None, truth
    if res.returncode != 0:
        raise SystemExit(f"civic-report failed ({res.returncode}): {res.stderr}")
    return json.loads(res.stdout), truth


REPRO = [("r1", "c1", 1), ("r1", "c2", 2), ("r1", "c3", 10), ("r1", "c4", 10), ("r1", "Total", 23),
         ("r2", "c1", 2), ("r2", "c2", 1), ("r2", "c3", 3), ("r2", "c4", 10), ("r2", "Total", 16),
         ("r3", "c1", 10), ("r3", "c2", 10), ("r3", "c3", 1), ("r3", "c4", 2), ("r3", "Total", 23),
         ("r4", "c1", 10), ("r4", "c2", 10), ("r4", "c3", 2), ("r4", "c4", 1), ("r4", "Total", 23),
         ("Total", "c1", 23), ("Total", "c2", 23), ("Total", "c3", 16), ("Total", "c4", 23),
         ("Total", "Total", 85)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tables", type=int, default=60)
    ap.add_argument("--sets", type=int, default=30)
    ap.add_argument("--k", default="5")
    ap.add_argument("--same-base", action="store_true")
    ap.add_argument("--protection", type=int, default=0)
    ap.add_argument("--published")
    a = ap.parse_args()
    ks = [int(x) for x in a.k.split(",")]
    a.k = ks[0] if len(ks) == 1 else ks
    rng = random.Random(a.seed)
    leaks, checked, refused = [], 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        if a.published:
            leaks = attack(json.load(open(a.published)), None, a.k, a.protection, tmp, a.published,
                           a.same_base)
        else:
            cases = [("repro", [(["region", "channel", "count"], REPRO)])]
            cases += [(f"table {i}", [(["region", "channel", "count"], two_key_table(rng))])
                      for i in range(a.tables)]
            cases += [(f"months+quarter {i}", month_quarter_set(rng)) for i in range(a.sets)]
            for what, tables in cases:
                report, truth = run_report(tables, a.k, a.protection, tmp)
                if report is None:
                    refused += 1
                    continue
                leaks += attack(report, truth, a.k, a.protection, tmp, what)
                checked += sum(1 for s in report["sections"] for r in s["rows"]
                               if "suppressed" in r.get("flags", []))
    for what, cell, v, lo, hi in leaks:
        print(f"leak: {what}: {','.join(cell)} = {v}: a reader can narrow it to {lo:g}..{hi:g}")
    if not a.published:
        print(f"{checked} hidden counts attacked, {len(leaks)} narrowed below the protection interval, "
              f"{refused} reports refused")
    sys.exit(1 if leaks else 0)


if __name__ == "__main__":
    main()
