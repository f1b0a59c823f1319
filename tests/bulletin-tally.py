#!/usr/bin/python3
"""Run a bulletin definition's indicators as the civic-tally commands they
stand for (civic-bulletin(5), "Indicators"): one civic-tally run per
indicator, its table written to OUTDIR/ID.csv.

  bulletin-tally.py DEF.json (--year Y | --quarter YYYY-Qn | --period YYYY-MM | --wave LABEL) OUTDIR ROLE=FILE ...

Only the indicators whose input role is given are run. `{period_start}`,
`{period_end}`, `{period_start+N}` and `{period_end-N}` become the period's
first and last day (and the day N days after or before), yyyy-mm-dd; an
indicator of "rows": "to-period-end" counts the rows dated up to the
period's last day instead of the period's. This
is the definition read as commands, for tests/bulletin-indicators.bats.
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys

PLACE = re.compile(r"\{period_(start|end)(?:([+-])(\d+))?\}")


def as_list(v):
    return v if isinstance(v, list) else [v]


def placeholders(text, start, end):
    def sub(m):
        d = start if m.group(1) == "start" else end
        if d is None:
            sys.exit("bulletin-tally: %s needs a period" % m.group(0))
        n = int(m.group(3) or 0) * (-1 if m.group(2) == "-" else 1)
        return (d + datetime.timedelta(days=n)).isoformat()
    return PLACE.sub(sub, text)


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
    g.add_argument("--quarter")
    g.add_argument("--wave")
    ap.add_argument("outdir")
    ap.add_argument("roles", nargs="+")
    a = ap.parse_args()
    with open(a.definition, encoding="utf-8") as f:
        d = json.load(f)
    files = dict(r.split("=", 1) for r in a.roles)
    if a.year:
        period_where = "year(%s) = " + a.year
        start, end = datetime.date(int(a.year), 1, 1), datetime.date(int(a.year), 12, 31)
    elif a.period:
        y, m = int(a.period[:4]), int(a.period[5:])
        period_where = "month(%s) = " + a.period
        start = datetime.date(y, m, 1)
        end = datetime.date(y + (m == 12), m % 12 + 1, 1) - datetime.timedelta(days=1)
    elif a.quarter:
        y, q = int(a.quarter[:4]), int(a.quarter[6])
        period_where = "quarter(%s) = '" + a.quarter + "'"
        start = datetime.date(y, 3 * q - 2, 1)
        end = datetime.date(y + (q == 4), (3 * q) % 12 + 1, 1) - datetime.timedelta(days=1)
    else:
        period_where, start, end = None, None, None
    os.makedirs(a.outdir, exist_ok=True)
    for ind in d["indicators"]:
        role = ind["input"]
        if role not in files:
            continue
        inp = d["inputs"][role]
        cmd = ["civic-tally"]
        if "group" in ind:
            cmd += ["-g", ",".join(as_list(ind["group"]))]
        stats = [placeholders(s, start, end) for s in split_stats(",".join(as_list(ind.get("stats", "count"))))]
        cmd += ["-s", ",".join(stats)]
        wheres = [placeholders(w, start, end) for w in as_list(ind.get("where", []))]
        if inp["kind"] == "registry" and inp.get("period") and period_where:
            if ind.get("rows") == "to-period-end":
                wheres.append("%s <= %s" % (inp["period"], end.isoformat()))
            else:
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


if __name__ == "__main__":
    main()
