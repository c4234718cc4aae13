"""A run with several wrong rows is refused naming the same one on both local stores:
record_heartbeat writes a run in tool_id order since 20261204100000, so each row's checks run in
that order, then the foreign key names the lowest unknown tool, then a tool twice is refused; the
memory store checks in the same order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from worksinprod import MemoryStore, connect
from worksinprod.client import Client
from worksinprod.errors import WorksInProdError

Rows = Callable[[list[int]], list[dict[str, Any]]]


def row(tool_id: int, **values: Any) -> dict[str, Any]:
    good = {"health": 90.0, "latency_ms": 100.0, "uptime_pct": 99.0, "data_quality": 95.0}
    return {"tool_id": tool_id, "status": "healthy", **good, **values}


def run(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """What a client of any language may send record_heartbeat (the library's own models
    refuse some of these rows before they leave)."""
    return {
        "payload": {
            "run_key": "wrong-rows",
            "ran_at": datetime.now(UTC).isoformat(),
            "source": "manual",
            "metrics": rows,
        }
    }


CASES: list[tuple[Rows, str]] = [
    # t holds the ids of four tools that exist, in order: t[0] < t[1] < t[2] < t[3]
    (lambda t: [row(900), row(70_000), row(800), row(5_000)], "does not exist (tool_id 800)"),
    (lambda t: [row(t[3], health=200.0), row(t[1], latency_ms=-1.0)], "latency_ms"),
    (lambda t: [row(t[2], status="sideways"), row(t[0], uptime_pct=101.0)], "uptime_pct"),
    (lambda t: [row(t[2]), row(t[2]), row(800)], "does not exist (tool_id 800)"),
    (lambda t: [row(t[0]), row(t[0]), row(t[3], health=200.0)], "health"),
    (lambda t: [row(t[1]), row(t[0]), row(t[1])], "appears twice"),
]


@pytest.mark.parametrize(("rows", "named"), CASES)
def test_both_stores_name_the_same_wrong_row(database_url: str, rows: Rows, named: str) -> None:
    with connect(database_url=database_url) as postgres:
        for client in (postgres, Client(MemoryStore())):
            tools = sorted(
                client.add_tool(name=f"Tool {n}", category="CRM", owner="Dana").id for n in range(4)
            )
            with pytest.raises(WorksInProdError) as refused:
                client.store.rpc("record_heartbeat", run(rows(tools)))
            assert named in str(refused.value), (client.store.kind, str(refused.value))
            assert len(client.recent_heartbeats()) == 0  # nothing was written
