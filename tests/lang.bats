#!/usr/bin/env bats
# civic-report in English, Russian and Uzbek: translation files with no
# missing key, numbers and periods as each language writes them whatever
# the locale, which setting chooses the language, label files and --codes.

load helper

setup() {
	setup_scratch
	cp "$FIXTURES"/report/*.csv .
	export SOURCE_DATE_EPOCH=1709251200
	unset CIVIC_LANG
}

NNBSP=$'\u202f'
NBSP=$'\u00a0'

# Keys of a lang file, one a line, sorted; .parts keys are English only.
keys() {
	sed -n 's/^\([A-Za-z0-9_.]*\) *=.*/\1/p' "$1" | grep -v '\.parts$' | sort
}

@test "every shipped language has every English key, and the plural forms it declares" {
	local dir="$CIVIC_ROOT/share/civic/lang" lang base form missing=
	for lang in "$dir"/*.txt; do
		[ "$(basename "$lang")" = en.txt ] && continue
		forms=$(sed -n 's/^plural\.forms *= *//p' "$lang")
		[ -n "$forms" ] || fail "$lang: no plural.forms"
		for key in $(keys "$dir/en.txt"); do
			case $key in
			*.one|*.other)
				base=${key%.*}
				for form in $forms; do
					grep -q "^$base\.$form *=" "$lang" || missing="$missing $(basename "$lang"):$base.$form"
				done ;;
			*)
				grep -q "^$key *=" "$lang" || missing="$missing $(basename "$lang"):$key" ;;
			esac
		done
	done
	[ -z "$missing" ] || fail "missing translations:$(printf '\n  %s' $missing | sort -u)"
}

@test "every key the C code and the scripts look up is in en.txt" {
	local used key missing=
	used=$(find "$CIVIC_ROOT/lib" "$CIVIC_ROOT/bin" -name "*.c" -exec cat {} + |
		grep -o 'lang_\(text\|put\|put_n\)(\(&\?[a-z]*, \)\?"[a-z_.]*"' | sed 's/.*"\(.*\)"/\1/' | sort -u)
	used="$used $(cat "$CIVIC_ROOT/scripts/demo" "$CIVIC_ROOT/bin/civic-monthly" |
		grep -o 'tr_text [a-z_.]*' | sed 's/tr_text //' | grep . | sort -u)"
	[ "$(echo "$used" | wc -l)" -gt 20 ]
	for key in $used; do
		grep -q "^$key\(\.other\)\? *=" "$CIVIC_ROOT/share/civic/lang/en.txt" || missing="$missing $key"
	done
	[ -z "$missing" ] || fail "keys used but not in en.txt:$missing"
}

@test "Russian: decimal comma, narrow no-break space between thousands, % after a space, months by name" {
	run civic-report --lang ru --suppress 3 monthly.csv
	assert_success
	assert_line --index 0 'Отчёт civic'
	assert_line 'Число и доля в разрезе: месяц и книга учёта'
	assert_line "март 2024      Форма № 1          6${NNBSP}044  18,6${NBSP}% (18,2–19,0)"
	assert_line "Доля, %, январь 2024 – декабрь 2024:"
	assert_line 'В скобках — доверительный интервал.'
	assert_line --regexp '^Подготовлено: civic-report [0-9.]+, 2024-03-01T00:00:00Z$'
	run sh -c "civic-report --lang ru --suppress 3 monthly.csv | sed '/^Подготовлено/,\$d'"
	refute_output --regexp '[0-9],[0-9]{3}\b|[0-9]\.[0-9]'
}

@test "Uzbek (Latin): the same figures, Uzbek words and month names" {
	run civic-report --lang uz --suppress 3 monthly.csv
	assert_success
	assert_line --index 0 'civic hisoboti'
	assert_line 'Oy va roʻyxatga olish kitobi kesimida soni va ulushi'
	assert_line --regexp "^mart 2024 +1-shakl +6${NNBSP}044  18,6${NBSP}% \(18,2–19,0\)$"
	run civic-report --lang uz-Latn --suppress 3 monthly.csv
	assert_line --regexp '^mart 2024 '
}

@test "the figures are the same in every language: ru and uz numbers read back equal the English ones" {
	civic-report --chart none --ci-style columns -k 1 survey.csv > en.txt
	civic-report --lang ru --chart none --ci-style columns -k 1 survey.csv > ru.txt
	civic-report --lang uz --chart none --ci-style columns -k 1 survey.csv > uz.txt
	run python3 - en.txt ru.txt uz.txt <<'PY'
import re, sys
def numbers(path, comma):
    text = open(path, encoding="utf-8").read().split("\n\n")[2]     # the table
    if comma:
        text = text.replace("\u202f", "").replace("\u00a0%", "%").replace(",", ".")
    else:
        text = text.replace(",", "")
    return re.findall(r"[-+]?\d+(?:\.\d+)?%?", text)
en = numbers(sys.argv[1], False)
assert len(en) > 20, en
for path in sys.argv[2:]:
    assert numbers(path, True) == en, (path, numbers(path, True), en)
print(len(en))
PY
	assert_success
}

