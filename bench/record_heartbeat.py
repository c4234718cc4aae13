"""record_heartbeat, set-based in one call, against the original row-by-row way, in one run.

python bench/record_heartbeat.py
"""

from __future__ import annotations

import itertools
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from _harness import database, machine, sql, timed, vacuum

_keys = itertools.count()


def payload(tool_ids: list[int], ran_at: datetime) -> dict[str, Any]:
    return {
        "run_key": f"bench-{next(_keys)}",
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


def moments() -> Any:
    """Distinct instants a few seconds apart, so every run is new."""
    start = datetime.now(UTC) - timedelta(hours=2)
    return (start + timedelta(seconds=i) for i in itertools.count())


def set_based(conn: psycopg.Connection[Any], tool_ids: list[int], when: Any) -> float:
    """One record_heartbeat call, timed from sending the payload (built beforehand, as the
    heartbeat builds it while computing the drift) to its answer; ms."""
    body = {"payload": Jsonb(payload(tool_ids, next(when)))}
    start = time.perf_counter()
    conn.execute(sql("record_heartbeat"), body)
    return (time.perf_counter() - start) * 1000


def median_call(
    conn: psycopg.Connection[Any], tool_ids: list[int], when: Any, repeat: int
) -> float:
    return statistics.median(set_based(conn, tool_ids, when) for _ in range(repeat))


def row_by_row(conn: psycopg.Connection[Any], tool_ids: list[int], when: Any) -> None:
    """The original Edge Function's way: one insert per metric, one update per tool, the log row
    (the few dicts it builds cost microseconds against its round trips)."""
    ran_at = next(when)
    values = {
        "ran_at": ran_at,
        "health": 91.5,
        "latency_ms": 120.0,
        "uptime_pct": 99.9,
        "data_quality": 96.0,
        "status": "healthy",
    }
    with conn.transaction():
        for tool_id in tool_ids:
            conn.execute(sql("baseline_insert_metric"), {**values, "tool_id": tool_id})
        for tool_id in tool_ids:
            conn.execute(sql("baseline_update_tool"), {**values, "tool_id": tool_id})
        conn.execute(
            sql("baseline_log"),
            {"run_key": f"rows-{next(_keys)}", "ran_at": ran_at, "count": len(tool_ids)},
        )


def compare(count: int) -> None:
    with database() as url, psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql("make_tools"), {"count": count})
        conn.execute(sql("baseline_state"))
        tool_ids = [r[0] for r in conn.execute("select id from tools order by id")]
        vacuum(url)
        when = moments()
        fast = median_call(conn, tool_ids, when, repeat=9)
        slow = timed(lambda: row_by_row(conn, tool_ids, when), repeat=3)
        print(
            f"{count:>6} tools  set-based {fast:8.1f} ms   row-by-row {slow:8.1f} ms   "
            f"ratio {slow / fast:5.1f}x"
        )


def steady_state(count: int) -> None:
    """A run with 7 days of history (and the expiring hour it purges) against an empty table."""
    with database() as url, psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql("make_tools"), {"count": count})
        tool_ids = [r[0] for r in conn.execute("select id from tools order by id")]
        vacuum(url)
        when = moments()
        empty = median_call(conn, tool_ids, when, repeat=9)
        conn.execute("delete from metrics")
        conn.execute("alter table metrics disable trigger metrics_purge_old")
        conn.execute(sql("make_history_days"), {"newest_hours": 3, "oldest_hours": 7 * 24 - 1})
        conn.execute(sql("make_history"), {"newest_hours": 3, "oldest_hours": 7 * 24 - 1})
        conn.execute("alter table metrics enable trigger metrics_purge_old")
        vacuum(url)

        samples = []
        for i in range(7):
            # Steady state: each hourly run finds one hour of rows past retention and purges it.
            conn.execute("alter table metrics disable trigger metrics_purge_old")
            conn.execute(
                sql("make_history_days"),
                {"newest_hours": 7 * 24 + 1 + i, "oldest_hours": 7 * 24 + 1 + i},
            )
            conn.execute(
                sql("make_history"),
                {"newest_hours": 7 * 24 + 1 + i, "oldest_hours": 7 * 24 + 1 + i},
            )
            conn.execute("alter table metrics enable trigger metrics_purge_old")
            samples.append(set_based(conn, tool_ids, when))
        full = statistics.median(samples)
        rows = conn.execute("select count(*) from metrics").fetchone()
        print(
            f"{count:>6} tools  empty table {empty:8.1f} ms   7 days ({rows[0] if rows else 0:,} "
            f"rows, one hour expiring) {full:8.1f} ms   ratio {full / empty:4.2f}x"
        )


if __name__ == "__main__":
    import sys

    print(f"machine: {machine()}")
    if "--steady-only" not in sys.argv:
        print("record_heartbeat vs row by row (median ms; same direct connection)")
        for n in (1_000, 10_000):
            compare(n)
    print("steady state: a heartbeat with 7 days of history vs on an empty table")
    steady_state(10_000)
