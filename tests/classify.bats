#!/usr/bin/env bats
# civic-classify: rule books, folding, modes, statistics, limits, I/O.

load helper

setup() {
	setup_scratch
	F="$FIXTURES/classify"
}

# --- matching --------------------------------------------------------------

@test "Cyrillic and Uzbek Latin match whatever the case and apostrophe" {
	run civic-classify -r "$F/basic.rules" --explain "$F/subjects.csv"
	assert_success
	assert_output - <<'EOF'
id,subject,category,category_rule
1,КРАЖА ТЕЛЕФОНА,theft,theft.ru
2,кража телефона,theft,theft.ru
3,Telefon O'G'IRLANGAN,theft,theft.uz
4,telefon oʻgʻirlangan,theft,theft.uz
5,TELEFON O’G’IRLANDI,theft,theft.uz
6,telefon o`g`irlangan,theft,theft.uz
7,мошенники украли деньги,theft,theft.ru
8,  lost   PASSPORT ,documents,basic.rules:12
9,привет,other,default
EOF
}

@test "a pattern written in one apostrophe, case or Uzbek Cyrillic letter matches the others" {
	cat > b.rules <<'EOF'
set c
from t
default -
uz     yes   \bO‘G‘RI\b
uzc    yes   \bЎҒРИ\b
EOF
	printf '%s\n' t "o'g'ri" 'OʻGʻRI' 'o`g`ri' 'ŏğri' ogri угри ЎҒРИ > in.csv
	run civic-classify -r b.rules in.csv
	assert_success
	assert_output - <<'EOF'
t,c
o'g'ri,yes
OʻGʻRI,yes
o`g`ri,yes
ŏğri,yes
ogri,-
угри,yes
ЎҒРИ,yes
EOF
}

@test "--all joins every matching label in book order, once each" {
	run civic-classify -r "$F/basic.rules" --all "$F/subjects.csv"
	assert_success
	assert_line --index 1 '1,КРАЖА ТЕЛЕФОНА,theft;gadget'
	assert_line --index 7 '7,мошенники украли деньги,theft;fraud'
	assert_line --index 9 '9,привет,other'
}

@test "--explode writes one row per matching label" {
	printf 'id,subject\n1,кража телефона\n2,привет\n' > in.csv
	run civic-classify -r "$F/basic.rules" --all --explode --explain in.csv
	assert_success
	assert_output - <<'EOF'
id,subject,category,category_rule
1,кража телефона,theft,theft.ru
1,кража телефона,gadget,phone
2,привет,other,default
EOF
}

@test "--unmatched keeps the input rows no rule matched" {
	run civic-classify -r "$F/basic.rules" --unmatched left.csv "$F/subjects.csv"
	assert_success
	run cat left.csv
	assert_output - <<'EOF'
id,subject
9,привет
EOF
}

@test "--stats counts hits and flags shadowed and never-matched rules" {
	run civic-classify -r "$F/basic.rules" --stats=stats.tsv -o /dev/null "$F/subjects.csv"
	assert_success
	run sed "s|$F|FIXTURE|" stats.tsv
	assert_output - <<'EOF'
set	rule	label	source	matched	decided	note
category	theft.ru	theft	FIXTURE/basic.rules:6	3	3	
category	theft.uz	theft	FIXTURE/basic.rules:7	4	4	
category	fraud	fraud	FIXTURE/basic.rules:8	1	0	shadowed
category	phone	gadget	FIXTURE/basic.rules:9	6	0	shadowed
category	theft.dup	theft	FIXTURE/basic.rules:10	2	0	shadowed
category	never	unused	FIXTURE/basic.rules:11	0	0	never matched
category	basic.rules:12	documents	FIXTURE/basic.rules:12	1	1	
category	(default)	other		1	1	
EOF
}

@test "--stats alone writes to standard error" {
	run --separate-stderr civic-classify -r "$F/basic.rules" --stats "$F/subjects.csv"
	assert_success
	[[ "$stderr" == *$'never\tunused'*'never matched'* ]]
}

@test "-c names the output column; a set reads its own column when it names none" {
	printf 'register\nForm 1\nАлфавитная книга\n' > in.csv
	run civic-classify -r registers.rules -c register_code in.csv
	assert_success
	assert_output - <<'EOF'
register,register_code
Form 1,form1
Алфавитная книга,alphabetical
EOF
}

@test "include reads another book beside the including one" {
	run civic-classify -r "$F/include.rules" "$F/subjects.csv"
	assert_success
	assert_line --index 8 '8,  lost   PASSPORT ,documents'
}

