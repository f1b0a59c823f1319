#!/usr/bin/env python3
"""Checks the survey engine against R survey 4.1.1.

    tests/survey-engine-check.py [-v] [--split N] PROBE FIXTURES [DATASET...]

PROBE is tests/tools/survey-probe, FIXTURES tests/fixtures/survey.  Every
figure in expected/<dataset>.json that the engine computes is asked of the
probe and compared: relative 1e-10, absolute 1e-8 for logit intervals
(R fits them by IRLS), exact agreement of NA/NaN and Inf.  With --split N
every figure is computed from N partials merged through their JSON form.  Prints one line
per failure and a summary; exit status 1 when anything failed."""

import json
import math
import subprocess
import sys

REL, ABS_LOGIT = 1e-10, 1e-8

DESIGNS = {
    "api": {
        "w": ["-w", "pw"],
        "fpc": ["-w", "pw", "-f", "fpc"],
        "strat_w": ["-w", "pw", "-s", "stype"],
        "strat_fpc": ["-w", "pw", "-s", "stype", "-f", "fpc"],
        "clus_w": ["-w", "pw", "-p", "dnum"],
        "clus_fpc": ["-w", "pw", "-p", "dnum", "-f", "fpc"],
        "strat_clus_nest_w": ["-w", "pw", "-s", "stype", "-p", "dnum"],
    },
    "trust": {
        "unw": ["-u"],
        "w": ["-w", "weight"],
        "strat_w": ["-w", "weight", "-s", "stratum"],
        "clus_w": ["-w", "weight", "-p", "psu"],
        "strat_clus_w": ["-w", "weight", "-s", "stratum", "-p", "psu"],
    },
}

# Derived 0/1 variables of the oracle (data/derive_calls) as probe expressions.
DERIVED = {
    "sch_wide_yes": "sch.wide==Yes",
    "awards_yes": "awards==Yes",
    "top2_police": "trust_police>=4",
    "bottom2_police": "trust_police<=2",
    "top2_inspector": "trust_inspector>=4",
    "top2_satisfied": "satisfied_contact>=4",
}

# svyciprop method -> the probe's interval names
CIPROP = {"logit": "logit", "xlogit": "logit", "mean": "wald", "beta": "beta", "asin": "asin"}


def expr(var):
    return DERIVED.get(var, var)


def factor_column(var):
    return var[:-2] if var.endswith("_f") else var


def num(v):
    if v is None:
        return math.nan
    if v == "Inf":
        return math.inf
    if v == "-Inf":
        return -math.inf
    return float(v)


class Checks:
    def __init__(self):
        self.items = []          # (design flags key, query, field, expected, tol kind, label)
        self.failures = 0
        self.count = 0

    def add(self, query, field, expected, label, tol="rel"):
        self.items.append((query, field, expected, tol, label))


def same(got, want, tol):
    if math.isnan(want):
        return math.isnan(got)
    if math.isinf(want):
        return got == want
    if math.isnan(got) or math.isinf(got):
        return False
    diff = abs(got - want)
    if tol == "abs":
        return diff <= ABS_LOGIT
    return diff <= REL * abs(want) or diff < 1e-14


SPLIT = []


def run_probe(probe, flags, csv, queries):
    out = subprocess.run([probe] + SPLIT + flags + [csv], input="\n".join(queries) + "\n",
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"probe failed ({' '.join(flags)}): {out.stderr.strip()}")
    res = {}
    for line in out.stdout.splitlines():
        parts = line.split("\t")
        res[parts[0]] = dict(p.split("=", 1) for p in parts[1:])
    return res


def mean_checks(c, R, label):
    for var, m in (R.get("mean") or {}).items():
        q = "mean:" + expr(var)
        L = f"{label} svymean {var}"
        c.add(q, "est", m["estimate"][0], L + " estimate")
        c.add(q, "se", m["se"][0], L + " se")
        c.add(q, "deff", m["deff"][0], L + " deff")
        c.add(q, "deff_replace", m["deff_replace"][0], L + " deff_replace")
        c.add(q, "t_low", m["ci95_t"]["lower"][0], L + " ci_t lower")
        c.add(q, "t_high", m["ci95_t"]["upper"][0], L + " ci_t upper")
        c.add(q, "df", m["ci95_t"]["df"], L + " df")
        c.add(q, "normal_low", m["ci95_normal"]["lower"][0], L + " ci lower")
        c.add(q, "normal_high", m["ci95_normal"]["upper"][0], L + " ci upper")
        c.add(q, "sum_w", m["sum_weights"], L + " sum_weights")
        c.add(q, "n", m["n_obs"], L + " n_obs")
    for var, m in (R.get("total") or {}).items():
        q = "total:" + expr(var)
        L = f"{label} svytotal {var}"
        c.add(q, "est", m["estimate"][0], L + " estimate")
        c.add(q, "se", m["se"][0], L + " se")
        c.add(q, "deff", m["deff"][0], L + " deff")
        c.add(q, "t_low", m["ci95_t"]["lower"][0], L + " ci_t lower")
        c.add(q, "t_high", m["ci95_t"]["upper"][0], L + " ci_t upper")
        c.add(q, "normal_low", m["ci95_normal"]["lower"][0], L + " ci lower")
        c.add(q, "normal_high", m["ci95_normal"]["upper"][0], L + " ci upper")


