#!/usr/bin/python3
"""The registry indicators of share/civic/bulletins/cooperation-trust.json,
computed without civic: from the rows scripts/gen-registry generated.

  bulletin-oracle.py CANONICAL.csv TRUTH.json POPULATION.csv OTHER-LABEL PERIOD [PREVIOUS]

CANONICAL.csv is `gen-registry --canonical --category` with the same seed,
row count, year and bad-row rate as the dirty export the pipeline ingested:
the same good rows, each with its true subject category (so this checks
civic-ingest, civic-classify and the indicators at once). TRUTH.json is the
generator's --truth file: its totals must agree with the rows read here, or
the oracle stops. PERIOD is yyyy (a year), yyyy-Qn (a quarter) or yyyy-mm (a month): the rows
received in it are the indicators' rows, and its last day is the period's
end; the applications pending at the period's end are counted over every
row received up to that day. OTHER-LABEL is the label of the subjects' "other" row.

Writes one canonical CSV to stdout: indicator,key,column,value, one line per
figure, where key is the group's key values joined by '|' and value is an
integer, or a float as Python's repr writes it (it reads back exactly). A line with column
`_order` gives a row's place in the table for indicators that sort.

With PREVIOUS (a period of the same kind), it writes instead what the
published tables of the indicators compared with the previous period hold
(register-book, receiving-unit, subjects): count and share, and for each row
that the previous period's table also has, count_prev, count_change,
count_change_pct ((count - prev) / prev * 100), count_change_p (the
two-sided normal p-value of (count - prev) / sqrt(count + prev), the
Poisson rule for a census count), share_prev, share_change, and `flags`:
beyond-noise:count_change when |count - prev| > 1.96 * sqrt(count + prev).

TRUTH.json may be several truth files joined by commas (registries of
several years, concatenated): their totals are added.

Figures: counts and their shares exactly (fractions.Fraction, rounded once
to a double), medians of whole days as R's type 7 (statistics.median of
integers), rates per 10,000 as count * 10000 / population. Standard library
only; run with Debian's /usr/bin/python3.
"""
import csv
import datetime
import json
import math
import statistics
import sys
from collections import Counter, defaultdict
from fractions import Fraction

TOP_SUBJECTS = 6


def fmt(v):
    if isinstance(v, (int, str)):
        return str(v)
    return repr(float(v))     # the shortest text that reads back as the same double


class Out:
    def __init__(self):
        self.w = csv.writer(sys.stdout, lineterminator="\n")
        self.w.writerow(["indicator", "key", "column", "value"])

    def put(self, ind, key, col, v):
        self.w.writerow([ind, "|".join(key), col, fmt(v)])


def period_bounds(period):
    if len(period) == 4:
        y = int(period)
        return datetime.date(y, 1, 1), datetime.date(y, 12, 31)
    y = int(period[:4])
    if period[5] == "Q":
        m, last = 3 * int(period[6]) - 2, 3 * int(period[6])
    else:
        m = last = int(period[5:7])
    first = datetime.date(y, m, 1)
    nxt = datetime.date(y + (last == 12), last % 12 + 1, 1)
    return first, nxt - datetime.timedelta(days=1)


def iso(s):
    return datetime.date.fromisoformat(s) if s else None


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_truth(paths):
    """The truth files of paths (comma-separated), their totals added."""
    total = {}
    for path in paths.split(","):
        with open(path, encoding="utf-8") as f:
            for k, v in json.load(f).items():
                if isinstance(v, dict) and all(isinstance(x, int) for x in v.values()):
                    total[k] = Counter(total.get(k, {})) + Counter(v)
                elif isinstance(v, int):
                    total[k] = total.get(k, 0) + v
    return total


