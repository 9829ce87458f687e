"""Generates cpython-vectors.json: expected outputs of CPython 3.11 for the py/ unit tests.

Run from this folder with CPython 3.11 (the BFCL reference interpreter):
    python3 gen-cpython-vectors.py > cpython-vectors.json
Deterministic (fixed seed). Floats travel as their repr (shortest round-trip text), strings as JSON
(lone surrogates survive as \\udXXX escapes).
"""
import json
import math
import random
import struct
import sys

assert sys.version_info[:2] == (3, 11), "generate with CPython 3.11"
rng = random.Random(20250615)


def rand_double():
    k = rng.random()
    if k < 0.35:
        bits = rng.getrandbits(64)
        x = struct.unpack("<d", struct.pack("<Q", bits))[0]
        return x if math.isfinite(x) else rng.random()
    if k < 0.6:
        return round(rng.uniform(-1000, 1000), rng.randint(0, 6))
    if k < 0.8:
        return rng.choice([1, -1]) * rng.randint(0, 10**6) / 10 ** rng.randint(0, 8)
    if k < 0.9:
        return float(rng.choice([1, -1]) * 10 ** rng.randint(-20, 25)) * rng.choice([1, 1.5, 2.675, 9.999999])
    return rng.choice([1, -1]) * rng.randint(0, 2**60) * 2.0 ** rng.randint(-80, 10)


floats = [repr(rand_double()) for _ in range(3000)]
floats += [repr(x) for x in [0.0, -0.0, 1e-4, 1e-5, 9.9999e-5, 1e15, 1e16, 9999999999999998.0, 1e16 - 2, 2.0**53,
                             2.0**53 + 2, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 0.1, 0.3, 1 / 3,
                             123456789012345680.0, 1e22, 1e21, 1e-7, 1.5e300, 1e-128]]

strings = ["", "a", "it's", 'say "hi"', "both ' and \"", "\\", "\t\n\r\x00\x1f\x7f", "\x80\x9f\xa0\xad\xff",
           "caf\u00e9 \u2615", "\u2028\u2029\u200b\u200e\ufeff", "\U0001F600 \U0001F3F3\uFE0F\u200D\U0001F308",
           "\ud800", "a\udfffb", "\ue000\uf8ff", "\U000F0000", "\u0378\u0560\u0888", "\u3000\u00a0 ",
           "\U0001FA70\U0001FAE8\U00013440", "\u1680\u180e", "'\"'"]
for _ in range(300):
    n = rng.randint(0, 6)
    cs = []
    for _ in range(n):
        r = rng.random()
        if r < 0.3:
            cs.append(chr(rng.randint(0, 0x7F)))
        elif r < 0.6:
            cs.append(chr(rng.randint(0x80, 0x3000)))
        elif r < 0.85:
            cs.append(chr(rng.randint(0x3000, 0xFFFF)))
        else:
            cs.append(chr(rng.randint(0x10000, 0x10FFFF)))
    strings.append("".join(cs))
str_repr = [[s, repr(s)] for s in strings]

rounds = []
for _ in range(1500):
    x = rand_double()
    nd = rng.choice([None, 0, 1, 2, 2, 3, 4, -1, -2, 5, 8, 15])
    try:
        r = round(x) if nd is None else round(x, nd)
        out = ["int", str(r)] if isinstance(r, int) else ["float", repr(r)]
    except Exception as e:  # noqa: BLE001
        out = ["error", type(e).__name__ + ": " + str(e)]
    rounds.append([repr(x), nd, out])
for x in ["2.675", "0.125", "0.375", "2.5", "-2.5", "0.5", "1.5", "-0.001", "1e300", "5e-324", "1.7976931348623157e308"]:
    for nd in [None, 0, 1, 2, -1, -308, -309, 323, 324]:
        try:
            v = float(x)
            r = round(v) if nd is None else round(v, nd)
            out = ["int", str(r)] if isinstance(r, int) else ["float", repr(r)]
        except Exception as e:  # noqa: BLE001
            out = ["error", type(e).__name__ + ": " + str(e)]
        rounds.append([x, nd, out])

