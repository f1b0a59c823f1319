#!/usr/bin/env bats
# The shipped indicator set, share/civic/bulletins/cooperation-trust.json,
# on generated data: a year of registry exports (dirty, through civic-ingest
# and civic-classify) and two survey waves, every figure of every indicator
# against an oracle that does not use civic:
#   tests/bulletin-oracle.py  the registry indicators, from the generator's
#                             rows (gen-registry --canonical --category) and
#                             its truth file: counts exactly, shares 1e-12
#   tests/bulletin-oracle.R   the survey indicators with R's survey package
#                             (and the rates' Poisson intervals): 1e-10
# tests/bulletin-compare.py compares; a column civic writes that no oracle
# computes fails. The definition's indicators run as the civic-tally
# commands they stand for (tests/bulletin-tally.py, civic-bulletin(5)).
#
# Under valgrind every test runs on the same data, but February and March
# 2024, which two tests only read, are made once per file (feb_march), and
# the civic-tally runs that only make tables to compare with or to spoil
# run bare (as_tally_reference, reference): the definition's civic-tally
# commands run under valgrind in their own test.

load helper
load bulletin-compare

DEF="$CIVIC_ROOT/share/civic/bulletins/cooperation-trust.json"
ORACLE_PY="$CIVIC_ROOT/tests/bulletin-oracle.py"
ORACLE_R="$CIVIC_ROOT/tests/bulletin-oracle.R"
AS_TALLY="$CIVIC_ROOT/tests/bulletin-tally.py"
OTHER_LABEL="all other subjects"
REGISTRY_IDS=register-book,register-book-by-region,register-book-by-month,receiving-unit,receiving-unit-by-channel,cooperation-between-services,resolution-time,pending-at-period-end,outcomes-by-service,subjects,load-per-population
SURVEY_IDS=trust-police,trust-inspector,would-report,cooperation-seen

setup_file() {
	local d="$BATS_FILE_TMPDIR" pop="$CIVIC_DATADIR/sample/population.csv" p
	# a year of applications, as offices export them, and the same good rows as generated
	gen-registry -n 20000 --seed 18 --year 2024 --dirty --truth "$d/truth.json" > "$d/raw.csv"
	gen-registry -n 20000 --seed 18 --year 2024 --dirty --canonical --category > "$d/canon.csv"
	civic-ingest -q -s registry.json --max-rejects 1% --rejects "$d/rejects.ndjson" "$d/raw.csv" 2> /dev/null |
		civic-classify -r registers.rules -r services.rules -r subjects.rules -o "$d/registry.csv"
	# two waves of the trust survey, the second with trust a little higher
	gen-survey -n 3000 --seed 23 --wave 2023 > "$d/wave-2023.csv"
	gen-survey -n 3000 --seed 24 --wave 2024 --change 0.35 > "$d/wave-2024.csv"
	{ cat "$d/wave-2023.csv"; tail -n +2 "$d/wave-2024.csv"; } |
		civic-ingest -q -s trust-survey.json -o "$d/survey.csv"
	# the oracles' figures: registry (Python; R for the rates' intervals), survey (R)
	for p in 2024 2024-03; do
		oracle_once /usr/bin/python3 "$ORACLE_PY" "$d/canon.csv" "$d/truth.json" "$pop" "$OTHER_LABEL" $p > "$d/py-$p.csv"
		oracle_once Rscript --vanilla "$ORACLE_R" rates "$d/canon.csv" "$pop" $p > "$d/rates-$p.csv"
	done
	oracle_once /usr/bin/python3 "$ORACLE_PY" "$d/canon.csv" "$d/truth.json" "$pop" "$OTHER_LABEL" 2024-Q2 > "$d/py-2024-Q2.csv"
	oracle_once /usr/bin/python3 "$ORACLE_PY" "$d/canon.csv" "$d/truth.json" "$pop" "$OTHER_LABEL" 2024-03 2024-02 \
		> "$d/compared-2024-03.csv"
	oracle_once Rscript --vanilla "$ORACLE_R" survey "$d/wave-2023.csv" > "$d/r-2023.csv"
	oracle_once Rscript --vanilla "$ORACLE_R" survey "$d/wave-2024.csv" > "$d/r-2024.csv"
	oracle_once Rscript --vanilla "$ORACLE_R" survey "$d/wave-2024.csv" "$d/wave-2023.csv" prev,change,change_se,change_p,flags \
		> "$d/r-2024-change.csv"
	if valgrind_light; then
		D=$d POP=$pop
		mkdir "$d/feb-march"
		(cd "$d/feb-march" && feb_march_run)
	fi
}

