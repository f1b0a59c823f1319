#!/usr/bin/env bats
# Reference values drawn on the chart: civic-report --reference and a
# bulletin indicator's "reference".  The SVG is parsed as XML and each mark
# checked against the scale the bars themselves give
# (fixtures/report/check-reference.py), not against civic's own arithmetic.
#
# Under valgrind every test runs but the last, whose bulletin run (en and
# ru, html and txt) the first bulletin test makes with uz as well.

load helper

setup() {
	setup_scratch
	cp "$FIXTURES"/report/registers.csv "$FIXTURES"/report/monthly.csv .
	CHECK="$FIXTURES/report/check-reference.py"
	export SOURCE_DATE_EPOCH=1709251200
}

@test "--reference: a mark across each bar that has one, at its value, and the legend, escaped" {
	run civic-report -f html -o page.html --reference 'form1=0.25,form2=0.3' \
		--reference-label 'published <national> & "split"' registers.csv
	assert_success
	run python3 "$CHECK" bar page.html registers.csv register share \
		'reference: published <national> & "split"' form1=0.25 form2=0.3
	assert_success
	assert_output 'ok 2'
	grep -q 'reference: published &lt;national&gt; &amp; &quot;split&quot;' page.html
	# The bar without a reference gets none, and the note states the values.
	run civic-report --reference 'form1=0.25,form2=0.3' registers.csv
	assert_line --partial 'Reference (share): Form 1 25%; Form 2 journal 30%.'
}

@test "--reference in Russian: the legend and the note in the report's language" {
	run civic-report -f html -o page.html --lang ru --reference 'form1=0.178,form2=0.436,alphabetical=0.386' \
		--reference-label 'опубликованное распределение' registers.csv
	assert_success
	run python3 "$CHECK" bar page.html registers.csv register share \
		'ориентир: опубликованное распределение' form1=0.178 form2=0.436 alphabetical=0.386
	assert_output 'ok 3'
	run civic-report --lang ru --reference 'form1=0.178' --reference-label 'x' registers.csv
	assert_output --partial "Ориентир (share): x: Форма № 1 17,8"$'\u00a0'"%."   # a no-break space
}

@test "--reference for a value the table does not have: said in the note, not drawn" {
	run civic-report -f html -o page.html --reference 'form1=0.178,form9=0.05' registers.csv
	assert_success
	run python3 "$CHECK" bar page.html registers.csv register share reference form1=0.178
	assert_output 'ok 1'
	run civic-report -f md --reference 'form1=0.178,form9=0.05' registers.csv
	assert_output --partial 'Reference values for what the table does not have (not drawn): Form9 5%.'
	run civic-report -f json --reference 'form9=0.05' registers.csv
	assert_output --partial 'not drawn): Form9 5%.'
	# The workbook has no chart; the note is under its table (read by openpyxl).
	run civic-report -o book.xlsx --reference 'form1=0.178,form9=0.05' registers.csv
	assert_success
	run /usr/bin/python3 -c 'import openpyxl, sys
for ws in openpyxl.load_workbook(sys.argv[1]).worksheets:
    for row in ws.iter_rows(values_only=True):
        for v in row:
            if isinstance(v, str) and "not drawn" in v: print(v)' book.xlsx
	assert_output 'Reference (share): Form 1 17.8%; Form9 5%. Reference values for what the table does not have (not drawn): Form9 5%.'
}

@test "--reference on a line chart: a dashed line per series that has one, in its colour, at its value" {
	run civic-report -f html -o page.html --reference 'form1=0.2,alphabetical=0.41' monthly.csv
	assert_success
	run python3 "$CHECK" line page.html monthly.csv register share reference form1=0.2 alphabetical=0.41
	assert_success
	assert_output 'ok 2'
}

@test "--reference applies to the charted column, whichever it is" {
	run civic-report -f html -o page.html --chart-value count --reference 'form1=6000' registers.csv
	assert_success
	run python3 "$CHECK" bar page.html registers.csv register count reference form1=6000
	assert_output 'ok 1'
}

@test "--reference: usage errors" {
	for bad in '' 'form1' 'form1=x' 'form1=0.1,form1=0.2' ',form1=0.1'; do
		run --separate-stderr civic-report --reference "$bad" registers.csv
		assert_failure 2
	done
	run --separate-stderr civic-report --reference-label x registers.csv
	assert_failure 2
	[[ "$stderr" == *"give --reference"* ]]
}

# bulletin DEF LANGS: the March 2024 bulletin of the test data into out/.
bulletin() {
	civic-bulletin -b "$1" --period 2024-03 --lang "$2" -f html,txt -o out \
		registry="$FIXTURES/tally/published-shares.csv" survey="$FIXTURES/survey/data/trust_survey_numeric.csv" \
		population="$CIVIC_ROOT/share/civic/sample/population.csv"
}

