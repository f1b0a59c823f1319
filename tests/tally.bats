#!/usr/bin/env bats
# civic-tally on small hand-checked fixtures (tests/fixtures/tally/).
# registry.csv, amounts and days from receipt to resolution per row:
#   1 form1 North prevention     2024-01-03 → 01-05   2 days  10
#   2 form2 North investigation  2024-01-15 → 02-14  30 days  20
#   3 form2 South prevention     2024-01-31 pending           30
#   4 alpha South prevention     2024-02-01 → 02-02   1 day   40
#   5 form1 North investigation  2024-02-29 → 03-20  20 days  (missing)
#   6 form2 North prevention     2024-03-04 → 03-04   0 days   5
#   7 form2 South investigation  2024-12-30 → 2025-01-10 11   15
#   8 form1 South prevention     2024-04-10 pending           25
# Survey estimates against R are tests/survey.bats.
#
# Under valgrind (a second a command) the published 19.6% / 46.0% / 34.5%
# come from a tenth of the 390,000 rows, and the split for GNU parallel is
# into fewer parts; every test and every statistic still runs.

load helper

setup() {
	setup_scratch
	F="$FIXTURES/tally"
	R="$F/registry.csv"
	DAYS='days(received_at,resolved_at)'
}

# ---- statistics -----------------------------------------------------------

@test "median of 10, 20, 30, 40 is 25; percentiles are R's type 7" {
	run civic-tally -s median:v,p25:v,p90:v,p0:v,p100:v "$F/median.csv"
	assert_success
	assert_output "median_v,p25_v,p90_v,p0_v,p100_v
25,17.5,37,10,40"
}

@test "count and share by register" {
	run civic-tally -g register -s count,share "$R"
	assert_success
	assert_output "register,count,share
alphabetical,1,0.125
form1,3,0.375
form2,4,0.5"
}

@test "count is the default statistic" {
	run civic-tally -g district "$R"
	assert_output "district,count
North,4
South,4"
}

@test "mean, sd, min, max, sum, median skip missing values; n:C and missing:C count them" {
	run civic-tally -g register -s mean:amount,sd:amount,min:amount,max:amount,sum:amount,median:amount,n:amount,missing:amount "$R"
	assert_success
	assert_output "register,mean_amount,sd_amount,min_amount,max_amount,sum_amount,median_amount,n_amount,missing_amount
alphabetical,40,,40,40,40,40,1,0
form1,17.5,10.606601717798213,10,25,35,17.5,2,1
form2,17.5,10.408329997330663,5,30,70,17.5,4,0"
}

@test "distinct counts different non-empty values; n counts rows" {
	run civic-tally -g service -s n,distinct:district,distinct:resolved_at "$R"
	assert_output "service,n,distinct_district,distinct_resolved_at
investigation,3,2,3
prevention,5,2,3"
}

@test "sums are exact decimals: 0.1 + 0.2 is 0.3" {
	printf 'v\n0.1\n0.2\n' > d.csv
	run civic-tally -s sum:v,mean:v d.csv
	assert_output "sum_v,mean_v
0.3,0.15"
}

@test "an empty key is a group of its own, sorted last; its mean is empty and its n 0" {
	run civic-tally -g "month(resolved_at)" -s "count,mean:$DAYS,n:resolved_at" "$R"
	assert_success
	assert_output "month(resolved_at),count,\"mean_$DAYS\",n_resolved_at
2024-01,1,2,1
2024-02,2,15.5,2
2024-03,2,10,2
2025-01,1,11,1
,2,,0"
}

@test "no rows at all still gives the one row of a tally without keys" {
	printf 'v\n' > empty.csv
	run civic-tally -s count,mean:v empty.csv
	assert_success
	assert_output "count,mean_v
0,"
}

# ---- keys -------------------------------------------------------------------

@test "derived keys: year, quarter, month, day" {
	run civic-tally -g "year(received_at),quarter(received_at)" "$R"
	assert_output "year(received_at),quarter(received_at),count
2024,2024-Q1,6
2024,2024-Q2,1
2024,2024-Q4,1"
	run civic-tally -g "month(received_at)" "$R"
	assert_output "month(received_at),count
2024-01,3
2024-02,2
2024-03,1
2024-04,1
2024-12,1"
	run civic-tally -g "day(resolved_at)" "$R"
	assert_line --index 1 "2024-01-05,1"
}

@test "week is the ISO week with its ISO year (2024-12-30 is in 2025-W01)" {
	run civic-tally -g "week(received_at)" "$R"
	assert_line --index 1 "2024-W01,1"
	assert_line --index 7 "2025-W01,1"
}

@test "weekdays sort Monday first" {
	run civic-tally -g "weekday(received_at)" "$R"
	assert_output "weekday(received_at),count
Mon,3
Wed,3
Thu,2"
}

@test "dd.mm.yyyy dates work in derived keys" {
	run civic-tally -g "month(d)" "$F/sorting.csv"
	assert_output "month(d),count
2023-12,2
2024-01,1
2024-02,1"
}

@test "numbers sort numerically and dates chronologically" {
	run civic-tally -g n "$F/sorting.csv"
	assert_output "n,count
9,2
10,1
100,1"
	run civic-tally -g d "$F/sorting.csv"
	assert_output "d,count
15.12.2023,2
02.01.2024,1
01.02.2024,1"
}

@test "days(A,B) as a key and in statistics; the deadline share leaves pending rows out" {
	run civic-tally -g service -s "count,share:$DAYS<=15,median:$DAYS,mean:$DAYS,n:resolved_at,missing:resolved_at" "$R"
	assert_success
	assert_output "service,count,\"share_$DAYS<=15\",\"median_$DAYS\",\"mean_$DAYS\",n_resolved_at,missing_resolved_at
investigation,3,0.3333333333333333,20,20.333333333333332,3,0
prevention,5,1,1,1,3,2"
	run civic-tally -g "$DAYS" -s count "$R"
	assert_output "\"$DAYS\",count
0,1
1,1
2,1
11,1
20,1
30,1
,2"
}

@test "text conditions: share:register=form2 and !=" {
	run civic-tally -g district -s share:register=form2,share:register!=form2 "$R"
	assert_output "district,share_register=form2,share_register!=form2
North,0.5,0.5
South,0.5,0.5"
}

@test "year(C) is a number in conditions and statistics" {
	run civic-tally -g district -s 'share:year(received_at)>=2024,mean:year(resolved_at)' "$R"
	assert_success
	assert_output "district,share_year(received_at)>=2024,mean_year(resolved_at)
North,1,2024
South,1,2024.5"
}

# ---- missing values: empty fields and the codes dk, refused --------------

@test "dk, refused and empty answers are left out of the statistics of their column, and of nothing else" {
	printf 'g,t,u\na,4,1\na,dk,2\na,refused,3\nb,5,4\nb,,5\nb, dk ,6\nb,2,\n' > m.csv
	run --separate-stderr civic-tally -g g -s 'count,share,share:t>=4,mean:t,n:t,missing:t,distinct:t,sum:u,n:u' m.csv
	assert_success
	assert_output "g,count,share,share_t>=4,mean_t,n_t,missing_t,distinct_t,sum_u,n_u
a,3,0.42857142857142855,1,4,1,2,1,6,3
b,4,0.5714285714285714,0.5,3.5,2,2,2,15,3"
	assert_equal "$stderr" ""
	# a text condition leaves them out too; as keys they are groups
	run civic-tally -g t -s 'count,share:g=a' m.csv
	assert_output "t,count,share_g=a
 dk ,1,0
2,1,0
4,1,1
5,1,0
dk,1,1
refused,1,1
,1,0"
}

@test "a non-number that is not a missing code is still a reject" {
	printf 't\n4\nDK\nhard to say\ndk\n' > m.csv
	run --separate-stderr civic-tally -s mean:t m.csv
	assert_failure 1
	assert_output "mean_t
4"
	assert_equal "$stderr" "civic-tally: m.csv:3: t: 'DK' is not a number
civic-tally: m.csv:4: t: 'hard to say' is not a number
civic-tally: 2 rejected records exceed the tolerance (--max-rejects)"
}

