"""The 168-hour backfill at 1,000 tools alone (its time and the dead tuples it leaves): the
current schema against the schema migrated only up to the migration before partitioning, in one
run. The backfill part of bench/storage.py, in about a minute.

    cd bench && python backfill.py
"""

from __future__ import annotations

import shutil

from _harness import database, machine
from storage import TOOLS, WEEK, backfill_cost, before_partitioning


def main() -> None:
    print(f"machine: {machine()}")
    folder = before_partitioning()
    try:
        with database(folder) as url:
            before = backfill_cost(url)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    with database(None) as url:
        now = backfill_cost(url)
    print(f"backfill of {WEEK} h at {TOOLS:,} tools:")
    for label, (seconds, tuples) in (("before", before), ("now", now)):
        dead = "  ".join(f"{t} {d:,} dead/{live:,} live" for t, live, d in tuples)
        print(f"{label:>6}: {seconds:6.1f} s   {dead}")
    print(f"  speed-up {before[0] / now[0]:.2f}x (target >= 2x)")


if __name__ == "__main__":
    main()