@test "NDJSON in, NDJSON out" {
	printf '{"subject":"Кража велосипеда"}\n' > in.json
	run civic-classify -r subjects.rules in.json
	assert_success
	assert_output '{"subject":"Кража велосипеда","category":"theft"}'
}

# --- kept values while the record grows ------------------------------------
# A kept value is copied from the record into the same record, whose buffer
# may move as it grows: on the first record, mid-file when a row is longer
# than every row before it, short and very long.  Run under VALGRIND=1 and
# SANITIZE=1, these catch a copy that reads the buffer it grows.

# n copies of s on one line.
repeat() { yes "$2" | head -n "$1" | tr -d '\n'; }

keep_book() {
	cat > keep.rules <<'EOF'
set code
from text
keep
hit  HIT  ^zzz$
EOF
}

# id,text rows, short and long, the longest ones mid-file, as CSV and NDJSON.
growing_rows() {
	{
		echo id,text
		echo 1,a
		echo 2,zzz
		echo "3,$(repeat 300 ж)"
		echo 4,b
		echo "5,$(repeat 40000 'жq')"
		echo 6,
		echo 7,zzz
		echo "8,$(repeat 200000 ў)"
		echo 9,c
	} > in.csv
	awk -F, 'NR > 1 { printf "{\"id\":\"%s\",\"text\":\"%s\"}\n", $1, $2 }' in.csv > in.json
}

@test "-c with a shipped book that keeps: the kept value, not freed memory" {
	run civic-classify -r registers.rules -c register_code <<<$'register\nКнига учёта\nАлф. книга'
	assert_success
	assert_output $'register,register_code\nКнига учёта,Книга учёта\nАлф. книга,alphabetical'
}

@test "a kept value copied into a new column, short and long records, first and mid-file" {
	keep_book
	growing_rows
	awk -F, 'NR == 1 { print $0 ",code"; next } { print $0 "," ($2 == "zzz" ? "HIT" : $2) }' \
		in.csv > want.csv
	for input in in.csv in.json; do
		run civic-classify -r keep.rules --csv -o out.csv "$input"
		assert_success
		run cmp want.csv out.csv
		assert_success
	done
}

@test "a kept value copied into a column rewritten in place, short and long records" {
	keep_book
	growing_rows
	awk -F, 'NR == 1 { print "id,code,text"; next } { print $1 ",old" $1 "," $2 }' in.csv > in3.csv
	awk -F, 'NR == 1 { print; next } { print $1 "," ($3 == "zzz" ? "HIT" : $3) "," $3 }' \
		in3.csv > want.csv
	run civic-classify -r keep.rules -o out.csv in3.csv
	assert_success
	run cmp want.csv out.csv
	assert_success
}

@test "--all, --explode and --explain with kept values in long records" {
	keep_book
	growing_rows
	awk -F, 'NR == 1 { print $0 ",code,code_rule"; next }
		{ print $0 "," ($2 == "zzz" ? "HIT,hit" : $2 ",default") }' in.csv > want.csv
	for mode in --all '--all --explode'; do
		# shellcheck disable=SC2086
		run civic-classify -r keep.rules $mode --explain -o out.csv in.csv
		assert_success
		run cmp want.csv out.csv
		assert_success
	done
}

@test "a set keeps its column as read, whatever an earlier set wrote there in place" {
	cat > two.rules <<'EOF'
set register
keep
f1  form1  form\s*1

set raw
from register
keep
never  X  ^never$
EOF
	long=$(repeat 30000 'Form 1 ')
	printf 'register\nForm 1\nsomething\n%s\nForm  1\n' "$long" > in.csv
	run civic-classify -r two.rules -o out.csv in.csv
	assert_success
	printf 'register,raw\nform1,Form 1\nsomething,something\nform1,%s\nform1,Form  1\n' "$long" > want.csv
	run cmp want.csv out.csv
	assert_success
}

# --- shipped books ---------------------------------------------------------

@test "registers.rules and services.rules recode in place and keep what they do not know" {
	run civic-classify -r registers.rules -r services.rules "$F/registers-in.csv"
	assert_success
	assert_output "$(cat "$F/registers-out.csv")"
}

@test "likert.rules codes scales in three languages, dk and refused apart" {
	run civic-classify -r likert.rules -a trust5=trust -a agree5=agree \
		-a satisfaction5=sat -a yesno=report "$F/likert-in.csv"
	assert_success
	assert_output "$(cat "$F/likert-out.csv")"
}

