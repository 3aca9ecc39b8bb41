# SPDX-License-Identifier: MIT
# Copyright (c) 2024 The Harbour Tools authors
"""Drop near-duplicate lines from the daily landing book exports.

Two lines are duplicates when they record the same boat, species and weight on the same day; clerks
sometimes typed a landing twice when the office changed shift.
"""

import csv
import sys
from typing import Iterable, Iterator


def _key(row: dict) -> tuple:
    return (
        row["date"].strip(),
        row["boat"].strip().upper(),
        row["species"].strip().lower(),
        round(float(row["weight_kg"]), 1),
    )


def dedupe(rows: Iterable[dict]) -> Iterator[dict]:
    """Yield each landing once, keeping the first of any duplicates."""
    seen = set()
    for row in rows:
        key = _key(row)
        if key in seen:
            continue
        seen.add(key)
        yield row


def main(argv: list) -> int:
    if len(argv) != 3:
        print("usage: dedupe.py IN.csv OUT.csv", file=sys.stderr)
        return 2
    with open(argv[1], newline="") as src, open(argv[2], "w", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        for row in dedupe(reader):
            writer.writerow(row)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
