"""Storage of a week of metrics at 1,000 tools, a 168-hour backfill at 1,000 tools (its time and
the dead tuples it leaves) and a heartbeat at 10,000 tools with a week of history after a
checkpoint (its WAL and time against the empty case): the current schema (metrics partitioned by
day, issue 11) against the schema migrated only up to the migration before partitioning, in one
run.

    cd bench && python storage.py [--wal-only]

``--wal-only`` measures only the heartbeat's WAL on the current schema (or, with
WIP_BENCH_BEFORE=<version> in the environment, the schema before that migration).

The heartbeat's runs are in the current UTC hour, so its day partition holds that many hours of
history: the 7-day case costs more late in the day. For a given hour, run it under libfaketime
(Debian's ``faketime``), which sets the clock of this process and of the embedded server alike:

    FAKETIME="@2026-11-26 20:40:00" \
    LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 python storage.py --wal-only
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

import worksinprod
from _harness import database, machine, sql, vacuum
from worksinprod.heartbeat import backfill
from worksinprod.migrations import discover

TOOLS = 1_000
BIG = 10_000
WEEK = 7 * 24
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
        # As a deployment has them: every finished day's indexes (20261204100000 builds a day's
        # tool_id btree when it is over, in the preparation before a run).
        prepare(conn, datetime.now(UTC))
    vacuum(url)
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(sql("metrics_bytes")).fetchone()
        rows = conn.execute("select count(*) from metrics").fetchone()
    assert row is not None
    assert rows is not None
    return int(row[0]), int(row[1]), int(rows[0])


Left = tuple[str, int, int, tuple[float, float] | None]
"""A table, its live and dead tuples, and the shares of its bytes dead and free (pgstattuple)."""


def backfill_cost(url: str) -> tuple[float, list[Left]]:
    """Seconds of a 168-hour backfill at 1,000 tools, and what it leaves per table: live and
    dead tuples, and the shares of the table's bytes dead and free (None without pgstattuple)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql("make_tools"), {"count": TOOLS})
    vacuum(url)
    with worksinprod.connect(database_url=url) as wip:
        start = time.perf_counter()
        backfill(wip, WEEK, seed=1)
        seconds = time.perf_counter() - start
    time.sleep(2)  # the backfill's server process flushes its statistics as it exits
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(sql("dead_tuples")).fetchall()
        space: dict[str, tuple[float, float]] = {}
        try:
            conn.execute("create extension if not exists pgstattuple with schema public")
        except psycopg.Error:
            pass  # a server without the extension: the counts alone
        else:
            found = conn.execute(sql("dead_space")).fetchall()
            space = {str(r[0]): (float(r[1]), float(r[2])) for r in found}
    return seconds, [(str(r[0]), int(r[1]), int(r[2]), space.get(str(r[0]))) for r in rows]


def left_behind(tuples: list[Left]) -> str:
    """What a backfill left per table, as the benchmarks print it."""
    return "\n".join(
        f"    {t}: {d:,} dead/{live:,} live"
        + (f" (bytes: {space[0]:.1f} % dead, {space[1]:.1f} % free)" if space else "")
        for t, live, d, space in tuples
    )


def heartbeat_payload(tool_ids: list[int], ran_at: datetime) -> dict[str, Any]:
    return {
        "run_key": f"bench-{ran_at.isoformat()}",
        "ran_at": ran_at.isoformat(),
        "source": "manual",
        "metrics": [
            {
                "tool_id": t,
                "health": 91.5,
                "latency_ms": 120.0,
                "uptime_pct": 99.9,
                "data_quality": 96.0,
                "status": "healthy",
            }
            for t in tool_ids
        ],
    }


def prepare(conn: psycopg.Connection[Any], at: datetime) -> None:
    """What the client does before each run, in a transaction of its own (on a schema that has
    it): the run's day partitions, the expired days dropped, the finished days' indexes."""
    found = conn.execute(sql("has_prepare")).fetchone()
    if found is not None and found[0]:
        conn.execute(sql("prepare_metric_partitions"), {"payload": Jsonb({"at": at.isoformat()})})


def checkpointed_run(
    conn: psycopg.Connection[Any], tool_ids: list[int], at: datetime
) -> tuple[int, float]:
    """WAL bytes and ms of one record_heartbeat call right after a checkpoint (the client's
    preparation before it, as every run has)."""
    body = {"payload": Jsonb(heartbeat_payload(tool_ids, at))}
    prepare(conn, at)
    conn.execute("checkpoint")
    since = conn.execute(sql("wal_lsn")).fetchone()
    assert since is not None
    start = time.perf_counter()
    conn.execute(sql("record_heartbeat"), body)
    ms = (time.perf_counter() - start) * 1000
    wal = conn.execute(sql("wal_bytes"), {"since": since[0]}).fetchone()
    assert wal is not None
    return int(wal[0]), ms


@contextmanager
def without_purge(conn: psycopg.Connection[Any]) -> Iterator[None]:
    conn.execute("alter table metrics disable trigger metrics_purge_old")
    try:
        yield
    finally:
        conn.execute("alter table metrics enable trigger metrics_purge_old")