def check_truth(rows, truth):
    """The generator's own totals against the rows read: the two must be the same data."""
    if len(rows) != truth["rows"]:
        sys.exit("bulletin-oracle: %d rows, the truth says %d" % (len(rows), truth["rows"]))
    for key, col in (("register", "register"), ("service", "service"), ("category", "category"),
                     ("region", "region"), ("received_by", "received_by"), ("channel", "channel"),
                     ("outcome", "outcome")):
        if Counter(r[col] for r in rows) != Counter(truth[key]):
            sys.exit("bulletin-oracle: the counts by %s differ from the truth" % key)
    if Counter(r["received_at"][:7] for r in rows) != Counter(truth["month"]):
        sys.exit("bulletin-oracle: the counts by month differ from the truth")
    if sum(1 for r in rows if not r["resolved_at"]) != truth["pending"]:
        sys.exit("bulletin-oracle: the pending rows differ from the truth")


def counts_and_shares(out, ind, rows, keyf, withinf=None):
    """count and share of each group; the share's base is everything, or the group's
    rows sharing withinf's value."""
    cnt = Counter(keyf(r) for r in rows)
    base = Counter()
    for k, n in cnt.items():
        base[withinf(k) if withinf else ()] += n
    for k in sorted(cnt):
        out.put(ind, k, "count", cnt[k])
        out.put(ind, k, "share", Fraction(cnt[k], base[withinf(k) if withinf else ()]))


class Keep:
    """Collects what Out would write: {indicator: {key: {column: value}}}."""

    def __init__(self):
        self.t = defaultdict(dict)

    def put(self, ind, key, col, v):
        self.t[ind].setdefault("|".join(key), {})[col] = v


COMPARED = ("register-book", "receiving-unit", "subjects")


def compared(cur, prev, out):
    for ind in COMPARED:
        for k, f in cur.t[ind].items():
            key = tuple(k.split("|"))
            if "_order" in f:
                out.put(ind, key, "_order", f["_order"])
            out.put(ind, key, "count", f["count"])
            out.put(ind, key, "share", f["share"])
            p = prev.t[ind].get(k)
            if p is None:
                for c in ("count_prev", "count_change", "count_change_pct", "count_change_p", "share_prev",
                          "share_change"):
                    out.put(ind, key, c, "")
                out.put(ind, key, "flags", "")
                continue
            a, b = f["count"], p["count"]
            out.put(ind, key, "count_prev", b)
            out.put(ind, key, "count_change", a - b)
            out.put(ind, key, "count_change_pct", Fraction(a - b, b) * 100)
            out.put(ind, key, "count_change_p", math.erfc(abs(a - b) / math.sqrt(2 * (a + b))))
            out.put(ind, key, "share_prev", p["share"])
            out.put(ind, key, "share_change", f["share"] - p["share"])
            # |a - b| > 1.96 sqrt(a + b), squared with exact integers and 1.96 = 49/25
            out.put(ind, key, "flags", "beyond-noise:count_change"
                    if (a - b) ** 2 * 625 > 2401 * (a + b) else "")


def main():
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__.split("\n\n")[1])
    canon, truth_path, pop_path, other_label, period = sys.argv[1:6]
    all_rows = read_rows(canon)
    check_truth(all_rows, read_truth(truth_path))
    if len(sys.argv) == 7:
        cur, prev = Keep(), Keep()
        indicators(all_rows, pop_path, other_label, period, cur)
        indicators(all_rows, pop_path, other_label, sys.argv[6], prev)
        compared(cur, prev, Out())
    else:
        indicators(all_rows, pop_path, other_label, period, Out())


