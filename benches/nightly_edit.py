#!/usr/bin/env python3
"""Day 2 of a nightly run: copies generated exports with a share of records edited, deleted and added.

    python3 benches/nightly_edit.py SRC_DIR DST_DIR [--edited 0.01] [--deleted 0.005] [--added 0.005] [--seed 1]

Each export keeps its encoding, byte-order mark, delimiter and line ends. An edited record has one
value changed (a city, phone, title... whichever column the seed picks; never its id); a deleted
record is gone; an added record is a copy of another row under a new id (the person entered again),
so the added share also brings new duplicates. Files without an id column (the webinar list) get
their added rows appended.
"""
import argparse
import csv
import io
import os
import random

ap = argparse.ArgumentParser()
ap.add_argument("src")
ap.add_argument("dst")
ap.add_argument("--edited", type=float, default=0.01)
ap.add_argument("--deleted", type=float, default=0.005)
ap.add_argument("--added", type=float, default=0.005)
ap.add_argument("--seed", type=int, default=1)
a = ap.parse_args()
rng = random.Random(a.seed)
os.makedirs(a.dst, exist_ok=True)
counts = {"records": 0, "edited": 0, "deleted": 0, "added": 0}
for name in sorted(os.listdir(a.src)):
    if not name.endswith(".csv") or name in ("truth.csv", "entities.csv"):
        continue
    raw = open(os.path.join(a.src, name), "rb").read()
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text, enc = raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, enc = raw.decode("cp1252"), "cp1252"
    head = text.split("\n", 1)[0]
    delim = ";" if head.count(";") > head.count(",") else ","
    crlf = "\r\n" in text[: len(head) + 2]
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    header, body = rows[0], [r for r in rows[1:] if r]
    has_id = header[0].strip().lower() in ("id", "record id", "id contatto")
    out = []
    for r in body:
        counts["records"] += 1
        x = rng.random()
        if x < a.deleted:
            counts["deleted"] += 1
            continue
        if x < a.deleted + a.edited:
            filled = [i for i, v in enumerate(r) if v.strip() and (i > 0 or not has_id)]
            if filled:
                i = rng.choice(filled)
                r = list(r)
                r[i] = r[i] + ("1" if r[i][-1:].isdigit() else "e")
                counts["edited"] += 1
        out.append(r)
    for _ in range(round(len(body) * a.added)):
        r = list(rng.choice(body))
        if has_id:
            r[0] = "N" + r[0]
        out.append(r)
        counts["added"] += 1
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delim, lineterminator="\r\n" if crlf else "\n")
    w.writerow(header)
    w.writerows(out)
    data = buf.getvalue().encode(enc)
    open(os.path.join(a.dst, name), "wb").write((b"\xef\xbb\xbf" if bom else b"") + data)
print(" ".join(f"{k}={v}" for k, v in counts.items()))
