#!/usr/bin/env python3
"""Write a deterministic CSV full of what breaks parsers, for the engine tests.

usage: dirty-csv.py SEED [LINES]

A three-column header, then LINES physical lines built from the pieces that
matter to a CSV reader: delimiters of every kind, quotes in every position
(opening, doubled, stray inside text, text after a closing quote, never
closed), CR alone, CRLF, LF, blank lines, spaces, NUL bytes, invalid UTF-8
and multi-byte characters.  Resynchronisation is per line, so one file
exercises many independent cases.
"""
import random
import sys

PIECES = [b"a", b"bc", b"12", b",", b",", b";", b"\t", b"|", b'"', b'"', b'""',
          b"\r", b"\r\n", b"\n", b" ", b"\x00", b"\xff", b"\xd0\xb9", b"\xe2\x80\x99",
          b'"x,y"', b'"q"z', b'"multi\nline"', b'"cr\r\n"']


def line(rng):
    if rng.random() < 0.05:
        return b""
    return b"".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12)))


def main():
    seed = int(sys.argv[1])
    lines = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    rng = random.Random(seed)
    out = [b"h1,h2,h3"]
    out += [line(rng) for _ in range(lines)]
    if rng.random() < 0.5:
        out.append(b'"a quote opened on the last line, x,y')
    ending = rng.choice([b"\n", b"", b"\r", b"\r\n"])
    sys.stdout.buffer.write(b"\n".join(out) + ending)


if __name__ == "__main__":
    main()