@test "--missing sets the codes: none, others, a codebook's number" {
	printf 't\n4\n2\ndk\n99\nna\n' > m.csv
	run civic-tally --missing dk,na,99 -s mean:t,n:t,missing:t m.csv
	assert_success
	assert_output "mean_t,n_t,missing_t
3,2,3"
	run --separate-stderr civic-tally --missing '' -s mean:t --max-rejects 5 m.csv
	assert_success
	assert_output "mean_t
35"
	[[ "$stderr" == "civic-tally: m.csv:4: t: 'dk' is not a number"* ]]
	run civic-tally --missing 'dk,,na' -s mean:t m.csv
	assert_failure 2
	assert_line --index 0 "civic-tally: --missing: an empty code (an empty field is always missing)"
	run civic-tally --missing 99 -s 'share:t=99' m.csv
	assert_failure 2
	assert_line --index 0 "civic-tally: share:t=99: '99' is a missing-value code, which a condition never sees (its share is -g t -s share; or change --missing)"
}

@test "partials record codes other than the default, and a merge refuses to mix them" {
	printf 't\n4\n2\ndk\n' > m.csv
	civic-tally -s mean:t --partial m.csv > default.ndjson
	run grep -c '"missing":\[' default.ndjson
	assert_output 0
	civic-tally -s mean:t --missing refused,dk --partial m.csv > same.ndjson
	cmp default.ndjson same.ndjson
	printf 't\n4\nx\n' > x.csv
	civic-tally -s mean:t --missing dk,x --partial x.csv > x.ndjson
	run civic-tally --merge x.ndjson
	assert_success
	assert_output "mean_t
4"
	run civic-tally --merge default.ndjson x.ndjson
	assert_failure 1
	assert_output --partial "made with other -g, -s, -w, design"
	run civic-tally --merge --missing dk default.ndjson
	assert_failure 2
}

@test "-g and -s may be repeated" {
	run civic-tally -g district -g register -s count -s mean:amount "$R"
	assert_line --index 0 "district,register,count,mean_amount"
	assert_line --index 1 "North,form1,2,10"
}

# ---- within, pivot, total -----------------------------------------------------

@test "--within: shares of each district" {
	run civic-tally -g district,register --within district -s count,share "$R"
	assert_output "district,register,count,share
North,form1,2,0.5
North,form2,2,0.5
South,alphabetical,1,0.25
South,form1,1,0.25
South,form2,2,0.5"
}

@test "--pivot with --total: a cross-tab with margins, missing cells 0" {
	run civic-tally -g district --pivot register --total "$R"
	assert_output "district,alphabetical,form1,form2,Total
North,0,2,2,4
South,1,1,2,4
Total,1,3,4,8"
}

@test "--pivot with several statistics: empty cells 0 for counts, empty for means" {
	run civic-tally -g district --pivot register -s count,mean:amount "$R"
	assert_output "district,count_alphabetical,mean_amount_alphabetical,count_form1,mean_amount_form1,count_form2,mean_amount_form2
North,0,,2,10,2,12.5
South,1,40,1,25,2,22.5"
}

@test "--pivot shares within the pivot key are column percentages" {
	run civic-tally -g district --pivot register -s share --within register --total "$R"
	assert_output "district,alphabetical,form1,form2,Total
North,0,0.6666666666666666,0.5,0.5
South,1,0.3333333333333333,0.5,0.5
Total,1,1,1,1"
}

@test "--total with --within: each --within group's subtotal, the rest over all groups, the grand total" {
	run civic-tally -g district,register --within district -s count,share,median:amount --total "$R"
	assert_success
	# North's amounts 10, 20, 5 (row 5 has none): median 10; South's 30, 40, 15, 25: 27.5
	assert_output "district,register,count,share,median_amount
North,form1,2,0.5,10
North,form2,2,0.5,12.5
North,Total,4,1,10
South,alphabetical,1,0.25,40
South,form1,1,0.25,25
South,form2,2,0.5,22.5
South,Total,4,1,27.5
Total,alphabetical,1,0.125,40
Total,form1,3,0.375,17.5
Total,form2,4,0.5,17.5
Total,Total,8,1,20"
	# without --within the row keys are one: only the grand total
	run civic-tally -g district,register --total "$R"
	assert_line --index 6 "Total,Total,8"
	refute_line --partial "North,Total"
	# a pivot as well: the subtotal rows carry the Total column too
	run civic-tally -g district,service --pivot register --within district --total "$R"
	assert_line --index 3 "North,Total,0,2,2,4"
	assert_line --index 7 "Total,investigation,0,1,2,3"
	assert_line --index 9 "Total,Total,1,3,4,8"
}

@test "--total: a key that reads Total is rejected, so the label means only a margin" {
	printf 'district,v\nNorth,1\nTotal,2\nSouth,3\n' > t.csv
	run --separate-stderr civic-tally -g district --total t.csv
	assert_failure 1
	assert_output "district,count
North,1
South,1
Total,2"
	assert_equal "$stderr" "civic-tally: t.csv:3: district: 'Total' is the label of the margins of --total (recode it, or leave out --total)
civic-tally: 1 rejected record exceeds the tolerance (--max-rejects)"
	run civic-tally -g district t.csv
	assert_success
	assert_line "Total,1"
	civic-tally -g district --partial t.csv > t.part
	run --separate-stderr civic-tally --merge --total t.part
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "civic-tally: district has a group 'Total', which --total would take for its margin (made without --total?)"
}

@test "civic-report reads the margin rows as margins" {
	civic-tally -g district,register --within district -s count,share --total "$R" > t.csv
	civic-report -f html -o t.html t.csv
	# the 5 data rows plain, the 6 margins (North, South, 3 registers, Total) in bold
	run grep -c '<tr><td>' t.html
	assert_output 5
	run grep -c '<tr class="total"><td>' t.html
	assert_output 6
	run grep -c '<tr class="total"><td>North</td><td>Total' t.html
	assert_output 1
}

@test "--total row is computed over all rows (median of everything, not of medians)" {
	run civic-tally -g register -s count,median:amount,distinct:district --total "$R"
	assert_line --index 4 "Total,8,20,2"
}

# ---- weights and intervals -------------------------------------------------------

@test "weighted count is the sum of weights, with n the rows" {
	run civic-tally -g g -s count,share,mean:y,sum:y,median:y -w w "$F/weighted.csv"
	assert_success
	assert_output "g,count,n,share,mean_y,sum_y,median_y
a,4,2,0.5,16.25,65,20
b,4,1,0.5,30,120,30"
}

# R: prop.test(2, 5, correct = FALSE)$conf.int = 0.1176208 0.7692757
@test "--ci: unweighted shares get the Wilson interval by default" {
	printf 'g\na\na\nb\nb\nb\n' > s.csv
	run civic-tally -g g -s share --ci default s.csv
	assert_success
	assert_line --index 0 "g,share,share_se,share_low,share_high"
	run awk -F, 'NR == 2 { d1 = $4 - 0.11762077423264794; d2 = $5 - 0.7692757187239870;
		if (d1 < 0) d1 = -d1; if (d2 < 0) d2 = -d2; exit !(d1 < 1e-12 && d2 < 1e-12) }' <<< "$output"
	assert_success
}

@test "--ci: a share of 0 or 1 gets a one-sided interval, not NaN" {
	run civic-tally -g district --pivot register -s share --within district --ci wilson "$R"
	assert_success
	# North has no alphabetical row: share 0, interval [0, u]
	assert_line --index 0 "district,share_alphabetical,share_se_alphabetical,share_low_alphabetical,share_high_alphabetical,share_form1,share_se_form1,share_low_form1,share_high_form1,share_form2,share_se_form2,share_low_form2,share_high_form2"
	assert_line --regexp '^North,0,0,0,0\.[0-9]+,'
}

@test "--level narrows the interval" {
	run civic-tally -s mean:amount --ci t "$R"
	wide=$(echo "$output" | awk -F, 'NR == 2 { print $4 - $3 }')
	run civic-tally -s mean:amount --ci t --level 0.8 "$R"
	narrow=$(echo "$output" | awk -F, 'NR == 2 { print $4 - $3 }')
	run awk -v w="$wide" -v n="$narrow" 'BEGIN { exit !(n < w) }'
	assert_success
}

