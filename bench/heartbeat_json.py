"""The Python cost of sending one heartbeat's payload at 1,000 tools (issue 11): the dict
(``to_json``, ``check_payload``, psycopg's ``json.dumps``) against the text pydantic writes
(``to_json_text``, the scan, the text as it is), each through the client's own code down to the
bytes psycopg sends, alternated in one run. No database: the store encodes its arguments as
PostgresStore.rpc does and answers nothing.

    .venv/bin/python bench/heartbeat_json.py [tools] [rounds]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg.types.json import Jsonb, JsonbBinaryDumper

from _harness import machine
from worksinprod.client import Client
from worksinprod.heartbeat import build_payload, next_readings
from worksinprod.postgres_store import _argument
from worksinprod.readings import Reading


@dataclass
class FakeTool:
    id: int
    slug: str


class EncodingStore:
    """Encodes each rpc argument to the bytes psycopg would send (a binary jsonb parameter)."""

    kind = "postgres"

    def __init__(self) -> None:
        self.dumper = JsonbBinaryDumper(Jsonb)
        self.sent = 0

    def rpc(self, function: str, args: Mapping[str, Any]) -> Any:
        for value in args.values():
            self.sent = len(self.dumper.dump(_argument(value)) or b"")
        return {}


def main() -> None:
    tools_count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    print(f"machine: {machine()}")
    tools = [FakeTool(n, f"tool-{n}") for n in range(1, tools_count + 1)]
    at = datetime(2026, 11, 26, 12, tzinfo=UTC)
    readings: dict[int, Reading] = {}
    for hour in range(24):  # a day of drift: values as a backfill's runs have them
        readings = next_readings(tools, readings, at + timedelta(hours=hour), 0)  # type: ignore[arg-type]
    payload = build_payload(
        tools,  # type: ignore[arg-type]
        readings,
        run_key="bench",
        ran_at=at,
        source="backfill",
        message="All green. Nobody touch anything.",
        duration_ms=1234.5678,
    )
    store = EncodingStore()
    wip = Client(store)  # type: ignore[arg-type]
    paths: dict[str, Callable[[], Any]] = {
        "before": lambda: wip._write("record_heartbeat", payload.to_json()),
        "now": lambda: wip._write_payload("record_heartbeat", payload),
    }
    took: dict[str, list[float]] = {label: [] for label in paths}
    sent: dict[str, int] = {}
    for _ in range(rounds):
        for label, path in paths.items():
            start = time.perf_counter()
            path()
            took[label].append((time.perf_counter() - start) * 1000)
            sent[label] = store.sent
    print(f"{tools_count:,} tools, {rounds} rounds alternated (ms a payload):")
    for label, runs in took.items():
        print(
            f"{label:>7}: median {statistics.median(runs):5.2f}  min {min(runs):5.2f}"
            f"  ({sent[label]:,} bytes sent)"
        )
    ratio = statistics.median(took["before"]) / statistics.median(took["now"])
    print(f"  {ratio:.1f}x less Python a payload")


if __name__ == "__main__":
    main()
