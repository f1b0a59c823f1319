#!/usr/bin/env bats
# civic-filter, civic-tally --where and the condition language they share
# with share:COND (civic(7), CONDITIONS).
#
# Under valgrind (a second a command) the table of conditions runs each
# true or false case once, without its negation (the missing cases keep
# it); every case still runs.

load helper

setup() {
	setup_scratch
	printf '%s\n' 'region,channel,amount,code,note,rating,received_at,resolved_at,odd,subject,city' \
		'north,web,5,007,,dk,2024-03-05,2024-03-25,5.3.2024,O‘G‘IRLIK Ёлка,Тошкент шаҳри' > row.csv
}

# 1 when COND keeps the one row of row.csv; "true", "false" or "missing"
# from COND and not (COND): a missing test is neither.
truth() {
	local yes no
	yes=$(civic-filter -q "$1" row.csv | wc -l)
	no=$(civic-filter -q "not ($1)" row.csv | wc -l)
	case $yes$no in
	21) echo true ;;
	12) echo false ;;
	11) echo missing ;;
	*) echo "broken: $yes $no" ;;
	esac
}

@test "the condition language: a table of cases, true, false, missing, usage errors and rejects" {
	local cond want got
	while IFS='|' read -r cond want; do
		case $want in
		true|false)
			if valgrind_light; then
				# the negation is run for the missing cases below
				got=$(civic-filter -q "$cond" row.csv) || fail "'$cond' exited $?"
				got=$(wc -l <<< "$got")
				[ "$got" = "$([ "$want" = true ] && echo 2 || echo 1)" ] ||
					fail "'$cond' keeps $((got - 1)) rows, not what $want keeps"
				continue
			fi
			got=$(truth "$cond")
			[ "$got" = "$want" ] || fail "'$cond' is $got, not $want"
			;;
		missing)
			got=$(truth "$cond")
			[ "$got" = "$want" ] || fail "'$cond' is $got, not $want"
			;;
		2:*)
			run --separate-stderr civic-filter "$cond" row.csv
			[ "$status" = 2 ] || fail "'$cond' exited $status, not 2"
			[ "$(sed -n 1p <<< "$stderr")" = "civic-filter: ${want#2:}" ] ||
				fail "'$cond' said: $(sed -n 1p <<< "$stderr"), not: civic-filter: ${want#2:}"
			[ "$(sed -n 3p <<< "$stderr" | tr -d ' ')" = '^' ] || fail "'$cond': no caret"
			;;
		reject:*)
			run --separate-stderr civic-filter "$cond" row.csv
			[ "$status" = 1 ] || fail "'$cond' exited $status, not 1"
			[ "$(sed -n 1p <<< "$stderr")" = "civic-filter: row.csv:2: ${want#reject:}" ] ||
				fail "'$cond' said: $(sed -n 1p <<< "$stderr")"
			;;
		esac
	done <<-'EOF'
	region = north|true
	region = North|false
	region != south|true
	  region=north  |true
	amount = 5|true
	amount = 5.0|true
	amount > 4.5|true
	amount <= 4|false
	code = 7|true
	code = '007'|true
	rating = dk|true
	received_at >= 2024-03-01|true
	received_at < 2024-03-05|false
	received_at = '2024-03-05'|true
	month(received_at) = 2024-03|true
	month(received_at) < 2024-03|false
	quarter(received_at) = 2024-Q1|true
	year(received_at) = 2024|true
	week(received_at) = 2024-W10|true
	weekday(received_at) = Tue|true
	days(received_at, resolved_at) = 20|true
	days(received_at,resolved_at) > 20|false
	month(odd) = 2024-03|true
	region in (south, north)|true
	region in (south, 'west side')|false
	region not in (south)|true
	region IN (north) AND NOT amount > 5|true
	subject ~ "o'g'irlik"|true
	subject ~ 'ЕЛКА'|true
	subject ~ 'ёлка$'|true
	subject ~ '^елка'|false
	subject !~ 'кража'|true
	subject ~ 'o‘g‘irlik\s'|true
	city ~ 'шахри'|true
	city ~ '\bТОШКЕНТ\b'|true
	note is empty|true
	note is not empty|false
	region is empty|false
	note = x|missing
	note != x|missing
	note ~ x|missing
	note in (x, y)|missing
	not note = x|missing
	note = x or region = north|true
	note = x or region = south|missing
	note = x and region = north|missing
	note = x and region = south|false
	days(received_at,note) > 1|missing
	not (region = north and amount > 10)|true
	region = north and (amount > 10 or channel = web)|true
	region = south or region = north and channel = post|false
	(region = south or region = north) and channel = web|true
	region = 'north' and city = "Тошкент шаҳри"|true
	region < north|2:'north' is neither a number nor a date: < <= > >= compare numbers and dates (text takes = or !=)
	regon = north|2:no column 'regon' (did you mean 'region'?)
	REGION = north|2:no column 'REGION'
	region = north adn amount > 1|2:unexpected 'adn' (did you mean 'and'?)
	region = north orr amount > 1|2:unexpected 'orr' (did you mean 'or'?)
	region si empty|2:unknown operator 'si' after 'region' (did you mean 'is'?)
	region is full|2:expected 'empty' or 'not empty' after 'is'
	region north|2:expected an operator after 'region': = != < <= > >= ~ !~ in, is empty
	mnth(received_at) = 2024-03|2:unknown function 'mnth' (did you mean 'month'?)
	month(received_at) = 3|2:month() is a date key, not a number: compare it as text, with = or !=
	month(received_at) > 2024-03-01|2:'2024-03-01' is not a month() key: < <= > >= compare month() with a value of its form, such as '2024-03'
	year(received_at) = last|2:year(received_at) is a number: compare it with a number, not 'last'
	amount =< 4|2:unknown operator '=<' in a condition (did you mean '<='?)
	amount <> 4|2:unknown operator '<>' in a condition (did you mean '!='?)
	region =~ north|2:unknown operator '=~' in a condition (did you mean '~'?)
	region = west side|2:unexpected 'side': tests are joined with 'and' or 'or', and a value with spaces is quoted ('like this')
	region = 'north|2:a quote ' is never closed
	(region = north|2:this '(' is never closed
	region = north)|2:a ')' that closes nothing
	region = north and|2:a condition ends where a column was expected
	region =|2:a condition needs a value after its operator (an empty field is missing, never compared)
	region = ''|2:a condition needs a value after its operator (an empty field is missing, never compared)
	subject ~ '(a'|2:bad pattern: missing closing parenthesis
	subject ~ '(*LIMIT_MATCH=9)a'|2:a pattern may not start with '(*': limits and options are the command's
	region in north|2:'in' takes a list in parentheses, as in region in (north, 'south west')
	region in (north,)|2:expected a value in the list of 'in'
	region = north region = south|2:unexpected 'region': tests are joined with 'and' or 'or', and a value with spaces is quoted ('like this')
	region > 3|reject:region: 'north' is not a number
	odd >= 2024-01-01|reject:odd: '5.3.2024' is not a date (yyyy-mm-dd)
	month(region) = 2024-03|reject:region: 'north' is not a date
	region = north or amount > x1|2:'x1' is neither a number nor a date: < <= > >= compare numbers and dates (text takes = or !=)
	region = north or region > 3|reject:region: 'north' is not a number
	region = south and not (odd >= 2024-01-01)|reject:odd: '5.3.2024' is not a date (yyyy-mm-dd)
	region = south and channel = web|false
	region = north or channel = web|true
	EOF
}