def factor_checks(c, R, label):
    for var, m in (R.get("factor_mean") or {}).items():
        col = factor_column(var)
        for k, lev in enumerate(m["levels"]):
            q = f"share:{col}={lev}"
            L = f"{label} factor share {var}={lev}"
            c.add(q, "est", m["estimate"][k], L + " estimate")
            c.add(q, "se", m["se"][k], L + " se")
            c.add(q, "deff", m["deff"][k], L + " deff")
            c.add(q, "t_low", m["ci95_t"]["lower"][k], L + " ci_t lower")
            c.add(q, "t_high", m["ci95_t"]["upper"][k], L + " ci_t upper")
            c.add(q, "df", m["ci95_t"]["df"], L + " df")
    for var, m in (R.get("factor_total") or {}).items():
        col = factor_column(var)
        for k, lev in enumerate(m["levels"]):
            q = f"count:{col}={lev}"
            L = f"{label} factor total {var}={lev}"
            c.add(q, "est", m["estimate"][k], L + " estimate")
            c.add(q, "se", m["se"][k], L + " se")
            c.add(q, "deff", m["deff"][k], L + " deff")
            c.add(q, "t_low", m["ci95_t"]["lower"][k], L + " ci_t lower")
            c.add(q, "t_high", m["ci95_t"]["upper"][k], L + " ci_t upper")
            c.add(q, "df", m["ci95_t"]["df"], L + " df")


def proportion_checks(c, R, label, plain):
    for var, m in (R.get("proportion") or {}).items():
        q = "mean:" + expr(var)
        L = f"{label} svyciprop {var}"
        for meth, ci in CIPROP.items():
            r = m["methods"][meth]
            tol = "abs" if ci == "logit" else "rel"
            c.add(q, "est", r["estimate"], f"{L} {meth} estimate", tol)
            c.add(q, "se", r["se"], f"{L} {meth} se")
            c.add(q, ci + "_low", r["lower"], f"{L} {meth} lower", tol)
            c.add(q, ci + "_high", r["upper"], f"{L} {meth} upper", tol)
        ing = m["ingredients"]
        c.add(q, "est", ing["p_hat"], L + " p_hat")
        c.add(q, "var", ing["var_p"], L + " var_p")
        c.add(q, "df", ing["df"], L + " df")
        c.add(q, "n", ing["n_rows_design"], L + " n rows")
        c.add(q, "sum_w", ing["sum_weights"], L + " sum_weights")
        lo, hi = ing["logit_ci_closed_form"]
        c.add(q, "logit_low", lo, L + " logit closed form lower")
        c.add(q, "logit_high", hi, L + " logit closed form upper")
        kish = m["weighted_wilson_kish_neff"]
        c.add(q, "wilson_low", kish["lower"], L + " weighted wilson lower")
        c.add(q, "wilson_high", kish["upper"], L + " weighted wilson upper")
        u = m["unweighted"]
        pl = ("plain", q)
        plain.append((pl, "est", u["p"], L + " unweighted p"))
        plain.append((pl, "x", u["x"], L + " unweighted x"))
        plain.append((pl, "n", u["n"], L + " unweighted n"))
        for meth, ci in (("wilson", "wilson"), ("clopper_pearson", "beta"), ("wald", "wald")):
            plain.append((pl, ci + "_low", u[meth]["lower"], f"{L} unweighted {meth} lower"))
            plain.append((pl, ci + "_high", u[meth]["upper"], f"{L} unweighted {meth} upper"))


