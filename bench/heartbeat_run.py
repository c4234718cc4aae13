"""A whole in-process heartbeat (read the tools, drift, payload, one record_heartbeat call)
against its own record_heartbeat call, at 10,000 and 50,000 simulated tools, in one run.

    python bench/heartbeat_run.py
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

import worksinprod
from _harness import database, machine, sql, vacuum
from worksinprod.heartbeat import run_once
from worksinprod.models import HeartbeatResult


def measure(count: int, runs: int) -> tuple[float, float]:
    """Median ms of the whole run and of its record_heartbeat call."""
    with database() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql("make_tools"), {"count": count})
        vacuum(url)
        with worksinprod.connect(database_url=url) as wip:
            calls: list[float] = []
            record = wip.record_heartbeat

            def timed_record(payload: Any) -> HeartbeatResult:
                start = time.perf_counter()
                result = record(payload)
                calls.append((time.perf_counter() - start) * 1000)
                return result

            wip.record_heartbeat = timed_record  # type: ignore[method-assign]
            first = datetime.now(UTC) - timedelta(hours=runs + 2)
            run_once(wip, now=first)  # every tool now has a previous reading to walk from
            whole = []
            for i in range(1, runs + 1):
                start = time.perf_counter()
                run_once(wip, now=first + timedelta(hours=i))
                whole.append((time.perf_counter() - start) * 1000)
            return statistics.median(whole), statistics.median(calls[1:])


def main() -> None:
    print(f"machine: {machine()}")
    results = {}
    for count, runs in ((10_000, 7), (50_000, 3)):
        whole, call = measure(count, runs)
        results[count] = whole
        print(
            f"{count:>6} tools  whole run {whole:8.1f} ms   record_heartbeat {call:7.1f} ms   "
            f"ratio {whole / call:4.2f}x"
        )
    print(f"50,000 / 10,000 whole-run time: {results[50_000] / results[10_000]:.2f} (linear: 5)")


if __name__ == "__main__":
    main()