@test "trust5_mid codes hard to say as the midpoint" {
	printf 'q\nHard to say\nDon'"'"'t know\nЗатрудняюсь ответить\n' > in.csv
	run civic-classify -r likert.rules -a trust5_mid=q in.csv
	assert_success
	assert_output $'q\n3\ndk\n3'
}

@test "subjects.rules codes held-out phrasings in four scripts and languages" {
	command -v python3 >/dev/null || skip "python3 is needed to compare"
	civic-classify -r subjects.rules --json "$F/subjects-heldout.csv" > out.json
	run python3 -c '
import json, sys
for line in open("out.json"):
    r = json.loads(line)
    if r["category"] != r["expected"]:
        print(r["subject"], r["expected"], r["category"], sep=" | ")
'
	assert_success
	assert_output ''
}

# dv-heldout.csv: domestic-violence phrasings in Russian, Uzbek (Latin and
# Cyrillic) and English, and look-alikes that are not (a man beaten, a
# husband beating a son, a wife robbed), written apart from the book.
@test "subjects.rules codes held-out domestic-violence phrasings, and not their look-alikes" {
	command -v python3 >/dev/null || skip "python3 is needed to compare"
	civic-classify -r subjects.rules --json "$F/dv-heldout.csv" > out.json
	run python3 -c '
import json, sys
rows = [json.loads(line) for line in open("out.json")]
for r in rows:
    if r["category"] != r["expected"]:
        print(r["subject"], r["expected"], r["category"], sep=" | ")
print(len(rows), "rows")
'
	assert_success
	assert_output '73 rows'
}

@test "gen-registry --dirty | civic-ingest | civic-classify reproduces the truth counts" {
	command -v python3 >/dev/null || skip "python3 is needed for gen-registry"
	gen-registry -n 3000 --seed 42 --dirty --truth truth.json \
		| civic-ingest -q -s registry.json --max-rejects 100% 2>/dev/null \
		| civic-classify -r registers.rules -r services.rules -r subjects.rules --json > out.json
	run python3 - <<'EOF'
import json
from collections import Counter
truth = json.load(open("truth.json"))
rows = [json.loads(l) for l in open("out.json")]
for key in ("register", "service", "category"):
    got = Counter(r[key] for r in rows)
    if got != Counter(truth[key]):
        print(key, dict(got), truth[key])
EOF
	assert_success
	assert_output ''
}

# --- limits and rejects ----------------------------------------------------

