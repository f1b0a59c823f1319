#!/usr/bin/env bats
# The workbook layer's .xls and .ods readers and the texts every reader
# writes cells in (wb_number.h, wb_date.h), each checked against an
# independent reading: Python's repr and datetime, xlrd, odfpy.

load helper

setup() {
	setup_scratch
	W="$FIXTURES/workbooks"
}

# --- .xls and .ods readers (wb-xls-ods) ---------------------------------------

@test "numbers: the shortest plain decimal, as Python's repr, on 200,000 doubles of every kind" {
	/usr/bin/python3 "$W/number-oracle.py" 16 200000
	wb-number < in > got
	diff want got > diff.txt || fail "$(head -20 diff.txt)"
	# and the forms the issue names
	printf '%s\n' 3fb999999999999a 416312d000000000 c004000000000000 3eb0c6f7a0b5ed8d \
		444b1ae4d6e2ef50 8000000000000000 7ff8000000000000 | wb-number > got
	printf '%s\n' 0.1 10000000 -2.5 0.000001 1000000000000000000000 0 'error: not finite' > want
	diff want got
}

@test "date serials: the 1900 system (with its phantom 1900-02-29) and the 1904 system, against xlrd" {
	/usr/bin/python3 - <<'PY'
import random
from xlrd.xldate import xldate_as_tuple
random.seed(7)
for mode, name in ((0, 'in1900'), (1, 'in1904')):
    low = 61 if mode == 0 else 1
    with open(name, 'w') as f, open(name + '.date', 'w') as d, \
         open(name + '.datetime', 'w') as t, open(name + '.time', 'w') as h:
        for i in range(20000):
            s = random.choice([random.uniform(low, 2958000), random.randint(low, 80000),
                               random.randint(low, 80000) + random.randint(0, 86399) / 86400])
            f.write(repr(s) + '\n')
            y, m, dd, hh, mi, ss = xldate_as_tuple(s, mode)
            d.write('%04d-%02d-%02d\n' % (y, m, dd))
            t.write('%04d-%02d-%02dT%02d:%02d:%02d\n' % (y, m, dd, hh, mi, ss))
            h.write('%02d:%02d:%02d\n' % (hh, mi, ss))
PY
	for type in date datetime time; do
		wb-number -d $type < in1900 | diff in1900.$type - > diff.txt || fail "1900 $type: $(head diff.txt)"
		wb-number -d $type -4 < in1904 | diff in1904.$type - > diff.txt || fail "1904 $type: $(head diff.txt)"
	done
}

@test "date serials before 1900-03-01, the phantom 1900-02-29, and the ends" {
	printf '%s\n' 1 1.5 59 59.999999 60 60.5 61 0 0.25 -1 2958465 2958465.99999 2958466 45296.6041666667 \
		| wb-number -d datetime > got
	cat > want <<'OUT'
1900-01-01T00:00:00
1900-01-01T12:00:00
1900-02-28T00:00:00
error: 1900-02-29 does not exist (Excel's serial 60)
error: 1900-02-29 does not exist (Excel's serial 60)
error: 1900-02-29 does not exist (Excel's serial 60)
1900-03-01T00:00:00
error: date serial 0 is Excel's 1900-01-00, not a date
error: date serial 0 is Excel's 1900-01-00, not a date
error: negative date serial
9999-12-31T00:00:00
9999-12-31T23:59:59
error: date serial after 9999-12-31
2024-01-05T14:30:00
OUT
	diff want got
	printf '%s\n' 0 0.25 1 1462 | wb-number -d date -4 > got
	printf '%s\n' 1904-01-01 1904-01-01 1904-01-02 1908-01-02 > want
	diff want got
	printf '%s\n' 0.25 60.5 0.99999999 | wb-number -d time > got
	printf '%s\n' 06:00:00 12:00:00 00:00:00 > want
	diff want got
}