@test "an empty condition and a missing one are usage errors" {
	run --separate-stderr civic-filter '' row.csv
	assert_failure 2
	assert_equal "$(sed -n 1p <<< "$stderr")" 'civic-filter: an empty condition'
	run --separate-stderr civic-filter
	assert_failure 2
	assert_equal "$(sed -n 1p <<< "$stderr")" "civic-filter: a condition is required, as in civic-filter 'region = north'"
}

@test "the caret counts characters: it stands under the fault after Cyrillic" {
	run --separate-stderr civic-filter "city = 'Тошкент' and регион = x" row.csv
	assert_failure 2
	assert_equal "$stderr" "civic-filter: no column 'регион'
    city = 'Тошкент' and регион = x
                         ^
Try 'civic-filter --help' for more information."
}

@test "a catastrophic pattern costs a reject, not a hang" {
	{ echo s; printf 'a%.0s' $(seq 3000); echo b; echo aaa; } > slow.csv
	run --separate-stderr timeout 60 civic-filter --max-rejects 1 --rejects rej.ndjson 's ~ "(a+)+$"' slow.csv
	assert_success
	assert_output $'s\naaa'
	assert_equal "$(jq -r .reason rej.ndjson)" match-limit
	assert_equal "$(sed -n 2p <<< "$stderr")" 'civic-filter: read 2, kept 1, dropped 0, rejected 1'
}