@test "quarters, ISO weeks, days and weekdays in each language's form" {
	printf 'quarter(d),count\n2024-Q1,5\n2024-Q4,7\n' > q.csv
	printf 'week(d),count\n2024-W05,5\n2024-W06,7\n' > w.csv
	printf 'day(d),count\n2024-03-05,5\n2024-03-06,7\n' > d.csv
	printf 'weekday(d),count\nMon,5\nSun,7\n' > wd.csv
	run civic-report --chart none q.csv w.csv d.csv wd.csv
	assert_line --regexp '^Q1 2024 +5$'
	assert_line --regexp '^Week 5, 2024 +5$'
	assert_line --regexp '^2024-03-05 +5$'
	assert_line --regexp '^Monday +5$'
	run civic-report --lang ru --chart none q.csv w.csv d.csv wd.csv
	assert_line --regexp '^I квартал 2024 +5$'
	assert_line --regexp '^IV квартал 2024 +7$'
	assert_line --regexp '^5-я неделя 2024 +5$'
	assert_line --regexp '^05\.03\.2024 +5$'
	assert_line --regexp '^воскресенье +7$'
	run civic-report --lang uz --chart none q.csv w.csv d.csv wd.csv
	assert_line --regexp '^2024-yil I chorak +5$'
	assert_line --regexp '^2024-yil 5-hafta +5$'
	assert_line --regexp '^dushanba +5$'
	# A month that is no month stays as it is.
	printf 'month(d),count\n2024-13,5\n' > bad.csv
	run civic-report --chart none bad.csv
	assert_line --regexp '^2024-13 +5$'
}

@test "--lang wins over CIVIC_LANG, which wins over the locale; the machine's locale never changes numbers" {
	run env LC_ALL=ru_RU.UTF-8 civic-report -k 1 --chart none registers.csv
	assert_line --regexp "^Форма № 1 +5${NNBSP}340 "
	run env LC_ALL=ru_RU.UTF-8 CIVIC_LANG=uz civic-report -k 1 --chart none registers.csv
	assert_line --regexp "^1-shakl +5${NNBSP}340 "
	run env LC_ALL=ru_RU.UTF-8 CIVIC_LANG=uz civic-report --lang en -k 1 --chart none registers.csv
	assert_line 'Form 1              5,340  17.8% (17.4–18.2)'
	run env LANG=uz_UZ.UTF-8 LC_ALL= civic-report -k 1 --chart none registers.csv
	assert_line --regexp '^1-shakl '
	run --separate-stderr env CIVIC_LANG=fr civic-report -k 1 --chart none registers.csv
	assert_success
	assert_line 'Form 1              5,340  17.8% (17.4–18.2)'
	[[ "$stderr" == *"CIVIC_LANG: unknown language 'fr'; English is used"* ]]
	run --separate-stderr civic-report --lang fr registers.csv
	assert_failure 2
	[[ "$stderr" == *"unknown language 'fr' (en, ru, uz)"* ]]
}

@test "html: the lang attribute, translated footer and captions, Cyrillic text" {
	run civic-report --lang ru -f html survey.csv
	assert_success
	assert_line '<html lang="ru">'
	assert_output --partial '<h2>Происхождение данных</h2>'
	assert_output --partial 'Отрезки показывают доверительный интервал.'
	assert_output --partial 'Доля, %</text>'
	run civic-report --lang uz -f html survey.csv
	assert_line '<html lang="uz">'
	run civic-report -f html survey.csv
	assert_line '<html lang="en">'
}

@test "footnotes: Russian plural forms for 1 row, 3 rows, 2 tables" {
	cp suppress.csv again.csv
	run civic-report --lang ru --suppress 5 suppress.csv again.csv
	assert_success
	assert_line --regexp '^<5  менее 5 случаев: скрыто для защиты учтённых лиц \(1 строка\)$'
	assert_line --regexp '^x  скрыто дополнительно, .* \(3 строки\)$'
	assert_output --partial '(2 таблицы'
}

@test "a translation that names a part English does not have falls back to English, with a warning" {
	cp -R "$CIVIC_DATADIR" data
	sed -i 's/^report.no_rows = .*/report.no_rows = (нет {rows})/' data/lang/ru.txt
	printf 'register,count\n' > empty.csv
	run --separate-stderr env CIVIC_DATADIR="$PWD/data" civic-report --lang ru empty.csv
	assert_success
	assert_line '(no rows)'
	[[ "$stderr" == *"ru.txt: 'report.no_rows' names a part the English text has not; English is used"* ]]
	printf 'broken line\n' >> data/lang/ru.txt
	run --separate-stderr env CIVIC_DATADIR="$PWD/data" civic-report --lang ru empty.csv
	assert_failure 1
	[[ "$stderr" == *"ru.txt:"*": no '=' between a key and its text"* ]]
}