@test "a catastrophic pattern costs a reject, and the run goes on" {
	{ echo text; echo ok; printf 'a%.0s' $(seq 10000); echo b; echo aaa; } > in.csv
	run --separate-stderr civic-classify -r "$F/catastrophic.rules" --rejects rej.json in.csv
	assert_failure 1
	assert_output $'text,verdict\nok,fine\naaa,bad'
	[[ "$stderr" == *'in.csv:3: text: rule '\''catastrophic'\'' ('*'catastrophic.rules:4) ran out of its backtracking budget'* ]]
	run grep -c '"line":3,"reason":"match-limit","column":"text"' rej.json
	assert_output 1
}

@test "--max-rejects tolerates a catastrophic row" {
	{ echo text; printf 'a%.0s' $(seq 10000); echo b; } > in.csv
	run civic-classify -r "$F/catastrophic.rules" --max-rejects 1 in.csv
	assert_success
}

# --- errors ----------------------------------------------------------------

@test "--check reports a pattern error at FILE:LINE:COLUMN with a caret" {
	run civic-classify --check -r "$F/syntax.rules"
	assert_failure 1
	assert_output - <<EOF
civic-classify: $F/syntax.rules:4:29: missing closing parenthesis
    	bad.rule  theft  o'g'ir(lik
    	                           ^
EOF
}

@test "--check reports every error of a book, not just the first" {
	cat > b.rules <<'EOF'
id  x  y
set s
from t
a  x  (
a  y  ok
map foo -> x
map FOO -> y
(*LIMIT_MATCH=99999999)x z (*LIMIT_MATCH=99999999)x
lonely
use nothing
EOF
	run civic-classify --check -r b.rules
	assert_failure 1
	assert_output - <<'EOF'
civic-classify: b.rules:1:1: a rule outside a rule set (start one with 'set NAME')
    id  x  y
    ^
civic-classify: b.rules:4:8: missing closing parenthesis
    a  x  (
           ^
civic-classify: b.rules:5:1: rule id 'a' is already used at b.rules:4
    a  y  ok
    ^
civic-classify: b.rules:7:5: value 'foo' is already mapped at b.rules:6
    map FOO -> y
        ^
civic-classify: b.rules:8:1: rule id '(*LIMIT_MATCH=99999999)x' may hold only letters, digits and _ . - :
    (*LIMIT_MATCH=99999999)x z (*LIMIT_MATCH=99999999)x
    ^
civic-classify: b.rules:9:1: expected 'ID LABEL PATTERN'
    lonely
    ^
civic-classify: b.rules:10:5: no rule set 'nothing' is defined before this line
    use nothing
        ^
EOF
}

@test "a pattern may not raise the command's limits with (*" {
	printf 'set s\nfrom t\nr x (*LIMIT_MATCH=99999999)a\n' > b.rules
	run civic-classify --check -r b.rules
	assert_failure 1
	assert_line --index 0 "civic-classify: b.rules:3:5: a pattern may not start with '(*': limits and options are the command's"
}

@test "an include cycle is an error, not a hang" {
	run civic-classify --check -r "$F/cycle-a.rules"
	assert_failure 1
	assert_output "civic-classify: $F/cycle-b.rules:1: '$F/cycle-a.rules' includes itself"
}

# An include may name any file: its lines were echoed under each error,
# /etc/passwd's first line among them.
@test "an included file's lines are never quoted: its first error by line number, the rest counted" {
	printf 'secret-token: hunter2 x\nsecond line\n' > private.txt
	printf 'set s\nfrom t\ninclude %s/private.txt\nr x y\n' "$PWD" > b.rules
	run civic-classify --check -r b.rules
	assert_failure 1
	assert_output "civic-classify: $PWD/private.txt:1: a rule outside a rule set (start one with 'set NAME')
civic-classify: $PWD/private.txt: 1 more error in this included book (check it by itself with civic-classify --check -r $PWD/private.txt)"
	printf 'include /etc/passwd\n' > p.rules
	run civic-classify --check -r p.rules
	assert_failure 1
	[[ "$output" != *root:* ]] || fail "quoted /etc/passwd: $output"
	# the book named on the command line is quoted as ever
	run civic-classify --check -r private.txt
	assert_line --index 1 '    secret-token: hunter2 x'
}

@test "a rule set whose column is missing fails the run" {
	printf 'other\nx\n' > in.csv
	run civic-classify -r "$F/basic.rules" in.csv
	assert_failure 1
	assert_output "civic-classify: $F/basic.rules:2: rule set 'category' reads column 'subject', which the input does not have"
}

@test "a book that is not there" {
	run civic-classify -r no-such.rules /dev/null
	assert_failure 1
	assert_output "civic-classify: no-such.rules: cannot open rule book: no such file here or among the shipped books"
}

@test "usage errors exit 2" {
	run civic-classify
	assert_failure 2
	assert_line --index 0 'civic-classify: name a rule book with -r'
	run civic-classify -r subjects.rules --explode
	assert_failure 2
	run civic-classify -r likert.rules /dev/null
	assert_failure 2
	assert_line --index 0 'civic-classify: the books define only templates: run one with -a SET=COLUMN'
	run civic-classify -r likert.rules -a nosuch=x /dev/null
	assert_failure 2
	assert_line --index 0 "civic-classify: -a: no rule set or template 'nosuch' in the books"
	run civic-classify -r registers.rules -r services.rules -c x /dev/null
	assert_failure 2
}

# --- I/O -------------------------------------------------------------------

@test "a full disk is an error" {
	run civic-classify -r subjects.rules "$F/subjects.csv" -o /dev/full
	assert_failure 1
	run --separate-stderr sh -c 'civic-classify -r subjects.rules "$1" > /dev/full' sh "$F/subjects.csv"
	assert_failure 1
	[[ "$stderr" == *'No space left on device'* ]]
}

@test "| head ends quietly" {
	for i in $(seq 20000); do echo "$i,кража"; done | sed '1i id,subject' > big.csv
	run --separate-stderr sh -c 'civic-classify -r subjects.rules big.csv | head -1'
	assert_success
	assert_output 'id,subject,category'
	assert_equal "$stderr" ''
}

@test "an unreadable operand is reported and the others are classified" {
	printf 'subject\nкража\n' > in.csv
	run --separate-stderr civic-classify -r subjects.rules no-such.csv in.csv
	assert_failure 1
	assert_output $'subject,category\nкража,theft'
}

@test "--help prints the usage, --version the version" {
	run civic-classify --help
	assert_success
	assert_line --index 0 --partial 'usage: civic-classify -r book'
	run civic-classify --version
	assert_success
	assert_output --regexp '^civic-classify \(civic\) '
}