setup() {
	setup_scratch
	D="$BATS_FILE_TMPDIR"
	POP="$CIVIC_DATADIR/sample/population.csv"
}

# bulletin ARGS...: civic-bulletin with the shipped definition, all inputs
bulletin() {
	civic-bulletin -b "$DEF" "$@" registry="$D/registry.csv" survey="$D/survey.csv" population="$POP"
}

feb_march_run() {
	bulletin --period 2024-02 --wave 2023 -o out
	bulletin --period 2024-03 --wave 2024 -o out
}

# feb_march: February 2024 with the wave 2023, then March with the wave
# 2024, in out/; under valgrind a copy of the runs setup_file made.
feb_march() {
	if valgrind_light; then
		cp -a "$D/feb-march/out" .
	else
		feb_march_run
	fi
}

# as_tally_reference ARGS...: tests/bulletin-tally.py, its civic-tally runs
# made bare under valgrind, as reference does.
as_tally_reference() {
	if valgrind_light; then
		PATH="$CIVIC_ROOT/bin:$PATH" /usr/bin/python3 "$AS_TALLY" "$@"
	else
		/usr/bin/python3 "$AS_TALLY" "$@"
	fi
}

@test "the definition: every indicator has an id, a title and a definition in en, ru and uz, and the references" {
	run /usr/bin/python3 - "$DEF" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1], encoding="utf-8"))
	assert d["format"] == "civic-bulletin" and d["format_version"] == 1
	ids = [i["id"] for i in d["indicators"]]
	assert len(ids) == len(set(ids)), ids
	for i in d["indicators"]:
	    for m in ("title", "definition"):
	        for lang in ("en", "ru", "uz"):
	            t = i[m][lang]
	            assert t.strip() and t == t.strip(), (i["id"], m, lang)
	            assert m != "definition" or len(t) > 120, (i["id"], lang, "a paragraph")
	ref = {i["id"]: i["reference"]["values"] for i in d["indicators"] if "reference" in i}
	split = {"form1": 0.178, "form2": 0.436, "alphabetical": 0.386}
	assert ref == {"register-book": split, "register-book-by-month": split,
	               "cooperation-seen": {"criminal investigation": 0.551}}, ref
	print(",".join(ids))
	PY
	assert_success
	assert_output "$REGISTRY_IDS,$SURVEY_IDS"
}

@test "the definition's codes are the shipped rule books' and have labels in en, ru and uz" {
	run /usr/bin/python3 - "$CIVIC_DATADIR" "$D/registry.csv" "$D/survey.csv" <<-'PY'
	import csv, glob, sys
	data, reg, srv = sys.argv[1:]
	labels = {}
	for f in glob.glob(data + "/labels/*.csv"):
	    for r in csv.DictReader(open(f, encoding="utf-8")):
	        labels[(r["column"], r["value"])] = r
	missing = set()
	for path, cols in ((reg, ("register", "received_by", "channel", "service", "outcome", "category", "region")),
	                   (srv, ("region", "cooperates_most"))):
	    for r in csv.DictReader(open(path, encoding="utf-8")):
	        for c in cols:
	            for key in ((c, r[c]), (c, "")):
	                l = labels.get(key)
	                if not l or not all(l.get("label_" + x) for x in ("en", "ru", "uz")):
	                    missing.add(key)
	print(sorted(missing))
	PY
	assert_success
	assert_output '[]'
}

@test "civic-bulletin --check: the shipped definition is valid, in en, ru and uz" {
	run civic-bulletin -b "$DEF" --check --lang en,ru,uz
	assert_success
}

@test "civic-bulletin, year 2024 and wave 2024: every figure of every indicator agrees with the oracles" {
	bulletin --year 2024 --wave 2024 -o out
	compare --only "$REGISTRY_IDS,$SURVEY_IDS" out/internal/2024/tallies \
		"$D/py-2024.csv" "$D/rates-2024.csv@1e-10" "$D/r-2024.csv@1e-10"
	assert_equal "$(grep -c ' figures$' <<< "$output")" 15
	# each indicator once in the report, in the definition's order
	run grep -c '^Registration discipline: applications by register book$' out/2024/report.txt
	assert_output 1
}

