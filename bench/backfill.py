"""The 168-hour backfill at 1,000 tools alone (its time and the dead tuples it leaves): the
current schema against the schema migrated only up to the migration before partitioning, in one
run. The backfill part of bench/storage.py, alternated over a few rounds (medians), so a busy
shared machine weighs on both sides alike; about 4 minutes.

    cd bench && python backfill.py [rounds]
"""

from __future__ import annotations

import shutil
import statistics
import sys

from _harness import database, machine
from storage import TOOLS, WEEK, Left, backfill_cost, before_partitioning, left_behind


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(f"machine: {machine()}")
    folder = before_partitioning()
    seconds: dict[str, list[float]] = {"before": [], "now": []}
    tuples: dict[str, list[Left]] = {}
    try:
        for _ in range(rounds):
            for label, migrations in (("before", folder), ("now", None)):
                with database(migrations) as url:
                    took, left = backfill_cost(url)
                seconds[label].append(took)
                tuples[label] = left
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"backfill of {WEEK} h at {TOOLS:,} tools, median of {rounds}:")
    for label, runs in seconds.items():
        each = ", ".join(f"{s:.1f}" for s in runs)
        print(f"{label:>6}: {statistics.median(runs):6.1f} s ({each})")
        print(left_behind(tuples[label]))
    ratio = statistics.median(seconds["before"]) / statistics.median(seconds["now"])
    print(f"  speed-up {ratio:.2f}x (target >= 2x)")


if __name__ == "__main__":
    main()