@test "a field that is not UTF-8 is a reject for a pattern" {
	printf 's\n\377x\nx\n' > bad.csv
	run --separate-stderr civic-filter --max-rejects 1 --rejects rej.ndjson 's ~ x' bad.csv
	assert_output $'s\nx'
	assert_equal "$(jq -r .reason rej.ndjson)" invalid-utf8
}

# ---- civic-filter ----------------------------------------------------------

@test "keeps the matching records as they were, in CSV, and says read = kept + dropped + rejected" {
	printf 'id,region,note\n1,north,"a, ""b"""\n2,south,\n3,north,"two\nlines"\n4,west,x\n' > in.csv
	run --separate-stderr civic-filter 'region = north' in.csv
	assert_success
	assert_output 'id,region,note
1,north,"a, ""b"""
3,north,"two
lines"'
	assert_equal "$stderr" 'civic-filter: read 4, kept 2, dropped 2, rejected 0'
	run --separate-stderr civic-filter -v 'region = north' in.csv
	assert_output $'id,region,note\n2,south,\n4,west,x'
	assert_equal "$stderr" 'civic-filter: read 4, kept 2, dropped 2, rejected 0'
	# -v keeps what does not hold: false or missing
	run --separate-stderr civic-filter -q -v 'note ~ x' in.csv
	assert_output $'id,region,note\n1,north,"a, ""b"""\n2,south,\n3,north,"two\nlines"'
	assert_equal "$stderr" ''
}

@test "a kept record is written as the writer writes it; a bad byte in a column the condition skips is a reject" {
	printf 'id,region,note\r\n1,north,"plain"\r\n2,north,a"b\r\n3,north,"q""x, y"\r\n4,south,\377x\r\n5,north,"\200\360"\r\n6,north,x\r\n' > c.csv
	printf 'id;region;note\n1;north;a,b\n2;north;"two\nlines"\n3;north;plain\n' > s.csv
	for engine in scan libcsv; do
		CIVIC_CSV_ENGINE=$engine run --separate-stderr civic-filter --max-rejects 2 --rejects rej.ndjson 'region = north' c.csv
		assert_success
		assert_output $'id,region,note\n1,north,plain\n2,north,"a""b"\n3,north,"q""x, y"\n6,north,x'
		assert_equal "$(jq -r '[.line, .reason, .column, .message] | join(" ")' rej.ndjson)" \
'5 invalid-utf8 note invalid UTF-8 at byte 73 (the bytes look like Windows-1251: try -e cp1251)
6 invalid-utf8 note invalid UTF-8 at byte 86'
		CIVIC_CSV_ENGINE=$engine run civic-filter -q 'region = north' s.csv
		assert_output $'id,region,note\n1,north,"a,b"\n2,north,"two\nlines"\n3,north,plain'
	done
}

