"""A whole heartbeat at 10,000 tools with 1,000 real http checks among them (a local endpoint
answering in 50 ms, in its own process), against the same 10,000-tool heartbeat all simulated,
in one run.

    .venv/bin/python bench/heartbeat_checks.py [tools] [checks]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

import worksinprod
from _harness import database, machine, sql, vacuum
from http_checks import endpoint
from worksinprod.client import Client
from worksinprod.heartbeat import run_once
from worksinprod.models import HeartbeatResult, Status
from worksinprod.outbound import Policy

RUNS = 3
LOCAL = Policy(allow_private=True)  # the endpoint is on 127.0.0.1


def timed_runs(wip: Client, first: datetime, calls: list[float]) -> tuple[float, float]:
    """Median ms of RUNS whole heartbeats, and of their record_heartbeat calls."""
    whole = []
    calls.clear()
    for i in range(RUNS):
        start = time.perf_counter()
        result = run_once(wip, now=first + timedelta(hours=i), policy=LOCAL)
        whole.append((time.perf_counter() - start) * 1000)
        assert result.recorded, result.status
    return statistics.median(whole), statistics.median(calls)


def timing(record: Callable[[Any], HeartbeatResult], calls: list[float]) -> Callable[..., Any]:
    def timed_record(payload: Any) -> HeartbeatResult:
        start = time.perf_counter()
        result = record(payload)
        calls.append((time.perf_counter() - start) * 1000)
        return result

    return timed_record


def main() -> None:
    tools = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    checks = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
    with endpoint() as base, database() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql("make_tools"), {"count": tools})
        vacuum(url)
        with worksinprod.connect(database_url=url) as wip:
            calls: list[float] = []
            wip.record_heartbeat = timing(wip.record_heartbeat, calls)  # type: ignore[method-assign]
            first = datetime.now(UTC) - timedelta(hours=2 * RUNS + 3)
            run_once(wip, now=first, policy=LOCAL)  # every tool has a previous reading
            simulated, simulated_call = timed_runs(wip, first + timedelta(hours=1), calls)
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(sql("make_http_checks"), {"count": checks, "base": base})
            real, real_call = timed_runs(wip, first + timedelta(hours=RUNS + 1), calls)
            healthy = sum(t.status is Status.HEALTHY for t in wip.tools())
    print(f"machine: {machine()}")
    print(f"{tools:,} tools, median of {RUNS} heartbeats each")
    print(f"  all simulated:           {simulated:8.1f} ms (call {simulated_call:.1f})")
    print(f"  {checks:,} real http checks: {real:8.1f} ms (call {real_call:.1f})")
    print(f"  ratio: {real / simulated:.2f}x; the checks added {real - simulated:,.0f} ms")
    print(f"  tools healthy after the last run: {healthy:,}")


if __name__ == "__main__":
    main()
