#!/usr/bin/env python3
"""Property test of civic-tally's survey estimates against exact rational
arithmetic (Python's fractions), on random designs.

    tests/survey-exact-check.py [-v] [--cases N] [--seed S] [TALLY]

Each case draws a design (strata or not, PSUs or each row its own, weights
or not, an fpc as a population count or a fraction or none) and a variable
whose mean is 1 to 1e12 with a standard deviation down to 1, written as a
decimal of up to 3 places (or as many as 18 significant digits allow,
with weights of up to 10).  civic-tally's count, share, mean, sum and sd
per group, with t intervals and design effects, must each be within 1e-10
(relative) of the figure computed exactly from the same formulas
(civic-tally(1), ESTIMATION METHODS); and the output must be the same bytes
when the records are shuffled, when the records are split into partials
(--partial) merged in any order (--merge), and on one or two threads
(CIVIC_THREADS).  Prints one line per failure and a summary; exit status 1
when anything failed.  TALLY defaults to civic-tally on PATH."""

import argparse
import csv
import io
import math
import os
import random
import subprocess
import sys
import tempfile
from fractions import Fraction as F

REL = 1e-10
LEVEL = 0.95


# ---- Student's t quantile (for the exact interval limits) ---------------

def betacf(a, b, x):
    """Continued fraction of the incomplete beta (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        de = d * c
        h *= de
        if abs(de - 1) < 1e-16:
            break
    return h


def betai(a, b, x):
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lfront = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(lfront) * betacf(a, b, x) / a
    return 1 - math.exp(lfront) * betacf(b, a, 1 - x) / b


def pt_upper(t, df):
    """P(T > t) for t >= 0."""
    return 0.5 * betai(df / 2, 0.5, df / (df + t * t))


def qt(p, df):
    """The p-quantile (p > 0.5) of Student's t, by bisection to the last bit."""
    lo, hi = 0.0, 1.0
    while pt_upper(hi, df) > 1 - p:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        if pt_upper(mid, df) > 1 - p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


# ---- random designs -----------------------------------------------------

def decimal_text(x, places):
    return "%.*f" % (places, x)


# The first cases of every run are the hardest (weighted, mean near 1e12
# against an sd of 1: sums beyond 64 and 128 bits), with PSUs and without,
# so that a short run (under valgrind) still takes every path.
HARD = [{"strata": True, "psu": True, "weights": True},
        {"strata": True, "psu": False, "weights": True}]


def draw_case(rng, n):
    c = {
        "strata": rng.random() < 0.6,
        "psu": rng.random() < 0.6,
        "weights": rng.random() < 0.7,
        "fpc": rng.choice([None, None, "count", "fraction"]),
    }
    if not (c["strata"] or c["psu"] or c["weights"] or c["fpc"]):
        c["weights"] = True
    if c["fpc"]:
        c["weights"] = True    # civic-tally refuses --fpc without -w (R would derive the weights)
    mean = 10 ** rng.uniform(0, 12) * rng.choice([1, 1, -1])
    if n < len(HARD):
        c.update(HARD[n])
        mean = 10 ** rng.uniform(11.5, 12) * rng.choice([1, -1])
    sd = 10 ** rng.uniform(0, max(0.0, math.log10(abs(mean)) - 1)) if rng.random() < 0.8 and n >= len(HARD) else 1.0
    places = rng.randint(0, 3) if n >= len(HARD) else rng.randint(2, 3)
    wplaces = 3
    if n >= len(HARD) and rng.random() < 0.15:
        # long decimals: products of more than 36 places, still exact
        places = max(0, 16 - int(math.log10(abs(mean))))
        wplaces = 10
    rows = []
    nstrata = rng.randint(1, 4) if c["strata"] else 1
    for h in range(nstrata):
        npsu = rng.randint(2, 6)
        popsize = npsu + rng.randint(0, 40)
        frac = decimal_text(rng.uniform(0.01, 0.9), 2)
        for j in range(npsu):
            for _ in range(rng.randint(1, 7) if c["psu"] else 1):
                rows.append({
                    "g": rng.choice("ab"),
                    "st": "S%d" % h,
                    # ids repeat across strata (nest); PSUs 0 and 1 always differ
                    "psu": str(j % 3 if rng.random() < 0.5 else j),
                    "w": decimal_text(rng.uniform(1, 500), rng.randint(0, wplaces)),
                    "fpc": str(popsize) if c["fpc"] == "count" else frac,
                    "y": decimal_text(rng.gauss(mean, sd), places),
                })
    c["rows"] = rows
    c["describe"] = "strata=%d psu=%s w=%s fpc=%s mean=%.3g sd=%.3g places=%d rows=%d" % (
        nstrata, c["psu"], c["weights"], c["fpc"], mean, sd, places, len(rows))
    return c