@test "civic-bulletin, March 2024 after February: the month's figures and the change from February" {
	feb_march
	compare --only "$REGISTRY_IDS" out/internal/2024-03/tallies "$D/py-2024-03.csv" "$D/rates-2024-03.csv@1e-10"
	# the published tables of the compared indicators: counts and changes exact, shares as rounded
	compare --published out/2024-03/tables "$D/compared-2024-03.csv"
	assert_equal "$(grep -c ' figures$' <<< "$output")" 3
	run grep -c 'previous-month 2024-02: compared$' out/internal/2024-03/log
	assert_output 3
	run grep -c 'same-month-last-year 2023-03: not reported$' out/internal/2024-03/log
	assert_output 3
}

# pending_only: the shipped definition with its registry and the pending indicator alone
pending_only() {
	/usr/bin/python3 - "$DEF" > pending.json <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1], encoding="utf-8"))
	d["inputs"] = {"registry": d["inputs"]["registry"]}
	d["indicators"] = [i for i in d["indicators"] if i["id"] == "pending-at-period-end"]
	json.dump(d, sys.stdout, ensure_ascii=False, indent=1)
	PY
}

@test "pending at the period's end: a month and a quarter, earlier periods' open applications and the edge days included" {
	pending_only
	# the generated rows hold the edge days of both periods: received on the
	# last day, resolved on it (not pending), resolved the day after (pending)
	run /usr/bin/python3 - "$D/canon.csv" <<-'PY'
	import csv, sys
	rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
	for end, after in (("2024-03-31", "2024-04-01"), ("2024-06-30", "2024-07-01")):
	    print(sum(r["received_at"] == end for r in rows) > 0,
	          sum(r["resolved_at"] == end and r["received_at"] < end for r in rows) > 0,
	          sum(r["resolved_at"] == after and r["received_at"] <= end for r in rows) > 0,
	          sum(r["received_at"][:7] < end[:7] and r["resolved_at"] > end for r in rows) > 0)
	PY
	assert_output $'True True True True\nTrue True True True'
	civic-bulletin -b pending.json --period 2024-03 -o out registry="$D/registry.csv"
	civic-bulletin -b pending.json --quarter 2024-Q2 -o out registry="$D/registry.csv"
	compare --only pending-at-period-end out/internal/2024-03/tallies "$D/py-2024-03.csv"
	compare --only pending-at-period-end out/internal/2024-Q2/tallies "$D/py-2024-Q2.csv"
	# the annex states the base and the conditions with the period's last day
	tr '\n' ' ' < out/2024-Q2/report.txt > annex.txt
	grep -q "on or before 2024-06-30, the period's last day" annex.txt
	grep -q "'resolved_at is empty or resolved_at > 2024-06-30'" annex.txt
	grep -q "share_received_at < 2024-06-15 and received_at >= 2024-05-31" out/internal/2024-Q2/tallies/pending-at-period-end.csv
	# a month's rows alone: only that month's open applications, as the definition says
	/usr/bin/python3 - "$D/registry.csv" > march.csv <<-'PY'
	import csv, sys
	r = csv.reader(open(sys.argv[1], encoding="utf-8", newline=""))
	w = csv.writer(sys.stdout, lineterminator="\n")
	h = next(r)
	w.writerow(h)
	w.writerows(x for x in r if x[h.index("received_at")][:7] == "2024-03")
	PY
	civic-bulletin -b pending.json --period 2024-03 -o alone registry=march.csv
	/usr/bin/python3 - "$D/canon.csv" > alone.csv <<-'PY'
	import csv, sys
	from collections import defaultdict
	from datetime import date
	from fractions import Fraction
	end = date(2024, 3, 31)
	pend = defaultdict(list)
	for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
	    if r["received_at"][:7] == "2024-03" and (not r["resolved_at"] or date.fromisoformat(r["resolved_at"]) > end):
	        pend[r["service"]].append((end - date.fromisoformat(r["received_at"])).days)
	pend["Total"] = [a for s in list(pend) for a in pend[s]]
	w = csv.writer(sys.stdout, lineterminator="\n")
	w.writerow(["indicator", "key", "column", "value"])
	cols = ["share_received_at >= 2024-03-16", "share_received_at < 2024-03-16 and received_at >= 2024-03-01",
	        "share_received_at < 2024-03-01"]
	for s, ages in sorted(pend.items()):
	    w.writerow(["pending-at-period-end", s, "count", len(ages)])
	    for c, keep in zip(cols, (lambda a: a <= 15, lambda a: 15 < a <= 30, lambda a: a > 30)):
	        w.writerow(["pending-at-period-end", s, c, repr(float(Fraction(sum(map(keep, ages)), len(ages))))])
	PY
	compare --only pending-at-period-end alone/internal/2024-03/tallies alone.csv
	# fewer than over the year's file, which holds February's open ones too
	[ "$(grep -c . alone.csv)" -gt 1 ]
	run diff -q alone/internal/2024-03/tallies/pending-at-period-end.csv out/internal/2024-03/tallies/pending-at-period-end.csv
	assert_failure
}

