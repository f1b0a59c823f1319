#!/usr/bin/env bats
# civic-tally -s ratio:A/B against R's svyratio run live on fresh data:
# tests/fixtures/survey/ratio/oracle.R draws a new unbalanced stratified
# cluster sample (seed CIVIC_ORACLE_SEED, else one from the clock, printed
# on failure) with empty values, and computes each group's svyratio, SE
# and t interval; every figure must agree at 1e-10 relative.  Without a
# design the plain ratio Σw·A/Σw·B is checked with exact rationals.

load helper

setup() {
	setup_scratch
	ORACLE="$FIXTURES/survey/ratio/oracle.R"
	CHECK="$CIVIC_ROOT/tests/survey-live-check.py"
	SEED="${CIVIC_ORACLE_SEED:-$(($(date +%s) % 1000000))}"
}

oracle() {
	oracle_once --into . Rscript --vanilla "$ORACLE" "$SEED" . 2> "$BATS_FILE_TMPDIR/oracle.err" ||
		{ cat "$BATS_FILE_TMPDIR/oracle.err"; false; }
}

# The options of case NAME of cases.tsv, in args.
case_args() {
	local opts
	IFS=$'\t' read -r _ _ opts < <(grep "^$1	" cases.tsv)
	read -ra args <<< "$opts"
}

same_as_r() {
	run python3 "$CHECK" "$1" "$2"
	[ "$status" -eq 0 ] || { echo "seed $SEED: $output"; false; }
}

@test "ratio: every ratio, SE and interval of every design agrees with R's svyratio" {
	oracle
	local n=0 name
	while IFS=$'\t' read -r name _ _; do
		case_args "$name"
		civic-tally "${args[@]}" design.csv > "$name.out"
		same_as_r "$name.out" "$name.csv"
		n=$((n + 1))
	done < cases.tsv
	[ "$n" -eq 6 ]
}

@test "ratio: on two threads, within --within and from merged partials, the figures of one run" {
	oracle
	case_args fpc-region
	CIVIC_THREADS=1 civic-tally "${args[@]}" design.csv > one.csv
	CIVIC_THREADS=2 civic-tally "${args[@]}" design.csv > two.csv
	diff one.csv two.csv
	head -1 design.csv > a.csv
	cp a.csv b.csv
	local n
	n=$(($(wc -l < design.csv) / 2))
	sed -n "2,${n}p" design.csv >> a.csv
	sed -n "$((n + 1)),\$p" design.csv >> b.csv
	civic-tally "${args[@]}" --partial a.csv > a.ndjson
	civic-tally "${args[@]}" --partial b.csv > b.ndjson
	civic-tally --merge --ci t --total a.ndjson b.ndjson > merged.csv
	same_as_r merged.csv fpc-region.csv
	diff one.csv merged.csv
	case_args clus-region-sex
	civic-tally "${args[@]}" --within region design.csv > within.csv
	same_as_r within.csv clus-region-sex.csv
}

@test "ratio: without a design, the plain ratio of the totals, exactly" {
	cat > reg.csv <<'CSV'
office,w,a,b
n,1.5,3,7
n,2.25,,4
n,0.5,11.125,2
s,3,1,3
s,1,2.5,
s,7.75,0.1,0.3
CSV
	civic-tally -g office -w w -s ratio:a/b,n reg.csv > w.csv
	civic-tally -g office -s ratio:a/b reg.csv > u.csv
	run python3 - <<'PY'
import csv
from fractions import Fraction as F
rows = list(csv.DictReader(open("reg.csv")))
def want(weighted):
    out = {}
    for o in ("n", "s"):
        r = [x for x in rows if x["office"] == o and x["a"] and x["b"]]
        w = lambda x: F(x["w"]) if weighted else 1
        out[o] = sum(w(x) * F(x["a"]) for x in r) / sum(w(x) * F(x["b"]) for x in r)
    return out
for name, weighted in (("w.csv", True), ("u.csv", False)):
    exp = want(weighted)
    for row in csv.DictReader(open(name)):
        got = F(row["ratio_a/b"])
        if abs(got - exp[row["office"]]) > abs(exp[row["office"]]) * F(1, 10**15):
            print(name, row, float(exp[row["office"]]))
PY
	assert_output ''
	run cat w.csv
	assert_line 'office,ratio_a/b,n'
	assert_line --regexp '^n,[0-9.]+,3$'
}

@test "ratio: a row with A or B empty is out of the ratio; a non-number is a reject" {
	printf 'g,a,b\nx,1,2\nx,,5\nx,3,\nx,oops,4\ny,2,4\n' > bad.csv
	run civic-tally -g g -s ratio:a/b,count --rejects rej.csv bad.csv
	assert_line 'x,0.5,3'
	assert_line 'y,0.5,1'
	run cat rej.csv
	assert_output --partial 'oops'
}

@test "ratio: what it does not cover is a usage error" {
	printf 'g,a,b,w,s,p\nx,1,2,1,s1,p1\n' > d.csv
	run civic-tally -s ratio:a d.csv
	[ "$status" -eq 2 ]
	assert_output --partial 'ratio:A/B'
	run civic-tally -g g -w w --strata s --psu p -s ratio:a/b --contrast g d.csv
	[ "$status" -eq 2 ]
	run civic-tally -g g -w w --strata s --psu p -s ratio:a/b --deff d.csv
	[ "$status" -eq 2 ]
}

@test "ratio: civic-report names the ratio in English, Russian and Uzbek" {
	printf 'g,a,b\nx,1,2\ny,2,4\n' > r.csv
	civic-tally -g g -s ratio:a/b r.csv > t.csv
	run civic-report t.csv
	assert_output --partial 'Ratio a/b'
	run civic-report --lang ru t.csv
	assert_output --partial 'отношение'
	run civic-report --lang uz t.csv
	assert_output --partial 'nisbat'
}