def options(c):
    o = ["-g", "g"]
    if c["weights"]:
        o += ["-w", "w"]
    if c["strata"]:
        o += ["--strata", "st"]
    if c["psu"]:
        o += ["--psu", "psu"]
    if c["fpc"]:
        o += ["--fpc", "fpc"]
    simple = not (c["weights"] or c["strata"] or c["psu"] or c["fpc"])
    stats = "mean:y,sum:y,sd:y" if simple else "count,share,mean:y,sum:y,sd:y"
    return o + ["-s", stats, "--ci", "t", "--deff"]


def csv_text(rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["g", "st", "psu", "w", "fpc", "y"])
    for r in rows:
        w.writerow([r["g"], r["st"], r["psu"], r["w"], r["fpc"], r["y"]])
    return out.getvalue()


# ---- the exact figures --------------------------------------------------

class Design:
    def __init__(self, c):
        self.c = c
        self.rows = c["rows"]
        for i, r in enumerate(self.rows):
            r["W"] = F(r["w"]) if c["weights"] else F(1)
            r["Y"] = F(r["y"])
            r["unit"] = (r["st"], r["psu"]) if c["psu"] else (r["st"], i)
        self.strata = {}
        for r in self.rows:
            self.strata.setdefault(r["st"], set()).add(r["unit"])

    def f(self, h):
        if not self.c["fpc"]:
            return F(0)
        r = next(r for r in self.rows if r["st"] == h)
        fpc = F(r["fpc"])
        return fpc if fpc <= 1 else F(len(self.strata[h])) / fpc

    def variance(self, z):
        """z: row index -> influence value (0 when absent)."""
        V = F(0)
        for h, units in self.strata.items():
            n = len(units)
            Z = {u: F(0) for u in units}
            for i, r in enumerate(self.rows):
                if r["st"] == h and i in z:
                    Z[r["unit"]] += z[i]
            zbar = sum(Z.values()) / n
            V += (1 - self.f(h)) * F(n, n - 1) * sum((v - zbar) ** 2 for v in Z.values())
        return V

    def df(self, dom):
        units = {self.rows[i]["unit"] for i in dom}
        strata = {self.rows[i]["st"] for i in dom}
        return len(units) - len(strata)

    def deff(self, V, dom, ind, total):
        """V / V_srs: s² of the indicator-weighted variable over dom's rows."""
        n = sum(1 for i in dom if self.rows[i]["W"] != 0)
        sw = sum(self.rows[i]["W"] for i in dom)
        swy = sum(self.rows[i]["W"] * ind(i) for i in dom)
        swy2 = sum(self.rows[i]["W"] * ind(i) ** 2 for i in dom)
        if n < 2:
            return math.nan
        s2 = F(n, n - 1) * (sw * swy2 - swy * swy) / (sw * sw)
        vrep = (sw * sw if total else 1) * s2 / n
        if sw < n:
            return math.nan
        return ratio(V, vrep * (1 - F(n) / sw))

    def figures(self, g):
        """Every figure civic-tally prints for group g: name -> exact value."""
        rows = self.rows
        out = {}
        everything = list(range(len(rows)))
        dom = [i for i in everything if rows[i]["g"] == g]
        if not dom:
            return None
        simple = not (self.c["weights"] or self.c["strata"] or self.c["psu"] or self.c["fpc"])
        Wall = sum(r["W"] for r in rows)
        Wg = sum(rows[i]["W"] for i in dom)
        if not simple:
            # count: the total of the indicator over everything
            z = {i: rows[i]["W"] for i in dom}
            V = self.variance(z)
            self.estimate(out, "count", Wg, V, self.df(everything))
            out["count_deff"] = self.deff(V, everything, lambda i: 1 if rows[i]["g"] == g else 0, True)
            if self.c["weights"]:
                out["n"] = F(len(dom))
            # share: the ratio of the group's weight to everything's
            r = Wg / Wall
            z = {i: rows[i]["W"] * ((1 if rows[i]["g"] == g else 0) - r) / Wall for i in everything}
            V = self.variance(z)
            self.estimate(out, "share", r, V, self.df(everything))
            out["share_deff"] = self.deff(V, everything, lambda i: 1 if rows[i]["g"] == g else 0, False)
        wy = sum(rows[i]["W"] * rows[i]["Y"] for i in dom)
        r = wy / Wg
        z = {i: rows[i]["W"] * (rows[i]["Y"] - r) / Wg for i in dom}
        V = self.variance(z)
        self.estimate(out, "mean_y", r, V, self.df(dom))
        out["mean_y_deff"] = self.deff(V, dom, lambda i: rows[i]["Y"], False)
        z = {i: rows[i]["W"] * rows[i]["Y"] for i in dom}
        V = self.variance(z)
        self.estimate(out, "sum_y", wy, V, self.df(dom))
        out["sum_y_deff"] = self.deff(V, dom, lambda i: rows[i]["Y"], True)
        n = len(dom)
        if n >= 2:
            wy2 = sum(rows[i]["W"] * rows[i]["Y"] ** 2 for i in dom)
            out["sd_y"] = ("sqrt", F(n, n - 1) * (Wg * wy2 - wy * wy) / (Wg * Wg))
        else:
            out["sd_y"] = math.nan
        return out

    @staticmethod
    def estimate(out, name, est, V, df):
        out[name] = est
        out[name + "_se"] = ("sqrt", V)
        if df <= 0:
            out[name + "_low"] = out[name + "_high"] = math.nan
            return
        q = F(qt(1 - (1 - LEVEL) / 2, df))
        se = F(math.sqrt(V)) if V else F(0)
        out[name + "_low"] = ("approx", est - q * se, q * se)
        out[name + "_high"] = ("approx", est + q * se, q * se)