@test "an empty translation file loads: every text falls back to English" {
	cp -R "$CIVIC_DATADIR" data
	: > data/lang/ru.txt
	printf 'register,count\n' > empty.csv
	run --separate-stderr env CIVIC_DATADIR="$PWD/data" civic-report --lang ru empty.csv
	assert_success
	assert_line '(no rows)'
}

@test "--labels: per-language columns, a plain label, --label wins, a later file wins" {
	printf 'column,value,label_en,label_ru\nregister,form1,First form,Первая форма\nregister,,Book,\n' > a.csv
	printf 'column,value,label\nregister,form2,"Second, journal"\n' > b.csv
	run civic-report -k 1 --chart none --ci-style none --labels a.csv --labels b.csv registers.csv
	assert_success
	assert_line 'Book                Count  Share'
	assert_line 'First form          5,340  17.8%'
	assert_line 'Second, journal    13,080  43.6%'
	run civic-report --lang ru -k 1 --chart none --ci-style none --labels a.csv registers.csv
	assert_line --regexp "^Первая форма +5${NNBSP}340 +17,8${NBSP}%$"
	assert_line --regexp '^Книга учёта +Число +Доля$'     # no Russian in a.csv: the shipped one
	run civic-report -k 1 --chart none --ci-style none --labels a.csv --label form1=Mine registers.csv
	assert_line 'Mine                5,340  17.8%'
	printf 'column,value,label_en\nregister,form1,Later\n' > c.csv
	run civic-report -k 1 --chart none --ci-style none --labels a.csv --labels c.csv registers.csv
	assert_line --regexp '^Later '
	run civic-report -f json --labels a.csv registers.csv
	assert_output --partial '"labels", "name": "a.csv"'
}

@test "labels apply in CSV and JSON; --codes keeps the codes there" {
	printf 'channel,count\nin_person,40\nphone_102,25\nmahalla,12\n' > ch.csv
	run civic-report -f csv ch.csv
	assert_line --index 1 'In person,40,'
	run civic-report -f csv --lang ru ch.csv
	assert_line --index 1 'Личный приём,40,'
	run civic-report -f csv --codes --lang ru ch.csv
	assert_line --index 1 'in_person,40,'
	run civic-report -f json --lang uz ch.csv
	assert_output --partial '{"channel": "Shaxsan", "count": 40'
	assert_output --partial '"label": "Murojaat kanali"'
	run civic-report -f json --codes ch.csv
	assert_output --partial '{"channel": "in_person", "count": 40'
}

@test "a --labels line or a --digits for what the report does not have is a warning" {
	printf 'column,value,label\nregister,form9,Nine\nregion,,Region\nregister,form1,One\n' > l.csv
	run --separate-stderr civic-report --chart none --labels l.csv --digits shar=2 registers.csv
	assert_success
	[[ "$stderr" == *"l.csv:2: no value 'form9' in the column 'register'"* ]]
	[[ "$stderr" == *"l.csv:3: no column 'region' in the report"* ]]
	[[ "$stderr" == *"--digits: no column 'shar'"* ]]
	[[ "$stderr" != *"l.csv:4"* ]]
	printf 'col,value,label\n' > bad.csv
	run --separate-stderr civic-report --labels bad.csv registers.csv
	assert_failure 1
	[[ "$stderr" == *"bad.csv:1: a label file begins column,value,label"* ]]
	[ -z "$output" ]
}

@test "the shipped label sets are well formed, in three languages, and cover the generator's codes" {
	local f
	for f in "$CIVIC_ROOT"/share/civic/labels/*.csv; do
		assert_equal "$(head -1 "$f")" 'column,value,label_en,label_ru,label_uz'
	done
	run python3 - "$CIVIC_ROOT/share/civic/labels" "$CIVIC_ROOT/scripts/gen-registry" <<'PY'
import csv, glob, os, re, sys
rows = [r for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.csv"))) for r in csv.DictReader(open(f, encoding="utf-8"))]
for r in rows:
    assert r["label_en"] and r["label_ru"] and r["label_uz"], r
    assert re.search("[а-яё]", r["label_ru"], re.I) or r["label_ru"].isascii() and any(c.isdigit() for c in r["label_ru"]), r
have = {(r["column"], r["value"]) for r in rows}
src = open(sys.argv[2], encoding="utf-8").read()
want = [("channel", c) for c in re.findall(r'\("([a-z_0-9]+)", \d+\)', src.split("CHANNELS =")[1].split("\n")[0])]
want += [("outcome", c) for c in re.findall(r'\("([a-z_]+)", \d+\)', src.split("OUTCOMES =")[1].split("DUTY")[0])]
want += [("region", r) for r in re.findall(r'\("([A-Z][A-Za-z ]+)", \d+, \[', src)]
want += [("register", v) for v in ("form1", "form2", "alphabetical")]
missing = [w for w in want if w not in have]
assert not missing, missing
print(len(want))
PY
	assert_success
}
