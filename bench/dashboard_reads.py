"""The dashboard's reads at 1,000 tools with 7 days of hourly history (168,000 metric rows):
every tool's current values, its 24-hour sparkline and its 7-day trend.

The library's way (``dashboard()``: three reads at once on three pooled connections, the
sparklines and the weekly trends as the documents the server keeps per change) against the
naive way (three queries per tool), over the same PostgresStore, in one run. Printed beside it:
the same three reads one after another; the first call after a change (a heartbeat or an edit),
which writes the two documents from their views and keeps them; and the documents written from
the views on every call, as before the fourteenth pass. The history
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
from worksinprod.models import Sparkline, WeeklyTrend
from worksinprod.postgres_store import PostgresStore
from worksinprod.store import Select

TOOLS = 1_000


def library_way(wip: worksinprod.Client) -> int:
    board = wip.dashboard()
    return len(board.tools) + len(board.sparklines) + len(board.weekly_trends)


def from_the_views(wip: worksinprod.Client) -> int:
    """``dashboard()`` as it was before the fourteenth pass: the server writes the sparklines'
    and the weekly trends' documents from their views on every call, instead of keeping them
    per change (20261207100000)."""
    store = cast("PostgresStore", wip.store)
    by_id = [("tool_id", False)]

    def sparklines() -> dict[str, Sparkline]:
        query = Select("tool_sparklines", order=by_id)
        return {s.slug: s for s in wip._select_document(Sparkline, query)}

    def weekly_trends() -> dict[str, WeeklyTrend]:
        query = Select("tool_weekly_trends", order=by_id)
        return {w.slug: w for w in wip._select_document(WeeklyTrend, query)}

    with store.beside(2) as lanes, store.threads(lanes) as threads:
        board = read_dashboard(
            wip.tools, sparklines, weekly_trends, lanes=lanes, cancel=store.cancel, executor=threads
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
                "first after a change": library_way,
                "from the views": from_the_views,
                "one after another": one_after_another,
            }
            runs: dict[str, list[float]] = {name: [] for name in ways}
            with psycopg.connect(url, autocommit=True) as conn:
                for pair in range(60):
                    for name in sorted(ways, reverse=pair % 2 == 1):
                        if name == "first after a change":
                            # what a heartbeat or an edit does to the kept documents' keys
                            conn.execute("delete from public.dashboard_documents")
                        runs[name].append(timed(partial(ways[name], wip), 1))
            fast = statistics.median(runs["at once"])
            first = statistics.median(runs["first after a change"])
            views = statistics.median(runs["from the views"])
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
        f"  the first call after a change (the documents written and kept): "
        f"{first:.1f} ms ({first / fast:.2f}x)"
    )
    print(
        f"  the documents written from the views on every call (before the fourteenth pass): "
        f"{views:.1f} ms ({views / fast:.2f}x)"
    )
    print("  " + "   ".join(f"{name} {ms:.1f} ms" for name, ms in parts.items()))


if __name__ == "__main__":
    main()
