"""What a cold request computes, the way before issue 11's third pass against now, in one
process on one database, alternating (medians), so the machine's load weighs on both alike.

- /api/tools: before, every tool read in binary (reals through Float4Loader, one Python call
  each) from tools_current as 20261127260000 wrote it (its newest instant with parallel
  workers), 5,000 Tool models validated and dumped, gzip level 6; now ``tools_json`` (text
  results, the rows written without models, the serial view) and gzip level 2.
- /map's tools: before, every Tool as above; now ``tool_states`` (names and statuses).
- the dashboard's reads (bench/dashboard_reads.py's tools + sparklines + weekly trends): before,
  binary reals and the sparkline view as 20261127100000 wrote it; now text and the view grouped
  first.

    python bench/cold_reads.py [tools]     # 5,000 by default; 1,000 for the dashboard's target
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import psycopg
from pydantic import TypeAdapter

import worksinprod
from _harness import database, machine, sql, vacuum
from worksinprod.client import Client
from worksinprod.heartbeat import run_once
from worksinprod.models import Sparkline, Tool, WeeklyTrend
from worksinprod.postgres_store import PostgresStore, compile_select
from worksinprod.resources import migrations_dir
from worksinprod.store import Select

TOOLS = TypeAdapter(list[Tool])
SPARKS = TypeAdapter(list[Sparkline])
WEEKLY = TypeAdapter(list[WeeklyTrend])
BEFORE_VIEWS = {
    "tools_current": "20261127260000_tools_current_newest_from_runs.sql",
    "tool_sparklines": "20261127100000_metrics_partitions.sql",
}


class BinaryStore(PostgresStore):
    """The store as it read before: binary results, reals through Float4Loader."""

    def select(self, query: Select) -> list[dict[str, Any]]:
        statement, params = compile_select(query)
        return self._run(statement, params, binary=True)


def before_views(url: str) -> None:
    """tools_current and tool_sparklines as they were, beside today's, named *_before."""
    tools = (migrations_dir() / BEFORE_VIEWS["tools_current"]).read_text()
    start = tools.index("create or replace view public.tools_current ")
    parts = (migrations_dir() / BEFORE_VIEWS["tool_sparklines"]).read_text()
    spark = parts[parts.index("create or replace view public.tool_sparklines ") :]
    spark = spark[: spark.index(";") + 1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            tools[start:].replace("view public.tools_current ", "view public.tools_current_before ")
        )
        conn.execute(
            spark.replace("view public.tool_sparklines ", "view public.tool_sparklines_before ")
        )


def alternate(cases: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, call in cases.items():
            start = time.perf_counter()
            call()
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(found) for name, found in samples.items()}


def main(count: int) -> None:
    print(f"machine: {machine()}")
    with database() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql("make_tools"), {"count": count})
            conn.execute(sql("make_history_days"), {"newest_hours": 1, "oldest_hours": 7 * 24 - 1})
            conn.execute(sql("make_history"), {"newest_hours": 1, "oldest_hours": 7 * 24 - 1})
            conn.execute(sql("make_integrations"))
        with worksinprod.connect(database_url=url) as wip:
            run_once(wip, now=datetime.now(UTC))
        vacuum(url)
        before_views(url)
        old_store, new = BinaryStore(url), Client(PostgresStore(url))
        by_name = [("name", False)]

        def api_before() -> bytes:
            rows = old_store.select(Select("tools_current_before", order=by_name))
            return gzip.compress(TOOLS.dump_json(TOOLS.validate_python(rows)), compresslevel=6)

        def api_now() -> bytes:
            return gzip.compress(new.tools_json(), compresslevel=2)

        def map_before() -> object:
            return TOOLS.validate_python(
                old_store.select(Select("tools_current_before", order=by_name))
            )

        def dashboard_before() -> object:
            by_id = [("tool_id", False)]
            return (
                map_before(),
                SPARKS.validate_python(
                    old_store.select(Select("tool_sparklines_before", order=by_id))
                ),
                WEEKLY.validate_python(old_store.select(Select("tool_weekly_trends", order=by_id))),
            )

        def dashboard_now() -> object:
            return new.tools(), new.sparklines(), new.weekly_trends()

        assert api_before()
        assert gzip.decompress(api_before()) == gzip.decompress(api_now())
        print(f"{count:,} tools x 7 days, medians of 15 alternating runs (ms):")
        table: tuple[tuple[str, dict[str, Callable[[], object]]], ...] = (
            ("/api/tools body", {"before": api_before, "now": api_now}),
            ("/map's tools", {"before": map_before, "now": new.tool_states}),
            ("dashboard reads", {"before": dashboard_before, "now": dashboard_now}),
        )
        for what, cases in table:
            found = alternate(cases, repeat=15)
            print(
                f"  {what:<18} before {found['before']:7.1f}   now {found['now']:7.1f}"
                f"   {found['before'] / found['now']:4.2f}x"
            )
        old_store.close()
        new.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tools", type=int, nargs="?", default=5_000)
    main(parser.parse_args().tools)