@test "sd and mean of values near 1e308 do not overflow (exact rational oracle)" {
	[ "${VALGRIND:-}" != 1 ] || skip "valgrind computes long double with a double's range"
	printf 'g,y,w\na,1e308,1\na,1e308,2\nb,1e308,1\nb,-1e308,1\nc,1.5e308,1\nc,1e308,2\nc,1.7e308,3\n' > big.csv
	civic-tally -g g -s sd:y,mean:y big.csv > plain.csv
	civic-tally -w w -g g -s sd:y,mean:y big.csv > weighted.csv
	run python3 - big.csv plain.csv weighted.csv <<'EOF'
import csv, math, sys
from fractions import Fraction as F
rows = list(csv.DictReader(open(sys.argv[1])))
def sd(ys, ws):
    W = sum(ws); m = sum(w * y for w, y in zip(ws, ys)) / W
    v = F(len(ys), len(ys) - 1) * sum(w * (y - m) ** 2 for w, y in zip(ws, ys)) / W
    return math.sqrt(v / F(10) ** 600) * 1e300, float(m)
bad = 0
for out, weighted in ((sys.argv[2], 0), (sys.argv[3], 1)):
    for r in csv.DictReader(open(out)):
        mine = [x for x in rows if x["g"] == r["g"]]
        want_sd, want_mean = sd([F(x["y"]) for x in mine], [F(x["w"]) if weighted else 1 for x in mine])
        for got, want in ((float(r["sd_y"]), want_sd), (float(r["mean_y"]), want_mean)):
            if not abs(got - want) <= 1e-10 * abs(want):
                print(out, r["g"], got, want); bad += 1
print("bad", bad)
EOF
	assert_output "bad 0"
	run cat plain.csv
	assert_line "a,0,1e+308"
}

@test "--ci t for a mean is mean ± qt(0.975, n-1)·sd/√n" {
	run civic-tally -s mean:v --ci t "$F/median.csv"
	# sd of 10..40 is 12.909944487358056, se 6.454972243679028, qt(.975, 3) = 3.182446305284263
	assert_line --index 1 --regexp '^25,6\.45497224367902[0-9],4\.457[0-9]+,45\.542[0-9]+$'
}

@test "--ci: a median's interval is Woodruff's, mapped back through type 7" {
	seq 0 10 | sed '1s/.*/x/' > ten.csv
	# 1..10: median 5.5; F = share <= 5.5 = 0.5, SE = √(F(1-F)/(n-1)) = 1/6;
	# limits 1 + 9·(F ∓ q/6) (type 7 of 1..10), se = (high - low)/(2q) = 1.5
	run civic-tally -s median:x --ci t ten.csv
	assert_line --index 0 'median_x,median_x_se,median_x_low,median_x_high'
	# q = qt(0.975, 9) = 2.2621571627409915
	assert_line --index 1 --regexp '^5\.5,1\.5,2\.1067642558[0-9]*,8\.8932357441[0-9]*$'
	# q = qnorm(0.975) = 1.959963984540054
	run civic-tally -s median:x --ci normal ten.csv
	assert_line --index 1 --regexp '^5\.5,1\.(5|49999999999999[0-9]*),2\.5600540231899[0-9]*,8\.4399459768100[0-9]*$'
	# 10, 20, 30, 40: F ± qt(0.975, 3)·√(0.25/3) leaves [0, 1]: the limits are
	# the smallest and largest values, se = 30/(2·3.182446305284263)
	run civic-tally -s median:v,p90:v --ci t "$F/median.csv"
	assert_line --index 1 --regexp '^25,4\.71335[0-9]*,10,40,37,4\.71335[0-9]*,10,40$'
}

@test "--deff: a plain sample's deff is Inf, as R's (the weights sum to n)" {
	run civic-tally -s mean:v --deff "$F/median.csv"
	assert_output "mean_v,mean_v_deff
25,Inf"
}

@test "--digits rounds" {
	run civic-tally -g service -s "mean:$DAYS" --digits 2 "$R"
	assert_line --index 1 "investigation,20.33"
}

# ---- published figures ---------------------------------------------------------

@test "published register shares 17.8% / 43.6% / 38.6% reproduce from microdata" {
	run civic-tally -g register -s count,share "$F/published-shares.csv"
	assert_success
	assert_output "register,count,share
alphabetical,386,0.386
form1,178,0.178
form2,436,0.436"
}

@test "published: 55.1% of surveyed heads name criminal investigation, weighted and not" {
	# heads.csv: 1,000 heads of prevention inspectors, a stratified sample of
	# 400, 350 and 250 heads in three regions (weights 1.5, 2 and 2.8, the
	# heads of the region over those sampled); 208, 213 and 130 of them name
	# criminal investigation: 551/1000 unweighted, 1102/2000 weighted.
	run civic-tally -g cooperates_most -s count,share "$F/heads.csv"
	assert_success
	assert_line --index 1 "criminal investigation,551,0.551"
	run civic-tally -w weight --strata region -g cooperates_most -s share --ci logit "$F/heads.csv"
	assert_success
	assert_line --index 1 --regexp '^criminal investigation,0\.551,0\.01620830383224[0-9]*,0\.51902809[0-9]*,0\.58255594[0-9]*$'
	# the SE from its definition: V = Σ_h n_h/(n_h - 1) Σ_i (z_i - z̄_h)², z = w(y - p)/Σw
	run python3 -c '
import csv, collections, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
W = sum(float(r["weight"]) for r in rows)
p = sum(float(r["weight"]) for r in rows if r["cooperates_most"] == "criminal investigation") / W
z = collections.defaultdict(list)
for r in rows:
    z[r["region"]].append(float(r["weight"]) * ((r["cooperates_most"] == "criminal investigation") - p) / W)
V = sum(len(v) / (len(v) - 1) * sum((x - sum(v) / len(v)) ** 2 for x in v) for v in z.values())
print("%.12f %.12f" % (p, math.sqrt(V)))' "$F/heads.csv"
	assert_output "0.551000000000 0.016208303832"
	civic-tally -g cooperates_most -s count,share "$F/heads.csv" | civic-report > heads.txt
	# the shipped label set (share/civic/labels/cooperation.csv) names the service
	run grep 'Criminal investigation  *551' heads.txt
	assert_output --regexp ' 55\.1%$'
}

@test "published 19.6% / 46.0% / 34.5% of 390,000 applications" {
	local n=390000 form1=76323 form2=179283
	valgrind_light && { n=39000 form1=7632 form2=17928; }
	awk -v n=$n -v a=$form1 -v b=$((form1 + form2)) 'BEGIN { print "reg_no,register"
		for (i = 0; i < n; i++)
			print i "," (i < a ? "form1" : i < b ? "form2" : "alphabetical") }' > big.csv
	run civic-tally -g register -s count,share --digits 3 big.csv
	assert_success
	assert_output "register,count,share
alphabetical,$((n - form1 - form2)),0.345
form1,$form1,0.196
form2,$form2,0.46"
}

# ---- partials ----------------------------------------------------------------------

partial_spec=(-g "register,month(received_at)" -s "count,share,mean:amount,sd:amount,median:amount,distinct:district,share:days(received_at,resolved_at)<=15,missing:amount" --within register)

@test "--partial of two halves and --merge give the output of one run" {
	civic-tally "${partial_spec[@]}" --total "$R" > whole.csv
	head -5 "$R" > a.csv
	{ head -1 "$R"; tail -n +6 "$R"; } > b.csv
	civic-tally "${partial_spec[@]}" --total --partial a.csv > a.part
	civic-tally "${partial_spec[@]}" --total --partial b.csv > b.part
	run civic-tally --merge a.part b.part
	assert_success
	assert_output "$(cat whole.csv)"
	# concatenated, or sorted line by line as Hadoop Streaming does
	run sh -c 'cat a.part b.part | LC_ALL=C sort | civic-tally --merge -'
	assert_output "$(cat whole.csv)"
}

