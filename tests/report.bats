#!/usr/bin/env bats
# civic-report: formats, intervals, decimals, reliability flags, disclosure
# control, period comparison, safety (formulas, HTML), provenance, -o.
#
# Under valgrind every test runs but two, with every format's writer, option
# and error path: the CSV and JSON a workbook is checked against are made
# bare (reference), and the two tests of scripts/demo are skipped, since
# the demo runs bin/ directly, never under valgrind.

load helper
load bulletin-compare

setup() {
	setup_scratch
	cp "$FIXTURES"/report/*.csv "$FIXTURES"/report/*.ndjson .
	export SOURCE_DATE_EPOCH=1709251200
}

# The display width of every line of a table, as a terminal shows it.
widths() {
	python3 -c '
import sys, unicodedata
for line in sys.stdin:
    line = line.rstrip("\n")
    print(sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in line))'
}

@test "--help prints the usage and exits 0; a bad option exits 2" {
	run civic-report --help
	assert_success
	assert_line --index 0 'usage: civic-report [-f format] [-o file] [-t title] [-k n] [--note text]'
	run --separate-stderr civic-report --bogus registers.csv
	assert_failure 2
	[[ "$stderr" == *"Try 'civic-report --help' for more information."* ]]
}

@test "usage errors exit 2 and say what is wrong" {
	run --separate-stderr civic-report -f pdf registers.csv
	assert_failure 2
	[[ "$stderr" == *"civic-report: unknown format 'pdf' (text, md, html, csv, json, xlsx)"* ]]
	run --separate-stderr civic-report --ci-style brackets registers.csv
	assert_failure 2
	[[ "$stderr" == *"unknown --ci-style 'brackets'"* ]]
	run --separate-stderr civic-report -f csv registers.csv survey.csv
	assert_failure 2
	[[ "$stderr" == *"csv holds one table: give one input, or use -f json"* ]]
	run --separate-stderr civic-report --label nolabel registers.csv
	assert_failure 2
	run --separate-stderr civic-report --digits x=y registers.csv
	assert_failure 2
}

@test "--label that renames nothing is a warning naming it, with a did-you-mean" {
	run --separate-stderr civic-report --label regoin=Region --label North=Nord \
		--label 'share_trust>=4=Trust' survey.csv
	assert_success
	assert_equal "$stderr" "civic-report: --label 'regoin=Region': no column or key value 'regoin' (did you mean 'region'?)
civic-report: --label 'share_trust>=4=Trust': no column or key value 'share_trust>=4'"
	assert_line --regexp '^Nord '
	# What a statistic is of, a key value in any section, and a name holding '=' all count.
	printf 'service,count,"share_days(received_at,resolved_at)<=15"\nduty_unit,10,0.5\n' > services.csv
	run --separate-stderr civic-report --label trust='Trust in the police' --label form1='Form 1' \
		--label 'share_days(received_at,resolved_at)<=15=Within 15 days' survey.csv registers.csv services.csv
	assert_success
	assert_equal "$stderr" ''
	assert_line --partial 'Mean Trust in the police'
	assert_line --regexp '^Form 1 '
}

@test "-o with an extension that names no format is a usage error unless -f says it" {
	run --separate-stderr civic-report -o out.pdf registers.csv
	assert_failure 2
	assert_equal "$(printf '%s\n' "$stderr" | head -1)" \
		"civic-report: cannot tell the format of 'out.pdf' from its extension (.txt, .md, .html, .csv, .json, .xlsx): give -f"
	[ ! -e out.pdf ]
	run --separate-stderr civic-report -o report registers.csv
	assert_failure 2
	[ ! -e report ]
	run civic-report -f md -o out.pdf registers.csv
	assert_success
	run head -1 out.pdf
	assert_output '# civic report'
	civic-report -o out.txt registers.csv
	run head -1 out.txt
	assert_output 'civic report'
}

@test "text: an aligned table, estimates with their intervals, and a bar chart" {
	run civic-report -t 'Applications by register' registers.csv
	assert_success
	assert_line --index 0 'Applications by register'
	assert_line --index 1 '========================'
	assert_line 'Count and share by register book'
	assert_line 'Register book       Count              Share'
	assert_line '-----------------  ------  -----------------'
	assert_line 'Alphabetical book  11,580  38.6% (38.0–39.1)'
	assert_line 'Form 1              5,340  17.8% (17.4–18.2)'
	assert_line 'Form 2 journal     13,080  43.6% (43.0–44.2)'
	assert_line '  Form 2 journal     ████████████████████████████████ 43.6%'
	assert_line 'In parentheses: the confidence interval.'
}

@test "text: Cyrillic and Latin keys line up (display width, not bytes)" {
	run civic-report cyrillic.csv
	assert_success
	assert_line 'Уголовный розыск         1,204  30.1%'
	assert_line 'ГУБДД                      894  22.4%'
	table=$(printf '%s\n' "$output" | sed -n '/^Service/,/^$/p' | sed '/^$/d')
	assert_equal "$(printf '%s\n' "$table" | widths | sort -u)" 37
}

@test "text: a monthly series gets one sparkline per line of the chart" {
	run civic-report monthly.csv
	assert_success
	assert_line 'Share, %, January 2024 – December 2024:'
	assert_line --regexp '^  Form 1             [▁▂▃▄▅▆▇█]{12}  16\.7% → 17\.0%  \(range 15\.6%–19\.4%\)$'
}

@test "--ci-style pm, columns and none" {
	run civic-report --ci-style pm registers.csv
	assert_line 'Form 1              5,340  17.8% ± 0.4'
	assert_line 'After ±: half the width of the confidence interval.'
	run civic-report --ci-style columns registers.csv
	assert_line 'Register book       Count  Share  Share, low  Share, high  Share, SE'
	assert_line 'Form 1              5,340  17.8%        17.4         18.2       0.22'
	run civic-report --ci-style none registers.csv
	assert_line 'Form 1              5,340  17.8%'
	refute_output --partial 'In parentheses'
}

@test "--digits for every column or for one" {
	run civic-report --digits 2 --ci-style none registers.csv
	assert_line 'Form 1              5,340.00  17.80%'
	run civic-report --digits share=0 --ci-style none registers.csv
	assert_line 'Form 1              5,340    18%'
	run civic-report --digits 1 --digits mean_trust=3 --ci-style none survey.csv
	assert_line 'North   412.0  55.1%       3.420'
}

@test "--label renames columns and key values; --heading names a section" {
	run civic-report --label register='Book' --label form1='First form' \
		--heading 'Applications by register book' --ci-style none registers.csv
	assert_success
	assert_line 'Applications by register book'
	assert_line 'Book                Count  Share'
	assert_line 'First form          5,340  17.8%'
}

@test "reliability: small effective n or a large CV is marked and footnoted" {
	run civic-report survey.csv
	assert_success
	assert_line 'East     12  25.0% ( 7.0–59.3)†  3.10 (2.42–3.78)†'
	assert_line 'North   412  55.1% (49.5–60.6)   3.42 (3.30–3.54)'
	assert_line 'West    350   5.0% ( 2.2–10.9)†  3.61 (3.51–3.71)'
	assert_line '†  unreliable: effective sample size below 30 or coefficient of variation above 30%; use with caution'
	run civic-report --min-n 10 --max-cv 60 survey.csv
	refute_output --partial '†'
	run civic-report --max-cv 45% survey.csv
	assert_line 'West    350   5.0% ( 2.2–10.9)   3.61 (3.51–3.71)'
}

@test "a registry count (no standard error, no n) is never flagged" {
	run civic-report --min-n 100000 cyrillic.csv
	refute_output --partial '†'
}

@test "a key 'Total' is a margin only where its count adds up; else an ordinary row" {
	printf 'district,count\nNorth,4\nTotal,3\nSouth,5\n' > category.csv
	run civic-report --chart bar -f html category.csv
	refute_output --partial '<tr class="total">'
	run civic-report category.csv
	assert_line --regexp '^  Total  █.* 3$'
	printf 'district,count\nNorth,4\nSouth,5\nTotal,9\n' > margin.csv
	run civic-report -f html margin.csv
	assert_output --partial '<tr class="total">'
	run civic-report margin.csv
	refute_line --regexp '^  Total  █'
	# Two keys: each margin covers the rows that agree on the other key.
	printf 'region,book,count\nA,f1,1\nA,f2,2\nA,Total,3\nB,f1,4\nB,f2,5\nB,Total,8\nTotal,Total,12\n' > two.csv
	run civic-report -f html two.csv
	assert_equal "$(grep -c '<tr class="total">' <<< "$output")" 2
}

@test "--suppress hides small counts as <K and the cells that would reveal them" {
	run civic-report --suppress 5 suppress.csv
	assert_success
	assert_line 'Andijan  Form 1                <5       x'
	assert_line 'Andijan  Alphabetical book      x       x'
	assert_line 'Bukhara  Form 1                 x       x'
	assert_line 'Bukhara  Alphabetical book      x       x'
	assert_line 'Andijan  Total                 95  100.0%'
	assert_line '<5  fewer than 5 cases: hidden to protect the people counted (1 row)'
	assert_line 'x  hidden as well, so that no row below 5 can be worked out from totals (3 rows)'
	refute_output --regexp '  3( |$)| 3\.2%'
}

@test "--suppress: no hidden cell can be worked out from a row or column total" {
	# Naive primary suppression leaks here: Andijan/form1 = 95 - 40 - 52.
	run civic-report --suppress 5 -f json --codes suppress.csv
	assert_success
	printf '%s\n' "$output" > report.json
	run python3 - report.json <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["sections"][0]["rows"]
hidden = {(r["region"], r["register"]) for r in rows if r["count"] is None}
assert ("Andijan", "form1") in hidden, hidden
for key, other in ((0, 1), (1, 0)):
    lines = {}
    for r in rows:
        k = (r["region"], r["register"])
        lines.setdefault(k[other], []).append(k in hidden)
    for name, cells in lines.items():
        assert sum(cells) != 1, f"line {name}: one hidden cell, derivable from the total"
print(len(hidden))
PY
	assert_success
	assert_output 4
}

@test "--suppress on a one-key table hides a second row, so the total cannot give it away" {
	printf 'channel,count\nin_person,40\nmahalla,2\nphone_102,25\nwritten,9\n' > one.csv
	run civic-report --suppress 5 one.csv
	assert_line 'Through the mahalla     <5'
	assert_line 'In writing               x'
	assert_line 'Phone 102               25'
}

@test "--suppress on a table with no count or n column fails" {
	run --separate-stderr civic-report --suppress 5 -k 1 --chart none survey-means.csv
	assert_failure 1
	[[ "$stderr" == *"survey-means.csv: cannot apply --suppress: the table has no n or count column"* ]]
	[ -z "$output" ]
}

@test "--compare adds changes and flags count changes beyond Poisson noise" {
	run civic-report --compare registers-prev.csv registers.csv
	assert_success
	assert_line --partial 'Alphabetical book  11,580  38.6% (38.0–39.1)           11,490          +90             +0.8%                 0.5535            39.5%             -0.9▼                  0.40                 0.0206'
	assert_line --partial 'Form 1              5,340  17.8% (17.4–18.2)            5,050         +290▲            +5.7%                 0.0044            17.4%             +0.4                   0.31                 0.1698'
	assert_line '▲▼  change larger than chance variation would explain (beyond 1.96 standard errors; Poisson variation for counts)'
	assert_line --partial '(the change over its SE; for counts without one, over the Poisson standard error √(count + previous count))'
	run civic-report -f csv --compare registers-prev.csv registers.csv
	assert_line --index 0 'register,count,share,share_se,share_low,share_high,count_prev,count_change,count_change_pct,count_change_p,share_prev,share_change,share_change_se,share_change_p,flags'
	assert_line --index 2 'Form 1,5340,0.178,0.0022,0.174,0.182,5050,290,5.7,0.0044,0.174,0.004,0.0031,0.1698,beyond-noise:count_change'
	run civic-report -f csv --codes --compare registers-prev.csv registers.csv
	assert_line --index 2 'form1,5340,0.178,0.0022,0.174,0.182,5050,290,5.7,0.0044,0.174,0.004,0.0031,0.1698,beyond-noise:count_change'
}

@test "--compare matches on the keys that are not periods" {
	printf 'month(received_at),register,count\n2024-03,form1,120\n2024-03,form2,300\n' > mar.csv
	printf 'month(received_at),register,count\n2024-02,form1,100\n2024-02,form2,302\n' > feb.csv
	run civic-report --chart none --compare feb.csv mar.csv
	assert_success
	assert_line 'March 2024  Form 1            120              100           +20           +20.0%                 0.1775'
	run --separate-stderr civic-report --compare monthly.csv monthly.csv
	assert_failure 1
	[[ "$stderr" == *"cannot compare: the key 'alphabetical' repeats (does the table hold several periods?)"* ]]
}

@test "csv: formulas are neutralised, negative numbers are not, flags say why" {
	run civic-report -f csv inject.csv
	assert_success
	assert_line --index 0 'subject,count,share,flags'
	assert_line --index 1 "\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"click\"\")\",5,0.100,"
	assert_line --index 2 "'+cmd,3,0.060,"
	assert_line --index 3 "'-2+3,4,0.080,"
	assert_line --index 4 "'@SUM(A1:A2),6,0.120,"
	assert_line --index 5 "'	tab first,7,0.140,"
	assert_line --index 7 'Кража телефона,15,0.300,'
	assert_line --index 8 '-7,0,0.000,'
}

@test "csv: a carriage return at the start of a cell is neutralised too" {
	printf 'subject,count\n"\rcr",4\n' > cr.csv
	run civic-report -f csv cr.csv
	assert_success
	[ "$(printf '%s' "$output" | sed -n 2p | od -An -c | tr -s ' ')" = " \" ' \\r c r \" , 4 , \\n" ] ||
		[[ "$output" == *"\"'"$'\r'"cr\",4,"* ]]
}

@test "text: column headings, headings, titles and chart labels are neutralised like cells" {
	printf '=cmd(),@SUM(A1),count\nx,y,5\n' > head.csv
	run civic-report -k 2 -t '+title' --label count='-Count' head.csv
	assert_success
	assert_line --index 0 "'+title"
	assert_line "'=cmd()  '@SUM(A1)  '-Count"
	assert_line "'-Count by =cmd() and @SUM(A1)"
	assert_line "'-Count:"
	refute_line --regexp '^(=[^=]|[+@]|-[^-])'
	run civic-report -f md -k 2 head.csv
	assert_line "| '=cmd() | '@SUM(A1) | Count |"
}

@test "md: a GitHub table, with formulas neutralised and HTML shown as text" {
	run civic-report -f md inject.csv
	assert_success
	assert_line '| Subject | Count | Share |'
	assert_line '|:---|---:|---:|'
	assert_line "| '=HYPERLINK(\"http://example.invalid\",\"click\") | 5 | 10.0% |"
	assert_line "| '@SUM(A1:A2) | 6 | 12.0% |"
	assert_line '| &lt;script&gt;alert(1)&lt;/script&gt; | 10 | 20.0% |'
	refute_output --partial '<script>'
}

@test "html: one self-contained page, no script, no fetch, everything escaped" {
	run civic-report -f html -t 'Subjects <b>raw</b>' inject.csv
	assert_success
	assert_line --index 0 '<!DOCTYPE html>'
	assert_output --partial "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
	assert_output --partial '<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>'
	assert_output --partial '<title>Subjects &lt;b&gt;raw&lt;/b&gt;</title>'
	refute_output --partial '<script'
	refute_output --partial '<b>raw'
	refute_output --regexp '(src|href)='
	# The only URL is the SVG namespace, which is never fetched.
	assert_equal "$(printf '%s\n' "$output" | grep -o 'https\?://[^"&<]*' | sort -u)" "http://example.invalid
http://www.w3.org/2000/svg"
}

@test "html: a bar chart with error bars for shares by category" {
	run civic-report -f html registers.csv
	assert_success
	assert_output --regexp '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="640" height="[0-9]+"'
	assert_equal "$(printf '%s\n' "$output" | grep -c '<rect class="bar"')" 3
	assert_equal "$(printf '%s\n' "$output" | grep -c '<path class="ci"')" 3
	assert_output --partial '>Share, %</text>'
	assert_output --partial 'Error bars show the confidence interval.'
}

@test "html: a line chart for a monthly series, one line per register" {
	run civic-report -f html monthly.csv
	assert_success
	assert_equal "$(printf '%s\n' "$output" | grep -c '<path class="line" stroke="#[0-9a-f]*" d="M')" 6
	assert_output --partial '>Month</text>'
	run civic-report -f html --chart none monthly.csv
	refute_output --partial '<svg'
	run civic-report -f html --chart bar --chart-value count registers.csv
	assert_output --partial '>Count</text>'
}

@test "json: the published tables, hidden cells null, with flags and provenance" {
	run civic-report -f json --suppress 5 suppress.csv survey.csv
	assert_success
	printf '%s\n' "$output" > out.json
	run python3 -c '
import json
d = json.load(open("out.json"))
s0, s1 = d["sections"]
print(s0["rows"][1]["count"], s0["rows"][1]["flags"], s0["rows"][2]["share"])
print(s1["rows"][0]["flags"], s1["columns"][3]["role"])
print(d["provenance"]["generated"], [f["role"] for f in d["provenance"]["files"]])'
	assert_success
	assert_line --index 0 "None ['suppressed'] 0.547"
	assert_line --index 1 "['unreliable:share', 'unreliable:mean_trust'] se"
	assert_line --index 2 "2024-03-01T00:00:00Z ['input', 'input']"
}

@test "NDJSON input gives the same report as CSV" {
	civic-report --chart none registers.csv | sed '/^Command:/,$d' > from-csv.txt
	civic-report --chart none registers.ndjson | sed '/^Command:/,$d' > from-json.txt
	run diff from-csv.txt from-json.txt
	assert_success
}

@test "the provenance footer: version, command line, SHA-256 of each input, declared versions" {
	printf '{"version": "2024.2", "fields": []}\n' > schema.json
	printf '# subjects\n# version: 7\nset category subject\n' > subjects.rules
	run civic-report --source schema.json --source subjects.rules --compare registers-prev.csv registers.csv
	assert_success
	assert_line 'Made by civic-report 0.1.0 at 2024-03-01T00:00:00Z'
	assert_line 'Command: civic-report --source schema.json --source subjects.rules --compare registers-prev.csv registers.csv'
	assert_line "source   schema.json (version 2024.2)  sha256:$(sha256sum schema.json | cut -d' ' -f1)"
	assert_line "source   subjects.rules (version 7)  sha256:$(sha256sum subjects.rules | cut -d' ' -f1)"
	assert_line "input    registers.csv  sha256:$(sha256sum registers.csv | cut -d' ' -f1)"
	assert_line "previous registers-prev.csv  sha256:$(sha256sum registers-prev.csv | cut -d' ' -f1)"
}

@test "standard input is hashed like a file, and a command line is quoted for the shell" {
	run civic-report -t "it's" - < registers.csv
	assert_success
	assert_line "Command: civic-report -t 'it'\\''s' -"
	assert_line "input    (standard input)  sha256:$(sha256sum registers.csv | cut -d' ' -f1)"
}

@test "SOURCE_DATE_EPOCH makes reports reproducible byte for byte" {
	civic-report -f html -o a.html --suppress 5 suppress.csv
	sleep 1
	civic-report -f html -o a2.html --suppress 5 suppress.csv
	mv a2.html b.html
	sed -i 's/a2\.html/a.html/' b.html
	run cmp a.html b.html
	assert_success
	run --separate-stderr env SOURCE_DATE_EPOCH=yesterday civic-report registers.csv
	assert_failure 2
	[[ "$stderr" == *"invalid SOURCE_DATE_EPOCH 'yesterday': not a number of seconds"* ]]
}

@test "-o writes atomically: a failed run leaves the old file and no temporary" {
	civic-report -o report.html registers.csv
	run head -c 15 report.html
	assert_output '<!DOCTYPE html>'
	cp report.html before.html
	printf 'register,count\nform1,1,2\n' > ragged.csv
	run --separate-stderr civic-report -o report.html ragged.csv
	assert_failure 1
	[[ "$stderr" == *"civic-report: ragged.csv:2: expected 2 fields, found 3"* ]]
	run cmp report.html before.html
	assert_success
	run ls
	refute_output --partial 'tmp'
}

@test "-o picks the format from the extension; -f overrides it" {
	civic-report -o r.md registers.csv
	run head -1 r.md
	assert_output '# civic report'
	civic-report -f text -o r.html registers.csv
	run head -1 r.html
	assert_output 'civic report'
}

@test "several inputs become sections; a missing one fails the run with no output" {
	run civic-report --chart none registers.csv survey.csv
	assert_success
	assert_line 'Count and share by register book'
	assert_line 'Share and mean trust by region'
	run --separate-stderr civic-report registers.csv missing.csv
	assert_failure 1
	[[ "$stderr" == *"civic-report: missing.csv: No such file or directory"* ]]
	[ -z "$output" ]
}

@test "a write error is reported and exits 1" {
	run --separate-stderr sh -c 'civic-report registers.csv > /dev/full'
	assert_failure 1
	[[ "$stderr" == *"civic-report: write error: No space left on device"* ]]
}

@test "| head ends quietly" {
	run --separate-stderr sh -c 'civic-report monthly.csv | head -1'
	assert_success
	assert_output 'civic report'
	[ -z "$stderr" ]
}

@test "an empty table still makes a report" {
	printf 'register,count,share\n' > empty.csv
	run civic-report empty.csv
	assert_success
	assert_line '(no rows)'
}

# Headless Chromium with nothing of its own running: no network services,
# no first-run, a fresh profile, console messages on stderr.
chromium_run() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$(mktemp -d "$BATS_TEST_TMPDIR/profile.XXXXXX")" \
		--enable-logging=stderr --v=0 --hide-scrollbars "$@"
}

@test "make demo: the whole pipeline on sample data prints the report, writes HTML in three languages, each month compared with the same month last year" {
	! valgrind_light || skip "under valgrind: scripts/demo runs bin/ directly; its commands run under valgrind in tests/bulletin*.bats, ingest.bats, classify.bats"
	run --separate-stderr "$CIVIC_ROOT/scripts/demo" "$SCRATCH/demo"
	assert_success
	assert_line --index 0 'Police and citizens: cooperation and trust, 2024'
	assert_line 'Registration discipline: applications by register book'
	assert_line 'Trust in the police by region'
	assert_line 'Load per population: applications per 10,000 residents by region'
	assert_line --regexp '^Tashkent city +[0-9,]+ +[0-9.]+ \( *[0-9.]+–[0-9.]+\)$'
	# The published register shares, reproduced from microdata within sampling noise.
	for book in 'Form 1 *[0-9,]* *1[78]\.' 'Form 2 journal *[0-9,]* *4[34]\.' 'Alphabetical book *[0-9,]* *3[89]\.'; do
		assert_line --regexp "^$book"
	done
	[[ "$stderr" =~ \ ([0-9]+)\ rows\ rejected\;\ the\ generator\ broke\ ([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] && [ "${BASH_REMATCH[1]}" -gt 0 ]
	# the bulletin month by month, each month compared with the one before
	for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
		[ -f "$SCRATCH/demo/bulletins/2024-$m/report.en.html" ]
	done
	run grep -c 'previous-month 2024-11: compared$' "$SCRATCH/demo/bulletins/internal/2024-12/log"
	assert_output 3
	# and with the same month of 2023, which the demo makes too: every month of 2024
	for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
		run grep -c "same-month-last-year 2023-$m: compared\$" "$SCRATCH/demo/bulletins/internal/2024-$m/log"
		assert_output 3
	done
	grep -q '^Registration discipline: applications by register book — compared with 2023-07$' \
		"$SCRATCH/demo/bulletins/2024-07/report.en.txt"
	# July's figures against July 2023 as Python computes them from the rows the
	# generator made (the demo's seeds and sizes; the oracle checks them against
	# the demo's truth files)
	for y in 2023 2024; do
		gen-registry -n 30000 --seed $y --year $y --dirty --canonical --category > canon-$y.csv
	done
	{ cat canon-2023.csv; tail -n +2 canon-2024.csv; } > canon.csv
	/usr/bin/python3 "$CIVIC_ROOT/tests/bulletin-oracle.py" canon.csv \
		"$SCRATCH/demo/truth-2023.json,$SCRATCH/demo/truth.json" "$CIVIC_DATADIR/sample/population.csv" \
		'all other subjects' 2024-07 2023-07 > year-ago.csv
	compare --suffix .same-month-last-year --only register-book,receiving-unit,subjects \
		"$SCRATCH/demo/bulletins/internal/2024-07/compared" year-ago.csv
	assert_equal "$(grep -c ' figures$' <<< "$output")" 3
	# the year 2024 against the 2023 wave, each change with its SE and p-value
	run grep -c 'previous-wave 2023: compared$' "$SCRATCH/demo/bulletins/internal/2024/log"
	assert_output 4
	grep -q 'Trust the police change, p-value' "$SCRATCH/demo/bulletins/2024/report.en.txt"
	for lang in en ru uz; do
		run head -2 "$SCRATCH/demo/report.$lang.html"
		assert_line --index 1 "<html lang=\"$lang\">"
	done
	# The workbook, read back by another library: one sheet per indicator and the notes.
	run /usr/bin/python3 -c 'import openpyxl, sys; print(len(openpyxl.load_workbook(sys.argv[1]).sheetnames))' \
		"$SCRATCH/demo/report.xlsx"
	assert_output $(($(jq '.indicators | length' "$CIVIC_DATADIR/bulletins/cooperation-trust.json") + 1))
	run grep -c 'Форма № 1' "$SCRATCH/demo/report.ru.html"
	assert_output --regexp '^[1-9]'
	run grep -c 'Toshkent\|1-shakl' "$SCRATCH/demo/report.uz.html"
	assert_output --regexp '^[1-9]'
}

@test "the demo reports render in headless Chromium in each language: no console message, charts drawn, screenshots kept" {
	command -v chromium > /dev/null || skip "chromium is not installed (scripts/install-deps installs it)"
	! valgrind_light || skip "under valgrind: scripts/demo runs bin/ directly, and the pages are checked in the plain run"
	# A font with Cyrillic glyphs, or the Russian page shows empty boxes.
	run fc-list :lang=ru family
	assert_output --regexp '.'
	"$CIVIC_ROOT/scripts/demo" "$SCRATCH/demo" > /dev/null 2>&1
	mkdir -p "$CIVIC_ROOT/tests/tmp"
	charts=$(/usr/bin/python3 -c 'import json, sys; print(sum(i.get("chart", "auto") != "none" for i in json.load(open(sys.argv[1]))["indicators"]))' \
		"$CIVIC_DATADIR/bulletins/cooperation-trust.json")
	[ "$charts" -ge 10 ]
	for lang in en ru uz; do
		page="file://$SCRATCH/demo/report.$lang.html"
		chromium_run --dump-dom "$page" > dom.html 2> console.log
		run grep ':CONSOLE' console.log
		assert_failure                      # not one console message: no blocked fetch, no script
		# a chart for each indicator of the shipped bulletin that asks for one
		assert_equal "$(grep -o '<svg[^>]*class="chart"' dom.html | wc -l)" "$charts"
		run grep -o '<svg[^>]*class="chart"[^>]*' dom.html
		refute_output --regexp 'width="0|height="0'
		case $lang in
		ru) grep -q 'обращения по книгам учёта' dom.html
		    grep -q '<h2>Происхождение данных</h2>' dom.html ;;
		uz) grep -q 'hisob kitoblari boʻyicha' dom.html ;;
		esac
		shot="$CIVIC_ROOT/tests/tmp/report-demo.$lang.png"
		rm -f "$shot"
		chromium_run --window-size=800,900 --screenshot="$shot" "$page" 2> console.log
		run grep ':CONSOLE' console.log
		assert_failure
		# The first chart's bars are drawn: thousands of pixels of their colour.
		run python3 "$FIXTURES/report/png_pixels.py" "$shot" 3b6ea5
		assert_success
		[ "$output" -gt 5000 ]
	done
}

@test "a cross-tab from --pivot: keys found from the values, no chart unless asked" {
	run civic-report pivot.csv
	assert_success
	assert_line 'Region   Alphabetical book  Form 1  Form 2 journal  Total'
	assert_line 'Total                1,428     651           1,617  3,696'
	refute_output --partial '█'
	run civic-report --chart-value form1 pivot.csv
	assert_line --regexp '^  Andijan  █+ 416$'
	run --separate-stderr civic-report --suppress 1000 pivot.csv
	assert_success
	assert_line 'Region   Alphabetical book  Form 1  Form 2 journal  Total'
	assert_line 'Andijan              <1000   <1000               x  2,328'
}

# The LP attack on a published report (tests/disclosure-attack.py, glpsol).
attack() {
	/usr/bin/python3 "$BATS_TEST_DIRNAME/disclosure-attack.py" "$@"
}

# The 4x4 table in which hiding two cells per line left r2,c3 = 3 solvable:
# (23-20) + (16-10) - (23-20) - (23-20).
four_by_four() {
	printf 'region,channel,count\n'
	printf 'r1,c1,1\nr1,c2,2\nr1,c3,10\nr1,c4,10\nr1,Total,23\n'
	printf 'r2,c1,2\nr2,c2,1\nr2,c3,3\nr2,c4,10\nr2,Total,16\n'
	printf 'r3,c1,10\nr3,c2,10\nr3,c3,1\nr3,c4,2\nr3,Total,23\n'
	printf 'r4,c1,10\nr4,c2,10\nr4,c3,2\nr4,c4,1\nr4,Total,23\n'
	printf 'Total,c1,23\nTotal,c2,23\nTotal,c3,16\nTotal,c4,23\nTotal,Total,85\n'
}

@test "--suppress: the LP audit hides more until no count below K can be solved from the margins" {
	four_by_four > t44.csv
	run civic-report -f json --suppress 5 t44.csv
	assert_success
	printf '%s\n' "$output" > t44.json
	run attack --published t44.json --k 5
	assert_success
	run civic-report --suppress 5 t44.csv
	assert_line --partial 'Audited by linear programming (GLPK) over everything this report publishes (1 table,'
	assert_line --regexp '^x  hidden as well, so that no row below 5 can be worked out from totals \([0-9]+ rows?\)$'
	# The attack itself finds the leak in what the line rule alone published.
	python3 - t44.json <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
truth = {("r1","c1"):1,("r1","c2"):2,("r1","c3"):10,("r1","c4"):10,("r2","c1"):2,("r2","c2"):1,("r2","c3"):3,
         ("r2","c4"):10,("r3","c1"):10,("r3","c2"):10,("r3","c3"):1,("r3","c4"):2,("r4","c1"):10,("r4","c2"):10,
         ("r4","c3"):2,("r4","c4"):1}
for r in rep["sections"][0]["rows"]:
    k = (r["region"], r["channel"])
    if k in truth and truth[k] >= 5:
        r["count"], r["flags"] = truth[k], []
json.dump(rep, open("lines-only.json", "w"))
PY
	run attack --published lines-only.json --k 5
	assert_failure 1
	assert_line 'leak: lines-only.json: r2,c3 = None: a reader can narrow it to 3..3'
}

@test "--suppress: months and their quarter in one report are audited together" {
	printf 'month(received_at),count\n2024-01,6\n' > jan.csv
	printf 'month(received_at),count\n2024-02,7\n' > feb.csv
	printf 'month(received_at),count\n2024-03,2\n' > mar.csv
	printf 'quarter(received_at),count\n2024-Q1,15\n' > q1.csv
	run civic-report -f json --chart none --suppress 5 jan.csv feb.csv mar.csv q1.csv
	assert_success
	printf '%s\n' "$output" > q.json
	run python3 -c 'import json,sys; print(sum(r["count"] is None for s in json.load(open("q.json"))["sections"] for r in s["rows"]))'
	assert_output 2
	run attack --published q.json --k 5
	assert_success
}

@test "--compare: the previous period is hidden by its own counts, a change when either side is" {
	printf 'register,count\nform1,3\nform2,40\nform3,30\n' > cur.csv
	printf 'register,count\nform1,10\nform2,2\nform3,8\n' > prev.csv
	run civic-report --chart none --suppress 5 --compare prev.csv cur.csv
	assert_success
	assert_line --regexp '^Form 1 +<5 +10 +x +x +x$'
	assert_line --regexp '^Form 2 journal +40 +<5 +x +x +x$'
	assert_line --regexp '^Form3 +x +x +x +x +x$'
	run civic-report -f csv --codes --suppress 5 --compare prev.csv cur.csv
	assert_line --index 1 'form1,,10,,,,suppressed'
	assert_line --index 2 'form2,40,,,,,suppressed-previous'
	assert_line --index 3 'form3,,,,,,suppressed-secondary suppressed-previous'
}

@test "--protection: a wider interval hides more; a bad value is a usage error" {
	four_by_four > t44.csv
	run civic-report -f json --suppress 5 --protection 3 t44.csv
	assert_success
	printf '%s\n' "$output" > p3.json
	run attack --published p3.json --k 5 --protection 3
	assert_success
	run --separate-stderr civic-report --suppress 5 --protection x t44.csv
	assert_failure 2
}

@test "disclosure guard: glpsol attacks civic-report's own output on random tables" {
	# Two keys with margins, and three months with their quarter; every
	# count shown as <5 must keep a range at least 1 wide (2 with
	# --protection 2) from all a report publishes.
	local n=40 m=20
	[ "${VALGRIND:-}" = 1 ] && { n=4; m=2; }
	run attack --seed 11 --tables "$n" --sets "$m"
	assert_success
	assert_line --regexp ' 0 narrowed below the protection interval'
	run attack --seed 12 --tables "$((n / 4))" --sets "$((m / 4))" --protection 2
	assert_success
}

@test "--suppress and the text and HTML renderers on a 150,000-row table" {
	# No time limit here (speed is scripts/bench's job), but the quadratic
	# line rule and renderers this guards took minutes on such a table.
	[ "${VALGRIND:-}${SANITIZE:-}" = "" ] || skip "150,000 rows under valgrind or sanitizers is too slow for the suite"
	python3 -c '
import random
r = random.Random(5)
print("district,service,count")
for d in range(500):
    for s in range(300):
        print(f"d{d},s{s},{r.choice([1, 2, 3]) if r.random() < 0.002 else r.randint(5, 300)}")' > big.csv
	run civic-report --suppress 5 -f text big.csv
	assert_success
	assert_line --regexp '^<5  fewer than 5 cases: hidden to protect the people counted \([0-9,]+ rows\)$'
	run civic-report --suppress 5 -f html -o big.html big.csv
	assert_success
}

@test "rows keep the order they come in, and the bars follow it" {
	printf 'region,count\nNavoi,3\nBukhara,9\nOther,20\nTotal,32\n' > ordered.csv
	run civic-report -f text ordered.csv
	assert_success
	# the table and the chart alike: Navoi, Bukhara, Other (not by size, not by key)
	run sh -c "civic-report -f text ordered.csv | grep -E '^ *(Navoi|Bukhara|Other) ' | awk '{ print \$1 }' | paste -sd' '"
	assert_output "Navoi Bukhara Other Navoi Bukhara Other"
	civic-report -f html -o ordered.html ordered.csv
	run sh -c "grep -o 'text-anchor=\"end\">[A-Za-z]*<' ordered.html | paste -sd' '"
	assert_output 'text-anchor="end">Navoi< text-anchor="end">Bukhara< text-anchor="end">Other<'
}

@test "a rate per population (civic-tally --per) is charted; one on fewer than 30 records is marked" {
	printf 'region,count,rate_per_1000,rate_per_1000_low,rate_per_1000_high\nA,4,2,0.5,5\nB,90,3,2.4,3.7\n' > rate.csv
	run civic-report -f text --label rate_per_1000='Per 1,000' rate.csv
	assert_success
	assert_line --regexp '^A +4 +2 \(0–5\)†$'
	assert_line --regexp '^B +90 +3 \(2–4\)$'
	assert_line --regexp '^  B +█+ 3$'
}

# ---- Excel workbooks ------------------------------------------------------

# The workbook read back with openpyxl against the CSV and JSON of the same
# report: xlsx_matches BOOK SHEET [VALUE=LABEL ...] -- CIVIC-REPORT ARGUMENTS
xlsx_matches() {
	local book=$1 sheet=$2 labels=()
	shift 2
	while [ "$1" != -- ]; do labels+=("$1"); shift; done
	shift
	reference civic-report -f csv "$@" > check.csv
	reference civic-report -f json --ci-style columns "$@" > check.json
	/usr/bin/python3 "$BATS_TEST_DIRNAME/xlsx-check.py" "$book" "$sheet" check.csv check.json "${labels[@]}"
}

@test "xlsx in Russian and Uzbek: the language's labels and headings, numbers as numbers, its own words" {
	for lang in ru uz; do
		civic-report --lang "$lang" -o r.xlsx registers.csv survey.csv
		flags=$(sed -n 's/^xlsx.flags = //p' "$CIVIC_ROOT/share/civic/lang/$lang.txt")
		XLSX_FLAGS=$flags run xlsx_matches r.xlsx 0 -- --lang "$lang" registers.csv
		assert_output ok
		run /usr/bin/python3 -c 'import openpyxl, sys; print(openpyxl.load_workbook(sys.argv[1]).sheetnames[-1])' r.xlsx
		case $lang in
		ru) assert_output 'Примечания' ;;
		uz) assert_output 'Izohlar' ;;
		esac
	done
}

@test "xlsx: every number, label, flag and hidden cell as the CSV has it, and no formula" {
	local lab=(--label 'form1=Form 1 (crimes)' --label 'alphabetical=Alphabetical book' --label form2=Form2)
	civic-report -o r.xlsx "${lab[@]}" registers.csv
	run xlsx_matches r.xlsx 0 'form1=Form 1 (crimes)' 'alphabetical=Alphabetical book' form2=Form2 \
		-- "${lab[@]}" registers.csv
	assert_output ok
	# Reliability marks, standard errors, design effects; months as dates.
	civic-report -f xlsx -o r.xlsx "${lab[@]}" monthly.csv
	run xlsx_matches r.xlsx 0 'form1=Form 1 (crimes)' 'alphabetical=Alphabetical book' form2=Form2 \
		-- "${lab[@]}" monthly.csv
	assert_output ok
	for input in survey.csv inject.csv; do
		civic-report -f xlsx -o r.xlsx "$input"
		run xlsx_matches r.xlsx 0 -- "$input"
		assert_output ok
	done
	# Hidden cells <5 and x, with their footnotes; a comparison's changes.
	local names=('form1=Form 1 (crimes)' 'alphabetical=Alphabetical book' form2=Form2)
	civic-report -o r.xlsx "${lab[@]}" --suppress 5 suppress.csv
	run xlsx_matches r.xlsx 0 "${names[@]}" -- "${lab[@]}" --suppress 5 suppress.csv
	assert_output ok
	civic-report -o r.xlsx "${lab[@]}" --compare registers-prev.csv registers.csv
	run xlsx_matches r.xlsx 0 "${names[@]}" -- "${lab[@]}" --compare registers-prev.csv registers.csv
	assert_output ok
	# Cells hidden now, before, or both.
	printf 'region,register,count\nAndijan,alphabetical,40\nAndijan,form1,13\nAndijan,form2,52\nBukhara,alphabetical,31\nBukhara,form1,2\nBukhara,form2,44\n' > cur.csv
	printf 'region,register,count\nAndijan,alphabetical,41\nAndijan,form1,3\nAndijan,form2,50\nBukhara,alphabetical,30\nBukhara,form1,12\nBukhara,form2,44\n' > prev.csv
	civic-report -o r.xlsx "${lab[@]}" --suppress 5 --compare prev.csv cur.csv
	run xlsx_matches r.xlsx 0 "${names[@]}" -- "${lab[@]}" --suppress 5 --compare prev.csv cur.csv
	assert_output ok
}

@test "xlsx: the checker finds a number stored as text and a formula" {
	civic-report -o r.xlsx registers.csv
	/usr/bin/python3 -c '
import openpyxl, sys
wb = openpyxl.load_workbook("r.xlsx")
ws = wb.worksheets[0]
ws["B3"] = str(ws["B3"].value)
ws["A20"] = "=1+2"
wb.save("bad.xlsx")'
	run xlsx_matches bad.xlsx 0 -- registers.csv
	assert_failure
	assert_line --partial "!B3: '11580' (s) != 11580.0"
	assert_line --partial "!A20: a formula '=1+2'"
}

@test "xlsx: sheets named from headings, valid and unique; a Notes sheet with the provenance" {
	civic-report -o r.xlsx --note 'Weighted by region.' \
		--heading 'Trust: [all] regions * 2024/Q1 ? yes \ no, and a long tail' --heading "'Quoted'" \
		survey.csv registers.csv registers.csv
	run /usr/bin/python3 -c '
import openpyxl
wb = openpyxl.load_workbook("r.xlsx")
print("|".join(wb.sheetnames))
notes = wb["Notes"]
for line in notes.iter_rows(values_only=True):
    print(" ".join(str(v) for v in line if v is not None))'
	assert_line --index 0 'Trust all regions 2024 Q1 yes|Quoted|Count and share by register|Notes'
	assert_line 'Weighted by region.'
	assert_line "Trust all regions 2024 Q1 yes Trust: [all] regions * 2024/Q1 ? yes \\ no, and a long tail survey.csv"
	assert_line 'Made by civic-report 0.1.0'
	assert_line 'Generated 2024-03-01T00:00:00Z'
	assert_line --regexp '^Command civic-report -o r.xlsx --note '
	assert_line "input registers.csv $(sha256sum registers.csv | cut -d' ' -f1)"
	# A heading that is already taken, or is the notes sheet's name.
	civic-report -o r.xlsx --heading Notes --heading notes registers.csv registers.csv
	run /usr/bin/python3 -c 'import openpyxl; print("|".join(openpyxl.load_workbook("r.xlsx").sheetnames))'
	assert_output 'Notes (2)|notes (3)|Notes'
}

@test "xlsx: frozen header, fitted widths, number formats a reader sees" {
	civic-report -o r.xlsx --digits share=2 survey.csv monthly.csv
	run /usr/bin/python3 -c '
import openpyxl
wb = openpyxl.load_workbook("r.xlsx")
ws = wb.worksheets[0]
print(ws.freeze_panes, ws["C3"].number_format, ws["B4"].number_format, ws["H3"].number_format)
print(round(ws.column_dimensions["A"].width), round(ws.column_dimensions["G"].width))
m = wb.worksheets[1]
print(m.freeze_panes, m["A3"].value.date(), m["A3"].number_format)'
	assert_line --index 0 'B3 0.00%"†" #,##0 #,##0.00"†"'
	assert_line --index 1 '9 23'
	assert_line --index 2 'C3 2024-01-01 mmmm yyyy'
}

@test "xlsx: identical bytes for two runs under SOURCE_DATE_EPOCH, the creation time from it" {
	mkdir one two
	(cd one && civic-report -o r.xlsx --suppress 5 ../suppress.csv ../monthly.csv)
	sleep 1
	(cd two && civic-report -o r.xlsx --suppress 5 ../suppress.csv ../monthly.csv)
	run cmp one/r.xlsx two/r.xlsx
	assert_success
	run /usr/bin/python3 -c 'import zipfile; print(zipfile.ZipFile("one/r.xlsx").read("docProps/core.xml").decode())'
	assert_output --partial '<dcterms:created xsi:type="dcterms:W3CDTF">2024-03-01T00:00:00Z</dcterms:created>'
	(cd two && SOURCE_DATE_EPOCH=1709337600 civic-report -o r.xlsx --suppress 5 ../suppress.csv ../monthly.csv)
	run cmp one/r.xlsx two/r.xlsx
	assert_failure
}

@test "xlsx: -o by extension and atomic, standard output when redirected, never a terminal" {
	civic-report -o r.xlsx registers.csv
	run file -b r.xlsx
	assert_output --partial 'Excel 2007'
	cp r.xlsx before.xlsx
	printf 'register,count\nform1,1,2\n' > ragged.csv
	run --separate-stderr civic-report -o r.xlsx ragged.csv
	assert_failure 1
	cmp r.xlsx before.xlsx
	run ls
	refute_output --partial 'tmp'
	civic-report -f xlsx registers.csv > piped.xlsx
	run cmp piped.xlsx before.xlsx
	assert_failure      # the command line differs, and only it
	run --separate-stderr script -qec 'civic-report -f xlsx registers.csv' /dev/null
	assert_failure 2
	assert_output --partial 'civic-report: xlsx is a binary file: give -o FILE.xlsx, or redirect standard output'
	run --separate-stderr sh -c 'civic-report -f xlsx registers.csv > /dev/full'
	assert_failure 1
	[[ "$stderr" == *"civic-report: write error: No space left on device"* ]]
}

@test "xlsx: a workbook that cannot be made is an error, and no file" {
	[ "${VALGRIND:-}" = 1 ] && skip "valgrind keeps its own files in TMPDIR"
	run --separate-stderr env TMPDIR=/nonexistent civic-report -o r.xlsx registers.csv
	assert_failure 1
	[[ "$stderr" == *"civic-report: cannot create a temporary file for the workbook: No such file or directory"* ]]
	[ ! -e r.xlsx ]
}

# ---- --pivot tables as publication tables ----------------------------------

# 3 regions by 2 registers; A has 2 form2 applications.
pivot_registry() {
	{
		echo region,register,weight
		for i in $(seq 40); do echo A,form1,1; done
		echo A,form2,1; echo A,form2,3
		for i in $(seq 30); do echo B,form2,2; done
		for i in $(seq 25); do echo B,form1,1; echo C,form1,1; echo C,form2,2; done
	} > registry.csv
}

@test "pivot: --suppress hides the cells the long table hides, in every format" {
	pivot_registry
	civic-tally -g region --pivot register -s count,share --within region --total registry.csv > wide.csv
	civic-tally -g region,register -s count,share --within region --total registry.csv > long.csv
	run civic-report --suppress 5 wide.csv
	assert_success
	assert_line 'Count and share by region'
	assert_line 'Region  Form 1: count  Form 1: share  Form 2 journal: count  Form 2 journal: share  Total: count  Total: share'
	assert_line 'A                   x              x                     <5                      x            42        100.0%'
	assert_line 'B                  25          45.5%                     30                  54.5%            55        100.0%'
	assert_line --partial 'fewer than 5 cases: hidden to protect the people counted'
	# The same cells hidden as in the long table civic-tally would give, count and share alike.
	civic-report -f csv --codes --suppress 5 wide.csv > wide.out
	civic-report -f csv --codes --suppress 5 long.csv > long.out
	run /usr/bin/python3 -c '
import csv
wide = list(csv.DictReader(open("wide.out")))
long = list(csv.DictReader(open("long.out")))
bad = 0
for row in long:
    w = next(x for x in wide if x["region"] == row["region"])
    for stat in ("count", "share"):
        if w[stat + "_" + row["register"]] != row[stat]:
            bad += 1
            print(row["region"], row["register"], stat, w[stat + "_" + row["register"]], row[stat])
print("hidden", sum(1 for row in long if row["count"] == ""), "differ", bad)'
	assert_output 'hidden 4 differ 0'
	civic-report -o r.xlsx --suppress 5 wide.csv
	run xlsx_matches r.xlsx 0 -- --suppress 5 wide.csv
	assert_output ok
	run --separate-stderr civic-report -f json --suppress 5 wide.csv
	assert_success
	[[ "$output" == *'"count_form2": null'* ]]
}

@test "pivot: shares as percentages, intervals and reliability marks; --ci-style columns labels every part" {
	pivot_registry
	civic-tally -g region --pivot register -w weight -s count,share --within region --ci logit --deff registry.csv > wide.csv
	run civic-report --chart none wide.csv
	assert_success
	assert_line 'Region  Form 1: count  Form 1: n       Form 1: share  Form 2 journal: count  Form 2 journal: n  Form 2 journal: share'
	assert_line 'A          40 (29–51)         40  90.9% (66.1–98.1)†             4 (-2–10)†                  2      9.1% ( 1.9–33.9)†'
	run civic-report --chart none --ci-style columns wide.csv
	assert_line --regexp '^Region +Form 1: count +Form 1: count, low +Form 1: count, high +Form 1: count, SE +Form 1: count, design effect +Form 1: n +Form 1: share +Form 1: share, low +Form 1: share, high +Form 1: share, SE +Form 1: share, design effect +Form 2 journal: count '
	civic-report -o r.xlsx wide.csv
	run xlsx_matches r.xlsx 0 -- wide.csv
	assert_output ok
	# A lone share spread into columns carries no statistic's name: numbers, not counts.
	civic-tally -g region --pivot register -s share --within region registry.csv > share.csv
	run civic-report --chart none share.csv
	assert_line 'A        0.95   0.05'
}

@test "an estimate's n is its base, those who answered: reliability from it, and the page says which" {
	printf 'region,n,mean_trust,n_trust\nEast,100,3.2,12\nWest,90,3.5,80\n' > answered.csv
	run civic-report --chart none answered.csv
	assert_success
	assert_line 'Region    n  Mean trust  n of trust'
	assert_line 'East    100       3.20†          12'
	assert_line 'West     90       3.50           80'
	assert_line 'n: everyone in the group; n of a question: those who answered it, the base of its estimates.'
	# Without the answered n, the group's n is the base: nothing flagged.
	cut -d, -f1-3 answered.csv > group.csv
	run civic-report --chart none group.csv
	refute_output --partial '†'
	refute_output --partial 'n of a question'
	# In a pivot table each value's own base.
	printf 'region,n_a,mean_trust_a,n_trust_a,n_b,mean_trust_b,n_trust_b\nEast,100,3.2,12,50,3,40\n' > wide.csv
	run civic-report --chart none wide.csv
	assert_line 'East     100          3.20†             12    50              3             40'
}

@test "golden: the fixture report in every format, byte for byte" {
	for fmt in text md html json; do
		civic-report -f "$fmt" -t 'Fixture report' --ci-style paren registers.csv survey.csv > "report.$fmt"
		assert_golden "report/registers-survey.$fmt" "report.$fmt"
	done
	civic-report -f csv registers.csv > report.csv
	assert_golden report/registers.csv report.csv
	civic-report -f text --compare registers-prev.csv registers.csv > compare.txt
	assert_golden report/compare.txt compare.txt
	civic-report -f text --suppress 5 suppress.csv > suppress.txt
	assert_golden report/suppress.txt suppress.txt
	for lang in ru uz; do
		civic-report --lang "$lang" -f text --suppress 5 registers.csv survey.csv suppress.csv > "report.$lang.txt"
		assert_golden "report/report.$lang.txt" "report.$lang.txt"
	done
}

@test "--compare: a previous period is audited on its own first, and may hide more of itself there" {
	# Tashkent city's previous month by channel: 8, 1, 1, 9, 5, with shares
	# within the region; its own audit hides the 5 too.
	run civic-report -f csv --codes --suppress 5 --compare channels-prev.csv channels.csv
	assert_success
	assert_line --regexp '^Tashkent city,written,.*suppressed-previous'
}
