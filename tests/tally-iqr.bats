#!/usr/bin/env bats
# civic-tally -s iqr:C, the interquartile range, against independent
# oracles on fresh data (seed CIVIC_ORACLE_SEED, else from the clock,
# printed on failure): plain, type 7 quartiles in exact rationals (Python's
# fractions and statistics.quantiles(method = "inclusive")); weighted
# with a stratified cluster design, R's svyquantile(qrule = "math").

load helper

setup() {
	setup_scratch
	SEED="${CIVIC_ORACLE_SEED:-$(($(date +%s) % 1000000))}"
	# Groups of 1 to 40 rows, values with up to two decimals, some empty;
	# strata of 2 to 4 PSUs, weights with decimals.
	/usr/bin/python3 - "$SEED" > data.csv <<'EOF'
import random, sys
r = random.Random(int(sys.argv[1]))
print("g,v,w,st,psu")
for g in "abcdef":
    for i in range(r.randint(1, 40)):
        v = "" if r.random() < 0.1 else f"{r.randint(-500, 5000) / 100:g}"
        st = r.randint(1, 3)
        print(f"{g},{v},{r.randint(50, 400) / 10:g},s{st},p{st}_{r.randint(1, 2 + st)}")
EOF
}

@test "iqr:C is p75 less p25 of type 7, exactly as rationals give it (plain, merged partials alike)" {
	civic-tally -g g -s iqr:v,n:v data.csv > out.csv
	run /usr/bin/python3 - data.csv out.csv <<'EOF'
import csv, statistics, sys
from fractions import Fraction as F
vals = {}
for row in csv.DictReader(open(sys.argv[1])):
    vals.setdefault(row["g"], [])
    if row["v"]:
        vals[row["g"]].append(F(row["v"]))
bad = 0
out = list(csv.DictReader(open(sys.argv[2])))
assert [r["g"] for r in out] == sorted(vals), "groups"
for r in out:
    x = vals[r["g"]]
    if len(x) < 2:
        want = F(0) if x else None
    else:
        q1, _, q3 = statistics.quantiles(x, n=4, method="inclusive")
        want = q3 - q1
    got = r["iqr_v"]
    if want is None:
        ok = got == ""
    else:
        ok = got != "" and abs(F(got) - want) <= abs(want) * F(1, 10**12) + F(1, 10**12)
    if not ok:
        print(f"group {r['g']}: civic {got!r}, exact {want}")
        bad += 1
sys.exit(bad)
EOF
	[ "$status" -eq 0 ] || { echo "seed $SEED: $output"; false; }
	# Two partials merged say what one run says.
	head -n 60 data.csv > a.csv
	{ head -n 1 data.csv; tail -n +61 data.csv; } > b.csv
	civic-tally -g g -s iqr:v,n:v --partial a.csv > a.json
	civic-tally -g g -s iqr:v,n:v --partial b.csv > b.json
	run civic-tally --merge a.json b.json
	assert_success
	assert_output "$(cat out.csv)"
}

@test "iqr:C weighted with a design is the difference of svyquantile's quartiles; no interval" {
	civic-tally -g g -s iqr:v,median:v -w w --strata st --psu psu --ci t data.csv > out.csv
	head -n 1 out.csv > header
	run cat header
	assert_output "g,iqr_v,median_v,median_v_se,median_v_low,median_v_high"
	Rscript --vanilla - > r.csv 2> r.err <<'EOF' || { cat r.err; false; }
suppressMessages(library(survey))
d <- read.csv("data.csv", colClasses = c(g = "character"))
des <- svydesign(ids = ~psu, strata = ~st, weights = ~w, data = d, nest = TRUE)
cat("g,iqr\n")
for (grp in sort(unique(d$g))) {
	if (!any(d$g == grp & !is.na(d$v))) { cat(grp, ",\n", sep = ""); next }
	s <- subset(des, g == grp & !is.na(v))
	q <- coef(svyquantile(~v, s, c(0.25, 0.75), qrule = "math", ci = FALSE))
	cat(sprintf("%s,%.17g\n", grp, q[2] - q[1]))
}
EOF
	run /usr/bin/python3 - out.csv r.csv <<'EOF'
import csv, sys
civic = {r["g"]: r["iqr_v"] for r in csv.DictReader(open(sys.argv[1]))}
bad = 0
for r in csv.DictReader(open(sys.argv[2])):
    got = civic.get(r["g"], "")
    if r["iqr"] == "":
        if got != "":
            print(f"group {r['g']}: civic {got!r}, R no values")
            bad += 1
        continue
    want = float(r["iqr"])
    if got == "" or abs(float(got) - want) > 1e-9 * max(1.0, abs(want)):
        print(f"group {r['g']}: civic {got!r}, R {want!r}")
        bad += 1
sys.exit(bad)
EOF
	[ "$status" -eq 0 ] || { echo "seed $SEED: $output"; false; }
}

@test "iqr:C is headed as the interquartile range by civic-report" {
	printf 'g,v\na,1\na,2\na,3\na,4\nb,10\nb,30\n' > small.csv
	civic-tally -g g -s iqr:v small.csv > t.csv
	run cat t.csv
	# 1..4: p25 1.75, p75 3.25; 10, 30: 15 and 25.
	assert_output "g,iqr_v
a,1.5
b,10"
	run civic-report --lang en t.csv
	assert_success
	assert_output --partial "IQR of v"
}