def quantile_checks(c, R, label):
    for var, rules in (R.get("quantile") or {}).items():
        m = rules["math"]
        for k, p in enumerate(m["probs"]):
            q = f"quantile:{expr(var)}:{p!r}"
            L = f"{label} svyquantile {var} p={p}"
            c.add(q, "q", m["quantile"][k], L + " quantile")
            c.add(q, "low", m["ci_lower"][k], L + " ci lower")
            c.add(q, "high", m["ci_upper"][k], L + " ci upper")
            c.add(q, "se", m["se"][k], L + " se")
            c.add(q, "df", m["df"], L + " df")


def by_checks(c, R, label):
    for byvar, b in (R.get("by") or {}).items():
        for var, m in (b.get("mean") or {}).items():
            for i, lev in enumerate(m["by_levels"]):
                q = f"mean:{expr(var)}@{byvar}={lev}"
                L = f"{label} svyby {var} by {byvar}={lev}"
                c.add(q, "est", m["estimate"][i][0], L + " estimate")
                c.add(q, "se", m["se"][i][0], L + " se")
                c.add(q, "deff", m["deff"][i][0], L + " deff")
                c.add(q, "normal_low", m["ci_lower"][i][0], L + " ci lower")
                c.add(q, "normal_high", m["ci_upper"][i][0], L + " ci upper")
                c.add(q, "t_low", m["ci_t_lower"][i], L + " ci_t lower")
                c.add(q, "t_high", m["ci_t_upper"][i], L + " ci_t upper")
                c.add(q, "df", m["domain_df"][i], L + " domain df")
                c.add(q, "n", m["domain_n"][i], L + " domain n")
        for var, m in (b.get("total") or {}).items():
            for i, lev in enumerate(m["by_levels"]):
                q = f"total:{expr(var)}@{byvar}={lev}"
                L = f"{label} svyby total {var} by {byvar}={lev}"
                c.add(q, "est", m["estimate"][i][0], L + " estimate")
                c.add(q, "se", m["se"][i][0], L + " se")
        for var, m in (b.get("proportion") or {}).items():
            sm = m["svymean"]
            for i, lev in enumerate(sm["by_levels"]):
                q = f"mean:{expr(var)}@{byvar}={lev}"
                L = f"{label} svyby svyciprop {var} by {byvar}={lev}"
                c.add(q, "est", sm["estimate"][i][0], L + " svymean")
                c.add(q, "se", sm["se"][i][0], L + " se")
                c.add(q, "deff", sm["deff"][i][0], L + " deff")
                c.add(q, "df", m["domain_df"][i], L + " domain df")
                for meth, ci in CIPROP.items():
                    r = m["svyciprop_" + meth]
                    tol = "abs" if ci == "logit" else "rel"
                    c.add(q, ci + "_low", r["ci_lower"][i][0], f"{L} {meth} lower", tol)
                    c.add(q, ci + "_high", r["ci_upper"][i][0], f"{L} {meth} upper", tol)
        for var, m in (b.get("factor_mean") or {}).items():
            col = factor_column(var)
            for i, blev in enumerate(m["by_levels"]):
                for k, lev in enumerate(m["levels"]):
                    q = f"share:{col}={lev}@{byvar}={blev}"
                    L = f"{label} svyby share {var}={lev} by {byvar}={blev}"
                    c.add(q, "est", m["estimate"][i][k], L + " estimate")
                    c.add(q, "se", m["se"][i][k], L + " se")
                    c.add(q, "deff", m["deff"][i][k], L + " deff")


def table_checks(c, R, label):
    for name, t in (R.get("table") or {}).items():
        a, b = name.split(" x ")
        acol, bcol = factor_column(a), factor_column(b)
        for i, rl in enumerate(t["row_levels"]):
            for j, cl in enumerate(t["col_levels"]):
                L = f"{label} svytable {name} [{rl},{cl}]"
                c.add(f"total:{bcol}=={cl}@{acol}={rl}", "est", t["weighted_count"][i][j], L + " weighted count")
                c.add(f"share:{bcol}={cl}@{acol}={rl}", "est", t["row_percent"][i][j] / 100, L + " row share")
                c.add(f"share:{acol}={rl}@{bcol}={cl}", "est", t["col_percent"][i][j] / 100, L + " column share")


def run_checks(probe, csv, flags, items, label, verbose):
    queries = sorted({q for q, *_ in items})
    res = run_probe(probe, flags, csv, queries)
    fails = 0
    for q, field, want, tol, what in items:
        r = res.get(q, {})
        if "error" in r or field not in r:
            print(f"FAIL {what}: {r.get('error', 'no ' + field)}")
            fails += 1
            continue
        got, w = num(r[field]), num(want)
        if not same(got, w, tol):
            print(f"FAIL {what}: got {got!r}, R {w!r} ({q} {field})")
            fails += 1
        elif verbose:
            print(f"ok   {what}")
    return fails, len(items)


