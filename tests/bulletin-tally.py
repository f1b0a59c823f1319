#!/usr/bin/python3
"""Run a bulletin definition's indicators as the civic-tally commands they
stand for (civic-bulletin(5), "Indicators"): one civic-tally run per
indicator, its table written to OUTDIR/ID.csv.

  bulletin-tally.py DEF.json (--year Y | --period YYYY-MM | --wave LABEL) OUTDIR ROLE=FILE ...

Only the indicators whose input role is given are run. The period's end
(`{period_end}`) is substituted, and a test days(C,'DATE') <= K or > K, which
civic-tally does not take, is written as the date comparison it equals
(C >= DATE - K, C < DATE - K); the table's column keeps the definition's
name. This is the definition read as commands, for tests/bulletin-indicators.bats.
"""
import argparse
import csv
import datetime
import json
import os
import re
import subprocess
import sys

DAYS_LIT = re.compile(r"days\((\w+),'(\d{4}-\d\d-\d\d)'\)\s*(<=|>)\s*(\d+)")


def as_list(v):
    return v if isinstance(v, list) else [v]


def lit_days(text):
    def sub(m):
        col, d, op, k = m.group(1), datetime.date.fromisoformat(m.group(2)), m.group(3), int(m.group(4))
        edge = (d - datetime.timedelta(days=k)).isoformat()
        return "%s %s %s" % (col, ">=" if op == "<=" else "<", edge)
    return DAYS_LIT.sub(sub, text)


def split_stats(s):
    """Split a -s list on the commas outside parentheses."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    out.append(cur)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("definition")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--year")
    g.add_argument("--period")
    g.add_argument("--wave")
    ap.add_argument("outdir")
    ap.add_argument("roles", nargs="+")
    a = ap.parse_args()
    with open(a.definition, encoding="utf-8") as f:
        d = json.load(f)
    files = dict(r.split("=", 1) for r in a.roles)
    if a.year:
        period_where, end = "year(%s) = " + a.year, datetime.date(int(a.year), 12, 31)
    elif a.period:
        y, m = int(a.period[:4]), int(a.period[5:])
        period_where = "month(%s) = " + a.period
        end = datetime.date(y + (m == 12), m % 12 + 1, 1) - datetime.timedelta(days=1)
    else:
        period_where, end = None, None
    os.makedirs(a.outdir, exist_ok=True)
    for ind in d["indicators"]:
        role = ind["input"]
        if role not in files:
            continue
        inp = d["inputs"][role]
        sub = (lambda s: s.replace("{period_end}", end.isoformat())) if end else (lambda s: s)
        cmd = ["civic-tally"]
        if "group" in ind:
            cmd += ["-g", ",".join(as_list(ind["group"]))]
        names = {}
        stats = []
        for s in split_stats(",".join(as_list(ind.get("stats", "count")))):
            s2 = lit_days(sub(s))
            if s2 != s:
                names[s2] = sub(s)
            stats.append(s2)
        cmd += ["-s", ",".join(stats)]
        wheres = [lit_days(sub(w)) for w in as_list(ind.get("where", []))]
        if inp["kind"] == "registry" and inp.get("period") and period_where:
            wheres.append(period_where % inp["period"])
        if inp["kind"] == "survey":
            if inp.get("wave") and a.wave:
                wheres.append("%s = '%s'" % (inp["wave"], a.wave))
            des = inp["design"]
            cmd += ["-w", des["weight"]]
            for k, opt in (("strata", "--strata"), ("psu", "--psu"), ("fpc", "--fpc"),
                           ("lonely_psu", "--lonely-psu"), ("missing", "--missing")):
                if k in des:
                    cmd += [opt, des[k]]
        for w in wheres:
            cmd += ["--where", w]
        for k, opt in (("within", "--within"), ("pivot", "--pivot"), ("ci", "--ci"),
                       ("level", "--level"), ("digits", "--digits"), ("top", "--top"),
                       ("contrast", "--contrast"), ("test", "--test"), ("per", "--per")):
            if k in ind:
                cmd += [opt, str(ind[k])]
        for s in as_list(ind.get("sort", [])):
            cmd += ["--sort", s]
        if "other" in ind:
            o = ind["other"]
            cmd += ["--other", o["en"] if isinstance(o, dict) else o]
        if "population" in ind:
            pin = d["inputs"][ind["population"]]
            cmd += ["--population", "%s:%s" % (files[ind["population"]], pin.get("column", "population"))]
        for k, opt in (("total", "--total"), ("deff", "--deff")):
            if ind.get(k):
                cmd.append(opt)
        out = os.path.join(a.outdir, ind["id"] + ".csv")
        cmd += ["--csv", "-o", out, files[role]]
        r = subprocess.run(cmd)
        if r.returncode != 0:
            sys.exit("bulletin-tally: %s: civic-tally exited %d: %s" % (ind["id"], r.returncode, cmd))
        if names:
            with open(out, newline="", encoding="utf-8") as f:
                t = list(csv.reader(f))
            for i, c in enumerate(t[0]):
                for new, old in names.items():
                    for pre in ("share:", "n:", "mean:"):
                        if new.startswith(pre):
                            head = pre[:-1] + "_"
                            c = c.replace(head + new[len(pre):], head + old[len(pre):])
                t[0][i] = c
            with open(out, "w", newline="", encoding="utf-8") as f:
                csv.writer(f, lineterminator="\n").writerows(t)


if __name__ == "__main__":
    main()
