#!/usr/bin/env bats
# The UTF-8 check every record passes (lib/base/utf8.c checks sixteen bytes
# at a time where it can), against Python's strict UTF-8 decoder: which
# records are rejected, in which column, at which byte.

load helper

setup() {
	setup_scratch
}

# rows.csv (id,t,x,u) and want.txt, one line per record: "LINE kept" or
# "LINE COLUMN BYTE", the first column that Python cannot decode and the
# file offset of its first bad sequence.  The texts mix ASCII, two-,
# three- and four-byte sequences (E0 and ED leads among them) at every
# alignment, and one record in five holds a bad sequence: a stray or
# missing continuation byte, an overlong form, a surrogate, a code point
# past U+10FFFF, a byte no UTF-8 holds, or a sequence cut by the field's end.
make_rows() {
	/usr/bin/python3 - "$1" <<'EOF'
import random, sys
rnd = random.Random(int(sys.argv[1]))
good = ["a", "b", " ", "7", "ж", "Я", "ё", "ʻ", "‘", "’", "ҳ", "қ", "…", "ퟻ", "अ", "\ufffd", "€", "😀", "𐍈"]
bad = [b"\x80", b"\xbf", b"\xc0\x80", b"\xc1\xbf", b"\xe0\x80\x80", b"\xe0\x9f\xbf", b"\xed\xa0\x80",
       b"\xf0\x8f\xbf\xbf", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xfe", b"\xff", b"\xd0", b"\xe2\x80",
       b"\xf0\x9f\x98", b"\xd0a", b"\xe2\x80a", b"\xd0\xd0\xb0"]
def text():
    mostly = rnd.choice(["ж", "a", "‘", "😀"])
    parts = [(mostly if rnd.random() < 0.6 else rnd.choice(good)).encode() for _ in range(rnd.randrange(0, 60))]
    if rnd.random() < 0.1:
        parts.insert(rnd.randrange(len(parts) + 1), rnd.choice(bad))
    return b"".join(parts)
out, want, offset = [b"id,t,x,u\n"], [], 9
for n in range(3000):
    fields = [str(n).encode(), text(), b"x", text()]
    line = b",".join(fields) + b"\n"
    verdict, at = "kept", offset
    for name, f in zip(["id", "t", "x", "u"], fields):
        try:
            f.decode("utf-8")
        except UnicodeDecodeError as e:
            verdict = "%s %d" % (name, at + e.start)
            break
        at += len(f) + 1
    want.append("%d %s" % (n + 2, verdict))
    out.append(line)
    offset += len(line)
open("rows.csv", "wb").write(b"".join(out))
open("want.txt", "w").write("\n".join(want) + "\n")
EOF
}

@test "records with bad UTF-8 are rejected exactly where Python's decoder fails, whichever columns are read" {
	local seed
	for seed in 1 2 3; do
		make_rows $seed
		grep -c kept want.txt > /dev/null
		[ "$(grep -vc kept want.txt)" -gt 300 ]
		for engine in scan libcsv; do
			# civic-filter reads only t and checks the whole record's text;
			# --columns splits every kept record again
			for opts in '' '--columns u,id'; do
				CIVIC_CSV_ENGINE=$engine run --separate-stderr civic-filter $opts --max-rejects 100% \
					--rejects rej.ndjson 't is not empty or t is empty' rows.csv
				assert_success
				# kept records come out in order: id is the first or last column
				kept=$(awk -F, -v last="$opts" 'NR > 1 { print (last ? $NF : $1) + 2 }' <<< "$output")
				assert_equal "$kept" "$(awk '$2 == "kept" { print $1 }' want.txt)"
				{
					sed 's/$/ kept/' <<< "$kept"
					jq -r '[.line, .column, (.message | capture("at byte (?<b>[0-9]+)").b)] | join(" ")' rej.ndjson
				} | sort -n > got.txt
				run diff want.txt got.txt
				assert_success
			done
		done
		# civic-tally reads t and u into its record and checks them there (x,
		# between them, left empty)
		run --separate-stderr civic-tally -g t,u -s count --max-rejects 100% --rejects rej.ndjson rows.csv
		assert_success
		assert_equal "$(jq -r '[.line, .column, (.message | capture("at byte (?<b>[0-9]+)").b)] | join(" ")' rej.ndjson)" \
			"$(grep -v kept want.txt)"
	done
}
