"""The reads of metrics by tool at 5,000 tools with 7 days of hourly runs, each written by
record_heartbeat (the older ones as a backfill writes them, tools sent in slug order as a
heartbeat sends them) and prepared as the client prepares it: the tool page's week of one tool,
its status changes, one and 500 tools' sparklines (tool_health_24h), and tools_current (all, one
slug). Prints each read's execution and planning time (the minimum of 7, from explain analyze)
and how today's and yesterday's partitions are read.

    cd bench && python tool_reads.py [--before VERSION] [--url postgresql://...]

``--before`` measures the schema migrated only up to the migration before that version too;
``--url`` uses an empty database on another server (e.g. Debian's PostgreSQL 15) instead of the
embedded 18. The runs are hours before the current UTC hour: late in the day today's partition
holds most of a day (FAKETIME from libfaketime sets the hour for both this process and the
embedded server).
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from _harness import database, migrations_before, sql, vacuum
from storage import WEEK, heartbeat_payload, prepare
from worksinprod.migrations import migrate

TOOLS = 5_000
REPEAT = 7


@contextmanager
def server(folder: Path | None, url: str | None) -> Iterator[str]:
    if url is None:
        with database(folder) as made:
            yield made
    else:
        migrate(url, folder)
        yield url


def run_payload(tools: list[int], at: datetime, source: str) -> dict[str, Any]:
    """A run of every tool in slug order (as a heartbeat sends them), a few of them degraded."""
    payload = heartbeat_payload(tools, at)
    hour = int(at.timestamp() // 3600)
    for row in payload["metrics"]:
        if (row["tool_id"] + hour) % 17 == 0:
            row["status"] = "degraded"
    return {**payload, "source": source}


def fill(url: str) -> None:
    """A week of hourly runs through record_heartbeat, the older ones as a backfill writes them,
    each prepared as the client prepares it."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql("make_tools"), {"count": TOOLS})
        tools = [int(r[0]) for r in conn.execute("select id from tools order by slug")]
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        for hours in range(WEEK - 1, -1, -1):
            at = now - timedelta(hours=hours)
            prepare(conn, at)
            source = "scheduled" if hours == 0 else "backfill"
            body = {"payload": Jsonb(run_payload(tools, at, source))}
            conn.execute(sql("record_heartbeat"), body)
    vacuum(url)


def scans(plan: Any, found: dict[str, set[str]]) -> None:
    """How each day partition is read in the plan: the scan, and the index it uses."""
    if isinstance(plan, dict):
        relation = plan.get("Relation Name", "")
        if relation.startswith("metrics_"):
            indexes = [plan.get("Index Name", "")] + [
                child.get("Index Name", "") for child in plan.get("Plans", [])
            ]
            index = next((i for i in indexes if i), "")
            found.setdefault(relation, set()).add(
                plan["Node Type"] + (f" on {index.removeprefix(relation)}" if index else "")
            )
        for value in plan.values():
            scans(value, found)
    elif isinstance(plan, list):
        for value in plan:
            scans(value, found)


def reads(url: str, label: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("select id from tools where slug = 'tool-2500'").fetchone()
        assert row is not None
        tool = int(row[0])
        ids = [int(r[0]) for r in conn.execute("select id from tools where id % 10 = 3")]
        today = "metrics_" + datetime.now(UTC).strftime("%Y%m%d")
        yesterday = "metrics_" + (datetime.now(UTC) - timedelta(days=1)).strftime("%Y%m%d")
        cases: tuple[tuple[str, str, dict[str, Any]], ...] = (
            ("tool's week", "read_tool_metrics", {"id": tool}),
            ("status changes", "read_status_changes", {"id": tool}),
            ("1 sparkline", "read_health_24h", {"ids": [tool]}),
            ("500 sparklines", "read_health_24h", {"ids": ids[:500]}),
            ("tools_current", "read_tools_current", {}),
            ("tools_current slug", "read_tools_current_slug", {"slug": "tool-2500"}),
        )
        for name, query, params in cases:
            runs = []
            for _ in range(REPEAT):
                out = conn.execute(sql(query), params).fetchone()
                assert out is not None
                runs.append(out[0][0])
            best = min(runs, key=lambda r: r["Execution Time"])
            found: dict[str, set[str]] = {}
            scans(best["Plan"], found)
            how = "; ".join(
                f"{day}: {', '.join(sorted(found[rel]))}"
                for day, rel in (("today", today), ("yesterday", yesterday))
                if rel in found
            )
            print(
                f"{label:>8} {name:18} {best['Execution Time']:8.2f} ms exec "
                f"{best['Planning Time']:6.2f} ms plan   {how}"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", help="also the schema before this migration version")
    parser.add_argument("--url", help="an empty database on another server")
    args = parser.parse_args()
    if args.before:
        folder = migrations_before(args.before)
        try:
            with server(folder, args.url) as url:
                fill(url)
                reads(url, "before")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if args.before and args.url:
        return  # one schema per empty database
    with server(None, args.url) as url:
        fill(url)
        reads(url, "now")


if __name__ == "__main__":
    main()
