"""The views return what their definitions promise, on known data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from psycopg.types.json import Jsonb

from .factories import Conn, add_tool, metric, metric_days, record
from .schema_names import VIEWS


def at(hours_ago: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours_ago)


def test_tools_current_shows_each_tools_latest_metric(conn: Conn) -> None:
    a, b = add_tool(conn, "a"), add_tool(conn, "b")
    record(conn, "r1", [metric(a, 90), metric(b, 30, status="down")], ran_at=at(2))
    record(conn, "r2", [metric(a, 60, status="degraded")], ran_at=at(1))
    rows = conn.execute("select slug, status, health from tools_current order by slug").fetchall()
    assert rows == [("a", "degraded", 60.0), ("b", "down", 30.0)]


def test_a_tool_never_checked_is_unknown(conn: Conn) -> None:
    add_tool(conn, "fresh")
    assert conn.execute("select status, health, last_checked_at from tools_current").fetchall() == [
        ("unknown", None, None)
    ]


def test_tool_health_trends_aggregates_per_tool_per_day(conn: Conn) -> None:
    tool = add_tool(conn, "a")
    # Three samples on one UTC day, chosen so avg and p95 are easy to check by hand.
    day = (datetime.now(UTC) - timedelta(days=2)).replace(hour=6, minute=0, second=0, microsecond=0)
    for i, (health, latency) in enumerate([(90, 100), (80, 200), (70, 300)]):
        record(
            conn,
            f"r{i}",
            [metric(tool, health, latency_ms=latency, uptime_pct=99, data_quality=90 + i)],
            ran_at=day + timedelta(hours=i),
        )
    row = conn.execute(
        "select day, avg_health, avg_latency_ms, p95_latency_ms, avg_uptime_pct,"
        " avg_data_quality, samples from tool_health_trends"
    ).fetchone()
    assert row == (day.date(), 80.0, 200.0, 290.0, 99.0, 91.0, 3)


def test_tool_health_trends_ignores_samples_past_retention(conn: Conn) -> None:
    tool = add_tool(conn, "a")
    record(conn, "recent", [metric(tool)], ran_at=at(1))
    conn.execute("alter table metrics disable trigger metrics_purge_old")
    nine_days_ago = datetime.now(UTC) - timedelta(days=9)
    metric_days(conn, nine_days_ago, nine_days_ago)
    conn.execute(
        "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
        " data_quality, status) values (%s, now() - interval '9 days', 1, 1, 1, 1,"
        " 'down')",
        [tool],
    )
    assert conn.execute("select sum(samples) from tool_health_trends").fetchone() == (1,)


def test_tool_sparklines_hold_the_last_24_hours_oldest_first(conn: Conn) -> None:
    tool = add_tool(conn, "a")
    add_tool(conn, "quiet")
    for hours_ago, health in [(30, 10), (3, 70), (2, 80), (1, 90)]:
        record(conn, f"r{hours_ago}", [metric(tool, health)], ran_at=at(hours_ago))
    rows = conn.execute("select slug, health from tool_sparklines order by slug").fetchall()
    assert rows == [("a", [70.0, 80.0, 90.0]), ("quiet", [])]


def test_heartbeat_recent_lists_runs_newest_first(conn: Conn) -> None:
    for hours_ago in (3, 1, 2):
        record(conn, f"r{hours_ago}", [], ran_at=at(hours_ago))
    keys = [r[0] for r in conn.execute("select run_key from heartbeat_recent")]
    assert keys == ["r1", "r2", "r3"]


def test_status_changes_list_only_transitions(conn: Conn) -> None:
    tool = add_tool(conn, "a")
    for hours_ago, status in [(4, "healthy"), (3, "healthy"), (2, "down"), (1, "healthy")]:
        record(conn, f"r{hours_ago}", [metric(tool, status=status)], ran_at=at(hours_ago))
    rows = conn.execute(
        "select previous_status, status from tool_status_changes order by recorded_at"
    ).fetchall()
    assert rows == [("healthy", "down"), ("down", "healthy")]


def test_integrations_named_shows_both_ends(conn: Conn) -> None:
    add_tool(conn, "segment", name="Segment")
    add_tool(conn, "braze", name="Braze")
    conn.execute(
        "select add_integration(%s)",
        [Jsonb({"source": "segment", "target": "braze", "flow": "traits"})],
    )
    assert conn.execute(
        "select source, source_name, target, target_name, flow from integrations_named"
    ).fetchall() == [("segment", "Segment", "braze", "Braze", "traits")]


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_runs_with_the_invokers_rights(conn: Conn, view: str) -> None:
    row = conn.execute(
        "select c.reloptions from pg_class c where c.relname = %s", [view]
    ).fetchone()
    assert row is not None
    assert "security_invoker=true" in row[0]