@test "--merge takes output options, and --merge --partial merges partials" {
	civic-tally -g district -s count,share --partial "$R" > p
	run civic-tally --merge --pivot district p
	assert_output "count_North,share_North,count_South,share_South
4,0.5,4,0.5"
	run civic-tally --merge --total --json p
	assert_output '{"district":"North","count":4,"share":0.5}
{"district":"South","count":4,"share":0.5}
{"district":"Total","count":8,"share":1}'
	civic-tally --merge --partial p p > pp
	run civic-tally --merge pp
	assert_output "district,count,share
North,8,0.5
South,8,0.5"
}

@test "split + GNU parallel (or a shell loop) + merge equals one run" {
	awk 'NR == 1 { print; next } { for (k = 0; k < 500; k++) print }' "$R" > many.csv
	civic-tally "${partial_spec[@]}" many.csv > whole.csv
	if command -v parallel > /dev/null; then
		# under valgrind a few large blocks: each part costs a second
		parallel --pipepart -a many.csv --header : --block $(valgrind_light && echo 100k || echo 20k) -j2 -q \
			civic-tally "${partial_spec[@]}" --partial > parts.ndjson
	else
		tail -n +2 many.csv | split -l $(valgrind_light && echo 1500 || echo 1000) - chunk.
		for c in chunk.*; do
			{ head -1 many.csv; cat "$c"; } | civic-tally "${partial_spec[@]}" --partial
		done > parts.ndjson
	fi
	[ "$(grep -c civic_tally_partial parts.ndjson)" -gt 1 ]
	run civic-tally --merge parts.ndjson
	assert_success
	assert_output "$(cat whole.csv)"
}

@test "a median's values go into a partial sorted, repeats run-length coded; merges check the counts" {
	printf 'g,v\na,3\na,1\na,3\na,2.5\na,3\nb,7\n' > v.csv
	# Plain: [value, times] pairs.  With a design or --ci: [y, w, stratum, psu, times].
	civic-tally -g g -s median:v --partial v.csv > v.part
	run jq -c 'select(.key) | [.key[0], .src[0].vals]' v.part
	assert_output '["a",[1,2.5,[3,3]]]
["b",[7]]'
	civic-tally -g g -s median:v --ci t --partial v.csv > vs.part
	run jq -c 'select(.key) | [.key[0], .src[0].svals.values]' vs.part
	assert_output '["a",[[1,1,0,-1],[2.5,1,0,-1],[3,1,0,-1,3]]]
["b",[[7,1,0,-1]]]'
	run civic-tally --merge v.part v.part
	assert_output "g,median_v
a,3
b,7"
	run civic-tally --merge vs.part vs.part
	assert_success
	assert_line --index 1 --partial "a,3,"
	# Run lengths that do not add up to the rows used are damage, not data.
	for bad in '[1,2.5,[3,4]]' '[1,2.5,[3,1]]' '[1,2.5,[3,1e300]]' '[1,2.5,[3]]' '[1,2.5,3]' '[1,[3,3]]'; do
		jq -c --argjson v "$bad" 'if .key == ["a"] then .src[0].vals = $v else . end' v.part > bad.part
		run civic-tally --merge bad.part
		assert_failure 1
		assert_output --partial "bad.part:2:"
	done
	for bad in '[[1,1,0,-1],[2.5,1,0,-1],[3,1,0,-1,4]]' '[[1,1,0,-1],[2.5,1,0,-1],[3,1,0,-1,1e300]]' \
		'[[1,1,0,-1],[2.5,1,0,-1],[3,1,0,-1,1],[3,1,0,-1]]' '[[1,1,0,-1],[3,1,0,-1,3]]' \
		'[[1,1,0,-1],[2.5,1,0,-1],[3,1,0,-1,-3]]'; do
		jq -c --argjson v "$bad" 'if .key == ["a"] then .src[0].svals.values = $v else . end' vs.part > bad.part
		run civic-tally --merge bad.part
		assert_failure 1
		assert_output --partial "bad.part:2:"
	done
}

@test "a partial's counts must add up, and a run length costs no memory" {
	printf 'g,v,w\na,3,1\na,1,2\na,3,1\nb,7,1\n' > v.csv
	civic-tally -g g -s median:v,sd:v,distinct:v,'share:v>2' --partial v.csv > v.part
	# a group using more rows than it has, or holding more than it used
	for edit in '.src[0].used = 4' '.src[0].missing = 1' '.n = 2' '.src[3].hits = 4' \
		'.src[0].used = 9223372036854775807' '.n = -1'; do
		jq -c "if .key == [\"a\"] then $edit else . end" v.part > bad.part
		run civic-tally --merge bad.part
		assert_failure 1
		assert_output --partial "bad.part:2: "
	done
	civic-tally -w w -g g -s sd:v --partial v.csv > w.part
	jq -c 'if .key == ["a"] then .src[0].mom[3] = 4 else . end' w.part > bad.part
	run civic-tally --merge bad.part
	assert_failure 1
	# what the partial fuzzer found (fuzz/regress/partial/, after its option byte)
	for f in "$CIVIC_ROOT"/fuzz/regress/partial/*; do
		tail -c +2 "$f" > found.part
		run civic-tally --merge found.part
		case $f in */merges-*) assert_success; continue ;; esac     # well-formed
		assert_failure 1
		assert_output --partial "found.part:"
	done
	# the 477-byte bomb: four billion values in one run, a few KB to merge
	jq -c 'if .key == ["a"] then .n = 4000000001 | .src[0].used = 4000000000 | .src[0].missing = 0
		| .src[0].vals = [[1.0, 3999999999], 3.0] else . end' v.part > big.part
	# 32 GB were it expanded: 20 MB over what the command takes to start
	# (ASan's shadow alone is some 25 MB; valgrind's own is more)
	local kb
	kb=$({ /usr/bin/time -f '%M' civic-tally --version > /dev/null; } 2>&1 | tail -n 1)
	kb=$((kb + 20000))
	[ "${VALGRIND:-}" != 1 ] || kb=400000
	run /usr/bin/time -f '%M' civic-tally --merge big.part
	assert_success
	assert_line --regexp "^a,1,"
	[ "${lines[-1]}" -lt "$kb" ]
	# and a merged run stays a run when written again
	civic-tally --merge --partial big.part big.part > twice.part
	run jq -c 'select(.key == ["a"]) | [.n, .src[0].vals]' twice.part
	assert_output '[8000000002,[[1,7999999998],[3,2]]]'
}

@test "a forged partial claiming billions of weighted or designed values merges in little memory" {
	if [ "${SANITIZE:-}" = 1 ] || [ "${VALGRIND:-}" = 1 ]; then
		skip "address-space limits do not apply under ASan or valgrind"
	fi
	printf 'g,v,w,s\na,3,1,x\na,1,2,y\na,3,1,x\nb,7,1,y\n' > v.csv
	# counts that add up, over 4.1 billion rows: 98 GB were each value
	# held apart, a few MB as runs.  Weight 0 rows cost no time either.
	local design edit='if .key == ["a"] then .n = 4100000003 | .src[0].used = 4100000003
		| .src[0].svals = {sum_w: 100000004.0, values: [[1.0, 0.0, 0, -1, 4000000000],
			[1.0, 2.0, 0, -1], [3.0, 1.0, 0, -1, 100000002]]} else . end'
	for design in "" "--strata s"; do
		civic-tally -w w $design -g g -s median:v --partial v.csv | jq -c "$edit" > big.part
		run bash -c 'ulimit -v 300000 && civic-tally --merge big.part'
		assert_success
		# Σw = 100000004: half of it falls inside the run of 3s
		assert_output "$(printf 'g,median_v\na,3\nb,7')"
		# written again, the runs stay runs (ties in y keep their order)
		run bash -c 'ulimit -v 300000 && civic-tally --merge --partial big.part big.part |
			jq -c "select(.key == [\"a\"]) | [.n, .src[0].svals.values]"'
		assert_success
		assert_output '[8200000006,[[1,0,0,-1,4000000000],[1,2,0,-1],[1,0,0,-1,4000000000],[1,2,0,-1],[3,1,0,-1,200000004]]]'
	done
}

