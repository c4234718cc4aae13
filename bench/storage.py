"""Storage of a week of metrics at 1,000 tools: partitioned by day (issue 11) against the schema
migrated only up to the migration before it, in one run.

    python bench/storage.py
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import psycopg

from _harness import database, machine, sql, vacuum
from worksinprod.migrations import discover

TOOLS = 1_000
FIRST_PARTITIONED = "20261127100000"


def before_partitioning() -> Path:
    """A folder of the migrations before metrics were partitioned."""
    folder = Path(tempfile.mkdtemp(prefix="wip-bench-migrations-"))
    for migration in discover():
        if migration.version < FIRST_PARTITIONED:
            (folder / migration.path.name).symlink_to(migration.path)
    return folder


def week_bytes(url: str, partitioned: bool) -> tuple[int, int, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql("make_tools"), {"count": TOOLS})
        hours = {"newest_hours": 0, "oldest_hours": 7 * 24 - 1}
        if partitioned:
            conn.execute(sql("make_history_days"), hours)
        conn.execute(sql("make_history"), hours)
    vacuum(url)
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(sql("metrics_bytes")).fetchone()
        rows = conn.execute("select count(*) from metrics").fetchone()
    assert row is not None
    assert rows is not None
    return int(row[0]), int(row[1]), int(rows[0])


def main() -> None:
    print(f"machine: {machine()}")
    folder = before_partitioning()
    try:
        with database(folder) as url:
            today = week_bytes(url, partitioned=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    with database() as url:
        now = week_bytes(url, partitioned=True)
    for label, (metrics, trends, rows) in (("before", today), ("partitioned", now)):
        print(
            f"{label:>12}: metrics {metrics / 2**20:6.1f} MiB ({metrics / rows:5.1f} B/row, "
            f"{rows:,} rows)   metric_trends_daily {trends / 2**10:7.1f} KiB"
        )
    print(
        f"metrics: {now[0] / today[0]:.0%} of before; with the rollups: "
        f"{(now[0] + now[1]) / (today[0] + today[1]):.0%}"
    )


if __name__ == "__main__":
    main()