@test "NDJSON in, NDJSON out, types kept; --csv and --json convert" {
	printf '{"id":1,"region":"north","ok":true}\n{"id":2,"region":"south","ok":false}\n{"id":3,"region":"north","ok":null}\n' > in.ndjson
	run --separate-stderr civic-filter 'region = north' in.ndjson
	assert_success
	assert_output '{"id":1,"region":"north","ok":true}
{"id":3,"region":"north","ok":null}'
	run --separate-stderr civic-filter --csv 'id >= 2' in.ndjson
	assert_output $'id,region,ok\n2,south,false\n3,north,'
	printf 'id,region\n1,north\n' > in.csv
	run --separate-stderr civic-filter --json 'id = 1' in.csv
	assert_output '{"id":"1","region":"north"}'
}

@test "--columns keeps and orders columns, --rename renames them" {
	printf 'id,region,amount\n1,north,5\n2,south,7\n' > in.csv
	run --separate-stderr civic-filter --columns amount,id --rename amount=sum --rename id=no 'amount > 6' in.csv
	assert_success
	assert_output $'sum,no\n7,2'
	# a column the condition reads need not be written
	run --separate-stderr civic-filter --columns id 'region = north' in.csv
	assert_output $'id\n1'
	run --separate-stderr civic-filter --columns id,regoin 'id = 1' in.csv
	assert_failure 2
	assert_equal "$(sed -n 1p <<< "$stderr")" "civic-filter: --columns: no column 'regoin' (did you mean 'region'?)"
	run --separate-stderr civic-filter --columns id,id 'id = 1' in.csv
	assert_failure 2
	run --separate-stderr civic-filter --rename id 'id = 1' in.csv
	assert_failure 2
	assert_equal "$(sed -n 1p <<< "$stderr")" "civic-filter: --rename takes OLD=NEW: 'id'"
	run --separate-stderr civic-filter --rename id=region 'id = 1' in.csv
	assert_failure 2
	assert_equal "$(sed -n 1p <<< "$stderr")" "civic-filter: --rename id=region: the output already has a column 'region'"
	run --separate-stderr civic-filter --columns id --rename amount=x 'id = 1' in.csv
	assert_failure 2
	assert_equal "$(sed -n 1p <<< "$stderr")" "civic-filter: --rename: no column 'amount'"
}

@test "rejects: a row the condition cannot read goes to --rejects with its line; --max-rejects tolerates" {
	printf 'id,amount\n1,5\n2,five\n3,9\n' > in.csv
	run --separate-stderr civic-filter --rejects rej.ndjson 'amount > 4' in.csv
	assert_failure 1
	assert_output $'id,amount\n1,5\n3,9'
	assert_equal "$stderr" "civic-filter: in.csv:3: amount: 'five' is not a number
civic-filter: read 3, kept 2, dropped 0, rejected 1
civic-filter: 1 rejected record exceeds the tolerance (--max-rejects)"
	assert_equal "$(jq -c '[.line, .reason, .record]' rej.ndjson)" '[3,"not-a-number","2,five"]'
	run --separate-stderr civic-filter --max-rejects 1 'amount > 4' in.csv
	assert_success
	# a record the reader rejects is counted too
	printf 'id,amount\n1,5\n2,3,extra\n' > ragged.csv
	run --separate-stderr civic-filter --max-rejects 1 'amount > 4' ragged.csv
	assert_success
	assert_equal "$(sed -n 2p <<< "$stderr")" 'civic-filter: read 2, kept 1, dropped 0, rejected 1'
}