fixed = []
for _ in range(1500):
    x = rand_double()
    d = rng.choice([0, 1, 2, 2, 2, 3, 6, 10, 20])
    fixed.append([repr(x), d, format(x, f".{d}f")])
for x in ["0.125", "0.375", "2.675", "-0.001", "-0.0", "1e22", "5e-324", "0.5", "1.5", "2.5"]:
    for d in [0, 1, 2, 3]:
        fixed.append([x, d, format(float(x), f".{d}f")])

int_round = []
for _ in range(200):
    n = rng.randint(-10**12, 10**12) if rng.random() < 0.7 else rng.choice([5, 15, 25, -5, -15, 150, 250, -250])
    nd = rng.choice([-1, -2, -3, 0, 2])
    int_round.append([str(n), nd, str(round(n, nd))])

divs = []
for _ in range(400):
    a = rng.randint(-10**rng.randint(1, 40), 10**rng.randint(1, 40))
    b = rng.randint(-10**rng.randint(1, 40), 10**rng.randint(1, 40)) or 7
    divs.append([str(a), str(b), repr(a / b)])
divs += [[str(10**400), str(10**100), repr(10**400 / 10**100)], [str(1), str(10**400), repr(1 / 10**400)],
         [str(3), str(10**330), repr(3 / 10**330)], [str(2**1100 + 1), str(2**1100), repr((2**1100 + 1) / 2**1100)]]

fmods = []
for _ in range(400):
    a = rand_double()
    b = rng.choice([rand_double(), float(rng.randint(-9, 9) or 3), 0.1, -0.1, 2.0, -2.0])
    if b == 0:
        b = 1.5
    fmods.append([repr(a), repr(b), repr(a % b), repr(a // b)])
for a in ["-0.0", "0.0", "7.5", "-7.5", "1e300", "-1e-300"]:
    for b in ["2.0", "-2.0", "1e-300", "-1e300"]:
        fmods.append([a, b, repr(float(a) % float(b)), repr(float(a) // float(b))])

pool = [" ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u2028", "\u3000",
        "\u200b", "a", "b", "ab", "\u00df", "\u0130", "\u03a3", "\u01c5", "x y", ",", ",,", "--", "\U0001F600", "Σς",
        "É", "ǆ", "ﬁ", "ᾳ", "I", "i", "'s", "3d", "\u0345", "ƛ", "ɤ"]
str_ops = []
for _ in range(500):
    s = "".join(rng.choice(pool) for _ in range(rng.randint(0, 8)))
    sep = rng.choice([None, None, ",", "--", "a", " "])
    maxsplit = rng.choice([-1, -1, 0, 1, 2])
    chars = rng.choice([None, "ab", " ,", "\U0001F600a", ""])
    str_ops.append({
        "s": s, "sep": sep, "maxsplit": maxsplit, "chars": chars,
        "split": s.split(sep, maxsplit), "rsplit": s.rsplit(sep, maxsplit),
        "strip": s.strip(chars), "lstrip": s.lstrip(chars), "rstrip": s.rstrip(chars),
        "splitlines": s.splitlines(), "splitlines_keep": s.splitlines(True),
        "lower": s.lower(), "upper": s.upper(), "title": s.title(), "capitalize": s.capitalize(),
        "len": len(s),
    })

sort_pool = ["a", "b", "B", "\uffff", "\U0001F600", "\ue000", "\ud800", "aa", "", "\u00e9", "\U00010000", "z\U0001F600", "z\uffff"]
sorted_strs = sorted(sort_pool)

print(json.dumps({
    "floats": floats, "str_repr": str_repr, "rounds": rounds, "fixed": fixed, "int_round": int_round,
    "divs": divs, "fmods": fmods, "str_ops": str_ops, "sort_pool": sort_pool, "sorted_strs": sorted_strs,
}, ensure_ascii=True, indent=None, separators=(",", ":")))