def ratio(a, b):
    if b == 0:
        return math.inf if a > 0 else (-math.inf if a < 0 else math.nan)
    return a / b


def agrees(text, exact):
    """The printed figure against the exact one: within REL relative."""
    if isinstance(exact, float) and math.isnan(exact):
        return text in ("", "NaN", "NA")
    if isinstance(exact, float) and math.isinf(exact):
        return text == ("Inf" if exact > 0 else "-Inf")
    if text in ("", "NaN", "NA", "Inf", "-Inf"):
        return False
    got = float(text)
    if isinstance(exact, tuple) and exact[0] == "sqrt":
        # √V: compare squares (twice the relative error of the root)
        return abs(F(got) ** 2 - exact[1]) <= 2 * REL * exact[1]
    if isinstance(exact, tuple) and exact[0] == "approx":
        # est ± q·se: q and the root are doubles here, so allow their
        # rounding on the half-width, and REL on the limit
        value, half = exact[1], exact[2]
        return abs(F(got) - value) <= REL * abs(value) + 1e-14 * abs(half)
    return abs(F(got) - exact) <= REL * abs(exact)


# ---- running civic-tally ------------------------------------------------

def tally(cmd, args, stdin=None, env=None):
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run(cmd + args, input=stdin, capture_output=True, text=True, env=e)
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd + args), p.returncode, p.stderr.strip()))
    return p.stdout


def check_case(cmd, c, rng, tmp, verbose):
    failures = []
    opts = options(c)
    path = os.path.join(tmp, "data.csv")
    with open(path, "w") as f:
        f.write(csv_text(c["rows"]))
    base = tally(cmd, opts + [path], env={"CIVIC_THREADS": "1"})

    # 1. every figure against the exact one
    d = Design(c)
    reader = list(csv.DictReader(io.StringIO(base)))
    figures = 0
    for row in reader:
        exact = d.figures(row["g"])
        for col, text in row.items():
            if col == "g":
                continue
            if col not in exact:
                failures.append("column %s: no exact figure" % col)
                continue
            figures += 1
            if not agrees(text, exact[col]):
                e = exact[col]
                shown = e if not isinstance(e, tuple) else (
                    math.sqrt(e[1]) if e[0] == "sqrt" else float(e[1]))
                failures.append("group %s %s: printed %s, exact %.17g" % (row["g"], col, text, float(shown)))

    # 2. the same bytes whatever the order of the records
    for k in range(2):
        rows = list(c["rows"])
        rng.shuffle(rows)
        if tally(cmd, opts, stdin=csv_text(rows), env={"CIVIC_THREADS": "1"}) != base:
            failures.append("shuffle %d: output differs" % k)

    # 3. partials merged in any order
    rows = list(c["rows"])
    rng.shuffle(rows)
    nparts = rng.randint(2, 3)
    cuts = sorted(rng.sample(range(1, len(rows)), nparts - 1)) if len(rows) > nparts else []
    bounds = [0] + cuts + [len(rows)]
    parts = []
    for i in range(len(bounds) - 1):
        p = os.path.join(tmp, "p%d.ndjson" % i)
        with open(p, "w") as f:
            f.write(tally(cmd, opts + ["--partial"], stdin=csv_text(rows[bounds[i]:bounds[i + 1]])))
        parts.append(p)
    for k in range(2):
        order = list(parts)
        rng.shuffle(order)
        if tally(cmd, ["--merge"] + order) != base:
            failures.append("merge of %d partials (order %d): output differs" % (len(parts), k))

    # 4. one thread or two
    if tally(cmd, opts + [path], env={"CIVIC_THREADS": "2"}) != base:
        failures.append("two threads: output differs")

    if verbose:
        print("%s: %d figures" % (c["describe"], figures))
    return figures, failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tally", nargs="?", default="civic-tally")
    ap.add_argument("--cases", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    cmd = [a.tally]
    total = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(a.cases):
            c = draw_case(rng, n)
            figures, failures = check_case(cmd, c, rng, tmp, a.v)
            total += figures
            if failures:
                failed += 1
                print("case %d (%s):" % (n, c["describe"]))
                for f in failures[:12]:
                    print("  " + f)
    print("%d cases, %d figures: %d cases failed" % (a.cases, total, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
