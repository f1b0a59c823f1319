#!/usr/bin/env python3
"""A small seeded trust survey whose answers are words, for the Likert
differential test against R (tests/survey.bats, tests/likert-survey.R).

    tests/likert-survey.py gen SEED RAW.csv TRUTH.csv
    tests/likert-survey.py truth CODED.csv TRUTH.csv
    tests/likert-survey.py compare EXPECTED.csv TAG=TALLY.csv...

gen writes the survey (strata, PSUs, weights, a region that cuts across
strata, one column per shipped likert.rules template holding answers in
English, Russian and Uzbek, with "hard to say", "don't know", refusals and
empty answers) and TRUTH.csv, the code each answer must get.  Two holes
test R's subset(design, !is.na(y)): PSU s2/3 answers trust_court with no
code at all, and stratum s4 answers satisfied_mid with none.

truth checks civic-classify's output against TRUTH.csv, cell by cell.

compare checks every figure R wrote (EXPECTED.csv: tag, group, column,
value, tol) against the civic-tally output of that tag: relative 1e-10, or
absolute 1e-8 where tol is "abs" (R fits logit intervals by IRLS).  Prints
a line per difference and a count; exit 1 when any differ or nothing was
compared."""

import csv
import math
import random
import sys

REL, ABS = 1e-10, 1e-8

NONRESPONSE = {
    "dk": ["Don't know", "не знаю", "bilmayman", "DK"],
    "refused": ["Refused", "отказ от ответа", "javob berishdan bosh tortdi", "no answer"],
}
HARD = ["Hard to say", "затрудняюсь ответить", "qiynalaman"]

SCALES = {
    "trust5": {
        "1": ["Fully distrust", "совсем не доверяю", "umuman ishonmayman", "1"],
        "2": ["Rather distrust", "скорее не доверяю", "unchalik ishonmayman", "2"],
        "3": ["Neither trust nor distrust", "и да, и нет", "qisman", "3"],
        "4": ["Rather trust", "скорее доверяю", "ko'proq ishonaman", "4"],
        "5": ["Fully trust", "полностью доверяю", "to'liq ishonaman", "5"],
    },
    "agree5": {
        "1": ["Strongly disagree", "совершенно не согласен", "1"],
        "2": ["Disagree", "не согласен", "qo'shilmayman", "2"],
        "3": ["Neither agree nor disagree", "частично", "qisman", "3"],
        "4": ["Agree", "согласен", "qo'shilaman", "4"],
        "5": ["Strongly agree", "полностью согласен", "5"],
    },
    "satisfaction5": {
        "1": ["Very dissatisfied", "совсем не удовлетворен", "1"],
        "2": ["Dissatisfied", "недоволен", "norozi", "2"],
        "3": ["Neutral", "так себе", "o'rtacha", "3"],
        "4": ["Satisfied", "доволен", "mamnun", "4"],
        "5": ["Very satisfied", "очень доволен", "juda mamnun", "5"],
    },
    "yesno": {
        "1": ["Yes", "да", "ha", "1"],
        "0": ["No", "нет", "yo'q", "0"],
    },
}

# column: (template, scale its answers come from, "hard to say" is 3)
ITEMS = {
    "trust_police": ("trust5", "trust5", False),
    "trust_court": ("trust5_mid", "trust5", True),
    "agree_fair": ("agree5", "agree5", False),
    "satisfied_contact": ("satisfaction5", "satisfaction5", False),
    "satisfied_mid": ("satisfaction5_mid", "satisfaction5", True),
    "would_report": ("yesno", "yesno", False),
}

STRATA = {"s1": 4, "s2": 5, "s3": 3, "s4": 4}       # PSUs each
REGIONS = ["North", "South", "Tashkent"]


def missing_answer(rng, item, hard_is_3):
    """A nonresponse and its code: dk, refused, or empty."""
    kind = rng.choice(["dk", "dk", "refused", ""])
    if kind == "":
        return "", ""
    if kind == "dk" and not hard_is_3 and rng.random() < 0.4:
        return rng.choice(HARD), "dk"
    return rng.choice(NONRESPONSE[kind]), kind