def indicators(all_rows, pop_path, other_label, period, out):
    start, end = period_bounds(period)
    rows = [r for r in all_rows if start <= iso(r["received_at"]) <= end]

    # 1. registration discipline
    counts_and_shares(out, "register-book", rows, lambda r: (r["register"],))
    counts_and_shares(out, "register-book-by-region", rows, lambda r: (r["region"], r["register"]),
                      lambda k: k[0])
    counts_and_shares(out, "register-book-by-month", rows,
                      lambda r: (r["received_at"][:7], r["register"]), lambda k: k[0])
    # 2. who receives citizens
    counts_and_shares(out, "receiving-unit", rows, lambda r: (r["received_by"],))
    counts_and_shares(out, "receiving-unit-by-channel", rows, lambda r: (r["channel"], r["received_by"]),
                      lambda k: k[0])
    # 3. cooperation between services
    counts_and_shares(out, "cooperation-between-services", rows,
                      lambda r: (r["received_by"], r["service"]), lambda k: k[0])

    # 4. timeliness: days to resolve
    by_svc = defaultdict(list)
    for r in rows:
        by_svc[r["service"]].append(r)
    for s in sorted(by_svc):
        rs = by_svc[s]
        days = [(iso(r["resolved_at"]) - iso(r["received_at"])).days for r in rs if r["resolved_at"]]
        k = (s,)
        out.put("resolution-time", k, "count", len(rs))
        out.put("resolution-time", k, "n_resolved_at", len(days))
        out.put("resolution-time", k, "median_days(received_at,resolved_at)", statistics.median(days))
        out.put("resolution-time", k, "share_days(received_at,resolved_at)<=15",
                Fraction(sum(1 for d in days if d <= 15), len(days)))

    # pending at the period's end, by age on its last day: every application
    # received up to the period's end, earlier periods' included
    # the columns civic names them by: the definition's {period_end-N} as dates
    d15 = (end - datetime.timedelta(days=15)).isoformat()
    d30 = (end - datetime.timedelta(days=30)).isoformat()
    bands = ["share_received_at >= %s" % d15,
             "share_received_at < %s and received_at >= %s" % (d15, d30),
             "share_received_at < %s" % d30]
    pend = defaultdict(list)
    for r in all_rows:
        if iso(r["received_at"]) > end:
            continue
        res = iso(r["resolved_at"])
        if res is None or res > end:
            pend[r["service"]].append((end - iso(r["received_at"])).days)
    every = [a for s in pend for a in pend[s]]
    for k, ages in sorted(((s,), a) for s, a in pend.items()) + [(("Total",), every)]:
        out.put("pending-at-period-end", k, "count", len(ages))
        n = len(ages)
        out.put("pending-at-period-end", k, bands[0], Fraction(sum(1 for a in ages if a <= 15), n))
        out.put("pending-at-period-end", k, bands[1], Fraction(sum(1 for a in ages if 15 < a <= 30), n))
        out.put("pending-at-period-end", k, bands[2], Fraction(sum(1 for a in ages if a > 30), n))

    # 5. outcomes by service
    counts_and_shares(out, "outcomes-by-service", rows, lambda r: (r["service"], r["outcome"]),
                      lambda k: k[0])

    # 6. what citizens bring: top six, largest first (ties by name), the rest as one row
    cat = Counter(r["category"] for r in rows)
    ranked = sorted(cat.items(), key=lambda kv: (-kv[1], kv[0]))
    top, rest = ranked[:TOP_SUBJECTS], ranked[TOP_SUBJECTS:]
    if rest:
        top.append((other_label, sum(n for _, n in rest)))
    for i, (c, n) in enumerate(top):
        out.put("subjects", (c,), "_order", i)
        out.put("subjects", (c,), "count", n)
        out.put("subjects", (c,), "share", Fraction(n, len(rows)))

    # 7. load per population, highest rate first
    with open(pop_path, newline="", encoding="utf-8") as f:
        pop = {r["region"]: int(r["population"]) for r in csv.DictReader(f)}
    reg = Counter(r["region"] for r in rows)
    rates = {g: Fraction(n * 10000, pop[g]) for g, n in reg.items()}
    for i, g in enumerate(sorted(reg, key=lambda g: (-rates[g], g))):
        out.put("load-per-population", (g,), "_order", i)
        out.put("load-per-population", (g,), "n", reg[g])
        out.put("load-per-population", (g,), "rate_per_10000", rates[g])


if __name__ == "__main__":
    main()