def history(conn: psycopg.Connection[Any], partitioned: bool, newest: int, oldest: int) -> None:
    hours = {"newest_hours": newest, "oldest_hours": oldest}
    with without_purge(conn):
        if partitioned:
            conn.execute(sql("make_history_days"), hours)
        conn.execute(sql("make_history"), hours)


def run_hour() -> datetime:
    """The start of the current UTC hour: the runs land in today's partition at any hour (a run
    of an earlier day is a late run, which also re-rolls that day's trends)."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def empty_runs(url: str, runs: int) -> list[tuple[int, float]]:
    """(WAL bytes, ms) of ``runs`` heartbeats in a row at 10,000 tools, each after a checkpoint,
    on an empty metrics table."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql("make_tools"), {"count": BIG})
        tool_ids = [int(r[0]) for r in conn.execute("select id from tools order by id")]
        vacuum(url)
        base = run_hour()
        return [checkpointed_run(conn, tool_ids, base + timedelta(seconds=i)) for i in range(runs)]


def week_runs(url: str, partitioned: bool, runs: int) -> list[tuple[int, float]]:
    """The same with a week of history (up to the hour before the runs) and, before each run,
    the hour past the retention it purges (an hourly job's steady state). A database of its own:
    the empty case's runs would leave this one's sla_daily and tool_alert_state rows rewritten
    three more times, which is not history."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql("make_tools"), {"count": BIG})
        tool_ids = [int(r[0]) for r in conn.execute("select id from tools order by id")]
        history(conn, partitioned, 1, WEEK - 1)
        vacuum(url)
        base = run_hour()
        full = []
        for i in range(runs):
            history(conn, partitioned, WEEK + 1 + i, WEEK + 1 + i)  # the hour the run purges
            full.append(checkpointed_run(conn, tool_ids, base + timedelta(seconds=i)))
        return full


def wal_cost(
    folder: Path | None, partitioned: bool, runs: int = 3
) -> tuple[tuple[int, float], ...]:
    """Median (WAL bytes, ms) of a heartbeat at 10,000 tools after a checkpoint: on an empty
    metrics table, then with a week of history, each case in a fresh database."""
    with database(folder) as url:
        empty = empty_runs(url, runs)
    with database(folder) as url:
        full = week_runs(url, partitioned, runs)
    return tuple(
        (int(statistics.median(s[0] for s in case)), statistics.median(s[1] for s in case))
        for case in (empty, full)
    )


def measure(folder: Path | None, partitioned: bool) -> dict[str, Any]:
    with database(folder) as url:
        week = week_bytes(url, partitioned)
    with database(folder) as url:
        seconds, tuples = backfill_cost(url)
    wal = wal_cost(folder, partitioned)
    return {"week": week, "backfill": seconds, "tuples": tuples, "wal": wal}


def wal_only() -> None:
    (e_wal, e_ms), (f_wal, f_ms) = wal_cost(None, partitioned=True)
    print(
        f"heartbeat at {BIG:,} tools after a checkpoint (median of 3): empty "
        f"{e_wal / 2**20:.1f} MiB WAL {e_ms:.0f} ms, 7 days {f_wal / 2**20:.1f} MiB WAL "
        f"{f_ms:.0f} ms: WAL {f_wal / e_wal:.2f}x, time {f_ms / e_ms:.2f}x (target <= 1.2x)"
    )


def main() -> None:
    print(f"machine: {machine()}")
    if "--wal-only" in sys.argv[1:]:
        wal_only()
        return
    folder = before_partitioning()
    try:
        before = measure(folder, partitioned=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    now = measure(None, partitioned=True)
    today, then = before["week"], now["week"]
    for label, (metrics, trends, rows) in (("before", today), ("now", then)):
        print(
            f"{label:>6}: metrics {metrics / 2**20:6.1f} MiB ({metrics / rows:5.1f} B/row, "
            f"{rows:,} rows)   metric_trends_daily {trends / 2**10:7.1f} KiB"
        )
    print(
        f"metrics: {then[0] / today[0]:.0%} of before; with the rollups: "
        f"{(then[0] + then[1]) / (today[0] + today[1]):.0%}"
    )
    print(f"backfill of {WEEK} h at {TOOLS:,} tools:")
    for label, case in (("before", before), ("now", now)):
        print(f"{label:>6}: {case['backfill']:6.1f} s\n{left_behind(case['tuples'])}")
    print(f"  speed-up {before['backfill'] / now['backfill']:.2f}x (target >= 2x)")
    print(f"heartbeat at {BIG:,} tools after a checkpoint (median of 3):")
    for label, case in (("before", before), ("now", now)):
        (e_wal, e_ms), (f_wal, f_ms) = case["wal"]
        print(
            f"{label:>6}: empty {e_wal / 2**20:6.1f} MiB WAL {e_ms:6.0f} ms   7 days "
            f"{f_wal / 2**20:6.1f} MiB WAL {f_ms:6.0f} ms   ratio WAL {f_wal / e_wal:4.2f}x "
            f"time {f_ms / e_ms:4.2f}x (target <= 1.2x)"
        )


if __name__ == "__main__":
    main()