@test "a bulletin indicator's reference is drawn on its chart, in each language" {
	run bulletin "$FIXTURES/bulletin/two.json" en,ru,uz
	assert_success
	local table=out/internal/2024-03/tallies/register-book.csv refs='form1=0.178 form2=0.436 alphabetical=0.386'
	run python3 "$CHECK" bar out/2024-03/report.en.html $table register share 'reference: published national split' $refs
	assert_output 'ok 3'
	run python3 "$CHECK" bar out/2024-03/report.ru.html $table register share \
		'ориентир: опубликованное распределение по стране' $refs
	assert_output 'ok 3'
	run python3 "$CHECK" bar out/2024-03/report.uz.html $table register share \
		"moʻljal: e'lon qilingan respublika taqsimoti" $refs
	assert_output 'ok 3'
	# The values are stated once, by the bulletin's own line.
	run grep -c '^Reference (share)' out/2024-03/report.en.txt
	assert_output 1
}

@test "a bulletin reference for a book the table lacks, or of a column not charted, is said in the note" {
	/usr/bin/python3 - "$FIXTURES/bulletin/two.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d["indicators"][0]["reference"]
r["values"]["form9"] = 0.05
json.dump(d, open("absent.json", "w"), ensure_ascii=False)
d["indicators"][0]["chart_column"] = "count"
json.dump(d, open("count.json", "w"), ensure_ascii=False)
PY
	run bulletin absent.json en
	assert_success
	run python3 "$CHECK" bar out/2024-03/report.en.html out/internal/2024-03/tallies/register-book.csv register share \
		'reference: published national split' form1=0.178 form2=0.436 alphabetical=0.386
	assert_output 'ok 3'
	grep -q 'Reference values for what the table does not have (not drawn): Form9 5%.' out/2024-03/report.en.txt
	rm -r out
	run bulletin count.json en
	assert_success
	run grep -c 'class="reference' out/2024-03/report.en.html
	assert_output 0
	grep -q 'The reference values are of share, the chart shows count: not drawn.' out/2024-03/report.en.txt
}

# ---- plain-text bar charts: a character at the reference, read back as text ----

TEXT_CHECK_LABELS=(alphabetical='Alphabetical book' form1='Form 1' form2='Form 2 journal')

@test "text: a mark in the cell of each bar that holds its reference, and the legend line" {
	civic-report --reference 'form1=0.25,form2=0.3' --reference-label 'published split' registers.csv > r.txt
	run python3 "$FIXTURES/report/check-text-reference.py" r.txt registers.csv register share '│' \
		'reference: published split' "${TEXT_CHECK_LABELS[@]}" -- form1=0.25 form2=0.3
	assert_success
	assert_output 'ok 2'
	# The values are still stated in the note; without --reference, no mark.
	grep -q '^Reference (share): published split: Form 1 25%; Form 2 journal 30%.$' r.txt
	run civic-report registers.csv
	refute_output --partial '│'
}

@test "text: a reference beyond every value lengthens the scale; one at the longest bar's end is in its last cell" {
	civic-report --reference 'form1=0.6,alphabetical=0.2' registers.csv > r.txt
	run python3 "$FIXTURES/report/check-text-reference.py" r.txt registers.csv register share '│' \
		reference "${TEXT_CHECK_LABELS[@]}" -- form1=0.6 alphabetical=0.2
	assert_output 'ok 2'
	civic-report --chart-value count --reference 'form2=13080,form1=0' registers.csv > c.txt
	run python3 "$FIXTURES/report/check-text-reference.py" c.txt registers.csv register count '│' \
		reference "${TEXT_CHECK_LABELS[@]}" -- form2=13080 form1=0
	assert_output 'ok 2'
}

@test "text: the reference legend in the report's language" {
	civic-report --lang ru --reference 'form1=0.178' --reference-label 'опубликованное распределение' registers.csv > ru.txt
	run python3 "$FIXTURES/report/check-text-reference.py" ru.txt registers.csv register share '│' \
		'ориентир: опубликованное распределение' alphabetical='Алфавитная книга' form1='Форма № 1' \
		form2='Журнал формы № 2' -- form1=0.178
	assert_output 'ok 1'
	civic-report --lang uz --reference 'form2=0.4' registers.csv > uz.txt
	run grep -c '^  │ moʻljal$' uz.txt
	assert_output 1
}

@test "text: a bulletin indicator's reference is marked on its text chart" {
	! valgrind_light || skip "under valgrind: the same civic-bulletin run, with uz too, in 'a bulletin indicator's reference is drawn on its chart'"
	run bulletin "$FIXTURES/bulletin/two.json" en,ru
	assert_success
	local table=out/internal/2024-03/tallies/register-book.csv
	run python3 "$FIXTURES/report/check-text-reference.py" out/2024-03/report.en.txt $table register share '│' \
		'reference: published national split' "${TEXT_CHECK_LABELS[@]}" -- form1=0.178 form2=0.436 alphabetical=0.386
	assert_output 'ok 3'
	grep -q '^  │ ориентир: опубликованное распределение по стране$' out/2024-03/report.ru.txt
}

