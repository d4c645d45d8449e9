#!/usr/bin/env python3
"""Golden-record accuracy on generated data: for every cluster of two or more records whose records
mostly belong to one generated person, is each golden value one of that person's own values?

Usage: python3 benches/golden.py GENERATED_DIR OUT_DIR [--json]
  GENERATED_DIR holds truth.csv and entities.csv (`crmclean generate`); OUT_DIR a dedupe run's
  clusters.csv and golden.csv. Prints, per field, the share of golden values that are right (among
  clusters where the person has the field and the golden record has a value).
"""
import collections
import csv
import json
import sys
import unicodedata


def fold(s):
    s = unicodedata.normalize("NFKD", s.casefold())
    return "".join(c for c in s if not unicodedata.combining(c)).strip()


def main():
    gen, out = sys.argv[1], sys.argv[2]
    entity = {(r["source"], r["record_id"]): r["entity_id"] for r in csv.DictReader(open(f"{gen}/truth.csv"))}
    people = {r["entity_id"]: r for r in csv.DictReader(open(f"{gen}/entities.csv"))}
    members = collections.defaultdict(list)
    for r in csv.DictReader(open(f"{out}/clusters.csv", encoding="utf-8-sig")):
        members[r["cluster_id"]].append(entity.get((r["source"], r["record_id"])))
    checks = {
        "first_name": lambda g, p: fold(g) == fold(p["first_name"]),
        "last_name": lambda g, p: fold(g) == fold(p["last_name"]),
        "email": lambda g, p: fold(g) in [fold(e) for e in p["emails"].split(";") if e],
        "phone": lambda g, p: g in [x for x in p["phones"].split(";") if x],
        "postal_code": lambda g, p: fold(g) == fold(p["postal_code"]),
    }
    has = {
        "first_name": "first_name",
        "last_name": "last_name",
        "email": "emails",
        "phone": "phones",
        "postal_code": "postal_code",
    }
    right = collections.Counter()
    seen = collections.Counter()
    for g in csv.DictReader(open(f"{out}/golden.csv", encoding="utf-8-sig")):
        ids = members.get(g["cluster_id"], [])
        if len(ids) < 2:
            continue
        top, n = collections.Counter(ids).most_common(1)[0]
        if top is None or n * 2 <= len(ids) or top not in people:
            continue
        p = people[top]
        for field, check in checks.items():
            if g.get(field) and p[has[field]]:
                seen[field] += 1
                right[field] += check(g[field], p)
    result = {f: {"right": right[f], "of": seen[f], "share": right[f] / seen[f] if seen[f] else None} for f in checks}
    if "--json" in sys.argv:
        print(json.dumps(result))
    else:
        for f, r in result.items():
            share = f"{r['share']:.4f}" if r["share"] is not None else "-"
            print(f"| {f} | {r['of']} | {share} |")


if __name__ == "__main__":
    main()
