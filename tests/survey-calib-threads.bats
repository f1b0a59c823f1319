#!/usr/bin/env bats
# civic-tally --rake and --poststrata on two threads: the calibration's
# first pass and the tally's pass each read the second half of the input
# on a second thread, and their exact per-cell sums merge to the bytes of
# one thread (whose figures tests/survey-calib.bats checks against R's
# survey package).  An error in the second half is reported with the
# line one thread gives.  CIVIC_THREADS=2 splits any input, however
# small, so the data stays light.

load helper

setup() {
	setup_scratch
	local n=20000
	[ "${VALGRIND:-}" = 1 ] && n=1500
	"$CIVIC_ROOT/scripts/gen-survey" -n "$n" --seed 17 > survey.csv
	# margins: every category of region, sex and age group, with counts
	# unlike the sample's, so that raking needs several sweeps
	/usr/bin/python3 - survey.csv <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
for v in ("region", "sex", "age_group"):
    levels = sorted({r[v] for r in rows})
    with open("m_%s.csv" % v, "w") as fh:
        fh.write("%s,N\n" % v)
        for i, lv in enumerate(levels):
            fh.write("%s,%d\n" % (lv, 1000 * (i + 2)))
PY
	RK=(--rake m_region.csv --rake m_sex.csv --rake m_age_group.csv)
	DES=(-w weight --strata stratum --psu psu)
}

# both THREADS ARGS...: civic-tally on one thread into one.out and on two
# into two.out (standard errors in one.err and two.err)
both() {
	CIVIC_THREADS=1 civic-tally "$@" > one.out 2> one.err || true
	CIVIC_THREADS=2 CIVIC_THREADS_REPORT=1 civic-tally "$@" > two.out 2> two.err || true
}

# the figures of a raked tally, on one thread and on two
figures() {
	local data=$1
	shift
	both "${RK[@]}" "${DES[@]}" -g region,cooperates_most --within region -s count,share --ci logit "$data"
	cmp one.out two.out
	grep -q 'calibration.s second half scanned on a second thread and merged' two.err
	grep -q 'second half tallied on a second thread and merged' two.err
	run grep -c "second half" one.err
	assert_output 0
	both "${RK[@]}" "${DES[@]}" -g sex -s 'mean:trust_police,sum:would_report,share:trust_police>=4' --ci t "$data"
	cmp one.out two.out
	grep -q 'second half tallied on a second thread and merged' two.err
	both "${RK[@]}" "${DES[@]}" --write-weights "$data"
	cmp one.out two.out
	grep -q 'calibration.s second half scanned on a second thread and merged' two.err
}

@test "raked on two threads: one thread's bytes, both passes split and merged" {
	figures survey.csv
	[ "$(wc -l < one.out)" -gt 1000 ]
}

@test "raked on two threads: PSUs met in both halves and cells first met in the second half" {
	# rows shuffled: every PSU comes back in both halves
	/usr/bin/python3 - survey.csv <<'PY'
import random, sys
lines = open(sys.argv[1]).read().splitlines()
body = lines[1:]
random.Random(17).shuffle(body)
open("shuffled.csv", "w").write("\n".join([lines[0]] + body) + "\n")
# sorted by region, then age group: the second half's regions and cells are new to the first
body.sort(key=lambda l: (l.split(",")[1], l.split(",")[7]))
open("sorted.csv", "w").write("\n".join([lines[0]] + body) + "\n")
PY
	figures shuffled.csv
	figures sorted.csv
}

@test "raked on two threads: weights of 15 places in the second half only, one thread's bytes" {
	# the first half's pair sums stay int64 counts of 1e-9, the second
	# half's turn into xsums: the merge must give one thread's sums
	[ "${VALGRIND:-}" = 1 ] && skip "valgrind's long double has a double's precision: an exact Σw of 16 digits or more then rounds by the scale it is held at, which the merge changes"
	/usr/bin/python3 - survey.csv > wide.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
w = rows[0].index("weight")
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(rows[0])
half = len(rows) // 2
for i, r in enumerate(rows[1:]):
    if i > half and i % 3 == 0:
        r[w] = r[w] + "123456789"
    out.writerow(r)
PY
	figures wide.csv
}

@test "post-stratified on two threads: one thread's bytes" {
	both --poststrata region --totals m_region.csv "${DES[@]}" -g cooperates_most -s share --ci logit survey.csv
	cmp one.out two.out
	grep -q 'calibration.s second half scanned on a second thread and merged' two.err
}

@test "an error in the second half: reported with one thread's line, the first pass read again on one thread" {
	/usr/bin/python3 - survey.csv <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
i = len(lines) * 3 // 4
f = lines[i].split(",")
f[5] = "heavy"          # weight: not a number
lines[i] = ",".join(f)
open(sys.argv[1], "w").write("\n".join(lines))
PY
	both "${RK[@]}" "${DES[@]}" -g region -s share --ci logit survey.csv
	grep -q 'calibration.s second half read again on one thread' two.err
	grep "weight 'heavy' is not a number" one.err
	diff one.err <(grep -v 'second half' two.err)
	cmp one.out two.out
}

@test "an fpc that changes in the second half: one thread's error and output" {
	/usr/bin/python3 - survey.csv <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
out = [lines[0] + ",fpc"]
body = [l for l in lines[1:] if l]
for i, l in enumerate(body):
    out.append(l + (",0.5" if i < len(body) * 3 // 4 else ",0.25"))
open("fpc.csv", "w").write("\n".join(out) + "\n")
PY
	both "${RK[@]}" "${DES[@]}" --fpc fpc -g region -s share --ci logit fpc.csv
	cmp one.out two.out
	diff one.err <(grep -v 'second half' two.err)
}
