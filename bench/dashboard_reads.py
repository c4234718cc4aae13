"""The dashboard's reads at 1,000 tools with 7 days of hourly history (168,000 metric rows):
every tool's current values, its 24-hour sparkline and its 7-day trend.

The library's way (``dashboard()``: three reads of views, at once on three pooled connections)
against the naive way (three queries per tool), over the same PostgresStore, in one run; the
same three reads one after another, and at once on two threads started for each call (as
before the thirteenth pass; the store now keeps its two), are printed beside it. The history
ends as a stack's does: the newest hour is a real heartbeat with its log row (tools_current
finds the newest run from it; without one it reads every sample). The sparklines read today's
samples (and the weekly trends read them live when today's rollup is not current), so the cost
grows through the UTC day: the run prints the hour.

    python bench/dashboard_reads.py
"""

from __future__ import annotations

import gc
import os
import statistics
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import cast

import psycopg

import worksinprod
from _harness import database, machine, sql, timed, vacuum
from worksinprod.dashboard import read_dashboard
from worksinprod.heartbeat import run_once
from worksinprod.postgres_store import PostgresStore

TOOLS = 1_000


def library_way(wip: worksinprod.Client) -> int:
    board = wip.dashboard()
    return len(board.tools) + len(board.sparklines) + len(board.weekly_trends)


def threads_per_call(wip: worksinprod.Client) -> int:
    """``dashboard()`` as it was before the thirteenth pass: the two reads beside the caller's on
    two threads started for the call and joined after it, instead of the store's kept ones."""
    store = cast("PostgresStore", wip.store)
    with store.beside(2) as lanes:
        board = read_dashboard(
            wip.tools, wip.sparklines, wip.weekly_trends, lanes=lanes, cancel=store.cancel
        )
    return len(board.tools) + len(board.sparklines) + len(board.weekly_trends)


def one_after_another(wip: worksinprod.Client) -> int:
    tools = wip.tools()
    sparks = wip.sparklines()
    trends = wip.weekly_trends()
    return len(tools) + len(sparks) + len(trends)


def naive_way(wip: worksinprod.Client, slugs: list[str]) -> int:
    rows = 0
    for slug in slugs:
        wip.tool(slug)
        rows += len(wip.metrics(slug, since=timedelta(hours=24)))
        rows += len(wip.health_trends(slug))
    return rows


def main() -> None:
    print(f"machine: {machine()}")
    with database() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql("make_tools"), {"count": TOOLS})
            conn.execute(sql("make_history_days"), {"newest_hours": 1, "oldest_hours": 7 * 24 - 1})
            conn.execute(sql("make_history"), {"newest_hours": 1, "oldest_hours": 7 * 24 - 1})
        with worksinprod.connect(database_url=url) as wip:
            run_once(wip, now=datetime.now(UTC))  # the newest hour, with its log row
        vacuum(url)
        with worksinprod.connect(database_url=url) as wip:
            slugs = [t.slug for t in wip.tools()]
            library_way(wip)  # the pool keeps three connections from here on
            library_way(wip)  # warm the caches for both
            one_after_another(wip)
            # The process's first full collection walks every object its imports made: a cost
            # paid once, which would otherwise land in one of the timed runs.
            gc.collect()
            # alternated, each first in every other pair, so a busy machine weighs on both alike
            ways = {
                "at once": library_way,
                "at once, threads per call": threads_per_call,
                "one after another": one_after_another,
            }
            runs: dict[str, list[float]] = {name: [] for name in ways}
            for pair in range(60):
                for name in sorted(ways, reverse=pair % 2 == 1):
                    runs[name].append(timed(partial(ways[name], wip), 1))
            fast = statistics.median(runs["at once"])
            per_call = statistics.median(runs["at once, threads per call"])
            serial = statistics.median(runs["one after another"])
            slow = timed(lambda: naive_way(wip, slugs), repeat=3)
            parts = {
                "tools()": timed(wip.tools, repeat=9),
                "sparklines()": timed(wip.sparklines, repeat=9),
                "weekly_trends()": timed(wip.weekly_trends, repeat=9),
                "health_trends() (one row per tool-day)": timed(wip.health_trends, repeat=9),
            }
    hour, load = datetime.now(UTC).hour, os.getloadavg()[0]
    print(f"UTC hour {hour}: today's {hour + 1} hours of samples; load {load:.2f}")
    print(
        f"{TOOLS} tools x 168 h: library way {fast:7.1f} ms   naive way {slow:8.1f} ms   "
        f"ratio {slow / fast:5.1f}x"
    )
    print(f"  the same three reads one after another: {serial:.1f} ms ({serial / fast:.2f}x)")
    print(
        f"  at once on two threads started per call (before the thirteenth pass): "
        f"{per_call:.1f} ms ({per_call / fast:.2f}x)"
    )
    print("  " + "   ".join(f"{name} {ms:.1f} ms" for name, ms in parts.items()))


if __name__ == "__main__":
    main()