def answer(rng, item, stratum_bias, hole):
    template, scale, hard_is_3 = ITEMS[item]
    if hole or rng.random() < 0.15:
        return missing_answer(rng, item, hard_is_3)
    if hard_is_3 and rng.random() < 0.1:
        return rng.choice(HARD), "3"
    codes = list(SCALES[scale])
    if scale == "yesno":
        code = "1" if rng.random() < 0.35 + stratum_bias / 10 else "0"
    else:
        weights = [1 + (i * stratum_bias) % 3 for i in range(len(codes))]
        code = rng.choices(codes, weights)[0]
    return rng.choice(SCALES[scale][code]), code


def generate(seed, raw_path, truth_path):
    rng = random.Random(seed)
    header = ["id", "stratum", "psu", "weight", "region"] + list(ITEMS)
    with open(raw_path, "w", newline="") as raw, open(truth_path, "w", newline="") as truth:
        rw, tw = csv.writer(raw, lineterminator="\n"), csv.writer(truth, lineterminator="\n")
        rw.writerow(header)
        tw.writerow(["id"] + list(ITEMS))
        rid = 0
        for si, (stratum, npsu) in enumerate(STRATA.items()):
            for psu in range(1, npsu + 1):
                for _ in range(rng.randint(10, 20)):
                    rid += 1
                    weight = f"{rng.randint(40, 400) / 4:g}"
                    row, codes = [], []
                    for item in ITEMS:
                        hole = (item == "trust_court" and (stratum, psu) == ("s2", 3)) or \
                               (item == "satisfied_mid" and stratum == "s4")
                        text, code = answer(rng, item, si + 1, hole)
                        row.append(text)
                        codes.append(code)
                    rw.writerow([rid, stratum, psu, weight, rng.choice(REGIONS)] + row)
                    tw.writerow([rid] + codes)


def check_truth(coded_path, truth_path):
    coded = {r["id"]: r for r in csv.DictReader(open(coded_path, newline=""))}
    bad = n = 0
    for want in csv.DictReader(open(truth_path, newline="")):
        got = coded.get(want["id"])
        for item in ITEMS:
            n += 1
            if got is None or got[item] != want[item]:
                bad += 1
                print(f"id {want['id']} {item}: coded {got and got[item]!r}, should be {want[item]!r}")
    print(f"{n - bad}/{n} answers coded as the generator meant")
    return 1 if bad or n == 0 else 0


def close(got, want, tol):
    if got == "":
        return False
    g, w = float(got), float(want)
    if math.isnan(w) or math.isinf(w):
        return g == w or (math.isnan(g) and math.isnan(w))
    d = abs(g - w)
    return d <= ABS if tol == "abs" else (d <= REL * abs(w) or d < 1e-14)


def compare(expected_path, outputs):
    tallies = {}
    for arg in outputs:
        tag, path = arg.split("=", 1)
        rows = list(csv.DictReader(open(path, newline="")))
        tallies[tag] = {(r.get("region", "-")): r for r in rows}
    bad = n = 0
    for e in csv.DictReader(open(expected_path, newline="")):
        n += 1
        row = tallies.get(e["tag"], {}).get(e["group"])
        got = row.get(e["column"]) if row else None
        if got is None:
            bad += 1
            print(f"{e['tag']} {e['group']} {e['column']}: not in civic-tally's output")
        elif not close(got, e["value"], e["tol"]):
            bad += 1
            print(f"{e['tag']} {e['group']} {e['column']}: civic-tally {got}, R {e['value']}")
    print(f"{n - bad}/{n} figures agree with R")
    return 1 if bad or n == 0 else 0


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "gen":
        generate(int(sys.argv[2]), sys.argv[3], sys.argv[4])
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "truth":
        return check_truth(sys.argv[2], sys.argv[3])
    if len(sys.argv) >= 4 and sys.argv[1] == "compare":
        return compare(sys.argv[2], sys.argv[3:])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
