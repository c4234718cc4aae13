"""A run naming tools that do not exist is refused naming the lowest of them, on both local
stores alike (record_heartbeat writes a run in tool_id order since 20261204100000, so its
foreign key fails first on the lowest; the memory store names the same one)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from worksinprod import MemoryStore, connect
from worksinprod.client import Client
from worksinprod.errors import WorksInProdError
from worksinprod.payload import HeartbeatPayload, MetricRow


def run(tool_ids: list[int]) -> HeartbeatPayload:
    return HeartbeatPayload(
        run_key="unknown-tools",
        ran_at=datetime.now(UTC),
        source="manual",
        message="",
        duration_ms=0.0,
        metrics=tuple(
            MetricRow(
                tool_id=t,
                health=90.0,
                latency_ms=100.0,
                uptime_pct=99.0,
                data_quality=95.0,
                status="healthy",
            )
            for t in tool_ids
        ),
    )


def test_the_lowest_unknown_tool_is_named_on_both_stores(database_url: str) -> None:
    with connect(database_url=database_url) as postgres:
        for client in (postgres, Client(MemoryStore())):
            with pytest.raises(WorksInProdError) as refused:
                client.record_heartbeat(run([900, 70_000, 800, 5_000]))
            assert "does not exist (tool_id 800)" in str(refused.value), str(refused.value)
            assert len(client.recent_heartbeats()) == 0  # nothing was written
