"""Small builders of known data, written through the same SQL functions the library uses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from worksinprod.payload import HeartbeatPayload

Conn = psycopg.Connection[tuple[Any, ...]]


def add_tool(conn: Conn, slug: str, **fields: str) -> int:
    payload = {"slug": slug, "name": slug.title(), "category": "CRM", "owner": "Ops", **fields}
    row = conn.execute("select add_tool(%s)", [Jsonb(payload)]).fetchone()
    assert row is not None
    return int(row[0]["id"])


def metric(tool_id: int, health: float = 95.0, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "tool_id": tool_id,
        "health": health,
        "latency_ms": 120.0,
        "uptime_pct": 99.9,
        "data_quality": 97.0,
        "status": "healthy",
    }
    values.update(overrides)
    return values


def record(
    conn: Conn,
    run_key: str,
    metrics: list[dict[str, Any]],
    ran_at: datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    payload: dict[str, Any] = {"run_key": run_key, "metrics": metrics, **extra}
    if ran_at is not None:
        payload["ran_at"] = ran_at.isoformat()
    row = conn.execute("select record_heartbeat(%s)", [Jsonb(payload)]).fetchone()
    assert row is not None
    result: dict[str, Any] = row[0]
    return result


def count(conn: Conn, table: str) -> int:
    row = conn.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(table))).fetchone()
    assert row is not None
    return int(row[0])


def run_payload(run_key: str, message: str) -> HeartbeatPayload:
    """A run of no metrics at this moment, for Client.record_heartbeat."""
    return HeartbeatPayload(
        run_key=run_key,
        ran_at=datetime.now(UTC),
        source="scheduled",
        message=message,
        duration_ms=0.0,
        metrics=(),
    )


def metric_days(conn: Conn, first: Any, last: Any) -> None:
    """The day partitions of metrics from ``first`` to ``last``, for a test that inserts rows
    straight into metrics (record_heartbeat makes its own; there is no default partition)."""
    conn.execute("select ensure_metric_partitions(%s, %s)", [first, last])
