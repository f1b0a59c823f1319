#!/usr/bin/env bats
# civic-bulletin's indicators of one input share their group keys (each key
# expression evaluated once a record, its values numbered): every way an
# indicator finds its group from them gives the counts Python finds over
# the same rows — a key of more values than the numbered table holds
# (district), two keys, three keys (found by their text), --total (whose
# keys are checked for the margins' label) and a derived key.

load helper

setup() {
	setup_scratch
	local n=6000
	[ "${VALGRIND:-}" = 1 ] && n=800
	"$CIVIC_ROOT/scripts/gen-registry" -n "$n" --seed 7 --canonical > reg.csv
}

@test "shared group keys: each indicator's counts are Python's, whatever the number and kind of its keys" {
	civic-bulletin -b "$CIVIC_ROOT/tests/fixtures/bulletin/shared-keys.json" --year 2024 -o out registry=reg.csv
	/usr/bin/python3 - reg.csv out/internal/2024/tallies <<'PY'
import csv, sys
from collections import Counter
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["received_at"][:4] == "2024"]
month = lambda r: r["received_at"][:7]
keys = {
    "district": lambda r: (r["district"],),
    "region-district": lambda r: (r["region"], r["district"]),
    "three": lambda r: (r["region"], r["register"], r["channel"]),
    "total": lambda r: (r["region"], r["register"]),
    "month-district": lambda r: (month(r), r["district"]),
}
assert len({r["district"] for r in rows}) > 32, "district must have more values than the numbered table"
for name, key in keys.items():
    want = Counter(key(r) for r in rows)
    got = {}
    margins = {}
    with open("%s/%s.csv" % (sys.argv[2], name), newline="") as fh:
        rd = csv.reader(fh)
        next(rd)
        for rec in rd:
            (margins if "Total" in rec[:-1] else got)[tuple(rec[:-1])] = int(rec[-1])
    if name == "total" and margins != {("Total", "Total"): len(rows)}:
        sys.exit("total: margins %s, Python's grand total %d" % (margins, len(rows)))
    if name != "total" and margins:
        sys.exit("%s: margins without --total" % name)
    if got != dict(want):
        sys.exit("%s: %d groups, Python %d; first difference %s" % (name, len(got), len(want),
                 next(iter(set(got.items()) ^ set(want.items())), None)))
PY
}
