#!/usr/bin/env bats
# civic-bulletin's comparisons on real data: each compared figure with its
# change, the change's SE (survey estimates) and p-value, checked against
# computations that do not use civic, on the tables civic-bulletin keeps
# unrounded (internal/PERIOD/compared/ID.COMPARISON.csv) and on the
# published, rounded ones:
#   registry: two years of generated exports; March 2024 against February
#             (previous month) and against March 2023 (same month last
#             year), counts exact, Poisson p-values 1e-12 (bulletin-oracle.py)
#   survey:   two waves; the change since the previous wave, its SE
#             sqrt(se² + se_prev²) and normal p-value from R survey, 1e-10
#             (bulletin-oracle.R)
# and the previous wave looked up by the periods' dates, not by the
# directories' sort order.
#
# Under valgrind every test runs, on a smaller registry (setup_file); the
# civic-ingest and civic-classify runs that only make the inputs run bare
# (reference): tests/bulletin-indicators.bats runs them under valgrind.

load helper
load bulletin-compare

DEF="$CIVIC_ROOT/share/civic/bulletins/cooperation-trust.json"
ORACLE_PY="$CIVIC_ROOT/tests/bulletin-oracle.py"
ORACLE_R="$CIVIC_ROOT/tests/bulletin-oracle.R"
OTHER_LABEL="all other subjects"
REGISTRY_CMP=register-book,receiving-unit,subjects
SURVEY_IDS=trust-police,trust-inspector,would-report,cooperation-seen

setup_file() {
	local d="$BATS_FILE_TMPDIR" pop="$CIVIC_DATADIR/sample/population.csv" n=12000 m=2500 y k=5
	# Under valgrind, a smaller registry; a month of 100 applications cannot
	# be published with counts below 5 hidden (the audit refuses its
	# cross-tab), so nothing is hidden there: the comparisons are what is
	# tested here.  The survey keeps its size: a smaller one flags regions'
	# estimates as unreliable, a flag the R oracle does not compute.
	if [ "${VALGRIND:-}" = 1 ]; then n=1200; k=0; fi
	# two years of applications, as offices export them, and the same good rows as generated
	for y in 2023 2024; do
		gen-registry -n $n --seed $y --year $y --dirty --truth "$d/truth-$y.json" > "$d/raw-$y.csv"
		gen-registry -n $n --seed $y --year $y --dirty --canonical --category > "$d/canon-$y.csv"
	done
	{ cat "$d/canon-2023.csv"; tail -n +2 "$d/canon-2024.csv"; } > "$d/canon.csv"
	reference civic-ingest -q -s registry.json --max-rejects 1% "$d/raw-2023.csv" "$d/raw-2024.csv" 2> /dev/null |
		reference civic-classify -r registers.rules -r services.rules -r subjects.rules -o "$d/registry.csv"
	gen-survey -n $m --seed 31 --wave 2023 > "$d/wave-2023.csv"
	gen-survey -n $m --seed 32 --wave 2024 --change 0.3 > "$d/wave-2024.csv"
	{ cat "$d/wave-2023.csv"; tail -n +2 "$d/wave-2024.csv"; } |
		reference civic-ingest -q -s trust-survey.json -o "$d/survey.csv"
	local truth="$d/truth-2023.json,$d/truth-2024.json"
	/usr/bin/python3 "$ORACLE_PY" "$d/canon.csv" "$truth" "$pop" "$OTHER_LABEL" 2024-03 2024-02 > "$d/py-prev-month.csv"
	/usr/bin/python3 "$ORACLE_PY" "$d/canon.csv" "$truth" "$pop" "$OTHER_LABEL" 2024-03 2023-03 > "$d/py-year-ago.csv"
	oracle_once Rscript --vanilla "$ORACLE_R" survey "$d/wave-2024.csv" "$d/wave-2023.csv" prev,change,change_se,change_p,flags \
		> "$d/r-change.csv"
	# the three periods, once: the tests read them
	for p in "2023-03 2023" "2024-02 2023" "2024-03 2024"; do
		set -- $p
		civic-bulletin -b "$DEF" --period $1 --wave $2 -s $k -f txt,md,html,json,xlsx -o "$d/out" \
			registry="$d/registry.csv" survey="$d/survey.csv" population="$pop" 2> /dev/null
	done
}

setup() {
	setup_scratch
	D="$BATS_FILE_TMPDIR"
	OUT="$D/out"
}

@test "same month last year: March 2024 against March 2023, counts, changes and Poisson p-values as Python computes them" {
	run grep -c 'same-month-last-year 2023-03: compared$' "$OUT/internal/2024-03/log"
	assert_output 3
	compare --suffix .same-month-last-year --only "$REGISTRY_CMP" "$OUT/internal/2024-03/compared" "$D/py-year-ago.csv"
	assert_equal "$(grep -c ' figures$' <<< "$output")" 3
	# its own section in the report, after the month-on-month one
	grep -q '^Registration discipline: applications by register book — compared with 2023-03$' "$OUT/2024-03/report.txt"
}

@test "previous month: the unrounded and the published tables agree with Python, the p-value included" {
	compare --suffix .previous-month --only "$REGISTRY_CMP" "$OUT/internal/2024-03/compared" "$D/py-prev-month.csv"
	compare --published --only "$REGISTRY_CMP" "$OUT/2024-03/tables" "$D/py-prev-month.csv"
	assert_equal "$(grep -c ' figures$' <<< "$output")" 3
}