@test "a partial holds row-level values, so -o creates it 0600 whatever the umask" {
	printf 'g,name\na,Karimov\na,Usmonova\nb,Karimov\n' > v.csv
	umask 022
	civic-tally -g g -s distinct:name --partial -o p.ndjson v.csv
	run stat -c %a p.ndjson
	assert_output 600
	run grep -c Usmonova p.ndjson
	assert_output 1
	civic-tally --merge --partial -o pp.ndjson p.ndjson p.ndjson
	run stat -c %a pp.ndjson
	assert_output 600
	# merged distinct counts are exact: the values themselves travel
	run civic-tally --merge --total pp.ndjson
	assert_output "g,distinct_name
a,2
b,1
Total,2"
	civic-tally -g g -s distinct:name -o table.csv v.csv
	run stat -c %a table.csv
	assert_output 644
}

@test "quantiles of merged runs are those of one run, ties and all" {
	awk 'BEGIN { srand(7); print "g,v"; for (i = 0; i < 3000; i++)
		printf "%s,%d\n", substr("abc", i % 3 + 1, 1), int(rand() * rand() * 40) - 5 }' > r.csv
	local spec=(-g g -s median:v,p10:v,p25:v,p75:v,p90:v,p99:v,p1:v)
	civic-tally "${spec[@]}" --total r.csv > whole.csv
	{ head -1 r.csv; sed -n '2,1001p' r.csv; } > a.csv
	{ head -1 r.csv; sed -n '1002,2201p' r.csv; } > b.csv
	{ head -1 r.csv; sed -n '2202,$p' r.csv; } > c.csv
	for p in a b c; do civic-tally "${spec[@]}" --partial $p.csv > $p.part; done
	run civic-tally --merge --total c.part a.part b.part
	assert_output "$(cat whole.csv)"
	civic-tally --merge --partial b.part c.part > bc.part
	run civic-tally --merge --total bc.part a.part
	assert_output "$(cat whole.csv)"
}

@test "held values sort stably (ties in input order, as R's order()), few distinct or many" {
	# Weights rise with the line, so within one value they must come out rising.
	awk 'BEGIN { print "g,v,w"; for (i = 1; i <= 9000; i++) printf "a,%d,%d\n", i % 7, i }' > few.csv
	awk 'BEGIN { print "g,v,w"; for (i = 1; i <= 9000; i++) printf "a,%d,%d\n", (i * 7919) % 5003, i }' > many.csv
	for f in few many; do
		civic-tally -w w -g g -s median:v --partial $f.csv > $f.part
		run jq -r 'select(.key) | .src[0].svals.values
			| [range(1; length) as $i | select(.[$i][0] < .[$i-1][0]
				or (.[$i][0] == .[$i-1][0] and .[$i][1] <= .[$i-1][1]))] | length' $f.part
		assert_output 0
		run jq -r 'select(.key) | .src[0].svals.values | length' $f.part
		assert_output 9000
	done
}

@test "--merge refuses partials of other specs, and files that are not partials" {
	civic-tally -g district --partial "$R" > p1
	civic-tally -g register --partial "$R" > p2
	run civic-tally --merge p1 p2
	assert_failure 1
	assert_output --partial "p2:1: this partial was made with other -g, -s, -w, design, --ci or --deff options"
	# Intervals need the survey sums that only a partial made with --ci keeps.
	civic-tally -g district --partial "$R" > p3
	run civic-tally --merge --ci wilson p3
	assert_failure 1
	assert_output --partial "p3: the partials hold no survey sums for --ci or --deff (make them with --ci or --deff)"
	civic-tally -g district --ci wilson --partial "$R" > p4
	run civic-tally --merge p4 p3
	assert_failure 1
	assert_output --partial "p3:1: this partial was made with other -g, -s, -w, design, --ci or --deff options"
	run civic-tally --merge "$R"
	assert_failure 1
	assert_output --partial "not a civic-tally partial"
}

# ---- rejects ---------------------------------------------------------------------------

@test "a non-numeric value is a reject with its line, not skipped silently" {
	run --separate-stderr civic-tally -g g -s count,mean:v "$F/bad.csv"
	assert_failure 1
	assert_output "g,count,mean_v
a,1,1
b,2,3.5"
	assert_equal "$stderr" "civic-tally: $F/bad.csv:3: v: 'x' is not a number
civic-tally: $F/bad.csv:5: v: 'multi\\nline' is not a number
civic-tally: 2 rejected records exceed the tolerance (--max-rejects)"
}

@test "--max-rejects tolerates; --rejects keeps them as NDJSON" {
	run civic-tally -g g -s mean:v --max-rejects 2 --rejects rj.ndjson "$F/bad.csv"
	assert_success
	run cat rj.ndjson
	assert_line --index 0 "{\"file\":\"$F/bad.csv\",\"line\":3,\"reason\":\"not-a-number\",\"column\":\"v\",\"message\":\"'x' is not a number\",\"record\":\"a,x\"}"
	[ "$(stat -c %a rj.ndjson)" = 600 ]
	run civic-tally -g g -s mean:v --max-rejects 1 "$F/bad.csv"
	assert_failure 1
}

@test "a date key that is not a date rejects the row" {
	run --separate-stderr civic-tally -g "month(amount)" "$R"
	assert_failure 1
	[[ "$stderr" == *"registry.csv:2: amount: '10' is not a date"* ]]
}