@test "-o writes atomically; a failed run leaves the previous file" {
	printf 'id,amount\n1,5\n2,five\n' > in.csv
	echo previous > out.csv
	run civic-filter -o out.csv 'id = 1' in.csv
	assert_success
	assert_equal "$(cat out.csv)" $'id,amount\n1,5'
	echo previous > out.csv
	run civic-filter -o out.csv 'id = 1' no-such.csv
	assert_failure 1
	assert_equal "$(cat out.csv)" previous
	run civic-filter -o out.csv --rejects out.csv 'id = 1' in.csv
	assert_failure 2
}

@test "an unreadable operand is reported and the others are filtered" {
	printf 'id\n1\n2\n' > in.csv
	run --separate-stderr civic-filter 'id = 2' no-such.csv in.csv
	assert_failure 1
	assert_output $'id\n2'
}

@test "a full disk is an error; | head ends quietly" {
	printf 'id\n1\n' > in.csv
	run civic-filter 'id = 1' in.csv -o /dev/full
	assert_failure 1
	run --separate-stderr sh -c 'civic-filter "id = 1" in.csv > /dev/full'
	assert_failure 1
	[[ "$stderr" == *'No space left on device'* ]]
	seq 50000 | sed '1i id' > big.csv
	run --separate-stderr sh -c 'civic-filter -q "id > 0" big.csv | head -1'
	assert_success
	assert_output id
	assert_equal "$stderr" ''
}

@test "civic filter runs civic-filter; --help and --version" {
	printf 'id\n1\n2\n' > in.csv
	run civic filter -q 'id = 2' in.csv
	assert_success
	assert_output $'id\n2'
	run civic-filter --help
	assert_success
	assert_line --index 0 --partial 'usage: civic-filter'
	run civic-filter --version
	assert_success
	assert_output --regexp '^civic-filter \(civic\) '
	run civic-filter --bogus 'id = 1'
	assert_failure 2
}

# ---- civic-tally --where ----------------------------------------------------