# ---- plain-text line charts: a reference row under each series that has one ----

# line_check REPORT TABLE LEGEND LABELS... -- KEY=VALUE...: the text line chart's checker on share by register
line_check() {
	local report=$1 table=$2 legend=$3
	shift 3
	python3 "$FIXTURES/report/check-text-line-reference.py" "$report" "$table" 'month(received_at)' register share \
		'│' "$legend" "$@"
}

@test "text line chart: a reference row on the series' scale, stretched to a reference beyond its values or at their maximum" {
	civic-report --reference 'form1=0.2,alphabetical=0.39822' --reference-label 'published split' monthly.csv > r.txt
	run line_check r.txt monthly.csv 'reference: published split' "${TEXT_CHECK_LABELS[@]}" -- form1=0.2 alphabetical=0.39822
	assert_success
	assert_output 'ok 2'
	# A reference above every value: the row at the top, the values below it.
	grep -q '^                   │ ████████████  20.0%$' r.txt
	# The note still states the values; without --reference, no row and no mark.
	grep -q '^Reference (share): published split: Form 1 20%; Alphabetical book 39.822%.$' r.txt
	civic-report monthly.csv > plain.txt
	run grep -c '│' plain.txt
	assert_output 0
	run line_check plain.txt monthly.csv 'reference' "${TEXT_CHECK_LABELS[@]}" --
	assert_failure
	assert_output --partial 'legend line'
}

@test "text line chart: a reference of 0 and one below every value put the row at the bottom" {
	civic-report --reference 'form1=0,form2=0.4' monthly.csv > r.txt
	run line_check r.txt monthly.csv reference "${TEXT_CHECK_LABELS[@]}" -- form1=0 form2=0.4
	assert_success
	assert_output 'ok 2'
	grep -q '^                   │ ▁▁▁▁▁▁▁▁▁▁▁▁  0.0%$' r.txt
	# The series without a reference keeps its own scale: the same ticks as with none.
	civic-report monthly.csv > plain.txt
	diff <(grep '^  Alphabetical book  ' plain.txt) <(grep '^  Alphabetical book  ' r.txt)
}

@test "text line chart: the legend and the values in the report's language" {
	civic-report --lang ru --reference 'form2=0.436' --reference-label 'опубликованное распределение' monthly.csv > ru.txt
	run line_check ru.txt monthly.csv 'ориентир: опубликованное распределение' alphabetical='Алфавитная книга' \
		form1='Форма № 1' form2='Журнал формы № 2' -- form2=0.436
	assert_success
	assert_output 'ok 1'
	grep -q "^ *│ .*  43,6"$'\u00a0'"%$" ru.txt   # a decimal comma and a no-break space
	civic-report --lang uz --reference 'form1=0.178' monthly.csv > uz.txt
	run line_check uz.txt monthly.csv 'moʻljal' alphabetical='Alifbo kitobi' form1='1-shakl' \
		form2='2-shakl jurnali' -- form1=0.178
	assert_success
	assert_output 'ok 1'
}

@test "text line chart: the shipped bulletin's register books by month against the national split, in each language" {
	civic-classify -r registers.rules -r services.rules -r subjects.rules -o registry.csv \
		"$FIXTURES/tally/published-shares.csv"
	run civic-bulletin -b "$CIVIC_DATADIR/bulletins/cooperation-trust.json" --quarter 2024-Q1 --lang en,ru,uz \
		-f txt -o out registry=registry.csv survey="$FIXTURES/survey/data/trust_survey_numeric.csv" \
		population="$CIVIC_DATADIR/sample/population.csv"
	assert_success
	local table=out/internal/2024-Q1/tallies/register-book-by-month.csv refs='form1=0.178 form2=0.436 alphabetical=0.386'
	[ "$(cut -d, -f1 $table | sort -u | tr '\n' ' ')" = '2024-01 2024-02 2024-03 month(received_at) ' ]
	run line_check out/2024-Q1/report.en.txt $table 'reference: published national split' "${TEXT_CHECK_LABELS[@]}" -- $refs
	assert_output 'ok 3'
	run line_check out/2024-Q1/report.ru.txt $table 'ориентир: опубликованное распределение по стране' \
		alphabetical='Алфавитная книга' form1='Форма № 1' form2='Журнал формы № 2' -- $refs
	assert_output 'ok 3'
	run line_check out/2024-Q1/report.uz.txt $table "moʻljal: eʼlon qilingan respublika taqsimoti" \
		alphabetical='Alifbo kitobi' form1='1-shakl' form2='2-shakl jurnali' -- $refs
	assert_output 'ok 3'
}
