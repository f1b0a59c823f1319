#!/usr/bin/env python3
"""Extract the EXAMPLES of an mdoc page as shell scripts, for tests/docs.bats.

  man-examples.py [--as-is] PAGE OUTDIR

Every `.Bd -literal` ... `.Ed` block and every `.Dl` line of the EXAMPLES
section becomes OUTDIR/NN.example (NN from 01, in page order), its text with
the mdoc escapes undone; an unknown escape is an error, so that nothing is
run that differs from what the reader sees.  OUTDIR/NN.exit holds the exit
status the example documents: 0, unless an mdoc comment `.\\" exit: N`
comes right before it.  Unless --as-is (for examples that are files, not
commands: civic-rules(5)), two things turn what a reader types elsewhere
into shell the test can run in a scratch directory:

  - a crontab line (five time fields, then a command) becomes its command;
  - the absolute paths under /srv/ and /etc/civic/ that examples use for a
    server become the same paths under the current directory ($PWD/srv/...).

A page with no EXAMPLES section gives no scripts.  Prints how many it wrote.
"""
import os
import re
import sys

ESCAPES = {r"\e": "\\", r"\&": "", r"\-": "-", r"\(aq": "'", r"\(dq": '"', r"\(ga": "`",
           r"\(ti": "~", r"\(ha": "^"}
ESCAPE_RE = re.compile(r"\\(\(..|.)")
CRON_FIELD = r"[0-9*/,-]+"
CRON_RE = re.compile(r"^\s*(%s\s+){5}(?P<cmd>\S.*)$" % CRON_FIELD)
SERVER_PATH_RE = re.compile(r"(?<![\w./-])/(srv/|etc/civic/)")


def unescape(line, where):
    def one(m):
        esc = m.group(0)
        if esc not in ESCAPES:
            sys.exit("%s: unknown mdoc escape %s in an example" % (where, esc))
        return ESCAPES[esc]
    return ESCAPE_RE.sub(one, line)


def shell_line(line):
    m = CRON_RE.match(line)
    if m and not line.lstrip().startswith("#"):
        line = m.group("cmd")
    return SERVER_PATH_RE.sub(r"$PWD/\1", line)


def examples(path, runnable):
    """(text, exit status) of each example, in page order."""
    out, block, in_section, status = [], None, False, 0
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            where = "%s:%d" % (path, n)
            if line.startswith(".Sh "):
                in_section = line == ".Sh EXAMPLES"
                continue
            if not in_section:
                continue
            if block is not None:
                if line == ".Ed":
                    out.append(("\n".join(block) + "\n", status))
                    block, status = None, 0
                elif line.startswith("."):
                    sys.exit("%s: a request inside a literal example: %s" % (where, line))
                else:
                    block.append(runnable(unescape(line, where)))
                continue
            m = re.match(r'^\.\\"\s*exit:\s*(\d+)\s*$', line)
            if m:
                status = int(m.group(1))
            elif line.startswith(".Bd -literal"):
                block = []
            elif line.startswith(".Dl "):
                out.append((runnable(unescape(line[4:], where)) + "\n", status))
                status = 0
    if block is not None:
        sys.exit("%s: an example block without .Ed" % path)
    return out


def main():
    args = sys.argv[1:]
    as_is = args[:1] == ["--as-is"]
    if as_is:
        args = args[1:]
    if len(args) != 2:
        sys.exit("usage: man-examples.py [--as-is] PAGE OUTDIR")
    page, outdir = args
    os.makedirs(outdir, exist_ok=True)
    found = examples(page, (lambda line: line) if as_is else shell_line)
    for i, (text, status) in enumerate(found, 1):
        with open(os.path.join(outdir, "%02d.example" % i), "w", encoding="utf-8") as f:
            f.write(text)
        with open(os.path.join(outdir, "%02d.exit" % i), "w") as f:
            f.write("%d\n" % status)
    print(len(found))


if __name__ == "__main__":
    main()