@test "previous wave: the change, its SE sqrt(se² + se_prev²), its p-value and the flags agree with R survey to 1e-10" {
	run grep -c 'previous-wave 2023: compared$' "$OUT/internal/2024-03/log"
	assert_output 4
	compare --suffix .previous-wave --only "$SURVEY_IDS" "$OUT/internal/2024-03/compared" "$D/r-change.csv@1e-10"
	assert_equal "$(grep -c ' figures$' <<< "$output")" 4
	compare --published --only "$SURVEY_IDS" "$OUT/2024-03/tables" "$D/r-change.csv"
	# a p-value below 5% is exactly a change marked significant
	run /usr/bin/python3 - "$OUT/internal/2024-03/compared" <<-'PY'
	import csv, glob, sys
	n = 0
	for path in glob.glob(sys.argv[1] + "/*.csv"):
	    for r in csv.DictReader(open(path, encoding="utf-8")):
	        for c, p in r.items():
	            if c.endswith("_change_p") and p:
	                marked = ("beyond-noise:" + c[:-2]) in r["flags"].split()
	                assert (float(p) < 0.05) == marked, (path, r)
	                n += marked
	print("marked", n > 0)
	PY
	assert_success
	assert_output "marked True"
}

@test "every format shows the change's SE and p-value and says what they are; the annex says how changes are tested" {
	local r="$OUT/2024-03/report"
	grep -q 'Trust the police change, SE, pp' "$r.txt"
	grep -q 'Trust the police change, p-value' "$r.md"
	grep -q 'Trust the police change, p-value' "$r.html"
	grep -q 'Count change, p-value' "$r.txt"
	grep -q '^change, SE: the standard error of the change, √(SE² + SE_prev²)' "$r.txt"
	grep -q 'The change of each compared figure is given with its standard error' "$r.md"
	grep -q 'The change of each compared count is given with its two-sided p-value' "$r.md"
	run /usr/bin/python3 - "$r.json" "$OUT/internal/2024-03/compared/trust-police.previous-wave.csv" <<-'PY'
	import csv, json, sys
	rep = json.load(open(sys.argv[1], encoding="utf-8"))
	full = {r["region"]: r for r in csv.DictReader(open(sys.argv[2], encoding="utf-8"))}
	sec = next(s for s in rep["sections"] if s["source"].endswith("/trust-police.csv"))
	roles = {c["name"]: c["role"] for c in sec["columns"]}
	col = "share_trust_police>=4"
	assert roles[col + "_change_se"] == "change_se" and roles[col + "_change_p"] == "change_p", roles
	for row in sec["rows"]:
	    f = full[row["region"]]
	    assert abs(row[col + "_change_p"] - float(f[col + "_change_p"])) <= 0.5e-4 + 1e-12, row
	    assert abs(row[col + "_change_se"] - float(f[col + "_change_se"])) <= 0.5e-4 + 1e-12, row
	print(len(sec["rows"]))
	PY
	assert_success
	assert_output 7
	run /usr/bin/python3 - "$r.xlsx" "$OUT/internal/2024-03/compared/trust-police.previous-wave.csv" <<-'PY'
	import csv, openpyxl, sys
	ws = openpyxl.load_workbook(sys.argv[1])["Trust in the police by region"]
	full = {r["region"]: r for r in csv.DictReader(open(sys.argv[2], encoding="utf-8"))}
	label = "Trust the police change, p-value"
	top = next(r for r in ws.iter_rows() if label in [c.value for c in r])
	p = [c.value for c in top].index(label)
	n = 0
	for row in ws.iter_rows(min_row=top[0].row + 1):
	    f = full.get(row[0].value)
	    if f:
	        assert abs(row[p].value - float(f["share_trust_police>=4_change_p"])) <= 0.5e-4 + 1e-12, f
	        assert row[p].number_format == "#,##0.0000", row[p].number_format
	        n += 1
	print(n)
	PY
	assert_success
	assert_output 7
}

@test "the previous wave is the latest earlier period of the same length, not the last directory by name" {
	local pop="$CIVIC_DATADIR/sample/population.csv"
	local k=5
	[ "${VALGRIND:-}" != 1 ] || k=0
	b() { civic-bulletin -b "$DEF" -s $k "$@" -o out registry="$D/registry.csv" survey="$D/survey.csv" population="$pop"; }
	# December reported with wave 2024 first; then the first quarter with wave 2023:
	# "2024-12" sorts before "2024-Q1" but is no earlier period
	b --period 2024-12 --wave 2024
	b --quarter 2024-Q1 --wave 2023
	run grep -c 'previous-wave -: not reported$' out/internal/2024-Q1/log
	assert_output 4
	# the years: 2024 against the year 2023, not against its last quarter
	# ("2023-Q4" sorts after "2023"), though both hold the wave 2023
	b --year 2023 --wave 2023
	b --quarter 2023-Q4 --wave 2023
	b --year 2024 --wave 2024
	run grep -c 'previous-wave 2023: compared$' out/internal/2024/log
	assert_output 4
	[ -f out/internal/2024/previous/trust-police.2023.csv ]
	[ ! -e out/internal/2024/previous/trust-police.2023-Q4.csv ]
	grep -q 'Compared with the previous survey wave (2023)' out/2024/report.md
}