@test "weights: missing or negative weights are rejects" {
	printf 'g,w\na,1\na,\na,-2\n' > w.csv
	run --separate-stderr civic-tally -g g -w w w.csv
	assert_failure 1
	assert_output "g,count,n
a,1,1"
	[[ "$stderr" == "civic-tally: w.csv:3: w: no weight
civic-tally: w.csv:4: w: weight '-2' is negative
"* ]]
}

# ---- formats and I/O ---------------------------------------------------------------------

@test "NDJSON in, NDJSON out: statistics are numbers, keys strings" {
	printf '{"g":"a","v":1}\n{"g":"a","v":2}\n{"g":"007","v":null}\n' > in.ndjson
	run civic-tally -g g -s count,mean:v in.ndjson
	assert_success
	assert_output '{"g":"007","count":1,"mean_v":null}
{"g":"a","count":2,"mean_v":1.5}'
	run civic-tally -g g --csv in.ndjson
	assert_line --index 0 "g,count"
}

@test "-o writes the file atomically; a failed run leaves none" {
	run civic-tally -g district -o out.csv "$R"
	assert_success
	assert_output ""
	run cat out.csv
	assert_line --index 1 "North,4"
	run civic-tally -g nosuch -o out2.csv "$R"
	assert_failure 1
	[ ! -e out2.csv ]
}

@test "a full disk is an error" {
	run sh -c 'civic-tally -g district "$1" > /dev/full' sh "$R"
	assert_failure 1
	assert_output --partial "write error"
}

@test "| head ends quietly" {
	seq 1 200000 | sed '1i n' > seq.csv
	run --separate-stderr sh -c 'civic-tally -g n seq.csv | head -1'
	assert_success
	assert_output "n,count"
	assert_equal "$stderr" ""
}

@test "an unreadable operand among good ones: the others are read, exit 1" {
	run --separate-stderr civic-tally -g district nosuch.csv "$R"
	assert_failure 1
	assert_output "district,count
North,4
South,4"
	assert_equal "$stderr" "civic-tally: nosuch.csv: No such file or directory"
}

# ---- usage -----------------------------------------------------------------------------------

@test "a misspelt statistic, function or column gets a hint" {
	run civic-tally -s meen:amount "$R"
	assert_failure 2
	assert_line --index 0 "civic-tally: unknown statistic 'meen' (did you mean 'mean'?)"
	run civic-tally -g "mnth(received_at)" "$R"
	assert_failure 2
	assert_line --index 0 "civic-tally: unknown function 'mnth' (did you mean 'month'?)"
	run civic-tally -g regster "$R"
	assert_failure 1
	assert_output "civic-tally: $R: no column 'regster' (did you mean 'register'?)"
}

@test "a mistyped condition is a usage error with the operator meant and a caret" {
	run --separate-stderr civic-tally -s "share:$DAYS=<15" "$R"
	assert_failure 2
	assert_output ""
	assert_equal "$stderr" "civic-tally: unknown operator '=<' in a condition (did you mean '<='?)
    $DAYS=<15
                                 ^
Try 'civic-tally --help' for more information."
	local cond meant
	while IFS='|' read -r cond meant; do
		run civic-tally -s "share:$cond" "$R"
		assert_failure 2
		assert_line --index 0 --partial "$meant"
	done <<-'EOF'
	days(received_at,resolved_at)=>15|unknown operator '=>' in a condition (did you mean '>='?)
	register==form2|unknown operator '==' in a condition (did you mean '='?)
	register<>form2|unknown operator '<>' in a condition (did you mean '!='?)
	register!form2|unknown operator '!' in a condition (did you mean '!='?)
	amount=<>3|unknown operator '=<>' in a condition (<= < >= > = !=)
	register<form2|'form2' is neither a number nor a date: < <= > >= compare numbers and dates (text takes = or !=)
	received_at>=2024-3-1|'2024-3-1' is neither a number nor a date
	month(received_at)>=2024-03-01|'2024-03-01' is not a month() key: < <= > >= compare month() with a value of its form, such as '2024-03'
	quarter(received_at)<Q1|'Q1' is not a quarter() key
	weekday(received_at)<Wed|weekday() names take = or !=, not < <= > >=
	days(received_at,resolved_at)=fast|days(received_at,resolved_at) is a number: compare it with a number, not 'fast'
	year(received_at)!=last|year(received_at) is a number: compare it with a number, not 'last'
	month(received_at)=3|month() is a date key, not a number: compare it as text, with = or !=
	amount>=|a condition needs a value after its operator
	EOF
	# the caret counts characters, not bytes
	printf 'оценка\n4\n' > cyr.csv
	run --separate-stderr civic-tally -s 'share:оценка=>4' cyr.csv
	assert_failure 2
	assert_equal "$(sed -n 3p <<< "$stderr")" "          ^"
}

@test "ordered conditions on dates: a column against yyyy-mm-dd, a date key against its own form" {
	printf 'received_at,resolved_at\n2024-02-29,2024-03-01\n2024-03-01,2024-03-05\n2023-12-31,\n2024-04-02,2024-04-03\n' > d.csv
	run civic-tally -s 'share:received_at>=2024-03-01,share:received_at<2024-01-01,share:month(received_at)<=2024-03,share:quarter(received_at)>2024-Q1,share:week(received_at)<2024-W09,share:resolved_at<=2024-03-01' d.csv
	assert_success
	assert_output 'share_received_at>=2024-03-01,share_received_at<2024-01-01,share_month(received_at)<=2024-03,share_quarter(received_at)>2024-Q1,share_week(received_at)<2024-W09,share_resolved_at<=2024-03-01
0.5,0.25,0.75,0.25,0.25,0.3333333333333333'
	# a value that is not yyyy-mm-dd cannot be ordered as a date: a reject, never text order
	printf 'received_at\n2024-03-01\n1.3.2024\n' > bad.csv
	run --separate-stderr civic-tally --max-rejects 1 -s 'share:received_at>=2024-02-01' bad.csv
	assert_success
	assert_output 'share_received_at>=2024-02-01
1'
	assert_equal "$(sed -n 1p <<< "$stderr")" "civic-tally: bad.csv:3: received_at: '1.3.2024' is not a date (yyyy-mm-dd)"
}

@test "usage errors exit 2" {
	run civic-tally -g district --within register "$R"
	assert_failure 2
	assert_line --index 0 --partial "--within 'register' is not one of the group keys"
	run civic-tally --level 1.5 "$R"
	assert_failure 2
	run civic-tally --ci bogus "$R"
	assert_failure 2
	run civic-tally --merge -g x p
	assert_failure 2
	run civic-tally -s mean "$R"
	assert_failure 2
	assert_line --index 0 "civic-tally: statistic 'mean' needs a column, as in 'mean:COLUMN'"
	run civic-tally -s "share:amount" "$R"
	assert_failure 2
	run civic-tally --bogus
	assert_failure 2
}

# ---- two cores on one file -------------------------------------------------------------

# One run on one thread and one with the second half forced onto a second.
same_on_two_threads() {
	CIVIC_THREADS=1 civic-tally "$@" > one.out 2> one.err || true
	CIVIC_THREADS=2 civic-tally "$@" > two.out 2> two.err || true
	cmp one.out two.out || fail "output differs on two threads: $(diff one.out two.out | head -5)"
	cmp one.err two.err || fail "messages differ on two threads: $(diff one.err two.err | head -5)"
}

@test "a file tallied on two threads gives what one thread gives, statistic for statistic" {
	"$CIVIC_ROOT/scripts/gen-registry" --canonical -n 3000 --seed 7 > big.csv
	same_on_two_threads -g register big.csv
	same_on_two_threads -g "month(received_at),register" -s count,share --within "month(received_at)" --total big.csv
	same_on_two_threads -g service -s "count,mean:$DAYS,median:$DAYS,p90:$DAYS,sd:$DAYS,min:$DAYS,max:$DAYS,distinct:district,missing:resolved_at,share:$DAYS<=15" big.csv
	same_on_two_threads -g district --pivot register -s count big.csv
	same_on_two_threads -g register --partial big.csv
	# The second thread really ran: its cut is where a record starts.
	# LeakSanitizer cannot run under ptrace.
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" CIVIC_THREADS=2 \
		strace -f -qq -e trace=clone,clone3 -o trace civic-tally -g register big.csv > /dev/null
	grep -qE 'clone3?\(' trace || fail "no second thread was started"
}

@test "two threads: survey designs and sums merge to one thread's digits" {
	"$CIVIC_ROOT/scripts/gen-survey" -n 60000 --seed 3 > s.csv
	local design=(-w weight --strata stratum --psu psu)
	same_on_two_threads -g region,cooperates_most -s share --within region "${design[@]}" --ci logit s.csv
	same_on_two_threads -g region -s "count,mean:trust_police,sum:trust_police,sd:trust_police,share:trust_police>=4" \
		"${design[@]}" --ci t --deff --total s.csv
	same_on_two_threads -g region -s count,mean:trust_police --ci t -w weight --strata stratum s.csv
	same_on_two_threads -g sex -s mean:trust_police --ci t "${design[@]}" --partial s.csv
	# …and it was the merge, not a reread, that gave them.
	run env CIVIC_THREADS=2 CIVIC_THREADS_REPORT=1 civic-tally -g region -s share "${design[@]}" --ci logit s.csv
	assert_success
	assert_line "civic-tally: s.csv: second half tallied on a second thread and merged"
}

@test "two threads: the second half reads the same missing-value codes" {
	awk 'BEGIN { print "g,t"; split("1,2,3,4,5,dk,refused,,na", v, ",")
		for (i = 0; i < 30000; i++) print "a," v[i % 9 + 1] }' > m.csv
	same_on_two_threads -s 'mean:t,n:t,missing:t,share:t>=4' --missing dk,refused,na m.csv
	# 1, 2, 3 come 3334 times, 4 and 5 3333: 50001/16668
	run --separate-stderr env CIVIC_THREADS=2 CIVIC_THREADS_REPORT=1 \
		civic-tally -s 'mean:t,n:t,missing:t' --missing dk,refused,na m.csv
	assert_success
	assert_output "mean_t,n_t,missing_t
2.999820014398848,16668,13332"
	assert_equal "$stderr" "civic-tally: m.csv: second half tallied on a second thread and merged"
}

@test "two threads: halves that would not merge to one run's digits are read again on one thread" {
	"$CIVIC_ROOT/scripts/gen-survey" -n 20000 --seed 4 > s.csv
	local design=(-w weight --strata stratum --psu psu)
	# A weight that is not an exact decimal: its sums are long doubles.
	awk -F, -v OFS=, 'NR == 15000 { $6 = "1.000000000000000000000000000000000001" } { print }' s.csv > inexact.csv
	same_on_two_threads -g region -s share "${design[@]}" --ci logit inexact.csv
	run env CIVIC_THREADS=2 CIVIC_THREADS_REPORT=1 civic-tally -g region -s share "${design[@]}" --ci logit inexact.csv
	assert_line "civic-tally: inexact.csv: second half read again on one thread: its tally would not merge to one run's digits"
	# An fpc that changes at the cut, in the stratum the cut falls in: each
	# half is consistent, one run rejects the rows that bring the second value.
	awk -F, -v OFS=, 'NR == 1 { print $0, "fpc"; next } { print $0, "0000" }' s.csv > zero.csv
	awk -v half="$(($(wc -c < zero.csv) / 2))" '
		NR > 1 { sub(/0000$/, at <= half ? "1000" : "2000") }
		{ print; at += length($0) + 1 }' zero.csv > fpc.csv
	same_on_two_threads -g region -s share "${design[@]}" --fpc fpc --ci logit --max-rejects 100% fpc.csv
	grep -q "fpc differs within stratum" one.err || fail "no fpc reject: $(head -3 one.err)"
	run env CIVIC_THREADS=2 CIVIC_THREADS_REPORT=1 civic-tally -g region -s share "${design[@]}" --fpc fpc --max-rejects 100% fpc.csv
	assert_line "civic-tally: fpc.csv: second half read again on one thread: its tally would not merge to one run's digits"
}

@test "two threads: a cut inside a quoted field with line breaks is caught, the answer is one thread's" {
	# The middle of the file is one long quoted field whose lines read as
	# good records from anywhere inside it (the last one's quote is text
	# to a reader that starts inside), so the second thread sees no reject.
	{
		echo "id,kind,note"
		for i in $(seq 1 50); do echo "$i,a,plain"; done
		printf '51,b,"'
		for i in $(seq 1 399); do printf 'x%d,c,inside\n' "$i"; done
		echo 'x400,c,inside"'
		for i in $(seq 52 100); do echo "$i,a,plain"; done
	} > quoted.csv
	{ echo id,kind,note; tail -n +200 quoted.csv | head -300; } | CIVIC_THREADS=1 civic-tally -g kind | grep -q "^c," ||
		fail "the fixture's inside does not read as records"
	same_on_two_threads -g kind quoted.csv
	run env CIVIC_THREADS=2 civic-tally -g kind quoted.csv
	assert_output "kind,count
a,99
b,1"
}

@test "two threads: rejects in the second half come out as one thread gives them, line numbers and all" {
	"$CIVIC_ROOT/scripts/gen-registry" --canonical -n 2000 --seed 9 > r.csv
	awk -F, 'NR == 300 || NR == 1700 { $0 = $0 ",extra" } { print }' r.csv > bad.csv
	same_on_two_threads -g register --max-rejects 5 --rejects rej.ndjson bad.csv
	run jq -r .line rej.ndjson
	assert_output "300
1700"
	same_on_two_threads -g register --max-rejects 0.01% bad.csv
	# A reject in the first half only: the halves merge, the line is right.
	awk -F, 'NR == 300 { $0 = $0 ",extra" } { print }' r.csv > first.csv
	same_on_two_threads -g register --max-rejects 5 --rejects rej.ndjson first.csv
	run jq -r .line rej.ndjson
	assert_output 300
}

# ---- --sort, --top, --other ------------------------------------------------

@test "sort: descending and ascending by any column, ties by key, empty last either way" {
	run civic-tally -g service -s count,median:amount --sort -count "$R"
	assert_output "service,count,median_amount
prevention,5,25
investigation,3,17.5"
	# North's two services tie at 2: key order breaks the tie
	run civic-tally -g district,service -s count --sort -count "$R"
	assert_output "district,service,count
South,prevention,3
North,investigation,2
North,prevention,2
South,investigation,1"
	run civic-tally -g register -s count,mean:amount --sort count --sort -register "$R"
	assert_output "register,count,mean_amount
alphabetical,1,40
form1,3,17.5
form2,4,17.5"
	run civic-tally -g register -s mean:amount --sort=-mean_amount "$R"
	assert_output "register,mean_amount
alphabetical,40
form1,17.5
form2,17.5"
	# register form1's only amount is missing below: its mean is empty, last
	printf 'register,amount\nform1,\nform2,3\nalpha,1\n' > e.csv
	for s in mean_amount -mean_amount; do
		run civic-tally -g register -s mean:amount --sort $s e.csv
		assert_line --index 3 "form1,"
	done
}

@test "sort: the default stays key order, byte for byte" {
	civic-tally -g 'month(received_at)',register -s count,share --within 'month(received_at)' --total "$R" > a.csv
	civic-tally -g 'month(received_at)',register -s count,share --within 'month(received_at)' --total \
		--sort 'month(received_at)' --sort register "$R" > b.csv
	cmp a.csv b.csv
}

@test "top: the first N rows and one other row, tallied as one group" {
	run civic-tally -g service,district -s count,share,mean:amount,median:amount,distinct:register \
		--sort -count --top 1 --other Other --total "$R"
	# the other row is the 5 rows besides (prevention, South), amounts 10, 20,
	# (missing), 5, 15: mean and median 12.5 over the union, 2 registers
	assert_output "service,district,count,share,mean_amount,median_amount,distinct_register
prevention,South,3,0.375,31.666666666666668,30,3
Other,Other,5,0.625,12.5,12.5,2
Total,Total,8,1,20.714285714285715,20,3"
}

@test "top: within each --within group, with subtotals; margins over the groups are not cut" {
	run civic-tally -g district,service -s count,share --within district --sort -count --top 1 \
		--other rest --total "$R"
	assert_output "district,service,count,share
North,investigation,2,0.5
North,rest,2,0.5
North,Total,4,1
South,prevention,3,0.75
South,rest,1,0.25
South,Total,4,1
Total,prevention,5,0.625
Total,investigation,3,0.375
Total,Total,8,1"
}

@test "top: with --pivot the other row holds the rest's cells, empty ones 0" {
	run civic-tally -g register --pivot district -s count --sort -Total --top 1 --other Other --total "$R"
	assert_output "register,North,South,Total
form2,2,2,4
Other,2,2,4
Total,4,4,8"
	run civic-tally -g register --pivot district -s count,mean:amount --top 1 --other Other "$R"
	assert_output "register,count_North,mean_amount_North,count_South,mean_amount_South
alphabetical,0,,1,40
Other,4,11.666666666666666,3,23.333333333333332"
}

@test "top: merged partials choose the top from the merged figures" {
	head -4 "$R" > a.csv
	{ head -1 "$R"; tail -n +5 "$R"; } > b.csv
	civic-tally -g register -s count,mean:amount --partial --sort -count --top 1 --other Other a.csv > a.ndjson
	civic-tally -g register -s count,mean:amount --partial b.csv > b.ndjson
	# a.csv alone would put form2 first (2 rows to 1) as well; b.csv makes form1 its equal
	run civic-tally --merge a.ndjson b.ndjson
	assert_output "register,count,mean_amount
form2,4,17.5
Other,4,25"
	run civic-tally --merge --sort register --top 2 b.ndjson a.ndjson
	assert_output "register,count,mean_amount
alphabetical,1,40
form1,3,17.5"
}

@test "top: exact figures of the top rows and the other row, plain, --within, --pivot and merged" {
	run python3 "$CIVIC_ROOT/tests/topn-check.py" "$(command -v civic-tally)" "$PWD"
	assert_success
	assert_output "plain: 5 rows, agree
within: 25 rows, agree
pivot: 6 rows, agree
merged: 5 rows, agree"
}

@test "top: usage errors" {
	run civic-tally -g register --sort -cuont "$R"
	assert_failure 2
	assert_output "civic-tally: --sort: the table has no column 'cuont' (did you mean 'count'?)"
	run civic-tally -g register --other Other "$R"
	assert_failure 2
	assert_output --partial "--other names the rows --top leaves out: give --top"
	run civic-tally -g register --top 0 "$R"
	assert_failure 2
	run civic-tally -g register --top 1 --other Total "$R"
	assert_failure 2
	assert_output --partial "--other needs a label other than 'Total'"
	# a label that is a kept row's key would make two rows one
	run civic-tally -g register --sort -count --top 1 --other form2 "$R"
	assert_failure 2
	assert_output "civic-tally: --other 'form2' is a value of register in a row --top keeps: choose another label"
	# … one among the rest is simply that row, joined by the others
	run civic-tally -g register --top 2 --other form2 "$R"
	assert_output "register,count
alphabetical,1
form1,3
form2,4"
}

# ---- --per, --population ----------------------------------------------------

@test "rate: rows per N people, the Total over summed populations, exact" {
	printf 'district,population,note\nNorth,12000,sample data\nSouth,"7,000",sample data\n' > pop.csv
	run civic-tally -g district --per 10000 --population pop.csv "$R"
	assert_failure 1
	assert_output "civic-tally: pop.csv:3: the population of district 'South' is not a positive number: '7,000'"
	printf 'district,population,note\nNorth,12000,sample data\nSouth,7000,sample data\nEast,5,unused\n' > pop.csv
	run civic-tally -g district,service -s count,share --within district --per 10000 --population pop.csv --total "$R"
	# a district counts once in its Total over services; the Total over
	# districts is 19,000 people (East, with no records, is not in it)
	assert_output "district,service,count,share,rate_per_10000
North,investigation,2,0.5,1.6666666666666667
North,prevention,2,0.5,1.6666666666666667
North,Total,4,1,3.3333333333333335
South,investigation,1,0.25,1.4285714285714286
South,prevention,3,0.75,4.285714285714286
South,Total,4,1,5.714285714285714
Total,investigation,3,0.375,1.5789473684210527
Total,prevention,5,0.625,2.6315789473684212
Total,Total,8,1,4.2105263157894735"
	run python3 -c 'from fractions import Fraction as F
for n, p in ((2, 12000), (4, 12000), (1, 7000), (3, 7000), (4, 7000), (3, 19000), (5, 19000), (8, 19000)):
    print(float(F(n * 10000, p)))'
	assert_output "1.6666666666666667
3.3333333333333335
1.4285714285714286
4.285714285714286
5.714285714285714
1.5789473684210527
2.6315789473684212
4.2105263157894735"
}

@test "rate: the other row's population is its rows', each once; sorted by rate" {
	printf 'register,population\nform1,300\nform2,200\nalphabetical,100\n' > pop.csv
	run civic-tally -g register --per 1000 --population pop.csv --sort -rate_per_1000 --top 1 --other Other "$R"
	assert_output "register,count,rate_per_1000
form2,4,20
Other,4,10"
	printf 'district,people\nNorth,1000\nSouth,3000\n' > pop.csv
	run civic-tally -g district --pivot register -s count --per 1000 --population pop.csv:people --total "$R"
	assert_output "district,count_alphabetical,rate_per_1000_alphabetical,count_form1,rate_per_1000_form1,count_form2,rate_per_1000_form2,count_Total,rate_per_1000_Total
North,0,0,2,2,2,2,4,4
South,1,0.3333333333333333,1,0.3333333333333333,2,0.6666666666666666,4,1.3333333333333333
Total,1,0.25,3,0.75,4,1,8,2"
}

@test "rate: --ci gives R's poisson.test interval (Garwood)" {
	"$CIVIC_ROOT/scripts/gen-registry" --canonical -n 3000 --seed 5 > reg.csv
	civic-tally -g region reg.csv | tail -n +2 | cut -d, -f1 |
		awk 'BEGIN { print "region,population" } { printf "\"%s\",%d\n", $0, 40000 + NR * 77777 }' > pop.csv
	civic-tally -g region --per 10000 --population pop.csv --ci default --level 0.9 --total reg.csv > rates.csv
	printf '%s\n' "p <- read.csv('pop.csv', check.names = FALSE); r <- read.csv('rates.csv', check.names = FALSE)" \
		"pop <- c(p\$population, sum(p\$population)); names(pop) <- c(p\$region, 'Total')" \
		"ci <- t(sapply(seq_len(nrow(r)), function(i) poisson.test(r\$count[i], pop[[r\$region[i]]], conf.level = 0.9)\$conf.int * 10000))" \
		"bad <- abs(ci - cbind(r\$rate_per_10000_low, r\$rate_per_10000_high)) > 1e-12 * ci" \
		"cat(nrow(r), 'rows,', sum(bad), 'limits off\n')" > check.R
	run Rscript --vanilla check.R
	assert_output "15 rows, 0 limits off"
	# an empty cell, a count of 0, has lower limit 0
	printf 'district,population\nNorth,100\nSouth,100\n' > p0.csv
	printf 'district,register\nNorth,a\nSouth,b\n' > two.csv
	run civic-tally -g district --pivot register --per 100 --population p0.csv --ci default -s count two.csv
	assert_line --index 1 --regexp '^North,1,[^,]*,[^,]*,[^,]*,1,0\.02531[0-9]*,5\.57164[0-9]*,0,[^,]*,[^,]*,[^,]*,0,0,3\.68887[0-9]*$'
}

@test "rate: errors name the key and the file" {
	printf 'district,population\nNorth,1000\n' > pop.csv
	run civic-tally -g district --per 100 --population pop.csv "$R"
	assert_failure 1
	assert_output "civic-tally: pop.csv: no population for district 'South'"
	printf 'district,population\nNorth,1000\nSouth,10\nNorth,5\n' > pop.csv
	run civic-tally -g district --per 100 --population pop.csv "$R"
	assert_failure 1
	assert_output "civic-tally: pop.csv:4: district 'North' is given twice (first on line 2)"
	printf 'district,population\nNorth,1000\nSouth,0\n' > pop.csv
	run civic-tally -g district --per 100 --population pop.csv "$R"
	assert_failure 1
	assert_output "civic-tally: pop.csv:3: the population of district 'South' is not a positive number: '0'"
	run civic-tally -g district --per 100 --population pop.csv:populaton "$R"
	assert_failure 1
	assert_output "civic-tally: pop.csv: no column 'populaton' (did you mean 'population'?)"
	printf 'region,population\nNorth,1\n' > other.csv
	run civic-tally -g district --per 100 --population other.csv "$R"
	assert_failure 1
	assert_output --partial "other.csv: no column is named as a -g key"
	run civic-tally -g district --per 100 --population nothere.csv "$R"
	assert_failure 1
	run civic-tally -g district --per 100 "$R"
	assert_failure 2
	assert_output --partial "--per and --population go together"
	run civic-tally -g district --per 100 --population pop.csv -w amount "$R"
	assert_failure 2
	assert_output --partial "--per: rates are for registry counts"
	civic-tally -g district -w amount --max-rejects 1 --partial "$R" > w.ndjson
	run civic-tally --merge --per 100 --population pop.csv w.ndjson
	assert_failure 1
	assert_output --partial "w.ndjson: the partials are weighted (-w)"
}

@test "golden: tallies of the fixture registry and of a stratified cluster survey, byte for byte" {
	civic-tally -g register -s count,share --ci wilson "$R" > by-register.csv
	assert_golden tally/by-register.csv by-register.csv
	civic-tally -g 'month(received_at)',register -s count,share --within 'month(received_at)' --total "$R" > month-register.csv
	assert_golden tally/month-register.csv month-register.csv
	civic-tally -g district -s count,mean:amount,median:amount,sd:amount,'share:days(received_at,resolved_at)<=15' --json "$R" > district.ndjson
	assert_golden tally/district.ndjson district.ndjson
	# valgrind runs long double arithmetic as double: the survey figures
	# move in their last digit there (survey.bats checks them against R).
	[ "${VALGRIND:-}" = 1 ] && return 0
	civic-tally -w pw --strata stype --psu dnum -g stype -s mean:api00,sum:enroll,share --ci t --deff \
		"$CIVIC_ROOT/tests/fixtures/survey/data/apiclus1.csv" > survey.csv
	assert_golden tally/apiclus1.csv survey.csv
}