@test "civic-bulletin, wave 2024 after wave 2023: the change since the previous wave and its significance agree with R" {
	feb_march
	run grep -c 'previous-wave 2023: compared$' out/internal/2024-03/log
	assert_output 4
	# the published tables: n exact, the rest as rounded (the change's SE and p-value too), the
	# beyond-noise flags exactly
	compare --published --only "$SURVEY_IDS" out/2024-03/tables "$D/r-2024-change.csv"
	assert_equal "$(grep -c ' figures$' <<< "$output")" 4
	# trust in the prevention inspector rose beyond noise in every region, as generated
	run grep -c 'beyond-noise:share_trust_inspector>=4_change' out/2024-03/tables/trust-inspector.csv
	assert_output 7
}

@test "the definition as the civic-tally commands it stands for agrees with the oracles, pending included" {
	/usr/bin/python3 "$AS_TALLY" "$DEF" --year 2024 tables registry="$D/registry.csv" population="$POP"
	/usr/bin/python3 "$AS_TALLY" "$DEF" --wave 2024 tables survey="$D/survey.csv"
	compare tables "$D/py-2024.csv" "$D/rates-2024.csv@1e-10" "$D/r-2024.csv@1e-10"
	assert_equal "$(grep -c ' figures$' <<< "$output")" 15
	# pending at the end of March: its rows and ages change with the period
	# (here and below the commands above over other dates: bare under valgrind)
	as_tally_reference "$DEF" --period 2024-03 march registry="$D/registry.csv" population="$POP"
	grep -q '2024-03-16' march/pending-at-period-end.csv
	compare --only pending-at-period-end march "$D/py-2024-03.csv"
	as_tally_reference "$DEF" --wave 2023 tables1 survey="$D/survey.csv"
	compare --only "$SURVEY_IDS" tables1 "$D/r-2023.csv@1e-10"
}

@test "the comparison fails on a changed figure, a missing row, and a column no oracle checks" {
	cp "$D/py-2024.csv" py.csv
	as_tally_reference "$DEF" --year 2024 tables registry="$D/registry.csv" population="$POP"
	for t in t1 t2 t3 t4; do cp -r tables "$t"; done
	# one application moved from one book to another
	awk -F, -v OFS=, 'NR == 2 { $2 = $2 + 1 } { print }' tables/register-book.csv > t1/register-book.csv
	run /usr/bin/python3 "$COMPARE" --only register-book t1 py.csv
	assert_failure
	assert_output --partial 'count: civic'
	# a share off by 1e-9
	python3 -c 'import csv,sys; t=list(csv.reader(open(sys.argv[1]))); t[1][2]=repr(float(t[1][2])+1e-9); csv.writer(open(sys.argv[2],"w"),lineterminator="\n").writerows(t)' \
		tables/receiving-unit.csv t2/receiving-unit.csv
	run /usr/bin/python3 "$COMPARE" --only receiving-unit t2 py.csv
	assert_failure
	# a row left out
	head -n -1 tables/subjects.csv > t3/subjects.csv
	run /usr/bin/python3 "$COMPARE" --only subjects t3 py.csv
	assert_failure
	assert_output --partial 'rows only the oracle has'
	# an interval nobody computed
	reference civic-tally -g region -s n --per 10000 --population "$POP" --ci default --where 'year(received_at) = 2024' \
		--sort -rate_per_10000 "$D/registry.csv" > t4/load-per-population.csv
	run /usr/bin/python3 "$COMPARE" --only load-per-population t4 py.csv
	assert_failure
	assert_output --partial "rate_per_10000_low"
}