@test "--where equals civic-filter | civic-tally on the generated registry, and an independent count" {
	gen-registry -n 4000 --seed 11 --canonical --category > reg.csv
	local cond spec=(-g region,channel -s 'count,share,median:days(received_at,resolved_at),share:outcome=pending')
	while IFS= read -r cond; do
		civic-tally "${spec[@]}" --where "$cond" reg.csv > where.csv
		civic-filter -q "$cond" reg.csv | civic-tally "${spec[@]}" > piped.csv
		cmp where.csv piped.csv || fail "'$cond': $(diff where.csv piped.csv | head -5)"
		[ "$(wc -l < where.csv)" -gt 2 ] || fail "'$cond' keeps too little to test"
	done <<-'EOF'
	region in (Andijan, Fergana, 'Tashkent city') and channel != written
	month(received_at) >= 2024-06 or resolved_at is empty
	subject ~ 'кража|o''g''irlik|theft|телефон' and not category = theft
	days(received_at, resolved_at) > 15
	weekday(received_at) in (Sat, Sun) or quarter(received_at) = 2024-Q4
	EOF
	# two --where: both must hold
	civic-tally -g register --where 'channel = phone_102' --where 'received_at < 2024-07-01' reg.csv > two.csv
	civic-filter -q 'channel = phone_102 and received_at < 2024-07-01' reg.csv | civic-tally -g register > one.csv
	cmp two.csv one.csv
	# an oracle apart from civic: Python's csv module counts the same rows
	civic-tally --where "region in (Andijan, Fergana) and channel != written" reg.csv > n.csv
	want=$(/usr/bin/python3 -c '
import csv, sys
rows = csv.DictReader(open("reg.csv", encoding="utf-8", newline=""))
print(sum(1 for r in rows if r["region"] in ("Andijan", "Fergana") and r["channel"] != "written"))')
	assert_equal "$(cat n.csv)" "count
$want"
}

@test "--where on two threads gives one thread's table" {
	gen-registry -n 3000 --seed 7 --canonical > big.csv
	for t in 1 2; do
		CIVIC_THREADS=$t civic-tally -g service -s count,share --where 'region in (Andijan, Samarkand)' big.csv > $t.out
	done
	cmp 1.out 2.out
}

@test "--where: a row it cannot read is a reject; a mistaken condition a usage error with a caret" {
	printf 'g,amount\na,5\nb,x\na,9\nb,1\n' > m.csv
	run --separate-stderr civic-tally -g g --max-rejects 1 --where 'amount > 4' m.csv
	assert_success
	assert_output $'g,count\na,2'
	assert_equal "$stderr" "civic-tally: m.csv:3: amount: 'x' is not a number"
	run --separate-stderr civic-tally -g g --where 'amout > 4' m.csv
	assert_failure 2
	assert_equal "$stderr" "civic-tally: --where: no column 'amout' (did you mean 'amount'?)
    amout > 4
    ^
Try 'civic-tally --help' for more information."
	run --separate-stderr civic-tally --where 'g = a andd amount > 1' m.csv
	assert_failure 2
	assert_equal "$(sed -n 1p <<< "$stderr")" "civic-tally: unexpected 'andd' (did you mean 'and'?)"
	run civic-tally --merge --where 'g = a' x.part
	assert_failure 2
}

@test "share: reads the whole language" {
	printf 'g,amount,ch\na,5,web\na,,post\na,9,web\nb,1,post\n' > m.csv
	run civic-tally -g g -s "count,share:amount > 4 and ch = web,share:ch in (post),share:amount is empty" m.csv
	assert_success
	assert_output 'g,count,share_amount > 4 and ch = web,share_ch in (post),share_amount is empty
a,3,0.6666666666666666,0.3333333333333333,0.3333333333333333
b,1,0,1,0'
}

@test "--where with --partial: the partials record it, merge to one run's table, and refuse other rows' partials" {
	gen-registry -n 2000 --seed 5 --canonical > reg.csv
	{ head -1 reg.csv; sed -n '2,1000p' reg.csv; } > a.csv
	{ head -1 reg.csv; sed -n '1001,$p' reg.csv; } > b.csv
	local w=(--where 'channel in (web, online_portal, phone_102)')
	for p in a b; do civic-tally -g region -s count,share "${w[@]}" --partial -o $p.part $p.csv; done
	civic-tally --merge a.part b.part > merged.csv
	civic-tally -g region -s count,share "${w[@]}" reg.csv > one.csv
	cmp merged.csv one.csv
	civic-tally -g region -s count,share --partial -o all.part b.csv
	run --separate-stderr civic-tally --merge a.part all.part
	assert_failure 1
	assert_equal "$stderr" "civic-tally: all.part:1: this partial was made with other -g, -s, -w, design, --ci or --deff options than the first"
}

@test "column = text: an empty or blank field is missing, a value with blanks around it is not the text" {
	printf 'id,region\n1,north\n2,\n3,"  "\n4," north"\n5,"north "\n6,south\n7,"\tnorth"\n8,no\n' > b.csv
	for engine in scan libcsv; do
		CIVIC_CSV_ENGINE=$engine run civic-filter -q 'region = north' b.csv
		assert_output $'id,region\n1,north'
		CIVIC_CSV_ENGINE=$engine run civic-filter -q 'not (region = north)' b.csv
		assert_output $'id,region\n4, north\n5,north \n6,south\n7,\tnorth\n8,no'
		CIVIC_CSV_ENGINE=$engine run civic-filter -q 'region != north' b.csv
		assert_output $'id,region\n4, north\n5,north \n6,south\n7,\tnorth\n8,no'
		CIVIC_CSV_ENGINE=$engine run civic-filter -q 'not (region != " north")' b.csv
		assert_output $'id,region\n4, north'
		CIVIC_CSV_ENGINE=$engine run civic-filter -q -v 'region = north or region = south' b.csv
		assert_output $'id,region\n2,\n3,  \n4, north\n5,north \n7,\tnorth\n8,no'
	done
}