def check_dataset(probe, fixtures, name, verbose):
    E = json.load(open(f"{fixtures}/expected/{name}.json"))
    csv = f"{fixtures}/data/{name}.csv"
    family = "api" if name.startswith("api") else "trust"
    fails = total = 0
    for design, R in E["results"].items():
        flags = DESIGNS[family].get(design)
        if flags is None:
            print(f"skip {name} {design}: design not handled")
            continue
        c = Checks()
        plain = []
        label = f"{name} {design}"
        mean_checks(c, R, label)
        factor_checks(c, R, label)
        proportion_checks(c, R, label, plain)
        quantile_checks(c, R, label)
        by_checks(c, R, label)
        table_checks(c, R, label)
        f, n = run_checks(probe, csv, flags, c.items, label, verbose)
        fails += f
        total += n
        if plain:
            items = [(q, field, want, "rel", what) for (_, q), field, want, what in plain]
            f, n = run_checks(probe, csv, [], items, label + " plain", verbose)
            fails += f
            total += n
        if design == "strat_clus_w":
            # nest = TRUE: PSU ids that restart in each stratum give the same results
            local = [it for it in c.items if not it[0].startswith("quantile")]
            f, n = run_checks(probe, csv, ["-w", "weight", "-s", "stratum", "-p", "psu_in_stratum"],
                              local, label + " (psu_in_stratum, nested)", verbose)
            fails += f
            total += n
    return fails, total


LONELY = {
    "mean_trust": "mean:trust_police",
    "total_would_report": "total:would_report",
    "mean_would_report": "mean:would_report",
    "ciprop_top2_logit": "mean:trust_police>=4",
}


def check_lonely(probe, fixtures, verbose):
    E = json.load(open(f"{fixtures}/expected/trust_survey_lonely.json"))
    csv = f"{fixtures}/data/trust_survey_lonely.csv"
    fails = total = 0
    for policy, R in E["results"].items():
        flags = ["-w", "weight", "-s", "stratum", "-p", "psu", "-l", policy]
        items, errors = [], []
        for key, q in LONELY.items():
            r = R[key]
            L = f"lonely {policy} {key}"
            if "error" in r:
                errors.append((q, L))
                continue
            est = r["estimate"] if isinstance(r["estimate"], list) else [r["estimate"]]
            se = r["se"] if isinstance(r["se"], list) else [r["se"]]
            items.append((q, "est", est[0], "abs" if key.startswith("ciprop") else "rel", L + " estimate"))
            items.append((q, "se", se[0], "rel", L + " se"))
            if "lower" in r:
                items.append((q, "logit_low", r["lower"], "abs", L + " lower"))
                items.append((q, "logit_high", r["upper"], "abs", L + " upper"))
        by = R["by_region_mean_trust"]
        if "error" in by:
            errors.append(("mean:trust_police@region=Central", f"lonely {policy} by region Central"))
        else:
            for i, lev in enumerate(by["by_levels"]):
                q = f"mean:trust_police@region={lev}"
                items.append((q, "est", by["estimate"][i], "rel", f"lonely {policy} by {lev} estimate"))
                items.append((q, "se", by["se"][i], "rel", f"lonely {policy} by {lev} se"))
        if items:
            f, n = run_checks(probe, csv, flags, items, f"lonely {policy}", verbose)
            fails += f
            total += n
        if errors:
            res = run_probe(probe, flags, csv, [q for q, _ in errors])
            for q, L in errors:
                total += 1
                err = res.get(q, {}).get("error", "")
                if "Central-rural" not in err:
                    print(f"FAIL {L}: expected an error naming Central-rural, got {res.get(q)}")
                    fails += 1
                elif verbose:
                    print(f"ok   {L}: {err}")
    return fails, total


def main():
    args = [a for a in sys.argv[1:] if a != "-v"]
    verbose = "-v" in sys.argv
    if args[:1] == ["--split"]:
        SPLIT.extend(["-S", args[1]])
        args = args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    probe, fixtures = args[0], args[1]
    names = args[2:] or ["apisrs", "apistrat", "apiclus1", "trust_survey_numeric", "trust_survey_lonely"]
    fails = total = 0
    for name in names:
        f, n = check_lonely(probe, fixtures, verbose) if name == "trust_survey_lonely" \
            else check_dataset(probe, fixtures, name, verbose)
        print(f"{name}: {n - f}/{n} figures agree with R")
        fails += f
        total += n
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