@test "gen-survey --wave: the same design, fresh answers, a wave column; --change moves trust up" {
	gen-survey -n 3000 --seed 1 > plain.csv
	gen-survey -n 3000 --seed 1 --wave A > a.csv
	gen-survey -n 3000 --seed 1 --wave A > a2.csv
	gen-survey -n 3000 --seed 1 --wave A --change 0.5 > up.csv
	cmp a.csv a2.csv
	run /usr/bin/python3 - <<-'PY'
	import csv
	design = ["respondent_id", "region", "stratum", "psu", "psu_in_stratum", "weight"]
	p = list(csv.DictReader(open("plain.csv")))
	a = list(csv.DictReader(open("a.csv")))
	u = list(csv.DictReader(open("up.csv")))
	assert len(p) == len(a) == len(u) == 3000
	assert all(r["wave"] == "A" for r in a) and "wave" not in p[0]
	assert [[r[c] for c in design] for r in p] == [[r[c] for c in design] for r in a]
	# answers drawn again: not the same respondents' answers
	assert sum(x["trust_police"] != y["trust_police"] for x, y in zip(p, a)) > 300
	# --change 0.5: no answer moves down, about half of those below 5 move up one
	moved = below = 0
	for x, y in zip(a, u):
	    if x["trust_inspector"] in "1234" and x["trust_inspector"]:
	        below += 1
	        d = int(y["trust_inspector"]) - int(x["trust_inspector"])
	        assert d in (0, 1), d
	        moved += d
	    else:
	        assert x["trust_inspector"] == y["trust_inspector"]
	assert 0.4 < moved / below < 0.6, moved / below
	print("ok")
	PY
	assert_success
	assert_output ok
	run gen-survey --change 0.1
	assert_failure 2
	run gen-survey --wave 'a,b'
	assert_failure 2
}

# The README's "Adding an indicator" example: its definition, and its commands.
readme_example() {
	/usr/bin/python3 - "$CIVIC_ROOT/README.md" <<-'PY'
	import re, sys
	text = open(sys.argv[1], encoding="utf-8").read()
	sec = text[text.index("\n### Adding an indicator\n"):]
	sec = sec[:sec.index("\n## ", 3)]
	m = re.search(r"<!-- example: adding-an-indicator -->\n```json\n(.*?)```", sec, re.S)
	open("my-bulletin.json", "w", encoding="utf-8").write(m.group(1))
	cmds = re.search(r"```sh\n(civic-bulletin .*?)```", sec, re.S).group(1)
	open("commands.sh", "w", encoding="utf-8").write(cmds)
	PY
}

@test "README, Adding an indicator: the example definition's indicators agree with the generator's rows" {
	readme_example
	/usr/bin/python3 "$AS_TALLY" my-bulletin.json --period 2024-03 tables registry="$D/registry.csv"
	/usr/bin/python3 - "$D/canon.csv" > want.csv <<-'PY'
	import csv, sys
	from collections import Counter
	from fractions import Fraction
	rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")) if r["received_at"][:7] == "2024-03"]
	w = csv.writer(sys.stdout, lineterminator="\n")
	w.writerow(["indicator", "key", "column", "value"])
	books = Counter(r["register"] for r in rows)
	for k in sorted(books):
	    w.writerow(["register-book", k, "count", books[k]])
	    w.writerow(["register-book", k, "share", "%.17g" % float(Fraction(books[k], len(rows)))])
	types = Counter((r["received_by"], r["applicant_type"]) for r in rows)
	unit = Counter(r["received_by"] for r in rows)
	for k in sorted(types):
	    w.writerow(["applicant-type", "|".join(k), "count", types[k]])
	    w.writerow(["applicant-type", "|".join(k), "share", "%.17g" % float(Fraction(types[k], unit[k[0]]))])
	PY
	compare tables want.csv
	assert_equal "$(grep -c ' figures$' <<< "$output")" 2
}

@test "README, Adding an indicator: civic-bulletin checks and runs the example" {
	readme_example
	cp "$D/registry.csv" registry.csv
	run bash -e -o pipefail commands.sh
	assert_success
	as_tally_reference my-bulletin.json --period 2024-03 tables registry=registry.csv
	cmp reports/internal/2024-03/tallies/applicant-type.csv tables/applicant-type.csv
	cmp reports/internal/2024-03/tallies/register-book.csv tables/register-book.csv
}
