#!/usr/bin/env bats
# The data generators and limit programs scripts/bench and other tests rely on.

load helper

setup() {
	setup_scratch
}

truth() {	# truth FILE EXPR: evaluate EXPR with t = the truth JSON
	python3 -c "import json,sys; t=json.load(open(sys.argv[1])); print($2)" "$1"
}

@test "gen-registry: the same seed gives the same bytes, another seed others" {
	gen-registry -n 500 --dirty --seed 7 > a.csv
	gen-registry -n 500 --dirty --seed 7 > b.csv
	gen-registry -n 500 --dirty --seed 8 > c.csv
	cmp a.csv b.csv
	! cmp -s a.csv c.csv
}

@test "gen-registry: header, field count and truth totals of a clean export" {
	gen-registry -n 2000 --seed 3 --truth t.json > r.csv
	run head -1 r.csv
	assert_output "reg_no;received;register;applicant;applicant_type;region;district;channel;received_by;service;subject;resolved;outcome"
	run csv-count-libcsv -d ';' r.csv
	assert_output "2001 26013"
	assert_equal "$(truth t.json 't["rows"], t["bad_rows"], sum(t["register"].values()), sum(t["month"].values())')" "2000 0 2000 2000"
	assert_equal "$(truth t.json 'sum(sum(m.values()) for m in t["register_by_month"].values())')" "2000"
}

@test "gen-registry --dirty: rows plus broken rows make the rows asked for" {
	gen-registry -n 3000 --dirty --bad-rate 0.05 --seed 2 --truth t.json > r.csv
	assert_equal "$(truth t.json 't["rows"] + t["bad_rows"]')" "3000"
	assert_equal "$(truth t.json 't["bad_rows"] > 100')" "True"
	assert_equal "$(grep -c '^X-' r.csv)" "$(truth t.json 't["bad_rows"]')"
}

@test "gen-registry: register shares follow the published 17.8 / 43.6 / 38.6, duty unit 19.6" {
	gen-registry -n 100000 --canonical --seed 1 --truth t.json > /dev/null
	# within 0.6 points: about four standard errors at 100,000 rows
	run truth t.json '[round(abs(100 * t["register"][k] / t["rows"] - p), 1) < 0.6 for k, p in (("form1", 17.8), ("form2", 43.6), ("alphabetical", 38.6))] + [abs(100 * t["received_by"]["duty_unit"] / t["rows"] - 19.6) < 0.6]'
	assert_output "[True, True, True, True]"
}

@test "gen-registry --canonical --dirty lists the good rows of --dirty, in order" {
	gen-registry -n 3000 --dirty --bad-rate 0.02 --seed 4 > raw.csv
	gen-registry -n 3000 --dirty --bad-rate 0.02 --seed 4 --canonical > canon.csv
	python3 - <<-'EOF'
	import csv
	raw = [r for r in csv.reader(open("raw.csv", newline=""), delimiter=";")][1:]
	canon = [r for r in csv.reader(open("canon.csv", newline=""))][1:]
	good = [r[0] for r in raw if not r[0].startswith("X-")]
	assert good == [r[0] for r in canon], "reg_no sequences differ"
	assert all(r[10] == c[10] for r, c in zip([r for r in raw if not r[0].startswith("X-")], canon))
	EOF
}

@test "gen-registry --category needs --canonical" {
	run gen-registry --category
	assert_failure 2
}

@test "count-limit agrees with the truth: counts, cross-tab, days mean and median" {
	gen-registry -n 5000 --canonical --seed 9 --truth t.json > c.csv
	run count-limit -k 3 c.csv
	assert_output "$(truth t.json '"\n".join("%s,%d" % kv for kv in sorted(t["register"].items()))')"
	run count-limit -k 2:7 -k 3 c.csv
	assert_output "$(truth t.json '"\n".join("%s,%s,%d" % (m, r, n) for m in sorted(t["register_by_month"]) for r, n in sorted(t["register_by_month"][m].items()))')"
	run count-limit -k 10 -v 2,-2 c.csv
	assert_output "$(truth t.json '"\n".join("%s,%d,%.17g,%.17g" % (s, v["n"], v["mean"], v["median"]) for s, v in sorted(t["days_by_service"].items()))')"
}

@test "csv-count-libcsv reads quotes; field-split-memchr does not" {
	printf 'a,b\n"x,1",2\n"y\nz",3\n' > q.csv
	run csv-count-libcsv q.csv
	assert_output "3 6"
	run field-split-memchr q.csv
	assert_output "4 8"
}

@test "limit programs: usage errors exit 2, a missing file exits 1" {
	run count-limit
	assert_failure 2
	run csv-count-libcsv -d ab
	assert_failure 2
	run field-split-memchr missing.csv
	assert_failure 1
}

@test "gen-survey: N rows, new PSUs within the same strata, weighted total kept" {
	gen-survey -n 7000 --seed 5 > s.csv
	python3 - "$FIXTURES/survey/data/trust_survey_numeric.csv" <<-'EOF'
	import csv, sys
	orig = list(csv.DictReader(open(sys.argv[1])))
	new = list(csv.DictReader(open("s.csv")))
	assert len(new) == 7000
	assert len({r["respondent_id"] for r in new}) == 7000
	psu_stratum = {}
	for r in new:
	    assert psu_stratum.setdefault(r["psu"], r["stratum"]) == r["stratum"], "psu in two strata"
	assert {r["stratum"] for r in new} == {r["stratum"] for r in orig}
	assert len(psu_stratum) > 600
	w0, w1 = sum(float(r["weight"]) for r in orig), sum(float(r["weight"]) for r in new)
	assert abs(w1 / w0 - 1) < 0.02, (w0, w1)
	EOF
	gen-survey -n 7000 --seed 5 | cmp - s.csv
}

@test "gen-registry --dirty through civic-ingest and civic-classify gives gen-registry --canonical" {
	gen-registry -n 3000 --dirty --bad-rate 0.01 --seed 11 --truth t.json > raw.csv
	gen-registry -n 3000 --dirty --bad-rate 0.01 --seed 11 --canonical > want.csv
	civic-ingest -q -s "$CIVIC_DATADIR/schemas/registry.json" --max-rejects 100% --rejects rej.ndjson raw.csv |
		civic-classify -r "$CIVIC_DATADIR/rules/registers.rules" -r "$CIVIC_DATADIR/rules/services.rules" > got.csv
	assert_equal "$(wc -l < rej.ndjson)" "$(truth t.json 't["bad_rows"]')"
	# every column but the applicant, which civic-ingest drops without a key
	python3 - <<-'PY'
	import csv
	got = list(csv.DictReader(open("got.csv", newline="")))
	want = list(csv.DictReader(open("want.csv", newline="")))
	assert len(got) == len(want), (len(got), len(want))
	for g, w in zip(got, want):
	    for col in w:
	        if col != "applicant":
	            assert g[col] == w[col], (w["reg_no"], col, g[col], w[col])
	PY
}
